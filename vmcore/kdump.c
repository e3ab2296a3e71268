// SPDX-License-Identifier: GPL-2.0-or-later
/* Reader of kdump-compressed (diskdump) files: headers, bitmaps, page descriptors. */
#include "vmcore/internal.h"

#include <inttypes.h>

/* Set bits of bitmap2 before each group of RANK_BITS pfns. */
#define RANK_BITS 4096u

struct kdump_priv {
	uint8_t *bitmap1, *bitmap2;
	uint64_t bitmap_bytes;	/* of each */
	uint64_t *rank;
	uint64_t desc_off;	/* file offset of the page_desc array */
	uint64_t nr_desc;
	uint64_t data_off;	/* first byte after the array */
	uint8_t *cbuf;		/* one stored page */
};

static bool kdump_probe(const uint8_t *head, size_t len)
{
	return len >= 8 && memcmp(head, DD_SIGNATURE, 8) == 0;
}

static inline bool bit(const uint8_t *bm, uint64_t pfn)
{
	return bm[pfn >> 3] >> (pfn & 7) & 1;
}

static bool kdump_pfn_is_ram(const struct vmcore *vc, uint64_t pfn)
{
	const struct kdump_priv *p = vc->priv;

	return pfn < vc->max_pfn && bit(p->bitmap1, pfn);
}

static bool kdump_pfn_is_dumped(const struct vmcore *vc, uint64_t pfn)
{
	const struct kdump_priv *p = vc->priv;

	return pfn < vc->max_pfn && bit(p->bitmap2, pfn);
}

static uint64_t popcount_bytes(const uint8_t *b, uint64_t n)
{
	uint64_t c = 0, i = 0;

	for (; i + 8 <= n; i += 8)
		c += (uint64_t)__builtin_popcountll(kd_le64(b + i));
	for (; i < n; i++)
		c += (uint64_t)__builtin_popcount(b[i]);
	return c;
}

/* Index of pfn's descriptor: the set bits of bitmap2 below pfn. */
static uint64_t rank_of(const struct kdump_priv *p, uint64_t pfn)
{
	uint64_t g = pfn / RANK_BITS, start = g * (RANK_BITS / 8);
	uint64_t r = p->rank[g] + popcount_bytes(p->bitmap2 + start, pfn / 8 - start);

	return r + (uint64_t)__builtin_popcount(p->bitmap2[pfn / 8] & ((1u << (pfn & 7)) - 1));
}

static void copy_uts(char *dst, const uint8_t *src)
{
	memcpy(dst, src, DD_UTS_LEN - 1);
	dst[DD_UTS_LEN - 1] = '\0';
}

static int read_exact(struct vmcore *vc, void *buf, uint64_t len, uint64_t off,
		      const char *what, struct kd_err *err)
{
	ssize_t n = kd_pread_all(vc->fd, buf, len, off);

	if (n == (ssize_t)len)
		return 0;
	if (n < 0)
		return kd_err_sys(err, (int)n, "%s: cannot read the %s at offset 0x%" PRIx64,
				  vc->path, what, off);
	return kd_err_set(err, -EBADMSG, "%s: the %s (%" PRIu64 " bytes at offset 0x%" PRIx64
			  ") lies past the end of the %" PRIu64 "-byte file (truncated dump?)",
			  vc->path, what, len, off, vc->file_size);
}

/*
 * Reads a bitmap. Writers store only the bytes that max_mapnr needs; the rest of the bitmap
 * blocks may be a hole at the end of a short (incomplete) file, and reads as zero.
 */
static int read_bitmap(struct vmcore *vc, uint8_t *bm, uint64_t len, uint64_t off,
		       const char *what, struct kd_err *err)
{
	uint64_t need = KD_DIV_ROUND_UP(vc->max_pfn, 8);
	uint64_t have = vc->file_size > off ? KD_MIN(len, vc->file_size - off) : 0;

	memset(bm, 0, len);
	return read_exact(vc, bm, KD_MAX(have, need), off, what, err);
}

