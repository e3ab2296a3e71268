// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the page filter: makedumpfile parity on the fixtures, generated mem_maps, hostile data. */
#include "testutil.h"
#include "vmgen.h"
#include "vmcore/vmcore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fixtures[] = { "x86_64-6.1-1G", "x86_64-6.12-1G" };

static bool bit(const uint8_t *bm, uint64_t i)
{
	return (bm[i >> 3] >> (i & 7)) & 1;
}

/* Runs f over [0, n) in windows of w pfns (w a multiple of 8); returns a malloc'd bitmap. */
static uint8_t *filter_all(struct vmcore_filter *f, uint64_t n, uint64_t w)
{
	uint8_t *bm = calloc(1, (size_t)(n / 8 + 2));
	struct kd_err err = { 0 };

	assert_non_null(bm);
	for (uint64_t s = 0; s < n; s += w)
		assert_int_equal(vmcore_filter_window(f, s, KD_MIN(s + w, n), bm + s / 8, &err), 0);
	return bm;
}

/* The filter's bitmap of a whole dump at a level (windows of w pfns), with its stats. */
static uint8_t *level_bitmap(struct vmcore *vc, unsigned level, uint64_t w,
			     struct vmcore_filter_stats *ret_stats, const char **ret_warning)
{
	struct vmcore_filter *f;
	struct kd_err err = { 0 };
	const char *warning = NULL;
	uint8_t *bm;

	assert_int_equal(vmcore_filter_create(vc, level, &f, &warning, &err), 0);
	bm = filter_all(f, vmcore_max_pfn(vc), w);
	if (ret_stats)
		*ret_stats = *vmcore_filter_stats(f);
	if (ret_warning)
		*ret_warning = warning ? strdup(warning) : NULL;
	vmcore_filter_destroy(f);
	return bm;
}

/* One "    Free pages              : 0x..." line of a makedumpfile log, or -1. */
static int64_t log_count(const char *log, const char *label)
{
	const char *p = strstr(log, label);

	if (!p || !(p = strchr(p, ':')))
		return -1;
	return (int64_t)strtoull(p + 1, NULL, 16);
}

struct mdf_log {
	int64_t zero, cache, cache_private, user, free, hwpoison, offline;
};

static struct mdf_log read_log(const char *fx, unsigned level)
{
	char name[64];
	char *log;
	struct mdf_log m;

	snprintf(name, sizeof(name), "makedumpfile-d%u.log", level);
	log = (char *)tu_read_file(tu_fixture_file(fx, name), NULL);
	m.zero = log_count(log, "Pages filled with zero");
	m.cache = log_count(log, "Non-private cache pages");
	m.cache_private = log_count(log, "    Private cache pages");
	m.user = log_count(log, "User process data pages");
	m.free = log_count(log, "Free pages");
	m.hwpoison = log_count(log, "Hwpoison pages");
	m.offline = log_count(log, "Offline pages");
	free(log);
	return m;
}

static struct vmcore *open_fixture(const char *fx)
{
	const char *path = tu_fixture_vmcore(fx);
	struct kd_err err = { 0 };
	struct vmcore *vc;

	if (!path) {
		char why[128];
		snprintf(why, sizeof(why), "fixture %s not decompressed (make fixtures)", fx);
		tu_skip_or_fail(why);
	}
	assert_int_equal(vmcore_open(path, &vc, &err), 0);
	return vc;
}

/*
 * Every level with a reference bitmap: ours must equal makedumpfile's bit for bit, and the
 * per-class counts must equal its log lines. Both fixtures' references are makedumpfile
 * 1.7.8's (see their READMEs); level 1 equals level 0 in bitmap2 (zero pages are excluded by
 * content, by the writer).
 */
static void check_fixture(const char *fx)
{
	static const unsigned levels[] = { 0, 1, 2, 4, 8, 16, 31 };
	struct vmcore *vc = open_fixture(fx);
	uint64_t n = vmcore_max_pfn(vc);

	print_message("%s: per-class pages, ours / makedumpfile 1.7.8 (its log)\n", fx);
	print_message("  level   kept          cache          private      user          free"
		      "           hwpoison  offline\n");
	for (size_t i = 0; i < KD_ARRAY_SIZE(levels); i++) {
		unsigned lvl = levels[i];
		struct vmcore_filter_stats st;
		struct mdf_log m = read_log(fx, lvl);
		const char *warning;
		char name[64];
		size_t len;
		uint8_t *ref, *ours = level_bitmap(vc, lvl, 65536, &st, &warning);
		uint64_t diff = 0, refcount = 0, first = UINT64_MAX;

		snprintf(name, sizeof(name), "bitmap-d%u.bin", lvl);
		ref = tu_read_file(tu_fixture_file(fx, name), &len);
		assert_true(len * 8 >= n);
		for (uint64_t pfn = 0; pfn < (uint64_t)len * 8; pfn++) {
			bool r = bit(ref, pfn), o = pfn < n && bit(ours, pfn);
			refcount += r;
			if (r != o && !diff++)
				first = pfn;
		}
		print_message("  -d %-3u %6" PRIu64 "/%-6" PRIu64 " %6" PRIu64 "/%-6" PRId64
			      " %5" PRIu64 "/%-5" PRId64 " %6" PRIu64 "/%-6" PRId64 " %6" PRIu64
			      "/%-6" PRId64 " %3" PRIu64 "/%-3" PRId64 " %3" PRIu64 "/%-3" PRId64
			      "%s%s\n", lvl, st.kept, refcount, st.cache, m.cache, st.cache_private,
			      m.cache_private, st.user, m.user, st.free, m.free, st.hwpoison,
			      m.hwpoison, st.offline, m.offline, warning ? "  warning: " : "",
			      warning ? warning : "");
		if (diff)
			print_message("  %" PRIu64 " pfns differ, first 0x%" PRIx64 "\n", diff, first);
		assert_int_equal(diff, 0);
		assert_int_equal(st.kept, refcount);
		assert_null(warning);
		assert_int_equal(st.cache, m.cache);
		assert_int_equal(st.cache_private, m.cache_private);
		assert_int_equal(st.user, m.user);
		assert_int_equal(st.free, m.free);
		assert_int_equal(st.hwpoison, m.hwpoison);
		assert_int_equal(st.offline, m.offline);
		assert_int_equal(st.ram, st.kept + st.cache + st.cache_private + st.user + st.free +
					 st.hwpoison + st.offline);
		free(ref);
		free(ours);
	}
	vmcore_close(vc);
}


/* ------------------------------------------------------------------------------------------ */
/* Generated dumps: a fake mem_section and mem_map in the direct map, one per kernel style.   */

