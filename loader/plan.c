// SPDX-License-Identifier: GPL-2.0-or-later
/* The load plan: segments, their placement, boot_params, command line, purgatory digests. */
#include "loader/loader.h"
#include "loader/purgatory/params.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#define PAGE 4096ULL
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
/* KEXEC_DESTINATION_MEMORY_LIMIT = MAXMEM - 1; MAXMEM is 2^46 with 4-level paging. */
#define DEST_LIMIT (1ULL << 46)
#define MAX_KERNEL_FILE (512ULL << 20)
#define MAX_INITRD_FILE (4ULL << 30)

extern const uint8_t kd_purgatory_blob_start[], kd_purgatory_blob_end[];

void loader_purgatory_blob(const uint8_t **ret_data, size_t *ret_size)
{
	*ret_data = kd_purgatory_blob_start;
	*ret_size = (size_t)(kd_purgatory_blob_end - kd_purgatory_blob_start);
}

const char *loader_seg_kind_name(enum loader_seg_kind k)
{
	switch (k) {
	case LOADER_SEG_ELFCOREHDR:
		return "elfcorehdr";
	case LOADER_SEG_PURGATORY:
		return "purgatory";
	case LOADER_SEG_BOOT_PARAMS:
		return "boot_params+cmdline";
	case LOADER_SEG_KERNEL:
		return "kernel";
	case LOADER_SEG_INITRD:
		return "initrd";
	}
	return "?";
}

static int read_file(const char *path, uint64_t cap, const char *what, uint8_t **ret,
		     size_t *ret_len, struct kd_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ uint8_t *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open the %s %s", what, path);
	if (fstat(fd, &st) < 0)
		return kd_err_sys(err, -errno, "cannot stat %s", path);
	if (!S_ISREG(st.st_mode))
		return kd_err_set(err, -EINVAL, "the %s %s is not a regular file", what, path);
	if ((uint64_t)st.st_size > cap)
		return kd_err_set(err, -EFBIG, "the %s %s is too large (%" PRIu64 " bytes, limit %" PRIu64 ")",
				  what, path, (uint64_t)st.st_size, cap);
	if (st.st_size == 0)
		return kd_err_set(err, -EINVAL, "the %s %s is empty", what, path);
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return kd_err_set(err, -ENOMEM, "out of memory reading %s", path);
	n = kd_read_all(fd, buf, (size_t)st.st_size);
	if (n < 0)
		return kd_err_sys(err, (int)n, "cannot read %s", path);
	if (n != st.st_size)
		return kd_err_set(err, -EIO, "%s shrank while being read", path);
	*ret_len = (size_t)n;
	*ret = KD_TAKE_PTR(buf);
	return 0;
}

/* Appends s to a growing string; returns 0 or -ENOMEM. */
static int str_add(char **dst, const char *s, size_t n)
{
	size_t old = *dst ? strlen(*dst) : 0;
	char *p = realloc(*dst, old + n + 2);

	if (!p)
		return -ENOMEM;
	if (old)
		p[old++] = ' ';
	memcpy(p + old, s, n);
	p[old + n] = '\0';
	*dst = p;
	return 0;
}

static bool drop_token(const char *t, size_t n, bool crash)
{
	static const char *const always[] = { "BOOT_IMAGE=", "initrd=" };
	static const char *const crash_only[] = { "crashkernel=", "elfcorehdr=", "kexec_jump_back_entry=" };

	for (size_t i = 0; i < KD_ARRAY_SIZE(always); i++)
		if (n >= strlen(always[i]) && strncmp(t, always[i], strlen(always[i])) == 0)
			return true;
	for (size_t i = 0; crash && i < KD_ARRAY_SIZE(crash_only); i++)
		if (n >= strlen(crash_only[i]) && strncmp(t, crash_only[i], strlen(crash_only[i])) == 0)
			return true;
	return false;
}

