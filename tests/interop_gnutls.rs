//! The GnuTLS 3.7 interop matrix (docs/INTEROP.md), both directions.
//!
//! `gnutls_server_*`: `gnutls-serv --echo` is the server and the `sslctx connect` client
//! is ours. gnutls-serv listens on every interface (it has no bind option), so each
//! scenario runs it and our client together inside a private network namespace
//! (`unshare -n`) whose only interface is its own loopback.
//!
//! `gnutls_client_*`: `gnutls-cli` connects to our server (the library, in-process, on
//! 127.0.0.1).
//!
//! Each test is one cell of the matrix: both sides must agree (version, cipher, ALPN,
//! resumption, the certificate and name each sent), and data must flow.

mod common;
#[path = "common/interop.rs"]
mod interop;
#[path = "common/peers.rs"]
mod peers;

use std::process::Command;

use interop::{certs, sh_quote, End, OurServer, ServerCfg, Ver};
use serde_json::Value;

fn have_gnutls_serv() -> bool {
    common::have_peer("gnutls-serv") && interop::have_netns()
}

/// GnuTLS's name of the bulk cipher of one of our suite names.
fn gnutls_cipher(ours: &str) -> &'static str {
    if ours.contains("AES_256_GCM") || ours.contains("AES256-GCM") {
        "AES-256-GCM"
    } else if ours.contains("AES_128_GCM") || ours.contains("AES128-GCM") {
        "AES-128-GCM"
    } else if ours.contains("CHACHA20") {
        "CHACHA20-POLY1305"
    } else {
        panic!("unexpected suite {ours}")
    }
}

/// A GnuTLS priority string allowing only `ver`.
fn priority(ver: Ver) -> &'static str {
    match ver {
        Ver::Tls12 => "NORMAL:-VERS-ALL:+VERS-TLS1.2",
        Ver::Tls13 => "NORMAL:-VERS-ALL:+VERS-TLS1.3",
    }
}

fn gnutls_version(ver: Ver) -> &'static str {
    match ver {
        Ver::Tls12 => "TLS1.2",
        Ver::Tls13 => "TLS1.3",
    }
}

// ---------------------------------------------------------------------------------
// gnutls-serv is the server; `sslctx connect` is ours.

/// What one namespace run produced: our client's JSON lines and gnutls-serv's log.
struct ServRun {
    lines: Vec<Value>,
    serv: String,
    tag: String,
}

