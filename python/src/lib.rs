//! CPython's `_ssl` extension module on sslcontext: the module, its context, and
//! connections over memory BIOs (`_wrap_bio`) and Python sockets (`_wrap_socket`).
//!
//! Built as a `cdylib` named `_ssl`; put first on `PYTHONPATH` as
//! `_ssl<EXT_SUFFIX>` it shadows CPython's own `_ssl`, and CPython 3.11's unchanged
//! `ssl.py` imports it (`python/run_test_ssl.py` does this and runs test_ssl).

use pyo3::prelude::*;

mod bio;
mod certs;
mod constants;
mod context;
mod errors;
mod io;
mod msgtrace;
mod objects;
mod paths;
mod session;
mod sslsocket;

/// Implementation module for SSL socket operations.  See the socket module
/// for documentation.
#[pymodule]
fn _ssl(m: &Bound<'_, PyModule>) -> PyResult<()> {
    constants::register(m)?;
    errors::register(m)?;
    m.add_class::<context::PySslContext>()?;
    m.add_class::<bio::PyMemoryBio>()?;
    m.add_class::<session::PySslSession>()?;
    m.add_class::<certs::Certificate>()?;
    m.add_class::<sslsocket::PySslSocket>()?;
    m.add_function(wrap_pyfunction!(objects::txt2obj, m)?)?;
    m.add_function(wrap_pyfunction!(objects::nid2obj, m)?)?;
    m.add_function(wrap_pyfunction!(objects::rand_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(objects::rand_pseudo_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(objects::rand_status, m)?)?;
    m.add_function(wrap_pyfunction!(objects::rand_add, m)?)?;
    m.add_function(wrap_pyfunction!(objects::get_default_verify_paths, m)?)?;
    m.add_function(wrap_pyfunction!(certs::_test_decode_cert, m)?)?;
    // PyO3 keeps an `__all__` as it adds names; CPython's `_ssl` has none.
    m.delattr("__all__")?;
    Ok(())
}
