// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the kernel log reader: generated ring buffers and log_bufs, hostile values, fixtures. */
#include "testutil.h"
#include "printk.h"
#include "vmgen.h"
#include "vmcore/vmcore.h"

#include <inttypes.h>

/*
 * Generated dumps put everything in the kernel image mapping (va - 0xffffffff80000000 = pa,
 * phys_base 0), so translation needs no page tables. init_top_pgt is the image's first page,
 * left zero: any other address is "not mapped".
 */
#define KMAP UINT64_C(0xffffffff80000000)
#define IMG_VA UINT64_C(0xffffffff81000000)
#define IMG_SIZE 0x200000ULL
#define PRB_VA (IMG_VA + 0x2000)	/* the pointer prb */
#define RB_VA (IMG_VA + 0x2100)		/* struct printk_ringbuffer */
#define LB_PTR_VA (IMG_VA + 0x2200)	/* legacy: log_buf, log_buf_len, first, next */
#define LB_LEN_VA (IMG_VA + 0x2208)
#define LB_FIRST_VA (IMG_VA + 0x2210)
#define LB_NEXT_VA (IMG_VA + 0x2218)
#define DESCS_VA (IMG_VA + 0x10000)
#define INFOS_VA (IMG_VA + 0x40000)
#define DATA_VA (IMG_VA + 0x100000)
#define UNMAPPED_VA UINT64_C(0xffffc90000000000)

static uint64_t pa(uint64_t va)
{
	return va - KMAP;
}

static struct vmgen *gen_base(uint32_t pid0, uint32_t pid1)
{
	struct vmgen *g = vmgen_new();
	uint64_t regs[27] = { 0 };

	regs[17] = 0x10;	/* kernel cs */
	vmgen_cpu(g, pid0, regs);
	regs[17] = 0x33;	/* user cs */
	vmgen_cpu(g, pid1, regs);
	vmgen_info_kernel(g, "6.1.0-gen", 4096, IMG_VA);
	vmgen_load(g, pa(IMG_VA), IMG_SIZE, IMG_VA);
	return g;
}

/* ---- logs written as the kernel does (tests/support/printk.c) --------------------------- */

/* The image: where the logs of these dumps live. */
static struct pk_mem image(struct vmgen *g)
{
	return (struct pk_mem){ vmgen_phys(g, pa(IMG_VA)), IMG_VA, IMG_SIZE };
}

/* A ring at RB_VA (descriptors, infos and data at DESCS_VA, INFOS_VA, DATA_VA), prb -> it. */
static void tring_init(struct pk_ring *r, struct vmgen *g, unsigned count_bits, unsigned size_bits,
		       uint64_t first_id, uint64_t first_lpos)
{
	vmgen_poke_u64(g, pa(PRB_VA), RB_VA);
	pk_ring_init(r, image(g), RB_VA, DESCS_VA, INFOS_VA, DATA_VA, count_bits, size_bits,
		     first_id, first_lpos);
}

static uint64_t tring_add(struct pk_ring *r, uint64_t ts, uint32_t caller, const char *text)
{
	return pk_ring_add(r, ts, caller, text, strlen(text), 2);
}

/* ---- running the reader ----------------------------------------------------------------- */

static char *run_dmesg(const char *path, unsigned flags, struct vmcore_log_stats *st, int *ret_r,
		       struct kd_err *err)
{
	struct vmcore *vc;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(vmcore_open(path, &vc, err), 0);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	*ret_r = vmcore_dmesg_file(vc, flags, f, st, err);
	fclose(f);
	vmcore_close(vc);
	return out;
}

static char *dmesg_ok(struct vmgen *g, const char *name, unsigned flags,
		      struct vmcore_log_stats *st)
{
	const char *path = tu_tmp(name);
	struct kd_err err = { 0 };
	char *out;
	int r;

