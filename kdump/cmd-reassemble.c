// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump reassemble: turn a flattened stream (capture -F, makedumpfile -F) into a dump file. */
#include "kdump/command.h"
#include "vmcore/vmcore.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>

static void help(void)
{
	printf("NAME\n"
	       "    kdump reassemble - turn a flattened dump stream back into a dump file\n"
	       "\n"
	       "SYNOPSIS\n"
	       "    kdump reassemble [-f] [FLATFILE|-] DUMPFILE\n"
	       "\n"
	       "DESCRIPTION\n"
	       "    Reads the flattened format that `kdump capture -F` and `makedumpfile -F`\n"
	       "    write (from FLATFILE, or standard input if it is - or left out), checks\n"
	       "    every record, and writes the kdump-compressed or ELF dump it describes to\n"
	       "    DUMPFILE, byte for byte the file the capture would have written without -F\n"
	       "    (like makedumpfile -R). The result is then opened to check it is a dump.\n"
	       "    If the stream stops early, the dump is kept, marked incomplete, and the\n"
	       "    exit status is 3.\n"
	       "\n"
	       "OPTIONS\n"
	       "    -f, --force   overwrite DUMPFILE if it exists\n"
	       "    -h, --help    show this help\n"
	       "\n"
	       "EXIT STATUS\n"
	       "    0 success; 1 failure; 2 bad command line; 3 the stream was cut short and the\n"
	       "    dump written is marked incomplete.\n"
	       "\n"
	       "EXAMPLES\n"
	       "    ssh crashed-host 'kdump capture -l -d 31 -F /proc/vmcore' | kdump reassemble - dump\n"
	       "    kdump reassemble dump.flat dump\n");
}

/* Flags a partial dump incomplete in its own header, if its format has room for that. */
static bool mark_incomplete(int fd)
{
	uint8_t h[64];

	if (kd_pread_all(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return false;
	if (memcmp(h, "KDUMP   ", 8) == 0) {
		uint8_t s[4];
		if (kd_pread_all(fd, s, 4, 424) != 4)
			return false;
		kd_put_le32(s, kd_le32(s) | VMCORE_DUMP_INCOMPLETE);
		return kd_pwrite_all(fd, s, 4, 424) == 0;
	}
	if (memcmp(h, "\177ELF", 4) == 0) {
		kd_put_le32(h + 48, kd_le32(h + 48) | 1);
		return kd_pwrite_all(fd, h + 48, 4, 48) == 0;
	}
	return false;
}

static int run_reassemble(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct kd_err err = { 0 };
	const char *in = "-", *out;
	_cleanup_close_ int in_fd = -1;
	bool force = false;
	struct vmcore *vc;
	uint64_t size;
	int c, fd, r;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			help();
			return KD_EXIT_OK;
		default:
			return kd_usage_error("reassemble", "unknown option");
		}
	}
	if (argc - optind == 2)
		in = argv[optind++];
	if (argc - optind != 1)
		return kd_usage_error("reassemble", "expected [FLATFILE|-] DUMPFILE");
	out = argv[optind];
	if (strcmp(in, "-") == 0) {
		if (isatty(STDIN_FILENO))
			return kd_usage_error("reassemble", "standard input is a terminal; give "
					      "FLATFILE or pipe the stream in");
	} else {
		in_fd = open(in, O_RDONLY | O_CLOEXEC);
		if (in_fd < 0) {
			kd_err_sys(&err, -errno, "cannot open %s", in);
			return kd_fail(&err);
		}
	}
	fd = open(out, O_RDWR | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			kd_err_set(&err, -EEXIST, "%s already exists; remove it or pass -f to "
				   "overwrite it", out);
		else
			kd_err_sys(&err, -errno, "cannot create %s", out);
		return kd_fail(&err);
	}
	r = vmcore_reassemble(in_fd >= 0 ? in_fd : STDIN_FILENO,
			      in_fd >= 0 ? in : "standard input", fd, out, &size, &err);
	if (r < 0) {
		bool marked = r == -EBADMSG && strstr(err.msg, "truncated") && mark_incomplete(fd);

		close(fd);
		kd_fail(&err);
		if (marked) {
			kd_error("%s is INCOMPLETE (marked so in its header)", out);
			return KD_EXIT_INCOMPLETE;
		}
		if (unlink(out) == 0)
			kd_error("removed the partial %s", out);
		return KD_EXIT_FAIL;
	}
	if (fsync(fd) < 0 && errno != EINVAL) {
		kd_err_sys(&err, -errno, "%s: cannot flush to disk", out);
		close(fd);
		return kd_fail(&err);
	}
	close(fd);
	r = vmcore_open(out, &vc, &err);
	if (r < 0) {
		kd_err_prefix(&err, "the reassembled file is not a readable dump");
		return kd_fail(&err);
	}
	fprintf(stderr, "kdump reassemble: %s: %s dump, %" PRIu64 " bytes%s\n", out,
		vmcore_format_name(vmcore_format(vc)), size,
		vmcore_dumpinfo(vc)->incomplete ? " (marked INCOMPLETE by the capture)" : "");
	r = vmcore_dumpinfo(vc)->incomplete ? KD_EXIT_INCOMPLETE : KD_EXIT_OK;
	vmcore_close(vc);
	return r;
}

KD_COMMAND(reassemble, .name = "reassemble", .summary = "turn a flattened dump stream (-F) "
	   "into a dump file", .order = 25, .run = run_reassemble);
