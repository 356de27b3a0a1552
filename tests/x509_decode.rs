//! Certificate decoding against CPython's recorded dicts (`decode.json`), against live
//! python3 on certificates outside the conformance folder, and on bad input.
#![cfg(feature = "serde")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use sslcontext::x509::{
    cert_time_to_seconds, decode_der, der_cert_to_pem_cert, pem_cert_to_der_cert,
    test_decode_cert, CertificateInfo,
};
use sslcontext::Error;

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(p)
}

/// The JSON shape of a decode result, as `decode.json` records it.
fn result_json(r: &Result<CertificateInfo, Error>) -> Value {
    match r {
        Ok(info) => json!({"ok": true, "value": serde_json::to_value(info).unwrap()}),
        Err(e) => json!({"ok": false, "error": {
            "type": e.python_class(),
            "str": e.to_string(),
            "errno": e.errno(),
        }}),
    }
}

/// The comparable part of a recorded result.
fn recorded_json(v: &Value) -> Value {
    if v["ok"] == json!(true) {
        json!({"ok": true, "value": v["value"]})
    } else {
        let e = &v["error"];
        let s = e
            .get("str_sans_location")
            .unwrap_or(&e["str"])
            .as_str()
            .unwrap()
            .to_string();
        json!({"ok": false, "error": {"type": e["type"], "str": s, "errno": e["errno"]}})
    }
}

fn divergences() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(data("x509/divergences.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn decode_json_conformance() {
    let text = std::fs::read_to_string(data("conformance/decode.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let listed = divergences();
    let mut matched = 0;
    let mut failures = Vec::new();
    let mut seen = 0;
    for section in ["certs", "extra"] {
        for (id, rec) in doc[section].as_object().unwrap() {
            seen += 1;
            let got = result_json(&test_decode_cert(&data("conformance").join(id)));
            let want = recorded_json(rec);
            let equal = got == want;
            match (equal, listed.contains_key(id)) {
                (true, false) => matched += 1,
                (true, true) => failures.push(format!("{id}: listed divergence now matches")),
                (false, true) => {}
                (false, false) => failures.push(format!("{id}:\n  got  {got}\n  want {want}")),
            }
        }
    }
    eprintln!("decode.json: {matched}/{seen} match, {} listed", listed.len());
    assert!(seen >= 130, "decode.json has {seen} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
