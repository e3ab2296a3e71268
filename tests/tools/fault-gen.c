// SPDX-License-Identifier: GPL-2.0-or-later
/* Test helper: small vmcores for the fault tests (t-faults.sh): sound, or with bad VMCOREINFO. */
#include "vmgen.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define PO UINT64_C(0xffff888000000000)
#define IMG_VA UINT64_C(0xffffffff81000000)

/* The keys the page filter needs, for a mem_section at mem_section_va. */
static void filter_keys(struct vmgen *g, uint64_t mem_section_va, unsigned page_size)
{
	vmgen_info(g, "SYMBOL(mem_section)=%" PRIx64, mem_section_va);
	vmgen_info(g, "LENGTH(mem_section)=32");
	vmgen_info(g, "SIZE(mem_section)=32");
	vmgen_info(g, "OFFSET(mem_section.section_mem_map)=0");
	vmgen_info(g, "NUMBER(SECTION_SIZE_BITS)=27");
	vmgen_info(g, "NUMBER(MAX_PHYSMEM_BITS)=46");
	vmgen_info(g, "SIZE(page)=%u", page_size);
	vmgen_info(g, "OFFSET(page.flags)=0");
	vmgen_info(g, "OFFSET(page._refcount)=52");
	vmgen_info(g, "OFFSET(page.mapping)=24");
	vmgen_info(g, "OFFSET(page.lru)=8");
	vmgen_info(g, "OFFSET(page._mapcount)=48");
	vmgen_info(g, "OFFSET(page.private)=40");
	vmgen_info(g, "OFFSET(page.compound_head)=8");
	vmgen_info(g, "LENGTH(zone.free_area)=11");
	vmgen_info(g, "NUMBER(PG_lru)=5");
	vmgen_info(g, "NUMBER(PG_private)=14");
	vmgen_info(g, "NUMBER(PG_swapcache)=10");
	vmgen_info(g, "NUMBER(PG_swapbacked)=17");
	vmgen_info(g, "NUMBER(PG_hwpoison)=20");
	vmgen_info(g, "NUMBER(PG_head_mask)=64");
	vmgen_info(g, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456");
	vmgen_info(g, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240");
	vmgen_info(g, "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376");
	vmgen_info(g, "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592");
}

int main(int argc, char **argv)
{
	const char *kind;
	struct vmgen *g;
	uint64_t RAM = 16u << 20;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: fault-gen sound|tiny|noinfo|absurd-pagesize|memmap-outside|"
			"huge-struct-page PATH\n");
		return 2;
	}
	kind = argv[1];
	if (strcmp(kind, "tiny") == 0) {
		kind = "sound";	/* the same, with 128 KiB of RAM (fuzz seeds) */
		RAM = 128u << 10;
	}
	g = vmgen_new();
	vmgen_cpu(g, 1, NULL);
	vmgen_cpu(g, 0, NULL);
	if (strcmp(kind, "noinfo") == 0) {
		vmgen_no_vmcoreinfo(g);
	} else {
		vmgen_info_kernel(g, "6.12.0-fault", strcmp(kind, "absurd-pagesize") ? 4096 : 12345,
				  IMG_VA);
		vmgen_info(g, "CRASHTIME=1700000000");
	}
	/* The image (its first page is a zero init_top_pgt) and RAM with a pattern. */
	vmgen_load(g, 0x1000000, 0x10000, IMG_VA);
	vmgen_load(g, 0x2000000, RAM, PO + 0x2000000);
	vmgen_pattern(g, 0x2000000 + 0x10000, RAM - 0x10000);
	if (strcmp(kind, "memmap-outside") == 0) {
		/* mem_section -> a root that points far past the dump's memory. */
		filter_keys(g, PO + 0x2000000, 64);
		vmgen_poke_u64(g, 0x2000000, PO + 0x7f0000000ULL);
	} else if (strcmp(kind, "huge-struct-page") == 0) {
		filter_keys(g, PO + 0x2000000, 1000000000);
		vmgen_poke_u64(g, 0x2000000, PO + 0x2001000);
		vmgen_poke_u64(g, 0x2001000, (PO + 0x2100000) | 3);
	} else if (strcmp(kind, "sound") && strcmp(kind, "noinfo") && strcmp(kind, "absurd-pagesize")) {
		fprintf(stderr, "fault-gen: unknown kind %s\n", kind);
		return 2;
	} else {
		/* sound: the first pages of RAM hold zeros (level 1 leaves them out) */
		uint8_t zero[4096] = { 0 };
		for (int i = 0; i < 16; i++)
			vmgen_poke(g, 0x2000000 + 4096ULL * i, zero, sizeof(zero));
	}
	r = vmgen_write(g, argv[2]);
	vmgen_free(g);
	if (r < 0) {
		fprintf(stderr, "fault-gen: cannot write %s: %s\n", argv[2], strerror(-r));
		return 1;
	}
	return 0;
}
