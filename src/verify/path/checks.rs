//! The checks OpenSSL 3.0 runs on a built chain, each returning the first failing code
//! in OpenSSL's order: `check_extensions` (with `X509_V_FLAG_X509_STRICT`),
//! `check_auth_level`, `internal_verify` (signatures and validity) and
//! `check_name_constraints`.

use super::cert::{flags, ku, Cert, KeyKind};
use super::keys::{signature_security_bits, verify_signature};
use super::names::{self, Subject};
use crate::verify::codes;

/// `check_extensions` for the SSL server (`server`) or client purpose.
pub(crate) fn check_extensions(chain: &[&Cert], strict: bool, server: bool) -> Result<(), i64> {
    let num = chain.len();
    let mut must_be_ca = -1;
    let mut plen: i64 = 0;
    for (i, x) in chain.iter().enumerate() {
        if x.flags & flags::CRITICAL != 0 {
            return Err(codes::UNHANDLED_CRITICAL_EXTENSION);
        }
        if x.flags & flags::PROXY != 0 {
            return Err(codes::PROXY_CERTIFICATES_NOT_ALLOWED);
        }
        let ret = x.check_ca();
        if must_be_ca == -1 {
            if strict && ret != 1 && ret != 0 {
                return Err(codes::INVALID_CA);
            }
        } else if ret == 0 || ((i + 1 < num || strict) && ret != 1) {
            return Err(codes::INVALID_CA);
        }
        if num > 1 && x.key.as_ref().is_some_and(|k| k.kind == KeyKind::Ec(None)) {
            return Err(codes::EC_KEY_EXPLICIT_PARAMS);
        }
        if num > 1 && x.key.is_none() {
            return Err(codes::UNSPECIFIED);
        }
        if strict && num > 1 {
            strict_checks(x, i, num)?;
        }
        let require_ca = must_be_ca > 0;
        match x.check_purpose(server, require_ca) {
            1 => {}
            0 => return Err(codes::INVALID_PURPOSE),
            _ if strict => return Err(codes::INVALID_PURPOSE),
            _ => {}
        }
        if i > 1 && x.pathlen != -1 && plen > x.pathlen {
            return Err(codes::PATH_LENGTH_EXCEEDED);
        }
        if i > 0 && x.flags & flags::SI == 0 {
            plen += 1;
        }
        must_be_ca = 1;
    }
    Ok(())
}

/// The RFC 5280 checks OpenSSL 3.0 adds under `X509_V_FLAG_X509_STRICT`.
fn strict_checks(x: &Cert, i: usize, num: usize) -> Result<(), i64> {
    let ca = x.flags & flags::CA != 0;
    if x.pathlen != -1 {
        if !ca {
            return Err(codes::PATHLEN_INVALID_FOR_NON_CA);
        }
        if x.kusage & ku::KEY_CERT_SIGN == 0 {
            return Err(codes::PATHLEN_WITHOUT_KU_KEY_CERT_SIGN);
        }
    }
    if ca && x.flags & flags::BCONS != 0 && x.flags & flags::BCONS_CRITICAL == 0 {
        return Err(codes::CA_BCONS_NOT_CRITICAL);
    }
    if ca {
        if x.flags & flags::KUSAGE == 0 {
            return Err(codes::CA_CERT_MISSING_KEY_USAGE);
        }
    } else if x.kusage & ku::KEY_CERT_SIGN != 0 {
        return Err(codes::KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA);
    }
    if x.issuer_entries == 0 {
        return Err(codes::ISSUER_NAME_EMPTY);
    }
    let subject_empty = x.subject_entries == 0;
    if (ca || x.kusage & ku::CRL_SIGN != 0 || x.altnames.is_none()) && subject_empty {
        return Err(codes::SUBJECT_NAME_EMPTY);
    }
    if subject_empty && x.altnames.is_some() && x.flags & flags::SAN_CRITICAL == 0 {
        return Err(codes::EMPTY_SUBJECT_SAN_NOT_CRITICAL);
    }
    if x.altnames.as_ref().is_some_and(Vec::is_empty) {
        return Err(codes::EMPTY_SUBJECT_ALT_NAME);
    }
    if x.sig_alg() != x.tbs_sig_alg() {
        return Err(codes::SIGNATURE_ALGORITHM_INCONSISTENCY);
    }
    if x.akid.is_some() && x.flags & flags::AKID_CRITICAL != 0 {
        return Err(codes::AUTHORITY_KEY_IDENTIFIER_CRITICAL);
    }
    if x.skid.is_some() && x.flags & flags::SKID_CRITICAL != 0 {
        return Err(codes::SUBJECT_KEY_IDENTIFIER_CRITICAL);
    }
    if x.version >= 2 {
        if i + 1 < num && x.akid.as_ref().is_none_or(|a| a.keyid.is_none()) {
            return Err(codes::MISSING_AUTHORITY_KEY_IDENTIFIER);
        }
        if ca && x.skid.is_none() {
            return Err(codes::MISSING_SUBJECT_KEY_IDENTIFIER);
        }
    } else if x.ext_count > 0 {
        return Err(codes::EXTENSIONS_REQUIRE_VERSION_3);
    }
    Ok(())
}

