//! Certificate decoding against CPython's recorded dicts (`decode.json`), against live
//! python3 on certificates outside the conformance folder, and on bad input.
#![cfg(feature = "serde")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use sslcontext::x509::cert_time_to_seconds;
use sslcontext::x509::decode_der;
use sslcontext::x509::der_cert_to_pem_cert;
use sslcontext::x509::pem_cert_to_der_cert;
use sslcontext::x509::test_decode_cert;
use sslcontext::x509::CertificateInfo;
use sslcontext::Error;

use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, KeyPair, SanType};

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(p)
}

/// The JSON shape of a decode result, as `decode.json` records it.
fn result_json(r: &Result<CertificateInfo, Error>) -> Value {
    match r {
        Ok(info) => json!({"ok": true, "value": serde_json::to_value(info).unwrap()}),
        Err(e) => json!({"ok": false, "error": {
            "type": e.python_class(),
            "str": e.to_string(),
            "errno": e.errno(),
        }}),
    }
}

/// The comparable part of a recorded result.
fn recorded_json(v: &Value) -> Value {
    if v["ok"] == json!(true) {
        json!({"ok": true, "value": v["value"]})
    } else {
        let e = &v["error"];
        let s = e
            .get("str_sans_location")
            .unwrap_or(&e["str"])
            .as_str()
            .unwrap()
            .to_string();
        json!({"ok": false, "error": {"type": e["type"], "str": s, "errno": e["errno"]}})
    }
}

