//! PEM, private keys and the trust store.
