// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the capture pipeline, the kdump/ELF/flattened writers and the kdump reader. */
#include "testutil.h"
#include "vmgen.h"
#include "vmcore/vmcore.h"
#include "vmcore/writer.h"

#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define PS 4096u

/* Pages of the generated vmcore by content. */
enum { P_PATTERN, P_ZERO, P_TEXT, P_RANDOM };

static void fill_page(uint8_t *p, int kind, uint64_t pfn)
{
	uint64_t x = pfn * 0x9e3779b97f4a7c15ULL + 1;

	switch (kind) {
	case P_ZERO:
		memset(p, 0, PS);
		break;
	case P_TEXT:
		for (unsigned i = 0; i < PS; i++)
			p[i] = (uint8_t)("pfn text line\n"[i % 14] ^ (i % 97 == 0 ? pfn : 0));
		break;
	case P_RANDOM:
		for (unsigned i = 0; i < PS; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p[i] = (uint8_t)x;
		}
		break;
	}
}

/*
 * A vmcore with: a partial first segment (pfns 1-0x9e whole, 0x9f partial), a hole, a
 * segment of 1024 pages (random, a 384-page zero run, text, single zero pages), a hole, and
 * a 256-page segment alternating zero and text pages.
 */
static const char *make_vmcore(const char *name, struct vmgen **ret)
{
	static char path[4096];
	struct vmgen *g = vmgen_new();

	snprintf(path, sizeof(path), "%s", tu_tmp(name));
	vmgen_cpu(g, 235, NULL);
	vmgen_cpu(g, 0, NULL);
	vmgen_info(g, "OSRELEASE=6.1.0-gen");
	vmgen_info(g, "PAGESIZE=4096");
	vmgen_info(g, "CRASHTIME=1700000000");
	vmgen_load(g, 0x1000, 0x9ec00, 0xffff888000001000ULL);
	vmgen_load(g, 0x100000, 0x400000, 0xffff888000100000ULL);
	vmgen_load(g, 0x1000000, 0x100000, 0xffff888001000000ULL);
	vmgen_pattern(g, 0x1000, 0x9ec00);
	for (uint64_t pfn = 0x100; pfn < 0x500; pfn++) {
		int kind = pfn < 0x180 ? P_RANDOM : pfn < 0x200 ? P_PATTERN :
			   pfn < 0x380 ? P_ZERO : pfn % 5 == 0 ? P_ZERO : P_TEXT;
		if (kind == P_PATTERN)
			vmgen_pattern(g, pfn * PS, PS);
		else
			fill_page(vmgen_phys(g, pfn * PS), kind, pfn);
	}
	for (uint64_t pfn = 0x1000; pfn < 0x1100; pfn++)
		fill_page(vmgen_phys(g, pfn * PS), pfn % 2 ? P_TEXT : P_ZERO, pfn);
	assert_int_equal(vmgen_write(g, path), 0);
	*ret = g;
	return path;
}

static const uint8_t *src_page(struct vmgen *g, uint64_t pfn)
{
	uint8_t *a = vmgen_phys(g, pfn * PS), *b = vmgen_phys(g, pfn * PS + PS - 1);

	return a && b ? a : NULL;
}

static bool is_zero(const uint8_t *p)
{
	for (unsigned i = 0; i < PS; i++)
		if (p[i])
			return false;
	return true;
}

static int capture(const char *in, const char *out, struct vmcore_capture_opts *o,
		   struct vmcore_capture_report *rep, struct kd_err *err)
{
	struct vmcore *vc;
	int fd, r;

