/* Fuzzes the engine with whole packet sequences: the input is cut into
 * packets (a length octet, then that many bytes), each received from one
 * of three neighbours on one of two interfaces, with time moving on between
 * them.  Besides "never crash", it checks a property: every packet the
 * engine sends in answer is a well-formed Babel packet that fits the MTU. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/babel.h"
#include "src/core/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sent(void *ctx, uint32_t ifindex, const struct link_addr *to,
		       const uint8_t *buf, size_t len)
{
	(void)ctx; (void)ifindex; (void)to;
	struct babel_packet p;
	if (len > 1500 || babel_packet_split(buf, len, &p) != BABEL_OK)
		abort();
	struct babel_iter it;
	struct babel_tlv t;
	enum babel_result r;
	babel_iter_body(&it, &p);
	while ((r = babel_iter_next(&it, &t)) != BABEL_END)
		if (r == BABEL_MALFORMED)
			abort();
}

static void no_route(void *ctx, const struct fib_change *c, size_t n) { (void)ctx; (void)c; (void)n; }
static void no_event(void *ctx, const struct engine_event *ev) { (void)ctx; (void)ev; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct engine_ops ops = { check_sent, no_route, no_event };
	struct engine_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.router_id[7] = 1;
	uint64_t now = 1000000;
	struct engine *e = engine_new(&cfg, &ops, NULL, now, 42);
	if (!e)
		return 0;
	for (uint32_t ifi = 1; ifi <= 2; ifi++) {
		struct if_config ic;
		memset(&ic, 0, sizeof ic);
		ic.type = ifi == 1 ? IF_TYPE_WIRED : IF_TYPE_WIRELESS;
		ic.split_horizon = ic.unicast = ic.link_quality = ic.enable_timestamps = OPT_DEFAULT;
		ic.v4_via_v6 = OPT_DEFAULT;
		engine_if_defaults(&ic);
		struct link_addr ll = { { 0xfe, 0x80, [15] = (uint8_t)ifi } };
		engine_interface_up(e, ifi, ifi == 1 ? "eth0" : "wlan0", &ic, &ll, now);
	}
	size_t off = 0;
	while (off + 2 <= size) {
		uint8_t ctl = data[off], len = data[off + 1];
		off += 2;
		if (len > size - off)
			len = (uint8_t)(size - off);
		struct link_addr from = { { 0xfe, 0x80, [14] = 0x10, [15] = (uint8_t)(ctl % 3) } };
		engine_receive(e, 1 + (ctl >> 7), &from, ctl & 0x40, data + off, len, now);
		off += len;
		now += (uint64_t)(ctl & 0x38) * 100; /* up to 5.6 s between packets */
		engine_run(e, now);
	}
	engine_shutdown(e, now);
	engine_free(e);
	return 0;
}
