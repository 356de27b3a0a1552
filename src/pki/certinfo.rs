//! The few certificate facts the PKI layer needs from OpenSSL's point of view:
//! `X509_check_ca`, self-signedness (`EXFLAG_SS`), key class and security bits.

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::public_key::PublicKey;

use super::name::canonical_name;
use crate::x509::der::tlv;

/// OpenSSL's certificate/key "slot" classes (`ssl_cert_lookup_by_pkey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyClass {
    Rsa,
    RsaPss,
    Dsa,
    Ec,
    Ed25519,
    Ed448,
    /// Anything OpenSSL cannot put in a certificate slot (X25519, GOST, ...).
    Other,
}

pub(crate) const OID_RSA: &str = "1.2.840.113549.1.1.1";
pub(crate) const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
pub(crate) const OID_DSA: &str = "1.2.840.10040.4.1";
pub(crate) const OID_EC: &str = "1.2.840.10045.2.1";
pub(crate) const OID_ED25519: &str = "1.3.101.112";
pub(crate) const OID_ED448: &str = "1.3.101.113";
pub(crate) const OID_P256: &str = "1.2.840.10045.3.1.7";
pub(crate) const OID_P384: &str = "1.3.132.0.34";
pub(crate) const OID_P521: &str = "1.3.132.0.35";

pub(crate) fn class_of_oid(oid: &str) -> KeyClass {
    match oid {
        OID_RSA => KeyClass::Rsa,
        OID_RSA_PSS => KeyClass::RsaPss,
        OID_DSA => KeyClass::Dsa,
        OID_EC => KeyClass::Ec,
        OID_ED25519 => KeyClass::Ed25519,
        OID_ED448 => KeyClass::Ed448,
        _ => KeyClass::Other,
    }
}

/// The security bits OpenSSL's security `level` asks of keys, groups and suites
/// (`SSL_CTX_set_security_level`: 0, 80, 112, 128, 192, 256 for levels 0..=5).
pub(crate) fn level_min_bits(level: u8) -> u32 {
    match level {
        0 => 0,
        1 => 80,
        2 => 112,
        3 => 128,
        4 => 192,
        _ => 256,
    }
}

/// RSA/DSA/finite-field security bits as OpenSSL rounds them at the security-level
/// thresholds (`BN_security_bits`).
pub(crate) fn ifc_security_bits(bits: usize) -> u32 {
    match bits {
        b if b >= 15360 => 256,
        b if b >= 7680 => 192,
        b if b >= 3072 => 128,
        b if b >= 2048 => 112,
        b if b >= 1024 => 80,
        _ => 0,
    }
}

/// EC security bits: half the curve size.
pub(crate) fn ec_security_bits(curve: Option<&str>) -> u32 {
    match curve {
        Some(OID_P256) => 128,
        Some(OID_P384) => 192,
        Some(OID_P521) => 256,
        Some("1.3.132.0.33") => 112,       // P-224
        Some("1.2.840.10045.3.1.1") => 96, // P-192
        Some("1.3.132.0.10") => 128,       // secp256k1
        _ => 0,
    }
}

/// The public key of a certificate, as the PKI layer sees it.
#[derive(Debug, Clone)]
pub(crate) struct CertKey {
    pub class: KeyClass,
    /// `EVP_PKEY_get_security_bits`.
    pub security_bits: u32,
    /// RSA modulus bits, EC curve OID (dotted) etc., for messages.
    pub rsa_bits: usize,
    pub curve: Option<String>,
    /// The SubjectPublicKeyInfo DER.
    pub spki: Vec<u8>,
    /// RSA modulus without leading zeros.
    pub rsa_modulus: Vec<u8>,
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&c| c == 0).count();
    &b[n..]
}

/// Size of DSA's `p` from a SubjectPublicKeyInfo: SEQ { SEQ { OID, SEQ { p, q, g } }, .. }.
fn dsa_p_bits(spki: &[u8]) -> Option<usize> {
    let (_, outer, _) = tlv(spki)?;
    let (_, alg, _) = tlv(outer)?;
    let (_, _, oid_len) = tlv(alg)?;
    let (_, params, _) = tlv(alg.get(oid_len..)?)?;
    let (_, p, _) = tlv(params)?;
    Some(strip_zeros(p).len() * 8)
}

