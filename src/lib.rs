//! sslcontext: Python's `ssl.SSLContext`, rebuilt in pure Rust on rustls.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ciphers;
pub mod compat;
pub mod constants;
pub mod error;
pub mod options;
pub mod pki;
pub mod verify;
pub mod x509;

pub use error::{Error, Result, SslErrorInfo};
