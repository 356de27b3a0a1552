//! The context façade: CPython's defaults, interplay rules, errors.json cases for the
//! attributes, and one generation test per setter.

mod common;

use serde_json::{json, Value};
use sslcontext::{Options, Protocol, SslContext, TlsVersion, VerifyFlags, VerifyMode};

fn c() -> SslContext {
    SslContext::new(Protocol::TlsClient).unwrap()
}
fn s() -> SslContext {
    SslContext::new(Protocol::TlsServer).unwrap()
}

type Case = common::ErrorCase;

/// errors.json cases about context attributes, written in Rust as the Python snippet is.
fn attribute_cases() -> Vec<(&'static str, Case)> {
    vec![
        ("verify_mode.client_none_after_check_hostname_off", || {
            let c = c();
            c.set_check_hostname(false)?;
            c.set_verify_mode(VerifyMode::CertNone)?;
            Ok(json!([c.verify_mode().value(), c.check_hostname()]))
        }),
        ("verify_mode.client_optional", || {
            let c = c();
            c.set_verify_mode(VerifyMode::CertOptional)?;
            Ok(json!([c.verify_mode().value(), c.check_hostname()]))
        }),
        ("check_hostname.server_enable_sets_required", || {
            let s = s();
            s.set_check_hostname(true)?;
            Ok(json!([s.verify_mode().value(), s.check_hostname()]))
        }),
        ("check_hostname.server_optional_kept", || {
            let s = s();
            s.set_verify_mode(VerifyMode::CertOptional)?;
            s.set_check_hostname(true)?;
            Ok(json!([s.verify_mode().value(), s.check_hostname()]))
        }),
        ("check_hostname.disable_keeps_required", || {
            let c = c();
            c.set_check_hostname(false)?;
            Ok(json!([c.verify_mode().value(), c.check_hostname()]))
        }),
        ("verify_mode.invalid_int", || {
            c().set_verify_mode(VerifyMode::from_int(5)?)?;
            Ok(Value::Null)
        }),
        ("verify_mode.negative", || {
            c().set_verify_mode(VerifyMode::from_int(-1)?)?;
            Ok(Value::Null)
        }),
        ("SSLContext.invalid_protocol_99", || {
            SslContext::new(Protocol::from_int(99)?)?;
            Ok(Value::Null)
        }),
        ("SSLContext.PROTOCOL_SSLv23_alias", || {
            Ok(json!(SslContext::new(Protocol::SSLV23)?.protocol().value()))
        }),
        ("version.min_tls13", || {
            let c = c();
            c.set_minimum_version(TlsVersion::TLSv1_3)?;
            Ok(json!([
                c.minimum_version().value(),
                c.maximum_version().value()
            ]))
        }),
        ("version.min_sslv3", || {
            let c = c();
            c.set_minimum_version(TlsVersion::SSLv3)?;
            Ok(json!([
                c.minimum_version().value(),
                c.maximum_version().value()
            ]))
        }),
        ("version.min_tls1", || {
            let c = c();
            c.set_minimum_version(TlsVersion::TLSv1)?;
            Ok(json!(c.minimum_version().value()))
        }),
        ("version.max_minimum_supported", || {
            let c = c();
            c.set_maximum_version(TlsVersion::MINIMUM_SUPPORTED)?;
            Ok(json!([
                c.minimum_version().value(),
                c.maximum_version().value()
            ]))
        }),
        ("version.min_unknown_0x0305", || {
            c().set_minimum_version(TlsVersion::from_int(0x0305)?)?;
            Ok(Value::Null)
        }),
        ("version.min_plain_int_771", || {
            let c = c();
            c.set_minimum_version(TlsVersion::from_int(771)?)?;
            Ok(json!(c.minimum_version().value()))
        }),
        ("version.min_above_max", || {
            let c = c();
            c.set_maximum_version(TlsVersion::TLSv1_2)?;
            c.set_minimum_version(TlsVersion::TLSv1_3)?;
            Ok(json!([
                c.minimum_version().value(),
                c.maximum_version().value()
            ]))
        }),
        ("version.fixed_protocol_context", || {
            let c = SslContext::new(Protocol::TlsV1_2)?;
            c.set_minimum_version(TlsVersion::TLSv1_3)?;
            Ok(Value::Null)
        }),
        ("options.set_zero", || {
            let c = c();
            c.set_options(Options::empty())?;
            Ok(json!(format!("{:#x}", c.options().bits())))
        }),
        ("options.set_no_tlsv1_3", || {
            let c = c();
            c.set_options(c.options() | Options::OP_NO_TLSv1_3)?;
            Ok(json!([
                format!("{:#x}", c.options().bits()),
                c.maximum_version().value()
            ]))
        }),
        ("options.set_no_ticket", || {
            let c = s();
            c.set_options(c.options() | Options::OP_NO_TICKET)?;
            Ok(json!([
                format!("{:#x}", c.options().bits()),
                (c.options() & Options::OP_NO_TICKET).bits()
            ]))
        }),
        ("options.clear_no_compression", || {
            let c = c();
            c.set_options(c.options() - Options::OP_NO_COMPRESSION)?;
            Ok(json!(format!("{:#x}", c.options().bits())))
        }),
        ("set_alpn_protocols.empty_entry", || {
            c().set_alpn_protocols(&["h2", ""])?;
            Ok(Value::Null)
        }),
        ("set_alpn_protocols.entry_255", || {
            c().set_alpn_protocols(&["a".repeat(255)])?;
            Ok(Value::Null)
        }),
        ("set_alpn_protocols.entry_256", || {
            c().set_alpn_protocols(&["a".repeat(256)])?;
            Ok(Value::Null)
        }),
        ("set_alpn_protocols.nonascii_entry", || {
            c().set_alpn_protocols(&["h\u{e9}"])?;
            Ok(Value::Null)
        }),
        ("set_alpn_protocols.empty_list", || {
            c().set_alpn_protocols::<&str>(&[])?;
            Ok(Value::Null)
        }),
        ("set_alpn_protocols.valid", || {
            c().set_alpn_protocols(&["h2", "http/1.1"])?;
            Ok(Value::Null)
        }),
        ("set_alpn_protocols.too_long_total", || {
            c().set_alpn_protocols(&vec!["a".repeat(255); 300])?;
            Ok(Value::Null)
        }),
        ("num_tickets.client_set", || {
            c().set_num_tickets(1)?;
            Ok(Value::Null)
        }),
        ("num_tickets.client_get", || Ok(json!(c().num_tickets()))),
        ("num_tickets.server_negative", || {
            s().set_num_tickets(-1)?;
            Ok(Value::Null)
        }),
        ("num_tickets.server_zero", || {
            let s = s();
            s.set_num_tickets(0)?;
            Ok(json!(s.num_tickets()))
        }),
        ("num_tickets.PROTOCOL_TLS_set", || {
            let c = SslContext::new(Protocol::Tls)?;
            c.set_num_tickets(5)?;
            Ok(json!(c.num_tickets()))
        }),
        ("post_handshake_auth.server", || {
            let s = s();
            s.set_post_handshake_auth(true)?;
            Ok(json!(s.post_handshake_auth()))
        }),
        ("verify_flags.replace", || {
            let c = c();
            c.set_verify_flags(VerifyFlags::VERIFY_CRL_CHECK_CHAIN)?;
            Ok(json!([c.verify_flags().bits(), c.verify_flags().bits()]))
        }),
        ("verify_flags.or_strict", || {
            let c = c();
            c.set_verify_flags(c.verify_flags() | VerifyFlags::VERIFY_X509_STRICT)?;
            Ok(json!(c.verify_flags().bits()))
        }),
        ("verify_flags.negative", || {
            let c = c();
            c.set_verify_flags(VerifyFlags::from_bits_retain(-1i64 as u64))?;
            Ok(json!(c.verify_flags().bits()))
        }),
        ("verify_flags.unknown_bit", || {
            let c = c();
            c.set_verify_flags(VerifyFlags::from_bits_retain(1))?;
            Ok(json!(c.verify_flags().bits()))
        }),
    ]
}

