// SPDX-License-Identifier: GPL-2.0-or-later
/* Superblock probing for ext2/3/4 and xfs: what the capture init needs to find UUID= and LABEL=. */
#include "kdump/sys/sys.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>

#define EXT_SB_OFF 1024
#define EXT_MAGIC_OFF 0x38
#define EXT_UUID_OFF 0x68
#define EXT_LABEL_OFF 0x78
#define XFS_UUID_OFF 32
#define XFS_LABEL_OFF 108
#define KD_FS_MAX_SCAN 4096u /* entries of dir looked at */

static void format_uuid(const uint8_t *u, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
}

static void copy_label(const uint8_t *src, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n && src[i]; i++)
		out[i] = isprint(src[i]) ? (char)src[i] : '?';
	out[i] = '\0';
}

int kd_fs_probe(int fd, struct kd_fsinfo *ret)
{
	uint8_t sb[2048];
	ssize_t n = kd_pread_all(fd, sb, sizeof(sb), 0);
	struct kd_fsinfo fi = { 0 };

	if (n < 0)
		return (int)n;
	if (n >= 512 && memcmp(sb, "XFSB", 4) == 0) {
		snprintf(fi.type, sizeof(fi.type), "xfs");
		format_uuid(sb + XFS_UUID_OFF, fi.uuid);
		copy_label(sb + XFS_LABEL_OFF, 12, fi.label);
	} else if (n == (ssize_t)sizeof(sb) && kd_le16(sb + EXT_SB_OFF + EXT_MAGIC_OFF) == 0xEF53) {
		snprintf(fi.type, sizeof(fi.type), "ext4");
		format_uuid(sb + EXT_SB_OFF + EXT_UUID_OFF, fi.uuid);
		copy_label(sb + EXT_SB_OFF + EXT_LABEL_OFF, 16, fi.label);
	} else {
		return -ENOENT;
	}
	*ret = fi;
	return 0;
}

int kd_fs_find(const char *dir, const char *key, const char *value, char *ret, size_t len,
	       struct kd_fsinfo *ret_info, struct kd_err *err)
{
	bool by_uuid = strcmp(key, "UUID") == 0;
	DIR *d;
	struct dirent *e;
	unsigned seen = 0, probed = 0;
	int r = -ENOENT;

	if (!by_uuid && strcmp(key, "LABEL") != 0)
		return kd_err_set(err, -EINVAL, "%s=: only UUID= and LABEL= are found by superblock",
				  key);
	d = opendir(dir);
	if (!d)
		return kd_err_sys(err, -errno, "cannot list %s", dir);
	while ((e = readdir(d)) && seen < KD_FS_MAX_SCAN) {
		_cleanup_free_ char *path = NULL;
		_cleanup_close_ int fd = -1;
		struct kd_fsinfo fi;
		struct stat st;

		seen++;
		if (e->d_name[0] == '.')
			continue;
		path = kd_asprintf("%s/%s", dir, e->d_name);
		if (!path) {
			r = -ENOMEM;
			break;
		}
		if (lstat(path, &st) < 0 || !(S_ISBLK(st.st_mode) || S_ISREG(st.st_mode)))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			continue;
		probed++;
		if (kd_fs_probe(fd, &fi) < 0)
			continue;
		if (by_uuid ? strcasecmp(fi.uuid, value) == 0 : strcmp(fi.label, value) == 0) {
			if (strlen(path) >= len) {
				r = -ENAMETOOLONG;
				break;
			}
			memcpy(ret, path, strlen(path) + 1);
			if (ret_info)
				*ret_info = fi;
			r = 0;
			break;
		}
	}
	closedir(d);
	if (r == -ENOENT)
		return kd_err_set(err, r, "no ext2/3/4 or xfs filesystem with %s=%s among the %u "
				  "devices in %s (is its disk driver in the initramfs? "
				  "extra_modules in kdump.conf)", key, value, probed, dir);
	if (r < 0)
		return kd_err_set(err, r, "looking for %s=%s in %s: %s", key, value, dir,
				  strerror(-r));
	return 0;
}
