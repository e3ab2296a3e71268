/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A writer of cpio "newc" archives (the initramfs format), plain or gzip-compressed. */
#ifndef KD_CPIO_H
#define KD_CPIO_H

#include "base/base.h"

enum kd_cpio_compress { KD_CPIO_PLAIN, KD_CPIO_GZIP };

struct kd_cpio;

/*
 * Creates the archive file path (mode 0644, truncated). On success sets *ret (free it with
 * kd_cpio_finish or kd_cpio_abort).
 */
int kd_cpio_create(const char *path, enum kd_cpio_compress compress, struct kd_cpio **ret,
		   struct kd_err *err);
/* Adds a directory (name without a leading slash, e.g. "proc"). */
int kd_cpio_add_dir(struct kd_cpio *c, const char *name, unsigned mode, struct kd_err *err);
/* Adds a character device node. */
int kd_cpio_add_chardev(struct kd_cpio *c, const char *name, unsigned mode, unsigned major,
			unsigned minor, struct kd_err *err);
/* Adds a symbolic link name -> target. */
int kd_cpio_add_symlink(struct kd_cpio *c, const char *name, const char *target,
			struct kd_err *err);
/* Adds a regular file whose contents are len bytes at data. */
int kd_cpio_add_data(struct kd_cpio *c, const char *name, unsigned mode, const void *data,
		     size_t len, struct kd_err *err);
/* Adds a regular file copied from the host file src (at most 1 GiB). */
int kd_cpio_add_file(struct kd_cpio *c, const char *name, unsigned mode, const char *src,
		     struct kd_err *err);
/* Writes the trailer, closes and frees c (also on failure). Returns the archive's size. */
int64_t kd_cpio_finish(struct kd_cpio *c, struct kd_err *err);
/* Closes and frees c without completing the archive (it is left truncated). */
void kd_cpio_abort(struct kd_cpio *c);

#endif
