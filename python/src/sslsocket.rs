//! `_ssl._SSLSocket`: the connection object behind both `ssl.SSLObject`
//! (`_SSLContext._wrap_bio`, over two `MemoryBIO`s) and `ssl.SSLSocket`
//! (`_SSLContext._wrap_socket`, over the Python socket itself, see [`crate::io`]).
//!
//! The connection sits in a `Mutex` inside a frozen class; the lock is waited for
//! with the GIL released (no GIL / mutex inversion with the threads test_ssl's servers
//! run in). `context`, `owner`, `server_side` and `server_hostname` live outside it,
//! so an SNI callback (run while the connection is locked, on the same thread) can
//! read them and assign `context`: that assignment is kept aside and applied by the
//! SNI hook once the callback returns.

use crate::context::PySslContext;
use crate::errors::to_py;
use crate::io::PyStream;
use crate::msgtrace::{BioTrace, MsgTrace};
use crate::session::PySslSession;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyMemoryView, PySlice, PyString, PyTuple, PyWeakrefReference};
use pyo3::{PyTraverseError, PyVisit};
use sslcontext::{PeerCertificate, SslObject, SslSocket, WrapOptions};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};

/// The connection: over memory BIOs or over a Python socket.
enum Conn {
    Bio(SslObject),
    Sock(Box<SslSocket<PyStream>>),
}

impl Conn {
    fn obj(&self) -> &SslObject {
        match self {
            Conn::Bio(o) => o,
            Conn::Sock(s) => s.sslobj(),
        }
    }

    fn obj_mut(&mut self) -> &mut SslObject {
        match self {
            Conn::Bio(o) => o,
            Conn::Sock(s) => s.sslobj_mut(),
        }
    }
}

/// `_ssl._SSLSocket`.
#[pyclass(name = "_SSLSocket", module = "_ssl", frozen, weakref, immutable_type)]
pub struct PySslSocket {
    conn: Mutex<Conn>,
    context: Mutex<Py<PySslContext>>,
    owner: Mutex<Option<Py<PyWeakrefReference>>>,
    server_side: bool,
    server_hostname: Option<String>,
    /// This connection's SNI callback is running (on the thread holding `conn`).
    in_sni: AtomicBool,
    /// `context = ...` assigned by the SNI callback, for the hook to apply.
    pending_context: Mutex<Option<Py<PySslContext>>>,
    /// The `_msg_callback` tracer of a connection over memory BIOs.
    bio_trace: Mutex<Option<BioTrace>>,
}

thread_local! {
    /// The connections this thread is driving (innermost last): the SNI hook finds the
    /// `ssl_object` argument of the Python callback here.
    static CURRENT: RefCell<Vec<Py<PySslSocket>>> = const { RefCell::new(Vec::new()) };
}

struct Current;

impl Current {
    fn enter(obj: Py<PySslSocket>) -> Current {
        CURRENT.with(|c| c.borrow_mut().push(obj));
        Current
    }
}

impl Drop for Current {
    fn drop(&mut self) {
        CURRENT.with(|c| c.borrow_mut().pop());
    }
}

/// The connection this thread is driving, if any.
pub fn current(py: Python<'_>) -> Option<Py<PySslSocket>> {
    CURRENT.with(|c| c.borrow().last().map(|o| o.clone_ref(py)))
}

/// Locks `m`, waiting with the GIL released.
fn lock<'a, T: Send>(py: Python<'_>, m: &'a Mutex<T>) -> MutexGuard<'a, T> {
    loop {
        match m.try_lock() {
            Ok(g) => return g,
            Err(TryLockError::Poisoned(p)) => return p.into_inner(),
            Err(TryLockError::WouldBlock) => py.detach(|| drop(m.lock())),
        }
    }
}

