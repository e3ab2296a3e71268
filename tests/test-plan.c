// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the service's decisions on fixture trees: the plan start and status share (the
 * reservation, the capture initramfs against its stamp, force_rebuild / force_no_rebuild, the
 * dump directory), what status reports, and start's steps before the build. No kernel is read:
 * the load plan is a stub. */
#include "conf/conf.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"
#include "kdump/sys/sys.h"
#include "loader/loader.h"
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#define REL "9.9.9-test"

static void put(const char *root, const char *rel, const char *text)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void conf(const char *root, const char *text)
{
	char p[1024];

	put(root, "etc/kdump.conf", text);
	snprintf(p, sizeof(p), "%s/etc/kdump.conf", root);
	chmod(p, 0600);
}

static const char iomem_crash[] = "00000000-00000fff : Reserved\n"
				  "00001000-0009fbff : System RAM\n"
				  "00100000-3fffffff : System RAM\n"
				  "  01000000-01ffffff : Kernel code\n"
				  "  2e000000-3dffffff : Crash kernel\n";

/* A first kernel's tree: a reservation, a release, a kernel file (never read), a config. */
static const char *make_root(const char *name)
{
	static char r[8][512];
	static int i;
	char *root = r[i++ % 8];

	snprintf(root, sizeof(r[0]), "%s", tu_tmp(name));
	mkdir(root, 0755);
	put(root, "proc/iomem", iomem_crash);
	put(root, "proc/sys/kernel/osrelease", REL "\n");
	put(root, "proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro crashkernel=256M\n");
	put(root, "proc/mounts", "/dev/vda1 / ext4 rw 0 0\n");
	put(root, "sys/kernel/kexec_crash_loaded", "1\n");
	put(root, "etc/hostname", "web1\n");
	put(root, "boot/vmlinuz-" REL, "not a kernel: the plan only stats it\n");
	put(root, "lib/modules/" REL "/modules.dep", "");
	put(root, "usr/sbin/kdump-static", "the /init binary\n");
	conf(root, "path /var/crash\n");
	return root;
}

static char *path_in(const char *root, const char *rel)
{
	static char p[4][1024];
	static int i;
	char *b = p[i++ % 4];

	snprintf(b, sizeof(p[0]), "%s/%s", root, rel);
	return b;
}

static int stub_calls;
static char stub_append[256];

/* The load plan without a kernel: its command line only. */
static int stub_load_plan(const struct loader_sysinfo *si, const struct loader_opts *o,
			  struct loader_plan **ret, struct kd_err *err)
{
	struct loader_plan *p = kd_calloc(1, sizeof(*p));

	stub_calls++;
	snprintf(stub_append, sizeof(stub_append), "%s", o->append ? o->append : "");
	assert_non_null(p);
	p->cmdline = kd_asprintf("stub %s", o->append ? o->append : "");
	*ret = p;
	return 0;
}

static struct kd_svc_args args(const char *root)
{
	return (struct kd_svc_args){ .root = root,
				     .kdump = path_in(root, "usr/sbin/kdump-static"),
				     .load_plan = stub_load_plan };
}

/* A report collecting log lines. */
struct logbuf {
	char text[8192];
};

static void log_line(void *ctx, enum kd_log_level lvl, const char *msg)
{
	struct logbuf *l = ctx;
	size_t n = strlen(l->text);

	snprintf(l->text + n, sizeof(l->text) - n, "%d %s\n", (int)lvl, msg);
}

