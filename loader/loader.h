/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libloader: arm a capture (or plain kexec) kernel on x86_64 with kexec_load and our purgatory. */
#ifndef LOADER_LOADER_H
#define LOADER_LOADER_H

#include "base/base.h"

/* ---- limits (every input-driven count is capped) ------------------------------------------ */
enum {
	LOADER_MAX_RANGES = 4096,	/* memory ranges read from /proc/iomem or the memmap */
	LOADER_MAX_CPUS = 8192,		/* possible CPUs (NR_CPUS of distribution kernels) */
	LOADER_MAX_CRASH_REGIONS = 8,	/* "Crash kernel" lines kept (as kexec-tools) */
	LOADER_MAX_SEGMENTS = 16,	/* KEXEC_SEGMENT_MAX */
	LOADER_MAX_E820 = 128,		/* boot_params e820_table entries */
	LOADER_BOOT_PARAMS_SIZE = 4096,
};

/* ---- memory ranges ---------------------------------------------------------------------- */
enum loader_mem_type {
	LOADER_MEM_RAM = 1,		/* e820 numbering */
	LOADER_MEM_RESERVED = 2,
	LOADER_MEM_ACPI = 3,
	LOADER_MEM_NVS = 4,
	LOADER_MEM_UNUSABLE = 5,
	LOADER_MEM_PMEM = 7,
	LOADER_MEM_PRAM = 12,
	LOADER_MEM_SOFT_RESERVED = 0xefffffff,
	LOADER_MEM_OTHER = 0,		/* not memory for our purposes (PCI windows, ...) */
};

struct loader_range {
	uint64_t start;
	uint64_t end;	/* inclusive, as in /proc/iomem */
	enum loader_mem_type type;
};

/* Maps an iomem / firmware memmap resource name to a type (LOADER_MEM_OTHER if none). */
enum loader_mem_type loader_mem_type_from_name(const char *name);
const char *loader_mem_type_name(enum loader_mem_type t);

/* One possible CPU's crash note buffer (crash_notes in sysfs). */
struct loader_cpu_note {
	unsigned cpu;
	uint64_t addr;
	uint64_t size;
};

/*
 * What the running (first) kernel tells about itself, read relative to a sysroot. Built by
 * loader_sysinfo_read(); every array is owned by the struct and freed by
 * loader_sysinfo_destroy().
 */
struct loader_sysinfo {
	char *root;			/* the sysroot ("/" for the live system) */

	/* /proc/iomem */
	struct loader_range *ram;	/* "System RAM*" ranges, sorted, any depth */
	size_t n_ram;
	struct loader_range *iomem_mem; /* top-level RAM/reserved/ACPI/NVS/PMEM ranges, sorted */
	size_t n_iomem_mem;
	struct loader_range crash[LOADER_MAX_CRASH_REGIONS]; /* "Crash kernel" lines, sorted */
	size_t n_crash;
	bool have_crash_high;		/* crash[n_crash-1] is crashk_res */
	struct loader_range crash_high; /* the one kexec_load accepts (highest) */
	bool have_crash_low;		/* a second region below 4 GiB (crashkernel=,low) */
	struct loader_range crash_low;
	uint64_t kernel_code_start;	/* "Kernel code" start, 0 if none */
	bool iomem_zeroed;		/* all addresses read 0: not root */

	/* /sys/firmware/memmap (may be empty: then ranges come from iomem) */
	struct loader_range *memmap;
	size_t n_memmap;

	/* /sys/kernel/vmcoreinfo */
	uint64_t vmcoreinfo_addr, vmcoreinfo_size;
	/* /sys/devices/system/cpu/possible and cpuN/crash_notes */
	struct loader_cpu_note *cpus;
	size_t n_cpus;
	size_t n_possible;		/* CPUs in the possible list */
	unsigned missing_cpus;		/* possible CPUs without a cpuN directory (not present) */
	char *cpu_error;		/* why the CPU notes are unknown, NULL if read */

	/* /proc/kcore program headers: kernel text and the direct map */
	bool have_text;
	uint64_t text_vaddr, text_paddr, text_size;
	bool have_page_offset;
	uint64_t page_offset;
	char *kcore_error;		/* why the above are missing, NULL if found */

