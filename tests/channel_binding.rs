//! `get_channel_binding('tls-unique')` (RFC 5929): the verify_data of the handshake's
//! first Finished message, which rustls does not expose and the connection recovers
//! from its handshake records and secrets.
//!
//! * Our client against our server, in memory: both ends agree, with the length
//!   OpenSSL gives (12 in TLS 1.2, the suite's hash length in TLS 1.3), for every
//!   suite family, full and resumed handshakes, with a client certificate, after a
//!   HelloRetryRequest, and with `keylog_filename` set (the key log still gets every
//!   line).
//! * Against CPython's own `_ssl` (OpenSSL) over loopback, both directions: the bytes
//!   are the ones OpenSSL computes, for TLS 1.2 and 1.3, full and resumed, SHA-256 and
//!   SHA-384 suites, with client certificates and a HelloRetryRequest (TLS 1.3 suites
//!   and groups are forced on the OpenSSL side through an `OPENSSL_CONF` file, as
//!   CPython's `ssl` has no setter for them).

mod common;
#[path = "common/peers.rs"]
mod peers;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

use common::{cert_path, client_ctx, handshake, pair, server_ctx, transfer, Side};
use serde_json::{json, Value};
use sslcontext::{SslContext, SslSession, TlsVersion, VerifyMode, WrapOptions};

fn unique(side: &Side) -> Vec<u8> {
    side.obj
        .get_channel_binding("tls-unique")
        .unwrap()
        .expect("tls-unique after the handshake")
}

/// One in-memory connection (offering `session`), handshake done, and a byte from
/// the server read by the client (it carries TLS 1.3 tickets).
fn connect(client: &SslContext, server: &SslContext, session: Option<SslSession>) -> (Side, Side) {
    let (mut c, mut s) = pair(client, server, Some("localhost"));
    if let Some(session) = session {
        c.obj.set_session(session).unwrap();
    }
    assert_eq!(c.obj.get_channel_binding("tls-unique").unwrap(), None);
    assert_eq!(s.obj.get_channel_binding("tls-unique").unwrap(), None);
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    s.obj.write(b"x").unwrap();
    transfer(&c, &s);
    assert_eq!(c.obj.read(1).unwrap(), b"x");
    (c, s)
}

/// A full then a resumed handshake: returns the two bindings (checked equal on both
/// ends, of `len` bytes, under `cipher`).
fn full_then_resumed(client: &SslContext, server: &SslContext, cipher: &str, len: usize) {
    let (c1, s1) = connect(client, server, None);
    assert_eq!(c1.obj.cipher().unwrap().0, cipher);
    assert!(!c1.obj.session_reused());
    let full = unique(&c1);
    assert_eq!(full, unique(&s1), "{cipher}: client and server differ");
    assert_eq!(full.len(), len, "{cipher}");

    let (c2, s2) = connect(client, server, c1.obj.session());
    assert!(c2.obj.session_reused(), "{cipher}: not resumed");
    assert!(s2.obj.session_reused());
    let resumed = unique(&c2);
    assert_eq!(
        resumed,
        unique(&s2),
        "{cipher}: resumed, client and server differ"
    );
    assert_eq!(resumed.len(), len);
    assert_ne!(resumed, full);

    let (c3, s3) = connect(client, server, None);
    assert_ne!(unique(&c3), full, "{cipher}: not unique");
    assert_eq!(unique(&c3), unique(&s3));
    // Asking twice gives the same bytes (nothing is consumed).
    assert_eq!(unique(&c3), unique(&c3));
}

#[test]
fn tls13_ours_both_ends() {
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    full_then_resumed(&client, &server, "TLS_AES_256_GCM_SHA384", 48);
}

