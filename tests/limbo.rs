//! x509-limbo conformance: every testcase of `tests/data/limbo/limbo.jsonl` (see its
//! README) verified the way a client handshake verifies the server's chain, and compared
//! with OpenSSL 3.0's recorded verdict and `X509_V_ERR_*` code.
//!
//! Known differences are listed in `tests/data/limbo/divergences.tsv`
//! (`id<TAB>our_code<TAB>openssl_code<TAB>reason`). The test fails when a case differs
//! and is not listed (or is listed with other codes), when a listed case now agrees, or
//! when a listed id does not exist. `LIMBO_WRITE_DIVERGENCES=1` rewrites the list from
//! the current results instead (reasons of lines that still hold are kept, new lines get
//! `TODO`). Run with `-- --nocapture` to see the summary.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::ServerCertVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde_json::Value;
use sslcontext::__private::encode_hostname;
use sslcontext::__private::verify_error_string;
use sslcontext::__private::ChainVerifier;
use sslcontext::__private::ServerVerifier;
use sslcontext::VerifyFailure;
use sslcontext::VerifyFlags;
use sslcontext::{CaData, Protocol, SslContext};

/// Our code for a case that did not get as far as verification.
const NOT_VERIFIED: i64 = -1;
/// Most lines a failure message shows.
const MAX_FAILURE_LINES: usize = 200;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/limbo")
}

/// One line of `limbo.jsonl`.
struct Case {
    id: String,
    trusted: Vec<String>,
    untrusted: Vec<String>,
    peer: String,
    crls: Vec<String>,
    server_hostname: Option<String>,
    check_hostname: bool,
    verify_flags: Vec<String>,
    at: Option<u64>,
    openssl_success: bool,
    openssl_code: i64,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn parse_case(line: &str) -> Case {
    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("limbo.jsonl: {e}"));
    let id = v["id"].as_str().expect("id").to_string();
    let openssl = &v["openssl"];
    let openssl_success = match openssl["result"].as_str() {
        Some("SUCCESS") => true,
        Some("FAILURE") => false,
        other => panic!("{id}: openssl.result {other:?}"),
    };
    let openssl_code = openssl["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("{id}: openssl.code"));
    assert_eq!(
        openssl_success,
        openssl_code == 0,
        "{id}: openssl result and code disagree"
    );
    Case {
        trusted: strings(&v["trusted"]),
        untrusted: strings(&v["untrusted"]),
        peer: v["peer"].as_str().expect("peer").to_string(),
        crls: strings(&v["crls"]),
        server_hostname: v["server_hostname"].as_str().map(str::to_string),
        check_hostname: v["check_hostname"].as_bool().unwrap_or(true),
        verify_flags: strings(&v["verify_flags"]),
        at: v["at"].as_u64(),
        openssl_success,
        openssl_code,
        id,
    }
}

fn load_cases() -> Vec<Case> {
    let path = data_dir().join("limbo.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(parse_case)
        .collect()
}

fn flag(name: &str) -> VerifyFlags {
    VerifyFlags::from_name(name).unwrap_or_else(|| panic!("unknown verify flag {name}"))
}

/// What happened to one case on our side.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// `verify_server_cert` accepted the chain.
    Verified,
    /// It refused it with this `X509_V_ERR_*` code.
    Refused(i64),
    /// The trust store could not be loaded (a CPython client would have raised then).
    LoadError(String),
    /// Anything else that stopped the case before or inside verification.
    HarnessError(String),
}

impl Outcome {
    fn code(&self) -> i64 {
        match self {
            Outcome::Verified => 0,
            Outcome::Refused(code) => *code,
            Outcome::LoadError(_) | Outcome::HarnessError(_) => NOT_VERIFIED,
        }
    }
}

/// A client context configured as the case says.
fn client_context(case: &Case) -> Result<SslContext, Outcome> {
    let setup = |e: sslcontext::Error| Outcome::HarnessError(format!("context setup: {e}"));
    let ctx = SslContext::new(Protocol::TlsClient).map_err(setup)?;
    for name in &case.verify_flags {
        ctx.set_verify_flags(ctx.verify_flags() | flag(name))
            .map_err(setup)?;
    }
    ctx.set_check_hostname(case.check_hostname).map_err(setup)?;
    let load = |e: sslcontext::Error| Outcome::LoadError(e.to_string());
    // The trusted certificates as `cadata` text.
    let cadata = CaData::Text(case.trusted.concat());
    ctx.load_verify_locations(None, None, Some(&cadata))
        .map_err(load)?;
    // `cadata` text takes certificate blocks only and skips CRL blocks, as CPython does
    // (`PEM_read_bio_X509`), so the CRLs go in the way a CPython client loads them: a
    // `cafile` (`X509_load_cert_crl_file`), as the README's `sslctx verify` line does.
    if !case.crls.is_empty() {
        let mut file = tempfile::NamedTempFile::new()
            .map_err(|e| Outcome::HarnessError(format!("CRL file: {e}")))?;
        file.write_all(case.crls.concat().as_bytes())
            .map_err(|e| Outcome::HarnessError(format!("CRL file: {e}")))?;
        ctx.load_verify_locations(Some(file.path()), None, None)
            .map_err(load)?;
    }
    Ok(ctx)
}

fn parse_cert(pem: &str, what: &str) -> Result<CertificateDer<'static>, Outcome> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| Outcome::HarnessError(format!("{what}: {e}")))
}

