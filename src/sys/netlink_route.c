#include "src/sys/netlink_route.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "src/core/list.h"
#include "src/sys/log.h"
#include "src/sys/loop.h"

/* Fixed, not MNL_SOCKET_BUFFER_SIZE (a sysconf() call: a VLA). */
#define NL_RECV_BUF 32768

#ifndef RTA_VIA
#define RTA_VIA 18
#endif

/* Large batches: a full table replayed after ENOBUFS goes out in a few
 * sendto() calls. */
#define NLROUTE_BATCH (64 * 1024)

static struct log_ratelimit rl_err = LOG_RATELIMIT_INIT(1000, 20);

static struct log_ratelimit rl_foreign = LOG_RATELIMIT_INIT(1000, 20);

#define FOREIGN_HASH_SEED 0x666f726569676eULL

struct foreign_key {
	struct hashmap_node hnode;
	struct route_key key;
};

static bool foreign_eq(const struct hashmap_node *n, const void *key)
{
	return route_key_equal(&container_of(n, struct foreign_key, hnode)->key, key);
}

static struct foreign_key *foreign_find(const struct netlink_route *nr, const struct route_key *k)
{
	struct hashmap_node *n = hashmap_find(&nr->foreign, route_key_hash(k, FOREIGN_HASH_SEED), k);
	return n ? container_of(n, struct foreign_key, hnode) : NULL;
}

static void foreign_add(struct netlink_route *nr, const struct route_key *k)
{
	if (foreign_find(nr, k))
		return;
	struct foreign_key *f = malloc(sizeof(*f));
	if (!f)
		return;
	f->key = *k;
	if (hashmap_insert(&nr->foreign, &f->hnode, route_key_hash(k, FOREIGN_HASH_SEED)) < 0)
		free(f);
}

static void foreign_del(struct netlink_route *nr, const struct route_key *k)
{
	struct hashmap_node *n = hashmap_take(&nr->foreign, route_key_hash(k, FOREIGN_HASH_SEED), k);
	if (n)
		free(container_of(n, struct foreign_key, hnode));
}

static bool is_v4mapped(const uint8_t a[16])
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(a, pfx, 12) == 0;
}

