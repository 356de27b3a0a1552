//! A server's first records, judged as OpenSSL 3.0 judges them before any connection
//! state exists: its record layer (lengths, empty records, record types) and the
//! start of its ClientHello processing (SSLv2-format hellos, the message type, the
//! protocol version). rustls's `Acceptor` would refuse most of these too, but with
//! other alerts (or none) and other reasons; here each gets OpenSSL's alert, in a
//! record of the version OpenSSL writes it with, and OpenSSL's reason.
//!
//! What decides (measured against CPython 3.11 on OpenSSL 3.0.19, `tests/first_records.rs`):
//! - a record body longer than 16,708 bytes: `PACKET_LENGTH_TOO_LONG`; longer than
//!   16,704: `ENCRYPTED_LENGTH_TOO_LONG`; both at once, from the header (alert 22);
//!   longer than 16,384 once complete: `DATA_LENGTH_TOO_LONG` (alert 22);
//! - empty handshake and ChangeCipherSpec records are skipped, up to 32 in a row; the
//!   33rd is `RECORD_TOO_SMALL` (alert 10);
//! - any other record type before the ClientHello, empty or not, once complete:
//!   `UNEXPECTED_MESSAGE` (alert 10) in a record of the offending record's version;
//! - a handshake message other than ClientHello: `UNEXPECTED_MESSAGE`;
//! - an SSLv2-format ClientHello: `UNKNOWN_PROTOCOL` unless its version is SSL 3 or
//!   TLS, else the version negotiation below (alert 70, in a record of the client's
//!   version);
//! - [`refuse_version`]: a ClientHello whose versions meet none of ours:
//!   `UNSUPPORTED_PROTOCOL` (alert 70), or `VERSION_TOO_LOW` for SSL 3.0 (alert 40,
//!   SSL 3.0 having no protocol_version alert).

use super::record::{record_header, HEADER_LEN};
use crate::enums::AlertDescription as Alert;
use crate::error::Reason;

/// The largest plaintext record body.
const MAX_PLAIN: usize = 16 * 1024;
/// The largest body OpenSSL accepts for an encrypted record (16 KiB + 320).
const MAX_ENCRYPTED: usize = MAX_PLAIN + 320;
/// The largest body OpenSSL's read buffer holds.
const MAX_PACKET: usize = MAX_ENCRYPTED + 4;
/// How many bytes of the record that starts with `head` a judgement looks at: the
/// whole record (an SSLv2-format one has a 2-byte header), up to the longest OpenSSL
/// reads; just the header while it is incomplete.
pub(crate) fn record_span(head: &[u8]) -> usize {
    match head {
        [b0, b1, ..] if b0 & 0x80 != 0 => 2 + usize::from(u16::from_be_bytes([b0 & 0x7f, *b1])),
        [_, _, _, l0, l1] => {
            HEADER_LEN + usize::from(u16::from_be_bytes([*l0, *l1])).min(MAX_PACKET + 1)
        }
        _ => HEADER_LEN,
    }
}
/// The longest ClientHello OpenSSL's server reads (`CLIENT_HELLO_MAX_LENGTH`).
const MAX_CLIENT_HELLO: u32 = 131_396;
/// Consecutive empty records OpenSSL skips (`MAX_EMPTY_RECORDS`).
const MAX_EMPTY_RECORDS: u8 = 32;

const HANDSHAKE: u8 = 22;
const CHANGE_CIPHER_SPEC: u8 = 20;
const CLIENT_HELLO: u8 = 1;

/// The refusal: the fatal alert to send (record version, description) and the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub alert: Option<(u16, Alert)>,
    pub reason: Reason,
}

/// What to do with the record at the front of the incoming bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Not enough bytes to decide.
    Wait,
    /// Hand the record to rustls.
    Feed,
    /// Drop this many bytes (an empty record OpenSSL skips).
    Skip(usize),
    /// Fail the handshake.
    Refuse(Refusal),
}

