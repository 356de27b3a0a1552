//! What a server answers to hostile or obsolete first records, against the live
//! reference: each payload goes to a CPython 3.11 server (OpenSSL 3.0) and to ours,
//! and both the bytes that come back (the alert record, its version included) and the
//! server's exception (class and OpenSSL reason) must be the same. The ClientHellos of
//! old protocol versions are made live by CPython's own client.
#![cfg(feature = "serde")]

mod common;
#[path = "common/peers.rs"]
mod peers;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use serde_json::{json, Value};
use sslcontext::{SslContext, TlsVersion, WrapOptions};

/// How long a client waits for the server's answer (the "no answer yet" cases wait
/// this long on both servers).
const REPLY_WAIT: Duration = Duration::from_millis(700);

/// The probe: CPython's own ClientHellos for old versions, then a CPython server
/// answering each payload (bytes back and the exception), as one JSON line.
const PY_PROBE: &str = r#"
import json, socket, ssl, sys, threading, warnings
warnings.simplefilter("ignore")
cfg = json.loads(sys.argv[1])
V = ssl.TLSVersion

def capture(maxv, minv=None):
    ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
    got = {}
    def srv():
        c, _ = ls.accept(); c.settimeout(5); data = b""
        while len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big"):
            d = c.recv(4096)
            if not d: break
            data += d
        got["hello"] = data; c.close()
    t = threading.Thread(target=srv); t.start()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE; ctx.set_ciphers("DEFAULT@SECLEVEL=0")
    if minv: ctx.minimum_version = minv
    ctx.maximum_version = maxv
    s = socket.create_connection(("127.0.0.1", ls.getsockname()[1]))
    try: ctx.wrap_socket(s, server_hostname="localhost")
    except Exception: pass
    t.join(); ls.close(); return got["hello"].hex()

if cfg["mode"] == "hellos":
    print(json.dumps({"tls10": capture(V.TLSv1, V.TLSv1), "tls11": capture(V.TLSv1_1, V.TLSv1),
                      "tls12": capture(V.TLSv1_2), "tls13only": capture(V.TLSv1_3, V.TLSv1_3)}), flush=True)
    sys.exit(0)

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cfg["certfile"], cfg["keyfile"])
if cfg.get("max"): ctx.maximum_version = getattr(V, cfg["max"])
if cfg.get("min"): ctx.minimum_version = getattr(V, cfg["min"])
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(5)
errors = []
def srv():
    for _ in cfg["payloads"]:
        c, _ = ls.accept(); c.settimeout(cfg["wait"])
        try:
            ctx.wrap_socket(c, server_side=True); errors.append(None)
        except Exception as e:
            errors.append([type(e).__name__, getattr(e, "reason", None)])
        c.close()
t = threading.Thread(target=srv, daemon=True); t.start()
out = {}
for name, payload in cfg["payloads"]:
    s = socket.create_connection(("127.0.0.1", ls.getsockname()[1])); s.settimeout(cfg["wait"])
    s.sendall(bytes.fromhex(payload)); reply = b""
    try:
        while True:
            d = s.recv(4096)
            if not d: break
            reply += d
    except OSError: pass
    s.close()
    while len(errors) < len(out) + 1: t.join(0.01)
    out[name] = {"reply": reply.hex(), "error": errors[len(out)]}
