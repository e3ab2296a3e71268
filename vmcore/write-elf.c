// SPDX-License-Identifier: GPL-2.0-or-later
/* Writer of ELF dumps like makedumpfile -E: PT_LOADs split at long runs of excluded pages. */
#include "vmcore/writer.h"

#include <elf.h>
#include <inttypes.h>

/* Runs of at least this many excluded pages leave the file (makedumpfile's PFN_EXCLUDED). */
#define ELF_EXCLUDED_RUN 256u
#define EHDR_SIZE 64u
#define PHDR_SIZE 56u
#define SHDR_SIZE 64u

struct elf_w {
	uint8_t ehdr[EHDR_SIZE];
	uint8_t *phdrs;		/* the input's program headers, raw */
	uint64_t phnum;
	uint64_t nloads_out;
	uint64_t phdr_next;	/* file offset of the next output PT_LOAD header */
	uint64_t seg_off;	/* file offset of the next segment data */
	bool writing;
	bool flagged;		/* the header on disk says incomplete */
	uint32_t flags;		/* the input's e_flags */
};

struct piece {
	const uint8_t *in;	/* input phdr */
	uint64_t paddr, vaddr, memsz, filesz, offset;
	uint64_t src;		/* input file offset of the data */
};

static int emit(struct cap *c, const struct piece *p)
{
	struct elf_w *e = c->wpriv;
	uint8_t ph[PHDR_SIZE];
	int r;

	e->nloads_out++;
	if (!e->writing)
		return 0;
	memcpy(ph, p->in, PHDR_SIZE);
	kd_put_le64(ph + 8, p->offset);
	kd_put_le64(ph + 16, p->vaddr);
	kd_put_le64(ph + 24, p->paddr);
	kd_put_le64(ph + 32, p->filesz);
	kd_put_le64(ph + 40, p->memsz);
	r = vmcore_sink_write(&c->sink, ph, PHDR_SIZE, e->phdr_next, c->err);
	if (r < 0)
		return r;
	e->phdr_next += PHDR_SIZE;
	if (p->filesz) {
		r = cap_copy_range(c, p->src, p->filesz, p->offset);
		if (r < 0)
			return r;
		c->rep->pages_written += KD_DIV_ROUND_UP(p->filesz, c->ps);
	}
	return 0;
}

/* makedumpfile's write_elf_pages_cyclic layout, for counting (pass 1) or writing. */
static int layout(struct cap *c)
{
	struct elf_w *e = c->wpriv;
	uint64_t ps = c->ps, since = 0;
	int r;

	for (uint64_t i = 0; i < e->phnum; i++) {
		const uint8_t *ph = e->phdrs + i * PHDR_SIZE;
		uint64_t paddr = kd_le64(ph + 24), memsz_in = kd_le64(ph + 40);
		uint64_t off_in = kd_le64(ph + 8), pfn_start, pfn_end, frac_head, frac_tail;
		uint64_t excl = 0, memsz = 0, filesz = 0;
		struct piece p = { .in = ph, .paddr = paddr, .vaddr = kd_le64(ph + 16) };

		if (kd_le32(ph) != PT_LOAD)
			continue;
		pfn_start = paddr / ps;
		pfn_end = (paddr + memsz_in) / ps;
		frac_head = ps - paddr % ps;
		frac_tail = (paddr + memsz_in) % ps;
		if (frac_head && frac_head != ps) {
			memsz = filesz = frac_head;
			pfn_start++;
		}
		if (frac_tail)
			pfn_end++;
		for (uint64_t pfn = pfn_start; pfn < pfn_end; pfn++) {
			bool kept, last = pfn == pfn_end - 1 && frac_tail;
			uint64_t sz = last ? frac_tail : ps;

			r = cap_pfn_kept(c, pfn, &kept);
			if (r < 0)
				return r;
			if (!kept) {
				excl++;
				memsz += sz;
				continue;
			}
			if (e->writing && ++since == 1024) {
				cap_progress(c, since);
				since = 0;
			}
			if (excl < ELF_EXCLUDED_RUN) {
				/* Short runs of excluded pages stay, with their contents. */
				memsz += sz;
				filesz += excl * ps + sz;
				excl = 0;
				continue;
			}
			p.memsz = memsz;
			p.filesz = filesz;
			p.offset = filesz ? e->seg_off : 0;
			p.src = off_in + (p.paddr - paddr);
			r = emit(c, &p);
			if (r < 0)
				return r;
			p.paddr += memsz;
			p.vaddr += memsz;
			e->seg_off += filesz;
			excl = 0;
			memsz = filesz = ps;
		}
		p.memsz = memsz;
		p.filesz = filesz;
		p.offset = e->seg_off;
		p.src = off_in + (p.paddr - paddr);
		r = emit(c, &p);
		if (r < 0)
			return r;
		e->seg_off += filesz;
	}
	if (since)
		cap_progress(c, since);
	return 0;
}

