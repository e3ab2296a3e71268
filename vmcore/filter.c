// SPDX-License-Identifier: GPL-2.0-or-later
/* Page filter: which pfns a dump level keeps, from struct page, by makedumpfile 1.7.8's rules. */
#include "vmcore/mem_map.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#define KVADDR_MIN 0xffff800000000000ULL
/* struct pages read after a range (64: one 4 KiB page of them). */
#define MM_AFTER_RANGE 64u
/* The largest page x86_64 has (a 1 GiB hugetlb page): no compound page is longer. */
#define MAX_PAGE_BYTES_SHIFT 30
/* Free areas: kernels have 11 (MAX_ORDER 10); more than 19 is not believed. */
#define DEFAULT_FREE_ORDERS 11u
#define MAX_FREE_ORDERS 19u
#define SURVEY_CHUNK 65536u
/*
 * Dumps of up to this many pfns (8 GiB of 4 KiB pages; a 256 KiB bitmap) keep the bitmap and
 * the counts the survey made, per SURVEY_CHUNK, and hand them out to windows that cover whole
 * chunks instead of deciding (reading the mem_map) again.
 */
#define SURVEY_KEEP_MAX (1u << 21)
#define FREE_RUNS_MAX (1u << 18)
#define MAX_NODES 8192u
#define MAX_ZONES 8u
#define MAX_MIGRATE_TYPES 16u

enum cls { CL_NONE, CL_CACHE, CL_CACHE_PRIVATE, CL_USER, CL_FREE, CL_HWPOISON, CL_OFFLINE };

/* Where the order of a compound page is (makedumpfile picks by the keys the kernel exports). */
enum order_mode {
	ORDER_NONE,	/* not known: heads go alone, their tails stay */
	ORDER_FLAGS1,	/* 6.6+: low byte of page[1].flags (folio._flags_1) */
	ORDER_FIELD,	/* up to 6.5: page.compound_order / folio._folio_order, on page[1] */
};

enum hugetlb_mode {
	HUGETLB_NONE,
	HUGETLB_TYPE,	/* 6.9+: head's page_type == PAGE_HUGETLB_MAPCOUNT_VALUE */
	HUGETLB_PG,	/* 6.6-6.8: PG_hugetlb in page[1].flags */
	HUGETLB_DTOR,	/* up to 6.5: compound_dtor == HUGETLB_PAGE_DTOR (or free_huge_page) */
};

struct keys {
	uint64_t off_flags, off_mapping, off_mapcount, off_private, off_head;
	bool has_mapcount, has_private, has_head;
	uint64_t head_mask;
	int pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_hwpoison, pg_slab, pg_hugetlb;
	bool has_buddy, has_offline, has_slab_type, has_hugetlb_type, has_unaccepted;
	uint32_t buddy, offline, slab_type, hugetlb_type, unaccepted;
	enum order_mode order_mode;
	enum hugetlb_mode hugetlb_mode;
	uint64_t order_off, dtor_off;
	unsigned order_width, dtor_width;
	bool has_hugetlb_dtor, has_free_huge_page;
	uint64_t hugetlb_dtor, free_huge_page;
	unsigned nr_free_orders;
	bool buddy_mode;	/* free pages by page type (else by the free lists) */
};

/* What the checking pass saw that no kernel produces (or that makedumpfile warns about). */
struct anomalies {
	uint64_t examined;	/* struct pages classified */
	uint64_t unreadable;	/* RAM pfns whose struct page is not in the dump (kept) */
	uint64_t bad_flags;	/* flag combinations no kernel sets together */
	uint64_t bad_order;	/* compound orders past 2^18 pages or misaligned (taken as 0) */
	uint64_t buddy_order;	/* free pages with an order past the free areas (kept) */
	uint64_t buddy_align;	/* free blocks not aligned to their order */
	uint64_t free_outside;	/* pfns of free blocks that are not RAM */
	uint64_t bad_flags_pfn, buddy_order_pfn, bad_order_pfn;
};

struct pfn_range {
	uint64_t start, end;
};

struct vmcore_filter;

/*
 * One reader of the mem_map deciding pfns in order: the filter's own (windows), or one per
 * survey thread. Everything else in the filter is read-only while walkers run.
 */
struct walker {
	const struct vmcore_filter *f;
	struct vmcore_mem_map *mm;
	/* The furthest range end of the heads decided so far, and its class. */
	uint64_t cover_end;
	enum cls cover_cls;
	bool surveying;		/* count anomalies */
	bool skipped;		/* the pfn before was in a range: its struct page was not read */
	struct anomalies an;
};

struct vmcore_filter {
	struct vmcore *vc;
	unsigned requested, level;
	bool walk;		/* struct pages are read */
	bool have_mm;
	struct vmcore_mem_map mm;
	struct keys k;
	uint64_t max_pfn;
	unsigned compound_order_max, range_order_max;
	struct pfn_range *ram, *segs;	/* bitmap1; pfns whose page start is in file data */
	size_t nr_ram, nr_segs;
	/* The next pfn after the last window decided, and the windows' walker. */
	uint64_t cursor;
	struct walker w;
	/* Free lists (kernels that do not export the buddy page type): merged pfn runs. */
	bool freelist;
	struct pfn_range *free_runs;
	size_t nr_free_runs;
	unsigned threads;	/* for the survey */
	struct anomalies an;	/* the last checking survey's */
	struct vmcore_filter_stats stats, totals;
	/*
	 * The last survey's bitmap and its counts per chunk (chunks without memory: zero), when
	 * max_pfn <= SURVEY_KEEP_MAX; else NULL.
	 */
	uint8_t *kept_bm;
	struct vmcore_filter_stats *kept_st;
	char notes[1024];
	char warning[1200];
};

