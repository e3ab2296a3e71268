// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump init: /init of the capture initramfs (PID 1 in the capture kernel); elsewhere it only
 * checks a settings file. */
#include "kdump/command.h"
#include "kdump/init/init.h"
#include "kdump/initconf.h"

#include <getopt.h>

static void help(void)
{
	printf("NAME\n"
	       "    kdump init - the capture initramfs's /init\n\n"
	       "SYNOPSIS\n"
	       "    /init                  (run by the capture kernel as PID 1)\n"
	       "    kdump init --check-config FILE\n\n"
	       "DESCRIPTION\n"
	       "    As PID 1 of the capture kernel (the initramfs built by `kdump initramfs`),\n"
	       "    mounts /proc, /sys and /dev, loads the modules listed in %s\n"
	       "    with finit_module(2), waits for the target device, then captures /proc/vmcore:\n"
	       "    to <path>/<host>-<date-time>/vmcore on a local filesystem (with dmesg.txt,\n"
	       "    info.txt, info.json and a .incomplete marker removed when the dump is\n"
	       "    complete), or as a flattened stream onto a raw device; over ssh, a\n"
	       "    flattened stream (vmcore.flat with its manifest vmcore.flat.sha256), or onto\n"
	       "    NFS. With verify=yes, or auto on ssh and nfs, the dump is read back from the\n"
	       "    target and checked against its SHA-256 manifest before .incomplete goes; a\n"
	       "    mismatch runs the failure action. Finally powers off,\n"
	       "    reboots or halts.\n"
	       "    Outside PID 1 it only checks a settings file.\n\n"
	       "OPTIONS\n"
	       "    --check-config FILE  parse FILE as init.conf and print it back\n"
	       "    -h, --help           this help\n\n"
	       "EXIT STATUS\n"
	       "    As PID 1 it never returns. Otherwise 0 valid, 1 invalid, 2 usage error.\n",
	       KD_INITCONF_PATH);
}

static int run_init(int argc, char **argv)
{
	static const struct option opts[] = { { "check-config", required_argument, NULL, 'c' },
					      { "help", no_argument, NULL, 'h' },
					      {} };
	const char *check = NULL;
	int o;

	if (getpid() == 1)
		kd_init_run();
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			check = optarg;
			break;
		case 'h':
			help();
			return KD_EXIT_OK;
		default:
			return kd_usage_error("init", "unknown option");
		}
	}
	if (!check)
		return kd_usage_error("init", "not PID 1: only --check-config FILE is possible");
	{
		struct kd_initconf conf;
		struct kd_err err = { 0 };
		_cleanup_free_ char *text = NULL, *out = NULL;

		if (kd_read_file_at(NULL, check, 1 << 20, &text, NULL, &err) < 0 ||
		    kd_initconf_parse(text, check, &conf, &err) < 0)
			return kd_fail(&err);
		out = kd_initconf_format(&conf);
		if (!out)
			return KD_EXIT_FAIL;
		fputs(out, stdout);
	}
	return KD_EXIT_OK;
}

KD_COMMAND(init, .name = "init", .summary = "the capture initramfs's /init (PID 1)",
	   .order = 900, .run = run_init);
