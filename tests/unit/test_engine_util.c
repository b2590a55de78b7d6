/* Test harness for the engine (see test_engine_util.h). */
#include "tests/unit/test_engine_util.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

const uint8_t RID_A[8] = { 0xa, 0, 0, 0, 0, 0, 0, 1 };
const uint8_t RID_B[8] = { 0xb, 0, 0, 0, 0, 0, 0, 2 };
const uint8_t RID_C[8] = { 0xc, 0, 0, 0, 0, 0, 0, 3 };
const uint8_t RID_SELF[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void h_send_cb(void *ctx, uint32_t ifindex, const struct link_addr *to, const uint8_t *buf,
		      size_t len)
{
	struct harness *h = ctx;
	assert_true(h->nsent < H_MAX_SENT);
	struct h_sent *s = &h->sent[h->nsent++];
	s->at = h->now;
	s->ifindex = ifindex;
	s->multicast = to == NULL;
	if (to)
		s->to = *to;
	s->buf = malloc(len);
	memcpy(s->buf, buf, len);
	s->len = len;
}

static void h_fib_cb(void *ctx, const struct fib_change *c, size_t n)
{
	struct harness *h = ctx;
	h->fib_batches++;
	for (size_t i = 0; i < n; i++) {
		assert_true(h->nfib < H_MAX_FIB);
		h->fib[h->nfib++] = c[i];
	}
}

static void h_notify_cb(void *ctx, const struct engine_event *ev)
{
	struct harness *h = ctx;
	if (ev->kind == EV_SEQNO_CHANGE)
		h->seqno_events++;
}

const struct engine_ops h_ops = { h_send_cb, h_fib_cb, h_notify_cb };

void h_init(struct harness *h, uint64_t seed, const struct engine_config *cfg)
{
	memset(h, 0, sizeof(*h));
	h->now = 1000000;
	struct engine_config c = { 0 };
	if (cfg)
		c = *cfg;
	memcpy(c.router_id, RID_SELF, 8);
	h->e = engine_new(&c, &h_ops, h, h->now, seed);
	assert_non_null(h->e);
}

void h_clear(struct harness *h)
{
	for (size_t i = 0; i < h->nsent; i++)
		free(h->sent[i].buf);
	h->nsent = 0;
	h->nfib = 0;
	h->fib_batches = 0;
}

void h_free(struct harness *h)
{
	engine_free(h->e);
	h_clear(h);
}

void h_run_until(struct harness *h, uint64_t t)
{
	for (;;) {
		uint64_t next = engine_run(h->e, h->now);
		if (next > t)
			break;
		if (next > h->now)
			h->now = next;
	}
	h->now = t;
	engine_run(h->e, h->now);
}

void h_advance(struct harness *h, uint64_t ms)
{
	h_run_until(h, h->now + ms);
}

struct link_addr h_ll(uint8_t n)
{
	struct link_addr a = { { 0xfe, 0x80 } };
	a.a[15] = n;
	return a;
}

struct link_addr h_our_ll(uint32_t ifindex)
{
	struct link_addr a = { { 0xfe, 0x80 } };
	a.a[14] = 1;
	a.a[15] = (uint8_t)ifindex;
	return a;
}

void h_if_up_cfg(struct harness *h, uint32_t ifindex, struct if_config *c)
{
	struct link_addr ll = h_our_ll(ifindex);
	char name[16];
	snprintf(name, sizeof(name), "eth%u", (unsigned)ifindex);
	assert_int_equal(engine_interface_up(h->e, ifindex, name, c, &ll, h->now), 0);
}

void h_if_up(struct harness *h, uint32_t ifindex, enum if_type type)
{
	struct if_config c;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.split_horizon = c.unicast = c.link_quality = c.enable_timestamps = c.v4_via_v6 = OPT_DEFAULT;
	h_if_up_cfg(h, ifindex, &c);
}

void hp_init(struct h_pkt *p)
{
	babel_pkt_init(&p->p, p->buf, sizeof(p->buf), 0);
}

void hp_hello(struct h_pkt *p, uint16_t seqno, uint16_t interval_cs, bool unicast)
{
	struct babel_hello hl = { .flags = unicast ? BABEL_HELLO_UNICAST : 0, .seqno = seqno,
				  .interval = interval_cs };
	assert_int_equal(babel_put_hello(&p->p, &hl), BABEL_PUT_OK);
}

void hp_hello_ts(struct h_pkt *p, uint16_t seqno, uint16_t interval_cs, uint32_t ts)
{
	struct babel_hello hl = { .seqno = seqno, .interval = interval_cs, .has_timestamp = true,
				  .timestamp = ts };
	assert_int_equal(babel_put_hello(&p->p, &hl), BABEL_PUT_OK);
}

void hp_ihu(struct h_pkt *p, uint16_t rxcost, uint16_t interval_cs, const struct link_addr *to)
{
	struct babel_ihu i = { .rxcost = rxcost, .interval = interval_cs };
	if (to) {
		i.addr.af = BABEL_AF_IPV6;
		memcpy(i.addr.bytes, to->a, 16);
	}
	assert_int_equal(babel_put_ihu(&p->p, &i), BABEL_PUT_OK);
}

void hp_ihu_ts(struct h_pkt *p, uint16_t rxcost, uint16_t interval_cs, const struct link_addr *to,
	       uint32_t origin, uint32_t receive)
{
	struct babel_ihu i = { .rxcost = rxcost, .interval = interval_cs, .has_timestamp = true,
			       .origin = origin, .receive = receive };
	i.addr.af = BABEL_AF_IPV6;
	memcpy(i.addr.bytes, to->a, 16);
	assert_int_equal(babel_put_ihu(&p->p, &i), BABEL_PUT_OK);
}

static void to_bprefix(struct babel_prefix *b, const char *text)
{
	struct prefix p;
	assert_true(prefix_parse(text, &p) >= 0);
	memset(b, 0, sizeof(*b));
	b->af = p.family == PREFIX_FAMILY_IPV4 ? BABEL_AF_IPV4 : BABEL_AF_IPV6;
	b->plen = p.plen;
	memcpy(b->bytes, p.addr, 16);
}

void hp_update(struct h_pkt *p, const char *prefix, const char *src, uint16_t seqno,
	       uint16_t metric, const uint8_t rid[8], uint16_t interval_cs)
{
	struct babel_update u = { 0 };
	to_bprefix(&u.prefix, prefix);
	u.ae = u.prefix.af == BABEL_AF_IPV4 ? BABEL_AE_V4_VIA_V6 : BABEL_AE_IPV6;
	if (src) {
		u.has_src = true;
		to_bprefix(&u.src, src);
	}
	u.seqno = seqno;
	u.metric = metric;
	u.interval = interval_cs;
	if (rid) {
		u.has_router_id = true;
		memcpy(u.router_id, rid, 8);
	}
	assert_int_equal(babel_put_update(&p->p, &u), BABEL_PUT_OK);
}

void hp_seqno_req(struct h_pkt *p, const char *prefix, uint16_t seqno, uint8_t hops,
		  const uint8_t rid[8])
{
	struct babel_seqno_req q = { 0 };
	to_bprefix(&q.prefix, prefix);
	q.ae = q.prefix.af == BABEL_AF_IPV4 ? BABEL_AE_IPV4 : BABEL_AE_IPV6;
	q.seqno = seqno;
	q.hop_count = hops;
	memcpy(q.router_id, rid, 8);
	assert_int_equal(babel_put_seqno_req(&p->p, &q), BABEL_PUT_OK);
}

void hp_route_req(struct h_pkt *p, const char *prefix)
{
	struct babel_route_req r = { 0 };
	if (prefix) {
		to_bprefix(&r.prefix, prefix);
		r.ae = r.prefix.af == BABEL_AF_IPV4 ? BABEL_AE_IPV4 : BABEL_AE_IPV6;
	}
	assert_int_equal(babel_put_route_req(&p->p, &r), BABEL_PUT_OK);
}

void hp_ack_req(struct h_pkt *p, uint16_t opaque, uint16_t interval)
{
	struct babel_ack_req a = { opaque, interval };
	assert_int_equal(babel_put_ack_req(&p->p, &a), BABEL_PUT_OK);
}

void hp_ack(struct h_pkt *p, uint16_t opaque)
{
	struct babel_ack a = { opaque };
	assert_int_equal(babel_put_ack(&p->p, &a), BABEL_PUT_OK);
}

void hp_send(struct harness *h, struct h_pkt *p, uint32_t ifindex, uint8_t n, bool multicast)
{
	babel_pkt_finish(&p->p);
	struct link_addr from = h_ll(n);
	engine_receive(h->e, ifindex, &from, multicast, p->buf, babel_pkt_len(&p->p), h->now);
	engine_run(h->e, h->now);
}

void h_neighbour_hello(struct harness *h, uint32_t ifindex, uint8_t n, uint16_t seqno,
		       uint16_t rxcost)
{
	struct h_pkt p;
	hp_init(&p);
	hp_hello(&p, seqno, 400, false);
	struct link_addr us = h_our_ll(ifindex);
	if (rxcost)
		hp_ihu(&p, rxcost, 1200, &us);
	hp_send(h, &p, ifindex, n, true);
}

size_t h_scan(struct harness *h, size_t from, uint8_t type, h_tlv_fn *fn, void *arg)
{
	size_t count = 0;
	for (size_t i = from; i < h->nsent; i++) {
		struct babel_packet pk;
		assert_int_equal(babel_packet_split(h->sent[i].buf, h->sent[i].len, &pk), BABEL_OK);
		struct babel_iter it;
		struct babel_tlv t;
		enum babel_result r;
		babel_iter_body(&it, &pk);
		while ((r = babel_iter_next(&it, &t)) != BABEL_END) {
			assert_int_equal(r, BABEL_OK);
			if (t.type != type)
				continue;
			count++;
			if (fn)
				fn(arg, &h->sent[i], &t);
		}
		assert_false(babel_iter_broken(&it));
	}
	return count;
}

struct last_arg {
	struct babel_prefix want;
	struct babel_update *out;
	bool found;
};

static void last_cb(void *arg, const struct h_sent *s, const struct babel_tlv *t)
{
	(void)s;
	struct last_arg *a = arg;
	if (t->update.prefix.af == a->want.af && t->update.prefix.plen == a->want.plen &&
	    memcmp(t->update.prefix.bytes, a->want.bytes, 16) == 0) {
		*a->out = t->update;
		a->found = true;
	}
}

bool h_last_update(struct harness *h, size_t from, const char *prefix, struct babel_update *out)
{
	struct last_arg a = { .out = out };
	to_bprefix(&a.want, prefix);
	h_scan(h, from, BABEL_TLV_UPDATE, last_cb, &a);
	return a.found;
}

struct nb_arg {
	struct link_addr want;
	struct engine_neighbour_info *out;
	bool found;
};

static void nb_cb(void *arg, const struct engine_neighbour_info *n)
{
	struct nb_arg *a = arg;
	if (memcmp(n->addr.a, a->want.a, 16) == 0) {
		*a->out = *n;
		a->found = true;
	}
}

bool h_neighbour(struct harness *h, uint8_t n, struct engine_neighbour_info *out)
{
	struct nb_arg a = { .want = h_ll(n), .out = out };
	engine_foreach_neighbour(h->e, h->now, nb_cb, &a);
	return a.found;
}

void h_key(struct route_key *k, const char *prefix, const char *src)
{
	struct prefix d, s;
	assert_true(prefix_parse(prefix, &d) >= 0);
	if (src)
		assert_true(prefix_parse(src, &s) >= 0);
	assert_int_equal(route_key_make(k, &d, src ? &s : NULL), 0);
}

struct rt_arg {
	struct route_key want;
	struct engine_route_info *out;
	bool found;
	size_t count;
};

static void rt_cb(void *arg, const struct engine_route_info *r)
{
	struct rt_arg *a = arg;
	a->count++;
	if (a->out && r->selected && route_key_equal(&r->key, &a->want)) {
		*a->out = *r;
		a->found = true;
	}
}

bool h_selected(struct harness *h, const char *prefix, struct engine_route_info *out)
{
	struct rt_arg a = { .out = out };
	h_key(&a.want, prefix, NULL);
	engine_foreach_route(h->e, h->now, rt_cb, &a);
	return a.found;
}

size_t h_route_count(struct harness *h)
{
	struct rt_arg a = { 0 };
	engine_foreach_route(h->e, h->now, rt_cb, &a);
	return a.count;
}

struct src_arg {
	struct route_key want;
	struct engine_source_info *out;
	bool found;
	size_t count;
};

static void src_cb(void *arg, const struct engine_source_info *s)
{
	struct src_arg *a = arg;
	a->count++;
	if (a->out && route_key_equal(&s->key, &a->want)) {
		*a->out = *s;
		a->found = true;
	}
}

size_t h_source_count(struct harness *h)
{
	struct src_arg a = { 0 };
	engine_foreach_source(h->e, h->now, src_cb, &a);
	return a.count;
}

bool h_source(struct harness *h, const char *prefix, struct engine_source_info *out)
{
	struct src_arg a = { .out = out };
	h_key(&a.want, prefix, NULL);
	engine_foreach_source(h->e, h->now, src_cb, &a);
	return a.found;
}
