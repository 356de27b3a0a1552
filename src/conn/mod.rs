//! Connections: [`MemoryBio`], the sans-IO [`SslObject`] and the stream-driven
//! [`SslSocket`] (and, with feature `tokio`, the async `SslStream`).

mod bio;
mod channel_binding;
mod first_records;
mod hello;
mod object;
mod record;
mod socket;
#[cfg(feature = "tokio")]
mod stream;

use crate::tls_error as errors;

pub use bio::MemoryBio;
pub use object::{PeerCertificate, SslObject, WrapOptions};
pub use socket::{Socket, SslSocket};
#[cfg(feature = "tokio")]
pub use stream::{SslStream, Unwrapped};

/// A plaintext fatal alert record, valid before ServerHello (nothing is encrypted yet):
/// the only way to send an alert of our choosing from the ClientHello step.
pub(crate) fn fatal_alert_record(description: impl Into<u8>) -> [u8; 7] {
    fatal_alert_record_as(0x0303, description)
}

/// [`fatal_alert_record`] in a record of `version` (OpenSSL writes its alerts before a
/// version is agreed in a record of the client's version).
pub(crate) fn fatal_alert_record_as(version: u16, description: impl Into<u8>) -> [u8; 7] {
    let [major, minor] = version.to_be_bytes();
    [0x15, major, minor, 0x00, 0x02, 0x02, description.into()]
}
