//! The code behind every fuzz target, shared with `tests/fuzz_regressions.rs` (which
//! includes this file with `#[path]`), so a saved crash replays through exactly the
//! same calls under `cargo test`. Only `std`, `sslcontext`, `rustls-pki-types` (the
//! certificate type of its verifier) and, with feature `tokio`, `tokio` are used here.
//!
//! Each function takes the raw fuzz input, must never panic, and asserts the
//! invariants named in its doc comment.

use std::path::PathBuf;
use std::sync::OnceLock;

use sslcontext::{MemoryBio, Password, Protocol, SslContext, WrapOptions};

const LEAF_EC_CHAIN: &[u8] =
    include_bytes!("../../tests/data/conformance/certs/chains/leaf-ec.chain.pem");
const LEAF_EC_KEY: &[u8] = include_bytes!("../../tests/data/conformance/certs/pki/leaf-ec.key");
const ROOT_EC: &[u8] = include_bytes!("../../tests/data/conformance/certs/pki/root-ec.pem");
const LEAVES: [&[u8]; 4] = [
    include_bytes!("../../tests/data/conformance/certs/pki/leaf-ec.pem"),
    include_bytes!("../../tests/data/conformance/certs/pki/leaf-wildcard.pem"),
    include_bytes!("../../tests/data/conformance/certs/pki/leaf-idna.pem"),
    include_bytes!("../../tests/data/conformance/certs/pki/leaf-ip.pem"),
];

/// The names of every target, as in `fuzz/Cargo.toml` and `tests/data/fuzz/<target>/`.
pub const TARGETS: [&str; 12] = [
    "cipher_string",
    "cadata",
    "cafile",
    "dh_params",
    "private_key",
    "cert_der",
    "hostname",
    "alpn",
    "object_server",
    "object_client",
    "chain_verify",
    "stream_client",
];

/// Runs the target called `name` on `data`; false for an unknown name.
pub fn run_target(name: &str, data: &[u8]) -> bool {
    match name {
        "cipher_string" => cipher_string(data),
        "cadata" => cadata(data),
        "cafile" => cafile(data),
        "dh_params" => dh_params(data),
        "private_key" => private_key(data),
        "cert_der" => cert_der(data),
        "hostname" => hostname(data),
        "alpn" => alpn(data),
        "object_server" => object_server(data),
        "object_client" => object_client(data),
        "chain_verify" => chain_verify(data),
        // Without tokio there is no `SslStream` to run.
        "stream_client" =>
        {
            #[cfg(feature = "tokio")]
            stream_client(data)
        }
        _ => return false,
    }
    true
}

/// A file in this process's temp folder holding `bytes` (written once).
fn fixture(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sslcontext-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    if !path.exists() {
        let tmp = dir.join(format!("{name}.{:?}.tmp", std::thread::current().id()));
        std::fs::write(&tmp, bytes).expect("write fixture");
        std::fs::rename(&tmp, &path).expect("rename fixture");
    }
    path
}

/// A per-thread scratch file for fuzz data that must come from a path.
fn scratch(data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sslcontext-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("scratch-{:?}", std::thread::current().id()));
    std::fs::write(&path, data).expect("write scratch");
    path
}

/// Cipher strings (lossy UTF-8): a successful compile selects at least one TLS 1.2
/// suite; `set_ciphers` on CPython's default selection never panics.
pub fn cipher_string(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    if let Ok(sel) = sslcontext::__private::compile(&s, 2) {
        assert!(!sel.tls12().is_empty());
        let _ = sel.get_ciphers();
        let _ = sel.rustls_suites(true);
    }
    let mut sel = sslcontext::__private::CipherSelection::default_for_cpython();
    let _ = sel.set_ciphers(&s);
}

/// `load_verify_locations(cadata=...)`: first byte even = text (lossy UTF-8), odd =
/// bytes. Every certificate loaded decodes; the store's DER list matches its count.
pub fn cadata(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut store = sslcontext::__private::TrustStore::new();
    let loaded = if mode & 1 == 0 {
        let text = String::from_utf8_lossy(rest);
        let _ = sslcontext::x509::pem_cert_to_der_cert(&text);
        store.load_cadata_text(&text)
    } else {
        store.load_cadata_bytes(rest)
    };
    if loaded.is_ok() {
        for der in store.ca_certs_der() {
            let _ = sslcontext::x509::decode_der(&der);
        }
    }
}