static void test_reservation(void **state)
{
	const char *root = make_root("nores");
	struct kd_svc_args a = args(root);
	struct kd_plan *p = NULL;
	struct kd_err err = { 0 };

	put(root, "proc/iomem", "00001000-0009fbff : System RAM\n00100000-3fffffff : System RAM\n");
	assert_int_equal(kd_plan_create(&a, KD_PLAN_START, &p, &err), -ENOENT);
	assert_string_equal(err.msg, "no crash kernel reservation (no \"Crash kernel\" in "
				     "/proc/iomem): run `kdump estimate`, `kdump crashkernel "
				     "--set`, update-grub, and reboot");
	/* start refuses the same way, before anything else is done. */
	kd_err_clear(&err);
	assert_int_equal(kd_svc_start(&a, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no crash kernel reservation"));
	assert_int_equal(access(path_in(root, "var/lib/kdump"), F_OK), -1);

	/* status reports it, and loads nothing. */
	stub_calls = 0;
	assert_int_equal(kd_plan_create(&a, KD_PLAN_STATUS, &p, &err), 0);
	assert_int_equal(p->si->n_crash, 0);
	assert_null(p->load);
	assert_string_equal(p->load_err.msg, "");
	assert_int_equal(stub_calls, 0);
	kd_plan_destroy(p);

	/* No release: start cannot tell which kernel. */
	put(root, "proc/iomem", iomem_crash);
	unlink(path_in(root, "proc/sys/kernel/osrelease"));
	assert_int_equal(kd_plan_create(&a, KD_PLAN_START, &p, &err), -ENOENT);
	assert_string_equal(err.msg, "cannot tell the running kernel's release");
	assert_int_equal(kd_plan_create(&a, KD_PLAN_STATUS, &p, &err), 0);
	assert_null(p->kernel);
	assert_null(p->initrd);
	assert_int_equal(p->initrd_state, KD_INITRD_MISSING);
	kd_plan_destroy(p);
}

static struct kd_plan *plan(const struct kd_svc_args *a, enum kd_plan_for what)
{
	struct kd_plan *p = NULL;
	struct kd_err err = { 0 };

	if (kd_plan_create(a, what, &p, &err) < 0)
		fail_msg("kd_plan_create: %s", err.msg);
	return p;
}

static void test_initramfs_states(void **state)
{
	const char *root = make_root("states");
	const char *img = path_in(root, "var/lib/kdump/initrd.img-" REL);
	struct kd_svc_args a = args(root);
	struct kd_plan *p;
	char *now;

	/* Missing, first build. */
	p = plan(&a, KD_PLAN_START);
	assert_string_equal(p->kernel, path_in(root, "boot/vmlinuz-" REL));
	assert_int_equal(p->kernel_errno, 0);
	assert_string_equal(p->initrd, img);
	assert_int_equal(p->initrd_state, KD_INITRD_MISSING);
	assert_int_equal(p->build, KD_BUILD_FIRST);
	assert_string_equal(kd_build_reason(p->build), "first build");
	assert_non_null(strstr(p->stamp, "\nrelease " REL "\n"));
	assert_non_null(strstr(p->stamp, "\nconfig /etc/kdump.conf "));
	now = kd_strdup(p->stamp);
	kd_plan_destroy(p);

	/* Present without a stamp. */
	put(root, "var/lib/kdump/initrd.img-" REL, "image");
	p = plan(&a, KD_PLAN_START);
	assert_int_equal(p->initrd_state, KD_INITRD_NO_STAMP);
	assert_int_equal(p->build, KD_BUILD_FIRST);
	kd_plan_destroy(p);

	/* Up to date, then --rebuild. */
	put(root, "var/lib/kdump/initrd.img-" REL ".stamp", now);
	p = plan(&a, KD_PLAN_START);
	assert_int_equal(p->initrd_state, KD_INITRD_UP_TO_DATE);
	assert_int_equal(p->build, KD_BUILD_NONE);
	assert_null(kd_build_reason(p->build));
	kd_plan_destroy(p);
	a.rebuild = true;
	p = plan(&a, KD_PLAN_START);
	assert_int_equal(p->build, KD_BUILD_ASKED);
	assert_string_equal(kd_build_reason(p->build), "rebuild asked");
	kd_plan_destroy(p);
	a.rebuild = false;

	/* An input changes: the host name (a hash of /etc/hostname), or a module asked for. */
	put(root, "etc/hostname", "web2\n");
	p = plan(&a, KD_PLAN_START);
	assert_int_equal(p->initrd_state, KD_INITRD_STALE);
	assert_int_equal(p->build, KD_BUILD_CHANGED);
	assert_string_equal(kd_initrd_state_text(p->initrd_state),
			    "stale: an input changed (kdump start rebuilds it)");
	kd_plan_destroy(p);
	put(root, "etc/hostname", "web1\n");
	a.modules[a.n_modules++] = "nvme";
	p = plan(&a, KD_PLAN_START);
	assert_int_equal(p->build, KD_BUILD_CHANGED);
	assert_non_null(strstr(p->stamp, "\nmodule nvme\n"));
	kd_plan_destroy(p);
	a.n_modules = 0;

	/* The image is gone while the stamp stays: rebuilt as changed, not as a first build. */
	unlink(img);
	p = plan(&a, KD_PLAN_START);
	assert_int_equal(p->initrd_state, KD_INITRD_MISSING);
	assert_int_equal(p->build, KD_BUILD_CHANGED);
	kd_plan_destroy(p);
	put(root, "var/lib/kdump/initrd.img-" REL, "image");

	/* Status judges the image against the binary its stamp names, not this one. */
	a.kdump = NULL;
	p = plan(&a, KD_PLAN_STATUS);
	assert_string_equal(p->kdump_bin, path_in(root, "usr/sbin/kdump-static"));
	assert_int_equal(p->initrd_state, KD_INITRD_UP_TO_DATE);
	kd_plan_destroy(p);
	p = plan(&a, KD_PLAN_START);
	assert_string_not_equal(p->kdump_bin, path_in(root, "usr/sbin/kdump-static"));
	assert_int_equal(p->build, KD_BUILD_CHANGED);
	kd_plan_destroy(p);
	a.kdump = path_in(root, "usr/sbin/kdump-static");

	/* A missing kernel is planned (start refuses it after savecore). */
	a.kernel = path_in(root, "boot/nosuch");
	p = plan(&a, KD_PLAN_START);
	assert_int_equal(p->kernel_errno, -ENOENT);
	kd_plan_destroy(p);
	a.kernel = NULL;
	free(now);
}

static void test_force_rebuild(void **state)
{
	const char *root = make_root("force");
	struct kd_svc_args a = args(root);
	struct kd_err err = { 0 };
	struct kd_plan *p;

	conf(root, "path /var/crash\nforce_rebuild 1\n");
	put(root, "var/lib/kdump/initrd.img-" REL, "image");
	p = plan(&a, KD_PLAN_START);
	assert_int_equal(p->build, KD_BUILD_ASKED);
	put(root, "var/lib/kdump/initrd.img-" REL ".stamp", p->stamp);
	kd_plan_destroy(p);
	p = plan(&a, KD_PLAN_START);
	assert_int_equal(p->initrd_state, KD_INITRD_UP_TO_DATE);
	assert_int_equal(p->build, KD_BUILD_ASKED); /* every time */
	kd_plan_destroy(p);

	/* force_no_rebuild: never, even when stale; start refuses when there is no image. */
	conf(root, "path /var/crash\nforce_no_rebuild 1\n");
	p = plan(&a, KD_PLAN_START);
	assert_int_equal(p->initrd_state, KD_INITRD_STALE);
	assert_int_equal(p->build, KD_BUILD_FORCED_NO);
	kd_plan_destroy(p);
	unlink(path_in(root, "var/lib/kdump/initrd.img-" REL));
	p = plan(&a, KD_PLAN_START);
	assert_int_equal(p->build, KD_BUILD_REFUSED);
	kd_plan_destroy(p);
	assert_int_equal(kd_svc_start(&a, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "force_no_rebuild 1, but there is no "));
	assert_non_null(strstr(err.msg, "(`kdump start --rebuild` or set force_no_rebuild 0)"));
}

static void write_ext4(const char *path, const char *label)
{
	uint8_t img[4096] = { 0 };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	kd_put_le16(img + 1024 + 0x38, 0xEF53);
	memcpy(img + 1024 + 0x78, label, strlen(label));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, sizeof(img)), (ssize_t)sizeof(img));
	close(fd);
}

