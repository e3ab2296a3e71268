// SPDX-License-Identifier: GPL-2.0-or-later
/* The capture initramfs's settings file: one "key=value" per line. */
#include "kdump/initconf.h"

void kd_initconf_defaults(struct kd_initconf *c)
{
	memset(c, 0, sizeof(*c));
	c->target = KD_TARGET_LOCAL;
	snprintf(c->fstype, sizeof(c->fstype), "ext4");
	snprintf(c->path, sizeof(c->path), "/");
	c->level = 31;
	c->final_action = KD_FINAL_POWEROFF;
	c->wait_secs = 30;
	c->failure_action = KD_FAILURE_DUMP_TO_ROOTFS;
	c->check_space = true;
}

const char *kd_failure_action_name(enum kd_failure_action a)
{
	switch (a) {
	case KD_FAILURE_REBOOT:
		return "reboot";
	case KD_FAILURE_HALT:
		return "halt";
	case KD_FAILURE_POWEROFF:
		return "poweroff";
	default:
		return "dump_to_rootfs";
	}
}

const char *kd_verify_mode_name(enum kd_verify_mode v)
{
	return v == KD_VERIFY_YES ? "yes" : v == KD_VERIFY_NO ? "no" : "auto";
}

static bool parse_bool(const char *v)
{
	return strcmp(v, "1") == 0 || strcmp(v, "yes") == 0;
}

const char *kd_final_action_name(enum kd_final_action a)
{
	switch (a) {
	case KD_FINAL_REBOOT:
		return "reboot";
	case KD_FINAL_HALT:
		return "halt";
	default:
		return "poweroff";
	}
}

const char *kd_target_kind_name(enum kd_target_kind k)
{
	switch (k) {
	case KD_TARGET_RAW:
		return "raw";
	case KD_TARGET_SSH:
		return "ssh";
	case KD_TARGET_NFS:
		return "nfs";
	default:
		return "local";
	}
}

