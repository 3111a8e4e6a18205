//! The excerpt around a link: the line (paragraph, list item, table row)
//! of a body's plain text it sits on, cut at words to a few dozen words.
//! "Mentioned in" lists show it; it is worked out once per body, when the
//! body is rendered.

use std::sync::Arc;

/// An excerpt with a fingerprint of its text, taken once when it is cut.
/// The mentions made of a link share it, and what hashes mentions hashes
/// the fingerprint (`nqsite serve` fingerprints every page's mentions at
/// each save: hashing their texts again was half of `Contexts::parts`, 7%
/// of a save's samples at 10,000 pages).
#[derive(Debug, Clone)]
pub struct Excerpt {
    text: Arc<str>,
    print: u64,
}

impl Excerpt {
    pub fn new(text: &str) -> Excerpt {
        Excerpt {
            print: crate::fsutil::fingerprint(text),
            text: text.into(),
        }
    }
}

impl Default for Excerpt {
    fn default() -> Excerpt {
        Excerpt::new("")
    }
}

impl std::ops::Deref for Excerpt {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Excerpt {
    fn eq(&self, other: &Excerpt) -> bool {
        self.print == other.print && self.text == other.text
    }
}

impl Eq for Excerpt {}

impl std::hash::Hash for Excerpt {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.print);
    }
}

/// Most characters of an excerpt on each side of the mention.
const EXCERPT_SIDE: usize = 90;

/// The block of `text` around byte `pos`, cut to about a line.
pub fn excerpt(text: &str, pos: usize) -> String {
    Lines::new(text).excerpt(pos)
}

/// Finds the line around a position of a text. A line is found by looking
/// back and ahead from the position; once that has read more than the
/// text's length, where each line starts is worked out once and then
/// searched, so that many positions on one long line stay linear.
pub(super) struct Lines<'t> {
    text: &'t str,
    /// Bytes read looking for lines so far.
    read: usize,
    starts: Option<Vec<usize>>,
}

impl<'t> Lines<'t> {
    pub(super) fn new(text: &'t str) -> Lines<'t> {
        Lines {
            text,
            read: 0,
            starts: None,
        }
    }

    /// The line around byte `pos`, cut to about [`EXCERPT_SIDE`] on each side.
    pub(super) fn excerpt(&mut self, pos: usize) -> String {
        let text = self.text;
        let pos = floor(text, pos.min(text.len()));
        if self.starts.is_none() && self.read > text.len() {
            let starts = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            self.starts = Some(starts);
        }
        let (start, end) = match &self.starts {
            Some(starts) => {
                let line = starts.partition_point(|&s| s <= pos) - 1;
                let end = starts.get(line + 1).map_or(text.len(), |&s| s - 1);
                (starts[line], end)
            }
            None => {
                let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
                let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
                self.read += end - start;
                (start, end)
            }
        };
        cut(&text[start..end], pos - start)
    }
}

/// `block` cut to about [`EXCERPT_SIDE`] characters before `rel` and twice
/// that after it, at word boundaries, with `…` where it was cut.
fn cut(block: &str, rel: usize) -> String {
    let from = if rel > EXCERPT_SIDE {
        word_start(block, rel - EXCERPT_SIDE, rel)
    } else {
        0
    };
    let to = if block.len() - rel > EXCERPT_SIDE * 2 {
        word_end(block, rel, rel + EXCERPT_SIDE * 2)
    } else {
        block.len()
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(block[from..to].trim());
    if to < block.len() {
        out.push('…');
    }
    out
}

fn floor(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Just after the first space in `s[i..limit]`, else `i`.
fn word_start(s: &str, i: usize, limit: usize) -> usize {
    let (i, limit) = (floor(s, i), floor(s, limit));
    s[i..limit].find(' ').map_or(i, |j| i + j + 1)
}

/// The last space in `s[limit..i]`, else `i`.
fn word_end(s: &str, limit: usize, i: usize) -> usize {
    let (limit, i) = (floor(s, limit), floor(s, i));
    s[limit..i].rfind(' ').map_or(i, |j| limit + j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_equal_and_hash_alike_by_their_text() {
        let print = |e: &Excerpt| crate::fsutil::fingerprint(e);
        let (a, b) = (
            Excerpt::new("Đoạn có mục tiêu"),
            Excerpt::new("Đoạn có mục tiêu"),
        );
        assert_eq!(a, b);
        assert_eq!(print(&a), print(&b));
        assert_eq!(&*a, "Đoạn có mục tiêu");
        let c = Excerpt::new("Đoạn có mục tiêu.");
        assert_ne!(a, c);
        assert_ne!(print(&a), print(&c));
        assert_eq!(Excerpt::default(), Excerpt::new(""));
    }

    #[test]
    fn lines_found_by_looking_around_are_those_of_the_index() {
        let text = "Dòng một.\n\nDòng hai, dài hơn một chút.\nBa\n";
        let mut looked = Lines::new(text);
        let mut indexed = Lines::new(text);
        indexed.read = usize::MAX;
        for pos in 0..=text.len() + 1 {
            let fresh = Lines::new(text).excerpt(pos);
            assert_eq!(looked.excerpt(pos), fresh, "{pos}");
            assert_eq!(indexed.excerpt(pos), fresh, "{pos}");
        }
        assert!(
            looked.starts.is_some(),
            "switches to the index once it has read the text"
        );
    }

    #[test]
    fn excerpt_is_the_block_around_the_mention() {
        let text = "Đầu.\nĐoạn có mục tiêu TFP trên 55% ở đây.\nSau.";
        let pos = text.find("TFP").unwrap();
        assert_eq!(excerpt(text, pos), "Đoạn có mục tiêu TFP trên 55% ở đây.");
    }

    #[test]
    fn long_blocks_are_cut_at_words_around_the_mention() {
        let words: Vec<String> = (0..200).map(|i| format!("từ{i}")).collect();
        let text = words.join(" ");
        let pos = text.find("từ100").unwrap();
        let e = excerpt(&text, pos);
        assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
        assert!(e.contains("từ100"));
        assert!(e.chars().count() < 320);
    }

    #[test]
    fn a_long_word_around_the_mention_is_cut_without_panicking() {
        let text = format!("a {} b", "x".repeat(400));
        let e = excerpt(&text, 200);
        assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
        assert!(e.len() <= EXCERPT_SIDE * 3 + 8, "{e}");
    }
}
