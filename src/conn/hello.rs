//! Reading a ClientHello as the client sent it and as OpenSSL's server reads it.
//!
//! rustls lower-cases the name it hands to `ClientHello::server_name()`; CPython's
//! `sni_callback` receives it as sent (`'LocalHost'`). The server keeps the bytes of
//! the client's first records (bounded) and this parser reads, in one pass, what the
//! server's OpenSSL-order checks need ([`HelloFacts`]: server name, versions, suites,
//! groups, signature algorithms) and what OpenSSL says of a hello it cannot decode
//! ([`decode_refusal`]). Hand-written because no crate parses a raw ClientHello without
//! also being a TLS implementation; every length is checked.

use crate::enums::AlertDescription as Alert;
use crate::error::Reason;

/// The body of the first handshake message of `records`, when it is a ClientHello.
fn client_hello_body(records: &[u8]) -> Option<Vec<u8>> {
    let mut hello = None;
    super::record::handshake_messages(records, |kind, body| {
        if kind == 1 {
            hello = Some(body.to_vec());
        }
        false
    });
    hello
}

/// A length-prefixed field: returns (field, rest).
fn take(data: &[u8], len_bytes: usize) -> Option<(&[u8], &[u8])> {
    let prefix = data.get(..len_bytes)?;
    let len = prefix
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    let field = data.get(len_bytes..len_bytes + len)?;
    Some((field, &data[len_bytes + len..]))
}

/// Calls `f` with each extension (type, body) of a ClientHello body; `None` when the
/// body is cut short before its extensions.
fn for_each_extension(body: &[u8], mut f: impl FnMut(u16, &[u8])) -> Option<()> {
    // legacy_version (2) + random (32)
    let rest = body.get(34..)?;
    let (_session_id, rest) = take(rest, 1)?;
    let (_suites, rest) = take(rest, 2)?;
    let (_compression, rest) = take(rest, 1)?;
    if rest.is_empty() {
        // No extensions at all (a TLS 1.0-style hello).
        return Some(());
    }
    let (mut exts, _) = take(rest, 2)?;
    while !exts.is_empty() {
        let kind = u16::from_be_bytes([*exts.first()?, *exts.get(1)?]);
        let (ext, next) = take(exts.get(2..)?, 2)?;
        f(kind, ext);
        exts = next;
    }
    Some(())
}

/// The first host_name of a `server_name` extension body.
fn host_name(ext: &[u8]) -> Option<String> {
    let (mut list, _) = take(ext, 2)?;
    while !list.is_empty() {
        let name_type = *list.first()?;
        let (name, next_name) = take(list.get(1..)?, 2)?;
        if name_type == 0 {
            return String::from_utf8(name.to_vec()).ok();
        }
        list = next_name;
    }
    None
}

/// What OpenSSL's server says of a ClientHello it cannot decode, in the order it reads
/// the fields (`tls_process_client_hello`, then the cipher and compression lists):
/// the reason and its alert. `None` when the hello decodes (or none is in `records`).
pub(crate) fn decode_refusal(records: &[u8]) -> Option<(Reason, Alert)> {
    let body = client_hello_body(records)?;
    let length_mismatch = Some((Reason::LengthMismatch, Alert::DecodeError));
    if body.len() < 2 {
        return Some((Reason::LengthTooShort, Alert::DecodeError));
    }
    let Some(rest) = body.get(34..) else {
        return length_mismatch;
    };
    let Some((session_id, rest)) = take(rest, 1) else {
        return length_mismatch;
    };
    let Some((suites, rest)) = take(rest, 2) else {
        return length_mismatch;
    };
    let Some((compression, rest)) = take(rest, 1) else {
        return length_mismatch;
    };
    if session_id.len() > 32 {
        return length_mismatch;
    }
    if !rest.is_empty() {
        match take(rest, 2) {
            Some((exts, [])) => {
                let mut exts = exts;
                while !exts.is_empty() {
                    match exts.get(2..).and_then(|e| take(e, 2)) {
                        Some((_, next)) => exts = next,
                        None => return Some((Reason::BadExtension, Alert::DecodeError)),
                    }
                }
            }
            _ => return length_mismatch,
        }
    }
    if suites.len() % 2 != 0 {
        return Some((Reason::ErrorInReceivedCipherList, Alert::DecodeError));
    }
    if suites.is_empty() {
        return Some((Reason::NoCiphersSpecified, Alert::IllegalParameter));
    }
    if !compression.contains(&0) {
        return Some((Reason::NoCompressionSpecified, Alert::DecodeError));
    }
    None
}

