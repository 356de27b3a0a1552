//! OpenSSL 3.0's `X509_V_ERR_*` table, CPython's verification-error messages, and the
//! TLS alert OpenSSL sends for each verification code.

use rustls::{AlertDescription, CertificateError};

use crate::error::{Error, SslErrorInfo};

/// `X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT`.
pub const UNABLE_TO_GET_ISSUER_CERT: i64 = 2;
/// `X509_V_ERR_UNABLE_TO_GET_CRL`.
pub const UNABLE_TO_GET_CRL: i64 = 3;
/// `X509_V_ERR_CERT_SIGNATURE_FAILURE`.
pub const CERT_SIGNATURE_FAILURE: i64 = 7;
/// `X509_V_ERR_CRL_SIGNATURE_FAILURE`.
pub const CRL_SIGNATURE_FAILURE: i64 = 8;
/// `X509_V_ERR_CERT_NOT_YET_VALID`.
pub const CERT_NOT_YET_VALID: i64 = 9;
/// `X509_V_ERR_CERT_HAS_EXPIRED`.
pub const CERT_HAS_EXPIRED: i64 = 10;
/// `X509_V_ERR_CRL_NOT_YET_VALID`.
pub const CRL_NOT_YET_VALID: i64 = 11;
/// `X509_V_ERR_CRL_HAS_EXPIRED`.
pub const CRL_HAS_EXPIRED: i64 = 12;
/// `X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT`.
pub const DEPTH_ZERO_SELF_SIGNED_CERT: i64 = 18;
/// `X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN`.
pub const SELF_SIGNED_CERT_IN_CHAIN: i64 = 19;
/// `X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY`.
pub const UNABLE_TO_GET_ISSUER_CERT_LOCALLY: i64 = 20;
/// `X509_V_ERR_CERT_CHAIN_TOO_LONG`.
pub const CERT_CHAIN_TOO_LONG: i64 = 22;
/// `X509_V_ERR_CERT_REVOKED`.
pub const CERT_REVOKED: i64 = 23;
/// `X509_V_ERR_PATH_LENGTH_EXCEEDED`.
pub const PATH_LENGTH_EXCEEDED: i64 = 25;
/// `X509_V_ERR_INVALID_PURPOSE`.
pub const INVALID_PURPOSE: i64 = 26;
/// `X509_V_ERR_KEYUSAGE_NO_CRL_SIGN`.
pub const KEYUSAGE_NO_CRL_SIGN: i64 = 35;
/// `X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION`.
pub const UNHANDLED_CRITICAL_EXTENSION: i64 = 34;
/// `X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION`.
pub const UNHANDLED_CRITICAL_CRL_EXTENSION: i64 = 36;
/// `X509_V_ERR_PERMITTED_VIOLATION`.
pub const PERMITTED_VIOLATION: i64 = 47;
/// `X509_V_ERR_UNSUPPORTED_NAME_SYNTAX`.
pub const UNSUPPORTED_NAME_SYNTAX: i64 = 53;
/// `X509_V_ERR_HOSTNAME_MISMATCH`.
pub const HOSTNAME_MISMATCH: i64 = 62;
/// `X509_V_ERR_IP_ADDRESS_MISMATCH`.
pub const IP_ADDRESS_MISMATCH: i64 = 64;
/// `X509_V_ERR_EE_KEY_TOO_SMALL`.
pub const EE_KEY_TOO_SMALL: i64 = 66;
/// `X509_V_ERR_CA_KEY_TOO_SMALL`.
pub const CA_KEY_TOO_SMALL: i64 = 67;
/// `X509_V_ERR_CA_MD_TOO_WEAK`.
pub const CA_MD_TOO_WEAK: i64 = 68;
/// `X509_V_ERR_INVALID_CA`.
pub const INVALID_CA: i64 = 79;
/// `X509_V_ERR_UNSPECIFIED`.
pub const UNSPECIFIED: i64 = 1;
/// `X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY`.
pub const UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: i64 = 6;
/// `X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD`.
pub const ERROR_IN_CERT_NOT_BEFORE_FIELD: i64 = 13;
/// `X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD`.
pub const ERROR_IN_CERT_NOT_AFTER_FIELD: i64 = 14;
/// `X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD`.
pub const ERROR_IN_CRL_LAST_UPDATE_FIELD: i64 = 15;
/// `X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD`.
pub const ERROR_IN_CRL_NEXT_UPDATE_FIELD: i64 = 16;
/// `X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE`.
pub const UNABLE_TO_VERIFY_LEAF_SIGNATURE: i64 = 21;
/// `X509_V_ERR_NO_ISSUER_PUBLIC_KEY`.
pub const NO_ISSUER_PUBLIC_KEY: i64 = 24;
/// `X509_V_ERR_AKID_SKID_MISMATCH`.
pub const AKID_SKID_MISMATCH: i64 = 30;
/// `X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH`.
pub const AKID_ISSUER_SERIAL_MISMATCH: i64 = 31;
/// `X509_V_ERR_KEYUSAGE_NO_CERTSIGN`.
pub const KEYUSAGE_NO_CERTSIGN: i64 = 32;
/// `X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER`.
pub const UNABLE_TO_GET_CRL_ISSUER: i64 = 33;
/// `X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED`.
pub const PROXY_CERTIFICATES_NOT_ALLOWED: i64 = 40;
/// `X509_V_ERR_DIFFERENT_CRL_SCOPE`.
pub const DIFFERENT_CRL_SCOPE: i64 = 44;
/// `X509_V_ERR_EXCLUDED_VIOLATION`.
pub const EXCLUDED_VIOLATION: i64 = 48;
/// `X509_V_ERR_SUBTREE_MINMAX`.
pub const SUBTREE_MINMAX: i64 = 49;
/// `X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE`.
pub const UNSUPPORTED_CONSTRAINT_TYPE: i64 = 51;
/// `X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM`.
pub const UNSUPPORTED_SIGNATURE_ALGORITHM: i64 = 76;
/// `X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH`.
pub const SIGNATURE_ALGORITHM_MISMATCH: i64 = 77;
/// `X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY`.
pub const SIGNATURE_ALGORITHM_INCONSISTENCY: i64 = 78;
/// `X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA`.
pub const PATHLEN_INVALID_FOR_NON_CA: i64 = 80;
/// `X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN`.
pub const PATHLEN_WITHOUT_KU_KEY_CERT_SIGN: i64 = 81;
/// `X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA`.
pub const KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA: i64 = 82;
/// `X509_V_ERR_ISSUER_NAME_EMPTY`.
pub const ISSUER_NAME_EMPTY: i64 = 83;
/// `X509_V_ERR_SUBJECT_NAME_EMPTY`.
pub const SUBJECT_NAME_EMPTY: i64 = 84;
/// `X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER`.
pub const MISSING_AUTHORITY_KEY_IDENTIFIER: i64 = 85;
/// `X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER`.
pub const MISSING_SUBJECT_KEY_IDENTIFIER: i64 = 86;
/// `X509_V_ERR_EMPTY_SUBJECT_ALT_NAME`.
pub const EMPTY_SUBJECT_ALT_NAME: i64 = 87;
/// `X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL`.
pub const EMPTY_SUBJECT_SAN_NOT_CRITICAL: i64 = 88;
/// `X509_V_ERR_CA_BCONS_NOT_CRITICAL`.
pub const CA_BCONS_NOT_CRITICAL: i64 = 89;
/// `X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL`.
pub const AUTHORITY_KEY_IDENTIFIER_CRITICAL: i64 = 90;
/// `X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL`.
pub const SUBJECT_KEY_IDENTIFIER_CRITICAL: i64 = 91;
/// `X509_V_ERR_CA_CERT_MISSING_KEY_USAGE`.
pub const CA_CERT_MISSING_KEY_USAGE: i64 = 92;
/// `X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3`.
pub const EXTENSIONS_REQUIRE_VERSION_3: i64 = 93;
/// `X509_V_ERR_EC_KEY_EXPLICIT_PARAMS`.
pub const EC_KEY_EXPLICIT_PARAMS: i64 = 94;