/// Runs `gnutls-serv --echo` (leaf-ec, `ver` only, `serv_args`) and then
/// `sslctx connect` (trusting root-ec, `ver` only, `connect_args`) inside one private
/// network namespace. With `kill_after_handshake`, our client runs in the background
/// and gnutls-serv is killed (no close_notify) once it has read our data.
fn gnutls_serv(
    ver: Ver,
    serv_args: &[&str],
    connect_args: &[&str],
    kill_after_handshake: bool,
) -> ServRun {
    let c = certs();
    let mut serv = vec![
        "gnutls-serv".to_string(),
        "-p".into(),
        "4433".into(),
        "--echo".into(),
        "--x509certfile".into(),
        format!("{c}/chains/leaf-ec.chain.pem"),
        "--x509keyfile".into(),
        format!("{c}/pki/leaf-ec.key"),
        "--priority".into(),
        priority(ver).into(),
    ];
    serv.extend(serv_args.iter().map(|s| s.to_string()));
    if kill_after_handshake {
        // Record-level debug output: shows when our data has been read.
        serv.extend(["-d".to_string(), "5".into()]);
    }
    let mut client = vec![
        "timeout".to_string(),
        "60".into(),
        env!("CARGO_BIN_EXE_sslctx").into(),
        "connect".into(),
        "127.0.0.1:4433".into(),
        "--cafile".into(),
        format!("{c}/pki/root-ec.pem"),
        "--min-version".into(),
        ver.arg().into(),
        "--max-version".into(),
        ver.arg().into(),
    ];
    client.extend(connect_args.iter().map(|s| s.to_string()));
    let join = |v: &[String]| v.iter().map(|s| sh_quote(s)).collect::<Vec<_>>().join(" ");
    let wait_for = |needle: &str, what: &str| {
        format!(
            "i=0\nuntil grep -qF {} \"$D/serv.out\"; do\n  i=$((i+1))\n  if [ $i -ge 400 ]; then echo {} >&2; kill $GP; exit 98; fi\n  sleep 0.05\ndone\n",
            sh_quote(needle),
            sh_quote(what)
        )
    };
    // gnutls-serv is killed by its pid whichever way the script ends (the outer
    // `timeout` sends TERM).
    let mut script = format!(
        "{} > \"$D/serv.out\" 2>&1 &\nGP=$!\ntrap 'kill -9 $GP 2>/dev/null' EXIT\ntrap 'exit 1' TERM INT\n",
        join(&serv)
    );
    script += &wait_for(
        "IPv4 0.0.0.0 port 4433...done",
        "gnutls-serv never listened",
    );
    if kill_after_handshake {
        script += &format!("{} &\nCP=$!\n", join(&client));
        // Killed once it has read our two bytes (so the kernel closes with a FIN,
        // not a reset for unread data).
        script += &wait_for(
            "Application Data(23) with length: 2",
            "gnutls-serv never read our data",
        );
        script += "kill -9 $GP\nwait $CP\n";
    } else {
        script += &format!("{}\n", join(&client));
    }
    script += "exit 0\n";
    let dir = tempfile::tempdir().unwrap();
    let (stdout, stderr) = interop::in_netns(&script, dir.path(), 120);
    let serv = std::fs::read_to_string(dir.path().join("serv.out")).unwrap_or_default();
    let tag = format!("gnutls-serv {ver:?} {serv_args:?} / connect {connect_args:?}");
    let lines = interop::json_lines(&stdout);
    assert!(
        !lines.is_empty(),
        "{tag}: no output from sslctx; stderr {stderr}; gnutls-serv: {serv}"
    );
    ServRun { lines, serv, tag }
}

impl ServRun {
    /// Connection `i` completed in `ver` on both sides, with the same cipher, our
    /// client verified gnutls-serv's certificate, and the line came back.
    fn assert_agreed(&self, i: usize, ver: Ver) -> &Value {
        let (line, tag) = (&self.lines[i], &self.tag);
        assert!(line.get("error").is_none(), "{tag}: {line}\n{}", self.serv);
        assert_eq!(line["version"], ver.python(), "{tag}: {line}");
        assert_eq!(line["cipher"][1], ver.python(), "{tag}: {line}");
        let cipher = line["cipher"][0].as_str().unwrap_or_default();
        let want = format!("- Cipher: {}", gnutls_cipher(cipher));
        assert!(self.serv.contains(&want), "{tag}: {want}\n{}", self.serv);
        let want = format!("- Version: {}", gnutls_version(ver));
        assert!(self.serv.contains(&want), "{tag}: {want}\n{}", self.serv);
        assert_eq!(
            line["peercert"]["subject"][2][0][1], "www.example.com",
            "{tag}: {line}"
        );
        line
    }
}

#[test]
fn gnutls_server_tls12() {
    if !have_gnutls_serv() {
        return;
    }
    let run = gnutls_serv(Ver::Tls12, &[], &["--send", "hello\n"], false);
    let line = run.assert_agreed(0, Ver::Tls12);
    assert_eq!(line["received"], "hello\n", "{}", run.tag);
    assert_eq!(line["shutdown"], "close_notify", "{}", run.tag);
}

