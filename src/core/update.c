/* Sending updates (RFC 8966 3.7): triggered ones (batched, urgent ones at
 * once), periodic full dumps paced to the interface's byte rate so that a
 * large table does not overflow the receivers' socket buffers, and
 * retractions.  Split horizon (3.7.4) where the interface allows it. */
#include "src/core/engine_internal.h"

#include <stdlib.h>
#include <string.h>

/* Triggered updates handled per tick: 256 updates of ~20 octets every
 * 20 ms, about 250 kB/s, so that even a mass retraction is spread out. */
#define PENDING_PER_TICK 256u
/* What one update costs on the wire, roughly (Update TLV with a
 * compressed prefix, its share of Router-Id TLVs), for pacing. */
#define UPDATE_COST_OCTETS 20

static uint8_t ae_for(const struct iface *ifp, const struct prefix *p, bool retraction)
{
	if (p->family == PREFIX_FAMILY_IPV6)
		return BABEL_AE_IPV6;
	/* A retraction needs no next hop, and AE 1 is understood by every
	 * implementation (BIRD 2.0.12 ignores AE 4), for whatever AE the
	 * route came with: the prefix is the same. */
	if (ifp->has_v4 || retraction)
		return BABEL_AE_IPV4; /* our IPv4 address on the link is the next hop */
	if (ifp->cfg.v4_via_v6 == OPT_ON)
		return BABEL_AE_V4_VIA_V6; /* RFC 9229: our IPv6 address is the next hop */
	/* Neither: an IPv4 route has no next hop we could name. */
	return BABEL_AE_WILDCARD;
}

static void fill_prefix(struct babel_update *u, const struct route_key *k)
{
	babel_from_prefix(&u->prefix, &k->dst);
	if (route_key_is_source_specific(k)) {
		u->has_src = true; /* RFC 9079 */
		babel_from_prefix(&u->src, &k->src);
	}
}

bool update_for_dest(struct engine *e, struct dest *d, struct iface *ifp, bool full_dump,
		     struct babel_update *u)
{
	memset(u, 0, sizeof(*u));
	uint16_t metric = INF, seqno = 0;
	const uint8_t *rid = NULL;
	if (d->xr) {
		metric = d->xr->metric;
		rid = e->cfg.router_id;
		seqno = e->seqno;
	} else if (d->selected && d->selected->metric < INF) {
		struct route *r = d->selected;
		if (ifp->cfg.split_horizon == OPT_ON && r->nb->ifp == ifp) {
			/* 3.7.4: not back onto the link we learned it from. */
			if (full_dump)
				return false;
		} else {
			metric = r->metric;
			rid = r->rid;
			seqno = r->seqno;
		}
	}
	if (metric != INF) {
		struct filter_subject fs = { .key = &d->key, .ifname = ifp->name, .router_id = rid,
					     .proto = -1,
					     .default_deny = ifp->cfg.out_default_deny };
		struct filter_result fr;
		filter_apply(e->cfg.filters, FILTER_OUT, &fs, &fr);
		if (!fr.allow) {
			metric = INF;
		} else if (fr.has_metric) {
			uint32_t m = (uint32_t)metric + fr.metric;
			metric = m >= INF ? INF : (uint16_t)m;
		}
	}
	if (metric == INF && full_dump)
		return false;
	u->ae = ae_for(ifp, &d->key.dst, metric == INF);
	if (u->ae == BABEL_AE_WILDCARD)
		return false;
	u->interval = (uint16_t)(ifp->cfg.update_interval_ms / 10);
	u->metric = metric;
	u->seqno = seqno;
	fill_prefix(u, &d->key);
	if (metric != INF) {
		u->has_router_id = true;
		memcpy(u->router_id, rid, 8);
		if (u->ae == BABEL_AE_IPV4) {
			u->has_next_hop = true;
			u->next_hop.af = BABEL_AF_IPV4;
			memcpy(u->next_hop.bytes, ifp->v4, 4);
		}
	}
	return true;
}

/* d->announced says whether some neighbour may hold a finite route from us
 * for d, and ann_* what it is: route.c compares the selected route with it
 * to decide what is worth a triggered update, and a lost route with it set
 * is retracted (and starvation handled). */
