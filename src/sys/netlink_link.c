#include "src/sys/netlink_link.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "src/sys/log.h"

/* Fixed, not MNL_SOCKET_BUFFER_SIZE (a sysconf() call: a VLA). */
#define NL_RECV_BUF 32768

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);
	if (type <= IFLA_MAX && type < 64)
		tb[type] = a;
	return MNL_CB_OK;
}

static void handle_link(struct netlink_link *nl, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	const struct nlattr *tb[64] = {0};
	mnl_attr_parse(h, sizeof(*ifi), attr_cb, tb);
	if (!tb[IFLA_IFNAME])
		return;
	char name[IFNAMSIZ];
	strncpy(name, mnl_attr_get_str(tb[IFLA_IFNAME]), IFNAMSIZ - 1);
	name[IFNAMSIZ - 1] = 0;
	bool up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_LOWER_UP);
	nl->on_link(nl->arg, (uint32_t)ifi->ifi_index, name, up, h->nlmsg_type == RTM_NEWLINK);
}

static void handle_addr(struct netlink_link *nl, const struct nlmsghdr *h)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	const struct nlattr *tb[64] = {0};
	mnl_attr_parse(h, sizeof(*ifa), attr_cb, tb);
	uint8_t family;
	size_t alen;
	if (ifa->ifa_family == AF_INET) {
		family = 4;
		alen = 4;
	} else if (ifa->ifa_family == AF_INET6) {
		family = 6;
		alen = 16;
	} else {
		return;
	}
	/* IFA_LOCAL is our address on point-to-point links, where IFA_ADDRESS
	 * is the peer's. */
	const struct nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || mnl_attr_get_payload_len(a) < alen)
		return;
	uint32_t flags = ifa->ifa_flags;
	if (tb[IFA_FLAGS] && mnl_attr_get_payload_len(tb[IFA_FLAGS]) >= 4)
		flags = mnl_attr_get_u32(tb[IFA_FLAGS]);
	bool usable = !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
	nl->on_addr(nl->arg, ifa->ifa_index, family, mnl_attr_get_payload(a), ifa->ifa_prefixlen,
		    usable, h->nlmsg_type == RTM_NEWADDR);
}

static int msg_cb(const struct nlmsghdr *h, void *data)
{
	struct netlink_link *nl = data;
	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		handle_link(nl, h);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		handle_addr(nl, h);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

/* One blocking dump of TYPE; notifications read meanwhile are handled too. */
static int dump(struct netlink_link *nl, uint16_t type)
{
	static char buf[NL_RECV_BUF];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	h->nlmsg_seq = ++nl->seq;
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl->nl, h, h->nlmsg_len) < 0) {
		log_error("netlink dump request: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* The socket is non-blocking after start: wait a little. */
				struct timespec ts = {0, 1000000};
				nanosleep(&ts, NULL);
				continue;
			}
			log_error("netlink dump: %s", strerror(errno));
			return -1;
		}
		int r = mnl_cb_run(buf, (size_t)n, nl->seq, nl->portid, msg_cb, nl);
		if (r == MNL_CB_STOP)
			return 0;
		if (r < 0) {
			log_error("netlink dump: %s", strerror(errno));
			return -1;
		}
	}
}

static int dump_all(struct netlink_link *nl)
{
	if (dump(nl, RTM_GETLINK) < 0 || dump(nl, RTM_GETADDR) < 0)
		return -1;
	return 0;
}

int netlink_link_resync(struct netlink_link *nl)
{
	return dump_all(nl);
}

int netlink_link_open(struct netlink_link *nl, nl_link_fn *on_link, nl_addr_fn *on_addr,
		      void *arg)
{
	memset(nl, 0, sizeof(*nl));
	nl->on_link = on_link;
	nl->on_addr = on_addr;
	nl->arg = arg;
	nl->seq = (uint32_t)time(NULL);
	nl->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->nl) {
		log_error("netlink socket: %s", strerror(errno));
		return -1;
	}
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (mnl_socket_bind(nl->nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		log_error("netlink bind: %s", strerror(errno));
		mnl_socket_close(nl->nl);
		nl->nl = NULL;
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->nl);
	int rcv = 1024 * 1024;
	(void)setsockopt(mnl_socket_get_fd(nl->nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	if (dump_all(nl) < 0) {
		netlink_link_close(nl);
		return -1;
	}
	int fd = mnl_socket_get_fd(nl->nl);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

void netlink_link_close(struct netlink_link *nl)
{
	if (nl->nl)
		mnl_socket_close(nl->nl);
	nl->nl = NULL;
}

int netlink_link_fd(const struct netlink_link *nl)
{
	return mnl_socket_get_fd(nl->nl);
}

void netlink_link_read(struct netlink_link *nl)
{
	static char buf[NL_RECV_BUF];
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* Notifications were lost: start again from a dump. */
				nl->resyncs++;
				log_warn("netlink link/address notifications lost; dumping again");
				dump_all(nl);
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("netlink link read: %s", strerror(errno));
			return;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, msg_cb, nl);
	}
}
