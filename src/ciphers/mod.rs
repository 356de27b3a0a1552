//! OpenSSL cipher strings over OpenSSL 3.0's cipher table.
//!
//! - [`catalog`]: OpenSSL 3.0's suites and aliases, with the rustls mapping (the suite
//!   rows are generated into `catalog_rows.rs` by `admin/gen_cipher_catalog.py`).
//! - [`parse`] + [`resolve`]: the cipher-string language (`set_ciphers`), giving a
//!   [`CipherSelection`].
//! - [`info`]: CPython's `get_ciphers()` dicts and `cipher()` tuples.
//! - [`groups`]: `set_ecdh_curve` names → rustls key-exchange groups.
//! - [`dh`]: `load_dh_params` (validated, then without effect: rustls has no DHE).

pub mod catalog;
mod catalog_rows;
pub mod dh;
pub mod groups;
pub mod info;
pub mod parse;
pub mod resolve;

pub use info::{cipher_tuple, CipherInfo};
pub use resolve::{compile, CipherSelection};
