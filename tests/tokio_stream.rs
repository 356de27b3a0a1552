//! `SslStream` (feature `tokio`): the TLS connection over tokio streams, with
//! `SslSocket`'s semantics. Our client against our server on loopback TCP (data, peer
//! certificate, ALPN, resumption, SNI callback, verify errors, EOF rules, STARTTLS
//! `unwrap`), and against real peers: Python's asyncio TLS server and client, and
//! `openssl s_server`.
#![cfg(all(feature = "tokio", feature = "serde"))]

mod common;
#[path = "common/peers.rs"]
mod peers;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{client_ctx, server_ctx};
use serde_json::json;
use sslcontext::{Error, PeerCertificate, SslContext, SslStream, TlsVersion, WrapOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

/// Every await in these tests is bounded by this.
const LIMIT: Duration = Duration::from_secs(20);

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    timeout(LIMIT, f).await.expect("bounded wait expired")
}

/// A loopback listener and a client TCP stream connected to it, with the accepted end.
async fn tcp_pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let (c, s) = tokio::join!(TcpStream::connect(("127.0.0.1", port)), l.accept());
    (c.unwrap(), s.unwrap().0)
}

/// Handshakes our client (`client`, `opts`) with our server over TCP.
async fn connect(
    client: &SslContext,
    server: &SslContext,
    opts: WrapOptions,
) -> (
    sslcontext::Result<SslStream<TcpStream>>,
    sslcontext::Result<SslStream<TcpStream>>,
) {
    let (c, s) = tcp_pair().await;
    bounded(async {
        tokio::join!(
            client.wrap_stream(c, opts),
            server.wrap_stream(s, WrapOptions::server())
        )
    })
    .await
}

fn subject_text(cert: Option<PeerCertificate>) -> String {
    match cert {
        Some(PeerCertificate::Decoded(info)) => format!("{info:?}"),
        other => panic!("no decoded peer certificate: {other:?}"),
    }
}

#[test]
fn echo_peer_certificate_alpn_and_clean_close() {
    rt().block_on(async {
        let server = server_ctx("leaf-ec");
        server.set_alpn_protocols(&["h2", "http/1.1"]).unwrap();
        let client = client_ctx(&["root-ec"]);
        client.set_alpn_protocols(&["http/1.1"]).unwrap();
        let (c, s) = connect(&client, &server, WrapOptions::client("localhost")).await;
        let (mut c, mut s) = (c.unwrap(), s.unwrap());
        assert_eq!(c.sslobj().version(), Some("TLSv1.3"));
        assert_eq!(
            c.sslobj().selected_alpn_protocol().as_deref(),
            Some("http/1.1")
        );
        assert_eq!(
            s.sslobj().selected_alpn_protocol().as_deref(),
            Some("http/1.1")
        );
        assert!(subject_text(c.sslobj().getpeercert().unwrap()).contains("example.com"));
        // No client certificate was asked for: the server sees none.
        assert!(s.sslobj().getpeercert().unwrap().is_none());

        // 100 KiB each way through AsyncRead / AsyncWrite, in uneven pieces.
        let data: Vec<u8> = (0..100 * 1024).map(|i| (i % 251) as u8).collect();
        let expect = data.clone();
        let echo = tokio::spawn(async move {
            let mut got = vec![0u8; expect.len()];
            bounded(s.read_exact(&mut got)).await.unwrap();
            assert_eq!(got, expect);
            bounded(s.write_all(&got)).await.unwrap();
            bounded(s.flush()).await.unwrap();
            // The client's close_notify ends the stream cleanly: read gives 0 bytes.
            let mut rest = Vec::new();
            bounded(s.read_to_end(&mut rest)).await.unwrap();
            assert!(rest.is_empty());
            // It was a close_notify, not a ragged EOF (after which unwrap() fails).
            bounded(s.unwrap()).await.expect("clean TLS close");
        });
        for chunk in data.chunks(7000) {
            bounded(c.write_all(chunk)).await.unwrap();
        }
        let mut back = vec![0u8; data.len()];
        bounded(c.read_exact(&mut back)).await.unwrap();
        assert_eq!(back, data);
        bounded(c.shutdown()).await.unwrap();
        echo.await.unwrap();
    });
}

