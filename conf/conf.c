// SPDX-License-Identifier: GPL-2.0-or-later
/* Parser and validator of /etc/kdump.conf: lines, directives, values, cross-checks. */
#include "conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>

struct value {
	const char *s; /* NUL-terminated, unquoted */
	unsigned col;  /* 1-based column of s in its line */
};

struct parser;
struct directive;
typedef void (*handler_fn)(struct parser *p, const struct directive *d, const struct value *v);

enum slot {
	SLOT_OWN,	/* each directive its own duplicate slot */
	SLOT_TARGET,	/* every target directive shares one */
	SLOT_FAILURE,	/* failure_action and its old alias default */
};

struct directive {
	const char *name;
	const char *synopsis; /* for "needs a value" */
	handler_fn fn;
	enum slot slot;
	bool free_form; /* quotes inside the value are allowed (kernel command lines) */
	const char *refusal; /* non-NULL: known but refused, with this reason */
};

enum { MAX_DIRECTIVES = 64 };

struct parser {
	const char *file;
	struct conf *c;
	struct conf_diags *diags;
	unsigned line;
	const struct directive *dir; /* the directive being handled */
	unsigned seen[MAX_DIRECTIVES]; /* line where each directive was seen */
	unsigned seen_target, seen_failure;
	const char *target_name;
	unsigned word_col; /* column of the directive on the current line */
	unsigned collector_line, failure_line, sshkey_line, force_line, capture_ip_line;
	unsigned nfs_vers_line;
};

/* ---- diagnostics ----------------------------------------------------------------------- */

void conf_diags_deinit(struct conf_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static void diag_add(struct conf_diags *d, bool error, unsigned line, unsigned col, char *msg)
{
	if (error)
		d->n_errors++;
	else
		d->n_warnings++;
	if (!msg || d->n >= CONF_MAX_DIAGS) {
		free(msg);
		return;
	}
	if (!d->v) {
		d->v = kd_calloc(CONF_MAX_DIAGS, sizeof(*d->v));
		if (!d->v) {
			free(msg);
			return;
		}
	}
	d->v[d->n++] = (struct conf_diag){ .error = error, .line = line, .column = col, .msg = msg };
}

static void KD_PRINTF(5, 0) vdiag(struct parser *p, bool error, unsigned line, unsigned col,
				  const char *fmt, va_list ap)
{
	_cleanup_free_ char *text = NULL;
	char *msg;

	if (vasprintf(&text, fmt, ap) < 0) {
		text = NULL;
		diag_add(p->diags, error, line, col, NULL);
		return;
	}
	if (!p->file) /* a value checked alone (conf_target_parse): no file to name */
		msg = KD_TAKE_PTR(text);
	else if (line && col)
		msg = kd_asprintf("%s:%u:%u: %s", p->file, line, col, text);
	else if (line)
		msg = kd_asprintf("%s:%u: %s", p->file, line, text);
	else
		msg = kd_asprintf("%s: %s", p->file, text);
	diag_add(p->diags, error, line, col, msg);
}

static void KD_PRINTF(3, 4) error_at(struct parser *p, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(p, true, p->line, col, fmt, ap);
	va_end(ap);
}

static void KD_PRINTF(4, 5) error_line(struct parser *p, unsigned line, unsigned col,
				       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(p, true, line, col, fmt, ap);
	va_end(ap);
}

static void KD_PRINTF(3, 4) warn_at(struct parser *p, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(p, false, p->line, col, fmt, ap);
	va_end(ap);
}

static void KD_PRINTF(4, 5) warn_line(struct parser *p, unsigned line, unsigned col,
				      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(p, false, line, col, fmt, ap);
	va_end(ap);
}

/* ---- names and suggestions ------------------------------------------------------------ */

static const char *const action_names[] = {
	[CONF_ACTION_REBOOT] = "reboot",     [CONF_ACTION_HALT] = "halt",
	[CONF_ACTION_POWEROFF] = "poweroff", [CONF_ACTION_SHELL] = "shell",
	[CONF_ACTION_DUMP_TO_ROOTFS] = "dump_to_rootfs",
};

static const char *const compress_names[] = {
	[CONF_COMPRESS_NONE] = "none", [CONF_COMPRESS_ZLIB] = "zlib",
	[CONF_COMPRESS_LZO] = "lzo",   [CONF_COMPRESS_ZSTD] = "zstd",
};
static const char *const verify_names[] = {
	[CONF_VERIFY_AUTO] = "auto", [CONF_VERIFY_YES] = "yes", [CONF_VERIFY_NO] = "no",
};
const char *const conf_nfs_versions[] = { "4.2", "4.1", "4.0", "4", "3", NULL };

const char *conf_action_name(enum conf_action a)
{
	return (unsigned)a < KD_ARRAY_SIZE(action_names) ? action_names[a] : "?";
}

const char *conf_target_kind_name(enum conf_target_kind k)
{
	static const char *const n[] = { "rootfs", "fs", "raw", "ssh", "nfs" };
	return (unsigned)k < KD_ARRAY_SIZE(n) ? n[k] : "?";
}

const char *conf_compress_name(enum conf_compress c)
{
	return (unsigned)c < KD_ARRAY_SIZE(compress_names) ? compress_names[c] : "?";
}

const char *conf_verify_name(enum conf_verify v)
{
	return (unsigned)v < KD_ARRAY_SIZE(verify_names) ? verify_names[v] : "?";
}

const char *conf_device_kind_name(enum conf_device_kind k)
{
	static const char *const n[] = { "none", "path", "UUID", "LABEL", "PARTUUID", "PARTLABEL",
					 "tag" };
	return (unsigned)k < KD_ARRAY_SIZE(n) ? n[k] : "?";
}

static int name_index(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(s, names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

int conf_action_parse(const char *s, enum conf_action *ret)
{
	int i = name_index(s, action_names, KD_ARRAY_SIZE(action_names));

	if (i < 0)
		return i;
	*ret = (enum conf_action)i;
	return 0;
}

int conf_compress_parse(const char *s, enum conf_compress *ret)
{
	int i = name_index(s, compress_names, KD_ARRAY_SIZE(compress_names));

	if (i < 0)
		return i;
	*ret = (enum conf_compress)i;
	return 0;
}

int conf_verify_parse(const char *s, enum conf_verify *ret)
{
	int i = name_index(s, verify_names, KD_ARRAY_SIZE(verify_names));

	if (i < 0)
		return i;
	*ret = (enum conf_verify)i;
	return 0;
}

bool conf_nfs_vers_valid(const char *s)
{
	return name_index(s, conf_nfs_versions, KD_ARRAY_SIZE(conf_nfs_versions) - 1) >= 0;
}

bool conf_target_is_remote(const struct conf *c)
{
	return c->target.kind == CONF_TARGET_SSH || c->target.kind == CONF_TARGET_NFS;
}

unsigned conf_edit_distance(const char *a, const char *b, unsigned cap)
{
	/* Optimal string alignment: insertions, deletions, substitutions, transpositions. */
	size_t la = strlen(a), lb = strlen(b);
	unsigned rows[3][65], *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	if (la > 64 || lb > 64)
		return cap + 1;
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned best;
		cur[0] = (unsigned)i;
		best = cur[0];
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			unsigned v = prev[j - 1] + (ca == cb ? 0 : 1);
			v = KD_MIN(v, prev[j] + 1);
			v = KD_MIN(v, cur[j - 1] + 1);
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb)
				v = KD_MIN(v, prev2[j - 2] + 1);
			cur[j] = v;
			best = KD_MIN(best, v);
		}
		if (best > cap)
			return cap + 1;
		unsigned *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return KD_MIN(prev[lb], cap + 1);
}

/* The closest of names to word, or NULL if none is close enough to be a likely typo. */
static const char *suggest(const char *word, const char *const *names, size_t n)
{
	size_t len = strlen(word);
	unsigned cap = len <= 4 ? 1 : len <= 8 ? 2 : 3, best = cap + 1;
	const char *pick = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!names[i])
			continue;
		unsigned d = conf_edit_distance(word, names[i], cap);
		if (d < best && d < len) {
			best = d;
			pick = names[i];
		}
	}
	return pick;
}

/* " (did you mean "x"?)" or "" */
static const char *did_you_mean(char *buf, size_t len, const char *pick)
{
	if (!pick)
		return "";
	snprintf(buf, len, " (did you mean \"%s\"?)", pick);
	return buf;
}

