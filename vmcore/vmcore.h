/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvmcore: read crash dumps (ELF /proc/vmcore, kdump-compressed), filter, compress, write. */
#ifndef VMCORE_H
#define VMCORE_H

#include "kdump/base.h"

/* ------------------------------------------------------------------------------------------ */
/* VMCOREINFO: the KEY=VALUE text the dead kernel left in its note.                            */

struct vmcoreinfo;

/*
 * Parses VMCOREINFO text (not NUL-terminated; at most 1 MiB). Lines that are not KEY=VALUE
 * are kept out, not fatal. Returns a new object in *ret (free with vmcoreinfo_destroy).
 */
int vmcoreinfo_parse(const char *text, size_t len, struct vmcoreinfo **ret, struct kd_err *err);
void vmcoreinfo_destroy(struct vmcoreinfo *vi);
/* The raw text as parsed (not NUL-terminated) and its length. */
const char *vmcoreinfo_text(const struct vmcoreinfo *vi, size_t *ret_len);
/* The value string of a full key ("OSRELEASE", "SYMBOL(prb)"), or NULL if absent. */
const char *vmcoreinfo_get(const struct vmcoreinfo *vi, const char *key);
/*
 * Typed lookups by kind: each returns 0 and sets *ret, -ENOENT if the key is absent, -EINVAL
 * if its value does not parse. SYMBOL and KERNELOFFSET are hex without 0x, OFFSET/SIZE/LENGTH
 * unsigned decimal, NUMBER signed decimal (or 0x hex), CRASHTIME signed decimal.
 */
int vmcoreinfo_symbol(const struct vmcoreinfo *vi, const char *name, uint64_t *ret);
int vmcoreinfo_offset(const struct vmcoreinfo *vi, const char *name, uint64_t *ret);
int vmcoreinfo_size(const struct vmcoreinfo *vi, const char *name, uint64_t *ret);
int vmcoreinfo_length(const struct vmcoreinfo *vi, const char *name, uint64_t *ret);
int vmcoreinfo_number(const struct vmcoreinfo *vi, const char *name, int64_t *ret);
int vmcoreinfo_kerneloffset(const struct vmcoreinfo *vi, uint64_t *ret);
int vmcoreinfo_crashtime(const struct vmcoreinfo *vi, int64_t *ret);
int vmcoreinfo_pagesize(const struct vmcoreinfo *vi, uint64_t *ret);
/* OSRELEASE, or NULL. */
const char *vmcoreinfo_osrelease(const struct vmcoreinfo *vi);
/*
 * Like the typed lookups, but a missing or bad key is an error in err naming the key
 * ("VMCOREINFO lacks OFFSET(page.flags)").
 */
int vmcoreinfo_need_u64(const struct vmcoreinfo *vi, const char *key, uint64_t *ret,
			struct kd_err *err);
int vmcoreinfo_need_s64(const struct vmcoreinfo *vi, const char *key, int64_t *ret,
			struct kd_err *err);

/* ------------------------------------------------------------------------------------------ */
/* Notes.                                                                                      */

/* One NT_PRSTATUS (x86_64 struct elf_prstatus): pid and the 27 registers of pr_reg. */
enum { VMCORE_NR_REGS = 27, VMCORE_REG_RIP = 16, VMCORE_REG_RSP = 19 };
struct vmcore_prstatus {
	uint32_t pid;
	uint64_t regs[VMCORE_NR_REGS];
};
/* Register names in pr_reg order ("r15", ..., "gs"). */
extern const char *const vmcore_reg_names[VMCORE_NR_REGS];

/*
 * Walks a PT_NOTE segment (untrusted): for each note calls fn(name, type, desc, descsz,
 * desc_offset_in_segment, data). Stops at the end, at an all-zero header, or when fn returns
 * non-zero (which is returned). A note that overruns the segment is an error naming its
 * offset.
 */
