//! In-memory handshakes between our client and our server through `SslObject`.

mod common;

use common::{client_ctx, handshake, pair, server_ctx, transfer};
use sslcontext::PeerCertificate;
use sslcontext::TlsVersion;

#[test]
fn tls13_handshake_and_data_both_ways() {
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    assert_eq!(c.obj.version(), Some("TLSv1.3"));
    assert_eq!(s.obj.version(), Some("TLSv1.3"));
    let cipher = c.obj.cipher().unwrap();
    assert_eq!(cipher.1, "TLSv1.3");
    assert_eq!(c.obj.write(b"ping").unwrap(), 4);
    transfer(&c, &s);
    assert_eq!(s.obj.read(10).unwrap(), b"ping");
    s.obj.write(b"pong").unwrap();
    transfer(&c, &s);
    assert_eq!(c.obj.read(10).unwrap(), b"pong");
    match c.obj.getpeercert().unwrap() {
        Some(PeerCertificate::Decoded(info)) => {
            assert!(format!("{info:?}").contains("localhost"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(s.obj.getpeercert().unwrap().is_none());
    assert_eq!(client.session_stats().connect_good, 1);
    assert_eq!(server.session_stats().accept_good, 1);
}

#[test]
fn tls12_when_capped() {
    let server = server_ctx("leaf-rsa");
    let client = client_ctx(&["root-rsa"]);
    client.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    assert_eq!(c.obj.version(), Some("TLSv1.2"));
    assert_eq!(
        c.obj.cipher().unwrap(),
        ("ECDHE-RSA-AES256-GCM-SHA384".to_string(), "TLSv1.2", 256)
    );
}

#[test]
fn untrusted_server_gives_openssl_code() {
    let server = server_ctx("other-leaf");
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    let err = cr.unwrap_err();
    assert_eq!(err.python_class(), "ssl.SSLCertVerificationError", "{err}");
    assert_eq!(err.verify_code(), Some(20));
    let serr = sr.unwrap_err();
    assert_eq!(
        serr.to_string(),
        "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca"
    );
}

#[test]
fn alpn_no_overlap_is_not_fatal() {
    let server = server_ctx("leaf-ec");
    server.set_alpn_protocols(&["h2"]).unwrap();
    let client = client_ctx(&["root-ec"]);
    client.set_alpn_protocols(&["http/1.1"]).unwrap();
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    assert_eq!(c.obj.selected_alpn_protocol(), None);
    let client2 = client_ctx(&["root-ec"]);
    client2.set_alpn_protocols(&["spdy", "h2"]).unwrap();
    let (mut c, mut s) = pair(&client2, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    assert_eq!(c.obj.selected_alpn_protocol().as_deref(), Some("h2"));
    assert_eq!(s.obj.selected_alpn_protocol().as_deref(), Some("h2"));
}

/// A connection error keeps the rustls error it was mapped from as its source, and an
/// OSError's class comes from the error kind, not a platform's errno numbers.
#[test]
fn errors_keep_their_source() {
    use std::error::Error as _;
    // A client certificate required and none sent: rustls's NoCertificatesPresented.
    let server = common::server_ctx("leaf-ec");
    server
        .set_verify_mode(sslcontext::VerifyMode::CertRequired)
        .unwrap();
    server
        .load_verify_locations(Some(&common::cert_path("pki/root-ec.pem")), None, None)
        .unwrap();
    let client = common::client_ctx(&["root-ec"]);
    let (mut c, mut s) = common::pair(&client, &server, Some("localhost"));
    let (_, sr) = common::handshake(&mut c, &mut s);
    let err = sr.unwrap_err();
    assert_eq!(err.python_class(), "ssl.SSLError");
    assert_eq!(
        err.reason(),
        Some("PEER_DID_NOT_RETURN_A_CERTIFICATE"),
        "{err}"
    );
    let source = err.source().expect("the rustls error is kept");
    assert!(
        source.downcast_ref::<rustls::Error>().is_some(),
        "{source:?}"
    );
    let reset = sslcontext::Error::Io(std::io::ErrorKind::ConnectionReset.into());
    assert_eq!(reset.python_class(), "ConnectionResetError");
}

/// `verified_chain_der()` is the chain the verifier built: the peer's certificates up
/// to the trust anchor from the store (which the peer did not send); `peer_chain_der()`
/// is what was sent. Nothing before the handshake or under CERT_NONE.
#[test]
fn verified_chain_ends_at_the_store_anchor() {
    let root_pem = std::fs::read_to_string(common::cert_path("pki/root-ec.pem")).unwrap();
    let root = sslcontext::x509::pem_cert_to_der_cert(&root_pem).unwrap();
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    assert_eq!(c.obj.verified_chain_der(), None);
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    let sent = c.obj.peer_chain_der().unwrap();
    let verified = c.obj.verified_chain_der().unwrap();
    assert_eq!(verified.len(), sent.len() + 1, "sent chain plus the anchor");
    assert_eq!(verified[..sent.len()], sent[..]);
    assert_eq!(verified.last(), Some(&root));
    // The server verified no client certificate.
    assert_eq!(s.obj.verified_chain_der(), None);

    let unverified = client_ctx(&[]);
    unverified.set_check_hostname(false).unwrap();
    unverified
        .set_verify_mode(sslcontext::VerifyMode::CertNone)
        .unwrap();
    let (mut c, mut s) = pair(&unverified, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    assert!(c.obj.peer_chain_der().is_some());
    assert_eq!(c.obj.verified_chain_der(), None);
}

/// OpenSSL's auto chain: a certificate loaded without its chain is sent with the
/// issuers the context finds in its own trust store (up to the self-signed root);
/// a chain loaded with the certificate is sent as loaded.
#[test]
fn leaf_only_certificate_is_sent_with_issuers_from_the_store() {
    let der = |name: &str| {
        let pem = std::fs::read_to_string(common::cert_path(&format!("pki/{name}.pem"))).unwrap();
        sslcontext::x509::pem_cert_to_der_cert(&pem).unwrap()
    };
    let server = sslcontext::SslContext::new(sslcontext::Protocol::TlsServer).unwrap();
    server
        .load_cert_chain(
            common::cert_path("pki/leaf-ec.pem"),
            Some(&common::cert_path("pki/leaf-ec.key")),
            None,
        )
        .unwrap();
    for ca in ["int-ec", "root-ec"] {
        server
            .load_verify_locations(
                Some(&common::cert_path(&format!("pki/{ca}.pem"))),
                None,
                None,
            )
            .unwrap();
    }
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    let sent = c.obj.peer_chain_der().unwrap();
    assert_eq!(sent, vec![der("leaf-ec"), der("int-ec"), der("root-ec")]);

    // With its chain loaded, the certificate goes out as loaded.
    let server = server_ctx("leaf-ec");
    server
        .load_verify_locations(Some(&common::cert_path("pki/root-ec.pem")), None, None)
        .unwrap();
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    assert_eq!(c.obj.peer_chain_der().unwrap().len(), 2);
}
