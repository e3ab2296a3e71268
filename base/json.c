// SPDX-License-Identifier: GPL-2.0-or-later
/* A tiny JSON writer for the front end (declared in base.h). */
#include "base/base.h"

#include <inttypes.h>

void kd_json_init(struct kd_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

static void put_escaped(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c >= 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

/* The separator, indent and key before a value. */
static void member(struct kd_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	if (j->depth > 0) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	if (key && j->depth > 0) {
		put_escaped(j->f, key, strlen(key));
		fputs(": ", j->f);
	}
	j->need_comma[j->depth] = true;
}

static void open_(struct kd_json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth < KD_JSON_MAX_DEPTH) {
		j->depth++;
		j->need_comma[j->depth] = false;
	}
}

static void close_(struct kd_json *j, char c)
{
	bool had = j->need_comma[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
}

void kd_json_begin_object(struct kd_json *j, const char *key)
{
	open_(j, key, '{');
}

void kd_json_end_object(struct kd_json *j)
{
	close_(j, '}');
}

void kd_json_begin_array(struct kd_json *j, const char *key)
{
	open_(j, key, '[');
}

void kd_json_end_array(struct kd_json *j)
{
	close_(j, ']');
}

void kd_json_string_n(struct kd_json *j, const char *key, const char *s, size_t len)
{
	member(j, key);
	put_escaped(j->f, s, len);
}

void kd_json_string(struct kd_json *j, const char *key, const char *s)
{
	if (!s) {
		kd_json_null(j, key);
		return;
	}
	kd_json_string_n(j, key, s, strlen(s));
}

void kd_json_u64(struct kd_json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void kd_json_s64(struct kd_json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void kd_json_bool(struct kd_json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void kd_json_null(struct kd_json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void kd_json_finish(struct kd_json *j)
{
	fputc('\n', j->f);
}
