//! Feeding rustls one TLS record at a time, as OpenSSL reads without read-ahead: bytes
//! after a record that ends the TLS session (close_notify) stay in the incoming buffer
//! for the application (`unwrap()`, STARTTLS).
//!
//! Also classifies a first record that is not TLS at all the way OpenSSL reports it
//! (`WRONG_VERSION_NUMBER`, `HTTP_REQUEST`, `HTTPS_PROXY_REQUEST`).

use std::collections::VecDeque;

use super::bio::copy_front;
#[cfg(test)]
use super::bio::MemoryBio;

/// TLS record header length.
pub(crate) const HEADER_LEN: usize = 5;

/// The content type and body length a record header announces.
pub(crate) fn record_header(header: &[u8; HEADER_LEN]) -> (u8, usize) {
    (
        header[0],
        usize::from(u16::from_be_bytes([header[3], header[4]])),
    )
}

/// Where a byte stream stands inside its current TLS record: the one place that knows
/// where records begin and end, for every reader of records (the feeder that hands
/// rustls one record at a time, the socket that reads one record at a time).
#[derive(Debug, Default)]
pub(crate) struct Framer {
    /// Header bytes of the current record seen so far (0..5).
    header: Partial<HEADER_LEN>,
    /// Body bytes of the current record still to come.
    /// At most a record's length (a `u16` in the header).
    body_left: u16,
    /// The version field of the last complete record header.
    last_version: u16,
}

/// What [`Framer::advance`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Inside a header or a body.
    Partial,
    /// A header completed, announcing this content type and body length (the record
    /// is not over yet).
    Header(u8, usize),
    /// A record ended (`Some`: it had no body, and this was its header).
    End(Option<(u8, usize)>),
}

impl Framer {
    /// How many bytes the current record still wants: the rest of its header, else
    /// the rest of its body.
    pub fn wanted(&self) -> usize {
        if self.body_left == 0 {
            HEADER_LEN - self.header.len()
        } else {
            usize::from(self.body_left)
        }
    }

    /// Accounts for `bytes` (at most [`Self::wanted`]).
    pub fn advance(&mut self, bytes: &[u8]) -> Step {
        if self.body_left == 0 {
            self.header.extend_from_slice(bytes);
            if self.header.len() < HEADER_LEN {
                return Step::Partial;
            }
            let (content_type, len) = record_header(&self.header.bytes);
            self.last_version = u16::from_be_bytes([self.header.bytes[1], self.header.bytes[2]]);
            self.header.clear();
            self.body_left = u16::try_from(len).unwrap_or(u16::MAX);
            return if len == 0 {
                Step::End(Some((content_type, 0)))
            } else {
                Step::Header(content_type, len)
            };
        }
        self.body_left = self
            .body_left
            .saturating_sub(u16::try_from(bytes.len()).unwrap_or(u16::MAX));
        if self.body_left == 0 {
            Step::End(None)
        } else {
            Step::Partial
        }
    }

    /// Whether the next bytes belong to a record's body.
    pub fn in_body(&self) -> bool {
        self.body_left != 0
    }

    /// Whether the stream stands at a record boundary.
    pub fn at_boundary(&self) -> bool {
        self.header.is_empty() && self.body_left == 0
    }

    /// The version field of the last complete record header.
    pub fn last_version(&self) -> u16 {
        self.last_version
    }
}

/// The complete records at the start of `buf`: (header, body).
pub(crate) fn records(mut buf: &[u8]) -> impl Iterator<Item = (&[u8; HEADER_LEN], &[u8])> {
    std::iter::from_fn(move || {
        let header: &[u8; HEADER_LEN] = buf.get(..HEADER_LEN)?.try_into().ok()?;
        let (_, len) = record_header(header);
        let body = buf.get(HEADER_LEN..HEADER_LEN + len)?;
        buf = &buf[HEADER_LEN + len..];
        Some((header, body))
    })
}

/// The first handshake message of a handshake byte stream, if complete: (message
/// type, body, the bytes after it).
pub(crate) fn handshake_message(stream: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let head = stream.get(..4)?;
    let len = (usize::from(head[1]) << 16) | (usize::from(head[2]) << 8) | usize::from(head[3]);
    let body = stream.get(4..4 + len)?;
    Some((head[0], body, &stream[4 + len..]))
}

