// SPDX-License-Identifier: GPL-2.0-or-later
/* The capture pipeline: filter windows, read (mmap or pread), compress on N threads, write. */
#include "vmcore/mem_map.h"
#include "vmcore/writer.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <linux/magic.h>
#include <sys/vfs.h>

/* Default window: 256 Ki pfns (1 GiB of 4 KiB pages), a 32 KiB bitmap. */
#define CAP_WINDOW (256u * 1024)
/* Window bitmaps are all kept (not recomputed in the second pass) up to this size. */
#define CAP_CACHE_MAX (1u << 20)
/* The ELF writer's zero-page pass reads up to this many pages at once. */
#define CAP_SPAN 256u
/* Each thread maps /proc/vmcore (or, with --mmap, any input) in windows of this size
 * (makedumpfile maps 4 MiB; mapped pages count in the RSS, the budget is 2 MiB a thread). */
#define CAP_MAP_WINDOW (1u << 20)
#define CAP_MAX_THREADS 64u

/* ---- the output sink ---- */

/* Whether new can replace old: every byte the same, or still zero (never written). */
static bool fills(const uint8_t *old, const uint8_t *new, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (old[i] != new[i] && old[i])
			return false;
	return true;
}

/* A write below resume_size: keep, fill or refuse, 4 KiB at a time. */
static int sink_resume_write(struct vmcore_sink *s, const uint8_t *buf, size_t len,
			     uint64_t off, struct kd_err *err)
{
	uint8_t old[4096];

	while (len && off < s->resume_size) {
		size_t n = (size_t)KD_MIN((uint64_t)KD_MIN(len, sizeof(old) - off % sizeof(old)),
					  s->resume_size - off);
		ssize_t got = kd_pread_all(s->fd, old, n, off);
		int r;

		if (got < 0)
			return kd_err_sys(err, (int)got, "%s: cannot read back %zu bytes at offset "
					  "0x%" PRIx64 " to resume", s->name, n, off);
		if ((size_t)got == n && memcmp(old, buf, n) == 0) {
			s->resume_kept += n;
		} else if ((size_t)got < n || fills(old, buf, n)) {
			r = kd_pwrite_all(s->fd, buf, n, off);
			if (r < 0)
				return kd_err_sys(err, r, "%s: cannot write %zu bytes at offset 0x%"
						  PRIx64, s->name, n, off);
			s->resume_filled += n;
		} else {
			return kd_err_set(err, -EILSEQ, "%s: cannot resume: the bytes at offset 0x%"
					  PRIx64 " differ from what this capture writes there (another "
					  "vmcore, dump level, compression or format?); start anew "
					  "with -f", s->name, off);
		}
		s->end = KD_MAX(s->end, off + n);
		buf += n, off += n, len -= n;
	}
	return len ? vmcore_sink_write(s, buf, len, off, err) : 0;
}

int vmcore_sink_write(struct vmcore_sink *s, const void *buf, size_t len, uint64_t off,
		      struct kd_err *err)
{
	int r;

	if (!len)
		return 0;
	if (!s->flat && off < s->resume_size)
		return sink_resume_write(s, buf, len, off, err);
	if (s->flat) {
		uint8_t rec[16];

		kd_put_be64(rec, off);
		kd_put_be64(rec + 8, len);
		r = kd_write_all(s->fd, rec, sizeof(rec));
		if (r == 0)
			r = kd_write_all(s->fd, buf, len);
		if (r < 0)
			return kd_err_sys(err, r, "%s: cannot write the flattened record for offset "
					  "0x%" PRIx64 " (%zu bytes) at stream byte %" PRIu64, s->name,
					  off, len, s->streamed);
		s->streamed += sizeof(rec) + len;
	} else {
		r = kd_pwrite_all(s->fd, buf, len, off);
		if (r < 0)
			return kd_err_sys(err, r, "%s: cannot write %zu bytes at offset 0x%" PRIx64,
					  s->name, len, off);
	}
	s->end = KD_MAX(s->end, off + len);
	return 0;
}

int vmcore_sink_begin(struct vmcore_sink *s, struct kd_err *err)
{
	uint8_t h[4096] = "makedumpfile";
	int r;

	if (!s->flat)
		return 0;
	kd_put_be64(h + 16, 1);	/* type: flattened */
	kd_put_be64(h + 24, 1);	/* version */
	r = kd_write_all(s->fd, h, sizeof(h));
	if (r < 0)
		return kd_err_sys(err, r, "%s: cannot write the flattened stream header", s->name);
	s->streamed += sizeof(h);
	return 0;
}

