#include "src/sys/kernel_import.h"

#include <errno.h>
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
#define NL_RECV_BUF 65536

/* A burst of 50k routes added with `ip -batch` queues 50k notifications
 * of about 1 KB of buffer each; past this the kernel drops them (ENOBUFS)
 * and we dump instead, which is correct but slower. */
#define KIMPORT_RCVBUF (32 * 1024 * 1024)

/* Hashing needs no secret here: the kernel's tables are the operator's. */
#define KIMPORT_HASH_SEED 0x6b696d706f7274ULL

/* One kernel route: what identifies it in the kernel (key, table, metric,
 * TOS) and what we report about it. */
struct kroute {
	struct hashmap_node hnode; /* by key only: the routes of one key chain up */
	struct route_key key;
	uint32_t table;
	uint32_t metric;
	uint8_t tos;
	uint8_t proto;
	uint32_t ifindex;
	uint32_t gen;
};

static struct log_ratelimit rl_warn = LOG_RATELIMIT_INIT(10000, 5);

static bool kroute_eq(const struct hashmap_node *n, const void *key)
{
	return route_key_equal(&container_of(n, struct kroute, hnode)->key, key);
}

static uint64_t key_hash(const struct route_key *k)
{
	return route_key_hash(k, KIMPORT_HASH_SEED);
}

static int table_rank(const struct kernel_import *ki, uint32_t table)
{
	for (size_t i = 0; i < ki->n_tables; i++)
		if (ki->tables[i] == table)
			return (int)i;
	return -1;
}

/* The route that speaks for KEY, or NULL when none is left. */
static struct kroute *preferred(const struct kernel_import *ki, const struct route_key *key)
{
	struct kroute *best = NULL;
	for (struct hashmap_node *n = hashmap_find(&ki->routes, key_hash(key), key); n;
	     n = hashmap_find_next(&ki->routes, n, key)) {
		struct kroute *r = container_of(n, struct kroute, hnode);
		if (!best || r->metric < best->metric ||
		    (r->metric == best->metric && table_rank(ki, r->table) < table_rank(ki, best->table)))
			best = r;
	}
	return best;
}

static void report(struct kernel_import *ki, const struct route_key *key)
{
	struct kroute *r = preferred(ki, key);
	if (r)
		ki->fn(ki->arg, key, r->ifindex, r->table, r->metric, r->proto, true);
	else
		ki->fn(ki->arg, key, 0, 0, 0, 0, false);
}

static struct kroute *find_exact(const struct kernel_import *ki, const struct kroute *w)
{
	for (struct hashmap_node *n = hashmap_find(&ki->routes, key_hash(&w->key), &w->key); n;
	     n = hashmap_find_next(&ki->routes, n, &w->key)) {
		struct kroute *r = container_of(n, struct kroute, hnode);
		if (r->table == w->table && r->metric == w->metric && r->tos == w->tos)
			return r;
	}
	return NULL;
}

/* ------------------------------------------------------------ parsing */

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t t = mnl_attr_get_type(a);
	if (t <= RTA_MAX && t < 64)
		tb[t] = a;
	return MNL_CB_OK;
}

