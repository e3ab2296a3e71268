/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The shared base of every kdump library: errors, cleanup helpers, safe I/O, parsing. */
#ifndef KD_BASE_H
#define KD_BASE_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define KD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define KD_MAX(a, b) ((a) > (b) ? (a) : (b))
#define KD_ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))
#define KD_ALIGN_DOWN(x, a) ((x) / (a) * (a))
#define KD_DIV_ROUND_UP(x, d) (((x) + (d) - 1) / (d))
#define KD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define KD_UNUSED __attribute__((unused))

/*
 * An error record. Library functions return -errno and, when given a record, describe the
 * failure in it: what failed, on which object (file and offset), and where useful what to do.
 * Callers higher up may prefix context ("a kind of backtrace"). The front end prints it once.
 */
struct kd_err {
	int code;	/* negative errno of the first failure, 0 if none */
	char msg[1024];
};

/* Sets the record (if any) from a printf format; returns code (a negative errno). */
int kd_err_set(struct kd_err *err, int code, const char *fmt, ...) KD_PRINTF(3, 4);
/* Like kd_err_set, with ": strerror(-code)" appended. */
int kd_err_sys(struct kd_err *err, int code, const char *fmt, ...) KD_PRINTF(3, 4);
/* Prepends "prefix: " to the message already in the record. */
void kd_err_prefix(struct kd_err *err, const char *fmt, ...) KD_PRINTF(2, 3);
void kd_err_clear(struct kd_err *err);

/* Logging, for the front end and for debug output; libraries only use kd_debug. */
enum kd_log_level { KD_LOG_ERR, KD_LOG_WARN, KD_LOG_INFO, KD_LOG_DEBUG };
extern enum kd_log_level kd_log_max;
extern const char *kd_program;
void kd_log(enum kd_log_level lvl, const char *fmt, ...) KD_PRINTF(2, 3);
#define kd_error(...) kd_log(KD_LOG_ERR, __VA_ARGS__)
#define kd_warn(...) kd_log(KD_LOG_WARN, __VA_ARGS__)
#define kd_info(...) kd_log(KD_LOG_INFO, __VA_ARGS__)
#define kd_debug(...) kd_log(KD_LOG_DEBUG, __VA_ARGS__)

/* Cleanup helpers (__attribute__((cleanup))). */
static inline void kd_freep(void *p)
{
	free(*(void **)p);
}
static inline void kd_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void kd_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(kd_freep)
#define _cleanup_close_ _cleanup_(kd_closep)
#define _cleanup_fclose_ _cleanup_(kd_fclosep)
/* Hands a cleanup-managed pointer over to the caller. */
#define KD_TAKE_PTR(p)                                                                             \
	({                                                                                         \
		__typeof__(p) _p = (p);                                                            \
		(p) = NULL;                                                                        \
		_p;                                                                                \
	})
#define KD_TAKE_FD(fd)                                                                             \
	({                                                                                         \
		int _fd = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_fd;                                                                               \
	})

/* Allocation that fails loudly only through a NULL return; callers map it to -ENOMEM. */
void *kd_calloc(size_t n, size_t size);
char *kd_strdup(const char *s);
/* asprintf that returns NULL on failure. */
char *kd_asprintf(const char *fmt, ...) KD_PRINTF(1, 2);

/*
 * A string builder. Appends grow the buffer; an allocation failure is remembered and makes
 * the rest a no-op, so callers check once, at kd_strbuf_take. A zeroed struct is empty.
 */
struct kd_strbuf {
	char *s;	/* NUL-terminated once anything was appended */
	size_t len, cap;
	bool failed;
};
void kd_strbuf_appendf(struct kd_strbuf *b, const char *fmt, ...) KD_PRINTF(2, 3);
void kd_strbuf_append(struct kd_strbuf *b, const char *s, size_t len);
/* The built string (caller frees; "" when nothing was appended), or NULL after an allocation
 * failure. The builder is empty afterwards. */
char *kd_strbuf_take(struct kd_strbuf *b);
void kd_strbuf_deinit(struct kd_strbuf *b);

/* Overflow-checked arithmetic: true if the result does not fit. */
static inline bool kd_add_overflow(uint64_t a, uint64_t b, uint64_t *ret)
{
	return __builtin_add_overflow(a, b, ret);
}
static inline bool kd_mul_overflow(uint64_t a, uint64_t b, uint64_t *ret)
{
	return __builtin_mul_overflow(a, b, ret);
}

