//! The verification policy and the chain verifier shared by both sides. The path is
//! validated as OpenSSL 3.0 validates it (`super::path`), so verdicts and
//! `X509_V_ERR_*` codes are OpenSSL's, in OpenSSL's order.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, UnixTime};

use super::codes::{self, VerifyFailure};
use super::hostname::check_host_cert;
use super::path::{self, Cert, Crl, RecentCerts};
use super::server_name::ServerNameSpec;
use crate::constants::{HOSTFLAG_NEVER_CHECK_SUBJECT, HOSTFLAG_NO_PARTIAL_WILDCARDS};
use crate::options::VerifyFlags;
use crate::VerifyMode;

/// Looks up certificates whose subject is the given DER-encoded name (a `capath`
/// directory hook: OpenSSL loads `<hash>.N` files lazily by issuer name).
pub type CapathLookup = Arc<dyn Fn(&[u8]) -> Vec<CertificateDer<'static>> + Send + Sync>;

/// Everything that decides how a peer certificate chain is verified.
#[derive(Clone)]
pub struct VerifyPolicy {
    /// `verify_mode`.
    pub verify_mode: VerifyMode,
    /// `check_hostname` (only meaningful on the client side).
    pub check_hostname: bool,
    /// `_host_flags` (`HOSTFLAG_NO_PARTIAL_WILDCARDS`, plus
    /// `HOSTFLAG_NEVER_CHECK_SUBJECT` when `hostname_checks_common_name` is false).
    pub host_flags: u32,
    /// `verify_flags`.
    pub verify_flags: VerifyFlags,
    /// The OpenSSL security level (key sizes and signature digests of the chain).
    pub security_level: u8,
    /// The trusted certificates (`load_verify_locations`, `load_default_certs`).
    pub roots: Vec<CertificateDer<'static>>,
    /// Loaded CRLs.
    pub crls: Vec<CertificateRevocationListDer<'static>>,
    /// A `capath` lookup by subject name.
    pub capath_lookup: Option<CapathLookup>,
}

impl std::fmt::Debug for VerifyPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyPolicy")
            .field("verify_mode", &self.verify_mode)
            .field("check_hostname", &self.check_hostname)
            .field("host_flags", &self.host_flags)
            .field("verify_flags", &self.verify_flags)
            .field("security_level", &self.security_level)
            .field("roots", &self.roots.len())
            .field("crls", &self.crls.len())
            .field("capath_lookup", &self.capath_lookup.is_some())
            .finish()
    }
}

impl Default for VerifyPolicy {
    /// `PROTOCOL_TLS_CLIENT`'s defaults: `CERT_REQUIRED`, `check_hostname`, host flags 4,
    /// `VERIFY_X509_TRUSTED_FIRST`, security level 2, no roots.
    fn default() -> Self {
        VerifyPolicy {
            verify_mode: VerifyMode::CertRequired,
            check_hostname: true,
            host_flags: HOSTFLAG_NO_PARTIAL_WILDCARDS,
            verify_flags: VerifyFlags::VERIFY_X509_TRUSTED_FIRST,
            security_level: 2,
            roots: Vec::new(),
            crls: Vec::new(),
            capath_lookup: None,
        }
    }
}

/// Which side's certificate is verified (the EKU that is required if present).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// A server's certificate (`serverAuth`).
    ServerAuth,
    /// A client's certificate (`clientAuth`).
    ClientAuth,
}

/// The chain verifier built from a [`VerifyPolicy`] (store and CRLs parsed once, the
/// peer certificates it saw last kept parsed).
pub struct ChainVerifier {
    policy: VerifyPolicy,
    store: Vec<Cert>,
    crls: Vec<Crl>,
    recent: RecentCerts,
    provider: Arc<CryptoProvider>,
}

impl std::fmt::Debug for ChainVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainVerifier")
            .field("policy", &self.policy)
            .finish()
    }
}

/// How many names a `capath` walk may ask for.
const MAX_LOOKUPS: usize = 32;

impl ChainVerifier {
    /// Builds the verifier. Certificates and CRLs that do not parse are ignored
    /// (OpenSSL would have refused them when they were loaded).
    pub fn new(policy: VerifyPolicy, provider: Arc<CryptoProvider>) -> Self {
        let store = path::parse_store(&policy.roots);
        let crls = path::parse_crls(&policy.crls);
        ChainVerifier {
            policy,
            store,
            crls,
            recent: RecentCerts::default(),
            provider,
        }
    }

