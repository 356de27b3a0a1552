//! Revocation by CRL as OpenSSL 3.0 checks it (`check_revocation`, `get_crl_sk`,
//! `get_crl_score`, `check_crl`, `cert_crl` in `x509_vfy.c`) for the flags CPython can
//! set (`VERIFY_CRL_CHECK_LEAF`, `VERIFY_CRL_CHECK_CHAIN`): no delta CRLs and no
//! extended CRL support, so CRLs with an indirect or reason-limited issuing
//! distribution point never apply, exactly as in OpenSSL without
//! `X509_V_FLAG_EXTENDED_CRL_SUPPORT`.

use rustls_pki_types::CertificateRevocationListDer;

use super::cert::{flags, ku, Akid, Cert};
use super::chain::check_akid;
use super::keys::{verify_signed, Signed};
use crate::pki::name::canonical_name;
use crate::verify::codes;
use crate::x509::der::{read_oid, Reader, CONTEXT, UNIVERSAL};
use crate::x509::raw::{read_alg, read_time};
use crate::x509::time::cert_time_posix;

const SCORE_NOCRITICAL: u32 = 0x100;
const SCORE_SCOPE: u32 = 0x080;
const SCORE_TIME: u32 = 0x040;
const SCORE_ISSUER_NAME: u32 = 0x020;
const SCORE_ISSUER_CERT: u32 = 0x018;
const SCORE_SAME_PATH: u32 = 0x008;
const SCORE_AKID: u32 = 0x004;

/// A parsed CRL.
#[derive(Debug, Clone)]
pub(crate) struct Crl {
    tbs: Vec<u8>,
    sig_alg: Vec<u8>,
    tbs_sig_alg: Vec<u8>,
    signature: Option<Vec<u8>>,
    issuer: Vec<u8>,
    last_update: Option<i64>,
    next_update: Option<Option<i64>>,
    /// (serial INTEGER content, removeFromCRL).
    revoked: Vec<(Vec<u8>, bool)>,
    critical: bool,
    akid: Option<Akid>,
    delta: bool,
    /// Issuing distribution point: present, invalid, only-user, only-CA, only-attr,
    /// indirect or reasons (unusable here), and whether it names a point.
    idp: Option<Idp>,
}

#[derive(Debug, Clone, Default)]
struct Idp {
    invalid: bool,
    only_user: bool,
    only_ca: bool,
    only_attr: bool,
    unusable: bool,
    has_point: bool,
}

impl Crl {
    /// Parses a DER CRL; `None` where `d2i_X509_CRL` would fail.
    pub fn parse(der: &CertificateRevocationListDer<'_>) -> Option<Crl> {
        let mut outer = Reader::new(der.as_ref());
        let mut list = outer.sequence().ok()?;
        let (tbs_t, tbs) = list.read_whole().ok()?;
        let (sig_alg, _, _) = read_alg(&mut list).ok()?;
        let sig = list.expect(UNIVERSAL, 3, false).ok()?;
        let mut r = Reader::new(tbs_t.content);
        r.optional(UNIVERSAL, 2);
        let (tbs_sig_alg, _, _) = read_alg(&mut r).ok()?;
        let (_, issuer_der) = r.read_whole().ok()?;
        let (g, t) = read_time(&mut r).ok()?;
        let last_update = cert_time_posix(t, g);
        let next_update = match r.peek() {
            Some(p) if p.class == UNIVERSAL && (p.number == 23 || p.number == 24) => {
                let (g, t) = read_time(&mut r).ok()?;
                Some(cert_time_posix(t, g))
            }
            _ => None,
        };
        let mut crl = Crl {
            tbs: tbs.to_vec(),
            sig_alg: sig_alg.to_vec(),
            tbs_sig_alg: tbs_sig_alg.to_vec(),
            signature: match sig.content.split_first() {
                Some((0, s)) => Some(s.to_vec()),
                _ => None,
            },
            issuer: canonical_name(issuer_der),
            last_update,
            next_update,
            revoked: Vec::new(),
            critical: false,
            akid: None,
            delta: false,
            idp: None,
        };
        if let Some(p) = r.peek() {
            if p.is(UNIVERSAL, 16) {
                let mut entries = r.sequence().ok()?;
                while !entries.is_empty() {
                    let mut e = entries.sequence().ok()?;
                    let serial = e.expect(UNIVERSAL, 2, false).ok()?.content.to_vec();
                    read_time(&mut e).ok()?;
                    let mut remove = false;
                    if !e.is_empty() {
                        for (id, critical, value) in extensions(&mut e)? {
                            // Certificate issuer (2.5.29.29) is handled; reason code read.
                            if id == [0x55, 0x1d, 0x15] {
                                let v = Reader::new(value).expect(UNIVERSAL, 10, false).ok()?;
                                remove = v.content == [8];
                            }
                            if critical && id != [0x55, 0x1d, 0x1d] {
                                crl.critical = true;
                            }
                        }
                    }
                    crl.revoked.push((serial, remove));
                }
            }
        }
        if let Some(x) = r.optional(CONTEXT, 0) {
            let mut xr = Reader::new(x.content);
            for (id, critical, value) in extensions(&mut xr)? {
                match id {
                    [0x55, 0x1d, 0x23] => crl.akid = super::cert::parse_akid(value),
                    [0x55, 0x1d, 0x1b] => crl.delta = true,
                    [0x55, 0x1d, 0x1c] => crl.idp = Some(parse_idp(value)),
                    _ => {
                        if critical && !crl.critical {
                            crl.critical = true;
                        }
                    }
                }
            }
        }
        Some(crl)
    }
}

