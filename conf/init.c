// SPDX-License-Identifier: GPL-2.0-or-later
/* The capture init's settings file: one table of keys parses and formats struct conf_init. */
#include "conf/conf.h"

#include <inttypes.h>
#include <stddef.h>

enum field_type {
	F_STR,	    /* char array of size bytes */
	F_UINT,	    /* unsigned, min..max */
	F_BOOL,	    /* written 0/1; read 0, 1, no, yes */
	F_TARGET,   /* enum conf_target_kind, by conf_init_target_name */
	F_ACTION,   /* enum conf_action, limited to the actions in mask */
	F_COMPRESS, /* enum conf_compress */
	F_VERIFY,   /* enum conf_verify */
	F_NFS_VERS, /* char array, a version conf_nfs_vers_valid accepts */
};

enum {
	WRITE_ALWAYS = 1 << 0, /* a string written even when empty */
	SKIP_ZERO = 1 << 1,    /* a number left out when 0 */
};

struct field {
	const char *key;
	enum field_type type;
	size_t off, size;
	unsigned min, max; /* F_UINT bounds; F_ACTION: a mask of the actions allowed */
	unsigned flags;
};

#define STR(k, f, fl) { #k, F_STR, offsetof(struct conf_init, f), sizeof(((struct conf_init *)0)->f), 0, 0, fl }
#define UINT(k, f, lo, hi, fl) { #k, F_UINT, offsetof(struct conf_init, f), 0, lo, hi, fl }
#define TYPED(k, f, t, m) { #k, t, offsetof(struct conf_init, f), sizeof(((struct conf_init *)0)->f), 0, m, 0 }
#define ACT(a) (1u << (a))

/* In the order they are written. */
static const struct field fields[] = {
	TYPED(target, target, F_TARGET, 0),
	STR(device, device, WRITE_ALWAYS),
	STR(fstype, fstype, WRITE_ALWAYS),
	STR(path, path, WRITE_ALWAYS),
	UINT(level, level, 0, 31, 0),
	TYPED(final_action, final_action, F_ACTION,
	      ACT(CONF_ACTION_POWEROFF) | ACT(CONF_ACTION_REBOOT) | ACT(CONF_ACTION_HALT)),
	TYPED(save_raw, save_raw, F_BOOL, 0),
	UINT(wait, wait_secs, 0, 3600, 0),
	TYPED(compress, compress, F_COMPRESS, 0),
	TYPED(failure_action, failure_action, F_ACTION,
	      ACT(CONF_ACTION_DUMP_TO_ROOTFS) | ACT(CONF_ACTION_REBOOT) | ACT(CONF_ACTION_HALT) |
		      ACT(CONF_ACTION_POWEROFF)),
	UINT(keep, keep, 0, 100000, 0),
	TYPED(flat, flat, F_BOOL, 0),
	TYPED(check_space, check_space, F_BOOL, 0),
	TYPED(verify, verify, F_VERIFY, 0),
	STR(hostname, hostname, 0),
	STR(rootfs_device, rootfs_device, 0),
	STR(rootfs_fstype, rootfs_fstype, 0),
	STR(pre, pre, 0),
	STR(post, post, 0),
	STR(emergency, emergency, 0),
	STR(net_iface, net_iface, 0),
	STR(net_mac, net_mac, 0),
	STR(net_addr, net_addr, 0),
	STR(net_gateway, net_gateway, 0),
	STR(ssh_user, ssh_user, 0),
	STR(ssh_host, ssh_host, 0),
	UINT(ssh_port, ssh_port, 1, 65535, SKIP_ZERO),
	STR(nfs_server, nfs_server, 0),
	STR(nfs_export, nfs_export, 0),
	TYPED(nfs_vers, nfs_vers, F_NFS_VERS, 0),
};

void conf_init_defaults(struct conf_init *c)
{
	memset(c, 0, sizeof(*c));
	c->target = CONF_TARGET_FS;
	snprintf(c->fstype, sizeof(c->fstype), "ext4");
	snprintf(c->path, sizeof(c->path), "/");
	c->level = 31;
	c->compress = CONF_COMPRESS_LZO;
	c->final_action = CONF_ACTION_POWEROFF;
	c->wait_secs = 30;
	c->failure_action = CONF_ACTION_DUMP_TO_ROOTFS;
	c->check_space = true;
}

