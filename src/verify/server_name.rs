//! CPython's `server_hostname` processing (`SSLContext._encode_hostname` and
//! `_ssl_configure_hostname`): IDNA 2003 encoding of `str` names, ASCII decoding of
//! `bytes` names, OpenSSL's `a2i_IPADDRESS` IP-literal test, and the SNI decision.
//!
//! Python's `encodings.idna` is IDNA 2003 (nameprep + ToASCII per label, ASCII labels
//! kept verbatim). The `idna` crate implements UTS #46 non-transitional processing; the
//! difference that matters for real names is the four "deviation" characters, which IDNA
//! 2003 maps (`ß` → `ss`, `ς` → `σ`, ZWJ/ZWNJ → nothing): they are mapped before the
//! crate runs. Other differences (characters unassigned in Unicode 3.2, bidi details) are
//! documented divergences.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rustls_pki_types::{DnsName, ServerName};

use crate::error::Reason;
use crate::error::{Error, Result};

/// A processed `server_hostname`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerNameSpec {
    /// The text CPython keeps as `server_hostname` (the A-label form for `str` input).
    pub hostname: String,
    /// The address when OpenSSL's `a2i_IPADDRESS` parses the text: then no SNI is sent
    /// and verification matches IP SANs.
    pub ip: Option<IpAddr>,
}

impl ServerNameSpec {
    /// Whether the name is an IP literal (no SNI, IP matching).
    pub fn is_ip(&self) -> bool {
        self.ip.is_some()
    }

    /// The SNI OpenSSL would send: the text, unless it is an IP literal.
    pub fn sni(&self) -> Option<&str> {
        if self.ip.is_some() {
            None
        } else {
            Some(&self.hostname)
        }
    }

    /// The `ServerName` to hand rustls: the IP for IP literals, the DNS name when rustls
    /// accepts the text, `None` when rustls refuses a name that OpenSSL would still send
    /// as SNI (e.g. `a b`, `[::1]`, `foo..bar` given as bytes). For `None` the connection
    /// layer must connect without SNI (the verifier checks the name itself, from this
    /// spec, so the check is unaffected); see the module docs of [`crate::verify`].
    pub fn rustls_server_name(&self) -> Option<ServerName<'static>> {
        match self.ip {
            Some(ip) => Some(ServerName::IpAddress(ip.into())),
            None => DnsName::try_from(self.hostname.clone())
                .ok()
                .map(ServerName::DnsName),
        }
    }
}

const EMPTY_OR_DOT: &str = "server_hostname cannot be an empty string or start with a leading dot.";

fn idna_error(detail: &str) -> Error {
    Error::UnicodeError(format!(
        "encoding with 'idna' codec failed (UnicodeError: {detail})"
    ))
}

/// `server_hostname` given as a Python `str`: IDNA 2003 encoding, then the C checks.
pub fn encode_hostname(name: &str) -> Result<ServerNameSpec> {
    let encoded = idna_encode(name)?;
    configure(&encoded)
}

/// `server_hostname` given as `bytes`/`bytearray`: ASCII decoding (no IDNA), then the
/// C checks.
pub fn encode_hostname_bytes(name: &[u8]) -> Result<ServerNameSpec> {
    if let Some(pos) = name.iter().position(|b| !b.is_ascii()) {
        let byte = name.get(pos).copied().unwrap_or(0);
        return Err(Error::UnicodeError(format!(
            "'ascii' codec can't decode byte 0x{byte:02x} in position {pos}: ordinal not in range(128)"
        )));
    }
    let text: String = name.iter().map(|&b| char::from(b)).collect();
    configure(&text)
}

/// The C part: NUL check, empty / leading dot, IP test, SNI length limit.
fn configure(name: &str) -> Result<ServerNameSpec> {
    if name.contains('\0') {
        return Err(Error::TypeError(
            "argument must be encoded string without null bytes, not str".to_string(),
        ));
    }
    if name.is_empty() || name.starts_with('.') {
        return Err(Error::value(EMPTY_OR_DOT));
    }
    let ip = parse_ip_openssl(name);
    if ip.is_none() && name.len() > 255 {
        return Err(Error::ssl(319, "SSL", Reason::Ssl3ExtInvalidServername));
    }
    Ok(ServerNameSpec {
        hostname: name.to_string(),
        ip,
    })
}

