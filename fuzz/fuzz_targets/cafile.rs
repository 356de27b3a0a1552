//! Fuzz target `cafile`: see `sslcontext_fuzz::cafile` (fuzz/src/lib.rs) for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sslcontext_fuzz::cafile(data));
