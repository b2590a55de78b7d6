/* Longest-prefix forwarding over a radio link: see radio_fwd.h. */
#include "src/sys/radio_fwd.h"

#include <stdlib.h>
#include <string.h>

#include "proto/callsign_ll.h"

/* ------------------------------------------------------ IP header parse */

enum radio_ip_result radio_ip_parse(const uint8_t *pkt, size_t len, struct radio_ip *out)
{
	if (len < 1)
		return RADIO_IP_ERR_SHORT;
	uint8_t version = pkt[0] >> 4;
	memset(out, 0, sizeof *out);
	if (version == 4) {
		if (len < 20)
			return RADIO_IP_ERR_SHORT;
		size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
		if (ihl < 20 || ihl > len)
			return RADIO_IP_ERR_HEADER;
		size_t total = (size_t)pkt[2] << 8 | pkt[3];
		if (total < ihl || total > len)
			return RADIO_IP_ERR_LENGTH;
		out->family = PREFIX_FAMILY_IPV4;
		memcpy(out->src, pkt + 12, 4);
		memcpy(out->dst, pkt + 16, 4);
		return RADIO_IP_OK;
	}
	if (version == 6) {
		if (len < 40)
			return RADIO_IP_ERR_SHORT;
		size_t payload = (size_t)pkt[4] << 8 | pkt[5];
		if (40 + payload > len)
			return RADIO_IP_ERR_LENGTH;
		out->family = PREFIX_FAMILY_IPV6;
		memcpy(out->src, pkt + 8, 16);
		memcpy(out->dst, pkt + 24, 16);
		return RADIO_IP_OK;
	}
	return RADIO_IP_ERR_VERSION;
}

const char *radio_ip_result_str(enum radio_ip_result r)
{
	switch (r) {
	case RADIO_IP_OK: return "ok";
	case RADIO_IP_ERR_SHORT: return "shorter than an IP header";
	case RADIO_IP_ERR_VERSION: return "not IPv4 or IPv6";
	case RADIO_IP_ERR_HEADER: return "bad IPv4 header length";
	case RADIO_IP_ERR_LENGTH: return "IP length past the packet";
	case RADIO_IP_RESULT_COUNT: break;
	}
	return "?";
}

const char *radio_fwd_result_str(enum radio_fwd_result r)
{
	switch (r) {
	case RADIO_FWD_OK: return "ok";
	case RADIO_FWD_MALFORMED: return "malformed IP packet";
	case RADIO_FWD_NO_ROUTE: return "no route";
	case RADIO_FWD_NO_CALLSIGN: return "next hop is not a callsign";
	case RADIO_FWD_RESULT_COUNT: break;
	}
	return "?";
}

/* ------------------------------------------------------------- the table */

struct fwd_route {
	struct fwd_route *next;  /* same destination, longer sources first */
	struct prefix src;
	struct link_addr nexthop;
	struct ax25_addr call;
	bool has_call;
};

struct fwd_node {
	struct fwd_node *child[2];
	struct fwd_route *routes;
};

struct radio_fwd {
	uint32_t ifindex;
	size_t count;
	struct fwd_node *root[2]; /* IPv4, IPv6 */
	struct radio_fwd_stats stats;
};

