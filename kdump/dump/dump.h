/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading and writing dumps: capture, reassembly, summary, log, extras, manifests, dump dirs. */
#ifndef KD_DUMP_H
#define KD_DUMP_H

#include "base/base.h"
#include "base/sha256.h"
#include "vmcore/vmcore.h"

#include <time.h>

/* ---- dump directories (kdump/dump/dumps.c) ---- */
#define KD_DUMPS_MAX 1024u	/* dump directories looked at under one path */
#define KD_INCOMPLETE_MARKER ".incomplete"

struct kd_dump {
	char name[256];		/* directory name under the dump path */
	char file[32];		/* "vmcore", "vmcore.flat", or "" when none */
	bool complete;		/* a dump file and no .incomplete marker */
	uint64_t bytes;		/* size of the dump file */
	int64_t mtime;		/* of the directory, seconds since the epoch */
	char release[65];	/* from info.json, "" if unknown */
	char crash_time[32];	/* crash_time_utc from info.json */
	char panic[256];	/* panic_message from info.json */
};

/* Oldest first: by the date-time ending the directory name, else by mtime. */
struct kd_dump_list {
	struct kd_dump *v;
	size_t n;
};

/*
 * Lists the dump directories directly under dir: every directory holding a dump file or a
 * .incomplete marker. A missing dir is an empty list. Fills *ret (free with kd_dumps_free).
 */
int kd_dumps_list(const char *dir, struct kd_dump_list *ret, struct kd_err *err);
void kd_dumps_free(struct kd_dump_list *l);

/*
 * Retention: keeps the newest keep complete dumps under dir and removes older complete ones
 * (their files, then the directory). Incomplete dumps are never counted nor removed, and
 * neither is protect (the dump just written, may be NULL). keep 0 keeps all. Sets
 * *ret_removed (may be NULL) to the number removed.
 */
int kd_dumps_prune(const char *dir, unsigned keep, const char *protect, unsigned *ret_removed,
		   struct kd_err *err);

/*
 * Starts a dump directory: creates dir (0700; it must not exist yet), then its .incomplete
 * marker (0600), and syncs the directory. Sets *ret_dirfd and *ret_marker (caller closes both;
 * the marker is removed once the dump is whole).
 */
int kd_dump_dir_begin(const char *dir, int *ret_dirfd, int *ret_marker, struct kd_err *err);
/* "<host>-YYYY-MM-DD-HH:MM:SS" (UTC) for time t; host "(none)" or "" becomes "localhost". */
void kd_dump_dir_name(const char *host, time_t t, char *buf, size_t len);

/*
 * Extracts the string member key of a JSON text (top level or not: the first "key": "...")
 * into out, unescaped (\uXXXX above 0x7f as '?'). Returns false when absent.
 */
bool kd_json_get_string(const char *json, const char *key, char *out, size_t len);

/*
 * Space a capture needs for kept pages (filter totals) of page_size bytes: *ret_bound is the
 * most the kdump-compressed file can take (every page stored raw plus its 24-byte descriptor,
 * two bitmaps, 1 MiB of headers and notes); *ret_expected assumes compression halves the
 * pages (compressed) — measured ratios on the fixtures are well below that.
 */
void kd_dump_space(uint64_t kept, uint64_t page_size, uint64_t max_pfn, bool compressed,
		   uint64_t *ret_expected, uint64_t *ret_bound);

/* ---- integrity manifests (kdump/dump/manifest.c) ---- */

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
/* Writes the manifest m to the file at path (0600, under a temporary name, then renamed). */
int kd_manifest_save(const struct kd_manifest *m, const char *path, struct kd_err *err);
/* A digest as 64 lowercase hex digits and a NUL. */
void kd_manifest_hex(const uint8_t digest[32], char out[65]);

/* A manifest built from a stream, in order, as it passes (no file to read back). */
struct kd_manifest_hasher {
	struct kd_manifest m;	/* size, name and the blocks finished so far */
	struct kd_sha256 whole, block;
	uint32_t in_block;	/* bytes of the current block hashed */
	uint64_t cap_blocks;	/* room in m.blocks */
};

void kd_manifest_hasher_init(struct kd_manifest_hasher *h, const char *name);
/* Hashes len more bytes; -ENOMEM if the block table cannot grow. */
int kd_manifest_hasher_update(struct kd_manifest_hasher *h, const void *data, size_t len);
/* Finishes the last block and the whole digest and hands the manifest over (h is spent). */
int kd_manifest_hasher_finish(struct kd_manifest_hasher *h, struct kd_manifest *ret);
/* Frees a hasher that will not be finished. */
void kd_manifest_hasher_abort(struct kd_manifest_hasher *h);

