//! One certificate as the path validator sees it: the facts OpenSSL 3.0 caches in
//! `x509v3_cache_extensions` (`crypto/x509/v3_purp.c`) and the key and signature
//! information its checks read, computed once from the crate's one certificate parser
//! ([`crate::x509::raw`]).

use std::ops::Range;

use rustls_pki_types::CertificateDer;

use super::names::{parse_general_names_owned, GenName, NameConstraints};
use crate::pki::name::canonical_name;
use crate::x509::der::{check_integer, read_oid, string_content, Reader, CONTEXT, UNIVERSAL};
use crate::x509::raw::{ext_lookup, parse_cert, ExtLookup, RawCert, RawExtension};
use crate::x509::time::cert_time_posix;

/// `EXFLAG_*` bits (only those the checks read).
pub(crate) mod flags {
    pub const BCONS: u32 = 0x1;
    pub const KUSAGE: u32 = 0x2;
    pub const XKUSAGE: u32 = 0x4;
    pub const NSCERT: u32 = 0x8;
    pub const CA: u32 = 0x10;
    pub const SI: u32 = 0x20;
    pub const V1: u32 = 0x40;
    pub const INVALID: u32 = 0x80;
    pub const CRITICAL: u32 = 0x200;
    pub const PROXY: u32 = 0x400;
    pub const SS: u32 = 0x2000;
    pub const BCONS_CRITICAL: u32 = 0x10000;
    pub const AKID_CRITICAL: u32 = 0x20000;
    pub const SKID_CRITICAL: u32 = 0x40000;
    pub const SAN_CRITICAL: u32 = 0x80000;
}

/// keyUsage bits as OpenSSL stores them (`KU_*`).
pub(crate) mod ku {
    pub const DIGITAL_SIGNATURE: u32 = 0x80;
    pub const KEY_ENCIPHERMENT: u32 = 0x20;
    pub const KEY_AGREEMENT: u32 = 0x08;
    pub const KEY_CERT_SIGN: u32 = 0x04;
    pub const CRL_SIGN: u32 = 0x02;
}

/// extendedKeyUsage bits (`XKU_*`).
pub(crate) mod xku {
    pub const SSL_SERVER: u32 = 0x1;
    pub const SSL_CLIENT: u32 = 0x2;
    pub const SGC: u32 = 0x10;
}

/// Netscape certificate type bits (`NS_*`).
pub(crate) mod ns {
    pub const SSL_CLIENT: u32 = 0x80;
    pub const SSL_SERVER: u32 = 0x40;
    pub const SSL_CA: u32 = 0x04;
    pub const ANY_CA: u32 = 0x07;
}

mod oids {
    pub const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
    pub const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
    pub const EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
    pub const SAN: &[u8] = &[0x55, 0x1d, 0x11];
    pub const NAME_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x1e];
    pub const SKID: &[u8] = &[0x55, 0x1d, 0x0e];
    pub const AKID: &[u8] = &[0x55, 0x1d, 0x23];
    pub const CRL_DP: &[u8] = &[0x55, 0x1d, 0x1f];
    pub const CERT_POLICIES: &[u8] = &[0x55, 0x1d, 0x20];
    pub const POLICY_MAPPINGS: &[u8] = &[0x55, 0x1d, 0x21];
    pub const POLICY_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x24];
    pub const INHIBIT_ANY: &[u8] = &[0x55, 0x1d, 0x36];
    pub const NS_CERT_TYPE: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x01];
    pub const PROXY_CERT_INFO: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x0e];
    pub const IP_ADDR_BLOCKS: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x07];
    pub const AS_IDS: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x08];
    pub const OCSP_NOCHECK: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x05];
    pub const ISSUER_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x12];
    pub const EKU_SERVER: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
    pub const EKU_CLIENT: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
    pub const EKU_NS_SGC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x04, 0x01];
    pub const EKU_MS_SGC: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0a, 0x03, 0x03];
    pub const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
    pub const EMAIL_ADDRESS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];
}

/// Extensions `X509_supported_extension` knows: a critical extension outside this list
/// makes the certificate unusable (`X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION`).
fn supported_extension(id: &[u8]) -> bool {
    [
        oids::NS_CERT_TYPE,
        oids::KEY_USAGE,
        oids::SAN,
        oids::BASIC_CONSTRAINTS,
        oids::CERT_POLICIES,
        oids::CRL_DP,
        oids::EXT_KEY_USAGE,
        oids::IP_ADDR_BLOCKS,
        oids::AS_IDS,
        oids::OCSP_NOCHECK,
        oids::POLICY_CONSTRAINTS,
        oids::PROXY_CERT_INFO,
        oids::NAME_CONSTRAINTS,
        oids::POLICY_MAPPINGS,
        oids::INHIBIT_ANY,
    ]
    .contains(&id)
}

