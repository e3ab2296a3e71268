// SPDX-License-Identifier: GPL-2.0-or-later
/* The local filesystem target and the dump directory it (and nfs) fills. */
#include "kdump/dump/dump.h"
#include "kdump/init/init.h"
#include "vmcore/vmcore.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

/* Copies vmcore verbatim into dir/vmcore.raw (for checks against other tools). */
static int save_raw(const char *vmcore, int dirfd, struct kd_err *err)
{
	_cleanup_close_ int in = open(vmcore, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	_cleanup_free_ char *buf = malloc(1 << 20);
	uint64_t done = 0;

	if (!buf)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (in < 0)
		return kd_err_sys(err, -errno, "cannot open %s", vmcore);
	out = openat(dirfd, "vmcore.raw", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		return kd_err_sys(err, -errno, "cannot create vmcore.raw");
	for (;;) {
		ssize_t n = kd_read_all(in, buf, 1 << 20);
		int r;
		if (n < 0)
			return kd_err_sys(err, (int)n, "%s: read failed at %" PRIu64, vmcore, done);
		if (n == 0)
			break;
		r = kd_write_all(out, buf, (size_t)n);
		if (r < 0)
			return kd_err_sys(err, r, "vmcore.raw: write failed at %" PRIu64, done);
		done += (uint64_t)n;
	}
	if (fsync(out) < 0)
		return kd_err_sys(err, -errno, "vmcore.raw: fsync failed");
	return 0;
}

/*
 * Is there room at dir for the dump? The page filter counts the pages the dump will hold
 * (one pass over mem_map: the capture makes the same pass again); kd_dump_space turns that
 * into an expected size and a worst case. Less free than expected: refuse (the failure action
 * then runs); less than the worst case: warn and go on.
 */
static int check_space(const struct conf_init *c, const char *vmcore, const char *dir,
		       struct kd_err *err)
{
	struct vmcore *vc = NULL;
	struct vmcore_filter *f = NULL;
	const char *warning = NULL;
	struct statvfs sv;
	uint64_t avail, expected, bound;
	char a[32], b[32], e[32];
	int r;

	if (statvfs(dir, &sv) < 0)
		return kd_err_sys(err, -errno, "statvfs %s", dir);
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	r = vmcore_open(vmcore, &vc, err);
	if (r >= 0) {
		/* Room for a dump of every page (the usual case): no need to count the pages. */
		size_t nl;
		const struct vmcore_load *l = vmcore_loads(vc, &nl);
		uint64_t all = 0;

		for (size_t i = 0; i < nl; i++)
			all += KD_DIV_ROUND_UP(l[i].memsz, vmcore_page_size(vc));
		kd_dump_space(all, vmcore_page_size(vc), vmcore_max_pfn(vc), false, &expected,
			      &bound);
		if (avail >= bound) {
			kd_format_size(avail, a, sizeof(a));
			kd_format_size(bound, b, sizeof(b));
			kd_info("free space: %s at %s, more than a dump of every page needs (%s)", a,
				dir, b);
			vmcore_close(vc);
			return 0;
		}
		r = vmcore_filter_create(vc, c->level, &f, &warning, err);
	}
	if (r < 0) {
		kd_warn("free-space check skipped: %s", err->msg);
		kd_err_clear(err);
		vmcore_close(vc);
		return 0;
	}
	kd_dump_space(vmcore_filter_totals(f)->kept, vmcore_page_size(vc), vmcore_max_pfn(vc),
		      c->compress != CONF_COMPRESS_NONE, &expected, &bound);
	vmcore_filter_destroy(f);
	vmcore_close(vc);
	kd_format_size(avail, a, sizeof(a));
	kd_format_size(expected, e, sizeof(e));
	kd_format_size(bound, b, sizeof(b));
	if (avail < expected)
		return kd_err_set(err, -ENOSPC, "%s has %s free; the dump needs about %s (at most "
				  "%s): not written", dir, a, e, b);
	kd_info("free space: %s at %s, dump about %s (at most %s)%s", a, dir, e, b,
		avail < bound ? ": tight, going on" : "");
	return 0;
}

/*
 * Reads dir/file back from the target and checks it against dir/file.sha256 (as `kdump
 * verify`). Caches are dropped first so that the bytes come from the target (the NFS server,
 * the disk), not from this kernel's page cache.
 */
static int verify_dump(const char *dir, const char *file, struct kd_err *err)
{
	_cleanup_free_ char *path = kd_asprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = -1;
	struct kd_verify v;
	double t0 = kd_now();
	int r;

	if (!path)
		return kd_err_set(err, -ENOMEM, "out of memory");
	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "3", 1) != 1)
		kd_warn("verify: cannot drop caches (%s): the read-back may come from memory",
			strerror(errno));
	r = kd_manifest_verify(path, NULL, &v, err);
	if (r < 0) {
		kd_err_prefix(err, "verify after writing");
		return r;
	}
	kd_info("verified: %s read back matches its manifest (%" PRIu64 " bytes, %" PRIu64
		" blocks, %.1f s)", file, v.size, v.blocks_checked, kd_now() - t0);
	return 0;
}

/* Writes the log and the summary beside the dump (best effort: the dump matters most). */
static void save_extras(int dirfd, const char *vmcore)
{
	struct kd_err e = { 0 };

	if (kd_write_extras(dirfd, vmcore, &e) < 0)
		kd_warn("%s", e.msg);
}

struct flat_feed {
	const struct conf_init *c;
	const char *vmcore, *name;
	struct kd_err *err;
};

/* The capture's flattened stream into fd (the relay that hashes it on its way to the file). */
static int feed_flat(int fd, void *ctx)
{
	struct flat_feed *f = ctx;

	return kd_init_capture(f->c, f->vmcore, f->name, fd, f->err);
}

