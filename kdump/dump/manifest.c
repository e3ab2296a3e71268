// SPDX-License-Identifier: GPL-2.0-or-later
/* Dump integrity manifests: compute, write, parse and verify DUMP.sha256 (see dump.h). */
#include "kdump/dump/dump.h"
#include "base/sha256.h"

#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#define MANIFEST_MAX_TEXT (64u << 20)
#define MANIFEST_MAX_SIZE (1ULL << 50)
#define READ_CHUNK (1u << 20)

void kd_manifest_deinit(struct kd_manifest *m)
{
	if (!m)
		return;
	free(m->blocks);
	m->blocks = NULL;
}

void kd_manifest_hex(const uint8_t d[32], char out[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[64] = '\0';
}

static int unhex(const char *s, size_t len, uint8_t d[32])
{
	if (len != 64)
		return -EINVAL;
	for (int i = 0; i < 64; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0)
			return -EINVAL;
		if (i & 1)
			d[i / 2] |= (uint8_t)v;
		else
			d[i / 2] = (uint8_t)(v << 4);
	}
	return 0;
}

/* Hashes fd from offset 0 to its end; block digests into m->blocks (allocated here). */
int kd_manifest_compute(int fd, const char *name, struct kd_manifest *ret, struct kd_err *err)
{
	struct kd_manifest m = { .block_size = KD_MANIFEST_BLOCK };
	struct kd_sha256 whole, block;
	_cleanup_free_ uint8_t *buf = NULL;
	struct stat st;
	uint64_t off = 0;

	if (fstat(fd, &st) < 0)
		return kd_err_sys(err, -errno, "cannot stat %s", name);
	m.size = (uint64_t)st.st_size;
	m.nr_blocks = KD_DIV_ROUND_UP(m.size, (uint64_t)m.block_size);
	snprintf(m.name, sizeof(m.name), "%s", name);
	buf = malloc(READ_CHUNK);
	m.blocks = kd_calloc(m.nr_blocks ? m.nr_blocks : 1, sizeof(*m.blocks));
	if (!buf || !m.blocks) {
		free(m.blocks);
		return kd_err_set(err, -ENOMEM, "out of memory hashing %s", name);
	}
	kd_sha256_init(&whole);
	for (uint64_t b = 0; b < m.nr_blocks; b++) {
		uint64_t left = KD_MIN((uint64_t)m.block_size, m.size - off);

		kd_sha256_init(&block);
		while (left) {
			size_t want = (size_t)KD_MIN(left, (uint64_t)READ_CHUNK);
			ssize_t n = kd_pread_all(fd, buf, want, off);

			if (n != (ssize_t)want) {
				free(m.blocks);
				return kd_err_set(err, n < 0 ? (int)n : -EIO, "cannot read %s at offset "
						  "0x%" PRIx64 ": %s", name, off,
						  n < 0 ? strerror((int)-n) : "file shrank");
			}
			kd_sha256_update(&whole, buf, want);
			kd_sha256_update(&block, buf, want);
			off += want;
			left -= want;
		}
		kd_sha256_final(&block, m.blocks[b]);
	}
	kd_sha256_final(&whole, m.sha256);
	*ret = m;
	return 0;
}

int kd_manifest_format(const struct kd_manifest *m, char **ret, size_t *ret_len)
{
	size_t cap = 256 + strlen(m->name) + m->nr_blocks * 96, len;
	char *s = malloc(cap), h[65];

	if (!s)
		return -ENOMEM;
	kd_manifest_hex(m->sha256, h);
	len = (size_t)snprintf(s, cap, "%s  %s\n# kdump-manifest %d\n# size %" PRIu64
			       "\n# block-size %" PRIu32 "\n", h, m->name, KD_MANIFEST_VERSION,
			       m->size, m->block_size);
	for (uint64_t b = 0; b < m->nr_blocks; b++) {
		kd_manifest_hex(m->blocks[b], h);
		len += (size_t)snprintf(s + len, cap - len, "# block %" PRIu64 " %s\n", b, h);
	}
	*ret = s;
	*ret_len = len;
	return 0;
}

/* Splits "WORD REST": the word and where the rest starts (NULL if none). */
static const char *word(const char *p, const char *end, size_t *ret_len)
{
	const char *w = p;

	while (w < end && *w != ' ')
		w++;
	*ret_len = (size_t)(w - p);
	return w < end ? w + 1 : NULL;
}

static int parse_u64_n(const char *s, size_t len, uint64_t *ret)
{
	char buf[32];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return kd_parse_u64(buf, 10, ret);
}

int kd_manifest_parse(const char *text, size_t len, const char *path, struct kd_manifest *ret,
		      struct kd_err *err)
{
	struct kd_manifest m = { 0 };
	const char *p = text, *end = text + len;
	bool have_sum = false, have_version = false, have_size = false, have_bs = false;
	uint64_t seen = 0, lineno = 0;
	int r = -EINVAL;