static void test_dump_dir(void **state)
{
	const char *root = make_root("dumpdir");
	struct kd_svc_args a = args(root);
	struct kd_plan *p;

	/* The root filesystem: path under the root. */
	p = plan(&a, KD_PLAN_START);
	assert_string_equal(p->dump_dir, path_in(root, "var/crash"));
	assert_string_equal(p->target, "root filesystem, path /var/crash");
	assert_true(p->have_free); /* of the nearest existing parent */
	kd_plan_destroy(p);

	/* A labelled filesystem: not found, found but not mounted, mounted. */
	conf(root, "ext4 LABEL=crash\npath /dumps\n");
	p = plan(&a, KD_PLAN_START);
	assert_null(p->dump_dir);
	assert_string_equal(p->dump_dir_why, "target device not found");
	kd_plan_destroy(p);
	mkdir(path_in(root, "dev"), 0755);
	write_ext4(path_in(root, "dev/vdb"), "crash");
	p = plan(&a, KD_PLAN_START);
	assert_null(p->dump_dir);
	assert_string_equal(p->dump_dir_why, "target not mounted");
	assert_string_equal(p->target, "ext4 LABEL=crash, path /dumps");
	kd_plan_destroy(p);
	put(root, "proc/mounts", "/dev/vda1 / ext4 rw 0 0\n/dev/vdb /mnt/crash ext4 rw 0 0\n");
	p = plan(&a, KD_PLAN_START);
	assert_string_equal(p->dump_dir, path_in(root, "mnt/crash/dumps"));
	kd_plan_destroy(p);

	/* Raw: where savecore puts it; remote: on the server. */
	conf(root, "raw /dev/vdc\npath /var/crash\n");
	p = plan(&a, KD_PLAN_START);
	assert_string_equal(p->dump_dir, path_in(root, "var/crash"));
	assert_string_equal(p->target, "raw /dev/vdc (saved to /var/crash by kdump savecore)");
	kd_plan_destroy(p);
	conf(root, "nfs 192.0.2.1:/export\n");
	p = plan(&a, KD_PLAN_START);
	assert_null(p->dump_dir);
	assert_string_equal(p->dump_dir_why, "remote target: the dumps are on the server");
	kd_plan_destroy(p);
}

