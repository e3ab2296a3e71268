// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump test: crash this machine now with sysrq-c, once a capture kernel is loaded. */
#include "kdump/frontend.h"
#include "kdump/service/service.h"
#include "kdump/sys/sys.h"

#include <fcntl.h>

int kd_svc_test(const struct kd_test_args *a, struct kd_err *err)
{
	_cleanup_free_ char *loaded = NULL, *trigger = NULL;
	_cleanup_close_ int fd = -1;
	struct kd_host *h = NULL;
	char host[65] = "this machine";
	bool real;
	int r;

	r = kd_read_file_at(a->root, "/sys/kernel/kexec_crash_loaded", 64, &loaded, NULL, err);
	if (r < 0)
		return r;
	if (loaded[0] != '1')
		return kd_err_set(err, -EINVAL, "no capture kernel is loaded: a crash now would "
				  "write no dump. Run `kdump start` first");
	r = kd_host_read(a->root, &h, err);
	if (r < 0)
		return r;
	if (h->hostname[0])
		snprintf(host, sizeof(host), "%s", h->hostname);
	real = h->real_root;
	kd_host_destroy(h);
	if (a->confirm) {
		r = a->confirm(host, err);
		if (r < 0)
			return r;
	}
	trigger = kd_path_at(a->root, "/proc/sysrq-trigger");
	if (!trigger)
		return kd_err_set(err, -ENOMEM, "out of memory");
	sync();
	fd = open(trigger, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s", trigger);
	kd_report_log(a->report, KD_LOG_INFO, "test: crashing %s", host);
	r = kd_write_all(fd, "c", 1);
	if (r < 0)
		return kd_err_sys(err, r, "cannot write %s", trigger);
	if (!real) {
		kd_report_printf(a->report, "kdump test: wrote 'c' to %s\n", trigger);
		return 0;
	}
	sleep(30);
	return kd_err_set(err, -EIO, "still alive 30 s after sysrq-c: is /proc/sysrq-trigger real?");
}
