//! `_ssl._SSLContext`: the crate's [`SslContext`] with CPython's argument conversion,
//! errors and deprecation warnings. ssl.py's `SSLContext` subclasses it.
//!
//! The Python callables a context holds (`sni_callback`, `_msg_callback`) are kept
//! here, visible to the garbage collector (`__traverse__` / `__clear__`), so a cycle
//! through them (a callback that refers to its context) is collected. The closure
//! registered with the crate for SNI holds only a weak reference to this object.

use crate::errors::to_py;
use crate::paths::{buffer_bytes, fs_path, fs_path_arg};
use pyo3::exceptions::{PyDeprecationWarning, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyInt, PyList, PyString, PyWeakrefReference};
use pyo3::{PyTraverseError, PyVisit};
use sslcontext::{
    CaData, CallbackError, Options, Password, PasswordValue, Protocol, SniCallback, SslContext,
    TlsVersion, VerifyFlags, VerifyMode,
};
use std::sync::Arc;

/// `_ssl._SSLContext(protocol)`.
#[pyclass(
    name = "_SSLContext",
    module = "_ssl",
    subclass,
    weakref,
    immutable_type
)]
pub struct PySslContext {
    /// The crate's context.
    pub ctx: SslContext,
    sni_callback: Option<Py<PyAny>>,
    msg_callback: Option<Py<PyAny>>,
    keylog_filename: Option<Py<PyAny>>,
}

fn warn_deprecated(py: Python<'_>, message: &str, stacklevel: i32) -> PyResult<()> {
    let message = std::ffi::CString::new(message).expect("no NUL in warning texts");
    PyErr::warn(
        py,
        &py.get_type::<PyDeprecationWarning>(),
        &message,
        stacklevel,
    )
}

/// An integer (anything with `__index__`: `int`, `bool`, `IntFlag`) as its low 64
/// bits, as CPython's `options` / `verify_flags` / `_host_flags` setters take it
/// (a negative value masks: `-1` sets every bit).
fn unsigned_bits(value: &Bound<'_, PyAny>) -> PyResult<u64> {
    let index = value
        .py()
        .import("operator")?
        .call_method1("index", (value,))?;
    let index = index.cast_into::<PyInt>()?;
    index.call_method1("__and__", (u64::MAX,))?.extract::<u64>()
}

/// The `password` argument of `load_cert_chain` (`None`, `str`, `bytes`, `bytearray` or
/// a callable returning one of those).
fn password_arg(password: &Bound<'_, PyAny>) -> PyResult<Option<Password>> {
    if password.is_none() {
        return Ok(None);
    }
    if password.is_callable() {
        let callable = password.clone().unbind();
        return Ok(Some(Password::callback(move || {
            Python::attach(|py| -> Result<PasswordValue, CallbackError> {
                let value = callable.bind(py).call0().map_err(boxed)?;
                password_value(&value).map_err(boxed)?.ok_or_else(|| {
                    boxed(PyTypeError::new_err(
                        "password callback must return a string",
                    ))
                })
            })
        })));
    }
    match password_value(password)? {
        Some(PasswordValue::Text(ref t)) => Ok(Some(Password::Text(t.clone()))),
        Some(PasswordValue::Bytes(ref b)) => Ok(Some(Password::Bytes(b.clone()))),
        None => Err(PyTypeError::new_err(
            "password should be a string or callable",
        )),
    }
}

fn boxed(e: PyErr) -> CallbackError {
    Box::new(e)
}

/// `str` (UTF-8), `bytes` or `bytearray`; `None` for any other type.
fn password_value(value: &Bound<'_, PyAny>) -> PyResult<Option<PasswordValue>> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Some(PasswordValue::Text(s.to_str()?.to_owned())));
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(Some(PasswordValue::Bytes(b.as_bytes().to_vec())));
    }
    if let Ok(b) = value.cast::<PyByteArray>() {
        return Ok(Some(PasswordValue::Bytes(b.to_vec())));
    }
    Ok(None)
}