/// `load_verify_locations(cafile=...)`: PEM certificates and CRLs from a file. On
/// success the store answers `get_ca_certs()` / `cert_store_stats()`, and a client
/// configuration with CRL checking (which parses the CRLs for webpki) builds or fails
/// with an error, never a panic.
pub fn cafile(data: &[u8]) {
    let ctx = SslContext::new(Protocol::TlsClient).expect("context");
    let file = scratch(data);
    if ctx.load_verify_locations(Some(&file), None, None).is_ok() {
        let stats = ctx.cert_store_stats();
        let certs = ctx.get_ca_certs_der();
        assert!(certs.len() <= stats.x509);
        let _ = ctx.get_ca_certs();
        let _ = ctx.set_verify_flags(sslcontext::VerifyFlags::VERIFY_CRL_CHECK_CHAIN);
        let _ = ctx.client_config();
    }
}

/// `load_dh_params(path)`: PEM or DER DH parameters from a file, at the default
/// security level.
pub fn dh_params(data: &[u8]) {
    static CTX: OnceLock<SslContext> = OnceLock::new();
    let ctx = CTX.get_or_init(|| SslContext::new(Protocol::TlsServer).expect("context"));
    let _ = ctx.load_dh_params(scratch(data));
}

/// `load_cert_chain`: byte 0 is the password length (0xff: no password), then the
/// password, then a key file (with the fixed leaf-ec chain) — also tried as a
/// combined chain+key certfile.
pub fn private_key(data: &[u8]) {
    let Some((&plen, rest)) = data.split_first() else {
        return;
    };
    let (password, body) = if plen == 0xff || usize::from(plen) > rest.len() {
        (None, rest)
    } else {
        let (p, b) = rest.split_at(usize::from(plen));
        (Some(p.to_vec()), b)
    };
    static CTX: OnceLock<SslContext> = OnceLock::new();
    let ctx = CTX.get_or_init(|| SslContext::new(Protocol::TlsServer).expect("context"));
    let chain = fixture("leaf-ec.chain.pem", LEAF_EC_CHAIN);
    let file = scratch(body);
    let _ = ctx.load_cert_chain(&chain, Some(&file), password.clone().map(Password::Bytes));
    let _ = ctx.load_cert_chain(&file, None, password.map(Password::Bytes));
}

/// Certificate DER → CPython's dict. A certificate that decodes survives the PEM
/// round trip byte for byte, and its DNS / email / URI subjectAltName values are
/// lossless: each primitive value is the GeneralName's content octets, found in order
/// in the input (BER-constructed ones are split into segments, so only their tag is
/// looked for).
pub fn cert_der(data: &[u8]) {
    let Ok(info) = sslcontext::x509::decode_der(data) else {
        return;
    };
    let pem = sslcontext::x509::der_cert_to_pem_cert(data);
    let back = sslcontext::x509::pem_cert_to_der_cert(&pem).expect("own PEM parses");
    assert_eq!(back, data);
    let mut pos = 0;
    for entry in info.subject_alt_name.iter().flatten() {
        let tag = match entry.kind.as_str() {
            "email" => 0xa1u8,
            "DNS" => 0xa2,
            "URI" => 0xa6,
            _ => continue,
        };
        let sslcontext::x509::GeneralNameValue::Text(text) = &entry.value else {
            panic!("{} entry without text", entry.kind);
        };
        match find(data, text.as_bytes(), pos) {
            Some(p) => pos = p,
            None => assert!(
                data.contains(&tag),
                "{} value not in input: {text:?}",
                entry.kind
            ),
        }
    }
}

/// Where `needle` occurs in `hay` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(from);
    }
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// `server_hostname` as `str` (lossy UTF-8) and as `bytes`, then `check_host` against
/// four leaves (plain, wildcard, IDNA, IP) with host flags from the input length.
pub fn hostname(data: &[u8]) {
    static LEAF_DERS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    let leaves = LEAF_DERS.get_or_init(|| {
        LEAVES
            .iter()
            .map(|pem| {
                sslcontext::x509::pem_cert_to_der_cert(std::str::from_utf8(pem).expect("pem"))
                    .expect("leaf")
            })
            .collect()
    });
    let text = String::from_utf8_lossy(data);
    let flags = [0u32, 0x4, 0x20][data.len() % 3];
    for spec in [
        sslcontext::__private::encode_hostname(&text),
        sslcontext::__private::encode_hostname_bytes(data),
    ]
    .into_iter()
    .flatten()
    {
        let _ = spec.is_ip();
        for leaf in leaves {
            let _ = sslcontext::__private::check_host(leaf, &spec, flags);
        }
    }
}

