//! The `tls-unique` channel binding (RFC 5929) as OpenSSL gives it to CPython: the
//! verify_data of the handshake's *first* Finished message — the client's on a full
//! handshake, the server's on a resumed one, on both sides.
//!
//! rustls does not expose Finished messages, so the connection recovers the one it
//! needs from what crossed the wire and from its own secrets:
//!
//! * [`Recorder`] sees every TLS byte both ways while the handshake runs (the
//!   connection hands it what rustls read and wrote) and keeps, per direction, only
//!   the records a Finished can be in: those after that side's ChangeCipherSpec (TLS
//!   1.2) and the encrypted ones (TLS 1.3), plus the start of the first handshake
//!   message (the ServerHello's random). Bounded; nothing is looked at after the
//!   handshake, and no application data is kept.
//! * [`SecretTap`], the connection's own `rustls::KeyLog`, keeps the secrets rustls
//!   logs (TLS 1.2 `CLIENT_RANDOM`: the master secret; TLS 1.3 the two handshake
//!   traffic secrets) and passes every line on to the context's logger
//!   (`keylog_filename`). Being per connection, it needs no lookup by client random.
//!   Once the handshake is over it also holds what is left of the recording (the
//!   records of the side that sent the first Finished), so the connection object
//!   itself grows by two pointers only.
//! * On request, the Finished record is decrypted with that side's key: TLS 1.2 keys
//!   from the key block (PRF of the master secret), TLS 1.3 keys from the handshake
//!   traffic secret (HKDF-Expand-Label). The AEAD tag proves the record and the key
//!   belong together, so what comes out is the Finished that was sent, never a guess.

use std::sync::{Arc, Mutex};

use ring::{aead, hkdf, hmac};
use rustls::{CipherSuite, KeyLog, ProtocolVersion};

use super::record::{handshake_message, records, Framer, Step, HEADER_LEN};
use zeroize::Zeroizing;

/// The most bytes of records kept per direction (a Finished follows at most a
/// certificate flight in TLS 1.3; a larger flight is given up on).
const FLOW_LIMIT: usize = 32 * 1024;

/// Bytes of a ServerHello kept: message type (1), length (3), version (2), random (32).
const HELLO_PREFIX: usize = 38;

/// Record content types.
const CHANGE_CIPHER_SPEC: u8 = 20;
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;

/// The Finished handshake message type.
const FINISHED: u8 = 20;

/// The records one side sent during the handshake, as far as a Finished can be in them.
struct Flow {
    /// Where this side's bytes stand inside their record.
    framer: Framer,
    /// What happens to the current record's body.
    mode: Mode,
    /// This side sent its ChangeCipherSpec.
    ccs_seen: bool,
    /// The first bytes of this side's cleartext handshake stream (in place: no
    /// allocation).
    hello: [u8; HELLO_PREFIX],
    hello_len: u8,
    /// Records kept whole (header and body): handshake records after
    /// ChangeCipherSpec, and encrypted records.
    kept: Vec<u8>,
    /// A record could not be kept ([`FLOW_LIMIT`]): the kept ones are incomplete.
    overflow: bool,
}

impl Default for Flow {
    fn default() -> Self {
        Flow {
            framer: Framer::default(),
            mode: Mode::Skip,
            ccs_seen: false,
            hello: [0; HELLO_PREFIX],
            hello_len: 0,
            kept: Vec::new(),
            overflow: false,
        }
    }
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Mode {
    #[default]
    Skip,
    Hello,
    Keep,
}

impl Flow {
    /// Accounts for the next bytes this side sent.
    fn take(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let n = self.framer.wanted().min(bytes.len());
            let (chunk, rest) = bytes.split_at(n);
            bytes = rest;
            if self.framer.in_body() {
                self.take_body(chunk);
            }
            match self.framer.advance(chunk) {
                Step::Header(content_type, len) | Step::End(Some((content_type, len))) => {
                    self.start_record(content_type, len)
                }
                Step::Partial | Step::End(None) => {}
            }
        }
    }

    /// Body bytes of the current record.
    fn take_body(&mut self, body: &[u8]) {
        match self.mode {
            Mode::Hello => {
                let at = usize::from(self.hello_len);
                let n = (HELLO_PREFIX - at).min(body.len());
                self.hello[at..at + n].copy_from_slice(&body[..n]);
                self.hello_len = u8::try_from(at + n).unwrap_or(0);
            }
            Mode::Keep => self.kept.extend_from_slice(body),
            Mode::Skip => {}
        }
    }

