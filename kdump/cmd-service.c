// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump start|stop|restart|status|test|list|savecore: the service an admin lives with. */
#include "conf/conf.h"
#include "kdump/dumps.h"
#include "kdump/frontend.h"
#include "kdump/sys/sys.h"
#include "base/base.h"
#include "loader/loader.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>

#define MAX_MODULES 32
#define FLAT_SIGNATURE "makedumpfile"
#define SAVED_SIGNATURE "kdump-savecore"

struct svc {
	const char *root, *config, *kdump, *kernel;
	const char *modules[MAX_MODULES];
	size_t n_modules;
	bool dry_run, rebuild, json, yes;
};

enum { OPT_ROOT = 256, OPT_CONFIG, OPT_KDUMP, OPT_KERNEL, OPT_MODULE, OPT_DRY, OPT_REBUILD,
       OPT_JSON, OPT_YES, OPT_DEVICE };

static const struct option svc_opts[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "sysroot", required_argument, NULL, OPT_ROOT },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "kdump", required_argument, NULL, OPT_KDUMP },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "module", required_argument, NULL, OPT_MODULE },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "rebuild", no_argument, NULL, OPT_REBUILD },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/*
 * Parses the options every service command shares; allowed is the list of long option names
 * this command takes ("root config json"). Returns 0, -1 after --help, or an exit status.
 */
static int svc_args(int argc, char **argv, const char *cmd, const char *allowed, const char *help,
		    struct svc *s, const char **ret_device)
{
	int c, idx;