/// What the server's context enables, as the checks need it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ours {
    /// Protocol versions (`0x0303`, `0x0304`).
    pub versions: Vec<u16>,
    /// TLS 1.2 cipher suites (IANA numbers).
    pub tls12_suites: Vec<u16>,
}

/// The state OpenSSL's record layer keeps across the first records.
#[derive(Debug, Default)]
pub(crate) struct FirstRecords {
    /// Empty records skipped in a row.
    empty: u8,
    /// The first handshake message's header (type, 24-bit length) as far as it came.
    hs_header: [u8; 4],
    hs_header_len: u8,
    /// Records decided on so far (OpenSSL looks for SSLv2 only in the first).
    records: u8,
}

/// A record version as OpenSSL writes its alert before a version is agreed: the
/// offending record's own when it is TLS 1.0–1.2, else TLS 1.2's.
fn echo_version(version: u16) -> u16 {
    if (0x0301..=0x0303).contains(&version) {
        version
    } else {
        0x0303
    }
}

fn refuse(version: u16, alert: Alert, reason: Reason) -> Step {
    Step::Refuse(Refusal {
        alert: Some((version, alert)),
        reason,
    })
}

impl FirstRecords {
    /// Judges the record at the front of `buffered` (the incoming bytes from a record
    /// boundary); `ours` tells what the context enables (asked only when needed).
    pub fn step(&mut self, buffered: &[u8], ours: impl FnOnce() -> Ours) -> Step {
        let step = self.judge(buffered, ours);
        if matches!(step, Step::Feed | Step::Skip(_)) {
            self.records = self.records.saturating_add(1);
        }
        step
    }

    fn judge(&mut self, buffered: &[u8], ours: impl FnOnce() -> Ours) -> Step {
        if self.records == 0 && is_sslv2_hello(buffered) {
            return sslv2_hello(buffered, &ours());
        }
        let Some(header) = buffered.get(..HEADER_LEN) else {
            return Step::Wait;
        };
        let header: [u8; HEADER_LEN] = header.try_into().unwrap_or_default();
        if header[1] != 3 {
            // Not TLS at all: the caller's classification (no alert).
            return Step::Feed;
        }
        let (content_type, len) = record_header(&header);
        let version = u16::from_be_bytes([header[1], header[2]]);
        if len > MAX_PACKET {
            return refuse(0x0303, Alert::RecordOverflow, Reason::PacketLengthTooLong);
        }
        if len > MAX_ENCRYPTED {
            return refuse(
                0x0303,
                Alert::RecordOverflow,
                Reason::EncryptedLengthTooLong,
            );
        }
        let Some(body) = buffered.get(HEADER_LEN..HEADER_LEN + len) else {
            // Decisions below need the whole record, as OpenSSL reads it whole first;
            // a handshake record that can be a ClientHello goes on as it comes.
            let part = &buffered[HEADER_LEN..];
            let plain_hello = content_type == HANDSHAKE
                && len <= MAX_PLAIN
                && !part.is_empty()
                && self.peek_message_header(part).is_none();
            return if plain_hello {
                self.note_message_header(part);
                Step::Feed
            } else {
                Step::Wait
            };
        };
        if len > MAX_PLAIN {
            return refuse(0x0303, Alert::RecordOverflow, Reason::DataLengthTooLong);
        }
        if len == 0 && matches!(content_type, HANDSHAKE | CHANGE_CIPHER_SPEC) {
            self.empty += 1;
            if self.empty > MAX_EMPTY_RECORDS {
                return refuse(0x0303, Alert::UnexpectedMessage, Reason::RecordTooSmall);
            }
            return Step::Skip(HEADER_LEN);
        }
        if content_type != HANDSHAKE {
            return refuse(
                echo_version(version),
                Alert::UnexpectedMessage,
                Reason::UnexpectedMessage,
            );
        }
        if let Some((alert, reason)) = self.peek_message_header(body) {
            return refuse(0x0303, alert, reason);
        }
        self.note_message_header(body);
        self.empty = 0;
        Step::Feed
    }

