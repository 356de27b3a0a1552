//! `ssl.MemoryBIO`: a byte queue shared between the TLS object and the application.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{Error, Result};

#[derive(Default)]
struct BioState {
    buf: VecDeque<u8>,
    eof_written: bool,
}

/// Python's `ssl.MemoryBIO`. Cloning gives another handle to the same buffer.
#[doc(alias = "MemoryBIO")]
#[derive(Clone, Default)]
pub struct MemoryBio {
    state: Arc<Mutex<BioState>>,
}

impl BioState {
    /// Drops `n` bytes from the front; a drained buffer gives its memory back, so an
    /// idle connection's BIOs hold nothing (one allocation per flight or record
    /// written, none kept).
    fn drain_front(&mut self, n: usize) {
        self.buf.drain(..n);
        if self.buf.is_empty() && self.buf.capacity() > 0 {
            self.buf = VecDeque::new();
        }
    }
}

/// The first `n` bytes of `queue` (at most all), in its two pieces.
fn front(queue: &VecDeque<u8>, n: usize) -> (&[u8], &[u8]) {
    let (head, tail) = queue.as_slices();
    let n = n.min(queue.len());
    let first = n.min(head.len());
    (&head[..first], &tail[..n - first])
}

/// Copies the front of `queue` into `out` (as much as both hold); how many bytes.
pub(crate) fn copy_front(queue: &VecDeque<u8>, out: &mut [u8]) -> usize {
    let (a, b) = front(queue, out.len());
    out[..a.len()].copy_from_slice(a);
    out[a.len()..a.len() + b.len()].copy_from_slice(b);
    a.len() + b.len()
}

impl std::fmt::Debug for MemoryBio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("MemoryBio")
            .field("pending", &s.buf.len())
            .field("eof_written", &s.eof_written)
            .finish()
    }
}

impl MemoryBio {
    /// `ssl.MemoryBIO()`: an empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, BioState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether two handles share one buffer.
    pub fn same_bio(&self, other: &MemoryBio) -> bool {
        Arc::ptr_eq(&self.state, &other.state)
    }

    /// `MemoryBIO.pending`: bytes waiting to be read.
    pub fn pending(&self) -> usize {
        self.lock().buf.len()
    }

    /// `MemoryBIO.eof`: `write_eof()` was called and every byte has been read.
    pub fn eof(&self) -> bool {
        let s = self.lock();
        s.eof_written && s.buf.is_empty()
    }

    /// Nothing buffered and no `write_eof()` (one look at the state).
    #[cfg(feature = "tokio")]
    pub(crate) fn is_idle(&self) -> bool {
        let s = self.lock();
        !s.eof_written && s.buf.is_empty()
    }

    /// `MemoryBIO.write(data)`: appends and returns the length.
    /// After `write_eof()`: `SSLError('cannot write() after write_eof()')`.
    pub fn write(&self, data: &[u8]) -> Result<usize> {
        self.write_slices(&[std::io::IoSlice::new(data)])
    }

    /// [`write`](Self::write) of several pieces in order (one growth of the buffer).
    pub(crate) fn write_slices(&self, data: &[std::io::IoSlice<'_>]) -> Result<usize> {
        let mut s = self.lock();
        if s.eof_written {
            return Err(Error::ssl_text("cannot write() after write_eof()"));
        }
        let total = data.iter().map(|d| d.len()).sum();
        s.buf.reserve(total);
        for d in data {
            s.buf.extend(d.iter());
        }
        Ok(total)
    }

    /// `MemoryBIO.write_eof()`: no more data will be written.
    pub fn write_eof(&self) {
        self.lock().eof_written = true;
    }

    /// `MemoryBIO.read(n)`: up to `n` bytes (`None` = all).
    pub fn read(&self, n: Option<usize>) -> Vec<u8> {
        let mut s = self.lock();
        let (a, b) = front(&s.buf, n.unwrap_or(usize::MAX));
        let out = [a, b].concat();
        s.drain_front(out.len());
        out
    }

    /// Lends the buffered bytes to `f` as a queue (the BIO stays locked meanwhile); a
    /// queue `f` drains gives back its capacity as in `read`.
    pub(crate) fn with_queue<T>(&self, f: impl FnOnce(&mut VecDeque<u8>) -> T) -> T {
        let mut s = self.lock();
        let out = f(&mut s.buf);
        s.drain_front(0);
        out
    }

    /// Writes the front bytes to `w` with one `write` call and drops what it took
    /// (`Ok(0)`: nothing buffered).
    pub(crate) fn write_front_to(&self, w: &mut impl std::io::Write) -> std::io::Result<usize> {
        self.drain_front_with(|front| w.write(front))
    }

    /// Hands the front bytes to `sink` (one call; it returns how many it took) and drops
    /// what it took (`Ok(0)`: nothing buffered, or the sink took nothing).
    pub(crate) fn drain_front_with(
        &self,
        sink: impl FnOnce(&[u8]) -> std::io::Result<usize>,
    ) -> std::io::Result<usize> {
        let mut s = self.lock();
        let front = s.buf.as_slices().0;
        if front.is_empty() {
            return Ok(0);
        }
        let n = sink(front)?.min(front.len());
        s.drain_front(n);
        Ok(n)
    }

    /// Copies up to `out.len()` bytes from the front without consuming them.
    pub fn peek(&self, out: &mut [u8]) -> usize {
        copy_front(&self.lock().buf, out)
    }

    /// Whether `write_eof()` was called (bytes may remain).
    pub(crate) fn eof_written(&self) -> bool {
        self.lock().eof_written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpython_memorybio_semantics() {
        let bio = MemoryBio::new();
        assert_eq!(bio.pending(), 0);
        assert!(!bio.eof());
        assert_eq!(bio.write(b"foo").unwrap(), 3);
        assert_eq!(bio.write(b"").unwrap(), 0);
        assert_eq!(bio.read(Some(2)), b"fo");
        bio.write_eof();
        assert!(!bio.eof(), "eof only once drained");
        assert_eq!(bio.read(None), b"o");
        assert!(bio.eof());
        let err = bio.write(b"x").unwrap_err();
        assert_eq!(err.to_string(), "('cannot write() after write_eof()',)");
        assert_eq!(bio.read(Some(5)), b"");
        assert_eq!(bio.read(Some(0)), b"");
    }

    /// A writer that takes at most 3 bytes per call.
    struct Trickle(Vec<u8>);

    impl std::io::Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = buf.len().min(3);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn write_slices_appends_every_piece_in_order_and_respects_eof() {
        let bio = MemoryBio::new();
        let pieces = [
            std::io::IoSlice::new(b"ab"),
            std::io::IoSlice::new(b""),
            std::io::IoSlice::new(b"cde"),
        ];
        assert_eq!(bio.write_slices(&pieces).unwrap(), 5);
        assert_eq!(bio.read(None), b"abcde");
        bio.write_eof();
        assert!(bio.write_slices(&pieces).is_err());
        assert_eq!(bio.pending(), 0);
    }

    #[test]
    fn write_front_to_drains_in_order_across_partial_writes_and_wraparound() {
        let bio = MemoryBio::new();
        bio.write(b"0123456789").unwrap();
        assert_eq!(bio.read(Some(6)), b"012345");
        // The queue's front now wraps around its buffer.
        bio.write(b"abcdefghij").unwrap();
        let mut out = Trickle(Vec::new());
        while bio.write_front_to(&mut out).unwrap() > 0 {}
        assert_eq!(out.0, b"6789abcdefghij");
        assert_eq!(bio.pending(), 0);
        assert_eq!(bio.write_front_to(&mut out).unwrap(), 0);
    }
}
