#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Replays every fuzz target's saved corpus (tests/fuzz/corpus/NAME) through its replay build.
set -u
. "$(dirname "$0")/lib.sh"
shopt -s nullglob
bins=("$B"/fuzz/fuzz-*)
[ ${#bins[@]} -gt 0 ] || fail "no fuzz targets in $B/fuzz (run make tests)"
rc=0
for b in "${bins[@]}"; do
	name=${b##*/fuzz-}
	[ -f "$top/tests/fuzz/fuzz-$name.c" ] || continue # a stale binary
	corpus=$top/tests/fuzz/corpus/$name
	files=("$corpus"/*)
	if [ ${#files[@]} -eq 0 ]; then
		echo "t-fuzz-replay: fuzz-$name has no corpus in $corpus" >&2
		rc=1
		continue
	fi
	"$b" "$corpus" || { echo "t-fuzz-replay: fuzz-$name failed on its corpus" >&2; rc=1; }
done
exit $rc
