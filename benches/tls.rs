//! Our layer against raw rustls, doing the same work in the same run.
//!
//! Paired rows (group `<group>`, function `<case>`, parameter `raw` / `ours`):
//! handshakes (TLS 1.3 / 1.2 × ECDSA P-256 / RSA-2048, all in memory; TLS 1.3 by a
//! client trusting the system store), resumed handshakes (TLS 1.3 / 1.2), bulk transfer
//! (1 MiB in 16 KiB writes, in memory and over a Unix socket pair), snapshot build,
//! connection creation on a cached snapshot, `create_default_context()` with the system
//! roots, and certificate decoding. Unpaired rows: cipher-string compilation.
//!
//! After criterion has run, the harness reads criterion's own estimates
//! (`<criterion dir>/<group>/<case>/{raw,ours}/new/estimates.json`, the mean) and prints
//! a table of ratios ours/raw. Run: `cargo bench --bench tls -- --quick`.

use std::hint::black_box;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod pair;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};
use sslcontext::{MemoryBio, Protocol, SslContext, SslObject, TlsVersion, WrapOptions};

const CHUNK: usize = 16 * 1024;
const BULK: usize = 1024 * 1024;
const HOST: &str = "localhost";

fn certs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance/certs")
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

static ONLY_TLS13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
static ONLY_TLS12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];

fn versions(v13: bool) -> &'static [&'static rustls::SupportedProtocolVersion] {
    if v13 {
        &ONLY_TLS13
    } else {
        &ONLY_TLS12
    }
}

/// Which key type the server uses: `("leaf-ec", "root-ec")` or the RSA pair.
fn leaf_and_root(ec: bool) -> (&'static str, &'static str) {
    if ec {
        ("leaf-ec", "root-ec")
    } else {
        ("leaf-rsa", "root-rsa")
    }
}

// ---------------------------------------------------------------- raw rustls

fn raw_roots(root: &str) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    let path = certs_dir().join(format!("pki/{root}.pem"));
    for c in CertificateDer::pem_file_iter(&path).expect("root pem") {
        roots.add(c.expect("root cert")).expect("add root");
    }
    roots
}

fn raw_client(v13: bool, ec: bool) -> Arc<ClientConfig> {
    let (_, root) = leaf_and_root(ec);
    let mut cfg = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions(v13))
        .expect("versions")
        .with_root_certificates(raw_roots(root))
        .with_no_client_auth();
    // Every iteration is a full handshake.
    cfg.resumption = rustls::client::Resumption::disabled();
    Arc::new(cfg)
}

fn raw_server(v13: bool, ec: bool) -> Arc<ServerConfig> {
    let (leaf, _) = leaf_and_root(ec);
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(certs_dir().join(format!("chains/{leaf}.chain.pem")))
            .expect("chain")
            .map(|c| c.expect("cert"))
            .collect();
    let key = PrivateKeyDer::from_pem_file(certs_dir().join(format!("pki/{leaf}.key"))).unwrap();
    let cfg = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions(v13))
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server cert");
    Arc::new(cfg)
}

/// Moves every pending TLS byte from `from` to `to`; true when something moved.
fn raw_move(from: &mut rustls::Connection, to: &mut rustls::Connection, buf: &mut Vec<u8>) -> bool {
    buf.clear();
    while from.wants_write() {
        from.write_tls(buf).expect("write_tls");
    }
    if buf.is_empty() {
        return false;
    }
    let mut rd: &[u8] = buf;
    while !rd.is_empty() {
        to.read_tls(&mut rd).expect("read_tls");
        to.process_new_packets().expect("process");
    }
    true
}

fn raw_pair(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
) -> (rustls::Connection, rustls::Connection) {
    let name = ServerName::try_from(HOST).expect("name");
    let c = ClientConnection::new(client.clone(), name).expect("client");
    let s = ServerConnection::new(server.clone()).expect("server");
    (c.into(), s.into())
}

fn raw_handshake(c: &mut rustls::Connection, s: &mut rustls::Connection) {
    let mut buf = Vec::with_capacity(8192);
    for _ in 0..20 {
        let a = raw_move(c, s, &mut buf);
        let b = raw_move(s, c, &mut buf);
        if !a && !b && !c.is_handshaking() && !s.is_handshaking() {
            return;
        }
    }
    panic!("raw handshake did not finish");
}

