#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/<target>/ (gitignored).

Sources, all in this repository or in the cargo registry, none invented here:
- the golden traces, expected results and virtual-card profiles (test-vectors/),
- the virtual card's files and test PKI (test-vectors/cards, test-vectors/pki),
- the real J-LIS test-card files shipped with the crate myna-card 3.3.4 (MIT,
  tests/fixtures in ~/.cargo/registry/src/*/myna-card-3.3.4), when that crate is present.
Usage: fuzz/make-seeds.py [repository root]
"""
import glob, hashlib, json, os, sys

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
tv = os.path.join(root, "test-vectors")
fixtures = sorted(glob.glob(os.path.expanduser("~/.cargo/registry/src/*/myna-card-3.3.4/tests/fixtures")))
fx = fixtures[0] if fixtures else None
out = os.path.join(root, "fuzz", "corpus")
counts = {}

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    counts[target] = counts.get(target, 0) + 1

def read(p):
    with open(p, "rb") as f:
        return f.read()

def files(*patterns):
    for pat in patterns:
        for p in sorted(glob.glob(pat)):
            if os.path.isfile(p):
                yield p

def fix(*names):
    return [os.path.join(fx, n) for n in names] if fx else []

traces = list(files(os.path.join(tv, "traces", "*.trace.jsonl")))
for p in traces:
    text = read(p)
    put("trace_file", text)
    lines = text.decode().splitlines()
    for l in lines[1:4]:
        put("trace_line", l)
    header = json.loads(lines[0])
    names = ["token", "availability", "counters", "auth-cert", "auth-ca", "sign-ca", "sign-cert",
             "sign-auth", "sign", "demo", "text", "face", "session", ""]
    op = header.get("operation", {})
    if op.get("name") in names:
        put("operation_json", bytes([names.index(op["name"])]) + json.dumps(op.get("params", {})).encode())
    # Commands of the trace: for the virtual card (split at FE) and the vpcd link (frames).
    cmds = [bytes.fromhex(json.loads(l)["cmd"]) for l in lines[1:] if '"cmd"' in l]
    put("virtual_card", b"\xfe".join(cmds))
    put("vpcd_framing", b"".join(len(c).to_bytes(2, "big") + c for c in [b"\x01"] + cmds))
    # Scrub: command and response records (one length byte each).
    recs = b""
    for l in lines[1:]:
        x = json.loads(l)
        if "cmd" in x and "rsp" in x:
            c, r = bytes.fromhex(x["cmd"]), bytes.fromhex(x["rsp"])
            if len(c) < 256 and len(r) < 256:
                recs += bytes([len(c)]) + c + bytes([len(r)]) + r
    put("scrub", recs)
    # Engine, text and face flows: the answers of the trace (one length byte each).
    answers = b""
    for l in lines[1:]:
        x = json.loads(l)
        r = bytes.fromhex(x.get("rsp", ""))
        if "cmd" in x and len(r) < 256:
            answers += bytes([len(r)]) + r
    for t in ("engine", "text_flow", "face_flow"):
        for sel in (0, 0x20):
            put(t, bytes([sel]) + answers)
for sel in range(0, 16):
    put("replay_match", bytes([sel, 0]) + b"\x90\x00")
for p in files(os.path.join(tv, "traces", "*.expected.json")):
    put("outcome_json", read(p))
for p in files(os.path.join(tv, "cards", "*", "profile.json")):
    put("profile_json", read(p))

for p in list(files(os.path.join(tv, "pki", "*.der"), os.path.join(tv, "cards", "*", "*.der"),
                    os.path.join(root, "core", "trust-anchors", "jpki", "*.cer"),
                    os.path.join(root, "testkit", "trust-anchors", "jpki-test", "*.cer"))) + \
         [p for p in fix("jpki-auth-cert.der", "jpki-sign-cert.der", "jpki-auth-ca-cert.der",
                         "jpki-sign-ca-cert.der", "jpki-auth-ca-cert-2019.der", "jpki-sign-ca-cert-2019.der")]:
    put("x509", read(p))
    put("card_data", read(p))
for p in list(files(os.path.join(tv, "pki", "*-cv.der"), os.path.join(tv, "cards", "*", "*", "ef0004.bin"))) + \
         fix("cv-certificate-synthetic.bin", "text-0004.bin", "surface-0004.bin"):
    put("cv_certificate", read(p))
for p in files(os.path.join(tv, "cards", "*", "face", "photo.jp2")):
    put("jpeg2000", read(p))
records = {
    "text_0001": ("text", "ef0001.bin", ["text-0001-physical.bin"]),
    "text_0002": ("text", "ef0002.bin", ["text-0002.bin"]),
    "text_0003": ("text", "ef0003.bin", ["text-0003.bin"]),
    "face_0001": ("face", "ef0001.bin", ["surface-0001.bin"]),
    "face_0002": ("face", "ef0002.bin", ["surface-0002.bin"]),
    "face_0005": ("face", "ef0005.bin", ["surface-0005.bin"]),
    "key_tlv": ("text", "ef0007.bin", ["text-0007.bin", "text-0006.bin", "cv-ca-key-synthetic.bin"]),
}
for target, (app, ef, real) in records.items():
    for p in list(files(os.path.join(tv, "cards", "*", app, ef))) + fix(*real):
        if os.path.exists(p):
            put(target, read(p))
            put("card_data", read(p))
# The JPEG 2000 photo inside the real test card's face record (EF 0002), from its
# signature box (00 00 00 0C 6A 50 20 20) or codestream marker (FF 4F FF 51) to the end.
for p in fix("surface-0002.bin"):
    if os.path.exists(p):
        b = read(p)
        for sig in (b"\x00\x00\x00\x0cjP  ", b"\xff\x4f\xff\x51"):
            i = b.find(sig)
            if i >= 0:
                put("jpeg2000", b[i:])
# Small codestreams written field by field from ISO/IEC 15444-1 (SOC, SIZ, COD, QCD, one
# tile of empty packets), one per component count, so the fuzzer starts from images it can
# decode quickly, not only from whole photos.
import struct
def small_codestream(w, h, comps, levels):
    siz = struct.pack(">HIIIIIIIIH", 0, w, h, 0, 0, w, h, 0, 0, comps) + bytes([7, 1, 1]) * comps
    seg = lambda m, body: bytes([0xFF, m]) + struct.pack(">H", len(body) + 2) + body
    packets = bytes((levels + 1) * comps)
    return (b"\xff\x4f" + seg(0x51, siz) + seg(0x52, bytes([0, 0, 0, 1, 0, levels, 4, 4, 0, 1]))
            + seg(0x5C, bytes([0x40]) + bytes([0x48]) * (3 * levels + 1))
            + b"\xff\x90" + struct.pack(">HHIBB", 10, 0, 14 + len(packets), 0, 1) + b"\xff\x93"
            + packets + b"\xff\xd9")
for comps in (1, 2, 3, 4):
    put("jpeg2000", small_codestream(48, 64, comps, 3))
print("seeds:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
      "(real test-card files: %s)" % ("yes" if fx else "not found"))
