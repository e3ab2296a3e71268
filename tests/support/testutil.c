// SPDX-License-Identifier: GPL-2.0-or-later
/* Test support: temporary files, fixture paths, file and digest helpers. */
#include "testutil.h"
#include "base/base.h"
#include "base/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[PATH_MAX];

static void rm_tmpdir(void)
{
	char cmd[PATH_MAX + 16];

	if (tmpdir[0] && !getenv("KD_KEEP_TMP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
}

const char *tu_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(tmpdir, sizeof(tmpdir), "%s/kdtest.XXXXXX", base ? base : "/tmp");
		if (!mkdtemp(tmpdir))
			abort();
		atexit(rm_tmpdir);
	}
	return tmpdir;
}

const char *tu_tmp(const char *name)
{
	static char buf[8][PATH_MAX];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tu_tmpdir(), name);
	return buf[i];
}

const char *tu_fixture_vmcore(const char *name)
{
	static char buf[4][PATH_MAX];
	static int i;
	const char *dir = getenv("KD_FIXTURES");
	struct stat st;

	if (!dir)
		dir = "build/fixtures";
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s/vmcore.elf", dir, name);
	return stat(buf[i], &st) == 0 ? buf[i] : NULL;
}

const char *tu_fixture_file(const char *name, const char *file)
{
	static char buf[4][PATH_MAX];
	static int i;
	const char *dir = getenv("SHARED");

	if (!dir)
		dir = "../shared";
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/fixtures/%s/%s", dir, name, file);
	return buf[i];
}

uint8_t *tu_read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	if (ret_len)
		*ret_len = (size_t)n;
	return buf;
}

void tu_write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), r;

	if (fd < 0)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	r = kd_write_all(fd, buf, len);
	close(fd);
	if (r < 0)
		fail_msg("cannot write %s: %s", path, strerror(-r));
}

void tu_write_text(const char *path, const char *text)
{
	tu_write_file(path, text, strlen(text));
}

void tu_sha256_hex(const void *data, size_t len, char out[65])
{
	struct kd_sha256 c;
	uint8_t d[32];

	kd_sha256_init(&c);
	kd_sha256_update(&c, data, len);
	kd_sha256_final(&c, d);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void tu_skip_or_fail(const char *why)
{
	const char *ci = getenv("CI");

	if (ci && strcmp(ci, "true") == 0)
		fail_msg("%s (required in CI)", why);
	print_message("skipped: %s\n", why);
	skip();
}
