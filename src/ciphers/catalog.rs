//! OpenSSL 3.0's TLS cipher table, as this OpenSSL 3.0 build (default provider) has it.
//!
//! The rows ([`TLS12_CIPHERS`], [`TLS13_CIPHERS`]) are facts read from the `openssl`
//! command line of an OpenSSL 3.0 build, generated into `catalog_rows.rs` by
//! `python3 admin/gen_cipher_catalog.py src/ciphers/catalog_rows.rs`:
//! `openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'` gives the names, the
//! IANA code points, the minimum protocol and the Kx/Au/Enc/Mac columns; the strength
//! classes come from `openssl ciphers HIGH` (`MEDIUM`, `LOW`, `FIPS`,
//! `COMPLEMENTOFDEFAULT`), except those of the three TLS 1.3 suites, which every
//! `openssl ciphers` call lists whatever the rule (the generator has them from OpenSSL's
//! `tls13_ciphers`). RC4, DES, 3DES, IDEA, SEED, export and GOST suites are not
//! available in this build (the default provider lacks them), so they are absent; their
//! aliases still exist and simply select nothing, as in OpenSSL.
//!
//! This file holds the rest, written by hand: OpenSSL's bit constants, the aliases, the
//! rustls mapping and the lookups.
//!
//! The rows are in the order `ALL:COMPLEMENTOFALL` prints them. OpenSSL's initial
//! ordering ([`super::resolve`]) is a stable sort, so applying it to this order leaves it
//! unchanged; the engine applies it anyway, so the table need not be pre-sorted.
//!
//! The bit values are OpenSSL's own (`ssl_local.h`), because one alias (`FIPS`) puts an
//! encryption mask into the key-exchange field and its meaning depends on the values.

use rustls::crypto::ring::cipher_suite as ring_suite;
use rustls::SupportedCipherSuite;

pub use super::catalog_rows::{TLS12_CIPHERS, TLS13_CIPHERS};

/// Key exchange: RSA.
pub const K_RSA: u32 = 0x1;
/// Key exchange: ephemeral DH.
pub const K_DHE: u32 = 0x2;
/// Key exchange: ephemeral ECDH.
pub const K_ECDHE: u32 = 0x4;
/// Key exchange: PSK.
pub const K_PSK: u32 = 0x8;
/// Key exchange: GOST.
pub const K_GOST: u32 = 0x10;
/// Key exchange: SRP.
pub const K_SRP: u32 = 0x20;
/// Key exchange: RSA-PSK.
pub const K_RSAPSK: u32 = 0x40;
/// Key exchange: ECDHE-PSK.
pub const K_ECDHEPSK: u32 = 0x80;
/// Key exchange: DHE-PSK.
pub const K_DHEPSK: u32 = 0x100;
/// Key exchange: GOST 2018.
pub const K_GOST18: u32 = 0x200;
/// Key exchange: any PSK kind.
pub const K_ANY_PSK: u32 = K_PSK | K_ECDHEPSK | K_DHEPSK | K_RSAPSK;

/// Authentication: RSA.
pub const A_RSA: u32 = 0x1;
/// Authentication: DSS.
pub const A_DSS: u32 = 0x2;
/// Authentication: none (anonymous).
pub const A_NULL: u32 = 0x4;
/// Authentication: ECDSA.
pub const A_ECDSA: u32 = 0x8;
/// Authentication: PSK.
pub const A_PSK: u32 = 0x10;
/// Authentication: GOST R 34.10-2001.
pub const A_GOST01: u32 = 0x20;
/// Authentication: SRP.
pub const A_SRP: u32 = 0x40;
/// Authentication: GOST R 34.10-2012.
pub const A_GOST12: u32 = 0x80;

