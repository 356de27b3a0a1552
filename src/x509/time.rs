//! Certificate times as OpenSSL 3.0's `ASN1_TIME_print` writes them, and Python's
//! `ssl.cert_time_to_seconds`.

use crate::error::py_repr_str;
use crate::{Error, Result};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The text `ASN1_TIME_print` gives for a UTCTime (`generalized == false`) or
/// GeneralizedTime content: `'Jan  5 09:34:43 2018 GMT'`, with a GeneralizedTime's
/// fraction kept (`'…:00.123 2024 GMT'`), offsets folded into GMT, and
/// `'Bad time value'` for anything `ossl_asn1_time_to_tm` rejects.
pub fn format_asn1_time(content: &[u8], generalized: bool) -> String {
    match parse(content, generalized) {
        Some(t) => {
            let frac = if generalized && content.len() > 15 && content.get(14) == Some(&b'.') {
                let mut n = 1;
                while 14 + n < content.len() && content.get(14 + n).is_some_and(u8::is_ascii_digit)
                {
                    n += 1;
                }
                content.get(14..14 + n).unwrap_or_default()
            } else {
                &[]
            };
            let frac = String::from_utf8_lossy(frac);
            let mon = MONTHS.get(t.month as usize - 1).copied().unwrap_or("???");
            format!(
                "{} {:2} {:02}:{:02}:{:02}{} {} GMT",
                mon, t.day, t.hour, t.min, t.sec, frac, t.year
            )
        }
        None => "Bad time value".to_string(),
    }
}

