/* Receiving a packet: decode and validate the whole of it first, then
 * apply its TLVs in order (RFC 8966 4.2, 4.3).  A packet whose framing
 * breaks is dropped entirely; a single malformed or unknown TLV is skipped
 * (the codec has already poisoned what it would have set). */
#include "src/core/engine_internal.h"

#include <string.h>

/* RFC 8966 4.1 (and 3.1): Babel packets come from link-local addresses. */
static bool link_local(const struct link_addr *a)
{
	return a->a[0] == 0xfe && (a->a[1] & 0xc0) == 0x80;
}

/* 4.6.9: a wildcard retraction withdraws everything the sender announced. */
static void wildcard_retraction(struct engine *e, struct neighbour *nb,
				const struct babel_update *u)
{
	struct list_node *l, *tmp;
	LIST_FOREACH_SAFE(l, tmp, &nb->routes) {
		struct route *r = container_of(l, struct route, nlink);
		if (r->refmetric == INF)
			continue;
		struct babel_update w = *u;
		w.ae = r->d->key.dst.family == PREFIX_FAMILY_IPV4 ? BABEL_AE_IPV4 : BABEL_AE_IPV6;
		babel_from_prefix(&w.prefix, &r->d->key.dst);
		w.has_src = route_key_is_source_specific(&r->d->key);
		babel_from_prefix(&w.src, &r->d->key.src);
		w.metric = INF;
		route_receive_update(e, nb, &w, &r->nexthop);
	}
}

void receive_packet(struct engine *e, struct iface *ifp, const struct link_addr *from,
		    bool to_multicast, const uint8_t *pkt, size_t len)
{
	e->st.packets_in++;
	struct babel_packet p;
	if (!link_local(from) || babel_packet_split(pkt, len, &p) != BABEL_OK) {
		e->st.packets_dropped++;
		return;
	}
	/* Pass 1: validation. */
	struct babel_iter it;
	struct babel_tlv t;
	enum babel_result res;
	bool has_ts = false;
	uint32_t ts = 0;
	babel_iter_body(&it, &p);
	while ((res = babel_iter_next(&it, &t)) != BABEL_END) {
		if (res == BABEL_MALFORMED)
			e->st.tlvs_malformed++;
		else if (res == BABEL_IGNORE)
			e->st.tlvs_ignored++;
		else if (t.type == BABEL_TLV_HELLO && t.hello.has_timestamp && !has_ts) {
			has_ts = true;
			ts = t.hello.timestamp;
		}
	}
	if (babel_iter_broken(&it)) {
		e->st.packets_dropped++;
		return;
	}
	/* Pass 2: apply. */
	struct neighbour *nb = neighbour_get(e, ifp, from);
	if (!nb)
		return;
	babel_iter_body(&it, &p);
	while ((res = babel_iter_next(&it, &t)) != BABEL_END) {
		if (res != BABEL_OK)
			continue;
		switch (t.type) {
		case BABEL_TLV_ACK_REQ:
			ack_request_received(e, nb, &t.ack_req);
			break;
		case BABEL_TLV_ACK:
			ack_received(e, nb, t.ack.opaque);
			break;
		case BABEL_TLV_HELLO:
			neighbour_hello(e, nb, &t.hello, !to_multicast);
			break;
		case BABEL_TLV_IHU:
			neighbour_ihu(e, nb, &t.ihu, has_ts, ts);
			break;
		case BABEL_TLV_UPDATE: {
			e->st.updates_in++;
			if (t.update.ae == BABEL_AE_WILDCARD) {
				wildcard_retraction(e, nb, &t.update);
				break;
			}
			struct link_addr nh = *from;
			if (t.update.has_next_hop)
				link_from_babel(&nh, &t.update.next_hop);
			route_receive_update(e, nb, &t.update, &nh);
			break;
		}
		case BABEL_TLV_ROUTE_REQ:
			request_route(e, nb, &t.route_req, !to_multicast);
			break;
		case BABEL_TLV_SEQNO_REQ:
			request_seqno_received(e, nb, &t.seqno_req);
			break;
		default:
			break; /* Router-Id and Next Hop: already in the parser state */
		}
		if (nb->dead)
			return;
	}
}
