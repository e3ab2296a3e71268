// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump dmesg: write the dead kernel's log from a vmcore or dump file, as makedumpfile does. */
#include "kdump/command.h"
#include "vmcore/vmcore.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sys/stat.h>

static void help(FILE *f)
{
	fputs("NAME\n"
	      "    kdump dmesg - write the kernel log of a crash dump\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    kdump dmesg [-f] [--caller] [-v] VMCORE|DUMPFILE [OUTFILE]\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Reads the log of the kernel that crashed from an ELF vmcore (/proc/vmcore or a\n"
	      "    copy) or a kdump-compressed dump file, and writes it to OUTFILE, or to standard\n"
	      "    output without one. The log is found through the dump's VMCOREINFO alone (no\n"
	      "    vmlinux needed): the lockless printk ring buffer of Linux 5.10 and later, or the\n"
	      "    log_buf records of Linux 3.5 to 5.9.\n"
	      "\n"
	      "    The output is that of `makedumpfile --dump-dmesg`, byte for byte: one line per\n"
	      "    record, \"[seconds.microseconds] text\", continuation lines indented to the text\n"
	      "    column. Bytes that are neither printable ASCII nor white space are written as\n"
	      "    \\xNN (makedumpfile writes bytes of 0x80 and above as \\xffffffNN instead).\n"
	      "    Records are not merged or reordered; records the dead kernel was still writing,\n"
	      "    and empty lines, are left out as makedumpfile does.\n"
	      "\n"
	      "    Everything read from the dump is checked. A record that does not validate is\n"
	      "    left out with a warning on standard error; the rest of the log is still written.\n"
	      "    An existing OUTFILE is not overwritten without -f; OUTFILE is written under a\n"
	      "    temporary name and renamed into place, so it is never left half written.\n"
	      "\n"
	      "OPTIONS\n"
	      "    -f, --force     overwrite OUTFILE if it exists\n"
	      "        --caller    add the caller column of makedumpfile 1.7.5 and later,\n"
	      "                    \"[    T123] \" (thread id) or \"[      C1] \" (CPU number), when\n"
	      "                    the kernel records it (Linux 5.1+ with CONFIG_PRINTK_CALLER, and\n"
	      "                    every 5.10+ kernel)\n"
	      "    -v, --verbose   report the number of records written and left out\n"
	      "    -h, --help      show this help\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0  the log was written (warnings, if any, name records left out)\n"
	      "    1  the log could not be read or written (the message says why)\n"
	      "    2  bad command line, or OUTFILE exists and -f was not given\n"
	      "\n"
	      "EXAMPLES\n"
	      "    kdump dmesg /var/crash/vmcore | less\n"
	      "    kdump dmesg /var/crash/dumpfile dmesg.txt\n"
	      "    kdump dmesg --caller -f /proc/vmcore /var/crash/dmesg.txt\n",
	      f);
}

/*
 * Creates a new file next to out ("OUT.tmp-PID-N"; O_EXCL, retried on a clash) with the mode
 * a plain create would give. Returns its fd and its path in *ret_tmp.
 */
static int create_tmp(const char *out, char **ret_tmp, struct kd_err *err)
{
	for (unsigned n = 0; n < 100; n++) {
		char *tmp = kd_asprintf("%s.tmp-%ld-%u", out, (long)getpid(), n);
		int fd;

		if (!tmp)
			return kd_err_set(err, -ENOMEM, "out of memory");
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			*ret_tmp = tmp;
			return fd;
		}
		fd = -errno;
		free(tmp);
		if (fd != -EEXIST)
			return kd_err_sys(err, fd, "cannot create a temporary file next to %s", out);
	}
	return kd_err_set(err, -EEXIST, "cannot create a temporary file next to %s: 100 names "
			  "taken", out);
}

/* Output through write(2) in 64 KiB pieces (not stdio: errors surface where they happen). */
struct fdout {
	int fd;
	int error;	/* the first write error */
	size_t len;
	char buf[65536];
};

static int fdout_flush(struct fdout *o)
{
	int r = kd_write_all(o->fd, o->buf, o->len);

	o->len = 0;
	if (r < 0 && !o->error)
		o->error = r;
	return r;
}

static int fdout_write(const void *buf, size_t len, void *data)
{
	struct fdout *o = data;
	int r;

	if (o->len + len > sizeof(o->buf)) {
		r = fdout_flush(o);
		if (r < 0)
			return r;
	}
	if (len > sizeof(o->buf)) {
		r = kd_write_all(o->fd, buf, len);
		if (r < 0 && !o->error)
			o->error = r;
		return r;
	}
	memcpy(o->buf + o->len, buf, len);
	o->len += len;
	return 0;
}

