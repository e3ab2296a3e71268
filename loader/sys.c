// SPDX-License-Identifier: GPL-2.0-or-later
/* The syscall seam: kexec_load, kexec_file_load, reboot(KEXEC); and loading a plan through it. */
#include "loader/loader.h"

#include <fcntl.h>
#include <inttypes.h>
#include <linux/reboot.h>
#include <sys/syscall.h>

#ifndef SYS_kexec_file_load
#define SYS_kexec_file_load 320
#endif

_Static_assert(sizeof(struct loader_kexec_segment) == 32, "struct kexec_segment is 32 bytes");

static int real_kexec_load(void *ctx, uint64_t entry, size_t nr,
			   const struct loader_kexec_segment *segs, unsigned long flags)
{
	if (syscall(SYS_kexec_load, (unsigned long)entry, (unsigned long)nr, segs, flags) < 0)
		return -errno;
	return 0;
}

static int real_kexec_file_load(void *ctx, int kernel_fd, int initrd_fd, size_t cmdline_len,
				const char *cmdline, unsigned long flags)
{
	if (syscall(SYS_kexec_file_load, kernel_fd, initrd_fd, (unsigned long)cmdline_len, cmdline,
		    flags) < 0)
		return -errno;
	return 0;
}

static int real_reboot_kexec(void *ctx)
{
	sync();
	if (syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC,
		    NULL) < 0)
		return -errno;
	return 0;
}

static const struct loader_sys real_sys = {
	.kexec_load = real_kexec_load,
	.kexec_file_load = real_kexec_file_load,
	.reboot_kexec = real_reboot_kexec,
};

const struct loader_sys *loader_sys_real(void)
{
	return &real_sys;
}

static const char *errno_hint(int rc)
{
	switch (rc) {
	case -EPERM:
		return " (needs root/CAP_SYS_BOOT; kernel.kexec_load_disabled must be 0; lockdown "
		       "or Secure Boot forbid kexec_load)";
	case -EBUSY:
		return " (another kexec load or unload is running; retry)";
	case -ENOSYS:
		return " (the kernel lacks CONFIG_KEXEC / CONFIG_KEXEC_FILE)";
	case -EADDRNOTAVAIL:
		return " (a segment is outside the crash reservation)";
	case -ENOMEM:
		return " (no room in the reservation for the kernel's page tables)";
	case -EKEYREJECTED:
	case -EBADMSG:
		return " (the kernel's signature was rejected: use a signed kernel)";
	default:
		return "";
	}
}

static int file_load(const struct loader_plan *plan, const struct loader_sys *sys,
		     struct kd_err *err)
{
	_cleanup_close_ int kfd = -1, ifd = -1;
	unsigned long flags = plan->mode == LOADER_MODE_CRASH ? LOADER_KEXEC_FILE_ON_CRASH : 0;
	int rc;

	kfd = open(plan->kernel_path, O_RDONLY | O_CLOEXEC);
	if (kfd < 0)
		return kd_err_sys(err, -errno, "cannot open %s", plan->kernel_path);
	if (plan->initrd_path) {
		ifd = open(plan->initrd_path, O_RDONLY | O_CLOEXEC);
		if (ifd < 0)
			return kd_err_sys(err, -errno, "cannot open %s", plan->initrd_path);
	} else {
		flags |= LOADER_KEXEC_FILE_NO_INITRAMFS;
	}
	rc = sys->kexec_file_load(sys->ctx, kfd, ifd, strlen(plan->user_cmdline) + 1,
				  plan->user_cmdline, flags);
	if (rc == -EPERM || rc == -EKEYREJECTED || rc == -EBADMSG)
		return kd_err_sys(err, rc,
				  "kexec_file_load(%s) refused it (under lockdown or Secure Boot the "
				  "kernel must carry a signature the running kernel trusts: use the "
				  "distribution's signed image, not an -unsigned one; or run as root)",
				  plan->kernel_path);
	if (rc < 0)
		return kd_err_sys(err, rc, "kexec_file_load(%s) failed%s", plan->kernel_path,
				  errno_hint(rc));
	return 0;
}

int loader_plan_file_load(const struct loader_plan *plan, const struct loader_sys *sys,
			  struct kd_err *err)
{
	return file_load(plan, sys, err);
}

int loader_plan_load(const struct loader_plan *plan, const struct loader_sys *sys,
		     enum loader_path *ret_path, struct kd_err *err)
{
	struct loader_kexec_segment segs[LOADER_MAX_SEGMENTS];
	struct kd_err ferr = { 0 };
	int rc, frc;

	rc = loader_plan_check(plan, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < plan->n_seg; i++)
		segs[i] = (struct loader_kexec_segment){ plan->seg[i].buf, plan->seg[i].bufsz,
							 plan->seg[i].mem, plan->seg[i].memsz };
	rc = sys->kexec_load(sys->ctx, plan->entry, plan->n_seg, segs, plan->flags);
	if (rc == 0) {
		*ret_path = LOADER_PATH_KEXEC_LOAD;
		return 0;
	}
	if (rc != -EPERM && rc != -EACCES)
		return kd_err_sys(err, rc, "kexec_load failed%s", errno_hint(rc));
	/* Refused (lockdown, Secure Boot, IMA): let the kernel build the image itself. */
	frc = file_load(plan, sys, &ferr);
	if (frc == 0) {
		*ret_path = LOADER_PATH_KEXEC_FILE_LOAD;
		return 0;
	}
	return kd_err_set(err, frc, "kexec_load refused (%s%s), and the kexec_file_load fallback "
				    "failed too: %s",
			  strerror(-rc), errno_hint(rc), ferr.msg);
}

int loader_unload(const struct loader_sys *sys, bool crash, struct kd_err *err)
{
	unsigned long flags = LOADER_KEXEC_ARCH_X86_64 | (crash ? LOADER_KEXEC_ON_CRASH : 0);
	int rc, frc;

	rc = sys->kexec_load(sys->ctx, 0, 0, NULL, flags);
	if (rc == 0)
		return 0;
	if (rc != -EPERM && rc != -EACCES)
		return kd_err_sys(err, rc, "kexec_load (unload) failed%s", errno_hint(rc));
	/* kexec_file_load's unload works under lockdown. */
	frc = sys->kexec_file_load(sys->ctx, -1, -1, 0, NULL,
				   LOADER_KEXEC_FILE_UNLOAD | (crash ? LOADER_KEXEC_FILE_ON_CRASH : 0));
	if (frc == 0)
		return 0;
	return kd_err_sys(err, frc, "cannot unload: kexec_load said %s%s; kexec_file_load",
			  strerror(-rc), errno_hint(rc));
}
