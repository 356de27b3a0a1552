//! Interop with the `openssl` command-line tool over loopback TCP: `s_server` with our
//! client and `s_client` with our server. TLS 1.2 and 1.3; RSA, ECDSA P-256 and Ed25519
//! server certificates; client certificates; ALPN; close_notify and ragged EOF both
//! ways. Data is checked in both directions; version, cipher, ALPN and the peer's
//! certificate on both ends (openssl's `-brief` / session report on its side).

mod common;
#[path = "common/peers.rs"]
mod peers;

use std::net::TcpListener;
use std::time::Duration;

use sslcontext::{Error, SslContext, TlsVersion};
use sslcontext::{SslSocket, WrapOptions};

fn intermediate(leaf: &str) -> &'static str {
    match leaf {
        "leaf-rsa" | "client-rsa" => "pki/int-rsa.pem",
        _ => "pki/int-ec.pem",
    }
}

fn root(leaf: &str) -> &'static str {
    match leaf {
        "leaf-rsa" | "client-rsa" => "root-rsa",
        _ => "root-ec",
    }
}

/// The common name of our test leaves, as openssl prints it.
fn cn(leaf: &str) -> &'static str {
    match leaf {
        "client-rsa" => "CN = client-rsa",
        "client-ec" => "CN = client-ec",
        _ => "CN = www.example.com",
    }
}

fn our_client(leaf: &str, tls12: bool, client_cert: Option<&str>, alpn: &[&str]) -> SslContext {
    let ctx = common::client_ctx(&[root(leaf)]);
    if tls12 {
        ctx.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
    }
    if let Some(cc) = client_cert {
        ctx.load_cert_chain(
            common::cert_path(&format!("chains/{cc}.chain.pem")),
            Some(&common::cert_path(&format!("pki/{cc}.key"))),
            None,
        )
        .unwrap();
    }
    if !alpn.is_empty() {
        ctx.set_alpn_protocols(alpn).unwrap();
    }
    ctx
}

fn handshake_client(ctx: &SslContext, port: u16) -> Result<SslSocket<std::net::TcpStream>, Error> {
    let stream = peers::connect_retry(port);
    let opts = WrapOptions {
        suppress_ragged_eofs: false,
        do_handshake_on_connect: false,
        ..WrapOptions::client("localhost")
    };
    let mut tls = ctx.wrap_socket(stream, opts).unwrap();
    tls.settimeout(Some(Duration::from_secs(20))).unwrap();
    tls.do_handshake()?;
    Ok(tls)
}

/// Reads until `want` bytes came (bounded) or EOF.
fn recv_exact(tls: &mut SslSocket<std::net::TcpStream>, want: usize) -> Vec<u8> {
    let mut got = Vec::new();
    for _ in 0..100 {
        if got.len() >= want {
            break;
        }
        match tls.recv(1024) {
            Ok(c) if c.is_empty() => break,
            Ok(c) => got.extend(c),
            Err(e) => panic!("recv: {e}"),
        }
    }
    got
}

