"""Records what CPython's ssl does for each `sslctx context --op` row of
context_ops.json's input list. Run from tests/data/conformance/:

    cd tests/data/conformance && python3 ../cli/record_context_ops.py > ../cli/context_ops.json

Each row: protocol, ops (NAME=VALUE, as sslctx takes them) and either the resulting
attributes (the keys sslctx prints that the row is about) or the first error
(type and str() without the `(_ssl.c:N)` suffix)."""

import json
import re
import ssl
import sys

ROWS = [
    ("client", ["verify_mode=CERT_NONE"]),
    ("client", ["check_hostname=false", "verify_mode=CERT_NONE"]),
    ("client", ["check_hostname=false", "verify_mode=CERT_OPTIONAL"]),
    ("server", ["check_hostname=true"]),
    ("tls", ["minimum_version=TLSv1_3"]),
    ("tls", ["maximum_version=TLSv1_2"]),
    ("tls", ["minimum_version=TLSv1_3", "maximum_version=TLSv1_2"]),
    ("tls", ["options=0"]),
    ("tls", ["options=2186412112", "options=33554432"]),
    ("tls", ["verify_flags=4"]),
    ("tls", ["verify_flags=0"]),
    ("tls", ["hostname_checks_common_name=false"]),
    ("tls", ["post_handshake_auth=true"]),
    ("server", ["num_tickets=5"]),
    ("server", ["num_tickets=-1"]),
    ("client", ["num_tickets=5"]),
    ("tls", ["set_ciphers=ECDHE+AESGCM"]),
    ("tls", ["set_ciphers=NO-SUCH-CIPHER"]),
    ("tls", ["set_alpn_protocols=h2,http/1.1"]),
    ("tls", ["set_ecdh_curve=prime256v1"]),
    ("tls", ["set_ecdh_curve=no-such-curve"]),
    ("tls", ["load_dh_params=certs/misc/dhparams-ffdhe2048.pem"]),
    ("tls", ["load_dh_params=certs/missing.pem"]),
    ("server", ["load_cert_chain=certs/chains/leaf-ec.chain.pem,certs/pki/leaf-ec.key"]),
    ("server", ["load_cert_chain=certs/pki/leaf-ec.pem,certs/pki/leaf-rsa.key"]),
    ("server", ["load_cert_chain=certs/missing.pem"]),
    ("client", ["load_verify_locations=certs/pki/root-ec.pem"]),
    ("client", ["load_verify_locations=certs/bundles/root-rsa+int-rsa.pem"]),
    ("client", ["load_verify_locations=certs/bundles/garbage.pem"]),
    ("client", ["load_verify_locations=certs/missing.pem"]),
    ("client", ["cadata_text=certs/pki/root-rsa.pem"]),
    ("client", ["cadata_bytes=certs/bundles/root-rsa.der"]),
    ("client", ["capath=certs/pki"]),
]

KEYS = {
    "verify_mode": lambda c: int(c.verify_mode),
    "check_hostname": lambda c: c.check_hostname,
    "minimum_version": lambda c: int(c.minimum_version),
    "maximum_version": lambda c: int(c.maximum_version),
    "options": lambda c: int(c.options),
    "verify_flags": lambda c: int(c.verify_flags),
    "hostname_checks_common_name": lambda c: c.hostname_checks_common_name,
    "post_handshake_auth": lambda c: c.post_handshake_auth,
    "num_tickets": lambda c: c.num_tickets,
    "cert_store_stats": lambda c: c.cert_store_stats(),
    "get_ca_certs": lambda c: c.get_ca_certs(),
    "get_ciphers": lambda c: [x["name"] for x in c.get_ciphers()],
}

PROTOCOLS = {
    "tls": ssl.PROTOCOL_TLS,
    "client": ssl.PROTOCOL_TLS_CLIENT,
    "server": ssl.PROTOCOL_TLS_SERVER,
}


def apply(ctx, name, value):
    boolean = value.lower() == "true"
    if name in ("verify_mode",):
        ctx.verify_mode = ssl.VerifyMode[value]
    elif name in ("minimum_version", "maximum_version"):
        setattr(ctx, name, ssl.TLSVersion[value])
    elif name in ("options", "verify_flags", "num_tickets"):
        setattr(ctx, name, int(value))
    elif name in ("check_hostname", "hostname_checks_common_name", "post_handshake_auth"):
        setattr(ctx, name, boolean)
    elif name == "set_alpn_protocols":
        ctx.set_alpn_protocols(value.split(","))
    elif name in ("set_ciphers", "set_ecdh_curve", "load_dh_params"):
        getattr(ctx, name)(value)
    elif name == "load_cert_chain":
        parts = value.split(",")
        ctx.load_cert_chain(*parts)
    elif name == "load_verify_locations":
        ctx.load_verify_locations(cafile=value)
    elif name == "capath":
        ctx.load_verify_locations(capath=value)
    elif name == "cadata_text":
        ctx.load_verify_locations(cadata=open(value).read())
    elif name == "cadata_bytes":
        ctx.load_verify_locations(cadata=open(value, "rb").read())
    else:
        raise ValueError(f"unknown --op {name!r}")


def main():
    out = []
    for protocol, ops in ROWS:
        row = {"protocol": protocol, "ops": ops}
        ctx = ssl.SSLContext(PROTOCOLS[protocol])
        try:
            for op in ops:
                name, value = op.split("=", 1)
                apply(ctx, name, value)
        except Exception as e:
            text = re.sub(r" \(_ssl\.c:\d+\)$", "", str(e))
            row["error"] = {"type": type(e).__module__.replace("builtins", "") + "." + type(e).__name__ if type(e).__module__ != "builtins" else type(e).__name__, "message": text}
        else:
            row["result"] = {k: f(ctx) for k, f in KEYS.items()}
        out.append(row)
    meta = {"python": sys.version.split()[0], "openssl": ssl.OPENSSL_VERSION}
    json.dump({"meta": meta, "rows": out}, sys.stdout, indent=1)
    print()


main()
