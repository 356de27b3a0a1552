//! PEM ⇄ DER (Python's `ssl.DER_cert_to_PEM_cert` / `ssl.PEM_cert_to_DER_cert`) and
//! `_ssl._test_decode_cert` (OpenSSL's `PEM_read_bio_X509` on a file).
//!
//! Encoding is plain RFC 4648 base64 (`base64ct`). The two base64 *decoders* are
//! hand-written because their callers need rule sets no crate offers: Python's lenient
//! `binascii.a2b_base64` (with its exact error texts) here, and OpenSSL's
//! `EVP_DecodeUpdate` in the PEM reader; they share [`b64_value`].

use std::path::Path;

use super::decode::{decode_der, decode_error};
use super::CertificateInfo;
use crate::{Error, Result};

const PEM_HEADER: &str = "-----BEGIN CERTIFICATE-----";
const PEM_FOOTER: &str = "-----END CERTIFICATE-----";
/// The value of a base64 digit (RFC 4648 alphabet), for both decoders.
pub(crate) fn b64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// `ssl.DER_cert_to_PEM_cert(der_cert_bytes)`: base64 in 64-character lines between
/// the CERTIFICATE header and footer, ending with a newline.
#[doc(alias = "DER_cert_to_PEM_cert")]
pub fn der_cert_to_pem_cert(der: &[u8]) -> String {
    let f = <base64ct::Base64 as base64ct::Encoding>::encode_string(der);
    let mut ss = vec![PEM_HEADER.to_string()];
    let bytes = f.as_bytes();
    for chunk in bytes.chunks(64) {
        ss.push(String::from_utf8_lossy(chunk).into_owned());
    }
    ss.push(format!("{PEM_FOOTER}\n"));
    ss.join("\n")
}

fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's repr of one character inside an error message (`'\xe9'`).
fn py_char_escape(c: char) -> String {
    let v = c as u32;
    if v < 0x100 {
        format!("\\x{v:02x}")
    } else if v < 0x10000 {
        format!("\\u{v:04x}")
    } else {
        format!("\\U{v:08x}")
    }
}

/// `binascii.a2b_base64(data)` in its default (non-strict) mode.
fn a2b_base64(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3);
    let mut quad_pos = 0u8;
    let mut left: u8 = 0;
    let mut pads = 0u8;
    for &c in data {
        if c == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    return Ok(out);
                }
            }
            continue;
        }
        let Some(v) = b64_value(c) else { continue };
        pads = 0;
        match quad_pos {
            0 => {
                quad_pos = 1;
                left = v;
            }
            1 => {
                quad_pos = 2;
                out.push((left << 2) | (v >> 4));
                left = v & 0x0f;
            }
            2 => {
                quad_pos = 3;
                out.push((left << 4) | (v >> 2));
                left = v & 0x03;
            }
            _ => {
                quad_pos = 0;
                out.push((left << 6) | v);
                left = 0;
            }
        }
    }
    match quad_pos {
        0 => Ok(out),
        1 => Err(Error::value(format!(
            "Invalid base64-encoded string: number of data characters ({}) cannot be 1 more than a multiple of 4",
            out.len() / 3 * 4 + 1
        ))),
        _ => Err(Error::value("Incorrect padding")),
    }
}

/// `ssl.PEM_cert_to_DER_cert(pem_cert_string)`: the bytes between the CERTIFICATE
/// header and footer, base64-decoded as Python's `base64.decodebytes` does.
///
/// Errors as CPython: `ValueError('Invalid PEM encoding; must start with
/// -----BEGIN CERTIFICATE-----')`, `... must end with -----END CERTIFICATE-----`,
/// `binascii.Error` texts (a `ValueError`), and `UnicodeEncodeError` for non-ASCII.
#[doc(alias = "PEM_cert_to_DER_cert")]
pub fn pem_cert_to_der_cert(pem: &str) -> Result<Vec<u8>> {
    if !pem.starts_with(PEM_HEADER) {
        return Err(Error::value(format!(
            "Invalid PEM encoding; must start with {PEM_HEADER}"
        )));
    }
    let stripped = pem.trim_matches(py_isspace);
    if !stripped.ends_with(PEM_FOOTER) {
        return Err(Error::value(format!(
            "Invalid PEM encoding; must end with {PEM_FOOTER}"
        )));
    }
    let end = stripped.len() - PEM_FOOTER.len();
    let d = if end > PEM_HEADER.len() {
        stripped.get(PEM_HEADER.len()..end).unwrap_or_default()
    } else {
        ""
    };
    if let Some((pos, c)) = d.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
        return Err(Error::UnicodeError(format!(
            "'ascii' codec can't encode character '{}' in position {pos}: ordinal not in range(128)",
            py_char_escape(c)
        )));
    }
    a2b_base64(d.as_bytes())
}

