//! Fuzz the OpenSSL cipher-string engine: any bytes (lossy UTF-8) must not panic,
//! and a successful compile must select at least one TLS 1.2 suite.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Ok(sel) = sslcontext::ciphers::compile(&s, 2) {
        assert!(!sel.tls12().is_empty());
        let _ = sel.get_ciphers();
        let _ = sel.rustls_suites(true);
    }
    let mut sel = sslcontext::ciphers::CipherSelection::default_for_cpython();
    let _ = sel.set_ciphers(&s);
});
