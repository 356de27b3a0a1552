//! Trust and identity: `load_cert_chain`, `load_verify_locations`,
//! `load_default_certs`, `set_default_verify_paths`, `get_ca_certs`, `cert_store_stats`.
//!
//! Every load works on a copy of the store (or identity list) and replaces it only on
//! success: a failed call leaves the context exactly as it was. (CPython keeps whatever
//! OpenSSL had added before the failure; see docs/COMPATIBILITY.md.)

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::CertificateDer;

use super::SslContext;
use crate::error::Result;
use crate::pki::{CaData, CertStoreStats, Password, TrustStore};
use crate::x509::CertificateInfo;
use crate::Purpose;

impl SslContext {
    /// Builds the new store from a copy of the current one (files read, directories
    /// walked, the system store loaded) holding only the store writer's lock, then swaps
    /// it in under a short lock of the context: connections and handshakes never wait
    /// for file I/O.
    fn update_store(&self, change: impl FnOnce(&mut TrustStore) -> Result<()>) -> Result<()> {
        let _writer = self
            .inner
            .store_writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut store = (*self.lock().store).clone();
        change(&mut store)?;
        let mut state = self.lock();
        state.store = Arc::new(store);
        state.store_generation += 1;
        state.generation += 1;
        Ok(())
    }

    /// `SSLContext.load_cert_chain(certfile, keyfile=None, password=None)`.
    ///
    /// PEM chain (leaf first), key in the same or a separate file (PKCS#1, PKCS#8,
    /// SEC1, encrypted PKCS#8 or OpenSSL's legacy `DEK-Info` encryption). A password
    /// callback is called only when the key is encrypted, at most once. Loading a key
    /// of a type already loaded replaces it; RSA and EC identities coexist.
    pub fn load_cert_chain(
        &self,
        certfile: impl AsRef<Path>,
        keyfile: Option<&Path>,
        password: Option<Password>,
    ) -> Result<()> {
        let level = self.security_level();
        let identity = crate::pki::load_cert_chain(certfile.as_ref(), keyfile, password, level)?;
        let mut state = self.lock();
        let algorithm = identity.signing_key.algorithm();
        state
            .identities
            .retain(|i| i.signing_key.algorithm() != algorithm);
        state.identities.push(identity);
        state.identity_generation += 1;
        state.generation += 1;
        Ok(())
    }

    /// `SSLContext.load_verify_locations(cafile=None, capath=None, cadata=None)`:
    /// cadata first, then cafile, then capath (an OpenSSL hashed directory, searched
    /// lazily during verification).
    pub fn load_verify_locations(
        &self,
        cafile: Option<&Path>,
        capath: Option<&Path>,
        cadata: Option<&CaData>,
    ) -> Result<()> {
        self.update_store(|store| store.load_verify_locations(cafile, capath, cadata))
    }

    /// `SSLContext.set_default_verify_paths()`: the system trust store
    /// (`SSL_CERT_FILE`, `SSL_CERT_DIR` or the platform's default; missing ones are
    /// silently ignored, as OpenSSL does).
    pub fn set_default_verify_paths(&self) -> Result<()> {
        self.update_store(|store| {
            store.load_system_roots();
            Ok(())
        })
    }

    /// `SSLContext.load_default_certs(purpose)`: on this platform the same as
    /// [`SslContext::set_default_verify_paths`] (as in CPython outside Windows).
    pub fn load_default_certs(&self, purpose: Purpose) -> Result<()> {
        let _ = purpose;
        self.set_default_verify_paths()
    }

    /// Rust extension: trust the Mozilla roots embedded in `webpki-root-certs` (counted
    /// and listed like any loaded CA bundle), for
    /// machines without a system store. Never done implicitly.
    pub fn load_webpki_roots(&self) -> Result<()> {
        self.update_store(|store| {
            store.load_webpki_roots();
            Ok(())
        })
    }

    /// `SSLContext.cert_store_stats()`: `{'x509': N, 'crl': M, 'x509_ca': K}`.
    pub fn cert_store_stats(&self) -> CertStoreStats {
        let store = self.lock().store.clone();
        store.stats()
    }

    /// `SSLContext.get_ca_certs(binary_form=True)`: DER of the CA certificates in the
    /// store, in OpenSSL's store order.
    pub fn get_ca_certs_der(&self) -> Vec<CertificateDer<'static>> {
        let store = self.lock().store.clone();
        store.ca_certs_der()
    }

    /// `SSLContext.get_ca_certs()`: the certificate dicts of the CA certificates.
    pub fn get_ca_certs(&self) -> Result<Vec<CertificateInfo>> {
        self.get_ca_certs_der()
            .iter()
            .map(|der| crate::x509::decode_der(der))
            .collect()
    }
}
