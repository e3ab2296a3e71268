// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump estimate and kdump crashkernel: how big the crash kernel reservation must be, and
 * writing it to the boot loader's configuration (never silently). */
#include "conf/conf.h"
#include "kdump/frontend.h"
#include "base/base.h"
#include "loader/loader.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <time.h>

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

struct estimate {
	uint64_t ram, init_size, initrd, runtime, per_gib, per_cpu, net, margin, total;
	unsigned cpus;
	bool init_size_known, initrd_known;
	const char *kernel, *initrd_path;
};

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

static void compute(const struct loader_sysinfo *si, const struct conf *c, const char *kernel,
		    const char *initrd, struct estimate *e)
{
	struct stat st;
	uint64_t sum;

	*e = (struct estimate){ .kernel = kernel, .initrd_path = initrd };
	for (size_t i = 0; i < si->n_ram; i++)
		e->ram += si->ram[i].end - si->ram[i].start + 1;
	e->cpus = 1; /* the capture kernel runs with nr_cpus=1 */
	e->init_size = kernel ? bzimage_init_size(kernel) : 0;
	e->init_size_known = e->init_size != 0;
	if (!e->init_size)
		e->init_size = DEFAULT_INIT_SIZE;
	e->initrd_known = initrd && stat(initrd, &st) == 0;
	e->initrd = 3 * (e->initrd_known ? (uint64_t)st.st_size : DEFAULT_INITRD);
	e->runtime = RUNTIME;
	e->per_gib = KD_DIV_ROUND_UP(e->ram, GIB) * PER_GIB;
	e->per_cpu = e->cpus * PER_CPU;
	e->net = conf_target_is_remote(c) ? NET : 0;
	sum = e->init_size + e->initrd + e->runtime + e->per_gib + e->per_cpu + e->net;
	e->margin = sum / 10;
	e->total = KD_ALIGN_UP(sum + e->margin, 8 * MIB);
}

struct est_args {
	const char *root, *config, *kernel;
	bool json, set;
};

static int est_args(int argc, char **argv, const char *cmd, const char *help, bool allow_set,
		    struct est_args *a)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' }, { "sysroot", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' }, { "kernel", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },	    { "set", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },	    { 0 },
	};
	int o;

	*a = (struct est_args){ .root = "/" };
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'R':
			a->root = optarg;
			break;
		case 'c':
			a->config = optarg;
			break;
		case 'k':
			a->kernel = optarg;
			break;
		case 'j':
			a->json = true;
			break;
		case 's':
			if (!allow_set)
				return kd_usage_error(cmd, "bad option");
			a->set = true;
			break;
		case 'h':
			fputs(help, stdout);
			return -1;
		default:
			return kd_usage_error(cmd, "bad option");
		}
	}
	if (optind < argc)
		return kd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* Loads what the estimate needs; a missing kdump.conf means the defaults. */
static int gather(const struct est_args *a, struct loader_sysinfo **si, struct conf **c,
		  struct estimate *e, struct kd_err *err)
{
	_cleanup_free_ char *kernel = NULL, *initrd = NULL;
	struct kd_err cerr = { 0 };
	bool real = strcmp(a->root, "/") == 0;
	int r;

	r = loader_sysinfo_read(real ? NULL : a->root, si, err);
	if (r < 0)
		return r;
	{
		_cleanup_free_ char *def = kd_path_at(a->root, CONF_DEFAULT_FILE);
		if (!a->config && def && access(def, F_OK) < 0)
			r = conf_parse("", 0, "defaults", c, NULL, &cerr);
		else
			r = kd_svc_conf(a->root, a->config, c, &cerr);
	}
	if (r < 0) {
		*err = cerr;
		return r;
	}
	if (a->kernel) {
		kernel = kd_strdup(a->kernel);
	} else if ((*si)->release) {
		_cleanup_free_ char *rel = kd_asprintf("/boot/vmlinuz-%s", (*si)->release);
		kernel = rel ? kd_path_at(a->root, rel) : NULL;
	}
	if ((*si)->release)
		initrd = kd_svc_initrd_path(a->root, (*si)->release);
	compute(*si, *c, kernel, initrd, e);
	e->kernel = KD_TAKE_PTR(kernel);
	e->initrd_path = KD_TAKE_PTR(initrd);
	return 0;
}

static void estimate_free(struct estimate *e)
{
	free((char *)e->kernel);
	free((char *)e->initrd_path);
}

static uint64_t reserved(const struct loader_sysinfo *si)
{
	uint64_t r = 0;

	for (size_t i = 0; i < si->n_crash; i++)
		r += si->crash[i].end - si->crash[i].start + 1;
	return r;
}

