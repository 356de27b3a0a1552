//! CPython's `SSLObject` / `MemoryBIO` / `SSLSocket` semantics (cpython-ssl-semantics.md
//! §8, and facts asked of CPython 3.11 + OpenSSL 3.0 where §8 is silent), plus the
//! connection cases of errors.json run by id.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use common::{client_ctx, handshake, pair, server_ctx, transfer, Side};
use sslcontext::Options;
use sslcontext::{Error, Protocol, SslContext, TlsVersion};
use sslcontext::{MemoryBio, SslSocket, WrapOptions};

/// Asserts class, `str()` and reason of an error.
#[track_caller]
fn assert_err<T: std::fmt::Debug>(r: Result<T, Error>, class: &str, text: &str) {
    match r {
        Ok(v) => panic!("expected {class}({text}), got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.python_class(), class, "{e}");
            assert_eq!(e.to_string(), text);
        }
    }
}

const WANT_READ: &str = "The operation did not complete (read)";
const EOF_FIRST: &str = "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol";
const EOF_BARE: &str = "EOF occurred in violation of protocol";
const ZERO: &str = "TLS/SSL connection has been closed (EOF)";
const SYSCALL: &str = "Some I/O error occurred";
const IN_INIT: &str = "[SSL: SHUTDOWN_WHILE_IN_INIT] shutdown while in init";

fn connected(tls12: bool, options: Options) -> (Side, Side) {
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    if tls12 {
        client.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
    }
    client.set_options(client.options() | options).unwrap();
    server.set_options(server.options() | options).unwrap();
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    (c, s)
}

// ---------------------------------------------------------------- errors.json

/// Runs one errors.json case written in Rust; `None` = not applicable.
fn run_errors_case(id: &str) -> Option<Result<String, Error>> {
    let b = MemoryBio::new;
    let c = || SslContext::new(Protocol::TlsClient).unwrap();
    let wrap = |name: &str| c().wrap_bio(&b(), &b(), WrapOptions::client(name));
    let obj = || wrap("example.com").unwrap();
    let hostname = |name: &str| wrap(name).map(|o| o.server_hostname().unwrap_or("").to_string());
    Some(match id {
        "wrap_bio.hostname_empty" => wrap("").map(|_| String::new()),
        "wrap_bio.hostname_leading_dot" => wrap(".example").map(|_| String::new()),
        "wrap_bio.hostname_dot_only" => wrap(".").map(|_| String::new()),
        "wrap_bio.hostname_double_dot" => wrap("example..com").map(|_| String::new()),
        "wrap_bio.hostname_label_64" => {
            wrap(&format!("{}.example", "a".repeat(64))).map(|_| String::new())
        }
        "wrap_bio.hostname_nul" => wrap("a\0b").map(|_| String::new()),
        "wrap_bio.hostname_255_chars" => hostname(&format!("{}a", "a.".repeat(127))),
        "wrap_bio.hostname_idn" => hostname("b\u{fc}cher.example"),
        "wrap_bio.hostname_idn_uppercase" => hostname("B\u{dc}CHER.Example"),
        "wrap_bio.hostname_idn_eszett" => hostname("stra\u{df}e.example"),
        "wrap_bio.hostname_ipv4" => hostname("127.0.0.1"),
        "wrap_bio.hostname_ipv6" => hostname("::1"),
        "wrap_bio.hostname_ipv6_brackets" => hostname("[::1]"),
        "wrap_bio.hostname_mixed_case" => hostname("WWW.Example.COM"),
        "wrap_bio.hostname_trailing_dot" => hostname("example.com."),
        "wrap_bio.hostname_space" => hostname("ex ample.com"),
        "wrap_bio.hostname_underscore" => hostname("_srv.example.com"),
        "wrap_bio.server_side_with_hostname" => {
            let s = SslContext::new(Protocol::TlsServer).unwrap();
            s.load_cert_chain(
                common::cert_path("pki/leaf-ec.pem"),
                Some(&common::cert_path("pki/leaf-ec.key")),
                None,
            )
            .unwrap();
            let opts = WrapOptions {
                server_hostname: Some("example.com".into()),
                ..WrapOptions::server()
            };
            s.wrap_bio(&b(), &b(), opts).map(|o| {
                serde_json::json!(["SSLObject", o.server_side(), o.server_hostname()]).to_string()
            })
        }
        "wrap_bio.client_missing_hostname_check_hostname" => c()
            .wrap_bio(&b(), &b(), WrapOptions::client_without_hostname())
            .map(|o| serde_json::json!(["SSLObject", o.server_hostname()]).to_string()),
        "wrap_bio.client_missing_hostname_no_check" => {
            let ctx = c();
            ctx.set_check_hostname(false).unwrap();
            ctx.wrap_bio(&b(), &b(), WrapOptions::client_without_hostname())
                .map(|o| serde_json::json!([o.server_hostname(), o.server_side()]).to_string())
        }
        "wrap_bio.server_context_as_client" => SslContext::new(Protocol::TlsServer)
            .unwrap()
            .wrap_bio(&b(), &b(), WrapOptions::client("example.com"))
            .map(|_| String::new()),
        "wrap_socket.client_missing_hostname_check_hostname" | "wrap_socket.hostname_empty" => {
            let (a, peer) = UnixStream::pair().unwrap();
            let opts = WrapOptions {
                server_hostname: (id == "wrap_socket.hostname_empty").then(String::new),
                do_handshake_on_connect: false,
                ..WrapOptions::default()
            };
            let r = c().wrap_socket(a, opts).map(|_| String::new());
            drop(peer);
            r
        }
        "SSLObject.getpeercert_before_handshake" => obj().getpeercert().map(|_| String::new()),
        "SSLObject.read_before_handshake" => obj().read(10).map(|_| String::new()),
        "SSLObject.do_handshake_no_data" => obj().do_handshake().map(|_| String::new()),
        "SSLObject.channel_binding_before_handshake" => obj()
            .get_channel_binding("tls-unique")
            .map(|v| serde_json::json!(v).to_string()),
        "SSLObject.channel_binding_bogus" => {
            obj().get_channel_binding("bogus").map(|_| String::new())
        }
        "SSLObject.verify_client_post_handshake_client" => {
            obj().verify_client_post_handshake().map(|_| String::new())
        }
        "SSLObject.unwrap_before_handshake" => obj().unwrap().map(|_| String::new()),
        "SSLObject.write_before_handshake" => obj().write(b"x").map(|_| String::new()),
        _ => return None,
    })
}

