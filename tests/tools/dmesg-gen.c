// SPDX-License-Identifier: GPL-2.0-or-later
/* Test helper: writes small vmcores that lack what `kdump dmesg` / `kdump info` need. */
#include "vmgen.h"

#include <stdio.h>
#include <string.h>

#define IMG_VA UINT64_C(0xffffffff81000000)
#define IMG_PA UINT64_C(0x1000000)

int main(int argc, char **argv)
{
	struct vmgen *g;
	const char *kind;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: dmesg-gen noinfo|nolog|badring PATH\n");
		return 2;
	}
	kind = argv[1];
	g = vmgen_new();
	vmgen_cpu(g, 1, NULL);
	vmgen_load(g, IMG_PA, 0x10000, IMG_VA);
	if (strcmp(kind, "noinfo") == 0) {
		vmgen_no_vmcoreinfo(g);
	} else {
		vmgen_info_kernel(g, "6.1.0-gen", 4096, IMG_VA);
		vmgen_info(g, "CRASHTIME=1700000000");
	}
	if (strcmp(kind, "badring") == 0) {
		/* prb -> a ring whose count_bits is 60. */
		vmgen_info_printk(g, IMG_VA + 0x2000, false, NULL);
		vmgen_poke_u64(g, IMG_PA + 0x2000, IMG_VA + 0x2100);
		vmgen_poke_u32(g, IMG_PA + 0x2100, 60);
		vmgen_poke_u32(g, IMG_PA + 0x2100 + 48, 12);
	} else if (strcmp(kind, "nolog") != 0 && strcmp(kind, "noinfo") != 0) {
		fprintf(stderr, "dmesg-gen: unknown kind %s\n", kind);
		return 2;
	}
	r = vmgen_write(g, argv[2]);
	vmgen_free(g);
	if (r < 0) {
		fprintf(stderr, "dmesg-gen: cannot write %s: %s\n", argv[2], strerror(-r));
		return 1;
	}
	return 0;
}
