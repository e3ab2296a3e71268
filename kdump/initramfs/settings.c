// SPDX-License-Identifier: GPL-2.0-or-later
/* The capture initramfs's settings from a parsed kdump.conf and the host's facts. */
#include "conf/conf.h"
#include "kdump/frontend.h"
#include "kdump/initramfs/initramfs.h"
#include "kdump/sys/sys.h"

#include <arpa/inet.h>
#include <limits.h>

void kd_initramfs_spec_init(struct kd_initramfs_spec *s)
{
	*s = (struct kd_initramfs_spec){ .root = "/", .compress = true,
					 .sshkey = KD_INITRAMFS_SSHKEY,
					 .known_hosts = KD_INITRAMFS_KNOWN_HOSTS,
					 .ssh_bin = KD_INITRAMFS_SSH_BIN };
	conf_init_defaults(&s->conf);
}

void kd_initramfs_spec_deinit(struct kd_initramfs_spec *s)
{
	for (size_t i = 0; i < s->n_owned; i++)
		free(s->owned[i]);
	for (size_t i = 0; i < s->n_files; i++) {
		free(s->files_src[i]);
		free(s->files_dst[i]);
	}
	s->n_owned = s->n_files = 0;
}

/* A hook or extra_bins program (under the root) as dst in the archive: static ones only. */
static int add_file(struct kd_initramfs_spec *s, const struct conf *k, const char *root,
		    const char *path, const char *dst, struct kd_err *err)
{
	_cleanup_free_ char *src = kd_path_at(root, path);
	int r;

	if (s->n_files >= KD_INITRAMFS_MAX_FILES)
		return kd_err_set(err, -E2BIG, "more than %d hooks and extra_bins",
				  KD_INITRAMFS_MAX_FILES);
	if (!src)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = kd_initramfs_check_static(src, err);
	if (r < 0) {
		kd_err_prefix(err, "%s: the capture initramfs has no shell and no libraries; "
			      "hooks and extra_bins must be static executables", k->file);
		return r;
	}
	s->files_dst[s->n_files] = kd_strdup(dst);
	if (!s->files_dst[s->n_files])
		return kd_err_set(err, -ENOMEM, "out of memory");
	s->files_src[s->n_files++] = KD_TAKE_PTR(src);
	return 0;
}

/*
 * The drivers the capture kernel needs to see a disk, as the first kernel does: from the
 * block device's directory in sysfs up to the root, every "driver/module" link (virtio_blk,
 * then virtio_pci; nvme; ahci...). Built-in drivers have no such link and need nothing.
 * Best effort: a device not found now (not plugged, a remote target) adds nothing.
 */