const char *conf_init_target_name(enum conf_target_kind k)
{
	switch (k) {
	case CONF_TARGET_RAW:
		return "raw";
	case CONF_TARGET_SSH:
		return "ssh";
	case CONF_TARGET_NFS:
		return "nfs";
	default:
		return "local";
	}
}

/* The accepted names of a field, for its error message ("a, b or c"). */
static void accepted(const struct field *f, char *buf, size_t len)
{
	const char *v[8];
	size_t n = 0, used = 0;

	switch (f->type) {
	case F_TARGET:
		for (int k = CONF_TARGET_FS; k <= CONF_TARGET_NFS; k++)
			v[n++] = conf_init_target_name((enum conf_target_kind)k);
		break;
	case F_ACTION:
		for (int a = CONF_ACTION_REBOOT; a <= CONF_ACTION_DUMP_TO_ROOTFS; a++)
			if (f->max & ACT(a))
				v[n++] = conf_action_name((enum conf_action)a);
		break;
	case F_COMPRESS:
		for (int c = CONF_COMPRESS_NONE; c <= CONF_COMPRESS_ZSTD; c++)
			v[n++] = conf_compress_name((enum conf_compress)c);
		break;
	case F_VERIFY:
		for (int m = CONF_VERIFY_AUTO; m <= CONF_VERIFY_NO; m++)
			v[n++] = conf_verify_name((enum conf_verify)m);
		break;
	case F_NFS_VERS:
		for (size_t i = 0; conf_nfs_versions[i] && n < KD_ARRAY_SIZE(v); i++)
			v[n++] = conf_nfs_versions[i];
		break;
	default:
		v[n++] = "0, 1, no or yes";
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
				 v[i]);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

/* Sets field f of c from the text v; errors name what:line. */
static int set_field(struct conf_init *c, const struct field *f, const char *v, const char *what,
		     size_t line, struct kd_err *err)
{
	void *p = (char *)c + f->off;
	char names[128];
	uint64_t u;
	int r = 0;

	switch (f->type) {
	case F_STR:
	case F_NFS_VERS:
		if (f->type == F_NFS_VERS && !conf_nfs_vers_valid(v))
			break;
		if (strlen(v) >= f->size)
			return kd_err_set(err, -ENAMETOOLONG, "%s:%zu: %s is longer than %zu bytes",
					  what, line, f->key, f->size - 1);
		memcpy(p, v, strlen(v) + 1);
		return 0;
	case F_UINT:
		if (kd_parse_u64(v, 10, &u) < 0 || u < f->min || u > f->max)
			return kd_err_set(err, -EINVAL, "%s:%zu: %s must be %u-%u, not \"%s\"", what,
					  line, f->key, f->min, f->max, v);
		*(unsigned *)p = (unsigned)u;
		return 0;
	case F_BOOL:
		if (strcmp(v, "1") == 0 || strcmp(v, "yes") == 0)
			*(bool *)p = true;
		else if (strcmp(v, "0") == 0 || strcmp(v, "no") == 0)
			*(bool *)p = false;
		else
			break;
		return 0;
	case F_TARGET:
		for (int k = CONF_TARGET_FS; k <= CONF_TARGET_NFS; k++)
			if (strcmp(v, conf_init_target_name((enum conf_target_kind)k)) == 0) {
				*(enum conf_target_kind *)p = (enum conf_target_kind)k;
				return 0;
			}
		break;
	case F_ACTION: {
		enum conf_action a;
		if (conf_action_parse(v, &a) == 0 && (f->max & ACT(a))) {
			*(enum conf_action *)p = a;
			return 0;
		}
		break;
	}
	case F_COMPRESS:
		r = conf_compress_parse(v, (enum conf_compress *)p);
		if (r == 0)
			return 0;
		break;
	case F_VERIFY:
		r = conf_verify_parse(v, (enum conf_verify *)p);
		if (r == 0)
			return 0;
		break;
	}
	accepted(f, names, sizeof(names));
	return kd_err_set(err, -EINVAL, "%s:%zu: %s must be %s, not \"%s\"", what, line, f->key,
			  names, v);
}

/* What a target needs besides its kind, checked once the whole file is read. */
static int check_target(const struct conf_init *c, const char *what, struct kd_err *err)
{
	switch (c->target) {
	case CONF_TARGET_SSH:
		if (!c->ssh_user[0] || !c->ssh_host[0])
			return kd_err_set(err, -EINVAL, "%s: target=ssh needs ssh_user= and ssh_host=",
					  what);
		break;
	case CONF_TARGET_NFS:
		if (!c->nfs_server[0] || !c->nfs_export[0])
			return kd_err_set(err, -EINVAL, "%s: target=nfs needs nfs_server= and "
					  "nfs_export=", what);
		break;
	default:
		if (c->device[0] == '\0')
			return kd_err_set(err, -EINVAL, "%s: no device= line: the target is unknown",
					  what);
	}
	if ((c->target == CONF_TARGET_SSH || c->target == CONF_TARGET_NFS) && !c->net_addr[0])
		return kd_err_set(err, -EINVAL, "%s: target=%s needs net_addr=ADDR/PREFIX", what,
				  conf_init_target_name(c->target));
	return 0;
}

int conf_init_parse(const char *text, const char *what, struct conf_init *ret, struct kd_err *err)
{
	struct conf_init c;
	size_t lineno = 0;
	const char *p = text;
	int r;

	conf_init_defaults(&c);
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512], *eq, *k, *v;
		const struct field *f = NULL;

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
		if (strcmp(k, "module") == 0 || strcmp(k, "module?") == 0) {
			if (c.n_modules >= CONF_INIT_MAX_MODULES)
				return kd_err_set(err, -E2BIG, "%s:%zu: more than %d modules", what,
						  lineno, CONF_INIT_MAX_MODULES);
			if (strlen(v) >= sizeof(c.modules[0]))
				return kd_err_set(err, -ENAMETOOLONG, "%s:%zu: %s is longer than %zu "
						  "bytes", what, lineno, k, sizeof(c.modules[0]) - 1);
			c.optional[c.n_modules] = k[6] == '?';
			memcpy(c.modules[c.n_modules++], v, strlen(v) + 1);
			continue;
		}
		for (size_t i = 0; i < KD_ARRAY_SIZE(fields) && !f; i++)
			if (strcmp(k, fields[i].key) == 0)
				f = &fields[i];
		if (!f)
			return kd_err_set(err, -EINVAL, "%s:%zu: unknown key \"%s\"", what, lineno, k);
		r = set_field(&c, f, v, what, lineno, err);
		if (r < 0)
			return r;
	}
	r = check_target(&c, what, err);
	if (r < 0)
		return r;
	*ret = c;
	return 0;
}

