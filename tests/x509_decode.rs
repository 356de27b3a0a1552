//! Certificate decoding against CPython's recorded dicts (`decode.json`), against live
//! python3 on certificates outside the conformance folder, and on bad input.
#![cfg(feature = "serde")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use sslcontext::x509::{
    cert_time_to_seconds, decode_der, der_cert_to_pem_cert, pem_cert_to_der_cert, test_decode_cert,
    CertificateInfo,
};
use sslcontext::Error;

use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, KeyPair, SanType};

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(p)
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
    eprintln!(
        "decode.json: {matched}/{seen} match, {} listed",
        listed.len()
    );
    assert!(seen >= 130, "decode.json has {seen} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const PY_DECODE: &str = r#"
import ssl, json, sys, re, os, subprocess
# A failed decode can leave errors in OpenSSL's queue that a later failure reports, so
# a failure is re-recorded in a fresh process holding that one file.
def conv(o):
    if isinstance(o, (tuple, list)):
        return [conv(x) for x in o]
    if isinstance(o, dict):
        return {k: conv(v) for k, v in o.items()}
    if isinstance(o, bytes):
        return {"__bytes_hex__": o.hex()}
    return o
out = {}
for p in sys.argv[1:]:
    try:
        out[p] = {"ok": True, "value": conv(ssl._ssl._test_decode_cert(p))}
    except Exception as e:
        if len(sys.argv) > 2:
            r = subprocess.run([sys.executable, "-c", os.environ["PY_DECODE_PROG"], p],
                               capture_output=True, text=True, check=True)
            out[p] = json.loads(r.stdout)[p]
            continue
        out[p] = {"ok": False, "error": {"type": ("ssl." if type(e).__module__ == "ssl" else "") + type(e).__name__,
                  "str": re.sub(r" \(_ssl\.c:\d+\)$", "", str(e)), "errno": getattr(e, "errno", None)}}
print(json.dumps(out))
"#;

/// Runs python3 on the files; `None` when python3 is missing and peers are optional.
fn python_decode(paths: &[PathBuf]) -> Option<BTreeMap<String, Value>> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(PY_DECODE)
        .env("PY_DECODE_PROG", PY_DECODE)
        .args(paths)
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        other => {
            if std::env::var_os("SSLCONTEXT_REQUIRE_PEERS").is_some() {
                panic!("python3 required but unusable: {other:?}");
            }
            eprintln!("python3 unavailable, skipping live comparison: {other:?}");
            return None;
        }
    };
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// Ours vs live CPython; CPython's `UnicodeDecodeError` is our `UnicodeError` class.
fn compare_with_python(paths: &[PathBuf]) -> usize {
    let Some(py) = python_decode(paths) else {
        return 0;
    };
    let mut failures = Vec::new();
    for p in paths {
        let mut want = py[p.to_str().unwrap()].clone();
        if want["error"]["type"] == json!("UnicodeDecodeError") {
            want["error"]["type"] = json!("UnicodeError");
        }
        let got = result_json(&test_decode_cert(p));
        if got != want {
            failures.push(format!("{}:\n  got  {got}\n  want {want}", p.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    paths.len()
}

#[test]
fn hand_made_probes_match_live_python() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(data("x509/probe"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 70);
    let n = compare_with_python(&paths);
    eprintln!("probes: {n} compared with live python3");
}

#[test]
fn system_trust_store_matches_live_python() {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir("/etc/ssl/certs") {
        Ok(d) => d
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pem"))
            .collect(),
        Err(_) => Vec::new(),
    };
    paths.sort();
    paths.dedup_by_key(|p| std::fs::canonicalize(p).ok());
    let n = compare_with_python(&paths);
    eprintln!("system store: {n} certificates compared with live python3");
}

fn rcgen_cert(f: impl FnOnce(&mut CertificateParams)) -> Vec<u8> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    f(&mut params);
    let key = KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().der().to_vec()
}

#[test]
fn rcgen_odd_certificates_match_live_python() {
    let dir = tempfile::tempdir().unwrap();
    let ders = [
        rcgen_cert(|p| {
            p.subject_alt_names = vec![
                SanType::DnsName("*.example.com".try_into().unwrap()),
                SanType::IpAddress("2001:db8::1:0:0:1".parse().unwrap()),
                SanType::IpAddress("10.0.0.1".parse().unwrap()),
                SanType::Rfc822Name("a@b.example".try_into().unwrap()),
                SanType::URI("urn:x:y".try_into().unwrap()),
                SanType::OtherName((
                    vec![1, 3, 6, 1, 4, 1, 311, 20, 2, 3],
                    rcgen::OtherNameValue::Utf8String("upn@example.com".into()),
                )),
                SanType::OtherName((
                    vec![1, 2, 3, 4],
                    rcgen::OtherNameValue::Utf8String("odd".into()),
                )),
            ];
        }),
        rcgen_cert(|p| {
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CountryName, "DE");
            dn.push(
                DnType::OrganizationName,
                DnValue::BmpString("Bmp Örg".try_into().unwrap()),
            );
            dn.push(
                DnType::OrganizationalUnitName,
                DnValue::UniversalString("Univ 😀".try_into().unwrap()),
            );
            dn.push(
                DnType::CustomDnType(vec![2, 5, 4, 12]),
                DnValue::TeletexString("T61 title".try_into().unwrap()),
            );
            dn.push(DnType::CustomDnType(vec![1, 2, 3, 4, 5, 6]), "unknown oid");
            dn.push(DnType::CommonName, "with\0nul");
            p.distinguished_name = dn;
            p.serial_number = Some(vec![0x00, 0xff, 0x01].into());
        }),
        rcgen_cert(|p| {
            p.subject_alt_names = vec![];
            p.not_before = rcgen::date_time_ymd(1950, 1, 1);
            p.not_after = rcgen::date_time_ymd(2050, 2, 28);
        }),
    ];
    let mut paths = Vec::new();
    for (i, der) in ders.iter().enumerate() {
        let p = dir.path().join(format!("rcgen-{i}.pem"));
        std::fs::write(&p, der_cert_to_pem_cert(der)).unwrap();
        paths.push(p);
    }
    compare_with_python(&paths);
}
