//! The server side's verifier of client certificates
//! (`rustls::server::danger::ClientCertVerifier`).
//!
//! `CERT_NONE`: no CertificateRequest. `CERT_OPTIONAL`: requested, not required.
//! `CERT_REQUIRED`: required. No CA names are sent in the request: OpenSSL sends none
//! unless `SSL_CTX_set_client_CA_list` is used, and CPython never uses it.

use std::sync::{Arc, Mutex};

use rustls::client::danger::HandshakeSignatureValid;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use rustls_pki_types::{CertificateDer, UnixTime};

use super::codes::VerifyFailure;
use super::policy::{ChainVerifier, Usage};
use crate::constants::VerifyMode;

/// Verifies a client's certificate chain with OpenSSL's semantics.
#[derive(Debug)]
pub struct ClientVerifier {
    core: Arc<ChainVerifier>,
    failure: Mutex<Option<VerifyFailure>>,
}

impl ClientVerifier {
    /// A verifier over `core` (its policy's `verify_mode` decides whether a certificate
    /// is requested and required).
    pub fn new(core: Arc<ChainVerifier>) -> Arc<Self> {
        Arc::new(ClientVerifier {
            core,
            failure: Mutex::new(None),
        })
    }

    /// The last verification failure (code and message).
    pub fn last_failure(&self) -> Option<VerifyFailure> {
        self.failure.lock().ok().and_then(|g| g.clone())
    }
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        self.core.policy().verify_mode != VerifyMode::CertNone
    }

    fn client_auth_mandatory(&self) -> bool {
        self.core.policy().verify_mode == VerifyMode::CertRequired
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let result = self
            .core
            .verify(end_entity, intermediates, None, now, Usage::ClientAuth);
        let (ret, slot) = match result {
            Ok(_) => (Ok(ClientCertVerified::assertion()), None),
            Err(f) => (Err(f.certificate_error()), Some(f)),
        };
        if let Some(f) = &slot {
            super::capture::note(f);
        }
        if let Ok(mut g) = self.failure.lock() {
            *g = slot;
        }
        ret
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.core.provider().signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.core.provider().signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.core
            .provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}
