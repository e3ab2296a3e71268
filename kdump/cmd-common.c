// SPDX-License-Identifier: GPL-2.0-or-later
/* Running another command in-process, for its last callers (savecore, the capture init). */
#include "kdump/frontend.h"

#include <getopt.h>
#include <limits.h>

extern const struct kd_command __start_kd_commands[], __stop_kd_commands[];

const struct kd_command *kd_find_command(const char *name)
{
	for (const struct kd_command *c = __start_kd_commands; c < __stop_kd_commands; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int kd_run_command(const char *name, char **argv, int out_fd)
{
	const struct kd_command *c = kd_find_command(name);
	int argc = 0, saved = -1, rc;

	if (!c)
		return -ENOSYS;
	while (argv[argc])
		argc++;
	fflush(stdout);
	if (out_fd >= 0) {
		saved = dup(1);
		dup2(out_fd, 1);
	}
	optind = 0; /* each command parses its own options with getopt_long */
	rc = c->run(argc, argv);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, 1);
		close(saved);
	}
	return rc;
}