#[test]
fn errors_json_attribute_cases() {
    let run = common::run_error_cases(attribute_cases());
    eprintln!("errors.json attribute cases: {run} matched");
}

/// The suites rustls can negotiate (CPython lists 17 by default; we list these 9).
const RUSTLS_SUITES: [&str; 9] = [
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

fn check_defaults(name: &str, ctx: &SslContext, want: &Value) {
    assert_eq!(
        json!(ctx.options().bits()),
        want["options"]["int"],
        "{name}"
    );
    let (mut names, unnamed) = ctx.options().names();
    names.sort();
    let mut want_names: Vec<&str> = want["options"]["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    want_names.sort();
    assert_eq!(names, want_names, "{name}: option names");
    assert_eq!(json!(unnamed), want["options"]["unnamed_bits"]);
    assert_eq!(
        json!(ctx.verify_mode().value()),
        want["verify_mode"]["value"],
        "{name}"
    );
    assert_eq!(json!(ctx.verify_mode().name()), want["verify_mode"]["name"]);
    assert_eq!(
        json!(ctx.check_hostname()),
        want["check_hostname"],
        "{name}"
    );
    assert_eq!(
        json!(ctx.minimum_version().value()),
        want["minimum_version"]["value"]
    );
    assert_eq!(
        json!(ctx.minimum_version().name()),
        want["minimum_version"]["name"]
    );
    assert_eq!(
        json!(ctx.maximum_version().value()),
        want["maximum_version"]["value"]
    );
    assert_eq!(
        json!(ctx.verify_flags().bits()),
        want["verify_flags"]["int"]
    );
    assert_eq!(
        json!(ctx.hostname_checks_common_name()),
        want["hostname_checks_common_name"]
    );
    assert_eq!(
        json!(ctx.post_handshake_auth()),
        want["post_handshake_auth"]
    );
    assert_eq!(json!(ctx.security_level()), want["security_level"]);
    assert_eq!(json!(ctx.num_tickets()), want["num_tickets"]);
    assert_eq!(
        json!(ctx.protocol().value()),
        want["protocol"]["value"],
        "{name}"
    );
    assert_eq!(json!(ctx.protocol().name()), want["protocol"]["name"]);
    assert_eq!(
        json!(ctx.sni_callback().is_none()),
        want["sni_callback_is_None"]
    );
    assert_eq!(
        json!(ctx.keylog_filename().map(|p| p.display().to_string())),
        want["keylog_filename"]
    );
    let stats = ctx.session_stats();
    let stats = json!({
        "number": stats.number, "connect": stats.connect, "connect_good": stats.connect_good,
        "connect_renegotiate": stats.connect_renegotiate, "accept": stats.accept,
        "accept_good": stats.accept_good, "accept_renegotiate": stats.accept_renegotiate,
        "hits": stats.hits, "misses": stats.misses, "timeouts": stats.timeouts,
        "cache_full": stats.cache_full,
    });
    assert_eq!(stats, want["session_stats()"], "{name}");
    let want_ciphers: Vec<&str> = want["get_ciphers()_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .filter(|n| RUSTLS_SUITES.contains(n))
        .collect();
    let ours: Vec<&str> = ctx.get_ciphers().iter().map(|c| c.name).collect();
    assert_eq!(ours, want_ciphers, "{name}: get_ciphers");
}

fn store_stats(ctx: &SslContext) -> Value {
    let s = ctx.cert_store_stats();
    json!({"x509": s.x509, "crl": s.crl, "x509_ca": s.x509_ca})
}

#[test]
fn defaults_json_attributes() {
    let doc = common::conformance("defaults.json");
    let constructions: [(&str, Protocol); 4] = [
        ("SSLContext(PROTOCOL_TLS)", Protocol::Tls),
        ("SSLContext(PROTOCOL_TLS_CLIENT)", Protocol::TlsClient),
        ("SSLContext(PROTOCOL_TLS_SERVER)", Protocol::TlsServer),
        ("SSLContext(PROTOCOL_TLSv1_2)", Protocol::TlsV1_2),
    ];
    for (name, protocol) in constructions {
        let want = &doc["contexts"][name];
        let ctx = SslContext::new(protocol).unwrap();
        check_defaults(name, &ctx, want);
        assert_eq!(store_stats(&ctx), want["cert_store_stats()"]);
        assert_eq!(
            json!(ctx.get_ca_certs().unwrap().len()),
            want["get_ca_certs()_len"]
        );
    }
    let server = sslcontext::create_default_context(sslcontext::Purpose::ClientAuth).unwrap();
    let want = &doc["contexts"]["create_default_context(Purpose.CLIENT_AUTH)"];
    check_defaults("CLIENT_AUTH", &server, want);
    assert_eq!(store_stats(&server), want["cert_store_stats()"]);
    let unverified =
        sslcontext::create_unverified_context(sslcontext::UnverifiedOptions::default()).unwrap();
    let want = &doc["contexts"]["_create_unverified_context()"];
    check_defaults("unverified", &unverified, want);
    assert_eq!(store_stats(&unverified), want["cert_store_stats()"]);
}

/// `create_default_context(SERVER_AUTH)` loads this machine's trust store; the counts
/// are compared with what Python's ssl module loads here, live.
#[test]
fn default_client_context_loads_the_system_store_like_python() {
    let doc = common::conformance("defaults.json");
    let want = &doc["contexts"]["create_default_context(Purpose.SERVER_AUTH)"];
    let ctx = sslcontext::create_default_context(sslcontext::Purpose::ServerAuth).unwrap();
    check_defaults("SERVER_AUTH", &ctx, want);
    if !common::have_peer("python3") {
        return;
    }
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, ssl; c = ssl.create_default_context(); \
             print(json.dumps([c.cert_store_stats(), len(c.get_ca_certs())]))",
        ])
        .output()
        .unwrap();
    let live: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(store_stats(&ctx), live[0]);
    assert_eq!(json!(ctx.get_ca_certs().unwrap().len()), live[1]);
}

#[test]
fn tls1_and_tls1_1_protocols_are_refused_clearly() {
    for p in [Protocol::TlsV1, Protocol::TlsV1_1] {
        let err = SslContext::new(p).unwrap_err();
        assert_eq!(err.python_class(), "ValueError");
        assert!(err
            .to_string()
            .contains("rustls implements TLS 1.2 and 1.3 only"));
    }
}

#[test]
fn failed_setter_leaves_context_unchanged() {
    let c = c();
    let before = c.generation();
    assert!(c.set_verify_mode(VerifyMode::CertNone).is_err());
    assert_eq!(c.verify_mode(), VerifyMode::CertRequired);
    assert!(c.set_alpn_protocols(&["h2", ""]).is_err());
    assert!(c.alpn_protocols().is_empty());
    assert_eq!(c.generation(), before);
}

#[test]
fn clones_share_one_context() {
    let a = c();
    let b = a.clone();
    b.set_check_hostname(false).unwrap();
    assert!(!a.check_hostname());
    assert!(a.same_context(&b));
    assert!(!a.same_context(&c()));
}

/// One row per setter: each successful call moves the generation on.
#[test]
fn every_setter_bumps_the_generation() {
    type Setter = fn(&SslContext) -> sslcontext::Result<()>;
    let setters: Vec<(&str, Setter)> = vec![
        ("options", |c| c.set_options(Options::DEFAULT)),
        ("verify_mode", |c| {
            c.set_verify_mode(VerifyMode::CertRequired)
        }),
        ("check_hostname", |c| c.set_check_hostname(true)),
        ("minimum_version", |c| {
            c.set_minimum_version(TlsVersion::TLSv1_2)
        }),
        ("maximum_version", |c| {
            c.set_maximum_version(TlsVersion::TLSv1_3)
        }),
        ("verify_flags", |c| {
            c.set_verify_flags(VerifyFlags::VERIFY_DEFAULT)
        }),
        ("hostname_checks_common_name", |c| {
            c.set_hostname_checks_common_name(false)
        }),
        ("host_flags", |c| c.set_host_flags(0x24)),
        ("post_handshake_auth", |c| c.set_post_handshake_auth(true)),
        ("num_tickets", |c| c.set_num_tickets(3)),
        ("alpn_protocols", |c| c.set_alpn_protocols(&["h2"])),
        ("keylog_filename", |c| c.set_keylog_filename(None)),
        ("set_ciphers", |c| c.set_ciphers("ECDHE+AESGCM")),
        ("set_ecdh_curve", |c| c.set_ecdh_curve("prime256v1")),
        ("load_dh_params", |c| {
            c.load_dh_params(common::cert_path("misc/dhparams-ffdhe2048.pem"))
        }),
        ("load_cert_chain", |c| {
            c.load_cert_chain(
                common::cert_path("chains/leaf-ec.chain.pem"),
                Some(&common::cert_path("pki/leaf-ec.key")),
                None,
            )
        }),
        ("load_verify_locations", |c| {
            c.load_verify_locations(Some(&common::cert_path("pki/root-ec.pem")), None, None)
        }),
        ("set_default_verify_paths", |c| c.set_default_verify_paths()),
        ("sni_callback", |c| {
            c.set_sni_callback(Some(std::sync::Arc::new(|_o, _n, _c| Ok(None))))
        }),
    ];
    for (name, set) in setters {
        let ctx = s();
        let before = ctx.generation();
        set(&ctx).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            ctx.generation() > before,
            "{name} did not bump the generation"
        );
    }
}

