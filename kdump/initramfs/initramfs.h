/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture initramfs builder: settings from kdump.conf, modules, programs, the archive. */
#ifndef KD_INITRAMFS_H
#define KD_INITRAMFS_H

#include "base/base.h"
#include "conf/conf.h"

struct conf;
struct kd_host;
struct kd_report;

#define KD_INITRAMFS_MAX_MODULES 64	/* module names asked for (dependencies come on top) */
#define KD_INITRAMFS_MAX_BINS 32	/* programs copied with their libraries */
#define KD_INITRAMFS_MAX_FILES 32	/* hooks and extra_bins */
#define KD_INITRAMFS_SSHKEY "/root/.ssh/kdump_id_rsa" /* as kdump-utils */
#define KD_INITRAMFS_KNOWN_HOSTS "/root/.ssh/known_hosts"
#define KD_INITRAMFS_SSH_BIN "/usr/bin/ssh"

/* ---- building one (build.c) ------------------------------------------------------------------ */

/*
 * What `kdump initramfs` is asked for. The settings come from kdump.conf when config is set,
 * then the fields below that are given override them; without a config they are the whole
 * description (a target is then required). Values are checked by the caller (the command
 * line's syntax); every string is borrowed.
 */
struct kd_initramfs_args {
	const char *output;		/* the archive to write (required) */
	const char *root;		/* kdump.conf, /proc, /etc, /sys and lib/modules/RELEASE
					 * are read under it; NULL or "/": the real root */
	const char *config;		/* kdump.conf under root, or NULL */
	bool quiet_config;		/* its warnings were reported already (kdump start) */
	const char *release;		/* of the capture kernel; NULL: the running one's */
	const char *kdump;		/* the static binary for /init; NULL: this one */
	bool no_compress;		/* a plain cpio archive, not gzip */
	const char *modules[KD_INITRAMFS_MAX_MODULES]; /* added after the config's */
	size_t n_modules;
	const char *bins[KD_INITRAMFS_MAX_BINS];
	size_t n_bins;
	const char *sshkey, *known_hosts, *ssh_bin; /* NULL: the config's, else the defaults */
	/* Settings given explicitly (NULL, false: not given). */
	bool target_set;
	enum conf_target_kind target;	/* CONF_TARGET_SSH, _NFS: with ssh_* or nfs_* below */
	const char *device;		/* as the settings file has it: /dev/..., UUID=... */
	const char *fstype, *path, *hostname;
	enum conf_compress compress;	/* with compress_set */
	bool compress_set;
	bool level_set, final_action_set, wait_set;
	unsigned level;
	enum conf_action final_action;
	unsigned wait_secs;
	bool save_raw;
	const char *ssh_user, *ssh_host; /* ssh_host: an IPv4 address */
	unsigned ssh_port;
	const char *nfs_server, *nfs_export, *nfs_vers; /* nfs_server: an IPv4 address */
	const char *net_addr;		/* ADDR/PREFIX, or "auto": from the route to the server */
	const char *net_gateway, *net_iface;
	const struct kd_report *report;	/* the summary (standard output) and progress */
};

/*
 * Builds the capture initramfs a describes: reads the config, the host's facts and the module
 * tree, checks the inputs (a static /init, the ssh key and known hosts) before anything is
 * written, then writes a->output. On failure nothing usable is left at a->output and err says
 * why. The summary (size, /init, the modules) goes to a->report's output.
 */
int kd_initramfs_build(const struct kd_initramfs_args *a, struct kd_err *err);

/* ---- what goes in (settings.c) ----------------------------------------------------------------- */

/* The contents of one capture initramfs. */
struct kd_initramfs_spec {
	struct conf_init conf;	/* the settings file, CONF_INIT_PATH */
	const char *root;		/* lib/modules/RELEASE is under it */
	const char *release;
	const char *kdump;		/* the static binary for /init */
	bool compress;
	bool net_auto;			/* ssh, nfs: net_* from the route to the server */
	const char *sshkey, *known_hosts, *ssh_bin;
	const char *bins[KD_INITRAMFS_MAX_BINS]; /* programs, with their libraries */
	size_t n_bins;
	const char *modules[KD_INITRAMFS_MAX_MODULES]; /* names: their dependencies are added */
	size_t n_modules;
	char *files_src[KD_INITRAMFS_MAX_FILES]; /* static programs (hooks, extra_bins) */
	char *files_dst[KD_INITRAMFS_MAX_FILES]; /* their names in the archive */
	size_t n_files;
	char *owned[KD_INITRAMFS_MAX_MODULES];	/* names found in sysfs, freed with the spec */
	size_t n_owned;
};

/* The defaults: a local ext4 target, the default ssh files, gzip. */
void kd_initramfs_spec_init(struct kd_initramfs_spec *s);
void kd_initramfs_spec_deinit(struct kd_initramfs_spec *s);

/*
 * The settings of a valid kdump.conf k on the host h (the spec keeps pointers into k; k must
 * outlive it): the target, its dump directory and collector, the actions (the root device
 * from h as dump_to_rootfs's fallback), h's host name, the hooks and extra_bins (static
 * programs, under h's root), the drivers of the target's disk and of the root disk (from
 * sysfs), extra_modules. Warnings and the drivers found go to r.
 */
int kd_initramfs_from_conf(struct kd_initramfs_spec *s, const struct conf *k,
			   const struct kd_host *h, const struct kd_report *r, struct kd_err *err);

/* ---- the archive (archive.c) ------------------------------------------------------------------- */

/* -ENOEXEC unless path is a 64-bit ELF executable without an interpreter (a static one). */
int kd_initramfs_check_static(const char *path, struct kd_err *err);

/*
 * Writes the archive of s (release and kdump set) to output: the directories /init needs, the
 * ssh client with its libraries and files, the programs, /init, the modules in load order and
 * the settings file. Resolves the modules and checks the inputs first; on failure output is
 * removed. The summary goes to r's output.
 */
int kd_initramfs_write(struct kd_initramfs_spec *s, const char *output, const struct kd_report *r,
		       struct kd_err *err);

/* ---- cpio "newc" archives (cpio.c) --------------------------------------------------------------- */

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

/* ---- kernel modules: modules.dep, softdep, alias (kmod.c) ----------------------------------------- */

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

/* ---- shared libraries of programs (elfdeps.c) ------------------------------------------------------ */

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
