// SPDX-License-Identifier: GPL-2.0-or-later
/* Discovery: what the running kernel says about memory, CPUs and itself, under a sysroot. */
#include "loader/loader.h"

#include <elf.h>
#include <inttypes.h>
#include <fcntl.h>

static const struct {
	const char *name;
	enum loader_mem_type type;
} mem_names[] = {
	{ "System RAM", LOADER_MEM_RAM },
	{ "Reserved", LOADER_MEM_RESERVED },
	{ "reserved", LOADER_MEM_RESERVED },
	{ "ACPI Tables", LOADER_MEM_ACPI },
	{ "ACPI Non-volatile Storage", LOADER_MEM_NVS },
	{ "Unusable memory", LOADER_MEM_UNUSABLE },
	{ "Persistent Memory (legacy)", LOADER_MEM_PRAM },
	{ "Persistent Memory", LOADER_MEM_PMEM },
	{ "Soft Reserved", LOADER_MEM_SOFT_RESERVED },
};

enum loader_mem_type loader_mem_type_from_name(const char *name)
{
	for (size_t i = 0; i < KD_ARRAY_SIZE(mem_names); i++)
		if (strcmp(name, mem_names[i].name) == 0)
			return mem_names[i].type;
	/* "System RAM (kmem)", "System RAM (virtio_mem)": driver-managed RAM. */
	if (strncmp(name, "System RAM", 10) == 0)
		return LOADER_MEM_RAM;
	return LOADER_MEM_OTHER;
}

const char *loader_mem_type_name(enum loader_mem_type t)
{
	switch (t) {
	case LOADER_MEM_RAM:
		return "usable";
	case LOADER_MEM_RESERVED:
		return "reserved";
	case LOADER_MEM_ACPI:
		return "ACPI data";
	case LOADER_MEM_NVS:
		return "ACPI NVS";
	case LOADER_MEM_UNUSABLE:
		return "unusable";
	case LOADER_MEM_PMEM:
		return "persistent";
	case LOADER_MEM_PRAM:
		return "persistent (legacy)";
	case LOADER_MEM_SOFT_RESERVED:
		return "soft reserved";
	case LOADER_MEM_OTHER:
		break;
	}
	return "other";
}

static int cmp_range(const void *a, const void *b)
{
	const struct loader_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void sort_ranges(struct loader_range *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_range);
}

static int push_range(struct loader_range **v, size_t *n, const struct loader_range *r)
{
	struct loader_range *nv;

	if (*n >= LOADER_MAX_RANGES)
		return -E2BIG;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = *r;
	*v = nv;
	return 0;
}

int loader_parse_iomem(struct loader_sysinfo *si, const char *text, const char *path,
		       struct kd_err *err)
{
	unsigned line = 0;
	bool any_nonzero = false, any = false;
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char buf[256], *dash, *colon, *name, *end;
		unsigned depth = 0;
		struct loader_range r;
		int rc;

		line++;
		if (line > 100000)
			return kd_err_set(err, -E2BIG, "%s: more than 100000 lines", path);
		if (len >= sizeof(buf))
			return kd_err_set(err, -EINVAL, "%s:%u: line too long", path, line);
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (eol ? 1 : 0);
		if (len == 0)
			continue;
		while (buf[depth] == ' ')
			depth++;
		depth /= 2;
		dash = strchr(buf, '-');
		colon = strstr(buf, " : ");
		if (!dash || !colon || dash > colon)
			return kd_err_set(err, -EINVAL,
					  "%s:%u: expected \"START-END : NAME\", got \"%s\"", path,
					  line, buf);
		*dash = '\0';
		*colon = '\0';
		name = colon + 3;
		errno = 0;
		r.start = strtoull(buf + depth * 2, &end, 16);
		if (errno || *end || end == buf + depth * 2)
			return kd_err_set(err, -EINVAL, "%s:%u: bad start address", path, line);
		r.end = strtoull(dash + 1, &end, 16);
		if (errno || *end || end == dash + 1 || r.end < r.start)
			return kd_err_set(err, -EINVAL, "%s:%u: bad end address", path, line);
		r.type = loader_mem_type_from_name(name);
		any = true;
		if (r.start || r.end)
			any_nonzero = true;

