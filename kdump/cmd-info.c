// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump info: what a crash dump holds (kernel, crash time, crashing CPU, panic), text or JSON. */
#include "kdump/command.h"
#include "base/base.h"
#include "vmcore/vmcore.h"

#include <getopt.h>
#include <inttypes.h>
#include <time.h>

#define START_KERNEL_MAP 0xffffffff80000000ULL
#define UTS_LEN 65
#define MAX_WARNINGS 16

static void help(FILE *f)
{
	fputs("NAME\n"
	      "    kdump info - show what a crash dump holds\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    kdump info [--json] VMCORE|DUMPFILE\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Reads an ELF vmcore (/proc/vmcore or a copy) or a kdump-compressed dump file and\n"
	      "    shows: the format; the kernel release (OSRELEASE from VMCOREINFO, and the\n"
	      "    utsname the dead kernel kept in init_uts_ns); the crash time (CRASHTIME, also as\n"
	      "    a UTC date); the page size and the amount of RAM the dump describes; the number\n"
	      "    of CPUs (NT_PRSTATUS notes) and their pids; the CPU that crashed, with the 27\n"
	      "    registers it saved; the panic message from the kernel log; and for a dump file,\n"
	      "    its dump level, compression and whether it is incomplete.\n"
	      "\n"
	      "    The crashing CPU is the note whose pid is the PID on the log's task line of the\n"
	      "    crash (\"CPU: 0 PID: 235 Comm: sh ...\", printed by panic() and by oopses on the\n"
	      "    crashing CPU); without one, the first note with a non-zero pid saved in kernel\n"
	      "    mode (crash_kexec saves the crashing CPU's own registers), else note 0. The rule\n"
	      "    that decided is shown. Note numbers follow CPU order, but a CPU that did not\n"
	      "    answer the crash NMI has no note.\n"
	      "\n"
	      "    Text from the dump is untrusted: non-printable bytes are shown as \\xNN, and in\n"
	      "    JSON every string is escaped (bytes >= 0x80 as \\u00NN).\n"
	      "\n"
	      "OPTIONS\n"
	      "    --json      print one JSON object instead of text (registers and addresses as\n"
	      "                \"0x...\" strings, unknown values as null)\n"
	      "    -h, --help  show this help\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0  the information was shown (a part the dump lacks, such as a kernel log, is\n"
	      "       reported as unknown, with a warning on standard error)\n"
	      "    1  the dump could not be opened, or it has no VMCOREINFO (what could be read is\n"
	      "       still shown)\n"
	      "    2  bad command line\n"
	      "\n"
	      "EXAMPLES\n"
	      "    kdump info /var/crash/vmcore\n"
	      "    kdump info --json /var/crash/dumpfile | python3 -m json.tool\n",
	      f);
}

struct info {
	const char *path;
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

static void add_warning(struct info *in, const char *fmt, ...) KD_PRINTF(2, 3);
static void add_warning(struct info *in, const char *fmt, ...)
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

static void read_utsname(struct info *in)
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

static void gather(struct info *in)
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

static void print_text(struct info *in)
{
	struct vmcore *vc = in->vc;
	const struct vmcore_dumpinfo *di = vmcore_dumpinfo(vc);
	char size[32];

	printf("File:            %s\n", in->path);
	printf("Format:          %s\n", vmcore_format_name(vmcore_format(vc)));
	printf("Kernel release:  %s\n", in->osrelease ? in->osrelease : "unknown");
	if (in->has_uts) {
		printf("utsname:         %s %s %s %s %s\n", in->uts[0], in->uts[1], in->uts[2],
		       in->uts[3], in->uts[4]);
	}
	if (in->has_crashtime)
		printf("Crash time:      %" PRId64 " (%s)\n", in->crashtime, in->crashtime_utc);
	else
		printf("Crash time:      unknown\n");
	printf("Panic message:   %s\n", in->has_panic && in->panic.has_message ?
		       in->panic.message : "unknown");
	printf("Page size:       %" PRIu32 "\n", vmcore_page_size(vc));
	printf("RAM:             %" PRIu64 " pages (%s), highest pfn 0x%" PRIx64 "\n",
	       in->ram_pages,
	       kd_format_size(in->ram_pages * vmcore_page_size(vc), size, sizeof(size)),
	       vmcore_max_pfn(vc) ? vmcore_max_pfn(vc) - 1 : 0);
	printf("CPUs:            %zu", vmcore_nr_cpus(vc));
	for (size_t i = 0; i < vmcore_nr_cpus(vc); i++)
		printf("%s%" PRIu32, i ? ", " : " (pids ", vmcore_prstatus(vc, i)->pid);
	printf("%s\n", vmcore_nr_cpus(vc) ? ")" : "");
	if (in->has_cpu) {
		const struct vmcore_prstatus *ps = vmcore_prstatus(vc, in->cpu);

		printf("Crashing CPU:    %zu (pid %" PRIu32, in->cpu, ps->pid);
		if (in->has_panic && in->panic.has_task && in->panic.comm[0])
			printf(", comm \"%s\"", in->panic.comm);
		printf("; by %s)\n", rule_text(in->cpu_rule));
		printf("Registers:\n");
		for (int i = 0; i < VMCORE_NR_REGS; i++)
			printf("  %-8s 0x%016" PRIx64 "%s", vmcore_reg_names[i], ps->regs[i],
			       i % 3 == 2 || i == VMCORE_NR_REGS - 1 ? "\n" : "");
	} else {
		printf("Crashing CPU:    unknown\n");
	}
	if (vmcore_format(vc) == VMCORE_FORMAT_KDUMP) {
		printf("Dump level:      %d\n", di->dump_level);
		printf("Compression:     %s\n", compression_name(di->status));
		printf("Incomplete:      %s\n", di->incomplete ? "yes (the capture ran out of "
		       "space or was cut short: pages are missing)" : "no");
		printf("Dumped pages:    %" PRIu64 "\n", di->nr_dumped);
		printf("Header version:  %" PRIu32 "\n", di->header_version);
	}
}

static void print_json(struct info *in)
{
	struct vmcore *vc = in->vc;
	const struct vmcore_dumpinfo *di = vmcore_dumpinfo(vc);
	struct kd_json j;
	char hex[24];

	kd_json_init(&j, stdout);
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

static int run_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct kd_err err = { 0 };
	struct info in;
	bool json = false;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			help(stdout);
			return KD_EXIT_OK;
		default:
			return kd_usage_error("info", "bad option");
		}
	}
	if (argc - optind != 1)
		return kd_usage_error("info", argc - optind ? "one dump at a time" :
				      "missing VMCORE or DUMPFILE");
	memset(&in, 0, sizeof(in));
	in.path = argv[optind];
	if (vmcore_open(in.path, &in.vc, &err) < 0)
		return kd_fail(&err);
	gather(&in);
	if (json)
		print_json(&in);
	else
		print_text(&in);
	for (size_t i = 0; i < in.nr_warnings; i++) {
		kd_warn("%s", in.warnings[i]);
		free(in.warnings[i]);
	}
	status = in.vi ? KD_EXIT_OK : KD_EXIT_FAIL;
	vmcore_close(in.vc);
	if (fflush(stdout) != 0) {
		kd_error("cannot write to standard output: %s", strerror(errno));
		return KD_EXIT_FAIL;
	}
	return status;
}

KD_COMMAND(info, .name = "info", .summary = "show what a crash dump holds", .order = 31,
	   .run = run_info);
