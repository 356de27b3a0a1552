//! `sslctx demo [--json]`: a loopback TLS connection between two `SslContext`s, with a
//! CA and a `localhost` certificate generated on the spot, and both sides' view of it.

use clap::Args;
use serde_json::{json, Value};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};
use sslcontext::{Error, Protocol, SslContext, SslSocket, WrapOptions};

use crate::context_cmd::to_json;
use crate::output::print_line;
use crate::pyrepr::{pformat, repr, repr_str};
use crate::tls_opts::summary;

/// Arguments of `sslctx demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Print one JSON object `{"client": {...}, "server": {...}}`.
    #[arg(long)]
    json: bool,
}

const TIMEOUT: Duration = Duration::from_secs(10);
const ALPN: [&str; 2] = ["h2", "http/1.1"];
const CLIENT_LINE: &str = "hello from the client\n";
const SERVER_LINE: &str = "hello from the server\n";

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, Error> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let path = std::env::temp_dir().join(format!("sslctx-demo-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path)?;
        Ok(TempDir(path))
    }

    fn write(&self, name: &str, text: &str) -> Result<PathBuf, Error> {
        let path = self.0.join(name);
        std::fs::write(&path, text)?;
        Ok(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rcgen_error(e: rcgen::Error) -> Error {
    Error::value(format!("certificate generation failed: {e}"))
}

/// The current year (civil calendar, UTC), for the certificates' validity.
fn current_year() -> i32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let days = i64::try_from(secs / 86_400).unwrap_or_default();
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    i32::try_from(year).unwrap_or(2025)
}

/// PEM files: the CA certificate, the server certificate and its key.
struct Pki {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

fn generate(dir: &TempDir) -> Result<Pki, Error> {
    let year = current_year();
    let not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    let not_after = rcgen::date_time_ymd(year + 2, 12, 31);

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(rcgen_error)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "sslctx demo");
    dn.push(DnType::CommonName, "sslctx demo CA");
    ca_params.distinguished_name = dn;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_before = not_before;
    ca_params.not_after = not_after;
    let ca_key = KeyPair::generate().map_err(rcgen_error)?;
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(rcgen_error)?;

    let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(rcgen_error)?;
    params
        .subject_alt_names
        .push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "sslctx demo");
    dn.push(DnType::CommonName, "localhost");
    params.distinguished_name = dn;
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = not_before;
    params.not_after = not_after;
    let key = KeyPair::generate().map_err(rcgen_error)?;
    let cert = params.signed_by(&key, &ca).map_err(rcgen_error)?;

    Ok(Pki {
        ca: dir.write("ca.pem", &ca.pem())?,
        cert: dir.write("localhost.pem", &cert.pem())?,
        key: dir.write("localhost.key", &key.serialize_pem())?,
    })
}

/// Reads up to and including the first `\n` (at most 64 KiB).
fn read_line(sock: &mut SslSocket<TcpStream>) -> Result<String, Error> {
    let mut line = Vec::new();
    let mut buf = [0u8; 1024];
    while !line.contains(&b'\n') && line.len() < 64 * 1024 {
        let n = sock.recv_into(&mut buf)?;
        if n == 0 {
            break;
        }
        line.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// One side's view: the connection summary plus what it received.
fn view(sock: &SslSocket<TcpStream>, received: String) -> Result<Value, Error> {
    let mut v = summary(sock)?;
    if let Value::Object(m) = &mut v {
        m.insert("received".into(), Value::String(received));
    }
    Ok(v)
}

/// Accepts one connection, waiting at most `TIMEOUT`.
fn accept(listener: &TcpListener) -> Result<TcpStream, Error> {
    listener.set_nonblocking(true)?;
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false)?;
                return Ok(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err(Error::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "no client connected",
                    )));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn server_side(ctx: &SslContext, listener: &TcpListener) -> Result<Value, Error> {
    let stream = accept(listener)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut sock = ctx.wrap_socket(stream, WrapOptions::server())?;
    let received = read_line(&mut sock)?;
    sock.sendall(SERVER_LINE.as_bytes())?;
    // The client's close_notify ends the connection: recv() returns b''.
    let mut buf = [0u8; 1024];
    for _ in 0..1024 {
        if sock.recv_into(&mut buf)? == 0 {
            break;
        }
    }
    let summary = view(&sock, received)?;
    sock.unwrap()?;
    Ok(with_stats(summary, to_json(ctx.session_stats())?))
}

fn client_side(ctx: &SslContext, port: u16) -> Result<Value, Error> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut sock = ctx.wrap_socket(stream, WrapOptions::client("localhost"))?;
    sock.sendall(CLIENT_LINE.as_bytes())?;
    let received = read_line(&mut sock)?;
    let summary = view(&sock, received)?;
    sock.unwrap()?;
    Ok(summary)
}

/// Adds the context's `session_stats()` (read after the shutdown).
fn with_stats(mut v: Value, stats: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.insert("session_stats".into(), stats);
    }
    v
}