int vmcore_sink_end(struct vmcore_sink *s, struct kd_err *err)
{
	uint8_t m[16];
	int r;

	if (!s->flat)
		return 0;
	memset(m, 0xff, sizeof(m));
	r = kd_write_all(s->fd, m, sizeof(m));
	if (r < 0)
		return kd_err_sys(err, r, "%s: cannot write the flattened stream's end marker at "
				  "stream byte %" PRIu64, s->name, s->streamed);
	s->streamed += sizeof(m);
	return 0;
}

/* ---- window bitmaps ---- */

static int read_page_main(struct cap *c, uint64_t pfn, uint8_t *buf)
{
	uint64_t off;
	ssize_t n;

	if (vmcore_pfn_offset(c->vc, pfn, &off) < 0)
		return vmcore_read_pfn(c->vc, pfn, buf, c->err);
	n = kd_pread_all(vmcore_fd(c->vc), buf, c->ps, off);
	if (n != (ssize_t)c->ps)
		return kd_err_set(c->err, n < 0 ? (int)n : -EIO, "%s: cannot read pfn 0x%" PRIx64
				  " at offset 0x%" PRIx64 ": %s", vmcore_path(c->vc), pfn, off,
				  n < 0 ? strerror((int)-n) : "file too short");
	return 0;
}

static inline bool bm_test(const uint8_t *bm, uint64_t i)
{
	return bm[i / 8] >> (i & 7) & 1;
}

/*
 * ELF output: zero pages leave the bitmap before the layout is made (makedumpfile reads
 * them twice for this too). Runs of kept pages are read at once, up to CAP_SPAN pages.
 */
static int window_drop_zero_pages(struct cap *c, uint64_t start, uint64_t end, uint8_t *bm)
{
	_cleanup_free_ uint8_t *buf = malloc((size_t)CAP_SPAN * c->ps);
	uint64_t ps = c->ps;

	if (!buf)
		return kd_err_set(c->err, -ENOMEM, "out of memory");
	for (uint64_t pfn = start; pfn < end;) {
		uint64_t off, o2, n = 1;
		ssize_t got;
		int r;

		if (!bm_test(bm, pfn - start)) {
			pfn++;
			continue;
		}
		if (cap_should_stop(c))
			return c->err->code;
		if (vmcore_pfn_offset(c->vc, pfn, &off) < 0) {
			r = read_page_main(c, pfn, buf);
			if (r < 0)
				return r;
		} else {
			while (pfn + n < end && n < CAP_SPAN && bm_test(bm, pfn + n - start) &&
			       vmcore_pfn_offset(c->vc, pfn + n, &o2) == 0 && o2 == off + n * ps)
				n++;
			got = kd_pread_all(vmcore_fd(c->vc), buf, n * ps, off);
			if (got != (ssize_t)(n * ps))
				return kd_err_set(c->err, got < 0 ? (int)got : -EIO, "%s: cannot read "
						  "pfns 0x%" PRIx64 "-0x%" PRIx64 " at offset 0x%" PRIx64
						  ": %s", vmcore_path(c->vc), pfn, pfn + n - 1, off,
						  got < 0 ? strerror((int)-got) : "file too short");
		}
		for (uint64_t i = 0; i < n; i++) {
			if (!cap_is_zero(buf + i * ps, ps))
				continue;
			bm[(pfn + i - start) / 8] &= (uint8_t)~(1u << ((pfn + i - start) & 7));
			if (c->pass == 1)
				c->rep->zero_pages++;
		}
		pfn += n;
	}
	return 0;
}

