//! JSON on stdout: the value on success (exit 0), `{"error": {...}}` on failure (exit 1).

use serde_json::{json, Map, Value};
use sslcontext::Error;

/// The error object of the contract: type, message and the exception's attributes.
pub fn error_json(e: &Error) -> Value {
    let mut obj = Map::new();
    obj.insert("type".into(), json!(e.python_class()));
    obj.insert("message".into(), json!(e.to_string()));
    if let Some(errno) = e.errno() {
        obj.insert("errno".into(), json!(errno));
    }
    if let Some(info) = e.ssl_info() {
        obj.insert("library".into(), json!(info.library()));
        obj.insert("reason".into(), json!(info.reason()));
    }
    if let (Some(code), Some(message)) = (e.verify_code(), e.verify_message()) {
        obj.insert("verify_code".into(), json!(code));
        obj.insert("verify_message".into(), json!(message));
    }
    if let Error::Os {
        filename: Some(name),
        ..
    } = e
    {
        obj.insert("filename".into(), json!(name));
    }
    json!({ "error": Value::Object(obj) })
}

/// Prints one JSON line (a closed stdout is not an error worth a panic).
pub fn print_line(value: &Value) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", python_dumps(value));
    let _ = out.flush();
}

/// Prints one JSON line for `result` and returns the exit code.
pub fn emit(result: Result<Value, Error>) -> i32 {
    match result {
        Ok(value) => {
            print_line(&value);
            0
        }
        Err(e) => {
            print_line(&error_json(&e));
            1
        }
    }
}

/// `json.dumps(value)` with Python's defaults: `", "` and `": "` separators and
/// `ensure_ascii=True`.
pub fn python_dumps(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(out, k);
                out.push_str(": ");
                write_value(out, v);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An `OSError` naming the file, as CPython's `open(path)` raises it:
/// `[Errno 2] No such file or directory: 'path'`.
pub fn io_error_with_path(e: std::io::Error, path: &std::path::Path) -> Error {
    match e.raw_os_error() {
        Some(code) => {
            let text = e.to_string();
            let suffix = format!(" (os error {code})");
            Error::Os {
                errno: code,
                strerror: text.strip_suffix(&suffix).unwrap_or(&text).to_string(),
                filename: Some(path.to_string_lossy().into_owned()),
            }
        }
        None => Error::Io(e),
    }
}
