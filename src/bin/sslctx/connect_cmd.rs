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
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            print_line(&error_json(&e));
            1
        }
    }
}

fn run_inner(args: &ConnectArgs) -> Result<bool, Error> {
    let (host, port) = split_address(&args.address)?;
    let ctx = args.tls.client_context()?;
    let hostname = args.tls.server_hostname.clone().unwrap_or(host.clone());
    let options = WrapOptions {
        server_hostname: Some(hostname).filter(|h| !h.is_empty()),
        ..WrapOptions::default()
    };
    let (reconnect, mut clean) = connect_once(args, &ctx, &host, port, options.clone())?;
    if args.reconnect {
        clean &= connect_once(args, &ctx, &host, port, reconnect)?.1;
    }
    Ok(clean)
}

/// The options for the second connection of `--reconnect`: the first connection's
/// session, offered for resumption.
fn reconnect_options(first: &SslSocket<TcpStream>, mut options: WrapOptions) -> WrapOptions {
    options.session = first.sslobj().session();
    options
}

/// Whether `e` is the peer going away without close_notify (what CPython's
/// `SSLSocket.close()` does): a ragged EOF, or the transport reset or closed.
fn is_eof(e: &Error) -> bool {
    match e {
        Error::SslEofError(_) | Error::SslZeroReturnError(_) => true,
        Error::Io(io) => matches!(
            io.kind(),
            std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof
        ),
        _ => false,
    }
}

/// The `"shutdown"` value: how the connection ended.
fn shutdown_value(result: &Result<(), Error>) -> Value {
    match result {
        Ok(()) => Value::String("close_notify".into()),
        Err(e) if is_eof(e) => Value::String("eof".into()),
        Err(e) => error_json(e).get("error").cloned().unwrap_or(Value::Null),
    }
}

/// `--send`: writes `text`, reads until as many bytes came back or the peer closed.
/// Returns what was received, and the error that ended the exchange, if any.
fn exchange(sock: &mut SslSocket<TcpStream>, text: &str) -> (Vec<u8>, Option<Error>) {
    let mut received = Vec::new();
    if let Err(e) = sock.sendall(text.as_bytes()) {
        return (received, Some(e));
    }
    let mut buf = vec![0u8; 16 * 1024];
    while received.len() < text.len() {
        match sock.recv_into(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) => return (received, Some(e)),
        }
    }
    (received, None)
}

/// One connection: handshake, optional echo exchange, TLS shutdown, and the summary
/// line, printed whatever the peer does when it closes (the `"shutdown"` key says how
/// it ended). Returns the wrap options for a reconnection and whether the connection
/// ended cleanly (close_notify or a plain EOF).
fn connect_once(
    args: &ConnectArgs,
    ctx: &SslContext,
    host: &str,
    port: u16,
    options: WrapOptions,
) -> Result<(WrapOptions, bool), Error> {
    let stream = TcpStream::connect((host, port))?;
    let timeout = Some(Duration::from_secs(args.timeout.max(1)));
    stream.set_read_timeout(timeout)?;
    stream.set_write_timeout(timeout)?;
    let mut sock = ctx.wrap_socket(stream, options.clone())?;
    let mut line = match summary(&sock)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mut ended = None;
    if let Some(text) = &args.send {
        let (received, error) = exchange(&mut sock, text);
        line.insert(
            "received".into(),
            Value::String(String::from_utf8_lossy(&received).into_owned()),
        );
        ended = error.map(Err);
    }
    let next = reconnect_options(&sock, options);
    let result = match ended {
        Some(r) => r,
        None => sock.unwrap().map(drop),
    };
    let clean = result.as_ref().map_or_else(is_eof, |()| true);
    line.insert("shutdown".into(), shutdown_value(&result));
    print_line(&Value::Object(line));
    Ok((next, clean))
}
