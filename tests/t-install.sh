#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make install DESTDIR= PREFIX=: the binary (static), the units and udev rule with their paths filled in,
# the man pages, and a default config that an existing one is never replaced by.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tmpdir t
# The built binary, installed from a build directory of its own: make must neither rebuild
# nor restamp $B (other tests run its kdump meanwhile, and a make without the build's flags,
# e.g. SANITIZE=, would rebuild it with other ones).
mkdir "$t/b" && cp "$B/kdump" "$t/b/kdump"
# make as a user runs it, not with the flags of a make that runs the tests (SANITIZE=...).
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top" --no-print-directory "$@"; }
install_kd() {
	mk install B="$t/b" INSTALL_BIN="$t/b/kdump" NO_DEPS=1 DESTDIR="$t" PREFIX=/opt/kd >/dev/null
}
install_kd
for f in opt/kd/sbin/kdump:755 etc/kdump.conf:644 opt/kd/share/man/man8/kdump.8:644 \
	opt/kd/share/man/man5/kdump.conf.5:644 opt/kd/lib/systemd/system/kdump.service:644 \
	opt/kd/lib/udev/rules.d/98-kdump.rules:644; do
	[ -f "$t/${f%%:*}" ] || fail "not installed: ${f%%:*}"
	[ "$(stat -c %a "$t/${f%%:*}")" = "${f##*:}" ] || fail "${f%%:*}: mode $(stat -c %a "$t/${f%%:*}")"
done
# Installed static whatever the build (the binary becomes the capture initramfs's /init): a
# plain make install builds the static kdump, without sanitizers, and installs that one.
plan=$(mk -n install B="$t/nob" NO_DEPS=1 DESTDIR="$t/x" PREFIX=/opt/kd 2>&1)
grep -q "B=$t/nob/static STATIC=1 SANITIZE= " <<<"$plan" &&
	grep -q "install -D -m 0755 $t/nob/static/kdump $t/x/opt/kd/sbin/kdump" <<<"$plan" ||
	fail "make install would not build and install a static kdump: $plan"
unit=$t/opt/kd/lib/systemd/system/kdump.service
grep -qx 'ExecStart=/opt/kd/sbin/kdump start' "$unit" && grep -qx 'ExecStop=/opt/kd/sbin/kdump stop' "$unit" ||
	fail "unit paths"
! grep -q @ "$unit" "$t/opt/kd/lib/udev/rules.d/98-kdump.rules" || fail "unsubstituted @...@"
grep -q 'RUN+="/usr/bin/systemctl --no-block try-restart kdump.service"' "$t/opt/kd/lib/udev/rules.d/98-kdump.rules" ||
	fail "udev rule"
"$t/opt/kd/sbin/kdump" config check --config "$t/etc/kdump.conf" >/dev/null 2>&1 ||
	! is_root || fail "the installed default config is not valid"
# systemd's own checker, when there is one (the unit's commands pointed at /bin/true).
if command -v systemd-analyze >/dev/null; then
	sed 's|/opt/kd/sbin/kdump|/bin/true|' "$unit" >"$t/kdump.service"
	out=$(systemd-analyze verify "$t/kdump.service" 2>&1 | grep -v "Command 'man " || true)
	[ -z "$out" ] || fail "systemd-analyze verify: $out"
fi
# An admin's config survives a reinstall.
echo "path /srv/crash" >"$t/etc/kdump.conf"
install_kd
[ "$(cat "$t/etc/kdump.conf")" = "path /srv/crash" ] || fail "install replaced the admin's config"
echo "t-install: ok"
