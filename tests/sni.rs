//! `sni_callback`: the name it sees, context swapping (the whole new context applies),
//! alerts, errors and panics.

mod common;

use std::sync::{Arc, Mutex};

use common::{client_ctx, handshake, pair, server_ctx};
use sslcontext::SniCallback;
use sslcontext::SslObject;
use sslcontext::{PeerCertificate, Protocol, SslContext, VerifyMode};

fn peer_cn(obj: &SslObject) -> String {
    match obj.getpeercert().unwrap() {
        Some(PeerCertificate::Decoded(info)) => format!("{:?}", info.subject),
        other => panic!("no peer cert: {other:?}"),
    }
}

fn recording_callback(seen: Arc<Mutex<Vec<Option<String>>>>) -> SniCallback {
    Arc::new(move |_obj, name, _ctx| {
        seen.lock().unwrap().push(name.map(str::to_owned));
        Ok(None)
    })
}

#[test]
fn callback_sees_the_a_label_or_none() {
    let server = server_ctx("leaf-ec");
    let seen = Arc::new(Mutex::new(Vec::new()));
    server
        .set_sni_callback(Some(recording_callback(seen.clone())))
        .unwrap();
    let client = client_ctx(&["root-ec"]);
    client.set_check_hostname(false).unwrap();
    for host in [
        Some("LocalHost"),
        Some("b\u{fc}cher.example"),
        Some("127.0.0.1"),
        None,
    ] {
        let (mut c, mut s) = pair(&client, &server, host);
        let (cr, sr) = handshake(&mut c, &mut s);
        cr.unwrap();
        sr.unwrap();
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            Some("LocalHost".to_string()),
            Some("xn--bcher-kva.example".to_string()),
            None,
            None
        ]
    );
}

