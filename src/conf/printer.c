/* conf_print: the normalised text of a configuration (conf.h says which). */
#include "src/conf/conf.h"
#include "src/conf/lexer.h"

#include <string.h>

static void put_string(FILE *out, const char *s)
{
	if (lex_is_plain_word(s)) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void put_id(FILE *out, const uint8_t id[8])
{
	fprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", id[0], id[1], id[2], id[3], id[4],
		id[5], id[6], id[7]);
}

static void put_seconds(FILE *out, const char *kw, uint32_t ms)
{
	if (!ms)
		return;
	if (ms % 1000 == 0)
		fprintf(out, " %s %u", kw, ms / 1000);
	else if (ms % 100 == 0)
		fprintf(out, " %s %u.%u", kw, ms / 1000, ms % 1000 / 100);
	else if (ms % 10 == 0)
		fprintf(out, " %s %u.%02u", kw, ms / 1000, ms % 1000 / 10);
	else
		fprintf(out, " %s %u.%03u", kw, ms / 1000, ms % 1000);
}

static void put_bool(FILE *out, const char *kw, enum opt_bool b)
{
	if (b == OPT_ON)
		fprintf(out, " %s true", kw);
	else if (b == OPT_OFF)
		fprintf(out, " %s false", kw);
}

static void put_uint(FILE *out, const char *kw, uint32_t v)
{
	if (v)
		fprintf(out, " %s %u", kw, v);
}

/* Whether the parameters set anything. */
static bool if_set(const struct if_config *c, bool has_type)
{
	return has_type || c->hello_interval_ms || c->update_interval_ms || c->rxcost ||
	       c->split_horizon != OPT_DEFAULT || c->unicast != OPT_DEFAULT ||
	       c->link_quality != OPT_DEFAULT || c->enable_timestamps != OPT_DEFAULT ||
	       c->rtt_min_ms || c->rtt_max_ms || c->max_rtt_penalty || c->v4_via_v6 != OPT_DEFAULT;
}

static void put_if_params(FILE *out, const struct if_config *c, bool has_type)
{
	static const char *const types[] = {"wired", "wireless", "tunnel", "ax25"};
	if (has_type && (unsigned)c->type < 4)
		fprintf(out, " type %s", types[c->type]);
	put_seconds(out, "hello-interval", c->hello_interval_ms);
	put_seconds(out, "update-interval", c->update_interval_ms);
	put_uint(out, "rxcost", c->rxcost);
	put_bool(out, "split-horizon", c->split_horizon);
	put_bool(out, "unicast", c->unicast);
	put_bool(out, "link-quality", c->link_quality);
	put_bool(out, "enable-timestamps", c->enable_timestamps);
	put_uint(out, "rtt-min", c->rtt_min_ms);
	put_uint(out, "rtt-max", c->rtt_max_ms);
	put_uint(out, "max-rtt-penalty", c->max_rtt_penalty);
	put_bool(out, "v4-via-v6", c->v4_via_v6);
}

static void put_radio(FILE *out, const struct conf_radio *r)
{
	if (r->kiss.kind != CONF_KISS_NONE) {
		char buf[CONF_HOST_MAX + CONF_PATH_MAX + 32];
		conf_kiss_format(&r->kiss, buf, sizeof(buf));
		fputs(" kiss ", out);
		put_string(out, buf);
	}
	if (r->has_callsign) {
		char call[AX25_ADDR_TEXT_MAX];
		ax25_addr_format(&r->callsign, call, sizeof(call));
		fprintf(out, " callsign %s", call);
	}
	put_uint(out, "baud", r->baud);
	put_uint(out, "paclen", r->paclen);
	if (r->txdelay_ms >= 0)
		fprintf(out, " txdelay %d", (int)r->txdelay_ms);
	if (r->persist >= 0)
		fprintf(out, " persist %d", (int)r->persist);
	if (r->slottime_ms >= 0)
		fprintf(out, " slottime %d", (int)r->slottime_ms);
	if (r->txtail_ms >= 0)
		fprintf(out, " txtail %d", (int)r->txtail_ms);
	put_uint(out, "airtime", r->airtime_pct);
	if (r->pcap[0]) {
		fputs(" pcap ", out);
		put_string(out, r->pcap);
	}
}

static void put_prefix(FILE *out, const char *kw, const struct prefix *p)
{
	char buf[PREFIX_STRLEN];
	prefix_format(p, buf, sizeof(buf));
	fprintf(out, " %s %s", kw, buf);
}