#[test]
fn tls12_ours_both_ends_every_suite_family() {
    for (cipher, leaf, root) in [
        ("ECDHE-ECDSA-AES128-GCM-SHA256", "leaf-ec", "root-ec"),
        ("ECDHE-ECDSA-AES256-GCM-SHA384", "leaf-ec", "root-ec"),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", "leaf-ec", "root-ec"),
        ("ECDHE-RSA-AES256-GCM-SHA384", "leaf-rsa", "root-rsa"),
    ] {
        let server = server_ctx(leaf);
        let client = client_ctx(&[root]);
        client.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
        client.set_ciphers(cipher).unwrap();
        full_then_resumed(&client, &server, cipher, 12);
    }
}

/// The server's context trusting the test roots and requiring a client certificate;
/// the client's loading `client-ec`.
fn with_client_cert(server: &SslContext, client: &SslContext) {
    server.set_verify_mode(VerifyMode::CertRequired).unwrap();
    server
        .load_verify_locations(Some(&cert_path("bundles/roots.pem")), None, None)
        .unwrap();
    client
        .load_cert_chain(
            cert_path("chains/client-ec.chain.pem"),
            Some(&cert_path("pki/client-ec.key")),
            None,
        )
        .unwrap();
}

#[test]
fn client_certificate_flights() {
    // The client's Finished then follows its Certificate and CertificateVerify (TLS
    // 1.3: several encrypted records before it).
    for tls12 in [false, true] {
        let server = server_ctx("leaf-ec");
        let client = client_ctx(&["root-ec"]);
        with_client_cert(&server, &client);
        if tls12 {
            client.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
        }
        let (c, s) = connect(&client, &server, None);
        assert!(s.obj.getpeercert_der().unwrap().is_some());
        assert_eq!(unique(&c), unique(&s));
        assert_eq!(unique(&c).len(), if tls12 { 12 } else { 48 });
    }
}

#[test]
fn after_a_hello_retry_request() {
    // The server takes P-384 only; the client's first key share is X25519, so it sends
    // a second ClientHello (after a ChangeCipherSpec) before its encrypted flight.
    let server = server_ctx("leaf-ec");
    server.set_ecdh_curve("secp384r1").unwrap();
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let mut from_client = Vec::new();
    for _ in 0..20 {
        let cr = c.obj.do_handshake();
        let bytes = c.outgoing.read(None);
        from_client.extend_from_slice(&bytes);
        s.incoming.write(&bytes).unwrap();
        let sr = s.obj.do_handshake();
        c.incoming.write(&s.outgoing.read(None)).unwrap();
        if cr.is_ok() && sr.is_ok() {
            break;
        }
    }
    let mut hellos = 0;
    let mut rest = &from_client[..];
    while rest.len() >= 6 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        if rest[0] == 22 && rest[5] == 1 {
            hellos += 1;
        }
        rest = &rest[(5 + len).min(rest.len())..];
    }
    assert_eq!(hellos, 2, "no HelloRetryRequest happened");
    assert_eq!(unique(&c), unique(&s));
    assert_eq!(unique(&c).len(), 48);
}

#[test]
fn keylog_file_still_gets_every_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("keys.log");
    for tls12 in [false, true] {
        let server = server_ctx("leaf-ec");
        let client = client_ctx(&["root-ec"]);
        client.set_keylog_filename(Some(&log)).unwrap();
        server.set_keylog_filename(Some(&log)).unwrap();
        if tls12 {
            client.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
        }
        let (c, s) = connect(&client, &server, None);
        assert_eq!(unique(&c), unique(&s));
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let count = |label: &str| {
        text.lines()
            .filter(|l| l.starts_with(&format!("{label} ")))
            .count()
    };
    // TLS 1.3: five secrets from each end; TLS 1.2: the master secret from each end.
    for label in [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
        "EXPORTER_SECRET",
        "CLIENT_RANDOM",
    ] {
        assert_eq!(count(label), 2, "{label}:\n{text}");
    }
}

#[test]
fn before_and_after_failed_handshakes() {
    let server = server_ctx("other-leaf");
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    assert!(cr.is_err() && sr.is_err());
    assert_eq!(c.obj.get_channel_binding("tls-unique").unwrap(), None);
    assert_eq!(s.obj.get_channel_binding("tls-unique").unwrap(), None);
    assert_eq!(
        c.obj
            .get_channel_binding("tls-server-end-point")
            .unwrap_err()
            .to_string(),
        "'tls-server-end-point' channel binding type not implemented"
    );
}