type Ext<'a> = (&'a [u8], bool, &'a [u8]);

fn extensions<'a>(r: &mut Reader<'a>) -> Option<Vec<Ext<'a>>> {
    let mut list = r.sequence().ok()?;
    let mut out = Vec::new();
    while !list.is_empty() {
        let mut e = list.sequence().ok()?;
        let id = read_oid(&mut e).ok()?;
        let critical = e.optional(UNIVERSAL, 1).is_some_and(|b| b.content != [0]);
        let value = e.expect(UNIVERSAL, 4, false).ok()?.content;
        out.push((id, critical, value));
    }
    Some(out)
}

fn parse_idp(v: &[u8]) -> Idp {
    let mut idp = Idp::default();
    let mut r = Reader::new(v);
    let Ok(mut s) = r.sequence() else {
        idp.invalid = true;
        return idp;
    };
    let boolean = |t: Option<crate::x509::der::Tlv<'_>>| t.is_some_and(|b| b.content != [0]);
    idp.has_point = s.optional(CONTEXT, 0).is_some();
    idp.only_user = boolean(s.optional(CONTEXT, 1));
    idp.only_ca = boolean(s.optional(CONTEXT, 2));
    if s.optional(CONTEXT, 3).is_some() {
        idp.unusable = true;
    }
    if boolean(s.optional(CONTEXT, 4)) {
        idp.unusable = true;
    }
    idp.only_attr = boolean(s.optional(CONTEXT, 5));
    let n = [idp.only_user, idp.only_ca, idp.only_attr]
        .iter()
        .filter(|b| **b)
        .count();
    idp.invalid = n > 1;
    idp
}

/// Which certificates' revocation is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    Leaf,
    Chain,
}

/// `check_revocation`.
pub(crate) fn check_revocation(
    chain: &[&Cert],
    num_untrusted: usize,
    crls: &[Crl],
    depth: Depth,
    partial_chain: bool,
    now: i64,
) -> Result<(), i64> {
    let last = match depth {
        Depth::Leaf => 0,
        Depth::Chain if partial_chain => num_untrusted.saturating_sub(1),
        Depth::Chain => chain.len().saturating_sub(1),
    };
    for i in 0..=last.min(chain.len().saturating_sub(1)) {
        check_cert(chain, i, crls, now)?;
    }
    Ok(())
}

fn time_score(crl: &Crl, now: i64) -> bool {
    crl_time(crl, now).is_ok()
}

fn crl_time(crl: &Crl, now: i64) -> Result<(), i64> {
    match crl.last_update {
        None => return Err(codes::ERROR_IN_CRL_LAST_UPDATE_FIELD),
        Some(t) if now < t => return Err(codes::CRL_NOT_YET_VALID),
        _ => {}
    }
    match crl.next_update {
        Some(None) => Err(codes::ERROR_IN_CRL_NEXT_UPDATE_FIELD),
        Some(Some(t)) if now > t => Err(codes::CRL_HAS_EXPIRED),
        _ => Ok(()),
    }
}

