// SPDX-License-Identifier: GPL-2.0-or-later
/* DT_NEEDED closure of programs, with libelf, for copying them into the capture initramfs. */
#include "kdump/initramfs/initramfs.h"

#include <fcntl.h>
#include <inttypes.h>
#include <gelf.h>
#include <libelf.h>

#define MAX_NEEDED 128	/* DT_NEEDED entries of one object */
#define MAX_SEARCH 16	/* rpath directories of one object */

static const char *const system_dirs[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
					   "/lib64", "/usr/lib64", "/lib", "/usr/lib" };

struct obj_info {
	int elfclass, machine;
	char *interp;
	char *needed[MAX_NEEDED];
	size_t n_needed;
	char *search[MAX_SEARCH];	/* rpath/runpath directories, $ORIGIN expanded */
	size_t n_search;
};

static void obj_info_free(struct obj_info *o)
{
	free(o->interp);
	for (size_t i = 0; i < o->n_needed; i++)
		free(o->needed[i]);
	for (size_t i = 0; i < o->n_search; i++)
		free(o->search[i]);
	memset(o, 0, sizeof(*o));
}

/* Splits a colon-separated rpath into o->search with $ORIGIN (the object's directory). */
static int add_rpath(struct obj_info *o, const char *rpath, const char *origin)
{
	_cleanup_free_ char *copy = kd_strdup(rpath);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
		char *d;
		if (o->n_search >= MAX_SEARCH)
			break;
		if (strncmp(t, "$ORIGIN", 7) == 0)
			d = kd_asprintf("%s%s", origin, t + 7);
		else if (strncmp(t, "${ORIGIN}", 9) == 0)
			d = kd_asprintf("%s%s", origin, t + 9);
		else
			d = kd_strdup(t);
		if (!d)
			return -ENOMEM;
		o->search[o->n_search++] = d;
	}
	return 0;
}

/* Reads class, machine, interpreter, DT_NEEDED and rpaths of host file path (shown as name). */
static int read_obj(const char *path, const char *name, struct obj_info *o, struct kd_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *origin = kd_strdup(name);
	Elf *e;
	GElf_Ehdr eh;
	size_t nph, shstrndx;
	Elf_Scn *scn = NULL;
	int r = 0;

	memset(o, 0, sizeof(*o));
	if (!origin)
		return kd_err_set(err, -ENOMEM, "out of memory");
	*strrchr(origin, '/') = '\0';
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open %s", path);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		if (e)
			elf_end(e);
		return kd_err_set(err, -ENOEXEC, "%s is not an ELF file", path);
	}
	o->elfclass = gelf_getclass(e);
	o->machine = eh.e_machine;
	if (elf_getphdrnum(e, &nph) < 0 || elf_getshdrstrndx(e, &shstrndx) < 0) {
		elf_end(e);
		return kd_err_set(err, -ENOEXEC, "%s: damaged ELF headers (%s)", path,
				  elf_errmsg(-1));
	}
	(void)shstrndx;
	for (size_t i = 0; i < nph && i < 256; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz < 2 || ph.p_filesz > 4096) {
			r = kd_err_set(err, -ENOEXEC, "%s: PT_INTERP of %" PRIu64 " bytes", path,
				       (uint64_t)ph.p_filesz);
			break;
		}
		o->interp = calloc(1, ph.p_filesz + 1);
		if (!o->interp) {
			r = kd_err_set(err, -ENOMEM, "out of memory");
			break;
		}
		if (kd_pread_all(fd, o->interp, ph.p_filesz, ph.p_offset) != (ssize_t)ph.p_filesz ||
		    o->interp[0] != '/') {
			r = kd_err_set(err, -ENOEXEC, "%s: unreadable PT_INTERP", path);
			break;
		}
		o->interp[strnlen(o->interp, ph.p_filesz)] = '\0';
	}
	while (r >= 0 && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || sh.sh_entsize == 0)
			continue;
		for (size_t i = 0; r >= 0 && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;
			const char *s;
			if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RPATH &&
			    dyn.d_tag != DT_RUNPATH)
				continue;
			s = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
			if (!s || !*s) {
				r = kd_err_set(err, -ENOEXEC, "%s: bad string in the dynamic section",
					       path);
				break;
			}
			if (dyn.d_tag != DT_NEEDED) {
				if (add_rpath(o, s, origin) < 0)
					r = kd_err_set(err, -ENOMEM, "out of memory");
				continue;
			}
			if (o->n_needed >= MAX_NEEDED) {
				r = kd_err_set(err, -E2BIG, "%s: more than %d DT_NEEDED entries", path,
					       MAX_NEEDED);
				break;
			}
			o->needed[o->n_needed] = kd_strdup(s);
			if (!o->needed[o->n_needed++])
				r = kd_err_set(err, -ENOMEM, "out of memory");
		}
	}
	elf_end(e);
	if (r < 0)
		obj_info_free(o);
	return r;
}

