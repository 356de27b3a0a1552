//! The tlslite-ng (0.8) interop matrix (docs/INTEROP.md), both directions, over
//! 127.0.0.1.
//!
//! `tlslite_server_*`: a tlslite-ng server (a small script on its `TLSConnection` API)
//! and the `sslctx connect` client. `tlslite_client_*`: a tlslite-ng client script
//! and our server (the library, in-process). The scripts print what tlslite saw as
//! JSON lines; each test is one cell of the matrix, where both sides must agree.

mod common;
#[path = "common/interop.rs"]
mod interop;
#[path = "common/peers.rs"]
mod peers;

use std::process::Command;

use interop::{certs, End, OurServer, ServerCfg, Ver};
use serde_json::{json, Value};

/// Shared by both scripts: config, JSON output, the commonName of a chain's leaf.
const TL_COMMON: &str = r#"
import json, socket, sys
from tlslite.api import *
from tlslite.constants import CipherSuite, KeyUpdateMessageType
from tlslite.utils.cryptomath import getRandomBytes

cfg = json.loads(sys.argv[1])

def out(obj):
    print(json.dumps(obj), flush=True)

def cn(chain):
    if not chain or not chain.x509List:
        return None
    der = bytes(chain.x509List[0].subject)
    i = der.find(b"\x06\x03\x55\x04\x03")
    if i < 0:
        return None
    return der[i + 7:i + 7 + der[i + 6]].decode()

def settings():
    s = HandshakeSettings()
    s.minVersion = s.maxVersion = tuple(cfg["version"])
    return s

def summary(conn):
    s = conn.session
    return {"version": conn.getVersionName(), "cipher": CipherSuite.ietfNames[s.cipherSuite],
            "resumed": conn.resumed, "alpn": s.appProto.decode() if s.appProto else None,
            "sni": s.serverName or None, "client_cn": cn(s.clientCertChain),
            "server_cn": cn(s.serverCertChain)}

def read_line(conn):
    data = b""
    while not data.endswith(b"\n") and len(data) < 1000:
        chunk = conn.read()
        if not chunk:
            break
        data += chunk
    return data

def err(e):
    return {"type": type(e).__name__, "str": str(e)}

def count_keyupdates(conn):
    # The message_type of each KeyUpdate the peer sends (0: update_not_requested,
    # 1: update_requested).
    seen = []
    orig = conn._handle_keyupdate_request
    def handle(request):
        seen.append(request.message_type)
        return orig(request)
    conn._handle_keyupdate_request = handle
    return seen
"#;

/// tlslite-ng server: `cfg["connections"]` clients one after the other on 127.0.0.1.
/// Per connection: its summary (with `"signed"`: whether the server signed anything,
/// which a resumed handshake does not; tlslite's `resumed` stays False for TLS 1.3
/// servers), echo of one line (after a KeyUpdate with update_requested in mode
/// `keyupdate`), then: `ragged` closes the socket without close_notify; otherwise it
/// reads on, reporting how the client ended (`close_notify`: tlslite answers it).
const TL_SERVER: &str = r#"
chain = X509CertChain()
chain.parsePemList(open(cfg["certfile"]).read())
key = parsePEMKey(open(cfg["keyfile"]).read(), private=True, implementations=["python"])
signed = [0]
for name in ("sign", "hashAndSign"):
    orig = getattr(key, name)
    def counting(*a, _orig=orig, **k):
        signed[0] += 1
        return _orig(*a, **k)
    setattr(key, name, counting)
st = settings()
st.ticketKeys = [getRandomBytes(32)]
cache = SessionCache()
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(4)
ls.settimeout(20)
out({"port": ls.getsockname()[1]})
for _ in range(cfg.get("connections", 1)):
    sock, _ = ls.accept()
    sock.settimeout(20)
    conn = TLSConnection(sock)
    keyupdates = count_keyupdates(conn)
    signed[0] = 0
    try:
        conn.handshakeServer(certChain=chain, privateKey=key, reqCert=cfg.get("req_cert", False),
                             sessionCache=cache, settings=st,
                             alpn=[bytearray(a.encode()) for a in cfg.get("alpn", [])] or None)
    except Exception as e:
        out({"handshake_error": err(e)})
        continue
    r = summary(conn)
    r["signed"] = signed[0] > 0
    out(r)
    try:
        data = read_line(conn)
        if cfg.get("mode") == "keyupdate":
            for _ in conn.send_keyupdate_request(KeyUpdateMessageType.update_requested):
                pass
        conn.write(data)
        if cfg.get("mode") == "ragged":
            sock.close()
            out({"received": data.decode(), "end": "ragged", "keyupdates": keyupdates})
            continue
        rest = conn.read()
        out({"received": data.decode(), "end": "close_notify" if rest == b"" else rest.hex(),
             "keyupdates": keyupdates})
    except Exception as e:
        out({"end": err(e)})
