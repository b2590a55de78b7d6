/* Output packets: one being filled per interface (multicast) and one per
 * neighbour (unicast).  TLVs accumulate until the packet is full (the
 * interface MTU) or its flush timer fires, so that a burst of triggered
 * updates shares packets and the codec's compression, and Router-Id and
 * Next Hop TLVs appear only when they change (RFC 8966 4.5). */
#include "src/core/engine_internal.h"

#include <stdlib.h>

static void flush_fire(struct engine *e, struct etimer *t)
{
	outbuf_send_now(e, container_of(t, struct outbuf, flush));
}

void outbuf_init(struct outbuf *o, struct iface *ifp, struct neighbour *nb)
{
	o->buf = NULL;
	o->cap = 0;
	o->open = false;
	o->serial = 0;
	o->ifp = ifp;
	o->nb = nb;
	etimer_init(&o->flush, flush_fire);
}

void outbuf_free(struct engine *e, struct outbuf *o)
{
	etimer_cancel(e, &o->flush);
	free(o->buf);
	o->buf = NULL;
	o->open = false;
}

void outbuf_prepare(struct engine *e, struct outbuf *o)
{
	(void)e;
	if (o->open)
		return;
	size_t cap = o->ifp->cfg.mtu;
	if (!o->buf || o->cap != cap) {
		uint8_t *b = realloc(o->buf, cap);
		if (!b)
			return;
		o->buf = b;
		o->cap = cap;
	}
	babel_pkt_init(&o->pkt, o->buf, o->cap, 0);
	o->open = true;
	o->serial++;
}

/* Counts what goes out by walking the TLV headers of the finished packet:
 * the encoder adds Router-Id, Next Hop and padding on its own, so the
 * packet, not the put calls, is what says which TLVs were sent.  The
 * packet is ours and well-formed; the bounds checks only keep a bug from
 * reading past it. */
static void count_sent(struct engine_if_counters *c, const uint8_t *buf, size_t len)
{
	c->packets_out++;
	c->bytes_out += len;
	if (len < BABEL_HEADER_LEN)
		return;
	size_t end = BABEL_HEADER_LEN + ((size_t)buf[2] << 8 | buf[3]);
	if (end > len)
		end = len;
	for (size_t i = BABEL_HEADER_LEN; i < end;) {
		uint8_t type = buf[i];
		c->tlvs_out[engine_tlv_slot(type)]++;
		if (type == BABEL_TLV_PAD1)
			i++;
		else if (i + 1 < end)
			i += 2u + buf[i + 1];
		else
			break;
	}
}

void outbuf_send_now(struct engine *e, struct outbuf *o)
{
	etimer_cancel(e, &o->flush);
	if (!o->open)
		return;
	o->open = false;
	if (babel_pkt_empty(&o->pkt))
		return;
	babel_pkt_finish(&o->pkt);
	size_t len = babel_pkt_len(&o->pkt);
	e->st.packets_out++;
	e->st.bytes_out += len;
	count_sent(&o->ifp->cnt, o->buf, len);
	if (e->ops.send)
		e->ops.send(e->ctx, o->ifp->ifindex, o->nb ? &o->nb->addr : NULL, o->buf, len);
}

bool outbuf_put(struct engine *e, struct outbuf *o, outbuf_put_fn put, const void *arg)
{
	outbuf_prepare(e, o);
	if (!o->open)
		return false;
	enum babel_put r = put(&o->pkt, arg);
	if (r == BABEL_PUT_FULL && !babel_pkt_empty(&o->pkt)) {
		outbuf_send_now(e, o);
		outbuf_prepare(e, o);
		if (!o->open)
			return false;
		r = put(&o->pkt, arg);
	}
	return r == BABEL_PUT_OK;
}

void outbuf_flush_at(struct engine *e, struct outbuf *o, uint64_t deadline)
{
	if (o->open)
		etimer_before(e, &o->flush, deadline);
}

enum babel_put put_hello(struct babel_pkt *p, const void *arg)
{
	return babel_put_hello(p, arg);
}

enum babel_put put_ihu(struct babel_pkt *p, const void *arg)
{
	return babel_put_ihu(p, arg);
}

enum babel_put put_update(struct babel_pkt *p, const void *arg)
{
	return babel_put_update(p, arg);
}

enum babel_put put_route_req(struct babel_pkt *p, const void *arg)
{
	return babel_put_route_req(p, arg);
}

enum babel_put put_seqno_req(struct babel_pkt *p, const void *arg)
{
	return babel_put_seqno_req(p, arg);
}

enum babel_put put_ack(struct babel_pkt *p, const void *arg)
{
	return babel_put_ack(p, arg);
}

enum babel_put put_ack_req(struct babel_pkt *p, const void *arg)
{
	return babel_put_ack_req(p, arg);
}
