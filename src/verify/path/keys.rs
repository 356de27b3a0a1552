//! Public keys and certificate signatures: which key a SubjectPublicKeyInfo decodes to
//! (`X509_get0_pubkey`), its security bits (`EVP_PKEY_get_security_bits`), whether a
//! signature algorithm fits an issuer's key (`check_sig_alg_match`), the signature's
//! security bits (`X509_get_signature_info`), and the signature check itself with
//! ring.
//!
//! What ring cannot verify (DSA, Ed448, ECDSA on curves other than P-256/P-384, with
//! SHA-1/SHA-224/SHA-512, RSA below 1024 bits, MD5) is reported as
//! `X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM`, never as a signature failure and
//! never as success (docs/COMPATIBILITY.md).

use ring::signature as sig;

use super::cert::{Cert, Key, KeyKind};
use crate::verify::codes;
use crate::x509::der::{Reader, Tlv, UNIVERSAL};
use crate::x509::raw::read_alg;

const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
const EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const ED448: &[u8] = &[0x2b, 0x65, 0x71];
const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];

/// A digest as signature algorithms name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Digest {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    /// The algorithm has its own digest (EdDSA).
    Intrinsic(u32),
}

impl Digest {
    /// `X509_get_signature_info`'s security bits.
    fn security_bits(self) -> u32 {
        match self {
            Digest::Md5 => 39,
            Digest::Sha1 => 63,
            Digest::Sha224 => 112,
            Digest::Sha256 => 128,
            Digest::Sha384 => 192,
            Digest::Sha512 => 256,
            Digest::Intrinsic(b) => b,
        }
    }

    fn from_hash_oid(o: &[u8]) -> Option<Digest> {
        Some(match o {
            [0x2b, 0x0e, 0x03, 0x02, 0x1a] => Digest::Sha1,
            [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, n] => match n {
                1 => Digest::Sha256,
                2 => Digest::Sha384,
                3 => Digest::Sha512,
                4 => Digest::Sha224,
                _ => return None,
            },
            _ => return None,
        })
    }
}

/// The key type a signature algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyType {
    Rsa,
    RsaPss,
    Ec,
    Ed25519,
    Ed448,
    Dsa,
}

/// A signature AlgorithmIdentifier OpenSSL knows (`OBJ_find_sigid_algs`).
fn sig_alg(oid: &[u8]) -> Option<(KeyType, Option<Digest>)> {
    let rsa = |n: u8| -> Option<Digest> {
        Some(match n {
            4 => Digest::Md5,
            5 => Digest::Sha1,
            11 => Digest::Sha256,
            12 => Digest::Sha384,
            13 => Digest::Sha512,
            14 => Digest::Sha224,
            _ => return None,
        })
    };
    Some(match oid {
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a] => (KeyType::RsaPss, None),
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, n] => (KeyType::Rsa, Some(rsa(*n)?)),
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01] => (KeyType::Ec, Some(Digest::Sha1)),
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, n] => (
            KeyType::Ec,
            Some(match n {
                1 => Digest::Sha224,
                2 => Digest::Sha256,
                3 => Digest::Sha384,
                4 => Digest::Sha512,
                _ => return None,
            }),
        ),
        [0x2b, 0x65, 0x70] => (KeyType::Ed25519, Some(Digest::Intrinsic(128))),
        [0x2b, 0x65, 0x71] => (KeyType::Ed448, Some(Digest::Intrinsic(224))),
        [0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03] => (KeyType::Dsa, Some(Digest::Sha1)),
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, n] => (
            KeyType::Dsa,
            Some(match n {
                1 => Digest::Sha224,
                2 => Digest::Sha256,
                _ => return None,
            }),
        ),
        _ => return None,
    })
}

/// The OID and parameters of an AlgorithmIdentifier TLV.
fn alg_parts(tlv: &[u8]) -> Option<(&[u8], Option<Tlv<'_>>)> {
    let mut r = Reader::new(tlv);
    let (_, oid, params) = read_alg(&mut r).ok()?;
    Some((oid, params))
}

/// RSASSA-PSS parameters ring can verify: (digest, salt length = digest length).
fn pss_digest(params: Option<&Tlv<'_>>) -> Option<Digest> {
    let p = params?;
    let mut r = Reader::new(p.content);
    let mut hash = Digest::Sha1;
    let mut mgf_hash = Digest::Sha1;
    let mut salt = 20i64;
    if let Some(h) = r.optional(crate::x509::der::CONTEXT, 0) {
        let (oid, _) = alg_parts(h.content)?;
        hash = Digest::from_hash_oid(oid)?;
    }
    if let Some(m) = r.optional(crate::x509::der::CONTEXT, 1) {
        // MaskGenAlgorithm ::= AlgorithmIdentifier { id-mgf1, hash AlgorithmIdentifier }
        let mut mr = Reader::new(m.content);
        let mut seq = mr.sequence().ok()?;
        crate::x509::der::read_oid(&mut seq).ok()?;
        let (_, hoid, _) = read_alg(&mut seq).ok()?;
        mgf_hash = Digest::from_hash_oid(hoid)?;
    }
    if let Some(s) = r.optional(crate::x509::der::CONTEXT, 2) {
        let i = Reader::new(s.content).expect(UNIVERSAL, 2, false).ok()?;
        salt = crate::x509::raw::integer_value(i.content);
    }
    let len = match hash {
        Digest::Sha256 => 32,
        Digest::Sha384 => 48,
        Digest::Sha512 => 64,
        _ => return None,
    };
    (mgf_hash == hash && salt == len).then_some(hash)
}

