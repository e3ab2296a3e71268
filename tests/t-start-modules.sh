#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdump start takes up to 32 --module (each goes to the initramfs it builds, then the load is
# planned), and refuses a 33rd as a usage error.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
KDUMP=$(realpath "$KDUMP")
tmpdir t
static_init
debian_kernel kroot 6.1
rel=6.1.0-56-amd64
R=$t/root
mkdir -p "$R/boot" "$R/lib/modules" "$R/etc" "$R/var/lib"
cp -r "$SHARED/fixtures/x86_64-6.1-1G/sysroot/proc" "$SHARED/fixtures/x86_64-6.1-1G/sysroot/sys" "$R/"
chmod -R u+w "$R"
ln -s "$kroot/boot/vmlinuz-$rel" "$R/boot/vmlinuz-$rel"
ln -s "$kroot/lib/modules/$rel" "$R/lib/modules/$rel"
echo "BOOT_IMAGE=/boot/vmlinuz-$rel root=/dev/vda1 ro crashkernel=256M" >"$R/proc/cmdline"
echo "/dev/vda1 / ext4 rw 0 0" >"$R/proc/mounts"
printf 'path /var/crash\n' >"$R/etc/kdump.conf"
chmod 600 "$R/etc/kdump.conf"
mods=()
for m in virtio_blk virtio_net nvme ahci; do
	for i in 1 2 3 4 5 6 7 8; do mods+=(--module "$m"); done
done
[ ${#mods[@]} = 64 ] || fail "the test's own arithmetic"

"$KDUMP" start --root "$R" --kdump "$static" --dry-run "${mods[@]}" >"$t/out" 2>"$t/err" ||
	{ cat "$t/err"; fail "start with 32 --module"; }
grep -q "dry run, nothing is loaded" "$t/out" || { cat "$t/out"; fail "no load planned"; }
mkdir "$t/x" && (cd "$t/x" && zcat "$R/var/lib/kdump/initrd.img-$rel" | cpio -id --quiet 2>/dev/null)
for m in virtio_blk virtio_net nvme ahci; do
	grep -qx "module=$m.ko" "$t/x/etc/kdump/init.conf" || { cat "$t/x/etc/kdump/init.conf"; fail "$m"; }
done
[ "$(grep -c '^module nvme$' "$R/var/lib/kdump/initrd.img-$rel.stamp")" = 8 ] ||
	fail "the stamp does not list the modules asked for"

rc=0
"$KDUMP" start --root "$R" --kdump "$static" --dry-run "${mods[@]}" --module sd_mod \
	>/dev/null 2>"$t/err33" || rc=$?
[ $rc = 2 ] || fail "33 --module: exit status $rc, not 2"
grep -q "^kdump start: at most 32 --module" "$t/err33" || { cat "$t/err33"; fail "33 --module message"; }
echo "t-start-modules: 32 --module armed (dry run), a 33rd refused"
