//! The cases of `verify.json` whose outcome is decided by certificate verification,
//! replayed offline: the client's verification of the server chain (as the server sends
//! it) and, where the server verifies a client certificate, the server's verification of
//! the client chain. Cases decided by something else (versions, groups, ciphers, ALPN)
//! belong to the connection layer and are listed as not run.

use std::path::{Path, PathBuf};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, UnixTime};
use serde_json::Value;
use sslcontext::__private::encode_hostname;
use sslcontext::__private::ChainVerifier;
use sslcontext::__private::Usage;
use sslcontext::__private::VerifyPolicy;
use sslcontext::constants::HOSTFLAG_NEVER_CHECK_SUBJECT;
use sslcontext::constants::HOSTFLAG_NO_PARTIAL_WILDCARDS;
use sslcontext::VerifyFlags;
use sslcontext::VerifyMode;

fn conf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance")
}

fn certs(path: &Path) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path)
        .map(|it| it.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

fn crls(path: &Path) -> Vec<CertificateRevocationListDer<'static>> {
    CertificateRevocationListDer::pem_file_iter(path)
        .map(|it| it.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

fn flag(name: &str) -> VerifyFlags {
    match name {
        "VERIFY_CRL_CHECK_LEAF" => VerifyFlags::VERIFY_CRL_CHECK_LEAF,
        "VERIFY_CRL_CHECK_CHAIN" => VerifyFlags::VERIFY_CRL_CHECK_CHAIN,
        "VERIFY_X509_STRICT" => VerifyFlags::VERIFY_X509_STRICT,
        "VERIFY_ALLOW_PROXY_CERTS" => VerifyFlags::VERIFY_ALLOW_PROXY_CERTS,
        "VERIFY_X509_TRUSTED_FIRST" => VerifyFlags::VERIFY_X509_TRUSTED_FIRST,
        "VERIFY_X509_PARTIAL_CHAIN" => VerifyFlags::VERIFY_X509_PARTIAL_CHAIN,
        other => panic!("unknown flag {other}"),
    }
}

fn security_level(spec: &Value) -> u8 {
    spec["ciphers"]
        .as_str()
        .and_then(|c| c.split("@SECLEVEL=").nth(1))
        .and_then(|s| s.chars().next())
        .and_then(|c| c.to_digit(10))
        .and_then(|d| u8::try_from(d).ok())
        .unwrap_or(2)
}

/// The policy a side's spec produces (`default_mode` is that side's default).
fn policy(spec: &Value, default_mode: VerifyMode, client: bool) -> VerifyPolicy {
    let mode = spec["verify_mode"]
        .as_str()
        .and_then(VerifyMode::from_name)
        .unwrap_or(default_mode);
    let hcn = spec["hostname_checks_common_name"]
        .as_bool()
        .unwrap_or(true);
    let mut flags = VerifyFlags::VERIFY_X509_TRUSTED_FIRST;
    for f in spec["verify_flags_add"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        flags |= flag(f.as_str().unwrap_or_default());
    }
    let mut roots = Vec::new();
    let mut crl_list = Vec::new();
    for f in spec["cafiles"].as_array().cloned().unwrap_or_default() {
        let p = conf().join(f.as_str().unwrap_or_default());
        roots.extend(certs(&p));
        crl_list.extend(crls(&p));
    }
    VerifyPolicy {
        verify_mode: mode,
        check_hostname: client && spec["check_hostname"].as_bool().unwrap_or(true),
        host_flags: HOSTFLAG_NO_PARTIAL_WILDCARDS
            | if hcn { 0 } else { HOSTFLAG_NEVER_CHECK_SUBJECT },
        verify_flags: flags,
        security_level: security_level(spec),
        roots,
        crls: crl_list,
        capath_lookup: None,
    }
}

/// `Some("OK")`, `Some("<code>: <message>")`, or `None` when verification did not decide.
fn expected(handshake: &Value) -> Option<String> {
    if handshake.as_str() == Some("ok") {
        return Some("OK".into());
    }
    let code = handshake["verify_code"].as_i64()?;
    Some(format!(
        "{code}: {}",
        handshake["verify_message"].as_str().unwrap_or_default()
    ))
}

fn divergences() -> serde_json::Map<String, Value> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/verify/divergences.json");
    let text = std::fs::read_to_string(p).unwrap_or_default();
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    v.get("verify")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

#[test]
fn verify_json_offline() {
    let text = std::fs::read_to_string(conf().join("verify.json"))
        .unwrap_or_else(|e| panic!("verify.json: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("json: {e}"));
    let div = divergences();
    let cases = doc["cases"].as_array().cloned().unwrap_or_default();
    assert!(cases.len() >= 60);
    let now = UnixTime::now();
    let (mut pass, mut listed) = (0, 0);
    let mut not_run = Vec::new();
    let mut failures = Vec::new();
    let mut judge =
        |key: String, got: String, want: String| match (got == want, div.contains_key(&key)) {
            (true, false) => pass += 1,
            (false, true) => listed += 1,
            (true, true) => failures.push(format!("{key}: listed as divergence but passes")),
            (false, false) => failures.push(format!("{key}: got {got:?}, want {want:?}")),
        };
    for case in &cases {
        let id = case["id"].as_str().unwrap_or_default().to_string();
        let (server, client) = (&case["server"], &case["client"]);
        let mut ran = false;
        // Client side: the server's chain.
        if let Some(want) = expected(&case["result"]["client"]["handshake"]) {
            ran = true;
            let p = policy(client, VerifyMode::CertRequired, true);
            let chain = certs(&conf().join(server["certfile"].as_str().unwrap_or_default()));
            let name = case["server_hostname"]
                .as_str()
                .map(|h| encode_hostname(h).unwrap_or_else(|e| panic!("{id}: {e}")));
            let check = p.check_hostname;
            let core = ChainVerifier::with_ring(p);
            let got = match chain.split_first() {
                Some((leaf, rest)) => match core.verify(
                    leaf,
                    rest,
                    if check { name.as_ref() } else { None },
                    now,
                    Usage::ServerAuth,
                ) {
                    Ok(_) => "OK".to_string(),
                    Err(f) => format!("{}: {}", f.code, f.message),
                },
                None => "no chain".to_string(),
            };
            judge(format!("{id}/client"), got, want);
        }
        // Server side: the client's chain, when one is sent and requested.
        let server_mode = server["verify_mode"]
            .as_str()
            .and_then(VerifyMode::from_name)
            .unwrap_or(VerifyMode::CertNone);
        if let (Some(certfile), true) = (
            client["certfile"].as_str(),
            server_mode != VerifyMode::CertNone,
        ) {
            if let Some(want) = expected(&case["result"]["server"]["handshake"]) {
                ran = true;
                let p = policy(server, VerifyMode::CertNone, false);
                let chain = certs(&conf().join(certfile));
                let core = ChainVerifier::with_ring(p);
                let got = match chain.split_first() {
                    Some((leaf, rest)) => {
                        match core.verify(leaf, rest, None, now, Usage::ClientAuth) {
                            Ok(_) => "OK".to_string(),
                            Err(f) => format!("{}: {}", f.code, f.message),
                        }
                    }
                    None => "no chain".to_string(),
                };
                judge(format!("{id}/server"), got, want);
            }
        }
        if !ran {
            not_run.push(id);
        }
    }
    println!("verify.json offline: {pass} match, {listed} listed divergences");
    println!(
        "not run (decided by the connection layer): {}",
        not_run.join(", ")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(pass > 40);
}

/// One verifier, used again and again as a context's is: it keeps the certificates it
/// parsed, never a verdict. The same chain passes, then fails once its time is past or
/// under another name, and other chains are decided on their own.
#[test]
fn a_reused_verifier_decides_every_chain_afresh() {
    let pki = conf().join("certs");
    let policy = VerifyPolicy {
        roots: certs(&pki.join("pki/root-ec.pem")),
        ..VerifyPolicy::default()
    };
    let core = ChainVerifier::with_ring(policy);
    let chain = certs(&pki.join("chains/leaf-ec.chain.pem"));
    let expired = certs(&pki.join("chains/leaf-expired.chain.pem"));
    let (leaf, rest) = chain.split_first().unwrap();
    let localhost = encode_hostname("localhost").unwrap();
    let other = encode_hostname("other.test").unwrap();
    let now = UnixTime::now();
    // notAfter 2049-12-31T23:59:59Z, one second later.
    let past = UnixTime::since_unix_epoch(std::time::Duration::from_secs(2_524_608_000));
    let code =
        |leaf: &CertificateDer<'_>, rest: &[CertificateDer<'_>], name: &_, when: UnixTime| -> i64 {
            match core.verify(leaf, rest, Some(name), when, Usage::ServerAuth) {
                Ok(verified) => {
                    assert_eq!(verified.len(), 3, "leaf, intermediate, root");
                    0
                }
                Err(f) => f.code,
            }
        };
    for round in 0..3 {
        assert_eq!(code(leaf, rest, &localhost, now), 0, "round {round}");
        assert_eq!(
            code(leaf, rest, &localhost, past),
            10,
            "round {round}: expired"
        );
        assert_eq!(code(leaf, rest, &other, now), 62, "round {round}: name");
        let (e_leaf, e_rest) = expired.split_first().unwrap();
        assert_eq!(code(e_leaf, e_rest, &localhost, now), 10, "round {round}");
        // Without its intermediate the leaf has no issuer in the store.
        assert_eq!(code(leaf, &[], &localhost, now), 20, "round {round}");
        let garbage = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00]);
        assert_eq!(code(&garbage, rest, &localhost, now), 1, "round {round}");
    }
}