/// Verifies the case's chain exactly as a client handshake does.
fn run_case(case: &Case) -> Outcome {
    match try_run_case(case) {
        Ok(outcome) | Err(outcome) => outcome,
    }
}

fn try_run_case(case: &Case) -> Result<Outcome, Outcome> {
    let ctx = client_context(case)?;
    let leaf = parse_cert(&case.peer, "peer")?;
    let intermediates = case
        .untrusted
        .iter()
        .map(|pem| parse_cert(pem, "untrusted"))
        .collect::<Result<Vec<_>, _>>()?;
    let spec = match (&case.server_hostname, case.check_hostname) {
        (Some(host), true) => Some(
            encode_hostname(host)
                .map_err(|e| Outcome::HarnessError(format!("server_hostname: {e}")))?,
        ),
        _ => None,
    };
    let server_name = spec
        .as_ref()
        .and_then(|s| s.rustls_server_name())
        .unwrap_or_else(|| ServerName::try_from("invalid.example").expect("valid DNS name"));
    let now = case.at.map_or_else(UnixTime::now, |t| {
        UnixTime::since_unix_epoch(Duration::from_secs(t))
    });
    let core = ChainVerifier::with_ring(sslcontext::__private::current_verify_policy(&ctx));
    let verifier = ServerVerifier::for_connection(Arc::new(core), spec);
    // Called as any rustls stack calls it (no capture open): a refusal carries the
    // OpenSSL failure itself in `CertificateError::Other`.
    let result = verifier.verify_server_cert(&leaf, &intermediates, &server_name, &[], now);
    Ok(match result {
        Ok(_) => Outcome::Verified,
        Err(rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other))) => {
            match other.0.downcast_ref::<VerifyFailure>() {
                Some(f) => Outcome::Refused(f.code),
                None => Outcome::HarnessError(format!("refused without a failure: {other}")),
            }
        }
        Err(e) => Outcome::HarnessError(format!("refused without a recorded failure: {e}")),
    })
}

/// One listed divergence.
struct Listed {
    our: i64,
    openssl: i64,
    reason: String,
}

/// The divergence file: its leading comment lines, its entries, and malformed lines.
struct DivergenceFile {
    header: Vec<String>,
    entries: BTreeMap<String, Listed>,
    problems: Vec<String>,
}

const DEFAULT_HEADER: &[&str] = &[
    "# x509-limbo cases where our verdict or code differs from OpenSSL 3.0's (tests/limbo.rs).",
    "# id<TAB>our_code<TAB>openssl_code<TAB>reason; our_code -1: the case was not verified",
    "# (trust store load error). Regenerate with LIMBO_WRITE_DIVERGENCES=1 cargo test --all-features --test limbo",
];

fn divergence_path() -> PathBuf {
    data_dir().join("divergences.tsv")
}

