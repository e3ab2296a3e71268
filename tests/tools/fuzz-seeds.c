// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: writes the seed corpora of the vmcore fuzz targets (tests/fuzz/corpus/) from the
 * real fixtures and from generated structures. Run by hand when a target's input layout changes:
 *   build/tests/fuzz-seeds tests/fuzz/corpus /var/tmp/kdfix ../shared/fixtures [VMLINUZ]
 */
#include "printk.h"
#include "vmgen.h"
#include "vmcore/mem_map.h"
#include "vmcore/vmcore.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

static const char *outdir;

static void put(const char *target, const char *name, const void *buf, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || kd_write_all(fd, buf, len) < 0) {
		fprintf(stderr, "fuzz-seeds: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
	printf("%s (%zu bytes)\n", path, len);
}

/* ---- fuzz-vmcore and fuzz-vmcoreinfo: fixture headers and notes ------------------------- */

static void seed_fixture_heads(const char *fix, const char *name)
{
	char path[4096], seed[128];
	struct kd_err err = { 0 };
	struct vmcore *vc;
	uint8_t buf[16384];
	const char *text;
	ssize_t n;
	size_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/vmcore.elf", fix, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "fuzz-seeds: no %s, skipped\n", path);
		return;
	}
	/* ELF header, program headers, notes and the start of the first load. */
	n = kd_pread_all(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n <= 0)
		exit(1);
	snprintf(seed, sizeof(seed), "fixture-%s-head", name);
	put("vmcore", seed, buf, (size_t)n);
	if (vmcore_open(path, &vc, &err) < 0) {
		fprintf(stderr, "fuzz-seeds: %s\n", err.msg);
		exit(1);
	}
	text = vmcoreinfo_text(vmcore_vmcoreinfo(vc), &len);
	snprintf(seed, sizeof(seed), "fixture-%s", name);
	put("vmcoreinfo", seed, text, len);
	vmcore_close(vc);
}

