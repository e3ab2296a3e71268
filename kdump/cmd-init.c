// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump init: /init of the capture initramfs (PID 1 in the capture kernel): mount, load the
 * target's modules, wait for the target, capture /proc/vmcore, save the log, power off. */
#include "kdump/command.h"
#include "kdump/initconf.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define TARGET_MNT "/kdump-target"
#define MODULE_DIR "/lib/modules/"

extern const struct kd_command __start_kd_commands[], __stop_kd_commands[];

static const struct kd_command *find_command(const char *name)
{
	for (const struct kd_command *c = __start_kd_commands; c < __stop_kd_commands; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static double uptime(void)
{
	char buf[64] = "";
	int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	return strtod(buf, NULL);
}

static void mount_one(const char *src, const char *dir, const char *type, const char *opts)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, MS_NOSUID, opts) < 0 && errno != EBUSY)
		kd_warn("cannot mount %s on %s: %s", type, dir, strerror(errno));
}

static void console_fds(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* finit_module, with the in-kernel decompression flag for .ko.xz / .ko.zst / .ko.gz. */
static int load_module(const char *path, struct kd_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	int flags = 0;

	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open module %s", path);
	if (strstr(path, ".ko.xz") || strstr(path, ".ko.zst") || strstr(path, ".ko.gz"))
		flags |= MODULE_INIT_COMPRESSED_FILE;
	if (syscall(SYS_finit_module, fd, "", flags) < 0 && errno != EEXIST) {
		int e = errno;
		if (e == EINVAL && flags)
			return kd_err_set(err, -e, "module %s: the kernel refused a compressed "
					  "module (needs CONFIG_MODULE_DECOMPRESS); rebuild the "
					  "initramfs", path);
		return kd_err_sys(err, -e, "module %s: finit_module failed", path);
	}
	return 0;
}

static int wait_device(const char *dev, unsigned secs, struct kd_err *err)
{
	struct stat st;
	double end = kd_now() + secs;

	for (;;) {
		if (stat(dev, &st) == 0) {
			if (S_ISBLK(st.st_mode))
				return 0;
			return kd_err_set(err, -ENOTBLK, "%s is not a block device", dev);
		}
		if (kd_now() > end)
			return kd_err_set(err, -ENODEV, "%s did not appear within %u s (missing "
					  "driver module? see `kdump initramfs --module`)", dev, secs);
		usleep(50 * 1000);
	}
}

/* Copies /proc/vmcore verbatim into dir/vmcore.raw (for checks against other tools). */
static int save_raw(int dirfd, struct kd_err *err)
{
	_cleanup_close_ int in = open("/proc/vmcore", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	_cleanup_free_ char *buf = malloc(1 << 20);
	uint64_t done = 0;

	if (!buf)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (in < 0)
		return kd_err_sys(err, -errno, "cannot open /proc/vmcore");
	out = openat(dirfd, "vmcore.raw", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		return kd_err_sys(err, -errno, "cannot create vmcore.raw");
	for (;;) {
		ssize_t n = kd_read_all(in, buf, 1 << 20);
		int r;
		if (n < 0)
			return kd_err_sys(err, (int)n, "/proc/vmcore: read failed at %" PRIu64, done);
		if (n == 0)
			break;
		r = kd_write_all(out, buf, (size_t)n);
		if (r < 0)
			return kd_err_sys(err, r, "vmcore.raw: write failed at %" PRIu64, done);
		done += (uint64_t)n;
	}
	if (fsync(out) < 0)
		return kd_err_sys(err, -errno, "vmcore.raw: fsync failed");
	return 0;
}

/* Runs a command of this binary in-process with stdout sent to out_fd (if >= 0). */
static int run_command(const char *name, char **argv, int out_fd)
{
	const struct kd_command *c = find_command(name);
	int argc = 0, saved = -1, rc;

	if (!c)
		return -ENOSYS;
	while (argv[argc])
		argc++;
	fflush(stdout);
	if (out_fd >= 0) {
		saved = dup(1);
		dup2(out_fd, 1);
	}
	optind = 0; /* each command parses its own options with getopt_long */
	rc = c->run(argc, argv);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, 1);
		close(saved);
	}
	return rc;
}

static void dump_dir_name(char *buf, size_t len)
{
	char host[65] = "";
	time_t t = time(NULL);
	struct tm tm;

	if (gethostname(host, sizeof(host) - 1) < 0 || !host[0] || strcmp(host, "(none)") == 0)
		snprintf(host, sizeof(host), "localhost");
	gmtime_r(&t, &tm);
	snprintf(buf, len, "%s-%04d-%02d-%02d-%02d:%02d:%02d", host, tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Writes the log and the summary beside the dump (best effort: the dump matters most). */
static void save_extras(int dirfd)
{
	static const struct {
		const char *cmd, *file, *opt;
	} extras[] = { { "dmesg", "dmesg.txt", NULL },
		       { "info", "info.txt", NULL },
		       { "info", "info.json", "--json" } };

	for (size_t i = 0; i < KD_ARRAY_SIZE(extras); i++) {
		char *argv[4] = { (char *)extras[i].cmd };
		int a = 1;
		if (extras[i].opt)
			argv[a++] = (char *)extras[i].opt;
		argv[a] = (char *)"/proc/vmcore";
		_cleanup_close_ int fd = -1;
		int rc;

		if (!find_command(extras[i].cmd)) {
			kd_warn("this kdump has no '%s' command yet: %s not written", extras[i].cmd,
				extras[i].file);
			continue;
		}
		fd = openat(dirfd, extras[i].file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			kd_warn("cannot create %s: %s", extras[i].file, strerror(errno));
			continue;
		}
		rc = run_command(extras[i].cmd, argv, fd);
		if (rc != 0)
			kd_warn("kdump %s exited %d: %s may be incomplete", extras[i].cmd, rc,
				extras[i].file);
		fsync(fd);
	}
}

/* The capture itself: `kdump capture` run in-process on /proc/vmcore. */
static int capture(const struct kd_initconf *c, const char *output, struct kd_err *err)
{
	char level[16];
	char *argv[12];
	int n = 0, rc;

	if (!find_command("capture"))
		/* TODO(capture): `kdump capture` has not landed yet; until it does the capture
		 * initramfs writes no dump (only vmcore.raw when save_raw=1). */
		return kd_err_set(err, -ENOSYS, "this kdump has no 'capture' command yet: NO DUMP "
				  "WRITTEN (TODO: link the capture command)");
	snprintf(level, sizeof(level), "%u", c->level);
	argv[n++] = (char *)"capture";
	argv[n++] = (char *)"-d";
	argv[n++] = level;
	/* compress= names a compressor; LZO (fast, as makedumpfile -l) when unset. */
	if (!c->compress[0] || strcmp(c->compress, "lzo") == 0)
		argv[n++] = (char *)"-l";
	else if (strcmp(c->compress, "zlib") == 0)
		argv[n++] = (char *)"-c";
	else if (strcmp(c->compress, "zstd") == 0)
		argv[n++] = (char *)"-z";
	else if (strcmp(c->compress, "none") != 0)
		return kd_err_set(err, -EINVAL, "compress=%s: use lzo, zlib, zstd or none",
				  c->compress);
	if (c->target == KD_TARGET_RAW)
		argv[n++] = (char *)"-F"; /* flattened, to standard output (the device) */
	argv[n++] = (char *)"/proc/vmcore";
	if (c->target != KD_TARGET_RAW)
		argv[n++] = (char *)output;
	argv[n] = NULL;
	rc = run_command("capture", argv, -1);
	if (rc != 0)
		return kd_err_set(err, -EIO, "kdump capture exited %d%s", rc,
				  rc == KD_EXIT_INCOMPLETE ? " (dump incomplete)" : "");
	return 0;
}

static int capture_local(const struct kd_initconf *c, struct kd_err *err)
{
	char name[128];
	_cleanup_free_ char *dir = NULL, *vmcore = NULL;
	_cleanup_close_ int dirfd = -1, marker = -1;
	int r;

	mkdir(TARGET_MNT, 0755);
	if (mount(c->device, TARGET_MNT, c->fstype, 0, NULL) < 0)
		return kd_err_sys(err, -errno, "cannot mount %s (%s) on %s", c->device, c->fstype,
				  TARGET_MNT);
	dump_dir_name(name, sizeof(name));
	{
		const char *rel = c->path;
		while (*rel == '/')
			rel++;
		dir = *rel ? kd_asprintf("%s/%s/%s", TARGET_MNT, rel, name)
			   : kd_asprintf("%s/%s", TARGET_MNT, name);
	}
	if (!dir)
		return kd_err_set(err, -ENOMEM, "out of memory");
	for (char *p = dir + strlen(TARGET_MNT) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0)
		return kd_err_sys(err, -errno, "cannot create %s", dir);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return kd_err_sys(err, -errno, "cannot open %s", dir);
	marker = openat(dirfd, ".incomplete", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (marker < 0)
		return kd_err_sys(err, -errno, "cannot create %s/.incomplete", dir);
	fsync(dirfd);
	kd_info("writing to %s on %s", dir + strlen(TARGET_MNT), c->device);
	if (c->save_raw) {
		r = save_raw(dirfd, err);
		if (r < 0)
			return r;
		kd_info("raw vmcore saved (uptime %.2f)", uptime());
	}
	vmcore = kd_asprintf("%s/vmcore", dir);
	if (!vmcore)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = capture(c, vmcore, err);
	if (r < 0)
		return r;
	sync();
	kd_info("dump complete (uptime %.2f)", uptime());
	save_extras(dirfd);
	if (unlinkat(dirfd, ".incomplete", 0) < 0)
		return kd_err_sys(err, -errno, "cannot remove %s/.incomplete", dir);
	fsync(dirfd);
	return 0;
}

static int capture_raw(const struct kd_initconf *c, struct kd_err *err)
{
	_cleanup_close_ int fd = open(c->device, O_WRONLY | O_CLOEXEC);
	int saved, r;

	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s for writing", c->device);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	r = capture(c, "-", err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	if (r < 0)
		return r;
	if (fsync(fd) < 0)
		return kd_err_sys(err, -errno, "%s: fsync failed", c->device);
	kd_info("dump complete (uptime %.2f)", uptime());
	return 0;
}

static void final_action(enum kd_final_action a)
{
	static const int how[] = { [KD_FINAL_POWEROFF] = RB_POWER_OFF,
				   [KD_FINAL_REBOOT] = RB_AUTOBOOT,
				   [KD_FINAL_HALT] = RB_HALT_SYSTEM };

	sync();
	umount2(TARGET_MNT, MNT_DETACH);
	sync();
	kd_info("%s", kd_final_action_name(a));
	reboot(how[a]);
	/* PID 1 must not exit; if reboot(2) failed there is nothing left but to wait. */
	for (;;)
		pause();
}

static void help(void)
{
	printf("NAME\n"
	       "    kdump init - the capture initramfs's /init\n\n"
	       "SYNOPSIS\n"
	       "    /init                  (run by the capture kernel as PID 1)\n"
	       "    kdump init --check-config FILE\n\n"
	       "DESCRIPTION\n"
	       "    As PID 1 of the capture kernel (the initramfs built by `kdump initramfs`),\n"
	       "    mounts /proc, /sys and /dev, loads the modules listed in %s\n"
	       "    with finit_module(2), waits for the target device, then captures /proc/vmcore:\n"
	       "    to <path>/<host>-<date-time>/vmcore on a local filesystem (with dmesg.txt,\n"
	       "    info.txt, info.json and a .incomplete marker removed when the dump is\n"
	       "    complete), or as a flattened stream onto a raw device. Finally powers off,\n"
	       "    reboots or halts.\n"
	       "    Outside PID 1 it only checks a settings file.\n\n"
	       "OPTIONS\n"
	       "    --check-config FILE  parse FILE as init.conf and print it back\n"
	       "    -h, --help           this help\n\n"
	       "EXIT STATUS\n"
	       "    As PID 1 it never returns. Otherwise 0 valid, 1 invalid, 2 usage error.\n",
	       KD_INITCONF_PATH);
}

static int run_pid1(void)
{
	struct kd_initconf conf;
	struct kd_err err = { 0 };
	_cleanup_free_ char *text = NULL;
	int r;

	kd_program = "kdump-init";
	mount_one("devtmpfs", "/dev", "devtmpfs", NULL);
	console_fds();
	mount_one("proc", "/proc", "proc", NULL);
	mount_one("sysfs", "/sys", "sysfs", NULL);
	kd_info("capture kernel up (uptime %.2f)", uptime());

	r = kd_read_file_at(NULL, KD_INITCONF_PATH, 1 << 20, &text, NULL, &err);
	if (r >= 0)
		r = kd_initconf_parse(text, KD_INITCONF_PATH, &conf, &err);
	if (r < 0) {
		kd_fail(&err);
		final_action(KD_FINAL_REBOOT);
	}
	if (access("/proc/vmcore", R_OK) < 0) {
		kd_error("no /proc/vmcore: this is not a capture kernel (was the capture initramfs "
			 "booted normally?)");
		final_action(conf.final_action);
	}
	for (size_t i = 0; i < conf.n_modules; i++) {
		_cleanup_free_ char *path = kd_asprintf(MODULE_DIR "%s", conf.modules[i]);
		if (!path || load_module(path, &err) < 0) {
			if (conf.optional[i])
				kd_info("optional module %s skipped (%s)", conf.modules[i],
					strerror(-err.code));
			else
				kd_fail(&err);
			kd_err_clear(&err);
		}
	}
	r = wait_device(conf.device, conf.wait_secs, &err);
	if (r >= 0) {
		kd_info("target ready: %s (uptime %.2f)", conf.device, uptime());
		r = conf.target == KD_TARGET_RAW ? capture_raw(&conf, &err)
						 : capture_local(&conf, &err);
	}
	if (r < 0)
		kd_fail(&err);
	final_action(conf.final_action);
	return KD_EXIT_FAIL;
}

static int run_init(int argc, char **argv)
{
	static const struct option opts[] = { { "check-config", required_argument, NULL, 'c' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	const char *check = NULL;
	int o;

	if (getpid() == 1)
		return run_pid1();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			check = optarg;
			break;
		case 'h':
			help();
			return KD_EXIT_OK;
		default:
			return kd_usage_error("init", "unknown option");
		}
	}
	if (!check)
		return kd_usage_error("init", "not PID 1: only --check-config FILE is possible");
	{
		struct kd_initconf conf;
		struct kd_err err = { 0 };
		_cleanup_free_ char *text = NULL, *out = NULL;

		if (kd_read_file_at(NULL, check, 1 << 20, &text, NULL, &err) < 0 ||
		    kd_initconf_parse(text, check, &conf, &err) < 0)
			return kd_fail(&err);
		out = kd_initconf_format(&conf);
		if (!out)
			return KD_EXIT_FAIL;
		fputs(out, stdout);
	}
	return KD_EXIT_OK;
}

KD_COMMAND(init, .name = "init", .summary = "the capture initramfs's /init (PID 1)",
	   .order = 900, .run = run_init);
