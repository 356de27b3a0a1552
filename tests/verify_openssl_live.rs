//! Our verifier against the live `openssl verify` (OpenSSL 3.0, the reference) on the
//! test PKI: every odd certificate (v1, unique identifiers, GeneralizedTime before
//! 2050, UTCTime offsets, DSA/Ed448/P-521 keys, ...) trusted as itself, and every chain
//! under `chains/` with the test roots, each under the flag sets a CPython client can
//! set (default, `VERIFY_X509_PARTIAL_CHAIN`, `VERIFY_X509_STRICT`), at security
//! level 2 and the SSL server purpose, as CPython runs it. Codes must be equal except
//! for the cases listed in `tests/data/verify/openssl_live_divergences.tsv` (each with
//! its reason; a listed case that starts agreeing fails the test).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};
use sslcontext::__private::ChainVerifier;
use sslcontext::__private::Usage;
use sslcontext::__private::VerifyPolicy;
use sslcontext::VerifyFlags;

fn certs_dir() -> PathBuf {
    common::conformance_dir().join("certs")
}

fn pem_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pem"))
        .collect();
    v.sort();
    v
}

fn read(path: &Path) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path)
        .map(|it| it.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

/// `openssl verify`'s code (0 for OK) for `chain` (leaf first) against `cafile`;
/// `None` when OpenSSL cannot even load a certificate.
fn openssl_code(cafile: &Path, chain: &Path, flags: &[&str], at: u64) -> Option<i64> {
    let dir = tempfile::tempdir().unwrap();
    let certs = read(chain);
    let leaf = dir.path().join("leaf.pem");
    let untrusted = dir.path().join("untrusted.pem");
    let pem = |c: &CertificateDer<'_>| sslcontext::x509::der_cert_to_pem_cert(c.as_ref());
    std::fs::write(&leaf, pem(&certs[0])).unwrap();
    let rest: String = certs[1..].iter().map(pem).collect();
    std::fs::write(&untrusted, rest).unwrap();
    let mut cmd = Command::new("openssl");
    cmd.arg("verify")
        .arg("-CAfile")
        .arg(cafile)
        .args(["-purpose", "sslserver", "-auth_level", "2"])
        .args(["-attime", &at.to_string()])
        .args(flags);
    if certs.len() > 1 {
        cmd.arg("-untrusted").arg(&untrusted);
    }
    let out = cmd.arg(&leaf).output().expect("openssl runs");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        return Some(0);
    }
    if text.contains("Error loading file") || text.contains("unable to load") {
        return None;
    }
    // "error N at D depth lookup: ..." names the code OpenSSL reports.
    let code = text
        .split("error ")
        .filter_map(|s| s.split_whitespace().next()?.parse::<i64>().ok())
        .next();
    Some(code.unwrap_or_else(|| panic!("no code in openssl output: {text}")))
}

fn our_code(cafile: &Path, chain: &Path, flags: VerifyFlags, at: u64) -> i64 {
    let policy = VerifyPolicy {
        check_hostname: false,
        verify_flags: flags,
        roots: read(cafile),
        ..VerifyPolicy::default()
    };
    let v = ChainVerifier::with_ring(policy);
    let certs = read(chain);
    let now = UnixTime::since_unix_epoch(Duration::from_secs(at));
    match v.verify(&certs[0], &certs[1..], None, now, Usage::ServerAuth) {
        Ok(_) => 0,
        Err(f) => f.code,
    }
}

#[test]
fn verify_equals_live_openssl() {
    if !common::have_peer("openssl") {
        return;
    }
    let at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let listed_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/verify/openssl_live_divergences.tsv");
    let listed: Vec<(String, String)> = std::fs::read_to_string(&listed_path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut p = l.splitn(2, '\t');
            (
                p.next().unwrap_or_default().to_string(),
                p.next().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let flag_sets: [(&str, VerifyFlags, &[&str]); 3] = [
        ("default", VerifyFlags::empty(), &[]),
        (
            "partial",
            VerifyFlags::VERIFY_X509_PARTIAL_CHAIN,
            &["-partial_chain"],
        ),
        (
            "strict",
            VerifyFlags::VERIFY_X509_PARTIAL_CHAIN | VerifyFlags::VERIFY_X509_STRICT,
            &["-partial_chain", "-x509_strict"],
        ),
    ];
    // (case name, trust store, chain)
    let mut cases: Vec<(String, PathBuf, PathBuf)> = Vec::new();
    for f in pem_files(&certs_dir().join("odd")) {
        let name = format!("odd/{}", f.file_name().unwrap().to_string_lossy());
        cases.push((name, f.clone(), f));
    }
    let roots = certs_dir().join("pki");
    let bundle = tempfile::NamedTempFile::new().unwrap();
    let all_roots: String = pem_files(&roots)
        .iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("root-")
        })
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    std::fs::write(bundle.path(), all_roots).unwrap();
    for f in pem_files(&certs_dir().join("chains")) {
        let name = format!("chains/{}", f.file_name().unwrap().to_string_lossy());
        cases.push((name, bundle.path().to_path_buf(), f));
    }
    let (mut same, mut unloadable, mut problems) = (0, 0, Vec::new());
    for (name, cafile, chain) in &cases {
        for (set, flags, args) in &flag_sets {
            let id = format!("{name}/{set}");
            let ours = our_code(
                cafile,
                chain,
                VerifyFlags::VERIFY_X509_TRUSTED_FIRST | *flags,
                at,
            );
            let Some(theirs) = openssl_code(cafile, chain, args, at) else {
                // OpenSSL refuses to load it: we must not accept it either.
                assert_ne!(ours, 0, "{id}: OpenSSL cannot load it, we accept it");
                unloadable += 1;
                continue;
            };
            let is_listed = listed.iter().any(|(l, _)| *l == id);
            match (ours == theirs, is_listed) {
                (true, false) => same += 1,
                (true, true) => problems.push(format!("{id}: listed but now agrees ({ours})")),
                (false, true) => {}
                (false, false) => problems.push(format!("{id}: ours {ours}, openssl {theirs}")),
            }
        }
    }
    println!(
        "live openssl verify: {} checks, {same} equal, {unloadable} not loadable by OpenSSL \
         (refused by us too), {} listed",
        cases.len() * flag_sets.len(),
        listed.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
