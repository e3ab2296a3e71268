/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dumps under a dump directory: <path>/<host>-<date-time>/{vmcore,vmcore.flat,info.json}. */
#ifndef KD_DUMPS_H
#define KD_DUMPS_H

#include "base/base.h"

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

#endif