int cap_window(struct cap *c, uint64_t w, const uint8_t **ret_bm)
{
	uint64_t wb = c->win / 8, start = w * c->win, end = KD_MIN(start + c->win, c->max_pfn);
	bool kdump_in = vmcore_format(c->vc) != VMCORE_FORMAT_ELF;
	uint8_t *bm;
	int r;

	if (c->cache && c->cached[w]) {
		*ret_bm = c->cache + w * wb;
		return 0;
	}
	if (!c->cache && c->wcur == w) {
		*ret_bm = c->wbm;
		return 0;
	}
	bm = c->cache ? c->cache + w * wb : c->wbm;
	c->wcur = UINT64_MAX;
	memset(bm, 0, wb);
	r = vmcore_filter_window(c->filter, start, end, bm, c->err);
	if (r < 0) {
		kd_err_prefix(c->err, "page filter, pfns [0x%" PRIx64 ", 0x%" PRIx64 ")", start, end);
		return r;
	}
	/* A filtered input keeps out what it left out. */
	for (uint64_t pfn = start; kdump_in && pfn < end; pfn++)
		if (!vmcore_pfn_is_dumped(c->vc, pfn))
			bm[(pfn - start) / 8] &= (uint8_t)~(1u << ((pfn - start) & 7));
	if (c->w->zero_pages_out && (c->level & VMCORE_EXCL_ZERO)) {
		r = window_drop_zero_pages(c, start, end, bm);
		if (r < 0)
			return r;
	}
	if (c->cache)
		c->cached[w] = 1;
	else
		c->wcur = w;
	*ret_bm = bm;
	return 0;
}

int cap_pfn_kept(struct cap *c, uint64_t pfn, bool *ret)
{
	const uint8_t *bm;
	uint64_t w = pfn / c->win;
	int r;

	if (pfn >= c->max_pfn) {
		*ret = false;
		return 0;
	}
	r = cap_window(c, w, &bm);
	if (r < 0)
		return r;
	pfn -= w * c->win;
	*ret = bm[pfn / 8] >> (pfn & 7) & 1;
	return 0;
}

bool cap_should_stop(struct cap *c)
{
	if (c->stopped)
		return true;
	if (c->o->stop && *c->o->stop) {
		c->stopped = true;
		kd_err_set(c->err, -EINTR, "%s: interrupted by a signal after %" PRIu64 " of %" PRIu64
			   " pages", c->sink.name, c->done, c->kept);
		return true;
	}
	return false;
}

void cap_progress(struct cap *c, uint64_t pages)
{
	c->done += pages;
	if (c->o->progress)
		c->o->progress(c->o->progress_data, c->done, c->kept);
}

/* ---- copying input ranges (ELF data) ---- */

int cap_copy_range(struct cap *c, uint64_t off, uint64_t len, uint64_t out)
{
	const size_t chunk = CAP_MAP_WINDOW;
	long hp = sysconf(_SC_PAGESIZE);
	_cleanup_free_ uint8_t *buf = NULL;
	int r;

	if (hp <= 0)
		hp = 4096;
	while (len) {
		size_t n = (size_t)KD_MIN(len, (uint64_t)chunk);
		const uint8_t *src = NULL;
		void *map = MAP_FAILED;
		uint64_t al = off & ~(uint64_t)(hp - 1);
		ssize_t got;

		if (cap_should_stop(c))
			return c->err->code;
		/* Mapped where it works (/proc/vmcore reads slowly), read otherwise. */
		if (c->use_mmap && !c->copy_no_mmap) {
			map = mmap(NULL, n + (off - al), PROT_READ, MAP_PRIVATE, vmcore_fd(c->vc),
				   (off_t)al);
			if (map == MAP_FAILED) {
				c->copy_no_mmap = true;
			} else {
				src = (const uint8_t *)map + (off - al);
				c->rep->mmap_used = true;
			}
		}
		if (!src) {
			if (!buf && !(buf = malloc(chunk)))
				return kd_err_set(c->err, -ENOMEM, "out of memory");
			got = kd_pread_all(vmcore_fd(c->vc), buf, n, off);
			if (got != (ssize_t)n)
				return kd_err_set(c->err, got < 0 ? (int)got : -EIO, "%s: cannot read %zu "
						  "bytes at offset 0x%" PRIx64 ": %s", vmcore_path(c->vc),
						  n, off, got < 0 ? strerror((int)-got) : "file too short");
			src = buf;
		}
		r = vmcore_sink_write(&c->sink, src, n, out, c->err);
		if (map != MAP_FAILED)
			munmap(map, n + (off - al));
		if (r < 0)
			return r;
		off += n;
		out += n;
		len -= n;
	}
	return 0;
}

/* ---- the page pipeline ---- */

enum { SLOT_FREE, SLOT_QUEUED, SLOT_BUSY, SLOT_DONE };

struct pipe;

struct worker {
	struct pipe *p;
	pthread_t tid;
	bool started;
	void *ctx;		/* compressor context */
	uint8_t *in;		/* pread buffer (CAP_BATCH pages), when mmap is not used */
	uint8_t *page;		/* one page for reader mode */
	uint8_t *map;		/* the current mmap window of the input */
	uint64_t map_off, map_len;
};

