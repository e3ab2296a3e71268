/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel module dependency resolution from a module tree's modules.dep, softdep and alias. */
#ifndef KD_KMOD_H
#define KD_KMOD_H

#include "base/base.h"

struct kd_kmod {
	char *path;	/* relative to the module directory, e.g. kernel/fs/ext4/ext4.ko.xz */
	char *name;	/* module name, '-' folded to '_' (e.g. crc32c_generic) */
	bool optional;	/* pulled in by a soft dependency: loading may fail */
};

/* Modules in load order: every module after all of its dependencies. */
struct kd_kmod_list {
	size_t n;
	struct kd_kmod *mods;
	size_t n_builtin;	/* requested names found in modules.builtin (nothing to load) */
};

/*
 * Resolves names (module names or aliases such as "crypto-crc32c") against moddir (a
 * lib/modules/RELEASE directory with modules.dep, as made by depmod) and fills *ret with the
 * modules to load, dependencies and "pre:" soft dependencies included. Names built into the
 * kernel (modules.builtin) need nothing. An unknown name is an error naming the directory.
 * On success the caller frees *ret with kd_kmod_list_free.
 */
int kd_kmod_resolve(const char *moddir, const char *const *names, size_t n_names,
		    struct kd_kmod_list *ret, struct kd_err *err);
void kd_kmod_list_free(struct kd_kmod_list *l);

/* Module name of a path: basename without .ko[.xz|.zst|.gz], '-' folded to '_'. */
char *kd_kmod_name(const char *path);

#endif
