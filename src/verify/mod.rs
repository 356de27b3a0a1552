//! Certificate verification with OpenSSL 3.0's semantics and `X509_V_ERR_*` codes.
//!
//! * [`codes`]: the code table, CPython's `SSLCertVerificationError`, the alerts.
//! * [`server_name`]: `server_hostname` processing (IDNA 2003, IP literals, SNI).
//! * [`hostname`]: `X509_check_host` / `X509_check_ip`.
//! * [`policy`]: [`VerifyPolicy`] and the [`ChainVerifier`] (OpenSSL 3.0's path validation,
//!   `path/`).
//! * [`server`] / [`client`]: the rustls verifier of each side.
//!
//! # How the connection layer gets the failure
//! rustls only reports an error to the peer as an alert chosen from the
//! `CertificateError` variant. The verifiers therefore return the variant whose alert is
//! the one OpenSSL sends for the code ([`codes::rustls_error_for_code`]) and note the
//! exact failure (code + message) into the capture the connection opened around the
//! rustls call (`capture.rs`: a guard over a thread-local, closed on drop and on
//! unwind). Driven outside the crate, with no capture open, the verifiers return the
//! failure itself inside `CertificateError::Other`.
//!
//! # Names rustls refuses
//! rustls's `DnsName` refuses some names OpenSSL sends as SNI (e.g. `a b`, `[::1]`,
//! `x..y` given as bytes). [`ServerNameSpec::rustls_server_name`] returns `None` for them;
//! the connection layer then connects without SNI (a config with `enable_sni = false`
//! and a placeholder name); the verifier still checks the real text, so the result
//! (almost always a code-62 mismatch) matches OpenSSL. Only the missing SNI differs.

/// The handshake-signature methods both verifier traits have, answered by the
/// verifier's `core` ([`ChainVerifier`]) with the provider's algorithms.
macro_rules! handshake_signatures_by_core {
    () => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &rustls_pki_types::CertificateDer<'_>,
            dss: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            self.core.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &rustls_pki_types::CertificateDer<'_>,
            dss: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            self.core.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.core.supported_verify_schemes()
        }
    };
}
pub(crate) use handshake_signatures_by_core;

mod capture;
pub mod client;
pub mod codes;
pub mod hostname;
mod path;
pub mod policy;
pub mod server;
pub mod server_name;

pub(crate) use capture::capture;
pub use client::ClientVerifier;
pub use codes::{verify_error_string, VerifyFailure};
pub use hostname::check_host;
pub use policy::{CapathLookup, ChainVerifier, Usage, VerifyPolicy};
pub use server::{verify_chain_offline, ServerVerifier};
pub use server_name::{encode_hostname, encode_hostname_bytes, ServerNameSpec};