	assert_int_equal(vmcore_open(in, &vc, err), 0);
	unlink(out);
	fd = open(out, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	r = vmcore_capture(vc, fd, out, o, rep, err);
	if (r < 0)
		print_message("capture %s -> %s: %s\n", in, out, err->msg);
	close(fd);
	vmcore_close(vc);
	return r;
}

/* Every RAM page of the source reads back equal (zero pages as zeros, or absent if allowed). */
static void verify(const char *dump, struct vmgen *g, bool zero_may_be_absent)
{
	struct kd_err err = { 0 };
	struct vmcore *vc;
	uint8_t page[PS];

	assert_int_equal(vmcore_open(dump, &vc, &err), 0);
	for (uint64_t pfn = 0; pfn < 0x1100; pfn++) {
		const uint8_t *want = src_page(g, pfn);
		int r = vmcore_read_pfn(vc, pfn, page, &err);

		if (!want) {
			if (pfn < 0x9f || pfn > 0x9f) /* holes; the partial page reads zero-filled */
				assert_int_equal(r, -ENOENT);
			continue;
		}
		if (r == -ENOENT && zero_may_be_absent && is_zero(want))
			continue;
		if (r != 0)
			fail_msg("%s: pfn 0x%lx: %s", dump, (unsigned long)pfn, err.msg);
		assert_memory_equal(page, want, PS);
	}
	/* A pfn outside the dump is an error that names it. */
	assert_int_equal(vmcore_read_pfn(vc, 0x5000, page, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "pfn 0x5000"));
	vmcore_close(vc);
}

static void assert_same_file(const char *a, const char *b)
{
	size_t la, lb;
	uint8_t *x = tu_read_file(a, &la), *y = tu_read_file(b, &lb);

	assert_int_equal(la, lb);
	assert_memory_equal(x, y, la);
	free(x);
	free(y);
}

static void test_kdump_compressors(void **state)
{
	struct vmgen *g;
	const char *in = make_vmcore("c.vmcore", &g);
	size_t n;
	const struct vmcore_compressor *const *all = vmcore_compressor_list(&n);

	for (size_t i = 0; i < n; i++) {
		for (unsigned level = 0; level <= 1; level++) {
			struct vmcore_capture_opts o = { .level = level, .comp = all[i], .threads = 2 };
			struct vmcore_capture_report rep;
			struct kd_err err = { 0 };
			const char *out = tu_tmp("c.kdump");
			const struct vmcore_dumpinfo *di;
			struct vmcore *vc;

			assert_int_equal(capture(in, out, &o, &rep, &err), 0);
			assert_false(rep.incomplete);
			/* RAM: 0x9e + 0x400 + 0x100 whole pages; the partial pfn 0x9f is out. */
			assert_int_equal(rep.filter.ram, 0x9e + 0x400 + 0x100);
			assert_int_equal(rep.pages_written, 0x9e + 0x400 + 0x100);
			if (level) /* 0x180 run + every 5th of 0x380-0x4ff + half of the last */
				assert_int_equal(rep.zero_pages, 0x180 + 76 + 0x80);
			else
				assert_int_equal(rep.zero_pages, 0);
			if (all[i]->flag) {
				assert_true(rep.raw_pages >= 0x80);	/* the random pages */
				assert_true(rep.compressed_pages > 0);
			}
			verify(out, g, false);
			assert_int_equal(vmcore_open(out, &vc, &err), 0);
			di = vmcore_dumpinfo(vc);
			assert_int_equal(vmcore_format(vc), VMCORE_FORMAT_KDUMP);
			assert_int_equal(di->dump_level, (int)level);
			assert_int_equal(di->status, all[i]->flag);
			assert_false(di->incomplete);
			assert_int_equal(di->header_version, 6);
			assert_int_equal(di->nr_dumped, 0x9e + 0x400 + 0x100);
			assert_int_equal(di->timestamp, 1700000000);
			assert_string_equal(di->release, "6.1.0-gen");
			assert_int_equal(vmcore_nr_cpus(vc), 2);
			assert_int_equal(vmcore_prstatus(vc, 0)->pid, 235);
			assert_string_equal(vmcoreinfo_osrelease(vmcore_vmcoreinfo(vc)), "6.1.0-gen");
			assert_true(vmcore_pfn_is_ram(vc, 0x9e));
			assert_false(vmcore_pfn_is_ram(vc, 0x9f));
			assert_false(vmcore_pfn_is_ram(vc, 0x600));
			assert_int_equal(vmcore_max_pfn(vc), 0x1100);
			vmcore_close(vc);
		}
	}
	vmgen_free(g);
}

/* The zero-page test: one set bit anywhere in the page (of either path) makes it non-zero. */
static void test_is_zero(void **state)
{
	static uint8_t page[8192 + 1];
	const size_t sizes[] = { 4096, 8192, 4000 };

	for (size_t k = 0; k < KD_ARRAY_SIZE(sizes); k++) {
		assert_true(cap_is_zero(page, sizes[k]));
		for (size_t i = 0; i < sizes[k]; i++) {
			page[i] = (uint8_t)(1u << (i % 8));
			if (cap_is_zero(page, sizes[k]))
				fail_msg("size %zu: byte %zu set, taken as a zero page", sizes[k], i);
			page[i] = 0;
		}
		page[sizes[k]] = 1;	/* past the end: not looked at */
		assert_true(cap_is_zero(page, sizes[k]));
		page[sizes[k]] = 0;
	}
}

/* Same bytes for any thread count, window size, mmap or read. */
static void test_thread_independence(void **state)
{
	struct vmgen *g;
	const char *in = make_vmcore("t.vmcore", &g);
	const char *comps[] = { "lzo", "zlib", "none" };

	for (size_t i = 0; i < KD_ARRAY_SIZE(comps); i++) {
		struct vmcore_capture_opts a = { .level = 1, .comp = vmcore_compressor_find(comps[i]),
						 .threads = 1 };
		struct vmcore_capture_opts b = a;
		struct vmcore_capture_report rep;
		struct kd_err err = { 0 };

		a.read_mode = VMCORE_READ_MMAP;
		b.threads = 4;
		b.window_pfns = 64;
		b.read_mode = VMCORE_READ_PREAD;
		assert_int_equal(capture(in, tu_tmp("t1"), &a, &rep, &err), 0);
		assert_true(rep.mmap_used);
		assert_int_equal(capture(in, tu_tmp("t4"), &b, &rep, &err), 0);
		assert_false(rep.mmap_used);
		assert_int_equal(rep.threads, 4);
		assert_same_file(tu_tmp("t1"), tu_tmp("t4"));
		/* The default reads a regular file (only /proc/vmcore is mapped). */
		b.threads = 2;
		b.read_mode = VMCORE_READ_AUTO;
		assert_int_equal(capture(in, tu_tmp("t2"), &b, &rep, &err), 0);
		assert_false(rep.mmap_used);
		assert_same_file(tu_tmp("t1"), tu_tmp("t2"));
	}
	vmgen_free(g);
}

static void test_flat_reassemble(void **state)
{
	struct vmgen *g;
	const char *in = make_vmcore("f.vmcore", &g);

	for (int elf = 0; elf <= 1; elf++) {
		struct vmcore_capture_opts o = { .level = 1, .threads = 2, .window_pfns = 512,
						 .format = elf ? VMCORE_OUT_ELF : VMCORE_OUT_KDUMP,
						 .comp = elf ? NULL : vmcore_compressor_find("zlib") };
		struct vmcore_capture_report rep;
		struct kd_err err = { 0 };
		uint64_t size;
		int ifd, ofd;

		assert_int_equal(capture(in, tu_tmp("f.plain"), &o, &rep, &err), 0);
		o.flatten = true;
		assert_int_equal(capture(in, tu_tmp("f.flat"), &o, &rep, &err), 0);
		/* A flattened stream is not opened in place. */
		{
			struct vmcore *vc;
			assert_int_equal(vmcore_open(tu_tmp("f.flat"), &vc, &err), -EMEDIUMTYPE);
			assert_non_null(strstr(err.msg, "kdump reassemble"));
		}
		ifd = open(tu_tmp("f.flat"), O_RDONLY);
		unlink(tu_tmp("f.re"));
		ofd = open(tu_tmp("f.re"), O_RDWR | O_CREAT, 0600);
		assert_int_equal(vmcore_reassemble(ifd, "f.flat", ofd, "f.re", &size, &err), 0);
		close(ifd);
		close(ofd);
		assert_same_file(tu_tmp("f.plain"), tu_tmp("f.re"));
		verify(tu_tmp("f.re"), g, elf);
	}
	vmgen_free(g);
}

static void reassemble_expect(const uint8_t *buf, size_t len, const char *needle)
{
	const char *flat = tu_tmp("bad.flat"), *out = tu_tmp("bad.out");
	struct kd_err err = { 0 };
	uint64_t size;
	int ifd, ofd, fd = open(flat, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	ifd = open(flat, O_RDONLY);
	ofd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(vmcore_reassemble(ifd, flat, ofd, out, &size, &err) < 0);
	if (!strstr(err.msg, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, err.msg);
	close(ifd);
	close(ofd);
}

static void test_reassemble_bad(void **state)
{
	static uint8_t buf[4096 + 64];

	memset(buf, 0, sizeof(buf));
	reassemble_expect(buf, 100, "ends inside the flattened header");
	reassemble_expect(buf, 4096, "not a flattened dump");
	memcpy(buf, "makedumpfile", 12);
	kd_put_be64(buf + 16, 2);
	reassemble_expect(buf, 4096, "type 2");
	kd_put_be64(buf + 16, 1);
	reassemble_expect(buf, 4096, "ends inside the record header at byte 4096");
	kd_put_be64(buf + 4096, 100);
	kd_put_be64(buf + 4104, (uint64_t)-5);
	reassemble_expect(buf, 4096 + 16, "record 0 at stream byte 4096 is invalid");
	kd_put_be64(buf + 4104, 100);
	reassemble_expect(buf, 4096 + 40, "ends inside the record data");
}

static void test_elf_output(void **state)
{
	struct vmgen *g;
	const char *in = make_vmcore("e.vmcore", &g);

	for (unsigned level = 0; level <= 1; level++) {
		struct vmcore_capture_opts o = { .level = level, .format = VMCORE_OUT_ELF,
						 .threads = 1 };
		struct vmcore_capture_report rep;
		struct kd_err err = { 0 };
		const char *out = tu_tmp("e.elf");
		size_t len, nloads;
		uint8_t *f;
		struct vmcore *vc;

		assert_int_equal(capture(in, out, &o, &rep, &err), 0);
		verify(out, g, level == 1);
		f = tu_read_file(out, &len);
		assert_int_equal(kd_le32(f + 48), 0);	/* e_flags: complete */
		assert_int_equal(vmcore_open(out, &vc, &err), 0);
		vmcore_loads(vc, &nloads);
		/* Level 1 splits the 384-page zero run out of the second segment. */
		assert_int_equal(nloads, level ? 4 : 3);
		assert_int_equal(vmcore_dumpinfo(vc)->dump_level, -1);
		vmcore_close(vc);
		free(f);
	}
	/* Compression and ELF don't mix. */
	{
		struct vmcore_capture_opts o = { .format = VMCORE_OUT_ELF,
						 .comp = vmcore_compressor_find("lzo") };
		struct vmcore_capture_report rep;
		struct kd_err err = { 0 };

		assert_int_equal(capture(in, tu_tmp("e2.elf"), &o, &rep, &err), -EINVAL);
	}
	vmgen_free(g);
}

/* Re-filtering: a kdump-compressed input, written again at a higher level. */
static void test_refilter(void **state)
{
	struct vmgen *g;
	const char *in = make_vmcore("r.vmcore", &g);
	struct vmcore_capture_opts o = { .level = 0, .comp = vmcore_compressor_find("zlib") };
	struct vmcore_capture_report rep;
	struct kd_err err = { 0 };

	assert_int_equal(capture(in, tu_tmp("r0.kdump"), &o, &rep, &err), 0);
	o.level = 1;
	o.comp = vmcore_compressor_find("lzo");
	assert_int_equal(capture(tu_tmp("r0.kdump"), tu_tmp("r1.kdump"), &o, &rep, &err), 0);
	assert_int_equal(rep.zero_pages, 0x180 + 76 + 0x80);
	verify(tu_tmp("r1.kdump"), g, false);
	/* And the same bytes as capturing the ELF vmcore directly. */
	assert_int_equal(capture(in, tu_tmp("r1b.kdump"), &o, &rep, &err), 0);
	assert_same_file(tu_tmp("r1.kdump"), tu_tmp("r1b.kdump"));
	vmgen_free(g);
}

/* A write error part way (file size limit): the dump is marked incomplete and readable. */
static void test_incomplete(void **state)
{
	struct vmgen *g;
	const char *in = make_vmcore("i.vmcore", &g);
	struct rlimit old, lim;

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	for (int elf = 0; elf <= 1; elf++) {
		struct vmcore_capture_opts o = { .level = 1, .threads = 2,
						 .format = elf ? VMCORE_OUT_ELF : VMCORE_OUT_KDUMP };
		struct vmcore_capture_report rep;
		struct kd_err err = { 0 };
		const char *out = tu_tmp("i.dump");
		struct vmcore *vc;
		uint8_t page[PS];
		uint64_t ok = 0, lost = 0;
		int r;

		lim = old;
		lim.rlim_cur = 2 << 20;
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
		r = capture(in, out, &o, &rep, &err);
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
		assert_int_equal(r, -EFBIG);
		assert_true(rep.incomplete);
		assert_non_null(strstr(err.msg, out));
		assert_non_null(strstr(err.msg, "at offset 0x"));
		if (vmcore_open(out, &vc, &err) < 0)
			fail_msg("%s", err.msg);
		if (!elf) {
			assert_true(vmcore_dumpinfo(vc)->incomplete);
		} else {
			size_t len;
			uint8_t *f = tu_read_file(out, &len);
			assert_int_equal(kd_le32(f + 48), 1);
			free(f);
		}
		for (uint64_t pfn = 0x100; pfn < 0x500; pfn++) {
			r = vmcore_read_pfn(vc, pfn, page, &err);
			if (r == 0) {
				assert_memory_equal(page, src_page(g, pfn), PS);
				ok++;
			} else {
				lost++;
			}
		}
		assert_true(ok > 0);
		if (!elf)
			assert_true(lost > 0);
		vmcore_close(vc);
	}
	vmgen_free(g);
}

static volatile sig_atomic_t stop_flag;

static void stop_after_200(void *data, uint64_t done, uint64_t total)
{
	if (done >= 200)
		stop_flag = 1;
}

/* A stop request (SIGINT) ends the capture with an incomplete, readable dump. */
static void test_stop(void **state)
{
	struct vmgen *g;
	const char *in = make_vmcore("s.vmcore", &g);
	struct vmcore_capture_opts o = { .level = 0, .stop = &stop_flag, .threads = 2,
					 .progress = stop_after_200 };
	struct vmcore_capture_report rep;
	struct kd_err err = { 0 };
	struct vmcore *vc;
	uint8_t page[PS];

	stop_flag = 0;
	assert_int_equal(capture(in, tu_tmp("s.kdump"), &o, &rep, &err), -EINTR);
	assert_true(rep.incomplete);
	assert_true(rep.pages_written >= 200 && rep.pages_written < 0x9e + 0x500);
	assert_non_null(strstr(err.msg, "interrupted"));
	if (vmcore_open(tu_tmp("s.kdump"), &vc, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(vmcore_dumpinfo(vc)->incomplete);
	assert_int_equal(vmcore_read_pfn(vc, 0x10, page, &err), 0);
	assert_memory_equal(page, src_page(g, 0x10), PS);
	assert_int_equal(vmcore_read_pfn(vc, 0x1080, page, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "lost"));
	vmcore_close(vc);

	/* Stopped before any page: nothing worth keeping, not reported as a dump. */
	stop_flag = 1;
	o.progress = NULL;
	assert_int_equal(capture(in, tu_tmp("s2.kdump"), &o, &rep, &err), -EINTR);
	assert_false(rep.incomplete);
	vmgen_free(g);
}

/* A level the dump cannot support (no mem_map in VMCOREINFO): the filter falls back, says so,
 * and the dump records the level actually used. */
static void test_level_fallback(void **state)
{
	struct vmgen *g;
	const char *in = make_vmcore("l.vmcore", &g);
	struct vmcore_capture_opts o = { .level = 31, .comp = vmcore_compressor_find("lzo") };
	struct vmcore_capture_report rep;
	struct kd_err err = { 0 };
	struct vmcore *vc;

	assert_int_equal(capture(in, tu_tmp("l.kdump"), &o, &rep, &err), 0);
	assert_true(rep.level < 31);
	assert_true(rep.level & 1);	/* zero pages need no struct page */
	assert_true(rep.filter_warning[0] != '\0');
	assert_int_equal(vmcore_open(tu_tmp("l.kdump"), &vc, &err), 0);
	assert_int_equal(vmcore_dumpinfo(vc)->dump_level, (int)rep.level);
	vmcore_close(vc);
	verify(tu_tmp("l.kdump"), g, false);
	vmgen_free(g);
}

static void expect_bad(const uint8_t *buf, size_t len, uint64_t pfn, const char *needle)
{
	const char *path = tu_tmp("bad.kdump");
	struct kd_err err = { 0 };
	struct vmcore *vc = NULL;
	uint8_t page[PS];
	int r;

	tu_write_file(path, buf, len);
	r = vmcore_open(path, &vc, &err);
	if (r == 0) {
		r = vmcore_read_pfn(vc, pfn, page, &err);
		vmcore_close(vc);
	}
	if (r >= 0)
		fail_msg("no error; expected \"%s\"", needle);
	if (!strstr(err.msg, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, err.msg);
	assert_non_null(strstr(err.msg, path));
}

static void test_kdump_bad_input(void **state)
{
	struct vmgen *g;
	const char *in = make_vmcore("b.vmcore", &g);
	struct vmcore_capture_opts o = { .level = 1, .comp = vmcore_compressor_find("zlib") };
	struct vmcore_capture_report rep;
	struct kd_err err = { 0 };
	const char *good = tu_tmp("good.kdump");
	size_t len;
	uint8_t *f, *b;
	uint64_t desc_off, d;

	assert_int_equal(capture(in, good, &o, &rep, &err), 0);
	f = tu_read_file(good, &len);
	b = malloc(len);
#define RESET() memcpy(b, f, len)
	RESET();
	kd_put_le32(b + 8, 99);
	expect_bad(b, len, 0x100, "header_version 99 at offset 8");
	RESET();
	kd_put_le32(b + 428, 3000);
	expect_bad(b, len, 0x100, "block_size at offset 428");
	RESET();
	kd_put_le32(b + 436, 0x7ffffff0);
	expect_bad(b, len, 0x100, "bitmap_blocks");
	RESET();
	kd_put_le64(b + 4096 + 96, 1ULL << 40);
	expect_bad(b, len, 0x100, "does not fit");
	RESET();
	kd_put_le64(b + 4096 + 56, 1 << 20);
	expect_bad(b, len, 0x100, "notes");
	RESET();
	kd_put_le32(b + 424, 0x100);
	expect_bad(b, len, 0x100, "unknown status bits");
	/* Truncated inside the bitmaps, and inside the main header. */
	expect_bad(f, 3 * PS, 0x100, "second bitmap");
	expect_bad(f, 100, 0x100, "main header");
	/* Descriptors: data past the end, bad flags, oversized, never written. */
	desc_off = (uint64_t)(1 + kd_le32(f + 432) + kd_le32(f + 436)) * PS;
	/* pfn 0x381 (text, compressed): after 0x9e pages of the first segment, 0x281 of the second. */
	d = desc_off + (0x9e + 0x281) * 24;
	RESET();
	kd_put_le64(b + d, len + 10);
	expect_bad(b, len, 0x381, "descriptor of pfn 0x381");
	RESET();
	kd_put_le32(b + d + 12, 0x40);
	expect_bad(b, len, 0x381, "does not decode");
	RESET();
	kd_put_le32(b + d + 8, PS + 1);
	expect_bad(b, len, 0x381, "is bad");
	RESET();
	memset(b + d, 0, 24);
	expect_bad(b, len, 0x381, "never written");
	RESET();
	kd_put_le32(b + d + 12, 0);	/* claims raw, but the size is not a page */
	expect_bad(b, len, 0x381, "does not decode");
	free(b);
	free(f);
	vmgen_free(g);
}

/* makedumpfile's own -l -d 31 output of the 6.1 fixture, through our reader. */
static void test_fixture_mdf_d31(void **state)
{
	const char *elf = tu_fixture_vmcore("x86_64-6.1-1G");
	const char *kd = tu_fixture_file("x86_64-6.1-1G", "out-d31.kdump");
	struct kd_err err = { 0 };
	struct vmcore *a, *b;
	uint8_t p[PS], q[PS];
	uint64_t n = 0;

	if (!elf || !kd || access(kd, R_OK) < 0)
		tu_skip_or_fail("fixture x86_64-6.1-1G missing (make fixtures, SHARED=)");
	assert_int_equal(vmcore_open(elf, &a, &err), 0);
	assert_int_equal(vmcore_open(kd, &b, &err), 0);
	assert_int_equal(vmcore_dumpinfo(b)->dump_level, 31);
	assert_int_equal(vmcore_dumpinfo(b)->status, VMCORE_DUMP_LZO);
	assert_int_equal(vmcore_dumpinfo(b)->nr_dumped, 26658);
	assert_string_equal(vmcore_dumpinfo(b)->release, "6.1.0-56-amd64");
	assert_int_equal(vmcore_max_pfn(b), 262103);
	assert_int_equal(vmcore_nr_cpus(b), 2);
	assert_int_equal(vmcore_prstatus(b, 0)->pid, 235);
	for (uint64_t pfn = 0; pfn < vmcore_max_pfn(b); pfn++) {
		int r = vmcore_read_pfn(b, pfn, q, &err);

		assert_int_equal(vmcore_pfn_is_ram(a, pfn), vmcore_pfn_is_ram(b, pfn));
		if (r == -ENOENT)
			continue;
		assert_int_equal(r, 0);
		assert_int_equal(vmcore_read_pfn(a, pfn, p, &err), 0);
		assert_memory_equal(p, q, PS);
		n++;
	}
	assert_int_equal(n, 26658);
	/* Translation works on the kdump file too (for dmesg/info). */
	{
		uint64_t sym, off;
		char rel[65] = { 0 };
		assert_int_equal(vmcoreinfo_symbol(vmcore_vmcoreinfo(b), "init_uts_ns", &sym), 0);
		assert_int_equal(vmcoreinfo_offset(vmcore_vmcoreinfo(b), "uts_namespace.name", &off), 0);
		assert_int_equal(vmcore_read_virt(b, sym + off + 2 * 65, rel, 64, &err), 0);
		assert_string_equal(rel, "6.1.0-56-amd64");
	}
	vmcore_close(a);
	vmcore_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kdump_compressors),
		cmocka_unit_test(test_is_zero),
		cmocka_unit_test(test_thread_independence),
		cmocka_unit_test(test_flat_reassemble),
		cmocka_unit_test(test_reassemble_bad),
		cmocka_unit_test(test_elf_output),
		cmocka_unit_test(test_refilter),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_level_fallback),
		cmocka_unit_test(test_kdump_bad_input),
		cmocka_unit_test(test_fixture_mdf_d31),
	};
	return cmocka_run_group_tests_name("capture", tests, NULL, NULL);
}
