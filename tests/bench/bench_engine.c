/* How fast one engine takes in a neighbour's full table, and what each
 * route costs it in memory.
 *
 * A neighbour is established first (Hellos, then an IHU naming us), so that
 * its routes are feasible, selected and installed. Then it sends its whole
 * table: 10k routes, and in a second run (a fresh engine) 100k, half IPv6
 * /56s, half IPv4 /24s (v4-via-v6), in packets of 1400 octets built with the
 * codec's encoder before the clock starts. Measured: wall time per route for
 * receiving and applying every packet (engine_receive + engine_run, as the
 * event loop calls them) until every route is installed, the same for a
 * second, unchanged copy of the table (the periodic refresh), and the heap
 * the engine grew by per route (mallinfo2 on glibc, resident set size
 * elsewhere). The 100k/10k ratio of the time per route should stay near 1:
 * nothing may walk the whole table per message. Goals: under 2 us and 300
 * bytes per route. Each size runs a few times with a fresh engine and the
 * best time counts; the CPU time of the process is shown beside the wall
 * time, which a busy machine inflates.
 *
 * Not part of make check (timing on shared machines is noise): make bench.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
#define HAVE_MALLINFO2 1
#endif

#include "proto/babel.h"
#include "src/core/engine.h"

#define IFINDEX 2u
#define PKT_CAP 1400u

struct counters {
	uint64_t adds, replaces, removes;
	uint64_t sent_packets, sent_bytes;
};

static void on_send(void *ctx, uint32_t ifindex, const struct link_addr *to, const uint8_t *buf,
		    size_t len)
{
	struct counters *c = ctx;
	(void)ifindex;
	(void)to;
	(void)buf;
	c->sent_packets++;
	c->sent_bytes += len;
}

static void on_route_change(void *ctx, const struct fib_change *ch, size_t n)
{
	struct counters *c = ctx;
	for (size_t i = 0; i < n; i++) {
		switch (ch[i].op) {
		case FIB_ADD: c->adds++; break;
		case FIB_REPLACE: c->replaces++; break;
		case FIB_REMOVE: c->removes++; break;
		}
	}
}

static void on_notify(void *ctx, const struct engine_event *ev)
{
	(void)ctx;
	(void)ev;
}

static const struct engine_ops ops = {
	.send = on_send,
	.route_change = on_route_change,
	.notify = on_notify,
};

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time and this process's CPU time: on a shared, busy machine the
 * wall clock also counts the time others had the CPU. */
struct stamp {
	double wall, cpu;
};

static struct stamp stamp_now(void)
{
	struct stamp s = { clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_PROCESS_CPUTIME_ID) };
	return s;
}

static struct stamp stamp_since(struct stamp a)
{
	struct stamp b = stamp_now();
	struct stamp d = { b.wall - a.wall, b.cpu - a.cpu };
	return d;
}

/* Heap in use, or failing that the resident set, in bytes. */
static long long mem_used(void)
{
#ifdef HAVE_MALLINFO2
	struct mallinfo2 mi = mallinfo2();
	long long heap = (long long)(mi.uordblks + mi.hblkhd);
	if (heap > 0)
		return heap;
#endif
	long long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%lld %lld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * 4096;
}

static void ll(struct link_addr *a, uint8_t node)
{
	memset(a, 0, sizeof *a);
	a->a[0] = 0xfe;
	a->a[1] = 0x80;
	a->a[15] = node;
}

/* Packets of the full table, back to back: [len (2 octets)][packet]... */
struct table {
	uint8_t *buf;
	size_t len, cap;
	size_t packets;
};

static void table_append(struct table *t, const uint8_t *pkt, size_t len)
{
	if (t->len + 2 + len > t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1 << 20;
		t->buf = realloc(t->buf, t->cap);
		if (!t->buf) {
			perror("realloc");
			exit(1);
		}
	}
	t->buf[t->len] = (uint8_t)(len >> 8);
	t->buf[t->len + 1] = (uint8_t)len;
	memcpy(t->buf + t->len + 2, pkt, len);
	t->len += 2 + len;
	t->packets++;
}

/* Route I of the table: even ones IPv6 /56s inside 2001:db8::/32,
 * odd ones IPv4 /24 from 1.0.0.0 on. */
