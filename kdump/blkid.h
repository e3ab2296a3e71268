/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Finding a filesystem by UUID= or LABEL= without udev: read ext2/3/4 and xfs superblocks. */
#ifndef KD_BLKID_H
#define KD_BLKID_H

#include "base/base.h"

struct kd_fsinfo {
	char type[8];	/* "ext4" (any ext2/3/4) or "xfs" */
	char uuid[37];	/* lower-case 8-4-4-4-12 */
	char label[17];
};

/*
 * Reads the superblock of the device or image open at fd: ext2/3/4 (magic 0xEF53 at byte
 * 1024 + 0x38, UUID at 1024 + 0x68, label at 1024 + 0x78) or xfs ("XFSB" at 0, UUID at 32,
 * label at 108). Returns 0 and fills *ret, -ENOENT when neither is there, -errno on a read
 * error. An ext filesystem is reported as "ext4" unless it has no extents/journal features
 * that ext4 needs: the capture init mounts it with the ext4 driver either way.
 */
int kd_fs_probe(int fd, struct kd_fsinfo *ret);

/*
 * Looks for the filesystem whose key ("UUID" or "LABEL") is value among the block devices
 * (and, for tests, regular files) directly in dir (the capture init uses "/dev"). UUIDs
 * compare case-insensitively. On success writes the path into ret (size len) and, if
 * ret_info is not NULL, the superblock's facts. -ENOENT when none matches (err says what was
 * searched, how many devices were looked at).
 */
int kd_fs_find(const char *dir, const char *key, const char *value, char *ret, size_t len,
	       struct kd_fsinfo *ret_info, struct kd_err *err);

#endif