int kd_init_dump_dir(const struct conf_init *c, const char *vmcore, const char *mnt,
		     const char *dev, bool remote, struct kd_err *err)
{
	char name[128];
	_cleanup_free_ char *top = NULL, *dir = NULL, *dump = NULL;
	_cleanup_close_ int dirfd = -1, marker = -1;
	unsigned removed = 0;
	int r;

	kd_init_dump_name(c, name, sizeof(name));
	{
		const char *rel = c->path;
		while (*rel == '/')
			rel++;
		top = *rel ? kd_asprintf("%s/%s", mnt, rel) : kd_strdup(mnt);
	}
	if (!top || !(dir = kd_asprintf("%s/%s", top, name)))
		return kd_err_set(err, -ENOMEM, "out of memory");
	for (char *p = dir + strlen(mnt) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	if (c->check_space) {
		r = check_space(c, vmcore, top, err);
		if (r < 0)
			return r;
	}
	r = kd_dump_dir_begin(dir, &dirfd, &marker, err);
	if (r < 0)
		return r;
	kd_info("writing to %s on %s", dir + strlen(mnt), dev);
	if (c->flat) {
		/* The stream is hashed on its way to the file: its manifest, vmcore.flat.sha256. */
		_cleanup_close_ int fd = openat(dirfd, "vmcore.flat", O_WRONLY | O_CREAT | O_EXCL |
						O_CLOEXEC, 0600);
		_cleanup_free_ char *flat = kd_asprintf("%s/vmcore.flat", dir);
		struct flat_feed ff = { c, vmcore, flat, err };
		struct kd_manifest m;
		if (fd < 0)
			return kd_err_sys(err, -errno, "cannot create %s/vmcore.flat", dir);
		if (!flat)
			return kd_err_set(err, -ENOMEM, "out of memory");
		r = kd_manifest_relay(fd, feed_flat, &ff, "vmcore.flat", &m, err);
		if (r >= 0 && fsync(fd) < 0)
			r = kd_err_sys(err, -errno, "%s/vmcore.flat: fsync failed", dir);
		if (r >= 0) {
			_cleanup_free_ char *mp = kd_asprintf("%s/vmcore.flat.sha256", dir);
			r = mp ? kd_manifest_save(&m, mp, err)
			       : kd_err_set(err, -ENOMEM, "out of memory");
			kd_manifest_deinit(&m);
		}
	} else {
		dump = kd_asprintf("%s/vmcore", dir);
		if (!dump)
			return kd_err_set(err, -ENOMEM, "out of memory");
		r = kd_init_capture(c, vmcore, dump, -1, err);
	}
	if (r < 0) {
		/* The log matters most when the dump failed: keep it beside what was written
		 * (best effort; the .incomplete marker stays), with the manifest of what an
		 * incomplete dump holds (kdump verify then says it is incomplete). */
		struct kd_err e2 = { 0 };
		if (dump && access(dump, F_OK) == 0 && kd_manifest_write(dump, &e2) < 0)
			kd_warn("%s", e2.msg);
		save_extras(dirfd, vmcore);
		return r;
	}
	sync();
	kd_info("dump on disk (uptime %.2f)", kd_init_uptime());
	/* Its manifest (DUMP.sha256: the file read back and hashed) comes after the data is
	 * safe, since hashing is slow on a small capture CPU; the marker stays until it is done. */
	if (dump) {
		r = kd_manifest_write(dump, err);
		if (r < 0) {
			save_extras(dirfd, vmcore);
			return r;
		}
	}
	kd_info("dump complete (uptime %.2f)", kd_init_uptime());
	/* The raw copy for checks comes after the dump, so that its writeback does not slow
	 * the dump down (and the dump's time is what a production run takes). */
	if (c->save_raw) {
		r = save_raw(vmcore, dirfd, err);
		if (r < 0)
			return r;
		sync();
		kd_info("raw vmcore saved (uptime %.2f)", kd_init_uptime());
	}
	if (kd_init_want_verify(c, remote)) {
		r = verify_dump(dir, c->flat ? "vmcore.flat" : "vmcore", err);
		if (r < 0) {
			/* .incomplete stays; the failure action follows */
			save_extras(dirfd, vmcore);
			return r;
		}
	}
	save_extras(dirfd, vmcore);
	if (unlinkat(dirfd, KD_INCOMPLETE_MARKER, 0) < 0)
		return kd_err_sys(err, -errno, "cannot remove %s/" KD_INCOMPLETE_MARKER, dir);
	fsync(dirfd);
	/* Retention only now that the new dump is complete. */
	if (c->keep) {
		struct kd_err e2 = { 0 };
		if (kd_dumps_prune(top, c->keep, name, &removed, &e2) < 0)
			kd_warn("keep %u: %s", c->keep, e2.msg);
		else if (removed)
			kd_info("keep %u: %u older dump(s) removed", c->keep, removed);
	}
	return 0;
}

int kd_init_target_local(const struct conf_init *c, const char *vmcore, const char *mnt,
			 const char *spec, const char *fstype, struct kd_err *err)
{
	char dev[256];
	int r;

	r = kd_init_wait_device(spec, c->wait_secs, dev, sizeof(dev), err);
	if (r < 0)
		return r;
	kd_info("target ready: %s%s%s (uptime %.2f)", dev, strcmp(dev, spec) ? " = " : "",
		strcmp(dev, spec) ? spec : "", kd_init_uptime());
	mkdir(mnt, 0755);
	if (mount(dev, mnt, fstype, 0, NULL) < 0)
		return kd_err_sys(err, -errno, "cannot mount %s (%s) on %s", dev, fstype, mnt);
	return kd_init_dump_dir(c, vmcore, mnt, dev, false, err);
}