#[test]
fn over_a_socket() {
    // The same bytes through SslSocket (a stream under the same SslObject).
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    let t = std::thread::spawn(move || {
        let mut s = server.wrap_socket(b, WrapOptions::server()).unwrap();
        let cb = s.sslobj().get_channel_binding("tls-unique").unwrap();
        s.sendall(b"x").unwrap();
        cb
    });
    let mut c = client
        .wrap_socket(a, WrapOptions::client("localhost"))
        .unwrap();
    assert_eq!(c.recv(1).unwrap(), b"x");
    let ours = c.sslobj().get_channel_binding("tls-unique").unwrap();
    assert_eq!(ours, t.join().unwrap());
    assert_eq!(ours.unwrap().len(), 48);
}

// ------------------------------------------------------- against CPython's OpenSSL

/// An `OPENSSL_CONF` file limiting OpenSSL's TLS 1.3 suites to `suite` (and its
/// groups to P-384 when `p384`), in `dir`.
fn openssl_conf(dir: &std::path::Path, suite: &str, p384: bool) -> std::path::PathBuf {
    let path = dir.join("openssl.cnf");
    let mut text = format!(
        "openssl_conf = default_conf\n[default_conf]\nssl_conf = ssl_sect\n[ssl_sect]\n\
         system_default = system_default_sect\n[system_default_sect]\nCiphersuites = {suite}\n"
    );
    if p384 {
        text.push_str("Groups = P-384\n");
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// One cross-check: the TLS version, the suite (OpenSSL's name for TLS 1.2, IANA's
/// for TLS 1.3), whether the client sends a certificate, and whether the server
/// takes P-384 only (a TLS 1.3 client's first key share is X25519, so the server
/// answers with a HelloRetryRequest).
#[derive(Clone, Copy, Debug)]
struct Case {
    tls12: bool,
    suite: &'static str,
    client_cert: bool,
    hrr: bool,
}

const CASES: &[Case] = &[
    Case {
        tls12: false,
        suite: "TLS_AES_128_GCM_SHA256",
        client_cert: true,
        hrr: true,
    },
    Case {
        tls12: false,
        suite: "TLS_AES_256_GCM_SHA384",
        client_cert: false,
        hrr: false,
    },
    Case {
        tls12: false,
        suite: "TLS_AES_128_GCM_SHA256",
        client_cert: false,
        hrr: false,
    },
    Case {
        tls12: false,
        suite: "TLS_CHACHA20_POLY1305_SHA256",
        client_cert: true,
        hrr: false,
    },
    Case {
        tls12: true,
        suite: "ECDHE-ECDSA-AES256-GCM-SHA384",
        client_cert: false,
        hrr: false,
    },
    Case {
        tls12: true,
        suite: "ECDHE-ECDSA-AES128-GCM-SHA256",
        client_cert: true,
        hrr: false,
    },
    Case {
        tls12: true,
        suite: "ECDHE-ECDSA-CHACHA20-POLY1305",
        client_cert: false,
        hrr: false,
    },
];

/// What both Python scripts share: the context from the JSON config.
const PY_COMMON: &str = r#"
import json, socket, ssl, sys
cfg = json.loads(sys.argv[1])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if cfg["server"] else ssl.PROTOCOL_TLS_CLIENT)
if cfg["server"]:
    ctx.load_cert_chain(cfg["certfile"], cfg["keyfile"])
    if cfg["client_cert"]:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cfg["cafile"])
else:
    ctx.load_verify_locations(cfg["cafile"])
    if cfg["client_cert"]:
        ctx.load_cert_chain(cfg["certfile"], cfg["keyfile"])
if cfg["tls12"]:
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(cfg["suite"])

