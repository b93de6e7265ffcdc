#!/usr/bin/env python3
"""Re-check, on real J-LIS test-card bytes, every fact docs/card-protocol.md marks [R].

Usage:
    python3 docs/tools/check-real-card-facts.py CRATE_DIR

CRATE_DIR is the unpacked `myna-card` 3.3.4 crate from the cargo registry, e.g.
~/.cargo/registry/src/index.crates.io-*/myna-card-3.3.4 (its tests/fixtures directory may be
given instead). The crate is MIT-licensed (c) 2026 KIRISHIKI Yudai; its tests/fixtures hold EF
captures from J-LIS *test* cards. Nothing is copied from it: this script reads the fixture files
and the published test CV CA moduli (src/ca.rs) from the path given, pins their SHA-256
fingerprints, and decodes everything itself.

Each check prints PASS or FAIL with what it looked at; the exit status is the number of
failures (0 = all facts hold). Needs python3 and the `cryptography` package; nothing else.
"""

import datetime
import hashlib
import os
import re
import sys
import zlib

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# ---------------------------------------------------------------------------------------------
# Pinned inputs: if the crate's files change, the facts below were not checked on these bytes.

FIXTURE_SHA256 = {
    "text-0001-physical.bin": "6d5a4c1ef9ab15bf506862d7e66b9c0f179ca065bc936c8e634e9e57449ca9cd",
    "text-0002.bin": "86931a4249692104df2aa6d70c0383d9b683f46a94d6316d2a965507b8446007",
    "text-0003.bin": "eab84f1e0b6c9c069189b5f517cea82c5227fde440cee1416769b269a13bf133",
    "text-0004.bin": "aa653f5859621d44c441d67682bf4f7317ff31744389d0eb948056a96abb439b",
    "text-0005.bin": "efc301364b22d34deb39e79302eaf9b764883ca7a73215e4ac0e38a707d512d1",
    "text-0006.bin": "9dd105171cb73c926c2e0f0bd8072db90588d7187f22834bf828bf1ff8207b31",
    "text-0007.bin": "3e22eeea73033d79bf41e0980760e46f034ccfcfebe93e209da41c384d94fcfc",
    "surface-0001.bin": "ee619ca0111b4cb3b6adcf3b500d251cc03cc31fdac363da8803fbe3d2ed0a3d",
    "surface-0002.bin": "8a2610286a68cfa8a8f9b866cbdd668916f71a47674ccc4eeb64b4e5ad77dfc1",
    "surface-0003.bin": "b5da8fd7f54fdf80ce26c56664c351d4c7c02eb0da68bf3d8cfe38704196804a",
    "surface-0004.bin": "f47d979cc5fb605cb3d8464be26af3b94379b98eb06315302244af582ba4a963",
    "surface-0005.bin": "bb84257de75ca8027a43c4b8754815234efa6942f6c1ad02ac4c5b9da3aa9b0e",
    "mf-do-F8.bin": "1894f7a8b9009338f8df60bb4949e08954aeac09ee25e0824a38ff1001faf510",
    "mf-do-7F21.bin": "8ac54cbb4ed890d07cca3331fedfd4a42885ae1d272bbcc5ba0e6478daa4dd18",
    "jpki-auth-cert.der": "1dc4c0de26e87426820cdbc53b3dd5def59aa8f0b2314105f58f4fc4c922f904",
    "jpki-auth-ca-cert.der": "5a0e7d690c718fadebc7fb6eff66a6dd623458debc1aa6fb1778bfe157cbeb25",
    "jpki-sign-cert.der": "b3994bc27590a3e8a58be28dc1b9554281fc010cfbe03ae1dd858563a7f68d27",
    "jpki-sign-ca-cert.der": "8126df7dd2db230bd8ee48caa40fc3417dde3607050ed34973d8d3cf267fe723",
    "jpki-auth-ca-cert-2019.der": "b6de0ff5a384f5af0242a6ca854dee57ee2cad97b341f18b914948fd8e638706",
    "jpki-sign-ca-cert-2019.der": "7bdbdf2652a15e6d458efc143b7201242e1162416251d0903060fa7c642465cc",
}

# SHA-256 of each published CV CA modulus (256 bytes, big-endian); the exponent is 65537.
CA_MODULUS_SHA256 = {
    "6000020": "218018727ce0d4955b0b40f468eb131d5e8375ee4a2aa58dabda524b19d29a39",
    "6000023": "df70444dbe6841ec03267c25cf1bd35ff30ef8044da34ff5eedd0719e6f14530",
    "6000033": "690db1b2d7b9994764a81982bc1e4cd76d9e92d0a33a895b2e71a0be8356f1ae",
    "5000020": "318ab4a79346bbd993d36d31a4d766f02a239f36b10bc323458242130f927a97",
    "5000023": "bb96cc1dc6502005661961f0a45ed843d007c69e3ce167eceb6b1abd5333a932",
    "5000033": "409655d477547d83cbe182385acb1ea83c9828eb6e5b8bba90957c339b5f30f7",
}

