//! Exact heap bytes per idle connection: ours (`SslObject` pairs over `MemoryBio`s)
//! beside raw rustls pairs, counted by a global allocator that wraps the system one.
//!
//! This lives in a bench, not in `tests/load.rs`, because a `GlobalAlloc` needs
//! `unsafe impl`; the test measures resident memory with safe code instead.
//! Run: `cargo bench --bench memory` (N = 10,000 pairs).

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use sslcontext::{MemoryBio, Protocol, SslContext, WrapOptions};

/// Live heap bytes, counted on every allocation and free.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`; only a counter is updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE.fetch_add(new_size, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn certs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance/certs")
}

fn raw_pair(
    c: &Arc<rustls::ClientConfig>,
    s: &Arc<rustls::ServerConfig>,
) -> (rustls::ClientConnection, rustls::ServerConnection) {
    let name = ServerName::try_from("localhost").unwrap();
    let mut cc = rustls::ClientConnection::new(c.clone(), name).unwrap();
    let mut sc = rustls::ServerConnection::new(s.clone()).unwrap();
    let mut buf = Vec::new();
    for _ in 0..20 {
        buf.clear();
        while cc.wants_write() {
            cc.write_tls(&mut buf).unwrap();
        }
        let moved = !buf.is_empty();
        let mut rd = &buf[..];
        while !rd.is_empty() {
            sc.read_tls(&mut rd).unwrap();
        }
        sc.process_new_packets().unwrap();
        buf.clear();
        while sc.wants_write() {
            sc.write_tls(&mut buf).unwrap();
        }
        let mut rd = &buf[..];
        while !rd.is_empty() {
            cc.read_tls(&mut rd).unwrap();
        }
        cc.process_new_packets().unwrap();
        if !moved && buf.is_empty() && !cc.is_handshaking() && !sc.is_handshaking() {
            break;
        }
    }
    assert!(!cc.is_handshaking() && !sc.is_handshaking());
    (cc, sc)
}

type OurSide = (sslcontext::SslObject, MemoryBio, MemoryBio);

fn our_pair(client: &SslContext, server: &SslContext) -> (OurSide, OurSide) {
    let (ci, co, si, so) = (
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
    );
    let mut c = client
        .wrap_bio(&ci, &co, WrapOptions::client("localhost"))
        .unwrap();
    let mut s = server.wrap_bio(&si, &so, WrapOptions::server()).unwrap();
    let (mut cd, mut sd) = (false, false);
    for _ in 0..20 {
        if !cd {
            cd = c.do_handshake().is_ok();
        }
        si.write(&co.read(None)).unwrap();
        if !sd {
            sd = s.do_handshake().is_ok();
        }
        ci.write(&so.read(None)).unwrap();
        if cd && sd {
            break;
        }
    }
    assert!(cd && sd);
    // Like raw_pair: every byte delivered and processed (the client takes in the
    // session tickets the server sent after the handshake), then idle.
    let mut sink = [0u8; 1];
    loop {
        for obj in [&mut c, &mut s] {
            match obj.read_into(&mut sink) {
                Err(sslcontext::Error::SslWantReadError(_)) => {}
                other => panic!("idle read: {other:?}"),
            }
        }
        let (to_server, to_client) = (co.read(None), so.read(None));
        if to_server.is_empty() && to_client.is_empty() && ci.pending() == 0 && si.pending() == 0 {
            break;
        }
        si.write(&to_server).unwrap();
        ci.write(&to_client).unwrap();
    }
    ((c, ci, co), (s, si, so))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = 10_000;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(certs().join("pki/root-ec.pem")).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let rc = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );
    let chain: Vec<_> = CertificateDer::pem_file_iter(certs().join("chains/leaf-ec.chain.pem"))
        .unwrap()
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_file(certs().join("pki/leaf-ec.key")).unwrap();
    let rs = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap(),
    );
    let server = SslContext::new(Protocol::TlsServer).unwrap();
    server
        .load_cert_chain(
            certs().join("chains/leaf-ec.chain.pem"),
            Some(&certs().join("pki/leaf-ec.key")),
            None,
        )
        .unwrap();
    let client = SslContext::new(Protocol::TlsClient).unwrap();
    client
        .load_verify_locations(Some(&certs().join("pki/root-ec.pem")), None, None)
        .unwrap();
    // Warm up: snapshots, caches.
    drop(raw_pair(&rc, &rs));
    drop(our_pair(&client, &server));

    let before = LIVE.load(Ordering::Relaxed);
    let raw: Vec<_> = (0..n).map(|_| raw_pair(&rc, &rs)).collect();
    let raw_bytes = LIVE.load(Ordering::Relaxed) - before;
    drop(raw);
    let before = LIVE.load(Ordering::Relaxed);
    let ours: Vec<_> = (0..n).map(|_| our_pair(&client, &server)).collect();
    let our_bytes = LIVE.load(Ordering::Relaxed) - before;
    let stats = client.session_stats();
    drop(ours);
    let per = |b: usize| b as f64 / (2 * n) as f64;
    println!("idle TLS 1.3 connections, P-256, {n} pairs, live heap bytes per connection:");
    println!("  raw rustls: {:.0} B", per(raw_bytes));
    println!(
        "  ours:       {:.0} B  (ratio {:.2})",
        per(our_bytes),
        our_bytes as f64 / raw_bytes as f64
    );
    println!("  (client session stats after the run: {stats:?})");
}
