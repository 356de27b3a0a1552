//! Fuzz target `cadata`: see `sslcontext_fuzz::cadata` (fuzz/src/lib.rs) for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sslcontext_fuzz::cadata(data));
