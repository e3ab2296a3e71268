// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-limit VMCORE LEVEL COMP THREADS: the floor under any capture of VMCORE at LEVEL with
 * compressor COMP (l, c, z or n), for make bench. It decides the pages (the filter, once),
 * then times, with nothing written:
 *   read     every byte of the kept pages, one thread, through 1 MiB mmap windows (as the
 *            capture reads); also with pread(2) into a buffer, for comparison;
 *   compress the kept pages on THREADS threads: read (mmap), zero check, compress each
 *            non-zero page with COMP, as the capture's workers do.
 * The floor is filter + compress: a capture does at least that, and then writes.
 * With --floor first, it opens, filters and compresses only (no read passes before, which
 * would leave the kept pages in the CPU's caches), for make bench to time as a process, as
 * it times the tools: start, open and exit included.
 */
#include "vmcore/writer.h"

#include <inttypes.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define RUN_MAX 256u		/* pages per run (read at once) */
#define MAP_WINDOW (1u << 20)	/* the capture's mmap window */

struct run {
	uint64_t off, n;
};

enum mode { READ_MMAP, READ_PREAD, COMPRESS };

struct shared {
	struct vmcore *vc;
	const struct vmcore_compressor *comp;
	const struct run *runs;
	size_t nruns;
	size_t next;
	pthread_mutex_t mu;
	enum mode mode;
	uint64_t zero, stored, sum;
};

struct win {
	const uint8_t *map;
	uint64_t off, len;
};

/* The bytes [off, off + len) of the vmcore through a reused 1 MiB mapping. */
static const uint8_t *win_get(struct win *w, int fd, uint64_t off, uint64_t len, uint64_t fsize)
{
	uint64_t start = off & ~(uint64_t)4095, stop;
	void *m;

	if (w->map && off >= w->off && off + len <= w->off + w->len)
		return w->map + (off - w->off);
	if (w->map)
		munmap((void *)w->map, w->len);
	stop = KD_MAX(KD_MIN(start + MAP_WINDOW, KD_ALIGN_UP(fsize, 4096)),
		      KD_ALIGN_UP(off + len, 4096));
	m = mmap(NULL, stop - start, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, (off_t)start);
	if (m == MAP_FAILED) {
		perror("bench-limit: mmap");
		exit(1);
	}
	w->map = m;
	w->off = start;
	w->len = stop - start;
	return w->map + (off - start);
}

/* Reads every byte (an XOR of all words, so that nothing is skipped or optimised out). */
static uint64_t touch(const uint8_t *p, size_t len)
{
	uint64_t acc = 0, v;

	for (size_t i = 0; i + 8 <= len; i += 8) {
		memcpy(&v, p + i, 8);
		acc ^= v;
	}
	return acc;
}

static void *worker(void *arg)
{
	struct shared *s = arg;
	uint32_t ps = vmcore_page_size(s->vc);
	int fd = vmcore_fd(s->vc);
	uint64_t fsize = vmcore_file_size(s->vc);
	size_t cap = s->comp->bound(ps) + ps;
	uint8_t *buf = malloc((size_t)RUN_MAX * ps);
	uint8_t *out = malloc(cap);
	void *ctx = s->comp->create();
	uint64_t zero = 0, stored = 0, sum = 0;
	struct win w = { 0 };

	if (!buf || !out || !ctx)
		abort();
	for (;;) {
		const struct run *r;
		const uint8_t *src;
		size_t i;

		pthread_mutex_lock(&s->mu);
		i = s->next++;
		pthread_mutex_unlock(&s->mu);
		if (i >= s->nruns)
			break;
		r = &s->runs[i];
		if (s->mode == READ_PREAD) {
			if (kd_pread_all(fd, buf, r->n * ps, r->off) != (ssize_t)(r->n * ps))
				abort();
			sum ^= touch(buf, 8);
			continue;
		}
		src = win_get(&w, fd, r->off, r->n * ps, fsize);
		if (s->mode == READ_MMAP) {
			sum ^= touch(src, r->n * ps);
			continue;
		}
		for (uint64_t p = 0; p < r->n; p++) {
			const uint8_t *pg = src + p * ps;
			size_t len;
			uint32_t flag;

			if (cap_is_zero(pg, ps)) {
				zero++;
				continue;
			}
			vmcore_compress_page(s->comp, ctx, pg, ps, out, cap, &len, &flag);
			stored += len;
		}
	}
	pthread_mutex_lock(&s->mu);
	s->zero += zero;
	s->stored += stored;
	s->sum ^= sum;
	pthread_mutex_unlock(&s->mu);
	if (w.map)
		munmap((void *)w.map, w.len);
	s->comp->destroy(ctx);
	free(buf);
	free(out);
	return NULL;
}

/* CPU time (user + system) of the whole process so far. */
static double cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static double pass(struct shared *s, unsigned threads, enum mode mode)
{
	pthread_t tid[64];
	double t0 = kd_now();

	s->next = 0;
	s->mode = mode;
	s->zero = s->stored = 0;
	for (unsigned i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, worker, s) != 0)
			abort();
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
	double t0, c0, tf, cf, tr = 0, tp = 0, tc, cc;
	bool floor_only = argc > 1 && !strcmp(argv[1], "--floor");

	if (floor_only) {
		argc--;
		argv++;
	}
	if (argc != 5 || kd_parse_u64(argv[2], 10, &level) < 0 ||
	    kd_parse_u64(argv[4], 10, &threads) < 0 || threads < 1 || threads > 64) {
		fprintf(stderr, "usage: bench-limit [--floor] VMCORE LEVEL l|c|z|n THREADS\n");
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
	c0 = cpu_now();
	if (vmcore_filter_create_threads(s.vc, (unsigned)level, (unsigned)threads, &f, &warning,
					 &err) < 0) {
		fprintf(stderr, "bench-limit: %s\n", err.msg);
		return 1;
	}
	max = vmcore_max_pfn(s.vc);
	bm = malloc(win / 8);
	if (!bm)
		return 1;
	for (uint64_t start = 0; start < max; start += win) {
		uint64_t end = KD_MIN(start + win, max);

		memset(bm, 0, win / 8);
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
	cf = cpu_now() - c0;
	s.runs = runs;
	s.nruns = nruns;
	if (!floor_only) {
		tr = pass(&s, 1, READ_MMAP);
		tp = pass(&s, 1, READ_PREAD);
	}
	c0 = cpu_now();
	tc = pass(&s, (unsigned)threads, COMPRESS);
	cc = cpu_now() - c0;
	if (!floor_only)
		printf("limit: filter %.3f s; read %" PRIu64 " kept pages %.3f s (1 thread, mmap; pread "
	       "%.3f s); read + zero check + %s on %u threads %.3f s (%" PRIu64 " zero pages, %"
	       PRIu64 " bytes stored)\n", tf, kept, tr, tp, cname, (unsigned)threads, tc, s.zero,
	       s.stored);
	/* Parsed by scripts/bench. */
	printf("floor: wall %.4f s cpu %.3f s\n", tf + tc, cf + cc);
	vmcore_filter_destroy(f);
	vmcore_close(s.vc);
	free(runs);
	free(bm);
	return 0;
}
