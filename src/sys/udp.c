#include "src/sys/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/sys/log.h"

/* Large enough for a full table arriving at once (DESIGN: "Full tables
 * arrive whole"). */
#define UDP_RCVBUF (4 * 1024 * 1024)
#define UDP_MAX_PACKET 65535

static const uint8_t babel_group_full[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 6};

static struct log_ratelimit rl_drop = LOG_RATELIMIT_INIT(10000, 5);
/* One limiter per reason for dropping: a flood of one kind does not hide
 * the others. */
static struct log_ratelimit rl_not_ll = LOG_RATELIMIT_INIT(10000, 5);
static struct log_ratelimit rl_own = LOG_RATELIMIT_INIT(10000, 5);
static struct log_ratelimit rl_hop = LOG_RATELIMIT_INIT(10000, 5);
static struct log_ratelimit rl_trunc = LOG_RATELIMIT_INIT(10000, 5);
static struct log_ratelimit rl_send = LOG_RATELIMIT_INIT(10000, 5);

static bool is_link_local(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

int udp_open(struct udp *u, uint16_t port, udp_is_own_fn *is_own, udp_packet_fn *on_packet,
	     void *arg)
{
	memset(u, 0, sizeof(*u));
	u->port = port;
	u->is_own = is_own;
	u->on_packet = on_packet;
	u->arg = arg;
	u->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->fd < 0) {
		log_error("UDP socket: %s", strerror(errno));
		return -1;
	}
	int one = 1, zero = 0, hops = 1;
	if (setsockopt(u->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
	    setsockopt(u->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(u->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(u->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) < 0 ||
	    setsockopt(u->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
	    setsockopt(u->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0) {
		log_error("UDP socket options: %s", strerror(errno));
		goto fail;
	}
	/* Babel packets never leave the link: unicast goes out with hop
	 * limit 1 as multicast does. */
	(void)setsockopt(u->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops));
	int rcv = UDP_RCVBUF;
	/* SO_RCVBUFFORCE passes net.core.rmem_max (which cannot be raised
	 * inside a network namespace) when we have CAP_NET_ADMIN. */
	if (setsockopt(u->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0 &&
	    setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) < 0)
		log_warn("UDP receive buffer of %d bytes refused: %s", rcv, strerror(errno));
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_ANY_INIT};
	if (bind(u->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_error("UDP bind to port %u: %s", port, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	close(u->fd);
	u->fd = -1;
	return -1;
}

void udp_close(struct udp *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}

static int membership(struct udp *u, uint32_t ifindex, int opt)
{
	struct ipv6_mreq mr;
	memcpy(&mr.ipv6mr_multiaddr, babel_group_full, 16);
	mr.ipv6mr_interface = ifindex;
	if (setsockopt(u->fd, IPPROTO_IPV6, opt, &mr, sizeof(mr)) < 0) {
		if (opt == IPV6_ADD_MEMBERSHIP && errno == EADDRINUSE)
			return 0;
		log_warn("%s ff02::1:6 on ifindex %u: %s",
			 opt == IPV6_ADD_MEMBERSHIP ? "join" : "leave", ifindex, strerror(errno));
		return -1;
	}
	return 0;
}

int udp_join(struct udp *u, uint32_t ifindex)
{
	return membership(u, ifindex, IPV6_ADD_MEMBERSHIP);
}

int udp_leave(struct udp *u, uint32_t ifindex)
{
	/* Babel stops there: whatever failed on it is no longer news. */
	for (size_t i = 0; i < sizeof(u->failing) / sizeof(u->failing[0]); i++)
		if (u->failing[i].ifindex == ifindex)
			u->failing[i].ifindex = 0;
	return membership(u, ifindex, IPV6_DROP_MEMBERSHIP);
}

void udp_read(struct udp *u, uint64_t now_ms)
{
	static uint8_t buf[UDP_MAX_PACKET];
	for (;;) {
		struct sockaddr_in6 from;
		union {
			struct cmsghdr h;
			uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
		} cbuf;
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				   .msg_iovlen = 1, .msg_control = cbuf.b,
				   .msg_controllen = sizeof(cbuf.b)};
		ssize_t n = recvmsg(u->fd, &m, MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_limited(&rl_drop, now_ms, LOG_L_WARN, "UDP receive: %s",
					    strerror(errno));
			if (errno == EINTR)
				continue;
			return;
		}
		if (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
			u->stats.drop_truncated++;
			log_limited(&rl_trunc, now_ms, LOG_L_INFO,
				    "dropped a truncated Babel packet (%zd bytes)", n);
			continue;
		}
		struct in6_pktinfo *pi = NULL;
		int hoplimit = -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level != IPPROTO_IPV6)
				continue;
			if (c->cmsg_type == IPV6_PKTINFO)
				pi = (struct in6_pktinfo *)CMSG_DATA(c);
			else if (c->cmsg_type == IPV6_HOPLIMIT)
				memcpy(&hoplimit, CMSG_DATA(c), sizeof(hoplimit));
		}
		if (!pi || pi->ipi6_ifindex == 0) {
			u->stats.drop_no_pktinfo++;
			continue;
		}
		struct link_addr src;
		memcpy(src.a, &from.sin6_addr, 16);
		if (!is_link_local(src.a)) {
			u->stats.drop_not_link_local++;
			char t[INET6_ADDRSTRLEN];
			inet_ntop(AF_INET6, src.a, t, sizeof(t));
			log_limited(&rl_not_ll, now_ms, LOG_L_INFO,
				    "dropped a Babel packet from %s: not link-local", t);
			continue;
		}
		/* A link-local source cannot have been routed, whatever its hop
		 * limit; a zero hop limit is the only sign of a broken sender. */
		if (hoplimit == 0) {
			u->stats.drop_hop_limit++;
			log_limited(&rl_hop, now_ms, LOG_L_INFO,
				    "dropped a Babel packet with hop limit 0");
			continue;
		}
		if (u->is_own && u->is_own(u->arg, &src)) {
			u->stats.drop_own++;
			char t[INET6_ADDRSTRLEN];
			inet_ntop(AF_INET6, src.a, t, sizeof(t));
			log_limited(&rl_own, now_ms, LOG_L_INFO,
				    "dropped a Babel packet from %s: our own address", t);
			continue;
		}
		bool mcast = memcmp(&pi->ipi6_addr, babel_group_full, 16) == 0;
		u->stats.received++;
		u->on_packet(u->arg, (uint32_t)pi->ipi6_ifindex, &src, mcast, buf, (size_t)n);
	}
}

static const char *ifname_of(uint32_t ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "#%u", ifindex);
	return buf;
}

static void send_failed(struct udp *u, uint32_t ifindex, int err, uint64_t now_ms)
{
	struct udp_failing *free_slot = NULL;
	for (size_t i = 0; i < sizeof(u->failing) / sizeof(u->failing[0]); i++) {
		struct udp_failing *f = &u->failing[i];
		if (f->ifindex == ifindex) {
			f->lost++;
			if (f->err == err)
				return; /* said already */
			f->err = err; /* another error: news */
			free_slot = f;
			break;
		}
		if (!f->ifindex && !free_slot)
			free_slot = f;
	}
	char name[IF_NAMESIZE];
	if (free_slot) {
		uint64_t lost = free_slot->ifindex == ifindex ? free_slot->lost : 1;
		*free_slot = (struct udp_failing){ ifindex, err, lost };
		log_warn("sending Babel packets on %s fails: %s (logged again when it works)",
			 ifname_of(ifindex, name), strerror(err));
		return;
	}
	/* More failing interfaces than slots: rate-limited lines. */
	log_limited(&rl_send, now_ms, LOG_L_WARN, "sending Babel packets on %s fails: %s",
		    ifname_of(ifindex, name), strerror(err));
}

static void send_worked(struct udp *u, uint32_t ifindex)
{
	for (size_t i = 0; i < sizeof(u->failing) / sizeof(u->failing[0]); i++) {
		struct udp_failing *f = &u->failing[i];
		if (f->ifindex != ifindex)
			continue;
		char name[IF_NAMESIZE];
		log_notice("sending Babel packets on %s works again (%llu packets could not be sent)",
			   ifname_of(ifindex, name), (unsigned long long)f->lost);
		f->ifindex = 0;
		return;
	}
}

int udp_send(struct udp *u, uint32_t ifindex, const struct link_addr *from,
	     const struct link_addr *to, const uint8_t *buf, size_t len, uint64_t now_ms)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(u->port),
				  .sin6_scope_id = ifindex};
	memcpy(&sa.sin6_addr, to ? to->a : babel_group_full, 16);
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	memset(&cbuf, 0, sizeof(cbuf));
	struct iovec iov = {(void *)buf, len};
	struct msghdr m = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			   .msg_iovlen = 1, .msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
	struct in6_pktinfo pi = {.ipi6_ifindex = ifindex};
	if (from)
		memcpy(&pi.ipi6_addr, from->a, 16);
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	for (;;) {
		ssize_t n = sendmsg(u->fd, &m, MSG_DONTWAIT);
		if (n >= 0) {
			u->stats.sent++;
			send_worked(u, ifindex);
			return 0;
		}
		if (errno == EINTR)
			continue;
		u->stats.send_errors++;
		send_failed(u, ifindex, errno, now_ms);
		return -1;
	}
}