print(json.dumps(out), flush=True)
"#;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The payloads: raw records a scanner or an old client sends first.
fn payloads(hellos: &Value) -> Vec<(&'static str, Vec<u8>)> {
    let h = |name: &str| unhex(hellos[name].as_str().unwrap());
    let v2 = |version: &str, specs: &str| {
        let body = unhex(&format!(
            "01{version}{:04x}00000010{specs}",
            specs.len() / 2
        ));
        let mut rec = vec![
            0x80 | (((body.len() + 16) >> 8) as u8),
            (body.len() + 16) as u8,
        ];
        rec.extend_from_slice(&body);
        rec.extend_from_slice(&[0u8; 16]);
        rec
    };
    let rc4_and_dhe = "0100800300800700c0060040020080040080000039000038000035";
    let record = |t: u8, version: u16, body: &[u8]| {
        let mut r = vec![t];
        r.extend_from_slice(&version.to_be_bytes());
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    };
    let repeat = |r: Vec<u8>, n: usize| r.repeat(n);
    let mut empty_then_appdata = repeat(record(22, 0x0301, &[]), 20);
    empty_then_appdata.extend(record(23, 0x0303, &[]));
    let mut empty_then_hello = repeat(record(22, 0x0301, &[]), 3);
    empty_then_hello.extend(h("tls12"));
    let mut empty_ccs_then_hello = record(20, 0x0303, &[]);
    empty_ccs_then_hello.extend(h("tls12"));
    vec![
        ("sslv2-format hello, TLS 1.0", v2("0301", rc4_and_dhe)),
        ("sslv2-format hello, TLS 1.1", v2("0302", rc4_and_dhe)),
        (
            "sslv2-format hello, TLS 1.2, no shared suite",
            v2("0303", rc4_and_dhe),
        ),
        ("sslv2-format hello, SSL 3.0", v2("0300", rc4_and_dhe)),
        ("sslv2 hello", v2("0002", rc4_and_dhe)),
        ("sslv2-format hello, version 4.0", v2("0400", rc4_and_dhe)),
        (
            "record length 0xffff",
            [unhex("160301ffff"), vec![0; 100]].concat(),
        ),
        ("record length 16705, header only", unhex("1603014141")),
        ("record length 16709, header only", unhex("1603014145")),
        ("record length 16500", record(22, 0x0301, &[0; 16500])),
        (
            "33 empty handshake records",
            repeat(record(22, 0x0301, &[]), 33),
        ),
        ("empty records, then empty app data", empty_then_appdata),
        ("empty alert", record(21, 0x0303, &[])),
        ("app data first", record(23, 0x0303, &[0; 10])),
        (
            "app data first, TLS 1.0 record",
            record(23, 0x0301, &[0; 10]),
        ),
        ("fatal alert first", record(21, 0x0301, &[2, 40])),
        ("close_notify first", record(21, 0x0303, &[1, 0])),
        ("ChangeCipherSpec first", record(20, 0x0303, &[1])),
        (
            "ChangeCipherSpec first, SSL 3.0 record",
            record(20, 0x0300, &[1]),
        ),
        ("heartbeat first", record(24, 0x0302, &[1, 0xff, 0xff])),
        ("record type 99", record(99, 0x0301, &[1, 0xff, 0xff])),
        ("record version 9.9", unhex("16090900050100000100")),
        (
            "ClientHello of 1 byte",
            record(22, 0x0305, &unhex("0100000100")),
        ),
        (
            "ClientHello cut in its random",
            record(22, 0x0303, &unhex("0100000603030000aaaa")),
        ),
        (
            "Certificate first",
            record(22, 0x0303, &unhex("0b00000400000000")),
        ),
        (
            "TLS 1.3 ClientHello, legacy_version SSL 3.0",
            with_legacy(&h("tls13only"), 0x0300),
        ),
        (
            "TLS 1.3 ClientHello, legacy_version 2.0",
            with_legacy(&h("tls13only"), 0x0200),
        ),
        (
            "TLS 1.0 ClientHello claiming TLS 1.2",
            with_legacy(&h("tls10"), 0x0303),
        ),
        (
            "TLS 1.3 ClientHello, PKCS#1 signatures only",
            pkcs1_only(&h("tls13only")),
        ),
        (
            "ClientHello of 2 MiB announced",
            record(22, 0x0303, &unhex("0120000003030000")),
        ),
        (
            "ClientHello header cut after 2 bytes",
            record(22, 0x0303, &unhex("0100")),
        ),
        (
            "ClientHello without the null compression",
            no_null_compression(&h("tls12")),
        ),
        (
            "ClientHello, then a record of version 9.9",
            [h("tls13only"), unhex("16090900050100000100")].concat(),
        ),
        (
            "ClientHello, then a record of type 99",
            [h("tls12"), unhex("630303000101")].concat(),
        ),
        ("TLS 1.0 ClientHello", h("tls10")),
        ("TLS 1.1 ClientHello", h("tls11")),
        (
            "TLS 1.2 ClientHello, X25519 only, to a P-256 certificate",
            x25519_only_tls12_hello(),
        ),
        ("3 empty records, then a ClientHello", empty_then_hello),
        (
            "empty ChangeCipherSpec, then a ClientHello",
            empty_ccs_then_hello,
        ),
    ]
}

