//! `ssl.SSLSession` and the session machinery behind it, shared by the context (which
//! owns the stores) and its connections (which fill and use them).
//!
//! * Client: each connection has its own [`ConnectionSessions`] store, in its own
//!   shallow copy of the context's frozen `ClientConfig`: it writes the connection's
//!   session (TLS 1.2 session, TLS 1.3 tickets) and offers only the session given with
//!   `WrapOptions::session`. The config that `SslContext::client_config()` hands to
//!   other rustls stacks keeps rustls's own in-memory session cache instead.
//! * Server: [`ServerCache`], a bounded session cache per context that counts what
//!   `session_stats()` reports.
//!
//! rustls keeps a session's id, ticket and lifetime private. What crosses the wire in
//! the clear is read instead: for TLS 1.2 the ServerHello session id and whether a
//! NewSessionTicket came (with its lifetime hint). TLS 1.3 tickets are encrypted, so
//! the id is a random 32-byte value made when the first ticket arrives and the lifetime
//! hint is reported as 0 (unknown) — see docs/COMPATIBILITY.md.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::NamedGroup;
use rustls_pki_types::ServerName;

/// OpenSSL's default session timeout (seconds), which CPython reports.
const DEFAULT_TIMEOUT: u64 = 7200;

/// The identity of the context a session belongs to: each context holds one, each
/// session a weak reference to its context's (a session resumes only on the context
/// that made it).
#[derive(Debug, Default)]
pub(crate) struct Owner;

/// What one captured session holds.
#[derive(Default)]
pub(crate) struct SessionState {
    /// The context that made it.
    pub owner: Weak<Owner>,
    pub server_name: Option<ServerName<'static>>,
    pub id: SessionId,
    pub time: u64,
    pub ticket_lifetime_hint: u32,
    pub has_ticket: bool,
    /// Boxed: most connections never hold one, and the value is large.
    pub tls12: Option<Box<Tls12ClientSessionValue>>,
    /// Each TLS 1.3 ticket resumes once.
    pub tls13: Vec<Tls13ClientSessionValue>,
}

/// A session id (at most 32 bytes in TLS), kept inline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SessionId {
    bytes: [u8; 32],
    len: u8,
}

impl SessionId {
    /// The id `b` (its first 32 bytes: no TLS session id is longer).
    pub(crate) fn from_slice(b: &[u8]) -> Self {
        let mut id = SessionId::default();
        let n = b.len().min(32);
        id.bytes[..n].copy_from_slice(&b[..n]);
        id.len = n as u8;
        id
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl SessionState {
    fn usable(&self) -> bool {
        self.tls12.is_some() || !self.tls13.is_empty()
    }
}

/// Python's `ssl.SSLSession`: a client session that a later connection to the same
/// server, made from the same context, may resume (`WrapOptions::session`).
#[doc(alias = "SSLSession")]
#[derive(Clone)]
pub struct SslSession {
    pub(crate) state: Arc<Mutex<SessionState>>,
}

impl std::fmt::Debug for SslSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SslSession")
            .field("id", &hex(&self.id()))
            .field("has_ticket", &self.has_ticket())
            .finish_non_exhaustive()
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl SslSession {
    fn lock(&self) -> std::sync::MutexGuard<'_, SessionState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `SSLSession.id`: the TLS 1.2 session id from the ServerHello; for TLS 1.3 a
    /// random 32-byte id made when the first ticket arrived (`b""` before).
    pub fn id(&self) -> Vec<u8> {
        self.lock().id.as_slice().to_vec()
    }

    /// `SSLSession.time`: when the session was made (seconds since the epoch).
    pub fn time(&self) -> u64 {
        self.lock().time
    }

    /// `SSLSession.timeout`: OpenSSL's default, 7200 seconds.
    pub fn timeout(&self) -> u64 {
        DEFAULT_TIMEOUT
    }

    /// `SSLSession.ticket_lifetime_hint`: from a TLS 1.2 NewSessionTicket; 0 when not
    /// seen (TLS 1.3 tickets are encrypted).
    pub fn ticket_lifetime_hint(&self) -> u32 {
        self.lock().ticket_lifetime_hint
    }

    /// `SSLSession.has_ticket`.
    pub fn has_ticket(&self) -> bool {
        self.lock().has_ticket
    }

    /// Whether the session can still resume a connection (TLS 1.3 tickets are used
    /// up one per resumption).
    pub fn is_resumable(&self) -> bool {
        self.lock().usable()
    }

    /// Whether this session was made by the context that holds `owner`.
    pub(crate) fn belongs_to(&self, owner: &Arc<Owner>) -> bool {
        Weak::ptr_eq(&self.lock().owner, &Arc::downgrade(owner))
    }
}

/// Sessions compare by id, as CPython's do (identity implies equality).
impl PartialEq for SslSession {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.state, &other.state) || self.id() == other.id()
    }
}