/// Calls `visit` with each handshake message carried by the leading handshake records
/// of `buf` (the cleartext first flight), as (message type, body), up to the first
/// incomplete one or until `visit` returns false. Bodies are borrowed, not copied.
pub(crate) fn handshake_messages(buf: &[u8], mut visit: impl FnMut(u8, &[u8]) -> bool) {
    let mut stream = Vec::new();
    for (_, body) in records(buf).take_while(|(header, _)| header[0] == 22) {
        stream.extend_from_slice(body);
    }
    let mut rest = stream.as_slice();
    while let Some((msg_type, body, next)) = handshake_message(rest) {
        if !visit(msg_type, body) {
            break;
        }
        rest = next;
    }
}

/// What the next bytes of the incoming buffer are.
#[derive(Debug, Default)]
pub(crate) struct RecordFeeder {
    /// Where the incoming bytes stand inside their record.
    framer: Framer,
    /// Whether any byte was passed on yet.
    pub started: bool,
    /// Content type and body length of the current record.
    content_type: u8,
    record_len: u16,
    /// Body of the current record when it is a 2-byte alert (level, description).
    alert: Partial<2>,
    /// The last alert record sent in the clear (a 2-byte body cannot be encrypted):
    /// `[level, description]`. rustls does not report an alert's level.
    pub last_plain_alert: Option<[u8; 2]>,
    /// A copy of the peer's first flight (bounded), while it is being kept: the
    /// server reads the exact SNI from the ClientHello, a client the TLS 1.2 session
    /// facts from the server's flight. `None` once no longer needed.
    pub hello: Option<Vec<u8>>,
}

/// Up to `N` bytes gathered in place (a record header or a plaintext alert body).
#[derive(Debug)]
struct Partial<const N: usize> {
    bytes: [u8; N],
    /// At most `N` (5 or 2).
    len: u8,
}

impl<const N: usize> Default for Partial<N> {
    fn default() -> Self {
        Partial {
            bytes: [0; N],
            len: 0,
        }
    }
}

impl<const N: usize> Partial<N> {
    fn len(&self) -> usize {
        usize::from(self.len)
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    /// Appends `more` (the caller never gives more than fits).
    fn extend_from_slice(&mut self, more: &[u8]) {
        let at = self.len();
        self.bytes[at..at + more.len()].copy_from_slice(more);
        self.len = u8::try_from(at + more.len()).unwrap_or(u8::MAX);
    }
}

impl<const N: usize> std::ops::Index<usize> for Partial<N> {
    type Output = u8;
    fn index(&self, i: usize) -> &u8 {
        &self.bytes[..self.len()][i]
    }
}

/// The most of a ClientHello kept for parsing (a larger one is not parsed).
const HELLO_LIMIT: usize = 64 * 1024;

/// Where a [`RecordReader`] takes its bytes from: a locked BIO's queue, or (for a
/// driver that does without the incoming BIO) a stream.
pub(crate) trait RecordSource {
    /// Moves up to `out.len()` bytes into `out`: 0 when it has none now.
    fn pull(&mut self, out: &mut [u8]) -> usize;
    /// Whether it has nothing to give now.
    fn dry(&self) -> bool;
}

impl RecordSource for VecDeque<u8> {
    fn pull(&mut self, out: &mut [u8]) -> usize {
        let k = copy_front(self, out);
        self.drain(..k);
        k
    }

    fn dry(&self) -> bool {
        self.is_empty()
    }
}

/// Why a [`StreamSource`] stopped giving bytes.
#[cfg(feature = "tokio")]
#[derive(Debug)]
pub(crate) enum SourceStop {
    /// The stream reported EOF.
    Eof,
    /// The stream failed (`WouldBlock`: no bytes yet).
    Error(std::io::Error),
}

/// A stream as a [`RecordSource`]. Its EOF or error is never passed to rustls (it
/// would take a read of 0 bytes for the peer's EOF): it stops the source and is kept
/// for the caller.
#[cfg(feature = "tokio")]
pub(crate) struct StreamSource<'a> {
    stream: &'a mut dyn std::io::Read,
    /// Why the stream stopped giving bytes, if it did.
    pub stopped: Option<SourceStop>,
}

#[cfg(feature = "tokio")]
impl<'a> StreamSource<'a> {
    /// A source over `stream`.
    pub fn new(stream: &'a mut dyn std::io::Read) -> Self {
        StreamSource {
            stream,
            stopped: None,
        }
    }
}