static void note_announced(struct engine *e, struct dest *d, const struct babel_update *u)
{
	if (u->metric == INF) {
		struct route *r = d->selected;
		if (d->xr || !r || r->metric >= INF) {
			d->announced = false; /* a retraction of all we had */
			return;
		}
		/* A retraction on this interface only (split horizon, an out
		 * filter) of a route we hold and announce elsewhere: the state
		 * is the route's. Clearing it here, because this interface
		 * happened to come last, would hide the retraction due when the
		 * route is lost, and make every update received for d trigger
		 * another one (maybe_trigger: "never announced"). */
		if (!d->announced) {
			d->announced = true;
			memcpy(d->ann_rid, r->rid, 8);
			d->ann_seqno = r->seqno;
			d->ann_metric = r->metric;
		}
		return;
	}
	/* 3.7.3: the feasibility distance follows what we announce. */
	struct route_key k = d->key;
	source_note_sent(e, &k, u->router_id, u->seqno, u->metric);
	d->announced = true;
	memcpy(d->ann_rid, u->router_id, 8);
	d->ann_seqno = u->seqno;
	d->ann_metric = u->metric;
}

void update_send_dest(struct engine *e, struct iface *ifp, struct neighbour *to, struct dest *d,
		      bool full_dump)
{
	struct babel_update u;
	if (!update_for_dest(e, d, ifp, full_dump, &u))
		return;
	note_announced(e, d, &u);
	if (to) {
		outbuf_put(e, &to->ubuf, put_update, &u);
		return;
	}
	if (ifp->cfg.unicast == OPT_ON) {
		struct list_node *n;
		LIST_FOREACH(n, &ifp->neighbours) {
			struct neighbour *nb = container_of(n, struct neighbour, link);
			outbuf_put(e, &nb->ubuf, put_update, &u);
		}
		return;
	}
	outbuf_put(e, &ifp->mcast, put_update, &u);
}

void update_send_retraction_key(struct engine *e, struct iface *ifp, struct neighbour *to,
				const struct route_key *k)
{
	struct babel_update u = { 0 };
	u.ae = ae_for(ifp, &k->dst, true);
	u.interval = (uint16_t)(ifp->cfg.update_interval_ms / 10);
	u.metric = INF;
	fill_prefix(&u, k);
	outbuf_put(e, to ? &to->ubuf : &ifp->mcast, put_update, &u);
}

static void flush_iface_soon(struct engine *e, struct iface *ifp, uint64_t at)
{
	outbuf_flush_at(e, &ifp->mcast, at);
	struct list_node *n;
	LIST_FOREACH(n, &ifp->neighbours) {
		struct neighbour *nb = container_of(n, struct neighbour, link);
		outbuf_flush_at(e, &nb->ubuf, at);
	}
}

void update_trigger(struct engine *e, struct dest *d, bool urgent)
{
	if (!d->pending) {
		/* No memory: lost, as a packet would be; the periodic update
		 * says it again. */
		if (!dq_push(&e->pending, d, 0))
			return;
		d->pending = true;
	}
	d->pending_urgent |= urgent;
	/* Never hold a triggered update for long: urgent ones go now, others
	 * within the urgent timeout, jittered so that neighbours that saw
	 * the same change do not all speak at once. */
	uint64_t at = urgent ? e->now : e->now + rng_delay(&e->rng, URGENT_MS / 2);
	etimer_before(e, &e->pending_timer, at);
}

