// SPDX-License-Identifier: GPL-2.0-or-later
/* The sparse mem_map of a dump: mem_section walk and batched, cached struct page reads. */
#include "vmcore/mem_map.h"

#include <inttypes.h>

#define KVADDR_MIN 0xffff800000000000ULL
#define SECTION_MARKED_PRESENT 0x1ULL
/* makedumpfile masks the low 5 bits (SECTION_MAP_LAST_BIT is 5 on current kernels). */
#define SECTION_MAP_MASK (~0x1fULL)
/* 2^22 sections of 128 MiB = 512 TiB of RAM: beyond that the dump is not believed. */
#define MAX_SECTIONS (1ULL << 22)

void vmcore_mem_map_deinit(struct vmcore_mem_map *mm)
{
	if (!mm->clone) {
		free(mm->map);
		free(mm->state);
	}
	free(mm->buf);
	free(mm->ok);
	memset(mm, 0, sizeof(*mm));
}

int vmcore_mem_map_clone(struct vmcore_mem_map *dst, const struct vmcore_mem_map *src)
{
	*dst = *src;
	dst->clone = true;
	dst->tlb_va = dst->tlb_pa = dst->tlb_len = 0;
	dst->lo = dst->hi = 0;
	dst->load_hint = 0;
	dst->buf = malloc((VMCORE_MM_BATCH + 1) * src->page_struct_size);
	dst->ok = malloc(VMCORE_MM_BATCH + 1);
	if (!dst->buf || !dst->ok) {
		vmcore_mem_map_deinit(dst);
		return -ENOMEM;
	}
	return 0;
}

/* Physical reads of whole struct page runs, coalesced into one pread per file-contiguous run. */
struct prun {
	uint8_t *dst;
	uint64_t off;
	size_t len;
};

static bool prun_flush(struct vmcore *vc, struct prun *p)
{
	bool ok = true;

	if (p->len)
		ok = kd_pread_all(vmcore_fd(vc), p->dst, p->len, p->off) == (ssize_t)p->len;
	p->len = 0;
	return ok;
}

static int translate(struct vmcore_mem_map *mm, uint64_t va, uint64_t *ret_pa, uint64_t *ret_len,
		     struct kd_err *err)
{
	uint64_t pa, span;
	int r;

	if (va - mm->tlb_va < mm->tlb_len) {
		*ret_pa = mm->tlb_pa + (va - mm->tlb_va);
		*ret_len = mm->tlb_len - (va - mm->tlb_va);
		return 0;
	}
	r = vmcore_vtop_span(mm->vc, va, &pa, &span, err);
	if (r < 0)
		return r;
	mm->tlb_va = va;
	mm->tlb_pa = pa;
	mm->tlb_len = span;
	*ret_pa = pa;
	*ret_len = span;
	return 0;
}

/*
 * Reads [va, va + len) into dst page by page (dump pages); calls bad(off, n) for each piece
 * that is not in the dump (left zeroed). Returns the number of bytes that could not be read.
 */
static uint64_t read_virt_pieces(struct vmcore_mem_map *mm, uint64_t va, uint8_t *dst, size_t len,
				 void (*bad)(struct vmcore_mem_map *, size_t, size_t))
{
	struct vmcore *vc = mm->vc;
	uint64_t ps = vmcore_page_size(vc), missing = 0;
	struct prun run = { 0 };
	size_t done = 0;

	while (done < len) {
		uint64_t cur = va + done, pa, tl, off;
		size_t n = (size_t)KD_MIN((uint64_t)(len - done), ps - (cur & (ps - 1)));
		bool ok = false;

		if (translate(mm, cur, &pa, &tl, NULL) == 0 && tl >= n) {
			if ((pa & (ps - 1)) + n <= ps &&
			    vmcore_pfn_offset_hint(vc, pa / ps, &mm->load_hint, &off) == 0) {
				off += pa & (ps - 1);
				if (run.len && run.off + run.len == off && run.dst + run.len == dst + done) {
					run.len += n;
				} else {
					if (!prun_flush(vc, &run) && bad)
						bad(mm, (size_t)(run.dst - dst), run.len);
					run = (struct prun){ dst + done, off, n };
				}
				ok = true;
			} else {
				/* Partial pages, other formats: the generic reader. */
				ok = vmcore_read_phys(vc, pa, dst + done, n, NULL) == 0;
			}
		}
		if (!ok) {
			memset(dst + done, 0, n);
			missing += n;
			if (bad)
				bad(mm, done, n);
		}
		done += n;
	}
	if (!prun_flush(vc, &run)) {
		missing += run.len;
		if (bad)
			bad(mm, (size_t)(run.dst - dst), run.len);
	}
	return missing;
}

int vmcore_mem_map_read(struct vmcore_mem_map *mm, uint64_t va, void *buf, size_t len,
			struct kd_err *err)
{
	if (read_virt_pieces(mm, va, buf, len, NULL))
		return kd_err_set(err, -EFAULT, "%s: kernel address 0x%" PRIx64 " (%zu bytes) is "
				  "not in the dump", vmcore_path(mm->vc), va, len);
	return 0;
}

