//! Shared by the GnuTLS and tlslite-ng interop matrices (`tests/interop_gnutls.rs`,
//! `tests/interop_tlslite.rs`): our server in-process on 127.0.0.1 reporting what each
//! connection saw, the `sslctx` client's JSON lines, and a private network namespace
//! for peers that listen on every interface. Every wait is bounded.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;
use sslcontext::{Error, PeerCertificate, SslContext, TlsVersion, VerifyMode, WrapOptions};

/// The TLS version a scenario pins (minimum and maximum).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ver {
    Tls12,
    Tls13,
}

impl Ver {
    pub const BOTH: [Ver; 2] = [Ver::Tls12, Ver::Tls13];

    /// `SSLSocket.version()`.
    pub fn python(self) -> &'static str {
        match self {
            Ver::Tls12 => "TLSv1.2",
            Ver::Tls13 => "TLSv1.3",
        }
    }

    /// The `sslctx` option value.
    pub fn arg(self) -> &'static str {
        match self {
            Ver::Tls12 => "TLSv1_2",
            Ver::Tls13 => "TLSv1_3",
        }
    }

    fn tls(self) -> TlsVersion {
        match self {
            Ver::Tls12 => TlsVersion::TLSv1_2,
            Ver::Tls13 => TlsVersion::TLSv1_3,
        }
    }
}

/// How our server ends a connection once the client's first line is echoed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Keep echoing until the client closes; report how it closed.
    ClientCloses,
    /// Our close_notify (`unwrap()`), waiting for the client's.
    WeClose,
    /// Drop the socket without close_notify (a ragged EOF for the client).
    WeRagged,
}

/// Our server's configuration.
#[derive(Clone, Debug)]
pub struct ServerCfg {
    pub ver: Ver,
    /// Require a client certificate (trusting the test roots).
    pub client_cert: bool,
    pub alpn: &'static [&'static str],
    pub end: End,
}

impl ServerCfg {
    pub fn new(ver: Ver) -> ServerCfg {
        ServerCfg {
            ver,
            client_cert: false,
            alpn: &[],
            end: End::ClientCloses,
        }
    }
}

/// What our server saw on one connection.
#[derive(Debug, Default)]
pub struct Served {
    pub version: Option<String>,
    pub cipher: Option<String>,
    pub alpn: Option<String>,
    pub reused: bool,
    /// The commonName of the client's certificate.
    pub peer_cn: Option<String>,
    /// The name the sni_callback saw.
    pub sni: Option<String>,
    pub received: Vec<u8>,
    /// `close_notify`, `unwrap ok`, `dropped`, or the error (`class_reason`).
    pub end: String,
}

/// `Class REASON` of an error, as the tests compare it (`Class message` for an error
/// without an OpenSSL reason).
pub fn class_reason(e: &Error) -> String {
    match e.reason() {
        Some(reason) => format!("{} {reason}", e.python_class()),
        None => format!("{} {e}", e.python_class()),
    }
}

/// The commonName in a certificate dict.
pub fn common_name(cert: Option<PeerCertificate>) -> Option<String> {
    match cert {
        Some(PeerCertificate::Decoded(info)) => info
            .subject
            .iter()
            .flatten()
            .find(|(k, _)| k == "commonName")
            .map(|(_, v)| match v {
                sslcontext::x509::AttrValue::Text(t) => t.clone(),
                sslcontext::x509::AttrValue::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            }),
        _ => None,
    }
}

/// Our server in a thread: serves `connections` clients one after the other.
pub struct OurServer {
    pub port: u16,
    handle: JoinHandle<Vec<Result<Served, String>>>,
}

impl OurServer {
    /// Listens on 127.0.0.1 (leaf-ec, pinned to `cfg.ver`) and serves in a thread.
    pub fn start(cfg: ServerCfg, connections: usize) -> OurServer {
        let ctx = super::common::server_ctx("leaf-ec");
        ctx.set_minimum_version(cfg.ver.tls()).unwrap();
        ctx.set_maximum_version(cfg.ver.tls()).unwrap();
        if cfg.client_cert {
            ctx.set_verify_mode(VerifyMode::CertRequired).unwrap();
            ctx.load_verify_locations(
                Some(&super::common::cert_path("bundles/roots.pem")),
                None,
                None,
            )
            .unwrap();
        }
        if !cfg.alpn.is_empty() {
            ctx.set_alpn_protocols(cfg.alpn).unwrap();
        }
        let seen: Arc<Mutex<Option<String>>> = Arc::default();
        let sni = seen.clone();
        ctx.set_sni_callback(Some(Arc::new(move |_handle, name, _ctx| {
            *sni.lock().unwrap() = name.map(str::to_string);
            Ok(None)
        })))
        .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            (0..connections)
                .map(|_| serve_one(&ctx, &listener, &cfg, &seen))
                .collect()
        });
        OurServer { port, handle }
    }

    /// What each connection saw, or how our server failed it.
    pub fn results(self) -> Vec<Result<Served, String>> {
        self.handle.join().expect("server thread")
    }

    /// What each connection saw (panics when our server failed).
    pub fn join(self, tag: &str) -> Vec<Served> {
        self.results()
            .into_iter()
            .map(|r| r.unwrap_or_else(|e| panic!("{tag}: our server: {e}")))
            .collect()
    }
}

