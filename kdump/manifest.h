/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Dump integrity manifests: SHA-256 of a whole dump and of each 1 MiB block, in a sidecar. */
#ifndef KD_MANIFEST_H
#define KD_MANIFEST_H

#include "kdump/base.h"

/*
 * The manifest of DUMP is the text file DUMP.sha256 (format 1):
 *
 *   <sha256 of the whole file>  <file name without directory>
 *   # kdump-manifest 1
 *   # size <bytes>
 *   # block-size <bytes>
 *   # block <index> <sha256 of that block>      (one line per block, index from 0)
 *
 * The first line is what `sha256sum DUMP` prints, so `sha256sum -c DUMP.sha256` checks the
 * whole file (it warns about the other lines). The block digests let `kdump verify` name the
 * first damaged block, and let a resumed capture check what an earlier run wrote.
 */
enum {
	KD_MANIFEST_BLOCK = 1 << 20,
	KD_MANIFEST_VERSION = 1,
};

struct kd_manifest {
	char name[256];		/* file name as recorded */
	uint8_t sha256[32];	/* of the whole file */
	uint64_t size;
	uint32_t block_size;
	uint64_t nr_blocks;	/* DIV_ROUND_UP(size, block_size) */
	uint8_t (*blocks)[32];	/* nr_blocks digests */
};

/* Hashes the open file fd (size bytes from offset 0) into a new manifest named name. */
int kd_manifest_compute(int fd, const char *name, struct kd_manifest *ret, struct kd_err *err);
/* Frees what a manifest holds (the struct itself is the caller's). */
void kd_manifest_deinit(struct kd_manifest *m);
/* The manifest as text (malloc'd into *ret). */
int kd_manifest_format(const struct kd_manifest *m, char **ret, size_t *ret_len);
/*
 * Parses manifest text (untrusted: at most 64 MiB, sizes up to 2^50 bytes). path is used in
 * messages ("PATH:LINE: ..."). Fills *ret on success.
 */
int kd_manifest_parse(const char *text, size_t len, const char *path, struct kd_manifest *ret,
		      struct kd_err *err);
/* Writes DUMP.sha256 for the file at dump (0600, under a temporary name, then renamed). */
int kd_manifest_write(const char *dump, struct kd_err *err);

/* What kd_manifest_verify found. */
struct kd_verify {
	uint64_t size;		/* of the file */
	uint64_t blocks_checked;
	uint64_t bad_blocks;	/* blocks whose digest differs (or missing from the file) */
	uint64_t first_bad;	/* index of the first bad block (valid if bad_blocks) */
	bool size_differs;
	bool whole_ok;		/* the whole-file digest matches */
};

/*
 * Checks the file at dump against the manifest file at manifest (NULL: DUMP.sha256). Returns
 * 0 if the file is whole and unchanged; -EBADMSG if it differs, with the first bad block and
 * its offset in err; other -errno if either file cannot be read. *ret (may be NULL) is filled
 * whenever both files could be read.
 */
int kd_manifest_verify(const char *dump, const char *manifest, struct kd_verify *ret,
		       struct kd_err *err);

#endif