void update_pending_fire(struct engine *e, struct etimer *t)
{
	unsigned n = 0;
	while (!dq_empty(&e->pending) && n < PENDING_PER_TICK) {
		struct dest *d = dq_front(&e->pending)->d;
		dq_pop(&e->pending);
		bool urgent = d->pending_urgent;
		d->pending = false;
		d->pending_urgent = false;
		struct list_node *l;
		LIST_FOREACH(l, &e->ifaces) {
			struct iface *ifp = container_of(l, struct iface, link);
			if (urgent && ifp->cfg.unicast == OPT_ON) {
				/* RFC 8966 3.3: urgent unicast messages carry an
				 * Ack Request and are resent until acknowledged. */
				struct list_node *m;
				LIST_FOREACH(m, &ifp->neighbours) {
					struct neighbour *nb = container_of(m, struct neighbour, link);
					ack_send_urgent(e, nb, d);
				}
			} else {
				update_send_dest(e, ifp, NULL, d, false);
			}
		}
		dest_maybe_free(e, d);
		n++;
	}
	struct list_node *l;
	LIST_FOREACH(l, &e->ifaces)
		flush_iface_soon(e, container_of(l, struct iface, link), e->now);
	if (!dq_empty(&e->pending))
		etimer_at(e, t, e->now + DUMP_TICK_MS);
}

/* ------------------------------------------------------------ full dumps */

/* One entry of a dump being prepared: what orders it. */
struct dump_entry {
	bool learned;
	uint8_t rid[8];
	struct route_key key;
};

static int dump_entry_compare(const void *pa, const void *pb)
{
	const struct dump_entry *a = pa, *b = pb;
	if (a->learned != b->learned)
		return a->learned ? 1 : -1;
	int c = memcmp(a->rid, b->rid, 8);
	return c ? c : route_key_compare(&a->key, &b->key);
}

static void start_dump(struct engine *e, struct iface *ifp)
{
	/* A snapshot of the keys: the table may change while the dump is
	 * paced out; each key is looked up again when its turn comes. */
	size_t n = hashmap_count(&e->dests);
	struct dump_entry *ents = n ? malloc(n * sizeof(*ents)) : NULL;
	struct route_key *keys = n ? malloc(n * sizeof(*keys)) : NULL;
	if (n && (!ents || !keys)) {
		free(ents);
		free(keys);
		return;
	}
	size_t k = 0;
	struct hashmap_iter it;
	struct hashmap_node *h;
	hashmap_iter_init(&it, &e->dests);
	while ((h = hashmap_iter_next(&it)) != NULL) {
		struct dest *d = container_of(h, struct dest, h);
		if (d->xr) {
			ents[k].learned = false;
			memcpy(ents[k].rid, e->cfg.router_id, 8);
		} else if (d->selected && d->selected->metric < INF) {
			ents[k].learned = true;
			memcpy(ents[k].rid, d->selected->rid, 8);
		} else {
			continue;
		}
		ents[k++].key = d->key;
	}
	/* Our own routes first: every neighbour needs them, from us and
	 * nobody else, whereas what we learned it may also hear from its
	 * originator.  On a slow link, where a paced dump takes minutes, that
	 * is the difference between a cold start of one minute and of three.
	 * Then by router-id and prefix: a Router-Id TLV (12 octets) goes
	 * only where the origin changes or a packet begins, and each prefix
	 * is compressed against the one before it (RFC 8966 4.6.9), which in
	 * hash order seldom shares anything. */
	if (k > 1)
		qsort(ents, k, sizeof(*ents), dump_entry_compare);
	for (size_t i = 0; i < k; i++)
		keys[i] = ents[i].key;
	free(ents);
	free(ifp->dump);
	ifp->dump = keys;
	ifp->dump_len = k;
	ifp->dump_pos = 0;
	if (ifp->dump_credit <= 0 || e->now != ifp->dump_credit_at) {
		/* Start with one packet's worth of credit. */
		ifp->dump_credit = (int64_t)ifp->cfg.mtu * 1000;
		ifp->dump_credit_at = e->now;
	}
	etimer_at(e, &ifp->dump_timer, e->now);
}

static void schedule_periodic(struct engine *e, struct iface *ifp)
{
	etimer_at(e, &ifp->update_timer,
		  e->now + rng_jitter(&e->rng, ifp->cfg.update_interval_ms, 25));
}

void update_start_dump(struct engine *e, struct iface *ifp)
{
	start_dump(e, ifp);
	/* Whatever started this dump (a wildcard request, a new next hop),
	 * it is a full update: the periodic one is due an update interval
	 * from now, not a few seconds after this one ends. */
	if (timer_scheduled(&ifp->update_timer.t))
		schedule_periodic(e, ifp);
}

