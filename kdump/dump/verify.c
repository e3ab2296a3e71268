// SPDX-License-Identifier: GPL-2.0-or-later
/* A dump checked against its manifest and opened to say whether it is complete. */
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

int kd_verify_dump(const struct kd_verify_args *a, struct kd_verify_result *ret,
		   struct kd_err *err)
{
	struct kd_verify_result res = { 0 };
	struct vmcore *vc = NULL;
	struct kd_err e = { 0 };
	int r;

	if (a->write) {
		r = kd_manifest_write(a->dump, err);
		if (r < 0)
			return r;
		*ret = res;
		return 0;
	}
	r = kd_manifest_verify(a->dump, a->manifest, &res.v, err);
	if (r < 0)
		return r;
	/* The bytes are as written: say what they are. */
	r = vmcore_open(a->dump, &vc, &e);
	if (r < 0)
		return kd_err_set(err, r, "%s matches its manifest but does not open as a dump: %s",
				  a->dump, e.msg);
	res.format = vmcore_format(vc);
	res.incomplete = vmcore_dumpinfo(vc)->incomplete;
	vmcore_close(vc);
	*ret = res;
	return 0;
}