		rc = 0;
		if (r.type == LOADER_MEM_RAM)
			rc = push_range(&si->ram, &si->n_ram, &r);
		if (!rc && depth == 0 && r.type != LOADER_MEM_OTHER)
			rc = push_range(&si->iomem_mem, &si->n_iomem_mem, &r);
		if (rc)
			return kd_err_set(err, rc, "%s:%u: too many memory ranges (limit %d)", path,
					  line, LOADER_MAX_RANGES);
		if (strcmp(name, "Crash kernel") == 0 && si->n_crash < LOADER_MAX_CRASH_REGIONS) {
			r.type = LOADER_MEM_RAM;
			si->crash[si->n_crash++] = r;
		}
		if (strcmp(name, "Kernel code") == 0 && !si->kernel_code_start)
			si->kernel_code_start = r.start;
	}
	si->iomem_zeroed = any && !any_nonzero;
	sort_ranges(si->ram, si->n_ram);
	sort_ranges(si->iomem_mem, si->n_iomem_mem);
	sort_ranges(si->crash, si->n_crash);
	si->have_crash_high = si->have_crash_low = false;
	if (si->n_crash) {
		/* kexec_load only accepts crashk_res: the highest region (as kexec-tools). */
		si->crash_high = si->crash[si->n_crash - 1];
		si->have_crash_high = true;
		for (size_t i = 0; i + 1 < si->n_crash; i++)
			if (si->crash[i].end < (1ULL << 32)) {
				si->crash_low = si->crash[i];
				si->have_crash_low = true;
			}
	}
	return 0;
}

int loader_parse_cpulist(const char *s, unsigned max, int (*fn)(unsigned cpu, void *ctx),
			 void *ctx)
{
	unsigned count = 0;

	while (*s && *s != '\n') {
		unsigned long a, b;
		char *end;
		int rc;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		a = strtoul(s, &end, 10);
		b = a;
		s = end;
		if (*s == '-') {
			s++;
			if (*s < '0' || *s > '9')
				return -EINVAL;
			b = strtoul(s, &end, 10);
			s = end;
		}
		if (b < a || b >= 1u << 20)
			return -EINVAL;
		for (unsigned long c = a; c <= b; c++) {
			if (++count > max)
				return -E2BIG;
			rc = fn((unsigned)c, ctx);
			if (rc < 0)
				return rc;
		}
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
	}
	return (int)count;
}

struct cpu_ctx {
	struct loader_sysinfo *si;
	struct kd_err *err;
};

static int read_u64_file(const char *root, const char *path, int base, uint64_t *ret,
			 struct kd_err *err)
{
	_cleanup_free_ char *buf = NULL;
	int rc;

	rc = kd_read_file_at(root, path, 256, &buf, NULL, err);
	if (rc < 0)
		return rc;
	rc = kd_parse_u64(buf, base, ret);
	if (rc < 0) {
		_cleanup_free_ char *full = kd_path_at(root, path);
		return kd_err_set(err, rc, "%s: expected a number, got \"%.40s\"", full, buf);
	}
	return 0;
}

