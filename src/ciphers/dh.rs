//! `SSLContext.load_dh_params(path)`.
//!
//! The file is read and checked as OpenSSL does (`PEM_read_DHparams` then
//! `SSL_CTX_set_tmp_dh_pkey`): the first `DH PARAMETERS` (or `X9.42 DH PARAMETERS`) PEM
//! block, base64, then DER `SEQUENCE { INTEGER p, INTEGER g [, INTEGER length] }`, and
//! the security-level check on the size of `p`. OpenSSL does not test primality on
//! load, and neither does this.
//!
//! rustls has no finite-field DHE suites, so valid parameters **change nothing**: they
//! are accepted (also on client contexts, as in CPython) and otherwise ignored.
//!
//! The PEM/base64/DER reading is hand-written (~80 lines): the crates in the tree parse
//! certificates and keys, and none of them has a `DH PARAMETERS` type; a direct base64
//! dependency is not in Cargo.toml.

use crate::error::Reason;
use crate::error::{Error, Result, SslErrorInfo};
use std::path::Path;

/// Load and check DH parameters at security level 2 (CPython's default context).
pub fn load_dh_params(path: &Path) -> Result<()> {
    load_dh_params_at_level(path, 2)
}

/// Load and check DH parameters for a context at `security_level`. Errors:
/// the file cannot be opened → `Error::Io` with the OS errno (`FileNotFoundError`,
/// `IsADirectoryError`, ...); no block → `[PEM: NO_START_LINE]` (errno 108); bad base64
/// → `[PEM: BAD_BASE64_DECODE]` (100); bad DER → `[PEM] ASN1 lib` (524301); `p` too
/// small for the level → `[SSL: DH_KEY_TOO_SMALL]` (394).
pub fn load_dh_params_at_level(path: &Path, security_level: u8) -> Result<()> {
    // CPython opens the file itself (`_Py_fopen_obj`), so its OSError names the file.
    let data = std::fs::read(path).map_err(|e| crate::error::io_error_with_filename(e, path))?;
    let p_bits = parse_dh_pem(&data)?;
    let bits = crate::pki::certinfo::ifc_security_bits(p_bits);
    if bits < crate::pki::certinfo::level_min_bits(security_level) {
        return Err(Error::ssl(394, "SSL", Reason::DhKeyTooSmall));
    }
    Ok(())
}

/// Find the DH block, decode it, return the bit length of `p`.
pub fn parse_dh_pem(data: &[u8]) -> Result<usize> {
    let text = String::from_utf8_lossy(data);
    let mut body: Option<String> = None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let t = line.trim_end();
        if t == "-----BEGIN DH PARAMETERS-----" || t == "-----BEGIN X9.42 DH PARAMETERS-----" {
            let end = t.replace("BEGIN", "END");
            let mut b = String::new();
            for l in lines.by_ref() {
                if l.trim_end() == end {
                    break;
                }
                b.push_str(l.trim());
            }
            body = Some(b);
            break;
        }
    }
    let Some(body) = body else {
        return Err(Error::ssl(108, "PEM", Reason::NoStartLine));
    };
    let der =
        base64_decode(&body).ok_or_else(|| Error::ssl(100, "PEM", Reason::BadBase64Decode))?;
    dh_der_p_bits(&der)
        .ok_or_else(|| Error::SslError(SslErrorInfo::openssl_common(524301, "PEM", "ASN1 lib")))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut n, mut pad) = (0u32, 0u32, 0usize);
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            _ => return None,
        };
        if pad > 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        n += 1;
        if n == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            n = 0;
        }
    }
    match (n, pad) {
        (0, 0) => {}
        (2, 2) | (2, 0) => out.push((acc >> 4) as u8),
        (3, 1) | (3, 0) => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => return None,
    }
    Some(out)
}

/// One DER TLV: (tag, contents, rest).
fn tlv(d: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = d.split_first()?;
    let (&l0, rest) = rest.split_first()?;
    let (len, rest) = if l0 < 0x80 {
        (usize::from(l0), rest)
    } else {
        let k = usize::from(l0 & 0x7f);
        if k == 0 || k > 4 || rest.len() < k {
            return None;
        }
        let (lb, rest) = rest.split_at(k);
        (
            lb.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b)),
            rest,
        )
    };
    if rest.len() < len {
        return None;
    }
    let (body, rest) = rest.split_at(len);
    Some((tag, body, rest))
}

fn dh_der_p_bits(der: &[u8]) -> Option<usize> {
    let (tag, seq, _) = tlv(der)?;
    if tag != 0x30 {
        return None;
    }
    let (t, p, rest) = tlv(seq)?;
    let (t2, g, rest) = tlv(rest)?;
    if t != 0x02 || t2 != 0x02 || p.is_empty() || g.is_empty() {
        return None;
    }
    if !rest.is_empty() {
        let (t3, _, rest) = tlv(rest)?;
        if t3 != 0x02 || !rest.is_empty() {
            return None;
        }
    }
    let p = {
        let mut p = p;
        while let [0, tail @ ..] = p {
            p = tail;
        }
        p
    };
    let first = *p.first()?;
    Some((p.len() - 1) * 8 + (8 - first.leading_zeros() as usize))
}
