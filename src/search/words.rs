//! The words the search knows, from the theme's `search-words.yaml` (a site
//! replaces it with its own `themes/<name>/search-words.yaml`):
//!
//! - `synonyms`: groups of phrases that mean the same, applied at query
//!   time in both directions (`CĐS` finds `chuyển đổi số` and back);
//! - `weak`: question words (`bao nhiêu`, `khi nào`, `vì sao`) that a page
//!   need not contain to answer the question.
//!
//! Both go to the browser in the index's meta script; they are checked here.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::analyze::{Syllables, form, key, syllables};
use crate::diag::Diagnostic;

/// The file's name in a theme.
pub const FILE: &str = "search-words.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWords {
    #[serde(default)]
    synonyms: Vec<Vec<String>>,
    #[serde(default)]
    weak: Vec<String>,
}

/// Synonym groups and weak words, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Words {
    /// Groups of phrases that mean the same, as written.
    pub synonyms: Vec<Vec<String>>,
    /// Question words, as written.
    pub weak: Vec<String>,
}

impl Words {
    /// Parses and checks the text of a `search-words.yaml`; `shown` is its
    /// path in messages. Every problem is reported.
    pub fn parse(text: &str, shown: &Path) -> Result<Words, Vec<Diagnostic>> {
        let raw: RawWords = if text.trim().is_empty() {
            RawWords::default()
        } else {
            serde_yaml::from_str(text)
                .map_err(|e| vec![crate::config::yaml_error(&e, text, shown, 0)])?
        };
        let mut errors = Vec::new();
        let mut places = Places::new(text);
        let mut seen: HashMap<String, usize> = HashMap::new();
        places.seek_key("synonyms");
        for group in &raw.synonyms {
            let first = places.find(group.first().map_or("", String::as_str));
            if group.len() < 2 {
                errors.push(
                    Diagnostic::error(
                        shown,
                        first.0,
                        first.1,
                        format!("nhóm từ đồng nghĩa `{}` chỉ có một cụm từ", group.join(", ")),
                    )
                    .hint("mỗi nhóm cần ít nhất hai cụm từ cùng nghĩa, ví dụ: `- [CĐS, chuyển đổi số]`"),
                );
            }
            for (n, phrase) in group.iter().enumerate() {
                let line = if n == 0 { first } else { places.find(phrase) };
                check_phrase(phrase, line, shown, &mut seen, &mut errors);
            }
        }
        places.seek_key("weak");
        let mut seen_weak: HashMap<String, usize> = HashMap::new();
        for phrase in &raw.weak {
            let line = places.find(phrase);
            check_phrase(phrase, line, shown, &mut seen_weak, &mut errors);
        }
        if errors.is_empty() {
            Ok(Words {
                synonyms: raw.synonyms,
                weak: raw.weak,
            })
        } else {
            Err(errors)
        }
    }
}

impl Words {
    /// The words a site's index needs: the synonym groups of which some
    /// phrase is in it (`has` tells the keys it holds: every syllable of a
    /// one-syllable phrase, every pair of the others), all the weak words.
    /// A group none of whose phrases the site writes finds nothing, and its
    /// phrases (`Bộ Chính trị`) would show up in the scripts of a site about
    /// something else.
    pub(super) fn used(&self, has: &dyn Fn(&str) -> bool) -> Words {
        let present = |phrase: &str| {
            let keys: Vec<(String, bool)> = Syllables::new(phrase)
                .map(|(s, starts)| (key(&form(s)), starts))
                .collect();
            let mut ok = !keys.is_empty();
            for (n, (k, starts)) in keys.iter().enumerate() {
                let alone = *starts && keys.get(n + 1).is_none_or(|next| next.1);
                if alone {
                    ok &= has(k);
                } else if !starts {
                    ok &= has(&format!("{} {k}", keys[n - 1].0));
                }
            }
            ok
        };
        Words {
            synonyms: self
                .synonyms
                .iter()
                .filter(|group| group.iter().any(|p| present(p)))
                .cloned()
                .collect(),
            weak: self.weak.clone(),
        }
    }
}

