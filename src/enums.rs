//! CPython's enumerations of the `ssl` module, with CPython's numeric values and names:
//! `Protocol` (`PROTOCOL_*`), `VerifyMode` (`CERT_*`), `TlsVersion`,
//! `AlertDescription` (`ALERT_DESCRIPTION_*`), `SslErrorNumber` (`SSL_ERROR_*`) and
//! `Purpose`. Re-exported at the crate root.

use crate::error::{Error, Result};

macro_rules! int_enum {
    (
        $(#[$meta:meta])*
        $name:ident : $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr, $pyname:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(non_camel_case_types)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $value, )*
        }

        impl $name {
            /// Every member, in CPython's definition order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The member's integer value (what `int(member)` gives in Python).
            pub fn value(self) -> i64 {
                self as i64
            }

            /// The member's Python name (what `member.name` gives).
            pub fn name(self) -> &'static str {
                match self { $( $name::$variant => $pyname, )* }
            }

            /// The member with Python name `name`.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $( $pyname => Some($name::$variant), )* _ => None }
            }

            /// The member with value `value`, if any.
            pub fn from_value(value: i64) -> Option<Self> {
                $( if value == $value { return Some($name::$variant); } )*
                None
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}.{}", $what, self.name())
            }
        }
    };
}

int_enum! {
    /// `ssl._SSLMethod`: the protocol a context is made for (`PROTOCOL_*`).
    #[doc(alias = "_SSLMethod")]
    Protocol: "_SSLMethod" {
        /// `PROTOCOL_TLS` (= `PROTOCOL_SSLv23`): either side, any version.
        Tls = 2, "PROTOCOL_TLS";
        /// `PROTOCOL_TLSv1`: refused here (rustls has no TLS 1.0).
        TlsV1 = 3, "PROTOCOL_TLSv1";
        /// `PROTOCOL_TLSv1_1`: refused here (rustls has no TLS 1.1).
        TlsV1_1 = 4, "PROTOCOL_TLSv1_1";
        /// `PROTOCOL_TLSv1_2`: a fixed-version TLS 1.2 context.
        TlsV1_2 = 5, "PROTOCOL_TLSv1_2";
        /// `PROTOCOL_TLS_CLIENT`: client side, verification on by default.
        TlsClient = 16, "PROTOCOL_TLS_CLIENT";
        /// `PROTOCOL_TLS_SERVER`: server side.
        TlsServer = 17, "PROTOCOL_TLS_SERVER";
    }
}

impl Protocol {
    /// `PROTOCOL_SSLv23`, CPython's alias of `PROTOCOL_TLS`.
    pub const SSLV23: Protocol = Protocol::Tls;

    /// Whether the protocol pins one version (`PROTOCOL_TLSv1*`): such contexts refuse
    /// `minimum_version` / `maximum_version` changes.
    pub fn is_fixed_version(self) -> bool {
        matches!(
            self,
            Protocol::TlsV1 | Protocol::TlsV1_1 | Protocol::TlsV1_2
        )
    }

    /// The `SSLContext(protocol)` check for an integer: CPython's
    /// `ValueError('invalid or unsupported protocol version N')`.
    pub fn from_int(value: i64) -> Result<Self> {
        Protocol::from_value(value)
            .ok_or_else(|| Error::value(format!("invalid or unsupported protocol version {value}")))
    }
}

int_enum! {
    /// `ssl.VerifyMode` (`CERT_*`).
    #[doc(alias = "CERT_REQUIRED")]
    VerifyMode: "VerifyMode" {
        /// `CERT_NONE`: the peer's certificate is not verified.
        CertNone = 0, "CERT_NONE";
        /// `CERT_OPTIONAL`: verified if sent; a server requests but does not require one.
        CertOptional = 1, "CERT_OPTIONAL";
        /// `CERT_REQUIRED`: a verified certificate is required.
        CertRequired = 2, "CERT_REQUIRED";
    }
}

impl VerifyMode {
    /// The `verify_mode` setter's check: `ValueError('invalid value for verify_mode')`.
    pub fn from_int(value: i64) -> Result<Self> {
        VerifyMode::from_value(value).ok_or_else(|| Error::value("invalid value for verify_mode"))
    }
}