/*
 * Runs produce(fd, ctx) with fd the write end of a pipe, while a thread reads the pipe, hashes
 * what passes into a manifest named name and writes it on to out. Returns produce's failure,
 * else a failure to write to out (then produce's writes fail with EPIPE), else 0 with the
 * manifest of exactly the bytes written to out in *ret. SIGPIPE is ignored meanwhile.
 */
int kd_manifest_relay(int out, int (*produce)(int fd, void *ctx), void *ctx, const char *name,
		      struct kd_manifest *ret, struct kd_err *err);

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

/* ---- what a dump holds: `kdump info`, info.txt and info.json (kdump/dump/summary.c) ---- */
struct kd_summary;

enum kd_summary_format { KD_SUMMARY_TEXT, KD_SUMMARY_JSON };

/*
 * Opens the dump at path (an ELF vmcore or a kdump-compressed file) and gathers what it
 * holds: format, kernel release and utsname, crash time, RAM, CPUs, the crashing CPU and its
 * registers, the panic message, and for a dump file its level, compression and state. What
 * the dump lacks is left unknown with a warning (kd_summary_warning). Fails only when the dump
 * cannot be opened. Sets *ret (free with kd_summary_destroy).
 */
int kd_summary_create(const char *path, struct kd_summary **ret, struct kd_err *err);
/* Frees s (NULL is fine). */
void kd_summary_destroy(struct kd_summary *s);
/* The i-th warning about what the dump lacks (owned by s), NULL past the last. */
const char *kd_summary_warning(const struct kd_summary *s, size_t i);
/* Whether the dump has a VMCOREINFO note (without one, most of the summary is unknown). */
bool kd_summary_has_vmcoreinfo(const struct kd_summary *s);
/* Writes the summary to f as text or as one JSON object, and flushes f: 0, or -errno when
 * writing failed. */
int kd_summary_write(const struct kd_summary *s, enum kd_summary_format fmt, FILE *f);

/* ---- the kernel log of a dump: `kdump dmesg` and dmesg.txt (kdump/dump/dmesg.c) ---- */

/*
 * Writes the log of vc to fd (named name in messages) as `makedumpfile --dump-dmesg` does;
 * flags are VMCORE_DMESG_*. *st is filled as far as the log was read, also on failure.
 */
int kd_dmesg_write(struct vmcore *vc, unsigned flags, int fd, const char *name,
		   struct vmcore_log_stats *st, struct kd_err *err);

struct kd_dmesg_args {
	const char *input;	/* a vmcore or dump file */
	const char *output;	/* the file to write, or NULL for out_fd */
	int out_fd;		/* where the log goes without output (left open) */
	bool force;		/* replace output if it exists */
	unsigned flags;		/* VMCORE_DMESG_* */
};

/*
 * Writes the kernel log of a->input to a->output, under a temporary name next to it that is
 * then renamed into place (never half written; without force, -EEXIST if output exists), or
 * to a->out_fd. *st is filled as far as the log was read, also on failure.
 */
int kd_dmesg(const struct kd_dmesg_args *a, struct vmcore_log_stats *st, struct kd_err *err);

/* ---- the files beside a dump: dmesg.txt, info.txt, info.json (kdump/dump/extras.c) ---- */
struct kd_extra {
	const char *file;	/* its name in the dump directory */
	/* Writes it for the dump at vmcore to fd (named name in messages). */
	int (*write)(const char *vmcore, int fd, const char *name, struct kd_err *err);
};

#define KD_NR_EXTRAS 3
/* dmesg.txt (the kernel log), info.txt and info.json (kd_summary_write), in that order. */
extern const struct kd_extra kd_extras[KD_NR_EXTRAS];

/* Writes extra x of the dump at vmcore to fd (left open); errors name x's file. */
int kd_extra_write(const struct kd_extra *x, const char *vmcore, int fd, struct kd_err *err);

/*
 * Writes every extra of the dump at vmcore into the directory dirfd (0600, replacing what is
 * there, each synced to disk). Best effort: a failure does not stop the other files; the first
 * one is returned (with its message in err, which may be NULL). A dump without VMCOREINFO
 * still gets what could be read, and fails with -ENODATA.
 */
int kd_write_extras(int dirfd, const char *vmcore, struct kd_err *err);