struct ServerCase {
    leaf: &'static str,
    tls12: bool,
    client_cert: Option<&'static str>,
    alpn: (&'static str, &'static [&'static str], Option<&'static str>),
    /// "client_close", "client_ragged", "server_ragged".
    close: &'static str,
}

fn s_server(case: &ServerCase) {
    let port = peers::free_port();
    let roots = peers::cert("bundles/roots.pem");
    let mut args = vec!["-brief"];
    args.push(if case.tls12 { "-tls1_2" } else { "-tls1_3" });
    if case.client_cert.is_some() {
        args.extend(["-Verify", "2", "-verify_return_error", "-CAfile", &roots]);
    }
    if !case.alpn.0.is_empty() {
        args.extend(["-alpn", case.alpn.0]);
    }
    let mut peer = peers::s_server(port, case.leaf, intermediate(case.leaf), &args);
    let ctx = our_client(case.leaf, case.tls12, case.client_cert, case.alpn.1);
    let result = handshake_client(&ctx, port);
    let tag = format!(
        "s_server {} tls12={} cc={:?} alpn={:?} {}",
        case.leaf, case.tls12, case.client_cert, case.alpn, case.close
    );
    if !case.alpn.0.is_empty() && case.alpn.2.is_none() {
        // s_server (unlike CPython's server) rejects a ClientHello without a common
        // ALPN protocol with a fatal no_application_protocol alert; we report it as
        // CPython does (OpenSSL has no reason name for alert 120).
        let e = result.expect_err(&tag);
        assert_eq!(
            e.to_string(),
            "[SSL] tlsv1 alert no application protocol",
            "{tag}"
        );
        peer.finish();
        return;
    }
    let mut tls = result.unwrap_or_else(|e| panic!("{tag}: {e} / {}", peer.stderr_text()));
    let version = if case.tls12 { "TLSv1.2" } else { "TLSv1.3" };
    assert_eq!(tls.version(), Some(version), "{tag}");
    assert_eq!(
        tls.selected_alpn_protocol().as_deref(),
        case.alpn.2,
        "{tag}"
    );
    match tls.getpeercert().unwrap() {
        Some(sslcontext::PeerCertificate::Decoded(info)) => {
            assert!(format!("{info:?}").contains("www.example.com"), "{tag}")
        }
        other => panic!("{tag}: peer cert {other:?}"),
    }
    // Data both ways: ours → s_server's stdout, s_server's stdin → ours.
    tls.sendall(b"hello from rust\n").unwrap();
    assert!(
        peer.wait_stdout("hello from rust"),
        "{tag}: {}",
        peer.stderr_text()
    );
    peer.send_stdin(b"hello from openssl\n");
    assert_eq!(recv_exact(&mut tls, 19), b"hello from openssl\n", "{tag}");
    // openssl's -brief report (stderr) agrees on version, cipher and our certificate.
    let report = peer.stderr_text();
    let cipher = tls.cipher().unwrap().0;
    assert!(
        report.contains(&format!("Protocol version: {version}")),
        "{tag}: {report}"
    );
    assert!(
        report.contains(&format!("Ciphersuite: {cipher}")),
        "{tag}: {report}"
    );
    if let Some(cc) = case.client_cert {
        assert!(
            report.contains(&format!(
                "Peer certificate: C = XY, O = Oracle Test, {}",
                cn(cc)
            )),
            "{tag}: {report}"
        );
    }
    match case.close {
        "client_close" => {
            // s_server answers our close_notify with its own and exits.
            tls.unwrap().unwrap();
            assert!(
                peer.finish(),
                "{tag}: s_server did not exit after close_notify"
            );
        }
        "client_ragged" => {
            drop(tls);
            assert!(peer.finish(), "{tag}: s_server did not exit after EOF");
        }
        "server_ragged" => {
            // The server vanishes without close_notify: a ragged EOF for us.
            peer.kill();
            let e = tls.recv(1024).unwrap_err();
            assert_eq!(e.python_class(), "ssl.SSLEOFError", "{tag}: {e}");
            assert_eq!(e.reason(), Some("UNEXPECTED_EOF_WHILE_READING"));
        }
        other => panic!("close mode {other}"),
    }
}

#[test]
fn openssl_server_our_client() {
    if !common::have_peer("openssl") {
        return;
    }
    let mut n = 0;
    for tls12 in [false, true] {
        for leaf in ["leaf-rsa", "leaf-ec", "leaf-ed25519"] {
            s_server(&ServerCase {
                leaf,
                tls12,
                client_cert: None,
                alpn: ("", &[], None),
                close: "client_close",
            });
            n += 1;
        }
        for cc in ["client-rsa", "client-ec"] {
            s_server(&ServerCase {
                leaf: "leaf-ec",
                tls12,
                client_cert: Some(cc),
                alpn: ("", &[], None),
                close: "client_close",
            });
            n += 1;
        }
        for (server, client, expect) in [
            ("h2,http/1.1", &["http/1.1", "h2"][..], Some("h2")),
            ("h2", &["http/1.1"][..], None),
        ] {
            s_server(&ServerCase {
                leaf: "leaf-ec",
                tls12,
                client_cert: None,
                alpn: (server, client, expect),
                close: "client_close",
            });
            n += 1;
        }
        for close in ["client_ragged", "server_ragged"] {
            s_server(&ServerCase {
                leaf: "leaf-ec",
                tls12,
                client_cert: None,
                alpn: ("", &[], None),
                close,
            });
            n += 1;
        }
    }
    eprintln!("openssl s_server: {n} scenarios");
}

struct ClientCase {
    leaf: &'static str,
    tls12: bool,
    client_cert: Option<&'static str>,
    alpn: (&'static [&'static str], &'static str, Option<&'static str>),
    /// "client_close" (s_client's stdin EOF), "client_ragged" (killed),
    /// "server_close" (our unwrap), "server_ragged" (we drop the stream).
    close: &'static str,
}

