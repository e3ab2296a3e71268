// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump load|unload and kdump kexec load|exec|unload: arming kernels (kdump/service/load.c). */
#include "kdump/command.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"

#include <getopt.h>

static void help_load(void)
{
	printf("Usage: kdump load [--kernel K] [--initrd I | --no-initrd] [--append ARGS] [OPTIONS]\n\n"
	       "Arm a capture kernel for the next panic (kexec_load, kdump's purgatory).\n\n"
	       "Options:\n"
	       "      --kernel K              bzImage to load (default /boot/vmlinuz-RELEASE)\n"
	       "      --initrd I              initramfs (default /boot/initrd.img-RELEASE if any)\n"
	       "      --no-initrd             load no initramfs\n"
	       "      --append ARGS           the capture kernel's command line\n"
	       "      --reuse-cmdline         start from /proc/cmdline; --append adds to it\n"
	       "      --dry-run               print the whole plan; load nothing\n"
	       "      --root DIR              read /proc, /sys and /boot under DIR (or --sysroot)\n"
	       "      --save-elfcorehdr FILE  also write the ELF core header to FILE\n"
	       "      --serial-port PORT      the purgatory's 8250 port (default 0x3f8, 0: silent)\n"
	       "      --kexec-file-load       use kexec_file_load (the kernel builds the header)\n"
	       "      --no-unpack             load the bzImage as it is\n"
	       "      --no-hotplug            the kernel may not rewrite the header on hotplug\n"
	       "  -h, --help                  this help\n\n"
	       "Exit status: 0 armed (or planned), 1 failure (nothing new is armed), 2 usage error.\n"
	       "See kdump(8).\n");
}

static void help_kexec_load(void)
{
	printf("Usage: kdump kexec load KERNEL [--initrd I | --no-initrd] [--append ARGS] [OPTIONS]\n\n"
	       "Stage KERNEL for a reboot without the firmware (kdump kexec exec, systemctl kexec).\n\n"
	       "Options:\n"
	       "      --initrd I              initramfs (default /boot/initrd.img-RELEASE if any)\n"
	       "      --no-initrd             load no initramfs\n"
	       "      --append ARGS           the new kernel's command line (default: this one's)\n"
	       "      --reuse-cmdline         start from /proc/cmdline; --append adds to it\n"
	       "      --dry-run               print the whole plan; load nothing\n"
	       "      --root DIR              read /proc, /sys and /boot under DIR (or --sysroot)\n"
	       "      --serial-port PORT      the purgatory's 8250 port (default 0x3f8, 0: silent)\n"
	       "      --kexec-file-load       use kexec_file_load\n"
	       "      --no-unpack             load the bzImage as it is\n"
	       "  -h, --help                  this help\n\n"
	       "Exit status: 0 loaded, 1 failure, 2 usage error.\n"
	       "See kdump(8).\n");
}

static int parse_load(int argc, char **argv, bool kexec, struct kd_load_args *a)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "no-initrd", no_argument, NULL, 'N' },
		{ "append", required_argument, NULL, 'a' },
		{ "command-line", required_argument, NULL, 'a' },
		{ "reuse-cmdline", no_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "root", required_argument, NULL, 'R' },
		{ "sysroot", required_argument, NULL, 'R' },
		{ "save-elfcorehdr", required_argument, NULL, 'S' },
		{ "serial-port", required_argument, NULL, 'P' },
		{ "no-unpack", no_argument, NULL, 'U' },
		{ "no-hotplug", no_argument, NULL, 'H' },
		{ "kexec-file-load", no_argument, NULL, 'F' },
		/* Undocumented test hook for the VM harness: proves the purgatory refuses. */
		{ "test-corrupt-segment", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *cmd = kexec ? "kexec load" : "load";
	uint64_t v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			a->kernel = optarg;
			break;
		case 'i':
			a->initrd = optarg;
			break;
		case 'N':
			a->no_initrd = true;
			break;
		case 'a':
			a->append = optarg;
			break;
		case 'r':
			a->reuse_cmdline = true;
			break;
		case 'n':
			a->dry_run = true;
			break;
		case 'R':
			a->root = optarg;
			break;
		case 'S':
			if (kexec)
				return kd_usage_error(cmd, "--save-elfcorehdr is for `kdump load`");
			a->save_elfcorehdr = optarg;
			break;
		case 'P':
			if (kd_parse_u64(optarg, 0, &v) < 0 || v > 0xffff)
				return kd_usage_error(cmd, "bad --serial-port '%s'", optarg);
			a->serial_port = v ? (int)v : -1;
			break;
		case 'H':
			a->no_hotplug = true;
			break;
		case 'F':
			a->file_load = true;
			break;
		case 'U':
			a->no_unpack = true;
			break;
		case 'C':
			a->corrupt_segment = optarg;
			break;
		case 'h':
			kexec ? help_kexec_load() : help_load();
			return -1;
		default:
			return kd_usage_error(cmd, "bad option");
		}
	}
	if (kexec) {
		if (optind < argc && !a->kernel)
			a->kernel = argv[optind++];
		if (!a->kernel)
			return kd_usage_error(cmd, "which kernel? give KERNEL");
	}
	if (optind < argc)
		return kd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (a->no_initrd && a->initrd)
		return kd_usage_error(cmd, "--initrd and --no-initrd exclude each other");
	return 0;
}