fn lock(m: &Mutex<SessionState>) -> std::sync::MutexGuard<'_, SessionState> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn random_id() -> SessionId {
    let mut id = [0u8; 32];
    // ring's system RNG; an id is an identifier, not a secret.
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut id);
    SessionId::from_slice(&id)
}

/// The key-exchange group each server last used, shared by a context's connections
/// (rustls's `kx_hint`: the next ClientHello offers that group's key share first).
#[derive(Debug, Default)]
pub(crate) struct KxHints {
    groups: Mutex<HashMap<ServerName<'static>, NamedGroup>>,
}

impl KxHints {
    fn set(&self, server_name: ServerName<'static>, group: NamedGroup) {
        let mut m = self.groups.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() < 1024 || m.contains_key(&server_name) {
            m.insert(server_name, group);
        }
    }

    fn get(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        let m = self.groups.lock().unwrap_or_else(|p| p.into_inner());
        m.get(server_name).copied()
    }
}

/// The client session store of one connection, installed in that connection's shallow
/// copy of the context's `ClientConfig` (rustls resumes only when the verifier and the
/// client-certificate resolver are the very same `Arc`s, which a copy keeps). What the
/// server sends is stored in the connection's own session (the *sink*); what is
/// offered comes only from the session given with `WrapOptions::session` (the
/// *source*). A session therefore resumes only through the connection it is given to,
/// on the context it came from, with no state shared between threads but the hints.
pub(crate) struct ConnectionSessions {
    sink: Arc<Mutex<SessionState>>,
    source: Option<Arc<Mutex<SessionState>>>,
    kx_hints: Arc<KxHints>,
}

impl std::fmt::Debug for ConnectionSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionSessions")
            .field("offers_a_session", &self.source.is_some())
            .finish_non_exhaustive()
    }
}

impl ConnectionSessions {
    /// The store of a connection whose session is `sink` and that offers `source`.
    pub(crate) fn new(
        sink: Arc<Mutex<SessionState>>,
        source: Option<Arc<Mutex<SessionState>>>,
        kx_hints: Arc<KxHints>,
    ) -> Self {
        ConnectionSessions {
            sink,
            source,
            kx_hints,
        }
    }
}

impl ClientSessionStore for ConnectionSessions {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.kx_hints.set(server_name, group);
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.kx_hints.get(server_name)
    }

    fn set_tls12_session(&self, server_name: ServerName<'static>, value: Tls12ClientSessionValue) {
        let mut sink = lock(&self.sink);
        sink.server_name = Some(server_name);
        sink.tls12 = Some(Box::new(value));
        if sink.time == 0 {
            sink.time = now_secs();
        }
    }

    fn tls12_session(&self, server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        let source = lock(self.source.as_ref()?);
        if source.server_name.as_ref() != Some(&server_name.to_owned()) {
            return None;
        }
        source.tls12.as_deref().cloned()
    }

    fn remove_tls12_session(&self, _server_name: &ServerName<'static>) {}

    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: Tls13ClientSessionValue,
    ) {
        let mut sink = lock(&self.sink);
        sink.server_name = Some(server_name);
        if sink.tls13.len() < 16 {
            sink.tls13.push(value);
        }
        sink.has_ticket = true;
        if sink.id.is_empty() {
            sink.id = random_id();
        }
        if sink.time == 0 {
            sink.time = now_secs();
        }
    }

    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<Tls13ClientSessionValue> {
        let mut source = lock(self.source.as_ref()?);
        if source.server_name.as_ref() != Some(server_name) {
            return None;
        }
        (!source.tls13.is_empty()).then(|| source.tls13.remove(0))
    }
}

