//! CPython's own test_ssl on our `_ssl` (the `python/` workspace member): builds the
//! module, runs `python3 -m test test_ssl` with it first on `PYTHONPATH` and compares
//! every outcome with `python/test_ssl.expected` (`python/run_test_ssl.py` does the
//! work; it is also the command README documents for running it by hand).

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

#[test]
fn cpython_test_ssl_runs_as_listed() {
    if !common::have_peer("python3") || !have_test_package() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new("python3");
    cmd.arg(root.join("python/run_test_ssl.py"))
        .current_dir(root);
    if let Ok(cargo) = std::env::var("CARGO") {
        cmd.env("CARGO", cargo);
    }
    let out = cmd.output().expect("run python/run_test_ssl.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The counts line, for the test log.
    for line in stdout.lines() {
        if line.starts_with("test_ssl:") || line.starts_with("  ") && line.contains('/') {
            println!("{line}");
        }
    }
    assert!(
        out.status.success(),
        "python/run_test_ssl.py failed:\n{stdout}\n{stderr}"
    );
}