#[test]
fn gnutls_server_tls13() {
    if !have_gnutls_serv() {
        return;
    }
    let run = gnutls_serv(Ver::Tls13, &[], &["--send", "hello\n"], false);
    let line = run.assert_agreed(0, Ver::Tls13);
    assert_eq!(line["received"], "hello\n", "{}", run.tag);
    assert_eq!(line["shutdown"], "close_notify", "{}", run.tag);
}

#[test]
fn gnutls_server_resumption() {
    if !have_gnutls_serv() {
        return;
    }
    for ver in Ver::BOTH {
        let run = gnutls_serv(ver, &[], &["--send", "hello\n", "--reconnect"], false);
        assert_eq!(run.lines.len(), 2, "{}: {:?}", run.tag, run.lines);
        assert_eq!(run.assert_agreed(0, ver)["session_reused"], false);
        let second = run.assert_agreed(1, ver);
        assert_eq!(second["session_reused"], true, "{}: {second}", run.tag);
        assert_eq!(second["received"], "hello\n", "{}", run.tag);
        assert_eq!(
            run.serv.matches("*** This is a resumed session").count(),
            1,
            "{}: {}",
            run.tag,
            run.serv
        );
    }
}

#[test]
fn gnutls_server_alpn() {
    if !have_gnutls_serv() {
        return;
    }
    for ver in Ver::BOTH {
        let run = gnutls_serv(
            ver,
            &["--alpn", "h2", "--alpn", "http/1.1", "--alpn-fatal"],
            &["--alpn", "foo,http/1.1", "--send", "hello\n"],
            false,
        );
        let line = run.assert_agreed(0, ver);
        assert_eq!(line["alpn"], "http/1.1", "{}: {line}", run.tag);
        assert!(
            run.serv.contains("- Application protocol: http/1.1"),
            "{}: {}",
            run.tag,
            run.serv
        );
        assert_eq!(line["received"], "hello\n", "{}", run.tag);
    }
}

#[test]
fn gnutls_server_client_cert() {
    if !have_gnutls_serv() {
        return;
    }
    let c = certs();
    let (ca, chain, key) = (
        format!("{c}/pki/root-ec.pem"),
        format!("{c}/chains/client-ec.chain.pem"),
        format!("{c}/pki/client-ec.key"),
    );
    for ver in Ver::BOTH {
        // gnutls-serv requires a certificate and verifies it against root-ec.
        let serv = ["-r", "--verify-client-cert", "--x509cafile", &ca];
        let args = ["--certfile", &chain, "--keyfile", &key, "--send", "hello\n"];
        let run = gnutls_serv(ver, &serv, &args, false);
        let line = run.assert_agreed(0, ver);
        assert_eq!(line["received"], "hello\n", "{}", run.tag);
        for want in [
            "- Status: The certificate is trusted.",
            "Subject: CN=client-ec,O=Oracle Test,C=XY",
        ] {
            assert!(run.serv.contains(want), "{}: {want}\n{}", run.tag, run.serv);
        }
        // Without one, gnutls-serv refuses it: in TLS 1.3 our client's handshake is
        // over by then, so (as in CPython) the alert comes with the first read.
        let run = gnutls_serv(ver, &serv, &["--send", "hello\n"], false);
        let line = &run.lines[0];
        let error = match ver {
            Ver::Tls12 => &line["error"],
            Ver::Tls13 => &line["shutdown"],
        };
        assert_eq!(error["type"], "ssl.SSLError", "{}: {line}", run.tag);
        let want = match ver {
            // gnutls-serv's choice of alert for an empty Certificate (CPython gets the
            // same decode_error).
            Ver::Tls12 => "TLSV1_ALERT_DECODE_ERROR",
            Ver::Tls13 => "TLSV13_ALERT_CERTIFICATE_REQUIRED",
        };
        assert_eq!(error["reason"], want, "{}: {line}", run.tag);
    }
}

