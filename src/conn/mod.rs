//! Connections: [`MemoryBio`], the sans-IO [`SslObject`] and the stream-driven
//! [`SslSocket`].

mod bio;
mod errors;
mod hello;
mod keylog;
mod object;
mod record;
mod session;
mod sni;
mod socket;

pub use bio::MemoryBio;
pub use object::{PeerCertificate, SslObject, WrapOptions};
pub use session::SslSession;
pub use sni::{SniCallback, SniError, SniResult};
pub use socket::{Socket, SslSocket};

pub(crate) use keylog::KeyLogFile;
pub(crate) use session::{ConnectionSessions, KxHints, ServerCache, SessionState};
pub(crate) use sni::servername_shim;

/// A connection-level `SSLError` with OpenSSL's reason name.
pub(crate) fn ssl_reason(reason: &str) -> crate::Error {
    errors::ssl(reason)
}

/// A rustls configuration error (no usable suite for the versions, ...), as the
/// handshake-time `SSLError` OpenSSL would give.
pub(crate) fn config_error(err: &rustls::Error) -> crate::Error {
    let text = err.to_string();
    if text.contains("cipher suites") {
        errors::ssl("NO_CIPHERS_AVAILABLE")
    } else {
        errors::from_rustls(err, false)
    }
}

/// A plaintext fatal alert record, valid before ServerHello (nothing is encrypted yet):
/// the only way to send an alert of our choosing from the ClientHello step.
pub(crate) fn fatal_alert_record(description: u8) -> [u8; 7] {
    [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, description]
}
