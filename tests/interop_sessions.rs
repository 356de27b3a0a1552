//! Sessions and SNI against real peers on loopback: Python's `ssl` module resuming
//! against our server and serving our client, `openssl s_client -reconnect`, and
//! `openssl s_client -servername` against two virtual hosts.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::{cert_path, client_ctx, server_ctx};
use sslcontext::{SslContext, WrapOptions};

/// Serves `count` connections: handshake, send `hello`, read until the client closes.
/// Returns (listening port, thread handle yielding each connection's session_reused).
fn serve(ctx: SslContext, count: usize) -> (u16, thread::JoinHandle<Vec<bool>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let mut reused = Vec::new();
        for _ in 0..count {
            let Ok((stream, _)) = listener.accept() else {
                break;
            };
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let Ok(mut tls) = ctx.wrap_socket(stream, WrapOptions::server()) else {
                reused.push(false);
                continue;
            };
            reused.push(tls.session_reused());
            let _ = tls.sendall(b"hello");
            let mut buf = [0u8; 1024];
            while let Ok(n) = tls.recv_into(&mut buf) {
                if n == 0 {
                    break;
                }
            }
        }
        reused
    });
    (port, handle)
}

fn python(script: &str, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("peer.py");
    std::fs::write(&path, script).unwrap();
    Command::new("python3")
        .arg(&path)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

const PY_CLIENT: &str = r#"
import json, socket, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=cafile)
out = []
session = None
for i in range(2):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            data = s.recv(5)
            out.append({"reused": s.session_reused, "version": s.version(), "data": data.decode()})
            session = s.session
print(json.dumps(out))
"#;

#[test]
fn python_client_resumes_against_our_server() {
    if !common::have_peer("python3") {
        return;
    }
    for max in [None, Some(sslcontext::TlsVersion::TLSv1_2)] {
        let server = server_ctx("leaf-ec");
        if let Some(v) = max {
            server.set_maximum_version(v).unwrap();
        }
        let (port, handle) = serve(server.clone(), 2);
        let root = cert_path("pki/root-ec.pem");
        let out = python(PY_CLIENT, &[&port.to_string(), root.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "python failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        assert_eq!(v[0]["reused"], false, "{v}");
        assert_eq!(v[1]["reused"], true, "Python did not resume: {v}");
        assert_eq!(v[1]["data"], "hello");
        assert_eq!(handle.join().unwrap(), vec![false, true]);
        assert_eq!(server.session_stats().hits, 1);
    }
}

const PY_SERVER: &str = r#"
import json, socket, ssl, sys
certfile, keyfile, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(certfile, keyfile)
if len(sys.argv) > 4:
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
srv = socket.create_server(("127.0.0.1", 0))
print(srv.getsockname()[1], flush=True)
for i in range(count):
    conn, _ = srv.accept()
    conn.settimeout(10)
    with ctx.wrap_socket(conn, server_side=True) as s:
        s.sendall(b"hello")
        try:
            while s.recv(1024):
                pass
        except (ssl.SSLError, OSError):
            pass
        print(json.dumps({"reused": s.session_reused}), flush=True)
"#;

#[test]
fn our_client_resumes_against_a_python_server() {
    if !common::have_peer("python3") {
        return;
    }
    for tls12 in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.py");
        std::fs::write(&path, PY_SERVER).unwrap();
        let mut cmd = Command::new("python3");
        cmd.arg(&path)
            .arg(cert_path("chains/leaf-ec.chain.pem"))
            .arg(cert_path("pki/leaf-ec.key"))
            .arg("2");
        if tls12 {
            cmd.arg("tls12");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port: u16 = lines.next().unwrap().unwrap().trim().parse().unwrap();
        let client = client_ctx(&["root-ec"]);
        let mut session = None;
        let mut reused = Vec::new();
        for _ in 0..2 {
            let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
            tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut opts = WrapOptions::client("localhost");
            opts.session = session.take();
            let mut tls = client.wrap_socket(tcp, opts).unwrap();
            assert_eq!(tls.recv(5).unwrap(), b"hello");
            reused.push(tls.session_reused());
            session = tls.sslobj().session();
            let _ = tls.unwrap();
        }
        let peer: Vec<String> = lines.take(2).map(|l| l.unwrap()).collect();
        let _ = child.wait();
        assert_eq!(reused, vec![false, true], "tls12={tls12}");
        assert!(peer[1].contains("true"), "python side: {peer:?}");
    }
}

#[test]
fn openssl_s_client_reconnect_resumes() {
    if !common::have_peer("openssl") {
        return;
    }
    let server = server_ctx("leaf-ec");
    // s_client -reconnect: the first connection plus five resumptions.
    let (port, handle) = serve(server.clone(), 6);
    let out = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-reconnect",
        ])
        .arg("-CAfile")
        .arg(cert_path("pki/root-ec.pem"))
        .args(["-servername", "localhost", "-tls1_2"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let reused_lines = text.lines().filter(|l| l.starts_with("Reused,")).count();
    let reused = handle.join().unwrap();
    assert_eq!(reused.len(), 6, "{text}");
    assert!(reused_lines >= 5, "s_client did not resume: {text}");
    assert_eq!(reused.iter().filter(|r| **r).count(), 5);
}

#[test]
fn openssl_s_client_servername_picks_the_virtual_host() {
    if !common::have_peer("openssl") {
        return;
    }
    let default_host = server_ctx("leaf-ec");
    let other_host = server_ctx("leaf-rsa");
    let target = other_host.clone();
    default_host
        .set_sni_callback(Some(Arc::new(move |obj, name, _ctx| {
            if name == Some("rsa.example") {
                obj.set_context(&target);
            }
            Ok(None)
        })))
        .unwrap();
    let (port, handle) = serve(default_host, 2);
    let mut subjects = Vec::new();
    for name in ["rsa.example", "localhost"] {
        let mut child = Command::new("openssl")
            .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
            .args(["-servername", name, "-showcerts"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let subject = text
            .lines()
            .find(|l| l.trim_start().starts_with("0 s:"))
            .unwrap_or_default()
            .to_string();
        subjects.push(subject);
    }
    handle.join().unwrap();
    let rsa_cn = leaf_cn("leaf-rsa");
    let ec_cn = leaf_cn("leaf-ec");
    assert!(subjects[0].contains(&rsa_cn), "{subjects:?} vs {rsa_cn}");
    assert!(subjects[1].contains(&ec_cn), "{subjects:?} vs {ec_cn}");
    let _ = std::io::stdout().flush();
}

/// The leaf's commonName from the recorded decode.json.
fn leaf_cn(id: &str) -> String {
    let doc = common::conformance("decode.json");
    let key = format!("certs/pki/{id}.pem");
    let subject = &doc["certs"][&key]["value"]["subject"];
    subject
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|rdn| rdn.as_array().unwrap().iter())
        .find(|pair| pair[0] == "commonName")
        .map(|pair| pair[1].as_str().unwrap().to_string())
        .unwrap()
}
