//! Certificate path validation as OpenSSL 3.0's `X509_verify_cert` decides it, in its
//! order, with its `X509_V_ERR_*` codes:
//!
//! 1. the leaf's key strength (66);
//! 2. [`chain`]: chain building, trusted first (2, 18, 19, 20, 22);
//! 3. [`checks::check_extensions`]: critical extensions, CA flags, strict RFC 5280
//!    rules, purpose, path length (34, 79, 80-94, 26, 25);
//! 4. [`checks::check_auth_level`]: issuer keys and signature digests (67, 68);
//! 5. the host name (62, 64);
//! 6. [`crl`]: revocation (3, 23, 35, 36, ...);
//! 7. [`checks::internal_verify`]: signatures, then validity periods (7, 9, 10, 13, 14);
//! 8. [`checks::check_name_constraints`]: name constraints, the commonName included
//!    when it can stand for the host name (47, 48, 49, 51, 53).
//!
//! Certificates are read by the crate's one certificate parser ([`crate::x509::raw`],
//! OpenSSL's `d2i_X509` rules), so everything OpenSSL accepts is accepted here
//! (version 1 certificates, unique identifiers, any GeneralizedTime); signatures are
//! checked with ring ([`keys`]).

mod cert;
mod chain;
mod checks;
mod crl;
mod keys;
mod names;
mod recent;

use rustls_pki_types::{CertificateDer, CertificateRevocationListDer};

pub(crate) use cert::Cert;
pub(crate) use crl::Crl;
pub(crate) use names::{cn_utf8, GenName};
pub(crate) use recent::RecentCerts;

use crate::options::VerifyFlags;
use crate::verify::codes;

/// What a validation needs besides the certificates.
pub(crate) struct Params<'a> {
    pub verify_flags: VerifyFlags,
    pub security_level: u8,
    /// Check the SSL server purpose (a client verifying a server) or the client one.
    pub server_purpose: bool,
    /// The host name check (already bound to the name), run at OpenSSL's step 5.
    pub check_id: &'a dyn Fn(&Cert) -> Result<(), i64>,
    /// Whether the leaf's commonName may serve as the host name (no
    /// `HOSTFLAG_NEVER_CHECK_SUBJECT`).
    pub cn_as_host: bool,
    pub now: i64,
}

/// Parses trust-store certificates once (those OpenSSL could not load are dropped).
pub(crate) fn parse_store(roots: &[CertificateDer<'_>]) -> Vec<Cert> {
    roots.iter().filter_map(Cert::parse).collect()
}

/// Parses CRLs once (those OpenSSL could not load are dropped).
pub(crate) fn parse_crls(crls: &[CertificateRevocationListDer<'_>]) -> Vec<Crl> {
    crls.iter().filter_map(Crl::parse).collect()
}

/// Validates `leaf` + `untrusted` (the peer's other certificates, those OpenSSL could
/// decode) against `store`; returns the verified chain (leaf first) or OpenSSL's code.
pub(crate) fn validate(
    leaf: &Cert,
    untrusted: &[&Cert],
    store: &[&Cert],
    crls: &[Crl],
    p: &Params<'_>,
) -> Result<Vec<CertificateDer<'static>>, i64> {
    let level_bits = crate::pki::certinfo::level_min_bits(p.security_level);
    if p.security_level > 0
        && leaf
            .key
            .as_ref()
            .is_none_or(|k| k.security_bits < level_bits)
    {
        return Err(codes::EE_KEY_TOO_SMALL);
    }
    let partial_chain = p
        .verify_flags
        .contains(VerifyFlags::VERIFY_X509_PARTIAL_CHAIN);
    let strict = p.verify_flags.contains(VerifyFlags::VERIFY_X509_STRICT);
    let inputs = chain::Inputs {
        leaf,
        untrusted,
        store,
        partial_chain,
        trusted_first: p
            .verify_flags
            .contains(VerifyFlags::VERIFY_X509_TRUSTED_FIRST),
        now: p.now,
    };
    let built = chain::build(&inputs)?;
    let chain = &built.chain;
    checks::check_extensions(chain, strict, p.server_purpose)?;
    checks::check_auth_level(chain, p.security_level)?;
    (p.check_id)(leaf)?;
    if p.verify_flags.checks_crl() {
        let depth = if p.verify_flags.checks_crl_chain() {
            crl::Depth::Chain
        } else {
            crl::Depth::Leaf
        };
        crl::check_revocation(
            chain,
            built.num_untrusted,
            crls,
            depth,
            partial_chain,
            p.now,
        )?;
    }
    checks::internal_verify(chain, partial_chain, p.now)?;
    checks::check_name_constraints(chain, p.cn_as_host)?;
    Ok(chain.iter().map(|c| c.der.clone()).collect())
}
