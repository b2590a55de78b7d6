/* An in-memory network of Babel engines on a simulated clock.
 *
 * N engines live in one process. Links join them: point-to-point links
 * (two engines) or shared segments (several engines on one "interface", as
 * on an Ethernet switch or a wireless channel). Every engine interface gets
 * an invented link-local address fe80::<node+1>:<ifindex>. A link has a
 * one-way delay, an optional jitter and a loss rate drawn from a seeded
 * generator, and can be cut with its carrier going down (the engines hear
 * engine_interface_down), cut silently (everything is dropped, the carrier
 * stays up: a dead cable behind a switch) and restored.
 *
 * Time is simulated milliseconds. The loop jumps to the earliest of every
 * engine's next deadline (what engine_run returned) and every in-flight
 * packet's delivery time and handles that one event: a delivery
 * (engine_receive, then engine_run on the receiver) or a due engine_run.
 * Ties are broken by packet sequence number, then node index, so a seed
 * fixes the whole run: the same seed gives the same trace hash.
 *
 * What the engines install through route_change is kept per node (route key
 * -> next hop, interface, metric). After every event that changed some
 * node's installed routes, a checker follows, for every known destination
 * and from every node, the installed next hops node by node (next-hop
 * address -> the engine on that link holding that address) and counts every
 * walk that revisits a node: a forwarding loop. netsim_converged() says
 * whether every node reaches every prefix announced in its connected part of
 * the network (no black hole, and the walk ends at the announcer) and holds
 * no route to anything that is not reachable (retracted or partitioned away).
 *
 * Each node announces two loopback-style prefixes (netsim_node_prefix): an
 * IPv6 /128 in 2001:db8:ff::/48 and an IPv4 /32 in 10.255.0.0/16, handed to
 * the engine as local routes through engine_kernel_route().
 */
#ifndef MAILLE_TESTS_NETSIM_H
#define MAILLE_TESTS_NETSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/engine.h"
#include "src/core/prefix.h"

struct netsim;

/* The simulated clock starts here (absolute ms), not at 0, so that nothing
 * in the engines meets a time near zero by accident. */
#define NETSIM_T0 1000000u

/* The ifindex of the nodes' loopback ("lo"), where local prefixes live;
 * link interfaces are numbered from 2 on each node, in order of creation. */
#define NETSIM_LO_IFINDEX 1u

struct netsim_link_params {
	uint32_t delay_ms;      /* one-way delay */
	uint32_t jitter_ms;     /* extra delay, uniform in [0, jitter_ms] */
	uint32_t loss_permille; /* each receiver loses each packet with this chance */
	struct if_config ifc;   /* how the engines configure their interface */
};

/* Wired (or TYPE) defaults: 1 ms delay, no jitter, no loss, every
 * interface option left to the engine's default for the type. */
void netsim_link_params_init(struct netsim_link_params *p, enum if_type type);

/* Observers, for tests that watch more than the built-in checks. */
struct netsim_hooks {
	/* Every packet an engine sends, before it is delivered (or lost). */
	void (*on_send)(void *arg, unsigned node, uint32_t ifindex, const struct link_addr *to,
			const uint8_t *buf, size_t len, uint64_t now);
	/* Every route change an engine asks for, in order. */
	void (*on_fib)(void *arg, unsigned node, const struct fib_change *c, uint64_t now);
};

struct netsim_stats {
	uint64_t events;            /* deliveries and engine runs handled */
	uint64_t packets_sent;      /* engine send() calls */
	uint64_t bytes_sent;
	uint64_t deliveries;        /* packets handed to engine_receive */
	uint64_t lost;              /* dropped by the loss rate */
	uint64_t cut_drops;         /* dropped by a cut (carrier down or silent) */
	uint64_t unicast_nowhere;   /* unicast to an address no peer on the link has */
	uint64_t send_bad_if;       /* send() on an ifindex the node does not have */
	uint64_t send_carrier_down; /* send() on an interface whose carrier is down */
	uint64_t fib_changes;       /* route_change entries */
	uint64_t fib_path_changes;  /* of which ADD, REMOVE or a REPLACE that moved
				       the next hop (metric-only replaces excluded) */
	uint64_t fib_errors;        /* ADD of a present key, REPLACE/REMOVE of a missing one */
	uint64_t fib_bad_nexthop;   /* installed through an unknown or down interface,
				       or with a next hop that is not fe80::/64 */
	uint64_t fib_infinite;      /* installed with metric ENGINE_INFINITY */
	uint64_t loop_checks;       /* times the loop checker ran */
	uint64_t loop_events;       /* checks that found at least one loop */
	uint64_t loop_walks;        /* (node, destination) walks that looped, summed */
	uint64_t engine_spins;      /* an engine kept asking to run again at the same ms */
	uint64_t trace_hash;        /* FNV-1a over every send: time, node, if, to, bytes */
	char first_loop[256];       /* what the first loop looked like */
};

