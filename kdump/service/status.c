// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump status: the plan, whether the kernel keeps the loaded one current, the last dump. */
#include "kdump/service/service.h"
#include "kdump/sys/sys.h"
#include "loader/loader.h"

void kd_status_destroy(struct kd_status *s)
{
	if (!s)
		return;
	kd_dumps_free(&s->dumps);
	kd_plan_destroy(s->plan);
	free(s);
}

int kd_status_create(const struct kd_svc_args *a, struct kd_status **ret, struct kd_err *err)
{
	struct kd_status *s = kd_calloc(1, sizeof(*s));
	_cleanup_free_ char *hotplug = NULL;
	int r;

	if (!s)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = kd_plan_create(a, KD_PLAN_STATUS, &s->plan, err);
	if (r < 0) {
		kd_status_destroy(s);
		return r;
	}
	if (kd_read_file_at(s->plan->host->root, "/sys/devices/system/cpu/crash_hotplug", 64,
			    &hotplug, NULL, NULL) == 0)
		s->crash_hotplug = hotplug[0] == '1';
	s->armed_by_other = kd_armed_by_other(s->plan->host->root, s->plan->si->crash_loaded,
					      s->armed_by, sizeof(s->armed_by));
	if (s->plan->dump_dir && kd_dumps_list(s->plan->dump_dir, &s->dumps, NULL) == 0 &&
	    s->dumps.n)
		s->last = &s->dumps.v[s->dumps.n - 1];
	*ret = s;
	return 0;
}