/// What a ClientHello offers, as OpenSSL's server reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct HelloFacts {
    /// `legacy_version`.
    pub legacy: u16,
    /// The `supported_versions` list (GREASE values left out), if the extension is there.
    pub supported: Option<Vec<u16>>,
    /// The cipher suites.
    pub suites: Vec<u16>,
    /// The `supported_groups` list, if the extension is there.
    pub groups: Option<Vec<u16>>,
    /// The `signature_algorithms` list, if the extension is there.
    pub sigalgs: Option<Vec<u16>>,
    /// The first host_name of the `server_name` extension, as sent.
    pub server_name: Option<String>,
}

impl HelloFacts {
    /// Whether TLS 1.3 is among the versions offered.
    pub fn offers_tls13(&self) -> bool {
        self.supported
            .as_ref()
            .is_some_and(|list| list.contains(&0x0304))
    }
}

/// A list of 16-bit values behind a length prefix of `len_bytes`.
fn u16_list(data: &[u8], len_bytes: usize) -> Vec<u16> {
    take(data, len_bytes)
        .map(|(l, _)| l)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|v| u16::from_be_bytes([v[0], v[1]]))
        .collect()
}

/// What the ClientHello in `records` offers (`None` when it cannot be read that far).
pub(crate) fn hello_facts(records: &[u8]) -> Option<HelloFacts> {
    let body = client_hello_body(records)?;
    let legacy = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
    let rest = body.get(34..)?;
    let (_session_id, rest) = take(rest, 1)?;
    let mut seen_sni = false;
    let mut facts = HelloFacts {
        legacy,
        suites: u16_list(rest, 2),
        ..HelloFacts::default()
    };
    for_each_extension(&body, |kind, ext| match kind {
        43 if facts.supported.is_none() => {
            let list = u16_list(ext, 1);
            facts.supported = Some(list.into_iter().filter(|v| v & 0x0f0f != 0x0a0a).collect());
        }
        10 if facts.groups.is_none() => facts.groups = Some(u16_list(ext, 2)),
        13 if facts.sigalgs.is_none() => facts.sigalgs = Some(u16_list(ext, 2)),
        0 if !seen_sni => {
            seen_sni = true;
            facts.server_name = host_name(ext);
        }
        _ => {}
    })?;
    Some(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `server_name` of the ClientHello in `records`, as sent.
    fn sni_as_sent(records: &[u8]) -> Option<String> {
        hello_facts(records)?.server_name
    }

    fn hello_with_sni(name: &[u8]) -> Vec<u8> {
        let mut sni = vec![0u8];
        sni.extend_from_slice(&(name.len() as u16).to_be_bytes());
        sni.extend_from_slice(name);
        let mut list = (sni.len() as u16).to_be_bytes().to_vec();
        list.extend_from_slice(&sni);
        let mut ext = vec![0, 0];
        ext.extend_from_slice(&(list.len() as u16).to_be_bytes());
        ext.extend_from_slice(&list);
        let mut body = vec![3, 3];
        body.extend_from_slice(&[0u8; 32]);
        body.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
        body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        body.extend_from_slice(&ext);
        let mut msg = vec![1, 0];
        msg.extend_from_slice(&(body.len() as u16).to_be_bytes());
        msg.extend_from_slice(&body);
        // Split over two records to exercise reassembly.
        let (a, b) = msg.split_at(10);
        let mut out = Vec::new();
        for part in [a, b] {
            out.extend_from_slice(&[22, 3, 1]);
            out.extend_from_slice(&(part.len() as u16).to_be_bytes());
            out.extend_from_slice(part);
        }
        out
    }

    #[test]
    fn finds_the_name_as_sent() {
        assert_eq!(
            sni_as_sent(&hello_with_sni(b"LocalHost")).as_deref(),
            Some("LocalHost")
        );
    }

    #[test]
    fn hello_facts_read_versions_suites_and_groups() {
        let hello = hello_with_sni(b"a");
        assert_eq!(
            hello_facts(&hello),
            Some(HelloFacts {
                legacy: 0x0303,
                supported: None,
                suites: vec![0x1301],
                groups: None,
                sigalgs: None,
                server_name: Some("a".into()),
            })
        );
        // A TLS 1.0-style hello: no extensions block at all.
        let mut body = vec![3, 1];
        body.extend_from_slice(&[0u8; 32]);
        body.extend_from_slice(&[0, 0, 2, 0, 0x2f, 1, 0]);
        let mut rec = vec![
            22,
            3,
            1,
            0,
            (body.len() + 4) as u8,
            1,
            0,
            0,
            body.len() as u8,
        ];
        rec.extend_from_slice(&body);
        assert_eq!(
            hello_facts(&rec),
            Some(HelloFacts {
                legacy: 0x0301,
                suites: vec![0x002f],
                ..HelloFacts::default()
            })
        );
    }

    #[test]
    fn decode_refusals_follow_openssl_order() {
        let record = |body: &[u8]| {
            let mut msg = vec![1, 0];
            msg.extend_from_slice(&(body.len() as u16).to_be_bytes());
            msg.extend_from_slice(body);
            let mut rec = vec![22, 3, 1];
            rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
            rec.extend_from_slice(&msg);
            rec
        };
        let base = |suites: &[u8], compression: &[u8], exts: Option<&[u8]>| {
            let mut b = vec![3, 3];
            b.extend_from_slice(&[0u8; 32]);
            b.push(0);
            b.extend_from_slice(&(suites.len() as u16).to_be_bytes());
            b.extend_from_slice(suites);
            b.push(compression.len() as u8);
            b.extend_from_slice(compression);
            if let Some(e) = exts {
                b.extend_from_slice(&(e.len() as u16).to_be_bytes());
                b.extend_from_slice(e);
            }
            b
        };
        let good = base(&[0xc0, 0x2b], &[0], Some(&[0, 23, 0, 0]));
        assert_eq!(decode_refusal(&record(&good)), None);
        assert_eq!(
            decode_refusal(&record(&[3])),
            Some((Reason::LengthTooShort, Alert::DecodeError))
        );
        assert_eq!(
            decode_refusal(&record(&good[..20])),
            Some((Reason::LengthMismatch, Alert::DecodeError))
        );
        assert_eq!(
            decode_refusal(&record(&base(&[0xc0, 0x2b], &[0], Some(&[0, 23, 0, 5])))),
            Some((Reason::BadExtension, Alert::DecodeError))
        );
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(
            decode_refusal(&record(&trailing)),
            Some((Reason::LengthMismatch, Alert::DecodeError))
        );
        assert_eq!(
            decode_refusal(&record(&base(&[0xc0], &[0], None))),
            Some((Reason::ErrorInReceivedCipherList, Alert::DecodeError))
        );
        assert_eq!(
            decode_refusal(&record(&base(&[], &[0], None))),
            Some((Reason::NoCiphersSpecified, Alert::IllegalParameter))
        );
        assert_eq!(
            decode_refusal(&record(&base(&[0xc0, 0x2b], &[1], None))),
            Some((Reason::NoCompressionSpecified, Alert::DecodeError))
        );
    }

    #[test]
    fn truncations_never_panic() {
        let full = hello_with_sni(b"example.com");
        for n in 0..full.len() {
            let _ = sni_as_sent(&full[..n]);
            let _ = hello_facts(&full[..n]);
            let _ = decode_refusal(&full[..n]);
        }
        assert_eq!(sni_as_sent(b"GET / HTTP/1.1\r\n"), None);
    }
}
