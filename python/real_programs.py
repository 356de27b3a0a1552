#!/usr/bin/env python3
"""Real programs, unchanged, on our `_ssl`: `http.server` wrapped in TLS serving
`urllib.request` on loopback, and an asyncio TLS echo server and client; and what
CPython's own suites leave out: `_msg_callback` over memory BIOs.

Usage (from the repository root):

    python3 python/real_programs.py            # build the module, run the programs
    python3 python/real_programs.py --lib PATH # use an already built lib_ssl.so

Like `run_test_ssl.py`, it puts our library first on PYTHONPATH as `_ssl` and runs
the checks in a fresh interpreter, which first makes sure `ssl` really runs on it.
The certificates are test_ssl's (`keycert3.pem`, for `localhost`, signed by
`pycacert.pem`), from the interpreter's installed test package.
"""
import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class RealPrograms(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import ssl
        import test.test_ssl as t

        cls.assertTrue(cls, ssl._ssl.__file__.startswith(os.environ["SSLCONTEXT_SHADOW"]))
        cls.server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cls.server_ctx.load_cert_chain(t.SIGNED_CERTFILE)
        cls.client_ctx = ssl.create_default_context(cafile=t.SIGNING_CA)

    def test_https_server_and_urllib(self):
        import functools
        import http.server
        import threading
        import urllib.request

        with tempfile.TemporaryDirectory() as root:
            body = b"hello over TLS\n" * 1000
            with open(os.path.join(root, "hello.txt"), "wb") as f:
                f.write(body)
            class Handler(http.server.SimpleHTTPRequestHandler):
                def log_message(self, *args):
                    pass

            handler = functools.partial(Handler, directory=root)

            class Quiet(http.server.ThreadingHTTPServer):
                def handle_error(self, request, client_address):
                    raise

            httpd = Quiet(("127.0.0.1", 0), handler)
            httpd.socket = self.server_ctx.wrap_socket(httpd.socket, server_side=True)
            port = httpd.server_address[1]
            thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
            thread.start()
            try:
                for _ in range(3):
                    url = f"https://localhost:{port}/hello.txt"
                    with urllib.request.urlopen(url, context=self.client_ctx, timeout=10) as r:
                        self.assertEqual(r.status, 200)
                        self.assertEqual(r.read(), body)
                # A client that does not trust the server's CA is refused.
                import ssl
                with self.assertRaises(urllib.error.URLError) as cm:
                    urllib.request.urlopen(url, context=ssl.create_default_context(), timeout=10)
                self.assertIsInstance(cm.exception.reason, ssl.SSLCertVerificationError)
            finally:
                httpd.shutdown()
                httpd.server_close()
                thread.join()

    def test_asyncio_echo(self):
        import asyncio

        async def handle(reader, writer):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
            writer.close()
            await writer.wait_closed()

        async def main():
            server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=self.server_ctx)
            port = server.sockets[0].getsockname()[1]
            async with server:
                reader, writer = await asyncio.open_connection(
                    "127.0.0.1", port, ssl=self.client_ctx, server_hostname="localhost")
                ssl_object = writer.get_extra_info("ssl_object")
                self.assertEqual(ssl_object.version(), "TLSv1.3")
                self.assertEqual(ssl_object.getpeercert()["subject"][-1],
                                 (("commonName", "localhost"),))
                for size in (1, 1000, 100_000):
                    data = os.urandom(size)
                    writer.write(data)
                    await writer.drain()
                    self.assertEqual(await reader.readexactly(size), data)
                writer.close()
                await writer.wait_closed()

        asyncio.run(asyncio.wait_for(main(), 60))


