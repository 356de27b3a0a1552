//! `serde::Serialize` in the shape of Python's `json.dumps` of CPython's dict.

use serde::ser::{SerializeMap, SerializeSeq, SerializeTuple};
use serde::{Serialize, Serializer};

use super::{AttrValue, CertificateInfo, GeneralNameEntry, GeneralNameValue, Name};

struct NameSer<'a>(&'a Name);

impl Serialize for NameSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for rdn in self.0 {
            seq.serialize_element(&RdnSer(rdn))?;
        }
        seq.end()
    }
}

struct RdnSer<'a>(&'a [(String, AttrValue)]);

impl Serialize for RdnSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (k, v) in self.0 {
            seq.serialize_element(&(k, v))?;
        }
        seq.end()
    }
}

impl Serialize for AttrValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AttrValue::Text(t) => s.serialize_str(t),
            AttrValue::Bytes(b) => {
                let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("__bytes_hex__", &hex)?;
                m.end()
            }
        }
    }
}

impl Serialize for GeneralNameEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(&self.kind)?;
        match &self.value {
            GeneralNameValue::Text(v) => t.serialize_element(v)?,
            GeneralNameValue::DirName(n) => t.serialize_element(&NameSer(n))?,
        }
        t.end()
    }
}

impl Serialize for CertificateInfo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.keys().len()))?;
        m.serialize_entry("subject", &NameSer(&self.subject))?;
        m.serialize_entry("issuer", &NameSer(&self.issuer))?;
        m.serialize_entry("version", &self.version)?;
        m.serialize_entry("serialNumber", &self.serial_number)?;
        m.serialize_entry("notBefore", &self.not_before)?;
        m.serialize_entry("notAfter", &self.not_after)?;
        if let Some(v) = &self.subject_alt_name {
            m.serialize_entry("subjectAltName", v)?;
        }
        if let Some(v) = &self.ocsp {
            m.serialize_entry("OCSP", v)?;
        }
        if let Some(v) = &self.ca_issuers {
            m.serialize_entry("caIssuers", v)?;
        }
        if let Some(v) = &self.crl_distribution_points {
            m.serialize_entry("crlDistributionPoints", v)?;
        }
        m.end()
    }
}