/* Matches v against names (exactly); on failure reports the accepted list. */
static int pick_name(struct parser *p, const struct value *v, const char *const *names, size_t n,
		     const char *what)
{
	char accepted[256] = "", hint[128];
	size_t used = 0;

	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(v->s, names[i]) == 0)
			return (int)i;
	for (size_t i = 0; i < n; i++) {
		if (!names[i])
			continue;
		int w = snprintf(accepted + used, sizeof(accepted) - used, "%s%s", used ? ", " : "",
				 names[i]);
		if (w < 0 || (size_t)w >= sizeof(accepted) - used)
			break;
		used += (size_t)w;
	}
	error_at(p, v->col, "bad %s \"%s\"%s; accepted: %s", what, v->s,
		 did_you_mean(hint, sizeof(hint), suggest(v->s, names, n)), accepted);
	return -1;
}

/* ---- value checks ---------------------------------------------------------------------- */

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Characters accepted in paths that may reach a remote shell or a command line. */
static bool path_char_ok(unsigned char ch)
{
	return isalnum(ch) || strchr("/._-+@:,=~", ch) != NULL || ch >= 0x80;
}

/*
 * Checks an absolute path: safe characters, no "..", at most PATH_MAX. Returns a normalised
 * malloc'd copy (repeated and trailing slashes removed) or NULL after reporting.
 */
static char *check_path(struct parser *p, const char *what, const char *s, unsigned col)
{
	size_t len = strlen(s);
	char *out, *o;

	if (s[0] != '/') {
		error_at(p, col, "%s must be an absolute path, not \"%s\"", what, s);
		return NULL;
	}
	if (len >= PATH_MAX) {
		error_at(p, col, "%s is longer than %d bytes", what, PATH_MAX - 1);
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		if (!path_char_ok((unsigned char)s[i])) {
			error_at(p, col + (unsigned)i,
				 "%s \"%s\" has a character kdump does not accept ('%c'); use "
				 "letters, digits and /._-+@:,=~",
				 what, s, s[i]);
			return NULL;
		}
	}
	for (const char *q = s; (q = strstr(q, "..")) != NULL; q += 2) {
		if (q[-1] == '/' && (q[2] == '/' || q[2] == '\0')) {
			error_at(p, col + (unsigned)(q - s), "%s must not contain \"..\": \"%s\"",
				 what, s);
			return NULL;
		}
	}
	out = malloc(len + 1);
	if (!out)
		return NULL;
	for (o = out; *s; s++)
		if (*s != '/' || o == out || o[-1] != '/')
			*o++ = *s;
	if (o > out + 1 && o[-1] == '/')
		o--;
	*o = '\0';
	return out;
}

/* Splits a value into at most CONF_MAX_LIST words; returns a NULL-terminated array or NULL. */
static char **split_words(struct parser *p, const struct value *v, unsigned **ret_cols)
{
	char **words = kd_calloc(CONF_MAX_LIST + 1, sizeof(*words));
	unsigned *cols = kd_calloc(CONF_MAX_LIST + 1, sizeof(*cols));
	size_t n = 0;
	const char *s = v->s;

	if (!words || !cols)
		goto fail;
	while (*s) {
		const char *start;
		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		if (n == CONF_MAX_LIST) {
			error_at(p, v->col + (unsigned)(s - v->s), "%s: more than %u words",
				 p->dir->name, CONF_MAX_LIST);
			goto fail;
		}
		start = s;
		while (*s && !is_blank(*s))
			s++;
		cols[n] = v->col + (unsigned)(start - v->s);
		words[n] = strndup(start, (size_t)(s - start));
		if (!words[n++])
			goto fail;
	}
	if (ret_cols)
		*ret_cols = cols;
	else
		free(cols);
	return words;
fail:
	for (size_t i = 0; words && i < n; i++)
		free(words[i]);
	free(words);
	free(cols);
	return NULL;
}

static void free_words(char **w)
{
	for (size_t i = 0; w && w[i]; i++)
		free(w[i]);
	free(w);
}

static size_t count_words(char **w)
{
	size_t n = 0;
	while (w && w[n])
		n++;
	return n;
}

/* A value that must be a single word. */
static bool one_word(struct parser *p, const struct value *v)
{
	for (const char *s = v->s; *s; s++) {
		if (is_blank(*s)) {
			error_at(p, v->col + (unsigned)(s - v->s),
				 "%s takes one value; unexpected blank in \"%s\"", p->dir->name, v->s);
			return false;
		}
	}
	return true;
}

static void set_str(char **dst, char *val)
{
	free(*dst);
	*dst = val;
}

/* ---- directive handlers ---------------------------------------------------------------- */

static void h_path(struct parser *p, const struct directive *d, const struct value *v)
{
	char *s;

	if (!one_word(p, v))
		return;
	s = check_path(p, "path", v->s, v->col);
	if (s)
		set_str(&p->c->path, s);
}

static void h_sshkey(struct parser *p, const struct directive *d, const struct value *v)
{
	char *s;

	if (!one_word(p, v))
		return;
	s = check_path(p, "sshkey", v->s, v->col);
	if (s)
		set_str(&p->c->sshkey, s);
	p->sshkey_line = p->line;
}

static void h_hook(struct parser *p, const struct directive *d, const struct value *v)
{
	char **dst = strcmp(d->name, "kdump_pre") == 0	  ? &p->c->kdump_pre
		     : strcmp(d->name, "kdump_post") == 0 ? &p->c->kdump_post
							  : &p->c->kdump_emergency;
	char *s;

	if (!one_word(p, v))
		return;
	s = check_path(p, d->name, v->s, v->col);
	if (s)
		set_str(dst, s);
}

static bool hex_uuid_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

static bool label_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (is_blank(*s) || *s == '"' || *s == '\'' || *s == '\\')
			return false;
	return true;
}

/* Parses a device spec of a fs or raw target into the target record. */
static bool parse_device(struct parser *p, const char *what, const struct value *v, bool raw)
{
	static const struct {
		const char *key;
		enum conf_device_kind kind;
	} keys[] = {
		{ "UUID=", CONF_DEVICE_UUID },
		{ "LABEL=", CONF_DEVICE_LABEL },
		{ "PARTUUID=", CONF_DEVICE_PARTUUID },
		{ "PARTLABEL=", CONF_DEVICE_PARTLABEL },
	};
	struct conf_target *t = &p->c->target;

	if (v->s[0] == '/') {
		char *s;
		if (!one_word(p, v))
			return false;
		s = check_path(p, "device", v->s, v->col);
		if (!s)
			return false;
		/* Checked once normalised: "/dev//" is /dev itself. */
		if (strncmp(s, "/dev/", 5) != 0) {
			error_at(p, v->col, "%s device \"%s\" is not under /dev", what, v->s);
			free(s);
			return false;
		}
		t->device_kind = CONF_DEVICE_PATH;
		set_str(&t->device, s);
		return true;
	}
	for (size_t i = 0; i < KD_ARRAY_SIZE(keys); i++) {
		size_t kl = strlen(keys[i].key);
		const char *val = v->s + kl;
		bool ok;

		if (strncasecmp(v->s, keys[i].key, kl) != 0)
			continue;
		if (raw && (keys[i].kind == CONF_DEVICE_UUID || keys[i].kind == CONF_DEVICE_LABEL)) {
			error_at(p, v->col,
				 "raw device \"%s\": a raw device holds no filesystem, so it has no %.*s; "
				 "name it by /dev/disk/by-id/..., PARTUUID= or PARTLABEL=",
				 v->s, (int)(kl - 1), keys[i].key);
			return false;
		}
		ok = keys[i].kind == CONF_DEVICE_UUID || keys[i].kind == CONF_DEVICE_PARTUUID
			     ? hex_uuid_ok(val)
			     : label_ok(val);
		if (!ok) {
			error_at(p, v->col + (unsigned)kl, "bad %.*s \"%s\" in %s device \"%s\"",
				 (int)(kl - 1), keys[i].key, val, what, v->s);
			return false;
		}
		t->device_kind = keys[i].kind;
		set_str(&t->device, kd_strdup(val));
		return true;
	}
	error_at(p, v->col,
		 "bad %s device \"%s\"; write /dev/NAME, UUID=, LABEL=, PARTUUID= or PARTLABEL=",
		 what, v->s);
	return false;
}

