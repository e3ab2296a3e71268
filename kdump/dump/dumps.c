// SPDX-License-Identifier: GPL-2.0-or-later
/* Dump directories: listing with their info.json summary, retention, naming, space needed. */
#include "kdump/dump/dump.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

void kd_dump_dir_name(const char *host, time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!host || !host[0] || strcmp(host, "(none)") == 0)
		host = "localhost";
	gmtime_r(&t, &tm);
	snprintf(buf, len, "%s-%04d-%02d-%02d-%02d:%02d:%02d", host, tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

bool kd_json_get_string(const char *json, const char *key, char *out, size_t len)
{
	char pat[80];
	const char *p;
	size_t o = 0;

	if (len == 0 || snprintf(pat, sizeof(pat), "\"%s\"", key) >= (int)sizeof(pat))
		return false;
	for (p = strstr(json, pat); p; p = strstr(p + 1, pat)) {
		const char *q = p + strlen(pat);
		while (*q == ' ' || *q == '\t' || *q == '\n')
			q++;
		if (*q != ':')
			continue;
		q++;
		while (*q == ' ' || *q == '\t' || *q == '\n')
			q++;
		if (*q != '"')
			return false;
		for (q++; *q && *q != '"' && o + 1 < len; q++) {
			char c = *q;
			if (c == '\\' && q[1]) {
				q++;
				switch (*q) {
				case 'n': c = '\n'; break;
				case 't': c = '\t'; break;
				case 'r': c = '\r'; break;
				case 'b': c = '\b'; break;
				case 'f': c = '\f'; break;
				case 'u': {
					unsigned v = 0;
					int i;
					for (i = 1; i <= 4 && isxdigit((unsigned char)q[i]); i++)
						v = v * 16 + (unsigned)(q[i] <= '9' ? q[i] - '0'
										: (q[i] | 0x20) - 'a' + 10);
					if (i != 5)
						return false;
					q += 4;
					c = v < 0x80 && v >= 0x20 ? (char)v : '?';
					break;
				}
				default: c = *q; break;
				}
			}
			out[o++] = c;
		}
		out[o] = '\0';
		return true;
	}
	return false;
}

/* The "YYYY-MM-DD-HH:MM:SS" end of a dump directory's name, or NULL. */
static const char *name_time(const char *name)
{
	size_t n = strlen(name);
	const char *t = n > 20 ? name + n - 19 : NULL;

	if (!t || t[-1] != '-' || t[4] != '-' || t[13] != ':' || !isdigit((unsigned char)t[0]))
		return NULL;
	return t;
}

static int cmp_dump(const void *a, const void *b)
{
	const struct kd_dump *x = a, *y = b;
	const char *tx = name_time(x->name), *ty = name_time(y->name);
	int c = tx && ty ? strcmp(tx, ty) : 0;

	if (c == 0 && !(tx && ty) && x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return c ? c : strcmp(x->name, y->name);
}

static void read_summary(int dfd, struct kd_dump *d)
{
	_cleanup_close_ int fd = openat(dfd, "info.json", O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	ssize_t n;

	if (fd < 0)
		return;
	buf = malloc(256 * 1024 + 1);
	if (!buf)
		return;
	n = kd_read_all(fd, buf, 256 * 1024);
	if (n <= 0)
		return;
	buf[n] = '\0';
	kd_json_get_string(buf, "osrelease", d->release, sizeof(d->release));
	kd_json_get_string(buf, "crash_time_utc", d->crash_time, sizeof(d->crash_time));
	kd_json_get_string(buf, "panic_message", d->panic, sizeof(d->panic));
}

int kd_dumps_list(const char *dir, struct kd_dump_list *ret, struct kd_err *err)
{
	static const char *const files[] = { "vmcore", "vmcore.flat" };
	struct kd_dump_list l = { 0 };
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned seen = 0;

	if (!d) {
		if (errno == ENOENT) {
			*ret = l;
			return 0;
		}
		return kd_err_sys(err, -errno, "cannot list %s", dir);
	}
	while ((e = readdir(d)) && seen++ < KD_DUMPS_MAX) {
		_cleanup_close_ int dfd = -1;
		struct kd_dump x = { 0 };
		struct stat st;
		bool marker;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(x.name))
			continue;
		dfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0 || fstat(dfd, &st) < 0)
			continue;
		snprintf(x.name, sizeof(x.name), "%s", e->d_name);
		x.mtime = st.st_mtime;
		for (size_t i = 0; i < KD_ARRAY_SIZE(files); i++) {
			struct stat fs;
			if (fstatat(dfd, files[i], &fs, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(fs.st_mode)) {
				snprintf(x.file, sizeof(x.file), "%s", files[i]);
				x.bytes = (uint64_t)fs.st_size;
				break;
			}
		}
		marker = faccessat(dfd, KD_INCOMPLETE_MARKER, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
		if (!x.file[0] && !marker)
			continue;
		x.complete = x.file[0] && !marker;
		read_summary(dfd, &x);
		if (l.n % 16 == 0) {
			struct kd_dump *nv = realloc(l.v, (l.n + 16) * sizeof(*nv));
			if (!nv) {
				closedir(d);
				kd_dumps_free(&l);
				return kd_err_set(err, -ENOMEM, "out of memory");
			}
			l.v = nv;
		}
		l.v[l.n++] = x;
	}
	closedir(d);
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_dump);
	*ret = l;
	return 0;
}

void kd_dumps_free(struct kd_dump_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Removes the regular files of one dump directory, then the directory; nothing deeper. */
static int remove_dump(const char *dir, const char *name, struct kd_err *err)
{
	_cleanup_free_ char *path = kd_asprintf("%s/%s", dir, name);
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (!path)
		return kd_err_set(err, -ENOMEM, "out of memory");
	d = opendir(path);
	if (!d)
		return kd_err_sys(err, -errno, "cannot open %s", path);
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0 && r == 0)
			r = kd_err_sys(err, -errno, "cannot remove %s/%s", path, e->d_name);
	}
	closedir(d);
	if (r == 0 && rmdir(path) < 0)
		r = kd_err_sys(err, -errno, "cannot remove %s", path);
	return r;
}

int kd_dumps_prune(const char *dir, unsigned keep, const char *protect, unsigned *ret_removed,
		   struct kd_err *err)
{
	struct kd_dump_list l;
	unsigned complete = 0, removed = 0;
	int r;

	if (keep == 0) {
		if (ret_removed)
			*ret_removed = 0;
		return 0;
	}
	r = kd_dumps_list(dir, &l, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l.n; i++)
		complete += l.v[i].complete;
	for (size_t i = 0; i < l.n && complete > keep; i++) {
		if (!l.v[i].complete || (protect && strcmp(l.v[i].name, protect) == 0))
			continue;
		r = remove_dump(dir, l.v[i].name, err);
		if (r < 0)
			break;
		removed++;
		complete--;
	}
	kd_dumps_free(&l);
	if (r < 0)
		return r;
	if (ret_removed)
		*ret_removed = removed;
	return 0;
}

void kd_dump_space(uint64_t kept, uint64_t page_size, uint64_t max_pfn, bool compressed,
		   uint64_t *ret_expected, uint64_t *ret_bound)
{
	uint64_t meta = 2 * KD_DIV_ROUND_UP(max_pfn, 8) + (1 << 20);
	uint64_t bound = kept * (page_size + 24) + meta;

	*ret_bound = bound;
	*ret_expected = compressed ? kept * (page_size / 2 + 24) + meta : bound;
}

int kd_dump_dir_begin(const char *dir, int *ret_dirfd, int *ret_marker, struct kd_err *err)
{
	_cleanup_close_ int dirfd = -1, marker = -1;

	if (mkdir(dir, 0700) < 0)
		return kd_err_sys(err, -errno, "cannot create %s", dir);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return kd_err_sys(err, -errno, "cannot open %s", dir);
	marker = openat(dirfd, KD_INCOMPLETE_MARKER, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (marker < 0)
		return kd_err_sys(err, -errno, "cannot create %s/" KD_INCOMPLETE_MARKER, dir);
	fsync(dirfd);
	*ret_dirfd = KD_TAKE_FD(dirfd);
	*ret_marker = KD_TAKE_FD(marker);
	return 0;
}