struct pipe {
	struct cap *c;
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	struct cap_batch *slots;
	unsigned nslots;
	uint64_t next_take;
	uint64_t wait_seq;	/* the writer sleeps until this batch is done (UINT64_MAX: awake) */
	unsigned idle;		/* workers waiting for a batch */
	bool quit;
	/* workers[0] is the calling thread (the writer), which compresses while it waits. */
	struct worker *workers;
	unsigned nworkers;
	atomic_bool no_mmap;
	atomic_bool mmap_used;
	pthread_mutex_t reader_mu;
	size_t out_cap;
	long host_page;
};

static int batch_read_pread(struct worker *wk, struct cap_batch *b, const uint8_t **ret_base)
{
	struct cap *c = wk->p->c;
	uint64_t ps = c->ps;

	if (!wk->in) {
		wk->in = malloc((size_t)CAP_BATCH * ps);
		if (!wk->in)
			return kd_err_set(&b->err, -ENOMEM, "out of memory");
	}
	/* Pages next to each other in the file are read at once. */
	for (unsigned i = 0; i < b->n;) {
		unsigned j = i + 1;
		uint64_t len;
		ssize_t n;

		while (j < b->n && b->off[j] == b->off[j - 1] + ps)
			j++;
		len = (uint64_t)(j - i) * ps;
		n = kd_pread_all(vmcore_fd(c->vc), wk->in + (size_t)i * ps, len, b->off[i]);
		if (n != (ssize_t)len)
			return kd_err_set(&b->err, n < 0 ? (int)n : -EIO, "%s: cannot read pfns 0x%"
					  PRIx64 "-0x%" PRIx64 " at offset 0x%" PRIx64 ": %s",
					  vmcore_path(c->vc), b->pfn[i], b->pfn[j - 1], b->off[i],
					  n < 0 ? strerror((int)-n) : "file too short");
		i = j;
	}
	*ret_base = wk->in;
	return 0;
}

static void store_page(struct worker *wk, struct cap_batch *b, unsigned i, const uint8_t *src)
{
	struct cap *c = wk->p->c;
	size_t len;
	uint32_t flag;

	if ((c->level & VMCORE_EXCL_ZERO) && cap_is_zero(src, c->ps)) {
		b->size[i] = 0;
		b->flag[i] = 0;
		return;
	}
	vmcore_compress_page(c->comp, wk->ctx, src, c->ps, b->out + b->out_len,
			     wk->p->out_cap - b->out_len, &len, &flag);
	b->size[i] = (uint32_t)len;
	b->flag[i] = flag;
	b->out_len += len;
}

/* End of the file data of the PT_LOAD holding file offset off (mmap windows stay inside). */
static uint64_t load_file_end(struct vmcore *vc, uint64_t off)
{
	size_t n;
	const struct vmcore_load *l = vmcore_loads(vc, &n);

	for (size_t i = 0; i < n; i++)
		if (off >= l[i].offset && off < l[i].offset + l[i].filesz)
			return l[i].offset + l[i].filesz;
	return vmcore_file_size(vc);
}

/*
 * The input bytes [off, end) through the worker's mmap window, or NULL (then pread). A window
 * that will be mostly read is mapped whole at once (populate: one call instead of a page
 * fault per 16 pages); a sparse one page by page as touched.
 */
static const uint8_t *worker_map(struct worker *wk, uint64_t off, uint64_t end, bool dense)
{
	struct pipe *p = wk->p;
	uint64_t hp = (uint64_t)p->host_page, start, stop;
	void *m;

	if (wk->map && off >= wk->map_off && end <= wk->map_off + wk->map_len)
		return wk->map + (off - wk->map_off);
	if (wk->map)
		munmap(wk->map, wk->map_len);
	wk->map = NULL;
	start = off & ~(hp - 1);
	stop = KD_MIN(start + CAP_MAP_WINDOW, KD_ALIGN_UP(load_file_end(p->c->vc, off), hp));
	stop = KD_MAX(stop, KD_ALIGN_UP(end, hp));
	m = mmap(NULL, stop - start, PROT_READ, MAP_PRIVATE | (dense ? MAP_POPULATE : 0),
		 vmcore_fd(p->c->vc), (off_t)start);
	if (m == MAP_FAILED) {
		/* As makedumpfile: one failure and the rest of the run reads instead. */
		atomic_store(&p->no_mmap, true);
		return NULL;
	}
	atomic_store(&p->mmap_used, true);
	wk->map = m;
	wk->map_off = start;
	wk->map_len = stop - start;
	return wk->map + (off - start);
}

