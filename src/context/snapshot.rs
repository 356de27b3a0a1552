//! Freezing a context's settings into rustls configurations, cached per generation.
//!
//! The verifier, certificate resolver, session cache and ticketer `Arc`s are kept
//! across generations that do not change them: rustls resumes a session only with the
//! very same verifier and credentials (`Arc::ptr_eq`), so an unrelated setter (ALPN,
//! say) must not end resumption.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rustls::client::danger::ServerCertVerifier;
use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::server::danger::ClientCertVerifier;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, ServerConfig, SignatureScheme, SupportedProtocolVersion};

use super::{SslContext, State};
use crate::error::Reason;
use crate::error::{Error, Result};
use crate::options::Options;
use crate::verify::{ChainVerifier, ClientVerifier, ServerVerifier, VerifyPolicy};
use crate::{Protocol, VerifyMode};

/// Configs built for one generation, plus the long-lived parts.
#[derive(Default)]
pub(crate) struct Cache {
    client: Option<(u64, Arc<ClientConfig>)>,
    server: Option<(u64, Arc<ServerSide>)>,
    verifiers: Option<(VerifyKey, Arc<ServerVerifier>, Arc<ClientVerifier>)>,
    resolver: Option<((u64, u64), Arc<IdentityResolver>)>,
    /// The server session cache of this context (never shared with another context).
    pub server_cache: Option<Arc<crate::session::ServerCache>>,
    /// The ticket key of this context.
    ticketer: Option<Arc<dyn rustls::server::ProducesTickets>>,
    /// The key-exchange hints of this context's client connections.
    kx_hints: Arc<crate::session::KxHints>,
    /// rustls's own client session cache, for the config handed to other stacks.
    external_sessions: Option<Arc<dyn rustls::client::ClientSessionStore>>,
}

/// What the verifiers are built from; equal keys reuse the same `Arc`s.
#[derive(Clone, PartialEq)]
struct VerifyKey {
    verify_mode: VerifyMode,
    check_hostname: bool,
    host_flags: u32,
    verify_flags: u64,
    security_level: u8,
    store_generation: u64,
}

/// The server side's frozen configuration: one `ServerConfig` per ALPN outcome.
pub(crate) struct ServerSide {
    /// With no ALPN protocol selected.
    base: Arc<ServerConfig>,
    /// Our protocols in preference order.
    alpn: Vec<Vec<u8>>,
    /// Configs with exactly one protocol selected, made on first use.
    by_protocol: Mutex<HashMap<Vec<u8>, Arc<ServerConfig>>>,
    /// Whether a certificate is loaded.
    has_identity: bool,
}

impl ServerSide {
    /// OpenSSL's ALPN choice: the first of our protocols the client offered; no
    /// overlap (or no offer) means no ALPN, never a fatal alert.
    fn for_offer(&self, offered: Option<&[Vec<u8>]>) -> Arc<ServerConfig> {
        let choice = offered.and_then(|offer| self.alpn.iter().find(|p| offer.contains(p)));
        let Some(choice) = choice else {
            return self.base.clone();
        };
        let mut map = self.by_protocol.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(choice.clone())
            .or_insert_with(|| {
                let mut cfg = (*self.base).clone();
                cfg.alpn_protocols = vec![choice.clone()];
                Arc::new(cfg)
            })
            .clone()
    }
}

/// Serves the loaded certificate(s): the first one whose key can sign with a scheme
/// the peer offers (so an RSA and an EC certificate can coexist, as in OpenSSL).
#[derive(Debug)]
pub(crate) struct IdentityResolver {
    keys: Vec<Arc<CertifiedKey>>,
}

impl IdentityResolver {
    fn pick(&self, schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        self.keys
            .iter()
            .find(|k| k.key.choose_scheme(schemes).is_some())
            .or_else(|| self.keys.first())
            .cloned()
    }
}

impl ResolvesServerCert for IdentityResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.pick(hello.signature_schemes())
    }
}

impl ResolvesClientCert for IdentityResolver {
    fn resolve(&self, _hints: &[&[u8]], schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        self.keys
            .iter()
            .find(|k| k.key.choose_scheme(schemes).is_some())
            .cloned()
    }

    fn has_certs(&self) -> bool {
        !self.keys.is_empty()
    }
}

