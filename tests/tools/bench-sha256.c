// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-sha256 [MIB]: SHA-256 throughput of each block function of the host build (portable C,
 * SHA-NI where the CPU has it) over a MIB MiB buffer (default 256), best of 3 runs, in MB/s
 * (10^6 bytes per second). Also checks that both give the same digest.
 */
#include "base/base.h"
#include "base/sha256.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double run(enum kd_sha256_impl impl, const uint8_t *b, size_t len, uint8_t d[32])
{
	double best = 0;

	if (kd_sha256_select(impl) < 0)
		return -1;
	for (int k = 0; k < 3; k++) {
		struct kd_sha256 c;
		double t = kd_now();

		kd_sha256_init(&c);
		kd_sha256_update(&c, b, len);
		kd_sha256_final(&c, d);
		t = kd_now() - t;
		if (best == 0 || t < best)
			best = t;
	}
	return (double)len / best / 1e6;
}

int main(int argc, char **argv)
{
	uint64_t mib = 256;
	uint8_t *b, dp[32], ds[32];
	double p, s;
	size_t len;

	if (argc > 2 || (argc == 2 && (kd_parse_u64(argv[1], 10, &mib) < 0 || !mib || mib > 4096))) {
		fprintf(stderr, "usage: bench-sha256 [MIB (1..4096)]\n");
		return 2;
	}
	len = (size_t)mib << 20;
	b = malloc(len);
	if (!b) {
		fprintf(stderr, "bench-sha256: cannot allocate %" PRIu64 " MiB\n", mib);
		return 1;
	}
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 2654435761u >> 11);
	p = run(KD_SHA256_PORTABLE, b, len, dp);
	s = run(KD_SHA256_SHANI, b, len, ds);
	printf("portable %8.1f MB/s\n", p);
	if (s < 0) {
		printf("sha-ni   (this CPU has no SHA extensions)\n");
	} else {
		printf("sha-ni   %8.1f MB/s  (x%.1f)\n", s, s / p);
		if (memcmp(dp, ds, 32)) {
			fprintf(stderr, "bench-sha256: the two digests differ\n");
			return 1;
		}
	}
	kd_sha256_select(KD_SHA256_AUTO);
	printf("auto: %s\n", kd_sha256_impl_name());
	free(b);
	return 0;
}
