#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# An independent judge of `kdump load`'s unpacked kernel segment: unpacks the bzImage's payload
# with Python's lzma / the zstd and gzip commands, lays the vmlinux's PT_LOADs out by physical
# address, and checks the plan printed by `kdump load --dry-run` (kernel segment memsz, bufsz
# = up to the last non-zero page, SHA-256 of those bytes, entry = load + e_entry - first paddr).
# Usage: unpacked-kernel.py BZIMAGE PLAN.txt      exit 0 when everything matches
import hashlib
import lzma
import re
import struct
import subprocess
import sys


def fail(msg):
    print("unpacked-kernel: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


bz = open(sys.argv[1], "rb").read()
plan = open(sys.argv[2]).read()
setup = ((bz[0x1F1] or 4) + 1) * 512
poff, plen = struct.unpack_from("<II", bz, 0x248)
payload = bz[setup + poff:setup + poff + plen]
olen = struct.unpack_from("<I", payload, plen - 4)[0]
if payload[:6] == b"\xfd7zXZ\x00":
    fmt, vml = "xz", lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload[:-4])
elif payload[:4] == b"\x28\xb5\x2f\xfd":
    fmt = "zstd"
    vml = subprocess.run(["zstd", "-dc"], input=payload[:-4], stdout=subprocess.PIPE,
                         check=True).stdout
elif payload[:2] == b"\x1f\x8b":
    fmt = "gzip"
    vml = subprocess.run(["gzip", "-dc"], input=payload[:-4], stdout=subprocess.PIPE,
                         check=True).stdout
else:
    fail("payload format not known to this judge")
if len(vml) != olen:
    fail("%s payload gave %d bytes, trailer says %d" % (fmt, len(vml), olen))

# ELF64 program headers (struct Elf64_Phdr) read by hand: no ELF library of ours involved.
entry, phoff = struct.unpack_from("<QQ", vml, 0x18)
phentsize, phnum = struct.unpack_from("<HH", vml, 0x36)
loads = []
for i in range(phnum):
    t, _, off, _, paddr, filesz, memsz, _ = struct.unpack_from("<IIQQQQQQ", vml, phoff + i * phentsize)
    if t == 1 and memsz:
        loads.append((paddr, off, filesz, memsz))
lo = min(p for p, _, _, _ in loads)
hi = max(p + m for p, _, _, m in loads)
img = bytearray(hi - lo)
for paddr, off, filesz, memsz in loads:
    img[paddr - lo:paddr - lo + filesz] = vml[off:off + filesz]
memsz = (len(img) + 4095) // 4096 * 4096
last = len(img.rstrip(b"\0"))
bufsz = max(4096, (last + 4095) // 4096 * 4096)
sha = hashlib.sha256(bytes(img[:bufsz]) + b"\0" * max(0, bufsz - len(img))).hexdigest()

m = re.search(r"^\s+\d+\s+kernel\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+([0-9a-f]{64})", plan, re.M)
if not m:
    fail("no kernel segment line in the plan")
mem, p_memsz, p_bufsz, p_sha = int(m[1], 16), int(m[2], 16), int(m[3], 16), m[4]
j = re.search(r"then jumps to 0x([0-9a-f]+) \(startup_64\)", plan)
if not j:
    fail("the plan does not enter the kernel at startup_64")
checks = [
    ("memsz", p_memsz, memsz), ("bufsz", p_bufsz, bufsz), ("sha256", p_sha, sha),
    ("entry", int(j[1], 16), mem + entry - lo), ("2 MiB alignment", mem % (2 << 20), 0),
]
for what, got, want in checks:
    if got != want:
        fail("kernel %s: plan %s, judge %s" % (what, got, want))
print("unpacked-kernel: %s payload %d B -> vmlinux %d B, %d PT_LOADs -> image 0x%x, bufsz 0x%x, "
      "entry +0x%x: plan agrees" % (fmt, plen, olen, len(loads), memsz, bufsz, entry - lo))
