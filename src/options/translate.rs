//! How each `OP_*` and `VERIFY_*` flag maps onto rustls, with its status, and the
//! protocol-version computation the context's snapshot builder uses.

use super::flags::{Options, VerifyFlags};

/// How this crate treats a flag (DESIGN.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Done by rustls itself, configured from the flag.
    Honoured,
    /// Done by this crate around rustls.
    Emulated,
    /// Accepted and stored; meaningless under rustls, nothing a peer can observe changes.
    Ignored,
    /// Cannot be provided; see the row's effect for what happens.
    Refused,
}

/// One row of the translation table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The Python constant's name.
    pub name: &'static str,
    /// Its value.
    pub value: u64,
    /// How it is treated.
    pub status: Status,
    /// What it does to the rustls configuration.
    pub effect: &'static str,
}

const fn row(name: &'static str, value: u64, status: Status, effect: &'static str) -> Row {
    Row {
        name,
        value,
        status,
        effect,
    }
}

/// Every `OP_*` flag.
pub static OPTIONS: &[Row] = &[
    row("OP_ALL", Options::OP_ALL.bits(), Status::Ignored, "OpenSSL bug workarounds; rustls needs none"),
    row("OP_NO_SSLv2", 0, Status::Ignored, "value 0 in OpenSSL 3.0; SSLv2 does not exist"),
    row("OP_NO_SSLv3", Options::OP_NO_SSLv3.bits(), Status::Ignored, "rustls has no SSLv3; always effectively set"),
    row("OP_NO_TLSv1", Options::OP_NO_TLSv1.bits(), Status::Ignored, "rustls has no TLS 1.0; always effectively set"),
    row("OP_NO_TLSv1_1", Options::OP_NO_TLSv1_1.bits(), Status::Ignored, "rustls has no TLS 1.1; always effectively set"),
    row("OP_NO_TLSv1_2", Options::OP_NO_TLSv1_2.bits(), Status::Honoured, "drops rustls::version::TLS12 from the protocol versions"),
    row("OP_NO_TLSv1_3", Options::OP_NO_TLSv1_3.bits(), Status::Honoured, "drops rustls::version::TLS13 from the protocol versions"),
    row("OP_CIPHER_SERVER_PREFERENCE", Options::OP_CIPHER_SERVER_PREFERENCE.bits(), Status::Honoured, "ServerConfig::ignore_client_order = true"),
    row("OP_NO_TICKET", Options::OP_NO_TICKET.bits(), Status::Honoured, "server: no ticketer, so TLS 1.2 resumes by session id and TLS 1.3 tickets are stateful (server cache), as OpenSSL 3.0 does"),
    row("OP_NO_COMPRESSION", Options::OP_NO_COMPRESSION.bits(), Status::Ignored, "rustls never compresses"),
    row("OP_ENABLE_MIDDLEBOX_COMPAT", Options::OP_ENABLE_MIDDLEBOX_COMPAT.bits(), Status::Ignored, "rustls always uses TLS 1.3 middlebox-compatibility mode (fake session id, CCS) and has no switch to turn it off"),
    row("OP_NO_RENEGOTIATION", Options::OP_NO_RENEGOTIATION.bits(), Status::Ignored, "rustls never renegotiates"),
    row("OP_IGNORE_UNEXPECTED_EOF", Options::OP_IGNORE_UNEXPECTED_EOF.bits(), Status::Emulated, "the connection layer treats EOF without close_notify as a clean close instead of SSLEOFError"),
    row("OP_SINGLE_DH_USE", 0, Status::Ignored, "value 0 in OpenSSL 3.0; rustls keys are always ephemeral"),
    row("OP_SINGLE_ECDH_USE", 0, Status::Ignored, "value 0 in OpenSSL 3.0; rustls keys are always ephemeral"),
];

