//! Open data for portals: for every type whose declaration has `open_data`,
//! `data/<file>.json` (and `data/<file>.csv` when asked), versioned, with a
//! JSON Schema made from the type's declared fields in `data/schema/`, so a
//! portal can show the figures in its own widgets.

use indexmap::IndexMap;
use serde_json::{Map, Value as Json, json};
use serde_yaml::Value as Yaml;

use crate::model::{FieldDecl, FieldKind, OpenDataDecl, TypeDecl, group_entry, key_text};
use crate::resolve::Site;
use crate::xref::Xref;

/// Version of the data files' shape; bump it on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The data files (path, bytes) of every type published as open data that
/// has documents.
pub fn files(site: &Site, xref: &Xref) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (kind, decl) in &site.config.model.types {
        let Some(od) = &decl.open_data else {
            continue;
        };
        let records = records(site, xref, kind, decl, od);
        if records.is_empty() {
            continue;
        }
        let file = &od.file;
        if od.csv {
            out.push((format!("data/{file}.csv"), csv(&records).into_bytes()));
        }
        let doc = DataFile {
            schema: format!("schema/{file}.schema.json"),
            schema_version: SCHEMA_VERSION,
            site: crate::context::site_title(site),
            items: [(file.as_str(), records.as_slice())].into_iter().collect(),
        };
        out.push((format!("data/{file}.json"), pretty(&doc)));
        out.push((
            format!("data/schema/{file}.schema.json"),
            pretty(&schema(kind, decl, od)),
        ));
    }
    out
}

/// A data file: its schema, version and site, then the records under the
/// file's name, each with its columns in declared order.
#[derive(serde::Serialize)]
struct DataFile<'a> {
    #[serde(rename = "$schema")]
    schema: String,
    schema_version: u32,
    site: &'a str,
    #[serde(flatten)]
    items: IndexMap<&'a str, &'a [Record]>,
}

/// One published document: column name → value, in column order.
type Record = IndexMap<String, Json>;

/// The name of the key column: the declared key field, else `id`.
fn key_column(decl: &TypeDecl) -> &str {
    decl.key.as_deref().unwrap_or("id")
}

/// One record per document of `kind`, in section order: its key, every
/// declared field (a group's title beside its key), its title, its URL and
/// the keys it references of each type in `refs`.
fn records(
    site: &Site,
    xref: &Xref,
    kind: &str,
    decl: &TypeDecl,
    od: &OpenDataDecl,
) -> Vec<Record> {
    let mut nodes: Vec<usize> = (0..site.nodes.len())
        .filter(|&i| site.nodes[i].doc.fm.doc_type.as_deref() == Some(kind))
        .filter(|&i| site.nodes[i].entity.is_some())
        .collect();
    nodes.sort_by_key(|&i| {
        (
            site.nodes[i].parent,
            site.nodes[i].doc.fm.weight,
            site.nodes[i].path.clone(),
        )
    });
    nodes
        .into_iter()
        .map(|i| {
            let node = &site.nodes[i];
            let fm = &node.doc.fm;
            let mut r: IndexMap<String, Json> = IndexMap::new();
            let key = node.entity.as_ref().map(|(_, id)| id.clone());
            let key_value = fm
                .extra
                .get(key_column(decl))
                .map(to_json)
                .unwrap_or(json!(key));
            r.insert(key_column(decl).to_string(), key_value);
            for (name, f) in decl
                .fields
                .iter()
                .filter(|(n, _)| n.as_str() != key_column(decl))
            {
                let value = fm.extra.get(name).filter(|v| !v.is_null());
                r.insert(name.clone(), value.map_or(Json::Null, |v| field_json(f, v)));
                if f.kind == FieldKind::Group {
                    let (list, by) = f.group_list();
                    let title = value
                        .and_then(key_text)
                        .and_then(|k| group_entry(site, i, list, by, &k))
                        .and_then(|e| e.get("title"))
                        .map(to_json);
                    r.insert(format!("{name}_title"), title.unwrap_or(Json::Null));
                }
            }
            r.insert("title".into(), json!(fm.title));
            r.insert("url".into(), json!(site.config.absolute(&node.path)));
            for t in &od.refs {
                let ids: Vec<&str> = xref.outgoing[i]
                    .iter()
                    .filter_map(|&o| site.nodes[o].entity.as_ref())
                    .filter(|(k, _)| k == t)
                    .map(|(_, id)| id.as_str())
                    .collect();
                r.insert(format!("{t}s"), json!(ids));
            }
            r
        })
        .collect()
}

fn to_json(v: &Yaml) -> Json {
    serde_json::to_value(v).unwrap_or(Json::Null)
}

