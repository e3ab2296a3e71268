// SPDX-License-Identifier: GPL-2.0-or-later
/* Reassembly of makedumpfile's flattened stream (-F) into the dump file it describes. */
#include "vmcore/internal.h"

#include <inttypes.h>

#define FLAT_HEADER 4096u
/* A record may not place data beyond this offset (a 1 PiB dump file). */
#define FLAT_MAX_OFFSET (1ULL << 50)

static int read_full(int fd, const char *name, void *buf, size_t len, uint64_t pos,
		     const char *what, struct kd_err *err)
{
	ssize_t n = kd_read_all(fd, buf, len);

	if (n == (ssize_t)len)
		return 0;
	if (n < 0)
		return kd_err_sys(err, (int)n, "%s: cannot read the %s at stream byte %" PRIu64, name,
				  what, pos);
	return kd_err_set(err, -EBADMSG, "%s: the stream ends inside the %s at byte %" PRIu64
			  " (%zd of %zu bytes): truncated flattened dump", name, what, pos, n, len);
}

int vmcore_reassemble(int in_fd, const char *in_name, int out_fd, const char *out_name,
		      uint64_t *ret_size, struct kd_err *err)
{
	const size_t chunk = 1u << 20;
	_cleanup_free_ uint8_t *buf = malloc(chunk);
	uint8_t h[FLAT_HEADER], rec[16];
	uint64_t pos = 0, size = 0, nrec = 0;
	int r;

	if (!buf)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = read_full(in_fd, in_name, h, sizeof(h), pos, "flattened header", err);
	if (r < 0)
		return r;
	if (memcmp(h, "makedumpfile\0\0\0\0", 16) != 0)
		return kd_err_set(err, -EMEDIUMTYPE, "%s: no \"makedumpfile\" signature at offset 0: "
				  "not a flattened dump", in_name);
	if (kd_be64(h + 16) != 1)
		return kd_err_set(err, -EMEDIUMTYPE, "%s: flattened type %" PRIu64 " at offset 16 is "
				  "not 1", in_name, kd_be64(h + 16));
	pos = sizeof(h);
	for (;;) {
		int64_t off, len;
		uint64_t end;

		r = read_full(in_fd, in_name, rec, sizeof(rec), pos, "record header", err);
		if (r < 0)
			return r;
		off = (int64_t)kd_be64(rec);
		len = (int64_t)kd_be64(rec + 8);
		if (off == -1 && len == -1)
			break;
		if (off < 0 || len <= 0 || kd_add_overflow((uint64_t)off, (uint64_t)len, &end) ||
		    end > FLAT_MAX_OFFSET)
			return kd_err_set(err, -EBADMSG, "%s: record %" PRIu64 " at stream byte %"
					  PRIu64 " is invalid (offset %" PRId64 ", size %" PRId64 ")",
					  in_name, nrec, pos, off, len);
		pos += sizeof(rec);
		for (uint64_t done = 0; done < (uint64_t)len;) {
			size_t n = (size_t)KD_MIN((uint64_t)len - done, (uint64_t)chunk);

			r = read_full(in_fd, in_name, buf, n, pos, "record data", err);
			if (r < 0)
				return r;
			r = kd_pwrite_all(out_fd, buf, n, (uint64_t)off + done);
			if (r < 0)
				return kd_err_sys(err, r, "%s: cannot write %zu bytes at offset 0x%"
						  PRIx64, out_name, n, (uint64_t)off + done);
			done += n;
			pos += n;
		}
		size = KD_MAX(size, end);
		nrec++;
	}
	*ret_size = size;
	return 0;
}
