//! Every case of `verify.json` replayed through in-memory `SslObject` pairs, configured
//! as the case's `server` / `client` specs say (in the order the file's `notes` give),
//! pumped like CPython's recording loop, then the ping/pong exchange. Each side's
//! handshake result, version, cipher, ALPN, session_reused, peer certificate (dict and
//! DER hash), server_hostname, every exchange step and the outcome are compared with
//! the recording. Cases we cannot match are listed with their reason in
//! `tests/data/conn/verify_divergences.json`; a listed case that starts matching fails
//! the test too.
#![cfg(feature = "serde")]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{json, Value};
use sslcontext::VerifyFlags;
use sslcontext::{Error, Protocol, SslContext};
use sslcontext::{MemoryBio, PeerCertificate, SslObject, WrapOptions};
use sslcontext::{TlsVersion, VerifyMode};

fn conf_path(rel: &str) -> PathBuf {
    common::conformance_dir().join(rel)
}

/// A Python exception record in the comparable subset of its fields.
fn error_json(e: &Error) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("type".into(), json!(e.python_class()));
    m.insert("str".into(), json!(e.to_string()));
    if e.python_class().starts_with("ssl.") {
        m.insert("errno".into(), json!(e.errno()));
        m.insert("library".into(), json!(e.library()));
        m.insert("reason".into(), json!(e.reason()));
    }
    if let Some(code) = e.verify_code() {
        m.insert("verify_code".into(), json!(code));
        m.insert("verify_message".into(), json!(e.verify_message()));
    }
    Value::Object(m)
}

/// The same subset taken from a recorded exception record.
fn record_json(r: &Value) -> Value {
    let mut m = serde_json::Map::new();
    let ty = r["type"].as_str().unwrap_or_default();
    m.insert("type".into(), json!(ty));
    let s = r.get("str_sans_location").unwrap_or(&r["str"]).clone();
    m.insert("str".into(), s);
    if ty.starts_with("ssl.") {
        m.insert(
            "errno".into(),
            r.get("errno").cloned().unwrap_or(Value::Null),
        );
        m.insert(
            "library".into(),
            r.get("library").cloned().unwrap_or(Value::Null),
        );
        m.insert(
            "reason".into(),
            r.get("reason").cloned().unwrap_or(Value::Null),
        );
    }
    if let Some(code) = r.get("verify_code") {
        m.insert("verify_code".into(), code.clone());
        m.insert(
            "verify_message".into(),
            r.get("verify_message").cloned().unwrap_or(Value::Null),
        );
    }
    Value::Object(m)
}

fn version(name: &str) -> TlsVersion {
    TlsVersion::from_name(name).unwrap_or_else(|| panic!("version {name}"))
}

/// Applies a spec to a fresh context, in the order of the file's notes.
fn build(spec: &Value, server: bool) -> Result<SslContext, Error> {
    let ctx = SslContext::new(if server {
        Protocol::TlsServer
    } else {
        Protocol::TlsClient
    })?;
    if let Some(c) = spec["ciphers"].as_str() {
        ctx.set_ciphers(c)?;
    }
    if let Some(c) = spec["ecdh_curve"].as_str() {
        ctx.set_ecdh_curve(c)?;
    }
    if let Some(v) = spec["min_version"].as_str() {
        ctx.set_minimum_version(version(v))?;
    }
    if let Some(v) = spec["max_version"].as_str() {
        ctx.set_maximum_version(version(v))?;
    }
    if let Some(list) = spec["alpn"].as_array() {
        let names: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
        ctx.set_alpn_protocols(&names)?;
    }
    let load_chain = |ctx: &SslContext| -> Result<(), Error> {
        if let Some(cert) = spec["certfile"].as_str() {
            let key = spec["keyfile"].as_str().map(conf_path);
            ctx.load_cert_chain(conf_path(cert), key.as_deref(), None)?;
        }
        Ok(())
    };
    if server {
        load_chain(&ctx)?;
    }
    if let Some(b) = spec["check_hostname"].as_bool() {
        ctx.set_check_hostname(b)?;
    }
    if let Some(m) = spec["verify_mode"].as_str() {
        ctx.set_verify_mode(VerifyMode::from_name(m).expect("verify mode"))?;
    }
    if let Some(b) = spec["hostname_checks_common_name"].as_bool() {
        ctx.set_hostname_checks_common_name(b)?;
    }
    for f in spec["cafiles"].as_array().into_iter().flatten() {
        let p = conf_path(f.as_str().unwrap_or_default());
        ctx.load_verify_locations(Some(&p), None, None)?;
    }
    for f in spec["verify_flags_add"].as_array().into_iter().flatten() {
        let name = f.as_str().unwrap_or_default();
        let flag = VerifyFlags::from_name(name).unwrap_or_else(|| panic!("flag {name}"));
        ctx.set_verify_flags(ctx.verify_flags() | flag)?;
    }
    if !server {
        load_chain(&ctx)?;
    }
    Ok(ctx)
}

