//! OpenSSL's object table: OID → text as `OBJ_obj2txt(obj, 0)` prints it (the long
//! name of an OID OpenSSL knows, else the dotted form), and the NID / short name /
//! long name lookups behind `_ssl.nid2obj` and `_ssl.txt2obj` (see `oid_table.rs`).

use super::oid_table::{BY_OID, OBJECTS};
use crate::error::{Error, Result};

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
    let (_, short, long, _) = by_oid(content)?;
    Some(if long.is_empty() { short } else { long })
}

type Row = (u16, &'static str, &'static str, &'static [u8]);

/// The object OpenSSL finds for an OID (`OBJ_obj2nid`).
fn by_oid(content: &[u8]) -> Option<&'static Row> {
    let i = BY_OID
        .binary_search_by(|&i| OBJECTS[usize::from(i)].3.cmp(content))
        .ok()?;
    OBJECTS.get(usize::from(BY_OID[i]))
}

/// An entry of OpenSSL's object table: what `_ssl.nid2obj()` / `_ssl.txt2obj()` return
/// as the tuple `(nid, shortname, longname, oid)` (`ssl._ASN1Object`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Asn1Object {
    /// OpenSSL's numeric identifier (NID).
    pub nid: i32,
    /// The short name (`"serverAuth"`).
    pub shortname: &'static str,
    /// The long name (`"TLS Web Server Authentication"`).
    pub longname: &'static str,
    /// The dotted OID, `None` for objects without one.
    pub oid: Option<String>,
}

impl Asn1Object {
    fn from_row(&(nid, short, long, der): &Row) -> Self {
        Asn1Object {
            nid: i32::from(nid),
            shortname: short,
            longname: long,
            oid: (!der.is_empty()).then(|| dotted(der)),
        }
    }
}

/// `_ssl.nid2obj(nid)`: the object with OpenSSL 3.0's NID `nid`, with CPython's
/// `ValueError`s (`'NID must be positive.'`, `'unknown NID 100000'`, and `'Unknown
/// object'` for NID 0, `NID_undef`).
pub fn nid2obj(nid: i32) -> Result<Asn1Object> {
    if nid < 0 {
        return Err(Error::value("NID must be positive."));
    }
    if nid == 0 {
        return Err(Error::value("Unknown object"));
    }
    OBJECTS
        .binary_search_by(|row| i32::from(row.0).cmp(&nid))
        .map(|i| Asn1Object::from_row(&OBJECTS[i]))
        .map_err(|_| Error::value(format!("unknown NID {nid}")))
}

/// `_ssl.txt2obj(txt, name)`: the object for a dotted OID, or, when `name` is true,
/// for a short or long name first (case-sensitive, as OpenSSL's `OBJ_txt2obj`).
/// Text that is neither gives `ValueError("unknown object 'txt'")`; a well-formed
/// OID OpenSSL does not know gives `ValueError('Unknown object')`.
pub fn txt2obj(txt: &str, name: bool) -> Result<Asn1Object> {
    if name {
        let found = OBJECTS
            .iter()
            .find(|row| row.1 == txt)
            .or_else(|| OBJECTS.iter().find(|row| row.2 == txt));
        if let Some(row) = found {
            return Ok(Asn1Object::from_row(row));
        }
    }
    let der = encode_dotted(txt).ok_or_else(|| {
        Error::value(format!("unknown object {}", crate::error::py_repr_str(txt)))
    })?;
    by_oid(&der)
        .map(|row| Asn1Object {
            oid: Some(dotted(&der)),
            ..Asn1Object::from_row(row)
        })
        .ok_or_else(|| Error::value("Unknown object"))
}

/// The DER content octets of a dotted OID, as OpenSSL's `a2d_ASN1_OBJECT` accepts it
/// (the first arc 0, 1 or 2; the second below 40 unless the first is 2; at least two
/// arcs). Arcs beyond 128 bits are refused.
fn encode_dotted(txt: &str) -> Option<Vec<u8>> {
    let arcs = txt
        .split('.')
        .map(|a| {
            if a.is_empty() || !a.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                a.parse::<u128>().ok()
            }
        })
        .collect::<Option<Vec<u128>>>()?;
    let (&first, rest) = arcs.split_first()?;
    let (&second, rest) = rest.split_first()?;
    if first > 2 || (first < 2 && second >= 40) {
        return None;
    }
    let mut out = Vec::new();
    for v in
        std::iter::once(first.checked_mul(40)?.checked_add(second)?).chain(rest.iter().copied())
    {
        let mut chunk = vec![(v & 0x7f) as u8];
        let mut v = v >> 7;
        while v != 0 {
            chunk.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        out.extend(chunk.iter().rev());
    }
    Some(out)
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
        assert_eq!(encode_dotted("1.2.99999999999999999999999.3"), Some(c));
    }

    #[test]
    fn nid2obj_as_cpython() {
        let server = Asn1Object {
            nid: 129,
            shortname: "serverAuth",
            longname: "TLS Web Server Authentication",
            oid: Some("1.3.6.1.5.5.7.3.1".into()),
        };
        assert_eq!(nid2obj(129).unwrap(), server);
        assert_eq!(nid2obj(130).unwrap().shortname, "clientAuth");
        let no_oid = nid2obj(916).unwrap();
        assert_eq!(
            (no_oid.shortname, no_oid.oid),
            ("AES-128-CBC-HMAC-SHA1", None)
        );
        let msg = |r: Result<Asn1Object>| r.unwrap_err().to_string();
        assert_eq!(msg(nid2obj(-1)), "NID must be positive.");
        assert_eq!(msg(nid2obj(0)), "Unknown object");
        assert_eq!(msg(nid2obj(100_000)), "unknown NID 100000");
        // OpenSSL 3.0 knows 1238 NIDs, the highest 1247.
        assert_eq!(OBJECTS.len(), 1238);
        assert_eq!(OBJECTS.last().map(|r| r.0), Some(1247));
    }

    #[test]
    fn txt2obj_as_cpython() {
        let msg = |r: Result<Asn1Object>| r.unwrap_err().to_string();
        assert_eq!(txt2obj("1.3.6.1.5.5.7.3.1", false).unwrap().nid, 129);
        assert_eq!(txt2obj("serverAuth", true).unwrap().nid, 129);
        assert_eq!(
            txt2obj("TLS Web Server Authentication", true).unwrap().nid,
            129
        );
        assert_eq!(txt2obj("CN", true).unwrap().oid.as_deref(), Some("2.5.4.3"));
        assert_eq!(txt2obj("commonName", true).unwrap().nid, 13);
        assert_eq!(txt2obj("AES-128-CBC-HMAC-SHA1", true).unwrap().oid, None);
        assert_eq!(
            msg(txt2obj("serverAuth", false)),
            "unknown object 'serverAuth'"
        );
        assert_eq!(
            msg(txt2obj("serverauth", true)),
            "unknown object 'serverauth'"
        );
        assert_eq!(
            msg(txt2obj("undefined", true)),
            "unknown object 'undefined'"
        );
        assert_eq!(msg(txt2obj("1.2.3.4.5", true)), "Unknown object");
        assert_eq!(msg(txt2obj("1.40", false)), "unknown object '1.40'");
        assert_eq!(msg(txt2obj("1", false)), "unknown object '1'");
        // The OID's canonical object (OBJ_obj2nid), named as OBJ_obj2txt names it.
        assert_eq!(long_name(&[0x55, 0x04, 0x03]), Some("commonName"));
    }
}
