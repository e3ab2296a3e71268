// SPDX-License-Identifier: GPL-2.0-or-later
/* savecore: a flattened dump on a raw device becomes <path>/<host>-<date>/vmcore. */
#include "conf/conf.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"
#include "kdump/sys/sys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#define FLAT_SIGNATURE "makedumpfile"
#define SAVED_SIGNATURE "kdump-savecore"

/* The raw target of c as a device spec ("/dev/vdc", "PARTLABEL=crash"). */
static char *raw_spec(const struct conf *c)
{
	if (c->target.device_kind == CONF_DEVICE_PATH)
		return kd_strdup(c->target.device);
	return kd_asprintf("%s=%s", conf_device_kind_name(c->target.device_kind), c->target.device);
}

/*
 * Finds a flattened dump at the start of dev (makedumpfile's signature), reassembles it into
 * top/<host>-<date-time>/vmcore, then overwrites the signature so the same stream is not saved
 * twice. Returns 1 when a dump was saved, 0 when there was none, or -errno.
 */
static int save(const struct kd_host *h, const struct conf *c, const char *dev, bool dry_run,
		const struct kd_report *r, bool *ret_incomplete, struct kd_err *err)
{
	_cleanup_free_ char *top = NULL, *dir = NULL, *vmcore = NULL;
	_cleanup_close_ int fd = -1, dirfd = -1, marker = -1;
	char sig[16] = "", name[160];
	struct kd_reassemble_result res = { 0 };
	struct kd_err xerr = { 0 };
	int rc, ret;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s", dev);
	if (kd_pread_all(fd, sig, sizeof(sig), 0) != (ssize_t)sizeof(sig))
		return kd_err_set(err, -EIO, "%s: cannot read its first 16 bytes", dev);
	if (memcmp(sig, SAVED_SIGNATURE, strlen(SAVED_SIGNATURE)) == 0) {
		kd_report_printf(r, "kdump savecore: %s: the dump on it was already saved\n", dev);
		return 0;
	}
	if (memcmp(sig, FLAT_SIGNATURE, strlen(FLAT_SIGNATURE) + 1) != 0) {
		kd_report_printf(r, "kdump savecore: %s: no flattened dump on it\n", dev);
		return 0;
	}
	top = kd_path_at(h->root, c->path);
	if (!top)
		return kd_err_set(err, -ENOMEM, "out of memory");
	kd_dump_dir_name(h->hostname, time(NULL), name, sizeof(name));
	dir = kd_asprintf("%s/%s", top, name);
	vmcore = kd_asprintf("%s/vmcore", dir ? dir : "");
	if (!dir || !vmcore)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (dry_run) {
		kd_report_printf(r, "kdump savecore: would save the dump on %s to %s\n", dev, vmcore);
		return 1;
	}
	for (char *p = top + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(top, 0755);
		*p = '/';
	}
	mkdir(top, 0700);
	ret = kd_dump_dir_begin(dir, &dirfd, &marker, err);
	if (ret < 0)
		return ret;
	{
		struct kd_reassemble_args ra = { .input = dev, .output = vmcore };
		mode_t old = umask(077);
		rc = kd_reassemble(&ra, &res, err);
		umask(old);
	}
	if (rc < 0 && !res.incomplete) {
		kd_err_prefix(err, "%s not saved (the device is left as it was)", dev);
		return rc;
	}
	if (rc < 0) { /* a cut stream: the dump is kept, marked incomplete */
		kd_report_log(r, KD_LOG_WARN, "%s", err->msg);
		kd_err_clear(err);
	}
	chmod(vmcore, 0600);
	if (kd_write_extras(dirfd, vmcore, &xerr) < 0)
		kd_report_log(r, KD_LOG_WARN, "%s", xerr.msg);
	if (!res.incomplete && unlinkat(dirfd, KD_INCOMPLETE_MARKER, 0) < 0)
		return kd_err_sys(err, -errno, "cannot remove %s/" KD_INCOMPLETE_MARKER, dir);
	fsync(dirfd);
	/* Consumed: the signature is overwritten, the rest of the stream stays for forensics. */
	memset(sig, 0, sizeof(sig));
	memcpy(sig, SAVED_SIGNATURE, strlen(SAVED_SIGNATURE));
	if (kd_pwrite_all(fd, sig, sizeof(sig), 0) < 0 || fsync(fd) < 0)
		return kd_err_sys(err, -errno, "%s: cannot mark the dump as saved", dev);
	kd_report_printf(r, "kdump savecore: %s -> %s%s\n", dev, vmcore,
			 res.incomplete ? " (INCOMPLETE: the stream was cut short)" : "");
	if (c->keep) {
		unsigned removed = 0;
		struct kd_err e2 = { 0 };
		if (kd_dumps_prune(top, c->keep, name, &removed, &e2) < 0)
			kd_report_log(r, KD_LOG_WARN, "keep %u: %s", c->keep, e2.msg);
		else if (removed)
			kd_report_log(r, KD_LOG_INFO, "keep %u: %u older dump(s) removed", c->keep,
				      removed);
	}
	*ret_incomplete = res.incomplete;
	return 1;
}

/* dev resolved under root (NULL: as given), then saved. */
static int save_spec(const struct kd_host *h, const struct conf *c, const char *spec,
		     const char *root, bool dry_run, const struct kd_report *r,
		     bool *ret_incomplete, struct kd_err *err)
{
	_cleanup_free_ char *dev = kd_resolve_device(root, spec);

	*ret_incomplete = false;
	if (!dev)
		return kd_err_set(err, -ENODEV, "raw target %s not found", spec);
	return save(h, c, dev, dry_run, r, ret_incomplete, err);
}

int kd_svc_savecore(const struct kd_host *h, const struct conf *c, bool dry_run,
		    const struct kd_report *r, bool *ret_incomplete, struct kd_err *err)
{
	_cleanup_free_ char *spec = raw_spec(c);

	*ret_incomplete = false;
	if (!spec)
		return kd_err_set(err, -ENOMEM, "out of memory");
	return save_spec(h, c, spec, h->root, dry_run, r, ret_incomplete, err);
}

int kd_savecore(const struct kd_savecore_args *a, bool *ret_incomplete, struct kd_err *err)
{
	struct conf *c = NULL;
	struct kd_host *h = NULL;
	int rc;

	*ret_incomplete = false;
	rc = kd_svc_conf(a->root, a->config, a->report, &c, err);
	if (rc >= 0)
		rc = kd_host_read(a->root, &h, err);
	if (rc < 0)
		goto out;
	if (a->device)
		rc = save_spec(h, c, a->device, NULL, a->dry_run, a->report, ret_incomplete, err);
	else if (c->target.kind == CONF_TARGET_RAW)
		rc = kd_svc_savecore(h, c, a->dry_run, a->report, ret_incomplete, err);
	else
		kd_report_printf(a->report, "kdump savecore: the target is not raw: nothing to do\n");
out:
	kd_host_destroy(h);
	conf_destroy(c);
	return rc;
}