#[test]
fn errors_json_connection_cases() {
    let doc = common::conformance("errors.json");
    let na_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/conn/errors_not_applicable.json");
    let not_applicable: BTreeMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(na_path).unwrap()).unwrap();
    let (mut ran, mut skipped) = (0, 0);
    for case in doc["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let prefix = id.split('.').next().unwrap_or_default();
        if !matches!(
            prefix,
            "SSLObject" | "wrap_bio" | "wrap_socket" | "MemoryBIO" | "SSLSocket"
        ) {
            continue;
        }
        let listed = not_applicable.contains_key(id);
        match run_errors_case(id) {
            None => {
                assert!(listed, "{id}: neither run nor listed as not applicable");
                skipped += 1;
            }
            Some(r) => {
                assert!(!listed, "{id}: listed as not applicable but it runs");
                let result = &case["result"];
                match r {
                    Ok(v) => {
                        assert_eq!(result["ok"], true, "{id}: we succeed ({v}), CPython raised");
                        let want = &result["value"];
                        let got = if want.is_string() {
                            serde_json::json!(v)
                        } else if want.is_null() {
                            serde_json::Value::Null
                        } else {
                            serde_json::from_str(&v).unwrap()
                        };
                        if !want.is_null() {
                            assert_eq!(&got, want, "{id}");
                        }
                    }
                    Err(e) => {
                        assert_eq!(result["ok"], false, "{id}: we raised {e}, CPython did not");
                        common::assert_error_matches(id, &e, &result["error"]);
                    }
                }
                ran += 1;
            }
        }
    }
    eprintln!("errors.json connection cases: {ran} run, {skipped} not applicable");
    assert!(ran >= 25);
}

#[test]
fn channel_binding_before_handshake_is_none() {
    // Both sides, both binding types: None until the handshake is done.
    let c = SslContext::new(Protocol::TlsClient).unwrap();
    let o = c
        .wrap_bio(
            &MemoryBio::new(),
            &MemoryBio::new(),
            WrapOptions::client("example.com"),
        )
        .unwrap();
    assert_eq!(o.get_channel_binding("tls-exporter").unwrap(), None);
    assert_eq!(o.get_channel_binding("tls-unique").unwrap(), None);
    let s = server_ctx("leaf-ec");
    let o = s
        .wrap_bio(&MemoryBio::new(), &MemoryBio::new(), WrapOptions::server())
        .unwrap();
    assert_eq!(o.get_channel_binding("tls-unique").unwrap(), None);
}

// ---------------------------------------------------------------- SSLObject