    /// With rustls's ring provider.
    pub fn with_ring(policy: VerifyPolicy) -> Self {
        Self::new(policy, Arc::new(rustls::crypto::ring::default_provider()))
    }

    /// The policy.
    pub fn policy(&self) -> &VerifyPolicy {
        &self.policy
    }

    /// The crypto provider (its signature algorithms verify handshake signatures).
    pub fn provider(&self) -> &Arc<CryptoProvider> {
        &self.provider
    }

    /// A TLS 1.2 handshake signature, with the provider's algorithms (both verifiers).
    pub(crate) fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    /// A TLS 1.3 handshake signature, with the provider's algorithms (both verifiers).
    pub(crate) fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    /// The signature schemes the provider verifies.
    pub(crate) fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }

    /// Verifies `end_entity` + `intermediates` (as the peer sent them) for `usage`,
    /// checking `name` when given, as OpenSSL 3.0's `X509_verify_cert` does. Returns the
    /// verified chain (leaf first, anchor last). `CERT_NONE` accepts anything and
    /// returns the chain as sent.
    pub fn verify(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: Option<&ServerNameSpec>,
        now: UnixTime,
        usage: Usage,
    ) -> Result<Vec<CertificateDer<'static>>, VerifyFailure> {
        if self.policy.verify_mode == VerifyMode::CertNone {
            let mut chain = vec![end_entity.clone().into_owned()];
            chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
            return Ok(chain);
        }
        let hostname = name.map(|n| n.hostname.as_str());
        // A peer certificate OpenSSL cannot decode fails the handshake before
        // verification; as a verification result it is unspecified.
        let Some(leaf) = self.recent.parse(end_entity) else {
            return Err(VerifyFailure::new(codes::UNSPECIFIED, hostname));
        };
        let untrusted: Vec<Arc<Cert>> = intermediates
            .iter()
            .filter_map(|c| self.recent.parse(c))
            .collect();
        let untrusted: Vec<&Cert> = untrusted.iter().map(Arc::as_ref).collect();
        let extra = self.capath_certs(&leaf, &untrusted);
        let store: Vec<&Cert> = self.store.iter().chain(extra.iter()).collect();
        let host_flags = self.policy.host_flags;
        let check_id = |leaf: &Cert| -> Result<(), i64> {
            match name {
                Some(n) => check_host_cert(leaf, n, host_flags),
                None => Ok(()),
            }
        };
        let params = path::Params {
            verify_flags: self.policy.verify_flags,
            security_level: self.policy.security_level,
            server_purpose: usage == Usage::ServerAuth,
            check_id: &check_id,
            cn_as_host: host_flags & HOSTFLAG_NEVER_CHECK_SUBJECT == 0,
            now: i64::try_from(now.as_secs()).unwrap_or(i64::MAX),
        };
        path::validate(&leaf, &untrusted, &store, &self.crls, &params)
            .map_err(|code| VerifyFailure::new(code, hostname))
    }

    /// What the capath hook finds for the issuers along the chain (OpenSSL's
    /// by-directory lookup, which loads `<hash>.N` files as names are asked for).
    fn capath_certs(&self, leaf: &Cert, untrusted: &[&Cert]) -> Vec<Cert> {
        let Some(lookup) = &self.policy.capath_lookup else {
            return Vec::new();
        };
        let mut extra: Vec<Cert> = Vec::new();
        let mut pending: Vec<Vec<u8>> = std::iter::once(leaf)
            .chain(untrusted.iter().copied())
            .map(|c| c.issuer_der.clone())
            .collect();
        let mut asked: Vec<Vec<u8>> = Vec::new();
        while let Some(name) = pending.pop() {
            if asked.contains(&name) || asked.len() >= MAX_LOOKUPS {
                continue;
            }
            asked.push(name.clone());
            for der in lookup(&name) {
                let known = self.store.iter().chain(&extra).any(|s| s.der == der);
                if known {
                    continue;
                }
                if let Some(c) = Cert::parse(&der) {
                    if c.subject != c.issuer {
                        pending.push(c.issuer_der.clone());
                    }
                    extra.push(c);
                }
            }
        }
        extra
    }
}
