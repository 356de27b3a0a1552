//! OpenSSL's `X509_check_host` / `X509_check_ip` with CPython's host flags.
//!
//! The certificate comes from the crate's one certificate parser (`verify::path::Cert`).
//!
//! The rules (OpenSSL 3.0 `crypto/x509/v3_utl.c`, re-implemented from its documented and
//! observed behaviour):
//! * DNS names are compared with the `dNSName` SAN entries; the subject CN is used only
//!   when the certificate has no `dNSName` SAN at all and `HOSTFLAG_NEVER_CHECK_SUBJECT`
//!   is not set; never for IP addresses.
//! * ASCII case-insensitive comparison, no trailing-dot normalisation.
//! * A wildcard is honoured only in the first label of a pattern with at least two dots
//!   after it, never in an `xn--` label; with `NO_PARTIAL_WILDCARDS` it must be the whole
//!   label. It matches one or more of `[A-Za-z0-9-]`, never an `xn--` host label when
//!   partial, and a pattern whose wildcard is invalid is compared literally.
//! * IP addresses are compared byte for byte with `iPAddress` SAN entries (4 or 16
//!   bytes, so `::ffff:a.b.c.d` does not match `a.b.c.d`).

use super::codes::{HOSTNAME_MISMATCH, IP_ADDRESS_MISMATCH};
use super::path::{Cert, GenName};
use super::server_name::ServerNameSpec;
use crate::constants::{
    HOSTFLAG_ALWAYS_CHECK_SUBJECT, HOSTFLAG_NEVER_CHECK_SUBJECT, HOSTFLAG_NO_PARTIAL_WILDCARDS,
    HOSTFLAG_NO_WILDCARDS,
};

/// Checks `leaf_der` against `name` as OpenSSL does for CPython: `Ok(())` on a match,
/// `Err(62)` (hostname) or `Err(64)` (IP address) otherwise. A leaf that does not parse
/// never matches.
pub fn check_host(leaf_der: &[u8], name: &ServerNameSpec, host_flags: u32) -> Result<(), i64> {
    match Cert::parse(&rustls_pki_types::CertificateDer::from(leaf_der)) {
        Some(cert) => check_host_cert(&cert, name, host_flags),
        None => Err(mismatch_code(name)),
    }
}

fn mismatch_code(name: &ServerNameSpec) -> i64 {
    if name.is_ip() {
        IP_ADDRESS_MISMATCH
    } else {
        HOSTNAME_MISMATCH
    }
}

/// [`check_host`] on a certificate already parsed for path validation.
pub(crate) fn check_host_cert(
    cert: &Cert,
    name: &ServerNameSpec,
    host_flags: u32,
) -> Result<(), i64> {
    let ok = match name.ip {
        Some(ip) => {
            let want: Vec<u8> = match ip {
                std::net::IpAddr::V4(a) => a.octets().to_vec(),
                std::net::IpAddr::V6(a) => a.octets().to_vec(),
            };
            san_names(cert)
                .iter()
                .any(|g| matches!(g, GenName::Ip(b) if *b == want))
        }
        None => check_dns(cert, name.hostname.as_bytes(), host_flags),
    };
    if ok {
        Ok(())
    } else {
        Err(mismatch_code(name))
    }
}

fn san_names(cert: &Cert) -> &[GenName] {
    cert.altnames.as_deref().unwrap_or_default()
}

fn check_dns(cert: &Cert, host: &[u8], flags: u32) -> bool {
    let mut san_present = false;
    for g in san_names(cert) {
        if let GenName::Dns(pattern) = g {
            san_present = true;
            if !pattern.is_empty() && equal(pattern, host, flags) {
                return true;
            }
        }
    }
    if san_present && flags & HOSTFLAG_ALWAYS_CHECK_SUBJECT == 0 {
        return false;
    }
    if flags & HOSTFLAG_NEVER_CHECK_SUBJECT != 0 {
        return false;
    }
    for (tag, value) in &cert.common_names {
        // A CN that does not convert to UTF-8 ends the check as a failure, as
        // `do_check_string` does.
        let Some(text) = super::path::cn_utf8(*tag, value) else {
            return false;
        };
        if !text.is_empty() && equal(&text, host, flags) {
            return true;
        }
    }
    false
}