char *conf_init_format(const struct conf_init *c)
{
	struct kd_strbuf b = { 0 };

	kd_strbuf_appendf(&b, "# kdump capture initramfs settings (written by `kdump initramfs`)\n");
	for (size_t i = 0; i < KD_ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];
		const void *p = (const char *)c + f->off;
		const char *s = NULL;
		unsigned u = 0;

		switch (f->type) {
		case F_STR:
		case F_NFS_VERS:
			if (!((const char *)p)[0] && !(f->flags & WRITE_ALWAYS))
				continue;
			s = p;
			break;
		case F_UINT:
			u = *(const unsigned *)p;
			if (!u && (f->flags & SKIP_ZERO))
				continue;
			kd_strbuf_appendf(&b, "%s=%u\n", f->key, u);
			continue;
		case F_BOOL:
			s = *(const bool *)p ? "1" : "0";
			break;
		case F_TARGET:
			s = conf_init_target_name(*(const enum conf_target_kind *)p);
			break;
		case F_ACTION:
			s = conf_action_name(*(const enum conf_action *)p);
			break;
		case F_COMPRESS:
			s = conf_compress_name(*(const enum conf_compress *)p);
			break;
		case F_VERIFY:
			s = conf_verify_name(*(const enum conf_verify *)p);
			break;
		}
		kd_strbuf_appendf(&b, "%s=%s\n", f->key, s);
	}
	for (size_t i = 0; i < c->n_modules; i++)
		kd_strbuf_appendf(&b, "module%s=%s\n", c->optional[i] ? "?" : "", c->modules[i]);
	return kd_strbuf_take(&b);
}