/// `check_auth_level`: issuer keys (67) and every signature but the anchor's (68).
pub(crate) fn check_auth_level(chain: &[&Cert], level: u8) -> Result<(), i64> {
    if level == 0 {
        return Ok(());
    }
    let min = crate::pki::certinfo::level_min_bits(level);
    let num = chain.len();
    for (i, c) in chain.iter().enumerate() {
        if i > 0 && c.key.as_ref().is_none_or(|k| k.security_bits < min) {
            return Err(codes::CA_KEY_TOO_SMALL);
        }
        if i + 1 < num && signature_security_bits(c).is_none_or(|b| b < min) {
            return Err(codes::CA_MD_TOO_WEAK);
        }
    }
    Ok(())
}

fn check_time(c: &Cert, now: i64) -> Result<(), i64> {
    match c.not_before {
        None => return Err(codes::ERROR_IN_CERT_NOT_BEFORE_FIELD),
        Some(nb) if nb > now => return Err(codes::CERT_NOT_YET_VALID),
        _ => {}
    }
    match c.not_after {
        None => Err(codes::ERROR_IN_CERT_NOT_AFTER_FIELD),
        Some(na) if na <= now => Err(codes::CERT_HAS_EXPIRED),
        _ => Ok(()),
    }
}

/// `internal_verify`: from the top of the chain down, each signature by its issuer,
/// then each certificate's validity period.
pub(crate) fn internal_verify(chain: &[&Cert], partial_chain: bool, now: i64) -> Result<(), i64> {
    let Some((&top, _)) = chain.split_last() else {
        return Ok(());
    };
    let mut n = chain.len() - 1;
    let mut xi = top;
    let mut xs = top;
    if !super::chain::likely_issued(top, top) && !partial_chain {
        if n == 0 {
            return Err(codes::UNABLE_TO_VERIFY_LEAF_SIGNATURE);
        }
        n -= 1;
        xs = chain[n];
    }
    loop {
        if !std::ptr::eq(xs, xi) {
            let ret = if xi.ku_reject(ku::KEY_CERT_SIGN) && xs.flags & flags::PROXY == 0 {
                codes::KEYUSAGE_NO_CERTSIGN
            } else {
                0
            };
            if ret != 0 {
                return Err(ret);
            }
            match &xi.key {
                None => return Err(codes::UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY),
                Some(k) => verify_signature(xs, k)?,
            }
        }
        check_time(xs, now)?;
        if n == 0 {
            return Ok(());
        }
        n -= 1;
        xi = xs;
        xs = chain[n];
    }
}

/// `check_name_constraints` (3.0): every certificate but self-issued intermediates
/// against the constraints of every certificate above it; for the leaf, when its
/// commonName may serve as the host name (no DNS SAN, `hostname_checks_common_name`),
/// its DNS-like commonNames against DNS constraints.
pub(crate) fn check_name_constraints(chain: &[&Cert], cn_as_host: bool) -> Result<(), i64> {
    for i in (0..chain.len()).rev() {
        let x = chain[i];
        if i != 0 && x.flags & flags::SI != 0 {
            continue;
        }
        let empty = Vec::new();
        let subject = Subject {
            dn: &x.subject,
            dn_entries: x.subject_entries,
            emails: &x.emails,
            altnames: x.altnames.as_ref().unwrap_or(&empty),
        };
        for above in chain[i + 1..].iter().rev() {
            let Some(nc) = &above.nc else {
                continue;
            };
            names::check(&subject, nc)?;
            if i == 0 && cn_as_host && !x.has_dns_san() {
                names::check_common_names(&x.common_names, nc)?;
            }
        }
    }
    Ok(())
}
