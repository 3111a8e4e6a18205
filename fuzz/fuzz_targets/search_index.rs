//! Fuzzes the search tokenizer and index encoder: any titles and texts give
//! scripts that parse back to every token, ids inside the vocabulary, the
//! texts as given and no unescaped `<` (see `nqsite::search::check_scripts`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Pages separated by NUL, title and body by the first newline.
    let pages: Vec<(&str, &str)> = text
        .split('\0')
        .take(16)
        .map(|p| p.split_once('\n').unwrap_or((p, "")))
        .collect();
    if let Err(e) = nqsite::search::check_scripts(&pages) {
        panic!("{e}");
    }
    for s in nqsite::search::syllables(text) {
        let t = nqsite::search::token(s);
        assert!(!t.exact.is_empty());
        assert_eq!(nqsite::search::token(&t.exact), t, "lower-casing is idempotent");
    }
});
