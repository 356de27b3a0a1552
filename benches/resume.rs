//! Resumed handshakes per second, TLS 1.2 and 1.3: our `SslObject` with
//! `WrapOptions::session` beside raw rustls doing the same work (a resumed handshake,
//! one byte from the server — which carries the new TLS 1.3 tickets — read by the
//! client), in the same run. Prints the ratio ours / raw (1.0 = as fast as rustls).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection};
use sslcontext::{MemoryBio, Protocol, SslContext, SslObject, TlsVersion, WrapOptions};

const CERTS: &str = "tests/data/conformance/certs";

fn path(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(CERTS).join(rel)
}

// ---- raw rustls ----

fn raw_configs(tls12: bool) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if tls12 {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13]
    };
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(path("chains/leaf-ec.chain.pem"))
            .unwrap()
            .map(|c| c.unwrap())
            .collect();
    let key = PrivateKeyDer::from_pem_file(path("pki/leaf-ec.key")).unwrap();
    let mut server = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    server.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(path("pki/root-ec.pem")).unwrap())
        .unwrap();
    let client = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (Arc::new(client), Arc::new(server))
}

fn pump(a: &mut Connection, b: &mut Connection) {
    let mut buf = Vec::new();
    while a.wants_write() {
        a.write_tls(&mut buf).unwrap();
    }
    let mut rd = &buf[..];
    while !rd.is_empty() {
        b.read_tls(&mut rd).unwrap();
    }
    b.process_new_packets().unwrap();
}

fn raw_connection(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>) -> bool {
    let name = ServerName::try_from("localhost").unwrap();
    let mut c = Connection::Client(ClientConnection::new(client.clone(), name).unwrap());
    let mut s = Connection::Server(ServerConnection::new(server.clone()).unwrap());
    while c.is_handshaking() || s.is_handshaking() {
        pump(&mut c, &mut s);
        pump(&mut s, &mut c);
    }
    use std::io::{Read, Write};
    s.writer().write_all(b"x").unwrap();
    pump(&mut s, &mut c);
    let mut one = [0u8; 1];
    c.reader().read_exact(&mut one).unwrap();
    c.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
}

// ---- ours ----

fn our_contexts(tls12: bool) -> (SslContext, SslContext) {
    let server = SslContext::new(Protocol::TlsServer).unwrap();
    server
        .load_cert_chain(
            path("chains/leaf-ec.chain.pem"),
            Some(&path("pki/leaf-ec.key")),
            None,
        )
        .unwrap();
    let client = SslContext::new(Protocol::TlsClient).unwrap();
    client
        .load_verify_locations(Some(&path("pki/root-ec.pem")), None, None)
        .unwrap();
    let v = if tls12 {
        TlsVersion::TLSv1_2
    } else {
        TlsVersion::TLSv1_3
    };
    client.set_minimum_version(v).unwrap();
    client.set_maximum_version(v).unwrap();
    (client, server)
}

fn step(c: &mut SslObject, s: &mut SslObject, bios: &[MemoryBio; 4]) {
    let [ci, co, si, so] = bios;
    for _ in 0..8 {
        let cd = c.do_handshake().is_ok();
        si.write(&co.read(None)).unwrap();
        let sd = s.do_handshake().is_ok();
        ci.write(&so.read(None)).unwrap();
        if cd && sd {
            break;
        }
    }
    s.write(b"x").unwrap();
    ci.write(&so.read(None)).unwrap();
    assert_eq!(c.read(1).unwrap(), b"x");
}

fn our_connection(
    client: &SslContext,
    server: &SslContext,
    session: Option<sslcontext::SslSession>,
) -> (bool, Option<sslcontext::SslSession>) {
    let bios = [
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
    ];
    let mut opts = WrapOptions::client("localhost");
    opts.session = session;
    let mut c = client.wrap_bio(&bios[0], &bios[1], opts).unwrap();
    let mut s = server
        .wrap_bio(&bios[2], &bios[3], WrapOptions::server())
        .unwrap();
    step(&mut c, &mut s, &bios);
    (c.session_reused(), c.session())
}

fn bench(c: &mut Criterion) {
    let mut ratios = Vec::new();
    for tls12 in [false, true] {
        let label = if tls12 { "TLS 1.2" } else { "TLS 1.3" };
        let (rc, rs) = raw_configs(tls12);
        raw_connection(&rc, &rs);
        assert!(raw_connection(&rc, &rs), "raw rustls did not resume");
        let (oc, os) = our_contexts(tls12);
        let (_, mut session) = our_connection(&oc, &os, None);
        let (reused, next) = our_connection(&oc, &os, session.clone());
        assert!(reused, "sslcontext did not resume");
        session = next;

        let mut group = c.benchmark_group(format!("resumed handshake {label}"));
        group.bench_function("raw rustls", |b| b.iter(|| raw_connection(&rc, &rs)));
        let mut s = session.clone();
        group.bench_function("sslcontext SslObject", |b| {
            b.iter(|| {
                let (reused, next) = our_connection(&oc, &os, s.take());
                debug_assert!(reused);
                s = next;
            })
        });
        group.finish();

        // The ratio, timed here in the same process with the same iteration count.
        let n = 300;
        let t = Instant::now();
        for _ in 0..n {
            raw_connection(&rc, &rs);
        }
        let raw = t.elapsed();
        let mut s = session.clone();
        let t = Instant::now();
        for _ in 0..n {
            let (_, next) = our_connection(&oc, &os, s.take());
            s = next;
        }
        let ours = t.elapsed();
        ratios.push((label, raw, ours, n));
    }
    for (label, raw, ours, n) in ratios {
        let per = |d: Duration| n as f64 / d.as_secs_f64();
        println!(
            "resumed {label}: raw rustls {:.0}/s, sslcontext {:.0}/s, ratio ours/raw = {:.3}",
            per(raw),
            per(ours),
            per(ours) / per(raw)
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
