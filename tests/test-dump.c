// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the dump entry points: capture, reassembly, verify, dmesg, summary, extras. */
#include "testutil.h"
#include "vmgen.h"
#include "kdump/dump/dump.h"

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>

/* Everything lives in the kernel image mapping (pa = va - KMAP), as in tests/test-dmesg.c. */
#define KMAP UINT64_C(0xffffffff80000000)
#define IMG_VA UINT64_C(0xffffffff81000000)
#define IMG_SIZE 0x400000ULL
#define LB_PTR_VA (IMG_VA + 0x2200) /* log_buf, log_buf_len, log_first_idx, log_next_idx */
#define LOG_VA (IMG_VA + 0x100000)

/* A crashed kernel's vmcore: two CPUs, VMCOREINFO (unless bare), a legacy log_buf with two
 * records, and 4 MiB of memory, half of it a page pattern. */
/* Returns its path (caller frees). */
static char *make_vmcore(const char *name, bool bare)
{
	static const char *const text[] = { "Linux version 6.1.0-gen",
					     "Kernel panic - not syncing: Oops" };
	const char *path = tu_tmp(name);
	struct vmgen *g = vmgen_new();
	uint32_t at = 0;

	vmgen_cpu(g, 235, NULL);
	vmgen_cpu(g, 0, NULL);
	if (bare) {
		vmgen_no_vmcoreinfo(g);
	} else {
		vmgen_info(g, "OSRELEASE=6.1.0-gen");
		vmgen_info(g, "PAGESIZE=4096");
		vmgen_info(g, "CRASHTIME=1700000000");
		vmgen_info(g, "SYMBOL(init_top_pgt)=%" PRIx64, IMG_VA);
		vmgen_info(g, "NUMBER(phys_base)=0");
		vmgen_info(g, "SYMBOL(log_buf)=%" PRIx64, LB_PTR_VA);
		vmgen_info(g, "SYMBOL(log_buf_len)=%" PRIx64, LB_PTR_VA + 8);
		vmgen_info(g, "SYMBOL(log_first_idx)=%" PRIx64, LB_PTR_VA + 16);
		vmgen_info(g, "SYMBOL(log_next_idx)=%" PRIx64, LB_PTR_VA + 24);
		vmgen_info(g, "SIZE(printk_log)=16");
		vmgen_info(g, "OFFSET(printk_log.ts_nsec)=0");
		vmgen_info(g, "OFFSET(printk_log.len)=8");
		vmgen_info(g, "OFFSET(printk_log.text_len)=10");
	}
	vmgen_load(g, IMG_VA - KMAP, IMG_SIZE, IMG_VA);
	vmgen_pattern(g, IMG_VA - KMAP + IMG_SIZE / 2, IMG_SIZE / 2);
	for (size_t i = 0; i < KD_ARRAY_SIZE(text); i++) {
		uint32_t tl = (uint32_t)strlen(text[i]), rlen = (16 + tl + 7) & ~7u;

		vmgen_poke_u64(g, LOG_VA - KMAP + at, 1000000 * (i + 1));
		vmgen_poke_u16(g, LOG_VA - KMAP + at + 8, (uint16_t)rlen);
		vmgen_poke_u16(g, LOG_VA - KMAP + at + 10, (uint16_t)tl);
		vmgen_poke(g, LOG_VA - KMAP + at + 16, text[i], tl);
		at += rlen;
	}
	vmgen_poke_u64(g, LB_PTR_VA - KMAP, LOG_VA);
	vmgen_poke_u32(g, LB_PTR_VA - KMAP + 8, 0x10000);
	vmgen_poke_u32(g, LB_PTR_VA - KMAP + 24, at);
	assert_int_equal(vmgen_write(g, path), 0);
	vmgen_free(g);
	return kd_strdup(path); /* tu_tmp's buffers are reused */
}

static const char *vmcore(void)
{
	static const char *path;

	if (!path)
		path = make_vmcore("crashed.vmcore", false);
	return path;
}

static struct kd_capture_args args(const char *in, const char *out)
{
	struct kd_capture_args a = { .input = in, .output = out, .flat_fd = -1 };

	a.opts.level = 1;
	a.opts.format = VMCORE_OUT_KDUMP;
	a.opts.comp = vmcore_compressor_find("zlib");
	a.opts.threads = 2;
	return a;
}

static void capture_ok(const struct kd_capture_args *a, struct kd_capture_result *res)
{
	struct kd_err err = { 0 };

	if (kd_capture(a, res, &err) < 0)
		fail_msg("capture %s -> %s: %s", a->input, a->output, err.msg);
	assert_true(res->complete);
	assert_false(res->incomplete);
}

static bool same_file(const char *a, const char *b)
{
	size_t la, lb;
	uint8_t *x = tu_read_file(a, &la), *y = tu_read_file(b, &lb);
	bool same = la == lb && memcmp(x, y, la) == 0;

	free(x);
	free(y);
	return same;
}

