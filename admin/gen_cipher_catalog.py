#!/usr/bin/env python3
"""Generates src/ciphers/catalog_rows.rs: the rows of OpenSSL 3.0's TLS cipher table.

Usage (from the repository root):

    python3 admin/gen_cipher_catalog.py                             # print the Rust file
    python3 admin/gen_cipher_catalog.py src/ciphers/catalog_rows.rs  # write it

Every row is read from the `openssl` command line (OpenSSL 3.0, default provider):

- `openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'` gives the suites in
  order, with the IANA code point, the standard and OpenSSL names, the minimum protocol
  and the Kx/Au/Enc/Mac columns; the bits in `Enc=AESGCM(256)` are the suite's strength
  bits (OpenSSL's strength and algorithm bits are equal for every suite of this build).
- `openssl ciphers HIGH` (`MEDIUM`, `LOW`, `FIPS`, `COMPLEMENTOFDEFAULT`) gives the
  strength classes and default membership of the TLS <= 1.2 suites. A rule that matches
  no suite makes `openssl ciphers` fail with "no cipher match"; that is an empty class.

The TLS 1.3 suites are printed by every `openssl ciphers` call whatever the rule (they
come from the separate `-ciphersuites` list), so their classes cannot be read that way;
they come from TLS13_STRENGTH below, copied from `tls13_ciphers` in OpenSSL 3.0's
ssl/s3_lib.c. The column texts map to the crate's constants (OpenSSL's own bit names,
defined by hand in src/ciphers/catalog.rs) through the KX/AU/ENC/MAC/VERSION tables
below; an unknown text stops the generator rather than guessing.

`OPENSSL_CONF` is pointed at an empty file for every `openssl` call, so the machine's
openssl.cnf (system cipher policies, default ciphersuites) cannot change the output.
`tests/generated_tables.rs` runs this script and compares its output with the file.
"""
import os
import re
import subprocess
import sys

import genlib  # the command line every generator shares

OUTPUT = "src/ciphers/catalog_rows.rs"
LIST_RULE = "ALL:COMPLEMENTOFALL:@SECLEVEL=0"

# Column text of `openssl ciphers -v` -> constant in src/ciphers/catalog.rs.
VERSION = {"SSLv3": "V_SSL3", "TLSv1": "V_TLS1", "TLSv1.2": "V_TLS12", "TLSv1.3": "V_TLS13"}
KX = {
    "any": "0",
    "RSA": "K_RSA",
    "DH": "K_DHE",
    "ECDH": "K_ECDHE",
    "PSK": "K_PSK",
    "RSAPSK": "K_RSAPSK",
    "ECDHEPSK": "K_ECDHEPSK",
    "DHEPSK": "K_DHEPSK",
    "SRP": "K_SRP",
}
AU = {
    "any": "0",
    "RSA": "A_RSA",
    "DSS": "A_DSS",
    "None": "A_NULL",
    "ECDSA": "A_ECDSA",
    "PSK": "A_PSK",
    "SRP": "A_SRP",
}
# Keyed by (text, bits): OpenSSL prints `AES(128)` for E_AES128 and `AES(256)` for
# E_AES256, and so on.
ENC = {
    ("None", 0): "E_NULL",
    ("AES", 128): "E_AES128",
    ("AES", 256): "E_AES256",
    ("AESGCM", 128): "E_AES128GCM",
    ("AESGCM", 256): "E_AES256GCM",
    ("AESCCM", 128): "E_AES128CCM",
    ("AESCCM", 256): "E_AES256CCM",
    ("AESCCM8", 128): "E_AES128CCM8",
    ("AESCCM8", 256): "E_AES256CCM8",
    ("Camellia", 128): "E_CAMELLIA128",
    ("Camellia", 256): "E_CAMELLIA256",
    ("ARIAGCM", 128): "E_ARIA128GCM",
    ("ARIAGCM", 256): "E_ARIA256GCM",
    ("CHACHA20/POLY1305", 256): "E_CHACHA20POLY1305",
}
MAC = {"AEAD": "M_AEAD", "MD5": "M_MD5", "SHA1": "M_SHA1", "SHA256": "M_SHA256", "SHA384": "M_SHA384"}

# The classes that `openssl ciphers RULE` reports, in the order a row spells them.
CLASSES = [
    ("HIGH", "S_HIGH"),
    ("MEDIUM", "S_MEDIUM"),
    ("LOW", "S_LOW"),
    ("FIPS", "S_FIPS"),
    ("COMPLEMENTOFDEFAULT", "S_NOT_DEFAULT"),
]
# algo_strength of OpenSSL 3.0's tls13_ciphers (ssl/s3_lib.c), for the suites the
# default ciphersuites list has.
TLS13_STRENGTH = {
    "TLS_AES_256_GCM_SHA384": "S_HIGH | S_FIPS",
    "TLS_CHACHA20_POLY1305_SHA256": "S_HIGH",
    "TLS_AES_128_GCM_SHA256": "S_HIGH | S_FIPS",
}

