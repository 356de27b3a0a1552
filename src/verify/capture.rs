//! Hands a verification failure from a verifier to the connection that ran it.
//!
//! rustls calls the verifier synchronously inside `process_new_packets`, on the
//! connection's thread, and chooses the alert it sends from the `CertificateError`
//! variant alone. So the verifier returns the variant whose alert is OpenSSL's for the
//! code, and notes the exact failure (code and message) into the capture the connection
//! opened around that call. Verifier `Arc`s can so be shared by every connection of a
//! context, which session resumption requires (rustls checks `Arc::ptr_eq`).
//!
//! A [`Capture`] is a guard: it restores the previous state when dropped, unwinding
//! included, so a panic inside a capture (PyO3 catches panics at every boundary; thread
//! pools reuse threads) never leaves a stale capture open on the thread.
//!
//! Where no capture is open — rustls driven outside the crate through
//! `SslContext::client_config()` / `server_config()` — [`note`] says so, and the
//! verifier puts the failure itself into the error instead
//! (`CertificateError::Other`, so the caller keeps the OpenSSL code and message; the
//! alert is then rustls's `certificate_unknown` / `bad_certificate`).

use std::cell::RefCell;

use rustls_pki_types::CertificateDer;

use super::codes::VerifyFailure;

/// What the verifiers noted while a capture was open.
#[derive(Debug, Default)]
pub(crate) struct Noted {
    /// The failure, if verification failed.
    pub failure: Option<VerifyFailure>,
    /// The verified chain (leaf first, trust anchor last), if verification succeeded.
    pub verified: Option<Vec<CertificateDer<'static>>>,
}

/// The capture state of a thread.
#[derive(Debug, Default)]
enum Slot {
    /// No connection of this crate is inside rustls on this thread.
    #[default]
    Closed,
    /// A connection is; what a verifier noted so far.
    Open(Noted),
}

thread_local! {
    static CURRENT: RefCell<Slot> = const { RefCell::new(Slot::Closed) };
}

/// An open capture; dropping it (or [`Capture::finish`]) restores the previous state.
#[derive(Debug)]
#[must_use = "a capture collects failures only while it is alive"]
pub(crate) struct Capture {
    outer: Option<Slot>,
}

impl Capture {
    /// Opens a capture on this thread (nesting keeps the outer one for later).
    pub(crate) fn open() -> Capture {
        let outer = CURRENT.with(|c| c.replace(Slot::Open(Noted::default())));
        Capture { outer: Some(outer) }
    }

    /// Closes the capture; returns what the verifiers noted while it was open.
    pub(crate) fn finish(mut self) -> Noted {
        self.restore()
    }

    fn restore(&mut self) -> Noted {
        let Some(outer) = self.outer.take() else {
            return Noted::default();
        };
        match CURRENT.with(|c| c.replace(outer)) {
            Slot::Open(noted) => noted,
            Slot::Closed => Noted::default(),
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Runs `f` with a capture open; returns its result and what the verifiers noted.
pub(crate) fn capture<T>(f: impl FnOnce() -> T) -> (T, Noted) {
    let capture = Capture::open();
    let out = f();
    (out, capture.finish())
}

/// [`capture`], keeping only the failure.
#[cfg(test)]
pub(crate) fn capture_failure<T>(f: impl FnOnce() -> T) -> (T, Option<VerifyFailure>) {
    let (out, noted) = capture(f);
    (out, noted.failure)
}

/// Called by the verifiers: records `failure` in this thread's open capture. Returns
/// false when no capture is open (rustls driven outside the crate).
pub(crate) fn note(failure: &VerifyFailure) -> bool {
    CURRENT.with(|c| match &mut *c.borrow_mut() {
        Slot::Open(noted) => {
            noted.failure = Some(failure.clone());
            true
        }
        Slot::Closed => false,
    })
}

/// Called by the verifiers on success: records the verified chain in this thread's
/// open capture (nothing happens when none is open).
pub(crate) fn note_verified(chain: Vec<CertificateDer<'static>>) {
    CURRENT.with(|c| {
        if let Slot::Open(noted) = &mut *c.borrow_mut() {
            noted.verified = Some(chain);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_only_inside_the_scope() {
        assert!(!note(&VerifyFailure::new(20, None)));
        let (noted, got) = capture_failure(|| note(&VerifyFailure::new(18, None)));
        assert!(noted);
        assert_eq!(got.map(|f| f.code), Some(18));
        let ((), none) = capture_failure(|| ());
        assert!(none.is_none());
    }

    #[test]
    fn nested_captures_keep_the_outer_one() {
        let ((), outer) = capture_failure(|| {
            note(&VerifyFailure::new(10, None));
            let ((), inner) = capture_failure(|| {
                note(&VerifyFailure::new(20, None));
            });
            assert_eq!(inner.map(|f| f.code), Some(20));
        });
        assert_eq!(outer.map(|f| f.code), Some(10));
    }

    #[test]
    fn a_verified_chain_is_noted_inside_the_scope_only() {
        note_verified(vec![CertificateDer::from(vec![1u8])]);
        let ((), noted) = capture(|| note_verified(vec![CertificateDer::from(vec![2u8])]));
        assert_eq!(noted.verified.unwrap()[0].as_ref(), &[2u8]);
        assert!(noted.failure.is_none());
        let ((), noted) = capture(|| ());
        assert!(noted.verified.is_none());
    }

    #[test]
    fn a_panic_inside_a_capture_closes_it() {
        let r = std::panic::catch_unwind(|| {
            let _capture = Capture::open();
            panic!("inside");
        });
        assert!(r.is_err());
        assert!(!note(&VerifyFailure::new(20, None)), "capture left open");
    }
}
