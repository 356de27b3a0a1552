//! The peer certificates a verifier parsed most recently, kept parsed.
//!
//! A client that connects to the same server again and again is shown the same chain
//! every time (as is a server whose clients present the same certificate): each
//! certificate is parsed once, not at every handshake. A certificate is found by its
//! exact DER, so what is validated is always what the peer sent; only parsing is
//! skipped, never a check.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use rustls_pki_types::CertificateDer;

use super::cert::Cert;

/// How many parsed certificates a verifier keeps (a few servers' chains).
const CAPACITY: usize = 8;

/// Recently parsed peer certificates, newest first.
#[derive(Debug, Default)]
pub(crate) struct RecentCerts {
    certs: Mutex<VecDeque<Arc<Cert>>>,
}

impl RecentCerts {
    /// `der` parsed ([`Cert::parse`]), from the kept ones when it was seen lately;
    /// `None` where OpenSSL's `d2i_X509` would fail (such certificates are not kept).
    pub fn parse(&self, der: &CertificateDer<'_>) -> Option<Arc<Cert>> {
        let mut certs = self.certs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(at) = certs.iter().position(|c| c.der.as_ref() == der.as_ref()) {
            let cert = certs.remove(at)?;
            certs.push_front(Arc::clone(&cert));
            return Some(cert);
        }
        // Parsed unlocked: other connections of the context verify meanwhile.
        drop(certs);
        let cert = Arc::new(Cert::parse(der)?);
        let mut certs = self.certs.lock().unwrap_or_else(|p| p.into_inner());
        if !certs.iter().any(|c| c.der == cert.der) {
            certs.push_front(Arc::clone(&cert));
            certs.truncate(CAPACITY);
        }
        Some(cert)
    }

    /// How many certificates are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.certs.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use rustls_pki_types::pem::PemObject;

    /// A certificate of the conformance test PKI.
    fn test_cert(name: &str) -> CertificateDer<'static> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/conformance/certs/");
        CertificateDer::from_pem_file(format!("{dir}{name}")).unwrap()
    }

    #[test]
    fn a_certificate_seen_again_is_the_kept_one() {
        let recent = RecentCerts::default();
        let der = test_cert("pki/root-ec.pem");
        let first = recent.parse(&der).unwrap();
        let again = recent.parse(&der.clone().into_owned()).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(recent.len(), 1);
    }

    #[test]
    fn only_the_newest_are_kept_and_garbage_is_not() {
        let recent = RecentCerts::default();
        let der = test_cert("pki/root-ec.pem");
        assert!(recent
            .parse(&CertificateDer::from(vec![0x30, 0x00]))
            .is_none());
        assert_eq!(recent.len(), 0);
        let first = recent.parse(&der).unwrap();
        // Distinct DERs that parse: the same certificate with a changed signature byte.
        for i in 0..CAPACITY as u8 {
            let mut other = der.as_ref().to_vec();
            let last = other.len() - 1;
            other[last] ^= i + 1;
            assert!(recent.parse(&CertificateDer::from(other)).is_some());
        }
        assert_eq!(recent.len(), CAPACITY);
        let reparsed = recent.parse(&der).unwrap();
        assert!(!Arc::ptr_eq(&first, &reparsed), "the oldest was dropped");
    }
}
