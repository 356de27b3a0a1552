//! sslcontext: Python's `ssl.SSLContext`, rebuilt in pure Rust on rustls.
//!
//! A client and a server talking TLS through memory buffers, exactly as
//! `SSLContext.wrap_bio()` does in Python:
//!
//! ```
//! use sslcontext::{MemoryBio, Protocol, SslContext, WrapOptions};
//!
//! # fn main() -> Result<(), sslcontext::Error> {
//! let certs = std::path::Path::new("tests/data/conformance/certs");
//! let server = SslContext::new(Protocol::TlsServer)?;
//! server.load_cert_chain(
//!     certs.join("chains/leaf-ec.chain.pem"),
//!     Some(&certs.join("pki/leaf-ec.key")),
//!     None,
//! )?;
//! let client = SslContext::new(Protocol::TlsClient)?; // CERT_REQUIRED, check_hostname
//! client.load_verify_locations(Some(&certs.join("pki/root-ec.pem")), None, None)?;
//!
//! let (c_in, c_out, s_in, s_out) = (MemoryBio::new(), MemoryBio::new(), MemoryBio::new(), MemoryBio::new());
//! let mut c = client.wrap_bio(&c_in, &c_out, WrapOptions::client("localhost"))?;
//! let mut s = server.wrap_bio(&s_in, &s_out, WrapOptions::server())?;
//! // Pump the handshake: each side raises SSLWantReadError until its peer answers.
//! for _ in 0..10 {
//!     let c_done = c.do_handshake().is_ok();
//!     s_in.write(&c_out.read(None))?;
//!     let s_done = s.do_handshake().is_ok();
//!     c_in.write(&s_out.read(None))?;
//!     if c_done && s_done {
//!         break;
//!     }
//! }
//! c.write(b"ping")?;
//! s_in.write(&c_out.read(None))?;
//! assert_eq!(s.read(4)?, b"ping");
//! assert_eq!(c.version(), Some("TLSv1.3"));
//! println!("{:?}", c.cipher()); // Some(("TLS_AES_256_GCM_SHA384", "TLSv1.3", 256))
//! println!("{:?}", c.getpeercert()?); // the same dict CPython gives
//! # Ok(())
//! # }
//! ```
//!
//! Errors are CPython's exception classes ([`Error::python_class`]), with OpenSSL's
//! library/reason names and verify codes; [`compat::features`] lists every place where
//! behaviour differs from CPython 3.11 on OpenSSL 3.0. The [`manual`] covers naming,
//! threading and state, what the frozen rustls configurations keep outside the crate,
//! EOF rules and certificate verification.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod ciphers;
pub mod compat;
mod conn;
pub mod constants;
mod context;
mod enums;
mod error;
pub mod manual;
mod options;
mod pki;
pub mod rand;
mod session;
mod tls_error;
mod verify;
pub mod x509;

pub use ciphers::CipherInfo;
pub use conn::{MemoryBio, PeerCertificate, Socket, SslObject, SslSocket, WrapOptions};
#[cfg(feature = "tokio")]
pub use conn::{SslStream, Unwrapped};
pub use context::{
    create_default_context, create_default_context_with, create_unverified_context, CaLocations,
    SessionStats, SniCallback, SniError, SniHandle, SniResult, SslContext, UnverifiedOptions,
    KEYLOG_HEADER,
};
pub use enums::{AlertDescription, Protocol, Purpose, SslErrorNumber, TlsVersion, VerifyMode};
pub use error::{Error, Reason, Result, SslErrorInfo};
pub use options::{Options, VerifyFlags};
pub use pki::{
    get_default_verify_paths, CaData, CallbackError, CertStoreStats, DefaultVerifyPaths, Password,
    PasswordCallback, PasswordValue,
};
pub use session::SslSession;
pub use verify::VerifyFailure;

/// The crate's internals that the `sslctx` tool, the test suite, the benches and the
/// fuzz targets reach into. Not API: no stability promise, not documented, may change
/// in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::ciphers::dh::{load_dh_params, load_dh_params_at_level};
    pub use crate::ciphers::groups::parse_ecdh_curve;
    pub use crate::ciphers::{cipher_tuple, compile, CipherSelection};
    pub use crate::error::py_repr_str;
    pub use crate::options::translate;
    pub use crate::pki::{load_cert_chain, openssl_dir, x509_name_hash, TrustStore};
    pub use crate::verify::server_name::idna_encode;
    pub use crate::verify::{
        check_host, encode_hostname, encode_hostname_bytes, verify_chain_offline,
        verify_error_string, ChainVerifier, ServerNameSpec, ServerVerifier, Usage, VerifyPolicy,
    };

    /// The verification policy `ctx` uses now (for building verifiers in tests).
    pub fn current_verify_policy(ctx: &crate::SslContext) -> VerifyPolicy {
        ctx.current_verify_policy()
    }
}