/// `X509_get0_pubkey`: the key, or `None` where OpenSSL cannot decode it.
pub(crate) fn decode_key(alg: &[u8], params: Option<&Tlv<'_>>, bits: &[u8]) -> Option<Key> {
    let (&unused, key) = bits.split_first()?;
    if unused != 0 {
        return None;
    }
    let (kind, security_bits) = match alg {
        RSA | RSA_PSS => {
            let n = rsa_modulus_bits(key)?;
            let kind = if alg == RSA {
                KeyKind::Rsa
            } else {
                KeyKind::RsaPss
            };
            (kind, crate::pki::certinfo::ifc_security_bits(n as usize))
        }
        EC => {
            let p = params?;
            if p.is(UNIVERSAL, 6) {
                let bits = match p.content {
                    P256 => 256,
                    P384 => 384,
                    [0x2b, 0x81, 0x04, 0x00, 0x23] => 521,
                    [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01] => 192,
                    [0x2b, 0x81, 0x04, 0x00, 0x21] => 224,
                    [0x2b, 0x81, 0x04, 0x00, 0x0a] => 256,
                    _ => return None,
                };
                if key.first() != Some(&4) && key.first() != Some(&2) && key.first() != Some(&3) {
                    return None;
                }
                (KeyKind::Ec(Some(p.content.to_vec())), bits / 2)
            } else if p.is(UNIVERSAL, 16) {
                // Explicit parameters: the order's size decides the strength.
                (KeyKind::Ec(None), explicit_ec_order_bits(p.content)? / 2)
            } else {
                return None;
            }
        }
        ED25519 => (KeyKind::Ed25519, 128),
        ED448 => (KeyKind::Ed448, 224),
        DSA => (KeyKind::Dsa, dsa_security_bits(params?)?),
        _ => return None,
    };
    Some(Key {
        kind,
        security_bits,
        bits: key.to_vec(),
    })
}

fn rsa_modulus_bits(key: &[u8]) -> Option<u32> {
    let mut r = Reader::new(key);
    let mut s = r.sequence().ok()?;
    let n = s.expect(UNIVERSAL, 2, false).ok()?.content;
    s.expect(UNIVERSAL, 2, false).ok()?;
    Some(int_bits(n)).filter(|&b| b > 0)
}

fn int_bits(c: &[u8]) -> u32 {
    match c.iter().position(|&b| b != 0) {
        Some(i) => (c.len() - i) as u32 * 8 - c[i].leading_zeros(),
        None => 0,
    }
}

fn explicit_ec_order_bits(params: &[u8]) -> Option<u32> {
    // ECParameters ::= SEQUENCE { version, fieldID, curve, base, order, cofactor OPTIONAL }
    let mut r = Reader::new(params);
    r.read().ok()?;
    r.read().ok()?;
    r.read().ok()?;
    r.read().ok()?;
    let order = r.expect(UNIVERSAL, 2, false).ok()?;
    Some(int_bits(order.content))
}

/// `BN_security_bits(L, N)` for a DSA key's p (L) and q (N).
fn dsa_security_bits(params: &Tlv<'_>) -> Option<u32> {
    let mut r = Reader::new(params.content);
    let p = int_bits(r.expect(UNIVERSAL, 2, false).ok()?.content);
    let q = int_bits(r.expect(UNIVERSAL, 2, false).ok()?.content);
    let bits = crate::pki::certinfo::ifc_security_bits(p as usize);
    if q < 160 {
        return Some(0);
    }
    Some(bits.min(q / 2))
}

fn key_type_of(kind: &KeyKind) -> KeyType {
    match kind {
        KeyKind::Rsa => KeyType::Rsa,
        KeyKind::RsaPss => KeyType::RsaPss,
        KeyKind::Ec(_) => KeyType::Ec,
        KeyKind::Ed25519 => KeyType::Ed25519,
        KeyKind::Ed448 => KeyType::Ed448,
        KeyKind::Dsa => KeyType::Dsa,
    }
}

