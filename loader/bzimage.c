// SPDX-License-Identifier: GPL-2.0-or-later
/* bzImage parsing: the setup header of Documentation/arch/x86/boot.rst, and its checks. */
#include "loader/loader.h"

#define XLF_KERNEL_64 (1 << 0)
#define XLF_CAN_BE_LOADED_ABOVE_4G (1 << 1)
#define LOADED_HIGH (1 << 0)

int loader_bzimage_parse(const uint8_t *d, size_t size, const char *name,
			 struct loader_bzimage *ret, struct kd_err *err)
{
	struct loader_bzimage bz = { .data = d, .size = size };
	size_t kv;

	if (size < 1024 || memcmp(d + 0x202, "HdrS", 4) != 0 || kd_le16(d + 0x1fe) != 0xaa55)
		return kd_err_set(err, -ENOEXEC,
				  "%s: not a bzImage (no \"HdrS\" setup header at 0x202); pass the "
				  "kernel image, e.g. /boot/vmlinuz-$(uname -r), not vmlinux or a "
				  "compressed copy",
				  name);
	bz.version = kd_le16(d + 0x206);
	if (bz.version < 0x020c)
		return kd_err_set(err, -ENOEXEC,
				  "%s: boot protocol %u.%02u is too old: the 64-bit entry needs "
				  "2.12 or later (Linux 3.8+)",
				  name, bz.version >> 8, bz.version & 0xff);
	bz.setup_sects = d[0x1f1] ? d[0x1f1] : 4;
	bz.setup_size = (bz.setup_sects + 1) * 512;
	bz.header_end = 0x202 + d[0x201];
	bz.loadflags = d[0x211];
	bz.xloadflags = kd_le16(d + 0x236);
	bz.kernel_alignment = kd_le32(d + 0x230);
	bz.relocatable = d[0x234];
	bz.cmdline_size = kd_le32(d + 0x238);
	bz.pref_address = kd_le64(d + 0x258);
	bz.init_size = kd_le32(d + 0x260);

	if (bz.setup_size >= size)
		return kd_err_set(err, -ENOEXEC,
				  "%s: truncated: %zu bytes, but the setup code alone is %zu", name,
				  size, bz.setup_size);
	if (bz.header_end > 0x280 || bz.header_end < 0x26c)
		return kd_err_set(err, -ENOEXEC, "%s: setup header end 0x%zx is implausible", name,
				  bz.header_end);
	if (!(bz.loadflags & LOADED_HIGH))
		return kd_err_set(err, -ENOEXEC,
				  "%s: not loaded high (loadflags 0x%x): a zImage, not a bzImage",
				  name, bz.loadflags);
	if ((bz.xloadflags & (XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G)) !=
	    (XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G))
		return kd_err_set(err, -ENOEXEC,
				  "%s: no 64-bit entry point (xloadflags 0x%x lacks KERNEL_64 and "
				  "CAN_BE_LOADED_ABOVE_4G): use a 64-bit x86_64 kernel",
				  name, bz.xloadflags);
	if (!bz.relocatable)
		return kd_err_set(err, -ENOEXEC,
				  "%s: not relocatable: a capture kernel must run in the reservation "
				  "(build it with CONFIG_RELOCATABLE=y)",
				  name);
	if (bz.kernel_alignment == 0 || (bz.kernel_alignment & (bz.kernel_alignment - 1)) ||
	    bz.kernel_alignment > (1u << 30))
		return kd_err_set(err, -ENOEXEC, "%s: bad kernel_alignment 0x%x", name,
				  bz.kernel_alignment);
	if (bz.init_size < size - bz.setup_size)
		return kd_err_set(err, -ENOEXEC,
				  "%s: init_size 0x%x is smaller than the payload 0x%zx", name,
				  bz.init_size, size - bz.setup_size);
	if (bz.cmdline_size == 0)
		bz.cmdline_size = 255;
	kv = kd_le16(d + 0x20e);
	if (kv && kv + 0x200 < size) {
		size_t i, off = kv + 0x200;
		for (i = 0; i + 1 < sizeof(bz.kernel_version) && off + i < size && d[off + i] &&
			    d[off + i] >= 0x20 && d[off + i] < 0x7f;
		     i++)
			bz.kernel_version[i] = (char)d[off + i];
		bz.kernel_version[i] = '\0';
	}
	*ret = bz;
	return 0;
}
