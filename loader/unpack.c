// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unpacking a bzImage: its compressed payload decompressed here, at load time, into the
 * memory image of the vmlinux it holds, so that the capture kernel starts at startup_64
 * without decompressing itself (seconds under emulation, and less reserved memory).
 */
#include "loader/loader.h"

#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <lzma.h>
#include <zlib.h>
#if KD_HAVE_ZSTD
#include <zstd.h>
#include <zstd_errors.h>
#endif

/* Caps on what a payload may claim: every size here comes from the file. */
#define UNPACK_MAX_VMLINUX (512ull << 20)
#define UNPACK_MAX_IMAGE (1ull << 30)
#define UNPACK_MAX_LOADS 16
#define UNPACK_PAGE 4096ull
#define UNPACK_PMD (2ull << 20)

static int inflate_gzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len,
			size_t *ret_out, const char *name, struct kd_err *err)
{
	z_stream s = { .next_in = (Bytef *)in, .avail_in = (uInt)in_len,
		       .next_out = out, .avail_out = (uInt)out_len };
	int zr;

	if (in_len > UINT32_MAX || out_len > UINT32_MAX)
		return kd_err_set(err, -E2BIG, "%s: gzip payload too large", name);
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return kd_err_set(err, -ENOMEM, "%s: cannot start the gzip decoder", name);
	zr = inflate(&s, Z_FINISH);
	*ret_out = s.total_out;
	inflateEnd(&s);
	if (zr == Z_MEM_ERROR)
		return kd_err_set(err, -ENOMEM, "%s: out of memory decompressing the gzip payload",
				  name);
	if (zr != Z_STREAM_END)
		return kd_err_set(err, -EBADMSG,
				  "%s: gzip payload is corrupt or larger than its size trailer "
				  "(zlib: %s, after %lu input bytes)",
				  name, s.msg ? s.msg : zError(zr), s.total_in);
	return 0;
}

static int inflate_xz(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len,
		      size_t *ret_out, const char *name, struct kd_err *err)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret lr;

	/* The kernel's xz payloads use at most a 32 MiB dictionary; allow some slack. */
	if (lzma_stream_decoder(&s, 256ull << 20, 0) != LZMA_OK)
		return kd_err_set(err, -ENOMEM, "%s: cannot start the xz decoder", name);
	s.next_in = in;
	s.avail_in = in_len;
	s.next_out = out;
	s.avail_out = out_len;
	lr = lzma_code(&s, LZMA_FINISH);
	*ret_out = (size_t)s.total_out;
	if (lr == LZMA_MEM_ERROR) {
		lzma_end(&s);
		return kd_err_set(err, -ENOMEM, "%s: out of memory decompressing the xz payload",
				  name);
	}
	if (lr != LZMA_STREAM_END) {
		int rc = kd_err_set(err, -EBADMSG,
				    "%s: xz payload is corrupt or larger than its size trailer (liblzma "
				    "error %d after %" PRIu64 " input bytes)",
				    name, (int)lr, (uint64_t)s.total_in);
		lzma_end(&s);
		return rc;
	}
	lzma_end(&s);
	return 0;
}

#if KD_HAVE_ZSTD
static int inflate_zstd(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len,
			size_t *ret_out, const char *name, struct kd_err *err)
{
	size_t frame = ZSTD_findFrameCompressedSize(in, in_len), n;

	if (ZSTD_isError(frame))
		return kd_err_set(err, -EBADMSG, "%s: zstd payload is corrupt (%s)", name,
				  ZSTD_getErrorName(frame));
	n = ZSTD_decompress(out, out_len, in, frame);
	if (ZSTD_isError(n) && ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation)
		return kd_err_set(err, -ENOMEM, "%s: out of memory decompressing the zstd payload",
				  name);
	if (ZSTD_isError(n))
		return kd_err_set(err, -EBADMSG,
				  "%s: zstd payload is corrupt or larger than its size trailer (%s)",
				  name, ZSTD_getErrorName(n));
	*ret_out = n;
	return 0;
}
#endif

typedef int (*inflate_fn)(const uint8_t *, size_t, uint8_t *, size_t, size_t *, const char *,
			  struct kd_err *);

