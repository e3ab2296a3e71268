// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel log of a dump: lockless printk ring buffer and legacy log_buf, via VMCOREINFO. */
#include "vmcore/internal.h"

#include <inttypes.h>

/*
 * Limits on what the dead kernel's memory may make us do. The kernel's own bounds:
 * log_buf_len <= 2^31 (LOG_BUF_LEN_MAX), so the text ring has size_bits <= 31 and the
 * descriptor ring count_bits <= 31 - PRB_AVGBITS (5) = 26; CONFIG_LOG_BUF_SHIFT >= 12.
 * Tests build smaller rings, so the lower bounds are looser than the kernel's.
 */
#define LOG_MAX_COUNT_BITS 26u
#define LOG_MIN_SIZE_BITS 4u
#define LOG_MAX_SIZE_BITS 31u
#define LOG_MAX_LEGACY_LEN (1ull << 31)
#define LOG_MAX_STRUCT 4096u	/* any SIZE() of a printk structure */
#define LOG_CACHE_PAGES 8u
#define COMM_MAX 20u		/* the kernel prints "Comm: %.20s" */

/* State of a descriptor: the top two bits of state_var; the rest is the ID. */
#define DESC_ID_MASK ((1ull << 62) - 1)
enum desc_state { DESC_RESERVED = 0, DESC_COMMITTED = 1, DESC_FINALIZED = 2, DESC_REUSABLE = 3 };

/* ---- a small page cache over vmcore_read_virt: rings are read in address order ---------- */

struct vcache {
	struct vmcore *vc;
	uint32_t psize;
	uint8_t *mem;
	uint64_t tag[LOG_CACHE_PAGES];
	bool valid[LOG_CACHE_PAGES];
	unsigned next;
	/*
	 * The last page that could not be read, and why: a hostile ring whose 2^20 descriptors
	 * lie outside the dump otherwise costs a failing page-table walk per descriptor.
	 */
	bool bad_valid;
	uint64_t bad_tag;
	struct kd_err bad;
};

static int vcache_init(struct vcache *c, struct vmcore *vc, struct kd_err *err)
{
	memset(c, 0, sizeof(*c));
	c->vc = vc;
	c->psize = vmcore_page_size(vc);
	c->mem = malloc((size_t)c->psize * LOG_CACHE_PAGES);
	if (!c->mem)
		return kd_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

static void vcache_deinit(struct vcache *c)
{
	free(c->mem);
	c->mem = NULL;
}

static int vcache_read(struct vcache *c, uint64_t va, void *buf, size_t len, struct kd_err *err)
{
	uint8_t *out = buf;

	if (len && va + len - 1 < va)
		return kd_err_set(err, -EFAULT, "%zu bytes at 0x%" PRIx64 " wrap the address space",
				  len, va);
	while (len) {
		uint64_t page = va & ~(uint64_t)(c->psize - 1);
		size_t in = (size_t)(va - page), chunk = KD_MIN(len, (size_t)c->psize - in);
		unsigned i;
		int r;

		for (i = 0; i < LOG_CACHE_PAGES; i++)
			if (c->valid[i] && c->tag[i] == page)
				break;
		if (i == LOG_CACHE_PAGES) {
			if (c->bad_valid && c->bad_tag == page) {
				if (err)
					*err = c->bad;
				return c->bad.code;
			}
			i = c->next;
			c->next = (c->next + 1) % LOG_CACHE_PAGES;
			c->valid[i] = false;
			memset(&c->bad, 0, sizeof(c->bad));
			r = vmcore_read_virt(c->vc, page, c->mem + (size_t)i * c->psize, c->psize,
					     &c->bad);
			if (r < 0) {
				c->bad.code = r;
				c->bad_tag = page;
				c->bad_valid = true;
				if (err)
					*err = c->bad;
				return r;
			}
			c->tag[i] = page;
			c->valid[i] = true;
		}
		memcpy(out, c->mem + (size_t)i * c->psize + in, chunk);
		out += chunk;
		va += chunk;
		len -= chunk;
	}
	return 0;
}

static int vcache_u64(struct vcache *c, uint64_t va, uint64_t *ret, struct kd_err *err)
{
	uint8_t b[8];
	int r = vcache_read(c, va, b, sizeof(b), err);

	if (r < 0)
		return r;
	*ret = kd_le64(b);
	return 0;
}

static int vcache_u32(struct vcache *c, uint64_t va, uint32_t *ret, struct kd_err *err)
{
	uint8_t b[4];
	int r = vcache_read(c, va, b, sizeof(b), err);

	if (r < 0)
		return r;
	*ret = kd_le32(b);
	return 0;
}

/* ---- VMCOREINFO keys ---------------------------------------------------------------------- */

struct key {
	const char *name;	/* full key, "OFFSET(prb_desc.state_var)" */
	uint64_t *val;
	bool optional;		/* absent: *val keeps its default and *present stays false */
	bool *present;
};

#define KEY(k, v) { .name = (k), .val = (v), .optional = false, .present = NULL }
#define KEY_OPT(k, v, p) { .name = (k), .val = (v), .optional = true, .present = (p) }

static int load_keys(struct vmcore *vc, const struct key *keys, size_t n, const char *what,
		     struct kd_err *err)
{
	const struct vmcoreinfo *vi = vmcore_vmcoreinfo(vc);

	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		int r;

		if (keys[i].optional && !vmcoreinfo_get(vi, keys[i].name))
			continue;
		r = vmcoreinfo_need_u64(vi, keys[i].name, &v, err);
		if (r < 0) {
			kd_err_prefix(err, "%s: cannot read the kernel log (%s)", vmcore_path(vc),
				      what);
			return r;
		}
		*keys[i].val = v;
		if (keys[i].present)
			*keys[i].present = true;
	}
	return 0;
}

