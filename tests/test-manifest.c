// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of dump manifests: SHA-256 vectors, the text format, verify on flipped and cut files. */
#include "testutil.h"
#include "kdump/dump/dump.h"
#include "base/sha256.h"

#include <fcntl.h>
#include <sys/stat.h>

/* A file of 3.5 blocks with a pattern, so that every block differs. */
static uint8_t *pattern(size_t len)
{
	uint8_t *b = malloc(len);

	assert_non_null(b);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 131 + (i >> 20) * 7 + 1);
	return b;
}

static void test_format_round_trip(void **state)
{
	size_t len = 3 * KD_MANIFEST_BLOCK + KD_MANIFEST_BLOCK / 2, tlen;
	uint8_t *data = pattern(len);
	const char *path = tu_tmp("dump-a");
	struct kd_manifest m, again;
	struct kd_err err = { 0 };
	char want[65], *text;
	int fd;

	tu_write_file(path, data, len);
	fd = open(path, O_RDONLY);
	assert_int_equal(kd_manifest_compute(fd, "dump-a", &m, &err), 0);
	close(fd);
	assert_int_equal(m.size, len);
	assert_int_equal(m.nr_blocks, 4);
	assert_int_equal(kd_manifest_format(&m, &text, &tlen), 0);
	/* The first line is sha256sum's; block 3 is the half block. */
	tu_sha256_hex(data, len, want);
	assert_memory_equal(text, want, 64);
	assert_memory_equal(text + 64, "  dump-a\n# kdump-manifest 1\n# size 3670016\n", 43);
	tu_sha256_hex(data + 3 * KD_MANIFEST_BLOCK, KD_MANIFEST_BLOCK / 2, want);
	assert_non_null(strstr(text, want));
	assert_int_equal(kd_manifest_parse(text, tlen, "m", &again, &err), 0);
	assert_int_equal(again.size, m.size);
	assert_int_equal(again.nr_blocks, 4);
	assert_memory_equal(again.sha256, m.sha256, 32);
	assert_memory_equal(again.blocks, m.blocks, 4 * 32);
	kd_manifest_deinit(&m);
	kd_manifest_deinit(&again);
	free(text);
	free(data);
}

