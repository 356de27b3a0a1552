//! Server name indication callbacks (`SSLContext.sni_callback`,
//! `set_servername_callback`), run at the ClientHello, before any configuration is
//! chosen, so that a callback may swap the connection's whole context.
//!
//! The callback gets an [`SniHandle`], not the connection: the name the client asked
//! for and the connection's context, which it may replace. A connection in the middle
//! of its ClientHello step cannot be read from or written to, and the handle makes that
//! impossible rather than a documented trap.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use super::SslContext;

/// The error a callback returns; CPython reports the callback's exception through
/// `sys.unraisablehook` and fails the handshake with `handshake_failure`.
pub type SniError = Box<dyn std::error::Error + Send + Sync>;

/// What a callback decides: `Ok(None)` continues the handshake; `Ok(Some(alert))`
/// aborts it with that alert (an `ALERT_DESCRIPTION_*` value; a value that is not a
/// byte sends no alert, as OpenSSL); `Err(_)` aborts with `handshake_failure`.
pub type SniResult = Result<Option<i64>, SniError>;

/// `sni_callback(ssl_object, server_name, ssl_context)`: `server_name` is the SNI as
/// sent (an A-label), `None` without SNI; the third argument is the context the
/// callback was registered on. Setting another context on the handle
/// ([`SniHandle::set_context`], CPython's `ssl_object.context = ...`) makes the whole
/// of that context apply to the connection.
pub type SniCallback =
    Arc<dyn Fn(&mut SniHandle, Option<&str>, &SslContext) -> SniResult + Send + Sync>;

/// What an SNI callback may see and change of the connection being accepted (the
/// `ssl_object` argument of CPython's callback).
#[derive(Debug)]
pub struct SniHandle {
    context: SslContext,
    server_name: Option<String>,
}

impl SniHandle {
    pub(crate) fn new(context: SslContext, server_name: Option<&str>) -> Self {
        SniHandle {
            context,
            server_name: server_name.map(str::to_string),
        }
    }

    /// `ssl_object.context`: the context the connection will use.
    pub fn context(&self) -> &SslContext {
        &self.context
    }

    /// `ssl_object.context = ctx`: the whole of `ctx` (certificate, verification,
    /// ALPN, versions, ciphers, tickets) applies to the connection.
    pub fn set_context(&mut self, ctx: &SslContext) {
        self.context = ctx.clone();
    }

    /// `ssl_object.server_side`: always true (callbacks run on servers).
    pub fn server_side(&self) -> bool {
        true
    }

    /// The name the client sent (SNI, as sent), `None` without SNI.
    pub fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }

    pub(crate) fn into_context(self) -> SslContext {
        self.context
    }
}

/// How a callback ended, when it did not let the handshake continue.
pub(crate) enum Refusal {
    /// Send this fatal alert (`None`: no alert, as for a value that is not a byte).
    Alert(Option<u8>),
}

/// Runs `cb` as CPython does. A panicking callback is treated as one that returned a
/// wrong type: `internal_error` (CPython's reaction to a non-int return value).
pub(crate) fn run(
    cb: &SniCallback,
    handle: &mut SniHandle,
    registered_on: &SslContext,
) -> Result<(), Refusal> {
    let name = handle.server_name.clone();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        cb(handle, name.as_deref(), registered_on)
    }));
    match outcome {
        Ok(Ok(None)) => Ok(()),
        Ok(Ok(Some(alert))) => Err(Refusal::Alert(u8::try_from(alert).ok())),
        Ok(Err(_)) => Err(Refusal::Alert(Some(40))),
        Err(_) => Err(Refusal::Alert(Some(80))),
    }
}

/// `set_servername_callback(cb)`'s shim: the name goes through the IDNA codec first
/// (`str.encode('idna')`, which leaves A-labels as they are); a name the codec refuses
/// makes the callback fail.
pub(crate) fn servername_shim(cb: SniCallback) -> SniCallback {
    Arc::new(move |handle, name, ctx| {
        let encoded = match name {
            Some(n) => {
                Some(crate::verify::encode_hostname(n).map_err(|e| Box::new(e) as SniError)?)
            }
            None => None,
        };
        cb(handle, encoded.as_ref().map(|e| e.hostname.as_str()), ctx)
    })
}