struct End {
    obj: SslObject,
    incoming: MemoryBio,
    outgoing: MemoryBio,
}

enum Hs {
    Ok,
    Incomplete,
    Failed(Error),
}

fn step(end: &mut End, state: &mut Option<Hs>) {
    if matches!(state, Some(Hs::Ok) | Some(Hs::Failed(_))) {
        return;
    }
    *state = Some(match end.obj.do_handshake() {
        Ok(()) => Hs::Ok,
        Err(Error::SslWantReadError(_)) => Hs::Incomplete,
        Err(e) => Hs::Failed(e),
    });
}

fn transfer(c: &End, s: &End) -> bool {
    let a = c.outgoing.read(None);
    let b = s.outgoing.read(None);
    s.incoming.write(&a).expect("server incoming");
    c.incoming.write(&b).expect("client incoming");
    !a.is_empty() || !b.is_empty()
}

fn side_json(end: &End, hs: &Hs, client: bool) -> Value {
    let mut m = serde_json::Map::new();
    match hs {
        Hs::Ok => {
            m.insert("handshake".into(), json!("ok"));
            m.insert("version".into(), json!(end.obj.version()));
            m.insert(
                "cipher".into(),
                match end.obj.cipher() {
                    Some((n, p, b)) => json!([n, p, b]),
                    None => Value::Null,
                },
            );
            m.insert("alpn".into(), json!(end.obj.selected_alpn_protocol()));
            m.insert("compression".into(), json!(end.obj.compression()));
            m.insert("session_reused".into(), json!(end.obj.session_reused()));
            let peercert = match end.obj.getpeercert() {
                Ok(Some(PeerCertificate::Decoded(info))) => {
                    serde_json::to_value(&*info).expect("serialize")
                }
                Ok(Some(PeerCertificate::NotVerified)) => json!({}),
                Ok(None) => Value::Null,
                Err(e) => json!({"getpeercert error": e.to_string()}),
            };
            m.insert("peercert".into(), peercert);
            let der = end.obj.getpeercert_der().ok().flatten();
            m.insert(
                "peercert_der_sha256".into(),
                match der {
                    Some(d) => json!(hex(ring::digest::digest(&ring::digest::SHA256, &d).as_ref())),
                    None => Value::Null,
                },
            );
            if client {
                m.insert("server_hostname".into(), json!(end.obj.server_hostname()));
            }
        }
        Hs::Incomplete => {
            m.insert("handshake".into(), json!("incomplete"));
        }
        Hs::Failed(e) => {
            m.insert("handshake".into(), error_json(e));
        }
    }
    Value::Object(m)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The recorded side, reduced to what `side_json` produces.
fn recorded_side(rec: &Value) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in rec.as_object().into_iter().flatten() {
        let v = if k == "handshake" && v.is_object() {
            record_json(v)
        } else {
            v.clone()
        };
        m.insert(k.clone(), v);
    }
    Value::Object(m)
}

fn step_json(r: Result<Value, Error>) -> Value {
    match r {
        Ok(v) => json!({"result": v}),
        Err(e) => json!({"error": error_json(&e)}),
    }
}