static int add_cpu(unsigned cpu, void *p)
{
	struct cpu_ctx *c = p;
	struct loader_sysinfo *si = c->si;
	char path[128], dir[96];
	_cleanup_free_ char *full = NULL;
	struct loader_cpu_note *n;
	uint64_t addr, size = 368;
	int rc;

	si->n_possible++;
	snprintf(dir, sizeof(dir), "/sys/devices/system/cpu/cpu%u", cpu);
	full = kd_path_at(si->root, dir);
	if (!full)
		return kd_err_set(c->err, -ENOMEM, "out of memory");
	if (access(full, F_OK) < 0 && errno == ENOENT) {
		/* Possible but not present: no sysfs directory, its note address is unknown. */
		si->missing_cpus++;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/crash_notes", dir);
	rc = read_u64_file(si->root, path, 16, &addr, c->err);
	if (rc < 0) {
		kd_err_prefix(c->err, "CPU %u: cannot read its crash note address (%s)", cpu,
			      rc == -EACCES || rc == -EPERM ? "run as root"
			      : rc == -ENOENT		    ? "the kernel needs CONFIG_CRASH_DUMP"
							    : "check that sysfs is mounted");
		return rc;
	}
	snprintf(path, sizeof(path), "%s/crash_notes_size", dir);
	if (read_u64_file(si->root, path, 10, &size, NULL) < 0)
		size = 368; /* sizeof(note_buf_t) on x86_64 before the file existed */
	if (!addr || size == 0 || size > 65536)
		return kd_err_set(c->err, -EINVAL,
				  "%s/crash_notes: implausible note 0x%" PRIx64 " size %" PRIu64
				  " (is the kernel built with CONFIG_CRASH_DUMP?)",
				  full, addr, size);
	n = realloc(si->cpus, (si->n_cpus + 1) * sizeof(*n));
	if (!n)
		return kd_err_set(c->err, -ENOMEM, "out of memory");
	si->cpus = n;
	si->cpus[si->n_cpus++] = (struct loader_cpu_note){ cpu, addr, size };
	return 0;
}

static int read_cpus(struct loader_sysinfo *si, struct kd_err *err)
{
	_cleanup_free_ char *buf = NULL;
	struct cpu_ctx c = { si, err };
	int rc;

	rc = kd_read_file_at(si->root, "/sys/devices/system/cpu/possible", 65536, &buf, NULL, err);
	if (rc < 0)
		return rc;
	rc = loader_parse_cpulist(buf, LOADER_MAX_CPUS, add_cpu, &c);
	if (rc == -EINVAL || rc == -E2BIG)
		return kd_err_set(err, rc, "%s/sys/devices/system/cpu/possible: bad CPU list \"%.*s\"",
				  strcmp(si->root, "/") ? si->root : "", (int)strcspn(buf, "\n"), buf);
	return rc < 0 ? rc : 0;
}

static int read_memmap(struct loader_sysinfo *si, struct kd_err *err)
{
	for (unsigned i = 0; i < LOADER_MAX_RANGES; i++) {
		char path[96];
		_cleanup_free_ char *type = NULL;
		struct loader_range r;
		int rc;

		snprintf(path, sizeof(path), "/sys/firmware/memmap/%u/type", i);
		rc = kd_read_file_at(si->root, path, 256, &type, NULL, NULL);
		if (rc == -ENOENT)
			break;
		if (rc < 0)
			return kd_err_sys(err, rc, "cannot read %s", path);
		type[strcspn(type, "\n")] = '\0';
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%u/start", i);
		rc = read_u64_file(si->root, path, 0, &r.start, err);
		if (rc < 0)
			return rc;
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%u/end", i);
		rc = read_u64_file(si->root, path, 0, &r.end, err);
		if (rc < 0)
			return rc;
		if (r.end < r.start)
			return kd_err_set(err, -EINVAL, "%s: end below start", path);
		r.type = loader_mem_type_from_name(type);
		if (r.type == LOADER_MEM_OTHER)
			r.type = LOADER_MEM_RESERVED;
		rc = push_range(&si->memmap, &si->n_memmap, &r);
		if (rc < 0)
			return kd_err_set(err, rc, "/sys/firmware/memmap: too many entries");
	}
	sort_ranges(si->memmap, si->n_memmap);
	return 0;
}

/* The kernel's text and direct-map base from /proc/kcore's program headers. */
#define KD_START_KERNEL_MAP 0xffffffff80000000ULL
#define KD_MODULES_VADDR 0xffffffffc0000000ULL
static int read_kcore(struct loader_sysinfo *si)
{
	static const char *const names[] = { "/proc/kcore", "/proc/kcore.head" };
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ Elf64_Phdr *ph = NULL;
	Elf64_Ehdr eh;
	int last = -ENOENT;

	for (size_t i = 0; i < KD_ARRAY_SIZE(names) && fd < 0; i++) {
		_cleanup_free_ char *p = kd_path_at(si->root, names[i]);

		if (!p)
			return -ENOMEM;
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			last = -errno;
		/* Report the real name unless the fallback exists (a fixture's copy). */
		if (!path || fd >= 0 || errno != ENOENT) {
			free(path);
			path = KD_TAKE_PTR(p);
		}
		if (fd < 0 && last != -ENOENT)
			break;
	}
	if (fd < 0) {
		si->kcore_error = kd_asprintf("cannot open %s: %s%s", path, strerror(-last),
					      last == -EACCES || last == -EPERM ? " (run as root)" : "");
		return 0;
	}
	if (kd_pread_all(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_type != ET_CORE || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
	    eh.e_phnum > 4096) {
		si->kcore_error = kd_asprintf("%s: not an ELF64 core file", path);
		return 0;
	}
	ph = calloc(eh.e_phnum, sizeof(*ph));
	if (!ph)
		return -ENOMEM;
	if (kd_pread_all(fd, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff) !=
	    (ssize_t)(eh.e_phnum * sizeof(*ph))) {
		si->kcore_error = kd_asprintf("%s: short read of program headers", path);
		return 0;
	}
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type != PT_LOAD || p->p_paddr == UINT64_MAX)
			continue;
		if (p->p_vaddr >= KD_START_KERNEL_MAP && p->p_vaddr < KD_MODULES_VADDR) {
			if (!si->have_text) {
				si->have_text = true;
				si->text_vaddr = p->p_vaddr;
				si->text_paddr = p->p_paddr;
				si->text_size = p->p_memsz;
			}
		} else if (p->p_vaddr >= p->p_paddr && !si->have_page_offset) {
			si->have_page_offset = true;
			si->page_offset = p->p_vaddr - p->p_paddr;
		}
	}
	if (!si->have_text || !si->have_page_offset)
		si->kcore_error = kd_asprintf("%s: no kernel text or direct-map segment", path);
	return 0;
}

