//! `ssl.SSLObject`: the sans-IO TLS connection over two [`MemoryBio`]s. All protocol
//! work happens here; [`crate::SslSocket`] only moves bytes between these buffers and a
//! stream.

use std::io::{self, Read, Write};

use rustls::server::{Accepted, Acceptor};
use std::sync::{Arc, Mutex};

use rustls::{CipherSuite, ClientConnection, HandshakeKind, ServerConnection};

use super::bio::MemoryBio;
use super::channel_binding::{Recorder, Tee};
use super::errors;
use super::first_records::{self, FirstRecords, Refusal, Step};
use super::record::{classify_first_bytes, RecordFeeder, RecordReader};
#[cfg(feature = "tokio")]
use super::record::{SourceStop, StreamSource, LOOKAHEAD};
use crate::context::sni::{self, SniHandle};
use crate::context::SslContext;
use crate::enums::AlertDescription;
use crate::error::Reason;
use crate::error::{Error, Result};
use crate::options::Options;
use crate::session::{SessionState, SslSession};
use crate::VerifyMode;

/// Keyword arguments of `SSLContext.wrap_bio()` / `wrap_socket()`.
#[derive(Debug, Clone)]
pub struct WrapOptions {
    /// `server_side`.
    pub server_side: bool,
    /// `server_hostname` (as given; IDNA-encoded when the object is made).
    pub server_hostname: Option<String>,
    /// `do_handshake_on_connect` (sockets only).
    pub do_handshake_on_connect: bool,
    /// `suppress_ragged_eofs` (sockets only).
    pub suppress_ragged_eofs: bool,
    /// `session`: a client session to resume (from the same context and server).
    pub session: Option<crate::session::SslSession>,
}

impl Default for WrapOptions {
    fn default() -> Self {
        WrapOptions {
            server_side: false,
            server_hostname: None,
            do_handshake_on_connect: true,
            suppress_ragged_eofs: true,
            session: None,
        }
    }
}

impl WrapOptions {
    /// Client side, connecting to `hostname` (SNI and hostname check).
    pub fn client(hostname: impl Into<String>) -> Self {
        WrapOptions {
            server_hostname: Some(hostname.into()),
            ..Default::default()
        }
    }

    /// Client side without a server name (no SNI, no hostname check).
    pub fn client_without_hostname() -> Self {
        WrapOptions::default()
    }

    /// The same options, offering `session` for resumption.
    pub fn with_session(mut self, session: crate::session::SslSession) -> Self {
        self.session = Some(session);
        self
    }

    /// Server side.
    pub fn server() -> Self {
        WrapOptions {
            server_side: true,
            ..Default::default()
        }
    }
}

enum Tls {
    /// Server side before the ClientHello is complete.
    Accepting(Box<Acceptor>),
    /// Handshaking or established.
    Conn(Conn),
    /// The configuration could not be built; raised by the first handshake step.
    Unavailable(Option<Box<Error>>),
}

/// A rustls connection of either side, each boxed at its own size (rustls's
/// `Connection` enum is as large as its larger, server, side: a client would carry
/// 112 unused bytes).
enum Conn {
    Client(Box<ClientConnection>),
    Server(Box<ServerConnection>),
}

/// `$e` on the connection `$c` of either side.
macro_rules! either {
    ($conn:expr, $c:ident => $e:expr) => {
        match $conn {
            Conn::Client($c) => $e,
            Conn::Server($c) => $e,
        }
    };
}

impl Conn {
    fn is_handshaking(&self) -> bool {
        either!(self, c => c.is_handshaking())
    }

    fn wants_write(&self) -> bool {
        either!(self, c => c.wants_write())
    }

    fn write_tls(&mut self, w: &mut dyn io::Write) -> io::Result<usize> {
        either!(self, c => c.write_tls(w))
    }

    fn read_tls(&mut self, r: &mut dyn io::Read) -> io::Result<usize> {
        either!(self, c => c.read_tls(r))
    }

    fn process_new_packets(&mut self) -> std::result::Result<rustls::IoState, rustls::Error> {
        either!(self, c => c.process_new_packets())
    }

    fn reader(&mut self) -> rustls::Reader<'_> {
        either!(self, c => c.reader())
    }

    fn writer(&mut self) -> rustls::Writer<'_> {
        either!(self, c => c.writer())
    }

    fn send_close_notify(&mut self) {
        either!(self, c => c.send_close_notify())
    }

    fn protocol_version(&self) -> Option<rustls::ProtocolVersion> {
        either!(self, c => c.protocol_version())
    }

    fn negotiated_cipher_suite(&self) -> Option<rustls::SupportedCipherSuite> {
        either!(self, c => c.negotiated_cipher_suite())
    }

    fn alpn_protocol(&self) -> Option<&[u8]> {
        either!(self, c => c.alpn_protocol())
    }

    fn handshake_kind(&self) -> Option<HandshakeKind> {
        either!(self, c => c.handshake_kind())
    }

    fn peer_certificates(&self) -> Option<&[rustls_pki_types::CertificateDer<'static>]> {
        either!(self, c => c.peer_certificates())
    }

    fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> std::result::Result<(), rustls::Error> {
        either!(self, c => c.export_keying_material(&mut *out, label, context).map(|_| ()))
    }
}

/// Which cipher suites a client offered, among those rustls implements (a bit per
/// `rustls::crypto::ring::ALL_CIPHER_SUITES` entry), and whether any TLS 1.3 suite was
/// among them: all `shared_ciphers()` and OpenSSL's key-share rule need of the offer.
#[derive(Debug, Clone, Copy, Default)]
struct OfferedSuites {
    mask: u16,
    tls13: bool,
}

impl OfferedSuites {
    fn index(suite: CipherSuite) -> Option<usize> {
        rustls::crypto::ring::ALL_CIPHER_SUITES
            .iter()
            .position(|s| s.suite() == suite)
            .filter(|&i| i < 16)
    }

    fn from_hello(suites: &[CipherSuite]) -> Self {
        let mut offered = OfferedSuites::default();
        for &s in suites {
            if (0x1301..=0x1305).contains(&u16::from(s)) {
                offered.tls13 = true;
            }
            if let Some(i) = Self::index(s) {
                offered.mask |= 1 << i;
            }
        }
        offered
    }

    fn contains(&self, suite: CipherSuite) -> bool {
        Self::index(suite).is_some_and(|i| self.mask & (1 << i) != 0)
    }
}

/// Writes into a [`MemoryBio`].
struct BioWriter<'a>(&'a MemoryBio);

