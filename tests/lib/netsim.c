/* An in-memory network of Babel engines on a simulated clock: see netsim.h.
 *
 * Sizes are those of tests (tens of nodes, tens of prefixes), so the tables
 * here are plain arrays searched linearly: clarity over speed. The one cost
 * that matters, the loop check after every event, is paid only when some
 * node's installed routes changed since the last check, which is exactly
 * when the forwarding state can have changed.
 */
#include "tests/lib/netsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/babel.h"
#include "tests/lib/rng.h"

/* A node that asks to run again at the same ms this many times in a row is
 * spinning: the harness counts it and moves its deadline 1 ms on. */
#define SPIN_LIMIT 10000u

struct member {
	unsigned node;
	uint32_t ifindex;
	struct link_addr ll;
};

struct link {
	struct member *m;
	size_t n;
	struct netsim_link_params p;
	bool carrier;  /* false: the engines were told the interface is down */
	bool silent;   /* true: packets are dropped, carrier up */
	uint32_t epoch; /* bumped by every cut: packets sent before are lost */
};

struct iface {
	uint32_t ifindex;
	int link;
};

struct fib_entry {
	struct route_key key;
	uint32_t ifindex;
	struct link_addr nexthop;
	uint16_t metric;
};

struct node {
	struct netsim *sim;
	unsigned id;
	struct engine *e;
	uint64_t deadline;
	uint64_t spin_at;
	unsigned spins;
	struct iface *ifs;
	size_t nifs;
	struct fib_entry *fib;
	size_t nfib, capfib;
	bool freeing; /* engine_free in progress: ignore what it says */
	bool stopped; /* no engine: hears nothing, says nothing, announces nothing */
	unsigned starts;
};

struct pkt {
	uint64_t at, seq;
	int link;
	unsigned node;     /* receiver */
	uint32_t ifindex;  /* receiver's */
	struct link_addr from;
	bool mcast;
	uint32_t epoch;
	size_t len;
	uint8_t data[];
};

/* A known destination: announced by someone now or once, or seen in a FIB. */
struct dest {
	struct route_key key;
	bool *announced; /* per node */
	bool dirty;      /* forwarding towards it may have changed: check it */
};

struct netsim {
	unsigned n;
	struct node *nodes;
	uint64_t now;
	uint64_t seed;
	struct test_rng rng;
	struct link *links;
	size_t nlinks;
	struct pkt **heap;
	size_t nheap, capheap;
	uint64_t pkt_seq;
	struct dest *dests;
	size_t ndests;
	bool fib_dirty;   /* some dest is dirty */
	size_t *cover;    /* scratch: dests whose prefix covers the one walked to */
	size_t capcover;
	uint8_t *visited; /* per node, for walks */
	unsigned *comp;   /* per node, connected component */
	unsigned *dist;   /* per node, BFS scratch */
	unsigned *queue;  /* per node, BFS scratch */
	struct netsim_hooks hooks;
	void *hooks_arg;
	bool watching;
	struct route_key watch_key;
	struct netsim_watch_result watch;
	struct netsim_stats st;
};

/* ------------------------------------------------------------- helpers */

static void *xrealloc_array(void *p, size_t n, size_t size)
{
	if (n && size > SIZE_MAX / n)
		return NULL;
	return realloc(p, n * size);
}

static void hash_bytes(uint64_t *h, const void *data, size_t len)
{
	const uint8_t *b = data;
	for (size_t i = 0; i < len; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ull;
	}
}

static void hash_u64(uint64_t *h, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i)); /* fixed byte order: same hash on every CPU */
	hash_bytes(h, b, sizeof b);
}

static bool addr_equal(const struct link_addr *a, const struct link_addr *b)
{
	return memcmp(a->a, b->a, sizeof a->a) == 0;
}

static void make_ll(struct link_addr *ll, unsigned node, uint32_t ifindex)
{
	memset(ll, 0, sizeof *ll);
	ll->a[0] = 0xfe;
	ll->a[1] = 0x80;
	ll->a[12] = (uint8_t)((node + 1) >> 8);
	ll->a[13] = (uint8_t)(node + 1);
	ll->a[14] = (uint8_t)(ifindex >> 8);
	ll->a[15] = (uint8_t)ifindex;
}

static struct iface *node_iface(struct node *nd, uint32_t ifindex)
{
	for (size_t i = 0; i < nd->nifs; i++)
		if (nd->ifs[i].ifindex == ifindex)
			return &nd->ifs[i];
	return NULL;
}

static struct member *link_member(struct link *l, unsigned node)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->m[i].node == node)
			return &l->m[i];
	return NULL;
}

static bool link_is_live(const struct link *l)
{
	return l->carrier && !l->silent;
}

static void node_run(struct netsim *sim, struct node *nd)
{
	if (nd->stopped) {
		nd->deadline = UINT64_MAX;
		return;
	}
	uint64_t d = engine_run(nd->e, sim->now);
	if (d <= sim->now) {
		if (nd->spin_at != sim->now) {
			nd->spin_at = sim->now;
			nd->spins = 0;
		}
		if (++nd->spins >= SPIN_LIMIT) {
			sim->st.engine_spins++;
			nd->spins = 0;
			d = sim->now + 1;
		} else {
			d = sim->now;
		}
	}
	nd->deadline = d;
}

/* ------------------------------------------------------------ packet heap */

static bool pkt_before(const struct pkt *a, const struct pkt *b)
{
	return a->at != b->at ? a->at < b->at : a->seq < b->seq;
}

static int heap_push(struct netsim *sim, struct pkt *p)
{
	if (sim->nheap == sim->capheap) {
		size_t cap = sim->capheap ? 2 * sim->capheap : 64;
		struct pkt **h = xrealloc_array(sim->heap, cap, sizeof *h);
		if (!h)
			return -1;
		sim->heap = h;
		sim->capheap = cap;
	}
	size_t i = sim->nheap++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!pkt_before(p, sim->heap[parent]))
			break;
		sim->heap[i] = sim->heap[parent];
		i = parent;
	}
	sim->heap[i] = p;
	return 0;
}