static void note(struct vmcore_filter *f, const char *fmt, ...) KD_PRINTF(2, 3);
static void note(struct vmcore_filter *f, const char *fmt, ...)
{
	size_t len = strlen(f->notes);
	va_list ap;

	if (len && len + 2 < sizeof(f->notes)) {
		memcpy(f->notes + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(f->notes + len, sizeof(f->notes) - len, fmt, ap);
	va_end(ap);
}

static void drop(struct vmcore_filter *f, unsigned bits, const char *fmt, ...) KD_PRINTF(3, 4);
static void drop(struct vmcore_filter *f, unsigned bits, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!(f->level & bits))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f->level &= ~bits;
	note(f, "%s", msg);
}

/* makedumpfile's test_bit: int mask of bit (nr & 31), sign-extended when that is bit 31. */
static inline bool mdf_test_bit(int nr, uint64_t flags)
{
	unsigned b = (unsigned)nr & 31;

	if (b == 31)
		return (flags & 0xffffffff80000000ULL) != 0;
	return (flags >> b) & 1;
}

/* ------------------------------------------------------------------------------------------ */
/* VMCOREINFO: what each rule needs.                                                          */

static bool get_off(const struct vmcoreinfo *vi, const char *name, uint64_t width,
		    uint64_t struct_size, uint64_t *ret)
{
	uint64_t v;

	if (vmcoreinfo_offset(vi, name, &v) < 0 || v > struct_size || struct_size - v < width)
		return false;
	*ret = v;
	return true;
}

static int get_pg(const struct vmcoreinfo *vi, const char *name)
{
	int64_t v;

	if (vmcoreinfo_number(vi, name, &v) < 0 || v < 0 || v > 63)
		return -1;
	return (int)v;
}

static bool get_u32(const struct vmcoreinfo *vi, const char *name, uint32_t *ret)
{
	int64_t v;

	if (vmcoreinfo_number(vi, name, &v) < 0)
		return false;
	*ret = (uint32_t)v;	/* makedumpfile compares _mapcount with (int)NUMBER(x) */
	return true;
}

static unsigned kernel_version(const struct vmcoreinfo *vi)
{
	const char *rel = vmcoreinfo_osrelease(vi);
	unsigned a = 0, b = 0, c = 0;

	if (!rel || sscanf(rel, "%u.%u.%u", &a, &b, &c) < 2)
		return ~0u;	/* unknown: take the newest rules */
	return (KD_MIN(a, 255u) << 16) | (KD_MIN(b, 255u) << 8) | KD_MIN(c, 255u);
}
#define KVER(a, b, c) (((a) << 16) | ((b) << 8) | (c))

/* Reads the keys; drops the level bits whose keys are missing. false: no struct page walk. */
static bool setup_keys(struct vmcore_filter *f)
{
	const struct vmcoreinfo *vi = vmcore_vmcoreinfo(f->vc);
	struct keys *k = &f->k;
	uint64_t sz, v;
	unsigned kver;
	int64_t n;

	memset(k, 0, sizeof(*k));
	k->pg_lru = k->pg_private = k->pg_swapcache = k->pg_swapbacked = -1;
	k->pg_hwpoison = k->pg_slab = k->pg_hugetlb = -1;
	if (!vi) {
		drop(f, 30, "the dump has no VMCOREINFO: no page can be classified");
		return false;
	}
	if (vmcoreinfo_size(vi, "page", &sz) < 0 || sz < 16 || sz > 512) {
		drop(f, 30, "VMCOREINFO lacks a plausible SIZE(page)");
		return false;
	}
	if (!get_off(vi, "page.flags", 8, sz, &k->off_flags) ||
	    !get_off(vi, "page.mapping", 8, sz, &k->off_mapping)) {
		drop(f, 30, "VMCOREINFO lacks OFFSET(page.flags) or OFFSET(page.mapping)");
		return false;
	}
	k->has_mapcount = get_off(vi, "page._mapcount", 4, sz, &k->off_mapcount);
	k->has_private = get_off(vi, "page.private", 8, sz, &k->off_private);
	k->has_head = get_off(vi, "page.compound_head", 8, sz, &k->off_head);
	if (vmcoreinfo_number(vi, "PG_head_mask", &n) == 0)
		k->head_mask = (uint64_t)n;
	k->pg_lru = get_pg(vi, "PG_lru");
	k->pg_private = get_pg(vi, "PG_private");
	k->pg_swapcache = get_pg(vi, "PG_swapcache");
	k->pg_swapbacked = get_pg(vi, "PG_swapbacked");
	k->pg_hwpoison = get_pg(vi, "PG_hwpoison");
	k->pg_slab = get_pg(vi, "PG_slab");
	k->pg_hugetlb = get_pg(vi, "PG_hugetlb");
	k->has_buddy = get_u32(vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &k->buddy) && k->has_mapcount;
	k->has_offline = get_u32(vi, "PAGE_OFFLINE_MAPCOUNT_VALUE", &k->offline) &&
			 k->has_mapcount;
	k->has_slab_type = get_u32(vi, "PAGE_SLAB_MAPCOUNT_VALUE", &k->slab_type) &&
			   k->has_mapcount;
	k->has_hugetlb_type = get_u32(vi, "PAGE_HUGETLB_MAPCOUNT_VALUE", &k->hugetlb_type);
	k->has_unaccepted = get_u32(vi, "PAGE_UNACCEPTED_MAPCOUNT_VALUE", &k->unaccepted) &&
			    k->has_mapcount;
	k->nr_free_orders = DEFAULT_FREE_ORDERS;
	if (vmcoreinfo_length(vi, "zone.free_area", &v) == 0)
		k->nr_free_orders = v > MAX_FREE_ORDERS ? 0 : (unsigned)v;

	/* Compound order and hugetlb, in makedumpfile's order of preference. */
	kver = kernel_version(vi);
	if (k->has_hugetlb_type && k->has_mapcount) {
		k->order_mode = ORDER_FLAGS1;
		k->hugetlb_mode = HUGETLB_TYPE;
	} else if (k->pg_hugetlb >= 0) {
		k->order_mode = ORDER_FLAGS1;
		k->hugetlb_mode = HUGETLB_PG;
	} else {
		uint64_t o;
		unsigned ow = kver >= KVER(4, 16, 0) ? 1 : 2;
		unsigned dw = kver >= KVER(4, 16, 0) ? 1 : kver >= KVER(4, 4, 0) ? 2 : 8;

		if (vmcoreinfo_offset(vi, "folio._folio_order", &o) == 0 && o >= sz)
			k->order_off = o - sz;
		else if (vmcoreinfo_offset(vi, "page.compound_order", &o) == 0)
			k->order_off = o;
		if (vmcoreinfo_offset(vi, "folio._folio_dtor", &o) == 0 && o >= sz)
			k->dtor_off = o - sz;
		else if (vmcoreinfo_offset(vi, "page.compound_dtor", &o) == 0)
			k->dtor_off = o;
		/* makedumpfile reads a field only if its offset is not 0. */
		if (k->order_off && k->order_off + ow <= sz) {
			k->order_mode = ORDER_FIELD;
			k->order_width = ow;
		}
		k->has_hugetlb_dtor = vmcoreinfo_number(vi, "HUGETLB_PAGE_DTOR", &n) == 0;
		k->hugetlb_dtor = (uint64_t)n;
		k->has_free_huge_page = vmcoreinfo_symbol(vi, "free_huge_page",
							  &k->free_huge_page) == 0;
		if (k->dtor_off && k->dtor_off + dw <= sz &&
		    (k->has_hugetlb_dtor || k->has_free_huge_page)) {
			k->hugetlb_mode = HUGETLB_DTOR;
			k->dtor_width = dw;
		}
	}
	if (!k->head_mask)
		k->order_mode = ORDER_NONE, k->hugetlb_mode = HUGETLB_NONE;

	if (k->pg_lru < 0 || k->pg_private < 0 || k->pg_swapcache < 0)
		drop(f, VMCORE_EXCL_CACHE | VMCORE_EXCL_CACHE_PRIVATE,
		     "page cache cannot be told: VMCOREINFO lacks NUMBER(PG_lru), NUMBER(PG_private) "
		     "or NUMBER(PG_swapcache)");
	if (k->pg_slab < 0 && !k->has_slab_type)
		drop(f, VMCORE_EXCL_USER, "user pages cannot be told from slab pages: VMCOREINFO "
		     "lacks NUMBER(PG_slab) and NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)");
	if (!k->nr_free_orders)
		drop(f, VMCORE_EXCL_FREE, "VMCOREINFO has an implausible LENGTH(zone.free_area)");
	k->buddy_mode = k->has_buddy && k->has_private;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Memory of the dump: bitmap1 (RAM) and the pfns makedumpfile examines.                      */

static int cmp_range(const void *a, const void *b)
{
	const struct pfn_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorts and merges ranges in place (empty ones dropped); returns the new count. */
static size_t merge_ranges(struct pfn_range *r, size_t n)
{
	size_t out = 0;

	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 0; i < n; i++) {
		if (r[i].start >= r[i].end)
			continue;
		if (out && r[i].start <= r[out - 1].end)
			r[out - 1].end = KD_MAX(r[out - 1].end, r[i].end);
		else
			r[out++] = r[i];
	}
	return out;
}

static int setup_memory(struct vmcore_filter *f, struct kd_err *err)
{
	size_t nl;
	const struct vmcore_load *l = vmcore_loads(f->vc, &nl);
	uint64_t ps = vmcore_page_size(f->vc);

	f->ram = kd_calloc(nl ? nl : 1, sizeof(*f->ram));
	f->segs = kd_calloc(nl ? nl : 1, sizeof(*f->segs));
	if (!f->ram || !f->segs)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (!nl) {
		/* Not an ELF vmcore: every pfn the dump describes. */
		f->ram[0] = f->segs[0] = (struct pfn_range){ 0, f->max_pfn };
		f->nr_ram = f->nr_segs = 1;
		return 0;
	}
	for (size_t i = 0; i < nl; i++) {
		/* bitmap1 (vmcore_pfn_is_ram): the pages wholly inside a PT_LOAD. */
		f->ram[i].start = KD_DIV_ROUND_UP(l[i].paddr, ps);
		f->ram[i].end = (l[i].paddr + l[i].memsz) / ps;
		/* makedumpfile's is_in_segs: the page starts inside a PT_LOAD's file data. */
		f->segs[i].start = KD_DIV_ROUND_UP(l[i].paddr, ps);
		f->segs[i].end = KD_DIV_ROUND_UP(l[i].paddr + l[i].filesz, ps);
	}
	f->nr_ram = merge_ranges(f->ram, nl);
	f->nr_segs = merge_ranges(f->segs, nl);
	return 0;
}

/* Index of the first range ending after pfn. */
static size_t first_range(const struct pfn_range *r, size_t n, uint64_t pfn)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].end <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ------------------------------------------------------------------------------------------ */
/* One struct page (__exclude_unnecessary_pages).                                             */

static inline bool is_slab(const struct keys *k, uint64_t flags, uint32_t mapcount)
{
	if (k->has_slab_type && mapcount == k->slab_type)
		return true;
	/*
	 * makedumpfile shifts by NUMBER(PG_slab) even when it is missing (6.10+), i.e. by -1:
	 * undefined; it tests bit 63 on x86_64. The kernel has no PG_slab then: not tested here.
	 */
	return k->pg_slab >= 0 && ((flags >> k->pg_slab) & 1);
}

static inline bool is_cache(const struct keys *k, uint64_t flags)
{
	if (mdf_test_bit(k->pg_lru, flags))
		return true;
	return (k->pg_swapbacked < 0 || mdf_test_bit(k->pg_swapbacked, flags)) &&
	       mdf_test_bit(k->pg_swapcache, flags);
}

static inline uint64_t read_width(const uint8_t *p, unsigned width)
{
	switch (width) {
	case 1:
		return p[0];
	case 2:
		return kd_le16(p);
	default:
		return kd_le64(p);
	}
}

/*
 * Classifies the struct page p of pfn (p1: the next struct page, NULL if makedumpfile would
 * not look at it). Returns the class and, in *ret_order, the order of the range it excludes.
 */
static enum cls classify(struct walker *w, uint64_t pfn, const uint8_t *p, const uint8_t *p1,
			 unsigned *ret_order)
{
	const struct vmcore_filter *f = w->f;
	const struct keys *k = &f->k;
	unsigned lvl = f->level, order = 0;
	uint64_t flags = kd_le64(p + k->off_flags), mapping = kd_le64(p + k->off_mapping);
	uint32_t mapcount = k->has_mapcount ? kd_le32(p + k->off_mapcount) : 0;
	uint64_t private = k->has_private ? kd_le64(p + k->off_private) : 0;
	uint64_t head = k->has_head ? kd_le64(p + k->off_head) : 0;
	bool hugetlb = false, slab, cache, anon, priv, buddy;

	*ret_order = 0;
	if (p1 && (flags & k->head_mask)) {
		uint64_t o = 0, f1 = kd_le64(p1 + k->off_flags);

		if (k->order_mode == ORDER_FLAGS1)
			o = f1 & 0xff;
		else if (k->order_mode == ORDER_FIELD)
			o = read_width(p1 + k->order_off, k->order_width);
		switch (k->hugetlb_mode) {
		case HUGETLB_TYPE:
			hugetlb = mapcount == k->hugetlb_type;
			break;
		case HUGETLB_PG:
			hugetlb = (f1 >> k->pg_hugetlb) & 1;
			break;
		case HUGETLB_DTOR: {
			uint64_t d = read_width(p1 + k->dtor_off, k->dtor_width);
			hugetlb = (k->has_hugetlb_dtor && d == k->hugetlb_dtor) ||
				  (k->has_free_huge_page && d == k->free_huge_page);
			break;
		}
		case HUGETLB_NONE:
			break;
		}
		/* makedumpfile: an order of 64+ or a misaligned head means order 0. */
		if (o >= 64 || (pfn & ((1ULL << o) - 1)) || o > f->compound_order_max) {
			if (w->surveying && !w->an.bad_order++)
				w->an.bad_order_pfn = pfn;
			o = 0;
		}
		order = (unsigned)o;
	}
	if (head & 1)
		return CL_NONE;	/* a tail: goes with its head's range, if any */

	slab = is_slab(k, flags, mapcount);
	buddy = k->has_buddy && !slab && mapcount == k->buddy;
	if (w->surveying) {
		bool lru = k->pg_lru >= 0 && mdf_test_bit(k->pg_lru, flags);
		w->an.examined++;
		/* Slab pages are never on an LRU; free pages are on no LRU and never compound. */
		if ((slab && lru) || (buddy && (lru || (flags & k->head_mask)))) {
			if (!w->an.bad_flags++)
				w->an.bad_flags_pfn = pfn;
		}
	}
	if ((lvl & VMCORE_EXCL_FREE) && k->buddy_mode && buddy) {
		if (private >= k->nr_free_orders) {
			/* makedumpfile warns ("Invalid free page order") and keeps the page. */
			if (w->surveying && !w->an.buddy_order++)
				w->an.buddy_order_pfn = pfn;
			return CL_NONE;
		}
		if (w->surveying && (pfn & ((1ULL << private) - 1)))
			w->an.buddy_align++;
		*ret_order = (unsigned)private;
		return CL_FREE;
	}
	if ((lvl & VMCORE_EXCL_FREE) && k->has_unaccepted && mapcount == k->unaccepted) {
		*ret_order = k->nr_free_orders - 1;
		return CL_FREE;
	}
	*ret_order = order;
	if (lvl & (VMCORE_EXCL_CACHE | VMCORE_EXCL_CACHE_PRIVATE | VMCORE_EXCL_USER)) {
		cache = is_cache(k, flags);
		priv = mdf_test_bit(k->pg_private, flags);
		anon = (mapping & 1) && !slab;
		if ((lvl & VMCORE_EXCL_CACHE) && cache && !priv && !anon)
			return CL_CACHE;
		if ((lvl & VMCORE_EXCL_CACHE_PRIVATE) && cache && !anon)
			return priv ? CL_CACHE_PRIVATE : CL_CACHE;
		if ((lvl & VMCORE_EXCL_USER) && (anon || hugetlb))
			return CL_USER;
	}
	if (k->pg_hwpoison >= 0 && mdf_test_bit(k->pg_hwpoison, flags))
		return CL_HWPOISON;
	if (k->has_offline && !slab && mapcount == k->offline)
		return CL_OFFLINE;
	*ret_order = 0;
	return CL_NONE;
}

/* Classifies pfn (in segs, whose run ends at seg_end). false if it has no struct page to read. */
static bool classify_pfn(struct walker *w, uint64_t pfn, uint64_t seg_end, enum cls *ret,
			 unsigned *ret_order)
{
	struct vmcore_mem_map *mm = w->mm;
	uint64_t sec = vmcore_mm_section_of(mm, pfn);
	const uint8_t *p, *p1 = NULL;

	if (sec >= mm->nr_sections || mm->state[sec] == VMCORE_MM_ABSENT)
		return false;
	if (mm->state[sec] == VMCORE_MM_BAD)
		goto unreadable;
	if (pfn < mm->lo || pfn >= mm->hi) {
		uint64_t hi = KD_ALIGN_DOWN(pfn, VMCORE_MM_BATCH) + VMCORE_MM_BATCH;

		hi = KD_MIN(hi, (sec + 1) << mm->section_shift);
		hi = KD_MIN(hi, seg_end + 1);
		/*
		 * Right after a range, pfn is most likely the head of the next one (free memory
		 * comes in blocks): read one page of struct pages, not the rest of the batch.
		 */
		if (w->skipped)
			hi = KD_MIN(hi, pfn + MM_AFTER_RANGE);
		vmcore_mem_map_load(mm, pfn, hi);
	}
	p = vmcore_mm_page(mm, pfn);
	if (!p)
		goto unreadable;
	/* makedumpfile never looks past its 512-page buffer for page[1]. */
	if (pfn % VMCORE_MM_BATCH != VMCORE_MM_BATCH - 1)
		p1 = vmcore_mm_page(mm, pfn + 1);
	*ret = classify(w, pfn, p, p1, ret_order);
	return true;
unreadable:
	if (w->surveying)
		w->an.unreadable++;
	return false;
}

/* The count of class c in st. */
static uint64_t *counter(struct vmcore_filter_stats *st, enum cls c)
{
	switch (c) {
	case CL_CACHE:
		return &st->cache;
	case CL_CACHE_PRIVATE:
		return &st->cache_private;
	case CL_USER:
		return &st->user;
	case CL_FREE:
		return &st->free;
	case CL_HWPOISON:
		return &st->hwpoison;
	case CL_OFFLINE:
		return &st->offline;
	case CL_NONE:
		break;
	}
	return &st->kept;
}

static void count(struct vmcore_filter_stats *st, enum cls c)
{
	(*counter(st, c))++;
}

/* Clears the bits of free-list runs in [start, end) (makedumpfile does this after the walk). */
static void apply_free_runs(struct walker *w, uint64_t start, uint64_t end, uint8_t *bm,
			    struct vmcore_filter_stats *st)
{
	const struct vmcore_filter *f = w->f;
	size_t i = first_range(f->free_runs, f->nr_free_runs, start);
	size_t ri = first_range(f->ram, f->nr_ram, start);

	for (; i < f->nr_free_runs && f->free_runs[i].start < end; i++) {
		uint64_t s = KD_MAX(f->free_runs[i].start, start);
		uint64_t e = KD_MIN(f->free_runs[i].end, end);

		for (uint64_t pfn = s; pfn < e; pfn++) {
			uint64_t b = pfn - start;
			while (ri < f->nr_ram && f->ram[ri].end <= pfn)
				ri++;
			if (ri < f->nr_ram && f->ram[ri].start <= pfn) {
				if (bm[b >> 3] & (1u << (b & 7))) {
					bm[b >> 3] &= (uint8_t)~(1u << (b & 7));
					st->kept--;
					st->free++;
				}
			} else if (w->surveying) {
				w->an.free_outside++;
			}
		}
	}
}

/*
 * Decides [start, end) going on from the state left at start (w->cover_end). bm (may be NULL:
 * only the state is wanted) gets the bits, st the counts.
 *
 * A pfn is excluded if the range of a head before it covers it (compound pages, buddy
 * blocks) or if its own struct page excludes it. As makedumpfile, the pfns a range covers are
 * decided by its head and their struct pages are not read (on a mostly free machine most are
 * not: 4 GiB -d 31 takes 20% less CPU). Heads are aligned to their order, so on a kernel's
 * data a range never reaches past the 2^range_order_max pfns before a window that is a
 * multiple of that: any window order gives the same answer. Only a corrupt misaligned head
 * inside a range could make windows disagree at their edges; the survey's segments do not
 * (fix_segment follows both ways until they agree).
 */
static void run(struct walker *w, uint64_t start, uint64_t end, uint8_t *bm,
		struct vmcore_filter_stats *st)
{
	const struct vmcore_filter *f = w->f;
	size_t ri = first_range(f->ram, f->nr_ram, start);
	size_t si = first_range(f->segs, f->nr_segs, start);
	uint64_t pfn = start;

	if (bm)
		memset(bm, 0, (size_t)((end - start + 7) / 8));
	while (pfn < end) {
		bool in_ram, in_segs;
		enum cls c;

		while (ri < f->nr_ram && f->ram[ri].end <= pfn)
			ri++;
		while (si < f->nr_segs && f->segs[si].end <= pfn)
			si++;
		in_ram = ri < f->nr_ram && f->ram[ri].start <= pfn;
		in_segs = si < f->nr_segs && f->segs[si].start <= pfn;
		if (!in_ram && !in_segs && pfn >= w->cover_end) {
			uint64_t next = end;
			if (ri < f->nr_ram)
				next = KD_MIN(next, f->ram[ri].start);
			if (si < f->nr_segs)
				next = KD_MIN(next, f->segs[si].start);
			pfn = next;
			continue;
		}
		if (pfn < w->cover_end && w->cover_cls != CL_NONE) {
			/* Up to the range's end or a RAM boundary: one class, nothing read. */
			uint64_t n = KD_MIN(w->cover_end, end);

			if (ri < f->nr_ram)
				n = KD_MIN(n, in_ram ? f->ram[ri].end : f->ram[ri].start);
			n -= pfn;
			c = w->cover_cls;
			if (in_ram && st) {
				st->ram += n;
				*counter(st, c) += n;
			} else if (!in_ram && c == CL_FREE && w->surveying) {
				w->an.free_outside += n;
			}
			pfn += n;
			w->skipped = true;
			continue;
		}
		c = CL_NONE;
		if (in_segs && f->walk) {
			enum cls own;
			unsigned order;

			bool ok = classify_pfn(w, pfn, f->segs[si].end, &own, &order);

			w->skipped = false;
			if (ok) {
				c = own;
				if (own != CL_NONE && order) {
					w->cover_end = pfn + (1ULL << order);
					w->cover_cls = own;
				}
			}
		}
		if (in_ram) {
			if (st) {
				st->ram++;
				count(st, c);
			}
			if (c == CL_NONE && bm)
				bm[(pfn - start) >> 3] |= (uint8_t)(1u << ((pfn - start) & 7));
		} else if (c == CL_FREE && w->surveying) {
			w->an.free_outside++;
		}
		pfn++;
	}
	if (f->freelist && bm && st)
		apply_free_runs(w, start, end, bm, st);
}

/* Sets the state at pfn start: the ranges of the heads in the 2^range_order_max pfns before. */
static void seek(struct vmcore_filter *f, uint64_t start)
{
	uint64_t back = 1ULL << f->range_order_max;

	f->w.cover_end = 0;
	f->w.cover_cls = CL_NONE;
	if (f->walk && start)
		run(&f->w, start > back ? start - back : 0, start, NULL, NULL);
	f->cursor = start;
}

static void add_stats(struct vmcore_filter_stats *to, const struct vmcore_filter_stats *from)
{
	to->ram += from->ram;
	to->cache += from->cache;
	to->cache_private += from->cache_private;
	to->user += from->user;
	to->free += from->free;
	to->hwpoison += from->hwpoison;
	to->offline += from->offline;
	to->kept += from->kept;
}

/*
 * The survey: a whole pass at the current level into f->totals (and f->kept_bm, f->kept_st),
 * split into segments decided on threads of their own.
 *
 * A segment starts with no range covering its first pfn, which is what the serial pass has
 * there unless a head before it starts a range reaching past it (a compound page or free block
 * straddling the boundary; heads are aligned to their order, so only misaligned free blocks or
 * 1 GiB pages can). fix_segment then decides the pfns such a range covers again, in order,
 * once every segment is done: the result is the serial pass's, whatever the thread count.
 */
#define SURVEY_MAX_THREADS 64u
#define SURVEY_SEGMENTS_PER_THREAD 4u
#define SURVEY_MAX_SEGMENTS (SURVEY_MAX_THREADS * SURVEY_SEGMENTS_PER_THREAD)
#define SURVEY_THREAD_MIN 4096u
/* Segments start at multiples of this (whole struct page batches, whole bitmap bytes). */
#define SURVEY_ALIGN VMCORE_MM_BATCH

struct segment {
	struct vmcore_filter *f;
	struct walker w;
	uint64_t start, end;		/* the last ends at max_pfn */
	struct vmcore_filter_stats totals;
	/* Counts of the part of start's chunk in the segment, if start is inside a chunk. */
	struct vmcore_filter_stats first;
	uint8_t *bm;			/* one chunk's bits, when the survey is not kept */
};

/* A thread of the survey: takes the next segment not taken until there is none. */
struct survey_thread {
	struct segment *g;
	unsigned nr, *next;
	struct vmcore_mem_map *mm;	/* f->mm for the calling thread, else clone */
	struct vmcore_mem_map clone;
	bool have_clone;
	uint8_t *bm;
	pthread_t tid;
	bool started;
};

static void survey_segment(struct segment *g)
{
	struct vmcore_filter *f = g->f;
	struct walker *w = &g->w;

	for (uint64_t s = g->start, e; s < g->end; s = e) {
		/* Skip chunks with no memory (a dump may have a PT_LOAD far up). */
		size_t ri = first_range(f->ram, f->nr_ram, s), si = first_range(f->segs, f->nr_segs, s);
		uint64_t next = f->max_pfn;

		e = KD_MIN(KD_ALIGN_DOWN(s, SURVEY_CHUNK) + SURVEY_CHUNK, g->end);
		if (ri < f->nr_ram)
			next = KD_MIN(next, f->ram[ri].start);
		if (si < f->nr_segs)
			next = KD_MIN(next, f->segs[si].start);
		if (next >= e && w->cover_end <= s) {
			e = KD_MAX(e, KD_MIN(KD_ALIGN_DOWN(next, SURVEY_CHUNK), g->end));
			continue;
		}
		if (f->kept_bm) {
			/* A chunk shared with the segment before: counted apart, merged after. */
			struct vmcore_filter_stats *st = s % SURVEY_CHUNK ? &g->first :
							 &f->kept_st[s / SURVEY_CHUNK];

			run(w, s, e, f->kept_bm + s / 8, st);
			add_stats(&g->totals, st);
		} else {
			run(w, s, e, g->bm, &g->totals);
		}
	}
}

static void *survey_thread(void *arg)
{
	struct survey_thread *t = arg;
	unsigned i;

	while ((i = __atomic_fetch_add(t->next, 1, __ATOMIC_RELAXED)) < t->nr) {
		t->g[i].w.mm = t->mm;
		t->g[i].bm = t->bm;
		survey_segment(&t->g[i]);
	}
	return NULL;
}

/*
 * Segment g was decided with nothing covering g->start, but the range (in_end, in_cls) of an
 * earlier head does: decides its pfns again both ways (as the segment did, and as the serial
 * pass does) until the two walks are in the same state, and moves the pfns whose class
 * differs. Returns the state the serial pass has at g->end in *out_end, *out_cls.
 */
static void fix_segment(struct vmcore_filter *f, struct segment *g, uint64_t in_end,
			enum cls in_cls, bool check, uint64_t *out_end, enum cls *out_cls)
{
	/* w: the segment's walk (from no range); te, tc: the serial pass's range. */
	struct walker w = { .f = f, .mm = &f->mm, .cover_cls = CL_NONE };
	uint64_t pfn, te = in_end;
	size_t ri = first_range(f->ram, f->nr_ram, g->start);
	size_t si = first_range(f->segs, f->nr_segs, g->start);
	size_t fi = first_range(f->free_runs, f->nr_free_runs, g->start);
	enum cls tc = in_cls;

	for (pfn = g->start; pfn < g->end; pfn++) {
		bool fin = pfn < w.cover_end, tin = pfn < te, in_ram, in_segs;
		enum cls cf = fin ? w.cover_cls : CL_NONE, ct = tin ? tc : CL_NONE, own;
		unsigned order;

		/* Neither in a range, or in the same one: from here on they decide alike. */
		if ((!fin && !tin) || (fin && tin && w.cover_end == te && w.cover_cls == tc))
			break;
		while (ri < f->nr_ram && f->ram[ri].end <= pfn)
			ri++;
		while (si < f->nr_segs && f->segs[si].end <= pfn)
			si++;
		in_ram = ri < f->nr_ram && f->ram[ri].start <= pfn;
		in_segs = si < f->nr_segs && f->segs[si].start <= pfn;
		/* A walk in a range reads nothing there (run); one outside reads the page. */
		if (in_segs && f->walk && (!fin || !tin) &&
		    classify_pfn(&w, pfn, f->segs[si].end, &own, &order)) {
			if (!fin) {
				cf = own;
				if (own != CL_NONE && order) {
					w.cover_end = pfn + (1ULL << order);
					w.cover_cls = own;
				}
			}
			if (!tin) {
				ct = own;
				if (own != CL_NONE && order) {
					te = pfn + (1ULL << order);
					tc = own;
				}
			}
		}
		if (in_ram) {
			while (fi < f->nr_free_runs && f->free_runs[fi].end <= pfn)
				fi++;
			/* apply_free_runs: kept pfns of free-list blocks are free. */
			if (f->freelist && fi < f->nr_free_runs && f->free_runs[fi].start <= pfn) {
				if (cf == CL_NONE)
					cf = CL_FREE;
				if (ct == CL_NONE)
					ct = CL_FREE;
			}
			if (cf == ct)
				continue;
			(*counter(&f->totals, cf))--;
			count(&f->totals, ct);
			if (f->kept_bm) {
				uint8_t *b = &f->kept_bm[pfn >> 3], bit = (uint8_t)(1u << (pfn & 7));

				(*counter(&f->kept_st[pfn / SURVEY_CHUNK], cf))--;
				count(&f->kept_st[pfn / SURVEY_CHUNK], ct);
				*b = ct == CL_NONE ? (uint8_t)(*b | bit) : (uint8_t)(*b & ~bit);
			}
		} else if (check) {
			f->an.free_outside += (ct == CL_FREE) - (uint64_t)(cf == CL_FREE);
		}
	}
	if (pfn == g->end) {
		*out_end = te;
		*out_cls = tc;
	} else {
		/* The walks agree on every pfn from here: the segment's own state holds. */
		*out_end = g->w.cover_end;
		*out_cls = g->w.cover_cls;
	}
}

static void add_anomalies(struct anomalies *to, const struct anomalies *from)
{
	/* The first pfns: the earliest segment's (segments are merged in order). */
	if (!to->bad_flags)
		to->bad_flags_pfn = from->bad_flags_pfn;
	if (!to->buddy_order)
		to->buddy_order_pfn = from->buddy_order_pfn;
	if (!to->bad_order)
		to->bad_order_pfn = from->bad_order_pfn;
	to->examined += from->examined;
	to->unreadable += from->unreadable;
	to->bad_flags += from->bad_flags;
	to->bad_order += from->bad_order;
	to->buddy_order += from->buddy_order;
	to->buddy_align += from->buddy_align;
	to->free_outside += from->free_outside;
}

/*
 * Splits [0, max_pfn) into at most n segments holding about as many pfns to
 * decide each (those with a struct page to read, else RAM); returns how many, their starts in
 * start[].
 */
static unsigned split(const struct vmcore_filter *f, unsigned n, uint64_t *start)
{
	const struct pfn_range *r = f->walk ? f->segs : f->ram;
	size_t nr = f->walk ? f->nr_segs : f->nr_ram;
	uint64_t total = 0, acc = 0;
	unsigned got = 1, k = 1;

	start[0] = 0;
	for (size_t i = 0; i < nr; i++)
		total += r[i].end - r[i].start;
	/* A thread for fewer pfns costs more than it saves. */
	n = (unsigned)KD_MIN((uint64_t)n, total / SURVEY_THREAD_MIN + 1);
	for (size_t i = 0; i < nr && k < n; i++) {
		uint64_t len = r[i].end - r[i].start;

		for (; k < n && acc + len >= total / n * k; k++) {
			uint64_t cut = r[i].start + (total / n * k - acc);

			cut = KD_ALIGN_DOWN(cut + SURVEY_ALIGN / 2, SURVEY_ALIGN);
			if (cut > start[got - 1] && cut < f->max_pfn)
				start[got++] = cut;
		}
		acc += len;
	}
	return got;
}

static void survey_threads_free(struct survey_thread *t, unsigned nt)
{
	for (unsigned i = 0; i < nt; i++) {
		free(t[i].bm);
		if (t[i].have_clone)
			vmcore_mem_map_deinit(&t[i].clone);
	}
	free(t);
}

static int survey(struct vmcore_filter *f, bool check)
{
	uint64_t start[SURVEY_MAX_SEGMENTS];
	unsigned nt = KD_MIN(KD_MAX(f->threads, 1u), SURVEY_MAX_THREADS), next = 0;
	/* Several segments a thread: a thread that starts late or runs slow takes fewer. */
	unsigned n = split(f, nt > 1 ? nt * SURVEY_SEGMENTS_PER_THREAD : 1, start);
	_cleanup_free_ struct segment *g = kd_calloc(n, sizeof(*g));
	struct survey_thread *t = NULL;

	nt = KD_MIN(nt, n);
	memset(&f->totals, 0, sizeof(f->totals));
	memset(&f->an, 0, sizeof(f->an));
	if (f->kept_bm) {
		/* Chunks without memory are skipped: their bits and counts stay zero. */
		memset(f->kept_bm, 0, (size_t)KD_DIV_ROUND_UP(f->max_pfn, SURVEY_CHUNK) *
				      (SURVEY_CHUNK / 8));
		memset(f->kept_st, 0, (size_t)KD_DIV_ROUND_UP(f->max_pfn, SURVEY_CHUNK) *
				      sizeof(*f->kept_st));
	}
	if (!g)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++)
		g[i] = (struct segment){
			.f = f, .start = start[i], .end = i + 1 < n ? start[i + 1] : f->max_pfn,
			.w = { .f = f, .cover_cls = CL_NONE, .surveying = check },
		};
	for (;;) {
		bool ok = (t = kd_calloc(nt, sizeof(*t))) != NULL;

		for (unsigned i = 0; ok && i < nt; i++) {
			t[i] = (struct survey_thread){ .g = g, .nr = n, .next = &next, .mm = &f->mm };
			if (!f->kept_bm && !(t[i].bm = malloc(SURVEY_CHUNK / 8)))
				ok = false;
			if (i && f->have_mm) {
				if (vmcore_mem_map_clone(&t[i].clone, &f->mm) < 0)
					ok = false;
				else
					t[i].have_clone = true;
				t[i].mm = &t[i].clone;
			}
		}
		if (ok)
			break;
		if (t)
			survey_threads_free(t, nt);
		t = NULL;
		if (nt == 1)
			return -ENOMEM;
		nt = 1;	/* no memory for more: all on the calling thread */
	}
	/* The calling thread takes part; if no thread starts, it does everything. */
	for (unsigned i = 1; i < nt; i++)
		t[i].started = pthread_create(&t[i].tid, NULL, survey_thread, &t[i]) == 0;
	survey_thread(&t[0]);
	for (unsigned i = 1; i < nt; i++)
		if (t[i].started)
			pthread_join(t[i].tid, NULL);
	for (unsigned i = 0; i < n; i++) {
		add_stats(&f->totals, &g[i].totals);
		if (f->kept_bm && g[i].start % SURVEY_CHUNK)
			add_stats(&f->kept_st[g[i].start / SURVEY_CHUNK], &g[i].first);
		if (check)
			add_anomalies(&f->an, &g[i].w.an);
	}
	/* In order: the state the serial pass has at each segment's start. */
	{
		uint64_t in_end = g[0].w.cover_end;
		enum cls in_cls = g[0].w.cover_cls;

		for (unsigned i = 1; i < n; i++) {
			if (in_end > g[i].start) {
				fix_segment(f, &g[i], in_end, in_cls, check, &in_end, &in_cls);
			} else {
				in_end = g[i].w.cover_end;
				in_cls = g[i].w.cover_cls;
			}
		}
	}
	survey_threads_free(t, nt);
	seek(f, 0);
	return 0;
}