#[test]
fn want_read_exactly_when_cpython_raises_it() {
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    assert_err(s.obj.do_handshake(), "ssl.SSLWantReadError", WANT_READ);
    assert_err(s.obj.write(b"x"), "ssl.SSLWantReadError", WANT_READ);
    assert_err(s.obj.read(1), "ssl.SSLWantReadError", WANT_READ);
    assert_eq!(c.obj.version(), None);
    assert_eq!(c.obj.cipher(), None);
    assert_eq!(s.obj.shared_ciphers(), None);
    assert_eq!(c.obj.selected_alpn_protocol(), None);
    assert!(!c.obj.session_reused());
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    sr.unwrap();
    c.obj.do_handshake().unwrap();
    assert_err(s.obj.read(10), "ssl.SSLWantReadError", WANT_READ);
    c.obj.write(b"abcde").unwrap();
    c.obj.write(b"xyz").unwrap();
    transfer(&c, &s);
    assert_eq!(s.obj.read(2).unwrap(), b"ab");
    assert_eq!(s.obj.pending(), 3);
    assert_eq!(s.obj.read(100).unwrap(), b"cde", "one record per read");
    assert_eq!(s.obj.read(100).unwrap(), b"xyz");
    assert_eq!(s.obj.read(0).unwrap(), b"");
    assert_err(s.obj.read(10), "ssl.SSLWantReadError", WANT_READ);
    assert_eq!(c.obj.write(b"").unwrap(), 0);
}

#[test]
fn close_notify_both_ways() {
    for tls12 in [false, true] {
        let (c, s) = connected(tls12, Options::empty());
        let (mut c, mut s) = (c, s);
        assert_err(c.obj.unwrap(), "ssl.SSLWantReadError", WANT_READ);
        transfer(&c, &s);
        assert_eq!(s.obj.read(10).unwrap(), b"");
        assert_eq!(s.obj.read(10).unwrap(), b"", "repeatedly");
        assert_eq!(
            s.obj.write(b"x").unwrap(),
            1,
            "writes after the peer's close_notify"
        );
        s.obj.unwrap().unwrap();
        transfer(&c, &s);
        assert_eq!(c.obj.read(10).unwrap(), b"x");
        c.obj.unwrap().unwrap();
        assert_err(c.obj.read(10), "ssl.SSLZeroReturnError", ZERO);
        assert_err(s.obj.read(10), "ssl.SSLZeroReturnError", ZERO);
        let shut = "[SSL: PROTOCOL_IS_SHUTDOWN] protocol is shutdown";
        assert_err(c.obj.write(b"x"), "ssl.SSLError", shut);
        assert_err(s.obj.write(b"x"), "ssl.SSLError", shut);
        c.obj.unwrap().unwrap();
    }
}

#[test]
fn unwrap_leaves_following_plaintext_in_the_bio() {
    let (mut c, mut s) = connected(false, Options::empty());
    assert_err(c.obj.unwrap(), "ssl.SSLWantReadError", WANT_READ);
    transfer(&c, &s);
    s.obj.unwrap().unwrap();
    // The server's close_notify and plaintext arrive together (STARTTLS downgrade).
    let mut wire = s.outgoing.read(None);
    wire.extend_from_slice(b"PLAIN TEXT AFTER TLS");
    c.incoming.write(&wire).unwrap();
    c.obj.unwrap().unwrap();
    assert_eq!(c.incoming.read(None), b"PLAIN TEXT AFTER TLS");
}

#[test]
fn ragged_eof_then_bare_eof() {
    for tls12 in [false, true] {
        let (mut c, _s) = connected(tls12, Options::empty());
        c.incoming.write_eof();
        let first = c.obj.read(10).unwrap_err();
        assert_eq!(first.python_class(), "ssl.SSLEOFError");
        assert_eq!(first.to_string(), EOF_FIRST);
        assert_eq!(first.reason(), Some("UNEXPECTED_EOF_WHILE_READING"));
        assert_eq!(first.errno(), Some(8));
        let second = c.obj.read(10).unwrap_err();
        assert_eq!(second.to_string(), EOF_BARE);
        assert_eq!(second.reason(), None);
        assert_err(c.obj.write(b"x"), "ssl.SSLEOFError", EOF_BARE);
        assert_err(c.obj.unwrap(), "ssl.SSLError", IN_INIT);
        assert_err(c.obj.read(10), "ssl.SSLEOFError", EOF_BARE);
        assert_err(c.obj.do_handshake(), "ssl.SSLSyscallError", SYSCALL);
        assert_eq!(c.obj.pending(), 0);
    }
}

