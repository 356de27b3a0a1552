//! Chain building as OpenSSL 3.0's `build_chain` does it (`crypto/x509/x509_vfy.c`):
//! trusted-first lookups in the store, the peer's certificates as untrusted issuers,
//! alternate chains, `VERIFY_X509_PARTIAL_CHAIN`, and OpenSSL's codes when no trust
//! anchor is reached (2, 18, 19, 20, 22).

use super::cert::{flags, Akid, Cert};
use super::keys::sig_alg_matches_key;
use crate::verify::codes;

/// `X509_check_akid(issuer, akid)`: 0, 30 or 31.
pub(crate) fn check_akid(issuer: &Cert, akid: Option<&Akid>) -> i64 {
    let Some(akid) = akid else {
        return 0;
    };
    if let (Some(k), Some(s)) = (&akid.keyid, &issuer.skid) {
        if k != s {
            return codes::AKID_SKID_MISMATCH;
        }
    }
    if let Some(serial) = &akid.serial {
        if serial.as_slice() != issuer.serial() {
            return codes::AKID_ISSUER_SERIAL_MISMATCH;
        }
    }
    if let Some(name) = &akid.issuer {
        if *name != issuer.issuer {
            return codes::AKID_ISSUER_SERIAL_MISMATCH;
        }
    }
    0
}

/// `ossl_x509_likely_issued`: names chain, the AKID fits, the key fits the algorithm.
pub(crate) fn likely_issued(issuer: &Cert, subject: &Cert) -> bool {
    if issuer.subject != subject.issuer {
        return false;
    }
    if issuer.flags & flags::INVALID != 0 || subject.flags & flags::INVALID != 0 {
        return false;
    }
    check_akid(issuer, subject.akid.as_ref()) == 0
        && sig_alg_matches_key(issuer.key.as_ref(), subject) == 0
}

/// `ossl_x509_check_cert_time` without a callback: within both bounds.
pub(crate) fn time_ok(c: &Cert, now: i64) -> bool {
    matches!((c.not_before, c.not_after), (Some(nb), Some(na)) if nb <= now && now < na)
}

/// `X509_self_signed(c, 0)`: 1, 0, or -1 for a certificate with invalid extensions.
fn self_signed(c: &Cert) -> i32 {
    if c.flags & flags::INVALID != 0 {
        -1
    } else {
        i32::from(c.flags & flags::SS != 0)
    }
}

/// The outcome of chain building.
pub(crate) struct Built<'a> {
    /// Leaf first, trust anchor (or last certificate) last.
    pub chain: Vec<&'a Cert>,
    /// How many certificates at the start of the chain are not from the store.
    pub num_untrusted: usize,
}

/// The inputs of chain building.
pub(crate) struct Inputs<'a> {
    pub leaf: &'a Cert,
    pub untrusted: &'a [&'a Cert],
    pub store: &'a [&'a Cert],
    pub partial_chain: bool,
    pub trusted_first: bool,
    pub now: i64,
}

const MAX_DEPTH: usize = 100 + 1;

/// `get0_best_issuer_sk`: the first issuer valid now, else the one expiring last.
fn best_issuer<'a>(
    candidates: impl Iterator<Item = &'a Cert>,
    x: &Cert,
    chain: Option<&[&Cert]>,
    now: i64,
) -> Option<&'a Cert> {
    let mut best: Option<&'a Cert> = None;
    for c in candidates {
        if let Some(chain) = chain {
            let exempt = x.flags & flags::SI != 0 && chain.len() == 1;
            if !exempt && chain.iter().any(|e| e.der == c.der) {
                continue;
            }
        }
        if !likely_issued(c, x) {
            continue;
        }
        if time_ok(c, now) {
            return Some(c);
        }
        let later = match (best, c.not_after) {
            (None, _) => true,
            (Some(b), Some(na)) => b.not_after.is_none_or(|bn| na > bn),
            (Some(_), None) => false,
        };
        if later {
            best = Some(c);
        }
    }
    best
}

/// `X509_STORE_CTX_get1_issuer` over the store.
fn store_issuer<'a>(inp: &Inputs<'a>, x: &Cert) -> Option<&'a Cert> {
    let mut named = inp.store.iter().copied().filter(|c| c.subject == x.issuer);
    let first = named.next()?;
    if likely_issued(first, x) && time_ok(first, inp.now) {
        return Some(first);
    }
    best_issuer(
        inp.store.iter().copied().filter(|c| c.subject == x.issuer),
        x,
        None,
        inp.now,
    )
}

#[derive(PartialEq, Eq)]
enum Trust {
    Trusted,
    Untrusted,
}