static int batch_process(struct worker *wk, struct cap_batch *b)
{
	struct pipe *p = wk->p;
	struct cap *c = p->c;
	const uint8_t *base = NULL;
	int r = 0;

	b->out_len = 0;
	if (b->by_reader) {
		for (unsigned i = 0; i < b->n; i++) {
			pthread_mutex_lock(&p->reader_mu);
			r = vmcore_read_pfn(c->vc, b->pfn[i], wk->page, &b->err);
			pthread_mutex_unlock(&p->reader_mu);
			if (r < 0)
				return r;
			store_page(wk, b, i, wk->page);
		}
		return 0;
	}
	/* Straight from the mmap window (remapped as the pages move on), else read. */
	if (!atomic_load(&p->no_mmap)) {
		/* Dense: at least half the pages between the first and the last are kept. */
		bool dense = b->off[b->n - 1] - b->off[0] < 2 * (uint64_t)b->n * c->ps;
		unsigned i;

		for (i = 0; i < b->n; i++) {
			const uint8_t *src = worker_map(wk, b->off[i], b->off[i] + c->ps, dense);

			if (!src)
				break;
			store_page(wk, b, i, src);
		}
		if (i == b->n)
			return 0;
		b->out_len = 0;
	}
	r = batch_read_pread(wk, b, &base);
	if (r == 0)
		for (unsigned i = 0; i < b->n; i++)
			store_page(wk, b, i, base + (size_t)i * c->ps);
	return r;
}

/* Takes the next queued batch and processes it; false if none is queued. Called locked. */
static bool pipe_work_one(struct pipe *p, struct worker *wk)
{
	struct cap_batch *b = &p->slots[p->next_take % p->nslots];

	if (b->state != SLOT_QUEUED || b->seq != p->next_take)
		return false;
	b->state = SLOT_BUSY;
	p->next_take++;
	pthread_mutex_unlock(&p->mu);
	b->r = batch_process(wk, b);
	pthread_mutex_lock(&p->mu);
	b->state = SLOT_DONE;
	/* The writer is woken for the one batch it waits for, not for each. */
	if (b->seq == p->wait_seq && wk != &p->workers[0])
		pthread_cond_signal(&p->done_cv);
	return true;
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct pipe *p = wk->p;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (pipe_work_one(p, wk))
			continue;
		if (p->quit)
			break;
		p->idle++;
		pthread_cond_wait(&p->work_cv, &p->mu);
		p->idle--;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void pipe_destroy(struct pipe *p)
{
	if (p->workers) {
		pthread_mutex_lock(&p->mu);
		p->quit = true;
		pthread_cond_broadcast(&p->work_cv);
		pthread_mutex_unlock(&p->mu);
		for (unsigned i = 0; i < p->nworkers; i++) {
			struct worker *wk = &p->workers[i];

			if (wk->started)
				pthread_join(wk->tid, NULL);
			if (wk->ctx)
				p->c->comp->destroy(wk->ctx);
			free(wk->in);
			free(wk->page);
			if (wk->map)
				munmap(wk->map, wk->map_len);
		}
		free(p->workers);
	}
	if (p->slots)
		for (unsigned i = 0; i < p->nslots; i++)
			free(p->slots[i].out);
	free(p->slots);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->reader_mu);
	pthread_cond_destroy(&p->work_cv);
	pthread_cond_destroy(&p->done_cv);
}