static void mark_bad(struct vmcore_mem_map *mm, size_t off, size_t n)
{
	uint64_t first = off / mm->page_struct_size;
	uint64_t last = (off + n - 1) / mm->page_struct_size;

	for (uint64_t i = first; i <= last && i < mm->hi - mm->lo; i++)
		mm->ok[i] = 0;
}

void vmcore_mem_map_load(struct vmcore_mem_map *mm, uint64_t lo, uint64_t hi)
{
	uint64_t sec = vmcore_mm_section_of(mm, lo);
	uint64_t va = mm->map[sec] + ((lo - (sec << mm->section_shift)) * mm->page_struct_size);

	mm->lo = lo;
	mm->hi = hi;
	memset(mm->ok, 1, hi - lo);
	read_virt_pieces(mm, va, mm->buf, (size_t)((hi - lo) * mm->page_struct_size), mark_bad);
}

int vmcore_mem_map_pfn(const struct vmcore_mem_map *mm, uint64_t page, uint64_t *ret_pfn)
{
	uint64_t sz = mm->page_struct_size, pps = 1ULL << mm->section_shift;

	if (mm->uniform) {
		uint64_t d = page - mm->base, pfn = d / sz;

		if (d % sz || pfn >= (mm->nr_sections << mm->section_shift) ||
		    mm->state[pfn >> mm->section_shift] != VMCORE_MM_OK)
			return -ENOENT;
		*ret_pfn = pfn;
		return 0;
	}
	for (uint64_t s = 0; s < mm->nr_sections; s++) {
		uint64_t d = page - mm->map[s];

		if (mm->state[s] != VMCORE_MM_OK || d >= pps * sz || d % sz)
			continue;
		*ret_pfn = (s << mm->section_shift) + d / sz;
		return 0;
	}
	return -ENOENT;
}

struct ms_layout {
	uint64_t sec_size, map_off, per_root, nr_roots;
	bool extreme;
};

/*
 * Reads the sections with the mem_section array (or root array) at addr. Returns the number of
 * usable present sections; marks unreadable ones bad. -EFAULT if the array itself is not there.
 */
static int64_t scan_sections(struct vmcore_mem_map *mm, const struct ms_layout *l, uint64_t addr)
{
	uint64_t sz = mm->page_struct_size, good = 0;
	_cleanup_free_ uint8_t *chunk = NULL;
	uint64_t chunk_secs = l->extreme ? l->per_root : 128;

	chunk = malloc(chunk_secs * l->sec_size);
	if (!chunk)
		return -ENOMEM;
	mm->present = mm->bad = 0;
	for (uint64_t first = 0; first < mm->nr_sections; first += chunk_secs) {
		uint64_t n = KD_MIN(chunk_secs, mm->nr_sections - first), base;
		bool readable = true;

		if (l->extreme) {
			uint8_t b[8];
			if (vmcore_mem_map_read(mm, addr + 8 * (first / l->per_root), b, 8, NULL) < 0)
				return -EFAULT;	/* the root array is not in the dump */
			base = kd_le64(b);
			if (!base) {
				for (uint64_t i = 0; i < n; i++)
					mm->state[first + i] = VMCORE_MM_ABSENT;
				continue;
			}
		} else {
			base = addr + first * l->sec_size;
		}
		if (base < KVADDR_MIN ||
		    vmcore_mem_map_read(mm, base, chunk, (size_t)(n * l->sec_size), NULL) < 0)
			readable = false;
		if (!readable && !l->extreme && first == 0)
			return -EFAULT;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t nr = first + i, v, map;

			if (!readable) {
				/* A root that points outside the dump: its sections are lost. */
				mm->state[nr] = VMCORE_MM_BAD;
				mm->present++;
				mm->bad++;
				continue;
			}
			v = kd_le64(chunk + i * l->sec_size + l->map_off);
			if (!(v & SECTION_MARKED_PRESENT)) {
				mm->state[nr] = VMCORE_MM_ABSENT;
				continue;
			}
			mm->present++;
			map = (v & SECTION_MAP_MASK) + ((nr << mm->section_shift) * sz);
			mm->map[nr] = map;
			if (map < KVADDR_MIN) {
				mm->state[nr] = VMCORE_MM_BAD;
				mm->bad++;
			} else {
				mm->state[nr] = VMCORE_MM_OK;
				good++;
			}
		}
	}
	return (int64_t)good;
}

