//! Fuzzes decoding, the front-matter splitter and the front-matter parser.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

fuzz_target!(|data: &[u8]| {
    let shown = Path::new("content/fuzz.md");
    let Ok(text) = nqsite::fsutil::decode_text(data.to_vec(), shown) else { return };
    if let Ok(doc) = nqsite::content::parse_document(&text, "fuzz.md", PathBuf::from("content/fuzz.md")) {
        assert!(doc.body_line >= 3);
    }
});
