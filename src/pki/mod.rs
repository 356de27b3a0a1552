//! PEM, private keys and the trust store: the PKI layer behind
//! `load_cert_chain`, `load_verify_locations`, `cert_store_stats`,
//! `get_ca_certs(binary_form=True)`, `set_default_verify_paths` and
//! `get_default_verify_paths`, with OpenSSL 3.0's error classification.

pub(crate) mod certinfo;
pub mod chain;
pub mod keys;
pub mod name;
pub mod pem;
pub mod store;

pub use chain::{load_cert_chain, Identity};
pub use keys::{CallbackError, Password, PasswordCallback, PasswordValue};
pub use name::x509_name_hash;
pub use store::{
    get_default_verify_paths, openssl_dir, CaData, CertStoreStats, DefaultVerifyPaths, TrustStore,
};