/// Facts of a TLS 1.2 handshake read from the server's cleartext records.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Tls12Facts {
    pub session_id: Vec<u8>,
    pub ticket_lifetime_hint: Option<u32>,
}

impl SessionState {
    /// Records what a finished TLS 1.2 handshake showed in the clear.
    pub(crate) fn apply_tls12(&mut self, facts: Tls12Facts) {
        if !facts.session_id.is_empty() {
            self.id = SessionId::from_slice(&facts.session_id);
        }
        if let Some(hint) = facts.ticket_lifetime_hint {
            self.has_ticket = true;
            self.ticket_lifetime_hint = hint;
        }
        if self.time == 0 {
            self.time = now_secs();
        }
    }
}

/// The cached sessions by key, and the keys in insertion order (for eviction).
type Entries = (HashMap<Vec<u8>, Vec<u8>>, VecDeque<Vec<u8>>);

/// A context's server-side session cache: bounded like OpenSSL's (20,480 entries),
/// never shared with another context, and counted for `session_stats()`.
#[derive(Debug)]
pub(crate) struct ServerCache {
    entries: Mutex<Entries>,
    limit: usize,
    pub misses: AtomicU64,
    pub cache_full: AtomicU64,
}

impl ServerCache {
    pub(crate) fn new(limit: usize) -> Self {
        ServerCache {
            entries: Mutex::new((HashMap::new(), VecDeque::new())),
            limit,
            misses: AtomicU64::new(0),
            cache_full: AtomicU64::new(0),
        }
    }

    /// Sessions currently cached (`session_stats()['number']`).
    pub(crate) fn len(&self) -> u64 {
        self.entries.lock().map(|e| e.0.len() as u64).unwrap_or(0)
    }

    fn found(&self, value: Option<Vec<u8>>) -> Option<Vec<u8>> {
        if value.is_none() {
            self.misses.fetch_add(1, Ordering::Relaxed);
        }
        value
    }
}

impl rustls::server::StoresServerSessions for ServerCache {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        let Ok(mut e) = self.entries.lock() else {
            return false;
        };
        let (map, order) = &mut *e;
        if !map.contains_key(&key) {
            while map.len() >= self.limit {
                let Some(old) = order.pop_front() else {
                    break;
                };
                if map.remove(&old).is_some() {
                    self.cache_full.fetch_add(1, Ordering::Relaxed);
                }
            }
            order.push_back(key.clone());
        }
        map.insert(key, value);
        true
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let value = self.entries.lock().ok()?.0.get(key).cloned();
        self.found(value)
    }

    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        let value = self.entries.lock().ok().and_then(|mut e| {
            let v = e.0.remove(key);
            if v.is_some() {
                e.1.retain(|k| k != key);
            }
            v
        });
        self.found(value)
    }

    fn can_cache(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::server::StoresServerSessions;

    #[test]
    fn server_cache_bounds_and_counts() {
        let c = ServerCache::new(2);
        assert!(c.put(b"a".to_vec(), b"1".to_vec()));
        assert!(c.put(b"b".to_vec(), b"2".to_vec()));
        assert!(c.put(b"c".to_vec(), b"3".to_vec()));
        assert_eq!(c.len(), 2);
        assert_eq!(c.cache_full.load(Ordering::Relaxed), 1);
        assert_eq!(c.get(b"a"), None);
        assert_eq!(c.take(b"b"), Some(b"2".to_vec()));
        assert_eq!(c.misses.load(Ordering::Relaxed), 1);
        assert_eq!(c.len(), 1);
    }
}