#[test]
fn swapping_the_context_changes_the_certificate() {
    let first = server_ctx("leaf-ec");
    let second = server_ctx("leaf-rsa");
    let swap_to = second.clone();
    first
        .set_sni_callback(Some(Arc::new(move |obj, name, _ctx| {
            if name == Some("www.example.com") {
                obj.set_context(&swap_to);
            }
            Ok(None)
        })))
        .unwrap();
    let client = client_ctx(&["root-ec", "root-rsa"]);
    let (mut c, mut s) = pair(&client, &first, Some("www.example.com"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    assert!(peer_cn(&c.obj).contains("RSA") || c.obj.cipher().is_some());
    assert!(s.obj.context().same_context(&second));
    let der = c.obj.getpeercert_der().unwrap().unwrap();
    let rsa_leaf = std::fs::read_to_string(common::cert_path("pki/leaf-rsa.pem")).unwrap();
    assert_eq!(
        der,
        sslcontext::x509::pem_cert_to_der_cert(&rsa_leaf).unwrap()
    );
    // Without the name, the first context's certificate is used.
    let (mut c, mut s) = pair(&client, &first, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    let ec_leaf = std::fs::read_to_string(common::cert_path("pki/leaf-ec.pem")).unwrap();
    assert_eq!(
        c.obj.getpeercert_der().unwrap().unwrap(),
        sslcontext::x509::pem_cert_to_der_cert(&ec_leaf).unwrap()
    );
}

/// One row per attribute a swap carries: the new context's setting is the one used.
#[test]
fn the_whole_new_context_applies() {
    let client = client_ctx(&["root-ec", "root-rsa"]);
    client.set_alpn_protocols(&["h2"]).unwrap();
    type Row = (
        &'static str,
        fn(&SslContext),
        fn(&common::Side, &common::Side, bool, bool),
    );
    let rows: Vec<Row> = vec![
        (
            "alpn",
            |ctx| ctx.set_alpn_protocols(&["h2"]).unwrap(),
            |c, _s, cok, sok| {
                assert!(cok && sok);
                assert_eq!(c.obj.selected_alpn_protocol().as_deref(), Some("h2"));
            },
        ),
        (
            "maximum_version",
            |ctx| {
                ctx.set_maximum_version(sslcontext::TlsVersion::TLSv1_2)
                    .unwrap()
            },
            |c, _s, cok, sok| {
                assert!(cok && sok);
                assert_eq!(c.obj.version(), Some("TLSv1.2"));
            },
        ),
        (
            "ciphers",
            |ctx| {
                ctx.set_maximum_version(sslcontext::TlsVersion::TLSv1_2)
                    .unwrap();
                ctx.set_ciphers("ECDHE-RSA-CHACHA20-POLY1305").unwrap();
            },
            |c, _s, cok, sok| {
                assert!(cok && sok);
                assert_eq!(c.obj.cipher().unwrap().0, "ECDHE-RSA-CHACHA20-POLY1305");
            },
        ),
        (
            "verify_mode",
            |ctx| {
                ctx.set_verify_mode(VerifyMode::CertRequired).unwrap();
                ctx.load_verify_locations(Some(&common::cert_path("pki/root-ec.pem")), None, None)
                    .unwrap();
            },
            |_c, s, _cok, sok| {
                // The client has no certificate: the swapped-in CERT_REQUIRED fails it.
                assert!(!sok, "server should require a client certificate");
                let _ = s;
            },
        ),
        (
            "ecdh_curve",
            |ctx| ctx.set_ecdh_curve("secp384r1").unwrap(),
            |_c, _s, cok, sok| assert!(cok && sok),
        ),
    ];
    for (name, configure, check) in rows {
        let first = server_ctx("leaf-ec");
        let second = server_ctx("leaf-rsa");
        configure(&second);
        let target = second.clone();
        first
            .set_sni_callback(Some(Arc::new(move |obj, _n, _c| {
                obj.set_context(&target);
                Ok(None)
            })))
            .unwrap();
        let (mut c, mut s) = pair(&client, &first, Some("localhost"));
        let (cr, sr) = handshake(&mut c, &mut s);
        // TLS 1.3 reports a refused client certificate on the client's first read.
        let cok = cr.is_ok();
        let sok = sr.is_ok();
        check(&c, &s, cok, sok);
        eprintln!("row {name}: ok");
    }
}

fn refusing(result: sslcontext::SniResult) -> (sslcontext::Error, sslcontext::Error) {
    let server = server_ctx("leaf-ec");
    let result = Arc::new(Mutex::new(Some(result)));
    server
        .set_sni_callback(Some(Arc::new(move |_o, _n, _c| {
            result.lock().unwrap().take().unwrap_or(Ok(None))
        })))
        .unwrap();
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    (cr.unwrap_err(), sr.unwrap_err())
}

#[test]
fn returned_alerts_reach_the_client() {
    for (alert, client_msg) in [
        (
            112,
            "[SSL: TLSV1_UNRECOGNIZED_NAME] tlsv1 unrecognized name",
        ),
        (
            49,
            "[SSL: TLSV1_ALERT_ACCESS_DENIED] tlsv1 alert access denied",
        ),
        (
            80,
            "[SSL: TLSV1_ALERT_INTERNAL_ERROR] tlsv1 alert internal error",
        ),
        (
            40,
            "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure",
        ),
        (0, "[SSL] unknown error"),
    ] {
        let (c, s) = refusing(Ok(Some(alert)));
        assert_eq!(
            s.to_string(),
            "[SSL: CALLBACK_FAILED] callback failed",
            "{alert}"
        );
        assert_eq!(c.to_string(), client_msg, "{alert}");
    }
}

#[test]
fn a_value_that_is_not_a_byte_sends_no_alert() {
    let (c, s) = refusing(Ok(Some(1000)));
    assert_eq!(s.reason(), Some("CALLBACK_FAILED"));
    assert_eq!(c.python_class(), "ssl.SSLWantReadError");
}

#[test]
fn a_failing_or_panicking_callback() {
    let (c, s) = refusing(Err("no such host".into()));
    assert_eq!(s.reason(), Some("CALLBACK_FAILED"));
    assert_eq!(c.reason(), Some("SSLV3_ALERT_HANDSHAKE_FAILURE"));

    let server = server_ctx("leaf-ec");
    server
        .set_sni_callback(Some(Arc::new(|_o, _n, _c| panic!("callback bug"))))
        .unwrap();
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    assert_eq!(sr.unwrap_err().reason(), Some("CALLBACK_FAILED"));
    assert_eq!(cr.unwrap_err().reason(), Some("TLSV1_ALERT_INTERNAL_ERROR"));
}

#[test]
fn not_on_client_contexts_and_servername_shim() {
    let client = SslContext::new(Protocol::TlsClient).unwrap();
    let err = client
        .set_sni_callback(Some(Arc::new(|_o, _n, _c| Ok(None))))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "sni_callback cannot be set on TLS_CLIENT context"
    );
    assert_eq!(err.python_class(), "ValueError");
    let err = client.set_servername_callback(None).unwrap_err();
    assert_eq!(err.python_class(), "ValueError");

    let server = server_ctx("leaf-ec");
    let seen = Arc::new(Mutex::new(Vec::new()));
    server
        .set_servername_callback(Some(recording_callback(seen.clone())))
        .unwrap();
    assert!(server.sni_callback().is_some());
    let client = client_ctx(&["root-ec"]);
    client.set_check_hostname(false).unwrap();
    let (mut c, mut s) = pair(&client, &server, Some("WWW.xn--bcher-kva.example"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![Some("WWW.xn--bcher-kva.example".to_string())]
    );
    server.set_servername_callback(None).unwrap();
    assert!(server.sni_callback().is_none());
}

/// The callback's handle shows the name as sent and the connection's context, and
/// the context it sets is the one the connection then uses.
#[test]
fn handle_shows_the_name_and_swaps_the_context() {
    let first = common::server_ctx("leaf-ec");
    let second = common::server_ctx("leaf-rsa");
    let seen = Arc::new(Mutex::new(None));
    let (swap_to, seen2, registered) = (second.clone(), seen.clone(), first.clone());
    first
        .set_sni_callback(Some(Arc::new(move |handle, name, ctx| {
            assert!(handle.server_side());
            assert!(ctx.same_context(&registered));
            assert!(handle.context().same_context(&registered));
            *seen2.lock().unwrap() = handle.server_name().map(str::to_string);
            assert_eq!(handle.server_name(), name);
            handle.set_context(&swap_to);
            assert!(handle.context().same_context(&swap_to));
            Ok(None)
        })))
        .unwrap();
    let client = common::client_ctx(&["root-ec", "root-rsa"]);
    let (mut c, mut s) = common::pair(&client, &first, Some("LocalHost"));
    let (cr, sr) = common::handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    assert_eq!(seen.lock().unwrap().as_deref(), Some("LocalHost"));
    assert!(s.obj.context().same_context(&second));
}