static bool host_ok(const char *h)
{
	size_t len = strlen(h);

	if (!len || len > 253 || h[0] == '-' || h[0] == '.')
		return false;
	for (; *h; h++)
		if (!isalnum((unsigned char)*h) && *h != '-' && *h != '.')
			return false;
	return true;
}

static bool ipv6_ok(const char *h)
{
	size_t len = strlen(h);
	const char *pct = strchr(h, '%');

	/* Every textual IPv6 address has at least two colons ("::1", "a:b:c:d:e:f:g:h"). */
	if (len < 2 || len > 64 || !strchr(h, ':') || strchr(h, ':') == strrchr(h, ':'))
		return false;
	for (const char *s = h; *s && s != pct; s++)
		if (!isxdigit((unsigned char)*s) && *s != ':' && *s != '.')
			return false;
	if (pct) { /* zone: fe80::1%eth0 */
		if (!pct[1])
			return false;
		for (const char *s = pct + 1; *s; s++)
			if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
				return false;
	}
	return true;
}

static bool user_ok(const char *u)
{
	size_t len = strlen(u);

	if (!len || len > 32 || u[0] == '-')
		return false;
	for (; *u; u++)
		if (!isalnum((unsigned char)*u) && *u != '_' && *u != '-' && *u != '.')
			return false;
	return true;
}

static void parse_ssh(struct parser *p, const struct value *v)
{
	struct conf_target *t = &p->c->target;
	_cleanup_free_ char *copy = NULL;
	char *at, *host, *port = NULL;
	uint64_t n = 0;

	if (!one_word(p, v))
		return;
	copy = kd_strdup(v->s);
	if (!copy)
		return;
	at = strchr(copy, '@');
	if (!at) {
		error_at(p, v->col, "ssh target \"%s\" lacks a user: write ssh USER@HOST", v->s);
		return;
	}
	*at = '\0';
	host = at + 1;
	if (!user_ok(copy)) {
		error_at(p, v->col, "bad ssh user \"%s\" in \"%s\"", copy, v->s);
		return;
	}
	if (host[0] == '[') {
		char *close = strchr(host, ']');
		if (!close || (close[1] && close[1] != ':')) {
			error_at(p, v->col + (unsigned)(host - copy),
				 "bad ssh host \"%s\": write [ADDRESS] or [ADDRESS]:PORT", host);
			return;
		}
		*close = '\0';
		if (close[1] == ':')
			port = close + 2;
		host++;
		if (!ipv6_ok(host)) {
			error_at(p, v->col + (unsigned)(host - copy), "bad IPv6 address \"%s\"", host);
			return;
		}
	} else {
		char *colon = strchr(host, ':');
		if (colon && !strchr(colon + 1, ':')) {
			*colon = '\0';
			port = colon + 1;
		}
		if (!(colon && !port ? ipv6_ok(host) : host_ok(host))) {
			error_at(p, v->col + (unsigned)(host - copy), "bad ssh host \"%s\" in \"%s\"",
				 host, v->s);
			return;
		}
	}
	if (port && (kd_parse_u64(port, 10, &n) < 0 || n < 1 || n > 65535 || !isdigit((unsigned char)*port))) {
		error_at(p, v->col + (unsigned)(port - copy), "bad ssh port \"%s\"; accepted: 1 to 65535",
			 port);
		return;
	}
	t->kind = CONF_TARGET_SSH;
	t->port = (unsigned)n;
	set_str(&t->user, kd_strdup(copy));
	set_str(&t->host, kd_strdup(host));
}

static void parse_nfs(struct parser *p, const struct value *v)
{
	struct conf_target *t = &p->c->target;
	_cleanup_free_ char *copy = NULL;
	char *host = NULL, *exp = NULL, *e;

	if (!one_word(p, v))
		return;
	copy = kd_strdup(v->s);
	if (!copy)
		return;
	if (copy[0] == '[') {
		char *close = strchr(copy, ']');
		if (close && close[1] == ':') {
			*close = '\0';
			host = copy + 1;
			exp = close + 2;
			if (!ipv6_ok(host)) {
				error_at(p, v->col + 1, "bad IPv6 address \"%s\" in nfs target", host);
				return;
			}
		}
	} else if ((e = strchr(copy, ':')) != NULL) {
		*e = '\0';
		host = copy;
		exp = e + 1;
		if (!host_ok(host)) {
			error_at(p, v->col, "bad nfs server \"%s\" in \"%s\"", host, v->s);
			return;
		}
	}
	if (host && exp[0] != '/' && copy[0] != '[' && strchr(v->s, ':') != strrchr(v->s, ':')) {
		error_at(p, v->col, "bad nfs target \"%s\": IPv6 addresses go in brackets: write "
			 "nfs [ADDRESS]:/EXPORT", v->s);
		return;
	}
	if (!host || exp[0] != '/') {
		error_at(p, v->col, "bad nfs target \"%s\": write nfs SERVER:/EXPORT", v->s);
		return;
	}
	e = check_path(p, "nfs export", exp, v->col + (unsigned)(exp - copy));
	if (!e)
		return;
	t->kind = CONF_TARGET_NFS;
	set_str(&t->export_path, e);
	set_str(&t->host, kd_strdup(host));
	set_str(&t->fstype, kd_strdup("nfs"));
}

static void h_target(struct parser *p, const struct directive *d, const struct value *v)
{
	struct conf_target *t = &p->c->target;

	if (strcmp(d->name, "ssh") == 0) {
		parse_ssh(p, v);
	} else if (strcmp(d->name, "nfs") == 0) {
		parse_nfs(p, v);
	} else if (strcmp(d->name, "raw") == 0) {
		if (parse_device(p, "raw", v, true))
			t->kind = CONF_TARGET_RAW;
	} else if (strcmp(d->name, "virtiofs") == 0) {
		if (!one_word(p, v))
			return;
		if (!label_ok(v->s) || strchr(v->s, '/')) {
			error_at(p, v->col, "bad virtiofs tag \"%s\"", v->s);
			return;
		}
		t->kind = CONF_TARGET_FS;
		t->device_kind = CONF_DEVICE_TAG;
		set_str(&t->device, kd_strdup(v->s));
		set_str(&t->fstype, kd_strdup(d->name));
	} else {
		if (!parse_device(p, d->name, v, false))
			return;
		t->kind = CONF_TARGET_FS;
		set_str(&t->fstype, kd_strdup(d->name));
	}
	if (t->kind != CONF_TARGET_ROOTFS) {
		t->line = p->line;
		set_str(&t->spec, kd_strdup(v->s));
	}
}

/* ---- core_collector -------------------------------------------------------------------- */

enum opt_kind { OPT_IGNORE, OPT_REFUSE };

struct mkd_opt {
	const char *name; /* "--message-level" or "-D" */
	bool has_arg;
	enum opt_kind kind;
	const char *why;
};

/* makedumpfile options that have no meaning for kdump capture. */
static const struct mkd_opt mkd_opts[] = {
	{ "--message-level", true, OPT_IGNORE, "kdump capture prints its own progress" },
	{ "--num-threads", true, OPT_IGNORE, "kdump capture chooses its own threads" },
	{ "--cyclic-buffer", true, OPT_IGNORE, "kdump capture bounds its own memory" },
	{ "--splitblock-size", true, OPT_IGNORE, "kdump capture bounds its own memory" },
	{ "--work-dir", true, OPT_IGNORE, "kdump capture keeps its bitmaps in memory" },
	{ "--non-cyclic", false, OPT_IGNORE, "kdump capture bounds its own memory" },
	{ "--non-mmap", false, OPT_IGNORE, "kdump capture chooses how it reads /proc/vmcore" },
	{ "-D", false, OPT_IGNORE, "use kdump's own debug output" },
	{ "-x", true, OPT_REFUSE, "the page filter works from VMCOREINFO alone; no vmlinux needed" },
	{ "-i", true, OPT_REFUSE, "VMCOREINFO is read from the dump itself" },
	{ "-g", true, OPT_REFUSE, "VMCOREINFO is read from the dump itself" },
	{ "-p", false, OPT_REFUSE, "snappy compression is not supported; use -z (zstd) or -l (lzo)" },
	{ "--split", false, OPT_REFUSE, "split dumps are not supported" },
	{ "--reassemble", false, OPT_REFUSE, "use \"kdump reassemble\" after the dump" },
	{ "-R", false, OPT_REFUSE, "use \"kdump reassemble\" after the dump" },
	{ "--dump-dmesg", false, OPT_REFUSE, "the log is always saved next to the dump" },
	{ "-e", true, OPT_REFUSE, "excluding pages by pfn list is not supported" },
	{ "--eppic", true, OPT_REFUSE, "eppic scripts are not supported" },
	{ "--config", true, OPT_REFUSE, "filter config files are not supported" },
	{ "--mem-usage", false, OPT_REFUSE, "use \"kdump estimate\"" },
	{ "--dry-run", false, OPT_REFUSE, "not meaningful in a core_collector" },
};

