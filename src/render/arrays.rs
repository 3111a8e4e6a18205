//! Tera's array filters without the copy.
//!
//! Tera's own `first`, `last`, `nth`, `filter`, `map`, `slice` and `concat`
//! begin by copying the whole array they are given, twice over (a clone,
//! then a conversion back into values), to keep one element or a few:
//! `data.types.target.items | filter(attribute="id", value=x) | first`
//! copies every target of the site to find one. On the shipped site that
//! was a tenth of the time spent rendering pages. The filters here read
//! the array where it is and copy only what they give back; whatever they
//! do not handle the same way by construction (a value that is not an
//! array, a missing or mistyped argument) goes to Tera's own filter, so
//! the answers and the error messages stay Tera's.

use std::collections::HashMap;
use std::sync::Arc;

use tera::{Filter, Tera, Value, dotted_pointer};

/// Replaces Tera's array filters by the ones of this module.
pub(super) fn register(tera: &mut Tera) {
    borrow(tera, "first", |arr, _| {
        Some(arr.first().cloned().unwrap_or_else(empty_text))
    });
    borrow(tera, "last", |arr, _| {
        Some(arr.last().cloned().unwrap_or_else(empty_text))
    });
    borrow(tera, "nth", nth);
    borrow(tera, "filter", filter);
    borrow(tera, "map", map);
    borrow(tera, "slice", slice);
    borrow(tera, "concat", concat);
}

/// What a filter of this module answers for an array and its arguments,
/// or `None` to leave the case to Tera's own filter.
type Fast = fn(&[Value], &HashMap<String, Value>) -> Option<Value>;

/// Registers `fast` under `name`, falling back to Tera's filter of that name.
fn borrow(tera: &mut Tera, name: &'static str, fast: Fast) {
    let Some(teras) = tera.filters.get(name).cloned() else {
        return;
    };
    tera.register_filter(name, Borrowing { fast, teras });
}

struct Borrowing {
    fast: Fast,
    teras: Arc<dyn Filter>,
}

impl Filter for Borrowing {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
        match value {
            Value::Array(arr) => match (self.fast)(arr, args) {
                Some(v) => Ok(v),
                None => self.teras.filter(value, args),
            },
            _ => self.teras.filter(value, args),
        }
    }

    fn is_safe(&self) -> bool {
        self.teras.is_safe()
    }
}

/// What Tera gives for an element that is not there: an empty string.
fn empty_text() -> Value {
    Value::String(String::new())
}

/// A string argument, as Tera reads one (a string and nothing else).
fn text_arg<'a>(args: &'a HashMap<String, Value>, name: &str) -> Option<&'a str> {
    args.get(name).and_then(Value::as_str)
}

fn nth(arr: &[Value], args: &HashMap<String, Value>) -> Option<Value> {
    if arr.is_empty() {
        return Some(empty_text());
    }
    let n = usize::try_from(args.get("n")?.as_u64()?).ok()?;
    Some(arr.get(n).cloned().unwrap_or_else(empty_text))
}

fn filter(arr: &[Value], args: &HashMap<String, Value>) -> Option<Value> {
    if arr.is_empty() {
        return Some(Value::Array(Vec::new()));
    }
    let key = text_arg(args, "attribute")?;
    let wanted = args.get("value").unwrap_or(&Value::Null);
    let kept = arr
        .iter()
        .filter(|v| {
            let found = dotted_pointer(v, key).unwrap_or(&Value::Null);
            if wanted.is_null() {
                !found.is_null()
            } else {
                found == wanted
            }
        })
        .cloned()
        .collect();
    Some(Value::Array(kept))
}

fn map(arr: &[Value], args: &HashMap<String, Value>) -> Option<Value> {
    if arr.is_empty() {
        return Some(Value::Array(Vec::new()));
    }
    let key = text_arg(args, "attribute")?;
    let values = arr
        .iter()
        .filter_map(|v| dotted_pointer(v, key).filter(|found| !found.is_null()))
        .cloned()
        .collect();
    Some(Value::Array(values))
}