int netlink_route_open(struct netlink_route *nr, uint32_t table, uint8_t protocol)
{
	memset(nr, 0, sizeof(*nr));
	hashmap_init(&nr->foreign, foreign_eq);
	nr->table = table;
	nr->protocol = protocol;
	nr->seq = (uint32_t)time(NULL) * 7;
	nr->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nr->nl) {
		log_error("netlink route socket: %s", strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(nr->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		log_error("netlink route bind: %s", strerror(errno));
		mnl_socket_close(nr->nl);
		nr->nl = NULL;
		return -1;
	}
	nr->portid = mnl_socket_get_portid(nr->nl);
	int rcv = 4 * 1024 * 1024, one = 1;
	int fd = mnl_socket_get_fd(nr->nl);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	/* Extended ACKs give a reason text for refused routes. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

void netlink_route_close(struct netlink_route *nr)
{
	if (nr->nl)
		mnl_socket_close(nr->nl);
	nr->nl = NULL;
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &nr->foreign);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		hashmap_remove(&nr->foreign, n);
		free(container_of(n, struct foreign_key, hnode));
	}
	hashmap_destroy(&nr->foreign);
}

int netlink_route_fd(const struct netlink_route *nr)
{
	return mnl_socket_get_fd(nr->nl);
}

static void put_table(struct nlmsghdr *h, struct rtmsg *rtm, uint32_t table)
{
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(h, RTA_TABLE, table);
}

/* Builds one route message at buf; returns its length, 0 if it cannot be
 * expressed (IPv4 source-specific routes: the kernel has no such thing). */
static size_t build(struct netlink_route *nr, char *buf, const struct fib_change *c)
{
	const struct route_key *k = &c->key;
	bool v4 = k->dst.family == PREFIX_FAMILY_IPV4;
	if (v4 && k->src.plen)
		return 0;
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_seq = ++nr->seq;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));
	rtm->rtm_family = v4 ? AF_INET : AF_INET6;
	rtm->rtm_dst_len = k->dst.plen;
	rtm->rtm_src_len = k->src.plen;
	rtm->rtm_protocol = nr->protocol;
	rtm->rtm_type = RTN_UNICAST;
	put_table(h, rtm, nr->table);
	mnl_attr_put(h, RTA_DST, v4 ? 4 : 16, k->dst.addr);
	if (k->src.plen)
		mnl_attr_put(h, RTA_SRC, 16, k->src.addr);
	enum fib_op op = c->op;
	if (op == FIB_REMOVE)
		foreign_del(nr, k);
	else if (op == FIB_REPLACE && foreign_find(nr, k))
		op = FIB_ADD; /* ours never got in: replacing would hit theirs */
	if (op == FIB_REMOVE) {
		h->nlmsg_type = RTM_DELROUTE;
		h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	} else {
		h->nlmsg_type = RTM_NEWROUTE;
		/* A creation must not take the place of a route that is not
		 * ours; only a route we installed is replaced in place. */
		h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
				 (op == FIB_ADD ? NLM_F_EXCL : NLM_F_REPLACE);
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;
		mnl_attr_put_u32(h, RTA_OIF, c->ifindex);
		if (v4 && is_v4mapped(c->nexthop.a)) {
			/* On-link: a neighbour may name an IPv4 next hop outside
			 * the link's subnet (BIRD's "next hop ipv4" loopback). */
			rtm->rtm_flags |= RTNH_F_ONLINK;
			mnl_attr_put(h, RTA_GATEWAY, 4, c->nexthop.a + 12);
		} else if (v4) {
			/* RFC 9229: an IPv4 route through an IPv6 next hop. */
			struct {
				uint16_t family;
				uint8_t addr[16];
			} __attribute__((packed)) via;
			via.family = AF_INET6;
			memcpy(via.addr, c->nexthop.a, 16);
			mnl_attr_put(h, RTA_VIA, sizeof(via), &via);
		} else {
			mnl_attr_put(h, RTA_GATEWAY, 16, c->nexthop.a);
		}
		uint32_t mss = nr->advmss ? nr->advmss(nr->advmss_ctx, c->ifindex,
						       k->dst.family) : 0;
		if (mss) {
			struct nlattr *m = mnl_attr_nest_start(h, RTA_METRICS);
			mnl_attr_put_u32(h, RTAX_ADVMSS, mss);
			mnl_attr_nest_end(h, m);
		}
	}
	unsigned slot = h->nlmsg_seq % NLROUTE_RING;
	nr->ring[slot].seq = h->nlmsg_seq;
	nr->ring[slot].op = op;
	nr->ring[slot].key = *k;
	nr->st.ops[op]++;
	return h->nlmsg_len;
}

static void send_batch(struct netlink_route *nr, const char *buf, size_t len)
{
	if (!len)
		return;
	if (mnl_socket_sendto(nr->nl, buf, len) < 0) {
		nr->errors++;
		nr->st.send_failures++;
		log_warn("netlink route send: %s", strerror(errno));
		if (errno == ENOBUFS)
			nr->need_resync = true;
	}
}

void netlink_route_apply(struct netlink_route *nr, const struct fib_change *c, size_t n)
{
	static char buf[NLROUTE_BATCH];
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		if (NLROUTE_BATCH - used < 512) {
			send_batch(nr, buf, used);
			used = 0;
			/* The kernel has queued one ACK per message: read them
			 * before the next batch, or a full table (a resync
			 * replays every route) overflows the socket, loses ACKs
			 * and asks for yet another resync, forever. */
			netlink_route_read(nr);
		}
		size_t l = build(nr, buf + used, &c[i]);
		if (l == 0) {
			char t[ROUTE_KEY_STRLEN];
			route_key_format(&c[i].key, t, sizeof(t));
			log_warn("cannot install %s: the kernel has no source-specific IPv4 routes", t);
			nr->st.unsupported++;
			continue;
		}
		nr->changes++;
		used += MNL_ALIGN(l);
	}
	send_batch(nr, buf, used);
	/* The kernel handles the messages inside sendto(): the ACKs are
	 * already queued, read them now so that the socket never fills. */
	netlink_route_read(nr);
}