"#;

/// tlslite-ng client: `cfg["connections"]` connections to `cfg["port"]` (offering the
/// previous connection's session), each: summary, echo of `cfg["lines"]` (a KeyUpdate
/// with update_requested first in mode `keyupdate`), then by mode: `close` (its
/// close_notify), `ragged` (socket closed without one), `wait` (reads until the
/// server closes, reporting how).
const TL_CLIENT: &str = r#"
chain = key = None
if cfg.get("certfile"):
    chain = X509CertChain()
    chain.parsePemList(open(cfg["certfile"]).read())
    key = parsePEMKey(open(cfg["keyfile"]).read(), private=True, implementations=["python"])
session = None
for _ in range(cfg.get("connections", 1)):
    sock = socket.create_connection(("127.0.0.1", cfg["port"]), timeout=20)
    conn = TLSConnection(sock)
    keyupdates = count_keyupdates(conn)
    try:
        conn.handshakeClientCert(chain, key, session=session, settings=settings(),
                                 serverName=cfg.get("server_name"),
                                 alpn=[bytearray(a.encode()) for a in cfg.get("alpn", [])] or None)
    except Exception as e:
        out({"handshake_error": err(e)})
        sys.exit(0)
    out(summary(conn))
    mode = cfg.get("mode", "close")
    try:
        if mode == "keyupdate":
            for _ in conn.send_keyupdate_request(KeyUpdateMessageType.update_requested):
                pass
        received = b""
        for line in cfg.get("lines", ["hello"]):
            conn.write((line + "\n").encode())
            received += read_line(conn)
        r = {"received": received.decode(), "keyupdates": keyupdates}
        session = conn.session
        if mode == "ragged":
            sock.close()
            r["end"] = "ragged"
        elif mode == "wait":
            try:
                rest = conn.read()
                r["end"] = "close_notify" if rest == b"" else rest.hex()
            except TLSAbruptCloseError as e:
                r["end"] = "TLSAbruptCloseError"
        else:
            conn.close()
            r["end"] = "closed"
        out(r)
    except Exception as e:
        out({"error": err(e)})
"#;

fn have_tlslite() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import tlslite.api"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    common::peer_present(found, "tlslite-ng (python3 -m pip install tlslite-ng)")
}

fn tl_version(ver: Ver) -> Value {
    match ver {
        Ver::Tls12 => json!([3, 3]),
        Ver::Tls13 => json!([3, 4]),
    }
}

fn tl_version_name(ver: Ver) -> &'static str {
    match ver {
        Ver::Tls12 => "TLS 1.2",
        Ver::Tls13 => "TLS 1.3",
    }
}

/// The IANA name of one of our (OpenSSL-named) suites.
fn ietf(ours: &str) -> String {
    match ours {
        "ECDHE-ECDSA-AES256-GCM-SHA384" => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384".into(),
        "ECDHE-ECDSA-AES128-GCM-SHA256" => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".into(),
        "ECDHE-ECDSA-CHACHA20-POLY1305" => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256".into(),
        tls13 if tls13.starts_with("TLS_") => tls13.into(),
        other => panic!("unexpected suite {other}"),
    }
}

/// The lines a script printed after it exited (bounded wait).
fn script_lines(peer: &mut peers::Peer, tag: &str) -> Vec<Value> {
    assert!(
        peer.finish(),
        "{tag}: tlslite script did not exit: {}\n{}",
        peer.stdout_text(),
        peer.stderr_text()
    );
    interop::json_lines(peer.stdout_text().as_bytes())
}

// ---------------------------------------------------------------------------------
// tlslite-ng is the server; `sslctx connect` is ours.

struct ServRun {
    /// Our client's lines.
    ours: Vec<Value>,
    /// The tlslite server's lines (after `{"port"}`): per connection, its summary and
    /// then how it ended.
    theirs: Vec<Value>,
    tag: String,
}