/* Window [start, end) from the kept survey, if it covers whole chunks. true if done. */
static bool window_from_survey(struct vmcore_filter *f, uint64_t start, uint64_t end,
			       uint8_t *bm)
{
	if (!f->kept_bm || start % SURVEY_CHUNK || end > f->max_pfn ||
	    (end % SURVEY_CHUNK && end != f->max_pfn))
		return false;
	memcpy(bm, f->kept_bm + start / 8, (size_t)((end - start + 7) / 8));
	for (uint64_t s = start; s < end; s += SURVEY_CHUNK)
		add_stats(&f->stats, &f->kept_st[s / SURVEY_CHUNK]);
	/* The state at end is not known: a window decided anew after this one seeks. */
	f->cursor = UINT64_MAX;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Free lists (kernels without the buddy page type; makedumpfile's reset_bitmap_of_free_pages).*/

struct fl_keys {
	uint64_t node_data, nr_nodes, online_map, online_size;
	uint64_t node_zones, nr_zones, zone_size, free_area, spanned, fa_size, fa_list, nr_types;
	uint64_t lh_size, lh_next, lh_prev, page_lru;
	bool has_online;
};

static int fl_read_u64(struct vmcore_filter *f, uint64_t va, uint64_t *ret, char *why,
		       size_t whylen, const char *what)
{
	uint8_t b[8];

	if (vmcore_mem_map_read(&f->mm, va, b, 8, NULL) < 0) {
		snprintf(why, whylen, "%s at 0x%" PRIx64 " is not in the dump", what, va);
		return -EFAULT;
	}
	*ret = kd_le64(b);
	return 0;
}

static int fl_add(struct vmcore_filter *f, size_t *cap, uint64_t pfn, unsigned order)
{
	if (f->nr_free_runs == *cap) {
		size_t ncap;
		struct pfn_range *n;

		f->nr_free_runs = merge_ranges(f->free_runs, f->nr_free_runs);
		if (f->nr_free_runs < *cap / 2)
			goto add;
		if (*cap >= FREE_RUNS_MAX)
			return -E2BIG;
		ncap = *cap ? *cap * 2 : 1024;
		n = realloc(f->free_runs, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		f->free_runs = n;
		*cap = ncap;
	}
add:
	f->free_runs[f->nr_free_runs++] = (struct pfn_range){ pfn, pfn + (1ULL << order) };
	return 0;
}

static int walk_free_lists(struct vmcore_filter *f, char *why, size_t whylen)
{
	const struct vmcoreinfo *vi = vmcore_vmcoreinfo(f->vc);
	struct fl_keys q = { 0 };
	uint64_t ram = 0, found = 0, steps = 0, budget;
	uint8_t online[1024];
	size_t cap = 0;
	int r;

	if (vmcoreinfo_symbol(vi, "node_data", &q.node_data) < 0 ||
	    vmcoreinfo_length(vi, "node_data", &q.nr_nodes) < 0 ||
	    vmcoreinfo_offset(vi, "pglist_data.node_zones", &q.node_zones) < 0 ||
	    vmcoreinfo_offset(vi, "pglist_data.nr_zones", &q.nr_zones) < 0 ||
	    vmcoreinfo_size(vi, "zone", &q.zone_size) < 0 ||
	    vmcoreinfo_offset(vi, "zone.free_area", &q.free_area) < 0 ||
	    vmcoreinfo_offset(vi, "zone.spanned_pages", &q.spanned) < 0 ||
	    vmcoreinfo_size(vi, "free_area", &q.fa_size) < 0 ||
	    vmcoreinfo_offset(vi, "free_area.free_list", &q.fa_list) < 0 ||
	    vmcoreinfo_size(vi, "list_head", &q.lh_size) < 0 ||
	    vmcoreinfo_offset(vi, "list_head.next", &q.lh_next) < 0 ||
	    vmcoreinfo_offset(vi, "list_head.prev", &q.lh_prev) < 0 ||
	    vmcoreinfo_offset(vi, "page.lru", &q.page_lru) < 0) {
		snprintf(why, whylen, "VMCOREINFO lacks PAGE_BUDDY_MAPCOUNT_VALUE and what the "
			 "free lists need (node_data, pglist_data, zone, free_area, list_head)");
		return -ENOENT;
	}
	if (vmcoreinfo_length(vi, "free_area.free_list", &q.nr_types) < 0)
		q.nr_types = 1;
	q.has_online = vmcoreinfo_symbol(vi, "node_online_map", &q.online_map) == 0;
	if (vmcoreinfo_size(vi, "nodemask_t", &q.online_size) < 0)
		q.online_size = 8;
	q.online_size = KD_MIN(q.online_size, sizeof(online));
	q.nr_nodes = KD_MIN(q.nr_nodes, (uint64_t)MAX_NODES);
	if (q.nr_types > MAX_MIGRATE_TYPES || !q.nr_types) {
		snprintf(why, whylen, "VMCOREINFO has an implausible LENGTH(free_area.free_list)=%"
			 PRIu64, q.nr_types);
		return -EBADMSG;
	}
	memset(online, 0, sizeof(online));
	online[0] = 1;
	if (q.has_online && vmcore_mem_map_read(&f->mm, q.online_map, online,
						(size_t)q.online_size, NULL) < 0) {
		snprintf(why, whylen, "node_online_map at 0x%" PRIx64 " is not in the dump",
			 q.online_map);
		return -EFAULT;
	}
	for (size_t i = 0; i < f->nr_ram; i++)
		ram += f->ram[i].end - f->ram[i].start;
	/* No more list entries than RAM pages: a longer walk is a loop. */
	budget = ram + 1;

	for (uint64_t node = 0; node < q.nr_nodes && node / 8 < q.online_size; node++) {
		uint64_t pgdat, nr_zones;

		if (!(online[node / 8] & (1u << (node % 8))))
			continue;
		if ((r = fl_read_u64(f, q.node_data + 8 * node, &pgdat, why, whylen, "node_data")) < 0)
			return r;
		if (pgdat < KVADDR_MIN) {
			snprintf(why, whylen, "node_data[%" PRIu64 "] = 0x%" PRIx64 " is not a kernel "
				 "address", node, pgdat);
			return -EBADMSG;
		}
		if ((r = fl_read_u64(f, pgdat + q.nr_zones, &nr_zones, why, whylen,
				     "pglist_data.nr_zones")) < 0)
			return r;
		nr_zones &= 0xffffffff;	/* an int */
		if (nr_zones > MAX_ZONES) {
			snprintf(why, whylen, "node %" PRIu64 " has %" PRIu64 " zones", node, nr_zones);
			return -EBADMSG;
		}
		for (uint64_t z = 0; z < nr_zones; z++) {
			uint64_t zone = pgdat + q.node_zones + z * q.zone_size, spanned;

			if ((r = fl_read_u64(f, zone + q.spanned, &spanned, why, whylen,
					     "zone.spanned_pages")) < 0)
				return r;
			if (!spanned)
				continue;
			for (int order = (int)f->k.nr_free_orders - 1; order >= 0; order--) {
				for (uint64_t t = 0; t < q.nr_types; t++) {
					uint64_t head = zone + q.free_area + q.fa_size * (uint64_t)order +
							q.fa_list + q.lh_size * t;
					uint64_t prev = head, curr, cprev, pfn;

					if ((r = fl_read_u64(f, head + q.lh_next, &curr, why, whylen,
							     "free_list")) < 0)
						return r;
					while (curr != head) {
						if (++steps > budget) {
							snprintf(why, whylen, "the free list of node %"
								 PRIu64 " zone %" PRIu64 " order %d type %"
								 PRIu64 " does not end (a loop?) after %"
								 PRIu64 " entries", node, z, order, t,
								 steps - 1);
							return -ELOOP;
						}
						if (vmcore_mem_map_pfn(&f->mm, curr - q.page_lru, &pfn) < 0) {
							snprintf(why, whylen, "a free list entry 0x%" PRIx64
								 " (node %" PRIu64 " zone %" PRIu64
								 " order %d) is not a struct page", curr,
								 node, z, order);
							return -EBADMSG;
						}
						if ((r = fl_read_u64(f, curr + q.lh_prev, &cprev, why,
								     whylen, "list_head.prev")) < 0)
							return r;
						if (cprev != prev) {
							snprintf(why, whylen, "the free list of node %"
								 PRIu64 " zone %" PRIu64 " order %d is broken "
								 "at 0x%" PRIx64 " (prev 0x%" PRIx64
								 ", expected 0x%" PRIx64 ")", node, z, order,
								 curr, cprev, prev);
							return -EBADMSG;
						}
						found += 1ULL << order;
						if (found > ram) {
							snprintf(why, whylen, "the free lists hold more "
								 "pages than the dump has RAM (%" PRIu64 ")",
								 ram);
							return -EBADMSG;
						}
						r = fl_add(f, &cap, pfn, (unsigned)order);
						if (r == -E2BIG) {
							snprintf(why, whylen, "the free lists are too "
								 "fragmented to hold (over %u runs)",
								 FREE_RUNS_MAX);
							return r;
						}
						if (r < 0)
							return r;
						prev = curr;
						if ((r = fl_read_u64(f, curr + q.lh_next, &curr, why,
								     whylen, "list_head.next")) < 0)
							return r;
					}
				}
			}
		}
	}
	f->nr_free_runs = merge_ranges(f->free_runs, f->nr_free_runs);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The API.                                                                                   */

void vmcore_filter_destroy(struct vmcore_filter *f)
{
	if (!f)
		return;
	if (f->have_mm)
		vmcore_mem_map_deinit(&f->mm);
	free(f->ram);
	free(f->segs);
	free(f->free_runs);
	free(f->kept_bm);
	free(f->kept_st);
	free(f);
}

unsigned vmcore_filter_level(const struct vmcore_filter *f)
{
	return f->level;
}

const struct vmcore_filter_stats *vmcore_filter_stats(const struct vmcore_filter *f)
{
	return &f->stats;
}

const struct vmcore_filter_stats *vmcore_filter_totals(const struct vmcore_filter *f)
{
	return &f->totals;
}

/* Looks at what the checking pass found; drops what cannot be trusted. true if anything was. */
static bool judge(struct vmcore_filter *f)
{
	const struct anomalies *a = &f->an;
	uint64_t limit = 16 + a->examined / 1024;
	unsigned before = f->level;
	bool walk_before = f->walk;

	if (a->bad_flags > limit) {
		note(f, "struct pages look corrupt: %" PRIu64 " of %" PRIu64 " have flags no kernel "
		     "sets together (first pfn 0x%" PRIx64 ")", a->bad_flags, a->examined,
		     a->bad_flags_pfn);
		drop(f, 30, "page-based filtering is off");
		if (f->walk)
			note(f, "hwpoisoned and offline pages are kept");
		f->walk = false;
		f->freelist = false;
	}
	if (a->buddy_order > limit || a->buddy_align > limit || a->free_outside > limit) {
		drop(f, VMCORE_EXCL_FREE, "free pages cannot be trusted: %" PRIu64 " with an order "
		     "past the free areas, %" PRIu64 " misaligned blocks, %" PRIu64 " free pfns "
		     "outside RAM", a->buddy_order, a->buddy_align, a->free_outside);
		f->freelist = false;
	} else if (a->buddy_order && (f->level & VMCORE_EXCL_FREE)) {
		note(f, "%" PRIu64 " free page(s) with an order past the free areas kept (first pfn "
		     "0x%" PRIx64 ")", a->buddy_order, a->buddy_order_pfn);
	}
	if (f->walk && a->bad_order)
		note(f, "%" PRIu64 " compound page(s) with an impossible order taken as single "
		     "pages (first pfn 0x%" PRIx64 ")", a->bad_order, a->bad_order_pfn);
	if (f->walk && a->unreadable)
		note(f, "%" PRIu64 " page(s) kept because their struct page is not in the dump",
		     a->unreadable);
	return f->level != before || f->walk != walk_before;
}

int vmcore_filter_create_threads(struct vmcore *vc, unsigned level, unsigned threads,
				 struct vmcore_filter **ret, const char **ret_warning,
				 struct kd_err *err)
{
	struct vmcore_filter *f;
	bool struct_based;
	int r;

	if (level > VMCORE_LEVEL_MAX)
		return kd_err_set(err, -EINVAL, "dump level %u is not in 0-31", level);
	f = kd_calloc(1, sizeof(*f));
	if (!f)
		return kd_err_set(err, -ENOMEM, "out of memory");
	f->vc = vc;
	f->w = (struct walker){ .f = f, .mm = &f->mm, .cover_cls = CL_NONE };
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)KD_MIN(n, (long)SURVEY_MAX_THREADS) : 1;
	}
	f->threads = threads;
	f->requested = f->level = level;
	f->max_pfn = vmcore_max_pfn(vc);
	r = setup_memory(f, err);
	if (r < 0)
		goto fail;
	{
		unsigned pshift = (unsigned)__builtin_ctz(vmcore_page_size(vc));
		f->compound_order_max = pshift < MAX_PAGE_BYTES_SHIFT ?
					MAX_PAGE_BYTES_SHIFT - pshift : 0;
	}

	struct_based = setup_keys(f);
	f->range_order_max = KD_MAX(f->compound_order_max,
				    f->k.nr_free_orders ? f->k.nr_free_orders - 1 : 0);
	/* makedumpfile reads struct pages for levels 2-16, and at any level for hwpoison. */
	if (struct_based && ((f->level & 30) || f->k.pg_hwpoison >= 0)) {
		struct kd_err e = { 0 };

		if (vmcore_mem_map_init(&f->mm, vc, &e) < 0) {
			if (f->level & 30)
				drop(f, 30, "page-based filtering is off: %s", e.msg);
			else
				note(f, "hwpoisoned and offline pages cannot be found: %s", e.msg);
		} else {
			f->have_mm = true;
			f->walk = true;
			if (f->mm.bad)
				note(f, "%" PRIu64 " of %" PRIu64 " memory sections are not in the dump: "
				     "their pages are kept", f->mm.bad, f->mm.present);
		}
	} else if (!struct_based) {
		f->level &= ~30u;
	}
	if ((f->level & VMCORE_EXCL_FREE) && !f->k.buddy_mode) {
		char why[300] = "";

		if (walk_free_lists(f, why, sizeof(why)) < 0) {
			drop(f, VMCORE_EXCL_FREE, "free pages cannot be found: %s", why);
			free(f->free_runs);
			f->free_runs = NULL;
			f->nr_free_runs = 0;
		} else {
			f->freelist = true;
		}
	}
	if (!(f->level & 30) && f->k.pg_hwpoison < 0)
		f->walk = false;	/* nothing to look for */

	if (f->max_pfn <= SURVEY_KEEP_MAX) {
		uint64_t chunks = KD_DIV_ROUND_UP(f->max_pfn, SURVEY_CHUNK);

		/* Without room for them, windows are decided again (as for larger dumps). */
		f->kept_bm = malloc((size_t)chunks * (SURVEY_CHUNK / 8));
		f->kept_st = kd_calloc((size_t)chunks, sizeof(*f->kept_st));
		if (!f->kept_bm || !f->kept_st) {
			free(f->kept_bm);
			free(f->kept_st);
			f->kept_bm = NULL;
			f->kept_st = NULL;
		}
	}
	r = survey(f, true);
	if (r >= 0 && judge(f))
		r = survey(f, false);
	if (r < 0) {
		kd_err_set(err, r, "out of memory");
		goto fail;
	}

	if (f->level != f->requested)
		snprintf(f->warning, sizeof(f->warning), "dump level %u lowered to %u: %s",
			 f->requested, f->level, f->notes);
	else if (f->notes[0])
		snprintf(f->warning, sizeof(f->warning), "%s", f->notes);
	if (ret_warning)
		*ret_warning = f->warning[0] ? f->warning : NULL;
	*ret = f;
	return 0;
fail:
	vmcore_filter_destroy(f);
	return r;
}

int vmcore_filter_create(struct vmcore *vc, unsigned level, struct vmcore_filter **ret,
			 const char **ret_warning, struct kd_err *err)
{
	return vmcore_filter_create_threads(vc, level, 1, ret, ret_warning, err);
}

int vmcore_filter_window(struct vmcore_filter *f, uint64_t start, uint64_t end, uint8_t *bitmap,
			 struct kd_err *err)
{
	if (start % 8 || end < start || !bitmap)
		return kd_err_set(err, -EINVAL, "filter window [0x%" PRIx64 ", 0x%" PRIx64 ") is not "
				  "a range starting at a multiple of 8", start, end);
	if (window_from_survey(f, start, end, bitmap))
		return 0;
	if (start != f->cursor)
		seek(f, start);
	run(&f->w, start, end, bitmap, &f->stats);
	f->cursor = end;
	return 0;
}
