#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The service commands on a fake system tree (the 6.1 fixture's /proc and /sys, the real Debian
# 6.1 kernel and modules, a kdump.conf): start (initramfs from the config, stamp, rebuild
# rules, load --dry-run), status, list, new-dump notification, test, estimate, crashkernel,
# savecore.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
KDUMP=$(realpath "$KDUMP")
tmpdir t
static_init
debian_kernel kroot 6.1
rel=6.1.0-56-amd64

# ---- the system tree --------------------------------------------------------------------
R=$t/root
mkdir -p "$R/boot" "$R/lib/modules" "$R/etc" "$R/var/crash" "$R/dev"
cp -r "$SHARED/fixtures/x86_64-6.1-1G/sysroot/proc" "$SHARED/fixtures/x86_64-6.1-1G/sysroot/sys" "$R/"
chmod -R u+w "$R"
# The real kernel's header over a small payload: what start, status and estimate read of it is
# the header; unpacking the real payload (0.8 s a `kdump load`) is t-load-dryrun's to judge.
/usr/bin/python3 "$top/tests/support/small-bzimage.py" "$kroot/boot/vmlinuz-$rel" "$R/boot/vmlinuz-$rel"
ln -s "$kroot/lib/modules/$rel" "$R/lib/modules/$rel"
echo "BOOT_IMAGE=/boot/vmlinuz-$rel root=UUID=11111111-2222-3333-4444-555555555555 ro console=ttyS0 crashkernel=256M" >"$R/proc/cmdline"
echo "/dev/vda1 / ext4 rw,relatime 0 0" >"$R/proc/mounts"
echo "web1" >"$R/etc/hostname"
cat >"$t/notify" <<EOF
#!/bin/sh
echo "\$@" >>"$t/notified"
EOF
chmod 755 "$t/notify"
conf() { printf '%s\n' "$@" >"$R/etc/kdump.conf"; chmod 600 "$R/etc/kdump.conf"; }
# The target disk: an ext4 superblock labelled "crash" on "vdb", a virtio disk on PCI in sysfs.
/usr/bin/python3 - "$R/dev/vdb" <<'P'
import struct, sys
img = bytearray(4096)
struct.pack_into("<H", img, 1024 + 0x38, 0xEF53)
img[1024 + 0x68:1024 + 0x78] = bytes(range(16))
img[1024 + 0x78:1024 + 0x7d] = b"crash"
open(sys.argv[1], "wb").write(img)
P
pci=$R/sys/devices/pci0000:00/0000:00:05.0
mkdir -p "$pci/virtio2/block/vdb" "$R/sys/class/block" "$R/sys/bus/virtio/drivers/virtio_blk" \
	"$R/sys/bus/pci/drivers/virtio-pci" "$R/sys/module/virtio_blk" "$R/sys/module/virtio_pci"
ln -s "$pci/virtio2/block/vdb" "$R/sys/class/block/vdb"
ln -s "$R/sys/bus/virtio/drivers/virtio_blk" "$pci/virtio2/driver"
ln -s "$R/sys/bus/pci/drivers/virtio-pci" "$pci/driver"
ln -s "$R/sys/module/virtio_blk" "$R/sys/bus/virtio/drivers/virtio_blk/module"
ln -s "$R/sys/module/virtio_pci" "$R/sys/bus/pci/drivers/virtio-pci/module"
conf "ext4 LABEL=crash" "path /dumps" "core_collector makedumpfile -l --message-level 7 -d 31" \
	"keep 3" "notify $t/notify"
k() { local c=$1; shift; "$KDUMP" "$c" --root "$R" "$@"; }

# ---- start: first build, then up to date, then a config change rebuilds --------------------
"$KDUMP" start --root "$R" --kdump "$static" --dry-run >"$t/start.out" 2>"$t/start.err" ||
	{ cat "$t/start.err"; fail "start --dry-run"; }
grep -q "building the capture initramfs .*initrd.img-$rel (first build)" "$t/start.err" ||
	{ cat "$t/start.err"; fail "no first build"; }
grep -q "LABEL=crash is on vdb: driver module virtio_blk added" "$t/start.err" &&
	grep -q "LABEL=crash is on vdb: driver module virtio_pci added" "$t/start.err" ||
	{ cat "$t/start.err"; fail "the disk's drivers were not found in sysfs"; }
grep -q "dry run, nothing is loaded" "$t/start.out" || fail "start did not run load --dry-run"
grep -q "^command line: .*irqpoll nr_cpus=1 reset_devices" "$t/start.out" ||
	{ grep 'command line' "$t/start.out"; fail "capture command line"; }