/// `get_crl_score`: (score, index in the chain of the CRL's issuer).
fn score(chain: &[&Cert], i: usize, crl: &Crl, now: i64) -> (u32, Option<usize>) {
    let x = chain[i];
    let mut s = 0;
    if let Some(idp) = &crl.idp {
        if idp.invalid || idp.unusable {
            return (0, None);
        }
    }
    if crl.delta {
        return (0, None);
    }
    if x.issuer != crl.issuer {
        return (0, None);
    }
    s |= SCORE_ISSUER_NAME;
    if !crl.critical {
        s |= SCORE_NOCRITICAL;
    }
    if time_score(crl, now) {
        s |= SCORE_TIME;
    }
    // crl_akid_check
    let mut cidx = i;
    if cidx + 1 < chain.len() {
        cidx += 1;
    }
    let matches = |c: &Cert| c.subject == crl.issuer && check_akid(c, crl.akid.as_ref()) == 0;
    let mut issuer = None;
    if matches(chain[cidx]) {
        s |= SCORE_AKID | SCORE_ISSUER_CERT;
        issuer = Some(cidx);
    } else {
        for (j, c) in chain.iter().enumerate().skip(cidx + 1) {
            if matches(c) {
                s |= SCORE_AKID | SCORE_SAME_PATH;
                issuer = Some(j);
                break;
            }
        }
    }
    if s & SCORE_AKID == 0 {
        return (0, None);
    }
    // crl_crldp_check, for CRLs whose IDP (if any) names no point.
    let scope = match &crl.idp {
        Some(idp) if idp.only_attr => false,
        Some(idp) if x.flags & flags::CA != 0 && idp.only_user => false,
        Some(idp) if x.flags & flags::CA == 0 && idp.only_ca => false,
        Some(idp) => !idp.has_point,
        None => true,
    };
    if scope {
        s |= SCORE_SCOPE;
    }
    (s, issuer)
}

fn check_cert(chain: &[&Cert], i: usize, crls: &[Crl], now: i64) -> Result<(), i64> {
    let x = chain[i];
    if x.flags & flags::SS != 0 || x.flags & flags::PROXY != 0 {
        return Ok(());
    }
    // get_crl_sk: the best score, the newer of equals.
    let mut best: Option<(u32, &Crl, Option<usize>)> = None;
    for crl in crls {
        let (s, issuer) = score(chain, i, crl, now);
        if s == 0 {
            continue;
        }
        if let Some((bs, b, _)) = best {
            if s < bs {
                continue;
            }
            if s == bs && crl.last_update.unwrap_or(i64::MIN) <= b.last_update.unwrap_or(i64::MIN) {
                continue;
            }
        }
        best = Some((s, crl, issuer));
    }
    let Some((s, crl, issuer)) = best else {
        return Err(codes::UNABLE_TO_GET_CRL);
    };
    // check_crl
    let issuer = match issuer {
        Some(j) => chain[j],
        None => return Err(codes::UNABLE_TO_GET_CRL_ISSUER),
    };
    if issuer.ku_reject(ku::CRL_SIGN) {
        return Err(codes::KEYUSAGE_NO_CRL_SIGN);
    }
    if s & SCORE_SCOPE == 0 {
        return Err(codes::DIFFERENT_CRL_SCOPE);
    }
    if s & SCORE_TIME == 0 {
        crl_time(crl, now)?;
    }
    let Some(key) = &issuer.key else {
        return Err(codes::UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY);
    };
    let signed = Signed {
        tbs: &crl.tbs,
        sig_alg: &crl.sig_alg,
        tbs_sig_alg: &crl.tbs_sig_alg,
        signature: crl.signature.as_deref(),
    };
    verify_signed(&signed, key).map_err(|e| {
        if e == codes::CERT_SIGNATURE_FAILURE {
            codes::CRL_SIGNATURE_FAILURE
        } else {
            e
        }
    })?;
    // cert_crl
    if crl.critical {
        return Err(codes::UNHANDLED_CRITICAL_CRL_EXTENSION);
    }
    if crl
        .revoked
        .iter()
        .any(|(serial, remove)| serial.as_slice() == x.serial() && !remove)
    {
        return Err(codes::CERT_REVOKED);
    }
    Ok(())
}
