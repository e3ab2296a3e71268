// SPDX-License-Identifier: GPL-2.0-or-later
/* The crash kernel reservation this machine needs, and its GRUB drop-in (never silently). */
#include "conf/conf.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"
#include "kdump/sys/sys.h"
#include "loader/loader.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#define GRUB_DROPIN "/etc/default/grub.d/kdump.cfg"
#define MIB ((uint64_t)1024 * 1024)
#define GIB (1024ull * MIB)

/*
 * The terms of the formula, in bytes. Where each comes from:
 *  - init_size: the capture kernel's own footprint while it boots and runs (bzImage header,
 *    offset 0x260; Debian 6.1: 63.6 MiB, 6.12: 55.9 MiB) - the hard floor.
 *  - the initramfs: loaded as a segment, then unpacked into the page cache: 3x its file
 *    size (the archive plus about twice that unpacked; ours is ~1.7 MB with ext4+virtio).
 *  - the capture kernel's run-time memory beyond init_size: slab, page tables, per-CPU
 *    areas, struct pages of the reservation itself, device buffers: RUNTIME, fit to the
 *    measured minimum (88 MiB at 1 GiB with the Debian 6.1 kernel, README.md).
 *  - per GiB of the crashed machine's RAM: PER_GIB. The filter's bitmaps are 64 KiB/GiB;
 *    the rest is the kernel's /proc/vmcore bookkeeping and page tables for the capture's
 *    mmap windows. Fit to the measured 88 MiB at 1 GiB -> 96 MiB at 4 GiB (<= 8 MiB for 3 GiB).
 *  - per capture CPU (nr_cpus=1 by default): a capture worker's windows and buffers (2 MiB).
 *  - network targets (ssh, nfs): NIC driver, sunrpc/nfs or the ssh client: NET.
 *  - margin: 10 %, then rounded up to 8 MiB.
 */
#define RUNTIME (16 * MIB)
#define PER_GIB (3 * MIB)
#define PER_CPU (2 * MIB)
#define NET (16 * MIB)
#define DEFAULT_INITRD (2 * MIB)
#define DEFAULT_INIT_SIZE (64 * MIB)