/// `check_sig_alg_match`: 0, or 24 (no key), 76 (unknown algorithm), 77 (mismatch).
pub(crate) fn sig_alg_matches_key(issuer_key: Option<&Key>, subject: &Cert) -> i64 {
    let Some(key) = issuer_key else {
        return codes::NO_ISSUER_PUBLIC_KEY;
    };
    let Some((oid, _)) = alg_parts(subject.tbs_sig_alg()) else {
        return codes::UNSUPPORTED_SIGNATURE_ALGORITHM;
    };
    let Some((needed, _)) = sig_alg(oid) else {
        return codes::UNSUPPORTED_SIGNATURE_ALGORITHM;
    };
    let have = key_type_of(&key.kind);
    if have == needed || (have == KeyType::Rsa && needed == KeyType::RsaPss) {
        0
    } else {
        codes::SIGNATURE_ALGORITHM_MISMATCH
    }
}

/// `X509_get_signature_info`'s security bits of `cert`'s signature (`None`: unknown).
pub(crate) fn signature_security_bits(cert: &Cert) -> Option<u32> {
    let (oid, params) = alg_parts(cert.sig_alg())?;
    match sig_alg(oid)? {
        (KeyType::RsaPss, _) => pss_digest(params.as_ref()).map(Digest::security_bits),
        (_, d) => d.map(Digest::security_bits),
    }
}

/// `X509_verify(subject, issuer_key)`: `Ok` when the signature verifies, else the code
/// (7 for a bad signature, 76 for what ring cannot check).
pub(crate) fn verify_signature(subject: &Cert, key: &Key) -> Result<(), i64> {
    verify_signed(
        &Signed {
            tbs: subject.tbs(),
            sig_alg: subject.sig_alg(),
            tbs_sig_alg: subject.tbs_sig_alg(),
            signature: subject.signature(),
        },
        key,
    )
}

/// A signed structure (certificate or CRL): what is signed, the outer and inner
/// algorithm TLVs, and the signature (`None`: a BIT STRING with unused bits).
pub(crate) struct Signed<'a> {
    pub tbs: &'a [u8],
    pub sig_alg: &'a [u8],
    pub tbs_sig_alg: &'a [u8],
    pub signature: Option<&'a [u8]>,
}

/// `ASN1_item_verify` with OpenSSL's algorithm-consistency rule; 7 on any failure
/// (the caller maps it to the CRL code), 76 for what ring cannot check.
pub(crate) fn verify_signed(signed: &Signed<'_>, key: &Key) -> Result<(), i64> {
    if signed.sig_alg != signed.tbs_sig_alg {
        return Err(codes::CERT_SIGNATURE_FAILURE);
    }
    let Some(signature) = signed.signature else {
        return Err(codes::CERT_SIGNATURE_FAILURE);
    };
    let Some((oid, params)) = alg_parts(signed.sig_alg) else {
        return Err(codes::CERT_SIGNATURE_FAILURE);
    };
    let Some((needed, digest)) = sig_alg(oid) else {
        return Err(codes::CERT_SIGNATURE_FAILURE);
    };
    let unsupported = Err(codes::UNSUPPORTED_SIGNATURE_ALGORITHM);
    let alg: &dyn sig::VerificationAlgorithm = match (needed, digest, &key.kind) {
        (KeyType::Rsa, Some(d), KeyKind::Rsa) => match d {
            Digest::Sha1 => &sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
            Digest::Sha256 => &sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            Digest::Sha384 => &sig::RSA_PKCS1_2048_8192_SHA384,
            Digest::Sha512 => &sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
            _ => return unsupported,
        },
        (KeyType::RsaPss, _, KeyKind::Rsa | KeyKind::RsaPss) => match pss_digest(params.as_ref()) {
            Some(Digest::Sha256) => &sig::RSA_PSS_2048_8192_SHA256,
            Some(Digest::Sha384) => &sig::RSA_PSS_2048_8192_SHA384,
            Some(Digest::Sha512) => &sig::RSA_PSS_2048_8192_SHA512,
            _ => return unsupported,
        },
        (KeyType::Ec, Some(d), KeyKind::Ec(Some(curve))) => match (curve.as_slice(), d) {
            (P256, Digest::Sha256) => &sig::ECDSA_P256_SHA256_ASN1,
            (P256, Digest::Sha384) => &sig::ECDSA_P256_SHA384_ASN1,
            (P384, Digest::Sha256) => &sig::ECDSA_P384_SHA256_ASN1,
            (P384, Digest::Sha384) => &sig::ECDSA_P384_SHA384_ASN1,
            _ => return unsupported,
        },
        (KeyType::Ed25519, _, KeyKind::Ed25519) => &sig::ED25519,
        (n, _, k) if n == key_type_of(k) => return unsupported,
        _ => return Err(codes::CERT_SIGNATURE_FAILURE),
    };
    sig::UnparsedPublicKey::new(alg, &key.bits)
        .verify(signed.tbs, signature)
        .map_err(|_| {
            // ring refuses keys outside its size range as it refuses bad signatures.
            match &key.kind {
                KeyKind::Rsa | KeyKind::RsaPss if key.security_bits < 80 => {
                    codes::UNSUPPORTED_SIGNATURE_ALGORITHM
                }
                _ => codes::CERT_SIGNATURE_FAILURE,
            }
        })
}