/// The protocol versions rustls may use: the bounds and `OP_NO_TLSv1_*` flags, with
/// versions below TLS 1.2 acting as TLS 1.2.
pub(crate) fn effective_versions(state: &State) -> Vec<&'static SupportedProtocolVersion> {
    let s = &state.settings;
    let set = |v: u16| (v != 0).then_some(v);
    let maximum = if s.protocol == Protocol::TlsV1_2 {
        Some(set(s.max_version).map_or(0x0303, |v| v.min(0x0303)))
    } else {
        set(s.max_version)
    };
    crate::options::translate::effective_versions(s.options, set(s.min_version), maximum)
}

/// `[SSL: NO_PROTOCOLS_AVAILABLE]`, OpenSSL's error when the bounds leave nothing.
fn no_protocols() -> Error {
    crate::tls_error::ssl(Reason::NoProtocolsAvailable)
}

impl SslContext {
    /// The crypto provider for `versions`: the selected suites and groups. With no
    /// suite for any of the versions, OpenSSL's `NO_CIPHERS_AVAILABLE` (decided here,
    /// before rustls would refuse the versions).
    fn provider(
        state: &State,
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> Result<Arc<CryptoProvider>> {
        let tls13 = versions.contains(&&rustls::version::TLS13);
        let mut provider = rustls::crypto::ring::default_provider();
        provider.cipher_suites = state.ciphers.rustls_suites(tls13);
        let usable = provider
            .cipher_suites
            .iter()
            .any(|s| versions.contains(&s.version()));
        if !usable {
            return Err(crate::tls_error::ssl(Reason::NoCiphersAvailable));
        }
        if let Some(groups) = &state.groups {
            provider.kx_groups = groups.clone();
        }
        Ok(Arc::new(provider))
    }

    fn verify_policy(state: &State) -> VerifyPolicy {
        let s = &state.settings;
        VerifyPolicy {
            verify_mode: s.verify_mode,
            check_hostname: s.check_hostname,
            host_flags: s.host_flags,
            verify_flags: s.verify_flags,
            security_level: s.security_level,
            roots: state.store.certs_der(),
            crls: state.store.crls(),
            capath_lookup: if state.store.capaths().is_empty() {
                None
            } else {
                let store = state.store.clone();
                let lookup: crate::verify::CapathLookup =
                    Arc::new(move |name: &[u8]| store.lookup_capath(name));
                Some(lookup)
            },
        }
    }

    /// The verification policy this context's verifiers use now (verify mode,
    /// `check_hostname`, host flags, verify flags, security level, trust store).
    pub(crate) fn current_verify_policy(&self) -> VerifyPolicy {
        Self::verify_policy(&self.lock())
    }

    /// Verifies `chain` (leaf first, then intermediates, as a server sends it) exactly
    /// as this context verifies a server's certificates during a handshake — the same
    /// verifier, trust store, flags, security level and host check — at `at` (`None`:
    /// now). The name is checked when `check_hostname` is set, as CPython requires a
    /// `server_hostname` then. Returns the verified chain (leaf first, trust anchor
    /// last), or CPython's `SSLCertVerificationError` with OpenSSL's code. With
    /// `CERT_NONE` the context accepts any chain, and so does this.
    ///
    /// This is what the `sslctx verify` tool runs.
    pub fn verify_chain(
        &self,
        chain: &[rustls_pki_types::CertificateDer<'_>],
        server_hostname: Option<&str>,
        at: Option<rustls_pki_types::UnixTime>,
    ) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>> {
        let Some((leaf, rest)) = chain.split_first() else {
            return Err(Error::value("the certificate chain is empty"));
        };
        let (core, check_hostname) = {
            let mut state = self.lock();
            let (sv, _) = Self::verifiers(&mut state);
            (sv.core().clone(), state.settings.check_hostname)
        };
        let name = match (check_hostname, server_hostname) {
            (true, Some(h)) => Some(crate::verify::encode_hostname(h)?),
            (true, None) => return Err(Error::value("check_hostname requires server_hostname")),
            (false, _) => None,
        };
        let now = at.unwrap_or_else(rustls_pki_types::UnixTime::now);
        core.verify(
            leaf,
            rest,
            name.as_ref(),
            now,
            crate::verify::Usage::ServerAuth,
        )
        .map_err(|f| f.to_error())
    }

    /// The verifiers, reused while nothing they depend on changed.
    fn verifiers(state: &mut State) -> (Arc<ServerVerifier>, Arc<ClientVerifier>) {
        let s = &state.settings;
        let key = VerifyKey {
            verify_mode: s.verify_mode,
            check_hostname: s.check_hostname,
            host_flags: s.host_flags,
            verify_flags: s.verify_flags.bits(),
            security_level: s.security_level,
            store_generation: state.store_generation,
        };
        if let Some((k, sv, cv)) = &state.cache.verifiers {
            if *k == key {
                return (sv.clone(), cv.clone());
            }
        }
        let core = Arc::new(ChainVerifier::with_ring(Self::verify_policy(state)));
        let sv = ServerVerifier::new(core.clone());
        let cv = ClientVerifier::new(core);
        state.cache.verifiers = Some((key, sv.clone(), cv.clone()));
        (sv, cv)
    }

    fn resolver(state: &mut State) -> Arc<IdentityResolver> {
        let key = (state.identity_generation, state.store_generation);
        if let Some((k, r)) = &state.cache.resolver {
            if *k == key {
                return r.clone();
            }
        }
        let store = state.store.certs_der();
        let r = Arc::new(IdentityResolver {
            keys: state
                .identities
                .iter()
                .map(|i| {
                    let chain = auto_chain(&i.chain, &store);
                    Arc::new(CertifiedKey::new(chain, i.signing_key.clone()))
                })
                .collect(),
        });
        state.cache.resolver = Some((key, r.clone()));
        r
    }

    /// The frozen `rustls::ClientConfig` for this generation (cached).
    pub fn client_config(&self) -> Result<Arc<ClientConfig>> {
        let mut state = self.lock();
        if let Some((g, cfg)) = &state.cache.client {
            if *g == state.generation {
                return Ok(cfg.clone());
            }
        }
        let versions = effective_versions(&state);
        if versions.is_empty() {
            return Err(no_protocols());
        }
        let provider = Self::provider(&state, &versions)?;
        let (server_verifier, _) = Self::verifiers(&mut state);
        let resolver = Self::resolver(&mut state);
        let builder = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&versions)
            .map_err(|e| crate::tls_error::config_error(&e))?
            .dangerous()
            .with_custom_certificate_verifier(server_verifier as Arc<dyn ServerCertVerifier>);
        let mut cfg = builder.with_client_cert_resolver(resolver);
        cfg.alpn_protocols = state.settings.alpn_protocols.clone();
        cfg.key_log = self.key_log(&state);
        // Other rustls stacks (tokio-rustls, hyper-rustls, reqwest) resume through
        // rustls's own cache, kept across generations; the crate's connections replace
        // it with their own store (`client_connection`).
        let sessions = state
            .cache
            .external_sessions
            .get_or_insert_with(|| {
                Arc::new(rustls::client::ClientSessionMemoryCache::new(256))
                    as Arc<dyn rustls::client::ClientSessionStore>
            })
            .clone();
        cfg.resumption = rustls::client::Resumption::store(sessions);
        let cfg = Arc::new(cfg);
        state.cache.client = Some((state.generation, cfg.clone()));
        Ok(cfg)
    }

    pub(crate) fn server_side(&self) -> Result<Arc<ServerSide>> {
        let mut state = self.lock();
        if let Some((g, side)) = &state.cache.server {
            if *g == state.generation {
                return Ok(side.clone());
            }
        }
        let versions = effective_versions(&state);
        if versions.is_empty() {
            return Err(no_protocols());
        }
        let provider = Self::provider(&state, &versions)?;
        let (_, client_verifier) = Self::verifiers(&mut state);
        let resolver = Self::resolver(&mut state);
        let has_identity = !state.identities.is_empty();
        let builder = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&versions)
            .map_err(|e| crate::tls_error::config_error(&e))?;
        let builder = if state.settings.verify_mode == VerifyMode::CertNone {
            builder.with_no_client_auth()
        } else {
            builder.with_client_cert_verifier(client_verifier as Arc<dyn ClientCertVerifier>)
        };
        let mut cfg = builder.with_cert_resolver(resolver);
        let options = state.settings.options;
        cfg.ignore_client_order = options.contains(Options::OP_CIPHER_SERVER_PREFERENCE);
        cfg.key_log = self.key_log(&state);
        cfg.session_storage = state
            .cache
            .server_cache
            .get_or_insert_with(|| Arc::new(crate::session::ServerCache::new(20 * 1024)))
            .clone();
        if options.contains(Options::OP_NO_TICKET) {
            cfg.ticketer = Arc::new(NoTickets);
            // TLS 1.3 resumption still works through the stateful cache, as in OpenSSL.
            cfg.send_tls13_tickets =
                usize::try_from(state.settings.num_tickets).unwrap_or(usize::MAX);
        } else {
            let ticketer = match &state.cache.ticketer {
                Some(t) => t.clone(),
                None => {
                    let t = rustls::crypto::ring::Ticketer::new()
                        .map_err(|e| crate::tls_error::config_error(&e))?;
                    state.cache.ticketer = Some(t.clone());
                    t
                }
            };
            cfg.ticketer = ticketer;
            cfg.send_tls13_tickets =
                usize::try_from(state.settings.num_tickets).unwrap_or(usize::MAX);
        }
        let side = Arc::new(ServerSide {
            base: Arc::new(cfg),
            alpn: state.settings.alpn_protocols.clone(),
            by_protocol: Mutex::new(HashMap::new()),
            has_identity,
        });
        state.cache.server = Some((state.generation, side.clone()));
        Ok(side)
    }