    /// The first handshake message's header with `more` bytes of the handshake stream
    /// added: once its 4 bytes are in, a message other than ClientHello is
    /// `UNEXPECTED_MESSAGE`, a ClientHello longer than OpenSSL takes
    /// `EXCESSIVE_MESSAGE_SIZE` (illegal_parameter). `None`: go on.
    fn peek_message_header(&self, more: &[u8]) -> Option<(Alert, Reason)> {
        let have = usize::from(self.hs_header_len);
        if have == 4 {
            return None;
        }
        let mut header = self.hs_header;
        let take = (4 - have).min(more.len());
        header[have..have + take].copy_from_slice(&more[..take]);
        if have + take < 4 {
            return None;
        }
        let length = u32::from_be_bytes([0, header[1], header[2], header[3]]);
        if header[0] != CLIENT_HELLO {
            Some((Alert::UnexpectedMessage, Reason::UnexpectedMessage))
        } else if length > MAX_CLIENT_HELLO {
            Some((Alert::IllegalParameter, Reason::ExcessiveMessageSize))
        } else {
            None
        }
    }

    /// Keeps what `more` adds to the first handshake message's header.
    fn note_message_header(&mut self, more: &[u8]) {
        let have = usize::from(self.hs_header_len);
        let take = (4 - have).min(more.len());
        self.hs_header[have..have + take].copy_from_slice(&more[..take]);
        self.hs_header_len += u8::try_from(take).unwrap_or(4);
    }
}

/// Whether `first` starts an SSLv2-format record holding a CLIENT-HELLO.
fn is_sslv2_hello(first: &[u8]) -> bool {
    matches!(first, [b0, _, CLIENT_HELLO, ..] if b0 & 0x80 != 0)
}

/// An SSLv2-format ClientHello (once complete): OpenSSL accepts the format for SSL 3.0
/// and TLS hellos only, and a TLS 1.2 one goes on to choose a cipher from its 3-byte
/// cipher specs. rustls cannot continue from one, so a TLS 1.2 hello with a suite we
/// would choose is refused as unsupported (listed in `docs/COMPATIBILITY.md`).
fn sslv2_hello(buffered: &[u8], ours: &Ours) -> Step {
    let len = usize::from(u16::from_be_bytes([buffered[0] & 0x7f, buffered[1]]));
    let Some(body) = buffered.get(2..2 + len) else {
        return Step::Wait;
    };
    // msg_type, version, cipher_spec_length, session_id_length, challenge_length
    let Some(&[_, major, minor, s0, s1, _, _, _, _]) = body.get(..9) else {
        return refuse(0x0303, Alert::DecodeError, Reason::LengthTooShort);
    };
    if major != 3 {
        return refuse(0x0303, Alert::ProtocolVersion, Reason::UnknownProtocol);
    }
    let client = u16::from_be_bytes([major, minor]);
    // A v2 hello carries no extensions: TLS 1.2 at most.
    let facts = super::hello::HelloFacts {
        legacy: client,
        ..Default::default()
    };
    if let Some(refusal) = version_refusal(&facts, &ours.versions) {
        return Step::Refuse(refusal);
    }
    let specs = body
        .get(9..9 + usize::from(u16::from_be_bytes([s0, s1])))
        .unwrap_or_default();
    let shared = specs.chunks_exact(3).any(|spec| {
        spec[0] == 0
            && ours
                .tls12_suites
                .contains(&u16::from_be_bytes([spec[1], spec[2]]))
    });
    if shared {
        refuse(0x0303, Alert::ProtocolVersion, Reason::UnsupportedProtocol)
    } else {
        refuse(0x0303, Alert::HandshakeFailure, Reason::NoSharedCipher)
    }
}

