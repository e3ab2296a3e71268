// SPDX-License-Identifier: GPL-2.0-or-later
/* The files written beside a dump (dmesg.txt, info.txt, info.json), from one table. */
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <fcntl.h>

static int write_dmesg(const char *vmcore, int fd, const char *name, struct kd_err *err)
{
	struct vmcore_log_stats st = { 0 };
	struct vmcore *vc = NULL;
	int r;

	r = vmcore_open(vmcore, &vc, err);
	if (r < 0)
		return r;
	r = kd_dmesg_write(vc, 0, fd, name, &st, err);
	vmcore_close(vc);
	return r;
}

static int write_summary(const char *vmcore, int fd, enum kd_summary_format fmt,
			 struct kd_err *err)
{
	struct kd_summary *s = NULL;
	_cleanup_close_ int dfd = -1;
	FILE *f;
	int r;

	r = kd_summary_create(vmcore, &s, err);
	if (r < 0)
		return r;
	dfd = dup(fd);
	f = dfd >= 0 ? fdopen(dfd, "w") : NULL;
	if (!f) {
		r = kd_err_sys(err, -errno, "cannot write the summary");
		kd_summary_destroy(s);
		return r;
	}
	dfd = -1; /* f owns it now */
	r = kd_summary_write(s, fmt, f);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r < 0)
		kd_err_sys(err, r, "cannot write the summary");
	else if (!kd_summary_has_vmcoreinfo(s))
		r = kd_err_set(err, -ENODATA, "%s", kd_summary_warning(s, 0) ?: "no VMCOREINFO");
	kd_summary_destroy(s);
	return r;
}

static int write_info_text(const char *vmcore, int fd, const char *name, struct kd_err *err)
{
	return write_summary(vmcore, fd, KD_SUMMARY_TEXT, err);
}

static int write_info_json(const char *vmcore, int fd, const char *name, struct kd_err *err)
{
	return write_summary(vmcore, fd, KD_SUMMARY_JSON, err);
}

const struct kd_extra kd_extras[KD_NR_EXTRAS] = {
	{ "dmesg.txt", write_dmesg },
	{ "info.txt", write_info_text },
	{ "info.json", write_info_json },
};

int kd_extra_write(const struct kd_extra *x, const char *vmcore, int fd, struct kd_err *err)
{
	int r = x->write(vmcore, fd, x->file, err);

	if (r < 0)
		kd_err_prefix(err, "%s", x->file);
	return r;
}

int kd_write_extras(int dirfd, const char *vmcore, struct kd_err *err)
{
	int first = 0;

	for (size_t i = 0; i < KD_NR_EXTRAS; i++) {
		const struct kd_extra *x = &kd_extras[i];
		struct kd_err e = { 0 };
		_cleanup_close_ int fd = -1;
		int r;

		fd = openat(dirfd, x->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			r = kd_err_sys(&e, -errno, "cannot create %s", x->file);
		else
			r = kd_extra_write(x, vmcore, fd, &e);
		if (fd >= 0 && fsync(fd) < 0 && r == 0 && errno != EINVAL)
			r = kd_err_sys(&e, -errno, "%s: fsync failed", x->file);
		if (r < 0 && first == 0) {
			first = r;
			if (err)
				*err = e;
		}
	}
	return first;
}
