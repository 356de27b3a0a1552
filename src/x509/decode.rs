//! DER certificate → CPython's certificate dict (`_decode_certificate` in `_ssl.c`).

use super::der::{
    check_bit_string, read_oid, string_content, DerError, DerResult, Reader, Tlv, CONTEXT,
    UNIVERSAL,
};
use super::name::{convert_name, parse_name};
use super::oid::{self, oid_to_text};
use super::raw::{find_ext, parse_cert, parse_general_name, parse_general_names, RawGeneralName};
use super::time::format_asn1_time;
use super::{CertificateInfo, GeneralNameEntry, GeneralNameValue};
use crate::{Error, Result};

/// The error `_test_decode_cert` raises when OpenSSL cannot decode the certificate.
pub(crate) fn decode_error() -> Error {
    Error::ssl_text("Error decoding PEM-encoded file")
}

/// `i2a_ASN1_INTEGER` as read back by one `BIO_gets`: upper-case hex of the magnitude,
/// `-` for negatives, `00` for zero; after 35 octets OpenSSL writes `\` and a newline,
/// where `BIO_gets` stops.
fn serial_text(c: &[u8]) -> String {
    let neg = c.first().is_some_and(|b| b & 0x80 != 0);
    let mut mag: Vec<u8> = c.to_vec();
    if neg {
        // Two's complement magnitude.
        for b in mag.iter_mut() {
            *b = !*b;
        }
        for b in mag.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }
    let start = mag.iter().position(|&b| b != 0).unwrap_or(mag.len());
    let mag = mag.get(start..).unwrap_or_default();
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if mag.is_empty() {
        s.push_str("00");
        return s;
    }
    for (i, b) in mag.iter().enumerate() {
        if i > 0 && i % 35 == 0 {
            s.push_str("\\\n");
            return s;
        }
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// Python's `bytes.decode('utf-8')` (strict), with Python's error message.
pub(crate) fn py_utf8(b: &[u8]) -> Result<String> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let start = e.valid_up_to();
            let first = b.get(start).copied().unwrap_or(0);
            let (end, reason) = match e.error_len() {
                None => (b.len(), "unexpected end of data"),
                Some(1) if !(0xc2..=0xf4).contains(&first) => (start + 1, "invalid start byte"),
                Some(n) => (start + n, "invalid continuation byte"),
            };
            let msg = if end - start <= 1 {
                format!(
                    "'utf-8' codec can't decode byte 0x{first:02x} in position {start}: {reason}"
                )
            } else {
                format!(
                    "'utf-8' codec can't decode bytes in position {start}-{}: {reason}",
                    end - 1
                )
            };
            Err(Error::UnicodeError(msg))
        }
    }
}

/// `%.*s`: the octets up to the first NUL.
fn c_str(b: &[u8]) -> &[u8] {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    b.get(..end).unwrap_or_default()
}

/// `GENERAL_NAME_print` + one `BIO_gets` + CPython's split at the first `:`.
fn printed_entry(line: &[u8]) -> Result<GeneralNameEntry> {
    let line = match line.iter().position(|&c| c == b'\n') {
        Some(i) => line.get(..=i).unwrap_or(line),
        None => line,
    };
    let colon = line
        .iter()
        .position(|&c| c == b':')
        .ok_or_else(|| Error::value(format!("Invalid value {}", String::from_utf8_lossy(line))))?;
    Ok(GeneralNameEntry {
        kind: py_utf8(line.get(..colon).unwrap_or_default())?,
        value: GeneralNameValue::Text(py_utf8(line.get(colon + 1..).unwrap_or_default())?),
    })
}

fn other_name_line(type_id: &[u8], value: &Tlv<'_>) -> Vec<u8> {
    let label = match type_id {
        oid::ON_SMTP_UTF8 => Some("SmtpUTF8Mailbox"),
        oid::ON_XMPP => Some("XmppAddr"),
        oid::ON_SRV => Some("SRVName"),
        oid::ON_UPN => Some("UPN"),
        oid::ON_NAI => Some("NAIRealm"),
        _ => None,
    };
    let expected_tag = if type_id == oid::ON_SRV { 22 } else { 12 };
    let typed = value.class == UNIVERSAL && value.number == expected_tag;
    let mut line = b"othername:".to_vec();
    match label {
        Some(l) if typed => {
            line.extend_from_slice(l.as_bytes());
            line.push(b':');
            let content = string_content(value).unwrap_or_default();
            line.extend_from_slice(c_str(&content));
        }
        _ => line.extend_from_slice(b"<unsupported>"),
    }
    line
}

