//! The run-time compatibility table (DESIGN.md §4): every place where this crate
//! differs from CPython 3.11 + OpenSSL 3.0, with its status and the test that checks it.
//! `docs/COMPATIBILITY.md` renders the same rows (checked by
//! `tests/compat_table.rs`).

use crate::options::translate::{Status, OPTIONS, VERIFY_FLAGS};
use std::sync::OnceLock;

/// One row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    /// The Python feature (`OP_NO_TICKET`, `set_ciphers`, ...).
    pub name: String,
    /// What CPython + OpenSSL 3.0 do.
    pub cpython: String,
    /// What this crate does.
    pub ours: String,
    /// Honoured / Emulated / Ignored / Refused.
    pub status: Status,
    /// Why.
    pub reason: String,
    /// The test that checks it.
    pub test: String,
}

fn f(name: &str, cpython: &str, ours: &str, status: Status, reason: &str, test: &str) -> Feature {
    Feature {
        name: name.into(),
        cpython: cpython.into(),
        ours: ours.into(),
        status,
        reason: reason.into(),
        test: test.into(),
    }
}

/// The status word used in the table.
pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Honoured => "Honoured",
        Status::Emulated => "Emulated",
        Status::Ignored => "Ignored",
        Status::Refused => "Refused",
    }
}

/// Every row.
pub fn features() -> &'static [Feature] {
    static ROWS: OnceLock<Vec<Feature>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let mut rows = Vec::new();
        for r in OPTIONS {
            rows.push(f(
                r.name,
                "OpenSSL option bit",
                r.effect,
                r.status,
                "rustls knob or meaningless under rustls",
                "options::translate::tests",
            ));
        }
        for r in VERIFY_FLAGS {
            rows.push(f(
                r.name,
                "X509_V_FLAG bit",
                r.effect,
                r.status,
                "OpenSSL 3.0's path validation, reimplemented (verify::path)",
                "options::translate::tests",
            ));
        }
        rows.push(f(
            "set_ciphers",
            "OpenSSL cipher string over 155 TLS<=1.2 suites",
            "same grammar, list and errors; only the 6 ECDHE AEAD suites rustls has are negotiated",
            Status::Emulated,
            "ring implements 9 suites only",
            "tests/ciphers.rs",
        ));
        rows.push(f(
            "get_ciphers",
            "every selected suite",
            "the selected suites rustls can negotiate, same dicts and order",
            Status::Emulated,
            "suites rustls lacks cannot be offered",
            "tests/ciphers.rs",
        ));
        rows.push(f(
            "@SECLEVEL",
            "security level filters suites at handshake",
            "same level; rustls suite list filtered by strength bits",
            Status::Emulated,
            "rustls has no security levels",
            "tests/ciphers.rs",
        ));
        rows.push(f(
            "set_ecdh_curve",
            "any OpenSSL TLS group",
            "X25519, prime256v1, secp384r1; others SSLError(0)",
            Status::Refused,
            "ring has no P-521, X448, FFDHE or brainpool",
            "tests/ciphers.rs",
        ));
        rows.push(f(
            "load_dh_params",
            "DH parameters for DHE suites",
            "parsed and checked, then unused",
            Status::Ignored,
            "rustls has no DHE suites",
            "tests/ciphers.rs",
        ));
        rows.extend(
            CONTEXT_ROWS
                .iter()
                .chain(CONNECTION_ROWS)
                .map(|r| f(r.0, r.1, r.2, r.3, r.4, r.5)),
        );
        rows
    })
}

/// (name, CPython, ours, status, reason, test)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    Status,
    &'static str,
    &'static str,
);

