//! The one error type of the crate, modelled on CPython's `ssl` exception classes.
//!
//! CPython raises `ssl.SSLError` (and its subclasses) with an `errno`, a message and the
//! OpenSSL `library` / `reason` names; configuration mistakes raise `ValueError`,
//! `TypeError` or `NotImplementedError`; file problems raise `OSError` subclasses.
//! [`Error`] has one variant per class, [`Error::python_class`] names the class, and
//! `Display` prints what CPython's `str()` prints, minus the `(_ssl.c:NNNN)` suffix.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// The data every `ssl.SSLError` (and subclass) carries, and the error underneath it
/// (a rustls or I/O error), if any ([`std::error::Error::source`] of [`Error`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SslErrorInfo {
    /// OpenSSL's packed codes and `SSL_ERROR_*` values fit 32 bits (and keep the
    /// error type small).
    errno: Option<i32>,
    library: Option<String>,
    reason: Option<Reason>,
    /// Borrowed for the fixed messages (`SSLWantReadError` comes with every read that
    /// waits for input: no allocation).
    message: Cow<'static, str>,
    /// Boxed behind a thin pointer: the error type stays small.
    source: Option<Arc<Source>>,
}

/// The error underneath an [`SslErrorInfo`].
#[derive(Debug)]
struct Source(Box<dyn std::error::Error + Send + Sync>);

/// Equal when everything CPython shows is equal (the underlying error is not compared).
impl PartialEq for SslErrorInfo {
    fn eq(&self, other: &Self) -> bool {
        (self.errno, &self.library, &self.reason, &self.message)
            == (other.errno, &other.library, &other.reason, &other.message)
    }
}

impl Eq for SslErrorInfo {}

impl SslErrorInfo {
    /// `e.errno`: the OpenSSL reason code for configuration errors, the `SSL_ERROR_*`
    /// class for connection errors, `None` when CPython raised the error with a single
    /// argument (then `str(e)` is the tuple repr, e.g. `('No cipher can be selected.',)`).
    pub fn errno(&self) -> Option<i64> {
        self.errno.map(i64::from)
    }

    /// `e.library`: the OpenSSL library name (`"SSL"`, `"PEM"`, `"X509"`, ...).
    pub fn library(&self) -> Option<&str> {
        self.library.as_deref()
    }

    /// `e.reason`: the OpenSSL reason name (`"NO_START_LINE"`, ...).
    pub fn reason(&self) -> Option<&'static str> {
        self.reason.map(Reason::as_str)
    }

    /// `e.reason` as a [`Reason`], for matching.
    pub fn reason_code(&self) -> Option<Reason> {
        self.reason
    }

    /// `e.strerror`: the message without the `(_ssl.c:N)` suffix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Keeps `source` as the error underneath this one.
    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Arc::new(Source(Box::new(source))));
        self
    }

    /// Appends `: detail` to the message (OpenSSL's error-data suffix).
    pub(crate) fn with_detail(mut self, detail: &str) -> Self {
        self.message = format!("{}: {detail}", self.message).into();
        self
    }

    /// The error with its fields as given (CPython's own `SSLError(errno, text)` forms
    /// go through the other constructors).
    pub(crate) fn new(
        errno: Option<i64>,
        library: Option<&str>,
        reason: Option<Reason>,
        message: String,
    ) -> Self {
        SslErrorInfo {
            errno: errno.map(narrow),
            library: library.map(str::to_string),
            reason,
            message: message.into(),
            source: None,
        }
    }
    /// An error from OpenSSL's error queue: `[LIB: REASON] reason string`, with `errno`
    /// set to `errno` (CPython uses the reason code for context operations and the
    /// `SSL_ERROR_*` class for connection operations).
    pub fn openssl(errno: i64, library: &str, reason: Reason) -> Self {
        SslErrorInfo {
            errno: Some(narrow(errno)),
            library: Some(library.to_string()),
            reason: Some(reason),
            message: format!("[{library}: {reason}] {}", reason.text()).into(),
            source: None,
        }
    }

    /// An OpenSSL "common" reason (not in CPython's table): `[LIB] text`, `reason` None.
    pub fn openssl_common(errno: i64, library: &str, text: &str) -> Self {
        SslErrorInfo {
            errno: Some(narrow(errno)),
            library: Some(library.to_string()),
            reason: None,
            message: format!("[{library}] {text}").into(),
            source: None,
        }
    }

    /// An error CPython raised with an explicit `(errno, text)`; no library, no reason.
    pub fn with_errno(errno: i64, text: &str) -> Self {
        Self::with_errno_static(errno, text.to_string())
    }

    /// [`with_errno`](Self::with_errno) with a fixed message (not copied).
    pub(crate) fn with_errno_static(errno: i64, text: impl Into<Cow<'static, str>>) -> Self {
        SslErrorInfo {
            errno: Some(narrow(errno)),
            library: None,
            reason: None,
            message: text.into(),
            source: None,
        }
    }

    /// An error CPython raised with one argument (`PyErr_SetString`): `errno` None,
    /// `str()` is the tuple repr.
    pub fn text_only(text: &str) -> Self {
        SslErrorInfo {
            errno: None,
            library: None,
            reason: None,
            message: text.to_string().into(),
            source: None,
        }
    }
}

