/* Neighbours: acquisition from Hellos, the multicast and unicast Hello
 * histories, IHUs both ways, expiry, and link costs (RFC 8966 3.4,
 * Appendix A; RFC 9616 for the RTT). */
#include "src/core/engine_internal.h"

#include <stdlib.h>
#include <string.h>

struct neighbour *neighbour_find(struct iface *ifp, const struct link_addr *a)
{
	struct list_node *n;
	LIST_FOREACH(n, &ifp->neighbours) {
		struct neighbour *nb = container_of(n, struct neighbour, link);
		if (memcmp(nb->addr.a, a->a, 16) == 0)
			return nb;
	}
	return NULL;
}

static void expire_check(struct engine *e, struct neighbour *nb)
{
	/* A.1: when both histories hold nothing but losses, the neighbour
	 * entry is flushed. */
	if (hello_history_empty(&nb->mh) && hello_history_empty(&nb->uh))
		neighbour_flush(e, nb);
	else
		neighbour_update_cost(e, nb);
}

/* A.1: the Hello timer expired: one more interval without a Hello. */
static void mh_fire(struct engine *e, struct etimer *t)
{
	struct neighbour *nb = container_of(t, struct neighbour, mh_timer);
	hello_history_missed(&nb->mh);
	if (nb->mh_interval)
		etimer_at(e, t, e->now + (uint64_t)nb->mh_interval * 10u);
	expire_check(e, nb);
}

static void uh_fire(struct engine *e, struct etimer *t)
{
	struct neighbour *nb = container_of(t, struct neighbour, uh_timer);
	hello_history_missed(&nb->uh);
	if (nb->uh_interval)
		etimer_at(e, t, e->now + (uint64_t)nb->uh_interval * 10u);
	expire_check(e, nb);
}

/* IHU hold time expired: we no longer know our transmission cost. */
static void ihu_fire(struct engine *e, struct etimer *t)
{
	struct neighbour *nb = container_of(t, struct neighbour, ihu_timer);
	nb->txcost = INF;
	neighbour_update_cost(e, nb);
}

/* A scheduled unicast Hello to this neighbour (RFC 8966 3.4.1), with an
 * IHU: the neighbour keeps a unicast history of us. */
static void uhello_fire(struct engine *e, struct etimer *t)
{
	struct neighbour *nb = container_of(t, struct neighbour, uhello_timer);
	struct iface *ifp = nb->ifp;
	struct babel_hello h = { 0 };
	h.flags = BABEL_HELLO_UNICAST;
	h.seqno = nb->uhello_seqno++;
	h.interval = (uint16_t)(ifp->cfg.hello_interval_ms / 10);
	if (ifp->cfg.enable_timestamps == OPT_ON) {
		h.has_timestamp = true;
		h.timestamp = engine_now_us(e);
	}
	outbuf_put(e, &nb->ubuf, put_hello, &h);
	neighbour_send_ihu(e, nb, &nb->ubuf);
	outbuf_flush_at(e, &nb->ubuf, e->now);
	etimer_at(e, t, e->now + rng_jitter(&e->rng, ifp->cfg.hello_interval_ms, 25));
}

/* An IHU that should not wait for the next Hello.  Where updates go
 * unicast it goes to the neighbour alone; otherwise in the interface's
 * multicast packet, where the IHUs for every neighbour learnt at once and
 * the Hello that iface_hello_soon() brings forward share one packet: on a
 * radio channel each packet costs its TX delay, whatever its length. */
static void ihu_soon(struct engine *e, struct neighbour *nb, uint64_t within_ms)
{
	struct outbuf *o = nb->ifp->cfg.unicast == OPT_ON ? &nb->ubuf : &nb->ifp->mcast;
	neighbour_send_ihu(e, nb, o);
	outbuf_flush_at(e, o, e->now + rng_delay(&e->rng, within_ms));
}

void neighbour_start_unicast_hellos(struct engine *e, struct neighbour *nb)
{
	if (nb->ifp->cfg.unicast == OPT_ON) {
		if (!timer_scheduled(&nb->uhello_timer.t))
			etimer_at(e, &nb->uhello_timer,
				  e->now + rng_delay(&e->rng, nb->ifp->cfg.hello_interval_ms / 2));
	} else {
		etimer_cancel(e, &nb->uhello_timer);
	}
}