/// A captured ClientHello record with another `legacy_version`.
fn with_legacy(hello: &[u8], version: u16) -> Vec<u8> {
    let mut h = hello.to_vec();
    h[9..11].copy_from_slice(&version.to_be_bytes());
    h
}

/// The extensions of a captured ClientHello record: (offset of each extension's body,
/// its type, its length).
fn extensions(hello: &[u8]) -> Vec<(usize, u16, usize)> {
    let mut at = 5 + 4 + 2 + 32;
    at += 1 + usize::from(hello[at]);
    at += 2 + usize::from(u16::from_be_bytes([hello[at], hello[at + 1]]));
    at += 1 + usize::from(hello[at]);
    let end = at + 2 + usize::from(u16::from_be_bytes([hello[at], hello[at + 1]]));
    at += 2;
    let mut out = Vec::new();
    while at + 4 <= end {
        let kind = u16::from_be_bytes([hello[at], hello[at + 1]]);
        let len = usize::from(u16::from_be_bytes([hello[at + 2], hello[at + 3]]));
        out.push((at + 4, kind, len));
        at += 4 + len;
    }
    out
}

/// The ClientHello with every signature algorithm replaced by rsa_pkcs1_sha256, which
/// TLS 1.3 does not allow for CertificateVerify.
fn pkcs1_only(hello: &[u8]) -> Vec<u8> {
    let mut h = hello.to_vec();
    let (body, _, len) = extensions(hello)
        .into_iter()
        .find(|e| e.1 == 13)
        .expect("signature_algorithms");
    for i in (body + 2..body + len).step_by(2) {
        h[i..i + 2].copy_from_slice(&[4, 1]);
    }
    h
}

/// The ClientHello with its compression methods byte changed from null to DEFLATE.
fn no_null_compression(hello: &[u8]) -> Vec<u8> {
    let mut h = hello.to_vec();
    let mut at = 5 + 4 + 2 + 32;
    at += 1 + usize::from(h[at]);
    at += 2 + usize::from(u16::from_be_bytes([h[at], h[at + 1]]));
    assert_eq!(h[at], 1, "one compression method");
    h[at + 1] = 1;
    h
}

/// Our client's TLS 1.2 ClientHello offering no group but X25519: no ECDSA P-256
/// certificate can serve it (RFC 8422: the curve must be among the client's groups).
fn x25519_only_tls12_hello() -> Vec<u8> {
    let ctx = common::client_ctx(&["root-ec"]);
    ctx.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
    ctx.set_ecdh_curve("X25519").unwrap();
    let (incoming, outgoing) = (sslcontext::MemoryBio::new(), sslcontext::MemoryBio::new());
    let mut obj = ctx
        .wrap_bio(&incoming, &outgoing, WrapOptions::client("localhost"))
        .unwrap();
    assert!(
        obj.do_handshake().is_err(),
        "the client waits for the ServerHello"
    );
    outgoing.read(None)
}

/// A server's exception: class (without `ssl.`) and OpenSSL reason.
type Raised = Option<(String, Option<String>)>;