/* Destinations never worth announcing, whatever the filters say. */
static bool martian(const struct prefix *p)
{
	const uint8_t *a = p->addr;
	if (p->family == PREFIX_FAMILY_IPV4)
		return (p->plen >= 8 && a[0] == 127) || (p->plen >= 4 && a[0] >= 224);
	if (p->plen >= 10 && a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return true;
	if (p->plen >= 8 && a[0] == 0xff)
		return true;
	static const uint8_t lo6[16] = {[15] = 1};
	return p->plen == 128 && memcmp(a, lo6, 16) == 0;
}

/* Turns a route message into W; false when it is none of our business. */
static bool parse_route(const struct kernel_import *ki, const struct nlmsghdr *h, struct kroute *w)
{
	if (h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type != RTM_DELROUTE)
		return false;
	if (mnl_nlmsg_get_payload_len(h) < sizeof(struct rtmsg))
		return false;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(h);
	uint8_t fam;
	size_t alen;
	if (rtm->rtm_family == AF_INET) {
		fam = PREFIX_FAMILY_IPV4;
		alen = 4;
	} else if (rtm->rtm_family == AF_INET6) {
		fam = PREFIX_FAMILY_IPV6;
		alen = 16;
	} else {
		return false;
	}
	if (rtm->rtm_flags & RTM_F_CLONED)
		return false;
	switch (rtm->rtm_type) {
	case RTN_UNICAST:
	case RTN_BLACKHOLE:
	case RTN_UNREACHABLE:
	case RTN_PROHIBIT:
		break;
	default: /* local, broadcast, multicast, anycast, throw, nat */
		return false;
	}
	const struct nlattr *tb[64] = {0};
	if (mnl_attr_parse(h, sizeof(*rtm), attr_cb, tb) < 0)
		return false;
	uint32_t table = rtm->rtm_table;
	if (tb[RTA_TABLE] && mnl_attr_get_payload_len(tb[RTA_TABLE]) >= 4)
		table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (table_rank(ki, table) < 0)
		return false;
	/* Ours: reporting them would announce what we learned as our own. */
	if (table == ki->export_table && rtm->rtm_protocol == ki->protocol)
		return false;
	memset(w, 0, sizeof(*w));
	uint8_t zero[16] = {0};
	const uint8_t *dst = zero, *src = zero;
	if (tb[RTA_DST]) {
		if (mnl_attr_get_payload_len(tb[RTA_DST]) < alen)
			return false;
		dst = mnl_attr_get_payload(tb[RTA_DST]);
	}
	if (tb[RTA_SRC]) {
		if (mnl_attr_get_payload_len(tb[RTA_SRC]) < alen)
			return false;
		src = mnl_attr_get_payload(tb[RTA_SRC]);
	}
	if (fam == PREFIX_FAMILY_IPV4 && rtm->rtm_src_len)
		return false; /* no such thing as an IPv4 source-specific route here */
	struct prefix pd, ps;
	if (prefix_make(&pd, fam, dst, rtm->rtm_dst_len) < 0 ||
	    prefix_make(&ps, fam, src, rtm->rtm_src_len) < 0)
		return false;
	if (martian(&pd))
		return false;
	if (route_key_make(&w->key, &pd, &ps) < 0)
		return false;
	w->table = table;
	w->tos = rtm->rtm_tos;
	w->proto = rtm->rtm_protocol;
	if (tb[RTA_PRIORITY] && mnl_attr_get_payload_len(tb[RTA_PRIORITY]) >= 4)
		w->metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_OIF] && mnl_attr_get_payload_len(tb[RTA_OIF]) >= 4) {
		w->ifindex = mnl_attr_get_u32(tb[RTA_OIF]);
	} else if (tb[RTA_MULTIPATH] &&
		   mnl_attr_get_payload_len(tb[RTA_MULTIPATH]) >= sizeof(struct rtnexthop)) {
		const struct rtnexthop *nh = mnl_attr_get_payload(tb[RTA_MULTIPATH]);
		w->ifindex = (uint32_t)nh->rtnh_ifindex;
	}
	return true;
}

/* Applies one route message.  Reports only when what the caller sees
 * for the key may have changed. */
static void apply(struct kernel_import *ki, const struct nlmsghdr *h)
{
	struct kroute w;
	if (!parse_route(ki, h, &w))
		return;
	ki->events++;
	struct kroute *r = find_exact(ki, &w);
	if (h->nlmsg_type == RTM_DELROUTE) {
		if (!r)
			return;
		hashmap_remove(&ki->routes, &r->hnode);
		free(r);
		report(ki, &w.key);
		return;
	}
	if (r) {
		bool same = r->proto == w.proto && r->ifindex == w.ifindex;
		r->proto = w.proto;
		r->ifindex = w.ifindex;
		r->gen = ki->gen;
		if (!same)
			report(ki, &w.key);
		return;
	}
	r = malloc(sizeof(*r));
	if (r) {
		*r = w;
		r->gen = ki->gen;
	}
	if (!r || hashmap_insert(&ki->routes, &r->hnode, key_hash(&w.key)) < 0) {
		free(r);
		log_limited(&rl_warn, loop_now_ms(), LOG_L_WARN, "import table: out of memory");
		return;
	}
	report(ki, &w.key);
}

static int apply_cb(const struct nlmsghdr *h, void *data)
{
	apply(data, h);
	return MNL_CB_OK;
}

/* ------------------------------------------------------------ dump */

/* Dumps both families on a socket of its own (the subscribed one keeps
 * queueing notifications meanwhile: what changes during the dump is
 * either in it or arrives afterwards, and applying twice is harmless). */
