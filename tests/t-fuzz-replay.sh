#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Replays every fuzz target's saved corpus (tests/fuzz/corpus/NAME) through its replay build.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
bins=("${KD_BUILD:-$top/build}"/fuzz/fuzz-*)
if [ ${#bins[@]} -eq 0 ]; then
	echo "t-fuzz-replay: no fuzz targets in ${KD_BUILD:-build}/fuzz (run make tests)" >&2
	exit 1
fi
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
