// SPDX-License-Identifier: GPL-2.0-or-later
/* The purgatory's digest check, compiled for the host and run over a real plan's segments. */
#include "testutil.h"
#include "loader/loader.h"
#include "loader/purgatory/params.h"
/* The very code the purgatory runs (loader/purgatory.mk builds the same file freestanding). */
#include "loader/purgatory/verify.c"

#include <fcntl.h>
#include <unistd.h>

static char kernel_path[4096];

static void make_kernel(void)
{
	size_t setup = 5 * 512, len = setup + (3 << 20);
	uint8_t *b = calloc(1, len);
	int fd;

	snprintf(kernel_path, sizeof(kernel_path), "%s", tu_tmp("bz"));
	b[0x1f1] = 4;
	kd_put_le16(b + 0x1fe, 0xaa55);
	b[0x201] = 0x6a;
	memcpy(b + 0x202, "HdrS", 4);
	kd_put_le16(b + 0x206, 0x020f);
	b[0x211] = 1;
	kd_put_le32(b + 0x230, 0x200000);
	b[0x234] = 1;
	kd_put_le16(b + 0x236, 3);
	kd_put_le32(b + 0x238, 2047);
	kd_put_le32(b + 0x260, 0x800000);
	for (size_t i = setup; i < len; i++)
		b[i] = (uint8_t)(i ^ i >> 11);
	fd = open(kernel_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(kd_write_all(fd, b, len), 0);
	close(fd);
	free(b);
}

/*
 * Lays the plan's segments out in host memory as the kernel would in the reservation (buffer,
 * then zeros up to memsz) and points the purgatory's regions at those copies.
 */
static void test_verify_plan_segments(void **state)
{
	const char *root = tu_fixture_file("x86_64-6.1-1G", "sysroot");
	struct loader_opts o = { .mode = LOADER_MODE_CRASH, .append = "console=ttyS0" };
	struct loader_sysinfo *si;
	struct loader_plan *plan;
	struct kd_err err = { 0 };
	struct kd_purgatory_params pp = { 0 };
	uint8_t *mem[LOADER_MAX_SEGMENTS] = { 0 };
	size_t idx[LOADER_MAX_SEGMENTS], n = 0, kernel_region = 0;

	if (access(root, R_OK) < 0) {
		tu_skip_or_fail("fixture sysroot missing (set SHARED)");
		return;
	}
	make_kernel();
	o.kernel_path = kernel_path;
	assert_int_equal(loader_sysinfo_read(root, &si, &err), 0);
	assert_int_equal(loader_plan_create(si, &o, &plan, &err), 0);
	for (size_t i = 0; i < plan->n_seg; i++) {
		if (plan->seg[i].kind == LOADER_SEG_PURGATORY) {
			memcpy(&pp, plan->seg[i].buf + KD_PURGATORY_PARAMS_OFFSET, sizeof(pp));
			continue;
		}
		if (plan->seg[i].kind == LOADER_SEG_KERNEL)
			kernel_region = n;
		idx[n++] = i;
	}
	assert_int_equal(pp.nr_regions, n);
	for (size_t r = 0; r < n; r++) {
		const struct loader_segment *s = &plan->seg[idx[r]];
		assert_int_equal(pp.regions[r].start, s->mem);
		mem[r] = calloc(1, s->memsz);
		assert_non_null(mem[r]);
		memcpy(mem[r], s->buf, s->bufsz);
		pp.regions[r].start = (uint64_t)(uintptr_t)mem[r];
	}

	/* intact: every digest matches */
	assert_int_equal(kd_purgatory_verify(&pp), -1);
	/* one flipped bit in the kernel payload: that region is refused */
	mem[kernel_region][12345] ^= 0x10;
	assert_int_equal(kd_purgatory_verify(&pp), (int)kernel_region);
	mem[kernel_region][12345] ^= 0x10;
	/* the last byte passed is checked; the kernel's zero fill past bufsz is not (it is the
	 * decompressor's scratch or the bss, written before it is read) */
	mem[kernel_region][plan->seg[idx[kernel_region]].bufsz - 1] ^= 1;
	assert_int_equal(kd_purgatory_verify(&pp), (int)kernel_region);
	mem[kernel_region][plan->seg[idx[kernel_region]].bufsz - 1] ^= 1;
	assert_int_equal(pp.regions[kernel_region].len, plan->seg[idx[kernel_region]].bufsz);
	/* boot_params: a changed command line pointer */
	for (size_t r = 0; r < n; r++)
		if (plan->seg[idx[r]].kind == LOADER_SEG_BOOT_PARAMS) {
			mem[r][0x228] ^= 1; /* cmd_line_ptr */
			assert_int_equal(kd_purgatory_verify(&pp), (int)r);
			mem[r][0x228] ^= 1;
		}
	assert_int_equal(kd_purgatory_verify(&pp), -1);
	/* a corrupt table is refused, not trusted */
	pp.nr_regions = 17;
	assert_int_equal(kd_purgatory_verify(&pp), 17);

	for (size_t r = 0; r < n; r++)
		free(mem[r]);
	loader_plan_destroy(plan);
	loader_sysinfo_destroy(si);
}

/* The embedded blob: entry at 0 (a jump), the parameter block at 0x40, no absolute address. */
static void test_blob_layout(void **state)
{
	const uint8_t *b;
	size_t n;
	struct kd_purgatory_params pp;

	loader_purgatory_blob(&b, &n);
	assert_true(n > KD_PURGATORY_PARAMS_OFFSET + sizeof(pp));
	assert_true(n < 64 * 1024);
	assert_true(b[0] == 0xe9 || b[0] == 0xeb);
	memcpy(&pp, b + KD_PURGATORY_PARAMS_OFFSET, sizeof(pp));
	assert_int_equal(pp.magic, KD_PURGATORY_MAGIC);
	assert_int_equal(pp.version, 1);
	assert_int_equal(pp.size, sizeof(pp));
	assert_int_equal(pp.nr_regions, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blob_layout),
		cmocka_unit_test(test_verify_plan_segments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
