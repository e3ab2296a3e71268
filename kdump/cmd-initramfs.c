// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump initramfs: builds the capture initramfs: this static binary as /init, the target's
 * kernel modules with their dependencies, and the settings file. */
#include "conf/conf.h"
#include "kdump/command.h"
#include "kdump/cpio.h"
#include "kdump/frontend.h"
#include "kdump/elfdeps.h"
#include "kdump/initconf.h"
#include "kdump/kmod.h"
#include "kdump/sys/sys.h"

#include <arpa/inet.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#define MAX_EXTRA_MODULES 64
#define MAX_EXTRA_BINS 32
#define CONF_DEFAULT_SSHKEY_PATH "/root/.ssh/kdump_id_rsa" /* as kdump-utils */
#define MAX_DIRS 128

static void help(void)
{
	printf("NAME\n"
	       "    kdump initramfs - build the capture initramfs\n\n"
	       "SYNOPSIS\n"
	       "    kdump initramfs --output FILE --device DEV [--target local|raw] [OPTIONS]\n"
	       "    kdump initramfs --output FILE --ssh USER@HOST[:PORT] --net-addr A/P [OPTIONS]\n"
	       "    kdump initramfs --output FILE --nfs SERVER:/EXPORT --net-addr A/P [OPTIONS]\n\n"
	       "DESCRIPTION\n"
	       "    Writes a cpio (newc) archive, gzip-compressed, that the capture kernel unpacks\n"
	       "    as its root: a statically linked kdump binary as /init (no shell, no busybox),\n"
	       "    the kernel modules the dump target needs with their dependencies from the\n"
	       "    capture kernel's modules.dep (and the \"pre:\" soft dependencies of\n"
	       "    modules.softdep, such as ext4's crc32c), and %s. In the\n"
	       "    capture kernel, /init loads the modules with finit_module(2) (compressed\n"
	       "    modules are decompressed by the kernel), waits for DEV, writes the dump and\n"
	       "    its log, and then powers off or reboots (see `kdump init --help`).\n"
	       "    Networked targets: /init sets a static IPv4 address (and a default route)\n"
	       "    over rtnetlink, then either pipes a flattened dump into OpenSSH's client\n"
	       "    (ssh; the ssh program is copied with the shared libraries it needs, the key\n"
	       "    and known_hosts with it; host keys not listed there are refused), or mounts\n"
	       "    the export with the kernel NFS client (nfs; its modules are added).\n\n"
	       "OPTIONS\n"
	       "    -o, --output FILE      the initramfs to write\n"
	       "    --device DEV           target block device, e.g. /dev/vda or /dev/sdb1\n"
	       "    --target local|raw     a filesystem on DEV (default), or the raw device\n"
	       "    --ssh USER@HOST[:PORT] dump over ssh (HOST: an IPv4 address)\n"
	       "    --sshkey FILE          private key for --ssh (default %s)\n"
	       "    --known-hosts FILE     the host keys trusted (default /root/.ssh/known_hosts)\n"
	       "    --nfs SERVER:/EXPORT   dump on NFS (SERVER: an IPv4 address)\n"
	       "    --nfs-vers V           4.2, 4.1, 4 or 3 (default: the newest the server\n"
	       "                           has: 4.2, 4.1, 4.0, then 3)\n"
	       "    --net-addr ADDR/PREFIX the capture kernel's IPv4 address (ssh, nfs); auto:\n"
	       "                           the address, gateway and interface (found by its MAC\n"
	       "                           address) this kernel uses to reach the server\n"
	       "    --net-gateway ADDR     default route (omit when the target is on the link)\n"
	       "    --net-iface NAME       interface (default: the first one other than lo);\n"
	       "                           add its driver with --module (e.g. virtio_net)\n"
	       "    --hostname NAME        name in <host>-<date-time> (default: for ssh and nfs\n"
	       "                           the capture kernel's address, as kdump-utils does)\n"
	       "    --bin PATH             a program to add with its shared libraries;\n"
	       "                           repeatable (kdump.conf's extra_bins)\n"
	       "    --fstype TYPE          filesystem of a local target (default ext4); its\n"
	       "                           module is added\n"
	       "    --path DIR             directory for dumps on that filesystem (default /)\n"
	       "    --level N              dump level 0-31 (default 31)\n"
	       "    --compress NAME        compression passed to `kdump capture`\n"
	       "    --module NAME          a module to add (driver of DEV, e.g. virtio_blk);\n"
	       "                           repeatable; built-in modules are skipped\n"
	       "    --release REL          kernel release of the capture kernel (default: uname -r)\n"
	       "    --kernel-root DIR      root holding lib/modules/REL (default /)\n"
	       "    --kdump BIN            the static binary to use as /init (default: this one)\n"
	       "    --final-action ACTION  poweroff (default), reboot or halt\n"
	       "    --wait SECONDS         how long /init waits for DEV (default 30)\n"
	       "    --save-raw             also save /proc/vmcore verbatim as vmcore.raw\n"
	       "    --no-compress          write a plain cpio archive\n"
	       "    --config FILE          take the target, path, collector, actions, hooks,\n"
	       "                           keep, extra_bins and extra_modules from kdump.conf\n"
	       "                           FILE (read under --sysroot); the options above, when\n"
	       "                           given, override it. The first kernel's root device\n"
	       "                           (root= or /proc/mounts) becomes the dump_to_rootfs\n"
	       "                           fallback, /etc/hostname the dump directory's prefix\n"
	       "    --sysroot DIR          read the config, /proc and /etc/hostname under DIR\n"
	       "    -h, --help             this help\n\n"
	       "EXIT STATUS\n"
	       "    0 written, 1 failed (nothing usable left behind), 2 usage error.\n\n"
	       "EXAMPLES\n"
	       "    kdump initramfs -o /boot/kdump-initrd.img --device /dev/sdb1 --module ahci\n"
	       "    kdump initramfs -o capture.img --kernel-root /tmp/linux-6.12 \\\n"
	       "        --release 6.12.117+deb12-amd64 --device /dev/vda --target raw \\\n"
	       "        --module virtio_blk\n"
	       "    kdump initramfs -o capture.img --ssh kdump@192.168.1.10 \\\n"
	       "        --net-addr 192.168.1.50/24 --net-gateway 192.168.1.1 --module virtio_net\n",
	       KD_INITCONF_PATH, CONF_DEFAULT_SSHKEY_PATH);
}

