/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The service an admin lives with: loading and unloading kernels (libloader), and what
 * start, stop, restart, status, list, test, savecore and estimate do. */
#ifndef KD_SERVICE_H
#define KD_SERVICE_H

#include "base/base.h"

struct kd_report;
struct loader_sys;

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

#endif
