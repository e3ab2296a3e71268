// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump test: crash this machine now, to prove a dump is written (kdump/service/test.c). */
#include "kdump/command.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"

#include <getopt.h>

static void help(void)
{
	printf("Usage: kdump test [--yes] [--root DIR]\n\n"
	       "Crash this machine now (sysrq-c) once a capture kernel is loaded: EVERYTHING\n"
	       "RUNNING IS LOST.\n\n"
	       "Options:\n"
	       "  -y, --yes           do not ask\n"
	       "      --root DIR      use DIR's /sys and /proc (tests: the trigger is a plain file)\n"
	       "  -h, --help          this help\n\n"
	       "Exit status: does not return on success; 1 refused or failed, 2 usage error.\n"
	       "See kdump(8).\n");
}

/* On a terminal, "yes" typed; elsewhere --yes is needed. */
static int confirm(const char *host, struct kd_err *err)
{
	char line[16] = "";

	if (!isatty(STDIN_FILENO))
		return kd_err_set(err, -EPERM, "not on a terminal: pass --yes to crash %s", host);
	fprintf(stderr, "kdump test: this crashes %s NOW (sysrq-c); everything running is "
		"lost.\nType yes to go on: ", host);
	if (!fgets(line, sizeof(line), stdin) || strcmp(line, "yes\n") != 0)
		return -ECANCELED;
	return 0;
}

static int parse_argv(int argc, char **argv, struct kd_test_args *a)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' },
		{ "sysroot", required_argument, NULL, 'R' },
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hy", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			a->root = optarg;
			break;
		case 'y':
			a->confirm = NULL;
			break;
		case 'h':
			help();
			return -1;
		default:
			return kd_usage_error("test", "bad option");
		}
	}
	if (optind < argc)
		return kd_usage_error("test", "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int run_test(int argc, char **argv)
{
	struct kd_report report = kd_report_std();
	struct kd_test_args a = { .confirm = confirm, .report = &report };
	struct kd_err err = { 0 };
	int r = parse_argv(argc, argv, &a);

	if (r)
		return r < 0 ? KD_EXIT_OK : r;
	r = kd_svc_test(&a, &err);
	if (r == -ECANCELED) {
		fprintf(stderr, "kdump test: not confirmed; nothing done\n");
		return KD_EXIT_FAIL;
	}
	return r < 0 ? kd_fail(&err) : KD_EXIT_OK;
}

KD_COMMAND(test, .name = "test", .summary = "crash this machine now (asks first)", .order = 5,
	   .run = run_test);