/// Runs the demo; returns the exit code.
pub fn run(args: &DemoArgs) -> i32 {
    match run_inner() {
        Ok((pki_note, both)) => {
            if args.json {
                print_line(&both);
            } else {
                print_human(&pki_note, &both);
            }
            0
        }
        Err(e) => {
            print_line(&crate::output::error_json(&e));
            1
        }
    }
}

fn run_inner() -> Result<(String, Value), Error> {
    let dir = TempDir::new()?;
    let pki = generate(&dir)?;

    let server_ctx = SslContext::new(Protocol::TlsServer)?;
    server_ctx.load_cert_chain(&pki.cert, Some(Path::new(&pki.key)), None)?;
    server_ctx.set_alpn_protocols(&ALPN)?;

    let client_ctx = SslContext::new(Protocol::TlsClient)?;
    client_ctx.load_verify_locations(Some(&pki.ca), None, None)?;
    client_ctx.set_alpn_protocols(&ALPN)?;

    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    let port = listener.local_addr()?.port();
    let server = {
        let ctx = server_ctx.clone();
        std::thread::spawn(move || server_side(&ctx, &listener))
    };
    let client = client_side(&client_ctx, port);
    let server = server
        .join()
        .map_err(|_| Error::value("the server thread panicked"))?;
    let client = with_stats(client?, to_json(client_ctx.session_stats())?);
    let server = server?;
    let note = format!(
        "loopback 127.0.0.1:{port}; certificates generated in {} (removed on exit)",
        dir.0.display()
    );
    Ok((note, json!({ "client": client, "server": server })))
}

fn print_human(note: &str, both: &Value) {
    let mut text = String::new();
    text.push_str("sslctx demo: Python's ssl.SSLContext semantics on rustls\n");
    text.push_str(&format!("{note}\n"));
    let sides = [
        (
            "client",
            "SSLContext(PROTOCOL_TLS_CLIENT), load_verify_locations(ca.pem), \
             wrap_socket(sock, server_hostname='localhost')",
        ),
        (
            "server",
            "SSLContext(PROTOCOL_TLS_SERVER), load_cert_chain('localhost.pem', \
             'localhost.key'), wrap_socket(sock, server_side=True)",
        ),
    ];
    for (side, how) in sides {
        let v = &both[side];
        text.push_str(&format!("\n== {side} ==\n# {how}\n"));
        let fields = [
            ("version()", "version"),
            ("cipher()", "cipher"),
            ("selected_alpn_protocol()", "alpn"),
            ("session_reused", "session_reused"),
            ("server_hostname", "server_hostname"),
        ];
        for (label, key) in fields {
            text.push_str(&format!(">>> s.{label}\n{}\n", repr(&v[key])));
        }
        let received = v["received"].as_str().unwrap_or_default();
        text.push_str(&format!(">>> s.recv(1024)\nb{}\n", repr_str(received)));
        text.push_str(&format!(
            ">>> pprint.pprint(s.getpeercert())\n{}\n",
            pformat(&v["peercert"])
        ));
        text.push_str(&format!(
            ">>> ctx.session_stats()\n{}\n",
            pformat(&v["session_stats"])
        ));
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
