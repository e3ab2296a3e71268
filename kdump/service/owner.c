// SPDX-License-Identifier: GPL-2.0-or-later
/* Who armed the capture kernel: kdump's mark in /run, else the other tools a root holds. */
#include "kdump/service/service.h"

#include <fcntl.h>
#include <sys/stat.h>

/* The tools that also arm a capture kernel, by a file each installs. */
static const struct {
	const char *path, *who;
} others[] = {
	{ "/usr/sbin/kdump-config", "kdump-tools (kdump-config, kdump-tools.service)" },
	{ "/sbin/kdump-config", "kdump-tools (kdump-config, kdump-tools.service)" },
	{ "/usr/bin/kdumpctl", "kdump-utils (kdumpctl)" },
	{ "/usr/sbin/kdumpctl", "kdump-utils (kdumpctl)" },
};

int kd_armed_mark(const char *root, const char *kernel, struct kd_err *err)
{
	_cleanup_free_ char *run = kd_path_at(root, "/run");
	_cleanup_free_ char *dir = kd_path_at(root, "/run/kdump");
	_cleanup_free_ char *path = kd_path_at(root, KD_ARMED_MARK);
	_cleanup_free_ char *text = kd_asprintf("kernel %s\npid %ld\n", kernel, (long)getpid());
	_cleanup_close_ int fd = -1;

	if (!run || !dir || !path || !text)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if ((mkdir(run, 0755) < 0 && errno != EEXIST) || (mkdir(dir, 0755) < 0 && errno != EEXIST))
		return kd_err_sys(err, -errno, "cannot create %s", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || kd_write_all(fd, text, strlen(text)) < 0)
		return kd_err_sys(err, -errno, "cannot write %s", path);
	return 0;
}

void kd_armed_clear(const char *root)
{
	_cleanup_free_ char *path = kd_path_at(root, KD_ARMED_MARK);

	if (path)
		unlink(path);
}

bool kd_armed_by_other(const char *root, int crash_loaded, char *buf, size_t len)
{
	_cleanup_free_ char *mark = kd_path_at(root, KD_ARMED_MARK);

	if (crash_loaded != 1 || !mark || access(mark, F_OK) == 0)
		return false;
	snprintf(buf, len, "another program (kexec -p by hand, or a tool kdump does not know)");
	for (size_t i = 0; i < KD_ARRAY_SIZE(others); i++) {
		_cleanup_free_ char *p = kd_path_at(root, others[i].path);
		if (p && access(p, F_OK) == 0) {
			snprintf(buf, len, "%s", others[i].who);
			break;
		}
	}
	return true;
}
