/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The capture init (PID 1 of the capture kernel), its dump targets and what they share. */
#ifndef KD_INIT_H
#define KD_INIT_H

#include "base/base.h"
#include "conf/conf.h"

#define KD_INIT_VMCORE "/proc/vmcore"
#define KD_INIT_TARGET_MNT "/kdump-target"	/* the target filesystem (local, nfs) */
#define KD_INIT_ROOTFS_MNT "/kdump-rootfs"	/* failure_action dump_to_rootfs */

/* ---- the PID 1 sequence (kdump/init/init.c) ---- */

/*
 * Runs the capture init as PID 1: mounts /dev, /proc and /sys, takes the console, reads
 * CONF_INIT_PATH, loads its modules, runs kdump_pre, dumps KD_INIT_VMCORE to the target
 * (on failure kdump_emergency, then the failure action), runs kdump_post, and ends with the
 * final action (power off, reboot, halt). Never returns.
 */
_Noreturn void kd_init_run(void);

/* Seconds since the capture kernel started (/proc/uptime), for the timings in the log. */
double kd_init_uptime(void);

/* ---- the capture as the init runs it (kdump/init/capture.c) ---- */

/*
 * Captures vmcore with the settings of c (dump level; compress= lzo when unset, zlib, zstd or
 * none): with flat_fd >= 0 as a flattened stream to flat_fd (left open; output only names it
 * in messages), else into the new dump file output, without its manifest (written once the
 * dump is on disk). Prints the capture's summary and the memory it used. On failure err holds
 * the capture's own error, saying whether an incomplete dump was left.
 */
int kd_init_capture(const struct conf_init *c, const char *vmcore, const char *output,
		    int flat_fd, struct kd_err *err);

/* ---- the targets (kdump/init/target*.c) ---- */

/* Dumps vmcore to the target of c, bringing up the network first for ssh and nfs. */
int kd_init_dump_to_target(const struct conf_init *c, const char *vmcore, struct kd_err *err);

/*
 * The dump directory on a mounted filesystem (kdump/init/target-local.c): under
 * mnt/<c->path>/<host>-<date-time>/ (made here), with its .incomplete marker: the free-space
 * check (c->check_space), the dump (vmcore, or vmcore.flat with c->flat), its manifest, the
 * raw copy (c->save_raw), the read-back check (c->verify; auto: when remote), dmesg.txt,
 * info.txt, info.json, then the marker removed and the retention (c->keep). dev names the
 * filesystem in messages. On failure the marker stays, with the log and the summary beside
 * what was written.
 */
int kd_init_dump_dir(const struct conf_init *c, const char *vmcore, const char *mnt,
		     const char *dev, bool remote, struct kd_err *err);
/* A local filesystem: waits for device spec, mounts it (fstype) on mnt, kd_init_dump_dir. */
int kd_init_target_local(const struct conf_init *c, const char *vmcore, const char *mnt,
			 const char *spec, const char *fstype, struct kd_err *err);
/* A raw device (kdump/init/target-raw.c): the flattened stream onto it, for savecore. */
int kd_init_target_raw(const struct conf_init *c, const char *vmcore, struct kd_err *err);
/* ssh (kdump/init/target-ssh.c): vmcore.flat and its manifest, then the extras, streamed
 * through OpenSSH's client; the network must be up. */
int kd_init_target_ssh(const struct conf_init *c, const char *vmcore, struct kd_err *err);
/* nfs (kdump/init/target-nfs.c): the export mounted on KD_INIT_TARGET_MNT, then
 * kd_init_dump_dir; the network must be up. */
int kd_init_target_nfs(const struct conf_init *c, const char *vmcore, struct kd_err *err);

/* "<host>-<date-time>" for a new dump: c->hostname, else this kernel's host name. */
void kd_init_dump_name(const struct conf_init *c, char *buf, size_t len);
/* Whether to read the dump back: verify=yes, or auto on a networked target (remote). */
bool kd_init_want_verify(const struct conf_init *c, bool remote);

