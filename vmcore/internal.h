/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvmcore internals shared by its source files: the handle and the format ops table. */
#ifndef VMCORE_INTERNAL_H
#define VMCORE_INTERNAL_H

#include "vmcore/vmcore.h"

/* Caps on what untrusted headers may make us allocate. */
#define VMCORE_MAX_NOTES (64u << 20)
#define VMCORE_MAX_LOADS 65536u
#define VMCORE_MAX_CPUS 8192u
#define VMCORE_MAX_VMCOREINFO (1u << 20)

struct vmcore;

/* One input format: probe by its first bytes, open (fill the handle), read pages, close. */
struct vmcore_format_ops {
	const char *name;
	enum vmcore_format format;
	bool (*probe)(const uint8_t *head, size_t len);
	int (*open)(struct vmcore *vc, struct kd_err *err);
	/* Reads a whole page; -ENOENT if the dump has no part of it. */
	int (*read_pfn)(struct vmcore *vc, uint64_t pfn, void *buf, struct kd_err *err);
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
	/* One-page buffer for phys/virt reads that cross into a page. */
	uint8_t *scratch;
};

/* Takes ownership of notes (malloc'd): parses NT_PRSTATUS and VMCOREINFO into vc. */
int vmcore_set_notes(struct vmcore *vc, uint8_t *notes, size_t len, struct kd_err *err);
/* Sets page size and shift; rejects sizes that are not a power of two in [512, 1 MiB]. */
int vmcore_set_page_size(struct vmcore *vc, uint64_t size, struct kd_err *err);
/* Sets up x86_64 translation from VMCOREINFO (and the PT_LOADs); errors are not fatal. */
int vmcore_x86_init(struct vmcore *vc, struct kd_err *err);
/*
 * vmcore_vtop, and in *ret_span how many bytes from vaddr on translate linearly (to the end of
 * the page, large page or linear region that holds vaddr).
 */
int vmcore_vtop_span(struct vmcore *vc, uint64_t vaddr, uint64_t *ret_paddr, uint64_t *ret_span,
		     struct kd_err *err);

#endif
