// SPDX-License-Identifier: GPL-2.0-or-later
/* rtnetlink without libnl or ip(8): the capture init's static IPv4, the first kernel's route. */
#include "kdump/sys/sys.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

int kd_net_parse_cidr(const char *s, struct in_addr *ret_addr, unsigned *ret_prefix)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	uint64_t p;

	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	if (inet_pton(AF_INET, ip, &a) != 1)
		return -EINVAL;
	if (kd_parse_u64(slash + 1, 10, &p) < 0 || p < 1 || p > 32)
		return -EINVAL;
	*ret_addr = a;
	*ret_prefix = (unsigned)p;
	return 0;
}

/* A message under construction: header, fixed payload, then attributes. */
struct nlbuf {
	uint8_t *p;
	size_t cap;
	bool overflow;
};

static struct nlmsghdr *nl_start(struct nlbuf *b, uint16_t type, uint16_t flags, uint32_t seq,
				 const void *payload, size_t plen)
{
	struct nlmsghdr *h = (struct nlmsghdr *)b->p;
	size_t len = NLMSG_LENGTH(plen);

	if (NLMSG_ALIGN(len) > b->cap) {
		b->overflow = true;
		return NULL;
	}
	memset(b->p, 0, NLMSG_ALIGN(len));
	h->nlmsg_len = (uint32_t)NLMSG_ALIGN(len);
	h->nlmsg_type = type;
	h->nlmsg_flags = (uint16_t)(flags | NLM_F_REQUEST | NLM_F_ACK);
	h->nlmsg_seq = seq;
	memcpy(NLMSG_DATA(h), payload, plen);
	return h;
}

static void nl_attr(struct nlbuf *b, struct nlmsghdr *h, uint16_t type, const void *data,
		    size_t len)
{
	struct rtattr *a;
	size_t off;

	if (!h)
		return;
	off = NLMSG_ALIGN(h->nlmsg_len);
	if (off + RTA_SPACE(len) > b->cap) {
		b->overflow = true;
		return;
	}
	a = (struct rtattr *)(b->p + off);
	memset(a, 0, RTA_SPACE(len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
}

static int nl_end(struct nlbuf *b, struct nlmsghdr *h)
{
	if (b->overflow || !h)
		return -ENOBUFS;
	return (int)h->nlmsg_len;
}

int kd_nl_link_up(void *buf, size_t cap, uint32_t seq, int ifindex)
{
	struct nlbuf b = { buf, cap, false };
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };

	return nl_end(&b, nl_start(&b, RTM_NEWLINK, 0, seq, &ifi, sizeof(ifi)));
}

int kd_nl_add_addr(void *buf, size_t cap, uint32_t seq, int ifindex, struct in_addr addr,
		   unsigned prefix)
{
	struct nlbuf b = { buf, cap, false };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = (uint8_t)prefix,
				 .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = (uint32_t)ifindex };
	struct nlmsghdr *h;
	struct in_addr bcast = addr;

	if (prefix < 1 || prefix > 32)
		return -EINVAL;
	if (prefix < 32)
		bcast.s_addr |= htonl(0xffffffffu >> prefix);
	h = nl_start(&b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, seq, &ifa, sizeof(ifa));
	nl_attr(&b, h, IFA_LOCAL, &addr, sizeof(addr));
	nl_attr(&b, h, IFA_ADDRESS, &addr, sizeof(addr));
	if (prefix < 31)
		nl_attr(&b, h, IFA_BROADCAST, &bcast, sizeof(bcast));
	return nl_end(&b, h);
}

int kd_nl_add_default_route(void *buf, size_t cap, uint32_t seq, int ifindex,
			    struct in_addr gateway)
{
	struct nlbuf b = { buf, cap, false };
	struct rtmsg rt = { .rtm_family = AF_INET, .rtm_dst_len = 0, .rtm_table = RT_TABLE_MAIN,
			    .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE,
			    .rtm_type = RTN_UNICAST };
	uint32_t oif = (uint32_t)ifindex;
	struct nlmsghdr *h;

