//! Hands a verification failure from a verifier to the connection that ran it.
//!
//! rustls calls the verifier synchronously inside `process_new_packets`, on the
//! connection's thread, and reports only an alert-sized error. The connection opens a
//! capture around that call; the verifier notes its failure (code and message) into the
//! capture of the current thread. Verifier `Arc`s can so be shared by every connection
//! of a context, which session resumption requires (rustls checks `Arc::ptr_eq`).

use std::cell::RefCell;

use super::codes::VerifyFailure;

thread_local! {
    static CURRENT: RefCell<Option<Option<VerifyFailure>>> = const { RefCell::new(None) };
}

/// Runs `f` with a capture open; returns its result and the failure a verifier noted.
pub fn capture_failure<T>(f: impl FnOnce() -> T) -> (T, Option<VerifyFailure>) {
    let outer = CURRENT.with(|c| c.borrow_mut().replace(None));
    let out = f();
    let noted = CURRENT.with(|c| {
        let mut slot = c.borrow_mut();
        let noted = slot.take().flatten();
        *slot = outer;
        noted
    });
    (out, noted)
}

/// Called by the verifiers: records `failure` in the current thread's capture, if any.
pub(crate) fn note(failure: &VerifyFailure) {
    CURRENT.with(|c| {
        if let Some(slot) = c.borrow_mut().as_mut() {
            *slot = Some(failure.clone());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_only_inside_the_scope() {
        note(&VerifyFailure::new(20, None));
        let ((), got) = capture_failure(|| note(&VerifyFailure::new(18, None)));
        assert_eq!(got.map(|f| f.code), Some(18));
        let ((), none) = capture_failure(|| ());
        assert!(none.is_none());
    }
}