#[test]
fn ignore_unexpected_eof_option() {
    for tls12 in [false, true] {
        let (mut c, _s) = connected(tls12, Options::OP_IGNORE_UNEXPECTED_EOF);
        c.incoming.write_eof();
        assert_eq!(c.obj.read(10).unwrap(), b"");
        assert_eq!(c.obj.read(10).unwrap(), b"");
        assert_eq!(c.obj.write(b"x").unwrap(), 1);
        c.obj.unwrap().unwrap();
    }
}

#[test]
fn eof_during_handshake_both_sides() {
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    assert_err(c.obj.do_handshake(), "ssl.SSLWantReadError", WANT_READ);
    c.incoming.write_eof();
    assert_err(c.obj.do_handshake(), "ssl.SSLEOFError", EOF_FIRST);
    assert_err(c.obj.do_handshake(), "ssl.SSLSyscallError", SYSCALL);
    assert_err(c.obj.read(1), "ssl.SSLEOFError", EOF_BARE);
    assert_err(c.obj.write(b"x"), "ssl.SSLEOFError", EOF_BARE);
    assert_err(c.obj.unwrap(), "ssl.SSLError", IN_INIT);
    // The server gets a truncated ClientHello, then EOF.
    let hello = c.outgoing.read(None);
    s.incoming.write(&hello[..50]).unwrap();
    assert_err(s.obj.do_handshake(), "ssl.SSLWantReadError", WANT_READ);
    s.incoming.write_eof();
    assert_err(s.obj.do_handshake(), "ssl.SSLEOFError", EOF_FIRST);
    assert_err(s.obj.do_handshake(), "ssl.SSLSyscallError", SYSCALL);
    // Fewer bytes than a record header, then EOF: an EOF, not garbage.
    for prefix in [&b"GE"[..], &[0x16, 0x03]] {
        let (_c, mut s) = pair(&client, &server, Some("localhost"));
        s.incoming.write(prefix).unwrap();
        assert_err(s.obj.do_handshake(), "ssl.SSLWantReadError", WANT_READ);
        s.incoming.write_eof();
        assert_err(s.obj.do_handshake(), "ssl.SSLEOFError", EOF_FIRST);
    }
}

#[test]
fn after_a_failed_handshake() {
    let server = server_ctx("leaf-ec");
    let client = SslContext::new(Protocol::TlsClient).unwrap(); // trusts nothing
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    assert_eq!(cr.unwrap_err().verify_code(), Some(20));
    assert_eq!(
        sr.unwrap_err().to_string(),
        "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca"
    );
    // The side that failed locally: syscall / bare EOF; the side that got the alert:
    // a closed connection.
    assert_err(c.obj.do_handshake(), "ssl.SSLSyscallError", SYSCALL);
    assert_err(c.obj.do_handshake(), "ssl.SSLSyscallError", SYSCALL);
    assert_err(c.obj.read(1), "ssl.SSLEOFError", EOF_BARE);
    assert_err(c.obj.write(b"x"), "ssl.SSLEOFError", EOF_BARE);
    assert_err(c.obj.unwrap(), "ssl.SSLError", IN_INIT);
    assert_err(s.obj.do_handshake(), "ssl.SSLZeroReturnError", ZERO);
    assert_eq!(s.obj.read(1).unwrap(), b"");
    assert_err(s.obj.write(b"x"), "ssl.SSLZeroReturnError", ZERO);
}

/// Feeds `data` to a fresh side (the client after its ClientHello) and returns what
/// its handshake raised (a second attempt must not wait for more input: the
/// connection is dead).
fn feed_garbage(server_side: bool, data: &[u8]) -> Error {
    let (err, again) = feed_garbage_twice(server_side, data);
    assert_ne!(again.python_class(), "ssl.SSLWantReadError", "{again}");
    err
}

fn feed_garbage_twice(server_side: bool, data: &[u8]) -> (Error, Error) {
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let side = if server_side { &mut s } else { &mut c };
    if !server_side {
        assert!(side.obj.do_handshake().is_err());
        side.outgoing.read(None);
    }
    side.incoming.write(data).unwrap();
    let err = side.obj.do_handshake().unwrap_err();
    let again = side.obj.do_handshake().unwrap_err();
    (err, again)
}

