#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kdump load --dry-run on both fixtures' sysroots with the real Debian kernels they ran, against
# what kexec-tools did there (kexec-p-d.txt) and what the capture kernel exported (vmcore.elf).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tmpdir tmp

hex() { printf '%d' "$1"; }

for fx in x86_64-6.1-1G x86_64-6.12-1G; do
	series=${fx#x86_64-}
	series=${series%-1G}
	sysroot=$SHARED/fixtures/$fx/sysroot
	kpd=$SHARED/fixtures/$fx/kexec-p-d.txt
	vmcore=$FIX/$fx/vmcore.elf
	[ -d "$sysroot" ] || skip "no fixture $sysroot (set SHARED)"
	[ -f "$vmcore" ] || skip "no $vmcore (make fixtures, or set FIX)"
	debian_kernel vmlinuz "$series" vmlinuz
	[ -f "$vmlinuz" ] || skip "no kernel for $series"
	head -c 4999999 /dev/urandom >"$tmp/initrd"
	append=$(sed -n 's/^# KD_CAPTURE_APPEND=//p' "$kpd")

	# The default plan unpacks the kernel: judged by an independent unpacker.
	"$KDUMP" load --dry-run --sysroot "$sysroot" --kernel "$vmlinuz" --initrd "$tmp/initrd" \
		--append "$append" >"$tmp/plan-unpacked" || fail "$fx: dry run failed"
	echo "== $fx: kdump load --dry-run (kernel $vmlinuz)"
	sed -n '/^kernel/,/^purgatory/p' "$tmp/plan-unpacked"
	/usr/bin/python3 "$top/tests/support/unpacked-kernel.py" "$vmlinuz" "$tmp/plan-unpacked" ||
		fail "$fx: the unpacked kernel segment differs from an independent unpacking"

	# Short of memory to unpack (the vmlinux and its image, ~125 MB at once): the bzImage is
	# loaded as it is, and the plan says why. (Not under ASan, which reserves far more.)
	# (ldd's whole output first: `ldd | grep -q` under pipefail fails whenever grep stops
	# reading before ldd has written everything, and that ran this part under ASan.)
	libs=$(ldd "$KDUMP" 2>/dev/null || true)
	if [[ $libs != *libasan* ]]; then
		(ulimit -v 100000; "$KDUMP" load --dry-run --sysroot "$sysroot" --kernel "$vmlinuz" \
			--no-initrd --append "$append" >"$tmp/plan-nomem") ||
			fail "$fx: a dry run short of memory failed instead of loading the bzImage"
		grep -q "loaded as it is .*out of memory" "$tmp/plan-nomem" ||
			fail "$fx: short of memory, the plan does not say the bzImage is loaded as it is"
		grep -q "jumps to 0x[0-9a-f]*200 (kernel + 0x200)" "$tmp/plan-nomem" ||
			fail "$fx: short of memory, the plan does not enter the bzImage"
	fi

	# --no-unpack: the bzImage as kexec-tools loads it.
	"$KDUMP" load --dry-run --no-unpack --sysroot "$sysroot" --kernel "$vmlinuz" --initrd "$tmp/initrd" \
		--append "$append" --save-elfcorehdr "$tmp/hdr" >"$tmp/plan" || fail "$fx: dry run failed"
	echo "== $fx: kdump load --dry-run --no-unpack"
	sed -n '/^segments/,/^purgatory/p;/^command line/p' "$tmp/plan"

	# The reservation, from the fixture's /proc/iomem.
	read -r rs re < <(sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : Crash kernel$/\1 \2/p' "$sysroot/proc/iomem" | tail -n1)
	rs=$((16#$rs)) re=$((16#$re))

	# Every segment: page aligned, inside the reservation, no overlap, at most 16, pages free.
	n=0 prev_end=0 used=0
	while read -r _ kind mem memsz bufsz sha _; do
		mem=$(hex "$mem") memsz=$(hex "$memsz") bufsz=$(hex "$bufsz")
		((mem % 4096 == 0 && memsz % 4096 == 0)) || fail "$fx: $kind not page aligned"
		((mem >= rs && mem + memsz - 1 <= re)) || fail "$fx: $kind outside the reservation"
		((mem >= prev_end)) || fail "$fx: $kind overlaps the previous segment"
		((bufsz <= memsz)) || fail "$fx: $kind bufsz > memsz"
		prev_end=$((mem + memsz)) used=$((used + memsz)) n=$((n + 1))
		eval "seg_${kind//[^a-z]/_}='$mem $memsz $bufsz $sha'"
	done < <(sed -n '/^segments/,/^purgatory/{/^  [0-9]/p}' "$tmp/plan")
	((n == 5 && n <= 16)) || fail "$fx: $n segments"
	((re - rs + 1 - used >= 1 << 20)) || fail "$fx: no free pages left for control pages"

	# The kernel segment: same bytes and size as kexec-tools' (segment[1] in kexec-p-d.txt).
	read -r kmem kmemsz kbufsz ksha <<<"$seg_kernel"
	kt_bufsz=$(sed -n 's/^segment\[1\]\.bufsz = //p' "$kpd")
	kt_memsz=$(sed -n 's/^segment\[1\]\.memsz = //p' "$kpd")
	((kbufsz == kt_bufsz && kmemsz == kt_memsz)) ||
		fail "$fx: kernel bufsz/memsz $kbufsz/$kmemsz, kexec-tools $((kt_bufsz))/$((kt_memsz))"
	((kmem % 0x200000 == 0)) || fail "$fx: kernel not 2 MiB aligned"
	# Its digest (of the payload; the kernel zero-fills up to memsz), recomputed by sha256sum.
	size=$(stat -c %s "$vmlinuz")
	theirs=$(tail -c "$kbufsz" "$vmlinuz" | sha256sum | cut -d' ' -f1)
	((size - kbufsz == ($(od -An -tu1 -j $((0x1f1)) -N1 "$vmlinuz") + 1) * 512)) || fail "$fx: payload offset"
	[ "$ksha" = "$theirs" ] || fail "$fx: kernel digest $ksha, sha256sum says $theirs"

	# The command line names the elfcorehdr segment.
	read -r hmem _ <<<"$seg_elfcorehdr"
	want="command line: $append elfcorehdr=0x$(printf '%x' "$hmem")"
	grep -qxF "$want" "$tmp/plan" || fail "$fx: expected '$want'"

	# The saved header: PT_LOADs above 1 MiB = the vmcore's (which the kernel built from
	# kexec-tools' header); notes at the crash_notes addresses and VMCOREINFO.
	loads() {
		readelf -lW "$1" | while read -r type _ vaddr paddr _ memsz _; do
			[ "$type" = LOAD ] && ((paddr >= 0x100000)) && echo "$vaddr $paddr $memsz"
		done | sort
		return 0
	}
	diff <(loads "$tmp/hdr") <(loads "$vmcore") >"$tmp/diff" ||
		{ cat "$tmp/diff"; fail "$fx: PT_LOADs above 1 MiB differ from vmcore.elf"; }
	nl=$(loads "$tmp/hdr" | wc -l)
	((nl == 3)) || fail "$fx: expected 3 PT_LOADs above 1 MiB (text + 2 RAM), got $nl"
	echo "$fx: PT_LOADs above 1 MiB identical to vmcore.elf: $nl"
	for cpu in "$sysroot"/sys/devices/system/cpu/cpu[0-9]*; do
		a=$(cat "$cpu/crash_notes")
		readelf -lW "$tmp/hdr" | grep >/dev/null "^ *NOTE .*0x0*$a 0x000170" || fail "$fx: no note for $cpu at $a"
	done
	read -r va vs <"$sysroot/sys/kernel/vmcoreinfo"
	readelf -lW "$tmp/hdr" | grep >/dev/null "^ *NOTE .* $va 0x00$vs 0x00$vs " || fail "$fx: no VMCOREINFO note at $va"

	# Plain kexec plan of the same kernel.
	"$KDUMP" kexec load "$vmlinuz" --dry-run --sysroot "$sysroot" --reuse-cmdline >"$tmp/kx" ||
		fail "$fx: kexec load --dry-run failed"
	grep -q "flags=0x3e0000" "$tmp/kx" || fail "$fx: plain kexec flags"
done

# Bad input through the command line: a clear error, exit 1.
sysroot=$SHARED/fixtures/x86_64-6.1-1G/sysroot
if "$KDUMP" load --dry-run --sysroot "$sysroot" --kernel "$tmp/initrd" 2>"$tmp/err"; then
	fail "an initrd was accepted as a kernel"
fi
grep -q "not a bzImage" "$tmp/err" || { cat "$tmp/err"; fail "no clear error for a non-bzImage"; }
"$KDUMP" status --sysroot "$sysroot" >"$tmp/status" || fail "status on an armed fixture should exit 0"
grep -q "capture kernel: *loaded" "$tmp/status" && grep -q "reservation: *256.0 MiB at 0x2e000000-0x3dffffff" "$tmp/status" ||
	{ cat "$tmp/status"; fail "status output"; }
echo "t-load-dryrun: ok"