#define PO 0xffff888000000000ULL	/* direct map base */
#define NPFN 4096u			/* 16 MiB of "RAM" */
#define HOLE_START 1536u		/* pfns [1536, 1792) are not in the dump */
#define HOLE_END 1792u
#define ROOTS_PA 0x1000ULL		/* mem_section root array (32 roots) */
#define SECS_PA 0x2000ULL		/* root 0: 128 struct mem_section of 32 bytes */
#define PGDAT_PA 0x5000ULL		/* pglist_data (free-list tests) */
#define NODE_DATA_PA 0x4000ULL
#define MEMMAP_PA 0x10000ULL		/* 4096 struct pages of 64 bytes: pfns 16..79 */
#define SPS 256u			/* pages per section (SECTION_SIZE_BITS 20) */

enum style { K612, K61, K66, K63 };

struct gen {
	struct vmgen *g;
	enum style style;
	bool no_buddy_key, unaccepted;
	int pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_hwpoison, pg_slab, pg_hugetlb;
	uint64_t head_mask;
	uint32_t buddy, offline, slab, hugetlb, unacc;
};

/*
 * With vmemmap_mode, the mem_map is at VMEMMAP, mapped by 4 KiB page-table entries onto
 * physical pages in reverse order (no two neighbours contiguous); else in the direct map.
 */
#define VMEMMAP 0xffffea0000000000ULL
#define PGT_PA 0x3000ULL	/* init_top_pgt (SYMBOL and phys_base below put it here) */
static bool vmemmap_mode;

static uint64_t page_va(uint64_t pfn)
{
	return vmemmap_mode ? VMEMMAP + pfn * 64 : PO + MEMMAP_PA + pfn * 64;
}

static uint64_t page_pa(uint64_t pfn)
{
	if (vmemmap_mode)
		return MEMMAP_PA + (NPFN / 64 - 1 - pfn / 64) * 4096 + (pfn % 64) * 64;
	return MEMMAP_PA + pfn * 64;
}

