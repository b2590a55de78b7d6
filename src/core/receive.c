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

/* Label values for the metrics: stable names, never renamed (dashboards
 * and alerts select on them). */
const char *engine_drop_name(enum engine_drop d)
{
	static const char *const names[ENGINE_DROP_COUNT] = {
		[ENGINE_DROP_UNKNOWN_INTERFACE] = "unknown_interface",
		[ENGINE_DROP_NOT_LINK_LOCAL] = "not_link_local",
		[ENGINE_DROP_MALFORMED] = "malformed_packet",
		[ENGINE_DROP_BAD_VERSION] = "bad_version",
		[ENGINE_DROP_BROKEN_TLV] = "truncated_tlv",
		[ENGINE_DROP_NO_MEMORY] = "no_memory",
	};
	return (unsigned)d < ENGINE_DROP_COUNT ? names[d] : "unknown";
}

const char *engine_tlv_name(unsigned slot)
{
	static const char *const names[ENGINE_TLV_OTHER] = {
		[BABEL_TLV_PAD1] = "pad1",
		[BABEL_TLV_PADN] = "padn",
		[BABEL_TLV_ACK_REQ] = "ack_request",
		[BABEL_TLV_ACK] = "ack",
		[BABEL_TLV_HELLO] = "hello",
		[BABEL_TLV_IHU] = "ihu",
		[BABEL_TLV_ROUTER_ID] = "router_id",
		[BABEL_TLV_NEXT_HOP] = "next_hop",
		[BABEL_TLV_UPDATE] = "update",
		[BABEL_TLV_ROUTE_REQ] = "route_request",
		[BABEL_TLV_SEQNO_REQ] = "seqno_request",
		[BABEL_TLV_MAC] = "mac",
		[BABEL_TLV_PC] = "pc",
		[BABEL_TLV_CHALLENGE_REQ] = "challenge_request",
		[BABEL_TLV_CHALLENGE_REPLY] = "challenge_reply",
	};
	return slot < ENGINE_TLV_OTHER ? names[slot] : NULL;
}

void receive_drop(struct engine *e, struct iface *ifp, enum engine_drop why)
{
	e->st.packets_dropped++;
	e->st.drops[why]++;
	if (ifp)
		ifp->cnt.drops[why]++;
}

void receive_packet(struct engine *e, struct iface *ifp, const struct link_addr *from,
		    bool to_multicast, const uint8_t *pkt, size_t len)
{
	e->st.packets_in++;
	e->st.bytes_in += len;
	ifp->cnt.packets_in++;
	ifp->cnt.bytes_in += len;
	if (!link_local(from)) {
		receive_drop(e, ifp, ENGINE_DROP_NOT_LINK_LOCAL);
		return;
	}
	struct babel_packet p;
	enum babel_result res = babel_packet_split(pkt, len, &p);
	if (res != BABEL_OK) {
		receive_drop(e, ifp,
			     res == BABEL_IGNORE ? ENGINE_DROP_BAD_VERSION : ENGINE_DROP_MALFORMED);
		return;
	}
	/* Pass 1: validation (and the TLV counts: every TLV is seen here
	 * once, pass 2 may stop early). */
	struct babel_iter it;
	struct babel_tlv t;
	bool has_ts = false;
	uint32_t ts = 0;
	babel_iter_body(&it, &p);
	while ((res = babel_iter_next(&it, &t)) != BABEL_END) {
		if (res == BABEL_MALFORMED) {
			e->st.tlvs_malformed++;
			ifp->cnt.tlvs_malformed++;
			/* A TLV that broke the framing has no type worth
			 * counting: its length lied, the packet is dropped. */
			if (babel_iter_broken(&it))
				break;
		} else if (res == BABEL_IGNORE) {
			e->st.tlvs_ignored++;
			ifp->cnt.tlvs_ignored++;
		} else if (t.type == BABEL_TLV_HELLO && t.hello.has_timestamp && !has_ts) {
			has_ts = true;
			ts = t.hello.timestamp;
		}
		ifp->cnt.tlvs_in[engine_tlv_slot(t.type)]++;
	}
	if (babel_iter_broken(&it)) {
		receive_drop(e, ifp, ENGINE_DROP_BROKEN_TLV);
		return;
	}
	/* Pass 2: apply. */
	struct neighbour *nb = neighbour_get(e, ifp, from);
	if (!nb) {
		receive_drop(e, ifp, ENGINE_DROP_NO_MEMORY);
		return;
	}
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
