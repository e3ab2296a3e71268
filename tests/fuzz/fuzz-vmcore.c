// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: opening a dump file (ELF headers, PT_NOTE, VMCOREINFO) and reading from it. */
#include "fuzz-util.h"
#include "vmcore/vmcore.h"

#define T "fuzz-vmcore"

static int count_note(const char *name, uint32_t type, const uint8_t *desc, uint32_t descsz,
		      uint64_t desc_off, void *data)
{
	size_t *n = data;

	(void)name, (void)type, (void)desc, (void)descsz, (void)desc_off;
	(*n)++;
	return 0;
}

/* Reads a page and its first bytes through the physical and virtual paths. */
static void read_some(struct vmcore *vc, uint64_t pfn, uint8_t *buf)
{
	struct kd_err err = { 0 };
	uint64_t off, pa, va;
	int r;

	r = vmcore_read_pfn(vc, pfn, buf, &err);
	fz_check(r == 0 || (r < 0 && err.msg[0]), T, "read_pfn fails with a message");
	if (vmcore_pfn_offset(vc, pfn, &off) == 0)
		fz_check(vmcore_pfn_is_ram(vc, pfn) && off < vmcore_file_size(vc), T,
			 "a page with a file offset is RAM inside the file");
	pa = pfn * vmcore_page_size(vc);
	(void)vmcore_read_phys(vc, pa + 8, buf, 16, NULL);
	va = vmcore_page_offset(vc) + pa;
	if (vmcore_vtop(vc, va, &pa, NULL) == 0)
		(void)vmcore_read_virt(vc, va, buf, 24, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vmcoreinfo *vi;
	const struct vmcore_dumpinfo *di;
	const struct vmcore_load *loads;
	struct kd_err err = { 0 };
	struct vmcore *vc = NULL;
	const char *path = fz_file(data, size);
	const uint8_t *notes;
	size_t n_loads, notes_len, n_notes = 0, cpu;
	uint64_t v, off, sz;
	const char *how;
	uint8_t *buf;
	int r;

	r = vmcore_open(path, &vc, &err);
	if (r < 0) {
		fz_check(!vc, T, "a failed open returns no handle");
		fz_check_err(&err, path, T);
		return 0;
	}
	fz_check(vmcore_page_size(vc) >= 512, T, "page size set");
	buf = malloc(vmcore_page_size(vc));
	if (!buf)
		abort();
	di = vmcore_dumpinfo(vc);
	fz_check(memchr(di->release, 0, sizeof(di->release)) != NULL, T, "release terminated");
	notes = vmcore_notes(vc, &notes_len);
	if (notes) {
		fz_check(vmcore_notes_walk(notes, notes_len, count_note, &n_notes, NULL) >= 0, T,
			 "the stored notes walk again");
	}
	if (vmcore_vmcoreinfo_note(vc, &off, &sz) == 0)
		fz_check(notes && off <= notes_len && sz <= notes_len - off, T,
			 "VMCOREINFO lies inside the notes");
	for (size_t i = 0; i < vmcore_nr_cpus(vc); i++)
		fz_check(vmcore_prstatus(vc, i) != NULL, T, "each CPU has a prstatus");
	(void)vmcore_crashing_cpu(vc, NULL, &cpu, &how);
	vi = vmcore_vmcoreinfo(vc);
	if (vi) {
		(void)vmcoreinfo_osrelease(vi);
		(void)vmcoreinfo_pagesize(vi, &v);
		if (vmcoreinfo_symbol(vi, "init_top_pgt", &v) == 0)
			(void)vmcore_read_virt(vc, v, buf, 64, NULL);
		if (vmcoreinfo_symbol(vi, "_stext", &v) == 0)
			(void)vmcore_read_virt(vc, v, buf, 64, NULL);
	}
	loads = vmcore_loads(vc, &n_loads);
	for (size_t i = 0; i < n_loads && i < 4; i++) {
		uint64_t pfn = loads[i].paddr / vmcore_page_size(vc);
		read_some(vc, pfn, buf);
		read_some(vc, pfn + 1, buf);
	}
	if (vmcore_max_pfn(vc))
		read_some(vc, vmcore_max_pfn(vc) - 1, buf);
	read_some(vc, 0, buf);
	read_some(vc, UINT64_MAX / 4096, buf);
	free(buf);
	vmcore_close(vc);
	return 0;
}
