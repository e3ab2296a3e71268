// SPDX-License-Identifier: GPL-2.0-or-later
/* The compressor registry: none, zlib, lzo and (when built in) zstd, behind one ops table. */
#include "vmcore/vmcore.h"

#include <lzo/lzo1x.h>
#include <pthread.h>
#include <zlib.h>
#if KD_HAVE_ZSTD
#include <zstd.h>
#endif

/* ---- none ---- */

static size_t none_bound(size_t len)
{
	return len;
}

static void *none_create(void)
{
	/* No state; any non-NULL pointer will do. */
	static char dummy;
	return &dummy;
}

static int none_compress(void *ctx, const void *src, size_t len, void *dst, size_t cap,
			 size_t *ret_len)
{
	if (cap < len)
		return -ENOSPC;
	memcpy(dst, src, len);
	*ret_len = len;
	return 0;
}

static int none_decompress(const void *src, size_t len, void *dst, size_t cap, size_t *ret_len)
{
	return none_compress(NULL, src, len, dst, cap, ret_len);
}

static void none_destroy(void *ctx)
{
}

/* ---- zlib: deflate level 1, one stream reset per page (the bytes of compress2(..., 1)) ---- */

static size_t zlib_bound(size_t len)
{
	return compressBound((uLong)len);
}

static void *zlib_create(void)
{
	z_stream *z = kd_calloc(1, sizeof(*z));

	if (!z)
		return NULL;
	if (deflateInit(z, Z_BEST_SPEED) != Z_OK) {
		free(z);
		return NULL;
	}
	return z;
}

static int zlib_compress(void *ctx, const void *src, size_t len, void *dst, size_t cap,
			 size_t *ret_len)
{
	z_stream *z = ctx;
	int r;

	if (len > UINT32_MAX || cap > UINT32_MAX)
		return -EINVAL;
	z->next_in = (Bytef *)src;
	z->avail_in = (uInt)len;
	z->next_out = dst;
	z->avail_out = (uInt)cap;
	r = deflate(z, Z_FINISH);
	*ret_len = cap - z->avail_out;
	deflateReset(z);
	return r == Z_STREAM_END ? 0 : -ENOSPC;
}

static int zlib_decompress(const void *src, size_t len, void *dst, size_t cap, size_t *ret_len)
{
	uLongf out = (uLongf)cap;

	if (uncompress(dst, &out, src, (uLong)len) != Z_OK)
		return -EBADMSG;
	*ret_len = out;
	return 0;
}

static void zlib_destroy(void *ctx)
{
	if (ctx)
		deflateEnd(ctx);
	free(ctx);
}

/* ---- lzo: lzo1x_1 with its work memory ---- */

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static bool lzo_ok;

static void lzo_setup(void)
{
	lzo_ok = lzo_init() == LZO_E_OK;
}

static size_t lzo_bound(size_t len)
{
	return len + len / 16 + 64 + 3;
}

static void *lzo_create(void)
{
	pthread_once(&lzo_once, lzo_setup);
	if (!lzo_ok)
		return NULL;
	return malloc(LZO1X_1_MEM_COMPRESS);
}

static int lzo_compress(void *ctx, const void *src, size_t len, void *dst, size_t cap,
			size_t *ret_len)
{
	lzo_uint out = 0;

	if (cap < lzo_bound(len))
		return -ENOSPC;
	if (lzo1x_1_compress(src, len, dst, &out, ctx) != LZO_E_OK)
		return -EIO;
	*ret_len = out;
	return 0;
}

static int lzo_decompress(const void *src, size_t len, void *dst, size_t cap, size_t *ret_len)
{
	lzo_uint out = cap;

	pthread_once(&lzo_once, lzo_setup);
	if (!lzo_ok)
		return -EIO;
	if (lzo1x_decompress_safe(src, len, dst, &out, NULL) != LZO_E_OK)
		return -EBADMSG;
	*ret_len = out;
	return 0;
}

static void lzo_destroy(void *ctx)
{
	free(ctx);
}

/* ---- the registry (the one place that knows which libraries are built in) ---- */

