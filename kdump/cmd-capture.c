// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump capture: filter a vmcore's pages and write a kdump-compressed, ELF or flattened dump. */
#include "kdump/command.h"
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <getopt.h>
#include <inttypes.h>

static void help(void)
{
	printf("NAME\n"
	       "    kdump capture - save a crashed kernel's memory as a small dump file\n"
	       "\n"
	       "SYNOPSIS\n"
	       "    kdump capture [-d LEVEL] [-c|-l|-z] [--threads N] [-f] VMCORE DUMPFILE\n"
	       "    kdump capture --resume [-d LEVEL] [-c|-l|-z|-E] VMCORE DUMPFILE\n"
	       "    kdump capture [-d LEVEL] -E [-f] VMCORE DUMPFILE\n"
	       "    kdump capture [-d LEVEL] [-c|-l|-z|-E] -F VMCORE > FLATFILE\n"
	       "\n"
	       "DESCRIPTION\n"
	       "    Reads VMCORE (/proc/vmcore in the capture kernel, a saved copy of it, or a\n"
	       "    kdump-compressed file to filter again), leaves out the pages the dump level\n"
	       "    excludes, and writes the rest to DUMPFILE: kdump-compressed by default\n"
	       "    (makedumpfile's format, read by crash, makedumpfile, libkdumpfile and drgn),\n"
	       "    or ELF with -E. Pages are compressed one by one on several threads; the\n"
	       "    output is the same whatever the number of threads. Memory use is bounded: the\n"
	       "    pages are decided window by window, never all at once.\n"
	       "\n"
	       "    DUMPFILE is created with mode 0600 and is never overwritten unless -f is\n"
	       "    given. If writing fails (disk full, I/O error) or the command is interrupted\n"
	       "    (SIGINT, SIGTERM), what was written stays readable and is marked incomplete\n"
	       "    (kdump status flag 0x8, ELF e_flags bit 0), and the exit status is 3.\n"
	       "    Such a dump can be finished with --resume while VMCORE is still there.\n"
	       "\n"
	       "    Next to DUMPFILE goes its manifest, DUMPFILE.sha256: the SHA-256 of the\n"
	       "    whole file and of each 1 MiB block, which `kdump verify` checks. Making it\n"
	       "    reads the dump back once (SHA-256 at about 1 GB/s of CPU with the x86 SHA\n"
	       "    extensions, 150-300 MB/s without; --no-manifest skips it).\n"
	       "\n"
	       "    On a terminal a progress line is shown; at the end a summary (to standard\n"
	       "    error) gives the pages kept and excluded per class, the output size and the\n"
	       "    time.\n"
	       "\n"
	       "OPTIONS\n"
	       "    -d, --dump-level LEVEL\n"
	       "        Pages to leave out, a sum of: 1 pages filled with zeros, 2 page cache\n"
	       "        without private data, 4 page cache with private data, 8 user process\n"
	       "        pages, 16 free pages. 0 (the default) keeps every page; 31 keeps what a\n"
	       "        kernel developer needs and makes the smallest dump. Pages are classified\n"
	       "        as makedumpfile 1.7.8 does, from VMCOREINFO alone. If the dump lacks what\n"
	       "        a level needs, or its struct pages make no sense, the capture says so\n"
	       "        and uses the highest level it can trust; the dump records that level.\n"
	       "    -c  Compress each page with zlib.\n"
	       "    -l  Compress each page with LZO (fast; a good default for -d 31).\n"
	       "    -z  Compress each page with zstd%s.\n"
	       "    -E  Write an ELF dump (like makedumpfile -E) instead of kdump-compressed;\n"
	       "        it cannot be compressed.\n"
	       "    -F, --flatten\n"
	       "        Write makedumpfile's flattened format to standard output, for a pipe\n"
	       "        (ssh, nc). Turn it back into a dump file with `kdump reassemble`\n"
	       "        (or `makedumpfile -R`).\n"
	       "    -f, --force\n"
	       "        Overwrite DUMPFILE if it exists.\n"
	       "    --no-manifest\n"
	       "        Do not write DUMPFILE.sha256 (`kdump verify --write` can make it later).\n"
	       "    --resume\n"
	       "        Finish DUMPFILE, an incomplete dump that an earlier kdump capture of the\n"
	       "        same VMCORE with the same options left (disk full, I/O error, signal).\n"
	       "        The capture is made again: the bytes already in DUMPFILE are read back\n"
	       "        and must match (else it stops, exit 1, and DUMPFILE is left as it was),\n"
	       "        only the missing ones are written. The result is byte for byte the dump\n"
	       "        an uninterrupted capture would have written.\n"
	       "    --threads N\n"
	       "        Compress on N threads (default: the number of online CPUs).\n"
	       "    --no-mmap, --mmap\n"
	       "        Read VMCORE with read(2) only, or map it in 1 MiB windows whatever it is.\n"
	       "        By default /proc/vmcore is mapped (much faster than reading it there) and\n"
	       "        read where mapping fails; other files are read (cheaper than mapping).\n"
	       "    -q, --quiet\n"
	       "        No progress line and no summary.\n"
	       "    -h, --help\n"
	       "        Show this help.\n"
	       "\n"
	       "EXIT STATUS\n"
	       "    0 the dump is complete; 1 failure (no dump file is left behind); 2 bad\n"
	       "    command line; 3 a dump was written but is incomplete (marked so inside).\n"
	       "\n"
	       "EXAMPLES\n"
	       "    kdump capture -l -d 31 /proc/vmcore /var/crash/dump\n"
	       "    kdump capture -z -d 1 --threads 4 vmcore.elf dump.kdump\n"
	       "    kdump capture -E -d 31 /proc/vmcore vmcore.small\n"
	       "    kdump capture -l -d 31 -F /proc/vmcore | ssh host 'kdump reassemble - dump'\n",
	       vmcore_compressor_find("zstd") ? "" : " (not built into this kdump)");
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