/// An errno as stored (values beyond 32 bits, which OpenSSL never produces, saturate).
fn narrow(errno: i64) -> i32 {
    i32::try_from(errno).unwrap_or(if errno < 0 { i32::MIN } else { i32::MAX })
}

macro_rules! reasons {
    ($($variant:ident = $name:literal,)*) => {
        /// OpenSSL's reason (`e.reason`) for the `ssl.SSLError`s this crate raises,
        /// named as OpenSSL names it ([`Reason::as_str`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Reason {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl Reason {
            /// OpenSSL's name (`"NO_START_LINE"`, ...): what CPython's `e.reason` holds.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Reason::$variant => $name,)*
                }
            }

            /// The reason with OpenSSL's name `name`, if this crate can raise it.
            pub fn from_name(name: &str) -> Option<Reason> {
                match name {
                    $($name => Some(Reason::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

reasons! {
    BadBase64Decode = "BAD_BASE64_DECODE",
    BadEndLine = "BAD_END_LINE",
    BadExtension = "BAD_EXTENSION",
    BadIvChars = "BAD_IV_CHARS",
    BadLegacyVersion = "BAD_LEGACY_VERSION",
    BadPasswordRead = "BAD_PASSWORD_READ",
    BadRecordType = "BAD_RECORD_TYPE",
    CaKeyTooSmall = "CA_KEY_TOO_SMALL",
    CaMdTooWeak = "CA_MD_TOO_WEAK",
    CallbackFailed = "CALLBACK_FAILED",
    CertificateVerifyFailed = "CERTIFICATE_VERIFY_FAILED",
    DataLengthTooLong = "DATA_LENGTH_TOO_LONG",
    DecryptionFailedOrBadRecordMac = "DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
    DhKeyTooSmall = "DH_KEY_TOO_SMALL",
    EeKeyTooSmall = "EE_KEY_TOO_SMALL",
    EncryptedLengthTooLong = "ENCRYPTED_LENGTH_TOO_LONG",
    ErrorInReceivedCipherList = "ERROR_IN_RECEIVED_CIPHER_LIST",
    ExcessiveMessageSize = "EXCESSIVE_MESSAGE_SIZE",
    ExtensionNotReceived = "EXTENSION_NOT_RECEIVED",
    FieldMissing = "FIELD_MISSING",
    HandshakeFailure = "HANDSHAKE_FAILURE",
    HeaderTooLong = "HEADER_TOO_LONG",
    HttpRequest = "HTTP_REQUEST",
    HttpsProxyRequest = "HTTPS_PROXY_REQUEST",
    KeyValuesMismatch = "KEY_VALUES_MISMATCH",
    LengthMismatch = "LENGTH_MISMATCH",
    LengthTooShort = "LENGTH_TOO_SHORT",
    MissingDekIv = "MISSING_DEK_IV",
    NoApplicationProtocol = "NO_APPLICATION_PROTOCOL",
    NoCertificateAssigned = "NO_CERTIFICATE_ASSIGNED",
    NoCertificateOrCrlFound = "NO_CERTIFICATE_OR_CRL_FOUND",
    NoCiphersAvailable = "NO_CIPHERS_AVAILABLE",
    NoCiphersSpecified = "NO_CIPHERS_SPECIFIED",
    NoCompressionSpecified = "NO_COMPRESSION_SPECIFIED",
    NoProtocolsAvailable = "NO_PROTOCOLS_AVAILABLE",
    NoRenegotiation = "NO_RENEGOTIATION",
    NoSharedCipher = "NO_SHARED_CIPHER",
    NoSharedSignatureAlgorithms = "NO_SHARED_SIGNATURE_ALGORITHMS",
    NoStartLine = "NO_START_LINE",
    NoSuitableKeyShare = "NO_SUITABLE_KEY_SHARE",
    NoSuitableSignatureAlgorithm = "NO_SUITABLE_SIGNATURE_ALGORITHM",
    NotDekInfo = "NOT_DEK_INFO",
    NotEncrypted = "NOT_ENCRYPTED",
    NotEnoughData = "NOT_ENOUGH_DATA",
    NotOnRecordBoundary = "NOT_ON_RECORD_BOUNDARY",
    NotProcType = "NOT_PROC_TYPE",
    NotServer = "NOT_SERVER",
    PacketLengthTooLong = "PACKET_LENGTH_TOO_LONG",
    PeerDidNotReturnACertificate = "PEER_DID_NOT_RETURN_A_CERTIFICATE",
    ProtocolIsShutdown = "PROTOCOL_IS_SHUTDOWN",
    RecordTooSmall = "RECORD_TOO_SMALL",
    SequenceLengthMismatch = "SEQUENCE_LENGTH_MISMATCH",
    ShortHeader = "SHORT_HEADER",
    ShutdownWhileInInit = "SHUTDOWN_WHILE_IN_INIT",
    Ssl3ExtInvalidServername = "SSL3_EXT_INVALID_SERVERNAME",
    Sslv3AlertBadCertificate = "SSLV3_ALERT_BAD_CERTIFICATE",
    Sslv3AlertBadRecordMac = "SSLV3_ALERT_BAD_RECORD_MAC",
    Sslv3AlertCertificateExpired = "SSLV3_ALERT_CERTIFICATE_EXPIRED",
    Sslv3AlertCertificateRevoked = "SSLV3_ALERT_CERTIFICATE_REVOKED",
    Sslv3AlertCertificateUnknown = "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
    Sslv3AlertDecompressionFailure = "SSLV3_ALERT_DECOMPRESSION_FAILURE",
    Sslv3AlertHandshakeFailure = "SSLV3_ALERT_HANDSHAKE_FAILURE",
    Sslv3AlertIllegalParameter = "SSLV3_ALERT_ILLEGAL_PARAMETER",
    Sslv3AlertNoCertificate = "SSLV3_ALERT_NO_CERTIFICATE",
    Sslv3AlertUnexpectedMessage = "SSLV3_ALERT_UNEXPECTED_MESSAGE",
    Sslv3AlertUnsupportedCertificate = "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
    Tlsv13AlertCertificateRequired = "TLSV13_ALERT_CERTIFICATE_REQUIRED",
    Tlsv13AlertMissingExtension = "TLSV13_ALERT_MISSING_EXTENSION",
    Tlsv1AlertAccessDenied = "TLSV1_ALERT_ACCESS_DENIED",
    Tlsv1AlertDecodeError = "TLSV1_ALERT_DECODE_ERROR",
    Tlsv1AlertDecryptError = "TLSV1_ALERT_DECRYPT_ERROR",
    Tlsv1AlertDecryptionFailed = "TLSV1_ALERT_DECRYPTION_FAILED",
    Tlsv1AlertExportRestriction = "TLSV1_ALERT_EXPORT_RESTRICTION",
    Tlsv1AlertInappropriateFallback = "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
    Tlsv1AlertInsufficientSecurity = "TLSV1_ALERT_INSUFFICIENT_SECURITY",
    Tlsv1AlertInternalError = "TLSV1_ALERT_INTERNAL_ERROR",
    Tlsv1AlertNoRenegotiation = "TLSV1_ALERT_NO_RENEGOTIATION",
    Tlsv1AlertProtocolVersion = "TLSV1_ALERT_PROTOCOL_VERSION",
    Tlsv1AlertRecordOverflow = "TLSV1_ALERT_RECORD_OVERFLOW",
    Tlsv1AlertUnknownCa = "TLSV1_ALERT_UNKNOWN_CA",
    Tlsv1AlertUserCancelled = "TLSV1_ALERT_USER_CANCELLED",
    Tlsv1BadCertificateHashValue = "TLSV1_BAD_CERTIFICATE_HASH_VALUE",
    Tlsv1BadCertificateStatusResponse = "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE",
    Tlsv1CertificateUnobtainable = "TLSV1_CERTIFICATE_UNOBTAINABLE",
    Tlsv1UnrecognizedName = "TLSV1_UNRECOGNIZED_NAME",
    Tlsv1UnsupportedExtension = "TLSV1_UNSUPPORTED_EXTENSION",
    TooLong = "TOO_LONG",
    TooManyKeyUpdates = "TOO_MANY_KEY_UPDATES",
    UnexpectedEofWhileReading = "UNEXPECTED_EOF_WHILE_READING",
    UnexpectedMessage = "UNEXPECTED_MESSAGE",
    UnexpectedRecord = "UNEXPECTED_RECORD",
    UnknownCertificateType = "UNKNOWN_CERTIFICATE_TYPE",
    UnknownProtocol = "UNKNOWN_PROTOCOL",
    UnsupportedEncryption = "UNSUPPORTED_ENCRYPTION",
    UnsupportedProtocol = "UNSUPPORTED_PROTOCOL",
    VersionTooLow = "VERSION_TOO_LOW",
    WrongSslVersion = "WRONG_SSL_VERSION",
    WrongVersionNumber = "WRONG_VERSION_NUMBER",
}

impl Reason {
    /// OpenSSL's reason string (`ERR_reason_error_string`): the name in lower case with
    /// spaces, OpenSSL's own rule for almost every reason; the exceptions are listed.
    pub fn text(self) -> String {
        reason_string(self.as_str())
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// OpenSSL's reason string for a reason name: the name in lower case with `_` as spaces,
/// which is OpenSSL's own rule for almost all reasons; the few exceptions are listed.
fn reason_string(reason: &str) -> String {
    match reason {
        "AT_LEAST_TLS_1_2_NEEDED_IN_SUITEB_MODE" => {
            "at least (D)TLS 1.2 needed in Suite B mode".to_string()
        }
        "MISSING_SRP_PARAM" => "can't find SRP server param".to_string(),
        "SRP_A_CALC" => "error with the srp params".to_string(),
        "ILLEGAL_SUITEB_DIGEST" => "illegal Suite B digest".to_string(),
        "UNEXPECTED_EOF_WHILE_READING" => "EOF occurred in violation of protocol".to_string(),
        _ => reason.to_ascii_lowercase().replace('_', " "),
    }
}

/// Every error this crate returns. Each variant is one CPython exception class.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// `ssl.SSLError`.
    SslError(SslErrorInfo),
    /// `ssl.SSLCertVerificationError` (also a `ValueError` in CPython).
    SslCertVerificationError {
        /// errno, library, reason and message.
        info: SslErrorInfo,
        /// OpenSSL's `X509_V_ERR_*` code (`e.verify_code`).
        verify_code: i64,
        /// `e.verify_message`.
        verify_message: String,
    },
    /// `ssl.SSLZeroReturnError`: the peer closed the TLS session cleanly.
    SslZeroReturnError(SslErrorInfo),
    /// `ssl.SSLWantReadError`: more input is needed.
    SslWantReadError(SslErrorInfo),
    /// `ssl.SSLWantWriteError`: output must be flushed first.
    SslWantWriteError(SslErrorInfo),
    /// `ssl.SSLSyscallError`.
    SslSyscallError(SslErrorInfo),
    /// `ssl.SSLEOFError`: the transport ended without close_notify.
    SslEofError(SslErrorInfo),
    /// `ValueError`.
    ValueError(String),
    /// `TypeError` (only where a Rust type still admits the bad value).
    TypeError(String),
    /// `NotImplementedError`: a feature rustls cannot provide.
    NotImplementedError(String),
    /// `OverflowError`.
    OverflowError(String),
    /// `UnicodeError` (e.g. the IDNA codec's failures).
    UnicodeError(String),
    /// `UnicodeEncodeError` (e.g. a non-ASCII ALPN protocol name).
    UnicodeEncodeError(String),
    /// `UnicodeDecodeError` (e.g. non-ASCII bytes as a server hostname).
    UnicodeDecodeError(String),
    /// `OSError` and its subclasses (`FileNotFoundError`, `PermissionError`, ...).
    Io(std::io::Error),
    /// `OSError` subclasses that carry a filename (`FileNotFoundError(2, '...', 'path')`).
    Os {
        /// `e.errno`.
        errno: i32,
        /// `e.strerror`.
        strerror: String,
        /// `e.filename`.
        filename: Option<String>,
    },
    /// An error returned by a user callback (a password callback, an SNI callback),
    /// propagated unchanged as CPython propagates the callback's exception.
    Callback(Box<dyn std::error::Error + Send + Sync>),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `ssl.SSLError` from OpenSSL's queue for a context operation (errno = reason code).
    pub fn ssl(code: i64, library: &str, reason: Reason) -> Self {
        Error::SslError(SslErrorInfo::openssl(code, library, reason))
    }

    /// `ssl.SSLError` raised with a single argument (`str()` is the tuple repr).
    pub fn ssl_text(text: &str) -> Self {
        Error::SslError(SslErrorInfo::text_only(text))
    }

    /// `ValueError(text)`.
    pub fn value(text: impl Into<String>) -> Self {
        Error::ValueError(text.into())
    }

    /// `NotImplementedError(text)`.
    pub fn not_implemented(text: impl Into<String>) -> Self {
        Error::NotImplementedError(text.into())
    }

    /// `OSError` with an errno, as `std::io::Error::from_raw_os_error`.
    pub fn os(errno: i32) -> Self {
        Error::Io(std::io::Error::from_raw_os_error(errno))
    }

    /// The SSL-error data, for the `ssl.SSLError` family.
    pub fn ssl_info(&self) -> Option<&SslErrorInfo> {
        match self {
            Error::SslError(i)
            | Error::SslZeroReturnError(i)
            | Error::SslWantReadError(i)
            | Error::SslWantWriteError(i)
            | Error::SslSyscallError(i)
            | Error::SslEofError(i) => Some(i),
            Error::SslCertVerificationError { info, .. } => Some(info),
            _ => None,
        }
    }

    /// `e.errno` as CPython has it (`None` where CPython has `None`).
    pub fn errno(&self) -> Option<i64> {
        match self {
            Error::Io(e) => e.raw_os_error().map(i64::from),
            Error::Os { errno, .. } => Some(i64::from(*errno)),
            _ => self.ssl_info().and_then(|i| i.errno()),
        }
    }

    /// `e.library` for the `ssl.SSLError` family.
    pub fn library(&self) -> Option<&str> {
        self.ssl_info().and_then(|i| i.library())
    }

    /// `e.reason` for the `ssl.SSLError` family.
    pub fn reason(&self) -> Option<&'static str> {
        self.ssl_info().and_then(|i| i.reason())
    }

    /// `e.reason` as a [`Reason`], for matching.
    pub fn reason_code(&self) -> Option<Reason> {
        self.ssl_info().and_then(|i| i.reason_code())
    }

    /// `e.verify_code` for certificate verification errors.
    pub fn verify_code(&self) -> Option<i64> {
        match self {
            Error::SslCertVerificationError { verify_code, .. } => Some(*verify_code),
            _ => None,
        }
    }

    /// `e.verify_message` for certificate verification errors.
    pub fn verify_message(&self) -> Option<&str> {
        match self {
            Error::SslCertVerificationError { verify_message, .. } => Some(verify_message),
            _ => None,
        }
    }

    /// CPython's qualified class name: `ssl.SSLError`, `ValueError`, `FileNotFoundError`, ...
    pub fn python_class(&self) -> &'static str {
        match self {
            Error::SslError(_) => "ssl.SSLError",
            Error::SslCertVerificationError { .. } => "ssl.SSLCertVerificationError",
            Error::SslZeroReturnError(_) => "ssl.SSLZeroReturnError",
            Error::SslWantReadError(_) => "ssl.SSLWantReadError",
            Error::SslWantWriteError(_) => "ssl.SSLWantWriteError",
            Error::SslSyscallError(_) => "ssl.SSLSyscallError",
            Error::SslEofError(_) => "ssl.SSLEOFError",
            Error::ValueError(_) => "ValueError",
            Error::TypeError(_) => "TypeError",
            Error::NotImplementedError(_) => "NotImplementedError",
            Error::OverflowError(_) => "OverflowError",
            Error::UnicodeError(_) => "UnicodeError",
            Error::UnicodeEncodeError(_) => "UnicodeEncodeError",
            Error::UnicodeDecodeError(_) => "UnicodeDecodeError",
            Error::Io(e) => os_error_class(e),
            Error::Os { errno, .. } => os_error_class(&std::io::Error::from_raw_os_error(*errno)),
            Error::Callback(_) => "Exception",
        }
    }
}

/// The `OSError` subclass CPython picks for an error, by its kind (the platform's errno
/// numbers differ: ECONNRESET is 104 on Linux and 54 on macOS).
fn os_error_class(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "FileNotFoundError",
        K::PermissionDenied => "PermissionError",
        K::AlreadyExists => "FileExistsError",
        K::NotADirectory => "NotADirectoryError",
        K::IsADirectory => "IsADirectoryError",
        K::BrokenPipe => "BrokenPipeError",
        K::ConnectionReset => "ConnectionResetError",
        K::ConnectionRefused => "ConnectionRefusedError",
        K::ConnectionAborted => "ConnectionAbortedError",
        K::TimedOut => "TimeoutError",
        K::Interrupted => "InterruptedError",
        K::WouldBlock => "BlockingIOError",
        _ => "OSError",
    }
}

/// Python's `repr()` of a `str` (the one place the crate and `sslctx` quote strings
/// as Python does: C0/C1 controls, DEL, NBSP and the soft hyphen are escaped).
pub fn py_repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (0x7f..=0xa0).contains(&(c as u32)) || c == '\u{ad}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

impl fmt::Display for SslErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errno {
            Some(_) => f.write_str(&self.message),
            None => write!(f, "({},)", py_repr_str(&self.message)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::SslCertVerificationError { info, .. } => info.fmt(f),
            Error::ValueError(m)
            | Error::TypeError(m)
            | Error::NotImplementedError(m)
            | Error::OverflowError(m)
            | Error::UnicodeError(m)
            | Error::UnicodeEncodeError(m)
            | Error::UnicodeDecodeError(m) => f.write_str(m),
            Error::Io(e) => match e.raw_os_error() {
                Some(code) => {
                    let text = e.to_string();
                    let suffix = format!(" (os error {code})");
                    let text = text.strip_suffix(&suffix).unwrap_or(&text);
                    write!(f, "[Errno {code}] {text}")
                }
                None => write!(f, "{e}"),
            },
            Error::Os {
                errno,
                strerror,
                filename,
            } => match filename {
                Some(name) => write!(f, "[Errno {errno}] {strerror}: {}", py_repr_str(name)),
                None => write!(f, "[Errno {errno}] {strerror}"),
            },
            Error::Callback(e) => e.fmt(f),
            other => other.ssl_info().expect("ssl family").fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            Error::Callback(e) => Some(e.as_ref()),
            other => other
                .ssl_info()
                .and_then(|i| i.source.as_deref())
                .map(|s| s.0.as_ref() as &(dyn std::error::Error + 'static)),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// An `OSError` that names the file, as CPython's `FileNotFoundError(2, '...', 'path')`
/// prints: `[Errno 2] No such file or directory: 'path'`.
pub(crate) fn io_error_with_filename(e: std::io::Error, path: &std::path::Path) -> Error {
    match e.raw_os_error() {
        Some(code) => {
            let text = e.to_string();
            let suffix = format!(" (os error {code})");
            let text = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
            Error::Os {
                errno: code,
                strerror: text,
                filename: Some(path.to_string_lossy().into_owned()),
            }
        }
        None => Error::Io(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_argument_ssl_error_prints_as_tuple() {
        let e = Error::ssl_text("No cipher can be selected.");
        assert_eq!(e.to_string(), "('No cipher can be selected.',)");
        assert_eq!(e.errno(), None);
        assert_eq!(e.python_class(), "ssl.SSLError");
    }

    #[test]
    fn openssl_error_message_shape() {
        let e = Error::ssl(108, "PEM", Reason::NoStartLine);
        assert_eq!(e.to_string(), "[PEM: NO_START_LINE] no start line");
        assert_eq!(e.errno(), Some(108));
        assert_eq!(e.library(), Some("PEM"));
        assert_eq!(e.reason(), Some("NO_START_LINE"));
    }

    #[test]
    fn os_error_prints_like_python() {
        let e = Error::os(2);
        assert_eq!(e.to_string(), "[Errno 2] No such file or directory");
        assert_eq!(e.python_class(), "FileNotFoundError");
    }

    #[test]
    fn repr_quotes_like_python() {
        assert_eq!(py_repr_str("it's"), "\"it's\"");
        assert_eq!(py_repr_str("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_repr_str("x\0"), "'x\\x00'");
    }
}