/// Python's `str.encode('idna')` (IDNA 2003), returned as text.
pub fn idna_encode(input: &str) -> Result<String> {
    if input.is_empty() {
        return Ok(String::new());
    }
    if input.is_ascii() {
        let labels: Vec<&str> = input.split('.').collect();
        let (last, rest) = match labels.split_last() {
            Some(x) => x,
            None => return Ok(input.to_string()),
        };
        for label in rest {
            if label.is_empty() || label.len() >= 64 {
                return Err(idna_error("label empty or too long"));
            }
        }
        if last.len() >= 64 {
            return Err(idna_error("label too long"));
        }
        return Ok(input.to_string());
    }
    let mut labels: Vec<&str> = input
        .split(['.', '\u{3002}', '\u{FF0E}', '\u{FF61}'])
        .collect();
    let trailing_dot = labels.last().is_some_and(|l| l.is_empty());
    if trailing_dot {
        labels.pop();
    }
    let mut out = String::new();
    for label in labels {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&to_ascii_label(label)?);
    }
    if trailing_dot {
        out.push('.');
    }
    Ok(out)
}

/// IDNA 2003 ToASCII of one label (AllowUnassigned, no STD3 rules).
fn to_ascii_label(label: &str) -> Result<String> {
    let check = |s: String| {
        if !s.is_empty() && s.len() < 64 {
            Ok(s)
        } else {
            Err(idna_error("label empty or too long"))
        }
    };
    if label.is_ascii() {
        return check(label.to_string());
    }
    // IDNA 2003's mappings where UTS #46 (non-transitional) differs.
    let mut mapped = String::with_capacity(label.len());
    for c in label.chars() {
        match c {
            'ß' => mapped.push_str("ss"),
            'ς' => mapped.push('σ'),
            '\u{200C}' | '\u{200D}' => {}
            _ => mapped.push(c),
        }
    }
    if mapped.is_ascii() {
        // Mapping alone may make it ASCII ("Straße" -> "strasse" needs lower-casing too).
        return check(mapped.to_ascii_lowercase());
    }
    if mapped.to_lowercase().starts_with("xn--") {
        return Err(idna_error("Label starts with ACE prefix"));
    }
    let uts46 = idna::uts46::Uts46::new();
    let ascii = uts46
        .to_ascii(
            mapped.as_bytes(),
            idna::uts46::AsciiDenyList::EMPTY,
            idna::uts46::Hyphens::Allow,
            idna::uts46::DnsLength::Ignore,
        )
        .map_err(|_| {
            let bad = mapped.chars().find(|c| !c.is_ascii()).unwrap_or('?');
            idna_error(&format!("Invalid character {}", py_char_repr(bad)))
        })?;
    check(ascii.into_owned())
}

fn py_char_repr(c: char) -> String {
    if c.is_alphanumeric() {
        format!("'{c}'")
    } else if (c as u32) <= 0xFFFF {
        format!("'\\u{:04x}'", c as u32)
    } else {
        format!("'\\U{:08x}'", c as u32)
    }
}

/// OpenSSL's `a2i_IPADDRESS` (via `ossl_a2i_ipadd`): IPv6 when the text has a `:`,
/// else dotted-quad IPv4 read with `sscanf("%d.%d.%d.%d")` (leading zeros, signs and
/// surrounding white space accepted; the text must end or continue with white space).
pub fn parse_ip_openssl(text: &str) -> Option<IpAddr> {
    if text.contains(':') {
        ipv6_from_asc(text).map(|b| IpAddr::V6(Ipv6Addr::from(b)))
    } else {
        ipv4_from_asc(text).map(|b| IpAddr::V4(Ipv4Addr::from(b)))
    }
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// One `%d` conversion: skips white space, optional sign, at least one digit. Returns
/// the value as C's `int` would hold it after glibc's `long` conversion (saturating at
/// the `long` range, then truncated to 32 bits) and the bytes consumed.
fn scan_int(s: &[u8]) -> Option<(i64, usize)> {
    let mut i = 0;
    while s.get(i).copied().is_some_and(is_c_space) {
        i += 1;
    }
    let mut neg = false;
    if let Some(&c) = s.get(i) {
        if c == b'+' || c == b'-' {
            neg = c == b'-';
            i += 1;
        }
    }
    let start = i;
    let mut value: i64 = 0;
    let mut overflow = false;
    while let Some(&c) = s.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(c - b'0')))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return None;
    }
    let long = if overflow {
        if neg {
            i64::MIN
        } else {
            i64::MAX
        }
    } else if neg {
        -value
    } else {
        value
    };
    // The `long` is stored into an `int`.
    Some((i64::from(long as i32), i))
}

