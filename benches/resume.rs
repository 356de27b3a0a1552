//! Resumed handshakes per second, TLS 1.2 and 1.3: our `SslObject` with
//! `WrapOptions::session` beside raw rustls doing the same work (a resumed handshake,
//! one byte from the server — which carries the new TLS 1.3 tickets — read by the
//! client), in the same run. Prints the ratio ours / raw (1.0 = as fast as rustls).

mod pair;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use pair::{our_connection, our_contexts, raw_configs, raw_connection};

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
