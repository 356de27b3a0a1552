//! Full TLS 1.3 handshakes by a client that trusts the whole system store (as
//! `create_default_context()` does) plus the test root: our `SslObject` beside raw
//! rustls with a `RootCertStore` of the same certificates, in the same run. This is
//! the case where per-handshake trust-store work would show.

mod pair;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use pair::{our_handshake, our_server, raw_client, raw_handshake, raw_server};
use sslcontext::WrapOptions;

fn raw_configs() -> (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>) {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let mut client = raw_client(false, roots);
    client.resumption = rustls::client::Resumption::disabled();
    (Arc::new(client), raw_server(false, false))
}

fn our_contexts() -> (sslcontext::SslContext, sslcontext::SslContext) {
    let server = our_server();
    server
        .set_minimum_version(sslcontext::TlsVersion::TLSv1_3)
        .unwrap();
    let client = sslcontext::create_default_context(sslcontext::Purpose::ServerAuth).unwrap();
    client
        .load_verify_locations(Some(&pair::path("pki/root-ec.pem")), None, None)
        .unwrap();
    (client, server)
}

fn our_connection(client: &sslcontext::SslContext, server: &sslcontext::SslContext) {
    our_handshake(client, server, WrapOptions::client("localhost"));
}

fn bench(c: &mut Criterion) {
    let (rc, rs) = raw_configs();
    let (oc, os) = our_contexts();
    our_connection(&oc, &os);
    let mut group = c.benchmark_group("full handshake, system store client");
    group.bench_function("raw rustls", |b| b.iter(|| raw_handshake(&rc, &rs)));
    group.bench_function("sslcontext SslObject", |b| {
        b.iter(|| our_connection(&oc, &os))
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
        our_connection(&oc, &os);
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
