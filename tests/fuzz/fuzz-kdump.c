// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: the kdump-compressed reader (headers, notes, bitmaps, descriptors, pages). */
#include "vmcore/vmcore.h"

#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-kdump: invariant broken: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kd_err err = { 0 };
	struct vmcore *vc = NULL;
	char path[64];
	uint8_t page[1 << 16];
	unsigned reads = 0;
	int fd, r;

	fd = memfd_create("fuzz.kdump", MFD_CLOEXEC);
	if (fd < 0 || kd_write_all(fd, data, size) < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = vmcore_open(path, &vc, &err);
	if (r < 0) {
		check(!vc && err.msg[0], "a failed open says why");
		check(strstr(err.msg, path) != NULL || r == -ENOMEM, "the message names the file");
		close(fd);
		return 0;
	}
	check(vmcore_page_size(vc) <= sizeof(page), "page size bounded");
	/* Read the first pages the dump holds (and a few it does not). */
	for (uint64_t pfn = 0; pfn < vmcore_max_pfn(vc) && reads < 64; pfn++) {
		r = vmcore_read_pfn(vc, pfn, page, &err);
		check(r == 0 || err.msg[0], "a failed read says why");
		if (r == 0 || vmcore_pfn_is_ram(vc, pfn))
			reads++;
	}
	r = vmcore_read_pfn(vc, vmcore_max_pfn(vc), page, &err);
	check(r == -ENOENT, "a pfn past the end is absent");
	vmcore_close(vc);
	close(fd);
	return 0;
}