/* ---- capturing a vmcore into a dump (kdump/dump/capture.c, capture-print.c) ---- */
struct kd_capture_args {
	const char *input;	/* /proc/vmcore, a copy of it, or a dump file to filter again */
	const char *output;	/* the dump file; with opts.flatten only its name in messages */
	int flat_fd;		/* opts.flatten: where the stream goes (left open) */
	/* Level, format, compressor, threads, reading, progress. opts.stop NULL: SIGINT and
	 * SIGTERM stop the capture while it runs (and SIGPIPE is ignored). opts.resume_size is
	 * set here from the output when resuming. */
	struct vmcore_capture_opts opts;
	bool force;		/* replace output if it exists (else it must not exist) */
	bool resume;		/* finish output, an incomplete dump of the same capture */
	bool no_manifest;	/* do not write output.sha256 */
};

struct kd_capture_result {
	struct vmcore_capture_report report;	/* what the capture did, as far as it got */
	double seconds;		/* from the first page to the dump closed */
	bool complete;		/* the dump was written whole (its manifest may have failed) */
	bool incomplete;	/* a dump was written but is incomplete (marked so inside) */
	bool removed;		/* the output held no usable dump and was removed */
	struct kd_err manifest_err;	/* why output.sha256 was not written (code 0 if it was) */
};

/*
 * Captures a->input into a->output (created 0600; with opts.flatten, a flattened stream to
 * a->flat_fd), then writes its manifest output.sha256, also for an incomplete dump. A failure
 * before anything usable was written removes a new output (one being resumed is left as it
 * was). Returns 0 when the dump and its manifest are written; else -errno with the capture's
 * own error in err, or for a complete dump the manifest's. *res is filled also on failure.
 */
int kd_capture(const struct kd_capture_args *a, struct kd_capture_result *res,
	       struct kd_err *err);

/* The progress line's state: zero it, then pass it as opts.progress_data. */
struct kd_capture_progress {
	double last;
	bool shown;
};
/* An opts.progress callback: a progress line on standard error, redrawn 5 times a second. */
void kd_capture_progress(void *data, uint64_t done, uint64_t total);
/*
 * Prints on standard error what a capture reports besides its error: ends the progress line
 * of p (may be NULL), the filter's fallback warning, and unless quiet the other warning, the
 * summary of a complete dump and the bytes a resumed capture kept.
 */
void kd_capture_print_report(const struct kd_capture_args *a,
			     const struct kd_capture_result *res,
			     const struct kd_capture_progress *p, bool quiet);

/* ---- a flattened stream back into a dump file (kdump/dump/reassemble.c) ---- */
struct kd_reassemble_args {
	const char *input;	/* the flattened stream: a file, or "-" for standard input */
	const char *output;	/* the dump file to create (0600) */
	bool force;		/* replace output if it exists (else it must not exist) */
};

struct kd_reassemble_result {
	enum vmcore_format format;	/* of the dump written */
	uint64_t size;		/* its size in bytes */
	bool incomplete;	/* the dump written is marked incomplete: the stream was cut short
				   (then err says where), or the capture had marked it */
	bool removed;		/* an unusable partial output was removed */
};

/*
 * Reads the flattened stream a->input (every record checked) and writes the kdump-compressed
 * or ELF dump it describes to a->output, byte for byte what the capture would have written
 * without flattening (as makedumpfile -R), then opens the result to check it is a dump. A
 * stream cut short leaves its dump marked incomplete (-EBADMSG, res->incomplete); the output
 * of a stream that fails otherwise is removed (res->removed). *res is filled also on
 * failure.
 */
int kd_reassemble(const struct kd_reassemble_args *a, struct kd_reassemble_result *res,
		  struct kd_err *err);

/* ---- a dump checked against its manifest: `kdump verify` (kdump/dump/verify.c) ---- */
struct kd_verify_args {
	const char *dump;	/* the dump file */
	const char *manifest;	/* its manifest, NULL: dump.sha256 */
	bool write;		/* write dump.sha256 instead of checking (manifest must be NULL) */
};

struct kd_verify_result {
	struct kd_verify v;	/* what the manifest check found */
	enum vmcore_format format;	/* of the dump */
	bool incomplete;	/* the bytes match, but the dump is marked incomplete */
};

/*
 * Checks a->dump against its manifest (see kd_manifest_verify: -EBADMSG names the first bad
 * block), then opens it as a dump; or with a->write, writes its manifest. Sets *ret on
 * success.
 */
int kd_verify_dump(const struct kd_verify_args *a, struct kd_verify_result *ret,
		   struct kd_err *err);

#endif
