//! Regression tests for the name-constraint bypass through the commonName: a leaf with
//! no DNS subjectAltName whose CN is the host name passes the host check through the CN
//! fallback (`hostname_checks_common_name`, on by default), so OpenSSL 3.0 applies the
//! issuers' DNS name constraints to such a CN (`NAME_CONSTRAINTS_check_CN`). Each case
//! runs a real handshake between an in-memory client and server (the verifier a
//! handshake uses) and expects OpenSSL's verdict and code.

mod common;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose, NameConstraints,
    SanType,
};
use sslcontext::{Error, Protocol, SslContext};

struct Pki {
    _dir: tempfile::TempDir,
    ca: std::path::PathBuf,
    chain: std::path::PathBuf,
    key: std::path::PathBuf,
}

/// A CA with `permitted` / `excluded` DNS constraints and a leaf with `common_names`
/// (several allowed) and `sans` under it.
fn pki(permitted: &[&str], excluded: &[&str], common_names: &[&str], sans: &[SanType]) -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "constrained CA");
    ca.distinguished_name = dn;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let subtrees = |names: &[&str]| {
        names
            .iter()
            .map(|n| GeneralSubtree::DnsName(n.to_string()))
            .collect()
    };
    ca.name_constraints = Some(NameConstraints {
        permitted_subtrees: subtrees(permitted),
        excluded_subtrees: subtrees(excluded),
    });
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();

    let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf.subject_alt_names = sans.to_vec();
    let mut dn = DistinguishedName::new();
    for (i, cn) in common_names.iter().enumerate() {
        // rcgen keeps one value per attribute type: further CNs go in under the same
        // OID as a "custom" type, so the subject really has several commonNames.
        let ty = if i == 0 {
            DnType::CommonName
        } else {
            DnType::CustomDnType(vec![2, 5, 4, 3])
        };
        dn.push(ty, *cn);
    }
    leaf.distinguished_name = dn;
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, &ca).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    Pki {
        ca: write("ca.pem", ca.pem()),
        chain: write("chain.pem", cert.pem()),
        key: write("key.pem", key.serialize_pem()),
        _dir: dir,
    }
}

/// The client's handshake result (verify code, 0 on success) for `hostname`.
fn handshake(p: &Pki, hostname: &str, hcn: bool, check_hostname: bool) -> i64 {
    let server = SslContext::new(Protocol::TlsServer).unwrap();
    server
        .load_cert_chain(&p.chain, Some(&p.key), None)
        .unwrap();
    let client = SslContext::new(Protocol::TlsClient).unwrap();
    client
        .load_verify_locations(Some(&p.ca), None, None)
        .unwrap();
    client.set_hostname_checks_common_name(hcn).unwrap();
    client.set_check_hostname(check_hostname).unwrap();
    let (mut c, mut s) = common::pair(&client, &server, Some(hostname));
    match common::handshake(&mut c, &mut s).0 {
        Ok(()) => 0,
        Err(e @ Error::SslCertVerificationError { .. }) => e.verify_code().unwrap_or(-1),
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

fn ip(a: [u8; 4]) -> SanType {
    SanType::IpAddress(std::net::IpAddr::from(a))
}

#[test]
fn excluded_cn_is_refused() {
    let p = pki(&[], &["localhost"], &["test.localhost"], &[]);
    assert_eq!(handshake(&p, "test.localhost", true, true), 48);
    // Without the host check the CN is still the identity OpenSSL constrains.
    assert_eq!(handshake(&p, "test.localhost", true, false), 48);
}

#[test]
fn permitted_cn_outside_is_refused_inside_accepted() {
    let p = pki(&["example.com"], &[], &["test.localhost"], &[]);
    assert_eq!(handshake(&p, "test.localhost", true, true), 47);
    let p = pki(&["example.com"], &[], &["www.example.com"], &[]);
    assert_eq!(handshake(&p, "www.example.com", true, true), 0);
}

#[test]
fn cn_that_looks_like_an_ip_is_a_dns_name_to_constraints() {
    // The host check passes on the IP SAN; the CN "127.0.0.1" still looks like a
    // DNS name to OpenSSL and falls outside the permitted DNS subtree.
    let p = pki(&["example.com"], &[], &["127.0.0.1"], &[ip([127, 0, 0, 1])]);
    assert_eq!(handshake(&p, "127.0.0.1", true, true), 47);
}

#[test]
fn every_cn_is_checked() {
    let p = pki(
        &[],
        &["localhost"],
        &["ok.example.com", "bad.localhost"],
        &[],
    );
    assert_eq!(handshake(&p, "ok.example.com", true, true), 48);
}

#[test]
fn wildcard_cn_is_not_a_dns_id_to_openssl() {
    // OpenSSL's cn2dnsid only takes CNs made of letters, digits, '_', '-' and '.',
    // so a wildcard CN is never matched against DNS constraints: OpenSSL 3.0 accepts
    // this chain, and we decide as it does (the test pins that decision).
    let p = pki(&[], &["example.com"], &["*.example.com"], &[]);
    assert_eq!(handshake(&p, "a.example.com", true, true), 0);
    // A wildcard of one label after the star is no wildcard to OpenSSL's host check.
    let p = pki(&[], &["localhost"], &["*.localhost"], &[]);
    assert_eq!(handshake(&p, "a.localhost", true, true), 62);
}

#[test]
fn cn_not_constrained_when_it_cannot_be_the_identity() {
    // hostname_checks_common_name = False: the CN is never the host name, so DNS
    // constraints leave it alone (the IP SAN is the identity).
    let p = pki(
        &[],
        &["localhost"],
        &["test.localhost"],
        &[ip([127, 0, 0, 1])],
    );
    assert_eq!(handshake(&p, "127.0.0.1", false, true), 0);
    assert_eq!(handshake(&p, "127.0.0.1", true, true), 48);
    // A DNS SAN makes the CN irrelevant to OpenSSL as well.
    let p = pki(
        &[],
        &["localhost"],
        &["test.localhost"],
        &[SanType::DnsName("www.example.com".try_into().unwrap())],
    );
    assert_eq!(handshake(&p, "www.example.com", true, true), 0);
}
