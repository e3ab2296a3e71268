// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests of the networked targets: rtnetlink requests, the DT_NEEDED closure, ssh's argv and
 * remote commands (quoting run through a real shell), the pipe into ssh, NFS options. */
#include "testutil.h"
#include "conf/conf.h"
#include "kdump/dump/dump.h"
#include "kdump/init/init.h"
#include "kdump/initramfs/initramfs.h"
#include "kdump/sys/sys.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

static struct in_addr ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* Finds attribute type in the attributes after a fixed payload of plen bytes. */
static const struct rtattr *find_attr(const struct nlmsghdr *h, size_t plen, unsigned type)
{
	const struct rtattr *a = (const struct rtattr *)((const uint8_t *)NLMSG_DATA(h) +
							   NLMSG_ALIGN(plen));
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(NLMSG_ALIGN(plen));

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == type)
			return a;
	return NULL;
}

static void test_cidr(void **state)
{
	struct in_addr a;
	unsigned p;

	(void)state;
	assert_int_equal(kd_net_parse_cidr("192.168.77.2/24", &a, &p), 0);
	assert_int_equal(a.s_addr, ip4("192.168.77.2").s_addr);
	assert_int_equal(p, 24);
	assert_int_equal(kd_net_parse_cidr("10.0.0.1/32", &a, &p), 0);
	assert_int_equal(p, 32);
	static const char *const bad[] = { "10.0.0.1", "10.0.0.1/0", "10.0.0.1/33",
					   "10.0.0.256/24", "host/24", "10.0.0.1/24x", "/24",
					   "::1/64", "" };
	for (size_t i = 0; i < KD_ARRAY_SIZE(bad); i++)
		assert_int_equal(kd_net_parse_cidr(bad[i], &a, &p), -EINVAL);
}

