/* Acknowledged delivery of urgent unicast messages (RFC 8966 3.3, 4.6.3):
 * retractions and seqno-driven updates sent to a neighbour over unicast
 * carry an Ack Request, and are resent (with the state current at resend
 * time) until the Ack comes back or we give up.  And the other side:
 * answering the Ack Requests we receive. */
#include "src/core/engine_internal.h"

#include <stdlib.h>
#include <string.h>

static void pa_free(struct engine *e, struct pending_ack *pa)
{
	etimer_cancel(e, &pa->timer);
	list_remove(&pa->link);
	free(pa->keys);
	free(pa);
}

static void pa_transmit(struct engine *e, struct pending_ack *pa)
{
	struct neighbour *nb = pa->nb;
	struct iface *ifp = nb->ifp;
	/* The Ack Request covers the packet it is in: start a fresh one. */
	outbuf_send_now(e, &nb->ubuf);
	struct babel_ack_req ar = { .opaque = pa->opaque, .interval = ACK_INTERVAL_CS };
	outbuf_put(e, &nb->ubuf, put_ack_req, &ar);
	for (size_t i = 0; i < pa->nkeys; i++) {
		struct dest *d = dest_find(e, &pa->keys[i]);
		struct babel_update u;
		if (d && update_for_dest(e, d, ifp, false, &u))
			update_send_dest(e, ifp, nb, d, false);
		else
			update_send_retraction_key(e, ifp, nb, &pa->keys[i]);
	}
	outbuf_send_now(e, &nb->ubuf);
}

static void pa_fire(struct engine *e, struct etimer *t)
{
	struct pending_ack *pa = container_of(t, struct pending_ack, timer);
	if (pa->sent) {
		if (pa->resends >= ACK_RESENDS) {
			e->st.acks_given_up++;
			pa_free(e, pa);
			return;
		}
		pa->resends++;
		e->st.acks_resent++;
	}
	pa->sent = true;
	pa_transmit(e, pa);
	/* Twice the time we gave the neighbour to answer. */
	etimer_at(e, t, e->now + 2u * ACK_INTERVAL_CS * 10u);
}

void ack_send_urgent(struct engine *e, struct neighbour *nb, struct dest *d)
{
	/* Urgent updates decided in the same instant share a packet. */
	struct pending_ack *pa = NULL;
	if (!list_empty(&e->acks)) {
		struct pending_ack *last = container_of(list_last(&e->acks), struct pending_ack, link);
		if (last->nb == nb && !last->sent && last->nkeys < last->maxkeys)
			pa = last;
	}
	struct list_node *l;
	if (!pa) {
		LIST_FOREACH(l, &e->acks) {
			struct pending_ack *x = container_of(l, struct pending_ack, link);
			if (x->nb == nb && !x->sent && x->nkeys < x->maxkeys) {
				pa = x;
				break;
			}
		}
	}
	if (!pa) {
		pa = calloc(1, sizeof(*pa));
		if (!pa)
			return;
		pa->nb = nb;
		pa->opaque = e->ack_opaque++;
		/* Enough keys to fill about one packet, each update taking at
		 * most ~40 octets with its Router-Id. */
		size_t mk = nb->ifp->cfg.mtu > 80 ? (nb->ifp->cfg.mtu - 40u) / 40u : 1;
		pa->maxkeys = mk ? mk : 1;
		pa->keys = calloc(pa->maxkeys, sizeof(*pa->keys));
		if (!pa->keys) {
			free(pa);
			return;
		}
		etimer_init(&pa->timer, pa_fire);
		list_push_back(&e->acks, &pa->link);
		etimer_at(e, &pa->timer, e->now);
	}
	for (size_t i = 0; i < pa->nkeys; i++)
		if (route_key_equal(&pa->keys[i], &d->key))
			return;
	pa->keys[pa->nkeys++] = d->key;
}

void ack_received(struct engine *e, struct neighbour *nb, uint16_t opaque)
{
	struct list_node *l, *tmp;
	LIST_FOREACH_SAFE(l, tmp, &e->acks) {
		struct pending_ack *pa = container_of(l, struct pending_ack, link);
		if (pa->nb == nb && pa->opaque == opaque && pa->sent) {
			pa_free(e, pa);
			return;
		}
	}
}

void ack_request_received(struct engine *e, struct neighbour *nb, const struct babel_ack_req *a)
{
	/* 4.6.3: answer within the interval (centiseconds). */
	struct babel_ack ack = { .opaque = a->opaque };
	outbuf_put(e, &nb->ubuf, put_ack, &ack);
	uint64_t within = (uint64_t)a->interval * 10u / 2u;
	if (within > URGENT_MS)
		within = URGENT_MS;
	outbuf_flush_at(e, &nb->ubuf, e->now + rng_delay(&e->rng, within));
}

void ack_forget_neighbour(struct engine *e, struct neighbour *nb)
{
	struct list_node *l, *tmp;
	LIST_FOREACH_SAFE(l, tmp, &e->acks) {
		struct pending_ack *pa = container_of(l, struct pending_ack, link);
		if (pa->nb == nb)
			pa_free(e, pa);
	}
}

void ack_free_all(struct engine *e)
{
	while (!list_empty(&e->acks))
		pa_free(e, container_of(list_first(&e->acks), struct pending_ack, link));
}
