//! An async TLS echo server and client on loopback with tokio (`SslStream`, feature
//! `tokio`): the server takes three clients concurrently, each client checks its echo.
//!
//! `cargo run --example tokio_echo --features tokio`

use sslcontext::{Protocol, SslContext, WrapOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let certs =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance/certs");
    let server = SslContext::new(Protocol::TlsServer)?;
    server.load_cert_chain(
        certs.join("chains/leaf-ec.chain.pem"),
        Some(&certs.join("pki/leaf-ec.key")),
        None,
    )?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let serving = tokio::spawn(async move {
        let mut sessions = Vec::new();
        for _ in 0..3 {
            let (tcp, _) = listener.accept().await?;
            let server = server.clone();
            sessions.push(tokio::spawn(async move {
                let mut tls = server.wrap_stream(tcp, WrapOptions::server()).await?;
                let mut buf = [0u8; 1024];
                loop {
                    let n = tls.read(&mut buf).await?;
                    if n == 0 {
                        break; // the client's close_notify
                    }
                    tls.write_all(&buf[..n]).await?;
                }
                tls.shutdown().await?;
                Ok::<_, BoxError>(())
            }));
        }
        for s in sessions {
            s.await??;
        }
        Ok::<_, BoxError>(())
    });

    let client = SslContext::new(Protocol::TlsClient)?; // CERT_REQUIRED, check_hostname
    client.load_verify_locations(Some(&certs.join("pki/root-ec.pem")), None, None)?;
    let mut clients = Vec::new();
    for i in 0..3 {
        let client = client.clone();
        clients.push(tokio::spawn(async move {
            let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
            let mut tls = client
                .wrap_stream(tcp, WrapOptions::client("localhost"))
                .await?;
            let msg = format!("hello #{i} over {}", tls.sslobj().version().unwrap_or("?"));
            tls.write_all(msg.as_bytes()).await?;
            let mut echoed = vec![0u8; msg.len()];
            tls.read_exact(&mut echoed).await?;
            println!("client {i}: echoed {:?}", String::from_utf8_lossy(&echoed));
            tls.shutdown().await?;
            Ok::<_, BoxError>(())
        }));
    }
    for c in clients {
        c.await??;
    }
    serving.await??;
    Ok(())
}
