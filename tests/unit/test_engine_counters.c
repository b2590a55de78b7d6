/* The engine's traffic counters (what `maillectl metrics` exposes): two
 * engines on a fake clock exchange real packets, and every counter must
 * equal what an independent decode of the packets on the wire finds.
 * Then bad packets, one per drop reason, must each land in their reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/babel.h"
#include "src/core/engine.h"

#define IFX 3u
#define QMAX 4096

struct pkt {
	int to;           /* engine index it goes to */
	bool mcast;
	uint8_t *buf;
	size_t len;
};

struct node {
	struct engine *e;
	int idx;
	struct link_addr ll;
	/* what the wire carried from this node, decoded by the codec */
	uint64_t wire_packets, wire_bytes, wire_tlvs[ENGINE_TLV_SLOTS];
};

static struct node nodes[2];
static struct pkt queue[QMAX];
static size_t nq;

static void on_send(void *ctx, uint32_t ifindex, const struct link_addr *to, const uint8_t *buf,
		    size_t len)
{
	struct node *n = ctx;
	assert_int_equal(ifindex, IFX);
	n->wire_packets++;
	n->wire_bytes += len;
	struct babel_packet p;
	assert_int_equal(babel_packet_split(buf, len, &p), BABEL_OK);
	struct babel_iter it;
	struct babel_tlv t;
	babel_iter_body(&it, &p);
	while (babel_iter_next(&it, &t) != BABEL_END)
		n->wire_tlvs[engine_tlv_slot(t.type)]++;
	assert_false(babel_iter_broken(&it));
	assert_true(nq < QMAX);
	struct pkt *q = &queue[nq++];
	q->to = 1 - n->idx;
	q->mcast = to == NULL;
	q->buf = malloc(len);
	assert_non_null(q->buf);
	memcpy(q->buf, buf, len);
	q->len = len;
}

static void on_fib(void *ctx, const struct fib_change *c, size_t n)
{
	(void)ctx, (void)c, (void)n;
}

static const struct engine_ops ops = { .send = on_send, .route_change = on_fib };

static struct if_config wired(void)
{
	struct if_config c;
	memset(&c, 0, sizeof(c));
	c.type = IF_TYPE_WIRED;
	c.split_horizon = c.unicast = c.link_quality = c.enable_timestamps = c.v4_via_v6 =
		OPT_DEFAULT;
	return c;
}

static void start(uint64_t now)
{
	memset(nodes, 0, sizeof(nodes));
	nq = 0;
	for (int i = 0; i < 2; i++) {
		struct engine_config cfg = { 0 };
		cfg.router_id[7] = (uint8_t)(i + 1);
		nodes[i].idx = i;
		nodes[i].ll = (struct link_addr){ { 0xfe, 0x80 } };
		nodes[i].ll.a[15] = (uint8_t)(i + 1);
		nodes[i].e = engine_new(&cfg, &ops, &nodes[i], now, 42u + (uint64_t)i);
		assert_non_null(nodes[i].e);
		struct if_config c = wired();
		assert_int_equal(engine_interface_up(nodes[i].e, IFX, "veth0", &c, &nodes[i].ll, now),
				 0);
		/* One exported prefix each: there are updates to count. */
		struct route_key k;
		memset(&k, 0, sizeof(k));
		char p[32];
		snprintf(p, sizeof(p), "2001:db8:%d::/48", i + 1);
		assert_int_equal(prefix_parse(p, &k.dst), 0);
		k.src.family = k.dst.family;
		engine_kernel_route(nodes[i].e, &k, IFX, 0, 0, 2, true, now);
	}
}

static void stop(void)
{
	for (size_t i = 0; i < nq; i++)
		free(queue[i].buf);
	nq = 0;
	for (int i = 0; i < 2; i++)
		engine_free(nodes[i].e);
}