#[test]
fn garbage_and_http_to_either_side() {
    let cases: [(&[u8], &str, &str); 5] = [
        (
            b"garbage garbage\r\n",
            "WRONG_VERSION_NUMBER",
            "wrong version number",
        ),
        (b"GET / HTTP/1.1\r\n\r\n", "HTTP_REQUEST", "http request"),
        (b"POST / HTTP/1.1\r\n", "HTTP_REQUEST", "http request"),
        (
            b"CONNECT x:443 HTTP/1.1\r\n",
            "HTTPS_PROXY_REQUEST",
            "https proxy request",
        ),
        (
            b"\x16\x09\x09\x00\x05abcde",
            "WRONG_VERSION_NUMBER",
            "wrong version number",
        ),
    ];
    for server_side in [false, true] {
        for (data, reason, text) in cases {
            let err = feed_garbage(server_side, data);
            assert_eq!(err.python_class(), "ssl.SSLError", "{err}");
            assert_eq!(err.to_string(), format!("[SSL: {reason}] {text}"));
            assert_eq!(err.errno(), Some(1));
        }
        // Unencrypted application data where a handshake record belongs.
        let err = feed_garbage(server_side, b"\x17\x03\x03\x00\x05hello");
        assert_eq!(
            err.to_string(),
            "[SSL: UNEXPECTED_MESSAGE] unexpected message"
        );
    }
    // A plaintext alert before the ClientHello: OpenSSL's server calls it unexpected.
    let err = feed_garbage(true, b"\x15\x03\x03\x00\x02\x02\x46");
    assert_eq!(
        err.to_string(),
        "[SSL: UNEXPECTED_MESSAGE] unexpected message"
    );
    // A warning close_notify during the client's handshake: a clean close (and, as in
    // CPython, a further attempt just waits for input).
    let (err, again) = feed_garbage_twice(false, b"\x15\x03\x03\x00\x02\x01\x00");
    assert_eq!(err.python_class(), "ssl.SSLZeroReturnError");
    assert_eq!(again.python_class(), "ssl.SSLWantReadError");
}

#[test]
fn malformed_handshakes_never_panic_or_hang() {
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    let (c0, _) = pair(&client, &server, Some("localhost"));
    let mut c0 = c0;
    let _ = c0.obj.do_handshake();
    let hello = c0.outgoing.read(None);
    let mut seed = 0x2545_f491_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    for round in 0..200 {
        let mut data = hello.clone();
        // Flip bytes, truncate, or append junk.
        let flips = 1 + next() % 4;
        for _ in 0..flips {
            let i = (next() as usize) % data.len();
            data[i] ^= (next() % 255 + 1) as u8;
        }
        if round % 3 == 0 {
            data.truncate((next() as usize) % data.len());
        }
        let (_c, mut s) = pair(&client, &server, Some("localhost"));
        for chunk in data.chunks(1 + (next() as usize) % 64) {
            s.incoming.write(chunk).unwrap();
            if s.obj.do_handshake().is_ok() {
                break;
            }
        }
        s.incoming.write_eof();
        for _ in 0..3 {
            let r = s.obj.do_handshake();
            assert!(
                !matches!(r, Err(Error::SslWantReadError(_))),
                "no progress at EOF"
            );
        }
        assert!(s.obj.read(10).is_err() || s.obj.read(10).is_ok());
    }
}

#[test]
fn bytes_before_or_with_the_handshake_never_become_application_data() {
    // CVE-2023-40217's class: plaintext that arrives before or alongside the
    // handshake must never be returned by read().
    let server = server_ctx("leaf-ec");
    let client = client_ctx(&["root-ec"]);
    // (a) Junk before the ClientHello.
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let _ = c.obj.do_handshake();
    let mut wire = b"SECRET".to_vec();
    wire.extend(c.outgoing.read(None));
    s.incoming.write(&wire).unwrap();
    let err = s.obj.read(100).unwrap_err();
    assert_eq!(err.reason(), Some("WRONG_VERSION_NUMBER"));
    // (b) An unencrypted application-data record right after the ClientHello.
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let _ = c.obj.do_handshake();
    let mut wire = c.outgoing.read(None);
    wire.extend_from_slice(b"\x17\x03\x03\x00\x06SECRET");
    s.incoming.write(&wire).unwrap();
    let mut leaked = false;
    for _ in 0..10 {
        match s.obj.read(100) {
            Ok(data) => leaked |= data.windows(6).any(|w| w == b"SECRET"),
            Err(Error::SslWantReadError(_)) => {
                transfer(&c, &s);
                let _ = c.obj.do_handshake();
                transfer(&c, &s);
            }
            Err(_) => break,
        }
    }
    assert!(!leaked);
    assert!(s.obj.read(100).is_err());
    // (c) The same record sent to the client after its ClientHello.
    let (mut c, _s) = pair(&client, &server, Some("localhost"));
    let _ = c.obj.do_handshake();
    c.incoming.write(b"\x17\x03\x03\x00\x06SECRET").unwrap();
    let err = c.obj.read(100).unwrap_err();
    assert_eq!(err.reason(), Some("UNEXPECTED_MESSAGE"));
}

