//! `sslctx decode-cert PATH`: `ssl._ssl._test_decode_cert(PATH)`.

use clap::Args;
use serde_json::Value;
use std::path::PathBuf;

use sslcontext::Error;

/// Arguments of `sslctx decode-cert`.
#[derive(Args)]
pub struct DecodeArgs {
    /// A PEM file; its first certificate is decoded.
    path: PathBuf,
}

/// Decodes the certificate and returns CPython's dict.
pub fn run(args: &DecodeArgs) -> Result<Value, Error> {
    let info = sslcontext::x509::test_decode_cert(&args.path)?;
    crate::context_cmd::to_json(&info)
}
