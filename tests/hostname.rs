//! Every case of `hostname.json` through `encode_hostname` + `check_host` and through the
//! chain verifier (root-ec as the only root), compared with CPython's recorded outcome.

use std::path::{Path, PathBuf};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};
use serde_json::Value;
use sslcontext::__private::check_host;
use sslcontext::__private::encode_hostname;
use sslcontext::__private::ChainVerifier;
use sslcontext::__private::Usage;
use sslcontext::__private::VerifyPolicy;
use sslcontext::constants::HOSTFLAG_NEVER_CHECK_SUBJECT;
use sslcontext::constants::HOSTFLAG_NO_PARTIAL_WILDCARDS;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn certs(path: &Path) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path)
        .map(|it| it.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

fn divergences(section: &str) -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(data().join("verify/divergences.json")).unwrap_or_default();
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    v.get(section)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// The outcome as (match, error type, error message / verify_message, code).
fn outcome(case: &Value, leaf: &[u8], core: &ChainVerifier) -> (Value, String) {
    let host = case["hostname"].as_str().unwrap_or_default();
    let hcn = case["hostname_checks_common_name"]
        .as_bool()
        .unwrap_or(true);
    let flags = HOSTFLAG_NO_PARTIAL_WILDCARDS | if hcn { 0 } else { HOSTFLAG_NEVER_CHECK_SUBJECT };
    let spec = match encode_hostname(host) {
        Ok(s) => s,
        Err(e) => return (Value::Null, format!("{}: {}", e.python_class(), e)),
    };
    let direct = check_host(leaf, &spec, flags);
    let policy = VerifyPolicy {
        host_flags: flags,
        roots: certs(&data().join("conformance/certs/pki/root-ec.pem")),
        ..VerifyPolicy::default()
    };
    let _ = core;
    let core = ChainVerifier::with_ring(policy);
    let der = CertificateDer::from(leaf.to_vec());
    let via = core.verify(&der, &[], Some(&spec), UnixTime::now(), Usage::ServerAuth);
    match (direct, via) {
        (Ok(()), Ok(_)) => (Value::Bool(true), format!("hostname={}", spec.hostname)),
        (Err(code), Err(f)) if code == f.code => {
            (Value::Bool(false), format!("{}: {}", f.code, f.message))
        }
        (d, v) => (
            Value::String("inconsistent".into()),
            format!("check_host={d:?} verifier={v:?}"),
        ),
    }
}

fn expected(case: &Value) -> (Value, String) {
    let m = case["match"].clone();
    let e = &case["error"];
    let text = match &m {
        Value::Bool(true) => format!(
            "hostname={}",
            case["sslobject_server_hostname"]
                .as_str()
                .unwrap_or_default()
        ),
        Value::Bool(false) => format!(
            "{}: {}",
            e["verify_code"].as_i64().unwrap_or(-1),
            e["verify_message"].as_str().unwrap_or_default()
        ),
        _ => format!(
            "{}: {}",
            e["type"].as_str().unwrap_or_default(),
            e["str"].as_str().unwrap_or_default()
        ),
    };
    (m, text)
}

#[test]
fn hostname_json() {
    let text = std::fs::read_to_string(data().join("conformance/hostname.json"))
        .unwrap_or_else(|e| panic!("hostname.json: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("json: {e}"));
    let div = divergences("hostname");
    let dummy = ChainVerifier::with_ring(VerifyPolicy::default());
    let cases = doc["cases"].as_array().cloned().unwrap_or_default();
    assert!(cases.len() >= 70, "too few cases: {}", cases.len());
    let (mut pass, mut listed) = (0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let cert_id = case["cert"].as_str().unwrap_or_default();
        let file = doc["certs"][cert_id]["file"].as_str().unwrap_or_default();
        let leaf = certs(&data().join("conformance").join(file));
        let leaf = leaf.first().unwrap_or_else(|| panic!("no cert in {file}"));
        let key = format!(
            "{}|{}|{}",
            cert_id,
            case["hostname"].as_str().unwrap_or_default(),
            case["hostname_checks_common_name"]
        );
        let got = outcome(case, leaf.as_ref(), &dummy);
        let want = expected(case);
        let same = got == want;
        match (same, div.contains_key(&key)) {
            (true, false) => pass += 1,
            (false, true) => listed += 1,
            (true, true) => failures.push(format!("{key}: listed as divergence but passes")),
            (false, false) => failures.push(format!("{key}: got {got:?}, want {want:?}")),
        }
    }
    println!("hostname.json: {pass} match, {listed} listed divergences");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Names not in the conformance files, encoded by the live `python3` (`str.encode('idna')`)
/// and by `encode_hostname`. Skipped without python3 unless `SSLCONTEXT_REQUIRE_PEERS`.
#[test]
fn idna_against_live_python() {
    let names = [
        "Straße.de",
        "www.Café.EXAMPLE",
        "ΣΊΣΥΦΟΣ.gr",
        "ς.example",
        "a\u{200d}b\u{00e9}.example",
        "例え.テスト",
        "xn--nxasmq6b.example",
        "EXAMPLE.com.",
        "é.",
        "é..x",
        "faß.de",
        "ＡＢＣ.example",
        "a\u{3002}b\u{00e9}",
        "foo_bar.com",
        "a b",
    ];
    let script = "import sys,json\nfor n in json.load(sys.stdin):\n    try:\n        print(json.dumps(['ok', n.encode('idna').decode('ascii')]))\n    except Exception as e:\n        print(json.dumps([type(e).__name__, str(e)]))\n";
    let child = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var_os("SSLCONTEXT_REQUIRE_PEERS").is_none(),
                "python3 required: {e}"
            );
            eprintln!("python3 missing: skipped");
            return;
        }
    };
    let input = serde_json::to_string(&names).unwrap_or_default();
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("write: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("python3: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), names.len(), "python3 output: {text}");
    let mut failures = Vec::new();
    for (name, line) in names.iter().zip(lines) {
        let want: Value = serde_json::from_str(line).unwrap_or(Value::Null);
        let got = match sslcontext::__private::idna_encode(name) {
            Ok(s) => serde_json::json!(["ok", s]),
            Err(e) => serde_json::json!([e.python_class(), e.to_string()]),
        };
        if got != want {
            failures.push(format!("{name:?}: got {got}, python3 {want}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
