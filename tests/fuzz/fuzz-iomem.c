// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: the /proc/iomem parser of the loader (ranges, nesting, crash kernel regions). */
#include "fuzz-util.h"
#include "loader/loader.h"

#define T "fuzz-iomem"

static void check_sorted(const struct loader_range *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fz_check(v[i].start <= v[i].end, T, "a range starts before it ends");
		fz_check(i == 0 || v[i - 1].start <= v[i].start, T, "ranges are sorted");
	}
	fz_check(n <= LOADER_MAX_RANGES, T, "ranges are capped");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loader_sysinfo si = { .root = (char *)"/" };
	struct kd_err err = { 0 };
	char *text = malloc(size + 1);
	int r;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	r = loader_parse_iomem(&si, text, "/fuzz/proc/iomem", &err);
	if (r < 0) {
		fz_check_err(&err, "/fuzz/proc/iomem", T);
	} else {
		check_sorted(si.ram, si.n_ram);
		check_sorted(si.iomem_mem, si.n_iomem_mem);
		check_sorted(si.crash, si.n_crash);
		fz_check(si.n_crash <= LOADER_MAX_CRASH_REGIONS, T, "crash regions are capped");
		fz_check(!si.have_crash_low || si.crash_low.end < (1ULL << 32), T,
			 "the low crash region is below 4 GiB");
	}
	free(si.ram);
	free(si.iomem_mem);
	free(text);
	return 0;
}