	/* /sys/kernel/boot_params/data (zeroed if absent) */
	uint8_t boot_params[LOADER_BOOT_PARAMS_SIZE];
	bool have_boot_params;
	uint64_t acpi_rsdp;		/* 0 if unknown */
	const char *acpi_rsdp_source;	/* "boot_params", "EFI systab", NULL */

	char *cmdline;			/* /proc/cmdline, trailing newline removed */
	char *release;			/* /proc/sys/kernel/osrelease or /proc/version, may be NULL */
	int crash_loaded;		/* /sys/kernel/kexec_crash_loaded: 0, 1, -1 unknown */
	int kexec_loaded;		/* /sys/kernel/kexec_loaded */
	uint64_t crash_size;		/* /sys/kernel/kexec_crash_size, 0 if unknown */
	uint64_t crash_hdr_size;	/* /sys/kernel/crash_elfcorehdr_size (crash hotplug), 0 if none */
};

/*
 * Reads everything the loader needs from root ("/" or NULL: the live system). Missing
 * optional files leave fields empty; an unreadable /proc/iomem is an error. What only a crash
 * load needs (CPU notes, kcore) is recorded as an error string (cpu_error, kcore_error) that
 * loader_elfcorehdr_build reports, so status and plain kexec work without it.
 * On success *ret (caller destroys) is set.
 */
int loader_sysinfo_read(const char *root, struct loader_sysinfo **ret, struct kd_err *err);
void loader_sysinfo_destroy(struct loader_sysinfo *si);

/* Parses /proc/iomem text into si (exposed for tests and the fuzz target). */
int loader_parse_iomem(struct loader_sysinfo *si, const char *text, const char *path,
		       struct kd_err *err);
/* Parses a cpulist ("0-3,8"); calls fn for each CPU, at most max CPUs. */
int loader_parse_cpulist(const char *s, unsigned max, int (*fn)(unsigned cpu, void *ctx),
			 void *ctx);

/* ---- the elfcorehdr --------------------------------------------------------------------- */
/*
 * Builds the ELF64 core header describing the first kernel's memory for the capture kernel:
 * one PT_NOTE per possible CPU (crash_notes), the VMCOREINFO PT_NOTE, the kernel text
 * PT_LOAD, and one PT_LOAD per System RAM range minus [0, 1 MiB) and the crash regions (the
 * kernel's own kexec_file_load choice, see loader/elfcore.c). *ret_buf is malloc'd (caller
 * frees), *ret_len its exact size.
 */
int loader_elfcorehdr_build(const struct loader_sysinfo *si, uint8_t **ret_buf, size_t *ret_len,
			    struct kd_err *err);

/* ---- bzImage ---------------------------------------------------------------------------- */
struct loader_bzimage {
	const uint8_t *data;	/* the whole file (borrowed) */
	size_t size;
	uint16_t version;	/* boot protocol, e.g. 0x020f */
	unsigned setup_sects;
	size_t setup_size;	/* (setup_sects + 1) * 512: the payload starts there */
	size_t header_end;	/* 0x202 + jump offset: setup header is [0x1f1, header_end) */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t kernel_alignment;
	uint8_t relocatable;
	uint32_t cmdline_size;
	uint64_t pref_address;
	uint32_t init_size;
	char kernel_version[128]; /* the version string, "" if none */
};

/* Parses and checks a bzImage in memory (data borrowed for the life of *ret). */
int loader_bzimage_parse(const uint8_t *data, size_t size, const char *name,
			 struct loader_bzimage *ret, struct kd_err *err);

/*
 * The kernel segment: the bzImage's protected-mode part as it is (it decompresses itself at
 * boot, needing init_size bytes), or its payload unpacked at load time into the memory image
 * of the vmlinux inside (PT_LOADs laid out by physical address; the kernel starts at
 * startup_64 with no decompression: seconds saved under emulation, less memory reserved).
 */
struct loader_kernel_image {
	bool unpacked;
	const char *format;	/* payload compressor: "xz", "zstd", "gzip", ... */
	uint8_t *buf;		/* unpacked: owned; the image up to its last non-zero page */
	size_t bufsz;
	uint64_t memsz;		/* the whole image, bss included (page aligned) */
	uint64_t entry_offset;	/* startup_64 from the load address */
	size_t n_loads;		/* PT_LOADs of the vmlinux */
	uint64_t payload_size, vmlinux_size;
};

