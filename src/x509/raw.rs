//! The structural decode of a certificate (OpenSSL's `d2i_X509` rules): one parser for
//! the certificate dict (`decode.rs`) and for path validation (`crate::verify`).

use super::der::{
    check_any, check_bit_string, check_integer, read_oid, string_content, DerError, DerResult,
    Reader, Tlv, CONTEXT, UNIVERSAL,
};
use super::name::{parse_name, RawName};

/// A certificate as OpenSSL's `d2i_X509` decodes it: every field the certificate dict
/// and the path validator need, borrowed from the DER.
#[derive(Debug)]
pub(crate) struct RawCert<'a> {
    /// The whole `tbsCertificate` TLV (what the signature covers).
    pub tbs: &'a [u8],
    /// The outer `signatureAlgorithm` TLV.
    pub sig_alg: &'a [u8],
    /// The `signature` field inside the TBS (TLV).
    pub tbs_sig_alg: &'a [u8],
    /// The signature BIT STRING's content (unused-bits octet first).
    pub signature: &'a [u8],
    /// `version` (0 for v1).
    pub version: i64,
    /// The serial number's INTEGER content.
    pub serial: &'a [u8],
    /// The issuer as parsed, and its whole DER TLV.
    pub issuer: RawName<'a>,
    pub issuer_der: &'a [u8],
    /// (is GeneralizedTime, content) of notBefore / notAfter.
    pub not_before: (bool, &'a [u8]),
    pub not_after: (bool, &'a [u8]),
    /// The subject as parsed, and its whole DER TLV.
    pub subject: RawName<'a>,
    pub subject_der: &'a [u8],
    /// The key algorithm's OID content and its parameters (if any).
    pub key_alg: &'a [u8],
    pub key_params: Option<Tlv<'a>>,
    /// The subjectPublicKey BIT STRING's content (unused-bits octet first).
    pub key_bits: &'a [u8],
    /// Extensions in encoded order.
    pub extensions: Vec<RawExtension<'a>>,
}

/// One extension: OID content, criticality, OCTET STRING content.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawExtension<'a> {
    pub id: &'a [u8],
    pub critical: bool,
    pub value: &'a [u8],
}

/// Reads an AlgorithmIdentifier; returns its whole TLV, OID content and parameters.
pub(crate) fn read_alg<'a>(r: &mut Reader<'a>) -> DerResult<(&'a [u8], &'a [u8], Option<Tlv<'a>>)> {
    let (t, whole) = r.read_whole()?;
    if !t.is(UNIVERSAL, 16) || !t.constructed {
        return Err(DerError);
    }
    let mut a = Reader::new(t.content);
    let oid = read_oid(&mut a)?;
    let params = match a.read() {
        Ok(p) => {
            check_any(&p)?;
            Some(p)
        }
        Err(_) => None,
    };
    a.finish()?;
    Ok((whole, oid, params))
}

pub(crate) fn read_time<'a>(r: &mut Reader<'a>) -> DerResult<(bool, &'a [u8])> {
    let t = r.read()?;
    if t.class != UNIVERSAL || t.constructed || !(t.number == 23 || t.number == 24) {
        return Err(DerError);
    }
    Ok((t.number == 24, t.content))
}

/// `ASN1_INTEGER_get` semantics: the value if it fits a C `long`, else -1.
pub(crate) fn integer_value(c: &[u8]) -> i64 {
    if c.len() > 8 {
        return -1;
    }
    let neg = c.first().is_some_and(|b| b & 0x80 != 0);
    let mut v: i128 = if neg { -1 } else { 0 };
    for &b in c {
        v = (v << 8) | i128::from(b);
    }
    i64::try_from(v).unwrap_or(-1)
}