#[test]
fn tls_unique_is_the_same_on_both_ends() {
    rt().block_on(async {
        let server = server_ctx("leaf-ec");
        for (version, len) in [(TlsVersion::TLSv1_2, 12), (TlsVersion::TLSv1_3, 48)] {
            let client = client_ctx(&["root-ec"]);
            client.set_maximum_version(version).unwrap();
            let (c, s) = connect(&client, &server, WrapOptions::client("localhost")).await;
            let (mut c, mut s) = (c.unwrap(), s.unwrap());
            // Data both ways first: the bulk path after the handshake leaves it alone.
            bounded(c.write_all(b"ping")).await.unwrap();
            let mut got = [0u8; 4];
            bounded(s.read_exact(&mut got)).await.unwrap();
            let cb = c.sslobj().get_channel_binding("tls-unique").unwrap();
            let sb = s.sslobj().get_channel_binding("tls-unique").unwrap();
            assert_eq!(cb.as_ref().map(Vec::len), Some(len), "{version:?}");
            assert_eq!(cb, sb, "{version:?}");
        }
    });
}

#[test]
fn resumption_with_the_previous_session() {
    rt().block_on(async {
        let server = server_ctx("leaf-ec");
        for version in [TlsVersion::TLSv1_2, TlsVersion::TLSv1_3] {
            let client = client_ctx(&["root-ec"]);
            client.set_maximum_version(version).unwrap();
            let (c, s) = connect(&client, &server, WrapOptions::client("localhost")).await;
            let (mut c, mut s) = (c.unwrap(), s.unwrap());
            assert!(!c.sslobj().session_reused());
            // TLS 1.3 tickets come after the handshake: one round trip delivers them.
            bounded(s.sendall(b"x")).await.unwrap();
            assert_eq!(bounded(c.recv(1)).await.unwrap(), b"x");
            let session = c.sslobj().session().expect("a session to resume");
            let (c2, s2) = connect(
                &client,
                &server,
                WrapOptions::client("localhost").with_session(session),
            )
            .await;
            let (c2, s2) = (c2.unwrap(), s2.unwrap());
            assert!(c2.sslobj().session_reused(), "{version:?}");
            assert!(s2.sslobj().session_reused(), "{version:?}");
        }
    });
}

#[test]
fn sni_callback_sees_the_name_and_swaps_the_context() {
    rt().block_on(async {
        let first = server_ctx("leaf-ec");
        let swap_to = server_ctx("leaf-rsa");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        first
            .set_sni_callback(Some(Arc::new(move |obj, name, _ctx| {
                record.lock().unwrap().push(name.map(str::to_owned));
                if name == Some("localhost") {
                    obj.set_context(&swap_to);
                }
                Ok(None)
            })))
            .unwrap();
        let client = client_ctx(&["root-ec", "root-rsa"]);
        let (c, s) = connect(&client, &first, WrapOptions::client("localhost")).await;
        let (c, _s) = (c.unwrap(), s.unwrap());
        assert_eq!(*seen.lock().unwrap(), vec![Some("localhost".to_owned())]);
        // The certificate came from the context the callback chose.
        assert!(subject_text(c.sslobj().getpeercert().unwrap()).contains("RSA"));
    });
}

