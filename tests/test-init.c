// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the capture init's local target on generated vmcores, good and damaged. */
#include "testutil.h"
#include "vmgen.h"
#include "kdump/dump/dump.h"
#include "kdump/init/init.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

/* Everything lives in the kernel image mapping (pa = va - KMAP), as in tests/test-dmesg.c. */
#define KMAP UINT64_C(0xffffffff80000000)
#define IMG_VA UINT64_C(0xffffffff81000000)
#define IMG_SIZE 0x200000ULL
#define LB_PTR_VA (IMG_VA + 0x2200) /* log_buf, log_buf_len, log_first_idx, log_next_idx */
#define LOG_VA (IMG_VA + 0x100000)
#define PANIC "Kernel panic - not syncing: sysrq triggered crash"

/* A crashed kernel's vmcore: two CPUs, VMCOREINFO, a legacy log_buf with two records, and
 * 2 MiB of memory with a page pattern. Returns its path (caller frees). */
static char *make_vmcore(const char *name)
{
	static const char *const text[] = { "Linux version 6.1.0-gen", PANIC };
	const char *path = tu_tmp(name);
	struct vmgen *g = vmgen_new();
	uint64_t regs[27] = { 0 };
	uint32_t at = 0;

	regs[17] = 0x10; /* kernel cs */
	vmgen_cpu(g, 235, regs);
	vmgen_cpu(g, 0, regs);
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
	vmgen_load(g, IMG_VA - KMAP, IMG_SIZE, IMG_VA);
	vmgen_pattern(g, IMG_VA - KMAP + 0x180000, 0x80000);
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
	vmgen_poke_u32(g, LB_PTR_VA - KMAP + 16, 0);
	vmgen_poke_u32(g, LB_PTR_VA - KMAP + 24, at);
	assert_int_equal(vmgen_write(g, path), 0);
	vmgen_free(g);
	return kd_strdup(path); /* tu_tmp's buffers are reused */
}

static void settings(struct conf_init *c)
{
	conf_init_defaults(c);
	snprintf(c->path, sizeof(c->path), "/var/crash");
	snprintf(c->hostname, sizeof(c->hostname), "web1");
	c->level = 1;
	c->verify = CONF_VERIFY_NO;
}

/* The one dump directory under top (web1-<date-time>), as a malloc'd path. */
static char *the_dump_dir(const char *top)
{
	DIR *d = opendir(top);
	struct dirent *e;
	char *found = NULL;

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		assert_null(found);
		assert_memory_equal(e->d_name, "web1-", 5);
		found = kd_asprintf("%s/%s", top, e->d_name);
	}
	closedir(d);
	assert_non_null(found);
	return found;
}