impl Write for BioWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[io::IoSlice::new(buf)])
    }
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.0
            .write_slices(bufs)
            .map_err(|e| io::Error::new(io::ErrorKind::BrokenPipe, e.to_string()))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The handshake is running (`SSL_in_init`).
    Handshaking,
    /// The handshake finished; application data flows.
    Established,
    /// A fatal error ended the connection.
    Failed(Failure),
}

/// How a connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Failure {
    /// Before the handshake completed.
    in_handshake: bool,
    /// By an alert from the peer: OpenSSL then reports later calls as a closed
    /// connection (`SSLZeroReturnError` / `b""`), not as an EOF.
    by_peer_alert: bool,
}

/// The close_notify alerts that crossed: ours (`unwrap()`) and the peer's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Shutdown {
    sent: bool,
    received: bool,
}

/// Python's `ssl.SSLObject`, made by [`SslContext::wrap_bio`].
#[doc(alias = "SSLObject")]
pub struct SslObject {
    context: SslContext,
    incoming: MemoryBio,
    outgoing: MemoryBio,
    server_side: bool,
    tls: Tls,
    feeder: RecordFeeder,
    /// Where the connection is: handshaking, established, or failed.
    phase: Phase,
    /// Which close_notify alerts have crossed (either may come in any phase).
    shutdown: Shutdown,
    /// Whether the peer's first bytes were checked for being TLS at all.
    first_bytes_checked: bool,
    /// A server's judgement of the client's first records.
    first_records: FirstRecords,
    /// An EOF error was already raised once (later ones lose library/reason).
    eof_reported: bool,
    /// The cipher suites the client offered (server side), for `shared_ciphers()`.
    offered: OfferedSuites,
    /// This connection's client session (filled as the session arrives).
    /// (Clients only: a server connection has no client session.)
    session_sink: Option<Arc<Mutex<SessionState>>>,
    /// The session offered for resumption.
    offered_session: Option<SslSession>,
    /// The processed `server_hostname` (a client's target, rebuilt for `set_session`);
    /// boxed, as most server connections have none.
    target: Option<Box<crate::verify::ServerNameSpec>>,
    /// The chain the verifier accepted (leaf first, trust anchor last).
    verified_chain: Option<Box<[rustls_pki_types::CertificateDer<'static>]>>,
    /// The handshake records and secrets `tls-unique` is recovered from.
    binding: Recorder,
    /// Once established, rustls keeps its output until the driver takes it
    /// ([`SslObject::write_pending_tls`]) instead of it going to the outgoing BIO.
    defer_output: bool,
}

impl std::fmt::Debug for SslObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SslObject")
            .field("server_side", &self.server_side)
            .field("server_hostname", &self.server_hostname())
            .field("phase", &self.phase)
            .field("shutdown", &self.shutdown)
            .finish_non_exhaustive()
    }
}

/// What the context enables, for the first-records checks.
fn ours(context: &SslContext) -> first_records::Ours {
    first_records::Ours {
        versions: context.server_versions(),
        tls12_suites: context.server_tls12_suites(),
    }
}

impl SslContext {
    /// `SSLContext.wrap_bio(incoming, outgoing, server_side, server_hostname, session)`.
    pub fn wrap_bio(
        &self,
        incoming: &MemoryBio,
        outgoing: &MemoryBio,
        options: WrapOptions,
    ) -> Result<SslObject> {
        SslObject::new(self, incoming.clone(), outgoing.clone(), options)
    }
}

impl SslObject {
    pub(crate) fn new(
        context: &SslContext,
        incoming: MemoryBio,
        outgoing: MemoryBio,
        options: WrapOptions,
    ) -> Result<Self> {
        let protocol = context.protocol();
        if options.server_side && protocol == crate::Protocol::TlsClient {
            return Err(Error::SslError(crate::SslErrorInfo::with_errno(
                0,
                "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context",
            )));
        }
        if !options.server_side && protocol == crate::Protocol::TlsServer {
            return Err(Error::SslError(crate::SslErrorInfo::with_errno(
                0,
                "Cannot create a client socket with a PROTOCOL_TLS_SERVER context",
            )));
        }
        if let Some(session) = &options.session {
            if !session.belongs_to(&context.inner.session_owner) {
                return Err(Error::value("Session refers to a different SSLContext."));
            }
            if options.server_side {
                return Err(Error::value(
                    "Cannot set session for server-side SSLSocket.",
                ));
            }
        }
        let session_sink = (!options.server_side).then(|| {
            Arc::new(Mutex::new(SessionState {
                owner: Arc::downgrade(&context.inner.session_owner),
                ..SessionState::default()
            }))
        });
        // CPython encodes (and reports) `server_hostname` on either side.
        let target = match options.server_hostname.as_deref() {
            Some(name) => Some(Box::new(crate::verify::encode_hostname(name)?)),
            None => None,
        };
        let mut binding = Recorder::new(options.server_side);
        let tls = if options.server_side {
            Tls::Accepting(Box::default())
        } else {
            Self::client_tls(
                context,
                target.as_deref(),
                session_sink.as_ref().expect("client side"),
                options.session.as_ref(),
                &mut binding,
            )
        };
        Ok(SslObject {
            context: context.clone(),
            incoming,
            outgoing,
            server_side: options.server_side,
            tls,
            // The server keeps the ClientHello (exact SNI); a client keeps the server's
            // cleartext first flight (TLS 1.2 session facts).
            feeder: RecordFeeder::keeping_hello(true),
            phase: Phase::Handshaking,
            shutdown: Shutdown::default(),
            first_bytes_checked: false,
            first_records: FirstRecords::default(),
            eof_reported: false,
            offered: OfferedSuites::default(),
            session_sink,
            offered_session: options.session,
            target,
            verified_chain: None,
            binding,
            defer_output: false,
        })
    }

    /// A client connection whose ClientHello offers `offered` (if any).
    fn client_tls(
        context: &SslContext,
        target: Option<&crate::verify::ServerNameSpec>,
        sink: &Arc<Mutex<SessionState>>,
        offered: Option<&SslSession>,
        binding: &mut Recorder,
    ) -> Tls {
        let made = context.client_connection(
            target,
            sink.clone(),
            offered.map(|s| s.state.clone()),
            |next| binding.key_log(next),
        );
        match made {
            Ok(conn) => Tls::Conn(Conn::Client(Box::new(conn))),
            Err(e) => Tls::Unavailable(Some(Box::new(e))),
        }
    }

    /// `SSLObject.session`: this client connection's session, `None` before the
    /// handshake (and on the server side). TLS 1.3 tickets arrive after the
    /// handshake, with the first data read.
    pub fn session(&self) -> Option<SslSession> {
        if self.server_side || !self.handshake_done() {
            return None;
        }
        Some(SslSession {
            state: self.session_sink.clone()?,
        })
    }

