// SPDX-License-Identifier: GPL-2.0-or-later
/* Resolves kernel modules and their dependencies from modules.dep / modules.softdep /
 * modules.alias / modules.builtin, for the capture initramfs. */
#include "kdump/initramfs/initramfs.h"

#include <fnmatch.h>

#define KMOD_MAX_FILE (64u << 20)	/* modules.alias of a distribution kernel: ~1.5 MiB */
#define KMOD_MAX_MODS 512		/* modules in one initramfs */
#define KMOD_MAX_DEPTH 16		/* soft-dependency nesting */

struct dep_entry {
	char *path;
	char *name;
	char **deps;	/* paths, as listed */
	size_t n_deps;
};

struct kmod_db {
	const char *moddir;
	struct dep_entry *ents;
	size_t n;
	char *softdep;	/* whole files, NUL-terminated */
	char *alias;
	char *builtin;
};

char *kd_kmod_name(const char *path)
{
	const char *b = strrchr(path, '/');
	char *n, *dot;

	n = kd_strdup(b ? b + 1 : path);
	if (!n)
		return NULL;
	dot = strstr(n, ".ko");
	if (dot)
		*dot = '\0';
	for (char *p = n; *p; p++)
		if (*p == '-')
			*p = '_';
	return n;
}

static bool name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

static void db_free(struct kmod_db *db)
{
	for (size_t i = 0; i < db->n; i++) {
		free(db->ents[i].path);
		free(db->ents[i].name);
		for (size_t j = 0; j < db->ents[i].n_deps; j++)
			free(db->ents[i].deps[j]);
		free(db->ents[i].deps);
	}
	free(db->ents);
	free(db->softdep);
	free(db->alias);
	free(db->builtin);
}

static int read_opt(const char *moddir, const char *file, char **ret, bool required,
		    struct kd_err *err)
{
	_cleanup_free_ char *path = kd_asprintf("%s/%s", moddir, file);
	int r;

	if (!path)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = kd_read_file_at(NULL, path, KMOD_MAX_FILE, ret, NULL, err);
	if (r == -ENOENT && !required) {
		*ret = kd_strdup("");
		return *ret ? 0 : kd_err_set(err, -ENOMEM, "out of memory");
	}
	if (r == -ENOENT)
		kd_err_set(err, r, "%s: no such file: run `depmod -b ROOT RELEASE` for this module "
			   "tree first", path);
	return r;
}

static int db_load(const char *moddir, struct kmod_db *db, struct kd_err *err)
{
	_cleanup_free_ char *dep = NULL;
	size_t cap = 0, lineno = 0;
	char *save = NULL, *line;
	int r;

	db->moddir = moddir;
	r = read_opt(moddir, "modules.dep", &dep, true, err);
	if (r < 0)
		return r;
	for (line = strtok_r(dep, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *tok, *s2 = NULL;
		struct dep_entry *e;

		lineno++;
		if (!colon)
			return kd_err_set(err, -EINVAL, "%s/modules.dep:%zu: no ':' in \"%.60s\"",
					  moddir, lineno, line);
		*colon = '\0';
		if (db->n == cap) {
			cap = cap ? cap * 2 : 1024;
			if (cap > (1u << 20))
				return kd_err_set(err, -E2BIG, "%s/modules.dep: too many lines",
						  moddir);
			e = realloc(db->ents, cap * sizeof(*e));
			if (!e)
				return kd_err_set(err, -ENOMEM, "out of memory");
			db->ents = e;
		}
		e = &db->ents[db->n++];
		memset(e, 0, sizeof(*e));
		e->path = kd_strdup(line);
		e->name = kd_kmod_name(line);
		if (!e->path || !e->name)
			return kd_err_set(err, -ENOMEM, "out of memory");
		for (tok = strtok_r(colon + 1, " \t", &s2); tok; tok = strtok_r(NULL, " \t", &s2)) {
			char **d;
			if (e->n_deps >= KMOD_MAX_MODS)
				return kd_err_set(err, -E2BIG, "%s/modules.dep:%zu: too many "
						  "dependencies", moddir, lineno);
			d = realloc(e->deps, (e->n_deps + 1) * sizeof(*d));
			if (!d)
				return kd_err_set(err, -ENOMEM, "out of memory");
			e->deps = d;
			if (!(e->deps[e->n_deps++] = kd_strdup(tok)))
				return kd_err_set(err, -ENOMEM, "out of memory");
		}
	}
	r = read_opt(moddir, "modules.softdep", &db->softdep, false, err);
	if (r >= 0)
		r = read_opt(moddir, "modules.alias", &db->alias, false, err);
	if (r >= 0)
		r = read_opt(moddir, "modules.builtin", &db->builtin, false, err);
	return r;
}

static const struct dep_entry *db_by_path(const struct kmod_db *db, const char *path)
{
	for (size_t i = 0; i < db->n; i++)
		if (strcmp(db->ents[i].path, path) == 0)
			return &db->ents[i];
	return NULL;
}

static const struct dep_entry *db_by_name(const struct kmod_db *db, const char *name)
{
	for (size_t i = 0; i < db->n; i++)
		if (name_eq(db->ents[i].name, name))
			return &db->ents[i];
	return NULL;
}

static bool db_builtin(const struct kmod_db *db, const char *name)
{
	const char *p = db->builtin;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char buf[512];
		if (len < sizeof(buf)) {
			_cleanup_free_ char *n = NULL;
			memcpy(buf, p, len);
			buf[len] = '\0';
			n = kd_kmod_name(buf);
			if (n && name_eq(n, name))
				return true;
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

struct resolver {
	struct kmod_db db;
	struct kd_kmod_list *out;
	struct kd_err *err;
};

static int out_add(struct resolver *rs, const struct dep_entry *e, bool optional)
{
	struct kd_kmod_list *l = rs->out;
	struct kd_kmod *m;

	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->mods[i].path, e->path) == 0) {
			l->mods[i].optional &= optional;
			return 0;
		}
	if (l->n >= KMOD_MAX_MODS)
		return kd_err_set(rs->err, -E2BIG, "more than %d modules to load: not an initramfs",
				  KMOD_MAX_MODS);
	m = realloc(l->mods, (l->n + 1) * sizeof(*m));
	if (!m)
		return kd_err_set(rs->err, -ENOMEM, "out of memory");
	l->mods = m;
	m = &l->mods[l->n];
	m->path = kd_strdup(e->path);
	m->name = kd_strdup(e->name);
	m->optional = optional;
	if (!m->path || !m->name) {
		free(m->path);
		free(m->name);
		return kd_err_set(rs->err, -ENOMEM, "out of memory");
	}
	l->n++;
	return 0;
}

static int resolve_name(struct resolver *rs, const char *name, bool optional, int depth);

/* "softdep NAME pre: A B post: C": resolves each pre: name (optional) before NAME. */
static int resolve_softdeps(struct resolver *rs, const char *name, int depth)
{
	char *p = rs->db.softdep;

	while (p && *p) {
		const char *start = p;
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024], *tok, *save = NULL;
		bool pre = false;
		int r;

		p = nl ? nl + 1 : NULL;
		if (len >= sizeof(line))
			continue;
		memcpy(line, start, len);
		line[len] = '\0';
		tok = strtok_r(line, " \t", &save);
		if (!tok || strcmp(tok, "softdep") != 0)
			continue;
		tok = strtok_r(NULL, " \t", &save);
		if (!tok || !name_eq(tok, name))
			continue;
		while ((tok = strtok_r(NULL, " \t", &save))) {
			if (strcmp(tok, "pre:") == 0 || strcmp(tok, "post:") == 0) {
				pre = tok[1] == 'r';
				continue;
			}
			if (pre) {
				r = resolve_name(rs, tok, true, depth + 1);
				if (r < 0)
					return r;
			}
		}
	}
	return 0;
}