static void put_plen(FILE *out, const char *kw, int16_t v)
{
	if (v >= 0)
		fprintf(out, " %s %d", kw, v);
}

static void put_rule(FILE *out, const char *kind, const struct filter_rule *r)
{
	fputs(kind, out);
	if (r->has_prefix)
		put_prefix(out, "ip", &r->prefix);
	put_plen(out, "eq", r->plen_eq);
	put_plen(out, "le", r->plen_le);
	put_plen(out, "ge", r->plen_ge);
	if (r->has_src)
		put_prefix(out, "src-ip", &r->src);
	put_plen(out, "src-eq", r->src_eq);
	put_plen(out, "src-le", r->src_le);
	put_plen(out, "src-ge", r->src_ge);
	if (r->proto >= 0)
		fprintf(out, " proto %d", r->proto);
	if (r->local)
		fputs(" local", out);
	if (r->has_ifname) {
		char name[FILTER_IFNAME_MAX + 1];
		memcpy(name, r->ifname, FILTER_IFNAME_MAX);
		name[FILTER_IFNAME_MAX] = '\0';
		fputs(" if ", out);
		put_string(out, name);
	}
	if (r->has_neighbour) {
		struct prefix p = {.family = PREFIX_FAMILY_IPV6, .plen = 128};
		char buf[PREFIX_STRLEN];
		memcpy(p.addr, r->neighbour, 16);
		prefix_format_addr(&p, buf, sizeof(buf));
		fprintf(out, " neigh %s", buf);
	}
	if (r->has_id) {
		fputs(" id ", out);
		put_id(out, r->id);
	}
	switch (r->action) {
	case FILTER_ALLOW:
		fputs(" allow", out);
		break;
	case FILTER_DENY:
		fputs(" deny", out);
		break;
	case FILTER_METRIC:
		fprintf(out, " metric %u", r->metric);
		break;
	case FILTER_SRC_PREFIX:
		put_prefix(out, "src-prefix", &r->src_prefix);
		break;
	}
	fputc('\n', out);
}

int conf_print(const struct conf *c, FILE *out)
{
	if (c->has_router_id) {
		fputs("router-id ", out);
		put_id(out, c->router_id);
		fputc('\n', out);
	}
	fputs("state-file ", out);
	put_string(out, c->state_file ? c->state_file : CONF_DEFAULT_STATE_FILE);
	fputc('\n', out);
	if (c->log_file) {
		fputs("log-file ", out);
		put_string(out, c->log_file);
		fputc('\n', out);
	}
	fprintf(out, "debug %d\n", c->debug);
	fprintf(out, "export-table %u\n", c->export_table);
	for (size_t i = 0; i < c->n_import_tables; i++)
		fprintf(out, "import-table %u\n", c->import_tables[i]);
	fprintf(out, "kernel-protocol %u\n", c->kernel_protocol);
	fprintf(out, "smoothing-half-life %u\n", c->smoothing_half_life_s);
	fputs("control-socket ", out);
	put_string(out, c->control_socket ? c->control_socket : CONF_DEFAULT_CONTROL_SOCKET);
	fputc('\n', out);
	if (c->control_group) {
		fputs("control-group ", out);
		put_string(out, c->control_group);
		fputc('\n', out);
	}
	if (if_set(&c->defaults, c->defaults_has_type)) {
		fputs("default", out);
		put_if_params(out, &c->defaults, c->defaults_has_type);
		fputc('\n', out);
	}
	for (size_t i = 0; i < c->n_interfaces; i++) {
		const struct conf_interface *ifc = &c->interfaces[i];
		char name[CONF_IFNAME_MAX + 1];
		memcpy(name, ifc->name, CONF_IFNAME_MAX);
		name[CONF_IFNAME_MAX] = '\0';
		fputs("interface ", out);
		put_string(out, name);
		put_if_params(out, &ifc->cfg, ifc->has_type);
		if (ifc->cfg.type == IF_TYPE_AX25)
			put_radio(out, &ifc->radio);
		fputc('\n', out);
	}
	static const char *const kinds[] = {"in", "out", "redistribute", "install"};
	for (int k = 0; k < FILTER_KINDS; k++)
		for (size_t i = 0; i < c->filters.n[k]; i++)
			put_rule(out, kinds[k], &c->filters.rules[k][i]);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
