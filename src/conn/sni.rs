//! Server name indication callbacks (`SSLContext.sni_callback`,
//! `set_servername_callback`), run at the ClientHello, before any configuration is
//! chosen, so that a callback may swap the connection's whole context.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use super::object::SslObject;
use crate::context::SslContext;

/// The error a callback returns; CPython reports the callback's exception through
/// `sys.unraisablehook` and fails the handshake with `handshake_failure`.
pub type SniError = Box<dyn std::error::Error + Send + Sync>;

/// What a callback decides: `Ok(None)` continues the handshake; `Ok(Some(alert))`
/// aborts it with that alert (an `ALERT_DESCRIPTION_*` value; a value that is not a
/// byte sends no alert, as OpenSSL); `Err(_)` aborts with `handshake_failure`.
pub type SniResult = Result<Option<i64>, SniError>;

/// `sni_callback(ssl_object, server_name, ssl_context)`: `server_name` is the SNI as
/// sent (an A-label), `None` without SNI. Assigning another context to the object
/// (`ssl_object.set_context(...)`) makes the whole of that context apply.
pub type SniCallback =
    Arc<dyn Fn(&mut SslObject, Option<&str>, &SslContext) -> SniResult + Send + Sync>;

/// How a callback ended, when it did not let the handshake continue.
pub(crate) enum Refusal {
    /// Send this fatal alert (`None`: no alert, as for a value that is not a byte).
    Alert(Option<u8>),
}

/// Runs `cb` as CPython does. A panicking callback is treated as one that returned a
/// wrong type: `internal_error` (CPython's reaction to a non-int return value).
pub(crate) fn run(
    cb: &SniCallback,
    obj: &mut SslObject,
    server_name: Option<&str>,
    registered_on: &SslContext,
) -> Result<(), Refusal> {
    let outcome = catch_unwind(AssertUnwindSafe(|| cb(obj, server_name, registered_on)));
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
    Arc::new(move |obj, name, ctx| {
        let encoded = match name {
            Some(n) => {
                Some(crate::verify::encode_hostname(n).map_err(|e| Box::new(e) as SniError)?)
            }
            None => None,
        };
        cb(obj, encoded.as_ref().map(|e| e.hostname.as_str()), ctx)
    })
}
