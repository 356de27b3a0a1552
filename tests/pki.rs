//! The PKI layer against CPython 3.11 + OpenSSL 3.0 recordings
//! (`tests/data/conformance/errors.json`) and `openssl` outputs (`tests/data/pki/`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde_json::{json, Value};
use sslcontext::__private::load_cert_chain;
use sslcontext::__private::x509_name_hash;
use sslcontext::__private::TrustStore;
use sslcontext::Error;
use sslcontext::{CaData, Password, PasswordValue};

const PREFIXES: [&str; 6] = [
    "load_cert_chain.",
    "load_verify_locations.",
    "cert_store_stats",
    "get_ca_certs",
    "load_default_certs",
    "set_default_verify_paths",
];
const PW: &str = "secret-password";

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// A path as CPython saw it (cwd = tests/data/conformance).
fn c(rel: &str) -> PathBuf {
    data("conformance").join(rel)
}
fn pki(name: &str) -> PathBuf {
    c(&format!("certs/pki/{name}"))
}
fn keys(name: &str) -> PathBuf {
    c(&format!("certs/keys/{name}"))
}
fn bundles(name: &str) -> PathBuf {
    c(&format!("certs/bundles/{name}"))
}
fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}
fn der(p: &Path) -> Vec<u8> {
    CertificateDer::from_pem_file(p).unwrap().as_ref().to_vec()
}

fn json_file(rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data(rel)).unwrap()).unwrap()
}

fn stats_json(s: &TrustStore) -> Value {
    let st = s.stats();
    json!({"x509": st.x509, "crl": st.crl, "x509_ca": st.x509_ca})
}

/// A callback error that prints like Python's `str(KeyError('no password here'))`.
#[derive(Debug)]
struct KeyError(String);
impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "'{}'", self.0)
    }
}
impl std::error::Error for KeyError {}

fn lcc(cert: PathBuf, key: Option<PathBuf>, pw: Option<Password>) -> Result<Value, Error> {
    load_cert_chain(&cert, key.as_deref(), pw, 2).map(|_| Value::Null)
}

fn store_then<F: FnOnce(&mut TrustStore) -> Result<(), Error>>(f: F) -> Result<Value, Error> {
    let mut s = TrustStore::new();
    f(&mut s)?;
    Ok(stats_json(&s))
}

fn ca_cns(s: &TrustStore) -> Vec<String> {
    s.ca_certs_der()
        .iter()
        .map(|d| {
            let (_, c) = x509_parser::parse_x509_certificate(d.as_ref()).unwrap();
            let cn = c.subject().iter_common_name().last().unwrap();
            cn.as_str().unwrap().to_string()
        })
        .collect()
}

