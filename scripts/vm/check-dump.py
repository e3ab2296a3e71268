#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Peer checks of one VM-harness dump, with tools we did not write: libkdumpfile opens it and
# reads memory, makedumpfile's --dump-dmesg output ends with the panic we triggered on the CPU
# we chose, and (with --ref) its page set equals makedumpfile's on the raw vmcore.
"""usage: check-dump.py --dump FILE --dmesg FILE --crash-cpu N [--ref KDUMP] [--json OUT]"""
import argparse
import collections
import json
import re
import struct
import sys

import kdumpfile


def pageset(path):
    """bitmap2 pfns and the pfns whose descriptor points at a shared (zero) page."""
    with open(path, "rb") as f:
        hdr = f.read(464)
        if hdr[:8] != b"KDUMP   ":
            raise ValueError(f"{path}: not a kdump-compressed file (signature {hdr[:8]!r})")
        block_size, sub_hdr_size, bitmap_blocks = struct.unpack_from("<iiI", hdr, 428)
        if block_size not in (4096,) or bitmap_blocks == 0 or bitmap_blocks > 1 << 20:
            raise ValueError(f"{path}: implausible header (block_size {block_size}, "
                             f"bitmap_blocks {bitmap_blocks})")
        half = bitmap_blocks * block_size // 2
        f.seek(block_size * (1 + sub_hdr_size) + half)
        bm2 = f.read(half)
        pfns = [i * 8 + b for i, byte in enumerate(bm2) if byte for b in range(8)
                if byte >> b & 1]
        f.seek(block_size * (1 + sub_hdr_size + bitmap_blocks))
        descs = f.read(24 * len(pfns))
        offs = [struct.unpack_from("<q", descs, 24 * i)[0] for i in range(len(pfns))]
    uses = collections.Counter(offs)
    shared = {pfn for pfn, off in zip(pfns, offs) if uses[off] > 1}
    return set(pfns), shared


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--dmesg", required=True)
    ap.add_argument("--crash-cpu", type=int, required=True)
    ap.add_argument("--ref")
    ap.add_argument("--json")
    a = ap.parse_args()
    res = {}
    fails = []

    # libkdumpfile: open, format, CPU count, and one page of memory read back.
    try:
        k = kdumpfile.kdumpfile(a.dump)
        res["lkf_format"] = str(k.attr["file.format"])
        res["lkf_release"] = str(k.attr["linux.uts.release"])
        res["lkf_cpus"] = int(k.attr["cpu.number"])
        # Read one page that the dump holds: the first of its page set when the file is
        # kdump-compressed, else the first of a few addresses that is present.
        try:
            cands = [min(pageset(a.dump)[0]) * 4096]
        except (OSError, ValueError):
            cands = [0x1000, 0x100000, 0x1000000]
        for i, addr in enumerate(cands):
            try:
                k.read(kdumpfile.KDUMP_MACHPHYSADDR, addr, 4096)
                break
            except Exception:  # noqa: BLE001
                if i == len(cands) - 1:
                    raise
        print(f"libkdumpfile: {res['lkf_format']}, {res['lkf_release']}, "
              f"{res['lkf_cpus']} CPUs, page at {addr:#x} read")
    except Exception as e:  # noqa: BLE001 - any failure of the peer is a failed check
        fails.append(f"libkdumpfile cannot read {a.dump}: {e}")

    # The crashed kernel's log: it ends with the sysrq panic, on the chosen CPU.
    lines = open(a.dmesg, errors="replace").read().splitlines()
    trig = [i for i, l in enumerate(lines) if "sysrq: Trigger a crash" in l]
    panic = [i for i, l in enumerate(lines) if "Kernel panic - not syncing" in l]
    if not trig:
        fails.append("dmesg has no 'sysrq: Trigger a crash' line")
    elif not panic or panic[-1] < trig[-1]:
        fails.append("dmesg has no 'Kernel panic' line after the sysrq trigger")
    else:
        res["panic_line"] = re.sub(r"^\[[ 0-9.]+\] ", "", lines[panic[-1]])
        if len(panic) > 1:
            fails.append(f"dmesg has {len(panic)} panics; the first is not ours: "
                         f"{lines[panic[0]]}")
        oops = [l for l in lines[:trig[-1]] if re.search(r"\bOops\b|BUG:|general protection", l)]
        if oops:
            fails.append(f"dmesg shows another failure before the trigger: {oops[0]}")
        cpu = None
        for l in lines[trig[-1]:]:
            m = re.search(r"\bCPU: (\d+) (?:UID: \d+ )?PID: \d+ Comm: (\S+)", l)
            if m:
                cpu = int(m.group(1))
                break
        res["crash_cpu"] = cpu
        if cpu != a.crash_cpu:
            fails.append(f"crashing CPU is {cpu}, expected {a.crash_cpu}")
        tail = len(lines) - panic[-1]
        if tail > 60:
            fails.append(f"dmesg goes on {tail} lines after the panic line")
        print(f"dmesg: {len(lines)} lines, ends with: {res['panic_line']} (CPU {cpu})")

    if a.ref:
        try:
            ours, ours_zero = pageset(a.dump)
            ref, ref_zero = pageset(a.ref)
            res["pages"] = len(ours)
            res["pages_ref"] = len(ref)
            res["zero_pages"] = len(ours_zero)
            res["zero_pages_ref"] = len(ref_zero)
            if ours != ref:
                fails.append(f"page set differs from makedumpfile's: {len(ours - ref)} extra, "
                             f"{len(ref - ours)} missing (of {len(ref)})")
            elif ours_zero != ref_zero:
                fails.append(f"zero-page set differs from makedumpfile's: {len(ours_zero)} "
                             f"vs {len(ref_zero)}")
            else:
                print(f"page set: {len(ours)} pages ({len(ours_zero)} zero) = makedumpfile's")
        except (OSError, ValueError) as e:
            fails.append(str(e))

    res["failures"] = fails
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    for f_ in fails:
        print(f"CHECK FAILED: {f_}", file=sys.stderr)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
