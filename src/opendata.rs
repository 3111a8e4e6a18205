//! Open data for portals: `data/targets.json`, `data/targets.csv` and
//! `data/questions.json`, versioned, with JSON Schemas in `data/schema/`
//! (shipped by the theme), so a portal can show the figures in its own widgets.

use serde::Serialize;
use serde_yaml::Value;

use crate::resolve::Site;
use crate::xref::Xref;

/// Version of the data files' shape; bump it on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct TargetRecord<'a> {
    id: &'a str,
    year: i64,
    group: &'a str,
    group_title: Option<&'a str>,
    indicator: &'a str,
    value: &'a str,
    figure: &'a str,
    source: &'a str,
    source_text: &'a str,
    url: String,
}

#[derive(Serialize)]
struct QuestionRecord<'a> {
    number: i64,
    part: i64,
    section: Option<i64>,
    question: &'a str,
    title: &'a str,
    url: String,
    targets: Vec<String>,
    tasks: Vec<String>,
    viewpoints: Vec<String>,
}

fn str_of<'a>(site: &'a Site, i: usize, key: &str) -> &'a str {
    site.nodes[i]
        .doc
        .fm
        .extra
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn int_of(site: &Site, i: usize, key: &str) -> Option<i64> {
    site.nodes[i].doc.fm.extra.get(key).and_then(Value::as_i64)
}

fn of_type(site: &Site, kind: &str) -> Vec<usize> {
    let mut nodes: Vec<usize> = (0..site.nodes.len())
        .filter(|&i| site.nodes[i].doc.fm.doc_type.as_deref() == Some(kind))
        .collect();
    nodes.sort_by_key(|&i| {
        (
            site.nodes[i].parent,
            site.nodes[i].doc.fm.weight,
            int_of(site, i, "number"),
            site.nodes[i].doc.rel.clone(),
        )
    });
    nodes
}

/// The title of every group declared in a section's `groups:` list.
fn group_title<'a>(site: &'a Site, id: &str) -> Option<&'a str> {
    site.nodes
        .iter()
        .find_map(|n| match n.doc.fm.extra.get("groups") {
            Some(Value::Sequence(gs)) => gs
                .iter()
                .find(|g| g.get("id").and_then(Value::as_str) == Some(id))
                .and_then(|g| g.get("title").and_then(Value::as_str)),
            _ => None,
        })
}

fn targets(site: &Site) -> Vec<TargetRecord<'_>> {
    of_type(site, "target")
        .into_iter()
        .map(|i| TargetRecord {
            id: str_of(site, i, "id"),
            year: int_of(site, i, "year").unwrap_or(0),
            group: str_of(site, i, "group"),
            group_title: group_title(site, str_of(site, i, "group")),
            indicator: str_of(site, i, "indicator"),
            value: str_of(site, i, "value"),
            figure: str_of(site, i, "figure"),
            source: str_of(site, i, "source"),
            source_text: str_of(site, i, "source_text"),
            url: site.config.absolute(&site.nodes[i].path),
        })
        .collect()
}

fn questions<'a>(site: &'a Site, xref: &Xref) -> Vec<QuestionRecord<'a>> {
    let ids_of = |i: usize, kind: &str| -> Vec<String> {
        xref.outgoing[i]
            .iter()
            .filter_map(|&t| site.nodes[t].entity.as_ref())
            .filter(|(k, _)| k == kind)
            .map(|(_, id)| id.clone())
            .collect()
    };
    of_type(site, "question")
        .into_iter()
        .map(|i| QuestionRecord {
            number: int_of(site, i, "number").unwrap_or(0),
            part: int_of(site, i, "part").unwrap_or(0),
            section: int_of(site, i, "section"),
            question: str_of(site, i, "question"),
            title: &site.nodes[i].doc.fm.title,
            url: site.config.absolute(&site.nodes[i].path),
            targets: ids_of(i, "target"),
            tasks: ids_of(i, "task"),
            viewpoints: ids_of(i, "viewpoint"),
        })
        .collect()
}

/// The data files (path, bytes); empty when the site has no targets or questions.
pub fn files(site: &Site, xref: &Xref) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let targets = targets(site);
    if !targets.is_empty() {
        out.push((
            "data/targets.csv".to_string(),
            targets_csv(&targets).into_bytes(),
        ));
        let doc = serde_json::json!({
            "$schema": "schema/targets.schema.json",
            "schema_version": SCHEMA_VERSION,
            "site": crate::context::site_title(site),
            "targets": targets,
        });
        out.push(("data/targets.json".to_string(), pretty(&doc)));
    }
    let questions = questions(site, xref);
    if !questions.is_empty() {
        let doc = serde_json::json!({
            "$schema": "schema/questions.schema.json",
            "schema_version": SCHEMA_VERSION,
            "site": crate::context::site_title(site),
            "questions": questions,
        });
        out.push(("data/questions.json".to_string(), pretty(&doc)));
    }
    out
}

fn pretty(v: &serde_json::Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(v).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// RFC 4180 CSV with a UTF-8 byte order mark, so spreadsheet programs show
/// Vietnamese correctly.
fn targets_csv(targets: &[TargetRecord<'_>]) -> String {
    let mut csv = String::from("\u{feff}id,year,group,indicator,value,figure,source_text,url\r\n");
    for t in targets {
        let year = t.year.to_string();
        let fields = [
            t.id,
            &year,
            t.group,
            t.indicator,
            t.value,
            t.figure,
            t.source_text,
            &t.url,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    }
    csv
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_fields_that_need_it() {
        assert_eq!(csv_field("trên 55%"), "trên 55%");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("“x” \"y\""), "\"“x” \"\"y\"\"\"");
    }
}