/* Names the payload's compressor from its magic; fn is NULL when we cannot unpack it. */
static const char *payload_format(const uint8_t *p, size_t n, inflate_fn *fn)
{
	static const struct {
		const char *name;
		uint8_t magic[6];
		size_t len;
		inflate_fn fn;
	} formats[] = {
		{ "gzip", { 0x1f, 0x8b }, 2, inflate_gzip },
		{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, inflate_xz },
#if KD_HAVE_ZSTD
		{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, inflate_zstd },
#else
		{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, NULL },
#endif
		{ "bzip2", { 'B', 'Z', 'h' }, 3, NULL },
		{ "lzma", { 0x5d, 0x00, 0x00 }, 3, NULL },
		{ "lzo", { 0x89, 'L', 'Z', 'O' }, 4, NULL },
		{ "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4, NULL },
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (n >= formats[i].len && !memcmp(p, formats[i].magic, formats[i].len)) {
			*fn = formats[i].fn;
			return formats[i].name;
		}
	*fn = NULL;
	return NULL;
}

/* Lays the vmlinux's PT_LOADs out by physical address into one zero-filled image. */
static int build_image(uint8_t *elf_data, size_t elf_len, const struct loader_bzimage *bz,
		       const char *name, struct loader_kernel_image *ki, struct kd_err *err)
{
	Elf *e;
	GElf_Ehdr eh;
	GElf_Phdr ph[UNPACK_MAX_LOADS];
	size_t phnum, n = 0;
	uint64_t lo = UINT64_MAX, hi = 0, last = 0;
	int rc = 0;

	elf_version(EV_CURRENT);
	e = elf_memory((char *)elf_data, elf_len);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
	    gelf_getclass(e) != ELFCLASS64 || eh.e_machine != EM_X86_64 || eh.e_type != ET_EXEC) {
		rc = kd_err_set(err, -ENOEXEC,
				"%s: the unpacked payload is not an x86_64 vmlinux (ELF64 EXEC): %s",
				name, elf_errmsg(-1) ? elf_errmsg(-1) : "wrong ELF header");
		goto out;
	}
	if (elf_getphdrnum(e, &phnum) < 0 || phnum > 64) {
		rc = kd_err_set(err, -ENOEXEC, "%s: vmlinux program headers unreadable", name);
		goto out;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr p;

		if (!gelf_getphdr(e, (int)i, &p)) {
			rc = kd_err_set(err, -ENOEXEC, "%s: vmlinux program header %zu unreadable",
					name, i);
			goto out;
		}
		if (p.p_type != PT_LOAD || p.p_memsz == 0)
			continue;
		if (n == UNPACK_MAX_LOADS || p.p_filesz > p.p_memsz || p.p_offset > elf_len ||
		    p.p_filesz > elf_len - p.p_offset || p.p_paddr < last ||
		    p.p_memsz > UNPACK_MAX_IMAGE || p.p_paddr > UINT64_MAX - p.p_memsz) {
			rc = kd_err_set(err, -ENOEXEC,
					"%s: vmlinux PT_LOAD %zu (paddr 0x%" PRIx64 ", file 0x%" PRIx64
					"+0x%" PRIx64 ", memsz 0x%" PRIx64 ") is out of order, overlaps, "
					"or lies outside the payload",
					name, i, (uint64_t)p.p_paddr, (uint64_t)p.p_offset,
					(uint64_t)p.p_filesz, (uint64_t)p.p_memsz);
			goto out;
		}
		last = p.p_paddr + p.p_memsz;
		lo = KD_MIN(lo, (uint64_t)p.p_paddr);
		hi = KD_MAX(hi, last);
		ph[n++] = p;
	}
	if (!n) {
		rc = kd_err_set(err, -ENOEXEC, "%s: vmlinux has no PT_LOAD", name);
		goto out;
	}
	if (lo % UNPACK_PMD || hi - lo > UNPACK_MAX_IMAGE || hi - lo > bz->init_size ||
	    eh.e_entry < lo || eh.e_entry >= hi) {
		rc = kd_err_set(err, -ENOEXEC,
				"%s: vmlinux image 0x%" PRIx64 "-0x%" PRIx64 " (entry 0x%" PRIx64
				") is not 2 MiB aligned, exceeds init_size 0x%x, or its entry is "
				"outside it",
				name, lo, hi, (uint64_t)eh.e_entry, bz->init_size);
		goto out;
	}
	ki->memsz = KD_ALIGN_UP(hi - lo, UNPACK_PAGE);
	ki->buf = kd_calloc(1, ki->memsz);
	if (!ki->buf) {
		rc = kd_err_set(err, -ENOMEM, "%s: out of memory for a %" PRIu64 " MiB kernel image",
				name, ki->memsz >> 20);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		memcpy(ki->buf + (ph[i].p_paddr - lo), elf_data + ph[i].p_offset, ph[i].p_filesz);
	/* Only the bytes up to the last non-zero page are passed (and hashed): the kernel
	 * zero-fills the rest of the segment itself. */
	ki->bufsz = (size_t)ki->memsz;
	while (ki->bufsz > UNPACK_PAGE) {
		const uint8_t *pg = ki->buf + ki->bufsz - UNPACK_PAGE;
		size_t k = 0;

		while (k < UNPACK_PAGE && !pg[k])
			k++;
		if (k < UNPACK_PAGE)
			break;
		ki->bufsz -= UNPACK_PAGE;
	}
	ki->entry_offset = eh.e_entry - lo;
	ki->n_loads = n;
out:
	if (e)
		elf_end(e);
	return rc;
}

int loader_bzimage_unpack(const struct loader_bzimage *bz, const char *name,
			  struct loader_kernel_image *ret, struct kd_err *err)
{
	struct loader_kernel_image ki = { .unpacked = true };
	_cleanup_free_ uint8_t *vmlinux = NULL;
	const uint8_t *p;
	uint32_t off, len, olen;
	size_t got = 0;
	inflate_fn fn;
	int rc;

	if (bz->version < 0x0208)
		return kd_err_set(err, -EOPNOTSUPP, "%s: boot protocol %u.%02u has no payload fields",
				  name, bz->version >> 8, bz->version & 0xff);
	off = kd_le32(bz->data + 0x248);
	len = kd_le32(bz->data + 0x24c);
	if (len == 0)
		return kd_err_set(err, -EOPNOTSUPP, "%s: no payload_length in the setup header", name);
	if (len < 16 || off > bz->size - bz->setup_size || len > bz->size - bz->setup_size - off)
		return kd_err_set(err, -ENOEXEC,
				  "%s: payload_offset 0x%x + payload_length 0x%x lie outside the "
				  "%zu-byte file",
				  name, off, len, bz->size);
	p = bz->data + bz->setup_size + off;
	ki.format = payload_format(p, len, &fn);
	if (!ki.format)
		return kd_err_set(err, -EOPNOTSUPP,
				  "%s: payload compression not recognised (magic %02x %02x %02x %02x)",
				  name, p[0], p[1], p[2], p[3]);
	if (!fn)
		return kd_err_set(err, -EOPNOTSUPP, "%s: %s payloads are not unpacked here", name,
				  ki.format);
	/* The kernel's build appends the decompressed size (le32) to every payload. */
	olen = kd_le32(p + len - 4);
	if (olen < 64 || olen > UNPACK_MAX_VMLINUX)
		return kd_err_set(err, -ENOEXEC,
				  "%s: the payload's size trailer says %u bytes; a vmlinux is 64 B-%llu "
				  "MiB",
				  name, olen, UNPACK_MAX_VMLINUX >> 20);
	vmlinux = kd_calloc(1, olen);
	if (!vmlinux)
		return kd_err_set(err, -ENOMEM, "%s: out of memory for %u bytes of vmlinux", name,
				  olen);
	rc = fn(p, len - 4, vmlinux, olen, &got, name, err);
	if (rc < 0)
		return rc;
	if (got != olen)
		return kd_err_set(err, -EBADMSG,
				  "%s: %s payload gave %zu bytes, its size trailer says %u", name,
				  ki.format, got, olen);
	rc = build_image(vmlinux, olen, bz, name, &ki, err);
	if (rc < 0) {
		free(ki.buf);
		return rc;
	}
	ki.payload_size = len;
	ki.vmlinux_size = olen;
	*ret = ki;
	return 0;
}

void loader_kernel_image_release(struct loader_kernel_image *ki)
{
	if (ki->unpacked)
		free(ki->buf);
	*ki = (struct loader_kernel_image){ 0 };
}