static bool addr_bit(const uint8_t *a, unsigned i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

static int family_index(uint8_t family)
{
	return family == PREFIX_FAMILY_IPV4 ? 0 : family == PREFIX_FAMILY_IPV6 ? 1 : -1;
}

struct radio_fwd *radio_fwd_new(uint32_t ifindex)
{
	struct radio_fwd *t = calloc(1, sizeof *t);
	if (t)
		t->ifindex = ifindex;
	return t;
}

static void node_free(struct fwd_node *n)
{
	if (!n)
		return;
	node_free(n->child[0]);
	node_free(n->child[1]);
	struct fwd_route *r = n->routes;
	while (r) {
		struct fwd_route *next = r->next;
		free(r);
		r = next;
	}
	free(n);
}

void radio_fwd_clear(struct radio_fwd *t)
{
	for (int f = 0; f < 2; f++) {
		node_free(t->root[f]);
		t->root[f] = NULL;
	}
	t->count = 0;
}

void radio_fwd_free(struct radio_fwd *t)
{
	if (!t)
		return;
	radio_fwd_clear(t);
	free(t);
}

size_t radio_fwd_count(const struct radio_fwd *t)
{
	return t->count;
}

uint32_t radio_fwd_ifindex(const struct radio_fwd *t)
{
	return t->ifindex;
}

const struct radio_fwd_stats *radio_fwd_stats(const struct radio_fwd *t)
{
	return &t->stats;
}

/* A key the table can hold: valid prefixes of one family, normalised. */
static bool key_ok(const struct route_key *key)
{
	if (!prefix_valid(&key->dst) || family_index(key->dst.family) < 0)
		return false;
	if (key->src.plen == 0)
		return true;
	return prefix_valid(&key->src) && key->src.family == key->dst.family;
}

int radio_fwd_set(struct radio_fwd *t, const struct route_key *key,
		  const struct link_addr *nexthop)
{
	if (!key_ok(key)) {
		t->stats.bad_changes++;
		return -1;
	}
	struct prefix dst = key->dst, src = key->src;
	prefix_normalise(&dst);
	if (src.plen == 0)
		memset(&src, 0, sizeof src);
	else
		prefix_normalise(&src);

	struct fwd_node **np = &t->root[family_index(dst.family)];
	for (unsigned i = 0;; i++) {
		if (!*np) {
			*np = calloc(1, sizeof **np);
			if (!*np) {
				t->stats.bad_changes++;
				return -1; /* empty nodes left behind are harmless */
			}
		}
		if (i == dst.plen)
			break;
		np = &(*np)->child[addr_bit(dst.addr, i)];
	}
	struct fwd_node *n = *np;

	/* Find the route with this source, or where it goes (longer first). */
	struct fwd_route **rp = &n->routes;
	while (*rp && (*rp)->src.plen > src.plen)
		rp = &(*rp)->next;
	struct fwd_route *r = NULL;
	for (struct fwd_route **q = rp; *q && (*q)->src.plen == src.plen; q = &(*q)->next)
		if (memcmp((*q)->src.addr, src.addr, sizeof src.addr) == 0) {
			r = *q;
			break;
		}
	if (!r) {
		r = calloc(1, sizeof *r);
		if (!r) {
			t->stats.bad_changes++;
			return -1;
		}
		r->src = src;
		r->next = *rp;
		*rp = r;
		t->count++;
	}
	r->nexthop = *nexthop;
	r->has_call = callsign_from_ll(nexthop->a, &r->call) == AX25_OK;
	return 0;
}

int radio_fwd_del(struct radio_fwd *t, const struct route_key *key)
{
	if (!key_ok(key))
		return 0;
	struct prefix dst = key->dst, src = key->src;
	prefix_normalise(&dst);
	if (src.plen == 0)
		memset(&src, 0, sizeof src);
	else
		prefix_normalise(&src);

	/* The path from the root, to prune emptied nodes on the way back. */
	struct fwd_node **path[129];
	struct fwd_node **np = &t->root[family_index(dst.family)];
	unsigned depth = 0;
	for (;;) {
		if (!*np)
			return 0;
		path[depth] = np;
		if (depth == dst.plen)
			break;
		np = &(*np)->child[addr_bit(dst.addr, depth)];
		depth++;
	}
	struct fwd_node *n = *np;
	struct fwd_route **rp = &n->routes;
	while (*rp && !((*rp)->src.plen == src.plen &&
			memcmp((*rp)->src.addr, src.addr, sizeof src.addr) == 0))
		rp = &(*rp)->next;
	if (!*rp)
		return 0;
	struct fwd_route *r = *rp;
	*rp = r->next;
	free(r);
	t->count--;
	for (unsigned d = depth + 1; d-- > 0;) {
		struct fwd_node *m = *path[d];
		if (m->routes || m->child[0] || m->child[1])
			break;
		free(m);
		*path[d] = NULL;
	}
	return 1;
}

void radio_fwd_apply(struct radio_fwd *t, const struct fib_change *changes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct fib_change *c = &changes[i];
		if (c->op != FIB_REMOVE && c->ifindex == t->ifindex)
			radio_fwd_set(t, &c->key, &c->nexthop);
		else
			radio_fwd_del(t, &c->key);
	}
}

static bool src_matches(const struct prefix *p, const uint8_t *src)
{
	unsigned full = p->plen / 8, rest = p->plen % 8;
	if (memcmp(p->addr, src, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return (p->addr[full] & mask) == (src[full] & mask);
}

enum radio_fwd_result radio_fwd_lookup(const struct radio_fwd *t, uint8_t family,
				       const uint8_t *dst, const uint8_t *src,
				       struct ax25_addr *call, struct route_key *key,
				       struct link_addr *nexthop)
{
	int fi = family_index(family);
	if (fi < 0)
		return RADIO_FWD_NO_ROUTE;
	unsigned bits = prefix_family_bits(family);
	/* Nodes holding routes along the destination's path, shortest first. */
	const struct fwd_node *hit[129];
	unsigned hit_len[129];
	size_t nhit = 0;
	const struct fwd_node *n = t->root[fi];
	for (unsigned i = 0; n; i++) {
		if (n->routes) {
			hit[nhit] = n;
			hit_len[nhit++] = i;
		}
		if (i == bits)
			break;
		n = n->child[addr_bit(dst, i)];
	}
	while (nhit-- > 0) {
		for (const struct fwd_route *r = hit[nhit]->routes; r; r = r->next) {
			if (r->src.plen && (!src || !src_matches(&r->src, src)))
				continue;
			if (key) {
				prefix_make(&key->dst, family, dst, hit_len[nhit]);
				key->src = r->src;
				if (r->src.plen == 0)
					key->src.family = family;
			}
			if (nexthop)
				*nexthop = r->nexthop;
			if (!r->has_call)
				return RADIO_FWD_NO_CALLSIGN;
			if (call)
				*call = r->call;
			return RADIO_FWD_OK;
		}
	}
	return RADIO_FWD_NO_ROUTE;
}

enum radio_fwd_result radio_fwd_packet(struct radio_fwd *t, const uint8_t *pkt, size_t len,
				       struct ax25_addr *call)
{
	struct radio_ip ip;
	enum radio_ip_result pr = radio_ip_parse(pkt, len, &ip);
	enum radio_fwd_result res;
	if (pr != RADIO_IP_OK) {
		t->stats.malformed[pr]++;
		res = RADIO_FWD_MALFORMED;
	} else {
		res = radio_fwd_lookup(t, ip.family, ip.dst, ip.src, call, NULL, NULL);
	}
	t->stats.result[res]++;
	return res;
}

/* ---------------------------------------------------- advertised MSS */

uint32_t radio_advmss(uint8_t family, size_t paclen)
{
	size_t hdr;
	if (family == PREFIX_FAMILY_IPV4)
		hdr = 40;
	else if (family == PREFIX_FAMILY_IPV6)
		hdr = 60;
	else
		return 0;
	size_t frame = paclen < 1280 ? paclen : 1280;
	if (frame < hdr + RADIO_ADVMSS_MIN)
		return RADIO_ADVMSS_MIN;
	return (uint32_t)(frame - hdr);
}