/// The `cadata` argument: an ASCII `str` (PEM) or a bytes-like object (DER).
fn cadata_arg(cadata: &Bound<'_, PyAny>) -> PyResult<CaData> {
    const BAD: &str = "cadata should be an ASCII string or a bytes-like object";
    if let Ok(s) = cadata.cast::<PyString>() {
        let text = s.to_cow().map_err(|_| PyTypeError::new_err(BAD))?;
        if !text.is_ascii() {
            return Err(PyTypeError::new_err(BAD));
        }
        return Ok(CaData::Text(text.into_owned()));
    }
    buffer_bytes(cadata).map(CaData::Bytes).map_err(|e| {
        if e.is_instance_of::<PyTypeError>(cadata.py()) {
            PyTypeError::new_err(BAD)
        } else {
            e
        }
    })
}

/// An optional argument, `None` counting as omitted.
fn given<'a, 'py>(arg: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    arg.filter(|o| !o.is_none())
}

/// The wire form ssl.py passes to `_set_alpn_protocols` (each name prefixed by its
/// length) as the list of names.
fn alpn_names(wire: &[u8]) -> PyResult<Vec<String>> {
    let mut names = Vec::new();
    let mut rest = wire;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len);
        if len == 0 || len > tail.len() {
            return Err(PyValueError::new_err("invalid ALPN protocol list"));
        }
        let (name, tail) = tail.split_at(len);
        names.push(
            String::from_utf8(name.to_vec())
                .map_err(|_| PyValueError::new_err("invalid ALPN protocol list"))?,
        );
        rest = tail;
    }
    Ok(names)
}

/// The crate's SNI hook for a Python callback. It holds only a weak reference to the
/// Python context (the callable lives in the context, visible to the GC). It calls
/// `callback(ssl_object, server_name, context)` with the connection's owner
/// (`ssl.SSLSocket` / `ssl.SSLObject`), applies a `ssl_object.context = ...` made by
/// the callback, and handles the result as CPython does: `None` continues, an int is
/// the alert to send, an exception is reported through `sys.unraisablehook` and fails
/// the handshake with `handshake_failure`, another return value is reported likewise
/// and sends `internal_error`.
fn sni_hook(context: Py<PyWeakrefReference>) -> SniCallback {
    Arc::new(move |handle, name, _ctx| {
        Python::attach(|py| {
            let Some(ctx) = context.bind(py).upgrade() else {
                return Ok(None);
            };
            let Ok(pyctx) = ctx.cast::<PySslContext>() else {
                return Ok(None);
            };
            let Some(callback) = pyctx
                .borrow()
                .sni_callback
                .as_ref()
                .map(|c| c.clone_ref(py))
            else {
                return Ok(None);
            };
            let conn = crate::sslsocket::current(py);
            let conn = conn.as_ref().map(|c| c.bind(py));
            let ssl_object = match conn {
                Some(c) => crate::sslsocket::PySslSocket::callback_object(c),
                None => py.None().into_bound(py),
            };
            let name = match name {
                Some(n) => n
                    .into_pyobject(py)
                    .map(|n| n.into_any())
                    .unwrap_or_else(|_| py.None().into_bound(py)),
                None => py.None().into_bound(py),
            };
            if let Some(c) = conn {
                c.get().set_in_sni(true);
            }
            let result = callback.bind(py).call1((ssl_object, name, &ctx));
            if let Some(c) = conn {
                c.get().set_in_sni(false);
                if let Some(new) = c.get().take_pending_context() {
                    handle.set_context(&new.bind(py).borrow().ctx);
                }
            }
            match result {
                Err(e) => {
                    e.write_unraisable(py, Some(&ctx));
                    Err("sni_callback raised".into())
                }
                Ok(v) if v.is_none() => Ok(None),
                Ok(v) => match v.extract::<i64>() {
                    Ok(alert) => Ok(Some(alert)),
                    Err(_) => {
                        PyTypeError::new_err("Result of sni_callback must be None or an int")
                            .write_unraisable(py, Some(&v));
                        Ok(Some(80))
                    }
                },
            }
        })
    })
}

impl PySslContext {
    /// The `_msg_callback` callable, if one is set.
    pub fn msg_callback_object(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.msg_callback.as_ref().map(|c| c.clone_ref(py))
    }

    fn err(&self, py: Python<'_>, e: sslcontext::Error) -> PyErr {
        to_py(py, e)
    }
}

