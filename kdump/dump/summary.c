// SPDX-License-Identifier: GPL-2.0-or-later
/* What a crash dump holds (kernel, crash time, CPUs, panic), written as text or JSON. */
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <inttypes.h>

#define UTS_LEN 65
#define MAX_WARNINGS 16

struct kd_summary {
	char *path;
	struct vmcore *vc;
	const struct vmcoreinfo *vi;
	const char *osrelease;
	bool has_uts;
	char uts[6][UTS_LEN * 4 + 1];	/* escaped */
	bool has_crashtime;
	int64_t crashtime;
	char crashtime_utc[64];
	char crashtime_iso[64];
	uint64_t ram_pages;
	bool has_panic;
	struct vmcore_panic panic;
	bool has_cpu;
	size_t cpu;
	const char *cpu_rule;
	char *warnings[MAX_WARNINGS];
	size_t nr_warnings;
};

static const char *const uts_names[6] = { "sysname", "nodename", "release", "version",
					   "machine", "domainname" };

static void add_warning(struct kd_summary *in, const char *fmt, ...) KD_PRINTF(2, 3);
static void add_warning(struct kd_summary *in, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (in->nr_warnings >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0)
		in->warnings[in->nr_warnings++] = s;
	va_end(ap);
}

/* Copies a fixed-size kernel string, escaped like dmesg output. */
static void escape_fixed(char *dst, size_t size, const uint8_t *src, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && src[i] && o + 5 < size; i++) {
		if (src[i] >= 0x20 && src[i] < 0x7f)
			dst[o++] = (char)src[i];
		else
			o += (size_t)snprintf(dst + o, size - o, "\\x%02x", src[i]);
	}
	dst[o] = '\0';
}

static void read_utsname(struct kd_summary *in)
{
	uint8_t raw[6 * UTS_LEN];
	struct kd_err err = { 0 };
	uint64_t sym, off = 0;

	if (vmcoreinfo_symbol(in->vi, "init_uts_ns", &sym) < 0) {
		add_warning(in, "%s: VMCOREINFO lacks SYMBOL(init_uts_ns): utsname unknown",
			    in->path);
		return;
	}
	/* OFFSET(uts_namespace.name) is 0 on kernels that do not export it (before 4.x). */
	vmcoreinfo_offset(in->vi, "uts_namespace.name", &off);
	if (vmcore_read_virt(in->vc, sym + off, raw, sizeof(raw), &err) < 0) {
		add_warning(in, "%s: cannot read init_uts_ns: %s", in->path, err.msg);
		return;
	}
	for (int i = 0; i < 6; i++)
		escape_fixed(in->uts[i], sizeof(in->uts[i]), raw + i * UTS_LEN, UTS_LEN);
	in->has_uts = true;
}

struct range {
	uint64_t start, end;
};

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* RAM pages: the union of the PT_LOADs' pfn ranges (ELF), else the reader's bitmap1. */
static uint64_t count_ram(struct vmcore *vc)
{
	uint32_t shift = (uint32_t)__builtin_ctz(vmcore_page_size(vc));
	size_t n;
	const struct vmcore_load *l = vmcore_loads(vc, &n);
	struct range *r;
	uint64_t total = 0, cur_s = 0, cur_e = 0;

	if (vmcore_format(vc) != VMCORE_FORMAT_ELF || !n) {
		for (uint64_t pfn = 0; pfn < vmcore_max_pfn(vc); pfn++)
			total += vmcore_pfn_is_ram(vc, pfn);
		return total;
	}
	r = kd_calloc(n, sizeof(*r));
	if (!r)
		return 0;
	for (size_t i = 0; i < n; i++) {
		r[i].start = l[i].paddr >> shift;
		r[i].end = (l[i].paddr + l[i].memsz) >> shift;
	}
	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 0; i < n; i++) {
		if (r[i].start >= cur_e) {
			total += cur_e - cur_s;
			cur_s = r[i].start;
			cur_e = r[i].end;
		} else if (r[i].end > cur_e) {
			cur_e = r[i].end;
		}
	}
	total += cur_e - cur_s;
	free(r);
	return total;
}

static const char *compression_name(uint32_t status)
{
	if (status & 0x1)
		return "zlib";
	if (status & 0x2)
		return "lzo";
	if (status & 0x4)
		return "snappy";
	if (status & 0x20)
		return "zstd";
	return "none";
}

