/* Interfaces as Babel sees them: per-type defaults, and the periodic
 * Hellos and IHUs (RFC 8966 3.4, Appendix B). */
#include "src/core/engine_internal.h"

#include <string.h>

void engine_if_defaults(struct if_config *c)
{
	uint32_t hello = 4000, rate = 1000000;
	uint16_t rxcost = LINK_COST_WIRED_NOMINAL, mtu = 1452; /* 1500 - IPv6 - UDP */
	bool split = true, ts = false;
	uint16_t max_rtt = 0;
	uint32_t update_mul = 4;
	switch (c->type) {
	case IF_TYPE_WIRED:
		break;
	case IF_TYPE_WIRELESS:
		rxcost = LINK_COST_ETX_NOMINAL;
		split = false; /* RFC 8966 3.7.4: never on links that are not transitive */
		rate = 500000;
		break;
	case IF_TYPE_TUNNEL:
		ts = true;
		max_rtt = LINK_COST_TUNNEL_MAX_RTT_PENALTY;
		mtu = 1232; /* the IPv6 minimum MTU less headers: tunnels hide theirs */
		rate = 250000;
		break;
	case IF_TYPE_AX25:
		/* Airtime is scarce: a Hello every 90 s (between 60 and 120 s
		 * once jittered), full updates every 10 minutes (the Interval
		 * field, 16 bits of centiseconds, tops out at 655 s). */
		hello = 90000;
		update_mul = 0;
		rxcost = LINK_COST_ETX_NOMINAL;
		split = false;
		mtu = 256; /* AX.25 paclen */
		rate = 75; /* half of 1200 baud */
		break;
	}
	if (!c->hello_interval_ms)
		c->hello_interval_ms = hello;
	if (!c->update_interval_ms)
		c->update_interval_ms = update_mul ? update_mul * c->hello_interval_ms : 600000;
	if (c->hello_interval_ms > 655350)
		c->hello_interval_ms = 655350;
	if (c->update_interval_ms > 655350)
		c->update_interval_ms = 655350;
	if (!c->rxcost)
		c->rxcost = rxcost;
	if (c->split_horizon == OPT_DEFAULT)
		c->split_horizon = split ? OPT_ON : OPT_OFF;
	if (c->unicast == OPT_DEFAULT)
		c->unicast = OPT_OFF;
	if (c->link_quality == OPT_DEFAULT)
		c->link_quality = c->type == IF_TYPE_WIRELESS ? OPT_ON : OPT_OFF;
	if (c->enable_timestamps == OPT_DEFAULT)
		c->enable_timestamps = ts ? OPT_ON : OPT_OFF;
	if (!c->rtt_min_ms)
		c->rtt_min_ms = LINK_COST_RTT_MIN_US / 1000;
	if (!c->rtt_max_ms)
		c->rtt_max_ms = LINK_COST_RTT_MAX_US / 1000;
	if (!c->max_rtt_penalty && c->enable_timestamps == OPT_ON)
		c->max_rtt_penalty = max_rtt;
	if (c->v4_via_v6 == OPT_DEFAULT)
		c->v4_via_v6 = OPT_ON; /* RFC 9229 */
	if (!c->mtu)
		c->mtu = mtu;
	if (c->mtu < 64)
		c->mtu = 64;
	if (!c->rate_bytes_per_s)
		c->rate_bytes_per_s = rate;
	/* DESIGN.md: what may cross the radio is an explicit list (default: none). */
	if (c->type == IF_TYPE_AX25)
		c->out_default_deny = true;
}

static bool iface_lossy(const struct iface *ifp)
{
	return ifp->cfg.type == IF_TYPE_WIRELESS || ifp->cfg.type == IF_TYPE_AX25;
}

/* RFC 8966 Appendix B: the IHU interval is 3 Hello intervals; IHUs go out
 * with every Hello on lossy links, with every third on the others. */
uint16_t iface_ihu_interval_cs(const struct iface *ifp)
{
	uint32_t cs = 3u * ifp->cfg.hello_interval_ms / 10u;
	return cs > 0xFFFF ? 0xFFFF : (uint16_t)cs;
}

