// SPDX-License-Identifier: GPL-2.0-or-later
/* Reader of kdump-compressed (diskdump) files. */
#include "vmcore/internal.h"

static bool kdump_probe(const uint8_t *head, size_t len)
{
	return len >= 8 && memcmp(head, "KDUMP   ", 8) == 0;
}

static int kdump_open(struct vmcore *vc, struct kd_err *err)
{
	return kd_err_set(err, -EOPNOTSUPP, "%s: reading kdump-compressed files is not built yet",
			  vc->path);
}

static int kdump_read_pfn(struct vmcore *vc, uint64_t pfn, void *buf, struct kd_err *err)
{
	(void)vc, (void)pfn, (void)buf;
	return kd_err_set(err, -EOPNOTSUPP, "not built yet");
}

const struct vmcore_format_ops vmcore_kdump_ops = {
	.name = "kdump-compressed",
	.format = VMCORE_FORMAT_KDUMP,
	.probe = kdump_probe,
	.open = kdump_open,
	.read_pfn = kdump_read_pfn,
};
