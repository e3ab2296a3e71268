// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump list: the dumps found, their status and summary (kdump/service/list.c). */
#include "kdump/command.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"

#include <getopt.h>

static void help(void)
{
	printf("Usage: kdump list [--json] [--config FILE] [--root DIR]\n\n"
	       "The dumps under the dump directory, oldest first, with status and summary.\n\n"
	       "Options:\n"
	       "      --json          one JSON object with a \"dumps\" array\n"
	       "      --config FILE   kdump.conf (default /etc/kdump.conf)\n"
	       "      --root DIR      look under DIR\n"
	       "  -h, --help          this help\n\n"
	       "Exit status: 0 listed (even none), 1 the dump directory is unknown, 2 usage error.\n"
	       "See kdump(8).\n");
}

static int parse_argv(int argc, char **argv, const char **root, const char **config, bool *json)
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
			*root = optarg;
			break;
		case 'c':
			*config = optarg;
			break;
		case 'j':
			*json = true;
			break;
		case 'h':
			help();
			return -1;
		default:
			return kd_usage_error("list", "bad option");
		}
	}
	if (optind < argc)
		return kd_usage_error("list", "unexpected argument '%s'", argv[optind]);
	return 0;
}

static void print_json(const char *dir, const struct kd_dump_list *l)
{
	struct kd_json j;

	kd_json_init(&j, stdout);
	kd_json_begin_object(&j, NULL);
	kd_json_string(&j, "dir", dir);
	kd_json_begin_array(&j, "dumps");
	for (size_t i = 0; i < l->n; i++) {
		const struct kd_dump *d = &l->v[i];
		kd_json_begin_object(&j, NULL);
		kd_json_string(&j, "name", d->name);
		kd_json_string(&j, "status", d->complete ? "complete" : "incomplete");
		kd_json_string(&j, "file", d->file[0] ? d->file : NULL);
		kd_json_u64(&j, "bytes", d->bytes);
		kd_json_string(&j, "release", d->release[0] ? d->release : NULL);
		kd_json_string(&j, "crash_time", d->crash_time[0] ? d->crash_time : NULL);
		kd_json_string(&j, "panic", d->panic[0] ? d->panic : NULL);
		kd_json_end_object(&j);
	}
	kd_json_end_array(&j);
	kd_json_end_object(&j);
	kd_json_finish(&j);
}

static void print_text(const char *dir, const struct kd_dump_list *l)
{
	printf("%s: %zu dump(s)\n", dir, l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct kd_dump *d = &l->v[i];
		char sz[32];
		printf("  %-40s %-10s %10s  %-24s %-20s %s\n", d->name,
		       d->complete ? "complete" : "INCOMPLETE",
		       kd_format_size(d->bytes, sz, sizeof(sz)), d->release[0] ? d->release : "-",
		       d->crash_time[0] ? d->crash_time : "-", d->panic);
	}
}

static int run_list(int argc, char **argv)
{
	struct kd_report report = kd_report_std();
	const char *root = NULL, *config = NULL;
	_cleanup_free_ char *dir = NULL;
	struct kd_err err = { 0 };
	struct kd_dump_list l;
	bool json = false;
	int r = parse_argv(argc, argv, &root, &config, &json);

	if (r)
		return r < 0 ? KD_EXIT_OK : r;
	if (kd_svc_list(root, config, &report, &dir, &l, &err) < 0)
		return kd_fail(&err);
	if (json)
		print_json(dir, &l);
	else
		print_text(dir, &l);
	kd_dumps_free(&l);
	return KD_EXIT_OK;
}

KD_COMMAND(list, .name = "list", .summary = "the dumps found, status and summary", .order = 6,
	   .run = run_list);
