//! The grammar of OpenSSL cipher strings (`ssl_cipher_process_rulestr` in OpenSSL 3.0),
//! turned into a list of steps that [`super::resolve`] applies.
//!
//! The rules, as OpenSSL applies them (learned from its behaviour and `ssl_ciph.c`; no
//! code is copied):
//! - Items are separated by `:`, ` `, `;` or `,`; empty items are skipped. A tab is not
//!   a separator.
//! - An item starts with an optional operator: `!` (kill: remove for good), `-` (delete:
//!   remove, may be added back, and deleted suites go to the front of the pool), `+`
//!   (move the selected active suites to the end), `@` (special command); none = add.
//! - A word is a run of `A-Z a-z 0-9 - . =`; words joined by `+` intersect. Lookup is
//!   case-sensitive, by OpenSSL name first, then alias. An unknown word, or an
//!   intersection that becomes empty, makes the rest of the item (up to the next
//!   separator) ignored.
//! - A character that cannot start a word where a word is expected (`é`, a tab after a
//!   word, `_` at a word start, an operator alone) is a syntax error: the whole call fails
//!   and the list is left unchanged.
//! - `@STRENGTH` sorts by strength bits (stable); `@SECLEVEL=n` (n in 0..=5) sets the
//!   security level at once, even when the call fails later; any other `@` word is an
//!   error, but processing continues (so later `@SECLEVEL` still applies).
//! - After a word, a character that is not a separator starts a new item directly
//!   (`HIGH!MD5` is `HIGH:!MD5`).
//! - A string starting with `DEFAULT` first applies `ALL:!COMPLEMENTOFDEFAULT:!eNULL`, then
//!   the rest after those seven characters (and one `:`). `DEFAULT` elsewhere is unknown.
//! - A string starting with `SUITEB128ONLY`, `SUITEB128C2`, `SUITEB128` or `SUITEB192` is
//!   replaced by the Suite B list (and the context stays in that Suite B mode).

use super::catalog::{Alias, CipherDef, ALIASES, S_DEFAULT_MASK, S_STRONG_MASK, TLS12_CIPHERS};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a rule does to the selected suites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Append inactive suites to the active list.
    Add,
    /// Remove for good.
    Kill,
    /// Deactivate (moves to the front of the inactive pool).
    Del,
    /// Move active suites to the end.
    Ord,
}

/// Which suites a rule selects: OpenSSL's (cipher id, masks, version, strength) pattern.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Selector {
    /// An explicit suite (IANA code), if the last word was a suite name.
    pub iana: Option<u16>,
    pub mkey: u32,
    pub auth: u32,
    pub enc: u32,
    pub mac: u32,
    pub min_version: u16,
    pub strength: u32,
}

impl Selector {
    /// Whether `c` is selected (`ssl_cipher_apply_rule`'s test).
    pub(crate) fn matches(&self, c: &CipherDef) -> bool {
        if let Some(id) = self.iana {
            if id != c.iana {
                return false;
            }
        }
        (self.mkey == 0 || self.mkey & c.mkey != 0)
            && (self.auth == 0 || self.auth & c.auth != 0)
            && (self.enc == 0 || self.enc & c.enc != 0)
            && (self.mac == 0 || self.mac & c.mac != 0)
            && (self.min_version == 0 || self.min_version == c.min_version)
            && (self.strength & S_STRONG_MASK == 0
                || self.strength & S_STRONG_MASK & c.strength != 0)
            && (self.strength & S_DEFAULT_MASK == 0
                || self.strength & S_DEFAULT_MASK & c.strength != 0)
    }
}

/// One parsed instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Apply `Op` to the suites `Selector` selects.
    Rule(Op, Selector),
    /// `@STRENGTH`.
    StrengthSort,
    /// `@SECLEVEL=n`.
    SecLevel(u8),
}

/// The Suite B mode a cipher string put the context in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SuiteB {
    /// Not in Suite B mode.
    #[default]
    Off,
    /// `SUITEB128`: 128-bit level, 192 allowed.
    B128,
    /// `SUITEB128ONLY`: 128-bit level only.
    B128Only,
    /// `SUITEB128C2`: 128-bit level, only the 192-bit suite.
    B128C2,
    /// `SUITEB192`: 192-bit level.
    B192,
}

impl SuiteB {
    /// OpenSSL's `check_suiteb_cipher_list`: a string starting with a Suite B keyword
    /// sets the mode; a context already in Suite B mode keeps it. Returns the new mode
    /// and the rule string to process.
    pub(crate) fn rewrite(self, rule: &str) -> (SuiteB, &str) {
        let mode = if rule.starts_with("SUITEB128ONLY") {
            SuiteB::B128Only
        } else if rule.starts_with("SUITEB128C2") {
            SuiteB::B128C2
        } else if rule.starts_with("SUITEB128") {
            SuiteB::B128
        } else if rule.starts_with("SUITEB192") {
            SuiteB::B192
        } else {
            self
        };
        let rule = match mode {
            SuiteB::Off => rule,
            SuiteB::B128 => "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384",
            SuiteB::B128Only => "ECDHE-ECDSA-AES128-GCM-SHA256",
            SuiteB::B128C2 | SuiteB::B192 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        };
        (mode, rule)
    }
}

