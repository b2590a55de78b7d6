/* The control protocol without I/O (see control_proto.h). */
#include "src/sys/control_proto.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/prefix.h"

/* ------------------------------------------------------------ parsing */

#define CTL_MAX_TOKENS 8

struct tok {
	const char *s;
	size_t n;
};

static bool tok_is(const struct tok *t, const char *word)
{
	size_t n = strlen(word);
	return t->n == n && memcmp(t->s, word, n) == 0;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* An interface name the kernel could hold: 1..15 bytes, no '/', no ':'
 * aliases games, not "." or "..". Tokens already exclude spaces. */
static bool ifname_ok(const struct tok *t)
{
	if (t->n == 0 || t->n > CTL_IFNAME_MAX)
		return false;
	if (tok_is(t, ".") || tok_is(t, ".."))
		return false;
	for (size_t i = 0; i < t->n; i++)
		if (t->s[i] == '/' || t->s[i] == '"' || t->s[i] == '\\')
			return false;
	return true;
}

static unsigned dump_what(const struct tok *t)
{
	static const struct {
		const char *w;
		unsigned bits;
	} tab[] = {
		{ "interfaces", CTL_DUMP_INTERFACES }, { "neighbours", CTL_DUMP_NEIGHBOURS },
		{ "neighbors", CTL_DUMP_NEIGHBOURS },  { "routes", CTL_DUMP_ROUTES },
		{ "xroutes", CTL_DUMP_XROUTES },       { "sources", CTL_DUMP_SOURCES },
		{ "all", CTL_DUMP_ALL },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tok_is(t, tab[i].w))
			return tab[i].bits;
	return 0;
}

int ctl_parse(const char *line, size_t len, struct ctl_cmd *cmd, char *err, size_t errlen)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->kind = CTL_CMD_NONE;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > CTL_LINE_MAX) {
		set_err(err, errlen, "line too long (limit %d bytes)", CTL_LINE_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == '\t')
			continue;
		if (c < 0x20 || c > 0x7e) {
			set_err(err, errlen, "binary or control byte 0x%02x at column %zu", c,
				i + 1);
			return -1;
		}
	}
	struct tok t[CTL_MAX_TOKENS];
	size_t nt = 0, i = 0, first_rest = 0;
	while (i < len) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len)
			break;
		size_t start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (nt == 0)
			first_rest = i;
		if (nt < CTL_MAX_TOKENS) {
			t[nt].s = line + start;
			t[nt].n = i - start;
		}
		nt++;
	}
	if (nt == 0)
		return 0;

	/* Config statements go whole to the configuration parser. */
	if (tok_is(&t[0], "interface") && nt == 3 && (tok_is(&t[2], "up") || tok_is(&t[2], "down"))) {
		if (!ifname_ok(&t[1])) {
			set_err(err, errlen, "bad interface name");
			return -1;
		}
		memcpy(cmd->ifname, t[1].s, t[1].n);
		cmd->kind = tok_is(&t[2], "up") ? CTL_CMD_INTERFACE_UP : CTL_CMD_INTERFACE_DOWN;
		return 0;
	}
	if (tok_is(&t[0], "interface") || tok_is(&t[0], "default") || tok_is(&t[0], "key")) {
		if (nt < 2) {
			set_err(err, errlen, "%.*s: missing arguments", (int)t[0].n, t[0].s);
			return -1;
		}
		if (tok_is(&t[0], "interface") && !ifname_ok(&t[1])) {
			set_err(err, errlen, "bad interface name");
			return -1;
		}
		cmd->kind = CTL_CMD_CONFIG;
		cmd->config = t[0].s;
		cmd->config_len = (size_t)(line + len - t[0].s);
		while (cmd->config_len > 0 && (t[0].s[cmd->config_len - 1] == ' ' ||
					       t[0].s[cmd->config_len - 1] == '\t'))
			cmd->config_len--;
		(void)first_rest;
		return 0;
	}
	if (tok_is(&t[0], "flush")) {
		if (nt != 3 || !tok_is(&t[1], "interface")) {
			set_err(err, errlen, "usage: flush interface IF");
			return -1;
		}
		if (!ifname_ok(&t[2])) {
			set_err(err, errlen, "bad interface name");
			return -1;
		}
		memcpy(cmd->ifname, t[2].s, t[2].n);
		cmd->kind = CTL_CMD_FLUSH_INTERFACE;
		return 0;
	}
	if (tok_is(&t[0], "dump")) {
		if (nt == 1) {
			cmd->dump_what = CTL_DUMP_BABELD;
		} else {
			for (size_t k = 1; k < nt; k++) {
				unsigned w = k < CTL_MAX_TOKENS ? dump_what(&t[k]) : 0;
				if (!w) {
					set_err(err, errlen,
						"dump: expected interfaces, neighbours, routes, xroutes, sources or all");
					return -1;
				}
				cmd->dump_what |= w;
			}
		}
		cmd->kind = CTL_CMD_DUMP;
		return 0;
	}
	/* babeld's single-word forms: dump-routes, dump-neighbours... */
	if (t[0].n > 5 && memcmp(t[0].s, "dump-", 5) == 0) {
		struct tok w = { t[0].s + 5, t[0].n - 5 };
		unsigned bits = dump_what(&w);
		if (bits && nt == 1) {
			cmd->kind = CTL_CMD_DUMP;
			cmd->dump_what = bits;
			return 0;
		}
	}
	static const struct {
		const char *w;
		enum ctl_cmd_kind k;
	} simple[] = {
		{ "monitor", CTL_CMD_MONITOR }, { "unmonitor", CTL_CMD_UNMONITOR },
		{ "quit", CTL_CMD_QUIT },       { "json", CTL_CMD_JSON },
		{ "text", CTL_CMD_TEXT },       { "status", CTL_CMD_STATUS },
		{ "stats", CTL_CMD_STATS },     { "help", CTL_CMD_HELP },
		{ "reload", CTL_CMD_RELOAD },   { "metrics", CTL_CMD_METRICS },
	};
	for (size_t k = 0; k < sizeof(simple) / sizeof(simple[0]); k++) {
		if (!tok_is(&t[0], simple[k].w))
			continue;
		if (nt != 1) {
			set_err(err, errlen, "%s takes no argument", simple[k].w);
			return -1;
		}
		cmd->kind = simple[k].k;
		return 0;
	}
	/* Quote at most 32 bytes of what we did not understand. */
	set_err(err, errlen, "unknown command \"%.*s\"", (int)(t[0].n > 32 ? 32 : t[0].n), t[0].s);
	return -1;
}