	h = nl_start(&b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, seq, &rt, sizeof(rt));
	nl_attr(&b, h, RTA_GATEWAY, &gateway, sizeof(gateway));
	nl_attr(&b, h, RTA_OIF, &oif, sizeof(oif));
	return nl_end(&b, h);
}

/* Sends one request and reads its acknowledgement; returns the kernel's -errno. */
static int nl_call(int fd, const void *msg, int len, uint32_t seq)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		uint8_t b[4096];
		struct nlmsghdr h;
	} reply;

	if (sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) != len)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, reply.b, sizeof(reply.b), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *h = &reply.h; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				return -EBADMSG;
			return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
}

/* The first interface in /sys/class/net other than lo (names sorted), or -ENODEV. */
static int first_iface(char *name, size_t len)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	bool found = false;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "lo") == 0 ||
		    strlen(e->d_name) >= len)
			continue;
		if (!found || strcmp(e->d_name, name) < 0)
			snprintf(name, len, "%s", e->d_name);
		found = true;
	}
	closedir(d);
	return found ? 0 : -ENODEV;
}

/* Reads /sys/class/net/IFACE/address ("" if none). */
static void iface_mac(const char *iface, char *mac, size_t len)
{
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", iface);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, mac, len - 1);
		close(fd);
	}
	mac[n > 0 ? n : 0] = '\0';
	mac[strcspn(mac, "\n")] = '\0';
}

/* The interface whose MAC address is mac, or -ENODEV. */
static int iface_by_mac(const char *mac, char *name, size_t len)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	int r = -ENODEV;

	if (!d)
		return -errno;
	while (r < 0 && (e = readdir(d))) {
		char m[32];
		if (e->d_name[0] == '.' || strlen(e->d_name) >= len)
			continue;
		iface_mac(e->d_name, m, sizeof(m));
		if (strcasecmp(m, mac) == 0) {
			snprintf(name, len, "%s", e->d_name);
			r = 0;
		}
	}
	closedir(d);
	return r;
}

static bool has_carrier(const char *iface)
{
	char path[64], v = '0';
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", iface);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read(fd, &v, 1) != 1)
		v = '0';
	close(fd);
	return v == '1';
}

int kd_net_up(const struct kd_net_config *c, unsigned wait_secs, char *ret_iface,
	      struct kd_err *err)
{
	uint8_t msg[KD_NET_MSG_MAX];
	char iface[IF_NAMESIZE] = "", ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	double end = kd_now() + wait_secs;
	_cleanup_close_ int fd = -1;
	uint32_t seq = 1;
	int idx = 0, lo, len, r;

