/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The service: arming and disarming, and what start, status, list, test, savecore, estimate do. */
#ifndef KD_SERVICE_H
#define KD_SERVICE_H

#include "base/base.h"
#include "kdump/dump/dump.h"

struct conf;
struct kd_host;
struct kd_report;
struct loader_opts;
struct loader_plan;
struct loader_sys;
struct loader_sysinfo;

#define KD_STATE_DIR "/var/lib/kdump"
#define KD_CAPTURE_APPEND "irqpoll nr_cpus=1 reset_devices"
#define KD_SERIAL_PORT 0x3f8	/* the purgatory's messages: COM1 */

/* ---- loading kernels (load.c) ----------------------------------------------------------------- */

struct kd_load_args {
	bool kexec;		/* a kernel to reboot into (kexec), not the capture kernel */
	const char *root;	/* /proc, /sys and /boot are read under it; NULL or "/": live */
	const char *kernel;	/* bzImage; NULL (capture kernel only): /boot/vmlinuz-RELEASE */
	const char *initrd;	/* NULL: /boot/initrd.img-RELEASE if it exists */
	bool no_initrd;
	const char *append;	/* command line (elfcorehdr= is added); with neither append nor
				 * reuse_cmdline: the running one, plus KD_CAPTURE_APPEND for the
				 * capture kernel */
	bool reuse_cmdline;	/* start from /proc/cmdline without BOOT_IMAGE= and crashkernel= */
	bool dry_run;		/* print the plan; no syscall */
	const char *save_elfcorehdr; /* also write the ELF core header there */
	int serial_port;	/* 8250 port of the purgatory's messages; 0: KD_SERIAL_PORT,
				 * -1: silent */
	bool no_hotplug;	/* no kernel rewrite of the header on CPU/memory hotplug */
	bool file_load;		/* kexec_file_load only */
	bool no_unpack;		/* load the bzImage as it is (it decompresses itself at boot) */
	const char *corrupt_segment; /* test hook: damage this segment after its digest */
	const struct loader_sys *sys; /* NULL: the real syscalls */
	const struct kd_report *report; /* the plan (dry run) and what was loaded */
};

/*
 * Arms the capture kernel (or stages a kexec kernel) as a describes: reads the running
 * kernel's facts under a->root, builds the load plan, and loads it with kexec_load (or
 * kexec_file_load when the kernel refuses that, or when asked). Nothing new is armed on
 * failure.
 */
int kd_load(const struct kd_load_args *a, struct kd_err *err);

/* Unloads the capture kernel (kexec false) or the staged kexec kernel; reports it. */
int kd_unload(bool kexec, const struct loader_sys *sys, const struct kd_report *r,
	      struct kd_err *err);

/* Reboots into the staged kexec kernel; returns only on failure (nothing staged, refused). */
int kd_kexec_exec(const struct loader_sys *sys, struct kd_err *err);

/* ---- who armed the capture kernel (owner.c) ---------------------------------------------------- */

/* kdump's mark of a capture kernel it loaded; /run goes at reboot, as the load does. */
#define KD_ARMED_MARK "/run/kdump/armed"

/* Writes the mark under root (NULL or "/": the live system) for the kernel just loaded. */
int kd_armed_mark(const char *root, const char *kernel, struct kd_err *err);
/* Removes the mark (the capture kernel was unloaded). */
void kd_armed_clear(const char *root);
/*
 * True when a capture kernel is loaded (crash_loaded 1) without kdump's mark: then buf names
 * who else armed it, as far as the files under root tell (kdump-tools, kdump-utils, or
 * "another program").
 */
bool kd_armed_by_other(const char *root, int crash_loaded, char *buf, size_t len);

/* ---- kdump.conf for the service (config.c) ---------------------------------------------------- */

/*
 * Loads kdump.conf under root (NULL or "/": the real one; config NULL: /etc/kdump.conf). Its
 * warnings go to r, and its errors too when it is invalid; with several errors err says how
 * many. Sets *ret (conf_destroy).
 */
int kd_svc_conf(const char *root, const char *config, const struct kd_report *r,
		struct conf **ret, struct kd_err *err);

/* ---- what would be armed: one plan for start and status (plan.c, stamp.c) ----------------------- */

#define KD_SVC_MAX_MODULES 32

/* What start, restart and status are given. */
struct kd_svc_args {
	const char *root;	/* /proc, /sys, /boot, /etc, /var under it; NULL or "/": live */
	const char *config;	/* NULL: /etc/kdump.conf, under root */
	const char *kernel;	/* the capture kernel; NULL: /boot/vmlinuz-RELEASE under root */
	const char *kdump;	/* the static binary for /init; NULL: this one (status: the one
				 * the stamp names) */
	const char *modules[KD_SVC_MAX_MODULES]; /* driver modules for the target's disk */
	size_t n_modules;
	bool rebuild;		/* rebuild the initramfs whatever the stamp says */
	bool dry_run;		/* load --dry-run; savecore says what it would save */
	/* start: only bring the capture initramfs of release (NULL: the running kernel's) up to
	 * date, as the kernel packages' hooks do for a kernel just installed: no reservation
	 * needed, no savecore, no dump report, nothing loaded. */
	bool build_only;
	const char *release;
	/* The load plan status shows (the command line); NULL: loader_plan_create, which reads,
	 * unpacks and hashes the whole kernel (tests give a stub). */
	int (*load_plan)(const struct loader_sysinfo *si, const struct loader_opts *o,
			 struct loader_plan **ret, struct kd_err *err);
	const struct kd_report *report;
};

