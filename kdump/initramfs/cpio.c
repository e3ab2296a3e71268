// SPDX-License-Identifier: GPL-2.0-or-later
/* cpio "newc" archive writer for the capture initramfs (format: the kernel's
 * Documentation/driver-api/early-userspace/buffer-format.rst). */
#include "kdump/initramfs/initramfs.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <zlib.h>

#define CPIO_MAX_FILE (1ULL << 30)
#define CPIO_MAX_NAME 4096

struct kd_cpio {
	char *path;
	int fd;
	gzFile gz;
	uint64_t off;	/* bytes of uncompressed archive written */
	uint32_t ino;
};

static int cpio_write(struct kd_cpio *c, const void *buf, size_t len, struct kd_err *err)
{
	int r;

	if (len == 0)
		return 0;
	if (c->gz) {
		const uint8_t *p = buf;
		size_t left = len;
		while (left > 0) {
			unsigned chunk = (unsigned)KD_MIN(left, (size_t)1 << 30);
			if (gzwrite(c->gz, p, chunk) != (int)chunk) {
				int zerr;
				const char *m = gzerror(c->gz, &zerr);
				return kd_err_set(err, -EIO, "%s: gzip write failed: %s", c->path,
						  zerr == Z_ERRNO ? strerror(errno) : m);
			}
			p += chunk;
			left -= chunk;
		}
	} else {
		r = kd_write_all(c->fd, buf, len);
		if (r < 0)
			return kd_err_sys(err, r, "%s: write failed at offset %" PRIu64, c->path,
					  c->off);
	}
	c->off += len;
	return 0;
}

static int cpio_pad(struct kd_cpio *c, struct kd_err *err)
{
	static const char zeros[4];

	return cpio_write(c, zeros, KD_ALIGN_UP(c->off, 4) - c->off, err);
}

static int cpio_header(struct kd_cpio *c, const char *name, unsigned mode, uint64_t size,
		       unsigned rmajor, unsigned rminor, struct kd_err *err)
{
	char hdr[111];
	size_t namesize = strlen(name) + 1;
	int r;

	if (name[0] == '/' || namesize > CPIO_MAX_NAME)
		return kd_err_set(err, -EINVAL, "%s: bad archive member name \"%s\"", c->path,
				  name);
	if (size > UINT32_MAX)
		return kd_err_set(err, -EFBIG, "%s: member %s too large for cpio newc", c->path,
				  name);
	/* magic, ino, mode, uid, gid, nlink, mtime, filesize, maj, min, rmaj, rmin, namesize,
	 * check; mtime 0 keeps archives reproducible. */
	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ++c->ino, mode, 0,
		 0, S_ISDIR(mode) ? 2 : 1, 0, (unsigned)size, 0, 0, rmajor, rminor,
		 (unsigned)namesize, 0);
	r = cpio_write(c, hdr, 110, err);
	if (r >= 0)
		r = cpio_write(c, name, namesize, err);
	if (r >= 0)
		r = cpio_pad(c, err);
	return r;
}

int kd_cpio_create(const char *path, enum kd_cpio_compress compress, struct kd_cpio **ret,
		   struct kd_err *err)
{
	struct kd_cpio *c = kd_calloc(1, sizeof(*c));

	if (!c || !(c->path = kd_strdup(path))) {
		free(c);
		return kd_err_set(err, -ENOMEM, "out of memory");
	}
	c->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (c->fd < 0) {
		int r = kd_err_sys(err, -errno, "cannot create %s", path);
		free(c->path);
		free(c);
		return r;
	}
	if (compress == KD_CPIO_GZIP) {
		c->gz = gzdopen(c->fd, "wb9");
		if (!c->gz) {
			close(c->fd);
			free(c->path);
			free(c);
			return kd_err_set(err, -ENOMEM, "%s: cannot start gzip compression", path);
		}
	}
	*ret = c;
	return 0;
}

int kd_cpio_add_dir(struct kd_cpio *c, const char *name, unsigned mode, struct kd_err *err)
{
	return cpio_header(c, name, S_IFDIR | (mode & 07777), 0, 0, 0, err);
}