#[test]
fn gnutls_server_sni() {
    if !have_gnutls_serv() {
        return;
    }
    for ver in Ver::BOTH {
        // gnutls-serv aborts a handshake whose SNI is not its name.
        let serv = ["--sni-hostname", "www.example.com", "--sni-hostname-fatal"];
        let args = ["--server-hostname", "www.example.com", "--send", "hello\n"];
        let run = gnutls_serv(ver, &serv, &args, false);
        let line = run.assert_agreed(0, ver);
        assert_eq!(line["server_hostname"], "www.example.com", "{}", run.tag);
        assert!(
            run.serv.contains("- Given server name[1]: www.example.com"),
            "{}: {}",
            run.tag,
            run.serv
        );
        let args = ["--server-hostname", "localhost", "--send", "hello\n"];
        let run = gnutls_serv(ver, &serv, &args, false);
        assert_eq!(
            run.lines[0]["error"]["message"],
            "[SSL: TLSV1_UNRECOGNIZED_NAME] tlsv1 unrecognized name",
            "{}: {:?}",
            run.tag,
            run.lines
        );
    }
}

#[test]
fn gnutls_server_close_notify() {
    if !have_gnutls_serv() {
        return;
    }
    for ver in Ver::BOTH {
        // Our close_notify after the echo; gnutls-serv answers with its own, which is
        // how our client sees a clean shutdown ("shutdown": "close_notify").
        let run = gnutls_serv(ver, &[], &["--send", "hello\n"], false);
        let line = run.assert_agreed(0, ver);
        assert_eq!(line["received"], "hello\n", "{}", run.tag);
        assert_eq!(line["shutdown"], "close_notify", "{}: {line}", run.tag);
    }
}

#[test]
fn gnutls_server_ragged_eof() {
    if !have_gnutls_serv() {
        return;
    }
    for ver in Ver::BOTH {
        // gnutls-serv echoes whole lines only: it holds "hi" and is killed, so the
        // transport ends without close_notify while we wait for the echo. As in
        // CPython (`suppress_ragged_eofs=True`, connect's default), recv() returns
        // b'' and the following unwrap() fails with SHUTDOWN_WHILE_IN_INIT.
        let run = gnutls_serv(ver, &[], &["--send", "hi"], true);
        let line = run.assert_agreed(0, ver);
        assert_eq!(line["received"], "", "{}: {line}", run.tag);
        assert_eq!(
            line["shutdown"]["reason"], "SHUTDOWN_WHILE_IN_INIT",
            "{}: {line}",
            run.tag
        );
        assert_eq!(line["shutdown"]["type"], "ssl.SSLError", "{}", run.tag);
    }
}

// ---------------------------------------------------------------------------------
// gnutls-cli is the client; our server is the library in-process.

/// `gnutls-cli` to our server on 127.0.0.1:`port` (verifying it as `name`, sending
/// `name` as SNI), allowing only `ver`.
fn gnutls_cli(port: u16, ver: Ver, name: &str, extra: &[&str]) -> peers::Peer {
    let c = certs();
    let mut cmd = Command::new("gnutls-cli");
    cmd.args(["-p", &port.to_string(), "127.0.0.1"])
        .args(["--x509cafile", &format!("{c}/pki/root-ec.pem")])
        .args(["--verify-hostname", name, "--sni-hostname", name])
        .args(["--priority", priority(ver)])
        .args(extra);
    peers::Peer::spawn(cmd, tempfile::tempdir().unwrap())
}

/// gnutls-cli's report agrees with what our server saw.
fn assert_cli_agreed(peer: &peers::Peer, served: &interop::Served, ver: Ver, tag: &str) {
    let out = peer.stdout_text();
    assert_eq!(served.version.as_deref(), Some(ver.python()), "{tag}");
    let want = format!("(TLS{}-X.509)", &gnutls_version(ver)[3..]);
    assert!(out.contains(&want), "{tag}: {want}\n{out}");
    let cipher = served.cipher.as_deref().unwrap_or_default();
    let want = format!("-({})", gnutls_cipher(cipher));
    assert!(out.contains(&want), "{tag}: {want}\n{out}");
    assert!(
        out.contains("- Status: The certificate is trusted."),
        "{tag}: {out}"
    );
}