static struct pkt *heap_pop(struct netsim *sim)
{
	struct pkt *top = sim->heap[0];
	struct pkt *last = sim->heap[--sim->nheap];
	size_t i = 0, n = sim->nheap;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && pkt_before(sim->heap[c + 1], sim->heap[c]))
			c++;
		if (!pkt_before(sim->heap[c], last))
			break;
		sim->heap[i] = sim->heap[c];
		i = c;
	}
	if (n)
		sim->heap[i] = last;
	return top;
}

/* ------------------------------------------------------------ destinations */

static struct dest *dest_find(struct netsim *sim, const struct route_key *key)
{
	for (size_t i = 0; i < sim->ndests; i++)
		if (route_key_equal(&sim->dests[i].key, key))
			return &sim->dests[i];
	return NULL;
}

static struct dest *dest_get(struct netsim *sim, const struct route_key *key)
{
	struct dest *d = dest_find(sim, key);
	if (d)
		return d;
	struct dest *v = xrealloc_array(sim->dests, sim->ndests + 1, sizeof *v);
	if (!v)
		return NULL;
	sim->dests = v;
	d = &v[sim->ndests];
	d->announced = calloc(sim->n, sizeof *d->announced);
	if (!d->announced)
		return NULL;
	d->key = *key;
	d->dirty = true;
	sim->fib_dirty = true;
	sim->ndests++;
	if (sim->capcover < sim->ndests) {
		size_t cap = sim->ndests * 2;
		size_t *c = xrealloc_array(sim->cover, cap, sizeof *c);
		if (!c)
			return NULL;
		sim->cover = c;
		sim->capcover = cap;
	}
	return d;
}

/* Forwarding towards every destination inside KEY may have changed. */
static void mark_dirty(struct netsim *sim, const struct route_key *key)
{
	for (size_t i = 0; i < sim->ndests; i++) {
		if (prefix_contains(&key->dst, &sim->dests[i].key.dst)) {
			sim->dests[i].dirty = true;
			sim->fib_dirty = true;
		}
	}
}

/* The topology changed: every walk may end differently. */
static void mark_all_dirty(struct netsim *sim)
{
	for (size_t i = 0; i < sim->ndests; i++)
		sim->dests[i].dirty = true;
	sim->fib_dirty = true;
}

/* ------------------------------------------------------------------ watch */

static bool update_is(const struct babel_update *u, const struct route_key *key)
{
	if (u->ae == BABEL_AE_WILDCARD)
		return false;
	if (u->prefix.af != key->dst.family || u->prefix.plen != key->dst.plen ||
	    memcmp(u->prefix.bytes, key->dst.addr, 16) != 0)
		return false;
	if (u->has_src)
		return u->src.plen == key->src.plen &&
		       memcmp(u->src.bytes, key->src.addr, 16) == 0;
	return key->src.plen == 0;
}

static void watch_packet(struct netsim *sim, const uint8_t *buf, size_t len)
{
	struct babel_packet pkt;
	struct babel_iter it;
	struct babel_tlv t;
	enum babel_result r;
	if (babel_packet_split(buf, len, &pkt) != BABEL_OK)
		return;
	babel_iter_body(&it, &pkt);
	while ((r = babel_iter_next(&it, &t)) != BABEL_END) {
		if (r != BABEL_OK || t.type != BABEL_TLV_UPDATE)
			continue;
		if (!update_is(&t.update, &sim->watch_key))
			continue;
		if (t.update.metric == BABEL_INFINITY) {
			sim->watch.retractions++;
		} else {
			sim->watch.updates++;
			if (t.update.metric > sim->watch.max_advertised)
				sim->watch.max_advertised = t.update.metric;
		}
	}
}

void netsim_watch(struct netsim *sim, const struct route_key *key)
{
	sim->watching = true;
	sim->watch_key = *key;
	memset(&sim->watch, 0, sizeof sim->watch);
}

void netsim_watch_result(const struct netsim *sim, struct netsim_watch_result *out)
{
	*out = sim->watch;
}

/* ------------------------------------------------------------- engine ops */

static void op_send(void *ctx, uint32_t ifindex, const struct link_addr *to, const uint8_t *buf,
		    size_t len)
{
	struct node *nd = ctx;
	struct netsim *sim = nd->sim;
	if (nd->freeing)
		return;
	sim->st.packets_sent++;
	sim->st.bytes_sent += len;
	uint64_t *h = &sim->st.trace_hash;
	hash_u64(h, sim->now);
	hash_u64(h, nd->id);
	hash_u64(h, ifindex);
	if (to)
		hash_bytes(h, to->a, sizeof to->a);
	else
		hash_u64(h, 0xffu);
	hash_u64(h, len);
	hash_bytes(h, buf, len);
	if (sim->hooks.on_send)
		sim->hooks.on_send(sim->hooks_arg, nd->id, ifindex, to, buf, len, sim->now);
	if (sim->watching)
		watch_packet(sim, buf, len);

	struct iface *ifc = node_iface(nd, ifindex);
	if (!ifc) {
		sim->st.send_bad_if++;
		return;
	}
	struct link *l = &sim->links[ifc->link];
	if (!l->carrier) {
		sim->st.send_carrier_down++;
		return;
	}
	struct member *self = link_member(l, nd->id);
	bool found = false;
	for (size_t i = 0; i < l->n; i++) {
		struct member *m = &l->m[i];
		if (m->node == nd->id)
			continue;
		if (to && !addr_equal(to, &m->ll))
			continue;
		found = true;
		if (l->silent) {
			sim->st.cut_drops++;
			continue;
		}
		if (l->p.loss_permille && test_rng_below(&sim->rng, 1000) < l->p.loss_permille) {
			sim->st.lost++;
			continue;
		}
		uint64_t delay = l->p.delay_ms;
		if (l->p.jitter_ms)
			delay += test_rng_below(&sim->rng, l->p.jitter_ms + 1);
		struct pkt *p = malloc(sizeof *p + len);
		if (!p)
			abort(); /* a test harness has no better answer */
		p->at = sim->now + delay;
		p->seq = sim->pkt_seq++;
		p->link = ifc->link;
		p->node = m->node;
		p->ifindex = m->ifindex;
		p->from = self->ll;
		p->mcast = to == NULL;
		p->epoch = l->epoch;
		p->len = len;
		memcpy(p->data, buf, len);
		if (heap_push(sim, p) < 0)
			abort();
	}
	if (to && !found)
		sim->st.unicast_nowhere++;
}

