// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump init: /init of the capture initramfs (PID 1); elsewhere it checks a settings file. */
#include "kdump/command.h"
#include "kdump/init/init.h"
#include "conf/conf.h"

#include <getopt.h>

static void help(void)
{
	printf("Usage: /init                       (the capture kernel's PID 1)\n"
	       "       kdump init --check-config FILE\n\n"
	       "The capture initramfs's /init: capture /proc/vmcore to the target, then power "
	       "off.\n\n"
	       "Options:\n"
	       "      --check-config FILE  parse FILE as %s and print it back\n"
	       "  -h, --help               this help\n\n"
	       "Exit status: none as PID 1; else 0 valid, 1 invalid, 2 usage error.\n"
	       "See kdump(8).\n",
	       CONF_INIT_PATH);
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
		struct conf_init conf;
		struct kd_err err = { 0 };
		_cleanup_free_ char *text = NULL, *out = NULL;

		if (kd_read_file_at(NULL, check, 1 << 20, &text, NULL, &err) < 0 ||
		    conf_init_parse(text, check, &conf, &err) < 0)
			return kd_fail(&err);
		out = conf_init_format(&conf);
		if (!out)
			return KD_EXIT_FAIL;
		fputs(out, stdout);
	}
	return KD_EXIT_OK;
}

KD_COMMAND(init, .name = "init", .summary = "the capture initramfs's /init (PID 1)",
	   .order = 900, .run = run_init);
