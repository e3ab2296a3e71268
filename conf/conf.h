/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libconf: parse and validate /etc/kdump.conf (kdump-utils' format plus kdump's own directives). */
#ifndef CONF_CONF_H
#define CONF_CONF_H

#include "base/base.h"

/* Bounds on untrusted input. */
#define CONF_MAX_FILE_SIZE 65536u /* bytes */
#define CONF_MAX_LINES 4096u
#define CONF_MAX_LINE 4096u /* bytes, without the line end */
#define CONF_MAX_LIST 64u   /* words in extra_bins, extra_modules, notify */
#define CONF_MAX_DIAGS 64u  /* diagnostics kept; later ones are counted only */

#define CONF_DEFAULT_FILE "/etc/kdump.conf"
#define CONF_DEFAULT_PATH "/var/crash"
#define CONF_DEFAULT_SSHKEY "/root/.ssh/kdump_id_rsa"

/* Where the dump goes. */
enum conf_target_kind {
	CONF_TARGET_ROOTFS, /* no target directive: "path" on the root filesystem */
	CONF_TARGET_FS,	    /* <fstype> <device>: a local filesystem, mounted by the capture init */
	CONF_TARGET_RAW,    /* raw <device>: a flattened stream written to a block device */
	CONF_TARGET_SSH,    /* ssh <user@host>: a flattened stream over OpenSSH */
	CONF_TARGET_NFS,    /* nfs <server:/export>: the kernel NFS client */
};

/* How a block device is named (fs and raw targets). */
enum conf_device_kind {
	CONF_DEVICE_NONE,
	CONF_DEVICE_PATH,      /* /dev/... */
	CONF_DEVICE_UUID,      /* UUID=... (filesystem UUID) */
	CONF_DEVICE_LABEL,     /* LABEL=... */
	CONF_DEVICE_PARTUUID,  /* PARTUUID=... (GPT/MBR partition) */
	CONF_DEVICE_PARTLABEL, /* PARTLABEL=... */
	CONF_DEVICE_TAG,       /* a virtiofs tag */
};

struct conf_target {
	enum conf_target_kind kind;
	unsigned line;	/* line of the target directive, 0 if none */
	char *spec;	/* the value as written (after unquoting), NULL for rootfs */
	char *fstype;	/* CONF_TARGET_FS: "ext4", "xfs", ...; "nfs" for nfs */
	enum conf_device_kind device_kind;
	char *device;	/* the device name without its KEY= prefix (fs, raw) */
	char *user;	/* ssh */
	char *host;	/* ssh: host name or address; nfs: server (IPv6 without brackets) */
	char *export_path; /* nfs: the exported directory */
	unsigned port;	/* ssh: port from user@host:PORT, 0 for ssh's default */
};

enum conf_action {
	CONF_ACTION_REBOOT,
	CONF_ACTION_HALT,
	CONF_ACTION_POWEROFF,
	CONF_ACTION_SHELL,
	CONF_ACTION_DUMP_TO_ROOTFS,
};

enum conf_compress {
	CONF_COMPRESS_NONE,
	CONF_COMPRESS_ZLIB, /* -c */
	CONF_COMPRESS_LZO,  /* -l */
	CONF_COMPRESS_ZSTD, /* -z */
};

enum conf_format {
	CONF_FORMAT_KDUMP, /* kdump-compressed (the default) */
	CONF_FORMAT_ELF,   /* -E */
};

enum conf_verify { CONF_VERIFY_AUTO, CONF_VERIFY_YES, CONF_VERIFY_NO };

/* The capture's options, from "core_collector kdump capture ..." or makedumpfile's spelling. */
struct conf_collector {
	unsigned dump_level;	/* 0..31, default 31 */
	enum conf_compress compress; /* default lzo */
	enum conf_format format;
	bool flattened;		/* -F, or implied by a raw or ssh target */
	bool flattened_implied; /* set by the target, not written in the config */
	bool from_makedumpfile; /* written in makedumpfile's spelling */
};

