// SPDX-License-Identifier: GPL-2.0-or-later
/* The capture init's PID 1 sequence: mounts, settings, modules, hooks, dump, final action. */
#include "kdump/init/init.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define MODULE_DIR "/lib/modules/"

/* The init's one place that prints an error (on the console, as "kdump-init: error: ..."). */
static void log_error(const struct kd_err *err)
{
	kd_error("%s", err->msg[0] ? err->msg : strerror(-err->code));
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

/*
 * Runs a hook (a program in the initramfs) without a shell; returns its exit status (0-255),
 * 256 + signal when killed, or -errno when it could not run.
 */
static int run_hook(const char *path, const char *arg)
{
	char *argv[3] = { (char *)path, (char *)arg, NULL };
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st))
		return WEXITSTATUS(st) == 127 && access(path, X_OK) < 0 ? -ENOENT : WEXITSTATUS(st);
	return 256 + WTERMSIG(st);
}

static _Noreturn void final_action(enum conf_action a)
{
	static const int how[] = { [CONF_ACTION_POWEROFF] = RB_POWER_OFF,
				   [CONF_ACTION_REBOOT] = RB_AUTOBOOT,
				   [CONF_ACTION_HALT] = RB_HALT_SYSTEM };

	sync();
	umount2(KD_INIT_TARGET_MNT, MNT_DETACH);
	umount2(KD_INIT_ROOTFS_MNT, MNT_DETACH);
	sync();
	kd_info("%s", conf_action_name(a));
	reboot((unsigned)a < KD_ARRAY_SIZE(how) ? how[a] : RB_AUTOBOOT);
	/* PID 1 must not exit; if reboot(2) failed there is nothing left but to wait. */
	for (;;)
		pause();
}

/* The failure action: the dump into path on the first kernel's root filesystem, or stop. */
static int failure(const struct conf_init *c)
{
	struct kd_err err = { 0 };
	int r;

	switch (c->failure_action) {
	case CONF_ACTION_DUMP_TO_ROOTFS:
		if (!c->rootfs_device[0]) {
			kd_error("failure_action dump_to_rootfs: the initramfs knows no root device");
			return -ENODEV;
		}
		umount2(KD_INIT_TARGET_MNT, MNT_DETACH);
		kd_info("failure_action dump_to_rootfs: %s (%s)", c->rootfs_device, c->rootfs_fstype);
		r = kd_init_target_local(c, KD_INIT_VMCORE, KD_INIT_ROOTFS_MNT, c->rootfs_device,
					 c->rootfs_fstype[0] ? c->rootfs_fstype : "ext4", &err);
		if (r < 0)
			log_error(&err);
		return r;
	default:
		break;
	}
	kd_info("failure_action %s", conf_action_name(c->failure_action));
	final_action(c->failure_action); /* reboot, halt or poweroff (conf_init_parse checks) */
	return -ECANCELED;
}

_Noreturn void kd_init_run(void)
{
	struct conf_init conf;
	struct kd_err err = { 0 };
	_cleanup_free_ char *text = NULL;
	int r;

	kd_program = "kdump-init";
	mount_one("devtmpfs", "/dev", "devtmpfs", NULL);
	console_fds();
	mount_one("proc", "/proc", "proc", NULL);
	mount_one("sysfs", "/sys", "sysfs", NULL);
	kd_info("capture kernel up (uptime %.2f)", kd_init_uptime());

	r = kd_read_file_at(NULL, CONF_INIT_PATH, 1 << 20, &text, NULL, &err);
	if (r >= 0)
		r = conf_init_parse(text, CONF_INIT_PATH, &conf, &err);
	if (r < 0) {
		log_error(&err);
		final_action(CONF_ACTION_REBOOT);
	}
	if (access(KD_INIT_VMCORE, R_OK) < 0) {
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
				log_error(&err);
			kd_err_clear(&err);
		}
	}
	if (conf.target == CONF_TARGET_NFS) /* named so in messages */
		snprintf(conf.device, sizeof(conf.device), "%s:%s", conf.nfs_server,
			 conf.nfs_export);
	if (!conf.hostname[0] && (conf.target == CONF_TARGET_SSH || conf.target == CONF_TARGET_NFS)) {
		/* as kdump-utils: <address>-<date-time> on a server that many machines use */
		snprintf(conf.hostname, sizeof(conf.hostname), "%s", conf.net_addr);
		conf.hostname[strcspn(conf.hostname, "/")] = '\0';
	}
	if (conf.pre[0]) {
		r = run_hook(conf.pre, NULL);
		if (r != 0)
			r = kd_err_set(&err, r < 0 ? r : -ECANCELED, "kdump_pre %s %s %d: dump skipped",
				       conf.pre, r < 0 ? "could not run: error" : "exited", r < 0 ? -r : r);
		else
			kd_info("kdump_pre %s: ok", conf.pre);
	}
	if (r >= 0) {
		r = kd_init_dump_to_target(&conf, KD_INIT_VMCORE, &err);
		if (r < 0) {
			log_error(&err);
			kd_err_clear(&err);
			if (conf.emergency[0]) {
				int h = run_hook(conf.emergency, NULL);
				kd_info("kdump_emergency %s exited %d", conf.emergency, h);
			}
			r = failure(&conf);
		}
	} else {
		/* kdump_pre said no: no dump anywhere, but a stopping failure_action applies. */
		log_error(&err);
		kd_err_clear(&err);
		if (conf.failure_action != CONF_ACTION_DUMP_TO_ROOTFS)
			failure(&conf);
	}
	if (conf.post[0]) {
		char st[16];
		int h;
		snprintf(st, sizeof(st), "%d", r < 0 ? 1 : 0);
		h = run_hook(conf.post, st);
		if (h != 0)
			kd_warn("kdump_post %s exited %d", conf.post, h);
	}
	final_action(conf.final_action);
}
