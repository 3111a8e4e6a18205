//! Fuzzes the search tokenizer and index encoder: any titles and texts give
//! shards that read back to every syllable and pair of every page, under
//! its key in the shard the directory names, the texts as given and no
//! unescaped `<` (see `nqsite::search::check_scripts`).
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
        let f = nqsite::search::form(s);
        assert!(!f.is_empty());
        assert_eq!(nqsite::search::form(&f), f, "forms are stable");
        let k = nqsite::search::key(&f);
        assert_eq!(nqsite::search::key(&k), k, "keys are stable");
    }
});
