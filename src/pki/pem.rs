//! PEM and DER readers with OpenSSL 3.0's exact error classification.
//!
//! `rustls-pki-types`' `PemObject` is the crate's PEM parser for ordinary inputs, but it
//! cannot express what CPython observes here, so this module has its own scanner:
//!
//! * OpenSSL reads PEM line by line with a 254-byte `BIO_gets` buffer, accepts free text
//!   around blocks, decodes every block's base64 *before* looking at its label (so a
//!   corrupt block of any label is an error) and reports `NO_START_LINE` at the end,
//!   `BAD_END_LINE` for a truncated block and `BAD_BASE64_DECODE` for bad base64;
//!   `PemObject` skips or reports these differently (and knows no line numbers).
//! * `TRUSTED CERTIFICATE` / `X509 CERTIFICATE` blocks, which OpenSSL accepts in some
//!   readers and not in others, are silently skipped by `PemObject`.
//! * Legacy `Proc-Type: 4,ENCRYPTED` / `DEK-Info` headers make `PemObject` fail with a
//!   base64 error; OpenSSL parses them (see [`crate::pki::keys`]).
//!
//! DER input (`cadata` bytes) is split the way OpenSSL's `asn1_d2i_read_bio` does it
//! (8-byte first read, indefinite lengths, `HEADER_TOO_LONG` treated as end of data by
//! CPython); no crate offers that splitter.

use crate::error::Reason;
use crate::error::{Error, SslErrorInfo};
use crate::x509::der::{header, tlv, Header};

/// One OpenSSL error-queue entry this module can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ossl {
    /// `[PEM: NO_START_LINE]` (108): no further block.
    NoStartLine,
    /// `[PEM: BAD_END_LINE]` (102).
    BadEndLine,
    /// `[PEM: BAD_BASE64_DECODE]` (100).
    BadBase64,
    /// `[PEM] ASN1 lib` (524301): a block's DER did not decode.
    PemAsn1Lib,
    /// `[ASN1: NOT_ENOUGH_DATA]` (142).
    Asn1NotEnoughData,
    /// `[ASN1: HEADER_TOO_LONG]` (123).
    Asn1HeaderTooLong,
    /// `[ASN1: TOO_LONG]` (155).
    Asn1TooLong,
    /// `[ASN1] nested asn1 error` (524554).
    Asn1Nested,
    /// `[ASN1: FIELD_MISSING]` (121).
    Asn1FieldMissing,
    /// `[ASN1: SEQUENCE_LENGTH_MISMATCH]` (148).
    Asn1SeqLengthMismatch,
    /// Another `[PEM: REASON]` entry (reason code, name).
    Pem(i64, Reason),
    /// The read failed without queuing an error (OpenSSL's `PEM_read_bio` on a block
    /// with no data, or a `Proc-Type` other than 4). CPython then sees an empty queue.
    NoData,
}

impl Ossl {
    /// The `ssl.SSLError` CPython builds from this queue entry.
    pub(crate) fn to_error(self) -> Error {
        match self {
            Ossl::NoStartLine => Error::ssl(108, "PEM", Reason::NoStartLine),
            Ossl::BadEndLine => Error::ssl(102, "PEM", Reason::BadEndLine),
            Ossl::BadBase64 => Error::ssl(100, "PEM", Reason::BadBase64Decode),
            Ossl::PemAsn1Lib => {
                Error::SslError(SslErrorInfo::openssl_common(524301, "PEM", "ASN1 lib"))
            }
            Ossl::Asn1NotEnoughData => Error::ssl(142, "ASN1", Reason::NotEnoughData),
            Ossl::Asn1HeaderTooLong => Error::ssl(123, "ASN1", Reason::HeaderTooLong),
            Ossl::Asn1TooLong => Error::ssl(155, "ASN1", Reason::TooLong),
            Ossl::Asn1Nested => Error::SslError(SslErrorInfo::openssl_common(
                524554,
                "ASN1",
                "nested asn1 error",
            )),
            Ossl::Asn1FieldMissing => Error::ssl(121, "ASN1", Reason::FieldMissing),
            Ossl::Asn1SeqLengthMismatch => Error::ssl(148, "ASN1", Reason::SequenceLengthMismatch),
            Ossl::Pem(code, reason) => Error::ssl(code, "PEM", reason),
            Ossl::NoData => Error::SslError(SslErrorInfo::with_errno(0, "unknown error")),
        }
    }
}

