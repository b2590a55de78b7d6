/* The route table: one struct dest per (prefix, source prefix), holding the
 * routes learned from each neighbour; route acquisition (RFC 8966 3.5.4),
 * selection among feasible routes with smoothing and hysteresis (3.6,
 * A.3), and the installed route handed to the kernel in batches.
 *
 * Each route is also in its neighbour's list, so that a change of link
 * cost touches only that neighbour's routes; nothing here walks the table. */
#include "src/core/engine_internal.h"

#include <stdlib.h>
#include <string.h>

static uint64_t dest_hash(const struct engine *e, const struct route_key *k)
{
	return route_key_hash(k, e->hseed);
}

struct dest *dest_find(struct engine *e, const struct route_key *k)
{
	struct hashmap_node *n = hashmap_find(&e->dests, dest_hash(e, k), k);
	return n ? container_of(n, struct dest, h) : NULL;
}

/* The reselections due now (dest_select queues them at a fixed delay). */
void route_reselect_fire(struct engine *e, struct etimer *t)
{
	while (!dq_empty(&e->reselect) && dq_front(&e->reselect)->at <= e->now) {
		struct dest *d = dq_front(&e->reselect)->d;
		dq_pop(&e->reselect);
		d->reselect = false;
		dest_select(e, d);
		dest_maybe_free(e, d);
	}
	if (!dq_empty(&e->reselect))
		etimer_at(e, t, dq_front(&e->reselect)->at);
}

static void reselect_later(struct engine *e, struct dest *d)
{
	/* Already queued: for a time no later than this one. */
	if (d->reselect)
		return;
	uint64_t at = e->now + (e->half_life ? e->half_life / 2 : 100);
	if (!dq_push(&e->reselect, d, at))
		return; /* no memory: the next update for d selects again */
	d->reselect = true;
	etimer_before(e, &e->reselect_timer, dq_front(&e->reselect)->at);
}

struct dest *dest_get(struct engine *e, const struct route_key *k)
{
	struct dest *d = dest_find(e, k);
	if (d)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->key = *k;
	list_init(&d->routes);
	if (hashmap_insert(&e->dests, &d->h, dest_hash(e, k)) < 0) {
		free(d);
		return NULL;
	}
	return d;
}

void dest_maybe_free(struct engine *e, struct dest *d)
{
	/* Queued ones are freed when their turn comes. */
	if (!list_empty(&d->routes) || d->xr || d->pending || d->reselect || d->fib_installed)
		return;
	hashmap_remove(&e->dests, &d->h);
	free(d);
}

bool route_feasible(struct engine *e, const struct route *r)
{
	/* RFC 8966 3.5.1: feasibility is judged on the metric the neighbour
	 * advertised, against our feasibility distance. */
	return source_feasible(e, &r->d->key, r->rid, r->seqno, r->refmetric);
}

/* RFC 8966 3.5.2: M(c, m) = c + m, infinite when either is, capped. */
static void route_compute_metric(struct engine *e, struct route *r)
{
	uint32_t m;
	if (r->refmetric == INF || r->nb->cost == INF)
		m = INF;
	else
		m = (uint32_t)r->refmetric + r->nb->cost + r->in_add;
	if (m > INF)
		m = INF;
	r->metric = (uint16_t)m;
	smoothing_update(&r->sm, r->metric, e->now, e->half_life);
}

static void route_remove(struct engine *e, struct route *r)
{
	struct dest *d = r->d;
	etimer_cancel(e, &r->expiry);
	list_remove(&r->dlink);
	list_remove(&r->nlink);
	if (d->selected == r)
		d->selected = NULL;
	engine_notify(e, EV_ROUTE_FLUSH, r);
	free(r);
}

static uint64_t route_expiry_ms(const struct route *r)
{
	/* Appendix B: 3.5 times the interval the update carried. */
	uint64_t iv = r->interval_cs ? (uint64_t)r->interval_cs * 10u
				     : (uint64_t)r->nb->ifp->cfg.update_interval_ms;
	return iv * 7u / 2u;
}

/* RFC 8966 3.5.4 (last paragraph) and 3.7.1: an expired route is first
 * retracted (metric infinite), and flushed when it expires again. */
static void expiry_fire(struct engine *e, struct etimer *t)
{
	struct route *r = container_of(t, struct route, expiry);
	struct dest *d = r->d;
	if (r->refmetric != INF) {
		r->refmetric = INF;
		route_compute_metric(e, r);
		etimer_at(e, t, e->now + route_expiry_ms(r));
	} else {
		route_remove(e, r);
	}
	dest_select(e, d);
	dest_maybe_free(e, d);
}

