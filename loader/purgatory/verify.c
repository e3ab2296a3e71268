// SPDX-License-Identifier: GPL-2.0-or-later
/* The purgatory's digest check: SHA-256 of each segment against the loader's digests. */
#include "loader/purgatory/params.h"
#include "base/sha256.h"

/*
 * Runs in the purgatory with the identity map of relocate_kernel (physical address ==
 * virtual address), and in host tests over ordinary buffers whose addresses stand for
 * physical ones.
 */
int kd_purgatory_verify(const struct kd_purgatory_params *p)
{
	struct kd_sha256 c;
	uint8_t d[32];
	uint32_t i, j;
	uint8_t diff;

	if (p->nr_regions > KD_PURGATORY_MAX_REGIONS)
		return (int)p->nr_regions;
	for (i = 0; i < p->nr_regions; i++) {
		const struct kd_purgatory_region *r = &p->regions[i];

		kd_sha256_init(&c);
		kd_sha256_update(&c, (const void *)(uintptr_t)r->start, (size_t)r->len);
		kd_sha256_final(&c, d);
		diff = 0;
		for (j = 0; j < 32; j++)
			diff |= (uint8_t)(d[j] ^ r->sha256[j]);
		if (diff)
			return (int)i;
	}
	return -1;
}
