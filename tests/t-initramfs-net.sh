#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdump initramfs for the networked targets on a fake module tree: the ssh client with its
# libraries (run from the extracted archive in a chroot), key and known_hosts, the NFS
# modules in order, the settings; and the refusals (names for addresses, missing key).
set -eu
. "$(dirname "$0")/lib.sh"
tmpdir t
static_init
[ -x /usr/bin/ssh ] || skip "needs /usr/bin/ssh (openssh-client)"
m=$t/lib/modules/9.9.9-test
for f in drivers/net/virtio_net.ko net/core/failover.ko drivers/net/net_failover.ko \
	fs/nfs/nfs.ko fs/nfs/nfsv4.ko fs/nfs/nfsv3.ko net/sunrpc/sunrpc.ko fs/lockd/lockd.ko \
	net/dns_resolver/dns_resolver.ko; do
	mkdir -p "$(dirname "$m/kernel/$f")"
	echo "module $f" >"$m/kernel/$f"
done
cat >"$m/modules.dep" <<'D'
kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko
kernel/net/core/failover.ko:
kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
kernel/fs/nfs/nfsv4.ko: kernel/net/dns_resolver/dns_resolver.ko kernel/fs/nfs/nfs.ko kernel/fs/lockd/lockd.ko kernel/net/sunrpc/sunrpc.ko
kernel/fs/nfs/nfsv3.ko: kernel/fs/nfs/nfs.ko kernel/fs/lockd/lockd.ko kernel/net/sunrpc/sunrpc.ko
kernel/fs/nfs/nfs.ko: kernel/fs/lockd/lockd.ko kernel/net/sunrpc/sunrpc.ko
kernel/net/sunrpc/sunrpc.ko:
kernel/fs/lockd/lockd.ko: kernel/net/sunrpc/sunrpc.ko
kernel/net/dns_resolver/dns_resolver.ko:
D
: >"$m/modules.softdep"
: >"$m/modules.alias"
: >"$m/modules.builtin"
printf 'KEY\n' >"$t/key"
chmod 600 "$t/key"
echo "192.0.2.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKDUMPTESTKEYKDUMPTESTKEYKDUMPTESTKEY1234" >"$t/kh"
common=(--kernel-root "$t" --release 9.9.9-test --kdump "$static" --module virtio_net)

# ---- ssh ----
"$KDUMP" initramfs -o "$t/s.img" "${common[@]}" --ssh kd@192.0.2.1:2222 --sshkey "$t/key" \
	--known-hosts "$t/kh" --net-addr 192.0.2.50/24 --net-gateway 192.0.2.254 \
	--hostname web1 >"$t/out"
grep -q '3 module(s) for 9.9.9-test' "$t/out" || { cat "$t/out"; exit 1; }
mkdir "$t/x"
(cd "$t/x" && zcat "$t/s.img" | cpio -id --quiet --no-absolute-filenames)
zcat "$t/s.img" | cpio -itv --quiet >"$t/list"
cmp "$t/x/usr/bin/ssh" /usr/bin/ssh
cmp "$t/x/etc/kdump/ssh_key" "$t/key"
cmp "$t/x/etc/kdump/known_hosts" "$t/kh"
grep -qE '^-rw------- .* etc/kdump/ssh_key$' "$t/list" || { grep ssh_key "$t/list"; exit 1; }
grep -q '^root:x:0:0:' "$t/x/etc/passwd"
for lib in $(ldd /usr/bin/ssh | grep -oE '=> /[^ ]+' | cut -c4-) /lib64/ld-linux-x86-64.so.2; do
	[ -e "$t/x$lib" ] || { echo "t-initramfs-net: $lib missing from the archive"; exit 1; }
done
# The copied client runs from the archive's tree alone.
if is_root; then
	chroot "$t/x" /usr/bin/ssh -V 2>"$t/v" || { cat "$t/v"; exit 1; }
	grep -q '^OpenSSH_' "$t/v" || { cat "$t/v"; exit 1; }