static struct fib_entry *fib_find(struct node *nd, const struct route_key *key)
{
	for (size_t i = 0; i < nd->nfib; i++)
		if (route_key_equal(&nd->fib[i].key, key))
			return &nd->fib[i];
	return NULL;
}

static void fib_apply(struct node *nd, const struct fib_change *c)
{
	struct netsim *sim = nd->sim;
	struct fib_entry *f = fib_find(nd, &c->key);
	sim->st.fib_changes++;
	mark_dirty(sim, &c->key);
	if (c->op == FIB_REMOVE) {
		if (!f) {
			sim->st.fib_errors++;
			return;
		}
		sim->st.fib_path_changes++;
		*f = nd->fib[--nd->nfib];
		return;
	}
	if ((c->op == FIB_ADD) != (f == NULL))
		sim->st.fib_errors++;
	if (!f || f->ifindex != c->ifindex || !addr_equal(&f->nexthop, &c->nexthop))
		sim->st.fib_path_changes++;
	if (sim->watching && route_key_equal(&c->key, &sim->watch_key)) {
		sim->watch.installs++;
		if (c->metric > sim->watch.max_installed)
			sim->watch.max_installed = c->metric;
	}
	struct iface *ifc = node_iface(nd, c->ifindex);
	if (!ifc || !sim->links[ifc->link].carrier || c->nexthop.a[0] != 0xfe ||
	    (c->nexthop.a[1] & 0xc0) != 0x80)
		sim->st.fib_bad_nexthop++;
	if (c->metric == ENGINE_INFINITY)
		sim->st.fib_infinite++;
	if (!f) {
		if (nd->nfib == nd->capfib) {
			size_t cap = nd->capfib ? 2 * nd->capfib : 16;
			struct fib_entry *v = xrealloc_array(nd->fib, cap, sizeof *v);
			if (!v)
				abort();
			nd->fib = v;
			nd->capfib = cap;
		}
		f = &nd->fib[nd->nfib++];
		f->key = c->key;
		if (!dest_get(sim, &c->key))
			abort();
	}
	f->ifindex = c->ifindex;
	f->nexthop = c->nexthop;
	f->metric = c->metric;
}

static void op_route_change(void *ctx, const struct fib_change *changes, size_t n)
{
	struct node *nd = ctx;
	if (nd->freeing)
		return;
	for (size_t i = 0; i < n; i++) {
		fib_apply(nd, &changes[i]);
		if (nd->sim->hooks.on_fib)
			nd->sim->hooks.on_fib(nd->sim->hooks_arg, nd->id, &changes[i], nd->sim->now);
	}
}

static void op_notify(void *ctx, const struct engine_event *ev)
{
	(void)ctx;
	(void)ev;
}

static const struct engine_ops netsim_ops = {
	.send = op_send,
	.route_change = op_route_change,
	.notify = op_notify,
};

/* --------------------------------------------------------------- lifetime */

static uint64_t derive_seed(uint64_t seed, unsigned node)
{
	struct test_rng r = { seed ^ (0x5bd1e995ull * (node + 1)) };
	return test_rng_next(&r);
}

static bool node_engine_new(struct netsim *sim, struct node *nd, uint16_t seqno)
{
	struct engine_config cfg;
	memset(&cfg, 0, sizeof cfg);
	netsim_router_id(nd->id, cfg.router_id);
	cfg.seqno = seqno;
	/* A restarted engine draws other jitter than its predecessor. */
	uint64_t seed = derive_seed(sim->seed + nd->starts++ * 0x9e3779b97f4a7c15ull, nd->id);
	nd->e = engine_new(&cfg, &netsim_ops, nd, sim->now, seed);
	return nd->e != NULL;
}

struct netsim *netsim_new(unsigned nodes, uint64_t seed)
{
	if (nodes == 0 || nodes > 0xfffe)
		return NULL;
	struct netsim *sim = calloc(1, sizeof *sim);
	if (!sim)
		return NULL;
	sim->n = nodes;
	sim->now = NETSIM_T0;
	sim->seed = seed;
	sim->rng.s = seed;
	sim->st.trace_hash = 0xcbf29ce484222325ull;
	sim->nodes = calloc(nodes, sizeof *sim->nodes);
	sim->visited = calloc(nodes, 1);
	sim->comp = calloc(nodes, sizeof *sim->comp);
	sim->dist = calloc(nodes, sizeof *sim->dist);
	sim->queue = calloc(nodes, sizeof *sim->queue);
	if (!sim->nodes || !sim->visited || !sim->comp || !sim->dist || !sim->queue) {
		netsim_free(sim);
		return NULL;
	}
	for (unsigned i = 0; i < nodes; i++) {
		struct node *nd = &sim->nodes[i];
		nd->sim = sim;
		nd->id = i;
		if (!node_engine_new(sim, nd, (uint16_t)(derive_seed(seed, i) & 0xffff))) {
			netsim_free(sim);
			return NULL;
		}
	}
	for (unsigned i = 0; i < nodes; i++)
		node_run(sim, &sim->nodes[i]);
	return sim;
}

