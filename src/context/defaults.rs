//! `ssl.create_default_context()` and `ssl._create_unverified_context()`, built exactly
//! as `Lib/ssl.py` builds them.

use std::path::Path;

use super::SslContext;
use crate::error::Result;
use crate::pki::CaData;
use crate::{Protocol, Purpose, VerifyMode};

/// Where `create_default_context` takes its trust anchors from.
#[derive(Debug, Default, Clone)]
pub struct CaLocations<'a> {
    /// `cafile`.
    pub cafile: Option<&'a Path>,
    /// `capath`.
    pub capath: Option<&'a Path>,
    /// `cadata`.
    pub cadata: Option<CaData>,
}

impl CaLocations<'_> {
    /// Python's truthiness test `cafile or capath or cadata` (empty values are falsy).
    fn any(&self) -> bool {
        let nonempty = |p: Option<&Path>| p.is_some_and(|p| !p.as_os_str().is_empty());
        nonempty(self.cafile)
            || nonempty(self.capath)
            || match &self.cadata {
                Some(CaData::Text(t)) => !t.is_empty(),
                Some(CaData::Bytes(b)) => !b.is_empty(),
                None => false,
            }
    }
}

/// `ssl.create_default_context(purpose)` with the system trust store.
pub fn create_default_context(purpose: Purpose) -> Result<SslContext> {
    create_default_context_with(purpose, CaLocations::default())
}

/// `ssl.create_default_context(purpose, cafile=, capath=, cadata=)`.
///
/// `SERVER_AUTH` gives a `PROTOCOL_TLS_CLIENT` context with `CERT_REQUIRED` and
/// `check_hostname`; `CLIENT_AUTH` a `PROTOCOL_TLS_SERVER` context. The given CA
/// locations are loaded, else the system store when the mode verifies. `SSLKEYLOGFILE`
/// is honoured.
pub fn create_default_context_with(purpose: Purpose, cas: CaLocations<'_>) -> Result<SslContext> {
    let ctx = match purpose {
        Purpose::ServerAuth => {
            let ctx = SslContext::new(Protocol::TlsClient)?;
            ctx.set_verify_mode(VerifyMode::CertRequired)?;
            ctx.set_check_hostname(true)?;
            ctx
        }
        Purpose::ClientAuth => SslContext::new(Protocol::TlsServer)?,
    };
    load_cas(&ctx, purpose, &cas)?;
    apply_keylog_env(&ctx)?;
    Ok(ctx)
}

fn load_cas(ctx: &SslContext, purpose: Purpose, cas: &CaLocations<'_>) -> Result<()> {
    if cas.any() {
        ctx.load_verify_locations(cas.cafile, cas.capath, cas.cadata.as_ref())
    } else if ctx.verify_mode() != VerifyMode::CertNone {
        ctx.load_default_certs(purpose)
    } else {
        Ok(())
    }
}

fn apply_keylog_env(ctx: &SslContext) -> Result<()> {
    match std::env::var_os("SSLKEYLOGFILE") {
        Some(path) if !path.is_empty() => ctx.set_keylog_filename(Some(Path::new(&path))),
        _ => Ok(()),
    }
}

/// Keyword arguments of `ssl._create_unverified_context()`.
#[derive(Debug, Clone)]
pub struct UnverifiedOptions<'a> {
    /// `protocol` (`None`: TLS_CLIENT for SERVER_AUTH, TLS_SERVER for CLIENT_AUTH).
    pub protocol: Option<Protocol>,
    /// `cert_reqs` (default `CERT_NONE`; `None` keeps the constructor's default).
    pub cert_reqs: Option<VerifyMode>,
    /// `check_hostname` (default false).
    pub check_hostname: bool,
    /// `purpose`.
    pub purpose: Purpose,
    /// `certfile`.
    pub certfile: Option<&'a Path>,
    /// `keyfile`.
    pub keyfile: Option<&'a Path>,
    /// `cafile`, `capath`, `cadata`.
    pub cas: CaLocations<'a>,
}

impl Default for UnverifiedOptions<'_> {
    fn default() -> Self {
        UnverifiedOptions {
            protocol: None,
            cert_reqs: Some(VerifyMode::CertNone),
            check_hostname: false,
            purpose: Purpose::ServerAuth,
            certfile: None,
            keyfile: None,
            cas: CaLocations::default(),
        }
    }
}

/// `ssl._create_unverified_context()` (alias `_create_stdlib_context`).
pub fn create_unverified_context(opts: UnverifiedOptions<'_>) -> Result<SslContext> {
    let protocol = opts.protocol.unwrap_or(match opts.purpose {
        Purpose::ServerAuth => Protocol::TlsClient,
        Purpose::ClientAuth => Protocol::TlsServer,
    });
    let ctx = SslContext::new(protocol)?;
    ctx.set_check_hostname(opts.check_hostname)?;
    if let Some(mode) = opts.cert_reqs {
        ctx.set_verify_mode(mode)?;
    }
    if opts.check_hostname {
        ctx.set_check_hostname(true)?;
    }
    if opts.keyfile.is_some() && opts.certfile.is_none() {
        return Err(crate::Error::value("certfile must be specified"));
    }
    if let Some(certfile) = opts.certfile {
        ctx.load_cert_chain(certfile, opts.keyfile, None)?;
    }
    load_cas(&ctx, opts.purpose, &opts.cas)?;
    apply_keylog_env(&ctx)?;
    Ok(ctx)
}
