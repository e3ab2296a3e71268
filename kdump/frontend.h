/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Front-end helpers shared by the commands: running another command of this binary in-process. */
#ifndef KD_FRONTEND_H
#define KD_FRONTEND_H

#include "kdump/command.h"

/* The registered command called name ("capture", "kexec load"), or NULL. */
const struct kd_command *kd_find_command(const char *name);

/*
 * Runs command name in-process with argv (NULL-terminated, argv[0] the command name) and its
 * standard output sent to out_fd when out_fd >= 0. Returns its exit status, -ENOSYS when this
 * binary has no such command.
 */
int kd_run_command(const char *name, char **argv, int out_fd);

/* ---- the service commands' shared facts (kdump/cmd-common.c) ---- */
struct conf;

#define KD_STATE_DIR "/var/lib/kdump"
#define KD_CAPTURE_APPEND "irqpoll nr_cpus=1 reset_devices"

/* Loads kdump.conf under root (NULL or "/": the real one), printing its warnings. */
int kd_svc_conf(const char *root, const char *config, struct conf **ret, struct kd_err *err);

/* The capture initramfs of a release: root + /var/lib/kdump/initrd.img-REL (malloc'd). */
char *kd_svc_initrd_path(const char *root, const char *release);

/*
 * Where the first kernel sees the dumps of c: path on the root filesystem (rootfs, raw:
 * savecore's destination), or path under the mount point of a local target. Sets *ret_dir
 * (malloc'd, root-prefixed) or NULL with *ret_why saying why (not mounted, remote).
 */
int kd_svc_dump_dir(const char *root, const struct conf *c, char **ret_dir, const char **ret_why);

#endif
