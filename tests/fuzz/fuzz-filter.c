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

/* The bytes of [REGION_PA, REGION_END) in the baseline: one root, both sections present. */
#define REGION_PA ROOTS_PA
#define REGION_END (MEMMAP_PA + MEMMAP_LEN)

static void baseline(uint8_t *region)
{
	memset(region, 0, REGION_END - REGION_PA);
	kd_put_le64(region + ROOTS_PA - REGION_PA, PO + SECS_PA);
	for (unsigned s = 0; s < NPFN / 256; s++)
		kd_put_le64(region + SECS_PA - REGION_PA + 32 * s, (PO + MEMMAP_PA) | 0xf);
	for (uint64_t pfn = 0; pfn < NPFN; pfn++)
		kd_put_le32(region + MEMMAP_PA - REGION_PA + pfn * 64 + 48, 0xffffffff);
}

/* Lays src over [pa, pa + len) of the region for as many bytes as src has. */
static size_t overlay(uint8_t *region, uint64_t pa, size_t len, const uint8_t *src, size_t n)
{
	size_t k = n < len ? n : len;

	memcpy(region + (pa - REGION_PA), src, k);
	return k;
}

/*
 * One generated dump per kernel style, written once into its own memfd; each input then only
 * rewrites the region at its file offset (writing 2 MiB per input made the target slow).
 */
struct base {
	char path[64];
	int fd;
	uint64_t region_off;
};

static struct base *base_for(bool k61)
{
	static struct base bases[2];
	struct base *b = &bases[k61];
	struct kd_err err = { 0 };
	struct vmcore *vc;
	struct vmgen *g;
	uint64_t off;

	if (b->path[0])
		return b;
	b->fd = memfd_create(k61 ? "fuzz-filter-61" : "fuzz-filter-612", MFD_CLOEXEC);
	if (b->fd < 0)
		abort();
	snprintf(b->path, sizeof(b->path), "/proc/self/fd/%d", b->fd);
	g = vmgen_new();
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
	if (vmgen_write(g, b->path) < 0)
		abort();
	vmgen_free(g);
	/* Where the region lies in the file (the first load holds it whole). */
	if (vmcore_open(b->path, &vc, &err) < 0 || vmcore_pfn_offset(vc, 0, &off) < 0)
		abort();
	vmcore_close(vc);
	b->region_off = off + REGION_PA;
	return b;
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
	static uint8_t region[REGION_END - REGION_PA];
	const char *path, *warning = NULL;
	unsigned level;
	uint64_t kept = 0;
	struct base *b;
	size_t used;
	bool k61, shuffle;
	int r;

	if (size < 2)
		return 0;
	level = data[0] & 31;
	k61 = data[1] & 1;
	shuffle = data[1] & 2;
	b = base_for(k61);
	path = b->path;
	baseline(region);
	used = overlay(region, ROOTS_PA, ROOTS_LEN, data + 2, size - 2);
	used += overlay(region, SECS_PA, SECS_LEN, data + 2 + used, size - 2 - used);
	overlay(region, MEMMAP_PA, MEMMAP_LEN, data + 2 + used, size - 2 - used);
	if (kd_pwrite_all(b->fd, region, sizeof(region), b->region_off) < 0)
		abort();
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
