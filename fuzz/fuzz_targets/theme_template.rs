//! Fuzzes theme templates: up to three templates (`page.html`, `a.html`,
//! `b.html`, separated by NUL bytes) loaded as a theme — the static checks
//! for include/extends/import cycles and nesting, the macro depth guard,
//! then Tera's parser — and `page.html` rendered with a small page context.
//! Runs on a thread with the stack nqsite renders with
//! (`render::RENDER_STACK`): no input may overflow it or abort.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let templates: Vec<(String, String)> = ["page.html", "a.html", "b.html"]
        .iter()
        .zip(text.split('\0'))
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    std::thread::Builder::new()
        .stack_size(nqsite::render::RENDER_STACK)
        .spawn(move || {
            let Ok(theme) = nqsite::render::Theme::from_templates(templates) else { return };
            let mut ctx = tera::Context::new();
            ctx.insert(
                "page",
                &serde_json::json!({
                    "title": "Câu hỏi 1", "href": "/a/", "content": "<p>x</p>",
                    "tags": ["a", "b"], "toc": [{"id": "x", "title": "X", "level": 2}],
                    "extra": {"n": 3, "s": "chuỗi"}, "pages": [{"title": "p", "href": "/p/"}],
                }),
            );
            ctx.insert("site", &serde_json::json!({"title": "Trang", "base_path": "/", "menu": []}));
            ctx.insert("t", theme.strings());
            if let Err(e) = theme.render("page.html", &ctx, Path::new("content/fuzz.md")) {
                assert!(!e.message.is_empty());
            }
        })
        .expect("spawn a render thread")
        .join()
        .expect("the render thread does not panic");
});