static int pipe_init(struct pipe *p, struct cap *c)
{
	unsigned n = c->rep->threads;

	memset(p, 0, sizeof(*p));
	p->c = c;
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->reader_mu, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	atomic_init(&p->no_mmap, !c->use_mmap);
	atomic_init(&p->mmap_used, false);
	p->host_page = sysconf(_SC_PAGESIZE);
	if (p->host_page <= 0)
		p->host_page = 4096;
	p->out_cap = (size_t)CAP_BATCH * c->ps + KD_MAX(c->comp->bound(c->ps), (size_t)c->ps);
	/*
	 * Four batches a worker and four more (fewer past 6 threads: each slot may hold 256
	 * KiB): the writer sleeps until half the ring is done (pipe_drain), so that it and the
	 * workers change hands once per 2n + 2 batches, not once per batch, and each worker
	 * still has about two batches queued while the writer, woken, waits for a CPU (on a
	 * busy machine that wait, not the work, set the pace at 2 batches a worker).
	 */
	p->nslots = KD_MIN(4 * n + 4, 2 * n + 16);
	/*
	 * n - 1 threads, and the calling thread, which builds the batches and writes them in
	 * order, compresses queued batches while it waits for the others' (n threads running on
	 * n CPUs, not n + 1 changing hands at every batch).
	 */
	p->wait_seq = UINT64_MAX;
	p->slots = kd_calloc(p->nslots, sizeof(*p->slots));
	p->workers = kd_calloc(n, sizeof(*p->workers));
	if (!p->slots || !p->workers)
		return kd_err_set(c->err, -ENOMEM, "out of memory");
	for (unsigned i = 0; i < p->nslots; i++) {
		p->slots[i].out = malloc(p->out_cap);
		if (!p->slots[i].out)
			return kd_err_set(c->err, -ENOMEM, "out of memory");
	}
	p->nworkers = n;
	for (unsigned i = 0; i < n; i++) {
		struct worker *wk = &p->workers[i];

		wk->p = p;
		wk->ctx = c->comp->create();
		wk->page = malloc(c->ps);
		if (!wk->ctx || !wk->page)
			return kd_err_set(c->err, -ENOMEM, "cannot set up the %s compressor: out of "
					  "memory", c->comp->name);
		if (i == 0)
			continue;
		if (pthread_create(&wk->tid, NULL, worker_main, wk) != 0)
			return kd_err_set(c->err, -EAGAIN, "cannot start compression thread %u", i);
		wk->started = true;
	}
	return 0;
}

/* Hands batches [*written, upto) to fn in order, each once done (dropped after a failure). */
static int pipe_drain(struct pipe *p, uint64_t *written, uint64_t upto, cap_batch_fn fn, int r)
{
	while (*written < upto) {
		uint64_t first = *written, ready = first;

		pthread_mutex_lock(&p->mu);
		for (;;) {
			while (ready < upto && p->slots[ready % p->nslots].state == SLOT_DONE)
				ready++;
			if (ready == upto)
				break;
			if (pipe_work_one(p, &p->workers[0]))
				continue;
			/* Workers finish about in order: wait for the last one needed first. */
			p->wait_seq = p->slots[(upto - 1) % p->nslots].state == SLOT_DONE ? ready :
										       upto - 1;
			pthread_cond_wait(&p->done_cv, &p->mu);
		}
		p->wait_seq = UINT64_MAX;
		pthread_mutex_unlock(&p->mu);
		for (uint64_t s = first; s < ready; s++) {
			struct cap_batch *b = &p->slots[s % p->nslots];

			/* A stop request is heard between batches, even when all are queued. */
			if (r == 0 && cap_should_stop(p->c))
				r = p->c->err->code;
			if (r == 0 && b->r < 0) {
				*p->c->err = b->err;
				r = b->r;
			} else if (r == 0) {
				r = fn(p->c, b);
			}
		}
		pthread_mutex_lock(&p->mu);
		for (uint64_t s = first; s < ready; s++)
			p->slots[s % p->nslots].state = SLOT_FREE;
		pthread_mutex_unlock(&p->mu);
		*written = ready;
	}
	return r;
}

static void pipe_queue(struct pipe *p, struct cap_batch *b)
{
	pthread_mutex_lock(&p->mu);
	b->state = SLOT_QUEUED;
	if (p->idle)
		pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
}