fn s_client(case: &ClientCase) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let ctx = common::server_ctx(case.leaf);
    if case.client_cert.is_some() {
        ctx.set_verify_mode(sslcontext::VerifyMode::CertRequired)
            .unwrap();
        ctx.load_verify_locations(Some(&common::cert_path("bundles/roots.pem")), None, None)
            .unwrap();
    }
    if !case.alpn.0.is_empty() {
        ctx.set_alpn_protocols(case.alpn.0).unwrap();
    }
    let close = case.close;
    let server = std::thread::spawn(move || -> Result<(String, Vec<u8>, String), Error> {
        let (stream, _) = listener.accept().map_err(Error::Io)?;
        let opts = WrapOptions {
            suppress_ragged_eofs: false,
            do_handshake_on_connect: false,
            ..WrapOptions::server()
        };
        let mut tls = ctx.wrap_socket(stream, opts)?;
        tls.settimeout(Some(Duration::from_secs(20)))?;
        tls.do_handshake()?;
        let summary = format!(
            "{:?} {:?} {:?} {}",
            tls.version(),
            tls.cipher().map(|c| c.0),
            tls.selected_alpn_protocol(),
            match tls.getpeercert()? {
                Some(sslcontext::PeerCertificate::Decoded(info)) => format!("{info:?}"),
                _ => "no peer cert".into(),
            }
        );
        let mut got = Vec::new();
        for _ in 0..100 {
            if got.ends_with(b"\n") {
                break;
            }
            let chunk = tls.recv(1024)?;
            if chunk.is_empty() {
                break;
            }
            got.extend(chunk);
        }
        tls.sendall(b"hello from rust\n")?;
        let end = match close {
            "server_close" => {
                // Our close_notify; s_client answers and exits.
                tls.unwrap().map(|_| "unwrap ok".to_string())?
            }
            "server_ragged" => {
                drop(tls);
                "dropped".to_string()
            }
            _ => match tls.recv(1024) {
                Ok(d) if d.is_empty() => "close_notify".to_string(),
                Ok(d) => format!("data {d:?}"),
                Err(e) => format!("{}: {:?}", e.python_class(), e.reason()),
            },
        };
        Ok((summary, got, end))
    });
    let p = format!("127.0.0.1:{port}");
    let ca = peers::cert(&format!("pki/{}.pem", root(case.leaf)));
    let alpn_arg = case.alpn.1.to_string();
    let mut args = vec![
        "s_client",
        "-connect",
        &p,
        "-CAfile",
        &ca,
        "-verify_return_error",
        "-verify_hostname",
        "localhost",
        "-servername",
        "localhost",
    ];
    args.push(if case.tls12 { "-tls1_2" } else { "-tls1_3" });
    let (cc_cert, cc_key, cc_chain);
    if let Some(cc) = case.client_cert {
        cc_cert = peers::cert(&format!("pki/{cc}.pem"));
        cc_key = peers::cert(&format!("pki/{cc}.key"));
        cc_chain = peers::cert(intermediate(cc));
        args.extend(["-cert", &cc_cert, "-key", &cc_key, "-cert_chain", &cc_chain]);
    }
    if !alpn_arg.is_empty() {
        args.extend(["-alpn", &alpn_arg]);
    }
    let mut peer = peers::openssl(&args);
    let tag = format!(
        "s_client {} tls12={} cc={:?} alpn={:?} {}",
        case.leaf, case.tls12, case.client_cert, case.alpn, case.close
    );
    peer.send_stdin(b"hello from openssl\n");
    assert!(
        peer.wait_stdout("hello from rust"),
        "{tag}: {}",
        peer.stderr_text()
    );
    match case.close {
        "client_close" => {
            peer.close_stdin();
            assert!(peer.finish(), "{tag}");
        }
        "client_ragged" => peer.kill(),
        _ => assert!(peer.finish(), "{tag}: s_client did not exit"),
    }
    let (summary, got, end) = server.join().expect("server thread").expect("our server");
    let out = peer.stdout_text();
    let version = if case.tls12 { "TLSv1.2" } else { "TLSv1.3" };
    assert!(
        summary.starts_with(&format!("Some({version:?})")),
        "{tag}: {summary}"
    );
    assert_eq!(got, b"hello from openssl\n", "{tag}");
    // s_client's session report: version and cipher as ours, ALPN, verification ok.
    let cipher = summary.split(' ').nth(1).unwrap_or_default().to_string();
    let cipher = cipher.trim_start_matches("Some(\"").trim_end_matches("\")");
    assert!(
        out.contains(&format!("New, {version}, Cipher is {cipher}")),
        "{tag}: {out}"
    );
    match case.alpn.2 {
        Some(a) => assert!(out.contains(&format!("ALPN protocol: {a}")), "{tag}: {out}"),
        None => assert!(out.contains("No ALPN negotiated"), "{tag}: {out}"),
    }
    assert!(out.contains("Verify return code: 0 (ok)"), "{tag}: {out}");
    assert!(out.contains("CN = www.example.com"), "{tag}");
    if let Some(cc) = case.client_cert {
        assert!(summary.contains(cc), "{tag}: {summary}");
    }
    match case.close {
        "client_close" => assert_eq!(end, "close_notify", "{tag}"),
        "client_ragged" => assert_eq!(
            end, "ssl.SSLEOFError: Some(\"UNEXPECTED_EOF_WHILE_READING\")",
            "{tag}"
        ),
        "server_close" => assert_eq!(end, "unwrap ok", "{tag}"),
        _ => assert_eq!(end, "dropped", "{tag}"),
    }
}