static const char *op_name(enum fib_op op)
{
	return op == FIB_ADD ? "add" : op == FIB_REPLACE ? "replace" : "remove";
}

const char *netlink_route_err_name(enum nlroute_err c)
{
	static const char *const names[NLR_ERR_COUNT] = {
		[NLR_ERR_EXISTS] = "exists",       [NLR_ERR_NOT_FOUND] = "not_found",
		[NLR_ERR_UNREACHABLE] = "unreachable", [NLR_ERR_NO_DEVICE] = "no_device",
		[NLR_ERR_INVALID] = "invalid",     [NLR_ERR_NO_MEMORY] = "no_memory",
		[NLR_ERR_PERMISSION] = "permission", [NLR_ERR_OTHER] = "other",
	};
	return (unsigned)c < NLR_ERR_COUNT ? names[c] : "other";
}

enum nlroute_err netlink_route_err_class(int err)
{
	switch (err) {
	case EEXIST:
		return NLR_ERR_EXISTS;
	case ENOENT:
	case ESRCH:
		return NLR_ERR_NOT_FOUND;
	case ENETUNREACH:
	case EHOSTUNREACH:
		return NLR_ERR_UNREACHABLE;
	case ENODEV:
		return NLR_ERR_NO_DEVICE;
	case EINVAL:
	case EAFNOSUPPORT:
	case EOPNOTSUPP:
		return NLR_ERR_INVALID;
	case ENOMEM:
	case ENOBUFS:
		return NLR_ERR_NO_MEMORY;
	case EPERM:
	case EACCES:
		return NLR_ERR_PERMISSION;
	default:
		return NLR_ERR_OTHER;
	}
}

static int ack_cb(const struct nlmsghdr *h, void *data)
{
	struct netlink_route *nr = data;
	if (h->nlmsg_type != NLMSG_ERROR)
		return MNL_CB_OK;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
	if (e->error == 0)
		return MNL_CB_OK;
	unsigned slot = h->nlmsg_seq % NLROUTE_RING;
	char key[ROUTE_KEY_STRLEN] = "?";
	enum fib_op op = FIB_ADD;
	if (nr->ring[slot].seq == h->nlmsg_seq) {
		op = nr->ring[slot].op;
		route_key_format(&nr->ring[slot].key, key, sizeof(key));
	}
	/* Removing a route that is already gone is what we wanted. */
	if (op == FIB_REMOVE && e->error == -ESRCH)
		return MNL_CB_OK;
	nr->st.failed[op][netlink_route_err_class(-e->error)]++;
	if (op == FIB_ADD && e->error == -EEXIST && nr->ring[slot].seq == h->nlmsg_seq) {
		foreign_add(nr, &nr->ring[slot].key);
		nr->refused_foreign++;
		log_limited(&rl_foreign, loop_now_ms(), LOG_L_INFO,
			    "route %s: the kernel holds a route that is not ours in its place "
			    "(table %u); leaving it", key, nr->table);
		return MNL_CB_OK;
	}
	nr->errors++;
	log_limited(&rl_err, loop_now_ms(), LOG_L_WARN, "kernel refused to %s route %s: %s", op_name(op), key,
		    strerror(-e->error));
	return MNL_CB_OK;
}

void netlink_route_read(struct netlink_route *nr)
{
	static char buf[NL_RECV_BUF];
	int fd = mnl_socket_get_fd(nr->nl);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				log_warn("netlink route ACKs lost; resynchronising the routes");
				nr->need_resync = true;
				nr->st.acks_lost++;
				continue;
			}
			return;
		}
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		     mnl_nlmsg_ok(h, (int)n); h = mnl_nlmsg_next(h, (int *)&n))
			ack_cb(h, nr);
	}
}

/* ------------------------------------------------------------ flush */

struct flush_ctx {
	struct netlink_route *nr;
	char *dels;
	size_t used, cap;
	int count;
};

static int rt_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t t = mnl_attr_get_type(a);
	if (t <= RTA_MAX && t < 64)
		tb[t] = a;
	return MNL_CB_OK;
}