#[cfg(feature = "tokio")]
impl RecordSource for StreamSource<'_> {
    fn pull(&mut self, out: &mut [u8]) -> usize {
        while self.stopped.is_none() {
            match self.stream.read(out) {
                Ok(0) => self.stopped = Some(SourceStop::Eof),
                Ok(got) => return got.min(out.len()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => self.stopped = Some(SourceStop::Error(e)),
            }
        }
        0
    }

    fn dry(&self) -> bool {
        self.stopped.is_some()
    }
}

/// How many bytes of the next record a [`RecordReader`] with look-ahead may hand on:
/// its header.
pub(crate) const LOOKAHEAD: usize = HEADER_LEN;

/// Hands rustls (`read_tls`) the rest of the current record straight from a source (no
/// intermediate copy): header and body together when they are there, and never a byte
/// past the record's end (but for the look-ahead, the next record's header), so one
/// record is processed at a time and the bytes after a close_notify stay in the source.
pub(crate) struct RecordReader<'a, Q: RecordSource> {
    feeder: &'a mut RecordFeeder,
    source: &'a mut Q,
    /// A record was completed: further reads return 0.
    done: bool,
    /// The next record's header may follow a completed one ([`LOOKAHEAD`] bytes).
    lookahead: bool,
    /// The bytes handed on past the completed record.
    past: Partial<LOOKAHEAD>,
    /// Bytes handed on.
    pub moved: usize,
}

impl<'a, Q: RecordSource> RecordReader<'a, Q> {
    /// A reader for the record that `feeder` stands in, over `source`.
    pub fn new(feeder: &'a mut RecordFeeder, source: &'a mut Q) -> Self {
        RecordReader {
            feeder,
            source,
            done: false,
            lookahead: false,
            past: Partial::default(),
            moved: 0,
        }
    }

    /// Lets the reader hand on, with the end of a record, the next record's header
    /// when the same read from the source brings it (the one read asks for both).
    /// rustls's buffer then does not run empty after each record, which spares it
    /// shrinking to 4 KiB and growing again, zero-filled, 4 KiB per read; and with the
    /// header known, the next read can ask for the whole next record (one read per
    /// record from a stream). Only an empty record (legal in TLS 1.2) could be
    /// complete in a header, and it carries nothing. Those bytes are kept
    /// ([`past`](Self::past)): after a close_notify they are the peer's next bytes,
    /// which rustls drops.
    #[cfg(any(test, feature = "tokio"))]
    pub fn with_lookahead(mut self) -> Self {
        self.lookahead = true;
        self
    }

    /// The bytes handed on past the completed record (the look-ahead).
    #[cfg(any(test, feature = "tokio"))]
    pub fn past(&self) -> &[u8] {
        &self.past.bytes[..self.past.len()]
    }

    /// Whether the reader has nothing more to give. rustls takes a read of 0 bytes for
    /// the peer's EOF, so `read_tls` is only called while this is false.
    pub fn exhausted(&self) -> bool {
        self.done || self.source.dry()
    }

    /// Drops what is left of the current record in the source (after rustls refused it).
    pub fn discard_rest(&mut self) {
        let mut sink = [0u8; 512];
        while std::io::Read::read(self, &mut sink).is_ok_and(|n| n > 0) {}
    }
}

impl<Q: RecordSource> std::io::Read for RecordReader<'_, Q> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.exhausted() {
            return Ok(0);
        }
        let mut n = 0;
        while n < buf.len() && !self.exhausted() {
            // Once the record's length is known, one read asks for the rest of it and
            // the look-ahead.
            let mut want = self.feeder.wanted();
            if self.lookahead && self.feeder.in_body() {
                want += LOOKAHEAD;
            }
            let end = n + want.min(buf.len() - n);
            let got = self.source.pull(&mut buf[n..end]);
            if got == 0 {
                break;
            }
            let mut at = n;
            while at < n + got && !self.done {
                let k = self.feeder.wanted().min(n + got - at);
                self.done = self.feeder.account(&buf[at..at + k]);
                at += k;
            }
            if at < n + got {
                // The look-ahead: at most a header (which only an empty record fills).
                self.feeder.account(&buf[at..n + got]);
                self.past.extend_from_slice(&buf[at..n + got]);
            }
            n += got;
        }
        self.moved += n;
        if n == 0 && !buf.is_empty() {
            // The source had no byte after all: not an EOF for rustls.
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }
}

/// The kind of garbage OpenSSL names when the first bytes are not a TLS record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotTls {
    /// `GET `, `POST `, `HEAD `, `PUT `: `HTTP_REQUEST`.
    HttpRequest,
    /// `CONNECT`: `HTTPS_PROXY_REQUEST`.
    HttpsProxyRequest,
    /// Anything else: `WRONG_VERSION_NUMBER`.
    WrongVersion,
}

