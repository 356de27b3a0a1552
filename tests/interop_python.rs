//! Interop with CPython's `ssl` module over loopback TCP: Python as server with our
//! client, and Python as client with our server. TLS 1.2 and 1.3; RSA, ECDSA P-256 and
//! Ed25519 server certificates; client certificates; ALPN (with and without overlap);
//! close_notify and ragged EOF in both directions. Both ends' view (version, cipher,
//! ALPN, peer certificate, echoed data, how the close looked) is compared.
#![cfg(feature = "serde")]

mod common;
#[path = "common/peers.rs"]
mod peers;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};
use sslcontext::{Error, SslContext, TlsVersion};
use sslcontext::{PeerCertificate, SslSocket, WrapOptions};

/// One interop scenario, as seen from the server certificate's side.
#[derive(Clone)]
struct Case {
    leaf: &'static str,
    root: &'static str,
    tls12: bool,
    client_cert: Option<&'static str>,
    server_alpn: &'static [&'static str],
    client_alpn: &'static [&'static str],
    expect_alpn: Option<&'static str>,
    /// Which end closes, and how: "server_close", "server_ragged", "client_close",
    /// "client_ragged".
    close: &'static str,
}

const BASE: Case = Case {
    leaf: "leaf-ec",
    root: "root-ec",
    tls12: false,
    client_cert: None,
    server_alpn: &[],
    client_alpn: &[],
    expect_alpn: None,
    close: "server_close",
};

fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for tls12 in [false, true] {
        for (leaf, root) in [
            ("leaf-rsa", "root-rsa"),
            ("leaf-ec", "root-ec"),
            ("leaf-ed25519", "root-ec"),
        ] {
            v.push(Case {
                leaf,
                root,
                tls12,
                ..BASE
            });
        }
        for cc in ["client-rsa", "client-ec"] {
            v.push(Case {
                tls12,
                client_cert: Some(cc),
                ..BASE
            });
        }
    }
    v.push(Case {
        server_alpn: &["h2", "http/1.1"],
        client_alpn: &["http/1.1", "h2"],
        expect_alpn: Some("h2"),
        ..BASE
    });
    v.push(Case {
        tls12: true,
        server_alpn: &["x", "http/1.1"],
        client_alpn: &["http/1.1"],
        expect_alpn: Some("http/1.1"),
        ..BASE
    });
    v.push(Case {
        server_alpn: &["h2"],
        client_alpn: &["http/1.1"],
        expect_alpn: None,
        ..BASE
    });
    for close in ["server_ragged", "client_close", "client_ragged"] {
        for tls12 in [false, true] {
            v.push(Case {
                close,
                tls12,
                ..BASE
            });
        }
    }
    v
}

fn rust_ctx(case: &Case, server: bool) -> SslContext {
    let ctx = if server {
        let ctx = common::server_ctx(case.leaf);
        if case.client_cert.is_some() {
            ctx.set_verify_mode(sslcontext::VerifyMode::CertRequired)
                .unwrap();
            for r in ["root-rsa", "root-ec"] {
                ctx.load_verify_locations(
                    Some(&common::cert_path(&format!("pki/{r}.pem"))),
                    None,
                    None,
                )
                .unwrap();
            }
        }
        if !case.server_alpn.is_empty() {
            ctx.set_alpn_protocols(case.server_alpn).unwrap();
        }
        ctx
    } else {
        let ctx = common::client_ctx(&[case.root]);
        if let Some(cc) = case.client_cert {
            ctx.load_cert_chain(
                common::cert_path(&format!("chains/{cc}.chain.pem")),
                Some(&common::cert_path(&format!("pki/{cc}.key"))),
                None,
            )
            .unwrap();
        }
        if !case.client_alpn.is_empty() {
            ctx.set_alpn_protocols(case.client_alpn).unwrap();
        }
        ctx
    };
    if case.tls12 {
        ctx.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
    }
    ctx
}

fn py_cfg(case: &Case, server: bool, mode: &str) -> Value {
    let mut cfg = json!({"mode": mode});
    if server {
        cfg["certfile"] = json!(peers::cert(&format!("chains/{}.chain.pem", case.leaf)));
        cfg["keyfile"] = json!(peers::cert(&format!("pki/{}.key", case.leaf)));
        if case.client_cert.is_some() {
            cfg["verify_mode"] = json!("CERT_REQUIRED");
            cfg["cafile"] = json!(peers::cert("bundles/roots.pem"));
        }
        if !case.server_alpn.is_empty() {
            cfg["alpn"] = json!(case.server_alpn);
        }
    } else {
        cfg["cafile"] = json!(peers::cert(&format!("pki/{}.pem", case.root)));
        if let Some(cc) = case.client_cert {
            cfg["certfile"] = json!(peers::cert(&format!("chains/{cc}.chain.pem")));
            cfg["keyfile"] = json!(peers::cert(&format!("pki/{cc}.key")));
        }
        if !case.client_alpn.is_empty() {
            cfg["alpn"] = json!(case.client_alpn);
        }
    }
    if case.tls12 {
        cfg["max_version"] = json!("TLSv1_2");
    }
    cfg
}

