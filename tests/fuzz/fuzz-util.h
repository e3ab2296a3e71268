/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz support: a reusable in-memory file for inputs that readers open by path. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include "base/base.h"

#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message (the fuzzer reports it as a crash) when an invariant breaks. */
static inline void fz_check(bool ok, const char *target, const char *what)
{
	if (!ok) {
		fprintf(stderr, "%s: invariant broken: %s\n", target, what);
		abort();
	}
}

/* One memfd per process, emptied for each input; its /proc/self/fd path. */
static inline const char *fz_path(void)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0)
		abort();
	return path;
}

/* The input as a file (the memfd of fz_path). */
static inline const char *fz_file(const uint8_t *data, size_t size)
{
	const char *path = fz_path();
	int fd = atoi(path + strlen("/proc/self/fd/"));

	if (kd_pwrite_all(fd, data, size, 0) < 0)
		abort();
	return path;
}

/* Errors must say something and name the file they are about. */
static inline void fz_check_err(const struct kd_err *err, const char *path, const char *target)
{
	fz_check(err->msg[0] != '\0', target, "a failure comes with a message");
	if (!strstr(err->msg, path)) {
		fprintf(stderr, "%s: error \"%s\" does not name %s\n", target, err->msg, path);
		abort();
	}
}

#endif