static void route_at(size_t i, struct babel_update *u)
{
	size_t k = i / 2;
	memset(&u->prefix, 0, sizeof u->prefix);
	if (i % 2 == 0) {
		u->ae = BABEL_AE_IPV6;
		u->prefix.af = BABEL_AF_IPV6;
		u->prefix.plen = 56;
		u->prefix.bytes[0] = 0x20;
		u->prefix.bytes[1] = 0x01;
		u->prefix.bytes[2] = 0x0d;
		u->prefix.bytes[3] = 0xb8;
		u->prefix.bytes[4] = (uint8_t)(k >> 16);
		u->prefix.bytes[5] = (uint8_t)(k >> 8);
		u->prefix.bytes[6] = (uint8_t)k;
	} else {
		u->ae = BABEL_AE_V4_VIA_V6;
		u->prefix.af = BABEL_AF_IPV4;
		u->prefix.plen = 24;
		u->prefix.bytes[0] = (uint8_t)(1 + (k >> 16));
		u->prefix.bytes[1] = (uint8_t)(k >> 8);
		u->prefix.bytes[2] = (uint8_t)k;
	}
	u->metric = (uint16_t)(96 + (i % 7) * 32);
}

static void build_table(struct table *t, size_t routes, const uint8_t rid[8], uint16_t seqno)
{
	uint8_t buf[PKT_CAP];
	struct babel_pkt p;
	babel_pkt_init(&p, buf, sizeof buf, 0);
	for (size_t i = 0; i < routes; i++) {
		struct babel_update u;
		memset(&u, 0, sizeof u);
		route_at(i, &u);
		u.interval = 1600; /* 16 s: babeld's default update interval */
		u.seqno = seqno;
		u.has_router_id = true;
		memcpy(u.router_id, rid, 8);
		enum babel_put r = babel_put_update(&p, &u);
		if (r == BABEL_PUT_FULL) {
			table_append(t, buf, babel_pkt_finish(&p));
			babel_pkt_init(&p, buf, sizeof buf, 0);
			r = babel_put_update(&p, &u);
		}
		if (r != BABEL_PUT_OK) {
			fprintf(stderr, "bench_engine: cannot encode route %zu\n", i);
			exit(1);
		}
	}
	if (!babel_pkt_empty(&p))
		table_append(t, buf, babel_pkt_finish(&p));
}

static size_t one_packet(uint8_t *buf, size_t cap, const struct babel_hello *h,
			 const struct babel_ihu *ihu)
{
	struct babel_pkt p;
	babel_pkt_init(&p, buf, cap, 0);
	if (h && babel_put_hello(&p, h) != BABEL_PUT_OK)
		exit(1);
	if (ihu && babel_put_ihu(&p, ihu) != BABEL_PUT_OK)
		exit(1);
	return babel_pkt_finish(&p);
}

/* Feeds the table; returns the seconds it took. */
static struct stamp feed(struct engine *e, const struct table *t, const struct link_addr *from,
			 uint64_t *now)
{
	struct stamp t0 = stamp_now();
	for (size_t off = 0; off < t->len;) {
		size_t len = (size_t)t->buf[off] << 8 | t->buf[off + 1];
		engine_receive(e, IFINDEX, from, true, t->buf + off + 2, len, *now);
		engine_run(e, *now);
		off += 2 + len;
	}
	/* Whatever the engine deferred (batched FIB changes, triggered
	 * updates) within the next second of simulated time counts too. */
	uint64_t end = *now + 1000;
	while (*now < end) {
		uint64_t next = engine_run(e, *now);
		*now = next > end ? end : (next > *now ? next : *now + 1);
	}
	engine_run(e, *now);
	return stamp_since(t0);
}

struct result {
	size_t routes;
	double us_per_route, cpu_us_per_route, refresh_us_per_route;
	double bytes_per_route;
	uint64_t installed;
	size_t packets;
	long long engine_before;
	uint64_t sent_packets, sent_bytes;
};

