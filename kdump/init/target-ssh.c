// SPDX-License-Identifier: GPL-2.0-or-later
/* The ssh target: the flattened dump, its manifest and the extras streamed into ssh. */
#include "kdump/dump/dump.h"
#include "kdump/init/init.h"

#include <inttypes.h>

struct capture_feed {
	const struct conf_init *c;
	const char *vmcore;
	const char *name;	/* where the stream goes, for messages */
	struct kd_err err;	/* the capture's own error (ssh's comes from kd_ssh_run) */
};

static int feed_capture(int fd, void *ctx)
{
	struct capture_feed *f = ctx;

	return kd_init_capture(f->c, f->vmcore, f->name, fd, &f->err);
}

struct hashed_feed {
	struct capture_feed *f;
	struct kd_manifest *m;
};

/* The capture through the hashing relay into ssh's standard input. */
static int feed_capture_hashed(int fd, void *ctx)
{
	struct hashed_feed *h = ctx;

	return kd_manifest_relay(fd, feed_capture, h->f, "vmcore.flat", h->m, &h->f->err);
}

struct text_feed {
	const char *text;
	size_t len;
};

static int feed_text(int fd, void *ctx)
{
	struct text_feed *t = ctx;

	return kd_write_all(fd, t->text, t->len);
}

struct extra_feed {
	const struct kd_extra *x;
	const char *vmcore;
	struct kd_err err;
};

static int feed_extra(int fd, void *ctx)
{
	struct extra_feed *f = ctx;

	return kd_extra_write(f->x, f->vmcore, fd, &f->err);
}

/*
 * A stream that failed: what the capture said comes first (it is what went wrong, unless ssh
 * went away under it), then what ssh said.
 */
static int stream_failed(struct kd_err *err, const struct capture_feed *f, int r)
{
	char ssh[sizeof(err->msg)];

	if (!f->err.code || !err)
		return r;
	snprintf(ssh, sizeof(ssh), "%s", err->msg);
	return kd_err_set(err, f->err.code, "%s (ssh: %s)", f->err.msg, ssh);
}

/* The flattened dump piped into ssh, then the log and the summary, then the rename. */
int kd_init_target_ssh(const struct conf_init *c, const char *vmcore, struct kd_err *err)
{
	struct kd_ssh_target t = { .ssh = CONF_INIT_SSH_BIN, .user = c->ssh_user,
				   .host = c->ssh_host, .port = c->ssh_port, .key = CONF_INIT_SSH_KEY,
				   .known_hosts = CONF_INIT_KNOWN_HOSTS,
				   .control_path = "/tmp/kdump-ssh.sock" };
	struct capture_feed f = { c, vmcore, NULL, { 0 } };
	_cleanup_free_ char *dir = NULL, *cmd = NULL, *name = NULL;
	bool verify = kd_init_want_verify(c, true);
	struct kd_manifest m = { 0 };
	char dname[128], sha[65] = "";
	int r;

	kd_init_dump_name(c, dname, sizeof(dname));
	dir = kd_asprintf("%s/%s", strcmp(c->path, "/") == 0 ? "" : c->path, dname);
	cmd = dir ? kd_ssh_cmd_begin(dir) : NULL;
	name = dir ? kd_asprintf("%s@%s:%s/vmcore.flat", c->ssh_user, c->ssh_host, dir) : NULL;
	if (!cmd || !name)
		return kd_err_set(err, -ENOMEM, "out of memory");
	f.name = name;
	/* Connect (host key, authentication) before capturing: one connection for all. */
	r = kd_ssh_run(&t, "true", NULL, NULL, err);
	if (r < 0)
		return r;
	kd_info("ssh connected to %s (uptime %.2f)", c->ssh_host, kd_init_uptime());
	kd_info("writing to %s", name);
	if (verify) {
		struct hashed_feed hf = { &f, &m };
		_cleanup_free_ char *text = NULL, *mc = kd_ssh_cmd_file(dir, "vmcore.flat.sha256");
		struct text_feed tf;

		r = kd_ssh_run(&t, cmd, feed_capture_hashed, &hf, err);
		if (r < 0) {
			kd_manifest_deinit(&m); /* set if ssh failed after the relay finished */
			return stream_failed(err, &f, r);
		}
		kd_manifest_hex(m.sha256, sha);
		kd_info("dump sent: %" PRIu64 " bytes, sha256 %s (uptime %.2f)", m.size, sha,
			kd_init_uptime());
		r = kd_manifest_format(&m, &text, &tf.len);
		kd_manifest_deinit(&m);
		if (r < 0 || !mc)
			return kd_err_set(err, -ENOMEM, "out of memory");
		tf.text = text;
		r = kd_ssh_run(&t, mc, feed_text, &tf, err);
		if (r < 0) {
			kd_err_prefix(err, "vmcore.flat.sha256");
			return r;
		}
	} else {
		r = kd_ssh_run(&t, cmd, feed_capture, &f, err);
		if (r < 0)
			return stream_failed(err, &f, r);
		kd_info("dump sent (uptime %.2f)", kd_init_uptime());
	}
	for (size_t i = 0; i < KD_NR_EXTRAS; i++) {
		struct extra_feed xf = { &kd_extras[i], vmcore, { 0 } };
		_cleanup_free_ char *fc = kd_ssh_cmd_file(dir, kd_extras[i].file);
		struct kd_err e2 = { 0 };

		if (fc && kd_ssh_run(&t, fc, feed_extra, &xf, &e2) == 0)
			continue;
		if (xf.err.code)
			kd_warn("%s", xf.err.msg);
		else
			kd_warn("%s not written: %s", kd_extras[i].file,
				fc ? e2.msg : "out of memory");
	}
	if (verify) {
		/* The server hashes what it stored; only a match is renamed to vmcore.flat. */
		free(cmd);
		cmd = kd_ssh_cmd_check(dir, sha);
		if (!cmd)
			return kd_err_set(err, -ENOMEM, "out of memory");
		r = kd_ssh_run(&t, cmd, NULL, NULL, err);
		if (r == -EIO)
			return kd_err_set(err, -EBADMSG, "verify after writing: %s@%s:%s/"
					  "vmcore.flat.part differs from the stream sent (sha256 %s; "
					  "sha256sum's message is above); kept with .incomplete: "
					  "`kdump verify -m vmcore.flat.sha256 vmcore.flat.part` "
					  "there names the first bad block", c->ssh_user, c->ssh_host,
					  dir, sha);
		if (r < 0) {
			kd_err_prefix(err, "verify after writing");
			return r;
		}
		kd_info("verified: the server's vmcore.flat.part matches the stream sent (uptime "
			"%.2f)", kd_init_uptime());
	}
	free(cmd);
	cmd = kd_ssh_cmd_finish(dir);
	if (!cmd)
		return kd_err_set(err, -ENOMEM, "out of memory");
	r = kd_ssh_run(&t, cmd, NULL, NULL, err);
	if (r < 0)
		return r;
	kd_info("dump complete (uptime %.2f)", kd_init_uptime());
	return 0;
}
