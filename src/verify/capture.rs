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

use super::codes::VerifyFailure;

/// The capture state of a thread.
#[derive(Debug, Default)]
enum Slot {
    /// No connection of this crate is inside rustls on this thread.
    #[default]
    Closed,
    /// A connection is; the failure a verifier noted, if any.
    Open(Option<VerifyFailure>),
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
        let outer = CURRENT.with(|c| c.replace(Slot::Open(None)));
        Capture { outer: Some(outer) }
    }

    /// Closes the capture; returns the failure a verifier noted while it was open.
    pub(crate) fn finish(mut self) -> Option<VerifyFailure> {
        self.restore()
    }

    fn restore(&mut self) -> Option<VerifyFailure> {
        let outer = self.outer.take()?;
        match CURRENT.with(|c| c.replace(outer)) {
            Slot::Open(noted) => noted,
            Slot::Closed => None,
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Runs `f` with a capture open; returns its result and the failure a verifier noted.
pub(crate) fn capture_failure<T>(f: impl FnOnce() -> T) -> (T, Option<VerifyFailure>) {
    let capture = Capture::open();
    let out = f();
    (out, capture.finish())
}

/// Called by the verifiers: records `failure` in this thread's open capture. Returns
/// false when no capture is open (rustls driven outside the crate).
pub(crate) fn note(failure: &VerifyFailure) -> bool {
    CURRENT.with(|c| match &mut *c.borrow_mut() {
        Slot::Open(slot) => {
            *slot = Some(failure.clone());
            true
        }
        Slot::Closed => false,
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
    fn a_panic_inside_a_capture_closes_it() {
        let r = std::panic::catch_unwind(|| {
            let _capture = Capture::open();
            panic!("inside");
        });
        assert!(r.is_err());
        assert!(!note(&VerifyFailure::new(20, None)), "capture left open");
    }
}
