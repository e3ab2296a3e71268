#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdump capture when the disk fails under it (LD_PRELOAD fault shim): ENOSPC and EIO leave a
# dump marked incomplete (exit 3) that peers still read; short writes change nothing.
set -u
. "$(dirname "$0")/lib.sh"
shim=$B/tests/libfaultio.so
V=$FIX/x86_64-6.1-1G/vmcore.elf

[ -r "$V" ] || skip "$V missing (make fixtures)"
[ -r "$shim" ] || skip "$shim missing (make tests)"
need_py kdumpfile python3-libkdumpfile
# An ASan build must not insist on coming first among the preloaded libraries.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
tmpdir T

# Readable pages per libkdumpfile; prints "good lost".
peer_read() {
	/usr/bin/python3 "$(dirname "$0")/support/peer-pages.py" "$1" "$V" --step 7 --max-paddr 0x40000000
}

"$KDUMP" capture -q -l -d 31 "$V" "$T/whole.kdump" || bad "capture without faults"

for e in ENOSPC EIO; do
	out=$T/full-$e.kdump
	KD_FAULT_PATH=full-$e KD_FAULT_AFTER=$((12 << 20)) KD_FAULT_ERRNO=$e LD_PRELOAD=$shim \
		"$KDUMP" capture -q -l -d 31 "$V" "$out" 2>"$T/err"
	rc=$?
	[ $rc = 3 ] && ok "$e part way: exit status 3" || { bad "$e: exit $rc, want 3"; cat "$T/err"; }
	grep -q "full-$e.kdump: cannot write .* at offset 0x" "$T/err" &&
		grep -q INCOMPLETE "$T/err" && ok "$e: the message names the file, the offset and INCOMPLETE" ||
		{ bad "$e: message"; cat "$T/err"; }
	st=$(u32 "$out" 424)
	[ $((st & 8)) = 8 ] && ok "$e: header status $st has INCOMPLETE (0x8)" || bad "$e: status $st"
	peer_cut "$e" "$out" "$V" --step 7 --max-paddr 0x40000000
done

# ELF: e_flags bit 0.
KD_FAULT_PATH=full.elf KD_FAULT_AFTER=$((20 << 20)) KD_FAULT_ERRNO=ENOSPC LD_PRELOAD=$shim \
	"$KDUMP" capture -q -E -d 31 "$V" "$T/full.elf" 2>/dev/null
rc=$?
fl=$(u32 "$T/full.elf" 48)
[ $rc = 3 ] && [ "$fl" = 1 ] && ok "ELF, ENOSPC: exit 3, e_flags 1" || bad "ELF: exit $rc, e_flags $fl"

# Short writes: the same bytes as without faults.
KD_FAULT_PATH=short.kdump KD_FAULT_SHORT=1 LD_PRELOAD=$shim \
	"$KDUMP" capture -q -l -d 31 "$V" "$T/short.kdump" || bad "short writes: capture failed"
cmp -s "$T/short.kdump" "$T/whole.kdump" && ok "short writes: identical output" ||
	bad "short writes changed the output"

# Flattened: what went down a stream that broke reassembles into a dump marked incomplete.
# (the reader goes away after 12 MiB, as a dropped ssh connection would)
"$KDUMP" capture -q -l -d 31 -F "$V" 2>/dev/null | head -c $((12 << 20)) >"$T/cut.flat"
rc=${PIPESTATUS[0]}
[ $rc = 3 ] && ok "flattened, the reader goes away: exit 3" || bad "flattened: exit $rc, want 3"
"$KDUMP" reassemble "$T/cut.flat" "$T/cut.kdump" 2>"$T/err"
rc=$?
st=$(u32 "$T/cut.kdump" 424)
[ $rc = 3 ] && [ $((st & 8)) = 8 ] && ok "reassembling a cut stream: exit 3, status INCOMPLETE" ||
	{ bad "reassemble of a cut stream: exit $rc, status $st"; cat "$T/err"; }

# SIGTERM part way (writes slowed to 512 bytes a call so the capture is still running):
# exit 3, a dump marked incomplete that libkdumpfile reads.
KD_FAULT_PATH=term.kdump KD_FAULT_SHORT=1 LD_PRELOAD=$shim \
	"$KDUMP" capture -q -d 0 --threads 1 "$V" "$T/term.kdump" 2>"$T/err" &
pid=$!
for _ in $(seq 200); do
	[ "$(stat -c %s "$T/term.kdump" 2>/dev/null || echo 0)" -gt $((8 << 20)) ] && break
	sleep 0.05
done
kill -TERM $pid
wait $pid
rc=$?
st=$(u32 "$T/term.kdump" 424)
if [ $rc = 3 ] && [ $((st & 8)) = 8 ] && grep -q 'interrupted by a signal' "$T/err" &&
	r=$(peer_read "$T/term.kdump"); then
	ok "SIGTERM part way: exit 3, status INCOMPLETE, libkdumpfile reads it ($r)"
else
	bad "SIGTERM: exit $rc, status $st"; cat "$T/err"
fi
rm -f "$T/term.kdump"

# Command line errors: exit 2.
for args in "-d 32 $V $T/x" "-c -l $V $T/x" "-E -z $V $T/x" "$V" "-F $V $T/x" "--threads 0 $V $T/x"; do
	# shellcheck disable=SC2086
	"$KDUMP" capture $args >/dev/null 2>&1 </dev/null
	rc=$?
	[ $rc = 2 ] && ok "capture $args: exit 2" || bad "capture $args: exit $rc, want 2"
done
"$KDUMP" reassemble a b c >/dev/null 2>&1
[ $? = 2 ] && ok "reassemble with three arguments: exit 2" || bad "reassemble usage"
[ ! -e "$T/x" ] && ok "no output file left by usage errors" || bad "usage errors left $T/x"

# Refuses to overwrite; -f does.
"$KDUMP" capture -q -l -d 31 "$V" "$T/whole.kdump" 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q 'already exists' "$T/err" && ok "an existing DUMPFILE is not overwritten" ||
	bad "overwrite: exit $rc"
[ "$(stat -c %a "$T/whole.kdump")" = 600 ] && ok "dump created with mode 0600" || bad "mode"

verdict
