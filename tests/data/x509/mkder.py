"""Tiny DER builder for hand-made certificates (signature is junk: _test_decode_cert
does not verify). Used to probe CPython + OpenSSL behaviour and to make test inputs."""
import base64

def L(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([0x80 | len(b)]) + b

def tlv(tag, content):
    return bytes([tag]) + L(len(content)) + content

def seq(*items):
    return tlv(0x30, b''.join(items))

def set_(*items):
    return tlv(0x31, b''.join(items))

def oid(dotted):
    arcs = [int(a) for a in dotted.split('.')]
    out = bytearray()
    for v in [arcs[0] * 40 + arcs[1]] + arcs[2:]:
        chunk = [v & 0x7F]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7F)); v >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))

def integer(raw):
    return tlv(0x02, raw)

def utc(s):
    return tlv(0x17, s.encode())

def gen(s):
    return tlv(0x18, s.encode())

def atv(o, value):
    return seq(oid(o), value)

def name(*rdns):
    return seq(*[set_(*r) for r in rdns])

CN = '2.5.4.3'
def cn(text, tag=0x0c):
    return name([atv(CN, tlv(tag, text.encode() if isinstance(text, str) else text))])

def ext(o, value, critical=False):
    return seq(oid(o), *( [tlv(0x01, b'\xff')] if critical else []), tlv(0x04, value))

def cert(serial=b'\x01', issuer=None, subject=None, nb=None, na=None, exts=None,
         version=b'\x02', extra_tbs=b''):
    issuer = issuer if issuer is not None else cn('issuer')
    subject = subject if subject is not None else cn('subject')
    nb = nb if nb is not None else utc('240101000000Z')
    na = na if na is not None else utc('491231235959Z')
    alg = seq(oid('1.2.840.10045.4.3.2'))
    spki = seq(seq(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')),
               tlv(0x03, b'\x00\x04' + b'\x11' * 64))
    parts = []
    if version is not None:
        parts.append(tlv(0xa0, integer(version)))
    parts += [integer(serial), alg, issuer, seq(nb, na), subject, spki]
    if extra_tbs:
        parts.append(extra_tbs)
    if exts is not None:
        parts.append(tlv(0xa3, seq(*exts)))
    tbs = seq(*parts)
    return seq(tbs, alg, tlv(0x03, b'\x00' + seq(integer(b'\x01'), integer(b'\x01'))))

def pem(der):
    b = base64.b64encode(der).decode()
    return '-----BEGIN CERTIFICATE-----\n' + '\n'.join(b[i:i+64] for i in range(0, len(b), 64)) + '\n-----END CERTIFICATE-----\n'

SAN = '2.5.29.17'
def san(*gns):
    return ext(SAN, seq(*gns))