/// One echo exchange through gnutls-cli.
fn echo(peer: &mut peers::Peer, text: &str, tag: &str) {
    peer.send_stdin(format!("{text}\n").as_bytes());
    assert!(
        peer.wait_stdout(&format!("\n{text}\n")),
        "{tag}: no echo of {text}: {}\n{}",
        peer.stdout_text(),
        peer.stderr_text()
    );
}

/// The plain scenario: handshake, one echo, gnutls-cli closes (stdin EOF: its
/// close_notify); returns what our server saw and gnutls-cli.
fn cli_scenario(
    cfg: ServerCfg,
    name: &str,
    extra: &[&str],
) -> (interop::Served, peers::Peer, String) {
    let ver = cfg.ver;
    let tag = format!("gnutls-cli {cfg:?} {name} {extra:?}");
    let server = OurServer::start(cfg, 1);
    let mut peer = gnutls_cli(server.port, ver, name, extra);
    echo(&mut peer, "hello", &tag);
    peer.close_stdin();
    assert!(peer.finish(), "{tag}: gnutls-cli did not exit");
    let served = server.join(&tag).remove(0);
    assert_cli_agreed(&peer, &served, ver, &tag);
    assert_eq!(served.received, b"hello\n", "{tag}");
    (served, peer, tag)
}

fn have_gnutls_cli() -> bool {
    common::have_peer("gnutls-cli")
}

#[test]
fn gnutls_client_tls12() {
    if !have_gnutls_cli() {
        return;
    }
    let (served, _, tag) = cli_scenario(ServerCfg::new(Ver::Tls12), "localhost", &[]);
    assert_eq!(served.end, "close_notify", "{tag}");
}

#[test]
fn gnutls_client_tls13() {
    if !have_gnutls_cli() {
        return;
    }
    let (served, _, tag) = cli_scenario(ServerCfg::new(Ver::Tls13), "localhost", &[]);
    assert_eq!(served.end, "close_notify", "{tag}");
}

#[test]
fn gnutls_client_resumption() {
    if !have_gnutls_cli() {
        return;
    }
    for ver in Ver::BOTH {
        let tag = format!("gnutls-cli -r {ver:?}");
        let server = OurServer::start(ServerCfg::new(ver), 2);
        let extra: &[&str] = match ver {
            Ver::Tls12 => &["-r"],
            Ver::Tls13 => &["-r", "--waitresumption"],
        };
        let mut peer = gnutls_cli(server.port, ver, "localhost", extra);
        assert!(
            peer.wait_stdout("*** This is a resumed session"),
            "{tag}: {}\n{}",
            peer.stdout_text(),
            peer.stderr_text()
        );
        echo(&mut peer, "hello", &tag);
        peer.close_stdin();
        assert!(peer.finish(), "{tag}: gnutls-cli did not exit");
        let served = server.join(&tag);
        assert!(!served[0].reused, "{tag}: {served:?}");
        assert!(served[1].reused, "{tag}: {served:?}");
        assert_eq!(served[1].received, b"hello\n", "{tag}");
        assert_cli_agreed(&peer, &served[1], ver, &tag);
    }
}

#[test]
fn gnutls_client_alpn() {
    if !have_gnutls_cli() {
        return;
    }
    for ver in Ver::BOTH {
        let cfg = ServerCfg {
            alpn: &["h2", "http/1.1"],
            ..ServerCfg::new(ver)
        };
        let (served, peer, tag) =
            cli_scenario(cfg, "localhost", &["--alpn", "foo", "--alpn", "http/1.1"]);
        assert_eq!(served.alpn.as_deref(), Some("http/1.1"), "{tag}");
        assert!(
            peer.stdout_text()
                .contains("- Application protocol: http/1.1"),
            "{tag}: {}",
            peer.stdout_text()
        );
    }
}

