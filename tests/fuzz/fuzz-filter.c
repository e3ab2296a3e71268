// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the mem_map walk of the page filter on a generated dump whose mem_section and
 * struct pages come from the input (a fixed, valid VMCOREINFO of a 6.12 or 6.1 kernel).
 *
 * Input: byte 0 the dump level (low 5 bits); byte 1 the kernel (bit 0: 6.1 keys, else 6.12),
 * bit 1 asks windows in a shuffled order; then bytes laid over a valid baseline, in order:
 * the mem_section root array (ROOTS_LEN), the first section entries (SECS_LEN), the mem_map
 * (NPFN struct pages of 64 bytes). A short input leaves the rest of the baseline as it is.
 */
#include "fuzz-util.h"
#include "vmgen.h"
#include "vmcore/vmcore.h"

#define T "fuzz-filter"

#define PO 0xffff888000000000ULL	/* direct map */
#define NPFN 512u			/* 2 MiB of RAM, two sections of 256 pages */
#define HOLE_START 384u			/* pfns [384, 448) are not in the dump */
#define HOLE_END 448u
#define ROOTS_PA 0x1000ULL
#define ROOTS_LEN 256u			/* LENGTH(mem_section)=32 roots */
#define SECS_PA 0x2000ULL
#define SECS_LEN 128u			/* 4 struct mem_section of 32 bytes */
#define MEMMAP_PA 0x10000ULL
#define MEMMAP_LEN (NPFN * 64u)

static const char *const keys_common[] = {
	"PAGESIZE=4096",
	"SYMBOL(init_top_pgt)=ffffffff82000000",
	"NUMBER(phys_base)=-33542144", /* init_top_pgt at pa 0x3000: a zero page */
	"LENGTH(mem_section)=32",
	"SIZE(mem_section)=32",
	"OFFSET(mem_section.section_mem_map)=0",
	"NUMBER(SECTION_SIZE_BITS)=20",
	"NUMBER(MAX_PHYSMEM_BITS)=32",
	"SIZE(page)=64",
	"OFFSET(page.flags)=0",
	"OFFSET(page._refcount)=52",
	"OFFSET(page.mapping)=24",
	"OFFSET(page.lru)=8",
	"OFFSET(page._mapcount)=48",
	"OFFSET(page.private)=40",
	"OFFSET(page.compound_head)=8",
	"LENGTH(zone.free_area)=11",
};

/* As the 6.12 fixture exports them. */
static const char *const keys_612[] = {
	"OSRELEASE=6.12.0-fuzz",
	"NUMBER(PG_lru)=5",
	"NUMBER(PG_private)=14",
	"NUMBER(PG_swapcache)=10",
	"NUMBER(PG_swapbacked)=17",
	"NUMBER(PG_hwpoison)=20",
	"NUMBER(PG_head_mask)=64",
	"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376",
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456",
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592",
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240",
};

/* As the 6.1 fixture exports them. */
static const char *const keys_61[] = {
	"OSRELEASE=6.1.0-fuzz",
	"NUMBER(PG_lru)=4",
	"NUMBER(PG_private)=13",
	"NUMBER(PG_swapcache)=10",
	"NUMBER(PG_swapbacked)=19",
	"NUMBER(PG_hwpoison)=23",
	"NUMBER(PG_slab)=9",
	"NUMBER(PG_head_mask)=65536",
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129",
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257",
	"OFFSET(page.compound_dtor)=16",
	"OFFSET(page.compound_order)=17",
	"NUMBER(HUGETLB_PAGE_DTOR)=2",
};

static void put64(struct vmgen *g, uint64_t pa, uint64_t v)
{
	vmgen_poke_u64(g, pa, v);
}

/* Lays src over [pa, pa + len) for as many bytes as src has; returns what it used. */
static size_t overlay(struct vmgen *g, uint64_t pa, size_t len, const uint8_t *src, size_t n)
{
	size_t k = n < len ? n : len;
	uint64_t end = pa + k;

	/* vmgen_poke wants every byte in a load: go around the hole. */
	for (uint64_t a = pa; a < end;) {
		uint64_t stop = end;
		if (a < HOLE_START * 4096ULL && stop > HOLE_START * 4096ULL)
			stop = HOLE_START * 4096ULL;
		if (a >= HOLE_START * 4096ULL && a < HOLE_END * 4096ULL) {
			a = HOLE_END * 4096ULL;
			continue;
		}
		vmgen_poke(g, a, src + (a - pa), (size_t)(stop - a));
		a = stop;
	}
	return k;
}

static struct vmgen *build(const uint8_t *data, size_t size, bool k61)
{
	struct vmgen *g = vmgen_new();
	size_t used;

