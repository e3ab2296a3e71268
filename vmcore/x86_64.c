// SPDX-License-Identifier: GPL-2.0-or-later
/* x86_64 kernel virtual to physical translation: kernel image, direct map, page tables. */
#include "vmcore/internal.h"

#include <inttypes.h>

#define START_KERNEL_MAP 0xffffffff80000000ULL
#define DEFAULT_KERNEL_IMAGE_SIZE (1ULL << 30)
#define PTE_PRESENT 0x1ULL
#define PTE_PSE 0x80ULL
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

int vmcore_x86_init(struct vmcore *vc, struct kd_err *err)
{
	struct vmcore_x86 *x = &vc->x86;
	int64_t phys_base = 0, l5 = 0, sme = 0, kis;
	uint64_t pgt;
	int r;

	memset(x, 0, sizeof(*x));
	r = vmcoreinfo_need_u64(vc->vi, "SYMBOL(init_top_pgt)", &pgt, err);
	if (r < 0)
		return r;
	/* Missing phys_base means 0 (non-relocated kernels); l5 and sme default to off. */
	vmcoreinfo_number(vc->vi, "phys_base", &phys_base);
	vmcoreinfo_number(vc->vi, "pgtable_l5_enabled", &l5);
	vmcoreinfo_number(vc->vi, "sme_mask", &sme);
	x->kernel_image_size = DEFAULT_KERNEL_IMAGE_SIZE;
	if (vmcoreinfo_number(vc->vi, "KERNEL_IMAGE_SIZE", &kis) == 0 && kis > 0 &&
	    (uint64_t)kis <= DEFAULT_KERNEL_IMAGE_SIZE * 2)
		x->kernel_image_size = (uint64_t)kis;
	x->phys_base = (uint64_t)phys_base;
	x->l5 = l5 != 0;
	x->sme_mask = (uint64_t)sme;
	if (pgt < START_KERNEL_MAP)
		return kd_err_set(err, -EINVAL, "SYMBOL(init_top_pgt)=%" PRIx64 " is not a kernel "
				  "image address", pgt);
	x->pgt_root = pgt - START_KERNEL_MAP + x->phys_base;
	/*
	 * The direct-map base: makedumpfile's rule, the last PT_LOAD whose vaddr lies below the
	 * kernel image (and is a kernel address). Without PT_LOADs, the page tables serve.
	 */
	for (size_t i = 0; i < vc->nr_loads; i++) {
		const struct vmcore_load *l = &vc->loads[i];
		if (l->vaddr >= 0xffff800000000000ULL && l->vaddr < START_KERNEL_MAP &&
		    l->vaddr >= l->paddr)
			x->page_offset = l->vaddr - l->paddr;
	}
	x->ready = true;
	return 0;
}

uint64_t vmcore_page_offset(const struct vmcore *vc)
{
	return vc->x86.ready ? vc->x86.page_offset : 0;
}

static int read_entry(struct vmcore *vc, uint64_t table, unsigned idx, uint64_t *ret,
		      struct kd_err *err)
{
	uint8_t b[8];
	int r = vmcore_read_phys(vc, table + 8ULL * idx, b, 8, err);

	if (r < 0)
		return r;
	*ret = kd_le64(b);
	return 0;
}

static int walk(struct vmcore *vc, uint64_t va, uint64_t *ret, uint64_t *ret_size,
		struct kd_err *err)
{
	struct vmcore_x86 *x = &vc->x86;
	uint64_t mask = PTE_ADDR_MASK & ~x->sme_mask;
	uint64_t table = x->pgt_root, e;
	static const char *const level_name[] = { "PTE", "PMD", "PUD", "P4D", "PGD" };
	int level = x->l5 ? 4 : 3;
	int r;

	/* 4-level: PGD at shift 39 (stored as level 3); 5-level adds the top at shift 48. */
	for (; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		unsigned idx = (unsigned)(va >> shift) & 511;
		const char *name = level_name[level == 3 && !x->l5 ? 4 : level];

		r = read_entry(vc, table, idx, &e, err);
		if (r < 0) {
			kd_err_prefix(err, "translating 0x%" PRIx64 " (%s table at 0x%" PRIx64 ")",
				      va, name, table);
			return r;
		}
		if (!(e & PTE_PRESENT))
			return kd_err_set(err, -EFAULT, "virtual address 0x%" PRIx64 " is not "
					  "mapped (%s entry %u = 0x%" PRIx64 ")", va, name, idx, e);
		if ((level == 1 || level == 2) && (e & PTE_PSE)) {
			uint64_t size = 1ULL << shift;
			*ret = ((e & mask) & ~(size - 1)) | (va & (size - 1));
			*ret_size = size;
			return 0;
		}
		table = e & mask;
	}
	*ret = table | (va & 0xfff);
	*ret_size = 4096;
	return 0;
}

int vmcore_vtop_span(struct vmcore *vc, uint64_t vaddr, uint64_t *ret_paddr, uint64_t *ret_span,
		     struct kd_err *err)
{
	struct vmcore_x86 *x = &vc->x86;
	uint64_t size = 4096, pa = 0;
	int r;

	if (!x->ready)
		return kd_err_set(err, -ENOTSUP, "%s: cannot translate virtual address 0x%" PRIx64
				  ": VMCOREINFO lacks SYMBOL(init_top_pgt)", vc->path, vaddr);
	if (vaddr >= START_KERNEL_MAP && vaddr - START_KERNEL_MAP < x->kernel_image_size) {
		*ret_paddr = vaddr - START_KERNEL_MAP + x->phys_base;
		*ret_span = x->kernel_image_size - (vaddr - START_KERNEL_MAP);
		return 0;
	}
	if (x->page_offset && vaddr >= x->page_offset && vaddr < START_KERNEL_MAP) {
		uint64_t pa_d = vaddr - x->page_offset;
		uint64_t lim = x->l5 ? (1ULL << 52) : (1ULL << 46);
		/* Only trust the formula inside the direct map's 64 TiB (4-level) span. */
		if (pa_d < lim) {
			*ret_paddr = pa_d;
			*ret_span = lim - pa_d;
			return 0;
		}
	}
	r = walk(vc, vaddr, &pa, &size, err);
	if (r < 0)
		return r;
	*ret_paddr = pa;
	*ret_span = size - (vaddr & (size - 1));
	return 0;
}

int vmcore_vtop(struct vmcore *vc, uint64_t vaddr, uint64_t *ret_paddr, struct kd_err *err)
{
	uint64_t span;

	return vmcore_vtop_span(vc, vaddr, ret_paddr, &span, err);
}
