//! `_msg_callback` for connections over Python sockets: a passive tracer of the TLS
//! records the socket carries, reporting what is visible on the wire as OpenSSL's
//! message callback reports it: every record header (`content_type` 256, the record's
//! version, `msg_type` = the record type), and, while a direction is still in clear
//! text, each handshake message (22, its type), ChangeCipherSpec (20, 0x0101) and
//! alert (21). Encrypted messages (TLS 1.3's handshake after the ServerHello, TLS
//! 1.2's Finished, every alert after the keys change) cannot be reported: rustls
//! exposes no message hook, so only their record headers are. Connections over
//! memory BIOs are traced the same way from what each operation took from the
//! incoming BIO and added to the outgoing one ([`BioTrace`]).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyWeakrefReference};
use sslcontext::MemoryBio;

/// OpenSSL's `SSL3_RT_HEADER` pseudo content type.
const RT_HEADER: u16 = 256;
/// OpenSSL's `SSL3_MT_CHANGE_CIPHER_SPEC`.
const MT_CHANGE_CIPHER_SPEC: i32 = 0x0101;

/// One direction's parsing state.
#[derive(Default)]
struct Direction {
    /// Bytes of an incomplete record.
    record: Vec<u8>,
    /// Bytes of an incomplete handshake message (messages may span records).
    handshake: Vec<u8>,
    /// The keys changed (ChangeCipherSpec in TLS 1.2, or an application-data record):
    /// only record headers are visible from here on.
    encrypted: bool,
}

/// The tracer of one connection.
pub struct MsgTrace {
    callback: Py<PyAny>,
    /// The object passed as `conn` (the `ssl.SSLSocket`), held weakly.
    owner: Option<Py<PyWeakrefReference>>,
    read: Direction,
    write: Direction,
    /// The first exception a callback raised, raised after the operation.
    pub error: Option<PyErr>,
}

impl MsgTrace {
    /// A tracer calling `callback(conn, direction, version, content_type, msg_type,
    /// data)`.
    pub fn new(callback: Py<PyAny>, owner: Option<Py<PyWeakrefReference>>) -> Self {
        MsgTrace {
            callback,
            owner,
            read: Direction::default(),
            write: Direction::default(),
            error: None,
        }
    }

    fn call(
        &mut self,
        py: Python<'_>,
        write: bool,
        version: u16,
        content_type: u16,
        msg_type: i32,
        data: &[u8],
    ) {
        let conn = self
            .owner
            .as_ref()
            .and_then(|w| w.bind(py).upgrade())
            .map(Bound::unbind)
            .unwrap_or_else(|| py.None());
        let direction = if write { "write" } else { "read" };
        let result = self.callback.bind(py).call1((
            conn,
            direction,
            version,
            content_type,
            msg_type,
            PyBytes::new(py, data),
        ));
        if let Err(e) = result {
            self.error.get_or_insert(e);
        }
    }

    /// Feeds bytes that went over the socket in one direction.
    pub fn feed(&mut self, py: Python<'_>, write: bool, bytes: &[u8]) {
        let dir = if write {
            &mut self.write
        } else {
            &mut self.read
        };
        dir.record.extend_from_slice(bytes);
        let mut events: Vec<(u16, u16, i32, Vec<u8>)> = Vec::new();
        loop {
            let dir = if write {
                &mut self.write
            } else {
                &mut self.read
            };
            if dir.record.len() < 5 {
                break;
            }
            let len = usize::from(u16::from_be_bytes([dir.record[3], dir.record[4]]));
            if dir.record.len() < 5 + len {
                break;
            }
            let record: Vec<u8> = dir.record.drain(..5 + len).collect();
            let (ty, version) = (record[0], u16::from_be_bytes([record[1], record[2]]));
            let body = &record[5..];
            events.push((version, RT_HEADER, i32::from(ty), record[..5].to_vec()));
            if dir.encrypted {
                continue;
            }
            match ty {
                20 => {
                    events.push((version, 20, MT_CHANGE_CIPHER_SPEC, body.to_vec()));
                    // What follows in this direction is under the new keys.
                    dir.encrypted = true;
                    dir.handshake.clear();
                }
                21 => {
                    let msg_type = body.first().map_or(-1, |b| i32::from(*b));
                    events.push((version, 21, msg_type, body.to_vec()));
                }
                22 => {
                    dir.handshake.extend_from_slice(body);
                    while dir.handshake.len() >= 4 {
                        let h = &dir.handshake;
                        let mlen = (usize::from(h[1]) << 16)
                            | (usize::from(h[2]) << 8)
                            | usize::from(h[3]);
                        if h.len() < 4 + mlen {
                            break;
                        }
                        let msg: Vec<u8> = dir.handshake.drain(..4 + mlen).collect();
                        events.push((version, 22, i32::from(msg[0]), msg));
                    }
                }
                _ => {
                    dir.encrypted = true;
                    dir.handshake.clear();
                }
            }
        }
        for (version, content_type, msg_type, data) in events {
            self.call(py, write, version, content_type, msg_type, &data);
        }
    }
}

/// The tracer of a connection over memory BIOs: around each operation it notes what
/// the incoming BIO held and how long the outgoing one was, and afterwards reports
/// the bytes the operation consumed and produced (reads first, then writes).
pub struct BioTrace {
    trace: MsgTrace,
    incoming: MemoryBio,
    outgoing: MemoryBio,
}

/// The BIOs' state before an operation.
pub struct BeforeOp {
    incoming: Vec<u8>,
    outgoing_len: usize,
}

/// The bytes one operation moved: consumed from the incoming BIO, added to the
/// outgoing one.
pub struct Moved {
    read: Vec<u8>,
    written: Vec<u8>,
}

impl BioTrace {
    /// A tracer of the connection between `incoming` and `outgoing`.
    pub fn new(trace: MsgTrace, incoming: MemoryBio, outgoing: MemoryBio) -> Self {
        BioTrace {
            trace,
            incoming,
            outgoing,
        }
    }

    /// Notes the BIOs before an operation.
    pub fn before(&self) -> BeforeOp {
        let mut incoming = vec![0u8; self.incoming.pending()];
        let n = self.incoming.peek(&mut incoming);
        incoming.truncate(n);
        BeforeOp {
            incoming,
            outgoing_len: self.outgoing.pending(),
        }
    }

    /// What the operation moved, read off the BIOs right after it.
    pub fn moved(&self, before: BeforeOp) -> Moved {
        let mut read = before.incoming;
        read.truncate(read.len().saturating_sub(self.incoming.pending()));
        let mut out = vec![0u8; self.outgoing.pending()];
        let n = self.outgoing.peek(&mut out);
        out.truncate(n);
        let written = out.split_off(before.outgoing_len.min(n));
        Moved { read, written }
    }

    /// Reports the moved bytes to the callback; the first exception it raised.
    pub fn report(&mut self, py: Python<'_>, moved: &Moved) -> Option<PyErr> {
        self.trace.feed(py, false, &moved.read);
        self.trace.feed(py, true, &moved.written);
        self.trace.error.take()
    }
}