    /// The frozen `rustls::ServerConfig` for this generation (cached), with every ALPN
    /// protocol of the context (rustls's own selection; our connections choose the
    /// OpenSSL way per ClientHello).
    pub fn server_config(&self) -> Result<Arc<ServerConfig>> {
        let side = self.server_side()?;
        if side.alpn.is_empty() {
            return Ok(side.base.clone());
        }
        let mut cfg = (*side.base).clone();
        cfg.alpn_protocols = side.alpn.clone();
        Ok(Arc::new(cfg))
    }

    /// The server config for one ClientHello's ALPN offer. Without a certificate the
    /// handshake fails as OpenSSL's does (`NO_SHARED_CIPHER`).
    pub(crate) fn server_config_for(
        &self,
        offered: Option<&[Vec<u8>]>,
    ) -> Result<Arc<ServerConfig>> {
        let side = self.server_side()?;
        if !side.has_identity {
            return Err(crate::tls_error::ssl(Reason::NoSharedCipher));
        }
        Ok(side.for_offer(offered))
    }

    /// The protocol versions (`0x0303`, `0x0304`) this context enables.
    pub(crate) fn server_versions(&self) -> Vec<u16> {
        effective_versions(&self.lock())
            .iter()
            .map(|v| u16::from(v.version))
            .collect()
    }