static int set_str(char *dst, size_t size, const char *v, const char *what, size_t line,
		   const char *key, struct kd_err *err)
{
	if (strlen(v) >= size)
		return kd_err_set(err, -ENAMETOOLONG, "%s:%zu: %s is longer than %zu bytes", what,
				  line, key, size - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int kd_initconf_parse(const char *text, const char *what, struct kd_initconf *ret,
		      struct kd_err *err)
{
	struct kd_initconf c;
	size_t lineno = 0;
	const char *p = text;

	kd_initconf_defaults(&c);
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512], *eq, *k, *v;
		uint64_t u;
		int r = 0;

		lineno++;
		if (len >= sizeof(line))
			return kd_err_set(err, -EINVAL, "%s:%zu: line longer than %zu bytes", what,
					  lineno, sizeof(line) - 1);
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : NULL;
		if (line[0] == '\0' || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq)
			return kd_err_set(err, -EINVAL, "%s:%zu: expected key=value, got \"%s\"", what,
					  lineno, line);
		*eq = '\0';
		k = line;
		v = eq + 1;
		if (strcmp(k, "target") == 0) {
			enum kd_target_kind t;
			for (t = KD_TARGET_LOCAL; t <= KD_TARGET_NFS; t++)
				if (strcmp(v, kd_target_kind_name(t)) == 0)
					break;
			if (t <= KD_TARGET_NFS)
				c.target = t;
			else
				r = kd_err_set(err, -EINVAL, "%s:%zu: target must be local, raw, ssh "
					       "or nfs, not \"%s\"", what, lineno, v);
		} else if (strcmp(k, "device") == 0) {
			r = set_str(c.device, sizeof(c.device), v, what, lineno, k, err);
		} else if (strcmp(k, "fstype") == 0) {
			r = set_str(c.fstype, sizeof(c.fstype), v, what, lineno, k, err);
		} else if (strcmp(k, "path") == 0) {
			r = set_str(c.path, sizeof(c.path), v, what, lineno, k, err);
		} else if (strcmp(k, "compress") == 0) {
			r = set_str(c.compress, sizeof(c.compress), v, what, lineno, k, err);
		} else if (strcmp(k, "level") == 0) {
			if (kd_parse_u64(v, 10, &u) < 0 || u > 31)
				r = kd_err_set(err, -EINVAL, "%s:%zu: level must be 0-31, not \"%s\"",
					       what, lineno, v);
			c.level = (unsigned)u;
		} else if (strcmp(k, "wait") == 0) {
			if (kd_parse_u64(v, 10, &u) < 0 || u > 3600)
				r = kd_err_set(err, -EINVAL, "%s:%zu: wait must be 0-3600 seconds",
					       what, lineno);
			c.wait_secs = (unsigned)u;
		} else if (strcmp(k, "save_raw") == 0) {
			c.save_raw = parse_bool(v);
		} else if (strcmp(k, "flat") == 0) {
			c.flat = parse_bool(v);
		} else if (strcmp(k, "verify") == 0) {
			enum kd_verify_mode m;
			for (m = KD_VERIFY_AUTO; m <= KD_VERIFY_NO; m++)
				if (strcmp(v, kd_verify_mode_name(m)) == 0)
					break;
			if (m > KD_VERIFY_NO)
				r = kd_err_set(err, -EINVAL, "%s:%zu: verify must be auto, yes or no, "
					       "not \"%s\"", what, lineno, v);
			c.verify = m;
		} else if (strcmp(k, "check_space") == 0) {
			c.check_space = parse_bool(v);
		} else if (strcmp(k, "hostname") == 0) {
			r = set_str(c.hostname, sizeof(c.hostname), v, what, lineno, k, err);
		} else if (strcmp(k, "rootfs_device") == 0) {
			r = set_str(c.rootfs_device, sizeof(c.rootfs_device), v, what, lineno, k, err);
		} else if (strcmp(k, "rootfs_fstype") == 0) {
			r = set_str(c.rootfs_fstype, sizeof(c.rootfs_fstype), v, what, lineno, k, err);
		} else if (strcmp(k, "pre") == 0) {
			r = set_str(c.pre, sizeof(c.pre), v, what, lineno, k, err);
		} else if (strcmp(k, "post") == 0) {
			r = set_str(c.post, sizeof(c.post), v, what, lineno, k, err);
		} else if (strcmp(k, "emergency") == 0) {
			r = set_str(c.emergency, sizeof(c.emergency), v, what, lineno, k, err);
		} else if (strcmp(k, "keep") == 0) {
			if (kd_parse_u64(v, 10, &u) < 0 || u > 100000)
				r = kd_err_set(err, -EINVAL, "%s:%zu: keep must be 0-100000, not \"%s\"",
					       what, lineno, v);
			c.keep = (unsigned)u;
		} else if (strcmp(k, "failure_action") == 0) {
			enum kd_failure_action a;
			for (a = KD_FAILURE_DUMP_TO_ROOTFS; a <= KD_FAILURE_POWEROFF; a++)
				if (strcmp(v, kd_failure_action_name(a)) == 0)
					break;
			if (a > KD_FAILURE_POWEROFF)
				r = kd_err_set(err, -EINVAL, "%s:%zu: failure_action must be "
					       "dump_to_rootfs, reboot, halt or poweroff", what, lineno);
			c.failure_action = a;
		} else if (strcmp(k, "final_action") == 0) {
			if (strcmp(v, "poweroff") == 0)
				c.final_action = KD_FINAL_POWEROFF;
			else if (strcmp(v, "reboot") == 0)
				c.final_action = KD_FINAL_REBOOT;
			else if (strcmp(v, "halt") == 0)
				c.final_action = KD_FINAL_HALT;
			else
				r = kd_err_set(err, -EINVAL, "%s:%zu: final_action must be poweroff, "
					       "reboot or halt", what, lineno);
		} else if (strcmp(k, "net_iface") == 0) {
			r = set_str(c.net_iface, sizeof(c.net_iface), v, what, lineno, k, err);
		} else if (strcmp(k, "net_mac") == 0) {
			r = set_str(c.net_mac, sizeof(c.net_mac), v, what, lineno, k, err);
		} else if (strcmp(k, "net_addr") == 0) {
			r = set_str(c.net_addr, sizeof(c.net_addr), v, what, lineno, k, err);
		} else if (strcmp(k, "net_gateway") == 0) {
			r = set_str(c.net_gateway, sizeof(c.net_gateway), v, what, lineno, k, err);
		} else if (strcmp(k, "ssh_user") == 0) {
			r = set_str(c.ssh_user, sizeof(c.ssh_user), v, what, lineno, k, err);
		} else if (strcmp(k, "ssh_host") == 0) {
			r = set_str(c.ssh_host, sizeof(c.ssh_host), v, what, lineno, k, err);
		} else if (strcmp(k, "ssh_port") == 0) {
			if (kd_parse_u64(v, 10, &u) < 0 || u < 1 || u > 65535)
				r = kd_err_set(err, -EINVAL, "%s:%zu: ssh_port must be 1-65535",
					       what, lineno);
			c.ssh_port = (unsigned)u;
		} else if (strcmp(k, "nfs_server") == 0) {
			r = set_str(c.nfs_server, sizeof(c.nfs_server), v, what, lineno, k, err);
		} else if (strcmp(k, "nfs_export") == 0) {
			r = set_str(c.nfs_export, sizeof(c.nfs_export), v, what, lineno, k, err);
		} else if (strcmp(k, "nfs_vers") == 0) {
			if (strcmp(v, "3") && strcmp(v, "4") && strcmp(v, "4.0") && strcmp(v, "4.1") &&
			    strcmp(v, "4.2"))
				r = kd_err_set(err, -EINVAL, "%s:%zu: nfs_vers must be 3, 4, 4.0, 4.1 "
					       "or 4.2", what, lineno);
			else
				r = set_str(c.nfs_vers, sizeof(c.nfs_vers), v, what, lineno, k, err);
		} else if (strcmp(k, "module") == 0 || strcmp(k, "module?") == 0) {
			if (c.n_modules >= KD_INITCONF_MAX_MODULES)
				return kd_err_set(err, -E2BIG, "%s:%zu: more than %d modules", what,
						  lineno, KD_INITCONF_MAX_MODULES);
			c.optional[c.n_modules] = k[6] == '?';
			r = set_str(c.modules[c.n_modules], sizeof(c.modules[0]), v, what, lineno, k,
				    err);
			c.n_modules++;
		} else {
			r = kd_err_set(err, -EINVAL, "%s:%zu: unknown key \"%s\"", what, lineno, k);
		}
		if (r < 0)
			return r;
	}
	switch (c.target) {
	case KD_TARGET_SSH:
		if (!c.ssh_user[0] || !c.ssh_host[0])
			return kd_err_set(err, -EINVAL, "%s: target=ssh needs ssh_user= and ssh_host=",
					  what);
		break;
	case KD_TARGET_NFS:
		if (!c.nfs_server[0] || !c.nfs_export[0])
			return kd_err_set(err, -EINVAL, "%s: target=nfs needs nfs_server= and "
					  "nfs_export=", what);
		break;
	default:
		if (c.device[0] == '\0')
			return kd_err_set(err, -EINVAL, "%s: no device= line: the target is unknown",
					  what);
	}
	if ((c.target == KD_TARGET_SSH || c.target == KD_TARGET_NFS) && !c.net_addr[0])
		return kd_err_set(err, -EINVAL, "%s: target=%s needs net_addr=ADDR/PREFIX", what,
				  kd_target_kind_name(c.target));
	*ret = c;
	return 0;
}

