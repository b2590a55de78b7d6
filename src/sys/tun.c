/* The radio link's TUN device: see tun.h. */
#include "src/sys/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IN6_ADDR_GEN_MODE_NONE
#define IN6_ADDR_GEN_MODE_NONE 1
#endif

/* Sends the request in BUF and waits for its acknowledgement: 0 or -errno. */
static int nl_request(struct mnl_socket *nl, struct nlmsghdr *h, uint32_t seq)
{
	uint32_t portid = mnl_socket_get_portid(nl);
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
		return -errno;
	uint8_t buf[8192]; /* not MNL_SOCKET_BUFFER_SIZE: a VLA */
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
		if (n < 0)
			return -errno;
		int r = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
		if (r < 0)
			return errno ? -errno : -EIO;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *link_msg(uint8_t *buf, uint32_t ifindex, unsigned flags, unsigned change)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_NEWLINK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	return h;
}

static int configure(struct tun *t, const uint8_t *ll, const char **failed)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl) {
		*failed = "open netlink";
		return -errno;
	}
	int r = 0;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*failed = "bind netlink";
		r = -errno;
		goto out;
	}
	uint32_t seq = (uint32_t)time(NULL);
	uint8_t buf[8192]; /* not MNL_SOCKET_BUFFER_SIZE: a VLA */

	struct nlmsghdr *h = link_msg(buf, t->ifindex, 0, 0);
	mnl_attr_put_u32(h, IFLA_MTU, TUN_MTU);
	if ((r = nl_request(nl, h, ++seq)) < 0) {
		*failed = "set mtu";
		goto out;
	}

	/* Before the device goes up, or the kernel makes its own fe80::. */
	h = link_msg(buf, t->ifindex, 0, 0);
	struct nlattr *spec = mnl_attr_nest_start(h, IFLA_AF_SPEC);
	struct nlattr *in6 = mnl_attr_nest_start(h, AF_INET6);
	mnl_attr_put_u8(h, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(h, in6);
	mnl_attr_nest_end(h, spec);
	if ((r = nl_request(nl, h, ++seq)) < 0) {
		*failed = "set addrgenmode";
		goto out;
	}

	h = link_msg(buf, t->ifindex, IFF_UP, IFF_UP);
	if ((r = nl_request(nl, h, ++seq)) < 0) {
		*failed = "set up";
		goto out;
	}

	if (ll) {
		h = mnl_nlmsg_put_header(buf);
		h->nlmsg_type = RTM_NEWADDR;
		h->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof *ifa);
		ifa->ifa_family = AF_INET6;
		ifa->ifa_prefixlen = 64;
		ifa->ifa_scope = RT_SCOPE_LINK;
		ifa->ifa_index = t->ifindex;
		ifa->ifa_flags = IFA_F_NODAD | IFA_F_PERMANENT;
		mnl_attr_put(h, IFA_LOCAL, 16, ll);
		mnl_attr_put(h, IFA_ADDRESS, 16, ll);
		mnl_attr_put_u32(h, IFA_FLAGS, IFA_F_NODAD | IFA_F_PERMANENT);
		if ((r = nl_request(nl, h, ++seq)) < 0) {
			*failed = "add address";
			goto out;
		}
	}
out:
	mnl_socket_close(nl);
	return r;
}

int tun_open(struct tun *t, const char *name, const uint8_t *ll, const char **failed)
{
	const char *dummy;
	if (!failed)
		failed = &dummy;
	*failed = NULL;
	memset(t, 0, sizeof *t);
	t->fd = -1;
	if (!name || strlen(name) >= IFNAMSIZ) {
		*failed = "device name";
		return -EINVAL;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*failed = "open /dev/net/tun";
		return -errno;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(fd);
		*failed = "TUNSETIFF";
		return -e;
	}
	t->fd = fd;
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
	t->name[IFNAMSIZ - 1] = '\0';
	t->ifindex = if_nametoindex(t->name);
	if (t->ifindex == 0) {
		int e = errno;
		tun_close(t);
		*failed = "if_nametoindex";
		return -e;
	}
	int r = configure(t, ll, failed);
	if (r < 0) {
		tun_close(t);
		return r;
	}
	return 0;
}

ssize_t tun_read(struct tun *t, uint8_t *buf, size_t cap)
{
	return read(t->fd, buf, cap);
}

ssize_t tun_write(struct tun *t, const uint8_t *pkt, size_t len)
{
	return write(t->fd, pkt, len);
}

void tun_close(struct tun *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