/// The authority key identifier.
#[derive(Debug, Clone, Default)]
pub(crate) struct Akid {
    pub keyid: Option<Vec<u8>>,
    /// The canonical form of the first directoryName of `authorityCertIssuer`.
    pub issuer: Option<Vec<u8>>,
    pub serial: Option<Vec<u8>>,
}

/// A public key as `X509_get0_pubkey` would decode it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    RsaPss,
    /// An EC key: its named curve's OID content, or `None` for explicit parameters.
    Ec(Option<Vec<u8>>),
    Ed25519,
    Ed448,
    Dsa,
}

/// The decoded public key (`None` where OpenSSL's decoder would fail).
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub kind: KeyKind,
    /// `EVP_PKEY_get_security_bits`.
    pub security_bits: u32,
    /// The subjectPublicKey bits (unused-bits octet removed).
    pub bits: Vec<u8>,
}

/// One certificate with everything the validator reads.
#[derive(Debug, Clone)]
pub(crate) struct Cert {
    pub der: CertificateDer<'static>,
    /// Where the TBS, the outer and inner signature AlgorithmIdentifier TLVs, the
    /// signature (unused-bits octet removed; `None` if bits were unused) and the
    /// serial number lie in `der` (kept as ranges: no copies).
    tbs: Range<usize>,
    sig_alg: Range<usize>,
    tbs_sig_alg: Range<usize>,
    signature: Option<Range<usize>>,
    serial: Range<usize>,
    pub version: i64,
    pub subject: Vec<u8>,
    pub issuer: Vec<u8>,
    /// The issuer's DER (for `capath` lookups by name).
    pub issuer_der: Vec<u8>,
    pub subject_entries: usize,
    pub issuer_entries: usize,
    /// commonName values of the subject: (universal tag, content).
    pub common_names: Vec<(u32, Vec<u8>)>,
    /// emailAddress values of the subject: (universal tag, content).
    pub emails: Vec<(u32, Vec<u8>)>,
    pub not_before: Option<i64>,
    pub not_after: Option<i64>,
    pub key: Option<Key>,
    pub flags: u32,
    pub pathlen: i64,
    pub kusage: u32,
    pub xkusage: u32,
    pub nscert: u32,
    pub skid: Option<Vec<u8>>,
    pub akid: Option<Akid>,
    pub altnames: Option<Vec<GenName>>,
    pub nc: Option<NameConstraints>,
    pub ext_count: usize,
}

impl Cert {
    /// Parses `der`; `None` where OpenSSL's `d2i_X509` would fail.
    pub fn parse(der: &CertificateDer<'_>) -> Option<Cert> {
        let raw = parse_cert(der.as_ref()).ok()?;
        Some(Cert::from_raw(der, &raw))
    }

    fn from_raw(der: &CertificateDer<'_>, raw: &RawCert<'_>) -> Cert {
        let attrs = |oid: &[u8]| -> Vec<(u32, Vec<u8>)> {
            raw.subject
                .iter()
                .flatten()
                .filter(|a| a.oid == oid)
                .map(|a| (a.tag, a.value.to_vec()))
                .collect()
        };
        let base = der.as_ref().as_ptr() as usize;
        let range = |part: &[u8]| {
            let start = part.as_ptr() as usize - base;
            start..start + part.len()
        };
        let signature = match raw.signature.split_first() {
            Some((0, rest)) => Some(range(rest)),
            _ => None,
        };
        let mut c = Cert {
            der: der.clone().into_owned(),
            tbs: range(raw.tbs),
            sig_alg: range(raw.sig_alg),
            tbs_sig_alg: range(raw.tbs_sig_alg),
            signature,
            serial: range(raw.serial),
            version: raw.version,
            subject: canonical_name(raw.subject_der),
            issuer: canonical_name(raw.issuer_der),
            issuer_der: raw.issuer_der.to_vec(),
            subject_entries: raw.subject.iter().map(Vec::len).sum(),
            issuer_entries: raw.issuer.iter().map(Vec::len).sum(),
            common_names: attrs(oids::COMMON_NAME),
            emails: attrs(oids::EMAIL_ADDRESS),
            not_before: cert_time_posix(raw.not_before.1, raw.not_before.0),
            not_after: cert_time_posix(raw.not_after.1, raw.not_after.0),
            key: super::keys::decode_key(raw.key_alg, raw.key_params.as_ref(), raw.key_bits),
            flags: 0,
            pathlen: -1,
            kusage: 0,
            xkusage: 0,
            nscert: 0,
            skid: None,
            akid: None,
            altnames: None,
            nc: None,
            ext_count: raw.extensions.len(),
        };
        c.cache_extensions(&raw.extensions);
        c
    }

