/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test support: temporary files, fixture paths and cmocka includes. */
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
/* Fails the test (in CI) or skips it with a message when a resource is missing. */
void tu_skip_or_fail(const char *why);

#endif
