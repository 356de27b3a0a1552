//! `sslctx connect HOST:PORT [options] [--send TEXT] [--reconnect]`: one client
//! handshake (two with `--reconnect`), each printed as a summary line.

use clap::Args;
use serde_json::{Map, Value};
use std::net::TcpStream;
use std::time::Duration;

use sslcontext::{Error, SslContext, SslSocket, WrapOptions};

use crate::output::{error_json, print_line};
use crate::tls_opts::{summary, TlsOpts};

/// Arguments of `sslctx connect`.
#[derive(Args)]
pub struct ConnectArgs {
    /// HOST:PORT (`[::1]:443` for an IPv6 address).
    address: String,
    #[command(flatten)]
    tls: TlsOpts,
    /// Write TEXT, then read until as many bytes came back (or EOF).
    #[arg(long)]
    send: Option<String>,
    /// Connect a second time, offering the first connection's session.
    #[arg(long)]
    reconnect: bool,
    /// Socket read/write timeout in seconds.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

/// Splits `HOST:PORT` / `[V6]:PORT`.
fn split_address(address: &str) -> Result<(String, u16), Error> {
    let bad = || Error::value(format!("expected HOST:PORT, got {address:?}"));
    let (host, port) = address.rsplit_once(':').ok_or_else(bad)?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host.to_string(), port))
}

/// Runs the connection(s), printing one line per connection; returns the exit code.
pub fn run(args: &ConnectArgs) -> i32 {
    match run_inner(args) {
        Ok(()) => 0,
        Err(e) => {
            print_line(&error_json(&e));
            1
        }
    }
}

fn run_inner(args: &ConnectArgs) -> Result<(), Error> {
    let (host, port) = split_address(&args.address)?;
    let ctx = args.tls.client_context()?;
    let hostname = args.tls.server_hostname.clone().unwrap_or(host.clone());
    let options = WrapOptions {
        server_hostname: Some(hostname).filter(|h| !h.is_empty()),
        ..WrapOptions::default()
    };
    let reconnect = connect_once(args, &ctx, &host, port, options.clone())?;
    if args.reconnect {
        connect_once(args, &ctx, &host, port, reconnect)?;
    }
    Ok(())
}

/// The single place where `--reconnect` carries the first connection's session over.
/// The library has no `SslObject::session()` / `WrapOptions::session` yet, so the
/// second connection is a plain new one (`session_reused` is then false, unless the
/// context's own session cache resumes); when they exist, set
/// `options.session = first.sslobj().session()` here.
fn reconnect_options(first: &SslSocket<TcpStream>, mut options: WrapOptions) -> WrapOptions {
    options.session = first.sslobj().session();
    options
}

/// One connection: handshake, optional echo exchange, TLS shutdown, summary line.
/// Returns the wrap options for a reconnection.
fn connect_once(
    args: &ConnectArgs,
    ctx: &SslContext,
    host: &str,
    port: u16,
    options: WrapOptions,
) -> Result<WrapOptions, Error> {
    let stream = TcpStream::connect((host, port))?;
    let timeout = Some(Duration::from_secs(args.timeout.max(1)));
    stream.set_read_timeout(timeout)?;
    stream.set_write_timeout(timeout)?;
    let mut sock = ctx.wrap_socket(stream, options.clone())?;
    let mut line = match summary(&sock)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if let Some(text) = &args.send {
        sock.sendall(text.as_bytes())?;
        let mut received = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        while received.len() < text.len() {
            let n = sock.recv_into(&mut buf)?;
            if n == 0 {
                break;
            }
            received.extend_from_slice(&buf[..n]);
        }
        line.insert(
            "received".into(),
            Value::String(String::from_utf8_lossy(&received).into_owned()),
        );
    }
    let next = reconnect_options(&sock, options);
    sock.unwrap()?;
    print_line(&Value::Object(line));
    Ok(next)
}
