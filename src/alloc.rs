//! The binary's memory allocator: mimalloc, set to give freed memory back
//! to the system soon after it is freed in a build, and to keep it while
//! `serve` runs.
//!
//! A build makes and lets go of many blocks from one stage to the next
//! (each file's text, each page's HTML, the search index's tables). With
//! glibc's allocator the freed blocks stayed between live ones and the
//! process kept them: at 10,000 pages about 140 MB were live at the peak
//! but 228 MiB resident. mimalloc keeps blocks of one size together in
//! small pages and returns a page once it is empty, and its allocations are
//! cheaper. `bench/HISTORY.md`, "Memory (2026-12-06, night)", has the figures.

/// mimalloc's `mi_option_purge_delay` (`include/mimalloc.h`, the version
/// pinned in `Cargo.toml`): how long an empty page is kept before it is
/// given back, in milliseconds.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One-off builds (`build`, `check`) give empty pages back 10 ms after
/// they empty. mimalloc's default waits a second: at 10,000 pages the peak
/// was 156-163 MiB against 143 MiB. At once (0 ms) saved no more and cost a
/// tenth of the build's time in system calls, on the shipped site a
/// quarter.
pub fn for_builds() {
    set_purge_delay(10);
}

/// `nqsite serve` keeps what it frees for the next save: memory given back
/// after a save was taken again, page by page, at the next (at 10,000
/// pages, saves 11-26 ms slower than never giving it back).
pub fn for_serve() {
    set_purge_delay(-1);
}

/// Sets how long an empty page is kept, in milliseconds (-1: kept).
fn set_purge_delay(ms: std::ffi::c_long) {
    // SAFETY: sets one of mimalloc's integer options; any value is valid.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, ms) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_set_is_the_purge_delay() {
        // Only the purge delay defaults to 1000 (ms): a renumbered option
        // list in a new mimalloc fails here rather than setting another.
        // SAFETY: reads one of mimalloc's integer options.
        let default = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        assert_eq!(default, 1000);
        for_builds();
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, 10);
        for_serve();
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, -1);
    }
}