static bool marked_incomplete(const char *dump)
{
	struct kd_err err = { 0 };
	struct vmcore *vc;
	bool inc;

	if (vmcore_open(dump, &vc, &err) < 0)
		fail_msg("%s", err.msg);
	inc = vmcore_dumpinfo(vc)->incomplete;
	vmcore_close(vc);
	return inc;
}

static void test_capture_new_and_existing(void **state)
{
	const char *out = tu_tmp("new.kdump");
	struct kd_capture_args a = args(vmcore(), out);
	struct kd_capture_result res;
	struct kd_verify_result vr;
	struct kd_err err = { 0 };
	struct stat st;

	capture_ok(&a, &res);
	assert_int_equal(res.report.level, 1);
	assert_true(res.report.pages_written > 0);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal((uint64_t)st.st_size, res.report.output_bytes);
	/* its manifest came with it */
	assert_int_equal(kd_verify_dump(&(struct kd_verify_args){ .dump = out }, &vr, &err), 0);
	assert_int_equal(vr.format, VMCORE_FORMAT_KDUMP);
	assert_false(vr.incomplete);

	/* an existing dump is left alone without force, replaced with it */
	assert_int_equal(kd_capture(&a, &res, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "already exists"));
	assert_false(res.removed);
	assert_int_equal(access(out, F_OK), 0);
	a.force = true;
	capture_ok(&a, &res);
}

static void test_capture_bad_input(void **state)
{
	_cleanup_free_ char *cut = make_vmcore("cut.vmcore", false);
	const char *out = tu_tmp("bad.kdump");
	struct kd_capture_args a = args(tu_tmp("missing.vmcore"), out);
	struct kd_capture_result res;
	struct kd_err err = { 0 };
	struct stat st;

	assert_int_equal(kd_capture(&a, &res, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "missing.vmcore"));
	assert_int_equal(access(out, F_OK), -1);

	assert_int_equal(stat(cut, &st), 0);
	assert_int_equal(truncate(cut, st.st_size / 2), 0);
	a.input = cut;
	assert_true(kd_capture(&a, &res, &err) < 0);
	assert_non_null(strstr(err.msg, "truncated file?"));
	assert_false(res.complete || res.incomplete);
	assert_int_equal(access(out, F_OK), -1);
}

static volatile sig_atomic_t stop_flag;

/* As a SIGTERM would: the flag is set once pages were written. */
static void stop_part_way(void *data, uint64_t done, uint64_t total)
{
	if (done > 0)
		stop_flag = SIGTERM;
}

/* A capture stopped part way (a signal's flag) leaves a marked dump; resuming finishes it
 * into exactly the uninterrupted dump. */
static void test_capture_stop_and_resume(void **state)
{
	const char *whole = tu_tmp("whole.kdump"), *part = tu_tmp("part.kdump");
	struct kd_capture_args a = args(vmcore(), whole);
	struct kd_capture_result res;
	struct kd_err err = { 0 };

	a.no_manifest = true;
	capture_ok(&a, &res);
	a.output = part;
	a.opts.stop = &stop_flag;
	a.opts.progress = stop_part_way;
	a.opts.threads = 1;
	assert_true(kd_capture(&a, &res, &err) < 0);
	assert_non_null(strstr(err.msg, "signal"));
	assert_true(res.incomplete);
	assert_false(res.complete);
	assert_true(marked_incomplete(part));
	/* the manifest of an incomplete dump is written unless asked not to */
	a.no_manifest = false;
	a.opts.stop = NULL;
	a.opts.progress = NULL;
	a.opts.threads = 2;
	a.resume = true;
	capture_ok(&a, &res);
	assert_true(same_file(whole, part));
	assert_int_equal(access(tu_tmp("part.kdump.sha256"), F_OK), 0);
	/* a complete dump is not resumed */
	assert_int_equal(kd_capture(&a, &res, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "complete dump"));
}