static void test_status(void **state)
{
	const char *root = make_root("status");
	struct kd_svc_args a = args(root);
	struct kd_status *s = NULL;
	struct kd_err err = { 0 };

	put(root, "sys/devices/system/cpu/crash_hotplug", "1\n");
	put(root, "var/crash/web1-2026-01-01-00:00:00/vmcore", "0123456789");
	put(root, "var/crash/web1-2026-02-01-00:00:00/vmcore", "01234");
	put(root, "var/crash/web1-2026-02-01-00:00:00/.incomplete", "");
	conf(root, "path /var/crash\ncapture_cmdline_append nmi_watchdog=0\n");
	stub_calls = 0;
	assert_int_equal(kd_status_create(&a, &s, &err), 0);
	assert_true(s->plan->conf_ok);
	assert_true(s->crash_hotplug);
	assert_int_equal(s->plan->si->crash_loaded, 1);
	assert_int_equal(s->plan->si->n_crash, 1);
	/* The load plan of what start would load: the capture append and the config's. */
	assert_int_equal(stub_calls, 1);
	assert_string_equal(stub_append, KD_CAPTURE_APPEND " nmi_watchdog=0");
	assert_non_null(s->plan->load);
	assert_int_equal(s->dumps.n, 2);
	assert_non_null(s->last);
	assert_string_equal(s->last->name, "web1-2026-02-01-00:00:00");
	assert_false(s->last->complete);
	assert_int_equal(s->plan->initrd_state, KD_INITRD_MISSING);
	kd_status_destroy(s);

	/* An invalid config: recorded, the defaults stand in. A missing one: -ENOENT. */
	conf(root, "pth /x\n");
	assert_int_equal(kd_status_create(&a, &s, &err), 0);
	assert_false(s->plan->conf_ok);
	assert_non_null(strstr(s->plan->conf_err.msg, "unknown directive \"pth\""));
	assert_string_equal(s->plan->conf->path, "/var/crash");
	kd_status_destroy(s);
	unlink(path_in(root, "etc/kdump.conf"));
	assert_int_equal(kd_status_create(&a, &s, &err), 0);
	assert_false(s->plan->conf_ok);
	assert_int_equal(s->plan->conf_err.code, -ENOENT);
	kd_status_destroy(s);

	/* Not armed. */
	conf(root, "path /var/crash\n");
	put(root, "sys/kernel/kexec_crash_loaded", "0\n");
	assert_int_equal(kd_status_create(&a, &s, &err), 0);
	assert_int_equal(s->plan->si->crash_loaded, 0);
	kd_status_destroy(s);
}

