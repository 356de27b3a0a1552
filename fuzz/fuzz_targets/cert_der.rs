//! Fuzz target `cert_der`: see `sslcontext_fuzz::cert_der` (fuzz/src/lib.rs) for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sslcontext_fuzz::cert_der(data));
