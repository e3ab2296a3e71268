/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libvmcore: read crash dumps (ELF /proc/vmcore, kdump-compressed), filter, compress, write. */
#ifndef VMCORE_H
#define VMCORE_H

#include "base/base.h"

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
 * Sets *ram to vmcore_pfn_is_ram(pfn) and returns the end of the run of pfns from pfn on with
 * the same answer, at most end (a shorter run where the format cannot tell: then ask again).
 */
uint64_t vmcore_ram_run(const struct vmcore *vc, uint64_t pfn, uint64_t end, bool *ram);
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
/* Kernel log (dmesg): the lockless printk ring buffer (5.10+) or the legacy log_buf (3.5-5.9), */
/* found through VMCOREINFO alone. Everything read is untrusted and checked.                  */

enum vmcore_log_kind {
	VMCORE_LOG_NONE,
	VMCORE_LOG_LOCKLESS,	/* SYMBOL(prb): struct printk_ringbuffer */
	VMCORE_LOG_LEGACY,	/* SYMBOL(log_buf): struct printk_log records */
};

/* One record as stored by the dead kernel. */
struct vmcore_log_record {
	uint64_t seq;		/* printk_info.seq; legacy: position in the walk, from 0 */
	uint64_t ts_nsec;	/* local clock at printk time */
	uint32_t caller_id;	/* bit 31 set: CPU number, else thread id; see has_caller */
	bool has_caller;	/* the kernel exports OFFSET(printk_info.caller_id) */
	const char *text;	/* text_len raw bytes (any byte value), not NUL-terminated */
	size_t text_len;
};

/* What a walk saw. Skipped records are normal (slots being reused); invalid ones are not. */
struct vmcore_log_stats {
	enum vmcore_log_kind kind;
	uint64_t records;	/* records passed to the callback */
	uint64_t skipped;	/* reserved, reusable or overwritten slots, data-less records */
	uint64_t truncated;	/* text longer than its data block, cut to the block */
	uint64_t invalid;	/* records that failed validation and were left out */
	char warning[256];	/* the first problem met (invalid record, clamped range), or "" */
};

/*
 * Called once per valid record, in log order; the record (and its text) is only valid during
 * the call. A non-zero return stops the walk and is returned by vmcore_log_walk.
 */
typedef int (*vmcore_log_fn)(const struct vmcore_log_record *rec, void *data);

/*
 * Walks the kernel log of vc: the lockless ring buffer when VMCOREINFO has SYMBOL(prb), else
 * the legacy log_buf. Records that do not validate are counted in *ret_stats (may be NULL) and
 * skipped; what makes the whole log unreadable (missing keys, implausible sizes, the ring
 * structure outside the dump) is an error naming the file and what is missing. Memory use
 * does not depend on the log's size beyond one record's text (at most 64 KiB).
 */
int vmcore_log_walk(struct vmcore *vc, vmcore_log_fn fn, void *data,
		    struct vmcore_log_stats *ret_stats, struct kd_err *err);

enum vmcore_dmesg_flags {
	/* Add makedumpfile 1.7.5+'s caller column ("[    T123] ") when the kernel has it. */
	VMCORE_DMESG_CALLER = 1 << 0,
};

/*
 * Formats one record as `makedumpfile --dump-dmesg` does: "[%5lu.%06lu] ", the caller column
 * if asked, the text with each newline followed by an indent to the text column, bytes that
 * are neither printable ASCII nor white space as "\xNN" (the byte's value; makedumpfile
 * 1.7.2-1.7.8 sign-extend bytes >= 0x80 to "\xffffffNN"), then "\n". The line is built in
 * *buf (malloc'd, grown as needed; the caller frees it); its length in *ret_len.
 */
int vmcore_dmesg_format(const struct vmcore_log_record *rec, unsigned flags, char **buf,
			size_t *cap, size_t *ret_len);

/* Receives formatted output; returns 0 or -errno (which stops the walk). */
typedef int (*vmcore_write_fn)(const void *buf, size_t len, void *data);

/* Walks the log and writes each record, formatted, through fn. */
int vmcore_dmesg(struct vmcore *vc, unsigned flags, vmcore_write_fn fn, void *data,
		 struct vmcore_log_stats *ret_stats, struct kd_err *err);
