/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture initramfs's own settings file (/etc/kdump/init.conf): written by
 * `kdump initramfs`, read by the capture init. */
#ifndef KD_INITCONF_H
#define KD_INITCONF_H

#include "base/base.h"

#define KD_INITCONF_PATH "/etc/kdump/init.conf"
#define KD_INITCONF_MAX_MODULES 128

enum kd_target_kind { KD_TARGET_LOCAL, KD_TARGET_RAW, KD_TARGET_SSH, KD_TARGET_NFS };
enum kd_final_action { KD_FINAL_POWEROFF, KD_FINAL_REBOOT, KD_FINAL_HALT };
/* What the init does when the dump cannot be written: dump_to_rootfs, or a final action. */
enum kd_failure_action {
	KD_FAILURE_DUMP_TO_ROOTFS,
	KD_FAILURE_REBOOT,
	KD_FAILURE_HALT,
	KD_FAILURE_POWEROFF,
};

/* Read the dump back after writing and check it (auto: for the ssh and nfs targets). */
enum kd_verify_mode { KD_VERIFY_AUTO, KD_VERIFY_YES, KD_VERIFY_NO };

struct kd_initconf {
	enum kd_target_kind target;
	char device[256];	/* /dev/vda, or UUID=... / LABEL=... (resolved under /dev/disk) */
	char fstype[32];	/* local target: ext4, xfs, ... */
	char path[256];		/* directory on the target filesystem for dumps */
	unsigned level;		/* dump level 0-31 */
	char compress[16];	/* capture compression name, passed to `kdump capture` */
	enum kd_final_action final_action;
	bool save_raw;		/* also copy /proc/vmcore verbatim (vmcore.raw), for checks */
	unsigned wait_secs;	/* how long to wait for the target device */
	char hostname[65];	/* the first kernel's host name, for <path>/<host>-<date-time> */
	enum kd_failure_action failure_action;
	char rootfs_device[256]; /* dump_to_rootfs: the first kernel's root device, "" if none */
	char rootfs_fstype[32];
	char pre[160];		/* kdump_pre inside the initramfs, "" if none */
	char post[160];		/* kdump_post inside the initramfs, "" if none */
	char emergency[160];	/* kdump_emergency inside the initramfs, "" if none */
	unsigned keep;		/* retention: newest N complete dumps kept, 0 = all */
	bool flat;		/* local target: a flattened vmcore.flat instead of vmcore */
	bool check_space;	/* refuse a local target without room for the estimated dump */
	enum kd_verify_mode verify;
	size_t n_modules;
	char modules[KD_INITCONF_MAX_MODULES][160];	/* paths under /lib/modules, in order */
	bool optional[KD_INITCONF_MAX_MODULES];	/* soft dependency: failure tolerated */
	/* Networked targets (ssh, nfs): static IPv4 set by the init over rtnetlink. */
	char net_iface[16];	/* "" = the one with net_mac, else the first one other than lo */
	char net_mac[18];	/* the first kernel's interface to the target, "" if unknown */
	char net_addr[48];	/* ADDR/PREFIX */
	char net_gateway[48];	/* "" = none */
	char ssh_user[64];	/* ssh target */
	char ssh_host[256];	/* an IPv4 address (the capture kernel has no resolver) */
	unsigned ssh_port;	/* 0 = ssh's default */
	char nfs_server[48];	/* nfs target: the server's IPv4 address */
	char nfs_export[256];	/* exported directory */
	char nfs_vers[8];	/* "4.2" (default), "4.1", "4" or "3" */
};

/* Where the ssh target's files are in the initramfs. */
#define KD_INIT_SSH_BIN "/usr/bin/ssh"
#define KD_INIT_SSH_KEY "/etc/kdump/ssh_key"
#define KD_INIT_KNOWN_HOSTS "/etc/kdump/known_hosts"

const char *kd_target_kind_name(enum kd_target_kind k);

void kd_initconf_defaults(struct kd_initconf *c);
/* Parses "key=value" lines (# comments). Errors name the line. */
int kd_initconf_parse(const char *text, const char *what, struct kd_initconf *ret,
		      struct kd_err *err);
/* Formats c as the file's text into a malloc'd string (NULL on allocation failure). */
char *kd_initconf_format(const struct kd_initconf *c);
const char *kd_final_action_name(enum kd_final_action a);
const char *kd_failure_action_name(enum kd_failure_action a);
const char *kd_verify_mode_name(enum kd_verify_mode v);

#endif
