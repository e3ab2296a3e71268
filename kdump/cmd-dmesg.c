// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump dmesg: write the dead kernel's log from a vmcore or dump file, as makedumpfile does. */
#include "kdump/command.h"
#include "kdump/dump/dump.h"

#include <getopt.h>
#include <inttypes.h>
#include <sys/stat.h>

static void help(FILE *f)
{
	fputs("Usage: kdump dmesg [-f] [--caller] [-v] VMCORE|DUMPFILE [OUTFILE]\n\n"
	      "Write the kernel log of a crash dump, as makedumpfile --dump-dmesg does.\n\n"
	      "Options:\n"
	      "  -f, --force    overwrite OUTFILE\n"
	      "      --caller   add the caller column (thread id or CPU number)\n"
	      "  -v, --verbose  report the records written and left out\n"
	      "  -h, --help     this help\n\n"
	      "Exit status: 0 written, 1 failure, 2 usage error or OUTFILE exists.\n"
	      "See kdump(8).\n",
	      f);
}

static int run_dmesg(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "caller", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct kd_dmesg_args a = { .out_fd = STDOUT_FILENO };
	struct vmcore_log_stats st = { 0 };
	struct kd_err err = { 0 };
	bool verbose = false;
	struct stat sb;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+fvh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a.force = true;
			break;
		case 'C':
			a.flags |= VMCORE_DMESG_CALLER;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			help(stdout);
			return KD_EXIT_OK;
		default:
			return kd_usage_error("dmesg", "bad option");
		}
	}
	if (argc - optind < 1)
		return kd_usage_error("dmesg", "missing VMCORE or DUMPFILE");
	if (argc - optind > 2)
		return kd_usage_error("dmesg", "too many arguments (VMCORE|DUMPFILE [OUTFILE])");
	a.input = argv[optind];
	if (argc - optind == 2 && strcmp(argv[optind + 1], "-") != 0)
		a.output = argv[optind + 1];
	if (a.output && !a.force && lstat(a.output, &sb) == 0)
		return kd_usage_error("dmesg", "%s exists; use -f to overwrite it", a.output);

	r = kd_dmesg(&a, &st, &err);
	if (st.invalid)
		kd_warn("%s: %" PRIu64 " log record(s) did not validate and were left out "
			"(first: %s)", a.input, st.invalid, st.warning);
	else if (st.warning[0])
		kd_warn("%s: %s", a.input, st.warning);
	if (verbose && st.kind)
		kd_info("%s: %s log: %" PRIu64 " records written, %" PRIu64 " slots skipped "
			"(free, in progress or empty), %" PRIu64 " truncated, %" PRIu64 " invalid",
			a.input, st.kind == VMCORE_LOG_LEGACY ? "log_buf" : "printk ring buffer",
			st.records, st.skipped, st.truncated, st.invalid);
	if (r < 0)
		return r == -EEXIST ? kd_usage_error("dmesg", "%s exists; use -f to overwrite it",
						     a.output)
				    : kd_fail(&err);
	return KD_EXIT_OK;
}

KD_COMMAND(dmesg, .name = "dmesg", .summary = "write the kernel log of a crash dump",
	   .order = 30, .run = run_dmesg);