/* A field of width bytes at off must lie inside a structure of size bytes. */
static int check_field(struct vmcore *vc, const char *sname, uint64_t size, const char *fname,
		       uint64_t off, uint64_t width, struct kd_err *err)
{
	if (size > LOG_MAX_STRUCT)
		return kd_err_set(err, -EINVAL, "%s: VMCOREINFO says SIZE(%s)=%" PRIu64 ", more "
				  "than the %u bytes a printk structure can be", vmcore_path(vc),
				  sname, size, LOG_MAX_STRUCT);
	if (off > size || width > size - off)
		return kd_err_set(err, -EINVAL, "%s: VMCOREINFO puts %s.%s at offset %" PRIu64
				  " (%" PRIu64 " bytes), outside SIZE(%s)=%" PRIu64,
				  vmcore_path(vc), sname, fname, off, width, sname, size);
	return 0;
}

static void warn(struct vmcore_log_stats *st, const char *fmt, ...) KD_PRINTF(2, 3);
static void warn(struct vmcore_log_stats *st, const char *fmt, ...)
{
	va_list ap;

	if (st->warning[0])
		return;
	va_start(ap, fmt);
	vsnprintf(st->warning, sizeof(st->warning), fmt, ap);
	va_end(ap);
}

/* ---- lockless ring buffer (5.10+) ----------------------------------------------------------- */

struct prb {
	uint64_t rb_size, desc_ring, text_ring;
	uint64_t count_bits_off, descs_off, infos_off, head_off, tail_off;
	uint64_t desc_size, sv_off, lpos_off, begin_off, next_off;
	uint64_t info_size, seq_off, ts_off, text_len_off, caller_off;
	bool has_caller;
	uint64_t size_bits_off, data_off;
	uint64_t counter;
};

