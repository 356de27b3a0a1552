//! OpenSSL's canonical `X509_NAME` encoding, `X509_NAME_cmp` and `X509_NAME_hash`.
//!
//! OpenSSL orders its trust store and names its hashed-directory files by a canonical
//! form of the subject name (`x509_name_canon`): every string value is converted to
//! UTF-8, leading and trailing whitespace is dropped, inner whitespace runs become one
//! space, ASCII is lower-cased, and each RDN is re-encoded as a DER `SET OF` of
//! `SEQUENCE { OID, UTF8String }`; the RDN encodings are concatenated without an
//! outer `SEQUENCE`. No crate implements this OpenSSL-specific form, hence this file.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::x509::der::tlv;

/// DER encoding of a length.
fn push_len(out: &mut Vec<u8>, n: usize) {
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

fn push_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    push_len(out, content.len());
    out.extend_from_slice(content);
}

/// `ASN1_STRING_to_UTF8` for the string types OpenSSL canonicalises; `None` for
/// other types (kept as they are), `Some(None)` for undecodable content. UTF-8 and
/// ASCII-only single-byte strings are already their UTF-8: borrowed, not copied.
fn to_utf8(tag: u8, v: &[u8]) -> Option<Option<Cow<'_, [u8]>>> {
    match tag {
        // UTF8String
        0x0c => Some(std::str::from_utf8(v).ok().map(|_| v.into())),
        // PrintableString, T61String, IA5String, VisibleString: one byte per char.
        0x13 | 0x14 | 0x16 | 0x1a if v.is_ascii() => Some(Some(v.into())),
        0x13 | 0x14 | 0x16 | 0x1a => Some(Some(
            v.iter()
                .map(|&b| char::from(b))
                .collect::<String>()
                .into_bytes()
                .into(),
        )),
        // BMPString
        0x1e => Some(if v.len().is_multiple_of(2) {
            let units: Vec<u16> = v
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
                .map(|t| t.into_bytes().into())
        } else {
            None
        }),
        // UniversalString
        0x1c => Some(if v.len().is_multiple_of(4) {
            v.chunks(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect::<Option<String>>()
                .map(|t| t.into_bytes().into())
        } else {
            None
        }),
        _ => None,
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `asn1_string_canon` on UTF-8 bytes.
fn canon_bytes(s: &[u8]) -> Vec<u8> {
    let mut start = 0;
    let mut end = s.len();
    while start < end && is_space(s[start]) {
        start += 1;
    }
    while end > start && is_space(s[end - 1]) {
        end -= 1;
    }
    let s = &s[start..end];
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if !c.is_ascii() {
            out.push(c);
            i += 1;
        } else if is_space(c) {
            out.push(b' ');
            while i < s.len() && is_space(s[i]) {
                i += 1;
            }
        } else {
            out.push(c.to_ascii_lowercase());
            i += 1;
        }
    }
    out
}

/// OpenSSL's canonical encoding of a DER `Name`. Unparsable names canonicalise to
/// their raw bytes (OpenSSL would have rejected the certificate earlier).
pub fn canonical_name(name_der: &[u8]) -> Vec<u8> {
    canonical_name_checked(name_der).unwrap_or_else(|| name_der.to_vec())
}

/// [`canonical_name`], or `None` where OpenSSL's decoder fails: a malformed `Name`
/// or a string value that does not convert to UTF-8 (invalid UTF-8, odd-length
/// BMPString, surrogates).
pub fn canonical_name_checked(name_der: &[u8]) -> Option<Vec<u8>> {
    let Some((0x30, rdns, _)) = tlv(name_der) else {
        return None;
    };
    let mut out = Vec::with_capacity(name_der.len());
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let mut rest = rdns;
    while !rest.is_empty() {
        let Some((0x31, set, n)) = tlv(rest) else {
            return None;
        };
        rest = &rest[n..];
        entries.clear();
        let mut erest = set;
        while !erest.is_empty() {
            let Some((0x30, atv, n)) = tlv(erest) else {
                return None;
            };
            erest = &erest[n..];
            let mut entry = Vec::with_capacity(atv.len() + 4);
            canonical_atv(atv, &mut entry)?;
            entries.push(entry);
        }
        // DER SET OF: elements sorted by their encodings.
        entries.sort_by(|a, b| {
            let n = a.len().min(b.len());
            a[..n].cmp(&b[..n]).then(a.len().cmp(&b.len()))
        });
        out.push(0x31);
        push_len(&mut out, entries.iter().map(Vec::len).sum());
        for entry in &entries {
            out.extend_from_slice(entry);
        }
    }
    Some(out)
}

/// How many bytes [`push_len`] writes for `n`.
fn len_size(n: usize) -> usize {
    if n < 0x80 {
        1
    } else {
        1 + (usize::BITS - n.leading_zeros()).div_ceil(8) as usize
    }
}

/// Appends one `AttributeTypeAndValue` in canonical form (a DER SEQUENCE) to `out`;
/// `None` where OpenSSL's decoder fails.
fn canonical_atv(atv: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let Some((0x06, _, oid_len)) = tlv(atv) else {
        return None;
    };
    let (oid, value) = atv.split_at(oid_len);
    let (vtag, vcontent, _) = tlv(value)?;
    out.push(0x30);
    match canonical_value(vtag, vcontent) {
        Some(Some(text)) => {
            push_len(out, oid.len() + 1 + len_size(text.len()) + text.len());
            out.extend_from_slice(oid);
            push_tlv(out, 0x0c, &text);
        }
        Some(None) => return None,
        None => {
            push_len(out, atv.len());
            out.extend_from_slice(atv);
        }
    }
    Some(())
}

/// A string value's canonical UTF-8 (`None`: not a string type OpenSSL canonicalises,
/// kept as it is; `Some(None)`: undecodable).
fn canonical_value(tag: u8, v: &[u8]) -> Option<Option<Vec<u8>>> {
    to_utf8(tag, v).map(|text| text.map(|t| canon_bytes(&t)))
}

/// `X509_NAME_cmp` on canonical encodings: shorter first, then bytewise.
pub fn canonical_cmp(a: &[u8], b: &[u8]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// OpenSSL's `X509_NAME_hash` (`X509_NAME_hash_ex`): the first four bytes of the SHA-1
/// of the canonical encoding, little-endian. This names `capath` files
/// (`<hash as 8 hex digits>.<n>`), as printed by `openssl x509 -hash -noout`.
#[doc(alias = "X509_NAME_hash")]
pub fn x509_name_hash(name_der: &[u8]) -> u32 {
    let canon = canonical_name(name_der);
    let d = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &canon);
    let md = d.as_ref();
    u32::from_le_bytes([md[0], md[1], md[2], md[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn len_size_is_what_push_len_writes() {
        for n in [
            0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 0xff_ffff, 0x100_0000,
        ] {
            let mut out = Vec::new();
            push_len(&mut out, n);
            assert_eq!(len_size(n), out.len(), "{n:#x}");
        }
    }

    #[test]
    fn canon_collapses_and_lowercases() {
        assert_eq!(canon_bytes(b"  Hello   World\t"), b"hello world".to_vec());
        assert_eq!(
            canon_bytes("\u{e9}A".as_bytes()),
            "\u{e9}a".as_bytes().to_vec()
        );
    }

    #[test]
    fn empty_name() {
        assert_eq!(canonical_name(&[0x30, 0x00]), Vec::<u8>::new());
    }
}
