//! Full TLS 1.3 handshakes by a client that trusts the whole system store (as
//! `create_default_context()` does) plus the test root: our `SslObject` beside raw
//! rustls with a `RootCertStore` of the same certificates, in the same run. This is
//! the case where per-handshake trust-store work would show.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection};
use sslcontext::{MemoryBio, Protocol, SslContext, WrapOptions};

fn path(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/conformance/certs")
        .join(rel)
}

fn raw_configs() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(path("chains/leaf-ec.chain.pem"))
            .unwrap()
            .map(|c| c.unwrap())
            .collect();
    let key = PrivateKeyDer::from_pem_file(path("pki/leaf-ec.key")).unwrap();
    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    roots
        .add(CertificateDer::from_pem_file(path("pki/root-ec.pem")).unwrap())
        .unwrap();
    let mut client = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    client.resumption = rustls::client::Resumption::disabled();
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

fn raw_handshake(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>) {
    let name = ServerName::try_from("localhost").unwrap();
    let mut c = Connection::Client(ClientConnection::new(client.clone(), name).unwrap());
    let mut s = Connection::Server(ServerConnection::new(server.clone()).unwrap());
    while c.is_handshaking() || s.is_handshaking() {
        pump(&mut c, &mut s);
        pump(&mut s, &mut c);
    }
}

fn our_contexts() -> (SslContext, SslContext) {
    let server = SslContext::new(Protocol::TlsServer).unwrap();
    server
        .load_cert_chain(
            path("chains/leaf-ec.chain.pem"),
            Some(&path("pki/leaf-ec.key")),
            None,
        )
        .unwrap();
    server
        .set_minimum_version(sslcontext::TlsVersion::TLSv1_3)
        .unwrap();
    let client = sslcontext::create_default_context(sslcontext::Purpose::ServerAuth).unwrap();
    client
        .load_verify_locations(Some(&path("pki/root-ec.pem")), None, None)
        .unwrap();
    (client, server)
}

fn our_handshake(client: &SslContext, server: &SslContext) {
    let bios = [
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
    ];
    let [ci, co, si, so] = &bios;
    let mut c = client
        .wrap_bio(ci, co, WrapOptions::client("localhost"))
        .unwrap();
    let mut s = server.wrap_bio(si, so, WrapOptions::server()).unwrap();
    for _ in 0..8 {
        let cd = c.do_handshake().is_ok();
        si.write(&co.read(None)).unwrap();
        let sd = s.do_handshake().is_ok();
        ci.write(&so.read(None)).unwrap();
        if cd && sd {
            return;
        }
    }
    panic!("handshake did not finish");
}

fn bench(c: &mut Criterion) {
    let (rc, rs) = raw_configs();
    let (oc, os) = our_contexts();
    our_handshake(&oc, &os);
    let mut group = c.benchmark_group("full handshake, system store client");
    group.bench_function("raw rustls", |b| b.iter(|| raw_handshake(&rc, &rs)));
    group.bench_function("sslcontext SslObject", |b| {
        b.iter(|| our_handshake(&oc, &os))
    });
    group.finish();
    let n = 200;
    let t = Instant::now();
    for _ in 0..n {
        raw_handshake(&rc, &rs);
    }
    let raw = t.elapsed();
    let t = Instant::now();
    for _ in 0..n {
        our_handshake(&oc, &os);
    }
    let ours = t.elapsed();
    println!(
        "system-store TLS 1.3 handshake: raw rustls {:.0}/s, sslcontext {:.0}/s, ratio ours/raw = {:.3}",
        n as f64 / raw.as_secs_f64(),
        n as f64 / ours.as_secs_f64(),
        raw.as_secs_f64() / ours.as_secs_f64()
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
