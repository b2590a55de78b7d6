/* Exported routes: local addresses and kernel routes that pass the
 * redistribute filters, announced with our router-id and seqno.  An
 * xroute takes precedence over learned routes for the same prefix: those
 * are neither installed nor announced while it exists. */
#include "src/core/engine_internal.h"

#include <stdlib.h>
#include <string.h>

static void xroute_remove(struct engine *e, struct dest *d);

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
			xr->kkey = *key;
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
	xroute_remove(e, d);
}

/* Removes d's xroute: what we learned for the prefix (if anything) takes
 * over, or the prefix is retracted. */
static void xroute_remove(struct engine *e, struct dest *d)
{
	engine_notify(e, EV_XROUTE_FLUSH, d->xr);
	free(d->xr);
	d->xr = NULL;
	/* Urgently, either way. */
	dest_select(e, d);
	update_trigger(e, d, true);
	dest_maybe_free(e, d);
}

void xroute_refilter(struct engine *e)
{
	/* A snapshot first: judging one again may move it to another key
	 * (a source prefix added or dropped), i.e. another dest. */
	size_t n = 0, k = 0;
	struct hashmap_iter it;
	struct hashmap_node *h;
	hashmap_iter_init(&it, &e->dests);
	while ((h = hashmap_iter_next(&it)) != NULL)
		n += container_of(h, struct dest, h)->xr != NULL;
	struct xroute *v = n ? malloc(n * sizeof(*v)) : NULL;
	if (!v)
		return; /* nothing to do, or no memory: the old judgement stays */
	hashmap_iter_init(&it, &e->dests);
	while ((h = hashmap_iter_next(&it)) != NULL) {
		struct dest *d = container_of(h, struct dest, h);
		if (d->xr)
			v[k++] = *d->xr;
	}
	for (size_t i = 0; i < k; i++) {
		struct iface *ifp = iface_find(e, v[i].ifindex);
		struct filter_subject fs = { .key = &v[i].kkey, .ifname = ifp ? ifp->name : NULL,
					     .proto = v[i].kproto, .local = v[i].local };
		struct filter_result fr;
		filter_apply(e->cfg.filters, FILTER_REDISTRIBUTE, &fs, &fr);
		struct route_key nk = v[i].kkey;
		if (fr.has_src_prefix && fr.src_prefix.family == nk.dst.family) {
			struct prefix dst = nk.dst;
			if (route_key_make(&nk, &dst, &fr.src_prefix) < 0)
				nk = v[i].kkey;
		}
		if (!fr.allow || !route_key_equal(&nk, &v[i].key)) {
			struct dest *d = dest_find(e, &v[i].key);
			if (d && d->xr)
				xroute_remove(e, d);
		}
		/* Still allowed: the metric may have changed, or the key. */
		if (fr.allow)
			xroute_set(e, &v[i].kkey, v[i].ifindex, v[i].kproto, v[i].local, 0, true);
	}
	free(v);
}

void xroute_free_all(struct engine *e)
{
	/* xroutes hang off their dests: route_free_all frees them. */
	(void)e;
}