/// `set_alpn_protocols` with the input split at NUL bytes (lossy UTF-8); on success
/// the context holds exactly that list.
pub fn alpn(data: &[u8]) {
    static CTX: OnceLock<SslContext> = OnceLock::new();
    let ctx = CTX.get_or_init(|| SslContext::new(Protocol::TlsClient).expect("context"));
    let list: Vec<String> = data
        .split(|&b| b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    if ctx.set_alpn_protocols(&list).is_ok() {
        let got = ctx.alpn_protocols();
        let want: Vec<Vec<u8>> = list.iter().map(|s| s.as_bytes().to_vec()).collect();
        assert_eq!(got, want);
    }
}

/// A small deterministic generator (splitmix64) for chunk sizes.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn server_context() -> &'static SslContext {
    static CTX: OnceLock<SslContext> = OnceLock::new();
    CTX.get_or_init(|| {
        let ctx = SslContext::new(Protocol::TlsServer).expect("context");
        let chain = fixture("leaf-ec.chain.pem", LEAF_EC_CHAIN);
        let key = fixture("leaf-ec.key", LEAF_EC_KEY);
        ctx.load_cert_chain(&chain, Some(&key), None)
            .expect("identity");
        ctx
    })
}

fn client_context() -> &'static SslContext {
    static CTX: OnceLock<SslContext> = OnceLock::new();
    CTX.get_or_init(|| {
        let ctx = SslContext::new(Protocol::TlsClient).expect("context");
        let root = fixture("root-ec.pem", ROOT_EC);
        ctx.load_verify_locations(Some(&root), None, None)
            .expect("root");
        ctx
    })
}

/// Every error an `SSLObject` raises is of the `SSLError` family.
fn ssl_class<T>(r: &sslcontext::Result<T>) {
    if let Err(e) = r {
        assert!(
            e.python_class().starts_with("ssl."),
            "non-SSL error from SSLObject: {} {e}",
            e.python_class()
        );
    }
}

/// Feeds `data` to an `SSLObject`: byte 0 seeds the chunk sizes (0: all at once),
/// byte 1 holds flags (bit 0: the peer's EOF after the data; bit 1: `unwrap()` at the
/// end; bit 2: EOF in the middle instead), the rest is what the peer sends. After
/// every chunk the object steps once (handshake, then read and write).
fn drive_object(ctx: &SslContext, server_side: bool, data: &[u8]) {
    let (seed, flags, body) = match data {
        [s, f, rest @ ..] => (*s, *f, rest),
        _ => return,
    };
    let (incoming, outgoing) = (MemoryBio::new(), MemoryBio::new());
    let opts = if server_side {
        WrapOptions::server()
    } else {
        WrapOptions::client("localhost")
    };
    let Ok(mut obj) = ctx.wrap_bio(&incoming, &outgoing, opts) else {
        return;
    };
    let step = |obj: &mut sslcontext::SslObject| {
        let r = obj.do_handshake();
        ssl_class(&r);
        if r.is_ok() {
            let r = obj.read(1024);
            ssl_class(&r);
            let _ = obj.pending();
            let r = obj.write(b"fuzz");
            ssl_class(&r);
        }
        let _ = outgoing.read(None);
    };
    step(&mut obj);
    let mut state = u64::from(seed);
    let max = usize::from(seed % 64) + 1;
    let mut rest = body;
    let eof_at = if flags & 4 != 0 {
        body.len() / 2
    } else {
        usize::MAX
    };
    let mut fed = 0;
    while !rest.is_empty() {
        let n = if seed == 0 {
            rest.len()
        } else {
            (1 + splitmix(&mut state) as usize % max).min(rest.len())
        };
        if fed + n > eof_at {
            break;
        }
        if incoming.write(&rest[..n]).is_err() {
            break;
        }
        fed += n;
        rest = &rest[n..];
        step(&mut obj);
    }
    if flags & 5 != 0 {
        incoming.write_eof();
        step(&mut obj);
    }
    if flags & 2 != 0 {
        let r = obj.unwrap();
        ssl_class(&r);
    }
    let _ = (obj.version(), obj.cipher(), obj.selected_alpn_protocol());
    // The tls-unique derivation reads the recorded handshake records: None or the
    // value, never a panic.
    let _ = obj.get_channel_binding("tls-unique");
    let _ = obj.getpeercert();
}

/// An `SSLObject` on the server side fed arbitrary client bytes (see `drive_object`).
pub fn object_server(data: &[u8]) {
    drive_object(server_context(), true, data);
}

/// An `SSLObject` on the client side (hostname `localhost`, trusting root-ec) fed
/// arbitrary server bytes (see `drive_object`).
pub fn object_client(data: &[u8]) {
    drive_object(client_context(), false, data);
}