	assert_int_equal(vmgen_write(g, path), 0);
	out = run_dmesg(path, flags, st, &r, &err);
	if (r != 0)
		fail_msg("dmesg failed: %s", err.msg);
	return out;
}

/* Writes g and expects an error whose message contains want. */
static void dmesg_fails(struct vmgen *g, const char *name, const char *want)
{
	const char *path = tu_tmp(name);
	struct vmcore_log_stats st;
	struct kd_err err = { 0 };
	char *out;
	int r;

	assert_int_equal(vmgen_write(g, path), 0);
	out = run_dmesg(path, 0, &st, &r, &err);
	free(out);
	assert_true(r < 0);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
	if (!strstr(err.msg, path))
		fail_msg("error \"%s\" does not name the file", err.msg);
}

/* ---- tests: formatting ------------------------------------------------------------------ */

static void test_format(void **state)
{
	static const char text[] = "a\tb\x01\x7f\x80\xff\rc\nsecond line";
	struct vmcore_log_record rec = {
		.ts_nsec = 1000002500, .caller_id = 5, .has_caller = true,
		.text = text, .text_len = sizeof(text) - 1,
	};
	char *buf = NULL;
	size_t cap = 0, len;

	assert_int_equal(vmcore_dmesg_format(&rec, 0, &buf, &cap, &len), 0);
	assert_string_equal(buf, "[    1.000002] a\tb\\x01\\x7f\\x80\\xff\rc\n"
				 "               second line\n");
	assert_int_equal(len, strlen(buf));
	assert_int_equal(vmcore_dmesg_format(&rec, VMCORE_DMESG_CALLER, &buf, &cap, &len), 0);
	assert_string_equal(buf, "[    1.000002] [      T5] a\tb\\x01\\x7f\\x80\\xff\rc\n"
				 "                          second line\n");
	/* CPU callers; a timestamp wider than the column; an empty text. */
	rec.caller_id = 0x80000001;
	rec.ts_nsec = 123456789012345678ULL;
	rec.text_len = 0;
	assert_int_equal(vmcore_dmesg_format(&rec, VMCORE_DMESG_CALLER, &buf, &cap, &len), 0);
	assert_string_equal(buf, "[123456789.012345] [      C1] \n");
	/* No caller recorded: the column is left out even when asked for. */
	rec.has_caller = false;
	assert_int_equal(vmcore_dmesg_format(&rec, VMCORE_DMESG_CALLER, &buf, &cap, &len), 0);
	assert_string_equal(buf, "[123456789.012345] \n");
	free(buf);
}

/* ---- tests: lockless ring --------------------------------------------------------------- */

static void test_lockless_basic(void **state)
{
	struct vmgen *g = gen_base(235, 0);
	struct vmcore_log_stats st;
	struct pk_ring r;
	char *out;

	vmgen_info_printk(g, PRB_VA, true, NULL);
	tring_init(&r, g, 4, 12, (uint32_t)-(16 + 1), -(1ULL << 12));
	tring_add(&r, 0, 0, "Linux version 6.1.0-gen");
	tring_add(&r, 1500000, 1, "two\nlines");
	pk_ring_add_dataless(&r, 2000000, 1);	/* FAILED_LPOS */
	pk_ring_add_dataless(&r, 2100000, 3);	/* EMPTY_LINE_LPOS */
	pk_ring_add(&r, 2200000, 0x80000001, "\x1b[31mred\xc3\xa9", 10, 2);
	pk_ring_add(&r, 2300000, 7, "committed", 9, 1);
	pk_ring_add(&r, 2400000, 7, "reserved", 8, 0);
	pk_ring_add(&r, 2500000, 7, "reusable", 8, 3);
	tring_add(&r, 18639354000ULL, 235, "sysrq: Trigger a crash");

	out = dmesg_ok(g, "basic.vmcore", 0, &st);
	assert_string_equal(out, "[    0.000000] Linux version 6.1.0-gen\n"
				 "[    0.001500] two\n"
				 "               lines\n"
				 "[    0.002200] \\x1b[31mred\\xc3\\xa9\n"
				 "[    0.002300] committed\n"
				 "[   18.639354] sysrq: Trigger a crash\n");
	free(out);
	assert_int_equal(st.kind, VMCORE_LOG_LOCKLESS);
	assert_int_equal(st.records, 5);
	/* 2 data-less, reserved, reusable: the initial tail (DESC0_ID) is not in this ring. */
	assert_int_equal(st.skipped, 4);
	assert_int_equal(st.invalid, 0);
	assert_string_equal(st.warning, "");

	out = dmesg_ok(g, "basic.vmcore", VMCORE_DMESG_CALLER, &st);
	assert_string_equal(out, "[    0.000000] [      T0] Linux version 6.1.0-gen\n"
				 "[    0.001500] [      T1] two\n"
				 "                          lines\n"
				 "[    0.002200] [      C1] \\x1b[31mred\\xc3\\xa9\n"
				 "[    0.002300] [      T7] committed\n"
				 "[   18.639354] [    T235] sysrq: Trigger a crash\n");
	free(out);
	vmgen_free(g);
}