static void gather(struct kd_summary *in)
{
	struct vmcore *vc = in->vc;
	struct kd_err err = { 0 };
	const struct vmcore_panic *panic = NULL;
	size_t cpu;
	const char *rule;

	in->vi = vmcore_vmcoreinfo(vc);
	in->ram_pages = count_ram(vc);
	if (in->vi) {
		in->osrelease = vmcoreinfo_osrelease(in->vi);
		if (!in->osrelease)
			add_warning(in, "%s: VMCOREINFO lacks OSRELEASE", in->path);
		read_utsname(in);
		if (vmcoreinfo_crashtime(in->vi, &in->crashtime) == 0)
			in->has_crashtime = true;
		else
			add_warning(in, "%s: VMCOREINFO lacks CRASHTIME", in->path);
		if (vmcore_dmesg_panic(vc, &in->panic, &err) == 0) {
			in->has_panic = true;
			panic = &in->panic;
		} else {
			add_warning(in, "%s (panic message unknown)", err.msg);
		}
	} else {
		add_warning(in, "%s has no VMCOREINFO note: kernel release, crash time and panic "
			    "message unknown", in->path);
	}
	if (!in->has_crashtime && vmcore_dumpinfo(vc)->timestamp > 0) {
		in->crashtime = vmcore_dumpinfo(vc)->timestamp;
		in->has_crashtime = true;
	}
	if (in->has_crashtime) {
		time_t t = (time_t)in->crashtime;
		struct tm tm;

		if (gmtime_r(&t, &tm)) {
			strftime(in->crashtime_utc, sizeof(in->crashtime_utc), "%Y-%m-%d %H:%M:%S UTC",
				 &tm);
			strftime(in->crashtime_iso, sizeof(in->crashtime_iso), "%Y-%m-%dT%H:%M:%SZ",
				 &tm);
		}
	}
	if (vmcore_crashing_cpu(vc, panic, &cpu, &rule) == 0) {
		in->has_cpu = true;
		in->cpu = cpu;
		in->cpu_rule = rule;
	} else {
		add_warning(in, "%s has no NT_PRSTATUS notes: crashing CPU unknown", in->path);
	}
}

static const char *rule_text(const char *rule)
{
	if (strcmp(rule, "log") == 0)
		return "the PID on the log's crash task line";
	if (strcmp(rule, "pid") == 0)
		return "the first note with a task, in kernel mode";
	return "no better clue: the first note";
}

static void print_text(const struct kd_summary *in, FILE *f)
{
	struct vmcore *vc = in->vc;
	const struct vmcore_dumpinfo *di = vmcore_dumpinfo(vc);
	char size[32];

	fprintf(f, "File:            %s\n", in->path);
	fprintf(f, "Format:          %s\n", vmcore_format_name(vmcore_format(vc)));
	fprintf(f, "Kernel release:  %s\n", in->osrelease ? in->osrelease : "unknown");
	if (in->has_uts) {
		fprintf(f, "utsname:         %s %s %s %s %s\n", in->uts[0], in->uts[1], in->uts[2],
		       in->uts[3], in->uts[4]);
	}
	if (in->has_crashtime)
		fprintf(f, "Crash time:      %" PRId64 " (%s)\n", in->crashtime, in->crashtime_utc);
	else
		fprintf(f, "Crash time:      unknown\n");
	fprintf(f, "Panic message:   %s\n", in->has_panic && in->panic.has_message ?
		       in->panic.message : "unknown");
	fprintf(f, "Page size:       %" PRIu32 "\n", vmcore_page_size(vc));
	fprintf(f, "RAM:             %" PRIu64 " pages (%s), highest pfn 0x%" PRIx64 "\n",
	       in->ram_pages,
	       kd_format_size(in->ram_pages * vmcore_page_size(vc), size, sizeof(size)),
	       vmcore_max_pfn(vc) ? vmcore_max_pfn(vc) - 1 : 0);
	fprintf(f, "CPUs:            %zu", vmcore_nr_cpus(vc));
	for (size_t i = 0; i < vmcore_nr_cpus(vc); i++)
		fprintf(f, "%s%" PRIu32, i ? ", " : " (pids ", vmcore_prstatus(vc, i)->pid);
	fprintf(f, "%s\n", vmcore_nr_cpus(vc) ? ")" : "");
	if (in->has_cpu) {
		const struct vmcore_prstatus *ps = vmcore_prstatus(vc, in->cpu);

		fprintf(f, "Crashing CPU:    %zu (pid %" PRIu32, in->cpu, ps->pid);
		if (in->has_panic && in->panic.has_task && in->panic.comm[0])
			fprintf(f, ", comm \"%s\"", in->panic.comm);
		fprintf(f, "; by %s)\n", rule_text(in->cpu_rule));
		fprintf(f, "Registers:\n");
		for (int i = 0; i < VMCORE_NR_REGS; i++)
			fprintf(f, "  %-8s 0x%016" PRIx64 "%s", vmcore_reg_names[i], ps->regs[i],
			       i % 3 == 2 || i == VMCORE_NR_REGS - 1 ? "\n" : "");
	} else {
		fprintf(f, "Crashing CPU:    unknown\n");
	}
	if (vmcore_format(vc) == VMCORE_FORMAT_KDUMP) {
		fprintf(f, "Dump level:      %d\n", di->dump_level);
		fprintf(f, "Compression:     %s\n", compression_name(di->status));
		fprintf(f, "Incomplete:      %s\n", di->incomplete ? "yes (the capture ran out of "
		       "space or was cut short: pages are missing)" : "no");
		fprintf(f, "Dumped pages:    %" PRIu64 "\n", di->nr_dumped);
		fprintf(f, "Header version:  %" PRIu32 "\n", di->header_version);
	}
}

