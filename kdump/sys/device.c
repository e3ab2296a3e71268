// SPDX-License-Identifier: GPL-2.0-or-later
/* Device specs (/dev/..., UUID=, LABEL=, PARTUUID=, PARTLABEL=) resolved under a root. */
#include "kdump/sys/sys.h"

#include <limits.h>

char *kd_resolve_device(const char *root, const char *spec)
{
	static const struct {
		const char *key, *dir;
	} by[] = { { "UUID=", "/dev/disk/by-uuid/" },	  { "LABEL=", "/dev/disk/by-label/" },
		   { "PARTUUID=", "/dev/disk/by-partuuid/" }, { "PARTLABEL=", "/dev/disk/by-partlabel/" } };
	_cleanup_free_ char *p = NULL, *devdir = NULL;
	char found[PATH_MAX];

	for (size_t i = 0; i < KD_ARRAY_SIZE(by); i++) {
		size_t kl = strlen(by[i].key);
		_cleanup_free_ char *rel = NULL;
		if (strncmp(spec, by[i].key, kl) != 0)
			continue;
		rel = kd_asprintf("%s%s", by[i].dir, spec + kl);
		p = rel ? kd_path_at(root, rel) : NULL;
		if (p && access(p, F_OK) == 0)
			return realpath(p, NULL);
		/* Partitions have no superblock to scan. */
		if (i >= 2)
			return NULL;
		devdir = kd_path_at(root, "/dev");
		if (devdir && kd_fs_find(devdir, i == 0 ? "UUID" : "LABEL", spec + kl, found,
					 sizeof(found), NULL, NULL) == 0)
			return kd_strdup(found);
		return NULL;
	}
	p = kd_path_at(root, spec);
	return p ? realpath(p, NULL) : NULL;
}
