/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test support: kernel logs written as the kernel leaves them, the lockless ring and log_buf. */
#ifndef PRINTK_H
#define PRINTK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Where a log lives: a window of kernel memory (mem, len bytes, seen at virtual address va;
 * e.g. vmgen_phys() of a generated dump's image) and the addresses of its parts in it. Every
 * write must fall in the window (else abort). The layouts are those of the keys
 * vmgen_info_printk() and vmgen_info_log_buf() export.
 */
struct pk_mem {
	uint8_t *mem;
	uint64_t va;
	size_t len;
};

/*
 * The lockless printk ring (5.10+): struct printk_ringbuffer at rb_va (desc_ring: count_bits,
 * descs, infos, head_id, tail_id; text_data_ring at +48: size_bits, data), 24-byte descriptors
 * at descs_va, 88-byte printk_infos at infos_va, the text data ring at data_va. Records are
 * added as the kernel does: descriptor slots reused after count IDs (IDs wrap at 2^62), data
 * blocks wrapping to index 0, the records whose blocks are overwritten marked reusable.
 * live[] are the records still in the ring, oldest first.
 */
struct pk_ring {
	struct pk_mem m;
	uint64_t rb_va, descs_va, infos_va, data_va;
	uint64_t count, size;
	uint64_t head_lpos, next_id, seq;
	struct {
		uint64_t id, begin, next;
	} live[256];
	size_t nlive;
};

#define PK_ID_MASK ((1ULL << 62) - 1)

/* An empty ring of 2^count_bits descriptors and 2^size_bits data bytes, written to memory. */
void pk_ring_init(struct pk_ring *r, struct pk_mem m, uint64_t rb_va, uint64_t descs_va,
		  uint64_t infos_va, uint64_t data_va, unsigned count_bits, unsigned size_bits,
		  uint64_t first_id, uint64_t first_lpos);
/* Adds a record in descriptor state state (2: finalized); returns its ID. */
uint64_t pk_ring_add(struct pk_ring *r, uint64_t ts_nsec, uint32_t caller, const void *text,
		     size_t len, unsigned state);
/* A finalized record without data: lpos 1 (FAILED_LPOS) or 3 (EMPTY_LINE_LPOS, 6.12). */
uint64_t pk_ring_add_dataless(struct pk_ring *r, uint64_t ts_nsec, uint64_t lpos);

/*
 * The legacy log_buf (3.5-5.9): the pointer log_buf, log_buf_len (u32), log_first_idx and
 * log_next_idx (u32) at syms_va + 0, 8, 16, 24, the buffer of len bytes at buf_va. Records as
 * log_store() writes them: header (16 bytes, 24 with the caller id), text, dictionary, padded
 * to 8; a zero header marks a wrap to offset 0. live[] are the records still there.
 */
struct pk_log {
	struct pk_mem m;
	uint64_t syms_va, buf_va;
	uint32_t len, hdr, next;
	struct {
		uint32_t off, rlen;
	} live[256];
	size_t nlive;
};

void pk_log_init(struct pk_log *l, struct pk_mem m, uint64_t syms_va, uint64_t buf_va,
		 uint32_t len, bool caller);
void pk_log_add(struct pk_log *l, uint64_t ts_nsec, uint32_t caller, const char *text,
		const char *dict);

#endif
