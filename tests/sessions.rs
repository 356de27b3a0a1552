//! Client sessions (`SSLSession`), resumption and `session_stats()`.

mod common;

use common::{client_ctx, handshake, server_ctx, transfer, Side};
use sslcontext::{MemoryBio, WrapOptions};
use sslcontext::{Options, SslContext, SslSession, TlsVersion};

fn connect(
    client: &SslContext,
    server: &SslContext,
    host: &str,
    session: Option<SslSession>,
) -> (Side, Side) {
    let (ci, co, si, so) = (
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
    );
    let mut opts = WrapOptions::client(host);
    opts.session = session;
    let c = client.wrap_bio(&ci, &co, opts).unwrap();
    let s = server.wrap_bio(&si, &so, WrapOptions::server()).unwrap();
    let mut c = Side {
        obj: c,
        incoming: ci,
        outgoing: co,
    };
    let mut s = Side {
        obj: s,
        incoming: si,
        outgoing: so,
    };
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    // Data from the server carries the TLS 1.3 tickets to the client.
    s.obj.write(b"hello").unwrap();
    transfer(&c, &s);
    assert_eq!(c.obj.read(10).unwrap(), b"hello");
    (c, s)
}

#[test]
fn tls13_ticket_resumption() {
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    let (c1, s1) = connect(&client, &server, "localhost", None);
    assert!(!c1.obj.session_reused() && !s1.obj.session_reused());
    let session = c1.obj.session().expect("client session");
    assert!(session.has_ticket());
    // A setter that does not touch verification keeps the session usable.
    client.set_alpn_protocols(&["h2"]).unwrap();
    assert_eq!(session.id().len(), 32);
    assert_eq!(session.timeout(), 7200);
    assert!(session.time() > 1_600_000_000);
    let (c2, s2) = connect(&client, &server, "localhost", Some(session.clone()));
    assert!(c2.obj.session_reused(), "client did not resume");
    assert!(s2.obj.session_reused(), "server did not resume");
    // TLS 1.3: the resumed connection has new tickets, so a different session.
    assert_ne!(c2.obj.session().unwrap(), session);
    // The server sent two tickets: the first session resumes a second time.
    let (c3, _) = connect(&client, &server, "localhost", Some(session.clone()));
    assert!(c3.obj.session_reused());
    let cs = client.session_stats();
    assert_eq!((cs.connect, cs.connect_good, cs.hits), (3, 3, 2));
    let ss = server.session_stats();
    assert_eq!((ss.accept, ss.accept_good, ss.hits), (3, 3, 2));
}

#[test]
fn tls12_session_resumes_with_the_same_id() {
    for no_ticket in [false, true] {
        let server = server_ctx("leaf-ec");
        if no_ticket {
            server
                .set_options(server.options() | Options::OP_NO_TICKET)
                .unwrap();
        }
        let client = client_ctx(&["root-ec"]);
        client.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
        let (c1, _) = connect(&client, &server, "localhost", None);
        let session = c1.obj.session().unwrap();
        assert_eq!(session.has_ticket(), !no_ticket, "no_ticket={no_ticket}");
        if no_ticket {
            assert_eq!(session.id().len(), 32, "session id from the ServerHello");
            assert!(server.session_stats().number >= 1);
        }
        let (c2, s2) = connect(&client, &server, "localhost", Some(session.clone()));
        assert!(
            c2.obj.session_reused() && s2.obj.session_reused(),
            "no_ticket={no_ticket}"
        );
        assert_eq!(c2.obj.session().unwrap(), session);
    }
}

#[test]
fn a_session_of_another_context_is_refused() {
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    let (c1, _) = connect(&client, &server, "localhost", None);
    let session = c1.obj.session().unwrap();
    let other = client_ctx(&["root-ec"]);
    let (ci, co) = (MemoryBio::new(), MemoryBio::new());
    let err = other
        .wrap_bio(
            &ci,
            &co,
            WrapOptions::client("localhost").with_session(session.clone()),
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "Session refers to a different SSLContext.");
    assert_eq!(err.python_class(), "ValueError");
    let err = server
        .wrap_bio(&ci, &co, WrapOptions::server().with_session(session))
        .unwrap_err();
    assert_eq!(err.to_string(), "Session refers to a different SSLContext.");
}

#[test]
fn changed_policy_or_name_means_a_full_verified_handshake() {
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    let (c1, _) = connect(&client, &server, "localhost", None);
    let session = c1.obj.session().unwrap();
    // Another server name: not resumed.
    let (c2, _) = connect(&client, &server, "www.example.com", Some(session.clone()));
    assert!(!c2.obj.session_reused());
    assert_eq!(client.session_stats().misses, 1);
    // A change of verification policy: the session is not used, verification runs.
    client
        .load_verify_locations(Some(&common::cert_path("pki/root-rsa.pem")), None, None)
        .unwrap();
    let (c3, _) = connect(&client, &server, "localhost", Some(session));
    assert!(!c3.obj.session_reused());
}

#[test]
fn set_session_rules_and_no_tickets() {
    let server = server_ctx("leaf-ec");
    server.set_num_tickets(0).unwrap();
    let client = client_ctx(&["root-ec"]);
    let (mut c1, _) = connect(&client, &server, "localhost", None);
    let session = c1.obj.session().unwrap();
    assert!(!session.has_ticket());
    assert_eq!(session.id(), b"");
    assert!(!session.is_resumable());
    let err = c1.obj.set_session(session.clone()).unwrap_err();
    assert_eq!(err.to_string(), "Cannot set session after handshake.");
    // Before the handshake, set_session is accepted.
    let (ci, co) = (MemoryBio::new(), MemoryBio::new());
    let mut fresh = client
        .wrap_bio(&ci, &co, WrapOptions::client("localhost"))
        .unwrap();
    assert!(fresh.session().is_none());
    fresh.set_session(session).unwrap();
}
