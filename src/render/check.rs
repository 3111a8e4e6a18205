//! Static checks of a theme's templates, before Tera sees them: what would
//! make rendering recurse without end (a template that includes itself,
//! `a` → `b` → `a` through `include`, `extends` or `import`) or nest deeper
//! than the renderer can go. Tera has no depth limit: any of these would
//! overflow the stack and abort the process. Each problem names every file
//! and line involved.
//!
//! Macros may call themselves (a macro walking nested groups stops when the
//! data ends), so they are not refused here: [`instrument`] makes every
//! macro count how deep macro calls are nested, and the renderer stops one
//! that goes too deep.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, line_col};

/// How deep blocks (`if`, `for`, `block`…) and brackets may nest in a
/// template: far beyond any real theme, far below what overflows a stack.
pub(crate) const MAX_NESTING: usize = 100;

/// A template's text and the path shown in messages.
pub(crate) type Source = (String, PathBuf);

/// Every problem found in `templates` (by name), sorted.
pub(crate) fn check(templates: &BTreeMap<String, Source>) -> Vec<Diagnostic> {
    let scans: BTreeMap<&str, Scan> = templates
        .iter()
        .map(|(name, (text, _))| (name.as_str(), scan(text)))
        .collect();
    let mut errors: Vec<Diagnostic> = scans
        .iter()
        .filter_map(|(name, s)| {
            let (line, col) = line_col(&templates[*name].0, s.too_deep?);
            Some(
                Diagnostic::error(
                    &templates[*name].1,
                    line,
                    col,
                    format!("mẫu giao diện lồng quá sâu (quá {MAX_NESTING} tầng khối hoặc ngoặc)"),
                )
                .hint("tách phần lồng nhau thành macro hoặc mẫu con; mẫu thật hiếm khi lồng quá 10 tầng"),
            )
        })
        .collect();
    for (name, s) in &scans {
        for (missing, at) in s
            .required
            .iter()
            .filter(|(n, _)| !templates.contains_key(n))
        {
            let (line, col) = line_col(&templates[*name].0, *at);
            errors.push(
                Diagnostic::error(&templates[*name].1, line, col, format!("không có mẫu `{missing}` để nhúng"))
                    .hint("tạo mẫu đó trong `templates/` của giao diện, sửa tên, hoặc thêm `ignore missing` nếu mẫu có thể vắng"),
            );
        }
    }
    errors.extend(template_cycles(templates, &scans));
    errors
}

/// Where a macro is defined, for messages about it.
#[derive(Debug, Clone)]
pub(crate) struct MacroSite {
    /// The template file, as shown.
    pub(crate) shown: PathBuf,
    /// The line of its `{% macro %}` tag.
    pub(crate) line: usize,
    /// Its name.
    pub(crate) name: String,
}

/// `text` with every macro body wrapped in calls to `enter(id=N)` and
/// `leave()` (Tera functions that count how deep macro calls are nested),
/// `N` being the macro's index in `sites`, where it is added. Nothing else
/// changes: no line is added, and the whitespace control of the macro's
/// tags (`-%}`, `{%-`) is carried to the calls, so the output is the same.
pub(crate) fn instrument(
    text: &str,
    shown: &Path,
    (enter, leave): (&str, &str),
    sites: &mut Vec<MacroSite>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for m in scan(text).macros {
        let Some((end_at, trim_before)) = m.end else {
            continue;
        };
        let id = sites.len();
        sites.push(MacroSite {
            shown: shown.to_path_buf(),
            line: m.line,
            name: m.name,
        });
        out.push_str(&text[copied..m.body_start]);
        let after = if m.trim_after { "-" } else { "" };
        out.push_str(&format!("{{{{ {enter}(id={id}) {after}}}}}"));
        out.push_str(&text[m.body_start..end_at]);
        let before = if trim_before { "-" } else { "" };
        out.push_str(&format!("{{{{{before} {leave}() }}}}"));
        copied = end_at;
    }
    out.push_str(&text[copied..]);
    out
}

/// One reference found in a template: what it points to, where.
#[derive(Debug, Clone)]
struct Edge {
    to: String,
    line: usize,
    /// `nhúng` (include), `kế thừa` (extends), `nhập` (import).
    verb: &'static str,
}