struct coll_state {
	struct conf_collector col;
	unsigned compress_col;
	char compress_opt;
	bool elf_seen;
	unsigned elf_col;
};

static bool set_compress(struct parser *p, struct coll_state *st, char opt, unsigned col)
{
	enum conf_compress c = opt == 'c' ? CONF_COMPRESS_ZLIB
			       : opt == 'l' ? CONF_COMPRESS_LZO
					    : CONF_COMPRESS_ZSTD;

	if (st->compress_opt && st->compress_opt != opt) {
		error_at(p, col, "core_collector: -%c and -%c both choose a compression; give one",
			 st->compress_opt, opt);
		return false;
	}
	st->compress_opt = opt;
	st->compress_col = col;
	st->col.compress = c;
	return true;
}

int conf_dump_level_parse(const char *s, unsigned *ret)
{
	uint64_t n;

	if (!isdigit((unsigned char)*s) || kd_parse_u64(s, 10, &n) < 0 || n > 31)
		return -EINVAL;
	*ret = (unsigned)n;
	return 0;
}

static bool set_level(struct parser *p, struct coll_state *st, const char *s, unsigned col)
{
	if (!s || !*s) {
		error_at(p, col, "core_collector: -d needs a dump level (0 to 31)");
		return false;
	}
	if (conf_dump_level_parse(s, &st->col.dump_level) < 0) {
		error_at(p, col, "core_collector: bad dump level \"%s\"; accepted: 0 to 31", s);
		return false;
	}
	return true;
}

static void h_collector(struct parser *p, const struct directive *d, const struct value *v)
{
	_cleanup_free_ unsigned *cols = NULL;
	char **w = split_words(p, v, &cols);
	struct coll_state st = { .col = { .dump_level = 31 } };
	const char *spelling;
	size_t i, n = count_words(w);
	bool mkd;

	if (!w)
		return;
	p->collector_line = p->line;
	st.col.compress = CONF_COMPRESS_NONE;
	if (n >= 2 && strcmp(w[0], "kdump") == 0 && strcmp(w[1], "capture") == 0) {
		mkd = false;
		spelling = "kdump capture";
		i = 2;
	} else if (n >= 1 && (strcmp(w[0], "makedumpfile") == 0 ||
			      (w[0][0] == '/' && strlen(w[0]) >= 13 &&
			       strcmp(w[0] + strlen(w[0]) - 13, "/makedumpfile") == 0))) {
		mkd = true;
		spelling = "makedumpfile";
		i = 1;
	} else {
		error_at(p, v->col,
			 "core_collector \"%s\" is not supported: kdump writes the dump itself; write "
			 "\"core_collector kdump capture [-d LEVEL] [-c|-l|-z] [-E] [-F]\" or "
			 "makedumpfile's spelling of those options",
			 w[0]);
		goto out;
	}
	st.col.from_makedumpfile = mkd;
	for (; i < n; i++) {
		const char *a = w[i];
		unsigned col = cols[i];

		if (a[0] != '-' || !a[1]) {
			error_at(p, col,
				 "core_collector: remove \"%s\"; kdump adds the vmcore and dump file "
				 "names itself",
				 a);
			goto out;
		}
		if (a[1] == '-' || (mkd && (strcmp(a, "-D") == 0 || strcmp(a, "-R") == 0))) {
			/* A long option (or one of makedumpfile's whole-word ones). */
			const struct mkd_opt *o = NULL;
			const char *eq = strchr(a, '=');
			size_t nl = eq ? (size_t)(eq - a) : strlen(a);

			for (size_t k = 0; mkd && k < KD_ARRAY_SIZE(mkd_opts); k++)
				if (strlen(mkd_opts[k].name) == nl &&
				    strncmp(mkd_opts[k].name, a, nl) == 0)
					o = &mkd_opts[k];
			if (!o) {
				error_at(p, col, "core_collector: unknown option \"%.*s\" for %s",
					 (int)nl, a, spelling);
				goto out;
			}
			if (o->kind == OPT_REFUSE) {
				error_at(p, col, "core_collector: makedumpfile option %s is not "
					 "supported (%s)", o->name, o->why);
				goto out;
			}
			if (o->has_arg && !eq) {
				if (i + 1 >= n) {
					error_at(p, col, "core_collector: %s needs a value", o->name);
					goto out;
				}
				i++;
			}
			warn_at(p, col, "core_collector: makedumpfile option %s is ignored (%s)",
				o->name, o->why);
			continue;
		}
		/* A group of short options: -l, -d 31, -d31, -ld 31, -Fl. */
		for (size_t k = 1; a[k]; k++) {
			char o = a[k];
			unsigned ocol = col + (unsigned)k;

			switch (o) {
			case 'c':
			case 'l':
			case 'z':
				if (!set_compress(p, &st, o, ocol))
					goto out;
				break;
			case 'E':
				st.col.format = CONF_FORMAT_ELF;
				st.elf_seen = true;
				st.elf_col = ocol;
				break;
			case 'F':
				st.col.flattened = true;
				break;
			case 'd': {
				const char *lvl = a + k + 1;
				unsigned lcol = ocol + 1;
				if (!*lvl) {
					lvl = i + 1 < n ? w[i + 1] : NULL;
					lcol = i + 1 < n ? cols[i + 1] : ocol;
					if (lvl)
						i++;
				}
				if (!set_level(p, &st, lvl, lcol))
					goto out;
				goto next_word;
			}
			default: {
				const struct mkd_opt *mo = NULL;
				for (size_t m = 0; mkd && m < KD_ARRAY_SIZE(mkd_opts); m++)
					if (mkd_opts[m].name[1] == o && !mkd_opts[m].name[2])
						mo = &mkd_opts[m];
				if (mo && mo->kind == OPT_IGNORE && !mo->has_arg) {
					warn_at(p, ocol, "core_collector: makedumpfile option -%c "
						"is ignored (%s)", o, mo->why);
					break;
				}
				if (mo && mo->kind == OPT_REFUSE)
					error_at(p, ocol, "core_collector: makedumpfile option -%c is "
						 "not supported (%s)", o, mo->why);
				else
					error_at(p, ocol, "core_collector: unknown option \"-%c\" for %s",
						 o, spelling);
				goto out;
			}
			}
		}
next_word:;
	}
	if (st.elf_seen && st.col.compress != CONF_COMPRESS_NONE) {
		error_at(p, st.elf_col, "core_collector: -E (ELF) cannot be compressed; drop -%c",
			 st.compress_opt);
		goto out;
	}
	p->c->collector = st.col;
out:
	free_words(w);
}

/* ---- the other directives -------------------------------------------------------------- */

static void h_list(struct parser *p, const struct directive *d, const struct value *v)
{
	bool bins = strcmp(d->name, "extra_bins") == 0;
	_cleanup_free_ unsigned *cols = NULL;
	char **w = split_words(p, v, &cols);

	if (!w)
		return;
	for (size_t i = 0; w[i]; i++) {
		if (bins) {
			char *s = check_path(p, "extra_bins", w[i], cols[i]);
			if (!s) {
				free_words(w);
				return;
			}
			free(w[i]);
			w[i] = s;
			continue;
		}
		size_t len = strlen(w[i]);
		bool ok = len > 0 && len < 56;
		for (const char *s = w[i]; ok && *s; s++)
			ok = isalnum((unsigned char)*s) || *s == '_' || *s == '-';
		if (!ok) {
			error_at(p, cols[i], "bad module name \"%s\" in extra_modules", w[i]);
			free_words(w);
			return;
		}
	}
	if (bins) {
		free_words(p->c->extra_bins);
		p->c->extra_bins = w;
	} else {
		free_words(p->c->extra_modules);
		p->c->extra_modules = w;
	}
}

