//! Arguments as CPython's `_ssl` converts them: filesystem paths
//! (`PyUnicode_FSConverter`) and bytes-like objects (`y*`).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

/// `str`, `bytes` or `os.PathLike` → a path (`os.fsencode`); an embedded NUL is
/// `ValueError('embedded null byte')`, any other type the `TypeError` of `os.fsencode`.
pub fn fs_path(obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    let encoded = obj.py().import("os")?.call_method1("fsencode", (obj,))?;
    let bytes: Vec<u8> = encoded.extract()?;
    if bytes.contains(&0) {
        return Err(PyValueError::new_err("embedded null byte"));
    }
    Ok(PathBuf::from(OsString::from_vec(bytes)))
}

/// [`fs_path`], with CPython's `TypeError('<what> should be a valid filesystem path')`
/// for an object that is no path.
pub fn fs_path_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<PathBuf> {
    fs_path(obj).map_err(|e| {
        if e.is_instance_of::<PyTypeError>(obj.py()) {
            PyTypeError::new_err(format!("{what} should be a valid filesystem path"))
        } else {
            e
        }
    })
}

/// The bytes of a bytes-like object, as CPython's `y*` takes them (`PyBUF_SIMPLE`: any
/// C-contiguous buffer, whatever its item format; a non-contiguous one raises the
/// exporter's `BufferError`; a `str` or non-buffer raises `TypeError`).
pub fn buffer_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let py = obj.py();
    let mut view = std::mem::MaybeUninit::<pyo3::ffi::Py_buffer>::uninit();
    // SAFETY: PyObject_GetBuffer fills `view` on success (return 0); then `buf` points
    // to `len` readable bytes until PyBuffer_Release, which we call exactly once after
    // copying. The GIL is held throughout (we have `py`).
    unsafe {
        if pyo3::ffi::PyObject_GetBuffer(obj.as_ptr(), view.as_mut_ptr(), pyo3::ffi::PyBUF_SIMPLE)
            != 0
        {
            return Err(PyErr::fetch(py));
        }
        let mut view = view.assume_init();
        let len = usize::try_from(view.len).unwrap_or(0);
        let data = if len == 0 || view.buf.is_null() {
            Vec::new()
        } else {
            std::slice::from_raw_parts(view.buf as *const u8, len).to_vec()
        };
        pyo3::ffi::PyBuffer_Release(&mut view);
        Ok(data)
    }
}