void netsim_free(struct netsim *sim)
{
	if (!sim)
		return;
	if (sim->nodes) {
		for (unsigned i = 0; i < sim->n; i++) {
			struct node *nd = &sim->nodes[i];
			nd->freeing = true;
			if (nd->e)
				engine_free(nd->e);
			free(nd->ifs);
			free(nd->fib);
		}
	}
	for (size_t i = 0; i < sim->nlinks; i++)
		free(sim->links[i].m);
	for (size_t i = 0; i < sim->nheap; i++)
		free(sim->heap[i]);
	for (size_t i = 0; i < sim->ndests; i++)
		free(sim->dests[i].announced);
	free(sim->dests);
	free(sim->cover);
	free(sim->heap);
	free(sim->links);
	free(sim->nodes);
	free(sim->visited);
	free(sim->comp);
	free(sim->dist);
	free(sim->queue);
	free(sim);
}

unsigned netsim_nodes(const struct netsim *sim)
{
	return sim->n;
}

uint64_t netsim_now(const struct netsim *sim)
{
	return sim->now;
}

uint64_t netsim_elapsed(const struct netsim *sim)
{
	return sim->now - NETSIM_T0;
}

struct engine *netsim_engine(struct netsim *sim, unsigned node)
{
	return node < sim->n ? sim->nodes[node].e : NULL;
}

const struct netsim_stats *netsim_stats(const struct netsim *sim)
{
	return &sim->st;
}

void netsim_set_hooks(struct netsim *sim, const struct netsim_hooks *hooks, void *arg)
{
	if (hooks)
		sim->hooks = *hooks;
	else
		memset(&sim->hooks, 0, sizeof sim->hooks);
	sim->hooks_arg = arg;
}

/* ------------------------------------------------------------------ links */

void netsim_link_params_init(struct netsim_link_params *p, enum if_type type)
{
	memset(p, 0, sizeof *p);
	p->delay_ms = 1;
	p->ifc.type = type;
	p->ifc.split_horizon = OPT_DEFAULT;
	p->ifc.unicast = OPT_DEFAULT;
	p->ifc.link_quality = OPT_DEFAULT;
	p->ifc.enable_timestamps = OPT_DEFAULT;
	p->ifc.v4_via_v6 = OPT_DEFAULT;
}

static void iface_up(struct netsim *sim, struct link *l, const struct member *m)
{
	struct node *nd = &sim->nodes[m->node];
	if (nd->stopped)
		return;
	struct if_config ifc = l->p.ifc;
	char name[24];
	engine_if_defaults(&ifc);
	snprintf(name, sizeof name, "sim%u", (unsigned)m->ifindex);
	if (engine_interface_up(nd->e, m->ifindex, name, &ifc, &m->ll, sim->now) != 0)
		abort();
	node_run(sim, nd);
}

int netsim_add_segment(struct netsim *sim, const unsigned *nodes, size_t n,
		       const struct netsim_link_params *p)
{
	if (n < 2 || n > sim->n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (nodes[i] >= sim->n)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (nodes[i] == nodes[j])
				return -1;
	}
	struct link *v = xrealloc_array(sim->links, sim->nlinks + 1, sizeof *v);
	if (!v)
		return -1;
	sim->links = v;
	int id = (int)sim->nlinks;
	struct link *l = &v[id];
	memset(l, 0, sizeof *l);
	l->m = calloc(n, sizeof *l->m);
	if (!l->m)
		return -1;
	if (p)
		l->p = *p;
	else
		netsim_link_params_init(&l->p, IF_TYPE_WIRED);
	l->n = n;
	l->carrier = true;
	for (size_t i = 0; i < n; i++) {
		struct node *nd = &sim->nodes[nodes[i]];
		struct iface *ifs = xrealloc_array(nd->ifs, nd->nifs + 1, sizeof *ifs);
		if (!ifs)
			abort();
		nd->ifs = ifs;
		uint32_t ifindex = (uint32_t)nd->nifs + 2;
		ifs[nd->nifs].ifindex = ifindex;
		ifs[nd->nifs].link = id;
		nd->nifs++;
		l->m[i].node = nodes[i];
		l->m[i].ifindex = ifindex;
		make_ll(&l->m[i].ll, nodes[i], ifindex);
	}
	sim->nlinks++;
	for (size_t i = 0; i < n; i++)
		iface_up(sim, l, &l->m[i]);
	return id;
}

int netsim_add_link(struct netsim *sim, unsigned a, unsigned b, const struct netsim_link_params *p)
{
	unsigned nodes[2] = { a, b };
	return netsim_add_segment(sim, nodes, 2, p);
}

int netsim_build_line(struct netsim *sim, const struct netsim_link_params *p)
{
	for (unsigned i = 0; i + 1 < sim->n; i++)
		if (netsim_add_link(sim, i, i + 1, p) < 0)
			return -1;
	return 0;
}

int netsim_build_ring(struct netsim *sim, const struct netsim_link_params *p)
{
	if (sim->n < 3 || netsim_build_line(sim, p) < 0)
		return -1;
	return netsim_add_link(sim, sim->n - 1, 0, p) < 0 ? -1 : 0;
}

int netsim_build_full_mesh(struct netsim *sim, const struct netsim_link_params *p)
{
	for (unsigned i = 0; i < sim->n; i++)
		for (unsigned j = i + 1; j < sim->n; j++)
			if (netsim_add_link(sim, i, j, p) < 0)
				return -1;
	return 0;
}

static struct link *get_link(const struct netsim *sim, int link)
{
	if (link < 0 || (size_t)link >= sim->nlinks)
		abort(); /* a bug in the test itself */
	return &sim->links[link];
}

uint32_t netsim_link_ifindex(const struct netsim *sim, int link, unsigned node)
{
	struct member *m = link_member(get_link(sim, link), node);
	return m ? m->ifindex : 0;
}