static int prb_layout(struct vmcore *vc, struct prb *p, struct kd_err *err)
{
	const struct key keys[] = {
		KEY("SIZE(printk_ringbuffer)", &p->rb_size),
		KEY("OFFSET(printk_ringbuffer.desc_ring)", &p->desc_ring),
		KEY("OFFSET(printk_ringbuffer.text_data_ring)", &p->text_ring),
		KEY("OFFSET(prb_desc_ring.count_bits)", &p->count_bits_off),
		KEY("OFFSET(prb_desc_ring.descs)", &p->descs_off),
		KEY("OFFSET(prb_desc_ring.infos)", &p->infos_off),
		KEY("OFFSET(prb_desc_ring.head_id)", &p->head_off),
		KEY("OFFSET(prb_desc_ring.tail_id)", &p->tail_off),
		KEY("SIZE(prb_desc)", &p->desc_size),
		KEY("OFFSET(prb_desc.state_var)", &p->sv_off),
		KEY("OFFSET(prb_desc.text_blk_lpos)", &p->lpos_off),
		KEY("OFFSET(prb_data_blk_lpos.begin)", &p->begin_off),
		KEY("OFFSET(prb_data_blk_lpos.next)", &p->next_off),
		KEY("SIZE(printk_info)", &p->info_size),
		KEY_OPT("OFFSET(printk_info.seq)", &p->seq_off, NULL),
		KEY("OFFSET(printk_info.ts_nsec)", &p->ts_off),
		KEY("OFFSET(printk_info.text_len)", &p->text_len_off),
		KEY_OPT("OFFSET(printk_info.caller_id)", &p->caller_off, &p->has_caller),
		KEY("OFFSET(prb_data_ring.size_bits)", &p->size_bits_off),
		KEY("OFFSET(prb_data_ring.data)", &p->data_off),
		KEY_OPT("OFFSET(atomic_long_t.counter)", &p->counter, NULL),
	};
	const char *rb = "printk_ringbuffer";
	int r;

	memset(p, 0, sizeof(*p));
	p->seq_off = UINT64_MAX;
	r = load_keys(vc, keys, KD_ARRAY_SIZE(keys), "lockless ring buffer", err);
	if (r < 0)
		return r;
	/* Fields of the ring structure are relative to its two sub-rings. */
	if ((r = check_field(vc, rb, p->rb_size, "desc_ring.count_bits",
			     p->desc_ring + p->count_bits_off, 4, err)) < 0 ||
	    (r = check_field(vc, rb, p->rb_size, "desc_ring.descs", p->desc_ring + p->descs_off,
			     8, err)) < 0 ||
	    (r = check_field(vc, rb, p->rb_size, "desc_ring.infos", p->desc_ring + p->infos_off,
			     8, err)) < 0 ||
	    (r = check_field(vc, rb, p->rb_size, "desc_ring.head_id",
			     p->desc_ring + p->head_off + p->counter, 8, err)) < 0 ||
	    (r = check_field(vc, rb, p->rb_size, "desc_ring.tail_id",
			     p->desc_ring + p->tail_off + p->counter, 8, err)) < 0 ||
	    (r = check_field(vc, rb, p->rb_size, "text_data_ring.size_bits",
			     p->text_ring + p->size_bits_off, 4, err)) < 0 ||
	    (r = check_field(vc, rb, p->rb_size, "text_data_ring.data",
			     p->text_ring + p->data_off, 8, err)) < 0 ||
	    (r = check_field(vc, "prb_desc", p->desc_size, "state_var", p->sv_off + p->counter, 8,
			     err)) < 0 ||
	    (r = check_field(vc, "prb_desc", p->desc_size, "text_blk_lpos.begin",
			     p->lpos_off + p->begin_off, 8, err)) < 0 ||
	    (r = check_field(vc, "prb_desc", p->desc_size, "text_blk_lpos.next",
			     p->lpos_off + p->next_off, 8, err)) < 0 ||
	    (r = check_field(vc, "printk_info", p->info_size, "ts_nsec", p->ts_off, 8, err)) < 0 ||
	    (r = check_field(vc, "printk_info", p->info_size, "text_len", p->text_len_off, 2,
			     err)) < 0)
		return r;
	if (p->has_caller &&
	    (r = check_field(vc, "printk_info", p->info_size, "caller_id", p->caller_off, 4,
			     err)) < 0)
		return r;
	if (p->seq_off != UINT64_MAX &&
	    (r = check_field(vc, "printk_info", p->info_size, "seq", p->seq_off, 8, err)) < 0)
		return r;
	if (!p->desc_size || !p->info_size)
		return kd_err_set(err, -EINVAL, "%s: VMCOREINFO gives a zero SIZE(prb_desc) or "
				  "SIZE(printk_info)", vmcore_path(vc));
	return 0;
}

/* The ring as the dead kernel left it. */
struct prb_ring {
	uint64_t count, descs, infos, head, tail;
	uint64_t size, data;
};

static int prb_read_ring(struct vmcore *vc, struct vcache *c, const struct prb *p,
			 struct prb_ring *ring, struct kd_err *err)
{
	uint8_t rb[LOG_MAX_STRUCT];
	uint64_t sym, addr;
	uint32_t count_bits, size_bits;
	int r;

	r = vmcoreinfo_symbol(vmcore_vmcoreinfo(vc), "prb", &sym);
	if (r < 0)
		return kd_err_set(err, r, "%s: VMCOREINFO lacks SYMBOL(prb)", vmcore_path(vc));
	r = vcache_u64(c, sym, &addr, err);
	if (r < 0) {
		kd_err_prefix(err, "%s: cannot read the pointer prb at 0x%" PRIx64,
			      vmcore_path(vc), sym);
		return r;
	}
	r = vcache_read(c, addr, rb, (size_t)p->rb_size, err);
	if (r < 0) {
		kd_err_prefix(err, "%s: cannot read the printk ring buffer at 0x%" PRIx64
			      " (from prb)", vmcore_path(vc), addr);
		return r;
	}
	count_bits = kd_le32(rb + p->desc_ring + p->count_bits_off);
	size_bits = kd_le32(rb + p->text_ring + p->size_bits_off);
	if (count_bits > LOG_MAX_COUNT_BITS)
		return kd_err_set(err, -EINVAL, "%s: the printk ring buffer at 0x%" PRIx64 " has "
				  "count_bits %u, more than the kernel's maximum %u: not a valid "
				  "ring", vmcore_path(vc), addr, count_bits, LOG_MAX_COUNT_BITS);
	if (size_bits < LOG_MIN_SIZE_BITS || size_bits > LOG_MAX_SIZE_BITS)
		return kd_err_set(err, -EINVAL, "%s: the printk ring buffer at 0x%" PRIx64 " has "
				  "size_bits %u, outside [%u, %u]: not a valid ring",
				  vmcore_path(vc), addr, size_bits, LOG_MIN_SIZE_BITS,
				  LOG_MAX_SIZE_BITS);
	ring->count = 1ull << count_bits;
	ring->size = 1ull << size_bits;
	ring->descs = kd_le64(rb + p->desc_ring + p->descs_off);
	ring->infos = kd_le64(rb + p->desc_ring + p->infos_off);
	ring->head = kd_le64(rb + p->desc_ring + p->head_off + p->counter) & DESC_ID_MASK;
	ring->tail = kd_le64(rb + p->desc_ring + p->tail_off + p->counter) & DESC_ID_MASK;
	ring->data = kd_le64(rb + p->text_ring + p->data_off);
	return 0;
}

