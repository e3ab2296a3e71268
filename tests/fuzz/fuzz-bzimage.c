// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: the loader's bzImage header parser (setup header, boot protocol, version). */
#include "fuzz-util.h"
#include "loader/loader.h"

#define T "fuzz-bzimage"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loader_bzimage bz;
	struct kd_err err = { 0 };
	/* Exactly sized, so that ASan sees any read past the end. */
	uint8_t *copy = malloc(size ? size : 1);
	int r;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	r = loader_bzimage_parse(copy, size, "fuzz.bzImage", &bz, &err);
	if (r < 0) {
		fz_check_err(&err, "fuzz.bzImage", T);
	} else {
		fz_check(bz.setup_size < size, T, "the payload starts inside the file");
		fz_check(bz.header_end <= 0x280 && bz.header_end <= size, T,
			 "the setup header lies in the file");
		fz_check(memchr(bz.kernel_version, 0, sizeof(bz.kernel_version)) != NULL, T,
			 "the version is terminated");
		fz_check(bz.data == copy && bz.size == size, T, "the image is borrowed whole");
	}
	free(copy);
	return 0;
}
