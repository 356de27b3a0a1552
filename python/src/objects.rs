//! Module functions without a context: OpenSSL's object table (`txt2obj`, `nid2obj`),
//! the random generator (`RAND_*`) and `get_default_verify_paths`.

use crate::errors::to_py;
use pyo3::exceptions::PyDeprecationWarning;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use sslcontext::x509::Asn1Object;

type ObjTuple = (i32, &'static str, &'static str, Option<String>);

fn tuple(o: Asn1Object) -> ObjTuple {
    (o.nid, o.shortname, o.longname, o.oid)
}

/// `txt2obj(txt, name=False)`: lookup of an ASN.1 object by dotted OID, or by name too.
#[pyfunction]
#[pyo3(signature = (txt, name = false))]
pub fn txt2obj(py: Python<'_>, txt: &str, name: bool) -> PyResult<ObjTuple> {
    sslcontext::x509::txt2obj(txt, name)
        .map(tuple)
        .map_err(|e| to_py(py, e))
}

/// `nid2obj(nid, /)`: lookup of an ASN.1 object by OpenSSL's NID.
#[pyfunction]
pub fn nid2obj(py: Python<'_>, nid: i32) -> PyResult<ObjTuple> {
    sslcontext::x509::nid2obj(nid)
        .map(tuple)
        .map_err(|e| to_py(py, e))
}

/// `RAND_bytes(n, /)`: `n` cryptographically strong random bytes.
#[pyfunction(name = "RAND_bytes")]
pub fn rand_bytes(py: Python<'_>, n: i32) -> PyResult<Bound<'_, PyBytes>> {
    let data = sslcontext::rand::rand_bytes(i64::from(n)).map_err(|e| to_py(py, e))?;
    Ok(PyBytes::new(py, &data))
}

/// `RAND_pseudo_bytes(n, /)`: deprecated; `(bytes, is_cryptographic)`.
#[pyfunction(name = "RAND_pseudo_bytes")]
pub fn rand_pseudo_bytes(py: Python<'_>, n: i32) -> PyResult<(Bound<'_, PyBytes>, bool)> {
    PyErr::warn(
        py,
        &py.get_type::<PyDeprecationWarning>(),
        c"ssl.RAND_pseudo_bytes() is deprecated",
        1,
    )?;
    Ok((rand_bytes(py, n)?, true))
}

/// `RAND_status()`: 1 when the generator is seeded (the system generator always is).
#[pyfunction(name = "RAND_status")]
pub fn rand_status() -> i32 {
    i32::from(sslcontext::rand::rand_status())
}

/// `RAND_add(string, entropy, /)`: accepts a `str` or bytes-like seed and a float,
/// as CPython does; the system generator has no pool to mix it into.
#[pyfunction(name = "RAND_add")]
pub fn rand_add(view: &Bound<'_, PyAny>, entropy: f64) -> PyResult<()> {
    if view.extract::<&str>().is_err() {
        crate::paths::buffer_bytes(view)?;
    }
    let _ = entropy;
    Ok(())
}

/// `get_default_verify_paths()`: `(cafile env name, default cafile, capath env name,
/// default capath)`.
#[pyfunction]
pub fn get_default_verify_paths() -> (String, String, String, String) {
    let p = sslcontext::get_default_verify_paths();
    (
        p.openssl_cafile_env,
        p.openssl_cafile.to_string_lossy().into_owned(),
        p.openssl_capath_env,
        p.openssl_capath.to_string_lossy().into_owned(),
    )
}
