// SPDX-License-Identifier: GPL-2.0-or-later
/* A flattened stream (capture -F, makedumpfile -F) turned back into its dump file. */
#include "kdump/dump/dump.h"
#include "vmcore/vmcore.h"

#include <fcntl.h>

/* Flags a partial dump incomplete in its own header, if its format has room for that. */
static bool mark_incomplete(int fd)
{
	uint8_t h[64];

	if (kd_pread_all(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return false;
	if (memcmp(h, "KDUMP   ", 8) == 0) {
		uint8_t s[4];
		if (kd_pread_all(fd, s, 4, 424) != 4)
			return false;
		kd_put_le32(s, kd_le32(s) | VMCORE_DUMP_INCOMPLETE);
		return kd_pwrite_all(fd, s, 4, 424) == 0;
	}
	if (memcmp(h, "\177ELF", 4) == 0) {
		kd_put_le32(h + 48, kd_le32(h + 48) | 1);
		return kd_pwrite_all(fd, h + 48, 4, 48) == 0;
	}
	return false;
}

int kd_reassemble(const struct kd_reassemble_args *a, struct kd_reassemble_result *res,
		  struct kd_err *err)
{
	bool from_stdin = strcmp(a->input, "-") == 0;
	_cleanup_close_ int in_fd = -1, fd = -1;
	struct vmcore *vc;
	uint64_t size;
	int r;

	memset(res, 0, sizeof(*res));
	if (!from_stdin) {
		in_fd = open(a->input, O_RDONLY | O_CLOEXEC);
		if (in_fd < 0)
			return kd_err_sys(err, -errno, "cannot open %s", a->input);
	}
	fd = open(a->output, O_RDWR | O_CREAT | O_CLOEXEC | (a->force ? O_TRUNC : O_EXCL), 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return kd_err_set(err, -EEXIST, "%s already exists; remove it or pass -f "
					  "to overwrite it", a->output);
		return kd_err_sys(err, -errno, "cannot create %s", a->output);
	}
	r = vmcore_reassemble(from_stdin ? STDIN_FILENO : in_fd,
			      from_stdin ? "standard input" : a->input, fd, a->output, &size, err);
	if (r < 0) {
		/* A stream cut short still makes a dump: the part that came, marked so. */
		res->incomplete = r == -EBADMSG && err && strstr(err->msg, "truncated") &&
				  mark_incomplete(fd);
		close(KD_TAKE_FD(fd));
		if (!res->incomplete && unlink(a->output) == 0)
			res->removed = true;
		return r;
	}
	if (fsync(fd) < 0 && errno != EINVAL)
		return kd_err_sys(err, -errno, "%s: cannot flush to disk", a->output);
	close(KD_TAKE_FD(fd));
	r = vmcore_open(a->output, &vc, err);
	if (r < 0) {
		kd_err_prefix(err, "the reassembled file is not a readable dump");
		return r;
	}
	res->format = vmcore_format(vc);
	res->size = size;
	res->incomplete = vmcore_dumpinfo(vc)->incomplete;
	vmcore_close(vc);
	return 0;
}