const struct link_addr *netsim_link_addr(const struct netsim *sim, int link, unsigned node)
{
	struct member *m = link_member(get_link(sim, link), node);
	return m ? &m->ll : NULL;
}

void netsim_link_down(struct netsim *sim, int link)
{
	struct link *l = get_link(sim, link);
	if (!l->carrier)
		return;
	l->carrier = false;
	l->epoch++;
	mark_all_dirty(sim);
	for (size_t i = 0; i < l->n; i++) {
		struct node *nd = &sim->nodes[l->m[i].node];
		if (nd->stopped)
			continue;
		engine_interface_down(nd->e, l->m[i].ifindex, sim->now);
		node_run(sim, nd);
	}
}

void netsim_link_silent(struct netsim *sim, int link)
{
	struct link *l = get_link(sim, link);
	if (l->silent)
		return;
	l->silent = true;
	l->epoch++;
	mark_all_dirty(sim);
}

void netsim_link_restore(struct netsim *sim, int link)
{
	struct link *l = get_link(sim, link);
	l->silent = false;
	mark_all_dirty(sim);
	if (!l->carrier) {
		l->carrier = true;
		for (size_t i = 0; i < l->n; i++)
			iface_up(sim, l, &l->m[i]);
	}
}

void netsim_link_set_loss(struct netsim *sim, int link, uint32_t loss_permille)
{
	get_link(sim, link)->p.loss_permille = loss_permille > 1000 ? 1000 : loss_permille;
}

void netsim_link_set_delay(struct netsim *sim, int link, uint32_t delay_ms, uint32_t jitter_ms)
{
	struct link *l = get_link(sim, link);
	l->p.delay_ms = delay_ms;
	l->p.jitter_ms = jitter_ms;
}

bool netsim_link_live(const struct netsim *sim, int link)
{
	return link_is_live(get_link(sim, link));
}

/* ------------------------------------------------------------ restarts */

void netsim_node_stop(struct netsim *sim, unsigned node, bool graceful)
{
	if (node >= sim->n || sim->nodes[node].stopped)
		return;
	struct node *nd = &sim->nodes[node];
	if (graceful) {
		/* Its retractions go out now and reach the neighbours after
		 * the link delay, though the engine is gone by then. */
		engine_shutdown(nd->e, sim->now);
	}
	nd->freeing = true;
	engine_free(nd->e);
	nd->e = NULL;
	nd->freeing = false;
	nd->stopped = true;
	nd->deadline = UINT64_MAX;
	/* The machine is off: whatever it had installed is gone with it. */
	nd->nfib = 0;
	mark_all_dirty(sim);
}

int netsim_node_start(struct netsim *sim, unsigned node, uint16_t seqno)
{
	if (node >= sim->n || !sim->nodes[node].stopped)
		return -1;
	struct node *nd = &sim->nodes[node];
	if (!node_engine_new(sim, nd, seqno))
		return -1;
	nd->stopped = false;
	mark_all_dirty(sim);
	node_run(sim, nd);
	for (size_t i = 0; i < nd->nifs; i++) {
		struct link *l = &sim->links[nd->ifs[i].link];
		if (l->carrier)
			iface_up(sim, l, link_member(l, node));
	}
	for (size_t i = 0; i < sim->ndests; i++) {
		if (!sim->dests[i].announced[node])
			continue;
		engine_kernel_route(nd->e, &sim->dests[i].key, NETSIM_LO_IFINDEX, 0, 0, 2, true,
				    sim->now);
		node_run(sim, nd);
	}
	return 0;
}

bool netsim_node_running(const struct netsim *sim, unsigned node)
{
	return node < sim->n && !sim->nodes[node].stopped;
}

uint16_t netsim_node_seqno(const struct netsim *sim, unsigned node)
{
	if (node >= sim->n || sim->nodes[node].stopped)
		return 0;
	return engine_seqno(sim->nodes[node].e);
}

/* ------------------------------------------------------------ announcing */

void netsim_router_id(unsigned node, uint8_t id[8])
{
	memset(id, 0, 8);
	id[0] = 0x02; /* locally administered, never all zeros or all ones */
	id[6] = (uint8_t)((node + 1) >> 8);
	id[7] = (uint8_t)(node + 1);
}

void netsim_node_prefix(unsigned node, int family, struct route_key *key)
{
	struct prefix p;
	uint8_t addr[16];
	memset(addr, 0, sizeof addr);
	if (family == 4) {
		addr[0] = 10;
		addr[1] = 255;
		addr[2] = (uint8_t)((node + 1) >> 8);
		addr[3] = (uint8_t)(node + 1);
		prefix_make(&p, PREFIX_FAMILY_IPV4, addr, 32);
	} else {
		addr[0] = 0x20;
		addr[1] = 0x01;
		addr[2] = 0x0d;
		addr[3] = 0xb8;
		addr[5] = 0xff;
		addr[14] = (uint8_t)((node + 1) >> 8);
		addr[15] = (uint8_t)(node + 1);
		prefix_make(&p, PREFIX_FAMILY_IPV6, addr, 128);
	}
	route_key_make(key, &p, NULL);
}

void netsim_announce_key(struct netsim *sim, unsigned node, const struct route_key *key,
			 bool present)
{
	if (node >= sim->n)
		abort();
	struct dest *d = dest_get(sim, key);
	if (!d)
		abort();
	d->announced[node] = present;
	mark_dirty(sim, key);
	struct node *nd = &sim->nodes[node];
	if (nd->stopped)
		return; /* remembered: announced when it starts again */
	/* A local address, as the kernel edge reports it: protocol "kernel"
	 * (2) and table 0, which is how the engine tells local addresses from
	 * import-table routes (babeld's default redistributes only the former). */
	engine_kernel_route(nd->e, key, NETSIM_LO_IFINDEX, 0, 0, 2, present, sim->now);
	node_run(sim, nd);
}