fn convert_general_name(g: &RawGeneralName<'_>) -> Result<GeneralNameEntry> {
    let text = |kind: &str, v: &[u8]| -> Result<GeneralNameEntry> {
        Ok(GeneralNameEntry {
            kind: kind.to_string(),
            value: GeneralNameValue::Text(py_utf8(v)?),
        })
    };
    match g {
        RawGeneralName::Email(v) => text("email", v),
        RawGeneralName::Dns(v) => text("DNS", v),
        RawGeneralName::Uri(v) => text("URI", v),
        RawGeneralName::DirName(n, _) => Ok(GeneralNameEntry {
            kind: "DirName".to_string(),
            value: GeneralNameValue::DirName(convert_name(n)?),
        }),
        RawGeneralName::Ip(ip) => {
            let s = match ip.as_slice() {
                [a, b, c, d] => format!("{a}.{b}.{c}.{d}"),
                v if v.len() == 16 => v
                    .chunks_exact(2)
                    .map(|c| match c {
                        [h, l] => format!("{:X}", u16::from_be_bytes([*h, *l])),
                        _ => String::new(),
                    })
                    .collect::<Vec<_>>()
                    .join(":"),
                _ => "<invalid>".to_string(),
            };
            Ok(GeneralNameEntry {
                kind: "IP Address".to_string(),
                value: GeneralNameValue::Text(s),
            })
        }
        RawGeneralName::Rid(o) => {
            let mut line = b"Registered ID:".to_vec();
            line.extend_from_slice(oid_to_text(o).as_bytes());
            printed_entry(&line)
        }
        RawGeneralName::Other { type_id, value } => printed_entry(&other_name_line(type_id, value)),
        RawGeneralName::X400 => printed_entry(b"X400Name:<unsupported>"),
        RawGeneralName::Edi => printed_entry(b"EdiPartyName:<unsupported>"),
    }
}

/// AIA URIs for one access method (`_get_aia_uri`).
fn aia_uris(value: &[u8], method: &[u8]) -> Result<Option<Vec<String>>> {
    let parsed = (|| -> DerResult<Vec<(&[u8], RawGeneralName<'_>)>> {
        let mut r = Reader::new(value);
        let mut list = r.sequence()?;
        let mut out = Vec::new();
        while !list.is_empty() {
            let mut ad = list.sequence()?;
            let m = read_oid(&mut ad)?;
            let loc = parse_general_name(&ad.read()?)?;
            ad.finish()?;
            out.push((m, loc));
        }
        Ok(out)
    })();
    let Ok(entries) = parsed else {
        return Ok(None);
    };
    let mut uris = Vec::new();
    for (m, loc) in &entries {
        if *m == method {
            if let RawGeneralName::Uri(u) = loc {
                uris.push(py_utf8(u)?);
            }
        }
    }
    Ok(if uris.is_empty() { None } else { Some(uris) })
}

/// CRL distribution point URIs (`_get_crl_dp`).
fn crl_uris(value: &[u8]) -> Result<Option<Vec<String>>> {
    let parsed = (|| -> DerResult<Vec<Vec<RawGeneralName<'_>>>> {
        let mut r = Reader::new(value);
        let mut list = r.sequence()?;
        let mut out = Vec::new();
        while !list.is_empty() {
            let mut dp = list.sequence()?;
            let mut full = Vec::new();
            if let Some(dpn) = dp.optional(CONTEXT, 0) {
                let mut dr = Reader::new(dpn.content);
                let choice = dr.read()?;
                dr.finish()?;
                if choice.is(CONTEXT, 0) && choice.constructed {
                    let mut gr = Reader::new(choice.content);
                    while !gr.is_empty() {
                        full.push(parse_general_name(&gr.read()?)?);
                    }
                } else if choice.is(CONTEXT, 1) && choice.constructed {
                    // nameRelativeToCRLIssuer: validated, yields no URI.
                    parse_name(&rdn_as_name(choice.content))?;
                } else {
                    return Err(DerError);
                }
            }
            if let Some(reasons) = dp.optional(CONTEXT, 1) {
                check_bit_string(&string_content(&reasons)?)?;
            }
            if let Some(issuer) = dp.optional(CONTEXT, 2) {
                let mut gr = Reader::new(issuer.content);
                while !gr.is_empty() {
                    parse_general_name(&gr.read()?)?;
                }
            }
            dp.finish()?;
            out.push(full);
        }
        Ok(out)
    })();
    let Ok(dps) = parsed else {
        return Ok(None);
    };
    let mut uris = Vec::new();
    for dp in &dps {
        for g in dp {
            if let RawGeneralName::Uri(u) = g {
                uris.push(py_utf8(u)?);
            }
        }
    }
    Ok(if uris.is_empty() { None } else { Some(uris) })
}

