//! Code highlighting with syntect into CSS classes (`.sy-…`). The syntax set is
//! loaded once, on the first code block, so sites without code never pay for it.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use super::escape_attr;

/// Prefix of every class syntect writes; the theme's CSS styles them.
pub const CLASS_PREFIX: &str = "sy-";

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Longest block we highlight; longer ones are shown as plain text so a
/// pathological input cannot stall the build.
const MAX_HIGHLIGHT_BYTES: usize = 256 * 1024;

/// Highlights `code` written in `lang` (a fence token such as `yaml`).
pub fn highlight(code: &str, lang: &str) -> String {
    let lang_attr = if lang.is_empty() {
        String::new()
    } else {
        format!(" data-lang=\"{}\"", escape_attr(lang))
    };
    let body = if lang.is_empty() || code.len() > MAX_HIGHLIGHT_BYTES {
        None
    } else {
        classed(code, lang)
    };
    let body = body.unwrap_or_else(|| escape_attr(code));
    format!("<pre class=\"code\"{lang_attr}><code>{body}</code></pre>\n")
}

fn classed(code: &str, lang: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        set,
        ClassStyle::SpacedPrefixed {
            prefix: CLASS_PREFIX,
        },
    );
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_yaml_into_classes() {
        let html = highlight("title: \"Câu hỏi\"\n", "yaml");
        assert!(html.contains("class=\"sy-"), "{html}");
        assert!(html.contains("data-lang=\"yaml\""));
    }

    #[test]
    fn unknown_language_is_escaped_plain_text() {
        let html = highlight("<b>x</b>\n", "khong-co");
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(!html.contains("sy-"));
    }
}