/*
 * Waits up to secs for a device and resolves its name (kdump/init/device.c): a /dev path, or
 * UUID= / LABEL= found by reading superblocks in /dev (the capture initramfs has no udev; a
 * /dev/disk/by-* link is used if something made one). Writes the /dev path into ret.
 */
int kd_init_wait_device(const char *spec, unsigned secs, char *ret, size_t len,
			struct kd_err *err);

/* ---- OpenSSH's client, for the ssh target (kdump/init/ssh.c) ---- */
struct kd_ssh_target {
	const char *ssh;	/* the ssh program, e.g. /usr/bin/ssh */
	const char *user;
	const char *host;
	unsigned port;		/* 0 = ssh's default */
	const char *key;	/* identity file */
	const char *known_hosts; /* the only host keys trusted (StrictHostKeyChecking=yes) */
	unsigned connect_timeout; /* seconds, 0 = 30 */
	const char *control_path; /* NULL, or a socket path: one connection for every command
				     (ControlMaster=auto, ControlPersist: the first command leaves
				     a master in the background) */
};

/* s in single quotes for a POSIX shell ('it'\''s'), malloc'd; NULL on allocation failure. */
char *kd_shell_quote(const char *s);

/*
 * The argv of ssh for running remote_cmd (one argument: the remote shell parses it; quote
 * every value in it with kd_shell_quote): batch mode, no config file, only t->key, only
 * t->known_hosts with strict checking, no agent/X11/port forwarding, no tty. User and host
 * are separate arguments after "--", never parsed as options. NULL-terminated, malloc'd as
 * one block (free(argv) frees all); NULL on allocation failure.
 */
char **kd_ssh_argv(const struct kd_ssh_target *t, const char *remote_cmd);

/* Remote commands on dump directory dir (absolute, unquoted). malloc'd, NULL on failure. */
char *kd_ssh_cmd_begin(const char *dir);	 /* mkdir, .incomplete, stdin -> vmcore.flat.part */
char *kd_ssh_cmd_file(const char *dir, const char *name); /* stdin -> dir/name */
char *kd_ssh_cmd_finish(const char *dir);	 /* rename to vmcore.flat, remove .incomplete */
/* sha256sum -c of dir/vmcore.flat.part against sha256 (64 hex digits, else NULL). */
char *kd_ssh_cmd_check(const char *dir, const char *sha256);

/*
 * Runs ssh (fork + execv, no shell on this side) with remote_cmd, its standard input a pipe
 * that feed(fd, ctx) writes; feed's return value (< 0 = failure) and ssh's exit status are both
 * checked. Standard output and error of ssh go where ours go.
 */
int kd_ssh_run(const struct kd_ssh_target *t, const char *remote_cmd,
	       int (*feed)(int fd, void *ctx), void *ctx, struct kd_err *err);

/* ---- the kernel NFS client, for the nfs target (kdump/init/target-nfs.c) ---- */

/*
 * The text options of mount(2) for the kernel NFS client (no mount.nfs): vers (3, 4, 4.0,
 * 4.1, 4.2), the server's address, for NFSv4 the client's own address; soft with a bounded
 * timeout so that a dead server fails the dump instead of hanging it. malloc'd.
 */
char *kd_nfs_options(const char *vers, const char *server, const char *clientaddr);

/* Mounts server:export (IPv4 address) on dir with kd_nfs_options. vers NULL or "": 4.2, then
 * 4.1, 4.0 and 3 while the server answers that it lacks the version (as mount.nfs does).
 * *ret_vers (if not NULL) is set to the version mounted (a static string). */
int kd_nfs_mount(const char *server, const char *export_path, const char *vers,
		 const char *clientaddr, const char *dir, const char **ret_vers,
		 struct kd_err *err);

#endif