/// Our end's summary in the Python script's shape.
fn rust_summary<S: std::io::Read + std::io::Write>(tls: &SslSocket<S>) -> Value {
    let peercert = match tls.getpeercert().unwrap() {
        Some(PeerCertificate::Decoded(info)) => serde_json::to_value(&*info).unwrap(),
        Some(PeerCertificate::NotVerified) => json!({}),
        None => Value::Null,
    };
    let (name, proto, bits) = tls.cipher().expect("cipher");
    json!({"version": tls.version(), "cipher": [name, proto, bits],
           "alpn": tls.selected_alpn_protocol(), "peercert": peercert})
}

/// What `ssl._ssl._test_decode_cert(path)` gives, from Python (cached per path).
fn py_decode(path: &str) -> Value {
    static CACHE: Mutex<BTreeMap<String, Value>> = Mutex::new(BTreeMap::new());
    if let Some(v) = CACHE.lock().unwrap().get(path) {
        return v.clone();
    }
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg("import json,ssl,sys; print(json.dumps(ssl._ssl._test_decode_cert(sys.argv[1])))")
        .arg(path)
        .output()
        .expect("python3");
    let v: Value = serde_json::from_slice(&out.stdout).expect("decode json");
    CACHE.lock().unwrap().insert(path.to_string(), v.clone());
    v
}