void netsim_announce(struct netsim *sim, unsigned node, bool present)
{
	struct route_key k;
	netsim_node_prefix(node, 6, &k);
	netsim_announce_key(sim, node, &k, present);
	netsim_node_prefix(node, 4, &k);
	netsim_announce_key(sim, node, &k, present);
}

void netsim_announce_all(struct netsim *sim)
{
	for (unsigned i = 0; i < sim->n; i++)
		netsim_announce(sim, i, true);
}

/* ----------------------------------------------------------------- walks */

static const struct fib_entry *fib_lookup(const struct node *nd, const struct prefix *dst)
{
	const struct fib_entry *best = NULL;
	for (size_t i = 0; i < nd->nfib; i++) {
		const struct fib_entry *f = &nd->fib[i];
		if (f->key.src.plen != 0 || !prefix_contains(&f->key.dst, dst))
			continue;
		if (!best || f->key.dst.plen > best->key.dst.plen)
			best = f;
	}
	return best;
}

/* Fills sim->cover with the dests whose prefix covers KEY's destination
 * (announcing any of them means reaching KEY); returns how many. */
static size_t covering(struct netsim *sim, const struct route_key *key)
{
	size_t n = 0;
	for (size_t i = 0; i < sim->ndests; i++) {
		const struct dest *d = &sim->dests[i];
		if (d->key.src.plen == 0 && prefix_contains(&d->key.dst, &key->dst))
			sim->cover[n++] = i;
	}
	return n;
}

static bool announces(const struct netsim *sim, unsigned node, size_t ncover)
{
	if (sim->nodes[node].stopped)
		return false;
	for (size_t i = 0; i < ncover; i++)
		if (sim->dests[sim->cover[i]].announced[node])
			return true;
	return false;
}

/* netsim_walk, with sim->cover already filled for KEY. */
static enum netsim_walk walk(struct netsim *sim, unsigned node, const struct route_key *key,
			     size_t ncover, unsigned *hops, unsigned *end)
{
	unsigned h = 0, x = node;
	enum netsim_walk r;
	memset(sim->visited, 0, sim->n);
	for (;;) {
		sim->visited[x] = 1;
		if (announces(sim, x, ncover)) {
			r = NETSIM_REACHED;
			break;
		}
		const struct fib_entry *f = fib_lookup(&sim->nodes[x], &key->dst);
		if (!f) {
			r = NETSIM_NO_ROUTE;
			break;
		}
		struct iface *ifc = node_iface(&sim->nodes[x], f->ifindex);
		if (!ifc) {
			r = NETSIM_BAD_NEXTHOP;
			break;
		}
		struct link *l = &sim->links[ifc->link];
		if (!link_is_live(l)) {
			r = NETSIM_LINK_DEAD;
			break;
		}
		unsigned y = sim->n;
		for (size_t i = 0; i < l->n; i++)
			if (l->m[i].node != x && addr_equal(&l->m[i].ll, &f->nexthop))
				y = l->m[i].node;
		if (y == sim->n) {
			r = NETSIM_BAD_NEXTHOP;
			break;
		}
		if (sim->nodes[y].stopped) {
			r = NETSIM_LINK_DEAD;
			break;
		}
		h++;
		if (sim->visited[y]) {
			x = y;
			r = NETSIM_LOOP;
			break;
		}
		x = y;
	}
	if (hops)
		*hops = h;
	if (end)
		*end = x;
	return r;
}

enum netsim_walk netsim_walk(struct netsim *sim, unsigned node, const struct route_key *key,
			     unsigned *hops, unsigned *end)
{
	return walk(sim, node, key, covering(sim, key), hops, end);
}

static void check_loops(struct netsim *sim)
{
	bool found = false;
	sim->st.loop_checks++;
	for (size_t i = 0; i < sim->ndests; i++) {
		if (!sim->dests[i].dirty)
			continue;
		sim->dests[i].dirty = false;
		struct route_key key = sim->dests[i].key;
		size_t ncover = covering(sim, &key);
		for (unsigned n = 0; n < sim->n; n++) {
			unsigned hops, end;
			if (walk(sim, n, &key, ncover, &hops, &end) != NETSIM_LOOP)
				continue;
			sim->st.loop_walks++;
			if (!found && !sim->st.first_loop[0]) {
				char k[ROUTE_KEY_STRLEN];
				route_key_format(&key, k, sizeof k);
				snprintf(sim->st.first_loop, sizeof sim->st.first_loop,
					 "t=+%llu ms: %s from node %u loops back to node %u after %u hops",
					 (unsigned long long)(sim->now - NETSIM_T0), k, n, end, hops);
			}
			found = true;
		}
	}
	if (found)
		sim->st.loop_events++;
}

static void after_event(struct netsim *sim)
{
	sim->st.events++;
	if (sim->fib_dirty) {
		sim->fib_dirty = false;
		check_loops(sim);
	}
}

/* ------------------------------------------------------------------- loop */

bool netsim_step(struct netsim *sim, uint64_t limit)
{
	uint64_t t = UINT64_MAX;
	struct node *due = NULL;
	for (unsigned i = 0; i < sim->n; i++) {
		if (sim->nodes[i].deadline < t) {
			t = sim->nodes[i].deadline;
			due = &sim->nodes[i];
		}
	}
	if (sim->nheap && sim->heap[0]->at <= t) {
		t = sim->heap[0]->at;
		due = NULL;
	}
	if (t == UINT64_MAX || t > limit)
		return false;
	if (t > sim->now)
		sim->now = t;
	if (!due) {
		struct pkt *p = heap_pop(sim);
		struct link *l = &sim->links[p->link];
		if (p->epoch != l->epoch || !link_is_live(l)) {
			sim->st.cut_drops++;
		} else if (sim->nodes[p->node].stopped) {
			sim->st.cut_drops++;
		} else {
			struct node *nd = &sim->nodes[p->node];
			sim->st.deliveries++;
			engine_receive(nd->e, p->ifindex, &p->from, p->mcast, p->data, p->len,
				       sim->now);
			node_run(sim, nd);
		}
		free(p);
	} else {
		node_run(sim, due);
	}
	after_event(sim);
	return true;
}