fn equal(pattern: &[u8], host: &[u8], flags: u32) -> bool {
    if flags & HOSTFLAG_NO_WILDCARDS != 0 {
        return equal_nocase(pattern, host);
    }
    equal_wildcard(pattern, host, flags)
}

/// ASCII case-insensitive equality; a NUL in the pattern never matches.
fn equal_nocase(pattern: &[u8], host: &[u8]) -> bool {
    pattern.len() == host.len()
        && pattern
            .iter()
            .zip(host)
            .all(|(&p, &h)| p != 0 && p.eq_ignore_ascii_case(&h))
}

fn equal_wildcard(pattern: &[u8], host: &[u8], flags: u32) -> bool {
    let star = if host.len() > 1 && host.first() == Some(&b'.') {
        None
    } else {
        valid_star(pattern, flags)
    };
    match star {
        None => equal_nocase(pattern, host),
        Some(i) => match (pattern.get(..i), pattern.get(i + 1..)) {
            (Some(prefix), Some(suffix)) => wildcard_match(prefix, suffix, host),
            _ => false,
        },
    }
}

/// Position of the one acceptable `*` in `pattern`, if any.
fn valid_star(p: &[u8], flags: u32) -> Option<usize> {
    const LABEL_START: u8 = 1;
    const LABEL_IDNA: u8 = 2;
    const LABEL_HYPHEN: u8 = 4;
    let mut star: Option<usize> = None;
    let mut state = LABEL_START;
    let mut dots = 0;
    let len = p.len();
    for (i, &c) in p.iter().enumerate() {
        if c == b'*' {
            let atstart = state & LABEL_START != 0;
            let atend = i + 1 == len || p.get(i + 1) == Some(&b'.');
            if star.is_some() || state & LABEL_IDNA != 0 || dots > 0 {
                return None;
            }
            if flags & HOSTFLAG_NO_PARTIAL_WILDCARDS != 0 && (!atstart || !atend) {
                return None;
            }
            if !atstart && !atend {
                return None;
            }
            star = Some(i);
            state &= !LABEL_START;
        } else if c.is_ascii_alphanumeric() {
            if state & LABEL_START != 0
                && len - i >= 4
                && p.get(i..i + 4)
                    .is_some_and(|s| s.eq_ignore_ascii_case(b"xn--"))
            {
                state |= LABEL_IDNA;
            }
            state &= !(LABEL_HYPHEN | LABEL_START);
        } else if c == b'.' {
            if state & (LABEL_HYPHEN | LABEL_START) != 0 {
                return None;
            }
            state = LABEL_START;
            dots += 1;
        } else if c == b'-' {
            if state & LABEL_START != 0 {
                return None;
            }
            state |= LABEL_HYPHEN;
        } else {
            return None;
        }
    }
    if state & (LABEL_START | LABEL_HYPHEN) != 0 || dots < 2 {
        return None;
    }
    star
}

fn wildcard_match(prefix: &[u8], suffix: &[u8], host: &[u8]) -> bool {
    if host.len() < prefix.len() + suffix.len() {
        return false;
    }
    let (Some(hp), Some(hs)) = (
        host.get(..prefix.len()),
        host.get(host.len() - suffix.len()..),
    ) else {
        return false;
    };
    if !equal_nocase(prefix, hp) || !equal_nocase(hs, suffix) {
        return false;
    }
    let Some(middle) = host.get(prefix.len()..host.len() - suffix.len()) else {
        return false;
    };
    let mut allow_idna = false;
    if prefix.is_empty() && suffix.first() == Some(&b'.') {
        if middle.is_empty() {
            return false;
        }
        allow_idna = true;
    }
    if !allow_idna
        && host.len() >= 4
        && host
            .get(..4)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"xn--"))
    {
        return false;
    }
    if middle == b"*" {
        return true;
    }
    middle
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-')
}
