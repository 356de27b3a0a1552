//! The client side's verifier of the server's certificate (`rustls::client::danger::
//! ServerCertVerifier`), and offline chain verification for `sslctx verify`.

use std::sync::Arc;

use rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::policy::{ChainVerifier, Usage, VerifyPolicy};
use super::server_name::ServerNameSpec;
use crate::VerifyMode;

/// Which name the server's certificate must match.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ExpectedName {
    /// Check against the `ServerName` rustls passes (a shared verifier). The message of
    /// an IP mismatch then shows the address in canonical form.
    FromRustls,
    /// Check against this connection's processed `server_hostname`; `None` checks no
    /// name at all (`wrap_bio` without `server_hostname`).
    Fixed(Option<ServerNameSpec>),
}

/// Verifies a server's certificate chain with OpenSSL's semantics.
#[derive(Debug)]
pub struct ServerVerifier {
    core: Arc<ChainVerifier>,
    expected: ExpectedName,
}

impl ServerVerifier {
    /// A verifier shared by connections: the name comes from rustls.
    pub fn new(core: Arc<ChainVerifier>) -> Arc<Self> {
        Arc::new(ServerVerifier {
            core,
            expected: ExpectedName::FromRustls,
        })
    }

    /// A verifier for one connection: `name` is its processed `server_hostname` (`None`:
    /// no hostname check). The name is checked only when the policy's `check_hostname`
    /// is set.
    pub fn for_connection(core: Arc<ChainVerifier>, name: Option<ServerNameSpec>) -> Arc<Self> {
        Arc::new(ServerVerifier {
            core,
            expected: ExpectedName::Fixed(name),
        })
    }

    /// The chain verifier.
    pub fn core(&self) -> &Arc<ChainVerifier> {
        &self.core
    }
}

fn spec_from_rustls(name: &ServerName<'_>) -> Option<ServerNameSpec> {
    match name {
        ServerName::DnsName(d) => Some(ServerNameSpec {
            hostname: d.as_ref().to_string(),
            ip: None,
        }),
        ServerName::IpAddress(ip) => {
            let ip = std::net::IpAddr::from(*ip);
            Some(ServerNameSpec {
                hostname: ip.to_string(),
                ip: Some(ip),
            })
        }
        _ => None,
    }
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let policy = self.core.policy();
        let spec = match &self.expected {
            ExpectedName::FromRustls => spec_from_rustls(server_name),
            ExpectedName::Fixed(n) => n.clone(),
        };
        let name = if policy.check_hostname {
            spec.as_ref()
        } else {
            None
        };
        match self
            .core
            .verify(end_entity, intermediates, name, now, Usage::ServerAuth)
        {
            Ok(chain) => {
                // CERT_NONE verifies nothing: there is no verified chain to keep.
                if self.core.policy().verify_mode != crate::VerifyMode::CertNone {
                    super::capture::note_verified(chain);
                }
                Ok(ServerCertVerified::assertion())
            }
            Err(f) => Err(f.rustls_error(super::capture::note(&f))),
        }
    }

    super::handshake_signatures_by_core!();
}

/// Offline verification of a server chain as a client context would do it (`sslctx
/// verify`): `chain` is leaf first, as the server sends it. The name is checked when
/// `policy.check_hostname` is set and `server_name` is given. Returns the verified chain
/// or CPython's `SSLCertVerificationError`.
pub fn verify_chain_offline(
    chain: &[CertificateDer<'_>],
    policy: &VerifyPolicy,
    server_name: Option<&ServerNameSpec>,
    now: UnixTime,
) -> crate::Result<Vec<CertificateDer<'static>>> {
    let Some((leaf, rest)) = chain.split_first() else {
        return Err(crate::Error::value("the certificate chain is empty"));
    };
    let mut policy = policy.clone();
    if policy.verify_mode == VerifyMode::CertNone {
        // `sslctx verify` always verifies; CERT_NONE would accept anything.
        policy.verify_mode = VerifyMode::CertRequired;
    }
    let check = policy.check_hostname;
    let core = ChainVerifier::with_ring(policy);
    let name = if check { server_name } else { None };
    core.verify(leaf, rest, name, now, Usage::ServerAuth)
        .map_err(|f| f.to_error())
}
