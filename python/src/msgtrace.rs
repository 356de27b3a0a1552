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
use pyo3::{PyTraverseError, PyVisit};
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

/// One message-callback call: `(version, content_type, msg_type, data)` and its
/// direction.
struct Event {
    write: bool,
    version: u16,
    content_type: u16,
    msg_type: i32,
    data: Vec<u8>,
}

/// The tracer of one connection. It only collects what it sees; the calls are made
/// once the operation is over and the connection is unlocked ([`MsgTrace::take`]),
/// so that a callback may use its connection.
pub struct MsgTrace {
    callback: Py<PyAny>,
    /// The object passed as `conn` (the `ssl.SSLSocket`), held weakly.
    owner: Option<Py<PyWeakrefReference>>,
    read: Direction,
    write: Direction,
    events: Vec<Event>,
}

/// The calls one operation owes the callback.
pub struct Calls {
    callback: Py<PyAny>,
    owner: Option<Py<PyWeakrefReference>>,
    events: Vec<Event>,
}

impl Calls {
    /// Makes the calls in order; the first exception a callback raised (the rest
    /// are still made, as OpenSSL goes on after a failed callback).
    pub fn make(self, py: Python<'_>) -> Option<PyErr> {
        let conn = self
            .owner
            .as_ref()
            .and_then(|w| w.bind(py).upgrade())
            .map(Bound::unbind)
            .unwrap_or_else(|| py.None());
        let mut error = None;
        for e in self.events {
            let direction = if e.write { "write" } else { "read" };
            let result = self.callback.bind(py).call1((
                conn.clone_ref(py),
                direction,
                e.version,
                e.content_type,
                e.msg_type,
                PyBytes::new(py, &e.data),
            ));
            if let Err(err) = result {
                error.get_or_insert(err);
            }
        }
        error
    }
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
            events: Vec::new(),
        }
    }

    /// Shows the garbage collector the callback this tracer holds.
    pub fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.callback)
    }

    /// The calls collected since the last `take` (none: `None`).
    pub fn take(&mut self, py: Python<'_>) -> Option<Calls> {
        if self.events.is_empty() {
            return None;
        }
        Some(Calls {
            callback: self.callback.clone_ref(py),
            owner: self.owner.as_ref().map(|o| o.clone_ref(py)),
            events: std::mem::take(&mut self.events),
        })
    }

    /// Feeds bytes that went over the connection in one direction.
    pub fn feed(&mut self, write: bool, bytes: &[u8]) {
        let dir = if write {
            &mut self.write
        } else {
            &mut self.read
        };
        dir.record.extend_from_slice(bytes);
        let events = &mut self.events;
        let mut push = |version: u16, content_type: u16, msg_type: i32, data: &[u8]| {
            events.push(Event {
                write,
                version,
                content_type,
                msg_type,
                data: data.to_vec(),
            })
        };
        while dir.record.len() >= 5 {
            let len = usize::from(u16::from_be_bytes([dir.record[3], dir.record[4]]));
            if dir.record.len() < 5 + len {
                break;
            }
            let record: Vec<u8> = dir.record.drain(..5 + len).collect();
            let (ty, version) = (record[0], u16::from_be_bytes([record[1], record[2]]));
            let body = &record[5..];
            push(version, RT_HEADER, i32::from(ty), &record[..5]);
            if dir.encrypted {
                continue;
            }
            match ty {
                20 => {
                    push(version, 20, MT_CHANGE_CIPHER_SPEC, body);
                    // What follows in this direction is under the new keys.
                    dir.encrypted = true;
                    dir.handshake.clear();
                }
                21 => {
                    let msg_type = body.first().map_or(-1, |b| i32::from(*b));
                    push(version, 21, msg_type, body);
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
                        push(version, 22, i32::from(msg[0]), &msg);
                    }
                }
                _ => {
                    dir.encrypted = true;
                    dir.handshake.clear();
                }
            }
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

    /// Shows the garbage collector the callback this tracer holds.
    pub fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        self.trace.traverse(visit)
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

    /// The calls the moved bytes owe the callback.
    pub fn calls(&mut self, py: Python<'_>, moved: &Moved) -> Option<Calls> {
        self.trace.feed(false, &moved.read);
        self.trace.feed(true, &moved.written);
        self.trace.take(py)
    }
}
