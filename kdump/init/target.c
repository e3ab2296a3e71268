// SPDX-License-Identifier: GPL-2.0-or-later
/* The choice of target, and the network for the ssh and nfs targets. */
#include "kdump/init/init.h"
#include "kdump/dump/dump.h"
#include "kdump/sys/sys.h"

#include <arpa/inet.h>

static int start_network(const struct conf_init *c, struct kd_err *err)
{
	struct kd_net_config nc = { 0 };
	char iface[16];
	int r;

	snprintf(nc.iface, sizeof(nc.iface), "%s", c->net_iface);
	snprintf(nc.mac, sizeof(nc.mac), "%s", c->net_mac);
	if (kd_net_parse_cidr(c->net_addr, &nc.addr, &nc.prefix) < 0)
		return kd_err_set(err, -EINVAL, "net_addr=%s: want IPv4 ADDR/PREFIX", c->net_addr);
	if (c->net_gateway[0] && inet_pton(AF_INET, c->net_gateway, &nc.gateway) != 1)
		return kd_err_set(err, -EINVAL, "net_gateway=%s: want an IPv4 address",
				  c->net_gateway);
	r = kd_net_up(&nc, c->wait_secs, iface, err);
	if (r < 0)
		return r;
	kd_info("network up: %s %s%s%s (uptime %.2f)", iface, c->net_addr,
		c->net_gateway[0] ? " via " : "", c->net_gateway, kd_init_uptime());
	return 0;
}

int kd_init_dump_to_target(const struct conf_init *c, const char *vmcore, struct kd_err *err)
{
	int r;

	switch (c->target) {
	case CONF_TARGET_ROOTFS: /* the builder names the root device: a local target */
	case CONF_TARGET_FS:
		return kd_init_target_local(c, vmcore, KD_INIT_TARGET_MNT, c->device, c->fstype,
					    err);
	case CONF_TARGET_RAW:
		return kd_init_target_raw(c, vmcore, err);
	case CONF_TARGET_SSH:
	case CONF_TARGET_NFS:
		r = start_network(c, err);
		if (r < 0)
			return r;
		kd_info("target ready: %s (uptime %.2f)",
			c->target == CONF_TARGET_SSH ? c->ssh_host : c->device, kd_init_uptime());
		return c->target == CONF_TARGET_SSH ? kd_init_target_ssh(c, vmcore, err)
						  : kd_init_target_nfs(c, vmcore, err);
	}
	return kd_err_set(err, -EINVAL, "unknown target kind %d", (int)c->target);
}