fn raw_bulk(
    c: &mut rustls::Connection,
    s: &mut rustls::Connection,
    data: &[u8],
    sink: &mut [u8],
    buf: &mut Vec<u8>,
) {
    for chunk in data.chunks(CHUNK) {
        c.writer().write_all(chunk).expect("write");
        raw_move(c, s, buf);
        let mut got = 0;
        while got < chunk.len() {
            got += s.reader().read(&mut sink[..]).expect("read");
        }
    }
}

// ---------------------------------------------------------------- ours

fn our_server(v13: bool, ec: bool) -> SslContext {
    let (leaf, _) = leaf_and_root(ec);
    let ctx = SslContext::new(Protocol::TlsServer).unwrap();
    ctx.load_cert_chain(
        certs_dir().join(format!("chains/{leaf}.chain.pem")),
        Some(&certs_dir().join(format!("pki/{leaf}.key"))),
        None,
    )
    .unwrap();
    pair::pin_version(&ctx, !v13);
    ctx
}

fn our_client(v13: bool, ec: bool) -> SslContext {
    let (_, root) = leaf_and_root(ec);
    let ctx = SslContext::new(Protocol::TlsClient).unwrap();
    ctx.load_verify_locations(
        Some(&certs_dir().join(format!("pki/{root}.pem"))),
        None,
        None,
    )
    .unwrap();
    pair::pin_version(&ctx, !v13);
    ctx
}

struct Side {
    obj: SslObject,
    incoming: MemoryBio,
    outgoing: MemoryBio,
}

fn our_pair(client: &SslContext, server: &SslContext) -> (Side, Side) {
    let (ci, co, si, so) = (
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
    );
    let c = client
        .wrap_bio(&ci, &co, WrapOptions::client(HOST))
        .unwrap();
    let s = server.wrap_bio(&si, &so, WrapOptions::server()).unwrap();
    (
        Side {
            obj: c,
            incoming: ci,
            outgoing: co,
        },
        Side {
            obj: s,
            incoming: si,
            outgoing: so,
        },
    )
}

fn our_move(from: &Side, to: &Side) -> bool {
    let bytes = from.outgoing.read(None);
    if bytes.is_empty() {
        return false;
    }
    to.incoming.write(&bytes).unwrap();
    true
}

fn our_handshake(c: &mut Side, s: &mut Side) {
    let (mut cd, mut sd) = (false, false);
    for _ in 0..20 {
        if !cd {
            cd = match c.obj.do_handshake() {
                Ok(()) => true,
                Err(sslcontext::Error::SslWantReadError(_)) => false,
                Err(e) => panic!("client handshake: {e}"),
            };
        }
        our_move(c, s);
        if !sd {
            sd = match s.obj.do_handshake() {
                Ok(()) => true,
                Err(sslcontext::Error::SslWantReadError(_)) => false,
                Err(e) => panic!("server handshake: {e}"),
            };
        }
        our_move(s, c);
        if cd && sd {
            return;
        }
    }
    panic!("handshake did not finish");
}

fn our_bulk(c: &mut Side, s: &mut Side, data: &[u8], sink: &mut [u8]) {
    for chunk in data.chunks(CHUNK) {
        c.obj.write(chunk).unwrap();
        our_move(c, s);
        let mut got = 0;
        while got < chunk.len() {
            got += s.obj.read_into(sink).unwrap();
        }
    }
}

// ---------------------------------------------------------------- benches