#[pymethods]
impl PySslContext {
    #[new]
    #[pyo3(signature = (protocol))]
    fn new(py: Python<'_>, protocol: i32) -> PyResult<Self> {
        let protocol = Protocol::from_int(i64::from(protocol)).map_err(|e| to_py(py, e))?;
        if matches!(protocol, Protocol::Tls | Protocol::TlsV1_2) {
            warn_deprecated(py, &format!("ssl.{} is deprecated", protocol.name()), 2)?;
        }
        let ctx = SslContext::new(protocol).map_err(|e| to_py(py, e))?;
        Ok(PySslContext {
            ctx,
            sni_callback: None,
            msg_callback: None,
            keylog_filename: None,
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for obj in [
            &self.sni_callback,
            &self.msg_callback,
            &self.keylog_filename,
        ]
        .into_iter()
        .flatten()
        {
            visit.call(obj)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.sni_callback = None;
        self.msg_callback = None;
        self.keylog_filename = None;
        let _ = self.ctx.set_sni_callback(None);
    }

    /// The protocol the context was made for (a `PROTOCOL_*` value).
    #[getter]
    fn protocol(&self) -> i64 {
        self.ctx.protocol().value()
    }

    /// Control the SSL options (`OP_*` flags).
    #[getter]
    fn options(&self) -> u64 {
        self.ctx.options().bits()
    }

    #[setter]
    fn set_options(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let new = Options::from_bits_retain(unsigned_bits(value)?);
        let newly_set = new.difference(self.ctx.options());
        if newly_set.intersects(Options::DEPRECATED_NO_PROTOCOL) {
            warn_deprecated(
                py,
                "ssl.OP_NO_SSL*/ssl.OP_NO_TLS* options are deprecated",
                2,
            )?;
        }
        self.ctx.set_options(new).map_err(|e| self.err(py, e))
    }

    /// Whether and how peers' certificates are verified (a `CERT_*` value).
    #[getter]
    fn verify_mode(&self) -> i64 {
        self.ctx.verify_mode().value()
    }

    #[setter]
    fn set_verify_mode(&self, py: Python<'_>, value: i32) -> PyResult<()> {
        let mode = VerifyMode::from_int(i64::from(value)).map_err(|e| self.err(py, e))?;
        self.ctx.set_verify_mode(mode).map_err(|e| self.err(py, e))
    }

    /// Whether the peer's certificate must match the server hostname.
    #[getter]
    fn check_hostname(&self) -> bool {
        self.ctx.check_hostname()
    }

    #[setter]
    fn set_check_hostname(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let on = value.is_truthy()?;
        self.ctx.set_check_hostname(on).map_err(|e| self.err(py, e))
    }

    /// The lowest protocol version (a `PROTO_*` value).
    #[getter]
    fn minimum_version(&self) -> i64 {
        self.ctx.minimum_version().value()
    }

    #[setter]
    fn set_minimum_version(&self, py: Python<'_>, value: i32) -> PyResult<()> {
        let v = self.version_arg(py, value)?;
        self.ctx.set_minimum_version(v).map_err(|e| self.err(py, e))
    }

    /// The highest protocol version (a `PROTO_*` value).
    #[getter]
    fn maximum_version(&self) -> i64 {
        self.ctx.maximum_version().value()
    }

    #[setter]
    fn set_maximum_version(&self, py: Python<'_>, value: i32) -> PyResult<()> {
        let v = self.version_arg(py, value)?;
        self.ctx.set_maximum_version(v).map_err(|e| self.err(py, e))
    }

    /// Certificate verification flags (`VERIFY_*`).
    #[getter]
    fn verify_flags(&self) -> u64 {
        self.ctx.verify_flags().bits()
    }

    #[setter]
    fn set_verify_flags(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let flags = VerifyFlags::from_bits_retain(unsigned_bits(value)?);
        self.ctx
            .set_verify_flags(flags)
            .map_err(|e| self.err(py, e))
    }

    /// OpenSSL's hostname-check flags (`HOSTFLAG_*`).
    #[getter(_host_flags)]
    fn host_flags(&self) -> u32 {
        self.ctx.host_flags()
    }

    #[setter(_host_flags)]
    fn set_host_flags(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        // OpenSSL keeps an `unsigned int`; CPython passes the low bits on.
        let flags = unsigned_bits(value)? as u32;
        self.ctx.set_host_flags(flags).map_err(|e| self.err(py, e))
    }

    /// Whether a client offers TLS 1.3 post-handshake authentication (stored; rustls
    /// implements none, see docs/COMPATIBILITY.md).
    #[getter]
    fn post_handshake_auth(&self) -> bool {
        self.ctx.post_handshake_auth()
    }

    #[setter]
    fn set_post_handshake_auth(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let on = value.is_truthy()?;
        self.ctx
            .set_post_handshake_auth(on)
            .map_err(|e| self.err(py, e))
    }

    /// The security level (read-only).
    #[getter]
    fn security_level(&self) -> u8 {
        self.ctx.security_level()
    }

    /// TLS 1.3 session tickets a server sends.
    #[getter]
    fn num_tickets(&self) -> u64 {
        self.ctx.num_tickets()
    }

    #[setter]
    fn set_num_tickets(&self, py: Python<'_>, value: isize) -> PyResult<()> {
        self.ctx
            .set_num_tickets(value as i64)
            .map_err(|e| self.err(py, e))
    }

    /// Where TLS secrets are logged (NSS key log format), or `None`.
    #[getter]
    fn keylog_filename(&self, py: Python<'_>) -> Py<PyAny> {
        match &self.keylog_filename {
            Some(f) => f.clone_ref(py),
            None => py.None(),
        }
    }

    #[setter]
    fn set_keylog_filename(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        if value.is_none() {
            self.ctx
                .set_keylog_filename(None)
                .map_err(|e| self.err(py, e))?;
            self.keylog_filename = None;
            return Ok(());
        }
        let path = fs_path(value)?;
        self.ctx
            .set_keylog_filename(Some(&path))
            .map_err(|e| self.err(py, e))?;
        self.keylog_filename = Some(value.clone().unbind());
        Ok(())
    }

    /// The message callback (`ssl.SSLContext._msg_callback`): connections over Python
    /// sockets made afterwards report what their records show in clear (see
    /// `msgtrace.rs`).
    #[getter(_msg_callback)]
    fn msg_callback(&self, py: Python<'_>) -> Py<PyAny> {
        match &self.msg_callback {
            Some(f) => f.clone_ref(py),
            None => py.None(),
        }
    }

    #[setter(_msg_callback)]
    fn set_msg_callback(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        if value.is_none() {
            self.msg_callback = None;
            return Ok(());
        }
        if !value.is_callable() {
            self.msg_callback = None;
            return Err(PyTypeError::new_err("not a callable object"));
        }
        self.msg_callback = Some(value.clone().unbind());
        Ok(())
    }

    /// The server-name callback, `callback(ssl_socket, server_name, ssl_context)`.
    #[getter]
    fn sni_callback(&self, py: Python<'_>) -> Py<PyAny> {
        match &self.sni_callback {
            Some(f) => f.clone_ref(py),
            None => py.None(),
        }
    }

    #[setter]
    fn set_sni_callback(slf: &Bound<'_, Self>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = slf.py();
        let mut this = slf.borrow_mut();
        if this.ctx.protocol() == Protocol::TlsClient {
            return Err(PyValueError::new_err(
                "sni_callback cannot be set on TLS_CLIENT context",
            ));
        }
        this.sni_callback = None;
        if value.is_none() || !value.is_callable() {
            this.ctx.set_sni_callback(None).map_err(|e| to_py(py, e))?;
            if value.is_none() {
                return Ok(());
            }
            return Err(PyTypeError::new_err("not a callable object"));
        }
        let weak = PyWeakrefReference::new(slf)?.unbind();
        this.ctx
            .set_sni_callback(Some(sni_hook(weak)))
            .map_err(|e| to_py(py, e))?;
        this.sni_callback = Some(value.clone().unbind());
        Ok(())
    }

    /// `_wrap_bio(incoming, outgoing, server_side, server_hostname=None, *, owner=None,
    /// session=None)`: a connection over two `MemoryBIO`s (`ssl.SSLObject`).
    #[pyo3(signature = (incoming, outgoing, server_side, server_hostname = None, *, owner = None, session = None))]
    fn _wrap_bio(
        slf: &Bound<'_, Self>,
        incoming: &Bound<'_, crate::bio::PyMemoryBio>,
        outgoing: &Bound<'_, crate::bio::PyMemoryBio>,
        server_side: bool,
        server_hostname: Option<&Bound<'_, PyAny>>,
        owner: Option<&Bound<'_, PyAny>>,
        session: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<crate::sslsocket::PySslSocket> {
        let args = crate::sslsocket::WrapArgs {
            server_side,
            server_hostname,
            owner,
            session,
        };
        crate::sslsocket::wrap_bio(slf, incoming, outgoing, args)
    }

    /// `_wrap_socket(sock, server_side, server_hostname=None, *, owner=None,
    /// session=None)`: a connection over a Python socket (`ssl.SSLSocket`).
    #[pyo3(signature = (sock, server_side, server_hostname = None, *, owner = None, session = None))]
    fn _wrap_socket(
        slf: &Bound<'_, Self>,
        sock: &Bound<'_, PyAny>,
        server_side: bool,
        server_hostname: Option<&Bound<'_, PyAny>>,
        owner: Option<&Bound<'_, PyAny>>,
        session: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<crate::sslsocket::PySslSocket> {
        let args = crate::sslsocket::WrapArgs {
            server_side,
            server_hostname,
            owner,
            session,
        };
        crate::sslsocket::wrap_socket(slf, sock, args)
    }

    /// `_set_alpn_protocols(protos, /)`: the length-prefixed names ssl.py builds.
    fn _set_alpn_protocols(&self, py: Python<'_>, protos: &Bound<'_, PyAny>) -> PyResult<()> {
        let names = alpn_names(&buffer_bytes(protos)?)?;
        self.ctx
            .set_alpn_protocols(&names)
            .map_err(|e| self.err(py, e))
    }

    /// `set_ciphers(cipherlist, /)`: an OpenSSL cipher string.
    fn set_ciphers(&self, py: Python<'_>, cipherlist: &str) -> PyResult<()> {
        self.ctx
            .set_ciphers(cipherlist)
            .map_err(|e| self.err(py, e))
    }

    /// `get_ciphers()`: the enabled cipher suites, as dicts.
    fn get_ciphers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for c in self.ctx.get_ciphers() {
            let d = PyDict::new(py);
            d.set_item("id", c.id)?;
            d.set_item("name", c.name)?;
            d.set_item("protocol", c.protocol)?;
            d.set_item("description", &c.description)?;
            d.set_item("strength_bits", c.strength_bits)?;
            d.set_item("alg_bits", c.alg_bits)?;
            d.set_item("aead", c.aead)?;
            d.set_item("symmetric", c.symmetric)?;
            d.set_item("digest", c.digest)?;
            d.set_item("kea", c.kea)?;
            d.set_item("auth", c.auth)?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// `set_ecdh_curve(name, /)`: the one curve for ECDH key exchange.
    fn set_ecdh_curve(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyResult<()> {
        let text = fs_path(name)?;
        let text = text.to_string_lossy();
        self.ctx.set_ecdh_curve(&text).map_err(|e| match e {
            // CPython names the curve as given (`b'foo'` for bytes).
            sslcontext::Error::ValueError(_) => match name.repr() {
                Ok(r) => PyValueError::new_err(format!("unknown elliptic curve name {r}")),
                Err(e) => e,
            },
            e => self.err(py, e),
        })
    }

    /// `load_dh_params(path, /)`: finite-field DH parameters (parsed and checked;
    /// rustls has no DHE suites to use them, see docs/COMPATIBILITY.md).
    fn load_dh_params(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        let path = fs_path(path)?;
        self.ctx.load_dh_params(path).map_err(|e| self.err(py, e))
    }

    /// `load_cert_chain(certfile, keyfile=None, password=None)`.
    #[pyo3(signature = (certfile, keyfile = None, password = None))]
    fn load_cert_chain(
        &self,
        py: Python<'_>,
        certfile: &Bound<'_, PyAny>,
        keyfile: Option<&Bound<'_, PyAny>>,
        password: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let certfile = fs_path_arg(certfile, "certfile")?;
        let keyfile = match keyfile {
            Some(k) if !k.is_none() => Some(fs_path_arg(k, "keyfile")?),
            _ => None,
        };
        let password = match password {
            Some(p) => password_arg(p)?,
            None => None,
        };
        self.ctx
            .load_cert_chain(&certfile, keyfile.as_deref(), password)
            .map_err(|e| self.err(py, e))
    }

    /// `load_verify_locations(cafile=None, capath=None, cadata=None)`.
    #[pyo3(signature = (cafile = None, capath = None, cadata = None))]
    fn load_verify_locations(
        &self,
        py: Python<'_>,
        cafile: Option<&Bound<'_, PyAny>>,
        capath: Option<&Bound<'_, PyAny>>,
        cadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let (cafile, capath, cadata) = (given(cafile), given(capath), given(cadata));
        if cafile.is_none() && capath.is_none() && cadata.is_none() {
            return Err(PyTypeError::new_err(
                "cafile, capath and cadata cannot be all omitted",
            ));
        }
        let cafile = cafile.map(|f| fs_path_arg(f, "cafile")).transpose()?;
        let capath = capath.map(|p| fs_path_arg(p, "capath")).transpose()?;
        let cadata = cadata.map(cadata_arg).transpose()?;
        self.ctx
            .load_verify_locations(cafile.as_deref(), capath.as_deref(), cadata.as_ref())
            .map_err(|e| self.err(py, e))
    }

    /// `set_default_verify_paths()`: the system's trust store.
    fn set_default_verify_paths(&self, py: Python<'_>) -> PyResult<()> {
        self.ctx
            .set_default_verify_paths()
            .map_err(|e| self.err(py, e))
    }

    /// `cert_store_stats()`: `{'x509': N, 'crl': M, 'x509_ca': K}`.
    fn cert_store_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.ctx.cert_store_stats();
        let d = PyDict::new(py);
        d.set_item("x509", s.x509)?;
        d.set_item("crl", s.crl)?;
        d.set_item("x509_ca", s.x509_ca)?;
        Ok(d)
    }

    /// `get_ca_certs(binary_form=False)`: the CA certificates of the store, as dicts
    /// or DER bytes.
    #[pyo3(signature = (binary_form = false))]
    fn get_ca_certs<'py>(
        &self,
        py: Python<'py>,
        binary_form: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        if binary_form {
            for der in self.ctx.get_ca_certs_der() {
                out.append(PyBytes::new(py, der.as_ref()))?;
            }
        } else {
            for info in self.ctx.get_ca_certs().map_err(|e| self.err(py, e))? {
                out.append(crate::certs::cert_dict(py, &info)?)?;
            }
        }
        Ok(out)
    }

    /// `session_stats()`: OpenSSL's session counters.
    fn session_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.ctx.session_stats();
        let d = PyDict::new(py);
        for (k, v) in [
            ("number", s.number),
            ("connect", s.connect),
            ("connect_good", s.connect_good),
            ("connect_renegotiate", s.connect_renegotiate),
            ("accept", s.accept),
            ("accept_good", s.accept_good),
            ("accept_renegotiate", s.accept_renegotiate),
            ("hits", s.hits),
            ("misses", s.misses),
            ("timeouts", s.timeouts),
            ("cache_full", s.cache_full),
        ] {
            d.set_item(k, v)?;
        }
        Ok(d)
    }
}

impl PySslContext {
    /// A `minimum_version` / `maximum_version` value, checked in CPython's order:
    /// fixed-version contexts refuse, unknown values are `ValueError`, SSLv3 / TLSv1 /
    /// TLSv1.1 warn.
    fn version_arg(&self, py: Python<'_>, value: i32) -> PyResult<TlsVersion> {
        if self.ctx.protocol().is_fixed_version() {
            return Err(PyValueError::new_err(
                "The context's protocol doesn't support modification of highest and lowest version.",
            ));
        }
        let v = TlsVersion::from_int(i64::from(value)).map_err(|e| self.err(py, e))?;
        if matches!(
            v,
            TlsVersion::SSLv3 | TlsVersion::TLSv1 | TlsVersion::TLSv1_1
        ) {
            warn_deprecated(py, &format!("ssl.{v} is deprecated"), 2)?;
        }
        Ok(v)
    }
}
