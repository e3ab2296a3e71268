#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One real crash cycle in QEMU (6.1 kernel, 2 vCPUs, panic on CPU 1, mixed workload, ext4
# target, raw vmcore kept for the page-set check), judged by makedumpfile and libkdumpfile.
# Our whole path: `kdump load` arms, the `kdump initramfs` capture init runs `kdump capture`
# at dump level 31 (vm-crash's default); the run fails if either fell back to kexec-tools or
# makedumpfile.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "t-vm-cycle: SKIP: qemu-system-x86_64 is missing (.ci/packages.d/vm installs it)"
	exit 77
fi
if [ "$(id -u)" != 0 ] && ! command -v debugfs >/dev/null; then
	echo "t-vm-cycle: SKIP: needs e2fsprogs (debugfs) or root to install it"
	exit 77
fi
out=${KD_BUILD:-$src/build}/vm-cycle
"$src/scripts/vm-crash" --kernel 6.1 --cpus 2 --crash-cpu 1 --workload mixed --target local \
	--checks-only --timeout 240 --out "$out" 2>&1 | tail -n 24
rc=${PIPESTATUS[0]}
[ $rc = 0 ] || { echo "t-vm-cycle: FAIL (exit $rc); console: $out/console.log"; exit 1; }
# The run must have checked what it claims: the peers' verdict is in checks.json.
grep -Eq '^arm / capture +ours / ours$' "$out/timings.txt" ||
	{ echo "t-vm-cycle: not our arm and capture: $(grep '^arm / capture' "$out/timings.txt")"; exit 1; }
grep -q '"crash_cpu": 1' "$out/checks.json" || { echo "t-vm-cycle: crash CPU not checked"; exit 1; }
grep -q '"pages":' "$out/checks.json" || { echo "t-vm-cycle: page set not compared"; exit 1; }
# The capture kernel was unpacked at load time, and the purgatory checked it before it ran.
grep -q 'kdump: its xz payload was unpacked here' "$out/console.log" ||
	{ echo "t-vm-cycle: the capture kernel was not loaded unpacked"; exit 1; }
grep -q 'kdump-purgatory: segment digests OK' "$out/console.log" ||
	{ echo "t-vm-cycle: no purgatory check on the console"; exit 1; }
rm -rf "$out/guest-vmcore.raw" "$out/ref-makedumpfile.kdump" "$out/work" # keep build/ small
exit 0
