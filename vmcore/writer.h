/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capture internals: the output sink (file or flattened stream) and the writer ops table. */
#ifndef VMCORE_WRITER_H
#define VMCORE_WRITER_H

#include "vmcore/internal.h"

/* Where output bytes go: positioned writes to a file, or flattened records on a stream. */
struct vmcore_sink {
	int fd;
	const char *name;
	bool flat;
	uint64_t end;		/* highest offset + len written (the file size) */
	uint64_t streamed;	/* bytes put on the stream (flat) */
	/*
	 * Resuming (files only): the first resume_size bytes are an earlier run's output. Writes
	 * there are checked against it: what is already there is kept, what is still zero (never
	 * written) is written, what differs is an error (the final headers are written after
	 * resume_size is reset).
	 */
	uint64_t resume_size;
	uint64_t resume_kept, resume_filled;	/* bytes found written / written now */
};

/* Writes len bytes destined for offset off; on failure fills err with name and offset. */
int vmcore_sink_write(struct vmcore_sink *s, const void *buf, size_t len, uint64_t off,
		      struct kd_err *err);
/* Flattened streams: the 4096-byte start header and the end marker. No-ops for files. */
int vmcore_sink_begin(struct vmcore_sink *s, struct kd_err *err);
int vmcore_sink_end(struct vmcore_sink *s, struct kd_err *err);

struct cap;

/*
 * One output format. begin runs before the first pass over the windows, plan_window once
 * per window in pfn order (the final bitmap of that window and its count of set bits), write
 * does the second pass (page data), finish completes a whole dump, mark_incomplete rewrites
 * what is needed to flag a dump cut short.
 */
struct vmcore_writer_ops {
	const char *name;
	/* Zero pages leave the bitmaps before layout (ELF), instead of sharing one page. */
	bool zero_pages_out;
	int (*begin)(struct cap *c);
	int (*plan_window)(struct cap *c, uint64_t start, uint64_t end, const uint8_t *bm,
			   uint64_t kept);
	int (*write)(struct cap *c);
	int (*finish)(struct cap *c);
	int (*mark_incomplete)(struct cap *c);
	void (*destroy)(struct cap *c);
};

extern const struct vmcore_writer_ops vmcore_writer_kdump;
extern const struct vmcore_writer_ops vmcore_writer_elf;

/*
 * Pages handed out by the page pipeline at most per batch. 64 rather than 128: the other
 * threads get work sooner and the last batch ends sooner (1 GiB -d 31 -l 1.5 ms faster on 2
 * threads, -d 1 the same), and each slot and read buffer is half the size (peak RSS of 4 GiB
 * -d 1 -l 10.1 -> 6.7 MiB).
 */
#define CAP_BATCH 64u

/* A batch of pages, read and compressed by a worker, written in order by the writer. */
struct cap_batch {
	uint64_t seq;
	unsigned n;
	int state;
	bool by_reader;		/* read through vmcore_read_pfn (not whole-in-file pages) */
	uint64_t pfn[CAP_BATCH];
	uint64_t off[CAP_BATCH];	/* file offset of each page (not by_reader) */
	uint32_t size[CAP_BATCH];	/* stored bytes; 0 for a zero page */
	uint32_t flag[CAP_BATCH];
	uint8_t *out;		/* stored pages back to back */
	size_t out_len;
	int r;
	struct kd_err err;
};

/* Called in pfn order for each finished batch; a negative return stops the pipeline. */
typedef int (*cap_batch_fn)(struct cap *c, struct cap_batch *b);

struct cap {
	struct vmcore *vc;
	const struct vmcore_capture_opts *o;
	struct vmcore_capture_report *rep;
	struct kd_err *err;
	const struct vmcore_writer_ops *w;
	void *wpriv;
	struct vmcore_filter *filter;
	struct vmcore_sink sink;
	const struct vmcore_compressor *comp;
	uint32_t ps;
	uint64_t max_pfn;
	unsigned level;
	/* Windows of pfns: win pfns each (a multiple of 8), nwin of them. */
	uint64_t win, nwin;
	uint8_t *wbm;		/* the current window's bitmap */
	uint64_t wcur;		/* its index, or UINT64_MAX */
	uint8_t *cache;		/* every window's bitmap, when small enough */
	uint8_t *cached;	/* per window: in the cache */
	int pass;		/* 1: planning; 2: writing */
	uint64_t kept;		/* pages in the final bitmaps */
	uint64_t done;
	bool stopped;
	bool use_mmap;		/* read the input through mmap windows (else pread) */
	bool copy_no_mmap;	/* cap_copy_range: a mapping failed, read from now on */
};

/* The final bitmap of window w (filter, input's own exclusions, zero pages for ELF). */
int cap_window(struct cap *c, uint64_t w, const uint8_t **ret_bm);
/* Whether pfn is in the final bitmap (through the window cache). */
int cap_pfn_kept(struct cap *c, uint64_t pfn, bool *ret);
/* Runs the threaded read/compress pipeline over every kept pfn, calling fn in pfn order. */
int cap_run_pages(struct cap *c, cap_batch_fn fn);
/* Copies len bytes of the input at file offset off (mmap window or pread) to the sink at out. */
int cap_copy_range(struct cap *c, uint64_t off, uint64_t len, uint64_t out);
/* True if the caller should stop (signal); sets the error once. */
bool cap_should_stop(struct cap *c);
void cap_progress(struct cap *c, uint64_t pages);

/*
 * Whether len bytes (a page: a multiple of 128) are all zero. ORs 128 bytes at a time (one
 * pass over the page) instead of memcmp(p, p + 1): 49 instead of 71 ns a cached 4 KiB page.
 */
static inline bool cap_is_zero(const uint8_t *p, size_t len)
{
	typedef uint64_t v4 __attribute__((vector_size(32)));

	if (len % 128)
		return p[0] == 0 && memcmp(p, p + 1, len - 1) == 0;
	for (size_t i = 0; i < len; i += 128) {
		v4 a, b, c, d;

		memcpy(&a, p + i, 32);
		memcpy(&b, p + i + 32, 32);
		memcpy(&c, p + i + 64, 32);
		memcpy(&d, p + i + 96, 32);
		a |= b | c | d;
		if (a[0] | a[1] | a[2] | a[3])
			return false;
	}
	return true;
}

#endif
