// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fault injection for tests: an LD_PRELOAD shim that makes writes to one file fail or come
 * short, so that tests can show what the capture does on EIO, ENOSPC and short writes.
 *
 *   KD_FAULT_PATH=substring   files whose opened path contains it are targeted (required)
 *   KD_FAULT_AFTER=N          let N bytes through first (default 0)
 *   KD_FAULT_ERRNO=EIO|ENOSPC|EDQUOT|EFBIG  the error past that point (default EIO)
 *   KD_FAULT_SHORT=1          instead of failing, write at most 512 bytes per call (always)
 *   KD_FAULT_DELAY_US=N       sleep N microseconds before each write (a slow target; without
 *                             KD_FAULT_AFTER nothing fails then)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FD 4096
static atomic_bool targeted[MAX_FD];
static atomic_llong written;

static void mark(int fd, const char *path)
{
	const char *want = getenv("KD_FAULT_PATH");

	if (fd >= 0 && fd < MAX_FD)
		targeted[fd] = want && *want && path && strstr(path, want);
}

static int fault_errno(void)
{
	const char *e = getenv("KD_FAULT_ERRNO");

	if (!e || strcmp(e, "EIO") == 0)
		return EIO;
	if (strcmp(e, "ENOSPC") == 0)
		return ENOSPC;
	if (strcmp(e, "EDQUOT") == 0)
		return EDQUOT;
	if (strcmp(e, "EFBIG") == 0)
		return EFBIG;
	return EIO;
}

/* How many of len bytes may go through now; -1 with errno set to fail. */
static ssize_t allowance(int fd, size_t len)
{
	const char *after = getenv("KD_FAULT_AFTER");
	const char *shortw = getenv("KD_FAULT_SHORT");
	long long limit = after ? atoll(after) : 0, done;

	const char *delay = getenv("KD_FAULT_DELAY_US");

	if (fd < 0 || fd >= MAX_FD || !targeted[fd])
		return (ssize_t)len;
	if (delay && atoi(delay) > 0) {
		usleep((useconds_t)atoi(delay));
		if (!after)
			return (ssize_t)len;
	}
	if (shortw && *shortw == '1')
		return (ssize_t)(len > 512 ? 512 : len);
	done = atomic_load(&written);
	if (done >= limit) {
		errno = fault_errno();
		return -1;
	}
	if ((long long)len > limit - done)
		len = (size_t)(limit - done);
	return (ssize_t)len;
}

#define REAL(name, ret, ...)                                                                       \
	static ret (*real_##name)(__VA_ARGS__);                                                    \
	if (!real_##name)                                                                          \
		real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;
	REAL(open, int, const char *, int, ...);

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	fd = real_open(path, flags, mode);
	mark(fd, path);
	return fd;
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;
	REAL(open64, int, const char *, int, ...);

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	fd = real_open64(path, flags, mode);
	mark(fd, path);
	return fd;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;
	REAL(openat, int, int, const char *, int, ...);

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	fd = real_openat(dirfd, path, flags, mode);
	mark(fd, path);
	return fd;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	ssize_t n = allowance(fd, len), r;
	REAL(write, ssize_t, int, const void *, size_t);

	if (n < 0)
		return -1;
	r = real_write(fd, buf, (size_t)n);
	if (r > 0 && fd < MAX_FD && targeted[fd])
		atomic_fetch_add(&written, r);
	return r;
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n = allowance(fd, len), r;
	REAL(pwrite, ssize_t, int, const void *, size_t, off_t);

	if (n < 0)
		return -1;
	r = real_pwrite(fd, buf, (size_t)n, off);
	if (r > 0 && fd < MAX_FD && targeted[fd])
		atomic_fetch_add(&written, r);
	return r;
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	return pwrite(fd, buf, len, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	size_t total = 0;
	REAL(writev, ssize_t, int, const struct iovec *, int);

	if (fd < 0 || fd >= MAX_FD || !targeted[fd])
		return real_writev(fd, iov, cnt);
	for (int i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	if (cnt > 0)
		return write(fd, iov[0].iov_base, iov[0].iov_len);
	return (ssize_t)total;
}

int dup2(int oldfd, int newfd)
{
	int r;
	REAL(dup2, int, int, int);

	r = real_dup2(oldfd, newfd);
	if (r >= 0 && r < MAX_FD && oldfd >= 0 && oldfd < MAX_FD)
		targeted[r] = atomic_load(&targeted[oldfd]);
	return r;
}

int dup3(int oldfd, int newfd, int flags)
{
	int r;
	REAL(dup3, int, int, int, int);

	r = real_dup3(oldfd, newfd, flags);
	if (r >= 0 && r < MAX_FD && oldfd >= 0 && oldfd < MAX_FD)
		targeted[r] = atomic_load(&targeted[oldfd]);
	return r;
}