/* init_size from a bzImage's setup header (boot protocol 2.10+), 0 if not readable. */
static uint64_t bzimage_init_size(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t h[0x270];

	if (fd < 0 || kd_pread_all(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return 0;
	if (memcmp(h + 0x202, "HdrS", 4) != 0 || kd_le16(h + 0x206) < 0x20a)
		return 0;
	return kd_le32(h + 0x260);
}

static void compute(const struct loader_sysinfo *si, const struct conf *c, struct kd_estimate *e)
{
	struct stat st;
	uint64_t sum;

	for (size_t i = 0; i < si->n_ram; i++)
		e->ram += si->ram[i].end - si->ram[i].start + 1;
	for (size_t i = 0; i < si->n_crash; i++)
		e->reserved += si->crash[i].end - si->crash[i].start + 1;
	e->n_possible = si->n_possible;
	e->target = conf_target_kind_name(c->target.kind);
	e->cpus = 1; /* the capture kernel runs with nr_cpus=1 */
	e->init_size = e->kernel ? bzimage_init_size(e->kernel) : 0;
	e->init_size_known = e->init_size != 0;
	if (!e->init_size)
		e->init_size = DEFAULT_INIT_SIZE;
	e->initrd_known = e->initrd_path && stat(e->initrd_path, &st) == 0;
	e->initrd = 3 * (e->initrd_known ? (uint64_t)st.st_size : DEFAULT_INITRD);
	e->runtime = RUNTIME;
	e->per_gib = KD_DIV_ROUND_UP(e->ram, GIB) * PER_GIB;
	e->per_cpu = e->cpus * PER_CPU;
	e->net = conf_target_is_remote(c) ? NET : 0;
	sum = e->init_size + e->initrd + e->runtime + e->per_gib + e->per_cpu + e->net;
	e->margin = sum / 10;
	e->total = KD_ALIGN_UP(sum + e->margin, 8 * MIB);
}

/* kdump.conf as the estimate takes it: the defaults when the default file is missing. */
static int estimate_conf(const struct kd_estimate_args *a, struct conf **ret, struct kd_err *err)
{
	_cleanup_free_ char *def = kd_path_at(a->root, CONF_DEFAULT_FILE);

	if (!a->config && def && access(def, F_OK) < 0)
		return conf_parse("", 0, "defaults", ret, NULL, err);
	return kd_svc_conf(a->root, a->config, a->report, ret, err);
}

void kd_estimate_deinit(struct kd_estimate *e)
{
	free(e->kernel);
	free(e->initrd_path);
	free(e->crashkernel);
	free(e->current);
	memset(e, 0, sizeof(*e));
}

int kd_estimate(const struct kd_estimate_args *a, struct kd_estimate *ret, struct kd_err *err)
{
	struct loader_sysinfo *si = NULL;
	struct kd_host *h = NULL;
	struct conf *c = NULL;
	struct kd_estimate e = { 0 };
	char current[128];
	int r;

	r = kd_host_read(a->root, &h, err);
	if (r >= 0)
		r = loader_sysinfo_read(h->real_root ? NULL : h->root, &si, err);
	if (r >= 0)
		r = estimate_conf(a, &c, err);
	if (r < 0)
		goto out;
	if (a->kernel) {
		e.kernel = kd_strdup(a->kernel);
	} else if (si->release) {
		_cleanup_free_ char *rel = kd_asprintf("/boot/vmlinuz-%s", si->release);
		e.kernel = rel ? kd_path_at(h->root, rel) : NULL;
	}
	if (si->release)
		e.initrd_path = kd_svc_initrd_path(h->root, si->release);
	if (kd_host_cmdline_value(h, "crashkernel", current, sizeof(current)))
		e.current = kd_strdup(current);
	if (c->crashkernel)
		e.crashkernel = kd_strdup(c->crashkernel);
	compute(si, c, &e);
	*ret = e;
out:
	conf_destroy(c);
	loader_sysinfo_destroy(si);
	kd_host_destroy(h);
	return r;
}

/* dir's parents and dir, 0755. */
static void make_dirs(char *dir)
{
	for (char *p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	mkdir(dir, 0755);
}

int kd_crashkernel(const struct kd_estimate_args *a, bool set, struct kd_err *err)
{
	const struct kd_report *r = a->report;
	struct kd_estimate e;
	_cleanup_free_ char *value = NULL, *text = NULL, *path = NULL, *dir = NULL, *tmp = NULL;
	_cleanup_close_ int fd = -1;
	bool from_conf;
	int rc = kd_estimate(a, &e, err);

	if (rc < 0)
		return rc;
	from_conf = e.crashkernel && strcmp(e.crashkernel, "auto") != 0;
	value = from_conf ? kd_strdup(e.crashkernel) : kd_asprintf("%" PRIu64 "M", e.total / MIB);
	kd_report_printf(r, "running kernel: crashkernel=%s, %" PRIu64 " MiB reserved\n",
			 e.current ? e.current : "(none)", e.reserved / MIB);
	kd_report_printf(r, "to use:         crashkernel=%s (%s)\n", value ? value : "?",
			 from_conf ? "crashkernel in kdump.conf" : "kdump estimate");
	kd_estimate_deinit(&e);
	text = kd_asprintf("# Written by `kdump crashkernel --set`: the crash kernel reservation.\n"
			   "# Remove this file and run update-grub to undo.\n"
			   "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=%s\"\n",
			   value ? value : "");
	path = kd_path_at(a->root, GRUB_DROPIN);
	dir = kd_path_at(a->root, "/etc/default/grub.d");
	tmp = path ? kd_asprintf("%s.tmp", path) : NULL;
	if (!text || !path || !dir || !tmp)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (!set) {
		kd_report_printf(r, "`kdump crashkernel --set` would write %s:\n%s", path, text);
		return 0;
	}
	kd_report_printf(r, "writing %s:\n%s", path, text);
	make_dirs(dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || kd_write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0 ||
	    rename(tmp, path) < 0)
		return kd_err_sys(err, -errno, "cannot write %s", path);
	kd_report_printf(r, "now run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg) and "
			 "reboot\n");
	return 0;
}
