//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The conformance folder copied from CPython 3.11 + OpenSSL 3.0 recordings.
pub fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance")
}

/// Reads a conformance JSON file.
pub fn conformance(name: &str) -> serde_json::Value {
    let path = conformance_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).expect("conformance JSON")
}

/// Whether tests must fail (not skip) when a peer program is missing.
pub fn peers_required() -> bool {
    std::env::var_os("SSLCONTEXT_REQUIRE_PEERS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Whether `program` can be run; panics when it is missing and peers are required.
pub fn have_peer(program: &str) -> bool {
    let found = std::process::Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
        || std::process::Command::new(program)
            .arg("version")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok();
    peer_present(found, program)
}

/// `found`; when a peer (`what`) is missing: panics if peers are required, otherwise
/// says that the test skips.
pub fn peer_present(found: bool, what: &str) -> bool {
    if !found && peers_required() {
        panic!("{what} is required (SSLCONTEXT_REQUIRE_PEERS is set) but missing");
    }
    if !found {
        eprintln!("skipping: {what} not found (set SSLCONTEXT_REQUIRE_PEERS to fail instead)");
    }
    found
}

/// Compares an error with a conformance exception record: class and `str()` without
/// the `(_ssl.c:N)` suffix, plus errno/library/reason where the record has them.
pub fn assert_error_matches(id: &str, err: &sslcontext::Error, record: &serde_json::Value) {
    let want_type = record["type"].as_str().unwrap_or_default();
    assert_eq!(err.python_class(), want_type, "{id}: class ({err})");
    let want_str = record
        .get("str_sans_location")
        .or_else(|| record.get("str"))
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    assert_eq!(err.to_string(), want_str, "{id}: message");
    if want_type.starts_with("ssl.") {
        if let Some(errno) = record.get("errno") {
            assert_eq!(err.errno(), errno.as_i64(), "{id}: errno");
        }
        if let Some(lib) = record.get("library") {
            assert_eq!(err.library(), lib.as_str(), "{id}: library");
        }
        if let Some(reason) = record.get("reason") {
            assert_eq!(err.reason(), reason.as_str(), "{id}: reason");
        }
    }
    if let Some(code) = record.get("verify_code") {
        assert_eq!(err.verify_code(), code.as_i64(), "{id}: verify_code");
    }
}

/// A path under the conformance `certs/` folder.
pub fn cert_path(rel: &str) -> PathBuf {
    conformance_dir().join("certs").join(rel)
}

/// A server context with `leaf` (e.g. `leaf-ec`) and its chain loaded.
pub fn server_ctx(leaf: &str) -> sslcontext::SslContext {
    let ctx = sslcontext::SslContext::new(sslcontext::Protocol::TlsServer).unwrap();
    ctx.load_cert_chain(
        cert_path(&format!("chains/{leaf}.chain.pem")),
        Some(&cert_path(&format!("pki/{leaf}.key"))),
        None,
    )
    .unwrap();
    ctx
}

/// A client context trusting the given roots (e.g. `root-ec`).
pub fn client_ctx(roots: &[&str]) -> sslcontext::SslContext {
    let ctx = sslcontext::SslContext::new(sslcontext::Protocol::TlsClient).unwrap();
    for r in roots {
        ctx.load_verify_locations(Some(&cert_path(&format!("pki/{r}.pem"))), None, None)
            .unwrap();
    }
    ctx
}

/// One side of an in-memory connection: the object and its two buffers.
pub struct Side {
    pub obj: sslcontext::SslObject,
    pub incoming: sslcontext::MemoryBio,
    pub outgoing: sslcontext::MemoryBio,
}

/// Wraps a client and a server object over fresh memory buffers.
pub fn pair(
    client: &sslcontext::SslContext,
    server: &sslcontext::SslContext,
    hostname: Option<&str>,
) -> (Side, Side) {
    use sslcontext::{MemoryBio, WrapOptions};
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
    let c = client.wrap_bio(&ci, &co, opts).unwrap();
    let s = server.wrap_bio(&si, &so, WrapOptions::server()).unwrap();
    (
        Side {
            obj: c,
            incoming: ci,
            outgoing: co,
        },
        Side {
            obj: s,
            incoming: si,
            outgoing: so,
        },
    )
}

/// Moves bytes both ways.
pub fn transfer(c: &Side, s: &Side) -> bool {
    let a = c.outgoing.read(None);
    let b = s.outgoing.read(None);
    let moved = !a.is_empty() || !b.is_empty();
    s.incoming.write(&a).unwrap();
    c.incoming.write(&b).unwrap();
    moved
}

/// Runs both handshakes to the end, as CPython's recording loop did: client step,
/// transfer, server step, transfer, until both finished/failed and nothing moves.
pub fn handshake(c: &mut Side, s: &mut Side) -> (sslcontext::Result<()>, sslcontext::Result<()>) {
    let mut cr: Option<sslcontext::Result<()>> = None;
    let mut sr: Option<sslcontext::Result<()>> = None;
    for _ in 0..100 {
        if cr
            .as_ref()
            .is_none_or(|r| matches!(r, Err(sslcontext::Error::SslWantReadError(_))))
        {
            cr = Some(c.obj.do_handshake());
        }
        let m1 = transfer(c, s);
        if sr
            .as_ref()
            .is_none_or(|r| matches!(r, Err(sslcontext::Error::SslWantReadError(_))))
        {
            sr = Some(s.obj.do_handshake());
        }
        let m2 = transfer(c, s);
        // Nothing moved in a whole round: both sides are done, failed or stuck.
        if !m1 && !m2 {
            break;
        }
    }
    (cr.unwrap(), sr.unwrap())
}

/// An errors.json case written in Rust: its value (as CPython's JSON) or its error.
pub type ErrorCase = fn() -> sslcontext::Result<serde_json::Value>;

/// Runs each case and compares it with CPython's recorded result; returns the count.
pub fn run_error_cases(cases: Vec<(&'static str, ErrorCase)>) -> usize {
    let doc = conformance("errors.json");
    let recorded = doc["cases"].as_array().expect("cases");
    let mut run = 0;
    for (id, case) in cases {
        let record = recorded
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("{id} not in errors.json"));
        let result = &record["result"];
        match case() {
            Ok(value) => {
                assert_eq!(
                    result["ok"], true,
                    "{id}: CPython raised, we returned {value}"
                );
                let want = result
                    .get("value")
                    .cloned()
                    .unwrap_or(serde_json::Value::Null);
                assert_eq!(value, want, "{id}: value");
            }
            Err(err) => {
                assert_eq!(
                    result["ok"], false,
                    "{id}: CPython succeeded, we raised {err}"
                );
                assert_error_matches(id, &err, &result["error"]);
            }
        }
        run += 1;
    }
    run
}
