# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the shell tests, sourced first by each tests/t-*.sh: paths, verdicts, skips,
# temporary directories removed at exit.
#
# A test exits 0 (pass), 77 (skip) or anything else (fail); tests/run-tests counts a skip as a
# failure when CI=true, so that what a test needs must be there in CI.

# The tree, and what `make check-run` passes: the kdump under test, the build directory, the
# decompressed fixtures, the shared reference files.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KDUMP=${KDUMP:-$top/build/kdump}
B=${KD_BUILD:-$top/build}
FIX=${KD_FIXTURES:-$B/fixtures}
SHARED=${SHARED:-$top/../shared}

# ---- verdicts ---------------------------------------------------------------------------------
# fail MESSAGE: the test fails at once.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
# Or case by case: ok and bad print a line each and bad counts it; verdict prints the count
# and returns non-zero if there was any (the last command of such a test).
fails=0
ok() { echo "ok: $*"; }
bad() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
# check WHAT CMD...: ok WHAT if CMD succeeds, else bad WHAT.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
verdict() {
	echo "$fails failure(s)"
	[ "$fails" = 0 ]
}

# ---- what a test needs ------------------------------------------------------------------------
# skip WHY: the test cannot run here (exit 77).
skip() {
	echo "SKIP: $*" >&2
	exit 77
}
# not_run WHY: a part of the test cannot run here: a note, but a failure when CI=true.
not_run() {
	[ "${CI:-}" = true ] && fail "$* (CI=true: it must run)"
	echo "NOTE: not run: $*"
}
# need_cmd CMD WHERE-FROM: skips unless CMD is installed (WHERE-FROM: the package to install).
need_cmd() {
	command -v "$1" >/dev/null || skip "$1 is missing ($2)"
}
# need_py MODULE WHERE-FROM: skips unless the system python3 imports MODULE.
need_py() {
	/usr/bin/python3 -c "import $1" 2>/dev/null || skip "python3 cannot import $1 ($2)"
}
is_root() { [ "$(id -u)" = 0 ]; }
# static_init: a statically linked ELF to embed as an initramfs's /init (busybox-static), in
# $static; skips without one.
static_init() {
	static=$(command -v busybox || true)
	[ -n "$static" ] && file -L "$static" | grep -q 'statically linked' ||
		skip "needs a static ELF to embed as /init (busybox-static)"
}
# debian_kernel VAR 6.1|6.12 [root|vmlinuz|release]: a Debian kernel and its modules, fetched
# once into /var/tmp/kdump-cache by scripts/fetch-kernel: the extracted root (default), the
# bzImage's path or the release, in $VAR; skips if it cannot be had.
debian_kernel() {
	local v
	v=$(KD_PRINT=${3:-root} "$top/scripts/fetch-kernel" "$2") ||
		skip "cannot fetch the Debian $2 kernel"
	printf -v "$1" %s "$v"
}

# ---- temporary files ----------------------------------------------------------------------------
# at_exit COMMAND: run at exit, the last registered first.
_lib_at_exit=()
at_exit() { _lib_at_exit+=("$1"); }
_lib_exit() {
	local i
	for ((i = ${#_lib_at_exit[@]} - 1; i >= 0; i--)); do
		eval "${_lib_at_exit[i]}" || true
	done
}
trap _lib_exit EXIT
# tmpdir VAR: a new directory (under $TMPDIR, named after the test) in $VAR, removed at exit;
# KEEP=1 keeps it and says where.
tmpdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/kd-$(basename "$0" .sh).XXXXXX") || exit 1
	printf -v "$1" %s "$d"
	at_exit "if [ -n \"\${KEEP:-}\" ]; then echo 'kept $d' >&2; else rm -rf '$d'; fi"
}

# ---- reading files ----------------------------------------------------------------------------
# u32 FILE OFFSET: the little-endian 32-bit value at OFFSET, in decimal.
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
# peer_cut WHAT DUMP VMCORE [peer-pages.py options]: a dump cut short, judged by libkdumpfile
# (tests/support/peer-pages.py): ok if it reads some sampled pages, all equal to the vmcore's,
# and some are missing; else bad.
peer_cut() {
	local what=$1 dump=$2 vmcore=$3 r good lost
	shift 3
	if r=$(/usr/bin/python3 "$top/tests/support/peer-pages.py" "$dump" "$vmcore" "$@"); then
		read -r good lost <<<"$r"
		if [ "$good" -gt 0 ] && [ "$lost" -gt 0 ]; then
			ok "$what: libkdumpfile reads the $good sampled pages written, $lost are missing"
		else
			bad "$what: libkdumpfile: $r"
		fi
	else
		bad "$what: libkdumpfile cannot read the incomplete dump"
	fi
}