    /// A record header is complete: decide what to do with its body.
    fn start_record(&mut self, content_type: u8, len: usize) {
        self.mode = match content_type {
            CHANGE_CIPHER_SPEC => {
                self.ccs_seen = true;
                Mode::Skip
            }
            HANDSHAKE if !self.ccs_seen => {
                if usize::from(self.hello_len) < HELLO_PREFIX {
                    Mode::Hello
                } else {
                    Mode::Skip
                }
            }
            HANDSHAKE | APPLICATION_DATA if !self.overflow => {
                if self.kept.len() + HEADER_LEN + len <= FLOW_LIMIT {
                    // One allocation per record at most.
                    self.kept.reserve(HEADER_LEN + len);
                    self.kept.push(content_type);
                    self.kept
                        .extend_from_slice(&self.framer.last_version().to_be_bytes());
                    // A record's length fits its two header bytes.
                    self.kept
                        .extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
                    Mode::Keep
                } else {
                    self.overflow = true;
                    self.kept = Vec::new();
                    Mode::Skip
                }
            }
            _ => Mode::Skip,
        };
    }

    /// The kept records, unless some were lost.
    #[cfg(test)]
    fn records(&self) -> Option<&[u8]> {
        (!self.overflow).then_some(self.kept.as_slice())
    }

    /// [`records`](Self::records), taken.
    fn into_records(self) -> Option<Vec<u8>> {
        (!self.overflow).then_some(self.kept)
    }

    /// The ServerHello's random, when this is the server's flow and it began with one.
    fn server_random(&self) -> Option<[u8; 32]> {
        if usize::from(self.hello_len) < HELLO_PREFIX || self.hello[0] != 2 {
            return None;
        }
        self.hello[6..HELLO_PREFIX].try_into().ok()
    }
}

/// A secret of at most 48 bytes (a TLS 1.2 master secret, a SHA-256 or SHA-384 TLS
/// 1.3 secret), kept in place and wiped on drop.
struct Secret {
    bytes: Zeroizing<[u8; 48]>,
    /// At most 48.
    len: u8,
}

impl Secret {
    /// `None` for a secret longer than 48 bytes (no suite here has one).
    fn new(secret: &[u8]) -> Option<Self> {
        let mut bytes = Zeroizing::new([0u8; 48]);
        bytes.get_mut(..secret.len())?.copy_from_slice(secret);
        Some(Secret {
            bytes,
            len: u8::try_from(secret.len()).ok()?,
        })
    }

    fn get(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// The secrets rustls logged for one connection and, once its handshake is over, the
/// records holding the first Finished (kept here, in the key log's allocation, so a
/// connection itself grows by no more than two pointers).
#[derive(Default)]
struct Secrets {
    /// What is left of the recording after the handshake.
    first: Option<First>,
    /// The client random given with the TLS 1.2 master secret.
    client_random: Option<[u8; 32]>,
    /// TLS 1.2 `CLIENT_RANDOM`.
    master: Option<Secret>,
    /// TLS 1.3 `CLIENT_HANDSHAKE_TRAFFIC_SECRET`.
    client_handshake: Option<Secret>,
    /// TLS 1.3 `SERVER_HANDSHAKE_TRAFFIC_SECRET`.
    server_handshake: Option<Secret>,
}

/// One connection's `rustls::KeyLog`: keeps the secrets `tls-unique` needs and hands
/// every line to the context's logger (`keylog_filename`, or rustls's `NoKeyLog`).
pub(crate) struct SecretTap {
    next: Arc<dyn KeyLog>,
    secrets: Mutex<Secrets>,
}

impl std::fmt::Debug for SecretTap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secrets themselves.
        f.debug_struct("SecretTap")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl SecretTap {
    fn lock(&self) -> std::sync::MutexGuard<'_, Secrets> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The key-log labels whose secrets are kept.
fn wanted(label: &str) -> bool {
    matches!(
        label,
        "CLIENT_RANDOM" | "CLIENT_HANDSHAKE_TRAFFIC_SECRET" | "SERVER_HANDSHAKE_TRAFFIC_SECRET"
    )
}

impl KeyLog for SecretTap {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        if self.next.will_log(label) {
            self.next.log(label, client_random, secret);
        }
        if !wanted(label) {
            return;
        }
        let kept = Secret::new(secret);
        let mut s = self.lock();
        match label {
            "CLIENT_RANDOM" => {
                s.master = kept;
                s.client_random = client_random.try_into().ok();
            }
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET" => s.client_handshake = kept,
            _ => s.server_handshake = kept,
        }
    }

    fn will_log(&self, label: &str) -> bool {
        wanted(label) || self.next.will_log(label)
    }
}

/// A reader or writer that shows the [`Recorder`] the TLS bytes passing through it
/// (read: from the peer; written: for the peer) while the handshake runs.
pub(crate) struct Tee<'a, T> {
    inner: T,
    recorder: &'a mut Recorder,
}

impl<'a, T> Tee<'a, T> {
    /// `inner`, watched by `recorder`.
    pub(crate) fn new(inner: T, recorder: &'a mut Recorder) -> Self {
        Tee { inner, recorder }
    }
}

impl<R: std::io::Read> std::io::Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let by_server = !self.recorder.server_side;
        if let Some(flow) = self.recorder.flow(by_server) {
            flow.take(&buf[..n.min(buf.len())]);
        }
        Ok(n)
    }
}

