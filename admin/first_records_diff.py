#!/usr/bin/env python3
"""Differential check of a server's answers to mutated first records.

Sends the same randomly mutated ClientHellos and record sequences to a CPython server
(OpenSSL 3.0) and to `sslctx serve` (this crate), and prints every payload whose answer
differs: the bytes sent back before the first flight (the alert record) and the
server's exception reason. Not a test (a few rare mutations still differ, see
admin/README.md); a tool for finding the next class of behaviour to match.

    cargo build --features cli --bin sslctx
    python3 admin/first_records_diff.py [SEED] [COUNT]
"""
import json
import os
import random
import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings

warnings.simplefilter("ignore")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CERTS = os.path.join(ROOT, "tests/data/conformance/certs")
CERT = os.path.join(CERTS, "chains/leaf-ec.chain.pem")
KEY = os.path.join(CERTS, "pki/leaf-ec.key")
SSLCTX = os.path.join(ROOT, "target/debug/sslctx")
WAIT = 0.7
V = ssl.TLSVersion


def capture(maxv, minv=None):
    """A ClientHello record made by CPython's own client."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    got = {}

    def srv():
        c, _ = ls.accept()
        c.settimeout(5)
        data = b""
        while len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big"):
            d = c.recv(4096)
            if not d:
                break
            data += d
        got["hello"] = data
        c.close()

    t = threading.Thread(target=srv)
    t.start()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers("DEFAULT@SECLEVEL=0")
    if minv:
        ctx.minimum_version = minv
    ctx.maximum_version = maxv
    s = socket.create_connection(("127.0.0.1", ls.getsockname()[1]))
    try:
        ctx.wrap_socket(s, server_hostname="localhost")
    except Exception:
        pass
    t.join()
    ls.close()
    return got["hello"]


def rec(t, v, body):
    return bytes([t]) + v.to_bytes(2, "big") + len(body).to_bytes(2, "big") + body


def mutate(hellos):
    h = hellos[random.choice(list(hellos))]
    body = h[5:]
    k = random.randrange(10)
    if k == 0:  # the hello in fragments of random record versions
        out, i = b"", 0
        while i < len(body):
            n = random.randint(1, 60)
            out += rec(22, random.choice([0x0300, 0x0301, 0x0302, 0x0303, 0x0304]), body[i:i + n])
            i += n
        return out
    if k == 1:  # cut short
        return rec(22, 0x0301, body[:random.randint(0, len(body))])
    if k == 2:  # another handshake length
        b = bytearray(body)
        b[1:4] = random.randint(0, 300).to_bytes(3, "big")
        return rec(22, 0x0301, bytes(b))
    if k == 3:  # another record between two halves
        half = len(body) // 2
        mid = rec(random.choice([20, 21, 23, 24]), 0x0303, bytes([1, 0]))
        return rec(22, 0x0301, body[:half]) + mid + rec(22, 0x0301, body[half:])
    if k == 4:  # another legacy_version
        b = bytearray(body)
        b[4:6] = random.choice([b"\x03\x00", b"\x03\x04", b"\x02\x00", b"\x03\x05", b"\xfe\xfd", b"\x7f\x17"])
        return rec(22, 0x0301, bytes(b))
    if k == 5:  # flipped bytes
        b = bytearray(h)
        for _ in range(random.randint(1, 4)):
            b[random.randrange(5, len(b))] = random.randrange(256)
        return bytes(b)
    if k == 6:  # empty records first
        return b"".join(rec(random.choice([20, 22]), 0x0303, b"") for _ in range(random.randint(1, 40))) + h
    if k == 7:  # two hellos in one record
        return rec(22, 0x0301, body + body)
    if k == 8:  # a record of any type or version after the hello
        return h + rec(random.randrange(256), random.choice([0x0303, 0x0909]), b"\x00" * random.randint(0, 10))
    return rec(22, random.choice([0x0301, 0x0303]),
               bytes([random.choice([0, 1, 2, 11, 20, 255])]) + random.randbytes(random.randint(0, 40)))


def probe(port, data):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(WAIT)
    s.sendall(data)
    out = b""
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            out += d
    except OSError:
        pass
    s.close()
    return b"<handshake>" if out[:1] == b"\x16" else out


def reference(payloads):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(5)
    errors = []

    def srv():
        for _ in payloads:
            c, _ = ls.accept()
            c.settimeout(WAIT)
            try:
                ctx.wrap_socket(c, server_side=True)
                errors.append(None)
            except Exception as e:
                errors.append(getattr(e, "reason", None) or type(e).__name__)
            c.close()

    threading.Thread(target=srv, daemon=True).start()
    out = []
    for p in payloads:
        reply = probe(ls.getsockname()[1], p)
        while len(errors) <= len(out):
            time.sleep(0.01)
        out.append((reply, errors[len(out)]))
    return out


def ours(payloads):
    srv = subprocess.Popen([SSLCTX, "serve", "--certfile", CERT, "--keyfile", KEY, "--timeout", "1",
                            "--max-clients", "1"], stdout=subprocess.PIPE, text=True)
    port = json.loads(srv.stdout.readline())["listening"]
    out = []
    for p in payloads:
        reply = probe(port, p)
        e = json.loads(srv.stdout.readline()).get("error") or {}
        out.append((reply, e.get("reason") or (e.get("type", "").replace("ssl.", "") or None)))
    srv.kill()
    return out


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    random.seed(seed)
    hellos = {"tls10": capture(V.TLSv1, V.TLSv1), "tls11": capture(V.TLSv1_1, V.TLSv1),
              "tls12": capture(V.TLSv1_2), "tls13only": capture(V.TLSv1_3, V.TLSv1_3)}
    payloads = [mutate(hellos) for _ in range(count)]
    waiting = {"TimeoutError", "SSLEOFError", "UNEXPECTED_EOF_WHILE_READING", "SSLWantReadError", None}
    differ = 0
    for p, (r_reply, r_err), (o_reply, o_err) in zip(payloads, reference(payloads), ours(payloads)):
        same_err = r_err == o_err or (r_err in waiting and o_err in waiting)
        if r_reply != o_reply or not same_err:
            differ += 1
            print(f"{p[:40].hex()}: OpenSSL {r_reply.hex() or '-'} {r_err} / ours {o_reply.hex() or '-'} {o_err}")
    print(f"seed {seed}: {differ} of {count} differ")


if __name__ == "__main__":
    main()
