//! Name constraints as OpenSSL 3.0 applies them (`crypto/x509/v3_ncons.c`): the
//! subject's directory name and emailAddress attributes and every subjectAltName entry
//! against each issuer's permitted and excluded subtrees, and — where the commonName
//! can stand for the host name — each DNS-like commonName against DNS constraints.
//!
//! The codes are OpenSSL's: 47 permitted, 48 excluded, 49 min/max present, 51 a
//! constraint of a type OpenSSL cannot match, 53 a name of bad syntax, 1 too many
//! comparisons (`NAME_CHECK_MAX`).

use crate::pki::name::canonical_name;
use crate::verify::codes;
use crate::x509::der::{Reader, Tlv, CONTEXT, UNIVERSAL};
use crate::x509::oid;
use crate::x509::raw::{parse_general_name, RawGeneralName};

/// A GeneralName with what matching needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GenName {
    /// otherName: type-id OID content, the value's universal tag and content.
    Other {
        type_id: Vec<u8>,
        tag: u32,
        value: Vec<u8>,
    },
    Email(Vec<u8>),
    Dns(Vec<u8>),
    X400,
    /// The canonical encoding of the name.
    DirName(Vec<u8>),
    Edi,
    Uri(Vec<u8>),
    Ip(Vec<u8>),
    Rid(Vec<u8>),
}

impl GenName {
    fn from_raw(g: &RawGeneralName<'_>) -> GenName {
        match g {
            RawGeneralName::Other { type_id, value } => GenName::Other {
                type_id: type_id.to_vec(),
                tag: if value.class == UNIVERSAL {
                    value.number
                } else {
                    u32::MAX
                },
                value: crate::x509::der::string_content(value).unwrap_or_default(),
            },
            RawGeneralName::Email(v) => GenName::Email(v.clone()),
            RawGeneralName::Dns(v) => GenName::Dns(v.clone()),
            RawGeneralName::X400 => GenName::X400,
            RawGeneralName::DirName(_, der) => GenName::DirName(canonical_name(der)),
            RawGeneralName::Edi => GenName::Edi,
            RawGeneralName::Uri(v) => GenName::Uri(v.clone()),
            RawGeneralName::Ip(v) => GenName::Ip(v.clone()),
            RawGeneralName::Rid(v) => GenName::Rid(v.to_vec()),
        }
    }

    /// The GEN_* type number.
    fn kind(&self) -> u8 {
        match self {
            GenName::Other { .. } => 0,
            GenName::Email(_) => 1,
            GenName::Dns(_) => 2,
            GenName::X400 => 3,
            GenName::DirName(_) => 4,
            GenName::Edi => 5,
            GenName::Uri(_) => 6,
            GenName::Ip(_) => 7,
            GenName::Rid(_) => 8,
        }
    }

    /// The type name constraints compare with: an SmtpUTF8Mailbox otherName counts as
    /// an e-mail address (RFC 8398).
    fn effective_kind(&self) -> u8 {
        match self {
            GenName::Other { type_id, .. } if type_id == oid::ON_SMTP_UTF8 => 1,
            g => g.kind(),
        }
    }
}

/// `d2i_GENERAL_NAMES` over an extension value.
pub(crate) fn parse_general_names_owned(v: &[u8]) -> Option<Vec<GenName>> {
    crate::x509::raw::parse_general_names(v)
        .ok()
        .map(|names| names.iter().map(GenName::from_raw).collect())
}

/// One GeneralSubtree.
#[derive(Debug, Clone)]
pub(crate) struct Subtree {
    base: GenName,
    /// `minimum` absent or 0, and `maximum` absent.
    minmax_ok: bool,
}

/// A NameConstraints extension.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameConstraints {
    permitted: Vec<Subtree>,
    excluded: Vec<Subtree>,
}

impl NameConstraints {
    /// Parses the extension value; `None` where `d2i_NAME_CONSTRAINTS` fails.
    pub fn parse(v: &[u8]) -> Option<NameConstraints> {
        let mut r = Reader::new(v);
        let mut s = r.sequence().ok()?;
        let mut nc = NameConstraints::default();
        if let Some(p) = s.optional(CONTEXT, 0) {
            nc.permitted = subtrees(&p)?;
        }
        if let Some(e) = s.optional(CONTEXT, 1) {
            nc.excluded = subtrees(&e)?;
        }
        s.finish().ok()?;
        Some(nc)
    }