impl<W: std::io::Write> std::io::Write for Tee<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_vectored(&[std::io::IoSlice::new(buf)])
    }

    /// rustls hands over all its pending records at once: they reach `inner` in one
    /// write when it takes vectors, and the recorder sees what was written.
    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        let n = self.inner.write_vectored(bufs)?;
        let by_server = self.recorder.server_side;
        if let Some(flow) = self.recorder.flow(by_server) {
            let mut left = n;
            for buf in bufs {
                if left == 0 {
                    break;
                }
                let taken = left.min(buf.len());
                flow.take(&buf[..taken]);
                left -= taken;
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What a connection keeps to answer `get_channel_binding('tls-unique')`.
pub(crate) struct Recorder {
    server_side: bool,
    /// The connection's key log (set when its rustls configuration is made).
    tap: Option<Arc<SecretTap>>,
    /// While the handshake runs: the records of both sides (boxed: a connection
    /// keeps them only that long).
    flows: Option<Box<[Flow; 2]>>,
}

/// What is left of the recording after the handshake.
struct First {
    /// The records of the side that sent the first Finished (`None`: some were lost
    /// to the bound).
    records: Option<Vec<u8>>,
    /// The ServerHello's random (TLS 1.2 key block).
    server_random: Option<[u8; 32]>,
    /// The handshake resumed a session: the first Finished is the server's.
    resumed: bool,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("recording", &self.flows.is_some())
            .finish_non_exhaustive()
    }
}

/// Index of the client's flow in [`Recorder::flows`] (the server's is the other).
const CLIENT: usize = 0;
const SERVER: usize = 1;

impl Recorder {
    /// A recorder for one side of a new connection.
    pub(crate) fn new(server_side: bool) -> Self {
        Recorder {
            server_side,
            tap: None,
            flows: Some(Box::default()),
        }
    }

    /// The key log for this connection's rustls configuration: ours, chained to
    /// `next` (the context's). Starts the recording afresh.
    pub(crate) fn key_log(&mut self, next: Arc<dyn KeyLog>) -> Arc<dyn KeyLog> {
        let tap = Arc::new(SecretTap {
            next,
            secrets: Mutex::default(),
        });
        *self = Recorder {
            tap: Some(tap.clone()),
            ..Recorder::new(self.server_side)
        };
        tap
    }

    /// `config` with this connection's key log in place of the context's (a server
    /// connection's configuration is otherwise shared).
    pub(crate) fn server_config(
        &mut self,
        config: &rustls::ServerConfig,
    ) -> Arc<rustls::ServerConfig> {
        let mut own = config.clone();
        own.key_log = self.key_log(config.key_log.clone());
        Arc::new(own)
    }

    /// The flow of bytes one side sends, while recording.
    fn flow(&mut self, sent_by_server: bool) -> Option<&mut Flow> {
        let i = if sent_by_server { SERVER } else { CLIENT };
        self.flows.as_mut().map(|flows| &mut flows[i])
    }

    /// The handshake is over: stop recording and keep only the records holding the
    /// first Finished (the client's, or the server's on a resumed handshake) and the
    /// ServerHello's random.
    pub(crate) fn complete(&mut self, resumed: bool) {
        let Some(flows) = self.flows.take() else {
            return;
        };
        let Some(tap) = &self.tap else {
            return;
        };
        let [client, server] = *flows;
        let server_random = server.server_random();
        let first = if resumed { server } else { client };
        let mut secrets = tap.lock();
        secrets.first = Some(First {
            records: first.into_records(),
            server_random,
            resumed,
        });
        // The other side's TLS 1.3 secret is not needed either.
        if resumed {
            secrets.client_handshake = None;
        } else {
            secrets.server_handshake = None;
        }
    }

    /// `tls-unique`: the verify_data of the handshake's first Finished, from a
    /// completed handshake of `version` with `suite`. `None` when it cannot be
    /// recovered (a handshake not over, records lost to the bound, secrets missing,
    /// a record that does not decrypt).
    pub(crate) fn tls_unique(
        &self,
        version: ProtocolVersion,
        suite: CipherSuite,
    ) -> Option<Vec<u8>> {
        let secrets = self.tap.as_ref()?.lock();
        let first = secrets.first.as_ref()?;
        let records = first.records.as_deref()?;
        match version {
            ProtocolVersion::TLSv1_3 => {
                let secret = if first.resumed {
                    secrets.server_handshake.as_ref()?
                } else {
                    secrets.client_handshake.as_ref()?
                };
                tls13_finished(records, secret.get(), suite)
            }
            ProtocolVersion::TLSv1_2 => {
                let keys = Tls12Keys {
                    master: secrets.master.as_ref()?.get(),
                    client_random: &secrets.client_random?,
                    server_random: first.server_random.as_ref()?,
                };
                tls12_finished(records, &keys, suite, first.resumed)
            }
            _ => None,
        }
    }
}

/// The length wanted from HKDF-Expand (ring's `KeyType`).
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// TLS 1.3 HKDF-Expand-Label(secret, label, "", len) (RFC 8446, 7.1).
fn expand_label(prk: &hkdf::Prk, label: &[u8], out: &mut [u8]) -> Option<()> {
    let len = u16::try_from(out.len()).ok()?.to_be_bytes();
    let label_len = [u8::try_from(6 + label.len()).ok()?];
    let info: [&[u8]; 5] = [&len, &label_len, b"tls13 ", label, &[0]];
    prk.expand(&info, Len(out.len())).ok()?.fill(out).ok()
}

/// The AEAD of a suite, and its HKDF / PRF hash.
struct SuiteParams {
    aead: &'static aead::Algorithm,
    hkdf: hkdf::Algorithm,
    hmac: hmac::Algorithm,
    /// ChaCha20-Poly1305 (else AES-GCM).
    chacha: bool,
}

fn suite_params(suite: CipherSuite) -> Option<SuiteParams> {
    use CipherSuite as S;
    let sha256 = (hkdf::HKDF_SHA256, hmac::HMAC_SHA256);
    let sha384 = (hkdf::HKDF_SHA384, hmac::HMAC_SHA384);
    let (aead, (hkdf, hmac)) = match suite {
        S::TLS13_AES_128_GCM_SHA256
        | S::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        | S::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => (&aead::AES_128_GCM, sha256),
        S::TLS13_AES_256_GCM_SHA384
        | S::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        | S::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => (&aead::AES_256_GCM, sha384),
        S::TLS13_CHACHA20_POLY1305_SHA256
        | S::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        | S::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => (&aead::CHACHA20_POLY1305, sha256),
        _ => return None,
    };
    Some(SuiteParams {
        aead,
        hkdf,
        hmac,
        chacha: std::ptr::eq(aead, &aead::CHACHA20_POLY1305),
    })
}

/// `iv` XOR the big-endian record sequence number (both TLS 1.3 and TLS 1.2's
/// ChaCha20-Poly1305 form their nonces so).
fn xor_nonce(iv: &[u8; 12], seq: u64) -> aead::Nonce {
    let mut nonce = *iv;
    for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *n ^= s;
    }
    aead::Nonce::assume_unique_for_key(nonce)
}

