//! Live peers over loopback: Python's `ssl` module (a python3 subprocess running a small
//! script) and `openssl s_server` / `s_client`. Every child is killed and reaped when its
//! guard drops; every wait is a bounded number of retries.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

/// Polls of 25 ms each before a wait gives up (20 s).
const POLLS: usize = 800;

/// A child process that is killed and reaped when dropped. Its stdout is collected by
/// a reader thread; its stderr goes to a file.
pub struct Peer {
    child: Child,
    out: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
    pos: usize,
    stderr_path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Peer {
    /// Spawns `cmd` with piped stdin/stdout and stderr to a file.
    pub fn spawn(mut cmd: Command, dir: tempfile::TempDir) -> Peer {
        let stderr_path = dir.path().join("stderr.txt");
        let err_file = std::fs::File::create(&stderr_path).expect("stderr file");
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(err_file));
        let mut child = cmd.spawn().expect("spawn peer");
        let out = Arc::new(Mutex::new(Vec::new()));
        let reader = child.stdout.take().map(|mut stdout| {
            let out = out.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stdout.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    out.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            })
        });
        Peer {
            child,
            out,
            reader,
            pos: 0,
            stderr_path,
            _dir: dir,
        }
    }

    /// The next stdout line parsed as JSON (`None` when none comes).
    pub fn json_line(&mut self) -> Option<Value> {
        for _ in 0..POLLS {
            let line = {
                let out = self.out.lock().unwrap();
                out[self.pos..].iter().position(|&b| b == b'\n').map(|i| {
                    (
                        String::from_utf8_lossy(&out[self.pos..self.pos + i]).into_owned(),
                        i,
                    )
                })
            };
            match line {
                Some((text, i)) => {
                    self.pos += i + 1;
                    if let Ok(v) = serde_json::from_str::<Value>(text.trim()) {
                        return Some(v);
                    }
                }
                None => {
                    if self.exited() && !self.has_newline() {
                        return None;
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
            }
        }
        None
    }

    fn has_newline(&self) -> bool {
        self.out.lock().unwrap()[self.pos..].contains(&b'\n')
    }

    fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
            && self.reader.as_ref().is_none_or(|r| r.is_finished())
    }

    /// Waits until stdout contains `needle`; false when it never does.
    pub fn wait_stdout(&mut self, needle: &str) -> bool {
        for _ in 0..POLLS {
            if self.stdout_text().contains(needle) {
                return true;
            }
            if self.exited() {
                return self.stdout_text().contains(needle);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        false
    }

    /// Everything the child wrote on stdout so far.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.out.lock().unwrap()).into_owned()
    }

    /// Everything the child wrote on stderr so far.
    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Writes to the child's stdin.
    pub fn send_stdin(&mut self, data: &[u8]) {
        if let Some(stdin) = self.child.stdin.as_mut() {
            stdin.write_all(data).expect("peer stdin");
            stdin.flush().expect("peer stdin");
        }
    }

    /// Closes the child's stdin.
    pub fn close_stdin(&mut self) {
        drop(self.child.stdin.take());
    }

    /// Waits (bounded) for the child to exit by itself; kills it otherwise. True when it
    /// exited by itself.
    pub fn finish(&mut self) -> bool {
        for _ in 0..POLLS {
            if let Ok(Some(_)) = self.child.try_wait() {
                self.join_reader();
                return true;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        self.kill();
        false
    }

    /// Kills the child now and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.join_reader();
    }

    fn join_reader(&mut self) {
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A free loopback port (bound then released).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Connects to `127.0.0.1:port`, retrying a bounded number of times while the peer
/// starts.
pub fn connect_retry(port: u16) -> TcpStream {
    for _ in 0..200 {
        if let Ok(s) = TcpStream::connect(("127.0.0.1", port)) {
            s.set_read_timeout(Some(Duration::from_secs(20))).ok();
            s.set_write_timeout(Some(Duration::from_secs(20))).ok();
            return s;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("peer never listened on port {port}");
}

/// A path under the conformance `certs/` folder, as a string.
pub fn cert(rel: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/conformance/certs")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// Writes `script` to a temporary file and runs `python3 -u file config_json`.
pub fn python(script: &str, config: &Value) -> Peer {
    let dir = tempfile::tempdir().expect("tempdir");
    let path: PathBuf = dir.path().join("peer.py");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(script.as_bytes()))
        .expect("write script");
    let mut cmd = Command::new("python3");
    cmd.arg("-u").arg(&path).arg(config.to_string());
    Peer::spawn(cmd, dir)
}

/// Runs `openssl` with `args`.
pub fn openssl(args: &[&str]) -> Peer {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new("openssl");
    cmd.args(args);
    Peer::spawn(cmd, dir)
}

/// `openssl s_server` for one connection on `port`, serving `pki/<leaf>.pem` with its
/// key and the chain file `chain` (under `certs/`), plus `extra` arguments.
pub fn s_server(port: u16, leaf: &str, chain: &str, extra: &[&str]) -> Peer {
    let p = port.to_string();
    let (leaf_pem, key_pem) = (
        cert(&format!("pki/{leaf}.pem")),
        cert(&format!("pki/{leaf}.key")),
    );
    let chain_pem = cert(chain);
    let mut args = vec![
        "s_server",
        "-accept",
        &p,
        "-naccept",
        "1",
        "-cert",
        &leaf_pem,
        "-key",
        &key_pem,
        "-cert_chain",
        &chain_pem,
    ];
    args.extend_from_slice(extra);
    openssl(&args)
}

/// Shared Python helpers: context from a config, JSON summary of a connection.
pub const PY_COMMON: &str = r#"
import json, socket, ssl, sys
cfg = json.loads(sys.argv[1])

def out(obj):
    print(json.dumps(obj), flush=True)

def err(e):
    return {"type": type(e).__name__, "str": str(e), "reason": getattr(e, "reason", None)}

def make_ctx(server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    if cfg.get("certfile"):
        ctx.load_cert_chain(cfg["certfile"], cfg.get("keyfile"))
    if cfg.get("cafile"):
        ctx.load_verify_locations(cfg["cafile"])
    if cfg.get("verify_mode"):
        ctx.verify_mode = getattr(ssl, cfg["verify_mode"])
    if cfg.get("alpn"):
        ctx.set_alpn_protocols(cfg["alpn"])
    if cfg.get("max_version"):
        ctx.maximum_version = getattr(ssl.TLSVersion, cfg["max_version"])
    return ctx

def summary(s):
    return {"version": s.version(), "cipher": list(s.cipher()), "alpn": s.selected_alpn_protocol(),
            "peercert": s.getpeercert()}

def after(s, mode):
    # What this side does once the echo is done.
    try:
        if mode == "we_close":
            s.unwrap()
            return {"closed": "unwrap ok"}
        if mode == "we_ragged":
            s.close()
            return {"closed": "ragged"}
        if mode == "peer_closes":
            data = s.recv(1024)
            r = {"after": data.hex()}
            try:
                s.unwrap()
                r["unwrap"] = "ok"
            except Exception as e:
                r["unwrap"] = err(e)
            return r
        if mode == "peer_ragged":
            s.suppress_ragged_eofs = False
            try:
                data = s.recv(1024)
                return {"after": data.hex()}
            except Exception as e:
                return {"after_error": err(e)}
    except Exception as e:
        return {"error": err(e)}
    return {}
"#;

/// Python TLS server: one connection; prints `{"port"}`, the summary, the received
/// line, then what `after(mode)` saw.
pub const PY_SERVER: &str = r#"
ctx = make_ctx(True)
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
ls.settimeout(20)
out({"port": ls.getsockname()[1]})
conn, _ = ls.accept()
conn.settimeout(20)
try:
    s = ctx.wrap_socket(conn, server_side=True)
except Exception as e:
    out({"handshake_error": err(e)})
    sys.exit(0)
out(summary(s))
data = s.recv(1024)
s.sendall(b"echo:" + data)
out({"received": data.hex()})
out(after(s, cfg.get("mode", "we_close")))
"#;

/// Python TLS client: connects to `cfg["port"]`, sends `ping`, prints the summary, the
/// reply, then what `after(mode)` saw.
pub const PY_CLIENT: &str = r#"
ctx = make_ctx(False)
sock = socket.create_connection(("127.0.0.1", cfg["port"]), timeout=20)
try:
    s = ctx.wrap_socket(sock, server_hostname=cfg.get("server_hostname", "localhost"))
except Exception as e:
    out({"handshake_error": err(e)})
    sys.exit(0)
out(summary(s))
s.sendall(b"ping")
data = b""
while len(data) < 9:
    chunk = s.recv(1024)
    if not chunk:
        break
    data += chunk
out({"received": data.hex()})
out(after(s, cfg.get("mode", "we_close")))
"#;
