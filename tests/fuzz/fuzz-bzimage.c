// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: the loader's bzImage header parser and its payload unpacker (gzip/xz/zstd, vmlinux). */
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
		struct loader_kernel_image ki;
		struct kd_err uerr = { 0 };

		if (loader_bzimage_unpack(&bz, "fuzz.bzImage", &ki, &uerr) < 0) {
			fz_check_err(&uerr, "fuzz.bzImage", T);
		} else {
			fz_check(ki.bufsz <= ki.memsz && ki.bufsz % 4096 == 0 && ki.memsz % 4096 == 0,
				 T, "the image's sizes are pages, bufsz <= memsz");
			fz_check(ki.memsz <= ((uint64_t)bz.init_size + 4095) / 4096 * 4096, T,
				 "the image fits init_size");
			fz_check(ki.entry_offset < ki.memsz, T, "the entry is in the image");
			loader_kernel_image_release(&ki);
		}
	}
	free(copy);
	return 0;
}
