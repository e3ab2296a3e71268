// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump.conf as the service commands load it: under the root, its diagnostics reported. */
#include "conf/conf.h"
#include "kdump/frontend.h"
#include "kdump/service/service.h"

int kd_svc_conf(const char *root, const char *config, const struct kd_report *r,
		struct conf **ret, struct kd_err *err)
{
	struct conf_diags diags = { 0 };
	const char *file = config ? config : CONF_DEFAULT_FILE;
	int rc = conf_load(root, file, ret, &diags, err);

	for (size_t i = 0; i < diags.n; i++)
		if (!diags.v[i].error || rc < 0)
			kd_report_log(r, diags.v[i].error ? KD_LOG_ERR : KD_LOG_WARN, "%s",
				      diags.v[i].msg);
	if (rc < 0 && diags.n_errors > 1)
		kd_err_set(err, rc, "%zu errors in %s: fix them and run `kdump config check`",
			   diags.n_errors, file);
	conf_diags_deinit(&diags);
	return rc;
}