/// Wraps an RDN's `SET OF` content in a SET so it parses as a one-RDN Name.
fn rdn_as_name(content: &[u8]) -> Vec<u8> {
    let mut v = vec![0x31];
    let len = content.len();
    if len < 0x80 {
        v.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let bytes = bytes.get(skip..).unwrap_or_default();
        v.push(0x80 | bytes.len() as u8);
        v.extend_from_slice(bytes);
    }
    v.extend_from_slice(content);
    v
}

/// Decodes a DER certificate into CPython's certificate dict.
///
/// The result equals `ssl._ssl._test_decode_cert()` on a PEM file holding `der`
/// (and `getpeercert()` / `get_ca_certs()` for that certificate). Input OpenSSL cannot
/// decode gives the same error as `_test_decode_cert`: `SSLError('Error decoding
/// PEM-encoded file',)`. Decoding a text value that is not UTF-8 gives
/// [`Error::UnicodeError`] with Python's `UnicodeDecodeError` message.
#[doc(alias = "_test_decode_cert")]
#[doc(alias = "getpeercert")]
pub fn decode_der(der: &[u8]) -> Result<CertificateInfo> {
    let raw = parse_cert(der).map_err(|_| decode_error())?;
    let subject = convert_name(&raw.subject)?;
    let issuer = convert_name(&raw.issuer)?;
    let serial_number = serial_text(raw.serial);
    let not_before = format_asn1_time(raw.not_before.1, raw.not_before.0);
    let not_after = format_asn1_time(raw.not_after.1, raw.not_after.0);
    let subject_alt_name =
        match find_ext(&raw.extensions, oid::EXT_SAN).and_then(|v| parse_general_names(v).ok()) {
            Some(names) => Some(
                names
                    .iter()
                    .map(convert_general_name)
                    .collect::<Result<Vec<_>>>()?,
            ),
            None => None,
        };
    let (ocsp, ca_issuers) = match find_ext(&raw.extensions, oid::EXT_AIA) {
        Some(v) => (aia_uris(v, oid::AD_OCSP)?, aia_uris(v, oid::AD_CA_ISSUERS)?),
        None => (None, None),
    };
    let crl_distribution_points = match find_ext(&raw.extensions, oid::EXT_CRL_DP) {
        Some(v) => crl_uris(v)?,
        None => None,
    };
    Ok(CertificateInfo {
        subject,
        issuer,
        version: raw.version.wrapping_add(1),
        serial_number,
        not_before,
        not_after,
        subject_alt_name,
        ocsp,
        ca_issuers,
        crl_distribution_points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials() {
        assert_eq!(serial_text(&[0x00]), "00");
        assert_eq!(serial_text(&[0x7f]), "7F");
        assert_eq!(serial_text(&[0x00, 0x80]), "80");
        assert_eq!(serial_text(&[0xff]), "-01");
        assert_eq!(serial_text(&[0xff, 0x00]), "-0100");
        assert_eq!(serial_text(&[0xcf, 0xc7]), "-3039");
        let long = [1u8; 36];
        assert_eq!(serial_text(&long), format!("{}\\\n", "01".repeat(35)));
    }

    #[test]
    fn utf8_errors_like_python() {
        let e = py_utf8(b"a\xff").unwrap_err();
        assert_eq!(
            e.to_string(),
            "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"
        );
        let e = py_utf8(b"\xe2\x82a").unwrap_err();
        assert_eq!(
            e.to_string(),
            "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"
        );
        let e = py_utf8(b"a\xe2\x82").unwrap_err();
        assert_eq!(
            e.to_string(),
            "'utf-8' codec can't decode bytes in position 1-2: unexpected end of data"
        );
    }
}
