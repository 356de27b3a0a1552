//! Fuzz target `object_server`: see `sslcontext_fuzz::object_server` (fuzz/src/lib.rs) for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sslcontext_fuzz::object_server(data));
