//! sslcontext: Python's `ssl.SSLContext`, rebuilt in pure Rust on rustls.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ciphers;
pub mod compat;
pub mod conn;
pub mod constants;
pub mod context;
pub mod error;
pub mod options;
pub mod pki;
pub mod verify;
pub mod x509;

pub use conn::{MemoryBio, PeerCertificate, SslObject, SslSocket, WrapOptions};
pub use constants::{Protocol, Purpose, TlsVersion, VerifyMode};
pub use context::{
    create_default_context, create_default_context_with, create_unverified_context, CaLocations,
    SessionStats, SslContext, UnverifiedOptions,
};
pub use error::{Error, Result, SslErrorInfo};
pub use options::{Options, VerifyFlags};
pub use pki::{CaData, Password};
