//! The binary's memory allocator: mimalloc, set to give freed memory back
//! to the system soon after it is freed.
//!
//! A build makes and lets go of many blocks from one stage to the next
//! (each file's text, each page's HTML, the search index's tables). With
//! glibc's allocator the freed blocks stayed between live ones and the
//! process kept them: at 10,000 pages about 140 MB were live at the peak
//! but 228 MiB resident. mimalloc keeps blocks of one size together in
//! small pages and returns a page once it is empty, and its allocations are
//! cheaper. The README's "Memory (2026-12-06, night)" has the figures.

/// mimalloc's `mi_option_purge_delay` (`include/mimalloc.h`, the version
/// pinned in `Cargo.toml`): how long an empty page is kept before it is
/// given back, in milliseconds.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The purge delay of one-off builds ([`return_freed_memory_soon`]).
const PURGE_DELAY_MS: std::ffi::c_long = 10;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gives empty pages back to the system 10 ms after they empty, for
/// one-off builds. mimalloc's default waits a second: at 10,000 pages the
/// peak was 160 MiB against 146 MiB. At once (0 ms) saved no more and cost
/// a tenth of the build's time in system calls, on the shipped site a
/// quarter. A server that gave its memory back after each save would take
/// it again, page by page, at the next: `serve` keeps the default.
pub fn return_freed_memory_soon() {
    // SAFETY: sets one of mimalloc's integer options; any value is valid.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS) }
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
        return_freed_memory_soon();
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, 10);
    }
}