	if (len > MANIFEST_MAX_TEXT)
		return kd_err_set(err, -EFBIG, "%s: more than %u bytes: not a manifest", path,
				  MANIFEST_MAX_TEXT);
#define BAD(...)                                                                                   \
	do {                                                                                       \
		kd_err_set(err, -EBADMSG, __VA_ARGS__);                                            \
		r = -EBADMSG;                                                                      \
		goto fail;                                                                         \
	} while (0)
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *rest, *v;
		size_t llen, wl, vl;
		uint64_t a, b;

		if (!nl)
			nl = end;
		llen = (size_t)(nl - p);
		lineno++;
		if (memchr(p, '\0', llen))
			BAD("%s:%" PRIu64 ": a NUL byte", path, lineno);
		if (!have_sum) {
			/* "HEX  NAME" (sha256sum's text mode; "HEX *NAME" is its binary mode). */
			if (llen < 67 || p[64] != ' ' || (p[65] != ' ' && p[65] != '*') ||
			    unhex(p, 64, m.sha256) < 0)
				BAD("%s:%" PRIu64 ": expected \"SHA256  NAME\" first: not a kdump "
				    "manifest", path, lineno);
			if (llen - 66 >= sizeof(m.name))
				BAD("%s:%" PRIu64 ": file name too long", path, lineno);
			memcpy(m.name, p + 66, llen - 66);
			m.name[llen - 66] = '\0';
			have_sum = true;
		} else if (llen == 0) {
			/* an empty line (a trailing one) */
		} else if (llen < 2 || p[0] != '#' || p[1] != ' ') {
			BAD("%s:%" PRIu64 ": expected \"# KEY VALUE\"", path, lineno);
		} else {
			v = word(p + 2, nl, &wl);
			rest = v ? word(v, nl, &vl) : NULL;
			if (!v)
				BAD("%s:%" PRIu64 ": a key without value", path, lineno);
			if (wl == 14 && memcmp(p + 2, "kdump-manifest", 14) == 0) {
				if (rest || parse_u64_n(v, vl, &a) < 0 || a != KD_MANIFEST_VERSION)
					BAD("%s:%" PRIu64 ": manifest version \"%.*s\" is not %d",
					    path, lineno, (int)KD_MIN(vl, 20), v,
					    KD_MANIFEST_VERSION);
				have_version = true;
			} else if (wl == 4 && memcmp(p + 2, "size", 4) == 0) {
				if (have_size || rest || parse_u64_n(v, vl, &a) < 0 ||
				    a > MANIFEST_MAX_SIZE)
					BAD("%s:%" PRIu64 ": bad size", path, lineno);
				m.size = a;
				have_size = true;
			} else if (wl == 10 && memcmp(p + 2, "block-size", 10) == 0) {
				if (have_bs || rest || parse_u64_n(v, vl, &a) < 0 || a < 4096 ||
				    a > (1u << 30) || (a & (a - 1)))
					BAD("%s:%" PRIu64 ": bad block size (a power of two from "
					    "4 KiB to 1 GiB)", path, lineno);
				m.block_size = (uint32_t)a;
				have_bs = true;
			} else if (wl == 5 && memcmp(p + 2, "block", 5) == 0) {
				const char *h;
				size_t hl;

				if (!have_size || !have_bs)
					BAD("%s:%" PRIu64 ": a block before size and block-size",
					    path, lineno);
				if (!m.blocks) {
					m.nr_blocks = KD_DIV_ROUND_UP(m.size, (uint64_t)m.block_size);
					/* Each digest takes a line: size the table by the text. */
					if (m.nr_blocks > len / 72 + 1)
						BAD("%s: %" PRIu64 " blocks of %" PRIu32 " bytes cannot "
						    "have their digests in %zu bytes of text", path,
						    m.nr_blocks, m.block_size, len);
					m.blocks = kd_calloc(m.nr_blocks ? m.nr_blocks : 1,
							     sizeof(*m.blocks));
					if (!m.blocks) {
						r = kd_err_set(err, -ENOMEM, "out of memory");
						goto fail;
					}
				}
				h = rest ? word(rest, nl, &hl) : NULL;
				if (!rest || h || parse_u64_n(v, vl, &b) < 0 || b != seen ||
				    b >= m.nr_blocks || unhex(rest, (size_t)(nl - rest), m.blocks[b]) < 0)
					BAD("%s:%" PRIu64 ": expected \"# block %" PRIu64 " SHA256\"",
					    path, lineno, seen);
				seen++;
			} else {
				BAD("%s:%" PRIu64 ": unknown key \"%.*s\"", path, lineno,
				    (int)KD_MIN(wl, 40), p + 2);
			}
		}
		p = nl + 1;
	}
	if (!have_sum || !have_version || !have_size || !have_bs)
		BAD("%s: incomplete manifest (needs the digest line, kdump-manifest, size and "
		    "block-size)", path);
	m.nr_blocks = KD_DIV_ROUND_UP(m.size, (uint64_t)m.block_size);
	if (seen != m.nr_blocks)
		BAD("%s: %" PRIu64 " block digests for %" PRIu64 " blocks", path, seen, m.nr_blocks);
