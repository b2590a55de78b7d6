/* Requests (RFC 8966 3.8): answering route requests, answering and
 * forwarding seqno requests with hop count and duplicate suppression, and
 * our own seqno requests (starvation, unfeasible updates), resent until
 * satisfied or given up (Appendix B: 2 s, doubled, 3 resends). */
#include "src/core/engine_internal.h"

#include <stdlib.h>
#include <string.h>

static uint64_t req_hash(const struct engine *e, const struct route_key *k)
{
	return route_key_hash(k, e->hseed ^ 0x5eedu);
}

static struct pending_req *req_find(struct engine *e, const struct route_key *k)
{
	struct hashmap_node *n = hashmap_find(&e->reqs, req_hash(e, k), k);
	return n ? container_of(n, struct pending_req, h) : NULL;
}

static void req_free(struct engine *e, struct pending_req *pr)
{
	etimer_cancel(e, &pr->timer);
	hashmap_remove(&e->reqs, &pr->h);
	free(pr);
}

static void fill_req(struct babel_seqno_req *q, const struct pending_req *pr)
{
	memset(q, 0, sizeof(*q));
	/* IPv4 prefixes go with AE 1 in requests: every implementation
	 * understands it, and the prefix is the same whatever the next hop. */
	q->ae = pr->key.dst.family == PREFIX_FAMILY_IPV4 ? BABEL_AE_IPV4 : BABEL_AE_IPV6;
	q->seqno = pr->seqno;
	q->hop_count = pr->hop_count;
	memcpy(q->router_id, pr->rid, 8);
	babel_from_prefix(&q->prefix, &pr->key.dst);
	if (route_key_is_source_specific(&pr->key)) {
		q->has_src = true;
		babel_from_prefix(&q->src, &pr->key.src);
	}
}

static void req_transmit(struct engine *e, struct pending_req *pr)
{
	struct babel_seqno_req q;
	fill_req(&q, pr);
	if (pr->via) {
		outbuf_put(e, &pr->via->ubuf, put_seqno_req, &q);
		outbuf_flush_at(e, &pr->via->ubuf, e->now);
		return;
	}
	struct list_node *l;
	LIST_FOREACH(l, &e->ifaces) {
		struct iface *ifp = container_of(l, struct iface, link);
		if (ifp->down || list_empty(&ifp->neighbours))
			continue;
		outbuf_put(e, &ifp->mcast, put_seqno_req, &q);
		outbuf_flush_at(e, &ifp->mcast, e->now);
	}
}

static void req_fire(struct engine *e, struct etimer *t)
{
	struct pending_req *pr = container_of(t, struct pending_req, timer);
	if (pr->resends >= REQUEST_RESENDS) {
		req_free(e, pr);
		return;
	}
	pr->resends++;
	pr->timeout_ms *= 2;
	req_transmit(e, pr);
	etimer_at(e, t, e->now + pr->timeout_ms);
}

void request_seqno_send(struct engine *e, struct dest *d, const uint8_t rid[8], uint16_t seqno,
			struct neighbour *via, struct neighbour *from, uint8_t hops)
{
	struct pending_req *pr = req_find(e, &d->key);
	if (pr) {
		/* 3.8.1.2: a request for the same prefix and router-id with a
		 * seqno no larger than one recently sent is redundant. */
		if (memcmp(pr->rid, rid, 8) == 0 && seqno_compare(pr->seqno, seqno) >= 0) {
			if (from)
				e->st.seqno_requests_suppressed++;
			return;
		}
	} else {
		pr = calloc(1, sizeof(*pr));
		if (!pr)
			return;
		pr->key = d->key;
		etimer_init(&pr->timer, req_fire);
		if (hashmap_insert(&e->reqs, &pr->h, req_hash(e, &d->key)) < 0) {
			free(pr);
			return;
		}
	}
	memcpy(pr->rid, rid, 8);
	pr->seqno = seqno;
	pr->hop_count = hops;
	pr->via = via;
	pr->from = from;
	pr->resends = 0;
	pr->timeout_ms = REQUEST_TIMEOUT_MS;
	if (from)
		e->st.seqno_requests_forwarded++;
	req_transmit(e, pr);
	etimer_at(e, &pr->timer, e->now + pr->timeout_ms);
}