/// Our server: one connection per payload, the exception (class, reason) of each.
fn ours(ctx: &SslContext, payloads: &[(&'static str, Vec<u8>)]) -> Vec<(String, Raised)> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = {
        let ctx = ctx.clone();
        let n = payloads.len();
        std::thread::spawn(move || {
            (0..n)
                .map(|_| {
                    let (tcp, _) = listener.accept().unwrap();
                    tcp.set_read_timeout(Some(REPLY_WAIT)).unwrap();
                    match ctx.wrap_socket(tcp, WrapOptions::server()) {
                        Ok(_) => None,
                        Err(e) => Some((
                            e.python_class().trim_start_matches("ssl.").to_owned(),
                            e.reason().map(str::to_owned),
                        )),
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let replies: Vec<String> = payloads
        .iter()
        .map(|(_, payload)| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.set_read_timeout(Some(REPLY_WAIT)).unwrap();
            s.write_all(payload).unwrap();
            let mut reply = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                reply.extend_from_slice(&buf[..n]);
            }
            hex(&reply)
        })
        .collect();
    let errors = server.join().unwrap();
    replies.into_iter().zip(errors).collect()
}

/// A ServerHello is random: a reply that starts a handshake compares as its first byte.
fn comparable(reply: &str) -> &str {
    if reply.starts_with("16") {
        "16"
    } else {
        reply
    }
}

fn compare(tag: &str, ctx: &SslContext, config: Value, payloads: &[(&'static str, Vec<u8>)]) {
    let mut peer = peers::python(PY_PROBE, &config);
    let reference = peer
        .json_line()
        .unwrap_or_else(|| panic!("{tag}: no reference answers: {}", peer.stderr_text()));
    let mut mismatches = Vec::new();
    for ((name, _), (reply, error)) in payloads.iter().zip(ours(ctx, payloads)) {
        let want = &reference[name];
        let want_reply = want["reply"].as_str().unwrap();
        let want_error: Raised = match &want["error"] {
            Value::Null => None,
            e => Some((
                e[0].as_str().unwrap().to_owned(),
                e[1].as_str().map(str::to_owned),
            )),
        };
        // A timeout is what CPython's server raises where ours reports an
        // unfinished handshake on its socket timeout: both are "no answer yet".
        let no_answer = |e: &Raised| {
            matches!(
                e.as_ref().map(|e| e.0.as_str()),
                Some("TimeoutError" | "SSLEOFError")
            )
        };
        let same_error = error == want_error || (no_answer(&error) && no_answer(&want_error));
        if comparable(&reply) != comparable(want_reply) || !same_error {
            mismatches.push(format!(
                "{name}: ours {reply} {error:?}, OpenSSL {want_reply} {want_error:?}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{tag}: {} of {} differ:\n{}",
        mismatches.len(),
        payloads.len(),
        mismatches.join("\n")
    );
    eprintln!(
        "{tag}: {} payloads, all answered as OpenSSL 3.0 answers",
        payloads.len()
    );
}

fn hellos() -> Value {
    let mut peer = peers::python(PY_PROBE, &json!({"mode": "hellos"}));
    peer.json_line()
        .unwrap_or_else(|| panic!("no ClientHellos: {}", peer.stderr_text()))
}

fn config(payloads: &[(&'static str, Vec<u8>)], versions: Value) -> Value {
    let mut c = json!({
        "mode": "serve",
        "certfile": peers::cert("chains/leaf-ec.chain.pem"),
        "keyfile": peers::cert("pki/leaf-ec.key"),
        "wait": REPLY_WAIT.as_secs_f64(),
        "payloads": payloads.iter().map(|(n, p)| json!([n, hex(p)])).collect::<Vec<_>>(),
    });
    c.as_object_mut()
        .unwrap()
        .extend(versions.as_object().unwrap().clone());
    c
}

#[test]
fn hostile_and_obsolete_first_records_as_openssl() {
    if !common::have_peer("python3") {
        return;
    }
    let payloads = payloads(&hellos());
    let ctx = common::server_ctx("leaf-ec");
    compare("default", &ctx, config(&payloads, json!({})), &payloads);
}

#[test]
fn version_negotiation_refusals_as_openssl() {
    if !common::have_peer("python3") {
        return;
    }
    let hellos = hellos();
    let all: Vec<(&'static str, Vec<u8>)> = ["tls10", "tls11", "tls12", "tls13only"]
        .into_iter()
        .map(|n| (n, unhex(hellos[n].as_str().unwrap())))
        .collect();
    for (tag, min, max) in [
        ("maximum TLS 1.2", None, Some(TlsVersion::TLSv1_2)),
        ("minimum TLS 1.3", Some(TlsVersion::TLSv1_3), None),
    ] {
        let ctx = common::server_ctx("leaf-ec");
        let mut versions = json!({});
        if let Some(v) = min {
            ctx.set_minimum_version(v).unwrap();
            versions["min"] = json!("TLSv1_3");
        }
        if let Some(v) = max {
            ctx.set_maximum_version(v).unwrap();
            versions["max"] = json!("TLSv1_2");
        }
        compare(tag, &ctx, config(&all, versions), &all);
    }
}
