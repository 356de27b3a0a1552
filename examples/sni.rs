//! Server name indication: an `sni_callback` that picks the context (certificate and
//! all) by the name the client asked for, as Python's `SSLContext.sni_callback` does.
//!
//! `cargo run --example sni`

use std::sync::Arc;

use sslcontext::{MemoryBio, PeerCertificate, Protocol, SslContext, WrapOptions};

fn main() -> Result<(), sslcontext::Error> {
    let certs =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance/certs");
    let context_for = |leaf: &str| -> Result<SslContext, sslcontext::Error> {
        let ctx = SslContext::new(Protocol::TlsServer)?;
        ctx.load_cert_chain(
            certs.join(format!("chains/{leaf}.chain.pem")),
            Some(&certs.join(format!("pki/{leaf}.key"))),
            None,
        )?;
        Ok(ctx)
    };
    let default = context_for("leaf-ec")?;
    let rsa = context_for("leaf-rsa")?;
    default.set_sni_callback(Some(Arc::new(move |handle, name, _registered_on| {
        println!("client asked for {name:?}");
        if name == Some("rsa.localhost") {
            handle.set_context(&rsa);
        }
        Ok(None) // continue the handshake (Some(alert) would refuse it)
    })))?;

    let client = SslContext::new(Protocol::TlsClient)?;
    client.set_check_hostname(false)?;
    client.load_verify_locations(Some(&certs.join("pki/root-ec.pem")), None, None)?;
    client.load_verify_locations(Some(&certs.join("pki/root-rsa.pem")), None, None)?;
    for name in ["ec.localhost", "rsa.localhost"] {
        let (c_in, c_out, s_in, s_out) = (
            MemoryBio::new(),
            MemoryBio::new(),
            MemoryBio::new(),
            MemoryBio::new(),
        );
        let mut c = client.wrap_bio(&c_in, &c_out, WrapOptions::client(name))?;
        let mut s = default.wrap_bio(&s_in, &s_out, WrapOptions::server())?;
        for _ in 0..10 {
            let c_done = c.do_handshake().is_ok();
            s_in.write(&c_out.read(None))?;
            let s_done = s.do_handshake().is_ok();
            c_in.write(&s_out.read(None))?;
            if c_done && s_done {
                break;
            }
        }
        if let Some(PeerCertificate::Decoded(cert)) = c.getpeercert()? {
            println!("{name}: certificate issued by {:?}", cert.issuer);
        }
    }
    Ok(())
}