struct walk {
	struct vmcore *vc;
	struct vcache cache;
	vmcore_log_fn fn;
	void *data;
	struct vmcore_log_stats *st;
	char text[65536];
};

/*
 * One record: returns 0 when it was delivered or skipped, a callback's non-zero value to
 * stop. Read failures of a record's parts make it invalid, not the walk.
 */
static int prb_record(struct walk *w, const struct prb *p, const struct prb_ring *ring,
		      uint64_t id)
{
	struct vmcore_log_stats *st = w->st;
	uint64_t idx = id % ring->count, sv, blk_begin, blk_next, begin, next, avail, text_off;
	uint8_t desc[LOG_MAX_STRUCT], info[LOG_MAX_STRUCT];
	struct vmcore_log_record rec = { 0 };
	struct kd_err err = { 0 };
	unsigned state;
	size_t len;

	if (vcache_read(&w->cache, ring->descs + idx * p->desc_size, desc, (size_t)p->desc_size,
			&err) < 0) {
		st->invalid++;
		warn(st, "descriptor %" PRIu64 " (id 0x%" PRIx64 ") unreadable: %s", idx, id,
		     err.msg);
		return 0;
	}
	sv = kd_le64(desc + p->sv_off + p->counter);
	state = (unsigned)(sv >> 62);
	if ((sv & DESC_ID_MASK) != id || (state != DESC_COMMITTED && state != DESC_FINALIZED)) {
		st->skipped++;	/* overwritten, being written, or free: not a record */
		return 0;
	}
	blk_begin = kd_le64(desc + p->lpos_off + p->begin_off);
	blk_next = kd_le64(desc + p->lpos_off + p->next_off);
	begin = blk_begin & (ring->size - 1);
	next = blk_next & (ring->size - 1);
	/* Data-less: FAILED_LPOS / EMPTY_LINE_LPOS (bit 0), or an empty block. */
	if (begin == next || (blk_begin & 1) || (blk_next & 1)) {
		st->skipped++;
		return 0;
	}
	if ((begin | next) & 7) {
		st->invalid++;
		warn(st, "record id 0x%" PRIx64 ": text block [0x%" PRIx64 ", 0x%" PRIx64
		     ") is not 8-byte aligned", id, blk_begin, blk_next);
		return 0;
	}
	/* A block that wraps keeps its data at the start of the ring. */
	if (begin > next)
		begin = 0;
	if (next - begin < 8) {
		st->invalid++;
		warn(st, "record id 0x%" PRIx64 ": text block [0x%" PRIx64 ", 0x%" PRIx64
		     ") is too small for its ID", id, blk_begin, blk_next);
		return 0;
	}
	text_off = begin + 8;
	avail = next - text_off;
	if (vcache_read(&w->cache, ring->infos + idx * p->info_size, info, (size_t)p->info_size,
			&err) < 0) {
		st->invalid++;
		warn(st, "info of record id 0x%" PRIx64 " unreadable: %s", id, err.msg);
		return 0;
	}
	len = kd_le16(info + p->text_len_off);
	if (len > avail) {
		st->truncated++;
		len = (size_t)avail;
	}
	if (vcache_read(&w->cache, ring->data + text_off, w->text, len, &err) < 0) {
		st->invalid++;
		warn(st, "text of record id 0x%" PRIx64 " unreadable: %s", id, err.msg);
		return 0;
	}
	rec.seq = p->seq_off != UINT64_MAX ? kd_le64(info + p->seq_off) : st->records;
	rec.ts_nsec = kd_le64(info + p->ts_off);
	rec.has_caller = p->has_caller;
	rec.caller_id = p->has_caller ? kd_le32(info + p->caller_off) : 0;
	rec.text = w->text;
	rec.text_len = len;
	st->records++;
	return w->fn(&rec, w->data);
}

