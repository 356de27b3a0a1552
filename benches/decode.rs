//! Certificate decoding throughput: every certificate of the system trust store
//! (`/etc/ssl/certs/ca-certificates.crt`) decoded into CPython's dict, per iteration.

use criterion::{criterion_group, criterion_main, Criterion};
use sslcontext::x509::decode_der;
use sslcontext::x509::pem_cert_to_der_cert;

fn load_store() -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default();
    let mut out = Vec::new();
    let end = "-----END CERTIFICATE-----";
    let mut rest = text.as_str();
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let Some(stop) = rest[start..].find(end) else {
            break;
        };
        let block = &rest[start..start + stop + end.len()];
        if let Ok(der) = pem_cert_to_der_cert(block) {
            out.push(der);
        }
        rest = &rest[start + stop + end.len()..];
    }
    out
}

fn bench(c: &mut Criterion) {
    let certs = load_store();
    eprintln!("decoding {} certificates per iteration", certs.len());
    c.bench_function("decode_der/system_store", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for der in &certs {
                if let Ok(info) = decode_der(std::hint::black_box(der)) {
                    n += info.subject.len();
                }
            }
            n
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
