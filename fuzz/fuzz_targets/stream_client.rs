//! Fuzz target `stream_client`: see `sslcontext_fuzz::stream_client` (fuzz/src/lib.rs) for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sslcontext_fuzz::stream_client(data));