enum Entry {
    Cipher(&'static CipherDef),
    Alias(&'static Alias),
}

fn lookup(word: &[u8]) -> Option<&'static Entry> {
    static TABLE: OnceLock<HashMap<&'static [u8], Entry>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let mut m = HashMap::new();
            // Aliases first, so that suite names (which OpenSSL searches first) win.
            for al in ALIASES {
                m.insert(al.name.as_bytes(), Entry::Alias(al));
            }
            for c in TLS12_CIPHERS {
                m.insert(c.name.as_bytes(), Entry::Cipher(c));
            }
            m
        })
        .get(word)
}

fn is_sep(b: u8) -> bool {
    matches!(b, b':' | b' ' | b';' | b',')
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'=')
}

/// The result of parsing one rule string.
#[derive(Debug, Default)]
pub(crate) struct Program {
    /// Steps in order (up to a fatal error).
    pub steps: Vec<Step>,
    /// Whether OpenSSL would report failure (the list is then discarded).
    pub failed: bool,
}

/// Parse `rule` (one `ssl_cipher_process_rulestr` call) and append to `prog`.
pub(crate) fn parse_into(rule: &[u8], prog: &mut Program) {
    let n = rule.len();
    let at = |i: usize| -> u8 { rule.get(i).copied().unwrap_or(0) };
    let mut l = 0usize;
    loop {
        let ch = at(l);
        if ch == 0 || l >= n {
            break;
        }
        let op = match ch {
            b'-' => Some(Op::Del),
            b'+' => Some(Op::Ord),
            b'!' => Some(Op::Kill),
            b'@' => None,
            _ => Some(Op::Add),
        };
        if matches!(ch, b'-' | b'+' | b'!' | b'@') {
            l += 1;
        }
        if is_sep(ch) {
            l += 1;
            continue;
        }
        let mut sel = Selector::default();
        let mut found = false;
        let mut word_start;
        let mut word_len;
        loop {
            let start = l;
            while l < n && is_word(at(l)) {
                l += 1;
            }
            word_start = start;
            word_len = l - start;
            if word_len == 0 {
                // Nothing we can deal with: OpenSSL's "invalid command", fatal.
                prog.failed = true;
                return;
            }
            if op.is_none() {
                break;
            }
            let multi = at(l) == b'+';
            if multi {
                l += 1;
            }
            let Some(entry) = rule.get(start..start + word_len).and_then(lookup) else {
                found = false;
                break;
            };
            found = intersect(&mut sel, entry);
            if !found || !multi {
                break;
            }
        }
        match op {
            None => {
                let word = rule.get(word_start..word_start + word_len).unwrap_or(b"");
                if word == b"STRENGTH" {
                    prog.steps.push(Step::StrengthSort);
                } else if word.len() == 10 && word.starts_with(b"SECLEVEL=") {
                    match word.get(9) {
                        Some(d @ b'0'..=b'5') => prog.steps.push(Step::SecLevel(d - b'0')),
                        _ => prog.failed = true,
                    }
                } else {
                    prog.failed = true;
                }
                while l < n && at(l) != 0 && !is_sep(at(l)) {
                    l += 1;
                }
            }
            Some(op) if found => prog.steps.push(Step::Rule(op, sel)),
            Some(_) => {
                while l < n && at(l) != 0 && !is_sep(at(l)) {
                    l += 1;
                }
            }
        }
        if l >= n || at(l) == 0 {
            break;
        }
    }
}

/// Intersect one word's masks into `sel`; false when the pattern became empty.
fn intersect(sel: &mut Selector, entry: &Entry) -> bool {
    let (mkey, auth, enc, mac, strength) = match entry {
        Entry::Cipher(c) => (c.mkey, c.auth, c.enc, c.mac, c.strength),
        Entry::Alias(a) => (a.mkey, a.auth, a.enc, a.mac, a.strength),
    };
    fn and(cur: &mut u32, new: u32) -> bool {
        if new != 0 {
            if *cur != 0 {
                *cur &= new;
                return *cur != 0;
            }
            *cur = new;
        }
        true
    }
    sel.iana = None;
    if !and(&mut sel.mkey, mkey) || !and(&mut sel.auth, auth) {
        return false;
    }
    if !and(&mut sel.enc, enc) || !and(&mut sel.mac, mac) {
        return false;
    }
    for mask in [S_STRONG_MASK, S_DEFAULT_MASK] {
        let new = strength & mask;
        if new != 0 {
            if sel.strength & mask != 0 {
                sel.strength &= new | !mask;
                if sel.strength & mask == 0 {
                    return false;
                }
            } else {
                sel.strength |= new;
            }
        }
    }
    match entry {
        Entry::Cipher(c) => sel.iana = Some(c.iana),
        Entry::Alias(a) => {
            if a.min_version != 0 {
                if sel.min_version != 0 && sel.min_version != a.min_version {
                    return false;
                }
                sel.min_version = a.min_version;
            }
        }
    }
    true
}
