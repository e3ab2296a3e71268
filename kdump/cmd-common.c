// SPDX-License-Identifier: GPL-2.0-or-later
/* Front-end helpers: find and run another command of this binary in-process. */
#include "conf/conf.h"
#include "kdump/sys/sys.h"
#include "kdump/frontend.h"

#include <getopt.h>
#include <limits.h>

extern const struct kd_command __start_kd_commands[], __stop_kd_commands[];

const struct kd_command *kd_find_command(const char *name)
{
	for (const struct kd_command *c = __start_kd_commands; c < __stop_kd_commands; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int kd_run_command(const char *name, char **argv, int out_fd)
{
	const struct kd_command *c = kd_find_command(name);
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

/* ---- service helpers ---- */

int kd_svc_conf(const char *root, const char *config, struct conf **ret, struct kd_err *err)
{
	struct conf_diags diags = { 0 };
	int r = conf_load(root, config ? config : CONF_DEFAULT_FILE, ret, &diags, err);

	for (size_t i = 0; i < diags.n; i++)
		if (!diags.v[i].error || r < 0)
			kd_log(diags.v[i].error ? KD_LOG_ERR : KD_LOG_WARN, "%s", diags.v[i].msg);
	if (r < 0 && diags.n_errors > 1)
		kd_err_set(err, r, "%zu errors in %s: fix them and run `kdump config check`",
			   diags.n_errors, config ? config : CONF_DEFAULT_FILE);
	conf_diags_deinit(&diags);
	return r;
}

char *kd_svc_initrd_path(const char *root, const char *release)
{
	_cleanup_free_ char *rel = kd_asprintf(KD_STATE_DIR "/initrd.img-%s", release);

	return rel ? kd_path_at(root, rel) : NULL;
}

/* The mount point (root-prefixed) of the filesystem on dev (a resolved path), or NULL. */
static char *mount_point_of(const char *root, const char *dev)
{
	_cleanup_free_ char *mounts = NULL;
	char *res = NULL;

	if (kd_read_file_at(root, "/proc/mounts", 1 << 20, &mounts, NULL, NULL) < 0)
		return NULL;
	for (char *l = strtok(mounts, "\n"); l && !res; l = strtok(NULL, "\n")) {
		char src[PATH_MAX], dir[PATH_MAX];
		_cleanup_free_ char *srcp = NULL, *real = NULL;
		if (sscanf(l, "%4095s %4095s", src, dir) != 2 || src[0] != '/')
			continue;
		srcp = kd_path_at(root, src);
		real = srcp ? realpath(srcp, NULL) : NULL;
		if (real && strcmp(real, dev) == 0)
			res = kd_path_at(root, dir);
	}
	return res;
}

int kd_svc_dump_dir(const char *root, const struct conf *c, char **ret_dir, const char **ret_why)
{
	_cleanup_free_ char *dev = NULL, *mnt = NULL;
	char *dir;

	*ret_dir = NULL;
	*ret_why = NULL;
	switch (c->target.kind) {
	case CONF_TARGET_ROOTFS:
	case CONF_TARGET_RAW:
		dir = kd_path_at(root, c->path);
		break;
	case CONF_TARGET_FS: {
		_cleanup_free_ char *spec = c->target.device_kind == CONF_DEVICE_PATH
						   ? kd_strdup(c->target.device)
						   : kd_asprintf("%s=%s", conf_device_kind_name(
									    c->target.device_kind),
								 c->target.device);
		dev = spec ? kd_resolve_device(root, spec) : NULL;
		if (!dev) {
			*ret_why = "target device not found";
			return 0;
		}
		mnt = mount_point_of(root, dev);
		if (!mnt) {
			*ret_why = "target not mounted";
			return 0;
		}
		dir = kd_asprintf("%s%s%s", mnt, c->path[0] == '/' ? "" : "/", c->path);
		break;
	}
	default:
		*ret_why = "remote target: the dumps are on the server";
		return 0;
	}
	if (!dir)
		return -ENOMEM;
	*ret_dir = dir;
	return 0;
}