/// OpenSSL 3.0's `X509_verify_cert_error_string(code)`.
pub fn verify_error_string(code: i64) -> &'static str {
    match code {
        0 => "ok",
        1 => "unspecified certificate verification error",
        2 => "unable to get issuer certificate",
        3 => "unable to get certificate CRL",
        4 => "unable to decrypt certificate's signature",
        5 => "unable to decrypt CRL's signature",
        6 => "unable to decode issuer public key",
        7 => "certificate signature failure",
        8 => "CRL signature failure",
        9 => "certificate is not yet valid",
        10 => "certificate has expired",
        11 => "CRL is not yet valid",
        12 => "CRL has expired",
        13 => "format error in certificate's notBefore field",
        14 => "format error in certificate's notAfter field",
        15 => "format error in CRL's lastUpdate field",
        16 => "format error in CRL's nextUpdate field",
        17 => "out of memory",
        18 => "self-signed certificate",
        19 => "self-signed certificate in certificate chain",
        20 => "unable to get local issuer certificate",
        21 => "unable to verify the first certificate",
        22 => "certificate chain too long",
        23 => "certificate revoked",
        24 => "issuer certificate doesn't have a public key",
        25 => "path length constraint exceeded",
        26 => "unsuitable certificate purpose",
        27 => "certificate not trusted",
        28 => "certificate rejected",
        29 => "subject issuer mismatch",
        30 => "authority and subject key identifier mismatch",
        31 => "authority and issuer serial number mismatch",
        32 => "key usage does not include certificate signing",
        33 => "unable to get CRL issuer certificate",
        34 => "unhandled critical extension",
        35 => "key usage does not include CRL signing",
        36 => "unhandled critical CRL extension",
        37 => "invalid non-CA certificate (has CA markings)",
        38 => "proxy path length constraint exceeded",
        39 => "key usage does not include digital signature",
        40 => "proxy certificates not allowed, please set the appropriate flag",
        41 => "invalid or inconsistent certificate extension",
        42 => "invalid or inconsistent certificate policy extension",
        43 => "no explicit policy",
        44 => "different CRL scope",
        45 => "unsupported extension feature",
        46 => "RFC 3779 resource not subset of parent's resources",
        47 => "permitted subtree violation",
        48 => "excluded subtree violation",
        49 => "name constraints minimum and maximum not supported",
        50 => "application verification failure",
        51 => "unsupported name constraint type",
        52 => "unsupported or invalid name constraint syntax",
        53 => "unsupported or invalid name syntax",
        54 => "CRL path validation error",
        55 => "path loop",
        56 => "Suite B: certificate version invalid",
        57 => "Suite B: invalid public key algorithm",
        58 => "Suite B: invalid ECC curve",
        59 => "Suite B: invalid signature algorithm",
        60 => "Suite B: curve not allowed for this LOS",
        61 => "Suite B: cannot sign P-384 with P-256",
        62 => "hostname mismatch",
        63 => "email address mismatch",
        64 => "IP address mismatch",
        65 => "no matching DANE TLSA records",
        66 => "EE certificate key too weak",
        67 => "CA certificate key too weak",
        68 => "CA signature digest algorithm too weak",
        69 => "invalid certificate verification context",
        70 => "issuer certificate lookup error",
        71 => "Certificate Transparency required, but no valid SCTs found",
        72 => "proxy subject name violation",
        73 => "OCSP verification needed",
        74 => "OCSP verification failed",
        75 => "OCSP unknown cert",
        76 => "Cannot find certificate signature algorithm",
        77 => "subject signature algorithm and issuer public key algorithm mismatch",
        78 => "cert info signature and signature algorithm mismatch",
        79 => "invalid CA certificate",
        80 => "Path length invalid for non-CA cert",
        81 => "Path length given without key usage keyCertSign",
        82 => "Key usage keyCertSign invalid for non-CA cert",
        83 => "Issuer name empty",
        84 => "Subject name empty",
        85 => "Missing Authority Key Identifier",
        86 => "Missing Subject Key Identifier",
        87 => "Empty Subject Alternative Name extension",
        88 => "Subject empty and Subject Alt Name extension not critical",
        89 => "Basic Constraints of CA cert not marked critical",
        90 => "Authority Key Identifier marked critical",
        91 => "Subject Key Identifier marked critical",
        92 => "CA cert does not include key usage extension",
        93 => "Using cert extension requires at least X509v3",
        94 => "Certificate public key has explicit ECC parameters",
        _ => "unknown certificate verification error",
    }
}

