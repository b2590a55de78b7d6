/* The engine's glue: creation, interfaces, the timer loop, batched kernel
 * changes, events and the read-only views.  No I/O: time comes in, packets
 * and route changes go out through the caller's operations. */
#include "src/core/engine_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ timers */

void etimer_init(struct etimer *t, etimer_fn *fn)
{
	timer_init(&t->t);
	t->fire = fn;
}

void etimer_at(struct engine *e, struct etimer *t, uint64_t deadline)
{
	/* Failure to grow the heap leaves the timer idle: the object then
	 * waits for the next event that reschedules it. */
	(void)timer_heap_schedule(&e->timers, &t->t, deadline);
}

void etimer_before(struct engine *e, struct etimer *t, uint64_t deadline)
{
	(void)timer_heap_schedule_before(&e->timers, &t->t, deadline);
}

void etimer_cancel(struct engine *e, struct etimer *t)
{
	timer_heap_cancel(&e->timers, &t->t);
}

uint64_t engine_new_id(struct engine *e)
{
	return ++e->next_id;
}

bool dq_push(struct dest_queue *q, struct dest *d, uint64_t at)
{
	if (q->n == q->cap) {
		if (q->head) {
			memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof(*q->v));
			q->n -= q->head;
			q->head = 0;
		} else {
			size_t cap = q->cap ? 2 * q->cap : 64;
			struct dq_entry *v = realloc(q->v, cap * sizeof(*v));
			if (!v)
				return false;
			q->v = v;
			q->cap = cap;
		}
	}
	q->v[q->n].d = d;
	q->v[q->n].at = at;
	q->n++;
	return true;
}

/* RFC 9616 timestamps are in microseconds, modulo 2^32. */
uint32_t engine_now_us(const struct engine *e)
{
	/* 0 reads as "no timestamp" to some implementations: never send it. */
	uint32_t v = (uint32_t)(e->now * 1000u);
	return v ? v : 1;
}

/* ------------------------------------------------------------ output */

void engine_notify(struct engine *e, enum engine_event_kind k, const void *obj)
{
	if (!e->ops.notify)
		return;
	struct engine_event ev = { k, obj };
	e->ops.notify(e->ctx, &ev);
}

void engine_fib(struct engine *e, const struct fib_change *c)
{
	if (e->nfib == e->capfib) {
		size_t n = e->capfib ? 2 * e->capfib : 16;
		struct fib_change *f = realloc(e->fib, n * sizeof(*f));
		if (!f) {
			/* No memory: hand over what we have, then this one alone. */
			engine_flush_fib(e);
			if (e->ops.route_change)
				e->ops.route_change(e->ctx, c, 1);
			e->st.fib_changes++;
			return;
		}
		e->fib = f;
		e->capfib = n;
	}
	e->fib[e->nfib++] = *c;
	e->st.fib_changes++;
}

void engine_flush_fib(struct engine *e)
{
	if (e->nfib && e->ops.route_change)
		e->ops.route_change(e->ctx, e->fib, e->nfib);
	e->nfib = 0;
}

/* ------------------------------------------------------------ conversions */

void link_from_babel(struct link_addr *l, const struct babel_addr *a)
{
	memset(l, 0, sizeof(*l));
	if (a->af == BABEL_AF_IPV6) {
		memcpy(l->a, a->bytes, 16);
	} else if (a->af == BABEL_AF_IPV4) {
		l->a[10] = 0xff;
		l->a[11] = 0xff;
		memcpy(l->a + 12, a->bytes, 4);
	}
}

void babel_from_link(struct babel_addr *a, const struct link_addr *l)
{
	memset(a, 0, sizeof(*a));
	a->af = BABEL_AF_IPV6;
	memcpy(a->bytes, l->a, 16);
}