typedef int (*vmcore_note_fn)(const char *name, uint32_t type, const uint8_t *desc,
			      uint32_t descsz, uint64_t desc_off, void *data);
int vmcore_notes_walk(const uint8_t *seg, size_t len, vmcore_note_fn fn, void *data,
		      struct kd_err *err);

/* ------------------------------------------------------------------------------------------ */
/* A dump being read: ELF vmcore or kdump-compressed file, behind one handle.                 */

enum vmcore_format {
	VMCORE_FORMAT_ELF,
	VMCORE_FORMAT_KDUMP,	/* kdump-compressed (diskdump) */
	VMCORE_FORMAT_FLAT,	/* makedumpfile flattened stream: not readable in place */
};

/* A PT_LOAD of an ELF vmcore (for other formats: none). */
struct vmcore_load {
	uint64_t paddr, vaddr, memsz, filesz, offset;
};

/* What a dump file says of itself (kdump-compressed header; ELF: level -1, compression 0). */
struct vmcore_dumpinfo {
	int dump_level;		/* -1 if unknown (raw vmcore) */
	uint32_t status;	/* kdump-compressed status flags (compression, incomplete) */
	bool incomplete;
	uint32_t header_version;
	uint64_t nr_dumped;	/* pages with data (bitmap2 count) */
	char release[65];	/* utsname.release from the header, if any */
	char version[65];
	char machine[65];
	int64_t timestamp;
};

struct vmcore;

/*
 * Opens a dump for reading: probes the format (ELF or kdump-compressed), parses headers and
 * notes (including VMCOREINFO) and sets up address translation when VMCOREINFO allows.
 * Everything read is validated; bad input is an error naming the file and offset.
 * Flattened files are refused with a hint to use `kdump reassemble`.
 */
int vmcore_open(const char *path, struct vmcore **ret, struct kd_err *err);
/* Closes it; NULL is accepted. */
void vmcore_close(struct vmcore *vc);

enum vmcore_format vmcore_format(const struct vmcore *vc);
const char *vmcore_format_name(enum vmcore_format f);
const char *vmcore_path(const struct vmcore *vc);
int vmcore_fd(const struct vmcore *vc);
uint64_t vmcore_file_size(const struct vmcore *vc);
uint32_t vmcore_page_size(const struct vmcore *vc);
/* One past the highest pfn that the dump describes (makedumpfile's max_mapnr). */
uint64_t vmcore_max_pfn(const struct vmcore *vc);
const struct vmcoreinfo *vmcore_vmcoreinfo(const struct vmcore *vc);
const struct vmcore_dumpinfo *vmcore_dumpinfo(const struct vmcore *vc);
/* The notes segment as stored (trimmed to its notes), or NULL. */
const uint8_t *vmcore_notes(const struct vmcore *vc, size_t *ret_len);
/* Offset of the VMCOREINFO desc inside the notes segment and its size (-ENOENT if none). */
int vmcore_vmcoreinfo_note(const struct vmcore *vc, uint64_t *ret_off, uint64_t *ret_size);
size_t vmcore_nr_cpus(const struct vmcore *vc);
const struct vmcore_prstatus *vmcore_prstatus(const struct vmcore *vc, size_t cpu);
/* ELF only: the PT_LOADs in file order (kernel text first on x86_64). */
const struct vmcore_load *vmcore_loads(const struct vmcore *vc, size_t *ret_n);
/*
 * True if the whole page of pfn is RAM in the dump (for ELF: inside one PT_LOAD's file data,
 * the makedumpfile bitmap1 rule: [paddr >> shift, (paddr + memsz) >> shift)).
 */
bool vmcore_pfn_is_ram(const struct vmcore *vc, uint64_t pfn);
/*
 * ELF only: the file offset of a whole page (for mmap/pread pipelines). -ENOENT if the page is
 * not entirely backed by file data of one PT_LOAD.
 */
