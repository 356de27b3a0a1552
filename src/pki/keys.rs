//! Private keys: PKCS#1, PKCS#8, SEC1, encrypted PKCS#8 (PBES2) and OpenSSL's legacy
//! PEM encryption (`Proc-Type: 4,ENCRYPTED` + `DEK-Info`), with CPython's password
//! rules.
//!
//! Encrypted PKCS#8 is decrypted by the `pkcs8` crate. The legacy format has no
//! maintained crate: its key derivation is OpenSSL's `EVP_BytesToKey` with MD5 and one
//! round over `password || IV[..8]`, done here with `md-5`, then CBC decryption with the
//! `cbc`/`aes`/`des` crates; the result is DER-checked because the PKCS#7 padding check
//! alone accepts about one wrong password in 256.
//!
//! With no password for an encrypted key, OpenSSL prompts on the controlling terminal
//! (CPython shows `OSError(22)` when there is none); this crate never prompts and
//! reports `[SSL] PEM lib`, what a wrong password gives.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use md5::{Digest, Md5};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};

use super::certinfo::{class_of_oid, KeyClass};
use super::pem::{ssl_pem_lib, Ossl, PemReader};
use crate::error::Reason;
use crate::error::{Error, Result};
use crate::x509::der::tlv;

/// OpenSSL's `PEM_BUFSIZE`: the longest password CPython passes on.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// What a password callback returns (Python: `str`, `bytes` or `bytearray`).
#[derive(Clone, PartialEq, Eq)]
pub enum PasswordValue {
    /// Raw bytes.
    Bytes(Vec<u8>),
    /// Text, encoded as UTF-8.
    Text(String),
}

impl fmt::Debug for PasswordValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordValue(..)")
    }
}

/// The boxed error a password callback may return; it propagates as [`Error::Callback`].
pub type CallbackError = Box<dyn std::error::Error + Send + Sync>;

/// The password callback type.
pub type PasswordCallback = Box<dyn FnMut() -> Result<PasswordValue, CallbackError> + Send>;

/// `load_cert_chain`'s `password` argument: a string, bytes, or a callable that is
/// called (at most once) only when the key is encrypted.
pub enum Password {
    /// `bytes` / `bytearray`.
    Bytes(Vec<u8>),
    /// `str` (UTF-8 encoded).
    Text(String),
    /// A callable returning the password.
    Callback(PasswordCallback),
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Password::Bytes(_) => f.write_str("Password::Bytes(..)"),
            Password::Text(_) => f.write_str("Password::Text(..)"),
            Password::Callback(_) => f.write_str("Password::Callback(..)"),
        }
    }
}

impl Password {
    /// A password given by a callback, called only if the key is encrypted.
    pub fn callback<F>(f: F) -> Self
    where
        F: FnMut() -> Result<PasswordValue, CallbackError> + Send + 'static,
    {
        Password::Callback(Box::new(f))
    }

    /// The password bytes, running the callback if there is one; more than 1024
    /// bytes is `ValueError('password cannot be longer than 1024 bytes')`.
    fn resolve(&mut self) -> Result<Zeroizing<Vec<u8>>> {
        let bytes = Zeroizing::new(match self {
            Password::Bytes(b) => b.clone(),
            Password::Text(t) => t.as_bytes().to_vec(),
            Password::Callback(f) => {
                let value = f().map_err(Error::Callback)?;
                match &value {
                    PasswordValue::Bytes(b) => b.clone(),
                    PasswordValue::Text(t) => t.as_bytes().to_vec(),
                }
            }
        });
        if bytes.len() > MAX_PASSWORD_LEN {
            return Err(Error::value(format!(
                "password cannot be longer than {MAX_PASSWORD_LEN} bytes"
            )));
        }
        Ok(bytes)
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Password::Text(s.to_string())
    }
}
impl From<String> for Password {
    fn from(s: String) -> Self {
        Password::Text(s)
    }
}
impl From<Vec<u8>> for Password {
    fn from(b: Vec<u8>) -> Self {
        Password::Bytes(b)
    }
}
impl From<&[u8]> for Password {
    fn from(b: &[u8]) -> Self {
        Password::Bytes(b.to_vec())
    }
}

