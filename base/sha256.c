// SPDX-License-Identifier: GPL-2.0-or-later
/* SHA-256 block functions for the host: x86 SHA extensions when the CPU has them, else C. */
#include "base/sha256.h"

#include <errno.h>

#ifdef KD_SHA256_DISPATCH
#include <cpuid.h>
#include <immintrin.h>

typedef void kd_sha256_blocks_fn(uint32_t h[8], const uint8_t *p, size_t n);

static void blocks_portable(uint32_t h[8], const uint8_t *p, size_t n)
{
	for (; n; n--, p += 64)
		kd_sha256_block(h, p);
}

/*
 * SHA-NI keeps the state as two vectors, lanes 3..0: ABEF and CDGH. sha256rnds2(cdgh, abef, wk)
 * runs two rounds with the low two lanes of wk (W + K) and returns the new ABEF; the old ABEF
 * is then the CDGH of the next two rounds. sha256msg1/msg2 compute the schedule: for words
 * W[t..t+3], msg1(W[t-16..], W[t-12..]) adds sigma0, adding W[t-7..t-4] (an alignr of the
 * two newest vectors) gives all but sigma1, which msg2(..., W[t-4..t-1]) adds.
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	/* Big-endian words: reverse the bytes of each 32-bit lane. */
	const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
	__m128i dcba = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)&h[4]);
	__m128i badc = _mm_shuffle_epi32(dcba, 0xb1);	/* lanes 3..0: C D A B */
	__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);	/* lanes 3..0: E F G H */
	__m128i abef = _mm_alignr_epi8(badc, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, badc, 0xf0);

	for (; n; n--, p += 64) {
		__m128i save_abef = abef, save_cdgh = cdgh, wk, next = _mm_setzero_si128();
		__m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
		__m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
		__m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
		__m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);

		/*
		 * Each pass: rounds 4i..4i+3 with w0 = W[4i..4i+3]; w1..w3 are the next words.
		 * Unrolled, the rotation of w0..w3 and the test of i cost nothing.
		 */
#pragma GCC unroll 16
		for (unsigned i = 0; i < 16; i++) {
			wk = _mm_add_epi32(w0, _mm_loadu_si128((const __m128i *)&kd_sha256_k[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			/* cdgh holds the new ABEF; the old one is the CDGH of the next two */
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
			if (i < 12)
				next = _mm_sha256msg2_epu32(
					_mm_add_epi32(_mm_sha256msg1_epu32(w0, w1),
						      _mm_alignr_epi8(w3, w2, 4)),
					w3);
			w0 = w1, w1 = w2, w2 = w3, w3 = next;
		}
		abef = _mm_add_epi32(abef, save_abef);
		cdgh = _mm_add_epi32(cdgh, save_cdgh);
	}

	/* Back to A..H in lanes 0..7 of h. */
	__m128i feba = _mm_shuffle_epi32(abef, 0x1b);	/* lanes 3..0: F E B A */
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);	/* lanes 3..0: D C H G */
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

/* SHA (leaf 7 EBX bit 29), SSSE3 (leaf 1 ECX bit 9), SSE4.1 (leaf 1 ECX bit 19). */
static int cpu_has_shani(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & 1u << 9) || !(c & 1u << 19))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return !!(b & 1u << 29);
}

static kd_sha256_blocks_fn blocks_resolve;
static kd_sha256_blocks_fn *blocks_impl = blocks_resolve;

static void blocks_resolve(uint32_t h[8], const uint8_t *p, size_t n)
{
	kd_sha256_select(KD_SHA256_AUTO);
	__atomic_load_n(&blocks_impl, __ATOMIC_RELAXED)(h, p, n);
}

void kd_sha256_blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
	__atomic_load_n(&blocks_impl, __ATOMIC_RELAXED)(h, p, n);
}

int kd_sha256_select(enum kd_sha256_impl impl)
{
	kd_sha256_blocks_fn *fn;

	switch (impl) {
	case KD_SHA256_AUTO:
		fn = cpu_has_shani() ? blocks_shani : blocks_portable;
		break;
	case KD_SHA256_PORTABLE:
		fn = blocks_portable;
		break;
	case KD_SHA256_SHANI:
		if (!cpu_has_shani())
			return -EOPNOTSUPP;
		fn = blocks_shani;
		break;
	default:
		return -EINVAL;
	}
	__atomic_store_n(&blocks_impl, fn, __ATOMIC_RELAXED);
	return 0;
}

const char *kd_sha256_impl_name(void)
{
	kd_sha256_blocks_fn *fn = __atomic_load_n(&blocks_impl, __ATOMIC_RELAXED);

	if (fn == blocks_resolve) {
		kd_sha256_select(KD_SHA256_AUTO);
		fn = __atomic_load_n(&blocks_impl, __ATOMIC_RELAXED);
	}
	return fn == blocks_shani ? "sha-ni" : "portable";
}
#endif
