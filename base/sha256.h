/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (FIPS 180-4), freestanding: shared by the host tools and the purgatory (no libc). */
#ifndef KD_SHA256_H
#define KD_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * Runs of whole blocks go through kd_sha256_blocks(). In a hosted x86_64 build it is
 * base/sha256.c's dispatcher (SHA-NI where the CPU has it, else the portable function below);
 * in a freestanding build (the purgatory: -ffreestanding makes __STDC_HOSTED__ 0) or with
 * KD_SHA256_NO_DISPATCH defined it is an inline loop over the portable function, so the
 * purgatory stays SIMD-free and links nothing.
 */
#if defined(__x86_64__) && __STDC_HOSTED__ && !defined(KD_SHA256_NO_DISPATCH)
#define KD_SHA256_DISPATCH 1
#endif

struct kd_sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	uint8_t buf[64];
	uint32_t fill;		/* bytes waiting in buf */
};

static const uint32_t kd_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static inline uint32_t kd_sha256_ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static inline void kd_sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = kd_sha256_ror(w[i - 15], 7) ^ kd_sha256_ror(w[i - 15], 18) ^
			      w[i - 15] >> 3;
		uint32_t s1 = kd_sha256_ror(w[i - 2], 17) ^ kd_sha256_ror(w[i - 2], 19) ^
			      w[i - 2] >> 10;
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (kd_sha256_ror(e, 6) ^ kd_sha256_ror(e, 11) ^ kd_sha256_ror(e, 25)) +
		     ((e & f) ^ (~e & g)) + kd_sha256_k[i] + w[i];
		t2 = (kd_sha256_ror(a, 2) ^ kd_sha256_ror(a, 13) ^ kd_sha256_ror(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

#ifdef KD_SHA256_DISPATCH
enum kd_sha256_impl {
	KD_SHA256_AUTO,		/* the fastest this CPU runs (the default) */
	KD_SHA256_PORTABLE,	/* portable C, kd_sha256_block() */
	KD_SHA256_SHANI,	/* x86 SHA extensions (needs SHA, SSSE3, SSE4.1) */
};

/* Hashes n 64-byte blocks at p into h with the selected implementation. Thread-safe. */
void kd_sha256_blocks(uint32_t h[8], const uint8_t *p, size_t n);
/* Selects the implementation for the whole process: 0, or -EOPNOTSUPP if this CPU lacks it. */
int kd_sha256_select(enum kd_sha256_impl impl);
/* The implementation in use: "portable" or "sha-ni". Static string. */
const char *kd_sha256_impl_name(void);
#else
static inline void kd_sha256_blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
	for (; n; n--, p += 64)
		kd_sha256_block(h, p);
}
#endif

static inline void kd_sha256_init(struct kd_sha256 *c)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned i;

	for (i = 0; i < 8; i++)
		c->h[i] = iv[i];
	c->len = 0;
	c->fill = 0;
}

static inline void kd_sha256_update(struct kd_sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t whole;

	c->len += len;
	if (c->fill) {
		while (len && c->fill < 64)
			c->buf[c->fill++] = *p++, len--;
		if (c->fill < 64)
			return;
		kd_sha256_blocks(c->h, c->buf, 1);
		c->fill = 0;
	}
	whole = len / 64;
	if (whole) {
		kd_sha256_blocks(c->h, p, whole);
		p += whole * 64, len -= whole * 64;
	}
	while (len)
		c->buf[c->fill++] = *p++, len--;
}

static inline void kd_sha256_final(struct kd_sha256 *c, uint8_t digest[32])
{
	uint64_t bits = c->len * 8;
	unsigned i;

	c->buf[c->fill++] = 0x80;
	if (c->fill > 56) {
		while (c->fill < 64)
			c->buf[c->fill++] = 0;
		kd_sha256_blocks(c->h, c->buf, 1);
		c->fill = 0;
	}
	while (c->fill < 56)
		c->buf[c->fill++] = 0;
	for (i = 0; i < 8; i++)
		c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	kd_sha256_blocks(c->h, c->buf, 1);
	for (i = 0; i < 32; i++)
		digest[i] = (uint8_t)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

#endif
