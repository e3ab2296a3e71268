// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the compressor registry: round trips, the raw-page rule, bad input. */
#include "testutil.h"
#include "vmcore/vmcore.h"

#include <zlib.h>

#define PS 4096

static void fill_text(uint8_t *p)
{
	for (int i = 0; i < PS; i++)
		p[i] = (uint8_t)"line of text 0123456789\n"[i % 24] + (uint8_t)(i / 1000);
}

static void fill_random(uint8_t *p, unsigned seed)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL * (seed + 1);

	for (int i = 0; i < PS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)x;
	}
}

static void test_registry(void **state)
{
	size_t n;
	const struct vmcore_compressor *const *all = vmcore_compressor_list(&n);

	assert_true(n >= 3);
	assert_string_equal(all[0]->name, "none");
	assert_ptr_equal(vmcore_compressor_find("zlib"), vmcore_compressor_by_flag(VMCORE_DUMP_ZLIB));
	assert_ptr_equal(vmcore_compressor_find("lzo"), vmcore_compressor_by_flag(VMCORE_DUMP_LZO));
	assert_null(vmcore_compressor_find("snappy"));
	assert_null(vmcore_compressor_find("gzip"));
	assert_int_equal(vmcore_compressor_find("zlib")->bound(PS), 4110);
	assert_int_equal(vmcore_compressor_find("lzo")->bound(PS), 4419);
#if KD_HAVE_ZSTD
	assert_non_null(vmcore_compressor_find("zstd"));
	assert_int_equal(vmcore_compressor_find("zstd")->bound(PS), 4174);
#else
	assert_null(vmcore_compressor_find("zstd"));
#endif
}

/* Every compressor: text shrinks and round-trips; random data is stored raw. */
static void test_round_trip(void **state)
{
	size_t n;
	const struct vmcore_compressor *const *all = vmcore_compressor_list(&n);
	uint8_t src[PS], out[8192], back[PS];

	for (size_t i = 0; i < n; i++) {
		const struct vmcore_compressor *c = all[i];
		void *ctx = c->create();
		size_t len;
		uint32_t flag;

		assert_non_null(ctx);
		for (int k = 0; k < 3; k++) {
			if (k == 0)
				fill_text(src);
			else if (k == 1)
				memset(src, 0, PS);
			else
				fill_random(src, (unsigned)i);
			vmcore_compress_page(c, ctx, src, PS, out, sizeof(out), &len, &flag);
			if (c->flag && k < 2) {
				assert_int_equal(flag, c->flag);
				assert_true(len < PS / 4);
			} else {
				/* none, or incompressible: raw, flag 0 */
				assert_int_equal(flag, 0);
				assert_int_equal(len, PS);
				assert_memory_equal(out, src, PS);
			}
			memset(back, 0xaa, PS);
			assert_int_equal(vmcore_decompress_page(flag, out, len, back, PS), 0);
			assert_memory_equal(back, src, PS);
		}
		c->destroy(ctx);
	}
}

/* zlib output is the bytes of compress2(level 1), whatever came before in the context. */
static void test_zlib_bytes(void **state)
{
	const struct vmcore_compressor *c = vmcore_compressor_find("zlib");
	void *ctx = c->create();
	uint8_t src[PS], out[8192], ref[8192];
	uLongf rlen = sizeof(ref);
	size_t len;
	uint32_t flag;

	fill_random(src, 7);
	vmcore_compress_page(c, ctx, src, PS, out, sizeof(out), &len, &flag);
	fill_text(src);
	vmcore_compress_page(c, ctx, src, PS, out, sizeof(out), &len, &flag);
	assert_int_equal(compress2(ref, &rlen, src, PS, 1), Z_OK);
	assert_int_equal(len, rlen);
	assert_memory_equal(out, ref, len);
	c->destroy(ctx);
}

static void test_decompress_bad(void **state)
{
	size_t n;
	const struct vmcore_compressor *const *all = vmcore_compressor_list(&n);
	uint8_t src[PS], out[8192], back[PS];

	/* Raw pages must be exactly a page. */
	assert_int_equal(vmcore_decompress_page(0, src, PS - 1, back, PS), -EBADMSG);
	/* Unknown flags, two methods at once. */
	assert_int_equal(vmcore_decompress_page(0x40, src, 10, back, PS), -EBADMSG);
	assert_int_equal(vmcore_decompress_page(0x3, src, 10, back, PS), -EBADMSG);
	assert_int_equal(vmcore_decompress_page(VMCORE_DUMP_SNAPPY, src, 10, back, PS),
			 -EOPNOTSUPP);
	for (size_t i = 1; i < n; i++) {
		const struct vmcore_compressor *c = all[i];
		void *ctx = c->create();
		size_t len;
		uint32_t flag;

		fill_text(src);
		vmcore_compress_page(c, ctx, src, PS, out, sizeof(out), &len, &flag);
		assert_int_equal(flag, c->flag);
		/* Truncated stream, garbage, and a stream of the wrong size. */
		assert_int_not_equal(vmcore_decompress_page(flag, out, len / 2, back, PS), 0);
		memset(out, 0xff, 64);
		assert_int_not_equal(vmcore_decompress_page(flag, out, len, back, PS), 0);
		vmcore_compress_page(c, ctx, src, PS / 2, out, sizeof(out), &len, &flag);
		assert_int_equal(vmcore_decompress_page(flag, out, len, back, PS), -EBADMSG);
		c->destroy(ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_zlib_bytes),
		cmocka_unit_test(test_decompress_bad),
	};
	return cmocka_run_group_tests_name("compress", tests, NULL, NULL);
}
