//! The binary's memory allocator: mimalloc, set to give freed memory back
//! to the system at once.
//!
//! A build holds every document's Markdown, HTML and plain text for a while
//! and lets each go at a different stage; with glibc's allocator the freed
//! blocks stay between live ones and the process keeps them (at 100,000
//! pages, a third of its peak). mimalloc keeps blocks of one size together
//! in small pages and returns a page as soon as it is empty, and its
//! allocations are cheaper: see the README, "Memory allocator".

/// mimalloc's `mi_option_purge_delay` (`include/mimalloc.h`, the version
/// pinned in `Cargo.toml`): how long an empty page is kept before it is
/// given back, in milliseconds.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gives empty pages back to the system as soon as they are empty (the
/// default waits a second, which at 100,000 pages keeps 7% more memory).
/// For one-off builds: a server that gives its memory back after each
/// save takes it again, page by page, at the next.
pub fn return_freed_memory_at_once() {
    // SAFETY: sets one of mimalloc's integer options; any value is valid.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
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
        return_freed_memory_at_once();
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, 0);
    }
}
