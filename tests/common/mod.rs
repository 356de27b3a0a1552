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
    if !found && peers_required() {
        panic!("{program} is required (SSLCONTEXT_REQUIRE_PEERS is set) but missing");
    }
    if !found {
        eprintln!("skipping: {program} not found (set SSLCONTEXT_REQUIRE_PEERS to fail instead)");
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