static void print_json(const struct kd_summary *in, FILE *f)
{
	struct vmcore *vc = in->vc;
	const struct vmcore_dumpinfo *di = vmcore_dumpinfo(vc);
	struct kd_json j;
	char hex[24];

	kd_json_init(&j, f);
	kd_json_begin_object(&j, NULL);
	kd_json_string(&j, "file", in->path);
	kd_json_string(&j, "format", vmcore_format_name(vmcore_format(vc)));
	kd_json_u64(&j, "file_size", vmcore_file_size(vc));
	kd_json_string(&j, "osrelease", in->osrelease);
	if (in->has_uts) {
		kd_json_begin_object(&j, "utsname");
		for (int i = 0; i < 6; i++)
			kd_json_string(&j, uts_names[i], in->uts[i]);
		kd_json_end_object(&j);
	} else {
		kd_json_null(&j, "utsname");
	}
	if (in->has_crashtime) {
		kd_json_s64(&j, "crash_time", in->crashtime);
		kd_json_string(&j, "crash_time_utc", in->crashtime_iso);
	} else {
		kd_json_null(&j, "crash_time");
		kd_json_null(&j, "crash_time_utc");
	}
	kd_json_string(&j, "panic_message",
		       in->has_panic && in->panic.has_message ? in->panic.message : NULL);
	kd_json_u64(&j, "page_size", vmcore_page_size(vc));
	kd_json_u64(&j, "max_pfn", vmcore_max_pfn(vc));
	kd_json_u64(&j, "ram_pages", in->ram_pages);
	kd_json_u64(&j, "ram_bytes", in->ram_pages * vmcore_page_size(vc));
	kd_json_u64(&j, "nr_cpus", vmcore_nr_cpus(vc));
	kd_json_begin_array(&j, "cpu_pids");
	for (size_t i = 0; i < vmcore_nr_cpus(vc); i++)
		kd_json_u64(&j, NULL, vmcore_prstatus(vc, i)->pid);
	kd_json_end_array(&j);
	if (in->has_cpu) {
		const struct vmcore_prstatus *ps = vmcore_prstatus(vc, in->cpu);

		kd_json_begin_object(&j, "crashing_cpu");
		kd_json_u64(&j, "cpu", in->cpu);
		kd_json_u64(&j, "pid", ps->pid);
		if (in->has_panic && in->panic.has_task) {
			kd_json_string(&j, "comm", in->panic.comm);
			kd_json_s64(&j, "log_cpu", in->panic.cpu);
		} else {
			kd_json_null(&j, "comm");
			kd_json_null(&j, "log_cpu");
		}
		kd_json_string(&j, "rule", in->cpu_rule);
		kd_json_begin_object(&j, "registers");
		for (int i = 0; i < VMCORE_NR_REGS; i++) {
			snprintf(hex, sizeof(hex), "0x%" PRIx64, ps->regs[i]);
			kd_json_string(&j, vmcore_reg_names[i], hex);
		}
		kd_json_end_object(&j);
		kd_json_end_object(&j);
	} else {
		kd_json_null(&j, "crashing_cpu");
	}
	if (vmcore_format(vc) == VMCORE_FORMAT_KDUMP) {
		kd_json_begin_object(&j, "dump");
		kd_json_s64(&j, "level", di->dump_level);
		kd_json_string(&j, "compression", compression_name(di->status));
		kd_json_bool(&j, "incomplete", di->incomplete);
		kd_json_u64(&j, "status", di->status);
		kd_json_u64(&j, "header_version", di->header_version);
		kd_json_u64(&j, "dumped_pages", di->nr_dumped);
		kd_json_end_object(&j);
	} else {
		kd_json_null(&j, "dump");
	}
	kd_json_begin_array(&j, "warnings");
	for (size_t i = 0; i < in->nr_warnings; i++)
		kd_json_string(&j, NULL, in->warnings[i]);
	kd_json_end_array(&j);
	kd_json_end_object(&j);
	kd_json_finish(&j);
}

int kd_summary_create(const char *path, struct kd_summary **ret, struct kd_err *err)
{
	struct kd_summary *s = kd_calloc(1, sizeof(*s));
	int r;

	if (!s || !(s->path = kd_strdup(path))) {
		free(s);
		return kd_err_set(err, -ENOMEM, "out of memory");
	}
	r = vmcore_open(path, &s->vc, err);
	if (r < 0) {
		kd_summary_destroy(s);
		return r;
	}
	gather(s);
	*ret = s;
	return 0;
}

void kd_summary_destroy(struct kd_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nr_warnings; i++)
		free(s->warnings[i]);
	vmcore_close(s->vc);
	free(s->path);
	free(s);
}

const char *kd_summary_warning(const struct kd_summary *s, size_t i)
{
	return i < s->nr_warnings ? s->warnings[i] : NULL;
}

bool kd_summary_has_vmcoreinfo(const struct kd_summary *s)
{
	return s->vi != NULL;
}

int kd_summary_write(const struct kd_summary *s, enum kd_summary_format fmt, FILE *f)
{
	if (fmt == KD_SUMMARY_JSON)
		print_json(s, f);
	else
		print_text(s, f);
	if (fflush(f) != 0)
		return -errno;
	return ferror(f) ? -EIO : 0;
}
