//! Province profiles: one content base, many offices. `profiles/<name>.yaml`
//! overrides the site name, office, logo, colours, contact, base URL and the
//! office's own guidance. Parsed strictly; colours must pass WCAG AA contrast
//! against the theme's backgrounds.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::{key_line, yaml_error};
use crate::diag::Diagnostic;
use crate::fsutil;

/// The folder holding profiles, relative to the site root.
pub const PROFILES_DIR: &str = "profiles";

/// The theme's light and dark page backgrounds (see `style.css`).
const LIGHT_BACKGROUND: Rgb = Rgb(0xff, 0xff, 0xff);
const DARK_BACKGROUND: Rgb = Rgb(0x15, 0x16, 0x1a);

/// WCAG 2.1 AA minimum contrast for normal text.
const MIN_CONTRAST: f64 = 4.5;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    site_name: Option<String>,
    office: Option<String>,
    logo: Option<String>,
    logo_alt: Option<String>,
    #[serde(default)]
    colors: RawColors,
    contact: Option<String>,
    base_url: Option<String>,
    local_guidance: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColors {
    accent: Option<String>,
    accent_dark: Option<String>,
}

/// A validated profile.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// The profile's name (`binh-phuoc`).
    pub name: String,
    /// The file it came from, as shown in messages.
    pub shown: PathBuf,
    /// Replaces the site title.
    pub site_name: Option<String>,
    /// The publishing office.
    pub office: Option<String>,
    /// Logo file (absolute path) and the name it gets in the output.
    pub logo: Option<(PathBuf, String)>,
    /// Text alternative of the logo.
    pub logo_alt: Option<String>,
    /// Accent colour on the light background (`#rrggbb`).
    pub accent: Option<String>,
    /// Accent colour on the dark background.
    pub accent_dark: Option<String>,
    /// Contact line shown in the footer.
    pub contact: Option<String>,
    /// Base URL of the office's portal.
    pub base_url: Option<String>,
    /// Line of `base_url` in the file.
    pub base_url_line: usize,
    /// Id of the office's own guidance, shown first on the home page.
    pub local_guidance: Option<String>,
    /// Line of `local_guidance` in the file (checked once entities exist).
    pub local_guidance_line: usize,
}

impl Profile {
    /// Reads `profiles/<name>.yaml` under `root`.
    pub fn load(root: &Path, name: &str) -> Result<Profile, Vec<Diagnostic>> {
        let shown = PathBuf::from(PROFILES_DIR).join(format!("{name}.yaml"));
        let path = root.join(&shown);
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') || !path.is_file()
        {
            let available = list(root);
            return Err(vec![
                Diagnostic::error(&shown, 0, 0, format!("không có hồ sơ đơn vị `{name}`")).hint(
                    if available.is_empty() {
                        "tạo tệp `profiles/<tên>.yaml` (xem README, mục Hồ sơ đơn vị)".to_string()
                    } else {
                        format!("các hồ sơ có sẵn: {}", available.join(", "))
                    },
                ),
            ]);
        }
        let text = fsutil::read_text(root, &path, &shown).map_err(|d| vec![d])?;
        let profile = Profile::parse(&text, name, &shown, &path)?;
        if let Some((logo, _)) = &profile.logo {
            let logo_shown = logo.strip_prefix(root).unwrap_or(logo);
            fsutil::check_inside(root, logo, logo_shown).map_err(|d| {
                vec![Diagnostic {
                    path: shown.clone(),
                    line: key_line(&text, "logo"),
                    column: 7,
                    ..d
                }]
            })?;
        }
        Ok(profile)
    }

    /// Parses and validates the text of a profile found at `path`.
    pub fn parse(
        text: &str,
        name: &str,
        shown: &Path,
        path: &Path,
    ) -> Result<Profile, Vec<Diagnostic>> {
        let raw: RawProfile =
            serde_yaml::from_str(text).map_err(|e| vec![yaml_error(&e, text, shown, 0)])?;
        let mut errors = Vec::new();
        let logo = raw.logo.as_ref().and_then(|l| {
            let file = path.parent().unwrap_or(Path::new(".")).join(l);
            let ext = Path::new(l).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            let line = key_line(text, "logo");
            let outside = Path::new(l)
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir));
            if outside {
                errors.push(
                    Diagnostic::error(shown, line, 7, format!("tệp logo `{l}` phải nằm trong thư mục `profiles/`"))
                        .hint("chép tệp logo vào trong `profiles/`, ví dụ `profiles/logos/ten-tinh.svg`, và ghi đường dẫn tính từ `profiles/` (`logos/ten-tinh.svg`), không dùng `..` hay đường dẫn tuyệt đối"),
                );
                None
            } else if !file.is_file() {
                errors.push(
                    Diagnostic::error(shown, line, 7, format!("không tìm thấy tệp logo `{l}`"))
                        .hint("đặt tệp logo (SVG hoặc PNG) cạnh hồ sơ, ví dụ `profiles/logos/ten-tinh.svg`, và ghi đường dẫn tính từ thư mục `profiles/`"),
                );
                None
            } else if !matches!(ext.as_str(), "svg" | "png" | "jpg" | "jpeg" | "webp") {
                errors.push(Diagnostic::error(shown, line, 7, format!("logo `{l}` phải là tệp SVG, PNG, JPG hoặc WEBP")));
                None
            } else {
                Some((file, format!("logo-{name}.{ext}")))
            }
        });
        let accent = check_color(
            text,
            shown,
            "accent",
            raw.colors.accent.as_deref(),
            LIGHT_BACKGROUND,
            &mut errors,
        );
        let accent_dark = check_color(
            text,
            shown,
            "accent_dark",
            raw.colors.accent_dark.as_deref(),
            DARK_BACKGROUND,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Profile {
            name: name.to_string(),
            shown: shown.to_path_buf(),
            site_name: raw.site_name,
            office: raw.office,
            logo,
            logo_alt: raw.logo_alt,
            accent,
            accent_dark,
            contact: raw.contact,
            base_url: raw.base_url,
            base_url_line: key_line(text, "base_url"),
            local_guidance_line: key_line(text, "local_guidance"),
            local_guidance: raw.local_guidance,
        })
    }

    /// The stylesheet that applies the profile's colours (empty if none).
    pub fn css(&self) -> String {
        let mut css = String::new();
        if let Some(a) = &self.accent {
            css.push_str(&format!(":root{{--accent:{a}}}\n"));
        }
        if let Some(a) = &self.accent_dark {
            css.push_str(&format!(
                "@media (prefers-color-scheme: dark){{:root{{--accent:{a}}}}}\n"
            ));
        }
        css
    }
}