bool ctl_cmd_is_write(enum ctl_cmd_kind k)
{
	switch (k) {
	case CTL_CMD_RELOAD:
	case CTL_CMD_FLUSH_INTERFACE:
	case CTL_CMD_INTERFACE_UP:
	case CTL_CMD_INTERFACE_DOWN:
	case CTL_CMD_CONFIG:
		return true;
	default:
		return false;
	}
}

/* ------------------------------------------------------------ buffer */

void ctl_out_init(struct ctl_out *o, size_t limit)
{
	memset(o, 0, sizeof(*o));
	o->limit = limit;
}

void ctl_out_free(struct ctl_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

void ctl_out_reset(struct ctl_out *o)
{
	o->len = 0;
	o->failed = false;
}

void ctl_out_consume(struct ctl_out *o, size_t n)
{
	if (n >= o->len) {
		o->len = 0;
		return;
	}
	memmove(o->buf, o->buf + n, o->len - n);
	o->len -= n;
}

static bool ctl_out_reserve(struct ctl_out *o, size_t extra)
{
	if (o->failed)
		return false;
	if (o->limit && o->len + extra > o->limit) {
		o->failed = true;
		return false;
	}
	if (o->len + extra + 1 <= o->cap)
		return true;
	size_t cap = o->cap ? o->cap : 256;
	while (cap < o->len + extra + 1)
		cap *= 2;
	char *b = realloc(o->buf, cap);
	if (!b) {
		o->failed = true;
		return false;
	}
	o->buf = b;
	o->cap = cap;
	return true;
}

void ctl_out_append(struct ctl_out *o, const char *s, size_t n)
{
	if (!ctl_out_reserve(o, n))
		return;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

void ctl_out_printf(struct ctl_out *o, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->failed = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		ctl_out_append(o, small, (size_t)n);
		return;
	}
	if (!ctl_out_reserve(o, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

void ctl_json_string(struct ctl_out *o, const char *s)
{
	ctl_out_append(o, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\') {
			char e[2] = { '\\', (char)*p };
			ctl_out_append(o, e, 2);
		} else if (*p < 0x20 || *p >= 0x7f) {
			ctl_out_printf(o, "\\u%04x", *p);
		} else {
			ctl_out_append(o, (const char *)p, 1);
		}
	}
	ctl_out_append(o, "\"", 1);
}

/* ------------------------------------------------------------ helpers */

const char *ctl_verb_name(enum ctl_verb v)
{
	switch (v) {
	case CTL_ADD:
		return "add";
	case CTL_CHANGE:
		return "change";
	case CTL_FLUSH:
		return "flush";
	}
	return "add";
}

void ctl_format_router_id(const uint8_t rid[8], char out[24])
{
	snprintf(out, 24, "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", rid[0], rid[1], rid[2],
		 rid[3], rid[4], rid[5], rid[6], rid[7]);
}

void ctl_format_addr(const struct link_addr *a, char *out, size_t size)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (memcmp(a->a, mapped, 12) == 0) {
		snprintf(out, size, "%u.%u.%u.%u", a->a[12], a->a[13], a->a[14], a->a[15]);
		return;
	}
	struct prefix p;
	prefix_make(&p, PREFIX_FAMILY_IPV6, a->a, 128);
	prefix_format_addr(&p, out, size);
}

uint16_t ctl_reach(uint16_t history, uint8_t len)
{
	(void)len; /* bits past len are zero in the history */
	uint16_t r = 0;
	for (int i = 0; i < 16; i++)
		if (history & (1u << i))
			r |= (uint16_t)(0x8000u >> i);
	return r;
}

static const char *if_type_name(enum if_type t)
{
	switch (t) {
	case IF_TYPE_WIRED:
		return "wired";
	case IF_TYPE_WIRELESS:
		return "wireless";
	case IF_TYPE_TUNNEL:
		return "tunnel";
	case IF_TYPE_AX25:
		return "ax25";
	}
	return "unknown";
}

static const char *tf(bool b)
{
	return b ? "true" : "false";
}

static const char *optb(enum opt_bool b)
{
	return b == OPT_ON ? "true" : "false";
}

static void json_begin(struct ctl_out *o, enum ctl_verb v, const char *kind)
{
	ctl_out_printf(o, "{\"verb\":\"%s\",\"kind\":\"%s\"", ctl_verb_name(v), kind);
}

static void key_texts(const struct route_key *k, char *dst, size_t dn, char *src, size_t sn)
{
	prefix_format(&k->dst, dst, dn);
	if (k->src.plen == 0 && k->src.family != k->dst.family) {
		struct prefix z = { .family = k->dst.family, .plen = 0 };
		prefix_format(&z, src, sn);
	} else {
		prefix_format(&k->src, src, sn);
	}
}

/* ------------------------------------------------------------ replies */

void ctl_format_ok(struct ctl_out *o, enum ctl_dialect d)
{
	if (d == CTL_JSON)
		ctl_out_printf(o, "{\"reply\":\"ok\"}\n");
	else
		ctl_out_printf(o, "ok\n");
}

static void reply_reason(struct ctl_out *o, enum ctl_dialect d, const char *word,
			 const char *reason)
{
	if (d == CTL_JSON) {
		ctl_out_printf(o, "{\"reply\":\"%s\"", word);
		if (reason) {
			ctl_out_printf(o, ",\"reason\":");
			ctl_json_string(o, reason);
		}
		ctl_out_printf(o, "}\n");
		return;
	}
	ctl_out_printf(o, "%s", word);
	if (reason && *reason) {
		ctl_out_append(o, " ", 1);
		/* A reason stays on its line whatever it holds. */
		for (const char *p = reason; *p; p++) {
			char c = (*p == '\n' || *p == '\r') ? ' ' : *p;
			ctl_out_append(o, &c, 1);
		}
	}
	ctl_out_append(o, "\n", 1);
}

void ctl_format_no(struct ctl_out *o, enum ctl_dialect d, const char *reason)
{
	reply_reason(o, d, "no", reason);
}

void ctl_format_bad(struct ctl_out *o, enum ctl_dialect d, const char *reason)
{
	reply_reason(o, d, "bad", reason);
}

void ctl_format_greeting(struct ctl_out *o, enum ctl_dialect d, const struct ctl_greeting *g)
{
	char rid[24];
	ctl_format_router_id(g->router_id, rid);
	if (d == CTL_JSON) {
		ctl_out_printf(o, "{\"kind\":\"greeting\",\"protocol\":\"BABEL 1.0\",\"version\":");
		ctl_json_string(o, g->version);
		ctl_out_printf(o, ",\"host\":");
		ctl_json_string(o, g->host);
		ctl_out_printf(o, ",\"router_id\":\"%s\"}\n", rid);
	} else {
		ctl_out_printf(o, "BABEL 1.0\nversion %s\nhost %s\nmy-id %s\n", g->version,
			       g->host, rid);
	}
	ctl_format_ok(o, d);
}

/* ------------------------------------------------------------ objects */

static void format_tlvs(struct ctl_out *o, const char *key, const uint64_t *v)
{
	ctl_out_printf(o, ",\"%s\":{", key);
	uint64_t unknown = 0;
	for (unsigned s = 0; s < ENGINE_TLV_SLOTS; s++) {
		const char *n = engine_tlv_name(s);
		if (n)
			ctl_out_printf(o, "\"%s\":%" PRIu64 ",", n, v[s]);
		else
			unknown += v[s];
	}
	ctl_out_printf(o, "\"unknown\":%" PRIu64 "}", unknown);
}

/* The engine's own counters of the interface ("counters" are the
 * daemon's, from the socket). */
static void format_traffic(struct ctl_out *o, const struct engine_if_counters *k)
{
	ctl_out_printf(o,
		       ",\"traffic\":{\"packets_in\":%" PRIu64 ",\"packets_out\":%" PRIu64
		       ",\"bytes_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64
		       ",\"tlvs_malformed\":%" PRIu64 ",\"tlvs_ignored\":%" PRIu64 ",\"drops\":{",
		       k->packets_in, k->packets_out, k->bytes_in, k->bytes_out, k->tlvs_malformed,
		       k->tlvs_ignored);
	bool first = true;
	for (unsigned d = 0; d < ENGINE_DROP_COUNT; d++) {
		if (d == ENGINE_DROP_UNKNOWN_INTERFACE)
			continue;
		ctl_out_printf(o, "%s\"%s\":%" PRIu64, first ? "" : ",",
			       engine_drop_name((enum engine_drop)d), k->drops[d]);
		first = false;
	}
	ctl_out_printf(o, "}");
	format_tlvs(o, "tlvs_in", k->tlvs_in);
	format_tlvs(o, "tlvs_out", k->tlvs_out);
	ctl_out_printf(o, "}");
}

void ctl_format_interface(struct ctl_out *o, enum ctl_dialect d, enum ctl_verb v,
			  const struct engine_if_info *i, bool up,
			  const struct ctl_if_counters *c)
{
	char ll[64];
	ctl_format_addr(&i->ll, ll, sizeof(ll));
	if (d == CTL_TEXT) {
		if (up)
			ctl_out_printf(o, "%s interface %s up true ipv6 %s\n", ctl_verb_name(v),
				       i->name, ll);
		else
			ctl_out_printf(o, "%s interface %s up false\n", ctl_verb_name(v), i->name);
		return;
	}
	const struct if_config *cf = &i->cfg;
	json_begin(o, v, "interface");
	ctl_out_printf(o, ",\"id\":%" PRIu64 ",\"name\":", i->id);
	ctl_json_string(o, i->name);
	ctl_out_printf(o,
		       ",\"ifindex\":%" PRIu32 ",\"up\":%s,\"ipv6\":\"%s\",\"type\":\"%s\""
		       ",\"hello_interval_ms\":%" PRIu32 ",\"update_interval_ms\":%" PRIu32
		       ",\"rxcost\":%u,\"split_horizon\":%s,\"unicast\":%s"
		       ",\"link_quality\":%s,\"timestamps\":%s,\"rtt_min_ms\":%" PRIu32
		       ",\"rtt_max_ms\":%" PRIu32 ",\"max_rtt_penalty\":%u,\"v4_via_v6\":%s"
		       ",\"mtu\":%u,\"rate_bytes_per_s\":%" PRIu32 ",\"hello_seqno\":%u"
		       ",\"neighbours\":%zu",
		       i->ifindex, tf(up), ll, if_type_name(cf->type), cf->hello_interval_ms,
		       cf->update_interval_ms, cf->rxcost, optb(cf->split_horizon),
		       optb(cf->unicast), optb(cf->link_quality), optb(cf->enable_timestamps),
		       cf->rtt_min_ms, cf->rtt_max_ms, cf->max_rtt_penalty, optb(cf->v4_via_v6),
		       cf->mtu, cf->rate_bytes_per_s, i->hello_seqno, i->neighbours);
	if (c)
		ctl_out_printf(o,
			       ",\"counters\":{\"packets_in\":%" PRIu64 ",\"packets_out\":%" PRIu64
			       ",\"bytes_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64
			       ",\"errors_in\":%" PRIu64 ",\"errors_out\":%" PRIu64 "}",
			       c->packets_in, c->packets_out, c->bytes_in, c->bytes_out,
			       c->errors_in, c->errors_out);
	if (i->counters)
		format_traffic(o, i->counters);
	ctl_out_printf(o, "}\n");
}

void ctl_format_neighbour(struct ctl_out *o, enum ctl_dialect d, enum ctl_verb v,
			  const struct engine_neighbour_info *n)
{
	char addr[64];
	ctl_format_addr(&n->addr, addr, sizeof(addr));
	uint16_t reach = ctl_reach(n->mcast_history, n->mcast_history_len);
	uint16_t ureach = ctl_reach(n->ucast_history, n->ucast_history_len);
	if (d == CTL_TEXT) {
		ctl_out_printf(o,
			       "%s neighbour %" PRIx64 " address %s if %s reach %04x ureach %04x"
			       " rxcost %u txcost %u",
			       ctl_verb_name(v), n->id, addr, n->ifname, reach, ureach, n->rxcost,
			       n->txcost);
		/* babeld prints the RTT only when timestamps gave one. */
		if (n->rtt_valid)
			ctl_out_printf(o, " rtt %" PRIu32 ".%03" PRIu32, n->rtt_us / 1000000,
				       (n->rtt_us / 1000) % 1000);
		ctl_out_printf(o, " cost %u\n", n->cost);
		return;
	}
	json_begin(o, v, "neighbour");
	ctl_out_printf(o, ",\"id\":%" PRIu64 ",\"address\":\"%s\",\"interface\":", n->id, addr);
	ctl_json_string(o, n->ifname);
	ctl_out_printf(o,
		       ",\"ifindex\":%" PRIu32 ",\"reach\":\"%04x\",\"ureach\":\"%04x\""
		       ",\"mcast_history\":%u,\"mcast_history_len\":%u"
		       ",\"ucast_history\":%u,\"ucast_history_len\":%u"
		       ",\"mcast_hello_interval_cs\":%u,\"ucast_hello_interval_cs\":%u"
		       ",\"rxcost\":%u,\"txcost\":%u,\"cost\":%u",
		       n->ifindex, reach, ureach, n->mcast_history, n->mcast_history_len,
		       n->ucast_history, n->ucast_history_len, n->mcast_hello_interval_cs,
		       n->ucast_hello_interval_cs, n->rxcost, n->txcost, n->cost);
	if (n->rtt_valid)
		ctl_out_printf(o, ",\"rtt_us\":%" PRIu32, n->rtt_us);
	else
		ctl_out_printf(o, ",\"rtt_us\":null");
	ctl_out_printf(o, ",\"link_hint\":%" PRIu32 ",\"routes\":%zu}\n", n->link_hint, n->routes);
}

void ctl_format_route(struct ctl_out *o, enum ctl_dialect d, enum ctl_verb v,
		      const struct engine_route_info *r)
{
	char dst[PREFIX_STRLEN], src[PREFIX_STRLEN], rid[24], via[64], nb[64];
	key_texts(&r->key, dst, sizeof(dst), src, sizeof(src));
	ctl_format_router_id(r->router_id, rid);
	ctl_format_addr(&r->nexthop, via, sizeof(via));
	if (d == CTL_TEXT) {
		ctl_out_printf(o,
			       "%s route %" PRIx64 " prefix %s from %s installed %s id %s metric %u"
			       " refmetric %u via %s if %s\n",
			       ctl_verb_name(v), r->id, dst, src, r->installed ? "yes" : "no", rid,
			       r->metric, r->refmetric, via, r->ifname);
		return;
	}
	ctl_format_addr(&r->neighbour, nb, sizeof(nb));
	json_begin(o, v, "route");
	ctl_out_printf(o,
		       ",\"id\":%" PRIu64 ",\"prefix\":\"%s\",\"from\":\"%s\",\"router_id\":\"%s\""
		       ",\"seqno\":%u,\"metric\":%u,\"refmetric\":%u,\"smoothed_metric\":%u"
		       ",\"feasible\":%s,\"selected\":%s,\"installed\":%s,\"age_ms\":%" PRIu64
		       ",\"via\":\"%s\",\"neighbour\":\"%s\",\"ifindex\":%" PRIu32 ",\"interface\":",
		       r->id, dst, src, rid, r->seqno, r->metric, r->refmetric, r->smoothed_metric,
		       tf(r->feasible), tf(r->selected), tf(r->installed), r->age_ms, via, nb,
		       r->ifindex);
	ctl_json_string(o, r->ifname);
	ctl_out_printf(o, "}\n");
}

void ctl_format_xroute(struct ctl_out *o, enum ctl_dialect d, enum ctl_verb v,
		       const struct engine_xroute_info *x)
{
	char dst[PREFIX_STRLEN], src[PREFIX_STRLEN];
	key_texts(&x->key, dst, sizeof(dst), src, sizeof(src));
	if (d == CTL_TEXT) {
		ctl_out_printf(o, "%s xroute %s-%s prefix %s from %s metric %u\n", ctl_verb_name(v),
			       dst, src, dst, src, x->metric);
		return;
	}
	json_begin(o, v, "xroute");
	ctl_out_printf(o,
		       ",\"prefix\":\"%s\",\"from\":\"%s\",\"metric\":%u,\"ifindex\":%" PRIu32
		       ",\"kernel_protocol\":%u,\"local\":%s}\n",
		       dst, src, x->metric, x->ifindex, x->kproto, tf(x->local));
}

void ctl_format_source(struct ctl_out *o, enum ctl_dialect d, enum ctl_verb v,
		       const struct engine_source_info *s)
{
	char dst[PREFIX_STRLEN], src[PREFIX_STRLEN], rid[24];
	key_texts(&s->key, dst, sizeof(dst), src, sizeof(src));
	ctl_format_router_id(s->router_id, rid);
	if (d == CTL_TEXT) {
		ctl_out_printf(o,
			       "%s source %s-%s-%s prefix %s from %s id %s seqno %u metric %u"
			       " gc-in %" PRIu64 "\n",
			       ctl_verb_name(v), dst, src, rid, dst, src, rid, s->seqno, s->metric,
			       s->gc_in_ms);
		return;
	}
	json_begin(o, v, "source");
	ctl_out_printf(o,
		       ",\"prefix\":\"%s\",\"from\":\"%s\",\"router_id\":\"%s\",\"seqno\":%u"
		       ",\"metric\":%u,\"gc_in_ms\":%" PRIu64 "}\n",
		       dst, src, rid, s->seqno, s->metric, s->gc_in_ms);
}

void ctl_format_status(struct ctl_out *o, enum ctl_dialect d, const struct ctl_status *s)
{
	char rid[24];
	ctl_format_router_id(s->router_id, rid);
	if (d == CTL_TEXT) {
		ctl_out_printf(o,
			       "status router-id %s seqno %u version %s host %s uptime %" PRIu64
			       " interfaces %zu neighbours %zu routes %zu installed %zu xroutes %zu"
			       " sources %zu\n",
			       rid, s->seqno, s->version, s->host, s->uptime_ms / 1000, s->interfaces,
			       s->neighbours, s->routes, s->installed, s->xroutes, s->sources);
		return;
	}
	ctl_out_printf(o, "{\"kind\":\"status\",\"router_id\":\"%s\",\"seqno\":%u,\"version\":", rid,
		       s->seqno);
	ctl_json_string(o, s->version);
	ctl_out_printf(o, ",\"host\":");
	ctl_json_string(o, s->host);
	ctl_out_printf(o,
		       ",\"uptime_s\":%" PRIu64 ",\"interfaces\":%zu,\"neighbours\":%zu"
		       ",\"routes\":%zu,\"installed\":%zu,\"xroutes\":%zu,\"sources\":%zu}\n",
		       s->uptime_ms / 1000, s->interfaces, s->neighbours, s->routes, s->installed,
		       s->xroutes, s->sources);
}

void ctl_format_stats(struct ctl_out *o, enum ctl_dialect d, const struct engine_stats *st)
{
	const struct {
		const char *name;
		uint64_t v;
	} f[] = {
		{ "packets_in", st->packets_in },
		{ "packets_out", st->packets_out },
		{ "packets_dropped", st->packets_dropped },
		{ "bytes_out", st->bytes_out },
		{ "tlvs_malformed", st->tlvs_malformed },
		{ "tlvs_ignored", st->tlvs_ignored },
		{ "updates_in", st->updates_in },
		{ "updates_unfeasible", st->updates_unfeasible },
		{ "updates_filtered", st->updates_filtered },
		{ "seqno_requests_forwarded", st->seqno_requests_forwarded },
		{ "seqno_requests_suppressed", st->seqno_requests_suppressed },
		{ "acks_resent", st->acks_resent },
		{ "acks_given_up", st->acks_given_up },
		{ "fib_changes", st->fib_changes },
		{ "bytes_in", st->bytes_in },
	};
	ctl_out_printf(o, d == CTL_JSON ? "{\"kind\":\"stats\"" : "stats");
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (d == CTL_JSON)
			ctl_out_printf(o, ",\"%s\":%" PRIu64, f[i].name, f[i].v);
		else
			ctl_out_printf(o, " %s %" PRIu64, f[i].name, f[i].v);
	}
	/* packets_dropped by reason, flat: "drop_not_link_local" ... */
	for (unsigned k = 0; k < ENGINE_DROP_COUNT; k++) {
		const char *n = engine_drop_name((enum engine_drop)k);
		if (d == CTL_JSON)
			ctl_out_printf(o, ",\"drop_%s\":%" PRIu64, n, st->drops[k]);
		else
			ctl_out_printf(o, " drop_%s %" PRIu64, n, st->drops[k]);
	}
	ctl_out_printf(o, d == CTL_JSON ? "}\n" : "\n");
}

/* ------------------------------------------------------------ dumps */

struct dump_ctx {
	struct ctl_out *o;
	enum ctl_dialect d;
	ctl_counters_fn *counters;
	void *counters_arg;
};

static void dump_if(void *arg, const struct engine_if_info *i)
{
	struct dump_ctx *c = arg;
	struct ctl_if_counters cnt;
	bool have = c->counters && c->counters(c->counters_arg, i->ifindex, &cnt);
	ctl_format_interface(c->o, c->d, CTL_ADD, i, true, have ? &cnt : NULL);
}

static void dump_nb(void *arg, const struct engine_neighbour_info *n)
{
	struct dump_ctx *c = arg;
	ctl_format_neighbour(c->o, c->d, CTL_ADD, n);
}

static void dump_rt(void *arg, const struct engine_route_info *r)
{
	struct dump_ctx *c = arg;
	ctl_format_route(c->o, c->d, CTL_ADD, r);
}

static void dump_xr(void *arg, const struct engine_xroute_info *x)
{
	struct dump_ctx *c = arg;
	ctl_format_xroute(c->o, c->d, CTL_ADD, x);
}

static void dump_src(void *arg, const struct engine_source_info *s)
{
	struct dump_ctx *c = arg;
	ctl_format_source(c->o, c->d, CTL_ADD, s);
}

void ctl_format_dump(struct ctl_out *o, enum ctl_dialect d, unsigned what,
		     const struct engine *e, uint64_t now_ms, const struct ctl_greeting *g,
		     ctl_counters_fn *counters, void *counters_arg)
{
	struct dump_ctx c = { o, d, counters, counters_arg };
	if ((what & CTL_DUMP_ROUTER) && d == CTL_JSON && g) {
		char rid[24];
		ctl_format_router_id(g->router_id, rid);
		ctl_out_printf(o, "{\"verb\":\"add\",\"kind\":\"router\",\"router_id\":\"%s\",\"seqno\":%u,\"version\":",
			       rid, engine_seqno(e));
		ctl_json_string(o, g->version);
		ctl_out_printf(o, ",\"host\":");
		ctl_json_string(o, g->host);
		ctl_out_printf(o, "}\n");
	}
	if (what & CTL_DUMP_INTERFACES)
		engine_foreach_interface(e, dump_if, &c);
	if (what & CTL_DUMP_NEIGHBOURS)
		engine_foreach_neighbour(e, now_ms, dump_nb, &c);
	if (what & CTL_DUMP_XROUTES)
		engine_foreach_xroute(e, dump_xr, &c);
	if (what & CTL_DUMP_ROUTES)
		engine_foreach_route(e, now_ms, dump_rt, &c);
	if (what & CTL_DUMP_SOURCES)
		engine_foreach_source(e, now_ms, dump_src, &c);
}

/* ------------------------------------------------------------ metrics */

/* A label value: backslash, quote and newline escaped (the text format's
 * only escapes), other bytes as they are. */
static void prom_lv(struct ctl_out *o, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			ctl_out_append(o, "\\", 1);
		if (*p == '\n')
			ctl_out_append(o, "\\n", 2);
		else
			ctl_out_append(o, p, 1);
	}
}