/// The syllables of a phrase as the browser files them, with capitals kept
/// (`AI` and `ai` are two phrases).
fn phrase_key(phrase: &str) -> String {
    syllables(phrase)
        .map(|s| {
            let f = form(s);
            if f.chars().any(char::is_uppercase) {
                f.to_string()
            } else {
                key(&f)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks that a phrase has something to search and is not listed twice.
fn check_phrase(
    phrase: &str,
    (line, column): (usize, usize),
    shown: &Path,
    seen: &mut HashMap<String, usize>,
    errors: &mut Vec<Diagnostic>,
) {
    let k = phrase_key(phrase);
    if k.is_empty() {
        errors.push(
            Diagnostic::error(
                shown,
                line,
                column,
                format!("cụm từ `{phrase}` không có chữ hay số nào để tìm"),
            )
            .hint("xoá cụm từ này hoặc viết nó bằng chữ"),
        );
        return;
    }
    if let Some(&before) = seen.get(&k) {
        errors.push(
            Diagnostic::error(
                shown,
                line,
                column,
                format!("cụm từ `{phrase}` đã có ở dòng {before}"),
            )
            .hint("mỗi cụm từ chỉ ghi một lần; gộp hai nhóm có chung cụm từ thành một nhóm"),
        );
    } else {
        seen.insert(k, line);
    }
}

/// Finds the lines of the phrases of the file, in the order they are written.
struct Places<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Places<'a> {
    fn new(text: &'a str) -> Places<'a> {
        Places { text, at: 0 }
    }

    /// Moves to the line of a top-level key.
    fn seek_key(&mut self, key: &str) {
        let line = crate::config::key_line(self.text, key);
        self.at = self
            .text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
    }

    /// The 1-based line and column of the next occurrence of `needle` (the
    /// line reached so far, column 0, when it is not written as is, e.g.
    /// with escapes).
    fn find(&mut self, needle: &str) -> (usize, usize) {
        let found = if needle.is_empty() {
            None
        } else {
            self.text[self.at..].find(needle).map(|i| self.at + i)
        };
        let Some(start) = found else {
            return (crate::diag::line_col(self.text, self.at).0, 0);
        };
        self.at = start + needle.len();
        crate::diag::line_col(self.text, start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        match Words::parse(text, Path::new("search-words.yaml")) {
            Ok(_) => Vec::new(),
            Err(ds) => ds
                .iter()
                .map(|d| format!("{}: {}", d.location(), d.message))
                .collect(),
        }
    }

    #[test]
    fn the_default_theme_words_are_valid() {
        let text = include_str!("../../themes/default/search-words.yaml");
        let words = Words::parse(text, Path::new(FILE)).unwrap();
        assert!(
            words
                .synonyms
                .iter()
                .any(|g| g.contains(&"CĐS".to_string()))
        );
        assert!(words.weak.contains(&"bao nhiêu".to_string()));
    }

    #[test]
    fn reads_groups_and_weak_words() {
        let w = Words::parse(
            "synonyms:\n  - [CĐS, chuyển đổi số]\n  - [AI, trí tuệ nhân tạo]\nweak: [ai, bao nhiêu]\n",
            Path::new("x.yaml"),
        )
        .unwrap();
        assert_eq!(w.synonyms.len(), 2);
        assert_eq!(w.weak, ["ai", "bao nhiêu"]);
    }

    #[test]
    fn reports_every_bad_entry_with_its_line() {
        let e = errors(
            "synonyms:\n  - [CĐS]\n  - [KHCN, khoa học công nghệ]\n  - [khoa học công nghệ, KH-CN]\n  - [x, \"—\"]\nweak:\n  - gì\n  - gi\n",
        );
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(
            e[0].starts_with("search-words.yaml:2:6") && e[0].contains("một cụm từ"),
            "{}",
            e[0]
        );
        assert!(
            e[1].starts_with("search-words.yaml:4:") && e[1].contains("dòng 3"),
            "{}",
            e[1]
        );
        assert!(
            e[2].starts_with("search-words.yaml:5:") && e[2].contains("không có chữ"),
            "{}",
            e[2]
        );
        assert!(
            e[3].starts_with("search-words.yaml:8:") && e[3].contains("dòng 7"),
            "{}",
            e[3]
        );
    }

    #[test]
    fn unknown_keys_and_wrong_shapes_are_errors_with_lines() {
        let e = errors("synonym:\n  - [a, b]\n");
        assert!(
            e[0].starts_with("search-words.yaml:1:") && e[0].contains("synonym"),
            "{e:?}"
        );
        let e = errors("synonyms:\n  - CĐS\n");
        assert!(e[0].starts_with("search-words.yaml:2:"), "{e:?}");
    }

    #[test]
    fn capitals_make_a_different_phrase() {
        assert_ne!(phrase_key("AI"), phrase_key("ai"));
        assert_eq!(phrase_key("Chuyển đổi số"), phrase_key("chuyen doi so"));
    }

    #[test]
    fn keeps_the_groups_the_index_has_a_phrase_of() {
        let w = Words::parse(
            "synonyms:\n  - [CĐS, chuyển đổi số]\n  - [BCT, Bộ Chính trị]\n  - [AI, trí tuệ nhân tạo]\n  - [CNH-HĐH, \"công nghiệp hóa, hiện đại hóa\"]\nweak: [bao nhiêu]\n",
            Path::new(FILE),
        )
        .unwrap();
        // An index holding "chuyển đổi", "đổi số" (not "Bộ Chính trị"),
        // the syllable "ai", and the two phrases around the comma.
        let held = [
            "chuyen doi",
            "doi so",
            "bo",
            "chinh",
            "tri",
            "ai",
            "cong nghiep",
            "nghiep hoa",
            "hien dai",
            "dai hoa",
        ];
        let used = w.used(&|k| held.contains(&k));
        let firsts: Vec<&str> = used.synonyms.iter().map(|g| g[0].as_str()).collect();
        assert_eq!(firsts, ["CĐS", "AI", "CNH-HĐH"]);
        assert_eq!(used.weak, ["bao nhiêu"]);
    }
}
