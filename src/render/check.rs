//! Static checks of a theme's templates, before Tera sees them: what would
//! make rendering recurse without end (a template that includes itself,
//! `a` → `b` → `a` through `include`, `extends` or `import`, a macro that
//! calls itself directly or through others) or nest deeper than the renderer
//! can go. Tera has no depth limit: any of these would overflow the stack
//! and abort the process. Each problem names every file and line involved.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

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
    errors.extend(macro_cycles(templates, &scans));
    errors
}

/// One reference found in a template: what it points to, where.
#[derive(Debug, Clone)]
struct Edge {
    to: String,
    line: usize,
    /// `nhúng` (include), `kế thừa` (extends), `nhập` (import), `gọi` (macro call).
    verb: &'static str,
}

/// What a template refers to.
#[derive(Debug, Default)]
struct Scan {
    /// Templates it includes, extends or imports.
    refs: Vec<Edge>,
    /// `import "file" as ns`: namespace → file.
    imports: BTreeMap<String, String>,
    /// Macro calls, by the macro they are made from (calls outside any
    /// macro are not recorded: they cannot recurse): (namespace, name).
    calls: BTreeMap<String, Vec<(String, Edge)>>,
    /// Templates included without `ignore missing`, with the byte offset of the tag.
    required: Vec<(String, usize)>,
    /// Byte offset of the tag where the nesting went past [`MAX_NESTING`].
    too_deep: Option<usize>,
}

/// Reads the tags of a template (`{{ }}`, `{% %}`, `{# #}`); the text
/// between them is not Tera and is skipped, `{% raw %}` blocks too.
fn scan(text: &str) -> Scan {
    let mut s = Scan::default();
    let mut pos = 0;
    let mut depth = 0usize;
    let mut current_macro: Option<String> = None;
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
                    if word == "import"
                        && let (Some(file), Some(ns)) = (names.first(), rest.rsplit(" as ").next())
                    {
                        s.imports.insert(ns.trim().to_string(), file.clone());
                    }
                    s.refs
                        .extend(names.into_iter().map(|to| Edge { to, line, verb }));
                }
                "macro" => {
                    let name = rest.split('(').next().unwrap_or("").trim().to_string();
                    current_macro = Some(name);
                }
                "endmacro" => current_macro = None,
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
        if let Some(m) = &current_macro {
            let calls = s.calls.entry(m.clone()).or_default();
            for (ns, name) in macro_calls(body) {
                calls.push((
                    ns,
                    Edge {
                        to: name,
                        line,
                        verb: "gọi",
                    },
                ));
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

/// `ns::name(` calls in a tag.
fn macro_calls(body: &str) -> Vec<(String, String)> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find("::") {
        let ns_start = rest[..i].rfind(|c: char| !ident(c)).map_or(0, |j| {
            j + rest[j..].chars().next().map_or(1, char::len_utf8)
        });
        let ns = &rest[ns_start..i];
        let after = &rest[i + 2..];
        let name_len = after.find(|c: char| !ident(c)).unwrap_or(after.len());
        let name = &after[..name_len];
        if !ns.is_empty() && !name.is_empty() && after[name_len..].trim_start().starts_with('(') {
            out.push((ns.to_string(), name.to_string()));
        }
        rest = &rest[i + 2..];
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

/// Macros that call themselves, directly or through other macros.
fn macro_cycles(
    templates: &BTreeMap<String, Source>,
    scans: &BTreeMap<&str, Scan>,
) -> Vec<Diagnostic> {
    // Nodes are `template\u{0}macro`.
    let key = |t: &str, m: &str| format!("{t}\u{0}{m}");
    let mut graph: BTreeMap<String, Vec<Edge>> = BTreeMap::new();
    for (template, s) in scans {
        for (from, calls) in &s.calls {
            let edges = calls
                .iter()
                .filter_map(|(ns, e)| {
                    let file = if ns == "self" {
                        template.to_string()
                    } else {
                        s.imports.get(ns)?.clone()
                    };
                    scans
                        .get(file.as_str())?
                        .calls
                        .contains_key(&e.to)
                        .then(|| Edge {
                            to: key(&file, &e.to),
                            ..e.clone()
                        })
                })
                .collect();
            graph.insert(key(template, from), edges);
        }
    }
    let split = |k: &str| -> (String, String) {
        let (t, m) = k.split_once('\u{0}').unwrap_or((k, ""));
        (t.to_string(), m.to_string())
    };
    cycles(&graph)
        .into_iter()
        .map(|cycle| {
            report(
                &cycle,
                |n| templates[&split(n).0].1.clone(),
                |e| {
                    let (t, m) = split(&e.to);
                    format!("macro `{m}` (trong `{t}`)")
                },
                "macro tự gọi lại chính nó (trực tiếp hay qua macro khác): khi dựng trang sẽ lặp không dừng",
                "nqsite không cho phép macro đệ quy; viết lại bằng vòng `for`, hoặc tách thành các macro không gọi vòng lại nhau",
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
    fn finds_recursive_macros_but_not_macros_calling_others() {
        let e = theme(&[(
            "m.html",
            "{% macro f(n) %}\n{{ self::f(n=n) }}\n{% endmacro f %}",
        )]);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, 2);
        let e = theme(&[
            ("p.html", "{% import \"m.html\" as m %}{{ m::f() }}"),
            (
                "m.html",
                "{% import \"n.html\" as n %}{% macro f() %}{{ n::g() }}{% endmacro %}",
            ),
            (
                "n.html",
                "{% import \"m.html\" as m %}{% macro g() %}{% if m::f( ) %}{% endif %}{% endmacro %}",
            ),
        ]);
        assert_eq!(e.len(), 2, "{e:?}"); // the import cycle m ↔ n, and f ↔ g
        assert!(e.iter().any(|d| d.message.contains("macro `g`")));
        assert!(theme(&[(
            "m.html",
            "{% macro f() %}{{ self::g() }}{% endmacro %}{% macro g() %}g{% endmacro %}{{ self::f() }}"
        )])
        .is_empty());
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