#[test]
fn verify_failure_is_cert_verification_error_with_code() {
    rt().block_on(async {
        let server = server_ctx("leaf-ec");
        let client = client_ctx(&["root-ec"]);
        let (c, s) = connect(&client, &server, WrapOptions::client("wrong.invalid")).await;
        let e = c.unwrap_err();
        assert_eq!(e.python_class(), "ssl.SSLCertVerificationError");
        assert_eq!(e.verify_code(), Some(62));
        // The server hears the client's alert.
        let se = s.unwrap_err();
        assert_eq!(se.python_class(), "ssl.SSLError", "{se}");
        assert!(se.to_string().contains("certificate"), "{se}");

        // An untrusted chain: code 20, whatever the transport.
        let stranger = client_ctx(&["root-rsa"]);
        let (c, _s) = connect(&stranger, &server, WrapOptions::client("localhost")).await;
        assert_eq!(c.unwrap_err().verify_code(), Some(20));

        // The wrap-time checks are wrap_socket's.
        let (tcp, _) = tcp_pair().await;
        let e = client
            .wrap_stream(tcp, WrapOptions::client_without_hostname())
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), "check_hostname requires server_hostname");
    });
}

#[test]
fn ragged_eof_rules_follow_suppress_ragged_eofs() {
    rt().block_on(async {
        let server = server_ctx("leaf-ec");
        let client = client_ctx(&["root-ec"]);
        for suppress in [true, false] {
            let opts = WrapOptions {
                suppress_ragged_eofs: suppress,
                ..WrapOptions::client("localhost")
            };
            let (c, s) = connect(&client, &server, opts).await;
            let (mut c, s) = (c.unwrap(), s.unwrap());
            // The server's TCP connection closes without a close_notify.
            drop(s);
            let got = bounded(c.recv(100)).await;
            if suppress {
                assert_eq!(got.unwrap(), b"");
            } else {
                let e = got.unwrap_err();
                assert_eq!(e.python_class(), "ssl.SSLEOFError", "{e}");
                // Through AsyncRead the same error is inside an UnexpectedEof io::Error.
                let io = bounded(c.read(&mut [0u8; 10])).await.unwrap_err();
                assert_eq!(io.kind(), std::io::ErrorKind::UnexpectedEof);
                let inner = io.get_ref().and_then(|e| e.downcast_ref::<Error>());
                assert_eq!(inner.unwrap().python_class(), "ssl.SSLEOFError");
            }
        }
    });
}

#[test]
fn unwrap_hands_back_the_stream_for_starttls() {
    rt().block_on(async {
        let server = server_ctx("leaf-ec");
        let client = client_ctx(&["root-ec"]);
        let (c, s) = connect(&client, &server, WrapOptions::client("localhost")).await;
        let (mut c, s) = (c.unwrap(), s.unwrap());
        bounded(c.sendall(b"over tls")).await.unwrap();
        let server_side = tokio::spawn(async move {
            let mut s = s;
            assert_eq!(bounded(s.recv(8)).await.unwrap(), b"over tls");
            let mut plain = bounded(s.unwrap()).await.unwrap();
            // Sent in plaintext right after our close_notify.
            plain.write_all(b"plain after tls").await.unwrap();
            let mut buf = [0u8; 5];
            bounded(plain.read_exact(&mut buf)).await.unwrap();
            buf
        });
        let mut plain = bounded(c.unwrap()).await.unwrap();
        let mut buf = [0u8; 15];
        bounded(plain.read_exact(&mut buf)).await.unwrap();
        assert_eq!(&buf, b"plain after tls");
        plain.write_all(b"reply").await.unwrap();
        assert_eq!(&server_side.await.unwrap(), b"reply");
    });
}