static int prb_walk(struct walk *w, struct kd_err *err)
{
	struct vmcore *vc = w->vc;
	struct prb_ring ring;
	struct prb p;
	uint64_t n, id;
	int r;

	w->st->kind = VMCORE_LOG_LOCKLESS;
	r = prb_layout(vc, &p, err);
	if (r < 0)
		return r;
	r = prb_read_ring(vc, &w->cache, &p, &ring, err);
	if (r < 0)
		return r;
	/*
	 * Records run from tail_id to head_id inclusive, IDs counting modulo 2^62. The kernel
	 * keeps them less than count apart; if they are not, read the last count IDs.
	 */
	n = ((ring.head - ring.tail) & DESC_ID_MASK) + 1;
	if (n == 0 || n > ring.count) {
		warn(w->st, "head_id 0x%" PRIx64 " and tail_id 0x%" PRIx64 " are further apart "
		     "than the %" PRIu64 " descriptors; reading the last %" PRIu64, ring.head,
		     ring.tail, ring.count, ring.count);
		n = ring.count;
	}
	id = (ring.head - (n - 1)) & DESC_ID_MASK;
	for (uint64_t i = 0; i < n; i++, id = (id + 1) & DESC_ID_MASK) {
		r = prb_record(w, &p, &ring, id);
		if (r)
			return r;
	}
	return 0;
}

/* ---- legacy log_buf (3.5-5.9) ---------------------------------------------------------- */

struct legacy {
	uint64_t buf_sym, len_sym, first_sym, next_sym;
	uint64_t hdr_size, ts_off, len_off, text_len_off, caller_off;
	bool has_caller;
};

static int legacy_walk(struct walk *w, struct kd_err *err)
{
	struct vmcore *vc = w->vc;
	struct vmcore_log_stats *st = w->st;
	const char *path = vmcore_path(vc);
	struct legacy l = { 0 };
	const struct key keys[] = {
		KEY("SYMBOL(log_buf)", &l.buf_sym),
		KEY("SYMBOL(log_buf_len)", &l.len_sym),
		KEY("SYMBOL(log_first_idx)", &l.first_sym),
		KEY("SYMBOL(log_next_idx)", &l.next_sym),
		KEY("SIZE(printk_log)", &l.hdr_size),
		KEY("OFFSET(printk_log.ts_nsec)", &l.ts_off),
		KEY("OFFSET(printk_log.len)", &l.len_off),
		KEY("OFFSET(printk_log.text_len)", &l.text_len_off),
		KEY_OPT("OFFSET(printk_log.caller_id)", &l.caller_off, &l.has_caller),
	};
	uint8_t hdr[LOG_MAX_STRUCT];
	uint64_t buf, pos;
	uint32_t len, first, next;
	bool wrapped = false;
	int r;

	st->kind = VMCORE_LOG_LEGACY;
	r = load_keys(vc, keys, KD_ARRAY_SIZE(keys), "legacy log_buf", err);
	if (r < 0)
		return r;
	if ((r = check_field(vc, "printk_log", l.hdr_size, "ts_nsec", l.ts_off, 8, err)) < 0 ||
	    (r = check_field(vc, "printk_log", l.hdr_size, "len", l.len_off, 2, err)) < 0 ||
	    (r = check_field(vc, "printk_log", l.hdr_size, "text_len", l.text_len_off, 2,
			     err)) < 0 ||
	    (l.has_caller && (r = check_field(vc, "printk_log", l.hdr_size, "caller_id",
					      l.caller_off, 4, err)) < 0))
		return r;
	if ((r = vcache_u64(&w->cache, l.buf_sym, &buf, err)) < 0 ||
	    (r = vcache_u32(&w->cache, l.len_sym, &len, err)) < 0 ||
	    (r = vcache_u32(&w->cache, l.first_sym, &first, err)) < 0 ||
	    (r = vcache_u32(&w->cache, l.next_sym, &next, err)) < 0) {
		kd_err_prefix(err, "%s: cannot read the log_buf variables", path);
		return r;
	}
	if (len < l.hdr_size || len > LOG_MAX_LEGACY_LEN)
		return kd_err_set(err, -EINVAL, "%s: log_buf_len is %" PRIu32 ": not a valid "
				  "log buffer size", path, len);
	if (first > len || next > len)
		return kd_err_set(err, -EINVAL, "%s: log_first_idx %" PRIu32 " or log_next_idx %"
				  PRIu32 " lies outside the %" PRIu32 "-byte log_buf", path, first,
				  next, len);
	/*
	 * Records run from first to next; a zero len (or no room for a header) marks the end of
	 * the buffer and sends the walk to offset 0. Positions only grow between wraps, and the
	 * walk wraps at most once, so it ends.
	 */
	pos = first;
	while (pos != next) {
		struct vmcore_log_record rec = { 0 };
		struct kd_err e = { 0 };
		uint64_t rlen, tlen;

		if (pos + l.hdr_size > len) {
			rlen = 0;
		} else {
			if (vcache_read(&w->cache, buf + pos, hdr, (size_t)l.hdr_size, &e) < 0) {
				st->invalid++;
				warn(st, "log_buf record at offset %" PRIu64 " unreadable (the rest "
				     "of the log is lost): %s", pos, e.msg);
				break;
			}
			rlen = kd_le16(hdr + l.len_off);
		}
		if (rlen == 0) {
			if (wrapped) {
				st->invalid++;
				warn(st, "log_buf wraps twice (at offset %" PRIu64 "): the record "
				     "chain is corrupt, rest of the log left out", pos);
				break;
			}
			wrapped = true;
			pos = 0;
			continue;
		}
		if (rlen < l.hdr_size || pos + rlen > len) {
			st->invalid++;
			warn(st, "log_buf record at offset %" PRIu64 " has length %" PRIu64 " (header "
			     "%" PRIu64 ", buffer %" PRIu32 "): the record chain is corrupt, rest of "
			     "the log left out", pos, rlen, l.hdr_size, len);
			break;
		}
		tlen = kd_le16(hdr + l.text_len_off);
		if (tlen > rlen - l.hdr_size) {
			st->truncated++;
			tlen = rlen - l.hdr_size;
		}
		if (vcache_read(&w->cache, buf + pos + l.hdr_size, w->text, (size_t)tlen, &e) < 0) {
			st->invalid++;
			warn(st, "text of the log_buf record at offset %" PRIu64 " unreadable: %s",
			     pos, e.msg);
		} else {
			rec.seq = st->records;
			rec.ts_nsec = kd_le64(hdr + l.ts_off);
			rec.has_caller = l.has_caller;
			rec.caller_id = l.has_caller ? kd_le32(hdr + l.caller_off) : 0;
			rec.text = w->text;
			rec.text_len = (size_t)tlen;
			st->records++;
			r = w->fn(&rec, w->data);
			if (r)
				return r;
		}
		pos += rlen;
		if (pos > next && (wrapped || first <= next)) {
			st->invalid++;
			warn(st, "log_buf record chain passes log_next_idx %" PRIu32 " (at offset %"
			     PRIu64 "): corrupt, rest of the log left out", next, pos);
			break;
		}
	}
	return 0;
}