#[test]
fn keylog_file_lines() {
    for (tls12, labels) in [
        (
            false,
            &[
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0",
                "EXPORTER_SECRET",
                "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "SERVER_TRAFFIC_SECRET_0",
            ][..],
        ),
        (true, &["CLIENT_RANDOM"][..]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.log");
        let server = server_ctx("leaf-ec");
        let client = client_ctx(&["root-ec"]);
        if tls12 {
            client.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
        }
        client.set_keylog_filename(Some(&path)).unwrap();
        let (mut c, mut s) = pair(&client, &server, Some("localhost"));
        let (cr, sr) = handshake(&mut c, &mut s);
        cr.unwrap();
        sr.unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("# TLS secrets log file, generated by OpenSSL / Python")
        );
        let mut got: Vec<&str> = lines
            .map(|l| {
                let parts: Vec<&str> = l.split(' ').collect();
                assert_eq!(parts.len(), 3, "{l}");
                assert_eq!(parts[1].len(), 64, "client random hex");
                parts[0]
            })
            .collect();
        got.sort_unstable();
        assert_eq!(got, labels);
    }
}

#[test]
fn tls_exporter_channel_binding_matches() {
    for tls12 in [false, true] {
        let (c, s) = connected(tls12, Options::empty());
        let a = c.obj.get_channel_binding("tls-exporter").unwrap().unwrap();
        let b = s.obj.get_channel_binding("tls-exporter").unwrap().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 32);
        let (c2, _) = connected(tls12, Options::empty());
        assert_ne!(
            c2.obj.get_channel_binding("tls-exporter").unwrap().unwrap(),
            a
        );
    }
}

#[test]
fn server_without_certificate() {
    let server = SslContext::new(Protocol::TlsServer).unwrap();
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    assert_eq!(
        sr.unwrap_err().to_string(),
        "[SSL: NO_SHARED_CIPHER] no shared cipher"
    );
    assert_eq!(
        cr.unwrap_err().to_string(),
        "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure"
    );
}

#[test]
fn tls13_certificate_required_without_client_cert() {
    let server = server_ctx("leaf-ec");
    server
        .set_verify_mode(sslcontext::VerifyMode::CertRequired)
        .unwrap();
    server
        .load_verify_locations(Some(&common::cert_path("pki/root-ec.pem")), None, None)
        .unwrap();
    let client = client_ctx(&["root-ec"]);
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    cr.unwrap();
    assert_eq!(
        sr.unwrap_err().to_string(),
        "[SSL: PEER_DID_NOT_RETURN_A_CERTIFICATE] peer did not return a certificate"
    );
    assert_err(
        c.obj.read(10),
        "ssl.SSLError",
        "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required",
    );
    assert_err(c.obj.write(b"x"), "ssl.SSLZeroReturnError", ZERO);
    // TLS 1.2: the client's handshake fails.
    client.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
    let (mut c, mut s) = pair(&client, &server, Some("localhost"));
    let (cr, sr) = handshake(&mut c, &mut s);
    assert_eq!(
        cr.unwrap_err().to_string(),
        "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure"
    );
    assert_eq!(
        sr.unwrap_err().reason(),
        Some("PEER_DID_NOT_RETURN_A_CERTIFICATE")
    );
}

// ---------------------------------------------------------------- SSLSocket

/// Runs `server` on one end of a stream pair in a thread and gives `client` the other.
fn with_sockets<S, F, G, T>(pair: (S, S), server: F, client: G) -> T
where
    S: Read + Write + Send + 'static,
    F: FnOnce(S) + Send + 'static,
    G: FnOnce(S) -> T,
{
    let (a, b) = pair;
    let handle = std::thread::spawn(move || server(b));
    let out = client(a);
    handle.join().expect("server thread");
    out
}

fn tcp_pair() -> (std::net::TcpStream, std::net::TcpStream) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let a = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (b, _) = l.accept().unwrap();
    (a, b)
}

fn echo_then_unwrap_server<S: Read + Write + sslcontext::Socket + 'static>(stream: S) {
    let server = server_ctx("leaf-ec");
    let mut tls = server.wrap_socket(stream, WrapOptions::server()).unwrap();
    let data = tls.recv(1024).unwrap();
    tls.sendall(&data).unwrap();
    let big = tls.recv(100_000).unwrap();
    let mut total = big.len();
    while total < 100_000 {
        total += tls.recv(100_000).unwrap().len();
    }
    tls.send(format!("{total}").as_bytes()).unwrap();
    let mut plain = tls.unwrap().unwrap();
    plain.write_all(b"plain after tls").unwrap();
    plain.flush().unwrap();
}