/* The binary runs as PID 1 with no libraries around: it must have no ELF interpreter. */
static int check_static(const char *path, struct kd_err *err)
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

#define MAX_EXTRA_FILES 32

struct opts {
	bool net_auto;	/* --net-addr auto, or kdump.conf without capture_ip */
	const char *output, *release, *root, *kdump;
	const char *sshkey, *known_hosts, *ssh_bin;
	const char *bins[MAX_EXTRA_BINS];
	size_t n_bins;
	const char *modules[MAX_EXTRA_MODULES];
	size_t n_modules;
	/* From kdump.conf: hooks and extra_bins copied in (source path, path in the archive). */
	const char *files_src[MAX_EXTRA_FILES];
	char *files_dst[MAX_EXTRA_FILES];
	size_t n_files;
	struct conf *kconf;
	char *owned_modules[MAX_EXTRA_MODULES]; /* found in sysfs: freed with the opts */
	size_t n_owned;
	bool compress;
	struct kd_initconf conf;
};

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
			int r;
			if (d->n >= MAX_DIRS)
				return kd_err_set(err, -E2BIG, "more than %d directories", MAX_DIRS);
			d->v[d->n] = kd_strdup(p);
			if (!d->v[d->n])
				return kd_err_set(err, -ENOMEM, "out of memory");
			d->n++;
			r = kd_cpio_add_dir(c, p, 0755, err);
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
static int add_programs(struct kd_cpio *c, struct dirset *d, const struct opts *o,
			struct kd_err *err)
{
	const char *progs[MAX_EXTRA_BINS + 1];
	struct kd_elfdeps deps = { 0 };
	size_t n = 0;
	int r;

	if (o->conf.target == KD_TARGET_SSH)
		progs[n++] = o->ssh_bin;
	for (size_t i = 0; i < o->n_bins; i++)
		progs[n++] = o->bins[i];
	if (!n)
		return 0;
	r = kd_elfdeps_resolve(NULL, progs, n, &deps, err);
	if (r < 0)
		return r;
	for (size_t i = 0; r >= 0 && i < n; i++) {
		/* The ssh client goes where /init runs it from. */
		const char *dst = o->conf.target == KD_TARGET_SSH && i == 0 ? KD_INIT_SSH_BIN
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
		printf("  %zu program(s), %zu shared object(s)\n", n, deps.n);
	kd_elfdeps_free(&deps);
	return r;
}

/* Inputs of the ssh target, checked before anything is written. */
static int check_ssh_inputs(const struct opts *o, struct kd_err *err)
{
	if (o->conf.target != KD_TARGET_SSH)
		return 0;
	if (access(o->sshkey, R_OK) < 0)
		return kd_err_sys(err, -errno, "ssh key %s (generate one with ssh-keygen -f %s and "
				  "install its .pub on %s)", o->sshkey, o->sshkey, o->conf.ssh_host);
	if (access(o->known_hosts, R_OK) < 0)
		return kd_err_sys(err, -errno, "known hosts file %s (the capture kernel trusts "
				  "only the host keys listed there: connect once with ssh, or use "
				  "ssh-keyscan and check the key)", o->known_hosts);
	return 0;
}

/* The ssh target's key, known hosts, and the user database ssh looks itself up in. */
static int add_ssh_files(struct kd_cpio *c, struct dirset *d, const struct opts *o,
			 struct kd_err *err)
{
	static const char passwd[] = "root:x:0:0:root:/root:/nonexistent\n";
	static const char group[] = "root:x:0:\n";
	int r;