int cap_run_pages(struct cap *c, cap_batch_fn fn)
{
	struct pipe p;
	struct cap_batch *cur = NULL;
	uint64_t submitted = 0, written = 0;
	int r;

	r = pipe_init(&p, c);
	for (uint64_t w = 0; r == 0 && w < c->nwin; w++) {
		uint64_t start = w * c->win, end = KD_MIN(start + c->win, c->max_pfn);
		bool held = true;
		const uint8_t *bm;

		/*
		 * The filter and the page lookups read the dump through the same handle as
		 * workers in reader mode (kdump-compressed input, partial pages): one at a time.
		 * The writer holds that lock while it builds batches and lets go of it before
		 * it waits for workers.
		 */
		pthread_mutex_lock(&p.reader_mu);
		r = cap_window(c, w, &bm);
		for (uint64_t pfn = start; r == 0 && pfn < end; pfn++) {
			uint64_t rel = pfn - start, off = 0;
			bool by_reader;

			if (!bm[rel / 8]) {
				pfn = start + (rel | 7);
				continue;
			}
			if (!(bm[rel / 8] >> (rel & 7) & 1))
				continue;
			if (!held) {
				pthread_mutex_lock(&p.reader_mu);
				held = true;
			}
			by_reader = vmcore_pfn_offset(c->vc, pfn, &off) < 0;
			if (cur && (cur->by_reader != by_reader || cur->n == CAP_BATCH)) {
				pipe_queue(&p, cur);
				cur = NULL;
			}
			if (!cur) {
				if (cap_should_stop(c)) {
					r = c->err->code;
					break;
				}
				if (submitted - written >= p.nslots) {
					/* Ring full: wait until half of it is written. */
					pthread_mutex_unlock(&p.reader_mu);
					held = false;
					r = pipe_drain(&p, &written, written + p.nslots / 2, fn, r);
					if (r < 0)
						break;
				}
				cur = &p.slots[submitted % p.nslots];
				cur->seq = submitted++;
				cur->n = 0;
				cur->by_reader = by_reader;
				cur->r = 0;
			}
			cur->off[cur->n] = off;
			cur->pfn[cur->n++] = pfn;
		}
		if (held)
			pthread_mutex_unlock(&p.reader_mu);
	}
	if (cur)
		pipe_queue(&p, cur);
	/* Batches in flight are finished (and dropped after a failure) before returning. */
	r = pipe_drain(&p, &written, submitted, fn, r);
	if (atomic_load(&p.mmap_used))
		c->rep->mmap_used = true;
	pipe_destroy(&p);
	return r;
}

/* ---- the whole capture ---- */

/*
 * The pfns the dump covers: the highest PT_LOAD end, cut to the end of the last mem_map
 * section when the kernel used less memory than was dumped (mem=), as makedumpfile does
 * (get_mem_map). A dump file as input keeps its own max_mapnr.
 */
static uint64_t capture_max_pfn(struct vmcore *vc)
{
	uint64_t max = vmcore_max_pfn(vc), last = 0;
	struct vmcore_mem_map mm;
	struct kd_err err = { 0 };

	if (vmcore_format(vc) != VMCORE_FORMAT_ELF || !vmcore_vmcoreinfo(vc) ||
	    vmcore_mem_map_init(&mm, vc, &err) < 0)
		return max;
	for (uint64_t s = 0; s < mm.nr_sections; s++)
		if (mm.state[s] != VMCORE_MM_ABSENT)
			last = s + 1;
	if (last)
		max = KD_MIN(max, last << mm.section_shift);
	vmcore_mem_map_deinit(&mm);
	return max;
}

/*
 * Whether to map the input: /proc/vmcore reads old memory page by page (ioremap and copy each),
 * mapping it is much faster; for a regular file pread is cheaper than mapping and unmapping
 * windows (each munmap sends a TLB-shootdown IPI to the CPUs running the other threads, and
 * mmap_lock is contended): bench-limit reads the kept pages of the 1 GiB fixture in 0.096 s
 * with pread, 0.113 s through windows; -d 1 -l on 2 threads takes 0.19 s instead of 0.22 s.
 */