impl RecordFeeder {
    /// A feeder that keeps a copy of the peer's first records when `keep` (a server
    /// reads the client's exact server name from them).
    pub fn keeping_hello(keep: bool) -> Self {
        RecordFeeder {
            hello: keep.then(Vec::new),
            ..RecordFeeder::default()
        }
    }

    /// Takes from `bio` the bytes that belong to the current record (never more), up to
    /// the end of the record, into `out` (cleared first). Leaves `out` empty when no byte
    /// is buffered.
    #[cfg(test)]
    pub fn next_chunk(&mut self, bio: &MemoryBio, out: &mut Vec<u8>) {
        out.clear();
        bio.with_queue(|queue| {
            let mut rd = RecordReader::new(self, queue);
            std::io::Read::read_to_end(&mut rd, out).expect("reading a queue");
        });
    }

    /// How many bytes the current record still wants.
    fn wanted(&self) -> usize {
        self.framer.wanted()
    }

    /// Accounts for `bytes` (at most [`Self::wanted`]) passed on to rustls; true when
    /// they complete a record.
    #[inline(always)]
    fn account(&mut self, bytes: &[u8]) -> bool {
        self.started |= !bytes.is_empty();
        if let Some(hello) = self
            .hello
            .as_mut()
            .filter(|h| h.len() + bytes.len() <= HELLO_LIMIT)
        {
            hello.extend_from_slice(bytes);
        }
        let in_body = self.framer.in_body();
        match self.framer.advance(bytes) {
            Step::Partial => {
                if in_body {
                    self.note_alert_bytes(bytes);
                }
                false
            }
            Step::Header(content_type, len) => {
                self.content_type = content_type;
                self.record_len = u16::try_from(len).unwrap_or(u16::MAX);
                self.alert.clear();
                false
            }
            Step::End(Some(_)) => true,
            Step::End(None) => {
                self.note_alert_bytes(bytes);
                if self.content_type == 21 && self.record_len == 2 && self.alert.len() == 2 {
                    self.last_plain_alert = Some([self.alert[0], self.alert[1]]);
                }
                true
            }
        }
    }

    /// Keeps the body of a 2-byte alert record (`[level, description]`).
    fn note_alert_bytes(&mut self, bytes: &[u8]) {
        if self.content_type == 21 && self.alert.len() + bytes.len() <= 2 {
            self.alert.extend_from_slice(bytes);
        }
    }

    /// Whether the current record's header is in (its body is wanted).
    fn in_body(&self) -> bool {
        self.framer.in_body()
    }

    /// Whether we stand at a record boundary (no partial record passed on).
    pub fn at_boundary(&self) -> bool {
        self.framer.at_boundary()
    }

    /// The content type and version of the record passed on last.
    pub fn last_record(&self) -> (u8, u16) {
        (self.content_type, self.framer.last_version())
    }
}

/// Classifies the first bytes a peer sent, when they cannot start a TLS record.
/// `None` when they could (or too few bytes to tell).
pub(crate) fn classify_first_bytes(first: &[u8]) -> Option<NotTls> {
    let &content_type = first.first()?;
    // OpenSSL checks for HTTP on a server before looking at the version.
    for (prefix, kind) in [
        (&b"GET "[..], NotTls::HttpRequest),
        (b"POST ", NotTls::HttpRequest),
        (b"HEAD ", NotTls::HttpRequest),
        (b"PUT ", NotTls::HttpRequest),
        (b"CONNE", NotTls::HttpsProxyRequest),
    ] {
        if first.len() >= prefix.len() && first.starts_with(prefix) {
            return Some(kind);
        }
    }
    let tls_type = matches!(content_type, 20..=23);
    if !tls_type {
        return Some(NotTls::WrongVersion);
    }
    if first.len() >= 2 && first[1] != 3 {
        return Some(NotTls::WrongVersion);
    }
    None
}

/// Reads the ServerHello session id and a NewSessionTicket's lifetime hint from the
/// server's records up to its ChangeCipherSpec (all in the clear in TLS 1.2).
pub(crate) fn tls12_facts(records: &[u8]) -> crate::session::Tls12Facts {
    let mut facts = crate::session::Tls12Facts::default();
    handshake_messages(records, |kind, body| {
        match kind {
            2 => {
                if let Some(&sid_len) = body.get(34) {
                    if let Some(sid) = body.get(35..35 + usize::from(sid_len)) {
                        facts.session_id = sid.to_vec();
                    }
                }
            }
            4 => {
                if let Some(h) = body.get(..4) {
                    facts.ticket_lifetime_hint = Some(u32::from_be_bytes([h[0], h[1], h[2], h[3]]));
                }
            }
            _ => {}
        }
        true
    });
    facts
}