static void h_action(struct parser *p, const struct directive *d, const struct value *v)
{
	bool final = strcmp(d->name, "final_action") == 0;
	const char *names[KD_ARRAY_SIZE(action_names)];
	int a;

	memcpy(names, action_names, sizeof(names));
	if (final && (strcmp(v->s, "shell") == 0 || strcmp(v->s, "dump_to_rootfs") == 0)) {
		error_at(p, v->col, "final_action cannot be \"%s\" (that is a failure_action); "
			 "accepted: reboot, halt, poweroff", v->s);
		return;
	}
	if (final) {
		names[CONF_ACTION_SHELL] = NULL;
		names[CONF_ACTION_DUMP_TO_ROOTFS] = NULL;
	}
	a = pick_name(p, v, names, KD_ARRAY_SIZE(names), d->name);
	if (a < 0)
		return;
	if (final) {
		p->c->final_action = (enum conf_action)a;
	} else {
		p->c->failure_action = (enum conf_action)a;
		p->failure_line = p->line;
		if (strcmp(d->name, "default") == 0)
			warn_at(p, p->word_col, "\"default\" is the old name of \"failure_action\"; write "
				"failure_action %s", v->s);
	}
}

static void h_bool(struct parser *p, const struct directive *d, const struct value *v)
{
	static const char *const names[] = { "0", "1", "no", "yes" };
	int b = pick_name(p, v, names, KD_ARRAY_SIZE(names), d->name);
	bool on = b == 1 || b == 3;

	if (b < 0)
		return;
	if (strcmp(d->name, "force_rebuild") == 0) {
		p->c->force_rebuild = on;
	} else if (strcmp(d->name, "force_no_rebuild") == 0) {
		p->c->force_no_rebuild = on;
	} else {
		p->c->auto_reset_crashkernel = on;
		if (on)
			warn_at(p, p->word_col, "auto_reset_crashkernel is accepted for kdump-utils' sake and "
				"does nothing; use \"crashkernel\" and \"kdump crashkernel --set\"");
	}
	if (on && strncmp(d->name, "force_", 6) == 0) {
		if (p->force_line)
			error_at(p, p->word_col, "force_rebuild and force_no_rebuild are both set (also on "
				 "line %u); set at most one", p->force_line);
		p->force_line = p->line;
	}
}

static void h_keep(struct parser *p, const struct directive *d, const struct value *v)
{
	uint64_t n;

	if (strcmp(v->s, "all") == 0) {
		p->c->keep = 0;
		return;
	}
	if (!isdigit((unsigned char)v->s[0]) || kd_parse_u64(v->s, 10, &n) < 0 || n > 100000) {
		error_at(p, v->col, "bad keep \"%s\"; accepted: a count of dumps (1 to 100000) or "
			 "\"all\"", v->s);
		return;
	}
	if (n == 0) {
		error_at(p, v->col, "keep 0 would delete every dump; give a count of 1 or more, or "
			 "\"all\"");
		return;
	}
	p->c->keep = (unsigned)n;
}

static void h_verify(struct parser *p, const struct directive *d, const struct value *v)
{
	int i = pick_name(p, v, verify_names, KD_ARRAY_SIZE(verify_names), "verify");

	if (i >= 0)
		p->c->verify = (enum conf_verify)i;
}

static void h_nfs_vers(struct parser *p, const struct directive *d, const struct value *v)
{
	int i = pick_name(p, v, conf_nfs_versions, KD_ARRAY_SIZE(conf_nfs_versions) - 1,
			  "nfs_vers");

	if (i >= 0) {
		set_str(&p->c->nfs_vers, kd_strdup(conf_nfs_versions[i]));
		p->nfs_vers_line = p->line;
	}
}

static void h_notify(struct parser *p, const struct directive *d, const struct value *v)
{
	_cleanup_free_ unsigned *cols = NULL;
	char **w = split_words(p, v, &cols);
	char *s;

	if (!w)
		return;
	s = check_path(p, "notify command", w[0], cols[0]);
	if (!s) {
		free_words(w);
		return;
	}
	free(w[0]);
	w[0] = s;
	free_words(p->c->notify);
	p->c->notify = w;
}

static void h_cmdline(struct parser *p, const struct directive *d, const struct value *v)
{
	static const char *const owned[] = { "elfcorehdr=", "crashkernel=" };

	if (strlen(v->s) > 2048) {
		error_at(p, v->col, "capture_cmdline_append is longer than 2048 bytes");
		return;
	}
	for (size_t i = 0; i < KD_ARRAY_SIZE(owned); i++) {
		const char *hit = strstr(v->s, owned[i]);
		if (hit && (hit == v->s || is_blank(hit[-1]))) {
			error_at(p, v->col + (unsigned)(hit - v->s),
				 "capture_cmdline_append must not set %s (kdump sets it)", owned[i]);
			return;
		}
	}
	set_str(&p->c->capture_cmdline_append, kd_strdup(v->s));
}

/* memparse-like: digits and an optional K, M, G, T suffix; returns the end or NULL. */
static const char *parse_mem(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return NULL;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s && strchr("KMGTkmgt", *s))
		s++;
	return s;
}

static bool crashkernel_ok(const char *s)
{
	const char *e;

	if (strcmp(s, "auto") == 0)
		return true;
	if (strchr(s, ':')) {
		/* start-[end]:size[,start-[end]:size...][@offset] */
		for (;;) {
			if (!(e = parse_mem(s)) || *e != '-')
				return false;
			s = e + 1;
			if (*s != ':') {
				if (!(e = parse_mem(s)))
					return false;
				s = e;
			}
			if (*s != ':' || !(e = parse_mem(s + 1)))
				return false;
			s = e;
			if (*s == ',') {
				s++;
				continue;
			}
			break;
		}
	} else {
		if (!(e = parse_mem(s)))
			return false;
		s = e;
		if (strcmp(s, ",high") == 0 || strcmp(s, ",low") == 0)
			return true;
	}
	if (*s == '@') {
		if (!(e = parse_mem(s + 1)))
			return false;
		s = e;
	}
	return *s == '\0';
}

static void h_crashkernel(struct parser *p, const struct directive *d, const struct value *v)
{
	if (!one_word(p, v))
		return;
	if (!crashkernel_ok(v->s)) {
		error_at(p, v->col,
			 "bad crashkernel \"%s\"; write auto, SIZE[@OFFSET], SIZE,high, SIZE,low or "
			 "START-[END]:SIZE[,...][@OFFSET] (sizes like 256M)",
			 v->s);
		return;
	}
	set_str(&p->c->crashkernel, kd_strdup(v->s));
}

/* capture_ip ADDR/PREFIX [via GATEWAY] [dev IFACE]: IPv4 only (the capture init sets it). */
static void h_capture_ip(struct parser *p, const struct directive *d, const struct value *v)
{
	_cleanup_free_ unsigned *cols = NULL;
	char **w = split_words(p, v, &cols);
	size_t n = count_words(w);
	char ip[INET_ADDRSTRLEN];
	const char *slash, *gw = NULL, *dev = NULL;
	struct in_addr a, g;
	uint64_t prefix = 0;
	unsigned gw_col = 0;

	if (!w)
		return;
	slash = strchr(w[0], '/');
	if (!slash || (size_t)(slash - w[0]) >= sizeof(ip)) {
		error_at(p, cols[0], "capture_ip wants ADDR/PREFIX (IPv4, e.g. 192.168.1.50/24), "
			 "not \"%s\"", w[0]);
		goto out;
	}
	memcpy(ip, w[0], (size_t)(slash - w[0]));
	ip[slash - w[0]] = '\0';
	if (inet_pton(AF_INET, ip, &a) != 1) {
		error_at(p, cols[0], "capture_ip: \"%s\" is not an IPv4 address (the capture init "
			 "sets IPv4 only)", ip);
		goto out;
	}
	if (!isdigit((unsigned char)slash[1]) || kd_parse_u64(slash + 1, 10, &prefix) < 0 ||
	    prefix < 1 || prefix > 32) {
		error_at(p, cols[0] + (unsigned)(slash - w[0]) + 1,
			 "capture_ip: bad prefix length \"%s\"; accepted: 1 to 32", slash + 1);
		goto out;
	}
	for (size_t i = 1; i < n; i += 2) {
		bool via = strcmp(w[i], "via") == 0;
		if ((!via && strcmp(w[i], "dev") != 0) || (via ? gw : dev)) {
			error_at(p, cols[i], "capture_ip: unexpected \"%s\"; write capture_ip "
				 "ADDR/PREFIX [via GATEWAY] [dev IFACE]", w[i]);
			goto out;
		}
		if (i + 1 >= n) {
			error_at(p, cols[i], "capture_ip: \"%s\" needs a value", w[i]);
			goto out;
		}
		if (via) {
			gw = w[i + 1];
			gw_col = cols[i + 1];
		} else {
			dev = w[i + 1];
		}
	}
	if (gw) {
		uint32_t mask = htonl(prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix));
		if (inet_pton(AF_INET, gw, &g) != 1) {
			error_at(p, gw_col, "capture_ip: gateway \"%s\" is not an IPv4 address", gw);
			goto out;
		}
		if ((g.s_addr & mask) != (a.s_addr & mask) || g.s_addr == a.s_addr) {
			error_at(p, gw_col, "capture_ip: gateway %s is not on %s's link", gw, w[0]);
			goto out;
		}
	}
	if (dev && (strlen(dev) > 15 || strchr(dev, '/'))) {
		error_at(p, cols[n - 1], "capture_ip: bad interface name \"%s\" (at most 15 "
			 "characters, no '/')", dev);
		goto out;
	}
	p->capture_ip_line = p->line;
	set_str(&p->c->capture_ip, kd_strdup(w[0]));
	set_str(&p->c->capture_gateway, gw ? kd_strdup(gw) : NULL);
	set_str(&p->c->capture_iface, dev ? kd_strdup(dev) : NULL);