/// Every `VERIFY_*` flag.
pub static VERIFY_FLAGS: &[Row] = &[
    row("VERIFY_DEFAULT", 0, Status::Honoured, "no CRL checks"),
    row(
        "VERIFY_CRL_CHECK_LEAF",
        VerifyFlags::VERIFY_CRL_CHECK_LEAF.bits(),
        Status::Honoured,
        "OpenSSL's CRL selection and checks for the leaf (no delta or indirect CRLs, which CPython cannot enable)",
    ),
    row(
        "VERIFY_CRL_CHECK_CHAIN",
        VerifyFlags::VERIFY_CRL_CHECK_CHAIN.bits(),
        Status::Honoured,
        "OpenSSL's CRL selection and checks for every certificate of the chain",
    ),
    row(
        "VERIFY_X509_STRICT",
        VerifyFlags::VERIFY_X509_STRICT.bits(),
        Status::Honoured,
        "OpenSSL 3.0's strict RFC 5280 checks (codes 78-94)",
    ),
    row(
        "VERIFY_ALLOW_PROXY_CERTS",
        VerifyFlags::VERIFY_ALLOW_PROXY_CERTS.bits(),
        Status::Refused,
        "stored; proxy certificates are always refused (code 40)",
    ),
    row(
        "VERIFY_X509_TRUSTED_FIRST",
        VerifyFlags::VERIFY_X509_TRUSTED_FIRST.bits(),
        Status::Honoured,
        "OpenSSL's chain building: the trust store first, else the peer's chain, with alternate chains",
    ),
    row(
        "VERIFY_X509_PARTIAL_CHAIN",
        VerifyFlags::VERIFY_X509_PARTIAL_CHAIN.bits(),
        Status::Honoured,
        "any certificate in the trust store is a trust anchor, as in OpenSSL",
    ),
];

/// A TLS version as Python's `TLSVersion` numbers it.
pub type WireVersion = u16;

/// `TLSVersion.MINIMUM_SUPPORTED` (-2) and `MAXIMUM_SUPPORTED` (-1) are given as
/// `None`. Returns the rustls versions a context may use, highest first:
/// versions below TLS 1.2 act as TLS 1.2 for the minimum; a maximum below TLS 1.2 leaves
/// nothing; `OP_NO_TLSv1_2` / `OP_NO_TLSv1_3` remove those versions. An **empty** list
/// is returned, not an error: OpenSSL accepts such settings and fails only at handshake
/// time (`[SSL: NO_PROTOCOLS_AVAILABLE]`), so the caller decides when to raise.
pub fn effective_versions(
    options: Options,
    minimum: Option<WireVersion>,
    maximum: Option<WireVersion>,
) -> Vec<&'static rustls::SupportedProtocolVersion> {
    let min = minimum.unwrap_or(0x0303).max(0x0303);
    let max = maximum.unwrap_or(0x0304);
    let mut out = Vec::new();
    if (min..=max).contains(&0x0304) && !options.contains(Options::OP_NO_TLSv1_3) {
        out.push(&rustls::version::TLS13);
    }
    if (min..=max).contains(&0x0303) && !options.contains(Options::OP_NO_TLSv1_2) {
        out.push(&rustls::version::TLS12);
    }
    out
}

/// Whether a server sends session tickets (`OP_NO_TICKET` unset).
pub fn server_tickets(options: Options) -> bool {
    !options.contains(Options::OP_NO_TICKET)
}

/// `ServerConfig::ignore_client_order` for these options.
pub fn ignore_client_order(options: Options) -> bool {
    options.contains(Options::OP_CIPHER_SERVER_PREFERENCE)
}

/// Whether an EOF without close_notify is a clean close (`OP_IGNORE_UNEXPECTED_EOF`).
pub fn ignore_unexpected_eof(options: Options) -> bool {
    options.contains(Options::OP_IGNORE_UNEXPECTED_EOF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let v = |o, a, b| effective_versions(o, a, b).len();
        assert_eq!(v(Options::DEFAULT, None, None), 2);
        assert_eq!(v(Options::DEFAULT | Options::OP_NO_TLSv1_3, None, None), 1);
        assert_eq!(v(Options::DEFAULT, Some(0x0301), Some(0x0302)), 0);
        assert_eq!(v(Options::DEFAULT, Some(0x0304), None), 1);
        assert_eq!(
            effective_versions(Options::DEFAULT, Some(0x0300), Some(0x0303))[0].version,
            rustls::ProtocolVersion::TLSv1_2
        );
        assert_eq!(
            v(
                Options::DEFAULT | Options::OP_NO_TLSv1_2 | Options::OP_NO_TLSv1_3,
                None,
                None
            ),
            0
        );
    }

    #[test]
    fn every_named_flag_has_a_row() {
        for (name, flag) in Options::all().iter_names() {
            let r = OPTIONS.iter().find(|r| r.name == name).expect(name);
            assert_eq!(r.value, flag.bits());
        }
        for (name, flag) in VerifyFlags::all().iter_names() {
            let r = VERIFY_FLAGS.iter().find(|r| r.name == name).expect(name);
            assert_eq!(r.value, flag.bits());
        }
    }
}
