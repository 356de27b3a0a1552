//! The `sslctx` tool as a black box (DESIGN.md §5): every subcommand's JSON against
//! CPython's recorded values, exit codes, an error per subcommand, a loopback
//! `serve` + `connect`, and `demo`.
#![cfg(feature = "cli")]

mod common;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The nine suites rustls implements, in OpenSSL's default order.
const IMPLEMENTED: &[&str] = &[
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
];

fn conf() -> PathBuf {
    common::conformance_dir()
}

fn certs(rel: &str) -> String {
    common::cert_path(rel).to_string_lossy().into_owned()
}

/// Runs `sslctx ARGS` in `cwd`; returns the exit code and stdout's lines.
fn run_in(cwd: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let out = Command::new(env!("CARGO_BIN_EXE_sslctx"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("sslctx {args:?}: {e}"));
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    assert!(
        stdout.is_ascii(),
        "json.dumps output is ASCII (ensure_ascii): {stdout}"
    );
    let lines = stdout.lines().map(str::to_string).collect();
    (out.status.code().unwrap_or(-1), lines)
}

fn run(args: &[&str]) -> (i32, Vec<String>) {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs a one-line JSON subcommand: exit code and the parsed line.
fn run_json(args: &[&str]) -> (i32, Value) {
    run_json_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn run_json_in(cwd: &Path, args: &[&str]) -> (i32, Value) {
    let (code, lines) = run_in(cwd, args);
    assert_eq!(lines.len(), 1, "one JSON line from {args:?}: {lines:?}");
    let v = parse(&lines[0]);
    (code, v)
}

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

/// The error object of an exit-1 output, checked for the contract's shape.
fn error_of(code: i32, v: &Value) -> &Value {
    assert_eq!(code, 1, "failure exits 1: {v}");
    let obj = v.as_object().expect("an object");
    assert_eq!(obj.len(), 1, "only the error key: {v}");
    let err = &v["error"];
    assert!(err["type"].is_string() && err["message"].is_string(), "{v}");
    err
}

/// CPython's message for a recorded exception: `str()` without the location suffix.
fn recorded_message(record: &Value) -> &str {
    record["str_sans_location"]
        .as_str()
        .or_else(|| record["str"].as_str())
        .unwrap_or_default()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------- decode-cert

#[test]
fn decode_cert_matches_recorded_dicts_and_errors() {
    let doc = common::conformance("decode.json");
    let mut entries: Vec<(&String, &Value)> = doc["certs"].as_object().unwrap().iter().collect();
    entries.extend(doc["extra"].as_object().unwrap().iter());
    let (mut ok, mut errors) = (0, 0);
    let mut failures = Vec::new();
    for (path, want) in entries {
        let (code, got) = run_json_in(&conf(), &["decode-cert", path]);
        if want["ok"].as_bool() == Some(true) {
            if code != 0 || got != want["value"] {
                failures.push(format!("{path}: exit {code}, {got}"));
            }
            ok += 1;
        } else {
            let rec = &want["error"];
            let same = code == 1
                && got["error"]["type"] == rec["type"]
                && got["error"]["message"].as_str() == Some(recorded_message(rec));
            if !same {
                failures.push(format!("{path}: exit {code}, {got} vs {rec}"));
            }
            errors += 1;
        }
    }
    assert!(ok >= 100 && errors >= 5, "{ok} dicts, {errors} errors");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn decode_cert_key_order_is_cpythons() {
    let (code, v) = run_json(&["decode-cert", &certs("pki/leaf-ec.pem")]);
    assert_eq!(code, 0);
    assert_eq!(
        keys(&v),
        [
            "subject",
            "issuer",
            "version",
            "serialNumber",
            "notBefore",
            "notAfter",
            "subjectAltName"
        ]
    );
}

/// The printed text is what `json.dumps` prints for the same value.
#[test]
fn output_is_python_json_dumps() {
    if !common::have_peer("python3") {
        return;
    }
    let odd = std::fs::read_dir(common::cert_path("odd")).expect("odd/");
    let mut checked = 0;
    for entry in odd.flatten().take(200) {
        let path = entry.path();
        let (_, lines) = run(&["decode-cert", &path.to_string_lossy()]);
        let mut child = Command::new("python3")
            .args([
                "-c",
                "import json,sys; print(json.dumps(json.loads(sys.stdin.read())))",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(lines.join("\n").as_bytes()).unwrap();
        }
        let out = child.wait_with_output().expect("python3 output");
        let python = String::from_utf8_lossy(&out.stdout);
        assert_eq!(python.trim_end(), lines.join("\n"), "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 10);
}

// ---------------------------------------------------------------- ciphers

#[test]
fn ciphers_match_recorded_cases() {
    let doc = common::conformance("ciphers.json");
    let cases = doc["cases"].as_array().unwrap();
    let (mut ok, mut errors, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    for case in cases {
        let s = case["string"].as_str().unwrap();
        if s.contains('\0') {
            skipped += 1; // not expressible as a command-line argument
            continue;
        }
        let py = &case["python"];
        let (code, got) = run_json(&["ciphers", "--", s]);
        if py["ok"].as_bool() == Some(true) {
            let want: Vec<Value> = py["get_ciphers"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| IMPLEMENTED.contains(&d["name"].as_str().unwrap_or_default()))
                .cloned()
                .collect();
            if code != 0 || got != Value::Array(want) {
                failures.push(format!("{s:?}: exit {code}, {got}"));
            }
            ok += 1;
        } else {
            let rec = &py["error"];
            if code != 1
                || got["error"]["type"] != rec["type"]
                || got["error"]["message"].as_str() != Some(recorded_message(rec))
            {
                failures.push(format!("{s:?}: exit {code}, {got} vs {rec}"));
            }
            errors += 1;
        }
    }
    assert!(
        ok > 100 && errors > 40 && skipped <= 2,
        "{ok} {errors} {skipped}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ciphers_fresh_contexts() {
    let doc = common::conformance("ciphers.json");
    for (flag, key) in [
        (None, "PROTOCOL_TLS_CLIENT"),
        (Some("--server"), "PROTOCOL_TLS_SERVER"),
    ] {
        let args: Vec<&str> = std::iter::once("ciphers").chain(flag).collect();
        let (code, got) = run_json(&args);
        assert_eq!(code, 0);
        let want: Vec<Value> = doc["fresh_contexts"][key]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| IMPLEMENTED.contains(&d["name"].as_str().unwrap_or_default()))
            .cloned()
            .collect();
        assert_eq!(got, Value::Array(want), "{key}");
        let first = &got[0];
        assert_eq!(
            keys(first),
            [
                "id",
                "name",
                "protocol",
                "description",
                "strength_bits",
                "alg_bits",
                "aead",
                "symmetric",
                "digest",
                "kea",
                "auth"
            ]
        );
    }
}

// ---------------------------------------------------------------- verify

fn verify(extra: &[&str], chain: &str) -> (i32, Value) {
    let root = certs("pki/root-ec.pem");
    let chain = certs(&format!("chains/{chain}.chain.pem"));
    let mut args = vec!["verify", "--cafile", &root];
    args.extend_from_slice(extra);
    args.push(&chain);
    run_json(&args)
}

fn verify_code(code: i32, v: &Value) -> (i64, String) {
    let err = error_of(code, v);
    assert_eq!(err["type"], "ssl.SSLCertVerificationError", "{v}");
    assert_eq!(err["library"], "SSL");
    assert_eq!(err["reason"], "CERTIFICATE_VERIFY_FAILED");
    let message = err["verify_message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        err["message"].as_str().unwrap_or_default(),
        format!("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {message}")
    );
    (err["verify_code"].as_i64().unwrap_or(-1), message)
}

#[test]
fn verify_good_chain_prints_the_verified_chain() {
    let decode = common::conformance("decode.json");
    let (code, v) = verify(&["--server-hostname", "localhost"], "leaf-ec");
    assert_eq!(code, 0, "{v}");
    assert_eq!(keys(&v), ["ok", "chain"]);
    assert_eq!(v["ok"], true);
    let chain = v["chain"].as_array().unwrap();
    let want: Vec<&Value> = ["leaf-ec", "int-ec", "root-ec"]
        .iter()
        .map(|n| &decode["certs"][format!("certs/pki/{n}.pem")]["value"])
        .collect();
    assert_eq!(chain.iter().collect::<Vec<_>>(), want);
    // An IP address in the SAN, and no name check at all.
    let (code, _) = verify(&["--server-hostname", "127.0.0.1"], "leaf-ec");
    assert_eq!(code, 0);
    let (code, _) = verify(&["--no-check-hostname"], "leaf-ec");
    assert_eq!(code, 0);
}

#[test]
fn verify_time_and_trust_failures() {
    // 2050-01-01: after notAfter (2049-12-31); 2020-01-01: before notBefore (2024).
    let (c, v) = verify(
        &["--server-hostname", "localhost", "--at", "2524608000"],
        "leaf-ec",
    );
    assert_eq!(verify_code(c, &v), (10, "certificate has expired".into()));
    let (c, v) = verify(
        &["--server-hostname", "localhost", "--at", "1577836800"],
        "leaf-ec",
    );
    assert_eq!(
        verify_code(c, &v),
        (9, "certificate is not yet valid".into())
    );
    let (c, v) = verify(
        &["--server-hostname", "localhost", "--at", "1900000000"],
        "leaf-ec",
    );
    assert_eq!(c, 0, "{v}");
    let (c, v) = verify(&["--server-hostname", "localhost"], "leaf-expired");
    assert_eq!(verify_code(c, &v).0, 10);
    // Trusting the wrong root: unable to get local issuer certificate.
    let other = certs("pki/root-rsa.pem");
    let chain = certs("chains/leaf-ec.chain.pem");
    let (c, v) = run_json(&[
        "verify",
        "--cafile",
        &other,
        "--server-hostname",
        "localhost",
        &chain,
    ]);
    assert_eq!(
        verify_code(c, &v),
        (20, "unable to get local issuer certificate".into())
    );
    // Two --cafile: the second one is the right root.
    let root = certs("pki/root-ec.pem");
    let (c, _) = run_json(&[
        "verify",
        "--cafile",
        &other,
        "--cafile",
        &root,
        "--server-hostname",
        "localhost",
        &chain,
    ]);
    assert_eq!(c, 0);
    // A verify flag that needs a CRL nobody loaded.
    let (c, v) = verify(
        &[
            "--server-hostname",
            "localhost",
            "--verify-flag",
            "VERIFY_CRL_CHECK_LEAF",
        ],
        "leaf-ec",
    );
    assert_eq!(
        verify_code(c, &v),
        (3, "unable to get certificate CRL".into())
    );
}

#[test]
fn verify_hostname_failures() {
    let (c, v) = verify(&["--server-hostname", "nothere.example"], "leaf-ec");
    assert_eq!(
        verify_code(c, &v),
        (
            62,
            "Hostname mismatch, certificate is not valid for 'nothere.example'.".into()
        )
    );
    let (c, v) = verify(&["--server-hostname", "192.0.2.9"], "leaf-ec");
    assert_eq!(
        verify_code(c, &v),
        (
            64,
            "IP address mismatch, certificate is not valid for '192.0.2.9'.".into()
        )
    );
    // The CN fallback and --no-cn-fallback.
    let (c, _) = verify(&["--server-hostname", "cnonly.example.com"], "leaf-cn-only");
    assert_eq!(c, 0);
    let (c, v) = verify(
        &[
            "--server-hostname",
            "cnonly.example.com",
            "--no-cn-fallback",
        ],
        "leaf-cn-only",
    );
    assert_eq!(verify_code(c, &v).0, 62);
}

#[test]
fn verify_usage_errors() {
    // check_hostname without a name, as wrap_socket says it.
    let (c, v) = verify(&[], "leaf-ec");
    let err = error_of(c, &v);
    assert_eq!(err["type"], "ValueError");
    assert_eq!(err["message"], "check_hostname requires server_hostname");
    // A missing chain file.
    let root = certs("pki/root-ec.pem");
    let (c, v) = run_json_in(
        &conf(),
        &[
            "verify",
            "--cafile",
            &root,
            "--no-check-hostname",
            "missing.pem",
        ],
    );
    let err = error_of(c, &v);
    assert_eq!(err["type"], "FileNotFoundError");
    assert_eq!(err["errno"], 2);
    assert_eq!(err["filename"], "missing.pem");
    assert_eq!(
        err["message"],
        "[Errno 2] No such file or directory: 'missing.pem'"
    );
    // An unknown flag name.
    let (c, v) = verify(
        &["--no-check-hostname", "--verify-flag", "VERIFY_NOPE"],
        "leaf-ec",
    );
    assert_eq!(error_of(c, &v)["type"], "ValueError");
}

// ---------------------------------------------------------------- context

/// `get_ciphers` names: the recorded list, filtered to what rustls implements.
fn implemented(names: &Value) -> Value {
    Value::Array(
        names
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| IMPLEMENTED.contains(&n.as_str().unwrap_or_default()))
            .cloned()
            .collect(),
    )
}

#[test]
fn context_defaults_match_recorded() {
    let doc = common::conformance("defaults.json");
    let rows = [
        ("tls", "SSLContext(PROTOCOL_TLS)"),
        ("client", "SSLContext(PROTOCOL_TLS_CLIENT)"),
        ("server", "SSLContext(PROTOCOL_TLS_SERVER)"),
        (
            "default-client",
            "create_default_context(Purpose.SERVER_AUTH)",
        ),
        (
            "default-server",
            "create_default_context(Purpose.CLIENT_AUTH)",
        ),
    ];
    for (protocol, name) in rows {
        let want = &doc["contexts"][name];
        let (code, got) = run_json(&["context", "--protocol", protocol]);
        assert_eq!(code, 0, "{protocol}: {got}");
        assert_eq!(
            keys(&got),
            [
                "protocol",
                "options",
                "verify_mode",
                "check_hostname",
                "minimum_version",
                "maximum_version",
                "verify_flags",
                "hostname_checks_common_name",
                "post_handshake_auth",
                "security_level",
                "num_tickets",
                "keylog_filename",
                "cert_store_stats",
                "session_stats",
                "get_ca_certs",
                "get_ciphers"
            ]
        );
        let pairs = [
            ("protocol", &want["protocol"]["value"]),
            ("options", &want["options"]["int"]),
            ("verify_mode", &want["verify_mode"]["value"]),
            ("check_hostname", &want["check_hostname"]),
            ("minimum_version", &want["minimum_version"]["value"]),
            ("maximum_version", &want["maximum_version"]["value"]),
            ("verify_flags", &want["verify_flags"]["int"]),
            (
                "hostname_checks_common_name",
                &want["hostname_checks_common_name"],
            ),
            ("post_handshake_auth", &want["post_handshake_auth"]),
            ("security_level", &want["security_level"]),
            ("num_tickets", &want["num_tickets"]),
            ("keylog_filename", &want["keylog_filename"]),
            ("session_stats", &want["session_stats()"]),
        ];
        for (key, value) in pairs {
            assert_eq!(&got[key], value, "{protocol}: {key}");
        }
        assert_eq!(
            got["get_ciphers"],
            implemented(&want["get_ciphers()_names"]),
            "{protocol}"
        );
        let stats = &got["cert_store_stats"];
        if protocol == "default-client" {
            // The machine's trust store: only the shape and consistency are fixed.
            assert_eq!(keys(stats).len(), 3);
            assert_eq!(
                got["get_ca_certs"].as_array().map(Vec::len),
                stats["x509_ca"].as_u64().map(|n| n as usize)
            );
        } else {
            assert_eq!(stats, &want["cert_store_stats()"], "{protocol}");
            assert_eq!(
                got["get_ca_certs"].as_array().map(Vec::len),
                want["get_ca_certs()_len"].as_u64().map(|n| n as usize)
            );
        }
    }
}

#[test]
fn context_ops_match_cpython() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cli/context_ops.json"),
    )
    .expect("context_ops.json");
    let doc: Value = serde_json::from_str(&text).expect("json");
    let rows = doc["rows"].as_array().unwrap();
    assert!(rows.len() >= 30);
    let mut failures = Vec::new();
    let (mut oks, mut errs) = (0, 0);
    for row in rows {
        let mut args = vec!["context", "--protocol", row["protocol"].as_str().unwrap()];
        for op in row["ops"].as_array().unwrap() {
            args.push("--op");
            args.push(op.as_str().unwrap());
        }
        let (code, got) = run_json_in(&conf(), &args);
        let label = format!("{:?}", &args[1..]);
        if let Some(want) = row.get("result") {
            oks += 1;
            if code != 0 {
                failures.push(format!("{label}: {got}"));
                continue;
            }
            for (key, value) in want.as_object().unwrap() {
                let value = if key == "get_ciphers" {
                    implemented(value)
                } else {
                    value.clone()
                };
                if got[key.as_str()] != value {
                    failures.push(format!(
                        "{label}: {key} = {} want {value}",
                        got[key.as_str()]
                    ));
                }
            }
        } else {
            errs += 1;
            let want = &row["error"];
            if code != 1
                || got["error"]["type"] != want["type"]
                || got["error"]["message"] != want["message"]
            {
                failures.push(format!("{label}: {got} want {want}"));
            }
        }
    }
    assert!(oks >= 15 && errs >= 8, "{oks} {errs}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn context_usage_errors() {
    let (c, v) = run_json(&["context", "--op", "no_such_op=1"]);
    assert_eq!(error_of(c, &v)["type"], "ValueError");
    let (c, v) = run_json(&["context", "--op", "missing-equals"]);
    assert_eq!(error_of(c, &v)["type"], "ValueError");
    let (c, v) = run_json(&["context", "--protocol", "sslv3"]);
    assert_eq!(error_of(c, &v)["type"], "ValueError");
}

// ---------------------------------------------------------------- serve + connect

/// A running `sslctx serve`, killed on drop if it has not exited.
struct Server {
    child: std::process::Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl Server {
    fn start(extra: &[&str]) -> (Server, u16) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sslctx"))
            .arg("serve")
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut server = Server {
            child,
            lines: BufReader::new(stdout).lines(),
        };
        let first = server.next_line();
        assert_eq!(keys(&first), ["listening"]);
        let port = first["listening"].as_u64().expect("port") as u16;
        assert_ne!(port, 0);
        (server, port)
    }

    fn next_line(&mut self) -> Value {
        let line = self
            .lines
            .next()
            .expect("a line from serve")
            .expect("readable");
        parse(&line)
    }

    /// Waits for exit (serve stops after --count connections).
    fn wait(mut self) -> (i32, Vec<Value>) {
        let rest: Vec<Value> = self
            .lines
            .by_ref()
            .map_while(Result::ok)
            .map(|l| parse(&l))
            .collect();
        let status = self.child.wait().expect("wait");
        (status.code().unwrap_or(-1), rest)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SUMMARY_KEYS: [&str; 6] = [
    "version",
    "cipher",
    "alpn",
    "peercert",
    "session_reused",
    "server_hostname",
];

/// `connect`'s line: the summary and how the connection ended.
const CLIENT_KEYS: [&str; 7] = [
    "version",
    "cipher",
    "alpn",
    "peercert",
    "session_reused",
    "server_hostname",
    "shutdown",
];

/// `serve`'s line: the summary and the name the client asked for.
const SERVER_KEYS: [&str; 7] = [
    "version",
    "cipher",
    "alpn",
    "peercert",
    "session_reused",
    "server_hostname",
    "sni",
];

#[test]
fn serve_and_connect_on_loopback() {
    let chain = certs("chains/leaf-ec.chain.pem");
    let key = certs("pki/leaf-ec.key");
    let root = certs("pki/root-ec.pem");
    let (mut server, port) = Server::start(&[
        "--count",
        "1",
        "--port",
        "0",
        "--certfile",
        &chain,
        "--keyfile",
        &key,
        "--alpn",
        "h2,http/1.1",
    ]);
    let address = format!("127.0.0.1:{port}");
    let (code, lines) = run(&[
        "connect",
        &address,
        "--cafile",
        &root,
        "--server-hostname",
        "localhost",
        "--alpn",
        "http/1.1,h2",
        "--send",
        "ping ünïcode",
    ]);
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(lines.len(), 1);
    let client = parse(&lines[0]);
    let mut want_keys = SUMMARY_KEYS.to_vec();
    want_keys.extend(["received", "shutdown"]);
    assert_eq!(keys(&client), want_keys);
    assert_eq!(
        client["shutdown"], "close_notify",
        "serve answers close_notify"
    );
    assert_eq!(client["version"], "TLSv1.3");
    assert_eq!(client["cipher"][1], "TLSv1.3");
    assert_eq!(client["cipher"].as_array().map(Vec::len), Some(3));
    assert_eq!(client["alpn"], "h2", "the server's preference order wins");
    assert_eq!(client["session_reused"], false);
    assert_eq!(client["server_hostname"], "localhost");
    assert_eq!(client["received"], "ping ünïcode");
    let decode = common::conformance("decode.json");
    assert_eq!(
        client["peercert"],
        decode["certs"]["certs/pki/leaf-ec.pem"]["value"]
    );

    let summary = server.next_line();
    assert_eq!(keys(&summary), SERVER_KEYS);
    assert_eq!(summary["sni"], "localhost", "the name the client sent");
    assert_eq!(summary["version"], "TLSv1.3");
    assert_eq!(summary["cipher"], client["cipher"]);
    assert_eq!(summary["alpn"], "h2");
    assert_eq!(summary["peercert"], Value::Null);
    assert_eq!(summary["server_hostname"], Value::Null);
    let (code, rest) = server.wait();
    assert_eq!(code, 0, "{rest:?}");
    assert!(rest.is_empty(), "{rest:?}");
}

#[test]
fn connect_twice_with_client_certificates_and_tls12() {
    let chain = certs("chains/leaf-rsa.chain.pem");
    let key = certs("pki/leaf-rsa.key");
    let root = certs("pki/root-rsa.pem");
    let client_chain = certs("chains/client-ec.chain.pem");
    let client_key = certs("pki/client-ec.key");
    let client_root = certs("pki/root-ec.pem");
    let (mut server, port) = Server::start(&[
        "--count",
        "2",
        "--certfile",
        &chain,
        "--keyfile",
        &key,
        "--cafile",
        &client_root,
        "--verify-mode",
        "CERT_REQUIRED",
        "--max-version",
        "TLSv1_2",
    ]);
    let address = format!("127.0.0.1:{port}");
    let (code, lines) = run(&[
        "connect",
        &address,
        "--cafile",
        &root,
        "--server-hostname",
        "localhost",
        "--certfile",
        &client_chain,
        "--keyfile",
        &client_key,
        "--reconnect",
    ]);
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(lines.len(), 2, "one summary per connection");
    for line in &lines {
        let v = parse(line);
        assert_eq!(keys(&v), CLIENT_KEYS);
        assert_eq!(v["shutdown"], "close_notify");
        assert_eq!(v["version"], "TLSv1.2");
        assert_eq!(v["cipher"][0], "ECDHE-RSA-AES256-GCM-SHA384");
        assert_eq!(v["alpn"], Value::Null);
        assert!(v["session_reused"].is_boolean());
    }
    for _ in 0..2 {
        let s = server.next_line();
        assert_eq!(keys(&s), SERVER_KEYS);
        assert_eq!(s["peercert"]["subject"][2][0][1], "client-ec");
    }
    let (code, _) = server.wait();
    assert_eq!(code, 0);
}

#[test]
fn connect_failure_is_reported_on_both_sides() {
    let chain = certs("chains/leaf-ec.chain.pem");
    let key = certs("pki/leaf-ec.key");
    let wrong_root = certs("pki/root-rsa.pem");
    let (server, port) = Server::start(&["--count", "1", "--certfile", &chain, "--keyfile", &key]);
    let address = format!("127.0.0.1:{port}");
    let (c, v) = run_json(&[
        "connect",
        &address,
        "--cafile",
        &wrong_root,
        "--server-hostname",
        "localhost",
    ]);
    let (code, _) = verify_code(c, &v);
    assert_eq!(code, 20);
    let (code, rest) = server.wait();
    assert_eq!(code, 1, "a failed connection makes serve exit 1");
    assert_eq!(rest.len(), 1);
    assert!(
        rest[0]["error"]["type"]
            .as_str()
            .unwrap_or_default()
            .starts_with("ssl."),
        "{rest:?}"
    );
}

#[test]
fn connect_and_serve_usage_errors() {
    let (c, v) = run_json(&["connect", "no-port-here"]);
    assert_eq!(error_of(c, &v)["type"], "ValueError");
    let (c, v) = run_json(&["serve", "--certfile", "missing.pem"]);
    assert_eq!(error_of(c, &v)["type"], "FileNotFoundError");
    let (c, v) = run_json(&["serve", "--server-hostname", "x"]);
    assert_eq!(
        error_of(c, &v)["message"],
        "server_hostname can only be specified in client mode"
    );
    let (c, v) = run_json(&["connect", "127.0.0.1:1", "--verify-mode", "CERT_NONE"]);
    assert_eq!(
        error_of(c, &v)["message"],
        "Cannot set verify_mode to CERT_NONE when check_hostname is enabled."
    );
}

/// A CPython TLS 1.3 server that echoes one read per connection and then closes its
/// socket without shutting TLS down (what `SSLSocket.close()` does): no close_notify.
/// In "garbage" mode it then writes a plaintext alert record into the encrypted stream
/// and waits (bounded) for the client to close.
const PY_RAGGED_SERVER: &str = r#"
import os, socket, ssl, sys
cert, key, count, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1], flush=True)
for _ in range(count):
    conn, _ = listener.accept()
    conn.settimeout(20)
    with ctx.wrap_socket(conn, server_side=True) as tls:
        data = tls.recv(4096)
        if data:
            tls.sendall(data)
        if mode == "garbage":
            raw = socket.socket(fileno=os.dup(tls.fileno()))
            raw.sendall(bytes([21, 3, 3, 0, 2, 2, 80]))
            raw.settimeout(20)
            for _ in range(100):
                if not raw.recv(4096):
                    break
            raw.close()
"#;

/// Runs `PY_RAGGED_SERVER` for `count` connections (`mode` "plain" or "garbage");
/// returns the child and its port.
fn python_ragged_server(count: u32, mode: &str) -> Option<(std::process::Child, u16)> {
    if !common::have_peer("python3") {
        return None;
    }
    let mut child = Command::new("python3")
        .args(["-c", PY_RAGGED_SERVER])
        .args([
            certs("chains/leaf-ec.chain.pem"),
            certs("pki/leaf-ec.key"),
            count.to_string(),
            mode.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn python3");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("port line");
    let port = first.trim().parse().expect("the port python printed");
    Some((child, port))
}

/// Issue 15, item 1: against a CPython server (no close_notify at close), `connect
/// --send --reconnect` prints both summaries, with what came back, the resumed session,
/// and `"shutdown": "eof"`; the exit code is 0 (a plain EOF is how CPython closes).
#[test]
fn connect_survives_a_peer_that_closes_without_close_notify() {
    let Some((mut child, port)) = python_ragged_server(2, "plain") else {
        return;
    };
    let address = format!("127.0.0.1:{port}");
    let root = certs("pki/root-ec.pem");
    let (code, lines) = run(&[
        "connect",
        &address,
        "--cafile",
        &root,
        "--server-hostname",
        "localhost",
        "--send",
        "hello cpython",
        "--reconnect",
    ]);
    let status = child.wait().expect("python exits after two connections");
    assert!(status.success(), "python server: {status}");
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(lines.len(), 2, "a summary per connection: {lines:?}");
    let mut want = SUMMARY_KEYS.to_vec();
    want.extend(["received", "shutdown"]);
    for (i, line) in lines.iter().enumerate() {
        let v = parse(line);
        assert_eq!(keys(&v), want);
        assert_eq!(v["version"], "TLSv1.3");
        assert_eq!(v["received"], "hello cpython");
        assert_eq!(v["shutdown"], "eof", "CPython sends no close_notify");
        assert_eq!(v["session_reused"], i == 1, "the second connection resumes");
    }
}

/// A connection that ends with something other than close_notify or EOF still prints
/// its summary, with the error in `"shutdown"`, and exits 1. The CPython server here
/// answers, then writes a plaintext alert record into the encrypted stream.
#[test]
fn connect_reports_a_broken_shutdown_in_its_own_key() {
    let Some((mut child, port)) = python_ragged_server(1, "garbage") else {
        return;
    };
    let (code, lines) = run(&[
        "connect",
        &format!("127.0.0.1:{port}"),
        "--cafile",
        &certs("pki/root-ec.pem"),
        "--server-hostname",
        "localhost",
        "--send",
        "abc",
    ]);
    let _ = child.wait();
    assert_eq!(code, 1, "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    let v = parse(&lines[0]);
    assert_eq!(v["received"], "abc");
    let shutdown = &v["shutdown"];
    assert!(
        shutdown["type"]
            .as_str()
            .unwrap_or_default()
            .starts_with("ssl.SSL"),
        "an SSL error, not an EOF: {v}"
    );
}

/// Issue 15, items 2 and 4: `--sni-host NAME=CERT,KEY` picks the certificate through
/// the SNI callback (names compared ignoring ASCII case), the server line says which
/// name the client sent (`"sni"`, null without one), and an idle client does not hold
/// up the others (connections are served concurrently).
#[test]
fn serve_sni_hosts_and_concurrent_clients() {
    let other = format!(
        "other.example={},{}",
        certs("chains/leaf-rsa.chain.pem"),
        certs("pki/leaf-rsa.key")
    );
    let (mut server, port) = Server::start(&[
        "--count",
        "4",
        "--timeout",
        "60",
        "--certfile",
        &certs("chains/leaf-ec.chain.pem"),
        "--keyfile",
        &certs("pki/leaf-ec.key"),
        "--sni-host",
        &other,
    ]);
    let address = format!("127.0.0.1:{port}");
    // An idle client first: it connects and sends nothing for the whole test.
    let idle = std::net::TcpStream::connect(("127.0.0.1", port)).expect("idle connect");
    let connect = |name: &str, root: &str| {
        let (code, lines) = run(&[
            "connect",
            &address,
            "--cafile",
            &certs(root),
            "--server-hostname",
            name,
            "--no-check-hostname",
            "--send",
            "x",
            "--timeout",
            "20",
        ]);
        assert_eq!(code, 0, "{name}: {lines:?}");
        assert_eq!(lines.len(), 1);
        parse(&lines[0])
    };
    let rsa = connect("OTHER.example", "pki/root-rsa.pem");
    let ec = connect("localhost", "pki/root-ec.pem");
    assert_eq!(rsa["received"], "x");
    let issuer = |v: &Value| v["peercert"]["issuer"][2][0][1].clone();
    assert_eq!(issuer(&rsa), "Oracle Test Intermediate CA RSA", "{rsa}");
    assert_eq!(issuer(&ec), "Oracle Test Intermediate CA ECDSA", "{ec}");
    let mut seen = Vec::new();
    for _ in 0..2 {
        let s = server.next_line();
        assert_eq!(keys(&s), SERVER_KEYS);
        seen.push(s["sni"].as_str().unwrap_or_default().to_string());
    }
    seen.sort();
    assert_eq!(seen, ["OTHER.example", "localhost"]);
    // A client without SNI (an IP address is never sent as a server name).
    let (code, lines) = run(&[
        "connect",
        &address,
        "--cafile",
        &certs("pki/root-ec.pem"),
        "--server-hostname",
        "127.0.0.1",
    ]);
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(server.next_line()["sni"], Value::Null);
    drop(idle);
    let (code, rest) = server.wait();
    assert_eq!(code, 1, "the idle client's connection failed: {rest:?}");
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert!(rest[0]["error"].is_object(), "{rest:?}");
}

/// Issue 15, item 3: `connect --timeout` to a peer that never answers is CPython's
/// `TimeoutError` for the handshake (the timeout is set on the TcpStream).
#[test]
fn connect_timeout_is_timeout_error() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let (c, v) = run_json(&[
        "connect",
        &format!("127.0.0.1:{port}"),
        "--server-hostname",
        "localhost",
        "--timeout",
        "1",
    ]);
    let err = error_of(c, &v);
    assert_eq!(err["type"], "TimeoutError", "{v}");
    assert_eq!(
        err["message"], "_ssl.c:989: The handshake operation timed out",
        "{v}"
    );
    drop(silent);
}

/// Issue 15, item 5: option values may start with `-`; a bad `--sni-host` is a
/// ValueError.
#[test]
fn hyphen_values_and_bad_sni_host_specs() {
    let (c, v) = verify(&["--server-hostname", "-.example.com"], "leaf-ec");
    let (code, _) = verify_code(c, &v);
    assert_eq!(code, 62, "a hostname mismatch, not a usage error: {v}");
    for spec in ["no-equals", "name=only-a-cert", "=a,b", "n=,b"] {
        let (c, v) = run_json(&["serve", "--sni-host", spec]);
        assert_eq!(error_of(c, &v)["type"], "ValueError", "{spec}: {v}");
    }
    let (c, v) = run_json(&["serve", "--sni-host", "n=missing.pem,missing.key"]);
    assert_eq!(error_of(c, &v)["type"], "FileNotFoundError", "{v}");
}

// ---------------------------------------------------------------- demo

#[test]
fn demo_prints_both_views() {
    let (code, lines) = run(&["demo"]);
    assert_eq!(code, 0, "{lines:?}");
    let text = lines.join("\n");
    for needle in [
        "== client ==",
        "== server ==",
        "('TLS_AES_256_GCM_SHA384', 'TLSv1.3', 256)",
        "'h2'",
        "b'hello from the server\\n'",
        "b'hello from the client\\n'",
        "'subjectAltName': (('DNS', 'localhost'), ('IP Address', '127.0.0.1')),",
        "(('commonName', 'localhost'),)",
        " 'connect_good': 1,",
        " 'accept_good': 1,",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn demo_json() {
    let (code, v) = run_json(&["demo", "--json"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(keys(&v), ["client", "server"]);
    let (c, s) = (&v["client"], &v["server"]);
    for side in [c, s] {
        let mut want = SUMMARY_KEYS.to_vec();
        want.extend(["received", "session_stats"]);
        assert_eq!(keys(side), want);
        assert_eq!(side["version"], "TLSv1.3");
        assert_eq!(side["alpn"], "h2");
    }
    assert_eq!(c["cipher"], s["cipher"]);
    assert_eq!(c["received"], "hello from the server\n");
    assert_eq!(s["received"], "hello from the client\n");
    assert_eq!(c["server_hostname"], "localhost");
    assert_eq!(
        c["peercert"]["subject"][1][0],
        serde_json::json!(["commonName", "localhost"])
    );
    assert_eq!(s["peercert"], Value::Null);
    assert_eq!(c["session_stats"]["connect_good"], 1);
    assert_eq!(s["session_stats"]["accept_good"], 1);
}

/// x509-limbo cases through `sslctx verify`, spelled as the limbo README spells them
/// (`--cafile` for the trust store and for CRLs, `--verify-flag` for each flag,
/// `--server-hostname=NAME` so names starting with `-` pass, `--no-check-hostname`,
/// `--at`): one case for every distinct OpenSSL verdict code and id prefix, plus the
/// name-constraint cases with a commonName identity. Each gives OpenSSL's code, except
/// the cases `tests/data/limbo/divergences.tsv` lists.
#[test]
fn verify_runs_limbo_cases_as_the_readme_shows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/limbo");
    let listed = std::fs::read_to_string(root.join("divergences.tsv")).unwrap();
    let text = std::fs::read_to_string(root.join("limbo.jsonl")).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for line in text.lines() {
        let case = parse(line);
        let id = case["id"].as_str().unwrap();
        let prefix = id.rsplit_once("::").map_or(id, |(p, _)| p).to_string();
        let want = case["openssl"]["code"].as_i64().unwrap();
        if !seen.insert((prefix, want)) || listed.lines().any(|l| l.starts_with(id)) {
            continue;
        }
        let write = |name: &str, pems: &[Value]| {
            let p = dir.path().join(name);
            let text: String = pems.iter().map(|v| v.as_str().unwrap()).collect();
            std::fs::write(&p, text).unwrap();
            p.to_string_lossy().into_owned()
        };
        let trusted = write("trusted.pem", case["trusted"].as_array().unwrap());
        let mut chain = vec![case["peer"].clone()];
        chain.extend(case["untrusted"].as_array().unwrap().iter().cloned());
        let chain = write("chain.pem", &chain);
        let mut args: Vec<String> = vec!["verify".into(), "--cafile".into(), trusted];
        if let Some(crls) = case["crls"].as_array().filter(|c| !c.is_empty()) {
            args.push("--cafile".into());
            args.push(write("crls.pem", crls));
        }
        for f in case["verify_flags"].as_array().unwrap() {
            args.push("--verify-flag".into());
            args.push(f.as_str().unwrap().into());
        }
        if case["check_hostname"] == false {
            args.push("--no-check-hostname".into());
        } else {
            args.push(format!(
                "--server-hostname={}",
                case["server_hostname"].as_str().unwrap()
            ));
        }
        if let Some(at) = case["at"].as_u64() {
            args.push("--at".into());
            args.push(at.to_string());
        }
        args.push(chain);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, v) = run_json(&argv);
        let got = if code == 0 {
            0
        } else {
            verify_code(code, &v).0
        };
        assert_eq!(got, want, "{id}: sslctx {argv:?}");
        checked += 1;
    }
    println!("sslctx verify: {checked} limbo cases, each with OpenSSL's code");
    assert!(checked >= 30, "only {checked} cases");
}