	for (size_t i = 0; i < KD_ARRAY_SIZE(keys_common); i++)
		vmgen_info(g, "%s", keys_common[i]);
	if (k61)
		for (size_t i = 0; i < KD_ARRAY_SIZE(keys_61); i++)
			vmgen_info(g, "%s", keys_61[i]);
	else
		for (size_t i = 0; i < KD_ARRAY_SIZE(keys_612); i++)
			vmgen_info(g, "%s", keys_612[i]);
	vmgen_info(g, "SYMBOL(mem_section)=%llx", (unsigned long long)(PO + ROOTS_PA));
	vmgen_load(g, 0, HOLE_START * 4096ULL, PO);
	vmgen_load(g, HOLE_END * 4096ULL, (NPFN - HOLE_END) * 4096ULL, PO + HOLE_END * 4096ULL);
	/* The baseline: one root, both sections present with their mem_map, no page typed. */
	put64(g, ROOTS_PA, PO + SECS_PA);
	for (unsigned s = 0; s < NPFN / 256; s++)
		put64(g, SECS_PA + 32 * s, (PO + MEMMAP_PA) | 0xf);
	for (uint64_t pfn = 0; pfn < NPFN; pfn++)
		vmgen_poke_u32(g, MEMMAP_PA + pfn * 64 + 48, 0xffffffff);
	used = overlay(g, ROOTS_PA, ROOTS_LEN, data, size);
	used += overlay(g, SECS_PA, SECS_LEN, data + used, size - used);
	overlay(g, MEMMAP_PA, MEMMAP_LEN, data + used, size - used);
	return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t shuffled[][2] = { { 256, 512 }, { 0, 8 }, { 8, 384 }, { 0, 512 },
						{ 504, 4096 } };
	uint8_t bm[NPFN / 8 + 512];
	const struct vmcore_filter_stats *tot, *st;
	struct vmcore_filter *f = NULL;
	struct kd_err err = { 0 };
	struct vmcore *vc = NULL;
	const char *path = fz_path(), *warning = NULL;
	unsigned level;
	uint64_t kept = 0;
	struct vmgen *g;
	bool k61, shuffle;
	int r;

	if (size < 2)
		return 0;
	level = data[0] & 31;
	k61 = data[1] & 1;
	shuffle = data[1] & 2;
	g = build(data + 2, size - 2, k61);
	if (vmgen_write(g, path) < 0)
		abort();
	vmgen_free(g);
	r = vmcore_open(path, &vc, &err);
	fz_check(r == 0, T, "the generated dump opens");
	r = vmcore_filter_create(vc, level, &f, &warning, &err);
	if (r < 0) {
		fz_check(!f && err.msg[0], T, "a failed create says why");
		vmcore_close(vc);
		return 0;
	}
	fz_check((vmcore_filter_level(f) & ~level) == 0, T, "the effective level only drops bits");
	tot = vmcore_filter_totals(f);
	fz_check(tot->ram == tot->kept + tot->cache + tot->cache_private + tot->user + tot->free +
				     tot->hwpoison + tot->offline,
		 T, "every RAM page lands in one class");
	fz_check(tot->ram <= NPFN, T, "no more RAM than pfns");
	if (getenv("KD_FUZZ_VERBOSE"))
		fprintf(stderr, "%s: level %u->%u ram=%llu kept=%llu cache=%llu/%llu user=%llu "
			"free=%llu hwp=%llu off=%llu %s\n", T, level, vmcore_filter_level(f),
			(unsigned long long)tot->ram, (unsigned long long)tot->kept,
			(unsigned long long)tot->cache, (unsigned long long)tot->cache_private,
			(unsigned long long)tot->user, (unsigned long long)tot->free,
			(unsigned long long)tot->hwpoison, (unsigned long long)tot->offline,
			warning ? warning : "");
	if (shuffle) {
		for (size_t i = 0; i < KD_ARRAY_SIZE(shuffled); i++) {
			r = vmcore_filter_window(f, shuffled[i][0], shuffled[i][1], bm, &err);
			fz_check(r == 0 || err.msg[0], T, "a failed window says why");
		}
	} else {
		r = vmcore_filter_window(f, 0, NPFN, bm, &err);
		fz_check(r == 0 || err.msg[0], T, "a failed window says why");
		if (r == 0) {
			for (unsigned i = 0; i < NPFN; i++)
				kept += (bm[i / 8] >> (i % 8)) & 1;
			st = vmcore_filter_stats(f);
			fz_check(kept == st->kept, T, "the bitmap holds what the stats count");
			fz_check(kept == tot->kept, T, "a whole window agrees with the totals");
		}
	}
	vmcore_filter_destroy(f);
	vmcore_close(vc);
	return 0;
}