class MsgCallbackOverMemoryBio(unittest.TestCase):
    """`SSLContext._msg_callback` traces `SSLObject`s as it traces sockets (CPython
    calls it for both); the callback may ask its connection about itself."""

    def handshake(self, client_ctx, server_ctx, hostname):
        import ssl

        c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
        client = client_ctx.wrap_bio(c_in, c_out, server_hostname=hostname)
        server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
        done = [False, False]
        for _ in range(20):
            for i, (obj, out, peer_in) in enumerate(((client, c_out, s_in), (server, s_out, c_in))):
                if not done[i]:
                    try:
                        obj.do_handshake()
                        done[i] = True
                    except ssl.SSLWantReadError:
                        pass
                peer_in.write(out.read())
            if all(done):
                return client, server
        self.fail("handshake did not finish")

    def run_traced(self, maximum_version):
        import ssl
        import test.test_ssl as t

        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(t.SIGNED_CERTFILE)
        client_ctx = ssl.create_default_context(cafile=t.SIGNING_CA)
        client_ctx.maximum_version = maximum_version
        seen = []

        def msg_cb(conn, direction, version, content_type, msg_type, data):
            # Asking the connection about itself from inside the callback works.
            conn.version()
            seen.append((type(conn).__name__, direction, content_type, msg_type))

        client_ctx._msg_callback = msg_cb
        client, server = self.handshake(client_ctx, server_ctx, t.SIGNED_CERTFILE_HOSTNAME)
        client.write(b"x")
        return seen

    def test_tls13_handshake_messages_and_record_headers(self):
        import ssl

        seen = self.run_traced(ssl.TLSVersion.TLSv1_3)
        self.assertTrue(all(s[0] == "SSLObject" for s in seen), seen)
        # The ClientHello goes out in a handshake record, the ServerHello comes in.
        self.assertIn(("SSLObject", "write", 256, 22), seen)
        self.assertIn(("SSLObject", "write", 22, 1), seen)
        self.assertIn(("SSLObject", "read", 256, 22), seen)
        self.assertIn(("SSLObject", "read", 22, 2), seen)
        # The application data written after the handshake: its record header
        # (OpenSSL reports the inner content type after it).
        self.assertIn(("SSLObject", "write", 256, 23), seen[-2:])

    def test_socket_callback_may_use_its_connection(self):
        import socket
        import ssl
        import threading
        import test.test_ssl as t

        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(t.SIGNED_CERTFILE)
        client_ctx = ssl.create_default_context(cafile=t.SIGNING_CA)
        seen = []

        def msg_cb(conn, direction, version, content_type, msg_type, data):
            seen.append((type(conn).__name__, direction, content_type, msg_type, conn.version()))

        client_ctx._msg_callback = msg_cb
        a, b = socket.socketpair()
        a.settimeout(10)
        b.settimeout(10)

        def serve():
            with server_ctx.wrap_socket(b, server_side=True) as s:
                s.recv(1)

        server = threading.Thread(target=serve)
        server.start()
        try:
            with client_ctx.wrap_socket(a, server_hostname=t.SIGNED_CERTFILE_HOSTNAME) as s:
                s.sendall(b"x")
        finally:
            server.join(10)
        self.assertFalse(server.is_alive())
        # (What the connection says of itself during the handshake differs: OpenSSL
        # calls in the middle of it, we after the operation; see COMPATIBILITY.md.)
        self.assertIn(("SSLSocket", "write", 22, 1), [e[:4] for e in seen])
        self.assertIn(("SSLSocket", "write", 256, 23, "TLSv1.3"), seen)

    def test_tls12_certificate_is_seen_in_clear(self):
        import ssl

        seen = self.run_traced(ssl.TLSVersion.TLSv1_2)
        self.assertIn(("SSLObject", "read", 22, 11), seen)
        self.assertIn(("SSLObject", "write", 22, 16), seen)
        self.assertIn(("SSLObject", "write", 20, 0x0101), seen)


class GarbageCollection(unittest.TestCase):
    """Cycles through a connection are collected (CPython's own `_ssl` keeps this one:
    its `_SSLSocket` does not show the collector its context)."""

    def test_cycle_through_sni_callback_and_connection(self):
        import gc
        import ssl
        import test.test_ssl as t
        import weakref

        def make():
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(t.SIGNED_CERTFILE)
            obj = ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_side=True)
            # context -> callback -> SSLObject -> _SSLSocket -> context
            ctx.sni_callback = lambda sock, name, c: obj
            ctx._msg_callback = lambda *args: obj
            return weakref.ref(ctx), weakref.ref(obj)

        ctx, obj = make()
        gc.collect()
        self.assertIsNone(obj())
        self.assertIsNone(ctx())


def main():
    if "SSLCONTEXT_SHADOW" in os.environ:
        sys.argv[1:] = ["-v"]
        unittest.main(module=__name__)
        return 0
    sys.path.insert(0, HERE)
    import run_test_ssl

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lib", help="an already built lib_ssl.so (default: build it)")
    args = ap.parse_args()
    lib = args.lib or run_test_ssl.build()
    with tempfile.TemporaryDirectory(prefix="sslcontext-real-") as tmp:
        shadow = os.path.join(tmp, "shadow")
        os.mkdir(shadow)
        shutil.copy(lib, os.path.join(shadow, "_ssl" + sysconfig.get_config_var("EXT_SUFFIX")))
        env = dict(os.environ, SSLCONTEXT_SHADOW=shadow)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [shadow, env.get("PYTHONPATH")]))
        try:
            run = subprocess.run([sys.executable, os.path.abspath(__file__)], env=env, cwd=tmp,
                                 timeout=120)
        except subprocess.TimeoutExpired:
            print("error: the real programs did not finish within 120 s")
            return 1
        return run.returncode


if __name__ == "__main__":
    sys.exit(main())
