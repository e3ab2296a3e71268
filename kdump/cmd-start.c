// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump start|stop|restart: the service's arming and disarming (kdump/service/start.c). */
#include "kdump/command.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"

#include <getopt.h>

static void help(const char *cmd)
{
	if (strcmp(cmd, "stop") == 0) {
		printf("Usage: kdump stop [--dry-run]\n\n"
		       "Disarm the capture kernel (the service's stop).\n\n"
		       "Options:\n"
		       "      --dry-run       say what would be done\n"
		       "  -h, --help          this help\n\n"
		       "Exit status: 0 unloaded (or nothing was loaded), 1 failure, 2 usage error.\n"
		       "See kdump(8).\n");
		return;
	}
	printf("Usage: kdump %s [--config FILE] [--root DIR] [--kernel K] [--kdump BIN]\n"
	       "                [--module NAME]... [--rebuild] [--dry-run]\n"
	       "       kdump start --build-only [--release REL] [OPTIONS]\n\n"
	       "%s\n\n"
	       "Options:\n"
	       "      --config FILE   kdump.conf (default /etc/kdump.conf, under --root)\n"
	       "      --root DIR      a system tree to work on: /proc, /sys, /boot, /etc, /var\n"
	       "      --kernel K      the capture kernel (default /boot/vmlinuz-RELEASE)\n"
	       "      --kdump BIN     the static kdump binary for the initramfs (default: this one)\n"
	       "      --module NAME   a module for the target's disk; repeatable (at most %d)\n"
	       "      --rebuild       rebuild the initramfs whatever its stamp says\n"
	       "      --dry-run       build the initramfs if needed, then plan the load\n"
	       "      --build-only    only bring the capture initramfs up to date; load nothing\n"
	       "      --release REL   the kernel release to build for (default: the running one)\n"
	       "  -h, --help          this help\n\n"
	       "Exit status: 0 armed (or planned), 1 failure, 2 usage error.\n"
	       "See kdump(8).\n",
	       cmd,
	       strcmp(cmd, "start") == 0
		       ? "Check the config, save and report dumps, build the capture initramfs if\n"
			 "needed, arm the capture kernel."
		       : "Check the config, then stop and start (after editing kdump.conf).",
	       KD_SVC_MAX_MODULES);
}

/* Returns 0, -1 after --help, or a usage error's exit status. */
static int parse_argv(int argc, char **argv, const char *cmd, struct kd_svc_args *a)
{
	enum { OPT_ROOT = 256, OPT_CONFIG, OPT_KDUMP, OPT_KERNEL, OPT_MODULE, OPT_DRY, OPT_REBUILD,
	       OPT_BUILD_ONLY, OPT_RELEASE };
	static const struct option all[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "sysroot", required_argument, NULL, OPT_ROOT },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "kdump", required_argument, NULL, OPT_KDUMP },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "rebuild", no_argument, NULL, OPT_REBUILD },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "build-only", no_argument, NULL, OPT_BUILD_ONLY },
		{ "release", required_argument, NULL, OPT_RELEASE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const struct option stop[] = {
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", strcmp(cmd, "stop") == 0 ? stop : all, NULL)) !=
	       -1) {
		switch (c) {
		case OPT_ROOT:
			a->root = optarg;
			break;
		case OPT_CONFIG:
			a->config = optarg;
			break;
		case OPT_KDUMP:
			a->kdump = optarg;
			break;
		case OPT_KERNEL:
			a->kernel = optarg;
			break;
		case OPT_MODULE:
			if (a->n_modules >= KD_SVC_MAX_MODULES)
				return kd_usage_error(cmd, "at most %d --module", KD_SVC_MAX_MODULES);
			a->modules[a->n_modules++] = optarg;
			break;
		case OPT_REBUILD:
			a->rebuild = true;
			break;
		case OPT_DRY:
			a->dry_run = true;
			break;
		case OPT_BUILD_ONLY:
			a->build_only = true;
			break;
		case OPT_RELEASE:
			if (!optarg[0] || strchr(optarg, '/') || strlen(optarg) > 128)
				return kd_usage_error(cmd, "--release wants a kernel release such as "
						      "6.1.0-56-amd64");
			a->release = optarg;
			break;
		case 'h':
			help(cmd);
			return -1;
		default:
			return kd_usage_error(cmd, "bad option");
		}
	}
	if (optind < argc)
		return kd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if ((a->build_only || a->release) && strcmp(cmd, "start") != 0)
		return kd_usage_error(cmd, "--build-only and --release are start's options");
	if (a->release && !a->build_only)
		return kd_usage_error(cmd, "--release needs --build-only: only the running kernel's "
				      "capture kernel is armed");
	return 0;
}

static int run(int argc, char **argv, const char *cmd,
	       int (*fn)(const struct kd_svc_args *a, struct kd_err *err))
{
	struct kd_report report = kd_report_std();
	struct kd_svc_args a = { .report = &report };
	struct kd_err err = { 0 };
	int r = parse_argv(argc, argv, cmd, &a);

	if (r)
		return r < 0 ? KD_EXIT_OK : r;
	return fn(&a, &err) < 0 ? kd_fail(&err) : KD_EXIT_OK;
}

static int run_start(int argc, char **argv)
{
	return run(argc, argv, "start", kd_svc_start);
}

static int run_stop(int argc, char **argv)
{
	return run(argc, argv, "stop", kd_svc_stop);
}

static int run_restart(int argc, char **argv)
{
	return run(argc, argv, "restart", kd_svc_restart);
}

KD_COMMAND(start, .name = "start", .summary = "check the config, build the initramfs, arm",
	   .order = 1, .run = run_start);
KD_COMMAND(stop, .name = "stop", .summary = "disarm (the service's stop)", .order = 2,
	   .run = run_stop);
KD_COMMAND(restart, .name = "restart", .summary = "stop, then start", .order = 3,
	   .run = run_restart);
