// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump savecore: a dump on a raw device becomes a dump file (kdump/service/savecore.c). */
#include "kdump/command.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"

#include <getopt.h>

static void help(void)
{
	printf("Usage: kdump savecore [--device DEV] [--config FILE] [--root DIR] [--dry-run]\n\n"
	       "Turn a flattened dump left on a raw device into <path>/<host>-<date-time>/vmcore.\n\n"
	       "Options:\n"
	       "      --device DEV    the raw device or an image of it, as given (default: the\n"
	       "                      raw target of kdump.conf)\n"
	       "      --config FILE   kdump.conf (default /etc/kdump.conf)\n"
	       "      --root DIR      read the config and write the dump under DIR\n"
	       "      --dry-run       say what would be saved; change nothing\n"
	       "  -h, --help          this help\n\n"
	       "Exit status: 0 saved or none, 1 failed (device untouched), 2 usage, 3 stream cut short.\n"
	       "See kdump(8).\n");
}

static int parse_argv(int argc, char **argv, struct kd_savecore_args *a)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' },
		{ "sysroot", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
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
		case 'd':
			a->device = optarg;
			break;
		case 'n':
			a->dry_run = true;
			break;
		case 'h':
			help();
			return -1;
		default:
			return kd_usage_error("savecore", "bad option");
		}
	}
	if (optind < argc)
		return kd_usage_error("savecore", "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int run_savecore(int argc, char **argv)
{
	struct kd_report report = kd_report_std();
	struct kd_savecore_args a = { .report = &report };
	struct kd_err err = { 0 };
	bool incomplete = false;
	int r = parse_argv(argc, argv, &a);

	if (r)
		return r < 0 ? KD_EXIT_OK : r;
	if (kd_savecore(&a, &incomplete, &err) < 0)
		return kd_fail(&err);
	return incomplete ? KD_EXIT_INCOMPLETE : KD_EXIT_OK;
}

KD_COMMAND(savecore, .name = "savecore", .summary = "a dump on a raw device -> a dump file",
	   .order = 7, .run = run_savecore);
