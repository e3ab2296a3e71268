// SPDX-License-Identifier: GPL-2.0-or-later
/* The dumps of the service: where the first kernel sees them, which there are, the new ones. */
#include "conf/conf.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"
#include "kdump/sys/sys.h"

#include <sys/stat.h>
#include <sys/wait.h>

#define SEEN_MAX (4u << 20)

/* The target's device spec as kd_resolve_device takes it ("/dev/vdb", "LABEL=crash"). */
static char *device_spec(const struct conf *c)
{
	if (c->target.device_kind == CONF_DEVICE_PATH)
		return kd_strdup(c->target.device);
	return kd_asprintf("%s=%s", conf_device_kind_name(c->target.device_kind), c->target.device);
}

int kd_svc_dump_dir(const struct kd_host *h, const struct conf *c, char **ret_dir,
		    const char **ret_why)
{
	_cleanup_free_ char *spec = NULL, *dev = NULL, *mnt = NULL;
	char *dir;

	*ret_dir = NULL;
	*ret_why = NULL;
	switch (c->target.kind) {
	case CONF_TARGET_ROOTFS:
	case CONF_TARGET_RAW:
		dir = kd_path_at(h->root, c->path);
		break;
	case CONF_TARGET_FS:
		spec = device_spec(c);
		dev = spec ? kd_resolve_device(h->root, spec) : NULL;
		if (!dev) {
			*ret_why = "target device not found";
			return 0;
		}
		mnt = kd_host_mount_point(h, dev);
		if (!mnt) {
			*ret_why = "target not mounted";
			return 0;
		}
		dir = kd_asprintf("%s%s%s", mnt, c->path[0] == '/' ? "" : "/", c->path);
		break;
	default:
		*ret_why = "remote target: the dumps are on the server";
		return 0;
	}
	if (!dir)
		return -ENOMEM;
	*ret_dir = dir;
	return 0;
}

/* Runs argv with dir as its last argument and waits for it. */
static void run_notify(char **argv, const char *dir, const struct kd_report *r)
{
	size_t n = 0;
	char **v;
	pid_t pid;
	int st;

	while (argv[n])
		n++;
	v = kd_calloc(n + 2, sizeof(*v));
	if (!v)
		return;
	memcpy(v, argv, n * sizeof(*v));
	v[n] = (char *)dir;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execvp(v[0], v);
		fprintf(stderr, "kdump: notify: cannot run %s: %s\n", v[0], strerror(errno));
		_exit(127);
	}
	free(v);
	if (pid < 0) {
		kd_report_log(r, KD_LOG_WARN, "notify: fork failed: %s", strerror(errno));
		return;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		kd_report_log(r, KD_LOG_WARN, "notify %s exited with status %d", argv[0],
			      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* line (with its newline) is one whole line of list. */
static bool has_line(const char *list, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = list; p && *p;) {
		if (strncmp(p, line, len) == 0)
			return true;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return false;
}

int kd_svc_report_new_dumps(const char *root, const struct conf *c, const char *dir,
			    const struct kd_report *r)
{
	_cleanup_free_ char *seen_path = kd_path_at(root, KD_STATE_DIR "/seen");
	_cleanup_free_ char *seen = NULL;
	_cleanup_fclose_ FILE *out = NULL;
	struct kd_dump_list l;
	int fresh = 0;

	if (!seen_path || kd_dumps_list(dir, &l, NULL) < 0)
		return 0;
	if (kd_read_file_at(NULL, seen_path, SEEN_MAX, &seen, NULL, NULL) < 0)
		seen = NULL;
	for (size_t i = 0; i < l.n; i++) {
		const struct kd_dump *d = &l.v[i];
		_cleanup_free_ char *full = kd_asprintf("%s/%s", dir, d->name);
		_cleanup_free_ char *line = kd_asprintf("%s\n", full ? full : "");
		char sz[32];
		if (!full || !line || !d->complete || has_line(seen, line))
			continue;
		if (!out) {
			_cleanup_free_ char *sd = kd_path_at(root, KD_STATE_DIR);
			if (sd)
				mkdir(sd, 0700);
			out = fopen(seen_path, "ae");
		}
		kd_report_log(r, KD_LOG_INFO, "new dump: %s (%s, kernel %s, crashed %s%s%s)", full,
			      kd_format_size(d->bytes, sz, sizeof(sz)),
			      d->release[0] ? d->release : "?", d->crash_time[0] ? d->crash_time : "?",
			      d->panic[0] ? ": " : "", d->panic);
		if (c->notify)
			run_notify(c->notify, full, r);
		if (out)
			fputs(line, out);
		fresh++;
	}
	kd_dumps_free(&l);
	return fresh;
}

int kd_svc_list(const char *root, const char *config, const struct kd_report *r, char **ret_dir,
		struct kd_dump_list *ret, struct kd_err *err)
{
	struct conf *c = NULL;
	struct kd_host *h = NULL;
	_cleanup_free_ char *dir = NULL;
	const char *why = NULL;
	int rc;

	rc = kd_svc_conf(root, config, r, &c, err);
	if (rc >= 0)
		rc = kd_host_read(root, &h, err);
	if (rc >= 0)
		kd_svc_dump_dir(h, c, &dir, &why);
	conf_destroy(c);
	kd_host_destroy(h);
	if (rc < 0)
		return rc;
	if (!dir)
		return kd_err_set(err, -ENOENT, "cannot list the dumps: %s",
				  why ? why : "out of memory");
	rc = kd_dumps_list(dir, ret, err);
	if (rc < 0)
		return rc;
	*ret_dir = KD_TAKE_PTR(dir);
	return 0;
}
