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
//! tickets). The `*_full_handshake` functions count connection creation, the handshake,
//! both sides finished. Contexts and configs are built outside them. Raw
//! rustls has client resumption off and ring's ticketer on (our server issues tickets
//! too, as OpenSSL does), and each of our handshakes uses a fresh client context with a
//! built snapshot (a context resumes on its own), so every handshake is a full one.
//! Callgrind prints the total ("Collected"); divide by the count.

#[path = "pair/mod.rs"]
mod pair;

use std::hint::black_box;
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
