// SPDX-License-Identifier: GPL-2.0-or-later
/* Writer of kdump-compressed dumps: headers, both bitmaps, page descriptors, page data. */
#include "vmcore/writer.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/time.h>

#define START_KERNEL_MAP 0xffffffff80000000ULL
/* Descriptors buffered before one write (96 KiB). */
#define DESC_BUF 4096u

struct kdump_w {
	uint8_t hdr[DD_HEADER_SIZE];
	uint32_t sub_blocks, bitmap_blocks;
	uint64_t bitmap1_off, bitmap_len;	/* bitmap_len: each bitmap */
	uint64_t desc_off, data_start, data_next;
	uint8_t *descs;
	unsigned ndesc;
	uint64_t desc_next;	/* file offset of descs[0] */
	uint8_t zero_desc[PD_LEN];
	uint8_t *bm1;
	bool flagged;		/* the header on disk says INCOMPLETE */
};

static uint64_t phys_base(struct vmcore *vc)
{
	const struct vmcoreinfo *vi = vmcore_vmcoreinfo(vc);
	const struct vmcore_load *l;
	int64_t v;
	size_t n;

	if (vi && vmcoreinfo_number(vi, "phys_base", &v) == 0)
		return (uint64_t)v;
	l = vmcore_loads(vc, &n);
	for (size_t i = 0; i < n; i++)
		if (l[i].vaddr >= START_KERNEL_MAP)
			return l[i].paddr - (l[i].vaddr - START_KERNEL_MAP);
	return vc->x86.phys_base;
}

/* utsname as the kernel kept it (init_uts_ns), as makedumpfile's header has it. */
static void fill_utsname(struct cap *c, uint8_t *uts)
{
	const struct vmcoreinfo *vi = vmcore_vmcoreinfo(c->vc);
	const struct vmcore_dumpinfo *di = vmcore_dumpinfo(c->vc);
	struct kd_err e = { 0 };
	uint64_t sym = 0, off = 4, o;
	bool have = false;
	const char *rel;

	if (vi && vmcoreinfo_symbol(vi, "system_utsname", &sym) == 0) {
		off = 0;
		have = true;
	} else if (vi && vmcoreinfo_symbol(vi, "init_uts_ns", &sym) == 0) {
		/* struct uts_namespace: name first since 2020; a kref before it earlier. */
		if (vmcoreinfo_offset(vi, "uts_namespace.name", &o) == 0)
			off = o;
		have = true;
	}
	if (have && vmcore_read_virt(c->vc, sym + off, uts, 6 * DD_UTS_LEN, &e) == 0) {
		for (int i = 0; i < 6; i++)
			uts[i * DD_UTS_LEN + DD_UTS_LEN - 1] = 0;
		return;
	}
	memset(uts, 0, 6 * DD_UTS_LEN);
	rel = vi ? vmcoreinfo_osrelease(vi) : NULL;
	if (!rel && di->release[0])
		rel = di->release;
	snprintf((char *)uts, DD_UTS_LEN, "Linux");
	snprintf((char *)uts + 2 * DD_UTS_LEN, DD_UTS_LEN, "%s", rel ? rel : "");
	snprintf((char *)uts + 3 * DD_UTS_LEN, DD_UTS_LEN, "%s", di->version);
	snprintf((char *)uts + 4 * DD_UTS_LEN, DD_UTS_LEN, "%s",
		 di->machine[0] ? di->machine : "x86_64");
	snprintf(c->rep->warning, sizeof(c->rep->warning),
		 "could not read the kernel's utsname (%s); the header has OSRELEASE only",
		 have ? e.msg : "VMCOREINFO lacks SYMBOL(init_uts_ns)");
}