def facts(s):
    cb = s.get_channel_binding("tls-unique")
    return {"cb": cb.hex() if cb is not None else None, "version": s.version(),
            "cipher": s.cipher()[0], "reused": s.session_reused,
            "openssl": ssl.OPENSSL_VERSION}
"#;

/// Python (OpenSSL) serving: each connection sends its facts as a JSON line.
const PY_SERVER: &str = r#"
srv = socket.create_server(("127.0.0.1", 0))
print(json.dumps({"port": srv.getsockname()[1]}), flush=True)
for i in range(cfg["count"]):
    conn, _ = srv.accept()
    conn.settimeout(10)
    with ctx.wrap_socket(conn, server_side=True) as s:
        s.sendall(json.dumps(facts(s)).encode() + b"\n")
        try:
            while s.recv(1024):
                pass
        except (ssl.SSLError, OSError):
            pass
"#;

/// Python (OpenSSL) as client, resuming: prints its facts per connection.
const PY_CLIENT: &str = r#"
session = None
for i in range(cfg["count"]):
    with socket.create_connection(("127.0.0.1", cfg["port"]), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            print(json.dumps(facts(s)), flush=True)
            session = s.session
"#;

fn py_config(case: Case, server: bool) -> Value {
    let (cert, key) = if server {
        ("chains/leaf-ec.chain.pem", "pki/leaf-ec.key")
    } else {
        ("chains/client-ec.chain.pem", "pki/client-ec.key")
    };
    json!({
        "server": server,
        "certfile": peers::cert(cert),
        "keyfile": peers::cert(key),
        "cafile": peers::cert(if server { "bundles/roots.pem" } else { "pki/root-ec.pem" }),
        "client_cert": case.client_cert,
        "tls12": case.tls12,
        "suite": case.suite,
        "count": 2,
    })
}

/// `python3 -u script config` with OpenSSL's TLS 1.3 suites limited to the case's.
fn spawn_python(case: Case, script: &str, config: &Value) -> peers::Peer {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("peer.py");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(format!("{PY_COMMON}{script}").as_bytes()))
        .unwrap();
    let tls13_suite = if case.tls12 {
        "TLS_AES_256_GCM_SHA384"
    } else {
        case.suite
    };
    let server = config["server"] == json!(true);
    let conf = openssl_conf(dir.path(), tls13_suite, case.hrr && server);
    let mut cmd = Command::new("python3");
    cmd.arg("-u")
        .arg(&path)
        .arg(config.to_string())
        .env("OPENSSL_CONF", conf);
    peers::Peer::spawn(cmd, dir)
}

/// Our context for `case` on one side.
fn our_ctx(case: Case, server: bool) -> SslContext {
    let (server_ctx_, client_ctx_) = (server_ctx("leaf-ec"), client_ctx(&["root-ec"]));
    if case.client_cert {
        with_client_cert(&server_ctx_, &client_ctx_);
    }
    let ctx = if server { server_ctx_ } else { client_ctx_ };
    if case.hrr && server {
        ctx.set_ecdh_curve("secp384r1").unwrap();
    }
    if case.tls12 {
        ctx.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
        ctx.set_ciphers(case.suite).unwrap();
    }
    ctx
}

