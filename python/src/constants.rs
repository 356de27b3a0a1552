//! The module's constants: CPython's names and OpenSSL 3.0's values, taken from the
//! crate's enumerations and flags; `HAS_*` and `OPENSSL_VERSION*` describe this engine.

use pyo3::prelude::*;
use sslcontext::constants as c;
use sslcontext::{
    AlertDescription, Options, Protocol, SslErrorNumber, TlsVersion, VerifyFlags, VerifyMode,
};

/// `OPENSSL_VERSION`: names this engine, not OpenSSL.
pub const OPENSSL_VERSION: &str = concat!(
    "sslcontext ",
    env!("CARGO_PKG_VERSION"),
    " (rustls 0.23; OpenSSL 3.0 semantics)"
);

/// `OPENSSL_VERSION_INFO` / `_OPENSSL_API_VERSION`: the OpenSSL release whose
/// behaviour the crate reproduces (3.0), so that ssl.py and test_ssl take their
/// OpenSSL 3.0 branches.
pub const OPENSSL_VERSION_INFO: (u32, u32, u32, u32, u32) = (3, 0, 0, 0, 0);

/// `OPENSSL_VERSION_NUMBER` for [`OPENSSL_VERSION_INFO`] (`0xMNN00PP0L`).
pub const OPENSSL_VERSION_NUMBER: u64 = 0x3000_0000;

/// `ENCODING_PEM` (`PY_SSL_ENCODING_PEM`).
pub const ENCODING_PEM: i32 = 1;
/// `ENCODING_DER`.
pub const ENCODING_DER: i32 = 2;

/// Adds every constant to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    for v in Protocol::ALL {
        m.add(v.name(), v.value())?;
    }
    m.add("PROTOCOL_SSLv23", Protocol::SSLV23.value())?;
    for v in VerifyMode::ALL {
        m.add(v.name(), v.value())?;
    }
    for v in TlsVersion::ALL {
        m.add(format!("PROTO_{}", v.name()).as_str(), v.value())?;
    }
    for v in AlertDescription::ALL {
        m.add(v.name(), v.value())?;
    }
    for v in SslErrorNumber::ALL {
        m.add(v.name(), v.value())?;
    }
    for (name, flag) in Options::all().iter_names() {
        m.add(name, flag.bits())?;
    }
    m.add("OP_NO_SSLv2", Options::OP_NO_SSLv2.bits())?;
    m.add("OP_SINGLE_DH_USE", Options::OP_SINGLE_DH_USE.bits())?;
    m.add("OP_SINGLE_ECDH_USE", Options::OP_SINGLE_ECDH_USE.bits())?;
    for (name, flag) in VerifyFlags::all().iter_names() {
        m.add(name, flag.bits())?;
    }
    m.add("VERIFY_DEFAULT", VerifyFlags::VERIFY_DEFAULT.bits())?;
    for (name, value) in [
        (
            "HOSTFLAG_ALWAYS_CHECK_SUBJECT",
            c::HOSTFLAG_ALWAYS_CHECK_SUBJECT,
        ),
        (
            "HOSTFLAG_NEVER_CHECK_SUBJECT",
            c::HOSTFLAG_NEVER_CHECK_SUBJECT,
        ),
        ("HOSTFLAG_NO_WILDCARDS", c::HOSTFLAG_NO_WILDCARDS),
        (
            "HOSTFLAG_NO_PARTIAL_WILDCARDS",
            c::HOSTFLAG_NO_PARTIAL_WILDCARDS,
        ),
        (
            "HOSTFLAG_MULTI_LABEL_WILDCARDS",
            c::HOSTFLAG_MULTI_LABEL_WILDCARDS,
        ),
        (
            "HOSTFLAG_SINGLE_LABEL_SUBDOMAINS",
            c::HOSTFLAG_SINGLE_LABEL_SUBDOMAINS,
        ),
    ] {
        m.add(name, value)?;
    }
    for (name, value) in [
        ("HAS_SNI", c::HAS_SNI),
        ("HAS_TLS_UNIQUE", c::HAS_TLS_UNIQUE),
        ("HAS_ECDH", c::HAS_ECDH),
        ("HAS_NPN", c::HAS_NPN),
        ("HAS_ALPN", c::HAS_ALPN),
        ("HAS_SSLv2", c::HAS_SSLV2),
        ("HAS_SSLv3", c::HAS_SSLV3),
        ("HAS_TLSv1", c::HAS_TLSV1),
        ("HAS_TLSv1_1", c::HAS_TLSV1_1),
        ("HAS_TLSv1_2", c::HAS_TLSV1_2),
        ("HAS_TLSv1_3", c::HAS_TLSV1_3),
    ] {
        m.add(name, value)?;
    }
    m.add("ENCODING_PEM", ENCODING_PEM)?;
    m.add("ENCODING_DER", ENCODING_DER)?;
    m.add("OPENSSL_VERSION", OPENSSL_VERSION)?;
    m.add("OPENSSL_VERSION_INFO", OPENSSL_VERSION_INFO)?;
    m.add("OPENSSL_VERSION_NUMBER", OPENSSL_VERSION_NUMBER)?;
    m.add("_OPENSSL_API_VERSION", OPENSSL_VERSION_INFO)?;
    m.add("_DEFAULT_CIPHERS", c::DEFAULT_CIPHERS)?;
    Ok(())
}