/// The structural decode that OpenSSL's `d2i_X509` performs.
pub(crate) fn parse_cert(der: &[u8]) -> DerResult<RawCert<'_>> {
    let mut outer = Reader::new(der);
    let mut cert = outer.sequence()?;
    let (tbs_tlv, tbs_whole) = cert.read_whole()?;
    if !tbs_tlv.is(UNIVERSAL, 16) || !tbs_tlv.constructed {
        return Err(DerError);
    }
    let mut tbs = Reader::new(tbs_tlv.content);
    let (sig_alg, _, _) = read_alg(&mut cert)?;
    let sig = cert.expect(UNIVERSAL, 3, false)?;
    check_bit_string(sig.content)?;
    cert.finish()?;

    let version = match tbs.optional(CONTEXT, 0) {
        Some(v) => {
            if !v.constructed {
                return Err(DerError);
            }
            let mut vr = Reader::new(v.content);
            let i = vr.expect(UNIVERSAL, 2, false)?;
            vr.finish()?;
            check_integer(i.content)?;
            integer_value(i.content)
        }
        None => 0,
    };
    let serial = tbs.expect(UNIVERSAL, 2, false)?.content;
    check_integer(serial)?;
    let (tbs_sig_alg, _, _) = read_alg(&mut tbs)?;
    let (issuer_tlv, issuer_der) = tbs.read_whole()?;
    if !issuer_tlv.is(UNIVERSAL, 16) || !issuer_tlv.constructed {
        return Err(DerError);
    }
    let issuer = parse_name(issuer_tlv.content)?;
    let mut validity = tbs.sequence()?;
    let not_before = read_time(&mut validity)?;
    let not_after = read_time(&mut validity)?;
    validity.finish()?;
    let (subject_tlv, subject_der) = tbs.read_whole()?;
    if !subject_tlv.is(UNIVERSAL, 16) || !subject_tlv.constructed {
        return Err(DerError);
    }
    let subject = parse_name(subject_tlv.content)?;
    let spki_tlv = tbs.read()?;
    if !spki_tlv.is(UNIVERSAL, 16) || !spki_tlv.constructed {
        return Err(DerError);
    }
    let mut spki_r = Reader::new(spki_tlv.content);
    let (_, key_alg, key_params) = read_alg(&mut spki_r)?;
    let key_bits = spki_r.expect(UNIVERSAL, 3, false)?.content;
    check_bit_string(key_bits)?;
    spki_r.finish()?;
    for n in [1, 2] {
        if let Some(uid) = tbs.optional(CONTEXT, n) {
            if uid.constructed {
                return Err(DerError);
            }
            check_bit_string(uid.content)?;
        }
    }
    let mut extensions = Vec::new();
    if let Some(e) = tbs.optional(CONTEXT, 3) {
        if !e.constructed {
            return Err(DerError);
        }
        let mut er = Reader::new(e.content);
        let mut list = er.sequence()?;
        er.finish()?;
        while !list.is_empty() {
            let mut ext = list.sequence()?;
            let id = read_oid(&mut ext)?;
            let mut critical = false;
            if let Some(b) = ext.optional(UNIVERSAL, 1) {
                if b.constructed || b.content.len() != 1 {
                    return Err(DerError);
                }
                critical = b.content != [0];
            }
            let value = ext.expect(UNIVERSAL, 4, false)?.content;
            ext.finish()?;
            extensions.push(RawExtension {
                id,
                critical,
                value,
            });
        }
    }
    tbs.finish()?;
    Ok(RawCert {
        tbs: tbs_whole,
        sig_alg,
        tbs_sig_alg,
        signature: sig.content,
        version,
        serial,
        issuer,
        issuer_der,
        not_before,
        not_after,
        subject,
        subject_der,
        key_alg,
        key_params,
        key_bits,
        extensions,
    })
}

/// `X509_get_ext_d2i` lookup: the value of the only extension with this OID (none if
/// absent or present more than once).
pub(crate) fn find_ext<'a>(exts: &[RawExtension<'a>], id: &[u8]) -> Option<&'a [u8]> {
    let mut found = exts.iter().filter(|e| e.id == id);
    let first = found.next()?;
    if found.next().is_some() {
        return None;
    }
    Some(first.value)
}