static bool want_mmap(struct vmcore *vc, enum vmcore_read_mode mode)
{
	struct statfs sf;

	if (mode != VMCORE_READ_AUTO)
		return mode == VMCORE_READ_MMAP;
	return fstatfs(vmcore_fd(vc), &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (unsigned)KD_MIN((unsigned long)n, CAP_MAX_THREADS);
}

int vmcore_capture(struct vmcore *vc, int fd, const char *name,
		   const struct vmcore_capture_opts *o, struct vmcore_capture_report *report,
		   struct kd_err *err)
{
	struct cap c = {
		.vc = vc, .o = o, .rep = report, .err = err, .ps = vmcore_page_size(vc),
		.max_pfn = capture_max_pfn(vc), .wcur = UINT64_MAX,
		.sink = { .fd = fd, .name = name, .flat = o->flatten,
			  .resume_size = o->flatten ? 0 : o->resume_size },
	};
	const char *warning = NULL;
	bool started = false;
	int r;

	memset(report, 0, sizeof(*report));
	c.comp = o->comp ? o->comp : vmcore_compressor_find("none");
	c.w = o->format == VMCORE_OUT_ELF ? &vmcore_writer_elf : &vmcore_writer_kdump;
	if (o->format == VMCORE_OUT_ELF && c.comp->flag)
		return kd_err_set(err, -EINVAL, "ELF output is not compressed: leave out -c/-l/-z "
				  "or write kdump-compressed output");
	report->threads = o->threads ? KD_MIN(o->threads, CAP_MAX_THREADS) : online_cpus();
	if (o->format == VMCORE_OUT_ELF)
		report->threads = 1;	/* ELF pages are copied, not compressed: no workers */
	report->max_pfn = c.max_pfn;
	c.use_mmap = want_mmap(vc, o->read_mode);
	if (!c.max_pfn)
		return kd_err_set(err, -EINVAL, "%s: the dump describes no memory", vmcore_path(vc));
	/* The survey runs before any worker: on as many threads as the capture may use. */
	r = vmcore_filter_create_threads(vc, o->level, o->threads ? KD_MIN(o->threads,
					 CAP_MAX_THREADS) : online_cpus(), &c.filter, &warning,
					 err);
	if (r < 0)
		return r;
	if (warning)
		snprintf(report->filter_warning, sizeof(report->filter_warning), "%s", warning);
	c.level = vmcore_filter_level(c.filter);
	report->level = c.level;
	report->filter = *vmcore_filter_totals(c.filter);

	c.win = o->window_pfns ? KD_ALIGN_UP(o->window_pfns, 8) : CAP_WINDOW;
	c.nwin = KD_DIV_ROUND_UP(c.max_pfn, c.win);
	if (c.nwin * (c.win / 8) <= CAP_CACHE_MAX) {
		c.cache = malloc(c.nwin * (c.win / 8));
		c.cached = kd_calloc(c.nwin, 1);
		if (!c.cache || !c.cached) {
			r = kd_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
	} else {
		c.wbm = malloc(c.win / 8);
		if (!c.wbm) {
			r = kd_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
	}

	started = true;
	r = vmcore_sink_begin(&c.sink, err);
	if (r == 0 && c.w->begin)
		r = c.w->begin(&c);
	/* First pass: decide every window, count the pages kept. */
	c.pass = 1;
	for (uint64_t w = 0; r == 0 && w < c.nwin; w++) {
		uint64_t start = w * c.win, end = KD_MIN(start + c.win, c.max_pfn), n = 0;
		const uint8_t *bm;

		if (cap_should_stop(&c)) {
			r = err->code;
			break;
		}
		r = cap_window(&c, w, &bm);
		if (r < 0)
			break;
		for (uint64_t i = 0; i < KD_DIV_ROUND_UP(end - start, 8); i++)
			n += (uint64_t)__builtin_popcount(bm[i]);
		c.kept += n;
		if (c.w->plan_window)
			r = c.w->plan_window(&c, start, end, bm, n);
	}
	/* Second pass: the pages. */
	if (r == 0) {
		c.pass = 2;
		r = c.w->write(&c);
	}
	/* Everything up to the final headers matched what a resumed dump held: now rewrite. */
	c.sink.resume_size = 0;
	if (r == 0 && c.w->finish)
		r = c.w->finish(&c);
	if (r == 0)
		r = vmcore_sink_end(&c.sink, err);
out:
	if (r < 0 && started && c.w->mark_incomplete) {
		struct kd_err e2 = { 0 };

		/*
		 * What was written carries the INCOMPLETE flag from its first header write on;
		 * this flushes what is consistent and closes a stream (best effort). A stop
		 * before the page data (pass 1: bitmaps, headers) leaves nothing worth keeping.
		 * A refused resume (-EILSEQ) wrote nothing: the earlier dump is as it was.
		 */
		if (c.pass == 2 && r != -EILSEQ && c.w->mark_incomplete(&c) == 0)
			report->incomplete = true;
		vmcore_sink_end(&c.sink, &e2);
	}
	report->output_bytes = c.sink.flat ? c.sink.streamed : c.sink.end;
	report->resume_kept = c.sink.resume_kept;
	if (c.w->destroy)
		c.w->destroy(&c);
	vmcore_filter_destroy(c.filter);
	free(c.cache);
	free(c.cached);
	free(c.wbm);
	return r;
}