enum kd_plan_for {
	KD_PLAN_START,	/* an invalid config (reported), no reservation or release: errors */
	KD_PLAN_STATUS,	/* all recorded; the config's defaults stand in; the load plan made */
};

enum kd_initrd_state {
	KD_INITRD_MISSING,
	KD_INITRD_NO_STAMP,	/* present, but no stamp says what it was built from */
	KD_INITRD_STALE,	/* an input changed since it was built */
	KD_INITRD_UP_TO_DATE,
};

/* What start does with the capture initramfs. */
enum kd_build {
	KD_BUILD_NONE,		/* up to date */
	KD_BUILD_FORCED_NO,	/* force_no_rebuild: used as it is */
	KD_BUILD_REFUSED,	/* force_no_rebuild, and there is none: start fails */
	KD_BUILD_ASKED,		/* --rebuild, force_rebuild */
	KD_BUILD_FIRST,		/* no stamp yet */
	KD_BUILD_CHANGED,	/* an input changed, or the image is gone */
};

struct kd_plan {
	struct kd_host *host;
	struct loader_sysinfo *si;	/* the reservation, release, whether armed */
	const char *release;		/* the capture kernel's: args' release, else si's */
	struct conf *conf;		/* valid, or (status) the defaults */
	bool conf_ok;
	struct kd_err conf_err;		/* why not (status) */
	/* Known when the running release is (si->release): */
	char *kernel;			/* root-prefixed */
	int kernel_errno;		/* of stat(kernel): start refuses after savecore */
	char *initrd, *stamp_path;	/* root + /var/lib/kdump/initrd.img-RELEASE[.stamp] */
	char *kdump_bin;		/* the /init the image is (to be) built from */
	char *stamp;			/* the image's inputs now (kd_stamp_text) */
	char *old_stamp;		/* the stamp file's, NULL if none */
	enum kd_initrd_state initrd_state;
	enum kd_build build;
	char *append;			/* KD_CAPTURE_APPEND and capture_cmdline_append */
	char *target;			/* the dump target, for humans */
	char *dump_dir;			/* where the first kernel sees the dumps, or NULL: */
	const char *dump_dir_why;	/* why it is unknown */
	bool have_free;
	uint64_t free_bytes;		/* at the dump directory (or its nearest parent) */
	struct loader_plan *load;	/* status: what start would load; NULL: */
	struct kd_err load_err;		/* why not ("" without a reservation or kernel) */
};

/*
 * Computes what `kdump start` would arm on the system under a->root: the config, the running
 * kernel's facts, the kernel and capture initramfs and whether it is up to date against its
 * stamp, the command line, the target, its dump directory and free space. Nothing is changed.
 * Sets *ret (kd_plan_destroy).
 */
int kd_plan_create(const struct kd_svc_args *a, enum kd_plan_for what, struct kd_plan **ret,
		   struct kd_err *err);
void kd_plan_destroy(struct kd_plan *p);

/* The capture initramfs of a release: root + /var/lib/kdump/initrd.img-REL (malloc'd). */
char *kd_svc_initrd_path(const char *root, const char *release);

/* "up to date", "stale: an input changed (kdump start rebuilds it)", ... */
const char *kd_initrd_state_text(enum kd_initrd_state s);
/* Why start builds: "rebuild asked", "first build", "its inputs changed"; NULL if it does not. */
const char *kd_build_reason(enum kd_build b);

/*
 * The inputs of the capture initramfs as the stamp file keeps them: the release; the kernel,
 * the kdump binary and modules.dep (size, mtime); kdump.conf, /etc/hostname and /proc/mounts
 * (a hash of their content, the last two from h); the modules asked for. malloc'd, NULL when
 * out of memory.
 */
char *kd_stamp_text(const struct kd_host *h, const char *config, const char *release,
		    const char *kernel, const char *kdump_bin, const char *const *modules,
		    size_t n_modules);

/* ---- start, stop, restart (start.c) ---------------------------------------------------------- */

/*
 * What the service does at boot: the plan (an invalid config arms nothing), the dump left on a
 * raw target saved, new dumps reported (log line, notify), the capture initramfs rebuilt when
 * an input changed, the capture kernel loaded (dry run: planned).
 */
int kd_svc_start(const struct kd_svc_args *a, struct kd_err *err);
/* Disarms (dry run: says it would). */
int kd_svc_stop(const struct kd_svc_args *a, struct kd_err *err);
/* The config checked first (an invalid one leaves the armed kernel alone), stop, start. */
int kd_svc_restart(const struct kd_svc_args *a, struct kd_err *err);

