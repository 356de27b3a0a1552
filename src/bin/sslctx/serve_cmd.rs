//! `sslctx serve [--port N] [--count N] [--sni-host NAME=CERT,KEY]... [options]`: a TLS
//! echo server on loopback. Connections are served concurrently (at most
//! `--max-clients` at once, so one idle client delays nobody); each prints its summary
//! line with the server name the client asked for (`"sni"`).

use clap::Args;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
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
    /// How many connections are served at once (more wait to be accepted).
    #[arg(long, default_value_t = 16)]
    max_clients: usize,
    /// `NAME=CERTFILE,KEYFILE`: a client asking for NAME (SNI, ASCII case ignored)
    /// gets this certificate, through the context's `sni_callback`. May be repeated.
    #[arg(long = "sni-host", value_name = "NAME=CERT,KEY")]
    sni_hosts: Vec<String>,
    #[command(flatten)]
    tls: TlsOpts,
}

thread_local! {
    /// The SNI the callback saw for the connection this thread serves (each connection
    /// has its thread; the callback runs inside its handshake).
    static SEEN_SNI: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// At most `limit` holders at once.
struct Slots {
    used: Mutex<usize>,
    freed: Condvar,
    limit: usize,
}

impl Slots {
    fn take(&self) {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        while *used >= self.limit {
            used = self.freed.wait(used).unwrap_or_else(|p| p.into_inner());
        }
        *used += 1;
    }

    fn give_back(&self) {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        *used -= 1;
        self.freed.notify_one();
    }
}

/// Serves; returns the exit code (1 if the setup or any connection failed).
pub fn run(args: &ServeArgs) -> i32 {
    let (ctx, listener) = match setup(args) {
        Ok(v) => v,
        Err(e) => {
            print_line(&error_json(&e));
            return 1;
        }
    };
    let failed = Arc::new(AtomicBool::new(false));
    let slots = Arc::new(Slots {
        used: Mutex::new(0),
        freed: Condvar::new(),
        limit: args.max_clients.max(1),
    });
    let timeout = Duration::from_secs(args.timeout.max(1));
    std::thread::scope(|scope| {
        let mut served = 0u64;
        while args.count.is_none_or(|c| served < c) {
            served += 1;
            slots.take();
            match listener.accept() {
                Ok((stream, _)) => {
                    let (ctx, slots, failed) = (ctx.clone(), slots.clone(), failed.clone());
                    scope.spawn(move || {
                        if let Err(e) = handle(&ctx, stream, timeout) {
                            print_line(&error_json(&e));
                            failed.store(true, Ordering::Relaxed);
                        }
                        slots.give_back();
                    });
                }
                Err(e) => {
                    print_line(&error_json(&Error::from(e)));
                    failed.store(true, Ordering::Relaxed);
                    slots.give_back();
                }
            }
        }
    });
    i32::from(failed.load(Ordering::Relaxed))
}

/// `NAME=CERTFILE,KEYFILE`.
fn parse_sni_host(spec: &str) -> Result<(String, PathBuf, PathBuf), Error> {
    let bad = || Error::value(format!("expected NAME=CERTFILE,KEYFILE, got {spec:?}"));
    let (name, files) = spec.split_once('=').ok_or_else(bad)?;
    let (cert, key) = files.split_once(',').ok_or_else(bad)?;
    if name.is_empty() || cert.is_empty() || key.is_empty() {
        return Err(bad());
    }
    Ok((
        name.to_ascii_lowercase(),
        PathBuf::from(cert),
        PathBuf::from(key),
    ))
}

fn setup(args: &ServeArgs) -> Result<(SslContext, TcpListener), Error> {
    let ctx = args.tls.server_context()?;
    let mut by_name: HashMap<String, SslContext> = HashMap::new();
    for spec in &args.sni_hosts {
        let (name, cert, key) = parse_sni_host(spec)?;
        let opts = TlsOpts {
            certfile: Some(cert),
            keyfile: Some(key),
            ..args.tls.clone()
        };
        by_name.insert(name, opts.server_context()?);
    }
    ctx.set_sni_callback(Some(Arc::new(move |handle, name, _ctx| {
        SEEN_SNI.with(|s| *s.borrow_mut() = name.map(str::to_string));
        if let Some(other) = name.and_then(|n| by_name.get(&n.to_ascii_lowercase())) {
            handle.set_context(other);
        }
        Ok(None)
    })))?;
    let listener = TcpListener::bind((args.host.as_str(), args.port))?;
    let port = listener.local_addr()?.port();
    print_line(&json!({ "listening": port }));
    Ok((ctx, listener))
}

/// One connection: handshake, summary line (with `"sni"`), echo until the client
/// closes, shutdown.
fn handle(ctx: &SslContext, stream: TcpStream, timeout: Duration) -> Result<(), Error> {
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    SEEN_SNI.with(|s| s.borrow_mut().take());
    let mut sock = ctx.wrap_socket(stream, WrapOptions::server())?;
    let mut line = summary(&sock)?;
    if let Value::Object(m) = &mut line {
        let sni = SEEN_SNI.with(|s| s.borrow_mut().take());
        m.insert("sni".into(), sni.map_or(Value::Null, Value::String));
    }
    print_line(&line);
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
