// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the kernel log walk (lockless printk ring buffer or legacy log_buf), the dmesg
 * formatting and the panic scan, on a generated dump whose kernel memory comes from the input.
 *
 * The dump is a 64 KiB kernel image at IMG_VA (pa = va - 0xffffffff80000000) with a fixed,
 * valid VMCOREINFO of a 6.x kernel. Input: byte 0 selects the log (bit 0: legacy log_buf,
 * else SYMBOL(prb)) and bit 1 the caller id; the rest is laid over the image from IMG_VA +
 * 0x2000 on. The seeds put there (see tests/fuzz/README.md for the layout):
 *   0x2000 prb (pointer)   0x2008 struct printk_ringbuffer   0x2060 log_buf, _len, first, next
 *   0x2100 descs (16)      0x2280 infos (16)                 0x2800 text data ring (2 KiB)
 */
#include "fuzz-util.h"
#include "vmgen.h"
#include "vmcore/vmcore.h"

#include <inttypes.h>

#define T "fuzz-dmesg"

#define IMG_VA UINT64_C(0xffffffff81000000)
#define IMG_PA UINT64_C(0x1000000)
#define IMG_SIZE 0x10000u
#define INPUT_AT 0x2000u

static int sink(const void *buf, size_t len, void *data)
{
	size_t *total = data;

	fz_check(len > 0 && ((const char *)buf)[len - 1] == '\n', T, "a line ends in a newline");
	*total += len;
	return 0;
}

static int count(const struct vmcore_log_record *rec, void *data)
{
	uint64_t *n = data;

	fz_check(rec->text_len <= 65536, T, "a record's text is at most 64 KiB");
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmcore_log_stats st, st2;
	struct vmcore_panic panic;
	struct kd_err err = { 0 };
	struct vmcore *vc = NULL;
	const char *path = fz_path(), *how;
	uint64_t regs[27] = { 0 }, n = 0;
	size_t total = 0, cpu;
	struct vmgen *g;
	bool legacy, caller;
	int r, r2;

	if (size < 1)
		return 0;
	legacy = data[0] & 1;
	caller = data[0] & 2;
	g = vmgen_new();
	regs[17] = 0x10;
	vmgen_cpu(g, 1, regs);
	vmgen_cpu(g, 0, NULL);
	vmgen_info_kernel(g, "6.1.0-fuzz", 4096, IMG_VA);
	if (legacy)
		vmgen_info_log_buf(g, IMG_VA + 0x2060, caller);
	else
		vmgen_info_printk(g, IMG_VA + 0x2000, caller, NULL);
	vmgen_load(g, IMG_PA, IMG_SIZE, IMG_VA);
	if (size > 1)
		vmgen_poke(g, IMG_PA + INPUT_AT, data + 1,
			   size - 1 < IMG_SIZE - INPUT_AT ? size - 1 : IMG_SIZE - INPUT_AT);
	if (vmgen_write(g, path) < 0)
		abort();
	vmgen_free(g);
	r = vmcore_open(path, &vc, &err);
	fz_check(r == 0, T, "the generated dump opens");

	r = vmcore_dmesg(vc, caller ? VMCORE_DMESG_CALLER : 0, sink, &total, &st, &err);
	if (r < 0)
		fz_check_err(&err, path, T);
	else
		fz_check(st.kind == (legacy ? VMCORE_LOG_LEGACY : VMCORE_LOG_LOCKLESS), T,
			 "the log kind is the one VMCOREINFO names");
	if (getenv("KD_FUZZ_VERBOSE"))
		fprintf(stderr, "%s: r=%d records=%" PRIu64 " skipped=%" PRIu64 " invalid=%" PRIu64
			" bytes=%zu %s%s\n", T, r, st.records, st.skipped, st.invalid, total,
			st.warning, r < 0 ? err.msg : "");
	/* The walk is deterministic: a second one sees the same records. */
	r2 = vmcore_log_walk(vc, count, &n, &st2, NULL);
	fz_check(r2 == r, T, "a second walk gives the same result");
	fz_check(r < 0 || (n == st.records && st2.invalid == st.invalid), T,
		 "a second walk sees the same records");
	memset(&err, 0, sizeof(err));
	r = vmcore_dmesg_panic(vc, &panic, &err);
	if (r == 0) {
		fz_check(memchr(panic.message, 0, sizeof(panic.message)) != NULL, T,
			 "the panic message is terminated");
		fz_check(memchr(panic.comm, 0, sizeof(panic.comm)) != NULL, T,
			 "comm is terminated");
	}
	r = vmcore_crashing_cpu(vc, r == 0 ? &panic : NULL, &cpu, &how);
	fz_check(r == 0 && cpu < 2, T, "the crashing CPU is one of the two notes");
	vmcore_close(vc);
	return 0;
}
