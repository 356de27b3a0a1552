//! `SslStream`: an [`SslObject`] driven over a tokio `AsyncRead + AsyncWrite` stream,
//! with [`SslSocket`](super::SslSocket)'s semantics (feature `tokio`).
//!
//! Python's asyncio runs TLS the same way: an `SSLObject` between two `MemoryBIO`s,
//! fed from the transport. Once the handshake is done the bytes skip the two buffers
//! (one copy less each way): records go from the stream to rustls, and rustls's output
//! to the stream, directly. Errors are the crate's [`Error`] (CPython's exception
//! classes, OpenSSL's reasons and verify codes) from the inherent methods; through
//! `AsyncRead` / `AsyncWrite` they arrive as `io::Error` whose inner error is the
//! [`Error`] (`io::Error::get_ref` and `downcast_ref`).
//!
//! The TLS object takes one record at a time. During the handshake the stream is read
//! ahead (each read takes whatever it has, up to 16 KiB, into the incoming buffer);
//! once established, each read stops just past the end of a record (the next record's
//! header, which keeps rustls's buffer from emptying after every record). So that
//! STARTTLS loses nothing, [`SslStream::unwrap`] hands back the bytes the peer sent
//! after its close_notify that were already read, with the stream ([`Unwrapped`] reads
//! them first). Timeouts are tokio's (`tokio::time::timeout` around any of the futures).

use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

use super::bio::MemoryBio;
use super::object::{SslObject, WrapOptions};
use super::record::SourceStop;
use super::socket::to_io;
use crate::context::SslContext;
use crate::error::{Error, Reason, Result};

/// How much one read from the stream may take while the incoming buffer is in use (the
/// handshake): a flight of handshake records usually fits.
const READ_AHEAD: usize = 16 * 1024;

/// What [`SslStream::unwrap`] gives back for STARTTLS: the plain stream, with the bytes
/// the peer sent after its close_notify that were already read from it (read-ahead).
///
/// It reads those bytes first, then from the stream, and writes to the stream; or take
/// the two apart with [`Unwrapped::into_parts`].
#[derive(Debug)]
pub struct Unwrapped<S> {
    stream: S,
    read_ahead: Vec<u8>,
    /// How many of `read_ahead` were read.
    taken: usize,
}

impl<S> Unwrapped<S> {
    /// The bytes read ahead and not read yet.
    pub fn read_ahead(&self) -> &[u8] {
        &self.read_ahead[self.taken..]
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// Mutable access to the underlying stream (reading from it directly skips the
    /// bytes in [`read_ahead`](Self::read_ahead)).
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// The stream, and the bytes read ahead not read yet (they come before the
    /// stream's).
    pub fn into_parts(mut self) -> (S, Vec<u8>) {
        self.read_ahead.drain(..self.taken);
        (self.stream, self.read_ahead)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Unwrapped<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let rest = &this.read_ahead[this.taken..];
        if rest.is_empty() {
            return Pin::new(&mut this.stream).poll_read(cx, buf);
        }
        let n = rest.len().min(buf.remaining());
        buf.put_slice(&rest[..n]);
        this.taken += n;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Unwrapped<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// An [`SslObject`] over an async byte stream: Python's `asyncio` TLS with
/// `ssl.SSLSocket`'s behaviour, for tokio.
///
/// Made by [`SslContext::wrap_stream`]. The TLS details (`getpeercert()`, `cipher()`,
/// `version()`, `session`, `session_reused`, ...) are on [`SslStream::sslobj`].
#[doc(alias = "SSLSocket")]
pub struct SslStream<S> {
    stream: S,
    obj: SslObject,
    incoming: MemoryBio,
    outgoing: MemoryBio,
    suppress_ragged_eofs: bool,
    /// Where reads go before the incoming buffer: allocated at the first read, never
    /// zero-filled (reads go to its spare capacity), freed once reads go to rustls.
    scratch: Vec<u8>,
    /// Our close_notify is queued (`poll_shutdown`).
    close_notify_queued: bool,
}

impl<S> std::fmt::Debug for SslStream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SslStream")
            .field("obj", &self.obj)
            .finish_non_exhaustive()
    }
}

impl SslContext {
    /// `SSLContext.wrap_socket()` for a tokio stream: the same options and the same
    /// checks; with `do_handshake_on_connect` (the default) the handshake runs before
    /// this returns, else on the first read or write (or [`SslStream::do_handshake`]).
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), sslcontext::Error> {
    /// use sslcontext::{create_default_context, Purpose, WrapOptions};
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// let ctx = create_default_context(Purpose::ServerAuth)?;
    /// let tcp = tokio::net::TcpStream::connect("example.org:443").await?;
    /// let mut tls = ctx.wrap_stream(tcp, WrapOptions::client("example.org")).await?;
    /// tls.write_all(b"HEAD / HTTP/1.0\r\nHost: example.org\r\n\r\n").await?;
    /// let mut reply = Vec::new();
    /// tls.read_to_end(&mut reply).await?;
    /// println!("{:?}", tls.sslobj().getpeercert()?);
    /// # Ok(()) }
    /// ```
    pub async fn wrap_stream<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        stream: S,
        options: WrapOptions,
    ) -> Result<SslStream<S>> {
        let parts = self.stream_object(options)?;
        let mut tls = SslStream {
            stream,
            obj: parts.obj,
            incoming: parts.incoming,
            outgoing: parts.outgoing,
            suppress_ragged_eofs: parts.suppress_ragged_eofs,
            scratch: Vec::new(),
            close_notify_queued: false,
        };
        if parts.handshake_now {
            tls.do_handshake().await?;
        }
        Ok(tls)
    }
}

