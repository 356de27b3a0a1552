//! The client and server options of `connect` and `serve` (they mirror the `context`
//! ops), and the per-connection JSON summary both print.

use clap::Args;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::PathBuf;

use sslcontext::{
    create_default_context_with, CaLocations, Error, Password, PeerCertificate, Protocol, Purpose,
    SslContext, SslSocket, VerifyFlags,
};

use crate::context_cmd::{parse_int, parse_verify_mode, parse_version, to_json};

/// Options shared by `connect` and `serve`.
#[derive(Args, Clone, Debug, Default)]
pub struct TlsOpts {
    /// A trusted CA file (PEM); may be repeated. `connect` without one trusts the
    /// system store (`create_default_context()`).
    #[arg(long = "cafile", value_name = "F")]
    pub cafiles: Vec<PathBuf>,
    /// This side's certificate chain (PEM) for `load_cert_chain`.
    #[arg(long, value_name = "F")]
    pub certfile: Option<PathBuf>,
    /// The private key, when it is not in `--certfile`.
    #[arg(long, value_name = "F")]
    pub keyfile: Option<PathBuf>,
    /// The key's password.
    #[arg(long)]
    pub password: Option<String>,
    /// `CERT_NONE`, `CERT_OPTIONAL`, `CERT_REQUIRED` (or 0, 1, 2).
    #[arg(long, value_name = "MODE")]
    pub verify_mode: Option<String>,
    /// `check_hostname = False`.
    #[arg(long)]
    pub no_check_hostname: bool,
    /// `server_hostname` (`connect` defaults to HOST); a value may start with `-`.
    #[arg(long, value_name = "H", allow_hyphen_values = true)]
    pub server_hostname: Option<String>,
    /// ALPN protocols, comma-separated (`set_alpn_protocols`).
    #[arg(long, value_name = "A,B")]
    pub alpn: Option<String>,
    /// An OpenSSL cipher string (`set_ciphers`).
    #[arg(long, value_name = "STRING")]
    pub ciphers: Option<String>,
    /// `minimum_version` (`TLSv1_2`, `TLSv1_3`, ...).
    #[arg(long, value_name = "V")]
    pub min_version: Option<String>,
    /// `maximum_version`.
    #[arg(long, value_name = "V")]
    pub max_version: Option<String>,
    /// `set_ecdh_curve` (`prime256v1`, `secp384r1`, `X25519`).
    #[arg(long, value_name = "NAME")]
    pub ecdh_curve: Option<String>,
    /// A `VERIFY_*` flag (or an int) OR-ed into `verify_flags`; may be repeated.
    #[arg(long = "verify-flag", value_name = "NAME")]
    pub verify_flags: Vec<String>,
}

/// `VERIFY_X509_STRICT`, `VerifyFlags.VERIFY_CRL_CHECK_LEAF` or an integer.
pub fn parse_verify_flag(name: &str) -> Result<VerifyFlags, Error> {
    let bare = name.strip_prefix("VerifyFlags.").unwrap_or(name);
    match VerifyFlags::from_name(bare) {
        Some(f) => Ok(f),
        None if bare.starts_with("VERIFY_") => {
            Err(Error::value(format!("unknown verify flag {name:?}")))
        }
        None => Ok(VerifyFlags::from_bits_retain(parse_int(name)? as u64)),
    }
}

impl TlsOpts {
    /// A client context (`create_default_context()`, or one trusting only `--cafile`)
    /// configured by the options.
    pub fn client_context(&self) -> Result<SslContext, Error> {
        let ctx = create_default_context_with(
            Purpose::ServerAuth,
            CaLocations {
                cafile: self.cafiles.first().map(PathBuf::as_path),
                capath: None,
                cadata: None,
            },
        )?;
        for f in self.cafiles.iter().skip(1) {
            ctx.load_verify_locations(Some(f), None, None)?;
        }
        self.apply(&ctx)?;
        Ok(ctx)
    }

    /// A `PROTOCOL_TLS_SERVER` context configured by the options.
    pub fn server_context(&self) -> Result<SslContext, Error> {
        if self
            .server_hostname
            .as_deref()
            .is_some_and(|h| !h.is_empty())
        {
            return Err(Error::value(
                "server_hostname can only be specified in client mode",
            ));
        }
        let ctx = SslContext::new(Protocol::TlsServer)?;
        for f in &self.cafiles {
            ctx.load_verify_locations(Some(f), None, None)?;
        }
        self.apply(&ctx)?;
        Ok(ctx)
    }

    /// The setters, in an order that lets a valid combination through (as a Python
    /// user would write them: `check_hostname` off before `CERT_NONE`).
    fn apply(&self, ctx: &SslContext) -> Result<(), Error> {
        if self.no_check_hostname {
            ctx.set_check_hostname(false)?;
        }
        if let Some(m) = &self.verify_mode {
            ctx.set_verify_mode(parse_verify_mode(m)?)?;
        }
        if let Some(v) = &self.min_version {
            ctx.set_minimum_version(parse_version(v)?)?;
        }
        if let Some(v) = &self.max_version {
            ctx.set_maximum_version(parse_version(v)?)?;
        }
        for f in &self.verify_flags {
            ctx.set_verify_flags(ctx.verify_flags() | parse_verify_flag(f)?)?;
        }
        if let Some(c) = &self.ciphers {
            ctx.set_ciphers(c)?;
        }
        if let Some(c) = &self.ecdh_curve {
            ctx.set_ecdh_curve(c)?;
        }
        if let Some(a) = &self.alpn {
            let list: Vec<&str> = a.split(',').filter(|p| !p.is_empty()).collect();
            ctx.set_alpn_protocols(&list)?;
        }
        if let Some(cert) = &self.certfile {
            let password = self.password.as_deref().map(Password::from);
            ctx.load_cert_chain(cert, self.keyfile.as_deref(), password)?;
        } else if self.keyfile.is_some() {
            return Err(Error::value("--keyfile needs --certfile"));
        }
        Ok(())
    }
}

/// `getpeercert()` as JSON: the dict, `{}` when not verified, `null` without one.
pub fn peercert_json(cert: Option<PeerCertificate>) -> Result<Value, Error> {
    match cert {
        Some(PeerCertificate::Decoded(info)) => to_json(&*info),
        Some(PeerCertificate::NotVerified) => Ok(json!({})),
        None => Ok(Value::Null),
    }
}

/// `SSLSocket.cipher()` as `json.dumps` prints the tuple.
pub fn cipher_json(cipher: Option<(String, &'static str, u16)>) -> Value {
    match cipher {
        Some((name, proto, bits)) => json!([name, proto, bits]),
        None => Value::Null,
    }
}

/// One connection's summary line.
pub fn summary<S: Read + Write>(sock: &SslSocket<S>) -> Result<Value, Error> {
    Ok(json!({
        "version": sock.version(),
        "cipher": cipher_json(sock.cipher()),
        "alpn": sock.selected_alpn_protocol(),
        "peercert": peercert_json(sock.getpeercert()?)?,
        "session_reused": sock.session_reused(),
        "server_hostname": sock.sslobj().server_hostname(),
    }))
}
