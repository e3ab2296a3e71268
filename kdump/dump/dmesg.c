// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel log of a dump, as makedumpfile --dump-dmesg writes it, to a file or an fd. */
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <fcntl.h>

/*
 * Creates a new file next to out ("OUT.tmp-PID-N"; O_EXCL, retried on a clash) with the mode
 * a plain create would give. Returns its fd and its path in *ret_tmp.
 */
static int create_tmp(const char *out, char **ret_tmp, struct kd_err *err)
{
	for (unsigned n = 0; n < 100; n++) {
		char *tmp = kd_asprintf("%s.tmp-%ld-%u", out, (long)getpid(), n);
		int fd;

		if (!tmp)
			return kd_err_set(err, -ENOMEM, "out of memory");
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			*ret_tmp = tmp;
			return fd;
		}
		fd = -errno;
		free(tmp);
		if (fd != -EEXIST)
			return kd_err_sys(err, fd, "cannot create a temporary file next to %s", out);
	}
	return kd_err_set(err, -EEXIST, "cannot create a temporary file next to %s: 100 names "
			  "taken", out);
}

/* Output through write(2) in 64 KiB pieces (not stdio: errors surface where they happen). */
struct fdout {
	int fd;
	int error;	/* the first write error */
	size_t len;
	char buf[65536];
};

static int fdout_flush(struct fdout *o)
{
	int r = kd_write_all(o->fd, o->buf, o->len);

	o->len = 0;
	if (r < 0 && !o->error)
		o->error = r;
	return r;
}

static int fdout_write(const void *buf, size_t len, void *data)
{
	struct fdout *o = data;
	int r;

	if (o->len + len > sizeof(o->buf)) {
		r = fdout_flush(o);
		if (r < 0)
			return r;
	}
	if (len > sizeof(o->buf)) {
		r = kd_write_all(o->fd, buf, len);
		if (r < 0 && !o->error)
			o->error = r;
		return r;
	}
	memcpy(o->buf + o->len, buf, len);
	o->len += len;
	return 0;
}

int kd_dmesg_write(struct vmcore *vc, unsigned flags, int fd, const char *name,
		     struct vmcore_log_stats *st, struct kd_err *err)
{
	struct fdout *o = malloc(sizeof(*o));
	int r;

	if (!o)
		return kd_err_set(err, -ENOMEM, "out of memory");
	o->fd = fd;
	o->error = 0;
	o->len = 0;
	r = vmcore_dmesg(vc, flags, fdout_write, o, st, err);
	if (r >= 0)
		r = fdout_flush(o);
	if (o->error)
		r = kd_err_sys(err, o->error, "cannot write the kernel log to %s", name);
	free(o);
	return r;
}

/* Writes the log of vc into a new temporary file next to out; returns its path in *ret_tmp. */
static int write_tmp(struct vmcore *vc, unsigned flags, const char *out, char **ret_tmp,
		     struct vmcore_log_stats *st, struct kd_err *err)
{
	_cleanup_free_ char *tmp = NULL;
	int fd, r;

	fd = create_tmp(out, &tmp, err);
	if (fd < 0)
		return fd;
	r = kd_dmesg_write(vc, flags, fd, out, st, err);
	if (r >= 0 && fsync(fd) != 0)
		r = kd_err_sys(err, -errno, "cannot write %s", tmp);
	if (close(fd) != 0 && r >= 0)
		r = kd_err_sys(err, -errno, "cannot write %s", tmp);
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	*ret_tmp = KD_TAKE_PTR(tmp);
	return 0;
}

int kd_dmesg(const struct kd_dmesg_args *a, struct vmcore_log_stats *st, struct kd_err *err)
{
	struct vmcore *vc = NULL;
	int r;

	r = vmcore_open(a->input, &vc, err);
	if (r < 0)
		return r;
	if (a->output) {
		_cleanup_free_ char *tmp = NULL;

		r = write_tmp(vc, a->flags, a->output, &tmp, st, err);
		if (r >= 0) {
			/* Without force, link() refuses a file that appeared in the meantime. */
			if (a->force)
				r = rename(tmp, a->output) < 0 ? -errno : 0;
			else
				r = link(tmp, a->output) < 0 ? -errno : 0;
			if (r < 0)
				kd_err_sys(err, r, "cannot create %s", a->output);
			if (r < 0 || !a->force)
				unlink(tmp);
		}
	} else {
		r = kd_dmesg_write(vc, a->flags, a->out_fd, "standard output", st, err);
	}
	vmcore_close(vc);
	return r;
}
