/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Subcommand registration for the kdump front end: one file per command, no central list. */
#ifndef KD_COMMAND_H
#define KD_COMMAND_H

#include "base/base.h"

#ifndef KD_VERSION
#define KD_VERSION "0.1"	/* kdump --version, kdump version */
#endif

struct kd_command {
	const char *name;	/* "capture", or "kexec load" for a two-word command */
	const char *summary;	/* one line for `kdump --help` */
	int order;		/* position in `kdump --help` */
	/* argv[0] is the command name; returns the process exit status. */
	int (*run)(int argc, char **argv);
};

#define KD_COMMAND(ident, ...)                                                                     \
	static const struct kd_command kd_command_##ident                                        \
		__attribute__((used, section("kd_commands"), aligned(sizeof(void *)))) = {        \
			__VA_ARGS__                                                                \
		}

/* Exit statuses of every command. */
enum {
	KD_EXIT_OK = 0,
	KD_EXIT_FAIL = 1,	/* the operation failed */
	KD_EXIT_USAGE = 2,	/* bad command line */
	KD_EXIT_INCOMPLETE = 3, /* a dump was written but is incomplete */
};

/* Prints a kd_err once, prefixed with the program name; returns KD_EXIT_FAIL. */
int kd_fail(const struct kd_err *err);
/* Prints "kdump CMD: msg" and a hint to --help; returns KD_EXIT_USAGE. */
int kd_usage_error(const char *cmd, const char *fmt, ...) KD_PRINTF(2, 3);

#endif
