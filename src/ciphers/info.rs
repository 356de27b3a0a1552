//! CPython's cipher dicts (`cipher_to_dict`) and `SSLObject.cipher()` tuples.

use super::catalog::*;
use rustls::SupportedCipherSuite;

/// One `get_ciphers()` dict, with CPython's values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CipherInfo {
    /// `'id'`: `0x03000000 | IANA code`.
    pub id: u32,
    /// `'name'`: OpenSSL's name.
    pub name: &'static str,
    /// `'protocol'`: `SSL_CIPHER_get_version` (`'TLSv1.0'` for TLS 1.0 suites).
    pub protocol: &'static str,
    /// `'description'`: `SSL_CIPHER_description` without the trailing newline.
    pub description: String,
    /// `'strength_bits'`.
    pub strength_bits: u16,
    /// `'alg_bits'`.
    pub alg_bits: u16,
    /// `'aead'`.
    pub aead: bool,
    /// `'symmetric'`: the cipher's OpenSSL long name, `None` without encryption.
    pub symmetric: Option<&'static str>,
    /// `'digest'`: the MAC digest's long name, `None` for AEADs.
    pub digest: Option<&'static str>,
    /// `'kea'`: `kx-ecdhe`, `kx-any`, ...
    pub kea: &'static str,
    /// `'auth'`: `auth-rsa`, `auth-any`, ...
    pub auth: &'static str,
}

fn version_name(v: u16) -> &'static str {
    match v {
        V_SSL3 => "SSLv3",
        V_TLS1 => "TLSv1",
        0x0302 => "TLSv1.1",
        V_TLS12 => "TLSv1.2",
        V_TLS13 => "TLSv1.3",
        _ => "unknown",
    }
}

fn kx_names(c: &CipherDef) -> (&'static str, &'static str) {
    if c.min_version == V_TLS13 {
        return ("any", "kx-any");
    }
    match c.mkey {
        K_RSA => ("RSA", "kx-rsa"),
        K_DHE => ("DH", "kx-dhe"),
        K_ECDHE => ("ECDH", "kx-ecdhe"),
        K_PSK => ("PSK", "kx-psk"),
        K_RSAPSK => ("RSAPSK", "kx-rsa-psk"),
        K_ECDHEPSK => ("ECDHEPSK", "kx-ecdhe-psk"),
        K_DHEPSK => ("DHEPSK", "kx-dhe-psk"),
        K_SRP => ("SRP", "kx-srp"),
        K_GOST => ("GOST", "kx-gost"),
        K_GOST18 => ("GOST18", "kx-gost18"),
        _ => ("unknown", "undefined"),
    }
}

fn auth_names(c: &CipherDef) -> (&'static str, &'static str) {
    if c.min_version == V_TLS13 {
        return ("any", "auth-any");
    }
    match c.auth {
        A_RSA => ("RSA", "auth-rsa"),
        A_DSS => ("DSS", "auth-dss"),
        A_NULL => ("None", "auth-null"),
        A_ECDSA => ("ECDSA", "auth-ecdsa"),
        A_PSK => ("PSK", "auth-psk"),
        A_SRP => ("SRP", "auth-srp"),
        A_GOST01 => ("GOST01", "auth-gost01"),
        _ => ("unknown", "undefined"),
    }
}

fn enc_names(c: &CipherDef) -> (&'static str, Option<&'static str>) {
    match c.enc {
        E_NULL => ("None", None),
        E_AES128 => ("AES(128)", Some("aes-128-cbc")),
        E_AES256 => ("AES(256)", Some("aes-256-cbc")),
        E_AES128GCM => ("AESGCM(128)", Some("aes-128-gcm")),
        E_AES256GCM => ("AESGCM(256)", Some("aes-256-gcm")),
        E_AES128CCM => ("AESCCM(128)", Some("aes-128-ccm")),
        E_AES256CCM => ("AESCCM(256)", Some("aes-256-ccm")),
        E_AES128CCM8 => ("AESCCM8(128)", Some("aes-128-ccm")),
        E_AES256CCM8 => ("AESCCM8(256)", Some("aes-256-ccm")),
        E_CAMELLIA128 => ("Camellia(128)", Some("camellia-128-cbc")),
        E_CAMELLIA256 => ("Camellia(256)", Some("camellia-256-cbc")),
        E_ARIA128GCM => ("ARIAGCM(128)", Some("aria-128-gcm")),
        E_ARIA256GCM => ("ARIAGCM(256)", Some("aria-256-gcm")),
        E_CHACHA20POLY1305 => ("CHACHA20/POLY1305(256)", Some("chacha20-poly1305")),
        E_3DES => ("3DES(168)", Some("des-ede3-cbc")),
        E_DES => ("DES(56)", Some("des-cbc")),
        E_RC4 => ("RC4(128)", Some("rc4")),
        E_SEED => ("SEED(128)", Some("seed-cbc")),
        E_IDEA => ("IDEA(128)", Some("idea-cbc")),
        _ => ("unknown", None),
    }
}

fn mac_names(c: &CipherDef) -> (&'static str, Option<&'static str>) {
    match c.mac {
        M_MD5 => ("MD5", Some("md5")),
        M_SHA1 => ("SHA1", Some("sha1")),
        M_SHA256 => ("SHA256", Some("sha256")),
        M_SHA384 => ("SHA384", Some("sha384")),
        M_AEAD => ("AEAD", None),
        _ => ("unknown", None),
    }
}

/// `SSL_CIPHER_description` without the newline:
/// `"%-30s %-7s Kx=%-8s Au=%-5s Enc=%-22s Mac=%-4s"`.
pub fn description(c: &CipherDef) -> String {
    format!(
        "{:<30} {:<7} Kx={:<8} Au={:<5} Enc={:<22} Mac={:<4}",
        c.name,
        version_name(c.min_version),
        kx_names(c).0,
        auth_names(c).0,
        enc_names(c).0,
        mac_names(c).0
    )
}

/// `SSL_CIPHER_get_version`: like the protocol names, but TLS 1.0 is `"TLSv1.0"`.
pub fn protocol(c: &CipherDef) -> &'static str {
    match c.min_version {
        V_TLS1 => "TLSv1.0",
        v => version_name(v),
    }
}

impl CipherInfo {
    /// The dict for one catalogue entry.
    pub fn from_def(c: &'static CipherDef) -> CipherInfo {
        CipherInfo {
            id: c.openssl_id(),
            name: c.name,
            protocol: protocol(c),
            description: description(c),
            strength_bits: c.strength_bits,
            alg_bits: c.alg_bits,
            aead: c.is_aead(),
            symmetric: enc_names(c).1,
            digest: mac_names(c).1,
            kea: kx_names(c).1,
            auth: auth_names(c).1,
        }
    }
}

/// `SSLObject.cipher()` for a negotiated rustls suite: `(name, SSL_CIPHER_get_version,
/// secret bits)`, e.g. `("ECDHE-RSA-AES256-GCM-SHA384", "TLSv1.2", 256)`.
pub fn cipher_tuple(suite: SupportedCipherSuite) -> (String, &'static str, u16) {
    let code = u16::from(suite.suite());
    match by_iana(code) {
        Some(c) => (c.name.to_string(), protocol(c), c.strength_bits),
        // Every ring suite is in the catalogue; a foreign provider's suite is reported
        // by its rustls name.
        None => (format!("{:?}", suite.suite()), "unknown", 0),
    }
}