static void prom_family(struct ctl_out *o, const char *name, const char *type, const char *help)
{
	ctl_out_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One family with one unlabelled sample. */
static void prom_one(struct ctl_out *o, const char *name, const char *type, const char *help,
		     uint64_t v)
{
	prom_family(o, name, type, help);
	ctl_out_printf(o, "%s %" PRIu64 "\n", name, v);
}

struct prom_ctx {
	struct ctl_out *o;
	unsigned what;
	ctl_counters_fn *counters;
	void *counters_arg;
	size_t routes[5];
};

enum { PROM_NB_COST, PROM_NB_RXCOST, PROM_NB_TXCOST, PROM_NB_RTT };

static void prom_nb(void *arg, const struct engine_neighbour_info *n)
{
	struct prom_ctx *c = arg;
	if (c->what == PROM_NB_RTT && !n->rtt_valid)
		return;
	char a[64];
	ctl_format_addr(&n->addr, a, sizeof(a));
	static const char *const names[] = { "maille_neighbour_cost", "maille_neighbour_rxcost",
					     "maille_neighbour_txcost",
					     "maille_neighbour_rtt_seconds" };
	ctl_out_printf(c->o, "%s{interface=\"", names[c->what]);
	prom_lv(c->o, n->ifname);
	ctl_out_printf(c->o, "\",address=\"%s\"} ", a);
	switch (c->what) {
	case PROM_NB_COST:
		ctl_out_printf(c->o, "%u\n", n->cost);
		break;
	case PROM_NB_RXCOST:
		ctl_out_printf(c->o, "%u\n", n->rxcost);
		break;
	case PROM_NB_TXCOST:
		ctl_out_printf(c->o, "%u\n", n->txcost);
		break;
	default:
		ctl_out_printf(c->o, "%u.%06u\n", n->rtt_us / 1000000u, n->rtt_us % 1000000u);
		break;
	}
}

enum {
	PROM_IF_NEIGHBOURS,
	PROM_IF_PACKETS,
	PROM_IF_BYTES,
	PROM_IF_TLVS,
	PROM_IF_BAD_TLVS,
	PROM_IF_DROPS,
	PROM_IF_ERRORS,
};

static void prom_if_label(struct ctl_out *o, const char *name, const struct engine_if_info *i)
{
	ctl_out_printf(o, "%s{interface=\"", name);
	prom_lv(o, i->name);
	ctl_out_append(o, "\"", 1);
}

static void prom_if(void *arg, const struct engine_if_info *i)
{
	struct prom_ctx *c = arg;
	struct ctl_out *o = c->o;
	const struct engine_if_counters *k = i->counters;
	static const struct engine_if_counters none;
	if (!k)
		k = &none;
	switch (c->what) {
	case PROM_IF_NEIGHBOURS:
		prom_if_label(o, "maille_interface_neighbours", i);
		ctl_out_printf(o, "} %zu\n", i->neighbours);
		break;
	case PROM_IF_PACKETS:
	case PROM_IF_BYTES: {
		const char *n = c->what == PROM_IF_PACKETS ? "maille_interface_packets_total"
							   : "maille_interface_bytes_total";
		uint64_t in = c->what == PROM_IF_PACKETS ? k->packets_in : k->bytes_in;
		uint64_t out = c->what == PROM_IF_PACKETS ? k->packets_out : k->bytes_out;
		prom_if_label(o, n, i);
		ctl_out_printf(o, ",direction=\"in\"} %" PRIu64 "\n", in);
		prom_if_label(o, n, i);
		ctl_out_printf(o, ",direction=\"out\"} %" PRIu64 "\n", out);
		break;
	}
	case PROM_IF_TLVS:
		for (int dir = 0; dir < 2; dir++) {
			const uint64_t *v = dir ? k->tlvs_out : k->tlvs_in;
			uint64_t unknown = 0;
			/* Every named type, zeros included, so that a rate
			 * exists from the first scrape; unassigned types
			 * together as "unknown". */
			for (unsigned s = 0; s < ENGINE_TLV_SLOTS; s++) {
				const char *tn = engine_tlv_name(s);
				if (!tn) {
					unknown += v[s];
					continue;
				}
				prom_if_label(o, "maille_interface_tlvs_total", i);
				ctl_out_printf(o, ",direction=\"%s\",tlv=\"%s\"} %" PRIu64 "\n",
					       dir ? "out" : "in", tn, v[s]);
			}
			prom_if_label(o, "maille_interface_tlvs_total", i);
			ctl_out_printf(o, ",direction=\"%s\",tlv=\"unknown\"} %" PRIu64 "\n",
				       dir ? "out" : "in", unknown);
		}
		break;
	case PROM_IF_BAD_TLVS:
		prom_if_label(o, "maille_interface_tlvs_dropped_total", i);
		ctl_out_printf(o, ",reason=\"malformed\"} %" PRIu64 "\n", k->tlvs_malformed);
		prom_if_label(o, "maille_interface_tlvs_dropped_total", i);
		ctl_out_printf(o, ",reason=\"ignored\"} %" PRIu64 "\n", k->tlvs_ignored);
		break;
	case PROM_IF_DROPS:
		for (unsigned d = 0; d < ENGINE_DROP_COUNT; d++) {
			if (d == ENGINE_DROP_UNKNOWN_INTERFACE)
				continue; /* no interface to charge it to */
			prom_if_label(o, "maille_interface_packets_dropped_total", i);
			ctl_out_printf(o, ",reason=\"%s\"} %" PRIu64 "\n",
				       engine_drop_name((enum engine_drop)d), k->drops[d]);
		}
		break;
	case PROM_IF_ERRORS: {
		struct ctl_if_counters cnt;
		if (!c->counters || !c->counters(c->counters_arg, i->ifindex, &cnt))
			break;
		prom_if_label(o, "maille_interface_errors_total", i);
		ctl_out_printf(o, ",direction=\"in\"} %" PRIu64 "\n", cnt.errors_in);
		prom_if_label(o, "maille_interface_errors_total", i);
		ctl_out_printf(o, ",direction=\"out\"} %" PRIu64 "\n", cnt.errors_out);
		break;
	}
	}
}

static void prom_rt(void *arg, const struct engine_route_info *r)
{
	struct prom_ctx *c = arg;
	c->routes[0]++;
	if (r->installed)
		c->routes[1]++;
	if (r->selected)
		c->routes[2]++;
	if (r->feasible)
		c->routes[3]++;
	else
		c->routes[4]++;
}

static const char *const fib_op_names[3] = { [FIB_ADD] = "add", [FIB_REPLACE] = "replace",
					      [FIB_REMOVE] = "remove" };

void ctl_format_metrics(struct ctl_out *o, const struct engine *e, uint64_t now_ms,
			const struct ctl_status *s, const struct ctl_edge_counters *edge,
			ctl_counters_fn *counters, void *counters_arg)
{
	struct prom_ctx c = { .o = o, .counters = counters, .counters_arg = counters_arg };
	char rid[24];
	ctl_format_router_id(s->router_id, rid);
	prom_family(o, "maille_info", "gauge", "mailled's identity.");
	ctl_out_printf(o, "maille_info{router_id=\"%s\",version=\"", rid);
	prom_lv(o, s->version);
	ctl_out_printf(o, "\"} 1\n");
	prom_one(o, "maille_seqno", "gauge", "Our current sequence number.", s->seqno);
	prom_one(o, "maille_uptime_seconds", "gauge", "Time since mailled started.",
		 s->uptime_ms / 1000);
	prom_one(o, "maille_interfaces", "gauge", "Interfaces Babel runs on.", s->interfaces);
	prom_one(o, "maille_neighbours", "gauge", "Neighbours.", s->neighbours);
	prom_one(o, "maille_xroutes", "gauge", "Routes we originate.", s->xroutes);
	prom_one(o, "maille_sources", "gauge", "Entries of the source table.", s->sources);

	engine_foreach_route(e, now_ms, prom_rt, &c);
	prom_family(o, "maille_routes", "gauge", "Routes learnt from neighbours, by state.");
	static const char *const states[5] = { "all", "installed", "selected", "feasible",
					       "unfeasible" };
	for (int k = 0; k < 5; k++)
		ctl_out_printf(o, "maille_routes{state=\"%s\"} %zu\n", states[k], c.routes[k]);

	static const struct {
		const char *name, *type, *help;
	} nbf[] = {
		[PROM_NB_COST] = { "maille_neighbour_cost", "gauge", "Link cost to each neighbour." },
		[PROM_NB_RXCOST] = { "maille_neighbour_rxcost", "gauge",
				     "Cost we advertise in IHUs." },
		[PROM_NB_TXCOST] = { "maille_neighbour_txcost", "gauge",
				     "Cost the neighbour advertises." },
		[PROM_NB_RTT] = { "maille_neighbour_rtt_seconds", "gauge",
				  "Smoothed RTT (RFC 9616)." },
	};
	for (unsigned k = 0; k < sizeof(nbf) / sizeof(nbf[0]); k++) {
		prom_family(o, nbf[k].name, nbf[k].type, nbf[k].help);
		c.what = k;
		engine_foreach_neighbour(e, now_ms, prom_nb, &c);
	}

	static const struct {
		const char *name, *type, *help;
	} iff[] = {
		[PROM_IF_NEIGHBOURS] = { "maille_interface_neighbours", "gauge",
					 "Neighbours per interface." },
		[PROM_IF_PACKETS] = { "maille_interface_packets_total", "counter",
				      "Babel packets per interface and direction." },
		[PROM_IF_BYTES] = { "maille_interface_bytes_total", "counter",
				    "Octets of Babel packets (UDP payload) per interface and direction." },
		[PROM_IF_TLVS] = { "maille_interface_tlvs_total", "counter",
				   "TLVs per interface, direction and type (received: all, even those "
				   "then dropped)." },
		[PROM_IF_BAD_TLVS] = { "maille_interface_tlvs_dropped_total", "counter",
				       "Received TLVs skipped, by reason." },
		[PROM_IF_DROPS] = { "maille_interface_packets_dropped_total", "counter",
				    "Received packets the engine dropped whole, by reason." },
		[PROM_IF_ERRORS] = { "maille_interface_errors_total", "counter",
				     "Socket errors per interface and direction." },
	};
	for (unsigned k = 0; k < sizeof(iff) / sizeof(iff[0]); k++) {
		if (k == PROM_IF_ERRORS && !counters)
			continue;
		prom_family(o, iff[k].name, iff[k].type, iff[k].help);
		c.what = k;
		engine_foreach_interface(e, prom_if, &c);
	}

	struct engine_stats st;
	engine_get_stats(e, &st);
	const struct {
		const char *name, *help;
		uint64_t v;
	} tot[] = {
		{ "maille_packets_received_total", "Babel packets received.", st.packets_in },
		{ "maille_packets_sent_total", "Babel packets sent.", st.packets_out },
		{ "maille_bytes_received_total", "Octets of Babel packets received.", st.bytes_in },
		{ "maille_bytes_sent_total", "Octets of Babel packets sent.", st.bytes_out },
		{ "maille_updates_received_total", "Update TLVs received.", st.updates_in },
		{ "maille_route_changes_total",
		  "Route additions, replacements and removals the engine asked of the kernel edge.",
		  st.fib_changes },
		{ "maille_seqno_requests_forwarded_total", "Seqno requests forwarded.",
		  st.seqno_requests_forwarded },
		{ "maille_acks_resent_total", "Ack requests sent again.", st.acks_resent },
	};
	for (size_t k = 0; k < sizeof(tot) / sizeof(tot[0]); k++)
		prom_one(o, tot[k].name, "counter", tot[k].help, tot[k].v);

	/* Packets dropped, wherever: the engine's reasons and the UDP edge's.
	 * A reason both have (a source that is not link-local) is one
	 * series, their sum. */
	struct {
		const char *reason;
		uint64_t v;
	} drops[ENGINE_DROP_COUNT + CTL_EDGE_MAX];
	size_t nd = 0;
	for (unsigned d = 0; d < ENGINE_DROP_COUNT; d++) {
		drops[nd].reason = engine_drop_name((enum engine_drop)d);
		drops[nd++].v = st.drops[d];
	}
	for (size_t k = 0; edge && k < edge->ndrops && k < CTL_EDGE_MAX; k++) {
		size_t j = 0;
		while (j < nd && strcmp(drops[j].reason, edge->drops[k].reason) != 0)
			j++;
		if (j == nd) {
			drops[nd].reason = edge->drops[k].reason;
			drops[nd++].v = 0;
		}
		drops[j].v += edge->drops[k].value;
	}
	prom_family(o, "maille_packets_dropped_total", "counter",
		    "Received packets dropped whole, by reason (UDP edge and engine).");
	for (size_t k = 0; k < nd; k++)
		ctl_out_printf(o, "maille_packets_dropped_total{reason=\"%s\"} %" PRIu64 "\n",
			       drops[k].reason, drops[k].v);
	prom_family(o, "maille_tlvs_dropped_total", "counter", "Received TLVs skipped, by reason.");
	ctl_out_printf(o,
		       "maille_tlvs_dropped_total{reason=\"malformed\"} %" PRIu64 "\n"
		       "maille_tlvs_dropped_total{reason=\"ignored\"} %" PRIu64 "\n",
		       st.tlvs_malformed, st.tlvs_ignored);
	prom_family(o, "maille_updates_refused_total", "counter",
		    "Received updates not used, by reason.");
	ctl_out_printf(o,
		       "maille_updates_refused_total{reason=\"unfeasible\"} %" PRIu64 "\n"
		       "maille_updates_refused_total{reason=\"filtered\"} %" PRIu64 "\n",
		       st.updates_unfeasible, st.updates_filtered);
	prom_one(o, "maille_seqno_requests_suppressed_total", "counter",
		 "Seqno requests not forwarded: duplicates of one in flight.",
		 st.seqno_requests_suppressed);
	prom_one(o, "maille_acks_given_up_total", "counter",
		 "Ack requests that got no answer after every resend.", st.acks_given_up);
	if (!edge)
		return;
	prom_one(o, "maille_send_errors_total", "counter", "Babel packets the socket refused.",
		 edge->send_errors);
	if (!edge->have_kernel)
		return;
	prom_family(o, "maille_kernel_route_operations_total", "counter",
		    "Route messages sent to the kernel, by operation.");
	for (int k = 0; k < 3; k++)
		ctl_out_printf(o, "maille_kernel_route_operations_total{op=\"%s\"} %" PRIu64 "\n",
			       fib_op_names[k], edge->kernel_ops[k]);
	prom_family(o, "maille_kernel_route_errors_total", "counter",
		    "Route messages the kernel refused, by operation and reason.");
	for (size_t k = 0; k < edge->nkernel_errors && k < CTL_EDGE_MAX; k++) {
		const struct ctl_edge_counter *x = &edge->kernel_errors[k];
		ctl_out_printf(o, "maille_kernel_route_errors_total{op=\"%s\",reason=\"%s\"} %" PRIu64
			       "\n", x->op, x->reason, x->value);
	}
	prom_one(o, "maille_kernel_route_send_failures_total", "counter",
		 "Batches of route messages the netlink socket refused.", edge->kernel_send_failures);
	prom_one(o, "maille_kernel_route_resyncs_total", "counter",
		 "Times the kernel's answers were lost and every route was sent again.",
		 edge->kernel_resyncs);
	prom_one(o, "maille_kernel_routes_unsupported_total", "counter",
		 "Routes the kernel cannot hold (IPv4 source-specific), never sent.",
		 edge->kernel_unsupported);
}