char *kd_initconf_format(const struct kd_initconf *c)
{
	size_t cap = 2048 + c->n_modules * 200;
	char *s = malloc(cap);
	size_t n = 0;

	if (!s)
		return NULL;
	n += (size_t)snprintf(s + n, cap - n,
			      "# kdump capture initramfs settings (written by `kdump initramfs`)\n"
			      "target=%s\ndevice=%s\nfstype=%s\npath=%s\nlevel=%u\n"
			      "final_action=%s\nsave_raw=%d\nwait=%u\n",
			      kd_target_kind_name(c->target), c->device, c->fstype,
			      c->path, c->level, kd_final_action_name(c->final_action),
			      c->save_raw, c->wait_secs);
	if (c->compress[0])
		n += (size_t)snprintf(s + n, cap - n, "compress=%s\n", c->compress);
	n += (size_t)snprintf(s + n, cap - n, "failure_action=%s\nkeep=%u\nflat=%d\ncheck_space=%d\n"
			      "verify=%s\n", kd_failure_action_name(c->failure_action), c->keep,
			      c->flat, c->check_space, kd_verify_mode_name(c->verify));
	if (c->hostname[0])
		n += (size_t)snprintf(s + n, cap - n, "hostname=%s\n", c->hostname);
	if (c->rootfs_device[0])
		n += (size_t)snprintf(s + n, cap - n, "rootfs_device=%s\nrootfs_fstype=%s\n",
				      c->rootfs_device, c->rootfs_fstype);
	if (c->pre[0])
		n += (size_t)snprintf(s + n, cap - n, "pre=%s\n", c->pre);
	if (c->post[0])
		n += (size_t)snprintf(s + n, cap - n, "post=%s\n", c->post);
	if (c->emergency[0])
		n += (size_t)snprintf(s + n, cap - n, "emergency=%s\n", c->emergency);
	{
		const struct {
			const char *k, *v;
		} opt[] = { { "net_iface", c->net_iface },
			    { "net_mac", c->net_mac },
			    { "net_addr", c->net_addr },     { "net_gateway", c->net_gateway },
			    { "ssh_user", c->ssh_user },     { "ssh_host", c->ssh_host },
			    { "nfs_server", c->nfs_server }, { "nfs_export", c->nfs_export },
			    { "nfs_vers", c->nfs_vers } };
		for (size_t i = 0; i < KD_ARRAY_SIZE(opt) && n < cap; i++)
			if (opt[i].v[0])
				n += (size_t)snprintf(s + n, cap - n, "%s=%s\n", opt[i].k, opt[i].v);
		if (c->ssh_port && n < cap)
			n += (size_t)snprintf(s + n, cap - n, "ssh_port=%u\n", c->ssh_port);
	}
	for (size_t i = 0; i < c->n_modules && n < cap; i++)
		n += (size_t)snprintf(s + n, cap - n, "module%s=%s\n", c->optional[i] ? "?" : "",
				      c->modules[i]);
	return s;
}
