// SPDX-License-Identifier: GPL-2.0-or-later
/* Reader of ELF vmcores (/proc/vmcore or a saved copy), built on libelf. */
#include "vmcore/internal.h"

#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>

struct elf_priv {
	/* PT_LOADs sorted by paddr, for page lookups. */
	struct vmcore_load *sorted;
	/* maxend[i]: the highest paddr + memsz among sorted[0..i]. */
	uint64_t *maxend;
	size_t nr;
	/*
	 * The load of the last lookup through vmcore_pfn_offset (shared by its callers, so read
	 * and written atomically; threads that look up often keep their own, see
	 * vmcore_pfn_offset_hint).
	 */
	size_t hint;
};

static bool elf_probe(const uint8_t *head, size_t len)
{
	return len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
}

static int cmp_load(const void *a, const void *b)
{
	const struct vmcore_load *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

static int read_notes(struct vmcore *vc, const GElf_Phdr *ph, size_t idx, struct kd_err *err)
{
	uint8_t *buf;
	ssize_t n;

	if (ph->p_filesz > VMCORE_MAX_NOTES)
		return kd_err_set(err, -EFBIG, "%s: PT_NOTE (program header %zu) is %" PRIu64
				  " bytes, more than %u", vc->path, idx, (uint64_t)ph->p_filesz,
				  VMCORE_MAX_NOTES);
	buf = malloc(ph->p_filesz ? ph->p_filesz : 1);
	if (!buf)
		return kd_err_set(err, -ENOMEM, "out of memory");
	n = kd_pread_all(vc->fd, buf, ph->p_filesz, ph->p_offset);
	if (n < 0 || (uint64_t)n != ph->p_filesz) {
		free(buf);
		return kd_err_set(err, n < 0 ? (int)n : -EIO,
				  "%s: cannot read the PT_NOTE at offset 0x%" PRIx64 " (%" PRIu64
				  " bytes): %s", vc->path, (uint64_t)ph->p_offset,
				  (uint64_t)ph->p_filesz, n < 0 ? strerror((int)-n) : "file too short");
	}
	int r = vmcore_set_notes(vc, buf, ph->p_filesz, err);
	if (r < 0)
		kd_err_prefix(err, "%s: PT_NOTE at offset 0x%" PRIx64, vc->path,
			      (uint64_t)ph->p_offset);
	return r;
}

static int elf_open(struct vmcore *vc, struct kd_err *err)
{
	struct elf_priv *priv;
	size_t phnum, nloads = 0;
	GElf_Ehdr eh;
	Elf *elf;
	int r = 0;
	bool have_notes = false;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return kd_err_set(err, -EINVAL, "libelf: %s", elf_errmsg(-1));
	elf = elf_begin(vc->fd, ELF_C_READ, NULL);
	if (!elf)
		return kd_err_set(err, -EBADMSG, "%s: not a readable ELF file: %s", vc->path,
				  elf_errmsg(-1));
	priv = kd_calloc(1, sizeof(*priv));
	if (!priv) {
		r = kd_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	vc->priv = priv;
	if (!gelf_getehdr(elf, &eh)) {
		r = kd_err_set(err, -EBADMSG, "%s: bad ELF header at offset 0: %s", vc->path,
			       elf_errmsg(-1));
		goto out;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		r = kd_err_set(err, -EBADMSG, "%s: not a 64-bit little-endian ELF file (class %u, "
			       "data %u at offset 4)", vc->path, eh.e_ident[EI_CLASS],
			       eh.e_ident[EI_DATA]);
		goto out;
	}
	if (eh.e_type != ET_CORE) {
		r = kd_err_set(err, -EBADMSG, "%s: ELF type %u at offset 16 is not ET_CORE (4): "
			       "not a vmcore", vc->path, eh.e_type);
		goto out;
	}
	if (eh.e_machine != EM_X86_64) {
		r = kd_err_set(err, -EOPNOTSUPP, "%s: ELF machine %u at offset 18 is not x86_64 "
			       "(62)", vc->path, eh.e_machine);
		goto out;
	}
	if (elf_getphdrnum(elf, &phnum) < 0) {
		r = kd_err_set(err, -EBADMSG, "%s: bad program header count: %s", vc->path,
			       elf_errmsg(-1));
		goto out;
	}
	if (phnum > VMCORE_MAX_LOADS) {
		r = kd_err_set(err, -E2BIG, "%s: %zu program headers, more than %u", vc->path,
			       phnum, VMCORE_MAX_LOADS);
		goto out;
	}
	vc->loads = kd_calloc(phnum, sizeof(*vc->loads));
	if (!vc->loads) {
		r = kd_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < phnum; i++) {
		uint64_t phoff = eh.e_phoff + i * (uint64_t)eh.e_phentsize;
		uint64_t end;
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph)) {
			r = kd_err_set(err, -EBADMSG, "%s: cannot read program header %zu at offset "
				       "0x%" PRIx64 ": %s", vc->path, i, phoff, elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type == PT_NOTE) {
			if (have_notes)
				continue; /* /proc/vmcore merges notes into one */
			if (kd_add_overflow(ph.p_offset, ph.p_filesz, &end) || end > vc->file_size) {
				r = kd_err_set(err, -EBADMSG, "%s: PT_NOTE (program header %zu at "
					       "offset 0x%" PRIx64 ") ends past the end of the file",
					       vc->path, i, phoff);
				goto out;
			}
			r = read_notes(vc, &ph, i, err);
			if (r < 0)
				goto out;
			have_notes = true;
			continue;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		if ((eh.e_flags & 1) && ph.p_offset + ph.p_filesz > vc->file_size &&
		    ph.p_offset <= vc->file_size && ph.p_filesz <= ph.p_memsz) {
			/*
			 * An incomplete dump (makedumpfile -E, kdump capture -E: e_flags bit 0)
			 * ends inside a segment: keep what is there; the rest is lost, not zero.
			 */
			uint64_t avail = vc->file_size - ph.p_offset;

			/* Whole (x86_64, 4 KiB) pages only: a torn page is lost too. */
			avail = KD_ALIGN_DOWN(ph.p_paddr + avail, 4096) > ph.p_paddr ?
					KD_ALIGN_DOWN(ph.p_paddr + avail, 4096) - ph.p_paddr : 0;
			ph.p_filesz = ph.p_memsz = avail;
		}
		if (ph.p_filesz > ph.p_memsz ||
		    kd_add_overflow(ph.p_offset, ph.p_filesz, &end) || end > vc->file_size ||
		    kd_add_overflow(ph.p_paddr, ph.p_memsz, &end)) {
			r = kd_err_set(err, -EBADMSG, "%s: PT_LOAD (program header %zu at offset "
				       "0x%" PRIx64 ": paddr 0x%" PRIx64 ", offset 0x%" PRIx64
				       ", filesz 0x%" PRIx64 ", memsz 0x%" PRIx64 ") lies outside the "
				       "%" PRIu64 "-byte file or is inconsistent%s", vc->path, i,
				       phoff, (uint64_t)ph.p_paddr, (uint64_t)ph.p_offset,
				       (uint64_t)ph.p_filesz, (uint64_t)ph.p_memsz, vc->file_size,
				       ph.p_offset + ph.p_filesz > vc->file_size ?
				       " (truncated file?)" : "");
			goto out;
		}
		vc->loads[nloads++] = (struct vmcore_load){
			.paddr = ph.p_paddr, .vaddr = ph.p_vaddr, .memsz = ph.p_memsz,
			.filesz = ph.p_filesz, .offset = ph.p_offset,
		};
	}
	vc->nr_loads = nloads;
	if (!nloads) {
		r = kd_err_set(err, -EBADMSG, "%s: no PT_LOAD program headers: no memory in the "
			       "dump", vc->path);
		goto out;
	}
	if (vc->vi) {
		uint64_t ps;
		if (vmcoreinfo_pagesize(vc->vi, &ps) == 0) {
			r = vmcore_set_page_size(vc, ps, err);
			if (r < 0)
				goto out;
		}
	}
	if (!vc->page_size) {
		r = vmcore_set_page_size(vc, 4096, err);
		if (r < 0)
			goto out;
	}
	priv->sorted = kd_calloc(nloads, sizeof(*priv->sorted));
	if (!priv->sorted) {
		r = kd_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(priv->sorted, vc->loads, nloads * sizeof(*priv->sorted));
	qsort(priv->sorted, nloads, sizeof(*priv->sorted), cmp_load);
	priv->nr = nloads;
	priv->maxend = kd_calloc(nloads, sizeof(*priv->maxend));
	if (!priv->maxend) {
		r = kd_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nloads; i++)
		priv->maxend[i] = KD_MAX(i ? priv->maxend[i - 1] : 0,
					 priv->sorted[i].paddr + priv->sorted[i].memsz);
	for (size_t i = 0; i < nloads; i++) {
		uint64_t end = KD_DIV_ROUND_UP(vc->loads[i].paddr + vc->loads[i].memsz,
					       (uint64_t)vc->page_size);
		vc->max_pfn = KD_MAX(vc->max_pfn, end);
	}
	vc->dump.dump_level = -1;
	vc->dump.incomplete = eh.e_flags & 1;
out:
	elf_end(elf);
	return r;
}

/* The first sorted load whose end is above paddr, or nr. */
static size_t first_load_after(const struct elf_priv *p, uint64_t paddr)
{
	size_t lo = 0, hi = p->nr;

	/* Loads may overlap (kernel text inside RAM), so find by start, then back up. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->sorted[mid].paddr <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* lo = first load starting after paddr; earlier ones may still cover it. */
	while (lo > 0 && p->maxend[lo - 1] > paddr)
		lo--;
	return lo;
}

/* The load holding the whole page at pa (file: its file data), starting at load *hint. */
static const struct vmcore_load *find_whole(const struct vmcore *vc, uint64_t pa, bool file,
					    size_t *hint)
{
	struct elf_priv *p = vc->priv;
	size_t hi = *hint < p->nr ? *hint : 0;
	const struct vmcore_load *h = &p->sorted[hi];
	uint64_t ps = vc->page_size, end;

	/* A page that would end past 2^64 is in no load (and must not wrap to 0). */
	if (kd_add_overflow(pa, ps, &end))
		return NULL;
	if (pa >= h->paddr && end <= h->paddr + (file ? h->filesz : h->memsz))
		return h;
	for (size_t i = first_load_after(p, pa); i < p->nr && p->sorted[i].paddr <= pa; i++) {
		const struct vmcore_load *l = &p->sorted[i];
		if (end <= l->paddr + (file ? l->filesz : l->memsz)) {
			*hint = i;
			return l;
		}
	}
	return NULL;
}

/* find_whole with the handle's shared hint. */
static const struct vmcore_load *find_whole_shared(const struct vmcore *vc, uint64_t pa,
						   bool file)
{
	struct elf_priv *p = vc->priv;
	size_t hint = __atomic_load_n(&p->hint, __ATOMIC_RELAXED), was = hint;
	const struct vmcore_load *l = find_whole(vc, pa, file, &hint);

	if (hint != was)
		__atomic_store_n(&p->hint, hint, __ATOMIC_RELAXED);
	return l;
}

bool vmcore_pfn_is_ram(const struct vmcore *vc, uint64_t pfn)
{
	if (vc->ops->pfn_is_ram)
		return vc->ops->pfn_is_ram(vc, pfn);
	if (vc->ops->format != VMCORE_FORMAT_ELF)
		return pfn < vc->max_pfn;
	/* pfn << page_shift must not lose bits: a huge pfn is not some low page. */
	if (pfn >= vc->max_pfn)
		return false;
	return find_whole_shared(vc, pfn << vc->page_shift, false) != NULL;
}

uint64_t vmcore_ram_run(const struct vmcore *vc, uint64_t pfn, uint64_t end, bool *ram)
{
	struct elf_priv *p = vc->priv;
	uint64_t ps = vc->page_size, next = end;

	*ram = vmcore_pfn_is_ram(vc, pfn);
	if (pfn >= end)
		return end;
	if (vc->ops->pfn_is_ram || vc->ops->format != VMCORE_FORMAT_ELF)
		return pfn + 1;
	if (pfn >= vc->max_pfn)
		return end;
	/*
	 * RAM: to the end of a load holding the page (a load after it may go on: the caller
	 * asks again). Not RAM: to the first whole page of any load above it.
	 */
	for (size_t i = 0; i < p->nr; i++) {
		const struct vmcore_load *l = &p->sorted[i];
		uint64_t first = KD_DIV_ROUND_UP(l->paddr, ps), last = (l->paddr + l->memsz) / ps;

		if (first >= last)
			continue;
		if (*ram && first <= pfn && pfn < last)
			return KD_MIN(end, last);
		if (!*ram && first > pfn)
			next = KD_MIN(next, first);
	}
	return *ram ? pfn + 1 : next;
}

bool vmcore_pfn_is_dumped(const struct vmcore *vc, uint64_t pfn)
{
	if (vc->ops->pfn_is_dumped)
		return vc->ops->pfn_is_dumped(vc, pfn);
	return vmcore_pfn_is_ram(vc, pfn);
}

int vmcore_pfn_offset_hint(const struct vmcore *vc, uint64_t pfn, size_t *hint,
			   uint64_t *ret_off)
{
	const struct vmcore_load *l;
	uint64_t pa = pfn << vc->page_shift;

	if (vc->ops->format != VMCORE_FORMAT_ELF)
		return -EOPNOTSUPP;
	if (pfn >= vc->max_pfn)
		return -ENOENT;
	l = hint ? find_whole(vc, pa, true, hint) : find_whole_shared(vc, pa, true);
	if (!l)
		return -ENOENT;
	*ret_off = l->offset + (pa - l->paddr);
	return 0;
}

int vmcore_pfn_offset(const struct vmcore *vc, uint64_t pfn, uint64_t *ret_off)
{
	return vmcore_pfn_offset_hint(vc, pfn, NULL, ret_off);
}

static int elf_read_pfn(struct vmcore *vc, uint64_t pfn, void *buf, struct kd_err *err)
{
	struct elf_priv *p = vc->priv;
	uint64_t ps = vc->page_size, pa = pfn << vc->page_shift, off;
	bool any = false;
	ssize_t n;

	if (vmcore_pfn_offset(vc, pfn, &off) == 0) {
		n = kd_pread_all(vc->fd, buf, ps, off);
		if (n == (ssize_t)ps)
			return 0;
		return kd_err_set(err, n < 0 ? (int)n : -EIO, "%s: cannot read pfn 0x%" PRIx64
				  " at offset 0x%" PRIx64 ": %s", vc->path, pfn, off,
				  n < 0 ? strerror((int)-n) : "file too short");
	}
	/* Partial or memsz-only page: zero-fill, then copy every file-backed piece. */
	memset(buf, 0, ps);
	for (size_t i = first_load_after(p, pa); i < p->nr && p->sorted[i].paddr < pa + ps; i++) {
		const struct vmcore_load *l = &p->sorted[i];
		uint64_t s = KD_MAX(pa, l->paddr);
		uint64_t e_mem = KD_MIN(pa + ps, l->paddr + l->memsz);
		uint64_t e = KD_MIN(pa + ps, l->paddr + l->filesz);

		if (e_mem > s)
			any = true;
		if (e <= s)
			continue;
		n = kd_pread_all(vc->fd, (uint8_t *)buf + (s - pa), e - s, l->offset + (s - l->paddr));
		if (n != (ssize_t)(e - s))
			return kd_err_set(err, n < 0 ? (int)n : -EIO, "%s: cannot read pfn 0x%" PRIx64
					  " at offset 0x%" PRIx64 ": %s", vc->path, pfn,
					  l->offset + (s - l->paddr),
					  n < 0 ? strerror((int)-n) : "file too short");
	}
	if (!any)
		return kd_err_set(err, -ENOENT, "%s: pfn 0x%" PRIx64 " is not in the dump "
				  "(no PT_LOAD covers physical address 0x%" PRIx64 ")", vc->path, pfn,
				  pa);
	return 0;
}

static void elf_close(struct vmcore *vc)
{
	struct elf_priv *p = vc->priv;

	if (p) {
		free(p->sorted);
		free(p->maxend);
	}
	free(p);
	vc->priv = NULL;
}

const struct vmcore_format_ops vmcore_elf_ops = {
	.name = "ELF",
	.format = VMCORE_FORMAT_ELF,
	.probe = elf_probe,
	.open = elf_open,
	.read_pfn = elf_read_pfn,
	.close = elf_close,
};
