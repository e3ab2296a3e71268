// SPDX-License-Identifier: GPL-2.0-or-later
/* The dump handle: format probing, accessors, and page / physical / virtual reads. */
#include "vmcore/internal.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

static const struct vmcore_format_ops *const formats[] = {
	&vmcore_elf_ops,
	&vmcore_kdump_ops,
};

static bool is_flattened(const uint8_t *head, size_t len)
{
	return len >= 16 && memcmp(head, "makedumpfile\0\0\0\0", 16) == 0;
}

const char *vmcore_format_name(enum vmcore_format f)
{
	switch (f) {
	case VMCORE_FORMAT_ELF:
		return "ELF";
	case VMCORE_FORMAT_KDUMP:
		return "kdump-compressed";
	case VMCORE_FORMAT_FLAT:
		return "flattened";
	}
	return "unknown";
}

void vmcore_close(struct vmcore *vc)
{
	if (!vc)
		return;
	if (vc->ops && vc->ops->close)
		vc->ops->close(vc);
	if (vc->fd >= 0)
		close(vc->fd);
	vmcoreinfo_destroy(vc->vi);
	free(vc->notes);
	free(vc->cpus);
	free(vc->loads);
	free(vc->scratch);
	pthread_mutex_destroy(&vc->scratch_mu);
	free(vc->path);
	free(vc);
}

