// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump load|unload|status and kdump kexec load|exec|unload: arming kernels with libloader. */
#include "kdump/command.h"
#include "loader/loader.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sys/stat.h>

#define DEFAULT_CAPTURE_APPEND "irqpoll nr_cpus=1 reset_devices"

struct load_args {
	const char *kernel, *initrd, *append, *sysroot, *save_hdr;
	bool reuse, dry_run, no_initrd, no_hotplug, file_load, no_unpack;
	long serial;
	const char *corrupt;	/* test hook: segment kind to damage after hashing */
};

static void help_load(FILE *f)
{
	fprintf(f,
		"NAME\n"
		"    kdump load - arm a capture kernel for the next panic\n\n"
		"SYNOPSIS\n"
		"    kdump load [--kernel K] [--initrd I | --no-initrd] [--append ARGS] [--reuse-cmdline]\n"
		"               [--dry-run] [--sysroot DIR] [--save-elfcorehdr FILE] [--serial-port PORT]\n"
		"               [--no-hotplug] [--no-unpack] [--kexec-file-load]\n\n"
		"DESCRIPTION\n"
		"    Loads kernel K into the crash kernel reservation (crashkernel= on the running\n"
		"    kernel's command line) with kexec_load(KEXEC_ON_CRASH), together with an ELF core\n"
		"    header describing this kernel's memory, a boot_params page with the capture\n"
		"    kernel's memory map and command line, and kdump's own purgatory, which checks the\n"
		"    SHA-256 of every segment at crash time and refuses to start a corrupted kernel.\n"
		"    If the kernel refuses kexec_load with EPERM/EACCES (lockdown, Secure Boot), kdump\n"
		"    falls back to kexec_file_load and says so; the kernel then builds the header.\n"
		"    The bzImage's compressed payload (gzip, xz or zstd) is unpacked here, at load\n"
		"    time: the capture kernel then starts at startup_64 without decompressing itself,\n"
		"    which saves its boot that time (2.3 s for Debian's xz kernel under QEMU TCG) and\n"
		"    the reservation the decompressor's room (init_size minus the vmlinux image).\n"
		"    A capture kernel already loaded is replaced.\n\n"
		"OPTIONS\n"
		"    --kernel K          bzImage to load (default: /boot/vmlinuz-RELEASE of the running\n"
		"                        kernel, under --sysroot)\n"
		"    --initrd I          initramfs (default: /boot/initrd.img-RELEASE if it exists)\n"
		"    --no-initrd         load no initramfs\n"
		"    --append ARGS       the capture kernel's command line (elfcorehdr= is added)\n"
		"    --reuse-cmdline     start from /proc/cmdline without BOOT_IMAGE= and crashkernel=;\n"
		"                        --append then adds to it. Neither option: --reuse-cmdline\n"
		"                        plus \"" DEFAULT_CAPTURE_APPEND "\"\n"
		"    --dry-run           print the full plan (segments, destinations, sizes, digests,\n"
		"                        ELF header, memory map, command line); make no syscall\n"
		"    --sysroot DIR       read /proc, /sys and /boot under DIR (tests, inspection)\n"
		"    --save-elfcorehdr FILE  also write the ELF core header to FILE\n"
		"    --serial-port PORT  8250 I/O port for the purgatory's messages (default 0x3f8,\n"
		"                        0 = silent)\n"
		"    --kexec-file-load   use kexec_file_load directly (the kernel builds the header and\n"
		"                        its own purgatory; needs a signed kernel under lockdown)\n"
		"    --no-unpack         load the bzImage as it is (it decompresses itself at boot)\n"
		"    --no-hotplug        on kernels with crash hotplug (/sys/kernel/crash_elfcorehdr_size),\n"
		"                        do not let the kernel update the ELF header after CPU or memory\n"
		"                        hotplug (then the header is digest-checked like the rest)\n"
		"    -h, --help          show this help\n\n"
		"EXIT STATUS\n"
		"    0 armed (or planned with --dry-run), 1 failure (nothing new is armed), 2 usage.\n\n"
		"EXAMPLES\n"
		"    kdump load --dry-run\n"
		"    kdump load --kernel /boot/vmlinuz-6.1.0-56-amd64 --append \"console=ttyS0 irqpoll\"\n");
}