/// The body of the first Finished message in a handshake byte stream, once complete.
fn finished_in(stream: &[u8]) -> Option<Option<&[u8]>> {
    let mut rest = stream;
    while let Some((msg_type, body, next)) = handshake_message(rest) {
        if msg_type == FINISHED {
            return Some(Some(body));
        }
        rest = next;
    }
    Some(None)
}

/// TLS 1.3: decrypts one side's encrypted handshake records with its handshake traffic
/// secret, in order (sequence numbers from 0), and returns its Finished's verify_data.
fn tls13_finished(records_: &[u8], secret: &[u8], suite: CipherSuite) -> Option<Vec<u8>> {
    let params = suite_params(suite)?;
    let prk = hkdf::Prk::new_less_safe(params.hkdf, secret);
    let mut key = Zeroizing::new(vec![0u8; params.aead.key_len()]);
    let mut iv = [0u8; 12];
    expand_label(&prk, b"key", &mut key)?;
    expand_label(&prk, b"iv", &mut iv)?;
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(params.aead, &key).ok()?);
    let mut stream = Vec::new();
    let mut seq = 0u64;
    for (header, body) in records(records_) {
        if header[0] != APPLICATION_DATA {
            continue;
        }
        let mut buf = body.to_vec();
        // A record this key does not open (0-RTT data under the early secret) is not
        // one of this side's handshake records and takes no sequence number.
        let Ok(plain) = key.open_in_place(xor_nonce(&iv, seq), aead::Aad::from(header), &mut buf)
        else {
            continue;
        };
        seq += 1;
        // TLSInnerPlaintext: content, then the real content type, then zero padding.
        let end = plain.iter().rposition(|&b| b != 0)?;
        if plain[end] != HANDSHAKE {
            return None;
        }
        stream.extend_from_slice(&plain[..end]);
        if let Some(verify_data) = finished_in(&stream)? {
            let hash_len = params.hmac.digest_algorithm().output_len();
            return (verify_data.len() == hash_len).then(|| verify_data.to_vec());
        }
    }
    None
}

