//! `ssl.SSLSocket`: an [`SslObject`] driven over a blocking (or non-blocking) byte
//! stream. Reads from the stream stop at TLS record boundaries, as OpenSSL's do without
//! read-ahead, so that after [`SslSocket::unwrap`] every byte the peer sent after its
//! close_notify is still in the stream.

use std::io::{self, Read, Write};

use super::bio::MemoryBio;
use super::errors;
use super::object::{PeerCertificate, SslObject, WrapOptions};
use crate::context::SslContext;
use crate::error::{Error, Result};

/// TLS record header length.
const HEADER_LEN: usize = 5;

/// Python's `ssl.SSLSocket` over any `Read + Write` stream.
#[doc(alias = "SSLSocket")]
pub struct SslSocket<S: Read + Write> {
    stream: S,
    obj: SslObject,
    incoming: MemoryBio,
    outgoing: MemoryBio,
    suppress_ragged_eofs: bool,
    /// Bytes of the current record's header read so far, and body bytes left.
    header: [u8; HEADER_LEN],
    header_len: usize,
    body_left: usize,
}

impl<S: Read + Write> std::fmt::Debug for SslSocket<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SslSocket")
            .field("obj", &self.obj)
            .finish_non_exhaustive()
    }
}

/// Which operation waits, for CPython's timeout messages.
#[derive(Clone, Copy)]
enum Op {
    Handshake,
    Read,
    Write,
}

impl SslContext {
    /// `SSLContext.wrap_socket(sock, server_side, do_handshake_on_connect,
    /// suppress_ragged_eofs, server_hostname, session)`.
    pub fn wrap_socket<S: Read + Write>(
        &self,
        stream: S,
        options: WrapOptions,
    ) -> Result<SslSocket<S>> {
        if options.server_side
            && options
                .server_hostname
                .as_deref()
                .is_some_and(|h| !h.is_empty())
        {
            return Err(Error::value(
                "server_hostname can only be specified in client mode",
            ));
        }
        if self.check_hostname() && options.server_hostname.as_deref().unwrap_or("").is_empty() {
            return Err(Error::value("check_hostname requires server_hostname"));
        }
        let incoming = MemoryBio::new();
        let outgoing = MemoryBio::new();
        let handshake_now = options.do_handshake_on_connect;
        let suppress = options.suppress_ragged_eofs;
        let obj = SslObject::new(self, incoming.clone(), outgoing.clone(), options)?;
        let mut sock = SslSocket {
            stream,
            obj,
            incoming,
            outgoing,
            suppress_ragged_eofs: suppress,
            header: [0; HEADER_LEN],
            header_len: 0,
            body_left: 0,
        };
        if handshake_now {
            sock.do_handshake()?;
        }
        Ok(sock)
    }
}

impl<S: Read + Write> SslSocket<S> {
    /// The TLS object inside (for `cipher()`, `version()`, ...).
    pub fn sslobj(&self) -> &SslObject {
        &self.obj
    }

    /// The underlying stream (for socket options such as timeouts).
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// Mutable access to the underlying stream.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Sends everything the TLS object produced.
    fn flush_out(&mut self, op: Op) -> Result<()> {
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = self.outgoing.peek(&mut buf);
            if n == 0 {
                return self.stream.flush().map_err(|e| io_error(e, op));
            }
            match self.stream.write(&buf[..n]) {
                Ok(0) => return Err(Error::os(32)),
                Ok(written) => {
                    self.outgoing.read(Some(written));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(errors::want_write()),
                Err(e) => return Err(io_error(e, op)),
            }
        }
    }

    /// Reads at most the rest of the current TLS record from the stream into the
    /// incoming buffer. Makes progress (≥ 1 byte, or EOF recorded) or returns an error.
    fn fill_in(&mut self, op: Op) -> Result<()> {
        let mut buf = [0u8; 16 * 1024 + 2048 + HEADER_LEN];
        let want = if self.body_left == 0 {
            HEADER_LEN - self.header_len
        } else {
            self.body_left.min(buf.len())
        };
        loop {
            match self.stream.read(&mut buf[..want]) {
                Ok(0) => {
                    self.incoming.write_eof();
                    return Ok(());
                }
                Ok(n) => {
                    if self.body_left == 0 {
                        self.header[self.header_len..self.header_len + n]
                            .copy_from_slice(&buf[..n]);
                        self.header_len += n;
                        if self.header_len == HEADER_LEN {
                            self.body_left =
                                usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                            self.header_len = 0;
                        }
                    } else {
                        self.body_left -= n;
                    }
                    self.incoming.write(&buf[..n])?;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(errors::want_read()),
                Err(e) => return Err(io_error(e, op)),
            }
        }
    }

    /// Runs `f` on the TLS object, moving bytes until it stops asking for input.
    fn drive<T>(&mut self, op: Op, mut f: impl FnMut(&mut SslObject) -> Result<T>) -> Result<T> {
        loop {
            let result = f(&mut self.obj);
            // Alerts and handshake flights go out even when the operation failed.
            let flushed = self.flush_out(op);
            match result {
                Err(Error::SslWantReadError(_)) => {
                    flushed?;
                    if self.incoming.eof_written() {
                        // The object saw EOF and still wants input: it will report
                        // the EOF itself on the next call.
                        continue;
                    }
                    self.fill_in(op)?;
                }
                other => {
                    let value = other?;
                    flushed?;
                    return Ok(value);
                }
            }
        }
    }

    /// `SSLSocket.do_handshake()`.
    pub fn do_handshake(&mut self) -> Result<()> {
        self.drive(Op::Handshake, SslObject::do_handshake)
    }

    /// `SSLSocket.recv_into(buffer)` / `read(len, buffer)`: bytes read, `0` at a clean
    /// close (and at a ragged EOF while `suppress_ragged_eofs`).
    pub fn recv_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        match self.drive(Op::Read, |o| o.read_into(buf)) {
            Err(Error::SslEofError(_)) if self.suppress_ragged_eofs => Ok(0),
            other => other,
        }
    }