    fn len(&self) -> usize {
        self.permitted.len() + self.excluded.len()
    }
}

fn subtrees(t: &Tlv<'_>) -> Option<Vec<Subtree>> {
    if !t.constructed {
        return None;
    }
    let mut r = Reader::new(t.content);
    let mut out = Vec::new();
    while !r.is_empty() {
        let mut st = r.sequence().ok()?;
        let base = parse_general_name(&st.read().ok()?).ok()?;
        let mut minmax_ok = true;
        if let Some(min) = st.optional(CONTEXT, 0) {
            if min.content.iter().any(|&b| b != 0) || min.content.is_empty() {
                minmax_ok = false;
            }
        }
        if st.optional(CONTEXT, 1).is_some() {
            minmax_ok = false;
        }
        st.finish().ok()?;
        out.push(Subtree {
            base: GenName::from_raw(&base),
            minmax_ok,
        });
    }
    Some(out)
}

/// What a certificate offers to name constraints.
pub(crate) struct Subject<'a> {
    /// The canonical subject and its number of attributes.
    pub dn: &'a [u8],
    pub dn_entries: usize,
    /// emailAddress attributes: (universal tag, content).
    pub emails: &'a [(u32, Vec<u8>)],
    /// subjectAltName entries.
    pub altnames: &'a [GenName],
}

const NAME_CHECK_MAX: usize = 1 << 20;

/// `NAME_CONSTRAINTS_check`.
pub(crate) fn check(subject: &Subject<'_>, nc: &NameConstraints) -> Result<(), i64> {
    let names = subject.dn_entries + subject.altnames.len();
    if names > 0 && nc.len() > NAME_CHECK_MAX / names {
        return Err(codes::UNSPECIFIED);
    }
    if subject.dn_entries > 0 {
        nc_match(&GenName::DirName(subject.dn.to_vec()), nc)?;
        for (tag, value) in subject.emails {
            if *tag != 22 {
                return Err(codes::UNSUPPORTED_NAME_SYNTAX);
            }
            nc_match(&GenName::Email(value.clone()), nc)?;
        }
    }
    for g in subject.altnames {
        nc_match(g, nc)?;
    }
    Ok(())
}

/// `NAME_CONSTRAINTS_check_CN`: each commonName that looks like a DNS name with at
/// least two labels is matched against the DNS constraints.
pub(crate) fn check_common_names(
    common_names: &[(u32, Vec<u8>)],
    nc: &NameConstraints,
) -> Result<(), i64> {
    for (tag, value) in common_names {
        let Some(utf8) = cn_utf8(*tag, value) else {
            return Err(codes::UNSPECIFIED);
        };
        let mut v: &[u8] = &utf8;
        while let Some((0, rest)) = v.split_last() {
            v = rest;
        }
        if v.contains(&0) {
            return Err(codes::UNSUPPORTED_NAME_SYNTAX);
        }
        if looks_like_dns(v) {
            nc_match(&GenName::Dns(v.to_vec()), nc)?;
        }
    }
    Ok(())
}

