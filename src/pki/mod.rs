//! PEM, private keys and the trust store: the PKI layer behind
//! `load_cert_chain`, `load_verify_locations`, `cert_store_stats`,
//! `get_ca_certs(binary_form=True)`, `set_default_verify_paths` and
//! `get_default_verify_paths`, with OpenSSL 3.0's error classification.
//!
//! # Which certificate parser
//! Whether OpenSSL's `d2i_X509` accepts a certificate (loading), the certificate dict
//! and path validation use the crate's own parser (`x509::raw`, OpenSSL's acceptance
//! rules). `x509-parser` remains only for the store's bookkeeping: its typed view of
//! basicConstraints, keyUsage and public keys is the simpler tool for `X509_check_ca`
//! (`cert_store_stats()['x509_ca']`, `get_ca_certs()`), for matching a private key to
//! its certificate in `load_cert_chain`, and for a CRL's structure check.

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
