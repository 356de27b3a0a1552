//! The verification policy and the chain verifier shared by both sides: rustls-webpki
//! builds and checks the path, and this module reproduces OpenSSL 3.0's order of checks
//! and its `X509_V_ERR_*` codes around it.
//!
//! OpenSSL's order (`X509_verify_cert` / `verify_chain`), which decides the code when a
//! chain has several faults: leaf key strength (66), chain building (18, 19, 20, 2),
//! extensions (79, 25, 26), host name (62, 64), revocation (3, 23, 12), then signatures
//! and validity periods (7, 9, 10). webpki reports the first fault in its own order
//! (validity first), so a time fault is re-examined at a moment when every certificate
//! of the chain is valid, to find a fault OpenSSL would have reported first.

use std::borrow::Cow;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, TrustAnchor, UnixTime};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, KeyUsage, RevocationCheckDepth,
    RevocationOptionsBuilder, UnknownStatusPolicy,
};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use super::codes::{self, VerifyFailure};
use super::hostname::check_host_parsed;
use super::server_name::ServerNameSpec;
use crate::constants::{VerifyMode, HOSTFLAG_NO_PARTIAL_WILDCARDS};
use crate::options::VerifyFlags;

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

/// A certificate with the names it was indexed by.
#[derive(Debug, Clone)]
struct Info {
    der: CertificateDer<'static>,
    subject: Vec<u8>,
    issuer: Vec<u8>,
    not_before: i64,
    not_after: i64,
    /// The public key's security bits (`None`: a key type without a rule, accepted).
    key_bits: Option<u32>,
}

impl Info {
    fn parse(der: &CertificateDer<'_>) -> Option<Info> {
        let (_, c) = X509Certificate::from_der(der.as_ref()).ok()?;
        Some(Info::from_parsed(der, &c))
    }

    fn from_parsed(der: &CertificateDer<'_>, c: &X509Certificate<'_>) -> Info {
        Info {
            der: der.clone().into_owned(),
            subject: c.subject().as_raw().to_vec(),
            issuer: c.issuer().as_raw().to_vec(),
            not_before: c.validity().not_before.timestamp(),
            not_after: c.validity().not_after.timestamp(),
            key_bits: key_security_bits(c),
        }
    }

    /// A certificate x509-parser cannot read (webpki accepted it): no names, no key
    /// rule, always within its validity.
    fn unparsed(der: CertificateDer<'_>) -> Info {
        Info {
            der: der.into_owned(),
            subject: Vec::new(),
            issuer: Vec::new(),
            not_before: i64::MIN,
            not_after: i64::MAX,
            key_bits: None,
        }
    }

    /// OpenSSL's `check_key_level`: the key's security bits against the level's minimum.
    fn key_ok(&self, level: u8) -> bool {
        self.key_bits
            .is_none_or(|bits| bits >= crate::pki::certinfo::level_min_bits(level))
    }

    fn self_issued(&self) -> bool {
        self.subject == self.issuer
    }
}

/// The chain verifier built from a [`VerifyPolicy`] (CRLs and the store parsed once).
pub struct ChainVerifier {
    policy: VerifyPolicy,
    crls: Vec<CertRevocationList<'static>>,
    store: Vec<Info>,
    /// The store's trust anchors, parsed once: self-issued certificates (OpenSSL's
    /// default) and every certificate (`VERIFY_X509_PARTIAL_CHAIN`).
    anchors_self_issued: Anchors,
    anchors_all: Anchors,
    provider: Arc<CryptoProvider>,
}

/// Trust anchors and, for each, the index of its certificate in the store.
#[derive(Default, Clone)]
struct Anchors {
    trust: Vec<TrustAnchor<'static>>,
    index: Vec<usize>,
}

impl Anchors {
    fn build(store: &[Info], is_anchor: impl Fn(&Info) -> bool) -> Anchors {
        let mut out = Anchors::default();
        out.add(store, 0, is_anchor);
        out
    }