/* start's steps before the build: savecore of a raw target, the new dumps reported once. */
static void test_start_steps(void **state)
{
	const char *root = make_root("steps");
	struct logbuf log = { .text = "\n" }; /* every line after a newline */
	struct kd_report rep = { .log = log_line, .ctx = &log };
	struct kd_svc_args a = args(root);
	struct kd_err err = { 0 };
	char flat[4096] = "makedumpfile";
	char *seen, *out = NULL;
	size_t len, out_len = 0;
	int fd;

	rep.out = open_memstream(&out, &out_len);
	assert_non_null(rep.out);
	a.report = &rep;
	a.dry_run = true;
	mkdir(path_in(root, "dev"), 0755);
	fd = open(path_in(root, "dev/vdc"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, flat, sizeof(flat)), (ssize_t)sizeof(flat));
	close(fd);
	put(root, "var/crash/web1-2026-01-01-00:00:00/vmcore", "0123456789");
	mkdir(path_in(root, "var/lib"), 0755); /* /var/lib/kdump is made, not its parents */
	/* force_no_rebuild with no image: start stops at the initramfs, after the other steps. */
	conf(root, "raw /dev/vdc\npath /var/crash\nforce_no_rebuild 1\n");
	assert_int_equal(kd_svc_start(&a, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "force_no_rebuild 1"));
	/* The dump on the device was found; a dry run only says where it would go. */
	fflush(rep.out);
	assert_non_null(strstr(out, "kdump savecore: would save the dump on "));
	assert_non_null(strstr(out, "/dev/vdc to "));
	assert_non_null(strstr(log.text, "2 new dump: "));
	assert_non_null(strstr(log.text, "web1-2026-01-01-00:00:00 (10 B, kernel ?, crashed ?)"));
	seen = (char *)tu_read_file(path_in(root, "var/lib/kdump/seen"), &len);
	assert_non_null(strstr(seen, "/var/crash/web1-2026-01-01-00:00:00\n"));
	free(seen);
	/* Reported once. */
	log.text[0] = '\0';
	kd_err_clear(&err);
	assert_int_equal(kd_svc_start(&a, &err), -ENOENT);
	assert_null(strstr(log.text, "new dump"));
	fclose(rep.out);
	free(out);
	/* For real: the stream does not reassemble; the reassembler's own error is logged and
	 * the device keeps its signature for another try. */
	a.dry_run = false;
	rep.out = NULL;
	log.text[0] = '\0';
	kd_err_clear(&err);
	assert_int_equal(kd_svc_start(&a, &err), -ENOENT);
	assert_non_null(strstr(log.text, "/dev/vdc not saved (the device is left as it was): "));
	seen = (char *)tu_read_file(path_in(root, "dev/vdc"), &len);
	assert_memory_equal(seen, "makedumpfile", 12);
	free(seen);
}

/* The syscall seam: what would have been done. */
struct calls {
	int kexec_load, reboot;
	unsigned long flags;
};

static int rec_kexec_load(void *ctx, uint64_t entry, size_t nr,
			  const struct loader_kexec_segment *segs, unsigned long flags)
{
	struct calls *c = ctx;

	c->kexec_load++;
	c->flags = flags;
	return 0;
}

static int rec_kexec_file_load(void *ctx, int kernel_fd, int initrd_fd, size_t cmdline_len,
			       const char *cmdline, unsigned long flags)
{
	return -ENOSYS;
}

static int rec_reboot(void *ctx)
{
	((struct calls *)ctx)->reboot++;
	return -EPERM;
}

