// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the front end's JSON writer: structure, numbers and escaping of hostile strings. */
#include "testutil.h"
#include "base/base.h"

static char *emit(void (*fn)(struct kd_json *j))
{
	struct kd_json j;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	kd_json_init(&j, f);
	fn(&j);
	kd_json_finish(&j);
	fclose(f);
	return out;
}

static void doc(struct kd_json *j)
{
	static const char hostile[] = "q\"b\\s\n\r\t\x01\x1b[2J\x7f\xc3\xa9%s%n";

	kd_json_begin_object(j, NULL);
	kd_json_string(j, "s", hostile);
	kd_json_string_n(j, "nul", "a\0b", 3);
	kd_json_string(j, "k\"ey", NULL);
	kd_json_u64(j, "u", UINT64_MAX);
	kd_json_s64(j, "i", INT64_MIN);
	kd_json_bool(j, "t", true);
	kd_json_begin_array(j, "empty");
	kd_json_end_array(j);
	kd_json_begin_array(j, "a");
	kd_json_u64(j, NULL, 1);
	kd_json_begin_object(j, NULL);
	kd_json_end_object(j);
	kd_json_end_array(j);
	kd_json_end_object(j);
}

static void test_json(void **state)
{
	char *out = emit(doc);

	assert_string_equal(out,
			    "{\n"
			    "  \"s\": \"q\\\"b\\\\s\\n\\r\\t\\u0001\\u001b[2J\\u007f\\u00c3\\u00a9%s%n\",\n"
			    "  \"nul\": \"a\\u0000b\",\n"
			    "  \"k\\\"ey\": null,\n"
			    "  \"u\": 18446744073709551615,\n"
			    "  \"i\": -9223372036854775808,\n"
			    "  \"t\": true,\n"
			    "  \"empty\": [],\n"
			    "  \"a\": [\n"
			    "    1,\n"
			    "    {}\n"
			    "  ]\n"
			    "}\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
