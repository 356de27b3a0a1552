//! `sslctx serve [--port N] [--count N] [options]`: a TLS echo server on loopback.

use clap::Args;
use serde_json::json;
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use sslcontext::{Error, SslContext, WrapOptions};

use crate::output::{error_json, print_line};
use crate::tls_opts::{summary, TlsOpts};

/// Arguments of `sslctx serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port (0: pick a free one; the `listening` line says which).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Stop after this many connections (default: serve forever).
    #[arg(long)]
    count: Option<u64>,
    /// Socket read/write timeout per connection, in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    #[command(flatten)]
    tls: TlsOpts,
}

/// Serves; returns the exit code (1 if the setup or any connection failed).
pub fn run(args: &ServeArgs) -> i32 {
    let listener = match setup(args) {
        Ok(v) => v,
        Err(e) => {
            print_line(&error_json(&e));
            return 1;
        }
    };
    let (ctx, listener) = listener;
    let mut code = 0;
    let mut served = 0u64;
    while args.count.is_none_or(|c| served < c) {
        served += 1;
        let result = listener
            .accept()
            .map_err(Error::from)
            .and_then(|(stream, _)| handle(args, &ctx, stream));
        if let Err(e) = result {
            print_line(&error_json(&e));
            code = 1;
        }
    }
    code
}

fn setup(args: &ServeArgs) -> Result<(SslContext, TcpListener), Error> {
    let ctx = args.tls.server_context()?;
    let listener = TcpListener::bind((args.host.as_str(), args.port))?;
    let port = listener.local_addr()?.port();
    print_line(&json!({ "listening": port }));
    Ok((ctx, listener))
}

/// One connection: handshake, summary line, echo until the client closes, shutdown.
fn handle(args: &ServeArgs, ctx: &SslContext, stream: TcpStream) -> Result<(), Error> {
    let timeout = Some(Duration::from_secs(args.timeout.max(1)));
    stream.set_read_timeout(timeout)?;
    stream.set_write_timeout(timeout)?;
    let mut sock = ctx.wrap_socket(stream, WrapOptions::server())?;
    print_line(&summary(&sock)?);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = sock.recv_into(&mut buf)?;
        if n == 0 {
            break;
        }
        sock.sendall(&buf[..n])?;
    }
    sock.unwrap()?;
    Ok(())
}