/*
 * Many records through a small ring: IDs wrap past 2^62, logical positions past 2^64, data
 * blocks wrap to index 0, old records are overwritten. The output is exactly the records
 * still alive, in order.
 */
static void test_lockless_wrap(void **state)
{
	for (int with_caller = 0; with_caller < 2; with_caller++) {
		struct vmgen *g = gen_base(1, 0);
		struct vmcore_log_stats st;
		char want[16384], text[64];
		uint64_t ids[200];
		size_t wl = 0;
		struct pk_ring r;
		char *out;

		vmgen_info_printk(g, PRB_VA, with_caller, NULL);
		tring_init(&r, g, 3, 8, PK_ID_MASK - 20, -(3ULL << 8) + 40);
		for (int i = 0; i < 200; i++) {
			/* Lengths vary so blocks land on every alignment of the wrap. */
			int n = snprintf(text, sizeof(text), "message %d %.*s", i, i % 37,
					 "abcdefghijklmnopqrstuvwxyz0123456789");
			ids[i] = pk_ring_add(&r, 1000000ULL * (uint64_t)i, (uint32_t)i, text,
						 (size_t)n, 2);
		}
		/* IDs wrapped past 2^62 - 1 to 0. */
		assert_true(ids[0] > ids[199]);
		assert_true(r.nlive >= 2);
		for (size_t k = 0; k < r.nlive; k++) {
			int i = 0;
			while (ids[i] != r.live[k].id)
				i++;
			wl += (size_t)snprintf(want + wl, sizeof(want) - wl,
					       "[    0.%06d] message %d %.*s\n", i * 1000, i, i % 37,
					       "abcdefghijklmnopqrstuvwxyz0123456789");
		}
		out = dmesg_ok(g, "wrap.vmcore", 0, &st);
		assert_string_equal(out, want);
		assert_int_equal(st.records, r.nlive);
		assert_int_equal(st.invalid, 0);
		free(out);
		vmgen_free(g);
	}
}

