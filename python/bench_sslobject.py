#!/usr/bin/env python3
"""A small benchmark: in-memory `ssl.SSLObject` handshakes and 16 KiB bulk transfer,
with our `_ssl` against CPython's own `_ssl` (OpenSSL), in one run.

    python3 python/bench_sslobject.py            # build the module (debug), compare
    python3 python/bench_sslobject.py --release  # build it optimised (fair numbers)
    python3 python/bench_sslobject.py --lib PATH

Each engine runs in its own interpreter (ssl.py binds `_ssl` once); the same
workload runs in both: client and server `SSLObject`s over `MemoryBIO`s, pumped by
hand; TLS 1.3, ECDHE with two server keys: RSA-2048 (test_ssl's `keycert3.pem`)
and ECDSA P-256 (`keycertecc.pem`), both signed by test_ssl's CA. The engines take
turns (`--rounds`), and each figure is the engine's best round, so that load from
elsewhere on the machine hurts both alike. It prints each engine's numbers and
ours / OpenSSL's ratios (above 1 means we are faster).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


KEYS = ("rsa2048", "ecdsa-p256")


def workload(handshakes, megabytes):
    import ssl
    import test.test_ssl as t

    servers = {
        "rsa2048": (t.SIGNED_CERTFILE, t.SIGNED_CERTFILE_HOSTNAME),
        "ecdsa-p256": (t.SIGNED_CERTFILE_ECC, t.SIGNED_CERTFILE_ECC_HOSTNAME),
    }
    client_ctx = ssl.create_default_context(cafile=t.SIGNING_CA)
    server_ctx = hostname = None

    def pair():
        c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
        client = client_ctx.wrap_bio(c_in, c_out, server_hostname=hostname)
        server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
        return client, server, c_in, c_out, s_in, s_out

    def handshake(client, server, c_in, c_out, s_in, s_out):
        done_c = done_s = False
        while not (done_c and done_s):
            if not done_c:
                try:
                    client.do_handshake()
                    done_c = True
                except ssl.SSLWantReadError:
                    pass
            s_in.write(c_out.read())
            if not done_s:
                try:
                    server.do_handshake()
                    done_s = True
                except ssl.SSLWantReadError:
                    pass
            c_in.write(s_out.read())

    rates = {}
    for key in KEYS:
        certfile, hostname = servers[key]
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(certfile)
        handshake(*pair())
        start = time.perf_counter()
        for _ in range(handshakes):
            handshake(*pair())
        rates[key] = handshakes / (time.perf_counter() - start)

    client, server, c_in, c_out, s_in, s_out = pair()
    handshake(client, server, c_in, c_out, s_in, s_out)
    chunk = os.urandom(16 * 1024)
    total = megabytes * 1024 * 1024
    start = time.perf_counter()
    sent = got = 0
    while sent < total:
        client.write(chunk)
        sent += len(chunk)
        s_in.write(c_out.read())
        while True:
            try:
                got += len(server.read(65536))
            except ssl.SSLWantReadError:
                break
    bulk = time.perf_counter() - start
    assert got == total, (got, total)
    return {
        "engine": ssl.OPENSSL_VERSION,
        "handshakes_per_s": rates,
        "bulk_mib_per_s": megabytes / bulk,
    }


def main():
    if os.environ.get("SSLCONTEXT_BENCH_CHILD"):
        n, mb = map(int, sys.argv[1:3])
        print(json.dumps(workload(n, mb)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lib", help="an already built lib_ssl.so")
    ap.add_argument("--release", action="store_true", help="build the module with --release")
    ap.add_argument("--handshakes", type=int, default=200)
    ap.add_argument("--megabytes", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3, help="turns each engine takes")
    args = ap.parse_args()
    lib = args.lib
    if lib is None:
        sys.path.insert(0, HERE)
        import run_test_ssl

        if args.release:
            os.environ["SSLCONTEXT_BUILD_RELEASE"] = "1"
        lib = run_test_ssl.build()
    best = {}
    with tempfile.TemporaryDirectory(prefix="sslcontext-bench-") as tmp:
        shadow = os.path.join(tmp, "shadow")
        os.mkdir(shadow)
        shutil.copy(lib, os.path.join(shadow, "_ssl" + sysconfig.get_config_var("EXT_SUFFIX")))
        for _ in range(args.rounds):
            for ours in (True, False):
                env = dict(os.environ, SSLCONTEXT_BENCH_CHILD="1")
                if ours:
                    env["PYTHONPATH"] = os.pathsep.join(filter(None, [shadow, env.get("PYTHONPATH")]))
                out = subprocess.run(
                    [sys.executable, os.path.abspath(__file__), str(args.handshakes), str(args.megabytes)],
                    env=env, cwd=tmp, check=True, stdout=subprocess.PIPE, text=True,
                )
                r = json.loads(out.stdout)
                b = best.setdefault(ours, r)
                b["bulk_mib_per_s"] = max(b["bulk_mib_per_s"], r["bulk_mib_per_s"])
                for key in KEYS:
                    b["handshakes_per_s"][key] = max(b["handshakes_per_s"][key], r["handshakes_per_s"][key])
    ours, openssl = best[True], best[False]
    for r in (ours, openssl):
        rates = ", ".join(f"{r['handshakes_per_s'][k]:.0f} handshakes/s ({k})" for k in KEYS)
        print(f"{r['engine']}: {rates}, {r['bulk_mib_per_s']:.0f} MiB/s bulk (16 KiB writes)")
    ratios = ", ".join(
        f"handshakes ({k}) {ours['handshakes_per_s'][k] / openssl['handshakes_per_s'][k]:.2f}" for k in KEYS
    )
    print(f"ratio ours/OpenSSL (best of {args.rounds} rounds each): {ratios},"
          f" bulk {ours['bulk_mib_per_s'] / openssl['bulk_mib_per_s']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