static int resolve_entry(struct resolver *rs, const struct dep_entry *e, bool optional,
			 int depth)
{
	int r = resolve_softdeps(rs, e->name, depth);

	/* modules.dep lists the whole closure; load in reverse order, like modprobe. */
	for (size_t i = e->n_deps; r >= 0 && i > 0; i--) {
		const struct dep_entry *d = db_by_path(&rs->db, e->deps[i - 1]);
		if (!d)
			return kd_err_set(rs->err, -ENOENT, "%s/modules.dep: %s depends on %s, "
					  "which has no line of its own", rs->db.moddir, e->path,
					  e->deps[i - 1]);
		r = resolve_softdeps(rs, d->name, depth);
		if (r >= 0)
			r = out_add(rs, d, optional);
	}
	return r < 0 ? r : out_add(rs, e, optional);
}

static int resolve_name(struct resolver *rs, const char *name, bool optional, int depth)
{
	const struct dep_entry *e;
	bool found = false;
	char *p;

	if (depth > KMOD_MAX_DEPTH)
		return kd_err_set(rs->err, -ELOOP, "%s: soft dependencies nest deeper than %d at %s",
				  rs->db.moddir, KMOD_MAX_DEPTH, name);
	e = db_by_name(&rs->db, name);
	if (e)
		return resolve_entry(rs, e, optional, depth);
	if (db_builtin(&rs->db, name)) {
		rs->out->n_builtin++;
		return 0;
	}
	/* An alias ("alias crypto-crc32c crc32c_generic"): every module that provides it. */
	for (p = rs->db.alias; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024], *a, *m, *save = NULL;

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if ((a = strtok_r(line, " \t", &save)) && strcmp(a, "alias") == 0 &&
			    (a = strtok_r(NULL, " \t", &save)) && (m = strtok_r(NULL, " \t", &save)) &&
			    fnmatch(a, name, 0) == 0) {
				const struct dep_entry *me = db_by_name(&rs->db, m);
				int r;
				if (me) {
					r = resolve_entry(rs, me, true, depth);
					if (r < 0)
						return r;
					found = true;
				} else if (db_builtin(&rs->db, m)) {
					found = true;
				}
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	if (found || optional)
		return 0;
	return kd_err_set(rs->err, -ENOENT, "module %s: not in %s/modules.dep, modules.builtin "
			  "nor modules.alias (wrong kernel release?)", name, rs->db.moddir);
}

int kd_kmod_resolve(const char *moddir, const char *const *names, size_t n_names,
		    struct kd_kmod_list *ret, struct kd_err *err)
{
	struct kd_kmod_list out = { 0 };
	struct resolver rs = { .out = &out, .err = err };
	int r;

	r = db_load(moddir, &rs.db, err);
	for (size_t i = 0; r >= 0 && i < n_names; i++)
		r = resolve_name(&rs, names[i], false, 0);
	db_free(&rs.db);
	if (r < 0) {
		kd_kmod_list_free(&out);
		return r;
	}
	*ret = out;
	return 0;
}

void kd_kmod_list_free(struct kd_kmod_list *l)
{
	for (size_t i = 0; l && i < l->n; i++) {
		free(l->mods[i].path);
		free(l->mods[i].name);
	}
	if (l) {
		free(l->mods);
		l->mods = NULL;
		l->n = 0;
	}
}