    /// `SSLObject.session = session`: before the handshake, on a client, with a
    /// session of the same context.
    pub fn set_session(&mut self, session: SslSession) -> Result<()> {
        if !session.belongs_to(&self.context.inner.session_owner) {
            return Err(Error::value("Session refers to a different SSLContext."));
        }
        if self.server_side {
            return Err(Error::value(
                "Cannot set session for server-side SSLSocket.",
            ));
        }
        if self.handshake_done() || self.feeder.started || self.is_failed() {
            return Err(Error::value("Cannot set session after handshake."));
        }
        self.tls = Self::client_tls(
            &self.context,
            self.target.as_deref(),
            self.session_sink.as_ref().expect("client side"),
            Some(&session),
            &mut self.binding,
        );
        self.offered_session = Some(session);
        Ok(())
    }

    /// `SSLObject.context`.
    pub fn context(&self) -> &SslContext {
        &self.context
    }

    /// `SSLObject.server_side`.
    pub fn server_side(&self) -> bool {
        self.server_side
    }

    /// `SSLObject.server_hostname`: the IDNA A-label form of the name given.
    pub fn server_hostname(&self) -> Option<&str> {
        self.target.as_ref().map(|t| t.hostname.as_str())
    }

    fn conn(&self) -> Option<&Conn> {
        match &self.tls {
            Tls::Conn(c) => Some(c),
            _ => None,
        }
    }

    /// Moves every pending TLS byte to the outgoing buffer (unless the driver takes
    /// them from rustls itself: [`SslObject::defer_output`]).
    fn flush(&mut self) {
        if self.output_deferred() {
            return;
        }
        if let Tls::Conn(conn) = &mut self.tls {
            let mut out = Tee::new(BioWriter(&self.outgoing), &mut self.binding);
            while conn.wants_write() {
                match conn.write_tls(&mut out) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        }
    }

    /// Marks the connection failed, sends whatever alert rustls queued, and returns `err`.
    fn fail(&mut self, err: Error) -> Error {
        self.fail_with(err, false)
    }

    /// [`fail`](Self::fail), saying whether the failure is an alert from the peer.
    fn fail_with(&mut self, err: Error, by_peer_alert: bool) -> Error {
        self.enter_failed(by_peer_alert);
        self.flush();
        err
    }

    fn enter_failed(&mut self, by_peer_alert: bool) {
        if !self.is_failed() {
            self.phase = Phase::Failed(Failure {
                in_handshake: !self.handshake_done(),
                by_peer_alert,
            });
        }
    }

    /// The handshake completed (the connection may have failed since).
    fn handshake_done(&self) -> bool {
        matches!(
            self.phase,
            Phase::Established
                | Phase::Failed(Failure {
                    in_handshake: false,
                    ..
                })
        )
    }

    fn is_failed(&self) -> bool {
        matches!(self.phase, Phase::Failed(_))
    }

    /// The failure was an alert from the peer (`None`: no failure).
    fn failed_by_peer_alert(&self) -> Option<bool> {
        match self.phase {
            Phase::Failed(f) => Some(f.by_peer_alert),
            _ => None,
        }
    }

    fn incoming_at_eof(&self) -> bool {
        self.incoming.eof()
    }

    /// Feeds the next part of one TLS record to rustls. `Ok(false)` when no byte is
    /// waiting (or too few to judge the peer's first record).
    fn feed(&mut self) -> Result<bool> {
        if let Some(progress) = self.judge_first_records()? {
            return Ok(progress);
        }
        if !self.first_bytes_checked {
            let mut head = [0u8; 5];
            let n = self.incoming.peek(&mut head);
            if n < head.len() {
                // OpenSSL judges the first record only once its whole header is in;
                // fewer bytes and EOF is an unexpected EOF, not garbage.
                if self.incoming.eof_written() {
                    self.incoming.read(None);
                }
                return Ok(false);
            }
            if let Some(kind) = classify_first_bytes(&head[..n]) {
                return Err(self.fail(super::record::not_tls(kind)));
            }
            self.first_bytes_checked = true;
        }
        if self.feeder.at_boundary() && self.plaintext_close_notify_in_handshake() {
            return Ok(true);
        }
        let (feeder, tls, binding) = (&mut self.feeder, &mut self.tls, &mut self.binding);
        let (moved, read_error) = self.incoming.with_queue(|queue| {
            let mut rd = RecordReader::new(feeder, queue);
            let mut read_error = None;
            match tls {
                Tls::Accepting(acceptor) => {
                    while !rd.exhausted() {
                        let read = acceptor.read_tls(&mut Tee::new(&mut rd, binding));
                        match read {
                            Ok(0) => break,
                            Ok(_) => {}
                            Err(_) => {
                                // Refused (buffer full): the rest of the record goes too.
                                rd.discard_rest();
                                break;
                            }
                        }
                    }
                }
                Tls::Conn(conn) => {
                    while !rd.exhausted() {
                        let read = conn.read_tls(&mut Tee::new(&mut rd, binding));
                        match read {
                            Ok(0) => break,
                            Ok(_) => {}
                            Err(e) => {
                                read_error = Some(e);
                                break;
                            }
                        }
                    }
                }
                Tls::Unavailable(_) => {}
            }
            (rd.moved, read_error)
        });
        if let Some(e) = read_error {
            return Err(self.input_refused(&e));
        }
        if moved == 0 {
            return Ok(false);
        }
        match &mut self.tls {
            Tls::Accepting(acceptor) => match acceptor.accept() {
                Ok(None) => Ok(true),
                Ok(Some(accepted)) => {
                    self.accept(accepted)?;
                    Ok(true)
                }
                Err((rustls::Error::AlertReceived(_), _)) => {
                    // OpenSSL's server treats any alert before the ClientHello as
                    // an unexpected message, and says so with alert 10.
                    self.outgoing
                        .write(&crate::conn::fatal_alert_record(
                            AlertDescription::UnexpectedMessage,
                        ))
                        .ok();
                    Err(self.fail(errors::ssl(Reason::UnexpectedMessage)))
                }
                Err((err, mut alert)) => {
                    if let Some(refusal) = self.hello_refusal(&err) {
                        return Err(self.refuse(refusal));
                    }
                    let _ = alert.write_all(&mut BioWriter(&self.outgoing));
                    Err(self.fail(errors::from_rustls(&err, true)))
                }
            },
            Tls::Conn(_) => {
                self.process()?;
                Ok(true)
            }
            Tls::Unavailable(_) => Ok(false),
        }
    }

    /// A server's records before its ClientHello is complete, judged as OpenSSL's
    /// record layer judges them ([`super::first_records`]): `Some(progress)` when
    /// decided here, `None` when the record goes to rustls.
    fn judge_first_records(&mut self) -> Result<Option<bool>> {
        if !matches!(self.tls, Tls::Accepting(_)) || !self.feeder.at_boundary() {
            return Ok(None);
        }
        let pending = self.incoming.pending();
        if pending == 0 {
            return Ok(None);
        }
        // The record's header says how much of it to look at (never more than it).
        let mut head = [0u8; super::record::HEADER_LEN];
        let n = self.incoming.peek(&mut head);
        let want = first_records::record_span(&head[..n]).min(pending);
        let mut buffered = vec![0u8; want];
        self.incoming.peek(&mut buffered);
        let context = &self.context;
        match self.first_records.step(&buffered, || ours(context)) {
            Step::Feed => Ok(None),
            // EOF before a record is complete: the usual EOF path reports it.
            Step::Wait if self.incoming.eof_written() => Ok(None),
            Step::Wait => Ok(Some(false)),
            Step::Skip(n) => {
                self.incoming.read(Some(n));
                Ok(Some(true))
            }
            Step::Refuse(refusal) => Err(self.refuse(refusal)),
        }
    }

    /// Where rustls could not take the ClientHello (`parse_error`), what OpenSSL's
    /// processing says first: a hello it cannot decode, versions that meet none of
    /// ours, an extension it cannot parse, then no TLS 1.2 suite.
    fn hello_refusal(&self, parse_error: &rustls::Error) -> Option<Refusal> {
        let raw = self.feeder.hello.as_deref().unwrap_or_default();
        // What OpenSSL's field-by-field reading finds.
        if let Some((reason, alert)) = super::hello::decode_refusal(raw) {
            return Some(Refusal {
                alert: Some((0x0303, alert)),
                reason,
            });
        }
        let facts = super::hello::hello_facts(raw)?;
        let versions = self.context.server_versions();
        if let Some(refusal) = first_records::version_refusal(&facts, &versions) {
            return Some(refusal);
        }
        if matches!(parse_error, rustls::Error::InvalidMessage(_)) {
            // An extension's own contents were wrong (OpenSSL parses them after the
            // version is chosen, and its parsers call that BAD_EXTENSION).
            return Some(Refusal {
                alert: Some((0x0303, AlertDescription::DecodeError)),
                reason: Reason::BadExtension,
            });
        }
        self.tls12_refusal(&facts, &versions)
    }

    /// A TLS 1.3 ClientHello whose signature algorithms none of our keys can sign
    /// with: OpenSSL refuses it before its ServerHello (`NO_SUITABLE_SIGNATURE_ALGORITHM`,
    /// handshake_failure), where rustls would find out only at CertificateVerify.
    /// `versions`: what our context enables.
    fn tls13_sigalg_refusal(
        &self,
        facts: &super::hello::HelloFacts,
        versions: &[u16],
    ) -> Option<Refusal> {
        let tls13 = facts.offers_tls13() && versions.contains(&0x0304);
        let offered = facts.sigalgs.as_deref()?;
        (tls13 && self.context.no_tls13_signer_for(offered)).then_some(Refusal {
            alert: Some((0x0303, AlertDescription::HandshakeFailure)),
            reason: Reason::NoSuitableSignatureAlgorithm,
        })
    }

    /// A TLS 1.2 ClientHello (the client or our context lacks TLS 1.3) that no suite
    /// with a loaded certificate can serve: OpenSSL's `NO_SHARED_CIPHER`, chosen before
    /// signature algorithms are looked at. `versions`: what our context enables.
    fn tls12_refusal(&self, facts: &super::hello::HelloFacts, versions: &[u16]) -> Option<Refusal> {
        let tls12 = !facts.offers_tls13() || !versions.contains(&0x0304);
        (tls12
            && !self
                .context
                .can_serve_tls12(&facts.suites, facts.groups.as_deref()))
        .then_some(Refusal {
            alert: Some((0x0303, AlertDescription::HandshakeFailure)),
            reason: Reason::NoSharedCipher,
        })
    }

    /// A record rustls refused for its header, named as OpenSSL's record layer names
    /// it: it looks at the version before the type (`WRONG_VERSION_NUMBER`), and calls
    /// an unknown type `BAD_RECORD_TYPE` once TLS 1.3 records are encrypted,
    /// `UNEXPECTED_RECORD` before.
    fn bad_record(&self, err: &rustls::Error) -> Option<Reason> {
        use rustls::InvalidMessage as M;
        if !matches!(
            err,
            rustls::Error::InvalidMessage(M::InvalidContentType | M::UnknownProtocolVersion)
        ) {
            return None;
        }
        let (_, version) = self.feeder.last_record();
        if version >> 8 != 3 {
            return Some(Reason::WrongVersionNumber);
        }
        let tls13 = matches!(&self.tls, Tls::Conn(c) if c.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3));
        Some(if tls13 {
            Reason::BadRecordType
        } else {
            Reason::UnexpectedRecord
        })
    }