void update_dump_timer(struct engine *e, struct etimer *t)
{
	struct iface *ifp = container_of(t, struct iface, dump_timer);
	uint64_t rate = ifp->cfg.rate_bytes_per_s ? ifp->cfg.rate_bytes_per_s : 1;
	/* Token bucket in milli-octets: rate octets/s = rate milli-octets/ms;
	 * at most two packets' worth may accumulate. */
	ifp->dump_credit += (int64_t)(rate * (e->now - ifp->dump_credit_at));
	ifp->dump_credit_at = e->now;
	int64_t cap = (int64_t)ifp->cfg.mtu * 2000;
	if (ifp->dump_credit > cap)
		ifp->dump_credit = cap;
	/* Whole packets: nothing goes until the credit covers a full one (or
	 * what is left of the dump).  On a fast link that is a millisecond
	 * or two; on a radio link, where every frame also costs its TX delay
	 * and tail, a trickle of small packets would spend most of the
	 * airtime budget on that overhead. */
	size_t left = ifp->dump_len - ifp->dump_pos;
	int64_t need = (int64_t)(left * UPDATE_COST_OCTETS < ifp->cfg.mtu
					 ? left * UPDATE_COST_OCTETS : ifp->cfg.mtu) * 1000;
	if (ifp->dump_credit < need)
		need -= ifp->dump_credit;
	else
		need = 0;
	while (need == 0 && ifp->dump_pos < ifp->dump_len && ifp->dump_credit > 0) {
		struct dest *d = dest_find(e, &ifp->dump[ifp->dump_pos++]);
		if (!d)
			continue;
		update_send_dest(e, ifp, NULL, d, true);
		ifp->dump_credit -= UPDATE_COST_OCTETS * 1000;
	}
	if (ifp->dump_pos < ifp->dump_len) {
		uint64_t lack = need ? (uint64_t)need : (uint64_t)(-ifp->dump_credit);
		uint64_t wait = lack / rate + 1;
		if (wait < DUMP_TICK_MS)
			wait = DUMP_TICK_MS;
		etimer_at(e, t, e->now + wait);
		/* What is ready goes out; partial packets too, after a tick. */
		flush_iface_soon(e, ifp, e->now + DUMP_TICK_MS);
	} else {
		free(ifp->dump);
		ifp->dump = NULL;
		ifp->dump_len = ifp->dump_pos = 0;
		flush_iface_soon(e, ifp, e->now);
	}
}

void update_iface_timer(struct engine *e, struct etimer *t)
{
	struct iface *ifp = container_of(t, struct iface, update_timer);
	start_dump(e, ifp);
	schedule_periodic(e, ifp);
}

/* Whether D's announcement on IFP differs between the out rules OLD and
 * the current ones; *retract when the current ones make it a retraction. */
static bool out_changed(struct engine *e, struct dest *d, struct iface *ifp,
			const struct filter_set *old, bool *retract)
{
	const struct filter_set *now = e->cfg.filters;
	struct babel_update a, b;
	e->cfg.filters = old;
	bool had = update_for_dest(e, d, ifp, false, &a);
	e->cfg.filters = now;
	bool has = update_for_dest(e, d, ifp, false, &b);
	*retract = has && b.metric == INF;
	if (had != has)
		return true;
	return has && a.metric != b.metric;
}

void update_refilter_out(struct engine *e, const struct filter_set *old)
{
	struct hashmap_iter it;
	struct hashmap_node *h;
	hashmap_iter_init(&it, &e->dests);
	while ((h = hashmap_iter_next(&it)) != NULL) {
		struct dest *d = container_of(h, struct dest, h);
		bool any = false, urgent = false;
		struct list_node *l;
		LIST_FOREACH(l, &e->ifaces) {
			struct iface *ifp = container_of(l, struct iface, link);
			bool retract = false;
			if (!ifp->down && out_changed(e, d, ifp, old, &retract)) {
				any = true;
				urgent |= retract; /* a route withdrawn: say so now */
			}
		}
		if (any)
			update_trigger(e, d, urgent);
	}
}