    /// The TLS 1.2 cipher suites (IANA numbers) a server made from this context enables.
    pub(crate) fn server_tls12_suites(&self) -> Vec<u16> {
        self.server_cipher_suites()
            .unwrap_or_default()
            .iter()
            .filter(|s| s.version() == &rustls::version::TLS12)
            .map(|s| u16::from(s.suite()))
            .collect()
    }

    /// Whether a TLS 1.2 client offering `suites` (and `groups`, when it sent the
    /// extension) can be served, as OpenSSL's server chooses: some suite both enable
    /// whose certificate type is loaded, an ECDSA certificate counting only when its
    /// curve is among the client's groups (`tls1_check_cert_param`).
    pub(crate) fn can_serve_tls12(&self, suites: &[u16], groups: Option<&[u16]>) -> bool {
        let enabled = self.server_cipher_suites().unwrap_or_default();
        let state = self.lock();
        state.identities.iter().any(|id| {
            let curve_ok = match (id.ec_group, groups) {
                (Some(g), Some(groups)) => groups.contains(&g),
                _ => true,
            };
            curve_ok
                && enabled.iter().any(|s| {
                    s.version() == &rustls::version::TLS12
                        && suites.contains(&u16::from(s.suite()))
                        && s.usable_for_signature_algorithm(id.signing_key.algorithm())
                })
        })
    }

    /// Whether some key is loaded but none can sign a TLS 1.3 CertificateVerify with one
    /// of `offered` (the client's `signature_algorithms`, of which only the schemes TLS
    /// 1.3 allows count: ECDSA with its curve's hash, RSA-PSS, EdDSA). Without a key the
    /// handshake fails elsewhere (`NO_SHARED_CIPHER`, as OpenSSL's).
    pub(crate) fn no_tls13_signer_for(&self, offered: &[u16]) -> bool {
        let schemes: Vec<SignatureScheme> = offered
            .iter()
            .filter(|s| matches!(s, 0x0403 | 0x0503 | 0x0603 | 0x0804..=0x080b))
            .map(|s| SignatureScheme::from(*s))
            .collect();
        let state = self.lock();
        !state.identities.is_empty()
            && !state
                .identities
                .iter()
                .any(|id| id.signing_key.choose_scheme(&schemes).is_some())
    }

    /// The cipher suites a server made from this context enables, in its order.
    pub(crate) fn server_cipher_suites(&self) -> Result<Vec<rustls::SupportedCipherSuite>> {
        Ok(self
            .server_side()?
            .base
            .crypto_provider()
            .cipher_suites
            .clone())
    }