int_enum! {
    /// `ssl.TLSVersion`.
    #[doc(alias = "TLSVersion")]
    TlsVersion: "TLSVersion" {
        /// `MINIMUM_SUPPORTED` (-2).
        MINIMUM_SUPPORTED = -2, "MINIMUM_SUPPORTED";
        /// `SSLv3` (0x300): accepted as a bound, acts as TLS 1.2 under rustls.
        SSLv3 = 768, "SSLv3";
        /// `TLSv1` (0x301): accepted as a bound, acts as TLS 1.2 under rustls.
        TLSv1 = 769, "TLSv1";
        /// `TLSv1_1` (0x302): accepted as a bound, acts as TLS 1.2 under rustls.
        TLSv1_1 = 770, "TLSv1_1";
        /// `TLSv1_2` (0x303).
        TLSv1_2 = 771, "TLSv1_2";
        /// `TLSv1_3` (0x304).
        TLSv1_3 = 772, "TLSv1_3";
        /// `MAXIMUM_SUPPORTED` (-1).
        MAXIMUM_SUPPORTED = -1, "MAXIMUM_SUPPORTED";
    }
}

impl TlsVersion {
    /// The `minimum_version` / `maximum_version` setters' value check:
    /// `ValueError('Unsupported TLS/SSL version 0x…')` for anything not a member.
    pub fn from_int(value: i64) -> Result<Self> {
        if value > i64::from(i32::MAX) {
            return Err(Error::OverflowError("Option is too long".into()));
        }
        TlsVersion::from_value(value).ok_or_else(|| {
            Error::value(format!("Unsupported TLS/SSL version 0x{:x}", value as u32))
        })
    }

    /// The protocol version number on the wire (0x0303 for TLS 1.2), or `None` for the
    /// `MINIMUM_SUPPORTED` / `MAXIMUM_SUPPORTED` placeholders.
    pub fn wire(self) -> Option<u16> {
        match self {
            TlsVersion::MINIMUM_SUPPORTED | TlsVersion::MAXIMUM_SUPPORTED => None,
            v => Some(v as u16),
        }
    }

    /// The version string `SSLObject.version()` prints for it (`"TLSv1.3"`).
    pub fn version_string(self) -> Option<&'static str> {
        match self {
            TlsVersion::SSLv3 => Some("SSLv3"),
            TlsVersion::TLSv1 => Some("TLSv1"),
            TlsVersion::TLSv1_1 => Some("TLSv1.1"),
            TlsVersion::TLSv1_2 => Some("TLSv1.2"),
            TlsVersion::TLSv1_3 => Some("TLSv1.3"),
            _ => None,
        }
    }
}

int_enum! {
    /// `ssl.AlertDescription` (`ALERT_DESCRIPTION_*`).
    AlertDescription: "AlertDescription" {
        /// close_notify (0).
        CloseNotify = 0, "ALERT_DESCRIPTION_CLOSE_NOTIFY";
        /// unexpected_message (10).
        UnexpectedMessage = 10, "ALERT_DESCRIPTION_UNEXPECTED_MESSAGE";
        /// bad_record_mac (20).
        BadRecordMac = 20, "ALERT_DESCRIPTION_BAD_RECORD_MAC";
        /// record_overflow (22).
        RecordOverflow = 22, "ALERT_DESCRIPTION_RECORD_OVERFLOW";
        /// decompression_failure (30).
        DecompressionFailure = 30, "ALERT_DESCRIPTION_DECOMPRESSION_FAILURE";
        /// handshake_failure (40).
        HandshakeFailure = 40, "ALERT_DESCRIPTION_HANDSHAKE_FAILURE";
        /// bad_certificate (42).
        BadCertificate = 42, "ALERT_DESCRIPTION_BAD_CERTIFICATE";
        /// unsupported_certificate (43).
        UnsupportedCertificate = 43, "ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE";
        /// certificate_revoked (44).
        CertificateRevoked = 44, "ALERT_DESCRIPTION_CERTIFICATE_REVOKED";
        /// certificate_expired (45).
        CertificateExpired = 45, "ALERT_DESCRIPTION_CERTIFICATE_EXPIRED";
        /// certificate_unknown (46).
        CertificateUnknown = 46, "ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN";
        /// illegal_parameter (47).
        IllegalParameter = 47, "ALERT_DESCRIPTION_ILLEGAL_PARAMETER";
        /// unknown_ca (48).
        UnknownCa = 48, "ALERT_DESCRIPTION_UNKNOWN_CA";
        /// access_denied (49).
        AccessDenied = 49, "ALERT_DESCRIPTION_ACCESS_DENIED";
        /// decode_error (50).
        DecodeError = 50, "ALERT_DESCRIPTION_DECODE_ERROR";
        /// decrypt_error (51).
        DecryptError = 51, "ALERT_DESCRIPTION_DECRYPT_ERROR";
        /// protocol_version (70).
        ProtocolVersion = 70, "ALERT_DESCRIPTION_PROTOCOL_VERSION";
        /// insufficient_security (71).
        InsufficientSecurity = 71, "ALERT_DESCRIPTION_INSUFFICIENT_SECURITY";
        /// internal_error (80).
        InternalError = 80, "ALERT_DESCRIPTION_INTERNAL_ERROR";
        /// user_canceled (90).
        UserCancelled = 90, "ALERT_DESCRIPTION_USER_CANCELLED";
        /// no_renegotiation (100).
        NoRenegotiation = 100, "ALERT_DESCRIPTION_NO_RENEGOTIATION";
        /// unsupported_extension (110).
        UnsupportedExtension = 110, "ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION";
        /// certificate_unobtainable (111).
        CertificateUnobtainable = 111, "ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE";
        /// unrecognized_name (112).
        UnrecognizedName = 112, "ALERT_DESCRIPTION_UNRECOGNIZED_NAME";
        /// bad_certificate_status_response (113).
        BadCertificateStatusResponse = 113, "ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE";
        /// bad_certificate_hash_value (114).
        BadCertificateHashValue = 114, "ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE";
        /// unknown_psk_identity (115).
        UnknownPskIdentity = 115, "ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY";
    }
}