    /// Fails the handshake as OpenSSL does for `refusal`: its alert, then its reason.
    fn refuse(&mut self, refusal: Refusal) -> Error {
        if let Some((version, alert)) = refusal.alert {
            self.outgoing
                .write(&super::fatal_alert_record_as(version, alert))
                .ok();
        }
        self.fail(errors::ssl(refusal.reason))
    }

    /// A plaintext warning close_notify (a 2-byte alert record: encrypted alerts are
    /// longer) while the handshake runs. rustls ignores it; OpenSSL ends the
    /// connection cleanly, so it is taken here and the peer counts as closed.
    fn plaintext_close_notify_in_handshake(&mut self) -> bool {
        let handshaking = matches!(&self.tls, Tls::Conn(c) if c.is_handshaking());
        let mut rec = [0u8; 7];
        if !handshaking || self.incoming.peek(&mut rec) < rec.len() {
            return false;
        }
        let header = [rec[0], rec[1], rec[2], rec[3], rec[4]];
        if super::record::record_header(&header) == (21, 2) && rec[1] == 3 && rec[5..] == [1, 0] {
            self.incoming.read(Some(rec.len()));
            self.shutdown.received = true;
            return true;
        }
        false
    }

    /// rustls refused input (`read_tls` failed: its buffer is full): the connection
    /// fails with rustls's reason as OpenSSL's common `SSL` error.
    fn input_refused(&mut self, e: &io::Error) -> Error {
        let err = Error::SslError(crate::SslErrorInfo::openssl_common(
            1,
            "SSL",
            &e.to_string(),
        ));
        self.fail(err)
    }

