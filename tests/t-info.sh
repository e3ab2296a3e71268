#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdump info on both fixtures: release, crash time, crashing CPU (0, pid 235 / 277), registers,
# panic message; --json parses with python3 -m json.tool and holds the same; bad input.
set -u
. "$(dirname "$0")/lib.sh"
tmpdir t

check() {	# fixture, release, pid, rip, crashtime
	local v=$FIX/$1/vmcore.elf
	[ -f "$v" ] || skip "fixture $1 missing: $v"
	"$KDUMP" info "$v" >"$t/txt" 2>"$t/err" || fail "$1: kdump info exit $?: $(cat "$t/err")"
	[ ! -s "$t/err" ] || fail "$1: warnings: $(cat "$t/err")"
	for want in "Kernel release:  $2" "Crash time:      $5 (" "Panic message:   sysrq triggered crash" \
		"CPUs:            2 (pids $3, 0)" "Crashing CPU:    0 (pid $3, comm \"sh\"; by the PID" \
		"rip      0x$(printf %016x "$4")" "Page size:       4096" "Format:          ELF"; do
		grep -qF "$want" "$t/txt" || fail "$1: text output lacks \"$want\":
$(cat "$t/txt")"
	done
	"$KDUMP" info --json "$v" >"$t/json" || fail "$1: --json exit $?"
	/usr/bin/python3 -m json.tool "$t/json" >/dev/null || fail "$1: --json is not JSON"
	/usr/bin/python3 - "$t/json" "$2" "$3" "$4" "$5" <<'PY' || fail "$1: JSON content"
import json, sys
j = json.load(open(sys.argv[1]))
rel, pid, rip, ct = sys.argv[2], int(sys.argv[3]), int(sys.argv[4], 0), int(sys.argv[5])
c = j["crashing_cpu"]
checks = [
    (j["osrelease"] == rel, "osrelease"), (j["utsname"]["release"] == rel, "utsname"),
    (j["utsname"]["machine"] == "x86_64", "machine"), (j["crash_time"] == ct, "crash_time"),
    (j["panic_message"] == "sysrq triggered crash", "panic_message"),
    (j["nr_cpus"] == 2 and j["cpu_pids"] == [pid, 0], "cpus"),
    (c["cpu"] == 0 and c["pid"] == pid and c["comm"] == "sh" and c["rule"] == "log", "crashing_cpu"),
    (len(c["registers"]) == 27 and int(c["registers"]["rip"], 16) == rip, "registers"),
    (c["registers"]["cs"] == "0x10", "cs"), (j["page_size"] == 4096, "page_size"),
    (j["ram_pages"] > 0 and j["ram_bytes"] == j["ram_pages"] * 4096, "ram"),
    (j["dump"] is None and j["format"] == "ELF", "format"), (j["warnings"] == [], "warnings"),
]
bad = [n for ok, n in checks if not ok]
if bad:
    print("wrong:", bad, json.dumps(j, indent=1)); sys.exit(1)
PY
	echo "$1: kdump info and --json: release $2, crashing CPU 0 pid $3, rip $4"
}
# Values: fixture READMEs and SPEC-capture 1.3 / 2.2.
check x86_64-6.1-1G 6.1.0-56-amd64 235 0xffffffffbad741ba 1795575462
check x86_64-6.12-1G 6.12.117+deb12-amd64 277 0xffffffff95fdd30c 1795594506

# 6.1 RAM: bitmap1 of makedumpfile covers 196469 pfns (fixture README).
"$KDUMP" info "$FIX/x86_64-6.1-1G/vmcore.elf" | grep -qF "RAM:             196469 pages" ||
	fail "6.1 RAM pages != 196469"

# makedumpfile's kdump-compressed dump of the 6.1 fixture: the same facts plus level and LZO.
f=$SHARED/fixtures/x86_64-6.1-1G/out-d31.kdump
if [ ! -f "$f" ]; then
	not_run "$f missing: the kdump-compressed check"
elif "$KDUMP" info --json "$f" >"$t/json" 2>"$t/err"; then
	/usr/bin/python3 - "$t/json" <<'PY' || fail "kdump info --json $f"
import json, sys
j = json.load(open(sys.argv[1]))
d, c = j["dump"], j["crashing_cpu"]
ok = (j["format"] == "kdump-compressed" and d["level"] == 31 and d["compression"] == "lzo"
      and d["incomplete"] is False and d["dumped_pages"] == 26658 and c["pid"] == 235
      and c["cpu"] == 0 and j["panic_message"] == "sysrq triggered crash"
      and j["osrelease"] == "6.1.0-56-amd64" and j["ram_pages"] == 196469)
if not ok:
    print(json.dumps(j, indent=1)); sys.exit(1)
PY
	echo "out-d31.kdump: kdump info: level 31, lzo, complete, 26658 pages, CPU 0 pid 235"
elif grep -q 'not built yet' "$t/err"; then
	echo "NOTE: the kdump-compressed reader is not in this tree yet: $f not checked"
else
	fail "kdump info $f: $(cat "$t/err")"
fi

# No VMCOREINFO: what is known is shown, with a warning naming the file; exit 1.
"$B/tests/dmesg-gen" noinfo "$t/noinfo.vmcore" || fail "dmesg-gen"
"$KDUMP" info --json "$t/noinfo.vmcore" >"$t/json" 2>"$t/err"; rc=$?
[ $rc = 1 ] || fail "noinfo: exit $rc, want 1"
grep -q "$t/noinfo.vmcore has no VMCOREINFO" "$t/err" || fail "noinfo: $(cat "$t/err")"
/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["osrelease"] is None and j["nr_cpus"] == 1 and j["warnings"], j' "$t/json" ||
	fail "noinfo: JSON"
# A log that cannot be read: exit 0, panic message unknown, a warning.
"$B/tests/dmesg-gen" badring "$t/badring.vmcore" || fail "dmesg-gen"
"$KDUMP" info "$t/badring.vmcore" >"$t/txt" 2>"$t/err" || fail "badring: exit $?"
grep -q 'Panic message:   unknown' "$t/txt" && grep -q 'count_bits 60' "$t/err" || fail "badring"
"$KDUMP" info "$t/missing" 2>/dev/null; [ $? = 1 ] || fail "missing file: want exit 1"
"$KDUMP" info 2>/dev/null; [ $? = 2 ] || fail "no argument: want exit 2"
"$KDUMP" info --help >"$t/help" && grep -q '^Usage: kdump info \[--json\]' "$t/help" &&
	grep -q '^Exit status: 0 ' "$t/help" && grep -q '^See kdump(8)' "$t/help" || fail "--help: $(cat "$t/help")"
echo "kdump info: bad input and usage behave"