static int run(int argc, char **argv, bool kexec)
{
	struct kd_report report = kd_report_std();
	struct kd_load_args a = { .kexec = kexec, .report = &report };
	struct kd_err err = { 0 };
	int r = parse_load(argc, argv, kexec, &a);

	if (r)
		return r < 0 ? KD_EXIT_OK : r;
	return kd_load(&a, &err) < 0 ? kd_fail(&err) : KD_EXIT_OK;
}

static int run_load(int argc, char **argv)
{
	return run(argc, argv, false);
}

static int run_kexec_load(int argc, char **argv)
{
	return run(argc, argv, true);
}

/* The commands without options: --help only. Returns 0, -1 after --help, or a usage error. */
static int parse_none(int argc, char **argv, const char *cmd, const char *help)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return -1;
		}
		return kd_usage_error(cmd, "bad option");
	}
	if (optind < argc)
		return kd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int unload(int argc, char **argv, bool kexec)
{
	static const char help_unload[] =
		"Usage: kdump unload\n\nDisarm the capture kernel: a panic then reboots without a "
		"dump.\n\nExit status: 0 unloaded (or nothing was loaded), 1 failure, 2 usage error.\n"
		"See kdump(8).\n";
	static const char help_kexec[] =
		"Usage: kdump kexec unload\n\nDrop the kernel staged by `kdump kexec load`.\n\n"
		"Exit status: 0 unloaded, 1 failure, 2 usage error.\nSee kdump(8).\n";
	struct kd_report report = kd_report_std();
	struct kd_err err = { 0 };
	int r = parse_none(argc, argv, kexec ? "kexec unload" : "unload",
			   kexec ? help_kexec : help_unload);

	if (r)
		return r < 0 ? KD_EXIT_OK : r;
	return kd_unload(kexec, NULL, &report, &err) < 0 ? kd_fail(&err) : KD_EXIT_OK;
}

static int run_unload(int argc, char **argv)
{
	return unload(argc, argv, false);
}

static int run_kexec_unload(int argc, char **argv)
{
	return unload(argc, argv, true);
}

static int run_kexec_exec(int argc, char **argv)
{
	static const char help[] =
		"Usage: kdump kexec exec\n\nReboot now into the kernel staged by `kdump kexec load` "
		"(services are not\nstopped: prefer `systemctl kexec`).\n\n"
		"Exit status: does not return on success; 1 failure, 2 usage error.\nSee kdump(8).\n";
	struct kd_err err = { 0 };
	int r = parse_none(argc, argv, "kexec exec", help);

	if (r)
		return r < 0 ? KD_EXIT_OK : r;
	kd_kexec_exec(NULL, &err);
	return kd_fail(&err);
}

KD_COMMAND(load, .name = "load", .summary = "arm a capture kernel (kexec_load, our purgatory)",
	   .order = 10, .run = run_load);
KD_COMMAND(unload, .name = "unload", .summary = "disarm the capture kernel", .order = 11,
	   .run = run_unload);
KD_COMMAND(kexec_load, .name = "kexec load", .summary = "stage a kernel for kexec reboot",
	   .order = 13, .run = run_kexec_load);
KD_COMMAND(kexec_exec, .name = "kexec exec", .summary = "reboot into the staged kernel now",
	   .order = 14, .run = run_kexec_exec);
KD_COMMAND(kexec_unload, .name = "kexec unload", .summary = "drop the staged kexec kernel",
	   .order = 15, .run = run_kexec_unload);
