//! Compiling cipher strings (target: CPython's default string in < 50 µs).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    c.bench_function("compile CPython default cipher string", |b| {
        b.iter(|| {
            sslcontext::__private::compile(black_box(sslcontext::constants::DEFAULT_CIPHERS), 1)
        })
    });
    c.bench_function("compile Mozilla intermediate", |b| {
        b.iter(|| sslcontext::__private::compile(black_box("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"), 1))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