static int kdump_open(struct vmcore *vc, struct kd_err *err)
{
	uint8_t h[DD_HEADER_SIZE], kh[KH_SIZE] = { 0 };
	struct kdump_priv *p;
	uint32_t version, bs, sub_blocks, bm_blocks, status;
	uint64_t off, max_mapnr, total, end;
	int r;

	p = kd_calloc(1, sizeof(*p));
	if (!p)
		return kd_err_set(err, -ENOMEM, "out of memory");
	vc->priv = p;
	r = read_exact(vc, h, sizeof(h), 0, "main header", err);
	if (r < 0)
		return r;
	version = kd_le32(h + DD_VERSION);
	bs = kd_le32(h + DD_BLOCK_SIZE);
	sub_blocks = kd_le32(h + DD_SUB_HDR_SIZE);
	bm_blocks = kd_le32(h + DD_BITMAP_BLOCKS);
	status = kd_le32(h + DD_STATUS);
	if (version < 1 || version > DD_HEADER_VERSION)
		return kd_err_set(err, -EOPNOTSUPP, "%s: header_version %u at offset %d is not "
				  "one this reader knows (1 to %d)", vc->path, version, DD_VERSION,
				  DD_HEADER_VERSION);
	r = vmcore_set_page_size(vc, bs, err);
	if (r < 0) {
		kd_err_prefix(err, "block_size at offset %d", DD_BLOCK_SIZE);
		return r;
	}
	if (sub_blocks == 0 || sub_blocks > VMCORE_MAX_NOTES / bs + 1)
		return kd_err_set(err, -EBADMSG, "%s: sub_hdr_size %u (blocks) at offset %d is out "
				  "of range", vc->path, sub_blocks, DD_SUB_HDR_SIZE);
	if (bm_blocks == 0 || bm_blocks % 2 ||
	    (uint64_t)bm_blocks * bs / 2 > VMCORE_MAX_BITMAP)
		return kd_err_set(err, -EBADMSG, "%s: bitmap_blocks %u at offset %d is zero, odd, "
				  "or makes bitmaps larger than %u MiB", vc->path, bm_blocks,
				  DD_BITMAP_BLOCKS, VMCORE_MAX_BITMAP >> 20);
	if (status & ~(uint32_t)(VMCORE_DUMP_COMPRESS_MASK | VMCORE_DUMP_INCOMPLETE |
				 VMCORE_DUMP_EXCLUDED_VMEMMAP))
		return kd_err_set(err, -EBADMSG, "%s: unknown status bits 0x%x at offset %d",
				  vc->path, status, DD_STATUS);
	max_mapnr = kd_le32(h + DD_MAX_MAPNR);
	r = read_exact(vc, kh, version >= 6 ? KH_SIZE : KH_MAX_MAPNR_64, bs, "sub header", err);
	if (r < 0)
		return r;
	if (version >= 6 && kd_le64(kh + KH_MAX_MAPNR_64))
		max_mapnr = kd_le64(kh + KH_MAX_MAPNR_64);
	p->bitmap_bytes = (uint64_t)bm_blocks * bs / 2;
	if (max_mapnr == 0 || max_mapnr > p->bitmap_bytes * 8)
		return kd_err_set(err, -EBADMSG, "%s: max_mapnr %" PRIu64 " (offset %d, or %u+%d "
				  "in the sub header) does not fit the %" PRIu64 "-byte bitmaps",
				  vc->path, max_mapnr, DD_MAX_MAPNR, bs, KH_MAX_MAPNR_64,
				  p->bitmap_bytes);
	vc->max_pfn = max_mapnr;

	/* Notes and VMCOREINFO (sub header versions 3 and 4). */
	if (version >= 4 && kd_le64(kh + KH_SIZE_NOTE)) {
		uint64_t noff = kd_le64(kh + KH_OFFSET_NOTE), nsz = kd_le64(kh + KH_SIZE_NOTE);
		uint8_t *notes;

		if (nsz > VMCORE_MAX_NOTES || kd_add_overflow(noff, nsz, &end) ||
		    noff < (uint64_t)bs || end > (uint64_t)(1 + sub_blocks) * bs)
			return kd_err_set(err, -EBADMSG, "%s: the notes (offset_note 0x%" PRIx64
					  ", size_note %" PRIu64 " in the sub header at 0x%x) lie "
					  "outside the sub header blocks", vc->path, noff, nsz, bs);
		notes = malloc(nsz);
		if (!notes)
			return kd_err_set(err, -ENOMEM, "out of memory");
		r = read_exact(vc, notes, nsz, noff, "ELF notes", err);
		if (r < 0) {
			free(notes);
			return r;
		}
		r = vmcore_set_notes(vc, notes, nsz, err);
		if (r < 0) {
			kd_err_prefix(err, "%s: notes at offset 0x%" PRIx64, vc->path, noff);
			return r;
		}
	}
	if (!vc->vi && version >= 3 && kd_le64(kh + KH_SIZE_VMCOREINFO)) {
		uint64_t voff = kd_le64(kh + KH_OFFSET_VMCOREINFO);
		uint64_t vsz = kd_le64(kh + KH_SIZE_VMCOREINFO);
		_cleanup_free_ char *text = NULL;

		if (vsz > VMCORE_MAX_VMCOREINFO || kd_add_overflow(voff, vsz, &end))
			return kd_err_set(err, -EBADMSG, "%s: VMCOREINFO (offset 0x%" PRIx64 ", %"
					  PRIu64 " bytes) is out of range", vc->path, voff, vsz);
		text = malloc(vsz);
		if (!text)
			return kd_err_set(err, -ENOMEM, "out of memory");
		r = read_exact(vc, text, vsz, voff, "VMCOREINFO", err);
		if (r < 0)
			return r;
		r = vmcoreinfo_parse(text, vsz, &vc->vi, err);
		if (r < 0)
			return r;
	}
	if (vc->vi) {
		uint64_t ps;
		if (vmcoreinfo_pagesize(vc->vi, &ps) == 0 && ps != bs)
			return kd_err_set(err, -EBADMSG, "%s: block_size %u differs from the "
					  "VMCOREINFO page size %" PRIu64, vc->path, bs, ps);
	}

	/* The bitmaps, and the rank table that maps a pfn to its descriptor. */
	off = (uint64_t)(1 + sub_blocks) * bs;
	p->bitmap1 = malloc(p->bitmap_bytes);
	p->bitmap2 = malloc(p->bitmap_bytes);
	p->rank = kd_calloc(max_mapnr / RANK_BITS + 1, sizeof(*p->rank));
	p->cbuf = malloc(bs);
	if (!p->bitmap1 || !p->bitmap2 || !p->rank || !p->cbuf)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = read_bitmap(vc, p->bitmap1, p->bitmap_bytes, off, "first bitmap", err);
	if (r < 0)
		return r;
	r = read_bitmap(vc, p->bitmap2, p->bitmap_bytes, off + p->bitmap_bytes, "second bitmap",
			err);
	if (r < 0)
		return r;
	/* Bits past max_mapnr mean nothing: clear them so counts stay honest. */
	for (uint64_t b = max_mapnr; b < KD_ALIGN_UP(max_mapnr, 8); b++) {
		p->bitmap1[b / 8] &= (uint8_t) ~(1u << (b & 7));
		p->bitmap2[b / 8] &= (uint8_t) ~(1u << (b & 7));
	}
	total = 0;
	for (uint64_t g = 0; g <= max_mapnr / RANK_BITS; g++) {
		uint64_t s = g * (RANK_BITS / 8);
		uint64_t e = KD_MIN(s + RANK_BITS / 8, KD_DIV_ROUND_UP(max_mapnr, 8));

		p->rank[g] = total;
		if (e > s)
			total += popcount_bytes(p->bitmap2 + s, e - s);
	}
	p->nr_desc = total;
	p->desc_off = off + 2 * p->bitmap_bytes;
	p->data_off = p->desc_off + total * PD_LEN;

	vc->dump.dump_level = version >= 1 ? (int)kd_le32(kh + KH_DUMP_LEVEL) : -1;
	vc->dump.status = status;
	vc->dump.incomplete = status & VMCORE_DUMP_INCOMPLETE;
	vc->dump.header_version = version;
	vc->dump.nr_dumped = total;
	copy_uts(vc->dump.release, h + DD_UTSNAME + 2 * DD_UTS_LEN);
	copy_uts(vc->dump.version, h + DD_UTSNAME + 3 * DD_UTS_LEN);
	copy_uts(vc->dump.machine, h + DD_UTSNAME + 4 * DD_UTS_LEN);
	vc->dump.timestamp = (int64_t)kd_le64(h + DD_TIMESTAMP);
	return 0;
}

