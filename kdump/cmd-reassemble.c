// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump reassemble: turn a flattened stream (capture -F, makedumpfile -F) into a dump file. */
#include "kdump/command.h"
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <getopt.h>
#include <inttypes.h>

static void help(void)
{
	printf("Usage: kdump reassemble [-f] [FLATFILE|-] DUMPFILE\n\n"
	       "Turn a flattened dump stream (capture -F, makedumpfile -F) back into a dump "
	       "file.\n\n"
	       "Options:\n"
	       "  -f, --force  overwrite DUMPFILE\n"
	       "  -h, --help   this help\n\n"
	       "Exit status: 0 success, 1 failure, 2 usage error, 3 stream cut short (dump "
	       "incomplete).\n"
	       "See kdump(8).\n");
}

static int run_reassemble(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct kd_reassemble_args a = { .input = "-" };
	struct kd_reassemble_result res;
	struct kd_err err = { 0 };
	int c, r;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a.force = true;
			break;
		case 'h':
			help();
			return KD_EXIT_OK;
		default:
			return kd_usage_error("reassemble", "unknown option");
		}
	}
	if (argc - optind == 2)
		a.input = argv[optind++];
	if (argc - optind != 1)
		return kd_usage_error("reassemble", "expected [FLATFILE|-] DUMPFILE");
	a.output = argv[optind];
	if (strcmp(a.input, "-") == 0 && isatty(STDIN_FILENO))
		return kd_usage_error("reassemble", "standard input is a terminal; give "
				      "FLATFILE or pipe the stream in");
	r = kd_reassemble(&a, &res, &err);
	if (r < 0) {
		kd_fail(&err);
		if (res.incomplete) {
			kd_error("%s is INCOMPLETE (marked so in its header)", a.output);
			return KD_EXIT_INCOMPLETE;
		}
		if (res.removed)
			kd_error("removed the partial %s", a.output);
		return KD_EXIT_FAIL;
	}
	fprintf(stderr, "kdump reassemble: %s: %s dump, %" PRIu64 " bytes%s\n", a.output,
		vmcore_format_name(res.format), res.size,
		res.incomplete ? " (marked INCOMPLETE by the capture)" : "");
	return res.incomplete ? KD_EXIT_INCOMPLETE : KD_EXIT_OK;
}

KD_COMMAND(reassemble, .name = "reassemble", .summary = "turn a flattened dump stream (-F) "
	   "into a dump file", .order = 25, .run = run_reassemble);