/// `X509_get_ext_d2i`'s three outcomes for an extension: absent, present once (its
/// value), or present more than once (OpenSSL then reports it as undecodable).
pub(crate) fn ext_lookup<'a>(exts: &[RawExtension<'a>], id: &[u8]) -> ExtLookup<'a> {
    let mut found = exts.iter().filter(|e| e.id == id);
    match (found.next(), found.next()) {
        (None, _) => ExtLookup::Absent,
        (Some(e), None) => ExtLookup::Once(*e),
        (Some(_), Some(_)) => ExtLookup::Duplicate,
    }
}

/// See [`ext_lookup`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum ExtLookup<'a> {
    Absent,
    Once(RawExtension<'a>),
    Duplicate,
}

/// A GeneralName as OpenSSL decodes it.
#[derive(Debug, Clone)]
pub(crate) enum RawGeneralName<'a> {
    Other {
        type_id: &'a [u8],
        value: Tlv<'a>,
    },
    Email(Vec<u8>),
    Dns(Vec<u8>),
    X400,
    /// The parsed name and its whole DER TLV.
    DirName(RawName<'a>, &'a [u8]),
    Edi,
    Uri(Vec<u8>),
    Ip(Vec<u8>),
    Rid(&'a [u8]),
}

fn directory_string(r: &mut Reader<'_>) -> DerResult<()> {
    let t = r.read()?;
    if t.class != UNIVERSAL || !matches!(t.number, 19 | 20 | 28 | 12 | 30) {
        return Err(DerError);
    }
    string_content(&t).map(|_| ())
}

pub(crate) fn parse_general_name<'a>(t: &Tlv<'a>) -> DerResult<RawGeneralName<'a>> {
    if t.class != CONTEXT {
        return Err(DerError);
    }
    Ok(match t.number {
        0 => {
            if !t.constructed {
                return Err(DerError);
            }
            let mut r = Reader::new(t.content);
            let type_id = read_oid(&mut r)?;
            let wrapper = r.expect(CONTEXT, 0, true)?;
            r.finish()?;
            let mut wr = Reader::new(wrapper.content);
            let value = wr.read()?;
            wr.finish()?;
            check_any(&value)?;
            RawGeneralName::Other { type_id, value }
        }
        1 => RawGeneralName::Email(string_content(t)?),
        2 => RawGeneralName::Dns(string_content(t)?),
        3 => {
            if !t.constructed {
                return Err(DerError);
            }
            RawGeneralName::X400
        }
        4 => {
            if !t.constructed {
                return Err(DerError);
            }
            let mut r = Reader::new(t.content);
            let (n, whole) = r.read_whole()?;
            if !n.is(UNIVERSAL, 16) || !n.constructed {
                return Err(DerError);
            }
            r.finish()?;
            RawGeneralName::DirName(parse_name(n.content)?, whole)
        }
        5 => {
            if !t.constructed {
                return Err(DerError);
            }
            let mut r = Reader::new(t.content);
            if let Some(a) = r.optional(CONTEXT, 0) {
                directory_string(&mut Reader::new(a.content))?;
            }
            let p = r.expect(CONTEXT, 1, true)?;
            directory_string(&mut Reader::new(p.content))?;
            r.finish()?;
            RawGeneralName::Edi
        }
        6 => RawGeneralName::Uri(string_content(t)?),
        7 => RawGeneralName::Ip(string_content(t)?),
        8 => {
            if t.constructed {
                return Err(DerError);
            }
            super::der::check_oid(t.content)?;
            RawGeneralName::Rid(t.content)
        }
        _ => return Err(DerError),
    })
}

/// `d2i_GENERAL_NAMES` over an extension value (trailing octets ignored, as
/// `ASN1_item_d2i` does).
pub(crate) fn parse_general_names(content: &[u8]) -> DerResult<Vec<RawGeneralName<'_>>> {
    let mut r = Reader::new(content);
    let mut names = r.sequence()?;
    let mut out = Vec::new();
    while !names.is_empty() {
        let t = names.read()?;
        out.push(parse_general_name(&t)?);
    }
    Ok(out)
}