struct neighbour *neighbour_get(struct engine *e, struct iface *ifp, const struct link_addr *a)
{
	struct neighbour *nb = neighbour_find(ifp, a);
	if (nb)
		return nb;
	nb = calloc(1, sizeof(*nb));
	if (!nb)
		return NULL;
	nb->id = engine_new_id(e);
	nb->ifp = ifp;
	nb->addr = *a;
	hello_history_init(&nb->mh);
	hello_history_init(&nb->uh);
	etimer_init(&nb->mh_timer, mh_fire);
	etimer_init(&nb->uh_timer, uh_fire);
	etimer_init(&nb->ihu_timer, ihu_fire);
	etimer_init(&nb->uhello_timer, uhello_fire);
	nb->txcost = INF;
	nb->rxcost = INF;
	nb->cost = INF;
	nb->hint = LINK_HINT_NEUTRAL;
	nb->uhello_seqno = (uint16_t)rng_next(&e->rng);
	outbuf_init(&nb->ubuf, ifp, nb);
	list_init(&nb->routes);
	list_push_back(&ifp->neighbours, &nb->link);
	engine_notify(e, EV_NEIGHBOUR_ADD, nb);
	neighbour_start_unicast_hellos(e, nb);
	return nb;
}

void neighbour_flush(struct engine *e, struct neighbour *nb)
{
	nb->dead = true;
	route_flush_neighbour(e, nb);
	request_forget_neighbour(e, nb);
	ack_forget_neighbour(e, nb);
	etimer_cancel(e, &nb->mh_timer);
	etimer_cancel(e, &nb->uh_timer);
	etimer_cancel(e, &nb->ihu_timer);
	etimer_cancel(e, &nb->uhello_timer);
	outbuf_free(e, &nb->ubuf);
	list_remove(&nb->link);
	engine_notify(e, EV_NEIGHBOUR_FLUSH, nb);
	free(nb);
}

void neighbour_hello(struct engine *e, struct neighbour *nb, const struct babel_hello *h,
		     bool pkt_unicast)
{
	(void)pkt_unicast;
	bool unicast = (h->flags & BABEL_HELLO_UNICAST) != 0;
	struct hello_history *hist = unicast ? &nb->uh : &nb->mh;
	struct etimer *t = unicast ? &nb->uh_timer : &nb->mh_timer;
	enum hello_event ev = hello_history_receive(hist, h->seqno);
	if (unicast)
		nb->uh_interval = h->interval;
	else
		nb->mh_interval = h->interval;
	/* A.1: the Hello timer runs for 1.5 times the advertised interval;
	 * an interval of 0 announces no further Hello of this kind. */
	if (h->interval)
		etimer_at(e, t, e->now + (uint64_t)h->interval * 15u);
	else
		etimer_cancel(e, t);
	if (h->has_timestamp && nb->ifp->cfg.enable_timestamps == OPT_ON) {
		nb->hello_ts_valid = true;
		nb->hello_ts = h->timestamp;
		nb->hello_rx_us = engine_now_us(e);
	}
	neighbour_update_cost(e, nb);
	if (ev == HELLO_FIRST || ev == HELLO_RESET) {
		/* A new neighbour learns its txcost at once rather than after
		 * up to three of our Hello intervals, and gets our next Hello
		 * soon: it needs two of them to count us as reachable. */
		ihu_soon(e, nb, URGENT_MS);
		if (!unicast)
			iface_hello_soon(e, nb->ifp);
	}
}

