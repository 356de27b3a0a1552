//! `ssl.SSLSocket`: an [`SslObject`] driven over a blocking (or non-blocking) byte
//! stream. Reads from the stream stop at TLS record boundaries, as OpenSSL's do without
//! read-ahead, so that after [`SslSocket::unwrap`] every byte the peer sent after its
//! close_notify is still in the stream.
//!
//! # Timeouts and non-blocking streams
//!
//! Linux reports the expiry of a blocking socket's `SO_RCVTIMEO` / `SO_SNDTIMEO` as
//! `EAGAIN`, the same `io::ErrorKind::WouldBlock` a non-blocking socket gives. The
//! stream's [`Socket`] implementation tells them apart: a stream with a timeout
//! (`TcpStream::set_read_timeout`, or [`SslSocket::settimeout`]) is blocking with that
//! timeout, and `WouldBlock` or `TimedOut` from it is CPython's
//! `TimeoutError('The read operation timed out')` (write / handshake likewise); without
//! one, `WouldBlock` means "non-blocking, try again": `SSLWantReadError` /
//! `SSLWantWriteError`, as CPython gives on a non-blocking socket.
//! [`SslSocket::setblocking`] and [`SslSocket::settimeout`] configure the stream and
//! remember the mode, as Python's socket does. A `TimedOut` error is always a timeout.

use std::io::{self, Read, Write};
use std::time::Duration;

use super::bio::MemoryBio;
use super::errors;
use super::object::{PeerCertificate, SslObject, WrapOptions};
use super::record::{Framer, HEADER_LEN};
use crate::context::SslContext;
use crate::error::{Error, Result};

/// Python's `ssl.SSLSocket` over any `Read + Write` stream.
#[doc(alias = "SSLSocket")]
pub struct SslSocket<S: Read + Write> {
    stream: S,
    obj: SslObject,
    incoming: MemoryBio,
    outgoing: MemoryBio,
    suppress_ragged_eofs: bool,
    /// Where the bytes read stand inside their record (one record per read).
    framer: Framer,
    /// The stream is blocking with a timeout: `Some` once set through
    /// [`SslSocket::settimeout`] / [`SslSocket::setblocking`], `None` to ask the stream.
    timeout_mode: Option<bool>,
    /// The stream's [`Socket::has_timeout`].
    stream_has_timeout: fn(&S) -> bool,
    /// A `send` whose bytes were encrypted but not all sent (`SSLWantWriteError`): the
    /// retry only sends the rest and returns this count, as OpenSSL's `SSL_write`
    /// retry does, instead of encrypting the data twice.
    pending_write: Option<usize>,
}

/// A stream whose blocking mode and timeouts can be set, as Python's `socket` does
/// (`settimeout`, `setblocking`).
///
/// Every method has a default, so any other stream joins with `impl Socket for
/// MyStream {}`: no timeouts (a `WouldBlock` from it means non-blocking), and
/// `settimeout` / `setblocking` refused with `io::ErrorKind::Unsupported`.
pub trait Socket {
    /// Sets the read and write timeouts (`None`: block forever).
    fn set_timeouts(&self, timeout: Option<Duration>) -> io::Result<()> {
        let _ = timeout;
        Err(io::ErrorKind::Unsupported.into())
    }
    /// Switches non-blocking mode on or off.
    fn set_nonblocking_mode(&self, nonblocking: bool) -> io::Result<()> {
        let _ = nonblocking;
        Err(io::ErrorKind::Unsupported.into())
    }
    /// Whether a read or write timeout is set on the stream, so that a `WouldBlock`
    /// from it is a timeout's expiry (Linux's `EAGAIN` for `SO_RCVTIMEO`).
    fn has_timeout(&self) -> bool {
        false
    }
}

