//! The crate manual: what a user needs to know beyond each item's own documentation.
//!
//! # Naming
//!
//! Python names, Rust idioms. Methods keep CPython's names exactly (`getpeercert`,
//! `get_ca_certs`, `load_cert_chain`, `recv_into`, `sendall`); attributes become a
//! getter and a `set_` setter (`verify_mode()` / `set_verify_mode()`); keyword arguments
//! become an options struct ([`WrapOptions`](crate::WrapOptions),
//! [`CaLocations`](crate::CaLocations)); Python's `None` is `Option`; CPython's
//! exceptions are the variants of [`Error`](crate::Error), whose `Display` is CPython's
//! `str(e)` without the `(_ssl.c:N)` suffix. Every difference from CPython 3.11 on
//! OpenSSL 3.0 is in `docs/COMPATIBILITY.md` and [`compat::features`](crate::compat::features).
//!
//! # Threading and state
//!
//! * [`SslContext`](crate::SslContext) is a shared handle (`Clone + Send + Sync`),
//!   like a Python object: setters take `&self` and change every handle. A setter that
//!   fails leaves the context exactly as it was (setters work on a copy).
//! * A connection keeps the configuration it was made from: later setters change
//!   nothing in it (rustls configs are frozen per *generation* of the context; the
//!   verifier, resolver, ticketer and session-cache `Arc`s survive unrelated setters,
//!   so sessions keep resuming). Exceptions that follow CPython: `getpeercert()` and
//!   `shared_ciphers()` read the live context, and [`OP_IGNORE_UNEXPECTED_EOF`](crate::Options::OP_IGNORE_UNEXPECTED_EOF)
//!   is read when the EOF happens.
//! * Loading trust (`load_verify_locations`, `load_default_certs`, ...) reads files and
//!   walks directories *outside* the context's lock: handshakes on other threads never
//!   wait for file I/O. Loads themselves are serialised.
//! * [`SslObject`](crate::SslObject) and [`SslSocket`](crate::SslSocket) are `Send`:
//!   a connection may move between threads between calls. Each call is synchronous.
//! * Per-connection state lives in the connection: each client connection has its own
//!   session store inside its own shallow copy of the frozen `ClientConfig`. The one
//!   thread-local the crate has carries a certificate-verification failure (code and
//!   message) from the verifier, which rustls calls synchronously inside
//!   `process_new_packets`, back to the connection that made the call; it is opened by
//!   a guard around that call and closed on drop, unwinding included.
//!
//! # Driving the frozen configurations outside the crate
//!
//! [`SslContext::client_config`](crate::SslContext::client_config) and
//! [`SslContext::server_config`](crate::SslContext::server_config) hand any
//! rustls-based stack (tokio-rustls, hyper-rustls, reqwest) the context's frozen
//! configuration. What survives (each row is checked by `tests/escape_hatch.rs`):
//!
//! | behaviour | through this crate's connections | through plain rustls |
//! | --- | --- | --- |
//! | certificate verification (OpenSSL's path validation, host check, CRLs) | yes | yes |
//! | OpenSSL's verify code and message | in `SSLCertVerificationError` | inside `rustls::Error::InvalidCertificate(CertificateError::Other(..))` as a [`VerifyFailure`](crate::VerifyFailure); the alert is then `bad_certificate` rather than OpenSSL's choice |
//! | client session resumption | only with the session given (`WrapOptions::session`) | through rustls's own in-memory cache in the shared config |
//! | ALPN without overlap | the handshake continues without ALPN (OpenSSL's rule) | rustls's fatal `no_application_protocol` |
//! | `sni_callback` | runs at the ClientHello | does not run |
//! | `session_stats()` | counted | only the server cache's misses and evictions |
//!
//! # EOF rules
//!
//! As OpenSSL 3.0 without read-ahead: a read never takes bytes past the current TLS
//! record, so bytes after the peer's close_notify stay in the incoming buffer (or the
//! socket) for `unwrap()` and STARTTLS. A transport that ends without close_notify is
//! `SSLEOFError` ("EOF occurred in violation of protocol", library and reason on the
//! first report only) unless `OP_IGNORE_UNEXPECTED_EOF` is set; after the peer's
//! close_notify a read returns `b""` (or `SSLZeroReturnError` once ours was sent).
//! `SslSocket` honours `suppress_ragged_eofs` as CPython's `SSLSocket` does.
//!
//! # Certificate verification
//!
//! Paths are validated as OpenSSL 3.0's `X509_verify_cert` validates them, in its
//! order and with its `X509_V_ERR_*` codes (chain building, extensions and strict
//! RFC 5280 checks, security level, host name, CRLs, signatures and validity, name
//! constraints including a commonName used as the host name). The crate's own
//! certificate parser reads certificates with OpenSSL's `d2i_X509` rules; ring checks
//! signatures. Agreement with OpenSSL is measured on the x509-limbo suite
//! (`tests/limbo.rs`) and against the live `openssl verify` (`tests/verify_openssl_live.rs`).
//! [`SslContext::verify_chain`](crate::SslContext::verify_chain) runs the same verifier
//! offline.