#[derive(Debug, Clone, Copy)]
struct Tm {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: u32,
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn month_days(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A certificate time as OpenSSL 3.0's `X509_cmp_time` accepts it, in seconds since
/// the epoch: exactly `YYMMDDHHMMSSZ` (UTCTime, years 50-99 are 19xx) or
/// `YYYYMMDDHHMMSSZ` (GeneralizedTime), a valid date; `None` otherwise (OpenSSL's
/// `ERROR_IN_CERT_NOT_BEFORE_FIELD` / `..._NOT_AFTER_FIELD`).
pub(crate) fn cert_time_posix(content: &[u8], generalized: bool) -> Option<i64> {
    let want = if generalized { 15 } else { 13 };
    let (last, digits) = content.split_last()?;
    if content.len() != want || *last != b'Z' || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let t = parse(content, generalized)?;
    let days = days_from_civil(t.year, t.month, t.day);
    Some(days * 86400 + i64::from(t.hour * 3600 + t.min * 60 + t.sec))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `ossl_asn1_time_to_tm` in its non-strict mode (certificate times carry no
/// `X509_TIME` flag).
fn parse(a: &[u8], generalized: bool) -> Option<Tm> {
    const MIN: [u32; 9] = [0, 0, 1, 1, 0, 0, 0, 0, 0];
    const MAX: [u32; 9] = [99, 99, 12, 31, 23, 59, 59, 12, 59];
    let (end, btz, min_l) = if generalized { (7, 6, 13) } else { (6, 5, 11) };
    let l = a.len();
    if l < min_l {
        return None;
    }
    let digit = |o: usize| -> Option<u32> {
        a.get(o)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u32::from(c - b'0'))
    };
    let mut tm = Tm {
        year: 0,
        month: 1,
        day: 1,
        hour: 0,
        min: 0,
        sec: 0,
    };
    let mut o = 0usize;
    for i in 0..end {
        if i == btz && matches!(a.get(o), Some(b'Z' | b'+' | b'-')) {
            break;
        }
        let mut n = digit(o)?;
        o += 1;
        if o == l {
            return None;
        }
        n = n * 10 + digit(o)?;
        o += 1;
        if o == l {
            return None;
        }
        let i2 = if generalized { i } else { i + 1 };
        if n < MIN[i2] || n > MAX[i2] {
            return None;
        }
        match i2 {
            0 => tm.year = i64::from(n) * 100,
            1 => {
                if generalized {
                    tm.year += i64::from(n)
                } else {
                    tm.year = if n < 50 {
                        2000 + i64::from(n)
                    } else {
                        1900 + i64::from(n)
                    }
                }
            }
            2 => tm.month = n,
            3 => {
                if n > month_days(tm.year, tm.month) {
                    return None;
                }
                tm.day = n;
            }
            4 => tm.hour = n,
            5 => tm.min = n,
            _ => tm.sec = n,
        }
    }
    if generalized && a.get(o) == Some(&b'.') {
        o += 1;
        if o == l {
            return None;
        }
        let start = o;
        while o < l && digit(o).is_some() {
            o += 1;
        }
        if start == o || o == l {
            return None;
        }
    }
    match a.get(o) {
        Some(b'Z') => o += 1,
        Some(&s @ (b'+' | b'-')) => {
            let offsign: i64 = if s == b'-' { 1 } else { -1 };
            o += 1;
            if o + 4 != l {
                return None;
            }
            let mut offset: i64 = 0;
            for i in end..end + 2 {
                let n = digit(o)? * 10 + digit(o + 1)?;
                let i2 = if generalized { i } else { i + 1 };
                if n < MIN[i2] || n > MAX[i2] {
                    return None;
                }
                offset += if i == end {
                    i64::from(n) * 3600
                } else {
                    i64::from(n) * 60
                };
                o += 2;
            }
            if offset != 0 {
                tm = adjust(tm, offset * offsign)?;
            }
        }
        _ => return None,
    }
    if o == l {
        Some(tm)
    } else {
        None
    }
}

/// `OPENSSL_gmtime_adj`: shift by seconds; fails outside years 0..=9999.
fn adjust(tm: Tm, secs: i64) -> Option<Tm> {
    let days = days_from_civil(tm.year, tm.month, tm.day);
    let total = days * 86400
        + i64::from(tm.hour) * 3600
        + i64::from(tm.min) * 60
        + i64::from(tm.sec)
        + secs;
    let d = total.div_euclid(86400);
    let rem = total.rem_euclid(86400);
    let (year, month, day) = civil_from_days(d);
    if !(0..=9999).contains(&year) {
        return None;
    }
    Some(Tm {
        year,
        month,
        day,
        hour: (rem / 3600) as u32,
        min: (rem % 3600 / 60) as u32,
        sec: (rem % 60) as u32,
    })
}

/// `ssl.cert_time_to_seconds(cert_time)`: seconds since the Epoch for a time in the
/// `'%b %d %H:%M:%S %Y GMT'` form (month case-insensitive, day space- or zero-padded).
pub fn cert_time_to_seconds(cert_time: &str) -> Result<i64> {
    const FORMAT: &str = " %d %H:%M:%S %Y GMT";
    let head: String = cert_time.chars().take(3).collect();
    let month = MONTHS
        .iter()
        .position(|m| *m == title(&head))
        .ok_or_else(|| {
            Error::value(format!(
                "time data {} does not match format \"%b{FORMAT}\"",
                py_repr_str(cert_time)
            ))
        })?;
    let rest: String = cert_time.chars().skip(3).collect();
    let chars: Vec<char> = rest.chars().collect();
    let mut vals = [0i64; 5];
    let end = match_tokens(&chars, 0, 0, &mut vals).ok_or_else(|| {
        Error::value(format!(
            "time data {} does not match format {}",
            py_repr_str(&rest),
            py_repr_str(FORMAT)
        ))
    })?;
    if end != chars.len() {
        let remains: String = chars.get(end..).unwrap_or_default().iter().collect();
        return Err(Error::value(format!("unconverted data remains: {remains}")));
    }
    let [day, hour, min, sec, year] = vals;
    if year == 0 {
        return Err(Error::value("year 0 is out of range"));
    }
    let days = days_from_civil(year, month as u32 + 1, 1) + day - 1;
    Ok(((days * 24 + hour) * 60 + min) * 60 + sec)
}

/// Python's `str.title()` for ASCII-ish three-letter month names.
fn title(s: &str) -> String {
    let mut out = String::new();
    let mut prev_cased = false;
    for c in s.chars() {
        if prev_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        prev_cased = c.is_alphabetic();
    }
    out
}

#[derive(Clone, Copy)]
enum Tok {
    Ws,
    Num(usize, &'static [&'static str]),
    Lit(&'static str),
}

// Python's _strptime regexes for ' %d %H:%M:%S %Y GMT' (whitespace → \s+).
// Patterns: 'D' digit, ' ' a literal space, others literal.
const TOKENS: [Tok; 12] = [
    Tok::Ws,
    Tok::Num(0, &["3[01]", "[12]D", "0[1-9]", "[1-9]", " [1-9]"]),
    Tok::Ws,
    Tok::Num(1, &["2[0-3]", "[01]D", "D"]),
    Tok::Lit(":"),
    Tok::Num(2, &["[0-5]D", "D"]),
    Tok::Lit(":"),
    Tok::Num(3, &["6[01]", "[0-5]D", "D"]),
    Tok::Ws,
    Tok::Num(4, &["DDDD"]),
    Tok::Ws,
    Tok::Lit("GMT"),
];

/// Matches one alternative (a tiny pattern language: `D`, `[xy]`, `[a-b]`, literals).
fn match_alt(pat: &str, s: &[char], pos: usize) -> Option<usize> {
    let p: Vec<char> = pat.chars().collect();
    let mut i = 0;
    let mut o = pos;
    while i < p.len() {
        let c = *s.get(o)?;
        match p.get(i)? {
            'D' => {
                if !c.is_ascii_digit() {
                    return None;
                }
                i += 1;
            }
            '[' => {
                let close = p.iter().skip(i).position(|&x| x == ']')? + i;
                let set = p.get(i + 1..close)?;
                let ok = if set.len() == 3 && set.get(1) == Some(&'-') {
                    (*set.first()?..=*set.get(2)?).contains(&c)
                } else {
                    set.contains(&c)
                };
                if !ok {
                    return None;
                }
                i = close + 1;
            }
            lit => {
                if *lit != c {
                    return None;
                }
                i += 1;
            }
        }
        o += 1;
    }
    Some(o)
}

fn match_tokens(s: &[char], ti: usize, pos: usize, vals: &mut [i64; 5]) -> Option<usize> {
    let Some(tok) = TOKENS.get(ti) else {
        return Some(pos);
    };
    match *tok {
        Tok::Ws => {
            let mut n = 0;
            while s.get(pos + n).is_some_and(|c| c.is_whitespace()) {
                n += 1;
            }
            // Greedy \s+ with backtracking.
            while n >= 1 {
                if let Some(e) = match_tokens(s, ti + 1, pos + n, vals) {
                    return Some(e);
                }
                n -= 1;
            }
            None
        }
        Tok::Lit(l) => {
            let mut o = pos;
            for lc in l.chars() {
                let c = s.get(o)?;
                if !c.eq_ignore_ascii_case(&lc) {
                    return None;
                }
                o += 1;
            }
            match_tokens(s, ti + 1, o, vals)
        }
        Tok::Num(slot, alts) => {
            for alt in alts {
                if let Some(e) = match_alt(alt, s, pos) {
                    let text: String = s.get(pos..e)?.iter().collect();
                    let v: i64 = text.trim().parse().ok()?;
                    let saved = vals[slot];
                    vals[slot] = v;
                    if let Some(end) = match_tokens(s, ti + 1, e, vals) {
                        return Some(end);
                    }
                    vals[slot] = saved;
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_openssl() {
        assert_eq!(
            format_asn1_time(b"240101000000Z", false),
            "Jan  1 00:00:00 2024 GMT"
        );
        assert_eq!(
            format_asn1_time(b"4912312359Z", false),
            "Dec 31 23:59:00 2049 GMT"
        );
        assert_eq!(
            format_asn1_time(b"20240101000000.5+0130", true),
            "Dec 31 22:30:00.5 2023 GMT"
        );
        assert_eq!(
            format_asn1_time(b"00000101000000Z", true),
            "Jan  1 00:00:00 0 GMT"
        );
        assert_eq!(format_asn1_time(b"230229000000Z", false), "Bad time value");
        assert_eq!(format_asn1_time(b"2024010100Z", true), "Bad time value");
        assert_eq!(
            format_asn1_time(b"00000101000000+0100", true),
            "Bad time value"
        );
    }

    #[test]
    fn cert_time_to_seconds_like_python() {
        assert_eq!(
            cert_time_to_seconds("Jan  5 09:34:43 2018 GMT").unwrap(),
            1515144883
        );
        assert_eq!(
            cert_time_to_seconds("jan 05 09:34:43 2018 gmt").unwrap(),
            1515144883
        );
        assert!(cert_time_to_seconds("Jan  5 09:34:43 2018 UTC").is_err());
    }
}