/* Appendix C: routes no implementation should accept (martians). */
static bool martian(const struct route_key *k)
{
	static const uint8_t ll[16] = { 0xfe, 0x80 };
	static const uint8_t mc6[16] = { 0xff };
	static const uint8_t lo4[16] = { 127, 0, 0, 1 };
	static const uint8_t any4[16] = { 0 };
	static const uint8_t mc4[16] = { 224 };
	struct prefix p;
	const struct prefix *x = &k->dst;
	if (x->family == PREFIX_FAMILY_IPV6) {
		prefix_make(&p, PREFIX_FAMILY_IPV6, ll, 64);
		if (prefix_contains(&p, x))
			return true;
		prefix_make(&p, PREFIX_FAMILY_IPV6, mc6, 8);
		return prefix_contains(&p, x);
	}
	prefix_make(&p, PREFIX_FAMILY_IPV4, lo4, 8);
	if (prefix_contains(&p, x))
		return true;
	prefix_make(&p, PREFIX_FAMILY_IPV4, any4, 32);
	if (prefix_equal(&p, x))
		return true;
	prefix_make(&p, PREFIX_FAMILY_IPV4, mc4, 4);
	return prefix_contains(&p, x);
}

/* The in rules for a route of NB to K from RID: false when they refuse it,
 * else true with the metric they add in *add. */
static bool in_filter(struct engine *e, const struct route_key *k, const struct neighbour *nb,
		      const uint8_t *rid, uint16_t *add)
{
	struct filter_subject fsub = { .key = k, .ifname = nb->ifp->name,
				       .neighbour = nb->addr.a, .router_id = rid, .proto = -1 };
	struct filter_result fr;
	filter_apply(e->cfg.filters, FILTER_IN, &fsub, &fr);
	*add = fr.allow && fr.has_metric ? fr.metric : 0;
	return fr.allow;
}

void route_receive_update(struct engine *e, struct neighbour *nb, const struct babel_update *u,
			  const struct link_addr *nexthop)
{
	struct route_key k;
	key_from_babel(&k, &u->prefix, u->has_src, &u->src);
	if (martian(&k))
		return;
	uint16_t refmetric = u->metric;
	uint16_t add = 0;
	static const uint8_t zero_rid[8];
	const uint8_t *rid = u->has_router_id ? u->router_id : zero_rid;
	if (refmetric != INF && memcmp(rid, e->cfg.router_id, 8) == 0) {
		/* Our own router-id coming back (a neighbour routes to one of
		 * our prefixes, or to one we no longer announce): never a way
		 * for us, and, taken as an unfeasible route, it would make us
		 * ask for our own seqno to rise, again and again round every
		 * cycle. Whatever that neighbour offered before is gone. */
		refmetric = INF;
	}
	if (refmetric != INF && !in_filter(e, &k, nb, rid, &add)) {
		/* Appendix C: a filtered route is an unreachable one. */
		refmetric = INF;
		e->st.updates_filtered++;
	}
	struct dest *d = refmetric == INF ? dest_find(e, &k) : dest_get(e, &k);
	if (!d)
		return;
	struct route *r = NULL;
	struct list_node *l;
	LIST_FOREACH(l, &d->routes) {
		struct route *x = container_of(l, struct route, dlink);
		if (x->nb == nb) {
			r = x;
			break;
		}
	}
	bool feasible = source_feasible(e, &k, rid, u->seqno, refmetric);
	if (!feasible)
		e->st.updates_unfeasible++;
	if (!r) {
		if (refmetric == INF) /* 3.5.4: a retraction of nothing */
			return;
		/* 3.5.4 allows ignoring an unfeasible update with no entry; we
		 * keep it (never selected while unfeasible) so that starvation
		 * can be detected and resolved (3.8.2.1). */
		r = calloc(1, sizeof(*r));
		if (!r) {
			dest_maybe_free(e, d);
			return;
		}
		r->id = engine_new_id(e);
		r->d = d;
		r->nb = nb;
		etimer_init(&r->expiry, expiry_fire);
		list_push_back(&d->routes, &r->dlink);
		list_push_back(&nb->routes, &r->nlink);
		smoothing_init(&r->sm, INF, e->now);
		engine_notify(e, EV_ROUTE_ADD, r);
	}
	/* The router-id and seqno of a retraction mean nothing (4.6.9). */
	if (refmetric != INF || u->metric != INF) {
		memcpy(r->rid, rid, 8);
		r->seqno = u->seqno;
	}
	r->refmetric = refmetric;
	r->in_add = add;
	r->nexthop = *nexthop;
	r->interval_cs = u->interval;
	r->updated_ms = (uint32_t)e->now;
	if (refmetric != INF) {
		r->expired_once = false;
		etimer_at(e, &r->expiry, e->now + route_expiry_ms(r));
	}
	route_compute_metric(e, r);
	if (refmetric != INF)
		request_update_received(e, d, r->rid, r->seqno);
	/* 3.8.2.2: an unfeasible update that we would otherwise use: ask its
	 * originator for a newer seqno, through this neighbour. */
	if (!feasible && refmetric != INF && r->metric != INF &&
	    (!d->selected || d->selected == r || r->metric < d->selected->metric)) {
		struct source *s = source_find(e, &k, r->rid);
		uint16_t want = s ? (uint16_t)(s->seqno + 1) : (uint16_t)(r->seqno + 1);
		request_seqno_send(e, d, r->rid, want, nb, NULL, SEQNO_REQUEST_HOPS);
	}
	dest_select(e, d);
	dest_maybe_free(e, d);
}

