// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: what the loader reads from a running kernel (/proc/iomem, /proc/kcore's header,
 * /sys/firmware/memmap, /sys/kernel/vmcoreinfo, CPU lists and crash_notes, boot_params, the
 * EFI systab, ...) through loader_sysinfo_read on a sysroot made from the input, then the
 * elfcorehdr built from it.
 *
 * Input: records "@@ PATH\n" followed by the file's bytes up to the next "\n@@ " (or the
 * end). PATH is relative to the sysroot and must be one the loader reads (others are
 * ignored); a file without a record does not exist.
 */
#include "fuzz-util.h"
#include "loader/loader.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#define T "fuzz-sysinfo"

static const char *const fixed_paths[] = {
	"proc/iomem", "proc/kcore.head", "proc/cmdline", "proc/version",
	"proc/sys/kernel/osrelease", "sys/kernel/vmcoreinfo", "sys/kernel/kexec_crash_loaded",
	"sys/kernel/kexec_loaded", "sys/kernel/kexec_crash_size",
	"sys/kernel/crash_elfcorehdr_size", "sys/kernel/boot_params/data",
	"sys/firmware/efi/systab", "sys/devices/system/cpu/possible",
};

#define NR_NUMBERED 8

static char root[64];
static char *paths[KD_ARRAY_SIZE(fixed_paths) + 3 * NR_NUMBERED + 2 * NR_NUMBERED];
static size_t nr_paths;

static void mkdir_parents(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			abort();
		*s = '/';
	}
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) < 0 ? 0 : 0;
}

/* The sysroot goes with the process (replays and fuzzing runs leave nothing behind). */
static void cleanup(void)
{
	nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(root, sizeof(root), "%s/fuzz-sysinfo-XXXXXX", base);
	if (!mkdtemp(root))
		abort();
	atexit(cleanup);
	for (size_t i = 0; i < KD_ARRAY_SIZE(fixed_paths); i++)
		paths[nr_paths++] = kd_strdup(fixed_paths[i]);
	for (unsigned i = 0; i < NR_NUMBERED; i++) {
		paths[nr_paths++] = kd_asprintf("sys/firmware/memmap/%u/start", i);
		paths[nr_paths++] = kd_asprintf("sys/firmware/memmap/%u/end", i);
		paths[nr_paths++] = kd_asprintf("sys/firmware/memmap/%u/type", i);
		paths[nr_paths++] = kd_asprintf("sys/devices/system/cpu/cpu%u/crash_notes", i);
		paths[nr_paths++] = kd_asprintf("sys/devices/system/cpu/cpu%u/crash_notes_size", i);
	}
	for (size_t i = 0; i < nr_paths; i++) {
		if (!paths[i])
			abort();
		mkdir_parents(paths[i]);
	}
}

static void put_file(const char *rel, size_t rel_len, const uint8_t *buf, size_t len)
{
	char p[512];
	int fd;

	for (size_t i = 0; i < nr_paths; i++) {
		if (strlen(paths[i]) != rel_len || memcmp(paths[i], rel, rel_len) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", root, paths[i]);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || kd_write_all(fd, buf, len) < 0)
			abort();
		close(fd);
		return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loader_sysinfo *si = NULL;
	struct kd_err err = { 0 };
	const uint8_t *p = data, *end = data + size;
	uint8_t *hdr = NULL;
	size_t hdr_len = 0;
	char f[512];
	int r;

	if (!root[0])
		setup();
	for (size_t i = 0; i < nr_paths; i++) {
		snprintf(f, sizeof(f), "%s/%s", root, paths[i]);
		unlink(f);
	}
	while (end - p >= 3 && memcmp(p, "@@ ", 3) == 0) {
		const uint8_t *name = p + 3, *nl = memchr(name, '\n', (size_t)(end - name));
		const uint8_t *body, *next;

		if (!nl)
			break;
		body = nl + 1;
		next = memmem(body, (size_t)(end - body), "\n@@ ", 4);
		put_file((const char *)name, (size_t)(nl - name), body,
			 (size_t)((next ? next : end) - body));
		p = next ? next + 1 : end;
	}
	r = loader_sysinfo_read(root, &si, &err);
	if (r < 0) {
		fz_check(!si && err.msg[0], T, "a failed read says why and returns nothing");
		return 0;
	}
	fz_check(si->n_ram <= LOADER_MAX_RANGES && si->n_memmap <= LOADER_MAX_RANGES, T,
		 "ranges are capped");
	fz_check(si->n_cpus <= LOADER_MAX_CPUS, T, "CPUs are capped");
	r = loader_elfcorehdr_build(si, &hdr, &hdr_len, &err);
	if (r < 0)
		fz_check(err.msg[0] != '\0', T, "a failed elfcorehdr says why");
	else
		fz_check(hdr && hdr_len >= 64 && memcmp(hdr, "\177ELF", 4) == 0, T,
			 "the elfcorehdr is an ELF header");
	if (getenv("KD_FUZZ_VERBOSE"))
		fprintf(stderr, "%s: %zu RAM ranges, %zu CPUs, elfcorehdr %d (%zu bytes) %s\n", T,
			si->n_ram, si->n_cpus, r, hdr_len, r < 0 ? err.msg : "");
	free(hdr);
	loader_sysinfo_destroy(si);
	return 0;
}