/* ---- public ----------------------------------------------------------------------------- */

int vmcore_log_walk(struct vmcore *vc, vmcore_log_fn fn, void *data,
		    struct vmcore_log_stats *ret_stats, struct kd_err *err)
{
	const struct vmcoreinfo *vi = vmcore_vmcoreinfo(vc);
	struct vmcore_log_stats st = { 0 };
	struct walk *w;
	int r;

	if (!vi)
		return kd_err_set(err, -ENOENT, "%s: the dump has no VMCOREINFO note, so the "
				  "kernel log cannot be found (was it captured from /proc/vmcore?)",
				  vmcore_path(vc));
	w = malloc(sizeof(*w));
	if (!w)
		return kd_err_set(err, -ENOMEM, "out of memory");
	w->vc = vc;
	w->fn = fn;
	w->data = data;
	w->st = &st;
	r = vcache_init(&w->cache, vc, err);
	if (r < 0) {
		free(w);
		return r;
	}
	if (vmcoreinfo_get(vi, "SYMBOL(prb)"))
		r = prb_walk(w, err);
	else if (vmcoreinfo_get(vi, "SYMBOL(log_buf)"))
		r = legacy_walk(w, err);
	else if (vmcoreinfo_get(vi, "SYMBOL(log_end)"))
		r = kd_err_set(err, -EOPNOTSUPP, "%s: the kernel log is a plain-text log_buf "
			       "(kernels before 3.5), which is not supported", vmcore_path(vc));
	else
		r = kd_err_set(err, -ENOENT, "%s: VMCOREINFO has neither SYMBOL(prb) (printk "
			       "ring buffer, 5.10+) nor SYMBOL(log_buf) (3.5-5.9): no kernel log "
			       "to read", vmcore_path(vc));
	vcache_deinit(&w->cache);
	free(w);
	/* Also on failure: what was seen until then, for the caller's report. */
	if (ret_stats)
		*ret_stats = st;
	return r;
}

