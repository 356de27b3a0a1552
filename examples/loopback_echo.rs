//! A TLS echo server and a client on loopback with blocking sockets
//! (`SSLContext.wrap_socket`), each on its own thread.
//!
//! `cargo run --example loopback_echo`

use std::io::Write;
use std::net::{TcpListener, TcpStream};

use sslcontext::{
    create_default_context_with, CaLocations, Protocol, Purpose, SslContext, WrapOptions,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let certs =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance/certs");
    let server = SslContext::new(Protocol::TlsServer)?;
    server.load_cert_chain(
        certs.join("chains/leaf-rsa.chain.pem"),
        Some(&certs.join("pki/leaf-rsa.key")),
        None,
    )?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let serving = std::thread::spawn(move || -> Result<(), sslcontext::Error> {
        let (tcp, _) = listener.accept()?;
        let mut tls = server.wrap_socket(tcp, WrapOptions::server())?;
        let data = tls.read(1024)?; // SSLSocket.read(len)
        tls.sendall(&data)?;
        tls.unwrap()?;
        Ok(())
    });

    // create_default_context(cafile=...): CPython's client defaults.
    let root = certs.join("pki/root-rsa.pem");
    let client = create_default_context_with(
        Purpose::ServerAuth,
        CaLocations {
            cafile: Some(&root),
            ..CaLocations::default()
        },
    )?;
    let tcp = TcpStream::connect(("127.0.0.1", port))?;
    let mut tls = client.wrap_socket(tcp, WrapOptions::client("localhost"))?;
    tls.write_all(b"hello over TLS")?;
    let echoed = tls.read(64)?;
    println!("echoed: {:?}", String::from_utf8_lossy(&echoed));
    println!("{:?} {:?}", tls.version(), tls.cipher());
    tls.unwrap()?;
    serving.join().expect("server thread")?;
    Ok(())
}
