// SPDX-License-Identifier: GPL-2.0-or-later
/* The capture as the init runs it: the settings' level and compressor, to a file or an fd. */
#include "kdump/dump/dump.h"
#include "kdump/init/init.h"
#include "vmcore/vmcore.h"

#include <inttypes.h>

/* The capture's peak resident set (init runs it in-process, so init's VmHWM) and the capture
 * kernel's memory, for sizing crashkernel=. */
static void log_memory_use(void)
{
	static const char *const keys[] = { "VmHWM:", "MemTotal:", "MemFree:" };
	static const char *const files[] = { "/proc/self/status", "/proc/meminfo",
					     "/proc/meminfo" };
	unsigned long kib[3] = { 0 };

	for (size_t i = 0; i < KD_ARRAY_SIZE(keys); i++) {
		_cleanup_free_ char *buf = NULL;
		struct kd_err e = { 0 };
		const char *p;

		if (kd_read_file_at(NULL, files[i], 64 << 10, &buf, NULL, &e) < 0)
			continue;
		p = strstr(buf, keys[i]);
		if (p)
			kib[i] = strtoul(p + strlen(keys[i]), NULL, 10);
	}
	kd_info("memory: capture peak RSS %lu kB, MemTotal %lu kB, MemFree %lu kB", kib[0],
		kib[1], kib[2]);
}

/* The settings' compressor (conf_init_parse accepts only conf's names). */
static int compressor(const struct conf_init *c, const struct vmcore_compressor **ret,
		      struct kd_err *err)
{
	const char *name = conf_compress_name(c->compress);

	*ret = NULL;
	if (c->compress == CONF_COMPRESS_NONE)
		return 0;
	*ret = vmcore_compressor_find(name);
	if (!*ret)
		return kd_err_set(err, -ENOTSUP, "compress=%s: this kdump was built without %s",
				  name, name);
	return 0;
}

/* Appends text to the message in err (cut at its size). */
static void err_append(struct kd_err *err, const char *text)
{
	size_t n = strlen(err->msg);

	snprintf(err->msg + n, sizeof(err->msg) - n, "%s", text);
}

int kd_init_capture(const struct conf_init *c, const char *vmcore, const char *output,
		    int flat_fd, struct kd_err *err)
{
	struct kd_capture_args a = {
		.input = vmcore,
		.output = output,
		.flat_fd = flat_fd,
		.opts = { .level = c->level, .format = VMCORE_OUT_KDUMP, .flatten = flat_fd >= 0 },
		.no_manifest = true,
	};
	struct kd_capture_progress prog = { 0 };
	struct kd_capture_result res;
	int r;

	r = compressor(c, &a.opts.comp, err);
	if (r < 0)
		return r;
	if (isatty(STDERR_FILENO)) {
		a.opts.progress = kd_capture_progress;
		a.opts.progress_data = &prog;
	}
	r = kd_capture(&a, &res, err);
	kd_capture_print_report(&a, &res, &prog, false);
	log_memory_use();
	if (r < 0 && err) {
		char note[300];

		if (res.incomplete)
			snprintf(note, sizeof(note), " (%s is INCOMPLETE, marked so in its header: "
				 "%" PRIu64 " pages written)", output, res.report.pages_written);
		else if (res.removed)
			snprintf(note, sizeof(note), " (%s removed: it held no usable dump)",
				 output);
		else
			note[0] = '\0';
		err_append(err, note);
	}
	return r;
}