impl<S> SslStream<S> {
    /// The TLS object inside (`getpeercert()`, `cipher()`, `version()`, `session()`,
    /// `session_reused()`, `selected_alpn_protocol()`, ...).
    pub fn sslobj(&self) -> &SslObject {
        &self.obj
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// Mutable access to the underlying stream (writing to it directly corrupts the
    /// TLS session).
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }
}

/// The stream as a blocking-style `Read` / `Write` for rustls, inside a poll: a
/// `Pending` stream reads or writes as `WouldBlock` (its waker is registered).
struct PollIo<'a, 'b, S> {
    stream: &'a mut S,
    cx: &'a mut Context<'b>,
}

impl<S: AsyncRead + Unpin> io::Read for PollIo<'_, '_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut rb = ReadBuf::new(buf);
        match Pin::new(&mut *self.stream).poll_read(self.cx, &mut rb) {
            Poll::Ready(Ok(())) => Ok(rb.filled().len()),
            Poll::Ready(Err(e)) => Err(e),
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl<S: AsyncWrite + Unpin> io::Write for PollIo<'_, '_, S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match Pin::new(&mut *self.stream).poll_write(self.cx, buf) {
            Poll::Ready(r) => r,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match Pin::new(&mut *self.stream).poll_write_vectored(self.cx, bufs) {
            Poll::Ready(r) => r,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> SslStream<S> {
    /// Sends everything the TLS object produced (the outgoing buffer's bytes, then what
    /// rustls keeps once the connection is established), then flushes the stream.
    fn poll_flush_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            let stream = &mut self.stream;
            let (mut offered, mut blocked) = (false, false);
            let sent = self.outgoing.drain_front_with(|front| {
                offered = true;
                match Pin::new(&mut *stream).poll_write(cx, front) {
                    Poll::Ready(r) => r,
                    Poll::Pending => {
                        blocked = true;
                        Ok(0)
                    }
                }
            });
            match sent {
                _ if blocked => return Poll::Pending,
                // The buffer is empty: what rustls keeps goes next.
                Ok(0) if !offered => {
                    let mut io = PollIo {
                        stream: &mut self.stream,
                        cx,
                    };
                    match self.obj.write_pending_tls(&mut io) {
                        Ok(None) => return Pin::new(&mut self.stream).poll_flush(cx),
                        Ok(Some(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                        Ok(Some(_)) => {}
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Poll::Pending,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Poll::Ready(Err(e)),
                    }
                }
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// Reads what the stream has (up to 16 KiB) into the incoming buffer; its EOF is
    /// recorded there too.
    fn poll_fill_in(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.scratch.clear();
        self.scratch.reserve_exact(READ_AHEAD);
        // `read_buf` reads into the spare capacity; a `Pending` read changes nothing.
        let n = ready!(std::pin::pin!(self.stream.read_buf(&mut self.scratch)).poll(cx))?;
        if n == 0 {
            self.incoming.write_eof();
        } else if let Err(e) = self.incoming.write(&self.scratch) {
            return Poll::Ready(Err(to_io(e)));
        }
        Poll::Ready(Ok(()))
    }

    /// Feeds the TLS object the rest of the current record and the next one's header
    /// straight from the stream (established connections: no copy through the
    /// incoming buffer; still one record at a time). Ready once some bytes went in or the stream ended (EOF is
    /// recorded in the incoming buffer, for the object to report).
    fn poll_feed_direct(&mut self, cx: &mut Context<'_>) -> Poll<Result<()>> {
        if self.scratch.capacity() > 0 {
            self.scratch = Vec::new();
        }
        let mut io = PollIo {
            stream: &mut self.stream,
            cx,
        };
        let (progress, stopped) = match self.obj.feed_from(&mut io) {
            Ok(fed) => fed,
            Err(e) => {
                // As when the object fails inside `f`: its alert goes out now.
                let _ = self.poll_flush_out(cx);
                return Poll::Ready(Err(e));
            }
        };
        match stopped {
            Some(SourceStop::Eof) => self.incoming.write_eof(),
            // No byte yet (the stream registered our waker); with some, `f` runs again.
            Some(SourceStop::Error(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                return if progress {
                    Poll::Ready(Ok(()))
                } else {
                    Poll::Pending
                };
            }
            Some(SourceStop::Error(e)) => return Poll::Ready(Err(Error::Io(e))),
            None => {}
        }
        Poll::Ready(Ok(()))
    }

    /// Runs `f` on the TLS object, moving bytes until it stops asking for input. What
    /// `f` produced is sent as far as the stream takes it now; the rest goes with the
    /// next write or flush (a finished operation is never repeated).
    fn poll_drive<T>(
        &mut self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&mut SslObject) -> Result<T>,
    ) -> Poll<Result<T>> {
        loop {
            let result = f(&mut self.obj);
            // Once established, rustls's output goes to the stream without the BIO.
            self.obj.defer_output();
            let flushed = self.poll_flush_out(cx);
            match result {
                Err(Error::SslWantReadError(_)) => {
                    // The peer answers only what it received: wait for our bytes to go.
                    ready!(flushed).map_err(Error::Io)?;
                    if self.incoming.eof_written() {
                        // The object saw EOF and still wants input: it reports the EOF
                        // itself on the next call.
                        continue;
                    }
                    if self.obj.takes_direct_input() {
                        ready!(self.poll_feed_direct(cx))?;
                    } else {
                        ready!(self.poll_fill_in(cx)).map_err(Error::Io)?;
                    }
                }
                other => {
                    let value = other?;
                    if let Poll::Ready(Err(e)) = flushed {
                        return Poll::Ready(Err(Error::Io(e)));
                    }
                    return Poll::Ready(Ok(value));
                }
            }
        }
    }

    /// `SSLSocket.do_handshake()`: finished when both our last flight is sent and the
    /// handshake is complete (calling it again afterwards does nothing).
    pub async fn do_handshake(&mut self) -> Result<()> {
        poll_fn(|cx| {
            ready!(self.poll_drive(cx, SslObject::do_handshake))?;
            self.poll_flush_out(cx).map_err(Error::Io)
        })
        .await
    }

    /// `SSLSocket.recv_into(buffer)`: bytes read, `0` at a clean close (and at a
    /// ragged EOF while `suppress_ragged_eofs`).
    pub async fn recv_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        poll_fn(|cx| self.poll_recv_into(cx, buf)).await
    }

    /// `SSLSocket.recv(bufsize)`.
    pub async fn recv(&mut self, bufsize: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; bufsize];
        let n = self.recv_into(&mut buf).await?;
        buf.truncate(n);
        Ok(buf)
    }

    fn poll_recv_into(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<Result<usize>> {
        match ready!(self.poll_drive(cx, |o| o.read_into(buf))) {
            Err(Error::SslEofError(_)) if self.suppress_ragged_eofs => Poll::Ready(Ok(0)),
            other => Poll::Ready(other),
        }
    }

    /// `SSLSocket.sendall(data)`: every byte encrypted and handed to the stream.
    pub async fn sendall(&mut self, data: &[u8]) -> Result<()> {
        let mut offset = 0;
        while offset < data.len() {
            offset += poll_fn(|cx| self.poll_send(cx, &data[offset..])).await?;
        }
        poll_fn(|cx| self.poll_flush_out(cx))
            .await
            .map_err(Error::Io)
    }

    /// Encrypts as much of `data` as the TLS object takes, once everything it made
    /// before has reached the stream (so what is buffered stays bounded).
    fn poll_send(&mut self, cx: &mut Context<'_>, data: &[u8]) -> Poll<Result<usize>> {
        ready!(self.poll_flush_out(cx)).map_err(Error::Io)?;
        self.poll_drive(cx, |o| o.write(data))
    }

    /// `SSLSocket.unwrap()`: the TLS shutdown (our close_notify sent, the peer's
    /// received), then the plain stream back (STARTTLS), with the bytes after the
    /// peer's close_notify that were read ahead.
    pub async fn unwrap(mut self) -> Result<Unwrapped<S>> {
        poll_fn(|cx| {
            ready!(self.poll_drive(cx, SslObject::unwrap))?;
            self.poll_flush_out(cx).map_err(Error::Io)
        })
        .await?;
        // The object stops at its close_notify: what follows and was read is in the
        // incoming buffer.
        Ok(Unwrapped {
            stream: self.stream,
            read_ahead: self.incoming.read(None),
            taken: 0,
        })
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for SslStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let n = ready!(this.poll_recv_into(cx, buf.initialize_unfilled())).map_err(to_io)?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for SslStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_send(cx, buf).map_err(to_io)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_flush_out(cx)
    }

    /// Sends our close_notify (once the handshake is done), then shuts the stream's
    /// write side; the peer's close_notify is not awaited (that is [`SslStream::unwrap`]).
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.close_notify_queued {
            match this.obj.unwrap() {
                Ok(()) | Err(Error::SslWantReadError(_)) => {}
                // Before the handshake there is no TLS session to close.
                Err(e) if e.reason_code() == Some(Reason::ShutdownWhileInInit) => {}
                Err(e) => return Poll::Ready(Err(to_io(e))),
            }
            this.close_notify_queued = true;
        }
        ready!(this.poll_flush_out(cx))?;
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }
}