#[test]
fn keylog_file_gets_openssl_header_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.log");
    let ctx = c();
    ctx.set_keylog_filename(Some(&path)).unwrap();
    ctx.set_keylog_filename(Some(&path)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, sslcontext::KEYLOG_HEADER);
    assert_eq!(ctx.keylog_filename().as_deref(), Some(path.as_path()));
    let missing = dir.path().join("no/such/dir/keys.log");
    let err = ctx.set_keylog_filename(Some(&missing)).unwrap_err();
    assert_eq!(err.python_class(), "FileNotFoundError");
    assert!(err
        .to_string()
        .starts_with("[Errno 2] No such file or directory: '"));
    assert_eq!(ctx.keylog_filename().as_deref(), Some(path.as_path()));
}

#[test]
fn snapshots_are_cached_until_a_setter_runs() {
    let ctx = c();
    let a = ctx.client_config().unwrap();
    let b = ctx.client_config().unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&a, &b),
        "a cached snapshot is reused"
    );
    ctx.set_alpn_protocols(&["h2"]).unwrap();
    let c2 = ctx.client_config().unwrap();
    assert!(
        !std::sync::Arc::ptr_eq(&a, &c2),
        "a setter invalidates the snapshot"
    );
    assert_eq!(c2.alpn_protocols, vec![b"h2".to_vec()]);
    let server = common::server_ctx("leaf-ec");
    let s1 = server.server_config().unwrap();
    let s2 = server.server_config().unwrap();
    assert!(std::sync::Arc::ptr_eq(&s1, &s2));
    server.set_num_tickets(4).unwrap();
    assert_eq!(server.server_config().unwrap().send_tls13_tickets, 4);
}