void netsim_run_until(struct netsim *sim, uint64_t t)
{
	while (netsim_step(sim, t))
		;
	if (t > sim->now)
		sim->now = t;
	/* Cuts and announcements between steps may have changed the picture. */
	if (sim->fib_dirty) {
		sim->fib_dirty = false;
		check_loops(sim);
	}
}

void netsim_run_for(struct netsim *sim, uint64_t ms)
{
	netsim_run_until(sim, sim->now + ms);
}

int64_t netsim_run_until_converged(struct netsim *sim, uint64_t limit_ms)
{
	uint64_t start = sim->now, limit = sim->now + limit_ms;
	bool dirty = true;
	if (sim->fib_dirty) {
		sim->fib_dirty = false;
		check_loops(sim);
	}
	for (;;) {
		/* The answer can only change when some route did. */
		if (dirty && netsim_converged(sim, NULL, 0))
			return (int64_t)(sim->now - start);
		uint64_t before = sim->st.fib_changes;
		if (!netsim_step(sim, limit))
			break;
		dirty = sim->st.fib_changes != before;
	}
	sim->now = limit;
	return netsim_converged(sim, NULL, 0) ? (int64_t)limit_ms : -1;
}

/* ------------------------------------------------------------ convergence */

/* Labels the connected parts of the live topology; fills sim->comp. */
static void components(struct netsim *sim)
{
	for (unsigned i = 0; i < sim->n; i++)
		sim->comp[i] = i;
	/* Union by relabelling: tiny graphs, quadratic is fine. */
	bool changed = true;
	while (changed) {
		changed = false;
		for (size_t li = 0; li < sim->nlinks; li++) {
			struct link *l = &sim->links[li];
			if (!link_is_live(l))
				continue;
			unsigned c = sim->n;
			for (size_t i = 0; i < l->n; i++)
				if (!sim->nodes[l->m[i].node].stopped && sim->comp[l->m[i].node] < c)
					c = sim->comp[l->m[i].node];
			for (size_t i = 0; i < l->n; i++) {
				if (sim->nodes[l->m[i].node].stopped)
					continue;
				if (sim->comp[l->m[i].node] != c) {
					sim->comp[l->m[i].node] = c;
					changed = true;
				}
			}
		}
	}
}

static const char *walk_name(enum netsim_walk w)
{
	switch (w) {
	case NETSIM_REACHED: return "reached";
	case NETSIM_NO_ROUTE: return "no route";
	case NETSIM_LINK_DEAD: return "route across a dead link";
	case NETSIM_BAD_NEXTHOP: return "next hop nobody has";
	case NETSIM_LOOP: return "forwarding loop";
	}
	return "?";
}

bool netsim_converged(struct netsim *sim, char *why, size_t whylen)
{
	components(sim);
	for (size_t i = 0; i < sim->ndests; i++) {
		struct route_key key = sim->dests[i].key;
		size_t ncover = covering(sim, &key);
		/* Which connected parts hold an announcer (dist is scratch here). */
		for (unsigned a = 0; a < sim->n; a++)
			sim->dist[a] = 0;
		for (unsigned a = 0; a < sim->n; a++)
			if (announces(sim, a, ncover))
				sim->dist[sim->comp[a]] = 1;
		for (unsigned n = 0; n < sim->n; n++) {
			if (sim->nodes[n].stopped)
				continue;
			bool expect = sim->dist[sim->comp[n]] != 0;
			unsigned hops, end;
			enum netsim_walk w = walk(sim, n, &key, ncover, &hops, &end);
			/* Nothing to reach: the node itself must hold no route (a
			 * route towards a node that has none is a black hole). */
			if (expect ? w == NETSIM_REACHED
				   : (w == NETSIM_REACHED || fib_lookup(&sim->nodes[n], &key.dst) == NULL))
				continue;
			if (why) {
				char k[ROUTE_KEY_STRLEN];
				route_key_format(&key, k, sizeof k);
				snprintf(why, whylen, "t=+%llu ms: node %u, %s: %s (%s), stopped at node %u after %u hops",
					 (unsigned long long)(sim->now - NETSIM_T0), n, k,
					 expect ? "should reach it" : "should have no route",
					 walk_name(w), end, hops);
			}
			return false;
		}
	}
	if (why && whylen)
		why[0] = '\0';
	return true;
}

/* Hop counts from SRC over live links into sim->dist (UINT_MAX: unreachable). */
static void bfs(struct netsim *sim, unsigned src)
{
	size_t head = 0, tail = 0;
	for (unsigned i = 0; i < sim->n; i++)
		sim->dist[i] = (unsigned)-1;
	sim->dist[src] = 0;
	sim->queue[tail++] = src;
	while (head < tail) {
		unsigned x = sim->queue[head++];
		struct node *nd = &sim->nodes[x];
		for (size_t i = 0; i < nd->nifs; i++) {
			struct link *l = &sim->links[nd->ifs[i].link];
			if (!link_is_live(l))
				continue;
			for (size_t j = 0; j < l->n; j++) {
				unsigned y = l->m[j].node;
				if (!sim->nodes[y].stopped && sim->dist[y] == (unsigned)-1) {
					sim->dist[y] = sim->dist[x] + 1;
					sim->queue[tail++] = y;
				}
			}
		}
	}
}

