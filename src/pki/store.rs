//! The trust store: certificates and CRLs with OpenSSL `X509_STORE`'s bookkeeping.
//!
//! * Objects are kept in OpenSSL's order: certificates before CRLs, each sorted by
//!   the canonical subject (CRLs: issuer) name, shorter encodings first. OpenSSL sorts
//!   the object list whenever it searches it (before each insertion, and on every
//!   lookup) and appends new objects at the end, so the most recently added object can
//!   sit out of order until the next search; this is reproduced.
//! * An object identical (same DER) to one already stored is not added again.
//! * `cert_store_stats()` counts certificates, CRLs and `X509_check_ca` certificates;
//!   `get_ca_certs()` lists the CA certificates in the current order.
//! * `capath` directories are looked up lazily by `X509_NAME_hash` of the wanted
//!   subject (`<hash>.<n>`, CRLs `<hash>.r<n>`); what a lookup loads stays in the store.
//!
//! `TrustStore` is a value (`Clone` is a deep copy): a façade that wants a failed call
//! to leave the context unchanged can load into a clone and swap it in on success.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rustls_pki_types::{CertificateDer, CertificateRevocationListDer};

use super::certinfo::check_ca;
use super::name::{canonical_cmp, canonical_name, x509_name_hash};
use super::pem::{
    check_certificate_der, der_read_element, read_pem_certificate, read_x509_info, x509_pem_lib,
    CertLabels, DerRead, InfoItem, Ossl, PemReader,
};
use crate::error::Reason;
use crate::error::{Error, Result, SslErrorInfo};

/// `SSLContext.cert_store_stats()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CertStoreStats {
    /// Number of certificates.
    pub x509: usize,
    /// Number of CRLs.
    pub crl: usize,
    /// Number of certificates for which `X509_check_ca` is non-zero.
    pub x509_ca: usize,
}

/// `load_verify_locations`' `cadata` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaData {
    /// A Python `str`: ASCII PEM text (certificate blocks only).
    Text(String),
    /// A bytes-like object: concatenated DER certificates.
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Cert,
    Crl,
}

#[derive(Debug, Clone)]
struct Obj {
    kind: Kind,
    der: Vec<u8>,
    /// Canonical subject (certificates) or issuer (CRLs).
    name: Vec<u8>,
    is_ca: bool,
}

#[derive(Debug, Clone, Default)]
struct Inner {
    objs: Vec<Obj>,
    capaths: Vec<PathBuf>,
    /// Per capath directory and hash: the next suffix to try (OpenSSL's by_dir cache).
    loaded_suffix: Vec<(usize, u32, bool, u32)>,
}

impl Inner {
    fn sort(&mut self) {
        self.objs.sort_by(|a, b| {
            a.kind
                .cmp(&b.kind)
                .then_with(|| canonical_cmp(&a.name, &b.name))
        });
    }

    /// `X509_STORE_add_cert` / `_add_crl`: search (which sorts), skip duplicates, append.
    fn add(&mut self, obj: Obj) {
        self.sort();
        if self
            .objs
            .iter()
            .any(|o| o.kind == obj.kind && o.der == obj.der)
        {
            return;
        }
        self.objs.push(obj);
    }
}

/// An OpenSSL-like trust store (see the module docs).
#[derive(Debug, Default)]
pub struct TrustStore {
    inner: Mutex<Inner>,
}

impl Clone for TrustStore {
    fn clone(&self) -> Self {
        TrustStore {
            inner: Mutex::new(self.lock().clone()),
        }
    }
}

fn cert_obj(der: Vec<u8>) -> Option<Obj> {
    let (_, cert) = x509_parser::parse_x509_certificate(&der).ok()?;
    let name = canonical_name(cert.tbs_certificate.subject.as_raw());
    let is_ca = check_ca(&cert);
    Some(Obj {
        kind: Kind::Cert,
        der,
        name,
        is_ca,
    })
}

