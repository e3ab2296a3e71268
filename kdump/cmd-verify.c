// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump verify: check a dump against its SHA-256 manifest (DUMPFILE.sha256), or write one. */
#include "kdump/command.h"
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <getopt.h>
#include <inttypes.h>

static void help(FILE *f)
{
	fputs("NAME\n"
	      "    kdump verify - check that a dump file is whole and unchanged\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    kdump verify [-q] [-m MANIFEST] DUMPFILE\n"
	      "    kdump verify --write DUMPFILE\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    kdump capture writes next to each dump a manifest, DUMPFILE.sha256: the SHA-256\n"
	      "    of the whole file (the line `sha256sum DUMPFILE` prints, so `sha256sum -c`\n"
	      "    can check it too) and of each 1 MiB block. kdump verify reads the dump again\n"
	      "    and compares: if a block differs (a bad disk, a copy cut short, a bit flipped\n"
	      "    in transit), it names the first bad block and its byte range, and how many\n"
	      "    blocks differ.\n"
	      "\n"
	      "    It then opens the dump and reports its format and whether the capture that\n"
	      "    wrote it finished: a dump marked incomplete (kdump-compressed status flag 0x8,\n"
	      "    ELF e_flags bit 0) holds only part of the memory even when its bytes match.\n"
	      "\n"
	      "    The manifest format is described in kdump/dump/dump.h: a first line\n"
	      "    \"SHA256  NAME\", then \"# kdump-manifest 1\", \"# size BYTES\",\n"
	      "    \"# block-size BYTES\" and one \"# block INDEX SHA256\" line per block.\n"
	      "\n"
	      "OPTIONS\n"
	      "    -m, --manifest FILE  read the manifest from FILE (default: DUMPFILE.sha256)\n"
	      "    -w, --write          write DUMPFILE.sha256 for an existing dump (one made by\n"
	      "                         another tool, or copied) instead of checking\n"
	      "    -q, --quiet          print nothing when the dump is fine\n"
	      "    -h, --help           show this help\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0  the dump matches its manifest and is complete (or --write succeeded)\n"
	      "    1  the dump differs from its manifest, or a file cannot be read\n"
	      "    2  bad command line\n"
	      "    3  the dump matches its manifest but is marked incomplete\n"
	      "\n"
	      "EXAMPLES\n"
	      "    kdump verify /var/crash/127.0.0.1-2026-11-25-09:00/vmcore\n"
	      "    scp host:/var/crash/dump* . && kdump verify dump\n"
	      "    kdump verify --write vmcore.makedumpfile\n",
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
