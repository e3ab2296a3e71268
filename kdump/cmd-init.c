// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump init: /init of the capture initramfs (PID 1 in the capture kernel): mount, load the
 * target's modules, wait for the target, capture /proc/vmcore, save the log, power off. */
#include "kdump/blkid.h"
#include "kdump/frontend.h"
#include "kdump/initconf.h"
#include "kdump/dump/dump.h"
#include "kdump/net.h"
#include "kdump/target-net.h"
#include "vmcore/vmcore.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define TARGET_MNT "/kdump-target"
#define ROOTFS_MNT "/kdump-rootfs"
#define MODULE_DIR "/lib/modules/"

static double uptime(void)
{
	char buf[64] = "";
	int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	return strtod(buf, NULL);
}

static void mount_one(const char *src, const char *dir, const char *type, const char *opts)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, MS_NOSUID, opts) < 0 && errno != EBUSY)
		kd_warn("cannot mount %s on %s: %s", type, dir, strerror(errno));
}

static void console_fds(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* finit_module, with the in-kernel decompression flag for .ko.xz / .ko.zst / .ko.gz. */
static int load_module(const char *path, struct kd_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	int flags = 0;

	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open module %s", path);
	if (strstr(path, ".ko.xz") || strstr(path, ".ko.zst") || strstr(path, ".ko.gz"))
		flags |= MODULE_INIT_COMPRESSED_FILE;
	if (syscall(SYS_finit_module, fd, "", flags) < 0 && errno != EEXIST) {
		int e = errno;
		if (e == EINVAL && flags)
			return kd_err_set(err, -e, "module %s: the kernel refused a compressed "
					  "module (needs CONFIG_MODULE_DECOMPRESS); rebuild the "
					  "initramfs", path);
		return kd_err_sys(err, -e, "module %s: finit_module failed", path);
	}
	return 0;
}

/*
 * Waits up to secs for the target device and resolves its name: a /dev path, or UUID= /
 * LABEL= found by reading superblocks in /dev (the capture initramfs has no udev; a
 * /dev/disk/by-* link is used if something made one). Writes the /dev path into ret.
 */
static int wait_device(const char *spec, unsigned secs, char *ret, size_t len, struct kd_err *err)
{
	static const struct {
		const char *key, *dir;
	} by[] = { { "UUID=", "/dev/disk/by-uuid/" },	  { "LABEL=", "/dev/disk/by-label/" },
		   { "PARTUUID=", "/dev/disk/by-partuuid/" }, { "PARTLABEL=", "/dev/disk/by-partlabel/" } };
	const char *dev = spec, *value = NULL;
	_cleanup_free_ char *link = NULL;
	size_t k = KD_ARRAY_SIZE(by);
	struct stat st;
	double end = kd_now() + secs;

	for (size_t i = 0; i < KD_ARRAY_SIZE(by); i++)
		if (strncmp(spec, by[i].key, strlen(by[i].key)) == 0) {
			k = i;
			value = spec + strlen(by[i].key);
			link = kd_asprintf("%s%s", by[i].dir, value);
			if (!link)
				return kd_err_set(err, -ENOMEM, "out of memory");
			dev = link;
		}
	for (;;) {
		if (stat(dev, &st) == 0) {
			if (!S_ISBLK(st.st_mode))
				return kd_err_set(err, -ENOTBLK, "%s is not a block device", dev);
			if (strlen(dev) >= len)
				return kd_err_set(err, -ENAMETOOLONG, "%s: name too long", dev);
			memcpy(ret, dev, strlen(dev) + 1);
			return 0;
		}
		if (k < 2) {
			struct kd_err e2 = { 0 };
			char key[8];
			snprintf(key, sizeof(key), "%.*s", (int)strlen(by[k].key) - 1, by[k].key);
			if (kd_fs_find("/dev", key, value, ret, len, NULL, &e2) == 0)
				return 0;
			if (kd_now() > end)
				return kd_err_set(err, -ENODEV, "%s (waited %u s)", e2.msg, secs);
		} else if (kd_now() > end) {
			return kd_err_set(err, -ENODEV, "%s did not appear within %u s (missing "
					  "driver module? extra_modules in kdump.conf, or `kdump "
					  "initramfs --module`%s)", dev, secs,
					  k < KD_ARRAY_SIZE(by) ? "; PARTUUID=/PARTLABEL= need "
					  "udev links: use UUID=, LABEL= or a /dev path" : "");
		}
		usleep(50 * 1000);
	}
}

/* Copies /proc/vmcore verbatim into dir/vmcore.raw (for checks against other tools). */
static int save_raw(int dirfd, struct kd_err *err)
{
	_cleanup_close_ int in = open("/proc/vmcore", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	_cleanup_free_ char *buf = malloc(1 << 20);
	uint64_t done = 0;

	if (!buf)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (in < 0)
		return kd_err_sys(err, -errno, "cannot open /proc/vmcore");
	out = openat(dirfd, "vmcore.raw", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0)
		return kd_err_sys(err, -errno, "cannot create vmcore.raw");
	for (;;) {
		ssize_t n = kd_read_all(in, buf, 1 << 20);
		int r;
		if (n < 0)
			return kd_err_sys(err, (int)n, "/proc/vmcore: read failed at %" PRIu64, done);
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

static void dump_dir_name(const struct kd_initconf *c, char *buf, size_t len)
{
	char host[65] = "";

	if (c->hostname[0])
		snprintf(host, sizeof(host), "%s", c->hostname);
	else if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	kd_dump_dir_name(host, time(NULL), buf, len);
}

/* Writes the log and the summary beside the dump (best effort: the dump matters most). */
static void save_extras(int dirfd)
{
	static const struct {
		const char *cmd, *file, *opt;
	} extras[] = { { "dmesg", "dmesg.txt", NULL },
		       { "info", "info.txt", NULL },
		       { "info", "info.json", "--json" } };

	for (size_t i = 0; i < KD_ARRAY_SIZE(extras); i++) {
		char *argv[4] = { (char *)extras[i].cmd };
		int a = 1;
		if (extras[i].opt)
			argv[a++] = (char *)extras[i].opt;
		argv[a] = (char *)"/proc/vmcore";
		_cleanup_close_ int fd = -1;
		int rc;

		if (!kd_find_command(extras[i].cmd)) {
			kd_warn("this kdump has no '%s' command yet: %s not written", extras[i].cmd,
				extras[i].file);
			continue;
		}
		fd = openat(dirfd, extras[i].file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			kd_warn("cannot create %s: %s", extras[i].file, strerror(errno));
			continue;
		}
		rc = kd_run_command(extras[i].cmd, argv, fd);
		if (rc != 0)
			kd_warn("kdump %s exited %d: %s may be incomplete", extras[i].cmd, rc,
				extras[i].file);
		fsync(fd);
	}
}

/* The capture's peak resident set (init runs it in-process, so init's VmHWM) and the capture
 * kernel's memory, for sizing crashkernel=. */
static void log_memory_use(void)
{
	static const char *const keys[] = { "VmHWM:", "MemTotal:", "MemFree:" };
	static const char *const files[] = { "/proc/self/status", "/proc/meminfo",
					     "/proc/meminfo" };
	unsigned long kib[3] = { 0 };

	for (size_t i = 0; i < KD_ARRAY_SIZE(keys); i++) {
		_cleanup_free_ char *buf = NULL;
		struct kd_err e = { 0 };
		const char *p;

		if (kd_read_file_at(NULL, files[i], 64 << 10, &buf, NULL, &e) < 0)
			continue;
		p = strstr(buf, keys[i]);
		if (p)
			kib[i] = strtoul(p + strlen(keys[i]), NULL, 10);
	}
	kd_info("memory: capture peak RSS %lu kB, MemTotal %lu kB, MemFree %lu kB", kib[0],
		kib[1], kib[2]);
}

/* The capture itself: `kdump capture` run in-process on /proc/vmcore. */
static int capture(const struct kd_initconf *c, const char *output, struct kd_err *err)
{
	char level[16];
	char *argv[12];
	int n = 0, rc;

	if (!kd_find_command("capture"))
		return kd_err_set(err, -ENOSYS, "this kdump was built without the 'capture' "
				  "command: no dump written");
	snprintf(level, sizeof(level), "%u", c->level);
	argv[n++] = (char *)"capture";
	argv[n++] = (char *)"-d";
	argv[n++] = level;
	/* compress= names a compressor; LZO (fast, as makedumpfile -l) when unset. */
	if (!c->compress[0] || strcmp(c->compress, "lzo") == 0)
		argv[n++] = (char *)"-l";
	else if (strcmp(c->compress, "zlib") == 0)
		argv[n++] = (char *)"-c";
	else if (strcmp(c->compress, "zstd") == 0)
		argv[n++] = (char *)"-z";
	else if (strcmp(c->compress, "none") != 0)
		return kd_err_set(err, -EINVAL, "compress=%s: use lzo, zlib, zstd or none",
				  c->compress);
	if (strcmp(output, "-") == 0)
		argv[n++] = (char *)"-F"; /* flattened, to standard output (device or pipe) */
	else
		argv[n++] = (char *)"--no-manifest"; /* written once the dump is on disk */
	argv[n++] = (char *)"/proc/vmcore";
	if (strcmp(output, "-") != 0)
		argv[n++] = (char *)output;
	argv[n] = NULL;
	rc = kd_run_command("capture", argv, -1);
	log_memory_use();
	if (rc != 0)
		return kd_err_set(err, -EIO, "kdump capture exited %d%s", rc,
				  rc == KD_EXIT_INCOMPLETE ? " (dump incomplete)" : "");
	return 0;
}

/*
 * Is there room at dir for the dump? The page filter counts the pages the dump will hold
 * (one pass over mem_map: the capture makes the same pass again); kd_dump_space turns that
 * into an expected size and a worst case. Less free than expected: refuse (the failure action
 * then runs); less than the worst case: warn and go on.
 */
static int check_space(const struct kd_initconf *c, const char *dir, struct kd_err *err)
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
	r = vmcore_open("/proc/vmcore", &vc, err);
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
		      strcmp(c->compress, "none") != 0, &expected, &bound);
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

static int mount_nfs(const struct kd_initconf *c, struct kd_err *err);

/* verify yes, or auto on a networked target. */
static bool want_verify(const struct kd_initconf *c, bool remote)
{
	return c->verify == KD_VERIFY_YES || (c->verify == KD_VERIFY_AUTO && remote);
}

/* The capture's flattened stream written to fd (which becomes its standard output). */
static int capture_flat_to(const struct kd_initconf *c, int fd, struct kd_err *err)
{
	int saved, r;

	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	r = capture(c, "-", err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return r;
}

struct flat_feed {
	const struct kd_initconf *c;
	struct kd_err *err;
};

static int feed_flat(int fd, void *ctx)
{
	struct flat_feed *f = ctx;

	return capture_flat_to(f->c, fd, f->err);
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
		kd_err_prefix(err, "verify after writing: ");
		return r;
	}
	kd_info("verified: %s read back matches its manifest (%" PRIu64 " bytes, %" PRIu64
		" blocks, %.1f s)", file, v.size, v.blocks_checked, kd_now() - t0);
	return 0;
}

/* A dump into <mnt>/<path>/<host>-<date-time>/ on a local filesystem. */
static int capture_local(const struct kd_initconf *c, const char *mnt, const char *spec,
			 const char *fstype, struct kd_err *err)
{
	char name[128], dev[256];
	_cleanup_free_ char *top = NULL, *dir = NULL, *vmcore = NULL;
	_cleanup_close_ int dirfd = -1, marker = -1;
	unsigned removed = 0;
	int r;

	if (c->target == KD_TARGET_NFS && strcmp(mnt, TARGET_MNT) == 0) {
		r = mount_nfs(c, err); /* the network is up: see dump_to_target */
		if (r < 0)
			return r;
		snprintf(dev, sizeof(dev), "%s", spec);
	} else {
		r = wait_device(spec, c->wait_secs, dev, sizeof(dev), err);
		if (r < 0)
			return r;
		kd_info("target ready: %s%s%s (uptime %.2f)", dev, strcmp(dev, spec) ? " = " : "",
			strcmp(dev, spec) ? spec : "", uptime());
		mkdir(mnt, 0755);
		if (mount(dev, mnt, fstype, 0, NULL) < 0)
			return kd_err_sys(err, -errno, "cannot mount %s (%s) on %s", dev, fstype,
					  mnt);
	}
	dump_dir_name(c, name, sizeof(name));
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
		r = check_space(c, top, err);
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
		struct flat_feed ff = { c, err };
		struct kd_manifest m;
		if (fd < 0)
			return kd_err_sys(err, -errno, "cannot create %s/vmcore.flat", dir);
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
		vmcore = kd_asprintf("%s/vmcore", dir);
		if (!vmcore)
			return kd_err_set(err, -ENOMEM, "out of memory");
		r = capture(c, vmcore, err);
	}
	if (r < 0) {
		/* The log matters most when the dump failed: keep it beside what was written
		 * (best effort; the .incomplete marker stays), with the manifest of what an
		 * incomplete dump holds (kdump verify then says it is incomplete). */
		struct kd_err e2 = { 0 };
		if (vmcore && access(vmcore, F_OK) == 0 && kd_manifest_write(vmcore, &e2) < 0)
			kd_warn("%s", e2.msg);
		save_extras(dirfd);
		return r;
	}
	sync();
	kd_info("dump on disk (uptime %.2f)", uptime());
	/* Its manifest (DUMP.sha256: the file read back and hashed) comes after the data is
	 * safe, since hashing is slow on a small capture CPU; the marker stays until it is done. */
	if (vmcore) {
		r = kd_manifest_write(vmcore, err);
		if (r < 0) {
			save_extras(dirfd);
			return r;
		}
	}
	kd_info("dump complete (uptime %.2f)", uptime());
	/* The raw copy for checks comes after the dump, so that its writeback does not slow
	 * the dump down (and the dump's time is what a production run takes). */
	if (c->save_raw) {
		r = save_raw(dirfd, err);
		if (r < 0)
			return r;
		sync();
		kd_info("raw vmcore saved (uptime %.2f)", uptime());
	}
	if (want_verify(c, c->target == KD_TARGET_NFS && strcmp(mnt, TARGET_MNT) == 0)) {
		r = verify_dump(dir, c->flat ? "vmcore.flat" : "vmcore", err);
		if (r < 0) {
			save_extras(dirfd); /* .incomplete stays; the failure action follows */
			return r;
		}
	}
	save_extras(dirfd);
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

/* A flattened stream onto a raw device; `kdump savecore` turns it into a dump at next boot. */
static int capture_raw(const struct kd_initconf *c, struct kd_err *err)
{
	char dev[256];
	_cleanup_close_ int fd = -1;
	int r;

	r = wait_device(c->device, c->wait_secs, dev, sizeof(dev), err);
	if (r < 0)
		return r;
	kd_info("target ready: %s (uptime %.2f)", dev, uptime());
	fd = open(dev, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s for writing", dev);
	r = capture_flat_to(c, fd, err);
	if (r < 0)
		return r;
	if (fsync(fd) < 0)
		return kd_err_sys(err, -errno, "%s: fsync failed", dev);
	kd_info("dump complete (uptime %.2f)", uptime());
	return 0;
}

/* The primary target: one case per target kind. */
/* ---- networked targets (ssh, nfs) ---- */

static int mount_nfs(const struct kd_initconf *c, struct kd_err *err)
{
	char client[48];
	const char *vers = NULL;
	int r;

	snprintf(client, sizeof(client), "%s", c->net_addr);
	client[strcspn(client, "/")] = '\0';
	r = kd_nfs_mount(c->nfs_server, c->nfs_export, c->nfs_vers, client, TARGET_MNT, &vers,
			 err);
	if (r == 0)
		kd_info("mounted %s:%s with NFS %s", c->nfs_server, c->nfs_export, vers);
	return r;
}

static int start_network(const struct kd_initconf *c, struct kd_err *err)
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
		c->net_gateway[0] ? " via " : "", c->net_gateway, uptime());
	return 0;
}

struct ssh_feed {
	const struct kd_initconf *c;
	char **argv;	/* a command of this binary whose output is sent */
	struct kd_err *err;
};

static int feed_capture(int fd, void *ctx)
{
	struct ssh_feed *f = ctx;

	return capture_flat_to(f->c, fd, f->err);
}

struct ssh_hashed_feed {
	struct ssh_feed *f;
	struct kd_manifest *m;
};

/* The capture through the hashing relay into ssh's standard input. */
static int feed_capture_hashed(int fd, void *ctx)
{
	struct ssh_hashed_feed *h = ctx;

	return kd_manifest_relay(fd, feed_capture, h->f, "vmcore.flat", h->m, h->f->err);
}

struct text_feed {
	const char *text;
	size_t len;
};

static int feed_text(int fd, void *ctx)
{
	struct text_feed *t = ctx;

	return kd_write_all(fd, t->text, t->len);
}

static int feed_command(int fd, void *ctx)
{
	struct ssh_feed *f = ctx;

	return kd_run_command(f->argv[0], f->argv, fd) == 0 ? 0 : -EIO;
}

/* The flattened dump piped into ssh, then the log and the summary, then the rename. */
static int capture_ssh(const struct kd_initconf *c, struct kd_err *err)
{
	struct kd_ssh_target t = { .ssh = KD_INIT_SSH_BIN, .user = c->ssh_user,
				   .host = c->ssh_host, .port = c->ssh_port, .key = KD_INIT_SSH_KEY,
				   .known_hosts = KD_INIT_KNOWN_HOSTS,
				   .control_path = "/tmp/kdump-ssh.sock" };
	static const char *const extras[][3] = { { "dmesg.txt", "dmesg", NULL },
						 { "info.txt", "info", NULL },
						 { "info.json", "info", "--json" } };
	struct ssh_feed f = { c, NULL, err };
	_cleanup_free_ char *dir = NULL, *cmd = NULL;
	bool verify = want_verify(c, true);
	struct kd_manifest m = { 0 };
	char name[128], sha[65] = "";
	int r;

	dump_dir_name(c, name, sizeof(name));
	dir = kd_asprintf("%s/%s", strcmp(c->path, "/") == 0 ? "" : c->path, name);
	cmd = dir ? kd_ssh_cmd_begin(dir) : NULL;
	if (!cmd)
		return kd_err_set(err, -ENOMEM, "out of memory");
	/* Connect (host key, authentication) before capturing: one connection for all. */
	r = kd_ssh_run(&t, "true", NULL, NULL, err);
	if (r < 0)
		return r;
	kd_info("ssh connected to %s (uptime %.2f)", c->ssh_host, uptime());
	kd_info("writing to %s@%s:%s/vmcore.flat", c->ssh_user, c->ssh_host, dir);
	if (verify) {
		struct ssh_hashed_feed hf = { &f, &m };
		_cleanup_free_ char *text = NULL, *mc = kd_ssh_cmd_file(dir, "vmcore.flat.sha256");
		struct text_feed tf;

		r = kd_ssh_run(&t, cmd, feed_capture_hashed, &hf, err);
		if (r < 0) {
			kd_manifest_deinit(&m); /* set if ssh failed after the relay finished */
			return r;
		}
		kd_manifest_hex(m.sha256, sha);
		kd_info("dump sent: %" PRIu64 " bytes, sha256 %s (uptime %.2f)", m.size, sha,
			uptime());
		r = kd_manifest_format(&m, &text, &tf.len);
		kd_manifest_deinit(&m);
		if (r < 0 || !mc)
			return kd_err_set(err, -ENOMEM, "out of memory");
		tf.text = text;
		r = kd_ssh_run(&t, mc, feed_text, &tf, err);
		if (r < 0) {
			kd_err_prefix(err, "vmcore.flat.sha256: ");
			return r;
		}
	} else {
		r = kd_ssh_run(&t, cmd, feed_capture, &f, err);
		if (r < 0)
			return r;
		kd_info("dump sent (uptime %.2f)", uptime());
	}
	for (size_t i = 0; i < KD_ARRAY_SIZE(extras); i++) {
		char *argv[4] = { (char *)extras[i][1], (char *)extras[i][2], NULL, NULL };
		_cleanup_free_ char *fc = NULL;
		struct kd_err e2 = { 0 };

		argv[extras[i][2] ? 2 : 1] = (char *)"/proc/vmcore";
		if (!kd_find_command(argv[0]))
			continue;
		fc = kd_ssh_cmd_file(dir, extras[i][0]);
		f.argv = argv;
		f.err = &e2;
		if (!fc || kd_ssh_run(&t, fc, feed_command, &f, &e2) < 0) {
			kd_warn("%s not written: %s", extras[i][0], e2.msg[0] ? e2.msg : "error");
			kd_err_clear(&e2);
		}
	}
	if (verify) {
		/* The server hashes what it stored; only a match is renamed to vmcore.flat. */
		free(cmd);
		cmd = kd_ssh_cmd_check(dir, sha);
		if (!cmd)
			return kd_err_set(err, -ENOMEM, "out of memory");
		r = kd_ssh_run(&t, cmd, NULL, NULL, err);
		if (r == -EIO)
			return kd_err_set(err, -EBADMSG, "verify after writing: %s@%s:%s/"
					  "vmcore.flat.part differs from the stream sent (sha256 %s; "
					  "sha256sum's message is above); kept with .incomplete: "
					  "`kdump verify -m vmcore.flat.sha256 vmcore.flat.part` "
					  "there names the first bad block", c->ssh_user, c->ssh_host,
					  dir, sha);
		if (r < 0) {
			kd_err_prefix(err, "verify after writing: ");
			return r;
		}
		kd_info("verified: the server's vmcore.flat.part matches the stream sent (uptime "
			"%.2f)", uptime());
	}
	free(cmd);
	cmd = kd_ssh_cmd_finish(dir);
	if (!cmd)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = kd_ssh_run(&t, cmd, NULL, NULL, err);
	if (r < 0)
		return r;
	kd_info("dump complete (uptime %.2f)", uptime());
	return 0;
}

static int dump_to_target(const struct kd_initconf *c, struct kd_err *err)
{
	int r;

	switch (c->target) {
	case KD_TARGET_LOCAL:
		return capture_local(c, TARGET_MNT, c->device, c->fstype, err);
	case KD_TARGET_RAW:
		return capture_raw(c, err);
	case KD_TARGET_SSH:
	case KD_TARGET_NFS:
		r = start_network(c, err);
		if (r < 0)
			return r;
		kd_info("target ready: %s (uptime %.2f)",
			c->target == KD_TARGET_SSH ? c->ssh_host : c->device, uptime());
		return c->target == KD_TARGET_SSH ? capture_ssh(c, err)
						  : capture_local(c, TARGET_MNT, c->device, "nfs", err);
	}
	return kd_err_set(err, -EINVAL, "unknown target kind %d", (int)c->target);
}

/*
 * Runs a hook (a program in the initramfs) without a shell; returns its exit status (0-255),
 * 256 + signal when killed, or -errno when it could not run.
 */
static int run_hook(const char *path, const char *arg)
{
	char *argv[3] = { (char *)path, (char *)arg, NULL };
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st))
		return WEXITSTATUS(st) == 127 && access(path, X_OK) < 0 ? -ENOENT : WEXITSTATUS(st);
	return 256 + WTERMSIG(st);
}