/// Our view after the echo, per close mode (our side is `server` or not).
fn rust_close<S: std::io::Read + std::io::Write>(
    mut tls: SslSocket<S>,
    close: &str,
    we_are_server: bool,
) -> Value {
    let we_close = close.starts_with(if we_are_server { "server" } else { "client" });
    let ragged = close.ends_with("ragged");
    match (we_close, ragged) {
        (true, false) => match tls.unwrap() {
            Ok(_) => json!({"closed": "unwrap ok"}),
            Err(e) => json!({"error": e.to_string()}),
        },
        (true, true) => {
            drop(tls);
            json!({"closed": "ragged"})
        }
        (false, false) => {
            let after = tls.recv(1024).unwrap();
            let unwrap = tls.unwrap().map(|_| "ok").map_err(|e| e.to_string());
            json!({"after": hex(&after), "unwrap": format!("{unwrap:?}")})
        }
        (false, true) => match tls.recv(1024) {
            Ok(d) => json!({"after": hex(&d)}),
            Err(e) => json!({"after_error": {"type": e.python_class(), "reason": e.reason()}}),
        },
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Checks one end's close report against the mode.
fn check_close(report: &Value, close: &str, is_server: bool, who: &str) {
    let we_close = close.starts_with(if is_server { "server" } else { "client" });
    let ragged = close.ends_with("ragged");
    match (we_close, ragged) {
        (true, false) => assert_eq!(report["closed"], "unwrap ok", "{who}: {report}"),
        (true, true) => assert_eq!(report["closed"], "ragged", "{who}: {report}"),
        (false, false) => {
            assert_eq!(
                report["after"], "",
                "{who}: close_notify reads as b'': {report}"
            )
        }
        (false, true) => {
            let e = &report["after_error"];
            assert!(
                e["type"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with("SSLEOFError"),
                "{who}: ragged EOF must be SSLEOFError: {report}"
            );
            assert_eq!(
                e["reason"], "UNEXPECTED_EOF_WHILE_READING",
                "{who}: {report}"
            );
        }
    }
}

fn check_common(case: &Case, ours: &Value, theirs: &Value, we_are_server: bool) {
    let tag = format!(
        "{} tls12={} cc={:?} alpn={:?} close={} (ours server={we_are_server})",
        case.leaf, case.tls12, case.client_cert, case.client_alpn, case.close
    );
    let version = if case.tls12 { "TLSv1.2" } else { "TLSv1.3" };
    assert_eq!(ours["version"], version, "{tag}: {ours}");
    assert_eq!(theirs["version"], version, "{tag}: {theirs}");
    assert_eq!(ours["cipher"], theirs["cipher"], "{tag}");
    assert_eq!(ours["alpn"], json!(case.expect_alpn), "{tag}");
    assert_eq!(theirs["alpn"], json!(case.expect_alpn), "{tag}");
    // Peer certificates: each side sees the other's leaf as CPython decodes it.
    let server_leaf = py_decode(&peers::cert(&format!("pki/{}.pem", case.leaf)));
    let client_leaf = case
        .client_cert
        .map(|cc| py_decode(&peers::cert(&format!("pki/{cc}.pem"))));
    let (client_view, server_view) = if we_are_server {
        (theirs, ours)
    } else {
        (ours, theirs)
    };
    assert_eq!(
        client_view["peercert"], server_leaf,
        "{tag}: client's peercert"
    );
    assert_eq!(
        server_view["peercert"],
        client_leaf.unwrap_or(Value::Null),
        "{tag}: server's peercert"
    );
}

/// Python server, our client.
fn run_python_server(case: &Case) {
    let mut peer = peers::python(
        &format!("{}{}", peers::PY_COMMON, peers::PY_SERVER),
        &py_cfg(case, true, &py_mode(case, true)),
    );
    let port = peer.json_line().expect("port line")["port"]
        .as_u64()
        .expect("port") as u16;
    let stream = peers::connect_retry(port);
    let ctx = rust_ctx(case, false);
    let opts = WrapOptions {
        suppress_ragged_eofs: false,
        do_handshake_on_connect: false,
        ..WrapOptions::client("localhost")
    };
    let mut tls = ctx.wrap_socket(stream, opts).unwrap();
    tls.settimeout(Some(Duration::from_secs(20))).unwrap();
    tls.do_handshake().unwrap();
    let ours = rust_summary(&tls);
    let theirs = peer.json_line().expect("python summary");
    check_common(case, &ours, &theirs, false);
    tls.sendall(b"hello").unwrap();
    let mut got = Vec::new();
    for _ in 0..100 {
        if got.len() >= 10 {
            break;
        }
        let chunk = tls.recv(1024).unwrap();
        if chunk.is_empty() {
            break;
        }
        got.extend(chunk);
    }
    assert_eq!(got, b"echo:hello");
    assert_eq!(
        peer.json_line().expect("received")["received"],
        hex(b"hello")
    );
    let our_close = rust_close(tls, case.close, false);
    let their_close = peer.json_line().expect("python close report");
    check_close(&our_close, case.close, false, "rust client");
    check_close(&their_close, case.close, true, "python server");
    peer.finish();
}

/// Python's mode name for its `after()`.
fn py_mode(case: &Case, python_is_server: bool) -> String {
    let python_closes = case
        .close
        .starts_with(if python_is_server { "server" } else { "client" });
    let ragged = case.close.ends_with("ragged");
    match (python_closes, ragged) {
        (true, false) => "we_close",
        (true, true) => "we_ragged",
        (false, false) => "peer_closes",
        (false, true) => "peer_ragged",
    }
    .to_string()
}

/// Python client, our server.
fn run_python_client(case: &Case) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let ctx = rust_ctx(case, true);
    let close = case.close;
    let server = std::thread::spawn(move || -> Result<(Value, Value), Error> {
        let (stream, _) = listener.accept().map_err(Error::Io)?;
        let opts = WrapOptions {
            suppress_ragged_eofs: false,
            do_handshake_on_connect: false,
            ..WrapOptions::server()
        };
        let mut tls = ctx.wrap_socket(stream, opts)?;
        tls.settimeout(Some(Duration::from_secs(20)))?;
        tls.do_handshake()?;
        let summary = rust_summary(&tls);
        let data = tls.recv(1024)?;
        let mut reply = b"echo:".to_vec();
        reply.extend(&data);
        tls.sendall(&reply)?;
        let mut summary = summary;
        summary["received"] = json!(hex(&data));
        Ok((summary, rust_close(tls, close, true)))
    });
    let mut cfg = py_cfg(case, false, &py_mode(case, false));
    cfg["port"] = json!(port);
    let mut peer = peers::python(&format!("{}{}", peers::PY_COMMON, peers::PY_CLIENT), &cfg);
    let theirs = peer.json_line().expect("python summary");
    let received = peer.json_line().expect("python received");
    let their_close = peer.json_line().expect("python close report");
    peer.finish();
    let (ours, our_close) = server.join().expect("server thread").expect("our server");
    check_common(case, &ours, &theirs, true);
    assert_eq!(ours["received"], hex(b"ping"));
    assert_eq!(received["received"], hex(b"echo:ping"));
    check_close(&our_close, case.close, true, "rust server");
    check_close(&their_close, case.close, false, "python client");
}

#[test]
fn python_server_our_client() {
    if !common::have_peer("python3") {
        return;
    }
    let all = cases();
    for case in &all {
        run_python_server(case);
    }
    eprintln!("python server: {} scenarios", all.len());
}

#[test]
fn python_client_our_server() {
    if !common::have_peer("python3") {
        return;
    }
    let all = cases();
    for case in &all {
        run_python_client(case);
    }
    eprintln!("python client: {} scenarios", all.len());
}