static void help_kexec_load(FILE *f)
{
	fprintf(f,
		"NAME\n"
		"    kdump kexec load - stage a kernel for a fast reboot (kexec)\n\n"
		"SYNOPSIS\n"
		"    kdump kexec load KERNEL [--initrd I] [--append ARGS] [--reuse-cmdline] [--dry-run]\n"
		"                     [--sysroot DIR]\n\n"
		"DESCRIPTION\n"
		"    Loads KERNEL (a bzImage) as the kernel that `kdump kexec exec`, or `systemctl kexec`,\n"
		"    boots without going through the firmware. The new kernel gets the firmware memory\n"
		"    map (/sys/firmware/memmap). Without --append, the running command line is reused.\n\n"
		"OPTIONS\n"
		"    --initrd I, --append ARGS, --reuse-cmdline, --dry-run, --sysroot DIR, --no-unpack:\n"
		"    as in `kdump load --help`.\n\n"
		"EXIT STATUS\n"
		"    0 loaded, 1 failure, 2 usage.\n\n"
		"EXAMPLES\n"
		"    kdump kexec load /boot/vmlinuz-6.12.117+deb12-amd64 --initrd /boot/initrd.img-6.12.117+deb12-amd64 --reuse-cmdline\n"
		"    systemctl kexec\n");
}