static void final_action(enum kd_final_action a)
{
	static const int how[] = { [KD_FINAL_POWEROFF] = RB_POWER_OFF,
				   [KD_FINAL_REBOOT] = RB_AUTOBOOT,
				   [KD_FINAL_HALT] = RB_HALT_SYSTEM };

	sync();
	umount2(TARGET_MNT, MNT_DETACH);
	umount2(ROOTFS_MNT, MNT_DETACH);
	sync();
	kd_info("%s", kd_final_action_name(a));
	reboot(how[a]);
	/* PID 1 must not exit; if reboot(2) failed there is nothing left but to wait. */
	for (;;)
		pause();
}

static void help(void)
{
	printf("NAME\n"
	       "    kdump init - the capture initramfs's /init\n\n"
	       "SYNOPSIS\n"
	       "    /init                  (run by the capture kernel as PID 1)\n"
	       "    kdump init --check-config FILE\n\n"
	       "DESCRIPTION\n"
	       "    As PID 1 of the capture kernel (the initramfs built by `kdump initramfs`),\n"
	       "    mounts /proc, /sys and /dev, loads the modules listed in %s\n"
	       "    with finit_module(2), waits for the target device, then captures /proc/vmcore:\n"
	       "    to <path>/<host>-<date-time>/vmcore on a local filesystem (with dmesg.txt,\n"
	       "    info.txt, info.json and a .incomplete marker removed when the dump is\n"
	       "    complete), or as a flattened stream onto a raw device; over ssh, a\n"
	       "    flattened stream (vmcore.flat with its manifest vmcore.flat.sha256), or onto\n"
	       "    NFS. With verify=yes, or auto on ssh and nfs, the dump is read back from the\n"
	       "    target and checked against its SHA-256 manifest before .incomplete goes; a\n"
	       "    mismatch runs the failure action. Finally powers off,\n"
	       "    reboots or halts.\n"
	       "    Outside PID 1 it only checks a settings file.\n\n"
	       "OPTIONS\n"
	       "    --check-config FILE  parse FILE as init.conf and print it back\n"
	       "    -h, --help           this help\n\n"
	       "EXIT STATUS\n"
	       "    As PID 1 it never returns. Otherwise 0 valid, 1 invalid, 2 usage error.\n",
	       KD_INITCONF_PATH);
}

