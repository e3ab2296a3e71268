// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: reassembly of a flattened stream (makedumpfile -F / kdump capture -F). */
#include "vmcore/vmcore.h"

#include <sys/mman.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-flat: invariant broken: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kd_err err = { 0 };
	uint64_t out_size = 0;
	struct stat st;
	int in = memfd_create("fuzz.flat", MFD_CLOEXEC), out = memfd_create("fuzz.out", MFD_CLOEXEC);
	int r;

	if (in < 0 || out < 0 || kd_write_all(in, data, size) < 0 || lseek(in, 0, SEEK_SET) < 0)
		abort();
	r = vmcore_reassemble(in, "fuzz.flat", out, "fuzz.out", &out_size, &err);
	if (r < 0) {
		check(strstr(err.msg, "fuzz.") != NULL, "the message names the stream or the file");
	} else {
		check(fstat(out, &st) == 0 && (uint64_t)st.st_size == out_size, "size as reported");
		check(size >= 4096 + 16, "a whole stream has a header and an end marker");
	}
	close(in);
	close(out);
	return 0;
}
