//! A small `pprint.pformat` for the values `sslctx` prints: JSON values read back as the
//! Python objects they came from (arrays are tuples, as in a certificate dict;
//! `{"__bytes_hex__": ...}` is `bytes`). Follows pprint's layout rules (width 80, one
//! space of indent per level, dict keys sorted, a value printed on one line when its
//! repr fits); long strings are not split into chunks.

use serde_json::Value;

const WIDTH: usize = 80;

/// Python's `repr()` of a `str`.
pub fn repr_str(s: &str) -> String {
    sslcontext::__private::py_repr_str(s)
}

/// Python's `repr()` of `bytes`.
fn repr_bytes(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from("b");
    out.push(quote);
    for &x in b {
        match x {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            x if char::from(x) == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(char::from(x)),
            x => out.push_str(&format!("\\x{x:02x}")),
        }
    }
    out.push(quote);
    out
}

fn as_bytes(v: &Value) -> Option<Vec<u8>> {
    let map = v.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let hex = map.get("__bytes_hex__")?.as_str()?;
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

fn sorted_items(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut items: Vec<_> = map.iter().collect();
    items.sort_by(|a, b| a.0.cmp(b.0));
    items
}

/// Python's `repr()` of the value (dicts in insertion order, as `repr` keeps it).
pub fn repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => repr_str(s),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(repr).collect();
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        Value::Object(map) => match as_bytes(v) {
            Some(b) => repr_bytes(&b),
            None => {
                let parts: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{}: {}", repr_str(k), repr(v)))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
        },
    }
}

/// pprint's repr: as `repr`, but dicts with sorted keys.
fn safe_repr(v: &Value) -> String {
    match v {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(safe_repr).collect();
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        Value::Object(map) if as_bytes(v).is_none() => {
            let parts: Vec<String> = sorted_items(map)
                .into_iter()
                .map(|(k, v)| format!("{}: {}", repr_str(k), safe_repr(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => repr(other),
    }
}

/// `pprint.pformat(value)`.
pub fn pformat(v: &Value) -> String {
    let mut out = String::new();
    format(&mut out, v, 0, 0);
    out
}

fn format(out: &mut String, v: &Value, indent: usize, allowance: usize) {
    let rep = safe_repr(v);
    let max_width = WIDTH.saturating_sub(indent + allowance);
    if rep.chars().count() <= max_width {
        out.push_str(&rep);
        return;
    }
    match v {
        Value::Object(map) if as_bytes(v).is_none() && !map.is_empty() => {
            out.push('{');
            let indent = indent + 1;
            let items = sorted_items(map);
            let last_index = items.len() - 1;
            for (i, (k, value)) in items.into_iter().enumerate() {
                let last = i == last_index;
                let key = repr_str(k);
                out.push_str(&key);
                out.push_str(": ");
                let a = if last { allowance + 1 } else { 1 };
                format(out, value, indent + key.chars().count() + 2, a);
                if !last {
                    out.push_str(",\n");
                    out.push_str(&" ".repeat(indent));
                }
            }
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('(');
            let end = if items.len() == 1 { ",)" } else { ")" };
            let allowance = allowance + end.len();
            let indent = indent + 1;
            let last_index = items.len() - 1;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                    out.push_str(&" ".repeat(indent));
                }
                let a = if i == last_index { allowance } else { 1 };
                format(out, item, indent, a);
            }
            out.push_str(end);
        }
        _ => out.push_str(&rep),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every certificate dict of decode.json, against CPython's `pprint.pformat`
    /// (recorded by tests/data/cli/record_pprint.py).
    #[test]
    fn certificate_dicts_match_python_pprint() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/cli/pprint_cases.json"
        );
        let text = std::fs::read_to_string(path).expect("pprint_cases.json");
        let doc: Value = serde_json::from_str(&text).expect("json");
        let cases = doc["cases"].as_array().expect("cases");
        assert!(cases.len() > 100);
        let bad: Vec<&str> = cases
            .iter()
            .filter(|c| pformat(&c["value"]) != c["pformat"].as_str().unwrap_or_default())
            .map(|c| c["path"].as_str().unwrap_or_default())
            .collect();
        assert!(bad.is_empty(), "{} differ: {bad:?}", bad.len());
    }

    #[test]
    fn short_values_stay_on_one_line() {
        assert_eq!(pformat(&json!([1])), "(1,)");
        assert_eq!(
            pformat(&json!({"b": null, "a": "it's"})),
            "{'a': \"it's\", 'b': None}"
        );
        assert_eq!(pformat(&json!({"__bytes_hex__": "0027"})), "b\"\\x00'\"");
    }
}
