// SPDX-License-Identifier: GPL-2.0-or-later
/* The capture initramfs written as one cpio archive: /init, programs, modules, settings. */
#include "kdump/frontend.h"
#include "kdump/initramfs/initramfs.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>

#define MAX_DIRS 128

/* The binary runs as PID 1 with no libraries around: it must have no ELF interpreter. */
int kd_initramfs_check_static(const char *path, struct kd_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	ssize_t n;

	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s", path);
	n = kd_pread_all(fd, &eh, sizeof(eh), 0);
	if (n != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
		return kd_err_set(err, -ENOEXEC, "%s is not a 64-bit ELF executable", path);
	if (eh.e_phnum > 256)
		return kd_err_set(err, -ENOEXEC, "%s: %u program headers, implausible", path,
				  eh.e_phnum);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (kd_pread_all(fd, &ph, sizeof(ph), eh.e_phoff + (uint64_t)i * sizeof(ph)) !=
		    (ssize_t)sizeof(ph))
			return kd_err_set(err, -ENOEXEC, "%s: truncated program headers", path);
		if (ph.p_type == PT_INTERP)
			return kd_err_set(err, -ENOEXEC, "%s is dynamically linked; the capture "
					  "initramfs has no libraries: build with `make STATIC=1` "
					  "and pass it with --kdump", path);
	}
	return 0;
}

/* Directories already in the archive (parents are added before their files). */
struct dirset {
	char *v[MAX_DIRS];
	size_t n;
};

static void dirset_free(struct dirset *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
}

static int dirset_add(struct kd_cpio *c, struct dirset *d, const char *name, struct kd_err *err)
{
	int r;

	if (d->n >= MAX_DIRS)
		return kd_err_set(err, -E2BIG, "more than %d directories", MAX_DIRS);
	d->v[d->n] = kd_strdup(name);
	if (!d->v[d->n])
		return kd_err_set(err, -ENOMEM, "out of memory");
	d->n++;
	r = kd_cpio_add_dir(c, name, 0755, err);
	return r < 0 ? r : 0;
}

/* Adds every parent directory of name (relative, "lib/x86_64-linux-gnu/libc.so.6"). */
static int add_parents(struct kd_cpio *c, struct dirset *d, const char *name, struct kd_err *err)
{
	_cleanup_free_ char *p = kd_strdup(name);

	if (!p)
		return kd_err_set(err, -ENOMEM, "out of memory");
	for (char *s = p; (s = strchr(s, '/')); s++) {
		bool seen = false;
		*s = '\0';
		for (size_t i = 0; i < d->n && !seen; i++)
			seen = strcmp(d->v[i], p) == 0;
		if (!seen) {
			int r = dirset_add(c, d, p, err);
			if (r < 0)
				return r;
		}
		*s = '/';
	}
	return 0;
}

static int add_host_file(struct kd_cpio *c, struct dirset *d, const char *abs, unsigned mode,
			 const char *src, struct kd_err *err)
{
	int r = add_parents(c, d, abs + 1, err);

	return r < 0 ? r : kd_cpio_add_file(c, abs + 1, mode, src, err);
}

/* Programs (the ssh client, --bin) with the shared libraries they need. */
static int add_programs(struct kd_cpio *c, struct dirset *d, const struct kd_initramfs_spec *s,
			const struct kd_report *rep, struct kd_err *err)
{
	const char *progs[KD_INITRAMFS_MAX_BINS + 1];
	struct kd_elfdeps deps = { 0 };
	size_t n = 0;
	int r;

	if (s->conf.target == CONF_TARGET_SSH)
		progs[n++] = s->ssh_bin;
	for (size_t i = 0; i < s->n_bins; i++)
		progs[n++] = s->bins[i];
	if (!n)
		return 0;
	r = kd_elfdeps_resolve(NULL, progs, n, &deps, err);
	if (r < 0)
		return r;
	for (size_t i = 0; r >= 0 && i < n; i++) {
		/* The ssh client goes where /init runs it from. */
		const char *dst = s->conf.target == CONF_TARGET_SSH && i == 0 ? CONF_INIT_SSH_BIN
									    : progs[i];
		r = add_host_file(c, d, dst, 0755, progs[i], err);
	}
	for (size_t i = 0; r >= 0 && i < deps.n; i++) {
		/* One file under two names (ld.so as PT_INTERP and as libc's DT_NEEDED): once. */
		_cleanup_free_ char *real = realpath(deps.paths[i], NULL);
		size_t j;
		for (j = 0; real && j < i; j++) {
			_cleanup_free_ char *other = realpath(deps.paths[j], NULL);
			if (other && strcmp(other, real) == 0)
				break;
		}
		if (real && j < i) {
			r = add_parents(c, d, deps.paths[i] + 1, err);
			if (r >= 0)
				r = kd_cpio_add_symlink(c, deps.paths[i] + 1, deps.paths[j], err);
		} else {
			r = add_host_file(c, d, deps.paths[i], 0755, deps.paths[i], err);
		}
	}
	if (r >= 0)
		kd_report_printf(rep, "  %zu program(s), %zu shared object(s)\n", n, deps.n);
	kd_elfdeps_free(&deps);
	return r;
}

