// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: the dump manifest parser (DUMPFILE.sha256), with a format/parse round trip. */
#include "fuzz-util.h"
#include "kdump/dump/dump.h"

#define T "fuzz-manifest"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kd_manifest m, again;
	struct kd_err err = { 0 };
	char *text;
	size_t len;
	int r;

	r = kd_manifest_parse((const char *)data, size, "fuzz.sha256", &m, &err);
	if (r < 0) {
		fz_check_err(&err, "fuzz.sha256", T);
		return 0;
	}
	fz_check(m.nr_blocks == KD_DIV_ROUND_UP(m.size, (uint64_t)m.block_size), T,
		 "one digest per block");
	fz_check(memchr(m.name, 0, sizeof(m.name)) != NULL, T, "the name is terminated");
	/* What parses formats back to text that parses to the same manifest. */
	if (!strchr(m.name, '\n')) {
		fz_check(kd_manifest_format(&m, &text, &len) == 0, T, "format");
		r = kd_manifest_parse(text, len, "again.sha256", &again, &err);
		fz_check(r == 0, T, "a formatted manifest parses");
		fz_check(again.size == m.size && again.block_size == m.block_size &&
				 memcmp(again.sha256, m.sha256, 32) == 0 &&
				 (!m.nr_blocks || memcmp(again.blocks, m.blocks, m.nr_blocks * 32) == 0),
			 T, "and is the same");
		kd_manifest_deinit(&again);
		free(text);
	}
	kd_manifest_deinit(&m);
	return 0;
}
