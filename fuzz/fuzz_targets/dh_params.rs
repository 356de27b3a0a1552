//! Fuzz target `dh_params`: see `sslcontext_fuzz::dh_params` (fuzz/src/lib.rs) for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sslcontext_fuzz::dh_params(data));