/// Established connections move TLS bytes between rustls and the stream without the
/// BIOs: bulk both ways through a pipe narrower than a record (every read and write
/// stops part-way), one write larger than rustls's 64 KiB output buffer, then
/// STARTTLS with the plaintext sent right behind the close_notify.
#[test]
fn bulk_through_a_narrow_pipe_then_starttls() {
    rt().block_on(async {
        let server = server_ctx("leaf-ec");
        let client = client_ctx(&["root-ec"]);
        let (a, b) = tokio::io::duplex(1000);
        let (c, s) = bounded(async {
            tokio::join!(
                client.wrap_stream(a, WrapOptions::client("localhost")),
                server.wrap_stream(b, WrapOptions::server())
            )
        })
        .await;
        let (mut c, mut s) = (c.unwrap(), s.unwrap());
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let client_side = async {
            c.write_all(&data).await.unwrap();
            c.flush().await.unwrap();
            let mut back = vec![0u8; data.len()];
            c.read_exact(&mut back).await.unwrap();
            assert!(back == data, "server -> client bytes differ");
            // The plaintext sent right behind the close_notify may have been read
            // ahead with it: the unwrapped stream reads it first.
            let mut plain = c.unwrap().await.unwrap();
            let mut buf = [0u8; 15];
            plain.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"plain after tls");
            assert!(plain.read_ahead().is_empty());
            plain.write_all(b"reply").await.unwrap();
        };
        let server_side = async {
            let mut got = vec![0u8; data.len()];
            s.read_exact(&mut got).await.unwrap();
            assert!(got == data, "client -> server bytes differ");
            for chunk in data.chunks(20_000) {
                s.write_all(chunk).await.unwrap();
            }
            s.flush().await.unwrap();
            let mut plain = s.unwrap().await.unwrap();
            assert!(plain.read_ahead().is_empty());
            plain.write_all(b"plain after tls").await.unwrap();
            let mut buf = [0u8; 5];
            plain.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"reply");
        };
        bounded(async { tokio::join!(client_side, server_side) }).await;
    });
}

#[test]
fn handshake_deferred_until_first_use() {
    rt().block_on(async {
        let server = server_ctx("leaf-ec");
        let client = client_ctx(&["root-ec"]);
        let (c, s) = tcp_pair().await;
        let opts = WrapOptions {
            do_handshake_on_connect: false,
            ..WrapOptions::client("localhost")
        };
        let mut c = client.wrap_stream(c, opts).await.unwrap();
        assert_eq!(c.sslobj().version(), None);
        let serve = tokio::spawn(async move {
            let mut s = bounded(server.wrap_stream(s, WrapOptions::server()))
                .await
                .unwrap();
            let got = bounded(s.recv(5)).await.unwrap();
            bounded(s.sendall(&got)).await.unwrap();
        });
        // The first write runs the handshake.
        bounded(c.write_all(b"hello")).await.unwrap();
        assert_eq!(c.sslobj().version(), Some("TLSv1.3"));
        assert_eq!(bounded(c.recv(5)).await.unwrap(), b"hello");
        serve.await.unwrap();
    });
}

/// Python's asyncio TLS server (one connection): echoes a line, reports the name and
/// version it saw, and closes with close_notify.
const PY_ASYNCIO_SERVER: &str = r#"
import asyncio
async def main():
    ctx = make_ctx(True)
    done = asyncio.Event()
    async def handle(reader, writer):
        line = await reader.readline()
        obj = writer.get_extra_info("ssl_object")
        writer.write(b"echo:" + line)
        await writer.drain()
        out({"received": line.decode(), "version": obj.version(), "alpn": obj.selected_alpn_protocol()})
        writer.close()
        await writer.wait_closed()
        done.set()
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
    out({"port": server.sockets[0].getsockname()[1]})
    await asyncio.wait_for(done.wait(), 20)
    server.close()
asyncio.run(main())
"#;

/// Python's asyncio TLS client: sends a line, prints the reply and what it saw.
const PY_ASYNCIO_CLIENT: &str = r#"
import asyncio
async def main():
    ctx = make_ctx(False)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(
        "127.0.0.1", cfg["port"], ssl=ctx, server_hostname="localhost"), 20)
    writer.write(b"hello from asyncio\n")
    await writer.drain()
    reply = await asyncio.wait_for(reader.readline(), 20)
    obj = writer.get_extra_info("ssl_object")
    out({"reply": reply.decode(), "version": obj.version(), "alpn": obj.selected_alpn_protocol(),
         "peer": dict(x[0] for x in obj.getpeercert()["subject"])})
    writer.close()
    await writer.wait_closed()
asyncio.run(main())
"#;

