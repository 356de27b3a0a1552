//! Fuzz target `private_key`: see `sslcontext_fuzz::private_key` (fuzz/src/lib.rs) for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sslcontext_fuzz::private_key(data));
