#!/usr/bin/env python3
"""Independent reading of the J-LIS test-card fixtures in this folder.

Prints the TLV layout (tag positions, lengths), the text fields, the digests and the image
facts that core/tests/real_cards.rs pastes as constants. It shares no code with MynaKit: a
20-line BER walker, hashlib, and Pillow (with OpenJPEG) for the PNG sizes and the decoded photo.

    pip install pillow
    python3 test-vectors/real-cards/jlis-test/independent-reading.py
"""
import hashlib
import io
import os
import struct

from PIL import Image

D = os.path.dirname(os.path.abspath(__file__))


def rd(n):
    with open(os.path.join(D, n), "rb") as f:
        return f.read()


def tlv(b, i):
    """(tag, tag position, value start, value end) of the TLV at i."""
    t = b[i]
    j = i + 1
    if t & 0x1F == 0x1F:
        while True:
            t = (t << 8) | b[j]
            j += 1
            if not b[j - 1] & 0x80:
                break
    n = b[j]
    j += 1
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[j:j + k], "big")
        j += k
    return t, i, j, j + n


def kids(b, s, e):
    out = []
    while s < e:
        k = tlv(b, s)
        out.append(k)
        s = k[3]
    return out


def show(name, top=True):
    b = rd(name)
    if top:
        t, _, vs, ve = tlv(b, 0)
        print(f"{name}: {t:X} value {vs}..{ve}, file {len(b)} bytes")
    else:
        vs, ve = 0, len(b)
        print(f"{name}: content only, {len(b)} bytes")
    for t, p, s, e in kids(b, vs, ve):
        v = b[s:e]
        line = f"  {t:X} at {p}, value {s}..{e} ({len(v)} B)"
        if t in (0xDF21,):
            line += " " + v.hex().upper()
        elif len(v) <= 60 and all(0x20 <= c < 0x7F for c in v):
            line += f" {v.decode()!r}"
        elif v[:8] == b"\x89PNG\r\n\x1a\n":
            w, h, depth, ct = struct.unpack(">IIBB", v[16:26])
            line += f" PNG {w}x{h} depth {depth} colour type {ct}"
        elif v[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n":
            im = Image.open(io.BytesIO(v))
            im.load()
            px = im.tobytes()
            line += (f" JP2 {im.size[0]}x{im.size[1]} mode {im.mode}; pixels SHA-256 "
                     f"{hashlib.sha256(px).hexdigest()} mean {sum(px) / len(px):.2f}")
        else:
            line += " " + v[:20].hex().upper() + ("…" if len(v) > 20 else "")
        print(line)
    return b


print("text-0001-physical.bin", rd("text-0001-physical.bin").hex().upper())
t2 = show("text-0002.bin")
for t, p, s, e in kids(t2, 3, len(t2)):
    if t in (0xDF22, 0xDF23):
        print(f"  {t:X} = {t2[s:e].decode()!r}")
show("text-0003.bin")
print("SHA-256(text-0001-physical.bin) =", hashlib.sha256(rd("text-0001-physical.bin")).hexdigest().upper())
print("SHA-256(text-0002.bin[14:104])  =", hashlib.sha256(t2[14:104]).hexdigest().upper())
for n in ("text-0004.bin", "text-0007.bin", "surface-0001.bin", "surface-0002.bin",
          "surface-0004.bin", "surface-0005.bin"):
    show(n)
for n in ("mf-do-F8.bin", "mf-do-7F21.bin"):
    show(n, top=False)
s2 = rd("surface-0002.bin")
for label, a, b in (("H1 DF22-DF24", 26, 311), ("H2 DF25-DF26", 311, 830), ("H3 DF27", 830, 2689)):
    print(label, b - a, "bytes", hashlib.sha256(s2[a:b]).hexdigest().upper())
