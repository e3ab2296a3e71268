#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make deb: the package builds, lintian has nothing to say (overrides explained in
# debian/kdump.lintian-overrides), and it holds what an admin needs: a static kdump (the
# capture initramfs's /init has no libraries), the units with their paths filled in, the udev
# rule, the man pages, /etc/kdump.conf as a conffile, and the service enabled on install.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_cmd dpkg-buildpackage "dpkg-dev (scripts/install-deps deb)"
need_cmd lintian "lintian (scripts/install-deps deb)"
tmpdir t
cd "$top"
# As root, make deb installs the package's build dependencies first (debian/control).
nodeps=; [ "$(id -u)" = 0 ] || nodeps=NO_DEPS=1
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory deb B="$t/b" $nodeps >"$t/out" 2>&1 || { cat "$t/out"; fail "make deb"; }
deb=$(ls "$t"/b/deb/kdump_*_amd64.deb)
dpkg-deb -x "$deb" "$t/root"
dpkg-deb -e "$deb" "$t/ctl"
file "$t/root/usr/sbin/kdump" | grep >/dev/null 'statically linked' || fail "usr/sbin/kdump is not static"
"$t/root/usr/sbin/kdump" --version | grep >/dev/null '^kdump ' || fail "the packaged kdump does not run"
unitdir=
for d in lib/systemd/system usr/lib/systemd/system; do [ -d "$t/root/$d" ] && unitdir=$d; done
[ -n "$unitdir" ] || fail "no unit directory"
grep -qx 'ExecStart=/usr/sbin/kdump start' "$t/root/$unitdir/kdump.service" || fail "kdump.service"
grep -q 'exec /usr/sbin/kdump kexec load' "$t/root/$unitdir/kexec-load@.service" || fail "kexec-load@"
! grep -rq '@[A-Z]*@' "$t/root/$unitdir" || fail "unsubstituted @...@ in the units"
[ -f "$t/root/${unitdir%/systemd/system}/udev/rules.d/98-kdump.rules" ] || fail "udev rule"
for m in usr/share/man/man8/kdump.8.gz usr/share/man/man5/kdump.conf.5.gz; do
	[ -f "$t/root/$m" ] || fail "$m missing"
done
grep -qx /etc/kdump.conf "$t/ctl/conffiles" || fail "/etc/kdump.conf is not a conffile"
for h in postinst.d postrm.d; do
	[ -x "$t/root/etc/kernel/$h/kdump" ] || fail "no kernel hook /etc/kernel/$h/kdump"
	grep -qx "/etc/kernel/$h/kdump" "$t/ctl/conffiles" || fail "/etc/kernel/$h/kdump is not a conffile"
done
grep -q 'kdump start --build-only --release "$version"' "$t/root/etc/kernel/postinst.d/kdump" ||
	fail "the postinst hook does not build the new kernel's capture initramfs"
# The postrm hook removes a removed kernel's image and stamp, and nothing else.
mkdir -p "$t/hook/var/lib/kdump"
touch "$t/hook/var/lib/kdump/initrd.img-9.9" "$t/hook/var/lib/kdump/initrd.img-9.9.stamp" \
	"$t/hook/var/lib/kdump/initrd.img-9.8"
sed "s|/var/lib/kdump|$t/hook/var/lib/kdump|g" "$t/root/etc/kernel/postrm.d/kdump" >"$t/postrm"
sh "$t/postrm" 9.9 /boot/vmlinuz-9.9 || fail "postrm hook failed"
[ ! -e "$t/hook/var/lib/kdump/initrd.img-9.9" ] && [ ! -e "$t/hook/var/lib/kdump/initrd.img-9.9.stamp" ] &&
	[ -e "$t/hook/var/lib/kdump/initrd.img-9.8" ] || fail "postrm hook removed the wrong files"
grep -q 'deb-systemd-helper.*enable.*kdump.service\|enable.*kdump.service' "$t/ctl/postinst" ||
	fail "postinst does not enable kdump.service"
dpkg-deb -f "$deb" Conflicts | grep -w >/dev/null kdump-tools || fail "no Conflicts: kdump-tools"
echo "t-deb: $(basename "$deb") built, lintian clean, contents as expected"