#[test]
fn gnutls_client_client_cert() {
    if !have_gnutls_cli() {
        return;
    }
    let c = certs();
    let (chain, key) = (
        format!("{c}/chains/client-ec.chain.pem"),
        format!("{c}/pki/client-ec.key"),
    );
    for ver in Ver::BOTH {
        let cfg = ServerCfg {
            client_cert: true,
            ..ServerCfg::new(ver)
        };
        let (served, peer, tag) = cli_scenario(
            cfg.clone(),
            "localhost",
            &["--x509certfile", &chain, "--x509keyfile", &key],
        );
        assert_eq!(served.peer_cn.as_deref(), Some("client-ec"), "{tag}");
        assert!(
            peer.stdout_text()
                .contains("- Successfully sent 2 certificate(s) to server."),
            "{tag}: {}",
            peer.stdout_text()
        );
        // Without a certificate our server refuses the handshake.
        let server = OurServer::start(cfg, 1);
        let mut peer = gnutls_cli(server.port, ver, "localhost", &[]);
        peer.send_stdin(b"hello\n");
        peer.close_stdin();
        assert!(peer.finish(), "{tag}: gnutls-cli did not exit");
        let err = server.results().remove(0).expect_err(&tag);
        assert!(
            err.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE"),
            "{tag}: {err}"
        );
    }
}

#[test]
fn gnutls_client_sni() {
    if !have_gnutls_cli() {
        return;
    }
    for ver in Ver::BOTH {
        let (served, _, tag) = cli_scenario(ServerCfg::new(ver), "www.example.com", &[]);
        assert_eq!(served.sni.as_deref(), Some("www.example.com"), "{tag}");
    }
}

#[test]
fn gnutls_client_close_notify() {
    if !have_gnutls_cli() {
        return;
    }
    for ver in Ver::BOTH {
        // gnutls-cli's close_notify (stdin EOF) is a clean close for us.
        let (served, _, tag) = cli_scenario(ServerCfg::new(ver), "localhost", &[]);
        assert_eq!(served.end, "close_notify", "{tag}");
        // Ours: gnutls-cli reports the peer's clean close, and exits without
        // answering it, so our unwrap() meets EOF: SSLEOFError, as CPython's unwrap()
        // does against gnutls-cli.
        let tag = format!("gnutls-cli {ver:?}, our close_notify");
        let cfg = ServerCfg {
            end: End::WeClose,
            ..ServerCfg::new(ver)
        };
        let server = OurServer::start(cfg, 1);
        let mut peer = gnutls_cli(server.port, ver, "localhost", &[]);
        echo(&mut peer, "hello", &tag);
        assert!(peer.finish(), "{tag}: gnutls-cli did not exit");
        let served = server.join(&tag).remove(0);
        assert!(
            peer.stdout_text()
                .contains("- Peer has closed the GnuTLS connection"),
            "{tag}: {}\n{}",
            peer.stdout_text(),
            peer.stderr_text()
        );
        assert_eq!(
            served.end, "unwrap: ssl.SSLEOFError UNEXPECTED_EOF_WHILE_READING",
            "{tag}"
        );
    }
}

