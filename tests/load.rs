//! Load: memory per idle connection and many concurrent socket connections.
//!
//! Memory is measured as resident set growth (`/proc/self/statm`) while N handshaken
//! connection pairs are held, beside the same number of raw rustls pairs — safe code
//! only; the exact heap byte count comes from the counting allocator in
//! `benches/memory.rs` (`cargo bench --bench memory`). N is 10,000 pairs; the socket
//! test runs 1,000 concurrent connections (both in the default test run: about 16 s in
//! a debug build). Linux only (`/proc`).
#![cfg(target_os = "linux")]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use common::{cert_path, client_ctx, handshake, pair, server_ctx};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use sslcontext::WrapOptions;

/// The tests in this file measure the whole process: run them one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Resident set size in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn count_dir(path: &str) -> usize {
    std::fs::read_dir(path).map(|d| d.count()).unwrap_or(0)
}

fn raw_configs() -> (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(cert_path("pki/root-ec.pem")).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let client = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let chain: Vec<_> = CertificateDer::pem_file_iter(cert_path("chains/leaf-ec.chain.pem"))
        .unwrap()
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_file(cert_path("pki/leaf-ec.key")).unwrap();
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    (Arc::new(client), Arc::new(server))
}

fn raw_pair_handshaken(
    c: &Arc<rustls::ClientConfig>,
    s: &Arc<rustls::ServerConfig>,
) -> (rustls::ClientConnection, rustls::ServerConnection) {
    let mut cc =
        rustls::ClientConnection::new(c.clone(), ServerName::try_from("localhost").unwrap())
            .unwrap();
    let mut sc = rustls::ServerConnection::new(s.clone()).unwrap();
    let mut buf = Vec::new();
    for _ in 0..20 {
        buf.clear();
        while cc.wants_write() {
            cc.write_tls(&mut buf).unwrap();
        }
        let mut rd = &buf[..];
        while !rd.is_empty() {
            sc.read_tls(&mut rd).unwrap();
        }
        sc.process_new_packets().unwrap();
        let moved_c = !buf.is_empty();
        buf.clear();
        while sc.wants_write() {
            sc.write_tls(&mut buf).unwrap();
        }
        let mut rd = &buf[..];
        while !rd.is_empty() {
            cc.read_tls(&mut rd).unwrap();
        }
        cc.process_new_packets().unwrap();
        if !moved_c && buf.is_empty() && !cc.is_handshaking() && !sc.is_handshaking() {
            break;
        }
    }
    assert!(!cc.is_handshaking() && !sc.is_handshaking());
    (cc, sc)
}

#[test]
fn memory_per_idle_connection() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let n = 10_000;
    let (rc, rs) = raw_configs();
    let client = client_ctx(&["root-ec"]);
    let server = server_ctx("leaf-ec");
    // Warm both paths (config snapshots, caches, allocator arenas).
    drop(raw_pair_handshaken(&rc, &rs));
    {
        let (mut c, mut s) = pair(&client, &server, Some("localhost"));
        let (a, b) = handshake(&mut c, &mut s);
        a.unwrap();
        b.unwrap();
    }

    let before = rss();
    let mut raw = Vec::with_capacity(n);
    for _ in 0..n {
        raw.push(raw_pair_handshaken(&rc, &rs));
    }
    let raw_bytes = rss().saturating_sub(before);
    assert!(raw
        .iter()
        .all(|(c, s)| !c.is_handshaking() && !s.is_handshaking()));
    // `raw` stays alive while ours are built, so neither measurement reuses pages the
    // other freed.

    let before = rss();
    let mut ours = Vec::with_capacity(n);
    for _ in 0..n {
        let (mut c, mut s) = pair(&client, &server, Some("localhost"));
        let (a, b) = handshake(&mut c, &mut s);
        a.unwrap();
        b.unwrap();
        ours.push((c, s));
    }
    let our_bytes = rss().saturating_sub(before);
    // Every held pair is still a working connection.
    for (c, s) in ours.iter_mut().step_by(97) {
        c.obj.write(b"ping").unwrap();
        s.incoming.write(&c.outgoing.read(None)).unwrap();
        assert_eq!(s.obj.read(16).unwrap(), b"ping");
    }
    let per_raw = raw_bytes as f64 / (2 * n) as f64;
    let per_ours = our_bytes as f64 / (2 * n) as f64;
    println!(
        "idle connections: n={n} pairs; RSS growth per connection: raw rustls {per_raw:.0} B, \
         ours {per_ours:.0} B (ratio {:.2})",
        per_ours / per_raw.max(1.0)
    );
    // A connection holds its rustls state plus two buffers and a context handle: it
    // must stay within a small multiple of raw rustls.
    assert!(
        per_ours <= per_raw * 3.0 + 8192.0,
        "ours {per_ours:.0} B/conn vs raw {per_raw:.0} B/conn"
    );
    drop(ours);
    drop(raw);
}