static void prefix_from_babel(struct prefix *p, const struct babel_prefix *b)
{
	uint8_t fam = b->af == BABEL_AF_IPV4 ? PREFIX_FAMILY_IPV4 : PREFIX_FAMILY_IPV6;
	if (prefix_make(p, fam, b->bytes, b->plen) < 0)
		memset(p, 0, sizeof(*p));
}

void key_from_babel(struct route_key *k, const struct babel_prefix *p, bool has_src,
		    const struct babel_prefix *src)
{
	struct prefix d, s;
	prefix_from_babel(&d, p);
	if (has_src)
		prefix_from_babel(&s, src);
	if (route_key_make(k, &d, has_src ? &s : NULL) < 0) {
		memset(k, 0, sizeof(*k));
		k->dst = d;
		k->src.family = d.family;
	}
}

void babel_from_prefix(struct babel_prefix *b, const struct prefix *p)
{
	memset(b, 0, sizeof(*b));
	b->af = p->family == PREFIX_FAMILY_IPV4 ? BABEL_AF_IPV4 : BABEL_AF_IPV6;
	b->plen = p->plen;
	memcpy(b->bytes, p->addr, 16);
}

/* ------------------------------------------------------------ tables */

static bool dest_eq(const struct hashmap_node *n, const void *key)
{
	return route_key_equal(&container_of(n, struct dest, h)->key, key);
}

static bool source_eq(const struct hashmap_node *n, const void *key)
{
	const struct source *s = container_of(n, struct source, h);
	const struct source *k = key;
	return route_key_equal(&s->key, &k->key) && memcmp(s->rid, k->rid, 8) == 0;
}

static bool req_eq(const struct hashmap_node *n, const void *key)
{
	return route_key_equal(&container_of(n, struct pending_req, h)->key, key);
}

struct iface *iface_find(const struct engine *e, uint32_t ifindex)
{
	struct list_node *n;
	LIST_FOREACH(n, &e->ifaces) {
		struct iface *ifp = container_of(n, struct iface, link);
		if (ifp->ifindex == ifindex)
			return ifp;
	}
	return NULL;
}

/* ------------------------------------------------------------ lifecycle */

struct engine *engine_new(const struct engine_config *cfg, const struct engine_ops *ops,
			  void *ctx, uint64_t now_ms, uint64_t seed)
{
	struct engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->cfg = *cfg;
	if (cfg->filters && filter_set_copy(&e->filters, cfg->filters) < 0) {
		free(e);
		return NULL;
	}
	e->cfg.filters = &e->filters;
	e->ops = *ops;
	e->ctx = ctx;
	e->now = now_ms;
	rng_seed(&e->rng, seed);
	e->hseed = rng_next(&e->rng);
	timer_heap_init(&e->timers);
	list_init(&e->ifaces);
	list_init(&e->acks);
	etimer_init(&e->reselect_timer, route_reselect_fire);
	hashmap_init(&e->dests, dest_eq);
	hashmap_init(&e->sources, source_eq);
	hashmap_init(&e->reqs, req_eq);
	etimer_init(&e->pending_timer, update_pending_fire);
	e->seqno = cfg->seqno;
	e->ack_opaque = (uint16_t)rng_next(&e->rng);
	e->half_life = cfg->smoothing_off ? 0
		       : cfg->smoothing_half_life_ms ? cfg->smoothing_half_life_ms
						     : SMOOTHING_DEFAULT_HALF_LIFE_MS;
	return e;
}

