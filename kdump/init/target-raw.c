// SPDX-License-Identifier: GPL-2.0-or-later
/* The raw target: the flattened stream onto a block device, for `kdump savecore`. */
#include "kdump/init/init.h"

#include <fcntl.h>

int kd_init_target_raw(const struct conf_init *c, const char *vmcore, struct kd_err *err)
{
	char dev[256];
	_cleanup_close_ int fd = -1;
	int r;

	r = kd_init_wait_device(c->device, c->wait_secs, dev, sizeof(dev), err);
	if (r < 0)
		return r;
	kd_info("target ready: %s (uptime %.2f)", dev, kd_init_uptime());
	fd = open(dev, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s for writing", dev);
	r = kd_init_capture(c, vmcore, dev, fd, err);
	if (r < 0)
		return r;
	if (fsync(fd) < 0)
		return kd_err_sys(err, -errno, "%s: fsync failed", dev);
	kd_info("dump complete (uptime %.2f)", kd_init_uptime());
	return 0;
}