out:
	free_words(w);
}

#define TARGET(n, syn) { n, n " " syn, h_target, SLOT_TARGET, false, NULL }
#define REFUSED(n, why) { n, NULL, NULL, SLOT_OWN, false, why }

static const struct directive directives[] = {
	{ "path", "path <directory>", h_path, SLOT_OWN, false, NULL },
	{ "core_collector", "core_collector kdump capture [-d LEVEL] [-c|-l|-z] [-E] [-F]",
	  h_collector, SLOT_OWN, false, NULL },
	TARGET("raw", "</dev/DEVICE|PARTUUID=...|PARTLABEL=...>"),
	TARGET("ssh", "<user@host>"),
	TARGET("nfs", "<server:/export>"),
	/* ext4 first: it wins ties in suggestions ("ext5"). */
	TARGET("ext4", "<device|UUID=...|LABEL=...|PARTUUID=...|PARTLABEL=...>"),
	TARGET("ext3", "<device|UUID=...|LABEL=...|PARTUUID=...|PARTLABEL=...>"),
	TARGET("ext2", "<device|UUID=...|LABEL=...|PARTUUID=...|PARTLABEL=...>"),
	TARGET("xfs", "<device|UUID=...|LABEL=...|PARTUUID=...|PARTLABEL=...>"),
	TARGET("btrfs", "<device|UUID=...|LABEL=...|PARTUUID=...|PARTLABEL=...>"),
	TARGET("minix", "<device|UUID=...|LABEL=...|PARTUUID=...|PARTLABEL=...>"),
	TARGET("virtiofs", "<tag>"),
	{ "sshkey", "sshkey <path>", h_sshkey, SLOT_OWN, false, NULL },
	{ "kdump_pre", "kdump_pre <executable>", h_hook, SLOT_OWN, false, NULL },
	{ "kdump_post", "kdump_post <executable>", h_hook, SLOT_OWN, false, NULL },
	{ "kdump_emergency", "kdump_emergency <executable>", h_hook, SLOT_OWN, false, NULL },
	{ "extra_bins", "extra_bins <path>...", h_list, SLOT_OWN, false, NULL },
	{ "extra_modules", "extra_modules <module>...", h_list, SLOT_OWN, false, NULL },
	{ "failure_action", "failure_action <reboot|halt|poweroff|shell|dump_to_rootfs>", h_action,
	  SLOT_FAILURE, false, NULL },
	{ "default", "default <reboot|halt|poweroff|shell|dump_to_rootfs>", h_action,
	  SLOT_FAILURE, false, NULL },
	{ "final_action", "final_action <reboot|halt|poweroff>", h_action, SLOT_OWN, false, NULL },
	{ "force_rebuild", "force_rebuild <0|1>", h_bool, SLOT_OWN, false, NULL },
	{ "force_no_rebuild", "force_no_rebuild <0|1>", h_bool, SLOT_OWN, false, NULL },
	{ "auto_reset_crashkernel", "auto_reset_crashkernel <yes|no>", h_bool, SLOT_OWN, false,
	  NULL },
	{ "keep", "keep <count|all>", h_keep, SLOT_OWN, false, NULL },
	{ "verify", "verify <auto|yes|no>", h_verify, SLOT_OWN, false, NULL },
	{ "nfs_vers", "nfs_vers <4.2|4.1|4.0|4|3>", h_nfs_vers, SLOT_OWN, false, NULL },
	{ "notify", "notify <command> [args...]", h_notify, SLOT_OWN, false, NULL },
	{ "capture_cmdline_append", "capture_cmdline_append <kernel parameters>", h_cmdline,
	  SLOT_OWN, true, NULL },
	{ "crashkernel", "crashkernel <auto|size>", h_crashkernel, SLOT_OWN, false, NULL },
	{ "capture_ip", "capture_ip <ADDR/PREFIX> [via GATEWAY] [dev IFACE]", h_capture_ip,
	  SLOT_OWN, false, NULL },
	REFUSED("dracut_args", "kdump builds its own initramfs without dracut; use extra_bins "
			       "and extra_modules"),
	REFUSED("fence_kdump_args", "fence_kdump is not supported; use kdump_pre to notify a "
				    "cluster"),
	REFUSED("fence_kdump_nodes", "fence_kdump is not supported; use kdump_pre to notify a "
				     "cluster"),
	REFUSED("net", "it was replaced by \"nfs\" and \"ssh\""),
	REFUSED("options", "give module options in capture_cmdline_append (module.param=value)"),
	REFUSED("link_delay", "the capture init waits for the network itself"),
	REFUSED("disk_timeout", "the capture init waits for the target device itself"),
	REFUSED("debug_mem_level", "use capture_cmdline_append to pass debug options"),
	REFUSED("blacklist", "use capture_cmdline_append with module_blacklist=NAME"),
};

_Static_assert(KD_ARRAY_SIZE(directives) <= MAX_DIRECTIVES, "raise MAX_DIRECTIVES");

static const struct directive *find_directive(const char *name)
{
	for (size_t i = 0; i < KD_ARRAY_SIZE(directives); i++)
		if (strcmp(directives[i].name, name) == 0)
			return &directives[i];
	return NULL;
}

static void unknown_directive(struct parser *p, const char *word)
{
	const char *names[KD_ARRAY_SIZE(directives)];
	char stem[64], hint[128];
	size_t n = strcspn(word, "=:");

	for (size_t i = 0; i < KD_ARRAY_SIZE(directives); i++)
		names[i] = directives[i].refusal ? NULL : directives[i].name;
	snprintf(stem, sizeof(stem), "%.*s", (int)KD_MIN(n, sizeof(stem) - 1), word);
	error_at(p, p->word_col, "unknown directive \"%s\"%s", word,
		 did_you_mean(hint, sizeof(hint), suggest(stem, names, KD_ARRAY_SIZE(names))));
}

/* ---- lines ----------------------------------------------------------------------------- */