/* The same into a stdio stream (write errors are reported as -EIO/-errno). */
int vmcore_dmesg_file(struct vmcore *vc, unsigned flags, FILE *f,
		      struct vmcore_log_stats *ret_stats, struct kd_err *err);

/* What the log says about the crash. Strings are escaped like dmesg output, NUL-terminated. */
struct vmcore_panic {
	bool has_message;
	char message[512];	/* after the last "Kernel panic - not syncing: ", else the last
				 * oops line ("BUG: ...", "Oops: ...", "kernel BUG at ...") */
	uint64_t message_ts_nsec;
	bool has_task;		/* a "CPU: N ... PID: P Comm: C" line was found */
	int cpu;		/* N (-1 if none) */
	int64_t pid;		/* P (-1 if none) */
	char comm[64];		/* C */
};

/*
 * Scans the log for the panic message and the task line of the crash (the last "CPU: ..."
 * line after the last panic message, or the last one at all). -ENOENT (with err) if the log has
 * neither; other errors as vmcore_log_walk.
 */
int vmcore_dmesg_panic(struct vmcore *vc, struct vmcore_panic *ret, struct kd_err *err);

/*
 * Picks the NT_PRSTATUS note of the CPU that crashed (notes are in CPU order, but a CPU that
 * did not answer the crash NMI has none, so an index is not always a CPU number):
 *  1. "log": the note whose pid is the PID of the crash's task line in the log (panic() and
 *     oopses print "CPU: N ... PID: P" on the crashing CPU); for PID 0 (idle or interrupt
 *     context), note N if its pid is 0 too;
 *  2. "pid": else the first note with a non-zero pid saved in kernel mode (crash_kexec saves
 *     its own CPU's registers there; idle CPUs have pid 0), else the first with a non-zero pid;
 *  3. "first": else note 0.
 * panic may be NULL (rule 1 is then skipped). -ENOENT if the dump has no NT_PRSTATUS.
 */
int vmcore_crashing_cpu(const struct vmcore *vc, const struct vmcore_panic *panic,
			size_t *ret_cpu, const char **ret_how);

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
/* Compressors: one per page, as in kdump-compressed page descriptors.                        */

/* Status / page_desc flag bits of kdump-compressed files (diskdump_mod.h). */
enum vmcore_dump_status {
	VMCORE_DUMP_ZLIB = 0x1,
	VMCORE_DUMP_LZO = 0x2,
	VMCORE_DUMP_SNAPPY = 0x4,
	VMCORE_DUMP_INCOMPLETE = 0x8,
	VMCORE_DUMP_EXCLUDED_VMEMMAP = 0x10,
	VMCORE_DUMP_ZSTD = 0x20,
	VMCORE_DUMP_COMPRESS_MASK = 0x1 | 0x2 | 0x4 | 0x20,
};

/*
 * A compression method. Contexts are per thread (create/destroy); compress and decompress
 * return 0 or a negative errno and never print.
 */
struct vmcore_compressor {
	const char *name;	/* "none", "zlib", "lzo", "zstd" */
	uint32_t flag;		/* VMCORE_DUMP_* bit; 0 for none */
	/* Output buffer size needed to compress len bytes. */
	size_t (*bound)(size_t len);
	/* A new context (NULL: out of memory). */
	void *(*create)(void);
	/* Compresses len bytes of src into dst (cap bytes); sets *ret_len. */
	int (*compress)(void *ctx, const void *src, size_t len, void *dst, size_t cap,
			size_t *ret_len);
	/* Decompresses into dst (cap bytes); sets *ret_len to the bytes produced. */
	int (*decompress)(const void *src, size_t len, void *dst, size_t cap, size_t *ret_len);
	void (*destroy)(void *ctx);
};