/// Encryption: DES.
pub const E_DES: u32 = 0x1;
/// Encryption: 3DES.
pub const E_3DES: u32 = 0x2;
/// Encryption: RC4.
pub const E_RC4: u32 = 0x4;
/// Encryption: RC2.
pub const E_RC2: u32 = 0x8;
/// Encryption: IDEA.
pub const E_IDEA: u32 = 0x10;
/// Encryption: none.
pub const E_NULL: u32 = 0x20;
/// Encryption: AES-128-CBC.
pub const E_AES128: u32 = 0x40;
/// Encryption: AES-256-CBC.
pub const E_AES256: u32 = 0x80;
/// Encryption: Camellia-128-CBC.
pub const E_CAMELLIA128: u32 = 0x100;
/// Encryption: Camellia-256-CBC.
pub const E_CAMELLIA256: u32 = 0x200;
/// Encryption: GOST 28147-89 CNT.
pub const E_GOST89: u32 = 0x400;
/// Encryption: SEED.
pub const E_SEED: u32 = 0x800;
/// Encryption: AES-128-GCM.
pub const E_AES128GCM: u32 = 0x1000;
/// Encryption: AES-256-GCM.
pub const E_AES256GCM: u32 = 0x2000;
/// Encryption: AES-128-CCM.
pub const E_AES128CCM: u32 = 0x4000;
/// Encryption: AES-256-CCM.
pub const E_AES256CCM: u32 = 0x8000;
/// Encryption: AES-128-CCM8.
pub const E_AES128CCM8: u32 = 0x1_0000;
/// Encryption: AES-256-CCM8.
pub const E_AES256CCM8: u32 = 0x2_0000;
/// Encryption: GOST 28147-89 CNT (2012).
pub const E_GOST8912: u32 = 0x4_0000;
/// Encryption: ChaCha20-Poly1305.
pub const E_CHACHA20POLY1305: u32 = 0x8_0000;
/// Encryption: ARIA-128-GCM.
pub const E_ARIA128GCM: u32 = 0x10_0000;
/// Encryption: ARIA-256-GCM.
pub const E_ARIA256GCM: u32 = 0x20_0000;
/// Encryption: Magma.
pub const E_MAGMA: u32 = 0x40_0000;
/// Encryption: Kuznyechik.
pub const E_KUZNYECHIK: u32 = 0x80_0000;
/// Every AES mode.
pub const E_AES: u32 = E_AES128
    | E_AES256
    | E_AES128GCM
    | E_AES256GCM
    | E_AES128CCM
    | E_AES256CCM
    | E_AES128CCM8
    | E_AES256CCM8;
/// AES-GCM.
pub const E_AESGCM: u32 = E_AES128GCM | E_AES256GCM;
/// Every CBC cipher.
pub const E_CBC: u32 =
    E_DES | E_3DES | E_RC2 | E_IDEA | E_AES128 | E_AES256 | E_CAMELLIA128 | E_CAMELLIA256 | E_SEED;

/// MAC: MD5.
pub const M_MD5: u32 = 0x1;
/// MAC: SHA-1.
pub const M_SHA1: u32 = 0x2;
/// MAC: GOST R 34.11-94.
pub const M_GOST94: u32 = 0x4;
/// MAC: GOST 28147-89 MAC.
pub const M_GOST89MAC: u32 = 0x8;
/// MAC: SHA-256.
pub const M_SHA256: u32 = 0x10;
/// MAC: SHA-384.
pub const M_SHA384: u32 = 0x20;
/// MAC: none (AEAD).
pub const M_AEAD: u32 = 0x40;
/// MAC: GOST R 34.11-2012 256.
pub const M_GOST12_256: u32 = 0x80;
/// MAC: GOST 28147-89 MAC (2012).
pub const M_GOST89MAC12: u32 = 0x100;

/// Strength class: no encryption.
pub const S_NONE: u32 = 0x1;
/// Strength class `LOW`.
pub const S_LOW: u32 = 0x2;
/// Strength class `MEDIUM`.
pub const S_MEDIUM: u32 = 0x4;
/// Strength class `HIGH`.
pub const S_HIGH: u32 = 0x8;
/// FIPS-approved.
pub const S_FIPS: u32 = 0x10;
/// Not in `DEFAULT` (selected by `COMPLEMENTOFDEFAULT`).
pub const S_NOT_DEFAULT: u32 = 0x20;
/// The strength-class bits.
pub const S_STRONG_MASK: u32 = 0x1F;
/// The default-membership bit.
pub const S_DEFAULT_MASK: u32 = 0x20;

/// `SSL3_VERSION`.
pub const V_SSL3: u16 = 0x0300;
/// `TLS1_VERSION`.
pub const V_TLS1: u16 = 0x0301;
/// `TLS1_2_VERSION`.
pub const V_TLS12: u16 = 0x0303;
/// `TLS1_3_VERSION`.
pub const V_TLS13: u16 = 0x0304;