/* Copies the tokens of s (quotes keep blanks inside one token) minus the dropped ones. */
static int add_tokens(char **dst, const char *s, bool filter, bool crash)
{
	while (*s) {
		const char *t;
		bool q = false;
		int rc;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		t = s;
		while (*s && (q || (*s != ' ' && *s != '\t' && *s != '\n'))) {
			if (*s == '"')
				q = !q;
			s++;
		}
		if (filter && drop_token(t, (size_t)(s - t), crash))
			continue;
		rc = str_add(dst, t, (size_t)(s - t));
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int build_cmdline(struct loader_plan *plan, const struct loader_sysinfo *si,
			 const struct loader_opts *o, struct kd_err *err)
{
	char *c = NULL;
	bool crash = o->mode == LOADER_MODE_CRASH;

	if (o->reuse_cmdline) {
		if (!si->cmdline) {
			return kd_err_set(err, -ENOENT, "--reuse-cmdline: cannot read %s/proc/cmdline",
					  strcmp(si->root, "/") ? si->root : "");
		}
		if (add_tokens(&c, si->cmdline, true, crash) < 0)
			goto oom;
	}
	if (o->append && add_tokens(&c, o->append, false, crash) < 0)
		goto oom;
	if (!c && !(c = kd_strdup("")))
		goto oom;
	plan->user_cmdline = c;
	if (strlen(c) > plan->bz.cmdline_size)
		return kd_err_set(err, -E2BIG,
				  "the command line is %zu bytes; %s accepts at most %u: shorten "
				  "--append",
				  strlen(c), plan->kernel_path, plan->bz.cmdline_size);
	return 0;
oom:
	free(c);
	return kd_err_set(err, -ENOMEM, "out of memory");
}

/* ---- placement ---------------------------------------------------------------------------- */

struct placer {
	uint64_t lo;		/* lowest usable address */
	uint64_t cursor;	/* everything at and above is taken (top-down) */
};

static int place(struct placer *p, uint64_t memsz, uint64_t align, uint64_t min, uint64_t *ret)
{
	uint64_t floor = KD_MAX(p->lo, min), addr;

	if (memsz > p->cursor)
		return -ENOSPC;
	addr = KD_ALIGN_DOWN(p->cursor - memsz, align);
	if (addr < floor)
		return -ENOSPC;
	p->cursor = addr;
	*ret = addr;
	return 0;
}

/* Pages the kernel takes first-fit from the bottom of the reservation at load time: the
 * control page and the page tables identity-mapping all RAM (2 MiB pages, worst case without
 * 1 GiB pages: one PMD page per GiB, one PUD page per 512 GiB), plus the segments' and
 * ACPI/EFI mappings. We ask for that with ample slack, at least 1 MiB. */
static uint64_t control_estimate(const struct loader_sysinfo *si)
{
	uint64_t top = 0, pages;

	for (size_t i = 0; i < si->n_ram; i++)
		top = KD_MAX(top, si->ram[i].end + 1);
	pages = 8 + 2 * KD_DIV_ROUND_UP(top, 512 * GIB) + KD_DIV_ROUND_UP(top, GIB) +
		(LOADER_MAX_SEGMENTS + 32) * 4;
	return KD_MAX(pages * PAGE, MIB);
}

static void seg_add(struct loader_plan *plan, enum loader_seg_kind kind, uint8_t *buf,
		    size_t bufsz, uint64_t mem, uint64_t memsz)
{
	struct loader_segment *s = &plan->seg[plan->n_seg++];

	*s = (struct loader_segment){ .kind = kind, .buf = buf, .bufsz = bufsz, .mem = mem,
				      .memsz = memsz };
}

static int cmp_seg(const void *a, const void *b)
{
	const struct loader_segment *x = a, *y = b;

	return x->mem < y->mem ? -1 : x->mem > y->mem;
}

/* ---- e820 -------------------------------------------------------------------------------- */

static int cmp_range_e820(const void *a, const void *b)
{
	const struct loader_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int e820_add(struct loader_plan *plan, uint64_t start, uint64_t end,
		    enum loader_mem_type type, struct kd_err *err)
{
	if (end < start)
		return 0;
	if (plan->n_e820 >= LOADER_MAX_E820)
		return kd_err_set(err, -E2BIG,
				  "the new kernel's memory map needs more than %d entries",
				  LOADER_MAX_E820);
	plan->e820[plan->n_e820++] = (struct loader_range){ start, end, type };
	return 0;
}

/*
 * The capture kernel's map, as the kernel's own kexec_file_load builds it
 * (crash_setup_memmap_entries): System RAM below 1 MiB as usable, ACPI data, ACPI NVS and
 * reserved ranges as they are, the low crash region as usable, and the crash reservation as
 * usable minus the elfcorehdr (so the capture kernel never overwrites the header).
 */
static int e820_crash(struct loader_plan *plan, const struct loader_sysinfo *si,
		      uint64_t hdr_start, uint64_t hdr_end, struct kd_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < si->n_ram && !rc; i++)
		if (si->ram[i].start < MIB)
			rc = e820_add(plan, si->ram[i].start, KD_MIN(si->ram[i].end, MIB - 1),
				      LOADER_MEM_RAM, err);
	for (size_t i = 0; i < si->n_iomem_mem && !rc; i++) {
		const struct loader_range *r = &si->iomem_mem[i];
		if (r->type == LOADER_MEM_ACPI || r->type == LOADER_MEM_NVS ||
		    r->type == LOADER_MEM_RESERVED)
			rc = e820_add(plan, r->start, r->end, r->type, err);
	}
	if (!rc && si->have_crash_low)
		rc = e820_add(plan, si->crash_low.start, si->crash_low.end, LOADER_MEM_RAM, err);
	if (!rc)
		rc = e820_add(plan, si->crash_high.start, hdr_start - 1, LOADER_MEM_RAM, err);
	if (!rc && hdr_end < si->crash_high.end)
		rc = e820_add(plan, hdr_end + 1, si->crash_high.end, LOADER_MEM_RAM, err);
	if (rc)
		return rc;
	qsort(plan->e820, plan->n_e820, sizeof(plan->e820[0]), cmp_range_e820);
	return 0;
}

/* ---- boot_params ------------------------------------------------------------------------- */

static void boot_params_fill(struct loader_plan *plan, const struct loader_sysinfo *si,
			     uint8_t *bp, uint64_t cmdline_addr, uint64_t initrd_addr,
			     uint64_t initrd_size)
{
	const uint8_t *run = si->boot_params;

	memset(bp, 0, LOADER_BOOT_PARAMS_SIZE);
	if (si->have_boot_params) {
		memcpy(bp + 0x000, run + 0x000, 0x40);	/* screen_info */
		bp[0x1e9] = run[0x1e9];			/* eddbuf_entries */
		bp[0x1ea] = run[0x1ea];			/* edd_mbr_sig_buf_entries */
		memcpy(bp + 0x290, run + 0x290, 0x40);	/* edd_mbr_sig_buffer */
		memcpy(bp + 0xd00, run + 0xd00, 0x1ec);	/* eddbuf */
	}
	/* The setup header from the image (0x1f1 .. 0x202 + jump), then our edits. */
	memcpy(bp + 0x1f1, plan->bz.data + 0x1f1, plan->bz.header_end - 0x1f1);
	bp[0x210] = 0xd0;	/* type_of_loader: kexec (ID 0xD) */
	bp[0x211] = 0;		/* loadflags, as both 64-bit kexec loaders */
	if (si->have_boot_params) {
		memcpy(bp + 0x23c, run + 0x23c, 4);	/* hardware_subarch */
		memcpy(bp + 0x240, run + 0x240, 8);	/* hardware_subarch_data */
	}
	kd_put_le64(bp + 0x250, 0);			/* setup_data: none */
	kd_put_le32(bp + 0x228, (uint32_t)cmdline_addr);
	kd_put_le32(bp + 0x0c8, (uint32_t)(cmdline_addr >> 32));
	kd_put_le32(bp + 0x218, (uint32_t)initrd_addr);
	kd_put_le32(bp + 0x0c0, (uint32_t)(initrd_addr >> 32));
	kd_put_le32(bp + 0x21c, (uint32_t)initrd_size);
	kd_put_le32(bp + 0x0c4, (uint32_t)(initrd_size >> 32));
	kd_put_le64(bp + 0x070, plan->acpi_rsdp);
	bp[0x1e8] = (uint8_t)plan->n_e820;
	for (size_t i = 0; i < plan->n_e820; i++) {
		uint8_t *e = bp + 0x2d0 + 20 * i;
		kd_put_le64(e, plan->e820[i].start);
		kd_put_le64(e + 8, plan->e820[i].end - plan->e820[i].start + 1);
		kd_put_le32(e + 16, (uint32_t)plan->e820[i].type);
		/* alt_mem_k: KiB above 1 MiB of the RAM entry spanning 1 MiB */
		if (plan->e820[i].type == LOADER_MEM_RAM && plan->e820[i].start <= MIB &&
		    plan->e820[i].end >= MIB)
			kd_put_le32(bp + 0x1e0,
				    (uint32_t)KD_MIN((plan->e820[i].end + 1 - MIB) >> 10, UINT32_MAX));
	}
}

/* ---- digests and the purgatory ----------------------------------------------------------- */

static void seg_digest(struct loader_segment *s)
{
	struct kd_sha256 c;

	kd_sha256_init(&c);
	kd_sha256_update(&c, s->buf, s->bufsz);
	kd_sha256_final(&c, s->sha256);
}

static int purgatory_patch(struct loader_plan *plan, struct loader_segment *pseg,
			   uint16_t serial_port, struct kd_err *err)
{
	struct kd_purgatory_params pp;
	uint32_t n = 0;

	memcpy(&pp, pseg->buf + KD_PURGATORY_PARAMS_OFFSET, sizeof(pp));
	if (pp.magic != KD_PURGATORY_MAGIC || pp.version != 1 || pp.size != sizeof(pp))
		return kd_err_set(err, -EINVAL, "the embedded purgatory has no parameter block "
						"(build error)");
	pp.kernel_entry = plan->kernel_entry;
	pp.boot_params = plan->boot_params_addr;
	pp.serial_port = serial_port;
	for (size_t i = 0; i < plan->n_seg; i++) {
		struct loader_segment *s = &plan->seg[i];
		if (s->kind == LOADER_SEG_PURGATORY)
			continue;
		seg_digest(s);
		/* The kernel may rewrite a hotplug header after load: not checked. */
		if (s->kind == LOADER_SEG_ELFCOREHDR && plan->hotplug)
			continue;
		s->hashed = true;
		pp.regions[n].start = s->mem;
		/* The bytes passed; the kernel zero-fills the rest at load (kexec_core.c),
		 * and it is the kernel's scratch or bss, written before it is read. */
		pp.regions[n].len = s->bufsz;
		memcpy(pp.regions[n].sha256, s->sha256, 32);
		n++;
	}
	pp.nr_regions = n;
	memcpy(pseg->buf + KD_PURGATORY_PARAMS_OFFSET, &pp, sizeof(pp));
	seg_digest(pseg); /* for display; the purgatory does not check itself */
	return 0;
}

/* ---- the plan ---------------------------------------------------------------------------- */

/* Picks the window for a plain kexec: the highest RAM range (not the crash reservation,
 * above 16 MiB, below 4 GiB for old-loader safety) that fits need bytes. */
static int kexec_window(const struct loader_sysinfo *si, uint64_t need, struct loader_range *ret)
{
	const struct loader_range *r = si->n_memmap ? si->memmap : si->ram;
	size_t n = si->n_memmap ? si->n_memmap : si->n_ram;

	for (size_t i = n; i-- > 0;) {
		uint64_t start = KD_MAX(r[i].start, 16 * MIB), end = KD_MIN(r[i].end, 4 * GIB - 1);
		if (r[i].type != LOADER_MEM_RAM || end <= start)
			continue;
		/* Stay clear of crash regions: keep the largest piece outside them. */
		for (size_t c = 0; c < si->n_crash; c++) {
			const struct loader_range *cr = &si->crash[c];
			if (cr->end < start || cr->start > end)
				continue;
			if (cr->start > start && cr->start - start >= (end > cr->end ? end - cr->end : 0))
				end = cr->start - 1;
			else
				start = cr->end + 1;
		}
		if (end > start && end - start + 1 >= need) {
			*ret = (struct loader_range){ start, end, LOADER_MEM_RAM };
			return 0;
		}
	}
	return -ENOSPC;
}

int loader_plan_create(const struct loader_sysinfo *si, const struct loader_opts *o,
		       struct loader_plan **ret, struct kd_err *err)
{
	struct loader_plan *plan;
	_cleanup_free_ uint8_t *hdr = NULL;
	size_t hdr_len = 0, blob_size;
	const uint8_t *blob;
	uint64_t a_hdr = 0, a_purg, a_bp, a_kern, a_initrd = 0;
	uint64_t m_hdr = 0, m_purg, m_bp, m_kern, m_initrd = 0, need, k_align;
	bool crash = o->mode == LOADER_MODE_CRASH;
	struct placer pl;
	uint8_t *bp = NULL, *purg = NULL;
	size_t cmdlen;
	char tmp[64];
	int rc;

	if (!o->kernel_path)
		return kd_err_set(err, -EINVAL, "no kernel given");
	if (crash && si->iomem_zeroed)
		return kd_err_set(err, -EPERM, "every address in /proc/iomem reads as 0: run as root");
	if (crash && !si->have_crash_high)
		return kd_err_set(err, -ENOENT,
				  "no crash kernel reservation (no \"Crash kernel\" line in %s/proc/iomem): "
				  "boot with crashkernel=256M on the kernel command line (e.g. in "
				  "GRUB_CMDLINE_LINUX of /etc/default/grub, then update-grub) and reboot",
				  strcmp(si->root, "/") ? si->root : "");
	plan = kd_calloc(1, sizeof(*plan));
	if (!plan)
		return kd_err_set(err, -ENOMEM, "out of memory");
	plan->mode = o->mode;
	plan->kernel_path = kd_strdup(o->kernel_path);
	plan->initrd_path = o->initrd_path ? kd_strdup(o->initrd_path) : NULL;
	if (!plan->kernel_path || (o->initrd_path && !plan->initrd_path)) {
		rc = kd_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	rc = read_file(o->kernel_path, MAX_KERNEL_FILE, "kernel", &plan->kernel_file,
		       &plan->kernel_file_size, err);
	if (rc < 0)
		goto fail;
	rc = loader_bzimage_parse(plan->kernel_file, plan->kernel_file_size, o->kernel_path,
				  &plan->bz, err);
	if (rc < 0)
		goto fail;
	if (o->no_unpack) {
		snprintf(plan->unpack_note, sizeof(plan->unpack_note), "--no-unpack");
	} else {
		struct kd_err uerr = { 0 };

		rc = loader_bzimage_unpack(&plan->bz, o->kernel_path, &plan->kimg, &uerr);
		/* Not unpackable here, or no memory for it (about 2 x the vmlinux for a moment):
		 * the bzImage as it is still works. */
		if (rc == -EOPNOTSUPP || rc == -ENOMEM) {
			snprintf(plan->unpack_note, sizeof(plan->unpack_note), "%s", uerr.msg);
		} else if (rc < 0) {
			rc = kd_err_set(err, rc, "%s (or load it as it is with --no-unpack)",
					uerr.msg);
			goto fail;
		}
	}
	if (o->initrd_path) {
		rc = read_file(o->initrd_path, MAX_INITRD_FILE, "initrd", &plan->initrd_file,
			       &plan->initrd_size, err);
		if (rc < 0)
			goto fail;
	}
	rc = build_cmdline(plan, si, o, err);
	if (rc < 0)
		goto fail;
	plan->acpi_rsdp = si->acpi_rsdp;

	if (crash) {
		rc = loader_elfcorehdr_build(si, &hdr, &hdr_len, err);
		if (rc < 0)
			goto fail;
		m_hdr = KD_ALIGN_UP(hdr_len, PAGE);
		/*
		 * Crash hotplug (6.6+, CONFIG_CRASH_HOTPLUG): the kernel rewrites the header with
		 * its own builder after CPU/memory events if the segment can hold the largest one
		 * it may build (crash_elfcorehdr_size), and finds it by its ELF magic.
		 */
		if (si->crash_hdr_size && !o->no_hotplug) {
			plan->hotplug = true;
			m_hdr = KD_ALIGN_UP(KD_MAX((uint64_t)hdr_len, si->crash_hdr_size), PAGE);
		}
		plan->elfcorehdr_phnum = (hdr_len - 64) / 56;
	}
	loader_purgatory_blob(&blob, &blob_size);
	if (blob_size < KD_PURGATORY_PARAMS_OFFSET + sizeof(struct kd_purgatory_params)) {
		rc = kd_err_set(err, -EINVAL, "the embedded purgatory is truncated (build error)");
		goto fail;
	}
	m_purg = KD_ALIGN_UP(blob_size, PAGE);
	/* boot_params, then the command line on the next page ("elfcorehdr=0x" + 16 digits). */
	cmdlen = strlen(plan->user_cmdline) + (crash ? 32 : 0) + 1;
	m_bp = KD_ALIGN_UP(LOADER_BOOT_PARAMS_SIZE + cmdlen, PAGE);
	m_kern = plan->kimg.unpacked ? plan->kimg.memsz
				     : KD_ALIGN_UP((uint64_t)plan->bz.init_size, PAGE);
	/* startup_64 needs a 2 MiB aligned load address (__startup_64's load_delta). */
	k_align = KD_MAX((uint64_t)plan->bz.kernel_alignment, plan->kimg.unpacked ? 2 * MIB : 0);
	m_initrd = KD_ALIGN_UP((uint64_t)plan->initrd_size, PAGE);
	plan->control_bytes = crash ? control_estimate(si) : 0;
	need = m_hdr + m_purg + m_bp + m_kern + k_align + m_initrd +
	       plan->control_bytes;

	if (crash) {
		plan->window = si->crash_high;
	} else if (kexec_window(si, need, &plan->window) < 0) {
		rc = kd_err_set(err, -ENOSPC, "no RAM range below 4 GiB can hold %" PRIu64 " MiB "
					      "for the new kernel and initrd",
				need >> 20);
		goto fail;
	}
	if (crash && need > plan->window.end - plan->window.start + 1) {
		rc = kd_err_set(
			err, -ENOSPC,
			"the crash kernel reservation at 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64
			" MiB) is too small: kernel (%s %" PRIu64 " MiB) + initrd (%" PRIu64
			" MiB) + headers + %" PRIu64 " MiB for the kernel's page tables need about %" PRIu64
			" MiB; raise crashkernel= (e.g. crashkernel=%" PRIu64 "M) or use a smaller initrd",
			plan->window.start, plan->window.end,
			(plan->window.end - plan->window.start + 1) >> 20,
			plan->kimg.unpacked ? "image" : "init_size", m_kern >> 20, m_initrd >> 20,
			plan->control_bytes >> 20, (uint64_t)KD_DIV_ROUND_UP(need, MIB),
			(uint64_t)KD_ALIGN_UP(KD_DIV_ROUND_UP(need, MIB) + 64, 64));
		goto fail;
	}

	pl = (struct placer){ .lo = plan->window.start, .cursor = plan->window.end + 1 };
	rc = 0;
	if (crash)
		rc = place(&pl, m_hdr, PAGE, 0, &a_hdr);
	if (!rc)
		rc = place(&pl, m_purg, PAGE, 0, &a_purg);
	if (!rc)
		rc = place(&pl, m_bp, PAGE, 0, &a_bp);
	if (!rc)
		rc = place(&pl, m_kern, k_align,
			   KD_MAX(MIB, plan->bz.version >= 0x020a ? plan->bz.pref_address : 0), &a_kern);
	if (!rc && plan->initrd_size)
		rc = place(&pl, m_initrd, PAGE, 0, &a_initrd);
	if (rc < 0 || (crash && pl.cursor - pl.lo < plan->control_bytes)) {
		rc = kd_err_set(err, -ENOSPC,
				"the segments do not fit in 0x%" PRIx64 "-0x%" PRIx64
				" with the kernel's alignment 0x%x and preferred address 0x%" PRIx64
				" and %" PRIu64 " KiB left for page tables; raise crashkernel=",
				plan->window.start, plan->window.end, plan->bz.kernel_alignment,
				plan->bz.pref_address, plan->control_bytes >> 10);
		goto fail;
	}
	plan->free_low_start = plan->window.start;
	plan->free_low_end = pl.cursor - 1;
	plan->kernel_entry = a_kern + (plan->kimg.unpacked ? plan->kimg.entry_offset : 0x200);
	plan->boot_params_addr = a_bp;
	plan->elfcorehdr_addr = a_hdr;

	/* The command line and the map the new kernel gets. */
	if (crash) {
		char *c = NULL;
		snprintf(tmp, sizeof(tmp), "elfcorehdr=0x%" PRIx64, a_hdr);
		if (plan->user_cmdline[0] && str_add(&c, plan->user_cmdline, strlen(plan->user_cmdline)) < 0)
			goto oom;
		if (str_add(&c, tmp, strlen(tmp)) < 0) {
			free(c);
			goto oom;
		}
		plan->cmdline = c;
		rc = e820_crash(plan, si, a_hdr, a_hdr + m_hdr - 1, err);
		if (rc < 0)
			goto fail;
	} else {
		const struct loader_range *r = si->n_memmap ? si->memmap : si->iomem_mem;
		size_t n = si->n_memmap ? si->n_memmap : si->n_iomem_mem;
		plan->cmdline = kd_strdup(plan->user_cmdline);
		if (!plan->cmdline)
			goto oom;
		for (size_t i = 0; i < n; i++) {
			rc = e820_add(plan, r[i].start, r[i].end, r[i].type, err);
			if (rc < 0)
				goto fail;
		}
	}
	if (strlen(plan->cmdline) > plan->bz.cmdline_size) {
		rc = kd_err_set(err, -E2BIG,
				"the command line with elfcorehdr= is %zu bytes; the kernel accepts %u: "
				"shorten --append",
				strlen(plan->cmdline), plan->bz.cmdline_size);
		goto fail;
	}

	/* Segment buffers. */
	bp = kd_calloc(1, LOADER_BOOT_PARAMS_SIZE + strlen(plan->cmdline) + 1);
	purg = kd_calloc(1, blob_size);
	if (!bp || !purg)
		goto oom;
	memcpy(purg, blob, blob_size);
	boot_params_fill(plan, si, bp, a_bp + LOADER_BOOT_PARAMS_SIZE, a_initrd, plan->initrd_size);
	memcpy(bp + LOADER_BOOT_PARAMS_SIZE, plan->cmdline, strlen(plan->cmdline) + 1);
	if (crash)
		seg_add(plan, LOADER_SEG_ELFCOREHDR, KD_TAKE_PTR(hdr), hdr_len, a_hdr, m_hdr);
	seg_add(plan, LOADER_SEG_PURGATORY, KD_TAKE_PTR(purg), blob_size, a_purg, m_purg);
	seg_add(plan, LOADER_SEG_BOOT_PARAMS, KD_TAKE_PTR(bp),
		LOADER_BOOT_PARAMS_SIZE + strlen(plan->cmdline) + 1, a_bp, m_bp);
	if (plan->kimg.unpacked)
		seg_add(plan, LOADER_SEG_KERNEL, plan->kimg.buf, plan->kimg.bufsz, a_kern, m_kern);
	else
		seg_add(plan, LOADER_SEG_KERNEL, plan->kernel_file + plan->bz.setup_size,
			plan->kernel_file_size - plan->bz.setup_size, a_kern, m_kern);
	if (plan->initrd_size)
		seg_add(plan, LOADER_SEG_INITRD, plan->initrd_file, plan->initrd_size, a_initrd,
			m_initrd);
	qsort(plan->seg, plan->n_seg, sizeof(plan->seg[0]), cmp_seg);
	for (size_t i = 0; i < plan->n_seg; i++)
		if (plan->seg[i].kind == LOADER_SEG_PURGATORY) {
			plan->entry = plan->seg[i].mem;
			rc = purgatory_patch(plan, &plan->seg[i], o->serial_port, err);
			if (rc < 0)
				goto fail;
		}
	plan->flags = LOADER_KEXEC_ARCH_X86_64 | (crash ? LOADER_KEXEC_ON_CRASH : 0) |
		      (plan->hotplug ? LOADER_KEXEC_UPDATE_ELFCOREHDR : 0);
	rc = loader_plan_check(plan, err);
	if (rc < 0) {
		kd_err_prefix(err, "internal error, the plan breaks a kernel rule");
		goto fail;
	}
	*ret = plan;
	return 0;
oom:
	rc = kd_err_set(err, -ENOMEM, "out of memory");
fail:
	free(bp);
	free(purg);
	loader_plan_destroy(plan);
	return rc;
}

void loader_plan_destroy(struct loader_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n_seg; i++) {
		enum loader_seg_kind k = plan->seg[i].kind;
		if (k == LOADER_SEG_ELFCOREHDR || k == LOADER_SEG_PURGATORY ||
		    k == LOADER_SEG_BOOT_PARAMS)
			free(plan->seg[i].buf);
	}
	loader_kernel_image_release(&plan->kimg);
	free(plan->kernel_file);
	free(plan->initrd_file);
	free(plan->kernel_path);
	free(plan->initrd_path);
	free(plan->cmdline);
	free(plan->user_cmdline);
	free(plan);
}

const struct loader_segment *loader_plan_elfcorehdr(const struct loader_plan *plan)
{
	for (size_t i = 0; i < plan->n_seg; i++)
		if (plan->seg[i].kind == LOADER_SEG_ELFCOREHDR)
			return &plan->seg[i];
	return NULL;
}

int loader_plan_check(const struct loader_plan *plan, struct kd_err *err)
{
	bool crash = plan->mode == LOADER_MODE_CRASH;
	uint64_t used = 0, win;
	bool entry_ok = false;

	if (plan->n_seg == 0 || plan->n_seg > LOADER_MAX_SEGMENTS)
		return kd_err_set(err, -EINVAL, "%zu segments (the kernel takes 1 to %d)", plan->n_seg,
				  LOADER_MAX_SEGMENTS);
	for (size_t i = 0; i < plan->n_seg; i++) {
		const struct loader_segment *s = &plan->seg[i];
		uint64_t end;

		if (s->mem % PAGE || s->memsz % PAGE || s->memsz == 0)
			return kd_err_set(err, -EADDRNOTAVAIL,
					  "segment %zu (%s) at 0x%" PRIx64 " size 0x%" PRIx64
					  " is not page aligned",
					  i, loader_seg_kind_name(s->kind), s->mem, s->memsz);
		if (kd_add_overflow(s->mem, s->memsz, &end) || end >= DEST_LIMIT)
			return kd_err_set(err, -EADDRNOTAVAIL,
					  "segment %zu (%s) ends beyond the kexec destination limit",
					  i, loader_seg_kind_name(s->kind));
		if (s->bufsz > s->memsz)
			return kd_err_set(err, -EINVAL,
					  "segment %zu (%s): buffer 0x%zx larger than memsz 0x%" PRIx64,
					  i, loader_seg_kind_name(s->kind), s->bufsz, s->memsz);
		for (size_t j = 0; j < i; j++) {
			const struct loader_segment *t = &plan->seg[j];
			if (s->mem < t->mem + t->memsz && t->mem < end)
				return kd_err_set(err, -EINVAL, "segments %zu (%s) and %zu (%s) overlap",
						  j, loader_seg_kind_name(t->kind), i,
						  loader_seg_kind_name(s->kind));
		}
		if (crash && (s->mem < plan->window.start || end - 1 > plan->window.end))
			return kd_err_set(err, -EADDRNOTAVAIL,
					  "segment %zu (%s) 0x%" PRIx64 "-0x%" PRIx64
					  " is outside the crash reservation 0x%" PRIx64 "-0x%" PRIx64,
					  i, loader_seg_kind_name(s->kind), s->mem, end - 1,
					  plan->window.start, plan->window.end);
		if (plan->entry >= s->mem && plan->entry < end)
			entry_ok = true;
		/* With hotplug the kernel takes the last segment starting with ELF magic as the
		 * header (crash_handle_hotplug_event): no other segment may start with it. */
		if (plan->hotplug && s->kind != LOADER_SEG_ELFCOREHDR && s->bufsz >= 4 &&
		    memcmp(s->buf, "\177ELF", 4) == 0)
			return kd_err_set(err, -EINVAL,
					  "segment %zu (%s) starts with ELF magic: the kernel would "
					  "take it for the elfcorehdr on hotplug",
					  i, loader_seg_kind_name(s->kind));
		used += s->memsz;
	}
	if (!entry_ok)
		return kd_err_set(err, -EADDRNOTAVAIL, "the entry 0x%" PRIx64 " is in no segment",
				  plan->entry);
	if (crash && (plan->entry < plan->window.start || plan->entry > plan->window.end))
		return kd_err_set(err, -EADDRNOTAVAIL, "the entry is outside the crash reservation");
	win = plan->window.end - plan->window.start + 1;
	if (crash && (used > win || win - used < plan->control_bytes))
		return kd_err_set(err, -ENOMEM,
				  "only %" PRIu64 " KiB of the reservation stay free for the "
				  "kernel's control and page-table pages (%" PRIu64 " KiB wanted)",
				  used > win ? 0 : (win - used) >> 10, plan->control_bytes >> 10);
	return 0;
}

static void hex(FILE *f, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", d[i]);
}

void loader_plan_print(const struct loader_plan *plan, const struct loader_sysinfo *si, FILE *f)
{
	bool crash = plan->mode == LOADER_MODE_CRASH;
	const struct loader_segment *h = loader_plan_elfcorehdr(plan);

	fprintf(f, "mode: %s\n", crash ? "crash (capture kernel, armed for a panic)" : "kexec (reboot into a new kernel)");
	fprintf(f, "syscall: kexec_load(entry=0x%" PRIx64 ", nr_segments=%zu, flags=0x%lx = %s%s)\n",
		plan->entry, plan->n_seg, plan->flags, crash ? "KEXEC_ON_CRASH|" : "",
		plan->hotplug ? "KEXEC_UPDATE_ELFCOREHDR|KEXEC_ARCH_X86_64" : "KEXEC_ARCH_X86_64");
	if (plan->hotplug)
		fprintf(f, "crash hotplug: the kernel rewrites the elfcorehdr on CPU/memory hotplug "
			   "(segment sized to crash_elfcorehdr_size %" PRIu64 "; not digest-checked)\n",
			si->crash_hdr_size);
	fprintf(f, "%s: 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " MiB)\n",
		crash ? "crash reservation" : "RAM window", plan->window.start, plan->window.end,
		(plan->window.end - plan->window.start + 1) >> 20);
	if (crash && si->have_crash_low)
		fprintf(f, "low crash region: 0x%" PRIx64 "-0x%" PRIx64 " (usable RAM for the capture kernel)\n",
			si->crash_low.start, si->crash_low.end);
	fprintf(f, "kernel: %s (boot protocol %u.%02u, %s)\n", plan->kernel_path,
		plan->bz.version >> 8, plan->bz.version & 0xff,
		plan->bz.kernel_version[0] ? plan->bz.kernel_version : "no version string");
	fprintf(f, "  setup 0x%zx, payload 0x%zx, init_size 0x%x, alignment 0x%x, pref_address 0x%" PRIx64
		", xloadflags 0x%x\n",
		plan->bz.setup_size, plan->kernel_file_size - plan->bz.setup_size, plan->bz.init_size,
		plan->bz.kernel_alignment, plan->bz.pref_address, plan->bz.xloadflags);
	if (plan->kimg.unpacked)
		fprintf(f, "  unpacked here: %s payload (%" PRIu64 " bytes) -> vmlinux (%" PRIu64
			   " bytes, %zu PT_LOADs) -> image 0x%" PRIx64 " bytes, 0x%zx up to its last "
			   "non-zero page; starts at startup_64, no decompression at boot\n",
			plan->kimg.format, plan->kimg.payload_size, plan->kimg.vmlinux_size,
			plan->kimg.n_loads, plan->kimg.memsz, plan->kimg.bufsz);
	else
		fprintf(f, "  loaded as it is (the kernel decompresses itself at boot): %s\n",
			plan->unpack_note);
	fprintf(f, "initrd: %s", plan->initrd_path ? plan->initrd_path : "none");
	if (plan->initrd_path)
		fprintf(f, " (%zu bytes)", plan->initrd_size);
	fprintf(f, "\nsegments (sorted by destination):\n");
	fprintf(f, "  %-2s %-20s %-18s %-12s %-12s %s\n", "#", "content", "mem", "memsz", "bufsz",
		"sha256 (of buf; the kernel zero-fills up to memsz)");
	for (size_t i = 0; i < plan->n_seg; i++) {
		const struct loader_segment *s = &plan->seg[i];
		fprintf(f, "  %-2zu %-20s 0x%-16" PRIx64 " 0x%-10" PRIx64 " 0x%-10zx ", i,
			loader_seg_kind_name(s->kind), s->mem, s->memsz, s->bufsz);
		hex(f, s->sha256, 32);
		fprintf(f, "%s\n", s->hashed ? "" : " (not checked)");
	}
	fprintf(f, "purgatory: entry 0x%" PRIx64 ", checks %zu segments, then jumps to 0x%" PRIx64
		" (%s) with rsi = boot_params 0x%" PRIx64 "\n",
		plan->entry, plan->n_seg - 1, plan->kernel_entry,
		plan->kimg.unpacked ? "startup_64" : "kernel + 0x200", plan->boot_params_addr);
	if (crash)
		fprintf(f, "free for the kernel's control pages: 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64
			" MiB; %" PRIu64 " KiB wanted)\n",
			plan->free_low_start, plan->free_low_end,
			(plan->free_low_end - plan->free_low_start + 1) >> 20, plan->control_bytes >> 10);
	if (h) {
		const uint8_t *p = h->buf;
		uint16_t n = kd_le16(p + 56);
		fprintf(f, "elfcorehdr at 0x%" PRIx64 ": %u program headers\n", h->mem, n);
		fprintf(f, "  %-5s %-18s %-18s %-18s %s\n", "type", "offset", "vaddr", "paddr", "size");
		for (uint16_t i = 0; i < n; i++) {
			const uint8_t *ph = p + 64 + 56 * i;
			fprintf(f, "  %-5s 0x%-16" PRIx64 " 0x%-16" PRIx64 " 0x%-16" PRIx64 " 0x%" PRIx64 "\n",
				kd_le32(ph) == 4 ? "NOTE" : "LOAD", kd_le64(ph + 8), kd_le64(ph + 16),
				kd_le64(ph + 24), kd_le64(ph + 32));
		}
		if (si->missing_cpus)
			fprintf(f, "  (%u possible CPUs are not present: no note for them)\n",
				si->missing_cpus);
	}
	fprintf(f, "e820 for the new kernel (%zu entries):\n", plan->n_e820);
	for (size_t i = 0; i < plan->n_e820; i++)
		fprintf(f, "  0x%016" PRIx64 "-0x%016" PRIx64 " %s\n", plan->e820[i].start,
			plan->e820[i].end, loader_mem_type_name(plan->e820[i].type));
	fprintf(f, "acpi_rsdp_addr: 0x%" PRIx64 " (%s)\n", plan->acpi_rsdp,
		si->acpi_rsdp_source ? si->acpi_rsdp_source : "unknown: the new kernel scans for it");
	fprintf(f, "command line: %s\n", plan->cmdline);
}