static bool have(const struct kd_elfdeps *d, const char *p)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->paths[i], p) == 0)
			return true;
	return false;
}

/* True when root+path is an ELF object of the class and machine wanted. */
static bool matches(const char *root, const char *path, int elfclass, int machine)
{
	_cleanup_free_ char *host = kd_path_at(root, path);
	_cleanup_close_ int fd = host ? open(host, O_RDONLY | O_CLOEXEC) : -1;
	unsigned char id[20];

	if (fd < 0 || kd_pread_all(fd, id, sizeof(id), 0) != (ssize_t)sizeof(id))
		return false;
	return memcmp(id, ELFMAG, SELFMAG) == 0 && id[EI_CLASS] == elfclass &&
	       kd_le16(id + 18) == (uint16_t)machine;
}

void kd_elfdeps_free(struct kd_elfdeps *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->paths[i]);
	free(d->paths);
	memset(d, 0, sizeof(*d));
}

static int push(struct kd_elfdeps *d, const char *p, struct kd_err *err)
{
	char **v;

	if (d->n >= KD_ELFDEPS_MAX)
		return kd_err_set(err, -E2BIG, "more than %d shared objects needed",
				  KD_ELFDEPS_MAX);
	v = realloc(d->paths, (d->n + 1) * sizeof(*v));
	if (!v)
		return kd_err_set(err, -ENOMEM, "out of memory");
	d->paths = v;
	d->paths[d->n] = kd_strdup(p);
	if (!d->paths[d->n])
		return kd_err_set(err, -ENOMEM, "out of memory");
	d->n++;
	return 0;
}

int kd_elfdeps_resolve(const char *root, const char *const *bins, size_t n_bins,
		       struct kd_elfdeps *ret, struct kd_err *err)
{
	struct kd_elfdeps out = { 0 };
	/* Work list: the programs, then every object found, each read once. */
	const char **todo = NULL;
	size_t n_todo = 0;
	int r = 0;

	todo = calloc(n_bins + KD_ELFDEPS_MAX, sizeof(*todo));
	if (!todo)
		return kd_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n_bins; i++) {
		if (bins[i][0] != '/') {
			free(todo);
			return kd_err_set(err, -EINVAL, "%s: give the program's absolute path",
					  bins[i]);
		}
		todo[n_todo++] = bins[i];
	}
	for (size_t w = 0; r >= 0 && w < n_todo; w++) {
		_cleanup_free_ char *host = kd_path_at(root, todo[w]);
		struct obj_info o;

		if (!host) {
			r = kd_err_set(err, -ENOMEM, "out of memory");
			break;
		}
		r = read_obj(host, todo[w], &o, err);
		if (r < 0)
			break;
		if (o.interp && !have(&out, o.interp)) {
			r = push(&out, o.interp, err);
			if (r >= 0)
				todo[n_todo++] = out.paths[out.n - 1];
		}
		for (size_t i = 0; r >= 0 && i < o.n_needed; i++) {
			const char *lib = o.needed[i];
			_cleanup_free_ char *found = NULL;

			if (strchr(lib, '/')) {
				found = kd_strdup(lib);
			} else {
				for (size_t s = 0; !found && s < o.n_search + KD_ARRAY_SIZE(system_dirs);
				     s++) {
					const char *dir = s < o.n_search ? o.search[s]
									 : system_dirs[s - o.n_search];
					char *cand = kd_asprintf("%s/%s", dir, lib);
					if (cand && matches(root, cand, o.elfclass, o.machine))
						found = cand;
					else
						free(cand);
				}
			}
			if (!found) {
				r = kd_err_set(err, -ENOENT, "%s needs %s, which is in none of the "
					       "library directories (/lib/x86_64-linux-gnu, "
					       "/usr/lib/x86_64-linux-gnu, /lib64, /lib, ...)",
					       todo[w], lib);
				break;
			}
			if (have(&out, found))
				continue;
			r = push(&out, found, err);
			if (r >= 0)
				todo[n_todo++] = out.paths[out.n - 1];
		}
		obj_info_free(&o);
	}
	free(todo);
	if (r < 0) {
		kd_elfdeps_free(&out);
		return r;
	}
	*ret = out;
	return 0;
}