/// Accepts within 20 s.
fn accept(listener: &TcpListener) -> Result<std::net::TcpStream, String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    for _ in 0..800 {
        match listener.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false).map_err(|e| e.to_string())?;
                return Ok(s);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(25))
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Err("no client came".into())
}

fn serve_one(
    ctx: &SslContext,
    listener: &TcpListener,
    cfg: &ServerCfg,
    seen: &Mutex<Option<String>>,
) -> Result<Served, String> {
    let stream = accept(listener)?;
    seen.lock().unwrap().take();
    let opts = WrapOptions {
        suppress_ragged_eofs: false,
        do_handshake_on_connect: false,
        ..WrapOptions::server()
    };
    let mut tls = ctx.wrap_socket(stream, opts).map_err(|e| e.to_string())?;
    tls.settimeout(Some(Duration::from_secs(20)))
        .map_err(|e| e.to_string())?;
    tls.do_handshake()
        .map_err(|e| format!("handshake: {}", class_reason(&e)))?;
    let mut served = Served {
        version: tls.version().map(str::to_string),
        cipher: tls.cipher().map(|c| c.0),
        alpn: tls.selected_alpn_protocol(),
        reused: tls.session_reused(),
        peer_cn: common_name(tls.getpeercert().map_err(|e| e.to_string())?),
        sni: seen.lock().unwrap().clone(),
        ..Served::default()
    };
    // Echo; after the first line, end as configured (or keep echoing until the
    // client closes).
    for _ in 0..1000 {
        if cfg.end != End::ClientCloses && served.received.contains(&b'\n') {
            break;
        }
        match tls.recv(16 * 1024) {
            Ok(d) if d.is_empty() => {
                // The client's close_notify; answered as a CPython server would
                // (`unwrap()`).
                served.end = match tls.unwrap() {
                    Ok(_) => "close_notify".into(),
                    Err(e) => format!("close_notify, then unwrap: {}", class_reason(&e)),
                };
                return Ok(served);
            }
            Ok(d) => {
                served.received.extend_from_slice(&d);
                if let Err(e) = tls.sendall(&d) {
                    served.end = format!("send: {}", class_reason(&e));
                    return Ok(served);
                }
            }
            Err(e) => {
                served.end = class_reason(&e);
                return Ok(served);
            }
        }
    }
    served.end = match cfg.end {
        End::WeClose => match tls.unwrap() {
            Ok(_) => "unwrap ok".into(),
            Err(e) => format!("unwrap: {}", class_reason(&e)),
        },
        End::WeRagged => {
            drop(tls);
            "dropped".into()
        }
        End::ClientCloses => "no end".into(),
    };
    Ok(served)
}

/// The JSON lines a `sslctx connect` printed.
pub fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l.trim()).ok())
        .collect()
}

/// The test certificates' folder.
pub fn certs() -> String {
    super::common::conformance_dir()
        .join("certs")
        .to_string_lossy()
        .into_owned()
}

/// `s` quoted for `sh`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Whether this machine can run a command in a private network namespace with its
/// own loopback (`unshare -n`, as root); panics when it cannot and peers are required.
pub fn have_netns() -> bool {
    let ok = Command::new("unshare")
        .args(["-n", "sh", "-c", "ip link set lo up"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    super::common::peer_present(
        ok,
        "a private network namespace (`unshare -n sh -c 'ip link set lo up'`: root and iproute2)",
    )
}

/// Runs `script` with `sh` inside a new network namespace whose loopback is up, at
/// most `secs` seconds; `dir` is `$D` in the script. Returns its stdout and stderr.
pub fn in_netns(script: &str, dir: &Path, secs: u32) -> (Vec<u8>, String) {
    let full = format!("set -u\nip link set lo up || exit 97\n{script}");
    let out = Command::new("timeout")
        .arg(secs.to_string())
        .args(["unshare", "-n", "sh", "-c", &full])
        .env("D", dir)
        .stdin(Stdio::null())
        .output()
        .expect("run unshare");
    (
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
