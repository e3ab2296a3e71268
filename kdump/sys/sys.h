/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Facts about the system: the host's facts under a root, devices by spec, rtnetlink. */
#ifndef KD_SYS_H
#define KD_SYS_H

#include "base/base.h"

#include <netinet/in.h>

/* ---- superblocks: a filesystem by UUID= or LABEL= without udev (blkid.c) ------------------ */

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

/* ---- device specs (device.c) ---------------------------------------------------------------- */

/*
 * Resolves a device spec (/dev/..., UUID=, LABEL=, PARTUUID=, PARTLABEL=) under root (NULL or
 * "/": the real one) via /dev/disk/by-* (udev), else for UUID= and LABEL= a superblock scan of
 * root's /dev. Returns the malloc'd, root-prefixed real path (caller frees), or NULL when the
 * device is not there.
 */
char *kd_resolve_device(const char *root, const char *spec);

/* ---- the host's facts (host.c) -------------------------------------------------------------- */

/*
 * What the first kernel's system says about itself, read once, relative to a root (tests point
 * it at a fixture tree). Files that cannot be read leave their fields NULL or empty.
 */
struct kd_host {
	char *root;		/* the root as given ("/" for the real one) */
	bool real_root;
	char *cmdline;		/* /proc/cmdline, NULL if unreadable */
	char *mounts;		/* /proc/mounts, NULL if unreadable */
	size_t mounts_len;
	char *etc_hostname;	/* /etc/hostname as it is, NULL if missing */
	size_t etc_hostname_len;
	char hostname[65];	/* /etc/hostname's first word, else (real root) gethostname(), else "" */
	char root_device[256];	/* the last root= of /proc/cmdline, else the first /dev source of /
				 * in /proc/mounts; "" if neither */
	char root_fstype[32];	/* the type of / in /proc/mounts (not "rootfs"), else "ext4" */
};

/* Reads the facts under root (NULL or "/": the real one). Sets *ret (kd_host_destroy). */
int kd_host_read(const char *root, struct kd_host **ret, struct kd_err *err);
void kd_host_destroy(struct kd_host *h);

/* Copies into buf (size len) the value of the last key=VALUE word of /proc/cmdline (key
 * without '=') whose value fits; false if there is none. */
bool kd_host_cmdline_value(const struct kd_host *h, const char *key, char *buf, size_t len);

/* The mount point, root-prefixed and malloc'd, of the filesystem on dev (a path as
 * kd_resolve_device returns it) per /proc/mounts; NULL when it is not mounted. */
char *kd_host_mount_point(const struct kd_host *h, const char *dev);

struct kd_net_config;
/* How the first kernel reaches server (an IPv4 address, else -EINVAL): kd_net_route_to. The
 * route is the running kernel's whatever the root. */
int kd_host_route_to(const struct kd_host *h, const char *server, struct kd_net_config *ret,
		     struct kd_err *err);

/* ---- the network over rtnetlink (net.c) ------------------------------------------------------ */

#define KD_NET_MSG_MAX 256 /* bytes: every request built here fits */

struct kd_net_config {
	char iface[16];		/* "eth0"; "" = by mac, else the first interface other than lo */
	char mac[18];		/* "52:54:00:12:34:56" (lower case), "" = any */
	struct in_addr addr;	/* the capture kernel's address */
	unsigned prefix;	/* 1..32 */
	struct in_addr gateway;	/* 0.0.0.0 = no default route (the target is on the link) */
};

/*
 * Parses "ADDR/PREFIX" (IPv4 dotted quad, prefix 1-32) into addr and prefix.
 * Returns -EINVAL on anything else.
 */
int kd_net_parse_cidr(const char *s, struct in_addr *ret_addr, unsigned *ret_prefix);

/*
 * rtnetlink requests (exposed for the tests). Each writes one complete message (nlmsghdr,
 * payload, attributes, NLM_F_REQUEST|NLM_F_ACK) into buf of size cap and returns its length,
 * or -ENOBUFS if it does not fit.
 */
int kd_nl_link_up(void *buf, size_t cap, uint32_t seq, int ifindex);
int kd_nl_add_addr(void *buf, size_t cap, uint32_t seq, int ifindex, struct in_addr addr,
		   unsigned prefix);
int kd_nl_add_default_route(void *buf, size_t cap, uint32_t seq, int ifindex,
			    struct in_addr gateway);

/*
 * Brings c->iface (or the first non-loopback interface) up with c's address and route, and lo
 * up too. Waits up to wait_secs for the interface to appear (its driver probes
 * asynchronously) and then for its carrier. On success writes the interface's name into
 * ret_iface (at least 16 bytes) if not NULL.
 */
int kd_net_up(const struct kd_net_config *c, unsigned wait_secs, char *ret_iface,
	      struct kd_err *err);

/*
 * How this (the first) kernel reaches dst: asks the kernel for the route (RTM_GETROUTE) and
 * fills ret with the outgoing interface, its MAC address, the source address with its
 * prefix length, and the gateway (0.0.0.0 when dst is on the link).
 */
int kd_net_route_to(struct in_addr dst, struct kd_net_config *ret, struct kd_err *err);

#endif