static void test_netlink_messages(void **state)
{
	uint8_t buf[KD_NET_MSG_MAX];
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	const struct rtattr *at;
	int len;

	(void)state;
	/* link up */
	len = kd_nl_link_up(buf, sizeof(buf), 7, 3);
	assert_int_equal(len, NLMSG_LENGTH(sizeof(struct ifinfomsg)));
	assert_int_equal(h->nlmsg_len, len);
	assert_int_equal(h->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(h->nlmsg_seq, 7);
	{
		const struct ifinfomsg *ifi = NLMSG_DATA(h);
		assert_int_equal(ifi->ifi_index, 3);
		assert_int_equal(ifi->ifi_flags & IFF_UP, IFF_UP);
		assert_int_equal(ifi->ifi_change, IFF_UP);
	}
	/* address with its broadcast */
	len = kd_nl_add_addr(buf, sizeof(buf), 8, 3, ip4("192.168.77.2"), 24);
	assert_true(len > 0);
	assert_int_equal(h->nlmsg_len, len);
	assert_int_equal(h->nlmsg_type, RTM_NEWADDR);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	{
		const struct ifaddrmsg *ifa = NLMSG_DATA(h);
		assert_int_equal(ifa->ifa_family, AF_INET);
		assert_int_equal(ifa->ifa_prefixlen, 24);
		assert_int_equal(ifa->ifa_index, 3);
	}
	at = find_attr(h, sizeof(struct ifaddrmsg), IFA_LOCAL);
	assert_non_null(at);
	assert_int_equal(RTA_PAYLOAD(at), 4);
	assert_memory_equal(RTA_DATA(at), &(struct in_addr){ ip4("192.168.77.2").s_addr }, 4);
	at = find_attr(h, sizeof(struct ifaddrmsg), IFA_ADDRESS);
	assert_non_null(at);
	at = find_attr(h, sizeof(struct ifaddrmsg), IFA_BROADCAST);
	assert_non_null(at);
	assert_memory_equal(RTA_DATA(at), &(struct in_addr){ ip4("192.168.77.255").s_addr }, 4);
	assert_int_equal(len, NLMSG_LENGTH(sizeof(struct ifaddrmsg)) + 3 * RTA_SPACE(4));
	/* a /31 or /32 has no broadcast */
	len = kd_nl_add_addr(buf, sizeof(buf), 9, 3, ip4("10.1.2.3"), 32);
	assert_null(find_attr(h, sizeof(struct ifaddrmsg), IFA_BROADCAST));
	assert_int_equal(kd_nl_add_addr(buf, sizeof(buf), 9, 3, ip4("10.1.2.3"), 0), -EINVAL);
	assert_int_equal(kd_nl_add_addr(buf, sizeof(buf), 9, 3, ip4("10.1.2.3"), 33), -EINVAL);
	/* default route */
	len = kd_nl_add_default_route(buf, sizeof(buf), 10, 3, ip4("192.168.77.1"));
	assert_true(len > 0);
	assert_int_equal(h->nlmsg_type, RTM_NEWROUTE);
	{
		const struct rtmsg *rt = NLMSG_DATA(h);
		assert_int_equal(rt->rtm_family, AF_INET);
		assert_int_equal(rt->rtm_dst_len, 0);
		assert_int_equal(rt->rtm_table, RT_TABLE_MAIN);
		assert_int_equal(rt->rtm_type, RTN_UNICAST);
	}
	at = find_attr(h, sizeof(struct rtmsg), RTA_GATEWAY);
	assert_non_null(at);
	assert_memory_equal(RTA_DATA(at), &(struct in_addr){ ip4("192.168.77.1").s_addr }, 4);
	at = find_attr(h, sizeof(struct rtmsg), RTA_OIF);
	assert_non_null(at);
	assert_int_equal(*(const uint32_t *)RTA_DATA(at), 3);
	/* too small a buffer: refused, nothing written past it */
	for (size_t cap = 0; cap < 64; cap++) {
		assert_int_equal(kd_nl_link_up(buf, cap < 32 ? cap : 31, 1, 1), -ENOBUFS);
		int r = kd_nl_add_addr(buf, cap, 1, 1, ip4("10.0.0.1"), 8);
		assert_true(r == -ENOBUFS || (r > 0 && (size_t)r <= cap));
		r = kd_nl_add_default_route(buf, cap, 1, 1, ip4("10.0.0.1"));
		assert_true(r == -ENOBUFS || (r > 0 && (size_t)r <= cap));
	}
}

/* The messages applied by the kernel, in network and mount namespaces of our own (root only):
 * a tap device found by its MAC address, its address, the default route, then the route
 * lookup that `kdump initramfs --net-addr auto` does. */
static int netns_child(void)
{
	struct kd_net_config c = { .prefix = 24 }, rt;
	struct kd_err err = { 0 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	char iface[16] = "", line[256];
	FILE *f;
	int s, tun, found = 0;

	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		return 10;
	/* sysfs shows the network namespace of whoever mounts it */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
		return 10;
	tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "kdt0");
	if (tun < 0 || ioctl(tun, TUNSETIFF, &ifr) < 0)
		return 10;
	f = fopen("/sys/class/net/kdt0/address", "r");
	if (!f || !fgets(c.mac, sizeof(c.mac), f))
		return 19;
	fclose(f);
	c.addr = ip4("10.9.8.7");
	c.gateway = ip4("10.9.8.1");
	if (kd_net_up(&c, 2, iface, &err) < 0) {
		fprintf(stderr, "kd_net_up: %s\n", err.msg);
		return 11;
	}
	if (strcmp(iface, "kdt0") != 0)
		return 12;
	/* the address is ours: bind works only then */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	sa.sin_addr = c.addr;
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 13;
	/* the default route via the gateway */
	f = fopen("/proc/net/route", "r");
	if (!f)
		return 14;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "kdt0\t00000000\t0108090A", 22) == 0)
			found = 1;
	fclose(f);
	if (!found)
		return 15;
	/* how this kernel reaches a server: via the gateway, or on the link */
	if (kd_net_route_to(ip4("198.51.100.7"), &rt, &err) < 0) {
		fprintf(stderr, "kd_net_route_to: %s\n", err.msg);
		return 16;
	}
	if (strcmp(rt.iface, "kdt0") || rt.addr.s_addr != c.addr.s_addr || rt.prefix != 24 ||
	    rt.gateway.s_addr != c.gateway.s_addr || strcmp(rt.mac, c.mac) != 0)
		return 17;
	if (kd_net_route_to(ip4("10.9.8.20"), &rt, &err) < 0 || rt.gateway.s_addr != 0 ||
	    rt.prefix != 24)
		return 18;
	/* an interface that never appears */
	snprintf(c.iface, sizeof(c.iface), "nosuch0");
	if (kd_net_up(&c, 0, NULL, &err) != -ENODEV)
		return 20;
	return 0;
}

