//! Negotiation settings: `set_ciphers` / `get_ciphers` (OpenSSL cipher strings),
//! `set_ecdh_curve`, `load_dh_params`.

use super::SslContext;
use crate::ciphers::CipherInfo;
use crate::error::Result;

impl SslContext {
    /// `SSLContext.set_ciphers(cipherlist)`: OpenSSL's cipher-list language for the
    /// TLS 1.2 suites (TLS 1.3 suites are never affected, as in OpenSSL). A string that
    /// selects nothing raises `SSLError('No cipher can be selected.')` and leaves the
    /// list unchanged; `@SECLEVEL=n` changes `security_level`.
    pub fn set_ciphers(&self, cipherlist: &str) -> Result<()> {
        let mut state = self.lock();
        let mut selection = state.ciphers.clone();
        selection.set_ciphers(cipherlist)?;
        state.settings.security_level = selection.security_level();
        state.ciphers = selection;
        state.generation += 1;
        Ok(())
    }

    /// `SSLContext.get_ciphers()`: the enabled suites rustls can negotiate, as
    /// CPython's dicts, TLS 1.3 first, in OpenSSL's order.
    pub fn get_ciphers(&self) -> Vec<CipherInfo> {
        self.lock().ciphers.get_ciphers()
    }
}