static const struct vmcore_compressor comp_none = {
	.name = "none", .flag = 0, .bound = none_bound, .create = none_create,
	.compress = none_compress, .decompress = none_decompress, .destroy = none_destroy,
};
static const struct vmcore_compressor comp_zlib = {
	.name = "zlib", .flag = VMCORE_DUMP_ZLIB, .bound = zlib_bound, .create = zlib_create,
	.compress = zlib_compress, .decompress = zlib_decompress, .destroy = zlib_destroy,
};
static const struct vmcore_compressor comp_lzo = {
	.name = "lzo", .flag = VMCORE_DUMP_LZO, .bound = lzo_bound, .create = lzo_create,
	.compress = lzo_compress, .decompress = lzo_decompress, .destroy = lzo_destroy,
};

#if KD_HAVE_ZSTD
static size_t zstd_bound(size_t len)
{
	return ZSTD_compressBound(len);
}

static void *zstd_create(void)
{
	return ZSTD_createCCtx();
}

static int zstd_compress(void *ctx, const void *src, size_t len, void *dst, size_t cap,
			 size_t *ret_len)
{
	size_t n = ZSTD_compressCCtx(ctx, dst, cap, src, len, 1);

	if (ZSTD_isError(n))
		return -EIO;
	*ret_len = n;
	return 0;
}

static int zstd_decompress(const void *src, size_t len, void *dst, size_t cap, size_t *ret_len)
{
	size_t n = ZSTD_decompress(dst, cap, src, len);

	if (ZSTD_isError(n))
		return -EBADMSG;
	*ret_len = n;
	return 0;
}

static void zstd_destroy(void *ctx)
{
	ZSTD_freeCCtx(ctx);
}

static const struct vmcore_compressor comp_zstd = {
	.name = "zstd", .flag = VMCORE_DUMP_ZSTD, .bound = zstd_bound, .create = zstd_create,
	.compress = zstd_compress, .decompress = zstd_decompress, .destroy = zstd_destroy,
};
#endif

static const struct vmcore_compressor *const registry[] = {
	&comp_none,
	&comp_zlib,
	&comp_lzo,
#if KD_HAVE_ZSTD
	&comp_zstd,
#endif
};

const struct vmcore_compressor *const *vmcore_compressor_list(size_t *ret_n)
{
	*ret_n = KD_ARRAY_SIZE(registry);
	return registry;
}

const struct vmcore_compressor *vmcore_compressor_find(const char *name)
{
	for (size_t i = 0; i < KD_ARRAY_SIZE(registry); i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

const struct vmcore_compressor *vmcore_compressor_by_flag(uint32_t flag)
{
	for (size_t i = 0; i < KD_ARRAY_SIZE(registry); i++)
		if (registry[i]->flag == flag)
			return registry[i];
	return NULL;
}

void vmcore_compress_page(const struct vmcore_compressor *c, void *ctx, const void *src,
			  size_t len, void *dst, size_t cap, size_t *ret_len, uint32_t *ret_flag)
{
	size_t n = 0;

	if (c->flag && c->compress(ctx, src, len, dst, cap, &n) == 0 && n < len) {
		*ret_len = n;
		*ret_flag = c->flag;
		return;
	}
	memcpy(dst, src, len);
	*ret_len = len;
	*ret_flag = 0;
}

int vmcore_decompress_page(uint32_t flag, const void *src, size_t len, void *dst,
			   size_t page_size)
{
	const struct vmcore_compressor *c;
	size_t n = 0;
	int r;

	if (flag == 0) {
		if (len != page_size)
			return -EBADMSG;
		memcpy(dst, src, len);
		return 0;
	}
	c = vmcore_compressor_by_flag(flag);
	if (!c)
		return (flag & ~(uint32_t)VMCORE_DUMP_COMPRESS_MASK) || (flag & (flag - 1)) ?
			       -EBADMSG : -EOPNOTSUPP;
	r = c->decompress(src, len, dst, page_size, &n);
	if (r < 0)
		return r;
	return n == page_size ? 0 : -EBADMSG;
}
