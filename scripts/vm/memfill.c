// SPDX-License-Identifier: GPL-2.0-or-later
/* Guest workload helper for the VM harness: holds N MiB of patterned anonymous memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * Usage: memfill MIB. Maps MIB MiB of private anonymous memory, writes a recognisable line at
 * the start of each page (every 16th page is left zero, so the zero-page filter has work),
 * prints one report line, then sleeps until killed (the memory stays live for the crash).
 */
int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t mib, pages, zero = 0;
	char *p;

	if (argc != 2 || (mib = strtoul(argv[1], NULL, 10)) == 0 || mib > 65536) {
		fprintf(stderr, "usage: memfill MIB (1..65536)\n");
		return 2;
	}
	pages = mib * 1024 * 1024 / (size_t)page;
	p = mmap(NULL, pages * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		perror("memfill: mmap");
		return 1;
	}
	for (size_t i = 0; i < pages; i++) {
		char *pg = p + i * (size_t)page;
		if (i % 16 == 15) {
			pg[0] = 0; /* touched, still a zero page */
			zero++;
			continue;
		}
		snprintf(pg, (size_t)page, "KDVM-ANON-PAGE %zu of %zu\n", i, pages);
		memset(pg + 64, (int)(i & 0xff) | 1, (size_t)page - 64);
	}
	printf("memfill pid=%d addr=%p pages=%zu zero_pages=%zu\n", getpid(), (void *)p, pages, zero);
	fflush(stdout);
	for (;;)
		pause();
}