/// One OpenSSL cipher suite (an `SSL_CIPHER`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CipherDef {
    /// OpenSSL's name (`ECDHE-RSA-AES128-GCM-SHA256`; the IANA name for TLS 1.3).
    pub name: &'static str,
    /// The IANA / RFC name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub std_name: &'static str,
    /// The IANA code point.
    pub iana: u16,
    /// The lowest protocol version the suite works with (`V_SSL3`, `V_TLS1`, ...).
    pub min_version: u16,
    /// Key-exchange bits (`K_*`); 0 for TLS 1.3 ("any").
    pub mkey: u32,
    /// Authentication bits (`A_*`); 0 for TLS 1.3 ("any").
    pub auth: u32,
    /// Encryption bits (`E_*`).
    pub enc: u32,
    /// MAC bits (`M_*`).
    pub mac: u32,
    /// Strength class and default-membership bits (`S_*`).
    pub strength: u32,
    /// `SSL_CIPHER_get_bits`: the effective strength in bits.
    pub strength_bits: u16,
    /// The second value of `SSL_CIPHER_get_bits`: the algorithm's key bits.
    pub alg_bits: u16,
}

/// One row of [`TLS12_CIPHERS`] / [`TLS13_CIPHERS`] (`catalog_rows.rs`).
#[allow(clippy::too_many_arguments)]
pub(super) const fn c(
    name: &'static str,
    std_name: &'static str,
    iana: u16,
    min_version: u16,
    mkey: u32,
    auth: u32,
    enc: u32,
    mac: u32,
    strength: u32,
    bits: u16,
) -> CipherDef {
    // Suites with no encryption have no strength class (OpenSSL's SSL_STRONG_NONE).
    let strength = if strength & S_STRONG_MASK == 0 {
        strength | S_NONE
    } else {
        strength
    };
    CipherDef {
        name,
        std_name,
        iana,
        min_version,
        mkey,
        auth,
        enc,
        mac,
        strength,
        strength_bits: bits,
        alg_bits: bits,
    }
}

/// One entry of OpenSSL's alias table (`cipher_aliases` in `ssl_ciph.c`): a name and the
/// masks a suite must intersect (0 = no constraint).
#[derive(Debug)]
pub struct Alias {
    /// The alias as written in a cipher string (case-sensitive).
    pub name: &'static str,
    /// Key-exchange mask.
    pub mkey: u32,
    /// Authentication mask.
    pub auth: u32,
    /// Encryption mask.
    pub enc: u32,
    /// MAC mask.
    pub mac: u32,
    /// Exact minimum protocol version (0 = any).
    pub min_version: u16,
    /// Strength-class / default-membership mask.
    pub strength: u32,
}

const fn a(
    name: &'static str,
    mkey: u32,
    auth: u32,
    enc: u32,
    mac: u32,
    min_version: u16,
    strength: u32,
) -> Alias {
    Alias {
        name,
        mkey,
        auth,
        enc,
        mac,
        min_version,
        strength,
    }
}

