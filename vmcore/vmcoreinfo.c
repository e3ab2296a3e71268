// SPDX-License-Identifier: GPL-2.0-or-later
/* VMCOREINFO: parse the KEY=VALUE note text and look keys up by kind. */
#include "vmcore/internal.h"

#include <inttypes.h>

struct vmcoreinfo_entry {
	char *key;
	char *value;
};

struct vmcoreinfo {
	char *text;	/* the text as given, NUL-terminated */
	char *parsed;	/* a copy cut into keys and values */
	size_t len;
	struct vmcoreinfo_entry *entries;
	size_t nr;
};

void vmcoreinfo_destroy(struct vmcoreinfo *vi)
{
	if (!vi)
		return;
	free(vi->text);
	free(vi->parsed);
	free(vi->entries);
	free(vi);
}

int vmcoreinfo_parse(const char *text, size_t len, struct vmcoreinfo **ret, struct kd_err *err)
{
	struct vmcoreinfo *vi;
	size_t lines = 1;
	char *p, *end;

	if (len > VMCORE_MAX_VMCOREINFO)
		return kd_err_set(err, -EFBIG, "VMCOREINFO is %zu bytes, more than the %u allowed",
				  len, VMCORE_MAX_VMCOREINFO);
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	vi = kd_calloc(1, sizeof(*vi));
	if (!vi)
		return kd_err_set(err, -ENOMEM, "out of memory");
	vi->text = malloc(len + 1);
	vi->parsed = malloc(len + 1);
	vi->entries = kd_calloc(lines, sizeof(*vi->entries));
	if (!vi->text || !vi->parsed || !vi->entries) {
		vmcoreinfo_destroy(vi);
		return kd_err_set(err, -ENOMEM, "out of memory parsing VMCOREINFO");
	}
	memcpy(vi->text, text, len);
	vi->text[len] = '\0';
	memcpy(vi->parsed, text, len);
	vi->parsed[len] = '\0';
	vi->len = len;
	p = vi->parsed;
	end = p + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *eq;

		if (!nl)
			nl = end;
		*nl = '\0';
		eq = strchr(p, '=');
		/* A line with a NUL inside, or without KEY=, is not an entry. */
		if (eq && eq != p && strlen(p) == (size_t)(nl - p)) {
			*eq = '\0';
			vi->entries[vi->nr].key = p;
			vi->entries[vi->nr].value = eq + 1;
			vi->nr++;
		}
		p = nl + 1;
	}
	*ret = vi;
	return 0;
}

const char *vmcoreinfo_text(const struct vmcoreinfo *vi, size_t *ret_len)
{
	if (ret_len)
		*ret_len = vi ? vi->len : 0;
	return vi ? vi->text : NULL;
}

const char *vmcoreinfo_get(const struct vmcoreinfo *vi, const char *key)
{
	if (!vi)
		return NULL;
	/* The first definition wins, as in makedumpfile. */
	for (size_t i = 0; i < vi->nr; i++)
		if (strcmp(vi->entries[i].key, key) == 0)
			return vi->entries[i].value;
	return NULL;
}

static const char *get_kind(const struct vmcoreinfo *vi, const char *kind, const char *name)
{
	char key[160];

	if (snprintf(key, sizeof(key), "%s(%s)", kind, name) >= (int)sizeof(key))
		return NULL;
	return vmcoreinfo_get(vi, key);
}

static int parse_hex(const char *v, uint64_t *ret)
{
	if (!v)
		return -ENOENT;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		v += 2;
	return kd_parse_u64(v, 16, ret);
}

static int parse_udec(const char *v, uint64_t *ret)
{
	return v ? kd_parse_u64(v, 10, ret) : -ENOENT;
}

static int parse_number(const char *v, int64_t *ret)
{
	uint64_t u;

	if (!v)
		return -ENOENT;
	/* NUMBER(VMALLOC_START) is printed with 0x; makedumpfile retries in base 16. */
	if (kd_parse_s64(v, 10, ret) == 0)
		return 0;
	if ((v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) && kd_parse_u64(v + 2, 16, &u) == 0) {
		*ret = (int64_t)u;
		return 0;
	}
	return -EINVAL;
}

int vmcoreinfo_symbol(const struct vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	return parse_hex(get_kind(vi, "SYMBOL", name), ret);
}

int vmcoreinfo_offset(const struct vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	return parse_udec(get_kind(vi, "OFFSET", name), ret);
}

int vmcoreinfo_size(const struct vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	return parse_udec(get_kind(vi, "SIZE", name), ret);
}

int vmcoreinfo_length(const struct vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	return parse_udec(get_kind(vi, "LENGTH", name), ret);
}

int vmcoreinfo_number(const struct vmcoreinfo *vi, const char *name, int64_t *ret)
{
	return parse_number(get_kind(vi, "NUMBER", name), ret);
}

int vmcoreinfo_kerneloffset(const struct vmcoreinfo *vi, uint64_t *ret)
{
	return parse_hex(vmcoreinfo_get(vi, "KERNELOFFSET"), ret);
}

int vmcoreinfo_crashtime(const struct vmcoreinfo *vi, int64_t *ret)
{
	const char *v = vmcoreinfo_get(vi, "CRASHTIME");

	return v ? kd_parse_s64(v, 10, ret) : -ENOENT;
}

int vmcoreinfo_pagesize(const struct vmcoreinfo *vi, uint64_t *ret)
{
	return parse_udec(vmcoreinfo_get(vi, "PAGESIZE"), ret);
}

const char *vmcoreinfo_osrelease(const struct vmcoreinfo *vi)
{
	return vmcoreinfo_get(vi, "OSRELEASE");
}

/* Parses a full key by its kind prefix. */
static int lookup_any(const struct vmcoreinfo *vi, const char *key, uint64_t *ret_u,
		      int64_t *ret_s)
{
	const char *v = vmcoreinfo_get(vi, key);
	int64_t s;
	int r;

	if (!v)
		return -ENOENT;
	if (strncmp(key, "SYMBOL(", 7) == 0 || strcmp(key, "KERNELOFFSET") == 0) {
		uint64_t u;
		r = parse_hex(v, &u);
		s = (int64_t)u;
	} else if (strncmp(key, "NUMBER(", 7) == 0 || strcmp(key, "CRASHTIME") == 0) {
		r = parse_number(v, &s);
	} else {
		uint64_t u;
		r = parse_udec(v, &u);
		s = (int64_t)u;
	}
	if (r < 0)
		return r;
	if (ret_u)
		*ret_u = (uint64_t)s;
	if (ret_s)
		*ret_s = s;
	return 0;
}

static int need_err(const struct vmcoreinfo *vi, const char *key, int r, struct kd_err *err)
{
	if (r == -ENOENT)
		return kd_err_set(err, r, "VMCOREINFO lacks %s", key);
	return kd_err_set(err, r, "VMCOREINFO has a bad value for %s: \"%.40s\"", key,
			  vmcoreinfo_get(vi, key));
}

int vmcoreinfo_need_u64(const struct vmcoreinfo *vi, const char *key, uint64_t *ret,
			struct kd_err *err)
{
	int r = lookup_any(vi, key, ret, NULL);

	return r < 0 ? need_err(vi, key, r, err) : 0;
}

int vmcoreinfo_need_s64(const struct vmcoreinfo *vi, const char *key, int64_t *ret,
			struct kd_err *err)
{
	int r = lookup_any(vi, key, NULL, ret);

	return r < 0 ? need_err(vi, key, r, err) : 0;
}
