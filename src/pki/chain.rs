//! `SSLContext.load_cert_chain`: certificate chain + private key, with CPython's error
//! precedence and OpenSSL's security-level checks.
//!
//! Steps, as OpenSSL runs them:
//! 1. the certificate file (`SSL_CTX_use_certificate_chain_file`): the first
//!    `CERTIFICATE` / `X509 CERTIFICATE` / `TRUSTED CERTIFICATE` block is the leaf (any
//!    failure: `[SSL] PEM lib`), its key and signature must pass the security level
//!    (`EE_KEY_TOO_SMALL`, `CA_MD_TOO_WEAK`); the following certificate blocks are the
//!    chain (`CA_KEY_TOO_SMALL`, `CA_MD_TOO_WEAK`; a broken block reports its own PEM
//!    or ASN.1 error);
//! 2. the key file (`SSL_CTX_use_PrivateKey_file`): the first private-key block;
//!    any failure is `[SSL] PEM lib`;
//! 3. the match: OpenSSL keeps one certificate per key class (RSA, RSA-PSS, DSA, EC,
//!    Ed25519, Ed448). A key of another class than the certificate lands in an empty
//!    slot, so the final `SSL_CTX_check_private_key` reports
//!    `[SSL: NO_CERTIFICATE_ASSIGNED]`; a key of the same class that differs is
//!    `[X509: KEY_VALUES_MISMATCH]`.
//!
//! Beyond OpenSSL: rustls (ring) signs only with RSA 2048–4096-bit, ECDSA P-256/P-384
//! and Ed25519 keys. A leaf whose key is anything else (DSA, P-521, Ed448, RSA below
//! 2048 bits at security level 0 or 1, RSA above 4096 bits) is refused right after
//! the leaf's security check with `[SSL: UNKNOWN_CERTIFICATE_TYPE] unknown
//! certificate type: rustls cannot sign with ...` (errno 247, OpenSSL's own reason for
//! a certificate key type it cannot use), where CPython would accept it.

use std::path::Path;
use std::sync::Arc;

use rustls::sign::SigningKey;
use rustls_pki_types::CertificateDer;

use super::certinfo::{cert_key, is_self_signed, signature_security_bits, CertKey, KeyClass};
use super::certinfo::{OID_P256, OID_P384, OID_P521};
use super::keys::{read_private_key, Password, PasswordSource};
use super::pem::{read_pem_certificate, ssl_pem_lib, CertLabels, Ossl, PemReader};
use crate::error::Reason;
use crate::error::{Error, Result, SslErrorInfo};

/// A certificate chain and its private key, ready for rustls.
pub struct Identity {
    /// The leaf first, then the chain certificates in file order.
    pub chain: Vec<CertificateDer<'static>>,
    /// The key loaded by the ring provider.
    pub signing_key: Arc<dyn SigningKey>,
    /// For an ECDSA leaf key, its curve as a TLS named group (`secp256r1` is 23): a
    /// TLS 1.2 client must list it among its groups for the key to be usable.
    pub ec_group: Option<u16>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("chain_len", &self.chain.len())
            .field("algorithm", &self.signing_key.algorithm())
            .finish()
    }
}

impl Clone for Identity {
    fn clone(&self) -> Self {
        Identity {
            chain: self.chain.clone(),
            signing_key: self.signing_key.clone(),
            ec_group: self.ec_group,
        }
    }
}

impl Identity {
    /// A `rustls::sign::CertifiedKey` for server/client certificate resolvers.
    pub fn certified_key(&self) -> rustls::sign::CertifiedKey {
        rustls::sign::CertifiedKey::new(self.chain.clone(), self.signing_key.clone())
    }
}

/// `ssl_security_cert`: the key size, then the signature digest (skipped for
/// self-signed certificates).
fn security_check(
    cert: &x509_parser::certificate::X509Certificate<'_>,
    key: &CertKey,
    level: u8,
    is_ee: bool,
) -> Result<()> {
    let min = super::certinfo::level_min_bits(level);
    if min == 0 {
        return Ok(());
    }
    if key.security_bits < min {
        return Err(if is_ee {
            Error::ssl(399, "SSL", Reason::EeKeyTooSmall)
        } else {
            Error::ssl(397, "SSL", Reason::CaKeyTooSmall)
        });
    }
    if !is_self_signed(cert) {
        if let Some(bits) = signature_security_bits(cert) {
            if bits < min {
                return Err(Error::ssl(398, "SSL", Reason::CaMdTooWeak));
            }
        }
    }
    Ok(())
}

/// `[SSL: UNKNOWN_CERTIFICATE_TYPE] unknown certificate type: <detail>` (errno 247).
fn unusable(detail: &str) -> Error {
    Error::SslError(
        SslErrorInfo::openssl(247, "SSL", Reason::UnknownCertificateType).with_detail(detail),
    )
}