fn expected_len(case: Case) -> usize {
    match (case.tls12, case.suite.contains("SHA384")) {
        (true, _) => 12,
        (false, true) => 48,
        (false, false) => 32,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks one connection's facts from both ends.
fn check(case: Case, i: usize, py: &Value, ours: &[u8], our_cipher: &str, our_reused: bool) {
    let what = format!("{case:?} connection {i}: python {py}");
    assert!(
        py["openssl"].as_str().unwrap_or("").starts_with("OpenSSL"),
        "the peer must be CPython on OpenSSL: {what}"
    );
    assert_eq!(py["reused"], json!(i == 1), "{what}");
    assert_eq!(our_reused, i == 1, "{what}");
    assert_eq!(
        py["version"],
        if case.tls12 { "TLSv1.2" } else { "TLSv1.3" }
    );
    assert_eq!(py["cipher"], case.suite, "{what}");
    assert_eq!(our_cipher, case.suite, "{what}");
    assert_eq!(ours.len(), expected_len(case), "{what}");
    assert_eq!(
        py["cb"],
        hex(ours),
        "{what}: OpenSSL's tls-unique differs from ours"
    );
    eprintln!(
        "{} {}{}{} {}: OpenSSL {} = ours {}",
        py["version"].as_str().unwrap_or(""),
        case.suite,
        if case.client_cert {
            " +client-cert"
        } else {
            ""
        },
        if case.hrr { " +HRR" } else { "" },
        if i == 1 { "resumed" } else { "full" },
        py["cb"].as_str().unwrap_or(""),
        hex(ours)
    );
}

fn our_client_against_python_server(case: Case) {
    let mut peer = spawn_python(case, PY_SERVER, &py_config(case, true));
    let Some(port) = peer.json_line().and_then(|v| v["port"].as_u64()) else {
        panic!("python server did not start: {}", peer.stderr_text());
    };
    let client = our_ctx(case, false);
    let mut session = None;
    let mut seen = Vec::new();
    for i in 0..2 {
        let tcp = peers::connect_retry(u16::try_from(port).unwrap());
        let mut opts = WrapOptions::client("localhost");
        opts.session = session.take();
        let mut tls = client.wrap_socket(tcp, opts).unwrap();
        let mut line = Vec::new();
        while !line.ends_with(b"\n") {
            let chunk = tls.recv(4096).unwrap();
            assert!(
                !chunk.is_empty(),
                "python closed early: {}",
                peer.stderr_text()
            );
            line.extend_from_slice(&chunk);
        }
        let py: Value = serde_json::from_slice(&line).unwrap();
        let ours = tls
            .sslobj()
            .get_channel_binding("tls-unique")
            .unwrap()
            .unwrap();
        let cipher = tls.sslobj().cipher().unwrap().0;
        check(case, i, &py, &ours, &cipher, tls.sslobj().session_reused());
        seen.push(ours);
        session = tls.sslobj().session();
        let _ = tls.unwrap();
    }
    assert_ne!(seen[0], seen[1]);
    peer.finish();
}

fn python_client_against_our_server(case: Case) {
    let server = our_ctx(case, true);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let serving = std::thread::spawn(move || {
        let mut out = Vec::new();
        for _ in 0..2 {
            let (tcp, _): (TcpStream, _) = listener.accept().unwrap();
            tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let mut tls = server.wrap_socket(tcp, WrapOptions::server()).unwrap();
            let cb = tls
                .sslobj()
                .get_channel_binding("tls-unique")
                .unwrap()
                .unwrap();
            let cipher = tls.sslobj().cipher().unwrap().0;
            out.push((cb, cipher, tls.session_reused()));
            tls.sendall(b"ok\n").unwrap();
            let mut buf = [0u8; 256];
            while tls.recv_into(&mut buf).is_ok_and(|n| n > 0) {}
        }
        out
    });
    let mut config = py_config(case, false);
    config["port"] = json!(port);
    let mut peer = spawn_python(case, PY_CLIENT, &config);
    let py: Vec<Value> = (0..2).filter_map(|_| peer.json_line()).collect();
    assert_eq!(py.len(), 2, "python client: {}", peer.stderr_text());
    peer.finish();
    let ours = serving.join().unwrap();
    for (i, (py, (cb, cipher, reused))) in py.iter().zip(&ours).enumerate() {
        check(case, i, py, cb, cipher, *reused);
    }
}

#[test]
fn equals_openssl_with_python_as_server() {
    if !common::have_peer("python3") {
        return;
    }
    for &case in CASES {
        our_client_against_python_server(case);
    }
}

#[test]
fn equals_openssl_with_python_as_client() {
    if !common::have_peer("python3") {
        return;
    }
    for &case in CASES {
        python_client_against_our_server(case);
    }
}
