//! Certificates: CPython's certificate dict (`_test_decode_cert`, `get_ca_certs`,
//! `Certificate.get_info`) and the `_ssl.Certificate` type.

use crate::constants::{ENCODING_DER, ENCODING_PEM};
use crate::errors::to_py;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};
use sslcontext::x509::{AttrValue, CertificateInfo, GeneralNameValue, Name};

fn name_tuple<'py>(py: Python<'py>, name: &Name) -> PyResult<Bound<'py, PyTuple>> {
    let mut rdns = Vec::with_capacity(name.len());
    for rdn in name {
        let mut pairs = Vec::with_capacity(rdn.len());
        for (attr, value) in rdn {
            let value = match value {
                AttrValue::Text(t) => PyString::new(py, t).into_any(),
                AttrValue::Bytes(b) => PyBytes::new(py, b).into_any(),
            };
            pairs.push(PyTuple::new(
                py,
                [PyString::new(py, attr).into_any(), value],
            )?);
        }
        rdns.push(PyTuple::new(py, pairs)?);
    }
    PyTuple::new(py, rdns)
}

fn str_tuple<'py>(py: Python<'py>, items: &[String]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, items)
}

/// CPython's certificate dict, keys in CPython's order.
pub fn cert_dict<'py>(py: Python<'py>, info: &CertificateInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for key in info.keys() {
        match key {
            "subject" => d.set_item(key, name_tuple(py, &info.subject)?)?,
            "issuer" => d.set_item(key, name_tuple(py, &info.issuer)?)?,
            "version" => d.set_item(key, info.version)?,
            "serialNumber" => d.set_item(key, &info.serial_number)?,
            "notBefore" => d.set_item(key, &info.not_before)?,
            "notAfter" => d.set_item(key, &info.not_after)?,
            "subjectAltName" => {
                let mut entries = Vec::new();
                for e in info.subject_alt_name.iter().flatten() {
                    let value = match &e.value {
                        GeneralNameValue::Text(t) => PyString::new(py, t).into_any(),
                        GeneralNameValue::DirName(n) => name_tuple(py, n)?.into_any(),
                    };
                    entries.push(PyTuple::new(
                        py,
                        [PyString::new(py, &e.kind).into_any(), value],
                    )?);
                }
                d.set_item(key, PyTuple::new(py, entries)?)?
            }
            "OCSP" => d.set_item(key, str_tuple(py, info.ocsp.as_deref().unwrap_or(&[]))?)?,
            "caIssuers" => d.set_item(
                key,
                str_tuple(py, info.ca_issuers.as_deref().unwrap_or(&[]))?,
            )?,
            "crlDistributionPoints" => d.set_item(
                key,
                str_tuple(py, info.crl_distribution_points.as_deref().unwrap_or(&[]))?,
            )?,
            _ => {}
        }
    }
    Ok(d)
}

/// `_test_decode_cert(path, /)`: the dict of the first certificate in a PEM file.
#[pyfunction]
pub fn _test_decode_cert<'py>(
    py: Python<'py>,
    path: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let path = crate::paths::fs_path(path)?;
    let info = sslcontext::x509::test_decode_cert(&path).map_err(|e| to_py(py, e))?;
    cert_dict(py, &info)
}

/// `_ssl.Certificate`: one certificate of a peer's chain (made by connections only).
#[pyclass(name = "Certificate", module = "_ssl", frozen, immutable_type)]
pub struct Certificate {
    der: Vec<u8>,
}

impl Certificate {
    /// Wraps DER bytes (connections make these: `get_verified_chain()`).
    pub fn new(der: Vec<u8>) -> Self {
        Certificate { der }
    }
}

/// The RFC 2253 form OpenSSL prints (`X509_NAME_print_ex` with `XN_FLAG_RFC2253`):
/// RDNs last to first, short names, special characters escaped.
fn rfc2253(name: &Name) -> String {
    let escape = |v: &str| {
        let mut out = String::new();
        for (i, ch) in v.chars().enumerate() {
            let edge =
                (i == 0 && (ch == ' ' || ch == '#')) || (i + 1 == v.chars().count() && ch == ' ');
            if edge || matches!(ch, ',' | '+' | '"' | '\\' | '<' | '>' | ';') {
                out.push('\\');
            }
            out.push(ch);
        }
        out
    };
    name.iter()
        .rev()
        .map(|rdn| {
            rdn.iter()
                .map(|(attr, value)| {
                    let short = sslcontext::x509::txt2obj(attr, true)
                        .map(|o| o.shortname.to_string())
                        .unwrap_or_else(|_| attr.clone());
                    let value = match value {
                        AttrValue::Text(t) => escape(t),
                        AttrValue::Bytes(b) => {
                            format!(
                                "#{}",
                                b.iter().map(|x| format!("{x:02X}")).collect::<String>()
                            )
                        }
                    };
                    format!("{short}={value}")
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[pymethods]
impl Certificate {
    /// The certificate dict (as `getpeercert()`).
    fn get_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let info = sslcontext::x509::decode_der(&self.der).map_err(|e| to_py(py, e))?;
        cert_dict(py, &info)
    }

    /// `public_bytes(format=ENCODING_PEM)`: PEM text or DER bytes.
    #[pyo3(signature = (format = ENCODING_PEM))]
    fn public_bytes<'py>(&self, py: Python<'py>, format: i32) -> PyResult<Bound<'py, PyAny>> {
        match format {
            ENCODING_PEM => Ok(PyString::new(
                py,
                &sslcontext::x509::der_cert_to_pem_cert(&self.der),
            )
            .into_any()),
            ENCODING_DER => Ok(PyBytes::new(py, &self.der).into_any()),
            _ => Err(PyValueError::new_err("Unsupported format")),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        match sslcontext::x509::decode_der(&self.der) {
            Ok(info) => Ok(format!(
                "<Certificate {}>",
                PyString::new(py, &rfc2253(&info.subject)).repr()?
            )),
            Err(_) => Ok("<Certificate>".to_string()),
        }
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<Certificate>() else {
            return Ok(py.NotImplemented());
        };
        let equal = other.get().der == self.der;
        match op {
            CompareOp::Eq => Ok(equal.into_pyobject(py)?.to_owned().into_any().unbind()),
            CompareOp::Ne => Ok((!equal).into_pyobject(py)?.to_owned().into_any().unbind()),
            _ => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.der.hash(&mut h);
        h.finish()
    }
}