/// `[SSL] PEM lib` (524297), what `SSL_CTX_use_*_file` push on any PEM failure.
pub(crate) fn ssl_pem_lib() -> Error {
    Error::SslError(SslErrorInfo::openssl_common(524297, "SSL", "PEM lib"))
}

/// `[X509] PEM lib` (524297), what `X509_load_cert_crl_file` pushes.
pub(crate) fn x509_pem_lib() -> Error {
    Error::SslError(SslErrorInfo::openssl_common(524297, "X509", "PEM lib"))
}

/// One PEM block as OpenSSL's `PEM_read_bio` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The label between `-----BEGIN ` and `-----`.
    pub label: String,
    /// The RFC 1421 header lines (`Proc-Type`, `DEK-Info`), empty when there are none.
    pub headers: String,
    /// The decoded base64 body.
    pub der: Vec<u8>,
}

/// OpenSSL's `LINESIZE` is 255; `BIO_gets` reads at most 254 bytes per call.
const GETS_MAX: usize = 254;

/// A cursor over PEM text that reads blocks the way `PEM_read_bio` does.
#[derive(Debug, Clone)]
pub struct PemReader<'a> {
    data: &'a [u8],
    pos: usize,
}

/// The bytes of `b` up to its first NUL, as C string functions see them.
fn cstr(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(n) => &b[..n],
        None => b,
    }
}

/// `sanitize_line` in `PEM_FLAG_EAY_COMPATIBLE` mode: strip trailing bytes `<= ' '`,
/// then end the line with `\n`.
fn sanitize(line: &[u8]) -> Vec<u8> {
    let mut end = line.len();
    while end > 0 && line[end - 1] <= b' ' {
        end -= 1;
    }
    let mut v = Vec::with_capacity(end + 1);
    v.extend_from_slice(&line[..end]);
    v.push(b'\n');
    v
}

impl<'a> PemReader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        PemReader { data, pos: 0 }
    }

    /// True when every byte was consumed.
    pub fn at_eof(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// `BIO_gets`: up to 254 bytes, stopping after a `\n`.
    fn gets(&mut self) -> Option<&'a [u8]> {
        let rest = self.data.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let limit = rest.len().min(GETS_MAX);
        let n = match rest[..limit].iter().position(|&c| c == b'\n') {
            Some(i) => i + 1,
            None => limit,
        };
        self.pos += n;
        Some(&rest[..n])
    }

    /// The next block of any label (OpenSSL `PEM_read_bio`), with its base64 decoded.
    pub(crate) fn next_block(&mut self) -> Result<PemBlock, Ossl> {
        // get_name
        let mut first = true;
        let name: Vec<u8> = loop {
            let raw = self.gets().ok_or(Ossl::NoStartLine)?;
            let mut raw = raw;
            if first && raw.len() > 3 && raw.starts_with(&[0xEF, 0xBB, 0xBF]) {
                raw = &raw[3..];
            }
            first = false;
            let line = sanitize(raw);
            let line = cstr(&line);
            if line.starts_with(b"-----BEGIN ")
                && line.len() >= 6 + 11
                && line.ends_with(b"-----\n")
            {
                break line[11..line.len() - 6].to_vec();
            }
        };
        // get_header_and_data
        #[derive(PartialEq)]
        enum H {
            Maybe,
            In,
            Post,
        }
        let mut got = H::Maybe;
        let mut header: Vec<u8> = Vec::new();
        let mut data: Vec<u8> = Vec::new();
        let mut to_data = false;
        let mut partial = false;
        let mut end = false;
        loop {
            let raw = self.gets().ok_or(Ossl::BadEndLine)?;
            let prev_partial = partial;
            partial = raw.len() == GETS_MAX && raw.last() != Some(&b'\n');
            if got == H::Maybe && cstr(raw).contains(&b':') {
                got = H::In;
            }
            let line = sanitize(raw);
            let line = cstr(&line);
            if line.first() == Some(&b'\n') {
                if !prev_partial {
                    if got == H::Post {
                        return Err(Ossl::BadEndLine);
                    }
                    got = H::Post;
                    to_data = true;
                }
                continue;
            }
            if let Some(p) = line.strip_prefix(b"-----END ") {
                match p.strip_prefix(name.as_slice()) {
                    Some(t) if t.starts_with(b"-----\n") => {}
                    _ => return Err(Ossl::BadEndLine),
                }
                if got == H::Maybe {
                    // No blank line: everything was data.
                    data = std::mem::take(&mut header);
                }
                break;
            } else if end {
                return Err(Ossl::BadEndLine);
            }
            if to_data {
                data.extend_from_slice(line);
            } else {
                header.extend_from_slice(line);
            }
            if got == H::Post {
                if line.len() > 65 {
                    return Err(Ossl::BadEndLine);
                }
                if line.len() < 65 {
                    end = true;
                }
            }
        }
        if data.is_empty() {
            return Err(Ossl::NoData);
        }
        let der = decode_base64(&data).ok_or(Ossl::BadBase64)?;
        Ok(PemBlock {
            label: String::from_utf8_lossy(&name).into_owned(),
            headers: String::from_utf8_lossy(&header).into_owned(),
            der,
        })
    }
}