static void test_lockless_truncated_and_bad_blocks(void **state)
{
	struct vmgen *g = gen_base(1, 0);
	struct vmcore_log_stats st;
	struct pk_ring r;
	uint64_t id;
	char *out;

	vmgen_info_printk(g, PRB_VA, false, NULL);
	tring_init(&r, g, 4, 12, 0, 0);
	/* text_len past its block: cut to the block (8 bytes of text here). */
	id = tring_add(&r, 1000, 0, "12345678");
	vmgen_poke_u16(g, pa(INFOS_VA + (id % 16) * 88 + 16), 60000);
	/* A block not 8-byte aligned, and a "wrapped" block ending at index 0: no room for its ID. */
	id = tring_add(&r, 2000, 0, "misaligned");
	vmgen_poke_u64(g, pa(DESCS_VA + (id % 16) * 24 + 8), r.live[1].begin + 4);
	id = tring_add(&r, 3000, 0, "tiny");
	vmgen_poke_u64(g, pa(DESCS_VA + (id % 16) * 24 + 16), (r.live[2].begin & ~4095ULL) + 4096);
	tring_add(&r, 4000, 0, "last");
	out = dmesg_ok(g, "blocks.vmcore", 0, &st);
	assert_string_equal(out, "[    0.000001] 12345678\n[    0.000004] last\n");
	assert_int_equal(st.truncated, 1);
	assert_int_equal(st.invalid, 2);
	assert_non_null(strstr(st.warning, "not 8-byte aligned"));
	free(out);
	vmgen_free(g);
}

static void test_lockless_hostile_ring(void **state)
{
	struct vmcore_log_stats st;
	struct vmgen *g;
	struct pk_ring r;
	char *out;

	/* count_bits 60: refused, not 2^60 iterations. */
	g = gen_base(1, 0);
	vmgen_info_printk(g, PRB_VA, false, NULL);
	tring_init(&r, g, 4, 12, 0, 0);
	tring_add(&r, 1, 0, "x");
	vmgen_poke_u32(g, pa(RB_VA), 60);
	dmesg_fails(g, "cb60.vmcore", "count_bits 60");
	vmgen_poke_u32(g, pa(RB_VA), 4);
	/* size_bits 0 and 63: refused. */
	vmgen_poke_u32(g, pa(RB_VA + 48), 0);
	dmesg_fails(g, "sb0.vmcore", "size_bits 0");
	vmgen_poke_u32(g, pa(RB_VA + 48), 63);
	dmesg_fails(g, "sb63.vmcore", "size_bits 63");
	vmgen_poke_u32(g, pa(RB_VA + 48), 12);
	/* prb points nowhere. */
	vmgen_poke_u64(g, pa(PRB_VA), UNMAPPED_VA);
	dmesg_fails(g, "prbnull.vmcore", "printk ring buffer");
	vmgen_free(g);

	/* The descriptor array is not in the dump: every record is invalid, counted, no crash. */
	g = gen_base(1, 0);
	vmgen_info_printk(g, PRB_VA, false, NULL);
	tring_init(&r, g, 4, 12, 0, 0);
	tring_add(&r, 1, 0, "x");
	tring_add(&r, 2, 0, "y");
	vmgen_poke_u64(g, pa(RB_VA + 8), UNMAPPED_VA);
	out = dmesg_ok(g, "nodescs.vmcore", 0, &st);
	assert_string_equal(out, "");
	assert_int_equal(st.invalid, 2);
	free(out);
	vmgen_free(g);

	/*
	 * 2^16 descriptors outside the dump: each is invalid with the same reason (the unreadable
	 * page is remembered, not walked to again for each of its descriptors: fuzz-dmesg found
	 * a 2^20-descriptor ring taking seconds).
	 */
	g = gen_base(1, 0);
	vmgen_info_printk(g, PRB_VA, false, NULL);
	tring_init(&r, g, 4, 12, 0, 0);
	tring_add(&r, 1, 0, "x");
	vmgen_poke_u32(g, pa(RB_VA), 16);
	vmgen_poke_u64(g, pa(RB_VA + 8), UNMAPPED_VA);
	vmgen_poke_u64(g, pa(RB_VA + 24), 0xffff);	/* head */
	vmgen_poke_u64(g, pa(RB_VA + 32), 0);		/* tail */
	out = dmesg_ok(g, "nodescs16.vmcore", 0, &st);
	assert_string_equal(out, "");
	assert_int_equal(st.invalid, 65536);
	assert_non_null(strstr(st.warning, "unreadable"));
	free(out);
	vmgen_free(g);

	/*
	 * head_id with state bits set, and a tail_id ahead of head (IDs that never reach head
	 * going forward): the walk reads at most count IDs, ending at head.
	 */
	g = gen_base(1, 0);
	vmgen_info_printk(g, PRB_VA, false, NULL);
	tring_init(&r, g, 4, 12, 100, 0);
	tring_add(&r, 1000, 0, "one");
	tring_add(&r, 2000, 0, "two");
	vmgen_poke_u64(g, pa(RB_VA + 24), (3ULL << 62) | 101);
	vmgen_poke_u64(g, pa(RB_VA + 32), 5000);
	out = dmesg_ok(g, "headtail.vmcore", 0, &st);
	assert_string_equal(out, "[    0.000001] one\n[    0.000002] two\n");
	assert_non_null(strstr(st.warning, "further apart"));
	assert_int_equal(st.records, 2);
	assert_int_equal(st.skipped, 14);
	free(out);
	vmgen_free(g);
}