static bool exists_in(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static char *read_in(const char *dir, const char *name)
{
	char path[4096];
	size_t len;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf = (char *)tu_read_file(path, &len);
	buf = realloc(buf, len + 1);
	assert_non_null(buf);
	buf[len] = '\0';
	return buf;
}

static void test_local_dump(void **state)
{
	_cleanup_free_ char *vmcore = make_vmcore("good.vmcore");
	const char *mnt = tu_tmp("mnt-good");
	_cleanup_free_ char *dir = NULL, *dmesg = NULL, *info = NULL, *json = NULL;
	struct kd_verify_result vr;
	struct conf_init c;
	struct kd_err err = { 0 };
	char dump[4096];

	settings(&c);
	assert_int_equal(mkdir(mnt, 0755), 0);
	if (kd_init_dump_dir(&c, vmcore, mnt, "test-fs", false, &err) < 0)
		fail_msg("dump: %s", err.msg);
	dir = the_dump_dir(tu_tmp("mnt-good/var/crash"));
	assert_false(exists_in(dir, KD_INCOMPLETE_MARKER));
	assert_true(exists_in(dir, "vmcore.sha256"));
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	if (kd_verify_dump(&(struct kd_verify_args){ .dump = dump }, &vr, &err) < 0)
		fail_msg("verify: %s", err.msg);
	assert_int_equal(vr.format, VMCORE_FORMAT_KDUMP);
	assert_false(vr.incomplete);
	dmesg = read_in(dir, "dmesg.txt");
	assert_string_equal(dmesg, "[    0.001000] Linux version 6.1.0-gen\n"
				   "[    0.002000] " PANIC "\n");
	info = read_in(dir, "info.txt");
	assert_non_null(strstr(info, "Kernel release:  6.1.0-gen\n"));
	assert_non_null(strstr(info, "Panic message:   sysrq triggered crash\n"));
	json = read_in(dir, "info.json");
	assert_non_null(strstr(json, "\"osrelease\": \"6.1.0-gen\""));
	assert_non_null(strstr(json, "\"file\": \""));
}

static void test_local_flat(void **state)
{
	_cleanup_free_ char *vmcore = make_vmcore("flat.vmcore");
	const char *mnt = tu_tmp("mnt-flat");
	_cleanup_free_ char *dir = NULL, *flat = NULL, *dump = NULL;
	struct kd_reassemble_result rr;
	struct conf_init c;
	struct kd_err err = { 0 };

	settings(&c);
	c.flat = true;
	c.keep = 1;
	assert_int_equal(mkdir(mnt, 0755), 0);
	if (kd_init_dump_dir(&c, vmcore, mnt, "test-fs", false, &err) < 0)
		fail_msg("dump: %s", err.msg);
	dir = the_dump_dir(tu_tmp("mnt-flat/var/crash"));
	assert_false(exists_in(dir, KD_INCOMPLETE_MARKER));
	assert_true(exists_in(dir, "vmcore.flat.sha256"));
	assert_true(exists_in(dir, "info.json"));
	flat = kd_asprintf("%s/vmcore.flat", dir);
	dump = kd_asprintf("%s/vmcore", dir);
	assert_int_equal(kd_manifest_verify(flat, NULL, NULL, &err), 0);
	if (kd_reassemble(&(struct kd_reassemble_args){ .input = flat, .output = dump }, &rr,
			  &err) < 0)
		fail_msg("reassemble: %s", err.msg);
	assert_false(rr.incomplete);
}

/* A vmcore cut inside its memory: the reader's own words come back, the marker stays. */
static void test_local_damaged(void **state)
{
	_cleanup_free_ char *vmcore = make_vmcore("cut.vmcore");
	const char *mnt = tu_tmp("mnt-cut");
	_cleanup_free_ char *dir = NULL;
	struct conf_init c;
	struct kd_err err = { 0 };
	struct stat st;
	int r;

	assert_int_equal(stat(vmcore, &st), 0);
	assert_int_equal(truncate(vmcore, st.st_size - 0x100000), 0);
	settings(&c);
	assert_int_equal(mkdir(mnt, 0755), 0);
	r = kd_init_dump_dir(&c, vmcore, mnt, "test-fs", false, &err);
	assert_true(r < 0);
	print_message("error: %s\n", err.msg);
	/* the vmcore reader's message, not a command's exit status */
	assert_memory_equal(err.msg, vmcore, strlen(vmcore));
	assert_non_null(strstr(err.msg, "truncated file?"));
	assert_null(strstr(err.msg, "exited"));
	dir = the_dump_dir(tu_tmp("mnt-cut/var/crash"));
	assert_true(exists_in(dir, KD_INCOMPLETE_MARKER));
	assert_false(exists_in(dir, "vmcore"));
}

/* compress=none: the init's capture writes an uncompressed kdump-compressed dump. */
static void test_uncompressed(void **state)
{
	_cleanup_free_ char *vmcore = make_vmcore("comp.vmcore");
	struct vmcore *vc = NULL;
	struct conf_init c;
	struct kd_err err = { 0 };

	settings(&c);
	c.compress = CONF_COMPRESS_NONE;
	assert_int_equal(kd_init_capture(&c, vmcore, tu_tmp("comp.dump"), -1, &err), 0);
	assert_int_equal(vmcore_open(tu_tmp("comp.dump"), &vc, &err), 0);
	assert_false(vmcore_dumpinfo(vc)->incomplete);
	vmcore_close(vc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_dump),
		cmocka_unit_test(test_local_flat),
		cmocka_unit_test(test_local_damaged),
		cmocka_unit_test(test_uncompressed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
