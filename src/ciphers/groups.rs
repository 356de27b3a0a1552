//! `SSLContext.set_ecdh_curve(name)`: OpenSSL short names → rustls key-exchange groups.
//!
//! CPython looks the name up with `OBJ_sn2nid` (short names only, case-sensitive) and
//! then calls `SSL_CTX_set1_groups` with that one group:
//! - a name that is not an OpenSSL short name (`x25519`, `P-256`, `secp256r1`,
//!   `commonName`, `sha256`) → `ValueError("unknown elliptic curve name 'foo'")`;
//! - a short name that is not a TLS group (`secp112r1`, `CN`, `RSA`) →
//!   `SSLError(0, 'unknown error')`;
//! - a TLS group → only that group is used.
//!
//! rustls's ring provider has X25519, P-256 (`prime256v1`) and P-384 (`secp384r1`).
//! Groups OpenSSL accepts but ring lacks (`secp521r1`, `X448`, `ffdhe*`, `secp256k1`,
//! brainpool, binary curves...) are refused with `SSLError(0, ...)` naming what is
//! supported: the class CPython raises when OpenSSL cannot use a group, so
//! `except ssl.SSLError`-style handling keeps working (DESIGN.md §4, rule 1).
//!
//! Limitation: OpenSSL's object table has ~1200 short names; this module knows the
//! elliptic-curve ones and the common certificate/algorithm ones (listed below). Any
//! other OpenSSL short name is reported as unknown (`ValueError`) instead of
//! `SSLError(0, 'unknown error')`.

use crate::error::{Error, Result, SslErrorInfo};
use rustls::crypto::ring::kx_group;
use rustls::crypto::SupportedKxGroup;

/// TLS groups OpenSSL 3.0 accepts in `SSL_CTX_set1_groups` that ring cannot do.
const OPENSSL_ONLY_GROUPS: &[&str] = &[
    "secp521r1",
    "X448",
    "ffdhe2048",
    "ffdhe3072",
    "ffdhe4096",
    "ffdhe6144",
    "ffdhe8192",
    "secp256k1",
    "secp224r1",
    "secp224k1",
    "prime192v1",
    "secp192k1",
    "secp160k1",
    "secp160r1",
    "secp160r2",
    "sect163k1",
    "sect163r1",
    "sect163r2",
    "sect193r1",
    "sect193r2",
    "sect233k1",
    "sect233r1",
    "sect239k1",
    "sect283k1",
    "sect283r1",
    "sect409k1",
    "sect409r1",
    "sect571k1",
    "sect571r1",
    "brainpoolP256r1",
    "brainpoolP384r1",
    "brainpoolP512r1",
];

/// OpenSSL short names that exist but are not TLS groups.
const NON_TLS_SHORT_NAMES: &[&str] = &[
    // Elliptic curves without a TLS group code point.
    "secp112r1",
    "secp112r2",
    "secp128r1",
    "secp128r2",
    "prime192v2",
    "prime192v3",
    "prime239v1",
    "prime239v2",
    "prime239v3",
    "sect113r1",
    "sect113r2",
    "sect131r1",
    "sect131r2",
    "c2pnb163v1",
    "c2pnb163v2",
    "c2pnb163v3",
    "c2pnb176v1",
    "c2tnb191v1",
    "c2tnb191v2",
    "c2tnb191v3",
    "c2pnb208w1",
    "c2tnb239v1",
    "c2tnb239v2",
    "c2tnb239v3",
    "c2pnb272w1",
    "c2pnb304w1",
    "c2tnb359v1",
    "c2pnb368w1",
    "c2tnb431r1",
    "wap-wsg-idm-ecid-wtls1",
    "wap-wsg-idm-ecid-wtls3",
    "wap-wsg-idm-ecid-wtls4",
    "wap-wsg-idm-ecid-wtls5",
    "wap-wsg-idm-ecid-wtls6",
    "wap-wsg-idm-ecid-wtls7",
    "wap-wsg-idm-ecid-wtls8",
    "wap-wsg-idm-ecid-wtls9",
    "wap-wsg-idm-ecid-wtls10",
    "wap-wsg-idm-ecid-wtls11",
    "wap-wsg-idm-ecid-wtls12",
    "Oakley-EC2N-3",
    "Oakley-EC2N-4",
    "brainpoolP160r1",
    "brainpoolP160t1",
    "brainpoolP192r1",
    "brainpoolP192t1",
    "brainpoolP224r1",
    "brainpoolP224t1",
    "brainpoolP256t1",
    "brainpoolP320r1",
    "brainpoolP320t1",
    "brainpoolP384t1",
    "brainpoolP512t1",
    "SM2",
    "ED25519",
    "ED448",
    // Common name attributes and algorithms.
    "CN",
    "C",
    "L",
    "ST",
    "O",
    "OU",
    "DC",
    "UID",
    "SN",
    "GN",
    "RSA",
    "DSA",
    "DH",
    "MD5",
    "SHA1",
    "SHA224",
    "SHA256",
    "SHA384",
    "SHA512",
    "rsaEncryption",
    "id-ecPublicKey",
    "serverAuth",
    "clientAuth",
    "subjectAltName",
    "basicConstraints",
    "keyUsage",
    "extendedKeyUsage",
];

/// `set_ecdh_curve(name)`: the one group to use, or CPython's error (see module docs).
#[doc(alias = "set_ecdh_curve")]
pub fn parse_ecdh_curve(name: &str) -> Result<Vec<&'static dyn SupportedKxGroup>> {
    let group: &'static dyn SupportedKxGroup = match name {
        "X25519" => kx_group::X25519,
        "prime256v1" => kx_group::SECP256R1,
        "secp384r1" => kx_group::SECP384R1,
        n if OPENSSL_ONLY_GROUPS.contains(&n) => {
            return Err(Error::SslError(SslErrorInfo::with_errno(
                0,
                &format!(
                    "unsupported group {}: rustls (ring) supports only X25519, prime256v1 and secp384r1",
                    crate::error::py_repr_str(n)
                ),
            )))
        }
        n if NON_TLS_SHORT_NAMES.contains(&n) => {
            return Err(Error::SslError(SslErrorInfo::with_errno(0, "unknown error")))
        }
        n => {
            return Err(Error::value(format!(
                "unknown elliptic curve name {}",
                crate::error::py_repr_str(n)
            )))
        }
    };
    Ok(vec![group])
}