/// Runs one errors.json case translated to the Rust API; `None` for an id this test
/// does not know (which fails the coverage check unless listed as not applicable).
fn run_case(id: &str) -> Option<Result<Value, Error>> {
    let text = |s: &str| Some(Password::from(s));
    Some(match id {
        "load_cert_chain.missing_certfile" => lcc(c("certs/nope.pem"), None, None),
        "load_cert_chain.key_mismatch" => lcc(pki("leaf-rsa.pem"), Some(pki("leaf-ec.key")), None),
        "load_cert_chain.certfile_is_key" => {
            lcc(pki("leaf-rsa.key"), Some(pki("leaf-rsa.key")), None)
        }
        "load_cert_chain.combined_file" => lcc(bundles("leaf-rsa+key.pem"), None, None),
        "load_cert_chain.key_then_cert_file" => lcc(bundles("key-then-cert.pem"), None, None),
        "load_cert_chain.der_certfile" => {
            lcc(bundles("root-rsa.der"), Some(pki("root-rsa.key")), None)
        }
        "load_cert_chain.traditional_rsa_key" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.rsa-trad.key")),
            None,
        ),
        "load_cert_chain.encrypted_wrong_password" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-pkcs8.key")),
            text("wrong"),
        ),
        "load_cert_chain.encrypted_right_str" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-pkcs8.key")),
            text(PW),
        ),
        "load_cert_chain.encrypted_right_bytearray" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-pkcs8.key")),
            Some(Password::from(PW.as_bytes())),
        ),
        "load_cert_chain.encrypted_callable_str" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-pkcs8.key")),
            Some(Password::callback(|| Ok(PasswordValue::Text(PW.into())))),
        ),
        "load_cert_chain.encrypted_callable_bytes" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-pkcs8.key")),
            Some(Password::callback(|| Ok(PasswordValue::Bytes(PW.into())))),
        ),
        "load_cert_chain.encrypted_callable_wrong" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-pkcs8.key")),
            Some(Password::callback(|| {
                Ok(PasswordValue::Text("wrong".into()))
            })),
        ),
        "load_cert_chain.callable_raises" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-pkcs8.key")),
            Some(Password::callback(|| {
                Err(Box::new(KeyError("no password here".into())))
            })),
        ),
        "load_cert_chain.callable_not_called_for_plain_key" => {
            let calls = Arc::new(AtomicUsize::new(0));
            let c2 = calls.clone();
            let r = lcc(
                pki("leaf-rsa.pem"),
                Some(pki("leaf-rsa.key")),
                Some(Password::callback(move || {
                    c2.fetch_add(1, Ordering::SeqCst);
                    Ok(PasswordValue::Text(PW.into()))
                })),
            );
            r.map(|_| Value::Array(vec![json!(1); calls.load(Ordering::SeqCst)]))
        }
        "load_cert_chain.password_1023_right" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-long.key")),
            Some(Password::from("x".repeat(1023))),
        ),
        "load_cert_chain.password_1024" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-long.key")),
            Some(Password::from("x".repeat(1024))),
        ),
        "load_cert_chain.password_1025" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-long.key")),
            Some(Password::from("x".repeat(1025))),
        ),
        "load_cert_chain.callable_returns_1025" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-long.key")),
            Some(Password::callback(|| {
                Ok(PasswordValue::Text("x".repeat(1025)))
            })),
        ),
        "load_cert_chain.password_nonascii_str" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-nonascii.key")),
            text("p\u{e4}ssw\u{f6}rt"),
        ),
        "load_cert_chain.password_nonascii_latin1_bytes" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-nonascii.key")),
            Some(Password::from(vec![
                b'p', 0xe4, b's', b's', b'w', 0xf6, b'r', b't',
            ])),
        ),
        "load_cert_chain.traditional_encrypted_right" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-trad.key")),
            text(PW),
        ),
        "load_cert_chain.traditional_encrypted_wrong" => lcc(
            pki("leaf-rsa.pem"),
            Some(keys("leaf-rsa.enc-trad.key")),
            text("wrong"),
        ),
        "load_cert_chain.rsa1024_at_seclevel2" => {
            lcc(pki("leaf-rsa1024.pem"), Some(pki("leaf-rsa1024.key")), None)
        }
        "load_cert_chain.sha1_cert_at_seclevel2" => {
            lcc(pki("leaf-sha1.pem"), Some(pki("leaf-sha1.key")), None)
        }
        "load_cert_chain.ed25519" => {
            lcc(pki("leaf-ed25519.pem"), Some(pki("leaf-ed25519.key")), None)
        }
        "load_cert_chain.client_context" => {
            lcc(pki("client-ec.pem"), Some(pki("client-ec.key")), None)
        }
        "load_cert_chain.pathlike" | "load_cert_chain.bytes_path" => {
            lcc(pki("leaf-ec.pem"), Some(pki("leaf-ec.key")), None)
        }
        "load_verify_locations.all_None" | "load_verify_locations.all_None_explicit" => {
            store_then(|s| s.load_verify_locations(None, None, None)).map(|_| Value::Null)
        }
        "load_verify_locations.cadata_empty_str" => {
            store_then(|s| s.load_cadata_text("")).map(|_| Value::Null)
        }
        "load_verify_locations.cadata_empty_bytes" => {
            store_then(|s| s.load_cadata_bytes(b"")).map(|_| Value::Null)
        }
        "load_verify_locations.cadata_garbage_str" => {
            store_then(|s| s.load_cadata_text("garbage")).map(|_| Value::Null)
        }
        "load_verify_locations.cadata_garbage_bytes" => {
            store_then(|s| s.load_cadata_bytes(b"garbage")).map(|_| Value::Null)
        }
        "load_verify_locations.cadata_nonascii_str" => {
            store_then(|s| s.load_cadata_text(&format!("\u{e9}{}", read(&pki("root-ec.pem")))))
                .map(|_| Value::Null)
        }
        "load_verify_locations.cadata_der" | "load_verify_locations.cadata_der_bytearray" => {
            store_then(|s| s.load_cadata_bytes(&der(&pki("root-rsa.pem"))))
        }
        "load_verify_locations.cadata_two_der" => store_then(|s| {
            let mut d = der(&pki("root-rsa.pem"));
            d.extend(der(&pki("root-ec.pem")));
            s.load_verify_locations(None, None, Some(&CaData::Bytes(d)))
        }),
        "load_verify_locations.cadata_der_trailing_garbage" => store_then(|s| {
            let mut d = der(&pki("root-rsa.pem"));
            d.extend(b"garbage");
            s.load_cadata_bytes(&d)
        }),
        "load_verify_locations.cadata_pem_as_bytes" => {
            store_then(|s| s.load_cadata_bytes(read(&pki("root-rsa.pem")).as_bytes()))
        }
        "load_verify_locations.cadata_pem_with_text" => {
            store_then(|s| s.load_cadata_text(&read(&bundles("with-text.pem"))))
        }
        "load_verify_locations.cadata_pem_truncated" => {
            store_then(|s| s.load_cadata_text(&read(&bundles("truncated.pem"))))
        }
        "load_verify_locations.cadata_pem_valid_then_truncated" => store_then(|s| {
            let t = read(&pki("root-ec.pem")) + &read(&bundles("truncated.pem"));
            s.load_cadata_text(&t)
        }),
        "load_verify_locations.cafile_only_crl" => {
            store_then(|s| s.load_cafile(&pki("crl/root-ec.crl")))
        }
        "load_verify_locations.cafile_empty" => {
            store_then(|s| s.load_cafile(&bundles("empty.pem")))
        }
        "load_verify_locations.cafile_der" => {
            store_then(|s| s.load_cafile(&bundles("root-rsa.der")))
        }
        "load_verify_locations.cafile_with_text" => {
            store_then(|s| s.load_cafile(&bundles("with-text.pem")))
        }
        "load_verify_locations.cafile_truncated" => {
            store_then(|s| s.load_cafile(&bundles("truncated.pem")))
        }
        "load_verify_locations.capath_missing_dir" => {
            store_then(|s| s.load_verify_locations(None, Some(&c("certs/no-such-dir")), None))
        }
        "load_verify_locations.cert_store_stats_ca_crl_dups" => {
            store_then(|s| s.load_cafile(&bundles("ca-crl-dups.pem")))
        }
        "load_verify_locations.load_same_file_twice" => store_then(|s| {
            s.load_cafile(&pki("root-ec.pem"))?;
            s.load_cafile(&pki("root-ec.pem"))
        }),
        "load_verify_locations.non_ca_cert" => stats_and_len(&pki("leaf-ec.pem")),
        "get_ca_certs.v1_self_signed_counts_as_ca" => {
            stats_and_len(&c("certs/odd/v1-self-signed.pem"))
        }
        "get_ca_certs.bc_absent_not_ca" => stats_and_len(&c("certs/odd/bc-absent.pem")),
        "get_ca_certs.after_crl_dups" => {
            let mut s = TrustStore::new();
            s.load_cafile(&bundles("ca-crl-dups.pem"))
                .map(|()| json!(ca_cns(&s)))
        }
        "get_ca_certs.dicts" => {
            // The dicts are the x509 module's; here: the same certificate, one entry.
            let mut s = TrustStore::new();
            s.load_cafile(&pki("root-ec.pem")).map(|()| {
                let ders = s.ca_certs_der();
                assert_eq!(ders.len(), 1);
                assert_eq!(ders[0].as_ref(), der(&pki("root-ec.pem")).as_slice());
                Value::String("dicts".into())
            })
        }
        "set_default_verify_paths" => {
            let mut s = TrustStore::new();
            s.load_system_roots();
            Ok(Value::Null)
        }
        _ => return None,
    })
}

