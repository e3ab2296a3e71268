// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump status: one screen (or one JSON object) of the plan kdump start would arm. */
#include "conf/conf.h"
#include "kdump/command.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"
#include "loader/loader.h"

#include <getopt.h>
#include <inttypes.h>

static void help(void)
{
	printf("Usage: kdump status [--json] [--config FILE] [--root DIR]\n\n"
	       "One screen: armed or not, the reservation, what start would load, where the dump\n"
	       "would go, the last dump.\n\n"
	       "Options:\n"
	       "      --json          the same as one JSON object\n"
	       "      --config FILE   kdump.conf (default /etc/kdump.conf)\n"
	       "      --root DIR      read /proc, /sys, /boot, /etc and the dumps under DIR\n"
	       "  -h, --help          this help\n\n"
	       "Exit status: 0 armed, 1 not armed or unknown, 2 usage error.\n"
	       "See kdump(8).\n");
}

static int parse_argv(int argc, char **argv, struct kd_svc_args *a, bool *json)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' },
		{ "sysroot", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			a->root = optarg;
			break;
		case 'c':
			a->config = optarg;
			break;
		case 'j':
			*json = true;
			break;
		case 'h':
			help();
			return -1;
		default:
			return kd_usage_error("status", "bad option");
		}
	}
	if (optind < argc)
		return kd_usage_error("status", "unexpected argument '%s'", argv[optind]);
	return 0;
}

static void print_json(const struct kd_status *s)
{
	const struct kd_plan *p = s->plan;
	const struct loader_sysinfo *si = p->si;
	const struct kd_dump *last = s->last;
	struct kd_json j;

	kd_json_init(&j, stdout);
	kd_json_begin_object(&j, NULL);
	kd_json_begin_array(&j, "reservation");
	for (size_t i = 0; i < si->n_crash; i++) {
		kd_json_begin_object(&j, NULL);
		kd_json_u64(&j, "start", si->crash[i].start);
		kd_json_u64(&j, "end", si->crash[i].end);
		kd_json_u64(&j, "bytes", si->crash[i].end - si->crash[i].start + 1);
		kd_json_end_object(&j);
	}
	kd_json_end_array(&j);
	if (si->crash_loaded < 0)
		kd_json_null(&j, "loaded");
	else
		kd_json_bool(&j, "loaded", si->crash_loaded == 1);
	kd_json_string(&j, "loaded_by", si->crash_loaded != 1 ? NULL
					 : s->armed_by_other ? s->armed_by : "kdump");
	kd_json_bool(&j, "crash_hotplug", s->crash_hotplug);
	kd_json_string(&j, "release", si->release);
	kd_json_string(&j, "kernel", p->kernel);
	kd_json_string(&j, "initramfs", p->initrd);
	kd_json_string(&j, "initramfs_state", kd_initrd_state_text(p->initrd_state));
	kd_json_string(&j, "cmdline", p->load ? p->load->cmdline : NULL);
	if (!p->load)
		kd_json_string(&j, "load_error",
			       p->load_err.msg[0] ? p->load_err.msg : "no reservation or kernel");
	kd_json_bool(&j, "config_valid", p->conf_ok);
	if (!p->conf_ok)
		kd_json_string(&j, "config_error", p->conf_err.msg);
	kd_json_string(&j, "target", p->target);
	kd_json_string(&j, "dump_dir", p->dump_dir);
	if (!p->dump_dir)
		kd_json_string(&j, "dump_dir_unknown", p->dump_dir_why);
	if (p->have_free)
		kd_json_u64(&j, "free_bytes", p->free_bytes);
	else
		kd_json_null(&j, "free_bytes");
	if (last) {
		kd_json_begin_object(&j, "last_dump");
		kd_json_string(&j, "name", last->name);
		kd_json_bool(&j, "complete", last->complete);
		kd_json_u64(&j, "bytes", last->bytes);
		kd_json_string(&j, "release", last->release);
		kd_json_string(&j, "crash_time", last->crash_time);
		kd_json_string(&j, "panic", last->panic);
		kd_json_end_object(&j);
	} else {
		kd_json_null(&j, "last_dump");
	}
	kd_json_u64(&j, "dumps", s->dumps.n);
	kd_json_end_object(&j);
	kd_json_finish(&j);
}

