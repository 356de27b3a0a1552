//! Turning rustls's errors and alerts into the exceptions CPython raises for the same
//! condition on OpenSSL (`[SSL: REASON] reason string`, errno = `SSL_ERROR_*`), for
//! the context (configuration errors) and the connections alike.

use rustls::{AlertDescription, PeerIncompatible, PeerMisbehaved};

use crate::enums::SslErrorNumber;
use crate::error::{Error, Reason, SslErrorInfo};

/// OpenSSL's reason name for a received alert (reason code 1000 + alert), as CPython's
/// table has it; `None` for alerts CPython's table lacks (115, 120, 0, ...).
pub(crate) fn alert_reason(alert: u8) -> Option<Reason> {
    Some(match alert {
        10 => Reason::Sslv3AlertUnexpectedMessage,
        20 => Reason::Sslv3AlertBadRecordMac,
        21 => Reason::Tlsv1AlertDecryptionFailed,
        22 => Reason::Tlsv1AlertRecordOverflow,
        30 => Reason::Sslv3AlertDecompressionFailure,
        40 => Reason::Sslv3AlertHandshakeFailure,
        41 => Reason::Sslv3AlertNoCertificate,
        42 => Reason::Sslv3AlertBadCertificate,
        43 => Reason::Sslv3AlertUnsupportedCertificate,
        44 => Reason::Sslv3AlertCertificateRevoked,
        45 => Reason::Sslv3AlertCertificateExpired,
        46 => Reason::Sslv3AlertCertificateUnknown,
        47 => Reason::Sslv3AlertIllegalParameter,
        48 => Reason::Tlsv1AlertUnknownCa,
        49 => Reason::Tlsv1AlertAccessDenied,
        50 => Reason::Tlsv1AlertDecodeError,
        51 => Reason::Tlsv1AlertDecryptError,
        60 => Reason::Tlsv1AlertExportRestriction,
        70 => Reason::Tlsv1AlertProtocolVersion,
        71 => Reason::Tlsv1AlertInsufficientSecurity,
        80 => Reason::Tlsv1AlertInternalError,
        86 => Reason::Tlsv1AlertInappropriateFallback,
        90 => Reason::Tlsv1AlertUserCancelled,
        100 => Reason::Tlsv1AlertNoRenegotiation,
        109 => Reason::Tlsv13AlertMissingExtension,
        110 => Reason::Tlsv1UnsupportedExtension,
        111 => Reason::Tlsv1CertificateUnobtainable,
        112 => Reason::Tlsv1UnrecognizedName,
        113 => Reason::Tlsv1BadCertificateStatusResponse,
        114 => Reason::Tlsv1BadCertificateHashValue,
        116 => Reason::Tlsv13AlertCertificateRequired,
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
pub(crate) fn ssl(reason: Reason) -> Error {
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
    Error::SslWantReadError(SslErrorInfo::with_errno_static(
        SslErrorNumber::WantRead as i64,
        "The operation did not complete (read)",
    ))
}

/// `SSLWantWriteError(3, 'The operation did not complete (write)')`.
pub(crate) fn want_write() -> Error {
    Error::SslWantWriteError(SslErrorInfo::with_errno_static(
        SslErrorNumber::WantWrite as i64,
        "The operation did not complete (write)",
    ))
}

/// `SSLZeroReturnError(6, 'TLS/SSL connection has been closed (EOF)')`.
pub(crate) fn zero_return() -> Error {
    Error::SslZeroReturnError(SslErrorInfo::with_errno_static(
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
            Reason::UnexpectedEofWhileReading,
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
    Error::SslSyscallError(SslErrorInfo::with_errno_static(
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
        E::NoCertificatesPresented => ssl(Reason::PeerDidNotReturnACertificate),
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
            ssl(Reason::UnexpectedMessage)
        }
        E::DecryptError => ssl(Reason::DecryptionFailedOrBadRecordMac),
        E::NoApplicationProtocol => ssl(Reason::NoApplicationProtocol),
        E::PeerIncompatible(p) => match p {
            PeerIncompatible::NoCipherSuitesInCommon => {
                if server_side {
                    ssl(Reason::NoSharedCipher)
                } else {
                    ssl(Reason::Sslv3AlertHandshakeFailure)
                }
            }
            // TLS 1.3 without a usable key share (TLS 1.2 without a common group ends
            // as NoCipherSuitesInCommon: no ECDHE suite is usable).
            PeerIncompatible::NoKxGroupsInCommon => {
                if server_side {
                    ssl(Reason::NoSuitableKeyShare)
                } else {
                    ssl(Reason::Sslv3AlertHandshakeFailure)
                }
            }
            PeerIncompatible::Tls12NotOffered
            | PeerIncompatible::Tls12NotOfferedOrEnabled
            | PeerIncompatible::Tls13RequiredForQuic
            | PeerIncompatible::SupportedVersionsExtensionRequired
            | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig => {
                ssl(Reason::UnsupportedProtocol)
            }
            PeerIncompatible::NoSignatureSchemesInCommon
            | PeerIncompatible::SignatureAlgorithmsExtensionRequired => {
                ssl(Reason::NoSharedSignatureAlgorithms)
            }
            _ => ssl(Reason::HandshakeFailure),
        },
        E::PeerMisbehaved(m) => match m {
            PeerMisbehaved::SelectedUnofferedApplicationProtocol => ssl(Reason::BadExtension),
            // OpenSSL's limit on consecutive KeyUpdates (32) has its own reason.
            PeerMisbehaved::TooManyKeyUpdateRequests => ssl(Reason::TooManyKeyUpdates),
            // A handshake message that goes on past a key change.
            PeerMisbehaved::KeyEpochWithPendingFragment => ssl(Reason::NotOnRecordBoundary),
            // rustls's own text already says "peer misbehaved: ...".
            _ => generic(None, err),
        },
        // A record header whose version is not SSL 3 / TLS.
        E::InvalidMessage(rustls::InvalidMessage::UnknownProtocolVersion) => {
            ssl(Reason::WrongVersionNumber)
        }
        E::InvalidMessage(_) => ssl(Reason::UnexpectedMessage),
        E::InvalidCertificate(_) => ssl(Reason::CertificateVerifyFailed),
        _ => generic(Some("rustls"), err),
    }
}

/// An `SSLError` without an OpenSSL reason name: `[SSL] <what>: <what rustls said>`.
fn generic(what: Option<&str>, err: &rustls::Error) -> Error {
    let text = match what {
        Some(what) => format!("{what}: {err}"),
        None => err.to_string(),
    };
    Error::SslError(SslErrorInfo::openssl_common(
        SslErrorNumber::Ssl as i64,
        "SSL",
        &text,
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

    #[test]
    fn peer_misbehaviour_says_so_once() {
        let e = from_rustls(
            &rustls::Error::PeerMisbehaved(PeerMisbehaved::TooManyRenegotiationRequests),
            false,
        );
        assert_eq!(
            e.to_string(),
            "[SSL] peer misbehaved: TooManyRenegotiationRequests"
        );
        let e = from_rustls(
            &rustls::Error::PeerMisbehaved(PeerMisbehaved::TooManyKeyUpdateRequests),
            true,
        );
        assert_eq!(
            e.to_string(),
            "[SSL: TOO_MANY_KEY_UPDATES] too many key updates"
        );
    }
}
