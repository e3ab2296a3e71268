#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fault-injection shim itself works: writes to the targeted file fail past the allowance
# with the chosen errno, other files are untouched. (The capture's fault tests rely on it.)
set -u
. "$(dirname "$0")/lib.sh"
shim=$B/tests/libfaultio.so
tmpdir t
printf 'hello world\n' >"$t/in"
out=$(KD_FAULT_PATH=target KD_FAULT_AFTER=5 KD_FAULT_ERRNO=ENOSPC LD_PRELOAD=$shim \
	dd if="$t/in" of="$t/target" bs=1 2>&1)
[ "$(stat -c %s "$t/target")" = 5 ] || { echo "expected 5 bytes through, got $(stat -c %s "$t/target")"; exit 1; }
grep -q 'No space left on device' <<<"$out" || { echo "expected ENOSPC, got: $out"; exit 1; }
KD_FAULT_PATH=target LD_PRELOAD=$shim dd if="$t/in" of="$t/other" bs=1 2>/dev/null
[ "$(stat -c %s "$t/other")" = 12 ] || { echo "an untargeted file was affected"; exit 1; }
n=$(KD_FAULT_PATH=target KD_FAULT_SHORT=1 LD_PRELOAD=$shim /usr/bin/python3 -c \
	'import os,sys; fd=os.open(sys.argv[1], os.O_WRONLY|os.O_CREAT, 0o600); print(os.write(fd, b"x"*4096))' "$t/target2")
[ "$n" = 512 ] || { echo "short writes: one 4096-byte write() should return 512, returned $n"; exit 1; }
KD_FAULT_PATH=slow KD_FAULT_DELAY_US=20000 LD_PRELOAD=$shim dd if="$t/in" of="$t/slow" bs=4 2>/dev/null
[ "$(stat -c %s "$t/slow")" = 12 ] || { echo "a delay alone must not fail writes"; exit 1; }
echo "faultio shim: allowance, errno, untargeted files, short writes and delays behave"
