//! What the paired benches (`resume`, `system_store`) share: the conformance test PKI,
//! raw rustls configs and an in-memory pump for raw connections, and the same
//! handshake loop for our `SslObject`s, and the table of ratios ours / raw read from
//! criterion's own estimates after a run.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection};
use sslcontext::{MemoryBio, Protocol, SslContext, SslObject, TlsVersion, WrapOptions};

/// A file of the conformance test PKI.
pub fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/conformance/certs")
        .join(rel)
}

/// The protocol versions of one benchmark row.
pub fn versions(tls12: bool) -> &'static [&'static rustls::SupportedProtocolVersion] {
    static TLS12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
    static TLS13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    if tls12 {
        &TLS12
    } else {
        &TLS13
    }
}

/// A raw rustls server with the leaf-ec chain (and ring's ticketer when `tickets`).
pub fn raw_server(tls12: bool, tickets: bool) -> Arc<ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(path("chains/leaf-ec.chain.pem"))
            .unwrap()
            .map(|c| c.unwrap())
            .collect();
    let key = PrivateKeyDer::from_pem_file(path("pki/leaf-ec.key")).unwrap();
    let mut server = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions(tls12))
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    if tickets {
        server.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
    }
    Arc::new(server)
}

/// A raw rustls client trusting `roots` plus the test root-ec.
pub fn raw_client(tls12: bool, mut roots: rustls::RootCertStore) -> ClientConfig {
    roots
        .add(CertificateDer::from_pem_file(path("pki/root-ec.pem")).unwrap())
        .unwrap();
    ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(versions(tls12))
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// Moves everything `a` has to send into `b`.
pub fn pump(a: &mut Connection, b: &mut Connection) {
    let mut buf = Vec::new();
    while a.wants_write() {
        a.write_tls(&mut buf).unwrap();
    }
    let mut rd = &buf[..];
    while !rd.is_empty() {
        b.read_tls(&mut rd).unwrap();
    }
    b.process_new_packets().unwrap();
}

/// Moves bytes both ways until neither side has anything to send (after a handshake:
/// the server's session tickets reach the client and are processed).
pub fn settle(a: &mut Connection, b: &mut Connection) {
    while a.wants_write() || b.wants_write() {
        pump(a, b);
        pump(b, a);
    }
}

/// A finished raw handshake to `localhost`.
pub fn raw_handshake(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
) -> (Connection, Connection) {
    let name = ServerName::try_from("localhost").unwrap();
    let mut c = Connection::Client(ClientConnection::new(client.clone(), name).unwrap());
    let mut s = Connection::Server(ServerConnection::new(server.clone()).unwrap());
    while c.is_handshaking() || s.is_handshaking() {
        pump(&mut c, &mut s);
        pump(&mut s, &mut c);
    }
    (c, s)
}

/// A server context with the leaf-ec chain.
pub fn our_server() -> SslContext {
    let server = SslContext::new(sslcontext::Protocol::TlsServer).unwrap();
    server
        .load_cert_chain(
            path("chains/leaf-ec.chain.pem"),
            Some(&path("pki/leaf-ec.key")),
            None,
        )
        .unwrap();
    server
}

/// Our two objects over four BIOs ([client in, client out, server in, server out]),
/// after a finished handshake to `localhost`.
pub fn our_handshake(
    client: &SslContext,
    server: &SslContext,
    options: WrapOptions,
) -> (SslObject, SslObject, [MemoryBio; 4]) {
    let bios = [
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
        MemoryBio::new(),
    ];
    let [ci, co, si, so] = &bios;
    let mut c = client.wrap_bio(ci, co, options).unwrap();
    let mut s = server.wrap_bio(si, so, WrapOptions::server()).unwrap();
    for _ in 0..8 {
        let cd = c.do_handshake().is_ok();
        si.write(&co.read(None)).unwrap();
        let sd = s.do_handshake().is_ok();
        ci.write(&so.read(None)).unwrap();
        if cd && sd {
            return (c, s, bios);
        }
    }
    panic!("handshake did not finish");
}

/// Raw configs for one row: client resumption on (rustls's default), server tickets on.
pub fn raw_configs(tls12: bool) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    (
        Arc::new(raw_client(tls12, rustls::RootCertStore::empty())),
        raw_server(tls12, true),
    )
}