/// `EVP_DecodeUpdate` + `EVP_DecodeFinal`: whitespace and line ends are skipped, `-`
/// ends the data, `=` only as final padding, the count must be a multiple of 4.
pub(crate) fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    use crate::x509::b64_value as val;
    let mut quad: Vec<u8> = Vec::with_capacity(text.len());
    let mut pads = 0usize;
    for &c in text {
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            b'-' => break,
            b'=' => {
                pads += 1;
                if pads > 2 {
                    return None;
                }
                quad.push(c);
            }
            c => {
                val(c)?;
                if pads > 0 {
                    return None;
                }
                quad.push(c);
            }
        }
    }
    if !quad.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(quad.len() / 4 * 3);
    for g in quad.chunks(4) {
        let mut acc: u32 = 0;
        let mut n = 0;
        for &c in g {
            acc <<= 6;
            if let Some(v) = val(c) {
                acc |= u32::from(v);
                n += 1;
            }
        }
        let bytes = acc.to_be_bytes();
        // acc holds 24 bits in bytes[1..4].
        let take = match n {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(&bytes[1..1 + take]);
    }
    Some(out)
}

/// OpenSSL's `ASN1_get_object` as `asn1_d2i_read_bio` calls it (with look-ahead).
fn get_object(b: &[u8]) -> Result<Header, Ossl> {
    header(b, true).map_err(|_| Ossl::Asn1HeaderTooLong)
}

/// How `asn1_d2i_read_bio` ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DerRead {
    /// One element of this many bytes.
    Element(usize),
    /// No data left (no error queued).
    Eof,
}

/// OpenSSL's `asn1_d2i_read_bio` on an in-memory buffer: the length of the next
/// (possibly indefinite-length) element of `rest`.
pub(crate) fn der_read_element(rest: &[u8]) -> Result<DerRead, Ossl> {
    const HEADER_SIZE: usize = 8;
    let mut len = 0usize; // bytes "read" so far
    let mut off = 0usize;
    let mut want = HEADER_SIZE;
    let mut eos = 0usize;
    loop {
        let diff = len - off;
        if want >= diff {
            let need = want - diff;
            let avail = rest.len() - len;
            len += need.min(avail);
        }
        let diff = len - off;
        if diff == 0 {
            return if off == 0 {
                Ok(DerRead::Eof)
            } else {
                Err(Ossl::Asn1NotEnoughData)
            };
        }
        let h = get_object(&rest[off..len])?;
        let _ = (h.too_long, h.class, h.constructed);
        off += h.hlen;
        match h.len {
            None => {
                eos = eos.checked_add(1).ok_or(Ossl::Asn1TooLong)?;
                want = HEADER_SIZE;
            }
            Some(0) if eos > 0 && h.tag == 0 && h.class == 0 && !h.constructed => {
                eos -= 1;
                if eos == 0 {
                    break;
                }
                want = HEADER_SIZE;
            }
            Some(slen) => {
                if slen > len - off {
                    let more = slen - (len - off);
                    if more > i32::MAX as usize {
                        return Err(Ossl::Asn1TooLong);
                    }
                    if rest.len() - len < more {
                        return Err(Ossl::Asn1NotEnoughData);
                    }
                    len += more;
                }
                off += slen;
                if eos == 0 {
                    break;
                }
                want = HEADER_SIZE;
            }
        }
    }
    Ok(DerRead::Element(off))
}

