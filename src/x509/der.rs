//! A small DER/BER reader with OpenSSL's acceptance rules.
//!
//! Why not a crate: `x509-parser` (and `der`, `asn1-rs` beneath it) reject or normalise
//! encodings that OpenSSL's `d2i_X509` keeps and that CPython then prints verbatim:
//! version-1 and out-of-range versions, non-canonical times (no seconds, offsets,
//! fractions, invalid dates printed as `Bad time value`), non-minimal length octets,
//! constructed (BER) strings inside GeneralNames, name values of unknown universal
//! types, and extensions whose contents do not parse (OpenSSL only parses them when
//! asked, and then silently drops them). Matching CPython byte for byte needs the
//! exact OpenSSL rules, so the few structures the certificate dict needs are read here.
//!
//! The reader never panics and never recurses on input except through
//! [`string_content`], whose depth is capped like OpenSSL's `ASN1_MAX_STRING_NEST`.

/// A structural decoding failure (OpenSSL's `d2i` would fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DerError;

/// Result of the DER layer.
pub(crate) type DerResult<T> = Result<T, DerError>;

/// Tag class.
pub(crate) const UNIVERSAL: u8 = 0;
/// Context-specific class.
pub(crate) const CONTEXT: u8 = 2;

/// One tag-length-value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// Class bits (0 universal, 1 application, 2 context, 3 private).
    pub class: u8,
    /// Constructed bit.
    pub constructed: bool,
    /// Tag number.
    pub number: u32,
    /// Content octets.
    pub content: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Universal, context-specific, ... with this number?
    pub fn is(&self, class: u8, number: u32) -> bool {
        self.class == class && self.number == number
    }
}

/// A cursor over concatenated TLVs.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    /// True when nothing is left.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next TLV, without consuming it.
    pub fn peek(&self) -> Option<Tlv<'a>> {
        self.clone().read().ok()
    }

    /// Reads one TLV (definite lengths only; OpenSSL's non-minimal length octets are
    /// accepted, as `asn1_get_length` does).
    pub fn read(&mut self) -> DerResult<Tlv<'a>> {
        let d = self.data;
        let h = header(d, false).map_err(|_| DerError)?;
        let len = h.len.ok_or(DerError)?;
        let end = h.hlen.checked_add(len).ok_or(DerError)?;
        let content = d.get(h.hlen..end).ok_or(DerError)?;
        self.data = d.get(end..).ok_or(DerError)?;
        Ok(Tlv {
            class: h.class,
            constructed: h.constructed,
            number: h.tag,
            content,
        })
    }

    /// Reads one TLV and also returns its whole encoding (identifier, length, content).
    pub fn read_whole(&mut self) -> DerResult<(Tlv<'a>, &'a [u8])> {
        let before = self.data;
        let t = self.read()?;
        let used = before.len() - self.data.len();
        Ok((t, before.get(..used).ok_or(DerError)?))
    }

    /// Reads one TLV that must have this class, number and constructed flag.
    pub fn expect(&mut self, class: u8, number: u32, constructed: bool) -> DerResult<Tlv<'a>> {
        let t = self.read()?;
        if t.class != class || t.number != number || t.constructed != constructed {
            return Err(DerError);
        }
        Ok(t)
    }

    /// A universal SEQUENCE's content reader.
    pub fn sequence(&mut self) -> DerResult<Reader<'a>> {
        Ok(Reader::new(self.expect(UNIVERSAL, 16, true)?.content))
    }

    /// Consumes the next TLV if it has this class and number.
    pub fn optional(&mut self, class: u8, number: u32) -> Option<Tlv<'a>> {
        match self.peek() {
            Some(t) if t.class == class && t.number == number => self.read().ok(),
            _ => None,
        }
    }

    /// Fails unless everything was consumed (OpenSSL's `SEQUENCE_LENGTH_MISMATCH`).
    pub fn finish(&self) -> DerResult<()> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(DerError)
        }
    }
}

/// A TLV header as OpenSSL's `ASN1_get_object` reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header {
    /// Identifier and length octets.
    pub hlen: usize,
    /// Content length; `None` for the indefinite form (constructed only).
    pub len: Option<usize>,
    pub constructed: bool,
    /// Tag number (at most `i32::MAX`, as OpenSSL keeps it).
    pub tag: u32,
    /// Class bits (0 universal, 1 application, 2 context, 3 private).
    pub class: u8,
    /// The content runs past the bytes given.
    pub too_long: bool,
}

/// `ASN1_R_HEADER_TOO_LONG`: the identifier or length octets are cut or out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeaderTooLong;