img=$R/var/lib/kdump/initrd.img-$rel
[ "$(stat -c %a "$img")" = 600 ] || fail "initramfs mode $(stat -c %a "$img")"
[ "$(stat -c %a "$R/var/lib/kdump")" = 700 ] || fail "state dir mode"
mkdir "$t/x" && (cd "$t/x" && zcat "$img" | cpio -id --quiet 2>/dev/null)
ic=$t/x/etc/kdump/init.conf
for want in target=local device=LABEL=crash fstype=ext4 path=/dumps level=31 compress=lzo \
	failure_action=dump_to_rootfs keep=3 hostname=web1 verify=auto \
	rootfs_device=UUID=11111111-2222-3333-4444-555555555555 rootfs_fstype=ext4 \
	final_action=reboot module=virtio_blk.ko module=virtio_pci.ko; do
	grep -qx -- "$want" "$ic" || { cat "$ic"; fail "init.conf lacks $want"; }
done
cmp "$t/x/init" "$static" || fail "/init is not the given binary"

"$KDUMP" start --root "$R" --kdump "$static" --dry-run >/dev/null 2>"$t/start2.err"
grep -q "is up to date" "$t/start2.err" || { cat "$t/start2.err"; fail "rebuilt without a change"; }
conf "ext4 LABEL=crash" "path /dumps" "keep 2" "failure_action poweroff" "verify yes"
"$KDUMP" start --root "$R" --kdump "$static" --dry-run >/dev/null 2>"$t/start3.err"
grep -q "(its inputs changed)" "$t/start3.err" || { cat "$t/start3.err"; fail "config change: no rebuild"; }
rm -rf "$t/x" && mkdir "$t/x" && (cd "$t/x" && zcat "$img" | cpio -id --quiet 2>/dev/null)
grep -qx "failure_action=poweroff" "$ic" && grep -qx "keep=2" "$ic" &&
	grep -qx "verify=yes" "$ic" || fail "rebuilt image has the old settings"
conf "ext4 LABEL=crash" "path /dumps" "keep 2" "failure_action poweroff" "verify yes" \
	"force_no_rebuild 1" "#"
"$KDUMP" start --root "$R" --kdump "$static" --dry-run >/dev/null 2>"$t/start4.err"
grep -q "force_no_rebuild: using .* as it is" "$t/start4.err" || { cat "$t/start4.err"; fail "force_no_rebuild"; }
# An invalid config arms nothing and says where.
printf 'pth /x\n' >"$R/etc/kdump.conf"
if "$KDUMP" start --root "$R" --kdump "$static" --dry-run >/dev/null 2>"$t/bad.err"; then
	fail "an invalid config was accepted"
fi
grep -q 'kdump.conf:1:1: unknown directive "pth" (did you mean "path"?)' "$t/bad.err" ||
	{ cat "$t/bad.err"; fail "invalid config message"; }

# ---- dumps on the root filesystem: list, status, new-dump notification ---------------------
conf "path /var/crash" "keep 3" "notify $t/notify"
mkdir -p "$R/var/crash/web1-2026-11-25-02:57:42" "$R/var/crash/web1-2026-11-26-00:00:00"
head -c 12345 /dev/zero >"$R/var/crash/web1-2026-11-25-02:57:42/vmcore"
"$KDUMP" info --json "$FIX/x86_64-6.1-1G/vmcore.elf" >"$R/var/crash/web1-2026-11-25-02:57:42/info.json" 2>/dev/null ||
	printf '{"osrelease": "%s", "crash_time_utc": "2026-11-25T02:57:42Z", "panic_message": "sysrq triggered crash"}\n' "$rel" \
		>"$R/var/crash/web1-2026-11-25-02:57:42/info.json"
touch "$R/var/crash/web1-2026-11-26-00:00:00/.incomplete"
k list >"$t/list"
grep -q "web1-2026-11-25-02:57:42 *complete .*$rel *2026-11-25T02:57:42Z *sysrq triggered crash" "$t/list" ||
	{ cat "$t/list"; fail "list"; }