/// CPython's `verify_message` for a code: the hostname and IP codes name the
/// `server_hostname`, every other code is OpenSSL's string.
pub fn verify_message(code: i64, server_hostname: Option<&str>) -> String {
    match (code, server_hostname) {
        (HOSTNAME_MISMATCH, Some(h)) => {
            format!("Hostname mismatch, certificate is not valid for '{h}'.")
        }
        (IP_ADDRESS_MISMATCH, Some(h)) => {
            format!("IP address mismatch, certificate is not valid for '{h}'.")
        }
        _ => verify_error_string(code).to_string(),
    }
}

/// A recorded verification failure: OpenSSL's code and CPython's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFailure {
    /// `verify_code` (`X509_V_ERR_*`).
    pub code: i64,
    /// `verify_message`.
    pub message: String,
}

impl VerifyFailure {
    /// A failure with OpenSSL's message for `code` (the hostname codes name the host).
    pub fn new(code: i64, server_hostname: Option<&str>) -> Self {
        VerifyFailure {
            code,
            message: verify_message(code, server_hostname),
        }
    }

    /// The `ssl.SSLCertVerificationError` CPython raises for this failure.
    pub fn to_error(&self) -> Error {
        cert_verification_error(self.code, &self.message)
    }

    /// The alert OpenSSL sends for this failure (`ssl_x509err2alert`).
    pub fn alert(&self) -> AlertDescription {
        alert_for_code(self.code)
    }

