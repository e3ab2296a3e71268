// SPDX-License-Identifier: GPL-2.0-or-later
/* The shared base: error records, logging, safe I/O, small parsers. */
#include "base/base.h"

#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <time.h>

enum kd_log_level kd_log_max = KD_LOG_INFO;
const char *kd_program = "kdump";

static void KD_PRINTF(3, 0) err_vset(struct kd_err *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int kd_err_set(struct kd_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int kd_err_sys(struct kd_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return code;
	va_start(ap, fmt);
	err_vset(err, code, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(code < 0 ? -code : code));
	return code;
}

void kd_err_prefix(struct kd_err *err, const char *fmt, ...)
{
	char pre[512], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", pre, old);
}

void kd_err_clear(struct kd_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

void kd_log(enum kd_log_level lvl, const char *fmt, ...)
{
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };
	va_list ap;

	if (lvl > kd_log_max)
		return;
	fprintf(stderr, "%s: %s", kd_program, tag[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void *kd_calloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

char *kd_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *kd_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

ssize_t kd_read_all(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = read(fd, (char *)buf + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

ssize_t kd_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	if (off > (uint64_t)INT64_MAX)
		return -EINVAL;
	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int kd_write_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = write(fd, (const char *)buf + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ENOSPC;
		done += (size_t)r;
	}
	return 0;
}

int kd_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	if (off > (uint64_t)INT64_MAX)
		return -EINVAL;
	while (done < len) {
		ssize_t r = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ENOSPC;
		done += (size_t)r;
	}
	return 0;
}

char *kd_path_at(const char *root, const char *path)
{
	if (!root || !*root || strcmp(root, "/") == 0)
		return kd_strdup(path);
	while (*path == '/')
		path++;
	return kd_asprintf("%s%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/", path);
}

int kd_read_file_at(const char *root, const char *path, size_t max, char **ret_buf,
		    size_t *ret_len, struct kd_err *err)
{
	_cleanup_free_ char *full = kd_path_at(root, path);
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (!full)
		return kd_err_set(err, -ENOMEM, "out of memory");
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s", full);
	buf = malloc(max + 2);
	if (!buf)
		return kd_err_set(err, -ENOMEM, "out of memory reading %s", full);
	n = kd_read_all(fd, buf, max + 1);
	if (n < 0)
		return kd_err_sys(err, (int)n, "cannot read %s", full);
	if ((size_t)n > max)
		return kd_err_set(err, -EFBIG, "%s is larger than %zu bytes", full, max);
	buf[n] = '\0';
	if (ret_len)
		*ret_len = (size_t)n;
	*ret_buf = KD_TAKE_PTR(buf);
	return 0;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int check_tail(const char *end)
{
	end = skip_blanks(end);
	if (*end == '\n')
		end++;
	return *end ? -EINVAL : 0;
}

int kd_parse_u64(const char *s, int base, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	s = skip_blanks(s);
	if (!isxdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno)
		return -errno;
	if (end == s || check_tail(end))
		return -EINVAL;
	*ret = v;
	return 0;
}

int kd_parse_s64(const char *s, int base, int64_t *ret)
{
	long long v;
	char *end;

	s = skip_blanks(s);
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno)
		return -errno;
	if (end == s || check_tail(end))
		return -EINVAL;
	*ret = v;
	return 0;
}

int kd_parse_size(const char *s, uint64_t *ret)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	s = skip_blanks(s);
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -errno;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && (*end == 'i' || *end == 'I') && (end[1] == 'B' || end[1] == 'b'))
		end += 2;
	else if (shift && (*end == 'B' || *end == 'b'))
		end++;
	if (check_tail(end))
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret = (uint64_t)v << shift;
	return 0;
}

const char *kd_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	unsigned i = 0;

	while (v >= 1024 && i + 1 < KD_ARRAY_SIZE(unit)) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, unit[i]);
	return buf;
}

double kd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void kd_strbuf_append(struct kd_strbuf *b, const char *s, size_t len)
{
	size_t need;

	if (b->failed)
		return;
	if (__builtin_add_overflow(b->len, len, &need) || need >= SIZE_MAX / 2) {
		b->failed = true;
		return;
	}
	need++; /* the NUL */
	if (need > b->cap) {
		size_t cap = KD_MAX(need, b->cap ? b->cap * 2 : 64);
		char *n = realloc(b->s, cap);
		if (!n) {
			b->failed = true;
			return;
		}
		b->s = n;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void kd_strbuf_appendf(struct kd_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	kd_strbuf_append(b, s, (size_t)n);
	free(s);
}

char *kd_strbuf_take(struct kd_strbuf *b)
{
	char *s = b->failed ? NULL : b->s ? b->s : kd_strdup("");

	if (b->failed)
		free(b->s);
	*b = (struct kd_strbuf){ 0 };
	return s;
}

void kd_strbuf_deinit(struct kd_strbuf *b)
{
	free(b->s);
	*b = (struct kd_strbuf){ 0 };
}