/// What a template refers to.
#[derive(Debug, Default)]
struct Scan {
    /// Templates it includes, extends or imports.
    refs: Vec<Edge>,
    /// Its macros, in order.
    macros: Vec<MacroTags>,
    /// Templates included without `ignore missing`, with the byte offset of the tag.
    required: Vec<(String, usize)>,
    /// Byte offset of the tag where the nesting went past [`MAX_NESTING`].
    too_deep: Option<usize>,
}

/// Where a macro's tags are.
#[derive(Debug)]
struct MacroTags {
    name: String,
    line: usize,
    /// Byte offset just after `{% macro … %}`.
    body_start: usize,
    /// The tag ends with `-%}`.
    trim_after: bool,
    /// Byte offset of `{% endmacro %}`, and whether it starts with `{%-`.
    end: Option<(usize, bool)>,
}

/// Reads the tags of a template (`{{ }}`, `{% %}`, `{# #}`); the text
/// between them is not Tera and is skipped, `{% raw %}` blocks too.
fn scan(text: &str) -> Scan {
    let mut s = Scan::default();
    let mut pos = 0;
    let mut depth = 0usize;
    // Lines are counted as the scan goes (linear in the text's length).
    let (mut line, mut counted) = (1, 0);
    while let Some(open) = text[pos..].find('{').map(|i| pos + i) {
        let kind = text[open + 1..].chars().next();
        let close = match kind {
            Some('{') => "}}",
            Some('%') => "%}",
            Some('#') => "#}",
            _ => {
                pos = open + 1;
                continue;
            }
        };
        let body_start = open + 2;
        let Some(end) = text[body_start..].find(close).map(|i| body_start + i) else {
            break;
        };
        pos = end + 2;
        if kind == Some('#') {
            continue;
        }
        let body = text[body_start..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        line += text[counted..open].matches('\n').count();
        counted = open;
        if bracket_depth(body) + depth > MAX_NESTING && s.too_deep.is_none() {
            s.too_deep = Some(open);
        }
        if kind == Some('%') {
            let word = body.split_whitespace().next().unwrap_or("");
            let rest = body[word.len()..].trim();
            match word {
                "raw" => {
                    pos = skip_raw(text, pos);
                    continue;
                }
                "include" | "extends" | "import" => {
                    let verb = match word {
                        "include" => "nhúng",
                        "extends" => "kế thừa",
                        _ => "nhập",
                    };
                    let names = quoted(rest);
                    if word == "include" && !rest.ends_with("ignore missing") {
                        s.required.extend(names.iter().map(|n| (n.clone(), open)));
                    }
                    s.refs
                        .extend(names.into_iter().map(|to| Edge { to, line, verb }));
                }
                "macro" => s.macros.push(MacroTags {
                    name: rest.split('(').next().unwrap_or("").trim().to_string(),
                    line,
                    body_start: end + 2,
                    trim_after: text[..end].ends_with('-'),
                    end: None,
                }),
                "endmacro" => {
                    if let Some(m) = s.macros.last_mut().filter(|m| m.end.is_none()) {
                        m.end = Some((open, text[open + 2..].starts_with('-')));
                    }
                }
                _ => {}
            }
            if opens_block(word) {
                depth += 1;
                if depth > MAX_NESTING && s.too_deep.is_none() {
                    s.too_deep = Some(open);
                }
            } else if word.starts_with("end") {
                depth = depth.saturating_sub(1);
            }
        }
    }
    s
}

/// Tags that open a block closed by an `end…` tag.
fn opens_block(word: &str) -> bool {
    matches!(word, "if" | "for" | "block" | "macro" | "filter")
}

/// The position after `{% endraw %}`, or the end of the text.
fn skip_raw(text: &str, mut pos: usize) -> usize {
    while let Some(open) = text[pos..].find("{%").map(|i| pos + i) {
        let Some(end) = text[open..].find("%}").map(|i| open + i) else {
            break;
        };
        pos = end + 2;
        let body = text[open + 2..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        if body == "endraw" {
            return pos;
        }
    }
    text.len()
}

/// The deepest nesting of `(` and `[` in a tag.
fn bracket_depth(body: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for c in body.chars() {
        match c {
            '(' | '[' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Every string literal of a tag (`"a"`, `'a'` or `` `a` ``).
fn quoted(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(['"', '\'', '`']) {
        let quote = char::from(rest.as_bytes()[i]);
        let after = &rest[i + 1..];
        let Some(len) = after.find(quote) else {
            break;
        };
        out.push(after[..len].to_string());
        rest = &after[len + 1..];
    }
    out
}

/// Cycles of `include`, `extends` and `import` between templates.
fn template_cycles(
    templates: &BTreeMap<String, Source>,
    scans: &BTreeMap<&str, Scan>,
) -> Vec<Diagnostic> {
    let graph: BTreeMap<String, Vec<Edge>> = scans
        .iter()
        .map(|(name, s)| {
            let edges = s
                .refs
                .iter()
                .filter(|e| templates.contains_key(&e.to))
                .cloned()
                .collect();
            (name.to_string(), edges)
        })
        .collect();
    cycles(&graph)
        .into_iter()
        .map(|cycle| {
            let shown = |n: &str| templates[n].1.clone();
            report(
                &cycle,
                |n| shown(n),
                |e| format!("`{}`", e.to),
                "các mẫu giao diện nhúng hoặc kế thừa nhau thành vòng lặp không có điểm dừng",
                "bỏ một `include`/`extends`/`import` trong vòng này; một mẫu không được tự nhúng chính nó, \
                 trực tiếp hay qua mẫu khác",
            )
        })
        .collect()
}

/// One diagnostic for a cycle: located at its first reference, listing
/// every step (file:line, what it refers to).
fn report(
    cycle: &[(String, Edge)],
    shown: impl Fn(&str) -> PathBuf,
    target: impl Fn(&Edge) -> String,
    what: &str,
    hint: &str,
) -> Diagnostic {
    let steps: Vec<String> = cycle
        .iter()
        .map(|(from, e)| {
            format!(
                "{}:{} {} {}",
                shown(from).display(),
                e.line,
                e.verb,
                target(e)
            )
        })
        .collect();
    let (first, edge) = &cycle[0];
    Diagnostic::error(
        shown(first),
        edge.line,
        0,
        format!("{what}: {}", steps.join(" → ")),
    )
    .hint(hint)
}

/// The cycles of a graph, each once, as its steps (node, edge to the
/// next node). Iterative, so a long chain cannot overflow the stack:
/// nodes that cannot reach a cycle are peeled off first; from what is
/// left every node has an edge inside, and following first edges must
/// come back to a node already seen.
fn cycles(graph: &BTreeMap<String, Vec<Edge>>) -> Vec<Vec<(String, Edge)>> {
    let mut alive: BTreeSet<&str> = graph.keys().map(String::as_str).collect();
    loop {
        let dead: Vec<&str> = alive
            .iter()
            .copied()
            .filter(|n| !graph[*n].iter().any(|e| alive.contains(e.to.as_str())))
            .collect();
        if dead.is_empty() {
            break;
        }
        for n in dead {
            alive.remove(n);
        }
    }
    let mut reported: BTreeSet<&str> = BTreeSet::new();
    let mut found = Vec::new();
    for &start in &alive {
        if reported.contains(start) {
            continue;
        }
        let mut path: Vec<(&str, &Edge)> = Vec::new();
        let mut node = start;
        loop {
            if let Some(at) = path.iter().position(|(n, _)| *n == node) {
                let cycle: Vec<(String, Edge)> = path[at..]
                    .iter()
                    .map(|(n, e)| (n.to_string(), (*e).clone()))
                    .collect();
                if !cycle.iter().any(|(n, _)| reported.contains(n.as_str())) {
                    found.push(cycle);
                }
                for (n, _) in &path {
                    reported.insert(n);
                }
                break;
            }
            let Some(edge) = graph[node].iter().find(|e| alive.contains(e.to.as_str())) else {
                break;
            };
            path.push((node, edge));
            node = graph
                .get_key_value(edge.to.as_str())
                .map_or(node, |(k, _)| k.as_str());
        }
    }
    found
}

/// The first line of `text` where `needle` appears as a whole word
/// (not part of a longer name), for messages about a variable.
pub(crate) fn find_word(text: &str, needle: &str) -> Option<(usize, usize)> {
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let mut from = 0;
    while let Some(i) = text[from..].find(needle).map(|i| from + i) {
        let before = text[..i].chars().next_back();
        let after = text[i + needle.len()..].chars().next();
        if !before.is_some_and(ident) && !after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            return Some(line_col(text, i));
        }
        from = i + needle.len();
    }
    None
}

/// The templates `text` includes, extends or imports, in order.
pub(crate) fn references(text: &str) -> Vec<String> {
    scan(text).refs.into_iter().map(|e| e.to).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(files: &[(&str, &str)]) -> Vec<Diagnostic> {
        let t = files
            .iter()
            .map(|(n, s)| {
                (
                    n.to_string(),
                    (s.to_string(), PathBuf::from(format!("t/{n}"))),
                )
            })
            .collect();
        check(&t)
    }

    #[test]
    fn finds_include_extends_and_import_cycles_with_every_step() {
        let e = theme(&[("a.html", "x\n{% include \"a.html\" %}")]);
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].path.to_str(), e[0].line), (Some("t/a.html"), 2));
        let e = theme(&[
            ("a.html", "{%- include \"b.html\" -%}"),
            (
                "b.html",
                "\n\n{% include ['x.html', \"a.html\"] ignore missing %}",
            ),
            ("c.html", "{% include \"a.html\" %}"),
        ]);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].message
                .contains("t/a.html:1 nhúng `b.html` → t/b.html:3 nhúng `a.html`"),
            "{}",
            e[0].message
        );
        let e = theme(&[
            ("a.html", "{% extends \"b.html\" %}"),
            ("b.html", "{% import \"a.html\" as a %}"),
        ]);
        assert_eq!(e.len(), 1);
        assert!(
            theme(&[(
                "a.html",
                "{% raw %}{% include \"a.html\" %}{% endraw %}{# {% include \"a.html\" %} #}"
            )])
            .is_empty()
        );
        assert!(theme(&[("a.html", "{% include \"b.html\" %}"), ("b.html", "b")]).is_empty());
        let e = theme(&[(
            "a.html",
            "\n {% include \"b.html\" %}{% include \"c.html\" ignore missing %}",
        )]);
        assert_eq!((e.len(), e[0].line, e[0].column), (1, 2, 2));
        assert!(e[0].message.contains("`b.html`"));
    }

    #[test]
    fn instruments_every_macro_without_changing_lines_or_whitespace_control() {
        let text = "{% macro a() -%}\n  x\n{%- endmacro a %}\n{% raw %}{% macro r() %}{% endraw %}\n{% macro b(n) %}{{ self::b(n=n) }}{% endmacro %}";
        let mut sites = Vec::new();
        let out = instrument(text, Path::new("t/m.html"), ("in", "out"), &mut sites);
        assert_eq!(
            out,
            "{% macro a() -%}{{ in(id=0) -}}\n  x\n{{- out() }}{%- endmacro a %}\n{% raw %}{% macro r() %}{% endraw %}\n{% macro b(n) %}{{ in(id=1) }}{{ self::b(n=n) }}{{ out() }}{% endmacro %}"
        );
        assert_eq!(out.lines().count(), text.lines().count());
        let names: Vec<_> = sites.iter().map(|s| (s.name.as_str(), s.line)).collect();
        assert_eq!(names, [("a", 1), ("b", 5)]);
        assert!(
            theme(&[("m.html", text)]).is_empty(),
            "recursive macros load"
        );
    }

    #[test]
    fn refuses_deep_nesting() {
        let deep = format!("{}x{}", "{% if a %}".repeat(101), "{% endif %}".repeat(101));
        assert_eq!(theme(&[("a.html", &deep)]).len(), 1);
        let ok = format!("{}x{}", "{% if a %}".repeat(100), "{% endif %}".repeat(100));
        assert!(theme(&[("a.html", &ok)]).is_empty());
        let parens = format!("{{{{ {}1{} }}}}", "(".repeat(101), ")".repeat(101));
        assert_eq!(theme(&[("a.html", &parens)]).len(), 1);
    }

    #[test]
    fn finds_a_variable_as_a_whole_word() {
        let text = "{{ page.title }}\n{{ page.titles }} {{ page }}";
        assert_eq!(find_word(text, "page.titles"), Some((2, 4)));
        assert_eq!(find_word(text, "page"), Some((1, 4)));
        assert_eq!(find_word("{{ xpage }}", "page"), None);
    }
}