#[test]
fn openssl_client_our_server() {
    if !common::have_peer("openssl") {
        return;
    }
    let mut n = 0;
    for tls12 in [false, true] {
        for leaf in ["leaf-rsa", "leaf-ec", "leaf-ed25519"] {
            s_client(&ClientCase {
                leaf,
                tls12,
                client_cert: None,
                alpn: (&[], "", None),
                close: "client_close",
            });
            n += 1;
        }
        for cc in ["client-rsa", "client-ec"] {
            s_client(&ClientCase {
                leaf: "leaf-ec",
                tls12,
                client_cert: Some(cc),
                alpn: (&[], "", None),
                close: "client_close",
            });
            n += 1;
        }
        for (server, client, expect) in [
            (&["h2", "http/1.1"][..], "http/1.1,h2", Some("h2")),
            (&["h2"][..], "http/1.1", None),
        ] {
            s_client(&ClientCase {
                leaf: "leaf-ec",
                tls12,
                client_cert: None,
                alpn: (server, client, expect),
                close: "client_close",
            });
            n += 1;
        }
        for close in ["client_ragged", "server_close", "server_ragged"] {
            s_client(&ClientCase {
                leaf: "leaf-ec",
                tls12,
                client_cert: None,
                alpn: (&[], "", None),
                close,
            });
            n += 1;
        }
    }
    eprintln!("openssl s_client: {n} scenarios");
}

/// A TLS 1.2 server that asks to renegotiate (s_server's `R` command sends a
/// HelloRequest). rustls never renegotiates: the client declines with a
/// no_renegotiation warning, s_server aborts, and the client's next read fails with
/// the alert it got. This pins the exact error a user sees (docs/COMPATIBILITY.md).
#[test]
fn renegotiation_request_from_openssl_server() {
    if !common::have_peer("openssl") {
        return;
    }
    let port = peers::free_port();
    let mut peer = peers::s_server(port, "leaf-ec", intermediate("leaf-ec"), &["-tls1_2"]);
    let ctx = our_client("leaf-ec", true, None, &[]);
    let mut tls = handshake_client(&ctx, port).unwrap();
    assert_eq!(tls.version(), Some("TLSv1.2"));
    tls.sendall(b"before\n").unwrap();
    assert!(peer.wait_stdout("before"), "{}", peer.stderr_text());
    peer.send_stdin(b"R\n");
    let err = tls.recv(100).unwrap_err();
    assert_eq!(err.python_class(), "ssl.SSLError", "{err}");
    assert_eq!(err.reason(), Some("SSLV3_ALERT_HANDSHAKE_FAILURE"), "{err}");
    assert_eq!(
        err.to_string(),
        "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure"
    );
    assert!(peer.finish(), "s_server did not end");
    assert!(
        peer.stdout_text().contains("no renegotiation")
            || peer.stderr_text().contains("no renegotiation"),
        "s_server's side: {} / {}",
        peer.stdout_text(),
        peer.stderr_text()
    );
}