static int parse_load_args(int argc, char **argv, bool crash, struct load_args *a)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "no-initrd", no_argument, NULL, 'N' },
		{ "append", required_argument, NULL, 'a' },
		{ "command-line", required_argument, NULL, 'a' },
		{ "reuse-cmdline", no_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
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
	const char *cmd = crash ? "load" : "kexec load";
	int c;

	*a = (struct load_args){ .serial = 0x3f8 };
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
			a->reuse = true;
			break;
		case 'n':
			a->dry_run = true;
			break;
		case 'R':
			a->sysroot = optarg;
			break;
		case 'S':
			if (!crash)
				return kd_usage_error(cmd, "--save-elfcorehdr is for `kdump load`");
			a->save_hdr = optarg;
			break;
		case 'P': {
			uint64_t v;
			if (kd_parse_u64(optarg, 0, &v) < 0 || v > 0xffff)
				return kd_usage_error(cmd, "bad --serial-port '%s'", optarg);
			a->serial = (long)v;
			break;
		}
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
			a->corrupt = optarg;
			break;
		case 'h':
			crash ? help_load(stdout) : help_kexec_load(stdout);
			return -1;
		default:
			return kd_usage_error(cmd, "bad option");
		}
	}
	if (!crash) {
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

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The default kernel and initrd of the running release, under the sysroot. */
static int default_paths(const struct loader_sysinfo *si, struct load_args *a, char **kfree,
			 char **ifree, struct kd_err *err)
{
	char buf[512];

	if (!a->kernel) {
		if (!si->release)
			return kd_err_set(err, -ENOENT,
					  "cannot tell the running kernel's release: pass --kernel");
		snprintf(buf, sizeof(buf), "/boot/vmlinuz-%s", si->release);
		*kfree = kd_path_at(si->root, buf);
		if (!*kfree)
			return -ENOMEM;
		if (!exists(*kfree))
			return kd_err_set(err, -ENOENT, "no kernel %s: pass --kernel", *kfree);
		a->kernel = *kfree;
	}
	if (!a->initrd && !a->no_initrd && si->release) {
		snprintf(buf, sizeof(buf), "/boot/initrd.img-%s", si->release);
		*ifree = kd_path_at(si->root, buf);
		if (*ifree && exists(*ifree))
			a->initrd = *ifree;
	}
	return 0;
}

static int save_file(const char *path, const void *buf, size_t len, struct kd_err *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc;

	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot create %s", path);
	rc = kd_write_all(fd, buf, len);
	if (rc < 0)
		return kd_err_sys(err, rc, "cannot write %s", path);
	return 0;
}

static int do_load(int argc, char **argv, bool crash)
{
	struct load_args a;
	struct loader_sysinfo *si = NULL;
	struct loader_plan *plan = NULL;
	_cleanup_free_ char *kfree = NULL, *ifree = NULL;
	struct kd_err err = { 0 };
	struct loader_opts o;
	enum loader_path path;
	int rc;

	rc = parse_load_args(argc, argv, crash, &a);
	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	rc = loader_sysinfo_read(a.sysroot, &si, &err);
	if (rc < 0)
		goto fail;
	if (crash && !si->have_crash_high && !si->iomem_zeroed) {
		rc = kd_err_set(&err, -ENOENT,
				"no crash kernel reservation (no \"Crash kernel\" line in /proc/iomem): "
				"boot with crashkernel=256M on the kernel command line and reboot");
		goto fail;
	}
	rc = default_paths(si, &a, &kfree, &ifree, &err);
	if (rc < 0)
		goto fail;
	o = (struct loader_opts){
		.mode = crash ? LOADER_MODE_CRASH : LOADER_MODE_KEXEC,
		.kernel_path = a.kernel,
		.initrd_path = a.initrd,
		.append = a.append,
		.reuse_cmdline = a.reuse,
		.serial_port = (uint16_t)a.serial,
		.no_hotplug = a.no_hotplug,
		.no_unpack = a.no_unpack,
	};
	if (!a.append && !a.reuse) {
		o.reuse_cmdline = true;
		o.append = crash ? DEFAULT_CAPTURE_APPEND : NULL;
	}
	rc = loader_plan_create(si, &o, &plan, &err);
	if (rc < 0)
		goto fail;
	if (a.save_hdr) {
		const struct loader_segment *h = loader_plan_elfcorehdr(plan);
		rc = save_file(a.save_hdr, h->buf, h->bufsz, &err);
		if (rc < 0)
			goto fail;
	}
	if (a.corrupt) {
		/* Flip one byte after the digests were computed: the purgatory must refuse to boot. */
		size_t i;
		for (i = 0; i < plan->n_seg; i++)
			if (strcmp(loader_seg_kind_name(plan->seg[i].kind), a.corrupt) == 0)
				break;
		if (i == plan->n_seg || plan->seg[i].kind == LOADER_SEG_PURGATORY) {
			rc = kd_err_set(&err, -EINVAL, "--test-corrupt-segment: no hashed segment '%s'",
					a.corrupt);
			goto fail;
		}
		plan->seg[i].buf[plan->seg[i].bufsz / 2] ^= 0x01;
		kd_warn("test: segment %s damaged after hashing; the purgatory must refuse it",
			a.corrupt);
	}
	if (a.dry_run) {
		printf("kdump %s: dry run, nothing is loaded\n", crash ? "load" : "kexec load");
		loader_plan_print(plan, si, stdout);
		goto out;
	}
	if (crash && si->crash_loaded == 1)
		kd_info("replacing the capture kernel already loaded");
	if (a.file_load) {
		rc = loader_plan_file_load(plan, loader_sys_real(), &err);
		path = LOADER_PATH_KEXEC_FILE_LOAD;
	} else {
		rc = loader_plan_load(plan, loader_sys_real(), &path, &err);
	}
	if (rc < 0)
		goto fail;
	if (path == LOADER_PATH_KEXEC_LOAD)
		printf("kdump: %s %s loaded with kexec_load: %zu segments in 0x%" PRIx64 "-0x%" PRIx64
		       "%s, purgatory at 0x%" PRIx64 "\n",
		       crash ? "capture kernel" : "kernel", plan->kernel_path, plan->n_seg,
		       plan->seg[0].mem, plan->seg[plan->n_seg - 1].mem + plan->seg[plan->n_seg - 1].memsz - 1,
		       crash ? " (crash reservation)" : "", plan->entry);
	if (path == LOADER_PATH_KEXEC_LOAD && plan->kimg.unpacked)
		printf("kdump: its %s payload was unpacked here: it starts at startup_64, with no "
		       "decompression at boot\n", plan->kimg.format);
	else if (path == LOADER_PATH_KEXEC_LOAD)
		printf("kdump: loaded as a bzImage: it decompresses itself at boot (%s)\n",
		       plan->unpack_note);
	if (path != LOADER_PATH_KEXEC_LOAD)
		printf("kdump: %s; %s %s loaded with kexec_file_load: the kernel built the ELF header "
		       "and purgatory and checked the signature\n",
		       a.file_load ? "--kexec-file-load" : "kexec_load was refused (lockdown or Secure Boot?)",
		       crash ? "capture kernel" : "kernel", plan->kernel_path);
out:
	loader_plan_destroy(plan);
	loader_sysinfo_destroy(si);
	return KD_EXIT_OK;
fail:
	loader_plan_destroy(plan);
	loader_sysinfo_destroy(si);
	if (!err.msg[0])
		kd_err_set(&err, rc, "%s", strerror(-rc));
	return kd_fail(&err);
}

static int run_load(int argc, char **argv)
{
	return do_load(argc, argv, true);
}

static int run_kexec_load(int argc, char **argv)
{
	return do_load(argc, argv, false);
}

static int simple_args(int argc, char **argv, const char *cmd, const char *help)
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

static int do_unload(int argc, char **argv, bool crash)
{
	static const char help_crash[] =
		"NAME\n    kdump unload - disarm the capture kernel\n\nSYNOPSIS\n    kdump unload\n\n"
		"DESCRIPTION\n    Unloads the crash kernel with kexec_load (kexec_file_load under lockdown).\n"
		"    A panic then reboots (or hangs) without a dump.\n\n"
		"EXIT STATUS\n    0 unloaded (or nothing was loaded), 1 failure, 2 usage.\n\n"
		"EXAMPLES\n    kdump unload && kdump status\n";
	static const char help_kexec[] =
		"NAME\n    kdump kexec unload - drop a kernel staged by `kdump kexec load`\n\n"
		"SYNOPSIS\n    kdump kexec unload\n\nDESCRIPTION\n    Unloads the kexec (reboot) image.\n\n"
		"EXIT STATUS\n    0 unloaded, 1 failure, 2 usage.\n\nEXAMPLES\n    kdump kexec unload\n";
	struct kd_err err = { 0 };
	int rc = simple_args(argc, argv, crash ? "unload" : "kexec unload", crash ? help_crash : help_kexec);

	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	if (loader_unload(loader_sys_real(), crash, &err) < 0)
		return kd_fail(&err);
	printf("kdump: %s unloaded\n", crash ? "capture kernel" : "kexec kernel");
	return KD_EXIT_OK;
}

static int run_unload(int argc, char **argv)
{
	return do_unload(argc, argv, true);
}

static int run_kexec_unload(int argc, char **argv)
{
	return do_unload(argc, argv, false);
}

static int run_kexec_exec(int argc, char **argv)
{
	static const char help[] =
		"NAME\n    kdump kexec exec - reboot now into the kernel staged by `kdump kexec load`\n\n"
		"SYNOPSIS\n    kdump kexec exec\n\nDESCRIPTION\n"
		"    Syncs file systems and calls reboot(LINUX_REBOOT_CMD_KEXEC). Services are NOT\n"
		"    stopped: prefer `systemctl kexec`, which shuts down cleanly and then does this.\n\n"
		"EXIT STATUS\n    does not return on success; 1 failure (nothing loaded, no permission).\n\n"
		"EXAMPLES\n    kdump kexec load /boot/vmlinuz-$(uname -r) --reuse-cmdline && systemctl kexec\n";
	struct loader_sysinfo *si = NULL;
	struct kd_err err = { 0 };
	int loaded, rc = simple_args(argc, argv, "kexec exec", help);

	if (rc)
		return rc < 0 ? KD_EXIT_OK : rc;
	if (loader_sysinfo_read(NULL, &si, &err) < 0)
		return kd_fail(&err);
	loaded = si->kexec_loaded;
	loader_sysinfo_destroy(si);
	if (loaded == 0) {
		kd_err_set(&err, -EINVAL, "no kernel is loaded for kexec: run `kdump kexec load KERNEL` first");
		return kd_fail(&err);
	}
	rc = loader_sys_real()->reboot_kexec(NULL);
	kd_err_sys(&err, rc, "reboot(LINUX_REBOOT_CMD_KEXEC) failed");
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