fn handshakes(c: &mut Criterion) {
    let mut g = c.benchmark_group("handshake");
    for (v13, ec) in [(true, true), (true, false), (false, true), (false, false)] {
        let case = format!(
            "{}-{}",
            if v13 { "tls13" } else { "tls12" },
            if ec { "p256" } else { "rsa2048" }
        );
        let (rc, rs) = (raw_client(v13, ec), raw_server(v13, ec));
        g.bench_function(BenchmarkId::new(&case, "raw"), |b| {
            b.iter_batched(
                || rc.clone(),
                |rc| {
                    let (mut cc, mut sc) = raw_pair(&rc, &rs);
                    raw_handshake(&mut cc, &mut sc);
                    (cc, sc, rc)
                },
                BatchSize::SmallInput,
            )
        });
        let os = our_server(v13, ec);
        // Our client context keeps a session cache and resumes from it on its own (TLS
        // 1.2 session IDs/tickets), so each iteration gets a fresh client context whose
        // configuration snapshot is already built (outside the timing).
        let fresh_client = || {
            let oc = our_client(v13, ec);
            oc.client_config().unwrap();
            oc
        };
        {
            let oc = our_client(v13, ec);
            let (mut c1, mut s1) = our_pair(&oc, &os);
            our_handshake(&mut c1, &mut s1);
            let (mut c2, mut s2) = our_pair(&oc, &os);
            our_handshake(&mut c2, &mut s2);
            eprintln!(
                "note: {case}: second handshake on one client context resumed: {}",
                c2.obj.session_reused()
            );
        }
        g.bench_function(BenchmarkId::new(&case, "ours"), |b| {
            b.iter_batched(
                fresh_client,
                |oc| {
                    let (mut cs, mut ss) = our_pair(&oc, &os);
                    our_handshake(&mut cs, &mut ss);
                    assert!(!cs.obj.session_reused());
                    (cs, ss, oc)
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

/// Full TLS 1.3 handshakes by a client trusting the whole system store plus the test
/// root (ours: `create_default_context()`), beside raw rustls with a `RootCertStore` of
/// the same certificates: where per-handshake trust-store work would show.
fn system_store_handshake(c: &mut Criterion) {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let mut rc = pair::raw_client(false, roots);
    rc.resumption = rustls::client::Resumption::disabled();
    let (rc, rs) = (Arc::new(rc), pair::raw_server(false, false));
    let os = pair::our_server();
    os.set_minimum_version(TlsVersion::TLSv1_3).unwrap();
    let oc = sslcontext::create_default_context(sslcontext::Purpose::ServerAuth).unwrap();
    oc.load_verify_locations(Some(&pair::path("pki/root-ec.pem")), None, None)
        .unwrap();
    let mut g = c.benchmark_group("handshake");
    g.bench_function(BenchmarkId::new("tls13-system-store", "raw"), |b| {
        b.iter(|| pair::raw_handshake(&rc, &rs))
    });
    // No session tickets are read (the handshake ends before they arrive), so every
    // iteration is a full handshake on the one client context.
    g.bench_function(BenchmarkId::new("tls13-system-store", "ours"), |b| {
        b.iter(|| pair::our_handshake(&oc, &os, WrapOptions::client(HOST)))
    });
    g.finish();
}

/// Resumed handshakes plus one byte from the server (which carries the new TLS 1.3
/// tickets) read by the client: raw rustls with its session cache and ring's
/// ticketer, ours offering the previous connection's `SslSession`.
fn resumed_handshakes(c: &mut Criterion) {
    let mut g = c.benchmark_group("resume");
    for tls12 in [false, true] {
        let case = if tls12 { "tls12-p256" } else { "tls13-p256" };
        let (rc, rs) = pair::raw_configs(tls12);
        pair::raw_connection(&rc, &rs);
        assert!(pair::raw_connection(&rc, &rs), "raw rustls did not resume");
        let (oc, os) = pair::our_contexts(tls12);
        let (_, first) = pair::our_connection(&oc, &os, None);
        let (reused, mut session) = pair::our_connection(&oc, &os, first);
        assert!(reused, "sslcontext did not resume");
        g.bench_function(BenchmarkId::new(case, "raw"), |b| {
            b.iter(|| pair::raw_connection(&rc, &rs))
        });
        g.bench_function(BenchmarkId::new(case, "ours"), |b| {
            b.iter(|| {
                let (reused, next) = pair::our_connection(&oc, &os, session.take());
                debug_assert!(reused);
                session = next;
            })
        });
    }
    g.finish();
}

fn bulk_memory(c: &mut Criterion) {
    let data = vec![0x5au8; BULK];
    let mut sink = vec![0u8; CHUNK];
    let mut g = c.benchmark_group("bulk-memory");
    g.throughput(Throughput::Bytes(BULK as u64));
    for v13 in [true, false] {
        let case = if v13 { "tls13-1MiB" } else { "tls12-1MiB" };
        let (rc, rs) = (raw_client(v13, true), raw_server(v13, true));
        let (mut cc, mut sc) = raw_pair(&rc, &rs);
        raw_handshake(&mut cc, &mut sc);
        let mut buf = Vec::with_capacity(CHUNK + 1024);
        g.bench_function(BenchmarkId::new(case, "raw"), |b| {
            b.iter(|| raw_bulk(&mut cc, &mut sc, &data, &mut sink, &mut buf))
        });
        let (oc, os) = (our_client(v13, true), our_server(v13, true));
        let (mut c1, mut s1) = our_pair(&oc, &os);
        our_handshake(&mut c1, &mut s1);
        g.bench_function(BenchmarkId::new(case, "ours"), |b| {
            b.iter(|| our_bulk(&mut c1, &mut s1, &data, &mut sink))
        });
    }
    g.finish();
}

/// A reader thread on the server side: reads `BULK` bytes, answers one byte, repeats
/// until EOF or error.
fn sink_loop(
    mut read: impl FnMut(&mut [u8]) -> std::io::Result<usize>,
    mut ack: impl FnMut() -> std::io::Result<()>,
) {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let mut got = 0;
        while got < BULK {
            match read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => got += n,
            }
        }
        if ack().is_err() {
            return;
        }
    }
}

fn bulk_socket(c: &mut Criterion) {
    let data = vec![0xa5u8; BULK];
    let mut g = c.benchmark_group("bulk-socket");
    g.throughput(Throughput::Bytes(BULK as u64));

    // Raw rustls: StreamOwned on both ends of a Unix socket pair.
    let (rc, rs) = (raw_client(true, true), raw_server(true, true));
    let (a, b) = UnixStream::pair().unwrap();
    let server = std::thread::spawn(move || {
        let conn = ServerConnection::new(rs).unwrap();
        let tls = std::cell::RefCell::new(rustls::StreamOwned::new(conn, b));
        sink_loop(
            |buf| tls.borrow_mut().read(buf),
            || {
                let mut t = tls.borrow_mut();
                t.write_all(b"k")?;
                t.flush()
            },
        );
    });
    let conn = ClientConnection::new(rc, ServerName::try_from(HOST).unwrap()).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, a);
    let mut ack = [0u8; 1];
    g.bench_function(BenchmarkId::new("tls13-1MiB", "raw"), |bch| {
        bch.iter(|| {
            for chunk in data.chunks(CHUNK) {
                tls.write_all(chunk).unwrap();
            }
            tls.flush().unwrap();
            tls.read_exact(&mut ack).unwrap();
        })
    });
    tls.conn.send_close_notify();
    let _ = tls.flush();
    drop(tls);
    server.join().unwrap();

    // Ours: SslSocket on both ends.
    let (oc, os) = (our_client(true, true), our_server(true, true));
    let (a, b) = UnixStream::pair().unwrap();
    let server = std::thread::spawn(move || {
        let Ok(sock) = os.wrap_socket(b, WrapOptions::server()) else {
            return;
        };
        let sock = std::cell::RefCell::new(sock);
        sink_loop(
            |buf| {
                sock.borrow_mut()
                    .recv_into(buf)
                    .map_err(std::io::Error::other)
            },
            || {
                sock.borrow_mut()
                    .sendall(b"k")
                    .map_err(std::io::Error::other)
            },
        );
    });
    let mut sock = oc.wrap_socket(a, WrapOptions::client(HOST)).unwrap();
    g.bench_function(BenchmarkId::new("tls13-1MiB", "ours"), |bch| {
        bch.iter(|| {
            for chunk in data.chunks(CHUNK) {
                sock.sendall(chunk).unwrap();
            }
            let got = sock.recv(1).unwrap();
            assert_eq!(got, b"k");
        })
    });
    let _ = sock.unwrap();
    server.join().unwrap();
    g.finish();
}

fn snapshots(c: &mut Criterion) {
    let mut g = c.benchmark_group("snapshot");
    // Building a ClientConfig from scratch: raw builder vs our setter bump + client_config().
    let roots = raw_roots("root-ec");
    g.bench_function(BenchmarkId::new("client-config-build", "raw"), |b| {
        b.iter(|| {
            let cfg = ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots.clone())
                .with_no_client_auth();
            black_box(Arc::new(cfg))
        })
    });
    let ctx = our_client(true, true);
    ctx.set_maximum_version(TlsVersion::MAXIMUM_SUPPORTED)
        .unwrap();
    let flags = ctx.verify_flags();
    g.bench_function(BenchmarkId::new("client-config-build", "ours"), |b| {
        b.iter(|| {
            ctx.set_verify_flags(flags).unwrap();
            black_box(ctx.client_config().unwrap())
        })
    });
    // A new client connection on an already built configuration.
    let rc = raw_client(true, true);
    g.bench_function(BenchmarkId::new("new-client-conn", "raw"), |b| {
        b.iter(|| {
            black_box(
                ClientConnection::new(rc.clone(), ServerName::try_from(HOST).unwrap()).unwrap(),
            )
        })
    });
    let (bi, bo) = (MemoryBio::new(), MemoryBio::new());
    ctx.client_config().unwrap();
    g.bench_function(BenchmarkId::new("new-client-conn", "ours"), |b| {
        b.iter(|| black_box(ctx.wrap_bio(&bi, &bo, WrapOptions::client(HOST)).unwrap()))
    });
    g.finish();
}

fn defaults_and_parsing(c: &mut Criterion) {
    let mut g = c.benchmark_group("setup");
    g.sample_size(10);
    // create_default_context(): raw = load the native store and build a ClientConfig.
    g.bench_function(BenchmarkId::new("default-context", "raw"), |b| {
        b.iter(|| {
            let mut roots = RootCertStore::empty();
            let native = rustls_native_certs::load_native_certs();
            let _ = roots.add_parsable_certificates(native.certs);
            let cfg = ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth();
            black_box(Arc::new(cfg))
        })
    });
    g.bench_function(BenchmarkId::new("default-context", "ours"), |b| {
        b.iter(|| {
            let ctx = sslcontext::create_default_context(sslcontext::Purpose::ServerAuth).unwrap();
            black_box(ctx.client_config().unwrap())
        })
    });
    // Certificate decoding of the whole system store: x509-parser alone vs CPython's dict.
    let store: Vec<Vec<u8>> = rustls_native_certs::load_native_certs()
        .certs
        .into_iter()
        .map(|c| c.to_vec())
        .collect();
    g.throughput(Throughput::Elements(store.len() as u64));
    g.bench_function(BenchmarkId::new("decode-system-store", "raw"), |b| {
        b.iter(|| {
            for der in &store {
                let _ = black_box(x509_parser::parse_x509_certificate(der));
            }
        })
    });
    g.bench_function(BenchmarkId::new("decode-system-store", "ours"), |b| {
        b.iter(|| {
            for der in &store {
                let _ = black_box(sslcontext::x509::decode_der(der));
            }
        })
    });
    g.finish();
    let mut g = c.benchmark_group("ciphers");
    g.bench_function("compile-cpython-default", |b| {
        b.iter(|| {
            sslcontext::__private::compile(black_box(sslcontext::constants::DEFAULT_CIPHERS), 1)
        })
    });
    g.finish();
}

// ---------------------------------------------------------------- ratio table

fn print_ratios() {
    let rows = [
        ("handshake", "tls13-p256"),
        ("handshake", "tls13-rsa2048"),
        ("handshake", "tls12-p256"),
        ("handshake", "tls12-rsa2048"),
        ("handshake", "tls13-system-store"),
        ("resume", "tls13-p256"),
        ("resume", "tls12-p256"),
        ("bulk-memory", "tls13-1MiB"),
        ("bulk-memory", "tls12-1MiB"),
        ("bulk-socket", "tls13-1MiB"),
        ("snapshot", "client-config-build"),
        ("snapshot", "new-client-conn"),
        ("setup", "default-context"),
        ("setup", "decode-system-store"),
    ];
    pair::print_ratio_table(&rows);
    if let Some(c) = pair::mean_ns("ciphers", "compile-cpython-default", "") {
        println!(
            "| ciphers | compile-cpython-default | n/a | {} | | |",
            pair::fmt_ns(c)
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    handshakes(&mut c);
    system_store_handshake(&mut c);
    resumed_handshakes(&mut c);
    bulk_memory(&mut c);
    bulk_socket(&mut c);
    snapshots(&mut c);
    defaults_and_parsing(&mut c);
    c.final_summary();
    print_ratios();
}
