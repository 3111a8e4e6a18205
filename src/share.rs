//! Share images: a 1200×630 PNG card for the site and for each target
//! (its figure in large type), drawn at build time from SVG with resvg and
//! the DejaVu Sans fonts shipped in the theme (full Vietnamese glyphs, no
//! system fonts, so the pixels are the same on every machine). Rendered
//! cards are cached by content hash in `<root>/.nqsite-cache/share/`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use crate::markdown::escape_attr as escape;

/// Width and height of a share image (Open Graph's recommended size).
pub const WIDTH: u32 = 1200;
/// Height of a share image.
pub const HEIGHT: u32 = 630;

static REGULAR: &[u8] = include_bytes!("../themes/default/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../themes/default/fonts/DejaVuSans-Bold.ttf");

/// What a card shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// Small line on top (`MỤC TIÊU ĐẾN NĂM 2030`).
    pub kicker: String,
    /// The large text (a figure such as `>55%`, or a title).
    pub headline: String,
    /// The text under it (the indicator, or a description).
    pub text: String,
    /// The footer (the site's name).
    pub footer: String,
    /// Accent colour, `#rrggbb`.
    pub accent: String,
}

fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(REGULAR.to_vec());
        db.load_font_data(BOLD.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

/// Breaks `text` into at most `max_lines` lines of about `width` characters,
/// ending with `…` when it had to cut.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

/// The SVG of a card.
pub fn svg(card: &Card) -> String {
    let headline_size = if card.headline.chars().count() <= 10 {
        150
    } else {
        64
    };
    let headline_width = if headline_size == 150 { 12 } else { 30 };
    let headline = wrap(&card.headline, headline_width, 3);
    let mut y = 150 + headline_size;
    let mut body = String::new();
    for line in &headline {
        body.push_str(&format!(
            "<text x=\"90\" y=\"{y}\" font-size=\"{headline_size}\" font-weight=\"bold\" fill=\"{}\">{}</text>",
            card.accent,
            escape(line)
        ));
        y += headline_size * 11 / 10;
    }
    y += 10;
    for line in wrap(&card.text, 46, 3) {
        body.push_str(&format!(
            "<text x=\"90\" y=\"{y}\" font-size=\"38\" fill=\"#1b1b1f\">{}</text>",
            escape(&line)
        ));
        y += 50;
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" font-family=\"DejaVu Sans\">\
         <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#ffffff\"/>\
         <rect width=\"24\" height=\"{HEIGHT}\" fill=\"{accent}\"/>\
         <text x=\"90\" y=\"110\" font-size=\"30\" font-weight=\"bold\" fill=\"{accent}\">{kicker}</text>\
         {body}\
         <rect x=\"90\" y=\"540\" width=\"1020\" height=\"2\" fill=\"#d9dbe0\"/>\
         <text x=\"90\" y=\"590\" font-size=\"28\" fill=\"#55585f\">{footer}</text></svg>",
        accent = card.accent,
        kicker = escape(&card.kicker),
        footer = escape(&wrap(&card.footer, 60, 1).join(" ")),
    )
}

/// Renders a card to PNG bytes.
pub fn png(card: &Card) -> Result<Vec<u8>, String> {
    render_svg(&svg(card))
}

fn render_svg(svg: &str) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT).ok_or("kích thước ảnh không hợp lệ")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}

/// Renders cards, reusing the PNG cached under `cache_dir` for an unchanged card.
pub fn png_cached(card: &Card, cache_dir: Option<&Path>) -> Result<Vec<u8>, String> {
    let svg = svg(card);
    let key = format!("{:016x}.png", crate::fsutil::hash64(svg.as_bytes()));
    let cached: Option<PathBuf> = cache_dir.map(|d| d.join(&key));
    if let Some(bytes) = cached.as_ref().and_then(|p| std::fs::read(p).ok()) {
        return Ok(bytes);
    }
    let bytes = render_svg(&svg)?;
    if let Some(path) = cached {
        crate::fsutil::write_cache(&path, |out| out.write_all(&bytes));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> Card {
        Card {
            kicker: "MỤC TIÊU ĐẾN NĂM 2030".into(),
            headline: ">55%".into(),
            text: "Đóng góp của năng suất các nhân tố tổng hợp (TFP) vào tăng trưởng kinh tế"
                .into(),
            footer: "Nghị quyết số 57-NQ/TW".into(),
            accent: "#a3161b".into(),
        }
    }

    #[test]
    fn renders_a_1200_by_630_png_deterministically() {
        let a = png(&card()).unwrap();
        assert_eq!(&a[1..4], b"PNG");
        let width = u32::from_be_bytes([a[16], a[17], a[18], a[19]]);
        let height = u32::from_be_bytes([a[20], a[21], a[22], a[23]]);
        assert_eq!((width, height), (1200, 630));
        assert_eq!(a, png(&card()).unwrap());
    }

    #[test]
    fn svg_escapes_text_and_wraps_long_lines() {
        let s = svg(&card());
        assert!(s.contains("&gt;55%"));
        let lines = wrap(&"từ ".repeat(100), 20, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'));
    }
}
