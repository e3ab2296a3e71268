// SPDX-License-Identifier: GPL-2.0-or-later
/* What `kdump start` would arm, computed once for start and status. */
#include "conf/conf.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"
#include "kdump/sys/sys.h"
#include "loader/loader.h"

#include <limits.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#define STAMP_MAX (1u << 20)

char *kd_svc_initrd_path(const char *root, const char *release)
{
	_cleanup_free_ char *rel = kd_asprintf(KD_STATE_DIR "/initrd.img-%s", release);

	return rel ? kd_path_at(root, rel) : NULL;
}

const char *kd_initrd_state_text(enum kd_initrd_state s)
{
	switch (s) {
	case KD_INITRD_NO_STAMP:
		return "present, no stamp (kdump start rebuilds it)";
	case KD_INITRD_STALE:
		return "stale: an input changed (kdump start rebuilds it)";
	case KD_INITRD_UP_TO_DATE:
		return "up to date";
	case KD_INITRD_MISSING:
		break;
	}
	return "missing (kdump start builds it)";
}

const char *kd_build_reason(enum kd_build b)
{
	switch (b) {
	case KD_BUILD_ASKED:
		return "rebuild asked";
	case KD_BUILD_FIRST:
		return "first build";
	case KD_BUILD_CHANGED:
		return "its inputs changed";
	case KD_BUILD_NONE:
	case KD_BUILD_FORCED_NO:
	case KD_BUILD_REFUSED:
		break;
	}
	return NULL;
}

void kd_plan_destroy(struct kd_plan *p)
{
	if (!p)
		return;
	loader_plan_destroy(p->load);
	free(p->kernel);
	free(p->initrd);
	free(p->stamp_path);
	free(p->kdump_bin);
	free(p->stamp);
	free(p->old_stamp);
	free(p->append);
	free(p->target);
	free(p->dump_dir);
	conf_destroy(p->conf);
	loader_sysinfo_destroy(p->si);
	kd_host_destroy(p->host);
	free(p);
}

/* The config: start refuses an invalid one (reported); status records why and goes on with
 * the defaults. */
static int load_config(struct kd_plan *p, const struct kd_svc_args *a, enum kd_plan_for what,
		       struct kd_err *err)
{
	int r;

	if (what == KD_PLAN_START) {
		r = kd_svc_conf(p->host->root, a->config, a->report, &p->conf, err);
		p->conf_ok = r >= 0;
		return r;
	}
	p->conf_ok = conf_load(p->host->root, a->config ? a->config : CONF_DEFAULT_FILE, &p->conf,
			       NULL, &p->conf_err) >= 0;
	if (!p->conf_ok)
		return conf_parse("", 0, "defaults", &p->conf, NULL, err);
	return 0;
}

/* The binary /init is built from: given; for status the one the stamp names; else this one. */
static char *kdump_binary(const struct kd_svc_args *a, enum kd_plan_for what, const char *old)
{
	const char *k = old ? strstr(old, "\nkdump ") : NULL;
	char bin[PATH_MAX];

	if (a->kdump)
		return kd_strdup(a->kdump);
	if (what == KD_PLAN_STATUS && k && sscanf(k + 7, "%4095s", bin) == 1)
		return kd_strdup(bin);
	return realpath("/proc/self/exe", NULL);
}

/* The kernel, the capture initramfs against its stamp, and what start does with it. */
static int plan_initramfs(struct kd_plan *p, const struct kd_svc_args *a, enum kd_plan_for what,
			  struct kd_err *err)
{
	const char *release = p->release;
	bool present;
	struct stat st;

	if (a->kernel) {
		p->kernel = kd_strdup(a->kernel);
	} else {
		_cleanup_free_ char *rel = kd_asprintf("/boot/vmlinuz-%s", release);
		p->kernel = rel ? kd_path_at(p->host->root, rel) : NULL;
	}
	p->initrd = kd_svc_initrd_path(p->host->root, release);
	p->stamp_path = p->initrd ? kd_asprintf("%s.stamp", p->initrd) : NULL;
	if (!p->kernel || !p->initrd || !p->stamp_path)
		return kd_err_set(err, -ENOMEM, "out of memory");
	p->kernel_errno = stat(p->kernel, &st) < 0 ? -errno : 0;
	if (kd_read_file_at(NULL, p->stamp_path, STAMP_MAX, &p->old_stamp, NULL, NULL) < 0)
		p->old_stamp = NULL;
	p->kdump_bin = kdump_binary(a, what, p->old_stamp);
	p->stamp = kd_stamp_text(p->host, a->config, release, p->kernel, p->kdump_bin, a->modules,
				 a->n_modules);
	if (!p->stamp)
		return kd_err_set(err, -ENOMEM, "out of memory");
	present = access(p->initrd, R_OK) == 0;
	if (!present)
		p->initrd_state = KD_INITRD_MISSING;
	else if (!p->old_stamp)
		p->initrd_state = KD_INITRD_NO_STAMP;
	else if (strcmp(p->old_stamp, p->stamp) == 0)
		p->initrd_state = KD_INITRD_UP_TO_DATE;
	else
		p->initrd_state = KD_INITRD_STALE;
	if (p->conf->force_no_rebuild)
		p->build = present ? KD_BUILD_FORCED_NO : KD_BUILD_REFUSED;
	else if (a->rebuild || p->conf->force_rebuild)
		p->build = KD_BUILD_ASKED;
	else if (!p->old_stamp)
		p->build = KD_BUILD_FIRST;
	else if (!present || strcmp(p->old_stamp, p->stamp) != 0)
		p->build = KD_BUILD_CHANGED;
	else
		p->build = KD_BUILD_NONE;
	return 0;
}