/* Writes the log of vc to fd (named name in messages). */
static int write_log(struct vmcore *vc, unsigned flags, int fd, const char *name,
		     struct vmcore_log_stats *st, struct kd_err *err)
{
	struct fdout *o = malloc(sizeof(*o));
	int r;

	if (!o)
		return kd_err_set(err, -ENOMEM, "out of memory");
	o->fd = fd;
	o->error = 0;
	o->len = 0;
	r = vmcore_dmesg(vc, flags, fdout_write, o, st, err);
	if (r >= 0)
		r = fdout_flush(o);
	if (o->error)
		r = kd_err_sys(err, o->error, "cannot write the kernel log to %s", name);
	free(o);
	return r;
}

/* Writes the log of vc into a new temporary file next to out; returns its path in *ret_tmp. */
static int write_tmp(struct vmcore *vc, unsigned flags, const char *out, char **ret_tmp,
		     struct vmcore_log_stats *st, struct kd_err *err)
{
	_cleanup_free_ char *tmp = NULL;
	int fd, r;

	fd = create_tmp(out, &tmp, err);
	if (fd < 0)
		return fd;
	r = write_log(vc, flags, fd, out, st, err);
	if (r >= 0 && fsync(fd) != 0)
		r = kd_err_sys(err, -errno, "cannot write %s", tmp);
	if (close(fd) != 0 && r >= 0)
		r = kd_err_sys(err, -errno, "cannot write %s", tmp);
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	*ret_tmp = KD_TAKE_PTR(tmp);
	return 0;
}

static int run_dmesg(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "caller", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vmcore_log_stats st = { 0 };
	struct kd_err err = { 0 };
	bool force = false, verbose = false;
	unsigned flags = 0;
	const char *in, *out = NULL;
	struct vmcore *vc = NULL;
	struct stat sb;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+fvh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'C':
			flags |= VMCORE_DMESG_CALLER;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			help(stdout);
			return KD_EXIT_OK;
		default:
			return kd_usage_error("dmesg", "bad option");
		}
	}
	if (argc - optind < 1)
		return kd_usage_error("dmesg", "missing VMCORE or DUMPFILE");
	if (argc - optind > 2)
		return kd_usage_error("dmesg", "too many arguments (VMCORE|DUMPFILE [OUTFILE])");
	in = argv[optind];
	if (argc - optind == 2)
		out = argv[optind + 1];
	if (out && strcmp(out, "-") == 0)
		out = NULL;
	if (out && !force && lstat(out, &sb) == 0)
		return kd_usage_error("dmesg", "%s exists; use -f to overwrite it", out);

	r = vmcore_open(in, &vc, &err);
	if (r < 0)
		return kd_fail(&err);
	if (out) {
		_cleanup_free_ char *tmp = NULL;

		r = write_tmp(vc, flags, out, &tmp, &st, &err);
		if (r >= 0) {
			/* Without -f, link() refuses a file that appeared in the meantime. */
			if (force)
				r = rename(tmp, out) < 0 ? -errno : 0;
			else
				r = link(tmp, out) < 0 ? -errno : 0;
			if (r < 0)
				kd_err_sys(&err, r, "cannot create %s", out);
			if (r < 0 || !force)
				unlink(tmp);
		}
	} else {
		r = write_log(vc, flags, STDOUT_FILENO, "standard output", &st, &err);
	}
	if (st.invalid)
		kd_warn("%s: %" PRIu64 " log record(s) did not validate and were left out "
			"(first: %s)", in, st.invalid, st.warning);
	else if (st.warning[0])
		kd_warn("%s: %s", in, st.warning);
	if (verbose)
		kd_info("%s: %s log: %" PRIu64 " records written, %" PRIu64 " slots skipped "
			"(free, in progress or empty), %" PRIu64 " truncated, %" PRIu64 " invalid",
			in, st.kind == VMCORE_LOG_LEGACY ? "log_buf" : "printk ring buffer",
			st.records, st.skipped, st.truncated, st.invalid);
	vmcore_close(vc);
	if (r < 0)
		return r == -EEXIST ? kd_usage_error("dmesg", "%s exists; use -f to overwrite it",
						     out)
				    : kd_fail(&err);
	return KD_EXIT_OK;
}

KD_COMMAND(dmesg, .name = "dmesg", .summary = "write the kernel log of a crash dump",
	   .order = 30, .run = run_dmesg);
