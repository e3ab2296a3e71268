// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump capture: filter a vmcore's pages and write a kdump-compressed, ELF or flattened dump. */
#include "kdump/command.h"
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <getopt.h>
#include <inttypes.h>

static void help(void)
{
	printf("Usage: kdump capture [OPTIONS] VMCORE DUMPFILE\n"
	       "       kdump capture -F [OPTIONS] VMCORE > FLATFILE\n"
	       "       kdump capture --resume [OPTIONS] VMCORE DUMPFILE\n\n"
	       "Save a crashed kernel's memory (filtered, compressed) as a dump file.\n\n"
	       "Options:\n"
	       "  -d, --dump-level LEVEL  leave out (sum): 1 zero, 2 cache, 4 private cache, "
	       "8 user, 16 free pages\n"
	       "  -c                      compress each page with zlib\n"
	       "  -l                      compress each page with LZO\n"
	       "  -z                      compress each page with zstd%s\n"
	       "  -E                      write an ELF dump (not compressed)\n"
	       "  -F, --flatten           write a flattened stream to standard output\n"
	       "  -f, --force             overwrite DUMPFILE\n"
	       "      --no-manifest       do not write DUMPFILE.sha256\n"
	       "      --resume            finish an incomplete DUMPFILE\n"
	       "      --threads N         compress on N threads (default: the online CPUs)\n"
	       "      --no-mmap, --mmap   read VMCORE with read(2) only, or always map it\n"
	       "  -q, --quiet             no progress line and no summary\n"
	       "  -h, --help              this help\n\n"
	       "Exit status: 0 complete, 1 failure, 2 usage error, 3 dump written but incomplete.\n"
	       "See kdump(8).\n",
	       vmcore_compressor_find("zstd") ? "" : " (not built in)");
}

static int run_capture(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dump-level", required_argument, NULL, 'd' },
		{ "flatten", no_argument, NULL, 'F' },
		{ "force", no_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 'T' },
		{ "no-mmap", no_argument, NULL, 'M' },
		{ "mmap", no_argument, NULL, 'P' },
		{ "window", required_argument, NULL, 'W' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "resume", no_argument, NULL, 'R' },
		{ "no-manifest", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct kd_capture_args a = { .opts.format = VMCORE_OUT_KDUMP };
	struct vmcore_capture_opts *o = &a.opts;
	struct kd_capture_progress prog = { 0 };
	struct kd_capture_result res;
	struct kd_err err = { 0 };
	const char *cname = NULL;
	bool quiet = false;
	uint64_t v;
	int c, r;

	while ((c = getopt_long(argc, argv, "d:clzEFfqh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (kd_parse_u64(optarg, 10, &v) < 0 || v > VMCORE_LEVEL_MAX)
				return kd_usage_error("capture", "dump level \"%s\" is not a number "
						      "from 0 to 31", optarg);
			o->level = (unsigned)v;
			break;
		case 'c':
		case 'l':
		case 'z':
			if (cname)
				return kd_usage_error("capture", "give only one of -c, -l, -z");
			cname = c == 'c' ? "zlib" : c == 'l' ? "lzo" : "zstd";
			break;
		case 'E':
			o->format = VMCORE_OUT_ELF;
			break;
		case 'F':
			o->flatten = true;
			break;
		case 'f':
			a.force = true;
			break;
		case 'T':
			if (kd_parse_u64(optarg, 10, &v) < 0 || v < 1 || v > 64)
				return kd_usage_error("capture", "--threads \"%s\" is not a number "
						      "from 1 to 64", optarg);
			o->threads = (unsigned)v;
			break;
		case 'M':
			o->read_mode = VMCORE_READ_PREAD;
			break;
		case 'P':
			o->read_mode = VMCORE_READ_MMAP;
			break;
		case 'W':
			if (kd_parse_u64(optarg, 0, &v) < 0 || v < 8 || v > (1ULL << 32))
				return kd_usage_error("capture", "--window \"%s\" is not a pfn count "
						      "from 8 to 2^32", optarg);
			o->window_pfns = v;
			break;
		case 'q':
			quiet = true;
			break;
		case 'R':
			a.resume = true;
			break;
		case 'N':
			a.no_manifest = true;
			break;
		case 'h':
			help();
			return KD_EXIT_OK;
		default:
			return kd_usage_error("capture", "unknown option");
		}
	}
	if (cname) {
		o->comp = vmcore_compressor_find(cname);
		if (!o->comp)
			return kd_usage_error("capture", "this kdump was built without %s", cname);
	}
	if (o->format == VMCORE_OUT_ELF && o->comp)
		return kd_usage_error("capture", "-E (ELF) cannot be combined with -c, -l or -z");
	if (optind >= argc)
		return kd_usage_error("capture", "missing VMCORE");
	a.input = argv[optind++];
	if (o->flatten) {
		if (optind < argc)
			return kd_usage_error("capture", "-F writes to standard output: leave out "
					      "DUMPFILE (got \"%s\")", argv[optind]);
		if (isatty(STDOUT_FILENO))
			return kd_usage_error("capture", "-F writes a binary stream: redirect "
					      "standard output to a file or a pipe");
		a.output = "standard output";
		a.flat_fd = STDOUT_FILENO;
	} else {
		if (optind >= argc)
			return kd_usage_error("capture", "missing DUMPFILE (or -F for standard "
					      "output)");
		a.output = argv[optind++];
	}
	if (optind < argc)
		return kd_usage_error("capture", "unexpected argument \"%s\"", argv[optind]);
	if (a.resume && (o->flatten || a.force))
		return kd_usage_error("capture", "--resume finishes an existing DUMPFILE: it "
				      "cannot be combined with -F or -f");

	if (!quiet && isatty(STDERR_FILENO)) {
		o->progress = kd_capture_progress;
		o->progress_data = &prog;
	}
	r = kd_capture(&a, &res, &err);
	kd_capture_print_report(&a, &res, &prog, quiet);
	if (r < 0 && !res.complete) {
		kd_fail(&err);
		if (res.incomplete)
			kd_error("%s is INCOMPLETE (marked so in its header): %" PRIu64 " pages written "
				 "before the failure; it can be read, but pages are missing; "
				 "`kdump capture --resume` can finish it", a.output,
				 res.report.pages_written);
		else if (res.removed)
			kd_error("removed %s: it holds no usable dump", a.output);
		if (!res.incomplete)
			return KD_EXIT_FAIL;
	}
	if (res.manifest_err.code) {
		kd_fail(&res.manifest_err);
		if (res.complete)
			return KD_EXIT_FAIL;
	}
	return res.complete ? KD_EXIT_OK : KD_EXIT_INCOMPLETE;
}

KD_COMMAND(capture, .name = "capture", .summary = "capture a vmcore into a (filtered, "
	   "compressed) dump file", .order = 20, .run = run_capture);
