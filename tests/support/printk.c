// SPDX-License-Identifier: GPL-2.0-or-later
/* Test support: kernel logs written as the kernel leaves them (see printk.h). */
#include "printk.h"

#include <stdlib.h>
#include <string.h>

/* The bytes [va, va + n) of the window; aborts if they are not all in it. */
static uint8_t *at(const struct pk_mem *m, uint64_t va, size_t n)
{
	if (va < m->va || va - m->va > m->len || n > m->len - (va - m->va))
		abort();
	return m->mem + (va - m->va);
}

static void put(const struct pk_mem *m, uint64_t va, const void *buf, size_t n)
{
	memcpy(at(m, va, n), buf, n);
}

static void put_le(const struct pk_mem *m, uint64_t va, uint64_t v, size_t n)
{
	uint8_t *p = at(m, va, n);

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- the lockless ring ------------------------------------------------------------------- */

static void ring_sync(struct pk_ring *r)
{
	uint64_t head = (r->next_id - 1) & PK_ID_MASK;

	put_le(&r->m, r->rb_va + 24, head, 8);
	put_le(&r->m, r->rb_va + 32, r->nlive ? r->live[0].id : head, 8);
}

void pk_ring_init(struct pk_ring *r, struct pk_mem m, uint64_t rb_va, uint64_t descs_va,
		  uint64_t infos_va, uint64_t data_va, unsigned count_bits, unsigned size_bits,
		  uint64_t first_id, uint64_t first_lpos)
{
	memset(r, 0, sizeof(*r));
	r->m = m;
	r->rb_va = rb_va;
	r->descs_va = descs_va;
	r->infos_va = infos_va;
	r->data_va = data_va;
	r->count = 1ULL << count_bits;
	r->size = 1ULL << size_bits;
	r->next_id = first_id & PK_ID_MASK;
	r->head_lpos = first_lpos;
	put_le(&m, rb_va + 0, count_bits, 4);
	put_le(&m, rb_va + 8, descs_va, 8);
	put_le(&m, rb_va + 16, infos_va, 8);
	put_le(&m, rb_va + 48, size_bits, 4);
	put_le(&m, rb_va + 56, data_va, 8);
	ring_sync(r);
}

/* The oldest live record leaves the ring (marked reusable, if its data is overwritten). */
static void ring_pop(struct pk_ring *r, bool mark_reusable)
{
	uint64_t id = r->live[0].id;

	if (mark_reusable)
		put_le(&r->m, r->descs_va + (id % r->count) * 24, (3ULL << 62) | id, 8);
	memmove(&r->live[0], &r->live[1], (r->nlive - 1) * sizeof(r->live[0]));
	r->nlive--;
}

static void ring_desc(struct pk_ring *r, uint64_t id, unsigned state, uint64_t begin,
		      uint64_t next, uint64_t ts, uint32_t caller, uint16_t text_len)
{
	uint64_t d = r->descs_va + (id % r->count) * 24, in = r->infos_va + (id % r->count) * 88;

	put_le(&r->m, d, ((uint64_t)state << 62) | id, 8);
	put_le(&r->m, d + 8, begin, 8);
	put_le(&r->m, d + 16, next, 8);
	put_le(&r->m, in, r->seq++, 8);
	put_le(&r->m, in + 8, ts, 8);
	put_le(&r->m, in + 16, text_len, 2);
	put_le(&r->m, in + 20, caller, 4);
}

/* A new ID: the descriptor slot of the ID count behind it is reused. */
static uint64_t ring_next_id(struct pk_ring *r)
{
	uint64_t id = r->next_id;

	r->next_id = (id + 1) & PK_ID_MASK;
	while (r->nlive && ((id - r->live[0].id) & PK_ID_MASK) >= r->count)
		ring_pop(r, false);
	return id;
}

static void ring_live(struct pk_ring *r, uint64_t id, uint64_t begin, uint64_t next)
{
	if (r->nlive == sizeof(r->live) / sizeof(r->live[0]))
		abort();
	r->live[r->nlive].id = id;
	r->live[r->nlive].begin = begin;
	r->live[r->nlive].next = next;
	r->nlive++;
	ring_sync(r);
}

uint64_t pk_ring_add(struct pk_ring *r, uint64_t ts_nsec, uint32_t caller, const void *text,
		     size_t len, unsigned state)
{
	uint64_t bsize = (8 + len + 7) & ~7ULL, begin = r->head_lpos;
	uint64_t idx = begin & (r->size - 1), next, data, id;

	if (bsize > r->size || len > UINT16_MAX)
		abort();
	id = ring_next_id(r);
	if (idx + bsize > r->size) {
		next = begin - idx + r->size + bsize;	/* wraps: the data goes to index 0 */
		if (idx + 8 <= r->size)
			put_le(&r->m, r->data_va + idx, id, 8);
		data = 0;
	} else {
		next = begin + bsize;
		data = idx;
	}
	/* Data blocks the new one overwrites: their records become reusable. */
	while (r->nlive && next - r->live[0].begin > r->size)
		ring_pop(r, true);
	put_le(&r->m, r->data_va + data, id, 8);
	if (len)
		put(&r->m, r->data_va + data + 8, text, len);
	ring_desc(r, id, state, begin, next, ts_nsec, caller, (uint16_t)len);
	r->head_lpos = next;
	ring_live(r, id, begin, next);
	return id;
}

uint64_t pk_ring_add_dataless(struct pk_ring *r, uint64_t ts_nsec, uint64_t lpos)
{
	uint64_t id = ring_next_id(r);

	ring_desc(r, id, 2, lpos, lpos, ts_nsec, 0, 0);
	ring_live(r, id, r->head_lpos, r->head_lpos);
	return id;
}

/* ---- the legacy log_buf ------------------------------------------------------------------ */

static void log_sync(struct pk_log *l)
{
	put_le(&l->m, l->syms_va + 16, l->nlive ? l->live[0].off : l->next, 4);
	put_le(&l->m, l->syms_va + 24, l->next, 4);
}

void pk_log_init(struct pk_log *l, struct pk_mem m, uint64_t syms_va, uint64_t buf_va,
		 uint32_t len, bool caller)
{
	memset(l, 0, sizeof(*l));
	l->m = m;
	l->syms_va = syms_va;
	l->buf_va = buf_va;
	l->len = len;
	l->hdr = caller ? 24 : 16;
	put_le(&m, syms_va, buf_va, 8);
	put_le(&m, syms_va + 8, len, 4);
	log_sync(l);
}

static void log_drop_first(struct pk_log *l)
{
	memmove(&l->live[0], &l->live[1], --l->nlive * sizeof(l->live[0]));
}

void pk_log_add(struct pk_log *l, uint64_t ts_nsec, uint32_t caller, const char *text,
		const char *dict)
{
	uint32_t tl = (uint32_t)strlen(text), dl = (uint32_t)strlen(dict);
	uint32_t rlen = (l->hdr + tl + dl + 7) & ~7u, off;
	uint64_t va;

	if (rlen + l->hdr > l->len || l->nlive == sizeof(l->live) / sizeof(l->live[0]))
		abort();
	if (l->next + rlen + l->hdr > l->len) {
		static const uint8_t zero[24];

		put(&l->m, l->buf_va + l->next, zero, l->hdr);
		/* Everything after the marker is gone with the wrap's first records. */
		while (l->nlive && l->live[0].off >= l->next)
			log_drop_first(l);
		l->next = 0;
	}
	off = l->next;
	while (l->nlive && l->live[0].off >= off && l->live[0].off < off + rlen + l->hdr)
		log_drop_first(l);
	va = l->buf_va + off;
	put_le(&l->m, va, ts_nsec, 8);
	put_le(&l->m, va + 8, rlen, 2);
	put_le(&l->m, va + 10, tl, 2);
	put_le(&l->m, va + 12, dl, 2);
	if (l->hdr == 24)
		put_le(&l->m, va + 16, caller, 4);
	put(&l->m, va + l->hdr, text, tl);
	put(&l->m, va + l->hdr + tl, dict, dl);
	l->live[l->nlive].off = off;
	l->live[l->nlive].rlen = rlen;
	l->nlive++;
	l->next = off + rlen;
	log_sync(l);
}
