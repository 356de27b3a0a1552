//! `sslctx verify`: offline chain and hostname verification, as a client context
//! configured by the flags would verify a server's chain.

use clap::Args;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};
use serde_json::{json, Value};
use std::path::PathBuf;

use sslcontext::__private::encode_hostname;
use sslcontext::{Error, Protocol, SslContext};

/// Arguments of `sslctx verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// A trusted CA file (PEM); may be repeated.
    #[arg(long = "cafile", value_name = "F")]
    cafiles: Vec<PathBuf>,
    /// A hashed CA directory (`c_rehash` layout).
    #[arg(long, value_name = "D")]
    capath: Option<PathBuf>,
    /// The name the leaf must match (`server_hostname`); a value may start with `-`.
    #[arg(long, value_name = "H", allow_hyphen_values = true)]
    server_hostname: Option<String>,
    /// `check_hostname = False`.
    #[arg(long)]
    no_check_hostname: bool,
    /// `hostname_checks_common_name = False`.
    #[arg(long)]
    no_cn_fallback: bool,
    /// A `VERIFY_*` flag name (or an int) OR-ed into `verify_flags`; may be repeated.
    #[arg(long = "verify-flag", value_name = "NAME")]
    verify_flags: Vec<String>,
    /// Verify at this time (seconds since the epoch) instead of now.
    #[arg(long, value_name = "UNIX_TIME")]
    at: Option<u64>,
    /// The chain as the server sends it: leaf first, then intermediates (PEM).
    chain: PathBuf,
}

/// Verifies the chain and returns `{"ok": true, "chain": [...]}` or the error.
pub fn run(args: &VerifyArgs) -> Result<Value, Error> {
    let ctx = SslContext::new(Protocol::TlsClient)?;
    if args.no_check_hostname {
        ctx.set_check_hostname(false)?;
    }
    if args.no_cn_fallback {
        ctx.set_hostname_checks_common_name(false)?;
    }
    for name in &args.verify_flags {
        ctx.set_verify_flags(ctx.verify_flags() | crate::tls_opts::parse_verify_flag(name)?)?;
    }
    for f in &args.cafiles {
        ctx.load_verify_locations(Some(f), None, None)?;
    }
    if let Some(d) = &args.capath {
        ctx.load_verify_locations(None, Some(d), None)?;
    }
    // The name is checked for IDNA errors before the chain file is read, as before.
    match args.server_hostname.as_deref() {
        Some(h) => {
            encode_hostname(h)?;
        }
        None if ctx.check_hostname() => {
            return Err(Error::value("check_hostname requires server_hostname"))
        }
        None => {}
    }
    let chain = read_chain(&args.chain)?;
    let now = match args.at {
        Some(t) => UnixTime::since_unix_epoch(std::time::Duration::from_secs(t)),
        None => UnixTime::now(),
    };
    let verified = ctx.verify_chain(&chain, args.server_hostname.as_deref(), Some(now))?;
    let dicts = verified
        .iter()
        .map(|der| crate::context_cmd::to_json(sslcontext::x509::decode_der(der.as_ref())?))
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(json!({ "ok": true, "chain": dicts }))
}

/// Every certificate of a PEM file, in order.
fn read_chain(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    // Reading first gives the CPython-shaped FileNotFoundError for a missing file.
    let data = std::fs::read(path).map_err(|e| crate::output::io_error_with_path(e, path))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&data)
        .filter_map(Result::ok)
        .collect();
    if certs.is_empty() {
        return Err(Error::value(format!(
            "no certificate found in {}",
            path.display()
        )));
    }
    Ok(certs)
}