static void test_lockless_bad_keys(void **state)
{
	static const struct {
		const char *override, *want;
	} cases[] = {
		{ "SIZE(prb_desc)=5000", "SIZE(prb_desc)=5000, more than" },
		{ "OFFSET(printk_info.text_len)=87", "printk_info.text_len at offset 87" },
		{ "OFFSET(prb_desc_ring.tail_id)=86", "printk_ringbuffer.desc_ring.tail_id" },
		{ "SIZE(printk_info)=0", "ts_nsec at offset 8" },
		{ "OFFSET(prb_desc.state_var)=x", "bad value for OFFSET(prb_desc.state_var)" },
	};
	struct vmgen *g;
	struct pk_ring r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		g = gen_base(1, 0);
		vmgen_info_printk(g, PRB_VA, false, cases[i].override);
		tring_init(&r, g, 4, 12, 0, 0);
		tring_add(&r, 1, 0, "x");
		dmesg_fails(g, "badkey.vmcore", cases[i].want);
		vmgen_free(g);
	}

	g = gen_base(1, 0);
	vmgen_info(g, "SYMBOL(prb)=%" PRIx64, PRB_VA);
	vmgen_info(g, "SIZE(printk_ringbuffer)=88");
	tring_init(&r, g, 4, 12, 0, 0);
	dmesg_fails(g, "nokeys.vmcore", "VMCOREINFO lacks OFFSET(printk_ringbuffer.desc_ring)");
	vmgen_free(g);
}

/* ---- tests: legacy log_buf -------------------------------------------------------------- */

/* A log_buf of len bytes at DATA_VA, its symbols at LB_PTR_VA. */
static void tlegacy_init(struct pk_log *l, struct vmgen *g, uint32_t len, bool caller)
{
	pk_log_init(l, image(g), LB_PTR_VA, DATA_VA, len, caller);
}

static void test_legacy_basic(void **state)
{
	struct vmgen *g = gen_base(1, 0);
	struct vmcore_log_stats st;
	struct pk_log l;
	char *out;

	vmgen_info_log_buf(g, LB_PTR_VA, true);
	tlegacy_init(&l, g, 4096, true);
	pk_log_add(&l, 0, 0, "Linux version 5.4.0-gen", "");
	pk_log_add(&l, 1234567, 0x80000000, "acpi device\nsecond", "SUBSYSTEM=acpi");
	pk_log_add(&l, 2000000000, 42, "bytes \x01\xfe", "");
	out = dmesg_ok(g, "legacy.vmcore", 0, &st);
	assert_string_equal(out, "[    0.000000] Linux version 5.4.0-gen\n"
				 "[    0.001234] acpi device\n"
				 "               second\n"
				 "[    2.000000] bytes \\x01\\xfe\n");
	free(out);
	assert_int_equal(st.kind, VMCORE_LOG_LEGACY);
	assert_int_equal(st.records, 3);
	out = dmesg_ok(g, "legacy.vmcore", VMCORE_DMESG_CALLER, &st);
	assert_string_equal(out, "[    0.000000] [      T0] Linux version 5.4.0-gen\n"
				 "[    0.001234] [      C0] acpi device\n"
				 "                          second\n"
				 "[    2.000000] [     T42] bytes \\x01\\xfe\n");
	free(out);
	vmgen_free(g);
}