/// One raw connection: handshake, one byte from the server (carrying TLS 1.3 tickets)
/// read by the client. True when it resumed.
pub fn raw_connection(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>) -> bool {
    let (mut c, mut s) = raw_handshake(client, server);
    s.writer().write_all(b"x").unwrap();
    pump(&mut s, &mut c);
    let mut one = [0u8; 1];
    c.reader().read_exact(&mut one).unwrap();
    c.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
}

/// Pins a context to TLS 1.2 or TLS 1.3 (minimum and maximum version).
pub fn pin_version(ctx: &SslContext, tls12: bool) {
    let v = if tls12 {
        TlsVersion::TLSv1_2
    } else {
        TlsVersion::TLSv1_3
    };
    ctx.set_minimum_version(v).unwrap();
    ctx.set_maximum_version(v).unwrap();
}

/// Our client trusting root-ec, pinned to one version.
pub fn our_client(tls12: bool) -> SslContext {
    let client = SslContext::new(Protocol::TlsClient).unwrap();
    client
        .load_verify_locations(Some(&path("pki/root-ec.pem")), None, None)
        .unwrap();
    pin_version(&client, tls12);
    client
}

/// Our client (trusting root-ec, version pinned) and server contexts.
pub fn our_contexts(tls12: bool) -> (SslContext, SslContext) {
    (our_client(tls12), our_server())
}

/// Our connection doing what `raw_connection` does, offering `session`; whether it
/// resumed, and its session.
pub fn our_connection(
    client: &SslContext,
    server: &SslContext,
    session: Option<sslcontext::SslSession>,
) -> (bool, Option<sslcontext::SslSession>) {
    let mut opts = WrapOptions::client("localhost");
    opts.session = session;
    let (mut c, mut s, [ci, _, _, so]) = our_handshake(client, server, opts);
    s.write(b"x").unwrap();
    ci.write(&so.read(None)).unwrap();
    assert_eq!(c.read(1).unwrap(), b"x");
    (c.session_reused(), c.session())
}

/// Where criterion keeps its results (`CRITERION_HOME`, else `<target>/criterion`).
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// The mean point estimate (ns) of one benchmark, from criterion's JSON.
pub fn mean_ns(group: &str, case: &str, which: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(case)
        .join(which)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    // {"mean":{"confidence_interval":{...},"point_estimate":123.4,...},...}
    let mean = text.find("\"mean\"")?;
    let rest = &text[mean..];
    let pe = rest.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let rest = &rest[pe..];
    let end = rest.find([',', '}'])?;
    rest[..end].trim().parse().ok()
}

/// A duration in ns, as criterion prints it.
pub fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// Prints, for each `(group, case)` benchmarked as `<group>/<case>/raw` and
/// `<group>/<case>/ours`, criterion's mean estimates and the ratio ours / raw. Nothing
/// is timed here.
pub fn print_ratio_table(rows: &[(&str, &str)]) {
    println!();
    println!("| group | case | raw rustls | ours | ours/raw time | speed vs raw |");
    println!("| --- | --- | ---: | ---: | ---: | ---: |");
    for &(group, case) in rows {
        match (mean_ns(group, case, "raw"), mean_ns(group, case, "ours")) {
            (Some(r), Some(o)) => println!(
                "| {group} | {case} | {} | {} | {:.3} | {:.3}× |",
                fmt_ns(r),
                fmt_ns(o),
                o / r,
                r / o
            ),
            _ => println!("| {group} | {case} | (not run) | | | |"),
        }
    }
}