/// A short lock on a slot that is never held across a call into Python.
fn slot<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// `server_hostname` as CPython's `_ssl` takes it: `str.encode('idna')`, no NUL.
fn hostname_arg(hostname: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    let Some(h) = hostname.filter(|h| !h.is_none()) else {
        return Ok(None);
    };
    let encoded = if h.is_instance_of::<PyString>() {
        h.call_method1("encode", ("idna",))?
    } else {
        h.clone()
    };
    let bytes = crate::paths::buffer_bytes(&encoded).map_err(|_| {
        PyTypeError::new_err(format!(
            "server_hostname must be str, not {}",
            h.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    if bytes.contains(&0) {
        return Err(PyTypeError::new_err(
            "argument must be encoded string without null bytes, not str",
        ));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| PyValueError::new_err("server_hostname is not ASCII"))
}

fn session_arg(session: Option<&Bound<'_, PyAny>>) -> PyResult<Option<sslcontext::SslSession>> {
    match session.filter(|s| !s.is_none()) {
        None => Ok(None),
        Some(s) => match s.cast::<PySslSession>() {
            Ok(s) => Ok(Some(s.get().session().clone())),
            Err(_) => Err(PyTypeError::new_err("Value is not a SSLSession.")),
        },
    }
}

fn weak_owner(owner: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Py<PyWeakrefReference>>> {
    owner
        .filter(|o| !o.is_none())
        .map(|o| PyWeakrefReference::new(o).map(Bound::unbind))
        .transpose()
}

/// The arguments `_wrap_bio` and `_wrap_socket` share.
pub struct WrapArgs<'a, 'py> {
    pub server_side: bool,
    pub server_hostname: Option<&'a Bound<'py, PyAny>>,
    pub owner: Option<&'a Bound<'py, PyAny>>,
    pub session: Option<&'a Bound<'py, PyAny>>,
}

impl WrapArgs<'_, '_> {
    fn options(&self) -> PyResult<(WrapOptions, Option<String>)> {
        let hostname = hostname_arg(self.server_hostname)?;
        let options = WrapOptions {
            server_side: self.server_side,
            server_hostname: hostname.clone(),
            do_handshake_on_connect: false,
            suppress_ragged_eofs: false,
            session: session_arg(self.session)?,
        };
        Ok((options, hostname))
    }
}

fn new_object(
    context: &Bound<'_, PySslContext>,
    conn: Conn,
    args: &WrapArgs<'_, '_>,
    hostname: Option<String>,
    bio_trace: Option<BioTrace>,
) -> PyResult<PySslSocket> {
    Ok(PySslSocket {
        conn: Mutex::new(conn),
        context: Mutex::new(context.clone().unbind()),
        owner: Mutex::new(weak_owner(args.owner)?),
        server_side: args.server_side,
        server_hostname: hostname,
        in_sni: AtomicBool::new(false),
        pending_context: Mutex::new(None),
        bio_trace: Mutex::new(bio_trace),
    })
}

/// The context's `_msg_callback` as a tracer of this connection, if one is set.
fn msg_trace(
    context: &Bound<'_, PySslContext>,
    args: &WrapArgs<'_, '_>,
) -> PyResult<Option<MsgTrace>> {
    context
        .borrow()
        .msg_callback_object(context.py())
        .map(|cb| Ok(MsgTrace::new(cb, weak_owner(args.owner)?)))
        .transpose()
}

/// `_SSLContext._wrap_bio(incoming, outgoing, server_side, server_hostname, *, owner,
/// session)`.
pub fn wrap_bio(
    context: &Bound<'_, PySslContext>,
    incoming: &Bound<'_, crate::bio::PyMemoryBio>,
    outgoing: &Bound<'_, crate::bio::PyMemoryBio>,
    args: WrapArgs<'_, '_>,
) -> PyResult<PySslSocket> {
    let py = context.py();
    let (options, hostname) = args.options()?;
    let obj = context
        .borrow()
        .ctx
        .wrap_bio(&incoming.get().bio, &outgoing.get().bio, options)
        .map_err(|e| to_py(py, e))?;
    let trace = msg_trace(context, &args)?
        .map(|t| BioTrace::new(t, incoming.get().bio.clone(), outgoing.get().bio.clone()));
    new_object(context, Conn::Bio(obj), &args, hostname, trace)
}

/// `_SSLContext._wrap_socket(sock, server_side, server_hostname, *, owner, session)`.
pub fn wrap_socket(
    context: &Bound<'_, PySslContext>,
    sock: &Bound<'_, PyAny>,
    args: WrapArgs<'_, '_>,
) -> PyResult<PySslSocket> {
    let py = context.py();
    if !sock.is_instance(crate::io::socket_type(py)?)? {
        return Err(PyTypeError::new_err(format!(
            "_wrap_socket() argument 'sock' must be _socket.socket, not {}",
            sock.get_type().name()?
        )));
    }
    let (options, hostname) = args.options()?;
    let stream = PyStream::new(sock, msg_trace(context, &args)?)?;
    let s = context
        .borrow()
        .ctx
        .wrap_socket(stream, options)
        .map_err(|e| to_py(py, e))?;
    new_object(context, Conn::Sock(Box::new(s)), &args, hostname, None)
}

impl PySslSocket {
    /// Locks the connection; inside this connection's own SNI callback (which runs
    /// while the handshake holds it) an error instead of a deadlock.
    fn conn(&self, py: Python<'_>) -> PyResult<MutexGuard<'_, Conn>> {
        if self.in_sni.load(Ordering::Acquire) {
            return match self.conn.try_lock() {
                Ok(g) => Ok(g),
                Err(TryLockError::Poisoned(p)) => Ok(p.into_inner()),
                Err(TryLockError::WouldBlock) => Err(PyValueError::new_err(
                    "the connection is in its handshake (called from its sni_callback)",
                )),
            };
        }
        Ok(lock(py, &self.conn))
    }

    /// Runs an operation that may move bytes (and reach the SNI callback): the socket
    /// is checked first, and a Python exception from the socket wins over the crate's
    /// error.
    fn run<T>(
        slf: &Bound<'_, Self>,
        f: impl FnOnce(&mut Conn) -> sslcontext::Result<T>,
    ) -> PyResult<T> {
        let py = slf.py();
        let this = slf.get();
        let _current = Current::enter(slf.clone().unbind());
        let mut conn = this.conn(py)?;
        if let Conn::Sock(s) = &*conn {
            s.get_ref().check(py)?;
        }
        // A BIO connection is traced around the operation; an operation a callback
        // starts on this connection is traced as its own.
        let before = slot(&this.bio_trace).as_ref().map(BioTrace::before);
        let result = f(&mut conn);
        let (stashed, calls) = match &mut *conn {
            Conn::Sock(s) => (s.get_mut().take_error(), s.get_mut().take_trace_calls(py)),
            Conn::Bio(_) => (None, None),
        };
        let calls = match before {
            Some(before) => slot(&this.bio_trace).as_mut().and_then(|t| {
                let moved = t.moved(before);
                t.calls(py, &moved)
            }),
            None => calls,
        };
        drop(conn);
        // The calls are made with the connection unlocked, so that a callback may use
        // its connection.
        let callback_error = calls.and_then(|c| c.make(py));
        // A `_msg_callback` exception is raised once the operation is over, as CPython
        // does.
        if let Some(e) = callback_error {
            return Err(e);
        }
        result.map_err(|e| stashed.unwrap_or_else(|| to_py(py, e)))
    }

    /// The object an SNI callback gets as `ssl_object`: the owner (`ssl.SSLSocket` /
    /// `ssl.SSLObject`) if alive, else this object.
    pub fn callback_object<'py>(slf: &Bound<'py, Self>) -> Bound<'py, PyAny> {
        let py = slf.py();
        let owner = slot(&slf.get().owner).as_ref().map(|w| w.clone_ref(py));
        owner
            .and_then(|w| w.bind(py).upgrade())
            .unwrap_or_else(|| slf.clone().into_any())
    }

    /// Marks the start / end of this connection's SNI callback.
    pub fn set_in_sni(&self, on: bool) {
        self.in_sni.store(on, Ordering::Release);
    }

    /// The context the SNI callback assigned, if it did.
    pub fn take_pending_context(&self) -> Option<Py<PySslContext>> {
        slot(&self.pending_context).take()
    }
}

fn cipher_tuple<'py>(
    py: Python<'py>,
    c: (String, &'static str, u16),
) -> PyResult<Bound<'py, PyTuple>> {
    (c.0, c.1, c.2).into_pyobject(py)
}

#[pymethods]
impl PySslSocket {
    /// Shows the garbage collector the Python objects held strongly: the context (an
    /// `sni_callback` that refers back to the connection makes a cycle), the context an
    /// SNI callback assigned, and the `_msg_callback`. A part that another thread holds
    /// locked is skipped, which only keeps its objects alive a while longer.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Ok(context) = self.context.try_lock() {
            visit.call(&*context)?;
        }
        if let Ok(pending) = self.pending_context.try_lock() {
            if let Some(p) = pending.as_ref() {
                visit.call(p)?;
            }
        }
        if let Ok(trace) = self.bio_trace.try_lock() {
            if let Some(t) = trace.as_ref() {
                t.traverse(&visit)?;
            }
        }
        if let Ok(conn) = self.conn.try_lock() {
            if let Conn::Sock(s) = &*conn {
                s.get_ref().traverse(&visit)?;
            }
        }
        Ok(())
    }

    /// Drops what the collector may drop to break a cycle (the context stays: the
    /// connection cannot work without one; clearing the context's own callbacks
    /// breaks the cycles through it).
    fn __clear__(&self) {
        if let Ok(mut pending) = self.pending_context.try_lock() {
            pending.take();
        }
        if let Ok(mut trace) = self.bio_trace.try_lock() {
            trace.take();
        }
    }

    /// `do_handshake()`.
    fn do_handshake(slf: &Bound<'_, Self>) -> PyResult<()> {
        Self::run(slf, |c| match c {
            Conn::Bio(o) => o.do_handshake(),
            Conn::Sock(s) => s.do_handshake(),
        })
    }

    /// `read(size, [buffer])`: bytes, or the count read into `buffer`.
    #[pyo3(signature = (size, buffer = None, /))]
    fn read(
        slf: &Bound<'_, Self>,
        size: isize,
        buffer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let read = |buf: &mut [u8]| {
            Self::run(slf, |c| match c {
                Conn::Bio(o) => o.read_into(buf),
                Conn::Sock(s) => s.recv_into(buf),
            })
        };
        match buffer.filter(|b| !b.is_none()) {
            Some(buffer) => {
                let view = PyMemoryView::from(buffer)?.call_method1("cast", ("B",))?;
                let cap = view.len()?;
                let want = if size <= 0 || size as usize > cap {
                    cap
                } else {
                    size as usize
                };
                let mut tmp = vec![0u8; want];
                let n = read(&mut tmp)?;
                view.set_item(
                    PySlice::new(py, 0, n as isize, 1),
                    PyBytes::new(py, &tmp[..n]),
                )?;
                Ok(n.into_pyobject(py)?.into_any().unbind())
            }
            None => {
                if size < 0 {
                    return Err(PyValueError::new_err("size should not be negative"));
                }
                let mut tmp = vec![0u8; size as usize];
                let n = read(&mut tmp)?;
                Ok(PyBytes::new(py, &tmp[..n]).into_any().unbind())
            }
        }
    }

    /// `write(data)`: the number of bytes written.
    fn write(slf: &Bound<'_, Self>, data: &Bound<'_, PyAny>) -> PyResult<usize> {
        let data = crate::paths::buffer_bytes(data)?;
        Self::run(slf, |c| match c {
            Conn::Bio(o) => o.write(&data),
            Conn::Sock(s) => s.send(&data),
        })
    }

    /// `pending()`: decrypted bytes ready to read.
    fn pending(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(match &mut *self.conn(py)? {
            Conn::Bio(o) => o.pending(),
            Conn::Sock(s) => s.pending(),
        })
    }

    /// `shutdown()`: the TLS shutdown; returns the socket (`None` over BIOs).
    fn shutdown(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        Self::run(slf, |c| match c {
            Conn::Bio(o) => o.unwrap(),
            Conn::Sock(s) => s.shutdown(),
        })?;
        let conn = slf.get().conn(py)?;
        Ok(match &*conn {
            Conn::Sock(s) => s
                .get_ref()
                .socket(py)
                .map(Bound::unbind)
                .unwrap_or_else(|| py.None()),
            Conn::Bio(_) => py.None(),
        })
    }

    /// `getpeercert(der=False, /)`.
    #[pyo3(signature = (der = false, /))]
    fn getpeercert(&self, py: Python<'_>, der: bool) -> PyResult<Py<PyAny>> {
        let conn = self.conn(py)?;
        let obj = conn.obj();
        if der {
            return Ok(match obj.getpeercert_der().map_err(|e| to_py(py, e))? {
                Some(d) => PyBytes::new(py, &d).into_any().unbind(),
                None => py.None(),
            });
        }
        Ok(match obj.getpeercert().map_err(|e| to_py(py, e))? {
            Some(PeerCertificate::Decoded(info)) => {
                crate::certs::cert_dict(py, &info)?.into_any().unbind()
            }
            Some(PeerCertificate::NotVerified) => pyo3::types::PyDict::new(py).into_any().unbind(),
            None => py.None(),
        })
    }

    /// `get_verified_chain()`: the chain verification built, leaf first (`None` if
    /// nothing was verified).
    fn get_verified_chain<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let chain = self.conn(py)?.obj().verified_chain_der();
        chain.map(|c| certificates(py, c)).transpose()
    }

    /// `get_unverified_chain()`: the certificates the peer sent.
    fn get_unverified_chain<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let chain = self.conn(py)?.obj().peer_chain_der();
        chain.map(|c| certificates(py, c)).transpose()
    }

    /// `cipher()`: `(name, protocol, secret_bits)` or `None`.
    fn cipher<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let c = self.conn(py)?.obj().cipher();
        c.map(|c| cipher_tuple(py, c)).transpose()
    }

    /// `shared_ciphers()`: the ciphers both sides offered, or `None`.
    fn shared_ciphers<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let Some(list) = self.conn(py)?.obj().shared_ciphers() else {
            return Ok(None);
        };
        let out = PyList::empty(py);
        for c in list {
            out.append(cipher_tuple(py, c)?)?;
        }
        Ok(Some(out))
    }

    /// `version()`: `'TLSv1.3'`, ... or `None` before the handshake.
    fn version(&self, py: Python<'_>) -> PyResult<Option<&'static str>> {
        Ok(self.conn(py)?.obj().version())
    }

    /// `selected_alpn_protocol()`.
    fn selected_alpn_protocol(&self, py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.conn(py)?.obj().selected_alpn_protocol())
    }

    /// `compression()`: always `None` (no TLS compression).
    fn compression(&self, py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.conn(py)?.obj().compression())
    }

    /// `get_channel_binding(cb_type='tls-unique')`.
    #[pyo3(signature = (cb_type = "tls-unique"))]
    fn get_channel_binding<'py>(
        &self,
        py: Python<'py>,
        cb_type: &str,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let conn = self.conn(py)?;
        // `None` before the handshake (no Finished message yet), as CPython.
        let cb = conn
            .obj()
            .get_channel_binding(cb_type)
            .map_err(|e| to_py(py, e))?;
        Ok(cb.map(|b| PyBytes::new(py, &b)))
    }

    /// `verify_client_post_handshake()`.
    fn verify_client_post_handshake(&self, py: Python<'_>) -> PyResult<()> {
        self.conn(py)?
            .obj()
            .verify_client_post_handshake()
            .map_err(|e| to_py(py, e))
    }

    /// The `_SSLContext` the connection uses.
    #[getter]
    fn context(&self, py: Python<'_>) -> Py<PySslContext> {
        slot(&self.context).clone_ref(py)
    }

    #[setter]
    fn set_context(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = value.py();
        let ctx = value
            .cast::<PySslContext>()
            .map_err(|_| PyTypeError::new_err("The value must be a SSLContext"))?;
        if self.in_sni.load(Ordering::Acquire) {
            *slot(&self.pending_context) = Some(ctx.clone().unbind());
        } else {
            let new = ctx.borrow().ctx.clone();
            self.conn(py)?.obj_mut().set_context(&new);
        }
        *slot(&self.context) = ctx.clone().unbind();
        Ok(())
    }

    /// The `SSLSession` of this (client) connection, or `None`.
    #[getter]
    fn session(&self, py: Python<'_>) -> PyResult<Option<PySslSession>> {
        Ok(self.conn(py)?.obj().session().map(PySslSession::new))
    }

    #[setter]
    fn set_session(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = value.py();
        let session = value
            .cast::<PySslSession>()
            .map_err(|_| PyTypeError::new_err("Value is not a SSLSession."))?
            .get()
            .session()
            .clone();
        self.conn(py)?
            .obj_mut()
            .set_session(session)
            .map_err(|e| to_py(py, e))
    }

    /// Was the client session reused during the handshake?
    #[getter]
    fn session_reused(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(self.conn(py)?.obj().session_reused())
    }

    /// Whether this is a server-side connection.
    #[getter]
    fn server_side(&self) -> bool {
        self.server_side
    }

    /// The server name given (IDNA A-label), or `None`.
    #[getter]
    fn server_hostname(&self) -> Option<String> {
        self.server_hostname.clone()
    }

    /// The `ssl.SSLSocket` / `ssl.SSLObject` this belongs to (held weakly), or `None`.
    #[getter]
    fn owner(&self, py: Python<'_>) -> Py<PyAny> {
        let owner = slot(&self.owner).as_ref().map(|w| w.clone_ref(py));
        owner
            .and_then(|w| w.bind(py).upgrade())
            .map(Bound::unbind)
            .unwrap_or_else(|| py.None())
    }

    #[setter]
    fn set_owner(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        *slot(&self.owner) = weak_owner(Some(value))?;
        Ok(())
    }
}

fn certificates(py: Python<'_>, chain: Vec<Vec<u8>>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for der in chain {
        out.append(Bound::new(py, crate::certs::Certificate::new(der))?)?;
    }
    Ok(out)
}