/* Inputs of the ssh target, checked before anything is written. */
static int check_ssh_inputs(const struct kd_initramfs_spec *s, struct kd_err *err)
{
	if (s->conf.target != CONF_TARGET_SSH)
		return 0;
	if (access(s->sshkey, R_OK) < 0)
		return kd_err_sys(err, -errno, "ssh key %s (generate one with ssh-keygen -f %s and "
				  "install its .pub on %s)", s->sshkey, s->sshkey, s->conf.ssh_host);
	if (access(s->known_hosts, R_OK) < 0)
		return kd_err_sys(err, -errno, "known hosts file %s (the capture kernel trusts "
				  "only the host keys listed there: connect once with ssh, or use "
				  "ssh-keyscan and check the key)", s->known_hosts);
	return 0;
}

/* The ssh target's key, known hosts, and the user database ssh looks itself up in. */
static int add_ssh_files(struct kd_cpio *c, struct dirset *d, const struct kd_initramfs_spec *s,
			 struct kd_err *err)
{
	static const char passwd[] = "root:x:0:0:root:/root:/nonexistent\n";
	static const char group[] = "root:x:0:\n";
	int r;

	if (s->conf.target != CONF_TARGET_SSH)
		return 0;
	r = add_host_file(c, d, CONF_INIT_SSH_KEY, 0600, s->sshkey, err);
	if (r >= 0)
		r = add_host_file(c, d, CONF_INIT_KNOWN_HOSTS, 0644, s->known_hosts, err);
	if (r >= 0)
		r = kd_cpio_add_data(c, "etc/passwd", 0644, passwd, strlen(passwd), err);
	if (r >= 0)
		r = kd_cpio_add_data(c, "etc/group", 0644, group, strlen(group), err);
	if (r >= 0)
		r = kd_cpio_add_dir(c, "root", 0700, err);
	return r;
}

/* The modules s asks for, with their dependencies in load order, into s->conf. */
static int resolve_modules(struct kd_initramfs_spec *s, const char *moddir,
			   struct kd_kmod_list *ret, struct kd_err *err)
{
	const char *names[KD_INITRAMFS_MAX_MODULES + 4];
	struct conf_init *ic = &s->conf;
	size_t n = 0;
	int r;

	for (size_t i = 0; i < s->n_modules; i++)
		names[n++] = s->modules[i];
	if (ic->target == CONF_TARGET_FS)
		names[n++] = ic->fstype;
	/* dump_to_rootfs mounts the root filesystem: its driver too. */
	if (ic->failure_action == CONF_ACTION_DUMP_TO_ROOTFS && ic->rootfs_device[0] &&
	    (ic->target != CONF_TARGET_FS || strcmp(ic->rootfs_fstype, ic->fstype)))
		names[n++] = ic->rootfs_fstype;
	if (ic->target == CONF_TARGET_NFS) {
		if (ic->nfs_vers[0] != '3')
			names[n++] = "nfsv4";
		if (ic->nfs_vers[0] == '3' || !ic->nfs_vers[0])
			names[n++] = "nfsv3"; /* also when the version is negotiated */
	}
	*ret = (struct kd_kmod_list){ 0 };
	if (n) {
		r = kd_kmod_resolve(moddir, names, n, ret, err);
		if (r < 0)
			return r;
	}
	if (ret->n > CONF_INIT_MAX_MODULES) {
		kd_kmod_list_free(ret);
		return kd_err_set(err, -E2BIG, "%zu modules: at most %d fit", ret->n,
				  CONF_INIT_MAX_MODULES);
	}
	ic->n_modules = 0;
	for (size_t i = 0; i < ret->n; i++) {
		const char *b = strrchr(ret->mods[i].path, '/');
		b = b ? b + 1 : ret->mods[i].path;
		snprintf(ic->modules[i], sizeof(ic->modules[i]), "%s", b);
		ic->optional[i] = ret->mods[i].optional;
		ic->n_modules++;
	}
	return 0;
}

