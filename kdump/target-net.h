/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The networked dump targets of the capture init: a stream through OpenSSH's client, and the
 * kernel NFS client mounted with mount(2). */
#ifndef KD_TARGET_NET_H
#define KD_TARGET_NET_H

#include "base/base.h"

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