static void iface_free(struct engine *e, struct iface *ifp)
{
	/* Every route through the interface goes before any is reselected:
	 * flushing its neighbours one at a time must not move a route onto
	 * another neighbour of the same, down, interface (the batch would
	 * hold a REPLACE through it, then a REMOVE). */
	ifp->down = true;
	iface_stop(e, ifp);
	while (!list_empty(&ifp->neighbours))
		neighbour_flush(e, container_of(list_first(&ifp->neighbours), struct neighbour, link));
	outbuf_free(e, &ifp->mcast);
	etimer_cancel(e, &ifp->hello_timer);
	etimer_cancel(e, &ifp->update_timer);
	etimer_cancel(e, &ifp->dump_timer);
	free(ifp->dump);
	list_remove(&ifp->link);
	free(ifp);
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	while (!list_empty(&e->ifaces))
		iface_free(e, container_of(list_first(&e->ifaces), struct iface, link));
	ack_free_all(e);
	request_free_all(e);
	route_free_all(e);
	xroute_free_all(e);
	source_free_all(e);
	hashmap_destroy(&e->dests);
	hashmap_destroy(&e->sources);
	hashmap_destroy(&e->reqs);
	timer_heap_destroy(&e->timers);
	free(e->pending.v);
	free(e->reselect.v);
	free(e->fib);
	filter_set_free(&e->filters);
	free(e);
}

int engine_interface_up(struct engine *e, uint32_t ifindex, const char *name,
			const struct if_config *cfg, const struct link_addr *ll, uint64_t now_ms)
{
	e->now = now_ms;
	struct iface *ifp = iface_find(e, ifindex);
	if (ifp) {
		/* Reconfigured in place: neighbours and routes stay. */
		ifp->cfg = *cfg;
		engine_if_defaults(&ifp->cfg);
		ifp->ll = *ll;
		iface_stop(e, ifp);
		iface_start(e, ifp);
		engine_flush_fib(e);
		return 0;
	}
	ifp = calloc(1, sizeof(*ifp));
	if (!ifp)
		return -1;
	ifp->id = engine_new_id(e);
	ifp->ifindex = ifindex;
	if (name) {
		strncpy(ifp->name, name, sizeof(ifp->name) - 1);
	}
	ifp->cfg = *cfg;
	engine_if_defaults(&ifp->cfg);
	ifp->ll = *ll;
	ifp->hello_seqno = (uint16_t)rng_next(&e->rng);
	list_init(&ifp->neighbours);
	outbuf_init(&ifp->mcast, ifp, NULL);
	etimer_init(&ifp->dump_timer, update_dump_timer);
	list_push_back(&e->ifaces, &ifp->link);
	iface_start(e, ifp);
	return 0;
}

void engine_interface_down(struct engine *e, uint32_t ifindex, uint64_t now_ms)
{
	e->now = now_ms;
	struct iface *ifp = iface_find(e, ifindex);
	if (!ifp)
		return;
	iface_free(e, ifp);
	engine_flush_fib(e);
}

void engine_interface_ipv4(struct engine *e, uint32_t ifindex, const uint8_t *addr,
			   uint64_t now_ms)
{
	if (now_ms > e->now)
		e->now = now_ms;
	struct iface *ifp = iface_find(e, ifindex);
	if (!ifp)
		return;
	bool had = ifp->has_v4;
	bool same = had && addr && memcmp(ifp->v4, addr, 4) == 0;
	ifp->has_v4 = addr != NULL;
	if (addr)
		memcpy(ifp->v4, addr, 4);
	/* Any change of next hop goes to the neighbours at once: they would
	 * otherwise forward to an address that is gone (or keep ignoring
	 * our v4-via-v6 updates, as BIRD 2.0.12 does) until the next full
	 * update. */
	if (!same && (addr || had))
		update_start_dump(e, ifp);
}

void engine_receive(struct engine *e, uint32_t ifindex, const struct link_addr *from,
		    bool to_multicast, const uint8_t *pkt, size_t len, uint64_t now_ms)
{
	if (now_ms > e->now)
		e->now = now_ms;
	struct iface *ifp = iface_find(e, ifindex);
	if (!ifp) {
		receive_drop(e, NULL, ENGINE_DROP_UNKNOWN_INTERFACE);
		return;
	}
	receive_packet(e, ifp, from, to_multicast, pkt, len);
	engine_flush_fib(e);
}

