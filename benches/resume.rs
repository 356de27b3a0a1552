//! Resumed handshakes per second, TLS 1.2 and 1.3: our `SslObject` with
//! `WrapOptions::session` beside raw rustls doing the same work (a resumed handshake,
//! one byte from the server — which carries the new TLS 1.3 tickets — read by the
//! client), in the same run. Prints the ratio ours / raw from criterion's estimates.

mod pair;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use pair::{our_connection, our_contexts, raw_configs, raw_connection};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("resume");
    for tls12 in [false, true] {
        let case = if tls12 { "tls12" } else { "tls13" };
        let (rc, rs) = raw_configs(tls12);
        raw_connection(&rc, &rs);
        assert!(raw_connection(&rc, &rs), "raw rustls did not resume");
        let (oc, os) = our_contexts(tls12);
        let (_, first) = our_connection(&oc, &os, None);
        let (reused, mut session) = our_connection(&oc, &os, first);
        assert!(reused, "sslcontext did not resume");
        group.bench_function(BenchmarkId::new(case, "raw"), |b| {
            b.iter(|| raw_connection(&rc, &rs))
        });
        group.bench_function(BenchmarkId::new(case, "ours"), |b| {
            b.iter(|| {
                let (reused, next) = our_connection(&oc, &os, session.take());
                debug_assert!(reused);
                session = next;
            })
        });
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench(&mut c);
    c.final_summary();
    pair::print_ratio_table(&[("resume", "tls13"), ("resume", "tls12")]);
}
