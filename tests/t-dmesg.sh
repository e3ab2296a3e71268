#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdump dmesg: equals makedumpfile --dump-dmesg on both fixtures (1.7.2's reference files; the
# installed makedumpfile run now, in its own format: with the caller column from 1.7.3 on; 1.7.8
# with --caller when the sid peers are there), OUTFILE rules, write errors, bad input.
set -u
. "$(dirname "$0")/lib.sh"
tmpdir t

for k in x86_64-6.1-1G x86_64-6.12-1G; do
	v=$FIX/$k/vmcore.elf ref=$SHARED/fixtures/$k/dmesg.txt
	[ -f "$v" ] && [ -f "$ref" ] || skip "fixture $k missing ($v, $ref)"
	"$KDUMP" dmesg "$v" >"$t/out" || fail "kdump dmesg $k: exit $?"
	cmp "$t/out" "$ref" || fail "kdump dmesg $k differs from makedumpfile's dmesg.txt"
	"$KDUMP" dmesg "$v" "$t/$k.txt" || fail "kdump dmesg $k OUTFILE: exit $?"
	cmp "$t/$k.txt" "$ref" || fail "OUTFILE of $k differs"
	echo "$k: kdump dmesg == the fixture's dmesg.txt ($(wc -l <"$ref") lines)"
	# And makedumpfile run now (the Debian package CI installs), when it is here.
	if command -v makedumpfile >/dev/null || [ -x /usr/sbin/makedumpfile ]; then
		mdf=$(command -v makedumpfile || echo /usr/sbin/makedumpfile)
		rm -f "$t/mdf"
		"$mdf" --dump-dmesg "$v" "$t/mdf" >/dev/null 2>&1 || fail "$mdf --dump-dmesg $k failed"
		# makedumpfile 1.7.3 and later print each record's caller ([T123]), as kdump dmesg
		# --caller does: compare with the format this makedumpfile writes.
		caller=
		head -n1 "$t/mdf" | grep -qE '^\[ *[0-9]+\.[0-9]+\] \[ *[TC][0-9]+\]' && caller=--caller
		"$KDUMP" dmesg $caller "$v" >"$t/ours" || fail "kdump dmesg $caller $k: exit $?"
		cmp "$t/ours" "$t/mdf" || fail "kdump dmesg $caller $k differs from $("$mdf" -v 2>&1 | head -1)"
		echo "$k: kdump dmesg $caller == $("$mdf" -v 2>&1 | grep -o 'version [0-9.]*') --dump-dmesg, run now"
	else
		not_run "makedumpfile is not installed (.ci/packages.d/peers): the comparison with it"
	fi
done

# makedumpfile 1.7.8 (caller column) from the sid peers, when this machine has them.
peers=$SHARED/tools/sid-peers
if [ -x "$peers" ] && "$peers" makedumpfile -v >/dev/null 2>&1; then
	for k in x86_64-6.1-1G x86_64-6.12-1G; do
		rm -f "$t/mdf178"
		"$peers" makedumpfile --dump-dmesg "$FIX/$k/vmcore.elf" "$t/mdf178" >/dev/null 2>&1 ||
			fail "makedumpfile 1.7.8 --dump-dmesg $k failed"
		"$KDUMP" dmesg --caller "$FIX/$k/vmcore.elf" | cmp - "$t/mdf178" ||
			fail "kdump dmesg --caller $k differs from makedumpfile 1.7.8"
		echo "$k: kdump dmesg --caller == makedumpfile 1.7.8 --dump-dmesg"
	done
else
	# Outside CI only: the caller format is also pinned by test-dmesg's literal expectations.
	not_run "$peers is not usable here: the makedumpfile 1.7.8 caller-column comparison"
fi

