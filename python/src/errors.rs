//! The `ssl.SSLError` family and the translation of the crate's errors into Python
//! exceptions.
//!
//! The classes are made as CPython's `_ssl` makes them: `OSError` subclasses named
//! `ssl.SSLError`, ..., whose `__str__` is `strerror` when it is a string and
//! `str(args)` otherwise, and immutable types (`Py_TPFLAGS_IMMUTABLETYPE`).
//! Errors raised for the crate carry `library` and `reason` (and `verify_code` /
//! `verify_message` for verification errors).

use pyo3::exceptions::{
    PyException, PyNotImplementedError, PyOSError, PyOverflowError, PyTypeError, PyUnicodeError,
    PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use sslcontext::Error;

/// The Python source of the exception classes (run with `__name__ = 'ssl'`, so their
/// `__module__` is `ssl`, as in CPython).
const CLASSES: &std::ffi::CStr = c"
class SSLError(OSError):
    'An error occurred in the SSL implementation.'
    def __str__(self):
        if isinstance(self.strerror, str):
            return self.strerror
        return str(self.args)

class SSLCertVerificationError(SSLError, ValueError):
    'A certificate could not be verified.'

class SSLZeroReturnError(SSLError):
    'SSL/TLS session closed cleanly.'

class SSLWantReadError(SSLError):
    'Non-blocking SSL socket needs to read more data\\nbefore the requested operation can be completed.'

class SSLWantWriteError(SSLError):
    'Non-blocking SSL socket needs to write more data\\nbefore the requested operation can be completed.'

class SSLSyscallError(SSLError):
    'System error when attempting SSL operation.'

class SSLEOFError(SSLError):
    'SSL/TLS connection terminated abruptly.'
";

/// The names of the classes, `SSLError` first.
pub const NAMES: [&str; 7] = [
    "SSLError",
    "SSLCertVerificationError",
    "SSLZeroReturnError",
    "SSLWantReadError",
    "SSLWantWriteError",
    "SSLSyscallError",
    "SSLEOFError",
];

static TYPES: PyOnceLock<Vec<Py<PyType>>> = PyOnceLock::new();

/// The classes, in [`NAMES`] order (made on first use).
pub fn types(py: Python<'_>) -> PyResult<&Vec<Py<PyType>>> {
    TYPES.get_or_try_init(py, || {
        let globals = PyDict::new(py);
        globals.set_item("__name__", "ssl")?;
        globals.set_item("__builtins__", py.import("builtins")?)?;
        py.run(CLASSES, Some(&globals), None)?;
        let mut out = Vec::with_capacity(NAMES.len());
        for name in NAMES {
            let ty = globals
                .get_item(name)?
                .expect("defined above")
                .cast_into::<PyType>()?;
            make_immutable(&ty);
            out.push(ty.unbind());
        }
        Ok(out)
    })
}

/// Sets `Py_TPFLAGS_IMMUTABLETYPE`, as CPython's `_ssl` types have it (assigning an
/// attribute to the class then raises `TypeError: cannot set ... immutable type`).
fn make_immutable(ty: &Bound<'_, PyType>) {
    // SAFETY: `ty` is a live heap type object (just created by a class statement); we
    // hold the GIL, and only its flags word changes, followed by `PyType_Modified` as
    // the C API requires after changing a type.
    unsafe {
        let tp = ty.as_type_ptr();
        (*tp).tp_flags |= pyo3::ffi::Py_TPFLAGS_IMMUTABLETYPE;
        pyo3::ffi::PyType_Modified(tp);
    }
}

fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyType>> {
    let i = NAMES.iter().position(|n| *n == name).unwrap_or(0);
    Ok(types(py)?[i].bind(py).clone())
}

/// `OSError(errno, os.strerror(errno)[, filename])`: Python picks the subclass
/// (`FileNotFoundError`, `IsADirectoryError`, ...) from the errno.
fn os_error(
    py: Python<'_>,
    errno: i32,
    strerror: Option<String>,
    filename: Option<String>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let strerror = match strerror {
            Some(s) => s,
            None => py
                .import("os")?
                .call_method1("strerror", (errno,))?
                .extract()?,
        };
        let args = match filename {
            Some(f) => PyTuple::new(
                py,
                [
                    errno.into_pyobject(py)?.into_any(),
                    strerror.into_pyobject(py)?.into_any(),
                    f.into_pyobject(py)?.into_any(),
                ],
            )?,
            None => PyTuple::new(
                py,
                [
                    errno.into_pyobject(py)?.into_any(),
                    strerror.into_pyobject(py)?.into_any(),
                ],
            )?,
        };
        let value = py.get_type::<PyOSError>().call1(args)?;
        Ok(PyErr::from_value(value))
    };
    build().unwrap_or_else(|e| e)
}

/// The Python exception for one of the crate's errors.
pub fn to_py(py: Python<'_>, err: Error) -> PyErr {
    match err {
        Error::Callback(inner) => match inner.downcast::<PyErr>() {
            Ok(e) => *e,
            Err(other) => PyException::new_err(other.to_string()),
        },
        Error::ValueError(m) => PyValueError::new_err(m),
        Error::TypeError(m) => PyTypeError::new_err(m),
        Error::NotImplementedError(m) => PyNotImplementedError::new_err(m),
        Error::OverflowError(m) => PyOverflowError::new_err(m),
        Error::UnicodeError(m) | Error::UnicodeEncodeError(m) | Error::UnicodeDecodeError(m) => {
            PyUnicodeError::new_err(m)
        }
        Error::Io(e) => match e.raw_os_error() {
            Some(errno) => os_error(py, errno, None, None),
            None => {
                let errno = match e.kind() {
                    std::io::ErrorKind::TimedOut => 110,
                    std::io::ErrorKind::WouldBlock => 11,
                    std::io::ErrorKind::BrokenPipe => 32,
                    std::io::ErrorKind::ConnectionReset => 104,
                    _ => 0,
                };
                if errno == 0 {
                    PyOSError::new_err(e.to_string())
                } else {
                    os_error(py, errno, Some(e.to_string()), None)
                }
            }
        },
        Error::Os {
            errno,
            strerror,
            filename,
        } => os_error(py, errno, Some(strerror), filename),
        other => ssl_error(py, &other).unwrap_or_else(|e| e),
    }
}

/// An `ssl.SSLError`-family exception with CPython's arguments and attributes.
fn ssl_error(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let info = match err.ssl_info() {
        Some(i) => i,
        None => return Ok(PyException::new_err(err.to_string())),
    };
    let name = err.python_class().trim_start_matches("ssl.");
    let ty = class(py, name)?;
    let value = match info.errno() {
        Some(errno) => ty.call1((errno, info.message()))?,
        None => ty.call1((info.message(),))?,
    };
    value.setattr("library", info.library())?;
    value.setattr("reason", info.reason())?;
    if let (Some(code), Some(message)) = (err.verify_code(), err.verify_message()) {
        value.setattr("verify_code", code)?;
        value.setattr("verify_message", message)?;
    }
    Ok(PyErr::from_value(value))
}

/// Adds the classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    for (name, ty) in NAMES.iter().zip(types(py)?) {
        m.add(*name, ty.bind(py))?;
    }
    Ok(())
}

/// `ssl.SSLError(message)` (CPython's one-argument form, for the binding's own
/// messages such as "Underlying socket connection gone").
pub fn ssl_error_msg(py: Python<'_>, message: &str) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let ty = class(py, "SSLError")?;
        Ok(PyErr::from_value(ty.call1((message,))?))
    };
    build().unwrap_or_else(|e| e)
}
