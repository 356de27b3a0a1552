//! Full in-memory handshakes, raw rustls or ours, for counting instructions under
//! callgrind: a deterministic figure beside criterion's wall-clock ratios, which move by
//! ±30 % on a shared machine.
//!
//! ```text
//! cargo bench --bench instructions --no-run
//! valgrind --tool=callgrind --toggle-collect='*full_handshake*' --callgrind-out-file=/dev/null \
//!     target/release/deps/instructions-<hash> ours 12 20
//! ```
//!
//! Arguments: `raw|ours`, `12|13` (TLS version, ECDSA P-256 server), number of
//! handshakes, and `resumed` for resumed handshakes (count `*resumed_handshake*`: the
//! `resume` bench's work, a resumed handshake plus one byte that carries the new
//! tickets). `bulk` instead of `resumed` counts `*_bulk_mib*`: 1 MiB in 16 KiB writes
//! from client to server over an established connection, read by the server, per
//! count. The `*_full_handshake` functions count connection creation, the handshake,
//! both sides finished. Contexts and configs are built outside them. Raw
//! rustls has client resumption off and ring's ticketer on (our server issues tickets
//! too, as OpenSSL does), and each of our handshakes uses a fresh client context with a
//! built snapshot (a context resumes on its own), so every handshake is a full one.
//! Callgrind prints the total ("Collected"); divide by the count.

#[path = "pair/mod.rs"]
mod pair;

use std::hint::black_box;
use std::io::{Read, Write};
use std::sync::Arc;

use sslcontext::{SslContext, WrapOptions};

#[inline(never)]
fn raw_full_handshake(client: &Arc<rustls::ClientConfig>, server: &Arc<rustls::ServerConfig>) {
    black_box(pair::raw_handshake(client, server));
}

#[inline(never)]
fn our_full_handshake(client: &SslContext, server: &SslContext) {
    black_box(pair::our_handshake(
        client,
        server,
        WrapOptions::client("localhost"),
    ));
}

#[inline(never)]
fn raw_resumed_handshake(client: &Arc<rustls::ClientConfig>, server: &Arc<rustls::ServerConfig>) {
    assert!(pair::raw_connection(client, server));
}

#[inline(never)]
fn our_resumed_handshake(
    client: &SslContext,
    server: &SslContext,
    session: Option<sslcontext::SslSession>,
) -> Option<sslcontext::SslSession> {
    let (reused, next) = pair::our_connection(client, server, session);
    assert!(reused);
    next
}

#[inline(never)]
fn raw_bulk_mib(c: &mut rustls::Connection, s: &mut rustls::Connection, sink: &mut [u8]) {
    let chunk = [0xa5u8; 16 * 1024];
    for _ in 0..64 {
        c.writer().write_all(&chunk).unwrap();
        pair::pump(c, s);
        let mut got = 0;
        while got < chunk.len() {
            got += s.reader().read(sink).unwrap();
        }
    }
}

#[inline(never)]
fn our_bulk_mib(
    c: &mut sslcontext::SslObject,
    s: &mut sslcontext::SslObject,
    bios: &[sslcontext::MemoryBio; 4],
    sink: &mut [u8],
) {
    let chunk = [0xa5u8; 16 * 1024];
    let [_, co, si, _] = bios;
    for _ in 0..64 {
        c.write(&chunk).unwrap();
        si.write(&co.read(None)).unwrap();
        let mut got = 0;
        while got < chunk.len() {
            got += s.read_into(sink).unwrap();
        }
    }
}

/// `n` MiB over one connection of each kind.
fn bulk(which: &str, tls12: bool, n: usize) {
    let mut sink = vec![0u8; 16 * 1024];
    if which == "raw" || which == "both" {
        let (client, server) = pair::raw_configs(tls12);
        let (mut c, mut s) = pair::raw_handshake(&client, &server);
        for _ in 0..n {
            raw_bulk_mib(&mut c, &mut s, &mut sink);
        }
    }
    if which == "ours" || which == "both" {
        let (client, server) = pair::our_contexts(tls12);
        let (mut c, mut s, bios) =
            pair::our_handshake(&client, &server, WrapOptions::client("localhost"));
        for _ in 0..n {
            our_bulk_mib(&mut c, &mut s, &bios, &mut sink);
        }
    }
}

/// `n` resumed handshakes after a first full one (not counted).
fn resumed(which: &str, tls12: bool, n: usize) {
    if which == "raw" || which == "both" {
        let (client, server) = pair::raw_configs(tls12);
        pair::raw_connection(&client, &server);
        for _ in 0..n {
            raw_resumed_handshake(&client, &server);
        }
    }
    if which == "ours" || which == "both" {
        let (client, server) = pair::our_contexts(tls12);
        let (_, mut session) = pair::our_connection(&client, &server, None);
        for _ in 0..n {
            session = our_resumed_handshake(&client, &server, session);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; without our arguments run one of each, quickly.
    let (which, tls12, n) = match args.as_slice() {
        [w, v, n, ..] if !w.starts_with('-') => (w.clone(), v == "12", n.parse().unwrap_or(1)),
        _ => ("both".to_owned(), false, 1),
    };
    if args.get(3).is_some_and(|a| a == "bulk") {
        bulk(&which, tls12, n);
        println!("{which}: {n} MiB over TLS 1.{}", if tls12 { 2 } else { 3 });
        return;
    }
    if args.get(3).is_some_and(|a| a == "resumed") {
        resumed(&which, tls12, n);
        println!(
            "{which}: {n} resumed TLS 1.{} handshake(s)",
            if tls12 { 2 } else { 3 }
        );
        return;
    }
    if which == "raw" || which == "both" {
        let mut client = pair::raw_client(tls12, rustls::RootCertStore::empty());
        client.resumption = rustls::client::Resumption::disabled();
        let client = Arc::new(client);
        let server = pair::raw_server(tls12, true);
        for _ in 0..n {
            raw_full_handshake(&client, &server);
        }
    }
    if which == "ours" || which == "both" {
        let server = pair::our_server();
        pair::pin_version(&server, tls12);
        server.server_config().unwrap();
        let clients: Vec<SslContext> = (0..n)
            .map(|_| {
                let c = pair::our_client(tls12);
                c.client_config().unwrap();
                c
            })
            .collect();
        for c in &clients {
            our_full_handshake(c, &server);
        }
    }
    println!(
        "{which}: {n} TLS 1.{} handshake(s)",
        if tls12 { 2 } else { 3 }
    );
}
