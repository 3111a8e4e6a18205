//! A small scanner of raw HTML in Markdown bodies: enough to tell comments
//! from markup and to find the attributes that hold URLs (`href`, `src`…),
//! so they are resolved and checked like Markdown links. Not a parser: it
//! never fails, whatever the input.

use std::ops::Range;

use super::RefKind;

/// Attributes whose value is a URL, and whether it embeds a resource.
const URL_ATTRIBUTES: &[(&str, RefKind)] = &[
    ("href", RefKind::Link),
    ("src", RefKind::Image),
    ("poster", RefKind::Image),
    ("data", RefKind::Image),
    ("action", RefKind::Link),
    ("formaction", RefKind::Link),
    ("xlink:href", RefKind::Link),
];

/// A URL attribute of a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlAttribute {
    /// Start of the value, quotes included.
    pub start: usize,
    /// End of the value, quotes included.
    pub end: usize,
    /// The value without its quotes.
    pub value: Range<usize>,
    /// Link or embedded resource.
    pub kind: RefKind,
}

/// True when `html` holds nothing but comments and white space.
pub(crate) fn only_comments(html: &str) -> bool {
    let mut rest = html.trim_start();
    while !rest.is_empty() {
        let Some(inner) = rest.strip_prefix("<!--") else {
            return false;
        };
        let Some(end) = inner.find("-->") else {
            return false;
        };
        rest = inner[end + 3..].trim_start();
    }
    true
}

/// The URL attributes of every start tag in `html`, in order.
pub(crate) fn url_attributes(html: &str) -> Vec<UrlAttribute> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(lt) = html[i..].find('<') {
        i += lt + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
            i += 1;
        }
        i = attributes(html, i, &mut out);
    }
    out
}

/// Reads the attributes of a tag from `i` to its `>`; returns where it ends.
fn attributes(html: &str, mut i: usize, out: &mut Vec<UrlAttribute>) -> usize {
    let b = html.as_bytes();
    let skip_space = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    loop {
        i = skip_space(i);
        while i < b.len() && b[i] == b'/' {
            i = skip_space(i + 1);
        }
        if i >= b.len() || b[i] == b'>' {
            return i;
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        if i == name_start {
            i += 1;
            continue;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        i = skip_space(i);
        if b.get(i) != Some(&b'=') {
            continue;
        }
        i = skip_space(i + 1);
        let start = i;
        let value = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let from = i + 1;
                let to = html[from..]
                    .find(char::from(q))
                    .map_or(b.len(), |e| from + e);
                i = (to + 1).min(b.len());
                from..to
            }
            _ => {
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                start..i
            }
        };
        if let Some(&(_, kind)) = URL_ATTRIBUTES.iter().find(|(n, _)| *n == name) {
            out.push(UrlAttribute {
                start,
                end: i,
                value,
                kind,
            });
        }
    }
}

/// Decodes the character references an attribute value commonly holds.
pub(crate) fn unescape(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_comments_from_markup() {
        assert!(only_comments("<!-- ghi chú -->\n"));
        assert!(only_comments("<!-- a -->  <!--\nb\n-->"));
        assert!(!only_comments("<!-- a --><script>x</script>"));
        assert!(!only_comments("<!-- chưa đóng"));
        assert!(!only_comments("<br>"));
    }

    #[test]
    fn finds_url_attributes_quoted_or_not() {
        let html = r#"<p class="x"><img alt='a' SRC = "/img/a.png"><a href=b.md#c title="h">x</a><!-- <a href="no"> --></p>"#;
        let attrs = url_attributes(html);
        let values: Vec<&str> = attrs.iter().map(|a| &html[a.value.clone()]).collect();
        assert_eq!(values, ["/img/a.png", "b.md#c"]);
        assert_eq!(attrs[0].kind, RefKind::Image);
        assert_eq!(&html[attrs[0].start..attrs[0].end], "\"/img/a.png\"");
        assert_eq!(attrs[1].kind, RefKind::Link);
    }

    #[test]
    fn never_fails_on_broken_markup() {
        for html in [
            "<",
            "<a",
            "<a href",
            "<a href=",
            "<a href=\"x",
            "<a =x>",
            "<a/ href=y>",
            "<ả href=x>",
        ] {
            let _ = url_attributes(html);
        }
        assert_eq!(url_attributes("<a/ href=y>").len(), 1);
    }
}
