//! Connections: [`MemoryBio`], the sans-IO [`SslObject`] and the stream-driven
//! [`SslSocket`].

mod bio;
mod hello;
mod object;
mod record;
mod socket;

use crate::tls_error as errors;

pub use bio::MemoryBio;
pub use object::{PeerCertificate, SslObject, WrapOptions};
pub use socket::{Socket, SslSocket};

/// A plaintext fatal alert record, valid before ServerHello (nothing is encrypted yet):
/// the only way to send an alert of our choosing from the ClientHello step.
pub(crate) fn fatal_alert_record(description: u8) -> [u8; 7] {
    [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, description]
}
