//! Applying a parsed cipher string to OpenSSL's ordered suite list
//! (`ssl_create_cipher_list` / `ssl_cipher_apply_rule` semantics), and the resulting
//! [`CipherSelection`].
//!
//! The list is a doubly linked list over the catalogue (indices, no allocation per
//! step beyond one scratch vector), so each rule costs O(number of suites) and a
//! 64 KiB string stays well under a second.

use super::catalog::{
    CipherDef, A_ECDSA, A_NULL, E_AES, E_AESGCM, E_CHACHA20POLY1305, E_RC4, K_DHE, K_ECDHE, K_PSK,
    K_RSA, M_AEAD, M_MD5, OPENSSL_DEFAULT_RULE, TLS12_CIPHERS, TLS13_CIPHERS, V_TLS12,
};
use super::info::CipherInfo;
use super::parse::{parse_into, Op, Program, Selector, Step, SuiteB};
use crate::error::{Error, Result};
use rustls::SupportedCipherSuite;
use std::sync::OnceLock;

const NIL: usize = usize::MAX;

struct List {
    next: Vec<usize>,
    prev: Vec<usize>,
    active: Vec<bool>,
    head: usize,
    tail: usize,
    scratch: Vec<usize>,
}

impl List {
    /// A list in the given order, all suites inactive.
    fn new(order: &[usize]) -> List {
        let n = TLS12_CIPHERS.len();
        let mut list = List {
            next: vec![NIL; n],
            prev: vec![NIL; n],
            active: vec![false; n],
            head: NIL,
            tail: NIL,
            scratch: Vec::with_capacity(n),
        };
        let mut last = NIL;
        for &i in order {
            if i >= n {
                continue;
            }
            if last == NIL {
                list.head = i;
            } else {
                list.next[last] = i;
                list.prev[i] = last;
            }
            last = i;
        }
        list.tail = last;
        list
    }

    fn unlink(&mut self, i: usize) {
        let (p, n) = (self.prev[i], self.next[i]);
        if p == NIL {
            self.head = n;
        } else {
            self.next[p] = n;
        }
        if n == NIL {
            self.tail = p;
        } else {
            self.prev[n] = p;
        }
        self.prev[i] = NIL;
        self.next[i] = NIL;
    }

    fn push_tail(&mut self, i: usize) {
        if self.tail == i {
            return;
        }
        self.unlink(i);
        self.prev[i] = self.tail;
        if self.tail == NIL {
            self.head = i;
        } else {
            self.next[self.tail] = i;
        }
        self.tail = i;
    }

    fn push_head(&mut self, i: usize) {
        if self.head == i {
            return;
        }
        self.unlink(i);
        self.next[i] = self.head;
        if self.head == NIL {
            self.tail = i;
        } else {
            self.prev[self.head] = i;
        }
        self.head = i;
    }

    /// Apply one rule. `Del` and `Bump` walk from the tail so that the moved suites keep
    /// their relative order at the front.
    fn apply(&mut self, op: RuleOp, pick: impl Fn(&CipherDef) -> bool) {
        let reverse = matches!(op, RuleOp::Del | RuleOp::Bump);
        let mut order = std::mem::take(&mut self.scratch);
        order.clear();
        let mut cur = if reverse { self.tail } else { self.head };
        while cur != NIL {
            order.push(cur);
            cur = if reverse {
                self.prev[cur]
            } else {
                self.next[cur]
            };
        }
        for &i in &order {
            let Some(c) = TLS12_CIPHERS.get(i) else {
                continue;
            };
            if !pick(c) {
                continue;
            }
            match op {
                RuleOp::Add => {
                    if !self.active[i] {
                        self.push_tail(i);
                        self.active[i] = true;
                    }
                }
                RuleOp::Ord => {
                    if self.active[i] {
                        self.push_tail(i);
                    }
                }
                RuleOp::Del => {
                    if self.active[i] {
                        self.push_head(i);
                        self.active[i] = false;
                    }
                }
                RuleOp::Bump => {
                    if self.active[i] {
                        self.push_head(i);
                    }
                }
                RuleOp::Kill => {
                    self.unlink(i);
                    self.active[i] = false;
                }
            }
        }
        self.scratch = order;
    }

    /// `@STRENGTH`: a stable sort of the active suites by strength bits, descending.
    fn strength_sort(&mut self) {
        let mut bits: Vec<u16> = Vec::new();
        let mut cur = self.head;
        while cur != NIL {
            if self.active[cur] {
                if let Some(c) = TLS12_CIPHERS.get(cur) {
                    bits.push(c.strength_bits);
                }
            }
            cur = self.next[cur];
        }
        bits.sort_unstable_by(|a, b| b.cmp(a));
        bits.dedup();
        for b in bits {
            self.apply(RuleOp::Ord, |c| c.strength_bits == b);
        }
    }