int vmcore_pfn_offset(const struct vmcore *vc, uint64_t pfn, uint64_t *ret_off);

/*
 * Reads the page of pfn into buf (page size bytes). Parts not backed by the dump read as
 * zero; -ENOENT (with err) if no part of the page is in the dump (a hole, or a page excluded
 * from a filtered dump).
 */
int vmcore_read_pfn(struct vmcore *vc, uint64_t pfn, void *buf, struct kd_err *err);
/* Reads len bytes of physical memory; any page missing is -ENOENT naming the address. */
int vmcore_read_phys(struct vmcore *vc, uint64_t paddr, void *buf, size_t len,
		     struct kd_err *err);
/* Reads len bytes at a kernel virtual address (x86_64 translation; see vmcore_vtop). */
int vmcore_read_virt(struct vmcore *vc, uint64_t vaddr, void *buf, size_t len,
		     struct kd_err *err);
int vmcore_read_virt_u64(struct vmcore *vc, uint64_t vaddr, uint64_t *ret, struct kd_err *err);

/* ------------------------------------------------------------------------------------------ */
/* x86_64 address translation.                                                              */

/*
 * Translates a kernel virtual address: kernel image (phys_base), direct map (page_offset_base
 * from the PT_LOADs or probed from the page tables) and everything else by walking the page
 * tables from init_top_pgt (4- or 5-level). -EFAULT with err if not mapped.
 */
int vmcore_vtop(struct vmcore *vc, uint64_t vaddr, uint64_t *ret_paddr, struct kd_err *err);
/* The direct-map base in use (0 if translation is not set up). */
uint64_t vmcore_page_offset(const struct vmcore *vc);

/* ------------------------------------------------------------------------------------------ */
/* Page filter (dump levels).                                                                 */

/* Dump level bits, as makedumpfile's -d. */
enum vmcore_level_bits {
	VMCORE_EXCL_ZERO = 1,
	VMCORE_EXCL_CACHE = 2,
	VMCORE_EXCL_CACHE_PRIVATE = 4,
	VMCORE_EXCL_USER = 8,
	VMCORE_EXCL_FREE = 16,
	VMCORE_LEVEL_MAX = 31,
};

/* Pages counted per class by a filter pass. */
struct vmcore_filter_stats {
	uint64_t ram;		/* pfns in bitmap1 */
	uint64_t cache;		/* excluded as page cache without private data */
	uint64_t cache_private;	/* excluded as page cache with private data */
	uint64_t user;
	uint64_t free;
	uint64_t hwpoison;
	uint64_t offline;
	uint64_t kept;		/* left in bitmap2 (zero pages still count here) */
};

struct vmcore_filter;

/*
 * Prepares filtering of vc at a dump level (0-31). Content-based exclusion (bit 1, zero pages)
 * is left to the writer; this decides everything that struct page tells. If VMCOREINFO lacks
 * what a level needs, the filter falls back to the highest safe level and says why in
 * *ret_warning (a static string or NULL). The effective level is vmcore_filter_level().
 */
int vmcore_filter_create(struct vmcore *vc, unsigned level, struct vmcore_filter **ret,
			 const char **ret_warning, struct kd_err *err);
void vmcore_filter_destroy(struct vmcore_filter *f);
unsigned vmcore_filter_level(const struct vmcore_filter *f);
/*
 * Decides pfns [start, end) (start a multiple of 8): sets bit (pfn - start) of bitmap (LSB
 * first) for every pfn to be dumped, clears the others. Windows may be asked in any order and
 * more than once; memory use does not depend on the dump's size.
 */
int vmcore_filter_window(struct vmcore_filter *f, uint64_t start, uint64_t end, uint8_t *bitmap,
			 struct kd_err *err);
/* Counts accumulated by the windows decided so far (each pfn counted once per window call). */
const struct vmcore_filter_stats *vmcore_filter_stats(const struct vmcore_filter *f);

#endif
