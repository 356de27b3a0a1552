//! Path validation of the costliest x509-limbo cases (the pathological name-constraint
//! chain `pathological::nc-dos-1` and the same-subject chains): our OpenSSL-style
//! validator (`ChainVerifier::verify`, what every handshake runs) against rustls-webpki's
//! `verify_for_usage` on the same chain, trust store and time, in the same run.
//!
//! `cargo bench --bench verify`; each case prints ours/webpki from criterion's means.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};
use sslcontext::__private::encode_hostname;
use sslcontext::__private::ChainVerifier;
use sslcontext::__private::Usage;
use sslcontext::__private::VerifyPolicy;
use sslcontext::VerifyFlags;

const CASES: &[&str] = &[
    "pathological::nc-dos-1",
    "pathological::pathological-chain-same-subject-distinct-key",
    "pathological::pathological-chain-same-subject-same-key",
];

struct Case {
    id: String,
    trusted: Vec<CertificateDer<'static>>,
    leaf: CertificateDer<'static>,
    untrusted: Vec<CertificateDer<'static>>,
    hostname: String,
    at: UnixTime,
}

fn pems(v: &serde_json::Value) -> Vec<CertificateDer<'static>> {
    let mut out = Vec::new();
    for p in v.as_array().into_iter().flatten() {
        out.extend(
            CertificateDer::pem_slice_iter(p.as_str().unwrap_or_default().as_bytes())
                .filter_map(Result::ok),
        );
    }
    out
}

fn load() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/limbo/limbo.jsonl");
    let text = std::fs::read_to_string(path).expect("tests/data/limbo/limbo.jsonl");
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| CASES.contains(&v["id"].as_str().unwrap_or_default()))
        .map(|v| Case {
            id: v["id"].as_str().unwrap_or_default().to_string(),
            trusted: pems(&v["trusted"]),
            leaf: pems(&serde_json::json!([v["peer"]])).remove(0),
            untrusted: pems(&v["untrusted"]),
            hostname: v["server_hostname"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            at: match v["at"].as_u64() {
                Some(t) => UnixTime::since_unix_epoch(Duration::from_secs(t)),
                None => UnixTime::now(),
            },
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let provider = rustls::crypto::ring::default_provider();
    for case in load() {
        let policy = VerifyPolicy {
            verify_flags: VerifyFlags::VERIFY_X509_TRUSTED_FIRST
                | VerifyFlags::VERIFY_X509_STRICT
                | VerifyFlags::VERIFY_X509_PARTIAL_CHAIN,
            roots: case.trusted.clone(),
            ..VerifyPolicy::default()
        };
        let ours = ChainVerifier::with_ring(policy);
        let name = encode_hostname(&case.hostname).ok();
        let anchors: Vec<_> = case
            .trusted
            .iter()
            .filter_map(|t| webpki::anchor_from_trusted_cert(t).ok())
            .map(|a| a.to_owned())
            .collect();
        // What each verifier decides on this case (the timings compare like with like
        // only where both run to the end).
        let ours_result = ours
            .verify(
                &case.leaf,
                &case.untrusted,
                name.as_ref(),
                case.at,
                Usage::ServerAuth,
            )
            .map(|_| ())
            .map_err(|f| f.code);
        let webpki_verify = || {
            webpki::EndEntityCert::try_from(&case.leaf).and_then(|ee| {
                ee.verify_for_usage(
                    provider.signature_verification_algorithms.all,
                    &anchors,
                    &case.untrusted,
                    case.at,
                    webpki::KeyUsage::server_auth(),
                    None,
                    None,
                )
                .map(|_| ())
            })
        };
        let webpki_result = webpki_verify();
        eprintln!(
            "{}: ours {ours_result:?}, webpki {webpki_result:?}",
            case.id
        );
        let mut g = c.benchmark_group(format!("verify/{}", case.id));
        g.bench_function("sslcontext", |b| {
            b.iter(|| {
                ours.verify(
                    &case.leaf,
                    &case.untrusted,
                    name.as_ref(),
                    case.at,
                    Usage::ServerAuth,
                )
                .is_ok()
            })
        });
        g.bench_function("webpki", |b| b.iter(|| webpki_verify().is_ok()));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