void neighbour_ihu(struct engine *e, struct neighbour *nb, const struct babel_ihu *ihu,
		   bool pkt_has_ts, uint32_t pkt_ts)
{
	struct iface *ifp = nb->ifp;
	/* RFC 8966 4.6.6: an IHU with an address is for that address only. */
	if (ihu->addr.af != BABEL_AF_NONE) {
		struct link_addr a;
		link_from_babel(&a, &ihu->addr);
		if (memcmp(a.a, ifp->ll.a, 16) != 0)
			return;
	}
	/* A young neighbour that does not hear us yet (it has had fewer
	 * of our Hellos than it needs): another one soon. */
	if (ihu->rxcost == INF && hello_history_len(&nb->mh) < 4 &&
	    !hello_history_empty(&nb->mh))
		iface_hello_soon(e, ifp);
	nb->txcost = ihu->rxcost;
	/* Appendix B: IHU hold time 3.5 times the advertised interval. */
	uint64_t interval_ms = ihu->interval ? (uint64_t)ihu->interval * 10u
					     : (uint64_t)iface_ihu_interval_cs(ifp) * 10u;
	etimer_at(e, &nb->ihu_timer, e->now + interval_ms * 7u / 2u);
	/* RFC 9616 section 3.2/4: RTT = (now - origin) - (transmit - receive),
	 * the transmit timestamp being that of the Hello in this packet. */
	if (ifp->cfg.enable_timestamps == OPT_ON && ihu->has_timestamp && pkt_has_ts &&
	    ihu->origin != 0 && ihu->receive != 0) {
		uint32_t now_us = engine_now_us(e);
		uint32_t local = now_us - ihu->origin;
		uint32_t remote = pkt_ts - ihu->receive;
		/* A timestamp from more than ~35 minutes ago, or a remote
		 * delay longer than the round trip, is not a measurement. */
		if (local < 0x80000000u && remote <= local) {
			uint32_t sample = local - remote;
			if (nb->rtt_valid)
				nb->rtt_us = link_cost_rtt_average(nb->rtt_us, sample, LINK_COST_RTT_DECAY);
			else
				nb->rtt_us = sample;
			nb->rtt_valid = true;
			nb->rtt_at_ms = e->now;
		}
	}
	neighbour_update_cost(e, nb);
}

void neighbour_update_cost(struct engine *e, struct neighbour *nb)
{
	struct iface *ifp = nb->ifp;
	struct link_cost_input in = {
		.mcast = &nb->mh,
		.ucast = &nb->uh,
		.txcost = nb->txcost,
		.have_rtt = nb->rtt_valid,
		.rtt_us = nb->rtt_us,
		.hint = ifp->cfg.link_quality == OPT_ON ? nb->hint : LINK_HINT_NEUTRAL,
	};
	uint16_t rx = link_cost_rxcost(&ifp->lc, &in);
	uint16_t cost = link_cost_compute(&ifp->lc, &in);
	if (ifp->cfg.type == IF_TYPE_AX25)
		cost = link_cost_add(cost, AX25_BASE_COST);
	bool reachable_changed = (rx == INF) != (nb->rxcost == INF);
	nb->rxcost = rx;
	if (reachable_changed && !nb->dead) {
		/* The neighbour learns at once that we hear it (or no longer
		 * do), rather than with the IHU of every third Hello: this is
		 * what makes a new link usable within a Hello interval. */
		ihu_soon(e, nb, URGENT_MS / 2);
	}
	if (cost != nb->cost) {
		bool usable_now = nb->cost == INF && cost != INF;
		nb->cost = cost;
		route_neighbour_cost_changed(e, nb);
		engine_notify(e, EV_NEIGHBOUR_CHANGE, nb);
		if (usable_now && !nb->asked_table && !nb->dead) {
			/* Its table, once, now that its routes can be used
			 * (RFC 8966 3.8.1.1): what it sent before we could
			 * reach it may have been lost (a collision on the
			 * radio), and its next full update may be minutes
			 * away. */
			nb->asked_table = true;
			struct babel_route_req rq = { 0 };
			rq.ae = BABEL_AE_WILDCARD;
			outbuf_put(e, &nb->ubuf, put_route_req, &rq);
			outbuf_flush_at(e, &nb->ubuf, e->now + rng_delay(&e->rng, URGENT_MS / 2));
		}
	}
}

void neighbour_send_ihu(struct engine *e, struct neighbour *nb, struct outbuf *o)
{
	struct iface *ifp = nb->ifp;
	struct babel_ihu ihu = { 0 };
	ihu.rxcost = nb->rxcost;
	ihu.interval = iface_ihu_interval_cs(ifp);
	babel_from_link(&ihu.addr, &nb->addr);
	if (ifp->cfg.enable_timestamps == OPT_ON && nb->hello_ts_valid) {
		ihu.has_timestamp = true;
		ihu.origin = nb->hello_ts;
		ihu.receive = nb->hello_rx_us;
	}
	if (o->open && nb->ihu_out == o && nb->ihu_serial == o->serial &&
	    nb->ihu_last.rxcost == ihu.rxcost && nb->ihu_last.interval == ihu.interval &&
	    nb->ihu_last.has_timestamp == ihu.has_timestamp &&
	    nb->ihu_last.origin == ihu.origin && nb->ihu_last.receive == ihu.receive)
		return; /* the packet being filled already says this */
	if (!outbuf_put(e, o, put_ihu, &ihu))
		return;
	nb->ihu_out = o;
	nb->ihu_serial = o->serial;
	nb->ihu_last = ihu;
}
