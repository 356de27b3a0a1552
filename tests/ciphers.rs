//! The cipher-string engine against CPython's and OpenSSL's recorded behaviour
//! (`tests/data/conformance/ciphers.json`), live `openssl ciphers`, and random input.

use serde_json::Value;
use sslcontext::__private::compile;
use sslcontext::__private::CipherSelection;
use sslcontext::CipherInfo;
use std::collections::BTreeMap;

fn load() -> Value {
    let text = std::fs::read_to_string("tests/data/conformance/ciphers.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

fn divergences() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string("tests/data/ciphers/divergences.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

fn info_json(c: &CipherInfo) -> Value {
    serde_json::json!({
        "id": c.id, "name": c.name, "protocol": c.protocol, "description": c.description,
        "strength_bits": c.strength_bits, "alg_bits": c.alg_bits, "aead": c.aead,
        "symmetric": c.symmetric, "digest": c.digest, "kea": c.kea, "auth": c.auth,
    })
}

const IMPLEMENTED: &[&str] = &[
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
];

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

/// One case: returns a list of mismatch descriptions (empty = match).
fn check_case(case: &Value) -> Vec<String> {
    let s = case["string"].as_str().unwrap();
    let py = &case["python"];
    let mut bad = Vec::new();
    let mut sel = CipherSelection::default_for_cpython();
    let res = sel.set_ciphers(s);
    let full: Vec<String> = sel
        .openssl_list()
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    let ours_dicts: Vec<Value> = sel.get_ciphers().iter().map(info_json).collect();
    let all_dicts: Vec<Value> = sel.get_ciphers_openssl().iter().map(info_json).collect();
    if py["ok"].as_bool().unwrap() {
        if let Err(e) = &res {
            bad.push(format!("expected ok, got {e}"));
        }
        let want = py["get_ciphers"].as_array().unwrap();
        let want_impl: Vec<Value> = want
            .iter()
            .filter(|d| IMPLEMENTED.contains(&d["name"].as_str().unwrap()))
            .cloned()
            .collect();
        if ours_dicts != want_impl {
            bad.push(format!(
                "get_ciphers differs: {ours_dicts:?} vs {want_impl:?}"
            ));
        }
        if &all_dicts != want {
            bad.push("full dict list differs".to_string());
        }
        if full != names(&py["names"]) {
            bad.push(format!("names differ: {full:?}"));
        }
    } else {
        let err = &py["error"];
        match &res {
            Ok(()) => bad.push("expected an error".to_string()),
            Err(e) => {
                if e.python_class() != err["type"].as_str().unwrap() {
                    bad.push(format!("class {} vs {}", e.python_class(), err["type"]));
                }
                let want_str = err["str"].as_str().unwrap();
                let ours = e.to_string();
                if ours != want_str {
                    bad.push(format!("str {ours:?} vs {want_str:?}"));
                }
            }
        }
        if full != names(&py["names_after_error"]) {
            bad.push(format!("list after error differs: {full:?}"));
        }
    }
    let lvl = py["security_level_after"].as_u64().unwrap();
    if u64::from(sel.security_level()) != lvl {
        bad.push(format!("security level {} vs {lvl}", sel.security_level()));
    }
    // The OpenSSL command line: same list from a fresh context (its own default level).
    let cli = &case["openssl_cli"];
    if cli.get("skipped").is_none() {
        let fresh = compile(s, 1);
        let rc = cli["rc"].as_i64().unwrap();
        match (&fresh, rc) {
            (Ok(f), 0) => {
                let got: Vec<String> = f
                    .openssl_list()
                    .iter()
                    .map(|c| c.name.to_string())
                    .collect();
                if got != names(&cli["names"]) {
                    bad.push(format!("openssl cli order differs: {got:?}"));
                }
            }
            (Err(_), 0) => bad.push("cli succeeded, we failed".into()),
            (Ok(_), _) => bad.push("cli failed, we succeeded".into()),
            (Err(_), _) => {}
        }
    }
    bad
}

#[test]
fn conformance_cases() {
    let data = load();
    let div = divergences();
    let cases = data["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    let mut matched = 0;
    for case in cases {
        let s = case["string"].as_str().unwrap();
        let bad = check_case(case);
        match (bad.is_empty(), div.contains_key(s)) {
            (true, false) => matched += 1,
            (false, true) => {}
            (true, true) => failures.push(format!("{s:?}: listed divergence now matches")),
            (false, false) => failures.push(format!("{s:?}: {}", bad.join("; "))),
        }
    }
    for k in div.keys() {
        assert!(
            cases.iter().any(|c| c["string"] == k.as_str()),
            "divergence {k:?} is not a case"
        );
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "ciphers.json: {matched}/{} match, {} listed divergences",
        cases.len(),
        div.len()
    );
}

#[test]
fn fresh_contexts_match_default() {
    let data = load();
    let sel = CipherSelection::default_for_cpython();
    let ours: Vec<Value> = sel.get_ciphers_openssl().iter().map(info_json).collect();
    for (k, v) in data["fresh_contexts"].as_object().unwrap() {
        let want = v.as_array().unwrap();
        assert_eq!(&ours, want, "{k}");
    }
    assert_eq!(
        data["python_default_cipher_string"].as_str().unwrap(),
        sslcontext::constants::DEFAULT_CIPHERS
    );
    assert_eq!(sel.security_level(), 2);
    assert_eq!(sel.get_ciphers().len(), 9);
}

#[test]
fn rustls_suites_follow_selection_and_level() {
    let sel = compile("ECDHE+CHACHA20:ECDHE+AESGCM", 2).unwrap();
    let names: Vec<String> = sel
        .rustls_suites(true)
        .iter()
        .map(|s| sslcontext::__private::cipher_tuple(*s).0)
        .collect();
    assert_eq!(
        names,
        [
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "ECDHE-ECDSA-CHACHA20-POLY1305",
            "ECDHE-RSA-CHACHA20-POLY1305",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256",
        ]
    );
    assert_eq!(sel.rustls_suites(false).len(), 6);
    let l4 = compile("ECDHE+AESGCM:@SECLEVEL=4", 2).unwrap();
    assert!(l4.rustls_suites(true).iter().all(|s| {
        let (_, _, bits) = sslcontext::__private::cipher_tuple(*s);
        bits >= 192
    }));
    let t = sslcontext::__private::cipher_tuple(
        rustls::crypto::ring::cipher_suite::TLS13_AES_256_GCM_SHA384,
    );
    assert_eq!(t, ("TLS_AES_256_GCM_SHA384".to_string(), "TLSv1.3", 256));
}

#[test]
fn nul_is_value_error_and_changes_nothing() {
    let mut sel = CipherSelection::default_for_cpython();
    let before = sel.clone();
    let e = sel.set_ciphers("HIGH\0MEDIUM").unwrap_err();
    assert_eq!(e.python_class(), "ValueError");
    assert_eq!(e.to_string(), "embedded null character");
    assert_eq!(sel, before);
}

#[test]
fn suiteb_mode_persists() {
    let mut sel = CipherSelection::default_for_cpython();
    sel.set_ciphers("SUITEB128").unwrap();
    sel.set_ciphers("HIGH").unwrap();
    assert_eq!(sel.tls12().len(), 2);
}

/// Strings not in ciphers.json, compared with the live `openssl ciphers`.
#[test]
fn live_openssl_cli() {
    let strings = [
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305",
        "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!MD5:!DSS",
        "HIGH:!aNULL:!MD5",
        "EECDH+AESGCM:EDH+AESGCM",
        "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH",
        "ECDH+AESGCM:ECDH+CHACHA20:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:!aNULL:!eNULL:!MD5:!DSS",
        "DEFAULT:!aNULL:!eNULL:!MD5:!3DES:!DES:!RC4:!IDEA:!SEED:!aDSS:!SRP:!PSK",
        "ALL:!EXPORT:!LOW:!aNULL:!eNULL:!SSLv2",
        "kEECDH+ECDSA+AES128:kEECDH+ECDSA+AES256:kEECDH+AES128:kEECDH+AES256:kEDH+AES128:kEDH+AES256:DES-CBC3-SHA:+SHA:!aNULL:!eNULL:!LOW:!kECDH:!DSS:!MD5:!RC4:!EXP:!PSK:!SRP:!CAMELLIA:!SEED",
        "AES256+EECDH:AES256+EDH:!aNULL",
        "CAMELLIA:ARIA:@STRENGTH",
        "PSK:SRP:@STRENGTH",
        "ALL:+kRSA:+SHA1",
        "COMPLEMENTOFDEFAULT",
        "DEFAULT:COMPLEMENTOFDEFAULT",
        "-kRSA:ALL",
        "ALL:-kRSA:kRSA",
        "ALL:-AES:AES128",
        "ALL:!AES:AES",
        "kDHEPSK+AESCCM",
        "PSK+AES256:@STRENGTH",
        "aPSK+SHA384",
        "ECDHE-PSK-AES128-CBC-SHA256:PSK-AES128-GCM-SHA256",
        "TLSv1.2+AES128",
        "TLSv1+SHA1:SSLv3+SHA1",
        "SSLv3+TLSv1",
        "FIPS:!SHA1",
        "FIPS+kRSA",
        "SRP+FIPS",
        "HIGH!SHA1!SHA256",
        "HIGH+AESGCM!kRSA",
        "ECDHE-RSA-AES256-GCM-SHA384+HIGH",
        "ECDHE-RSA-AES256-GCM-SHA384+kDHE",
        "AES128-SHA+TLSv1.2",
        "AES128-SHA256+TLSv1.2",
        "ADH:AECDH:+AES256",
        "NULL:eNULL:aNULL:@STRENGTH:@SECLEVEL=0",
        "CHACHA20:ARIA256:CAMELLIA256:-ECDHE",
        "ALL:@STRENGTH:+AESGCM",
        "AESCCM8:AESCCM:!AESCCM8",
        "SHA256:SHA384:-DHE:DHE",
        "DEFAULTX",
        "DEFAULT:DEFAULT",
        "HIGH:DEFAULT",
        "DEFAULT,!ECDSA",
        "ECDSA;RSA;DSS",
        "ALL:+ECDHE:+DHE:+kRSA",
        "CBC:!SHA1",
        "ECDHE+",
        "HIGH:+",
        "MD5:SHA",
        "COMPLEMENTOFALL:ALL",
    ];
    let have = std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_ok();
    if !have {
        assert!(
            std::env::var_os("SSLCONTEXT_REQUIRE_PEERS").is_none(),
            "openssl is required"
        );
        eprintln!("openssl missing: skipped");
        return;
    }
    let mut mismatches = Vec::new();
    for s in strings {
        let out = std::process::Command::new("openssl")
            .args(["ciphers", "-v", "-stdname", "--", s])
            .output()
            .unwrap();
        let cli: Option<Vec<String>> = out.status.success().then(|| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
                .collect()
        });
        let ours = compile(s, 1).ok().map(|sel| {
            sel.openssl_list()
                .iter()
                .map(|c| c.name.to_string())
                .collect()
        });
        if cli != ours {
            mismatches.push(format!("{s:?}: cli {cli:?} ours {ours:?}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

mod fuzz {
    use proptest::prelude::*;
    use std::time::{Duration, Instant};

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,200}") {
            let _ = sslcontext::__private::compile(&s, 2);
        }

        #[test]
        fn alias_soup_never_panics(parts in proptest::collection::vec(
            prop_oneof![
                Just("HIGH"), Just("ECDHE"), Just("!"), Just("+"), Just("-"), Just("@STRENGTH"),
                Just("@SECLEVEL=3"), Just(":"), Just(","), Just("AESGCM"), Just("kRSA"),
                Just("DEFAULT"), Just("SUITEB128"), Just("\t"), Just("é"), Just("ALL"),
            ], 0..40)) {
            let s: String = parts.concat();
            let _ = sslcontext::__private::compile(&s, 2);
        }
    }

    #[test]
    fn large_inputs_are_fast() {
        let unit = "ECDHE+AESGCM:!kRSA:-AES128:+CHACHA20:@STRENGTH:";
        let big: String = unit.repeat(65536 / unit.len());
        let t = Instant::now();
        let _ = sslcontext::__private::compile(&big, 2);
        let words: String = "x".repeat(65536);
        let _ = sslcontext::__private::compile(&words, 2);
        let seps: String = ":".repeat(65536);
        let _ = sslcontext::__private::compile(&seps, 2);
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    }
}

#[test]
fn ecdh_curves() {
    use sslcontext::__private::parse_ecdh_curve;
    assert_eq!(parse_ecdh_curve("X25519").unwrap().len(), 1);
    assert_eq!(
        parse_ecdh_curve("prime256v1").unwrap()[0].name(),
        rustls::NamedGroup::secp256r1
    );
    assert_eq!(
        parse_ecdh_curve("secp384r1").unwrap()[0].name(),
        rustls::NamedGroup::secp384r1
    );
    for unknown in [
        "x25519",
        "P-256",
        "secp256r1",
        "commonName",
        "bogus",
        "ffdhe1024",
        "",
    ] {
        let e = parse_ecdh_curve(unknown).unwrap_err();
        assert_eq!(e.python_class(), "ValueError");
        assert_eq!(
            e.to_string(),
            format!("unknown elliptic curve name '{unknown}'")
        );
    }
    assert_eq!(
        parse_ecdh_curve("it's").unwrap_err().to_string(),
        "unknown elliptic curve name \"it's\""
    );
    let e = parse_ecdh_curve("secp112r1").unwrap_err();
    assert_eq!((e.python_class(), e.errno()), ("ssl.SSLError", Some(0)));
    assert_eq!(e.to_string(), "unknown error");
    for refused in ["secp521r1", "X448", "ffdhe2048", "brainpoolP256r1"] {
        let e = parse_ecdh_curve(refused).unwrap_err();
        assert_eq!(e.python_class(), "ssl.SSLError");
        assert!(
            e.to_string().contains("X25519, prime256v1 and secp384r1"),
            "{e}"
        );
    }
}

#[test]
fn dh_params() {
    use sslcontext::__private::load_dh_params;
    use sslcontext::__private::load_dh_params_at_level;
    use std::path::Path;
    let dir = Path::new("tests/data/conformance/certs");
    load_dh_params(&dir.join("misc/dhparams-ffdhe2048.pem")).unwrap();
    let e = load_dh_params(&dir.join("bundles/garbage.pem")).unwrap_err();
    assert_eq!(e.to_string(), "[PEM: NO_START_LINE] no start line");
    assert_eq!(
        (e.errno(), e.library(), e.reason()),
        (Some(108), Some("PEM"), Some("NO_START_LINE"))
    );
    let e = load_dh_params(
        &dir.join("misc/dhparams-ffdhe2048.pem")
            .with_file_name("nope.pem"),
    )
    .unwrap_err();
    assert_eq!(e.python_class(), "FileNotFoundError");
    assert!(e
        .to_string()
        .starts_with("[Errno 2] No such file or directory: '"));
    let e = load_dh_params(dir).unwrap_err();
    assert_eq!(e.python_class(), "IsADirectoryError");
    let tmp = tempfile::tempdir().unwrap();
    let w = |name: &str, body: &str| {
        let p = tmp.path().join(name);
        std::fs::write(
            &p,
            format!("-----BEGIN DH PARAMETERS-----\n{body}\n-----END DH PARAMETERS-----\n"),
        )
        .unwrap();
        p
    };
    let small = w("small.pem", "MAYCAQUCAQI=");
    let e = load_dh_params(&small).unwrap_err();
    assert_eq!(e.to_string(), "[SSL: DH_KEY_TOO_SMALL] dh key too small");
    assert_eq!(e.errno(), Some(394));
    load_dh_params_at_level(&small, 0).unwrap();
    let e = load_dh_params(&w("asn1.pem", "AAAA")).unwrap_err();
    assert_eq!(
        (e.to_string().as_str(), e.errno()),
        ("[PEM] ASN1 lib", Some(524301))
    );
    let e = load_dh_params(&w("b64.pem", "!!!!")).unwrap_err();
    assert_eq!(e.to_string(), "[PEM: BAD_BASE64_DECODE] bad base64 decode");
}