static void test_flatten_and_reassemble(void **state)
{
	const char *direct = tu_tmp("direct.kdump"), *flat = tu_tmp("stream.flat");
	const char *back = tu_tmp("back.kdump"), *cut = tu_tmp("cut.flat");
	const char *cutback = tu_tmp("cutback.kdump");
	struct kd_capture_args a = args(vmcore(), direct);
	struct kd_reassemble_args ra = { .input = flat, .output = back };
	struct kd_reassemble_result rr;
	struct kd_capture_result res;
	struct kd_err err = { 0 };
	struct stat st;
	int fd;

	a.no_manifest = true;
	capture_ok(&a, &res);
	fd = open(flat, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	a.opts.flatten = true;
	a.flat_fd = fd;
	a.output = flat; /* only a name here */
	a.no_manifest = false; /* a stream has no file to hash: nothing is written beside it */
	capture_ok(&a, &res);
	assert_int_equal(close(fd), 0);
	assert_int_equal(access(tu_tmp("stream.flat.sha256"), F_OK), -1);

	if (kd_reassemble(&ra, &rr, &err) < 0)
		fail_msg("reassemble: %s", err.msg);
	assert_int_equal(rr.format, VMCORE_FORMAT_KDUMP);
	assert_false(rr.incomplete);
	assert_true(same_file(direct, back));
	assert_int_equal(kd_reassemble(&ra, &rr, &err), -EEXIST);
	ra.force = true;
	assert_int_equal(kd_reassemble(&ra, &rr, &err), 0);

	/* the stream cut in its page data: a dump marked incomplete is kept */
	assert_int_equal(stat(flat, &st), 0);
	fd = open(cut, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	{
		size_t len;
		uint8_t *b = tu_read_file(flat, &len);
		assert_int_equal(kd_write_all(fd, b, len * 3 / 4), 0);
		free(b);
	}
	close(fd);
	ra = (struct kd_reassemble_args){ .input = cut, .output = cutback };
	assert_int_equal(kd_reassemble(&ra, &rr, &err), -EBADMSG);
	assert_true(rr.incomplete);
	assert_true(marked_incomplete(cutback));
}

static void test_verify(void **state)
{
	const char *out = tu_tmp("verify.kdump");
	struct kd_capture_args a = args(vmcore(), out);
	struct kd_verify_args va = { .dump = out };
	struct kd_capture_result res;
	struct kd_verify_result vr;
	struct kd_err err = { 0 };
	int fd;

	capture_ok(&a, &res);
	assert_int_equal(kd_verify_dump(&va, &vr, &err), 0);
	assert_int_equal(vr.v.size, res.report.output_bytes);
	fd = open(out, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(kd_pwrite_all(fd, "\xff", 1, 5000), 0);
	close(fd);
	assert_int_equal(kd_verify_dump(&va, &vr, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "block 0"));
	va.write = true;
	assert_int_equal(kd_verify_dump(&va, &vr, &err), 0);
	va.write = false;
	assert_int_equal(kd_verify_dump(&va, &vr, &err), 0);
}

static void test_dmesg_file(void **state)
{
	const char *out = tu_tmp("dmesg.out");
	struct kd_dmesg_args a = { .input = vmcore(), .output = out };
	struct vmcore_log_stats st = { 0 };
	struct kd_err err = { 0 };
	size_t len;
	char *text;

	if (kd_dmesg(&a, &st, &err) < 0)
		fail_msg("dmesg: %s", err.msg);
	assert_int_equal(st.records, 2);
	text = (char *)tu_read_file(out, &len);
	assert_int_equal(len, strlen("[    0.001000] Linux version 6.1.0-gen\n"
				     "[    0.002000] Kernel panic - not syncing: Oops\n"));
	free(text);
	assert_int_equal(kd_dmesg(&a, &st, &err), -EEXIST);
	a.force = true;
	assert_int_equal(kd_dmesg(&a, &st, &err), 0);
}

static void test_summary(void **state)
{
	struct kd_summary *s = NULL;
	struct kd_err err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(kd_summary_create(vmcore(), &s, &err), 0);
	assert_true(kd_summary_has_vmcoreinfo(s));
	f = open_memstream(&text, &len);
	assert_int_equal(kd_summary_write(s, KD_SUMMARY_TEXT, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "Kernel release:  6.1.0-gen\n"));
	assert_non_null(strstr(text, "Panic message:   Oops\n"));
	assert_non_null(strstr(text, "CPUs:            2 (pids 235, 0)\n"));
	free(text);
	/* what the dump lacks is a warning, not a failure */
	assert_non_null(kd_summary_warning(s, 0));
	assert_non_null(strstr(kd_summary_warning(s, 0), "init_uts_ns"));
	kd_summary_destroy(s);
	assert_int_equal(kd_summary_create(tu_tmp("missing.vmcore"), &s, &err), -ENOENT);
}

static void test_extras(void **state)
{
	_cleanup_free_ char *bare = make_vmcore("bare.vmcore", true);
	const char *dir = tu_tmp("extras"), *dir2 = tu_tmp("extras-bare");
	struct kd_err err = { 0 };
	int dfd;
	char *json;
	size_t len;

	assert_int_equal(mkdir(dir, 0700), 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	if (kd_write_extras(dfd, vmcore(), &err) < 0)
		fail_msg("extras: %s", err.msg);
	close(dfd);
	for (size_t i = 0; i < KD_NR_EXTRAS; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, kd_extras[i].file);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_true(st.st_size > 0);
	}
	json = (char *)tu_read_file(tu_tmp("extras/info.json"), &len);
	assert_non_null(memmem(json, len, "\"osrelease\": \"6.1.0-gen\"", 24));
	free(json);

	/* Without VMCOREINFO: every file is tried, the first failure is returned. */
	assert_int_equal(mkdir(dir2, 0700), 0);
	dfd = open(dir2, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_true(kd_write_extras(dfd, bare, &err) < 0);
	assert_memory_equal(err.msg, "dmesg.txt: ", 11);
	close(dfd);
	assert_int_equal(access(tu_tmp("extras-bare/info.txt"), F_OK), 0);
	assert_int_equal(access(tu_tmp("extras-bare/info.json"), F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_new_and_existing),
		cmocka_unit_test(test_capture_bad_input),
		cmocka_unit_test(test_capture_stop_and_resume),
		cmocka_unit_test(test_flatten_and_reassemble),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_dmesg_file),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_extras),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