    /// Runs rustls on what it has read; maps failures to CPython's errors.
    fn process(&mut self) -> Result<()> {
        let Tls::Conn(conn) = &mut self.tls else {
            return Ok(());
        };
        let server_side = self.server_side;
        let closing = self.shutdown.sent;
        let mut run = || {
            if closing {
                process_after_close_notify(conn)
            } else {
                conn.process_new_packets()
            }
        };
        let (result, noted) = if self.phase == Phase::Established {
            // rustls verifies the peer during the handshake only (it never renegotiates
            // nor authenticates after it): there is nothing to capture.
            (run(), Default::default())
        } else {
            crate::verify::capture(run)
        };
        let failure = noted.failure;
        if let Some(chain) = noted.verified {
            self.verified_chain = Some(chain.into_boxed_slice());
        }
        match result {
            Ok(state) => {
                if state.peer_has_closed() {
                    self.shutdown.received = true;
                }
                Ok(())
            }
            Err(err) => {
                let by_peer_alert = matches!(err, rustls::Error::AlertReceived(_));
                if server_side
                    && matches!(err, rustls::Error::NoCertificatesPresented)
                    && conn.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_2)
                {
                    // OpenSSL's TLS 1.2 server answers a missing client certificate
                    // with handshake_failure (rustls: certificate_required, a TLS 1.3
                    // alert). Still before ChangeCipherSpec, so the alert is plaintext.
                    while conn.wants_write() {
                        if conn.write_tls(&mut io::sink()).is_err() {
                            break;
                        }
                    }
                    self.outgoing
                        .write(&crate::conn::fatal_alert_record(
                            AlertDescription::HandshakeFailure,
                        ))
                        .ok();
                    self.enter_failed(by_peer_alert);
                    return Err(errors::ssl(Reason::PeerDidNotReturnACertificate));
                }
                let fatal_close_notify = matches!(
                    err,
                    rustls::Error::AlertReceived(rustls::AlertDescription::CloseNotify)
                ) && self.feeder.last_plain_alert == Some([2, 0]);
                let mapped = match failure {
                    Some(f) => f.to_error(),
                    // A *fatal* close_notify is no clean close: OpenSSL reports alert 0.
                    None if fatal_close_notify => errors::alert_received(0),
                    None => match self.bad_record(&err) {
                        Some(reason) => errors::ssl(reason),
                        None => self.tls12_key_share(errors::from_rustls(&err, server_side)),
                    },
                };
                Err(self.fail_with(mapped, by_peer_alert))
            }
        }
    }

    /// The server side's ClientHello step: pick the configuration (ALPN the OpenSSL
    /// way) and turn the acceptor into a connection.
    fn accept(&mut self, accepted: Accepted) -> Result<()> {
        // The hello as the client sent it (rustls lower-cases the server name).
        let facts = self
            .feeder
            .hello
            .take()
            .as_deref()
            .and_then(super::hello::hello_facts);
        if let Some(facts) = &facts {
            let versions = self.context.server_versions();
            if let Some(refusal) = first_records::version_refusal(facts, &versions) {
                return Err(self.refuse(refusal));
            }
        }
        let hello = accepted.client_hello();
        self.offered = OfferedSuites::from_hello(hello.cipher_suites());
        let offered: Option<Vec<Vec<u8>>> = hello.alpn().map(|it| it.map(<[u8]>::to_vec).collect());
        let sni = hello.server_name().map(|lower| {
            facts
                .as_ref()
                .and_then(|f| f.server_name.clone())
                .unwrap_or_else(|| lower.to_owned())
        });
        self.run_sni_callback(sni.as_deref())?;
        // After the SNI callback, which may have swapped the context.
        let versions = self.context.server_versions();
        let refusal = facts.as_ref().and_then(|f| {
            self.tls12_refusal(f, &versions)
                .or_else(|| self.tls13_sigalg_refusal(f, &versions))
        });
        if let Some(refusal) = refusal {
            return Err(self.refuse(refusal));
        }
        let config = match self.context.server_config_for(offered.as_deref()) {
            Ok(c) => c,
            Err(e) => {
                self.outgoing
                    .write(&crate::conn::fatal_alert_record(
                        AlertDescription::HandshakeFailure,
                    ))
                    .ok();
                return Err(self.fail(e));
            }
        };
        let config = self.binding.server_config(&config);
        match accepted.into_connection(config) {
            Ok(conn) => {
                self.tls = Tls::Conn(Conn::Server(Box::new(conn)));
                self.context.count_accept();
                self.process()?;
                self.flush();
                Ok(())
            }
            Err((err, mut alert)) => {
                let _ = alert.write_all(&mut BioWriter(&self.outgoing));
                let mapped = self.tls12_key_share(errors::from_rustls(&err, true));
                Err(self.fail(mapped))
            }
        }
    }

    /// The context's `sni_callback`, if any, at the ClientHello (it may swap
    /// `self.context`); a refusal sends its alert and fails with `CALLBACK_FAILED`.
    fn run_sni_callback(&mut self, server_name: Option<&str>) -> Result<()> {
        let registered_on = self.context.clone();
        let Some(cb) = registered_on.sni_callback() else {
            return Ok(());
        };
        let mut handle = SniHandle::new(self.context.clone(), server_name);
        let outcome = sni::run(&cb, &mut handle, &registered_on);
        self.context = handle.into_context();
        match outcome {
            Ok(()) => Ok(()),
            Err(sni::Refusal::Alert(alert)) => {
                if let Some(alert) = alert {
                    self.outgoing.write(&super::fatal_alert_record(alert)).ok();
                }
                Err(self.fail(errors::ssl(Reason::CallbackFailed)))
            }
        }
    }

    /// `SSLObject.context = ctx`. From an `sni_callback` (through its [`SniHandle`])
    /// the whole of `ctx` applies to the connection; after the ClientHello it changes
    /// nothing but the attribute.
    pub fn set_context(&mut self, ctx: &SslContext) {
        self.context = ctx.clone();
    }

    /// A TLS 1.2 ClientHello without a common group leaves OpenSSL's server without a
    /// usable (ECDHE) suite: `NO_SHARED_CIPHER`, not TLS 1.3's `NO_SUITABLE_KEY_SHARE`.
    fn tls12_key_share(&self, err: Error) -> Error {
        if err.reason_code() == Some(Reason::NoSuitableKeyShare) && !self.offered.tls13 {
            return errors::ssl(Reason::NoSharedCipher);
        }
        err
    }

    fn check_usable(&mut self) -> Result<()> {
        if let Tls::Unavailable(err) = &mut self.tls {
            let first = err.take().map(|e| *e);
            if first
                .as_ref()
                .is_some_and(|e| e.reason_code() == Some(Reason::NoProtocolsAvailable))
                && !self.server_side
            {
                // OpenSSL's client still sends a protocol_version alert.
                self.outgoing
                    .write(&crate::conn::fatal_alert_record(
                        AlertDescription::ProtocolVersion,
                    ))
                    .ok();
            }
            self.enter_failed(false);
            return Err(first.unwrap_or_else(errors::syscall_error));
        }
        Ok(())
    }

    /// What read/write/do_handshake raise once the connection has failed: after a
    /// received alert the connection counts as closed; after a local failure or an
    /// unexpected EOF OpenSSL reports a bare EOF (`do_handshake`: a syscall error).
    fn after_failure(&self, op: AfterFailure) -> Error {
        match (self.failed_by_peer_alert() == Some(true), op) {
            (true, _) => errors::zero_return(),
            (false, AfterFailure::Handshake) => errors::syscall_error(),
            (false, AfterFailure::Io) => errors::unexpected_eof(false),
        }
    }

    /// `SSLObject.do_handshake()`. `SSLWantReadError` when more input is needed.
    pub fn do_handshake(&mut self) -> Result<()> {
        self.check_usable()?;
        if self.is_failed() {
            return Err(self.after_failure(AfterFailure::Handshake));
        }
        if self.handshake_done() {
            return Ok(());
        }
        if !self.server_side && !self.feeder.started && self.outgoing_unsent() {
            self.context.count_connect();
        }
        loop {
            self.flush();
            let finished = match &self.tls {
                Tls::Conn(conn) if !conn.is_handshaking() => {
                    Some(conn.handshake_kind() == Some(HandshakeKind::Resumed))
                }
                _ => None,
            };
            if let Some(resumed) = finished {
                self.phase = Phase::Established;
                self.binding.complete(resumed);
                self.flush();
                self.context.count_handshake_done(self.server_side, resumed);
                if !self.server_side {
                    self.client_session_done(resumed);
                }
                return Ok(());
            }
            let closed_before = self.shutdown.received;
            if !self.feed()? {
                if self.incoming_at_eof() {
                    self.eof_reported = true;
                    return Err(self.fail(errors::unexpected_eof(true)));
                }
                return Err(errors::want_read());
            }
            if self.shutdown.received && !closed_before {
                // A close_notify in the middle of the handshake: OpenSSL reports a
                // clean close once (a later call just waits for input).
                return Err(errors::zero_return());
            }
        }
    }

    /// Fills in this client's session from what crossed the wire (TLS 1.2) and
    /// counts a session offered but not resumed as a miss.
    fn client_session_done(&mut self, resumed: bool) {
        let tls12 = matches!(
            self.conn().and_then(|c| c.protocol_version()),
            Some(rustls::ProtocolVersion::TLSv1_2)
        );
        let records = self.feeder.hello.take().unwrap_or_default();
        let Some(sink) = &self.session_sink else {
            return;
        };
        let mut sink = sink.lock().unwrap_or_else(|p| p.into_inner());
        if tls12 {
            sink.apply_tls12(super::record::tls12_facts(&records));
            if resumed {
                if let Some(offered) = &self.offered_session {
                    // A resumed TLS 1.2 session is the offered one (same id).
                    sink.id = crate::session::SessionId::from_slice(&offered.id());
                }
            }
        }
        drop(sink);
        if self.offered_session.is_some() && !resumed {
            self.context.count_session_miss();
        }
    }

    /// True until the first handshake flight has been produced.
    fn outgoing_unsent(&self) -> bool {
        matches!(&self.tls, Tls::Conn(c) if c.wants_write())
    }

    /// `SSLObject.read(len)`: up to `len` bytes of application data; `b""` after the
    /// peer's close_notify.
    pub fn read(&mut self, len: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        let n = self.read_into(&mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// `SSLObject.read(len, buffer)`: reads into `buf`, returns the count.
    pub fn read_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.check_usable()?;
        // After a failure only a peer's alert after the handshake reads as a close.
        if matches!(self.phase, Phase::Failed(f) if f.in_handshake || !f.by_peer_alert) {
            return match self.after_failure(AfterFailure::Io) {
                Error::SslZeroReturnError(_) => Ok(0),
                other => Err(other),
            };
        }
        if !self.handshake_done() {
            self.do_handshake()?;
        }
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let outcome = match &mut self.tls {
                Tls::Conn(conn) => conn.reader().read(buf),
                _ => return Err(errors::syscall_error()),
            };
            match outcome {
                Ok(0) if self.shutdown.sent => {
                    // Both close_notifys are through: the connection is closed.
                    return Err(errors::zero_return());
                }
                Ok(n) => {
                    self.flush();
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if self.is_failed() {
                        return Ok(0);
                    }
                    if !self.feed()? {
                        self.flush();
                        if self.incoming_at_eof() {
                            return self.ragged_eof();
                        }
                        return Err(errors::want_read());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return self.ragged_eof(),
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    /// The transport ended without close_notify.
    fn ragged_eof(&mut self) -> Result<usize> {
        if self
            .context
            .options()
            .contains(Options::OP_IGNORE_UNEXPECTED_EOF)
        {
            return Ok(0);
        }
        let first = !self.eof_reported;
        self.eof_reported = true;
        self.enter_failed(false);
        Err(errors::unexpected_eof(first))
    }

    /// `SSLObject.write(data)`: encrypts all of `data` into the outgoing buffer.
    pub fn write(&mut self, data: &[u8]) -> Result<usize> {
        self.check_usable()?;
        if self.is_failed() {
            return Err(self.after_failure(AfterFailure::Io));
        }
        if !self.handshake_done() {
            self.do_handshake()?;
        }
        if self.shutdown.sent {
            return Err(errors::ssl(Reason::ProtocolIsShutdown));
        }
        let mut offset = 0;
        while offset < data.len() {
            let n = match &mut self.tls {
                Tls::Conn(conn) => conn.writer().write(&data[offset..]).map_err(Error::Io)?,
                _ => return Err(errors::syscall_error()),
            };
            self.flush();
            if n == 0 && self.output_deferred() && self.conn().is_some_and(Conn::wants_write) {
                // rustls's buffer limit: its deferred output goes to the BIO after all.
                self.flush_to_bio();
                continue;
            }
            if n == 0 {
                return Err(errors::want_write());
            }
            offset += n;
        }
        Ok(data.len())
    }

    /// `SSLObject.pending()`: decrypted bytes ready to be read without more input.
    pub fn pending(&mut self) -> usize {
        if self.is_failed() {
            return 0;
        }
        match &mut self.tls {
            // Everything read was processed already (`feed` processes after every
            // read), so this only asks rustls for its state: no new input reaches
            // rustls here, and a connection rustls failed is marked failed above.
            Tls::Conn(conn) => match conn.process_new_packets() {
                Ok(state) => state.plaintext_bytes_to_read(),
                Err(_) => {
                    debug_assert!(false, "rustls failed with no new input");
                    0
                }
            },
            _ => 0,
        }
    }

    /// `SSLObject.unwrap()`: sends close_notify and waits for the peer's. Bytes after
    /// the peer's close_notify stay in the incoming buffer.
    pub fn unwrap(&mut self) -> Result<()> {
        if !self.handshake_done() || (self.is_failed() && !self.shutdown.sent) {
            return Err(errors::ssl(Reason::ShutdownWhileInInit));
        }
        if !self.shutdown.sent {
            if let Tls::Conn(conn) = &mut self.tls {
                conn.send_close_notify();
            }
            self.shutdown.sent = true;
            self.flush();
        }
        loop {
            if self.shutdown.received {
                return Ok(());
            }
            if self.is_failed() {
                return Err(errors::syscall_error());
            }
            if !self.feed()? {
                if self.incoming_at_eof() {
                    self.ragged_eof()?;
                    return Ok(());
                }
                return Err(errors::want_read());
            }
        }
    }

    /// `SSLObject.version()`: `"TLSv1.3"` / `"TLSv1.2"`, `None` before the handshake.
    pub fn version(&self) -> Option<&'static str> {
        if !self.handshake_done() {
            return None;
        }
        match self.conn()?.protocol_version()? {
            rustls::ProtocolVersion::TLSv1_3 => Some("TLSv1.3"),
            rustls::ProtocolVersion::TLSv1_2 => Some("TLSv1.2"),
            _ => None,
        }
    }

    /// `SSLObject.cipher()`: `(name, protocol, secret_bits)` of the negotiated suite.
    pub fn cipher(&self) -> Option<(String, &'static str, u16)> {
        let suite = self.conn()?.negotiated_cipher_suite()?;
        Some(crate::ciphers::cipher_tuple(suite))
    }

    /// `SSLObject.shared_ciphers()`: on the server after the handshake, the suites the
    /// client offered that this side enables, in the server's preference order.
    pub fn shared_ciphers(&self) -> Option<Vec<(String, &'static str, u16)>> {
        if !self.server_side || !self.handshake_done() {
            return None;
        }
        let Some(Conn::Server(_)) = self.conn() else {
            return None;
        };
        let enabled = self.context.server_cipher_suites().ok()?;
        Some(
            enabled
                .into_iter()
                .filter(|s| self.offered.contains(s.suite()))
                .map(crate::ciphers::cipher_tuple)
                .collect(),
        )
    }

    /// `SSLObject.selected_alpn_protocol()`.
    pub fn selected_alpn_protocol(&self) -> Option<String> {
        let proto = self.conn()?.alpn_protocol()?;
        Some(String::from_utf8_lossy(proto).into_owned())
    }

    /// `SSLObject.selected_npn_protocol()`: always `None` (no NPN in rustls or 3.11).
    pub fn selected_npn_protocol(&self) -> Option<String> {
        None
    }

    /// `SSLObject.compression()`: always `None` (TLS compression does not exist here).
    pub fn compression(&self) -> Option<String> {
        None
    }

    /// `SSLObject.session_reused`.
    pub fn session_reused(&self) -> bool {
        self.handshake_done()
            && self.conn().and_then(|c| c.handshake_kind()) == Some(HandshakeKind::Resumed)
    }

    /// The peer's chain as the verifier built and accepted it (leaf first, ending with
    /// the trust anchor from the context's store), as OpenSSL's
    /// `SSL_get0_verified_chain` behind CPython's `_sslobj.get_verified_chain()`.
    /// `None` when no chain was verified: before the handshake, under `CERT_NONE`, when
    /// the peer sent no certificate, and on a resumed session (OpenSSL keeps no
    /// verified chain across resumption either).
    pub fn verified_chain_der(&self) -> Option<Vec<Vec<u8>>> {
        let chain = self.verified_chain.as_ref()?;
        Some(chain.iter().map(|c| c.as_ref().to_vec()).collect())
    }

    /// The peer's certificate chain as sent (leaf first), after the handshake.
    pub fn peer_chain_der(&self) -> Option<Vec<Vec<u8>>> {
        let certs = self.conn()?.peer_certificates()?;
        Some(certs.iter().map(|c| c.as_ref().to_vec()).collect())
    }

    /// `SSLObject.getpeercert(binary_form=True)`: the peer's DER certificate, `None`
    /// when it sent none. `ValueError('handshake not done yet')` before the handshake.
    pub fn getpeercert_der(&self) -> Result<Option<Vec<u8>>> {
        if !self.handshake_done() {
            return Err(Error::value("handshake not done yet"));
        }
        Ok(self
            .conn()
            .and_then(|c| c.peer_certificates())
            .and_then(|certs| certs.first())
            .map(|c| c.as_ref().to_vec()))
    }

    /// `SSLObject.getpeercert()`: the decoded certificate dict; an empty dict
    /// ([`PeerCertificate::NotVerified`]) while the context's `verify_mode` is
    /// `CERT_NONE`, as CPython gives.
    pub fn getpeercert(&self) -> Result<Option<PeerCertificate>> {
        let Some(der) = self.getpeercert_der()? else {
            return Ok(None);
        };
        if self.context.verify_mode() == VerifyMode::CertNone {
            return Ok(Some(PeerCertificate::NotVerified));
        }
        Ok(Some(PeerCertificate::Decoded(Box::new(
            crate::x509::decode_der(&der)?,
        ))))
    }

    /// `SSLObject.get_channel_binding(cb_type)`: `tls-unique` (RFC 5929), as OpenSSL
    /// gives it to CPython: the verify_data of the handshake's first Finished message
    /// (the client's on a full handshake, the server's on a resumed one; 12 bytes in
    /// TLS 1.2, the suite's hash length in TLS 1.3), recovered from the handshake's
    /// records and secrets. Also `tls-exporter` (RFC 9266), which CPython lacks.
    /// `None` before the handshake.
    pub fn get_channel_binding(&self, cb_type: &str) -> Result<Option<Vec<u8>>> {
        match cb_type {
            "tls-exporter" => {
                if !self.handshake_done() {
                    return Ok(None);
                }
                let Some(conn) = self.conn() else {
                    return Ok(None);
                };
                let mut out = [0u8; 32];
                conn.export_keying_material(&mut out[..], b"EXPORTER-Channel-Binding", None)
                    .map_err(|e| errors::from_rustls(&e, self.server_side))?;
                Ok(Some(out.to_vec()))
            }
            "tls-unique" => {
                if !self.handshake_done() {
                    return Ok(None);
                }
                let Some(conn) = self.conn() else {
                    return Ok(None);
                };
                let (Some(version), Some(suite)) =
                    (conn.protocol_version(), conn.negotiated_cipher_suite())
                else {
                    return Ok(None);
                };
                Ok(self.binding.tls_unique(version, suite.suite()))
            }
            other => Err(Error::value(format!(
                "{} channel binding type not implemented",
                crate::error::py_repr_str(other)
            ))),
        }
    }

    /// `SSLObject.verify_client_post_handshake()`: rustls implements no post-handshake
    /// authentication; fails as OpenSSL does for a peer without the extension.
    /// The checks run in OpenSSL's order, with its reason codes as `errno`: not TLS 1.3
    /// (or before the handshake) → `WRONG_SSL_VERSION`, client → `NOT_SERVER`, else
    /// `EXTENSION_NOT_RECEIVED` (rustls clients never offer post-handshake auth).
    pub fn verify_client_post_handshake(&self) -> Result<()> {
        let reason = if self.version() != Some("TLSv1.3") {
            (Reason::WrongSslVersion, 266)
        } else if !self.server_side {
            (Reason::NotServer, 284)
        } else {
            (Reason::ExtensionNotReceived, 279)
        };
        Err(Error::SslError(crate::SslErrorInfo::openssl(
            reason.1, "SSL", reason.0,
        )))
    }
}

/// The driver's direct paths ([`super::SslStream`]): once the handshake is done, TLS
/// bytes may go between rustls and the driver's stream without the two BIOs (one copy
/// less each way), with the same record discipline and the same order of bytes.
impl SslObject {
    #[cfg(feature = "tokio")]
    /// From now on, once established (`defer_output` is a no-op before), rustls keeps
    /// what it produces until [`write_pending_tls`](Self::write_pending_tls) takes it,
    /// instead of it being copied into the outgoing BIO. The driver must send the BIO's
    /// bytes first: they are older. Whatever would make the object write to the BIO
    /// itself (a failure and its alert) moves rustls's bytes there first, in order.
    pub(crate) fn defer_output(&mut self) {
        if self.phase == Phase::Established {
            self.defer_output = true;
        }
    }

    /// rustls keeps its output for the driver (see [`defer_output`](Self::defer_output)).
    fn output_deferred(&self) -> bool {
        self.defer_output && self.phase == Phase::Established
    }

    /// Moves rustls's output to the outgoing BIO even while it is deferred.
    fn flush_to_bio(&mut self) {
        let deferred = std::mem::replace(&mut self.defer_output, false);
        self.flush();
        self.defer_output = deferred;
    }

    /// Writes TLS bytes rustls holds (deferred output) to `w` with one `write_tls`:
    /// `Ok(None)` when it holds none. Only once the outgoing BIO is empty (its bytes
    /// come first).
    #[inline]
    #[cfg(feature = "tokio")]
    pub(crate) fn write_pending_tls(&mut self, w: &mut dyn Write) -> io::Result<Option<usize>> {
        if !self.defer_output {
            // Not deferred: rustls's output goes to the BIO (`flush`).
            return Ok(None);
        }
        match &mut self.tls {
            Tls::Conn(conn) if conn.wants_write() => conn.write_tls(w).map(Some),
            _ => Ok(None),
        }
    }

    #[cfg(feature = "tokio")]
    /// Whether the next input may come straight from the driver's stream
    /// ([`feed_from`](Self::feed_from)): established, the peer's close_notify not yet
    /// in, and nothing (not even EOF) waiting in the incoming BIO.
    pub(crate) fn takes_direct_input(&self) -> bool {
        self.phase == Phase::Established
            && !self.shutdown.received
            && matches!(self.tls, Tls::Conn(_))
            && self.incoming.is_idle()
    }

    #[cfg(feature = "tokio")]
    /// What `feed` does with the BIO's bytes, with bytes read from `stream` instead
    /// (only while [`takes_direct_input`](Self::takes_direct_input)): at most the rest
    /// of one record goes to rustls, with the first bytes of the next
    /// ([`RecordReader::with_lookahead`]), then rustls processes it. Should that record
    /// be the peer's close_notify, those bytes go to the incoming BIO, where the bytes
    /// after a close_notify stay. `Ok(progress, stop)`: whether bytes went in, and why
    /// `stream` stopped giving bytes, if it did (its EOF is the caller's to record in
    /// the incoming BIO; a `WouldBlock` error: no bytes yet).
    pub(crate) fn feed_from(
        &mut self,
        stream: &mut dyn Read,
    ) -> Result<(bool, Option<SourceStop>)> {
        let Tls::Conn(conn) = &mut self.tls else {
            return Ok((false, None));
        };
        let mut source = StreamSource::new(stream);
        let mut rd = RecordReader::new(&mut self.feeder, &mut source).with_lookahead();
        let mut read_error = None;
        while !rd.exhausted() {
            match conn.read_tls(&mut rd) {
                Ok(0) => break,
                Ok(_) => {}
                // The stream's own stop is in `source.stopped`.
                Err(_) if rd.exhausted() => break,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
        }
        let (moved, mut past) = (rd.moved, [0u8; LOOKAHEAD]);
        let past_len = rd.past().len();
        past[..past_len].copy_from_slice(rd.past());
        let stopped = source.stopped;
        if let Some(e) = read_error {
            return Err(self.input_refused(&e));
        }
        if moved > 0 {
            self.process()?;
            if self.shutdown.received && past_len > 0 {
                // rustls drops what follows a close_notify; the BIO was empty.
                self.incoming.write(&past[..past_len])?;
            }
        }
        Ok((moved > 0, stopped))
    }
}

/// Which operation asks, for [`SslObject::after_failure`].
#[derive(Clone, Copy)]
enum AfterFailure {
    Handshake,
    Io,
}

/// What `getpeercert()` returns when the peer sent a certificate.
#[derive(Debug, Clone, PartialEq)]
pub enum PeerCertificate {
    /// The certificate dict.
    Decoded(Box<crate::x509::CertificateInfo>),
    /// `{}`: the context does not verify (`CERT_NONE`), so CPython shows nothing.
    NotVerified,
}

/// `process_new_packets` once our close_notify is out. rustls counts close_notify as
/// its one permitted alert, and a record that then fails to decrypt or parse makes it
/// queue a second, fatal one: a `debug_assert!` in rustls (rustls/rustls#959), so a
/// panic in debug builds on what any peer can send. Release builds return the error;
/// debug builds get the same error here instead of the panic. OpenSSL likewise sends
/// nothing after its close_notify and fails `SSL_shutdown` with the record error.
fn process_after_close_notify(
    conn: &mut Conn,
) -> std::result::Result<rustls::IoState, rustls::Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| conn.process_new_packets()))
        .unwrap_or(Err(rustls::Error::DecryptError))
}
