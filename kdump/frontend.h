/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the front end's operations share: where they report (their commands print it). */
#ifndef KD_FRONTEND_H
#define KD_FRONTEND_H

#include "base/base.h"

/*
 * Where a front-end operation reports: the lines its command prints on standard output, and
 * log lines (progress, warnings, an error it goes past). Library code writes nowhere else; the
 * command passes kd_report_std(), tests a stream of their own or nothing. A NULL report, or
 * NULL members, drop what would go there.
 */
struct kd_report {
	FILE *out;
	void (*log)(void *ctx, enum kd_log_level lvl, const char *msg);
	void *ctx;
};

static inline void kd_report_std_log(void *ctx, enum kd_log_level lvl, const char *msg)
{
	kd_log(lvl, "%s", msg);
}

/* Standard output and kd_log: what the commands pass. */
static inline struct kd_report kd_report_std(void)
{
	return (struct kd_report){ .out = stdout, .log = kd_report_std_log };
}

/* The stream for standard output lines, or NULL. */
static inline FILE *kd_report_out(const struct kd_report *r)
{
	return r ? r->out : NULL;
}

static inline KD_PRINTF(2, 3) void kd_report_printf(const struct kd_report *r, const char *fmt, ...)
{
	va_list ap;

	if (!r || !r->out)
		return;
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
}

static inline KD_PRINTF(3, 4) void kd_report_log(const struct kd_report *r, enum kd_log_level lvl,
						 const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	if (!r || !r->log)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	r->log(r->ctx, lvl, msg ? msg : fmt);
	free(msg);
}

#endif