/* The failure action: the dump into path on the first kernel's root filesystem, or stop. */
static int failure(const struct kd_initconf *c)
{
	struct kd_err err = { 0 };
	int r;

	switch (c->failure_action) {
	case KD_FAILURE_DUMP_TO_ROOTFS:
		if (!c->rootfs_device[0]) {
			kd_error("failure_action dump_to_rootfs: the initramfs knows no root device");
			return -ENODEV;
		}
		umount2(TARGET_MNT, MNT_DETACH);
		kd_info("failure_action dump_to_rootfs: %s (%s)", c->rootfs_device, c->rootfs_fstype);
		r = capture_local(c, ROOTFS_MNT, c->rootfs_device,
				  c->rootfs_fstype[0] ? c->rootfs_fstype : "ext4", &err);
		if (r < 0)
			kd_fail(&err);
		return r;
	case KD_FAILURE_REBOOT:
	case KD_FAILURE_HALT:
	case KD_FAILURE_POWEROFF:
		break;
	}
	kd_info("failure_action %s", kd_failure_action_name(c->failure_action));
	final_action(c->failure_action == KD_FAILURE_HALT	  ? KD_FINAL_HALT
		     : c->failure_action == KD_FAILURE_POWEROFF ? KD_FINAL_POWEROFF
								: KD_FINAL_REBOOT);
	return -ECANCELED;
}