void engine_kernel_route(struct engine *e, const struct route_key *key, uint32_t ifindex,
			 uint32_t table, uint32_t kmetric, uint8_t kproto, bool present,
			 uint64_t now_ms)
{
	(void)table;
	if (now_ms > e->now)
		e->now = now_ms;
	/* Local addresses come with the kernel's "kernel" protocol (2) and
	 * ifindex set by the edge; the edge marks them with table 0. */
	xroute_set(e, key, ifindex, kproto, table == 0, kmetric, present);
	engine_flush_fib(e);
}

void engine_link_quality(struct engine *e, uint32_t ifindex, const struct link_addr *nbr,
			 uint8_t quality, uint64_t now_ms)
{
	if (now_ms > e->now)
		e->now = now_ms;
	struct iface *ifp = iface_find(e, ifindex);
	if (!ifp || ifp->cfg.link_quality != OPT_ON)
		return;
	struct neighbour *nb = neighbour_find(ifp, nbr);
	if (!nb)
		return;
	/* 255 is perfect (neutral); lower qualities raise the cost up to
	 * LINK_HINT_MAX: 256 * 255 / quality. */
	uint32_t q = quality ? quality : 1;
	uint32_t hint = 256u * 255u / q;
	if (hint > LINK_HINT_MAX)
		hint = LINK_HINT_MAX;
	nb->hint = hint;
	neighbour_update_cost(e, nb);
	engine_flush_fib(e);
}

uint64_t engine_run(struct engine *e, uint64_t now_ms)
{
	if (now_ms > e->now)
		e->now = now_ms;
	struct timer *t;
	while ((t = timer_heap_pop_due(&e->timers, e->now)) != NULL) {
		struct etimer *et = container_of(t, struct etimer, t);
		et->fire(e, et);
	}
	engine_flush_fib(e);
	return timer_heap_next_deadline(&e->timers);
}

void engine_shutdown(struct engine *e, uint64_t now_ms)
{
	if (now_ms > e->now)
		e->now = now_ms;
	e->shutting_down = true;
	/* Retract everything we announced, at once, on every interface. */
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &e->dests);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		struct dest *d = container_of(n, struct dest, h);
		if (d->announced || d->xr) {
			struct list_node *l;
			LIST_FOREACH(l, &e->ifaces) {
				struct iface *ifp = container_of(l, struct iface, link);
				update_send_retraction_key(e, ifp, NULL, &d->key);
			}
		}
		if (d->fib_installed) {
			struct fib_change c = { .op = FIB_REMOVE, .key = d->key, .ifindex = d->fib_if,
						.nexthop = d->fib_nh, .metric = d->fib_metric };
			engine_fib(e, &c);
			d->fib_installed = false;
		}
	}
	struct list_node *l;
	LIST_FOREACH(l, &e->ifaces) {
		struct iface *ifp = container_of(l, struct iface, link);
		iface_put_farewell_hello(e, ifp);
		outbuf_send_now(e, &ifp->mcast);
	}
	engine_flush_fib(e);
}

uint16_t engine_seqno(const struct engine *e)
{
	return e->seqno;
}

/* ------------------------------------------------------------ views */

void engine_foreach_interface(const struct engine *e, engine_if_fn *fn, void *arg)
{
	const struct list_node *n;
	LIST_FOREACH(n, &e->ifaces) {
		const struct iface *ifp = container_of(n, struct iface, link);
		struct engine_if_info i = { .id = ifp->id, .ifindex = ifp->ifindex, .name = ifp->name,
					    .cfg = ifp->cfg, .ll = ifp->ll,
					    .hello_seqno = ifp->hello_seqno,
					    .neighbours = list_length(&ifp->neighbours),
					    .counters = &ifp->cnt };
		fn(arg, &i);
	}
}