/* The compressor named ("none", "zlib", "lzo", "zstd"), or NULL if unknown or not built in. */
const struct vmcore_compressor *vmcore_compressor_find(const char *name);
/* The compressor of a page_desc flag (0: none), or NULL. */
const struct vmcore_compressor *vmcore_compressor_by_flag(uint32_t flag);
/* Every built-in compressor, "none" first; sets *ret_n. */
const struct vmcore_compressor *const *vmcore_compressor_list(size_t *ret_n);
/*
 * Compresses one page with makedumpfile's rule: if compression fails or does not make the
 * page smaller, the page is stored raw. dst must hold max(bound(len), len) bytes. Sets
 * *ret_len and *ret_flag (c->flag, or 0 for a raw page; then dst holds a copy of src).
 */
void vmcore_compress_page(const struct vmcore_compressor *c, void *ctx, const void *src,
			  size_t len, void *dst, size_t cap, size_t *ret_len, uint32_t *ret_flag);
/*
 * Decodes a stored page: flag 0 means raw (len must equal page_size), else the compressor of
 * flag must produce exactly page_size bytes. -EBADMSG otherwise, -EOPNOTSUPP for a method
 * that is not built in.
 */
int vmcore_decompress_page(uint32_t flag, const void *src, size_t len, void *dst,
			   size_t page_size);

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

/*
 * Pages counted per class by a filter pass. Every pfn of bitmap1 (RAM) lands in exactly one
 * class: ram = kept + cache + cache_private + user + free + hwpoison + offline.
 */
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
 * Prepares filtering of vc (which must outlive the filter) at a dump level (0-31), with
 * makedumpfile 1.7.8's rules for the kernel at hand, from VMCOREINFO alone. Content-based
 * exclusion (bit 1, zero pages) is left to the writer; this decides everything that struct
 * page tells. hwpoisoned and offline pages are dropped at every level when VMCOREINFO names
 * them, as makedumpfile does.
 *
 * Creating walks the whole mem_map once (a self-check that also yields the totals, see
 * vmcore_filter_totals). If VMCOREINFO lacks what a level needs, or the pass finds what no
 * kernel produces (unreadable mem_section, impossible flag combinations, buddy orders past the
 * free areas, free lists that loop...), the bits that cannot be trusted are dropped and
 * *ret_warning says why; pages whose struct page cannot be read are kept. *ret_warning is NULL
 * or a message owned by the filter (valid until vmcore_filter_destroy). The effective level is
 * vmcore_filter_level(). Returns -EINVAL for a level above 31, -ENOMEM, or a read error.
 */
int vmcore_filter_create(struct vmcore *vc, unsigned level, struct vmcore_filter **ret,
			 const char **ret_warning, struct kd_err *err);
/*
 * vmcore_filter_create with the pass over the mem_map split across threads (0: the online
 * CPUs; vmcore_filter_create uses 1). The filter is the same whatever the count. vc must not
 * be used by another thread meanwhile.
 */
int vmcore_filter_create_threads(struct vmcore *vc, unsigned level, unsigned threads,
				 struct vmcore_filter **ret, const char **ret_warning,
				 struct kd_err *err);
/* Frees the filter; NULL is accepted. */
void vmcore_filter_destroy(struct vmcore_filter *f);
/* The effective dump level (the requested one minus the bits that had to be dropped). */
unsigned vmcore_filter_level(const struct vmcore_filter *f);
/*
 * Decides pfns [start, end) (start a multiple of 8): sets bit (pfn - start) of bitmap (LSB
 * first, (end - start + 7) / 8 bytes written) for every pfn to be dumped, clears the others.
 * Windows may be asked in any order, of any size, and more than once: the answer does not
 * depend on it (going on from the previous window's end is the fast path; another start
 * costs a look back over at most 2^18 struct pages). Memory use does not depend on the
 * dump's size. Not thread-safe: one caller at a time.
 */
int vmcore_filter_window(struct vmcore_filter *f, uint64_t start, uint64_t end, uint8_t *bitmap,
			 struct kd_err *err);
/* Counts accumulated by the windows decided so far (each pfn counted once per window call). */
const struct vmcore_filter_stats *vmcore_filter_stats(const struct vmcore_filter *f);
/*
 * Counts for the whole dump at the effective level, from the pass made by create: totals.kept
 * is the number of pages the dump will hold before zero-page exclusion.
 */
const struct vmcore_filter_stats *vmcore_filter_totals(const struct vmcore_filter *f);