grep -q "web1-2026-11-26-00:00:00 *INCOMPLETE" "$t/list" || { cat "$t/list"; fail "list: incomplete"; }
k list --json >"$t/list.json"
/usr/bin/python3 - "$t/list.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert [x["status"] for x in d["dumps"]] == ["complete", "incomplete"], d
assert d["dumps"][0]["bytes"] == 12345 and d["dumps"][0]["panic"] == "sysrq triggered crash", d
P
"$KDUMP" start --root "$R" --kdump "$static" --dry-run >/dev/null 2>"$t/s5.err"
grep -q "new dump: $R/var/crash/web1-2026-11-25-02:57:42 (12.1 KiB, kernel $rel" "$t/s5.err" ||
	{ cat "$t/s5.err"; fail "no new-dump line"; }
[ "$(cat "$t/notified")" = "$R/var/crash/web1-2026-11-25-02:57:42" ] || fail "notify args: $(cat "$t/notified")"
"$KDUMP" start --root "$R" --kdump "$static" --dry-run >/dev/null 2>"$t/s6.err"
! grep -q "new dump" "$t/s6.err" || fail "the same dump was reported twice"
[ "$(wc -l <"$t/notified")" = 1 ] || fail "notify ran twice"

# Loaded, and not by kdump (no /run/kdump/armed): status names who, as far as it can tell.
k status >"$t/status" || fail "status of an armed fixture should exit 0"
grep -q "^capture kernel:  loaded by another program (kexec -p by hand" "$t/status" ||
	{ cat "$t/status"; fail "status does not say a capture kernel was loaded by another program"; }
mkdir -p "$R/usr/sbin" && : >"$R/usr/sbin/kdump-config"
k status --json | grep >/dev/null '"loaded_by": "kdump-tools (kdump-config, kdump-tools.service)"' ||
	fail "status --json does not name kdump-tools"
rm "$R/usr/sbin/kdump-config"
# kdump's own mark (written by a real load): status says armed.
mkdir -p "$R/run/kdump" && echo "kernel $R/boot/vmlinuz-$rel" >"$R/run/kdump/armed"
k status >"$t/status" || fail "status of an armed fixture should exit 0"
for want in "capture kernel:  loaded (armed)" "reservation:     256.0 MiB at 0x2e000000-0x3dffffff" \
	"initramfs:       $img: up to date" "target:          root filesystem, path /var/crash" \
	"last dump:       web1-2026-11-26-00:00:00: INCOMPLETE" "config:          $R/etc/kdump.conf: valid"; do
	grep -qF "$want" "$t/status" || { cat "$t/status"; fail "status lacks: $want"; }
done
grep -q "^command line:    .*root=UUID=11111111-2222-3333-4444-555555555555 .*irqpoll nr_cpus=1 reset_devices" "$t/status" ||
	{ cat "$t/status"; fail "status command line"; }
k status --json >"$t/status.json"
/usr/bin/python3 - "$t/status.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["loaded"] is True and d["reservation"][0]["bytes"] == 256 << 20, d
assert d["initramfs_state"] == "up to date" and d["config_valid"] is True, d
assert d["last_dump"]["complete"] is False and d["dumps"] == 2 and d["free_bytes"] > 0, d
P

# ---- test: refuses when nothing is loaded or nobody confirmed; writes 'c' otherwise --------
: >"$R/proc/sysrq-trigger"
if k test </dev/null 2>"$t/test.err"; then fail "test ran without --yes off a terminal"; fi
grep -q "not on a terminal: pass --yes" "$t/test.err" || { cat "$t/test.err"; fail "test message"; }
[ ! -s "$R/proc/sysrq-trigger" ] || fail "sysrq written without confirmation"
k test --yes >/dev/null 2>&1 || fail "test --yes"
[ "$(cat "$R/proc/sysrq-trigger")" = c ] || fail "sysrq-trigger not written"
echo 0 >"$R/sys/kernel/kexec_crash_loaded"
: >"$R/proc/sysrq-trigger"
if k test --yes 2>"$t/test2.err"; then fail "test with nothing loaded"; fi
grep -q "no capture kernel is loaded" "$t/test2.err" || { cat "$t/test2.err"; fail "test message 2"; }
[ ! -s "$R/proc/sysrq-trigger" ] || fail "sysrq written with nothing loaded"
if k status >/dev/null; then fail "status exit 0 when not loaded"; fi
echo 1 >"$R/sys/kernel/kexec_crash_loaded"

