#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# A small stand-in for a real bzImage: the real one's setup code and header (release string,
# boot protocol, init_size, alignment, flags: what `kdump start`, `status` and `estimate` read)
# over a small xz payload, a vmlinux of one 2 MiB-aligned PT_LOAD. For tests that arm the real
# kernel's module tree but do not judge its unpacking (tests/t-load-dryrun.sh does): unpacking
# the real payload costs ~0.8 s a `kdump load`, this one ~1 ms.
# Usage: small-bzimage.py REAL-BZIMAGE OUT
import lzma
import struct
import sys

real = open(sys.argv[1], "rb").read()
if real[0x202:0x206] != b"HdrS":
    sys.exit("small-bzimage: %s is not a bzImage" % sys.argv[1])
setup = ((real[0x1F1] or 4) + 1) * 512

# The vmlinux: ELF64 EXEC x86_64, one PT_LOAD of 64 KiB (16 KiB of bytes, then zeros) at
# 16 MiB, entered at its start (a physical address, as the kernel's e_entry is).
PADDR, FILESZ, MEMSZ, OFF = 0x1000000, 0x4000, 0x10000, 0x1000
ehdr = struct.pack("<4sBBBB8sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, bytes(8), 2, 62, 1,
                   PADDR, 64, 0, 0, 64, 56, 1, 64, 0, 0)
phdr = struct.pack("<IIQQQQQQ", 1, 7, OFF, 0xFFFFFFFF80000000 + PADDR, PADDR, FILESZ, MEMSZ,
                   0x200000)
text = bytes((i * 13 + 1) & 0xFF | 1 for i in range(FILESZ))
vmlinux = (ehdr + phdr).ljust(OFF, b"\0") + text

# The kernel's build appends the decompressed size (le32) to the compressed payload.
payload = lzma.compress(vmlinux, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32)
payload += struct.pack("<I", len(vmlinux))
hdr = bytearray(real[:setup])
struct.pack_into("<I", hdr, 0x1F4, (len(payload) + 15) // 16)  # syssize, 16-byte units
struct.pack_into("<II", hdr, 0x248, 0, len(payload))  # payload_offset, payload_length
with open(sys.argv[2], "wb") as f:
    f.write(hdr + payload)
