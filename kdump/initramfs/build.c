// SPDX-License-Identifier: GPL-2.0-or-later
/* kd_initramfs_build: the config's settings, the explicit ones over them, then the archive. */
#include "conf/conf.h"
#include "kdump/frontend.h"
#include "kdump/initramfs/initramfs.h"
#include "kdump/sys/sys.h"

#include <arpa/inet.h>
#include <limits.h>
#include <sys/utsname.h>

#define SET(field, v) snprintf(field, sizeof(field), "%s", v)

/* The settings given explicitly, over the config's. */
static int apply_args(struct kd_initramfs_spec *s, const struct kd_initramfs_args *a,
		      struct kd_err *err)
{
	struct conf_init *ic = &s->conf;

	if (a->target_set)
		ic->target = a->target;
	if (a->device)
		SET(ic->device, a->device);
	if (a->fstype)
		SET(ic->fstype, a->fstype);
	if (a->path)
		SET(ic->path, a->path);
	if (a->compress_set)
		ic->compress = a->compress;
	if (a->hostname)
		SET(ic->hostname, a->hostname);
	if (a->level_set)
		ic->level = a->level;
	if (a->final_action_set)
		ic->final_action = a->final_action;
	if (a->wait_set)
		ic->wait_secs = a->wait_secs;
	if (a->save_raw)
		ic->save_raw = true;
	if (a->ssh_host) {
		SET(ic->ssh_user, a->ssh_user ? a->ssh_user : "");
		SET(ic->ssh_host, a->ssh_host);
		ic->ssh_port = a->ssh_port;
	}
	if (a->nfs_server) {
		SET(ic->nfs_server, a->nfs_server);
		SET(ic->nfs_export, a->nfs_export ? a->nfs_export : "");
	}
	if (a->nfs_vers)
		SET(ic->nfs_vers, a->nfs_vers);
	if (a->net_addr && strcmp(a->net_addr, "auto") == 0) {
		s->net_auto = true;
	} else if (a->net_addr) {
		SET(ic->net_addr, a->net_addr);
		s->net_auto = false; /* given: not taken from the route */
	}
	if (a->net_gateway)
		SET(ic->net_gateway, a->net_gateway);
	if (a->net_iface)
		SET(ic->net_iface, a->net_iface);
	if (a->no_compress)
		s->compress = false;
	if (a->sshkey)
		s->sshkey = a->sshkey;
	if (a->known_hosts)
		s->known_hosts = a->known_hosts;
	if (a->ssh_bin)
		s->ssh_bin = a->ssh_bin;
	for (size_t i = 0; i < a->n_modules; i++) {
		if (s->n_modules >= KD_INITRAMFS_MAX_MODULES)
			return kd_err_set(err, -E2BIG, "more than %d modules asked for",
					  KD_INITRAMFS_MAX_MODULES);
		s->modules[s->n_modules++] = a->modules[i];
	}
	for (size_t i = 0; i < a->n_bins; i++)
		s->bins[s->n_bins++] = a->bins[i];
	return 0;
}

/* ssh, nfs without an address: the address, gateway and interface (by MAC) this kernel uses to
 * reach the server, as kdump-utils does. */
static int net_from_route(struct conf_init *ic, const struct kd_host *h,
			  const struct kd_report *r, struct kd_err *err)
{
	const char *server = ic->target == CONF_TARGET_SSH ? ic->ssh_host : ic->nfs_server;
	struct kd_net_config nc;
	char ip[INET_ADDRSTRLEN];
	int rc;

	rc = kd_host_route_to(h, server, &nc, err);
	if (rc < 0)
		return rc;
	inet_ntop(AF_INET, &nc.addr, ip, sizeof(ip));
	snprintf(ic->net_addr, sizeof(ic->net_addr), "%s/%u", ip, nc.prefix);
	ic->net_gateway[0] = '\0';
	if (nc.gateway.s_addr)
		inet_ntop(AF_INET, &nc.gateway, ic->net_gateway, sizeof(ic->net_gateway));
	SET(ic->net_mac, nc.mac);
	kd_report_printf(r, "network for %s: %s%s%s on %s (%s)\n", server, ic->net_addr,
			 ic->net_gateway[0] ? " via " : "", ic->net_gateway, nc.iface,
			 nc.mac[0] ? nc.mac : "no MAC address");
	return 0;
}

/* kdump.conf under the root (its warnings reported unless quiet) into the spec. */
static int from_config(struct kd_initramfs_spec *s, const struct kd_initramfs_args *a,
		       const struct kd_host *h, struct conf **ret_conf, struct kd_err *err)
{
	struct conf_diags diags = { 0 };
	int r = conf_load(a->root, a->config, ret_conf, &diags, err);

	for (size_t i = 0; i < diags.n; i++)
		if (!diags.v[i].error && !a->quiet_config)
			kd_report_log(a->report, KD_LOG_WARN, "%s", diags.v[i].msg);
	conf_diags_deinit(&diags);
	if (r < 0)
		return r;
	return kd_initramfs_from_conf(s, *ret_conf, h, a->report, err);
}

static int build(struct kd_initramfs_spec *s, const struct kd_initramfs_args *a,
		 struct kd_host *h, struct kd_err *err)
{
	struct conf_init *ic = &s->conf;
	bool net = ic->target == CONF_TARGET_SSH || ic->target == CONF_TARGET_NFS;
	_cleanup_free_ char *self = NULL;
	struct utsname u;
	int r;

	if (net && s->net_auto) {
		r = net_from_route(ic, h, a->report, err);
		if (r < 0)
			return r;
	}
	if (net && !ic->net_addr[0])
		return kd_err_set(err, -EINVAL, "--%s needs --net-addr ADDR/PREFIX",
				  conf_init_target_name(ic->target));
	if (ic->target == CONF_TARGET_SSH && !ic->path[1])
		SET(ic->path, "/var/crash");
	if (!net && !ic->device[0])
		return kd_err_set(err, -EINVAL, "--device DEV (or --config FILE) is required");
	s->release = a->release;
	if (!s->release) {
		if (uname(&u) < 0)
			return kd_err_sys(err, -errno, "uname failed");
		s->release = u.release;
	}
	s->kdump = a->kdump;
	if (!s->kdump) {
		self = realpath("/proc/self/exe", NULL);
		if (!self)
			return kd_err_sys(err, -errno, "cannot find this binary (/proc/self/exe)");
		s->kdump = self;
	}
	return kd_initramfs_write(s, a->output, a->report, err);
}

int kd_initramfs_build(const struct kd_initramfs_args *a, struct kd_err *err)
{
	struct kd_initramfs_spec s;
	struct kd_host *h = NULL;
	struct conf *k = NULL;
	int r;

	if (!a->output)
		return kd_err_set(err, -EINVAL, "no output file");
	kd_initramfs_spec_init(&s);
	s.root = a->root ? a->root : "/";
	r = kd_host_read(a->root, &h, err);
	if (r >= 0 && a->config)
		r = from_config(&s, a, h, &k, err);
	if (r >= 0)
		r = apply_args(&s, a, err);
	if (r >= 0)
		r = build(&s, a, h, err);
	kd_initramfs_spec_deinit(&s);
	conf_destroy(k);
	kd_host_destroy(h);
	return r;
}