static void hello_fire(struct engine *e, struct etimer *t)
{
	struct iface *ifp = container_of(t, struct iface, hello_timer);
	struct babel_hello h = { 0 };
	h.seqno = ifp->hello_seqno++;
	h.interval = (uint16_t)(ifp->cfg.hello_interval_ms / 10);
	if (ifp->cfg.enable_timestamps == OPT_ON) {
		h.has_timestamp = true;
		h.timestamp = engine_now_us(e);
	}
	outbuf_put(e, &ifp->mcast, put_hello, &h);
	unsigned every = iface_lossy(ifp) ? 1 : 3;
	if (ifp->hello_count % every == 0) {
		struct list_node *n;
		LIST_FOREACH(n, &ifp->neighbours) {
			struct neighbour *nb = container_of(n, struct neighbour, link);
			neighbour_send_ihu(e, nb, &ifp->mcast);
		}
	}
	ifp->hello_count++;
	ifp->hello_sent_at = e->now;
	outbuf_flush_at(e, &ifp->mcast, e->now);
	etimer_at(e, t, e->now + rng_jitter(&e->rng, ifp->cfg.hello_interval_ms, 25));
}

/* On shutdown: one last Hello announcing a very short interval, so that
 * neighbours notice within a fraction of a second that we are gone (the
 * Hellos they then miss expire us) instead of after several full Hello
 * intervals.  The retractions sent with it remove our routes; this removes
 * us as a next hop for everything else at once. */
void iface_put_farewell_hello(struct engine *e, struct iface *ifp)
{
	if (ifp->down)
		return;
	struct babel_hello h = { 0 };
	h.seqno = ifp->hello_seqno++;
	h.interval = IFACE_FAREWELL_HELLO_CS;
	outbuf_put(e, &ifp->mcast, put_hello, &h);
}

void iface_hello_soon(struct engine *e, struct iface *ifp)
{
	if (ifp->down || !timer_scheduled(&ifp->hello_timer.t))
		return;
	uint64_t at = e->now + rng_delay(&e->rng, URGENT_MS / 2);
	uint64_t earliest = ifp->hello_sent_at + ifp->cfg.hello_interval_ms / 4;
	if (ifp->hello_count && at < earliest)
		at = earliest;
	etimer_before(e, &ifp->hello_timer, at);
}

void iface_start(struct engine *e, struct iface *ifp)
{
	memset(&ifp->lc, 0, sizeof(ifp->lc));
	bool etx = ifp->cfg.type == IF_TYPE_WIRELESS || ifp->cfg.type == IF_TYPE_AX25;
	link_cost_params_default(&ifp->lc, etx ? LINK_COST_ETX : LINK_COST_K_OUT_OF_J);
	ifp->lc.nominal = ifp->cfg.type == IF_TYPE_AX25 ? LINK_COST_ETX_NOMINAL : ifp->cfg.rxcost;
	if (ifp->cfg.enable_timestamps == OPT_ON) {
		ifp->lc.rtt_min_us = ifp->cfg.rtt_min_ms * 1000u;
		ifp->lc.rtt_max_us = ifp->cfg.rtt_max_ms * 1000u;
		ifp->lc.max_rtt_penalty = ifp->cfg.max_rtt_penalty;
	}
	etimer_init(&ifp->hello_timer, hello_fire);
	etimer_init(&ifp->update_timer, update_iface_timer);
	/* First Hello soon, spread so that interfaces brought up together
	 * do not all speak at once. */
	uint64_t first = rng_delay(&e->rng, ifp->cfg.hello_interval_ms < 500 ? ifp->cfg.hello_interval_ms : 500);
	etimer_at(e, &ifp->hello_timer, e->now + first);
	/* Ask the neighbours for their tables (RFC 8966 3.8.1.1: a wildcard
	 * route request) so that we need not wait for their periodic updates. */
	struct babel_route_req rq = { 0 };
	rq.ae = BABEL_AE_WILDCARD;
	outbuf_put(e, &ifp->mcast, put_route_req, &rq);
	outbuf_flush_at(e, &ifp->mcast, e->now + first);
	etimer_at(e, &ifp->update_timer, e->now + first + rng_delay(&e->rng, 1000));
	struct list_node *n;
	LIST_FOREACH(n, &ifp->neighbours) {
		struct neighbour *nb = container_of(n, struct neighbour, link);
		neighbour_update_cost(e, nb);
		neighbour_start_unicast_hellos(e, nb);
	}
}

void iface_stop(struct engine *e, struct iface *ifp)
{
	etimer_cancel(e, &ifp->hello_timer);
	etimer_cancel(e, &ifp->update_timer);
}