LINE = re.compile(
    r"^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- (\S+)\s+(\S+)\s+"
    r"Kx=(\S+)\s+Au=(\S+)\s+Enc=([^\s(]+)(?:\((\d+)\))?\s+Mac=(\S+)\s*$"
)


def openssl(*args, check=True):
    env = dict(os.environ, OPENSSL_CONF=os.devnull)
    try:
        r = subprocess.run(["openssl", *args], capture_output=True, text=True, env=env)
    except FileNotFoundError:
        raise SystemExit("openssl not found on PATH")
    if check and r.returncode != 0:
        raise SystemExit(f"openssl {' '.join(args)} failed:\n{r.stderr}")
    return r


def lookup(table, key, what, name):
    if key not in table:
        raise SystemExit(f"{name}: unknown {what} {key!r}; extend the table in {sys.argv[0]}")
    return table[key]


def class_members(rule):
    """The OpenSSL names `openssl ciphers RULE` lists (TLS 1.3 suites included)."""
    r = openssl("ciphers", rule, check=False)
    if r.returncode != 0:
        if "no cipher match" in r.stderr:
            return set()
        raise SystemExit(f"openssl ciphers {rule} failed:\n{r.stderr}")
    return set(r.stdout.strip().split(":"))


def suites():
    """(tls12 rows, tls13 rows); a row is the list of c(...) argument texts."""
    out = openssl("ciphers", "-V", "-stdname", LIST_RULE).stdout
    members = {rule: class_members(rule) for rule, _ in CLASSES}
    tls12, tls13 = [], []
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            raise SystemExit(f"unexpected line from openssl ciphers -V -stdname:\n{line}")
        hi, lo, std, name, proto, kx, au, enc, bits, mac = m.groups()
        bits = int(bits or 0)
        version = lookup(VERSION, proto, "protocol", name)
        if version == "V_TLS13":
            strength = lookup(TLS13_STRENGTH, name, "TLS 1.3 suite", name)
        else:
            classes = [const for rule, const in CLASSES if name in members[rule]]
            strength = " | ".join(classes) or "0"
        row = [
            f'"{name}"',
            f'"{std}"',
            f"0x{hi}{lo}",
            version,
            lookup(KX, kx, "Kx", name),
            lookup(AU, au, "Au", name),
            lookup(ENC, (enc, bits), "Enc", name),
            lookup(MAC, mac, "Mac", name),
            strength,
            str(bits),
        ]
        (tls13 if version == "V_TLS13" else tls12).append(row)
    return tls12, tls13


def table(rows):
    """One `c(...)` per line, each column padded to its widest cell."""
    widths = [max(len(r[i]) + 1 for r in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for r in rows:
        cells = [(cell + ",").ljust(w) for cell, w in zip(r, widths)]
        lines.append("    c(" + " ".join(cells) + r[-1] + "),")
    return lines


def render():
    version = openssl("version").stdout.strip()
    if not version.startswith("OpenSSL 3.0."):
        raise SystemExit(f"openssl is {version!r}; this table is OpenSSL 3.0's")
    tls12, tls13 = suites()
    lines = [
        "//! The rows of OpenSSL 3.0's TLS cipher table ([`super::catalog`] has the bit",
        "//! constants, the aliases and the lookups).",
        "//!",
        f"//! Generated by `python3 admin/gen_cipher_catalog.py {OUTPUT}`",
        "//! from the `openssl` command line of an OpenSSL 3.0 build:",
        f"//! `openssl ciphers -V -stdname '{LIST_RULE}'` for the suites and",
        "//! `openssl ciphers HIGH` (`MEDIUM`, `LOW`, `FIPS`, `COMPLEMENTOFDEFAULT`) for the",
        "//! strength classes (see the generator for the TLS 1.3 ones). Do not edit by hand:",
        "//! `tests/generated_tables.rs` checks that this file is current.",
        "",
        "use super::catalog::*;",
        "",
        "// Columns: name, std_name, iana, min_version, mkey, auth, enc, mac, strength, bits.",
        "",
        f"/// Every TLS ≤ 1.2 suite of this OpenSSL 3.0 build ({len(tls12)}), in the order",
        f"/// `openssl ciphers '{LIST_RULE}'` lists them.",
        "#[rustfmt::skip]",
        "pub static TLS12_CIPHERS: &[CipherDef] = &[",
        *table(tls12),
        "];",
        "",
        "/// The TLS 1.3 suites, in OpenSSL's default `TLS_CIPHERSUITES` order (what",
        "/// `get_ciphers()` lists first). `set_ciphers` never changes them.",
        "#[rustfmt::skip]",
        "pub static TLS13_CIPHERS: &[CipherDef] = &[",
        *table(tls13),
        "];",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    genlib.main(sys.argv, OUTPUT, render)