static void seed_generated_vmcores(void)
{
	static const char *const kinds[] = { "small", "noinfo", "twocpus" };
	char tmp[] = "/tmp/fuzz-seeds-XXXXXX";
	uint8_t buf[32768];
	int fd = mkstemp(tmp);

	if (fd < 0)
		exit(1);
	for (size_t k = 0; k < KD_ARRAY_SIZE(kinds); k++) {
		struct vmgen *g = vmgen_new();
		ssize_t n;

		vmgen_cpu(g, 1, NULL);
		if (k == 2)
			vmgen_cpu(g, 2, NULL);
		if (k == 1) {
			vmgen_no_vmcoreinfo(g);
		} else {
			vmgen_info_kernel(g, "6.1.0-seed", 4096, 0xffffffff81000000ULL);
		}
		vmgen_load(g, 0x1000000, 0x2000, 0xffffffff81000000ULL);
		vmgen_load(g, 0x0, 0x3000, 0xffff888000000000ULL);
		vmgen_pattern(g, 0x0, 0x3000);
		if (vmgen_write(g, tmp) < 0)
			exit(1);
		vmgen_free(g);
		n = kd_pread_all(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			exit(1);
		put("vmcore", kinds[k], buf, (size_t)n);
	}
	close(fd);
	unlink(tmp);
}

static void seed_vmcoreinfo_text(void)
{
	static const char hostile[] =
		"OSRELEASE=\nPAGESIZE=99999999999999999999999\nSYMBOL(x)=0xzz\nSYMBOL(y)=\n"
		"=novalue\nNUMBER(n)=-9223372036854775808\nNUMBER(m)=0xffffffffffffffffff\n"
		"OFFSET(a.b)=-1\nSIZE(page)=64\nSIZE(page)=128\nKEY\n\n\nCRASHTIME=1e9\n"
		"LENGTH(x)=18446744073709551615\nKERNELOFFSET=0x\nNUMBER(v)=0x8000000000000000";

	put("vmcoreinfo", "hostile", hostile, sizeof(hostile) - 1);
}

/* ---- fuzz-filter: mem_section + struct pages (layout in tests/fuzz/fuzz-filter.c) -------- */

#define F_PO 0xffff888000000000ULL
#define F_NPFN 512u
#define F_ROOTS 256u
#define F_SECS 128u
#define F_MEMMAP_PA 0x10000ULL

struct fseed {
	uint8_t b[2 + F_ROOTS + F_SECS + F_NPFN * 64];
};

static uint8_t *fpage(struct fseed *s, uint64_t pfn)
{
	return s->b + 2 + F_ROOTS + F_SECS + pfn * 64;
}

static void fseed_init(struct fseed *s, unsigned level, unsigned flags)
{
	memset(s, 0, sizeof(*s));
	s->b[0] = (uint8_t)level;
	s->b[1] = (uint8_t)flags;
	kd_put_le64(s->b + 2, F_PO + 0x2000);
	for (unsigned i = 0; i < F_NPFN / 256; i++)
		kd_put_le64(s->b + 2 + F_ROOTS + 32 * i, (F_PO + F_MEMMAP_PA) | 0xf);
	for (unsigned pfn = 0; pfn < F_NPFN; pfn++)
		kd_put_le32(fpage(s, pfn) + 48, 0xffffffff);
}

/* Pages of every kind on the 6.12 layout (flag bits and mapcount types as the fixture's). */
static void seed_filter_generated(void)
{
	struct fseed *s = calloc(1, sizeof(*s));
	uint64_t file = F_PO + 0x7000, anon = F_PO + 0x7101;

	fseed_init(s, 31, 0);
	put("filter", "baseline-612-d31", s->b, sizeof(s->b));
	fseed_init(s, 0, 1);
	put("filter", "baseline-61-d0", s->b, 2 + F_ROOTS + F_SECS + 64 * 8);
	fseed_init(s, 31, 2);
	kd_put_le64(fpage(s, 300), 1 << 5), kd_put_le64(fpage(s, 300) + 24, file);		/* cache */
	kd_put_le64(fpage(s, 301), 1 << 5 | 1 << 14), kd_put_le64(fpage(s, 301) + 24, file); /* private */
	kd_put_le64(fpage(s, 303) + 24, anon);						/* user */
	kd_put_le32(fpage(s, 320) + 48, 0xf5000000);					/* slab */
	kd_put_le32(fpage(s, 330) + 48, 0xf0000000), kd_put_le64(fpage(s, 330) + 40, 0);	/* buddy */
	kd_put_le32(fpage(s, 336) + 48, 0xf0000000), kd_put_le64(fpage(s, 336) + 40, 2);
	kd_put_le64(fpage(s, 340), 1 << 20);						/* hwpoison */
	kd_put_le32(fpage(s, 341) + 48, 0xf1000000);					/* offline */
	/* An anonymous folio of order 4 and a hugetlb page of order 3. */
	kd_put_le64(fpage(s, 256), 1 << 5 | 1 << 17 | 1 << 6), kd_put_le64(fpage(s, 256) + 24, anon);
	kd_put_le64(fpage(s, 257), 4);
	for (unsigned i = 1; i < 16; i++)
		kd_put_le64(fpage(s, 256 + i) + 8, F_PO + F_MEMMAP_PA + 256 * 64 + 1);
	kd_put_le64(fpage(s, 272), 1 << 6), kd_put_le64(fpage(s, 272) + 24, file);
	kd_put_le64(fpage(s, 273), 3), kd_put_le32(fpage(s, 272) + 48, 0xf4000000);
	for (unsigned i = 1; i < 8; i++)
		kd_put_le64(fpage(s, 272 + i) + 8, F_PO + F_MEMMAP_PA + 272 * 64 + 1);
	/* A buddy of order 10 that runs past the end, a compound head whose tails point away. */
	kd_put_le32(fpage(s, 480) + 48, 0xf0000000), kd_put_le64(fpage(s, 480) + 40, 10);
	kd_put_le64(fpage(s, 288), 1 << 6), kd_put_le64(fpage(s, 289), 9);
	put("filter", "kinds-612-d31", s->b, sizeof(s->b));
	free(s);
}

/* The struct pages of 512 real pfns (mixed kinds) from a fixture, rebased into the layout. */
static void seed_filter_fixture(const char *fix, const char *name, const char *shared, bool k61)
{
	char path[4096], seed[128];
	struct vmcore_mem_map mm = { 0 };
	struct kd_err err = { 0 };
	struct fseed *s;
	struct vmcore *vc;
	uint8_t d0[32768], d31[32768];
	uint64_t best = 0, w;
	unsigned best_score = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/bitmap-d0.bin", shared, name);
	f = fopen(path, "rb");
	if (!f || fread(d0, 1, sizeof(d0), f) != sizeof(d0))
		return;
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s/bitmap-d31.bin", shared, name);
	f = fopen(path, "rb");
	if (!f || fread(d31, 1, sizeof(d31), f) != sizeof(d31))
		return;
	fclose(f);
	/* The 512-pfn window where level 31 drops closest to half of the RAM. */
	for (w = 0; w + 64 <= sizeof(d0); w += 64) {
		unsigned ram = 0, kept = 0, score;
		for (unsigned i = 0; i < 64; i++)
			ram += (unsigned)__builtin_popcount(d0[w + i]),
				kept += (unsigned)__builtin_popcount(d31[w + i]);
		if (ram < 512)
			continue;
		score = 256 - (unsigned)abs((int)kept - 256);
		if (score > best_score)
			best_score = score, best = w * 8;
	}
	snprintf(path, sizeof(path), "%s/%s/vmcore.elf", fix, name);
	if (vmcore_open(path, &vc, &err) < 0 || vmcore_mem_map_init(&mm, vc, &err) < 0 ||
	    !mm.uniform) {
		fprintf(stderr, "fuzz-seeds: %s: %s\n", path, err.msg);
		exit(1);
	}
	s = calloc(1, sizeof(*s));
	fseed_init(s, 31, k61 ? 1 : 0);
	for (unsigned i = 0; i < F_NPFN; i++) {
		uint8_t *p = fpage(s, i);
		uint64_t head, hpfn;

		if (vmcore_read_virt(vc, mm.base + (best + i) * 64, p, 64, &err) < 0) {
			fprintf(stderr, "fuzz-seeds: %s\n", err.msg);
			exit(1);
		}
		head = kd_le64(p + 8);
		if ((head & 1) && vmcore_mem_map_pfn(&mm, head - 1, &hpfn) == 0 && hpfn >= best &&
		    hpfn < best + F_NPFN)
			kd_put_le64(p + 8, F_PO + F_MEMMAP_PA + (hpfn - best) * 64 + 1);
	}
	snprintf(seed, sizeof(seed), "fixture-%s-pfn%" PRIu64, name, best);
	put("filter", seed, s->b, sizeof(s->b));
	free(s);
	vmcore_mem_map_deinit(&mm);
	vmcore_close(vc);
}

/* ---- fuzz-dmesg: rings (layout in tests/fuzz/fuzz-dmesg.c) ------------------------------ */

#define D_IMG_VA 0xffffffff81000000ULL
#define D_AT 0x2000u
#define D_RB 0x2008u
#define D_DESCS 0x2100u
#define D_INFOS 0x2280u
#define D_DATA 0x2800u
#define D_COUNT_BITS 4u		/* 16 descriptors */
#define D_SIZE_BITS 11u
#define D_SIZE (1u << D_SIZE_BITS)

struct dseed {
	uint8_t b[1 + 0x1000];
};

static uint8_t *dat(struct dseed *s, uint32_t img_off)
{
	return s->b + 1 + (img_off - D_AT);
}

/* Lines of a fixture's dmesg.txt (without the timestamp), or a few made-up ones. */
static size_t read_lines(const char *shared, const char *name, char lines[][160], size_t max)
{
	char path[4096], l[4096];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/dmesg.txt", shared, name);
	f = fopen(path, "r");
	/* The first max/2 lines, then a rolling window of the last ones (the panic). */
	while (f && fgets(l, sizeof(l), f)) {
		const char *t = strstr(l, "] ");
		size_t at = n < max ? n : max / 2 + (n - max / 2) % (max - max / 2);

		l[strcspn(l, "\n")] = '\0';
		snprintf(lines[at], 160, "%s", t ? t + 2 : l);
		n++;
	}
	if (n > max) {
		/* Put the rolling half back in order. */
		char tmp[64][160];
		size_t half = max - max / 2, start = (n - max / 2) % half;

		for (size_t i = 0; i < half; i++)
			memcpy(tmp[i], lines[max / 2 + (start + i) % half], 160);
		memcpy(lines[max / 2], tmp, half * 160);
		n = max;
	}
	if (f)
		fclose(f);
	if (n == 0) {
		snprintf(lines[n++], 160, "Linux version 6.1.0-seed");
		snprintf(lines[n++], 160, "Kernel panic - not syncing: sysrq triggered crash");
		snprintf(lines[n++], 160, "CPU: 0 PID: 277 Comm: sh Not tainted 6.1.0-seed #1");
	}
	return n;
}

/*
 * A lockless ring as the kernel leaves it (tests/support/printk.c): records added in order,
 * descriptors reused after 16 IDs, data blocks wrapping to index 0, the oldest records
 * overwritten.
 */
static void seed_ring(const char *name, char lines[][160], size_t nlines, uint64_t first_id,
		      uint64_t first_lpos, bool caller)
{
	struct dseed *s = calloc(1, sizeof(*s));
	struct pk_mem m = { dat(s, D_AT), D_IMG_VA + D_AT, sizeof(s->b) - 1 };
	struct pk_ring r;

	s->b[0] = caller ? 2 : 0;
	kd_put_le64(dat(s, D_AT), D_IMG_VA + D_RB);
	pk_ring_init(&r, m, D_IMG_VA + D_RB, D_IMG_VA + D_DESCS, D_IMG_VA + D_INFOS,
		     D_IMG_VA + D_DATA, D_COUNT_BITS, D_SIZE_BITS, first_id, first_lpos);
	for (size_t i = 0; i < nlines; i++)
		pk_ring_add(&r, 1000000ULL * i + 123, (uint32_t)(i % 3 ? 100 + i : 0x80000000u),
			    lines[i], strlen(lines[i]), 2);
	put("dmesg", name, s->b, sizeof(s->b));
	free(s);
}

/* A legacy log_buf (3.5-5.9): records of header, text, dict, padded to 8. */
static void seed_legacy(const char *name, char lines[][160], size_t nlines, bool caller)
{
	struct dseed *s = calloc(1, sizeof(*s));
	uint32_t hdr = caller ? 24 : 16, at = 0;

	s->b[0] = 1 | (caller ? 2 : 0);
	kd_put_le64(dat(s, 0x2060), D_IMG_VA + D_DATA);
	kd_put_le32(dat(s, 0x2068), D_SIZE);
	for (size_t i = 0; i < nlines; i++) {
		uint32_t tl = (uint32_t)strlen(lines[i]), rlen = (hdr + tl + 7) & ~7u;
		uint8_t *r;

		if (at + rlen + hdr > D_SIZE)
			break;
		r = dat(s, D_DATA + at);
		kd_put_le64(r, 1000000ULL * i + 7);
		kd_put_le16(r + 8, (uint16_t)rlen);
		kd_put_le16(r + 10, (uint16_t)tl);
		r[15] = 6;
		if (caller)
			kd_put_le32(r + 16, 200 + (uint32_t)i);
		memcpy(r + hdr, lines[i], tl);
		at += rlen;
	}
	kd_put_le32(dat(s, 0x2070), 0);
	kd_put_le32(dat(s, 0x2078), at);
	put("dmesg", name, s->b, sizeof(s->b));
	free(s);
}

/* ---- loader targets: iomem, a packed sysroot, bzImage headers ---------------------------- */

static uint8_t *slurp(const char *path, size_t max, size_t *ret_len)
{
	uint8_t *buf = malloc(max ? max : 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	n = kd_read_all(fd, buf, max);
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	*ret_len = (size_t)n;
	return buf;
}

/* Every file the loader reads from a fixture's sysroot, in fuzz-sysinfo's record format. */
static void seed_sysroot(const char *shared, const char *name)
{
	static const char *const files[] = {
		"proc/iomem", "proc/kcore.head", "proc/cmdline", "proc/version",
		"sys/kernel/vmcoreinfo", "sys/kernel/kexec_crash_loaded", "sys/kernel/kexec_loaded",
		"sys/kernel/kexec_crash_size", "sys/kernel/boot_params/data",
		"sys/devices/system/cpu/possible",
		"sys/devices/system/cpu/cpu0/crash_notes", "sys/devices/system/cpu/cpu0/crash_notes_size",
		"sys/devices/system/cpu/cpu1/crash_notes", "sys/devices/system/cpu/cpu1/crash_notes_size",
		"sys/firmware/memmap/0/start", "sys/firmware/memmap/0/end", "sys/firmware/memmap/0/type",
		"sys/firmware/memmap/1/start", "sys/firmware/memmap/1/end", "sys/firmware/memmap/1/type",
		"sys/firmware/memmap/2/start", "sys/firmware/memmap/2/end", "sys/firmware/memmap/2/type",
		"sys/firmware/memmap/3/start", "sys/firmware/memmap/3/end", "sys/firmware/memmap/3/type",
	};
	char path[4096], seed[128];
	size_t cap = 1 << 20, len = 0, n;
	uint8_t *out = malloc(cap), *buf;

	for (size_t i = 0; i < KD_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s/sysroot/%s", shared, name, files[i]);
		buf = slurp(path, 65536, &n);
		if (!buf)
			continue;
		if (strcmp(files[i], "proc/iomem") == 0) {
			snprintf(seed, sizeof(seed), "fixture-%s", name);
			put("iomem", seed, buf, n);
		}
		if (len + n + 256 > cap)
			exit(1);
		len += (size_t)sprintf((char *)out + len, "%s@@ %s\n", len ? "\n" : "", files[i]);
		memcpy(out + len, buf, n);
		len += n;
		free(buf);
	}
	if (len) {
		snprintf(seed, sizeof(seed), "fixture-%s", name);
		put("sysinfo", seed, out, len);
	}
	free(out);
}

static void seed_bzimage(const char *vmlinuz)
{
	uint8_t *b = calloc(1, 28 * 512 + 4096);
	size_t n;

	/* A synthetic header (boot protocol 2.15, relocatable, 64-bit entry). */
	b[0x1f1] = 27;
	b[0x1fe] = 0x55, b[0x1ff] = 0xaa;
	b[0x200] = 0xeb, b[0x201] = 0x6a;
	memcpy(b + 0x202, "HdrS", 4);
	kd_put_le16(b + 0x206, 0x020f);
	kd_put_le16(b + 0x20e, 0x1000);
	memcpy(b + 0x1200, "6.99.0-seed (synthetic)", 23);
	b[0x211] = 0x01;
	kd_put_le32(b + 0x230, 0x200000);
	b[0x234] = 1, b[0x235] = 21;
	kd_put_le16(b + 0x236, 0x7f);
	kd_put_le32(b + 0x238, 0x7ff);
	kd_put_le64(b + 0x258, 0x1000000);
	kd_put_le32(b + 0x260, 0x1000000);
	put("bzimage", "synthetic", b, 28 * 512 + 4096);
	free(b);
	if (vmlinuz && (b = slurp(vmlinuz, 20480, &n)) != NULL) {
		put("bzimage", "debian-6.1-head", b, n);
		free(b);
	}
}

int main(int argc, char **argv)
{
	static char lines[64][160];
	const char *fix, *shared;
	size_t n;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: fuzz-seeds OUTDIR FIXDIR SHARED_FIXTURES [VMLINUZ]\n");
		return 2;
	}
	outdir = argv[1], fix = argv[2], shared = argv[3];
	seed_fixture_heads(fix, "x86_64-6.1-1G");
	seed_fixture_heads(fix, "x86_64-6.12-1G");
	seed_generated_vmcores();
	seed_vmcoreinfo_text();
	seed_filter_generated();
	seed_filter_fixture(fix, "x86_64-6.12-1G", shared, false);
	seed_filter_fixture(fix, "x86_64-6.1-1G", shared, true);
	n = read_lines(shared, "x86_64-6.12-1G", lines, 64);
	seed_ring("ring-612-first", lines, 12, 0, 0, true);
	seed_ring("ring-612-wrapped", lines, n, PK_ID_MASK - 20, 0x123ULL << 11, true);
	n = read_lines(shared, "x86_64-6.1-1G", lines, 64);
	seed_ring("ring-61-wrapped", lines + 20, n - 20, 5, 0, false);
	seed_legacy("legacy", lines, n, false);
	seed_legacy("legacy-caller", lines + 30, n - 30, true);
	seed_sysroot(shared, "x86_64-6.1-1G");
	seed_sysroot(shared, "x86_64-6.12-1G");
	seed_bzimage(argc == 5 ? argv[4] : NULL);
	return 0;
}