fn crl_obj(der: Vec<u8>) -> Option<Obj> {
    let (_, crl) = x509_parser::parse_x509_crl(&der).ok()?;
    let name = canonical_name(crl.tbs_cert_list.issuer.as_raw());
    Some(Obj {
        kind: Kind::Crl,
        der,
        name,
        is_ca: false,
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| match e.raw_os_error() {
        Some(code) => Error::os(code),
        None => Error::Io(e),
    })
}

/// CPython's `_add_ca_certs` result when nothing was loaded.
fn cadata_empty_error(pem: bool) -> Error {
    let text = if pem {
        "no start line: cadata does not contain a certificate"
    } else {
        "not enough data: cadata does not contain a certificate"
    };
    Error::SslError(SslErrorInfo::with_errno(0, text))
}

/// `ssl.get_default_verify_paths()`: `DefaultVerifyPaths`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultVerifyPaths {
    /// `$SSL_CERT_FILE` or the default file, if it is a file.
    pub cafile: Option<PathBuf>,
    /// `$SSL_CERT_DIR` or the default directory, if it is a directory.
    pub capath: Option<PathBuf>,
    /// `"SSL_CERT_FILE"`.
    pub openssl_cafile_env: String,
    /// `<OPENSSLDIR>/cert.pem`.
    pub openssl_cafile: PathBuf,
    /// `"SSL_CERT_DIR"`.
    pub openssl_capath_env: String,
    /// `<OPENSSLDIR>/certs`.
    pub openssl_capath: PathBuf,
}

/// The `OPENSSLDIR` this crate assumes: OpenSSL's is a compile-time constant, so the
/// first existing directory of the usual distribution locations (Debian/Ubuntu
/// `/usr/lib/ssl`, Fedora/RHEL `/etc/pki/tls`, Alpine/Arch/SUSE `/etc/ssl`, Homebrew),
/// else OpenSSL's own default `/usr/local/ssl`.
pub fn openssl_dir() -> PathBuf {
    const CANDIDATES: [&str; 6] = [
        "/usr/lib/ssl",
        "/etc/pki/tls",
        "/etc/ssl",
        "/opt/homebrew/etc/openssl@3",
        "/usr/local/etc/openssl@3",
        "/usr/local/etc/openssl",
    ];
    CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.join("cert.pem").exists() || p.join("certs").is_dir())
        .unwrap_or_else(|| PathBuf::from("/usr/local/ssl"))
}