static bool route_usable(struct engine *e, const struct route *r)
{
	return r->metric < INF && !r->nb->ifp->down && !r->nb->dead && route_feasible(e, r);
}

static void maybe_trigger(struct engine *e, struct dest *d)
{
	struct route *s = d->selected;
	if (d->xr)
		return;
	if (!s) {
		if (d->announced)
			update_trigger(e, d, true); /* a retraction is urgent */
		return;
	}
	if (!d->announced) {
		update_trigger(e, d, false);
		return;
	}
	/* RFC 8966 3.7.2: a new router-id MUST be announced promptly; a new
	 * seqno (likely answering a request) is urgent; a metric that grew
	 * or fell noticeably is worth telling. */
	if (memcmp(s->rid, d->ann_rid, 8) != 0 || s->seqno != d->ann_seqno) {
		update_trigger(e, d, true);
		return;
	}
	uint32_t a = d->ann_metric, m = s->metric;
	if (m > a + a / 8 + 1 || m + m / 4 + 1 < a)
		update_trigger(e, d, false);
}

/* Starvation (RFC 8966 3.8.2.1): the route we used is gone and no feasible
 * one is left. If some neighbour offers an unfeasible route, ask its
 * originator for a newer seqno. If none does (typically split horizon: the
 * neighbour that could offer the long way routes through us, and learns
 * that it must not only from the retraction we are about to send), ask for
 * a newer seqno of the route we lost (LOST_RID, LOST_SEQNO): when the
 * neighbours' fallback routes reach us, their updates are then feasible at
 * once instead of waiting for the originator's next seqno. The request
 * goes to every neighbour (multicast); whoever has a route forwards it. */
static void starvation_check(struct engine *e, struct dest *d, const uint8_t *lost_rid,
			     uint16_t lost_seqno)
{
	struct list_node *l;
	const uint8_t *rid = lost_rid;
	uint16_t seqno = lost_seqno;
	LIST_FOREACH(l, &d->routes) {
		struct route *r = container_of(l, struct route, dlink);
		if (r->metric >= INF || r->nb->ifp->down || r->nb->dead)
			continue;
		rid = r->rid;
		seqno = r->seqno;
		break;
	}
	if (!rid)
		return;
	struct source *s = source_find(e, &d->key, rid);
	if (s && seqno_compare(s->seqno, seqno) > 0)
		seqno = s->seqno;
	request_seqno_send(e, d, rid, (uint16_t)(seqno + 1), NULL, NULL, SEQNO_REQUEST_HOPS);
}

void dest_select(struct engine *e, struct dest *d)
{
	struct route *old = d->selected;
	struct route *best = NULL;
	struct list_node *l;
	LIST_FOREACH(l, &d->routes) {
		struct route *r = container_of(l, struct route, dlink);
		if (!route_usable(e, r))
			continue;
		if (!best || r->metric < best->metric || (r->metric == best->metric && r == old))
			best = r;
	}
	struct route *sel = old;
	if (!old || !route_usable(e, old)) {
		/* A.3: with no usable selected route, the smallest metric wins
		 * at once, smoothed values aside. */
		sel = best;
	} else if (best && best != old) {
		struct smoothing_choice cs = { old->metric, smoothing_get(&old->sm, e->now, e->half_life), true };
		struct smoothing_choice cb = { best->metric, smoothing_get(&best->sm, e->now, e->half_life), true };
		uint16_t margin = e->cfg.hysteresis > 0xFFFE ? 0xFFFE : (uint16_t)e->cfg.hysteresis;
		if (smoothing_should_switch(&cs, &cb, margin))
			sel = best;
		else if (best->metric < old->metric)
			/* Better now, not yet on average: look again once the
			 * smoothed metrics have moved. */
			reselect_later(e, d);
	}
	if (sel != old) {
		d->selected = sel;
		engine_notify(e, EV_ROUTE_CHANGE, sel ? sel : old);
	}
	/* A route was lost: the one selected until now, or one that
	 * route_remove() took away before we were called, which we know from
	 * what we announced for it (d->announced: a neighbour may still hold
	 * it from us). Either way we are about to retract. */
	if (!sel && !d->xr && (old || d->announced))
		starvation_check(e, d, old ? old->rid : d->ann_rid,
				 old ? old->seqno : d->ann_seqno);
	maybe_trigger(e, d);
	dest_update_fib(e, d);
}