/* Appends to a growing buffer (cap doubles; a record's line is well under 1 MiB). */
static int put(char **buf, size_t *cap, size_t *len, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = KD_MAX(*cap * 2, *len + n + 1);
		char *nb;

		ncap = KD_MAX(ncap, (size_t)256);
		nb = realloc(*buf, ncap);
		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* makedumpfile's test under the C locale: isprint() or isspace(). */
static bool passes(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

int vmcore_dmesg_format(const struct vmcore_log_record *rec, unsigned flags, char **buf,
			size_t *cap, size_t *ret_len)
{
	static const char spaces[] = "                                                ";
	char prefix[64];
	size_t len = 0, indent, start;
	int n, r;

	n = snprintf(prefix, sizeof(prefix), "[%5" PRIu64 ".%06" PRIu64 "] ",
		     rec->ts_nsec / 1000000000u, rec->ts_nsec % 1000000000u / 1000u);
	if ((flags & VMCORE_DMESG_CALLER) && rec->has_caller) {
		char id[16];

		snprintf(id, sizeof(id), "%c%" PRIu32, (rec->caller_id & 0x80000000u) ? 'C' : 'T',
			 rec->caller_id & 0x7fffffffu);
		n += snprintf(prefix + n, sizeof(prefix) - (size_t)n, "[%8s] ", id);
	}
	indent = (size_t)n;
	r = put(buf, cap, &len, prefix, indent);
	for (size_t i = 0; i < rec->text_len && r == 0; i = start) {
		unsigned char c = (unsigned char)rec->text[i];

		/* Copy a run of bytes that pass unchanged in one go. */
		start = i;
		while (start < rec->text_len && rec->text[start] != '\n' &&
		       passes((unsigned char)rec->text[start]))
			start++;
		if (start > i) {
			r = put(buf, cap, &len, rec->text + i, start - i);
			continue;
		}
		start = i + 1;
		if (c == '\n') {
			r = put(buf, cap, &len, "\n", 1);
			for (size_t k = indent; k > 0 && r == 0;) {
				size_t m = KD_MIN(k, sizeof(spaces) - 1);
				r = put(buf, cap, &len, spaces, m);
				k -= m;
			}
		} else {
			char esc[8];

			snprintf(esc, sizeof(esc), "\\x%02x", c);
			r = put(buf, cap, &len, esc, 4);
		}
	}
	if (r == 0)
		r = put(buf, cap, &len, "\n", 1);
	if (r < 0)
		return r;
	*ret_len = len;
	return 0;
}

struct dmesg_out {
	unsigned flags;
	vmcore_write_fn fn;
	void *data;
	char *buf;
	size_t cap;
	int error;
};

static int dmesg_record(const struct vmcore_log_record *rec, void *data)
{
	struct dmesg_out *o = data;
	size_t len;
	int r;

	r = vmcore_dmesg_format(rec, o->flags, &o->buf, &o->cap, &len);
	if (r == 0)
		r = o->fn(o->buf, len, o->data);
	if (r < 0) {
		o->error = r;
		return 1;
	}
	return 0;
}

int vmcore_dmesg(struct vmcore *vc, unsigned flags, vmcore_write_fn fn, void *data,
		 struct vmcore_log_stats *ret_stats, struct kd_err *err)
{
	struct dmesg_out o = { .flags = flags, .fn = fn, .data = data };
	int r;

	r = vmcore_log_walk(vc, dmesg_record, &o, ret_stats, err);
	free(o.buf);
	if (r > 0)
		return kd_err_set(err, o.error, "cannot write the kernel log: %s",
				  strerror(-o.error));
	return r;
}

static int write_file(const void *buf, size_t len, void *data)
{
	FILE *f = data;

	if (fwrite(buf, 1, len, f) != len)
		return errno ? -errno : -EIO;
	return 0;
}

int vmcore_dmesg_file(struct vmcore *vc, unsigned flags, FILE *f,
		      struct vmcore_log_stats *ret_stats, struct kd_err *err)
{
	return vmcore_dmesg(vc, flags, write_file, f, ret_stats, err);
}

/* ---- what the log says about the crash --------------------------------------------------- */

struct panic_scan {
	struct vmcore_panic p;
	bool have_panic;
	bool task_after_panic;	/* the task line was seen after the last panic line */
	char *buf;
	size_t cap;
};

/* Copies a line, escaped like dmesg output, into a fixed buffer (cut to fit). */
static void copy_escaped(char *dst, size_t size, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f) {
			dst[o++] = (char)c;
		} else {
			if (o + 5 >= size)
				break;
			snprintf(dst + o, size - o, "\\x%02x", c);
			o += 4;
		}
	}
	dst[o] = '\0';
}

static bool starts(const char *s, size_t n, const char *prefix, size_t *ret_skip)
{
	size_t k = strlen(prefix);

	if (n < k || memcmp(s, prefix, k) != 0)
		return false;
	if (ret_skip)
		*ret_skip = k;
	return true;
}

/* Parses an unsigned decimal at s[*i]; false if none. Capped to stay in range. */
static bool parse_dec(const char *s, size_t n, size_t *i, int64_t *ret)
{
	int64_t v = 0;
	size_t start = *i;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		if (v < INT32_MAX)
			v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	if (*i == start)
		return false;
	*ret = KD_MIN(v, (int64_t)INT32_MAX);
	return true;
}

