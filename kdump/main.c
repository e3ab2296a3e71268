// SPDX-License-Identifier: GPL-2.0-or-later
/* The kdump front end: finds the subcommand and runs it. */
#include "kdump/command.h"

extern const struct kd_command __start_kd_commands[], __stop_kd_commands[];

int kd_fail(const struct kd_err *err)
{
	kd_error("%s", err->msg[0] ? err->msg : strerror(-err->code));
	return KD_EXIT_FAIL;
}

KD_PRINTF(2, 3) int kd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kdump %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'kdump %s --help' for more information.\n", cmd);
	return KD_EXIT_USAGE;
}

static int cmp_order(const void *a, const void *b)
{
	const struct kd_command *const *x = a, *const *y = b;

	return (*x)->order - (*y)->order;
}

static void help(FILE *f)
{
	size_t n = (size_t)(__stop_kd_commands - __start_kd_commands);
	const struct kd_command *sorted[256];

	fprintf(f, "Usage: kdump COMMAND [OPTIONS] [ARGS]\n\n"
		   "Arm a crash (capture) kernel, capture a dead kernel's memory into a small dump,\n"
		   "and read dumps. Each command has its own --help.\n\nCommands:\n");
	n = KD_MIN(n, KD_ARRAY_SIZE(sorted));
	for (size_t i = 0; i < n; i++)
		sorted[i] = &__start_kd_commands[i];
	qsort(sorted, n, sizeof(sorted[0]), cmp_order);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-18s %s\n", sorted[i]->name, sorted[i]->summary);
	fprintf(f, "\nOptions:\n  -h, --help         show this help\n"
		   "  -V, --version      show the version\n\n"
		   "Exit status: 0 success, 1 failure, 2 usage error, 3 dump written but incomplete.\n");
}

int main(int argc, char **argv)
{
	const struct kd_command *c;

	/* As /init of the capture initramfs (PID 1) run `kdump init` (kdump/cmd-init.c). */
	if (getpid() == 1)
		for (c = __start_kd_commands; c < __stop_kd_commands; c++)
			if (strcmp(c->name, "init") == 0)
				return c->run(argc, argv);
	if (argc < 2) {
		help(stderr);
		return KD_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		help(stdout);
		return KD_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("kdump %s\n", KD_VERSION);
		return KD_EXIT_OK;
	}
	/* Two-word commands ("kexec load") first, then one-word ones. */
	for (int words = 2; words >= 1; words--) {
		if (argc < 1 + words)
			continue;
		for (c = __start_kd_commands; c < __stop_kd_commands; c++) {
			const char *sp = strchr(c->name, ' ');
			if (words == 2 && sp && strncmp(c->name, argv[1], (size_t)(sp - c->name)) == 0 &&
			    argv[1][sp - c->name] == '\0' && strcmp(sp + 1, argv[2]) == 0)
				return c->run(argc - 2, argv + 2);
			if (words == 1 && !sp && strcmp(c->name, argv[1]) == 0)
				return c->run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "kdump: unknown command '%s'\nTry 'kdump --help' for the list.\n",
		argv[1]);
	return KD_EXIT_USAGE;
}