    /// Adds the anchors among `store[from..]`.
    fn add(&mut self, store: &[Info], from: usize, is_anchor: impl Fn(&Info) -> bool) {
        let out = self;
        for (i, info) in store.iter().enumerate().skip(from) {
            if is_anchor(info) {
                if let Ok(a) = webpki::anchor_from_trusted_cert(&info.der) {
                    out.trust.push(a.to_owned());
                    out.index.push(i);
                }
            }
        }
    }
}

impl std::fmt::Debug for ChainVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainVerifier")
            .field("policy", &self.policy)
            .finish()
    }
}

const MAX_DEPTH: usize = 32;

impl ChainVerifier {
    /// Builds the verifier. CRLs that do not parse are ignored (OpenSSL would have
    /// refused them when they were loaded).
    pub fn new(policy: VerifyPolicy, provider: Arc<CryptoProvider>) -> Self {
        let crls = policy
            .crls
            .iter()
            .filter_map(|c| webpki::OwnedCertRevocationList::from_der(c.as_ref()).ok())
            .map(CertRevocationList::from)
            .collect();
        let store: Vec<Info> = policy.roots.iter().filter_map(Info::parse).collect();
        let anchors_self_issued = Anchors::build(&store, Info::self_issued);
        let anchors_all = Anchors::build(&store, |_| true);
        ChainVerifier {
            policy,
            crls,
            store,
            anchors_self_issued,
            anchors_all,
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

    /// The crypto provider (its signature algorithms verify chains and handshakes).
    pub fn provider(&self) -> &Arc<CryptoProvider> {
        &self.provider
    }

    /// Verifies `end_entity` + `intermediates` (as the peer sent them) for `usage`,
    /// checking `name` when given. Returns the verified chain (leaf first, anchor last).
    /// `CERT_NONE` accepts anything and returns the chain as sent.
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
        let fail = |code: i64| VerifyFailure::new(code, hostname);
        // The leaf is parsed once, for its names, validity, key and the host check.
        let (_, leaf_cert) =
            X509Certificate::from_der(end_entity.as_ref()).map_err(|_| fail(codes::UNSPECIFIED))?;
        let leaf = Info::from_parsed(end_entity, &leaf_cert);
        // 1. Leaf key strength.
        if !leaf.key_ok(self.policy.security_level) {
            return Err(fail(codes::EE_KEY_TOO_SMALL));
        }
        let peer: Vec<Info> = intermediates.iter().filter_map(Info::parse).collect();
        let store = self.store_with_lookups(&leaf, &peer);
        let partial = self
            .policy
            .verify_flags
            .contains(VerifyFlags::VERIFY_X509_PARTIAL_CHAIN);
        let is_anchor = |i: &Info| partial || i.self_issued();
        let now_secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        let check_name = || -> Result<(), VerifyFailure> {
            match name {
                Some(n) => check_host_parsed(&leaf_cert, n, self.policy.host_flags).map_err(fail),
                None => Ok(()),
            }
        };
        let check_time = |i: &Info| -> Result<(), VerifyFailure> {
            if now_secs < i.not_before {
                Err(fail(codes::CERT_NOT_YET_VALID))
            } else if now_secs > i.not_after {
                Err(fail(codes::CERT_HAS_EXPIRED))
            } else {
                Ok(())
            }
        };
        // 2. A leaf that is itself trusted (OpenSSL accepts a trusted self-signed
        //    certificate, CA or not, and any trusted leaf with PARTIAL_CHAIN).
        if store.iter().any(|s| s.der == leaf.der && is_anchor(s)) {
            check_name()?;
            check_time(&leaf)?;
            return Ok(vec![leaf.der]);
        }
        // 3. Chain building by name, for OpenSSL's codes when no anchor is reachable.
        if let Err(code) = self.walk(&leaf, &peer, &store, is_anchor) {
            return Err(fail(code));
        }
        // 4. webpki.
        // The anchors parsed once, unless a capath lookup added certificates.
        let built;
        let anchors: &Anchors = match (&store, partial) {
            (Cow::Borrowed(_), true) => &self.anchors_all,
            (Cow::Borrowed(_), false) => &self.anchors_self_issued,
            (Cow::Owned(owned), _) => {
                let mut cached = if partial {
                    self.anchors_all.clone()
                } else {
                    self.anchors_self_issued.clone()
                };
                cached.add(owned, self.store.len(), is_anchor);
                built = cached;
                &built
            }
        };
        let trust = &anchors.trust;
        let mut inter: Vec<CertificateDer<'static>> = intermediates
            .iter()
            .map(|c| c.clone().into_owned())
            .collect();
        inter.extend(
            store
                .iter()
                .filter(|s| !is_anchor(s))
                .map(|s| s.der.clone()),
        );
        let crl_flags = self.policy.verify_flags.checks_crl();
        let crl_missing = crl_flags && self.crls.is_empty();
        let run = |at: UnixTime| -> Result<Vec<Cow<'_, Info>>, webpki::Error> {
            let ee = EndEntityCert::try_from(end_entity)?;
            let crl_refs: Vec<&CertRevocationList<'static>> = self.crls.iter().collect();
            let revocation = if crl_flags {
                RevocationOptionsBuilder::new(&crl_refs).ok().map(|b| {
                    b.with_depth(if self.policy.verify_flags.checks_crl_chain() {
                        RevocationCheckDepth::Chain
                    } else {
                        RevocationCheckDepth::EndEntity
                    })
                    .with_status_policy(UnknownStatusPolicy::Deny)
                    .with_expiration_policy(ExpirationPolicy::Enforce)
                    .build()
                })
            } else {
                None
            };
            let key_usage = match usage {
                Usage::ServerAuth => KeyUsage::server_auth(),
                Usage::ClientAuth => KeyUsage::client_auth(),
            };
            let path = ee.verify_for_usage(
                self.provider.signature_verification_algorithms.all,
                trust,
                &inter,
                at,
                key_usage,
                revocation,
                None,
            )?;
            // The issuers as parsed before (peer or store), else parsed now.
            let mut issuers: Vec<Cow<'_, Info>> = path
                .intermediate_certificates()
                .map(|c| {
                    let der = c.der();
                    match peer.iter().chain(store.iter()).find(|i| i.der == der) {
                        Some(i) => Cow::Borrowed(i),
                        None => {
                            Cow::Owned(Info::parse(&der).unwrap_or_else(|| Info::unparsed(der)))
                        }
                    }
                })
                .collect();
            let a = path.anchor();
            if let Some((_, &i)) = anchors.trust.iter().zip(&anchors.index).find(|(t, _)| {
                t.subject == a.subject && t.subject_public_key_info == a.subject_public_key_info
            }) {
                issuers.push(Cow::Borrowed(&store[i]));
            }
            Ok(issuers)
        };
        match run(now) {
            Ok(issuers) => {
                // Issuer key strength.
                if issuers
                    .iter()
                    .any(|i| !i.key_ok(self.policy.security_level))
                {
                    return Err(fail(codes::CA_KEY_TOO_SMALL));
                }
                check_name()?;
                if crl_missing {
                    return Err(fail(codes::UNABLE_TO_GET_CRL));
                }
                // webpki ignores the anchor's validity; OpenSSL checks it (the last
                // issuer is the anchor when one was found in the store).
                if let Some(anchor) = issuers.last() {
                    check_time(anchor)?;
                }
                let mut chain = Vec::with_capacity(issuers.len() + 1);
                chain.push(leaf.der);
                chain.extend(issuers.into_iter().map(|i| i.der.clone()));
                Ok(chain)
            }
            Err(e) => {
                let (code, phase) = map_webpki(&e, self.policy.security_level);
                if phase == Phase::Structure {
                    return Err(fail(code));
                }
                // A fault OpenSSL checks earlier may hide behind a time fault.
                let mut later: Option<i64> = None;
                if code == codes::CERT_HAS_EXPIRED || code == codes::CERT_NOT_YET_VALID {
                    if let Some(at) = common_valid_time(&leaf, &peer) {
                        if let Err(e2) = run(at) {
                            let (c2, p2) = map_webpki(&e2, self.policy.security_level);
                            if p2 == Phase::Structure {
                                return Err(fail(c2));
                            }
                            if p2 == Phase::Revocation {
                                later = Some(c2);
                            }
                        }
                    }
                }
                check_name()?;
                if crl_missing {
                    return Err(fail(codes::UNABLE_TO_GET_CRL));
                }
                if let Some(c2) = later {
                    return Err(fail(c2));
                }
                Err(fail(code))
            }
        }
    }

