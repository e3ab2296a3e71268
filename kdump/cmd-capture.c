// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump capture: filter a vmcore's pages and write a kdump-compressed, ELF or flattened dump. */
#include "kdump/command.h"
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	stop_flag = sig;
}

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

struct progress {
	double last;
	bool shown;
};

static void show_progress(void *data, uint64_t done, uint64_t total)
{
	struct progress *p = data;
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

/*
 * Opens an incomplete dump to finish it; its size goes to *ret_size. Refuses a complete dump
 * and a file that is not a dump (an empty one is a capture that wrote nothing yet).
 */
static int resume_open(const char *out, uint64_t *ret_size, struct kd_err *err)
{
	struct vmcore *old = NULL;
	struct kd_err e = { 0 };
	struct stat st;
	int fd, r;

	fd = open(out, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s to resume it", out);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return kd_err_set(err, -EINVAL, "%s is not a regular file: nothing to resume", out);
	}
	if (st.st_size > 0) {
		r = vmcore_open(out, &old, &e);
		if (r < 0) {
			close(fd);
			return kd_err_set(err, r, "cannot resume %s: it does not read as a dump (%s)",
					  out, e.msg);
		}
		if (!vmcore_dumpinfo(old)->incomplete) {
			vmcore_close(old);
			close(fd);
			return kd_err_set(err, -EEXIST, "%s is a complete dump: nothing to resume",
					  out);
		}
		vmcore_close(old);
	}
	*ret_size = (uint64_t)st.st_size;
	return fd;
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
	struct vmcore_capture_opts o = { .format = VMCORE_OUT_KDUMP };
	struct vmcore_capture_report rep;
	struct progress prog = { 0 };
	struct kd_err err = { 0 };
	struct vmcore *vc = NULL;
	const char *in, *out, *cname = NULL;
	bool force = false, quiet = false, resume = false, manifest = true;
	struct stat st;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t v;
	double t0;
	int c, fd, r;

	while ((c = getopt_long(argc, argv, "d:clzEFfqh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (kd_parse_u64(optarg, 10, &v) < 0 || v > VMCORE_LEVEL_MAX)
				return kd_usage_error("capture", "dump level \"%s\" is not a number "
						      "from 0 to 31", optarg);
			o.level = (unsigned)v;
			break;
		case 'c':
		case 'l':
		case 'z':
			if (cname)
				return kd_usage_error("capture", "give only one of -c, -l, -z");
			cname = c == 'c' ? "zlib" : c == 'l' ? "lzo" : "zstd";
			break;
		case 'E':
			o.format = VMCORE_OUT_ELF;
			break;
		case 'F':
			o.flatten = true;
			break;
		case 'f':
			force = true;
			break;
		case 'T':
			if (kd_parse_u64(optarg, 10, &v) < 0 || v < 1 || v > 64)
				return kd_usage_error("capture", "--threads \"%s\" is not a number "
						      "from 1 to 64", optarg);
			o.threads = (unsigned)v;
			break;
		case 'M':
			o.read_mode = VMCORE_READ_PREAD;
			break;
		case 'P':
			o.read_mode = VMCORE_READ_MMAP;
			break;
		case 'W':
			if (kd_parse_u64(optarg, 0, &v) < 0 || v < 8 || v > (1ULL << 32))
				return kd_usage_error("capture", "--window \"%s\" is not a pfn count "
						      "from 8 to 2^32", optarg);
			o.window_pfns = v;
			break;
		case 'q':
			quiet = true;
			break;
		case 'R':
			resume = true;
			break;
		case 'N':
			manifest = false;
			break;
		case 'h':
			help();
			return KD_EXIT_OK;
		default:
			return kd_usage_error("capture", "unknown option");
		}
	}
	if (cname) {
		o.comp = vmcore_compressor_find(cname);
		if (!o.comp)
			return kd_usage_error("capture", "this kdump was built without %s", cname);
	}
	if (o.format == VMCORE_OUT_ELF && o.comp)
		return kd_usage_error("capture", "-E (ELF) cannot be combined with -c, -l or -z");
	if (optind >= argc)
		return kd_usage_error("capture", "missing VMCORE");
	in = argv[optind++];
	if (o.flatten) {
		if (optind < argc)
			return kd_usage_error("capture", "-F writes to standard output: leave out "
					      "DUMPFILE (got \"%s\")", argv[optind]);
		if (isatty(STDOUT_FILENO))
			return kd_usage_error("capture", "-F writes a binary stream: redirect "
					      "standard output to a file or a pipe");
		out = "standard output";
	} else {
		if (optind >= argc)
			return kd_usage_error("capture", "missing DUMPFILE (or -F for standard "
					      "output)");
		out = argv[optind++];
	}
	if (optind < argc)
		return kd_usage_error("capture", "unexpected argument \"%s\"", argv[optind]);
	if (resume && (o.flatten || force))
		return kd_usage_error("capture", "--resume finishes an existing DUMPFILE: it "
				      "cannot be combined with -F or -f");

	r = vmcore_open(in, &vc, &err);
	if (r < 0)
		return kd_fail(&err);
	if (o.flatten) {
		fd = STDOUT_FILENO;
	} else if (resume) {
		r = resume_open(out, &o.resume_size, &err);
		if (r < 0) {
			vmcore_close(vc);
			return kd_fail(&err);
		}
		fd = r;
	} else {
		fd = open(out, O_RDWR | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0600);
		if (fd < 0) {
			r = -errno;
			vmcore_close(vc);
			if (r == -EEXIST)
				kd_err_set(&err, r, "%s already exists; remove it or pass -f to "
					   "overwrite it", out);
			else
				kd_err_sys(&err, r, "cannot create %s", out);
			return kd_fail(&err);
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	o.stop = &stop_flag;
	if (!quiet && isatty(STDERR_FILENO)) {
		o.progress = show_progress;
		o.progress_data = &prog;
	}
	t0 = kd_now();
	r = vmcore_capture(vc, fd, out, &o, &rep, &err);
	/* A resumed dump may have been left longer than it ends (it never is in practice). */
	if (r == 0 && resume && fstat(fd, &st) == 0 && (uint64_t)st.st_size > rep.output_bytes &&
	    ftruncate(fd, (off_t)rep.output_bytes) < 0)
		r = kd_err_sys(&err, -errno, "%s: cannot cut the resumed dump to its size", out);
	if (r == 0 && !o.flatten && fsync(fd) < 0 && errno != EINVAL) {
		r = kd_err_sys(&err, -errno, "%s: cannot flush the dump to disk", out);
		rep.incomplete = false;
	}
	if (!o.flatten && close(fd) < 0 && r == 0)
		r = kd_err_sys(&err, -errno, "%s: cannot close the dump", out);
	if (prog.shown)
		fprintf(stderr, "\n");
	if (rep.filter_warning[0])
		kd_warn("%s", rep.filter_warning);
	if (rep.warning[0] && !quiet)
		kd_warn("%s", rep.warning);
	if (r == 0 && !quiet)
		summary(in, out, &o, &rep, kd_now() - t0);
	if (resume && !quiet && (r == 0 || rep.incomplete))
		fprintf(stderr, "  resumed: %" PRIu64 " bytes were already written (checked), "
			"the rest written now\n", rep.resume_kept);
	vmcore_close(vc);
	if (r < 0) {
		kd_fail(&err);
		if (rep.incomplete)
			kd_error("%s is INCOMPLETE (marked so in its header): %" PRIu64 " pages written "
				 "before the failure; it can be read, but pages are missing; "
				 "`kdump capture --resume` can finish it", out, rep.pages_written);
	}
	if (r < 0 && !rep.incomplete) {
		if (!o.flatten && !resume && unlink(out) == 0)
			kd_error("removed %s: it holds no usable dump", out);
		return KD_EXIT_FAIL;
	}
	/* The manifest describes the file as it is, complete or not (kdump verify says which). */
	if (!o.flatten && manifest) {
		struct kd_err merr = { 0 };

		if (kd_manifest_write(out, &merr) < 0) {
			kd_fail(&merr);
			if (r == 0)
				return KD_EXIT_FAIL;
		}
	}
	return r == 0 ? KD_EXIT_OK : KD_EXIT_INCOMPLETE;
}

KD_COMMAND(capture, .name = "capture", .summary = "capture a vmcore into a (filtered, "
	   "compressed) dump file", .order = 20, .run = run_capture);