static void test_legacy_wrap(void **state)
{
	struct vmgen *g = gen_base(1, 0);
	struct vmcore_log_stats st;
	char want[16384], text[64];
	size_t wl = 0;
	struct pk_log l;
	char *out;

	vmgen_info_log_buf(g, LB_PTR_VA, false);
	tlegacy_init(&l, g, 512, false);
	for (int i = 0; i < 100; i++) {
		snprintf(text, sizeof(text), "line %d %.*s", i, i % 29, "abcdefghijklmnopqrstuvwxyz");
		pk_log_add(&l, 1000000000ULL * (uint64_t)i, 0, text, i % 3 ? "" : "DEVICE=x");
	}
	/* The log wrapped: first > next, a zero marker before the end. */
	assert_true(l.live[0].off > l.next);
	for (size_t k = 0; k < l.nlive; k++) {
		uint64_t ts = 0;
		uint8_t *p = vmgen_phys(g, pa(DATA_VA + l.live[k].off));
		memcpy(&ts, p, 8);
		int i = (int)(ts / 1000000000ULL);
		wl += (size_t)snprintf(want + wl, sizeof(want) - wl, "[%5d.000000] line %d %.*s\n",
				       i, i, i % 29, "abcdefghijklmnopqrstuvwxyz");
	}
	out = dmesg_ok(g, "legacy-wrap.vmcore", 0, &st);
	assert_string_equal(out, want);
	assert_int_equal(st.records, l.nlive);
	assert_int_equal(st.invalid, 0);
	free(out);
	vmgen_free(g);
}

static void test_legacy_hostile(void **state)
{
	struct vmcore_log_stats st;
	struct vmgen *g;
	struct pk_log l;
	char *out;

	/* A record shorter than its header: the chain is lost there; what came before stays. */
	g = gen_base(1, 0);
	vmgen_info_log_buf(g, LB_PTR_VA, false);
	tlegacy_init(&l, g, 1024, false);
	pk_log_add(&l, 1000, 0, "good", "");
	pk_log_add(&l, 2000, 0, "bad", "");
	pk_log_add(&l, 3000, 0, "after", "");
	vmgen_poke_u16(g, pa(DATA_VA + l.live[1].off + 8), 4);
	out = dmesg_ok(g, "lg-short.vmcore", 0, &st);
	assert_string_equal(out, "[    0.000001] good\n");
	assert_int_equal(st.invalid, 1);
	assert_non_null(strstr(st.warning, "corrupt"));
	free(out);

	/* Zero-length markers everywhere, next never reached: one wrap, then stop. */
	vmgen_poke_u16(g, pa(DATA_VA + l.live[0].off + 8), 0);
	vmgen_poke_u32(g, pa(LB_NEXT_VA), 8);
	out = dmesg_ok(g, "lg-loop.vmcore", 0, &st);
	assert_string_equal(out, "");
	assert_int_equal(st.invalid, 1);
	assert_non_null(strstr(st.warning, "wraps twice"));
	free(out);

	/* text_len past the record: cut to the record. */
	tlegacy_init(&l, g, 1024, false);
	pk_log_add(&l, 1000, 0, "abcdefgh", "");
	vmgen_poke_u16(g, pa(DATA_VA + 10), 65535);
	out = dmesg_ok(g, "lg-tl.vmcore", 0, &st);
	assert_string_equal(out, "[    0.000001] abcdefgh\n");
	assert_int_equal(st.truncated, 1);
	free(out);

	/* Implausible sizes and indexes are errors. */
	vmgen_poke_u32(g, pa(LB_LEN_VA), 0);
	dmesg_fails(g, "lg-len0.vmcore", "log_buf_len is 0");
	vmgen_poke_u32(g, pa(LB_LEN_VA), 1024);
	vmgen_poke_u32(g, pa(LB_FIRST_VA), 5000);
	dmesg_fails(g, "lg-first.vmcore", "log_first_idx 5000");
	vmgen_free(g);
}

