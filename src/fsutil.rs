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

/// FNV-1a, 64 bits: a fast stable fingerprint of bytes (not cryptographic).
pub fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
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