static int dump(struct kernel_import *ki)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -1;
	int ret = -1;
	char *buf = malloc(NL_RECV_BUF);
	if (!buf || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	uint32_t portid = mnl_socket_get_portid(nl);
	static const uint8_t families[] = {AF_INET, AF_INET6};
	for (size_t f = 0; f < sizeof(families); f++) {
		struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
		h->nlmsg_type = RTM_GETROUTE;
		h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		uint32_t seq = h->nlmsg_seq = ++ki->seq;
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));
		rtm->rtm_family = families[f];
		if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
			goto out;
		for (;;) {
			ssize_t n = mnl_socket_recvfrom(nl, buf, NL_RECV_BUF);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				goto out;
			}
			int r = mnl_cb_run(buf, (size_t)n, seq, portid, apply_cb, ki);
			if (r == MNL_CB_STOP)
				break;
			if (r < 0)
				goto out;
		}
	}
	ret = 0;
out:
	if (ret < 0)
		log_warn("import tables: route dump: %s", strerror(errno));
	free(buf);
	mnl_socket_close(nl);
	return ret;
}

/* Notifications were lost: dump again, then forget whatever the dump did
 * not show. */
static void resync(struct kernel_import *ki)
{
	ki->resyncs++;
	ki->gen++;
	if (dump(ki) < 0)
		return; /* keep what we have; the next ENOBUFS or restart retries */
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &ki->routes);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		struct kroute *r = container_of(n, struct kroute, hnode);
		if (r->gen == ki->gen)
			continue;
		struct route_key key = r->key;
		hashmap_remove(&ki->routes, n);
		free(r);
		/* Only finds and reports: the iterator stays valid. */
		report(ki, &key);
	}
}

/* ------------------------------------------------------------ API */

int kernel_import_open(struct kernel_import *ki, const uint32_t *tables, size_t n_tables,
		       uint32_t export_table, uint8_t protocol, kernel_import_fn *fn, void *arg)
{
	memset(ki, 0, sizeof(*ki));
	hashmap_init(&ki->routes, kroute_eq);
	if (n_tables == 0)
		return 0;
	ki->tables = malloc(n_tables * sizeof(*tables));
	if (!ki->tables)
		return -1;
	memcpy(ki->tables, tables, n_tables * sizeof(*tables));
	ki->n_tables = n_tables;
	ki->export_table = export_table;
	ki->protocol = protocol;
	ki->fn = fn;
	ki->arg = arg;
	ki->seq = (uint32_t)time(NULL) * 13;
	ki->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!ki->nl) {
		log_error("import tables: netlink socket: %s", strerror(errno));
		goto fail;
	}
	if (mnl_socket_bind(ki->nl, (1u << (RTNLGRP_IPV4_ROUTE - 1)) | (1u << (RTNLGRP_IPV6_ROUTE - 1)),
			    MNL_SOCKET_AUTOPID) < 0) {
		log_error("import tables: netlink bind: %s", strerror(errno));
		goto fail;
	}
	int rcv = KIMPORT_RCVBUF;
	int fd = mnl_socket_get_fd(ki->nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (dump(ki) < 0)
		goto fail;
	return 0;
fail:
	kernel_import_close(ki);
	return -1;
}

void kernel_import_close(struct kernel_import *ki)
{
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &ki->routes);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		hashmap_remove(&ki->routes, n);
		free(container_of(n, struct kroute, hnode));
	}
	hashmap_destroy(&ki->routes);
	if (ki->nl)
		mnl_socket_close(ki->nl);
	ki->nl = NULL;
	free(ki->tables);
	ki->tables = NULL;
	ki->n_tables = 0;
}

int kernel_import_fd(const struct kernel_import *ki)
{
	return ki->nl ? mnl_socket_get_fd(ki->nl) : -1;
}

void kernel_import_replay(struct kernel_import *ki)
{
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &ki->routes);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		struct kroute *r = container_of(n, struct kroute, hnode);
		if (r == preferred(ki, &r->key)) /* once per prefix */
			ki->fn(ki->arg, &r->key, r->ifindex, r->table, r->metric, r->proto, true);
	}
}

size_t kernel_import_count(const struct kernel_import *ki)
{
	return hashmap_count(&ki->routes);
}

void kernel_import_read(struct kernel_import *ki)
{
	if (!ki->nl)
		return;
	static char buf[NL_RECV_BUF];
	int fd = mnl_socket_get_fd(ki->nl);
	bool lost = false;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				lost = true;
				continue;
			}
			break;
		}
		if (lost)
			continue; /* the dump below covers it */
		int len = (int)n;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len))
			apply(ki, h);
	}
	if (lost) {
		log_notice("import tables: route notifications lost; dumping the tables again");
		resync(ki);
	}
}
