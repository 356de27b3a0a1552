//! `SslStream` (feature `tokio`) against tokio-rustls, the same work in the same run:
//! full TLS 1.3 / 1.2 handshakes (P-256) and 1 MiB bulk in 16 KiB writes, both ends on
//! one current-thread runtime, over `tokio::io::duplex` (no syscalls: what remains is
//! the TLS layers' own cost) and over loopback TCP. A ratio table follows criterion's
//! output (read from its own estimates, as `tls.rs` does).
//!
//! `cargo bench --features tokio --bench tokio`
//!
//! Instruction counts (deterministic, whatever the load):
//!
//! ```text
//! cargo bench --features tokio --bench tokio --no-run
//! valgrind --tool=callgrind --toggle-collect='*count_*_once*' --callgrind-out-file=/dev/null \
//!     target/release/deps/tokio-<hash> count ours handshake13 20   # raw|ours, handshake12|handshake13|bulk
//! ```

#[path = "pair/mod.rs"]
mod pair;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use rustls::pki_types::ServerName;
use sslcontext::{SslContext, WrapOptions};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio_rustls::{TlsAcceptor, TlsConnector};

const BULK: usize = 1024 * 1024;
const CHUNK: usize = 16 * 1024;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A connected pair of streams: in memory or loopback TCP.
async fn transport(tcp: bool) -> (Box<dyn Stream>, Box<dyn Stream>) {
    if tcp {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let (c, s) = tokio::join!(
            tokio::net::TcpStream::connect(("127.0.0.1", port)),
            l.accept()
        );
        let (c, s) = (c.unwrap(), s.unwrap().0);
        c.set_nodelay(true).unwrap();
        s.set_nodelay(true).unwrap();
        (Box::new(c), Box::new(s))
    } else {
        let (c, s) = tokio::io::duplex(64 * 1024);
        (Box::new(c), Box::new(s))
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A client session store that keeps nothing: the client still asks for TLS 1.2
/// tickets (rustls's default, and what our client does, as OpenSSL's does) and reads
/// them, yet every handshake is a full one. (`Resumption::disabled()` would skip the
/// TLS 1.2 ticket exchange that our side performs.)
#[derive(Debug)]
struct KeepNothing;

impl rustls::client::ClientSessionStore for KeepNothing {
    fn set_kx_hint(&self, _: ServerName<'static>, _: rustls::NamedGroup) {}
    fn kx_hint(&self, _: &ServerName<'_>) -> Option<rustls::NamedGroup> {
        None
    }
    fn set_tls12_session(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls12ClientSessionValue,
    ) {
    }
    fn tls12_session(&self, _: &ServerName<'_>) -> Option<rustls::client::Tls12ClientSessionValue> {
        None
    }
    fn remove_tls12_session(&self, _: &ServerName<'static>) {}
    fn insert_tls13_ticket(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls13ClientSessionValue,
    ) {
    }
    fn take_tls13_ticket(
        &self,
        _: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        None
    }
}

/// Raw: tokio-rustls, its client keeping no session (every handshake a full one, with
/// the same ticket exchange as ours: [`KeepNothing`]); server tickets on.
fn raw_configs(tls12: bool) -> (TlsConnector, TlsAcceptor) {
    let mut client = pair::raw_client(tls12, rustls::RootCertStore::empty());
    client.resumption = rustls::client::Resumption::store(Arc::new(KeepNothing));
    (
        TlsConnector::from(Arc::new(client)),
        TlsAcceptor::from(pair::raw_server(tls12, true)),
    )
}

/// Our client context with its snapshot built. A connection offers a session only
/// when given one (`WrapOptions::session`), so every handshake from it is a full one.
fn fresh_client(tls12: bool) -> SslContext {
    let c = pair::our_client(tls12);
    c.client_config().unwrap();
    c
}

async fn raw_handshake(
    conn: &TlsConnector,
    acc: &TlsAcceptor,
    tcp: bool,
) -> (
    tokio_rustls::client::TlsStream<Box<dyn Stream>>,
    tokio_rustls::server::TlsStream<Box<dyn Stream>>,
) {
    let (a, b) = transport(tcp).await;
    let name = ServerName::try_from("localhost").unwrap();
    let (c, s) = tokio::join!(conn.connect(name, a), acc.accept(b));
    (c.unwrap(), s.unwrap())
}

async fn our_handshake(
    client: &SslContext,
    server: &SslContext,
    tcp: bool,
) -> (
    sslcontext::SslStream<Box<dyn Stream>>,
    sslcontext::SslStream<Box<dyn Stream>>,
) {
    let (a, b) = transport(tcp).await;
    let (c, s) = tokio::join!(
        client.wrap_stream(a, WrapOptions::client("localhost")),
        server.wrap_stream(b, WrapOptions::server())
    );
    (c.unwrap(), s.unwrap())
}

fn handshakes(c: &mut Criterion, rt: &Runtime) {
    let mut g = c.benchmark_group("tokio-handshake");
    for tls12 in [false, true] {
        let case = if tls12 { "tls12-p256" } else { "tls13-p256" };
        for (ours, engine) in [(false, "raw"), (true, "ours")] {
            // Both ends built once, on both sides alike: each iteration is one full
            // handshake, its connections dropped inside the timing.
            let ends = Ends::new(ours, tls12);
            g.bench_function(BenchmarkId::new(case, engine), |b| {
                b.iter(|| ends.handshake(rt))
            });
        }
    }
    g.finish();
}

/// The client writes 1 MiB in 16 KiB writes; the server reads it all, then answers one
/// byte.
async fn bulk<C, S>(client: &mut C, server: &mut S, data: &[u8])
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
{
    let send = async {
        for chunk in data.chunks(CHUNK) {
            client.write_all(chunk).await.unwrap();
        }
        client.flush().await.unwrap();
        let mut ack = [0u8; 1];
        client.read_exact(&mut ack).await.unwrap();
    };
    let sink = async {
        let mut buf = vec![0u8; CHUNK];
        let mut left = data.len();
        while left > 0 {
            let n = server.read(&mut buf).await.unwrap();
            assert!(n > 0);
            left -= n;
        }
        server.write_all(b"k").await.unwrap();
        server.flush().await.unwrap();
    };
    tokio::join!(send, sink);
}

fn bulk_rows(c: &mut Criterion, rt: &Runtime) {
    let data = vec![0xa5u8; BULK];
    let mut g = c.benchmark_group("tokio-bulk");
    g.throughput(Throughput::Bytes(BULK as u64));
    for (tcp, case) in [(false, "tls13-1MiB-duplex"), (true, "tls13-1MiB-tcp")] {
        let (conn, acc) = raw_configs(false);
        let (mut rc, mut rs) = rt.block_on(raw_handshake(&conn, &acc, tcp));
        g.bench_function(BenchmarkId::new(case, "raw"), |b| {
            b.iter(|| rt.block_on(bulk(&mut rc, &mut rs, &data)))
        });
        let server = pair::our_server();
        let client = fresh_client(false);
        let (mut oc, mut os) = rt.block_on(our_handshake(&client, &server, tcp));
        g.bench_function(BenchmarkId::new(case, "ours"), |b| {
            b.iter(|| rt.block_on(bulk(&mut oc, &mut os, &data)))
        });
    }
    g.finish();
}

/// A handshake row's two ends, built once for every mode (criterion, `count`,
/// `alternate`): one connector and acceptor on the raw side, one client and one server
/// context on ours. Only handshakes are measured, never the building of configs and
/// contexts; each is a full one (checked on our side).
enum Ends {
    Raw(TlsConnector, TlsAcceptor),
    Ours(SslContext, SslContext),
}

impl Ends {
    fn new(ours: bool, tls12: bool) -> Ends {
        if ours {
            Ends::Ours(fresh_client(tls12), pair::our_server())
        } else {
            let (conn, acc) = raw_configs(tls12);
            Ends::Raw(conn, acc)
        }
    }

    fn handshake(&self, rt: &Runtime) {
        match self {
            Ends::Raw(conn, acc) => {
                std::hint::black_box(rt.block_on(raw_handshake(conn, acc, false)));
            }
            Ends::Ours(client, server) => {
                let pair = rt.block_on(our_handshake(client, server, false));
                assert!(!pair.0.sslobj().session_reused());
                std::hint::black_box(pair);
            }
        }
    }
}

/// One full handshake, for instruction counts.
#[inline(never)]
fn count_handshake_once(rt: &Runtime, ends: &Ends) {
    ends.handshake(rt);
}

/// 1 MiB over an established in-memory connection, for instruction counts.
#[inline(never)]
fn count_bulk_once<C, S>(rt: &Runtime, client: &mut C, server: &mut S, data: &[u8])
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
{
    rt.block_on(bulk(client, server, data));
}

/// `count raw|ours handshake12|handshake13|bulk|bulk-tcp N`: the work of one row N times
/// without criterion, for `valgrind --tool=callgrind --toggle-collect='*count_*_once*'`
/// (deterministic instruction counts; divide the total by N) or `strace -c -f` (the
/// system calls of the TCP row).
fn count(args: &[String]) {
    let rt = runtime();
    let ours = args[0] == "ours";
    let n: usize = args[2].parse().unwrap();
    let server = pair::our_server();
    match args[1].as_str() {
        bulk @ ("bulk" | "bulk-tcp") => {
            let tcp = bulk == "bulk-tcp";
            let data = vec![0xa5u8; BULK];
            if ours {
                let client = fresh_client(false);
                let (mut c, mut s) = rt.block_on(our_handshake(&client, &server, tcp));
                for _ in 0..n {
                    count_bulk_once(&rt, &mut c, &mut s, &data);
                }
            } else {
                let (conn, acc) = raw_configs(false);
                let (mut c, mut s) = rt.block_on(raw_handshake(&conn, &acc, tcp));
                for _ in 0..n {
                    count_bulk_once(&rt, &mut c, &mut s, &data);
                }
            }
        }
        hs => {
            let ends = Ends::new(ours, hs == "handshake12");
            // The first handshake outside the count (lazily built state on both sides).
            ends.handshake(&rt);
            for _ in 0..n {
                count_handshake_once(&rt, &ends);
            }
        }
    }
}

/// The fastest of `rounds` timings of `n` runs of each engine, the engines taking turns
/// (so drift in the machine's speed falls on both): (raw, ours) per run.
fn best_alternating(
    rounds: usize,
    n: u32,
    mut raw: impl FnMut(),
    mut ours: impl FnMut(),
) -> (Duration, Duration) {
    let (mut best_raw, mut best_ours) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..n {
            raw();
        }
        best_raw = best_raw.min(t.elapsed() / n);
        let t = Instant::now();
        for _ in 0..n {
            ours();
        }
        best_ours = best_ours.min(t.elapsed() / n);
    }
    (best_raw, best_ours)
}

/// `alternate ROUNDS`: each row's two engines timed in turns, ROUNDS times, best round
/// each (a check on criterion's figures when the machine's speed drifts).
fn alternate(args: &[String]) {
    let rounds: usize = args.first().map_or(10, |r| r.parse().unwrap());
    let rt = runtime();
    let server = pair::our_server();
    println!("| row | raw rustls (best) | ours (best) | speed vs raw |");
    println!("| --- | ---: | ---: | ---: |");
    let row = |name: &str, (raw, ours): (Duration, Duration)| {
        let ratio = raw.as_secs_f64() / ours.as_secs_f64();
        println!("| {name} | {raw:.2?} | {ours:.2?} | {ratio:.3}× |");
    };
    for tls12 in [false, true] {
        let (raw, ours) = (Ends::new(false, tls12), Ends::new(true, tls12));
        let times = best_alternating(rounds, 50, || raw.handshake(&rt), || ours.handshake(&rt));
        row(
            if tls12 {
                "handshake TLS 1.2"
            } else {
                "handshake TLS 1.3"
            },
            times,
        );
    }
    let data = vec![0xa5u8; BULK];
    for (tcp, name) in [(false, "bulk 1 MiB, duplex"), (true, "bulk 1 MiB, TCP")] {
        let (conn, acc) = raw_configs(false);
        let (mut rc, mut rs) = rt.block_on(raw_handshake(&conn, &acc, tcp));
        let client = fresh_client(false);
        let (mut oc, mut os) = rt.block_on(our_handshake(&client, &server, tcp));
        let times = best_alternating(
            rounds,
            20,
            || rt.block_on(bulk(&mut rc, &mut rs, &data)),
            || rt.block_on(bulk(&mut oc, &mut os, &data)),
        );
        row(name, times);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("count") => return count(&args[1..]),
        Some("alternate") => return alternate(&args[1..]),
        _ => {}
    }
    let rt = runtime();
    let mut c = Criterion::default().configure_from_args();
    handshakes(&mut c, &rt);
    bulk_rows(&mut c, &rt);
    c.final_summary();
    pair::print_ratio_table(&[
        ("tokio-handshake", "tls13-p256"),
        ("tokio-handshake", "tls12-p256"),
        ("tokio-bulk", "tls13-1MiB-duplex"),
        ("tokio-bulk", "tls13-1MiB-tcp"),
    ]);
}
