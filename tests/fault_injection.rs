//! Fault injection on live in-memory handshakes between our client and our server.
//!
//! A clean TLS 1.2 and a clean TLS 1.3 exchange are recorded first: every flight
//! (whatever one side's outgoing buffer holds after one step), in both directions,
//! through the handshake and one application message each way. Then each case reruns
//! the exchange and tampers with exactly one flight on its way to the receiver:
//!
//! * truncation at every byte offset, then EOF: the receiver must raise `SSLEOFError`;
//! * one byte XOR-ed with each of five masks at every offset: both sides end, each
//!   either done with byte-identical plaintext or with an error of the `SSLError`
//!   family (never `OSError`, `ValueError`, a panic or a hang);
//! * delivery in 1-byte pieces and in seeded random partitions (the receiver steps
//!   after every piece): both sides must complete with identical plaintext;
//! * the flight replaced by a plaintext close_notify alert (every handshake state),
//!   by oversize records and by non-TLS bytes: an `SSLError`-family error.
//!
//! Every run is bounded (`MAX_STEPS`); when nothing moves, EOF is delivered to both
//! sides once, after which both must have ended. The case count is printed.

mod common;

use common::{cert_path, server_ctx};
use sslcontext::{Error, MemoryBio, SslContext, SslObject, TlsVersion, WrapOptions};

const MAX_STEPS: usize = 64;
const MSG_C: &[u8] = b"GET /fault-injection HTTP/1.1\r\nHost: localhost\r\n\r\n";
const MSG_S: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
const FLIP_MASKS: [u8; 5] = [0x01, 0x02, 0x10, 0x80, 0xff];
const PARTITION_SEEDS: u64 = 60;