/// Context-level differences.
const CONTEXT_ROWS: &[Row] = &[
    ("PROTOCOL_TLSv1, PROTOCOL_TLSv1_1", "contexts for TLS 1.0 / 1.1", "ValueError('invalid or unsupported protocol version N: rustls implements TLS 1.2 and 1.3 only')", Status::Refused, "rustls has no TLS < 1.2", "tests/context.rs"),
    ("HAS_TLSv1, HAS_TLSv1_1", "True", "False", Status::Refused, "rustls has no TLS < 1.2", "constants"),
    ("minimum_version / maximum_version below TLSv1_2", "TLS 1.0/1.1 bounds", "stored and read back as CPython does; act as TLS 1.2 (a maximum below 1.2 leaves no version: NO_PROTOCOLS_AVAILABLE)", Status::Emulated, "rustls has no TLS < 1.2", "tests/context.rs"),
    ("failed load_verify_locations / load_cert_chain", "certificates read before the error stay in the store", "the context is left exactly as it was", Status::Emulated, "deliberate: no half-loaded store", "tests/pki.rs"),
    ("load_cert_chain with an encrypted key and no password", "OpenSSL prompts on the terminal", "SSLError [SSL] PEM lib, never a prompt", Status::Emulated, "a library must not read the terminal", "tests/pki.rs"),
    ("load_cert_chain key types", "any OpenSSL key", "RSA 2048-4096, ECDSA P-256/P-384, Ed25519; others SSLError", Status::Refused, "ring signs with these only", "tests/pki.rs"),
    ("post_handshake_auth", "client advertises it, server may request later", "stored and read back; never advertised; verify_client_post_handshake raises SSLError", Status::Refused, "rustls implements no post-handshake authentication", "tests/conn_memory.rs"),
    ("get_channel_binding('tls-unique')", "the first Finished message's verify_data, from OpenSSL", "the same bytes, decrypted from the captured Finished record with the key-logged handshake secrets; 'tls-exporter' (RFC 9266) also taken", Status::Emulated, "rustls does not expose the Finished messages", "tests/channel_binding.rs"),
    ("sni_callback context swap", "new certificate, old verify mode", "the whole new context applies (certificate, verify mode and CAs, ALPN, versions, ciphers, groups, tickets)", Status::Emulated, "deliberate: one snapshot per connection", "tests/sni.rs"),
    ("sni_callback server_name", "name as sent (A-label, case kept)", "same: read from the raw ClientHello, since rustls lower-cases it", Status::Emulated, "rustls normalises the name", "tests/sni.rs"),
    ("sni_callback that panics", "(a callback returning a non-int sends internal_error)", "internal_error(80) and CALLBACK_FAILED", Status::Emulated, "Rust types rule out a wrong return type; a panic is the closest analogue", "tests/sni.rs"),
    ("keylog_filename write errors", "exception chained to the operation", "the line is lost silently", Status::Emulated, "rustls's KeyLog cannot fail the handshake", "tests/conn_semantics.rs"),
    ("_host_flags", "any X509_CHECK_FLAG_* bits; hostname checks apply them", "every bit kept and read back; ALWAYS_CHECK_SUBJECT, NO_WILDCARDS, NO_PARTIAL_WILDCARDS and NEVER_CHECK_SUBJECT applied; MULTI_LABEL_WILDCARDS and SINGLE_LABEL_SUBDOMAINS kept only", Status::Emulated, "MULTI_LABEL_WILDCARDS does nothing in OpenSSL 1.1+ either; SINGLE_LABEL_SUBDOMAINS concerns '.name' references, which ssl.py refuses", "tests/context.rs"),
    ("RAND_add", "mixes the bytes into OpenSSL's pool", "accepted and ignored", Status::Ignored, "the system generator (through ring) has no pool to seed", "rand::tests"),
    ("_ssl.OPENSSL_VERSION (python/)", "'OpenSSL 3.0.N <date>'", "'sslcontext 0.1.0 (rustls 0.23; OpenSSL 3.0 semantics)'; OPENSSL_VERSION_INFO (3, 0, 0, 0, 0)", Status::Emulated, "names the engine; the version tuple selects ssl.py's and test_ssl's OpenSSL 3.0 branches", "python/test_ssl.expected"),
];