static void test_net_up_in_netns(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0) {
		tu_skip_or_fail("needs root for unshare(CLONE_NEWNET)");
		return;
	}
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(netns_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 10) {
		tu_skip_or_fail("no network/mount namespace or no /dev/net/tun here");
		return;
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

static bool has_path(const struct kd_elfdeps *d, const char *suffix)
{
	for (size_t i = 0; i < d->n; i++) {
		size_t a = strlen(d->paths[i]), b = strlen(suffix);
		if (a >= b && strcmp(d->paths[i] + a - b, suffix) == 0)
			return true;
	}
	return false;
}

/* Every library that ldd(1) names for the program is in our closure, and nothing more. */
static void test_elfdeps_vs_ldd(void **state)
{
	const char *bin = "/usr/bin/ssh";
	struct kd_elfdeps d = { 0 };
	struct kd_err err = { 0 };
	char cmd[256], line[512];
	size_t n_ldd = 0;
	FILE *p;

	(void)state;
	if (access(bin, X_OK) < 0) {
		tu_skip_or_fail("no /usr/bin/ssh (openssh-client)");
		return;
	}
	assert_int_equal(kd_elfdeps_resolve(NULL, &bin, 1, &d, &err), 0);
	assert_true(has_path(&d, "/ld-linux-x86-64.so.2"));
	assert_true(has_path(&d, "/libc.so.6"));
	assert_true(has_path(&d, "/libcrypto.so.3"));
	for (size_t i = 0; i < d.n; i++) {
		assert_int_equal(d.paths[i][0], '/');
		assert_int_equal(access(d.paths[i], R_OK), 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(d.paths[i], d.paths[j]);
	}
	snprintf(cmd, sizeof(cmd), "ldd %s", bin);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *arrow = strstr(line, "=> /"), *sp;
		char name[256];
		if (!arrow)
			continue;
		sp = strchr(line, ' ');
		snprintf(name, sizeof(name), "/%.*s", (int)(sp - line - 1), line + 1);
		assert_true(has_path(&d, name));
		n_ldd++;
	}
	assert_int_equal(pclose(p), 0);
	assert_true(n_ldd >= 5);
	/* ldd's libraries plus the interpreter (listed once as PT_INTERP, once as needed) */
	assert_true(d.n >= n_ldd + 1 && d.n <= n_ldd + 2);
	kd_elfdeps_free(&d);
}

static void copy_file(const char *src, const char *dst)
{
	size_t len;
	uint8_t *b = tu_read_file(src, &len);
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	assert_true(fd >= 0);
	assert_int_equal(kd_write_all(fd, b, len), 0);
	close(fd);
	free(b);
}

/* Under a root missing a library: the error names it and who needs it. */
static void test_elfdeps_missing(void **state)
{
	const char *root = tu_tmp("sysroot"), *bin = "/usr/bin/ssh", *self = "/x";
	char path[512];
	struct kd_elfdeps d = { 0 };
	struct kd_err err = { 0 };

	(void)state;
	if (access(bin, X_OK) < 0) {
		tu_skip_or_fail("no /usr/bin/ssh (openssh-client)");
		return;
	}
	snprintf(path, sizeof(path), "%s/usr/bin", root);
	assert_int_equal(mkdir(root, 0755) == 0 || errno == EEXIST, 1);
	snprintf(path, sizeof(path), "%s/usr", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/usr/bin", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/usr/bin/ssh", root);
	copy_file(bin, path);
	assert_int_equal(kd_elfdeps_resolve(root, &bin, 1, &d, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/usr/bin/ssh needs lib"));
	assert_non_null(strstr(err.msg, "which is in none of the library directories"));
	/* not an ELF file; a relative name */
	snprintf(path, sizeof(path), "%s/x", root);
	FILE *f = fopen(path, "w");
	fputs("#!/bin/sh\n", f);
	fclose(f);
	assert_int_equal(kd_elfdeps_resolve(root, &self, 1, &d, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "is not an ELF file"));
	self = "x";
	assert_int_equal(kd_elfdeps_resolve(root, &self, 1, &d, &err), -EINVAL);
}

static void test_shell_quote(void **state)
{
	static const char *const cases[][2] = {
		{ "", "''" },
		{ "/var/crash", "'/var/crash'" },
		{ "a b", "'a b'" },
		{ "it's", "'it'\\''s'" },
		{ "$(x)`y`\"z\"\\", "'$(x)`y`\"z\"\\'" },
	};

	(void)state;
	for (size_t i = 0; i < KD_ARRAY_SIZE(cases); i++) {
		char *q = kd_shell_quote(cases[i][0]);
		assert_string_equal(q, cases[i][1]);
		free(q);
	}
}

static const struct kd_ssh_target target_tmpl = { .ssh = "/usr/bin/ssh", .user = "kd",
						 .host = "192.0.2.9", .port = 2222,
						 .key = "/etc/kdump/ssh_key",
						 .known_hosts = "/etc/kdump/known_hosts" };

static void test_ssh_argv(void **state)
{
	char **argv = kd_ssh_argv(&target_tmpl, "cat > x");
	size_t n = 0, dd = 0;
	bool strict = false, batch = false, known = false, noconf = false;

	(void)state;
	assert_non_null(argv);
	for (; argv[n]; n++) {
		strict |= strcmp(argv[n], "StrictHostKeyChecking=yes") == 0;
		batch |= strcmp(argv[n], "BatchMode=yes") == 0;
		known |= strcmp(argv[n], "UserKnownHostsFile=/etc/kdump/known_hosts") == 0;
		noconf |= strcmp(argv[n], "-F") == 0 && argv[n + 1] &&
			  strcmp(argv[n + 1], "none") == 0;
		if (strcmp(argv[n], "--") == 0)
			dd = n;
	}
	assert_true(strict && batch && known && noconf);
	/* destination and command last, after "--": never options */
	assert_int_equal(dd, n - 3);
	assert_string_equal(argv[n - 2], "192.0.2.9");
	assert_string_equal(argv[n - 1], "cat > x");
	assert_string_equal(argv[dd - 1], "kd");
	assert_string_equal(argv[dd - 2], "-l");
	assert_string_equal(argv[dd - 3], "2222");
	assert_string_equal(argv[dd - 4], "-p");
	assert_string_equal(argv[dd - 5], "/etc/kdump/ssh_key");
	assert_string_equal(argv[dd - 6], "-i");
	free(argv);
}

/* The remote commands, run by a real shell on a directory name made to break quoting. */
static void test_ssh_remote_commands(void **state)
{
	const char *base = tu_tmp("remote");
	char dir[512], path[600], sh[2048];
	_cleanup_free_ char *begin = NULL, *file = NULL, *finish = NULL;
	struct stat st;
	FILE *p;

	(void)state;
	mkdir(base, 0755);
	snprintf(dir, sizeof(dir), "%s/h it's; $(touch %s/pwned) `x` \"q\"/sub", base, base);
	begin = kd_ssh_cmd_begin(dir);
	file = kd_ssh_cmd_file(dir, "dmesg.txt");
	finish = kd_ssh_cmd_finish(dir);
	assert_non_null(begin);
	assert_non_null(file);
	assert_non_null(finish);

	p = popen(begin, "w"); /* popen runs /bin/sh -c CMD: the remote side's shell */
	assert_non_null(p);
	fputs("FLATTENED", p);
	assert_int_equal(pclose(p), 0);
	snprintf(path, sizeof(path), "%s/.incomplete", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/vmcore.flat.part", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 9);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	p = popen(file, "w");
	assert_non_null(p);
	fputs("log", p);
	assert_int_equal(pclose(p), 0);
	snprintf(path, sizeof(path), "%s/dmesg.txt", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(st.st_mode & 0777, 0600);

	snprintf(sh, sizeof(sh), "%s", finish);
	assert_int_equal(system(sh), 0);
	snprintf(path, sizeof(path), "%s/vmcore.flat", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/.incomplete", dir);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/vmcore.flat.part", dir);
	assert_int_equal(stat(path, &st), -1);
	/* nothing was run from the name */
	snprintf(path, sizeof(path), "%s/pwned", base);
	assert_int_equal(stat(path, &st), -1);
}

struct feed_ctx {
	size_t bytes;
	int ret;
};

static int feed_pattern(int fd, void *ctx)
{
	struct feed_ctx *f = ctx;
	uint8_t buf[4096];

	for (size_t off = 0; off < f->bytes; off += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)((off + i) * 7);
		int r = kd_write_all(fd, buf, KD_MIN(sizeof(buf), f->bytes - off));
		if (r < 0)
			return r;
	}
	return f->ret;
}

/* A stand-in for ssh: records its argv and standard input, exits with $FAKE_SSH_RC. */
static const char *fake_ssh(bool read_stdin)
{
	const char *path = tu_tmp(read_stdin ? "fake-ssh" : "fake-ssh-deaf");
	char text[512];
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	snprintf(text, sizeof(text),
		 "#!/bin/sh\nprintf '%%s\\n' \"$@\" > %s/argv\n%s\nexit ${FAKE_SSH_RC:-0}\n",
		 tu_tmpdir(), read_stdin ? "cat > \"$(dirname \"$0\")/stdin\"" : "");
	fputs(text, f);
	fclose(f);
	chmod(path, 0755);
	return path;
}

static void test_ssh_run(void **state)
{
	struct kd_ssh_target t = target_tmpl;
	struct feed_ctx fc = { 3 << 20, 0 };
	struct kd_err err = { 0 };
	uint8_t *got;
	size_t len;

	(void)state;
	t.ssh = fake_ssh(true);
	unsetenv("FAKE_SSH_RC");
	assert_int_equal(kd_ssh_run(&t, "cat > 'x'", feed_pattern, &fc, &err), 0);
	got = tu_read_file(tu_tmp("stdin"), &len);
	assert_int_equal(len, 3 << 20);
	for (size_t i = 0; i < len; i += 4093)
		assert_int_equal(got[i], (uint8_t)(i * 7));
	free(got);
	got = tu_read_file(tu_tmp("argv"), &len);
	assert_non_null(strstr((char *)got, "\n--\n192.0.2.9\ncat > 'x'\n"));
	free(got);

	/* ssh's own failure (255), a remote failure, a feed failure */
	setenv("FAKE_SSH_RC", "255", 1);
	assert_int_equal(kd_ssh_run(&t, "true", feed_pattern, &fc, &err), -EHOSTUNREACH);
	assert_string_equal(err.msg, "ssh kd@192.0.2.9 failed (exit 255: connection, host key or "
				     "authentication; ssh's message is above)");
	setenv("FAKE_SSH_RC", "1", 1);
	assert_int_equal(kd_ssh_run(&t, "true", NULL, NULL, &err), -EIO);
	assert_string_equal(err.msg, "the remote command on 192.0.2.9 exited 1");
	unsetenv("FAKE_SSH_RC");
	fc.ret = -EIO;
	assert_int_equal(kd_ssh_run(&t, "true", feed_pattern, &fc, &err), -EIO);
	assert_string_equal(err.msg, "the data sent to 192.0.2.9 is incomplete");

	/* an ssh that never reads (host key refused): our writes fail, we do not die */
	t.ssh = fake_ssh(false);
	setenv("FAKE_SSH_RC", "255", 1);
	fc.ret = 0;
	fc.bytes = 8 << 20;
	assert_int_equal(kd_ssh_run(&t, "true", feed_pattern, &fc, &err), -EHOSTUNREACH);
	unsetenv("FAKE_SSH_RC");
	/* no such program */
	t.ssh = "/nonexistent/ssh";
	assert_int_equal(kd_ssh_run(&t, "true", NULL, NULL, &err), -ENOENT);
	assert_string_equal(err.msg, "cannot run /nonexistent/ssh");
}

struct hashed_ctx {
	struct feed_ctx *fc;
	struct kd_manifest *m;
	struct kd_err *err;
};

static int feed_hashed(int fd, void *ctx)
{
	struct hashed_ctx *h = ctx;

	return kd_manifest_relay(fd, feed_pattern, h->fc, "vmcore.flat", h->m, h->err);
}

static void run_sh(const char *cmd, int want_status)
{
	int st = system(cmd);

	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) != want_status)
		fail_msg("%s: exit %d, want %d", cmd, WEXITSTATUS(st), want_status);
}

/*
 * The ssh target's check: the stream hashed on its way into (fake) ssh, stored as the server
 * would store it, then the remote check run by a real shell: a match passes, one flipped byte
 * fails, and the manifest names the block.
 */
static void test_ssh_verify(void **state)
{
	struct kd_ssh_target t = target_tmpl;
	struct feed_ctx fc = { (2 << 20) + 5000, 0 };
	struct kd_manifest m;
	struct kd_err err = { 0 };
	struct hashed_ctx hc = { &fc, &m, &err };
	char base[400], dir[512], part[600], mpath[600], sha[65];
	_cleanup_free_ char *check = NULL;
	uint8_t *data;
	size_t len;
	FILE *f;

	(void)state;
	t.ssh = fake_ssh(true);
	unsetenv("FAKE_SSH_RC");
	assert_int_equal(kd_ssh_run(&t, "cat", feed_hashed, &hc, &err), 0);
	assert_int_equal(m.size, fc.bytes);
	assert_int_equal(m.nr_blocks, 3);
	kd_manifest_hex(m.sha256, sha);

	snprintf(base, sizeof(base), "%s", tu_tmp("srv"));
	mkdir(base, 0755);
	snprintf(dir, sizeof(dir), "%s/h it's; $(touch pwned-v) `x` \"q\"", base);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(part, sizeof(part), "%s/vmcore.flat.part", dir);
	snprintf(mpath, sizeof(mpath), "%s/vmcore.flat.sha256", dir);
	assert_int_equal(rename(tu_tmp("stdin"), part), 0);
	assert_int_equal(kd_manifest_save(&m, mpath, &err), 0);
	kd_manifest_deinit(&m);

	check = kd_ssh_cmd_check(dir, sha);
	assert_non_null(check);
	run_sh(check, 0);
	/* the manifest is what `kdump verify` reads; its first line is sha256sum's */
	assert_int_equal(kd_manifest_verify(part, mpath, NULL, &err), 0);

	/* one byte changed on the server's disk */
	data = tu_read_file(part, &len);
	data[(1 << 20) + 77] ^= 0x40;
	f = fopen(part, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	free(data);
	run_sh(check, 1);
	assert_int_equal(kd_manifest_verify(part, mpath, NULL, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "block 1 (bytes 0x100000-0x1fffff) differs"));
	assert_int_equal(access("pwned-v", F_OK), -1); /* nothing was run from the name */

	/* only a digest of 64 hex digits goes into the command */
	assert_null(kd_ssh_cmd_check(dir, "0123"));
	sha[10] = '\'';
	assert_null(kd_ssh_cmd_check(dir, sha));
}

static void test_nfs_options(void **state)
{
	char *o;
	struct kd_err err = { 0 };

	(void)state;
	o = kd_nfs_options(NULL, "192.168.77.1", "192.168.77.2");
	assert_string_equal(o, "vers=4.2,addr=192.168.77.1,clientaddr=192.168.77.2,proto=tcp,"
			       "soft,timeo=100,retrans=3");
	free(o);
	o = kd_nfs_options("4.1", "10.0.0.1", "");
	assert_string_equal(o, "vers=4.1,addr=10.0.0.1,clientaddr=0.0.0.0,proto=tcp,soft,"
			       "timeo=100,retrans=3");
	free(o);
	o = kd_nfs_options("3", "10.0.0.1", "10.0.0.2");
	assert_string_equal(o, "vers=3,addr=10.0.0.1,proto=tcp,mountproto=tcp,nolock,soft,"
			       "timeo=100,retrans=3");
	free(o);
	assert_int_equal(kd_nfs_mount("nfs.example", "/x", NULL, "", "/nonexistent", NULL, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "nfs server \"nfs.example\" is not an IPv4 address (the "
				     "capture kernel has no resolver)");
	assert_int_equal(kd_nfs_mount("10.0.0.1", "x", NULL, "", "/nonexistent", NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "nfs export \"x\" is not an absolute path");
}

static void test_initconf_net(void **state)
{
	struct conf_init c, back;
	struct kd_err err = { 0 };
	_cleanup_free_ char *text = NULL;

	(void)state;
	conf_init_defaults(&c);
	c.target = CONF_TARGET_SSH;
	snprintf(c.ssh_user, sizeof(c.ssh_user), "kd");
	snprintf(c.ssh_host, sizeof(c.ssh_host), "192.0.2.9");
	c.ssh_port = 2222;
	snprintf(c.net_addr, sizeof(c.net_addr), "192.0.2.50/24");
	snprintf(c.net_gateway, sizeof(c.net_gateway), "192.0.2.1");
	snprintf(c.net_iface, sizeof(c.net_iface), "eth1");
	snprintf(c.hostname, sizeof(c.hostname), "web1");
	c.verify = CONF_VERIFY_NO;
	text = conf_init_format(&c);
	assert_int_equal(conf_init_parse(text, "f", &back, &err), 0);
	assert_int_equal(back.target, CONF_TARGET_SSH);
	assert_string_equal(back.ssh_user, "kd");
	assert_string_equal(back.ssh_host, "192.0.2.9");
	assert_int_equal(back.ssh_port, 2222);
	assert_string_equal(back.net_addr, "192.0.2.50/24");
	assert_string_equal(back.net_gateway, "192.0.2.1");
	assert_string_equal(back.net_iface, "eth1");
	assert_string_equal(back.hostname, "web1");
	assert_int_equal(back.verify, CONF_VERIFY_NO);

	assert_int_equal(conf_init_parse("target=nfs\nnfs_server=10.0.0.1\nnfs_export=/e\n"
					   "nfs_vers=4.1\nnet_addr=10.0.0.2/8\n", "f", &back, &err),
			 0);
	assert_int_equal(back.target, CONF_TARGET_NFS);
	assert_string_equal(back.nfs_vers, "4.1");
	assert_int_equal(conf_init_parse("target=ssh\nssh_host=10.0.0.1\nnet_addr=10.0.0.2/8\n",
					   "f", &back, &err), -EINVAL);
	assert_string_equal(err.msg, "f: target=ssh needs ssh_user= and ssh_host=");
	assert_int_equal(conf_init_parse("target=nfs\nnfs_server=10.0.0.1\nnfs_export=/e\n", "f",
					   &back, &err), -EINVAL);
	assert_string_equal(err.msg, "f: target=nfs needs net_addr=ADDR/PREFIX");
	assert_int_equal(conf_init_parse("target=nfs\nnfs_vers=5\n", "f", &back, &err), -EINVAL);
	assert_string_equal(err.msg, "f:2: nfs_vers must be 4.2, 4.1, 4.0, 4 or 3, not \"5\"");
	assert_int_equal(conf_init_parse("target=ssh\nverify=maybe\n", "f", &back, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "f:2: verify must be auto, yes or no, not \"maybe\"");
	assert_int_equal(conf_init_parse("target=nfs\nnfs_server=10.0.0.1\nnfs_export=/e\n"
					   "net_addr=10.0.0.2/8\n", "f", &back, &err), 0);
	assert_int_equal(back.verify, CONF_VERIFY_AUTO); /* an older init.conf: auto */
	assert_int_equal(conf_init_parse("target=ssh\nssh_port=0\n", "f", &back, &err), -EINVAL);
	assert_string_equal(err.msg, "f:2: ssh_port must be 1-65535, not \"0\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_netlink_messages),
		cmocka_unit_test(test_net_up_in_netns),
		cmocka_unit_test(test_elfdeps_vs_ldd),
		cmocka_unit_test(test_elfdeps_missing),
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_ssh_argv),
		cmocka_unit_test(test_ssh_remote_commands),
		cmocka_unit_test(test_ssh_run),
		cmocka_unit_test(test_ssh_verify),
		cmocka_unit_test(test_nfs_options),
		cmocka_unit_test(test_initconf_net),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
