/* Route filters: first match wins (babeld(8), "Filtering rules"). */
#include "src/core/filter.h"

#include <stdlib.h>
#include <string.h>

void filter_rule_init(struct filter_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->plen_eq = r->plen_le = r->plen_ge = -1;
	r->src_eq = r->src_le = r->src_ge = -1;
	r->proto = -1;
	r->action = FILTER_ALLOW;
}

static bool plen_ok(unsigned plen, int eq, int le, int ge)
{
	if (eq >= 0 && plen != (unsigned)eq)
		return false;
	if (le >= 0 && plen > (unsigned)le)
		return false;
	if (ge >= 0 && plen < (unsigned)ge)
		return false;
	return true;
}

static bool rule_matches(const struct filter_rule *r, const struct filter_subject *s)
{
	const struct route_key *k = s->key;
	if (r->has_prefix && !prefix_contains(&r->prefix, &k->dst))
		return false;
	if (!plen_ok(k->dst.plen, r->plen_eq, r->plen_le, r->plen_ge))
		return false;
	if (r->has_src) {
		if (k->src.plen == 0 && r->src.plen != 0)
			return false;
		if (!prefix_contains(&r->src, &k->src))
			return false;
	}
	if (!plen_ok(k->src.plen, r->src_eq, r->src_le, r->src_ge))
		return false;
	if (r->proto >= 0 && (s->proto < 0 || r->proto != s->proto))
		return false;
	if (r->local && !s->local)
		return false;
	if (r->has_ifname && (!s->ifname || strncmp(r->ifname, s->ifname, FILTER_IFNAME_MAX) != 0))
		return false;
	if (r->has_neighbour && (!s->neighbour || memcmp(r->neighbour, s->neighbour, 16) != 0))
		return false;
	if (r->has_id && (!s->router_id || memcmp(r->id, s->router_id, 8) != 0))
		return false;
	return true;
}

void filter_apply(const struct filter_set *fs, enum filter_kind kind,
		  const struct filter_subject *s, struct filter_result *out)
{
	memset(out, 0, sizeof(*out));
	if (fs && kind < FILTER_KINDS) {
		for (size_t i = 0; i < fs->n[kind]; i++) {
			const struct filter_rule *r = &fs->rules[kind][i];
			if (!rule_matches(r, s))
				continue;
			switch (r->action) {
			case FILTER_ALLOW:
				out->allow = true;
				break;
			case FILTER_DENY:
				out->allow = false;
				break;
			case FILTER_METRIC:
				/* babeld: "metric 65535" is a deny */
				out->allow = r->metric < 0xFFFF;
				out->metric = r->metric;
				out->has_metric = true;
				break;
			case FILTER_SRC_PREFIX:
				out->allow = true;
				out->has_src_prefix = true;
				out->src_prefix = r->src_prefix;
				break;
			}
			return;
		}
	}
	/* No rule matched: babeld's defaults. */
	if (kind == FILTER_REDISTRIBUTE)
		out->allow = s->local;
	else
		out->allow = !s->default_deny;
}

int filter_set_add(struct filter_set *fs, enum filter_kind kind, const struct filter_rule *r)
{
	if (kind >= FILTER_KINDS)
		return -1;
	struct filter_rule *n = realloc(fs->rules[kind], (fs->n[kind] + 1) * sizeof(*n));
	if (!n)
		return -1;
	n[fs->n[kind]++] = *r;
	fs->rules[kind] = n;
	return 0;
}

void filter_set_free(struct filter_set *fs)
{
	for (int k = 0; k < FILTER_KINDS; k++) {
		free(fs->rules[k]);
		fs->rules[k] = NULL;
		fs->n[k] = 0;
	}
}

int filter_set_copy(struct filter_set *dst, const struct filter_set *src)
{
	memset(dst, 0, sizeof(*dst));
	for (int k = 0; k < FILTER_KINDS; k++) {
		if (!src->n[k])
			continue;
		dst->rules[k] = malloc(src->n[k] * sizeof(*dst->rules[k]));
		if (!dst->rules[k]) {
			filter_set_free(dst);
			return -1;
		}
		memcpy(dst->rules[k], src->rules[k], src->n[k] * sizeof(*dst->rules[k]));
		dst->n[k] = src->n[k];
	}
	return 0;
}

static bool prefix_same(const struct prefix *a, const struct prefix *b)
{
	return a->family == b->family && a->plen == b->plen && memcmp(a->addr, b->addr, 16) == 0;
}

bool filter_rule_equal(const struct filter_rule *a, const struct filter_rule *b)
{
	return a->has_prefix == b->has_prefix && prefix_same(&a->prefix, &b->prefix) &&
	       a->plen_eq == b->plen_eq && a->plen_le == b->plen_le && a->plen_ge == b->plen_ge &&
	       a->has_src == b->has_src && prefix_same(&a->src, &b->src) &&
	       a->src_eq == b->src_eq && a->src_le == b->src_le && a->src_ge == b->src_ge &&
	       a->proto == b->proto && a->local == b->local && a->has_ifname == b->has_ifname &&
	       strncmp(a->ifname, b->ifname, FILTER_IFNAME_MAX) == 0 &&
	       a->has_neighbour == b->has_neighbour &&
	       memcmp(a->neighbour, b->neighbour, 16) == 0 && a->has_id == b->has_id &&
	       memcmp(a->id, b->id, 8) == 0 && a->action == b->action && a->metric == b->metric &&
	       prefix_same(&a->src_prefix, &b->src_prefix);
}

bool filter_kind_equal(const struct filter_set *a, const struct filter_set *b,
		       enum filter_kind kind)
{
	if (a->n[kind] != b->n[kind])
		return false;
	for (size_t i = 0; i < a->n[kind]; i++)
		if (!filter_rule_equal(&a->rules[kind][i], &b->rules[kind][i]))
			return false;
	return true;
}
