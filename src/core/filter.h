/* Route filters with babeld's semantics (babeld(8), "Filtering rules").
 *
 * Four kinds: `in` (routes learned from neighbours), `out` (routes we
 * announce), `redistribute` (kernel routes and local addresses becoming
 * xroutes), `install` (selected routes going to the kernel).  A rule has
 * selectors, all of which must match, and one action; the first rule that
 * matches decides.  When none matches: in, out and install allow;
 * redistribute allows local addresses and denies every other kernel route
 * (babeld's default: announce the node's own addresses, nothing else
 * unless asked).  A subject with default_deny (out on a radio interface,
 * whose if_config has out_default_deny) is denied when no rule matches.
 *
 * RFC 8966 Appendix C: filtering is safe as long as it only raises metrics
 * (or drops routes): "metric N" in `in` and `out` adds N, never lowers.
 */
#ifndef MAILLE_CORE_FILTER_H
#define MAILLE_CORE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/prefix.h"

enum filter_kind { FILTER_IN, FILTER_OUT, FILTER_REDISTRIBUTE, FILTER_INSTALL, FILTER_KINDS };

enum filter_action {
	FILTER_ALLOW,
	FILTER_DENY,
	FILTER_METRIC,     /* in/out: add metric; redistribute: announce with it */
	FILTER_SRC_PREFIX, /* redistribute: make the route source-specific */
};

#define FILTER_IFNAME_MAX 16

/* One rule.  A selector is used only when its has_ flag is set. */
struct filter_rule {
	bool has_prefix;       /* ip PREFIX: the route's prefix lies within it */
	struct prefix prefix;
	int16_t plen_eq, plen_le, plen_ge; /* -1: unset; eq/le/ge on the route's plen */
	bool has_src;          /* src-ip PREFIX */
	struct prefix src;
	int16_t src_eq, src_le, src_ge;
	int16_t proto;         /* -1: any; kernel protocol (redistribute) */
	bool local;            /* redistribute: only local addresses */
	bool has_ifname;       /* if NAME */
	char ifname[FILTER_IFNAME_MAX];
	bool has_neighbour;    /* neighbour ADDR (in) */
	uint8_t neighbour[16];
	bool has_id;           /* id ROUTER-ID (in) */
	uint8_t id[8];
	enum filter_action action;
	uint16_t metric;       /* FILTER_METRIC */
	struct prefix src_prefix; /* FILTER_SRC_PREFIX */
};

struct filter_set {
	struct filter_rule *rules[FILTER_KINDS];
	size_t n[FILTER_KINDS];
};

/* A rule that matches everything and allows. */
void filter_rule_init(struct filter_rule *r);

/* What is being filtered. */
struct filter_subject {
	const struct route_key *key;
	const char *ifname;          /* NULL: unknown */
	const uint8_t *neighbour;    /* 16 bytes, NULL: none */
	const uint8_t *router_id;    /* NULL: none */
	int proto;                   /* kernel protocol, -1: none */
	bool local;                  /* a local address (redistribute) */
	bool default_deny;           /* in/out/install: no rule matched means deny
				      * (an interface that allows only what a rule names) */
};

struct filter_result {
	bool allow;
	uint16_t metric;        /* the metric to add (in/out) or announce (redistribute); 0 none */
	bool has_metric;
	bool has_src_prefix;
	struct prefix src_prefix;
};

/* Runs the rules of KIND in order; fills *out with the decision. */
void filter_apply(const struct filter_set *fs, enum filter_kind kind,
		  const struct filter_subject *s, struct filter_result *out);

/* Appends a copy of R to FS (malloc); -1 on no memory. */
int filter_set_add(struct filter_set *fs, enum filter_kind kind, const struct filter_rule *r);
void filter_set_free(struct filter_set *fs);
/* DST becomes a deep copy of SRC (DST's previous content is not freed);
 * -1 on no memory, DST then empty. */
int filter_set_copy(struct filter_set *dst, const struct filter_set *src);

/* Field by field (no padding compared). */
bool filter_rule_equal(const struct filter_rule *a, const struct filter_rule *b);
/* Whether A and B have the same rules of KIND, in the same order. */
bool filter_kind_equal(const struct filter_set *a, const struct filter_set *b,
		       enum filter_kind kind);

#endif