/// `d2i_X509` on one element: the error OpenSSL leaves last in its queue when the
/// bytes are not a certificate. The outer `Certificate ::= SEQUENCE { tbs, alg, sig }`
/// shape is checked here (empty or short sequences give `FIELD_MISSING`, trailing
/// content `SEQUENCE_LENGTH_MISMATCH`, anything else `nested asn1 error`); the full
/// decode is x509-parser's.
pub(crate) fn check_certificate_der(der: &[u8]) -> Result<(), Ossl> {
    let content = if der.len() >= 4 && der[0] == 0x30 && der[1] == 0x80 {
        // Indefinite length (BER): the content ends before the final end-of-contents.
        &der[2..der.len() - 2]
    } else {
        let (tag, content, _) = tlv(der).ok_or(Ossl::Asn1Nested)?;
        if tag != 0x30 {
            return Err(Ossl::Asn1Nested);
        }
        content
    };
    let mut rest = content;
    let expected = [0x30u8, 0x30, 0x03];
    for want in expected {
        if rest.is_empty() {
            return Err(Ossl::Asn1FieldMissing);
        }
        let (t, _, n) = tlv(rest).ok_or(Ossl::Asn1Nested)?;
        if t != want {
            return Err(Ossl::Asn1Nested);
        }
        rest = &rest[n..];
    }
    if !rest.is_empty() {
        return Err(Ossl::Asn1SeqLengthMismatch);
    }
    if !der_well_formed(der) {
        return Err(Ossl::Asn1Nested);
    }
    // The crate's certificate parser has `d2i_X509`'s rules; the names must also
    // survive OpenSSL's canonical-encoding pass.
    match crate::x509::raw::parse_cert(der) {
        Ok(c) => {
            if [c.subject_der, c.issuer_der]
                .iter()
                .all(|n| super::name::canonical_name_checked(n).is_some())
            {
                Ok(())
            } else {
                Err(Ossl::Asn1Nested)
            }
        }
        Err(_) => Err(Ossl::Asn1Nested),
    }
}

/// Structural DER checks OpenSSL's template decoder makes and x509-parser does not
/// always make: every constructed element is exactly tiled by its children, OIDs are
/// minimally encoded and end on a final byte, BOOLEANs have one byte, INTEGERs at
/// least one, NULLs none, BIT STRINGs a valid unused-bits count. Iterative, so the
/// nesting depth of the input cannot exhaust the stack.
pub(crate) fn der_well_formed(der: &[u8]) -> bool {
    // Stack of the end offsets of the open constructed elements.
    let mut ends: Vec<usize> = vec![der.len()];
    let mut pos = 0usize;
    while let Some(&end) = ends.last() {
        if pos == end {
            ends.pop();
            continue;
        }
        let Some(slice) = der.get(pos..end) else {
            return false;
        };
        let Ok(h) = get_object(slice) else {
            return false;
        };
        let Some(len) = h.len else {
            return false;
        };
        if h.too_long {
            return false;
        }
        let start = pos + h.hlen;
        let Some(content) = der.get(start..start + len) else {
            return false;
        };
        if h.constructed {
            if ends.len() > 64 {
                return false;
            }
            ends.push(start + len);
            pos = start;
            continue;
        }
        if h.class == 0 {
            let ok = match h.tag {
                1 => len == 1,
                2 => len >= 1,
                3 => content.first().is_some_and(|&u| u <= 7),
                5 => len == 0,
                6 => {
                    content.last().is_some_and(|&b| b & 0x80 == 0)
                        && content
                            .iter()
                            .enumerate()
                            .all(|(i, &b)| b != 0x80 || (i > 0 && content[i - 1] & 0x80 != 0))
                }
                _ => true,
            };
            if !ok {
                return false;
            }
        }
        pos = start + len;
    }
    pos == der.len()
}

/// `d2i_X509_CRL` on one element (x509-parser's decoder).
pub(crate) fn check_crl_der(der: &[u8]) -> Result<(), Ossl> {
    match x509_parser::parse_x509_crl(der) {
        Ok((&[], _)) => Ok(()),
        _ => Err(Ossl::Asn1Nested),
    }
}

/// The certificate at the start of a `TRUSTED CERTIFICATE` body (`X509_AUX`: the
/// certificate followed by optional trust settings) or of a plain one.
pub(crate) fn leading_element(der: &[u8]) -> &[u8] {
    match tlv(der) {
        Some((_, _, n)) => &der[..n],
        None => der,
    }
}

/// `PEM_get_EVP_CIPHER_INFO` + `PEM_do_header` for a certificate or CRL block:
/// headers must be absent; an encrypted block would need a password prompt, which
/// fails as OpenSSL's does without a terminal (`BAD_PASSWORD_READ`).
fn check_not_encrypted(headers: &str) -> Result<(), Ossl> {
    match super::keys::cipher_info(headers)? {
        None => Ok(()),
        Some(_) => Err(Ossl::Pem(104, Reason::BadPasswordRead)),
    }
}