fn echo_then_unwrap_client<S: Read + Write + sslcontext::Socket>(stream: S) {
    let client = client_ctx(&["root-ec"]);
    let mut tls = client
        .wrap_socket(stream, WrapOptions::client("localhost"))
        .unwrap();
    assert_eq!(tls.version(), Some("TLSv1.3"));
    assert_eq!(tls.send(b"hello").unwrap(), 5);
    assert_eq!(tls.recv(1024).unwrap(), b"hello");
    tls.sendall(&vec![7u8; 100_000]).unwrap();
    assert_eq!(tls.recv(100).unwrap(), b"100000");
    let mut plain = tls.unwrap().unwrap();
    let mut rest = Vec::new();
    plain.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, b"plain after tls");
}

#[test]
fn socket_over_unix_pair_and_tcp() {
    with_sockets(
        UnixStream::pair().unwrap(),
        echo_then_unwrap_server,
        echo_then_unwrap_client,
    );
    with_sockets(tcp_pair(), echo_then_unwrap_server, echo_then_unwrap_client);
}

#[test]
fn socket_ragged_eof_suppressed_or_not() {
    for suppress in [true, false] {
        let out = with_sockets(
            UnixStream::pair().unwrap(),
            |stream| {
                let server = server_ctx("leaf-ec");
                let mut tls = server.wrap_socket(stream, WrapOptions::server()).unwrap();
                tls.sendall(b"bye").unwrap();
                // Dropped without close_notify: a ragged EOF for the client.
            },
            move |stream| {
                let client = client_ctx(&["root-ec"]);
                let opts = WrapOptions {
                    suppress_ragged_eofs: suppress,
                    ..WrapOptions::client("localhost")
                };
                let mut tls = client.wrap_socket(stream, opts).unwrap();
                let first = tls.recv(10).unwrap();
                (first, tls.recv(10), tls.recv(10))
            },
        );
        assert_eq!(out.0, b"bye");
        if suppress {
            assert_eq!(out.1.unwrap(), b"");
            assert_eq!(out.2.unwrap(), b"");
        } else {
            assert_err(out.1, "ssl.SSLEOFError", EOF_FIRST);
            assert_err(out.2, "ssl.SSLEOFError", EOF_BARE);
        }
    }
}

/// A handshaken client over a silent server: `set_timeout` sets a 50 ms timeout its
/// own way, then a read is CPython's `TimeoutError`, and after `setblocking(False)`
/// (which wins over any timeout, as in Python) the same wait is `SSLWantReadError`.
fn read_times_out(set_timeout: fn(&mut SslSocket<UnixStream>)) {
    let (a, b) = UnixStream::pair().unwrap();
    let server_end = std::sync::Arc::new(std::sync::Mutex::new(None));
    let keep = server_end.clone();
    with_sockets(
        (a, b),
        move |stream| {
            let server = server_ctx("leaf-ec");
            let tls = server.wrap_socket(stream, WrapOptions::server()).unwrap();
            // Keep the connection open (no data) until the client has timed out.
            *keep.lock().unwrap() = Some(tls);
        },
        move |stream| {
            let client = client_ctx(&["root-ec"]);
            let mut tls = client
                .wrap_socket(stream, WrapOptions::client("localhost"))
                .unwrap();
            set_timeout(&mut tls);
            let err = tls.recv(10).unwrap_err();
            assert_eq!(err.python_class(), "TimeoutError", "{err}");
            assert_eq!(err.to_string(), "The read operation timed out");
            tls.setblocking(false).unwrap();
            assert_err(tls.recv(10), "ssl.SSLWantReadError", WANT_READ);
        },
    );
    drop(server_end.lock().unwrap().take());
}

#[test]
fn socket_read_timeout_is_timeout_error() {
    read_times_out(|tls| tls.settimeout(Some(Duration::from_millis(50))).unwrap());
}

/// Issue 15, item 3: a timeout set on the stream itself (`TcpStream::set_read_timeout`,
/// as a Rust user sets one) makes an expiry CPython's `TimeoutError`, in the handshake
/// and in a read, not `SSLWantReadError`.
#[test]
fn timeout_set_on_the_stream_is_timeout_error() {
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // A silent peer: accepts and never answers (held until the test ends).
    let silent = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let (_held, _) = listener.accept().unwrap();
    silent
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let err = client_ctx(&["root-ec"])
        .wrap_socket(silent, WrapOptions::client("localhost"))
        .unwrap_err();
    assert_eq!(err.python_class(), "TimeoutError", "{err}");
    assert_eq!(
        err.to_string(),
        "_ssl.c:989: The handshake operation timed out"
    );
    // After a handshake, a timeout set through get_ref() applies to reads.
    read_times_out(|tls| {
        tls.get_ref()
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap()
    });
}