    /// `SSLSocket.recv(bufsize)`.
    pub fn recv(&mut self, bufsize: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; bufsize];
        let n = self.recv_into(&mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// `SSLSocket.read(len)`.
    pub fn read(&mut self, len: usize) -> Result<Vec<u8>> {
        self.recv(len)
    }

    /// `SSLSocket.send(data)`: bytes accepted (all of them, as OpenSSL's SSL_write).
    pub fn send(&mut self, data: &[u8]) -> Result<usize> {
        self.drive(Op::Write, |o| o.write(data))
    }

    /// `SSLSocket.sendall(data)`.
    pub fn sendall(&mut self, data: &[u8]) -> Result<()> {
        let mut offset = 0;
        while offset < data.len() {
            offset += self.send(&data[offset..])?;
        }
        Ok(())
    }

    /// `SSLSocket.write(data)`.
    pub fn write(&mut self, data: &[u8]) -> Result<usize> {
        self.send(data)
    }

    /// `SSLSocket.pending()`.
    pub fn pending(&mut self) -> usize {
        self.obj.pending()
    }

    /// `SSLSocket.unwrap()`: the TLS shutdown, then the plain stream back.
    pub fn unwrap(mut self) -> Result<S> {
        self.drive(Op::Read, SslObject::unwrap)?;
        Ok(self.stream)
    }

    /// `SSLSocket.getpeercert()`.
    pub fn getpeercert(&self) -> Result<Option<PeerCertificate>> {
        self.obj.getpeercert()
    }

    /// `SSLSocket.getpeercert(binary_form=True)`.
    pub fn getpeercert_der(&self) -> Result<Option<Vec<u8>>> {
        self.obj.getpeercert_der()
    }

    /// `SSLSocket.cipher()`.
    pub fn cipher(&self) -> Option<(String, &'static str, u16)> {
        self.obj.cipher()
    }

    /// `SSLSocket.version()`.
    pub fn version(&self) -> Option<&'static str> {
        self.obj.version()
    }

    /// `SSLSocket.selected_alpn_protocol()`.
    pub fn selected_alpn_protocol(&self) -> Option<String> {
        self.obj.selected_alpn_protocol()
    }

    /// `SSLSocket.session_reused`.
    pub fn session_reused(&self) -> bool {
        self.obj.session_reused()
    }
}

/// Socket errors as CPython reports them: timeouts become `TimeoutError` with the
/// operation's message.
fn io_error(e: io::Error, op: Op) -> Error {
    if e.kind() == io::ErrorKind::TimedOut {
        let msg = match op {
            Op::Handshake => "_ssl.c:989: The handshake operation timed out",
            Op::Read => "The read operation timed out",
            Op::Write => "The write operation timed out",
        };
        return Error::Io(io::Error::new(io::ErrorKind::TimedOut, msg));
    }
    Error::Io(e)
}

impl<S: Read + Write> Read for SslSocket<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_into(buf).map_err(to_io)
    }
}

impl<S: Read + Write> Write for SslSocket<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.send(buf).map_err(to_io)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.flush_out(Op::Write).map_err(to_io)
    }
}

/// An [`Error`] as an `io::Error` for the std traits (the original is the inner error).
fn to_io(e: Error) -> io::Error {
    let kind = match &e {
        Error::SslWantReadError(_) | Error::SslWantWriteError(_) => io::ErrorKind::WouldBlock,
        Error::SslEofError(_) => io::ErrorKind::UnexpectedEof,
        Error::Io(inner) => inner.kind(),
        _ => io::ErrorKind::Other,
    };
    match e {
        Error::Io(inner) => inner,
        other => io::Error::new(kind, other),
    }
}