static void add_driver_modules(struct kd_initramfs_spec *s, const char *root, const char *spec,
			       const struct kd_report *rep)
{
	_cleanup_free_ char *dev = kd_resolve_device(root, spec);
	_cleanup_free_ char *link = NULL, *dir = NULL, *sys0 = kd_path_at(root, "/sys");
	_cleanup_free_ char *sys = sys0 ? realpath(sys0, NULL) : NULL;
	const char *name;
	unsigned depth = 0;

	if (!dev || !sys)
		return;
	name = strrchr(dev, '/');
	name = name ? name + 1 : dev;
	link = kd_asprintf("%s/class/block/%s", sys, name);
	dir = link ? realpath(link, NULL) : NULL;
	while (dir && strncmp(dir, sys, strlen(sys)) == 0 && strlen(dir) > strlen(sys) &&
	       depth++ < 32) {
		_cleanup_free_ char *ml = kd_asprintf("%s/driver/module", dir);
		_cleanup_free_ char *mod = ml ? realpath(ml, NULL) : NULL;
		char *slash;
		if (mod && (slash = strrchr(mod, '/')) && s->n_modules < KD_INITRAMFS_MAX_MODULES &&
		    s->n_owned < KD_INITRAMFS_MAX_MODULES) {
			bool dup = false;
			for (size_t i = 0; i < s->n_modules; i++)
				dup |= strcmp(s->modules[i], slash + 1) == 0;
			if (!dup) {
				char *m = kd_strdup(slash + 1);
				if (m) {
					s->owned[s->n_owned++] = m;
					s->modules[s->n_modules++] = m;
					kd_report_log(rep, KD_LOG_INFO, "%s is on %s: driver module %s "
						      "added", spec, name, m);
				}
			}
		}
		slash = strrchr(dir, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
}

/* The target of k (and the root device of h, for the fallback) in the settings. */
static int target_from_conf(struct kd_initramfs_spec *s, const struct conf *k,
			    const struct kd_host *h, struct kd_err *err)
{
	struct conf_init *ic = &s->conf;
	struct in_addr ip;

	snprintf(ic->rootfs_device, sizeof(ic->rootfs_device), "%s", h->root_device);
	snprintf(ic->rootfs_fstype, sizeof(ic->rootfs_fstype), "%s", h->root_fstype);
	switch (k->target.kind) {
	case CONF_TARGET_ROOTFS:
		if (!ic->rootfs_device[0])
			return kd_err_set(err, -ENODEV, "%s: no target and no root device known (no "
					  "root= in /proc/cmdline, / not in /proc/mounts): add a "
					  "target", k->file);
		ic->target = CONF_TARGET_FS;
		snprintf(ic->device, sizeof(ic->device), "%s", ic->rootfs_device);
		snprintf(ic->fstype, sizeof(ic->fstype), "%s", ic->rootfs_fstype);
		break;
	case CONF_TARGET_FS:
	case CONF_TARGET_RAW:
		ic->target = k->target.kind == CONF_TARGET_RAW ? CONF_TARGET_RAW : CONF_TARGET_FS;
		if (k->target.device_kind == CONF_DEVICE_TAG)
			return kd_err_set(err, -ENOTSUP, "%s:%u: virtiofs targets are not supported "
					  "by the capture initramfs yet", k->file, k->target.line);
		if (k->target.device_kind == CONF_DEVICE_PATH)
			snprintf(ic->device, sizeof(ic->device), "%s", k->target.device);
		else
			snprintf(ic->device, sizeof(ic->device), "%s=%s",
				 conf_device_kind_name(k->target.device_kind), k->target.device);
		if (k->target.fstype)
			snprintf(ic->fstype, sizeof(ic->fstype), "%s", k->target.fstype);
		break;
	case CONF_TARGET_SSH:
	case CONF_TARGET_NFS:
		if (inet_pton(AF_INET, k->target.host, &ip) != 1)
			return kd_err_set(err, -EINVAL, "%s:%u: %s: give the server's IPv4 address "
					  "(the capture kernel has no resolver)", k->file,
					  k->target.line, k->target.host);
		if (k->target.kind == CONF_TARGET_SSH) {
			ic->target = CONF_TARGET_SSH;
			snprintf(ic->ssh_user, sizeof(ic->ssh_user), "%s", k->target.user);
			snprintf(ic->ssh_host, sizeof(ic->ssh_host), "%s", k->target.host);
			ic->ssh_port = k->target.port;
			s->sshkey = k->sshkey;
		} else {
			ic->target = CONF_TARGET_NFS;
			snprintf(ic->nfs_server, sizeof(ic->nfs_server), "%s", k->target.host);
			snprintf(ic->nfs_export, sizeof(ic->nfs_export), "%s", k->target.export_path);
			if (k->nfs_vers)
				snprintf(ic->nfs_vers, sizeof(ic->nfs_vers), "%s", k->nfs_vers);
		}
		if (k->capture_ip) {
			snprintf(ic->net_addr, sizeof(ic->net_addr), "%s", k->capture_ip);
			if (k->capture_gateway)
				snprintf(ic->net_gateway, sizeof(ic->net_gateway), "%s",
					 k->capture_gateway);
			if (k->capture_iface)
				snprintf(ic->net_iface, sizeof(ic->net_iface), "%s",
					 k->capture_iface);
		} else {
			s->net_auto = true; /* the first kernel's way to the server */
		}
		break;
	}
	return 0;
}

static enum conf_action failure_action(const struct conf *k, const struct kd_report *r)
{
	switch (k->failure_action) {
	case CONF_ACTION_DUMP_TO_ROOTFS:
		/* With no target the dump goes to the root filesystem already. */
		return k->target.kind == CONF_TARGET_ROOTFS ? CONF_ACTION_REBOOT
							    : CONF_ACTION_DUMP_TO_ROOTFS;
	case CONF_ACTION_SHELL:
		kd_report_log(r, KD_LOG_WARN, "%s: failure_action shell: the capture initramfs has "
			      "no shell; it reboots", k->file);
		return CONF_ACTION_REBOOT;
	default:
		return k->failure_action; /* reboot, halt, poweroff: the same in the init */
	}
}

int kd_initramfs_from_conf(struct kd_initramfs_spec *s, const struct conf *k,
			   const struct kd_host *h, const struct kd_report *r, struct kd_err *err)
{
	static const struct {
		const char *dst;
		size_t off;
	} hooks[] = {
		{ "kdump/pre", offsetof(struct conf, kdump_pre) },
		{ "kdump/post", offsetof(struct conf, kdump_post) },
		{ "kdump/emergency", offsetof(struct conf, kdump_emergency) },
	};
	struct conf_init *ic = &s->conf;
	char *ic_hooks[] = { ic->pre, ic->post, ic->emergency };
	int rc;

	rc = target_from_conf(s, k, h, err);
	if (rc < 0)
		return rc;
	snprintf(ic->path, sizeof(ic->path), "%s", k->path);
	ic->level = k->collector.dump_level;
	ic->compress = k->collector.compress;
	ic->flat = k->collector.flattened && ic->target == CONF_TARGET_FS;
	ic->verify = k->verify;
	if (k->collector.format == CONF_FORMAT_ELF)
		kd_report_log(r, KD_LOG_WARN, "%s: core_collector -E: the capture initramfs writes "
			      "kdump-compressed dumps; -E is ignored", k->file);
	ic->failure_action = failure_action(k, r);
	ic->final_action = k->final_action; /* conf allows only reboot, halt, poweroff */
	ic->keep = k->keep;
	snprintf(ic->hostname, sizeof(ic->hostname), "%s", h->hostname);
	for (size_t i = 0; i < KD_ARRAY_SIZE(hooks); i++) {
		const char *src = *(char *const *)((const char *)k + hooks[i].off);
		if (!src)
			continue;
		rc = add_file(s, k, h->root, src, hooks[i].dst, err);
		if (rc < 0)
			return rc;
		snprintf(ic_hooks[i], sizeof(ic->pre), "/%s", hooks[i].dst);
	}
	for (char **b = k->extra_bins; *b; b++) {
		const char *base = strrchr(*b, '/');
		_cleanup_free_ char *dst = kd_asprintf("bin/%s", base ? base + 1 : *b);
		if (!dst)
			return kd_err_set(err, -ENOMEM, "out of memory");
		rc = add_file(s, k, h->root, *b, dst, err);
		if (rc < 0)
			return rc;
	}
	if (ic->target == CONF_TARGET_FS || ic->target == CONF_TARGET_RAW)
		add_driver_modules(s, h->root, ic->device, r);
	if (ic->failure_action == CONF_ACTION_DUMP_TO_ROOTFS && ic->rootfs_device[0])
		add_driver_modules(s, h->root, ic->rootfs_device, r);
	for (char **m = k->extra_modules; *m; m++) {
		if (s->n_modules >= KD_INITRAMFS_MAX_MODULES)
			return kd_err_set(err, -E2BIG, "%s: more than %d extra_modules", k->file,
					  KD_INITRAMFS_MAX_MODULES);
		s->modules[s->n_modules++] = *m;
	}
	return 0;
}