/// Passwords are wiped from memory when dropped.
impl Drop for Password {
    fn drop(&mut self) {
        match self {
            Password::Bytes(b) => b.zeroize(),
            Password::Text(t) => t.zeroize(),
            Password::Callback(_) => {}
        }
    }
}

/// Passwords are wiped from memory when dropped.
impl Drop for PasswordValue {
    fn drop(&mut self) {
        match self {
            PasswordValue::Bytes(b) => b.zeroize(),
            PasswordValue::Text(t) => t.zeroize(),
        }
    }
}

impl Drop for LoadedKey {
    fn drop(&mut self) {
        if let Some(der) = &mut self.der {
            der.zeroize();
        }
    }
}

/// Lazily resolves a password at most once.
pub(crate) struct PasswordSource {
    password: Option<Password>,
    cached: Option<Zeroizing<Vec<u8>>>,
}

impl PasswordSource {
    pub(crate) fn new(password: Option<Password>) -> Self {
        PasswordSource {
            password,
            cached: None,
        }
    }

    /// The password, or `None` when none was given.
    fn get(&mut self) -> Result<Option<Zeroizing<Vec<u8>>>> {
        if let Some(c) = &self.cached {
            return Ok(Some(c.clone()));
        }
        match self.password.as_mut() {
            None => Ok(None),
            Some(p) => {
                let b = p.resolve()?;
                self.cached = Some(b.clone());
                self.password = None;
                Ok(Some(b))
            }
        }
    }
}

/// A private key read from PEM, with its OpenSSL slot class. Its DER is wiped when the
/// key is dropped (once rustls has made its signing key from it).
#[derive(Debug)]
pub(crate) struct LoadedKey {
    pub class: KeyClass,
    /// `None` for key formats rustls has no type for (legacy `DSA PRIVATE KEY`).
    pub der: Option<PrivateKeyDer<'static>>,
    /// For RSA keys: the modulus without leading zeros.
    pub rsa_modulus: Vec<u8>,
    /// For EC keys: the curve OID, dotted.
    pub curve: Option<String>,
}

fn oid_string(content: &[u8]) -> String {
    crate::x509::oid_dotted(content)
}

fn strip_zeros(b: &[u8]) -> Vec<u8> {
    let n = b.iter().take_while(|&&c| c == 0).count();
    b[n..].to_vec()
}

/// Splits the SEQUENCE content at the start of `der` into its elements.
fn seq_items(der: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let (tag, content, total) = tlv(der)?;
    if tag != 0x30 || total != der.len() {
        return None;
    }
    let mut items = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        let (t, c, n) = tlv(rest)?;
        items.push((t, c));
        rest = &rest[n..];
    }
    Some(items)
}

fn pkcs1_modulus(der: &[u8]) -> Option<Vec<u8>> {
    let items = seq_items(der)?;
    match (items.first(), items.get(1), items.get(2)) {
        (Some((0x02, _)), Some((0x02, n)), Some((0x02, _))) => Some(strip_zeros(n)),
        _ => None,
    }
}

fn sec1_curve(der: &[u8]) -> Option<Option<String>> {
    let items = seq_items(der)?;
    match (items.first(), items.get(1)) {
        (Some((0x02, _)), Some((0x04, _))) => {}
        _ => return None,
    }
    Some(
        items
            .iter()
            .find(|(t, _)| *t == 0xa0)
            .and_then(|(_, c)| match tlv(c) {
                Some((0x06, oid, _)) => Some(oid_string(oid)),
                _ => None,
            }),
    )
}

/// Classifies a PKCS#8 `PrivateKeyInfo`.
fn pkcs8_key(der: &[u8]) -> Option<LoadedKey> {
    let items = seq_items(der)?;
    let (Some((0x02, _)), Some((0x30, alg)), Some((0x04, inner))) =
        (items.first(), items.get(1), items.get(2))
    else {
        return None;
    };
    let (t, oid, n) = tlv(alg)?;
    if t != 0x06 {
        return None;
    }
    let oid = oid_string(oid);
    let class = class_of_oid(&oid);
    let params = &alg[n..];
    let mut key = LoadedKey {
        class,
        der: Some(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der.to_vec()))),
        rsa_modulus: Vec::new(),
        curve: None,
    };
    match class {
        KeyClass::Rsa | KeyClass::RsaPss => key.rsa_modulus = pkcs1_modulus(inner)?,
        KeyClass::Ec => {
            key.curve = match tlv(params) {
                Some((0x06, c, _)) => Some(oid_string(c)),
                _ => sec1_curve(inner)?,
            }
        }
        _ => {}
    }
    Some(key)
}

