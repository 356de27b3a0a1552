//! A client for a real server, with CPython's defaults (system roots, `CERT_REQUIRED`,
//! `check_hostname`): `cargo run --example client -- example.org 443`.
//! It prints what Python's `ssl` would show: version, cipher and the certificate dict.

use std::io::{Read, Write};

use sslcontext::{create_default_context, Purpose, WrapOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "example.org".to_string());
    let port: u16 = args.next().map_or(Ok(443), |p| p.parse())?;
    let ctx = create_default_context(Purpose::ServerAuth)?;
    let tcp = std::net::TcpStream::connect((host.as_str(), port))?;
    let mut tls = ctx.wrap_socket(tcp, WrapOptions::client(host.as_str()))?;
    println!("{:?} {:?}", tls.version(), tls.cipher());
    println!("{:?}", tls.getpeercert()?);
    tls.write_all(
        format!("HEAD / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    let mut head = Vec::new();
    // Servers often close without close_notify: read what comes, then stop.
    let _ = tls.read_to_end(&mut head);
    println!(
        "{}",
        String::from_utf8_lossy(&head)
            .lines()
            .next()
            .unwrap_or_default()
    );
    Ok(())
}
