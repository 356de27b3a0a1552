//! The frozen configurations (`SslContext::client_config()` / `server_config()`) driven
//! by plain rustls, as tokio-rustls, hyper-rustls and reqwest drive them: what they keep
//! of the context's semantics and what they lose (the crate manual lists the same).

mod common;

use std::sync::Arc;

use rustls::{ClientConnection, HandshakeKind, ServerConnection};
use rustls_pki_types::ServerName;
use sslcontext::VerifyFailure;

/// Moves records between two plain rustls connections until neither has anything to
/// say (bounded); returns the first error either side reports.
fn pump(client: &mut ClientConnection, server: &mut ServerConnection) -> Result<(), rustls::Error> {
    for _ in 0..50 {
        let mut moved = false;
        let mut buf = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            moved = true;
            let mut rd = &buf[..];
            while !rd.is_empty() {
                server.read_tls(&mut rd).unwrap();
                server.process_new_packets()?;
            }
        }
        let mut buf = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            moved = true;
            let mut rd = &buf[..];
            while !rd.is_empty() {
                client.read_tls(&mut rd).unwrap();
                client.process_new_packets()?;
            }
        }
        if !moved {
            break;
        }
    }
    Ok(())
}

fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").unwrap()
}

fn connect(
    client: &Arc<rustls::ClientConfig>,
    server: &Arc<rustls::ServerConfig>,
) -> (ClientConnection, Result<(), rustls::Error>) {
    let mut c = ClientConnection::new(client.clone(), localhost()).unwrap();
    let mut s = ServerConnection::new(server.clone()).unwrap();
    let r = pump(&mut c, &mut s);
    // Let the client read the server's TLS 1.3 tickets.
    let _ = c.writer();
    (c, r)
}

#[test]
fn client_config_resumes_through_rustls_own_cache() {
    let server = common::server_ctx("leaf-ec").server_config().unwrap();
    let client = common::client_ctx(&["root-ec"]).client_config().unwrap();
    let (first, r) = connect(&client, &server);
    r.unwrap();
    assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
    let (second, r) = connect(&client, &server);
    r.unwrap();
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));
}

#[test]
fn client_config_refusal_keeps_the_openssl_code() {
    let server = common::server_ctx("leaf-ec").server_config().unwrap();
    // A client that trusts another root: OpenSSL's code 20.
    let client = common::client_ctx(&["root-rsa"]).client_config().unwrap();
    let (_, r) = connect(&client, &server);
    match r {
        Err(rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other))) => {
            let f = other
                .0
                .downcast_ref::<VerifyFailure>()
                .expect("the failure travels in the error");
            assert_eq!(f.code, 20);
            assert_eq!(f.message, "unable to get local issuer certificate");
        }
        other => panic!("expected the OpenSSL failure, got {other:?}"),
    }
}

#[test]
fn server_config_without_alpn_overlap_is_fatal_outside_the_crate() {
    // Lost outside the crate: CPython continues without ALPN when nothing overlaps
    // (SslObject does, see tests/conn_memory.rs); plain rustls refuses the handshake.
    let server_ctx = common::server_ctx("leaf-ec");
    server_ctx.set_alpn_protocols(&["h2"]).unwrap();
    let server = server_ctx.server_config().unwrap();
    let client_ctx = common::client_ctx(&["root-ec"]);
    client_ctx.set_alpn_protocols(&["http/1.1"]).unwrap();
    let client = client_ctx.client_config().unwrap();
    let (_, r) = connect(&client, &server);
    assert!(
        matches!(r, Err(rustls::Error::NoApplicationProtocol)),
        "{r:?}"
    );
}

#[test]
fn crate_connections_do_not_share_sessions_through_the_shared_config() {
    // The crate's own connections resume only with the session they are given, even
    // though an external stack has filled the shared config's cache.
    let server_ctx = common::server_ctx("leaf-ec");
    let client_ctx = common::client_ctx(&["root-ec"]);
    let (ext, r) = connect(
        &client_ctx.client_config().unwrap(),
        &server_ctx.server_config().unwrap(),
    );
    r.unwrap();
    drop(ext);
    let (mut c, mut s) = common::pair(&client_ctx, &server_ctx, Some("localhost"));
    let (cr, sr) = common::handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    assert!(!c.obj.session_reused());
}