    fn cache_extensions(&mut self, exts: &[RawExtension<'_>]) {
        if self.version == 0 {
            self.flags |= flags::V1;
        }
        // Each extension OpenSSL decodes: present and decodable, or the certificate is
        // invalid (a duplicate counts as undecodable, as in `X509_get_ext_d2i`).
        let mut invalid = false;
        let get = |id: &[u8]| match ext_lookup(exts, id) {
            ExtLookup::Absent => None,
            ExtLookup::Once(e) => Some(Ok(e.value)),
            ExtLookup::Duplicate => Some(Err(())),
        };
        let mut decode = |id: &[u8], f: &mut dyn FnMut(&[u8]) -> Option<()>| {
            if let Some(v) = get(id) {
                if v.ok().and_then(&mut *f).is_none() {
                    invalid = true;
                }
            }
        };
        let (mut pathlen, mut ca, mut bcons) = (-1i64, false, false);
        decode(oids::BASIC_CONSTRAINTS, &mut |v| {
            let (c, p) = basic_constraints(v)?;
            ca = c;
            bcons = true;
            match p {
                Some(-2) => None,
                Some(p) => {
                    pathlen = p;
                    Some(())
                }
                None => Some(()),
            }
        });
        // A negative pathLenConstraint still leaves the extension "present".
        if bcons {
            self.flags |= flags::BCONS;
            if ca {
                self.flags |= flags::CA;
            }
        }
        self.pathlen = pathlen;
        let mut proxy = false;
        decode(oids::PROXY_CERT_INFO, &mut |v| {
            Reader::new(v).sequence().ok()?;
            proxy = true;
            Some(())
        });
        let mut kusage = None;
        decode(oids::KEY_USAGE, &mut |v| {
            let bits = bit_string(v)?;
            let mut k = u32::from(bits.first().copied().unwrap_or(0));
            if let Some(b) = bits.get(1) {
                k |= u32::from(*b) << 8;
            }
            kusage = Some(k);
            if k == 0 {
                return None;
            }
            Some(())
        });
        let mut xkusage = None;
        decode(oids::EXT_KEY_USAGE, &mut |v| {
            let mut r = Reader::new(v);
            let mut list = r.sequence().ok()?;
            let mut x = 0;
            while !list.is_empty() {
                let o = read_oid(&mut list).ok()?;
                x |= match o {
                    oids::EKU_SERVER => xku::SSL_SERVER,
                    oids::EKU_CLIENT => xku::SSL_CLIENT,
                    oids::EKU_NS_SGC | oids::EKU_MS_SGC => xku::SGC,
                    _ => eku_other_bit(o),
                };
            }
            xkusage = Some(x);
            Some(())
        });
        let mut nscert = None;
        decode(oids::NS_CERT_TYPE, &mut |v| {
            let bits = bit_string(v)?;
            nscert = Some(u32::from(bits.first().copied().unwrap_or(0)));
            Some(())
        });
        let mut skid = None;
        decode(oids::SKID, &mut |v| {
            let t = Reader::new(v).expect(UNIVERSAL, 4, false).ok()?;
            skid = Some(t.content.to_vec());
            Some(())
        });
        let mut akid = None;
        decode(oids::AKID, &mut |v| {
            akid = Some(parse_akid(v)?);
            Some(())
        });
        let mut altnames = None;
        decode(oids::SAN, &mut |v| {
            altnames = Some(parse_general_names_owned(v)?);
            Some(())
        });
        let mut nc = None;
        decode(oids::NAME_CONSTRAINTS, &mut |v| {
            nc = Some(NameConstraints::parse(v)?);
            Some(())
        });
        decode(oids::CRL_DP, &mut |v| {
            crl_dist_points_valid(v).then_some(())
        });
        for id in [oids::IP_ADDR_BLOCKS, oids::AS_IDS] {
            decode(id, &mut |v| Reader::new(v).sequence().ok().map(|_| ()));
        }
        if proxy {
            self.flags |= flags::PROXY;
            let has_alt = exts
                .iter()
                .any(|e| e.id == oids::SAN || e.id == oids::ISSUER_ALT_NAME);
            if ca || has_alt {
                invalid = true;
            }
        }
        if let Some(k) = kusage {
            self.flags |= flags::KUSAGE;
            self.kusage = k;
        }
        if let Some(x) = xkusage {
            self.flags |= flags::XKUSAGE;
            self.xkusage = x;
        }
        if let Some(n) = nscert {
            self.flags |= flags::NSCERT;
            self.nscert = n;
        }
        self.skid = skid;
        self.akid = akid;
        self.altnames = altnames;
        self.nc = nc;
        if invalid {
            self.flags |= flags::INVALID;
        }
        if self.subject == self.issuer {
            self.flags |= flags::SI;
            if super::chain::check_akid(self, self.akid.as_ref()) == 0
                && super::keys::sig_alg_matches_key(self.key.as_ref(), self) == 0
            {
                self.flags |= flags::SS;
            }
        }
        for e in exts {
            if !e.critical {
                continue;
            }
            if !supported_extension(e.id) {
                self.flags |= flags::CRITICAL;
                break;
            }
            self.flags |= match e.id {
                oids::BASIC_CONSTRAINTS => flags::BCONS_CRITICAL,
                oids::AKID => flags::AKID_CRITICAL,
                oids::SKID => flags::SKID_CRITICAL,
                oids::SAN => flags::SAN_CRITICAL,
                _ => 0,
            };
        }
    }

    /// The signed part (`tbsCertificate`).
    pub fn tbs(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// The outer signature AlgorithmIdentifier (TLV).
    pub fn sig_alg(&self) -> &[u8] {
        &self.der[self.sig_alg.clone()]
    }

    /// The TBS's signature AlgorithmIdentifier (TLV).
    pub fn tbs_sig_alg(&self) -> &[u8] {
        &self.der[self.tbs_sig_alg.clone()]
    }

    /// The signature bits (`None` when the BIT STRING had unused bits).
    pub fn signature(&self) -> Option<&[u8]> {
        self.signature.clone().map(|r| &self.der[r])
    }

    /// The serial number's INTEGER content.
    pub fn serial(&self) -> &[u8] {
        &self.der[self.serial.clone()]
    }

    /// `X509_check_ca`: 0 not a CA, 1 a CA, 3 a v1 self-signed root, 4 keyUsage with
    /// keyCertSign and no basicConstraints, 5 a Netscape CA type.
    pub fn check_ca(&self) -> u32 {
        if self.flags & flags::INVALID != 0 {
            return 0;
        }
        self.check_ca_cached()
    }

    fn check_ca_cached(&self) -> u32 {
        if self.ku_reject(ku::KEY_CERT_SIGN) {
            return 0;
        }
        if self.flags & flags::BCONS != 0 {
            return u32::from(self.flags & flags::CA != 0);
        }
        if self.flags & (flags::V1 | flags::SS) == flags::V1 | flags::SS {
            3
        } else if self.flags & flags::KUSAGE != 0 {
            4
        } else if self.flags & flags::NSCERT != 0 && self.nscert & ns::ANY_CA != 0 {
            5
        } else {
            0
        }
    }

    /// keyUsage present and none of `usage` set.
    pub fn ku_reject(&self, usage: u32) -> bool {
        self.flags & flags::KUSAGE != 0 && self.kusage & usage == 0
    }

    fn xku_reject(&self, usage: u32) -> bool {
        self.flags & flags::XKUSAGE != 0 && self.xkusage & usage == 0
    }

    fn ns_reject(&self, usage: u32) -> bool {
        self.flags & flags::NSCERT != 0 && self.nscert & usage == 0
    }

    /// `X509_check_purpose` for the SSL server (`server == true`) or client purpose:
    /// 1 allowed, 0 refused, -1 the certificate's extensions are invalid.
    pub fn check_purpose(&self, server: bool, require_ca: bool) -> i32 {
        if self.flags & flags::INVALID != 0 {
            return -1;
        }
        let eku = if server {
            xku::SSL_SERVER | xku::SGC
        } else {
            xku::SSL_CLIENT
        };
        if self.xku_reject(eku) {
            return 0;
        }
        if require_ca {
            let ca = self.check_ca_cached();
            return i32::from(ca != 0 && !(ca == 5 && self.nscert & ns::SSL_CA != 0));
        }
        let ok = if server {
            !self.ns_reject(ns::SSL_SERVER)
                && !self.ku_reject(ku::DIGITAL_SIGNATURE | ku::KEY_ENCIPHERMENT | ku::KEY_AGREEMENT)
        } else {
            !self.ku_reject(ku::DIGITAL_SIGNATURE | ku::KEY_AGREEMENT)
                && !self.ns_reject(ns::SSL_CLIENT)
        };
        i32::from(ok)
    }

    /// Whether the subject has a SAN entry of the DNS type.
    pub fn has_dns_san(&self) -> bool {
        self.altnames
            .as_ref()
            .is_some_and(|a| a.iter().any(|g| matches!(g, GenName::Dns(_))))
    }
}

/// The other EKU bits (they only matter as "some EKU present").
fn eku_other_bit(_oid: &[u8]) -> u32 {
    0
}

/// BIT STRING content with OpenSSL's trailing-bit masking.
fn bit_string(v: &[u8]) -> Option<Vec<u8>> {
    let t = Reader::new(v).expect(UNIVERSAL, 3, false).ok()?;
    let (&unused, rest) = t.content.split_first()?;
    if unused > 7 {
        return None;
    }
    let mut bits = rest.to_vec();
    if let Some(last) = bits.last_mut() {
        *last &= 0xffu8 << unused;
    }
    while bits.last() == Some(&0) {
        bits.pop();
    }
    Some(bits)
}

/// basicConstraints: (cA, pathLenConstraint).
fn basic_constraints(v: &[u8]) -> Option<(bool, Option<i64>)> {
    let mut r = Reader::new(v);
    let mut s = r.sequence().ok()?;
    let mut ca = false;
    if let Some(b) = s.optional(UNIVERSAL, 1) {
        if b.content.len() != 1 {
            return None;
        }
        ca = b.content != [0];
    }
    let mut pathlen = None;
    if let Some(i) = s.optional(UNIVERSAL, 2) {
        check_integer(i.content).ok()?;
        // A negative value is refused (-2 here); one too large for a C long reads -1.
        pathlen = Some(if i.content.first().is_some_and(|b| b & 0x80 != 0) {
            -2
        } else {
            crate::x509::raw::integer_value(i.content)
        });
    }
    s.finish().ok()?;
    Some((ca, pathlen))
}

/// An AuthorityKeyIdentifier value (certificates and CRLs).
pub(crate) fn parse_akid(v: &[u8]) -> Option<Akid> {
    let mut r = Reader::new(v);
    let mut s = r.sequence().ok()?;
    let mut akid = Akid::default();
    if let Some(k) = s.optional(CONTEXT, 0) {
        akid.keyid = Some(string_content(&k).ok()?);
    }
    if let Some(g) = s.optional(CONTEXT, 1) {
        let mut gr = Reader::new(g.content);
        while !gr.is_empty() {
            let t = gr.read().ok()?;
            let name = crate::x509::raw::parse_general_name(&t).ok()?;
            if akid.issuer.is_none() {
                if let crate::x509::raw::RawGeneralName::DirName(_, der) = name {
                    akid.issuer = Some(canonical_name(der));
                }
            }
        }
    }
    if let Some(n) = s.optional(CONTEXT, 2) {
        check_integer(n.content).ok()?;
        akid.serial = Some(n.content.to_vec());
    }
    s.finish().ok()?;
    Some(akid)
}

/// `setup_crldp`: every DistributionPoint decodes and names a point or a CRL issuer.
fn crl_dist_points_valid(v: &[u8]) -> bool {
    (|| -> Option<()> {
        let mut r = Reader::new(v);
        let mut list = r.sequence().ok()?;
        while !list.is_empty() {
            let mut dp = list.sequence().ok()?;
            let point = dp.optional(CONTEXT, 0).is_some();
            dp.optional(CONTEXT, 1);
            let issuers = dp
                .optional(CONTEXT, 2)
                .is_some_and(|t| !t.content.is_empty());
            dp.finish().ok()?;
            if !point && !issuers {
                return None;
            }
        }
        Some(())
    })()
    .is_some()
}