fn read_divergences() -> DivergenceFile {
    let text = std::fs::read_to_string(divergence_path()).unwrap_or_default();
    let mut file = DivergenceFile {
        header: Vec::new(),
        entries: BTreeMap::new(),
        problems: Vec::new(),
    };
    let mut in_header = true;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            if in_header {
                file.header.push(line.to_string());
            }
            continue;
        }
        in_header = false;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.splitn(4, '\t').collect();
        let parsed = match fields.as_slice() {
            [id, our, openssl, reason] => our
                .parse()
                .ok()
                .zip(openssl.parse().ok())
                .map(|(our, openssl)| (id.to_string(), our, openssl, reason.to_string())),
            _ => None,
        };
        match parsed {
            Some((id, our, openssl, reason)) => {
                if file.entries.contains_key(&id) {
                    file.problems
                        .push(format!("divergences.tsv:{}: {id} listed twice", n + 1));
                }
                file.entries.insert(
                    id,
                    Listed {
                        our,
                        openssl,
                        reason,
                    },
                );
            }
            None => file.problems.push(format!(
                "divergences.tsv:{}: malformed line {line:?}",
                n + 1
            )),
        }
    }
    file
}

fn write_divergences(header: &[String], lines: &BTreeMap<String, Listed>) {
    let mut out = String::new();
    if header.is_empty() {
        DEFAULT_HEADER
            .iter()
            .for_each(|l| writeln!(out, "{l}").expect("write"));
    } else {
        header
            .iter()
            .for_each(|l| writeln!(out, "{l}").expect("write"));
    }
    for (id, l) in lines {
        writeln!(out, "{id}\t{}\t{}\t{}", l.our, l.openssl, l.reason).expect("write");
    }
    std::fs::write(divergence_path(), out).expect("write divergences.tsv");
}

fn describe(code: i64) -> String {
    if code == NOT_VERIFIED {
        format!("{code} (not verified)")
    } else {
        format!("{code} ({})", verify_error_string(code))
    }
}

fn pct(n: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        // Counts are far below 2^52: exact as f64.
        100.0 * n as f64 / total as f64
    }
}

/// The id's group: everything before the last `::`.
fn prefix(id: &str) -> &str {
    id.rsplit_once("::").map_or(id, |(p, _)| p)
}

struct CaseResult {
    outcome: Outcome,
    elapsed: Duration,
}

fn print_summary(cases: &[Case], results: &[CaseResult]) {
    let total = cases.len();
    let mut verdict_agree = 0;
    let mut code_agree = 0;
    let mut we_accept = Vec::new();
    let mut we_reject = Vec::new();
    let mut pairs: HashMap<(i64, i64), usize> = HashMap::new();
    let mut groups: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut errors = Vec::new();
    for (case, r) in cases.iter().zip(results) {
        let ours_ok = r.outcome == Outcome::Verified;
        let code = r.outcome.code();
        let g = groups.entry(prefix(&case.id)).or_default();
        g.0 += 1;
        if ours_ok == case.openssl_success {
            verdict_agree += 1;
            g.1 += 1;
        } else if ours_ok {
            we_accept.push(case.id.as_str());
        } else {
            we_reject.push(case.id.as_str());
        }
        if code == case.openssl_code {
            code_agree += 1;
            g.2 += 1;
        } else {
            *pairs.entry((case.openssl_code, code)).or_default() += 1;
        }
        match &r.outcome {
            Outcome::LoadError(e) => errors.push(format!("  load error: {}: {e}", case.id)),
            Outcome::HarnessError(e) => errors.push(format!("  harness error: {}: {e}", case.id)),
            Outcome::Verified | Outcome::Refused(_) => {}
        }
    }
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "== x509-limbo: {total} cases ==");
    let _ = writeln!(
        w,
        "verdict agreement: {:.1}% ({verdict_agree}/{total})",
        pct(verdict_agree, total)
    );
    let _ = writeln!(
        w,
        "code agreement:    {:.1}% ({code_agree}/{total})",
        pct(code_agree, total)
    );
    let _ = writeln!(
        w,
        "OpenSSL rejects, we accept: {} {we_accept:?}",
        we_accept.len()
    );
    let _ = writeln!(
        w,
        "OpenSSL accepts, we reject: {} {we_reject:?}",
        we_reject.len()
    );
    let _ = writeln!(w, "cases not verified: {}", errors.len());
    for e in &errors {
        let _ = writeln!(w, "{e}");
    }
    let mut pairs: Vec<_> = pairs.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let _ = writeln!(
        w,
        "disagreements by (openssl code -> our code), top 40 of {}:",
        pairs.len()
    );
    for ((theirs, ours), n) in pairs.iter().take(40) {
        let _ = writeln!(w, "  {n:5}  {} -> {}", describe(*theirs), describe(*ours));
    }
    let _ = writeln!(w, "code agreement by id prefix (cases, verdict, code):");
    for (p, (n, verdict, code)) in &groups {
        let _ = writeln!(
            w,
            "  {p:28} {n:4}  verdict {verdict:4} ({:5.1}%)  code {code:4} ({:5.1}%)",
            pct(*verdict, *n),
            pct(*code, *n)
        );
    }
    let mut slow: Vec<_> = cases.iter().zip(results).collect();
    slow.sort_by_key(|(_, r)| std::cmp::Reverse(r.elapsed));
    let _ = writeln!(w, "slowest cases:");
    for (case, r) in slow.iter().take(5) {
        let _ = writeln!(
            w,
            "  {:9.2} ms  {}",
            r.elapsed.as_secs_f64() * 1000.0,
            case.id
        );
    }
    let all: Duration = results.iter().map(|r| r.elapsed).sum();
    let _ = writeln!(
        w,
        "total verification time: {:.0} ms",
        all.as_secs_f64() * 1000.0
    );
    let _ = std::io::stdout().write_all(out.as_bytes());
}