static int run_pid1(void)
{
	struct kd_initconf conf;
	struct kd_err err = { 0 };
	_cleanup_free_ char *text = NULL;
	int r;

	kd_program = "kdump-init";
	mount_one("devtmpfs", "/dev", "devtmpfs", NULL);
	console_fds();
	mount_one("proc", "/proc", "proc", NULL);
	mount_one("sysfs", "/sys", "sysfs", NULL);
	kd_info("capture kernel up (uptime %.2f)", uptime());

	r = kd_read_file_at(NULL, KD_INITCONF_PATH, 1 << 20, &text, NULL, &err);
	if (r >= 0)
		r = kd_initconf_parse(text, KD_INITCONF_PATH, &conf, &err);
	if (r < 0) {
		kd_fail(&err);
		final_action(KD_FINAL_REBOOT);
	}
	if (access("/proc/vmcore", R_OK) < 0) {
		kd_error("no /proc/vmcore: this is not a capture kernel (was the capture initramfs "
			 "booted normally?)");
		final_action(conf.final_action);
	}
	for (size_t i = 0; i < conf.n_modules; i++) {
		_cleanup_free_ char *path = kd_asprintf(MODULE_DIR "%s", conf.modules[i]);
		if (!path || load_module(path, &err) < 0) {
			if (conf.optional[i])
				kd_info("optional module %s skipped (%s)", conf.modules[i],
					strerror(-err.code));
			else
				kd_fail(&err);
			kd_err_clear(&err);
		}
	}
	if (conf.target == KD_TARGET_NFS) /* named so in messages */
		snprintf(conf.device, sizeof(conf.device), "%s:%s", conf.nfs_server,
			 conf.nfs_export);
	if (!conf.hostname[0] && (conf.target == KD_TARGET_SSH || conf.target == KD_TARGET_NFS)) {
		/* as kdump-utils: <address>-<date-time> on a server that many machines use */
		snprintf(conf.hostname, sizeof(conf.hostname), "%s", conf.net_addr);
		conf.hostname[strcspn(conf.hostname, "/")] = '\0';
	}
	if (conf.pre[0]) {
		r = run_hook(conf.pre, NULL);
		if (r != 0)
			r = kd_err_set(&err, r < 0 ? r : -ECANCELED, "kdump_pre %s %s %d: dump skipped",
				       conf.pre, r < 0 ? "could not run: error" : "exited", r < 0 ? -r : r);
		else
			kd_info("kdump_pre %s: ok", conf.pre);
	}
	if (r >= 0) {
		r = dump_to_target(&conf, &err);
		if (r < 0) {
			kd_fail(&err);
			kd_err_clear(&err);
			if (conf.emergency[0]) {
				int h = run_hook(conf.emergency, NULL);
				kd_info("kdump_emergency %s exited %d", conf.emergency, h);
			}
			r = failure(&conf);
		}
	} else {
		/* kdump_pre said no: no dump anywhere, but a stopping failure_action applies. */
		kd_fail(&err);
		kd_err_clear(&err);
		if (conf.failure_action != KD_FAILURE_DUMP_TO_ROOTFS)
			failure(&conf);
	}
	if (conf.post[0]) {
		char st[16];
		int h;
		snprintf(st, sizeof(st), "%d", r < 0 ? 1 : 0);
		h = run_hook(conf.post, st);
		if (h != 0)
			kd_warn("kdump_post %s exited %d", conf.post, h);
	}
	final_action(conf.final_action);
	return KD_EXIT_FAIL;
}

static int run_init(int argc, char **argv)
{
	static const struct option opts[] = { { "check-config", required_argument, NULL, 'c' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	const char *check = NULL;
	int o;

	if (getpid() == 1)
		return run_pid1();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			check = optarg;
			break;
		case 'h':
			help();
			return KD_EXIT_OK;
		default:
			return kd_usage_error("init", "unknown option");
		}
	}
	if (!check)
		return kd_usage_error("init", "not PID 1: only --check-config FILE is possible");
	{
		struct kd_initconf conf;
		struct kd_err err = { 0 };
		_cleanup_free_ char *text = NULL, *out = NULL;

		if (kd_read_file_at(NULL, check, 1 << 20, &text, NULL, &err) < 0 ||
		    kd_initconf_parse(text, check, &conf, &err) < 0)
			return kd_fail(&err);
		out = kd_initconf_format(&conf);
		if (!out)
			return KD_EXIT_FAIL;
		fputs(out, stdout);
	}
	return KD_EXIT_OK;
}

KD_COMMAND(init, .name = "init", .summary = "the capture initramfs's /init (PID 1)",
	   .order = 900, .run = run_init);