static void print_text(const struct kd_status *s)
{
	const struct kd_plan *p = s->plan;
	const struct loader_sysinfo *si = p->si;
	const struct kd_dump *last = s->last;
	char b1[32], b2[32];

	if (s->armed_by_other)
		printf("capture kernel:  loaded by %s, not by kdump (kdump start replaces it)\n",
		       s->armed_by);
	else
		printf("capture kernel:  %s%s\n",
		       si->crash_loaded == 1   ? "loaded (armed)"
		       : si->crash_loaded == 0 ? "NOT loaded (kdump start)"
					       : "unknown (no /sys/kernel/kexec_crash_loaded)",
		       s->crash_hotplug ? "; the kernel updates it on CPU/memory hotplug" : "");
	if (!si->n_crash)
		printf("reservation:     none (kdump estimate; kdump crashkernel --set)\n");
	for (size_t i = 0; i < si->n_crash; i++)
		printf("reservation:     %s at 0x%" PRIx64 "-0x%" PRIx64 "\n",
		       kd_format_size(si->crash[i].end - si->crash[i].start + 1, b1, sizeof(b1)),
		       si->crash[i].start, si->crash[i].end);
	printf("kernel:          %s\n", p->kernel ? p->kernel : "unknown release");
	printf("initramfs:       %s: %s\n", p->initrd ? p->initrd : "-",
	       kd_initrd_state_text(p->initrd_state));
	if (p->load)
		printf("command line:    %s\n", p->load->cmdline);
	else
		printf("would load:      nothing (%s)\n",
		       p->load_err.msg[0] ? p->load_err.msg : "no reservation or no kernel");
	if (p->conf_ok)
		printf("config:          %s: valid\n", p->conf->file);
	else if (p->conf_err.code == -ENOENT)
		printf("config:          none (%s; the defaults apply)\n", p->conf_err.msg);
	else
		printf("config:          INVALID: %s\n", p->conf_err.msg);
	printf("target:          %s\n", p->target);
	if (p->dump_dir)
		printf("dump directory:  %s, %s free\n", p->dump_dir,
		       p->have_free ? kd_format_size(p->free_bytes, b2, sizeof(b2)) : "?");
	else
		printf("dump directory:  unknown (%s)\n", p->dump_dir_why);
	if (last)
		printf("last dump:       %s: %s, %s, kernel %s, crashed %s%s%s (%zu dump(s))\n",
		       last->name, last->complete ? "complete" : "INCOMPLETE",
		       kd_format_size(last->bytes, b1, sizeof(b1)),
		       last->release[0] ? last->release : "?",
		       last->crash_time[0] ? last->crash_time : "?", last->panic[0] ? ": " : "",
		       last->panic, s->dumps.n);
	else
		printf("last dump:       none\n");
}

static int run_status(int argc, char **argv)
{
	struct kd_svc_args a = { 0 };
	struct kd_status *s = NULL;
	struct kd_err err = { 0 };
	bool json = false;
	int r = parse_argv(argc, argv, &a, &json);

	if (r)
		return r < 0 ? KD_EXIT_OK : r;
	if (kd_status_create(&a, &s, &err) < 0)
		return kd_fail(&err);
	if (json)
		print_json(s);
	else
		print_text(s);
	r = s->plan->si->crash_loaded == 1 ? KD_EXIT_OK : KD_EXIT_FAIL;
	kd_status_destroy(s);
	return r;
}

KD_COMMAND(status, .name = "status", .summary = "one screen: armed, reservation, target, last dump",
	   .order = 4, .run = run_status);
