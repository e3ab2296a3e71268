// SPDX-License-Identifier: GPL-2.0-or-later
/* The host's facts, read once under a root: command line, mounts, host name, root device. */
#include "kdump/sys/sys.h"

#include <arpa/inet.h>
#include <limits.h>

#define HOST_MAX_CMDLINE 65536
#define HOST_MAX_MOUNTS (1u << 20)
#define HOST_MAX_HOSTNAME 4096

void kd_host_destroy(struct kd_host *h)
{
	if (!h)
		return;
	free(h->root);
	free(h->cmdline);
	free(h->mounts);
	free(h->etc_hostname);
	free(h);
}

bool kd_host_cmdline_value(const struct kd_host *h, const char *key, char *buf, size_t len)
{
	_cleanup_free_ char *copy = kd_strdup(h->cmdline);
	size_t kl = strlen(key);
	bool found = false;
	char *save = NULL;

	if (!copy)
		return false;
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (strncmp(w, key, kl) != 0 || w[kl] != '=' || strlen(w + kl + 1) >= len)
			continue;
		snprintf(buf, len, "%s", w + kl + 1);
		found = true;
	}
	return found;
}

/* The root filesystem per /proc/mounts: the type of the last "/" line (not "rootfs"), and the
 * first of those lines' sources that is a /dev path when the command line named none. */
static void root_from_mounts(struct kd_host *h)
{
	_cleanup_free_ char *copy = kd_strdup(h->mounts);
	char *save = NULL;

	for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char dev[256], dir[256], type[32];
		if (sscanf(l, "%255s %255s %31s", dev, dir, type) != 3 || strcmp(dir, "/") != 0 ||
		    strcmp(type, "rootfs") == 0)
			continue;
		snprintf(h->root_fstype, sizeof(h->root_fstype), "%s", type);
		if (!h->root_device[0] && dev[0] == '/')
			snprintf(h->root_device, sizeof(h->root_device), "%s", dev);
	}
	if (!h->root_fstype[0])
		snprintf(h->root_fstype, sizeof(h->root_fstype), "ext4");
}

int kd_host_read(const char *root, struct kd_host **ret, struct kd_err *err)
{
	struct kd_host *h = kd_calloc(1, sizeof(*h));

	if (!h || !(h->root = kd_strdup(root ? root : "/"))) {
		kd_host_destroy(h);
		return kd_err_set(err, -ENOMEM, "out of memory");
	}
	h->real_root = strcmp(h->root, "/") == 0;
	if (kd_read_file_at(root, "/proc/cmdline", HOST_MAX_CMDLINE, &h->cmdline, NULL, NULL) < 0)
		h->cmdline = NULL;
	if (kd_read_file_at(root, "/proc/mounts", HOST_MAX_MOUNTS, &h->mounts, &h->mounts_len,
			    NULL) < 0)
		h->mounts = NULL;
	if (kd_read_file_at(root, "/etc/hostname", HOST_MAX_HOSTNAME, &h->etc_hostname,
			    &h->etc_hostname_len, NULL) < 0)
		h->etc_hostname = NULL;
	if (h->etc_hostname)
		sscanf(h->etc_hostname, "%64s", h->hostname);
	else if (h->real_root)
		gethostname(h->hostname, sizeof(h->hostname) - 1);
	kd_host_cmdline_value(h, "root", h->root_device, sizeof(h->root_device));
	root_from_mounts(h);
	*ret = h;
	return 0;
}

char *kd_host_mount_point(const struct kd_host *h, const char *dev)
{
	_cleanup_free_ char *copy = kd_strdup(h->mounts);
	char *save = NULL, *res = NULL;

	for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l && !res;
	     l = strtok_r(NULL, "\n", &save)) {
		char src[PATH_MAX], dir[PATH_MAX];
		_cleanup_free_ char *srcp = NULL, *real = NULL;
		if (sscanf(l, "%4095s %4095s", src, dir) != 2 || src[0] != '/')
			continue;
		srcp = kd_path_at(h->root, src);
		real = srcp ? realpath(srcp, NULL) : NULL;
		if (real && strcmp(real, dev) == 0)
			res = kd_path_at(h->root, dir);
	}
	return res;
}

int kd_host_route_to(const struct kd_host *h, const char *server, struct kd_net_config *ret,
		     struct kd_err *err)
{
	struct in_addr dst;

	if (inet_pton(AF_INET, server, &dst) != 1)
		return kd_err_set(err, -EINVAL, "%s is not an IPv4 address", server);
	return kd_net_route_to(dst, ret, err);
}
