// SPDX-License-Identifier: GPL-2.0-or-later
/* The capture initramfs's stamp: what the image was built from, one input a line. */
#include "conf/conf.h"
#include "kdump/service/service.h"
#include "kdump/sys/sys.h"

#include <inttypes.h>
#include <sys/stat.h>

#define STAMP_MAX_CONFIG (1u << 20)

static uint64_t fnv1a(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* "what PATH SIZE MTIME" or "what PATH missing". */
static void stamp_file(struct kd_strbuf *b, const char *what, const char *path)
{
	struct stat st;

	if (!path || stat(path, &st) < 0)
		kd_strbuf_appendf(b, "%s %s missing\n", what, path ? path : "-");
	else
		kd_strbuf_appendf(b, "%s %s %lld %lld.%09ld\n", what, path, (long long)st.st_size,
				  (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

/* "what PATH HASH" or "what PATH missing". */
static void stamp_content(struct kd_strbuf *b, const char *what, const char *path,
			  const char *text, size_t len)
{
	if (!text)
		kd_strbuf_appendf(b, "%s %s missing\n", what, path);
	else
		kd_strbuf_appendf(b, "%s %s %016" PRIx64 "\n", what, path, fnv1a(text, len));
}

char *kd_stamp_text(const struct kd_host *h, const char *config, const char *release,
		    const char *kernel, const char *kdump_bin, const char *const *modules,
		    size_t n_modules)
{
	struct kd_strbuf b = { 0 };
	_cleanup_free_ char *moddep = NULL, *conf = NULL;
	size_t conf_len = 0;

	if (!config)
		config = CONF_DEFAULT_FILE;
	kd_strbuf_appendf(&b, "# inputs of the kdump capture initramfs (kdump start)\nrelease %s\n",
			  release);
	moddep = kd_asprintf("%s/lib/modules/%s/modules.dep", h->real_root ? "" : h->root,
			     release);
	stamp_file(&b, "kernel", kernel);
	stamp_file(&b, "kdump", kdump_bin);
	stamp_file(&b, "modules.dep", moddep);
	if (kd_read_file_at(h->root, config, STAMP_MAX_CONFIG, &conf, &conf_len, NULL) < 0)
		conf = NULL;
	stamp_content(&b, "config", config, conf, conf_len);
	stamp_content(&b, "hostname", "/etc/hostname", h->etc_hostname, h->etc_hostname_len);
	stamp_content(&b, "mounts", "/proc/mounts", h->mounts, h->mounts_len);
	for (size_t i = 0; i < n_modules; i++)
		kd_strbuf_appendf(&b, "module %s\n", modules[i]);
	return kd_strbuf_take(&b);
}