# ---- estimate and crashkernel ---------------------------------------------------------------
k estimate >"$t/est" || { cat "$t/est"; fail "estimate: 256M should be enough"; }
grep -q "capture kernel init_size  *63 MiB" "$t/est" || { cat "$t/est"; fail "init_size of 6.1"; }
k estimate --json >"$t/est.json"
/usr/bin/python3 - "$t/est.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
terms = ["init_size", "initramfs", "runtime", "per_gib_ram", "per_cpu", "network", "margin"]
M = 1 << 20
assert d["init_size"] == 66682880 and d["init_size_measured"], d  # Debian 6.1's bzImage header
s = sum(d[k] for k in terms)
assert d["total"] == (s + 8 * M - 1) // (8 * M) * (8 * M), d
assert 88 * M < d["total"] <= 128 * M and d["enough"], d
P
conf "nfs nfs.example.com:/export"
k estimate --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["network"] == 16 << 20, d'
conf "path /var/crash"
k crashkernel >"$t/ck"
grep -q '^running kernel: crashkernel=256M, 256 MiB reserved' "$t/ck" || { cat "$t/ck"; fail crashkernel; }
[ ! -e "$R/etc/default/grub.d/kdump.cfg" ] || fail "crashkernel wrote without --set"
conf "crashkernel 192M"
k crashkernel --set >"$t/ck2"
grep -qx 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=192M"' "$R/etc/default/grub.d/kdump.cfg" ||
	fail "grub drop-in content"
grep -q "now run update-grub" "$t/ck2" || fail "crashkernel --set does not say to run update-grub"

# ---- savecore: a flattened stream on a "raw device" becomes a dump, once -------------------
conf "raw /dev/vdc" "path /var/crash" "keep 5"
src=$FIX/x86_64-6.12-1G/out-d31.kdump
[ -f "$src" ] || skip "no $src (make fixtures)"
# makedumpfile's flattened format: a 4 KiB header, then (offset, size, data) records, big-endian.
/usr/bin/python3 - "$src" "$R/dev/vdc" <<'P'
import struct, sys
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as f:
    f.write((b"makedumpfile".ljust(16, b"\0") + struct.pack(">qq", 1, 1)).ljust(4096, b"\0"))
    for off in range(0, len(data), 1 << 20):
        chunk = data[off:off + (1 << 20)]
        f.write(struct.pack(">qq", off, len(chunk)) + chunk)
    f.write(struct.pack(">qq", -1, -1))
    f.write(b"\xa5" * 65536)  # what the device held after the stream
P
if "$KDUMP" reassemble --help >/dev/null 2>&1; then
	k savecore >"$t/sc.out" 2>"$t/sc.err" || { cat "$t/sc.err"; fail "savecore"; }
	d=$(find "$R/var/crash" -name vmcore -size +1000k -printf '%h\n' | head -n1)
	[ -n "$d" ] || { cat "$t/sc.out"; fail "savecore wrote no dump"; }
	cmp "$d/vmcore" "$src" || fail "the saved dump differs from the stream's"
	[ ! -e "$d/.incomplete" ] && [ "$(stat -c %a "$d")" = 700 ] && [ "$(stat -c %a "$d/vmcore")" = 600 ] ||
		fail "saved dump: marker or modes"
	head -c 14 "$R/dev/vdc" | grep >/dev/null kdump-savecore || fail "the device was not marked saved"
	k savecore >"$t/sc2.out"
	grep -q "already saved" "$t/sc2.out" || { cat "$t/sc2.out"; fail "saved twice"; }
else
	if k savecore 2>"$t/sc.err"; then fail "savecore without reassemble succeeded"; fi
	grep -q "holds a dump, but this kdump has no 'reassemble' command" "$t/sc.err" ||
		{ cat "$t/sc.err"; fail "savecore message"; }
fi
dd if=/dev/zero of="$R/dev/vdc" bs=4096 count=1 conv=notrunc status=none
k savecore | grep >/dev/null "no flattened dump on it" || fail "savecore on an empty device"

# ---- stop, restart -------------------------------------------------------------------------------
"$KDUMP" stop --dry-run | grep >/dev/null "would unload" || fail "stop --dry-run"
conf "path /var/crash" "capture_cmdline_append nmi_watchdog=0"
"$KDUMP" restart --root "$R" --kdump "$static" --dry-run >"$t/rs.out" 2>"$t/rs.err" ||
	{ cat "$t/rs.err"; fail restart; }
grep -q "would unload" "$t/rs.out" && grep -q "^command line: .*reset_devices nmi_watchdog=0" "$t/rs.out" ||
	{ cat "$t/rs.out"; fail "restart: stop then start with capture_cmdline_append"; }
[ "$(grep -c "warning" "$t/start.err")" = 1 ] || { cat "$t/start.err"; fail "config warnings printed twice"; }
echo "t-service: ok"