/*
 * Unpacks bz's payload (gzip, xz, zstd) into *ret (release with loader_kernel_image_release).
 * -EOPNOTSUPP: a payload we do not unpack (bzip2, lzma, lzo, lz4, old protocol), -ENOMEM: no
 * memory for it (the vmlinux and its image at once); the plan then loads the bzImage as it is.
 * Other errors: the payload or the vmlinux in it is damaged.
 */
int loader_bzimage_unpack(const struct loader_bzimage *bz, const char *name,
			  struct loader_kernel_image *ret, struct kd_err *err);
void loader_kernel_image_release(struct loader_kernel_image *ki);

/* ---- SHA-256 ---------------------------------------------------------------------------- */
/*
 * kd_sha256_init/update/final and struct kd_sha256: one freestanding implementation
 * shared with the purgatory (static inline, no libc).
 */
#include "base/sha256.h"

/* ---- the syscall seam ------------------------------------------------------------------- */
/* struct kexec_segment of <linux/kexec.h>, 32 bytes. */
struct loader_kexec_segment {
	const void *buf;
	size_t bufsz;
	uint64_t mem;
	uint64_t memsz;
};

enum {
	LOADER_KEXEC_ON_CRASH = 0x1,
	LOADER_KEXEC_UPDATE_ELFCOREHDR = 0x4,	/* the kernel may rewrite the header (hotplug) */
	LOADER_KEXEC_ARCH_X86_64 = 62 << 16,
	LOADER_KEXEC_FILE_UNLOAD = 0x1,
	LOADER_KEXEC_FILE_ON_CRASH = 0x2,
	LOADER_KEXEC_FILE_NO_INITRAMFS = 0x4,
};

/*
 * Every call that changes the live kernel. Each returns 0 or -errno. Tests install their
 * own table to record calls; loader_sys_real() is the real one.
 */
struct loader_sys {
	int (*kexec_load)(void *ctx, uint64_t entry, size_t nr,
			  const struct loader_kexec_segment *segs, unsigned long flags);
	int (*kexec_file_load)(void *ctx, int kernel_fd, int initrd_fd, size_t cmdline_len,
			       const char *cmdline, unsigned long flags);
	/* reboot(LINUX_REBOOT_CMD_KEXEC): returns only on failure */
	int (*reboot_kexec)(void *ctx);
	void *ctx;
};
const struct loader_sys *loader_sys_real(void);

/* ---- the plan --------------------------------------------------------------------------- */
enum loader_mode {
	LOADER_MODE_CRASH,	/* kexec_load(KEXEC_ON_CRASH): the capture kernel */
	LOADER_MODE_KEXEC,	/* plain kexec: reboot into a new kernel */
};

struct loader_opts {
	enum loader_mode mode;
	const char *kernel_path;	/* required */
	const char *initrd_path;	/* NULL: none */
	const char *append;		/* user command line part, NULL: none */
	bool reuse_cmdline;		/* start from /proc/cmdline (minus BOOT_IMAGE=, crashkernel=) */
	uint16_t serial_port;		/* purgatory messages (0: silent), default 0x3f8 */
	bool no_hotplug;		/* do not let the kernel update the elfcorehdr on hotplug */
	bool no_unpack;			/* load the bzImage as it is (it decompresses itself) */
};

enum loader_seg_kind {
	LOADER_SEG_ELFCOREHDR,
	LOADER_SEG_PURGATORY,
	LOADER_SEG_BOOT_PARAMS,
	LOADER_SEG_KERNEL,
	LOADER_SEG_INITRD,
};
const char *loader_seg_kind_name(enum loader_seg_kind k);

struct loader_segment {
	enum loader_seg_kind kind;
	uint8_t *buf;		/* owned by the plan, or borrowed from a file image it owns */
	size_t bufsz;
	uint64_t mem;
	uint64_t memsz;
	uint8_t sha256[32];	/* of buf (the kernel zero-fills the rest up to memsz) */
	bool hashed;		/* checked by the purgatory */
};

