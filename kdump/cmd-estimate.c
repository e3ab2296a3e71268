// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump estimate and kdump crashkernel: the reservation needed (kdump/service/estimate.c). */
#include "kdump/command.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"

#include <getopt.h>
#include <inttypes.h>

#define MIB ((uint64_t)1024 * 1024)

static void help(bool crashkernel)
{
	if (crashkernel)
		printf("Usage: kdump crashkernel [--set] [--config FILE] [--root DIR]\n\n"
		       "Show crashkernel= and the value to use; with --set, write it as a GRUB "
		       "drop-in.\n\n"
		       "Options:\n"
		       "      --set           write /etc/default/grub.d/kdump.cfg\n"
		       "      --config FILE   kdump.conf (default /etc/kdump.conf; missing: the "
		       "defaults)\n"
		       "      --root DIR      read and write under DIR\n"
		       "  -h, --help          this help\n\n"
		       "Exit status: 0 shown or written, 1 failure, 2 usage error.\n"
		       "See kdump(8).\n");
	else
		printf("Usage: kdump estimate [--json] [--kernel K] [--config FILE] [--root DIR]\n\n"
		       "The crashkernel= this machine needs, term by term, against the reservation.\n\n"
		       "Options:\n"
		       "      --json          the terms and the result as JSON\n"
		       "      --kernel K      the capture kernel (default /boot/vmlinuz-RELEASE)\n"
		       "      --config FILE   kdump.conf (default /etc/kdump.conf; missing: the "
		       "defaults)\n"
		       "      --root DIR      read /proc, /sys, /boot, /etc under DIR\n"
		       "  -h, --help          this help\n\n"
		       "Exit status: 0 reservation big enough, 1 missing or too small (or error), 2 usage.\n"
		       "See kdump(8).\n");
}

static int parse_argv(int argc, char **argv, bool crashkernel, struct kd_estimate_args *a,
		      bool *json, bool *set)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' }, { "sysroot", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' }, { "kernel", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },	    { "set", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },	    { 0 },
	};
	const char *cmd = crashkernel ? "crashkernel" : "estimate";
	int o;

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
			*json = true;
			break;
		case 's':
			if (!crashkernel)
				return kd_usage_error(cmd, "bad option");
			*set = true;
			break;
		case 'h':
			help(crashkernel);
			return -1;
		default:
			return kd_usage_error(cmd, "bad option");
		}
	}
	if (optind < argc)
		return kd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static void print_json(const struct kd_estimate *e)
{
	struct kd_json j;

	kd_json_init(&j, stdout);
	kd_json_begin_object(&j, NULL);
	kd_json_u64(&j, "ram_bytes", e->ram);
	kd_json_u64(&j, "capture_cpus", e->cpus);
	kd_json_string(&j, "target", e->target);
	kd_json_string(&j, "kernel", e->kernel);
	kd_json_u64(&j, "init_size", e->init_size);
	kd_json_bool(&j, "init_size_measured", e->init_size_known);
	kd_json_u64(&j, "initramfs", e->initrd);
	kd_json_bool(&j, "initramfs_measured", e->initrd_known);
	kd_json_u64(&j, "runtime", e->runtime);
	kd_json_u64(&j, "per_gib_ram", e->per_gib);
	kd_json_u64(&j, "per_cpu", e->per_cpu);
	kd_json_u64(&j, "network", e->net);
	kd_json_u64(&j, "margin", e->margin);
	kd_json_u64(&j, "total", e->total);
	kd_json_u64(&j, "reserved", e->reserved);
	kd_json_bool(&j, "enough", e->reserved >= e->total);
	kd_json_end_object(&j);
	kd_json_finish(&j);
}

static void print_text(const struct kd_estimate *e)
{
	char b[32];

	printf("machine:      %s of RAM, %zu possible CPUs, target %s\n",
	       kd_format_size(e->ram, b, sizeof(b)), e->n_possible, e->target);
	printf("  %-42s %6" PRIu64 " MiB  (%s)\n", "capture kernel init_size", e->init_size / MIB,
	       e->init_size_known ? e->kernel : "kernel not readable: Debian 6.1's value");
	printf("  %-42s %6" PRIu64 " MiB  (%s)\n", "capture initramfs x 3", e->initrd / MIB,
	       e->initrd_known ? e->initrd_path : "not built yet: 2 MiB assumed");
	printf("  %-42s %6" PRIu64 " MiB\n", "capture kernel run time", e->runtime / MIB);
	printf("  %-42s %6" PRIu64 " MiB\n", "RAM: 3 MiB per GiB", e->per_gib / MIB);
	printf("  %-42s %6" PRIu64 " MiB\n", "capture CPUs (nr_cpus=1): 2 MiB each",
	       e->per_cpu / MIB);
	if (e->net)
		printf("  %-42s %6" PRIu64 " MiB\n", "network target", e->net / MIB);
	printf("  %-42s %6" PRIu64 " MiB\n", "margin 10 %", e->margin / MIB);
	printf("crashkernel=%" PRIu64 "M\n", e->total / MIB);
	if (!e->reserved)
		printf("reserved now: none: `kdump crashkernel --set`, update-grub, reboot\n");
	else
		printf("reserved now: %" PRIu64 " MiB: %s\n", e->reserved / MIB,
		       e->reserved >= e->total ? "enough" : "TOO SMALL: `kdump crashkernel --set`");
}

static int run_estimate(int argc, char **argv)
{
	struct kd_report report = kd_report_std();
	struct kd_estimate_args a = { .report = &report };
	struct kd_estimate e;
	struct kd_err err = { 0 };
	bool json = false, set = false;
	int r = parse_argv(argc, argv, false, &a, &json, &set);

	if (r)
		return r < 0 ? KD_EXIT_OK : r;
	if (kd_estimate(&a, &e, &err) < 0)
		return kd_fail(&err);
	if (json)
		print_json(&e);
	else
		print_text(&e);
	r = e.reserved >= e.total ? KD_EXIT_OK : KD_EXIT_FAIL;
	kd_estimate_deinit(&e);
	return r;
}

static int run_crashkernel(int argc, char **argv)
{
	struct kd_report report = kd_report_std();
	struct kd_estimate_args a = { .report = &report };
	struct kd_err err = { 0 };
	bool json = false, set = false;
	int r = parse_argv(argc, argv, true, &a, &json, &set);

	if (r)
		return r < 0 ? KD_EXIT_OK : r;
	return kd_crashkernel(&a, set, &err) < 0 ? kd_fail(&err) : KD_EXIT_OK;
}

KD_COMMAND(estimate, .name = "estimate", .summary = "the crashkernel= this machine needs",
	   .order = 20, .run = run_estimate);
KD_COMMAND(crashkernel, .name = "crashkernel", .summary = "show or set crashkernel= (GRUB drop-in)",
	   .order = 21, .run = run_crashkernel);
