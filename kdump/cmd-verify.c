// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump verify: check a dump against its SHA-256 manifest (DUMPFILE.sha256), or write one. */
#include "kdump/command.h"
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <getopt.h>
#include <inttypes.h>

static void help(FILE *f)
{
	fputs("Usage: kdump verify [-q] [-m MANIFEST] DUMPFILE\n"
	      "       kdump verify --write DUMPFILE\n\n"
	      "Check that a dump file is whole and unchanged against DUMPFILE.sha256.\n\n"
	      "Options:\n"
	      "  -m, --manifest FILE  read the manifest from FILE\n"
	      "  -w, --write          write DUMPFILE.sha256 instead of checking\n"
	      "  -q, --quiet          print nothing when the dump is fine\n"
	      "  -h, --help           this help\n\n"
	      "Exit status: 0 matches and complete, 1 differs or unreadable, 2 usage error,\n"
	      "3 matches but incomplete.\n"
	      "See kdump(8).\n",
	      f);
}

static int run_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "manifest", required_argument, NULL, 'm' },
		{ "write", no_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct kd_verify_args a = { 0 };
	struct kd_verify_result res;
	struct kd_err err = { 0 };
	bool quiet = false;
	int c;

	while ((c = getopt_long(argc, argv, "m:wqh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			a.manifest = optarg;
			break;
		case 'w':
			a.write = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			help(stdout);
			return KD_EXIT_OK;
		default:
			return kd_usage_error("verify", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return kd_usage_error("verify", "expected one DUMPFILE");
	a.dump = argv[optind];
	if (a.write && a.manifest)
		return kd_usage_error("verify", "--write always writes DUMPFILE.sha256");
	if (kd_verify_dump(&a, &res, &err) < 0)
		return kd_fail(&err);
	if (a.write) {
		if (!quiet)
			printf("%s: wrote %s.sha256\n", a.dump, a.dump);
		return KD_EXIT_OK;
	}
	if (res.incomplete) {
		kd_error("%s matches its manifest (%" PRIu64 " bytes, %" PRIu64 " blocks) but is "
			 "marked INCOMPLETE: the capture that wrote it did not finish", a.dump,
			 res.v.size, res.v.blocks_checked);
		return KD_EXIT_INCOMPLETE;
	}
	if (!quiet)
		printf("%s: OK (%s, %" PRIu64 " bytes, %" PRIu64 " blocks of 1 MiB match)\n", a.dump,
		       vmcore_format_name(res.format), res.v.size, res.v.blocks_checked);
	return KD_EXIT_OK;
}

KD_COMMAND(verify, .name = "verify", .summary = "check a dump against its SHA-256 manifest",
	   .order = 45, .run = run_verify);
