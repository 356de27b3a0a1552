//! Certificate decoding into CPython's certificate dict.
//!
//! [`decode_der`] turns a DER certificate into [`CertificateInfo`], the typed form of
//! the dict that CPython's `getpeercert()`, `get_ca_certs()` and
//! `ssl._ssl._test_decode_cert()` return (CPython 3.11 on OpenSSL 3.0): the same
//! attribute names (OpenSSL's long names), string conversions, serial and time
//! formats, subjectAltName labels, AIA and CRL distribution point URIs, and the same
//! errors. With the `serde` feature, `serde_json::to_string(&info)` prints what
//! Python's `json.dumps(dict)` prints (bytes as `{"__bytes_hex__": "..."}`).
//!
//! The DER is read with a small reader of OpenSSL's own acceptance rules (see
//! `der.rs` for why `x509-parser` does not serve here).
//!
//! Known differences from CPython + OpenSSL 3.0:
//! - BER indefinite-length encodings are rejected (OpenSSL accepts them); DER
//!   certificates never use them.
//! - A name value that `ASN1_STRING_to_UTF8` cannot convert (a SEQUENCE, or an
//!   "unknown" universal type such as ObjectDescriptor) gives `SSLError(0, 'unknown
//!   error')`, which is what CPython raises in a fresh process; CPython instead reports
//!   a stale error left in OpenSSL's queue by an earlier failure, when there is one.
//! - Python's `UnicodeDecodeError` (a non-UTF-8 DNS/email/URI value) is
//!   [`crate::Error::UnicodeError`] with the same message (class `UnicodeError`).
//! - [`cert_time_to_seconds`] accepts ASCII digits only (Python's `\d` also accepts
//!   other Unicode decimal digits).

mod convert;
mod decode;
pub(crate) mod der;
pub(crate) mod name;
pub(crate) mod oid;
mod oid_table;
pub(crate) mod raw;
#[cfg(feature = "serde")]
mod ser;
pub(crate) mod time;

pub(crate) use convert::b64_value;
pub use convert::{der_cert_to_pem_cert, pem_cert_to_der_cert, test_decode_cert};
pub use decode::decode_der;
pub use oid::{
    dotted as oid_dotted, long_name as oid_long_name, nid2obj, oid_to_text, txt2obj, Asn1Object,
};
pub use time::{cert_time_to_seconds, format_asn1_time};

/// An attribute value: text, or raw bytes for a BIT STRING value (CPython `bytes`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttrValue {
    /// A string type, converted to text as `ASN1_STRING_to_UTF8` does.
    Text(String),
    /// A BIT STRING's data octets (unused-bits octet stripped).
    Bytes(Vec<u8>),
}

/// One relative distinguished name: `(attribute long name, value)` pairs in encoded order.
pub type Rdn = Vec<(String, AttrValue)>;

/// A distinguished name: its RDNs in encoded order (CPython's tuple of tuples).
pub type Name = Vec<Rdn>;

/// The value of a subjectAltName entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GeneralNameValue {
    /// Text (`'DNS'`, `'email'`, `'URI'`, `'IP Address'`, `'Registered ID'`,
    /// `'othername'`, `'X400Name'`, `'EdiPartyName'`).
    Text(String),
    /// A directory name (`'DirName'`).
    DirName(Name),
}

/// One subjectAltName entry: CPython's `(kind, value)` tuple.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GeneralNameEntry {
    /// CPython's label: `DNS`, `email`, `URI`, `IP Address`, `DirName`,
    /// `Registered ID`, `othername`, `X400Name`, `EdiPartyName`.
    pub kind: String,
    /// The value.
    pub value: GeneralNameValue,
}

/// CPython's certificate dict (`getpeercert()`, `get_ca_certs()`,
/// `_ssl._test_decode_cert()`), key for key. Optional keys are `None` when CPython
/// omits them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[doc(alias = "getpeercert")]
pub struct CertificateInfo {
    /// `'subject'`.
    pub subject: Name,
    /// `'issuer'`.
    pub issuer: Name,
    /// `'version'`: `X509_get_version() + 1` (3 for v3, 1 for v1).
    pub version: i64,
    /// `'serialNumber'`: upper-case hex (`'00'`, `'-3039'`, ...).
    pub serial_number: String,
    /// `'notBefore'`: `'Jan  5 09:34:43 2018 GMT'`.
    pub not_before: String,
    /// `'notAfter'`.
    pub not_after: String,
    /// `'subjectAltName'` (present iff the extension decodes; may be empty).
    pub subject_alt_name: Option<Vec<GeneralNameEntry>>,
    /// `'OCSP'` URIs from authorityInfoAccess.
    pub ocsp: Option<Vec<String>>,
    /// `'caIssuers'` URIs from authorityInfoAccess.
    pub ca_issuers: Option<Vec<String>>,
    /// `'crlDistributionPoints'` URIs.
    pub crl_distribution_points: Option<Vec<String>>,
}

impl CertificateInfo {
    /// The dict's keys in CPython's insertion order, for the ones present.
    pub fn keys(&self) -> Vec<&'static str> {
        let mut k = vec![
            "subject",
            "issuer",
            "version",
            "serialNumber",
            "notBefore",
            "notAfter",
        ];
        if self.subject_alt_name.is_some() {
            k.push("subjectAltName");
        }
        if self.ocsp.is_some() {
            k.push("OCSP");
        }
        if self.ca_issuers.is_some() {
            k.push("caIssuers");
        }
        if self.crl_distribution_points.is_some() {
            k.push("crlDistributionPoints");
        }
        k
    }
}
