// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump dmesg: write the dead kernel's log from a vmcore or dump file, as makedumpfile does. */
#include "kdump/command.h"
#include "kdump/dump/dump.h"

#include <getopt.h>
#include <inttypes.h>
#include <sys/stat.h>

static void help(FILE *f)
{
	fputs("NAME\n"
	      "    kdump dmesg - write the kernel log of a crash dump\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    kdump dmesg [-f] [--caller] [-v] VMCORE|DUMPFILE [OUTFILE]\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Reads the log of the kernel that crashed from an ELF vmcore (/proc/vmcore or a\n"
	      "    copy) or a kdump-compressed dump file, and writes it to OUTFILE, or to standard\n"
	      "    output without one. The log is found through the dump's VMCOREINFO alone (no\n"
	      "    vmlinux needed): the lockless printk ring buffer of Linux 5.10 and later, or the\n"
	      "    log_buf records of Linux 3.5 to 5.9.\n"
	      "\n"
	      "    The output is that of `makedumpfile --dump-dmesg`, byte for byte: one line per\n"
	      "    record, \"[seconds.microseconds] text\", continuation lines indented to the text\n"
	      "    column. Bytes that are neither printable ASCII nor white space are written as\n"
	      "    \\xNN (makedumpfile writes bytes of 0x80 and above as \\xffffffNN instead).\n"
	      "    Records are not merged or reordered; records the dead kernel was still writing,\n"
	      "    and empty lines, are left out as makedumpfile does.\n"
	      "\n"
	      "    Everything read from the dump is checked. A record that does not validate is\n"
	      "    left out with a warning on standard error; the rest of the log is still written.\n"
	      "    An existing OUTFILE is not overwritten without -f; OUTFILE is written under a\n"
	      "    temporary name and renamed into place, so it is never left half written.\n"
	      "\n"
	      "OPTIONS\n"
	      "    -f, --force     overwrite OUTFILE if it exists\n"
	      "        --caller    add the caller column of makedumpfile 1.7.5 and later,\n"
	      "                    \"[    T123] \" (thread id) or \"[      C1] \" (CPU number), when\n"
	      "                    the kernel records it (Linux 5.1+ with CONFIG_PRINTK_CALLER, and\n"
	      "                    every 5.10+ kernel)\n"
	      "    -v, --verbose   report the number of records written and left out\n"
	      "    -h, --help      show this help\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0  the log was written (warnings, if any, name records left out)\n"
	      "    1  the log could not be read or written (the message says why)\n"
	      "    2  bad command line, or OUTFILE exists and -f was not given\n"
	      "\n"
	      "EXAMPLES\n"
	      "    kdump dmesg /var/crash/vmcore | less\n"
	      "    kdump dmesg /var/crash/dumpfile dmesg.txt\n"
	      "    kdump dmesg --caller -f /proc/vmcore /var/crash/dmesg.txt\n",
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