int vmcore_set_page_size(struct vmcore *vc, uint64_t size, struct kd_err *err)
{
	if (size < 512 || size > (1u << 20) || (size & (size - 1)))
		return kd_err_set(err, -EINVAL, "%s: page size %" PRIu64 " is not a power of two "
				  "between 512 and 1 MiB", vc->path, size);
	vc->page_size = (uint32_t)size;
	vc->page_shift = (uint32_t)__builtin_ctzll(size);
	free(vc->scratch);
	vc->scratch = malloc(size);
	if (!vc->scratch)
		return kd_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

int vmcore_open(const char *path, struct vmcore **ret, struct kd_err *err)
{
	struct vmcore *vc;
	uint8_t head[64];
	struct stat st;
	ssize_t n;
	int r;

	vc = kd_calloc(1, sizeof(*vc));
	if (!vc)
		return kd_err_set(err, -ENOMEM, "out of memory");
	vc->fd = -1;
	pthread_mutex_init(&vc->scratch_mu, NULL);
	vc->dump.dump_level = -1;
	vc->path = kd_strdup(path);
	if (!vc->path) {
		r = kd_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	vc->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (vc->fd < 0) {
		r = kd_err_sys(err, -errno, "cannot open %s", path);
		goto fail;
	}
	if (fstat(vc->fd, &st) < 0) {
		r = kd_err_sys(err, -errno, "cannot stat %s", path);
		goto fail;
	}
	vc->file_size = (uint64_t)st.st_size;
	n = kd_pread_all(vc->fd, head, sizeof(head), 0);
	if (n < 0) {
		r = kd_err_sys(err, (int)n, "cannot read %s", path);
		goto fail;
	}
	if (is_flattened(head, (size_t)n)) {
		r = kd_err_set(err, -EMEDIUMTYPE,
			       "%s is a flattened dump (makedumpfile -F stream); turn it into a "
			       "dump file first: kdump reassemble %s OUTFILE",
			       path, path);
		goto fail;
	}
	for (size_t i = 0; i < KD_ARRAY_SIZE(formats); i++) {
		if (formats[i]->probe(head, (size_t)n)) {
			vc->ops = formats[i];
			break;
		}
	}
	if (!vc->ops) {
		r = kd_err_set(err, -EMEDIUMTYPE,
			       "%s: not a crash dump (neither an ELF core file nor "
			       "kdump-compressed; %zd bytes read at offset 0)",
			       path, n);
		goto fail;
	}
	r = vc->ops->open(vc, err);
	if (r < 0)
		goto fail;
	if (!vc->page_size) {
		r = vmcore_set_page_size(vc, 4096, err);
		if (r < 0)
			goto fail;
	}
	if (vc->vi)
		vmcore_x86_init(vc, NULL);
	*ret = vc;
	return 0;
fail:
	vmcore_close(vc);
	return r;
}

enum vmcore_format vmcore_format(const struct vmcore *vc)
{
	return vc->ops->format;
}

const char *vmcore_path(const struct vmcore *vc)
{
	return vc->path;
}

int vmcore_fd(const struct vmcore *vc)
{
	return vc->fd;
}

uint64_t vmcore_file_size(const struct vmcore *vc)
{
	return vc->file_size;
}

uint32_t vmcore_page_size(const struct vmcore *vc)
{
	return vc->page_size;
}

uint64_t vmcore_max_pfn(const struct vmcore *vc)
{
	return vc->max_pfn;
}

const struct vmcoreinfo *vmcore_vmcoreinfo(const struct vmcore *vc)
{
	return vc->vi;
}

const struct vmcore_dumpinfo *vmcore_dumpinfo(const struct vmcore *vc)
{
	return &vc->dump;
}

const uint8_t *vmcore_notes(const struct vmcore *vc, size_t *ret_len)
{
	if (ret_len)
		*ret_len = vc->notes_len;
	return vc->notes;
}

int vmcore_vmcoreinfo_note(const struct vmcore *vc, uint64_t *ret_off, uint64_t *ret_size)
{
	if (!vc->has_vmcoreinfo_note)
		return -ENOENT;
	*ret_off = vc->vmcoreinfo_off;
	*ret_size = vc->vmcoreinfo_size;
	return 0;
}

size_t vmcore_nr_cpus(const struct vmcore *vc)
{
	return vc->nr_cpus;
}

const struct vmcore_prstatus *vmcore_prstatus(const struct vmcore *vc, size_t cpu)
{
	return cpu < vc->nr_cpus ? &vc->cpus[cpu] : NULL;
}

const struct vmcore_load *vmcore_loads(const struct vmcore *vc, size_t *ret_n)
{
	*ret_n = vc->nr_loads;
	return vc->loads;
}

int vmcore_read_pfn(struct vmcore *vc, uint64_t pfn, void *buf, struct kd_err *err)
{
	if (pfn >= vc->max_pfn)
		return kd_err_set(err, -ENOENT, "%s: pfn 0x%" PRIx64 " is beyond the dump's last "
				  "pfn 0x%" PRIx64, vc->path, pfn, vc->max_pfn ? vc->max_pfn - 1 : 0);
	return vc->ops->read_pfn(vc, pfn, buf, err);
}

int vmcore_read_phys(struct vmcore *vc, uint64_t paddr, void *buf, size_t len,
		     struct kd_err *err)
{
	uint8_t *out = buf;

	while (len) {
		uint64_t pfn = paddr >> vc->page_shift, off;
		size_t in = (size_t)(paddr & (vc->page_size - 1));
		size_t chunk = KD_MIN(len, (size_t)vc->page_size - in);
		int r = 0;

		/* A whole page in file data (ELF): read the piece alone, no scratch needed. */
		if (vmcore_pfn_offset(vc, pfn, &off) < 0 ||
		    kd_pread_all(vc->fd, out, chunk, off + in) != (ssize_t)chunk) {
			/* Other formats and partial pages: through the scratch page, one at a time. */
			pthread_mutex_lock(&vc->scratch_mu);
			r = vmcore_read_pfn(vc, pfn, vc->scratch, err);
			if (r >= 0)
				memcpy(out, vc->scratch + in, chunk);
			pthread_mutex_unlock(&vc->scratch_mu);
		}
		if (r < 0) {
			kd_err_prefix(err, "reading physical address 0x%" PRIx64, paddr);
			return r;
		}
		out += chunk;
		paddr += chunk;
		len -= chunk;
	}
	return 0;
}

int vmcore_read_virt(struct vmcore *vc, uint64_t vaddr, void *buf, size_t len,
		     struct kd_err *err)
{
	uint8_t *out = buf;

	while (len) {
		size_t in = (size_t)(vaddr & (vc->page_size - 1));
		size_t chunk = KD_MIN(len, (size_t)vc->page_size - in);
		uint64_t pa;
		int r = vmcore_vtop(vc, vaddr, &pa, err);

		if (r < 0)
			return r;
		r = vmcore_read_phys(vc, pa, out, chunk, err);
		if (r < 0) {
			kd_err_prefix(err, "reading virtual address 0x%" PRIx64, vaddr);
			return r;
		}
		out += chunk;
		vaddr += chunk;
		len -= chunk;
	}
	return 0;
}

int vmcore_read_virt_u64(struct vmcore *vc, uint64_t vaddr, uint64_t *ret, struct kd_err *err)
{
	uint8_t b[8];
	int r = vmcore_read_virt(vc, vaddr, b, 8, err);

	if (r < 0)
		return r;
	*ret = kd_le64(b);
	return 0;
}
