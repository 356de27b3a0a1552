//! Full TLS 1.3 handshakes by a client that trusts the whole system store (as
//! `create_default_context()` does) plus the test root: our `SslObject` beside raw
//! rustls with a `RootCertStore` of the same certificates, in the same run. This is
//! the case where per-handshake trust-store work would show.

mod pair;

use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
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
    let mut group = c.benchmark_group("system-store");
    group.bench_function(BenchmarkId::new("tls13-handshake", "raw"), |b| {
        b.iter(|| raw_handshake(&rc, &rs))
    });
    group.bench_function(BenchmarkId::new("tls13-handshake", "ours"), |b| {
        b.iter(|| our_connection(&oc, &os))
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench(&mut c);
    c.final_summary();
    pair::print_ratio_table(&[("system-store", "tls13-handshake")]);
}