/// One server connection: handshake, echo until close_notify, then close_notify back.
fn serve(ctx: sslcontext::SslContext, stream: TcpStream) -> Result<usize, String> {
    stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
    let mut tls = ctx
        .wrap_socket(stream, WrapOptions::server())
        .map_err(|e| format!("server handshake: {e}"))?;
    let mut buf = vec![0u8; 16 * 1024];
    let mut echoed = 0;
    for _ in 0..10_000 {
        let n = tls
            .recv_into(&mut buf)
            .map_err(|e| format!("server recv: {e}"))?;
        if n == 0 {
            tls.unwrap().map_err(|e| format!("server unwrap: {e}"))?;
            return Ok(echoed);
        }
        tls.sendall(&buf[..n])
            .map_err(|e| format!("server send: {e}"))?;
        echoed += n;
    }
    Err("server: too many reads".into())
}

fn connect(ctx: sslcontext::SslContext, port: u16, seed: u8) -> Result<(), String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
    let mut tls = ctx
        .wrap_socket(stream, WrapOptions::client("localhost"))
        .map_err(|e| format!("client handshake: {e}"))?;
    let payload: Vec<u8> = (0..64 * 1024).map(|i| (i as u8) ^ seed).collect();
    for chunk in payload.chunks(16 * 1024) {
        tls.write_all(chunk).map_err(|e| e.to_string())?;
        let mut back = vec![0u8; chunk.len()];
        tls.read_exact(&mut back)
            .map_err(|e| format!("client read: {e}"))?;
        if back != chunk {
            return Err("echo differs".into());
        }
    }
    tls.unwrap().map_err(|e| format!("client unwrap: {e}"))?;
    Ok(())
}

#[test]
fn concurrent_socket_connections() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let n: usize = 1_000;
    let client = client_ctx(&["root-ec"]);
    let server = server_ctx("leaf-ec");
    let fds_before = count_dir("/proc/self/fd");
    let threads_before = count_dir("/proc/self/task");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = {
        let server = server.clone();
        std::thread::spawn(move || {
            let mut handlers = Vec::with_capacity(n);
            for _ in 0..n {
                let (stream, _) = listener.accept().expect("accept");
                let ctx = server.clone();
                handlers.push(
                    std::thread::Builder::new()
                        .stack_size(256 * 1024)
                        .spawn(move || serve(ctx, stream))
                        .expect("spawn server thread"),
                );
            }
            handlers
                .into_iter()
                .map(|h| h.join().expect("server thread panicked"))
                .collect::<Vec<_>>()
        })
    };
    let clients: Vec<_> = (0..n)
        .map(|i| {
            let ctx = client.clone();
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || connect(ctx, port, i as u8))
                .expect("spawn client thread")
        })
        .collect();
    let client_results: Vec<_> = clients
        .into_iter()
        .map(|h| h.join().expect("client thread panicked"))
        .collect();
    let server_results = acceptor.join().expect("acceptor panicked");
    let client_failures: Vec<_> = client_results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .collect();
    assert!(
        client_failures.is_empty(),
        "{} clients failed: {:?}",
        client_failures.len(),
        &client_failures[..client_failures.len().min(5)]
    );
    for r in &server_results {
        assert_eq!(r.as_ref().map_err(String::as_str), Ok(&(64 * 1024)));
    }
    let stats = server.session_stats();
    println!("socket load: {n} connections ok; server stats {stats:?}");
    let fds_after = count_dir("/proc/self/fd");
    let threads_after = count_dir("/proc/self/task");
    assert!(
        threads_after <= threads_before,
        "threads before {threads_before}, after {threads_after}"
    );
    // Every socket is closed again (other tests in this binary may hold a few fds).
    assert!(
        fds_after <= fds_before + 2,
        "fds before {fds_before}, after {fds_after}"
    );
}