/// The error for a peer whose first bytes are not TLS.
pub(crate) fn not_tls(kind: NotTls) -> crate::Error {
    crate::tls_error::ssl(match kind {
        NotTls::HttpRequest => crate::error::Reason::HttpRequest,
        NotTls::HttpsProxyRequest => crate::error::Reason::HttpsProxyRequest,
        NotTls::WrongVersion => crate::error::Reason::WrongVersionNumber,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(f: &mut RecordFeeder, bio: &MemoryBio) -> Vec<u8> {
        let mut out = Vec::new();
        f.next_chunk(bio, &mut out);
        out
    }

    #[test]
    fn never_takes_bytes_past_a_record() {
        let bio = MemoryBio::new();
        // Two records: an alert (2-byte body) then plaintext after it.
        bio.write(&[21, 3, 3, 0, 2, 1, 0]).unwrap();
        bio.write(b"plain").unwrap();
        let mut f = RecordFeeder::default();
        // Header and body in one chunk, and not a byte more.
        assert_eq!(chunk(&mut f, &bio), vec![21, 3, 3, 0, 2, 1, 0]);
        assert!(f.at_boundary());
        assert_eq!(f.last_plain_alert, Some([1, 0]));
        assert!(f.started);
        assert_eq!(bio.pending(), 5);
    }

    #[test]
    fn partial_headers_and_bodies() {
        let bio = MemoryBio::new();
        let mut f = RecordFeeder::default();
        bio.write(&[23, 3]).unwrap();
        assert_eq!(chunk(&mut f, &bio), vec![23, 3]);
        assert!(chunk(&mut f, &bio).is_empty());
        bio.write(&[3, 0, 3, 9]).unwrap();
        // The rest of the header and what there is of the body.
        assert_eq!(chunk(&mut f, &bio), vec![3, 0, 3, 9]);
        assert!(chunk(&mut f, &bio).is_empty());
        assert!(!f.at_boundary());
        bio.write(&[9, 9, 7]).unwrap();
        assert_eq!(chunk(&mut f, &bio), vec![9, 9]);
        assert!(f.at_boundary());
        assert_eq!(bio.pending(), 1);
    }

    /// Reads `rd` the way `read_tls` is driven (while not exhausted).
    fn drain<Q: RecordSource>(rd: &mut RecordReader<'_, Q>) -> Vec<u8> {
        let mut out = Vec::new();
        while !rd.exhausted() {
            let mut buf = [0u8; 3];
            let n = std::io::Read::read(rd, &mut buf).unwrap();
            out.extend_from_slice(&buf[..n]);
        }
        out
    }

    #[test]
    fn reader_stops_at_the_record_end_or_just_past_it_with_lookahead() {
        let bytes = [21, 3, 3, 0, 2, 1, 0, 23, 3, 3, 0, 1, b'x', b'y'];
        let mut f = RecordFeeder::default();
        let mut queue = VecDeque::from(bytes);
        let mut rd = RecordReader::new(&mut f, &mut queue);
        assert_eq!(drain(&mut rd), bytes[..7]);
        assert_eq!(rd.moved, 7);
        assert!(rd.past().is_empty());
        assert!(f.at_boundary());
        assert_eq!(f.last_plain_alert, Some([1, 0]));
        // Not a byte past the record.
        assert_eq!(queue, &bytes[7..]);

        // With the look-ahead: the next record's header comes with the end of the
        // record, in the same pull, and is kept.
        let mut f = RecordFeeder::default();
        let mut queue = VecDeque::from(bytes);
        let mut rd = RecordReader::new(&mut f, &mut queue).with_lookahead();
        let mut buf = [0u8; 64];
        // The header alone first (the record's length is not known yet).
        assert_eq!(std::io::Read::read(&mut rd, &mut buf[..5]).unwrap(), 5);
        assert!(rd.past().is_empty());
        assert_eq!(std::io::Read::read(&mut rd, &mut buf).unwrap(), 7);
        assert_eq!(rd.past(), &bytes[7..12]);
        assert!(rd.exhausted());
        assert!(!f.at_boundary());
        let mut rd = RecordReader::new(&mut f, &mut queue).with_lookahead();
        assert_eq!(drain(&mut rd), bytes[12..]);
        assert_eq!(rd.past(), b"y");
        assert!(!f.at_boundary());

        // An empty record is complete in its header: it may come as the look-ahead.
        let bytes = [23, 3, 3, 0, 1, b'x', 23, 3, 3, 0, 0, 21];
        let mut f = RecordFeeder::default();
        let mut queue = VecDeque::from(bytes);
        let mut rd = RecordReader::new(&mut f, &mut queue).with_lookahead();
        assert_eq!(std::io::Read::read(&mut rd, &mut buf[..5]).unwrap(), 5);
        assert_eq!(std::io::Read::read(&mut rd, &mut buf).unwrap(), 6);
        assert_eq!(rd.past(), &bytes[6..11]);
        assert!(f.at_boundary());
        assert_eq!(queue, [21]);
    }

    /// A stream that gives at most 3 bytes per read and says `WouldBlock` when empty.
    #[cfg(feature = "tokio")]
    struct Trickle(VecDeque<u8>, bool);

    #[cfg(feature = "tokio")]
    impl std::io::Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return if self.1 {
                    Ok(0)
                } else {
                    Err(std::io::ErrorKind::WouldBlock.into())
                };
            }
            let n = buf.len().min(3).min(self.0.len());
            for (slot, byte) in buf.iter_mut().zip(self.0.drain(..n)) {
                *slot = byte;
            }
            Ok(n)
        }
    }

    #[test]
    #[cfg(feature = "tokio")]
    fn stream_source_keeps_the_stream_outcome() {
        // A partial record, then no bytes yet (not an EOF for rustls), then EOF.
        let mut f = RecordFeeder::default();
        let mut stream = Trickle([23, 3, 3, 0, 9, 1].into(), false);
        let mut source = StreamSource::new(&mut stream);
        let mut rd = RecordReader::new(&mut f, &mut source);
        let mut got = Vec::new();
        while !rd.exhausted() {
            let mut buf = [0u8; 4];
            match std::io::Read::read(&mut rd, &mut buf) {
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock),
            }
        }
        assert_eq!(got, [23, 3, 3, 0, 9, 1]);
        assert!(rd.exhausted());
        assert!(
            matches!(&source.stopped, Some(SourceStop::Error(e)) if e.kind() == std::io::ErrorKind::WouldBlock)
        );
        stream.1 = true;
        let mut source = StreamSource::new(&mut stream);
        let mut rd = RecordReader::new(&mut f, &mut source);
        assert!(std::io::Read::read(&mut rd, &mut [0u8; 4]).is_err());
        assert_eq!(rd.moved, 0);
        assert!(matches!(source.stopped, Some(SourceStop::Eof)));
    }

    #[test]
    fn classifies_non_tls_like_openssl() {
        assert_eq!(
            classify_first_bytes(b"GET / HTTP/1.1"),
            Some(NotTls::HttpRequest)
        );
        assert_eq!(
            classify_first_bytes(b"CONNECT x:443"),
            Some(NotTls::HttpsProxyRequest)
        );
        assert_eq!(classify_first_bytes(b"hello"), Some(NotTls::WrongVersion));
        assert_eq!(classify_first_bytes(&[22, 3, 1, 0, 5]), None);
        assert_eq!(
            classify_first_bytes(&[22, 9, 1]),
            Some(NotTls::WrongVersion)
        );
    }

    #[test]
    fn tls12_facts_from_cleartext() {
        // ServerHello with a 3-byte session id, then NewSessionTicket (hint 300), CCS.
        let mut sh = vec![3, 3];
        sh.extend_from_slice(&[7u8; 32]);
        sh.extend_from_slice(&[3, 9, 8, 7, 0xc0, 0x2f, 0]);
        let mut hs = vec![2, 0, 0, sh.len() as u8];
        hs.extend_from_slice(&sh);
        hs.extend_from_slice(&[4, 0, 0, 6, 0, 0, 1, 44, 0, 0]);
        let mut records = vec![22, 3, 3, 0, hs.len() as u8];
        records.extend_from_slice(&hs);
        records.extend_from_slice(&[20, 3, 3, 0, 1, 1]);
        let f = tls12_facts(&records);
        assert_eq!(f.session_id, vec![9, 8, 7]);
        assert_eq!(f.ticket_lifetime_hint, Some(300));
        for n in 0..records.len() {
            let _ = tls12_facts(&records[..n]);
        }
    }
}
