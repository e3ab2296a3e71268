#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Our dumps of the 6.1 fixture, judged by tools we did not write: makedumpfile (byte-identical
# output, --dump-dmesg, -R, re-filtering) and libkdumpfile (every page equals the vmcore's).
set -u
. "$(dirname "$0")/lib.sh"
fx=x86_64-6.1-1G
V=$FIX/$fx/vmcore.elf
REF=$SHARED/fixtures/$fx

[ -r "$V" ] || skip "$V missing (make fixtures)"
[ -r "$REF/dmesg.txt" ] || skip "$REF missing (SHARED=)"
need_cmd makedumpfile .ci/packages.d/peers
need_py kdumpfile python3-libkdumpfile

tmpdir T
mdf() { makedumpfile "$@" >"$T/mdf.log" 2>&1 || { cat "$T/mdf.log"; return 1; }; }
secs() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN{printf "%.2f", e-s}'; }

# 1. Byte-identical to makedumpfile 1.7.2 (-l and -c at -d 1, ELF -E at -d 1).
for opt in l c; do
	t0=$(date +%s.%N)
	"$KDUMP" capture -q -$opt -d 1 "$V" "$T/our-$opt.kdump" || bad "capture -$opt -d 1"
	t1=$(date +%s.%N); ours=$(secs "$t0")
	mdf -$opt -d 1 "$V" "$T/mdf-$opt.kdump"
	theirs=$(secs "$t1")
	check "-$opt -d 1: byte-identical to makedumpfile ($(stat -c %s "$T/our-$opt.kdump") bytes; ours ${ours}s, makedumpfile ${theirs}s)" \
		cmp "$T/our-$opt.kdump" "$T/mdf-$opt.kdump"
	rm -f "$T/mdf-$opt.kdump"
done
"$KDUMP" capture -q -E -d 1 "$V" "$T/our.elf" || bad "capture -E -d 1"
mdf -E -d 1 "$V" "$T/mdf.elf"
check "-E -d 1: byte-identical to makedumpfile -E ($(stat -c %s "$T/our.elf") bytes)" \
	cmp "$T/our.elf" "$T/mdf.elf"
rm -f "$T/mdf.elf"

# 2. Filtered: -l -d 31 equals makedumpfile's reference dumps of both fixtures (6.1: 1.7.2,
#    6.12: 1.7.8), and -E -d 31 equals makedumpfile -E.
for f in x86_64-6.1-1G x86_64-6.12-1G; do
	ref=$FIX/$f/out-d31.kdump
	[ -r "$ref" ] || ref=$SHARED/fixtures/$f/out-d31.kdump
	if [ ! -r "$ref" ] || [ ! -r "$FIX/$f/vmcore.elf" ]; then
		bad "$f: vmcore.elf or out-d31.kdump missing (make fixtures)"
		continue
	fi
	t0=$(date +%s.%N)
	"$KDUMP" capture -q -l -d 31 "$FIX/$f/vmcore.elf" "$T/our-d31.kdump" || bad "$f: capture -l -d 31"
	check "$f -l -d 31: byte-identical to makedumpfile's out-d31.kdump ($(stat -c %s "$T/our-d31.kdump") bytes, ${t0:+$(secs "$t0")s})" \
		cmp "$T/our-d31.kdump" "$ref"
	rm -f "$T/our-d31.kdump"
done
"$KDUMP" capture -q -E -d 31 "$V" "$T/our-d31.elf" || bad "capture -E -d 31"
mdf -E -d 31 "$V" "$T/mdf-d31.elf"
check "-E -d 31: byte-identical to makedumpfile -E ($(stat -c %s "$T/our-d31.elf") bytes)" \
	cmp "$T/our-d31.elf" "$T/mdf-d31.elf"
rm -f "$T/our-d31.elf" "$T/mdf-d31.elf"

# 3. makedumpfile reads our files: --dump-dmesg of our dump equals its --dump-dmesg of the
#    vmcore (the installed version's format; 1.7.3 and later add a caller column).
mdf --dump-dmesg "$T/our-c.kdump" "$T/dmesg.txt"
mdf --dump-dmesg "$V" "$T/dmesg-vmcore.txt"
check "makedumpfile --dump-dmesg of our zlib dump equals its log of the vmcore" \
	cmp "$T/dmesg.txt" "$T/dmesg-vmcore.txt"