/// A field's value as published: dates as `YYYY-MM-DD`, text as text
/// (`figure: 1` is the text "1"), the rest as written.
fn field_json(f: &FieldDecl, v: &Yaml) -> Json {
    match f.kind {
        FieldKind::Date => v
            .as_str()
            .and_then(crate::text::Date::parse)
            .map_or(Json::Null, |d| json!(d.iso())),
        FieldKind::Text | FieldKind::Slug => key_text(v).map_or_else(|| to_json(v), Json::String),
        _ => to_json(v),
    }
}

/// The JSON Schema (draft 2020-12) of a type's data file, from its declaration.
fn schema(kind: &str, decl: &TypeDecl, od: &OpenDataDecl) -> Json {
    let file = &od.file;
    let key = key_column(decl);
    let mut props = Map::new();
    let mut required = vec![json!(key)];
    let key_decl = decl.fields.get(key).cloned().unwrap_or_default();
    props.insert(key.to_string(), field_schema(&key_decl, true));
    for (name, f) in decl.fields.iter().filter(|(n, _)| n.as_str() != key) {
        props.insert(name.clone(), field_schema(f, f.required));
        if f.kind == FieldKind::Group {
            props.insert(
                format!("{name}_title"),
                json!({ "type": ["string", "null"] }),
            );
            required.push(json!(format!("{name}_title")));
        }
        required.push(json!(name));
    }
    props.insert("title".into(), json!({ "type": "string" }));
    props.insert(
        "url".into(),
        json!({ "type": "string", "minLength": 1, "description": "The document's page: absolute when the site has an absolute base URL." }),
    );
    required.push(json!("title"));
    required.push(json!("url"));
    for t in &od.refs {
        props.insert(
            format!("{t}s"),
            json!({ "type": "array", "items": { "type": "string" } }),
        );
        required.push(json!(format!("{t}s")));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{file}.schema.json"),
        "title": format!("nqsite {file} (schema_version {SCHEMA_VERSION})"),
        "description": format!("Every document of type `{kind}` ({}), as published by nqsite in data/{file}.json.", decl.plural.as_ref().or(decl.label.as_ref()).map_or(kind, String::as_str)),
        "type": "object",
        "required": ["schema_version", "site", file],
        "additionalProperties": false,
        "properties": {
            "$schema": { "type": "string" },
            "schema_version": { "const": SCHEMA_VERSION },
            "site": { "type": "string", "minLength": 1 },
            file.as_str(): {
                "type": "array",
                "minItems": 1,
                "items": { "type": "object", "additionalProperties": false, "required": required, "properties": props },
            },
        },
    })
}

/// The schema of one field's value; `required` fields may not be null.
fn field_schema(f: &FieldDecl, required: bool) -> Json {
    let mut s = match f.kind {
        FieldKind::Integer => {
            let mut s = json!({ "type": "integer" });
            if let Some(min) = f.min {
                s["minimum"] = json!(min);
            }
            if let Some(max) = f.max {
                s["maximum"] = json!(max);
            }
            s
        }
        FieldKind::Year => json!({ "type": "integer", "minimum": 1000, "maximum": 9999 }),
        FieldKind::Date => json!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" }),
        FieldKind::Slug => json!({ "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$" }),
        FieldKind::Bool => json!({ "type": "boolean" }),
        FieldKind::Refs | FieldKind::List => json!({ "type": "array" }),
        FieldKind::Text => json!({ "type": "string" }),
        // Keys are text or whole numbers (`tinh-uy`, `15`).
        FieldKind::Ref | FieldKind::Group => {
            let mut any = vec![json!({ "type": "string" }), json!({ "type": "integer" })];
            if !required {
                any.push(json!({ "type": "null" }));
            }
            let mut s = json!({ "anyOf": any });
            if let Some(label) = &f.label {
                s["description"] = json!(label);
            }
            return s;
        }
    };
    if let Some(label) = &f.label {
        s["description"] = json!(label);
    }
    if !required {
        let t = s["type"].clone();
        let mut types: Vec<Json> = match t {
            Json::Array(a) => a,
            other => vec![other],
        };
        types.push(json!("null"));
        s["type"] = Json::Array(types);
    }
    s
}

fn pretty(v: &impl serde::Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(v).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// RFC 4180 CSV with a UTF-8 byte order mark, so spreadsheet programs show
/// Vietnamese correctly: one column per scalar field of the records.
fn csv(records: &[Record]) -> String {
    let columns: Vec<&String> = records
        .first()
        .map(|r| {
            r.iter()
                .filter(|(_, v)| !v.is_array())
                .map(|(k, _)| k)
                .collect()
        })
        .unwrap_or_default();
    let mut csv = String::from("\u{feff}");
    let header: Vec<String> = columns.iter().map(|c| csv_field(c)).collect();
    csv.push_str(&header.join(","));
    csv.push_str("\r\n");
    for r in records {
        let line: Vec<String> = columns
            .iter()
            .map(|c| match r.get(c.as_str()) {
                Some(Json::String(s)) => csv_field(s),
                Some(Json::Null) | None => String::new(),
                Some(other) => csv_field(&other.to_string()),
            })
            .collect();
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