static int kdump_read_pfn(struct vmcore *vc, uint64_t pfn, void *buf, struct kd_err *err)
{
	struct kdump_priv *p = vc->priv;
	uint8_t d[PD_LEN];
	uint64_t idx, doff, off, end;
	uint32_t size, flags;
	ssize_t n;
	int r;

	if (!bit(p->bitmap2, pfn))
		return kd_err_set(err, -ENOENT, "%s: pfn 0x%" PRIx64 " is not in the dump (%s)",
				  vc->path, pfn, bit(p->bitmap1, pfn) ?
				  "excluded by the dump level" : "not RAM");
	idx = rank_of(p, pfn);
	doff = p->desc_off + idx * PD_LEN;
	n = kd_pread_all(vc->fd, d, sizeof(d), doff);
	if (n < 0)
		return kd_err_sys(err, (int)n, "%s: cannot read the descriptor of pfn 0x%" PRIx64
				  " at offset 0x%" PRIx64, vc->path, pfn, doff);
	if (n != PD_LEN)
		memset(d, 0, sizeof(d));
	off = kd_le64(d + PD_OFFSET);
	size = kd_le32(d + PD_SIZE);
	flags = kd_le32(d + PD_FLAGS);
	if (off == 0 && size == 0)
		return kd_err_set(err, -ENOENT, "%s: pfn 0x%" PRIx64 " was lost: its descriptor at "
				  "offset 0x%" PRIx64 " was never written (%s)", vc->path, pfn, doff,
				  vc->dump.incomplete ? "the dump is marked incomplete" :
				  "truncated dump?");
	if (size == 0 || size > vc->page_size || off < p->data_off ||
	    kd_add_overflow(off, size, &end) || end > vc->file_size)
		return kd_err_set(err, -EBADMSG, "%s: descriptor of pfn 0x%" PRIx64 " at offset 0x%"
				  PRIx64 " is bad: data offset 0x%" PRIx64 ", size %u (page data "
				  "starts at 0x%" PRIx64 ", file size %" PRIu64 ")", vc->path, pfn,
				  doff, off, size, p->data_off, vc->file_size);
	n = kd_pread_all(vc->fd, p->cbuf, size, off);
	if (n != (ssize_t)size)
		return kd_err_set(err, n < 0 ? (int)n : -EIO, "%s: cannot read the data of pfn 0x%"
				  PRIx64 " at offset 0x%" PRIx64 ": %s", vc->path, pfn, off,
				  n < 0 ? strerror((int)-n) : "file too short");
	r = vmcore_decompress_page(flags, p->cbuf, size, buf, vc->page_size);
	if (r == -EOPNOTSUPP)
		return kd_err_set(err, r, "%s: pfn 0x%" PRIx64 " (descriptor at 0x%" PRIx64 ") is "
				  "compressed with flags 0x%x, which this build cannot decompress",
				  vc->path, pfn, doff, flags);
	if (r < 0)
		return kd_err_set(err, -EBADMSG, "%s: pfn 0x%" PRIx64 " (descriptor at 0x%" PRIx64
				  ", flags 0x%x, %u bytes at 0x%" PRIx64 ") does not decode to "
				  "one %u-byte page", vc->path, pfn, doff, flags, size, off,
				  vc->page_size);
	return 0;
}

static void kdump_close(struct vmcore *vc)
{
	struct kdump_priv *p = vc->priv;

	if (p) {
		free(p->bitmap1);
		free(p->bitmap2);
		free(p->rank);
		free(p->cbuf);
	}
	free(p);
	vc->priv = NULL;
}

const struct vmcore_format_ops vmcore_kdump_ops = {
	.name = "kdump-compressed",
	.format = VMCORE_FORMAT_KDUMP,
	.probe = kdump_probe,
	.open = kdump_open,
	.read_pfn = kdump_read_pfn,
	.pfn_is_ram = kdump_pfn_is_ram,
	.pfn_is_dumped = kdump_pfn_is_dumped,
	.close = kdump_close,
};