/// Why rustls cannot sign with a key of this kind, or `None` if it can.
fn rustls_refusal(key: &CertKey) -> Option<String> {
    match key.class {
        KeyClass::Rsa if key.rsa_bits < 2048 => Some(format!(
            "rustls cannot sign with a {}-bit RSA key (minimum 2048)",
            key.rsa_bits
        )),
        KeyClass::Rsa if key.rsa_bits > 4096 => Some(format!(
            "rustls cannot sign with a {}-bit RSA key (maximum 4096)",
            key.rsa_bits
        )),
        KeyClass::Rsa | KeyClass::Ed25519 => None,
        KeyClass::Ec => match key.curve.as_deref() {
            Some(OID_P256) | Some(OID_P384) => None,
            Some(OID_P521) => Some("rustls cannot sign with P-521 (secp521r1) keys".into()),
            _ => Some("rustls cannot sign with keys on this elliptic curve".into()),
        },
        KeyClass::RsaPss => {
            Some("rustls cannot sign with RSA-PSS-only (id-RSASSA-PSS) keys".into())
        }
        KeyClass::Dsa => Some("rustls cannot sign with DSA keys".into()),
        KeyClass::Ed448 => Some("rustls cannot sign with Ed448 keys".into()),
        KeyClass::Other => None,
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| match e.raw_os_error() {
        Some(code) => Error::os(code),
        None => Error::Io(e),
    })
}

/// `SSLContext.load_cert_chain(certfile, keyfile=None, password=None)`.
///
/// `security_level` is the context's OpenSSL security level (2 by default).
/// Errors: the file's `OSError` (no filename, as CPython), `[SSL] PEM lib`,
/// `EE_KEY_TOO_SMALL` / `CA_KEY_TOO_SMALL` / `CA_MD_TOO_WEAK`,
/// `KEY_VALUES_MISMATCH` / `NO_CERTIFICATE_ASSIGNED`, `ValueError` for a password
/// over 1024 bytes, [`Error::Callback`] for a failing password callback.
pub fn load_cert_chain(
    certfile: &Path,
    keyfile: Option<&Path>,
    password: Option<Password>,
    security_level: u8,
) -> Result<Identity> {
    // Step 1: the certificate chain.
    let cert_bytes = read_file(certfile)?;
    let mut reader = PemReader::new(&cert_bytes);
    let leaf_der =
        read_pem_certificate(&mut reader, CertLabels::WithTrusted).map_err(|_| ssl_pem_lib())?;
    let (_, leaf) = x509_parser::parse_x509_certificate(&leaf_der).map_err(|_| ssl_pem_lib())?;
    let leaf_key = cert_key(&leaf);
    security_check(&leaf, &leaf_key, security_level, true)?;
    if leaf_key.class == KeyClass::Other {
        return Err(Error::ssl(247, "SSL", Reason::UnknownCertificateType));
    }
    if let Some(why) = rustls_refusal(&leaf_key) {
        return Err(unusable(&why));
    }
    let mut chain = vec![CertificateDer::from(leaf_der.clone())];
    loop {
        match read_pem_certificate(&mut reader, CertLabels::Plain) {
            Ok(der) => {
                let (_, c) = x509_parser::parse_x509_certificate(&der)
                    .map_err(|_| Ossl::PemAsn1Lib.to_error())?;
                security_check(&c, &cert_key(&c), security_level, false)?;
                chain.push(CertificateDer::from(der));
            }
            Err(Ossl::NoStartLine) => break,
            Err(e) => return Err(e.to_error()),
        }
    }

    // Step 2: the private key.
    // The key file's bytes (a plain key in the clear) are wiped when dropped.
    let key_bytes = zeroize::Zeroizing::new(match keyfile {
        Some(k) => read_file(k)?,
        None => cert_bytes.clone(),
    });
    let mut source = PasswordSource::new(password);
    let mut key = read_private_key(&key_bytes, &mut source)?;

    // Step 3: the match.
    if key.class == KeyClass::Other {
        return Err(Error::ssl(247, "SSL", Reason::UnknownCertificateType));
    }
    if key.class != leaf_key.class {
        return Err(Error::ssl(177, "SSL", Reason::NoCertificateAssigned));
    }
    let mismatch = || Error::ssl(116, "X509", Reason::KeyValuesMismatch);
    // Only rustls's signing key is kept; the DER is wiped when dropped.
    let der = zeroize::Zeroizing::new(key.der.take().ok_or_else(ssl_pem_lib)?);
    match rustls::crypto::ring::sign::any_supported_type(&der) {
        Ok(signing_key) => {
            if let Some(spki) = signing_key.public_key() {
                if spki.as_ref() != leaf_key.spki.as_slice() {
                    return Err(mismatch());
                }
            }
            let ec_group = match leaf_key.curve.as_deref() {
                Some(super::certinfo::OID_P256) => Some(23),
                Some(super::certinfo::OID_P384) => Some(24),
                Some(super::certinfo::OID_P521) => Some(25),
                _ => None,
            };
            Ok(Identity {
                chain,
                signing_key,
                ec_group,
            })
        }
        Err(_) => {
            // ring refused the key: report a mismatch if it visibly differs from the
            // certificate's key, otherwise the key itself is unusable.
            let differs = match key.class {
                KeyClass::Rsa => key.rsa_modulus != leaf_key.rsa_modulus,
                KeyClass::Ec => key.curve.is_some() && key.curve != leaf_key.curve,
                _ => false,
            };
            if differs {
                Err(mismatch())
            } else {
                Err(ssl_pem_lib())
            }
        }
    }
}