void request_update_received(struct engine *e, struct dest *d, const uint8_t rid[8],
			     uint16_t seqno)
{
	struct pending_req *pr = req_find(e, &d->key);
	if (pr && memcmp(pr->rid, rid, 8) == 0 && seqno_compare(seqno, pr->seqno) >= 0)
		req_free(e, pr);
}

void request_route(struct engine *e, struct neighbour *nb, const struct babel_route_req *r,
		   bool pkt_unicast)
{
	struct iface *ifp = nb->ifp;
	if (r->ae == BABEL_AE_WILDCARD) {
		/* 3.8.1.1: a wildcard request asks for a full dump.  It goes
		 * out paced, multicast (several neighbours usually ask at
		 * once when a node appears); one in progress is enough. */
		if (!ifp->dump)
			update_start_dump(e, ifp);
		return;
	}
	struct route_key k;
	key_from_babel(&k, &r->prefix, r->has_src, &r->src);
	struct neighbour *to = pkt_unicast ? nb : NULL;
	struct dest *d = dest_find(e, &k);
	struct babel_update u;
	/* 3.8.1.1: an update if we have a route, a retraction otherwise. */
	if (d && update_for_dest(e, d, ifp, false, &u))
		update_send_dest(e, ifp, to, d, false);
	else
		update_send_retraction_key(e, ifp, to, &k);
	struct outbuf *o = to ? &to->ubuf : &ifp->mcast;
	outbuf_flush_at(e, o, e->now + rng_delay(&e->rng, URGENT_MS / 2));
}

void request_seqno_received(struct engine *e, struct neighbour *nb, const struct babel_seqno_req *q)
{
	struct route_key k;
	key_from_babel(&k, &q->prefix, q->has_src, &q->src);
	struct dest *d = dest_find(e, &k);
	if (!d)
		return; /* 3.8.1.2: no route, nothing to say */
	if (d->xr) {
		/* We originate the prefix.  Our router-id: bump the seqno if
		 * asked for a newer one, by one only. */
		if (memcmp(q->router_id, e->cfg.router_id, 8) == 0 &&
		    seqno_compare(q->seqno, e->seqno) > 0) {
			e->seqno++;
			engine_notify(e, EV_SEQNO_CHANGE, NULL);
		}
		update_trigger(e, d, true);
		return;
	}
	struct route *r = d->selected;
	if (!r || r->metric >= INF)
		return;
	if (memcmp(r->rid, q->router_id, 8) != 0 || seqno_compare(r->seqno, q->seqno) >= 0) {
		/* Our route already satisfies the request: announce it. */
		update_trigger(e, d, true);
		return;
	}
	/* Forward toward the originator, if the hop count allows, to the
	 * neighbour of the selected route, never back to the requester; else
	 * another neighbour offering a feasible route. */
	if (q->hop_count < 2)
		return;
	struct neighbour *via = NULL;
	if (r->nb != nb) {
		via = r->nb;
	} else {
		struct list_node *l;
		LIST_FOREACH(l, &d->routes) {
			struct route *x = container_of(l, struct route, dlink);
			if (x->nb != nb && x->metric < INF && route_feasible(e, x)) {
				via = x->nb;
				break;
			}
		}
	}
	if (!via)
		return;
	request_seqno_send(e, d, q->router_id, q->seqno, via, nb, (uint8_t)(q->hop_count - 1));
}

void request_forget_neighbour(struct engine *e, struct neighbour *nb)
{
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &e->reqs);
	while ((n = hashmap_iter_next(&it)) != NULL) {
		struct pending_req *pr = container_of(n, struct pending_req, h);
		if (pr->from == nb)
			pr->from = NULL;
		if (pr->via == nb)
			req_free(e, pr);
	}
}

void request_free_all(struct engine *e)
{
	struct hashmap_iter it;
	struct hashmap_node *n;
	hashmap_iter_init(&it, &e->reqs);
	while ((n = hashmap_iter_next(&it)) != NULL)
		req_free(e, container_of(n, struct pending_req, h));
}
