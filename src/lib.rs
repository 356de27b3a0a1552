//! sslcontext: Python's `ssl.SSLContext`, rebuilt in pure Rust on rustls.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ciphers;
pub mod conn;
pub mod constants;
pub mod context;
pub mod error;
pub mod options;
pub mod pki;
pub mod verify;
pub mod x509;

pub use constants::{Protocol, Purpose, TlsVersion, VerifyMode};
pub use context::{SessionStats, SslContext};
pub use error::{Error, Result, SslErrorInfo};
pub use options::{Options, VerifyFlags};
