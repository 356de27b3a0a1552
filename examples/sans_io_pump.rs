//! A client and a server over memory buffers (`SSLContext.wrap_bio`), pumped by hand:
//! the sans-IO core every other transport is built on.
//!
//! `cargo run --example sans_io_pump`

use sslcontext::{MemoryBio, Protocol, SslContext, WrapOptions};

fn main() -> Result<(), sslcontext::Error> {
    let certs =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance/certs");
    let server = SslContext::new(Protocol::TlsServer)?;
    server.load_cert_chain(
        certs.join("chains/leaf-ec.chain.pem"),
        Some(&certs.join("pki/leaf-ec.key")),
        None,
    )?;
    let client = SslContext::new(Protocol::TlsClient)?; // CERT_REQUIRED, check_hostname
    client.load_verify_locations(Some(&certs.join("pki/root-ec.pem")), None, None)?;

    let (c_in, c_out) = (MemoryBio::new(), MemoryBio::new());
    let (s_in, s_out) = (MemoryBio::new(), MemoryBio::new());
    let mut c = client.wrap_bio(&c_in, &c_out, WrapOptions::client("localhost"))?;
    let mut s = server.wrap_bio(&s_in, &s_out, WrapOptions::server())?;

    // Each side raises SSLWantReadError until its peer's bytes arrive.
    for _ in 0..10 {
        let c_done = c.do_handshake().is_ok();
        s_in.write(&c_out.read(None))?;
        let s_done = s.do_handshake().is_ok();
        c_in.write(&s_out.read(None))?;
        if c_done && s_done {
            break;
        }
    }
    c.write(b"ping")?;
    s_in.write(&c_out.read(None))?;
    println!("server read {:?}", String::from_utf8_lossy(&s.read(4)?));
    println!("{:?} {:?}", c.version(), c.cipher());
    println!("{:?}", c.getpeercert()?);
    Ok(())
}
