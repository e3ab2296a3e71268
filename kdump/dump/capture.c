// SPDX-License-Identifier: GPL-2.0-or-later
/* Capturing a vmcore into a dump file or a stream: the output's life around vmcore_capture. */
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	stop_flag = sig;
}

/* SIGINT and SIGTERM stop the capture (the dump is then marked incomplete); a reader that goes
 * away makes writes fail with EPIPE instead of killing us. Until restore_signals. */
struct saved_signals {
	struct sigaction intr, term, pipe;
};

static void catch_signals(struct saved_signals *old)
{
	struct sigaction sa = { .sa_handler = on_signal }, ign = { .sa_handler = SIG_IGN };

	stop_flag = 0;
	sigaction(SIGINT, &sa, &old->intr);
	sigaction(SIGTERM, &sa, &old->term);
	sigaction(SIGPIPE, &ign, &old->pipe);
}

static void restore_signals(const struct saved_signals *old)
{
	sigaction(SIGINT, &old->intr, NULL);
	sigaction(SIGTERM, &old->term, NULL);
	sigaction(SIGPIPE, &old->pipe, NULL);
}

/*
 * Opens an incomplete dump to finish it; its size goes to *ret_size. Refuses a complete dump
 * and a file that is not a dump (an empty one is a capture that wrote nothing yet).
 */
static int resume_open(const char *out, uint64_t *ret_size, struct kd_err *err)
{
	struct vmcore *old = NULL;
	struct kd_err e = { 0 };
	struct stat st;
	int fd, r;

	fd = open(out, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s to resume it", out);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return kd_err_set(err, -EINVAL, "%s is not a regular file: nothing to resume", out);
	}
	if (st.st_size > 0) {
		r = vmcore_open(out, &old, &e);
		if (r < 0) {
			close(fd);
			return kd_err_set(err, r, "cannot resume %s: it does not read as a dump (%s)",
					  out, e.msg);
		}
		if (!vmcore_dumpinfo(old)->incomplete) {
			vmcore_close(old);
			close(fd);
			return kd_err_set(err, -EEXIST, "%s is a complete dump: nothing to resume",
					  out);
		}
		vmcore_close(old);
	}
	*ret_size = (uint64_t)st.st_size;
	return fd;
}

/* The output's fd: the stream's, the dump to finish, or a new file (replaced with force). */
static int open_output(const struct kd_capture_args *a, uint64_t *ret_resume_size,
		       struct kd_err *err)
{
	int fd;

	if (a->opts.flatten)
		return a->flat_fd;
	if (a->resume)
		return resume_open(a->output, ret_resume_size, err);
	fd = open(a->output, O_RDWR | O_CREAT | O_CLOEXEC | (a->force ? O_TRUNC : O_EXCL), 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return kd_err_set(err, -EEXIST, "%s already exists; remove it or pass -f to "
					  "overwrite it", a->output);
		return kd_err_sys(err, -errno, "cannot create %s", a->output);
	}
	return fd;
}

int kd_capture(const struct kd_capture_args *a, struct kd_capture_result *res,
	       struct kd_err *err)
{
	struct vmcore_capture_opts o = a->opts;
	struct vmcore_capture_report *rep = &res->report;
	const char *out = a->output;
	struct saved_signals old;
	bool caught = false;
	struct vmcore *vc = NULL;
	struct stat st;
	double t0;
	int fd, r;

	memset(res, 0, sizeof(*res));
	if (a->resume && (o.flatten || a->force))
		return kd_err_set(err, -EINVAL, "resuming finishes an existing dump file: it cannot "
				  "be combined with a flattened stream or a forced overwrite");
	r = vmcore_open(a->input, &vc, err);
	if (r < 0)
		return r;
	fd = open_output(a, &o.resume_size, err);
	if (fd < 0) {
		vmcore_close(vc);
		return fd;
	}
	if (!o.stop) {
		catch_signals(&old);
		o.stop = &stop_flag;
		caught = true;
	}
	t0 = kd_now();
	r = vmcore_capture(vc, fd, out, &o, rep, err);
	/* A resumed dump may have been left longer than it ends (it never is in practice). */
	if (r == 0 && a->resume && fstat(fd, &st) == 0 &&
	    (uint64_t)st.st_size > rep->output_bytes && ftruncate(fd, (off_t)rep->output_bytes) < 0)
		r = kd_err_sys(err, -errno, "%s: cannot cut the resumed dump to its size", out);
	if (r == 0 && !o.flatten && fsync(fd) < 0 && errno != EINVAL) {
		r = kd_err_sys(err, -errno, "%s: cannot flush the dump to disk", out);
		rep->incomplete = false;
	}
	if (!o.flatten && close(fd) < 0 && r == 0)
		r = kd_err_sys(err, -errno, "%s: cannot close the dump", out);
	res->seconds = kd_now() - t0;
	res->complete = r == 0;
	res->incomplete = r < 0 && rep->incomplete;
	vmcore_close(vc);
	if (r < 0 && !res->incomplete) {
		if (!o.flatten && !a->resume && unlink(out) == 0)
			res->removed = true;
	} else if (!o.flatten && !a->no_manifest) {
		/* The manifest describes the file as it is, complete or not (verify says which). */
		int m = kd_manifest_write(out, &res->manifest_err);

		if (m < 0 && r == 0) {
			if (err)
				*err = res->manifest_err;
			r = m;
		}
	}
	if (caught)
		restore_signals(&old);
	return r;
}