	for (;;) {
		if (c->iface[0])
			snprintf(iface, sizeof(iface), "%s", c->iface);
		else if (c->mac[0] ? iface_by_mac(c->mac, iface, sizeof(iface)) < 0
				   : first_iface(iface, sizeof(iface)) < 0)
			iface[0] = '\0';
		if (iface[0] && (idx = (int)if_nametoindex(iface)) > 0)
			break;
		if (kd_now() > end)
			return kd_err_set(err, -ENODEV, "network interface %s did not appear "
					  "within %u s (missing driver? add it with `kdump "
					  "initramfs --module`, e.g. virtio_net)",
					  c->iface[0] ? c->iface : c->mac[0] ? c->mac : "(any)",
					  wait_secs);
		usleep(50 * 1000);
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open a rtnetlink socket");
	lo = (int)if_nametoindex("lo");
	if (lo > 0) {
		len = kd_nl_link_up(msg, sizeof(msg), seq, lo);
		r = len < 0 ? len : nl_call(fd, msg, len, seq);
		if (r < 0)
			kd_warn("cannot bring lo up: %s", strerror(-r));
		seq++;
	}
	len = kd_nl_link_up(msg, sizeof(msg), seq, idx);
	r = len < 0 ? len : nl_call(fd, msg, len, seq);
	if (r < 0)
		return kd_err_sys(err, r, "cannot bring %s up", iface);
	seq++;
	inet_ntop(AF_INET, &c->addr, ip, sizeof(ip));
	len = kd_nl_add_addr(msg, sizeof(msg), seq, idx, c->addr, c->prefix);
	r = len < 0 ? len : nl_call(fd, msg, len, seq);
	if (r < 0 && r != -EEXIST)
		return kd_err_sys(err, r, "cannot set address %s/%u on %s", ip, c->prefix, iface);
	seq++;
	while (!has_carrier(iface)) {
		if (kd_now() > end) {
			kd_warn("%s: no carrier after %u s; trying all the same", iface, wait_secs);
			break;
		}
		usleep(20 * 1000);
	}
	if (c->gateway.s_addr) {
		inet_ntop(AF_INET, &c->gateway, gw, sizeof(gw));
		len = kd_nl_add_default_route(msg, sizeof(msg), seq, idx, c->gateway);
		r = len < 0 ? len : nl_call(fd, msg, len, seq);
		if (r < 0 && r != -EEXIST)
			return kd_err_sys(err, r, "cannot add the default route via %s on %s", gw,
					  iface);
	}
	if (ret_iface)
		snprintf(ret_iface, IF_NAMESIZE, "%s", iface);
	return 0;
}

int kd_net_route_to(struct in_addr dst, struct kd_net_config *ret, struct kd_err *err)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg rt;
		struct rtattr a;
		struct in_addr dst;
	} req = { .h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETROUTE,
			 .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
		  .rt = { .rtm_family = AF_INET, .rtm_dst_len = 32 },
		  .a = { .rta_len = RTA_LENGTH(sizeof(struct in_addr)), .rta_type = RTA_DST },
		  .dst = dst };
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		uint8_t b[4096];
		struct nlmsghdr h;
	} reply;
	struct kd_net_config c = { 0 };
	char ip[INET_ADDRSTRLEN];
	_cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct ifaddrs *ifa = NULL;
	uint32_t oif = 0;
	ssize_t n;

	inet_ntop(AF_INET, &dst, ip, sizeof(ip));
	if (fd < 0)
		return kd_err_sys(err, -errno, "cannot open a rtnetlink socket");
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return kd_err_sys(err, -errno, "route lookup for %s: send failed", ip);
	n = recv(fd, reply.b, sizeof(reply.b), 0);
	if (n < 0)
		return kd_err_sys(err, -errno, "route lookup for %s: receive failed", ip);
	for (struct nlmsghdr *h = &reply.h; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		struct rtmsg *rt;
		struct rtattr *a;
		int alen;

		if (h->nlmsg_type == NLMSG_ERROR) {
			int e = h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))
					? ((struct nlmsgerr *)NLMSG_DATA(h))->error : -EBADMSG;
			return kd_err_sys(err, e ? e : -EBADMSG, "no route to %s", ip);
		}
		if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)))
			continue;
		rt = NLMSG_DATA(h);
		alen = (int)RTM_PAYLOAD(h);
		for (a = RTM_RTA(rt); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
			if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) == 4)
				memcpy(&oif, RTA_DATA(a), 4);
			else if (a->rta_type == RTA_PREFSRC && RTA_PAYLOAD(a) == 4)
				memcpy(&c.addr, RTA_DATA(a), 4);
			else if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) == 4)
				memcpy(&c.gateway, RTA_DATA(a), 4);
		}
	}
	if (!oif || !c.addr.s_addr || !if_indextoname(oif, c.iface))
		return kd_err_set(err, -ENETUNREACH, "no route to %s with a source address (is the "
				  "network up? set capture_ip in kdump.conf)", ip);
	if (getifaddrs(&ifa) < 0)
		return kd_err_sys(err, -errno, "getifaddrs failed");
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || !i->ifa_netmask || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, c.iface) != 0 ||
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr != c.addr.s_addr)
			continue;
		c.prefix = (unsigned)__builtin_popcount(
			((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
	}
	freeifaddrs(ifa);
	if (c.prefix < 1 || c.prefix > 32)
		return kd_err_set(err, -EADDRNOTAVAIL, "%s: the source address for %s is not on "
				  "it", c.iface, ip);
	iface_mac(c.iface, c.mac, sizeof(c.mac));
	for (char *m = c.mac; *m; m++)
		*m = (char)tolower((unsigned char)*m);
	*ret = c;
	return 0;
}