/*
 * Everything the loader would do: segments, entry, flags, the capture command line, the
 * e820 map given to the new kernel. Created by loader_plan_create (no syscall is made).
 */
struct loader_plan {
	enum loader_mode mode;
	struct loader_segment seg[LOADER_MAX_SEGMENTS];
	size_t n_seg;			/* sorted by mem */
	uint64_t entry;			/* purgatory entry */
	unsigned long flags;		/* kexec_load flags */
	char *cmdline;			/* the new kernel's command line */
	char *user_cmdline;		/* the part without what the loader adds (for kexec_file_load) */
	struct loader_range e820[LOADER_MAX_E820];
	size_t n_e820;
	struct loader_range window;	/* where segments may go (the crash reservation) */
	uint64_t free_low_start, free_low_end; /* free pages for control pages (inclusive end) */
	uint64_t control_bytes;		/* what we estimated the kernel needs there */
	uint64_t elfcorehdr_addr;	/* 0 for LOADER_MODE_KEXEC */
	bool hotplug;			/* KEXEC_UPDATE_ELFCOREHDR: header sized by the kernel,
					 * rewritten on CPU/memory hotplug, so not digest-checked */
	size_t elfcorehdr_phnum;
	uint64_t kernel_entry;		/* startup_64 (unpacked), or the bzImage's load address + 0x200 */
	uint64_t boot_params_addr;
	uint64_t acpi_rsdp;
	struct loader_bzimage bz;
	struct loader_kernel_image kimg; /* unpacked, or not (why in unpack_note) */
	char unpack_note[256];		/* why the bzImage is loaded as it is, "" if unpacked */
	/* owned file images */
	uint8_t *kernel_file;
	size_t kernel_file_size;
	uint8_t *initrd_file;
	size_t initrd_size;
	char *kernel_path, *initrd_path;
};

/* Builds the plan; on success *ret (caller destroys). Nothing is loaded. */
int loader_plan_create(const struct loader_sysinfo *si, const struct loader_opts *opts,
		       struct loader_plan **ret, struct kd_err *err);
void loader_plan_destroy(struct loader_plan *plan);

/*
 * Checks a plan against every rule the kernel applies to kexec_load segments (kernel/kexec.c,
 * kexec_core.c): count, alignment, overlap, bufsz <= memsz, inside the crash reservation,
 * entry inside it, destination limit, free pages left for the control and page-table pages.
 */
int loader_plan_check(const struct loader_plan *plan, struct kd_err *err);

/* Prints the plan for humans (--dry-run, status). */
void loader_plan_print(const struct loader_plan *plan, const struct loader_sysinfo *si, FILE *f);

/* The elfcorehdr segment of a crash plan (NULL for plain kexec). */
const struct loader_segment *loader_plan_elfcorehdr(const struct loader_plan *plan);

enum loader_path {
	LOADER_PATH_KEXEC_LOAD,
	LOADER_PATH_KEXEC_FILE_LOAD,
};

/*
 * Loads the plan through sys: kexec_load; when the kernel refuses it with EPERM or EACCES
 * (lockdown, Secure Boot, IMA), kexec_file_load with the same kernel, initrd and user
 * command line (the kernel then builds its own elfcorehdr). *ret_path says which worked.
 * Checks the plan first: a plan breaking a kernel rule is never passed to the kernel.
 */
int loader_plan_load(const struct loader_plan *plan, const struct loader_sys *sys,
		     enum loader_path *ret_path, struct kd_err *err);

/* Loads with kexec_file_load only (the kernel builds elfcorehdr, boot_params, purgatory). */
int loader_plan_file_load(const struct loader_plan *plan, const struct loader_sys *sys,
			  struct kd_err *err);

/* Unloads the crash (crash = true) or plain kexec image; falls back to kexec_file_load. */
int loader_unload(const struct loader_sys *sys, bool crash, struct kd_err *err);

/* ---- the purgatory ---------------------------------------------------------------------- */
/* The embedded purgatory blob (position independent; see loader/purgatory/). */
void loader_purgatory_blob(const uint8_t **ret_data, size_t *ret_size);

#endif