static int el_begin(struct cap *c)
{
	struct elf_w *e = kd_calloc(1, sizeof(*e));
	int fd = vmcore_fd(c->vc);
	uint64_t phoff;
	ssize_t n;

	if (!e)
		return kd_err_set(c->err, -ENOMEM, "out of memory");
	c->wpriv = e;
	if (vmcore_format(c->vc) != VMCORE_FORMAT_ELF)
		return kd_err_set(c->err, -EOPNOTSUPP, "%s: ELF output (-E) needs an ELF vmcore as "
				  "input, not a %s file", vmcore_path(c->vc),
				  vmcore_format_name(vmcore_format(c->vc)));
	n = kd_pread_all(fd, e->ehdr, EHDR_SIZE, 0);
	if (n != EHDR_SIZE)
		return kd_err_set(c->err, -EIO, "%s: cannot read the ELF header", vmcore_path(c->vc));
	phoff = kd_le64(e->ehdr + 32);
	e->phnum = kd_le16(e->ehdr + 56);
	if (e->phnum == PN_XNUM) {
		uint8_t sh[SHDR_SIZE];

		n = kd_pread_all(fd, sh, SHDR_SIZE, kd_le64(e->ehdr + 40));
		if (n != SHDR_SIZE)
			return kd_err_set(c->err, -EIO, "%s: cannot read section header 0 (the program "
					  "header count)", vmcore_path(c->vc));
		e->phnum = kd_le32(sh + 44);
	}
	if (kd_le16(e->ehdr + 54) != PHDR_SIZE || e->phnum > VMCORE_MAX_LOADS)
		return kd_err_set(c->err, -EBADMSG, "%s: unexpected program header size %u or "
				  "count %" PRIu64, vmcore_path(c->vc), kd_le16(e->ehdr + 54),
				  e->phnum);
	e->phdrs = malloc(e->phnum * PHDR_SIZE + 1);
	if (!e->phdrs)
		return kd_err_set(c->err, -ENOMEM, "out of memory");
	n = kd_pread_all(fd, e->phdrs, e->phnum * PHDR_SIZE, phoff);
	if (n != (ssize_t)(e->phnum * PHDR_SIZE))
		return kd_err_set(c->err, -EIO, "%s: cannot read %" PRIu64 " program headers at "
				  "offset 0x%" PRIx64, vmcore_path(c->vc), e->phnum, phoff);
	return 0;
}

static int el_write(struct cap *c)
{
	struct elf_w *e = c->wpriv;
	const uint8_t *note_in = NULL;
	size_t notes_len = 0;
	const uint8_t *notes = vmcore_notes(c->vc, &notes_len);
	uint64_t phnum_out, off_note;
	uint8_t ph[PHDR_SIZE];
	int r;

	for (uint64_t i = 0; i < e->phnum && !note_in; i++)
		if (kd_le32(e->phdrs + i * PHDR_SIZE) == PT_NOTE)
			note_in = e->phdrs + i * PHDR_SIZE;
	if (!note_in)
		return kd_err_set(c->err, -EBADMSG, "%s: no PT_NOTE program header to copy",
				  vmcore_path(c->vc));
	/* Count the output PT_LOADs first: the data goes after all headers. */
	e->writing = false;
	e->nloads_out = 0;
	r = layout(c);
	if (r < 0)
		return r;
	phnum_out = 1 + e->nloads_out;
	off_note = EHDR_SIZE + PHDR_SIZE * phnum_out;
	if (phnum_out >= PN_XNUM) {
		uint8_t sh[SHDR_SIZE] = { 0 };

		kd_put_le16(e->ehdr + 56, PN_XNUM);
		kd_put_le64(e->ehdr + 40, off_note);
		kd_put_le16(e->ehdr + 58, SHDR_SIZE);
		kd_put_le16(e->ehdr + 60, 1);
		kd_put_le16(e->ehdr + 62, SHN_UNDEF);
		kd_put_le64(sh + 32, 1);			/* sh_size = e_shnum */
		kd_put_le32(sh + 44, (uint32_t)phnum_out);	/* sh_info */
		r = vmcore_sink_write(&c->sink, sh, sizeof(sh), off_note, c->err);
		if (r < 0)
			return r;
		off_note += SHDR_SIZE;
	} else {
		kd_put_le16(e->ehdr + 56, (uint16_t)phnum_out);
	}
	/* Flagged incomplete (e_flags bit 0) until el_finish rewrites it as the last write. */
	e->flags = kd_le32(e->ehdr + 48);
	kd_put_le32(e->ehdr + 48, e->flags | 1);
	r = vmcore_sink_write(&c->sink, e->ehdr, EHDR_SIZE, 0, c->err);
	if (r < 0)
		return r;
	e->flagged = true;
	memcpy(ph, note_in, PHDR_SIZE);
	kd_put_le64(ph + 8, off_note);
	r = vmcore_sink_write(&c->sink, ph, PHDR_SIZE, EHDR_SIZE, c->err);
	if (r == 0)
		r = vmcore_sink_write(&c->sink, notes, notes_len, off_note, c->err);
	if (r < 0)
		return r;
	e->phdr_next = EHDR_SIZE + PHDR_SIZE;
	e->seg_off = off_note + kd_le64(note_in + 32);
	e->writing = true;
	e->nloads_out = 0;
	return layout(c);
}

static int el_finish(struct cap *c)
{
	struct elf_w *e = c->wpriv;

	kd_put_le32(e->ehdr + 48, e->flags);
	return vmcore_sink_write(&c->sink, e->ehdr, EHDR_SIZE, 0, c->err);
}

static int el_mark_incomplete(struct cap *c)
{
	struct elf_w *e = c->wpriv;
	struct kd_err err = { 0 };

	if (!e || !e->flagged)
		return -EIO;
	kd_put_le32(e->ehdr + 48, e->flags | 1);
	vmcore_sink_write(&c->sink, e->ehdr, EHDR_SIZE, 0, &err);
	return 0;
}

static void el_destroy(struct cap *c)
{
	struct elf_w *e = c->wpriv;

	if (e)
		free(e->phdrs);
	free(e);
	c->wpriv = NULL;
}

const struct vmcore_writer_ops vmcore_writer_elf = {
	.name = "ELF",
	.zero_pages_out = true,
	.begin = el_begin,
	.write = el_write,
	.finish = el_finish,
	.mark_incomplete = el_mark_incomplete,
	.destroy = el_destroy,
};