/// `PEM_X509_INFO_read_bio` on a block whose label contains `PRIVATE KEY`: encrypted
/// keys are kept undecoded (only their headers are checked); plain ones must decode
/// as their key type.
pub(crate) fn info_key_block_ok(label: &str, headers: &str, der: &[u8]) -> Result<(), Ossl> {
    if label == "ENCRYPTED PRIVATE KEY" || headers.len() > 10 {
        return cipher_info(headers).map(|_| ());
    }
    cipher_info(headers)?;
    let ok = super::pem::der_well_formed(der)
        && match label {
            "PRIVATE KEY" => pkcs8_key(der).is_some(),
            "RSA PRIVATE KEY" => pkcs1_modulus(der).is_some(),
            "EC PRIVATE KEY" => sec1_curve(der).is_some(),
            _ => seq_items(der).is_some(),
        };
    if ok {
        Ok(())
    } else {
        Err(Ossl::PemAsn1Lib)
    }
}

/// The legacy PEM cipher named in `DEK-Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LegacyCipher {
    Aes128,
    Aes192,
    Aes256,
    DesEde3,
    Des,
}

impl LegacyCipher {
    fn by_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_uppercase().as_str() {
            "AES-128-CBC" => LegacyCipher::Aes128,
            "AES-192-CBC" => LegacyCipher::Aes192,
            "AES-256-CBC" => LegacyCipher::Aes256,
            "DES-EDE3-CBC" => LegacyCipher::DesEde3,
            "DES-CBC" => LegacyCipher::Des,
            _ => return None,
        })
    }
    fn key_len(self) -> usize {
        match self {
            LegacyCipher::Aes128 => 16,
            LegacyCipher::Aes192 => 24,
            LegacyCipher::Aes256 => 32,
            LegacyCipher::DesEde3 => 24,
            LegacyCipher::Des => 8,
        }
    }
    fn iv_len(self) -> usize {
        match self {
            LegacyCipher::Aes128 | LegacyCipher::Aes192 | LegacyCipher::Aes256 => 16,
            LegacyCipher::DesEde3 | LegacyCipher::Des => 8,
        }
    }
}

/// `PEM_get_EVP_CIPHER_INFO`: `Ok(None)` without headers, the cipher and IV for
/// `Proc-Type: 4,ENCRYPTED` + `DEK-Info: NAME,HEXIV`, else the error OpenSSL queues
/// (`Ossl::NoData` where it fails without queuing one).
pub(crate) fn cipher_info(
    headers: &str,
) -> std::result::Result<Option<(LegacyCipher, Vec<u8>)>, Ossl> {
    if headers.is_empty() || headers.starts_with('\n') {
        return Ok(None);
    }
    let rest = headers
        .strip_prefix("Proc-Type:")
        .ok_or(Ossl::Pem(107, Reason::NotProcType))?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix("4,").ok_or(Ossl::NoData)?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = match rest.strip_prefix("ENCRYPTED") {
        Some(r) if r.starts_with([' ', '\t', '\r', '\n']) => r,
        _ => return Err(Ossl::Pem(106, Reason::NotEncrypted)),
    };
    let rest = rest.trim_start_matches([' ', '\t', '\r']);
    let rest = rest
        .strip_prefix('\n')
        .ok_or(Ossl::Pem(112, Reason::ShortHeader))?;
    let rest = rest
        .strip_prefix("DEK-Info:")
        .ok_or(Ossl::Pem(105, Reason::NotDekInfo))?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let name_end = rest.find([' ', '\t', ',']).unwrap_or(rest.len());
    let cipher = rest
        .get(..name_end)
        .and_then(LegacyCipher::by_name)
        .ok_or(Ossl::Pem(114, Reason::UnsupportedEncryption))?;
    let rest = rest
        .get(name_end..)
        .unwrap_or("")
        .trim_start_matches([' ', '\t']);
    let hex = rest
        .strip_prefix(',')
        .ok_or(Ossl::Pem(129, Reason::MissingDekIv))?;
    let n = cipher.iv_len();
    let mut iv = Vec::with_capacity(n);
    let hb = hex.as_bytes();
    let digit = |i: usize| {
        hb.get(i)
            .and_then(|c| char::from(*c).to_digit(16))
            .ok_or(Ossl::Pem(103, Reason::BadIvChars))
    };
    for i in 0..n {
        let hi = digit(2 * i)?;
        let lo = digit(2 * i + 1)?;
        iv.push((hi * 16 + lo) as u8);
    }
    Ok(Some((cipher, iv)))
}