/// OpenSSL's `ASN1_get_object` on `b`: the one header reader of the crate (elements of
/// certificates, names and keys, and DER read from files). `lookahead` is the file
/// reader's rule (`asn1_get_length` wants one byte beyond long-form length octets).
pub(crate) fn header(b: &[u8], lookahead: bool) -> Result<Header, HeaderTooLong> {
    let first = *b.first().ok_or(HeaderTooLong)?;
    let constructed = first & 0x20 != 0;
    let class = first >> 6;
    let mut i = 1;
    let mut tag = u64::from(first & 0x1f);
    if tag == 0x1f {
        tag = 0;
        loop {
            let c = *b.get(i).ok_or(HeaderTooLong)?;
            i += 1;
            tag = (tag << 7) | u64::from(c & 0x7f);
            if tag > (i32::MAX as u64 >> 7) && c & 0x80 != 0 {
                return Err(HeaderTooLong);
            }
            if c & 0x80 == 0 {
                break;
            }
        }
        if tag > i32::MAX as u64 {
            return Err(HeaderTooLong);
        }
    }
    let l = *b.get(i).ok_or(HeaderTooLong)?;
    i += 1;
    let len = if l == 0x80 {
        if !constructed {
            return Err(HeaderTooLong);
        }
        None
    } else if l & 0x80 != 0 {
        let n = usize::from(l & 0x7f);
        let beyond = if lookahead {
            i + n >= b.len()
        } else {
            i + n > b.len()
        };
        if n > 8 || beyond {
            return Err(HeaderTooLong);
        }
        let mut v: u64 = 0;
        for &c in &b[i..i + n] {
            v = (v << 8) | u64::from(c);
        }
        i += n;
        if v > i64::MAX as u64 {
            return Err(HeaderTooLong);
        }
        Some(usize::try_from(v).map_err(|_| HeaderTooLong)?)
    } else {
        Some(usize::from(l))
    };
    let too_long = len.is_some_and(|n| n > b.len() - i);
    Ok(Header {
        hlen: i,
        len,
        constructed,
        tag: u32::try_from(tag).map_err(|_| HeaderTooLong)?,
        class,
        too_long,
    })
}

/// A DER element at the start of `b`: (identifier octet, content, encoded length).
/// Low tag numbers (the one-octet identifier form) and definite lengths only.
pub(crate) fn tlv(b: &[u8]) -> Option<(u8, &[u8], usize)> {
    let first = *b.first()?;
    if first & 0x1f == 0x1f {
        return None;
    }
    let mut r = Reader::new(b);
    let (t, whole) = r.read_whole().ok()?;
    Some((first, t.content, whole.len()))
}

/// The content of a string-like TLV; a constructed (BER) string is the concatenation of
/// its segments, nested at most 5 deep like OpenSSL's `asn1_collect`.
pub(crate) fn string_content(t: &Tlv<'_>) -> DerResult<Vec<u8>> {
    let mut out = Vec::new();
    collect(t, 0, &mut out)?;
    Ok(out)
}

fn collect(t: &Tlv<'_>, depth: u32, out: &mut Vec<u8>) -> DerResult<()> {
    if !t.constructed {
        out.extend_from_slice(t.content);
        return Ok(());
    }
    if depth >= 5 {
        return Err(DerError);
    }
    let mut r = Reader::new(t.content);
    while !r.is_empty() {
        let inner = r.read()?;
        collect(&inner, depth + 1, out)?;
    }
    Ok(())
}

/// OpenSSL's `c2i_ibuf` rules for an INTEGER's content: non-empty, minimal padding.
pub(crate) fn check_integer(c: &[u8]) -> DerResult<()> {
    match c {
        [] => Err(DerError),
        [_] => Ok(()),
        [first, second, rest @ ..] => {
            let pad = match *first {
                0 => true,
                0xff => *second != 0 || rest.iter().any(|&b| b != 0),
                _ => false,
            };
            let neg = first & 0x80;
            if pad && neg == (second & 0x80) {
                Err(DerError)
            } else {
                Ok(())
            }
        }
    }
}

/// OpenSSL's `c2i_ASN1_OBJECT` rules: non-empty, last octet ends a subidentifier, no
/// subidentifier starts with `0x80`.
pub(crate) fn check_oid(c: &[u8]) -> DerResult<()> {
    let last = *c.last().ok_or(DerError)?;
    if last & 0x80 != 0 {
        return Err(DerError);
    }
    let mut prev_continues = false;
    for &b in c {
        if b == 0x80 && !prev_continues {
            return Err(DerError);
        }
        prev_continues = b & 0x80 != 0;
    }
    Ok(())
}

/// Reads an OBJECT IDENTIFIER and returns its content.
pub(crate) fn read_oid<'a>(r: &mut Reader<'a>) -> DerResult<&'a [u8]> {
    let t = r.expect(UNIVERSAL, 6, false)?;
    check_oid(t.content)?;
    Ok(t.content)
}

/// OpenSSL's checks for a primitive value decoded as `ASN1_ANY` (`asn1_ex_c2i`).
pub(crate) fn check_any(t: &Tlv<'_>) -> DerResult<()> {
    if t.class != UNIVERSAL {
        return Ok(());
    }
    match (t.number, t.constructed) {
        (16 | 17, true) => Ok(()),
        (16 | 17, false) => Err(DerError),
        (1, false) if t.content.len() == 1 => Ok(()),
        (5, false) if t.content.is_empty() => Ok(()),
        (1 | 5, _) => Err(DerError),
        (2 | 10, false) => check_integer(t.content),
        (6, false) => check_oid(t.content),
        (2 | 10 | 6, true) => Err(DerError),
        (3, false) => check_bit_string(t.content),
        (30, false) if !t.content.len().is_multiple_of(2) => Err(DerError),
        (28, false) if !t.content.len().is_multiple_of(4) => Err(DerError),
        _ => Ok(()),
    }
}

/// OpenSSL's `c2i_ASN1_BIT_STRING` rules: at least the unused-bits octet, at most 7.
pub(crate) fn check_bit_string(c: &[u8]) -> DerResult<()> {
    match c.first() {
        Some(&u) if u <= 7 => Ok(()),
        _ => Err(DerError),
    }
}