/* Known answers (FIPS 180-4 examples) through the shared implementation. */
static void test_sha256_vectors(void **state)
{
	char h[65];

	tu_sha256_hex("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	tu_sha256_hex("", 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* Whether the kernel lists the x86 SHA extensions for this CPU (/proc/cpuinfo "sha_ni"). */
static bool cpuinfo_has_sha_ni(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool has = false;

	assert_non_null(f);
	while (!has && fgets(line, sizeof(line), f))
		has = strncmp(line, "flags", 5) == 0 && strstr(line, " sha_ni");
	fclose(f);
	return has;
}

/* The CPUID probe agrees with the kernel; each path can be forced, and AUTO picks SHA-NI. */
static void test_sha256_select(void **state)
{
	bool shani = cpuinfo_has_sha_ni();

	assert_int_equal(kd_sha256_select(KD_SHA256_PORTABLE), 0);
	assert_string_equal(kd_sha256_impl_name(), "portable");
	assert_int_equal(kd_sha256_select(KD_SHA256_SHANI), shani ? 0 : -EOPNOTSUPP);
	assert_int_equal(kd_sha256_select(KD_SHA256_AUTO), 0);
	assert_string_equal(kd_sha256_impl_name(), shani ? "sha-ni" : "portable");
	if (!shani)
		print_message("# this CPU has no SHA-NI: only the portable path was tested\n");
}

/* Next of a xorshift64 sequence: reproducible "random" bytes, lengths and offsets. */
static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Digest of b[0..len) fed in pieces of random sizes (0 to 300 bytes) with the given path. */
static void digest_pieces(enum kd_sha256_impl impl, const uint8_t *b, size_t len, uint64_t *seed,
			  uint8_t d[32])
{
	struct kd_sha256 c;

	assert_int_equal(kd_sha256_select(impl), 0);
	kd_sha256_init(&c);
	for (size_t off = 0; off < len;) {
		size_t n = (size_t)(xs(seed) % 301);	/* KD_MIN evaluates its arguments twice */

		n = KD_MIN(n, len - off);

		kd_sha256_update(&c, b + off, n);
		off += n;
	}
	kd_sha256_final(&c, d);
}

static void digest_once(enum kd_sha256_impl impl, const uint8_t *b, size_t len, uint8_t d[32])
{
	struct kd_sha256 c;

	assert_int_equal(kd_sha256_select(impl), 0);
	kd_sha256_init(&c);
	kd_sha256_update(&c, b, len);
	kd_sha256_final(&c, d);
}

/*
 * SHA-NI and the portable code give the same digests: every length 0..10000 at a random
 * alignment, fed whole and in random pieces, and a few MiB; plus the FIPS 180-4 examples.
 */
static void test_sha256_paths_agree(void **state)
{
	static const size_t big[] = { 1 << 20, 3 * (1 << 20) + 13, 5 * (1 << 20) - 1 };
	size_t cap = 5 << 20;
	uint8_t *b = malloc(cap + 64), p[32], s[32], s2[32];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	char h[65];

	if (kd_sha256_select(KD_SHA256_SHANI) < 0) {
		assert_false(cpuinfo_has_sha_ni());
		print_message("# this CPU has no SHA-NI: nothing to compare\n");
		free(b);
		return;
	}
	assert_non_null(b);
	for (size_t i = 0; i < cap + 64; i += 8) {
		uint64_t v = xs(&seed);

		memcpy(b + i, &v, 8);
	}
	for (size_t len = 0; len <= 10000; len++) {
		const uint8_t *at = b + xs(&seed) % 64;
		uint64_t s1 = seed, seed2 = seed;

		digest_once(KD_SHA256_PORTABLE, at, len, p);
		digest_once(KD_SHA256_SHANI, at, len, s);
		digest_pieces(KD_SHA256_SHANI, at, len, &s1, s2);
		if (memcmp(p, s, 32) || memcmp(p, s2, 32))
			fail_msg("length %zu at offset %td: SHA-NI and portable digests differ", len,
				 at - b);
		digest_pieces(KD_SHA256_PORTABLE, at, len, &seed2, s2);
		assert_memory_equal(p, s2, 32);
	}
	for (size_t k = 0; k < KD_ARRAY_SIZE(big); k++) {
		uint64_t s1 = seed;

		digest_once(KD_SHA256_PORTABLE, b + k, big[k], p);
		digest_once(KD_SHA256_SHANI, b + k, big[k], s);
		digest_pieces(KD_SHA256_SHANI, b + k, big[k], &s1, s2);
		if (memcmp(p, s, 32) || memcmp(p, s2, 32))
			fail_msg("%zu bytes: SHA-NI and portable digests differ", big[k]);
	}
	/* Known answers on the SHA-NI path (the portable one: test_sha256_vectors, test-loader). */
	assert_int_equal(kd_sha256_select(KD_SHA256_SHANI), 0);
	tu_sha256_hex("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	tu_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(b, 'a', 1000000);
	tu_sha256_hex(b, 1000000, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	assert_int_equal(kd_sha256_select(KD_SHA256_AUTO), 0);
	free(b);
}

static void expect_verify(const char *dump, int want_r, const char *needle, uint64_t first_bad)
{
	struct kd_err err = { 0 };
	struct kd_verify v;
	int r = kd_manifest_verify(dump, NULL, &v, &err);

	if (r != want_r)
		fail_msg("verify %s: %d (%s), wanted %d", dump, r, err.msg, want_r);
	if (needle && !strstr(err.msg, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
	if (want_r == -EBADMSG)
		assert_int_equal(v.first_bad, first_bad);
}

static void test_verify(void **state)
{
	size_t len = 3 * KD_MANIFEST_BLOCK + 1000;
	uint8_t *data = pattern(len);
	const char *path = tu_tmp("dump-v");
	struct kd_err err = { 0 };
	struct stat st;
	char mpath[4096];

	tu_write_file(path, data, len);
	assert_int_equal(kd_manifest_write(path, &err), 0);
	snprintf(mpath, sizeof(mpath), "%s.sha256", path);
	assert_int_equal(stat(mpath, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	expect_verify(path, 0, NULL, 0);
	/* One byte flipped in block 2: named with its byte range. */
	data[2 * KD_MANIFEST_BLOCK + 12345] ^= 0x10;
	tu_write_file(path, data, len);
	expect_verify(path, -EBADMSG, "block 2 (bytes 0x200000-0x2fffff) differs", 2);
	expect_verify(path, -EBADMSG, "1 of 4 blocks differ", 2);
	/* The last, partial block. */
	data[2 * KD_MANIFEST_BLOCK + 12345] ^= 0x10;
	data[len - 1] ^= 1;
	tu_write_file(path, data, len);
	expect_verify(path, -EBADMSG, "block 3 (bytes 0x300000-0x3003e7) differs", 3);
	data[len - 1] ^= 1;
	/* Cut short in block 1. */
	tu_write_file(path, data, KD_MANIFEST_BLOCK + 5);
	expect_verify(path, -EBADMSG, "(cut short); the first differing block is 1", 1);
	/* Grown by a byte. */
	data = realloc(data, len + 1);
	data[len] = 0;
	tu_write_file(path, data, len + 1);
	expect_verify(path, -EBADMSG, "(grown)", 3);
	/* No manifest. */
	unlink(mpath);
	expect_verify(path, -ENOENT, "has no manifest", 0);
	free(data);
}

static void expect_same(const struct kd_manifest *a, const struct kd_manifest *b)
{
	assert_int_equal(a->size, b->size);
	assert_int_equal(a->block_size, b->block_size);
	assert_int_equal(a->nr_blocks, b->nr_blocks);
	assert_memory_equal(a->sha256, b->sha256, 32);
	if (a->nr_blocks)
		assert_memory_equal(a->blocks, b->blocks, a->nr_blocks * 32);
}

/* The stream hasher gives what reading the file back gives, however the bytes are cut. */
static void test_hasher(void **state)
{
	static const size_t lens[] = { 0, 1, KD_MANIFEST_BLOCK, 2 * KD_MANIFEST_BLOCK + 777 };
	static const size_t steps[] = { 7, 65537, 3 * KD_MANIFEST_BLOCK };

	(void)state;
	for (size_t i = 0; i < KD_ARRAY_SIZE(lens); i++) {
		uint8_t *data = pattern(lens[i] ? lens[i] : 1);
		const char *path = tu_tmp("dump-h");
		struct kd_manifest want, got;
		struct kd_err err = { 0 };
		int fd;

		tu_write_file(path, data, lens[i]);
		fd = open(path, O_RDONLY);
		assert_int_equal(kd_manifest_compute(fd, "x", &want, &err), 0);
		close(fd);
		for (size_t s = 0; s < KD_ARRAY_SIZE(steps); s++) {
			struct kd_manifest_hasher h;

			kd_manifest_hasher_init(&h, "x");
			for (size_t off = 0; off < lens[i]; off += steps[s])
				assert_int_equal(kd_manifest_hasher_update(&h, data + off,
						 KD_MIN(steps[s], lens[i] - off)), 0);
			assert_int_equal(kd_manifest_hasher_finish(&h, &got), 0);
			expect_same(&want, &got);
			kd_manifest_deinit(&got);
		}
		kd_manifest_deinit(&want);
		free(data);
	}
}

struct produce_ctx {
	const uint8_t *data;
	size_t len;
	int ret;
	int wrote;	/* kd_write_all's result */
};

static int produce(int fd, void *ctx)
{
	struct produce_ctx *p = ctx;

	/* odd-sized writes, as the capture's flattened writer makes them */
	for (size_t off = 0; off < p->len; off += 100003) {
		p->wrote = kd_write_all(fd, p->data + off, KD_MIN((size_t)100003, p->len - off));
		if (p->wrote < 0)
			return p->wrote;
	}
	return p->ret;
}

/* The relay passes every byte on, and its manifest is that of what arrived. */
static void test_relay(void **state)
{
	size_t len = 3 * KD_MANIFEST_BLOCK + 4321;
	uint8_t *data = pattern(len), *back;
	const char *path = tu_tmp("relayed");
	struct produce_ctx pc = { data, len, 0, 0 };
	struct kd_manifest m, want;
	struct kd_err err = { 0 };
	size_t blen;
	int fd, p[2];

	(void)state;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(kd_manifest_relay(fd, produce, &pc, "vmcore.flat", &m, &err), 0);
	close(fd);
	back = tu_read_file(path, &blen);
	assert_int_equal(blen, len);
	assert_memory_equal(back, data, len);
	free(back);
	fd = open(path, O_RDONLY);
	assert_int_equal(kd_manifest_compute(fd, "vmcore.flat", &want, &err), 0);
	close(fd);
	expect_same(&want, &m);
	assert_string_equal(m.name, "vmcore.flat");
	kd_manifest_deinit(&m);
	kd_manifest_deinit(&want);

	/* the producer fails: its error, no manifest */
	pc.ret = -EIO;
	fd = open(path, O_WRONLY | O_TRUNC);
	err = (struct kd_err){ 0 };
	assert_int_equal(kd_manifest_relay(fd, produce, &pc, "vmcore.flat", &m, &err), -EIO);
	assert_non_null(strstr(err.msg, "writing vmcore.flat failed"));
	close(fd);

	/* the far side is gone (ssh died): the producer's writes fail instead of blocking */
	pc.ret = 0;
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	err = (struct kd_err){ 0 };
	assert_int_equal(kd_manifest_relay(p[1], produce, &pc, "vmcore.flat", &m, &err), -EPIPE);
	assert_int_equal(pc.wrote, -EPIPE);
	assert_non_null(strstr(err.msg, "vmcore.flat: passing the stream on failed after 0 bytes"));
	close(p[1]);
	free(data);
}

static void expect_parse_error(const char *text, const char *needle)
{
	struct kd_manifest m;
	struct kd_err err = { 0 };

	if (kd_manifest_parse(text, strlen(text), "x.sha256", &m, &err) == 0)
		fail_msg("\"%s\" parsed", text);
	if (!strstr(err.msg, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
	assert_non_null(strstr(err.msg, "x.sha256"));
}

static void test_parse_errors(void **state)
{
	const char *h = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	char t[1024];

	expect_parse_error("", "incomplete manifest");
	expect_parse_error("hello\n", "not a kdump manifest");
	snprintf(t, sizeof(t), "%s  d\n# kdump-manifest 2\n", h);
	expect_parse_error(t, "manifest version \"2\" is not 1");
	snprintf(t, sizeof(t), "%s  d\n# kdump-manifest 1\n# size 5\n# block-size 1000\n", h);
	expect_parse_error(t, "bad block size");
	snprintf(t, sizeof(t), "%s  d\n# kdump-manifest 1\n# size 5\n# block-size 4096\n", h);
	expect_parse_error(t, "0 block digests for 1 blocks");
	snprintf(t, sizeof(t), "%s  d\n# kdump-manifest 1\n# size 5\n# block-size 4096\n"
		 "# block 1 %s\n", h, h);
	expect_parse_error(t, ":5: expected \"# block 0 SHA256\"");
	snprintf(t, sizeof(t), "%s  d\n# kdump-manifest 1\n# size 5\n# block-size 4096\n"
		 "# block 0 %s\n# block 1 %s\n", h, h, h);
	expect_parse_error(t, ":6: expected \"# block 1 SHA256\"");
	snprintf(t, sizeof(t), "%s  d\n# kdump-manifest 1\n# size 99999999999999999\n", h);
	expect_parse_error(t, ":3: bad size");
	/* 2^38 blocks announced in a few lines: refused before any allocation (fuzz-manifest). */
	snprintf(t, sizeof(t), "%s  d\n# kdump-manifest 1\n# size 1125899906842624\n"
		 "# block-size 4096\n# block 0 %s\n", h, h);
	expect_parse_error(t, "274877906944 blocks of 4096 bytes cannot have their digests");
	snprintf(t, sizeof(t), "%s  d\n# what 1\n", h);
	expect_parse_error(t, "unknown key \"what\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_select),
		cmocka_unit_test(test_sha256_paths_agree),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_hasher),
		cmocka_unit_test(test_relay),
		cmocka_unit_test(test_parse_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
