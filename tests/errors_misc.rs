//! errors.json cases for groups, DH parameters, SNI callbacks, default paths and the
//! module-level PEM/time helpers, written in Rust as each Python snippet is.

mod common;

use std::sync::Arc;

use serde_json::{json, Value};
use sslcontext::{Protocol, SslContext};

fn s() -> SslContext {
    SslContext::new(Protocol::TlsServer).unwrap()
}

fn certs(rel: &str) -> std::path::PathBuf {
    common::cert_path(rel)
}

fn cases() -> Vec<(&'static str, common::ErrorCase)> {
    vec![
        ("set_ecdh_curve.X25519", || {
            s().set_ecdh_curve("X25519").map(|_| Value::Null)
        }),
        ("set_ecdh_curve.prime256v1", || {
            s().set_ecdh_curve("prime256v1").map(|_| Value::Null)
        }),
        ("set_ecdh_curve.secp256r1", || {
            s().set_ecdh_curve("secp256r1").map(|_| Value::Null)
        }),
        ("set_ecdh_curve.secp384r1", || {
            s().set_ecdh_curve("secp384r1").map(|_| Value::Null)
        }),
        ("set_ecdh_curve.P-256", || {
            s().set_ecdh_curve("P-256").map(|_| Value::Null)
        }),
        ("set_ecdh_curve.bogus", || {
            s().set_ecdh_curve("bogus").map(|_| Value::Null)
        }),
        ("load_dh_params.garbage", || {
            s().load_dh_params(certs("bundles/garbage.pem"))
                .map(|_| Value::Null)
        }),
        ("load_dh_params.valid", || {
            s().load_dh_params(certs("misc/dhparams-ffdhe2048.pem"))
                .map(|_| Value::Null)
        }),
        ("load_dh_params.valid_on_client", || {
            SslContext::new(Protocol::TlsClient)?
                .load_dh_params(certs("misc/dhparams-ffdhe2048.pem"))
                .map(|_| Value::Null)
        }),
        ("sni_callback.on_client", || {
            let c = SslContext::new(Protocol::TlsClient)?;
            c.set_sni_callback(Some(Arc::new(|_o, _n, _c| Ok(None))))?;
            Ok(json!(c.sni_callback().is_some()))
        }),
        ("set_servername_callback.None", || {
            let s = s();
            s.set_servername_callback(None)?;
            Ok(if s.sni_callback().is_some() {
                json!("callback")
            } else {
                Value::Null
            })
        }),
        ("set_default_verify_paths", || {
            SslContext::new(Protocol::TlsClient)?.set_default_verify_paths()?;
            Ok(Value::Null)
        }),
        ("PEM_cert_to_DER_cert.garbage", || {
            sslcontext::x509::pem_cert_to_der_cert("garbage").map(|d| json!(d.len()))
        }),
        ("PEM_cert_to_DER_cert.bad_base64", || {
            let der = sslcontext::x509::pem_cert_to_der_cert(
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            )?;
            Ok(json!({"__bytes_hex__": der.iter().map(|b| format!("{b:02x}")).collect::<String>()}))
        }),
        ("DER_cert_to_PEM_cert.roundtrip", || {
            let pem = std::fs::read_to_string(certs("pki/root-ec.pem")).unwrap();
            let der = sslcontext::x509::pem_cert_to_der_cert(&pem)?;
            let back = sslcontext::x509::pem_cert_to_der_cert(
                &sslcontext::x509::der_cert_to_pem_cert(&der),
            )?;
            Ok(json!(back == der))
        }),
        ("cert_time_to_seconds.valid", || {
            sslcontext::x509::cert_time_to_seconds("Jan  5 09:34:43 2018 GMT").map(|v| json!(v))
        }),
        ("cert_time_to_seconds.no_gmt", || {
            sslcontext::x509::cert_time_to_seconds("Jan  5 09:34:43 2018").map(|v| json!(v))
        }),
        ("cert_time_to_seconds.pre_1970", || {
            sslcontext::x509::cert_time_to_seconds("Jan  1 00:00:00 1949 GMT").map(|v| json!(v))
        }),
    ]
}

#[test]
fn errors_json_misc_cases() {
    let run = common::run_error_cases(cases());
    eprintln!("errors.json misc cases: {run} matched");
}

/// Cases where we deliberately differ (docs/COMPATIBILITY.md): the recorded CPython
/// result is checked to still be what we claim, and ours is checked to be the
/// documented refusal.
#[test]
fn documented_refusals() {
    let doc = common::conformance("errors.json");
    let find = |id: &str| {
        doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["result"]
            .clone()
    };
    // CPython makes TLS 1.0 contexts; rustls cannot.
    assert_eq!(find("SSLContext.PROTOCOL_TLSv1")["ok"], true);
    let err = SslContext::new(Protocol::TlsV1).unwrap_err();
    assert_eq!(err.python_class(), "ValueError");
    // OpenSSL accepts these groups; ring cannot do them.
    for name in ["secp521r1", "X448", "ffdhe2048"] {
        assert_eq!(find(&format!("set_ecdh_curve.{name}"))["ok"], true);
        let err = s().set_ecdh_curve(name).unwrap_err();
        assert!(err.to_string().contains("X25519"), "{name}: {err}");
    }
}

/// `load_dh_params.missing_file`: CPython names the file; the recorded path is relative
/// to the conformance folder, ours to the crate, so the message is compared with the
/// path substituted.
#[test]
fn missing_dh_params_file_names_the_file() {
    let doc = common::conformance("errors.json");
    let record = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "load_dh_params.missing_file")
        .unwrap()["result"]["error"]
        .clone();
    let path = certs("nope.pem");
    let err = s().load_dh_params(&path).unwrap_err();
    assert_eq!(err.python_class(), record["type"].as_str().unwrap());
    let want = record["str"]
        .as_str()
        .unwrap()
        .replace("certs/nope.pem", &path.display().to_string());
    assert_eq!(err.to_string(), want);
}

/// `e.reason` is also typed: a Rust caller matches a `Reason`, whose name is what
/// CPython's `e.reason` holds.
#[test]
fn reasons_are_typed() {
    let ctx = sslcontext::SslContext::new(sslcontext::Protocol::TlsClient).unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), "not a certificate\n").unwrap();
    let err = ctx
        .load_verify_locations(Some(file.path()), None, None)
        .unwrap_err();
    assert_eq!(
        err.reason_code(),
        Some(sslcontext::Reason::NoCertificateOrCrlFound)
    );
    assert_eq!(err.reason(), Some("NO_CERTIFICATE_OR_CRL_FOUND"));
    assert_eq!(
        sslcontext::Reason::from_name("NO_START_LINE"),
        Some(sslcontext::Reason::NoStartLine)
    );
    assert_eq!(sslcontext::Reason::NoStartLine.text(), "no start line");
}
