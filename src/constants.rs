//! The module-level constants of Python's `ssl` module (`HAS_*`, `HOSTFLAG_*`,
//! `CHANNEL_BINDING_TYPES`, `PEM_HEADER`, ...). CPython's enumerations (`PROTOCOL_*`,
//! `CERT_*`, `TLSVersion`, `ALERT_DESCRIPTION_*`, `SSL_ERROR_*`, `Purpose`) are types
//! at the crate root; `OP_*` and `VERIFY_*` are the bitflags [`crate::Options`] and
//! [`crate::VerifyFlags`].

/// `HAS_SNI`: server name indication is supported.
pub const HAS_SNI: bool = true;
/// `HAS_ECDH`: elliptic-curve key exchange is supported.
pub const HAS_ECDH: bool = true;
/// `HAS_NPN`: false, as on CPython 3.11 builds (NPN is gone; rustls never had it).
pub const HAS_NPN: bool = false;
/// `HAS_ALPN`: ALPN is supported.
pub const HAS_ALPN: bool = true;
/// `HAS_SSLv2`: false.
pub const HAS_SSLV2: bool = false;
/// `HAS_SSLv3`: false.
pub const HAS_SSLV3: bool = false;
/// `HAS_TLSv1`: **false** here (CPython on OpenSSL 3.0: true): rustls has no TLS 1.0.
pub const HAS_TLSV1: bool = false;
/// `HAS_TLSv1_1`: **false** here (CPython: true): rustls has no TLS 1.1.
pub const HAS_TLSV1_1: bool = false;
/// `HAS_TLSv1_2`: true.
pub const HAS_TLSV1_2: bool = true;
/// `HAS_TLSv1_3`: true.
pub const HAS_TLSV1_3: bool = true;
/// `HAS_NEVER_CHECK_COMMON_NAME`: true.
pub const HAS_NEVER_CHECK_COMMON_NAME: bool = true;
/// `_ssl.HAS_TLS_UNIQUE`: true. rustls does not expose the Finished messages; the
/// connection recovers the first one from its handshake records and secrets.
pub const HAS_TLS_UNIQUE: bool = true;
/// `CHANNEL_BINDING_TYPES`: `['tls-unique']`, as CPython's. `get_channel_binding` also
/// takes the RFC 9266 `tls-exporter`, which CPython 3.11 lacks, so it is not listed.
pub const CHANNEL_BINDING_TYPES: &[&str] = &["tls-unique"];

/// `_ssl.HOSTFLAG_ALWAYS_CHECK_SUBJECT` (`X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT`):
/// match the subject's commonName even when DNS subjectAltNames are present.
pub const HOSTFLAG_ALWAYS_CHECK_SUBJECT: u32 = 0x1;
/// `_ssl.HOSTFLAG_NO_WILDCARDS`: wildcards never match.
pub const HOSTFLAG_NO_WILDCARDS: u32 = 0x2;
/// `_ssl.HOSTFLAG_NO_PARTIAL_WILDCARDS`: CPython's default host flag.
pub const HOSTFLAG_NO_PARTIAL_WILDCARDS: u32 = 4;
/// `_ssl.HOSTFLAG_MULTI_LABEL_WILDCARDS`: kept in `_host_flags` but not applied (OpenSSL
/// itself ignores it since 1.1.0).
pub const HOSTFLAG_MULTI_LABEL_WILDCARDS: u32 = 0x8;
/// `_ssl.HOSTFLAG_SINGLE_LABEL_SUBDOMAINS`: kept in `_host_flags` but not applied (it
/// concerns hostnames with a leading dot, which CPython refuses as `server_hostname`).
pub const HOSTFLAG_SINGLE_LABEL_SUBDOMAINS: u32 = 0x10;
/// `_ssl.HOSTFLAG_NEVER_CHECK_SUBJECT`: set by `hostname_checks_common_name = False`.
pub const HOSTFLAG_NEVER_CHECK_SUBJECT: u32 = 0x20;

/// `ssl.PEM_HEADER`.
pub const PEM_HEADER: &str = "-----BEGIN CERTIFICATE-----";
/// `ssl.PEM_FOOTER`.
pub const PEM_FOOTER: &str = "-----END CERTIFICATE-----";

/// CPython's `_DEFAULT_CIPHERS` (also `_RESTRICTED_SERVER_CIPHERS`).
pub const DEFAULT_CIPHERS: &str =
    "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM";