/// Trust-store loads from several threads at once all land (the store is rebuilt
/// outside the context's lock and swapped in under the store writer's lock, so no load
/// overwrites another), and handshake counters bumped from several threads add up.
#[test]
fn concurrent_loads_and_counters_are_not_lost() {
    let ctx = SslContext::new(Protocol::TlsClient).unwrap();
    let roots = ["root-ec", "root-rsa", "other-root", "root-rsa1024"];
    std::thread::scope(|s| {
        for r in roots {
            let ctx = ctx.clone();
            s.spawn(move || {
                let path = common::cert_path(&format!("pki/{r}.pem"));
                ctx.load_verify_locations(Some(&path), None, None).unwrap();
            });
        }
    });
    assert_eq!(ctx.cert_store_stats().x509, roots.len());
    let server = common::server_ctx("leaf-ec");
    let client = common::client_ctx(&["root-ec"]);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let (mut c, mut sv) = common::pair(&client, &server, Some("localhost"));
                let (cr, sr) = common::handshake(&mut c, &mut sv);
                cr.unwrap();
                sr.unwrap();
            });
        }
    });
    let stats = client.session_stats();
    assert_eq!((stats.connect, stats.connect_good), (4, 4));
    let stats = server.session_stats();
    assert_eq!((stats.accept, stats.accept_good), (4, 4));
}

