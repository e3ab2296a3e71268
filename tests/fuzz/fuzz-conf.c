// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: the kdump.conf parser, with a render/re-parse round trip on valid input. */
#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-conf: invariant broken: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_diags diags = { 0 };
	struct kd_err err = { 0 };
	struct conf *c = NULL, *c2 = NULL;
	char *text = NULL, *again = NULL;
	int r;

	r = conf_parse((const char *)data, size, "fuzz.conf", &c, &diags, &err);
	check(diags.n <= CONF_MAX_DIAGS, "diagnostics are capped");
	for (size_t i = 0; i < diags.n; i++)
		check(strncmp(diags.v[i].msg, "fuzz.conf", 9) == 0, "messages name the file");
	if (r < 0) {
		check(r == -EINVAL && !c, "a failed parse returns -EINVAL and no config");
		check(diags.n_errors > 0 && err.msg[0], "a failed parse says why");
		conf_diags_deinit(&diags);
		return 0;
	}
	check(diags.n_errors == 0, "a valid config has no errors");
	check(c->path && c->path[0] == '/', "path is absolute");
	check(c->collector.dump_level <= 31, "dump level in range");
	check(c->final_action != CONF_ACTION_SHELL && c->final_action != CONF_ACTION_DUMP_TO_ROOTFS,
	      "final_action is reboot, halt or poweroff");
	check(!(c->force_rebuild && c->force_no_rebuild), "force_* exclusive");
	/* The effective configuration parses back to itself. */
	check(conf_render(c, &text) == 0, "render");
	r = conf_parse(text, strlen(text), "fuzz.conf", &c2, NULL, &err);
	if (r < 0)
		fprintf(stderr, "re-parse failed: %s\n--- rendered:\n%s", err.msg, text);
	check(r == 0, "the rendered config parses");
	check(conf_render(c2, &again) == 0, "render again");
	if (strcmp(text, again) != 0)
		fprintf(stderr, "--- first:\n%s--- second:\n%s", text, again);
	check(strcmp(text, again) == 0, "render(parse(render(x))) == render(x)");
	free(text);
	free(again);
	conf_destroy(c);
	conf_destroy(c2);
	conf_diags_deinit(&diags);
	return 0;
}
