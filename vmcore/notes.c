// SPDX-License-Identifier: GPL-2.0-or-later
/* ELF notes of a dump: walking them safely, NT_PRSTATUS and the VMCOREINFO note. */
#include "vmcore/internal.h"

#include <elf.h>
#include <inttypes.h>

const char *const vmcore_reg_names[VMCORE_NR_REGS] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9",
	"r8", "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs",
	"eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
};

/* struct elf_prstatus on x86_64. */
#define PRSTATUS_SIZE 336
#define PRSTATUS_PID 32
#define PRSTATUS_REG 112

int vmcore_notes_walk(const uint8_t *seg, size_t len, vmcore_note_fn fn, void *data,
		      struct kd_err *err)
{
	size_t off = 0;

	while (off + 12 <= len) {
		uint32_t namesz = kd_le32(seg + off);
		uint32_t descsz = kd_le32(seg + off + 4);
		uint32_t type = kd_le32(seg + off + 8);
		uint64_t name_off = off + 12;
		uint64_t desc_off = name_off + KD_ALIGN_UP((uint64_t)namesz, 4);
		uint64_t next = desc_off + KD_ALIGN_UP((uint64_t)descsz, 4);
		char name[64];
		int r;

		if (namesz == 0 && descsz == 0 && type == 0)
			break;
		if (desc_off > len || next > len + 3 || desc_off + descsz > len)
			return kd_err_set(err, -EBADMSG,
					  "note at offset %zu (namesz %u, descsz %u) overruns the "
					  "%zu-byte note segment",
					  off, namesz, descsz, len);
		/* Names are short printable strings; keep what fits, NUL-terminated. */
		memset(name, 0, sizeof(name));
		memcpy(name, seg + name_off, KD_MIN((size_t)namesz, sizeof(name) - 1));
		r = fn(name, type, seg + desc_off, descsz, desc_off, data);
		if (r)
			return r;
		off = (size_t)KD_MIN(next, (uint64_t)len);
	}
	return 0;
}

struct note_scan {
	struct vmcore *vc;
	struct kd_err *err;
	size_t nr_cpus;
	bool want_store;
};

static int scan_note(const char *name, uint32_t type, const uint8_t *desc, uint32_t descsz,
		     uint64_t desc_off, void *data)
{
	struct note_scan *s = data;
	struct vmcore *vc = s->vc;

	if (strcmp(name, "CORE") == 0 && type == NT_PRSTATUS) {
		if (descsz < PRSTATUS_SIZE)
			return kd_err_set(s->err, -EBADMSG,
					  "NT_PRSTATUS note at offset %" PRIu64
					  " of the notes has %u bytes, less than %d",
					  desc_off, descsz, PRSTATUS_SIZE);
		if (s->nr_cpus >= VMCORE_MAX_CPUS)
			return kd_err_set(s->err, -E2BIG, "more than %u NT_PRSTATUS notes",
					  VMCORE_MAX_CPUS);
		if (s->want_store) {
			struct vmcore_prstatus *p = &vc->cpus[s->nr_cpus];
			p->pid = kd_le32(desc + PRSTATUS_PID);
			for (int i = 0; i < VMCORE_NR_REGS; i++)
				p->regs[i] = kd_le64(desc + PRSTATUS_REG + 8 * i);
		}
		s->nr_cpus++;
	} else if (strcmp(name, "VMCOREINFO") == 0 && !vc->has_vmcoreinfo_note) {
		vc->has_vmcoreinfo_note = true;
		vc->vmcoreinfo_off = desc_off;
		vc->vmcoreinfo_size = descsz;
	}
	return 0;
}

int vmcore_set_notes(struct vmcore *vc, uint8_t *notes, size_t len, struct kd_err *err)
{
	struct note_scan s = { .vc = vc, .err = err };
	int r;

	free(vc->notes);
	vc->notes = notes;
	vc->notes_len = len;
	/* First count, then store: the count comes from untrusted data and is capped. */
	r = vmcore_notes_walk(notes, len, scan_note, &s, err);
	if (r < 0)
		return r;
	vc->cpus = kd_calloc(s.nr_cpus, sizeof(*vc->cpus));
	if (!vc->cpus)
		return kd_err_set(err, -ENOMEM, "out of memory");
	s.nr_cpus = 0;
	s.want_store = true;
	vc->has_vmcoreinfo_note = false;
	r = vmcore_notes_walk(notes, len, scan_note, &s, err);
	if (r < 0)
		return r;
	vc->nr_cpus = s.nr_cpus;
	if (vc->has_vmcoreinfo_note) {
		r = vmcoreinfo_parse((const char *)notes + vc->vmcoreinfo_off,
				     (size_t)vc->vmcoreinfo_size, &vc->vi, err);
		if (r < 0)
			return r;
	}
	return 0;
}