/* A parsed, validated configuration with every default resolved. */
struct conf {
	char *file;		/* the file name used in messages */
	struct conf_target target;
	char *path;		/* dump directory (on the target; for raw: where savecore puts it) */
	char *sshkey;
	struct conf_collector collector;
	char *kdump_pre;	/* absolute path of an executable, or NULL */
	char *kdump_post;
	char *kdump_emergency;
	char **extra_bins;	/* NULL-terminated, never NULL */
	char **extra_modules;	/* NULL-terminated, never NULL */
	enum conf_action failure_action; /* default dump_to_rootfs with a target, else reboot */
	enum conf_action final_action;	 /* default reboot; never shell or dump_to_rootfs */
	bool force_rebuild;
	bool force_no_rebuild;
	bool auto_reset_crashkernel;
	unsigned keep;		/* retention: keep the newest N dumps; 0 = keep all */
	enum conf_verify verify;
	char *nfs_vers;		/* nfs_vers: "4.2", "4.1", "4.0", "4" or "3"; NULL: the newest the
				 * server has (4.2 first) */
	char **notify;		/* argv of the notify command (NULL-terminated) or NULL */
	char *capture_cmdline_append; /* appended to the capture kernel's command line, or NULL */
	char *crashkernel;	/* crashkernel= value to use ("auto" or the kernel's syntax), or NULL */
	/* capture_ip: the capture kernel's static IPv4 for ssh/nfs targets (NULL: taken from
	 * the first kernel's route to the target when the initramfs is built). */
	char *capture_ip;	/* "ADDR/PREFIX" */
	char *capture_gateway;	/* "ADDR" or NULL (target on the link) */
	char *capture_iface;	/* interface name in the capture kernel, or NULL (the first) */
};

/* One diagnostic: msg is complete ("FILE:LINE:COL: text"). */
struct conf_diag {
	bool error;	/* false: a warning (the config is still valid) */
	unsigned line;	/* 1-based, 0 for the whole file */
	unsigned column; /* 1-based byte column, 0 if none */
	char *msg;
};

/* Caller-owned list of diagnostics; zero-initialize, release with conf_diags_deinit. */
struct conf_diags {
	struct conf_diag *v;
	size_t n;	  /* kept, at most CONF_MAX_DIAGS */
	size_t n_errors;  /* counted, including those not kept */
	size_t n_warnings;
};
void conf_diags_deinit(struct conf_diags *d);

/*
 * Parses and validates a configuration held in memory (text need not be NUL-terminated;
 * filename is used in messages only). On success sets *ret (free with conf_destroy); warnings
 * go to diags. On an invalid config returns -EINVAL, fills err with the first error and diags
 * (if not NULL) with every error and warning found. diags may be NULL.
 */
int conf_parse(const char *text, size_t len, const char *filename, struct conf **ret,
	       struct conf_diags *diags, struct kd_err *err);

/*
 * Reads and parses root+path (root NULL or "/" for the real root). Refuses a file that another
 * user could change (group- or world-writable, or owned by neither root nor the caller), or
 * whose directory could be used to replace it, and files larger than CONF_MAX_FILE_SIZE. A
 * missing file is -ENOENT. Messages name the file as opened (root + path).
 */
int conf_load(const char *root, const char *path, struct conf **ret, struct conf_diags *diags,
	      struct kd_err *err);

/* Frees a config; NULL is fine. */
void conf_destroy(struct conf *c);

/*
 * Writes the effective configuration in kdump.conf syntax (defaults resolved, makedumpfile's
 * spelling translated) into a malloc'd string *ret (caller frees).
 */
int conf_render(const struct conf *c, char **ret);

/* Names as written in the config ("reboot", "ssh", "lzo", ...). */
const char *conf_action_name(enum conf_action a);
const char *conf_target_kind_name(enum conf_target_kind k);
const char *conf_compress_name(enum conf_compress c);
const char *conf_verify_name(enum conf_verify v);
const char *conf_device_kind_name(enum conf_device_kind k);

/* True when the target is reached over the network (ssh, nfs). */
bool conf_target_is_remote(const struct conf *c);

/* The options of "kdump capture" that the collector stands for ("-d 31 -l -F"), malloc'd. */
char *conf_collector_args(const struct conf_collector *col);

/* ---- one validator per value: kdump.conf's and the command-line options that set the same ---- */

/* A dump level, "0" to "31". Returns 0 and sets *ret, or -EINVAL. */
int conf_dump_level_parse(const char *s, unsigned *ret);

/*
 * Parses a dump target as the target directive kind takes it: "ssh" USER@HOST[:PORT], "nfs"
 * SERVER:/EXPORT, "raw" DEVICE, "virtiofs" TAG, else kind is the filesystem type of DEVICE
 * (not checked here). DEVICE: /dev/NAME (normalised), UUID=, LABEL=, PARTUUID=, PARTLABEL=.
 * On success fills *ret (line 0; free its strings with conf_target_deinit). On -EINVAL, err
 * holds kdump.conf's message for the value, without a file or line.
 */
