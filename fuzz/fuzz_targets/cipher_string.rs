//! Fuzz target `cipher_string`: see `sslcontext_fuzz::cipher_string` (fuzz/src/lib.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sslcontext_fuzz::cipher_string(data));