    fn key_log(&self, state: &State) -> Arc<dyn rustls::KeyLog> {
        match &state.settings.keylog_filename {
            Some(path) => Arc::new(super::keylog::KeyLogFile::new(path.clone())),
            None => Arc::new(rustls::NoKeyLog),
        }
    }
}

/// `OP_NO_TICKET`: no stateless tickets.
#[derive(Debug)]
struct NoTickets;

impl rustls::server::ProducesTickets for NoTickets {
    fn enabled(&self) -> bool {
        false
    }
    fn lifetime(&self) -> u32 {
        0
    }
    fn encrypt(&self, _plain: &[u8]) -> Option<Vec<u8>> {
        None
    }
    fn decrypt(&self, _cipher: &[u8]) -> Option<Vec<u8>> {
        None
    }
}

impl SslContext {
    /// A client connection for `target` (`None`: no `server_hostname`, so no SNI and
    /// no hostname check, as CPython's `wrap_bio` without a name), whose session is
    /// `sink`, which offers `offered`, and whose key log is `key_log` applied to the
    /// context's.
    ///
    /// The connection gets a shallow copy of the cached config (the verifier and
    /// resolver `Arc`s stay the same, so sessions resume) with its own session store.
    /// Names rustls cannot express also get SNI off and a verifier that checks the exact
    /// text OpenSSL would check.
    pub(crate) fn client_connection(
        &self,
        target: Option<&crate::verify::ServerNameSpec>,
        sink: Arc<Mutex<crate::session::SessionState>>,
        offered: Option<Arc<Mutex<crate::session::SessionState>>>,
        key_log: impl FnOnce(Arc<dyn rustls::KeyLog>) -> Arc<dyn rustls::KeyLog>,
    ) -> Result<rustls::ClientConnection> {
        let cfg = self.client_config()?;
        let kx_hints = self.lock().cache.kx_hints.clone();
        let map = |e: rustls::Error| crate::tls_error::config_error(&e);
        let mut own = (*cfg).clone();
        own.key_log = key_log(cfg.key_log.clone());
        own.resumption = rustls::client::Resumption::store(Arc::new(
            crate::session::ConnectionSessions::new(sink, offered, kx_hints),
        ));
        if let Some(name) = target.and_then(|t| t.rustls_server_name()) {
            return rustls::ClientConnection::new(Arc::new(own), name).map_err(map);
        }
        let core = {
            let mut state = self.lock();
            let (sv, _) = Self::verifiers(&mut state);
            sv.core().clone()
        };
        own.enable_sni = false;
        own.dangerous()
            .set_certificate_verifier(ServerVerifier::for_connection(core, target.cloned()));
        let placeholder = rustls_pki_types::ServerName::IpAddress(rustls_pki_types::IpAddr::V4(
            rustls_pki_types::Ipv4Addr::from([0, 0, 0, 0]),
        ));
        rustls::ClientConnection::new(Arc::new(own), placeholder).map_err(map)
    }
}

/// OpenSSL's "auto chain" (no `SSL_MODE_NO_AUTO_CHAIN`): a certificate loaded without
/// chain certificates is sent with the issuers found in the context's own trust store,
/// up to a self-issued one (included, as OpenSSL sends the chain it built). A chain
/// loaded with the certificate is sent as loaded.
pub(crate) fn auto_chain(
    chain: &[rustls::pki_types::CertificateDer<'static>],
    store: &[rustls::pki_types::CertificateDer<'static>],
) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let mut out = chain.to_vec();
    if chain.len() != 1 || store.is_empty() {
        return out;
    }
    let Ok((_, leaf)) = X509Certificate::from_der(chain[0].as_ref()) else {
        return out;
    };
    let parsed: Vec<_> = store
        .iter()
        .filter_map(|d| {
            X509Certificate::from_der(d.as_ref())
                .ok()
                .map(|(_, c)| (d, c))
        })
        .collect();
    let mut subject = leaf.subject().as_raw();
    let mut issuer = leaf.issuer().as_raw();
    while issuer != subject && out.len() < 10 {
        let Some((der, cert)) = parsed.iter().find(|(_, c)| c.subject().as_raw() == issuer) else {
            break;
        };
        if out.contains(der) {
            break;
        }
        out.push((*der).clone());
        subject = cert.subject().as_raw();
        issuer = cert.issuer().as_raw();
    }
    out
}
