//! OID → text, as OpenSSL's `OBJ_obj2txt(obj, 0)`: the long name of an OID OpenSSL
//! knows (its full object table, see `oid_table.rs`), else the dotted form.

use super::oid_table::OID_NAMES;

/// `id-ad-ocsp` (1.3.6.1.5.5.7.48.1).
pub(crate) const AD_OCSP: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];
/// `id-ad-caIssuers` (1.3.6.1.5.5.7.48.2).
pub(crate) const AD_CA_ISSUERS: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
/// subjectAltName (2.5.29.17).
pub(crate) const EXT_SAN: &[u8] = &[0x55, 0x1d, 0x11];
/// cRLDistributionPoints (2.5.29.31).
pub(crate) const EXT_CRL_DP: &[u8] = &[0x55, 0x1d, 0x1f];
/// authorityInfoAccess (1.3.6.1.5.5.7.1.1).
pub(crate) const EXT_AIA: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01];
/// Microsoft UPN (1.3.6.1.4.1.311.20.2.3).
pub(crate) const ON_UPN: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03];
/// id-on-xmppAddr (1.3.6.1.5.5.7.8.5).
pub(crate) const ON_XMPP: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x05];
/// id-on-dnsSRV (1.3.6.1.5.5.7.8.7).
pub(crate) const ON_SRV: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x07];
/// id-on-NAIRealm (1.3.6.1.5.5.7.8.8).
pub(crate) const ON_NAI: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x08];
/// id-on-SmtpUTF8Mailbox (1.3.6.1.5.5.7.8.9).
pub(crate) const ON_SMTP_UTF8: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x09];

/// The name OpenSSL prints for an OID's content octets (long name, else dotted).
pub fn oid_to_text(content: &[u8]) -> String {
    match long_name(content) {
        Some(n) => n.to_string(),
        None => dotted(content),
    }
}

/// OpenSSL's long name for an OID's content octets, if OpenSSL 3.0 knows it.
pub fn long_name(content: &[u8]) -> Option<&'static str> {
    OID_NAMES
        .binary_search_by(|(k, _)| (*k).cmp(content))
        .ok()
        .and_then(|i| OID_NAMES.get(i))
        .map(|(_, n)| *n)
}

/// Dotted decimal form of an OID's content octets, arbitrary-size arcs included.
pub fn dotted(content: &[u8]) -> String {
    let mut out = String::new();
    let mut arc: Vec<u32> = Vec::new(); // big number, base 2^32 limbs, little-endian
    let mut first = true;
    for &b in content {
        mul_add(&mut arc, 128, u32::from(b & 0x7f));
        if b & 0x80 != 0 {
            continue;
        }
        if first {
            first = false;
            // The first subidentifier packs two arcs: X*40 + Y.
            let small = if arc.len() <= 1 {
                Some(arc.first().copied().unwrap_or(0))
            } else {
                None
            };
            match small {
                Some(v) if v < 80 => {
                    out.push_str(&format!("{}.{}", v / 40, v % 40));
                }
                _ => {
                    sub_small(&mut arc, 80);
                    out.push_str("2.");
                    out.push_str(&to_decimal(&arc));
                }
            }
        } else {
            out.push('.');
            out.push_str(&to_decimal(&arc));
        }
        arc.clear();
    }
    out
}

fn mul_add(n: &mut Vec<u32>, m: u32, a: u32) {
    let mut carry = u64::from(a);
    for limb in n.iter_mut() {
        let v = u64::from(*limb) * u64::from(m) + carry;
        *limb = v as u32;
        carry = v >> 32;
    }
    if carry != 0 {
        n.push(carry as u32);
    }
}

fn sub_small(n: &mut [u32], s: u32) {
    let mut borrow = u64::from(s);
    for limb in n.iter_mut() {
        if borrow == 0 {
            break;
        }
        let v = u64::from(*limb);
        if v >= borrow {
            *limb = (v - borrow) as u32;
            borrow = 0;
        } else {
            *limb = ((1u64 << 32) + v - borrow) as u32;
            borrow = 1;
        }
    }
}

fn to_decimal(n: &[u32]) -> String {
    let mut limbs: Vec<u32> = n.to_vec();
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
    if limbs.is_empty() {
        return "0".to_string();
    }
    let mut chunks: Vec<u32> = Vec::new(); // base 1e9, little-endian
    while !limbs.is_empty() {
        let mut rem: u64 = 0;
        for limb in limbs.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        chunks.push(rem as u32);
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
    }
    let mut s = String::new();
    for (i, c) in chunks.iter().rev().enumerate() {
        if i == 0 {
            s.push_str(&c.to_string());
        } else {
            s.push_str(&format!("{c:09}"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_dotted() {
        assert_eq!(oid_to_text(&[0x55, 0x04, 0x03]), "commonName");
        assert_eq!(oid_to_text(&[0x2a, 0x03, 0x04, 0x05]), "1.2.3.4.5");
        assert_eq!(dotted(&[0x88, 0x37, 0x01]), "2.999.1");
        assert_eq!(dotted(&[0x00]), "0.0");
        // 1.2.99999999999999999999999.3
        let mut c = vec![0x2a];
        let mut v: u128 = 99_999_999_999_999_999_999_999;
        let mut chunk = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v != 0 {
            chunk.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        chunk.reverse();
        c.extend(chunk);
        c.push(3);
        assert_eq!(dotted(&c), "1.2.99999999999999999999999.3");
    }
}