/*
 * Safe I/O: loops over short transfers and EINTR. The read functions return the number of
 * bytes read (less than len only at end of file) or -errno; the write functions return 0 or
 * -errno (-ENOSPC for a zero-length write).
 */
ssize_t kd_read_all(int fd, void *buf, size_t len);
ssize_t kd_pread_all(int fd, void *buf, size_t len, uint64_t off);
int kd_write_all(int fd, const void *buf, size_t len);
int kd_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

/*
 * Joins a root directory (a sysroot, "/" or NULL for the real one) and an absolute path.
 * Returns a malloc'd string or NULL.
 */
char *kd_path_at(const char *root, const char *path);

/*
 * Reads a whole small file (as under /proc, /sys, /etc) at root+path into a NUL-terminated
 * malloc'd buffer of at most max bytes; larger files are an error (-EFBIG). On success sets
 * *ret_buf (caller frees) and, if ret_len is not NULL, *ret_len.
 */
int kd_read_file_at(const char *root, const char *path, size_t max, char **ret_buf,
		    size_t *ret_len, struct kd_err *err);

/*
 * Parses an unsigned integer: the whole string (surrounding blanks and one trailing newline
 * allowed) in the given base (0: C prefixes). Returns 0 or -EINVAL / -ERANGE.
 */
int kd_parse_u64(const char *s, int base, uint64_t *ret);
int kd_parse_s64(const char *s, int base, int64_t *ret);
/* Parses a size with an optional K, M, G, T suffix (powers of 1024). */
int kd_parse_size(const char *s, uint64_t *ret);
/* Formats bytes for humans ("1.5 GiB") into buf. */
const char *kd_format_size(uint64_t bytes, char *buf, size_t len);

/* Sets bits [from, to) of a bitmap (bit i: byte i / 8, bit i % 8). */
static inline void kd_bits_set(uint8_t *bm, uint64_t from, uint64_t to)
{
	for (; from < to && from % 8; from++)
		bm[from / 8] |= (uint8_t)(1u << (from % 8));
	if (from + 8 <= to) {
		memset(bm + from / 8, 0xff, (size_t)((to - from) / 8));
		from += (to - from) / 8 * 8;
	}
	for (; from < to; from++)
		bm[from / 8] |= (uint8_t)(1u << (from % 8));
}

/* Little-endian loads and stores from byte buffers (no alignment assumed). */
static inline uint16_t kd_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}
static inline uint32_t kd_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint64_t kd_le64(const void *p)
{
	return (uint64_t)kd_le32(p) | (uint64_t)kd_le32((const uint8_t *)p + 4) << 32;
}
static inline void kd_put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}
static inline void kd_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}
static inline void kd_put_le64(void *p, uint64_t v)
{
	uint8_t *b = p;
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}
static inline uint64_t kd_be64(const void *p)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}
static inline void kd_put_be64(void *p, uint64_t v)
{
	uint8_t *b = p;
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

/* Monotonic time in seconds, for progress and phase timings. */
double kd_now(void);

/* ---- a tiny JSON writer (base/json.c) ---- */
#define KD_JSON_MAX_DEPTH 16

/*
 * Writes one JSON value, pretty-printed (two-space indent), to a stdio stream. Keys are given
 * with each member (NULL inside arrays and for the top value). Strings may hold any bytes:
 * quote, backslash and control characters are escaped, and every byte >= 0x80 is written as
 * \u00XX (read as Latin-1), so the output is ASCII and always valid JSON whatever the dump
 * holds. Nesting deeper than KD_JSON_MAX_DEPTH is ignored (a programming error).
 */
struct kd_json {
	FILE *f;
	int depth;
	bool need_comma[KD_JSON_MAX_DEPTH + 1];
};

void kd_json_init(struct kd_json *j, FILE *f);
void kd_json_begin_object(struct kd_json *j, const char *key);
void kd_json_end_object(struct kd_json *j);
void kd_json_begin_array(struct kd_json *j, const char *key);
void kd_json_end_array(struct kd_json *j);
/* s == NULL writes null. */
void kd_json_string(struct kd_json *j, const char *key, const char *s);
void kd_json_string_n(struct kd_json *j, const char *key, const char *s, size_t len);
void kd_json_u64(struct kd_json *j, const char *key, uint64_t v);
void kd_json_s64(struct kd_json *j, const char *key, int64_t v);
void kd_json_bool(struct kd_json *j, const char *key, bool v);
void kd_json_null(struct kd_json *j, const char *key);
/* Ends the document (a newline after the top value). */
void kd_json_finish(struct kd_json *j);

#endif