int kd_cpio_add_chardev(struct kd_cpio *c, const char *name, unsigned mode, unsigned major,
			unsigned minor, struct kd_err *err)
{
	return cpio_header(c, name, S_IFCHR | (mode & 07777), 0, major, minor, err);
}

int kd_cpio_add_symlink(struct kd_cpio *c, const char *name, const char *target,
			struct kd_err *err)
{
	size_t len = strlen(target);
	int r = cpio_header(c, name, S_IFLNK | 0777, len, 0, 0, err);

	if (r >= 0)
		r = cpio_write(c, target, len, err);
	if (r >= 0)
		r = cpio_pad(c, err);
	return r;
}

int kd_cpio_add_data(struct kd_cpio *c, const char *name, unsigned mode, const void *data,
		     size_t len, struct kd_err *err)
{
	int r = cpio_header(c, name, S_IFREG | (mode & 07777), len, 0, 0, err);

	if (r >= 0)
		r = cpio_write(c, data, len, err);
	if (r >= 0)
		r = cpio_pad(c, err);
	return r;
}

int kd_cpio_add_file(struct kd_cpio *c, const char *name, unsigned mode, const char *src,
		     struct kd_err *err)
{
	_cleanup_close_ int fd = open(src, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	uint64_t done = 0;
	int r;

	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s", src);
	if (fstat(fd, &st) < 0)
		return kd_err_sys(err, -errno, "cannot stat %s", src);
	if (!S_ISREG(st.st_mode))
		return kd_err_set(err, -EINVAL, "%s is not a regular file", src);
	if ((uint64_t)st.st_size > CPIO_MAX_FILE)
		return kd_err_set(err, -EFBIG, "%s is larger than 1 GiB: not for an initramfs", src);
	buf = malloc(1 << 20);
	if (!buf)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = cpio_header(c, name, S_IFREG | (mode & 07777), (uint64_t)st.st_size, 0, 0, err);
	while (r >= 0 && done < (uint64_t)st.st_size) {
		ssize_t n = kd_read_all(fd, buf, KD_MIN((uint64_t)1 << 20, st.st_size - done));
		if (n <= 0)
			return kd_err_sys(err, n < 0 ? (int)n : -EIO,
					  "%s: read failed at offset %" PRIu64 " (file changed?)",
					  src, done);
		r = cpio_write(c, buf, (size_t)n, err);
		done += (uint64_t)n;
	}
	if (r >= 0)
		r = cpio_pad(c, err);
	return r;
}

static int cpio_close(struct kd_cpio *c, struct kd_err *err)
{
	int r = 0;

	if (c->gz) {
		int z = gzclose(c->gz); /* closes c->fd too */
		if (z != Z_OK)
			r = kd_err_set(err, -EIO, "%s: gzip close failed (%d)", c->path, z);
	} else if (close(c->fd) < 0) {
		r = kd_err_sys(err, -errno, "%s: close failed", c->path);
	}
	free(c->path);
	free(c);
	return r;
}

int64_t kd_cpio_finish(struct kd_cpio *c, struct kd_err *err)
{
	int r;
	uint64_t size;
	struct stat st;

	r = cpio_header(c, "TRAILER!!!", 0, 0, 0, 0, err);
	if (r < 0) {
		kd_cpio_abort(c);
		return r;
	}
	/* The kernel reads the archive in 512-byte units; pad like cpio(1) does. */
	r = cpio_write(c, (const char[512]){ 0 }, KD_ALIGN_UP(c->off, 512) - c->off, err);
	if (r < 0) {
		kd_cpio_abort(c);
		return r;
	}
	size = c->off;
	if (!c->gz && fstat(c->fd, &st) == 0)
		size = (uint64_t)st.st_size;
	{
		char *path = kd_strdup(c->path);
		bool gz = c->gz != NULL;
		r = cpio_close(c, err);
		if (r >= 0 && gz && path && stat(path, &st) == 0)
			size = (uint64_t)st.st_size;
		free(path);
	}
	return r < 0 ? r : (int64_t)size;
}

void kd_cpio_abort(struct kd_cpio *c)
{
	if (c)
		cpio_close(c, NULL);
}
