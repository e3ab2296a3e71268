/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tiny JSON writer for the front end: objects, arrays, escaped strings, numbers. */
#ifndef KD_JSON_H
#define KD_JSON_H

#include "kdump/base.h"

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