fn stats_and_len(p: &Path) -> Result<Value, Error> {
    let mut s = TrustStore::new();
    s.load_cafile(p)?;
    Ok(json!([stats_json(&s), s.ca_certs_der().len()]))
}

fn check_error(id: &str, e: &Error, rec: &Value) -> Result<(), String> {
    let want_type = rec["type"].as_str().unwrap();
    let want_str = rec
        .get("str_sans_location")
        .or(rec.get("str"))
        .and_then(Value::as_str)
        .unwrap();
    let mut problems = Vec::new();
    let python_family = want_type.starts_with("ssl.")
        || matches!(
            want_type,
            "ValueError" | "TypeError" | "FileNotFoundError" | "OSError" | "IsADirectoryError"
        );
    if python_family {
        if e.python_class() != want_type {
            problems.push(format!("class {} != {want_type}", e.python_class()));
        }
        let errno = rec.get("errno").and_then(Value::as_i64);
        if e.errno() != errno {
            problems.push(format!("errno {:?} != {errno:?}", e.errno()));
        }
        if want_type.starts_with("ssl.") {
            let lib = rec.get("library").and_then(Value::as_str);
            let reason = rec.get("reason").and_then(Value::as_str);
            if e.library() != lib {
                problems.push(format!("library {:?} != {lib:?}", e.library()));
            }
            if e.reason() != reason {
                problems.push(format!("reason {:?} != {reason:?}", e.reason()));
            }
        }
    } else if !matches!(e, Error::Callback(_)) {
        problems.push(format!("expected the callback's {want_type}, got {e:?}"));
    }
    if e.to_string() != want_str {
        problems.push(format!("str {:?} != {want_str:?}", e.to_string()));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{id}: {}", problems.join("; ")))
    }
}