/// Which PEM labels a reader accepts for a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CertLabels {
    /// `PEM_read_bio_X509`: `CERTIFICATE`, `X509 CERTIFICATE`.
    Plain,
    /// `PEM_read_bio_X509_AUX` and `PEM_X509_INFO_read_bio`: also `TRUSTED CERTIFICATE`.
    WithTrusted,
}

impl CertLabels {
    pub(crate) fn accepts(self, label: &str) -> bool {
        match label {
            "CERTIFICATE" | "X509 CERTIFICATE" => true,
            "TRUSTED CERTIFICATE" => self == CertLabels::WithTrusted,
            _ => false,
        }
    }
}

/// `PEM_read_bio_X509(_AUX)`: the next certificate block (other labels are skipped),
/// checked as DER. A DER failure is `[PEM] ASN1 lib`.
pub(crate) fn read_pem_certificate(
    r: &mut PemReader<'_>,
    labels: CertLabels,
) -> Result<Vec<u8>, Ossl> {
    loop {
        let b = r.next_block()?;
        if !labels.accepts(&b.label) {
            continue;
        }
        check_not_encrypted(&b.headers)?;
        // d2i_X509 ignores what follows the certificate (for TRUSTED CERTIFICATE,
        // the trust settings).
        let der = leading_element(&b.der).to_vec();
        check_certificate_der(&der).map_err(|_| Ossl::PemAsn1Lib)?;
        return Ok(der);
    }
}

/// Items of a cafile, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InfoItem {
    /// A certificate (DER).
    Cert(Vec<u8>),
    /// A CRL (DER).
    Crl(Vec<u8>),
}

/// `PEM_X509_INFO_read_bio`: every certificate and CRL block of a file; private keys
/// and other labels are skipped; any read or decode error fails the whole file.
pub(crate) fn read_x509_info(data: &[u8]) -> Result<Vec<InfoItem>, Ossl> {
    let mut r = PemReader::new(data);
    let mut out = Vec::new();
    loop {
        let b = match r.next_block() {
            Ok(b) => b,
            Err(Ossl::NoStartLine) => return Ok(out),
            Err(e) => return Err(e),
        };
        let is_cert = CertLabels::WithTrusted.accepts(&b.label);
        if is_cert || b.label == "X509 CRL" {
            check_not_encrypted(&b.headers)?;
        }
        if is_cert {
            let der = leading_element(&b.der).to_vec();
            check_certificate_der(&der).map_err(|_| Ossl::PemAsn1Lib)?;
            out.push(InfoItem::Cert(der));
        } else if b.label.contains("PRIVATE KEY") {
            super::keys::info_key_block_ok(&b.label, &b.headers, &b.der)?;
        } else if b.label == "X509 CRL" {
            let der = leading_element(&b.der).to_vec();
            check_crl_der(&der).map_err(|_| Ossl::PemAsn1Lib)?;
            out.push(InfoItem::Crl(der));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rules() {
        assert_eq!(decode_base64(b"TWFu\n"), Some(b"Man".to_vec()));
        assert_eq!(decode_base64(b"TWE=\n"), Some(b"Ma".to_vec()));
        assert_eq!(decode_base64(b"TQ==\n"), Some(b"M".to_vec()));
        assert_eq!(decode_base64(b"TQ==TWFu"), None);
        assert_eq!(decode_base64(b"TWF"), None);
        assert_eq!(decode_base64(b"TW*u"), None);
    }

    #[test]
    fn der_eof_rules() {
        assert_eq!(der_read_element(b""), Ok(DerRead::Eof));
        assert_eq!(der_read_element(b"\x30"), Err(Ossl::Asn1HeaderTooLong));
        assert_eq!(
            der_read_element(b"\x30\x05ab"),
            Err(Ossl::Asn1NotEnoughData)
        );
        assert_eq!(der_read_element(b"\x00\x00"), Ok(DerRead::Element(2)));
        assert_eq!(
            der_read_element(b"\x30\x80\x00\x00"),
            Ok(DerRead::Element(4))
        );
        assert_eq!(
            check_certificate_der(b"\x30\x00"),
            Err(Ossl::Asn1FieldMissing)
        );
        assert_eq!(check_certificate_der(b"\x00\x00"), Err(Ossl::Asn1Nested));
    }

    #[test]
    fn truncated_block_is_bad_end_line() {
        let mut r = PemReader::new(b"-----BEGIN CERTIFICATE-----\nMIIB\n");
        assert_eq!(r.next_block(), Err(Ossl::BadEndLine));
        let mut r = PemReader::new(b"hello\n");
        assert_eq!(r.next_block(), Err(Ossl::NoStartLine));
    }
}