static const char help_estimate[] =
	"NAME\n    kdump estimate - the crashkernel= this machine needs\n\n"
	"SYNOPSIS\n    kdump estimate [--json] [--kernel K] [--config FILE] [--root DIR]\n\n"
	"DESCRIPTION\n"
	"    Adds up what the capture kernel needs, term by term, for this machine's RAM and\n"
	"    target, and compares it with the reservation in place:\n"
	"      init_size of the capture kernel (its bzImage header: the hard floor)\n"
	"      + 3 x the capture initramfs (the archive, then unpacked)\n"
	"      + 16 MiB the capture kernel's run-time memory (slab, page tables, devices)\n"
	"      + 3 MiB per GiB of RAM (/proc/vmcore bookkeeping, the filter's bitmaps, page\n"
	"        tables of the capture's windows)\n"
	"      + 2 MiB per capture CPU (nr_cpus=1: one worker's windows and buffers)\n"
	"      + 16 MiB for an ssh or nfs target (network drivers and client)\n"
	"      + 10 %, rounded up to 8 MiB.\n"
	"    The constants are fit to measured minimums (QEMU, Debian 6.1: 88 MiB at 1 GiB, 96\n"
	"    MiB at 4 GiB; README.md): the result is a few MiB above what was measured.\n\n"
	"OPTIONS\n"
	"    --json          the terms and the result as JSON\n"
	"    --kernel K      the capture kernel (default /boot/vmlinuz-RELEASE)\n"
	"    --config FILE   kdump.conf (default /etc/kdump.conf; missing: the defaults)\n"
	"    --root DIR      read /proc, /sys, /boot, /etc under DIR\n\n"
	"EXIT STATUS\n    0 the reservation is big enough, 1 it is missing or too small (or an\n"
	"    error), 2 usage.\n\n"
	"EXAMPLES\n    kdump estimate\n    kdump crashkernel --set\n";

static int run_estimate(int argc, char **argv)
{
	struct est_args a;
	struct loader_sysinfo *si = NULL;
	struct conf *c = NULL;
	struct estimate e;
	struct kd_err err = { 0 };
	uint64_t have;
	char b[32];
	int rc = est_args(argc, argv, "estimate", help_estimate, false, &a);

	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	if (gather(&a, &si, &c, &e, &err) < 0) {
		loader_sysinfo_destroy(si);
		return kd_fail(&err);
	}
	have = reserved(si);
	if (a.json) {
		struct kd_json j;
		kd_json_init(&j, stdout);
		kd_json_begin_object(&j, NULL);
		kd_json_u64(&j, "ram_bytes", e.ram);
		kd_json_u64(&j, "capture_cpus", e.cpus);
		kd_json_string(&j, "target", conf_target_kind_name(c->target.kind));
		kd_json_string(&j, "kernel", e.kernel);
		kd_json_u64(&j, "init_size", e.init_size);
		kd_json_bool(&j, "init_size_measured", e.init_size_known);
		kd_json_u64(&j, "initramfs", e.initrd);
		kd_json_bool(&j, "initramfs_measured", e.initrd_known);
		kd_json_u64(&j, "runtime", e.runtime);
		kd_json_u64(&j, "per_gib_ram", e.per_gib);
		kd_json_u64(&j, "per_cpu", e.per_cpu);
		kd_json_u64(&j, "network", e.net);
		kd_json_u64(&j, "margin", e.margin);
		kd_json_u64(&j, "total", e.total);
		kd_json_u64(&j, "reserved", have);
		kd_json_bool(&j, "enough", have >= e.total);
		kd_json_end_object(&j);
		kd_json_finish(&j);
	} else {
		printf("machine:      %s of RAM, %zu possible CPUs, target %s\n",
		       kd_format_size(e.ram, b, sizeof(b)), si->n_possible,
		       conf_target_kind_name(c->target.kind));
		printf("  %-42s %6" PRIu64 " MiB  (%s)\n", "capture kernel init_size", e.init_size / MIB,
		       e.init_size_known ? e.kernel : "kernel not readable: Debian 6.1's value");
		printf("  %-42s %6" PRIu64 " MiB  (%s)\n", "capture initramfs x 3", e.initrd / MIB,
		       e.initrd_known ? e.initrd_path : "not built yet: 2 MiB assumed");
		printf("  %-42s %6" PRIu64 " MiB\n", "capture kernel run time", e.runtime / MIB);
		printf("  %-42s %6" PRIu64 " MiB\n", "RAM: 3 MiB per GiB", e.per_gib / MIB);
		printf("  %-42s %6" PRIu64 " MiB\n", "capture CPUs (nr_cpus=1): 2 MiB each",
		       e.per_cpu / MIB);
		if (e.net)
			printf("  %-42s %6" PRIu64 " MiB\n", "network target", e.net / MIB);
		printf("  %-42s %6" PRIu64 " MiB\n", "margin 10 %", e.margin / MIB);
		printf("crashkernel=%" PRIu64 "M\n", e.total / MIB);
		if (!have)
			printf("reserved now: none: `kdump crashkernel --set`, update-grub, reboot\n");
		else
			printf("reserved now: %" PRIu64 " MiB: %s\n", have / MIB,
			       have >= e.total ? "enough" : "TOO SMALL: `kdump crashkernel --set`");
	}
	rc = have >= e.total ? KD_EXIT_OK : KD_EXIT_FAIL;
	estimate_free(&e);
	conf_destroy(c);
	loader_sysinfo_destroy(si);
	return rc;
}