#[test]
fn errors_json_cases() {
    let errors = json_file("conformance/errors.json");
    let na = json_file("pki/not_applicable.json");
    let listed =
        |id: &str| na["not_applicable"].get(id).is_some() || na["divergences"].get(id).is_some();
    let mut ran = 0;
    let mut failures = Vec::new();
    for case in errors["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        if !PREFIXES.iter().any(|p| id.starts_with(p)) {
            continue;
        }
        if listed(id) {
            assert!(run_case(id).is_none(), "{id} is listed but also run");
            continue;
        }
        let Some(got) = run_case(id) else {
            failures.push(format!(
                "{id}: neither run nor listed in not_applicable.json"
            ));
            continue;
        };
        ran += 1;
        let res = &case["result"];
        match (res["ok"].as_bool().unwrap(), got) {
            (true, Ok(v)) => {
                if id == "get_ca_certs.dicts" {
                    assert_eq!(res["value"].as_array().unwrap().len(), 1);
                } else if res["value"] != v {
                    failures.push(format!("{id}: value {v} != {}", res["value"]));
                }
            }
            (true, Err(e)) => failures.push(format!("{id}: expected success, got {e:?}")),
            (false, Ok(v)) => failures.push(format!("{id}: expected an error, got {v}")),
            (false, Err(e)) => {
                if let Err(p) = check_error(id, &e, &res["error"]) {
                    failures.push(p);
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("errors.json: {ran} PKI cases matched");
    assert!(ran >= 55, "only {ran} cases ran");
}

#[test]
fn listed_ids_exist() {
    let errors = json_file("conformance/errors.json");
    let na = json_file("pki/not_applicable.json");
    let ids: Vec<&str> = errors["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for group in ["not_applicable", "divergences"] {
        for (id, why) in na[group].as_object().unwrap() {
            assert!(ids.contains(&id.as_str()), "{id} not in errors.json");
            assert!(!why.as_str().unwrap().is_empty());
        }
    }
}

/// The documented behaviour for the divergences listed in not_applicable.json.
#[test]
fn divergences_behave_as_documented() {
    let e = lcc(
        pki("leaf-rsa.pem"),
        Some(keys("leaf-rsa.enc-pkcs8.key")),
        None,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "[SSL] PEM lib");
    assert_eq!(e.errno(), Some(524297));
    let e = lcc(
        c("certs/odd/key-dsa2048.pem"),
        Some(c("certs/odd/key-dsa2048.key")),
        None,
    )
    .unwrap_err();
    assert_eq!(e.reason(), Some("UNKNOWN_CERTIFICATE_TYPE"));
    assert_eq!(e.errno(), Some(247));
    assert!(
        e.to_string().contains("rustls cannot sign with DSA keys"),
        "{e}"
    );
    let e = load_cert_chain(
        &pki("leaf-rsa1024.pem"),
        Some(&pki("leaf-rsa1024.key")),
        None,
        1,
    )
    .unwrap_err();
    assert_eq!(e.reason(), Some("UNKNOWN_CERTIFICATE_TYPE"));
    assert!(e.to_string().contains("1024-bit RSA"), "{e}");
    for (cert, what) in [("key-p521", "P-521"), ("key-ed448", "Ed448")] {
        let e = lcc(
            c(&format!("certs/odd/{cert}.pem")),
            Some(c(&format!("certs/odd/{cert}.key"))),
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains(what), "{e}");
    }
}

#[test]
fn key_slot_rules() {
    // Same class, different key: KEY_VALUES_MISMATCH (also across EC curves).
    for (cert, key) in [
        ("leaf-ec.pem", "leaf-p384.key"),
        ("leaf-rsa.pem", "client-rsa.key"),
        ("leaf-rsa.pem", "leaf-rsa4096.key"),
    ] {
        let e = lcc(pki(cert), Some(pki(key)), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "[X509: KEY_VALUES_MISMATCH] key values mismatch",
            "{cert} {key}"
        );
        assert_eq!(e.errno(), Some(116));
    }
    // Different class: NO_CERTIFICATE_ASSIGNED.
    let e = lcc(pki("leaf-ed25519.pem"), Some(pki("leaf-ec.key")), None).unwrap_err();
    assert_eq!(e.errno(), Some(177));
    // The certificate step wins over the key step.
    let e = lcc(pki("leaf-rsa1024.pem"), Some(pki("leaf-ec.key")), None).unwrap_err();
    assert_eq!(e.reason(), Some("EE_KEY_TOO_SMALL"));
    // Security levels (observed with CPython): SHA-1 fails at level 1, RSA-2048 at 3.
    let e =
        load_cert_chain(&pki("leaf-sha1.pem"), Some(&pki("leaf-sha1.key")), None, 1).unwrap_err();
    assert_eq!(e.reason(), Some("CA_MD_TOO_WEAK"));
    let e = load_cert_chain(&pki("leaf-rsa.pem"), Some(&pki("leaf-rsa.key")), None, 3).unwrap_err();
    assert_eq!(e.reason(), Some("EE_KEY_TOO_SMALL"));
    assert!(load_cert_chain(
        &pki("leaf-rsa4096.pem"),
        Some(&pki("leaf-rsa4096.key")),
        None,
        2
    )
    .is_ok());
}

#[test]
fn chain_file_rules() {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let leaf = read(&pki("leaf-rsa.pem"));
    let key = Some(pki("leaf-rsa.key"));
    // Chain + a truncated block: the block's own error (observed).
    let e = lcc(
        w("a.pem", leaf.clone() + &read(&bundles("truncated.pem"))),
        key.clone(),
        None,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "[PEM: BAD_END_LINE] bad end line");
    // CRLs and free text after the leaf are skipped.
    let p = w(
        "b.pem",
        leaf.clone() + &read(&pki("crl/root-ec.crl")) + "hello\n",
    );
    assert!(lcc(p, key.clone(), None).is_ok());
    // Weak chain certificates.
    let e = lcc(
        w("c.pem", leaf.clone() + &read(&pki("leaf-rsa1024.pem"))),
        key.clone(),
        None,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "[SSL: CA_KEY_TOO_SMALL] ca key too small");
    let e = lcc(
        w("d.pem", leaf.clone() + &read(&pki("leaf-sha1.pem"))),
        key.clone(),
        None,
    )
    .unwrap_err();
    assert_eq!(e.reason(), Some("CA_MD_TOO_WEAK"));
    // TRUSTED CERTIFICATE / X509 CERTIFICATE leaves are accepted.
    for label in ["TRUSTED CERTIFICATE", "X509 CERTIFICATE"] {
        let p = w("e.pem", leaf.replace("CERTIFICATE", label));
        assert!(lcc(p, key.clone(), None).is_ok(), "{label}");
    }
    // The chain is returned in order.
    let id = load_cert_chain(&bundles("leaf-rsa+key.pem"), None, None, 2).unwrap();
    assert_eq!(id.chain.len(), 2);
    assert_eq!(id.chain[0].as_ref(), der(&pki("leaf-rsa.pem")).as_slice());
    assert_eq!(id.chain[1].as_ref(), der(&pki("int-rsa.pem")).as_slice());
    // Directory as certfile.
    let e = lcc(c("certs"), None, None).unwrap_err();
    assert_eq!(e.python_class(), "IsADirectoryError");
    assert_eq!(e.to_string(), "[Errno 21] Is a directory");
    // Missing keyfile, garbage keyfile, cert-only file.
    let e = lcc(pki("leaf-rsa.pem"), Some(c("nope")), None).unwrap_err();
    assert_eq!(e.python_class(), "FileNotFoundError");
    let e = lcc(pki("leaf-rsa.pem"), Some(bundles("garbage.pem")), None).unwrap_err();
    assert_eq!(e.to_string(), "[SSL] PEM lib");
    let e = lcc(pki("leaf-rsa.pem"), None, None).unwrap_err();
    assert_eq!(e.to_string(), "[SSL] PEM lib");
}

#[test]
fn encrypted_key_forms() {
    let cases = [
        ("leaf-rsa", "leaf-rsa.trad-aes128.key"),
        ("leaf-rsa", "leaf-rsa.trad-aes256.key"),
        ("leaf-rsa", "leaf-rsa.trad-des3.key"),
        ("leaf-rsa", "leaf-rsa.pkcs8-aes128.key"),
        ("leaf-ec", "leaf-ec.trad-aes128.key"),
        ("leaf-ec", "leaf-ec.pkcs8-aes256.key"),
    ];
    for (cert, key) in cases {
        let cert = pki(&format!("{cert}.pem"));
        let key = data(&format!("pki/keys/{key}"));
        let id = load_cert_chain(&cert, Some(&key), Some(Password::from(PW)), 2);
        assert!(id.is_ok(), "{key:?}: {:?}", id.err());
        let e = load_cert_chain(&cert, Some(&key), Some(Password::from("nope")), 2).unwrap_err();
        assert_eq!(e.to_string(), "[SSL] PEM lib", "{key:?}");
        let e = load_cert_chain(&cert, Some(&key), None, 2).unwrap_err();
        assert_eq!(e.errno(), Some(524297), "{key:?}");
    }
    assert!(load_cert_chain(
        &pki("leaf-ec.pem"),
        Some(&data("pki/keys/leaf-ec.sec1.key")),
        None,
        2
    )
    .is_ok());
}

#[test]
fn password_callback_called_once_or_never() {
    let count = Arc::new(AtomicUsize::new(0));
    let c2 = count.clone();
    let pw = Password::callback(move || {
        c2.fetch_add(1, Ordering::SeqCst);
        Ok(PasswordValue::Text(PW.into()))
    });
    load_cert_chain(
        &pki("leaf-rsa.pem"),
        Some(&keys("leaf-rsa.enc-pkcs8.key")),
        Some(pw),
        2,
    )
    .unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    // A wrong password still calls it once.
    let c3 = count.clone();
    let pw = Password::callback(move || {
        c3.fetch_add(1, Ordering::SeqCst);
        Ok(PasswordValue::Bytes(b"bad".to_vec()))
    });
    assert!(load_cert_chain(
        &pki("leaf-rsa.pem"),
        Some(&keys("leaf-rsa.enc-trad.key")),
        Some(pw),
        2
    )
    .is_err());
    assert_eq!(count.load(Ordering::SeqCst), 2);
    // Not encrypted: never called, even a failing one.
    let pw = Password::callback(|| panic!("must not be called"));
    load_cert_chain(&pki("leaf-ec.pem"), Some(&pki("leaf-ec.key")), Some(pw), 2).unwrap();
}

#[test]
fn password_length_boundary() {
    let key = keys("leaf-rsa.enc-long.key");
    let cert = pki("leaf-rsa.pem");
    for (n, ok) in [(1023, true), (1024, false), (1025, false)] {
        for pw in [Password::from("x".repeat(n)), Password::from(vec![b'x'; n])] {
            let r = load_cert_chain(&cert, Some(&key), Some(pw), 2);
            match (ok, r) {
                (true, Ok(_)) => {}
                (false, Err(e)) if n == 1024 => assert_eq!(e.to_string(), "[SSL] PEM lib"),
                (false, Err(e)) => {
                    assert_eq!(e.python_class(), "ValueError");
                    assert_eq!(e.to_string(), "password cannot be longer than 1024 bytes");
                }
                (_, r) => panic!("{n}: {:?}", r.err()),
            }
        }
    }
    // Too long but unused (key not encrypted): fine, as in CPython.
    let pw = Password::from("x".repeat(2000));
    assert!(load_cert_chain(&cert, Some(&pki("leaf-rsa.key")), Some(pw), 2).is_ok());
}

#[test]
fn name_hash_matches_openssl() {
    let rec = json_file("pki/name_hashes.json");
    let mut n = 0;
    for (file, h) in rec["hashes"].as_object().unwrap() {
        let d = der(&c(file));
        let (_, cert) = x509_parser::parse_x509_certificate(&d).unwrap();
        let sh = format!("{:08x}", x509_name_hash(cert.subject().as_raw()));
        let ih = format!("{:08x}", x509_name_hash(cert.issuer().as_raw()));
        assert_eq!(sh, h["subject_hash"].as_str().unwrap(), "{file} subject");
        assert_eq!(ih, h["issuer_hash"].as_str().unwrap(), "{file} issuer");
        n += 1;
    }
    assert!(n >= 100, "{n}");
}

#[test]
fn store_order_matches_openssl() {
    let rec = json_file("pki/order/expected.json");
    for case in rec["cases"].as_array().unwrap() {
        let mut s = TrustStore::new();
        for n in case["load_order"].as_array().unwrap() {
            s.load_cafile(&data(&format!("pki/order/{}.pem", n.as_str().unwrap())))
                .unwrap();
        }
        let want: Vec<&str> = case["get_ca_certs_cn"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(ca_cns(&s), want);
    }
}

#[test]
fn cadata_der_edge_rules() {
    let root = der(&pki("root-rsa.pem"));
    let cases: [(&[u8], Option<&str>); 8] = [
        (b"\x30", None),
        (
            b"\x30\x05ab",
            Some("[ASN1: NOT_ENOUGH_DATA] not enough data"),
        ),
        (b"\x00\x00", Some("[ASN1] nested asn1 error")),
        (b"\x30\x00", Some("[ASN1: FIELD_MISSING] field missing")),
        (
            b"\x30\x80\x00\x00",
            Some("[ASN1: FIELD_MISSING] field missing"),
        ),
        (b"\x1f\xff\xff\xff\xff\xff\x01a", None),
        (b"\x30\x83\xff\xff\xff", None),
        (
            b"\x30\x82\x03\x50\x30",
            Some("[ASN1: NOT_ENOUGH_DATA] not enough data"),
        ),
    ];
    for (tail, want) in cases {
        let mut s = TrustStore::new();
        let mut d = root.clone();
        d.extend_from_slice(tail);
        let r = s.load_cadata_bytes(&d);
        assert_eq!(r.err().map(|e| e.to_string()).as_deref(), want, "{tail:?}");
        assert_eq!(s.stats().x509, 1, "first cert stays loaded");
    }
    // cafile failures are all or nothing; cadata keeps what came before.
    let pem = read(&pki("root-ec.pem"));
    let bad = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
    let mut s = TrustStore::new();
    let e = s.load_cadata_text(&(pem.clone() + bad)).unwrap_err();
    assert_eq!(e.to_string(), "[PEM] ASN1 lib");
    assert_eq!(e.errno(), Some(524301));
    assert_eq!(s.stats().x509, 1);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.pem");
    std::fs::write(&p, pem.clone() + bad).unwrap();
    let mut s = TrustStore::new();
    assert_eq!(s.load_cafile(&p).unwrap_err().to_string(), "[X509] PEM lib");
    assert_eq!(s.stats().x509, 0);
    // Bad base64 in any block after a certificate.
    let mut s = TrustStore::new();
    let e = s
        .load_cadata_text(&(pem.clone() + "-----BEGIN FOO-----\nM*IB\n-----END FOO-----\n"))
        .unwrap_err();
    assert_eq!(e.to_string(), "[PEM: BAD_BASE64_DECODE] bad base64 decode");
    // TRUSTED CERTIFICATE: cafile yes, cadata no (observed).
    let trusted = pem.replace("CERTIFICATE", "TRUSTED CERTIFICATE");
    std::fs::write(&p, &trusted).unwrap();
    let mut s = TrustStore::new();
    s.load_cafile(&p).unwrap();
    assert_eq!(s.stats().x509_ca, 1);
    let mut s = TrustStore::new();
    assert!(s.load_cadata_text(&trusted).is_err());
    // cadata is loaded before cafile; a failing cafile leaves the cadata certs.
    let mut s = TrustStore::new();
    let r = s.load_verify_locations(Some(&bundles("empty.pem")), None, Some(&CaData::Text(pem)));
    assert_eq!(r.unwrap_err().errno(), Some(136));
    assert_eq!(s.stats().x509, 1);
}

#[test]
fn capath_lazy_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let int_ec = der(&pki("int-ec.pem"));
    let (_, int_cert) = x509_parser::parse_x509_certificate(&int_ec).unwrap();
    let h = x509_name_hash(int_cert.subject().as_raw());
    std::fs::copy(pki("int-ec.pem"), dir.path().join(format!("{h:08x}.0"))).unwrap();
    // An unrelated file under a wrong name is never read.
    std::fs::copy(pki("root-rsa.pem"), dir.path().join("00000000.0")).unwrap();
    let mut s = TrustStore::new();
    s.load_verify_locations(None, Some(dir.path()), None)
        .unwrap();
    assert_eq!(s.stats().x509, 0);
    let leaf = der(&pki("leaf-ec.pem"));
    let (_, leaf_cert) = x509_parser::parse_x509_certificate(&leaf).unwrap();
    let found = s.lookup_capath(leaf_cert.issuer().as_raw());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].as_ref(), int_ec.as_slice());
    let st = s.stats();
    assert_eq!((st.x509, st.x509_ca), (1, 1));
    assert_eq!(s.ca_certs_der().len(), 1);
    // Again: no duplicate.
    assert_eq!(s.lookup_capath(leaf_cert.issuer().as_raw()).len(), 1);
    assert_eq!(s.stats().x509, 1);
    // Unknown issuer: nothing.
    let root = der(&pki("root-rsa.pem"));
    let (_, root_cert) = x509_parser::parse_x509_certificate(&root).unwrap();
    assert!(s.lookup_capath(root_cert.subject().as_raw()).is_empty());
    assert_eq!(s.stats().x509, 1);
    // A clone is independent.
    let mut t = s.clone();
    t.load_cafile(&pki("root-ec.pem")).unwrap();
    assert_eq!((s.stats().x509, t.stats().x509), (1, 2));
}

#[test]
fn webpki_roots_join_the_store() {
    let mut s = TrustStore::new();
    s.load_cafile(&bundles("ca-crl-dups.pem")).unwrap();
    s.load_cafile(&c("certs/odd/v1-self-signed.pem")).unwrap();
    assert_eq!((s.stats().x509, s.crls().len()), (5, 1));
    s.load_webpki_roots();
    let n = s.stats().x509;
    assert!(n > 100, "{n}");
    assert_eq!(s.ca_certs_der().len(), s.stats().x509_ca);
    // Loading them twice adds nothing (duplicates are skipped, as OpenSSL does).
    s.load_webpki_roots();
    assert_eq!(s.stats().x509, n);
}

#[test]
fn default_verify_paths_shape() {
    let p = sslcontext::get_default_verify_paths();
    assert_eq!(p.openssl_cafile_env, "SSL_CERT_FILE");
    assert_eq!(p.openssl_capath_env, "SSL_CERT_DIR");
    assert!(p.openssl_cafile.ends_with("cert.pem"));
    assert!(p.openssl_capath.ends_with("certs"));
    if let Some(f) = &p.cafile {
        assert!(f.is_file());
    }
    if let Some(d) = &p.capath {
        assert!(d.is_dir());
    }
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn arbitrary_inputs_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600),
                                        prefix in 0usize..3) {
            let heads: [&[u8]; 3] = [b"", b"-----BEGIN CERTIFICATE-----\n", b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n"];
            let mut input = heads[prefix].to_vec();
            input.extend_from_slice(&bytes);
            let mut s = TrustStore::new();
            let _ = s.load_cadata_bytes(&input);
            let text: String = input.iter().map(|&b| char::from(b & 0x7f)).collect();
            let _ = s.load_cadata_text(&text);
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("f.pem");
            std::fs::write(&p, &input).unwrap();
            let _ = s.load_cafile(&p);
            let _ = load_cert_chain(&p, None, Some(Password::from("pw")), 2);
            let _ = load_cert_chain(&pki("leaf-rsa.pem"), Some(&p), Some(Password::from("pw")), 2);
            let _ = x509_name_hash(&input);
        }
    }
}

