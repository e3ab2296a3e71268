// SPDX-License-Identifier: GPL-2.0-or-later
/* What every target shares: the uptime in log lines, the dump directory's name, read-back. */
#include "kdump/init/init.h"
#include "kdump/dump/dump.h"

#include <fcntl.h>
#include <time.h>

double kd_init_uptime(void)
{
	char buf[64] = "";
	int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	return strtod(buf, NULL);
}

void kd_init_dump_name(const struct conf_init *c, char *buf, size_t len)
{
	char host[65] = "";

	if (c->hostname[0])
		snprintf(host, sizeof(host), "%s", c->hostname);
	else if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	kd_dump_dir_name(host, time(NULL), buf, len);
}

bool kd_init_want_verify(const struct conf_init *c, bool remote)
{
	return c->verify == CONF_VERIFY_YES || (c->verify == CONF_VERIFY_AUTO && remote);
}