/// `ASN1_STRING_to_UTF8` for a name attribute.
pub(crate) fn cn_utf8(tag: u32, v: &[u8]) -> Option<Vec<u8>> {
    match tag {
        12 => Some(v.to_vec()),
        30 => {
            if !v.len().is_multiple_of(2) {
                return None;
            }
            let units = v.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
                .map(String::into_bytes)
        }
        28 => {
            if !v.len().is_multiple_of(4) {
                return None;
            }
            v.chunks_exact(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect::<Option<String>>()
                .map(String::into_bytes)
        }
        _ => Some(
            v.iter()
                .map(|&b| char::from(b))
                .collect::<String>()
                .into_bytes(),
        ),
    }
}

/// `cn2dnsid`'s test: letters, digits, `_`, inner `-`, and at least one inner `.` not
/// next to another `.` or a `-`.
fn looks_like_dns(v: &[u8]) -> bool {
    let n = v.len();
    let mut dns = false;
    for (i, &c) in v.iter().enumerate() {
        if c.is_ascii_alphanumeric() || c == b'_' {
            continue;
        }
        if i > 0 && i + 1 < n {
            if c == b'-' {
                continue;
            }
            let (prev, next) = (v[i - 1], v[i + 1]);
            if c == b'.' && next != b'.' && prev != b'-' && next != b'-' {
                dns = true;
                continue;
            }
        }
        return false;
    }
    dns
}

/// `nc_match`: permitted subtrees of the name's type must match one; excluded must
/// match none.
fn nc_match(name: &GenName, nc: &NameConstraints) -> Result<(), i64> {
    let kind = name.effective_kind();
    let same_type = |base: &GenName| {
        base.kind() == kind
            && match (name, base) {
                (GenName::Other { type_id: a, .. }, GenName::Other { type_id: b, .. })
                    if kind == 0 =>
                {
                    a == b
                }
                _ => true,
            }
    };
    let mut state = 0; // 0 none of this type, 1 some but no match, 2 matched
    for sub in nc.permitted.iter().filter(|s| same_type(&s.base)) {
        if !sub.minmax_ok {
            return Err(codes::SUBTREE_MINMAX);
        }
        if state == 2 {
            continue;
        }
        state = 1;
        match match_single(kind, name, &sub.base) {
            Ok(()) => state = 2,
            Err(codes::PERMITTED_VIOLATION) => {}
            Err(e) => return Err(e),
        }
    }
    if state == 1 {
        return Err(codes::PERMITTED_VIOLATION);
    }
    for sub in nc.excluded.iter().filter(|s| same_type(&s.base)) {
        if !sub.minmax_ok {
            return Err(codes::SUBTREE_MINMAX);
        }
        match match_single(kind, name, &sub.base) {
            Ok(()) => return Err(codes::EXCLUDED_VIOLATION),
            Err(codes::PERMITTED_VIOLATION) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn match_single(kind: u8, name: &GenName, base: &GenName) -> Result<(), i64> {
    match (name, base) {
        (GenName::Other { tag, value, .. }, GenName::Email(b)) if kind == 1 => {
            nc_email_eai(*tag, value, b)
        }
        (GenName::DirName(n), GenName::DirName(b)) => permitted(n.starts_with(b)),
        (GenName::Dns(n), GenName::Dns(b)) => nc_dns(n, b),
        (GenName::Email(n), GenName::Email(b)) => nc_email(n, b),
        (GenName::Uri(n), GenName::Uri(b)) => nc_uri(n, b),
        (GenName::Ip(n), GenName::Ip(b)) => nc_ip(n, b),
        _ => Err(codes::UNSUPPORTED_CONSTRAINT_TYPE),
    }
}

fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.eq_ignore_ascii_case(b)
}

/// A match, or the permitted-subtree code (which `nc_match` reads as "no match").
fn permitted(matched: bool) -> Result<(), i64> {
    if matched {
        Ok(())
    } else {
        Err(codes::PERMITTED_VIOLATION)
    }
}

/// E-mail and URI constraints starting with `.`: any name ending in the constraint
/// (and longer than it).
fn dot_suffix(name: &[u8], base: &[u8]) -> Result<(), i64> {
    permitted(name.len() > base.len() && eq_ignore_case(&name[name.len() - base.len()..], base))
}

fn nc_dns(dns: &[u8], base: &[u8]) -> Result<(), i64> {
    if base.is_empty() {
        return Ok(());
    }
    if dns.len() < base.len() {
        return Err(codes::PERMITTED_VIOLATION);
    }
    let tail = &dns[dns.len() - base.len()..];
    if dns.len() > base.len() && base[0] != b'.' && dns[dns.len() - base.len() - 1] != b'.' {
        return Err(codes::PERMITTED_VIOLATION);
    }
    permitted(eq_ignore_case(tail, base))
}

fn nc_email(eml: &[u8], base: &[u8]) -> Result<(), i64> {
    let Some(emlat) = eml.iter().rposition(|&c| c == b'@') else {
        return Err(codes::UNSUPPORTED_NAME_SYNTAX);
    };
    let baseat = base.iter().rposition(|&c| c == b'@');
    if baseat.is_none() && base.first() == Some(&b'.') {
        return dot_suffix(eml, base);
    }
    let mut basehost = base;
    if let Some(at) = baseat {
        if at != 0 {
            if at != emlat {
                return Err(codes::PERMITTED_VIOLATION);
            }
            if base[..at].contains(&0) || eml[..emlat].contains(&0) {
                return Err(codes::UNSUPPORTED_NAME_SYNTAX);
            }
            if base[..at] != eml[..emlat] {
                return Err(codes::PERMITTED_VIOLATION);
            }
        }
        basehost = &base[at + 1..];
    }
    permitted(eq_ignore_case(basehost, &eml[emlat + 1..]))
}

/// An SmtpUTF8Mailbox against an rfc822Name constraint (the constraint's host taken
/// as it is: A-labels are compared as ASCII).
fn nc_email_eai(tag: u32, eml: &[u8], base: &[u8]) -> Result<(), i64> {
    if base.contains(&0) || tag != 12 {
        return Err(codes::UNSUPPORTED_NAME_SYNTAX);
    }
    let Some(emlat) = eml.iter().rposition(|&c| c == b'@') else {
        return Err(codes::UNSUPPORTED_NAME_SYNTAX);
    };
    if base.first() == Some(&b'.') {
        return dot_suffix(eml, base);
    }
    let mut basehost = base;
    if let Some(at) = base.iter().position(|&c| c == b'@') {
        if at != 0 && base[..at] != eml[..emlat] {
            return Err(codes::PERMITTED_VIOLATION);
        }
        basehost = &base[at + 1..];
    }
    permitted(eq_ignore_case(basehost, &eml[emlat + 1..]))
}

/// OpenSSL 3.0's `nc_uri`: the host between `scheme://` and the next `:` or `/`.
fn nc_uri(uri: &[u8], base: &[u8]) -> Result<(), i64> {
    let Some(colon) = uri.iter().position(|&c| c == b':') else {
        return Err(codes::UNSUPPORTED_NAME_SYNTAX);
    };
    if uri.len() - colon < 3 || uri[colon + 1] != b'/' || uri[colon + 2] != b'/' {
        return Err(codes::UNSUPPORTED_NAME_SYNTAX);
    }
    let rest = &uri[colon + 3..];
    let end = rest
        .iter()
        .position(|&c| c == b':')
        .or_else(|| rest.iter().position(|&c| c == b'/'))
        .unwrap_or(rest.len());
    let host = &rest[..end];
    if host.is_empty() {
        return Err(codes::UNSUPPORTED_NAME_SYNTAX);
    }
    if base.first() == Some(&b'.') {
        return dot_suffix(host, base);
    }
    permitted(eq_ignore_case(host, base))
}

fn nc_ip(ip: &[u8], base: &[u8]) -> Result<(), i64> {
    if ip.len() != 4 && ip.len() != 16 {
        return Err(codes::UNSUPPORTED_NAME_SYNTAX);
    }
    if base.len() != 8 && base.len() != 32 {
        return Err(codes::UNSUPPORTED_NAME_SYNTAX);
    }
    if ip.len() * 2 != base.len() {
        return Err(codes::PERMITTED_VIOLATION);
    }
    let (addr, mask) = base.split_at(ip.len());
    permitted(
        ip.iter()
            .zip(addr)
            .zip(mask)
            .all(|((h, b), m)| h & m == b & m),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_suffix_rules() {
        assert!(nc_dns(b"a.example.com", b"example.com").is_ok());
        assert!(nc_dns(b"example.com", b"example.com").is_ok());
        assert!(nc_dns(b"badexample.com", b"example.com").is_err());
        assert!(nc_dns(b"a.example.com", b".example.com").is_ok());
        assert!(nc_dns(b"example.com", b".example.com").is_err());
        assert!(nc_dns(b"anything", b"").is_ok());
        assert!(nc_dns(b"A.EXAMPLE.com", b"example.COM").is_ok());
    }

    #[test]
    fn cn_dns_likeness() {
        assert!(looks_like_dns(b"test.localhost"));
        assert!(looks_like_dns(b"127.0.0.1"));
        assert!(!looks_like_dns(b"localhost"));
        assert!(!looks_like_dns(b"*.example.com"));
        assert!(!looks_like_dns(b"a..b"));
        assert!(!looks_like_dns(b"a.-b"));
        assert!(!looks_like_dns(b".a.b"));
        assert!(!looks_like_dns(b"my name.example"));
        assert!(looks_like_dns(b"_srv.x-y.example"));
    }

    #[test]
    fn ip_masks() {
        assert!(nc_ip(&[10, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]).is_ok());
        assert_eq!(
            nc_ip(&[11, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]),
            Err(codes::PERMITTED_VIOLATION)
        );
        assert_eq!(
            nc_ip(&[1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]),
            Err(codes::UNSUPPORTED_NAME_SYNTAX)
        );
    }
}