/* ------------------------------------------------------------------------------------------ */
/* Capture: filter a dump's pages and write them as a kdump-compressed or ELF dump.            */

#include <signal.h>

enum vmcore_output {
	VMCORE_OUT_KDUMP,	/* kdump-compressed (diskdump, header version 6) */
	VMCORE_OUT_ELF,		/* ELF like makedumpfile -E */
};

enum vmcore_read_mode {
	VMCORE_READ_AUTO,	/* mmap for /proc/vmcore, pread for other files */
	VMCORE_READ_MMAP,	/* mmap whatever the file (pread where mapping fails) */
	VMCORE_READ_PREAD,	/* pread only */
};

struct vmcore_capture_opts {
	unsigned level;		/* dump level 0-31 (makedumpfile -d) */
	enum vmcore_output format;
	/* Write makedumpfile's flattened stream (records) to the fd instead of a file (-F). */
	bool flatten;
	const struct vmcore_compressor *comp;	/* kdump only; NULL: none */
	unsigned threads;	/* compression threads, and the filter survey's; 0: the online CPUs */
	/*
	 * How the input is read. AUTO: /proc/vmcore (procfs) through mmap windows (1 MiB per
	 * thread; its read path maps old memory page by page), falling back to pread for the
	 * rest of the run if a mapping fails; any other file with pread (cheaper than mapping
	 * and unmapping windows, which costs TLB-shootdown IPIs between the threads).
	 */
	enum vmcore_read_mode read_mode;
	uint64_t window_pfns;	/* pfns per filter window; 0: the default (tests use small) */
	/* Called from the calling thread as pages are written (may be NULL). */
	void (*progress)(void *data, uint64_t done, uint64_t total);
	void *progress_data;
	/* When this becomes non-zero (a signal handler's flag), stop and mark the dump incomplete. */
	const volatile sig_atomic_t *stop;
	/*
	 * Resume: the output file already holds resume_size bytes of an earlier capture of the
	 * same vmcore with the same options that stopped part way (kdump capture --resume).
	 * The capture is made again; bytes already there are checked (a difference is an error,
	 * -EILSEQ) and kept, the rest is written. The result is the uninterrupted capture's.
	 */
	uint64_t resume_size;
};

/* What a capture did; filled as far as it got, also on failure. */
struct vmcore_capture_report {
	unsigned level;		/* the level used (the filter may fall back) */
	char filter_warning[512];	/* why the filter dropped level bits, or "" */
	struct vmcore_filter_stats filter;	/* the filter's totals at the level used */
	uint64_t max_pfn;
	uint64_t pages_written;	/* pages with data in the output */
	uint64_t zero_pages;	/* excluded (ELF) or shared (kdump) as zero pages */
	uint64_t compressed_pages, raw_pages;
	uint64_t output_bytes;	/* file size, or bytes streamed when flattened */
	uint64_t resume_kept;	/* resuming: bytes found already written (and checked) */
	unsigned threads;
	bool mmap_used;
	bool incomplete;	/* the output was marked incomplete */
	char warning[256];	/* a non-fatal oddity worth telling the user, or "" */
};

/*
 * Captures vc into fd (a new regular file, or a pipe when flattened), named name in
 * messages. Memory stays bounded whatever the dump's size; the output bytes do not depend on
 * the thread count. The output's header says INCOMPLETE (kdump status 0x8, ELF e_flags bit 0)
 * from its first write until the last one, so a capture cut short by anything is marked. On a
 * write error or when *o->stop is set, stops, flushes what is consistent, sets
 * report->incomplete if a marked header went out, and returns the error (-ENOSPC, -EIO,
 * -EINTR, ...) with err naming the file and offset.
 */
int vmcore_capture(struct vmcore *vc, int fd, const char *name,
		   const struct vmcore_capture_opts *o, struct vmcore_capture_report *report,
		   struct kd_err *err);

/*
 * Turns a flattened stream (in_fd, read sequentially) back into the dump it describes on
 * out_fd (a regular file). Every record is validated; sets *ret_size to the output's size.
 */
int vmcore_reassemble(int in_fd, const char *in_name, int out_fd, const char *out_name,
		      uint64_t *ret_size, struct kd_err *err);

#endif
