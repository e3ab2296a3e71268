// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump info: what a crash dump holds (kernel, crash time, crashing CPU, panic), text or JSON. */
#include "kdump/command.h"
#include "kdump/dump/dump.h"

#include <getopt.h>

static void help(FILE *f)
{
	fputs("NAME\n"
	      "    kdump info - show what a crash dump holds\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    kdump info [--json] VMCORE|DUMPFILE\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Reads an ELF vmcore (/proc/vmcore or a copy) or a kdump-compressed dump file and\n"
	      "    shows: the format; the kernel release (OSRELEASE from VMCOREINFO, and the\n"
	      "    utsname the dead kernel kept in init_uts_ns); the crash time (CRASHTIME, also as\n"
	      "    a UTC date); the page size and the amount of RAM the dump describes; the number\n"
	      "    of CPUs (NT_PRSTATUS notes) and their pids; the CPU that crashed, with the 27\n"
	      "    registers it saved; the panic message from the kernel log; and for a dump file,\n"
	      "    its dump level, compression and whether it is incomplete.\n"
	      "\n"
	      "    The crashing CPU is the note whose pid is the PID on the log's task line of the\n"
	      "    crash (\"CPU: 0 PID: 235 Comm: sh ...\", printed by panic() and by oopses on the\n"
	      "    crashing CPU); without one, the first note with a non-zero pid saved in kernel\n"
	      "    mode (crash_kexec saves the crashing CPU's own registers), else note 0. The rule\n"
	      "    that decided is shown. Note numbers follow CPU order, but a CPU that did not\n"
	      "    answer the crash NMI has no note.\n"
	      "\n"
	      "    Text from the dump is untrusted: non-printable bytes are shown as \\xNN, and in\n"
	      "    JSON every string is escaped (bytes >= 0x80 as \\u00NN).\n"
	      "\n"
	      "OPTIONS\n"
	      "    --json      print one JSON object instead of text (registers and addresses as\n"
	      "                \"0x...\" strings, unknown values as null)\n"
	      "    -h, --help  show this help\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0  the information was shown (a part the dump lacks, such as a kernel log, is\n"
	      "       reported as unknown, with a warning on standard error)\n"
	      "    1  the dump could not be opened, or it has no VMCOREINFO (what could be read is\n"
	      "       still shown)\n"
	      "    2  bad command line\n"
	      "\n"
	      "EXAMPLES\n"
	      "    kdump info /var/crash/vmcore\n"
	      "    kdump info --json /var/crash/dumpfile | python3 -m json.tool\n",
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