fn divergences() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(data("x509/divergences.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn decode_json_conformance() {
    let text = std::fs::read_to_string(data("conformance/decode.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let listed = divergences();
    let mut matched = 0;
    let mut failures = Vec::new();
    let mut seen = 0;
    for section in ["certs", "extra"] {
        for (id, rec) in doc[section].as_object().unwrap() {
            seen += 1;
            let got = result_json(&test_decode_cert(&data("conformance").join(id)));
            let want = recorded_json(rec);
            let equal = got == want;
            match (equal, listed.contains_key(id)) {
                (true, false) => matched += 1,
                (true, true) => failures.push(format!("{id}: listed divergence now matches")),
                (false, true) => {}
                (false, false) => failures.push(format!("{id}:\n  got  {got}\n  want {want}")),
            }
        }
    }
    eprintln!(
        "decode.json: {matched}/{seen} match, {} listed",
        listed.len()
    );
    assert!(seen >= 130, "decode.json has {seen} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const PY_DECODE: &str = r#"
import ssl, json, sys, re, os, subprocess
# A failed decode can leave errors in OpenSSL's queue that a later failure reports, so
# a failure is re-recorded in a fresh process holding that one file.
def conv(o):
    if isinstance(o, (tuple, list)):
        return [conv(x) for x in o]
    if isinstance(o, dict):
        return {k: conv(v) for k, v in o.items()}
    if isinstance(o, bytes):
        return {"__bytes_hex__": o.hex()}
    return o
out = {}
for p in sys.argv[1:]:
    try:
        out[p] = {"ok": True, "value": conv(ssl._ssl._test_decode_cert(p))}
    except Exception as e:
        if len(sys.argv) > 2:
            r = subprocess.run([sys.executable, "-c", os.environ["PY_DECODE_PROG"], p],
                               capture_output=True, text=True, check=True)
            out[p] = json.loads(r.stdout)[p]
            continue
        out[p] = {"ok": False, "error": {"type": ("ssl." if type(e).__module__ == "ssl" else "") + type(e).__name__,
                  "str": re.sub(r" \(_ssl\.c:\d+\)$", "", str(e)), "errno": getattr(e, "errno", None)}}
print(json.dumps(out))
"#;

/// Runs python3 on the files; `None` when python3 is missing and peers are optional.
fn python_decode(paths: &[PathBuf]) -> Option<BTreeMap<String, Value>> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(PY_DECODE)
        .env("PY_DECODE_PROG", PY_DECODE)
        .args(paths)
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        other => {
            if std::env::var_os("SSLCONTEXT_REQUIRE_PEERS").is_some() {
                panic!("python3 required but unusable: {other:?}");
            }
            eprintln!("python3 unavailable, skipping live comparison: {other:?}");
            return None;
        }
    };
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// Ours vs live CPython; CPython's `UnicodeDecodeError` is our `UnicodeError` class.
fn compare_with_python(paths: &[PathBuf]) -> usize {
    let Some(py) = python_decode(paths) else {
        return 0;
    };
    let mut failures = Vec::new();
    for p in paths {
        let mut want = py[p.to_str().unwrap()].clone();
        if want["error"]["type"] == json!("UnicodeDecodeError") {
            want["error"]["type"] = json!("UnicodeError");
        }
        let got = result_json(&test_decode_cert(p));
        if got != want {
            failures.push(format!("{}:\n  got  {got}\n  want {want}", p.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    paths.len()
}

#[test]
fn hand_made_probes_match_live_python() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(data("x509/probe"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 70);
    let n = compare_with_python(&paths);
    eprintln!("probes: {n} compared with live python3");
}

#[test]
fn system_trust_store_matches_live_python() {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir("/etc/ssl/certs") {
        Ok(d) => d
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pem"))
            .collect(),
        Err(_) => Vec::new(),
    };
    paths.sort();
    paths.dedup_by_key(|p| std::fs::canonicalize(p).ok());
    let n = compare_with_python(&paths);
    eprintln!("system store: {n} certificates compared with live python3");
}

fn rcgen_cert(f: impl FnOnce(&mut CertificateParams)) -> Vec<u8> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    f(&mut params);
    let key = KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().der().to_vec()
}

#[test]
fn rcgen_odd_certificates_match_live_python() {
    let dir = tempfile::tempdir().unwrap();
    let ders = [
        rcgen_cert(|p| {
            p.subject_alt_names = vec![
                SanType::DnsName("*.example.com".try_into().unwrap()),
                SanType::IpAddress("2001:db8::1:0:0:1".parse().unwrap()),
                SanType::IpAddress("10.0.0.1".parse().unwrap()),
                SanType::Rfc822Name("a@b.example".try_into().unwrap()),
                SanType::URI("urn:x:y".try_into().unwrap()),
                SanType::OtherName((
                    vec![1, 3, 6, 1, 4, 1, 311, 20, 2, 3],
                    rcgen::OtherNameValue::Utf8String("upn@example.com".into()),
                )),
                SanType::OtherName((
                    vec![1, 2, 3, 4],
                    rcgen::OtherNameValue::Utf8String("odd".into()),
                )),
            ];
        }),
        rcgen_cert(|p| {
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CountryName, "DE");
            dn.push(
                DnType::OrganizationName,
                DnValue::BmpString("Bmp Örg".try_into().unwrap()),
            );
            dn.push(
                DnType::OrganizationalUnitName,
                DnValue::UniversalString("Univ 😀".try_into().unwrap()),
            );
            dn.push(
                DnType::CustomDnType(vec![2, 5, 4, 12]),
                DnValue::TeletexString("T61 title".try_into().unwrap()),
            );
            dn.push(DnType::CustomDnType(vec![1, 2, 3, 4, 5, 6]), "unknown oid");
            dn.push(DnType::CommonName, "with\0nul");
            p.distinguished_name = dn;
            p.serial_number = Some(vec![0x00, 0xff, 0x01].into());
        }),
        rcgen_cert(|p| {
            p.subject_alt_names = vec![];
            p.not_before = rcgen::date_time_ymd(1950, 1, 1);
            p.not_after = rcgen::date_time_ymd(2050, 2, 28);
        }),
    ];
    let mut paths = Vec::new();
    for (i, der) in ders.iter().enumerate() {
        let p = dir.path().join(format!("rcgen-{i}.pem"));
        std::fs::write(&p, der_cert_to_pem_cert(der)).unwrap();
        paths.push(p);
    }
    compare_with_python(&paths);
}

fn real_der() -> Vec<u8> {
    let pem = std::fs::read_to_string(data("conformance/certs/odd/san-all-types.pem")).unwrap();
    pem_cert_to_der_cert(&pem).unwrap()
}

#[test]
fn truncated_der_at_every_offset_errors_without_panic() {
    let der = real_der();
    assert!(decode_der(&der).is_ok());
    for n in 0..der.len() {
        let r = decode_der(&der[..n]);
        let e = r.expect_err("a truncated certificate must not decode");
        assert_eq!(e.to_string(), "('Error decoding PEM-encoded file',)");
    }
}

#[test]
fn every_single_byte_flip_is_handled() {
    let der = real_der();
    for i in 0..der.len() {
        for x in [0x01u8, 0x80, 0xff] {
            let mut d = der.clone();
            d[i] ^= x;
            let _ = decode_der(&d);
        }
    }
}

/// DER length octets for `n`.
fn len_octets(n: usize) -> Vec<u8> {
    if n < 0x80 {
        return vec![n as u8];
    }
    let b = n.to_be_bytes();
    let skip = b.iter().position(|&x| x != 0).unwrap();
    let mut v = vec![0x80 | (b.len() - skip) as u8];
    v.extend_from_slice(&b[skip..]);
    v
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend(len_octets(content.len()));
    v.extend_from_slice(content);
    v
}

/// A certificate with these subject RDN SETs and SAN GeneralNames (junk signature).
fn build_cert(subject: &[u8], san: Option<&[u8]>) -> Vec<u8> {
    let alg = tlv(
        0x30,
        &tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]),
    );
    let issuer = tlv(
        0x30,
        &tlv(
            0x31,
            &tlv(
                0x30,
                &[&tlv(0x06, &[0x55, 4, 3])[..], &tlv(0x0c, b"i")[..]].concat(),
            ),
        ),
    );
    let validity = tlv(
        0x30,
        &[tlv(0x17, b"240101000000Z"), tlv(0x17, b"491231235959Z")].concat(),
    );
    let spki = tlv(0x30, &[alg.clone(), tlv(0x03, &[0, 4, 1, 2])].concat());
    let mut tbs = [
        tlv(0xa0, &tlv(0x02, &[2])),
        tlv(0x02, &[1]),
        alg.clone(),
        issuer,
        validity,
        tlv(0x30, subject),
        spki,
    ]
    .concat();
    if let Some(s) = san {
        let ext = tlv(
            0x30,
            &[tlv(0x06, &[0x55, 0x1d, 0x11]), tlv(0x04, &tlv(0x30, s))].concat(),
        );
        tbs.extend(tlv(0xa3, &tlv(0x30, &ext)));
    }
    tlv(0x30, &[tlv(0x30, &tbs), alg, tlv(0x03, &[0, 0])].concat())
}

#[test]
fn ten_thousand_san_entries() {
    let mut sans = Vec::new();
    for i in 0..10_000 {
        sans.extend(tlv(0x82, format!("h{i}.example").as_bytes()));
    }
    let info = decode_der(&build_cert(&[], Some(&sans))).unwrap();
    let san = info.subject_alt_name.unwrap();
    assert_eq!(san.len(), 10_000);
    assert_eq!(san[9_999].kind, "DNS");
}

#[test]
fn one_mib_certificate() {
    let big = vec![b'a'; 1 << 20];
    let rdn = tlv(
        0x31,
        &tlv(0x30, &[tlv(0x06, &[0x55, 4, 3]), tlv(0x0c, &big)].concat()),
    );
    let info = decode_der(&build_cert(&rdn, None)).unwrap();
    assert_eq!(info.subject.len(), 1);
    // The same megabyte of garbage fails cleanly.
    assert!(decode_der(&big).is_err());
}

#[test]
fn deeply_nested_input_is_bounded() {
    // 100,000 nested SEQUENCE headers as a name value, and as a DNS name (BER
    // constructed string): rejected, no stack overflow.
    let mut v = tlv(0x0c, b"x");
    for _ in 0..100_000 {
        v = tlv(0x30, &v);
    }
    let rdn = tlv(
        0x31,
        &tlv(0x30, &[tlv(0x06, &[0x55, 4, 3]), v.clone()].concat()),
    );
    let _ = decode_der(&build_cert(&rdn, None));
    let mut s = tlv(0x16, b"x");
    for _ in 0..10_000 {
        s = tlv(0x24, &s);
    }
    s[0] = 0xa2;
    let info = decode_der(&build_cert(&[], Some(&s))).unwrap();
    assert_eq!(info.subject_alt_name, None);
    // Many RDNs.
    let mut many = Vec::new();
    for _ in 0..20_000 {
        many.extend(tlv(
            0x31,
            &tlv(0x30, &[tlv(0x06, &[0x55, 4, 3]), tlv(0x0c, b"n")].concat()),
        ));
    }
    assert_eq!(
        decode_der(&build_cert(&many, None)).unwrap().subject.len(),
        20_000
    );
}

#[test]
fn garbage_is_an_error() {
    for g in [
        &b""[..],
        b"\x30",
        b"\x30\x80\x00\x00",
        b"\xff\xff\xff\xff",
        b"\x30\x84\xff\xff\xff\xff",
    ] {
        assert!(decode_der(g).is_err());
    }
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
        let _ = decode_der(&bytes);
        let _ = pem_cert_to_der_cert(&String::from_utf8_lossy(&bytes));
        let _ = cert_time_to_seconds(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn mutated_real_certificate_never_panics(
        edits in proptest::collection::vec((0usize..4096, proptest::num::u8::ANY), 1..8)
    ) {
        let mut der = real_der();
        for (i, b) in edits {
            let n = der.len();
            der[i % n] = b;
        }
        let _ = decode_der(&der);
    }
}

const PY_HELPERS: &str = r#"
import ssl, json, sys
inp = json.load(sys.stdin)
def rec(f, x):
    try:
        return {"ok": True, "value": f(x)}
    except Exception as e:
        return {"ok": False, "type": type(e).__name__, "str": str(e)}
print(json.dumps({
  "times": [rec(ssl.cert_time_to_seconds, t) for t in inp["times"]],
  "pems": [rec(lambda p: ssl.PEM_cert_to_DER_cert(p).hex(), p) for p in inp["pems"]],
  "ders": [ssl.DER_cert_to_PEM_cert(bytes.fromhex(d)) for d in inp["ders"]],
}))
"#;

fn err_json(e: &Error) -> Value {
    json!({"ok": false, "str": e.to_string()})
}

#[test]
fn helpers_match_live_python() {
    let times = [
        "Jan  5 09:34:43 2018 GMT",
        "Jan 05 09:34:43 2018 GMT",
        "jan 5 09:34:43 2018 gmt",
        "JAN  5 9:4:3 2018 GMT",
        "Feb 30 00:00:00 2021 GMT",
        "Dec 31 23:59:61 9999 GMT",
        "Jan  1 00:00:00 1969 GMT",
        "Foo  1 00:00:00 2000 GMT",
        "Jan  1 00:00:00 2000 UTC",
        "Jan  1 00:00:00 2000 GMTx",
        "Jan  1 24:00:00 2000 GMT",
        "Jan 32 00:00:00 2000 GMT",
        "Jan  1 00:00:00 0000 GMT",
        "Jan\t1\t00:00:00  2000   GMT",
        "",
        "Ja",
        "Jan",
        "Jan  1 00:00:00.5 2000 GMT",
        "Mär  1 00:00:00 2000 GMT",
    ];
    let good = der_cert_to_pem_cert(&real_der());
    let pems = [
        good.clone(),
        format!("  {good}"),
        format!("{good}\n\n  "),
        good.replace("-----END", "é-----END"),
        "-----BEGIN CERTIFICATE-----QUJD-----END CERTIFICATE-----".to_string(),
        "-----BEGIN CERTIFICATE-----QUJDR-----END CERTIFICATE-----".to_string(),
        "-----BEGIN CERTIFICATE-----QU=JD-----END CERTIFICATE-----".to_string(),
        "-----BEGIN CERTIFICATE-----QQ==QUJD-----END CERTIFICATE-----".to_string(),
        "-----BEGIN CERTIFICATE-----END CERTIFICATE-----".to_string(),
        "-----BEGIN CERTIFICATE-----\nQUJD\n".to_string(),
        "nope".to_string(),
    ];
    let ders: Vec<Vec<u8>> = vec![vec![], vec![1], vec![1, 2], (0..=255).collect(), real_der()];
    let input = json!({
        "times": times,
        "pems": pems,
        "ders": ders.iter().map(|d| d.iter().map(|b| format!("{b:02x}")).collect::<String>()).collect::<Vec<_>>(),
    });
    let child = Command::new("python3")
        .arg("-c")
        .arg(PY_HELPERS)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        assert!(
            std::env::var_os("SSLCONTEXT_REQUIRE_PEERS").is_none(),
            "python3 required"
        );
        return;
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let py: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (t, want) in times.iter().zip(py["times"].as_array().unwrap()) {
        let got = match cert_time_to_seconds(t) {
            Ok(v) => json!({"ok": true, "value": v}),
            Err(e) => err_json(&e),
        };
        let mut want = want.clone();
        want.as_object_mut().unwrap().remove("type");
        assert_eq!(got, want, "cert_time_to_seconds({t:?})");
    }
    for (p, want) in pems.iter().zip(py["pems"].as_array().unwrap()) {
        let got = match pem_cert_to_der_cert(p) {
            Ok(v) => {
                json!({"ok": true, "value": v.iter().map(|b| format!("{b:02x}")).collect::<String>()})
            }
            Err(e) => err_json(&e),
        };
        let mut want = want.clone();
        want.as_object_mut().unwrap().remove("type");
        assert_eq!(got, want, "PEM_cert_to_DER_cert({p:?})");
    }
    for (d, want) in ders.iter().zip(py["ders"].as_array().unwrap()) {
        assert_eq!(json!(der_cert_to_pem_cert(d)), *want);
    }
}