static void neighbour_info(const struct neighbour *nb, struct engine_neighbour_info *i)
{
	const struct iface *ifp = nb->ifp;
	*i = (struct engine_neighbour_info){
		.id = nb->id, .ifindex = ifp->ifindex, .ifname = ifp->name,
		.addr = nb->addr, .mcast_history = nb->mh.bits,
		.mcast_history_len = nb->mh.len, .ucast_history = nb->uh.bits,
		.ucast_history_len = nb->uh.len,
		.mcast_hello_interval_cs = nb->mh_interval,
		.ucast_hello_interval_cs = nb->uh_interval, .rxcost = nb->rxcost,
		.txcost = nb->txcost, .cost = nb->cost, .rtt_valid = nb->rtt_valid,
		.rtt_us = nb->rtt_us, .link_hint = nb->hint,
		.routes = list_length(&nb->routes),
	};
}

void engine_foreach_neighbour(const struct engine *e, uint64_t now_ms, engine_neighbour_fn *fn,
			      void *arg)
{
	(void)now_ms;
	const struct list_node *n, *m;
	LIST_FOREACH(n, &e->ifaces) {
		const struct iface *ifp = container_of(n, struct iface, link);
		LIST_FOREACH(m, &ifp->neighbours) {
			struct engine_neighbour_info i;
			neighbour_info(container_of(m, struct neighbour, link), &i);
			fn(arg, &i);
		}
	}
}

bool engine_event_neighbour(const struct engine_event *ev, struct engine_neighbour_info *out)
{
	if (ev->kind != EV_NEIGHBOUR_ADD && ev->kind != EV_NEIGHBOUR_CHANGE &&
	    ev->kind != EV_NEIGHBOUR_FLUSH)
		return false;
	neighbour_info(ev->object, out);
	return true;
}

void engine_foreach_route(const struct engine *e, uint64_t now_ms, engine_route_fn *fn, void *arg)
{
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &e->dests);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		const struct dest *d = container_of(n, struct dest, h);
		const struct list_node *l;
		LIST_FOREACH(l, &d->routes) {
			const struct route *r = container_of(l, struct route, dlink);
			struct engine_route_info i = {
				.id = r->id, .key = d->key, .seqno = r->seqno,
				.refmetric = r->refmetric, .metric = r->metric,
				.smoothed_metric = smoothing_get(&r->sm, now_ms, e->half_life),
				.feasible = route_feasible((struct engine *)e, r),
				.selected = d->selected == r,
				.installed = d->selected == r && d->fib_installed,
				.age_ms = (uint32_t)((uint32_t)now_ms - r->updated_ms),
				.nexthop = r->nexthop, .neighbour = r->nb->addr,
				.ifindex = r->nb->ifp->ifindex, .ifname = r->nb->ifp->name,
			};
			memcpy(i.router_id, r->rid, 8);
			fn(arg, &i);
		}
	}
}

void engine_foreach_xroute(const struct engine *e, engine_xroute_fn *fn, void *arg)
{
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &e->dests);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		const struct dest *d = container_of(n, struct dest, h);
		if (!d->xr)
			continue;
		struct engine_xroute_info i = { .key = d->key, .metric = d->xr->metric,
						.ifindex = d->xr->ifindex, .kproto = d->xr->kproto,
						.local = d->xr->local };
		fn(arg, &i);
	}
}

void engine_foreach_source(const struct engine *e, uint64_t now_ms, engine_source_fn *fn, void *arg)
{
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &e->sources);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		const struct source *s = container_of(n, struct source, h);
		struct engine_source_info i = { .key = s->key, .seqno = s->seqno, .metric = s->metric,
						.gc_in_ms = s->gc.t.deadline > now_ms
								    ? s->gc.t.deadline - now_ms
								    : 0 };
		memcpy(i.router_id, s->rid, 8);
		fn(arg, &i);
	}
}

void engine_get_stats(const struct engine *e, struct engine_stats *out)
{
	*out = e->st;
}