pub(crate) fn cert_key(cert: &X509Certificate<'_>) -> CertKey {
    let spki = cert.public_key();
    let oid = spki.algorithm.algorithm.to_id_string();
    let class = class_of_oid(&oid);
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string());
    let mut rsa_bits = 0;
    let mut rsa_modulus = Vec::new();
    if let Ok(PublicKey::RSA(rsa)) = spki.parsed() {
        rsa_modulus = strip_zeros(rsa.modulus).to_vec();
        rsa_bits = rsa_modulus.len() * 8
            - rsa_modulus
                .first()
                .map(|b| b.leading_zeros() as usize)
                .unwrap_or(0);
    }
    let dsa_bits = if class == KeyClass::Dsa {
        dsa_p_bits(spki.raw).unwrap_or(0)
    } else {
        0
    };
    let security_bits = match class {
        KeyClass::Rsa | KeyClass::RsaPss => ifc_security_bits(rsa_bits),
        KeyClass::Dsa => ifc_security_bits(dsa_bits),
        KeyClass::Ec => ec_security_bits(curve.as_deref()),
        KeyClass::Ed25519 => 128,
        KeyClass::Ed448 => 224,
        KeyClass::Other => 0,
    };
    CertKey {
        class,
        security_bits,
        rsa_bits,
        curve,
        spki: spki.raw.to_vec(),
        rsa_modulus,
    }
}

/// Security bits of a certificate's signature algorithm (`X509_get_signature_info`;
/// OpenSSL 3.0 lowers MD5 to 39 and SHA-1 to 63 bits). `None` when unknown.
pub(crate) fn signature_security_bits(cert: &X509Certificate<'_>) -> Option<u32> {
    let oid = cert.signature_algorithm.algorithm.to_id_string();
    Some(match oid.as_str() {
        "1.2.840.113549.1.1.4" | "1.2.840.113549.1.1.3" | "1.2.840.113549.1.1.2" => 39,
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" | "1.2.840.10040.4.3" | "1.3.14.3.2.29" => 63,
        "1.2.840.113549.1.1.14" | "1.2.840.10045.4.3.1" | "2.16.840.1.101.3.4.3.1" => 112,
        "1.2.840.113549.1.1.11" | "1.2.840.10045.4.3.2" | "2.16.840.1.101.3.4.3.2" => 128,
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => 192,
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => 256,
        OID_ED25519 => 128,
        OID_ED448 => 224,
        // RSASSA-PSS: the hash is in the parameters; SHA-256 is what is used in practice.
        OID_RSA_PSS => 128,
        _ => return None,
    })
}

fn subject_key_id<'a>(cert: &'a X509Certificate<'_>) -> Option<&'a [u8]> {
    cert.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0),
            _ => None,
        })
}

fn authority_key_id<'a>(cert: &'a X509Certificate<'_>) -> Option<&'a [u8]> {
    cert.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(a) => a.key_identifier.as_ref().map(|k| k.0),
            _ => None,
        })
}

/// `EXFLAG_SS`: subject equals issuer (canonically), the AKID (if any) matches the
/// SKID, and the signature algorithm suits the key type.
pub(crate) fn is_self_signed(cert: &X509Certificate<'_>) -> bool {
    let subj = canonical_name(cert.tbs_certificate.subject.as_raw());
    let iss = canonical_name(cert.tbs_certificate.issuer.as_raw());
    if subj != iss {
        return false;
    }
    if let (Some(a), Some(s)) = (authority_key_id(cert), subject_key_id(cert)) {
        if a != s {
            return false;
        }
    }
    let sig = cert.signature_algorithm.algorithm.to_id_string();
    let key = class_of_oid(&cert.public_key().algorithm.algorithm.to_id_string());
    let sig_class = if sig.starts_with("1.2.840.113549.1.1.") {
        if sig == OID_RSA_PSS {
            KeyClass::RsaPss
        } else {
            KeyClass::Rsa
        }
    } else if sig.starts_with("1.2.840.10045.4.") {
        KeyClass::Ec
    } else if sig.starts_with("1.2.840.10040.4.") || sig.starts_with("2.16.840.1.101.3.4.3.") {
        KeyClass::Dsa
    } else {
        class_of_oid(&sig)
    };
    sig_class == key || (sig_class == KeyClass::RsaPss && key == KeyClass::Rsa)
}

/// OpenSSL's `X509_check_ca() != 0`. A certificate whose cached extensions are
/// invalid (an extension that does not decode, or one present twice) is not a CA.
pub(crate) fn check_ca(cert: &X509Certificate<'_>) -> bool {
    let exts = cert.extensions();
    for (i, e) in exts.iter().enumerate() {
        if matches!(e.parsed_extension(), ParsedExtension::ParseError { .. }) {
            return false;
        }
        if exts[..i].iter().any(|p| p.oid == e.oid) {
            return false;
        }
    }
    let mut bc: Option<bool> = None;
    let mut ku: Option<bool> = None;
    let mut ns_ca = false;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::BasicConstraints(b) => bc = Some(b.ca),
            ParsedExtension::KeyUsage(k) => ku = Some(k.key_cert_sign()),
            ParsedExtension::NSCertType(t) => {
                ns_ca = t.ssl_ca() || t.smime_ca() || t.object_signing_ca()
            }
            _ => {}
        }
    }
    if ku == Some(false) {
        return false;
    }
    match bc {
        Some(ca) => ca,
        None => {
            let v1 = cert.version().0 == 0;
            (v1 && is_self_signed(cert)) || ku.is_some() || ns_ca
        }
    }
}