    /// The error a verifier returns to rustls. Inside a capture (the crate's own
    /// connections, which read the failure from the capture): the `CertificateError`
    /// whose alert is the one OpenSSL sends for this code. Outside one (rustls driven by
    /// another stack): `CertificateError::Other` carrying this failure, so the caller
    /// keeps the code and message.
    pub(crate) fn rustls_error(&self, captured: bool) -> rustls::Error {
        if captured {
            rustls_error_for_code(self.code)
        } else {
            rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(
                std::sync::Arc::new(self.clone()),
            )))
        }
    }
}

impl std::fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "certificate verify failed: {} ({})",
            self.message, self.code
        )
    }
}

impl std::error::Error for VerifyFailure {}

/// `ssl.SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify
/// failed: <verify_message>')` with `verify_code` / `verify_message` set.
pub fn cert_verification_error(code: i64, verify_message: &str) -> Error {
    Error::SslCertVerificationError {
        info: SslErrorInfo::new(
            Some(1),
            Some("SSL"),
            Some(crate::error::Reason::CertificateVerifyFailed),
            format!("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {verify_message}"),
        ),
        verify_code: code,
        verify_message: verify_message.to_string(),
    }
}

/// The alert OpenSSL 3.0 sends for a verification code (`ssl_x509err2alert`); unknown
/// codes give `certificate_unknown`.
pub fn alert_for_code(code: i64) -> AlertDescription {
    use AlertDescription as A;
    match code {
        50 => A::HandshakeFailure,
        67 | 94 | 68 | 9 | 28 | 27 | 11 | 65 | 66 | 63 | 14 | 13 | 15 | 16 | 62 | 64 | 6 | 4
        | 5 => A::BadCertificate,
        22 | 79 | 25 | 19 | 3 | 33 | 2 | 20 | 21 | 18 => A::UnknownCA,
        10 | 12 => A::CertificateExpired,
        23 => A::CertificateRevoked,
        7 | 8 => A::DecryptError,
        69 | 17 | 70 | 1 => A::InternalError,
        26 => A::UnsupportedCertificate,
        _ => A::CertificateUnknown,
    }
}

/// A rustls error that makes rustls send [`alert_for_code`]`(code)`: rustls picks the alert
/// from the `CertificateError` variant, so the variant is chosen by alert, not by meaning.
/// The real code travels in the verifier's failure slot.
pub fn rustls_error_for_code(code: i64) -> rustls::Error {
    use AlertDescription as A;
    let e = match alert_for_code(code) {
        A::BadCertificate => CertificateError::BadEncoding,
        A::UnknownCA => CertificateError::UnknownIssuer,
        A::CertificateExpired => CertificateError::Expired,
        A::CertificateRevoked => CertificateError::Revoked,
        A::DecryptError => CertificateError::BadSignature,
        A::UnsupportedCertificate => CertificateError::InvalidPurpose,
        // HandshakeFailure / InternalError: rustls sends handshake_failure for a
        // non-certificate error.
        A::HandshakeFailure | A::InternalError => {
            return rustls::Error::General(verify_error_string(code).to_string())
        }
        _ => CertificateError::Other(rustls::OtherError(std::sync::Arc::new(VerifyFailure::new(
            code, None,
        )))),
    };
    rustls::Error::InvalidCertificate(e)
}