#[test]
fn gnutls_client_ragged_eof() {
    if !have_gnutls_cli() {
        return;
    }
    for ver in Ver::BOTH {
        // gnutls-cli killed after the echo: a ragged EOF, SSLEOFError as in CPython.
        let tag = format!("gnutls-cli {ver:?} killed");
        let server = OurServer::start(ServerCfg::new(ver), 1);
        let mut peer = gnutls_cli(server.port, ver, "localhost", &[]);
        echo(&mut peer, "hello", &tag);
        peer.kill();
        let served = server.join(&tag).remove(0);
        assert_eq!(
            served.end, "ssl.SSLEOFError UNEXPECTED_EOF_WHILE_READING",
            "{tag}"
        );
        // We drop the connection without close_notify: gnutls-cli notices.
        let tag = format!("gnutls-cli {ver:?}, our ragged EOF");
        let cfg = ServerCfg {
            end: End::WeRagged,
            ..ServerCfg::new(ver)
        };
        let server = OurServer::start(cfg, 1);
        let mut peer = gnutls_cli(server.port, ver, "localhost", &[]);
        echo(&mut peer, "hello", &tag);
        peer.finish();
        let served = server.join(&tag).remove(0);
        assert_eq!(served.end, "dropped", "{tag}");
        let all = format!("{}{}", peer.stdout_text(), peer.stderr_text());
        assert!(
            all.contains("The TLS connection was non-properly terminated"),
            "{tag}: {all}"
        );
        assert!(
            !all.contains("- Peer has closed the GnuTLS connection"),
            "{tag}: {all}"
        );
    }
}

#[test]
fn gnutls_client_key_update() {
    if !have_gnutls_cli() {
        return;
    }
    // TLS 1.3 only (KeyUpdate does not exist in 1.2). gnutls-cli sends KeyUpdate
    // without (^rekey^) and with (^rekey1^) update_requested; data keeps flowing both
    // ways after each, and rustls answers the request with its own KeyUpdate.
    let tag = "gnutls-cli KeyUpdate";
    let server = OurServer::start(ServerCfg::new(Ver::Tls13), 1);
    let mut peer = gnutls_cli(server.port, Ver::Tls13, "localhost", &["--inline-commands"]);
    echo(&mut peer, "one", tag);
    for (cmd, text, n) in [("^rekey^", "two", 1), ("^rekey1^", "three", 2)] {
        peer.send_stdin(format!("{cmd}\n").as_bytes());
        echo(&mut peer, text, tag);
        assert_eq!(
            peer.stdout_text().matches("- Rekey was completed").count(),
            n,
            "{tag}: {}",
            peer.stdout_text()
        );
    }
    peer.close_stdin();
    assert!(peer.finish(), "{tag}: gnutls-cli did not exit");
    let served = server.join(tag).remove(0);
    assert_cli_agreed(&peer, &served, Ver::Tls13, tag);
    assert_eq!(served.received, b"one\ntwo\nthree\n", "{tag}");
    assert_eq!(served.end, "close_notify", "{tag}");
}

#[test]
fn gnutls_client_renegotiation() {
    if !have_gnutls_cli() {
        return;
    }
    // TLS 1.2 only (1.3 has no renegotiation). gnutls-cli -e rehandshakes right after
    // the handshake. rustls refuses renegotiation by design: the first attempt gets a
    // no_renegotiation warning, the second ends the connection on our side with
    // rustls's limit. CPython's server (divergence D2) answers every attempt with the
    // warning until gnutls-cli gives up with an internal_error alert.
    let tag = "gnutls-cli -e";
    let server = OurServer::start(ServerCfg::new(Ver::Tls12), 1);
    let mut peer = gnutls_cli(server.port, Ver::Tls12, "localhost", &["-e"]);
    // gnutls-cli exits after the failed rehandshake.
    assert!(peer.finish(), "{tag}: gnutls-cli did not exit");
    let out = format!("{}{}", peer.stdout_text(), peer.stderr_text());
    for want in [
        "*** Received alert [100]: No renegotiation is allowed",
        "*** ReHandshake has failed",
    ] {
        assert!(out.contains(want), "{tag}: {want}\n{out}");
    }
    let served = server.join(tag).remove(0);
    assert_eq!(served.version.as_deref(), Some("TLSv1.2"), "{tag}");
    assert_eq!(
        served.end, "ssl.SSLError [SSL] peer misbehaved: TooManyRenegotiationRequests",
        "{tag}"
    );
}
