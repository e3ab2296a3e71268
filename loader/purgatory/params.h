/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The purgatory's parameter block: written by the loader into the blob, read at crash time. */
#ifndef LOADER_PURGATORY_PARAMS_H
#define LOADER_PURGATORY_PARAMS_H

/*
 * Layout of the blob (loader/purgatory/purgatory.lds): offset 0 is the entry point
 * (purgatory_start, a jump), KD_PURGATORY_PARAMS_OFFSET holds struct kd_purgatory_params.
 * The blob is position independent (checked at build time), so the loader copies it to any
 * address and patches only this block.
 */
#define KD_PURGATORY_PARAMS_OFFSET 0x40
#define KD_PURGATORY_MAGIC 0x31475255504b444bULL /* "KDKPURG1" little-endian */
#define KD_PURGATORY_MAX_REGIONS 16

/* Offsets used by entry.S (checked against the struct below). */
#define KD_PP_KERNEL_ENTRY 16
#define KD_PP_BOOT_PARAMS 24

#ifndef __ASSEMBLER__
#include <stdint.h>

struct kd_purgatory_region {
	uint64_t start;		/* physical address (identity-mapped at crash time) */
	uint64_t len;		/* bytes: the segment's memsz */
	uint8_t sha256[32];	/* of those bytes */
};

struct kd_purgatory_params {
	uint64_t magic;		/* KD_PURGATORY_MAGIC, set at build time */
	uint32_t version;	/* 1 */
	uint32_t size;		/* sizeof(struct kd_purgatory_params) */
	uint64_t kernel_entry;	/* rip: kernel load address + 0x200 */
	uint64_t boot_params;	/* rsi: physical address of boot_params */
	uint32_t nr_regions;	/* <= KD_PURGATORY_MAX_REGIONS */
	uint16_t serial_port;	/* 8250 port for messages (0x3f8), 0: silent */
	uint16_t flags;		/* reserved, 0 */
	struct kd_purgatory_region regions[KD_PURGATORY_MAX_REGIONS];
};

_Static_assert(__builtin_offsetof(struct kd_purgatory_params, kernel_entry) == KD_PP_KERNEL_ENTRY,
	       "entry.S offset");
_Static_assert(__builtin_offsetof(struct kd_purgatory_params, boot_params) == KD_PP_BOOT_PARAMS,
	       "entry.S offset");
_Static_assert(sizeof(struct kd_purgatory_params) == 40 + 16 * 48, "params layout");

/*
 * Checks every region's SHA-256. Returns -1 if all match, else the index of the first region
 * that does not (or nr_regions itself if the count is out of range). Compiled into the
 * purgatory and, for tests, into host programs (loader/purgatory/verify.c).
 */
int kd_purgatory_verify(const struct kd_purgatory_params *p);
#endif

#endif