/* ---- tests: missing pieces -------------------------------------------------------------- */

static void test_missing(void **state)
{
	struct vmgen *g;

	g = gen_base(1, 0);
	vmgen_no_vmcoreinfo(g);
	dmesg_fails(g, "noinfo.vmcore", "no VMCOREINFO");
	vmgen_free(g);

	g = gen_base(1, 0);
	dmesg_fails(g, "nolog.vmcore", "neither SYMBOL(prb)");
	vmgen_free(g);

	/* log_buf's variables outside the dump. */
	g = gen_base(1, 0);
	vmgen_info(g, "SYMBOL(log_buf)=%" PRIx64, UNMAPPED_VA);
	vmgen_info(g, "SYMBOL(log_buf_len)=%" PRIx64, UNMAPPED_VA + 8);
	vmgen_info(g, "SYMBOL(log_first_idx)=%" PRIx64, UNMAPPED_VA + 16);
	vmgen_info(g, "SYMBOL(log_next_idx)=%" PRIx64, UNMAPPED_VA + 24);
	vmgen_info(g, "SIZE(printk_log)=16");
	vmgen_info(g, "OFFSET(printk_log.ts_nsec)=0");
	vmgen_info(g, "OFFSET(printk_log.len)=8");
	vmgen_info(g, "OFFSET(printk_log.text_len)=10");
	dmesg_fails(g, "lg-unmapped.vmcore", "log_buf variables");
	vmgen_free(g);
}

/* ---- tests: panic message and crashing CPU ------------------------------------------------ */