    /// The store plus whatever the capath hook finds for the issuers along the chain.
    fn store_with_lookups(&self, leaf: &Info, peer: &[Info]) -> Cow<'_, [Info]> {
        let Some(lookup) = &self.policy.capath_lookup else {
            return Cow::Borrowed(&self.store);
        };
        let mut extra: Vec<Info> = Vec::new();
        let mut pending: Vec<Vec<u8>> = vec![leaf.issuer.clone()];
        pending.extend(peer.iter().map(|p| p.issuer.clone()));
        let mut asked: Vec<Vec<u8>> = Vec::new();
        while let Some(name) = pending.pop() {
            if asked.contains(&name) || asked.len() >= MAX_DEPTH {
                continue;
            }
            asked.push(name.clone());
            for der in lookup(&name) {
                let known = self.store.iter().chain(&extra).any(|s| s.der == der);
                if known {
                    continue;
                }
                if let Some(info) = Info::parse(&der) {
                    if !info.self_issued() {
                        pending.push(info.issuer.clone());
                    }
                    extra.push(info);
                }
            }
        }
        if extra.is_empty() {
            // Nothing new in the hashed directory: the store (and its parsed anchors)
            // serve as they are.
            return Cow::Borrowed(&self.store);
        }
        let mut store = self.store.clone();
        store.extend(extra);
        Cow::Owned(store)
    }

    /// OpenSSL's chain building by name (trusted first): `Ok` when an anchor is reachable,
    /// else the code OpenSSL reports (18, 19, 20 or 2).
    fn walk(
        &self,
        leaf: &Info,
        peer: &[Info],
        store: &[Info],
        is_anchor: impl Fn(&Info) -> bool,
    ) -> Result<(), i64> {
        let mut cur = leaf;
        let mut from_store = false;
        for depth in 0..MAX_DEPTH {
            if cur.self_issued() {
                // An untrusted self-issued certificate ends the chain.
                return Err(if depth == 0 {
                    codes::DEPTH_ZERO_SELF_SIGNED_CERT
                } else {
                    codes::SELF_SIGNED_CERT_IN_CHAIN
                });
            }
            if let Some(s) = store.iter().find(|s| s.subject == cur.issuer) {
                if is_anchor(s) {
                    return Ok(());
                }
                // Prefer an anchor with that name if there are several.
                if store
                    .iter()
                    .any(|s| s.subject == cur.issuer && is_anchor(s))
                {
                    return Ok(());
                }
                cur = s;
                from_store = true;
                continue;
            }
            match peer
                .iter()
                .find(|p| p.subject == cur.issuer && p.der != cur.der)
            {
                Some(p) => {
                    cur = p;
                    from_store = false;
                }
                None => {
                    return Err(if from_store {
                        codes::UNABLE_TO_GET_ISSUER_CERT
                    } else {
                        codes::UNABLE_TO_GET_ISSUER_CERT_LOCALLY
                    })
                }
            }
        }
        Err(codes::CERT_CHAIN_TOO_LONG)
    }
}