#[test]
fn against_python_asyncio_server() {
    if !common::have_peer("python3") {
        return;
    }
    let config = json!({
        "certfile": peers::cert("chains/leaf-ec.chain.pem"),
        "keyfile": peers::cert("pki/leaf-ec.key"),
        "alpn": ["h2"],
    });
    let mut peer = peers::python(&format!("{}{PY_ASYNCIO_SERVER}", peers::PY_COMMON), &config);
    let port = peer.json_line().expect("port")["port"].as_u64().unwrap() as u16;
    rt().block_on(async {
        let client = client_ctx(&["root-ec"]);
        client.set_alpn_protocols(&["h2"]).unwrap();
        let tcp = bounded(TcpStream::connect(("127.0.0.1", port)))
            .await
            .unwrap();
        let mut c = bounded(client.wrap_stream(tcp, WrapOptions::client("localhost")))
            .await
            .unwrap();
        bounded(c.write_all(b"hello from tokio\n")).await.unwrap();
        let mut reply = Vec::new();
        // asyncio closes with close_notify: read_to_end ends cleanly.
        bounded(c.read_to_end(&mut reply)).await.unwrap();
        assert_eq!(reply, b"echo:hello from tokio\n");
        assert_eq!(c.sslobj().selected_alpn_protocol().as_deref(), Some("h2"));
    });
    let seen = peer.json_line().expect("server summary");
    assert_eq!(
        seen["received"],
        "hello from tokio\n",
        "{}",
        peer.stderr_text()
    );
    assert_eq!(seen["version"], "TLSv1.3");
    assert_eq!(seen["alpn"], "h2");
    assert!(peer.finish(), "asyncio server did not exit");
}

#[test]
fn against_python_asyncio_client() {
    if !common::have_peer("python3") {
        return;
    }
    rt().block_on(async {
        let server = server_ctx("leaf-rsa");
        server.set_alpn_protocols(&["http/1.1"]).unwrap();
        server.set_maximum_version(TlsVersion::TLSv1_2).unwrap();
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let config =
            json!({"port": port, "cafile": peers::cert("pki/root-rsa.pem"), "alpn": ["http/1.1"]});
        let mut peer = peers::python(&format!("{}{PY_ASYNCIO_CLIENT}", peers::PY_COMMON), &config);
        let (tcp, _) = bounded(l.accept()).await.unwrap();
        let mut s = bounded(server.wrap_stream(tcp, WrapOptions::server()))
            .await
            .unwrap();
        let line = bounded(s.recv(100)).await.unwrap();
        assert_eq!(line, b"hello from asyncio\n");
        bounded(s.sendall(b"echo\n")).await.unwrap();
        // asyncio's close: its close_notify (or EOF) ends our read with 0 bytes.
        let mut rest = Vec::new();
        bounded(s.read_to_end(&mut rest)).await.unwrap();
        let seen = tokio::task::spawn_blocking(move || {
            let v = peer.json_line();
            (v, peer.stderr_text())
        })
        .await
        .unwrap();
        let (seen, stderr) = (seen.0.expect("client summary"), seen.1);
        assert_eq!(seen["reply"], "echo\n", "{stderr}");
        assert_eq!(seen["version"], "TLSv1.2");
        assert_eq!(seen["alpn"], "http/1.1");
        assert_eq!(seen["peer"]["commonName"], "www.example.com");
    });
}