#[test]
fn limbo_matches_openssl() {
    let cases = load_cases();
    assert!(
        cases.len() > 1000,
        "limbo.jsonl: only {} cases",
        cases.len()
    );
    let results: Vec<CaseResult> = cases
        .iter()
        .map(|case| {
            let start = Instant::now();
            let outcome = run_case(case);
            CaseResult {
                outcome,
                elapsed: start.elapsed(),
            }
        })
        .collect();
    print_summary(&cases, &results);

    let file = read_divergences();
    let ids: BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let mut failures = file.problems.clone();
    let mut current = BTreeMap::new();
    for (case, r) in cases.iter().zip(&results) {
        let (ours, theirs) = (r.outcome.code(), case.openssl_code);
        let listed = file.entries.get(&case.id);
        if ours == theirs {
            if listed.is_some() {
                failures.push(format!(
                    "{}: listed divergence now agrees with OpenSSL: remove it (both {})",
                    case.id,
                    describe(ours)
                ));
            }
            continue;
        }
        let reason = match listed {
            Some(l) if l.our == ours && l.openssl == theirs => l.reason.clone(),
            Some(l) => {
                failures.push(format!(
                    "{}: listed as ours {} / openssl {}, now ours {} / openssl {}",
                    case.id,
                    l.our,
                    l.openssl,
                    describe(ours),
                    describe(theirs)
                ));
                if l.reason == "TODO" {
                    l.reason.clone()
                } else {
                    format!("TODO (was {}/{}: {})", l.our, l.openssl, l.reason)
                }
            }
            None => {
                failures.push(format!(
                    "{}: not listed: ours {}, openssl {}",
                    case.id,
                    describe(ours),
                    describe(theirs)
                ));
                "TODO".to_string()
            }
        };
        current.insert(
            case.id.clone(),
            Listed {
                our: ours,
                openssl: theirs,
                reason,
            },
        );
    }
    for id in file.entries.keys() {
        if !ids.contains(id.as_str()) {
            failures.push(format!("{id}: listed id does not exist in limbo.jsonl"));
        }
    }

    if std::env::var_os("LIMBO_WRITE_DIVERGENCES").is_some_and(|v| v == "1") {
        write_divergences(&file.header, &current);
        println!(
            "LIMBO_WRITE_DIVERGENCES: wrote {} divergences to {} ({} problems fixed)",
            current.len(),
            divergence_path().display(),
            failures.len()
        );
        return;
    }
    println!(
        "divergences: {} listed, {} now",
        file.entries.len(),
        current.len()
    );
    let count = failures.len();
    if count > MAX_FAILURE_LINES {
        failures.truncate(MAX_FAILURE_LINES);
        failures.push(format!("... and {} more", count - MAX_FAILURE_LINES));
    }
    assert!(
        failures.is_empty(),
        "{count} problems with tests/data/limbo/divergences.tsv \
         (LIMBO_WRITE_DIVERGENCES=1 rewrites it):\n{}",
        failures.join("\n")
    );
}
