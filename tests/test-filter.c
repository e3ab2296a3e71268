// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the page filter: makedumpfile parity on the fixtures, generated mem_maps, hostile data. */
#include "testutil.h"
#include "vmgen.h"
#include "vmcore/vmcore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fixtures[] = { "x86_64-6.1-1G", "x86_64-6.12-1G" };

static bool bit(const uint8_t *bm, uint64_t i)
{
	return (bm[i >> 3] >> (i & 7)) & 1;
}

/* Runs f over [0, n) in windows of w pfns (w a multiple of 8); returns a malloc'd bitmap. */
static uint8_t *filter_all(struct vmcore_filter *f, uint64_t n, uint64_t w)
{
	uint8_t *bm = calloc(1, (size_t)(n / 8 + 2));
	struct kd_err err = { 0 };

	assert_non_null(bm);
	for (uint64_t s = 0; s < n; s += w)
		assert_int_equal(vmcore_filter_window(f, s, KD_MIN(s + w, n), bm + s / 8, &err), 0);
	return bm;
}

/* The filter's bitmap of a whole dump at a level (windows of w pfns), with its stats. */
static uint8_t *level_bitmap(struct vmcore *vc, unsigned level, uint64_t w,
			     struct vmcore_filter_stats *ret_stats, const char **ret_warning)
{
	struct vmcore_filter *f;
	struct kd_err err = { 0 };
	const char *warning = NULL;
	uint8_t *bm;

	assert_int_equal(vmcore_filter_create(vc, level, &f, &warning, &err), 0);
	bm = filter_all(f, vmcore_max_pfn(vc), w);
	if (ret_stats)
		*ret_stats = *vmcore_filter_stats(f);
	if (ret_warning)
		*ret_warning = warning ? strdup(warning) : NULL;
	vmcore_filter_destroy(f);
	return bm;
}

/* One "    Free pages              : 0x..." line of a makedumpfile log, or -1. */
static int64_t log_count(const char *log, const char *label)
{
	const char *p = strstr(log, label);

	if (!p || !(p = strchr(p, ':')))
		return -1;
	return (int64_t)strtoull(p + 1, NULL, 16);
}

struct mdf_log {
	int64_t zero, cache, cache_private, user, free, hwpoison, offline;
};

static struct mdf_log read_log(const char *fx, unsigned level)
{
	char name[64];
	char *log;
	struct mdf_log m;

	snprintf(name, sizeof(name), "makedumpfile-d%u.log", level);
	log = (char *)tu_read_file(tu_fixture_file(fx, name), NULL);
	m.zero = log_count(log, "Pages filled with zero");
	m.cache = log_count(log, "Non-private cache pages");
	m.cache_private = log_count(log, "    Private cache pages");
	m.user = log_count(log, "User process data pages");
	m.free = log_count(log, "Free pages");
	m.hwpoison = log_count(log, "Hwpoison pages");
	m.offline = log_count(log, "Offline pages");
	free(log);
	return m;
}

static struct vmcore *open_fixture(const char *fx)
{
	const char *path = tu_fixture_vmcore(fx);
	struct kd_err err = { 0 };
	struct vmcore *vc;

	if (!path) {
		char why[128];
		snprintf(why, sizeof(why), "fixture %s not decompressed (make fixtures)", fx);
		tu_skip_or_fail(why);
	}
	assert_int_equal(vmcore_open(path, &vc, &err), 0);
	return vc;
}

/*
 * Every level with a reference bitmap: ours must equal makedumpfile's bit for bit, and the
 * per-class counts must equal its log lines. Both fixtures' references are makedumpfile
 * 1.7.8's (see their READMEs); level 1 equals level 0 in bitmap2 (zero pages are excluded by
 * content, by the writer).
 */
static void check_fixture(const char *fx)
{
	static const unsigned levels[] = { 0, 1, 2, 4, 8, 16, 31 };
	struct vmcore *vc = open_fixture(fx);
	uint64_t n = vmcore_max_pfn(vc);

	print_message("%s: per-class pages, ours / makedumpfile 1.7.8 (its log)\n", fx);
	print_message("  level   kept          cache          private      user          free"
		      "           hwpoison  offline\n");
	for (size_t i = 0; i < KD_ARRAY_SIZE(levels); i++) {
		unsigned lvl = levels[i];
		struct vmcore_filter_stats st;
		struct mdf_log m = read_log(fx, lvl);
		const char *warning;
		char name[64];
		size_t len;
		uint8_t *ref, *ours = level_bitmap(vc, lvl, 65536, &st, &warning);
		uint64_t diff = 0, refcount = 0, first = UINT64_MAX;

		snprintf(name, sizeof(name), "bitmap-d%u.bin", lvl);
		ref = tu_read_file(tu_fixture_file(fx, name), &len);
		assert_true(len * 8 >= n);
		for (uint64_t pfn = 0; pfn < (uint64_t)len * 8; pfn++) {
			bool r = bit(ref, pfn), o = pfn < n && bit(ours, pfn);
			refcount += r;
			if (r != o && !diff++)
				first = pfn;
		}
		print_message("  -d %-3u %6" PRIu64 "/%-6" PRIu64 " %6" PRIu64 "/%-6" PRId64
			      " %5" PRIu64 "/%-5" PRId64 " %6" PRIu64 "/%-6" PRId64 " %6" PRIu64
			      "/%-6" PRId64 " %3" PRIu64 "/%-3" PRId64 " %3" PRIu64 "/%-3" PRId64
			      "%s%s\n", lvl, st.kept, refcount, st.cache, m.cache, st.cache_private,
			      m.cache_private, st.user, m.user, st.free, m.free, st.hwpoison,
			      m.hwpoison, st.offline, m.offline, warning ? "  warning: " : "",
			      warning ? warning : "");
		if (diff)
			print_message("  %" PRIu64 " pfns differ, first 0x%" PRIx64 "\n", diff, first);
		assert_int_equal(diff, 0);
		assert_int_equal(st.kept, refcount);
		assert_null(warning);
		assert_int_equal(st.cache, m.cache);
		assert_int_equal(st.cache_private, m.cache_private);
		assert_int_equal(st.user, m.user);
		assert_int_equal(st.free, m.free);
		assert_int_equal(st.hwpoison, m.hwpoison);
		assert_int_equal(st.offline, m.offline);
		assert_int_equal(st.ram, st.kept + st.cache + st.cache_private + st.user + st.free +
					 st.hwpoison + st.offline);
		free(ref);
		free(ours);
	}
	vmcore_close(vc);
}

static void test_fixture_61(void **state)
{
	check_fixture(fixtures[0]);
}

static void test_fixture_612(void **state)
{
	check_fixture(fixtures[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_61),
		cmocka_unit_test(test_fixture_612),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