/// An established `SslStream` client (TLS 1.3 with our server, over an in-memory pipe)
/// then reading arbitrary bytes that arrive after the server's own: byte 0 sets the
/// size of the pieces they arrive in (so reads stop anywhere in a record), byte 1
/// holds flags (bit 0: `unwrap()` at the end); the rest is written raw to the pipe,
/// which then ends. Reads stop at EOF or an error of the `SSLError`
/// family or `OSError`; `unwrap()` hands back at most the bytes given. Never a panic
/// or a hang (every read ends: the pipe ends).
#[cfg(feature = "tokio")]
pub fn stream_client(data: &[u8]) {
    use tokio::io::AsyncWriteExt;
    let (piece, flags, body) = match data {
        [s, f, rest @ ..] => (usize::from(*s) * 16 + 1, *f, rest),
        _ => return,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        // Room for the server's session tickets, which it sends once the client is
        // done with its handshake (and no longer reading).
        let (a, b) = tokio::io::duplex(64 * 1024);
        let (client, server) = tokio::join!(
            client_context().wrap_stream(a, WrapOptions::client("localhost")),
            server_context().wrap_stream(b, WrapOptions::server())
        );
        let (Ok(mut client), Ok(mut server)) = (client, server) else {
            panic!("the in-memory handshake failed");
        };
        let write = async {
            let raw = server.get_mut();
            for chunk in body.chunks(piece) {
                if raw.write_all(chunk).await.is_err() {
                    break;
                }
                // The client reads what is there before the next piece comes.
                tokio::task::yield_now().await;
            }
            let _ = raw.shutdown().await;
        };
        let read = async {
            let mut buf = vec![0u8; 4096];
            // Each read takes at least one byte or ends the loop; the pipe ends.
            for _ in 0..=body.len() + 64 {
                match client.recv_into(&mut buf).await {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => {
                        let class = e.python_class();
                        assert!(
                            class.starts_with("ssl.") || class.ends_with("Error"),
                            "unexpected error class {class}: {e}"
                        );
                        break;
                    }
                }
            }
        };
        tokio::join!(write, read);
        drop(server);
        if flags & 1 != 0 {
            if let Ok(plain) = client.unwrap().await {
                assert!(plain.read_ahead().len() <= body.len());
            }
        }
    });
}

/// Path validation (what every handshake runs on the peer's chain) over arbitrary
/// certificates: byte 0 picks the verify flags and whether the first certificate is
/// trusted, byte 1 the security level; then length-prefixed (2 bytes, big-endian)
/// blocks: the trust store's certificate, the leaf, the intermediates. Verification
/// ends in the chain (leaf first, as given) or an `X509_V_ERR_*` code OpenSSL has,
/// never a panic.
pub fn chain_verify(data: &[u8]) {
    use rustls_pki_types::{CertificateDer, UnixTime};
    use sslcontext::__private::encode_hostname;
    use sslcontext::__private::ChainVerifier;
    use sslcontext::__private::Usage;
    use sslcontext::__private::VerifyPolicy;
    use sslcontext::VerifyFlags;
    let (Some(&opts), Some(&level)) = (data.first(), data.get(1)) else {
        return;
    };
    let mut rest = data.get(2..).unwrap_or_default();
    let mut blocks: Vec<CertificateDer<'static>> = Vec::new();
    while rest.len() >= 2 && blocks.len() < 8 {
        let n = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let end = (2 + n).min(rest.len());
        blocks.push(CertificateDer::from(rest[2..end].to_vec()));
        rest = &rest[end..];
    }
    if blocks.len() < 2 {
        return;
    }
    let mut flags = VerifyFlags::VERIFY_X509_TRUSTED_FIRST;
    for (bit, f) in [
        (1, VerifyFlags::VERIFY_X509_STRICT),
        (2, VerifyFlags::VERIFY_X509_PARTIAL_CHAIN),
        (4, VerifyFlags::VERIFY_CRL_CHECK_CHAIN),
    ] {
        if opts & bit != 0 {
            flags |= f;
        }
    }
    if opts & 8 != 0 {
        flags.remove(VerifyFlags::VERIFY_X509_TRUSTED_FIRST);
    }
    let policy = VerifyPolicy {
        verify_flags: flags,
        security_level: level % 6,
        roots: vec![blocks[0].clone()],
        ..VerifyPolicy::default()
    };
    let verifier = ChainVerifier::with_ring(policy);
    let name = encode_hostname(if opts & 16 != 0 {
        "127.0.0.1"
    } else {
        "example.com"
    })
    .ok();
    let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_700_000_000));
    let usage = if opts & 32 != 0 {
        Usage::ClientAuth
    } else {
        Usage::ServerAuth
    };
    match verifier.verify(&blocks[1], &blocks[2..], name.as_ref(), at, usage) {
        // The leaf comes back first (with a partial chain it may be the store's copy,
        // which has the same encoding).
        Ok(chain) => assert_eq!(chain.first(), Some(&blocks[1])),
        Err(f) => assert!(
            sslcontext::__private::verify_error_string(f.code)
                != "unknown certificate verification error",
            "code {} is not one of OpenSSL's",
            f.code
        ),
    }
}