    fn active_in_order(&self) -> Vec<&'static CipherDef> {
        let mut out = Vec::new();
        let mut cur = self.head;
        while cur != NIL {
            if self.active[cur] {
                if let Some(c) = TLS12_CIPHERS.get(cur) {
                    out.push(c);
                }
            }
            cur = self.next[cur];
        }
        out
    }

    fn order(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = self.head;
        while cur != NIL {
            out.push(cur);
            cur = self.next[cur];
        }
        out
    }
}

#[derive(Clone, Copy)]
enum RuleOp {
    Add,
    Ord,
    Del,
    Bump,
    Kill,
}

impl From<Op> for RuleOp {
    fn from(op: Op) -> Self {
        match op {
            Op::Add => RuleOp::Add,
            Op::Ord => RuleOp::Ord,
            Op::Del => RuleOp::Del,
            Op::Kill => RuleOp::Kill,
        }
    }
}

/// OpenSSL's preference order of the whole table, before any cipher string: ECDHE first
/// (ECDSA before RSA), AES-GCM then ChaCha20 then other AES, MD5, anonymous, RSA and
/// PSK key exchange and RC4 to the end, a stable sort by strength, then TLS 1.2 suites,
/// AEADs, (EC)DHE and (EC)DHE+AEAD bumped to the front in that order of increasing
/// priority.
fn base_order() -> &'static [usize] {
    static ORDER: OnceLock<Vec<usize>> = OnceLock::new();
    ORDER.get_or_init(|| {
        let all: Vec<usize> = (0..TLS12_CIPHERS.len()).collect();
        let mut l = List::new(&all);
        l.apply(RuleOp::Add, |c| {
            c.mkey & K_ECDHE != 0 && c.auth & A_ECDSA != 0
        });
        l.apply(RuleOp::Add, |c| c.mkey & K_ECDHE != 0);
        l.apply(RuleOp::Del, |c| c.mkey & K_ECDHE != 0);
        l.apply(RuleOp::Add, |c| c.enc & E_AESGCM != 0);
        l.apply(RuleOp::Add, |c| c.enc & E_CHACHA20POLY1305 != 0);
        l.apply(RuleOp::Add, |c| c.enc & (E_AES ^ E_AESGCM) != 0);
        l.apply(RuleOp::Add, |_| true);
        l.apply(RuleOp::Ord, |c| c.mac & M_MD5 != 0);
        l.apply(RuleOp::Ord, |c| c.auth & A_NULL != 0);
        l.apply(RuleOp::Ord, |c| c.mkey & K_RSA != 0);
        l.apply(RuleOp::Ord, |c| c.mkey & K_PSK != 0);
        l.apply(RuleOp::Ord, |c| c.enc & E_RC4 != 0);
        l.strength_sort();
        l.apply(RuleOp::Bump, |c| c.min_version == V_TLS12);
        l.apply(RuleOp::Bump, |c| c.mac & M_AEAD != 0);
        l.apply(RuleOp::Bump, |c| c.mkey & (K_DHE | K_ECDHE) != 0);
        l.apply(RuleOp::Bump, |c| {
            c.mkey & (K_DHE | K_ECDHE) != 0 && c.mac & M_AEAD != 0
        });
        l.apply(RuleOp::Del, |_| true);
        l.order()
    })
}

/// What one `SSL_CTX_set_cipher_list` call does.
struct Outcome {
    /// `None` after a syntax error (the list is left as it was).
    list: Option<Vec<&'static CipherDef>>,
    security_level: u8,
    suiteb: SuiteB,
}

fn run(rule: &str, security_level: u8, suiteb: SuiteB) -> Outcome {
    let (suiteb, rule) = suiteb.rewrite(rule);
    let mut prog = Program::default();
    let bytes = rule.as_bytes();
    let rest = if let Some(rest) = bytes.strip_prefix(b"DEFAULT") {
        parse_into(OPENSSL_DEFAULT_RULE.as_bytes(), &mut prog);
        rest.strip_prefix(b":").unwrap_or(rest)
    } else {
        bytes
    };
    if !prog.failed {
        parse_into(rest, &mut prog);
    }
    let mut list = List::new(base_order());
    let mut level = security_level;
    for step in &prog.steps {
        match *step {
            Step::Rule(op, sel) => apply_selector(&mut list, op, sel),
            Step::StrengthSort => list.strength_sort(),
            Step::SecLevel(n) => level = n,
        }
    }
    Outcome {
        list: (!prog.failed).then(|| list.active_in_order()),
        security_level: level,
        suiteb,
    }
}

fn apply_selector(list: &mut List, op: Op, sel: Selector) {
    list.apply(op.into(), |c| sel.matches(c));
}

/// The error CPython raises for every failed `set_ciphers` call.
fn no_cipher() -> Error {
    Error::ssl_text("No cipher can be selected.")
}

/// CPython's argument check for `set_ciphers(str)`: a NUL is `ValueError('embedded
/// null character')`. (`None`/`bytes` are excluded by the Rust type.)
pub fn set_ciphers_check(rule: &str) -> Result<()> {
    if rule.contains('\0') {
        return Err(Error::value("embedded null character"));
    }
    Ok(())
}

