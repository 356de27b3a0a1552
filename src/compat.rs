//! The run-time compatibility table (DESIGN.md §4): every place where this crate
//! differs from CPython 3.11 + OpenSSL 3.0, with its status and the test that checks it.
//! `docs/COMPATIBILITY-options.md` renders the same rows (checked by
//! `tests/compat_table.rs`).

use crate::options::translate::{Status, OPTIONS, VERIFY_FLAGS};
use std::sync::OnceLock;

/// One row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    /// The Python feature (`OP_NO_TICKET`, `set_ciphers`, ...).
    pub name: String,
    /// What CPython + OpenSSL 3.0 do.
    pub cpython: String,
    /// What this crate does.
    pub ours: String,
    /// Honoured / Emulated / Ignored / Refused.
    pub status: Status,
    /// Why.
    pub reason: String,
    /// The test that checks it.
    pub test: String,
}

fn f(name: &str, cpython: &str, ours: &str, status: Status, reason: &str, test: &str) -> Feature {
    Feature {
        name: name.into(),
        cpython: cpython.into(),
        ours: ours.into(),
        status,
        reason: reason.into(),
        test: test.into(),
    }
}

/// The status word used in the table.
pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Honoured => "Honoured",
        Status::Emulated => "Emulated",
        Status::Ignored => "Ignored",
        Status::Refused => "Refused",
    }
}

/// Every row.
pub fn features() -> &'static [Feature] {
    static ROWS: OnceLock<Vec<Feature>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let mut rows = Vec::new();
        for r in OPTIONS {
            rows.push(f(
                r.name,
                "OpenSSL option bit",
                r.effect,
                r.status,
                "rustls knob or meaningless under rustls",
                "options::translate::tests",
            ));
        }
        for r in VERIFY_FLAGS {
            rows.push(f(
                r.name,
                "X509_V_FLAG bit",
                r.effect,
                r.status,
                "webpki verification",
                "options::translate::tests",
            ));
        }
        rows.push(f(
            "set_ciphers",
            "OpenSSL cipher string over 155 TLS<=1.2 suites",
            "same grammar, list and errors; only the 6 ECDHE AEAD suites rustls has are negotiated",
            Status::Emulated,
            "ring implements 9 suites only",
            "tests/ciphers.rs",
        ));
        rows.push(f(
            "get_ciphers",
            "every selected suite",
            "the selected suites rustls can negotiate, same dicts and order",
            Status::Emulated,
            "suites rustls lacks cannot be offered",
            "tests/ciphers.rs",
        ));
        rows.push(f(
            "@SECLEVEL",
            "security level filters suites at handshake",
            "same level; rustls suite list filtered by strength bits",
            Status::Emulated,
            "rustls has no security levels",
            "tests/ciphers.rs",
        ));
        rows.push(f(
            "set_ecdh_curve",
            "any OpenSSL TLS group",
            "X25519, prime256v1, secp384r1; others SSLError(0)",
            Status::Refused,
            "ring has no P-521, X448, FFDHE or brainpool",
            "tests/ciphers.rs",
        ));
        rows.push(f(
            "load_dh_params",
            "DH parameters for DHE suites",
            "parsed and checked, then unused",
            Status::Ignored,
            "rustls has no DHE suites",
            "tests/ciphers.rs",
        ));
        rows
    })
}

/// The Markdown table of [`features`] (what `docs/COMPATIBILITY-options.md` holds).
pub fn markdown() -> String {
    let mut s = String::from("| feature | CPython + OpenSSL 3.0 | sslcontext | status | reason | test |\n| --- | --- | --- | --- | --- | --- |\n");
    for r in features() {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | `{}` |\n",
            r.name,
            r.cpython,
            r.ours.replace('|', "\\|"),
            status_name(r.status),
            r.reason,
            r.test
        ));
    }
    s
}
