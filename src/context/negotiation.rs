//! Negotiation settings: `set_ciphers` / `get_ciphers` (OpenSSL cipher strings),
//! `set_ecdh_curve`, `load_dh_params`.

use std::path::Path;

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

    /// `SSLContext.set_ecdh_curve(name)`: restricts key exchange to that one group
    /// (OpenSSL short names: `X25519`, `prime256v1`, `secp384r1`).
    pub fn set_ecdh_curve(&self, name: &str) -> Result<()> {
        let groups = crate::ciphers::groups::parse_ecdh_curve(name)?;
        let mut state = self.lock();
        state.groups = Some(groups);
        state.generation += 1;
        Ok(())
    }

    /// `SSLContext.load_dh_params(path)`: parses and validates the parameters with
    /// CPython's errors. rustls has no DHE suites, so they change nothing.
    pub fn load_dh_params(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::ciphers::dh::load_dh_params_at_level(path.as_ref(), self.security_level())?;
        self.lock().generation += 1;
        Ok(())
    }
}