static const char help_crashkernel[] =
	"NAME\n    kdump crashkernel - show or set the crashkernel= kernel parameter\n\n"
	"SYNOPSIS\n    kdump crashkernel [--set] [--config FILE] [--root DIR]\n\n"
	"DESCRIPTION\n"
	"    Shows the crashkernel= of the running kernel, the reservation it gave, and the\n"
	"    value to use: crashkernel of kdump.conf when it is a size or ranges, else (unset or\n"
	"    \"auto\") `kdump estimate`'s. With --set, prints the GRUB drop-in it writes,\n"
	"    " GRUB_DROPIN ", then writes it; run update-grub and reboot\n"
	"    for it to take effect. Nothing is written without --set.\n\n"
	"OPTIONS\n"
	"    --set           write the drop-in\n"
	"    --config FILE   kdump.conf (default /etc/kdump.conf; missing: the defaults)\n"
	"    --root DIR      read and write under DIR\n\n"
	"EXIT STATUS\n    0 shown or written, 1 failure, 2 usage.\n\n"
	"EXAMPLES\n    kdump crashkernel\n    kdump crashkernel --set && update-grub\n";

static int run_crashkernel(int argc, char **argv)
{
	struct est_args a;
	struct loader_sysinfo *si = NULL;
	struct conf *c = NULL;
	struct estimate e;
	struct kd_err err = { 0 };
	_cleanup_free_ char *cmdline = NULL, *value = NULL, *text = NULL, *path = NULL, *dir = NULL;
	char current[128] = "";
	int rc = est_args(argc, argv, "crashkernel", help_crashkernel, true, &a);

	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	if (gather(&a, &si, &c, &e, &err) < 0) {
		loader_sysinfo_destroy(si);
		return kd_fail(&err);
	}
	if (kd_read_file_at(a.root, "/proc/cmdline", 65536, &cmdline, NULL, NULL) == 0)
		for (char *w = strtok(cmdline, " \t\n"); w; w = strtok(NULL, " \t\n"))
			if (strncmp(w, "crashkernel=", 12) == 0)
				snprintf(current, sizeof(current), "%s", w + 12);
	if (c->crashkernel && strcmp(c->crashkernel, "auto") != 0)
		value = kd_strdup(c->crashkernel);
	else
		value = kd_asprintf("%" PRIu64 "M", e.total / MIB);
	printf("running kernel: crashkernel=%s, %" PRIu64 " MiB reserved\n",
	       current[0] ? current : "(none)", reserved(si) / MIB);
	printf("to use:         crashkernel=%s (%s)\n", value ? value : "?",
	       c->crashkernel && strcmp(c->crashkernel, "auto") != 0 ? "crashkernel in kdump.conf"
								       : "kdump estimate");
	text = kd_asprintf("# Written by `kdump crashkernel --set`: the crash kernel reservation.\n"
			   "# Remove this file and run update-grub to undo.\n"
			   "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=%s\"\n",
			   value ? value : "");
	path = kd_path_at(a.root, GRUB_DROPIN);
	dir = kd_path_at(a.root, "/etc/default/grub.d");
	rc = KD_EXIT_OK;
	if (!text || !path || !dir) {
		rc = KD_EXIT_FAIL;
	} else if (!a.set) {
		printf("`kdump crashkernel --set` would write %s:\n%s", path, text);
	} else {
		_cleanup_free_ char *tmp = kd_asprintf("%s.tmp", path);
		_cleanup_close_ int fd = -1;
		printf("writing %s:\n%s", path, text);
		for (char *p = dir + 1; (p = strchr(p, '/')); p++) {
			*p = '\0';
			mkdir(dir, 0755);
			*p = '/';
		}
		mkdir(dir, 0755);
		fd = tmp ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
		if (fd < 0 || kd_write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0 ||
		    rename(tmp, path) < 0) {
			kd_err_sys(&err, -errno, "cannot write %s", path);
			rc = kd_fail(&err);
		} else {
			printf("now run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg) and "
			       "reboot\n");
		}
	}
	estimate_free(&e);
	conf_destroy(c);
	loader_sysinfo_destroy(si);
	return rc;
}

KD_COMMAND(estimate, .name = "estimate", .summary = "the crashkernel= this machine needs",
	   .order = 20, .run = run_estimate);
KD_COMMAND(crashkernel, .name = "crashkernel", .summary = "show or set crashkernel= (GRUB drop-in)",
	   .order = 21, .run = run_crashkernel);
