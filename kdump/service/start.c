// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump start, stop, restart: the plan, then savecore, new dumps, the initramfs and the load. */
#include "conf/conf.h"
#include "kdump/frontend.h"
#include "kdump/initramfs/initramfs.h"
#include "kdump/service/service.h"
#include "kdump/sys/sys.h"
#include "loader/loader.h"

#include <fcntl.h>
#include <sys/stat.h>

/* mkdir -p of dir's parents (0755), then dir itself with mode. */
static void make_dirs(char *dir, mode_t mode)
{
	for (char *p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	mkdir(dir, mode);
}

/* Builds the capture initramfs into initrd.tmp, renames it over the image, writes its stamp. */
static int build_initramfs(const struct kd_plan *p, const struct kd_svc_args *a,
			   struct kd_err *err)
{
	_cleanup_free_ char *statedir = kd_path_at(p->host->root, KD_STATE_DIR);
	_cleanup_free_ char *tmp = kd_asprintf("%s.tmp", p->initrd);
	_cleanup_close_ int sfd = -1;
	struct kd_initramfs_args ia = {
		.root = p->host->root, .config = a->config ? a->config : CONF_DEFAULT_FILE,
		.quiet_config = true, /* the plan reported its warnings */
		.release = p->release, .kdump = a->kdump, .report = a->report,
	};
	int r;

	if (!statedir || !tmp)
		return kd_err_set(err, -ENOMEM, "out of memory");
	make_dirs(statedir, 0700);
	ia.output = tmp;
	for (size_t i = 0; i < a->n_modules; i++)
		ia.modules[ia.n_modules++] = a->modules[i];
	kd_report_log(a->report, KD_LOG_INFO, "building the capture initramfs %s (%s)", p->initrd,
		      kd_build_reason(p->build));
	r = kd_initramfs_build(&ia, err);
	if (r < 0) {
		unlink(tmp);
		kd_err_prefix(err, "cannot build the capture initramfs %s (the capture kernel is "
			      "left as it was)", p->initrd);
		return r;
	}
	if (rename(tmp, p->initrd) < 0)
		return kd_err_sys(err, -errno, "cannot rename %s to %s", tmp, p->initrd);
	chmod(p->initrd, 0600);
	sfd = open(p->stamp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (sfd < 0 || kd_write_all(sfd, p->stamp, strlen(p->stamp)) < 0)
		kd_report_log(a->report, KD_LOG_WARN, "cannot write %s: the next start rebuilds",
			      p->stamp_path);
	return 0;
}

/* The capture initramfs as the plan decided: built, or used as it is. */
static int initramfs(const struct kd_plan *p, const struct kd_svc_args *a, struct kd_err *err)
{
	switch (p->build) {
	case KD_BUILD_REFUSED:
		return kd_err_set(err, -ENOENT, "force_no_rebuild 1, but there is no %s: build it "
				  "(`kdump start --rebuild` or set force_no_rebuild 0)", p->initrd);
	case KD_BUILD_FORCED_NO:
		kd_report_log(a->report, KD_LOG_INFO, "force_no_rebuild: using %s as it is",
			      p->initrd);
		return 0;
	case KD_BUILD_NONE:
		kd_report_log(a->report, KD_LOG_INFO, "capture initramfs %s is up to date",
			      p->initrd);
		return 0;
	default:
		return build_initramfs(p, a, err);
	}
}

int kd_svc_start(const struct kd_svc_args *a, struct kd_err *err)
{
	struct kd_plan *p = NULL;
	struct kd_load_args la;
	int r;

	r = kd_plan_create(a, KD_PLAN_START, &p, err);
	if (r < 0)
		return r;
	if (a->build_only) {
		r = p->kernel_errno ? kd_err_sys(err, p->kernel_errno, "no kernel %s", p->kernel)
				    : initramfs(p, a, err);
		goto out;
	}
	if (p->conf->target.kind == CONF_TARGET_RAW) {
		struct kd_err serr = { 0 };
		bool incomplete;
		/* A dump left on the device is saved first; failing that does not stop arming. */
		if (kd_svc_savecore(p->host, p->conf, a->dry_run, a->report, &incomplete, &serr) < 0)
			kd_report_log(a->report, KD_LOG_ERR, "%s",
				      serr.msg[0] ? serr.msg : strerror(-serr.code));
	}
	if (p->dump_dir)
		kd_svc_report_new_dumps(p->host->root, p->conf, p->dump_dir, a->report);
	if (p->kernel_errno) {
		r = kd_err_sys(err, p->kernel_errno, "no capture kernel %s: pass --kernel", p->kernel);
		goto out;
	}
	r = initramfs(p, a, err);
	if (r < 0)
		goto out;
	la = (struct kd_load_args){ .root = p->host->root, .kernel = p->kernel, .initrd = p->initrd,
				    .reuse_cmdline = true, .append = p->append,
				    .dry_run = a->dry_run, .report = a->report };
	r = kd_load(&la, err);
	if (r < 0)
		kd_err_prefix(err, "cannot load the capture kernel");
out:
	kd_plan_destroy(p);
	return r;
}

int kd_svc_stop(const struct kd_svc_args *a, struct kd_err *err)
{
	if (a->dry_run) {
		kd_report_printf(a->report, "kdump stop: would unload the capture kernel\n");
		return 0;
	}
	return kd_unload(false, NULL, a->report, err);
}

int kd_svc_restart(const struct kd_svc_args *a, struct kd_err *err)
{
	struct conf *c = NULL;
	int r = kd_svc_conf(a->root, a->config, a->report, &c, err);

	conf_destroy(c);
	if (r >= 0)
		r = kd_svc_stop(a, err);
	if (r >= 0)
		r = kd_svc_start(a, err);
	return r;
}