/// Rules found by differential runs against CPython 3.11 / OpenSSL 3.0 (see the report).
#[test]
fn pem_header_and_empty_block_rules() {
    let ec = read(&pki("root-ec.pem"));
    let rsa = read(&pki("root-rsa.pem"));
    let mut lines: Vec<&str> = rsa.split('\n').collect();
    let with_headers = |hdr: &[&str], lines: &mut Vec<&str>| {
        let mut l = lines.clone();
        let mut ins: Vec<&str> = hdr.to_vec();
        ins.push("");
        l.splice(1..1, ins);
        ec.clone() + &l.join("\n")
    };
    let cases: [(&[&str], Option<&str>); 6] = [
        (&["Foo: bar"], Some("[PEM: NOT_PROC_TYPE] not proc type")),
        (
            &["Proc-Type: 4,ENCRYPTED"],
            Some("[PEM: NOT_DEK_INFO] not dek info"),
        ),
        (&["Proc-Type: 3,ENCRYPTED"], None),
        (
            &["Proc-Type: 4,FOO"],
            Some("[PEM: NOT_ENCRYPTED] not encrypted"),
        ),
        (
            &["Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC"],
            Some("[PEM: UNSUPPORTED_ENCRYPTION] unsupported encryption"),
        ),
        (
            &["Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC,zz"],
            Some("[PEM: BAD_IV_CHARS] bad iv chars"),
        ),
    ];
    for (hdr, want) in cases {
        let mut s = TrustStore::new();
        let r = s.load_cadata_text(&with_headers(hdr, &mut lines));
        assert_eq!(r.err().map(|e| e.to_string()).as_deref(), want, "{hdr:?}");
        assert_eq!(s.stats().x509, 1);
    }
    // An empty block ends cadata silently; in a chain file it is 'unknown error'.
    let empty = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
    let mut s = TrustStore::new();
    s.load_cadata_text(&(ec.clone() + empty + &rsa)).unwrap();
    assert_eq!(s.stats().x509, 1);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("chain.pem");
    std::fs::write(&p, read(&pki("leaf-rsa.pem")) + empty).unwrap();
    let e = load_cert_chain(&p, Some(&pki("leaf-rsa.key")), None, 2).unwrap_err();
    assert_eq!(
        (e.to_string().as_str(), e.errno()),
        ("unknown error", Some(0))
    );
    // Data after the certificate inside a block is ignored (d2i reads one element).
    let mut blines: Vec<String> = ec.lines().map(str::to_string).collect();
    let n = blines.len();
    blines.insert(n - 2, "A".repeat(64));
    let mut s = TrustStore::new();
    s.load_cadata_text(&(blines.join("\n") + "\n")).unwrap();
    assert_eq!(s.stats().x509, 1);
}

