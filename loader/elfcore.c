// SPDX-License-Identifier: GPL-2.0-or-later
/* The elfcorehdr: the ELF64 core header the capture kernel turns into /proc/vmcore. */
#include "loader/loader.h"

#include <elf.h>

/*
 * Low memory. kexec-tools (kexec_load path) describes 0x1000-0x9fbff through a "backup"
 * segment: the purgatory copies the first 640 KiB into the reservation at crash time and the
 * PT_LOAD for that range points there. The kernel's own kexec_file_load builder
 * (crash_prepare_elf64_headers via arch/x86/kernel/crash.c prepare_elf_headers) excludes
 * [0, 1 MiB) from the dump instead: since 5.x the first kernel reserves the whole first MiB at
 * boot (nothing of interest lives there but BIOS data and the real-mode trampoline), and the
 * capture kernel gets that low RAM as usable memory. We follow the kernel: no backup segment,
 * no copy at crash time, and after a CPU/memory hotplug event the kernel's rewritten header
 * describes exactly the same ranges as ours.
 */
#define LOW_MEMORY_END 0x100000ULL

struct builder {
	Elf64_Phdr *ph;
	size_t n, cap;
};

static int add_phdr(struct builder *b, uint32_t type, uint64_t off, uint64_t vaddr,
		    uint64_t paddr, uint64_t size)
{
	if (b->n >= b->cap)
		return -E2BIG;
	b->ph[b->n++] = (Elf64_Phdr){
		.p_type = type,
		.p_flags = type == PT_LOAD ? PF_R | PF_W | PF_X : 0,
		.p_offset = off,
		.p_vaddr = vaddr,
		.p_paddr = paddr,
		.p_filesz = size,
		.p_memsz = size,
		.p_align = 0,
	};
	return 0;
}

/* Adds [start, end] minus the crash regions as PT_LOADs. */
static int add_ram(struct builder *b, const struct loader_sysinfo *si, uint64_t start,
		   uint64_t end)
{
	for (size_t i = 0; i < si->n_crash && start <= end; i++) {
		const struct loader_range *c = &si->crash[i];

		if (c->end < start || c->start > end)
			continue;
		if (c->start > start) {
			int rc = add_phdr(b, PT_LOAD, start, si->page_offset + start, start,
					  c->start - start);
			if (rc < 0)
				return rc;
		}
		if (c->end >= end)
			return 0;
		start = c->end + 1;
	}
	if (start > end)
		return 0;
	return add_phdr(b, PT_LOAD, start, si->page_offset + start, start, end - start + 1);
}

int loader_elfcorehdr_build(const struct loader_sysinfo *si, uint8_t **ret_buf, size_t *ret_len,
			    struct kd_err *err)
{
	struct builder b = { 0 };
	_cleanup_free_ uint8_t *buf = NULL;
	Elf64_Ehdr *eh;
	size_t len;
	int rc;

	if (si->cpu_error)
		return kd_err_set(err, -ENOENT, "%s", si->cpu_error);
	if (si->n_cpus == 0)
		return kd_err_set(err, -ENOENT,
				  "no CPU crash notes found under %s/sys/devices/system/cpu "
				  "(is the kernel built with CONFIG_CRASH_DUMP?)",
				  strcmp(si->root, "/") ? si->root : "");
	if (!si->vmcoreinfo_addr)
		return kd_err_set(err, -ENOENT,
				  "cannot read the VMCOREINFO note address from "
				  "/sys/kernel/vmcoreinfo: the capture kernel and the dump tools "
				  "need it (run as root; CONFIG_CRASH_CORE)");
	if (!si->have_text || !si->have_page_offset)
		return kd_err_set(err, -ENOENT,
				  "the kernel's virtual layout is unknown: %s",
				  si->kcore_error ? si->kcore_error : "no /proc/kcore");
	if (si->n_ram == 0)
		return kd_err_set(err, -ENOENT, "no System RAM in /proc/iomem");

	b.cap = si->n_cpus + 2 + si->n_ram * (si->n_crash + 1);
	len = sizeof(Elf64_Ehdr) + b.cap * sizeof(Elf64_Phdr);
	buf = kd_calloc(1, len);
	if (!buf)
		return kd_err_set(err, -ENOMEM, "out of memory");
	b.ph = (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr));

	for (size_t i = 0; i < si->n_cpus; i++)
		add_phdr(&b, PT_NOTE, si->cpus[i].addr, 0, si->cpus[i].addr, si->cpus[i].size);
	add_phdr(&b, PT_NOTE, si->vmcoreinfo_addr, 0, si->vmcoreinfo_addr, si->vmcoreinfo_size);
	add_phdr(&b, PT_LOAD, si->text_paddr, si->text_vaddr, si->text_paddr, si->text_size);
	for (size_t i = 0; i < si->n_ram; i++) {
		uint64_t start = KD_MAX(si->ram[i].start, LOW_MEMORY_END), end = si->ram[i].end;

		/* Overlapping or nested RAM lines: skip what an earlier range covered. */
		if (i > 0 && si->ram[i - 1].end >= start)
			start = si->ram[i - 1].end + 1;
		if (end < start)
			continue;
		rc = add_ram(&b, si, start, end);
		if (rc < 0)
			return kd_err_set(err, rc, "too many program headers");
	}

	eh = (Elf64_Ehdr *)buf;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	if (b.n > 0xfffe)
		return kd_err_set(err, -E2BIG, "too many program headers (%zu)", b.n);
	eh->e_phnum = (uint16_t)b.n;

	*ret_len = sizeof(Elf64_Ehdr) + b.n * sizeof(Elf64_Phdr);
	*ret_buf = KD_TAKE_PTR(buf);
	return 0;
}
