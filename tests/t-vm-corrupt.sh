#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Our purgatory refuses a corrupted capture kernel: `kdump load --test-corrupt-segment kernel`
# damages the kernel segment after its digest was taken; after the panic the purgatory must
# print the SHA-256 mismatch and halt, and no capture kernel may start (6.1, 1 GiB, ~20 s).
set -u
. "$(dirname "$0")/lib.sh"
need_cmd qemu-system-x86_64 ".ci/packages.d/vm installs it"
out=$B/vm-corrupt
"$top/scripts/vm-crash" --kernel 6.1 --arm ours --corrupt-segment kernel --timeout 180 \
	--out "$out" 2>&1 | tail -n 8
rc=${PIPESTATUS[0]}
[ $rc = 0 ] || fail "vm-crash exit $rc; console: $out/console.log"
grep -q 'kdump-purgatory: SHA-256 mismatch in segment' "$out/console.log" ||
	fail "no mismatch message in the console"
! grep -q 'kdump-purgatory: segment digests OK' "$out/console.log" ||
	fail "the purgatory accepted a damaged segment"
rm -rf "$out/work"
exit 0
