//! X.501 Names as OpenSSL decodes them (`X509_NAME` with `ASN1_PRINTABLE` values and
//! the canonical-encoding pass), and CPython's tuple form of them.

use super::der::{check_bit_string, string_content, DerError, DerResult, Reader, Tlv, UNIVERSAL};
use super::oid::oid_to_text;
use super::{AttrValue, Name, Rdn};
use crate::{Error, Result, SslErrorInfo};

/// One attribute as decoded: OID content, universal tag of the value, value content.
#[derive(Debug, Clone)]
pub(crate) struct RawAttr<'a> {
    pub oid: &'a [u8],
    pub tag: u32,
    /// Borrowed from the certificate unless it had to be put together (a constructed
    /// string).
    pub value: std::borrow::Cow<'a, [u8]>,
}

/// A decoded (validated) Name, not yet converted.
pub(crate) type RawName<'a> = Vec<Vec<RawAttr<'a>>>;

/// Universal tags allowed by OpenSSL's `B_ASN1_PRINTABLE` mask (`ASN1_tag2bit`):
/// Numeric, Printable, T61, IA5, BIT STRING, Universal, BMP, UTF8, SEQUENCE, and the
/// "unknown" tags 7, 8, 9, 11, 13, 14, 15, 29.
fn allowed_tag(tag: u32) -> bool {
    matches!(
        tag,
        18 | 19 | 20 | 22 | 3 | 28 | 30 | 12 | 16 | 7 | 8 | 9 | 11 | 13 | 14 | 15 | 29
    )
}

/// Parses the content of a Name SEQUENCE.
pub(crate) fn parse_name<'a>(content: &'a [u8]) -> DerResult<RawName<'a>> {
    let mut rdns = Vec::new();
    let mut r = Reader::new(content);
    while !r.is_empty() {
        let set = r.expect(UNIVERSAL, 17, true)?;
        let mut sr = Reader::new(set.content);
        let mut rdn = Vec::new();
        while !sr.is_empty() {
            let mut atv = sr.sequence()?;
            let oid = super::der::read_oid(&mut atv)?;
            let v = atv.read()?;
            atv.finish()?;
            rdn.push(parse_value(oid, &v)?);
        }
        if !rdn.is_empty() {
            rdns.push(rdn);
        }
    }
    Ok(rdns)
}

fn parse_value<'a>(oid: &'a [u8], v: &Tlv<'a>) -> DerResult<RawAttr<'a>> {
    if v.class != UNIVERSAL || !allowed_tag(v.number) {
        return Err(DerError);
    }
    let value: std::borrow::Cow<'a, [u8]> = match v.number {
        16 if v.constructed => v.content.into(),
        16 => return Err(DerError),
        3 if v.constructed => return Err(DerError),
        3 => {
            check_bit_string(v.content)?;
            v.content.into()
        }
        _ if !v.constructed => v.content.into(),
        _ => string_content(v)?.into(),
    };
    // The canonical-encoding pass runs ASN1_STRING_to_UTF8 on these types: a failure
    // there fails the whole decode.
    match v.number {
        12 => {
            std::str::from_utf8(&value).map_err(|_| DerError)?;
        }
        30 => {
            bmp_to_string(&value).ok_or(DerError)?;
        }
        28 => {
            universal_to_string(&value).ok_or(DerError)?;
        }
        _ => {}
    }
    Ok(RawAttr {
        oid,
        tag: v.number,
        value,
    })
}

fn bmp_to_string(b: &[u8]) -> Option<String> {
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|c| match c {
            [h, l] => char::from_u32(u32::from(u16::from_be_bytes([*h, *l]))),
            _ => None,
        })
        .collect()
}

fn universal_to_string(b: &[u8]) -> Option<String> {
    if !b.len().is_multiple_of(4) {
        return None;
    }
    b.chunks_exact(4)
        .map(|c| match c {
            [a, b, x, d] => char::from_u32(u32::from_be_bytes([*a, *b, *x, *d])),
            _ => None,
        })
        .collect()
}

/// `ASN1_STRING_to_UTF8` + CPython's handling of the value of one attribute.
fn convert_value(a: &RawAttr<'_>) -> Result<AttrValue> {
    let text = match a.tag {
        3 => {
            return Ok(AttrValue::Bytes(
                a.value.get(1..).unwrap_or_default().to_vec(),
            ))
        }
        12 => std::str::from_utf8(&a.value).map(str::to_string).ok(),
        30 => bmp_to_string(&a.value),
        28 => universal_to_string(&a.value),
        // One octet per character, as Latin-1 (T61 is treated as Latin-1 too).
        18 | 19 | 20 | 22 => Some(a.value.iter().map(|&b| char::from(b)).collect()),
        _ => None,
    };
    // ASN1_STRING_to_UTF8 fails without queuing an error: CPython reports errno 0.
    text.map(AttrValue::Text)
        .ok_or_else(|| Error::SslError(SslErrorInfo::with_errno(0, "unknown error")))
}

/// CPython's `_create_tuple_for_X509_NAME`.
pub(crate) fn convert_name(raw: &RawName<'_>) -> Result<Name> {
    let mut out: Name = Vec::with_capacity(raw.len());
    for rdn in raw {
        let mut r: Rdn = Vec::with_capacity(rdn.len());
        for a in rdn {
            r.push((oid_to_text(a.oid), convert_value(a)?));
        }
        out.push(r);
    }
    Ok(out)
}