macro_rules! std_socket {
    ($t:ty) => {
        impl Socket for $t {
            fn set_timeouts(&self, timeout: Option<Duration>) -> io::Result<()> {
                self.set_read_timeout(timeout)?;
                self.set_write_timeout(timeout)
            }
            fn set_nonblocking_mode(&self, nonblocking: bool) -> io::Result<()> {
                self.set_nonblocking(nonblocking)
            }
            fn has_timeout(&self) -> bool {
                matches!(self.read_timeout(), Ok(Some(_)))
                    || matches!(self.write_timeout(), Ok(Some(_)))
            }
        }
    };
}

std_socket!(std::net::TcpStream);
#[cfg(unix)]
std_socket!(std::os::unix::net::UnixStream);

impl<S: Read + Write + Socket> SslSocket<S> {
    /// `socket.settimeout(value)`: `Some(d)` makes the stream blocking with timeout `d`
    /// (an expiry is `TimeoutError('The read operation timed out')`), `None` blocking
    /// without one. A zero duration is non-blocking mode, as in Python.
    pub fn settimeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        match timeout {
            Some(d) if d.is_zero() => return self.setblocking(false),
            _ => {}
        }
        self.stream.set_nonblocking_mode(false).map_err(Error::Io)?;
        self.stream.set_timeouts(timeout).map_err(Error::Io)?;
        self.timeout_mode = Some(timeout.is_some());
        Ok(())
    }

    /// `socket.setblocking(flag)`: `false` gives `SSLWantReadError` /
    /// `SSLWantWriteError` whenever the stream would block.
    pub fn setblocking(&mut self, blocking: bool) -> Result<()> {
        self.stream.set_timeouts(None).map_err(Error::Io)?;
        self.stream
            .set_nonblocking_mode(!blocking)
            .map_err(Error::Io)?;
        self.timeout_mode = Some(false);
        Ok(())
    }
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
    pub fn wrap_socket<S: Read + Write + Socket>(
        &self,
        stream: S,
        options: WrapOptions,
    ) -> Result<SslSocket<S>> {
        let parts = self.stream_object(options)?;
        let mut sock = SslSocket {
            stream,
            obj: parts.obj,
            incoming: parts.incoming,
            outgoing: parts.outgoing,
            suppress_ragged_eofs: parts.suppress_ragged_eofs,
            framer: Framer::default(),
            timeout_mode: None,
            stream_has_timeout: S::has_timeout,
            pending_write: None,
        };
        if parts.handshake_now {
            sock.do_handshake()?;
        }
        Ok(sock)
    }
}

/// What a stream's wrap (sync or async) is made of: the object over two fresh BIOs,
/// and the options the stream keeps.
pub(super) struct StreamObject {
    pub obj: SslObject,
    pub incoming: MemoryBio,
    pub outgoing: MemoryBio,
    pub handshake_now: bool,
    pub suppress_ragged_eofs: bool,
}

impl SslContext {
    /// `wrap_socket`'s checks, then the object over two fresh BIOs.
    pub(super) fn stream_object(&self, options: WrapOptions) -> Result<StreamObject> {
        self.check_stream_options(&options)?;
        let incoming = MemoryBio::new();
        let outgoing = MemoryBio::new();
        let handshake_now = options.do_handshake_on_connect;
        let suppress_ragged_eofs = options.suppress_ragged_eofs;
        let obj = SslObject::new(self, incoming.clone(), outgoing.clone(), options)?;
        Ok(StreamObject {
            obj,
            incoming,
            outgoing,
            handshake_now,
            suppress_ragged_eofs,
        })
    }

    /// The checks `SSLContext.wrap_socket` makes before it creates the object.
    fn check_stream_options(&self, options: &WrapOptions) -> Result<()> {
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
        Ok(())
    }
}

impl<S: Read + Write> SslSocket<S> {
    /// The TLS object inside (for `cipher()`, `version()`, ...).
    pub fn sslobj(&self) -> &SslObject {
        &self.obj
    }

    /// Mutable access to the TLS object inside (`set_session`, `set_context`, as
    /// CPython's `SSLSocket._sslobj` allows after wrapping). Reads and writes on it see
    /// only what the socket has already moved; use the socket's own methods for I/O.
    pub fn sslobj_mut(&mut self) -> &mut SslObject {
        &mut self.obj
    }