void dest_update_fib(struct engine *e, struct dest *d)
{
	struct route *r = d->selected;
	bool want = false;
	if (!d->xr && r && r->metric < INF && !r->nb->ifp->down && !e->shutting_down) {
		struct filter_subject fs = { .key = &d->key, .ifname = r->nb->ifp->name,
					     .neighbour = r->nb->addr.a, .router_id = r->rid,
					     .proto = -1 };
		struct filter_result fr;
		filter_apply(e->cfg.filters, FILTER_INSTALL, &fs, &fr);
		want = fr.allow;
	}
	struct fib_change c = { .key = d->key };
	if (want) {
		c.ifindex = r->nb->ifp->ifindex;
		c.nexthop = r->nexthop;
		c.metric = r->metric;
		if (!d->fib_installed) {
			c.op = FIB_ADD;
		} else if (d->fib_if != c.ifindex || memcmp(d->fib_nh.a, c.nexthop.a, 16) != 0) {
			c.op = FIB_REPLACE;
		} else {
			/* A metric change alone does not concern the kernel: we
			 * install with a fixed priority. */
			d->fib_metric = c.metric;
			return;
		}
		engine_fib(e, &c);
		d->fib_installed = true;
		d->fib_if = c.ifindex;
		d->fib_nh = c.nexthop;
		d->fib_metric = c.metric;
	} else if (d->fib_installed) {
		c.op = FIB_REMOVE;
		c.ifindex = d->fib_if;
		c.nexthop = d->fib_nh;
		c.metric = d->fib_metric;
		engine_fib(e, &c);
		d->fib_installed = false;
	}
}

void route_neighbour_cost_changed(struct engine *e, struct neighbour *nb)
{
	struct list_node *l, *tmp;
	LIST_FOREACH(l, &nb->routes) {
		struct route *r = container_of(l, struct route, nlink);
		route_compute_metric(e, r);
	}
	LIST_FOREACH_SAFE(l, tmp, &nb->routes) {
		struct route *r = container_of(l, struct route, nlink);
		dest_select(e, r->d);
	}
}

void route_flush_neighbour(struct engine *e, struct neighbour *nb)
{
	while (!list_empty(&nb->routes)) {
		struct route *r = container_of(list_first(&nb->routes), struct route, nlink);
		struct dest *d = r->d;
		route_remove(e, r);
		dest_select(e, d);
		dest_maybe_free(e, d);
	}
}

void route_free_all(struct engine *e)
{
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &e->dests);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		struct dest *d = container_of(n, struct dest, h);
		while (!list_empty(&d->routes)) {
			struct route *r = container_of(list_first(&d->routes), struct route, dlink);
			etimer_cancel(e, &r->expiry);
			list_remove(&r->dlink);
			list_remove(&r->nlink);
			free(r);
		}
		free(d->xr);
		hashmap_remove(&e->dests, n);
		free(d);
	}
}

void route_refilter_in(struct engine *e)
{
	struct hashmap_iter it;
	struct hashmap_node *h;
	hashmap_iter_init(&it, &e->dests);
	while ((h = hashmap_iter_next(&it)) != NULL) {
		struct dest *d = container_of(h, struct dest, h);
		bool touched = false;
		struct list_node *l;
		LIST_FOREACH(l, &d->routes) {
			struct route *r = container_of(l, struct route, dlink);
			if (r->refmetric == INF)
				continue;
			uint16_t add = 0;
			if (!in_filter(e, &d->key, r->nb, r->rid, &add)) {
				/* Refused now: retracted, as an update refused
				 * by the filter would be; its expiry flushes it. */
				r->refmetric = INF;
				e->st.updates_filtered++;
			} else if (add == r->in_add) {
				continue;
			}
			r->in_add = add;
			route_compute_metric(e, r);
			touched = true;
		}
		if (touched)
			dest_select(e, d);
	}
}

void route_refilter_install(struct engine *e)
{
	struct hashmap_iter it;
	struct hashmap_node *h;
	hashmap_iter_init(&it, &e->dests);
	while ((h = hashmap_iter_next(&it)) != NULL) {
		struct dest *d = container_of(h, struct dest, h);
		dest_update_fib(e, d);
		dest_maybe_free(e, d); /* one refused and removed may leave d empty */
	}
}
