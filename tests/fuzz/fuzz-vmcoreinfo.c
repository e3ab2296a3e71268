// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: VMCOREINFO text parsing and the typed lookups, by every key the text names. */
#include "fuzz-util.h"
#include "vmcore/vmcore.h"

#define T "fuzz-vmcoreinfo"

/* Looks one full key up through the generic and the typed interfaces. */
static void lookup(const struct vmcoreinfo *vi, const char *key)
{
	struct kd_err err = { 0 };
	char name[200];
	const char *open = strchr(key, '('), *v = vmcoreinfo_get(vi, key);
	uint64_t u;
	int64_t s;
	int r;

	r = vmcoreinfo_need_u64(vi, key, &u, &err);
	fz_check(r == 0 || (err.msg[0] && strstr(err.msg, "VMCOREINFO")), T,
		 "a failed need_u64 says what VMCOREINFO lacks");
	fz_check(r != -ENOENT || !v, T, "need_u64 finds what get finds");
	(void)vmcoreinfo_need_s64(vi, key, &s, NULL);
	if (!open || strlen(open) < 2 || strlen(open) - 2 >= sizeof(name))
		return;
	memcpy(name, open + 1, strlen(open) - 2);
	name[strlen(open) - 2] = '\0';
	if (strncmp(key, "SYMBOL(", 7) == 0)
		r = vmcoreinfo_symbol(vi, name, &u);
	else if (strncmp(key, "OFFSET(", 7) == 0)
		r = vmcoreinfo_offset(vi, name, &u);
	else if (strncmp(key, "SIZE(", 5) == 0)
		r = vmcoreinfo_size(vi, name, &u);
	else if (strncmp(key, "LENGTH(", 7) == 0)
		r = vmcoreinfo_length(vi, name, &u);
	else if (strncmp(key, "NUMBER(", 7) == 0)
		r = vmcoreinfo_number(vi, name, &s);
	else
		return;
	fz_check(r == 0 || r == -EINVAL || r == -ENOENT || r == -ERANGE, T,
		 "typed lookups return 0, -ENOENT, -EINVAL or -ERANGE");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = {
		"OSRELEASE", "PAGESIZE", "KERNELOFFSET", "CRASHTIME", "SYMBOL(init_top_pgt)",
		"NUMBER(phys_base)", "SIZE(page)", "OFFSET(page.flags)", "SYMBOL(prb)",
		"NUMBER(VMALLOC_START)", "", "(", "SYMBOL()", "SYMBOL(",
	};
	const char *text = (const char *)data, *p, *end = text + size;
	struct vmcoreinfo *vi = NULL;
	struct kd_err err = { 0 };
	unsigned keys = 0;
	uint64_t u;
	int64_t s;
	size_t len;
	int r;

	r = vmcoreinfo_parse(text, size, &vi, &err);
	if (r < 0) {
		fz_check(!vi && err.msg[0], T, "a failed parse says why and returns nothing");
		return 0;
	}
	fz_check(vmcoreinfo_text(vi, &len) != NULL && len == size, T, "the text is kept whole");
	fz_check(memcmp(vmcoreinfo_text(vi, NULL), data, size) == 0, T, "the text is kept as is");
	for (size_t i = 0; i < KD_ARRAY_SIZE(fixed); i++)
		lookup(vi, fixed[i]);
	(void)vmcoreinfo_kerneloffset(vi, &u);
	(void)vmcoreinfo_crashtime(vi, &s);
	(void)vmcoreinfo_pagesize(vi, &u);
	/* Every key of the text, as the readers would ask for it (the first 256 lines). */
	for (p = text; p < end && keys < 256; keys++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eq;
		char key[256];

		if (!nl)
			nl = end;
		eq = memchr(p, '=', (size_t)(nl - p));
		if (eq && eq > p && (size_t)(eq - p) < sizeof(key) && !memchr(p, 0, (size_t)(nl - p))) {
			memcpy(key, p, (size_t)(eq - p));
			key[eq - p] = '\0';
			fz_check(vmcoreinfo_get(vi, key) != NULL, T, "every KEY= line is found");
			lookup(vi, key);
		}
		p = nl + 1;
	}
	vmcoreinfo_destroy(vi);
	return 0;
}