    /// The underlying stream (for socket options such as timeouts).
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// Mutable access to the underlying stream.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Whether the stream is blocking with a timeout (so `WouldBlock` is its expiry).
    fn timed(&self) -> bool {
        self.timeout_mode
            .unwrap_or_else(|| (self.stream_has_timeout)(&self.stream))
    }

    /// Sends everything the TLS object produced.
    fn flush_out(&mut self, op: Op) -> Result<()> {
        loop {
            match self.outgoing.write_front_to(&mut self.stream) {
                Ok(0) if self.outgoing.pending() == 0 => {
                    let timeout_mode = self.timed();
                    return self
                        .stream
                        .flush()
                        .map_err(|e| io_error(e, op, timeout_mode));
                }
                Ok(0) => return Err(Error::os(32)),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && !self.timed() => {
                    return Err(errors::want_write())
                }
                Err(e) => return Err(io_error(e, op, self.timed())),
            }
        }
    }

    /// Reads at most the rest of the current TLS record from the stream into the
    /// incoming buffer. Makes progress (≥ 1 byte, or EOF recorded) or returns an error.
    fn fill_in(&mut self, op: Op) -> Result<()> {
        let mut buf = [0u8; 16 * 1024 + 2048 + HEADER_LEN];
        let want = self.framer.wanted().min(buf.len());
        loop {
            match self.stream.read(&mut buf[..want]) {
                Ok(0) => {
                    self.incoming.write_eof();
                    return Ok(());
                }
                Ok(n) => {
                    self.framer.advance(&buf[..n]);
                    self.incoming.write(&buf[..n])?;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && !self.timed() => {
                    return Err(errors::want_read())
                }
                Err(e) => return Err(io_error(e, op, self.timed())),
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
    ///
    /// On a non-blocking stream, `SSLWantWriteError` means the data was taken but not
    /// all of it reached the stream: retry `send` with the same data (as OpenSSL
    /// requires) and it completes that write and returns its count.
    pub fn send(&mut self, data: &[u8]) -> Result<usize> {
        if let Some(n) = self.pending_write {
            self.flush_out(Op::Write)?;
            self.pending_write = None;
            return Ok(n);
        }
        loop {
            let result = self.obj.write(data);
            let flushed = self.flush_out(Op::Write);
            match result {
                Err(Error::SslWantReadError(_)) => {
                    flushed?;
                    if !self.incoming.eof_written() {
                        self.fill_in(Op::Write)?;
                    }
                }
                Ok(n) => {
                    if let Err(e) = flushed {
                        if matches!(e, Error::SslWantWriteError(_)) {
                            self.pending_write = Some(n);
                        }
                        return Err(e);
                    }
                    return Ok(n);
                }
                Err(e) => return Err(e),
            }
        }
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
        self.shutdown()?;
        Ok(self.stream)
    }

    /// CPython's `SSLSocket._sslobj.shutdown()`: sends close_notify and waits for the
    /// peer's, keeping the connection. On a non-blocking stream it can fail with
    /// `SSLWantReadError` / `SSLWantWriteError` and is then called again (as
    /// `unwrap()` is in Python); once it succeeds, [`SslSocket::get_mut`] gives the
    /// stream for plain-text use. [`SslSocket::unwrap`] is this plus giving the stream
    /// back.
    pub fn shutdown(&mut self) -> Result<()> {
        self.drive(Op::Read, SslObject::unwrap)
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
/// operation's message (`WouldBlock` too when the stream has a timeout: Linux's
/// `SO_RCVTIMEO` expiry).
fn io_error(e: io::Error, op: Op, timeout_mode: bool) -> Error {
    if e.kind() == io::ErrorKind::TimedOut || timeout_mode && e.kind() == io::ErrorKind::WouldBlock
    {
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
pub(super) fn to_io(e: Error) -> io::Error {
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
