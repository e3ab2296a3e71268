/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared libraries of dynamically linked programs (DT_NEEDED, recursively, and the ELF
 * interpreter), found the way the dynamic loader finds them, for the capture initramfs. */
#ifndef KD_ELFDEPS_H
#define KD_ELFDEPS_H

#include "base/base.h"

#define KD_ELFDEPS_MAX 256 /* objects in one closure */

struct kd_elfdeps {
	size_t n;
	char **paths;	/* absolute paths as the loader will look them up (not the programs) */
};

/*
 * Resolves the libraries that the programs bins (absolute paths) need, recursively: each
 * object's PT_INTERP and DT_NEEDED entries, searched in DT_RPATH/DT_RUNPATH ($ORIGIN expanded),
 * then the system directories (/lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib64,
 * /usr/lib64, /lib, /usr/lib), taking the first file that is an ELF object of the same class
 * and machine. Lookups happen under root (NULL or "/" for the real root); returned paths are
 * relative to root but absolute ("/lib/x86_64-linux-gnu/libc.so.6"). A static program
 * needs nothing. A library not found is an error naming it and who needs it.
 */
int kd_elfdeps_resolve(const char *root, const char *const *bins, size_t n_bins,
		       struct kd_elfdeps *ret, struct kd_err *err);
void kd_elfdeps_free(struct kd_elfdeps *d);

#endif