static int kd_begin(struct cap *c)
{
	struct kdump_w *k = kd_calloc(1, sizeof(*k));
	const struct vmcoreinfo *vi = vmcore_vmcoreinfo(c->vc);
	uint8_t kh[KH_SIZE] = { 0 };
	uint64_t bs = c->ps, vi_off = 0, vi_size = 0, bmb;
	size_t notes_len = 0;
	const uint8_t *notes = vmcore_notes(c->vc, &notes_len);
	int64_t ts = 0, usec = 0;
	int r;

	if (!k)
		return kd_err_set(c->err, -ENOMEM, "out of memory");
	c->wpriv = k;
	k->bm1 = malloc(c->win / 8);
	k->descs = malloc((size_t)DESC_BUF * PD_LEN);
	if (!k->bm1 || !k->descs)
		return kd_err_set(c->err, -ENOMEM, "out of memory");

	k->sub_blocks = (uint32_t)KD_DIV_ROUND_UP(KH_SIZE + notes_len, bs);
	bmb = KD_DIV_ROUND_UP(KD_DIV_ROUND_UP(c->max_pfn, 8), bs);
	if (bmb > UINT32_MAX / 2)
		return kd_err_set(c->err, -EFBIG, "%" PRIu64 " pfns need bitmaps too large for the "
				  "kdump-compressed format", c->max_pfn);
	k->bitmap_blocks = (uint32_t)(2 * bmb);
	k->bitmap_len = bmb * bs;
	k->bitmap1_off = (1 + (uint64_t)k->sub_blocks) * bs;
	k->desc_off = k->bitmap1_off + 2 * k->bitmap_len;

	memcpy(k->hdr + DD_SIG, DD_SIGNATURE, 8);
	kd_put_le32(k->hdr + DD_VERSION, DD_HEADER_VERSION);
	fill_utsname(c, k->hdr + DD_UTSNAME);
	if (!vi || vmcoreinfo_crashtime(vi, &ts) < 0) {
		if (vmcore_dumpinfo(c->vc)->timestamp) {
			ts = vmcore_dumpinfo(c->vc)->timestamp;
		} else {
			struct timeval tv;
			gettimeofday(&tv, NULL);
			ts = tv.tv_sec;
			usec = tv.tv_usec;
		}
	}
	kd_put_le64(k->hdr + DD_TIMESTAMP, (uint64_t)ts);
	kd_put_le64(k->hdr + DD_TIMESTAMP + 8, (uint64_t)usec);
	/*
	 * The header goes out flagged INCOMPLETE and the flag is cleared by the last write
	 * (kd_finish): a dump cut short by anything, even a kill or a dead disk, says so.
	 */
	kd_put_le32(k->hdr + DD_STATUS, c->comp->flag | VMCORE_DUMP_INCOMPLETE);
	kd_put_le32(k->hdr + DD_BLOCK_SIZE, c->ps);
	kd_put_le32(k->hdr + DD_SUB_HDR_SIZE, k->sub_blocks);
	kd_put_le32(k->hdr + DD_BITMAP_BLOCKS, k->bitmap_blocks);
	kd_put_le32(k->hdr + DD_MAX_MAPNR, (uint32_t)KD_MIN(c->max_pfn, (uint64_t)UINT32_MAX));
	kd_put_le32(k->hdr + DD_NR_CPUS, (uint32_t)vmcore_nr_cpus(c->vc));

	kd_put_le64(kh + KH_PHYS_BASE, phys_base(c->vc));
	kd_put_le32(kh + KH_DUMP_LEVEL, c->level);
	if (notes_len) {
		kd_put_le64(kh + KH_OFFSET_NOTE, bs + KH_SIZE);
		kd_put_le64(kh + KH_SIZE_NOTE, notes_len);
		if (vmcore_vmcoreinfo_note(c->vc, &vi_off, &vi_size) == 0) {
			kd_put_le64(kh + KH_OFFSET_VMCOREINFO, bs + KH_SIZE + vi_off);
			kd_put_le64(kh + KH_SIZE_VMCOREINFO, vi_size);
		}
	}
	kd_put_le64(kh + KH_MAX_MAPNR_64, c->max_pfn);

	r = vmcore_sink_write(&c->sink, k->hdr, sizeof(k->hdr), 0, c->err);
	if (r == 0)
		k->flagged = true;
	if (r == 0)
		r = vmcore_sink_write(&c->sink, notes, notes_len, bs + KH_SIZE, c->err);
	if (r == 0)
		r = vmcore_sink_write(&c->sink, kh, sizeof(kh), bs, c->err);
	return r;
}

static int kd_plan_window(struct cap *c, uint64_t start, uint64_t end, const uint8_t *bm,
			  uint64_t kept)
{
	struct kdump_w *k = c->wpriv;
	size_t len = (size_t)KD_DIV_ROUND_UP(end - start, 8);
	int r;

	memset(k->bm1, 0, len);
	/* By runs: a lookup a pfn took 1.2 ms a GiB, on the writer before any page is read. */
	for (uint64_t pfn = start, next; pfn < end; pfn = next) {
		bool ram;

		next = vmcore_ram_run(c->vc, pfn, end, &ram);
		if (ram)
			kd_bits_set(k->bm1, pfn - start, next - start);
	}
	r = vmcore_sink_write(&c->sink, k->bm1, len, k->bitmap1_off + start / 8, c->err);
	if (r == 0)
		r = vmcore_sink_write(&c->sink, bm, len, k->bitmap1_off + k->bitmap_len + start / 8,
				      c->err);
	return r;
}

static int flush_descs(struct cap *c, struct kd_err *err)
{
	struct kdump_w *k = c->wpriv;
	int r;

	r = vmcore_sink_write(&c->sink, k->descs, (size_t)k->ndesc * PD_LEN, k->desc_next, err);
	if (r < 0)
		return r;
	k->desc_next += (uint64_t)k->ndesc * PD_LEN;
	k->ndesc = 0;
	return 0;
}