/// A context's cipher configuration: OpenSSL's TLS ≤ 1.2 list in preference order, the
/// security level (which `@SECLEVEL=n` changes) and the Suite B mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherSelection {
    tls12: Vec<&'static CipherDef>,
    security_level: u8,
    suiteb: SuiteB,
}

/// Compile `rule` from scratch, starting at `security_level`: the selection, or
/// `SSLError('No cipher can be selected.')` when the string is invalid or selects no
/// TLS ≤ 1.2 suite. Also applies `set_ciphers_check`.
/// Use [`CipherSelection::set_ciphers`] for the exact effect on a context on failure.
pub fn compile(rule: &str, security_level: u8) -> Result<CipherSelection> {
    let mut sel = CipherSelection {
        tls12: Vec::new(),
        security_level,
        suiteb: SuiteB::Off,
    };
    sel.set_ciphers(rule)?;
    Ok(sel)
}

impl CipherSelection {
    /// What a new CPython context holds: OpenSSL's list after CPython's
    /// `_DEFAULT_CIPHERS` ([`crate::constants::DEFAULT_CIPHERS`]), security level 2.
    pub fn default_for_cpython() -> CipherSelection {
        let mut sel = CipherSelection {
            tls12: Vec::new(),
            security_level: 1,
            suiteb: SuiteB::Off,
        };
        // The constant is valid; should it ever fail, the list stays empty.
        let _ = sel.set_ciphers(crate::constants::DEFAULT_CIPHERS);
        sel
    }

    /// `SSLContext.set_ciphers(rule)` with OpenSSL's exact side effects:
    /// - a NUL → `ValueError`, nothing changes;
    /// - a syntax error → `SSLError('No cipher can be selected.')`, the list is unchanged,
    ///   but `@SECLEVEL=n` items before the error have already changed the level;
    /// - nothing selected → the same error, and the TLS ≤ 1.2 list is now **empty**
    ///   (OpenSSL installs the list before checking it; only TLS 1.3 remains);
    /// - otherwise the new list.
    pub fn set_ciphers(&mut self, rule: &str) -> Result<()> {
        set_ciphers_check(rule)?;
        let out = run(rule, self.security_level, self.suiteb);
        self.security_level = out.security_level;
        self.suiteb = out.suiteb;
        match out.list {
            None => Err(no_cipher()),
            Some(list) => {
                self.tls12 = list;
                if self.tls12.is_empty() {
                    Err(no_cipher())
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The security level (`SSLContext.security_level`).
    pub fn security_level(&self) -> u8 {
        self.security_level
    }

    /// The Suite B mode (set by a string starting with `SUITEB…`; it persists).
    pub fn suiteb(&self) -> SuiteB {
        self.suiteb
    }

    /// OpenSSL's whole TLS ≤ 1.2 list (including suites rustls lacks), in order.
    pub fn tls12(&self) -> &[&'static CipherDef] {
        &self.tls12
    }

    /// What OpenSSL's `SSL_get_ciphers()` lists: the three TLS 1.3 suites, then
    /// [`Self::tls12`]. Equals `openssl ciphers -v` for the same string.
    pub fn openssl_list(&self) -> Vec<&'static CipherDef> {
        TLS13_CIPHERS
            .iter()
            .chain(self.tls12.iter().copied())
            .collect()
    }

    /// The suites to give rustls, in preference order: the TLS 1.3 suites (when
    /// `tls13_enabled`), then the selected TLS 1.2 suites rustls implements. Suites the
    /// security level forbids (OpenSSL filters them when sending the ClientHello /
    /// choosing) are left out: at level 4 the 128-bit suites go.
    pub fn rustls_suites(&self, tls13_enabled: bool) -> Vec<SupportedCipherSuite> {
        let tls13 = TLS13_CIPHERS.iter().filter(|_| tls13_enabled);
        tls13
            .chain(self.tls12.iter().copied())
            .filter(|c| c.allowed_at_level(self.security_level))
            .filter_map(|c| c.rustls_suite())
            .collect()
    }

    /// `SSLContext.get_ciphers()` restricted to the suites rustls can negotiate: TLS 1.3
    /// first (OpenSSL's order), then the implemented TLS 1.2 suites in selection order.
    /// Like CPython, it does not apply the security level.
    pub fn get_ciphers(&self) -> Vec<CipherInfo> {
        self.openssl_list()
            .into_iter()
            .filter(|c| c.implemented())
            .map(CipherInfo::from_def)
            .collect()
    }

    /// `get_ciphers()` over OpenSSL's whole list (what CPython shows, including suites
    /// this crate cannot negotiate).
    pub fn get_ciphers_openssl(&self) -> Vec<CipherInfo> {
        self.openssl_list()
            .into_iter()
            .map(CipherInfo::from_def)
            .collect()
    }
}

impl Default for CipherSelection {
    fn default() -> Self {
        CipherSelection::default_for_cpython()
    }
}