	if (o->conf.target != KD_TARGET_SSH)
		return 0;
	r = add_host_file(c, d, KD_INIT_SSH_KEY, 0600, o->sshkey, err);
	if (r >= 0)
		r = add_host_file(c, d, KD_INIT_KNOWN_HOSTS, 0644, o->known_hosts, err);
	if (r >= 0)
		r = kd_cpio_add_data(c, "etc/passwd", 0644, passwd, strlen(passwd), err);
	if (r >= 0)
		r = kd_cpio_add_data(c, "etc/group", 0644, group, strlen(group), err);
	if (r >= 0)
		r = kd_cpio_add_dir(c, "root", 0700, err);
	return r;
}

static int build(struct opts *o, struct kd_err *err)
{
	_cleanup_free_ char *moddir = NULL, *text = NULL, *self = NULL;
	struct kd_kmod_list mods = { 0 };
	const char *names[MAX_EXTRA_MODULES + 4];
	size_t n_names = 0;
	struct kd_cpio *c = NULL;
	struct dirset dirs_added = { 0 };
	struct utsname u;
	char size_buf[32];
	int64_t size;
	int r;

	if (!o->release) {
		if (uname(&u) < 0)
			return kd_err_sys(err, -errno, "uname failed");
		o->release = u.release;
	}
	if (!o->kdump) {
		self = realpath("/proc/self/exe", NULL);
		if (!self)
			return kd_err_sys(err, -errno, "cannot find this binary (/proc/self/exe)");
		o->kdump = self;
	}
	r = check_static(o->kdump, err);
	if (r < 0)
		return r;
	r = check_ssh_inputs(o, err);
	if (r < 0)
		return r;

	for (size_t i = 0; i < o->n_modules; i++)
		names[n_names++] = o->modules[i];
	if (o->conf.target == KD_TARGET_LOCAL)
		names[n_names++] = o->conf.fstype;
	/* dump_to_rootfs mounts the root filesystem: its driver too. */
	if (o->conf.failure_action == KD_FAILURE_DUMP_TO_ROOTFS && o->conf.rootfs_device[0] &&
	    (o->conf.target != KD_TARGET_LOCAL || strcmp(o->conf.rootfs_fstype, o->conf.fstype)))
		names[n_names++] = o->conf.rootfs_fstype;
	if (o->conf.target == KD_TARGET_NFS) {
		if (o->conf.nfs_vers[0] != '3')
			names[n_names++] = "nfsv4";
		if (o->conf.nfs_vers[0] == '3' || !o->conf.nfs_vers[0])
			names[n_names++] = "nfsv3"; /* also when the version is negotiated */
	}
	moddir = kd_asprintf("%s/lib/modules/%s", o->root, o->release);
	if (!moddir)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (n_names) {
		r = kd_kmod_resolve(moddir, names, n_names, &mods, err);
		if (r < 0)
			return r;
	}
	if (mods.n > KD_INITCONF_MAX_MODULES) {
		kd_kmod_list_free(&mods);
		return kd_err_set(err, -E2BIG, "%zu modules: at most %d fit", mods.n,
				  KD_INITCONF_MAX_MODULES);
	}
	o->conf.n_modules = 0;
	for (size_t i = 0; i < mods.n; i++) {
		const char *b = strrchr(mods.mods[i].path, '/');
		b = b ? b + 1 : mods.mods[i].path;
		snprintf(o->conf.modules[i], sizeof(o->conf.modules[i]), "%s", b);
		o->conf.optional[i] = mods.mods[i].optional;
		o->conf.n_modules++;
	}
	text = kd_initconf_format(&o->conf);
	if (!text) {
		kd_kmod_list_free(&mods);
		return kd_err_set(err, -ENOMEM, "out of memory");
	}

	r = kd_cpio_create(o->output, o->compress ? KD_CPIO_GZIP : KD_CPIO_PLAIN, &c, err);
	if (r < 0) {
		kd_kmod_list_free(&mods);
		return r;
	}
	static const char *const dirs[] = { "dev", "proc", "sys", "etc", "etc/kdump", "lib",
					    "lib/modules", "tmp", "kdump-target" };
	for (size_t i = 0; r >= 0 && i < KD_ARRAY_SIZE(dirs); i++) {
		r = kd_cpio_add_dir(c, dirs[i], 0755, err);
		if (r >= 0 && !(dirs_added.v[dirs_added.n] = kd_strdup(dirs[i])))
			r = kd_err_set(err, -ENOMEM, "out of memory");
		if (r >= 0)
			dirs_added.n++;
	}
	if (r >= 0)
		r = add_programs(c, &dirs_added, o, err);
	if (r >= 0)
		r = add_ssh_files(c, &dirs_added, o, err);
	if (r >= 0)
		r = kd_cpio_add_chardev(c, "dev/console", 0600, 5, 1, err);
	if (r >= 0)
		r = kd_cpio_add_chardev(c, "dev/null", 0666, 1, 3, err);
	if (r >= 0)
		r = kd_cpio_add_file(c, "init", 0755, o->kdump, err);
	if (r >= 0 && o->n_files) {
		r = kd_cpio_add_dir(c, "kdump", 0755, err);
		if (r >= 0)
			r = kd_cpio_add_dir(c, "bin", 0755, err);
	}
	for (size_t i = 0; r >= 0 && i < o->n_files; i++)
		r = kd_cpio_add_file(c, o->files_dst[i], 0755, o->files_src[i], err);
	for (size_t i = 0; r >= 0 && i < mods.n; i++) {
		_cleanup_free_ char *src = kd_asprintf("%s/%s", moddir, mods.mods[i].path);
		_cleanup_free_ char *dst = kd_asprintf("lib/modules/%s", o->conf.modules[i]);
		if (!src || !dst)
			r = kd_err_set(err, -ENOMEM, "out of memory");
		else
			r = kd_cpio_add_file(c, dst, 0644, src, err);
	}
	if (r >= 0)
		r = kd_cpio_add_data(c, &KD_INITCONF_PATH[1], 0644, text, strlen(text), err);
	dirset_free(&dirs_added);
	if (r < 0) {
		kd_cpio_abort(c);
		unlink(o->output);
		kd_kmod_list_free(&mods);
		return r;
	}
	size = kd_cpio_finish(c, err);
	if (size < 0) {
		unlink(o->output);
		kd_kmod_list_free(&mods);
		return (int)size;
	}
	printf("%s: %s, /init = %s, %zu module(s) for %s%s\n", o->output,
	       kd_format_size((uint64_t)size, size_buf, sizeof(size_buf)), o->kdump, mods.n,
	       o->release, mods.n_builtin ? " (some built in)" : "");
	for (size_t i = 0; i < mods.n; i++)
		printf("  %s%s\n", mods.mods[i].path, mods.mods[i].optional ? " (soft dependency)"
									    : "");
	kd_kmod_list_free(&mods);
	return 0;
}

/* --net-addr auto: the address, gateway and interface (by MAC) this kernel uses to reach the
 * server, as kdump-utils does. */
static int net_from_route(struct kd_initconf *ic, struct kd_err *err)
{
	const char *server = ic->target == KD_TARGET_SSH ? ic->ssh_host : ic->nfs_server;
	struct kd_net_config nc;
	struct in_addr dst;
	char ip[INET_ADDRSTRLEN];
	int r;

	if (inet_pton(AF_INET, server, &dst) != 1)
		return kd_err_set(err, -EINVAL, "%s is not an IPv4 address", server);
	r = kd_net_route_to(dst, &nc, err);
	if (r < 0)
		return r;
	inet_ntop(AF_INET, &nc.addr, ip, sizeof(ip));
	snprintf(ic->net_addr, sizeof(ic->net_addr), "%s/%u", ip, nc.prefix);
	ic->net_gateway[0] = '\0';
	if (nc.gateway.s_addr)
		inet_ntop(AF_INET, &nc.gateway, ic->net_gateway, sizeof(ic->net_gateway));
	snprintf(ic->net_mac, sizeof(ic->net_mac), "%s", nc.mac);
	printf("network for %s: %s%s%s on %s (%s)\n", server, ic->net_addr,
	       ic->net_gateway[0] ? " via " : "", ic->net_gateway, nc.iface,
	       nc.mac[0] ? nc.mac : "no MAC address");
	return 0;
}

/* Values end up in key=value lines and in a remote shell's quotes: no control characters. */
static bool bad_value(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* USER@HOST[:PORT], HOST an IPv4 address. */
static int parse_ssh(const char *arg, struct opts *o)
{
	const char *at = strchr(arg, '@'), *host, *colon;
	char h[256];
	struct in_addr a;
	uint64_t port = 0;

	if (!at || at == arg || (size_t)(at - arg) >= sizeof(o->conf.ssh_user) || bad_value(arg))
		return kd_usage_error("initramfs", "--ssh wants USER@HOST[:PORT]");
	host = at + 1;
	colon = strrchr(host, ':');
	if (colon && (kd_parse_u64(colon + 1, 10, &port) < 0 || port < 1 || port > 65535))
		return kd_usage_error("initramfs", "--ssh: bad port '%s'", colon + 1);
	if (!colon)
		colon = host + strlen(host);
	if (colon == host || (size_t)(colon - host) >= sizeof(h) || host[0] == '-' ||
	    arg[0] == '-')
		return kd_usage_error("initramfs", "--ssh wants USER@HOST[:PORT]");
	memcpy(h, host, (size_t)(colon - host));
	h[colon - host] = '\0';
	memcpy(o->conf.ssh_user, arg, (size_t)(at - arg));
	o->conf.ssh_user[at - arg] = '\0';
	snprintf(o->conf.ssh_host, sizeof(o->conf.ssh_host), "%s", h);
	o->conf.ssh_port = (unsigned)port;
	o->conf.target = KD_TARGET_SSH;
	if (inet_pton(AF_INET, h, &a) != 1)
		return kd_usage_error("initramfs", "--ssh: %s is not an IPv4 address (the capture "
				      "kernel has no resolver)", h);
	return 0;
}

/* The first kernel's root device and type: root= of /proc/cmdline, else / in /proc/mounts. */
static void find_rootfs(const char *sysroot, struct kd_initconf *ic)
{
	_cleanup_free_ char *cmdline = NULL, *mounts = NULL;
	struct kd_err e = { 0 };

	if (kd_read_file_at(sysroot, "/proc/cmdline", 65536, &cmdline, NULL, &e) == 0) {
		for (char *w = strtok(cmdline, " \t\n"); w; w = strtok(NULL, " \t\n"))
			if (strncmp(w, "root=", 5) == 0 && strlen(w + 5) < sizeof(ic->rootfs_device))
				snprintf(ic->rootfs_device, sizeof(ic->rootfs_device), "%s", w + 5);
	}
	if (kd_read_file_at(sysroot, "/proc/mounts", 1 << 20, &mounts, NULL, &e) == 0) {
		for (char *l = strtok(mounts, "\n"); l; l = strtok(NULL, "\n")) {
			char dev[256], dir[256], type[32];
			if (sscanf(l, "%255s %255s %31s", dev, dir, type) != 3 || strcmp(dir, "/") != 0 ||
			    strcmp(type, "rootfs") == 0)
				continue;
			snprintf(ic->rootfs_fstype, sizeof(ic->rootfs_fstype), "%s", type);
			if (!ic->rootfs_device[0] && dev[0] == '/')
				snprintf(ic->rootfs_device, sizeof(ic->rootfs_device), "%s", dev);
		}
	}
	if (!ic->rootfs_fstype[0])
		snprintf(ic->rootfs_fstype, sizeof(ic->rootfs_fstype), "ext4");
}

static int add_file(struct opts *o, const char *sysroot, const char *path, const char *dst,
		    struct kd_err *err)
{
	_cleanup_free_ char *src = kd_path_at(sysroot, path);
	int r;

	if (o->n_files >= MAX_EXTRA_FILES)
		return kd_err_set(err, -E2BIG, "more than %d hooks and extra_bins", MAX_EXTRA_FILES);
	if (!src)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = check_static(src, err);
	if (r < 0) {
		kd_err_prefix(err, "%s: the capture initramfs has no shell and no libraries; "
			      "hooks and extra_bins must be static executables", o->kconf->file);
		return r;
	}
	o->files_src[o->n_files] = KD_TAKE_PTR(src);
	o->files_dst[o->n_files] = kd_strdup(dst);
	if (!o->files_dst[o->n_files])
		return kd_err_set(err, -ENOMEM, "out of memory");
	o->n_files++;
	return 0;
}

/*
 * The drivers the capture kernel needs to see a disk, as the first kernel does: from the
 * block device's directory in sysfs up to the root, every "driver/module" link (virtio_blk,
 * then virtio_pci; nvme; ahci...). Built-in drivers have no such link and need nothing.
 * Best effort: a device not found now (not plugged, a remote target) adds nothing.
 */
static void add_driver_modules(struct opts *o, const char *sysroot, const char *spec)
{
	_cleanup_free_ char *dev = kd_resolve_device(sysroot, spec);
	_cleanup_free_ char *link = NULL, *dir = NULL, *sys0 = kd_path_at(sysroot, "/sys");
	_cleanup_free_ char *sys = sys0 ? realpath(sys0, NULL) : NULL;
	const char *name;
	unsigned depth = 0;

	if (!dev || !sys)
		return;
	name = strrchr(dev, '/');
	name = name ? name + 1 : dev;
	link = kd_asprintf("%s/class/block/%s", sys, name);
	dir = link ? realpath(link, NULL) : NULL;
	while (dir && strncmp(dir, sys, strlen(sys)) == 0 && strlen(dir) > strlen(sys) &&
	       depth++ < 32) {
		_cleanup_free_ char *ml = kd_asprintf("%s/driver/module", dir);
		_cleanup_free_ char *mod = ml ? realpath(ml, NULL) : NULL;
		char *slash;
		if (mod && (slash = strrchr(mod, '/')) && o->n_modules < MAX_EXTRA_MODULES &&
		    o->n_owned < MAX_EXTRA_MODULES) {
			bool dup = false;
			for (size_t i = 0; i < o->n_modules; i++)
				dup |= strcmp(o->modules[i], slash + 1) == 0;
			if (!dup) {
				char *m = kd_strdup(slash + 1);
				if (m) {
					o->owned_modules[o->n_owned++] = m;
					o->modules[o->n_modules++] = m;
					kd_info("%s is on %s: driver module %s added", spec, name, m);
				}
			}
		}
		slash = strrchr(dir, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
}

/* kdump.conf (parsed, valid) -> the initramfs's settings, modules and files. */
static int apply_config(struct opts *o, const char *sysroot, struct kd_err *err)
{
	const struct conf *k = o->kconf;
	struct kd_initconf *ic = &o->conf;
	char host[65] = "";
	_cleanup_free_ char *etc_host = NULL;
	struct kd_err e = { 0 };
	int r;

	find_rootfs(sysroot, ic);
	switch (k->target.kind) {
	case CONF_TARGET_ROOTFS:
		if (!ic->rootfs_device[0])
			return kd_err_set(err, -ENODEV, "%s: no target and no root device known (no "
					  "root= in /proc/cmdline, / not in /proc/mounts): add a "
					  "target", k->file);
		ic->target = KD_TARGET_LOCAL;
		snprintf(ic->device, sizeof(ic->device), "%s", ic->rootfs_device);
		snprintf(ic->fstype, sizeof(ic->fstype), "%s", ic->rootfs_fstype);
		break;
	case CONF_TARGET_FS:
	case CONF_TARGET_RAW:
		ic->target = k->target.kind == CONF_TARGET_RAW ? KD_TARGET_RAW : KD_TARGET_LOCAL;
		if (k->target.device_kind == CONF_DEVICE_TAG)
			return kd_err_set(err, -ENOTSUP, "%s:%u: virtiofs targets are not supported "
					  "by the capture initramfs yet", k->file, k->target.line);
		if (k->target.device_kind == CONF_DEVICE_PATH)
			snprintf(ic->device, sizeof(ic->device), "%s", k->target.device);
		else
			snprintf(ic->device, sizeof(ic->device), "%s=%s",
				 conf_device_kind_name(k->target.device_kind), k->target.device);
		if (k->target.fstype)
			snprintf(ic->fstype, sizeof(ic->fstype), "%s", k->target.fstype);
		break;
	case CONF_TARGET_SSH:
	case CONF_TARGET_NFS: {
		struct in_addr ip;
		if (inet_pton(AF_INET, k->target.host, &ip) != 1)
			return kd_err_set(err, -EINVAL, "%s:%u: %s: give the server's IPv4 address "
					  "(the capture kernel has no resolver)", k->file,
					  k->target.line, k->target.host);
		if (k->target.kind == CONF_TARGET_SSH) {
			ic->target = KD_TARGET_SSH;
			snprintf(ic->ssh_user, sizeof(ic->ssh_user), "%s", k->target.user);
			snprintf(ic->ssh_host, sizeof(ic->ssh_host), "%s", k->target.host);
			ic->ssh_port = k->target.port;
			o->sshkey = k->sshkey;
		} else {
			ic->target = KD_TARGET_NFS;
			snprintf(ic->nfs_server, sizeof(ic->nfs_server), "%s", k->target.host);
			snprintf(ic->nfs_export, sizeof(ic->nfs_export), "%s", k->target.export_path);
			if (k->nfs_vers)
				snprintf(ic->nfs_vers, sizeof(ic->nfs_vers), "%s", k->nfs_vers);
		}
		if (k->capture_ip) {
			snprintf(ic->net_addr, sizeof(ic->net_addr), "%s", k->capture_ip);
			if (k->capture_gateway)
				snprintf(ic->net_gateway, sizeof(ic->net_gateway), "%s",
					 k->capture_gateway);
			if (k->capture_iface)
				snprintf(ic->net_iface, sizeof(ic->net_iface), "%s",
					 k->capture_iface);
		} else {
			o->net_auto = true; /* the first kernel's way to the server */
		}
		break;
	}
	}
	snprintf(ic->path, sizeof(ic->path), "%s", k->path);
	ic->level = k->collector.dump_level;
	snprintf(ic->compress, sizeof(ic->compress), "%s", conf_compress_name(k->collector.compress));
	ic->flat = k->collector.flattened && ic->target == KD_TARGET_LOCAL;
	ic->verify = k->verify == CONF_VERIFY_YES  ? KD_VERIFY_YES
		     : k->verify == CONF_VERIFY_NO ? KD_VERIFY_NO
						   : KD_VERIFY_AUTO;
	if (k->collector.format == CONF_FORMAT_ELF)
		kd_warn("%s: core_collector -E: the capture initramfs writes kdump-compressed "
			"dumps; -E is ignored", k->file);
	switch (k->failure_action) {
	case CONF_ACTION_DUMP_TO_ROOTFS:
		ic->failure_action = KD_FAILURE_DUMP_TO_ROOTFS;
		break;
	case CONF_ACTION_HALT:
		ic->failure_action = KD_FAILURE_HALT;
		break;
	case CONF_ACTION_POWEROFF:
		ic->failure_action = KD_FAILURE_POWEROFF;
		break;
	case CONF_ACTION_SHELL:
		kd_warn("%s: failure_action shell: the capture initramfs has no shell; it reboots",
			k->file);
		/* fall through */
	case CONF_ACTION_REBOOT:
		ic->failure_action = KD_FAILURE_REBOOT;
		break;
	}
	if (k->target.kind == CONF_TARGET_ROOTFS && ic->failure_action == KD_FAILURE_DUMP_TO_ROOTFS)
		ic->failure_action = KD_FAILURE_REBOOT;
	ic->final_action = k->final_action == CONF_ACTION_HALT	   ? KD_FINAL_HALT
			   : k->final_action == CONF_ACTION_POWEROFF ? KD_FINAL_POWEROFF
								     : KD_FINAL_REBOOT;
	ic->keep = k->keep;
	if (kd_read_file_at(sysroot, "/etc/hostname", 4096, &etc_host, NULL, &e) == 0)
		sscanf(etc_host, "%64s", host);
	else if (!sysroot || strcmp(sysroot, "/") == 0)
		gethostname(host, sizeof(host) - 1);
	snprintf(ic->hostname, sizeof(ic->hostname), "%s", host);
	if (k->kdump_pre) {
		r = add_file(o, sysroot, k->kdump_pre, "kdump/pre", err);
		if (r < 0)
			return r;
		snprintf(ic->pre, sizeof(ic->pre), "/kdump/pre");
	}
	if (k->kdump_post) {
		r = add_file(o, sysroot, k->kdump_post, "kdump/post", err);
		if (r < 0)
			return r;
		snprintf(ic->post, sizeof(ic->post), "/kdump/post");
	}
	if (k->kdump_emergency) {
		r = add_file(o, sysroot, k->kdump_emergency, "kdump/emergency", err);
		if (r < 0)
			return r;
		snprintf(ic->emergency, sizeof(ic->emergency), "/kdump/emergency");
	}
	for (char **b = k->extra_bins; *b; b++) {
		const char *base = strrchr(*b, '/');
		_cleanup_free_ char *dst = kd_asprintf("bin/%s", base ? base + 1 : *b);
		if (!dst)
			return kd_err_set(err, -ENOMEM, "out of memory");
		r = add_file(o, sysroot, *b, dst, err);
		if (r < 0)
			return r;
	}
	if (ic->target == KD_TARGET_LOCAL || ic->target == KD_TARGET_RAW)
		add_driver_modules(o, sysroot, ic->device);
	if (ic->failure_action == KD_FAILURE_DUMP_TO_ROOTFS && ic->rootfs_device[0])
		add_driver_modules(o, sysroot, ic->rootfs_device);
	for (char **m = k->extra_modules; *m; m++) {
		if (o->n_modules >= MAX_EXTRA_MODULES)
			return kd_err_set(err, -E2BIG, "%s: more than %d extra_modules", k->file,
					  MAX_EXTRA_MODULES);
		o->modules[o->n_modules++] = *m;
	}
	return 0;
}

static void opts_deinit(struct opts *o)
{
	for (size_t i = 0; i < o->n_owned; i++)
		free(o->owned_modules[i]);
	for (size_t i = 0; i < o->n_files; i++) {
		free((char *)o->files_src[i]);
		free(o->files_dst[i]);
	}
	conf_destroy(o->kconf);
}

static int run_initramfs(int argc, char **argv)
{
	enum { OPT_DEVICE = 256, OPT_TARGET, OPT_FSTYPE, OPT_PATH, OPT_LEVEL, OPT_COMPRESS, OPT_MODULE,
	       OPT_RELEASE, OPT_ROOT, OPT_KDUMP, OPT_FINAL, OPT_WAIT, OPT_SAVE_RAW, OPT_NO_COMPRESS,
	       OPT_CONFIG, OPT_SYSROOT, OPT_QUIET_CONFIG, OPT_SSH, OPT_SSHKEY, OPT_KNOWN_HOSTS,
	       OPT_NFS, OPT_NFS_VERS, OPT_NET_ADDR, OPT_NET_GW, OPT_NET_IFACE, OPT_HOSTNAME, OPT_BIN,
	       OPT_SSH_BIN };
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "fstype", required_argument, NULL, OPT_FSTYPE },
		{ "path", required_argument, NULL, OPT_PATH },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "compress", required_argument, NULL, OPT_COMPRESS },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "release", required_argument, NULL, OPT_RELEASE },
		{ "kernel-root", required_argument, NULL, OPT_ROOT },
		{ "kdump", required_argument, NULL, OPT_KDUMP },
		{ "final-action", required_argument, NULL, OPT_FINAL },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "save-raw", no_argument, NULL, OPT_SAVE_RAW },
		{ "no-compress", no_argument, NULL, OPT_NO_COMPRESS },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "sysroot", required_argument, NULL, OPT_SYSROOT },
		/* kdump start has printed the config's warnings already. */
		{ "quiet-config", no_argument, NULL, OPT_QUIET_CONFIG },
		{ "ssh", required_argument, NULL, OPT_SSH },
		{ "sshkey", required_argument, NULL, OPT_SSHKEY },
		{ "known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS },
		{ "ssh-bin", required_argument, NULL, OPT_SSH_BIN },
		{ "nfs", required_argument, NULL, OPT_NFS },
		{ "nfs-vers", required_argument, NULL, OPT_NFS_VERS },
		{ "net-addr", required_argument, NULL, OPT_NET_ADDR },
		{ "net-gateway", required_argument, NULL, OPT_NET_GW },
		{ "net-iface", required_argument, NULL, OPT_NET_IFACE },
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "bin", required_argument, NULL, OPT_BIN },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct opts o = { .root = "/", .compress = true, .sshkey = CONF_DEFAULT_SSHKEY_PATH,
			  .known_hosts = "/root/.ssh/known_hosts", .ssh_bin = "/usr/bin/ssh" };
	struct kd_err err = { 0 };
	uint64_t u;
	int c;

	const char *config = NULL, *sysroot = NULL;
	bool quiet_config = false;
	int rc;

	kd_initconf_defaults(&o.conf);
	/* First pass: the config, so that the other options override what it says. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", lopts, NULL)) != -1) {
		if (c == OPT_CONFIG)
			config = optarg;
		else if (c == OPT_SYSROOT)
			sysroot = optarg;
		else if (c == OPT_QUIET_CONFIG)
			quiet_config = true;
	}
	opterr = 1;
	if (config) {
		struct conf_diags diags = { 0 };
		rc = conf_load(sysroot, config, &o.kconf, &diags, &err);
		for (size_t i = 0; i < diags.n; i++)
			if (!diags.v[i].error && !quiet_config)
				kd_warn("%s", diags.v[i].msg);
		conf_diags_deinit(&diags);
		if (rc < 0 || apply_config(&o, sysroot, &err) < 0) {
			opts_deinit(&o);
			return kd_fail(&err);
		}
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, "ho:", lopts, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG:
		case OPT_SYSROOT:
		case OPT_QUIET_CONFIG:
			break;
		case 'o':
			o.output = optarg;
			break;
		case OPT_DEVICE:
			if (strlen(optarg) >= sizeof(o.conf.device) ||
			    (optarg[0] != '/' && strncmp(optarg, "UUID=", 5) != 0 &&
			     strncmp(optarg, "LABEL=", 6) != 0))
				return kd_usage_error("initramfs", "--device wants a /dev path, UUID= "
						      "or LABEL=");
			snprintf(o.conf.device, sizeof(o.conf.device), "%s", optarg);
			break;
		case OPT_TARGET:
			if (strcmp(optarg, "local") == 0)
				o.conf.target = KD_TARGET_LOCAL;
			else if (strcmp(optarg, "raw") == 0)
				o.conf.target = KD_TARGET_RAW;
			else
				return kd_usage_error("initramfs", "--target must be local or raw "
						      "(use --ssh or --nfs for the others)");
			break;
		case OPT_FSTYPE:
			if (strlen(optarg) >= sizeof(o.conf.fstype) || strchr(optarg, '\n'))
				return kd_usage_error("initramfs", "bad --fstype");
			snprintf(o.conf.fstype, sizeof(o.conf.fstype), "%s", optarg);
			break;
		case OPT_PATH:
			if (strlen(optarg) >= sizeof(o.conf.path) || strchr(optarg, '\n'))
				return kd_usage_error("initramfs", "bad --path");
			snprintf(o.conf.path, sizeof(o.conf.path), "%s", optarg);
			break;
		case OPT_LEVEL:
			if (kd_parse_u64(optarg, 10, &u) < 0 || u > 31)
				return kd_usage_error("initramfs", "--level must be 0-31");
			o.conf.level = (unsigned)u;
			break;
		case OPT_COMPRESS:
			if (strlen(optarg) >= sizeof(o.conf.compress) || strchr(optarg, '\n'))
				return kd_usage_error("initramfs", "bad --compress");
			snprintf(o.conf.compress, sizeof(o.conf.compress), "%s", optarg);
			break;
		case OPT_MODULE:
			if (o.n_modules >= MAX_EXTRA_MODULES)
				return kd_usage_error("initramfs", "at most %d --module",
						      MAX_EXTRA_MODULES);
			o.modules[o.n_modules++] = optarg;
			break;
		case OPT_RELEASE:
			o.release = optarg;
			break;
		case OPT_ROOT:
			o.root = optarg;
			break;
		case OPT_KDUMP:
			o.kdump = optarg;
			break;
		case OPT_FINAL:
			if (strcmp(optarg, "poweroff") == 0)
				o.conf.final_action = KD_FINAL_POWEROFF;
			else if (strcmp(optarg, "reboot") == 0)
				o.conf.final_action = KD_FINAL_REBOOT;
			else if (strcmp(optarg, "halt") == 0)
				o.conf.final_action = KD_FINAL_HALT;
			else
				return kd_usage_error("initramfs", "--final-action must be poweroff, "
						      "reboot or halt");
			break;
		case OPT_WAIT:
			if (kd_parse_u64(optarg, 10, &u) < 0 || u > 3600)
				return kd_usage_error("initramfs", "--wait must be 0-3600");
			o.conf.wait_secs = (unsigned)u;
			break;
		case OPT_SAVE_RAW:
			o.conf.save_raw = true;
			break;
		case OPT_NO_COMPRESS:
			o.compress = false;
			break;
		case OPT_SSH:
			if (parse_ssh(optarg, &o) < 0)
				return KD_EXIT_USAGE;
			break;
		case OPT_SSHKEY:
			o.sshkey = optarg;
			break;
		case OPT_KNOWN_HOSTS:
			o.known_hosts = optarg;
			break;
		case OPT_SSH_BIN:
			o.ssh_bin = optarg;
			break;
		case OPT_NFS: {
			const char *colon = strchr(optarg, ':');
			struct in_addr a;
			char ip[48];
			if (!colon || (size_t)(colon - optarg) >= sizeof(ip) || colon[1] != '/' ||
			    strlen(colon + 1) >= sizeof(o.conf.nfs_export) || bad_value(colon + 1))
				return kd_usage_error("initramfs", "--nfs wants SERVER:/EXPORT");
			memcpy(ip, optarg, (size_t)(colon - optarg));
			ip[colon - optarg] = '\0';
			if (inet_pton(AF_INET, ip, &a) != 1)
				return kd_usage_error("initramfs", "--nfs: the server must be an IPv4 "
						      "address (the capture kernel has no resolver)");
			snprintf(o.conf.nfs_server, sizeof(o.conf.nfs_server), "%s", ip);
			snprintf(o.conf.nfs_export, sizeof(o.conf.nfs_export), "%s", colon + 1);
			o.conf.target = KD_TARGET_NFS;
			break;
		}
		case OPT_NFS_VERS:
			if (strcmp(optarg, "3") && strcmp(optarg, "4") && strcmp(optarg, "4.0") &&
			    strcmp(optarg, "4.1") && strcmp(optarg, "4.2"))
				return kd_usage_error("initramfs", "--nfs-vers must be 3, 4, 4.0, 4.1 "
						      "or 4.2");
			snprintf(o.conf.nfs_vers, sizeof(o.conf.nfs_vers), "%s", optarg);
			break;
		case OPT_NET_ADDR: {
			struct in_addr a;
			unsigned p;
			if (strcmp(optarg, "auto") == 0) {
				o.net_auto = true;
				break;
			}
			if (kd_net_parse_cidr(optarg, &a, &p) < 0)
				return kd_usage_error("initramfs", "--net-addr wants IPv4 ADDR/PREFIX, "
						      "e.g. 192.168.1.50/24");
			snprintf(o.conf.net_addr, sizeof(o.conf.net_addr), "%s", optarg);
			break;
		}
		case OPT_NET_GW: {
			struct in_addr a;
			if (inet_pton(AF_INET, optarg, &a) != 1)
				return kd_usage_error("initramfs", "--net-gateway wants an IPv4 "
						      "address");
			snprintf(o.conf.net_gateway, sizeof(o.conf.net_gateway), "%s", optarg);
			break;
		}
		case OPT_NET_IFACE:
			if (strlen(optarg) >= sizeof(o.conf.net_iface) || bad_value(optarg) ||
			    strchr(optarg, '/'))
				return kd_usage_error("initramfs", "bad --net-iface");
			snprintf(o.conf.net_iface, sizeof(o.conf.net_iface), "%s", optarg);
			break;
		case OPT_HOSTNAME:
			if (strlen(optarg) >= sizeof(o.conf.hostname) || bad_value(optarg) ||
			    strchr(optarg, '/'))
				return kd_usage_error("initramfs", "bad --hostname");
			snprintf(o.conf.hostname, sizeof(o.conf.hostname), "%s", optarg);
			break;
		case OPT_BIN:
			if (o.n_bins >= MAX_EXTRA_BINS || optarg[0] != '/')
				return kd_usage_error("initramfs", "--bin wants an absolute path (at "
						      "most %d)", MAX_EXTRA_BINS);
			o.bins[o.n_bins++] = optarg;
			break;
		case 'h':
			help();
			return KD_EXIT_OK;
		default:
			return kd_usage_error("initramfs", "unknown option");
		}
	}
	if (optind < argc)
		return kd_usage_error("initramfs", "unexpected argument '%s'", argv[optind]);
	if (!o.output)
		return kd_usage_error("initramfs", "--output FILE is required");
	if (o.net_auto && (o.conf.target == KD_TARGET_SSH || o.conf.target == KD_TARGET_NFS) &&
	    net_from_route(&o.conf, &err) < 0) {
		opts_deinit(&o);
		return kd_fail(&err);
	}
	if (o.conf.target == KD_TARGET_SSH || o.conf.target == KD_TARGET_NFS) {
		if (!o.conf.net_addr[0]) {
			opts_deinit(&o);
			return kd_usage_error("initramfs", "--%s needs --net-addr ADDR/PREFIX",
					      kd_target_kind_name(o.conf.target));
		}
		if (o.conf.target == KD_TARGET_SSH && !o.conf.path[1])
			snprintf(o.conf.path, sizeof(o.conf.path), "/var/crash");
	} else if (!o.conf.device[0]) {
		opts_deinit(&o);
		return kd_usage_error("initramfs", "--device DEV (or --config FILE) is required");
	}
	rc = build(&o, &err) < 0 ? kd_fail(&err) : KD_EXIT_OK;
	opts_deinit(&o);
	return rc;
}

KD_COMMAND(initramfs, .name = "initramfs", .summary = "build the capture initramfs",
	   .order = 300, .run = run_initramfs);