/// A moment at which the leaf and every sent certificate are within their validity.
fn common_valid_time(leaf: &Info, peer: &[Info]) -> Option<UnixTime> {
    let start = std::iter::once(leaf)
        .chain(peer)
        .map(|i| i.not_before)
        .max()?;
    let end = std::iter::once(leaf)
        .chain(peer)
        .map(|i| i.not_after)
        .min()?;
    if start <= end && start >= 0 {
        Some(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(start).ok()?,
        )))
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Structure,
    Revocation,
    SignatureTime,
}

#[allow(deprecated)]
fn map_webpki(e: &webpki::Error, security_level: u8) -> (i64, Phase) {
    use webpki::Error as E;
    match e {
        E::CertExpired { .. } => (codes::CERT_HAS_EXPIRED, Phase::SignatureTime),
        E::CertNotValidYet { .. } | E::InvalidCertValidity => {
            (codes::CERT_NOT_YET_VALID, Phase::SignatureTime)
        }
        E::InvalidSignatureForPublicKey => (codes::CERT_SIGNATURE_FAILURE, Phase::SignatureTime),
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            if security_level >= 1 {
                (codes::CA_MD_TOO_WEAK, Phase::Structure)
            } else {
                (codes::CERT_SIGNATURE_FAILURE, Phase::SignatureTime)
            }
        }
        E::CertRevoked => (codes::CERT_REVOKED, Phase::Revocation),
        E::UnknownRevocationStatus => (codes::UNABLE_TO_GET_CRL, Phase::Revocation),
        E::CrlExpired { .. } => (codes::CRL_HAS_EXPIRED, Phase::Revocation),
        E::InvalidCrlSignatureForPublicKey
        | E::UnsupportedCrlSignatureAlgorithm
        | E::UnsupportedCrlSignatureAlgorithmContext(_)
        | E::UnsupportedCrlSignatureAlgorithmForPublicKey
        | E::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => {
            (codes::CRL_SIGNATURE_FAILURE, Phase::Revocation)
        }
        E::IssuerNotCrlSigner => (codes::KEYUSAGE_NO_CRL_SIGN, Phase::Revocation),
        E::UnsupportedCrlVersion
        | E::UnsupportedDeltaCrl
        | E::UnsupportedIndirectCrl
        | E::UnsupportedCrlIssuingDistributionPoint
        | E::UnsupportedRevocationReason
        | E::UnsupportedRevocationReasonsPartitioning
        | E::InvalidCrlNumber => (codes::UNHANDLED_CRITICAL_CRL_EXTENSION, Phase::Revocation),
        E::EndEntityUsedAsCa => (codes::INVALID_CA, Phase::Structure),
        E::PathLenConstraintViolated => (codes::PATH_LENGTH_EXCEEDED, Phase::Structure),
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => {
            (codes::INVALID_PURPOSE, Phase::Structure)
        }
        // OpenSSL accepts a CA certificate as a server's certificate; webpki refuses it.
        E::CaUsedAsEndEntity => (codes::INVALID_PURPOSE, Phase::Structure),
        E::UnsupportedCriticalExtension => (codes::UNHANDLED_CRITICAL_EXTENSION, Phase::Structure),
        E::NameConstraintViolation => (codes::PERMITTED_VIOLATION, Phase::SignatureTime),
        E::MaximumPathDepthExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded
        | E::MaximumNameConstraintComparisonsExceeded => {
            (codes::CERT_CHAIN_TOO_LONG, Phase::Structure)
        }
        E::UnsupportedCertVersion | E::MalformedExtensions | E::ExtensionValueInvalid => {
            (codes::INVALID_EXTENSION, Phase::Structure)
        }
        E::UnsupportedNameType | E::MalformedDnsIdentifier | E::MalformedNameConstraint => {
            (codes::UNSUPPORTED_NAME_SYNTAX, Phase::Structure)
        }
        // The names chained (checked before webpki ran), so an unknown issuer here means
        // no candidate issuer's key verified the signature.
        E::UnknownIssuer => (codes::CERT_SIGNATURE_FAILURE, Phase::SignatureTime),
        _ => (codes::UNSPECIFIED, Phase::Structure),
    }
}

/// The security bits of a certificate's public key as OpenSSL counts them (`None`: a
/// key type OpenSSL's level check does not restrict here).
fn key_security_bits(cert: &X509Certificate<'_>) -> Option<u32> {
    match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => Some(crate::pki::certinfo::ifc_security_bits(rsa.key_size())),
        Ok(PublicKey::EC(ec)) => Some((ec.key_size() as u32) / 2),
        Ok(PublicKey::DSA(_)) => Some(0),
        _ => None,
    }
}
