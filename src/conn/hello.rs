//! Reading the server name from a ClientHello exactly as the client sent it.
//!
//! rustls lower-cases the name it hands to `ClientHello::server_name()`; CPython's
//! `sni_callback` receives it as sent (`'LocalHost'`). The server keeps the bytes of
//! the client's first records (bounded) and this parser finds the `server_name`
//! extension in them. Hand-written because no crate parses a raw ClientHello without
//! also being a TLS implementation; every length is checked.

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

/// The `server_name` (host_name type) of the ClientHello in `records`, as sent.
pub(crate) fn sni_as_sent(records: &[u8]) -> Option<String> {
    let body = client_hello_body(records)?;
    // legacy_version (2) + random (32)
    let rest = body.get(34..)?;
    let (_session_id, rest) = take(rest, 1)?;
    let (_suites, rest) = take(rest, 2)?;
    let (_compression, rest) = take(rest, 1)?;
    let (mut exts, _) = take(rest, 2)?;
    while !exts.is_empty() {
        let kind = u16::from_be_bytes([*exts.first()?, *exts.get(1)?]);
        let (ext, next) = take(exts.get(2..)?, 2)?;
        if kind == 0 {
            let (mut list, _) = take(ext, 2)?;
            while !list.is_empty() {
                let name_type = *list.first()?;
                let (name, next_name) = take(list.get(1..)?, 2)?;
                if name_type == 0 {
                    return String::from_utf8(name.to_vec()).ok();
                }
                list = next_name;
            }
            return None;
        }
        exts = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn truncations_never_panic() {
        let full = hello_with_sni(b"example.com");
        for n in 0..full.len() {
            let _ = sni_as_sent(&full[..n]);
        }
        assert_eq!(sni_as_sent(b"GET / HTTP/1.1\r\n"), None);
    }
}
