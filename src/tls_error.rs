//! Turning rustls's errors and alerts into the exceptions CPython raises for the same
//! condition on OpenSSL (`[SSL: REASON] reason string`, errno = `SSL_ERROR_*`), for
//! the context (configuration errors) and the connections alike.

use rustls::{AlertDescription, PeerIncompatible, PeerMisbehaved};

use crate::enums::SslErrorNumber;
use crate::error::{Error, SslErrorInfo};

/// OpenSSL's reason name for a received alert (reason code 1000 + alert), as CPython's
/// table has it; `None` for alerts CPython's table lacks (115, 120, 0, ...).
pub(crate) fn alert_reason(alert: u8) -> Option<&'static str> {
    Some(match alert {
        10 => "SSLV3_ALERT_UNEXPECTED_MESSAGE",
        20 => "SSLV3_ALERT_BAD_RECORD_MAC",
        21 => "TLSV1_ALERT_DECRYPTION_FAILED",
        22 => "TLSV1_ALERT_RECORD_OVERFLOW",
        30 => "SSLV3_ALERT_DECOMPRESSION_FAILURE",
        40 => "SSLV3_ALERT_HANDSHAKE_FAILURE",
        41 => "SSLV3_ALERT_NO_CERTIFICATE",
        42 => "SSLV3_ALERT_BAD_CERTIFICATE",
        43 => "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
        44 => "SSLV3_ALERT_CERTIFICATE_REVOKED",
        45 => "SSLV3_ALERT_CERTIFICATE_EXPIRED",
        46 => "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        47 => "SSLV3_ALERT_ILLEGAL_PARAMETER",
        48 => "TLSV1_ALERT_UNKNOWN_CA",
        49 => "TLSV1_ALERT_ACCESS_DENIED",
        50 => "TLSV1_ALERT_DECODE_ERROR",
        51 => "TLSV1_ALERT_DECRYPT_ERROR",
        60 => "TLSV1_ALERT_EXPORT_RESTRICTION",
        70 => "TLSV1_ALERT_PROTOCOL_VERSION",
        71 => "TLSV1_ALERT_INSUFFICIENT_SECURITY",
        80 => "TLSV1_ALERT_INTERNAL_ERROR",
        86 => "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
        90 => "TLSV1_ALERT_USER_CANCELLED",
        100 => "TLSV1_ALERT_NO_RENEGOTIATION",
        109 => "TLSV13_ALERT_MISSING_EXTENSION",
        110 => "TLSV1_UNSUPPORTED_EXTENSION",
        111 => "TLSV1_CERTIFICATE_UNOBTAINABLE",
        112 => "TLSV1_UNRECOGNIZED_NAME",
        113 => "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE",
        114 => "TLSV1_BAD_CERTIFICATE_HASH_VALUE",
        116 => "TLSV13_ALERT_CERTIFICATE_REQUIRED",
        _ => return None,
    })
}

/// OpenSSL's text for alerts CPython's table has no name for.
fn unnamed_alert_text(alert: u8) -> &'static str {
    match alert {
        115 => "tlsv1 alert unknown psk identity",
        120 => "tlsv1 alert no application protocol",
        _ => "unknown error",
    }
}

/// A connection-level `SSLError` with errno `SSL_ERROR_SSL` (1).
pub(crate) fn ssl(reason: &str) -> Error {
    Error::SslError(SslErrorInfo::openssl(
        SslErrorNumber::Ssl as i64,
        "SSL",
        reason,
    ))
}

/// `SSLError` for a fatal alert received from the peer.
pub(crate) fn alert_received(alert: u8) -> Error {
    match alert_reason(alert) {
        Some(reason) => ssl(reason),
        None => Error::SslError(SslErrorInfo::openssl_common(
            SslErrorNumber::Ssl as i64,
            "SSL",
            unnamed_alert_text(alert),
        )),
    }
}

/// `SSLWantReadError(2, 'The operation did not complete (read)')`.
pub(crate) fn want_read() -> Error {
    Error::SslWantReadError(SslErrorInfo::with_errno(
        SslErrorNumber::WantRead as i64,
        "The operation did not complete (read)",
    ))
}

/// `SSLWantWriteError(3, 'The operation did not complete (write)')`.
pub(crate) fn want_write() -> Error {
    Error::SslWantWriteError(SslErrorInfo::with_errno(
        SslErrorNumber::WantWrite as i64,
        "The operation did not complete (write)",
    ))
}

/// `SSLZeroReturnError(6, 'TLS/SSL connection has been closed (EOF)')`.
pub(crate) fn zero_return() -> Error {
    Error::SslZeroReturnError(SslErrorInfo::with_errno(
        SslErrorNumber::ZeroReturn as i64,
        "TLS/SSL connection has been closed (EOF)",
    ))
}