/// Runs one case; returns (actual, expected) in the same reduced shape.
fn run_case(case: &Value) -> (Value, Value) {
    let expected = expected_json(case);
    let mut actual = serde_json::Map::new();
    let server = build(&case["server"], true);
    let client = build(&case["client"], false);
    let (client, server) = match (client, server) {
        (Ok(c), Ok(s)) => (c, s),
        (c, s) => {
            if let Err(e) = &c {
                actual.insert("client_error".into(), error_json(e));
            }
            if let Err(e) = &s {
                actual.insert("server_error".into(), error_json(e));
            }
            actual.insert("outcome".into(), json!("setup_error"));
            return (Value::Object(actual), expected);
        }
    };
    let hostname = case["server_hostname"].as_str();
    let (ci, co, si, so) = (
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
    );
    let opts = match hostname {
        Some(h) => WrapOptions::client(h),
        None => WrapOptions::client_without_hostname(),
    };
    let cobj = match client.wrap_bio(&ci, &co, opts) {
        Ok(o) => o,
        Err(e) => {
            actual.insert("client".into(), json!({"wrap_error": error_json(&e)}));
            actual.insert("outcome".into(), json!("wrap_error"));
            return (Value::Object(actual), expected);
        }
    };
    let sobj = server
        .wrap_bio(&si, &so, WrapOptions::server())
        .expect("server wrap_bio");
    let mut c = End {
        obj: cobj,
        incoming: ci,
        outgoing: co,
    };
    let mut s = End {
        obj: sobj,
        incoming: si,
        outgoing: so,
    };
    let (mut cs, mut ss) = (None, None);
    for _ in 0..50 {
        step(&mut c, &mut cs);
        let m1 = transfer(&c, &s);
        step(&mut s, &mut ss);
        let m2 = transfer(&c, &s);
        // Both sides have stepped at least once: when nothing moved, nothing can.
        if !m1 && !m2 {
            break;
        }
    }
    let cs = cs.expect("client stepped");
    let ss = ss.expect("server stepped");
    actual.insert("client".into(), side_json(&c, &cs, true));
    actual.insert("server".into(), side_json(&s, &ss, false));
    let c_ok = matches!(cs, Hs::Ok);
    let s_ok = matches!(ss, Hs::Ok);
    let mut exchange_failed = false;
    if c_ok || s_ok {
        let mut steps = Vec::new();
        let skipped = json!({"skipped": "handshake not ok"});
        let mut record = |v: Value, failed: &mut bool| {
            if v.get("error").is_some() {
                *failed = true;
            }
            steps.push(v);
        };
        let v = if c_ok {
            step_json(c.obj.write(b"ping").map(|n| json!(n)))
        } else {
            skipped.clone()
        };
        record(v, &mut exchange_failed);
        transfer(&c, &s);
        let v = if s_ok {
            step_json(s.obj.read(1024).map(|b| json!({"__bytes_hex__": hex(&b)})))
        } else {
            skipped.clone()
        };
        record(v, &mut exchange_failed);
        let v = if s_ok {
            step_json(s.obj.write(b"pong").map(|n| json!(n)))
        } else {
            skipped.clone()
        };
        record(v, &mut exchange_failed);
        transfer(&c, &s);
        let v = if c_ok {
            step_json(c.obj.read(1024).map(|b| json!({"__bytes_hex__": hex(&b)})))
        } else {
            skipped.clone()
        };
        record(v, &mut exchange_failed);
        actual.insert("exchange".into(), Value::Array(steps));
    }
    let outcome = if !(c_ok && s_ok) {
        "handshake_error"
    } else if exchange_failed {
        "post_handshake_error"
    } else {
        "ok"
    };
    actual.insert("outcome".into(), json!(outcome));
    (Value::Object(actual), expected)
}

fn expected_json(case: &Value) -> Value {
    let mut m = serde_json::Map::new();
    let setup = &case["setup"];
    for k in ["client_error", "server_error"] {
        if let Some(e) = setup.get(k) {
            m.insert(k.into(), record_json(e));
        }
    }
    let result = &case["result"];
    if let Some(client) = result.get("client") {
        if let Some(w) = client.get("wrap_error") {
            m.insert("client".into(), json!({"wrap_error": record_json(w)}));
        } else {
            m.insert("client".into(), recorded_side(client));
        }
    }
    if let Some(server) = result.get("server") {
        m.insert("server".into(), recorded_side(server));
    }
    if let Some(ex) = result.get("exchange") {
        let steps: Vec<Value> = ex
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                if let Some(e) = s.get("error") {
                    json!({"error": record_json(e)})
                } else if s.get("skipped").is_some() {
                    json!({"skipped": "handshake not ok"})
                } else {
                    json!({"result": s["result"].clone()})
                }
            })
            .collect();
        m.insert("exchange".into(), Value::Array(steps));
    }
    m.insert("outcome".into(), case["outcome"].clone());
    Value::Object(m)
}

/// The first differing path between two JSON values, for the failure report.
fn first_diff(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                if let Some(d) = first_diff(&format!("{path}.{k}"), va, vb) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (va, vb))| first_diff(&format!("{path}[{i}]"), va, vb)),
        _ if a == b => None,
        _ => Some(format!("{path}: ours {a} / CPython {b}")),
    }
}

#[test]
fn verify_json_every_case() {
    let doc = common::conformance("verify.json");
    let cases = doc["cases"].as_array().expect("cases");
    let div_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/conn/verify_divergences.json");
    let divergences: BTreeMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(&div_path).expect("divergences file"))
            .expect("divergences JSON");
    for id in divergences.keys() {
        assert!(
            cases.iter().any(|c| c["id"] == id.as_str()),
            "divergence {id} names no case"
        );
    }
    let (mut matched, mut divergent) = (0, 0);
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let (actual, expected) = run_case(case);
        let diff = first_diff("", &actual, &expected);
        match (diff, divergences.get(id)) {
            (None, None) => matched += 1,
            (Some(_), Some(_)) => divergent += 1,
            (None, Some(reason)) => failures.push(format!(
                "{id}: listed as divergent ({reason}) but now matches; remove it"
            )),
            (Some(d), None) => {
                let ours: String = actual.to_string().chars().take(600).collect();
                failures.push(format!("{id}: {d}\n    ours: {ours}"));
            }
        }
    }
    eprintln!(
        "verify.json: {matched} matched / {divergent} divergent (listed) / {} total",
        cases.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(matched + divergent, cases.len());
}