int vmcore_mem_map_init(struct vmcore_mem_map *mm, struct vmcore *vc, struct kd_err *err)
{
	const struct vmcoreinfo *vi = vmcore_vmcoreinfo(vc);
	uint64_t sym, len = 0, ps = vmcore_page_size(vc), pshift = (uint64_t)__builtin_ctzll(ps);
	int64_t ssb, mpb, good;
	struct ms_layout l = { 0 };
	bool has_len;
	int r;

	memset(mm, 0, sizeof(*mm));
	mm->vc = vc;
	if (!vi)
		return kd_err_set(err, -ENOENT, "the dump has no VMCOREINFO");
	if ((r = vmcoreinfo_need_u64(vi, "SYMBOL(mem_section)", &sym, err)) < 0 ||
	    (r = vmcoreinfo_need_u64(vi, "SIZE(mem_section)", &l.sec_size, err)) < 0 ||
	    (r = vmcoreinfo_need_u64(vi, "OFFSET(mem_section.section_mem_map)", &l.map_off, err)) < 0 ||
	    (r = vmcoreinfo_need_s64(vi, "NUMBER(SECTION_SIZE_BITS)", &ssb, err)) < 0 ||
	    (r = vmcoreinfo_need_s64(vi, "NUMBER(MAX_PHYSMEM_BITS)", &mpb, err)) < 0 ||
	    (r = vmcoreinfo_need_u64(vi, "SIZE(page)", &mm->page_struct_size, err)) < 0)
		return r;
	has_len = vmcoreinfo_length(vi, "mem_section", &len) == 0;
	if (ssb <= (int64_t)pshift || ssb > mpb || mpb > 64 || mpb - ssb > 40)
		return kd_err_set(err, -EBADMSG, "VMCOREINFO has implausible SECTION_SIZE_BITS=%" PRId64
				  " / MAX_PHYSMEM_BITS=%" PRId64, ssb, mpb);
	if (l.sec_size < 8 || l.sec_size > ps || l.map_off > l.sec_size - 8)
		return kd_err_set(err, -EBADMSG, "VMCOREINFO has implausible SIZE(mem_section)=%"
				  PRIu64 " / OFFSET(mem_section.section_mem_map)=%" PRIu64,
				  l.sec_size, l.map_off);
	if (mm->page_struct_size < 16 || mm->page_struct_size > 512)
		return kd_err_set(err, -EBADMSG, "VMCOREINFO has implausible SIZE(page)=%" PRIu64,
				  mm->page_struct_size);
	mm->section_shift = (unsigned)(ssb - (int64_t)pshift);
	{
		uint64_t nr_mem = 1ULL << (mpb - ssb), maxpfn = vmcore_max_pfn(vc);

		l.per_root = ps / l.sec_size;
		l.extreme = !has_len || len == KD_DIV_ROUND_UP(nr_mem, l.per_root);
		mm->nr_sections = KD_DIV_ROUND_UP(maxpfn, 1ULL << mm->section_shift);
		mm->nr_sections = KD_MIN(mm->nr_sections, nr_mem);
		if (l.extreme && has_len)
			mm->nr_sections = KD_MIN(mm->nr_sections, len * l.per_root);
		if (mm->nr_sections > MAX_SECTIONS)
			return kd_err_set(err, -EFBIG, "%s: %" PRIu64 " memory sections: more than the "
					  "%llu this tool believes", vmcore_path(vc), mm->nr_sections,
					  MAX_SECTIONS);
	}
	mm->map = kd_calloc(mm->nr_sections ? mm->nr_sections : 1, sizeof(*mm->map));
	mm->state = kd_calloc(mm->nr_sections ? mm->nr_sections : 1, 1);
	mm->buf = malloc((VMCORE_MM_BATCH + 1) * mm->page_struct_size);
	mm->ok = malloc(VMCORE_MM_BATCH + 1);
	if (!mm->map || !mm->state || !mm->buf || !mm->ok) {
		vmcore_mem_map_deinit(mm);
		return kd_err_set(err, -ENOMEM, "out of memory");
	}
	/*
	 * makedumpfile's order: SYMBOL(mem_section) as the array itself, then as a pointer to it
	 * (SPARSEMEM_EXTREME from 4.15 exports the pointer's value, earlier ones the array).
	 */
	good = scan_sections(mm, &l, sym);
	if ((good == 0 || good == -EFAULT) && l.extreme) {
		uint8_t b[8];
		if (vmcore_mem_map_read(mm, sym, b, 8, NULL) == 0 && kd_le64(b) >= KVADDR_MIN) {
			int64_t g2 = scan_sections(mm, &l, kd_le64(b));
			if (g2 > 0 || g2 == -ENOMEM)
				good = g2;
		}
	}
	if (good < 0 && good != -EFAULT) {
		vmcore_mem_map_deinit(mm);
		return kd_err_set(err, (int)good, "out of memory");
	}
	if (good <= 0) {
		r = kd_err_set(err, -EBADMSG, "%s: mem_section (SYMBOL(mem_section)=%" PRIx64 ") %s",
			       vmcore_path(vc), sym, good == -EFAULT ? "is not in the dump" :
			       "has no usable present section");
		vmcore_mem_map_deinit(mm);
		return r;
	}
	mm->uniform = true;
	for (uint64_t s = 0, seen = 0; s < mm->nr_sections; s++) {
		uint64_t b;
		if (mm->state[s] != VMCORE_MM_OK)
			continue;
		b = mm->map[s] - ((s << mm->section_shift) * mm->page_struct_size);
		if (!seen++)
			mm->base = b;
		else if (b != mm->base)
			mm->uniform = false;
	}
	mm->lo = mm->hi = 0;
	return 0;
}
