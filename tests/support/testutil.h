/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test support: temporary files, fixture paths, file and digest helpers, cmocka includes. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A new temporary directory (removed at exit with its files); returns its path. */
const char *tu_tmpdir(void);
/* tu_tmpdir()/name, in a static rotating buffer. */
const char *tu_tmp(const char *name);
/*
 * Path of a decompressed shared fixture vmcore ("x86_64-6.1-1G"), or NULL if missing
 * (KD_FIXTURES unset). Tests needing it skip outside CI and fail in CI.
 */
const char *tu_fixture_vmcore(const char *name);
/* Path of a file of the shared fixture (SHARED/fixtures/name/file). */
const char *tu_fixture_file(const char *name, const char *file);
/* Reads a whole file into a malloc'd buffer; aborts the test on error. */
uint8_t *tu_read_file(const char *path, size_t *ret_len);
/* Creates or replaces path (mode 0644) with len bytes of buf; aborts the test on error. */
void tu_write_file(const char *path, const void *buf, size_t len);
/* The same with a NUL-terminated text. */
void tu_write_text(const char *path, const char *text);
/* The SHA-256 of len bytes of data (base/sha256.c), as 64 hex digits and a NUL in out. */
void tu_sha256_hex(const void *data, size_t len, char out[65]);
/* Fails the test (in CI) or skips it with a message when a resource is missing. */
void tu_skip_or_fail(const char *why);

#endif