static void handle_line(struct parser *p, char *line)
{
	char *word = line, *val, *end;
	const struct directive *d;
	struct value v;
	unsigned *slot_line;
	size_t idx;

	while (is_blank(*word))
		word++;
	if (!*word || *word == '#')
		return;
	p->word_col = (unsigned)(word - line) + 1; /* indentation is allowed */
	val = word;
	while (*val && !is_blank(*val))
		val++;
	if (*val)
		*val++ = '\0';
	while (is_blank(*val))
		val++;
	/* A '#' starts a comment anywhere in the value (as in kdump-utils). */
	end = strchr(val, '#');
	if (!end)
		end = val + strlen(val);
	while (end > val && is_blank(end[-1]))
		end--;
	*end = '\0';

	d = find_directive(word);
	if (!d) {
		unknown_directive(p, word);
		return;
	}
	if (d->refusal) {
		error_at(p, p->word_col, "directive \"%s\" is not supported: %s",
			 d->name, d->refusal);
		return;
	}
	p->dir = d;
	v.s = val;
	v.col = (unsigned)(val - line) + 1;
	if (!*val) {
		error_at(p, p->word_col, "\"%s\" needs a value: %s", d->name,
			 d->synopsis);
		return;
	}
	if (val[0] == '"') {
		size_t len = strlen(val);
		if (len >= 2 && val[len - 1] == '"') {
			val[len - 1] = '\0';
			v.s = val + 1;
			v.col++;
		} else if (!d->free_form) {
			error_at(p, v.col, "unterminated quote in the value of \"%s\"", d->name);
			return;
		}
	}
	if (!d->free_form) {
		const char *q = strchr(v.s, '"');
		if (q) {
			error_at(p, v.col + (unsigned)(q - v.s),
				 "unexpected quote in the value of \"%s\" (only a pair around the "
				 "whole value is removed)",
				 d->name);
			return;
		}
	}
	if (!*v.s) {
		error_at(p, v.col, "\"%s\" needs a value: %s", d->name, d->synopsis);
		return;
	}

	idx = (size_t)(d - directives);
	slot_line = d->slot == SLOT_TARGET    ? &p->seen_target
		    : d->slot == SLOT_FAILURE ? &p->seen_failure
					      : &p->seen[idx];
	if (*slot_line) {
		if (d->slot == SLOT_TARGET)
			error_at(p, p->word_col,
				 "second dump target \"%s\" (the target is already \"%s\" on line "
				 "%u); give one target",
				 d->name, p->target_name, *slot_line);
		else
			error_at(p, p->word_col,
				 "duplicate \"%s\" (first given on line %u)", d->name, *slot_line);
		return;
	}
	*slot_line = p->line;
	if (d->slot == SLOT_TARGET)
		p->target_name = d->name;
	d->fn(p, d, &v);
}

/* Checks raw bytes of one line: NUL and control characters. Returns false after reporting. */
static bool line_bytes_ok(struct parser *p, const char *line, size_t len, size_t file_off)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];
		if (ch == '\0') {
			error_at(p, (unsigned)i + 1, "NUL byte at offset %zu", file_off + i);
			return false;
		}
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			error_at(p, (unsigned)i + 1, "control character 0x%02x at offset %zu", ch,
				 file_off + i);
			return false;
		}
	}
	return true;
}

static void cross_checks(struct parser *p)
{
	struct conf *c = p->c;

	/* The default failure action: the root filesystem when the dump goes elsewhere. */
	if (!p->seen_failure && c->target.kind != CONF_TARGET_ROOTFS)
		c->failure_action = CONF_ACTION_DUMP_TO_ROOTFS;

	if (c->failure_action == CONF_ACTION_DUMP_TO_ROOTFS && c->target.kind == CONF_TARGET_ROOTFS)
		error_line(p, p->failure_line, 1,
			   "failure_action dump_to_rootfs needs a dump target other than the root "
			   "filesystem (add a target such as \"nfs\", \"ssh\" or \"ext4\")");
	if (p->capture_ip_line && !conf_target_is_remote(c))
		warn_line(p, p->capture_ip_line, 1, "capture_ip has no effect without an ssh or nfs "
			  "target");
	if (p->sshkey_line && c->target.kind != CONF_TARGET_SSH)
		warn_line(p, p->sshkey_line, 1, "sshkey has no effect without an ssh target");
	if (p->nfs_vers_line && c->target.kind != CONF_TARGET_NFS)
		warn_line(p, p->nfs_vers_line, 1, "nfs_vers has no effect without an nfs target");
	if ((c->target.kind == CONF_TARGET_RAW || c->target.kind == CONF_TARGET_SSH) &&
	    !c->collector.flattened) {
		c->collector.flattened = true;
		c->collector.flattened_implied = true;
		if (p->collector_line)
			warn_line(p, p->collector_line, 1,
				  "core_collector: a %s target takes a flattened stream; -F is "
				  "implied",
				  conf_target_kind_name(c->target.kind));
	}
}

static int conf_set_defaults(struct conf *c, const char *filename)
{
	c->file = kd_strdup(filename ? filename : "kdump.conf");
	c->path = kd_strdup(CONF_DEFAULT_PATH);
	c->sshkey = kd_strdup(CONF_DEFAULT_SSHKEY);
	c->extra_bins = kd_calloc(1, sizeof(char *));
	c->extra_modules = kd_calloc(1, sizeof(char *));
	c->collector = (struct conf_collector){ .dump_level = 31, .compress = CONF_COMPRESS_LZO };
	c->failure_action = CONF_ACTION_REBOOT;
	c->final_action = CONF_ACTION_REBOOT;
	c->verify = CONF_VERIFY_AUTO;
	if (!c->file || !c->path || !c->sshkey || !c->extra_bins || !c->extra_modules)
		return -ENOMEM;
	return 0;
}

int conf_parse(const char *text, size_t len, const char *filename, struct conf **ret,
	       struct conf_diags *diags, struct kd_err *err)
{
	struct conf_diags own = { 0 };
	struct parser p = { .diags = diags ? diags : &own };
	struct conf *c = kd_calloc(1, sizeof(*c));
	char *line = NULL;
	size_t off = 0, first = p.diags->n;
	size_t errors_before = p.diags->n_errors;
	int r = 0;

	if (!c || conf_set_defaults(c, filename) < 0 || !(line = malloc(CONF_MAX_LINE + 1))) {
		r = kd_err_set(err, -ENOMEM, "out of memory parsing %s", filename);
		goto out;
	}
	p.c = c;
	p.file = c->file;
	if (len > CONF_MAX_FILE_SIZE) {
		error_line(&p, 0, 0, "file is larger than %u bytes (%zu); is it the right file?",
			   CONF_MAX_FILE_SIZE, len);
		goto done;
	}
	while (off < len) {
		const char *start = text + off, *nl = memchr(start, '\n', len - off);
		size_t llen = nl ? (size_t)(nl - start) : len - off;
		size_t next = off + llen + (nl ? 1 : 0);

		p.line++;
		if (p.line > CONF_MAX_LINES) {
			error_line(&p, 0, 0, "more than %u lines", CONF_MAX_LINES);
			break;
		}
		if (llen && start[llen - 1] == '\r')
			llen--; /* CRLF line ends are accepted */
		if (llen > CONF_MAX_LINE) {
			error_at(&p, CONF_MAX_LINE + 1, "line is longer than %u bytes", CONF_MAX_LINE);
		} else if (line_bytes_ok(&p, start, llen, off)) {
			memcpy(line, start, llen);
			line[llen] = '\0';
			handle_line(&p, line);
		}
		off = next;
	}
	p.line = 0;
	cross_checks(&p);
done:
	if (p.diags->n_errors > errors_before) {
		r = -EINVAL;
		for (size_t i = first; i < p.diags->n; i++) {
			if (p.diags->v[i].error) {
				kd_err_set(err, r, "%s", p.diags->v[i].msg);
				break;
			}
		}
		if (err && !err->code)
			kd_err_set(err, r, "%s: invalid configuration", c->file);
	}
out:
	free(line);
	conf_diags_deinit(&own);
	if (r < 0) {
		conf_destroy(c);
		return r;
	}
	*ret = c;
	return 0;
}

/* ---- loading from a file ---------------------------------------------------------------- */

static int refuse(struct conf_diags *diags, struct kd_err *err, int code, char *msg)
{
	if (!msg)
		return kd_err_set(err, -ENOMEM, "out of memory");
	kd_err_set(err, code, "%s", msg);
	if (diags)
		diag_add(diags, true, 0, 0, msg);
	else
		free(msg);
	return code;
}

/* Who may change a file or directory: only root and the caller, as sshd's StrictModes. */
static char *unsafe_owner_or_mode(const char *what, const char *name, const struct stat *st)
{
	unsigned mode = st->st_mode & 07777;

	if (st->st_uid != 0 && st->st_uid != geteuid())
		return kd_asprintf("%s %s is owned by uid %u, neither root nor you; run \"chown root "
				   "%s\"", what, name, (unsigned)st->st_uid, name);
	if (S_ISDIR(st->st_mode) && (mode & S_ISVTX))
		return NULL; /* like /tmp: others cannot replace our entry */
	if (mode & S_IWOTH)
		return kd_asprintf("%s %s is writable by every user (mode %04o); run \"chmod o-w "
				   "%s\"", what, name, mode, name);
	if (mode & S_IWGRP)
		return kd_asprintf("%s %s is writable by its group (mode %04o); run \"chmod g-w "
				   "%s\"", what, name, mode, name);
	return NULL;
}

int conf_load(const char *root, const char *path, struct conf **ret, struct conf_diags *diags,
	      struct kd_err *err)
{
	_cleanup_free_ char *full = kd_path_at(root, path);
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st, dst;
	char *why;
	ssize_t n;