/// `SSLEOFError`: the first one carries OpenSSL's `UNEXPECTED_EOF_WHILE_READING`
/// reason; later ones are the bare `EOF occurred in violation of protocol`.
pub(crate) fn unexpected_eof(first: bool) -> Error {
    if first {
        Error::SslEofError(SslErrorInfo::openssl(
            SslErrorNumber::Eof as i64,
            "SSL",
            "UNEXPECTED_EOF_WHILE_READING",
        ))
    } else {
        Error::SslEofError(SslErrorInfo::with_errno(
            SslErrorNumber::Eof as i64,
            "EOF occurred in violation of protocol",
        ))
    }
}

/// `SSLSyscallError(5, 'Some I/O error occurred')`: an operation on a connection whose
/// handshake already failed.
pub(crate) fn syscall_error() -> Error {
    Error::SslSyscallError(SslErrorInfo::with_errno(
        SslErrorNumber::Syscall as i64,
        "Some I/O error occurred",
    ))
}

/// Maps a rustls error (other than certificate verification, which the verifier
/// reports with OpenSSL's code) to CPython's exception.
pub(crate) fn from_rustls(err: &rustls::Error, server_side: bool) -> Error {
    with_source(map_rustls(err, server_side), err.clone())
}

/// Keeps `source` under the mapped error (`std::error::Error::source`).
fn with_source(e: Error, source: rustls::Error) -> Error {
    match e {
        Error::SslError(i) => Error::SslError(i.with_source(source)),
        Error::SslZeroReturnError(i) => Error::SslZeroReturnError(i.with_source(source)),
        Error::SslEofError(i) => Error::SslEofError(i.with_source(source)),
        Error::SslSyscallError(i) => Error::SslSyscallError(i.with_source(source)),
        other => other,
    }
}

fn map_rustls(err: &rustls::Error, server_side: bool) -> Error {
    use rustls::Error as E;
    match err {
        E::AlertReceived(AlertDescription::CloseNotify) => zero_return(),
        E::AlertReceived(alert) => alert_received(u8::from(*alert)),
        E::NoCertificatesPresented => ssl("PEER_DID_NOT_RETURN_A_CERTIFICATE"),
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
            ssl("UNEXPECTED_MESSAGE")
        }
        E::DecryptError => ssl("DECRYPTION_FAILED_OR_BAD_RECORD_MAC"),
        E::NoApplicationProtocol => ssl("NO_APPLICATION_PROTOCOL"),
        E::PeerIncompatible(p) => match p {
            PeerIncompatible::NoCipherSuitesInCommon => {
                if server_side {
                    ssl("NO_SHARED_CIPHER")
                } else {
                    ssl("SSLV3_ALERT_HANDSHAKE_FAILURE")
                }
            }
            // TLS 1.3 without a usable key share (TLS 1.2 without a common group ends
            // as NoCipherSuitesInCommon: no ECDHE suite is usable).
            PeerIncompatible::NoKxGroupsInCommon => {
                if server_side {
                    ssl("NO_SUITABLE_KEY_SHARE")
                } else {
                    ssl("SSLV3_ALERT_HANDSHAKE_FAILURE")
                }
            }
            PeerIncompatible::Tls12NotOffered
            | PeerIncompatible::Tls12NotOfferedOrEnabled
            | PeerIncompatible::Tls13RequiredForQuic
            | PeerIncompatible::SupportedVersionsExtensionRequired
            | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig => {
                ssl("UNSUPPORTED_PROTOCOL")
            }
            PeerIncompatible::NoSignatureSchemesInCommon
            | PeerIncompatible::SignatureAlgorithmsExtensionRequired => {
                ssl("NO_SHARED_SIGNATURE_ALGORITHMS")
            }
            _ => ssl("HANDSHAKE_FAILURE"),
        },
        E::PeerMisbehaved(m) => match m {
            PeerMisbehaved::SelectedUnofferedApplicationProtocol => ssl("BAD_EXTENSION"),
            _ => generic("peer misbehaved", err),
        },
        E::InvalidMessage(_) => ssl("UNEXPECTED_MESSAGE"),
        E::InvalidCertificate(_) => ssl("CERTIFICATE_VERIFY_FAILED"),
        _ => generic("rustls", err),
    }
}

/// An `SSLError` without an OpenSSL reason name: `[SSL] <what rustls said>`.
fn generic(what: &str, err: &rustls::Error) -> Error {
    Error::SslError(SslErrorInfo::openssl_common(
        SslErrorNumber::Ssl as i64,
        "SSL",
        &format!("{what}: {err}"),
    ))
}

/// A rustls configuration error, as the handshake-time `SSLError` OpenSSL would give
/// (the context decides `NO_CIPHERS_AVAILABLE` itself before rustls is asked).
pub(crate) fn config_error(err: &rustls::Error) -> Error {
    from_rustls(err, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_messages_match_openssl() {
        assert_eq!(
            alert_received(48).to_string(),
            "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca"
        );
        assert_eq!(
            alert_received(120).to_string(),
            "[SSL] tlsv1 alert no application protocol"
        );
        assert_eq!(alert_received(120).reason(), None);
        assert_eq!(
            unexpected_eof(true).to_string(),
            "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol"
        );
        assert_eq!(unexpected_eof(false).reason(), None);
    }
}