#[test]
fn host_flags_setter_keeps_every_bit_and_drives_common_name_checks() {
    use sslcontext::constants::{
        HOSTFLAG_MULTI_LABEL_WILDCARDS, HOSTFLAG_NEVER_CHECK_SUBJECT,
        HOSTFLAG_NO_PARTIAL_WILDCARDS, HOSTFLAG_NO_WILDCARDS,
    };
    let ctx = c();
    assert_eq!(ctx.host_flags(), HOSTFLAG_NO_PARTIAL_WILDCARDS);
    // ssl.py: hostname_checks_common_name = False is `_host_flags |= NEVER_CHECK_SUBJECT`.
    let before = ctx.generation();
    ctx.set_host_flags(ctx.host_flags() | HOSTFLAG_NEVER_CHECK_SUBJECT)
        .unwrap();
    assert!(ctx.generation() > before);
    assert!(!ctx.hostname_checks_common_name());
    assert_eq!(
        sslcontext::__private::current_verify_policy(&ctx).host_flags,
        HOSTFLAG_NO_PARTIAL_WILDCARDS | HOSTFLAG_NEVER_CHECK_SUBJECT
    );
    ctx.set_host_flags(ctx.host_flags() & !HOSTFLAG_NEVER_CHECK_SUBJECT)
        .unwrap();
    assert!(ctx.hostname_checks_common_name());
    // Bits OpenSSL does not act on are kept as OpenSSL keeps them.
    let all = HOSTFLAG_NO_WILDCARDS | HOSTFLAG_MULTI_LABEL_WILDCARDS | 0x4000;
    ctx.set_host_flags(all).unwrap();
    assert_eq!(ctx.host_flags(), all);
    assert_eq!(
        sslcontext::__private::current_verify_policy(&ctx).host_flags,
        all
    );
}