/// The names of the profiles present in a site.
pub fn list(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join(PROFILES_DIR))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| {
                    e.file_name()
                        .to_str()
                        .and_then(|n| n.strip_suffix(".yaml"))
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn check_color(
    text: &str,
    shown: &Path,
    key: &str,
    value: Option<&str>,
    background: Rgb,
    errors: &mut Vec<Diagnostic>,
) -> Option<String> {
    let value = value?;
    let line = key_line_nested(text, key);
    let Some(rgb) = Rgb::parse(value) else {
        errors.push(
            Diagnostic::error(shown, line, 1, format!("màu `{value}` không hợp lệ"))
                .hint("ghi màu theo dạng `#rrggbb`, ví dụ `#a3161b`"),
        );
        return None;
    };
    let ratio = contrast(rgb, background);
    if ratio < MIN_CONTRAST {
        let bg = if background == LIGHT_BACKGROUND {
            "nền sáng"
        } else {
            "nền tối"
        };
        errors.push(
            Diagnostic::error(
                shown,
                line,
                1,
                format!("màu `{value}` có độ tương phản {ratio:.2}:1 trên {bg}, dưới mức tối thiểu {MIN_CONTRAST}:1 của WCAG 2.1 AA"),
            )
            .hint(if background == LIGHT_BACKGROUND {
                "chọn màu đậm hơn (ví dụ `#a3161b`) để chữ và liên kết đọc được"
            } else {
                "chọn màu sáng hơn cho chế độ tối (ví dụ `#ff8a80`)"
            }),
        );
        return None;
    }
    Some(rgb.hex())
}

/// Line of a key that may be nested (`  accent: …`).
fn key_line_nested(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map_or(0, |i| i + 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rgb(u8, u8, u8);

impl Rgb {
    fn parse(s: &str) -> Option<Rgb> {
        let h = s.trim().strip_prefix('#')?;
        let digits: Vec<u8> = match h.len() {
            3 => h
                .chars()
                .map(|c| c.to_digit(16).map(|d| (d * 17) as u8))
                .collect::<Option<_>>()?,
            6 => (0..3)
                .map(|i| u8::from_str_radix(h.get(i * 2..i * 2 + 2)?, 16).ok())
                .collect::<Option<_>>()?,
            _ => return None,
        };
        Some(Rgb(digits[0], digits[1], digits[2]))
    }

    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG relative luminance.
    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }
}

/// WCAG contrast ratio between two colours (1 to 21).
fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_examples() {
        assert!((contrast(Rgb(0, 0, 0), Rgb(255, 255, 255)) - 21.0).abs() < 0.01);
        assert!(contrast(Rgb::parse("#a3161b").unwrap(), LIGHT_BACKGROUND) > 4.5);
        assert!(contrast(Rgb::parse("#ffcc00").unwrap(), LIGHT_BACKGROUND) < 4.5);
        assert_eq!(Rgb::parse("#abc"), Some(Rgb(0xaa, 0xbb, 0xcc)));
        assert_eq!(Rgb::parse("red"), None);
    }

    fn parse(text: &str) -> Result<Profile, Vec<Diagnostic>> {
        let dir = std::env::temp_dir();
        Profile::parse(
            text,
            "thu",
            Path::new("profiles/thu.yaml"),
            &dir.join("thu.yaml"),
        )
    }

    #[test]
    fn errors_on_unknown_key_bad_colour_and_missing_logo() {
        let e = parse("site_name: A\nlogoo: x.svg\n").unwrap_err();
        assert_eq!(e[0].line, 2);
        assert!(e[0].message.contains("`logoo`"));
        let e = parse("colors:\n  accent: \"#ffcc00\"\nlogo: khong-co.svg\n").unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e.iter().any(|d| d.line == 3 && d.message.contains("logo")));
        assert!(
            e.iter()
                .any(|d| d.line == 2 && d.message.contains("độ tương phản"))
        );
    }

    #[test]
    fn colours_become_css_custom_properties() {
        let p = parse("colors:\n  accent: \"#A3161B\"\n  accent_dark: \"#ff8a80\"\n").unwrap();
        assert_eq!(
            p.css(),
            ":root{--accent:#a3161b}\n@media (prefers-color-scheme: dark){:root{--accent:#ff8a80}}\n"
        );
    }
}
