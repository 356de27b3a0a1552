//! The bitflag types. Unknown bits are kept (`from_bits_retain`), as OpenSSL keeps them.

bitflags::bitflags! {
    /// `ssl.Options`: the `OP_*` flags, a 64-bit value as in OpenSSL 3.0.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Options: u64 {
        /// `OP_ALL` (`SSL_OP_ALL & ~SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS`): bug workarounds.
        const OP_ALL = 0x8000_0050;
        /// `OP_NO_SSLv3`.
        const OP_NO_SSLv3 = 0x0200_0000;
        /// `OP_NO_TLSv1`.
        const OP_NO_TLSv1 = 0x0400_0000;
        /// `OP_NO_TLSv1_1`.
        const OP_NO_TLSv1_1 = 0x1000_0000;
        /// `OP_NO_TLSv1_2`.
        const OP_NO_TLSv1_2 = 0x0800_0000;
        /// `OP_NO_TLSv1_3`.
        const OP_NO_TLSv1_3 = 0x2000_0000;
        /// `OP_CIPHER_SERVER_PREFERENCE`.
        const OP_CIPHER_SERVER_PREFERENCE = 0x0040_0000;
        /// `OP_NO_TICKET`.
        const OP_NO_TICKET = 0x4000;
        /// `OP_NO_COMPRESSION`.
        const OP_NO_COMPRESSION = 0x0002_0000;
        /// `OP_ENABLE_MIDDLEBOX_COMPAT`.
        const OP_ENABLE_MIDDLEBOX_COMPAT = 0x0010_0000;
        /// `OP_NO_RENEGOTIATION`.
        const OP_NO_RENEGOTIATION = 0x4000_0000;
        /// `OP_IGNORE_UNEXPECTED_EOF`.
        const OP_IGNORE_UNEXPECTED_EOF = 0x80;
        /// Any other bit is kept, as OpenSSL keeps it.
        const _ = !0;
    }
}

#[allow(non_upper_case_globals)]
impl Options {
    /// `OP_NO_SSLv2`: 0 on OpenSSL 3.0 (SSLv2 is gone).
    pub const OP_NO_SSLv2: Options = Options::empty();
    /// `OP_SINGLE_DH_USE`: 0 on OpenSSL 3.0 (always on).
    pub const OP_SINGLE_DH_USE: Options = Options::empty();
    /// `OP_SINGLE_ECDH_USE`: 0 on OpenSSL 3.0 (always on).
    pub const OP_SINGLE_ECDH_USE: Options = Options::empty();

    /// CPython's default for every new context: `0x82520050`.
    pub const DEFAULT: Options = Options::OP_ALL
        .union(Options::OP_NO_COMPRESSION)
        .union(Options::OP_ENABLE_MIDDLEBOX_COMPAT)
        .union(Options::OP_CIPHER_SERVER_PREFERENCE)
        .union(Options::OP_NO_SSLv3);

    /// The protocol-disabling flags whose newly set bits make CPython warn
    /// `'ssl.OP_NO_SSL*/ssl.OP_NO_TLS* options are deprecated'`.
    pub const DEPRECATED_NO_PROTOCOL: Options = Options::OP_NO_SSLv3
        .union(Options::OP_NO_TLSv1)
        .union(Options::OP_NO_TLSv1_1)
        .union(Options::OP_NO_TLSv1_2)
        .union(Options::OP_NO_TLSv1_3);

    /// The named members whose bits are all set (what Python's `Options` repr lists),
    /// in CPython's member order, plus the bits no member names.
    pub fn names(self) -> (Vec<&'static str>, u64) {
        let mut names = Vec::new();
        let mut named = 0u64;
        for (name, flag) in Options::all().iter_names() {
            if flag.bits() != 0 && self.contains(flag) {
                names.push(name);
                named |= flag.bits();
            }
        }
        (names, self.bits() & !named)
    }
}

bitflags::bitflags! {
    /// `ssl.VerifyFlags`: the `VERIFY_*` flags (OpenSSL's `X509_V_FLAG_*`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct VerifyFlags: u64 {
        /// `VERIFY_CRL_CHECK_LEAF`: check the leaf against a CRL.
        const VERIFY_CRL_CHECK_LEAF = 0x4;
        /// `VERIFY_CRL_CHECK_CHAIN`: check every certificate of the chain against CRLs.
        const VERIFY_CRL_CHECK_CHAIN = 0xC;
        /// `VERIFY_X509_STRICT`.
        const VERIFY_X509_STRICT = 0x20;
        /// `VERIFY_ALLOW_PROXY_CERTS`.
        const VERIFY_ALLOW_PROXY_CERTS = 0x40;
        /// `VERIFY_X509_TRUSTED_FIRST`: the default.
        const VERIFY_X509_TRUSTED_FIRST = 0x8000;
        /// `VERIFY_X509_PARTIAL_CHAIN`: an intermediate in the store is a trust anchor.
        const VERIFY_X509_PARTIAL_CHAIN = 0x8_0000;
        /// Any other bit is kept.
        const _ = !0;
    }
}

impl VerifyFlags {
    /// `VERIFY_DEFAULT` (0).
    pub const VERIFY_DEFAULT: VerifyFlags = VerifyFlags::empty();

    /// Whether any CRL checking is asked for.
    pub fn checks_crl(self) -> bool {
        self.contains(VerifyFlags::VERIFY_CRL_CHECK_LEAF)
    }

    /// Whether CRLs are checked for the whole chain, not only the leaf.
    pub fn checks_crl_chain(self) -> bool {
        self.contains(VerifyFlags::VERIFY_CRL_CHECK_CHAIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options_value_and_names() {
        assert_eq!(Options::DEFAULT.bits(), 0x8252_0050);
        let (names, rest) = Options::DEFAULT.names();
        assert_eq!(
            names,
            [
                "OP_ALL",
                "OP_NO_SSLv3",
                "OP_CIPHER_SERVER_PREFERENCE",
                "OP_NO_COMPRESSION",
                "OP_ENABLE_MIDDLEBOX_COMPAT"
            ]
        );
        assert_eq!(rest, 0);
        assert_eq!(Options::from_bits_retain(1).names().1, 1);
    }
}