/// OpenSSL 3.0's aliases, with OpenSSL's masks.
pub static ALIASES: &[Alias] = &[
    a("ALL", 0, 0, !E_NULL, 0, 0, 0),
    a("COMPLEMENTOFALL", 0, 0, E_NULL, 0, 0, 0),
    a("COMPLEMENTOFDEFAULT", 0, 0, 0, 0, 0, S_NOT_DEFAULT),
    a("kRSA", K_RSA, 0, 0, 0, 0, 0),
    a("kEDH", K_DHE, 0, 0, 0, 0, 0),
    a("kDHE", K_DHE, 0, 0, 0, 0, 0),
    a("DH", K_DHE, 0, 0, 0, 0, 0),
    a("kEECDH", K_ECDHE, 0, 0, 0, 0, 0),
    a("kECDHE", K_ECDHE, 0, 0, 0, 0, 0),
    a("ECDH", K_ECDHE, 0, 0, 0, 0, 0),
    a("kPSK", K_PSK, 0, 0, 0, 0, 0),
    a("kRSAPSK", K_RSAPSK, 0, 0, 0, 0, 0),
    a("kECDHEPSK", K_ECDHEPSK, 0, 0, 0, 0, 0),
    a("kDHEPSK", K_DHEPSK, 0, 0, 0, 0, 0),
    a("kSRP", K_SRP, 0, 0, 0, 0, 0),
    a("kGOST", K_GOST, 0, 0, 0, 0, 0),
    a("kGOST18", K_GOST18, 0, 0, 0, 0, 0),
    a("aRSA", 0, A_RSA, 0, 0, 0, 0),
    a("aDSS", 0, A_DSS, 0, 0, 0, 0),
    a("DSS", 0, A_DSS, 0, 0, 0, 0),
    a("aNULL", 0, A_NULL, 0, 0, 0, 0),
    a("aECDSA", 0, A_ECDSA, 0, 0, 0, 0),
    a("ECDSA", 0, A_ECDSA, 0, 0, 0, 0),
    a("aPSK", 0, A_PSK, 0, 0, 0, 0),
    a("aGOST01", 0, A_GOST01, 0, 0, 0, 0),
    a("aGOST12", 0, A_GOST12, 0, 0, 0, 0),
    a("aGOST", 0, A_GOST01 | A_GOST12, 0, 0, 0, 0),
    a("aSRP", 0, A_SRP, 0, 0, 0, 0),
    a("EDH", K_DHE, !A_NULL, 0, 0, 0, 0),
    a("DHE", K_DHE, !A_NULL, 0, 0, 0, 0),
    a("EECDH", K_ECDHE, !A_NULL, 0, 0, 0, 0),
    a("ECDHE", K_ECDHE, !A_NULL, 0, 0, 0, 0),
    a("NULL", 0, 0, E_NULL, 0, 0, 0),
    a("RSA", K_RSA, A_RSA, 0, 0, 0, 0),
    a("ADH", K_DHE, A_NULL, 0, 0, 0, 0),
    a("AECDH", K_ECDHE, A_NULL, 0, 0, 0, 0),
    a("PSK", K_ANY_PSK, 0, 0, 0, 0, 0),
    a("SRP", K_SRP, 0, 0, 0, 0, 0),
    a("3DES", 0, 0, E_3DES, 0, 0, 0),
    a("RC4", 0, 0, E_RC4, 0, 0, 0),
    a("RC2", 0, 0, E_RC2, 0, 0, 0),
    a("IDEA", 0, 0, E_IDEA, 0, 0, 0),
    a("SEED", 0, 0, E_SEED, 0, 0, 0),
    a("eNULL", 0, 0, E_NULL, 0, 0, 0),
    a(
        "GOST89",
        0,
        0,
        E_GOST89 | E_GOST8912 | E_MAGMA | E_KUZNYECHIK,
        0,
        0,
        0,
    ),
    a(
        "AES128",
        0,
        0,
        E_AES128 | E_AES128GCM | E_AES128CCM | E_AES128CCM8,
        0,
        0,
        0,
    ),
    a(
        "AES256",
        0,
        0,
        E_AES256 | E_AES256GCM | E_AES256CCM | E_AES256CCM8,
        0,
        0,
        0,
    ),
    a("AES", 0, 0, E_AES, 0, 0, 0),
    a("AESGCM", 0, 0, E_AESGCM, 0, 0, 0),
    a(
        "AESCCM",
        0,
        0,
        E_AES128CCM | E_AES256CCM | E_AES128CCM8 | E_AES256CCM8,
        0,
        0,
        0,
    ),
    a("AESCCM8", 0, 0, E_AES128CCM8 | E_AES256CCM8, 0, 0, 0),
    a("CAMELLIA128", 0, 0, E_CAMELLIA128, 0, 0, 0),
    a("CAMELLIA256", 0, 0, E_CAMELLIA256, 0, 0, 0),
    a("CAMELLIA", 0, 0, E_CAMELLIA128 | E_CAMELLIA256, 0, 0, 0),
    a("CHACHA20", 0, 0, E_CHACHA20POLY1305, 0, 0, 0),
    a("GOST2012-GOST8912-GOST8912", 0, 0, E_GOST8912, 0, 0, 0),
    a("ARIA", 0, 0, E_ARIA128GCM | E_ARIA256GCM, 0, 0, 0),
    a("ARIAGCM", 0, 0, E_ARIA128GCM | E_ARIA256GCM, 0, 0, 0),
    a("ARIA128", 0, 0, E_ARIA128GCM, 0, 0, 0),
    a("ARIA256", 0, 0, E_ARIA256GCM, 0, 0, 0),
    a("CBC", 0, 0, E_CBC, 0, 0, 0),
    a("MD5", 0, 0, 0, M_MD5, 0, 0),
    a("SHA1", 0, 0, 0, M_SHA1, 0, 0),
    a("SHA", 0, 0, 0, M_SHA1, 0, 0),
    a("GOST94", 0, 0, 0, M_GOST94, 0, 0),
    a("GOST89MAC", 0, 0, 0, M_GOST89MAC | M_GOST89MAC12, 0, 0),
    a("SHA256", 0, 0, 0, M_SHA256, 0, 0),
    a("SHA384", 0, 0, 0, M_SHA384, 0, 0),
    a("GOST12", 0, 0, 0, M_GOST12_256, 0, 0),
    a("SSLv3", 0, 0, 0, 0, V_SSL3, 0),
    a("TLSv1", 0, 0, 0, 0, V_TLS1, 0),
    a("TLSv1.0", 0, 0, 0, 0, V_TLS1, 0),
    a("TLSv1.2", 0, 0, 0, 0, V_TLS12, 0),
    a("LOW", 0, 0, 0, 0, 0, S_LOW),
    a("MEDIUM", 0, 0, 0, 0, 0, S_MEDIUM),
    a("HIGH", 0, 0, 0, 0, 0, S_HIGH),
    // OpenSSL puts `~SSL_eNULL` into the key-exchange field of FIPS (which excludes kSRP).
    a("FIPS", !E_NULL, 0, 0, 0, 0, S_FIPS),
    a(
        "EDH-DSS-DES-CBC3-SHA",
        K_DHE,
        A_DSS,
        E_3DES,
        M_SHA1,
        0,
        S_HIGH | S_FIPS,
    ),
    a(
        "EDH-RSA-DES-CBC3-SHA",
        K_DHE,
        A_RSA,
        E_3DES,
        M_SHA1,
        0,
        S_HIGH | S_FIPS,
    ),
];