/// OpenSSL's `EVP_BytesToKey(cipher, EVP_md5(), salt, pass, 1, key, NULL)`; the key and
/// every intermediate digest are wiped when dropped.
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut prev: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::new());
    while out.len() < len {
        let mut h = Md5::new();
        h.update(prev.as_slice());
        h.update(password);
        h.update(salt);
        prev = Zeroizing::new(h.finalize().to_vec());
        out.extend_from_slice(&prev);
    }
    out.truncate(len);
    out
}

/// PBKDF2 iterations accepted for an encrypted key: far above what any tool writes
/// (OpenSSL 3 uses 2,048; PKCS#12 tools up to ~600,000), low enough that a hostile file
/// cannot stall `load_cert_chain` for minutes. OpenSSL has no such cap.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// The memory scrypt may use (OpenSSL's default `maxmem`, 32 MiB).
const MAX_SCRYPT_MEMORY: u64 = 32 * 1024 * 1024;

/// Whether the key-derivation parameters are within bounds (see the two limits).
fn kdf_cost_acceptable(scheme: &pkcs8::pkcs5::EncryptionScheme) -> bool {
    use pkcs5::pbes2::Kdf;
    use pkcs8::pkcs5;
    match scheme {
        pkcs5::EncryptionScheme::Pbes2(params) => match &params.kdf {
            Kdf::Pbkdf2(p) => p.iteration_count <= MAX_PBKDF2_ITERATIONS,
            Kdf::Scrypt(p) => {
                let memory = 128u64
                    .saturating_mul(u64::from(p.block_size))
                    .saturating_mul(
                        p.cost_parameter
                            .saturating_add(u64::from(p.parallelization)),
                    );
                memory <= MAX_SCRYPT_MEMORY
            }
            _ => true,
        },
        _ => true,
    }
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>>
where
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
    C: cbc::cipher::BlockCipherDecrypt,
{
    let dec = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    let mut buf = Zeroizing::new(data.to_vec());
    let n = dec.decrypt_padded::<Pkcs7>(&mut buf).ok()?.len();
    buf.truncate(n);
    Some(std::mem::take(&mut *buf))
}

fn legacy_decrypt(
    cipher: LegacyCipher,
    iv: &[u8],
    password: &[u8],
    data: &[u8],
) -> Option<Vec<u8>> {
    let salt = iv.get(..8)?;
    let key = bytes_to_key(password, salt, cipher.key_len());
    match cipher {
        LegacyCipher::Aes128 => cbc_decrypt::<aes::Aes128>(&key, iv, data),
        LegacyCipher::Aes192 => cbc_decrypt::<aes::Aes192>(&key, iv, data),
        LegacyCipher::Aes256 => cbc_decrypt::<aes::Aes256>(&key, iv, data),
        LegacyCipher::DesEde3 => cbc_decrypt::<des::TdesEde3>(&key, iv, data),
        LegacyCipher::Des => cbc_decrypt::<des::Des>(&key, iv, data),
    }
}

/// Why a block did not give a key.
enum KeyErr {
    /// Not a usable key; OpenSSL 3's decoder moves on to the next block.
    Bad,
    /// The password's own error (`ValueError`, the callback's error): raised at once.
    Fatal(Error),
}

impl From<Error> for KeyErr {
    fn from(e: Error) -> Self {
        KeyErr::Fatal(e)
    }
}

/// `PEM_read_bio_PrivateKey` as `SSL_CTX_use_PrivateKey_file` uses it in OpenSSL 3:
/// the decoder tries block after block (skipping certificates, CRLs and broken
/// blocks) until one is a private key it can decode, decrypting it with the password
/// if it is encrypted. Failure is `[SSL] PEM lib`, except the password's own errors
/// (`ValueError` for > 1024 bytes, the callback's error).
pub(crate) fn read_private_key(data: &[u8], password: &mut PasswordSource) -> Result<LoadedKey> {
    let mut r = PemReader::new(data);
    loop {
        if let Ok(block) = r.next_block() {
            match decode_key_block(block, password) {
                Ok(Some(k)) => return Ok(k),
                Ok(None) | Err(KeyErr::Bad) => {}
                Err(KeyErr::Fatal(e)) => return Err(e),
            }
        }
        if r.at_eof() {
            return Err(ssl_pem_lib());
        }
    }
}

fn decode_key_block(
    block: super::pem::PemBlock,
    password: &mut PasswordSource,
) -> std::result::Result<Option<LoadedKey>, KeyErr> {
    let label = block.label.as_str();
    let legacy = match label {
        "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "DSA PRIVATE KEY" => true,
        "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => false,
        _ => return Ok(None),
    };
    let mut der = block.der;
    if legacy {
        if let Some((cipher, iv)) = cipher_info(&block.headers).map_err(|_| KeyErr::Bad)? {
            let pw = password.get()?.ok_or(KeyErr::Bad)?;
            der = legacy_decrypt(cipher, &iv, &pw, &der).ok_or(KeyErr::Bad)?;
        }
    } else if !block.headers.is_empty() {
        return Err(KeyErr::Bad);
    }
    let key = match label {
        "RSA PRIVATE KEY" => {
            let m = pkcs1_modulus(&der).ok_or(KeyErr::Bad)?;
            LoadedKey {
                class: KeyClass::Rsa,
                der: Some(PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der))),
                rsa_modulus: m,
                curve: None,
            }
        }
        "EC PRIVATE KEY" => {
            let curve = sec1_curve(&der).ok_or(KeyErr::Bad)?;
            LoadedKey {
                class: KeyClass::Ec,
                der: Some(PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der))),
                rsa_modulus: Vec::new(),
                curve,
            }
        }
        "DSA PRIVATE KEY" => {
            seq_items(&der).ok_or(KeyErr::Bad)?;
            LoadedKey {
                class: KeyClass::Dsa,
                der: None,
                rsa_modulus: Vec::new(),
                curve: None,
            }
        }
        "ENCRYPTED PRIVATE KEY" => {
            let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der.as_slice())
                .map_err(|_| KeyErr::Bad)?;
            if !kdf_cost_acceptable(&info.encryption_algorithm) {
                return Err(KeyErr::Bad);
            }
            let pw = password.get()?.ok_or(KeyErr::Bad)?;
            let doc = info.decrypt(&pw).map_err(|_| KeyErr::Bad)?;
            pkcs8_key(doc.as_bytes()).ok_or(KeyErr::Bad)?
        }
        _ => pkcs8_key(&der).ok_or(KeyErr::Bad)?,
    };
    Ok(Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_to_key_matches_openssl() {
        // `openssl enc -aes-128-cbc -pass pass:secret -S 0001020304050607 -P -md md5`
        let k = bytes_to_key(b"secret", &[0, 1, 2, 3, 4, 5, 6, 7], 16);
        assert_eq!(
            k.as_slice(),
            [
                0x03, 0x5F, 0xB8, 0x14, 0x5B, 0x73, 0xCF, 0x11, 0x15, 0x70, 0xDC, 0x93, 0x61, 0x12,
                0xBE, 0x9C
            ]
        );
        let k32 = bytes_to_key(b"secret", &[0, 1, 2, 3, 4, 5, 6, 7], 32);
        assert_eq!(&k32[..16], &k[..]);
    }

    #[test]
    fn dek_info_parsing() {
        let h = "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,000102030405060708090A0B0C0D0E0F\n";
        let (c, iv) = cipher_info(h).unwrap().unwrap();
        assert_eq!(c, LegacyCipher::Aes128);
        assert_eq!(iv[15], 15);
        assert_eq!(
            cipher_info("Foo: bar\n"),
            Err(Ossl::Pem(107, Reason::NotProcType))
        );
        assert_eq!(cipher_info("Proc-Type: 3,X\n"), Err(Ossl::NoData));
        assert!(cipher_info("").unwrap().is_none());
    }
}