static void panic_of(struct vmgen *g, const char *name, struct vmcore_panic *p, size_t *cpu,
		     const char **how)
{
	const char *path = tu_tmp(name);
	struct kd_err err = { 0 };
	struct vmcore *vc;

	assert_int_equal(vmgen_write(g, path), 0);
	assert_int_equal(vmcore_open(path, &vc, &err), 0);
	if (vmcore_dmesg_panic(vc, p, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(vmcore_crashing_cpu(vc, p, cpu, how), 0);
	vmcore_close(vc);
}

static void test_panic(void **state)
{
	struct vmcore_panic p;
	struct vmgen *g;
	struct pk_ring r;
	const char *how;
	size_t cpu;

	/* A WARN's task line before the panic does not count; the one after it does. */
	g = gen_base(0, 42);
	vmgen_info_printk(g, PRB_VA, true, NULL);
	tring_init(&r, g, 5, 12, 0, 0);
	tring_add(&r, 1, 0, "CPU: 0 PID: 99 Comm: old Not tainted");
	tring_add(&r, 2, 42, "sysrq: Trigger a crash");
	tring_add(&r, 3, 42, "Kernel panic - not syncing: sysrq triggered crash");
	tring_add(&r, 4, 42, "CPU: 1 UID: 0 PID: 42 Comm: bash Kdump: loaded Not tainted");
	tring_add(&r, 5, 42, "CPU: 0 PID: 7 Comm: later Not tainted");
	panic_of(g, "panic.vmcore", &p, &cpu, &how);
	assert_true(p.has_message);
	assert_string_equal(p.message, "sysrq triggered crash");
	assert_int_equal(p.message_ts_nsec, 3);
	assert_true(p.has_task);
	assert_int_equal(p.cpu, 1);
	assert_int_equal(p.pid, 42);
	assert_string_equal(p.comm, "bash");
	assert_int_equal(cpu, 1);
	assert_string_equal(how, "log");
	vmgen_free(g);

	/* An oops without a panic line (crash_kexec from oops_end); control bytes escaped. */
	g = gen_base(0, 0);
	vmgen_info_printk(g, PRB_VA, false, NULL);
	tring_init(&r, g, 5, 12, 0, 0);
	tring_add(&r, 1, 0, "BUG: kernel NULL pointer dereference, address: 0\x1b[2J");
	tring_add(&r, 2, 0, "CPU: 1 PID: 0 Comm: swapper/1 Not tainted");
	panic_of(g, "oops.vmcore", &p, &cpu, &how);
	assert_string_equal(p.message, "BUG: kernel NULL pointer dereference, address: 0\\x1b[2J");
	assert_int_equal(p.pid, 0);
	assert_string_equal(p.comm, "swapper/1");
	assert_int_equal(cpu, 1);	/* PID 0: the note of CPU 1, whose pid is 0 too */
	assert_string_equal(how, "log");
	vmgen_free(g);

	/* No task line: the first note with a task in kernel mode (note 1 is in user mode). */
	g = gen_base(0, 42);
	vmgen_info_printk(g, PRB_VA, false, NULL);
	tring_init(&r, g, 5, 12, 0, 0);
	tring_add(&r, 1, 0, "Kernel panic - not syncing: Fatal exception");
	panic_of(g, "nocpu.vmcore", &p, &cpu, &how);
	assert_string_equal(p.message, "Fatal exception");
	assert_false(p.has_task);
	assert_int_equal(cpu, 1);
	assert_string_equal(how, "pid");
	vmgen_free(g);
}

/* ---- tests: the fixtures ---------------------------------------------------------------- */

static void fixture(const char *name, uint32_t pid)
{
	const char *path = tu_fixture_vmcore(name);
	struct vmcore_log_stats st;
	struct vmcore_panic p;
	struct kd_err err = { 0 };
	struct vmcore *vc;
	const char *how;
	uint8_t *want;
	size_t wlen, cpu;
	char *out;
	int r;

	if (!path) {
		tu_skip_or_fail("fixture vmcore missing (make fixtures)");
		return;
	}
	want = tu_read_file(tu_fixture_file(name, "dmesg.txt"), &wlen);
	out = run_dmesg(path, 0, &st, &r, &err);
	assert_int_equal(r, 0);
	assert_int_equal(strlen(out), wlen);
	assert_memory_equal(out, want, wlen);
	assert_int_equal(st.invalid, 0);
	free(out);
	free(want);

	assert_int_equal(vmcore_open(path, &vc, &err), 0);
	assert_int_equal(vmcore_dmesg_panic(vc, &p, &err), 0);
	assert_string_equal(p.message, "sysrq triggered crash");
	assert_int_equal(p.pid, pid);
	assert_string_equal(p.comm, "sh");
	assert_int_equal(vmcore_crashing_cpu(vc, &p, &cpu, &how), 0);
	assert_int_equal(cpu, 0);
	assert_string_equal(how, "log");
	vmcore_close(vc);
}

static void test_fixture_61(void **state)
{
	fixture("x86_64-6.1-1G", 235);
}

static void test_fixture_612(void **state)
{
	fixture("x86_64-6.12-1G", 277);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_lockless_basic),
		cmocka_unit_test(test_lockless_wrap),
		cmocka_unit_test(test_lockless_truncated_and_bad_blocks),
		cmocka_unit_test(test_lockless_hostile_ring),
		cmocka_unit_test(test_lockless_bad_keys),
		cmocka_unit_test(test_legacy_basic),
		cmocka_unit_test(test_legacy_wrap),
		cmocka_unit_test(test_legacy_hostile),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_panic),
		cmocka_unit_test(test_fixture_61),
		cmocka_unit_test(test_fixture_612),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
