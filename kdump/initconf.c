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
			if (strcmp(v, "local") == 0)
				c.target = KD_TARGET_LOCAL;
			else if (strcmp(v, "raw") == 0)
				c.target = KD_TARGET_RAW;
			else
				r = kd_err_set(err, -EINVAL, "%s:%zu: target must be local or raw, "
					       "not \"%s\"", what, lineno, v);
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
	if (c.device[0] == '\0')
		return kd_err_set(err, -EINVAL, "%s: no device= line: the target is unknown", what);
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
			      c->target == KD_TARGET_RAW ? "raw" : "local", c->device, c->fstype,
			      c->path, c->level, kd_final_action_name(c->final_action),
			      c->save_raw, c->wait_secs);
	if (c->compress[0])
		n += (size_t)snprintf(s + n, cap - n, "compress=%s\n", c->compress);
	n += (size_t)snprintf(s + n, cap - n, "failure_action=%s\nkeep=%u\nflat=%d\ncheck_space=%d\n",
			      kd_failure_action_name(c->failure_action), c->keep, c->flat,
			      c->check_space);
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
	for (size_t i = 0; i < c->n_modules && n < cap; i++)
		n += (size_t)snprintf(s + n, cap - n, "module%s=%s\n", c->optional[i] ? "?" : "",
				      c->modules[i]);
	return s;
}
