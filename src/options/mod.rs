//! `ssl.Options` (`OP_*`) and `ssl.VerifyFlags` (`VERIFY_*`) with OpenSSL's exact bits,
//! and the translation of each option into rustls behaviour ([`translate`]).

mod flags;
pub mod translate;

pub use flags::{Options, VerifyFlags};
