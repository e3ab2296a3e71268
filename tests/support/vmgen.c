// SPDX-License-Identifier: GPL-2.0-or-later
/* Test support: a small ELF vmcore writer driven by tests (see vmgen.h). */
#include "vmgen.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct gload {
	uint64_t paddr, size, vaddr;
	uint8_t *mem;
};

struct vmgen {
	char info[8192];
	size_t info_len;
	int no_info;
	struct {
		uint32_t pid;
		uint64_t regs[27];
	} cpus[16];
	int nr_cpus;
	struct gload loads[64];
	int nr_loads;
};

struct vmgen *vmgen_new(void)
{
	return calloc(1, sizeof(struct vmgen));
}

void vmgen_free(struct vmgen *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->nr_loads; i++)
		free(g->loads[i].mem);
	free(g);
}

void vmgen_info(struct vmgen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(g->info + g->info_len, sizeof(g->info) - g->info_len - 1, fmt, ap);
	va_end(ap);
	if (n > 0 && g->info_len + (size_t)n + 1 < sizeof(g->info)) {
		g->info_len += (size_t)n;
		g->info[g->info_len++] = '\n';
	}
}

void vmgen_no_vmcoreinfo(struct vmgen *g)
{
	g->no_info = 1;
}

void vmgen_info_kernel(struct vmgen *g, const char *osrelease, unsigned page_size,
		       uint64_t init_top_pgt)
{
	vmgen_info(g, "OSRELEASE=%s", osrelease);
	vmgen_info(g, "PAGESIZE=%u", page_size);
	vmgen_info(g, "SYMBOL(init_top_pgt)=%" PRIx64, init_top_pgt);
	vmgen_info(g, "NUMBER(phys_base)=0");
}

void vmgen_info_printk(struct vmgen *g, uint64_t prb_va, bool caller, const char *override)
{
	static const char *const keys[] = {
		"SIZE(printk_ringbuffer)=88", "OFFSET(printk_ringbuffer.desc_ring)=0",
		"OFFSET(printk_ringbuffer.text_data_ring)=48", "SIZE(prb_desc_ring)=48",
		"OFFSET(prb_desc_ring.count_bits)=0", "OFFSET(prb_desc_ring.descs)=8",
		"OFFSET(prb_desc_ring.infos)=16", "OFFSET(prb_desc_ring.head_id)=24",
		"OFFSET(prb_desc_ring.tail_id)=32", "SIZE(prb_desc)=24",
		"OFFSET(prb_desc.state_var)=0", "OFFSET(prb_desc.text_blk_lpos)=8",
		"OFFSET(prb_data_blk_lpos.begin)=0", "OFFSET(prb_data_blk_lpos.next)=8",
		"SIZE(printk_info)=88", "OFFSET(printk_info.seq)=0",
		"OFFSET(printk_info.ts_nsec)=8", "OFFSET(printk_info.text_len)=16",
		"SIZE(prb_data_ring)=32", "OFFSET(prb_data_ring.size_bits)=0",
		"OFFSET(prb_data_ring.data)=8", "SIZE(atomic_long_t)=8",
		"OFFSET(atomic_long_t.counter)=0",
	};
	size_t olen = override ? strcspn(override, "=") + 1 : 0;

	vmgen_info(g, "SYMBOL(prb)=%" PRIx64, prb_va);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (override && strncmp(keys[i], override, olen) == 0)
			vmgen_info(g, "%s", override);
		else
			vmgen_info(g, "%s", keys[i]);
	}
	if (caller)
		vmgen_info(g, "OFFSET(printk_info.caller_id)=20");
}

void vmgen_info_log_buf(struct vmgen *g, uint64_t syms_va, bool caller)
{
	vmgen_info(g, "SYMBOL(log_buf)=%" PRIx64, syms_va);
	vmgen_info(g, "SYMBOL(log_buf_len)=%" PRIx64, syms_va + 8);
	vmgen_info(g, "SYMBOL(log_first_idx)=%" PRIx64, syms_va + 16);
	vmgen_info(g, "SYMBOL(log_next_idx)=%" PRIx64, syms_va + 24);
	vmgen_info(g, "SIZE(printk_log)=%d", caller ? 24 : 16);
	vmgen_info(g, "OFFSET(printk_log.ts_nsec)=0");
	vmgen_info(g, "OFFSET(printk_log.len)=8");
	vmgen_info(g, "OFFSET(printk_log.text_len)=10");
	if (caller)
		vmgen_info(g, "OFFSET(printk_log.caller_id)=16");
}

void vmgen_cpu(struct vmgen *g, uint32_t pid, const uint64_t regs[27])
{
	if (g->nr_cpus >= 16)
		abort();
	g->cpus[g->nr_cpus].pid = pid;
	if (regs)
		memcpy(g->cpus[g->nr_cpus].regs, regs, sizeof(g->cpus[0].regs));
	g->nr_cpus++;
}

uint8_t *vmgen_load(struct vmgen *g, uint64_t paddr, uint64_t size, uint64_t vaddr)
{
	struct gload *l;

	if (g->nr_loads >= 64)
		abort();
	l = &g->loads[g->nr_loads++];
	l->paddr = paddr;
	l->size = size;
	l->vaddr = vaddr;
	l->mem = calloc(1, size ? size : 1);
	if (!l->mem)
		abort();
	return l->mem;
}

