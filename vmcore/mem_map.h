/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvmcore internal: a dump's sparse mem_map (sections, batched struct page reads). */
#ifndef VMCORE_MEM_MAP_H
#define VMCORE_MEM_MAP_H

#include "vmcore/internal.h"

/* struct pages read at once (makedumpfile's PGMM_CACHED). */
#define VMCORE_MM_BATCH 512u

enum vmcore_mm_section {
	VMCORE_MM_ABSENT,	/* no section, or not marked present: no struct pages */
	VMCORE_MM_OK,
	VMCORE_MM_BAD,		/* present but its mem_section or mem_map is not in the dump */
};

struct vmcore_mem_map {
	struct vmcore *vc;
	uint64_t page_struct_size;	/* SIZE(page) */
	unsigned section_shift;		/* section nr = pfn >> section_shift */
	uint64_t nr_sections;		/* sections covering [0, max_pfn) */
	uint64_t *map;			/* address of each section's first struct page */
	uint8_t *state;			/* enum vmcore_mm_section per section */
	uint64_t present, bad;		/* counts of present and of bad sections */
	bool uniform;			/* every present section has the same vmemmap base */
	uint64_t base;			/* that base: struct page of pfn = base + pfn * size */
	/* One cached translation: [tlb_va, tlb_va + tlb_len) maps linearly to tlb_pa. */
	uint64_t tlb_va, tlb_pa, tlb_len;
	/* The loaded batch: struct pages of pfns [lo, hi); ok[i] is 0 if unreadable. */
	uint8_t *buf;
	uint8_t *ok;
	uint64_t lo, hi;
	size_t load_hint;		/* the reader's PT_LOAD lookup hint (vmcore_pfn_offset_hint) */
	bool clone;			/* map and state belong to another mem_map */
};

/*
 * Finds the sections from VMCOREINFO (SPARSEMEM, SPARSEMEM_EXTREME, VMEMMAP). Fails with a
 * message in err (-ENOENT: keys missing; -EBADMSG: nothing usable in the dump) when no struct
 * page can be located; sections that are present but unreadable are marked bad, not fatal.
 */
int vmcore_mem_map_init(struct vmcore_mem_map *mm, struct vmcore *vc, struct kd_err *err);
void vmcore_mem_map_deinit(struct vmcore_mem_map *mm);
/*
 * A reader of src's sections for another thread: shares src's tables (src must outlive it and
 * not change), has its own batch, translation cache and lookup hint. -ENOMEM. Freed with
 * vmcore_mem_map_deinit.
 */
int vmcore_mem_map_clone(struct vmcore_mem_map *dst, const struct vmcore_mem_map *src);

static inline uint64_t vmcore_mm_section_of(const struct vmcore_mem_map *mm, uint64_t pfn)
{
	return pfn >> mm->section_shift;
}

/* Loads the struct pages of [lo, hi) (one section, at most VMCORE_MM_BATCH pages). */
void vmcore_mem_map_load(struct vmcore_mem_map *mm, uint64_t lo, uint64_t hi);

/* The loaded struct page of pfn, or NULL (not in the batch or unreadable). */
static inline const uint8_t *vmcore_mm_page(const struct vmcore_mem_map *mm, uint64_t pfn)
{
	if (pfn < mm->lo || pfn >= mm->hi || !mm->ok[pfn - mm->lo])
		return NULL;
	return mm->buf + (pfn - mm->lo) * mm->page_struct_size;
}

/* pfn of the struct page at kernel address page (page_to_pfn); -ENOENT if none. */
int vmcore_mem_map_pfn(const struct vmcore_mem_map *mm, uint64_t page, uint64_t *ret_pfn);

/* Reads kernel virtual memory through the translation cache. */
int vmcore_mem_map_read(struct vmcore_mem_map *mm, uint64_t va, void *buf, size_t len,
			struct kd_err *err);

#endif