SHA256_OID_DER = bytes.fromhex("0609608648016503040201")  # OBJECT IDENTIFIER 2.16.840.1.101.3.4.2.1

# ---------------------------------------------------------------------------------------------
# Reporting

RESULTS = []


def check(fact, ok, detail=""):
    """Record and print one check."""
    RESULTS.append(bool(ok))
    mark = "PASS" if ok else "FAIL"
    print(f"{mark}  {fact}" + (f"  [{detail}]" if detail else ""))


def section(title):
    print(f"\n== {title}")


# ---------------------------------------------------------------------------------------------
# BER-TLV, decoded by hand (tags of any length, definite lengths of any form, including the
# non-minimal ones the card writes). Nothing here recurses on the "constructed" bit: the card's
# FFxx tags are flagged constructed even where the value is raw bytes.


class Tlv:
    def __init__(self, tag, start, value_start, end, raw):
        self.tag = tag  # int, e.g. 0xDF21
        self.start = start  # offset of the first tag byte in the buffer
        self.value_start = value_start
        self.end = end  # one past the last value byte
        self.raw = raw  # the buffer

    @property
    def value(self):
        return self.raw[self.value_start : self.end]

    @property
    def whole(self):
        return self.raw[self.start : self.end]

    @property
    def length_bytes(self):
        """The length field as written (to see non-minimal forms)."""
        i = self.start + 1
        if self.raw[self.start] & 0x1F == 0x1F:
            while self.raw[i] & 0x80:
                i += 1
            i += 1
        return self.raw[i : self.value_start]


def read_tlv(buf, pos):
    start = pos
    if pos >= len(buf):
        raise ValueError(f"TLV expected at {pos}, buffer ends")
    tag = buf[pos]
    pos += 1
    if tag & 0x1F == 0x1F:
        while True:
            if pos >= len(buf):
                raise ValueError("tag runs past the end")
            tag = (tag << 8) | buf[pos]
            pos += 1
            if not buf[pos - 1] & 0x80:
                break
    first = buf[pos]
    pos += 1
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 3:
            raise ValueError(f"unsupported length form {first:02X} at {start}")
        length = int.from_bytes(buf[pos : pos + n], "big")
        pos += n
    end = pos + length
    if end > len(buf):
        raise ValueError(f"TLV {tag:X} at {start} claims {length} bytes, only {len(buf) - pos} left")
    return Tlv(tag, start, pos, end, buf)


def children(parent):
    """The TLVs inside a template, in order."""
    out = []
    pos = parent.value_start
    while pos < parent.end:
        t = read_tlv(parent.raw, pos)
        out.append(t)
        pos = t.end
    return out


def by_tag(items):
    return {t.tag: t for t in items}


def is_minimal(t):
    lb = t.length_bytes
    n = len(t.value)
    if n < 0x80:
        return len(lb) == 1
    return len(lb) == 1 + (n.bit_length() + 7) // 8


# ---------------------------------------------------------------------------------------------
# RSA helpers


def rsa_key(n_bytes, e_bytes):
    return rsa.RSAPublicNumbers(int.from_bytes(e_bytes, "big"), int.from_bytes(n_bytes, "big")).public_key()


def key_from_90_91(buf):
    """Public key written as 90 <e> 91 <n> (buf = the concatenated TLVs)."""
    t1 = read_tlv(buf, 0)
    t2 = read_tlv(buf, t1.end)
    if t1.tag != 0x90 or t2.tag != 0x91 or t2.end != len(buf):
        raise ValueError("not a 90/91 public key")
    return t1.value, t2.value


def pkcs1_sha256_ok(key, signature, data):
    try:
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def raw_rsa(key, signature):
    """signature^e mod n, as k bytes (no padding removed)."""
    nums = key.public_numbers()
    k = (nums.n.bit_length() + 7) // 8
    return pow(int.from_bytes(signature, "big"), nums.e, nums.n).to_bytes(k, "big")


def strip_pkcs1_type1(em):
    """Remove 00 01 FF..FF 00 and return the payload (the DigestInfo), or None."""
    if len(em) < 11 or em[0] != 0 or em[1] != 1:
        return None
    i = 2
    while i < len(em) and em[i] == 0xFF:
        i += 1
    if i - 2 < 8 or i >= len(em) or em[i] != 0:
        return None
    return em[i + 1 :]


def sha256(b):
    return hashlib.sha256(b).digest()


# ---------------------------------------------------------------------------------------------
# Inputs


