#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Judges a dump with libkdumpfile (a reader we did not write): every STEP-th page of the source
# ELF vmcore's PT_LOADs that libkdumpfile returns must equal the vmcore's bytes. Prints
# "GOOD LOST" (pages read and equal, pages libkdumpfile could not read); exits 1 on a mismatch.
# Usage: peer-pages.py DUMP VMCORE [--step N] [--max-paddr ADDR] [--zero-ok]
#   --zero-ok: a page read as all zeros is accepted (pages excluded from a filtered dump)
import argparse, mmap, struct, sys
import kdumpfile

ap = argparse.ArgumentParser()
ap.add_argument("dump")
ap.add_argument("vmcore")
ap.add_argument("--step", type=int, default=1)
ap.add_argument("--max-paddr", type=lambda s: int(s, 0), default=None)
ap.add_argument("--zero-ok", action="store_true")
a = ap.parse_args()

k = kdumpfile.kdumpfile(a.dump)
f = open(a.vmcore, "rb")
mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
phoff, = struct.unpack_from("<Q", mm, 32)
phnum, = struct.unpack_from("<H", mm, 56)
good = lost = 0
for i in range(phnum):
    t, _, off, _, paddr, filesz = struct.unpack_from("<IIQQQQ", mm, phoff + 56 * i)
    if t != 1 or (a.max_paddr is not None and paddr > a.max_paddr):
        continue
    for pfn in range((paddr + 4095) // 4096, (paddr + filesz) // 4096, a.step):
        try:
            got = k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * 4096, 4096)
        except Exception:
            lost += 1
            continue
        o = off + pfn * 4096 - paddr
        if got != mm[o:o + 4096] and not (a.zero_ok and not any(got)):
            print("pfn 0x%x differs" % pfn, file=sys.stderr)
            sys.exit(1)
        good += 1
print(good, lost)
