/* Exported routes: local addresses and kernel routes that pass the
 * redistribute filters, announced with our router-id and seqno.  An
 * xroute takes precedence over learned routes for the same prefix: those
 * are neither installed nor announced while it exists. */
#include "src/core/engine_internal.h"

#include <stdlib.h>
#include <string.h>

void xroute_set(struct engine *e, const struct route_key *key, uint32_t ifindex, uint8_t kproto,
		bool local, uint32_t kmetric, bool present)
{
	(void)kmetric;
	struct iface *ifp = iface_find(e, ifindex);
	struct filter_subject fs = { .key = key, .ifname = ifp ? ifp->name : NULL,
				     .proto = kproto, .local = local };
	struct filter_result fr;
	filter_apply(e->cfg.filters, FILTER_REDISTRIBUTE, &fs, &fr);
	struct route_key k = *key;
	if (fr.has_src_prefix && fr.src_prefix.family == k.dst.family) {
		struct prefix dst = k.dst;
		if (route_key_make(&k, &dst, &fr.src_prefix) < 0)
			k = *key;
	}
	if (present && fr.allow) {
		/* babeld announces redistributed routes with metric 0 unless a
		 * filter says otherwise. */
		uint16_t metric = fr.has_metric ? fr.metric : 0;
		struct dest *d = dest_get(e, &k);
		if (!d)
			return;
		struct xroute *xr = d->xr;
		if (!xr) {
			xr = calloc(1, sizeof(*xr));
			if (!xr) {
				dest_maybe_free(e, d);
				return;
			}
			xr->key = k;
			xr->d = d;
			d->xr = xr;
			xr->metric = metric;
			xr->ifindex = ifindex;
			xr->kproto = kproto;
			xr->local = local;
			engine_notify(e, EV_XROUTE_ADD, xr);
			dest_update_fib(e, d);
			update_trigger(e, d, false);
			return;
		}
		bool changed = xr->metric != metric;
		xr->metric = metric;
		xr->ifindex = ifindex;
		xr->kproto = kproto;
		xr->local = local;
		if (changed)
			update_trigger(e, d, false);
		return;
	}
	struct dest *d = dest_find(e, &k);
	if (!d || !d->xr)
		return;
	engine_notify(e, EV_XROUTE_FLUSH, d->xr);
	free(d->xr);
	d->xr = NULL;
	/* What we learned for the prefix (if anything) takes over, or the
	 * prefix is retracted: urgently, either way. */
	dest_select(e, d);
	update_trigger(e, d, true);
	dest_maybe_free(e, d);
}

void xroute_free_all(struct engine *e)
{
	/* xroutes hang off their dests: route_free_all frees them. */
	(void)e;
}
