#!/usr/bin/env python3
"""Checks for scripts/test-html.sh, standard library only (Python 3.11).

  html-check.py page FILE.html
      The page is self-contained: its Content-Security-Policy starts with
      default-src 'none', allows no script, and allows the page's one <style> element by
      the SHA-256 of its text (computed here, independently of the renderer); no URL, no
      src= attribute, no link out of the page.

  html-check.py png FILE.png [--colours RRGGBB,...]
      The screenshot is not blank: an 8-bit RGB or RGBA PNG (decoded here with zlib and
      struct) whose most common colour (the background) covers at most 97 % of the
      pixels and which has at least 24 distinct colours; each colour given with
      --colours (e.g. the status-word badge colours of the page's style sheet, which show
      only when the CSP let the style apply) covers at least 60 of the pixels counted
      (every second pixel of every second row).

Prints one line of figures; exits 0 when the checks pass, 1 when they fail.
"""

import base64
import collections
import hashlib
import re
import struct
import sys
import zlib

MAX_BACKGROUND = 0.97
MIN_COLOURS = 24
MIN_COLOUR_PIXELS = 60
COLOUR_TOLERANCE = 8


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def check_page(path):
    html = open(path, encoding="utf-8").read()
    m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
    if not m:
        fail("no Content-Security-Policy meta element")
    csp = m.group(1).replace("&#39;", "'")
    if not csp.startswith("default-src 'none';"):
        fail(f"the CSP does not start with default-src 'none': {csp}")
    if "script-src" in csp or "unsafe" in csp:
        fail(f"the CSP allows script or unsafe sources: {csp}")
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    if len(styles) != 1:
        fail(f"{len(styles)} style elements, expected 1")
    digest = base64.b64encode(hashlib.sha256(styles[0].encode("utf-8")).digest()).decode()
    if f"style-src 'sha256-{digest}'" not in csp:
        fail(f"the CSP does not allow the style sheet (sha256-{digest}): {csp}")
    if html.find("Content-Security-Policy") > html.find("<style>"):
        fail("the CSP comes after the style sheet")
    lower = html.lower()
    for bad in ("http://", "https://", "src=", "<script", "<img", "<link", "<iframe", "url(", "@import"):
        if bad in lower:
            fail(f"the page holds {bad!r}")
    for href in re.findall(r'href="([^"]*)"', html):
        if not href.startswith("#"):
            fail(f"link out of the page: {href}")
    print(f"page ok: {len(html)} bytes, CSP style hash sha256-{digest}")


def swar_add(x, y, hi, lo):
    """Byte-wise addition modulo 256 of two rows held as big integers."""
    return ((x & lo) + (y & lo)) ^ ((x ^ y) & hi)


def decode_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("not a PNG file")
    pos, idat, ihdr = 8, [], None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
    if ihdr is None:
        fail("no IHDR chunk")
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace != 0:
        fail(f"unsupported PNG: depth {depth}, colour type {ctype}, interlace {interlace}")
    bpp = 3 if ctype == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    if len(raw) != height * (stride + 1):
        fail("truncated image data")
    hi = int.from_bytes(b"\x80" * stride, "big")
    lo = int.from_bytes(b"\x7f" * stride, "big")
    rows = []
    prev = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        f = raw[start]
        line = raw[start + 1 : start + 1 + stride]
        if f == 0:
            out = bytes(line)
        elif f == 1:  # Sub: a prefix sum along the row, by doubling steps
            x = int.from_bytes(line, "big")
            shift = 8 * bpp
            while shift < 8 * stride:
                x = swar_add(x, x >> shift, hi, lo)
                shift *= 2
            out = x.to_bytes(stride, "big")
        elif f == 2:  # Up
            x = swar_add(int.from_bytes(line, "big"), int.from_bytes(prev, "big"), hi, lo)
            out = x.to_bytes(stride, "big")
        elif f in (3, 4):  # Average, Paeth: byte by byte
            cur = bytearray(line)
            for i in range(stride):
                a = cur[i - bpp] if i >= bpp else 0
                b = prev[i]
                if f == 3:
                    cur[i] = (cur[i] + ((a + b) >> 1)) & 0xFF
                    continue
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[i] = (cur[i] + pred) & 0xFF
            out = bytes(cur)
        else:
            fail(f"unknown filter {f} on row {y}")
        rows.append(out)
        prev = out
    return width, height, bpp, rows


def check_png(path, colours):
    width, height, bpp, rows = decode_png(path)
    # Every second pixel of every second row (a quarter of the pixels) is counted.
    counts = collections.Counter()
    for row in rows[::2]:
        for i in range(0, len(row), 2 * bpp):
            counts[row[i : i + 3]] += 1
    total = sum(counts.values())
    background, bg_count = counts.most_common(1)[0]
    fraction = 1 - bg_count / total
    figures = (
        f"{width}x{height}, {len(counts)} colours (of {total} pixels counted), background #{background.hex()} "
        f"on {100 * bg_count / total:.1f} %, content on {100 * fraction:.1f} %"
    )
    problems = []
    if bg_count / total > MAX_BACKGROUND:
        problems.append(f"the background covers more than {100 * MAX_BACKGROUND:.0f} %")
    if len(counts) < MIN_COLOURS:
        problems.append(f"fewer than {MIN_COLOURS} colours")
    for hexcolour in colours:
        want = bytes.fromhex(hexcolour)
        n = sum(
            c
            for rgb, c in counts.items()
            if all(abs(p - q) <= COLOUR_TOLERANCE for p, q in zip(rgb, want))
        )
        figures += f", #{hexcolour}: {n} px"
        if n < MIN_COLOUR_PIXELS:
            problems.append(f"colour #{hexcolour} on fewer than {MIN_COLOUR_PIXELS} pixels")
    if problems:
        fail(f"{figures}: " + "; ".join(problems))
    print(f"png ok: {figures}")


def main(argv):
    if len(argv) >= 2 and argv[0] == "page":
        check_page(argv[1])
    elif len(argv) >= 2 and argv[0] == "png":
        colours = []
        if len(argv) == 4 and argv[2] == "--colours":
            colours = [c for c in argv[3].split(",") if c]
        check_png(argv[1], colours)
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