static void read_rsdp(struct loader_sysinfo *si)
{
	_cleanup_free_ char *systab = NULL;

	if (si->have_boot_params && kd_le64(si->boot_params + 0x70)) {
		si->acpi_rsdp = kd_le64(si->boot_params + 0x70);
		si->acpi_rsdp_source = "boot_params";
		return;
	}
	/* EFI: ACPI20= preferred over ACPI= (drivers/firmware/efi/efi.c systab_show). */
	if (kd_read_file_at(si->root, "/sys/firmware/efi/systab", 4096, &systab, NULL, NULL) < 0)
		return;
	for (int pass = 0; pass < 2; pass++) {
		const char *key = pass == 0 ? "ACPI20=" : "ACPI=";
		for (char *l = systab; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
			uint64_t v;
			char tmp[64];
			size_t n = strcspn(l, "\n");

			if (strncmp(l, key, strlen(key)) || n >= sizeof(tmp))
				continue;
			memcpy(tmp, l + strlen(key), n - strlen(key));
			tmp[n - strlen(key)] = '\0';
			if (kd_parse_u64(tmp, 0, &v) == 0 && v) {
				si->acpi_rsdp = v;
				si->acpi_rsdp_source = "EFI systab";
				return;
			}
		}
	}
}

static int read_flag(const char *root, const char *path)
{
	uint64_t v;

	if (read_u64_file(root, path, 10, &v, NULL) < 0)
		return -1;
	return v != 0;
}

