//! The only place that touches the filesystem for reading sources: every
//! error names its path. Text is returned as NFC with `\n` line endings.

use std::path::Path;

use crate::diag::{Diagnostic, line_col};
use crate::text::nfc;

/// Reads a UTF-8 text file: strips a BOM, turns CRLF into LF, normalises to NFC.
/// `shown` is the path to use in messages.
pub fn read_text(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::io(shown, "đọc tệp", &e))?;
    decode_text(bytes, shown)
}

/// Decodes bytes read from `shown` as UTF-8 text (see [`read_text`]).
pub fn decode_text(bytes: Vec<u8>, shown: &Path) -> Result<String, Diagnostic> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let valid = String::from_utf8_lossy(&bytes[..offset]);
            let (line, col) = line_col(&valid, valid.len());
            return Err(Diagnostic::error(
                shown,
                line,
                col,
                format!("tệp không phải văn bản UTF-8 hợp lệ: byte không hợp lệ ở vị trí {offset}"),
            )
            .hint(
                "lưu lại tệp với bảng mã UTF-8 (trong trình soạn thảo: Save with Encoding → UTF-8); \
                 văn bản gõ bằng TCVN3 hoặc VNI cần chuyển sang Unicode trước",
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    };
    Ok(nfc(&text).into_owned())
}

/// A fast, stable 64-bit hash of bytes (not cryptographic): fingerprints
/// for change detection and the content hash in asset names. Reads eight
/// bytes at a step (a large site hashes tens of megabytes per build), and
/// its values never depend on the platform or the compiler version, so
/// output names stay the same from one build to the next.
pub fn hash64(bytes: &[u8]) -> u64 {
    const M: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = 0x243f_6a88_85a3_08d3 ^ (bytes.len() as u64).wrapping_mul(M);
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(b)).wrapping_mul(M);
        h ^= h >> 32;
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(b)).wrapping_mul(M);
    }
    // Final avalanche (MurmurHash3's fmix64).
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Eight hex digits of [`hash64`]: the content hash in output file names.
pub fn name_hash(bytes: &[u8]) -> String {
    format!("{:08x}", hash64(bytes) as u32)
}

/// The process's peak resident memory in KiB (`VmHWM`), where Linux tells it.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_pinned_and_sees_every_byte() {
        // Pinned: output file names depend on these values.
        assert_eq!(hash64(b""), 0x7acd_bb98_b134_4213);
        assert_eq!(name_hash(b"nqsite"), "e4f190fa");
        let base = b"Nghi quyet 57-NQ/TW, 22/12/2024".to_vec();
        let h = hash64(&base);
        for i in 0..base.len() {
            let mut b = base.clone();
            b[i] ^= 1;
            assert_ne!(hash64(&b), h, "byte {i}");
        }
        assert_ne!(hash64(b"a"), hash64(b"a\0"));
        assert_ne!(hash64(&[0; 8]), hash64(&[0; 16]));
    }

    #[test]
    fn strips_bom_and_crlf_and_normalises() {
        let bytes = "\u{feff}a\r\nViê\u{0323}t\r\n".as_bytes().to_vec();
        assert_eq!(decode_text(bytes, Path::new("x.md")).unwrap(), "a\nViệt\n");
    }

    #[test]
    fn reports_invalid_utf8_position() {
        let mut bytes = b"---\ntitle: a\n---\nab".to_vec();
        bytes.push(0xff);
        let err = decode_text(bytes, Path::new("x.md")).unwrap_err();
        assert_eq!((err.line, err.column), (4, 3));
        assert!(err.message.contains("vị trí 19"), "{}", err.message);
    }
}