/// OpenSSL's `DEFAULT` rule (`OSSL_default_cipher_list()`), applied when a cipher
/// string starts with the seven characters `DEFAULT`.
pub const OPENSSL_DEFAULT_RULE: &str = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";

impl CipherDef {
    /// `SSL_CIPHER_get_id`: `0x03000000 | IANA code`.
    pub fn openssl_id(&self) -> u32 {
        0x0300_0000 | u32::from(self.iana)
    }

    /// Whether the cipher is an AEAD (`SSL_CIPHER_is_aead`).
    pub fn is_aead(&self) -> bool {
        self.mac & M_AEAD != 0
    }

    /// The rustls (ring provider) suite with the same code point, for the suites rustls
    /// implements (the 3 TLS 1.3 suites and six ECDHE AEAD TLS 1.2 suites).
    pub fn rustls_suite(&self) -> Option<SupportedCipherSuite> {
        Some(match self.iana {
            0x1301 => ring_suite::TLS13_AES_128_GCM_SHA256,
            0x1302 => ring_suite::TLS13_AES_256_GCM_SHA384,
            0x1303 => ring_suite::TLS13_CHACHA20_POLY1305_SHA256,
            0xC02B => ring_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            0xC02C => ring_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            0xCCA9 => ring_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            0xC02F => ring_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            0xC030 => ring_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            0xCCA8 => ring_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            _ => return None,
        })
    }

    /// Whether rustls (ring) can negotiate this suite.
    pub fn implemented(&self) -> bool {
        self.rustls_suite().is_some()
    }

    /// Whether OpenSSL's default security callback lets this suite be used at security
    /// `level` (`ssl_security_default_callback`, `SSL_SECOP_CIPHER_*`): at least
    /// 80/112/128/192/256 strength bits for levels 1..=5, no RC4 from level 2, and
    /// forward secrecy (or TLS 1.3) from level 3. Level 0 allows everything.
    pub fn allowed_at_level(&self, level: u8) -> bool {
        if level == 0 {
            return true;
        }
        if u32::from(self.strength_bits) < crate::pki::certinfo::level_min_bits(level) {
            return false;
        }
        if level >= 2 && self.enc == E_RC4 {
            return false;
        }
        if level >= 3
            && self.min_version != V_TLS13
            && self.mkey & (K_DHE | K_ECDHE | K_DHEPSK | K_ECDHEPSK) == 0
        {
            return false;
        }
        true
    }
}

/// The suite (TLS 1.2 or 1.3) with this IANA code point.
pub fn by_iana(iana: u16) -> Option<&'static CipherDef> {
    TLS13_CIPHERS
        .iter()
        .chain(TLS12_CIPHERS.iter())
        .find(|c| c.iana == iana)
}
