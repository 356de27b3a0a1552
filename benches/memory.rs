//! Exact heap bytes per idle connection: ours (`SslObject` pairs over `MemoryBio`s)
//! beside raw rustls pairs, counted by a global allocator that wraps the system one.
//!
//! This lives in a bench, not in `tests/load.rs`, because a `GlobalAlloc` needs
//! `unsafe impl`; the test measures resident memory with safe code instead.
//! Run: `cargo bench --bench memory` (N = 10,000 pairs).

mod pair;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use sslcontext::{MemoryBio, SslContext, WrapOptions};

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

/// A raw pair after the handshake, with every byte delivered and processed (the
/// client has taken in the server's session tickets).
fn raw_pair(
    c: &Arc<rustls::ClientConfig>,
    s: &Arc<rustls::ServerConfig>,
) -> (rustls::Connection, rustls::Connection) {
    let (mut cc, mut sc) = pair::raw_handshake(c, s);
    pair::settle(&mut cc, &mut sc);
    (cc, sc)
}

type OurSide = (sslcontext::SslObject, MemoryBio, MemoryBio);

/// Ours in the same idle state as `raw_pair`.
fn our_pair(client: &SslContext, server: &SslContext) -> (OurSide, OurSide) {
    let (mut c, mut s, [ci, co, si, so]) =
        pair::our_handshake(client, server, WrapOptions::client("localhost"));
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
    // TLS 1.3, leaf-ec; raw rustls with its defaults (client resumption on).
    let rc = Arc::new(pair::raw_client(false, rustls::RootCertStore::empty()));
    let rs = pair::raw_server(false, false);
    let (client, server) = pair::our_contexts(false);
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