static void test_load_unload(void **state)
{
	const char *root = make_root("load");
	struct calls calls = { 0 };
	const struct loader_sys sys = { rec_kexec_load, rec_kexec_file_load, rec_reboot, &calls };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct kd_report rep = { .out = f };
	struct kd_load_args a = { .root = root, .sys = &sys, .report = &rep };
	struct kd_err err = { 0 };

	/* Unloading the capture kernel: kexec_load with no segments, on crash. */
	assert_int_equal(kd_unload(false, &sys, &rep, &err), 0);
	assert_int_equal(calls.kexec_load, 1);
	assert_int_equal(calls.flags, LOADER_KEXEC_ARCH_X86_64 | LOADER_KEXEC_ON_CRASH);
	assert_int_equal(kd_unload(true, &sys, &rep, &err), 0);
	assert_int_equal(calls.flags, LOADER_KEXEC_ARCH_X86_64);
	fflush(f);
	assert_string_equal(out, "kdump: capture kernel unloaded\nkdump: kexec kernel unloaded\n");

	/* No reservation: nothing is loaded. A kexec kernel must be named. */
	put(root, "proc/iomem", "00100000-3fffffff : System RAM\n");
	assert_int_equal(kd_load(&a, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no crash kernel reservation (no \"Crash kernel\" line in "
					"/proc/iomem)"));
	a.kexec = true;
	assert_int_equal(kd_load(&a, &err), -EINVAL);
	assert_string_equal(err.msg, "which kernel? give KERNEL");
	/* The kernel file is not a bzImage: the plan fails before any syscall. */
	put(root, "proc/iomem", iomem_crash);
	a.kexec = false;
	assert_true(kd_load(&a, &err) < 0);
	assert_int_equal(calls.kexec_load, 2);
	fclose(f);
	free(out);
}

/* The kernel hooks' start --build-only --release: no reservation needed, that release's
 * image, nothing loaded. */
static void test_build_only(void **state)
{
	const char *root = make_root("buildonly");
	struct kd_svc_args a = args(root);
	struct kd_err err = { 0 };

	put(root, "proc/iomem", "00100000-3fffffff : System RAM\n"); /* no reservation */
	put(root, "boot/vmlinuz-7.0.0-next", "another kernel\n");
	conf(root, "path /var/crash\nforce_no_rebuild 1\n");
	a.build_only = true;
	a.release = "7.0.0-next";
	/* It got past the reservation, to that release's image (force_no_rebuild: not there). */
	assert_int_equal(kd_svc_start(&a, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/var/lib/kdump/initrd.img-7.0.0-next: build it"));
	/* A release whose kernel is not installed is named. */
	a.release = "7.0.0-gone";
	kd_err_clear(&err);
	assert_int_equal(kd_svc_start(&a, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no kernel "));
	assert_non_null(strstr(err.msg, "/boot/vmlinuz-7.0.0-gone"));
	/* Without build_only the missing reservation stops start, as always. */
	a.build_only = false;
	a.release = NULL;
	kd_err_clear(&err);
	assert_int_equal(kd_svc_start(&a, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no crash kernel reservation"));
}

/* Who armed the capture kernel: kdump's mark, else the tool the root holds. */
static void test_owner(void **state)
{
	const char *root = make_root("owner");
	struct kd_status *s = NULL;
	struct kd_svc_args a = args(root);
	struct kd_err err = { 0 };
	char who[128];

	assert_false(kd_armed_by_other(root, 0, who, sizeof(who))); /* nothing loaded */
	assert_true(kd_armed_by_other(root, 1, who, sizeof(who)));
	assert_non_null(strstr(who, "another program"));
	put(root, "usr/sbin/kdump-config", "#!/bin/sh\n");
	assert_true(kd_armed_by_other(root, 1, who, sizeof(who)));
	assert_string_equal(who, "kdump-tools (kdump-config, kdump-tools.service)");
	/* status says so (the root's kexec_crash_loaded is 1) */
	conf(root, "path /var/crash\n");
	if (kd_status_create(&a, &s, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(s->armed_by_other);
	assert_string_equal(s->armed_by, who);
	kd_status_destroy(s);
	/* kdump's own load is marked, and the mark goes with an unload */
	assert_int_equal(kd_armed_mark(root, "/boot/vmlinuz-" REL, &err), 0);
	assert_false(kd_armed_by_other(root, 1, who, sizeof(who)));
	kd_armed_clear(root);
	assert_true(kd_armed_by_other(root, 1, who, sizeof(who)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reservation),
		cmocka_unit_test(test_initramfs_states),
		cmocka_unit_test(test_force_rebuild),
		cmocka_unit_test(test_dump_dir),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_start_steps),
		cmocka_unit_test(test_load_unload),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_build_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
