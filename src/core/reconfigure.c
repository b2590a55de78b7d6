/* Configuration changes at run time: new filters and selection parameters
 * applied in place, each to what it concerns only.  (Interface parameters
 * change through engine_interface_up on a running interface.) */
#include "src/core/engine_internal.h"

#include <string.h>

/* The neighbours on every interface are asked for their whole tables (a
 * wildcard route request, RFC 8966 3.8.1.1): the routes the old in rules
 * refused were never kept, and only their next update can bring them. */
static void request_tables(struct engine *e)
{
	struct list_node *l;
	LIST_FOREACH(l, &e->ifaces) {
		struct iface *ifp = container_of(l, struct iface, link);
		if (ifp->down)
			continue;
		struct babel_route_req rq = { 0 };
		rq.ae = BABEL_AE_WILDCARD;
		outbuf_put(e, &ifp->mcast, put_route_req, &rq);
		outbuf_flush_at(e, &ifp->mcast, e->now + rng_delay(&e->rng, URGENT_MS / 2));
	}
}

int engine_set_filters(struct engine *e, const struct filter_set *fs, uint64_t now_ms)
{
	static const struct filter_set none;
	if (now_ms > e->now)
		e->now = now_ms;
	if (!fs)
		fs = &none;
	struct filter_set fresh;
	if (filter_set_copy(&fresh, fs) < 0)
		return -1;
	struct filter_set old = e->filters;
	e->filters = fresh;
	unsigned changed = 0;
	for (int k = 0; k < FILTER_KINDS; k++)
		if (!filter_kind_equal(&old, &e->filters, (enum filter_kind)k))
			changed |= 1u << k;
	if (changed & (1u << FILTER_REDISTRIBUTE))
		xroute_refilter(e);
	if (changed & (1u << FILTER_IN)) {
		route_refilter_in(e);
		request_tables(e);
	}
	if (changed & (1u << FILTER_INSTALL))
		route_refilter_install(e);
	if (changed & (1u << FILTER_OUT))
		update_refilter_out(e, &old);
	filter_set_free(&old);
	engine_flush_fib(e);
	return (int)changed;
}

void engine_set_selection(struct engine *e, uint32_t smoothing_half_life_ms, bool smoothing_off,
			  uint32_t hysteresis, uint64_t now_ms)
{
	if (now_ms > e->now)
		e->now = now_ms;
	e->cfg.smoothing_half_life_ms = smoothing_half_life_ms;
	e->cfg.smoothing_off = smoothing_off;
	e->cfg.hysteresis = hysteresis;
	/* The smoothed metrics carry on from where they are: only the rate
	 * at which they follow the metrics changes. */
	e->half_life = smoothing_off ? 0
		       : smoothing_half_life_ms ? smoothing_half_life_ms
						: SMOOTHING_DEFAULT_HALF_LIFE_MS;
}