/* "CPU: 0 PID: 235 Comm: sh ..." or "CPU: 0 UID: 0 PID: 277 Comm: sh ..." */
static bool parse_task_line(const char *s, size_t n, struct vmcore_panic *p)
{
	int64_t cpu, pid;
	size_t i, k;

	if (!starts(s, n, "CPU: ", &i) || !parse_dec(s, n, &i, &cpu))
		return false;
	for (k = i; k + 6 <= n; k++)
		if (memcmp(s + k, " PID: ", 6) == 0)
			break;
	if (k + 6 > n)
		return false;
	i = k + 6;
	if (!parse_dec(s, n, &i, &pid))
		return false;
	p->cpu = (int)cpu;
	p->pid = pid;
	p->comm[0] = '\0';
	if (starts(s + i, n - i, " Comm: ", &k)) {
		size_t b = i + k, e = b;

		/* The kernel prints %.20s of comm; it may contain spaces, but rarely does. */
		while (e < n && e - b < COMM_MAX && s[e] != ' ')
			e++;
		copy_escaped(p->comm, sizeof(p->comm), s + b, e - b);
	}
	return true;
}

static void scan_line(struct panic_scan *ps, const char *s, size_t n, uint64_t ts)
{
	static const char *const oops[] = { "BUG: ", "Oops: ", "kernel BUG at ",
					    "general protection fault",
					    "Unable to handle kernel " };
	struct vmcore_panic task;
	size_t skip;

	if (starts(s, n, "Kernel panic - not syncing: ", &skip)) {
		copy_escaped(ps->p.message, sizeof(ps->p.message), s + skip, n - skip);
		ps->p.has_message = true;
		ps->p.message_ts_nsec = ts;
		ps->have_panic = true;
		ps->task_after_panic = false;
		return;
	}
	if (!ps->have_panic) {
		for (size_t i = 0; i < KD_ARRAY_SIZE(oops); i++) {
			if (starts(s, n, oops[i], NULL)) {
				copy_escaped(ps->p.message, sizeof(ps->p.message), s, n);
				ps->p.has_message = true;
				ps->p.message_ts_nsec = ts;
				return;
			}
		}
	}
	memset(&task, 0, sizeof(task));
	if (parse_task_line(s, n, &task)) {
		/* After a panic line, keep the first task line that follows it. */
		if (ps->have_panic && ps->task_after_panic)
			return;
		ps->p.has_task = true;
		ps->p.cpu = task.cpu;
		ps->p.pid = task.pid;
		memcpy(ps->p.comm, task.comm, sizeof(task.comm));
		if (ps->have_panic)
			ps->task_after_panic = true;
	}
}

static int panic_record(const struct vmcore_log_record *rec, void *data)
{
	struct panic_scan *ps = data;
	const char *s = rec->text, *end = rec->text + rec->text_len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		scan_line(ps, s, n, rec->ts_nsec);
		s += n + (nl ? 1 : 0);
	}
	return 0;
}

int vmcore_dmesg_panic(struct vmcore *vc, struct vmcore_panic *ret, struct kd_err *err)
{
	struct panic_scan ps;
	int r;

	memset(&ps, 0, sizeof(ps));
	ps.p.cpu = -1;
	ps.p.pid = -1;
	r = vmcore_log_walk(vc, panic_record, &ps, NULL, err);
	if (r < 0)
		return r;
	if (!ps.p.has_message && !ps.p.has_task)
		return kd_err_set(err, -ENOENT, "%s: the kernel log has no panic message and no "
				  "\"CPU: ... PID: ...\" line", vmcore_path(vc));
	*ret = ps.p;
	return 0;
}

int vmcore_crashing_cpu(const struct vmcore *vc, const struct vmcore_panic *panic,
			size_t *ret_cpu, const char **ret_how)
{
	size_t n = vmcore_nr_cpus(vc), i;

	if (n == 0)
		return -ENOENT;
	if (panic && panic->has_task && panic->pid > 0) {
		for (i = 0; i < n; i++)
			if (vmcore_prstatus(vc, i)->pid == (uint32_t)panic->pid)
				break;
		if (i < n) {
			*ret_cpu = i;
			*ret_how = "log";
			return 0;
		}
	}
	if (panic && panic->has_task && panic->pid == 0 && panic->cpu >= 0 &&
	    (size_t)panic->cpu < n && vmcore_prstatus(vc, (size_t)panic->cpu)->pid == 0) {
		*ret_cpu = (size_t)panic->cpu;
		*ret_how = "log";
		return 0;
	}
	/* The CPU that ran crash_kexec saved its own registers in kernel mode (cs ring 0). */
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			const struct vmcore_prstatus *ps = vmcore_prstatus(vc, i);
			if (ps->pid != 0 && (pass == 1 || (ps->regs[17] & 3) == 0)) {
				*ret_cpu = i;
				*ret_how = "pid";
				return 0;
			}
		}
	}
	*ret_cpu = 0;
	*ret_how = "first";
	return 0;
}