# crash (8.0.2 reads no lockless log without a vmlinux) finds the release in our headers.
if command -v crash >/dev/null; then
	for f in our-c.kdump our.elf; do
		rel=$(crash --osrelease "$T/$f" 2>&1)
		check "crash --osrelease $f: $rel" test "$rel" = 6.1.0-56-amd64
	done
else
	bad "crash not installed (.ci/packages.d/capture)"
fi

# 4. Flattened: makedumpfile -R and kdump reassemble rebuild our file byte for byte.
"$KDUMP" capture -q -l -d 1 -F "$V" >"$T/our.flat" || bad "capture -F"
makedumpfile -R "$T/mdf-R.kdump" <"$T/our.flat" >"$T/mdf.log" 2>&1 || { cat "$T/mdf.log"; bad "makedumpfile -R"; }
check "makedumpfile -R of our flattened stream equals our kdump file" cmp "$T/mdf-R.kdump" "$T/our-l.kdump"
"$KDUMP" reassemble "$T/our.flat" "$T/re.kdump" 2>/dev/null || bad "kdump reassemble"
check "kdump reassemble of our flattened stream equals our kdump file" cmp "$T/re.kdump" "$T/our-l.kdump"
"$KDUMP" capture -q -l -d 1 -F "$V" | "$KDUMP" reassemble - "$T/pipe.kdump" 2>/dev/null ||
	bad "capture -F | kdump reassemble -"
check "capture -F | kdump reassemble - (a pipe) equals our kdump file" cmp "$T/pipe.kdump" "$T/our-l.kdump"
rm -f "$T/our.flat" "$T/mdf-R.kdump" "$T/re.kdump" "$T/pipe.kdump"

# 5. makedumpfile re-filters our file (kdump-compressed input).
mdf -d 1 -l "$T/our-c.kdump" "$T/refilt.kdump"
check "makedumpfile -d 1 -l re-filters our zlib dump; the result equals ours" \
	cmp "$T/refilt.kdump" "$T/our-l.kdump"
rm -f "$T/refilt.kdump"

# 6. libkdumpfile reads every page of every format and compressor; each equals the vmcore's.
"$KDUMP" capture -q -d 1 "$V" "$T/our-none.kdump" || bad "capture none"
dumps="$T/our-none.kdump $T/our-c.kdump $T/our-l.kdump $T/our.elf"
if "$KDUMP" capture -q -z -d 1 "$V" "$T/our-z.kdump" 2>/dev/null; then
	dumps="$dumps $T/our-z.kdump"
else
	echo "note: this kdump is built without zstd"
fi
/usr/bin/python3 - "$V" $dumps <<'EOF'
import kdumpfile, mmap, struct, sys
vm = sys.argv[1]
f = open(vm, 'rb')
mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
phoff, = struct.unpack_from('<Q', mm, 32)
phnum, = struct.unpack_from('<H', mm, 56)
pages = {}
for i in range(phnum):
    p_type, _, off, vaddr, paddr, filesz = struct.unpack_from('<IIQQQQ', mm, phoff + 56 * i)
    if p_type != 1:
        continue
    for pfn in range((paddr + 4095) // 4096, (paddr + filesz) // 4096):
        pages.setdefault(pfn, off + pfn * 4096 - paddr)
zero = bytes(4096)
bad = 0
for path in sys.argv[2:]:
    k = kdumpfile.kdumpfile(path)
    same = absent = 0
    for pfn in sorted(pages):
        o = pages[pfn]
        src = mm[o:o + 4096]
        try:
            got = k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * 4096, 4096)
        except Exception:
            if src == zero:
                absent += 1
                continue
            got = None
        if got != src:
            bad += 1
            if bad < 5:
                print("  %s: pfn 0x%x differs from the vmcore" % (path, pfn))
        else:
            same += 1
    print("  libkdumpfile %s (%s): %d pages equal, %d zero pages excluded, of %d" %
          (path.rsplit('/', 1)[1], k.attr['file.format'], same, absent, len(pages)))
sys.exit(1 if bad else 0)
EOF
[ $? = 0 ] && ok "libkdumpfile reads every page of our dumps as the vmcore has it" ||
	bad "libkdumpfile page comparison"

verdict
