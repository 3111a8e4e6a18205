//! Diagnostics: every problem found in a site, with the file, line and column
//! it comes from, what is wrong and how to fix it (in Vietnamese, for editors).
//!
//! Stages collect diagnostics instead of stopping at the first one, so a build
//! reports every problem at once.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Stops the build.
    Error,
    /// Reported; the build goes on.
    Warning,
    /// Advice about the site as configured, not a problem of its content
    /// (printed once, not counted among the warnings).
    Note,
}

/// One problem, located in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as shown to the user (relative to the site root when possible).
    pub path: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
    /// What is wrong (Vietnamese).
    pub message: String,
    /// How to fix it (Vietnamese), if there is something to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A new error at `path:line:column`.
    pub fn error(
        path: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line,
            column,
            message: message.into(),
            hint: None,
        }
    }

    /// A new warning at `path:line:column`.
    pub fn warning(
        path: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, column, message)
        }
    }

    /// A new note at `path:line:column` (see [`Severity::Note`]).
    pub fn note(
        path: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(path, line, column, message)
        }
    }

    /// True for warnings (not errors, not notes).
    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }

    /// Adds the advice on how to fix the problem.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// An error for a failed filesystem operation on `path`.
    pub fn io(path: &Path, action: &str, err: &std::io::Error) -> Self {
        Diagnostic::error(
            path,
            0,
            0,
            format!("không thể {action}: {}", io_reason(err)),
        )
    }

    /// True for errors (not warnings).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:column` (the parts that are known).
    pub fn location(&self) -> String {
        let path = self.path.display();
        match (self.line, self.column) {
            (0, _) => format!("{path}"),
            (l, 0) => format!("{path}:{l}"),
            (l, c) => format!("{path}:{l}:{c}"),
        }
    }
}

/// A short Vietnamese reason for the common I/O errors.
fn io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let what = match err.kind() {
        NotFound => "không tìm thấy tệp hoặc thư mục",
        PermissionDenied => "không có quyền truy cập",
        AlreadyExists => "tệp đã tồn tại",
        StorageFull => "ổ đĩa đã đầy",
        ReadOnlyFilesystem => "hệ thống tệp chỉ cho phép đọc",
        _ => "",
    };
    if what.is_empty() {
        err.to_string()
    } else {
        format!("{what} ({err})")
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "lỗi",
            Severity::Warning => "cảnh báo",
            Severity::Note => "lưu ý",
        };
        write!(f, "{}: {label}: {}", self.location(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  cách sửa: {hint}")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics by file, line and column so reports are stable, and
/// tells each once: a part rendered once for many pages (a menu) fails
/// once, however many pages show it.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.severity, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.severity, &b.message))
    });
    diags.dedup();
}

/// Converts a byte offset in `text` into a 1-based (line, column) pair;
/// the column counts characters, not bytes.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineCursor::default().line_col(text, offset)
}

/// [`line_col`] for many offsets of one text: asked in increasing order,
/// it reads the text once (a body with 100,000 links stays linear); an
/// offset before the last one starts again from the top.
#[derive(Debug, Clone, Copy)]
pub struct LineCursor {
    /// Byte offset reached, its line and its column (both 1-based).
    at: usize,
    line: usize,
    col: usize,
}

impl Default for LineCursor {
    fn default() -> LineCursor {
        LineCursor {
            at: 0,
            line: 1,
            col: 1,
        }
    }
}

impl LineCursor {
    /// The (line, column) of byte `offset` of `text`.
    pub fn line_col(&mut self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        if offset < self.at {
            *self = LineCursor::default();
        }
        let passed = &text[self.at..offset];
        match passed.rfind('\n') {
            Some(last) => {
                self.line += passed.bytes().filter(|&b| b == b'\n').count();
                self.col = 1 + passed[last + 1..].chars().count();
            }
            None => self.col += passed.chars().count(),
        }
        self.at = offset;
        (self.line, self.col)
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// "Did you mean: `a`, `b`?" in Vietnamese, for hints.
pub fn did_you_mean(candidates: impl Iterator<Item = String>) -> String {
    let quoted: Vec<String> = candidates.map(|c| format!("`{c}`")).collect();
    format!("có phải ý bạn là: {}?", quoted.join(", "))
}

/// Finds the candidates closest to `wanted` (by edit distance), for
/// "did you mean" hints. Returns at most `n`, best first.
pub fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (edit_distance(wanted, c), c))
        .filter(|(d, c)| *d <= (wanted.chars().count().max(c.chars().count()) / 2).max(2))
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_answers_like_line_col_in_any_order() {
        let text = "Dòng một\nhai 🇻🇳\n\nbốn";
        let offsets: Vec<usize> = (0..=text.len() + 2).chain([7, 3, 30, 0, 12]).collect();
        let mut cursor = LineCursor::default();
        for o in offsets {
            let expected = {
                let before = &text[..floor_char_boundary(text, o.min(text.len()))];
                let start = before.rfind('\n').map_or(0, |i| i + 1);
                (
                    before.matches('\n').count() + 1,
                    before[start..].chars().count() + 1,
                )
            };
            assert_eq!(cursor.line_col(text, o), expected, "offset {o}");
        }
    }

    #[test]
    fn formats_location_message_and_hint() {
        let d = Diagnostic::error("content/a.md", 3, 7, "thiếu trường `title`")
            .hint("thêm `title: ...`");
        assert_eq!(
            d.to_string(),
            "content/a.md:3:7: lỗi: thiếu trường `title`\n  cách sửa: thêm `title: ...`"
        );
        assert_eq!(Diagnostic::error("a.md", 0, 0, "x").location(), "a.md");
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "một\nhai ba\nbốn";
        assert_eq!(line_col(text, 0), (1, 1));
        let off = text.find("ba").unwrap();
        assert_eq!(line_col(text, off), (2, 5));
        let off = text.find('n').unwrap();
        assert_eq!(line_col(text, off), (3, 3));
    }

    #[test]
    fn suggests_closest_ids() {
        let ids = ["tfp-2030", "rd-2030", "kinh-te-so-2030"];
        assert_eq!(closest("tfp-2031", ids, 2), ["tfp-2030", "rd-2030"]);
        assert!(closest("zzzzzzzzzzzz", ids, 3).is_empty());
    }
}
