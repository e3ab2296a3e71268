// SPDX-License-Identifier: GPL-2.0-or-later
/* kdump version: the program's version (also -V). */
#include "kdump/command.h"

static int run_version(int argc, char **argv)
{
	printf("kdump %s\n", KD_VERSION);
	return KD_EXIT_OK;
}

KD_COMMAND(version, .name = "version", .summary = "show the version", .order = 1000,
	   .run = run_version);