#[derive(Clone, Debug)]
enum Fault {
    None,
    Truncate(usize),
    Flip(usize, u8),
    Pieces(Vec<usize>),
    Replace(Vec<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Both sides finish and every plaintext byte arrives unchanged.
    Complete,
    /// The receiver raises `SSLEOFError`.
    Eof,
    /// Either outcome above, or an error of the `SSLError` family on some side.
    CompleteOrSslError,
    /// Some side raises an `SSLError`-family error.
    SslError,
}

#[derive(Debug)]
enum State {
    Handshake,
    Write(&'static [u8]),
    Read(&'static [u8], Vec<u8>),
    Done,
    Failed(Error),
}

struct Side {
    obj: SslObject,
    incoming: MemoryBio,
    outgoing: MemoryBio,
    state: State,
    server: bool,
}

impl Side {
    fn terminal(&self) -> bool {
        matches!(self.state, State::Done | State::Failed(_))
    }

    fn next(&self) -> State {
        match (&self.state, self.server) {
            (State::Handshake, false) => State::Write(MSG_C),
            (State::Handshake, true) => State::Read(MSG_C, Vec::new()),
            (State::Write(_), false) => State::Read(MSG_S, Vec::new()),
            (State::Read(..), true) => State::Write(MSG_S),
            _ => State::Done,
        }
    }

    /// One action; true when the state changed.
    fn step(&mut self) -> Result<bool, String> {
        let result = match &mut self.state {
            State::Done | State::Failed(_) => return Ok(false),
            State::Handshake => self.obj.do_handshake().map(|()| true),
            State::Write(msg) => self.obj.write(msg).map(|_| true),
            State::Read(want, got) => {
                let mut buf = [0u8; 4096];
                match self.obj.read_into(&mut buf) {
                    Ok(0) => Err(Error::SslZeroReturnError(
                        sslcontext::SslErrorInfo::with_errno(6, "read() returned 0 (close_notify)"),
                    )),
                    Ok(n) => {
                        got.extend_from_slice(&buf[..n]);
                        if !want.starts_with(got) {
                            return Err(format!(
                                "plaintext differs: got {:?}",
                                String::from_utf8_lossy(got)
                            ));
                        }
                        Ok(got.len() == want.len())
                    }
                    Err(e) => Err(e),
                }
            }
        };
        match result {
            Ok(true) => {
                self.state = self.next();
                Ok(true)
            }
            Ok(false) => Ok(true),
            Err(Error::SslWantReadError(_)) => Ok(false),
            Err(e) => {
                if !e.python_class().starts_with("ssl.") {
                    return Err(format!("non-SSL error class {}: {e}", e.python_class()));
                }
                self.state = State::Failed(e);
                Ok(true)
            }
        }
    }
}

fn new_side(ctx: &SslContext, server: bool) -> Side {
    let (incoming, outgoing) = (MemoryBio::new(), MemoryBio::new());
    let opts = if server {
        WrapOptions::server()
    } else {
        WrapOptions::client("localhost")
    };
    let obj = ctx.wrap_bio(&incoming, &outgoing, opts).unwrap();
    Side {
        obj,
        incoming,
        outgoing,
        state: State::Handshake,
        server,
    }
}

struct Setup {
    server: SslContext,
    version: TlsVersion,
}

impl Setup {
    fn new(version: TlsVersion) -> Self {
        let server = server_ctx("leaf-ec");
        server.set_minimum_version(version).unwrap();
        server.set_maximum_version(version).unwrap();
        Setup { server, version }
    }

    /// A fresh client context each run: ours resumes sessions from its per-context
    /// cache, which would change the flights.
    fn client(&self) -> SslContext {
        let ctx = SslContext::new(sslcontext::Protocol::TlsClient).unwrap();
        ctx.load_verify_locations(Some(&cert_path("pki/root-ec.pem")), None, None)
            .unwrap();
        ctx.set_minimum_version(self.version).unwrap();
        ctx.set_maximum_version(self.version).unwrap();
        ctx
    }
}

struct Outcome {
    flights: Vec<(bool, usize)>,
    client: State,
    server: State,
    receiver_of_fault: Option<bool>,
}

/// Runs one exchange, applying `fault` to flight number `target` (counted over both
/// directions in order). Returns the flights seen (direction: true = from server).
fn run(setup: &Setup, target: usize, fault: &Fault) -> Result<Outcome, String> {
    let client_ctx = setup.client();
    let mut sides = [new_side(&client_ctx, false), new_side(&setup.server, true)];
    let mut flights = Vec::new();
    let mut eof_sent = [false, false];
    let mut receiver_of_fault = None;
    let mut steps = 0;
    loop {
        steps += 1;
        if steps > MAX_STEPS {
            return Err(format!(
                "no end after {MAX_STEPS} steps: client {:?}, server {:?}",
                sides[0].state, sides[1].state
            ));
        }
        let mut progress = false;
        for from in 0..2 {
            let to = 1 - from;
            progress |= sides[from].step()?;
            let bytes = sides[from].outgoing.read(None);
            if bytes.is_empty() {
                continue;
            }
            progress = true;
            let index = flights.len();
            flights.push((from == 1, bytes.len()));
            if eof_sent[to] {
                continue;
            }
            if index != target {
                sides[to].incoming.write(&bytes).unwrap();
                continue;
            }
            receiver_of_fault = Some(to == 1);
            match fault {
                Fault::None => {
                    sides[to].incoming.write(&bytes).unwrap();
                }
                Fault::Truncate(at) => {
                    let at = (*at).min(bytes.len() - 1);
                    sides[to].incoming.write(&bytes[..at]).unwrap();
                    sides[to].incoming.write_eof();
                    eof_sent[to] = true;
                }
                Fault::Flip(at, mask) => {
                    let mut b = bytes.clone();
                    let at = at % b.len();
                    b[at] ^= mask;
                    sides[to].incoming.write(&b).unwrap();
                }
                Fault::Pieces(sizes) => {
                    let mut rest = &bytes[..];
                    let mut i = 0;
                    while !rest.is_empty() {
                        let n = sizes[i % sizes.len()].clamp(1, rest.len());
                        i += 1;
                        sides[to].incoming.write(&rest[..n]).unwrap();
                        rest = &rest[n..];
                        sides[to].step()?;
                    }
                }
                Fault::Replace(with) => {
                    sides[to].incoming.write(with).unwrap();
                }
            }
        }
        if sides.iter().all(Side::terminal) {
            break;
        }
        if !progress {
            if eof_sent.iter().all(|&e| e) {
                return Err(format!(
                    "stuck after EOF: client {:?}, server {:?}",
                    sides[0].state, sides[1].state
                ));
            }
            for (i, side) in sides.iter().enumerate() {
                if !eof_sent[i] {
                    side.incoming.write_eof();
                    eof_sent[i] = true;
                }
            }
        }
    }
    let [c, s] = sides;
    Ok(Outcome {
        flights,
        client: c.state,
        server: s.state,
        receiver_of_fault,
    })
}

/// A short label of how a run ended, for the printed tally.
fn label(out: &Outcome) -> String {
    let one = |s: &State| match s {
        State::Done => "done".to_string(),
        State::Failed(e) => e.python_class().trim_start_matches("ssl.").to_string(),
        other => format!("{other:?}"),
    };
    format!("client {} / server {}", one(&out.client), one(&out.server))
}

fn check(setup: &Setup, target: usize, fault: &Fault, expect: Expect) -> Result<String, String> {
    let describe = |msg: String| {
        let mut f = format!("{fault:?}");
        f.truncate(80);
        format!("{:?} flight {target} {f}: {msg}", setup.version)
    };
    let out = run(setup, target, fault).map_err(describe)?;
    let done = |s: &State| matches!(s, State::Done);
    let ssl_failed = |s: &State| matches!(s, State::Failed(_));
    let ok = match expect {
        Expect::Complete => done(&out.client) && done(&out.server),
        Expect::Eof => {
            let receiver = if out.receiver_of_fault == Some(true) {
                &out.server
            } else {
                &out.client
            };
            matches!(receiver, State::Failed(Error::SslEofError(_)))
        }
        Expect::CompleteOrSslError => {
            (done(&out.client) || ssl_failed(&out.client))
                && (done(&out.server) || ssl_failed(&out.server))
        }
        Expect::SslError => ssl_failed(&out.client) || ssl_failed(&out.server),
    };
    if ok {
        Ok(label(&out))
    } else {
        Err(describe(format!(
            "expected {expect:?}; client {:?}, server {:?}",
            out.client, out.server
        )))
    }
}

/// A small deterministic generator (splitmix64) for the random partitions.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn cases_for(flights: &[(bool, usize)]) -> Vec<(usize, Fault, Expect)> {
    let mut cases = Vec::new();
    for (target, &(_, len)) in flights.iter().enumerate() {
        for at in 0..len {
            cases.push((target, Fault::Truncate(at), Expect::Eof));
        }
        for mask in FLIP_MASKS {
            for at in 0..len {
                cases.push((target, Fault::Flip(at, mask), Expect::CompleteOrSslError));
            }
        }
        cases.push((target, Fault::Pieces(vec![1]), Expect::Complete));
        for seed in 0..PARTITION_SEEDS {
            let mut st = seed * 1000 + target as u64;
            let sizes: Vec<usize> = (0..16)
                .map(|_| 1 + (splitmix(&mut st) % 300) as usize)
                .collect();
            cases.push((target, Fault::Pieces(sizes), Expect::Complete));
        }
        let close_notify = vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00];
        cases.push((target, Fault::Replace(close_notify), Expect::SslError));
        for content_type in [0x16u8, 0x17] {
            let mut oversize = vec![content_type, 0x03, 0x03, 0x48, 0x01];
            oversize.resize(5 + 0x4801, 0x42);
            cases.push((target, Fault::Replace(oversize), Expect::SslError));
        }
        cases.push((
            target,
            Fault::Replace(b"GET / HTTP/1.1\r\n\r\n".to_vec()),
            Expect::SslError,
        ));
        cases.push((
            target,
            Fault::Replace(b"CONNECT localhost:443 HTTP/1.1\r\n\r\n".to_vec()),
            Expect::SslError,
        ));
        let mut st = target as u64;
        let noise: Vec<u8> = (0..200).map(|_| splitmix(&mut st) as u8).collect();
        cases.push((target, Fault::Replace(noise), Expect::SslError));
        cases.push((
            target,
            Fault::Replace(vec![0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15]),
            Expect::SslError,
        ));
    }
    cases
}

#[test]
fn fault_injection_tls12_and_tls13() {
    let mut total = 0usize;
    let mut failures = Vec::new();
    let mut tally = std::collections::BTreeMap::<String, usize>::new();
    for version in [TlsVersion::TLSv1_3, TlsVersion::TLSv1_2] {
        let setup = Setup::new(version);
        // The clean recording: every flight, in order, and a complete exchange.
        let clean = run(&setup, usize::MAX, &Fault::None).expect("clean run");
        assert!(matches!(clean.client, State::Done), "{:?}", clean.client);
        assert!(matches!(clean.server, State::Done), "{:?}", clean.server);
        assert!(clean.flights.len() >= 5, "{:?}", clean.flights);
        println!(
            "{version:?} flights (from_server, bytes): {:?}",
            clean.flights
        );
        let cases = cases_for(&clean.flights);
        let half = cases.len() / 2;
        let (a, b) = cases.split_at(half);
        #[allow(clippy::type_complexity)]
        let results: Vec<(
            usize,
            Vec<String>,
            std::collections::BTreeMap<String, usize>,
        )> = std::thread::scope(|scope| {
            let handles: Vec<_> = [a, b]
                .into_iter()
                .map(|part| {
                    let setup = Setup {
                        server: setup.server.clone(),
                        version,
                    };
                    scope.spawn(move || {
                        let mut errs = Vec::new();
                        let mut tally = std::collections::BTreeMap::<String, usize>::new();
                        for (target, fault, expect) in part {
                            match check(&setup, *target, fault, *expect) {
                                Ok(l) => *tally.entry(l).or_default() += 1,
                                Err(e) => errs.push(e),
                            }
                        }
                        (part.len(), errs, tally)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (n, errs, t) in results {
            total += n;
            failures.extend(errs);
            for (k, v) in t {
                *tally.entry(format!("{version:?}: {k}")).or_default() += v;
            }
        }
    }
    for (k, v) in &tally {
        println!("  {v:6}  {k}");
    }
    println!(
        "fault injection: {total} cases, {} failures",
        failures.len()
    );
    // Both outcomes occur: the harness can tell success from failure.
    assert!(tally
        .keys()
        .any(|k| k.ends_with("client done / server done")));
    assert!(tally.keys().any(|k| k.contains("SSLEOFError")));
    assert!(total >= 25_000, "only {total} cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed; first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}