uint8_t *vmgen_phys(struct vmgen *g, uint64_t paddr)
{
	for (int i = 0; i < g->nr_loads; i++)
		if (paddr >= g->loads[i].paddr && paddr < g->loads[i].paddr + g->loads[i].size)
			return g->loads[i].mem + (paddr - g->loads[i].paddr);
	return NULL;
}

void vmgen_poke(struct vmgen *g, uint64_t paddr, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	for (size_t i = 0; i < len; i++) {
		uint8_t *p = vmgen_phys(g, paddr + i);
		if (!p)
			abort();
		*p = b[i];
	}
}

static void poke_le(struct vmgen *g, uint64_t paddr, uint64_t v, size_t n)
{
	uint8_t b[8];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	vmgen_poke(g, paddr, b, n);
}

void vmgen_poke_u16(struct vmgen *g, uint64_t paddr, uint16_t v)
{
	poke_le(g, paddr, v, 2);
}

void vmgen_poke_u32(struct vmgen *g, uint64_t paddr, uint32_t v)
{
	poke_le(g, paddr, v, 4);
}

void vmgen_poke_u64(struct vmgen *g, uint64_t paddr, uint64_t v)
{
	poke_le(g, paddr, v, 8);
}

uint8_t vmgen_pattern_byte(uint64_t paddr)
{
	uint64_t x = (paddr >> 3) * 0x9e3779b97f4a7c15ULL + (paddr & 7) * 0x2545f491;
	return (uint8_t)((x >> 29) | 1);
}

void vmgen_pattern(struct vmgen *g, uint64_t paddr, uint64_t len)
{
	for (uint64_t a = paddr; a < paddr + len; a++) {
		uint8_t *p = vmgen_phys(g, a);
		if (p)
			*p = vmgen_pattern_byte(a);
	}
}

static size_t note_size(size_t namesz, size_t descsz)
{
	return 12 + ((namesz + 3) & ~3UL) + ((descsz + 3) & ~3UL);
}

static uint8_t *put_note(uint8_t *p, const char *name, uint32_t type, const void *desc,
			 size_t descsz)
{
	Elf64_Nhdr nh = { .n_namesz = (uint32_t)strlen(name) + 1, .n_descsz = (uint32_t)descsz,
			  .n_type = type };

	memcpy(p, &nh, 12);
	p += 12;
	memcpy(p, name, nh.n_namesz);
	p += (nh.n_namesz + 3) & ~3U;
	memcpy(p, desc, descsz);
	return p + ((descsz + 3) & ~3UL);
}

int vmgen_write(struct vmgen *g, const char *path)
{
	size_t nph = 1 + (size_t)g->nr_loads, notes_len = 0;
	uint8_t *notes, *p;
	uint64_t off;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph;
	int fd, r = 0;

	for (int i = 0; i < g->nr_cpus; i++)
		notes_len += note_size(5, 336);
	if (!g->no_info)
		notes_len += note_size(11, g->info_len);
	notes = calloc(1, notes_len + 1);
	ph = calloc(nph, sizeof(*ph));
	if (!notes || !ph)
		abort();
	p = notes;
	for (int i = 0; i < g->nr_cpus; i++) {
		uint8_t d[336] = { 0 };
		memcpy(d + 32, &g->cpus[i].pid, 4);
		memcpy(d + 112, g->cpus[i].regs, 27 * 8);
		p = put_note(p, "CORE", NT_PRSTATUS, d, sizeof(d));
	}
	if (!g->no_info)
		p = put_note(p, "VMCOREINFO", 0, g->info, g->info_len);

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)nph;

	off = (sizeof(eh) + nph * sizeof(Elf64_Phdr) + 4095) & ~4095ULL;
	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = off;
	ph[0].p_filesz = ph[0].p_memsz = notes_len;
	off = (off + notes_len + 4095) & ~4095ULL;
	for (int i = 0; i < g->nr_loads; i++) {
		struct gload *l = &g->loads[i];
		Elf64_Phdr *q = &ph[1 + i];
		q->p_type = PT_LOAD;
		q->p_flags = PF_R | PF_W | PF_X;
		q->p_paddr = l->paddr;
		q->p_vaddr = l->vaddr;
		q->p_filesz = q->p_memsz = l->size;
		/* /proc/vmcore: each load in its page-rounded chunk. */
		q->p_offset = off + (l->paddr & 4095);
		off += ((l->paddr & 4095) + l->size + 4095) & ~4095ULL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	if (pwrite(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    pwrite(fd, ph, nph * sizeof(*ph), sizeof(eh)) != (ssize_t)(nph * sizeof(*ph)) ||
	    pwrite(fd, notes, notes_len, (off_t)ph[0].p_offset) != (ssize_t)notes_len)
		r = -EIO;
	for (int i = 0; i < g->nr_loads && !r; i++)
		if (pwrite(fd, g->loads[i].mem, g->loads[i].size, (off_t)ph[1 + i].p_offset) !=
		    (ssize_t)g->loads[i].size)
			r = -EIO;
	if (!r && ftruncate(fd, (off_t)off) < 0)
		r = -errno;
	close(fd);
	free(notes);
	free(ph);
	return r;
}