/// Connection-level differences.
const CONNECTION_ROWS: &[Row] = &[
    ("peer certificate signatures ring cannot check (DSA, Ed448, ECDSA other than P-256/P-384 with SHA-256/384, RSA below 1024 bits, MD5)", "verified (accepted when valid and the security level allows)", "refused with code 76 (never accepted unchecked)", Status::Refused, "ring implements none of these", "tests/limbo.rs"),
    ("hostname_checks_common_name", "CN used when no DNS/IP SAN", "same, and the issuers' DNS name constraints apply to such a CN (NAME_CONSTRAINTS_check_CN)", Status::Emulated, "rustls has no CN fallback", "tests/name_constraints_cn.rs"),
    ("ALPN without overlap", "handshake succeeds without ALPN", "same", Status::Emulated, "rustls servers send no_application_protocol", "tests/conn_memory.rs"),
    ("server_hostname rustls cannot send as SNI ('a b')", "sent as SNI", "no SNI sent; the hostname check uses the exact text", Status::Emulated, "rustls's DnsName refuses such names", "tests/hostname.rs"),
    ("TLS 1.0/1.1-only peers", "refused below minimum_version (TLS 1.2 by default): protocol_version alert, UNSUPPORTED_PROTOCOL", "always refused: as a server, OpenSSL's alert in a record of the client's version and its reason (VERSION_TOO_LOW for SSL 3.0); as a client, the server's alert", Status::Refused, "rustls has no TLS < 1.2", "tests/first_records.rs"),
    ("SSLv2-format ClientHello for TLS 1.2 with a suite the server enables", "negotiates TLS 1.2 from it", "protocol_version alert, UNSUPPORTED_PROTOCOL (other SSLv2-format hellos are refused with OpenSSL's alert and reason)", Status::Refused, "rustls cannot continue from an SSLv2-format hello", "conn::first_records::tests"),
    ("TLS 1.2 server asking to renegotiate (HelloRequest)", "the client renegotiates and carries on", "rustls declines with a no_renegotiation warning; an OpenSSL server then aborts and the client's next read raises SSLError [SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure", Status::Refused, "rustls never renegotiates", "tests/interop_openssl.rs"),
    ("TLS 1.2 client whose groups lack the server's ECDSA curve, with an RSA certificate loaded too", "served with the RSA certificate", "served with the first certificate whose key signs a scheme the client offers (with only an ECDSA certificate: NO_SHARED_CIPHER and handshake_failure, as OpenSSL)", Status::Emulated, "rustls's certificate resolver does not see the negotiated version", "tests/first_records.rs"),
    ("SSLSession.id (TLS 1.3)", "OpenSSL's session id", "a random 32-byte id made when the first ticket arrives", Status::Emulated, "rustls keeps tickets private and TLS 1.3 tickets are encrypted", "tests/sessions.rs"),
    ("SSLSession.ticket_lifetime_hint", "from the NewSessionTicket", "TLS 1.2: read from the cleartext NewSessionTicket; TLS 1.3: 0", Status::Emulated, "TLS 1.3 tickets are encrypted", "tests/sessions.rs"),
    ("SSLSession reuse (TLS 1.3)", "one session resumes any number of times", "each ticket resumes once; a session holds the tickets received (2 by default)", Status::Emulated, "rustls TLS 1.3 session values are single-use", "tests/sessions.rs"),
    ("SSLObject.session on the server side", "a session object", "None", Status::Refused, "rustls exposes no server-side session", "tests/sessions.rs"),
    ("session_stats() misses", "client and server misses", "client: offered and not resumed; server: stateful cache lookups that failed (ticket decryption failures are not counted)", Status::Emulated, "rustls counts nothing; counted by the wrapper", "tests/sessions.rs"),
    ("SSLSocket timeouts", "sock.settimeout(t) before wrapping", "a timeout set on the stream (TcpStream::set_read_timeout, or SslSocket::settimeout) makes WouldBlock a TimeoutError; a stream set non-blocking directly while it also has a timeout reads as timed out (std cannot report non-blocking mode); SslSocket::setblocking(false) is always honoured", Status::Emulated, "Linux reports an expired SO_RCVTIMEO as WouldBlock; the Socket trait reports the stream's timeouts", "tests/conn_semantics.rs"),
    ("certificate decoding: indefinite-length BER", "accepted", "refused with CPython's decode error", Status::Refused, "DER certificates never use it; the decoder is DER-only", "tests/x509_decode.rs"),
    ("certificate decoding: non-UTF-8 DNS/email/URI", "UnicodeDecodeError", "UnicodeError with the same message", Status::Emulated, "one Unicode error class for decoding", "tests/x509_decode.rs"),
    ("cert_time_to_seconds digits", "any Unicode digit (\\d)", "ASCII digits only", Status::Emulated, "certificate times are ASCII", "tests/x509_decode.rs"),
    ("IDNA for server_hostname", "Python's IDNA 2003 codec", "the idna crate with IDNA 2003's four differing mappings; unassigned code points and some bidi cases may differ", Status::Emulated, "no IDNA 2003 crate", "tests/hostname.rs"),
    ("shared_ciphers()", "client offer ∩ server suites", "same, over the suites rustls implements", Status::Emulated, "rustls has 9 suites", "tests/conn_memory.rs"),
    ("SslStream::unwrap() (tokio)", "SSLSocket reads without read-ahead: after unwrap() the bytes behind the peer's close_notify are still in the socket (asyncio's transports read ahead into the SSLObject's MemoryBIO)", "SslStream reads ahead: during the handshake whatever the stream has (up to 16 KiB), once established the rest of a record and the next record's header in one read; unwrap() returns Unwrapped, which reads the bytes read past the close_notify first, then the stream (into_parts() separates them); SslSocket keeps OpenSSL's exact reads", Status::Emulated, "rustls's buffer empties, shrinks and regrows after every record unless the next bytes follow it", "tests/tokio_stream.rs"),
    ("a bad record after our close_notify", "SSL_shutdown fails with the record error; no second alert", "unwrap() fails with DECRYPTION_FAILED_OR_BAD_RECORD_MAC; in debug builds rustls's double-alert assertion (rustls/rustls#959) is caught and its message printed to stderr", Status::Emulated, "rustls counts close_notify as its one alert", "tests/conn_semantics.rs"),
    ("_msg_callback (python/)", "called for every protocol message and alert, decrypted", "sockets and memory BIOs: every record header, and the handshake messages, ChangeCipherSpec and alerts still in clear text; the handshake/record version is the record's; the calls are made when the operation is over (over memory BIOs its reads before its writes), so a callback may use its connection and sees its state after the operation", Status::Emulated, "rustls exposes no message hook: the binding traces the bytes on the socket or BIOs, so encrypted messages show only as record headers", "python/real_programs.py"),
    ("certfile holding only the leaf", "OpenSSL also sends the issuers it finds in its trust store (auto chain)", "same: the issuers found by name in the context's store (cafile/cadata certificates, not capath), up to the self-signed root", Status::Emulated, "rustls sends the chain it is given; the resolver completes it from the store", "tests/conn_memory.rs"),
    ("_wrap_socket I/O (python/)", "OpenSSL reads the fd; one deadline per operation; the GIL released during crypto", "through the Python socket's own recv/send (its timeout, non-blocking mode, EINTR handling); the timeout applies per socket call, so a slow-dripping peer can stretch an operation; the GIL held during rustls's work", Status::Emulated, "no unsafe fd access; Python's socket keeps its own semantics", "python/real_programs.py"),
];

/// The Markdown table of [`features`] (what `docs/COMPATIBILITY.md` holds).
pub fn markdown() -> String {
    let mut s = String::from("| feature | CPython + OpenSSL 3.0 | sslcontext | status | reason | test |\n| --- | --- | --- | --- | --- | --- |\n");
    for r in features() {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | `{}` |\n",
            r.name,
            r.cpython,
            r.ours.replace('|', "\\|"),
            status_name(r.status),
            r.reason,
            r.test
        ));
    }
    s
}
