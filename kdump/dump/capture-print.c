// SPDX-License-Identifier: GPL-2.0-or-later
/* What a capture tells its user on standard error: the progress line, warnings, the summary. */
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <inttypes.h>

void kd_capture_progress(void *data, uint64_t done, uint64_t total)
{
	struct kd_capture_progress *p = data;
	double now = kd_now();

	if (done < total && now - p->last < 0.2)
		return;
	p->last = now;
	p->shown = true;
	fprintf(stderr, "\rkdump capture: copying pages: %3u%% (%" PRIu64 " of %" PRIu64 ")",
		total ? (unsigned)(done * 100 / total) : 100, done, total);
}

static void summary(const char *in, const char *out, const struct vmcore_capture_opts *o,
		    const struct vmcore_capture_report *r, double secs)
{
	const struct vmcore_filter_stats *f = &r->filter;
	char sz[32];

	fprintf(stderr, "kdump capture: %s -> %s: %s%s%s, dump level %u%s\n", in, out,
		o->format == VMCORE_OUT_ELF ? "ELF" : "kdump-compressed",
		o->format == VMCORE_OUT_ELF ? "" : ", ",
		o->format == VMCORE_OUT_ELF ? "" : (o->comp ? o->comp->name : "none"), r->level,
		o->flatten ? ", flattened" : "");
	fprintf(stderr, "  pages: %" PRIu64 " RAM; excluded: %" PRIu64 " zero, %" PRIu64
		" cache, %" PRIu64 " cache with private data, %" PRIu64 " user, %" PRIu64 " free",
		f->ram, r->zero_pages, f->cache, f->cache_private, f->user, f->free);
	if (f->hwpoison || f->offline)
		fprintf(stderr, ", %" PRIu64 " hwpoison, %" PRIu64 " offline", f->hwpoison,
			f->offline);
	fprintf(stderr, "\n");
	if (o->format == VMCORE_OUT_ELF)
		fprintf(stderr, "  written: %" PRIu64 " pages", r->pages_written);
	else
		fprintf(stderr, "  written: %" PRIu64 " pages (%" PRIu64 " compressed, %" PRIu64
			" raw, %" PRIu64 " zero pages as one shared page)", r->pages_written,
			r->compressed_pages, r->raw_pages, r->zero_pages);
	fprintf(stderr, "; %s (%" PRIu64 " bytes) in %.2f s, %u thread%s, %s\n",
		kd_format_size(r->output_bytes, sz, sizeof(sz)), r->output_bytes, secs, r->threads,
		r->threads == 1 ? "" : "s", r->mmap_used ? "mmap" : "read");
}

void kd_capture_print_report(const struct kd_capture_args *a,
			     const struct kd_capture_result *res,
			     const struct kd_capture_progress *p, bool quiet)
{
	const struct vmcore_capture_report *rep = &res->report;

	if (p && p->shown)
		fprintf(stderr, "\n");
	if (rep->filter_warning[0])
		kd_warn("%s", rep->filter_warning);
	if (rep->warning[0] && !quiet)
		kd_warn("%s", rep->warning);
	if (res->complete && !quiet)
		summary(a->input, a->output, &a->opts, rep, res->seconds);
	if (a->resume && !quiet && (res->complete || res->incomplete))
		fprintf(stderr, "  resumed: %" PRIu64 " bytes were already written (checked), "
			"the rest written now\n", rep->resume_kept);
}