static char *describe_target(const struct conf *c)
{
	switch (c->target.kind) {
	case CONF_TARGET_ROOTFS:
		return kd_asprintf("root filesystem, path %s", c->path);
	case CONF_TARGET_RAW:
		return kd_asprintf("raw %s (saved to %s by kdump savecore)", c->target.spec, c->path);
	default:
		return kd_asprintf("%s %s, path %s",
				   c->target.fstype ? c->target.fstype
						    : conf_target_kind_name(c->target.kind),
				   c->target.spec, c->path);
	}
}

/* Free space where the dumps go: the dump directory may not exist yet, so its nearest
 * existing parent. */
static void free_space(struct kd_plan *p)
{
	_cleanup_free_ char *probe = kd_strdup(p->dump_dir);
	struct statvfs sv;

	while (probe && statvfs(probe, &sv) < 0 && strrchr(probe, '/') && probe[1])
		*(strrchr(probe, '/') == probe ? probe + 1 : strrchr(probe, '/')) = '\0';
	if (probe && statvfs(probe, &sv) == 0) {
		p->free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
		p->have_free = true;
	}
}

/* What start would load, for status's command line (reads the whole kernel). */
static void plan_load(struct kd_plan *p, const struct kd_svc_args *a)
{
	struct loader_opts o = { .mode = LOADER_MODE_CRASH, .kernel_path = p->kernel,
				 .initrd_path = p->initrd_state != KD_INITRD_MISSING ? p->initrd
										     : NULL,
				 .reuse_cmdline = true, .append = p->append };

	if (!p->kernel || !p->si->n_crash || access(p->kernel, R_OK) < 0)
		return;
	(a->load_plan ? a->load_plan : loader_plan_create)(p->si, &o, &p->load, &p->load_err);
}

int kd_plan_create(const struct kd_svc_args *a, enum kd_plan_for what, struct kd_plan **ret,
		   struct kd_err *err)
{
	struct kd_plan *p = kd_calloc(1, sizeof(*p));
	const struct conf *c;
	int r;

	if (!p)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = kd_host_read(a->root, &p->host, err);
	if (r >= 0)
		r = load_config(p, a, what, err);
	if (r >= 0)
		r = loader_sysinfo_read(p->host->real_root ? NULL : p->host->root, &p->si, err);
	if (r < 0)
		goto fail;
	p->release = a->release ? a->release : p->si->release;
	if (what == KD_PLAN_START && !a->build_only && !p->si->n_crash && !p->si->iomem_zeroed) {
		r = kd_err_set(err, -ENOENT, "no crash kernel reservation (no \"Crash kernel\" in "
			       "/proc/iomem): run `kdump estimate`, `kdump crashkernel --set`, "
			       "update-grub, and reboot");
		goto fail;
	}
	if (what == KD_PLAN_START && !p->release) {
		r = kd_err_set(err, -ENOENT, "cannot tell the running kernel's release");
		goto fail;
	}
	c = p->conf;
	if (p->release) {
		r = plan_initramfs(p, a, what, err);
		if (r < 0)
			goto fail;
	}
	p->append = kd_asprintf("%s%s%s", KD_CAPTURE_APPEND, c->capture_cmdline_append ? " " : "",
				c->capture_cmdline_append ? c->capture_cmdline_append : "");
	p->target = describe_target(c);
	if (!p->append || !p->target) {
		r = kd_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	kd_svc_dump_dir(p->host, c, &p->dump_dir, &p->dump_dir_why);
	if (p->dump_dir)
		free_space(p);
	if (what == KD_PLAN_STATUS)
		plan_load(p, a);
	*ret = p;
	return 0;
fail:
	kd_plan_destroy(p);
	return r;
}