#[test]
fn against_openssl_s_server() {
    if !common::have_peer("openssl") {
        return;
    }
    let port = peers::free_port();
    let mut peer = peers::s_server(
        port,
        "leaf-ec",
        "chains/leaf-ec.chain.pem",
        &["-brief", "-tls1_2"],
    );
    rt().block_on(async {
        let client = client_ctx(&["root-ec"]);
        let mut tcp = None;
        for _ in 0..400 {
            if let Ok(t) = TcpStream::connect(("127.0.0.1", port)).await {
                tcp = Some(t);
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let tcp = tcp.expect("s_server never listened");
        let mut c = bounded(client.wrap_stream(tcp, WrapOptions::client("localhost")))
            .await
            .unwrap();
        assert_eq!(c.sslobj().version(), Some("TLSv1.2"));
        bounded(c.sendall(b"hello from tokio\n")).await.unwrap();
        let seen = tokio::task::spawn_blocking(move || {
            let ok = peer.wait_stdout("hello from tokio");
            peer.send_stdin(b"hello from openssl\n");
            (ok, peer)
        })
        .await
        .unwrap();
        assert!(
            seen.0,
            "s_server did not get our data: {}",
            seen.1.stderr_text()
        );
        let mut peer = seen.1;
        let mut got = [0u8; 19];
        bounded(c.read_exact(&mut got)).await.unwrap();
        assert_eq!(&got, b"hello from openssl\n");
        let cipher = c.sslobj().cipher().unwrap().0;
        // s_server answers our close_notify with its own and exits.
        bounded(c.unwrap()).await.unwrap();
        let report = tokio::task::spawn_blocking(move || (peer.finish(), peer.stderr_text()))
            .await
            .unwrap();
        assert!(report.0, "s_server did not exit after close_notify");
        assert!(
            report.1.contains(&format!("Ciphersuite: {cipher}")),
            "{}",
            report.1
        );
    });
}

/// A server (an `SSLObject` over memory BIOs, pumped by hand) sends its close_notify
/// and plaintext in one write. The client reads just past the close_notify's record
/// (its look-ahead): those bytes come back from `unwrap()`, ahead of the stream's.
#[test]
fn unwrap_returns_the_bytes_read_past_the_close_notify() {
    rt().block_on(async {
        let server = server_ctx("leaf-ec");
        let client = client_ctx(&["root-ec"]);
        let (a, mut b) = tokio::io::duplex(64 * 1024);
        let (inc, out) = (sslcontext::MemoryBio::new(), sslcontext::MemoryBio::new());
        let mut sobj = server.wrap_bio(&inc, &out, WrapOptions::server()).unwrap();
        let serve = async {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let done = match sobj.do_handshake() {
                    Ok(()) => true,
                    Err(Error::SslWantReadError(_)) => false,
                    Err(e) => panic!("server handshake: {e}"),
                };
                b.write_all(&out.read(None)).await.unwrap();
                if done {
                    break;
                }
                let n = b.read(&mut buf).await.unwrap();
                assert!(n > 0, "client went away");
                inc.write(&buf[..n]).unwrap();
            }
            // Our close_notify and the plaintext behind it, in one write.
            assert!(matches!(sobj.unwrap(), Err(Error::SslWantReadError(_))));
            let mut wire = out.read(None);
            wire.extend_from_slice(b"plain after tls");
            b.write_all(&wire).await.unwrap();
            b
        };
        let (c, mut b) = bounded(async {
            tokio::join!(
                client.wrap_stream(a, WrapOptions::client("localhost")),
                serve
            )
        })
        .await;
        let mut c = c.unwrap();
        // The close arrives (a clean EOF), and the client answers with its own.
        assert_eq!(bounded(c.recv(100)).await.unwrap(), b"");
        let mut plain = bounded(c.unwrap()).await.unwrap();
        assert_eq!(plain.read_ahead(), b"plain");
        let mut got = [0u8; 15];
        bounded(plain.read_exact(&mut got)).await.unwrap();
        assert_eq!(&got, b"plain after tls");
        // The client's close_notify reached the server; plaintext goes both ways.
        let mut buf = vec![0u8; 1024];
        let n = bounded(b.read(&mut buf)).await.unwrap();
        inc.write(&buf[..n]).unwrap();
        sobj.unwrap().unwrap();
        plain.write_all(b"reply").await.unwrap();
        let mut reply = [0u8; 5];
        bounded(b.read_exact(&mut reply)).await.unwrap();
        assert_eq!(&reply, b"reply");
        let (_stream, rest) = plain.into_parts();
        assert!(rest.is_empty());
    });
}
