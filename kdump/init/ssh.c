// SPDX-License-Identifier: GPL-2.0-or-later
/* OpenSSH's client for the ssh target: its argv, the remote commands, the pipe into ssh. */
#include "kdump/init/init.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

char *kd_shell_quote(const char *s)
{
	size_t n = 3;
	char *q, *p;

	for (const char *c = s; *c; c++)
		n += *c == '\'' ? 4 : 1;
	q = malloc(n);
	if (!q)
		return NULL;
	p = q;
	*p++ = '\'';
	for (const char *c = s; *c; c++) {
		if (*c == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *c;
		}
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

char **kd_ssh_argv(const struct kd_ssh_target *t, const char *remote_cmd)
{
	char port[16], timeout[48], khosts[4096 + 32], ctl[4096 + 32];
	const char *v[48];
	size_t n = 0, bytes = 0;
	char **argv, *p;

	snprintf(port, sizeof(port), "%u", t->port);
	snprintf(timeout, sizeof(timeout), "ConnectTimeout=%u",
		 t->connect_timeout ? t->connect_timeout : 30);
	snprintf(khosts, sizeof(khosts), "UserKnownHostsFile=%s", t->known_hosts);
	v[n++] = "ssh";
	v[n++] = "-F";	/* no ssh_config: every setting is here */
	v[n++] = "none";
	v[n++] = "-T";	/* no tty */
	v[n++] = "-x";
	v[n++] = "-a";
	v[n++] = "-o";
	v[n++] = "BatchMode=yes";
	v[n++] = "-o";
	v[n++] = "StrictHostKeyChecking=yes";
	v[n++] = "-o";
	v[n++] = khosts;
	v[n++] = "-o";
	v[n++] = "GlobalKnownHostsFile=/dev/null";
	v[n++] = "-o";
	v[n++] = "IdentitiesOnly=yes";
	v[n++] = "-o";
	v[n++] = "PasswordAuthentication=no";
	v[n++] = "-o";
	v[n++] = "KbdInteractiveAuthentication=no";
	v[n++] = "-o";
	v[n++] = "ClearAllForwardings=yes";
	v[n++] = "-o";
	v[n++] = timeout;
	v[n++] = "-o";
	v[n++] = "ServerAliveInterval=15";
	v[n++] = "-o";
	v[n++] = "ServerAliveCountMax=4";
	v[n++] = "-i";
	v[n++] = t->key;
	if (t->control_path) {
		snprintf(ctl, sizeof(ctl), "ControlPath=%s", t->control_path);
		v[n++] = "-o";
		v[n++] = "ControlMaster=auto";
		v[n++] = "-o";
		v[n++] = ctl;
		v[n++] = "-o";
		v[n++] = "ControlPersist=300";
	}
	if (t->port) {
		v[n++] = "-p";
		v[n++] = port;
	}
	v[n++] = "-l";
	v[n++] = t->user;
	v[n++] = "--";
	v[n++] = t->host;
	v[n++] = remote_cmd;
	for (size_t i = 0; i < n; i++)
		bytes += strlen(v[i]) + 1;
	argv = malloc((n + 1) * sizeof(char *) + bytes);
	if (!argv)
		return NULL;
	p = (char *)(argv + n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;
		memcpy(p, v[i], l);
		argv[i] = p;
		p += l;
	}
	argv[n] = NULL;
	return argv;
}

char *kd_ssh_cmd_begin(const char *dir)
{
	_cleanup_free_ char *d = kd_shell_quote(dir);

	if (!d)
		return NULL;
	return kd_asprintf("umask 077 && mkdir -p -- %s && : > %s/.incomplete && "
			   "cat > %s/vmcore.flat.part", d, d, d);
}

char *kd_ssh_cmd_file(const char *dir, const char *name)
{
	_cleanup_free_ char *path = kd_asprintf("%s/%s", dir, name);
	_cleanup_free_ char *q = path ? kd_shell_quote(path) : NULL;

	if (!q)
		return NULL;
	return kd_asprintf("umask 077 && cat > %s", q);
}

char *kd_ssh_cmd_finish(const char *dir)
{
	_cleanup_free_ char *d = kd_shell_quote(dir);

	if (!d)
		return NULL;
	return kd_asprintf("mv -f -- %s/vmcore.flat.part %s/vmcore.flat && rm -f -- %s/.incomplete",
			   d, d, d);
}

char *kd_ssh_cmd_check(const char *dir, const char *sha256)
{
	_cleanup_free_ char *d = NULL;

	if (strlen(sha256) != 64 || strspn(sha256, "0123456789abcdef") != 64)
		return NULL;
	d = kd_shell_quote(dir);
	if (!d)
		return NULL;
	/* the digest is hex only: nothing in the line needs quoting */
	return kd_asprintf("cd -- %s && echo '%s  vmcore.flat.part' | sha256sum -c -", d, sha256);
}

int kd_ssh_run(const struct kd_ssh_target *t, const char *remote_cmd,
	       int (*feed)(int fd, void *ctx), void *ctx, struct kd_err *err)
{
	_cleanup_free_ char **argv = kd_ssh_argv(t, remote_cmd);
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int p[2], status = 0, fr = 0;
	pid_t pid;

	if (!argv)
		return kd_err_set(err, -ENOMEM, "out of memory");
	if (pipe2(p, O_CLOEXEC) < 0)
		return kd_err_sys(err, -errno, "pipe failed");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int e = -errno;
		close(p[0]);
		close(p[1]);
		return kd_err_sys(err, e, "fork failed");
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(p[0], 0) < 0)
			_exit(127);
		execv(t->ssh, argv);
		fprintf(stderr, "cannot run %s: %s\n", t->ssh, strerror(errno));
		_exit(127);
	}
	close(p[0]);
	/* A dead ssh must make our writes fail with EPIPE, not kill us. */
	sigaction(SIGPIPE, &ign, &old);
	if (feed)
		fr = feed(p[1], ctx);
	close(p[1]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			sigaction(SIGPIPE, &old, NULL);
			return kd_err_sys(err, -errno, "waitpid for ssh failed");
		}
	}
	sigaction(SIGPIPE, &old, NULL);
	if (WIFSIGNALED(status))
		return kd_err_set(err, -EIO, "ssh to %s was killed by signal %d", t->host,
				  WTERMSIG(status));
	if (WEXITSTATUS(status) == 127)
		return kd_err_set(err, -ENOENT, "cannot run %s", t->ssh);
	if (WEXITSTATUS(status) == 255)
		return kd_err_set(err, -EHOSTUNREACH, "ssh %s@%s failed (exit 255: connection, "
				  "host key or authentication; ssh's message is above)", t->user,
				  t->host);
	if (WEXITSTATUS(status) != 0)
		return kd_err_set(err, -EIO, "the remote command on %s exited %d", t->host,
				  WEXITSTATUS(status));
	if (fr < 0)
		return kd_err_set(err, fr, "the data sent to %s is incomplete", t->host);
	return 0;
}