/* NODES engines, no links yet. SEED fixes everything random: the engines'
 * jitter (each engine gets its own seed derived from it) and the links'
 * loss and jitter. NULL on allocation failure. */
struct netsim *netsim_new(unsigned nodes, uint64_t seed);
void netsim_free(struct netsim *sim);

unsigned netsim_nodes(const struct netsim *sim);
uint64_t netsim_now(const struct netsim *sim);
/* Simulated ms since NETSIM_T0. */
uint64_t netsim_elapsed(const struct netsim *sim);
struct engine *netsim_engine(struct netsim *sim, unsigned node);
const struct netsim_stats *netsim_stats(const struct netsim *sim);
void netsim_set_hooks(struct netsim *sim, const struct netsim_hooks *hooks, void *arg);

/* A point-to-point link between A and B, up at once. Returns its id (>= 0)
 * or -1 (bad node, A == B, no memory). P may be NULL: wired defaults. */
int netsim_add_link(struct netsim *sim, unsigned a, unsigned b,
		    const struct netsim_link_params *p);
/* A shared segment joining N distinct nodes (N >= 2). Returns its id or -1. */
int netsim_add_segment(struct netsim *sim, const unsigned *nodes, size_t n,
		       const struct netsim_link_params *p);

/* Topology helpers: nodes 0..N-1 as a line (0-1-2-...), a ring (the line
 * plus N-1 - 0) or a full mesh of point-to-point links. The ids of the
 * links are 0.. in creation order: line/ring link i joins i and i+1 (mod
 * N), the full mesh goes (0,1), (0,2), ..., (1,2), ... Return 0 or -1. */
int netsim_build_line(struct netsim *sim, const struct netsim_link_params *p);
int netsim_build_ring(struct netsim *sim, const struct netsim_link_params *p);
int netsim_build_full_mesh(struct netsim *sim, const struct netsim_link_params *p);

/* The link's ifindex on NODE, or 0 if NODE is not on it. */
uint32_t netsim_link_ifindex(const struct netsim *sim, int link, unsigned node);
/* NODE's address on LINK (NULL if not on it). */
const struct link_addr *netsim_link_addr(const struct netsim *sim, int link, unsigned node);

/* Carrier down on every member (engine_interface_down); packets in flight
 * on the link are lost. */
void netsim_link_down(struct netsim *sim, int link);
/* Silently dead: carrier stays up, every packet is dropped. */
void netsim_link_silent(struct netsim *sim, int link);
/* Back to working: carrier up again (engine_interface_up) if it was down. */
void netsim_link_restore(struct netsim *sim, int link);
void netsim_link_set_loss(struct netsim *sim, int link, uint32_t loss_permille);
void netsim_link_set_delay(struct netsim *sim, int link, uint32_t delay_ms, uint32_t jitter_ms);
/* Whether packets currently cross the link. */
bool netsim_link_live(const struct netsim *sim, int link);

/* Stops NODE, as a power cut (GRACEFUL false) or an orderly exit
 * (engine_shutdown first: it retracts what it announced and removes what it
 * installed). Its engine is freed; it then hears and sends nothing, its
 * installed routes are gone, and it counts as absent for convergence (its
 * prefixes are not expected anywhere, and it splits the paths through it).
 * Its links stay as they are: the neighbours must notice by themselves. */
void netsim_node_stop(struct netsim *sim, unsigned node, bool graceful);
/* Starts a stopped NODE again: a new engine with the same router-id and
 * the given starting SEQNO (netsim_node_seqno of the old one for a state
 * file that survived, anything else for one that did not), its interfaces
 * up on every link whose carrier is, and its announcements as before.
 * Returns 0, or -1 if NODE was not stopped or the engine failed. */
int netsim_node_start(struct netsim *sim, unsigned node, uint16_t seqno);
bool netsim_node_running(const struct netsim *sim, unsigned node);
/* The engine's current seqno (engine_seqno); 0 for a stopped node. */
uint16_t netsim_node_seqno(const struct netsim *sim, unsigned node);

/* NODE's router-id: 02:00:00:00:00:00:<(node+1) >> 8>:<(node+1) & 0xff>. */
void netsim_router_id(unsigned node, uint8_t id[8]);

/* NODE's loopback prefixes: FAMILY 6 gives 2001:db8:ff::<node+1>/128,
 * 4 gives 10.255.<(node+1)/256>.<(node+1)%256>/32. */
void netsim_node_prefix(unsigned node, int family, struct route_key *key);
/* Starts (PRESENT) or stops announcing both of NODE's prefixes. */
void netsim_announce(struct netsim *sim, unsigned node, bool present);
/* Every node announces its prefixes. */
void netsim_announce_all(struct netsim *sim);
/* Announces (or retracts) any route KEY from NODE as a local route. */
void netsim_announce_key(struct netsim *sim, unsigned node, const struct route_key *key,
			 bool present);