fn ipv4_from_asc(text: &str) -> Option<[u8; 4]> {
    let s = text.as_bytes();
    let mut pos = 0;
    let mut out = [0u8; 4];
    for (n, slot) in out.iter_mut().enumerate() {
        if n > 0 {
            if s.get(pos) != Some(&b'.') {
                return None;
            }
            pos += 1;
        }
        let (v, used) = scan_int(s.get(pos..)?)?;
        pos += used;
        *slot = u8::try_from(v).ok()?;
    }
    match s.get(pos) {
        None => Some(out),
        Some(&c) if is_c_space(c) => Some(out),
        Some(_) => None,
    }
}

fn ipv6_from_asc(text: &str) -> Option<[u8; 16]> {
    let mut tmp = [0u8; 16];
    let mut total: usize = 0;
    let mut zero_pos: Option<usize> = None;
    let mut zero_cnt = 0;
    let elems: Vec<&str> = text.split(':').collect();
    let count = elems.len();
    for (idx, elem) in elems.into_iter().enumerate() {
        if total == 16 {
            return None;
        }
        if elem.is_empty() {
            match zero_pos {
                None => zero_pos = Some(total),
                Some(z) if z != total => return None,
                Some(_) => {}
            }
            zero_cnt += 1;
        } else if elem.len() > 4 {
            if total > 12 || idx + 1 != count {
                return None;
            }
            let v4 = ipv4_from_asc(elem)?;
            tmp.get_mut(total..total + 4)?.copy_from_slice(&v4);
            total += 4;
        } else {
            let mut num: u16 = 0;
            for c in elem.chars() {
                num = (num << 4) | u16::try_from(c.to_digit(16)?).ok()?;
            }
            tmp.get_mut(total..total + 2)?
                .copy_from_slice(&num.to_be_bytes());
            total += 2;
        }
    }
    match zero_pos {
        None => {
            if total != 16 {
                return None;
            }
            Some(tmp)
        }
        Some(z) => {
            if total == 16 || zero_cnt > 3 {
                return None;
            }
            if zero_cnt == 3 && total > 0 {
                return None;
            }
            if zero_cnt == 2 && z != 0 && z != total {
                return None;
            }
            if zero_cnt == 1 && (z == 0 || z == total) {
                return None;
            }
            let mut out = [0u8; 16];
            let head = tmp.get(..z)?;
            out.get_mut(..z)?.copy_from_slice(head);
            let tail = tmp.get(z..total)?;
            let start = 16 - (total - z);
            out.get_mut(start..)?.copy_from_slice(tail);
            Some(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_rules() {
        assert!(parse_ip_openssl("127.000.000.001").is_some());
        assert!(parse_ip_openssl("1.2.3").is_none());
        assert!(parse_ip_openssl("10.0.0.256").is_none());
        assert!(parse_ip_openssl("[::1]").is_none());
        assert!(parse_ip_openssl("::").is_some());
        assert!(parse_ip_openssl("::1").is_some());
        assert!(parse_ip_openssl("1::").is_some());
        assert!(parse_ip_openssl(":1").is_none());
        assert!(parse_ip_openssl("1:2:3:4:5:6:7:8").is_some());
        assert!(parse_ip_openssl("1:2:3:4:5:6:7:8:9").is_none());
        assert!(parse_ip_openssl("::ffff:1.2.3.4").is_some());
        assert!(parse_ip_openssl("fe80::1%eth0").is_none());
        assert_eq!(
            parse_ip_openssl("::ffff:192.0.2.7"),
            Some(
                "::ffff:192.0.2.7"
                    .parse()
                    .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
            )
        );
    }

    #[test]
    fn idna() {
        assert_eq!(idna_encode("Straße.de").ok().as_deref(), Some("strasse.de"));
        assert_eq!(idna_encode("é").ok().as_deref(), Some("xn--9ca"));
        assert_eq!(
            idna_encode("EXAMPLE.com").ok().as_deref(),
            Some("EXAMPLE.com")
        );
        assert!(idna_encode("foo..bar").is_err());
    }
}