/// What a TLS 1.2 key block is made from.
struct Tls12Keys<'a> {
    master: &'a [u8],
    client_random: &'a [u8; 32],
    server_random: &'a [u8; 32],
}

/// The TLS 1.2 PRF (RFC 5246, 5): P_hash(secret, label + seed), `out.len()` bytes.
fn prf(alg: hmac::Algorithm, secret: &[u8], label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let key = hmac::Key::new(alg, secret);
    let sign = |a: &[u8], with_seed: bool| {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(a);
        if with_seed {
            ctx.update(label);
            for s in seed {
                ctx.update(s);
            }
        }
        ctx.sign()
    };
    // A(1) = HMAC(secret, label + seed); A(i) = HMAC(secret, A(i-1)).
    let mut a = sign(&[], true);
    for chunk in out.chunks_mut(alg.digest_algorithm().output_len()) {
        let block = sign(a.as_ref(), true);
        chunk.copy_from_slice(&block.as_ref()[..chunk.len()]);
        a = sign(a.as_ref(), false);
    }
}

/// TLS 1.2: decrypts the Finished record a side sent first after its ChangeCipherSpec
/// (sequence number 0) with that side's key from the key block, and returns its
/// verify_data (12 bytes).
fn tls12_finished(
    records_: &[u8],
    keys: &Tls12Keys<'_>,
    suite: CipherSuite,
    server_wrote: bool,
) -> Option<Vec<u8>> {
    let params = suite_params(suite)?;
    let key_len = params.aead.key_len();
    // GCM: a 4-byte implicit salt and an 8-byte explicit nonce in the record (RFC
    // 5288); ChaCha20-Poly1305: a 12-byte IV XOR the sequence number (RFC 7905).
    let (fixed_iv, explicit) = if params.chacha { (12, 0) } else { (4, 8) };
    let mut block = Zeroizing::new(vec![0u8; 2 * key_len + 2 * fixed_iv]);
    prf(
        params.hmac,
        keys.master,
        b"key expansion",
        &[keys.server_random, keys.client_random],
        &mut block,
    );
    let side = usize::from(server_wrote);
    let key = &block[side * key_len..(side + 1) * key_len];
    let iv = &block[2 * key_len + side * fixed_iv..2 * key_len + (side + 1) * fixed_iv];
    let (header, body) = records(records_).next()?;
    if header[0] != HANDSHAKE || body.len() < explicit + params.aead.tag_len() {
        return None;
    }
    let nonce = if explicit == 0 {
        xor_nonce(iv.try_into().ok()?, 0)
    } else {
        let mut n = [0u8; 12];
        n[..4].copy_from_slice(iv);
        n[4..].copy_from_slice(&body[..8]);
        aead::Nonce::assume_unique_for_key(n)
    };
    let plain_len = u16::try_from(body.len() - explicit - params.aead.tag_len()).ok()?;
    // seq_num (0) + type + version + plaintext length.
    let mut aad = [0u8; 13];
    aad[8..11].copy_from_slice(&header[..3]);
    aad[11..].copy_from_slice(&plain_len.to_be_bytes());
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(params.aead, key).ok()?);
    let mut buf = body[explicit..].to_vec();
    let plain = key
        .open_in_place(nonce, aead::Aad::from(aad), &mut buf)
        .ok()?;
    match finished_in(plain)? {
        Some(verify_data) if verify_data.len() == 12 => Some(verify_data.to_vec()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn flow_keeps_the_hello_prefix_and_records_after_ccs_across_any_split() {
        // A ServerHello split over two records, a certificate-ish record, CCS, a
        // "Finished" record, then an encrypted record.
        let mut sh = vec![2, 0, 0, 70, 3, 3];
        sh.extend((0..32).map(|i| i as u8));
        sh.extend([0u8; 36]);
        let mut wire = Vec::new();
        wire.extend([22, 3, 3, 0, 10]);
        wire.extend(&sh[..10]);
        wire.extend([22, 3, 3, 0, (sh.len() - 10) as u8]);
        wire.extend(&sh[10..]);
        wire.extend([22, 3, 3, 0, 3, 11, 0, 0]);
        wire.extend([20, 3, 3, 0, 1, 1]);
        let fin = [22, 3, 3, 0, 4, 9, 8, 7, 6];
        wire.extend(fin);
        wire.extend([23, 3, 3, 0, 2, 5, 5]);
        wire.extend([21, 3, 3, 0, 2, 1, 0]);
        for step in 1..wire.len() {
            let mut flow = Flow::default();
            for chunk in wire.chunks(step) {
                flow.take(chunk);
            }
            let random: Vec<u8> = (0..32).collect();
            assert_eq!(flow.server_random().unwrap().to_vec(), random);
            let mut want = fin.to_vec();
            want.extend([23, 3, 3, 0, 2, 5, 5]);
            assert_eq!(flow.records(), Some(&want[..]), "step {step}");
        }
    }

    /// Takes at most `room` bytes per call, one vector at a time (`write_vectored`'s
    /// default).
    struct Narrow {
        out: Vec<u8>,
        room: usize,
    }

    impl std::io::Write for Narrow {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.room);
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_vectored_write_is_recorded_as_far_as_it_went() {
        use std::io::{IoSlice, Write};
        let fin = [22u8, 3, 3, 0, 4, 20, 0, 0, 0];
        let app = [23u8, 3, 3, 0, 2, 7, 7];
        let mut wire = vec![20u8, 3, 3, 0, 1, 1];
        wire.extend(fin);
        wire.extend(app);
        for room in 1..=wire.len() {
            let mut recorder = Recorder::new(false);
            let mut tee = Tee::new(
                Narrow {
                    out: Vec::new(),
                    room,
                },
                &mut recorder,
            );
            // The records in three vectors, each write resuming where the last stopped.
            let mut at = 0;
            for _ in 0..wire.len() {
                if at == wire.len() {
                    break;
                }
                let rest = &wire[at..];
                let (a, b) = rest.split_at(rest.len().min(4));
                let (b, c) = b.split_at(b.len() / 2);
                at += tee
                    .write_vectored(&[IoSlice::new(a), IoSlice::new(b), IoSlice::new(c)])
                    .unwrap();
            }
            let Tee { inner, .. } = tee;
            assert_eq!(inner.out, wire, "room {room}");
            let mut want = fin.to_vec();
            want.extend(app);
            let flow = recorder.flow(false).unwrap();
            assert_eq!(flow.records(), Some(&want[..]), "room {room}");
        }
    }

    #[test]
    fn flow_gives_up_past_its_bound() {
        let mut flow = Flow::default();
        flow.take(&[23, 3, 3, 0x40, 0]);
        flow.take(&vec![0; 0x4000]);
        flow.take(&[23, 3, 3, 0x3f, 0xf0]);
        flow.take(&vec![0; 0x3ff0]);
        assert_eq!(flow.records().map(<[u8]>::len), Some(FLOW_LIMIT - 6));
        flow.take(&[23, 3, 3, 0, 10]);
        flow.take(&[0; 10]);
        assert_eq!(flow.records(), None);
        // Later records are not kept either.
        flow.take(&[22, 3, 3, 0, 1, 0]);
        assert!(flow.kept.capacity() == 0);
    }

    #[test]
    fn prf_matches_an_independent_hmac() {
        // P_SHA256 / P_SHA384 as Python's hmac computes them (a second implementation):
        // hmac.new(secret, A(i) + label + seed, sha256) ...
        let secret = b"secret";
        let mut out = [0u8; 40];
        prf(
            hmac::HMAC_SHA256,
            secret,
            b"label",
            &[b"se", b"ed"],
            &mut out,
        );
        assert_eq!(out.to_vec(), hex(PRF256_40));
        let mut out = [0u8; 60];
        prf(hmac::HMAC_SHA384, secret, b"label", &[b"seed"], &mut out);
        assert_eq!(out.to_vec(), hex(PRF384_60));
    }

    const PRF256_40: &str =
        "7ed42a23a133ad379b99196a86db887cf595d9ada5661ec1186691659bf87a7a8d16f4320d6b5e9c";
    const PRF384_60: &str = "e6a6f199a9f16f9a566570cd0d8da71e04b551e24dcb65207061adcda3ae99c3c68fb6cf5990ae7658dbd83be3e72c96cae20c34a79689708b1c2a88";

    #[test]
    fn expand_label_matches_rfc8448() {
        // RFC 8448, 3: the server handshake traffic secret gives this key and iv.
        let secret = hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
        let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &secret);
        let mut key = [0u8; 16];
        let mut iv = [0u8; 12];
        expand_label(&prk, b"key", &mut key).unwrap();
        expand_label(&prk, b"iv", &mut iv).unwrap();
        assert_eq!(key.to_vec(), hex("3fce516009c21727d0f2e4e86ee403bc"));
        assert_eq!(iv.to_vec(), hex("5d313eb2671276ee13000b30"));
    }

    proptest::proptest! {
        /// Any bytes, cut anywhere, recorded and then decrypted as either version with
        /// any suite: no panic, and nothing decrypts under a made-up secret.
        #[test]
        fn arbitrary_records_never_panic(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
            cut in 1usize..64,
        ) {
            let mut flow = Flow::default();
            // Records that parse, with the arbitrary bytes as bodies.
            for (i, body) in bytes.chunks(cut + 7).enumerate() {
                let kind = [20, 22, 23, 21][i % 4];
                let mut rec = vec![kind, 3, 3, 0, body.len() as u8];
                rec.extend_from_slice(body);
                for piece in rec.chunks(cut) {
                    flow.take(piece);
                }
            }
            // And the raw bytes themselves as a stream.
            for piece in bytes.chunks(cut) {
                flow.take(piece);
            }
            let random = flow.server_random();
            let records = flow.into_records().unwrap_or_default();
            let keys = Tls12Keys {
                master: &[9; 48],
                client_random: &[1; 32],
                server_random: &random.unwrap_or([2; 32]),
            };
            for suite in [
                CipherSuite::TLS13_AES_256_GCM_SHA384,
                CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            ] {
                proptest::prop_assert_eq!(tls13_finished(&records, &[5; 48], suite), None);
                proptest::prop_assert_eq!(tls12_finished(&records, &keys, suite, true), None);
            }
        }
    }

    #[test]
    fn a_connection_grows_by_two_pointers_and_a_flag() {
        assert!(std::mem::size_of::<Recorder>() <= 3 * std::mem::size_of::<usize>());
    }

    #[test]
    fn garbage_never_panics() {
        let keys = Tls12Keys {
            master: &[1; 48],
            client_random: &[2; 32],
            server_random: &[3; 32],
        };
        let mut bytes = vec![22, 3, 3, 0, 30];
        bytes.extend([7u8; 30]);
        bytes.extend([23, 3, 3, 0, 17]);
        bytes.extend([0u8; 17]);
        for n in 0..bytes.len() {
            for suite in [
                CipherSuite::TLS13_AES_128_GCM_SHA256,
                CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                CipherSuite::TLS_NULL_WITH_NULL_NULL,
            ] {
                assert_eq!(tls13_finished(&bytes[..n], &[0; 32], suite), None);
                assert_eq!(tls12_finished(&bytes[..n], &keys, suite, false), None);
            }
        }
        assert_eq!(finished_in(&[20, 0, 0, 12, 1]), Some(None));
        assert_eq!(
            finished_in(&[8, 0, 0, 0, 20, 0, 0, 1, 9]),
            Some(Some(&[9][..]))
        );
    }
}