/* Runs the earliest pending event if it is due at or before LIMIT (absolute
 * ms); returns false (clock unchanged) when there is none. */
bool netsim_step(struct netsim *sim, uint64_t limit);
/* Runs every event up to absolute time T, then sets the clock to T. */
void netsim_run_until(struct netsim *sim, uint64_t t);
void netsim_run_for(struct netsim *sim, uint64_t ms);
/* Runs until netsim_converged() holds, for at most LIMIT_MS more simulated
 * ms. Returns how long it took (ms), or -1 if it did not converge in time
 * (the clock is then LIMIT_MS further on). */
int64_t netsim_run_until_converged(struct netsim *sim, uint64_t limit_ms);

/* Whether the installed routes are what the topology calls for: every node
 * reaches, through the installed next hops, an announcer of every prefix
 * announced in its connected part of the network, and holds no route to a
 * prefix that nobody there announces. When not, and WHY is not NULL, says
 * why in WHY (a line naming the node and prefix). */
bool netsim_converged(struct netsim *sim, char *why, size_t whylen);

/* Number of (node, prefix) pairs whose path is longer (in hops) than the
 * shortest path in the live topology. Only meaningful when all links cost
 * the same (no loss). */
unsigned netsim_count_detours(struct netsim *sim, char *why, size_t whylen);

/* How a walk along the installed routes ended. */
enum netsim_walk {
	NETSIM_REACHED,     /* at a node announcing the prefix */
	NETSIM_NO_ROUTE,    /* a node with no route to it */
	NETSIM_LINK_DEAD,   /* the next hop is across a cut link */
	NETSIM_BAD_NEXTHOP, /* no engine on that link has the next-hop address */
	NETSIM_LOOP,        /* came back to a node already visited */
};

/* Walks from NODE towards KEY's destination; *HOPS (may be NULL) gets the
 * number of links crossed and *END (may be NULL) the last node. */
enum netsim_walk netsim_walk(struct netsim *sim, unsigned node, const struct route_key *key,
			     unsigned *hops, unsigned *end);

/* Whether the run so far broke none of the built-in checks: no forwarding
 * loop, no route_change inconsistency or bad next hop, no route installed
 * with an infinite metric, no send on a missing or carrier-down interface,
 * no spinning engine. If it did, WHY says what first. */
bool netsim_clean(const struct netsim *sim, char *why, size_t whylen);

/* The usual test step: netsim_run_until_converged within LIMIT_MS, then
 * netsim_clean. Prints "# LABEL: converged in T ms" and returns T, or
 * returns -1 with the reason in WHY (prefixed with LABEL). */
int64_t netsim_converge(struct netsim *sim, uint64_t limit_ms, const char *label, char *why,
			size_t whylen);

/* The other usual step, after convergence. Routes may still move to better
 * paths for a while (a route through a farther neighbour was taken before
 * the nearer neighbour's cost was known; smoothing delays the switch): runs
 * SETTLE_MS, then checks that the network is converged and every path a
 * shortest one (when SHORTEST); then runs STEADY_MS more and checks that no
 * route changed its next hop meanwhile and that it is all still so. Checks
 * netsim_clean too. False with the reason in WHY otherwise. */
bool netsim_steady(struct netsim *sim, uint64_t settle_ms, uint64_t steady_ms, bool shortest,
		   const char *label, char *why, size_t whylen);

/* Prints the counters as TAP comments ("# ...") to stdout. */
void netsim_print_stats(const struct netsim *sim, const char *label);

/* Watching one destination (count to infinity): from this call on, the
 * largest finite metric any engine advertises for KEY in an Update, and the
 * largest metric any engine installs for it, are recorded. Updates are
 * decoded from every packet sent (proto/babel.h). One watch at a time;
 * calling again restarts it. */
void netsim_watch(struct netsim *sim, const struct route_key *key);
struct netsim_watch_result {
	uint32_t max_advertised;  /* largest finite metric in an Update (0: none) */
	uint64_t updates;         /* Updates (finite) for KEY seen */
	uint64_t retractions;     /* Updates with metric infinity for KEY */
	uint32_t max_installed;   /* largest metric installed (0: none) */
	uint64_t installs;        /* ADD or REPLACE for KEY */
};
void netsim_watch_result(const struct netsim *sim, struct netsim_watch_result *out);

/* The route NODE installed for exactly KEY: false if none. */
bool netsim_fib_get(const struct netsim *sim, unsigned node, const struct route_key *key,
		    uint32_t *ifindex, struct link_addr *nexthop, uint16_t *metric);
/* Number of routes NODE has installed. */
size_t netsim_fib_count(const struct netsim *sim, unsigned node);

#endif
