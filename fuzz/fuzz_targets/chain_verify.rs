//! Fuzz target `chain_verify`: see `sslcontext_fuzz::chain_verify` (fuzz/src/lib.rs) for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sslcontext_fuzz::chain_verify(data));
