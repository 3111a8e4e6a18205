//! Fuzzes slugs and Vietnamese folding: slugs stay [a-z0-9-], idempotent.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let slug = nqsite::text::slugify(text);
    assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
    assert!(!slug.contains(".."));
    assert_eq!(nqsite::text::slugify(&slug), slug);
    let folded = nqsite::text::fold(text);
    assert_eq!(nqsite::text::fold(&folded), folded);
    let _ = nqsite::text::collate(text, &folded);
    if let Some(file) = nqsite::resolve::alias_file(text) {
        assert!(!file.split('/').any(|p| p == ".." || p == "." || p.is_empty()));
    }
});