# makedumpfile's own kdump-compressed dumps of the fixtures (-l -d 31): the same log.
for kd in "$SHARED/fixtures/x86_64-6.1-1G/out-d31.kdump:x86_64-6.1-1G" \
	  "$FIX/x86_64-6.12-1G/out-d31.kdump:x86_64-6.12-1G"; do
	f=${kd%:*} k=${kd##*:}
	if [ ! -f "$f" ]; then
		not_run "$f missing (make fixtures): the kdump-compressed check of $k"
		continue
	fi
	if "$KDUMP" dmesg "$f" >"$t/out" 2>"$t/err"; then
		cmp "$t/out" "$SHARED/fixtures/$k/dmesg.txt" || fail "kdump dmesg of $f differs"
		echo "$k: kdump dmesg of makedumpfile's -l -d 31 dump file == dmesg.txt"
	elif grep -q 'not built yet' "$t/err"; then
		echo "NOTE: the kdump-compressed reader is not in this tree yet: $f not checked"
	else
		fail "kdump dmesg $f: $(cat "$t/err")"
	fi
done

v=$FIX/x86_64-6.1-1G/vmcore.elf
# An existing OUTFILE is kept without -f (exit 2), replaced with -f.
echo keep >"$t/exists"
"$KDUMP" dmesg "$v" "$t/exists" 2>"$t/err"; rc=$?
[ $rc = 2 ] || fail "overwrite without -f: exit $rc, want 2"
grep -q 'use -f' "$t/err" || fail "no hint to -f: $(cat "$t/err")"
[ "$(cat "$t/exists")" = keep ] || fail "OUTFILE was changed without -f"
"$KDUMP" dmesg -f "$v" "$t/exists" || fail "-f: exit $?"
cmp -s "$t/exists" "$SHARED/fixtures/x86_64-6.1-1G/dmesg.txt" || fail "-f did not replace OUTFILE"

# Write errors: exit 1, a message naming the output, and no file (nor temporary) left.
"$KDUMP" dmesg "$v" >/dev/full 2>"$t/err"; rc=$?
[ $rc = 1 ] && grep -q 'standard output' "$t/err" || fail "/dev/full: exit $rc: $(cat "$t/err")"
shim=$B/tests/libfaultio.so
if [ -f "$shim" ]; then
	mkdir "$t/nospc"
	# (ASan, if built in, must accept a preloaded library before its runtime.)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	KD_FAULT_PATH=nospc/out KD_FAULT_AFTER=4096 KD_FAULT_ERRNO=ENOSPC LD_PRELOAD=$shim \
		"$KDUMP" dmesg "$v" "$t/nospc/out" 2>"$t/err"; rc=$?
	[ $rc = 1 ] || fail "ENOSPC: exit $rc, want 1"
	grep -q "nospc/out.*No space left" "$t/err" || fail "ENOSPC message: $(cat "$t/err")"
	[ -z "$(ls -A "$t/nospc")" ] || fail "ENOSPC left files: $(ls "$t/nospc")"
fi

# Bad input: a clear error naming the file and what is missing, exit 1.
check_bad() {	# kind, expected message part
	"$B/tests/dmesg-gen" "$1" "$t/$1.vmcore" || fail "dmesg-gen $1"
	"$KDUMP" dmesg "$t/$1.vmcore" >"$t/out" 2>"$t/err"; rc=$?
	[ $rc = 1 ] || fail "$1: exit $rc, want 1"
	grep -q "$t/$1.vmcore" "$t/err" || fail "$1: the error does not name the file: $(cat "$t/err")"
	grep -q "$2" "$t/err" || fail "$1: want \"$2\" in: $(cat "$t/err")"
	[ ! -s "$t/out" ] || fail "$1: output on failure"
}
check_bad noinfo "no VMCOREINFO"
check_bad nolog "neither SYMBOL(prb)"
check_bad badring "count_bits 60"
head -c 65536 "$v" >"$t/trunc"
"$KDUMP" dmesg "$t/trunc" >/dev/null 2>"$t/err"; rc=$?
[ $rc = 1 ] && grep -q "$t/trunc" "$t/err" || fail "truncated: exit $rc: $(cat "$t/err")"
"$KDUMP" dmesg "$t/missing" 2>/dev/null; [ $? = 1 ] || fail "missing file: want exit 1"

# Command line.
"$KDUMP" dmesg --help >"$t/help" && grep -q '^Usage: kdump dmesg .*OUTFILE' "$t/help" &&
	grep -q -- '--caller' "$t/help" && grep -q '^See kdump(8)' "$t/help" || fail "--help: $(cat "$t/help")"
"$KDUMP" dmesg 2>/dev/null; [ $? = 2 ] || fail "no argument: want exit 2"
"$KDUMP" dmesg --bogus "$v" 2>/dev/null; [ $? = 2 ] || fail "bad option: want exit 2"
"$KDUMP" dmesg "$v" a b 2>/dev/null; [ $? = 2 ] || fail "3 arguments: want exit 2"
echo "kdump dmesg: OUTFILE rules, write errors, bad input and usage behave"
