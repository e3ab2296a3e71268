// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-limit VMCORE LEVEL COMP THREADS: the floor under any capture of VMCORE at LEVEL with
 * compressor COMP (l, c, z or n): the time to decide the pages (filter), to read the kept
 * pages alone (one thread, runs coalesced), and to read and compress them on THREADS threads
 * without writing anything. For make bench; prints one line per figure.
 */
#include "vmcore/vmcore.h"

#include <inttypes.h>
#include <pthread.h>

#define RUN_MAX 256u	/* pages per read */

struct run {
	uint64_t off, n;
};

struct shared {
	struct vmcore *vc;
	const struct vmcore_compressor *comp;
	const struct run *runs;
	size_t nruns;
	size_t next;
	pthread_mutex_t mu;
	bool compress;
	uint64_t zero, stored;
};

static void *worker(void *arg)
{
	struct shared *s = arg;
	uint32_t ps = vmcore_page_size(s->vc);
	uint8_t *buf = malloc((size_t)RUN_MAX * ps);
	uint8_t *out = malloc(s->comp->bound(ps) + ps);
	void *ctx = s->comp->create();
	uint64_t zero = 0, stored = 0;

	if (!buf || !out || !ctx)
		abort();
	for (;;) {
		const struct run *r;
		size_t i;

		pthread_mutex_lock(&s->mu);
		i = s->next++;
		pthread_mutex_unlock(&s->mu);
		if (i >= s->nruns)
			break;
		r = &s->runs[i];
		if (kd_pread_all(vmcore_fd(s->vc), buf, r->n * ps, r->off) != (ssize_t)(r->n * ps))
			abort();
		if (!s->compress)
			continue;
		for (uint64_t p = 0; p < r->n; p++) {
			const uint8_t *pg = buf + p * ps;
			size_t len;
			uint32_t flag;

			if (pg[0] == 0 && memcmp(pg, pg + 1, ps - 1) == 0) {
				zero++;
				continue;
			}
			vmcore_compress_page(s->comp, ctx, pg, ps, out, s->comp->bound(ps) + ps, &len,
					     &flag);
			stored += len;
		}
	}
	pthread_mutex_lock(&s->mu);
	s->zero += zero;
	s->stored += stored;
	pthread_mutex_unlock(&s->mu);
	s->comp->destroy(ctx);
	free(buf);
	free(out);
	return NULL;
}

static double pass(struct shared *s, unsigned threads, bool compress)
{
	pthread_t tid[64];
	double t0 = kd_now();

	s->next = 0;
	s->compress = compress;
	s->zero = s->stored = 0;
	for (unsigned i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, worker, s);
	for (unsigned i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	return kd_now() - t0;
}

int main(int argc, char **argv)
{
	struct shared s = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct kd_err err = { 0 };
	struct vmcore_filter *f;
	const char *warning, *cname;
	struct run *runs = NULL;
	size_t nruns = 0, cap = 0;
	uint64_t kept = 0, max, level, threads;
	const uint64_t win = 1u << 18;
	uint8_t *bm;
	double t0, tf, tr, tc;

	if (argc != 5 || kd_parse_u64(argv[2], 10, &level) < 0 ||
	    kd_parse_u64(argv[4], 10, &threads) < 0 || threads < 1 || threads > 64) {
		fprintf(stderr, "usage: bench-limit VMCORE LEVEL l|c|z|n THREADS\n");
		return 2;
	}
	cname = argv[3][0] == 'l' ? "lzo" : argv[3][0] == 'c' ? "zlib" : argv[3][0] == 'z' ? "zstd" :
									     "none";
	s.comp = vmcore_compressor_find(cname);
	if (!s.comp || vmcore_open(argv[1], &s.vc, &err) < 0) {
		fprintf(stderr, "bench-limit: %s\n", s.comp ? err.msg : "compressor not built in");
		return 1;
	}
	t0 = kd_now();
	if (vmcore_filter_create(s.vc, (unsigned)level, &f, &warning, &err) < 0) {
		fprintf(stderr, "bench-limit: %s\n", err.msg);
		return 1;
	}
	max = vmcore_max_pfn(s.vc);
	bm = malloc(win / 8);
	if (!bm)
		return 1;
	for (uint64_t start = 0; start < max; start += win) {
		uint64_t end = KD_MIN(start + win, max);

		if (vmcore_filter_window(f, start, end, bm, &err) < 0) {
			fprintf(stderr, "bench-limit: %s\n", err.msg);
			return 1;
		}
		for (uint64_t pfn = start; pfn < end; pfn++) {
			uint64_t off;

			if (!(bm[(pfn - start) / 8] >> ((pfn - start) & 7) & 1) ||
			    vmcore_pfn_offset(s.vc, pfn, &off) < 0)
				continue;
			kept++;
			if (nruns && runs[nruns - 1].n < RUN_MAX &&
			    runs[nruns - 1].off + runs[nruns - 1].n * vmcore_page_size(s.vc) == off) {
				runs[nruns - 1].n++;
				continue;
			}
			if (nruns == cap) {
				cap = cap ? 2 * cap : 1024;
				runs = realloc(runs, cap * sizeof(*runs));
				if (!runs)
					return 1;
			}
			runs[nruns++] = (struct run){ .off = off, .n = 1 };
		}
	}
	tf = kd_now() - t0;
	s.runs = runs;
	s.nruns = nruns;
	tr = pass(&s, 1, false);
	tc = pass(&s, (unsigned)threads, true);
	printf("limit: filter %.3f s; read %" PRIu64 " kept pages %.3f s (1 thread); read + %s on "
	       "%u threads %.3f s (%" PRIu64 " zero pages, %" PRIu64 " bytes stored); floor %.3f s\n",
	       tf, kept, tr, cname, (unsigned)threads, tc, s.zero, s.stored, tf + tc);
	vmcore_filter_destroy(f);
	vmcore_close(s.vc);
	free(runs);
	free(bm);
	return 0;
}