int loader_sysinfo_read(const char *root, struct loader_sysinfo **ret, struct kd_err *err)
{
	struct loader_sysinfo *si;
	_cleanup_free_ char *iomem = NULL, *vmci = NULL, *bp = NULL, *ver = NULL;
	_cleanup_free_ char *iomem_path = NULL;
	size_t len;
	int rc;

	si = kd_calloc(1, sizeof(*si));
	if (!si)
		return kd_err_set(err, -ENOMEM, "out of memory");
	si->root = kd_strdup(root && *root ? root : "/");
	if (!si->root) {
		rc = kd_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	iomem_path = kd_path_at(si->root, "/proc/iomem");
	rc = kd_read_file_at(si->root, "/proc/iomem", 4 << 20, &iomem, NULL, err);
	if (rc < 0)
		goto fail;
	rc = loader_parse_iomem(si, iomem, iomem_path, err);
	if (rc < 0)
		goto fail;
	rc = read_memmap(si, err);
	if (rc < 0)
		goto fail;

	if (kd_read_file_at(si->root, "/sys/kernel/vmcoreinfo", 256, &vmci, NULL, NULL) == 0) {
		unsigned long long a, s;
		if (sscanf(vmci, "%llx %llx", &a, &s) == 2 && a && s && s <= 65536) {
			si->vmcoreinfo_addr = a;
			si->vmcoreinfo_size = s;
		}
	}
	{
		struct kd_err cerr = { 0 };
		if (read_cpus(si, &cerr) < 0) {
			si->cpu_error = kd_strdup(cerr.msg);
			si->n_cpus = 0;
			if (!si->cpu_error) {
				rc = kd_err_set(err, -ENOMEM, "out of memory");
				goto fail;
			}
		}
	}
	rc = read_kcore(si);
	if (rc < 0) {
		kd_err_set(err, rc, "out of memory");
		goto fail;
	}
	if (kd_read_file_at(si->root, "/sys/kernel/boot_params/data", LOADER_BOOT_PARAMS_SIZE, &bp,
			    &len, NULL) == 0 &&
	    len == LOADER_BOOT_PARAMS_SIZE) {
		memcpy(si->boot_params, bp, LOADER_BOOT_PARAMS_SIZE);
		si->have_boot_params = true;
	}
	read_rsdp(si);
	if (kd_read_file_at(si->root, "/proc/cmdline", 65536, &si->cmdline, NULL, NULL) == 0)
		si->cmdline[strcspn(si->cmdline, "\n")] = '\0';
	if (kd_read_file_at(si->root, "/proc/sys/kernel/osrelease", 256, &si->release, NULL,
			    NULL) == 0) {
		si->release[strcspn(si->release, "\n")] = '\0';
	} else if (kd_read_file_at(si->root, "/proc/version", 4096, &ver, NULL, NULL) == 0) {
		char rel[128];
		if (sscanf(ver, "Linux version %127s", rel) == 1)
			si->release = kd_strdup(rel);
	}
	si->crash_loaded = read_flag(si->root, "/sys/kernel/kexec_crash_loaded");
	si->kexec_loaded = read_flag(si->root, "/sys/kernel/kexec_loaded");
	if (read_u64_file(si->root, "/sys/kernel/kexec_crash_size", 10, &si->crash_size, NULL) < 0)
		si->crash_size = 0;
	if (read_u64_file(si->root, "/sys/kernel/crash_elfcorehdr_size", 10, &si->crash_hdr_size,
			  NULL) < 0 ||
	    si->crash_hdr_size > (64 << 20))
		si->crash_hdr_size = 0;
	*ret = si;
	return 0;
fail:
	loader_sysinfo_destroy(si);
	return rc;
}

void loader_sysinfo_destroy(struct loader_sysinfo *si)
{
	if (!si)
		return;
	free(si->root);
	free(si->ram);
	free(si->iomem_mem);
	free(si->memmap);
	free(si->cpus);
	free(si->kcore_error);
	free(si->cpu_error);
	free(si->cmdline);
	free(si->release);
	free(si);
}