/* An address attribute, or zeros when it is missing or too short. */
static const uint8_t *attr_addr(const struct nlattr *a, uint8_t fam)
{
	static const uint8_t zero[16];
	size_t need = fam == PREFIX_FAMILY_IPV4 ? 4 : 16;
	if (!a || mnl_attr_get_payload_len(a) < need)
		return zero;
	return mnl_attr_get_payload(a);
}

static int flush_cb(const struct nlmsghdr *h, void *data)
{
	struct flush_ctx *fc = data;
	if (h->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(h);
	if (rtm->rtm_protocol != fc->nr->protocol)
		return MNL_CB_OK;
	const struct nlattr *tb[64] = {0};
	mnl_attr_parse(h, sizeof(*rtm), rt_attr_cb, tb);
	uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != fc->nr->table)
		return MNL_CB_OK;
	if (fc->used + h->nlmsg_len > fc->cap) {
		size_t cap = fc->cap ? fc->cap * 2 : 65536;
		while (cap < fc->used + h->nlmsg_len)
			cap *= 2;
		char *p = realloc(fc->dels, cap);
		if (!p)
			return MNL_CB_ERROR;
		fc->dels = p;
		fc->cap = cap;
	}
	/* The route as the kernel describes it, turned into its deletion:
	 * exactly that route, protocol included, and nothing else. */
	struct nlmsghdr *d = (struct nlmsghdr *)(fc->dels + fc->used);
	memcpy(d, h, h->nlmsg_len);
	d->nlmsg_type = RTM_DELROUTE;
	d->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	d->nlmsg_seq = ++fc->nr->seq;
	d->nlmsg_pid = 0;
	/* In the ring like any removal: a refusal is then counted and
	 * logged as the removal it is, with its prefix. */
	struct route_key k;
	memset(&k, 0, sizeof(k));
	uint8_t fam = rtm->rtm_family == AF_INET ? PREFIX_FAMILY_IPV4 : PREFIX_FAMILY_IPV6;
	prefix_make(&k.dst, fam, attr_addr(tb[RTA_DST], fam), rtm->rtm_dst_len);
	prefix_make(&k.src, fam, attr_addr(tb[RTA_SRC], fam), rtm->rtm_src_len);
	unsigned slot = d->nlmsg_seq % NLROUTE_RING;
	fc->nr->ring[slot].seq = d->nlmsg_seq;
	fc->nr->ring[slot].op = FIB_REMOVE;
	fc->nr->ring[slot].key = k;
	fc->nr->st.ops[FIB_REMOVE]++;
	fc->used += MNL_ALIGN(h->nlmsg_len);
	fc->count++;
	return MNL_CB_OK;
}

static int dump_family(struct flush_ctx *fc, uint8_t family)
{
	struct netlink_route *nr = fc->nr;
	static char buf[NL_RECV_BUF];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_GETROUTE;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	uint32_t seq = h->nlmsg_seq = ++nr->seq;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));
	rtm->rtm_family = family;
	if (mnl_socket_sendto(nr->nl, h, h->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nr->nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		int r = mnl_cb_run(buf, (size_t)n, seq, nr->portid, flush_cb, fc);
		if (r == MNL_CB_STOP)
			return 0;
		if (r < 0)
			return -1;
	}
}

int netlink_route_flush(struct netlink_route *nr)
{
	struct flush_ctx fc = {.nr = nr};
	/* ACKs still queued from earlier changes would confuse the dump. */
	netlink_route_read(nr);
	if (dump_family(&fc, AF_INET) < 0 || dump_family(&fc, AF_INET6) < 0) {
		log_warn("netlink route dump: %s", strerror(errno));
		free(fc.dels);
		return -1;
	}
	size_t off = 0;
	while (off < fc.used) {
		size_t chunk = 0;
		while (off + chunk < fc.used) {
			const struct nlmsghdr *d = (const struct nlmsghdr *)(fc.dels + off + chunk);
			if (chunk + MNL_ALIGN(d->nlmsg_len) > NLROUTE_BATCH && chunk)
				break;
			chunk += MNL_ALIGN(d->nlmsg_len);
		}
		send_batch(nr, fc.dels + off, chunk);
		off += chunk;
		netlink_route_read(nr);
	}
	free(fc.dels);
	return fc.count;
}