static uint8_t *pg(struct gen *G, uint64_t pfn)
{
	uint8_t *p = vmgen_phys(G->g, page_pa(pfn));
	assert_non_null(p);
	return p;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void or_flags(struct gen *G, uint64_t pfn, int bitnr)
{
	uint8_t *p = pg(G, pfn);
	put64(p, get64(p) | (1ULL << bitnr));
}

static void set_mapcount(struct gen *G, uint64_t pfn, uint32_t v)
{
	put32(pg(G, pfn) + 48, v);
}

static void set_mapping(struct gen *G, uint64_t pfn, uint64_t v)
{
	put64(pg(G, pfn) + 24, v);
}

/* Makes pfn the head of a compound page of 2^order pages (hugetlb or not). */
static void make_compound(struct gen *G, uint64_t head, unsigned order, bool hugetlb)
{
	uint8_t *p1 = pg(G, head + 1);

	put64(pg(G, head), get64(pg(G, head)) | G->head_mask);
	for (uint64_t i = 1; i < (1ULL << order); i++)
		put64(pg(G, head + i) + 8, page_va(head) | 1);
	switch (G->style) {
	case K612:
		put64(p1, get64(p1) | order);
		if (hugetlb)
			set_mapcount(G, head, G->hugetlb);
		break;
	case K66:
		put64(p1, get64(p1) | order | (hugetlb ? 1ULL << G->pg_hugetlb : 0));
		break;
	case K61:
	case K63:
		p1[17] = (uint8_t)order;	/* compound_order / _folio_order */
		p1[16] = hugetlb ? 2 : 1;	/* compound_dtor / _folio_dtor: 2 = hugetlb */
		break;
	}
}

static void make_buddy(struct gen *G, uint64_t pfn, uint64_t order)
{
	set_mapcount(G, pfn, G->buddy);
	put64(pg(G, pfn) + 40, order);
}

static void make_slab(struct gen *G, uint64_t pfn)
{
	if (G->style == K612)
		set_mapcount(G, pfn, G->slab);
	else
		or_flags(G, pfn, G->pg_slab);
}

static void gen_info(struct gen *G, const char *skip)
{
	struct vmgen *g = G->g;
#define INFO(...)                                                                                  \
	do {                                                                                       \
		char l_[128];                                                                      \
		snprintf(l_, sizeof(l_), __VA_ARGS__);                                             \
		if (!skip || !strstr(l_, skip))                                                    \
			vmgen_info(g, "%s", l_);                                                   \
	} while (0)
	INFO("OSRELEASE=%s", G->style == K612 ? "6.12.0-gen" : G->style == K61 ? "6.1.0-gen" :
	     G->style == K66 ? "6.6.0-gen" : "6.3.0-gen");
	INFO("PAGESIZE=4096");
	INFO("SYMBOL(init_top_pgt)=ffffffff82000000");
	INFO("NUMBER(phys_base)=%lld", -0x2000000LL + 0x3000);
	INFO("SYMBOL(mem_section)=%llx", (unsigned long long)(PO + ROOTS_PA));
	INFO("LENGTH(mem_section)=32");
	INFO("SIZE(mem_section)=32");
	INFO("OFFSET(mem_section.section_mem_map)=0");
	INFO("NUMBER(SECTION_SIZE_BITS)=20");
	INFO("NUMBER(MAX_PHYSMEM_BITS)=32");
	INFO("SIZE(page)=64");
	INFO("OFFSET(page.flags)=0");
	INFO("OFFSET(page._refcount)=52");
	INFO("OFFSET(page.mapping)=24");
	INFO("OFFSET(page.lru)=8");
	INFO("OFFSET(page._mapcount)=48");
	INFO("OFFSET(page.private)=40");
	INFO("OFFSET(page.compound_head)=8");
	INFO("LENGTH(zone.free_area)=11");
	INFO("NUMBER(PG_lru)=%d", G->pg_lru);
	INFO("NUMBER(PG_private)=%d", G->pg_private);
	INFO("NUMBER(PG_swapcache)=%d", G->pg_swapcache);
	INFO("NUMBER(PG_swapbacked)=%d", G->pg_swapbacked);
	INFO("NUMBER(PG_hwpoison)=%d", G->pg_hwpoison);
	INFO("NUMBER(PG_head_mask)=%llu", (unsigned long long)G->head_mask);
	if (!G->no_buddy_key)
		INFO("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=%d", (int32_t)G->buddy);
	INFO("NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=%d", (int32_t)G->offline);
	switch (G->style) {
	case K612:
		INFO("NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=%d", (int32_t)G->slab);
		INFO("NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=%d", (int32_t)G->hugetlb);
		if (G->unaccepted)
			INFO("NUMBER(PAGE_UNACCEPTED_MAPCOUNT_VALUE)=%d", (int32_t)G->unacc);
		break;
	case K66:
		INFO("NUMBER(PG_slab)=%d", G->pg_slab);
		INFO("NUMBER(PG_hugetlb)=%d", G->pg_hugetlb);
		break;
	case K63:
		INFO("NUMBER(PG_slab)=%d", G->pg_slab);
		INFO("OFFSET(folio._folio_dtor)=80");
		INFO("OFFSET(folio._folio_order)=81");
		INFO("NUMBER(HUGETLB_PAGE_DTOR)=2");
		break;
	case K61:
		INFO("NUMBER(PG_slab)=%d", G->pg_slab);
		INFO("OFFSET(page.compound_dtor)=16");
		INFO("OFFSET(page.compound_order)=17");
		INFO("NUMBER(HUGETLB_PAGE_DTOR)=2");
		break;
	}
#undef INFO
}

/* A dump of 4096 pfns with a hole, sections of 256 pages, every struct page "no type". */
static void gen_init(struct gen *G, enum style style)
{
	memset(G, 0, sizeof(*G));
	G->g = vmgen_new();
	G->style = style;
	if (style == K612) {
		G->pg_lru = 5, G->pg_private = 14, G->pg_swapcache = 10, G->pg_swapbacked = 17;
		G->pg_hwpoison = 20, G->head_mask = 1ULL << 6;
		G->buddy = 0xf0000000, G->offline = 0xf1000000, G->hugetlb = 0xf4000000;
		G->slab = 0xf5000000, G->unacc = 0xf7000000;
	} else {
		G->pg_lru = 4, G->pg_private = 13, G->pg_swapcache = 10, G->pg_swapbacked = 19;
		G->pg_hwpoison = 23, G->pg_slab = 9, G->head_mask = 1ULL << 16;
		G->buddy = 0xffffff7f, G->offline = 0xfffffeff, G->pg_hugetlb = 22;
	}
	vmgen_load(G->g, 0, HOLE_START * 4096ULL, PO);
	vmgen_load(G->g, HOLE_END * 4096ULL, (NPFN - HOLE_END) * 4096ULL, PO + HOLE_END * 4096ULL);
	put64(vmgen_phys(G->g, ROOTS_PA), PO + SECS_PA);
	for (unsigned s = 0; s < NPFN / SPS; s++)
		put64(vmgen_phys(G->g, SECS_PA + 32 * s), page_va(0) | 0xf);
	if (vmemmap_mode) {
		/* PGD -> PUD at 0x8000 -> PMD at 0x9000 -> PT at 0xa000, 4 KiB pages. */
		put64(vmgen_phys(G->g, PGT_PA + 8 * ((VMEMMAP >> 39) & 511)), 0x8000 | 0x63);
		put64(vmgen_phys(G->g, 0x8000 + 8 * ((VMEMMAP >> 30) & 511)), 0x9000 | 0x63);
		put64(vmgen_phys(G->g, 0x9000 + 8 * ((VMEMMAP >> 21) & 511)), 0xa000 | 0x63);
		for (uint64_t i = 0; i < NPFN / 64; i++)
			put64(vmgen_phys(G->g, 0xa000 + 8 * (((VMEMMAP >> 12) + i) & 511)),
			      page_pa(i * 64) | 0x8000000000000063ULL);
	}
	for (uint64_t pfn = 0; pfn < NPFN; pfn++)
		set_mapcount(G, pfn, 0xffffffff);
}

/* What the generated objects are, and which class the filter must give their pages. */
enum want { W_KEEP, W_CACHE, W_PRIV, W_USER, W_FREE, W_HWPOISON, W_OFFLINE };

struct object {
	uint64_t pfn, n;
	enum want want;
};

static struct object objs[64];
static size_t nobjs;

static void expect(uint64_t pfn, uint64_t n, enum want w)
{
	assert_true(nobjs < KD_ARRAY_SIZE(objs));
	objs[nobjs++] = (struct object){ pfn, n, w };
}

/* The contents every style gets. */
static void gen_objects(struct gen *G)
{
	uint64_t file_mapping = PO + 0x7000, anon_vma = PO + 0x7101;

	nobjs = 0;
	/* Single page-cache pages: plain, with private data, in the swap cache. */
	or_flags(G, 300, G->pg_lru), set_mapping(G, 300, file_mapping);
	expect(300, 1, W_CACHE);
	or_flags(G, 301, G->pg_lru), or_flags(G, 301, G->pg_private);
	set_mapping(G, 301, file_mapping);
	expect(301, 1, W_PRIV);
	or_flags(G, 302, G->pg_swapbacked), or_flags(G, 302, G->pg_swapcache);
	set_mapping(G, 302, anon_vma & ~1ULL);
	expect(302, 1, W_CACHE);
	/* Anonymous pages, one on an LRU (anon pages are: they are user data, not cache). */
	set_mapping(G, 303, anon_vma);
	expect(303, 1, W_USER);
	or_flags(G, 304, G->pg_lru), or_flags(G, 304, G->pg_swapbacked);
	set_mapping(G, 304, anon_vma);
	expect(304, 1, W_USER);
	/* A slab page whose word at page.mapping is odd (6.12's slab->slabs): kept. */
	make_slab(G, 320);
	set_mapping(G, 320, 0xdead000000000003ULL);
	expect(320, 1, W_KEEP);
	/* A compound slab page (order 2): kept whole. */
	make_slab(G, 344);
	set_mapping(G, 344, 0xdead000000000001ULL);
	make_compound(G, 344, 2, false);
	expect(344, 4, W_KEEP);
	/* Free pages: order 0, order 2, and order 10 over four sections. */
	make_buddy(G, 330, 0);
	expect(330, 1, W_FREE);
	make_buddy(G, 336, 2);
	expect(336, 4, W_FREE);
	make_buddy(G, 2048, 10);
	expect(2048, 1024, W_FREE);
	/* hwpoison and offline: excluded at every level. */
	or_flags(G, 340, G->pg_hwpoison);
	expect(340, 1, W_HWPOISON);
	set_mapcount(G, 341, G->offline);
	expect(341, 1, W_OFFLINE);
	/* A large anonymous folio (order 4): user data, tails with it. */
	or_flags(G, 512, G->pg_lru), or_flags(G, 512, G->pg_swapbacked);
	set_mapping(G, 512, anon_vma);
	make_compound(G, 512, 4, false);
	expect(512, 16, W_USER);
	/* A large page-cache folio (order 3). */
	or_flags(G, 544, G->pg_lru), set_mapping(G, 544, file_mapping);
	make_compound(G, 544, 3, false);
	expect(544, 8, W_CACHE);
	/* A 2 MiB hugetlb page (order 9) over two sections: user data. */
	set_mapping(G, 1024, file_mapping);
	make_compound(G, 1024, 9, true);
	expect(1024, 512, W_USER);
	/* A kernel compound page (order 3, no class): kept with its tails. */
	make_compound(G, 560, 3, false);
	expect(560, 8, W_KEEP);
	if (G->unaccepted) {
		/* Unaccepted memory (6.16+ kernels): 2^10 pages per entry. */
		set_mapcount(G, 3072, G->unacc);
		expect(3072, 1024, W_FREE);
	}
}

static const char *gen_write(struct gen *G, const char *name, const char *skip_info)
{
	const char *path = tu_tmp(name);

	gen_info(G, skip_info);
	assert_int_equal(vmgen_write(G->g, path), 0);
	vmgen_free(G->g);
	G->g = NULL;
	return path;
}

static bool excluded_at(enum want w, unsigned level)
{
	switch (w) {
	case W_KEEP:
		return false;
	case W_CACHE:
		return level & (VMCORE_EXCL_CACHE | VMCORE_EXCL_CACHE_PRIVATE);
	case W_PRIV:
		return level & VMCORE_EXCL_CACHE_PRIVATE;
	case W_USER:
		return level & VMCORE_EXCL_USER;
	case W_FREE:
		return level & VMCORE_EXCL_FREE;
	case W_HWPOISON:
	case W_OFFLINE:
		return true;
	}
	return false;
}

static bool in_ram(uint64_t pfn)
{
	return pfn < NPFN && (pfn < HOLE_START || pfn >= HOLE_END);
}

/*
 * Checks every pfn of a generated dump at levels lo..hi against the objects. The effective
 * level must be the requested one minus drop; a warning must contain warn (NULL: none).
 * no_struct: nothing can be read from struct pages, only bitmap1 counts.
 */
static void check_generated_ex(const char *path, unsigned lo, unsigned hi, unsigned drop,
			       const char *warn, bool no_struct)
{
	struct kd_err err = { 0 };
	struct vmcore *vc;

	assert_int_equal(vmcore_open(path, &vc, &err), 0);
	for (unsigned level = lo; level <= hi; level++) {
		struct vmcore_filter_stats st, want = { 0 };
		const char *warning;
		struct vmcore_filter *f;
		uint8_t *bm;
		unsigned eff = level & ~drop;

		assert_int_equal(vmcore_filter_create(vc, level, &f, &warning, &err), 0);
		if (vmcore_filter_level(f) != eff)
			fail_msg("level %u: effective level %u, want %u (%s)", level,
				 vmcore_filter_level(f), eff, warning ? warning : "no warning");
		if (!warn && warning)
			fail_msg("level %u: unexpected warning: %s", level, warning);
		if (warn && (!warning || !strstr(warning, warn)))
			fail_msg("level %u: warning \"%s\" lacks \"%s\"", level,
				 warning ? warning : "(none)", warn);
		if (warning && level == hi)
			print_message("  level %u -> %u: %s\n", level, eff, warning);
		bm = filter_all(f, NPFN, 64);
		st = *vmcore_filter_stats(f);
		assert_memory_equal(&st, vmcore_filter_totals(f), sizeof(st));
		vmcore_filter_destroy(f);
		for (uint64_t pfn = 0; pfn < NPFN; pfn++) {
			enum want w = W_KEEP;
			bool keep;

			for (size_t i = 0; i < nobjs && !no_struct; i++)
				if (pfn >= objs[i].pfn && pfn < objs[i].pfn + objs[i].n)
					w = objs[i].want;
			keep = in_ram(pfn) && !excluded_at(w, eff);
			if (keep != bit(bm, pfn))
				fail_msg("level %u: pfn %" PRIu64 " %s, should be %s", level, pfn,
					 bit(bm, pfn) ? "kept" : "excluded", keep ? "kept" : "excluded");
			if (!in_ram(pfn))
				continue;
			want.ram++;
			if (keep)
				want.kept++;
			else if (w == W_CACHE)
				want.cache++;
			else if (w == W_PRIV)
				want.cache_private++;
			else if (w == W_USER)
				want.user++;
			else if (w == W_FREE)
				want.free++;
			else if (w == W_HWPOISON)
				want.hwpoison++;
			else if (w == W_OFFLINE)
				want.offline++;
		}
		assert_memory_equal(&st, &want, sizeof(st));
		free(bm);
	}
	vmcore_close(vc);
}

static void check_generated(const char *path, unsigned lo, unsigned hi)
{
	check_generated_ex(path, lo, hi, 0, NULL, false);
}

/* Forgets the objects in [start, end): their pages must be kept. */
static void unexpect(uint64_t start, uint64_t end)
{
	size_t out = 0;

	for (size_t i = 0; i < nobjs; i++)
		if (objs[i].pfn + objs[i].n <= start || objs[i].pfn >= end)
			objs[out++] = objs[i];
	nobjs = out;
}

static void test_generated_styles(void **state)
{
	static const enum style styles[] = { K612, K61, K66, K63 };

	for (size_t i = 0; i < KD_ARRAY_SIZE(styles); i++) {
		struct gen G;

		gen_init(&G, styles[i]);
		G.unaccepted = styles[i] == K612;
		gen_objects(&G);
		check_generated(gen_write(&G, "styles.vmcore", NULL), 0, 31);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Free lists: kernels that do not export PAGE_BUDDY_MAPCOUNT_VALUE.                           */

#define ZONE_SIZE 0x600ULL
#define ZONE_FREE_AREA 0x100ULL
#define FREE_AREA_SIZE 88ULL
#define NR_TYPES 5u

static uint8_t *va_ptr(struct gen *G, uint64_t va)
{
	uint8_t *p = vmgen_phys(G->g, va - PO);
	assert_non_null(p);
	return p;
}

static uint64_t list_head_va(unsigned order, unsigned type)
{
	return PO + PGDAT_PA + ZONE_SIZE /* zone 1 */ + ZONE_FREE_AREA + FREE_AREA_SIZE * order +
	       16 * type;
}

/* node_data, node_online_map, a pglist_data with an empty zone 0 and a zone 1 of free lists. */
static void gen_free_lists(struct gen *G)
{
	put64(vmgen_phys(G->g, NODE_DATA_PA), PO + PGDAT_PA);
	put64(vmgen_phys(G->g, NODE_DATA_PA + 0x800), 1);	/* node_online_map */
	put32(vmgen_phys(G->g, PGDAT_PA + 0x1800), 2);		/* nr_zones */
	put64(vmgen_phys(G->g, PGDAT_PA + ZONE_SIZE + 0x80), NPFN);	/* zone 1 spanned */
	for (unsigned o = 0; o < 11; o++)
		for (unsigned t = 0; t < NR_TYPES; t++) {
			uint64_t h = list_head_va(o, t);
			put64(va_ptr(G, h), h);
			put64(va_ptr(G, h + 8), h);
		}
	vmgen_info(G->g, "SYMBOL(node_data)=%llx", (unsigned long long)(PO + NODE_DATA_PA));
	vmgen_info(G->g, "LENGTH(node_data)=1024");
	vmgen_info(G->g, "SYMBOL(node_online_map)=%llx",
		   (unsigned long long)(PO + NODE_DATA_PA + 0x800));
	vmgen_info(G->g, "SIZE(nodemask_t)=8");
	vmgen_info(G->g, "SIZE(pglist_data)=8192");
	vmgen_info(G->g, "OFFSET(pglist_data.node_zones)=0");
	vmgen_info(G->g, "OFFSET(pglist_data.nr_zones)=6144");
	vmgen_info(G->g, "SIZE(zone)=%llu", (unsigned long long)ZONE_SIZE);
	vmgen_info(G->g, "OFFSET(zone.free_area)=%llu", (unsigned long long)ZONE_FREE_AREA);
	vmgen_info(G->g, "OFFSET(zone.spanned_pages)=128");
	vmgen_info(G->g, "OFFSET(zone.vm_stat)=1344");
	vmgen_info(G->g, "SIZE(free_area)=%llu", (unsigned long long)FREE_AREA_SIZE);
	vmgen_info(G->g, "OFFSET(free_area.free_list)=0");
	vmgen_info(G->g, "LENGTH(free_area.free_list)=%u", NR_TYPES);
	vmgen_info(G->g, "SIZE(list_head)=16");
	vmgen_info(G->g, "OFFSET(list_head.next)=0");
	vmgen_info(G->g, "OFFSET(list_head.prev)=8");
}

/* Appends the block at pfn to the free list of (order, type). */
static void free_list_add(struct gen *G, uint64_t pfn, unsigned order, unsigned type)
{
	uint64_t h = list_head_va(order, type), e = page_va(pfn) + 8;
	uint64_t last = get64(va_ptr(G, h + 8));

	put64(va_ptr(G, e), h);
	put64(va_ptr(G, e + 8), last);
	put64(va_ptr(G, last), e);
	put64(va_ptr(G, h + 8), e);
}

static void gen_free_dump(struct gen *G, enum style style)
{
	gen_init(G, style);
	G->no_buddy_key = true;
	gen_objects(G);
	gen_free_lists(G);
	free_list_add(G, 330, 0, 0);
	free_list_add(G, 336, 2, 1);
	free_list_add(G, 2048, 10, 0);
}

/* The mem_map in a vmemmap mapped by 4 KiB pages scattered in physical memory. */
static void test_generated_vmemmap(void **state)
{
	struct gen G;

	vmemmap_mode = true;
	gen_init(&G, K612);
	gen_objects(&G);
	check_generated(gen_write(&G, "vmemmap.vmcore", NULL), 0, 31);
	/* One page of the mem_map unmapped: its 64 struct pages (pfns 320..383) are lost. */
	gen_init(&G, K61);
	gen_objects(&G);
	put64(vmgen_phys(G.g, 0xa000 + 8 * (((VMEMMAP >> 12) + 5) & 511)), 0);
	unexpect(320, 384);
	check_generated_ex(gen_write(&G, "vmemmap-hole.vmcore", NULL), 31, 31, 0,
			   "64 page(s) kept because their struct page is not in the dump", false);
	vmemmap_mode = false;
}

static void test_free_lists(void **state)
{
	struct gen G;

	gen_free_dump(&G, K61);
	check_generated(gen_write(&G, "freelist.vmcore", NULL), 0, 31);
	gen_free_dump(&G, K612);
	check_generated(gen_write(&G, "freelist.vmcore", NULL), 0, 31);
}

static void keep_free_objects(void)
{
	for (size_t i = 0; i < nobjs; i++)
		if (objs[i].want == W_FREE)
			objs[i].want = W_KEEP;
}

static void test_free_lists_hostile(void **state)
{
	struct gen G;

	/* A loop: the last entry points back at the first instead of the head. */
	gen_free_dump(&G, K61);
	free_list_add(&G, 600, 0, 0);
	put64(va_ptr(&G, page_va(600) + 8), page_va(330) + 8);
	keep_free_objects();
	check_generated_ex(gen_write(&G, "fl-loop.vmcore", NULL), 16, 31, VMCORE_EXCL_FREE,
			   "free pages cannot be found: the free list of node 0 zone 1 order 0",
			   false);

	/* An entry that is no struct page. */
	gen_free_dump(&G, K61);
	put64(va_ptr(&G, list_head_va(2, 1)), PO + 0x7000);
	keep_free_objects();
	check_generated_ex(gen_write(&G, "fl-bad.vmcore", NULL), 31, 31, VMCORE_EXCL_FREE,
			   "is not a struct page", false);

	/* More free pages than RAM (a list of order-10 blocks over the whole dump). */
	gen_free_dump(&G, K61);
	for (uint64_t pfn = 1; pfn < 8; pfn++)
		free_list_add(&G, pfn, 10, 2);
	keep_free_objects();
	check_generated_ex(gen_write(&G, "fl-many.vmcore", NULL), 31, 31, VMCORE_EXCL_FREE,
			   "more pages than the dump has RAM", false);

	/* The free-list keys missing as well. */
	gen_init(&G, K61);
	G.no_buddy_key = true;
	gen_objects(&G);
	keep_free_objects();
	check_generated_ex(gen_write(&G, "fl-none.vmcore", NULL), 16, 31, VMCORE_EXCL_FREE,
			   "VMCOREINFO lacks PAGE_BUDDY_MAPCOUNT_VALUE", false);
}

/* ------------------------------------------------------------------------------------------ */
/* Hostile and incomplete dumps: a lower level or kept pages, a warning, never a crash.        */

static void test_hostile_mem_section(void **state)
{
	struct gen G;

	/* The mem_section root array outside the dump: no struct page at all. */
	gen_init(&G, K612);
	gen_objects(&G);
	vmgen_info(G.g, "SYMBOL(mem_section)=%llx", (unsigned long long)(PO + 0x7fff0000ULL));
	check_generated_ex(gen_write(&G, "h-root.vmcore", "SYMBOL(mem_section)"), 2, 31, 30,
			   "mem_section", true);
	gen_init(&G, K612);
	gen_objects(&G);
	vmgen_info(G.g, "SYMBOL(mem_section)=%llx", (unsigned long long)(PO + 0x7fff0000ULL));
	check_generated_ex(gen_write(&G, "h-root.vmcore", "SYMBOL(mem_section)"), 0, 1, 30,
			   "hwpoisoned and offline pages cannot be found", true);

	/* Section 1's mem_map is a kernel address outside the dump: its pages are kept. */
	gen_init(&G, K612);
	gen_objects(&G);
	put64(vmgen_phys(G.g, SECS_PA + 32), (PO + 0x40000000ULL) | 0xf);
	unexpect(256, 512);
	check_generated_ex(gen_write(&G, "h-sec.vmcore", NULL), 0, 31, 0,
			   "256 page(s) kept because their struct page is not in the dump", false);

	/* Section 1's mem_map is not a kernel address at all. */
	gen_init(&G, K61);
	gen_objects(&G);
	put64(vmgen_phys(G.g, SECS_PA + 32), 0x1000 | 0x3);
	unexpect(256, 512);
	check_generated_ex(gen_write(&G, "h-sec2.vmcore", NULL), 0, 31, 0,
			   "1 of 16 memory sections are not in the dump", false);

	/* A root pointing outside the dump (only root 0 is used by this dump). */
	gen_init(&G, K612);
	gen_objects(&G);
	put64(vmgen_phys(G.g, ROOTS_PA), PO + 0x7fff0000ULL);
	check_generated_ex(gen_write(&G, "h-root0.vmcore", NULL), 31, 31, 30, "mem_section", true);
}

/* A PT_LOAD far up (1 PiB): the checking pass must not crawl through the gap. */
static void test_far_load(void **state)
{
	struct gen G;
	struct vmcore_filter *f;
	struct kd_err err = { 0 };
	const char *warning, *path;
	struct vmcore *vc;
	uint64_t far = 1ULL << 38;	/* pfn */
	uint8_t bm[2];

	gen_init(&G, K612);
	gen_objects(&G);
	vmgen_load(G.g, far * 4096, 4096, PO + far * 4096);
	path = gen_write(&G, "far.vmcore", NULL);
	assert_int_equal(vmcore_open(path, &vc, &err), 0);
	assert_int_equal(vmcore_max_pfn(vc), far + 1);
	assert_int_equal(vmcore_filter_create(vc, 31, &f, &warning, &err), 0);
	assert_int_equal(vmcore_filter_totals(f)->ram, NPFN - (HOLE_END - HOLE_START) + 1);
	assert_int_equal(vmcore_filter_window(f, far, far + 1, bm, &err), 0);
	assert_int_equal(bm[0], 1);
	vmcore_filter_destroy(f);
	vmcore_close(vc);
}

static void test_hostile_pages(void **state)
{
	struct gen G;

	/* A free page of order 60 (kept, as makedumpfile does) and a compound order of 24. */
	gen_init(&G, K612);
	gen_objects(&G);
	make_buddy(&G, 400, 60);
	or_flags(&G, 0, 5), set_mapping(&G, 0, PO + 0x7101);	/* anon head at pfn 0 */
	put64(pg(&G, 0), get64(pg(&G, 0)) | G.head_mask);
	put64(pg(&G, 1), 24);	/* order 24: aligned, but past 1 GiB */
	expect(0, 1, W_USER);
	check_generated_ex(gen_write(&G, "h-order.vmcore", NULL), 24, 31, 0,
			   "1 free page(s) with an order past the free areas kept (first pfn 0x190); "
			   "1 compound page(s) with an impossible order taken as single pages "
			   "(first pfn 0x0)", false);

	/* Garbage struct pages: the classification is not trusted at all. */
	gen_init(&G, K61);
	gen_objects(&G);
	for (uint64_t i = 0; i < NPFN * 64; i += 8) {
		uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL;
		x ^= x >> 29;
		put64(vmgen_phys(G.g, MEMMAP_PA + i), x * 0xbf58476d1ce4e5b9ULL);
	}
	check_generated_ex(gen_write(&G, "h-garbage.vmcore", NULL), 0, 31, 30,
			   "struct pages look corrupt", true);

	/* Keys missing: only the levels that need them go. */
	gen_init(&G, K612);
	gen_objects(&G);
	check_generated_ex(gen_write(&G, "h-nolru.vmcore", "NUMBER(PG_lru)"), 31, 31,
			   VMCORE_EXCL_CACHE | VMCORE_EXCL_CACHE_PRIVATE,
			   "dump level 31 lowered to 25: page cache cannot be told", false);
	gen_init(&G, K612);
	gen_objects(&G);
	check_generated_ex(gen_write(&G, "h-noslab.vmcore", "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)"),
			   31, 31, VMCORE_EXCL_USER, "user pages cannot be told from slab pages",
			   false);

	/* No VMCOREINFO at all. */
	gen_init(&G, K612);
	vmgen_no_vmcoreinfo(G.g);
	check_generated_ex(gen_write(&G, "h-novi.vmcore", NULL), 31, 31, 30, "no VMCOREINFO",
			   true);
}

/* ------------------------------------------------------------------------------------------ */
/* Window independence.                                                                        */

/* The same bitmap whatever the windows: sizes 8 and all, shuffled, asked twice. */
static void check_windows(struct vmcore *vc, unsigned level, uint64_t shuffle_w)
{
	uint64_t n = vmcore_max_pfn(vc), nw = KD_DIV_ROUND_UP(n, shuffle_w);
	struct vmcore_filter *f;
	struct kd_err err = { 0 };
	const char *warning;
	uint8_t *ref = level_bitmap(vc, level, 65536, NULL, NULL);
	uint8_t *a = level_bitmap(vc, level, 8, NULL, NULL);
	uint8_t *b = level_bitmap(vc, level, KD_ALIGN_UP(n, 8), NULL, NULL);
	uint8_t *c = calloc(1, (size_t)(n / 8 + 2));
	uint64_t *order = calloc(nw * 2, sizeof(*order));

	assert_memory_equal(ref, a, (size_t)(n + 7) / 8);
	assert_memory_equal(ref, b, (size_t)(n + 7) / 8);
	/* Every window twice, in a scrambled order (a fixed permutation). */
	for (uint64_t i = 0; i < nw * 2; i++)
		order[i] = (i * 7919 + 13) % nw;
	assert_int_equal(vmcore_filter_create(vc, level, &f, &warning, &err), 0);
	for (uint64_t i = 0; i < nw * 2; i++) {
		uint64_t s = order[i] * shuffle_w;
		memset(c + s / 8, 0xaa, (size_t)KD_DIV_ROUND_UP(KD_MIN(shuffle_w, n - s), 8));
		assert_int_equal(vmcore_filter_window(f, s, KD_MIN(s + shuffle_w, n), c + s / 8,
						      &err), 0);
	}
	assert_memory_equal(ref, c, (size_t)(n + 7) / 8);
	/*
	 * Whole 65536-pfn chunks (handed out from what creating the filter decided) between
	 * windows decided anew, in order (those must not go on from a state nobody set).
	 */
	memset(c, 0xaa, (size_t)(n + 7) / 8);
	for (uint64_t s = 0, i = 0; s < n; i++) {
		uint64_t e = KD_MIN(i % 3 == 0 ? s + 65536 : i % 3 == 1 ? s + 136 :
				    KD_ALIGN_UP(s + 1, 65536), n);

		assert_int_equal(vmcore_filter_window(f, s, e, c + s / 8, &err), 0);
		s = e;
	}
	assert_memory_equal(ref, c, (size_t)(n + 7) / 8);
	assert_int_equal(vmcore_filter_window(f, 4, 8, c, &err), -EINVAL);
	vmcore_filter_destroy(f);
	free(ref), free(a), free(b), free(c), free(order);
}

static void test_windows_generated(void **state)
{
	struct gen G;
	struct kd_err err = { 0 };
	struct vmcore *vc;
	const char *path;

	gen_init(&G, K612);
	G.unaccepted = true;
	gen_objects(&G);
	path = gen_write(&G, "windows.vmcore", NULL);
	assert_int_equal(vmcore_open(path, &vc, &err), 0);
	for (unsigned level = 0; level <= 31; level += 3)
		check_windows(vc, level, 136);
	check_windows(vc, 31, 8);
	vmcore_close(vc);
}

/* ------------------------------------------------------------------------------------------ */
/* The survey on threads: the same filter whatever the thread count.                           */

/* Creates the filter at level on 1-4 threads: the same level, warning, totals and bitmap. */
static void check_threads(struct vmcore *vc, unsigned level)
{
	uint64_t n = vmcore_max_pfn(vc);
	struct vmcore_filter_stats ref_tot = { 0 };
	uint8_t *ref = NULL;
	char *ref_warning = NULL;
	unsigned ref_level = 0;

	for (unsigned t = 1; t <= 4; t++) {
		struct vmcore_filter *f;
		struct kd_err err = { 0 };
		const char *warning = NULL;
		uint8_t *bm;

		assert_int_equal(vmcore_filter_create_threads(vc, level, t, &f, &warning, &err), 0);
		bm = filter_all(f, n, 65536);	/* whole chunks: the survey's own bitmap */
		if (t == 1) {
			ref = bm;
			ref_tot = *vmcore_filter_totals(f);
			ref_warning = warning ? strdup(warning) : NULL;
			ref_level = vmcore_filter_level(f);
		} else {
			if (memcmp(ref, bm, (size_t)(n + 7) / 8)) {
				uint64_t pfn = 0;
				while (bit(ref, pfn) == bit(bm, pfn))
					pfn++;
				fail_msg("level %u, %u threads: pfn 0x%" PRIx64 " is %s, on one "
					 "thread %s", level, t, pfn, bit(bm, pfn) ? "kept" :
					 "excluded", bit(ref, pfn) ? "kept" : "excluded");
			}
			assert_memory_equal(&ref_tot, vmcore_filter_totals(f), sizeof(ref_tot));
			assert_int_equal(ref_level, vmcore_filter_level(f));
			if (ref_warning || warning)
				assert_string_equal(ref_warning ? ref_warning : "(none)",
						    warning ? warning : "(none)");
			free(bm);
		}
		/* The survey's bitmap and totals agree (windows count what they hand out). */
		assert_memory_equal(vmcore_filter_totals(f), vmcore_filter_stats(f),
				    sizeof(struct vmcore_filter_stats));
		vmcore_filter_destroy(f);
	}
	free(ref);
	free(ref_warning);
}

static void test_threads_fixtures(void **state)
{
	static const unsigned levels[] = { 0, 1, 2, 4, 8, 16, 22, 31 };

	for (size_t i = 0; i < KD_ARRAY_SIZE(fixtures); i++) {
		struct vmcore *vc = open_fixture(fixtures[i]);

		for (size_t l = 0; l < KD_ARRAY_SIZE(levels); l++)
			check_threads(vc, levels[l]);
		vmcore_close(vc);
	}
}

/*
 * Memory on both sides of pfn 65536 (past a survey chunk's end), with free blocks straddling
 * every place where 2-4 threads may split this dump (misaligned, as no kernel makes, but
 * untrusted data may), one with the head of a THP in it that reaches past its end: the
 * segment after a split must take the ranges coming from the one before. The serial pass,
 * as makedumpfile, never reads that head (it is inside the free block: the THP's pfns past
 * the block are kept); a segment starting inside the block does read it, and must be
 * corrected past the block's end. far: the same with a page far up, so that the survey
 * keeps only counts.
 */
#define STRADDLE_LO 63488u
#define STRADDLE_HI 69632u
/* The cuts at multiples of 512 near the large free block: it straddles those. */
static bool straddle_big(uint64_t p)
{
	return p >= 66048 && p <= 67072;
}

static void check_straddle(bool far)
{
	struct gen G;
	struct kd_err err = { 0 };
	struct vmcore_filter *f;
	const char *warning, *path;
	struct vmcore *vc;
	uint8_t *bm;

	gen_init(&G, K612);
	gen_objects(&G);
	vmgen_load(G.g, STRADDLE_LO * 4096ULL, (STRADDLE_HI - STRADDLE_LO) * 4096ULL,
		   PO + STRADDLE_LO * 4096ULL);
	/* Sections 128-383 (their struct pages are in the mem_map at MEMMAP_PA already). */
	put64(vmgen_phys(G.g, ROOTS_PA + 8), PO + 0xb000);
	put64(vmgen_phys(G.g, ROOTS_PA + 16), PO + 0xc000);
	for (unsigned s = 0; s < 256; s++)
		put64(vmgen_phys(G.g, 0xb000 + 32 * s), page_va(0) | 0xf);
	for (uint64_t pfn = STRADDLE_LO; pfn < STRADDLE_HI; pfn++)
		set_mapcount(&G, pfn, 0xffffffff);
	make_buddy(&G, 66000, 10);		/* [66000, 67024) free */
	or_flags(&G, 66560, G.pg_lru);		/* an anon THP [66560, 67072) */
	set_mapping(&G, 66560, PO + 0x7101);
	make_compound(&G, 66560, 9, false);
	for (uint64_t p = 65536; p < STRADDLE_HI; p += 512)
		if (!straddle_big(p))
			make_buddy(&G, p - 8, 4);	/* [p - 8, p + 8) free */
	/* A page at 16 GiB: too many pfns for the survey's bitmap to be kept. */
	if (far)
		vmgen_load(G.g, 1ULL << 34, 4096, PO + (1ULL << 34));
	path = gen_write(&G, far ? "straddle-far.vmcore" : "straddle.vmcore", NULL);
	assert_int_equal(vmcore_open(path, &vc, &err), 0);
	assert_int_equal(vmcore_max_pfn(vc), far ? (1ULL << 22) + 1 : STRADDLE_HI);
	for (unsigned level = 0; level <= 31; level += far ? 5 : 1)
		check_threads(vc, level);

	/* What the serial pass says, on 4 threads. */
	assert_int_equal(vmcore_filter_create_threads(vc, 31, 4, &f, &warning, &err), 0);
	bm = filter_all(f, STRADDLE_HI, 65536);
	for (uint64_t pfn = STRADDLE_LO; pfn < STRADDLE_HI; pfn++) {
		uint64_t p = KD_ALIGN_DOWN(pfn + 8, 512);
		bool excluded = (pfn >= 66000 && pfn < 67024) ||
				(p >= 65536 && p < STRADDLE_HI && !straddle_big(p) && pfn + 8 - p < 16);

		if (bit(bm, pfn) == excluded)
			fail_msg("pfn %" PRIu64 " is %s", pfn, excluded ? "kept" : "excluded");
	}
	vmcore_filter_destroy(f);
	free(bm);
	vmcore_close(vc);
}

static void test_threads_straddle(void **state)
{
	check_straddle(false);
	check_straddle(true);
}

static void test_fixture_61(void **state)
{
	check_fixture(fixtures[0]);
}

static void test_fixture_612(void **state)
{
	check_fixture(fixtures[1]);
}

/* Levels without a reference: a level keeps exactly what all of its single bits keep. */
static void check_combined_levels(struct vmcore *vc)
{
	static const unsigned bits[] = { 2, 4, 8, 16 };
	uint64_t n = vmcore_max_pfn(vc);
	uint8_t *single[5];

	single[4] = level_bitmap(vc, 0, 65536, NULL, NULL);
	for (size_t i = 0; i < 4; i++)
		single[i] = level_bitmap(vc, bits[i], 65536, NULL, NULL);
	for (unsigned level = 0; level <= 31; level++) {
		uint8_t *bm = level_bitmap(vc, level, 65536, NULL, NULL);

		for (uint64_t byte = 0; byte < (n + 7) / 8; byte++) {
			uint8_t want = single[4][byte];
			for (size_t i = 0; i < 4; i++)
				if (level & bits[i])
					want &= single[i][byte];
			if (bm[byte] != want)
				fail_msg("level %u: pfns 0x%" PRIx64 "..: 0x%02x, the single levels "
					 "give 0x%02x", level, byte * 8, bm[byte], want);
		}
		free(bm);
	}
	for (size_t i = 0; i < 5; i++)
		free(single[i]);
}

static void check_fixture_more(const char *fx)
{
	struct vmcore *vc = open_fixture(fx);
	uint64_t n = vmcore_max_pfn(vc);
	struct vmcore_filter *f;
	struct kd_err err = { 0 };
	const char *warning;
	double t0, t1, t2;
	uint8_t *bm = malloc((size_t)(n / 8 + 1));

	/* Time of the whole -d 31 filter: create (its checking pass) and one pass of windows. */
	assert_non_null(bm);
	t0 = kd_now();
	assert_int_equal(vmcore_filter_create(vc, 31, &f, &warning, &err), 0);
	t1 = kd_now();
	for (uint64_t s = 0; s < n; s += 65536)
		assert_int_equal(vmcore_filter_window(f, s, KD_MIN(s + 65536, n), bm + s / 8, &err), 0);
	t2 = kd_now();
	print_message("%s: -d 31 filter: create (checking pass) %.1f ms, windows pass %.1f ms, "
		      "%" PRIu64 " pfns, %" PRIu64 " kept (makedumpfile's whole -l -d 31 run: "
		      "%s)\n", fx, (t1 - t0) * 1e3, (t2 - t1) * 1e3, n,
		      vmcore_filter_totals(f)->kept, strstr(fx, "6.12") ? "0.11 s" : "0.18 s");
	assert_memory_equal(vmcore_filter_totals(f), vmcore_filter_stats(f),
			    sizeof(struct vmcore_filter_stats));
	vmcore_filter_destroy(f);
	free(bm);

	check_windows(vc, 31, 16384);
	check_windows(vc, 16, 40960);
	check_combined_levels(vc);
	vmcore_close(vc);
}

static void test_fixture_61_more(void **state)
{
	check_fixture_more(fixtures[0]);
}

static void test_fixture_612_more(void **state)
{
	check_fixture_more(fixtures[1]);
}

/*
 * makedumpfile 1.7.2 (bookworm) excludes 134 more pages of the 6.12 fixture at -d 8 and -d 31
 * than 1.7.8 (mdf-compare.txt). They are SLUB slabs whose slab->slabs, at page.mapping's
 * offset since 6.2, is odd: 1.7.2 takes mapping & 1 for an anonymous page; 1.7.8 (commits
 * 5f17bdd, bad2a7c, 72c3414) adds "and not a slab", a slab being page_type ==
 * PAGE_SLAB_MAPCOUNT_VALUE on 6.10+. The kernel's truth is 1.7.8's: these are kernel objects
 * (dentries, kernfs nodes, task_structs...), which crash needs. We keep them. Checked here
 * without the filter: from the struct pages themselves, exactly 134 slab heads have an odd
 * mapping word, mdf-compare.txt's pfns are among them, and all of them are kept.
 */
static void test_fixture_612_slab_pages(void **state)
{
	const char *fx = fixtures[1];
	struct vmcore *vc = open_fixture(fx);
	const struct vmcoreinfo *vi = vmcore_vmcoreinfo(vc);
	uint64_t n = vmcore_max_pfn(vc), vmemmap, odd = 0, listed = 0;
	int64_t slab_type;
	struct kd_err err = { 0 };
	uint8_t *d8 = level_bitmap(vc, 8, 65536, NULL, NULL);
	uint8_t *d31 = level_bitmap(vc, 31, 65536, NULL, NULL);
	uint8_t *is_odd_slab = calloc(1, (size_t)(n / 8 + 1));
	static uint8_t chunk[1024 * 64];
	char *cmp, *p;

	assert_int_equal(vmcoreinfo_symbol(vi, "vmemmap", &vmemmap), 0);
	assert_int_equal(vmcoreinfo_number(vi, "PAGE_SLAB_MAPCOUNT_VALUE", &slab_type), 0);
	for (uint64_t base = 0; base < n; base += 1024) {
		uint64_t cnt = KD_MIN(1024, n - base);

		if (vmcore_read_virt(vc, vmemmap + base * 64, chunk, (size_t)cnt * 64, &err) < 0)
			continue;
		for (uint64_t i = 0; i < cnt; i++) {
			const uint8_t *pg = chunk + i * 64;
			uint64_t pfn = base + i;

			if (!vmcore_pfn_is_ram(vc, pfn) || (kd_le64(pg + 8) & 1) ||
			    kd_le32(pg + 48) != (uint32_t)slab_type || !(kd_le64(pg + 24) & 1))
				continue;
			odd++;
			is_odd_slab[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
			assert_true(bit(d8, pfn));
			assert_true(bit(d31, pfn));
		}
	}
	print_message("%s: %" PRIu64 " slab pages with an odd page.mapping word, all kept at -d 8 "
		      "and -d 31 (makedumpfile 1.7.2 drops them as user data)\n", fx, odd);
	assert_int_equal(odd, 134);
	cmp = (char *)tu_read_file(tu_fixture_file(fx, "mdf-compare.txt"), NULL);
	p = strstr(cmp, "-d 8:");
	assert_non_null(p);
	p = strstr(p, "reference only:");
	assert_non_null(p);
	p += strlen("reference only:");
	while (*p == ' ' && p[1] == '0') {
		uint64_t pfn = strtoull(p + 1, &p, 16);
		assert_true(pfn < n);
		assert_true(is_odd_slab[pfn / 8] & (1u << (pfn % 8)));
		listed++;
	}
	assert_true(listed >= 40);
	free(cmp);
	free(d8);
	free(d31);
	free(is_odd_slab);
	vmcore_close(vc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_styles),
		cmocka_unit_test(test_generated_vmemmap),
		cmocka_unit_test(test_free_lists),
		cmocka_unit_test(test_free_lists_hostile),
		cmocka_unit_test(test_hostile_mem_section),
		cmocka_unit_test(test_hostile_pages),
		cmocka_unit_test(test_far_load),
		cmocka_unit_test(test_windows_generated),
		cmocka_unit_test(test_threads_straddle),
		cmocka_unit_test(test_threads_fixtures),
		cmocka_unit_test(test_fixture_61),
		cmocka_unit_test(test_fixture_612),
		cmocka_unit_test(test_fixture_61_more),
		cmocka_unit_test(test_fixture_612_more),
		cmocka_unit_test(test_fixture_612_slab_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