/// OpenSSL's PEM reader, looking for the first `CERTIFICATE` / `X509 CERTIFICATE`
/// block (others are skipped). `None` when there is none or it is malformed.
fn first_pem_certificate(data: &[u8]) -> Option<Vec<u8>> {
    let mut lines = data.split(|&c| c == b'\n').map(|l| {
        let end = l
            .iter()
            .rposition(|c| !c.is_ascii_whitespace())
            .map_or(0, |i| i + 1);
        l.get(..end).unwrap_or_default()
    });
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix(b"-----BEGIN ") else {
            continue;
        };
        let Some(name) = rest.strip_suffix(b"-----") else {
            continue;
        };
        let mut body = Vec::new();
        let mut ended = false;
        let mut in_headers = true;
        for l in lines.by_ref() {
            if let Some(r) = l.strip_prefix(b"-----END ") {
                if r.strip_suffix(b"-----") != Some(name) {
                    return None;
                }
                ended = true;
                break;
            }
            if in_headers && l.contains(&b':') {
                continue;
            }
            in_headers = false;
            body.extend(l.iter().filter(|c| !c.is_ascii_whitespace()));
        }
        if !ended {
            return None;
        }
        if name != b"CERTIFICATE" && name != b"X509 CERTIFICATE" {
            continue;
        }
        return openssl_b64_decode(&body);
    }
    None
}

/// Strict base64 (OpenSSL's `EVP_DecodeUpdate` on a PEM body).
fn openssl_b64_decode(body: &[u8]) -> Option<Vec<u8>> {
    let trimmed_len = body.iter().rposition(|&c| c != b'=').map_or(0, |i| i + 1);
    let pad = body.len() - trimmed_len;
    if pad > 2 || !body.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut n = 0;
    for &c in body.get(..trimmed_len)? {
        acc = (acc << 6) | u32::from(b64_value(c)?);
        n += 1;
        if n == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            n = 0;
        }
    }
    match n {
        0 => {}
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => return None,
    }
    Some(out)
}

/// `ssl._ssl._test_decode_cert(path)`: decode the first PEM certificate in a file.
///
/// A file that cannot be opened gives `SSLError("Can't open file",)`; a file without a
/// decodable PEM certificate gives `SSLError('Error decoding PEM-encoded file',)`.
#[doc(alias = "_test_decode_cert")]
pub fn test_decode_cert(path: &Path) -> Result<CertificateInfo> {
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) if e.raw_os_error() == Some(21) => return Err(decode_error()),
        Err(_) => return Err(Error::ssl_text("Can't open file")),
    };
    let der = first_pem_certificate(&data).ok_or_else(decode_error)?;
    decode_der(&der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip() {
        let der: Vec<u8> = (0u8..=200).collect();
        let pem = der_cert_to_pem_cert(&der);
        assert!(pem.ends_with("-----END CERTIFICATE-----\n"));
        assert_eq!(pem_cert_to_der_cert(&pem).unwrap(), der);
        assert_eq!(first_pem_certificate(pem.as_bytes()).unwrap(), der);
        assert_eq!(
            der_cert_to_pem_cert(b""),
            "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
        );
    }

    #[test]
    fn pem_errors() {
        assert_eq!(
            pem_cert_to_der_cert("x").unwrap_err().to_string(),
            "Invalid PEM encoding; must start with -----BEGIN CERTIFICATE-----"
        );
        assert_eq!(
            pem_cert_to_der_cert("-----BEGIN CERTIFICATE-----\nQUJD\n")
                .unwrap_err()
                .to_string(),
            "Invalid PEM encoding; must end with -----END CERTIFICATE-----"
        );
        assert_eq!(
            pem_cert_to_der_cert("-----BEGIN CERTIFICATE-----QUJ-----END CERTIFICATE-----")
                .unwrap_err()
                .to_string(),
            "Incorrect padding"
        );
    }
}
