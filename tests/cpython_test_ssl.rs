//! CPython's own test_ssl on our `_ssl` (the `python/` workspace member): builds the
//! module, runs `python3 -m test test_ssl` with it first on `PYTHONPATH` and compares
//! every outcome with `python/test_ssl.expected` (`python/run_test_ssl.py` does the
//! work; it is also the command README documents for running it by hand), then
//! asyncio's TLS tests the same way (`--suite test_asyncio.test_ssl`, ..., each with
//! its `python/<suite>.expected`), the suites of the standard library's TLS clients
//! (ftplib, poplib, imaplib, http.client, urllib.request), and real programs,
//! unchanged, on our `_ssl` (`python/real_programs.py`: `http.server` over TLS serving
//! `urllib.request`, an asyncio TLS echo server and client).

mod common;

use std::path::Path;
use std::process::Command;

/// Whether python3 has its test package (`test.test_ssl`); panics when it does not
/// and peers are required.
fn have_test_package() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import test.test_ssl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && common::peers_required() {
        panic!("python3's test package (test.test_ssl) is required (SSLCONTEXT_REQUIRE_PEERS is set) but missing");
    }
    if !ok {
        eprintln!(
            "skipping: python3 has no test.test_ssl (set SSLCONTEXT_REQUIRE_PEERS to fail instead)"
        );
    }
    ok
}

/// The suites run one at a time: their servers are threads with timeouts, and the
/// machines have 2 cores.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `python/run_test_ssl.py` with `args` and checks that every outcome is as its
/// expected file lists.
fn run_suite(args: &[&str]) {
    if !common::have_peer("python3") || !have_test_package() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new("python3");
    cmd.arg(root.join("python/run_test_ssl.py"))
        .args(args)
        .current_dir(root);
    if let Ok(cargo) = std::env::var("CARGO") {
        cmd.env("CARGO", cargo);
    }
    let out = cmd.output().expect("run python/run_test_ssl.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The counts lines, for the test log.
    for line in stdout.lines() {
        if line.starts_with("test_") || line.starts_with("  ") && line.contains('/') {
            println!("{line}");
        }
    }
    assert!(
        out.status.success(),
        "python/run_test_ssl.py {args:?} failed:\n{stdout}\n{stderr}"
    );
}

#[test]
fn cpython_test_ssl_runs_as_listed() {
    run_suite(&[]);
}

/// asyncio's TLS tests: its own TLS suites whole, and the TLS tests of the event loop,
/// sendfile and streams suites.
#[test]
fn cpython_asyncio_tls_tests_run_as_listed() {
    run_suite(&["--suite", "test_asyncio.test_ssl"]);
    run_suite(&["--suite", "test_asyncio.test_sslproto"]);
    run_suite(&[
        "--suite",
        "test_asyncio.test_events",
        "--match",
        "*ssl*",
        "--match",
        "*tls*",
    ]);
    run_suite(&["--suite", "test_asyncio.test_sendfile", "--match", "*ssl*"]);
    run_suite(&[
        "--suite",
        "test_asyncio.test_streams",
        "--match",
        "*ssl*",
        "--match",
        "*tls*",
    ]);
}

/// The standard library's TLS clients, each under its own suite, whole: `ftplib.FTP_TLS`,
/// `poplib.POP3_SSL` and STLS, `imaplib.IMAP4_SSL` (with regrtest's `walltime`
/// resource, which its certificate verification tests need), `http.client`'s
/// `HTTPSConnection`, `urllib.request` over HTTPS (whole suites), and `logging`'s
/// `HTTPHandler` over HTTPS, against the suites' local TLS servers.
#[test]
fn cpython_stdlib_tls_clients_run_as_listed() {
    run_suite(&["--suite", "test_ftplib"]);
    run_suite(&["--suite", "test_poplib"]);
    run_suite(&["--suite", "test_imaplib", "--use", "walltime"]);
    run_suite(&["--suite", "test_httplib"]);
    run_suite(&["--suite", "test_urllib2_localnet"]);
    run_suite(&["--suite", "test_logging", "--match", "HTTPHandlerTest*"]);
}

/// Real programs, unchanged, on our `_ssl` (`python/real_programs.py`).
#[test]
fn real_programs_run_on_our_ssl() {
    if !common::have_peer("python3") || !have_test_package() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new("python3");
    cmd.arg(root.join("python/real_programs.py"))
        .current_dir(root);
    if let Ok(cargo) = std::env::var("CARGO") {
        cmd.env("CARGO", cargo);
    }
    let out = cmd.output().expect("run python/real_programs.py");
    assert!(
        out.status.success(),
        "python/real_programs.py failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
