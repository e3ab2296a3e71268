#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The installer VM's init: partitions the target disk by layout, copies this tree onto it,
# installs GRUB for the firmware and powers off. It runs as PID 1 of the debootstrapped tree
# itself (read-only root, booted with -kernel/-initrd from the tree), so the host needs no
# loop devices or mounts. Parameters come from the kernel command line:
#   vmtest.layout=plain  vmtest.firmware=bios|ovmf  vmtest.disk=SERIAL
# The host looks for "vmtest-install: done" on the console.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive

say() { echo "vmtest-install: $*"; }
fail() {
	say "FAILED: $*"
	sync
	echo o >/proc/sysrq-trigger
	sleep 60
}
trap 'fail "a command failed (exit $?)"' EXIT

mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mountpoint -q /run || mount -t tmpfs tmpfs /run

# udev, so that the new filesystems get their /dev/disk/by-uuid links: update-grub names the
# root by UUID only when the link exists.
/lib/systemd/systemd-udevd --daemon
udevadm trigger --action=add
udevadm settle

LAYOUT= FIRMWARE= SERIAL=vmtest-disk
for w in $(cat /proc/cmdline); do
	case $w in
	vmtest.layout=*) LAYOUT=${w#*=} ;;
	vmtest.firmware=*) FIRMWARE=${w#*=} ;;
	vmtest.disk=*) SERIAL=${w#*=} ;;
	esac
done
say "layout $LAYOUT, firmware $FIRMWARE, kernel $(uname -r)"

# The target disk: the virtio disk whose serial is $SERIAL.
DISK=
for s in /sys/block/vd*/serial; do
	[ "$(cat "$s" 2>/dev/null)" = "$SERIAL" ] && DISK=/dev/$(basename "$(dirname "$s")")
done
[ -n "$DISK" ] || { trap - EXIT; fail "no disk with serial $SERIAL"; }
TARGET=/mnt
FSTAB=/run/fstab
: >"$FSTAB"

wait_dev() { # wait_dev DEVICE: the node the kernel makes in devtmpfs for a new partition
	n=0
	while [ ! -b "$1" ]; do
		n=$((n + 1))
		[ $n -lt 100 ] || { echo "$1 did not appear" >&2; return 1; }
		sleep 0.1
	done
}

fstab() { # fstab DEVICE MOUNTPOINT FSTYPE OPTIONS PASS
	echo "UUID=$(blkid -s UUID -o value "$1") $2 $3 $4 0 $5" >>"$FSTAB"
}

# ---- layouts: one function per layout name ---------------------------------------------------
# Each partitions $DISK, makes the filesystems, mounts them under $TARGET (the root first,
# /boot/efi under it for ovmf) and adds their lines to $FSTAB. A layout that needs something at
# boot (mdadm, lvm2, cryptsetup) adds its package to the image's package list (image.py) and
# its kernel parameters to $TARGET/etc/default/grub.d/vmtest-layout.cfg.
layout_plain() {
	if [ "$FIRMWARE" = ovmf ]; then
		printf 'label: gpt\n,256MiB,U\n,,L\n' | sfdisk -q --wipe always "$DISK"
		esp=${DISK}1 root=${DISK}2
	else
		printf 'label: dos\n,,L,*\n' | sfdisk -q --wipe always "$DISK"
		root=${DISK}1
	fi
	udevadm settle
	wait_dev "$root"
	mkfs.ext4 -q -L root "$root"
	mount "$root" "$TARGET"
	fstab "$root" / ext4 errors=remount-ro 1
	if [ "$FIRMWARE" = ovmf ]; then
		wait_dev "$esp"
		mkfs.vfat -F 32 -n ESP "$esp" >/dev/null
		mkdir -p "$TARGET/boot/efi"
		mount "$esp" "$TARGET/boot/efi"
		fstab "$esp" /boot/efi vfat umask=0077 1
	fi
	udevadm settle
}

command -v "layout_$LAYOUT" >/dev/null || { trap - EXIT; fail "unknown layout '$LAYOUT'"; }
"layout_$LAYOUT"
say "layout $LAYOUT on $DISK made"

# ---- the tree ------------------------------------------------------------------------------
# -x: stays on the root filesystem, so /proc, /sys, /dev, /run and $TARGET itself are left
# out (their directories are made empty).
cp -ax /. "$TARGET/"
rm -rf "$TARGET/usr/local/lib/vmtest"
{
	echo "# <file system> <mount point> <type> <options> <dump> <pass>"
	cat "$FSTAB"
} >"$TARGET/etc/fstab"
say "tree copied ($(du -sxm "$TARGET" | cut -f1) MiB, $(cut -d' ' -f1 /proc/uptime) s)"

# ---- the boot loader -----------------------------------------------------------------------
for d in dev proc sys run; do mount --bind "/$d" "$TARGET/$d"; done
if [ "$FIRMWARE" = ovmf ]; then
	# The removable path EFI/BOOT/BOOTX64.EFI needs no boot entry in NVRAM; package upgrades
	# keep writing it.
	echo "grub-efi-amd64 grub2/force_efi_extra_removable boolean true" |
		chroot "$TARGET" debconf-set-selections
	chroot "$TARGET" grub-install --target=x86_64-efi --efi-directory=/boot/efi \
		--removable --no-nvram
	test -f "$TARGET/boot/efi/EFI/BOOT/BOOTX64.EFI"
else
	echo "grub-pc grub-pc/install_devices multiselect /dev/disk/by-id/virtio-$SERIAL" |
		chroot "$TARGET" debconf-set-selections
	chroot "$TARGET" grub-install --target=i386-pc "$DISK"
fi
chroot "$TARGET" update-grub
grep -q 'console=ttyS0' "$TARGET/boot/grub/grub.cfg"
grep -q 'root=UUID=' "$TARGET/boot/grub/grub.cfg"
say "GRUB installed ($(cut -d' ' -f1 /proc/uptime) s)"

for d in run sys proc dev; do umount "$TARGET/$d"; done
[ "$FIRMWARE" = ovmf ] && umount "$TARGET/boot/efi"
umount "$TARGET"
udevadm control --exit
sync
trap - EXIT
say "done"
echo o >/proc/sysrq-trigger
sleep 60