/// [`refuse_version`] for what a ClientHello offers: its `supported_versions`, else
/// every version up to its `legacy_version` (TLS 1.2 at most).
pub(crate) fn version_refusal(facts: &super::hello::HelloFacts, ours: &[u16]) -> Option<Refusal> {
    match &facts.supported {
        Some(list) => refuse_version(list, facts.legacy, ours, false),
        None => refuse_version(&[facts.legacy.min(0x0303)], facts.legacy, ours, true),
    }
}

/// OpenSSL's server version negotiation (`ssl_choose_server_version`): `offered` are the
/// versions the client lists (its `supported_versions`, else every version up to its
/// `legacy_version`, given as that one version with `up_to` set), `ours` the versions
/// the context enables. `None` when a version is agreed.
pub(crate) fn refuse_version(
    offered: &[u16],
    legacy_version: u16,
    ours: &[u16],
    up_to: bool,
) -> Option<Refusal> {
    // The alert goes in a record of the client's version (TLS 1.2's above it).
    let record_version = legacy_version.min(0x0303);
    // SSL 3.0's alerts have no protocol_version: OpenSSL sends handshake_failure.
    let protocol_version_alert = if record_version == 0x0300 {
        Alert::HandshakeFailure
    } else {
        Alert::ProtocolVersion
    };
    if !up_to && legacy_version <= 0x0300 {
        return Some(Refusal {
            alert: Some((record_version, protocol_version_alert)),
            reason: Reason::BadLegacyVersion,
        });
    }
    let agreed = ours
        .iter()
        .any(|v| offered.iter().any(|o| if up_to { v <= o } else { v == o }));
    if agreed {
        return None;
    }
    let highest = offered.iter().copied().max().unwrap_or(0);
    let reason = if up_to && highest <= 0x0300 {
        // Below every version OpenSSL builds in.
        Reason::VersionTooLow
    } else {
        Reason::UnsupportedProtocol
    };
    Some(Refusal {
        alert: Some((record_version, protocol_version_alert)),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: &[u16] = &[0x0303, 0x0304];

    fn ours() -> Ours {
        Ours {
            versions: BOTH.to_vec(),
            tls12_suites: vec![0xc02b, 0xc02f],
        }
    }

    fn record(content_type: u8, version: u16, body: &[u8]) -> Vec<u8> {
        let mut r = vec![content_type];
        r.extend_from_slice(&version.to_be_bytes());
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    #[test]
    fn lengths_as_openssl_reads_them() {
        let mut f = FirstRecords::default();
        let hdr = |len: u16| {
            let mut h = vec![22, 3, 1];
            h.extend_from_slice(&len.to_be_bytes());
            h
        };
        assert_eq!(f.step(&hdr(16704), ours), Step::Wait);
        assert!(matches!(f.step(&hdr(16705), ours),
            Step::Refuse(r) if r.reason == Reason::EncryptedLengthTooLong));
        assert!(matches!(f.step(&hdr(16709), ours),
            Step::Refuse(r) if r.reason == Reason::PacketLengthTooLong && r.alert == Some((0x0303, Alert::RecordOverflow))));
        let full = record(22, 0x0301, &[0u8; 16500]);
        assert!(matches!(f.step(&full, ours),
            Step::Refuse(r) if r.reason == Reason::DataLengthTooLong));
    }

    #[test]
    fn empty_records_are_skipped_up_to_32() {
        let mut f = FirstRecords::default();
        let empty = record(22, 0x0301, &[]);
        for _ in 0..32 {
            assert_eq!(f.step(&empty, ours), Step::Skip(5));
        }
        assert!(matches!(f.step(&empty, ours),
            Step::Refuse(r) if r.reason == Reason::RecordTooSmall && r.alert == Some((0x0303, Alert::UnexpectedMessage))));
        let mut f = FirstRecords::default();
        assert_eq!(f.step(&record(20, 0x0303, &[]), ours), Step::Skip(5));
        assert!(matches!(f.step(&record(23, 0x0303, &[]), ours),
            Step::Refuse(r) if r.reason == Reason::UnexpectedMessage));
    }

    #[test]
    fn other_record_types_echo_their_version() {
        let mut f = FirstRecords::default();
        for (t, v, want) in [
            (23, 0x0301, 0x0301),
            (24, 0x0302, 0x0302),
            (20, 0x0300, 0x0303),
            (21, 0x03ff, 0x0303),
        ] {
            let r = record(t, v, &[1, 2]);
            assert_eq!(f.step(&r[..6], ours), Step::Wait, "whole record first");
            assert_eq!(
                f.step(&r, ours),
                refuse(want, Alert::UnexpectedMessage, Reason::UnexpectedMessage),
                "type {t} version {v:#x}"
            );
        }
        assert_eq!(
            f.step(&record(22, 0x0303, &[11, 0, 0, 0]), ours),
            refuse(0x0303, Alert::UnexpectedMessage, Reason::UnexpectedMessage)
        );
        // A ClientHello goes on before it is complete.
        assert_eq!(
            f.step(&record(22, 0x0301, &[1, 0, 1, 0, 3, 3])[..8], ours),
            Step::Feed
        );
    }

    #[test]
    fn sslv2_hellos() {
        // One cipher spec, no session id, no challenge.
        let v2 = |version: [u8; 2], spec: [u8; 3]| {
            let mut h = vec![0x80, 12, 1, version[0], version[1], 0, 3, 0, 0, 0, 0];
            h.extend_from_slice(&spec);
            h
        };
        let step = |h: &[u8]| FirstRecords::default().step(h, ours);
        let rc4 = [1, 0, 0x80];
        let ecdhe = [0, 0xc0, 0x2b];
        assert_eq!(
            step(&v2([0, 2], rc4)),
            refuse(0x0303, Alert::ProtocolVersion, Reason::UnknownProtocol)
        );
        assert_eq!(
            step(&v2([4, 0], rc4)),
            refuse(0x0303, Alert::ProtocolVersion, Reason::UnknownProtocol)
        );
        assert_eq!(
            step(&v2([3, 1], rc4)),
            refuse(0x0301, Alert::ProtocolVersion, Reason::UnsupportedProtocol)
        );
        assert_eq!(
            step(&v2([3, 0], rc4)),
            refuse(0x0300, Alert::HandshakeFailure, Reason::VersionTooLow)
        );
        assert_eq!(
            step(&v2([3, 3], rc4)),
            refuse(0x0303, Alert::HandshakeFailure, Reason::NoSharedCipher)
        );
        assert_eq!(
            step(&v2([3, 3], ecdhe)),
            refuse(0x0303, Alert::ProtocolVersion, Reason::UnsupportedProtocol)
        );
        assert_eq!(step(&v2([3, 1], rc4)[..6]), Step::Wait);
    }

    #[test]
    fn version_negotiation() {
        assert_eq!(refuse_version(&[0x0303], 0x0303, BOTH, true), None);
        assert_eq!(refuse_version(&[0x0304], 0x0303, BOTH, false), None);
        assert_eq!(
            refuse_version(&[0x0302], 0x0302, BOTH, true),
            Some(Refusal {
                alert: Some((0x0302, Alert::ProtocolVersion)),
                reason: Reason::UnsupportedProtocol
            })
        );
        assert_eq!(
            refuse_version(&[0x0304], 0x0303, &[0x0303], false).map(|r| r.reason),
            Some(Reason::UnsupportedProtocol)
        );
        assert_eq!(
            refuse_version(&[0x0303], 0x0303, &[0x0304], true).map(|r| r.alert),
            Some(Some((0x0303, Alert::ProtocolVersion)))
        );
    }
}