#[test]
fn socket_nonblocking_want_read_and_want_write() {
    let (a, b) = UnixStream::pair().unwrap();
    with_sockets(
        (a, b),
        |stream| {
            let server = server_ctx("leaf-ec");
            let mut tls = server.wrap_socket(stream, WrapOptions::server()).unwrap();
            // Wait for the client's signal that it filled the pipe, then drain.
            let mut got = 0usize;
            while let Ok(chunk) = tls.recv(65536) {
                if chunk.is_empty() {
                    break;
                }
                got += chunk.len();
            }
            assert!(got > 0);
        },
        |stream| {
            let client = client_ctx(&["root-ec"]);
            let mut tls = client
                .wrap_socket(stream, WrapOptions::client("localhost"))
                .unwrap();
            tls.setblocking(false).unwrap();
            assert_err(tls.recv(10), "ssl.SSLWantReadError", WANT_READ);
            let chunk = vec![1u8; 16 * 1024];
            let mut want_write = None;
            for _ in 0..10_000 {
                match tls.send(&chunk) {
                    Ok(_) => {}
                    Err(e) => {
                        want_write = Some(e);
                        break;
                    }
                }
            }
            let e = want_write.expect("a full pipe must block");
            assert_eq!(e.python_class(), "ssl.SSLWantWriteError", "{e}");
            assert_eq!(e.to_string(), "The operation did not complete (write)");
            // Back to blocking: everything pending goes out, then a clean close.
            tls.setblocking(true).unwrap();
            tls.flush().unwrap();
            let _ = tls.unwrap();
        },
    );
}

/// After our close_notify, a record that fails to decrypt (here a plaintext alert
/// record inside a TLS 1.3 connection, and then a corrupted application-data record)
/// fails `unwrap()` with OpenSSL's record error: no panic (rustls debug builds assert
/// on a second alert: rustls/rustls#959), no clean close.
#[test]
fn garbage_after_our_close_notify_fails_unwrap_cleanly() {
    for record in [
        vec![21u8, 3, 3, 0, 2, 2, 80],
        [vec![23u8, 3, 3, 0, 40], vec![0x5a; 40]].concat(),
    ] {
        let (mut c, mut s) = pair(
            &client_ctx(&["root-ec"]),
            &server_ctx("leaf-ec"),
            Some("localhost"),
        );
        let (cr, sr) = handshake(&mut c, &mut s);
        cr.unwrap();
        sr.unwrap();
        assert_err(c.obj.unwrap(), "ssl.SSLWantReadError", WANT_READ);
        c.incoming.write(&record).unwrap();
        assert_err(
            c.obj.unwrap(),
            "ssl.SSLError",
            "[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] decryption failed or bad record mac",
        );
        assert!(
            c.obj.unwrap().is_err(),
            "the connection stays failed after the record error"
        );
    }
}

/// `SslSocket::shutdown` keeps the connection: on a non-blocking stream whose peer has
/// not answered yet it is `SSLWantReadError` and is simply called again (a consuming
/// `unwrap()` would have dropped the connection); afterwards the stream is plain text.
#[test]
fn socket_shutdown_is_retried_without_losing_the_connection() {
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    with_sockets(
        UnixStream::pair().unwrap(),
        move |stream| {
            let server = server_ctx("leaf-ec");
            let mut tls = server.wrap_socket(stream, WrapOptions::server()).unwrap();
            assert_eq!(tls.recv(10).unwrap(), b"hi");
            // Answer the client's close_notify only once it has seen SSLWantReadError.
            go_rx.recv().unwrap();
            let mut plain = tls.unwrap().unwrap();
            plain.write_all(b"plain").unwrap();
        },
        move |stream| {
            let client = client_ctx(&["root-ec"]);
            let mut tls = client
                .wrap_socket(stream, WrapOptions::client("localhost"))
                .unwrap();
            tls.sendall(b"hi").unwrap();
            tls.setblocking(false).unwrap();
            let first = tls.shutdown();
            assert!(
                matches!(first, Err(Error::SslWantReadError(_))),
                "{first:?}"
            );
            // The connection is still there: the TLS object knows it is shutting down.
            assert_eq!(tls.sslobj().version(), Some("TLSv1.3"));
            go_tx.send(()).unwrap();
            tls.setblocking(true).unwrap();
            tls.shutdown().unwrap();
            let mut rest = Vec::new();
            tls.get_mut().read_to_end(&mut rest).unwrap();
            assert_eq!(rest, b"plain");
            // sslobj_mut reaches the same object.
            assert_eq!(tls.sslobj_mut().version(), Some("TLSv1.3"));
        },
    );
}