def locate(arg):
    arg = os.path.abspath(os.path.expanduser(arg))
    if os.path.isdir(os.path.join(arg, "tests", "fixtures")):
        return os.path.join(arg, "tests", "fixtures"), os.path.join(arg, "src", "ca.rs")
    if os.path.basename(arg.rstrip("/")) == "fixtures":
        crate = os.path.dirname(os.path.dirname(arg.rstrip("/")))
        return arg, os.path.join(crate, "src", "ca.rs")
    sys.exit(f"{arg}: neither the myna-card crate directory nor its tests/fixtures")


def load_ca_keys(ca_rs):
    """Published CV CA moduli, read from the crate source by pattern (no code is run)."""
    text = open(ca_rs, encoding="utf-8").read()
    keys = {}
    for m in re.finditer(r"MODULUS_(\d{7})\s*:\s*&\[u8;\s*256\]\s*=\s*&\[(.*?)\];", text, re.S):
        modulus = bytes(int(h, 16) for h in re.findall(r"0x([0-9A-Fa-f]{2})", m.group(2)))
        keys[m.group(1)] = modulus
    return keys


def key_id_text(kid):
    """16-byte key reference: 7 digits, 08 05, 3 digits, 4 more bytes."""
    return f"{kid[:7].decode('ascii', 'replace')}|{kid[7:9].hex()}|{kid[9:12].decode('ascii', 'replace')}|{kid[12:].hex()}"


def png_info(data):
    """(width, height, bit depth, colour type, decoded scanline bytes) of a PNG, by hand."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos = 8
    ihdr = None
    idat = b""
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            ihdr = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    w, h = int.from_bytes(ihdr[0:4], "big"), int.from_bytes(ihdr[4:8], "big")
    depth, colour = ihdr[8], ihdr[9]
    raw = zlib.decompress(idat)
    return w, h, depth, colour, raw


def jp2_info(data):
    """(width, height, components, bits) from a JP2 file's jp2h/ihdr box, by hand."""
    if data[:12] != bytes.fromhex("0000000c6a5020200d0a870a"):
        return None
    pos = 0
    found = {}
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        header = 8
        if length == 1:
            length = int.from_bytes(data[pos + 8 : pos + 16], "big")
            header = 16
        elif length == 0:
            length = len(data) - pos
        found[kind] = (pos + header, pos + length)
        if kind == b"jp2h":
            inner = pos + header
            while inner + 8 <= pos + length:
                ilen = int.from_bytes(data[inner : inner + 4], "big")
                if data[inner + 4 : inner + 8] == b"ihdr":
                    b = data[inner + 8 : inner + ilen]
                    found["ihdr"] = (
                        int.from_bytes(b[4:8], "big"),
                        int.from_bytes(b[0:4], "big"),
                        int.from_bytes(b[8:10], "big"),
                        (b[10] & 0x7F) + 1,
                    )
                inner += ilen
        pos += length
    return found


