// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump info: what a crash dump holds (kernel, crash time, crashing CPU, panic), text or JSON. */
#include "kdump/command.h"
#include "kdump/dump/dump.h"

#include <getopt.h>

static void help(FILE *f)
{
	fputs("Usage: kdump info [--json] VMCORE|DUMPFILE\n\n"
	      "Show what a crash dump holds: kernel, crash time, CPUs, registers, panic.\n\n"
	      "Options:\n"
	      "      --json  one JSON object instead of text\n"
	      "  -h, --help  this help\n\n"
	      "Exit status: 0 shown, 1 unreadable or no VMCOREINFO, 2 usage error.\n"
	      "See kdump(8).\n",
	      f);
}

static int run_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct kd_summary *s = NULL;
	struct kd_err err = { 0 };
	const char *w;
	bool json = false;
	int c, r, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			help(stdout);
			return KD_EXIT_OK;
		default:
			return kd_usage_error("info", "bad option");
		}
	}
	if (argc - optind != 1)
		return kd_usage_error("info", argc - optind ? "one dump at a time" :
				      "missing VMCORE or DUMPFILE");
	if (kd_summary_create(argv[optind], &s, &err) < 0)
		return kd_fail(&err);
	r = kd_summary_write(s, json ? KD_SUMMARY_JSON : KD_SUMMARY_TEXT, stdout);
	for (size_t i = 0; (w = kd_summary_warning(s, i)); i++)
		kd_warn("%s", w);
	status = kd_summary_has_vmcoreinfo(s) ? KD_EXIT_OK : KD_EXIT_FAIL;
	kd_summary_destroy(s);
	if (r < 0) {
		kd_error("cannot write to standard output: %s", strerror(-r));
		return KD_EXIT_FAIL;
	}
	return status;
}

KD_COMMAND(info, .name = "info", .summary = "show what a crash dump holds", .order = 31,
	   .run = run_info);