unsigned netsim_count_detours(struct netsim *sim, char *why, size_t whylen)
{
	unsigned detours = 0;
	if (why && whylen)
		why[0] = '\0';
	for (size_t i = 0; i < sim->ndests; i++) {
		struct route_key key = sim->dests[i].key;
		size_t ncover = covering(sim, &key);
		for (unsigned n = 0; n < sim->n; n++) {
			unsigned hops, end;
			if (walk(sim, n, &key, ncover, &hops, &end) != NETSIM_REACHED)
				continue;
			bfs(sim, n);
			unsigned best = (unsigned)-1;
			for (unsigned a = 0; a < sim->n; a++)
				if (announces(sim, a, ncover) && sim->dist[a] < best)
					best = sim->dist[a];
			if (hops <= best)
				continue;
			if (why && !detours) {
				char k[ROUTE_KEY_STRLEN];
				route_key_format(&key, k, sizeof k);
				snprintf(why, whylen, "node %u reaches %s in %u hops, shortest is %u",
					 n, k, hops, best);
			}
			detours++;
		}
	}
	return detours;
}

bool netsim_fib_get(const struct netsim *sim, unsigned node, const struct route_key *key,
		    uint32_t *ifindex, struct link_addr *nexthop, uint16_t *metric)
{
	if (node >= sim->n)
		return false;
	struct fib_entry *f = fib_find(&sim->nodes[node], key);
	if (!f)
		return false;
	if (ifindex)
		*ifindex = f->ifindex;
	if (nexthop)
		*nexthop = f->nexthop;
	if (metric)
		*metric = f->metric;
	return true;
}

size_t netsim_fib_count(const struct netsim *sim, unsigned node)
{
	return node < sim->n ? sim->nodes[node].nfib : 0;
}

/* ----------------------------------------------------------------- report */

bool netsim_clean(const struct netsim *sim, char *why, size_t whylen)
{
	const struct netsim_stats *st = &sim->st;
	const char *what = NULL;
	uint64_t v = 0;
	if (st->loop_events) {
		snprintf(why, whylen, "%llu loop events, first: %s",
			 (unsigned long long)st->loop_events, st->first_loop);
		return false;
	}
	if (st->fib_errors)
		what = "route_change ADD of a present route or REPLACE/REMOVE of a missing one",
		v = st->fib_errors;
	else if (st->fib_bad_nexthop)
		what = "routes installed through a missing/down interface or a non-link-local next hop",
		v = st->fib_bad_nexthop;
	else if (st->fib_infinite)
		what = "routes installed with an infinite metric", v = st->fib_infinite;
	else if (st->send_bad_if)
		what = "sends on an interface the engine was never given", v = st->send_bad_if;
	else if (st->send_carrier_down)
		what = "sends on an interface that is down", v = st->send_carrier_down;
	else if (st->engine_spins)
		what = "engine_run kept returning a deadline in the past", v = st->engine_spins;
	if (what) {
		snprintf(why, whylen, "%llu %s", (unsigned long long)v, what);
		return false;
	}
	if (whylen)
		why[0] = '\0';
	return true;
}

void netsim_print_stats(const struct netsim *sim, const char *label)
{
	const struct netsim_stats *st = &sim->st;
	printf("# %s: t=+%llu ms events=%llu sent=%llu bytes=%llu delivered=%llu lost=%llu "
	       "cut=%llu fib=%llu (path %llu) loop_checks=%llu loops=%llu hash=%016llx\n",
	       label, (unsigned long long)(sim->now - NETSIM_T0), (unsigned long long)st->events,
	       (unsigned long long)st->packets_sent, (unsigned long long)st->bytes_sent,
	       (unsigned long long)st->deliveries, (unsigned long long)st->lost,
	       (unsigned long long)st->cut_drops, (unsigned long long)st->fib_changes,
	       (unsigned long long)st->fib_path_changes, (unsigned long long)st->loop_checks,
	       (unsigned long long)st->loop_events, (unsigned long long)st->trace_hash);
	fflush(stdout);
}

int64_t netsim_converge(struct netsim *sim, uint64_t limit_ms, const char *label, char *why,
			size_t whylen)
{
	char r[384];
	int64_t t = netsim_run_until_converged(sim, limit_ms);
	if (t < 0) {
		netsim_converged(sim, r, sizeof r);
		netsim_print_stats(sim, label);
		snprintf(why, whylen, "%s: not converged within %llu ms: %s", label,
			 (unsigned long long)limit_ms, r);
		return -1;
	}
	printf("# %s: converged in %lld ms\n", label, (long long)t);
	fflush(stdout);
	if (!netsim_clean(sim, r, sizeof r)) {
		snprintf(why, whylen, "%s: %s", label, r);
		return -1;
	}
	return t;
}

static bool settled(struct netsim *sim, bool shortest, const char *label, const char *when,
		    char *why, size_t whylen)
{
	char r[384];
	if (!netsim_converged(sim, r, sizeof r)) {
		snprintf(why, whylen, "%s: not converged %s: %s", label, when, r);
		return false;
	}
	if (shortest && netsim_count_detours(sim, r, sizeof r)) {
		snprintf(why, whylen, "%s: %s: %s", label, when, r);
		return false;
	}
	if (!netsim_clean(sim, r, sizeof r)) {
		snprintf(why, whylen, "%s: %s", label, r);
		return false;
	}
	return true;
}

bool netsim_steady(struct netsim *sim, uint64_t settle_ms, uint64_t steady_ms, bool shortest,
		   const char *label, char *why, size_t whylen)
{
	netsim_run_for(sim, settle_ms);
	if (!settled(sim, shortest, label, "after settling", why, whylen))
		return false;
	uint64_t before = sim->st.fib_path_changes;
	netsim_run_for(sim, steady_ms);
	if (sim->st.fib_path_changes != before) {
		snprintf(why, whylen, "%s: %llu route changes in steady state", label,
			 (unsigned long long)(sim->st.fib_path_changes - before));
		return false;
	}
	return settled(sim, shortest, label, "in steady state", why, whylen);
}
