//! `sslctx ciphers [--server] [STRING]`: `get_ciphers()` of a fresh context after
//! `set_ciphers(STRING)`.

use clap::Args;
use serde_json::Value;

use sslcontext::{Error, Protocol, SslContext};

/// Arguments of `sslctx ciphers`.
#[derive(Args)]
pub struct CiphersArgs {
    /// Use `PROTOCOL_TLS_SERVER` instead of `PROTOCOL_TLS_CLIENT`.
    #[arg(long)]
    server: bool,
    /// An OpenSSL cipher string for `set_ciphers` (none: the context's defaults).
    string: Option<String>,
}

/// The list of cipher dicts.
pub fn run(args: &CiphersArgs) -> Result<Value, Error> {
    let protocol = if args.server {
        Protocol::TlsServer
    } else {
        Protocol::TlsClient
    };
    let ctx = SslContext::new(protocol)?;
    if let Some(s) = &args.string {
        ctx.set_ciphers(s)?;
    }
    crate::context_cmd::to_json(ctx.get_ciphers())
}
