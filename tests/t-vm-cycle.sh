#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One real crash cycle in QEMU (6.1 kernel, 2 vCPUs, panic on CPU 1, mixed workload, ext4
# target, raw vmcore kept for the page-set check), judged by makedumpfile and libkdumpfile.
# Our whole path: `kdump load` arms, the `kdump initramfs` capture init runs `kdump capture`
# at dump level 31 (vm-crash's default); the run fails if either fell back to kexec-tools or
# makedumpfile.
set -u
. "$(dirname "$0")/lib.sh"
need_cmd qemu-system-x86_64 ".ci/packages.d/vm installs it"
is_root || command -v debugfs >/dev/null || skip "needs e2fsprogs (debugfs) or root to install it"
out=$B/vm-cycle
"$top/scripts/vm-crash" --kernel 6.1 --cpus 2 --crash-cpu 1 --workload mixed --target local \
	--checks-only --timeout 240 --out "$out" 2>&1 | tail -n 24
rc=${PIPESTATUS[0]}
[ $rc = 0 ] || fail "vm-crash exit $rc; console: $out/console.log"
# The run must have checked what it claims: the peers' verdict is in checks.json.
grep -Eq '^arm / capture +ours / ours$' "$out/timings.txt" ||
	fail "not our arm and capture: $(grep '^arm / capture' "$out/timings.txt")"
grep -q '"crash_cpu": 1' "$out/checks.json" || fail "crash CPU not checked"
grep -q '"pages":' "$out/checks.json" || fail "page set not compared"
# The capture kernel was unpacked at load time, and the purgatory checked it before it ran.
grep -q 'kdump: its xz payload was unpacked here' "$out/console.log" ||
	fail "the capture kernel was not loaded unpacked"
grep -q 'kdump-purgatory: segment digests OK' "$out/console.log" ||
	fail "no purgatory check on the console"
rm -rf "$out/guest-vmcore.raw" "$out/ref-makedumpfile.kdump" "$out/work" # keep build/ small
exit 0
