/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvmcore internals shared by its source files: the handle and the format ops table. */
#ifndef VMCORE_INTERNAL_H
#define VMCORE_INTERNAL_H

#include "vmcore/vmcore.h"

#include <pthread.h>

/* Caps on what untrusted headers may make us allocate. */
#define VMCORE_MAX_NOTES (64u << 20)
#define VMCORE_MAX_LOADS 65536u
#define VMCORE_MAX_CPUS 8192u
#define VMCORE_MAX_VMCOREINFO (1u << 20)

/* kdump-compressed (diskdump) layout: byte offsets of the fields we read and write. */
enum {
	DD_SIG = 0, DD_VERSION = 8, DD_UTSNAME = 12, DD_UTS_LEN = 65, DD_TIMESTAMP = 408,
	DD_STATUS = 424, DD_BLOCK_SIZE = 428, DD_SUB_HDR_SIZE = 432, DD_BITMAP_BLOCKS = 436,
	DD_MAX_MAPNR = 440, DD_TOTAL_RAM_BLOCKS = 444, DD_DEVICE_BLOCKS = 448,
	DD_WRITTEN_BLOCKS = 452, DD_CURRENT_CPU = 456, DD_NR_CPUS = 460,
	DD_HEADER_SIZE = 464,
	/* struct kdump_sub_header, at offset block_size */
	KH_PHYS_BASE = 0, KH_DUMP_LEVEL = 8, KH_SPLIT = 12, KH_START_PFN = 16, KH_END_PFN = 24,
	KH_OFFSET_VMCOREINFO = 32, KH_SIZE_VMCOREINFO = 40, KH_OFFSET_NOTE = 48,
	KH_SIZE_NOTE = 56, KH_OFFSET_ERASEINFO = 64, KH_SIZE_ERASEINFO = 72,
	KH_START_PFN_64 = 80, KH_END_PFN_64 = 88, KH_MAX_MAPNR_64 = 96, KH_SIZE = 104,
	/* struct page_desc */
	PD_OFFSET = 0, PD_SIZE = 8, PD_FLAGS = 12, PD_PAGE_FLAGS = 16, PD_LEN = 24,
	DD_HEADER_VERSION = 6,
};
#define DD_SIGNATURE "KDUMP   "
/* The largest bitmap (each of the two) a kdump-compressed file may make us load. */
#define VMCORE_MAX_BITMAP (256u << 20)

struct vmcore;

/* One input format: probe by its first bytes, open (fill the handle), read pages, close. */
struct vmcore_format_ops {
	const char *name;
	enum vmcore_format format;
	bool (*probe)(const uint8_t *head, size_t len);
	int (*open)(struct vmcore *vc, struct kd_err *err);
	/* Reads a whole page; -ENOENT if the dump has no part of it. */
	int (*read_pfn)(struct vmcore *vc, uint64_t pfn, void *buf, struct kd_err *err);
	/* Optional: the format's own answers for vmcore_pfn_is_ram / vmcore_pfn_is_dumped. */
	bool (*pfn_is_ram)(const struct vmcore *vc, uint64_t pfn);
	bool (*pfn_is_dumped)(const struct vmcore *vc, uint64_t pfn);
	void (*close)(struct vmcore *vc);
};

extern const struct vmcore_format_ops vmcore_elf_ops;
extern const struct vmcore_format_ops vmcore_kdump_ops;

struct vmcore_x86 {
	bool ready;
	bool l5;
	uint64_t phys_base;
	uint64_t page_offset;
	uint64_t pgt_root;	/* physical address of init_top_pgt */
	uint64_t sme_mask;
	uint64_t kernel_image_size;
};

struct vmcore {
	const struct vmcore_format_ops *ops;
	void *priv;
	char *path;
	int fd;
	uint64_t file_size;
	uint32_t page_size;
	uint32_t page_shift;
	uint64_t max_pfn;
	uint8_t *notes;
	size_t notes_len;
	struct vmcoreinfo *vi;
	uint64_t vmcoreinfo_off, vmcoreinfo_size;
	bool has_vmcoreinfo_note;
	struct vmcore_prstatus *cpus;
	size_t nr_cpus;
	struct vmcore_load *loads;
	size_t nr_loads;
	struct vmcore_dumpinfo dump;
	struct vmcore_x86 x86;
	/* One-page buffer for phys/virt reads that cross into a page, and its lock. */
	uint8_t *scratch;
	pthread_mutex_t scratch_mu;
};

/* Takes ownership of notes (malloc'd): parses NT_PRSTATUS and VMCOREINFO into vc. */
int vmcore_set_notes(struct vmcore *vc, uint8_t *notes, size_t len, struct kd_err *err);
/*
 * vmcore_pfn_offset with the caller's own load hint (a thread's: initially 0), so that threads
 * looking up pages do not share one. hint NULL: the handle's.
 */
int vmcore_pfn_offset_hint(const struct vmcore *vc, uint64_t pfn, size_t *hint,
			   uint64_t *ret_off);
/* Sets page size and shift; rejects sizes that are not a power of two in [512, 1 MiB]. */
int vmcore_set_page_size(struct vmcore *vc, uint64_t size, struct kd_err *err);
/*
 * True if the dump holds data for pfn (kdump-compressed: bitmap2; ELF: RAM). Filtered
 * inputs answer false for the pages they left out, so re-filtering keeps them out.
 */
bool vmcore_pfn_is_dumped(const struct vmcore *vc, uint64_t pfn);
/* Sets up x86_64 translation from VMCOREINFO (and the PT_LOADs); errors are not fatal. */
int vmcore_x86_init(struct vmcore *vc, struct kd_err *err);
/*
 * vmcore_vtop, and in *ret_span how many bytes from vaddr on translate linearly (to the end of
 * the page, large page or linear region that holds vaddr).
 */
int vmcore_vtop_span(struct vmcore *vc, uint64_t vaddr, uint64_t *ret_paddr, uint64_t *ret_span,
		     struct kd_err *err);

#endif
