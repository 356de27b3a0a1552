//! `sslctx context [--protocol P] [--op NAME=VALUE]...`

use clap::Args;
use serde_json::{json, Value};
use std::path::Path;

use sslcontext::{
    CaData, Error, Options, Password, Protocol, Purpose, SslContext, TlsVersion, VerifyFlags,
    VerifyMode,
};

/// Arguments of `sslctx context`.
#[derive(Args)]
pub struct ContextArgs {
    /// tls, client, server, default-client or default-server.
    #[arg(long, default_value = "tls")]
    protocol: String,
    /// An operation NAME=VALUE applied in order (see DESIGN.md §5).
    #[arg(long = "op", value_name = "NAME=VALUE")]
    ops: Vec<String>,
}

/// Builds the context, applies the ops, prints its state.
pub fn run(args: &ContextArgs) -> Result<Value, Error> {
    let ctx = make_context(&args.protocol)?;
    for op in &args.ops {
        let (name, value) = op
            .split_once('=')
            .ok_or_else(|| Error::value(format!("--op wants NAME=VALUE, got {op:?}")))?;
        apply_op(&ctx, name, value)?;
    }
    state_json(&ctx)
}

fn make_context(protocol: &str) -> Result<SslContext, Error> {
    match protocol {
        "tls" => SslContext::new(Protocol::Tls),
        "client" => SslContext::new(Protocol::TlsClient),
        "server" => SslContext::new(Protocol::TlsServer),
        "default-client" => sslcontext::create_default_context(Purpose::ServerAuth),
        "default-server" => sslcontext::create_default_context(Purpose::ClientAuth),
        other => Err(Error::value(format!(
            "unknown --protocol {other:?} (tls, client, server, default-client, default-server)"
        ))),
    }
}

/// A Python int literal: decimal or `0x` hex, optionally negative.
pub fn parse_int(value: &str) -> Result<i64, Error> {
    let v = value.trim();
    let (neg, digits) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v),
    };
    let parsed = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i128::from_str_radix(hex, 16)
    } else {
        digits.parse::<i128>()
    }
    .map_err(|_| Error::TypeError(format!("invalid literal for int() with base 10: {v:?}")))?;
    let parsed = if neg { -parsed } else { parsed };
    i64::try_from(parsed)
        .map_err(|_| Error::OverflowError("Python int too large to convert to C long".into()))
}

/// `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`).
pub fn parse_bool(value: &str) -> Result<bool, Error> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        other => Err(Error::value(format!("not a boolean: {other:?}"))),
    }
}

/// `TLSv1_3`, `TLSVersion.TLSv1_3`, `MAXIMUM_SUPPORTED` or an integer.
pub fn parse_version(value: &str) -> Result<TlsVersion, Error> {
    let name = value.strip_prefix("TLSVersion.").unwrap_or(value);
    match TlsVersion::from_name(name) {
        Some(v) => Ok(v),
        None => TlsVersion::from_int(parse_int(value)?),
    }
}

pub fn parse_verify_mode(value: &str) -> Result<VerifyMode, Error> {
    let name = value.strip_prefix("VerifyMode.").unwrap_or(value);
    match VerifyMode::from_name(name) {
        Some(m) => Ok(m),
        None => VerifyMode::from_int(parse_int(value)?),
    }
}

fn apply_op(ctx: &SslContext, name: &str, value: &str) -> Result<(), Error> {
    match name {
        "verify_mode" => ctx.set_verify_mode(parse_verify_mode(value)?),
        "check_hostname" => ctx.set_check_hostname(parse_bool(value)?),
        "minimum_version" => ctx.set_minimum_version(parse_version(value)?),
        "maximum_version" => ctx.set_maximum_version(parse_version(value)?),
        "options" => ctx.set_options(Options::from_bits_retain(parse_int(value)? as u64)),
        "verify_flags" => {
            ctx.set_verify_flags(VerifyFlags::from_bits_retain(parse_int(value)? as u64))
        }
        "hostname_checks_common_name" => ctx.set_hostname_checks_common_name(parse_bool(value)?),
        "post_handshake_auth" => ctx.set_post_handshake_auth(parse_bool(value)?),
        "num_tickets" => ctx.set_num_tickets(parse_int(value)?),
        "set_alpn_protocols" => {
            let protocols: Vec<&str> = if value.is_empty() {
                Vec::new()
            } else {
                value.split(',').collect()
            };
            ctx.set_alpn_protocols(&protocols)
        }
        "keylog_filename" => ctx.set_keylog_filename(Some(Path::new(value))),
        "load_cert_chain" => {
            let mut parts = value.splitn(3, ',');
            let cert = parts.next().unwrap_or_default();
            let key = parts.next().filter(|k| !k.is_empty()).map(Path::new);
            let password = parts.next().map(Password::from);
            ctx.load_cert_chain(cert, key, password)
        }
        "load_verify_locations" => ctx.load_verify_locations(Some(Path::new(value)), None, None),
        "capath" => ctx.load_verify_locations(None, Some(Path::new(value)), None),
        "cadata_text" => {
            let text = std::fs::read_to_string(value).map_err(Error::Io)?;
            ctx.load_verify_locations(None, None, Some(&CaData::Text(text)))
        }
        "cadata_bytes" => {
            let bytes = std::fs::read(value).map_err(Error::Io)?;
            ctx.load_verify_locations(None, None, Some(&CaData::Bytes(bytes)))
        }
        "set_ciphers" => ctx.set_ciphers(value),
        "set_ecdh_curve" => ctx.set_ecdh_curve(value),
        "load_dh_params" => ctx.load_dh_params(value),
        other => Err(Error::value(format!("unknown --op {other:?}"))),
    }
}

/// The context's attributes, keyed by their Python names, valued as `json.dumps` prints them.
fn state_json(ctx: &SslContext) -> Result<Value, Error> {
    let stats = ctx.session_stats();
    Ok(json!({
        "protocol": ctx.protocol().value(),
        "options": ctx.options().bits(),
        "verify_mode": ctx.verify_mode().value(),
        "check_hostname": ctx.check_hostname(),
        "minimum_version": ctx.minimum_version().value(),
        "maximum_version": ctx.maximum_version().value(),
        "verify_flags": ctx.verify_flags().bits(),
        "hostname_checks_common_name": ctx.hostname_checks_common_name(),
        "post_handshake_auth": ctx.post_handshake_auth(),
        "security_level": ctx.security_level(),
        "num_tickets": ctx.num_tickets(),
        "keylog_filename": ctx.keylog_filename().map(|p| p.to_string_lossy().into_owned()),
        "cert_store_stats": to_json(ctx.cert_store_stats())?,
        "session_stats": to_json(stats)?,
        "get_ca_certs": to_json(ctx.get_ca_certs()?)?,
        "get_ciphers": ctx.get_ciphers().iter().map(|c| c.name.to_string()).collect::<Vec<_>>(),
    }))
}

/// A serde value as JSON (the library's serde shapes are CPython's).
pub fn to_json<T: serde::Serialize>(value: T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|e| Error::value(e.to_string()))
}
