//! The plain data behind a context: every attribute CPython keeps on an `SSL_CTX`, with
//! OpenSSL's own representation where CPython exposes it (min/max versions as OpenSSL
//! stores them, host flags, the full 64-bit options).

use std::path::PathBuf;

use crate::constants::HOSTFLAG_NO_PARTIAL_WILDCARDS;
use crate::options::{Options, VerifyFlags};
use crate::{Protocol, TlsVersion, VerifyMode};

/// A protocol version bound as OpenSSL stores it: `0` means "no bound".
pub(crate) type RawVersion = u16;

/// Everything a context holds. Cloned into each snapshot build.
#[derive(Clone)]
pub(crate) struct Settings {
    pub protocol: Protocol,
    pub options: Options,
    pub verify_mode: VerifyMode,
    pub check_hostname: bool,
    /// `SSL_CTX_get_min_proto_version`: 0 = none.
    pub min_version: RawVersion,
    /// `SSL_CTX_get_max_proto_version`: 0 = none.
    pub max_version: RawVersion,
    pub verify_flags: VerifyFlags,
    /// `_host_flags` (`X509_CHECK_FLAG_*`).
    pub host_flags: u32,
    pub post_handshake_auth: bool,
    pub security_level: u8,
    pub num_tickets: u64,
    pub keylog_filename: Option<PathBuf>,
    /// ALPN protocols in preference order (each 1..=255 bytes).
    pub alpn_protocols: Vec<Vec<u8>>,
    /// `sni_callback`.
    pub sni_callback: Option<super::sni::SniCallback>,
}

impl Settings {
    /// CPython's constructor (`_ssl__SSLContext_impl`) for `protocol`.
    pub fn new(protocol: Protocol) -> Self {
        let client = protocol == Protocol::TlsClient;
        Settings {
            protocol,
            options: Options::DEFAULT,
            verify_mode: if client {
                VerifyMode::CertRequired
            } else {
                VerifyMode::CertNone
            },
            check_hostname: client,
            min_version: if protocol.is_fixed_version() {
                0
            } else {
                TlsVersion::TLSv1_2 as u16
            },
            max_version: 0,
            verify_flags: VerifyFlags::VERIFY_X509_TRUSTED_FIRST,
            host_flags: HOSTFLAG_NO_PARTIAL_WILDCARDS,
            post_handshake_auth: false,
            security_level: 2,
            num_tickets: 2,
            keylog_filename: None,
            alpn_protocols: Vec::new(),
            sni_callback: None,
        }
    }

    /// The `minimum_version` getter: OpenSSL's 0 reads back as `MINIMUM_SUPPORTED`.
    pub fn minimum_version(&self) -> TlsVersion {
        raw_to_version(self.min_version, TlsVersion::MINIMUM_SUPPORTED)
    }

    /// The `maximum_version` getter: OpenSSL's 0 reads back as `MAXIMUM_SUPPORTED`.
    pub fn maximum_version(&self) -> TlsVersion {
        raw_to_version(self.max_version, TlsVersion::MAXIMUM_SUPPORTED)
    }
}

fn raw_to_version(raw: RawVersion, zero: TlsVersion) -> TlsVersion {
    if raw == 0 {
        zero
    } else {
        TlsVersion::from_value(i64::from(raw)).unwrap_or(zero)
    }
}