	*s = (struct svc){ .root = "/" };
	optind = 1;
	while ((c = getopt_long(argc, argv, "hy", svc_opts, &idx)) != -1) {
		const char *name = c == 'y'	       ? "yes"
				   : c == OPT_ROOT ? "root"
				   : c >= 256	   ? svc_opts[idx].name
						   : NULL;
		if (c == 'h') {
			fputs(help, stdout);
			return -1;
		}
		if (!name || !strstr(allowed, name))
			return kd_usage_error(cmd, "bad option");
		switch (c) {
		case OPT_ROOT:
			s->root = optarg;
			break;
		case OPT_CONFIG:
			s->config = optarg;
			break;
		case OPT_KDUMP:
			s->kdump = optarg;
			break;
		case OPT_KERNEL:
			s->kernel = optarg;
			break;
		case OPT_MODULE:
			if (s->n_modules >= MAX_MODULES)
				return kd_usage_error(cmd, "at most %d --module", MAX_MODULES);
			s->modules[s->n_modules++] = optarg;
			break;
		case OPT_DRY:
			s->dry_run = true;
			break;
		case OPT_REBUILD:
			s->rebuild = true;
			break;
		case OPT_JSON:
			s->json = true;
			break;
		case 'y':
		case OPT_YES:
			s->yes = true;
			break;
		case OPT_DEVICE:
			if (ret_device)
				*ret_device = optarg;
			break;
		}
	}
	if (optind < argc)
		return kd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static bool is_real_root(const char *root)
{
	return !root || strcmp(root, "/") == 0;
}

/* ---- the initramfs stamp: what the image was built from --------------------------------- */

static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void stamp_file(char **s, const char *what, const char *path)
{
	struct stat st;
	char *n;

	if (!path || stat(path, &st) < 0)
		n = kd_asprintf("%s%s %s missing\n", *s, what, path ? path : "-");
	else
		n = kd_asprintf("%s%s %s %lld %lld.%09ld\n", *s, what, path, (long long)st.st_size,
				(long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	free(*s);
	*s = n;
}

static void stamp_content(char **s, const char *root, const char *what, const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	char *n;

	if (kd_read_file_at(root, path, 1 << 20, &text, &len, NULL) < 0)
		n = kd_asprintf("%s%s %s missing\n", *s, what, path);
	else
		n = kd_asprintf("%s%s %s %016" PRIx64 "\n", *s, what, path,
				fnv1a(text, len, 0xcbf29ce484222325ull));
	free(*s);
	*s = n;
}

/* The inputs of the capture initramfs: kernel, kdump binary, config, modules, host facts. */
static char *stamp_text(const struct svc *s, const char *release, const char *kernel,
			const char *kdump_bin)
{
	_cleanup_free_ char *moddep = NULL;
	char *t = kd_asprintf("# inputs of the kdump capture initramfs (kdump start)\nrelease %s\n",
			      release);

	if (!t)
		return NULL;
	moddep = kd_asprintf("%s/lib/modules/%s/modules.dep", is_real_root(s->root) ? "" : s->root,
			     release);
	stamp_file(&t, "kernel", kernel);
	stamp_file(&t, "kdump", kdump_bin);
	stamp_file(&t, "modules.dep", moddep);
	if (t)
		stamp_content(&t, s->root, "config", s->config ? s->config : CONF_DEFAULT_FILE);
	if (t)
		stamp_content(&t, s->root, "hostname", "/etc/hostname");
	if (t)
		stamp_content(&t, s->root, "mounts", "/proc/mounts");
	for (size_t i = 0; t && i < s->n_modules; i++) {
		char *n = kd_asprintf("%smodule %s\n", t, s->modules[i]);
		free(t);
		t = n;
	}
	return t;
}

/* ---- new dumps: a log line and the notify command, once per dump ----------------------- */

static void run_notify(char **argv, const char *dir)
{
	size_t n = 0;
	char **v;
	pid_t pid;
	int st;

	while (argv[n])
		n++;
	v = kd_calloc(n + 2, sizeof(*v));
	if (!v)
		return;
	memcpy(v, argv, n * sizeof(*v));
	v[n] = (char *)dir;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execvp(v[0], v);
		fprintf(stderr, "kdump: notify: cannot run %s: %s\n", v[0], strerror(errno));
		_exit(127);
	}
	free(v);
	if (pid < 0) {
		kd_warn("notify: fork failed: %s", strerror(errno));
		return;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		kd_warn("notify %s exited with status %d", argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* Reports the dumps in dir not yet in /var/lib/kdump/seen; returns how many were new. */
static int report_new_dumps(const struct svc *s, const struct conf *c, const char *dir)
{
	_cleanup_free_ char *seen_path = kd_path_at(s->root, KD_STATE_DIR "/seen");
	_cleanup_free_ char *seen = NULL;
	_cleanup_fclose_ FILE *out = NULL;
	struct kd_dump_list l;
	int fresh = 0;

	if (!seen_path || kd_dumps_list(dir, &l, NULL) < 0)
		return 0;
	if (kd_read_file_at(NULL, seen_path, 4 << 20, &seen, NULL, NULL) < 0)
		seen = NULL;
	for (size_t i = 0; i < l.n; i++) {
		const struct kd_dump *d = &l.v[i];
		_cleanup_free_ char *full = kd_asprintf("%s/%s", dir, d->name);
		_cleanup_free_ char *line = kd_asprintf("%s\n", full ? full : "");
		char sz[32];
		if (!full || !line || !d->complete)
			continue;
		{
			/* an exact line of the seen list */
			const char *p = seen;
			bool found = false;
			size_t ll = strlen(line);
			while (p && *p) {
				if (strncmp(p, line, ll) == 0) {
					found = true;
					break;
				}
				p = strchr(p, '\n');
				p = p ? p + 1 : NULL;
			}
			if (found)
				continue;
		}
		if (!out) {
			_cleanup_free_ char *sd = kd_path_at(s->root, KD_STATE_DIR);
			if (sd)
				mkdir(sd, 0700);
			out = fopen(seen_path, "ae");
		}
		kd_info("new dump: %s (%s, kernel %s, crashed %s%s%s)", full,
			kd_format_size(d->bytes, sz, sizeof(sz)), d->release[0] ? d->release : "?",
			d->crash_time[0] ? d->crash_time : "?", d->panic[0] ? ": " : "", d->panic);
		if (c->notify)
			run_notify(c->notify, full);
		if (out)
			fputs(line, out);
		fresh++;
	}
	kd_dumps_free(&l);
	return fresh;
}

/* ---- savecore: a flattened dump on a raw device becomes <path>/<host>-<date>/vmcore ---- */

static int save_extras(int dirfd, const char *vmcore)
{
	static const struct {
		const char *cmd, *opt, *file;
	} x[] = { { "dmesg", NULL, "dmesg.txt" }, { "info", NULL, "info.txt" },
		  { "info", "--json", "info.json" } };

	for (size_t i = 0; i < KD_ARRAY_SIZE(x); i++) {
		char *argv[4] = { (char *)x[i].cmd };
		int a = 1;
		_cleanup_close_ int fd = -1;
		if (x[i].opt)
			argv[a++] = (char *)x[i].opt;
		argv[a] = (char *)vmcore;
		if (!kd_find_command(x[i].cmd))
			continue;
		fd = openat(dirfd, x[i].file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || kd_run_command(x[i].cmd, argv, fd) != 0)
			kd_warn("%s: not written completely", x[i].file);
	}
	return 0;
}

/*
 * Finds a flattened dump at the start of the device (makedumpfile's signature), reassembles
 * it into dir/<host>-<date-time>/vmcore with `kdump reassemble`, then overwrites the
 * signature so the same stream is not saved twice. Returns 1 when a dump was saved, 0 when
 * there was none, or -errno; *ret_exit gets KD_EXIT_INCOMPLETE for a cut stream.
 */
static int savecore(const struct svc *s, const struct conf *c, const char *devspec,
		    bool literal, int *ret_exit, struct kd_err *err)
{
	_cleanup_free_ char *dev = kd_resolve_device(literal ? NULL : s->root, devspec);
	_cleanup_free_ char *top = NULL, *dir = NULL, *vmcore = NULL, *hostfile = NULL;
	_cleanup_close_ int fd = -1, dirfd = -1, marker = -1;
	char sig[16] = "", host[65] = "", name[160];
	char *argv[5];
	int rc, r;

	*ret_exit = KD_EXIT_OK;
	if (!dev)
		return kd_err_set(err, -ENODEV, "raw target %s not found", devspec);
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s", dev);
	if (kd_pread_all(fd, sig, sizeof(sig), 0) != (ssize_t)sizeof(sig))
		return kd_err_set(err, -EIO, "%s: cannot read its first 16 bytes", dev);
	if (memcmp(sig, SAVED_SIGNATURE, strlen(SAVED_SIGNATURE)) == 0) {
		printf("kdump savecore: %s: the dump on it was already saved\n", dev);
		return 0;
	}
	if (memcmp(sig, FLAT_SIGNATURE, strlen(FLAT_SIGNATURE) + 1) != 0) {
		printf("kdump savecore: %s: no flattened dump on it\n", dev);
		return 0;
	}
	if (!kd_find_command("reassemble"))
		return kd_err_set(err, -ENOSYS, "%s holds a dump, but this kdump has no "
				  "'reassemble' command", dev);
	top = kd_path_at(s->root, c->path);
	if (!top)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (kd_read_file_at(s->root, "/etc/hostname", 4096, &hostfile, NULL, NULL) == 0)
		sscanf(hostfile, "%64s", host);
	else if (is_real_root(s->root))
		gethostname(host, sizeof(host) - 1);
	kd_dump_dir_name(host, time(NULL), name, sizeof(name));
	dir = kd_asprintf("%s/%s", top, name);
	vmcore = kd_asprintf("%s/vmcore", dir ? dir : "");
	if (!dir || !vmcore)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (s->dry_run) {
		printf("kdump savecore: would save the dump on %s to %s\n", dev, vmcore);
		return 1;
	}
	for (char *p = top + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(top, 0755);
		*p = '/';
	}
	mkdir(top, 0700);
	r = kd_dump_dir_begin(dir, &dirfd, &marker, err);
	if (r < 0)
		return r;
	argv[0] = (char *)"reassemble";
	argv[1] = dev;
	argv[2] = vmcore;
	argv[3] = NULL;
	{
		mode_t old = umask(077);
		rc = kd_run_command("reassemble", argv, -1);
		umask(old);
	}
	if (rc != KD_EXIT_OK && rc != KD_EXIT_INCOMPLETE)
		return kd_err_set(err, -EIO, "kdump reassemble %s %s failed (exit %d); the device "
				  "is left as it was", dev, vmcore, rc);
	chmod(vmcore, 0600);
	save_extras(dirfd, vmcore);
	if (rc == KD_EXIT_OK && unlinkat(dirfd, KD_INCOMPLETE_MARKER, 0) < 0)
		return kd_err_sys(err, -errno, "cannot remove %s/" KD_INCOMPLETE_MARKER, dir);
	fsync(dirfd);
	/* Consumed: the signature is overwritten, the rest of the stream stays for forensics. */
	memset(sig, 0, sizeof(sig));
	memcpy(sig, SAVED_SIGNATURE, strlen(SAVED_SIGNATURE));
	if (kd_pwrite_all(fd, sig, sizeof(sig), 0) < 0 || fsync(fd) < 0)
		return kd_err_sys(err, -errno, "%s: cannot mark the dump as saved", dev);
	printf("kdump savecore: %s -> %s%s\n", dev, vmcore,
	       rc == KD_EXIT_INCOMPLETE ? " (INCOMPLETE: the stream was cut short)" : "");
	if (c->keep) {
		unsigned removed = 0;
		struct kd_err e2 = { 0 };
		if (kd_dumps_prune(top, c->keep, name, &removed, &e2) < 0)
			kd_warn("keep %u: %s", c->keep, e2.msg);
		else if (removed)
			kd_info("keep %u: %u older dump(s) removed", c->keep, removed);
	}
	*ret_exit = rc;
	return 1;
}

static const char help_savecore[] =
	"NAME\n    kdump savecore - turn a dump on a raw device into a dump file\n\n"
	"SYNOPSIS\n    kdump savecore [--device DEV] [--config FILE] [--root DIR] [--dry-run]\n\n"
	"DESCRIPTION\n"
	"    With a \"raw\" target, the capture kernel writes a flattened stream onto the device.\n"
	"    At the next boot (`kdump start` does it), savecore finds it (makedumpfile's\n"
	"    signature at byte 0), reassembles it with the code of `kdump reassemble` into\n"
	"    <path>/<host>-<date-time>/vmcore with dmesg.txt, info.txt and info.json beside it\n"
	"    (a .incomplete marker until it is done; files 0600, directories 0700), then\n"
	"    overwrites the signature with \"" SAVED_SIGNATURE "\" so it is not saved twice.\n\n"
	"OPTIONS\n"
	"    --device DEV     the raw device or an image of it, as given (not under --root;\n"
	"                     default: the raw target of kdump.conf)\n"
	"    --config FILE    kdump.conf (default /etc/kdump.conf)\n"
	"    --root DIR       read the config and write the dump under DIR\n"
	"    --dry-run        say what would be saved; change nothing\n\n"
	"EXIT STATUS\n"
	"    0 saved, or nothing to save; 1 failure (the device is left as it was); 2 usage;\n"
	"    3 saved but the stream was cut short (the dump is marked incomplete).\n\n"
	"EXAMPLES\n    kdump savecore\n    kdump savecore --device /dev/disk/by-partlabel/crash\n";

static int run_savecore(int argc, char **argv)
{
	struct svc s;
	struct conf *c = NULL;
	struct kd_err err = { 0 };
	const char *device = NULL;
	_cleanup_free_ char *spec = NULL;
	int rc = svc_args(argc, argv, "savecore", "root config device dry-run", help_savecore, &s,
			  &device);
	int ex;

	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	if (kd_svc_conf(s.root, s.config, &c, &err) < 0)
		return kd_fail(&err);
	if (!device) {
		if (c->target.kind != CONF_TARGET_RAW) {
			conf_destroy(c);
			printf("kdump savecore: the target is not raw: nothing to do\n");
			return KD_EXIT_OK;
		}
		spec = c->target.device_kind == CONF_DEVICE_PATH
			       ? kd_strdup(c->target.device)
			       : kd_asprintf("%s=%s", conf_device_kind_name(c->target.device_kind),
					     c->target.device);
		device = spec;
	}
	rc = savecore(&s, c, device, !spec, &ex, &err);
	conf_destroy(c);
	if (rc < 0)
		return kd_fail(&err);
	return ex;
}

/* ---- start / stop / restart ---------------------------------------------------------- */

static const char help_start[] =
	"NAME\n    kdump start - check the config, build the capture initramfs if needed, arm\n\n"
	"SYNOPSIS\n    kdump start [--config FILE] [--root DIR] [--kernel K] [--kdump BIN]\n"
	"                [--module NAME]... [--rebuild] [--dry-run]\n\n"
	"DESCRIPTION\n"
	"    What the service does at boot (kdump.service):\n"
	"    1. validates kdump.conf (as `kdump config check`); an invalid config arms nothing;\n"
	"    2. with a raw target, saves a dump left on the device (`kdump savecore`);\n"
	"    3. reports dumps not seen before (a log line each, and the notify command of\n"
	"       kdump.conf with the dump's directory as last argument; /var/lib/kdump/seen);\n"
	"    4. builds the capture initramfs " KD_STATE_DIR "/initrd.img-RELEASE with\n"
	"       `kdump initramfs --config` when one of its inputs changed since the last build:\n"
	"       the kernel, this kdump binary, kdump.conf, modules.dep, /etc/hostname, the mounts\n"
	"       (size and mtime, or a hash of the content, kept in initrd.img-RELEASE.stamp);\n"
	"       force_rebuild 1 always rebuilds, force_no_rebuild 1 never does;\n"
	"    5. arms the capture kernel: `kdump load` of /boot/vmlinuz-RELEASE with that\n"
	"       initramfs and the running command line plus \"" KD_CAPTURE_APPEND "\"\n"
	"       and capture_cmdline_append.\n\n"
	"OPTIONS\n"
	"    --config FILE   kdump.conf (default /etc/kdump.conf, under --root)\n"
	"    --root DIR      a system tree to work on (tests): /proc, /sys, /boot, /etc, /var\n"
	"    --kernel K      the capture kernel (default /boot/vmlinuz-RELEASE)\n"
	"    --kdump BIN     the static kdump binary for the initramfs (default: this one)\n"
	"    --module NAME   a module for the target's disk (e.g. virtio_blk, nvme); repeatable\n"
	"    --rebuild       rebuild the initramfs whatever the stamp says\n"
	"    --dry-run       build the initramfs if needed, then `kdump load --dry-run`\n\n"
	"EXIT STATUS\n    0 armed (or planned), 1 failure, 2 usage.\n\n"
	"EXAMPLES\n    kdump start\n    kdump start --module nvme --rebuild\n";

static int do_start(const struct svc *s)
{
	struct conf *c = NULL;
	struct loader_sysinfo *si = NULL;
	struct kd_err err = { 0 };
	_cleanup_free_ char *kernel = NULL, *initrd = NULL, *tmp = NULL, *stamp_path = NULL;
	_cleanup_free_ char *stamp = NULL, *old = NULL, *self = NULL, *append = NULL;
	_cleanup_free_ char *dumpdir = NULL, *statedir = NULL, *cfg = NULL;
	const char *why = NULL, *kdump_bin = s->kdump;
	bool build;
	int rc = KD_EXIT_FAIL;
	struct stat st;

	if (kd_svc_conf(s->root, s->config, &c, &err) < 0)
		goto fail;
	if (loader_sysinfo_read(is_real_root(s->root) ? NULL : s->root, &si, &err) < 0)
		goto fail;
	if (!si->n_crash && !si->iomem_zeroed) {
		kd_err_set(&err, -ENOENT, "no crash kernel reservation (no \"Crash kernel\" in "
			   "/proc/iomem): run `kdump estimate`, `kdump crashkernel --set`, "
			   "update-grub, and reboot");
		goto fail;
	}
	if (!si->release) {
		kd_err_set(&err, -ENOENT, "cannot tell the running kernel's release");
		goto fail;
	}
	if (c->target.kind == CONF_TARGET_RAW) {
		_cleanup_free_ char *spec = c->target.device_kind == CONF_DEVICE_PATH
			? kd_strdup(c->target.device)
			: kd_asprintf("%s=%s", conf_device_kind_name(c->target.device_kind), c->target.device);
		int ex;
		if (spec && savecore(s, c, spec, false, &ex, &err) < 0) {
			kd_fail(&err);
			kd_err_clear(&err);
		}
	}
	kd_svc_dump_dir(s->root, c, &dumpdir, &why);
	if (dumpdir)
		report_new_dumps(s, c, dumpdir);

	kernel = s->kernel ? kd_strdup(s->kernel) : NULL;
	if (!kernel) {
		_cleanup_free_ char *rel = kd_asprintf("/boot/vmlinuz-%s", si->release);
		kernel = rel ? kd_path_at(s->root, rel) : NULL;
	}
	initrd = kd_svc_initrd_path(s->root, si->release);
	statedir = kd_path_at(s->root, KD_STATE_DIR);
	if (!kernel || !initrd || !statedir || !(tmp = kd_asprintf("%s.tmp", initrd)) ||
	    !(stamp_path = kd_asprintf("%s.stamp", initrd))) {
		kd_err_set(&err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (stat(kernel, &st) < 0) {
		kd_err_sys(&err, -errno, "no capture kernel %s: pass --kernel", kernel);
		goto fail;
	}
	if (!kdump_bin) {
		self = realpath("/proc/self/exe", NULL);
		kdump_bin = self;
	}
	stamp = stamp_text(s, si->release, kernel, kdump_bin);
	if (!stamp) {
		kd_err_set(&err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (kd_read_file_at(NULL, stamp_path, 1 << 20, &old, NULL, NULL) < 0)
		old = NULL;
	if (c->force_no_rebuild) {
		if (access(initrd, R_OK) < 0) {
			kd_err_set(&err, -ENOENT, "force_no_rebuild 1, but there is no %s: build it "
				   "(`kdump start --rebuild` or set force_no_rebuild 0)", initrd);
			goto fail;
		}
		build = false;
		kd_info("force_no_rebuild: using %s as it is", initrd);
	} else {
		build = s->rebuild || c->force_rebuild || access(initrd, R_OK) < 0 || !old ||
			strcmp(old, stamp) != 0;
		if (!build)
			kd_info("capture initramfs %s is up to date", initrd);
	}
	if (build) {
		char *argv[40];
		int n = 0, r;
		_cleanup_close_ int sfd = -1;
		for (char *p = statedir + 1; (p = strchr(p, '/')); p++) {
			*p = '\0';
			mkdir(statedir, 0755);
			*p = '/';
		}
		mkdir(statedir, 0700);
		cfg = kd_strdup(s->config ? s->config : CONF_DEFAULT_FILE);
		argv[n++] = (char *)"initramfs";
		argv[n++] = (char *)"-o";
		argv[n++] = tmp;
		argv[n++] = (char *)"--config";
		argv[n++] = cfg;
		argv[n++] = (char *)"--quiet-config";
		argv[n++] = (char *)"--sysroot";
		argv[n++] = (char *)s->root;
		argv[n++] = (char *)"--kernel-root";
		argv[n++] = (char *)s->root;
		argv[n++] = (char *)"--release";
		argv[n++] = si->release;
		if (s->kdump) {
			argv[n++] = (char *)"--kdump";
			argv[n++] = (char *)s->kdump;
		}
		for (size_t i = 0; i < s->n_modules; i++) {
			argv[n++] = (char *)"--module";
			argv[n++] = (char *)s->modules[i];
		}
		argv[n] = NULL;
		kd_info("building the capture initramfs %s (%s)", initrd,
			s->rebuild || c->force_rebuild ? "rebuild asked"
			: !old			       ? "first build"
						       : "its inputs changed");
		r = kd_run_command("initramfs", argv, -1);
		if (r != KD_EXIT_OK) {
			unlink(tmp);
			kd_err_set(&err, -EIO, "kdump initramfs failed (exit %d): the capture kernel "
				   "is left as it was", r);
			goto fail;
		}
		if (rename(tmp, initrd) < 0) {
			kd_err_sys(&err, -errno, "cannot rename %s to %s", tmp, initrd);
			goto fail;
		}
		chmod(initrd, 0600);
		sfd = open(stamp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (sfd < 0 || kd_write_all(sfd, stamp, strlen(stamp)) < 0)
			kd_warn("cannot write %s: the next start rebuilds", stamp_path);
	}
	append = kd_asprintf("%s%s%s", KD_CAPTURE_APPEND, c->capture_cmdline_append ? " " : "",
			     c->capture_cmdline_append ? c->capture_cmdline_append : "");
	{
		char *argv[16];
		int n = 0, r;
		argv[n++] = (char *)"load";
		argv[n++] = (char *)"--kernel";
		argv[n++] = kernel;
		argv[n++] = (char *)"--initrd";
		argv[n++] = initrd;
		argv[n++] = (char *)"--reuse-cmdline";
		argv[n++] = (char *)"--append";
		argv[n++] = append;
		if (!is_real_root(s->root)) {
			argv[n++] = (char *)"--sysroot";
			argv[n++] = (char *)s->root;
		}
		if (s->dry_run)
			argv[n++] = (char *)"--dry-run";
		argv[n] = NULL;
		r = kd_run_command("load", argv, -1);
		if (r != KD_EXIT_OK) {
			kd_err_set(&err, -EIO, "kdump load failed (exit %d)", r);
			goto fail;
		}
	}
	rc = KD_EXIT_OK;
	goto out;
fail:
	rc = kd_fail(&err);
out:
	conf_destroy(c);
	loader_sysinfo_destroy(si);
	return rc;
}

static int run_start(int argc, char **argv)
{
	struct svc s;
	int rc = svc_args(argc, argv, "start", "root config kdump kernel module rebuild dry-run",
			  help_start, &s, NULL);

	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	return do_start(&s);
}

static const char help_stop[] =
	"NAME\n    kdump stop - disarm the capture kernel\n\n"
	"SYNOPSIS\n    kdump stop [--dry-run]\n\n"
	"DESCRIPTION\n    `kdump unload`, for the service (ExecStop= of kdump.service). A panic then\n"
	"    reboots without a dump. Nothing loaded is not an error.\n\n"
	"EXIT STATUS\n    0 unloaded, 1 failure, 2 usage.\n\nEXAMPLES\n    kdump stop\n";

static int do_stop(const struct svc *s)
{
	char *argv[] = { (char *)"unload", NULL };

	if (s->dry_run) {
		printf("kdump stop: would unload the capture kernel\n");
		return KD_EXIT_OK;
	}
	return kd_run_command("unload", argv, -1);
}

static int run_stop(int argc, char **argv)
{
	struct svc s;
	int rc = svc_args(argc, argv, "stop", "dry-run", help_stop, &s, NULL);

	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	return do_stop(&s);
}

static const char help_restart[] =
	"NAME\n    kdump restart - stop, then start (after editing kdump.conf)\n\n"
	"SYNOPSIS\n    kdump restart [the options of kdump start]\n\n"
	"DESCRIPTION\n    `kdump stop` then `kdump start`. The config is checked first: an invalid\n"
	"    config leaves the armed capture kernel as it is.\n\n"
	"EXIT STATUS\n    as kdump start.\n\nEXAMPLES\n    kdump restart\n";

static int run_restart(int argc, char **argv)
{
	struct svc s;
	struct conf *c = NULL;
	struct kd_err err = { 0 };
	int rc = svc_args(argc, argv, "restart", "root config kdump kernel module rebuild dry-run",
			  help_restart, &s, NULL);

	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	if (kd_svc_conf(s.root, s.config, &c, &err) < 0)
		return kd_fail(&err);
	conf_destroy(c);
	rc = do_stop(&s);
	if (rc != KD_EXIT_OK)
		return rc;
	return do_start(&s);
}

/* ---- status ------------------------------------------------------------------------------ */

static const char help_status[] =
	"NAME\n    kdump status - one screen: armed or not, where the dump would go\n\n"
	"SYNOPSIS\n    kdump status [--json] [--config FILE] [--root DIR]\n\n"
	"DESCRIPTION\n"
	"    The crash kernel reservation and where it is, whether a capture kernel is loaded\n"
	"    (and whether the kernel updates it on CPU/memory hotplug), the kernel, initramfs\n"
	"    (up to date or not) and command line `kdump start` would load, the dump target and\n"
	"    the free space there, the last dump found, and whether kdump.conf is valid.\n\n"
	"OPTIONS\n"
	"    --json          the same as one JSON object\n"
	"    --config FILE   kdump.conf (default /etc/kdump.conf)\n"
	"    --root DIR      read /proc, /sys, /boot, /etc and the dumps under DIR\n\n"
	"EXIT STATUS\n    0 armed, 1 not armed or unknown, 2 usage.\n\n"
	"EXAMPLES\n    kdump status\n    kdump status --json | jq .loaded\n";

static int run_status(int argc, char **argv)
{
	struct svc s;
	struct conf *c = NULL;
	struct loader_sysinfo *si = NULL;
	struct loader_plan *plan = NULL;
	struct kd_err err = { 0 }, cerr = { 0 }, perr = { 0 };
	_cleanup_free_ char *kernel = NULL, *initrd = NULL, *stamp_path = NULL, *old = NULL;
	_cleanup_free_ char *stamp = NULL, *self = NULL, *dumpdir = NULL, *append = NULL;
	_cleanup_free_ char *hotplug = NULL, *target = NULL;
	const char *why = NULL, *initrd_state = "missing (kdump start builds it)";
	struct kd_dump_list dl = { 0 };
	const struct kd_dump *last = NULL;
	uint64_t avail = 0;
	bool have_avail = false, conf_ok;
	char b1[32], b2[32];
	int rc = svc_args(argc, argv, "status", "root config json", help_status, &s, NULL);

	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	if (loader_sysinfo_read(is_real_root(s.root) ? NULL : s.root, &si, &err) < 0)
		return kd_fail(&err);
	conf_ok = conf_load(s.root, s.config ? s.config : CONF_DEFAULT_FILE, &c, NULL, &cerr) >= 0;
	if (!conf_ok && conf_parse("", 0, "defaults", &c, NULL, &err) < 0) {
		loader_sysinfo_destroy(si);
		return kd_fail(&err);
	}
	if (si->release) {
		_cleanup_free_ char *rel = kd_asprintf("/boot/vmlinuz-%s", si->release);
		kernel = rel ? kd_path_at(s.root, rel) : NULL;
		initrd = kd_svc_initrd_path(s.root, si->release);
		stamp_path = initrd ? kd_asprintf("%s.stamp", initrd) : NULL;
		if (stamp_path && kd_read_file_at(NULL, stamp_path, 1 << 20, &old, NULL, NULL) < 0)
			old = NULL;
		/* The binary the image was built with (start --kdump), as the stamp says. */
		if (old) {
			const char *k = strstr(old, "\nkdump ");
			char bin[PATH_MAX];
			if (k && sscanf(k + 7, "%4095s", bin) == 1)
				self = kd_strdup(bin);
		}
		if (!self)
			self = realpath("/proc/self/exe", NULL);
		stamp = stamp_text(&s, si->release, kernel, self);
		if (initrd && access(initrd, R_OK) == 0) {
			if (!old)
				initrd_state = "present, no stamp (kdump start rebuilds it)";
			else if (stamp && strcmp(old, stamp) == 0)
				initrd_state = "up to date";
			else
				initrd_state = "stale: an input changed (kdump start rebuilds it)";
		}
	}
	append = kd_asprintf("%s%s%s", KD_CAPTURE_APPEND, c->capture_cmdline_append ? " " : "",
			     c->capture_cmdline_append ? c->capture_cmdline_append : "");
	if (kernel && si->n_crash && access(kernel, R_OK) == 0) {
		struct loader_opts o = { .mode = LOADER_MODE_CRASH, .kernel_path = kernel,
					 .initrd_path = initrd && access(initrd, R_OK) == 0 ? initrd : NULL,
					 .reuse_cmdline = true, .append = append };
		loader_plan_create(si, &o, &plan, &perr);
	}
	kd_read_file_at(s.root, "/sys/devices/system/cpu/crash_hotplug", 64, &hotplug, NULL, NULL);
	switch (c->target.kind) {
	case CONF_TARGET_ROOTFS:
		target = kd_asprintf("root filesystem, path %s", c->path);
		break;
	case CONF_TARGET_RAW:
		target = kd_asprintf("raw %s (saved to %s by kdump savecore)", c->target.spec, c->path);
		break;
	default:
		target = kd_asprintf("%s %s, path %s", c->target.fstype ? c->target.fstype
					 : conf_target_kind_name(c->target.kind), c->target.spec, c->path);
	}
	kd_svc_dump_dir(s.root, c, &dumpdir, &why);
	if (dumpdir) {
		_cleanup_free_ char *probe = kd_strdup(dumpdir);
		struct statvfs sv;
		/* The dump directory may not exist yet: its nearest existing parent. */
		while (probe && statvfs(probe, &sv) < 0 && strrchr(probe, '/') && probe[1])
			*(strrchr(probe, '/') == probe ? probe + 1 : strrchr(probe, '/')) = '\0';
		if (probe && statvfs(probe, &sv) == 0) {
			avail = (uint64_t)sv.f_bavail * sv.f_frsize;
			have_avail = true;
		}
		if (kd_dumps_list(dumpdir, &dl, NULL) == 0 && dl.n)
			last = &dl.v[dl.n - 1];
	}
	if (s.json) {
		struct kd_json j;
		kd_json_init(&j, stdout);
		kd_json_begin_object(&j, NULL);
		kd_json_begin_array(&j, "reservation");
		for (size_t i = 0; i < si->n_crash; i++) {
			kd_json_begin_object(&j, NULL);
			kd_json_u64(&j, "start", si->crash[i].start);
			kd_json_u64(&j, "end", si->crash[i].end);
			kd_json_u64(&j, "bytes", si->crash[i].end - si->crash[i].start + 1);
			kd_json_end_object(&j);
		}
		kd_json_end_array(&j);
		if (si->crash_loaded < 0)
			kd_json_null(&j, "loaded");
		else
			kd_json_bool(&j, "loaded", si->crash_loaded == 1);
		kd_json_bool(&j, "crash_hotplug", hotplug && hotplug[0] == '1');
		kd_json_string(&j, "release", si->release);
		kd_json_string(&j, "kernel", kernel);
		kd_json_string(&j, "initramfs", initrd);
		kd_json_string(&j, "initramfs_state", initrd_state);
		kd_json_string(&j, "cmdline", plan ? plan->cmdline : NULL);
		if (!plan)
			kd_json_string(&j, "load_error", perr.msg[0] ? perr.msg : "no reservation or kernel");
		kd_json_bool(&j, "config_valid", conf_ok);
		if (!conf_ok)
			kd_json_string(&j, "config_error", cerr.msg);
		kd_json_string(&j, "target", target);
		kd_json_string(&j, "dump_dir", dumpdir);
		if (!dumpdir)
			kd_json_string(&j, "dump_dir_unknown", why);
		if (have_avail)
			kd_json_u64(&j, "free_bytes", avail);
		else
			kd_json_null(&j, "free_bytes");
		if (last) {
			kd_json_begin_object(&j, "last_dump");
			kd_json_string(&j, "name", last->name);
			kd_json_bool(&j, "complete", last->complete);
			kd_json_u64(&j, "bytes", last->bytes);
			kd_json_string(&j, "release", last->release);
			kd_json_string(&j, "crash_time", last->crash_time);
			kd_json_string(&j, "panic", last->panic);
			kd_json_end_object(&j);
		} else {
			kd_json_null(&j, "last_dump");
		}
		kd_json_u64(&j, "dumps", dl.n);
		kd_json_end_object(&j);
		kd_json_finish(&j);
	} else {
		printf("capture kernel:  %s%s\n",
		       si->crash_loaded == 1 ? "loaded (armed)"
		       : si->crash_loaded == 0 ? "NOT loaded (kdump start)"
					       : "unknown (no /sys/kernel/kexec_crash_loaded)",
		       hotplug && hotplug[0] == '1' ? "; the kernel updates it on CPU/memory hotplug"
						    : "");
		if (!si->n_crash)
			printf("reservation:     none (kdump estimate; kdump crashkernel --set)\n");
		for (size_t i = 0; i < si->n_crash; i++)
			printf("reservation:     %s at 0x%" PRIx64 "-0x%" PRIx64 "\n",
			       kd_format_size(si->crash[i].end - si->crash[i].start + 1, b1, sizeof(b1)),
			       si->crash[i].start, si->crash[i].end);
		printf("kernel:          %s\n", kernel ? kernel : "unknown release");
		printf("initramfs:       %s: %s\n", initrd ? initrd : "-", initrd_state);
		if (plan)
			printf("command line:    %s\n", plan->cmdline);
		else
			printf("would load:      nothing (%s)\n",
			       perr.msg[0] ? perr.msg : "no reservation or no kernel");
		if (conf_ok)
			printf("config:          %s: valid\n", c->file);
		else if (cerr.code == -ENOENT)
			printf("config:          none (%s; the defaults apply)\n", cerr.msg);
		else
			printf("config:          INVALID: %s\n", cerr.msg);
		printf("target:          %s\n", target ? target : "?");
		if (dumpdir)
			printf("dump directory:  %s, %s free\n", dumpdir,
			       have_avail ? kd_format_size(avail, b2, sizeof(b2)) : "?");
		else
			printf("dump directory:  unknown (%s)\n", why);
		if (last)
			printf("last dump:       %s: %s, %s, kernel %s, crashed %s%s%s (%zu dump(s))\n",
			       last->name, last->complete ? "complete" : "INCOMPLETE",
			       kd_format_size(last->bytes, b1, sizeof(b1)),
			       last->release[0] ? last->release : "?",
			       last->crash_time[0] ? last->crash_time : "?", last->panic[0] ? ": " : "",
			       last->panic, dl.n);
		else
			printf("last dump:       none\n");
	}
	rc = si->crash_loaded == 1 ? KD_EXIT_OK : KD_EXIT_FAIL;
	kd_dumps_free(&dl);
	loader_plan_destroy(plan);
	loader_sysinfo_destroy(si);
	conf_destroy(c);
	return rc;
}

/* ---- test ---------------------------------------------------------------------------------- */

static const char help_test[] =
	"NAME\n    kdump test - crash this machine now, to prove a dump is written\n\n"
	"SYNOPSIS\n    kdump test [--yes] [--root DIR]\n\n"
	"DESCRIPTION\n"
	"    Refuses unless a capture kernel is loaded (/sys/kernel/kexec_crash_loaded = 1).\n"
	"    On a terminal it asks to type \"yes\"; elsewhere it needs --yes. Then syncs the\n"
	"    file systems and writes 'c' to /proc/sysrq-trigger: the kernel panics, the\n"
	"    capture kernel writes the dump, and the machine does its final_action.\n"
	"    EVERYTHING RUNNING IS LOST.\n\n"
	"OPTIONS\n"
	"    -y, --yes       do not ask\n"
	"    --root DIR      use DIR's /sys and /proc (tests: the trigger is a plain file)\n\n"
	"EXIT STATUS\n    does not return on success; 1 refused or failed, 2 usage.\n\n"
	"EXAMPLES\n    kdump status && kdump test\n";

static int run_test(int argc, char **argv)
{
	struct svc s;
	_cleanup_free_ char *loaded = NULL, *trigger = NULL;
	_cleanup_close_ int fd = -1;
	struct kd_err err = { 0 };
	char host[65] = "this machine";
	int rc = svc_args(argc, argv, "test", "root yes", help_test, &s, NULL);

	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	if (kd_read_file_at(s.root, "/sys/kernel/kexec_crash_loaded", 64, &loaded, NULL, &err) < 0)
		return kd_fail(&err);
	if (loaded[0] != '1') {
		kd_err_set(&err, -EINVAL, "no capture kernel is loaded: a crash now would write no "
			   "dump. Run `kdump start` first");
		return kd_fail(&err);
	}
	if (is_real_root(s.root))
		gethostname(host, sizeof(host) - 1);
	if (!s.yes) {
		char line[16] = "";
		if (!isatty(STDIN_FILENO)) {
			kd_err_set(&err, -EPERM, "not on a terminal: pass --yes to crash %s", host);
			return kd_fail(&err);
		}
		fprintf(stderr, "kdump test: this crashes %s NOW (sysrq-c); everything running is "
			"lost.\nType yes to go on: ", host);
		if (!fgets(line, sizeof(line), stdin) || strcmp(line, "yes\n") != 0) {
			fprintf(stderr, "kdump test: not confirmed; nothing done\n");
			return KD_EXIT_FAIL;
		}
	}
	trigger = kd_path_at(s.root, "/proc/sysrq-trigger");
	if (!trigger)
		return KD_EXIT_FAIL;
	sync();
	fd = open(trigger, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		kd_err_sys(&err, -errno, "cannot open %s", trigger);
		return kd_fail(&err);
	}
	fprintf(stderr, "kdump test: crashing %s\n", host);
	if (kd_write_all(fd, "c", 1) < 0) {
		kd_err_sys(&err, -errno, "cannot write %s", trigger);
		return kd_fail(&err);
	}
	if (!is_real_root(s.root)) {
		printf("kdump test: wrote 'c' to %s\n", trigger);
		return KD_EXIT_OK;
	}
	sleep(30);
	kd_err_set(&err, -EIO, "still alive 30 s after sysrq-c: is /proc/sysrq-trigger real?");
	return kd_fail(&err);
}

/* ---- list ------------------------------------------------------------------------------------ */

static const char help_list[] =
	"NAME\n    kdump list - the dumps found, their status and summary\n\n"
	"SYNOPSIS\n    kdump list [--json] [--config FILE] [--root DIR]\n\n"
	"DESCRIPTION\n"
	"    Lists <path>/<host>-<date-time>/ under the dump directory of kdump.conf (on the\n"
	"    target filesystem when it is mounted), oldest first: complete or INCOMPLETE (a\n"
	"    .incomplete marker: the capture did not finish), size, kernel release, crash time\n"
	"    and panic message from info.json.\n\n"
	"OPTIONS\n"
	"    --json          one JSON object with a \"dumps\" array\n"
	"    --config FILE   kdump.conf (default /etc/kdump.conf)\n"
	"    --root DIR      look under DIR\n\n"
	"EXIT STATUS\n    0 listed (even none), 1 the dump directory is unknown, 2 usage.\n\n"
	"EXAMPLES\n    kdump list\n    kdump list --json | jq '.dumps[-1].panic'\n";

static int run_list(int argc, char **argv)
{
	struct svc s;
	struct conf *c = NULL;
	struct kd_err err = { 0 };
	struct kd_dump_list l;
	_cleanup_free_ char *dir = NULL;
	const char *why = NULL;
	int rc = svc_args(argc, argv, "list", "root config json", help_list, &s, NULL);

	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	if (kd_svc_conf(s.root, s.config, &c, &err) < 0)
		return kd_fail(&err);
	kd_svc_dump_dir(s.root, c, &dir, &why);
	conf_destroy(c);
	if (!dir) {
		kd_err_set(&err, -ENOENT, "cannot list the dumps: %s", why ? why : "out of memory");
		return kd_fail(&err);
	}
	if (kd_dumps_list(dir, &l, &err) < 0)
		return kd_fail(&err);
	if (s.json) {
		struct kd_json j;
		kd_json_init(&j, stdout);
		kd_json_begin_object(&j, NULL);
		kd_json_string(&j, "dir", dir);
		kd_json_begin_array(&j, "dumps");
		for (size_t i = 0; i < l.n; i++) {
			kd_json_begin_object(&j, NULL);
			kd_json_string(&j, "name", l.v[i].name);
			kd_json_string(&j, "status", l.v[i].complete ? "complete" : "incomplete");
			kd_json_string(&j, "file", l.v[i].file[0] ? l.v[i].file : NULL);
			kd_json_u64(&j, "bytes", l.v[i].bytes);
			kd_json_string(&j, "release", l.v[i].release[0] ? l.v[i].release : NULL);
			kd_json_string(&j, "crash_time", l.v[i].crash_time[0] ? l.v[i].crash_time : NULL);
			kd_json_string(&j, "panic", l.v[i].panic[0] ? l.v[i].panic : NULL);
			kd_json_end_object(&j);
		}
		kd_json_end_array(&j);
		kd_json_end_object(&j);
		kd_json_finish(&j);
	} else {
		printf("%s: %zu dump(s)\n", dir, l.n);
		for (size_t i = 0; i < l.n; i++) {
			char sz[32];
			printf("  %-40s %-10s %10s  %-24s %-20s %s\n", l.v[i].name,
			       l.v[i].complete ? "complete" : "INCOMPLETE",
			       kd_format_size(l.v[i].bytes, sz, sizeof(sz)),
			       l.v[i].release[0] ? l.v[i].release : "-",
			       l.v[i].crash_time[0] ? l.v[i].crash_time : "-", l.v[i].panic);
		}
	}
	kd_dumps_free(&l);
	return KD_EXIT_OK;
}

KD_COMMAND(start, .name = "start", .summary = "check the config, build the initramfs, arm",
	   .order = 1, .run = run_start);
KD_COMMAND(stop, .name = "stop", .summary = "disarm (the service's stop)", .order = 2,
	   .run = run_stop);
KD_COMMAND(restart, .name = "restart", .summary = "stop, then start", .order = 3,
	   .run = run_restart);
KD_COMMAND(status, .name = "status", .summary = "one screen: armed, reservation, target, last dump",
	   .order = 4, .run = run_status);
KD_COMMAND(test, .name = "test", .summary = "crash this machine now (asks first)", .order = 5,
	   .run = run_test);
KD_COMMAND(list, .name = "list", .summary = "the dumps found, status and summary", .order = 6,
	   .run = run_list);
KD_COMMAND(savecore, .name = "savecore", .summary = "a dump on a raw device -> a dump file",
	   .order = 7, .run = run_savecore);