	if (!full)
		return kd_err_set(err, -ENOMEM, "out of memory");
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = -errno;
		return refuse(diags, err, e, kd_asprintf("cannot open %s: %s", full, strerror(-e)));
	}
	if (fstat(fd, &st) < 0) {
		int e = -errno;
		return refuse(diags, err, e, kd_asprintf("cannot stat %s: %s", full, strerror(-e)));
	}
	if (!S_ISREG(st.st_mode))
		return refuse(diags, err, -EINVAL, kd_asprintf("%s is not a regular file", full));
	why = unsafe_owner_or_mode("config file", full, &st);
	if (why)
		return refuse(diags, err, -EPERM, why);
	dir = kd_strdup(full);
	if (!dir)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (stat(dirname(dir), &dst) == 0) {
		why = unsafe_owner_or_mode("the directory of the config file,", dir, &dst);
		if (why)
			return refuse(diags, err, -EPERM, why);
	}
	if ((uint64_t)st.st_size > CONF_MAX_FILE_SIZE)
		return refuse(diags, err, -EFBIG,
			      kd_asprintf("%s: file is larger than %u bytes (%llu); is it the right "
					  "file?", full, CONF_MAX_FILE_SIZE,
					  (unsigned long long)st.st_size));
	buf = malloc(CONF_MAX_FILE_SIZE + 1);
	if (!buf)
		return kd_err_set(err, -ENOMEM, "out of memory");
	n = kd_read_all(fd, buf, CONF_MAX_FILE_SIZE + 1);
	if (n < 0)
		return refuse(diags, err, (int)n,
			      kd_asprintf("cannot read %s: %s", full, strerror((int)-n)));
	return conf_parse(buf, (size_t)n, full, ret, diags, err);
}

void conf_target_deinit(struct conf_target *t)
{
	free(t->spec);
	free(t->fstype);
	free(t->device);
	free(t->user);
	free(t->host);
	free(t->export_path);
	memset(t, 0, sizeof(*t));
}

int conf_target_parse(const char *kind, const char *value, struct conf_target *ret,
		      struct kd_err *err)
{
	struct conf c = { 0 };
	struct conf_diags diags = { 0 };
	const struct directive d = { .name = kind, .fn = h_target, .slot = SLOT_TARGET };
	struct parser p = { .c = &c, .diags = &diags, .dir = &d, .target_name = kind };
	int r = 0;

	h_target(&p, &d, &(struct value){ .s = value, .col = 1 });
	if (diags.n_errors || c.target.kind == CONF_TARGET_ROOTFS)
		r = kd_err_set(err, -EINVAL, "%s", diags.n ? diags.v[0].msg : "out of memory");
	if (r < 0)
		conf_target_deinit(&c.target);
	else
		*ret = c.target;
	conf_diags_deinit(&diags);
	return r;
}

void conf_destroy(struct conf *c)
{
	if (!c)
		return;
	free(c->file);
	conf_target_deinit(&c->target);
	free(c->path);
	free(c->sshkey);
	free(c->kdump_pre);
	free(c->kdump_post);
	free(c->kdump_emergency);
	free_words(c->extra_bins);
	free_words(c->extra_modules);
	free_words(c->notify);
	free(c->capture_cmdline_append);
	free(c->crashkernel);
	free(c->nfs_vers);
	free(c->capture_ip);
	free(c->capture_gateway);
	free(c->capture_iface);
	free(c);
}

/* ---- rendering --------------------------------------------------------------------------- */

char *conf_collector_args(const struct conf_collector *col)
{
	static const char letter[] = { [CONF_COMPRESS_ZLIB] = 'c', [CONF_COMPRESS_LZO] = 'l',
				       [CONF_COMPRESS_ZSTD] = 'z' };
	char comp[4] = "";

	if (col->compress != CONF_COMPRESS_NONE && (unsigned)col->compress < sizeof(letter))
		snprintf(comp, sizeof(comp), " -%c", letter[col->compress]);
	return kd_asprintf("-d %u%s%s%s", col->dump_level, comp,
			   col->format == CONF_FORMAT_ELF ? " -E" : "", col->flattened ? " -F" : "");
}

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void KD_PRINTF(2, 3) sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = KD_MAX(b->cap * 2, b->len + (size_t)n + 256);
		char *s = realloc(b->s, cap);
		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

static void sb_words(struct sbuf *b, const char *name, char **w)
{
	if (!w || !w[0])
		return;
	sb_printf(b, "%s", name);
	for (size_t i = 0; w[i]; i++)
		sb_printf(b, " %s", w[i]);
	sb_printf(b, "\n");
}

int conf_render(const struct conf *c, char **ret)
{
	const struct conf_target *t = &c->target;
	struct sbuf b = { 0 };
	_cleanup_free_ char *args = conf_collector_args(&c->collector);

	if (!args)
		return -ENOMEM;
	sb_printf(&b, "# effective configuration of %s\n", c->file);
	switch (t->kind) {
	case CONF_TARGET_ROOTFS:
		sb_printf(&b, "# dump target: the root filesystem (no target directive)\n");
		break;
	case CONF_TARGET_FS:
	case CONF_TARGET_RAW:
		if (t->device_kind == CONF_DEVICE_PATH || t->device_kind == CONF_DEVICE_TAG)
			sb_printf(&b, "%s %s\n", t->kind == CONF_TARGET_RAW ? "raw" : t->fstype,
				  t->device);
		else
			sb_printf(&b, "%s %s=%s\n", t->kind == CONF_TARGET_RAW ? "raw" : t->fstype,
				  conf_device_kind_name(t->device_kind), t->device);
		break;
	case CONF_TARGET_SSH:
		/* IPv6 addresses in brackets, so that a port cannot be misread. */
		sb_printf(&b, strchr(t->host, ':') ? "ssh %s@[%s]" : "ssh %s@%s", t->user, t->host);
		if (t->port)
			sb_printf(&b, ":%u", t->port);
		sb_printf(&b, "\n");
		break;
	case CONF_TARGET_NFS:
		sb_printf(&b, strchr(t->host, ':') ? "nfs [%s]:%s\n" : "nfs %s:%s\n", t->host,
			  t->export_path);
		break;
	}
	sb_printf(&b, "path %s\n", c->path);
	if (t->kind == CONF_TARGET_SSH)
		sb_printf(&b, "sshkey %s\n", c->sshkey);
	sb_printf(&b, "core_collector kdump capture %s\n", args);
	if (c->kdump_pre)
		sb_printf(&b, "kdump_pre %s\n", c->kdump_pre);
	if (c->kdump_post)
		sb_printf(&b, "kdump_post %s\n", c->kdump_post);
	if (c->kdump_emergency)
		sb_printf(&b, "kdump_emergency %s\n", c->kdump_emergency);
	sb_words(&b, "extra_bins", c->extra_bins);
	sb_words(&b, "extra_modules", c->extra_modules);
	sb_printf(&b, "failure_action %s\n", conf_action_name(c->failure_action));
	sb_printf(&b, "final_action %s\n", conf_action_name(c->final_action));
	sb_printf(&b, "force_rebuild %d\n", c->force_rebuild);
	sb_printf(&b, "force_no_rebuild %d\n", c->force_no_rebuild);
	if (c->auto_reset_crashkernel)
		sb_printf(&b, "auto_reset_crashkernel yes\n");
	if (c->keep)
		sb_printf(&b, "keep %u\n", c->keep);
	else
		sb_printf(&b, "keep all\n");
	sb_printf(&b, "verify %s\n", conf_verify_name(c->verify));
	if (c->nfs_vers)
		sb_printf(&b, "nfs_vers %s\n", c->nfs_vers);
	sb_words(&b, "notify", c->notify);
	if (c->capture_cmdline_append)
		sb_printf(&b, "capture_cmdline_append \"%s\"\n", c->capture_cmdline_append);
	if (c->crashkernel)
		sb_printf(&b, "crashkernel %s\n", c->crashkernel);
	if (c->capture_ip) {
		sb_printf(&b, "capture_ip %s", c->capture_ip);
		if (c->capture_gateway)
			sb_printf(&b, " via %s", c->capture_gateway);
		if (c->capture_iface)
			sb_printf(&b, " dev %s", c->capture_iface);
		sb_printf(&b, "\n");
	}
	if (b.oom) {
		free(b.s);
		return -ENOMEM;
	}
	*ret = b.s;
	return 0;
}
