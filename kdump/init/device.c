// SPDX-License-Identifier: GPL-2.0-or-later
/* Waiting for the target's block device, and resolving UUID= / LABEL= without udev. */
#include "kdump/sys/sys.h"
#include "kdump/init/init.h"

#include <sys/stat.h>

int kd_init_wait_device(const char *spec, unsigned secs, char *ret, size_t len, struct kd_err *err)
{
	static const struct {
		const char *key, *dir;
	} by[] = { { "UUID=", "/dev/disk/by-uuid/" },	  { "LABEL=", "/dev/disk/by-label/" },
		   { "PARTUUID=", "/dev/disk/by-partuuid/" }, { "PARTLABEL=", "/dev/disk/by-partlabel/" } };
	const char *dev = spec, *value = NULL;
	_cleanup_free_ char *link = NULL;
	size_t k = KD_ARRAY_SIZE(by);
	struct stat st;
	double end = kd_now() + secs;

	for (size_t i = 0; i < KD_ARRAY_SIZE(by); i++)
		if (strncmp(spec, by[i].key, strlen(by[i].key)) == 0) {
			k = i;
			value = spec + strlen(by[i].key);
			link = kd_asprintf("%s%s", by[i].dir, value);
			if (!link)
				return kd_err_set(err, -ENOMEM, "out of memory");
			dev = link;
		}
	for (;;) {
		if (stat(dev, &st) == 0) {
			if (!S_ISBLK(st.st_mode))
				return kd_err_set(err, -ENOTBLK, "%s is not a block device", dev);
			if (strlen(dev) >= len)
				return kd_err_set(err, -ENAMETOOLONG, "%s: name too long", dev);
			memcpy(ret, dev, strlen(dev) + 1);
			return 0;
		}
		if (k < 2) {
			struct kd_err e2 = { 0 };
			char key[8];
			snprintf(key, sizeof(key), "%.*s", (int)strlen(by[k].key) - 1, by[k].key);
			if (kd_fs_find("/dev", key, value, ret, len, NULL, &e2) == 0)
				return 0;
			if (kd_now() > end)
				return kd_err_set(err, -ENODEV, "%s (waited %u s)", e2.msg, secs);
		} else if (kd_now() > end) {
			return kd_err_set(err, -ENODEV, "%s did not appear within %u s (missing "
					  "driver module? extra_modules in kdump.conf, or `kdump "
					  "initramfs --module`%s)", dev, secs,
					  k < KD_ARRAY_SIZE(by) ? "; PARTUUID=/PARTLABEL= need "
					  "udev links: use UUID=, LABEL= or a /dev path" : "");
		}
		usleep(50 * 1000);
	}
}