/* ---- status (status.c) ------------------------------------------------------------------------ */

struct kd_status {
	struct kd_plan *plan;
	bool crash_hotplug;		/* the kernel updates the loaded kernel on hotplug */
	bool armed_by_other;		/* loaded, but not by kdump: armed_by says who */
	char armed_by[128];
	struct kd_dump_list dumps;	/* under plan->dump_dir */
	const struct kd_dump *last;	/* the newest, or NULL */
};

/* The plan for status, and what status shows besides. Sets *ret (kd_status_destroy). */
int kd_status_create(const struct kd_svc_args *a, struct kd_status **ret, struct kd_err *err);
void kd_status_destroy(struct kd_status *s);

/* ---- the dumps: where, which, the new ones (list.c) ------------------------------------------- */

/*
 * Where the first kernel sees the dumps of c: path on the root filesystem (rootfs, raw:
 * savecore's destination), or path under the mount point of a local target. Sets *ret_dir
 * (malloc'd, root-prefixed) or NULL with *ret_why saying why (not found, not mounted, remote).
 */
int kd_svc_dump_dir(const struct kd_host *h, const struct conf *c, char **ret_dir,
		    const char **ret_why);

/* Reports (log line, c's notify command) each complete dump in dir not yet in root's
 * /var/lib/kdump/seen, and adds it there. Returns how many were new. */
int kd_svc_report_new_dumps(const char *root, const struct conf *c, const char *dir,
			    const struct kd_report *r);

/* The dumps in the dump directory of the config under root: sets *ret_dir and *ret. */
int kd_svc_list(const char *root, const char *config, const struct kd_report *r, char **ret_dir,
		struct kd_dump_list *ret, struct kd_err *err);

/* ---- savecore (savecore.c) --------------------------------------------------------------------- */

struct kd_savecore_args {
	const char *root;	/* the config is read and the dump written under it */
	const char *config;
	const char *device;	/* the raw device or an image of it, as given (not under root);
				 * NULL: the raw target of the config */
	bool dry_run;
	const struct kd_report *report;
};

/*
 * Saves a flattened dump found on a raw device as <path>/<host>-<date-time>/vmcore with its
 * extras, then marks the device saved. Returns 1 when a dump was saved (or would be), 0 when
 * there was none, or -errno (the device is left as it was). *ret_incomplete: the stream was cut
 * short (the dump keeps its .incomplete marker).
 */
int kd_savecore(const struct kd_savecore_args *a, bool *ret_incomplete, struct kd_err *err);

/* The same for the raw target of c on the host h (kdump start). */
int kd_svc_savecore(const struct kd_host *h, const struct conf *c, bool dry_run,
		    const struct kd_report *r, bool *ret_incomplete, struct kd_err *err);

/* ---- test: crash now (test.c) ------------------------------------------------------------------- */

struct kd_test_args {
	const char *root;	/* /sys and /proc under it (tests: the trigger is a plain file) */
	/* Asked before the crash unless NULL (--yes): 0 goes on; < 0 (err set; -ECANCELED: not
	 * confirmed) stops. */
	int (*confirm)(const char *host, struct kd_err *err);
	const struct kd_report *report;
};

/* Refuses unless a capture kernel is loaded; then syncs and writes 'c' to sysrq-trigger.
 * Returns only under a test root, or on failure. */
int kd_svc_test(const struct kd_test_args *a, struct kd_err *err);

/* ---- sizing the reservation (estimate.c) --------------------------------------------------------- */

struct kd_estimate_args {
	const char *root;
	const char *config;	/* NULL: /etc/kdump.conf, and the defaults when it is missing */
	const char *kernel;	/* NULL: /boot/vmlinuz-RELEASE */
	const struct kd_report *report;
};

/* The terms of the crashkernel= size, in bytes, and the reservation in place. */
struct kd_estimate {
	uint64_t ram, init_size, initrd, runtime, per_gib, per_cpu, net, margin, total;
	uint64_t reserved;
	unsigned cpus;			/* capture CPUs (nr_cpus=1) */
	size_t n_possible;		/* this machine's */
	bool init_size_known, initrd_known;
	char *kernel, *initrd_path;
	const char *target;		/* the target's kind */
	char *crashkernel;		/* kdump.conf's crashkernel, NULL if none */
	char *current;			/* crashkernel= of the running kernel, NULL if none */
};

/* Adds up what the capture kernel needs for this machine and its target. */
int kd_estimate(const struct kd_estimate_args *a, struct kd_estimate *ret, struct kd_err *err);
void kd_estimate_deinit(struct kd_estimate *e);

/* Shows crashkernel= and the value to use (kdump.conf's, else the estimate's); with set, writes
 * it as a GRUB drop-in under a->root. The text goes to a->report. */
int kd_crashkernel(const struct kd_estimate_args *a, bool set, struct kd_err *err);

#endif