/* Runs both engines to t, delivering every packet at once (a perfect link). */
static uint64_t pump(uint64_t now, uint64_t until)
{
	while (now < until) {
		uint64_t next = until;
		for (int i = 0; i < 2; i++) {
			uint64_t d = engine_run(nodes[i].e, now);
			if (d < next)
				next = d;
		}
		while (nq) {
			size_t n = nq;
			struct pkt batch[QMAX];
			memcpy(batch, queue, n * sizeof(batch[0]));
			nq = 0;
			for (size_t i = 0; i < n; i++) {
				struct node *src = &nodes[1 - batch[i].to];
				engine_receive(nodes[batch[i].to].e, IFX, &src->ll, batch[i].mcast,
					       batch[i].buf, batch[i].len, now);
				free(batch[i].buf);
			}
			for (int i = 0; i < 2; i++)
				engine_run(nodes[i].e, now);
		}
		now = next > now ? next : now + 1;
	}
	return now;
}

struct if_snap {
	bool found;
	struct engine_if_counters c;
};

static void snap_if(void *arg, const struct engine_if_info *i)
{
	struct if_snap *s = arg;
	assert_non_null(i->counters);
	s->found = true;
	s->c = *i->counters;
}

static struct engine_if_counters counters_of(int n)
{
	struct if_snap s = { 0 };
	engine_foreach_interface(nodes[n].e, snap_if, &s);
	assert_true(s.found);
	return s.c;
}

static void test_counters_match_the_wire(void **state)
{
	(void)state;
	start(1000000);
	pump(1000000, 1000000 + 60000);
	for (int i = 0; i < 2; i++) {
		struct engine_if_counters me = counters_of(i), peer = counters_of(1 - i);
		struct node *n = &nodes[i];
		assert_true(n->wire_packets > 10);
		assert_int_equal(me.packets_out, n->wire_packets);
		assert_int_equal(me.bytes_out, n->wire_bytes);
		/* Every packet got through: what one sent, the other received. */
		assert_int_equal(peer.packets_in, n->wire_packets);
		assert_int_equal(peer.bytes_in, n->wire_bytes);
		for (unsigned s = 0; s < ENGINE_TLV_SLOTS; s++) {
			if (me.tlvs_out[s] != n->wire_tlvs[s] || peer.tlvs_in[s] != n->wire_tlvs[s])
				fail_msg("node %d, TLV slot %u (%s): sent %" PRIu64 ", peer received %" PRIu64
					 ", on the wire %" PRIu64,
					 i, s, engine_tlv_name(s) ? engine_tlv_name(s) : "?",
					 me.tlvs_out[s], peer.tlvs_in[s], n->wire_tlvs[s]);
		}
		assert_true(me.tlvs_out[BABEL_TLV_HELLO] > 5);
		assert_true(me.tlvs_out[BABEL_TLV_IHU] > 0);
		assert_true(me.tlvs_out[BABEL_TLV_UPDATE] > 0);
		assert_true(me.tlvs_out[BABEL_TLV_ROUTER_ID] > 0);
		for (unsigned d = 0; d < ENGINE_DROP_COUNT; d++)
			assert_int_equal(me.drops[d], 0);
		assert_int_equal(me.tlvs_malformed, 0);
	}
	/* The engine-wide totals are the sums. */
	struct engine_stats st;
	engine_get_stats(nodes[0].e, &st);
	assert_int_equal(st.packets_out, nodes[0].wire_packets);
	assert_int_equal(st.bytes_in, nodes[1].wire_bytes);
	assert_int_equal(st.packets_dropped, 0);
	stop();
}

static void deliver(int n, const struct link_addr *from, uint32_t ifindex, const uint8_t *buf,
		    size_t len)
{
	engine_receive(nodes[n].e, ifindex, from, true, buf, len, 1000000);
}