#undef BAD
	*ret = m;
	return 0;
fail:
	free(m.blocks);
	return r;
}

int kd_manifest_save(const struct kd_manifest *m, const char *out, struct kd_err *err)
{
	_cleanup_free_ char *tmp = NULL, *text = NULL;
	size_t len;
	int r, wfd;

	r = kd_manifest_format(m, &text, &len);
	if (r < 0)
		return kd_err_set(err, r, "out of memory");
	tmp = kd_asprintf("%s.tmp-%d", out, (int)getpid());
	if (!tmp)
		return kd_err_set(err, -ENOMEM, "out of memory");
	wfd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (wfd < 0)
		return kd_err_sys(err, -errno, "cannot create %s", tmp);
	r = kd_write_all(wfd, text, len);
	if (r == 0 && fsync(wfd) < 0)
		r = -errno;
	if (close(wfd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, out) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return kd_err_sys(err, r, "cannot write %s", out);
	}
	return 0;
}

int kd_manifest_write(const char *dump, struct kd_err *err)
{
	_cleanup_free_ char *copy = kd_strdup(dump), *out = kd_asprintf("%s.sha256", dump);
	_cleanup_close_ int fd = -1;
	struct kd_manifest m;
	int r;

	if (!copy || !out)
		return kd_err_set(err, -ENOMEM, "out of memory");
	fd = open(dump, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s", dump);
	r = kd_manifest_compute(fd, basename(copy), &m, err);
	if (r < 0)
		return r;
	r = kd_manifest_save(&m, out, err);
	kd_manifest_deinit(&m);
	return r;
}

void kd_manifest_hasher_init(struct kd_manifest_hasher *h, const char *name)
{
	memset(h, 0, sizeof(*h));
	h->m.block_size = KD_MANIFEST_BLOCK;
	snprintf(h->m.name, sizeof(h->m.name), "%s", name);
	kd_sha256_init(&h->whole);
	kd_sha256_init(&h->block);
}

/* Closes the current block into the table, growing it by doubling. */
static int hasher_close_block(struct kd_manifest_hasher *h)
{
	if (h->m.nr_blocks == h->cap_blocks) {
		uint64_t cap = h->cap_blocks ? 2 * h->cap_blocks : 64;
		void *p;

		if (cap > MANIFEST_MAX_SIZE / KD_MANIFEST_BLOCK)
			return -EFBIG;
		p = realloc(h->m.blocks, (size_t)cap * sizeof(*h->m.blocks));
		if (!p)
			return -ENOMEM;
		h->m.blocks = p;
		h->cap_blocks = cap;
	}
	kd_sha256_final(&h->block, h->m.blocks[h->m.nr_blocks++]);
	kd_sha256_init(&h->block);
	h->in_block = 0;
	return 0;
}

int kd_manifest_hasher_update(struct kd_manifest_hasher *h, const void *data, size_t len)
{
	const uint8_t *p = data;

	kd_sha256_update(&h->whole, p, len);
	h->m.size += len;
	while (len) {
		size_t n = KD_MIN(len, (size_t)(h->m.block_size - h->in_block));
		int r;

		kd_sha256_update(&h->block, p, n);
		h->in_block += (uint32_t)n;
		p += n;
		len -= n;
		if (h->in_block == h->m.block_size) {
			r = hasher_close_block(h);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int kd_manifest_hasher_finish(struct kd_manifest_hasher *h, struct kd_manifest *ret)
{
	int r;

	if (h->in_block) {
		r = hasher_close_block(h);
		if (r < 0) {
			kd_manifest_hasher_abort(h);
			return r;
		}
	}
	kd_sha256_final(&h->whole, h->m.sha256);
	*ret = h->m;
	h->m.blocks = NULL;
	return 0;
}

void kd_manifest_hasher_abort(struct kd_manifest_hasher *h)
{
	free(h->m.blocks);
	h->m.blocks = NULL;
}

struct relay {
	struct kd_manifest_hasher h;
	int in, out;
	int error;		/* -errno of the hashing or of a write to out */
	uint64_t written;
};

static void *relay_thread(void *arg)
{
	struct relay *rl = arg;
	uint8_t *buf = malloc(READ_CHUNK);

	if (!buf)
		rl->error = -ENOMEM;
	while (buf) {
		ssize_t n = read(rl->in, buf, READ_CHUNK);
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rl->error = n < 0 ? -errno : 0;
			break;
		}
		r = kd_manifest_hasher_update(&rl->h, buf, (size_t)n);
		if (r == 0)
			r = kd_write_all(rl->out, buf, (size_t)n);
		if (r < 0) {
			rl->error = r;
			break;
		}
		rl->written += (uint64_t)n;
	}
	free(buf);
	/* The producer must not block on a pipe nobody reads: its writes now fail (EPIPE). */
	close(rl->in);
	rl->in = -1;
	return NULL;
}

int kd_manifest_relay(int out, int (*produce)(int fd, void *ctx), void *ctx, const char *name,
		      struct kd_manifest *ret, struct kd_err *err)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct relay rl = { .out = out };
	pthread_t th;
	int p[2], r, pr;

	if (pipe2(p, O_CLOEXEC) < 0)
		return kd_err_sys(err, -errno, "pipe failed");
	kd_manifest_hasher_init(&rl.h, name);
	rl.in = p[0];
	sigaction(SIGPIPE, &ign, &old);
	r = pthread_create(&th, NULL, relay_thread, &rl);
	if (r != 0) {
		sigaction(SIGPIPE, &old, NULL);
		close(p[0]);
		close(p[1]);
		return kd_err_sys(err, -r, "cannot start the hashing thread");
	}
	pr = produce(p[1], ctx);
	close(p[1]);
	pthread_join(th, NULL);
	sigaction(SIGPIPE, &old, NULL);
	if (rl.error < 0) { /* the cause of the producer's failure too, if it failed */
		kd_manifest_hasher_abort(&rl.h);
		return kd_err_sys(err, rl.error, "%s: passing the stream on failed after %" PRIu64
				  " bytes", name, rl.written);
	}
	if (pr < 0) {
		kd_manifest_hasher_abort(&rl.h);
		return err && err->code ? err->code : kd_err_set(err, pr, "writing %s failed", name);
	}
	r = kd_manifest_hasher_finish(&rl.h, ret);
	if (r < 0)
		return kd_err_set(err, r, "%s: no room for the block digests", name);
	return 0;
}

int kd_manifest_verify(const char *dump, const char *manifest, struct kd_verify *ret,
		       struct kd_err *err)
{
	_cleanup_free_ char *mpath = manifest ? kd_strdup(manifest) : kd_asprintf("%s.sha256", dump);
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	struct kd_manifest want, got;
	struct kd_verify v = { 0 };
	size_t len;
	int r;

	if (!mpath)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = kd_read_file_at(NULL, mpath, MANIFEST_MAX_TEXT, &text, &len, err);
	if (r < 0)
		return r == -ENOENT ? kd_err_set(err, r, "%s has no manifest (%s is missing)", dump,
						 mpath) : r;
	r = kd_manifest_parse(text, len, mpath, &want, err);
	if (r < 0)
		return r;
	fd = open(dump, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kd_manifest_deinit(&want);
		return kd_err_sys(err, -errno, "cannot open %s", dump);
	}
	r = kd_manifest_compute(fd, dump, &got, err);
	if (r < 0) {
		kd_manifest_deinit(&want);
		return r;
	}
	v.size = got.size;
	v.size_differs = got.size != want.size;
	v.whole_ok = !v.size_differs && memcmp(got.sha256, want.sha256, 32) == 0;
	for (uint64_t b = 0; b < KD_MAX(got.nr_blocks, want.nr_blocks); b++) {
		bool same = b < got.nr_blocks && b < want.nr_blocks && got.block_size ==
			    want.block_size && memcmp(got.blocks[b], want.blocks[b], 32) == 0;

		v.blocks_checked++;
		if (!same && !v.bad_blocks++)
			v.first_bad = b;
	}
	r = 0;
	if (v.size_differs) {
		uint64_t off = v.first_bad * want.block_size;
		r = kd_err_set(err, -EBADMSG, "%s is %" PRIu64 " bytes, %s says %" PRIu64 " (%s); "
			       "the first differing block is %" PRIu64 " at offset 0x%" PRIx64, dump,
			       got.size, mpath, want.size, got.size < want.size ? "cut short" :
			       "grown", v.first_bad, off);
	} else if (v.bad_blocks || !v.whole_ok) {
		uint64_t off = v.first_bad * want.block_size;
		r = kd_err_set(err, -EBADMSG, "%s: block %" PRIu64 " (bytes 0x%" PRIx64 "-0x%" PRIx64
			       ") differs from %s; %" PRIu64 " of %" PRIu64 " blocks differ", dump,
			       v.first_bad, off, KD_MIN(off + want.block_size, v.size) - 1, mpath,
			       v.bad_blocks, v.blocks_checked);
	}
	kd_manifest_deinit(&want);
	kd_manifest_deinit(&got);
	if (ret)
		*ret = v;
	return r;
}