/// `check_trust`: a self-signed store certificate at `from` or above is a trust
/// anchor; with partial chains, any store certificate (or the leaf found in the store).
fn check_trust<'a>(inp: &Inputs<'a>, chain: &mut [&'a Cert], num_untrusted: &mut usize) -> Trust {
    let from = *num_untrusted;
    if chain.iter().skip(from).any(|c| self_signed(c) == 1) {
        return Trust::Trusted;
    }
    if from < chain.len() {
        return if inp.partial_chain {
            Trust::Trusted
        } else {
            Trust::Untrusted
        };
    }
    if from == chain.len() && inp.partial_chain {
        if let Some(first) = chain.first_mut() {
            if let Some(m) = inp
                .store
                .iter()
                .copied()
                .find(|c| c.subject == first.subject && c.der == first.der)
            {
                *first = m;
                *num_untrusted = 0;
                return Trust::Trusted;
            }
        }
    }
    Trust::Untrusted
}

/// `build_chain`: the chain, or OpenSSL's code for why no anchor was reached.
pub(crate) fn build<'a>(inp: &Inputs<'a>) -> Result<Built<'a>, i64> {
    const UNTRUSTED: u8 = 1;
    const TRUSTED: u8 = 2;
    const ALTERNATE: u8 = 4;
    let mut chain: Vec<&'a Cert> = vec![inp.leaf];
    let mut num_untrusted = 1usize;
    let mut search = if inp.untrusted.is_empty() {
        0
    } else {
        UNTRUSTED
    };
    let mut may_alternate = false;
    if search == 0 || inp.trusted_first {
        search |= TRUSTED;
    } else {
        may_alternate = true;
    }
    let mut pool: Vec<&'a Cert> = inp.untrusted.to_vec();
    let mut trust = Trust::Untrusted;
    let mut alt_untrusted = 0usize;
    // Each pass adds or removes a certificate, or clears a search bit; bounded anyway.
    for _ in 0..(4 * MAX_DEPTH + 4 * inp.untrusted.len() + 8) {
        if search == 0 {
            break;
        }
        let num = chain.len();
        if search & TRUSTED != 0 {
            let i = if search & ALTERNATE != 0 {
                alt_untrusted
            } else {
                num
            };
            let curr = chain[i - 1];
            let found = if num > MAX_DEPTH {
                None
            } else {
                store_issuer(inp, curr)
            };
            if let Some(issuer) = found {
                let mut ss = self_signed(curr);
                if ss < 0 {
                    return Err(codes::UNSPECIFIED);
                }
                let mut num = num;
                if search & ALTERNATE != 0 {
                    search &= !ALTERNATE;
                    chain.truncate(i);
                    num = i;
                    num_untrusted = num;
                }
                let mut ok = true;
                if ss == 0 {
                    chain.push(issuer);
                    ss = self_signed(issuer);
                    if ss < 0 {
                        return Err(codes::UNSPECIFIED);
                    }
                } else if curr.der != issuer.der {
                    ok = false;
                } else {
                    num -= 1;
                    num_untrusted = num;
                    chain[num] = issuer;
                }
                if ok {
                    search &= !UNTRUSTED;
                    let mut nu = num;
                    trust = check_trust(inp, &mut chain, &mut nu);
                    if nu < num_untrusted {
                        num_untrusted = nu;
                    }
                    if trust == Trust::Trusted {
                        break;
                    }
                    if ss == 0 {
                        continue;
                    }
                }
            }
            if search & UNTRUSTED == 0 {
                if search & ALTERNATE != 0 {
                    alt_untrusted -= 1;
                    if alt_untrusted > 0 {
                        continue;
                    }
                }
                if !may_alternate || search & ALTERNATE != 0 || num_untrusted < 2 {
                    break;
                }
                search |= ALTERNATE;
                alt_untrusted = num_untrusted - 1;
                continue;
            }
        }
        if search & UNTRUSTED != 0 {
            let num = chain.len();
            let curr = chain[num - 1];
            let issuer = if self_signed(curr) > 0 || num > MAX_DEPTH {
                None
            } else {
                best_issuer(pool.iter().copied(), curr, Some(&chain), inp.now)
            };
            match issuer {
                None => {
                    search &= !UNTRUSTED;
                    search |= TRUSTED;
                }
                Some(issuer) => {
                    pool.retain(|c| !std::ptr::eq(*c, issuer));
                    chain.push(issuer);
                    num_untrusted += 1;
                }
            }
        }
    }
    let num = chain.len();
    if trust != Trust::Trusted && num <= MAX_DEPTH && num == num_untrusted {
        trust = check_trust(inp, &mut chain, &mut num_untrusted);
    }
    if trust == Trust::Trusted {
        return Ok(Built {
            chain,
            num_untrusted,
        });
    }
    if num > MAX_DEPTH {
        return Err(codes::CERT_CHAIN_TOO_LONG);
    }
    if chain.last().is_some_and(|c| self_signed(c) > 0) {
        return Err(if num == 1 {
            codes::DEPTH_ZERO_SELF_SIGNED_CERT
        } else {
            codes::SELF_SIGNED_CERT_IN_CHAIN
        });
    }
    Err(if num_untrusted < num {
        codes::UNABLE_TO_GET_ISSUER_CERT
    } else {
        codes::UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    })
}