/// The tlslite server (leaf-ec, `ver` only, `cfg` merged into its config) for
/// `connections` clients, and `sslctx connect` (trusting root-ec, `ver` only, `args`).
fn tlslite_serv(ver: Ver, cfg: Value, args: &[&str], connections: usize) -> ServRun {
    let c = certs();
    let mut config = json!({
        "certfile": format!("{c}/chains/leaf-ec.chain.pem"),
        "keyfile": format!("{c}/pki/leaf-ec.key"),
        "version": tl_version(ver),
        "connections": connections,
    });
    for (k, v) in cfg.as_object().unwrap() {
        config[k] = v.clone();
    }
    let tag = format!("tlslite server {ver:?} {cfg} / connect {args:?}");
    let mut peer = peers::python(&format!("{TL_COMMON}{TL_SERVER}"), &config);
    let port = peer
        .json_line()
        .and_then(|v| v["port"].as_u64())
        .unwrap_or_else(|| panic!("{tag}: no port: {}", peer.stderr_text()));
    let mut cmd = Command::new("timeout");
    cmd.args(["60", env!("CARGO_BIN_EXE_sslctx"), "connect"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["--cafile", &format!("{c}/pki/root-ec.pem")])
        .args(["--min-version", ver.arg(), "--max-version", ver.arg()]);
    if !args.contains(&"--server-hostname") {
        cmd.args(["--server-hostname", "localhost"]);
    }
    let out = cmd.args(args).output().expect("run sslctx");
    let ours = interop::json_lines(&out.stdout);
    let mut theirs = script_lines(&mut peer, &tag);
    theirs.retain(|v| v.get("port").is_none());
    assert!(!ours.is_empty(), "{tag}: no output from sslctx");
    ServRun { ours, theirs, tag }
}

impl ServRun {
    /// Connection `i` completed in `ver` on both sides with the same suite, and our
    /// client verified tlslite's certificate. Returns (ours, tlslite's summary,
    /// tlslite's end line).
    fn assert_agreed(&self, i: usize, ver: Ver) -> (&Value, &Value, &Value) {
        let tag = &self.tag;
        let (line, summary, end) = (&self.ours[i], &self.theirs[2 * i], &self.theirs[2 * i + 1]);
        assert!(line.get("error").is_none(), "{tag}: {line} / {summary}");
        assert_eq!(line["version"], ver.python(), "{tag}: {line}");
        assert_eq!(summary["version"], tl_version_name(ver), "{tag}: {summary}");
        let cipher = ietf(line["cipher"][0].as_str().unwrap_or_default());
        assert_eq!(summary["cipher"], cipher.as_str(), "{tag}: {summary}");
        assert_eq!(
            line["peercert"]["subject"][2][0][1], "www.example.com",
            "{tag}: {line}"
        );
        (line, summary, end)
    }
}

/// The plain exchange for `ver` (with `cfg`/`args` added): one connection, one echo,
/// our close_notify answered by tlslite's.
fn plain_serv(ver: Ver, cfg: Value, args: &[&str]) -> ServRun {
    let mut send = vec!["--send", "hello\n"];
    send.extend_from_slice(args);
    let run = tlslite_serv(ver, cfg, &send, 1);
    let (line, _, end) = run.assert_agreed(0, ver);
    assert_eq!(line["received"], "hello\n", "{}", run.tag);
    assert_eq!(line["shutdown"], "close_notify", "{}: {line}", run.tag);
    assert_eq!(end["received"], "hello\n", "{}", run.tag);
    assert_eq!(end["end"], "close_notify", "{}: {end}", run.tag);
    run
}

#[test]
fn tlslite_server_tls12() {
    if !have_tlslite() {
        return;
    }
    plain_serv(Ver::Tls12, json!({}), &[]);
}

#[test]
fn tlslite_server_tls13() {
    if !have_tlslite() {
        return;
    }
    plain_serv(Ver::Tls13, json!({}), &[]);
}

#[test]
fn tlslite_server_resumption() {
    if !have_tlslite() {
        return;
    }
    for ver in Ver::BOTH {
        let run = tlslite_serv(ver, json!({}), &["--send", "hello\n", "--reconnect"], 2);
        let (line, summary, _) = run.assert_agreed(0, ver);
        assert_eq!(line["session_reused"], false, "{}", run.tag);
        assert_eq!(summary["signed"], true, "{}: {summary}", run.tag);
        let (line, summary, end) = run.assert_agreed(1, ver);
        assert_eq!(line["session_reused"], true, "{}: {line}", run.tag);
        // A resumed handshake needs no signature (and tlslite's `resumed` says so
        // in TLS 1.2).
        assert_eq!(summary["signed"], false, "{}: {summary}", run.tag);
        if ver == Ver::Tls12 {
            assert_eq!(summary["resumed"], true, "{}: {summary}", run.tag);
        }
        assert_eq!(end["received"], "hello\n", "{}", run.tag);
    }
}

#[test]
fn tlslite_server_alpn() {
    if !have_tlslite() {
        return;
    }
    for ver in Ver::BOTH {
        let cfg = json!({"alpn": ["h2", "http/1.1"]});
        let run = plain_serv(ver, cfg, &["--alpn", "foo,http/1.1"]);
        assert_eq!(run.ours[0]["alpn"], "http/1.1", "{}", run.tag);
        assert_eq!(run.theirs[0]["alpn"], "http/1.1", "{}", run.tag);
    }
}

#[test]
fn tlslite_server_client_cert() {
    if !have_tlslite() {
        return;
    }
    let c = certs();
    let (chain, key) = (
        format!("{c}/chains/client-ec.chain.pem"),
        format!("{c}/pki/client-ec.key"),
    );
    for ver in Ver::BOTH {
        let cfg = json!({"req_cert": true});
        let run = plain_serv(ver, cfg, &["--certfile", &chain, "--keyfile", &key]);
        assert_eq!(run.theirs[0]["client_cn"], "client-ec", "{}", run.tag);
    }
}

#[test]
fn tlslite_server_sni() {
    if !have_tlslite() {
        return;
    }
    for ver in Ver::BOTH {
        let run = plain_serv(ver, json!({}), &["--server-hostname", "www.example.com"]);
        assert_eq!(run.ours[0]["server_hostname"], "www.example.com");
        assert_eq!(run.theirs[0]["sni"], "www.example.com", "{}", run.tag);
    }
}

#[test]
fn tlslite_server_close_notify() {
    if !have_tlslite() {
        return;
    }
    for ver in Ver::BOTH {
        // Both sides see the other's close_notify (asserted in plain_serv).
        plain_serv(ver, json!({}), &[]);
    }
}

#[test]
fn tlslite_server_ragged_eof() {
    if !have_tlslite() {
        return;
    }
    for ver in Ver::BOTH {
        // tlslite closes its socket right after the echo: our unwrap() meets EOF
        // where close_notify should come ("shutdown": "eof", SSLEOFError).
        let cfg = json!({"mode": "ragged"});
        let run = tlslite_serv(ver, cfg, &["--send", "hello\n"], 1);
        let (line, _, end) = run.assert_agreed(0, ver);
        assert_eq!(line["received"], "hello\n", "{}", run.tag);
        assert_eq!(line["shutdown"], "eof", "{}: {line}", run.tag);
        assert_eq!(end["end"], "ragged", "{}", run.tag);
    }
}

#[test]
fn tlslite_server_key_update() {
    if !have_tlslite() {
        return;
    }
    // TLS 1.3 only. tlslite sends KeyUpdate(update_requested) before its echo: we
    // read the echo under its new keys, answer with our own KeyUpdate
    // (update_not_requested, as tlslite records), and tlslite then reads our
    // close_notify under our new keys.
    let run = plain_serv(Ver::Tls13, json!({"mode": "keyupdate"}), &[]);
    assert_eq!(run.theirs[1]["end"], "close_notify", "{}", run.tag);
    assert_eq!(run.theirs[1]["keyupdates"], json!([0]), "{}", run.tag);
    // Without the request, no KeyUpdate from us.
    let run = plain_serv(Ver::Tls13, json!({}), &[]);
    assert_eq!(run.theirs[1]["keyupdates"], json!([]), "{}", run.tag);
}

// ---------------------------------------------------------------------------------
// tlslite-ng is the client; our server is the library in-process.

struct CliRun {
    served: Vec<interop::Served>,
    /// The tlslite client's lines: per connection, its summary and its end line.
    theirs: Vec<Value>,
    tag: String,
}

/// Our server (`cfg`) and the tlslite client (`ver`, `client` merged into its config)
/// for `connections` connections.
fn tlslite_cli(cfg: ServerCfg, client: Value, connections: usize) -> CliRun {
    let ver = cfg.ver;
    let tag = format!("tlslite client {client} / our server {cfg:?}");
    let server = OurServer::start(cfg, connections);
    let mut config = json!({
        "port": server.port,
        "version": tl_version(ver),
        "connections": connections,
        "server_name": "localhost",
    });
    for (k, v) in client.as_object().unwrap() {
        config[k] = v.clone();
    }
    let mut peer = peers::python(&format!("{TL_COMMON}{TL_CLIENT}"), &config);
    let theirs = script_lines(&mut peer, &tag);
    let served = server.join(&format!("{tag}: {theirs:?} {}", peer.stderr_text()));
    CliRun {
        served,
        theirs,
        tag,
    }
}

impl CliRun {
    /// Connection `i`: `ver` and the same suite on both sides, our certificate seen
    /// by tlslite, the lines echoed. Returns (ours, tlslite's summary, tlslite's end).
    fn assert_agreed(&self, i: usize, ver: Ver) -> (&interop::Served, &Value, &Value) {
        let tag = &self.tag;
        let (served, summary, end) = (
            &self.served[i],
            &self.theirs[2 * i],
            &self.theirs[2 * i + 1],
        );
        assert_eq!(served.version.as_deref(), Some(ver.python()), "{tag}");
        assert_eq!(summary["version"], tl_version_name(ver), "{tag}: {summary}");
        let cipher = ietf(served.cipher.as_deref().unwrap_or_default());
        assert_eq!(summary["cipher"], cipher.as_str(), "{tag}: {summary}");
        assert_eq!(
            String::from_utf8_lossy(&served.received),
            end["received"].as_str().unwrap_or("?"),
            "{tag}: {end}"
        );
        (served, summary, end)
    }
}

/// One connection, one echo, tlslite closes with close_notify.
fn plain_cli(cfg: ServerCfg, client: Value) -> CliRun {
    let ver = cfg.ver;
    let run = tlslite_cli(cfg, client, 1);
    let (served, summary, end) = run.assert_agreed(0, ver);
    assert_eq!(summary["server_cn"], "www.example.com", "{}", run.tag);
    assert_eq!(served.received, b"hello\n", "{}", run.tag);
    assert_eq!(end["end"], "closed", "{}", run.tag);
    // tlslite's close() sends close_notify (and closes its socket at once; our
    // answering close_notify still goes out without an error).
    assert_eq!(served.end, "close_notify", "{}", run.tag);
    run
}

#[test]
fn tlslite_client_tls12() {
    if !have_tlslite() {
        return;
    }
    plain_cli(ServerCfg::new(Ver::Tls12), json!({}));
}

#[test]
fn tlslite_client_tls13() {
    if !have_tlslite() {
        return;
    }
    plain_cli(ServerCfg::new(Ver::Tls13), json!({}));
}

#[test]
fn tlslite_client_resumption() {
    if !have_tlslite() {
        return;
    }
    for ver in Ver::BOTH {
        let run = tlslite_cli(ServerCfg::new(ver), json!({}), 2);
        let (served, summary, _) = run.assert_agreed(0, ver);
        assert!(!served.reused, "{}", run.tag);
        assert_eq!(summary["resumed"], false, "{}", run.tag);
        let (served, summary, _) = run.assert_agreed(1, ver);
        assert!(served.reused, "{}: {:?}", run.tag, run.served);
        assert_eq!(summary["resumed"], true, "{}: {summary}", run.tag);
    }
}

#[test]
fn tlslite_client_alpn() {
    if !have_tlslite() {
        return;
    }
    for ver in Ver::BOTH {
        let cfg = ServerCfg {
            alpn: &["h2", "http/1.1"],
            ..ServerCfg::new(ver)
        };
        let run = plain_cli(cfg, json!({"alpn": ["foo", "http/1.1"]}));
        assert_eq!(
            run.served[0].alpn.as_deref(),
            Some("http/1.1"),
            "{}",
            run.tag
        );
        assert_eq!(run.theirs[0]["alpn"], "http/1.1", "{}", run.tag);
    }
}

#[test]
fn tlslite_client_client_cert() {
    if !have_tlslite() {
        return;
    }
    let c = certs();
    let client = json!({
        "certfile": format!("{c}/chains/client-ec.chain.pem"),
        "keyfile": format!("{c}/pki/client-ec.key"),
    });
    let cfg = ServerCfg {
        client_cert: true,
        ..ServerCfg::new(Ver::Tls12)
    };
    let run = plain_cli(cfg, client.clone());
    assert_eq!(
        run.served[0].peer_cn.as_deref(),
        Some("client-ec"),
        "{}",
        run.tag
    );
    // Divergence (docs/INTEROP.md): tlslite-ng 0.8.2's TLS 1.3 client-certificate
    // flight is refused with UNEXPECTED_MESSAGE by OpenSSL 3.0 (CPython's server) and
    // by us alike. This fails when either side changes, so the table stays true.
    let cfg = ServerCfg {
        client_cert: true,
        ..ServerCfg::new(Ver::Tls13)
    };
    let server = OurServer::start(cfg, 1);
    let mut config = client;
    config["port"] = json!(server.port);
    config["version"] = tl_version(Ver::Tls13);
    config["server_name"] = json!("localhost");
    let mut peer = peers::python(&format!("{TL_COMMON}{TL_CLIENT}"), &config);
    let theirs = script_lines(&mut peer, "tlslite TLS 1.3 client cert");
    let ours = server.results().remove(0);
    assert_eq!(
        ours.as_ref().map(|_| ()),
        Err(&"handshake: ssl.SSLError UNEXPECTED_MESSAGE".to_string()),
        "{theirs:?}"
    );
    assert!(theirs[0].get("handshake_error").is_some(), "{theirs:?}");
}

#[test]
fn tlslite_client_sni() {
    if !have_tlslite() {
        return;
    }
    for ver in Ver::BOTH {
        let run = plain_cli(
            ServerCfg::new(ver),
            json!({"server_name": "www.example.com"}),
        );
        assert_eq!(
            run.served[0].sni.as_deref(),
            Some("www.example.com"),
            "{}",
            run.tag
        );
    }
}

#[test]
fn tlslite_client_close_notify() {
    if !have_tlslite() {
        return;
    }
    for ver in Ver::BOTH {
        // tlslite's close_notify: asserted in plain_cli.
        plain_cli(ServerCfg::new(ver), json!({}));
        // Ours: tlslite reads it as a clean close (and answers it).
        let cfg = ServerCfg {
            end: End::WeClose,
            ..ServerCfg::new(ver)
        };
        let run = tlslite_cli(cfg, json!({"mode": "wait"}), 1);
        let (served, _, end) = run.assert_agreed(0, ver);
        assert_eq!(end["end"], "close_notify", "{}: {end}", run.tag);
        assert_eq!(served.end, "unwrap ok", "{}", run.tag);
    }
}

#[test]
fn tlslite_client_ragged_eof() {
    if !have_tlslite() {
        return;
    }
    for ver in Ver::BOTH {
        // tlslite closes its socket without close_notify: SSLEOFError for us.
        let run = tlslite_cli(ServerCfg::new(ver), json!({"mode": "ragged"}), 1);
        let (served, _, end) = run.assert_agreed(0, ver);
        assert_eq!(end["end"], "ragged", "{}", run.tag);
        assert_eq!(
            served.end, "ssl.SSLEOFError UNEXPECTED_EOF_WHILE_READING",
            "{}",
            run.tag
        );
        // We drop ours without close_notify: tlslite sees an abrupt close.
        let cfg = ServerCfg {
            end: End::WeRagged,
            ..ServerCfg::new(ver)
        };
        let run = tlslite_cli(cfg, json!({"mode": "wait"}), 1);
        let (served, _, end) = run.assert_agreed(0, ver);
        assert_eq!(served.end, "dropped", "{}", run.tag);
        assert_eq!(end["end"], "TLSAbruptCloseError", "{}: {end}", run.tag);
    }
}

#[test]
fn tlslite_client_key_update() {
    if !have_tlslite() {
        return;
    }
    // TLS 1.3 only. tlslite sends KeyUpdate(update_requested) first; we answer with
    // our own (update_not_requested, as tlslite records), and two lines go both ways
    // under the new keys.
    let client = json!({"mode": "keyupdate", "lines": ["hello", "again"]});
    let run = tlslite_cli(ServerCfg::new(Ver::Tls13), client, 1);
    let (served, _, end) = run.assert_agreed(0, Ver::Tls13);
    assert_eq!(served.received, b"hello\nagain\n", "{}", run.tag);
    assert_eq!(end["end"], "closed", "{}", run.tag);
    assert_eq!(end["keyupdates"], json!([0]), "{}", run.tag);
    assert_eq!(served.end, "close_notify", "{}", run.tag);
}