/// The Mozilla roots loaded with `load_webpki_roots()` are the ones the verifier uses:
/// real sites' chains (x509-limbo's `online::` cases, at the time each was captured)
/// verify with no other trust, and fail with code 20 without them.
#[test]
fn webpki_roots_verify_real_chains() {
    use rustls_pki_types::{CertificateDer, UnixTime};
    use sslcontext::__private::encode_hostname;
    use sslcontext::__private::verify_chain_offline;
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/limbo/limbo.jsonl"),
    )
    .unwrap();
    let pem_der = |v: &serde_json::Value| -> CertificateDer<'static> {
        CertificateDer::from(sslcontext::x509::pem_cert_to_der_cert(v.as_str().unwrap()).unwrap())
    };
    let (mut verified, mut cases) = (0, 0);
    for line in text.lines().filter(|l| l.contains("\"online::")) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut chain = vec![pem_der(&case["peer"])];
        chain.extend(case["untrusted"].as_array().unwrap().iter().map(pem_der));
        let name = encode_hostname(case["server_hostname"].as_str().unwrap()).unwrap();
        let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            case["at"].as_u64().unwrap(),
        ));
        let ctx = sslcontext::SslContext::new(sslcontext::Protocol::TlsClient).unwrap();
        let without = verify_chain_offline(
            &chain,
            &sslcontext::__private::current_verify_policy(&ctx),
            Some(&name),
            at,
        );
        assert_eq!(without.unwrap_err().verify_code(), Some(20));
        ctx.load_webpki_roots().unwrap();
        let with = verify_chain_offline(
            &chain,
            &sslcontext::__private::current_verify_policy(&ctx),
            Some(&name),
            at,
        );
        cases += 1;
        if with.is_ok() {
            verified += 1;
        }
    }
    assert!(cases >= 5, "{cases}");
    // Every one of these sites chains to a root in Mozilla's program.
    assert_eq!(verified, cases);
}
