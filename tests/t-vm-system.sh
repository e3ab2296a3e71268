#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One installed-system crash cycle (scripts/vm-system, tests/vmtest/README.md): Debian
# bookworm booted by SeaBIOS and GRUB, our .deb installed by apt, crashkernel= set with
# `kdump crashkernel --set` and update-grub, kdump.service armed at boot, a crash, the dump on
# /var/crash, the reboot, `kdump list` and `kdump verify`, the dump read by makedumpfile and
# libkdumpfile. The image is built once per machine (about 3 minutes) and cached.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tmpdir t
cd "$top"
# The package under test, built from this tree (as root, its build dependencies first).
nodeps=; is_root || nodeps=NO_DEPS=1
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory deb B="$t/b" $nodeps \
	>"$t/deb.log" 2>&1 || { cat "$t/deb.log"; fail "make deb"; }
out=${KD_BUILD:-build}/vm-system
rm -rf "$out"
if ! scripts/vm-system --system "${KD_VM_SYSTEM:-bookworm}" --firmware "${KD_VM_FIRMWARE:-bios}" \
	--deb "$(ls "$t"/b/deb/kdump_*_amd64.deb)" --out "$out"; then
	tail -n 40 "$out/console.log" 2>/dev/null || true
	fail "installed-system cycle failed: $out/result.json, $out/console.log"
fi
/usr/bin/python3 - "$out/result.json" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
p = r["phases"]
print("t-vm-system: boot to armed %.1f s, panic -> dump on disk %.1f s, panic -> up again %.1f s"
      % (p["boot_to_armed"], p["panic_to_dump_on_disk"], p["panic_to_agent_up_again"]))
P