static void test_drops_by_reason(void **state)
{
	(void)state;
	start(1000000);
	struct link_addr peer = nodes[1].ll;
	struct link_addr global = { { 0x20, 0x01, 0x0d, 0xb8 } };
	global.a[15] = 1;
	/* A Hello: header, then type 4, length 6, flags, seqno, interval. */
	const uint8_t hello[] = { 42, 2, 0, 8, 4, 6, 0, 0, 0, 1, 1, 0x90 };
	deliver(0, &global, IFX, hello, sizeof(hello));                /* not link-local */
	deliver(0, &peer, IFX + 1, hello, sizeof(hello));              /* no such interface */
	const uint8_t magic[] = { 43, 2, 0, 0 };
	deliver(0, &peer, IFX, magic, sizeof(magic));                  /* malformed */
	deliver(0, &peer, IFX, magic, 2);                              /* malformed: short */
	const uint8_t v3[] = { 42, 3, 0, 0 };
	deliver(0, &peer, IFX, v3, sizeof(v3));                        /* bad version */
	/* A PadN, then a Hello whose length runs past the body. */
	const uint8_t trunc[] = { 42, 2, 0, 8, 1, 0, 4, 6, 0, 0, 0, 1 };
	deliver(0, &peer, IFX, trunc, sizeof(trunc));                  /* truncated TLV */
	/* Accepted: a Hello, an unknown type 200 and a Hello too short for
	 * its type (malformed, but the framing holds). */
	const uint8_t odd[] = { 42, 2, 0, 14, 4, 6, 0, 0, 0, 1, 1, 0x90, 200, 0, 4, 2, 0, 0 };
	deliver(0, &peer, IFX, odd, sizeof(odd));

	struct engine_if_counters c = counters_of(0);
	assert_int_equal(c.packets_in, 6); /* the unknown interface's is nobody's */
	assert_int_equal(c.drops[ENGINE_DROP_NOT_LINK_LOCAL], 1);
	assert_int_equal(c.drops[ENGINE_DROP_UNKNOWN_INTERFACE], 0);
	assert_int_equal(c.drops[ENGINE_DROP_MALFORMED], 2);
	assert_int_equal(c.drops[ENGINE_DROP_BAD_VERSION], 1);
	assert_int_equal(c.drops[ENGINE_DROP_BROKEN_TLV], 1);
	assert_int_equal(c.drops[ENGINE_DROP_NO_MEMORY], 0);
	/* PadN of the truncated packet, then the odd packet's three TLVs;
	 * the TLV that broke the framing has no type to count. */
	assert_int_equal(c.tlvs_in[BABEL_TLV_PADN], 1);
	assert_int_equal(c.tlvs_in[BABEL_TLV_HELLO], 2);
	assert_int_equal(c.tlvs_in[ENGINE_TLV_OTHER], 1);
	assert_int_equal(c.tlvs_ignored, 1);
	assert_int_equal(c.tlvs_malformed, 2); /* the short Hello and the framing */

	struct engine_stats st;
	engine_get_stats(nodes[0].e, &st);
	assert_int_equal(st.drops[ENGINE_DROP_UNKNOWN_INTERFACE], 1);
	uint64_t sum = 0;
	for (unsigned d = 0; d < ENGINE_DROP_COUNT; d++) {
		assert_non_null(engine_drop_name((enum engine_drop)d));
		sum += st.drops[d];
	}
	assert_int_equal(st.packets_dropped, sum);
	assert_int_equal(sum, 6);
	stop();
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(engine_tlv_name(BABEL_TLV_HELLO), "hello");
	assert_string_equal(engine_tlv_name(BABEL_TLV_SEQNO_REQ), "seqno_request");
	assert_null(engine_tlv_name(ENGINE_TLV_OTHER));
	assert_null(engine_tlv_name(12));
	assert_int_equal(engine_tlv_slot(255), ENGINE_TLV_OTHER);
	assert_int_equal(engine_tlv_slot(BABEL_TLV_CHALLENGE_REPLY), BABEL_TLV_CHALLENGE_REPLY);
	assert_string_equal(engine_drop_name(ENGINE_DROP_NOT_LINK_LOCAL), "not_link_local");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters_match_the_wire),
		cmocka_unit_test(test_drops_by_reason),
		cmocka_unit_test(test_names),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
