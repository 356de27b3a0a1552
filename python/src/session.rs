//! `_ssl.SSLSession`: a TLS session a connection can resume (made by connections
//! only; `SSLSession()` itself raises `TypeError`, as in CPython).

use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::PyBytes;
use sslcontext::SslSession;

/// `_ssl.SSLSession`.
#[pyclass(name = "SSLSession", module = "_ssl", frozen, immutable_type)]
pub struct PySslSession {
    session: SslSession,
}

impl PySslSession {
    /// A new wrapper (CPython makes a new one per `SSLSocket.session` access).
    pub fn new(session: SslSession) -> Self {
        PySslSession { session }
    }

    /// The crate's session.
    pub fn session(&self) -> &SslSession {
        &self.session
    }
}

#[pymethods]
impl PySslSession {
    /// Session id.
    #[getter]
    fn id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.session.id())
    }

    /// Session creation time (seconds since epoch).
    #[getter]
    fn time(&self) -> u64 {
        self.session.time()
    }

    /// Session timeout (delta in seconds).
    #[getter]
    fn timeout(&self) -> u64 {
        self.session.timeout()
    }

    /// Ticket life time hint.
    #[getter]
    fn ticket_lifetime_hint(&self) -> u32 {
        self.session.ticket_lifetime_hint()
    }

    /// Does the session contain a ticket?
    #[getter]
    fn has_ticket(&self) -> bool {
        self.session.has_ticket()
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<PySslSession>() else {
            return Ok(py.NotImplemented());
        };
        let equal = other.get().session == self.session;
        let out = match op {
            CompareOp::Eq => equal,
            CompareOp::Ne => !equal,
            _ => return Ok(py.NotImplemented()),
        };
        Ok(out.into_pyobject(py)?.to_owned().into_any().unbind())
    }
}
