//! Arbitrary bytes → `decode_der`. Invariant: on success, every DNS / email / URI
//! subjectAltName value is exactly the DER content octets of that GeneralName
//! (lossless), found in order in the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sslcontext::x509::{decode_der, GeneralNameValue};

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(from);
    }
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fuzz_target!(|data: &[u8]| {
    let Ok(info) = decode_der(data) else { return };
    let mut pos = 0;
    for entry in info.subject_alt_name.iter().flatten() {
        if !matches!(entry.kind.as_str(), "DNS" | "email" | "URI") {
            continue;
        }
        let GeneralNameValue::Text(text) = &entry.value else {
            panic!("{} entry without text", entry.kind);
        };
        // Primitive encodings carry the text verbatim; BER-constructed ones are split
        // into segments, so only the primitive case is searched for.
        if let Some(p) = find(data, text.as_bytes(), pos) {
            pos = p;
        } else {
            let tag = match entry.kind.as_str() {
                "email" => 0xa1u8,
                "DNS" => 0xa2,
                _ => 0xa6,
            };
            assert!(
                data.contains(&tag),
                "{} value not in input: {text:?}",
                entry.kind
            );
        }
    }
});
