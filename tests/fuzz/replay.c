// SPDX-License-Identifier: GPL-2.0-or-later
/* Replay main for fuzz targets: runs LLVMFuzzerTestOneInput over saved inputs (files or dirs). */
#include "base/base.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (16u << 20)

static const char *current;

static void on_alarm(int sig)
{
	static const char msg[] = "replay: input timed out (a hang): ";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	(void)!write(2, current, strlen(current));
	(void)!write(2, "\n", 1);
	_exit(1);
}

/* Runs one file; returns its size or -1. */
static long replay_file(const char *path, unsigned timeout)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf;
	ssize_t n;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((uint64_t)st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s is larger than %u bytes\n", path, REPLAY_MAX_INPUT);
		return -1;
	}
	/* Exactly sized, so that the sanitizers see any read past the end. */
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		return -1;
	n = kd_read_all(fd, buf, (size_t)st.st_size);
	if (n != st.st_size) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		free(buf);
		return -1;
	}
	current = path;
	alarm(timeout);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	alarm(0);
	free(buf);
	return (long)n;
}

int main(int argc, char **argv)
{
	const char *t = getenv("KD_FUZZ_TIMEOUT");
	unsigned timeout = t && atoi(t) > 0 ? (unsigned)atoi(t) : 10;
	unsigned long inputs = 0, bytes = 0;
	double start = kd_now();
	int rc = 0;

	signal(SIGALRM, on_alarm);
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\nRuns the fuzz target once per input "
			"(each file, or each file in a directory).\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct dirent **names;
		struct stat st;
		int n;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			long r = replay_file(argv[i], timeout);
			if (r < 0)
				rc = 1;
			else
				inputs++, bytes += (unsigned long)r;
			continue;
		}
		n = scandir(argv[i], &names, NULL, alphasort);
		if (n < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		for (int k = 0; k < n; k++) {
			char *path = NULL;
			if (names[k]->d_name[0] != '.' &&
			    (path = kd_asprintf("%s/%s", argv[i], names[k]->d_name)) != NULL &&
			    stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				long r = replay_file(path, timeout);
				if (r < 0)
					rc = 1;
				else
					inputs++, bytes += (unsigned long)r;
			}
			free(path);
			free(names[k]);
		}
		free(names);
	}
	printf("%s: replayed %lu inputs (%lu bytes) in %.2f s\n", argv[0], inputs, bytes,
	       kd_now() - start);
	if (!inputs) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	return rc;
}