/// `ssl.get_default_verify_paths()`.
pub fn get_default_verify_paths() -> DefaultVerifyPaths {
    let dir = openssl_dir();
    let openssl_cafile = dir.join("cert.pem");
    let openssl_capath = dir.join("certs");
    let cafile = std::env::var_os("SSL_CERT_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| openssl_cafile.clone());
    let capath = std::env::var_os("SSL_CERT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| openssl_capath.clone());
    DefaultVerifyPaths {
        cafile: cafile.is_file().then_some(cafile),
        capath: capath.is_dir().then_some(capath),
        openssl_cafile_env: "SSL_CERT_FILE".into(),
        openssl_cafile,
        openssl_capath_env: "SSL_CERT_DIR".into(),
        openssl_capath,
    }
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// `cert_store_stats()`.
    #[doc(alias = "cert_store_stats")]
    pub fn stats(&self) -> CertStoreStats {
        let g = self.lock();
        let mut s = CertStoreStats::default();
        for o in &g.objs {
            match o.kind {
                Kind::Cert => {
                    s.x509 += 1;
                    if o.is_ca {
                        s.x509_ca += 1;
                    }
                }
                Kind::Crl => s.crl += 1,
            }
        }
        s
    }

    /// `get_ca_certs(binary_form=True)`: the CA certificates in OpenSSL's store order.
    #[doc(alias = "get_ca_certs")]
    pub fn ca_certs_der(&self) -> Vec<CertificateDer<'static>> {
        self.lock()
            .objs
            .iter()
            .filter(|o| o.kind == Kind::Cert && o.is_ca)
            .map(|o| CertificateDer::from(o.der.clone()))
            .collect()
    }

    /// Every certificate in the store (trust anchors for OpenSSL), in store order.
    pub fn certs_der(&self) -> Vec<CertificateDer<'static>> {
        self.lock()
            .objs
            .iter()
            .filter(|o| o.kind == Kind::Cert)
            .map(|o| CertificateDer::from(o.der.clone()))
            .collect()
    }

    /// The CRLs in the store.
    pub fn crls(&self) -> Vec<CertificateRevocationListDer<'static>> {
        self.lock()
            .objs
            .iter()
            .filter(|o| o.kind == Kind::Crl)
            .map(|o| CertificateRevocationListDer::from(o.der.clone()))
            .collect()
    }

    /// The registered `capath` directories.
    pub fn capaths(&self) -> Vec<PathBuf> {
        self.lock().capaths.clone()
    }

    /// Adds one DER certificate (as `X509_STORE_add_cert`). Returns false when the
    /// bytes are not a certificate.
    pub fn add_cert_der(&mut self, der: &[u8]) -> bool {
        match cert_obj(der.to_vec()) {
            Some(o) => {
                self.lock().add(o);
                true
            }
            None => false,
        }
    }

    /// `load_verify_locations(cafile=path)` (`X509_load_cert_crl_file`): every
    /// certificate and CRL of a PEM file, all or nothing. Errors: the `OSError`;
    /// `[X509] PEM lib` for a broken block; `[X509: NO_CERTIFICATE_OR_CRL_FOUND]`.
    pub fn load_cafile(&mut self, path: &Path) -> Result<()> {
        let data = read_file(path)?;
        let items = read_x509_info(&data).map_err(|_| x509_pem_lib())?;
        let objs: Vec<Obj> = items
            .into_iter()
            .filter_map(|i| match i {
                InfoItem::Cert(d) => cert_obj(d),
                InfoItem::Crl(d) => crl_obj(d),
            })
            .collect();
        if objs.is_empty() {
            return Err(Error::ssl(136, "X509", Reason::NoCertificateOrCrlFound));
        }
        let mut g = self.lock();
        for o in objs {
            g.add(o);
        }
        Ok(())
    }

    /// `load_verify_locations(cadata=str)`: PEM certificate blocks (CRLs, keys and
    /// other blocks skipped). Certificates before an error stay loaded, as in CPython.
    /// Errors: `TypeError` for non-ASCII text, `ValueError('Empty certificate data')`,
    /// `SSLError(0, 'no start line: cadata does not contain a certificate')` when
    /// nothing was loaded, else the PEM/ASN.1 error that stopped reading.
    pub fn load_cadata_text(&mut self, text: &str) -> Result<()> {
        if !text.is_ascii() {
            return Err(Error::TypeError(
                "cadata should be an ASCII string or a bytes-like object".into(),
            ));
        }
        if text.is_empty() {
            return Err(Error::value("Empty certificate data"));
        }
        let mut r = PemReader::new(text.as_bytes());
        let mut loaded = 0usize;
        loop {
            match read_pem_certificate(&mut r, CertLabels::Plain) {
                Ok(der) => {
                    if let Some(o) = cert_obj(der) {
                        self.lock().add(o);
                    }
                    loaded += 1;
                }
                Err(e) => {
                    return if loaded == 0 {
                        Err(cadata_empty_error(true))
                    } else if matches!(e, Ossl::NoStartLine | Ossl::NoData) {
                        Ok(())
                    } else {
                        Err(e.to_error())
                    };
                }
            }
        }
    }

    /// `load_verify_locations(cadata=bytes)`: concatenated DER certificates.
    /// Errors: `ValueError('Empty certificate data')`, `SSLError(0, 'not enough data:
    /// cadata does not contain a certificate')` when nothing was loaded, else the
    /// ASN.1 error that stopped reading (`NOT_ENOUGH_DATA`, `nested asn1 error`, ...);
    /// a header that cannot be parsed (`HEADER_TOO_LONG`) ends the data silently.
    pub fn load_cadata_bytes(&mut self, data: &[u8]) -> Result<()> {
        if data.is_empty() {
            return Err(Error::value("Empty certificate data"));
        }
        let mut pos = 0usize;
        let mut loaded = 0usize;
        loop {
            let rest = &data[pos..];
            let step: std::result::Result<Vec<u8>, Option<Ossl>> = match der_read_element(rest) {
                Ok(DerRead::Element(n)) => {
                    let der = &rest[..n];
                    pos += n;
                    check_certificate_der(der)
                        .map(|()| der.to_vec())
                        .map_err(Some)
                }
                Ok(DerRead::Eof) => Err(None),
                Err(e) => Err(Some(e)),
            };
            match step {
                Ok(der) => {
                    if let Some(o) = cert_obj(der) {
                        self.lock().add(o);
                    }
                    loaded += 1;
                }
                Err(e) => {
                    return if loaded == 0 {
                        Err(cadata_empty_error(false))
                    } else {
                        match e {
                            None | Some(Ossl::Asn1HeaderTooLong) => Ok(()),
                            Some(e) => Err(e.to_error()),
                        }
                    };
                }
            }
        }
    }

    /// `load_verify_locations(capath=dir)`: registers a hashed directory for lazy
    /// lookup. Never fails and loads nothing now (as OpenSSL).
    pub fn add_capath(&mut self, dir: &Path) {
        let mut g = self.lock();
        if !g.capaths.iter().any(|p| p == dir) {
            g.capaths.push(dir.to_path_buf());
        }
    }

    /// CPython's `load_verify_locations(cafile, capath, cadata)` after its type checks:
    /// `cadata` first, then `cafile`, then `capath`; an error in a later step leaves
    /// what earlier steps loaded (as CPython does).
    pub fn load_verify_locations(
        &mut self,
        cafile: Option<&Path>,
        capath: Option<&Path>,
        cadata: Option<&CaData>,
    ) -> Result<()> {
        if cafile.is_none() && capath.is_none() && cadata.is_none() {
            return Err(Error::TypeError(
                "cafile, capath and cadata cannot be all omitted".into(),
            ));
        }
        match cadata {
            Some(CaData::Text(t)) => self.load_cadata_text(t)?,
            Some(CaData::Bytes(b)) => self.load_cadata_bytes(b)?,
            None => {}
        }
        if let Some(f) = cafile {
            self.load_cafile(f)?;
        }
        if let Some(d) = capath {
            self.add_capath(d);
        }
        Ok(())
    }

    /// Loads `<dir>/<hash>.<n>` (or `.r<n>` for CRLs) files not loaded yet.
    fn load_hashed(&self, hash: u32, crl: bool) {
        let mut g = self.lock();
        let dirs = g.capaths.clone();
        for (di, dir) in dirs.iter().enumerate() {
            let start = g
                .loaded_suffix
                .iter()
                .find(|(d, h, c, _)| *d == di && *h == hash && *c == crl)
                .map(|e| e.3)
                .unwrap_or(0);
            let mut n = start;
            loop {
                let name = if crl {
                    format!("{hash:08x}.r{n}")
                } else {
                    format!("{hash:08x}.{n}")
                };
                let Ok(data) = std::fs::read(dir.join(name)) else {
                    break;
                };
                if crl {
                    if let Ok(items) = read_x509_info(&data) {
                        for i in items {
                            if let InfoItem::Crl(d) = i {
                                if let Some(o) = crl_obj(d) {
                                    g.add(o);
                                }
                            }
                        }
                    }
                } else {
                    // X509_load_cert_file: certificates until the first error.
                    let mut r = PemReader::new(&data);
                    while let Ok(der) = read_pem_certificate(&mut r, CertLabels::WithTrusted) {
                        if let Some(o) = cert_obj(der) {
                            g.add(o);
                        }
                    }
                }
                n += 1;
            }
            if n != start {
                g.loaded_suffix
                    .retain(|(d, h, c, _)| !(*d == di && *h == hash && *c == crl));
                g.loaded_suffix.push((di, hash, crl, n));
            }
        }
        g.sort();
    }

    /// Chain-building lookup of the certificates whose subject is `issuer_name_der`
    /// (a DER `Name`): the store's own certificates if it has any with that subject,
    /// else those found in the `capath` directories, which then stay in the store (and
    /// appear in [`stats`](Self::stats) and [`ca_certs_der`](Self::ca_certs_der)).
    pub fn lookup_capath(&self, issuer_name_der: &[u8]) -> Vec<CertificateDer<'static>> {
        self.lookup(issuer_name_der, Kind::Cert)
            .into_iter()
            .map(CertificateDer::from)
            .collect()
    }

    /// The CRLs issued by `issuer_name_der`, from the store or the `capath`
    /// directories (`<hash>.r<n>` files).
    pub fn lookup_capath_crls(
        &self,
        issuer_name_der: &[u8],
    ) -> Vec<CertificateRevocationListDer<'static>> {
        self.lookup(issuer_name_der, Kind::Crl)
            .into_iter()
            .map(CertificateRevocationListDer::from)
            .collect()
    }

    fn lookup(&self, name_der: &[u8], kind: Kind) -> Vec<Vec<u8>> {
        let canon = canonical_name(name_der);
        let find = |g: &Inner| -> Vec<Vec<u8>> {
            g.objs
                .iter()
                .filter(|o| o.kind == kind && o.name == canon)
                .map(|o| o.der.clone())
                .collect()
        };
        {
            let mut g = self.lock();
            g.sort();
            let found = find(&g);
            // OpenSSL always consults the directories for CRLs.
            if !found.is_empty() && kind == Kind::Cert {
                return found;
            }
            if g.capaths.is_empty() {
                return found;
            }
        }
        self.load_hashed(x509_name_hash(name_der), kind == Kind::Crl);
        find(&self.lock())
    }

    /// `set_default_verify_paths()` / `load_default_certs()`: loads `$SSL_CERT_FILE`
    /// (default `<OPENSSLDIR>/cert.pem`) and registers `$SSL_CERT_DIR` (default
    /// `<OPENSSLDIR>/certs`, `:`-separated) as lazy capaths. Missing or bad files are
    /// silently ignored, as in OpenSSL. When neither variable is set and the default
    /// file does not exist (an OS whose bundle lives elsewhere),
    /// `rustls-native-certs` finds the platform's certificates instead.
    #[doc(alias = "set_default_verify_paths")]
    pub fn load_system_roots(&mut self) {
        let paths = get_default_verify_paths();
        let env_file = std::env::var_os("SSL_CERT_FILE");
        let env_dir = std::env::var_os("SSL_CERT_DIR");
        let file = env_file
            .clone()
            .map(PathBuf::from)
            .unwrap_or_else(|| paths.openssl_cafile.clone());
        let dir = env_dir
            .clone()
            .map(PathBuf::from)
            .unwrap_or_else(|| paths.openssl_capath.clone());
        let file_ok = file.is_file();
        let _ = self.load_cafile(&file);
        for d in std::env::split_paths(&dir) {
            if !d.as_os_str().is_empty() {
                self.add_capath(&d);
            }
        }
        if env_file.is_none() && env_dir.is_none() && !file_ok {
            let found = rustls_native_certs::load_native_certs();
            for c in found.certs {
                self.add_cert_der(c.as_ref());
            }
        }
    }

    /// Adds the Mozilla roots (the `webpki-root-certs` crate: the same set as
    /// `webpki-roots`, as certificates) to the store, as loading that bundle with
    /// `load_verify_locations(cafile=...)` would: they are trusted by the verifier,
    /// counted by [`stats`](Self::stats) and listed by [`ca_certs_der`](Self::ca_certs_der).
    pub fn load_webpki_roots(&mut self) {
        for c in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
            self.add_cert_der(c.as_ref());
        }
    }
}
