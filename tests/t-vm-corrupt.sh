#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Our purgatory refuses a corrupted capture kernel: `kdump load --test-corrupt-segment kernel`
# damages the kernel segment after its digest was taken; after the panic the purgatory must
# print the SHA-256 mismatch and halt, and no capture kernel may start (6.1, 1 GiB, ~20 s).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "t-vm-corrupt: SKIP: qemu-system-x86_64 is missing (.ci/packages.d/vm installs it)"
	exit 77
fi
out=${KD_BUILD:-$src/build}/vm-corrupt
"$src/scripts/vm-crash" --kernel 6.1 --arm ours --corrupt-segment kernel --timeout 180 \
	--out "$out" 2>&1 | tail -n 8
rc=${PIPESTATUS[0]}
[ $rc = 0 ] || { echo "t-vm-corrupt: FAIL (exit $rc); console: $out/console.log"; exit 1; }
grep -q 'kdump-purgatory: SHA-256 mismatch in segment' "$out/console.log" ||
	{ echo "t-vm-corrupt: no mismatch message in the console"; exit 1; }
if grep -q 'kdump-purgatory: segment digests OK' "$out/console.log"; then
	echo "t-vm-corrupt: the purgatory accepted a damaged segment"; exit 1
fi
rm -rf "$out/work"
exit 0