fn slice(arr: &[Value], args: &HashMap<String, Value>) -> Option<Value> {
    if arr.is_empty() {
        return Some(Value::Array(Vec::new()));
    }
    // Tera reads `start` and `end` as floats; negative ones count from the end.
    let index = |name: &str, default: usize| -> Option<usize> {
        match args.get(name) {
            None => Some(default),
            Some(v) => {
                let i = v.as_f64()?;
                Some(if i >= 0.0 {
                    i as usize
                } else {
                    (arr.len() as f64 + i) as usize
                })
            }
        }
    };
    let start = index("start", 0)?;
    let end = index("end", arr.len())?.min(arr.len());
    Some(Value::Array(if start >= end {
        Vec::new()
    } else {
        arr[start..end].to_vec()
    }))
}

fn concat(arr: &[Value], args: &HashMap<String, Value>) -> Option<Value> {
    let with = args.get("with")?;
    let mut out = Vec::with_capacity(arr.len() + 1);
    out.extend_from_slice(arr);
    match with {
        Value::Array(more) => out.extend_from_slice(more),
        other => out.push(other.clone()),
    }
    Some(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case renders the same text, or fails with the same message,
    /// with these filters as with Tera's own.
    #[test]
    fn answers_as_teras_own_filters_do() {
        let data = serde_json::json!({
            "items": [
                {"id": "a", "n": 1, "g": {"k": "x"}, "s": null},
                {"id": "b", "n": 2.5, "g": {"k": "y"}, "s": "t"},
                {"id": "c", "n": -1, "s": "u"},
                {"id": "a", "n": 1}
            ],
            "none": [],
            "nums": [3, 1, 2],
            "text": "abc",
            "obj": {"a": 1},
            "num": 7
        });
        let cases = [
            "items | first",
            "items | last",
            "none | first",
            "none | last",
            "text | first",
            "obj | last",
            "num | first",
            "nums | first",
            "items | nth(n=1)",
            "items | nth(n=9)",
            "none | nth(n=1)",
            "items | nth",
            "items | nth(n=-1)",
            "items | nth(n=1.5)",
            "items | nth(n=\"1\")",
            "text | nth(n=0)",
            "items | filter(attribute=\"id\", value=\"a\")",
            "items | filter(attribute=\"s\")",
            "items | filter(attribute=\"g.k\", value=\"y\")",
            "items | filter(attribute=\"n\", value=1)",
            "items | filter(attribute=\"n\", value=1.0)",
            "items | filter(attribute=\"missing\", value=\"a\")",
            "items | filter(attribute=1, value=\"a\")",
            "items | filter(value=\"a\")",
            "none | filter(attribute=1)",
            "text | filter(attribute=\"id\")",
            "items | map(attribute=\"id\")",
            "items | map(attribute=\"s\")",
            "items | map(attribute=\"g.k\")",
            "items | map(attribute=2)",
            "items | map",
            "none | map",
            "obj | map(attribute=\"a\")",
            "nums | slice(start=1)",
            "nums | slice(end=2)",
            "nums | slice(start=-1)",
            "nums | slice(start=-9)",
            "nums | slice(start=1, end=-1)",
            "nums | slice(start=2, end=1)",
            "nums | slice(start=0.7, end=9)",
            "nums | slice(start=\"1\")",
            "none | slice(start=\"x\")",
            "text | slice(start=1)",
            "nums | concat(with=4)",
            "nums | concat(with=nums)",
            "none | concat(with=none)",
            "nums | concat(with=obj)",
            "nums | concat",
            "text | concat(with=1)",
            "items | filter(attribute=\"id\", value=\"a\") | map(attribute=\"n\") | last",
        ];
        let context = tera::Context::from_value(data).unwrap();
        for case in cases {
            let text = format!("{{{{ {case} | json_encode() }}}}");
            let answer = |tera: &mut Tera| {
                tera.render_str(&text, &context)
                    .map_err(|e| super::super::chain(&e))
            };
            let mut ours = Tera::default();
            register(&mut ours);
            assert_eq!(answer(&mut ours), answer(&mut Tera::default()), "{case}");
        }
    }
}
