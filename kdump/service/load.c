// SPDX-License-Identifier: GPL-2.0-or-later
/* Loading and unloading kernels with libloader: kd_load, kd_unload, kd_kexec_exec. */
#include "kdump/frontend.h"
#include "kdump/service/service.h"
#include "loader/loader.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The kernel and initrd to load: given, else the running release's under the root. */
static int default_paths(const struct loader_sysinfo *si, const struct kd_load_args *a,
			 char **ret_kernel, char **ret_initrd, struct kd_err *err)
{
	char buf[512];

	if (a->kernel) {
		*ret_kernel = kd_strdup(a->kernel);
	} else {
		if (!si->release)
			return kd_err_set(err, -ENOENT,
					  "cannot tell the running kernel's release: pass --kernel");
		snprintf(buf, sizeof(buf), "/boot/vmlinuz-%s", si->release);
		*ret_kernel = kd_path_at(si->root, buf);
		if (*ret_kernel && !exists(*ret_kernel))
			return kd_err_set(err, -ENOENT, "no kernel %s: pass --kernel", *ret_kernel);
	}
	if (!*ret_kernel)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (a->initrd) {
		*ret_initrd = kd_strdup(a->initrd);
		if (!*ret_initrd)
			return kd_err_set(err, -ENOMEM, "out of memory");
	} else if (!a->no_initrd && si->release) {
		snprintf(buf, sizeof(buf), "/boot/initrd.img-%s", si->release);
		*ret_initrd = kd_path_at(si->root, buf);
		if (*ret_initrd && !exists(*ret_initrd)) {
			free(*ret_initrd);
			*ret_initrd = NULL;
		}
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

/* Test hook: one byte flipped after the digests were taken: the purgatory must refuse it. */
static int corrupt(struct loader_plan *plan, const char *kind, const struct kd_report *r,
		   struct kd_err *err)
{
	size_t i;

	for (i = 0; i < plan->n_seg; i++)
		if (strcmp(loader_seg_kind_name(plan->seg[i].kind), kind) == 0)
			break;
	if (i == plan->n_seg || plan->seg[i].kind == LOADER_SEG_PURGATORY)
		return kd_err_set(err, -EINVAL, "--test-corrupt-segment: no hashed segment '%s'",
				  kind);
	plan->seg[i].buf[plan->seg[i].bufsz / 2] ^= 0x01;
	kd_report_log(r, KD_LOG_WARN, "test: segment %s damaged after hashing; the purgatory must "
		      "refuse it", kind);
	return 0;
}

static void report_loaded(const struct loader_plan *plan, enum loader_path path,
			  const struct kd_load_args *a)
{
	const struct kd_report *r = a->report;
	const char *what = a->kexec ? "kernel" : "capture kernel";
	const struct loader_segment *last = &plan->seg[plan->n_seg - 1];

	if (path == LOADER_PATH_KEXEC_LOAD) {
		kd_report_printf(r, "kdump: %s %s loaded with kexec_load: %zu segments in 0x%" PRIx64
				 "-0x%" PRIx64 "%s, purgatory at 0x%" PRIx64 "\n", what,
				 plan->kernel_path, plan->n_seg, plan->seg[0].mem,
				 last->mem + last->memsz - 1, a->kexec ? "" : " (crash reservation)",
				 plan->entry);
		if (plan->kimg.unpacked)
			kd_report_printf(r, "kdump: its %s payload was unpacked here: it starts at "
					 "startup_64, with no decompression at boot\n",
					 plan->kimg.format);
		else
			kd_report_printf(r, "kdump: loaded as a bzImage: it decompresses itself at "
					 "boot (%s)\n", plan->unpack_note);
		return;
	}
	kd_report_printf(r, "kdump: %s; %s %s loaded with kexec_file_load: the kernel built the ELF "
			 "header and purgatory and checked the signature\n",
			 a->file_load ? "--kexec-file-load"
				      : "kexec_load was refused (lockdown or Secure Boot?)",
			 what, plan->kernel_path);
}

static int load(const struct kd_load_args *a, struct loader_sysinfo *si, struct kd_err *err)
{
	const struct loader_sys *sys = a->sys ? a->sys : loader_sys_real();
	_cleanup_free_ char *kernel = NULL, *initrd = NULL;
	struct loader_plan *plan = NULL;
	enum loader_path path = LOADER_PATH_KEXEC_LOAD;
	struct loader_opts o;
	int rc;

	if (!a->kexec && !si->have_crash_high && !si->iomem_zeroed)
		return kd_err_set(err, -ENOENT, "no crash kernel reservation (no \"Crash kernel\" "
				  "line in /proc/iomem): boot with crashkernel=256M on the kernel "
				  "command line and reboot");
	rc = default_paths(si, a, &kernel, &initrd, err);
	if (rc < 0)
		return rc;
	o = (struct loader_opts){
		.mode = a->kexec ? LOADER_MODE_KEXEC : LOADER_MODE_CRASH,
		.kernel_path = kernel,
		.initrd_path = initrd,
		.append = a->append,
		.reuse_cmdline = a->reuse_cmdline,
		.serial_port = (uint16_t)(a->serial_port < 0 ? 0
					  : a->serial_port ? a->serial_port : KD_SERIAL_PORT),
		.no_hotplug = a->no_hotplug,
		.no_unpack = a->no_unpack,
	};
	if (!a->append && !a->reuse_cmdline) {
		o.reuse_cmdline = true;
		o.append = a->kexec ? NULL : KD_CAPTURE_APPEND;
	}
	rc = loader_plan_create(si, &o, &plan, err);
	if (rc >= 0 && a->save_elfcorehdr) {
		const struct loader_segment *h = loader_plan_elfcorehdr(plan);
		rc = save_file(a->save_elfcorehdr, h->buf, h->bufsz, err);
	}
	if (rc >= 0 && a->corrupt_segment)
		rc = corrupt(plan, a->corrupt_segment, a->report, err);
	if (rc >= 0 && a->dry_run) {
		kd_report_printf(a->report, "kdump %s: dry run, nothing is loaded\n",
				 a->kexec ? "kexec load" : "load");
		if (kd_report_out(a->report))
			loader_plan_print(plan, si, kd_report_out(a->report));
	} else if (rc >= 0) {
		char who[128];
		if (!a->kexec && kd_armed_by_other(si->root, si->crash_loaded, who, sizeof(who)))
			kd_report_log(a->report, KD_LOG_WARN, "a capture kernel loaded by %s is "
				      "replaced by kdump's; disable that tool, or it loads its own "
				      "again at its next start", who);
		else if (!a->kexec && si->crash_loaded == 1)
			kd_report_log(a->report, KD_LOG_INFO, "replacing the capture kernel already "
				      "loaded");
		if (a->file_load) {
			rc = loader_plan_file_load(plan, sys, err);
			path = LOADER_PATH_KEXEC_FILE_LOAD;
		} else {
			rc = loader_plan_load(plan, sys, &path, err);
		}
		if (rc >= 0)
			report_loaded(plan, path, a);
		if (rc >= 0 && !a->kexec) {
			struct kd_err merr = { 0 };
			if (kd_armed_mark(si->root, plan->kernel_path, &merr) < 0)
				kd_report_log(a->report, KD_LOG_WARN, "%s (kdump status cannot tell "
					      "that kdump armed it)", merr.msg);
		}
	}
	loader_plan_destroy(plan);
	return rc;
}

int kd_load(const struct kd_load_args *a, struct kd_err *err)
{
	struct loader_sysinfo *si = NULL;
	int rc;

	if (a->kexec && !a->kernel)
		return kd_err_set(err, -EINVAL, "which kernel? give KERNEL");
	rc = loader_sysinfo_read(a->root, &si, err);
	if (rc >= 0)
		rc = load(a, si, err);
	loader_sysinfo_destroy(si);
	if (rc < 0 && err && !err->msg[0])
		kd_err_set(err, rc, "%s", strerror(-rc));
	return rc;
}

int kd_unload(bool kexec, const struct loader_sys *sys, const struct kd_report *r,
	      struct kd_err *err)
{
	int rc = loader_unload(sys ? sys : loader_sys_real(), !kexec, err);

	if (rc < 0)
		return rc;
	if (!kexec && !sys)
		kd_armed_clear(NULL);
	kd_report_printf(r, "kdump: %s unloaded\n", kexec ? "kexec kernel" : "capture kernel");
	return 0;
}

int kd_kexec_exec(const struct loader_sys *sys, struct kd_err *err)
{
	struct loader_sysinfo *si = NULL;
	int loaded, rc;

	rc = loader_sysinfo_read(NULL, &si, err);
	if (rc < 0)
		return rc;
	loaded = si->kexec_loaded;
	loader_sysinfo_destroy(si);
	if (loaded == 0)
		return kd_err_set(err, -EINVAL, "no kernel is loaded for kexec: run `kdump kexec "
				  "load KERNEL` first");
	if (!sys)
		sys = loader_sys_real();
	rc = sys->reboot_kexec(sys->ctx);
	return kd_err_sys(err, rc, "reboot(LINUX_REBOOT_CMD_KEXEC) failed");
}