# ---------------------------------------------------------------------------------------------


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    fixtures, ca_rs = locate(sys.argv[1])

    def rd(name):
        return open(os.path.join(fixtures, name), "rb").read()

    section("Inputs (provenance pinned)")
    for name, want in FIXTURE_SHA256.items():
        path = os.path.join(fixtures, name)
        got = hashlib.sha256(open(path, "rb").read()).hexdigest() if os.path.exists(path) else "missing"
        check(f"fixture {name} is the pinned myna-card 3.3.4 file", got == want, got[:16])
        if got == "missing":
            sys.exit(f"{path}: missing; nothing else can be checked")
    ca_moduli = load_ca_keys(ca_rs)
    for kid, want in CA_MODULUS_SHA256.items():
        m = ca_moduli.get(kid)
        got = hashlib.sha256(m).hexdigest() if m else "missing"
        check(f"published CV CA modulus {kid} (src/ca.rs) is the pinned one, 2048 bits",
              got == want and m is not None and len(m) == 256 and m[0] & 0x80, got[:16])
    ca = {kid: rsa_key(m, b"\x01\x00\x01") for kid, m in ca_moduli.items()}

    # ---------------------------------------------------------------- CV certificates
    def cv_cert(buf, name, issuer_expect, ca_key):
        """Check one 7F21 certificate; return (issuer id, subject id, its public key)."""
        top = read_tlv(buf, 0)
        check(f"{name}: one 7F21 template filling the file", top.tag == 0x7F21 and top.end == len(buf),
              f"{len(buf)} bytes")
        kids = children(top)
        check(f"{name}: 7F21 holds exactly 5F4E then 5F37", [t.tag for t in kids] == [0x5F4E, 0x5F37])
        body, sig = kids[0].value, kids[1].value
        check(f"{name}: 5F4E value is 297 bytes, 5F37 is 256 bytes", len(body) == 297 and len(sig) == 256)
        issuer, subject = body[:16], body[16:32]
        n_e = key_from_90_91(body[32:])
        check(f"{name}: 5F4E = issuer id 16 | subject id 16 | 90 03 010001 91 82 0100 <modulus>",
              n_e[0] == b"\x01\x00\x01" and len(n_e[1]) == 256,
              f"issuer {key_id_text(issuer)} subject {key_id_text(subject)}")
        check(f"{name}: issuer key id names CA {issuer_expect}", issuer[:7] == issuer_expect.encode())
        ok_value = pkcs1_sha256_ok(ca_key, sig, body)
        ok_tlv = pkcs1_sha256_ok(ca_key, sig, kids[0].whole)
        check(f"{name}: 5F37 = RSASSA-PKCS1-v1_5 SHA-256 over the 297-byte 5F4E value, CA {issuer_expect}",
              ok_value and not ok_tlv, f"over value: {ok_value}, over 5F4E TLV: {ok_tlv}")
        return issuer, subject, rsa_key(n_e[1], n_e[0])

    section("入力補助AP (D3921000310001010408)")
    _, text_subject, text_ap_key = cv_cert(rd("text-0004.bin"), "text EF 0004", "6000033", ca["6000033"])
    check("text EF 0004: CV certificate is 568 bytes", len(rd("text-0004.bin")) == 568)

    ef1 = rd("text-0001-physical.bin")
    t = read_tlv(ef1, 0)
    digits = t.value
    check("text EF 0001: 17 bytes physical = FF10 0C + 12 ASCII digits + FF FF filler",
          len(ef1) == 17 and t.tag == 0xFF10 and len(digits) == 12 and digits.isdigit()
          and ef1[15:] == b"\xff\xff", f"{ef1[:3].hex()} + 12 digits + {ef1[15:].hex()}")
    # Check digit of the 12-digit number (rule of 個人番号の指定等に関する省令 §5).
    body = [int(c) for c in digits[:11].decode()]
    s = sum(body[-n] * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    cd = 0 if s % 11 <= 1 else 11 - s % 11
    check("text EF 0001: the 12th digit is the 個人番号 check digit of the first 11", cd == digits[11] - 48)

    ef2 = rd("text-0002.bin")
    top = read_tlv(ef2, 0)
    kids = children(top)
    tags = [k.tag for k in kids]
    check("text EF 0002: FF20 { DF21 DF22 DF23 DF24 DF25 }, TLV from offset 0",
          top.tag == 0xFF20 and top.start == 0 and tags == [0xDF21, 0xDF22, 0xDF23, 0xDF24, 0xDF25],
          " ".join(f"{x:X}" for x in tags))
    f = by_tag(kids)
    table = f[0xDF21].value
    offs = [int.from_bytes(table[i : i + 2], "big") for i in range(0, len(table), 2)]
    check("text EF 0002: DF21 = 4 big-endian u16 offsets, from the start of the file, each at a field's tag",
          len(table) == 8 and offs == [f[x].start for x in (0xDF22, 0xDF23, 0xDF24, 0xDF25)],
          " ".join(f"{o:04X}" for o in offs))
    name = f[0xDF22].value.decode("utf-8")
    check("text EF 0002: DF22 name is UTF-8 with U+3000 between surname and given name",
          "\u3000" in name and len(name.split("\u3000")) == 2, repr(name))
    addr = f[0xDF23].value.decode("utf-8")
    check("text EF 0002: DF23 address is UTF-8 with full-width digits and U+FF0D hyphens",
          any("\uff10" <= c <= "\uff19" for c in addr) and "\uff0d" in addr and not any(c.isascii() for c in addr),
          repr(addr))
    birth = f[0xDF24].value.decode("ascii")
    check("text EF 0002: DF24 birth = 8 ASCII digits YYYYMMDD (Gregorian)",
          len(birth) == 8 and birth.isdigit() and datetime.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
          birth)
    check("text EF 0002: DF25 sex = one ASCII digit", f[0xDF25].value in (b"1", b"2", b"9", b"0"),
          f[0xDF25].value.decode())

    ef3 = rd("text-0003.bin")
    top3 = read_tlv(ef3, 0)
    k3 = children(top3)
    check("text EF 0003: FF30 82 014B { DF31 20, DF32 20, DF33 82 0100 }, 336 bytes",
          len(ef3) == 336 and ef3[:5] == bytes.fromhex("ff3082014b")
          and [(k.tag, len(k.value)) for k in k3] == [(0xDF31, 32), (0xDF32, 32), (0xDF33, 256)])
    r3 = by_tag(k3)
    check("text EF 0003: DF31 = SHA-256 of the 17 physical bytes of EF 0001 (filler included)",
          r3[0xDF31].value == sha256(ef1) and r3[0xDF31].value != sha256(ef1[:15]))
    df32_range = ef2[offs[0] : top.end]
    check("text EF 0003: DF32 = SHA-256 of the FF20 value from the DF22 tag to its end (DF21 left out)",
          r3[0xDF32].value == sha256(df32_range) and r3[0xDF32].value != sha256(top.value),
          f"bytes {offs[0]}..{top.end}")
    signed = ef3[r3[0xDF31].start : r3[0xDF32].end]
    check("text EF 0003: DF33 = RSASSA-PKCS1-v1_5 SHA-256 over the DF31 and DF32 TLVs, key of EF 0004",
          pkcs1_sha256_ok(text_ap_key, r3[0xDF33].value, signed), f"{len(signed)} signed bytes")

    ef5 = rd("text-0005.bin")
    top5 = read_tlv(ef5, 0)
    r5 = by_tag(children(top5))
    check("text EF 0005: FF40 { DF41 4, DF42 16, DF43 128 } = 164 bytes",
          top5.tag == 0xFF40 and top5.end == len(ef5) == 164
          and [len(r5[x].value) for x in (0xDF41, 0xDF42, 0xDF43)] == [4, 16, 128],
          f"DF41 {r5[0xDF41].value.hex()} DF42 {key_id_text(r5[0xDF42].value)}")
    check("text EF 0005: DF43 = 32 bytes then 96 x FF", r5[0xDF43].value[32:] == b"\xff" * 96
          and r5[0xDF43].value[:32].count(0xFF) < 32)
    check("text EF 0005: DF42 is not the subject key id of the EF 0004 certificate",
          r5[0xDF42].value != text_subject)
    check("text EF 0005: lengths written non-minimally (82 009F, 82 0080)",
          not is_minimal(top5) and not is_minimal(r5[0xDF43]))

    ef6 = rd("text-0006.bin")
    top6 = read_tlv(ef6, 0)
    e6, n6 = key_from_90_91(top6.value)
    check("text EF 0006: A1 { 90 03 010001, 91 82 0100 <2048-bit modulus> }, 269 bytes",
          top6.tag == 0xA1 and len(ef6) == 269 and e6 == b"\x01\x00\x01" and len(n6) == 256 and n6[0] & 0x80)

    ef7 = rd("text-0007.bin")
    top7 = read_tlv(ef7, 0)
    r7 = children(top7)
    check("text EF 0007: FF50 { DF51 <90/91 key, 265>, DF52 <256> }, 536 bytes",
          top7.tag == 0xFF50 and len(ef7) == 536 and [(k.tag, len(k.value)) for k in r7] == [(0xDF51, 265), (0xDF52, 256)])
    over_tlv = pkcs1_sha256_ok(text_ap_key, r7[1].value, r7[0].whole)
    over_val = pkcs1_sha256_ok(text_ap_key, r7[1].value, r7[0].value)
    check("text EF 0007: DF52 = RSASSA-PKCS1-v1_5 SHA-256 over the DF51 TLV, key of EF 0004",
          over_tlv and not over_val, f"over DF51 TLV: {over_tlv}, over DF51 value: {over_val}")
    text_card_key = key_from_90_91(r7[0].value)

    # ---------------------------------------------------------------- 券面AP
    section("券面AP (D3921000310001010402)")
    _, face_subject, face_ap_key = cv_cert(rd("surface-0004.bin"), "face EF 0004", "6000023", ca["6000023"])

    s1 = rd("surface-0001.bin")
    t1 = read_tlv(s1, 0)
    a = children(t1)
    check("face EF 0001: FF10 { DF11 8, DF12 265 (90/91 key), DF13 256 }",
          t1.tag == 0xFF10 and [(k.tag, len(k.value)) for k in a] == [(0xDF11, 8), (0xDF12, 265), (0xDF13, 256)],
          a[0].value.decode())
    card_key_bytes = a[1].value
    check("face EF 0001: DF13 = PKCS#1 v1.5 SHA-256 over the DF11 and DF12 TLVs, key of EF 0004",
          pkcs1_sha256_ok(face_ap_key, a[2].value, s1[a[0].start : a[1].end]))
    check("face EF 0001: DF13 does not verify with the card key in DF12",
          not pkcs1_sha256_ok(rsa_key(*reversed(key_from_90_91(card_key_bytes))), a[2].value, s1[a[0].start : a[1].end]))

    s2 = rd("surface-0002.bin")
    t2 = read_tlv(s2, 0)
    fk = children(t2)
    order = [0xDF21, 0xDF22, 0xDF23, 0xDF24, 0xDF25, 0xDF26, 0xDF27, 0xDF28, 0xDF29, 0xDF2A]
    check("face EF 0002: FF20 { DF21 .. DF2A in order }", t2.tag == 0xFF20 and [k.tag for k in fk] == order,
          f"FF20 value {len(t2.value)} bytes, file {len(s2)}")
    g = by_tag(fk)
    tab = g[0xDF21].value
    offs2 = [int.from_bytes(tab[i : i + 2], "big") for i in range(0, len(tab), 2)]
    check("face EF 0002: DF21 = 9 big-endian u16 offsets from the start of the file to DF22..DF2A tags",
          len(tab) == 18 and offs2 == [g[x].start for x in order[1:]], " ".join(f"{o:04X}" for o in offs2))
    check("face EF 0002: DF22 = birth YYYYMMDD, same as face EF 0001 DF11 and text EF 0002 DF24",
          g[0xDF22].value == a[0].value == f[0xDF24].value, g[0xDF22].value.decode())
    check("face EF 0002: DF23 = sex, one ASCII digit, same as text EF 0002 DF25",
          g[0xDF23].value == f[0xDF25].value)
    check("face EF 0002: DF24 = the card key (90/91), identical to EF 0001 DF12",
          g[0xDF24].value == card_key_bytes)
    images = {}
    for tag, what in ((0xDF25, "name"), (0xDF26, "address"), (0xDF2A, "security code")):
        info = png_info(g[tag].value)
        ok = info is not None and info[2] == 1 and info[3] == 0 and len(info[4]) == info[1] * (1 + (info[0] + 7) // 8)
        images[what] = info
        check(f"face EF 0002: DF{tag & 0xFF:02X} = {what} image, PNG 1-bit greyscale, decodes to its full raster",
              ok, f"{info[0]}x{info[1]}, {len(g[tag].value)} bytes" if info else "not PNG")
    jp = jp2_info(g[0xDF27].value)
    ih = jp.get("ihdr") if jp else None
    check("face EF 0002: DF27 = face photo, JPEG 2000 JP2 container, 1 component (greyscale)",
          ih is not None and ih[2] == 1 and b"jp2c" in jp,
          f"{ih[0]}x{ih[1]}, {ih[3]}-bit, {len(g[0xDF27].value)} bytes" if ih else "not JP2")
    check("face EF 0002: DF29 = expiry, 8 ASCII digits YYYYMMDD", g[0xDF29].value.isdigit() and len(g[0xDF29].value) == 8,
          g[0xDF29].value.decode())
    check("face EF 0002: DF25 written with a non-minimal length (82 00A9)",
          g[0xDF25].length_bytes == bytes.fromhex("8200a9"))

    em = raw_rsa(face_ap_key, g[0xDF28].value)
    di = strip_pkcs1_type1(em)
    print(f"      DF28 decrypted with the EF 0004 key: 00 01 FF x{len(em) - 3 - (len(di) if di else 0)} 00 | "
          f"{di[:19].hex(' ') if di else '?'} | {len(di) - 19 if di else 0} bytes")
    want_header = bytes.fromhex("3071300d06096086480165030402010500" + "0460")
    check("face EF 0002: DF28 is PKCS#1 v1.5 type 1 under the EF 0004 key (not the card key)",
          di is not None and strip_pkcs1_type1(raw_rsa(rsa_key(*reversed(key_from_90_91(card_key_bytes))), g[0xDF28].value)) is None)
    check("face EF 0002: DigestInfo = 30 71 30 0D 06 09 <SHA-256 OID> 05 00 04 60 | 96 bytes (115 in all)",
          di is not None and len(di) == 115 and di[:19] == want_header and di[4:15] == SHA256_OID_DER)
    check("face EF 0002: the 32-byte SHA-256 header 3031...0420 is NOT what the card wrote",
          di is not None and di[:19] != bytes.fromhex("3031300d060960864801650304020105000420"))
    h = di[19:] if di else b""
    g1 = s2[g[0xDF22].start : g[0xDF24].end]
    g2 = s2[g[0xDF25].start : g[0xDF26].end]
    g3 = g[0xDF27].whole
    check("face EF 0002: hash 1 = SHA-256 of the DF22, DF23, DF24 TLVs", h[0:32] == sha256(g1), f"{len(g1)} bytes")
    check("face EF 0002: hash 2 = SHA-256 of the DF25, DF26 TLVs", h[32:64] == sha256(g2), f"{len(g2)} bytes")
    check("face EF 0002: hash 3 = SHA-256 of the DF27 TLV", h[64:96] == sha256(g3), f"{len(g3)} bytes")
    check("face EF 0002: hashing the values without tag/length does not match",
          h[0:32] != sha256(g[0xDF22].value + g[0xDF23].value + g[0xDF24].value))
    check("face EF 0002: DF29 and DF2A lie after DF28 (outside every hashed range)",
          g[0xDF29].start == g[0xDF28].end and g[0xDF2A].start == g[0xDF29].end == g[0xDF2A].start)

    s5 = rd("surface-0005.bin")
    t5 = read_tlv(s5, 0)
    m = children(t5)
    info = png_info(m[0].value)
    check("face EF 0005: FF40 { DF41 PNG, DF42 card key, DF43 256 }",
          t5.tag == 0xFF40 and [k.tag for k in m] == [0xDF41, 0xDF42, 0xDF43] and info is not None
          and m[1].value == card_key_bytes and len(m[2].value) == 256,
          f"個人番号 image {info[0]}x{info[1]} 1-bit" if info else "")
    check("face EF 0005: DF43 = PKCS#1 v1.5 SHA-256 over the DF41 and DF42 TLVs, key of EF 0004",
          pkcs1_sha256_ok(face_ap_key, m[2].value, s5[m[0].start : m[1].end]))

    s3 = rd("surface-0003.bin")
    t3 = read_tlv(s3, 0)
    b = children(t3)
    rb = by_tag(b)
    check("face EF 0003: FF30 { DF31 4, DF32 16, DF33 1, DF34 5 digits, DF35 272 }, 320 bytes",
          len(s3) == 320 and [(k.tag, len(k.value)) for k in b]
          == [(0xDF31, 4), (0xDF32, 16), (0xDF33, 1), (0xDF34, 5), (0xDF35, 272)],
          f"DF31 {rb[0xDF31].value.hex()} DF32 {key_id_text(rb[0xDF32].value)} DF33 {rb[0xDF33].value.hex()} "
          f"DF34 {rb[0xDF34].value.decode()} DF35 id {key_id_text(rb[0xDF35].value[:16])}")
    check("face EF 0003: DF34 municipality code = digits 1-5 of both AP certificates' subject key ids",
          rb[0xDF34].value == face_subject[:5] == text_subject[:5])
    blob = rb[0xDF35].value[16:]
    candidates = dict(ca)
    candidates.update({"face EF 0004 key": face_ap_key, "text EF 0004 key": text_ap_key,
                       "card key": rsa_key(*reversed(key_from_90_91(card_key_bytes))),
                       "text EF 0007 key": rsa_key(*reversed(text_card_key)),
                       "text EF 0006 key": rsa_key(n6, e6)})
    opened = [k for k, key in candidates.items()
              if int.from_bytes(blob, "big") < key.public_numbers().n and strip_pkcs1_type1(raw_rsa(key, blob))]
    check("face EF 0003: DF35's 256 bytes are no PKCS#1 signature under any key at hand (opaque)",
          not opened, f"opened by: {opened}" if opened else f"{len(candidates)} keys tried")

    # ---------------------------------------------------------------- MF data objects
    section("MF level GET DATA objects 00F8 and 7F21")

    def mf_do(buf, name, issuer_expect, key):
        hl = read_tlv(buf, 0)
        body = read_tlv(buf, hl.end)
        sig = read_tlv(buf, body.end)
        check(f"{name}: 4D header list {{42 10, 5F20 10, 5F49 82 0109}} then 5F4E 297 then 5F37 256",
              hl.tag == 0x4D and hl.value == bytes.fromhex("42105f20105f49820109") and body.tag == 0x5F4E
              and len(body.value) == 297 and sig.tag == 0x5F37 and len(sig.value) == 256 and sig.end == len(buf))
        v = body.value
        check(f"{name}: issuer {key_id_text(v[:16])} -> subject {key_id_text(v[16:32])}",
              v[:7] == issuer_expect.encode())
        check(f"{name}: 5F37 = PKCS#1 v1.5 SHA-256 over the 5F4E value", pkcs1_sha256_ok(key, sig.value, v))
        e, n = key_from_90_91(v[32:])
        return v[16:32], rsa_key(n, e)

    f8_subject, f8_key = mf_do(rd("mf-do-F8.bin"), "MF 00F8", "6000020", ca["6000020"])
    c7 = rd("mf-do-7F21.bin")
    check("MF 7F21: its issuer key id is the subject key id of 00F8", c7[17:33] == f8_subject)
    mf_do(c7, "MF 7F21", f8_subject[:7].decode(), f8_key)

    # ---------------------------------------------------------------- JPKI X.509
    section("JPKI-AP certificates (X.509)")
    auth = x509.load_der_x509_certificate(rd("jpki-auth-cert.der"))
    sign = x509.load_der_x509_certificate(rd("jpki-sign-cert.der"))
    auth_ca = x509.load_der_x509_certificate(rd("jpki-auth-ca-cert.der"))
    sign_ca = x509.load_der_x509_certificate(rd("jpki-sign-ca-cert.der"))
    auth_ca19 = x509.load_der_x509_certificate(rd("jpki-auth-ca-cert-2019.der"))

    def issued_by(leaf, issuer):
        try:
            leaf.verify_directly_issued_by(issuer)
            return True
        except (ValueError, TypeError, InvalidSignature):
            return False

    check("auth cert verifies under its EF 000B CA, sign cert under its EF 0002 CA, not crosswise",
          issued_by(auth, auth_ca) and issued_by(sign, sign_ca) and not issued_by(auth, sign_ca))
    check("a CA with the same subject DN but another key (2019 card) does not verify the auth cert",
          auth_ca19.subject == auth_ca.subject and not issued_by(auth, auth_ca19))
    ak = auth.public_key()
    check("auth cert: RSA-2048, e = 65537, sha256WithRSAEncryption, subject only C=JP + CN",
          ak.key_size == 2048 and ak.public_numbers().e == 65537
          and auth.signature_algorithm_oid.dotted_string == "1.2.840.113549.1.1.11"
          and [a.oid.dotted_string for a in auth.subject] == ["2.5.4.6", "2.5.4.3"],
          auth.subject.rfc4514_string())
    def policies(cert):
        ext = cert.extensions.get_extension_for_class(x509.CertificatePolicies)
        return ext.critical, [pi.policy_identifier.dotted_string for pi in ext.value]

    check("test-hierarchy policies (critical): auth 1.2.392.200149.8.5.1.0.30, sign 1.2.392.200149.8.5.1.0.20",
          policies(auth) == (True, ["1.2.392.200149.8.5.1.0.30"])
          and policies(sign) == (True, ["1.2.392.200149.8.5.1.0.20"]))
    ku_a = auth.extensions.get_extension_for_class(x509.KeyUsage)
    ku_s = sign.extensions.get_extension_for_class(x509.KeyUsage)
    eku = auth.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    check("key usage (critical): auth = digitalSignature only, EKU clientAuth; sign = digitalSignature + nonRepudiation",
          ku_a.critical and ku_a.value.digital_signature and not ku_a.value.content_commitment
          and list(eku) == [x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]
          and ku_s.critical and ku_s.value.digital_signature and ku_s.value.content_commitment)
    end = datetime.datetime(2030, 2, 17, 14, 59, 59, tzinfo=datetime.timezone.utc)
    check("both leaf certificates end 2030-02-17 23:59:59 JST, the holder's birthday (born 02-17)",
          auth.not_valid_after_utc == end and sign.not_valid_after_utc == end and birth.endswith("0217"),
          f"issued {auth.not_valid_before_utc:%Y-%m-%d}")
    def is_root(c):
        ku = c.extensions.get_extension_for_class(x509.KeyUsage)
        bc = c.extensions.get_extension_for_class(x509.BasicConstraints)
        return (issued_by(c, c) and c.subject == c.issuer and c.public_key().key_size == 2048
                and ku.critical and ku.value.key_cert_sign and ku.value.crl_sign and not ku.value.digital_signature
                and bc.critical and bc.value.ca)

    check("CA certificates: self-signed RSA-2048, keyCertSign + cRLSign and CA:TRUE, both critical",
          is_root(auth_ca) and is_root(sign_ca))
    check("sign cert subject = C, L (prefecture), L (municipality), CN (28 characters)",
          [a.oid.dotted_string for a in sign.subject] == ["2.5.4.6", "2.5.4.7", "2.5.4.7", "2.5.4.3"]
          and len(sign.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value) == 28,
          sign.subject.rfc4514_string())
    aia = auth.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    ocsp = [d.access_location.value for d in aia if d.access_method == x509.oid.AuthorityInformationAccessOID.OCSP]
    check("auth cert OCSP responder of the test hierarchy", ocsp == ["http://test-ocspauthnorm.jpki.go.jp"], str(ocsp))
    san = sign.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    other = {gn.type_id.dotted_string: gn.value for gn in san if isinstance(gn, x509.OtherName)}

    def utf8(oid):
        v = other.get("1.2.392.200149.8.5.5." + oid, b"")
        t = read_tlv(v, 0) if v else None
        return t.value.decode("utf-8") if t is not None and t.tag == 0x0C else None

    check("sign cert SAN otherName .1 (name) / .5 (address) = the 入力補助AP DF22 / DF23 text, UTF8String",
          utf8("1") == name and utf8("5") == addr, f"{utf8('1')!r} / {utf8('5')!r}")
    check("sign cert SAN .4 birth = era digit + Gregorian YYYYMMDD (3 = 昭和 for 1980)",
          utf8("4") == "3" + birth, utf8("4"))
    check("sign cert SAN .3 sex = same digit as the text AP DF25", utf8("3") == f[0xDF25].value.decode())
    check("sign cert SAN .2 / .6 = one '0' per character of name / address",
          utf8("2") == "0" * len(name) and utf8("6") == "0" * len(addr), f"{len(utf8('2'))} / {len(utf8('6'))}")

    failed = RESULTS.count(False)
    print(f"\n{len(RESULTS) - failed} PASS, {failed} FAIL")
    return failed


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError) as err:
        # A file that no longer has the layout the checks expect is a failed fact, not a crash.
        print(f"FAIL  decoding stopped: {type(err).__name__}: {err}")
        sys.exit(RESULTS.count(False) + 1)