int conf_target_parse(const char *kind, const char *value, struct conf_target *ret,
		      struct kd_err *err);
void conf_target_deinit(struct conf_target *t);

/* Edit distance (optimal string alignment, case-insensitive) of two strings, capped at cap+1 (exposed for tests). */
unsigned conf_edit_distance(const char *a, const char *b, unsigned cap);

/* ---- the capture init's settings ------------------------------------------------------------
 * /etc/kdump/init.conf in the capture initramfs: written by the initramfs builder from a parsed
 * kdump.conf and the host's facts, read by the capture init. The same model as kdump.conf (its
 * enums, its names), one "key=value" a line, parsed and formatted by one table (conf/init.c).
 */
#define CONF_INIT_PATH "/etc/kdump/init.conf"
#define CONF_INIT_MAX_MODULES 128
/* Where the ssh target's files are in the initramfs. */
#define CONF_INIT_SSH_BIN "/usr/bin/ssh"
#define CONF_INIT_SSH_KEY "/etc/kdump/ssh_key"
#define CONF_INIT_KNOWN_HOSTS "/etc/kdump/known_hosts"

struct conf_init {
	/* CONF_TARGET_FS ("local": a filesystem, the root one included), _RAW, _SSH or _NFS */
	enum conf_target_kind target;
	char device[256];	/* /dev/vda, or UUID=... / LABEL=... (resolved under /dev/disk) */
	char fstype[32];	/* local target: ext4, xfs, ... */
	char path[256];		/* directory on the target filesystem for dumps */
	unsigned level;		/* dump level 0-31 */
	enum conf_compress compress;
	enum conf_action final_action;	 /* reboot, halt or poweroff */
	enum conf_action failure_action; /* dump_to_rootfs, reboot, halt or poweroff */
	bool save_raw;		/* also copy /proc/vmcore verbatim (vmcore.raw), for checks */
	unsigned wait_secs;	/* how long to wait for the target device */
	char hostname[65];	/* the first kernel's host name, for <path>/<host>-<date-time> */
	char rootfs_device[256]; /* dump_to_rootfs: the first kernel's root device, "" if none */
	char rootfs_fstype[32];
	char pre[160];		/* kdump_pre inside the initramfs, "" if none */
	char post[160];		/* kdump_post inside the initramfs, "" if none */
	char emergency[160];	/* kdump_emergency inside the initramfs, "" if none */
	unsigned keep;		/* retention: newest N complete dumps kept, 0 = all */
	bool flat;		/* local target: a flattened vmcore.flat instead of vmcore */
	bool check_space;	/* refuse a local target without room for the estimated dump */
	enum conf_verify verify; /* read the dump back (auto: on the ssh and nfs targets) */
	size_t n_modules;
	char modules[CONF_INIT_MAX_MODULES][160]; /* paths under /lib/modules, in order */
	bool optional[CONF_INIT_MAX_MODULES];	  /* soft dependency: failure tolerated */
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
	char nfs_vers[8];	/* "" (negotiated, 4.2 first), "4.2", "4.1", "4.0", "4" or "3" */
};

/* The defaults: a local ext4 target, level 31, LZO, poweroff, dump_to_rootfs on failure. */
void conf_init_defaults(struct conf_init *c);
/* Parses the settings file's text ("key=value" lines, # comments); what names it in errors
 * ("FILE:LINE: ..."). Sets *ret only on success. */
int conf_init_parse(const char *text, const char *what, struct conf_init *ret, struct kd_err *err);
/* The settings file's text, malloc'd (NULL on allocation failure); conf_init_parse reads it
 * back into the same settings. */
char *conf_init_format(const struct conf_init *c);
/* "local", "raw", "ssh" or "nfs": the init's name of a target kind. */
const char *conf_init_target_name(enum conf_target_kind k);

/* More validators of one value each (names as kdump.conf writes them); each returns 0 and
 * sets *ret, or -EINVAL. */
int conf_action_parse(const char *s, enum conf_action *ret);
int conf_compress_parse(const char *s, enum conf_compress *ret);
int conf_verify_parse(const char *s, enum conf_verify *ret);
/* An NFS version as kdump.conf's nfs_vers takes it: "4.2", "4.1", "4.0", "4" or "3". */
bool conf_nfs_vers_valid(const char *s);
/* The accepted NFS versions, newest first, NULL-terminated. */
extern const char *const conf_nfs_versions[];

#endif
