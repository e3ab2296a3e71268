/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Network in the capture initramfs without a shell: bring an interface up with a static IPv4
 * address and a default route, over rtnetlink. */
#ifndef KD_NET_H
#define KD_NET_H

#include "base/base.h"

#include <netinet/in.h>

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
