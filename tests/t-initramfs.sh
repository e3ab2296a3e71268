#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdump initramfs on a fake module tree: the archive's members (read back by cpio(1)), the
# settings file (checked by `kdump init --check-config`), and the refusal of a dynamic /init.
set -eu
. "$(dirname "$0")/lib.sh"
tmpdir t
static_init
m=$t/lib/modules/9.9.9-test
mkdir -p "$m/kernel/fs/ext4" "$m/kernel/lib" "$m/kernel/drivers/block" "$m/kernel/crypto"
for f in fs/ext4/ext4.ko.xz lib/crc16.ko.xz drivers/block/virtio_blk.ko.xz crypto/crc32c_generic.ko.xz; do
	echo "module $f" >"$m/kernel/$f"
done
cat >"$m/modules.dep" <<'D'
kernel/fs/ext4/ext4.ko.xz: kernel/lib/crc16.ko.xz
kernel/lib/crc16.ko.xz:
kernel/drivers/block/virtio_blk.ko.xz:
kernel/crypto/crc32c_generic.ko.xz:
D
echo "softdep ext4 pre: crc32c" >"$m/modules.softdep"
echo "alias crc32c crc32c_generic" >"$m/modules.alias"
echo "kernel/drivers/virtio/virtio_pci.ko" >"$m/modules.builtin"

# A dynamically linked /init would not start: refused, with the fix named.
if "$KDUMP" initramfs -o "$t/x.img" --kernel-root "$t" --release 9.9.9-test --device /dev/vda \
	--kdump "$KDUMP" 2>"$t/err"; then
	if file -L "$KDUMP" | grep -q 'dynamically linked'; then
		echo "t-initramfs: a dynamic --kdump was accepted"; exit 1
	fi
else
	grep -q 'dynamically linked; .*make STATIC=1' "$t/err" || { cat "$t/err"; exit 1; }
fi

"$KDUMP" initramfs -o "$t/i.img" --kernel-root "$t" --release 9.9.9-test --device /dev/vda \
	--module virtio_pci --module virtio_blk --level 17 --save-raw --kdump "$static" >"$t/out"
grep -q '4 module(s) for 9.9.9-test (some built in)' "$t/out" || { cat "$t/out"; exit 1; }
mkdir "$t/x"
(cd "$t/x" && zcat "$t/i.img" | cpio -id --quiet)
cmp "$t/x/init" "$static"
[ -x "$t/x/init" ]
[ -c "$t/x/dev/console" ] || ! is_root # device nodes need root to extract
for f in virtio_blk.ko.xz crc32c_generic.ko.xz crc16.ko.xz ext4.ko.xz; do
	cmp "$t/x/lib/modules/$f" "$m/kernel/$(cd "$m/kernel" && find . -name "$f" | sed 's|^\./||')"
done
"$KDUMP" init --check-config "$t/x/etc/kdump/init.conf" >"$t/conf"
diff -u - "$t/conf" <<'C'
# kdump capture initramfs settings (written by `kdump initramfs`)
target=local
device=/dev/vda
fstype=ext4
path=/
level=17
final_action=poweroff
save_raw=1
wait=30
compress=lzo
failure_action=dump_to_rootfs
keep=0
flat=0
check_space=1
verify=auto
module=virtio_blk.ko.xz
module?=crc32c_generic.ko.xz
module=crc16.ko.xz
module=ext4.ko.xz
C
# A module that exists nowhere is an error naming the tree.
if "$KDUMP" initramfs -o "$t/y.img" --kernel-root "$t" --release 9.9.9-test --device /dev/vda \
	--module nosuch --kdump "$static" 2>"$t/err"; then
	echo "t-initramfs: unknown module accepted"; exit 1
fi
grep -q "module nosuch: not in $m/modules.dep" "$t/err" || { cat "$t/err"; exit 1; }
[ ! -e "$t/y.img" ] || { echo "t-initramfs: a failed build left $t/y.img"; exit 1; }
echo "t-initramfs: archive, modules in order, settings and errors as expected"
