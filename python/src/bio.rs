//! `_ssl.MemoryBIO`: the crate's [`sslcontext::MemoryBio`] (a shared buffer, so the
//! Python object and a connection made over it see the same bytes).

use crate::errors::to_py;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use sslcontext::MemoryBio;

/// `_ssl.MemoryBIO()`.
#[pyclass(name = "MemoryBIO", module = "_ssl", frozen, immutable_type)]
pub struct PyMemoryBio {
    /// The buffer (cloning shares it).
    pub bio: MemoryBio,
}

#[pymethods]
impl PyMemoryBio {
    #[new]
    fn new() -> Self {
        PyMemoryBio {
            bio: MemoryBio::new(),
        }
    }

    /// The number of bytes pending in the memory BIO.
    #[getter]
    fn pending(&self) -> usize {
        self.bio.pending()
    }

    /// Whether the memory BIO is at EOF (`write_eof()` called and all data read).
    #[getter]
    fn eof(&self) -> bool {
        self.bio.eof()
    }

    /// `read(size=-1, /)`: up to `size` bytes (all of them for a negative size).
    #[pyo3(signature = (size = -1, /))]
    fn read<'py>(&self, py: Python<'py>, size: isize) -> Bound<'py, PyBytes> {
        let n = usize::try_from(size).ok();
        PyBytes::new(py, &self.bio.read(n))
    }

    /// `write(b, /)`: appends a bytes-like object; returns the number of bytes written.
    #[pyo3(signature = (b, /))]
    fn write(&self, py: Python<'_>, b: &Bound<'_, PyAny>) -> PyResult<usize> {
        let data = crate::paths::buffer_bytes(b)?;
        self.bio.write(&data).map_err(|e| to_py(py, e))
    }

    /// `write_eof()`: no more data will be written.
    fn write_eof(&self) {
        self.bio.write_eof()
    }
}