fi
"$KDUMP" init --check-config "$t/x/etc/kdump/init.conf" |
	grep -E '^(target|path|hostname|net_|ssh_|nfs_|module)' >"$t/conf"
diff -u - "$t/conf" <<'C'
target=ssh
path=/var/crash
hostname=web1
net_addr=192.0.2.50/24
net_gateway=192.0.2.254
ssh_user=kd
ssh_host=192.0.2.1
ssh_port=2222
module=failover.ko
module=net_failover.ko
module=virtio_net.ko
C

# ---- nfs: the client's modules after their dependencies ----
"$KDUMP" initramfs -o "$t/n.img" "${common[@]}" --nfs 192.0.2.1:/srv/dumps --nfs-vers 4.1 \
	--net-addr 192.0.2.50/24 >"$t/out"
mkdir "$t/n"
(cd "$t/n" && zcat "$t/n.img" | cpio -id --quiet --no-absolute-filenames)
"$KDUMP" init --check-config "$t/n/etc/kdump/init.conf" | grep -E '^(target|nfs_|module)' >"$t/conf"
diff -u - "$t/conf" <<'C'
target=nfs
nfs_server=192.0.2.1
nfs_export=/srv/dumps
nfs_vers=4.1
module=failover.ko
module=net_failover.ko
module=virtio_net.ko
module=sunrpc.ko
module=lockd.ko
module=nfs.ko
module=dns_resolver.ko
module=nfsv4.ko
C
[ ! -e "$t/n/usr/bin/ssh" ] || { echo "t-initramfs-net: ssh in an nfs initramfs"; exit 1; }
# No version given: negotiated in the capture kernel (4.2 ... 3), so both clients are in.
"$KDUMP" initramfs -o "$t/n2.img" "${common[@]}" --nfs 192.0.2.1:/srv/dumps \
	--net-addr 192.0.2.50/24 >"$t/out"
grep -q 'kernel/fs/nfs/nfsv4.ko' "$t/out" && grep -q 'kernel/fs/nfs/nfsv3.ko' "$t/out" ||
	{ cat "$t/out"; exit 1; }

# ---- refusals ----
refuse() { # refuse 'expected message' ARGS...
	local want=$1
	shift
	if "$KDUMP" initramfs -o "$t/r.img" "${common[@]}" "$@" 2>"$t/err"; then
		echo "t-initramfs-net: accepted: $*"; exit 1
	fi
	grep -qF -e "$want" "$t/err" || { echo "want: $want"; cat "$t/err"; exit 1; }
	[ ! -e "$t/r.img" ] || { echo "t-initramfs-net: a failed build left $t/r.img"; exit 1; }
}
refuse "kd.example.org is not an IPv4 address (the capture kernel has no resolver)" \
	--ssh kd@kd.example.org --net-addr 192.0.2.50/24
refuse "--ssh needs --net-addr ADDR/PREFIX" --ssh kd@192.0.2.1
refuse "--ssh wants USER@HOST[:PORT]" --ssh 192.0.2.1 --net-addr 192.0.2.50/24
refuse 'bad ssh port "0"; accepted: 1 to 65535' --ssh kd@192.0.2.1:0 --net-addr 192.0.2.50/24
refuse "--net-addr wants IPv4 ADDR/PREFIX" --ssh kd@192.0.2.1 --net-addr 192.0.2.50
refuse "ssh key $t/nokey" --ssh kd@192.0.2.1 --net-addr 192.0.2.50/24 --sshkey "$t/nokey" \
	--known-hosts "$t/kh"
refuse "known hosts file $t/nokh" --ssh kd@192.0.2.1 --net-addr 192.0.2.50/24 \
	--sshkey "$t/key" --known-hosts "$t/nokh"
refuse "--nfs wants SERVER:/EXPORT" --nfs 192.0.2.1:srv --net-addr 192.0.2.50/24
refuse "--nfs: the server must be an IPv4 address" --nfs nas:/srv --net-addr 192.0.2.50/24
echo "t-initramfs-net: ssh client with its libraries (runs in a chroot), key, known_hosts, NFS modules, settings and refusals as expected"