static int kd_batch(struct cap *c, struct cap_batch *b)
{
	struct kdump_w *k = c->wpriv;
	int r;

	r = vmcore_sink_write(&c->sink, b->out, b->out_len, k->data_next, c->err);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < b->n; i++) {
		uint8_t *d = k->descs + (size_t)k->ndesc * PD_LEN;

		if (b->size[i] == 0) {
			memcpy(d, k->zero_desc, PD_LEN);
			c->rep->zero_pages++;
		} else {
			kd_put_le64(d + PD_OFFSET, k->data_next);
			kd_put_le32(d + PD_SIZE, b->size[i]);
			kd_put_le32(d + PD_FLAGS, b->flag[i]);
			kd_put_le64(d + PD_PAGE_FLAGS, 0);
			k->data_next += b->size[i];
			if (b->flag[i])
				c->rep->compressed_pages++;
			else
				c->rep->raw_pages++;
		}
		c->rep->pages_written++;
		k->ndesc++;
	}
	/*
	 * The batch's descriptors follow its data at once: a dump cut short (a dead disk, a
	 * kill) reaches every page whose data is on disk, not only those of full 96 KiB
	 * descriptor buffers.
	 */
	r = flush_descs(c, c->err);
	if (r < 0)
		return r;
	cap_progress(c, b->n);
	return 0;
}

static int kd_write(struct cap *c)
{
	struct kdump_w *k = c->wpriv;
	int r;

	k->desc_next = k->desc_off;
	k->data_start = k->desc_off + c->kept * PD_LEN;
	k->data_next = k->data_start;
	/*
	 * Reserve the descriptor table: when the disk fills up with page data, the descriptors
	 * of what was written must still fit, or that data is unreachable. (Filesystems without
	 * fallocate, and streams, go without.)
	 */
	if (!c->sink.flat && c->kept &&
	    fallocate(c->sink.fd, FALLOC_FL_KEEP_SIZE, (off_t)k->desc_off,
		      (off_t)(c->kept * PD_LEN)) < 0 && errno != EOPNOTSUPP && errno != ENOSYS)
		return kd_err_sys(c->err, -errno, "%s: cannot reserve %" PRIu64 " bytes for the page "
				  "descriptors at offset 0x%" PRIx64, c->sink.name, c->kept * PD_LEN,
				  k->desc_off);
	if (c->level & VMCORE_EXCL_ZERO) {
		_cleanup_free_ uint8_t *zero = kd_calloc(1, c->ps);

		if (!zero)
			return kd_err_set(c->err, -ENOMEM, "out of memory");
		kd_put_le64(k->zero_desc + PD_OFFSET, k->data_start);
		kd_put_le32(k->zero_desc + PD_SIZE, c->ps);
		r = vmcore_sink_write(&c->sink, zero, c->ps, k->data_start, c->err);
		if (r < 0)
			return r;
		k->data_next += c->ps;
	}
	r = cap_run_pages(c, kd_batch);
	if (r == 0)
		r = flush_descs(c, c->err);
	if (r == 0 && c->rep->pages_written != c->kept)
		r = kd_err_set(c->err, -EIO, "%s: wrote %" PRIu64 " pages but planned %" PRIu64
			       " (did the input change while being read?)", c->sink.name,
			       c->rep->pages_written, c->kept);
	return r;
}

/* The last write of a whole dump: the header without the INCOMPLETE flag. */
static int kd_finish(struct cap *c)
{
	struct kdump_w *k = c->wpriv;

	kd_put_le32(k->hdr + DD_STATUS, c->comp->flag);
	return vmcore_sink_write(&c->sink, k->hdr, sizeof(k->hdr), 0, c->err);
}

static int kd_mark_incomplete(struct cap *c)
{
	struct kdump_w *k = c->wpriv;
	struct kd_err e = { 0 };

	if (!k || !k->flagged)
		return -EIO;
	/* Descriptors of pages whose data made it out; the others stay zero ("lost"). */
	if (k->ndesc && k->desc_next)
		flush_descs(c, &e);
	/* The header was written flagged; write it again in case the first went astray. */
	kd_put_le32(k->hdr + DD_STATUS, c->comp->flag | VMCORE_DUMP_INCOMPLETE);
	vmcore_sink_write(&c->sink, k->hdr, sizeof(k->hdr), 0, &e);
	return 0;
}

static void kd_destroy(struct cap *c)
{
	struct kdump_w *k = c->wpriv;

	if (k) {
		free(k->bm1);
		free(k->descs);
	}
	free(k);
	c->wpriv = NULL;
}

const struct vmcore_writer_ops vmcore_writer_kdump = {
	.name = "kdump-compressed",
	.begin = kd_begin,
	.plan_window = kd_plan_window,
	.write = kd_write,
	.finish = kd_finish,
	.mark_incomplete = kd_mark_incomplete,
	.destroy = kd_destroy,
};
