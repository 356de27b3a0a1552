//! The server side's verifier of client certificates
//! (`rustls::server::danger::ClientCertVerifier`).
//!
//! `CERT_NONE`: no CertificateRequest. `CERT_OPTIONAL`: requested, not required.
//! `CERT_REQUIRED`: required. No CA names are sent in the request: OpenSSL sends none
//! unless `SSL_CTX_set_client_CA_list` is used, and CPython never uses it.

use std::sync::Arc;

use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::DistinguishedName;
use rustls_pki_types::{CertificateDer, UnixTime};

use super::policy::{ChainVerifier, Usage};
use crate::VerifyMode;

/// Verifies a client's certificate chain with OpenSSL's semantics.
#[derive(Debug)]
pub struct ClientVerifier {
    core: Arc<ChainVerifier>,
}

impl ClientVerifier {
    /// A verifier over `core` (its policy's `verify_mode` decides whether a certificate
    /// is requested and required).
    pub fn new(core: Arc<ChainVerifier>) -> Arc<Self> {
        Arc::new(ClientVerifier { core })
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
        match self
            .core
            .verify(end_entity, intermediates, None, now, Usage::ClientAuth)
        {
            Ok(chain) => {
                // CERT_NONE verifies nothing: there is no verified chain to keep.
                if self.core.policy().verify_mode != crate::VerifyMode::CertNone {
                    super::capture::note_verified(chain);
                }
                Ok(ClientCertVerified::assertion())
            }
            Err(f) => Err(f.rustls_error(super::capture::note(&f))),
        }
    }

    super::handshake_signatures_by_core!();
}
