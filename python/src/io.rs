//! The byte stream under `_wrap_socket`: the Python socket object itself, read and
//! written through the unbound `_socket.socket.recv` / `send` (`ssl.SSLSocket`
//! overrides `recv` / `send` to go through TLS, so a bound call would recurse).
//!
//! Python's socket code then gives what CPython's `_ssl` gets from its poll loop:
//! timeouts (`TimeoutError` → [`std::io::ErrorKind::TimedOut`], which the crate turns
//! into CPython's "The read operation timed out"), non-blocking mode
//! (`BlockingIOError` → `WouldBlock` → `SSLWantReadError` / `SSLWantWriteError`),
//! EINTR retries with signal handlers, and the GIL released while it waits. Any other
//! Python exception is kept here and raised again once the crate returns.
//!
//! The socket is held by a weak reference, as CPython's `_ssl` does, so that
//! `SSLSocket ↔ _sslobj` makes no cycle.

use pyo3::exceptions::{PyBlockingIOError, PyTimeoutError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyType, PyWeakrefReference};
use std::io;

static SOCKET_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `_socket.socket`, the type every `_wrap_socket` socket must be an instance of.
pub fn socket_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    Ok(SOCKET_TYPE
        .get_or_try_init(py, || -> PyResult<Py<PyType>> {
            Ok(py
                .import("_socket")?
                .getattr("socket")?
                .cast_into::<PyType>()?
                .unbind())
        })?
        .bind(py))
}

/// A Python socket as a `Read + Write` stream for the crate's `SslSocket`.
pub struct PyStream {
    sock: Py<PyWeakrefReference>,
    /// The Python exception of the last failed call, to raise instead of the crate's
    /// error.
    stashed: Option<PyErr>,
    /// The `_msg_callback` tracer, if the context had a callback.
    trace: Option<crate::msgtrace::MsgTrace>,
}

impl PyStream {
    /// A stream over `sock` (held weakly).
    pub fn new(
        sock: &Bound<'_, PyAny>,
        trace: Option<crate::msgtrace::MsgTrace>,
    ) -> PyResult<Self> {
        Ok(PyStream {
            sock: PyWeakrefReference::new(sock)?.unbind(),
            stashed: None,
            trace,
        })
    }

    /// Shows the garbage collector the Python objects this stream holds strongly.
    pub fn traverse(&self, visit: &pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        match &self.trace {
            Some(t) => t.traverse(visit),
            None => Ok(()),
        }
    }

    /// The `_msg_callback` calls the last operation owes.
    pub fn take_trace_calls(&mut self, py: Python<'_>) -> Option<crate::msgtrace::Calls> {
        self.trace.as_mut().and_then(|t| t.take(py))
    }

    /// The socket, if it is still alive.
    pub fn socket<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        self.sock.bind(py).upgrade()
    }

    /// The Python exception that made the last read or write fail, if any.
    pub fn take_error(&mut self) -> Option<PyErr> {
        self.stashed.take()
    }

    /// The live socket, or CPython's error for a collected or closed one.
    pub fn check<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let Some(sock) = self.socket(py) else {
            return Err(crate::errors::ssl_error_msg(
                py,
                "Underlying socket connection gone",
            ));
        };
        let fd: i64 = socket_type(py)?
            .getattr("fileno")?
            .call1((&sock,))?
            .extract()?;
        if fd < 0 {
            return Err(crate::errors::ssl_error_msg(
                py,
                "Underlying socket has been closed.",
            ));
        }
        Ok(sock)
    }

    fn call(
        &mut self,
        method: &str,
        arg: impl FnOnce(Python<'_>) -> Py<PyAny>,
    ) -> io::Result<Py<PyAny>> {
        Python::attach(|py| {
            let result = self.check(py).and_then(|sock| {
                socket_type(py)?
                    .getattr(method)?
                    .call1((sock, arg(py)))
                    .map(Bound::unbind)
            });
            result.map_err(|e| {
                if e.is_instance_of::<PyTimeoutError>(py) {
                    io::Error::new(io::ErrorKind::TimedOut, "timed out")
                } else if e.is_instance_of::<PyBlockingIOError>(py) {
                    io::ErrorKind::WouldBlock.into()
                } else {
                    self.stashed = Some(e);
                    io::Error::other("Python exception")
                }
            })
        })
    }
}

impl io::Read for PyStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len();
        let data = self.call("recv", |py| {
            n.into_pyobject(py).expect("int").into_any().unbind()
        })?;
        Python::attach(|py| {
            let data = data.bind(py);
            let bytes = data
                .cast::<PyBytes>()
                .map_err(|_| io::Error::other("recv() returned no bytes"))?
                .as_bytes();
            let n = bytes.len().min(buf.len());
            buf[..n].copy_from_slice(&bytes[..n]);
            if let Some(t) = self.trace.as_mut() {
                t.feed(false, &buf[..n]);
            }
            Ok(n)
        })
    }
}

impl io::Write for PyStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let sent = self.call("send", |py| PyBytes::new(py, buf).into_any().unbind())?;
        Python::attach(|py| {
            let n = sent
                .bind(py)
                .extract::<usize>()
                .map_err(|_| io::Error::other("send() returned no count"))?;
            if let Some(t) = self.trace.as_mut() {
                t.feed(true, &buf[..n.min(buf.len())]);
            }
            Ok(n)
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// No socket options through the crate: Python's socket keeps its own timeout and
/// blocking mode, and reports an expiry as `TimeoutError` (`TimedOut` here).
impl sslcontext::Socket for PyStream {}