impl From<AlertDescription> for u8 {
    /// The description byte of an alert record.
    fn from(d: AlertDescription) -> u8 {
        d as u8
    }
}

int_enum! {
    /// `ssl.SSLErrorNumber` (`SSL_ERROR_*`): the `errno` of connection errors.
    SslErrorNumber: "SSLErrorNumber" {
        /// `SSL_ERROR_SSL`.
        Ssl = 1, "SSL_ERROR_SSL";
        /// `SSL_ERROR_WANT_READ`.
        WantRead = 2, "SSL_ERROR_WANT_READ";
        /// `SSL_ERROR_WANT_WRITE`.
        WantWrite = 3, "SSL_ERROR_WANT_WRITE";
        /// `SSL_ERROR_WANT_X509_LOOKUP`.
        WantX509Lookup = 4, "SSL_ERROR_WANT_X509_LOOKUP";
        /// `SSL_ERROR_SYSCALL`.
        Syscall = 5, "SSL_ERROR_SYSCALL";
        /// `SSL_ERROR_ZERO_RETURN`.
        ZeroReturn = 6, "SSL_ERROR_ZERO_RETURN";
        /// `SSL_ERROR_WANT_CONNECT`.
        WantConnect = 7, "SSL_ERROR_WANT_CONNECT";
        /// `SSL_ERROR_EOF`.
        Eof = 8, "SSL_ERROR_EOF";
        /// `SSL_ERROR_INVALID_ERROR_CODE`.
        InvalidErrorCode = 10, "SSL_ERROR_INVALID_ERROR_CODE";
    }
}

/// `ssl.Purpose`: what a certificate is for, with OpenSSL's object identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// `Purpose.SERVER_AUTH`: verify servers (used to build client contexts).
    ServerAuth,
    /// `Purpose.CLIENT_AUTH`: verify clients (used to build server contexts).
    ClientAuth,
}

impl Purpose {
    /// OpenSSL's NID (129, 130).
    pub fn nid(self) -> i32 {
        match self {
            Purpose::ServerAuth => 129,
            Purpose::ClientAuth => 130,
        }
    }
    /// OpenSSL's short name.
    pub fn shortname(self) -> &'static str {
        match self {
            Purpose::ServerAuth => "serverAuth",
            Purpose::ClientAuth => "clientAuth",
        }
    }
    /// OpenSSL's long name.
    pub fn longname(self) -> &'static str {
        match self {
            Purpose::ServerAuth => "TLS Web Server Authentication",
            Purpose::ClientAuth => "TLS Web Client Authentication",
        }
    }
    /// The extended-key-usage OID.
    pub fn oid(self) -> &'static str {
        match self {
            Purpose::ServerAuth => "1.3.6.1.5.5.7.3.1",
            Purpose::ClientAuth => "1.3.6.1.5.5.7.3.2",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_values_and_errors() {
        assert_eq!(Protocol::from_int(16).unwrap(), Protocol::TlsClient);
        assert_eq!(
            Protocol::from_int(42).unwrap_err().to_string(),
            "invalid or unsupported protocol version 42"
        );
        assert_eq!(Protocol::SSLV23.name(), "PROTOCOL_TLS");
    }

    #[test]
    fn tls_version_errors() {
        assert_eq!(
            TlsVersion::from_int(-3).unwrap_err().to_string(),
            "Unsupported TLS/SSL version 0xfffffffd"
        );
        assert_eq!(
            TlsVersion::from_int(0x305).unwrap_err().to_string(),
            "Unsupported TLS/SSL version 0x305"
        );
        assert_eq!(
            TlsVersion::from_int(1 << 40).unwrap_err().python_class(),
            "OverflowError"
        );
    }
}