static int run_once(size_t routes, struct result *res)
{
	static const uint8_t rid[8] = { 2, 0, 0, 0, 0, 0, 0, 2 };
	struct counters c;
	struct engine_config cfg;
	struct if_config ifc;
	struct link_addr me, nbr;
	uint8_t buf[256];
	uint64_t now = 1000000;
	struct table t;

	memset(&c, 0, sizeof c);
	memset(&t, 0, sizeof t);
	build_table(&t, routes, rid, 7);

	memset(&cfg, 0, sizeof cfg);
	cfg.router_id[0] = 2;
	cfg.router_id[7] = 1;
	memset(&ifc, 0, sizeof ifc);
	ifc.type = IF_TYPE_WIRED;
	ifc.split_horizon = OPT_DEFAULT;
	ifc.unicast = OPT_DEFAULT;
	ifc.link_quality = OPT_DEFAULT;
	ifc.enable_timestamps = OPT_DEFAULT;
	ifc.v4_via_v6 = OPT_DEFAULT;
	engine_if_defaults(&ifc);
	ll(&me, 1);
	ll(&nbr, 2);

	long long mem0 = mem_used();
	struct engine *e = engine_new(&cfg, &ops, &c, now, 42);
	if (!e || engine_interface_up(e, IFINDEX, "bench0", &ifc, &me, now) != 0) {
		fprintf(stderr, "bench_engine: cannot start the engine\n");
		return -1;
	}
	engine_run(e, now);

	/* The neighbour: three Hellos 4 s apart (2 out of 3 makes a wired
	 * link up), then an IHU saying it hears us at cost 96. */
	for (uint16_t s = 0; s < 3; s++) {
		struct babel_hello h = { .seqno = (uint16_t)(100 + s), .interval = 400 };
		size_t len = one_packet(buf, sizeof buf, &h, NULL);
		engine_receive(e, IFINDEX, &nbr, true, buf, len, now);
		engine_run(e, now);
		now += 4000;
		engine_run(e, now);
	}
	struct babel_ihu ihu;
	memset(&ihu, 0, sizeof ihu);
	ihu.rxcost = 96;
	ihu.interval = 1200;
	ihu.addr.af = BABEL_AF_IPV6;
	memcpy(ihu.addr.bytes, me.a, 16);
	struct babel_hello h = { .seqno = 103, .interval = 400 };
	size_t len = one_packet(buf, sizeof buf, &h, &ihu);
	engine_receive(e, IFINDEX, &nbr, true, buf, len, now);
	engine_run(e, now);
	now += 10;
	engine_run(e, now);

	long long mem1 = mem_used();
	struct stamp first = feed(e, &t, &nbr, &now);
	long long mem2 = mem_used();
	res->installed = c.adds;
	struct stamp refresh = feed(e, &t, &nbr, &now);

	res->routes = routes;
	res->us_per_route = first.wall * 1e6 / (double)routes;
	res->cpu_us_per_route = first.cpu * 1e6 / (double)routes;
	res->refresh_us_per_route = refresh.wall * 1e6 / (double)routes;
	res->bytes_per_route = (double)(mem2 - mem1) / (double)routes;
	res->packets = t.packets;
	res->engine_before = mem1 - mem0;
	res->sent_packets = c.sent_packets;
	res->sent_bytes = c.sent_bytes;
	engine_free(e);
	free(t.buf);
	return 0;
}

/* The best of a few runs, each with a fresh engine: the least disturbed
 * one is the closest to what the code costs. */
#define RUNS 5

static int run(size_t routes, struct result *best)
{
	for (int i = 0; i < RUNS; i++) {
		struct result r;
		if (run_once(routes, &r) < 0)
			return -1;
		if (i == 0) {
			*best = r;
			continue;
		}
		if (r.us_per_route < best->us_per_route)
			best->us_per_route = r.us_per_route;
		if (r.cpu_us_per_route < best->cpu_us_per_route)
			best->cpu_us_per_route = r.cpu_us_per_route;
		if (r.refresh_us_per_route < best->refresh_us_per_route)
			best->refresh_us_per_route = r.refresh_us_per_route;
		if (r.installed < best->installed)
			best->installed = r.installed;
	}
	printf("routes=%zu packets=%zu installed=%llu time_per_route_us=%.3f "
	       "cpu_time_per_route_us=%.3f refresh_time_per_route_us=%.3f bytes_per_route=%.1f "
	       "(best of %d; engine before the table: %lld bytes; it sent %llu packets, "
	       "%llu bytes)\n",
	       routes, best->packets, (unsigned long long)best->installed, best->us_per_route,
	       best->cpu_us_per_route, best->refresh_us_per_route, best->bytes_per_route, RUNS,
	       best->engine_before, (unsigned long long)best->sent_packets,
	       (unsigned long long)best->sent_bytes);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	size_t small = 10000, big = 100000;
	if (argc > 1)
		small = (size_t)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		big = (size_t)strtoul(argv[2], NULL, 10);
	struct result a, b;
	if (run(small, &a) < 0 || run(big, &b) < 0)
		return 1;
	int status = 0;
	if (a.installed != small || b.installed != big) {
		printf("bench_engine: FAIL: not every route was installed\n");
		status = 1;
	}
	double ratio = a.cpu_us_per_route > 0 ? b.cpu_us_per_route / a.cpu_us_per_route : 0;
	printf("ratio_cpu_time_per_route_%zu/%zu=%.2f (total time ratio %.1f, linear would be %.1f)\n",
	       big, small, ratio, ratio * (double)big / (double)small,
	       (double)big / (double)small);
	printf("goal: time_per_route_us < 2 (%s), bytes_per_route < 300 (%s)\n",
	       b.cpu_us_per_route < 2.0 ? "met" : "NOT met",
	       b.bytes_per_route < 300.0 ? "met" : "NOT met");
	return status;
}