/* Everything but the trailer, in the order /init expects to find it. */
static int add_members(struct kd_cpio *c, const struct kd_initramfs_spec *s, const char *moddir,
		       const struct kd_kmod_list *mods, const char *text,
		       const struct kd_report *rep, struct kd_err *err)
{
	static const char *const dirs[] = { "dev", "proc", "sys", "etc", "etc/kdump", "lib",
					    "lib/modules", "tmp", "kdump-target" };
	struct dirset added = { 0 };
	int r = 0;

	for (size_t i = 0; r >= 0 && i < KD_ARRAY_SIZE(dirs); i++)
		r = dirset_add(c, &added, dirs[i], err);
	if (r >= 0)
		r = add_programs(c, &added, s, rep, err);
	if (r >= 0)
		r = add_ssh_files(c, &added, s, err);
	dirset_free(&added);
	if (r >= 0)
		r = kd_cpio_add_chardev(c, "dev/console", 0600, 5, 1, err);
	if (r >= 0)
		r = kd_cpio_add_chardev(c, "dev/null", 0666, 1, 3, err);
	if (r >= 0)
		r = kd_cpio_add_file(c, "init", 0755, s->kdump, err);
	if (r >= 0 && s->n_files) {
		r = kd_cpio_add_dir(c, "kdump", 0755, err);
		if (r >= 0)
			r = kd_cpio_add_dir(c, "bin", 0755, err);
	}
	for (size_t i = 0; r >= 0 && i < s->n_files; i++)
		r = kd_cpio_add_file(c, s->files_dst[i], 0755, s->files_src[i], err);
	for (size_t i = 0; r >= 0 && i < mods->n; i++) {
		_cleanup_free_ char *src = kd_asprintf("%s/%s", moddir, mods->mods[i].path);
		_cleanup_free_ char *dst = kd_asprintf("lib/modules/%s", s->conf.modules[i]);
		if (!src || !dst)
			r = kd_err_set(err, -ENOMEM, "out of memory");
		else
			r = kd_cpio_add_file(c, dst, 0644, src, err);
	}
	if (r >= 0)
		r = kd_cpio_add_data(c, &CONF_INIT_PATH[1], 0644, text, strlen(text), err);
	return r;
}

int kd_initramfs_write(struct kd_initramfs_spec *s, const char *output, const struct kd_report *r,
		       struct kd_err *err)
{
	_cleanup_free_ char *moddir = NULL, *text = NULL;
	struct kd_kmod_list mods = { 0 };
	struct kd_cpio *c = NULL;
	char size_buf[32];
	int64_t size;
	int rc;

	rc = kd_initramfs_check_static(s->kdump, err);
	if (rc < 0)
		return rc;
	rc = check_ssh_inputs(s, err);
	if (rc < 0)
		return rc;
	moddir = kd_asprintf("%s/lib/modules/%s", s->root, s->release);
	if (!moddir)
		return kd_err_set(err, -ENOMEM, "out of memory");
	rc = resolve_modules(s, moddir, &mods, err);
	if (rc < 0)
		return rc;
	text = conf_init_format(&s->conf);
	if (!text) {
		kd_kmod_list_free(&mods);
		return kd_err_set(err, -ENOMEM, "out of memory");
	}
	rc = kd_cpio_create(output, s->compress ? KD_CPIO_GZIP : KD_CPIO_PLAIN, &c, err);
	if (rc >= 0)
		rc = add_members(c, s, moddir, &mods, text, r, err);
	if (rc < 0) {
		if (c) {
			kd_cpio_abort(c);
			unlink(output);
		}
		kd_kmod_list_free(&mods);
		return rc;
	}
	size = kd_cpio_finish(c, err);
	if (size < 0) {
		unlink(output);
		kd_kmod_list_free(&mods);
		return (int)size;
	}
	kd_report_printf(r, "%s: %s, /init = %s, %zu module(s) for %s%s\n", output,
			 kd_format_size((uint64_t)size, size_buf, sizeof(size_buf)), s->kdump, mods.n,
			 s->release, mods.n_builtin ? " (some built in)" : "");
	for (size_t i = 0; i < mods.n; i++)
		kd_report_printf(r, "  %s%s\n", mods.mods[i].path,
				 mods.mods[i].optional ? " (soft dependency)" : "");
	kd_kmod_list_free(&mods);
	return 0;
}
