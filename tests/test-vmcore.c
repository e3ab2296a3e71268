// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the ELF vmcore reader, notes, VMCOREINFO and x86_64 translation. */
#include "testutil.h"
#include "vmgen.h"
#include "vmcore/vmcore.h"

#include <fcntl.h>
#include <unistd.h>

static void test_vmcoreinfo_kinds(void **state)
{
	static const char text[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
				   "SYMBOL(prb)=ffffffffbc2a6b40\nOFFSET(page.flags)=0\n"
				   "SIZE(page)=64\nLENGTH(zone.free_area)=11\n"
				   "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
				   "NUMBER(VMALLOC_START)=0xffffd20280000000\n"
				   "KERNELOFFSET=39c00000\nCRASHTIME=1795575462\ngarbage line\n"
				   "OSRELEASE=second\nSIZE(bad)=12x";
	struct vmcoreinfo *vi;
	struct kd_err err = { 0 };
	uint64_t u;
	int64_t s;

	assert_int_equal(vmcoreinfo_parse(text, sizeof(text) - 1, &vi, &err), 0);
	assert_string_equal(vmcoreinfo_osrelease(vi), "6.1.0-test");
	assert_int_equal(vmcoreinfo_pagesize(vi, &u), 0);
	assert_int_equal(u, 4096);
	assert_int_equal(vmcoreinfo_symbol(vi, "prb", &u), 0);
	assert_int_equal(u, 0xffffffffbc2a6b40ULL);
	assert_int_equal(vmcoreinfo_offset(vi, "page.flags", &u), 0);
	assert_int_equal(u, 0);
	assert_int_equal(vmcoreinfo_size(vi, "page", &u), 0);
	assert_int_equal(u, 64);
	assert_int_equal(vmcoreinfo_length(vi, "zone.free_area", &u), 0);
	assert_int_equal(u, 11);
	assert_int_equal(vmcoreinfo_number(vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &s), 0);
	assert_int_equal(s, -129);
	assert_int_equal(vmcoreinfo_number(vi, "VMALLOC_START", &s), 0);
	assert_int_equal((uint64_t)s, 0xffffd20280000000ULL);
	assert_int_equal(vmcoreinfo_kerneloffset(vi, &u), 0);
	assert_int_equal(u, 0x39c00000);
	assert_int_equal(vmcoreinfo_crashtime(vi, &s), 0);
	assert_int_equal(s, 1795575462);
	assert_int_equal(vmcoreinfo_size(vi, "bad", &u), -EINVAL);
	assert_int_equal(vmcoreinfo_offset(vi, "page.missing", &u), -ENOENT);
	assert_int_equal(vmcoreinfo_need_u64(vi, "OFFSET(page.lru)", &u, &err), -ENOENT);
	assert_string_equal(err.msg, "VMCOREINFO lacks OFFSET(page.lru)");
	assert_int_equal(vmcoreinfo_need_u64(vi, "SIZE(bad)", &u, &err), -EINVAL);
	assert_string_equal(err.msg, "VMCOREINFO has a bad value for SIZE(bad): \"12x\"");
	vmcoreinfo_destroy(vi);
}

static const char *make_small(struct vmgen **ret)
{
	struct vmgen *g = vmgen_new();
	uint64_t regs[27] = { 0 };
	const char *path = tu_tmp("small.vmcore");

	regs[16] = 0xffffffff81234567ULL;
	vmgen_cpu(g, 235, regs);
	vmgen_cpu(g, 0, NULL);
	vmgen_info(g, "OSRELEASE=6.1.0-gen");
	vmgen_info(g, "PAGESIZE=4096");
	vmgen_info(g, "CRASHTIME=1700000000");
	vmgen_load(g, 0x1000, 0x9ec00, 0xffff888000001000ULL);	/* partial last page */
	vmgen_load(g, 0x100000, 0x200000, 0xffff888000100000ULL);
	vmgen_pattern(g, 0x1000, 0x9ec00);
	vmgen_pattern(g, 0x100000, 0x200000);
	assert_int_equal(vmgen_write(g, path), 0);
	*ret = g;
	return path;
}

static void test_elf_small(void **state)
{
	struct vmgen *g;
	const char *path = make_small(&g);
	struct kd_err err = { 0 };
	struct vmcore *vc;
	uint8_t page[4096], want[4096];
	uint64_t off;

	assert_int_equal(vmcore_open(path, &vc, &err), 0);
	assert_int_equal(vmcore_format(vc), VMCORE_FORMAT_ELF);
	assert_int_equal(vmcore_page_size(vc), 4096);
	assert_int_equal(vmcore_nr_cpus(vc), 2);
	assert_int_equal(vmcore_prstatus(vc, 0)->pid, 235);
	assert_int_equal(vmcore_prstatus(vc, 0)->regs[VMCORE_REG_RIP], 0xffffffff81234567ULL);
	assert_string_equal(vmcoreinfo_osrelease(vmcore_vmcoreinfo(vc)), "6.1.0-gen");
	assert_int_equal(vmcore_max_pfn(vc), 0x300);
	/* bitmap1 rule: pfn 0 absent, 0x9f partial (not RAM), 0x100.. RAM. */
	assert_false(vmcore_pfn_is_ram(vc, 0));
	assert_true(vmcore_pfn_is_ram(vc, 1));
	assert_true(vmcore_pfn_is_ram(vc, 0x9e));
	assert_false(vmcore_pfn_is_ram(vc, 0x9f));
	assert_false(vmcore_pfn_is_ram(vc, 0xa0));
	assert_true(vmcore_pfn_is_ram(vc, 0x2ff));
	assert_int_equal(vmcore_pfn_offset(vc, 0x9f, &off), -ENOENT);
	/*
	 * pfns whose address does not fit in 64 bits are in no load: the page of 2^64 - 4096
	 * must not "end" at 0, and 2^52 + 0x150 must not wrap to pfn 0x150 (found by fuzz-vmcore).
	 */
	assert_int_equal(vmcore_pfn_offset(vc, UINT64_MAX / 4096, &off), -ENOENT);
	assert_false(vmcore_pfn_is_ram(vc, UINT64_MAX / 4096));
	assert_int_equal(vmcore_pfn_offset(vc, (1ULL << 52) + 0x150, &off), -ENOENT);
	assert_false(vmcore_pfn_is_ram(vc, (1ULL << 52) + 0x150));
	assert_int_equal(vmcore_pfn_offset(vc, 0x150, &off), 0);

	assert_int_equal(vmcore_read_pfn(vc, 0x150, page, &err), 0);
	memcpy(want, vmgen_phys(g, 0x150000), 4096);
	assert_memory_equal(page, want, 4096);
	/* The partial page: data up to 0x9fc00, zeros after. */
	assert_int_equal(vmcore_read_pfn(vc, 0x9f, page, &err), 0);
	assert_memory_equal(page, vmgen_phys(g, 0x9f000), 0xc00);
	for (int i = 0xc00; i < 4096; i++)
		assert_int_equal(page[i], 0);
	/* A hole and a pfn past the end are errors that name the pfn. */
	assert_int_equal(vmcore_read_pfn(vc, 0xa5, page, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "pfn 0xa5 is not in the dump"));
	assert_int_equal(vmcore_read_pfn(vc, 0x300, page, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "beyond the dump's last pfn 0x2ff"));
	/* Physical reads across a page boundary. */
	assert_int_equal(vmcore_read_phys(vc, 0x150ff0, page, 32, &err), 0);
	assert_memory_equal(page, vmgen_phys(g, 0x150ff0), 32);
	vmcore_close(vc);
	vmgen_free(g);
}

/* Every run vmcore_ram_run gives in [start, end) is non-empty and agrees pfn by pfn. */
static void check_ram_runs(const struct vmcore *vc, uint64_t start, uint64_t end)
{
	uint64_t runs = 0;

	for (uint64_t pfn = start, next; pfn < end; pfn = next, runs++) {
		bool ram;

		next = vmcore_ram_run(vc, pfn, end, &ram);
		assert_true(next > pfn && next <= end);
		for (uint64_t q = pfn; q < next; q++)
			assert_int_equal(vmcore_pfn_is_ram(vc, q), ram);
	}
	assert_true(runs <= end - start);
}

static void test_ram_runs(void **state)
{
	struct vmgen *g = vmgen_new();
	const char *path = tu_tmp("ram-runs.elf");
	struct kd_err err = { 0 };
	struct vmcore *vc;
	uint8_t bm[16], want[16];
	bool ram;

	(void)state;
	vmgen_cpu(g, 1, NULL);
	vmgen_info(g, "OSRELEASE=6.1.0-gen");
	vmgen_info(g, "PAGESIZE=4096");
	/* Unaligned, overlapping, touching, and one holding no whole page. */
	vmgen_load(g, 0x1800, 0x3000, 0xffff888000001800ULL);
	vmgen_load(g, 0x10000, 0x8000, 0xffff888000010000ULL);
	vmgen_load(g, 0x14000, 0x10000, 0xffff888000014000ULL);
	vmgen_load(g, 0x24000, 0x2000, 0xffff888000024000ULL);
	vmgen_load(g, 0x30200, 0x800, 0xffff888000030200ULL);
	vmgen_load(g, 0x40000, 0x1000, 0xffff888000040000ULL);
	assert_int_equal(vmgen_write(g, path), 0);
	assert_int_equal(vmcore_open(path, &vc, &err), 0);
	for (uint64_t a = 0; a < 0x48; a += 3)
		for (uint64_t b = a; b < 0x48; b += 5)
			check_ram_runs(vc, a, b);
	/* One run across the overlapping and the touching loads' pages: 0x10-0x25. */
	assert_int_equal(vmcore_ram_run(vc, 0x4, 0x48, &ram), 0x10);
	assert_false(ram);
	assert_int_equal(vmcore_ram_run(vc, 0x2, 0x48, &ram), 0x4);
	assert_true(ram);
	assert_int_equal(vmcore_ram_run(vc, 0x26, 0x48, &ram), 0x40);
	assert_false(ram);
	assert_int_equal(vmcore_ram_run(vc, 0x41, 0x100, &ram), 0x100);
	assert_false(ram);
	vmcore_close(vc);
	vmgen_free(g);

	/* kd_bits_set against bit by bit, for every range of a 128-bit map. */
	for (unsigned a = 0; a <= 128; a++)
		for (unsigned b = a; b <= 128; b++) {
			memset(bm, 0x5a, sizeof(bm));
			memcpy(want, bm, sizeof(bm));
			kd_bits_set(bm, a, b);
			for (unsigned i = a; i < b; i++)
				want[i / 8] |= (uint8_t)(1u << (i % 8));
			assert_memory_equal(bm, want, sizeof(bm));
		}
}

static void corrupt(const char *src, const char *dst, off_t off, const void *bytes, size_t n,
		    off_t truncate_to)
{
	size_t len;
	uint8_t *buf = tu_read_file(src, &len);
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	if (bytes)
		memcpy(buf + off, bytes, n);
	assert_int_equal(write(fd, buf, truncate_to ? (size_t)truncate_to : len),
			 truncate_to ? (ssize_t)truncate_to : (ssize_t)len);
	close(fd);
	free(buf);
}

static void expect_open_error(const char *path, const char *needle)
{
	struct kd_err err = { 0 };
	struct vmcore *vc = NULL;
	int r = vmcore_open(path, &vc, &err);

	if (r == 0)
		fail_msg("%s opened, expected an error with \"%s\"", path, needle);
	if (!strstr(err.msg, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
	assert_non_null(strstr(err.msg, path));
}

static void test_elf_bad_input(void **state)
{
	struct vmgen *g;
	const char *path = make_small(&g);
	const char *bad = tu_tmp("bad.vmcore");
	uint32_t big = 0x7fffffff;
	uint16_t type = 2;

	vmgen_free(g);
	/* Truncated: the last PT_LOAD ends past the end of the file. */
	corrupt(path, bad, 0, NULL, 0, 0x50000);
	expect_open_error(bad, "truncated file?");
	/* Not ET_CORE. */
	corrupt(path, bad, 16, &type, 2, 0);
	expect_open_error(bad, "is not ET_CORE");
	/* A note whose descsz overruns the segment (first note's descsz at 0x1004). */
	corrupt(path, bad, 0x1004, &big, 4, 0);
	expect_open_error(bad, "overruns");
	/* Not a dump at all. */
	corrupt(path, bad, 0, "NOTADUMP", 8, 4096);
	expect_open_error(bad, "not a crash dump");
	/* Too short for anything. */
	corrupt(path, bad, 0, NULL, 0, 10);
	expect_open_error(bad, "");
	/* Flattened streams get a hint. */
	corrupt(path, bad, 0, "makedumpfile\0\0\0\0", 16, 4096);
	expect_open_error(bad, "kdump reassemble");
}

static void test_fixture_61(void **state)
{
	const char *path = tu_fixture_vmcore("x86_64-6.1-1G");
	struct kd_err err = { 0 };
	struct vmcore *vc;
	uint64_t sym, off, pa;
	char release[65] = { 0 };

	if (!path)
		tu_skip_or_fail("fixture x86_64-6.1-1G not decompressed (make fixtures)");
	assert_int_equal(vmcore_open(path, &vc, &err), 0);
	assert_int_equal(vmcore_nr_cpus(vc), 2);
	assert_int_equal(vmcore_prstatus(vc, 0)->pid, 235);
	assert_int_equal(vmcore_prstatus(vc, 0)->regs[VMCORE_REG_RIP], 0xffffffffbad741baULL);
	assert_int_equal(vmcore_max_pfn(vc), 262103);
	check_ram_runs(vc, 0, vmcore_max_pfn(vc) + 100);
	assert_int_equal(vmcore_page_offset(vc), 0xffff8aadc0000000ULL);
	/* init_uts_ns + OFFSET(uts_namespace.name) + 2*65 = release, via the image rule. */
	assert_int_equal(vmcoreinfo_symbol(vmcore_vmcoreinfo(vc), "init_uts_ns", &sym), 0);
	assert_int_equal(vmcoreinfo_offset(vmcore_vmcoreinfo(vc), "uts_namespace.name", &off), 0);
	assert_int_equal(vmcore_read_virt(vc, sym + off + 2 * 65, release, 64, &err), 0);
	assert_string_equal(release, "6.1.0-56-amd64");
	/* The direct map (mem_section) by formula equals the page-table walk. */
	assert_int_equal(vmcoreinfo_symbol(vmcore_vmcoreinfo(vc), "mem_section", &sym), 0);
	assert_int_equal(vmcore_vtop(vc, sym, &pa, &err), 0);
	assert_int_equal(pa, 0x3ee5c000);
	assert_int_equal(vmcoreinfo_symbol(vmcore_vmcoreinfo(vc), "init_top_pgt", &sym), 0);
	assert_int_equal(vmcore_vtop(vc, sym, &pa, &err), 0);
	assert_int_equal(pa, 0x16e10000);
	vmcore_close(vc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmcoreinfo_kinds),
		cmocka_unit_test(test_elf_small),
		cmocka_unit_test(test_ram_runs),
		cmocka_unit_test(test_elf_bad_input),
		cmocka_unit_test(test_fixture_61),
	};
	return cmocka_run_group_tests_name("vmcore", tests, NULL, NULL);
}
