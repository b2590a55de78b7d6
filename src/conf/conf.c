/* struct conf: life cycle, comparison, effective interface settings. */
#include "src/conf/conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void conf_radio_init(struct conf_radio *r)
{
	memset(r, 0, sizeof(*r));
	r->txdelay_ms = r->persist = r->slottime_ms = r->txtail_ms = -1;
}

int conf_kiss_format(const struct conf_kiss *k, char *buf, size_t cap)
{
	switch (k->kind) {
	case CONF_KISS_TCP:
		return snprintf(buf, cap, strchr(k->host, ':') ? "tcp:[%s]:%u" : "tcp:%s:%u", k->host,
				k->port);
	case CONF_KISS_SERIAL:
		if (k->speed)
			return snprintf(buf, cap, "serial:%s:%u", k->path, k->speed);
		return snprintf(buf, cap, "serial:%s", k->path);
	case CONF_KISS_NONE:
		break;
	}
	return snprintf(buf, cap, "none");
}

void conf_if_config_init(struct if_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->type = IF_TYPE_WIRED;
	cfg->split_horizon = OPT_DEFAULT;
	cfg->unicast = OPT_DEFAULT;
	cfg->link_quality = OPT_DEFAULT;
	cfg->enable_timestamps = OPT_DEFAULT;
	cfg->v4_via_v6 = OPT_DEFAULT;
}

void conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->export_table = CONF_DEFAULT_EXPORT_TABLE;
	c->kernel_protocol = CONF_DEFAULT_KERNEL_PROTOCOL;
	c->smoothing_half_life_s = CONF_DEFAULT_SMOOTHING_HALF_LIFE;
	/* Left NULL when out of memory; conf_print and the daemon then use
	 * the same defaults. */
	c->state_file = strdup(CONF_DEFAULT_STATE_FILE);
	c->control_socket = strdup(CONF_DEFAULT_CONTROL_SOCKET);
	conf_if_config_init(&c->defaults);
}

void conf_free(struct conf *c)
{
	free(c->state_file);
	free(c->log_file);
	free(c->control_socket);
	free(c->control_group);
	free(c->import_tables);
	free(c->interfaces);
	filter_set_free(&c->filters);
	for (size_t i = 0; i < c->n_errors; i++) {
		free(c->errors[i].file);
		free(c->errors[i].message);
	}
	free(c->errors);
	memset(c, 0, sizeof(*c));
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool conf_if_config_equal(const struct if_config *a, const struct if_config *b)
{
	return a->type == b->type && a->hello_interval_ms == b->hello_interval_ms &&
	       a->update_interval_ms == b->update_interval_ms && a->rxcost == b->rxcost &&
	       a->split_horizon == b->split_horizon && a->unicast == b->unicast &&
	       a->link_quality == b->link_quality && a->enable_timestamps == b->enable_timestamps &&
	       a->rtt_min_ms == b->rtt_min_ms && a->rtt_max_ms == b->rtt_max_ms &&
	       a->max_rtt_penalty == b->max_rtt_penalty && a->v4_via_v6 == b->v4_via_v6 &&
	       a->mtu == b->mtu && a->rate_bytes_per_s == b->rate_bytes_per_s;
}

bool conf_radio_equal(const struct conf_radio *a, const struct conf_radio *b)
{
	const struct conf_kiss *x = &a->kiss, *y = &b->kiss;
	return x->kind == y->kind && strcmp(x->host, y->host) == 0 && x->port == y->port &&
	       strcmp(x->path, y->path) == 0 && x->speed == y->speed &&
	       a->has_callsign == b->has_callsign &&
	       (!a->has_callsign || ax25_addr_equal(&a->callsign, &b->callsign)) &&
	       a->baud == b->baud && a->paclen == b->paclen && a->txdelay_ms == b->txdelay_ms &&
	       a->persist == b->persist && a->slottime_ms == b->slottime_ms &&
	       a->txtail_ms == b->txtail_ms && a->airtime_pct == b->airtime_pct &&
	       strcmp(a->pcap, b->pcap) == 0;
}

bool conf_equal(const struct conf *a, const struct conf *b)
{
	if (a->has_router_id != b->has_router_id ||
	    (a->has_router_id && memcmp(a->router_id, b->router_id, 8) != 0))
		return false;
	if (!str_eq(a->state_file, b->state_file) || !str_eq(a->log_file, b->log_file) ||
	    !str_eq(a->control_socket, b->control_socket) ||
	    !str_eq(a->control_group, b->control_group))
		return false;
	if (a->export_table != b->export_table || a->kernel_protocol != b->kernel_protocol ||
	    a->smoothing_half_life_s != b->smoothing_half_life_s || a->debug != b->debug)
		return false;
	if (a->n_import_tables != b->n_import_tables)
		return false;
	for (size_t i = 0; i < a->n_import_tables; i++)
		if (a->import_tables[i] != b->import_tables[i])
			return false;
	if (a->defaults_has_type != b->defaults_has_type || !conf_if_config_equal(&a->defaults, &b->defaults))
		return false;
	if (a->n_interfaces != b->n_interfaces)
		return false;
	for (size_t i = 0; i < a->n_interfaces; i++) {
		const struct conf_interface *x = &a->interfaces[i], *y = &b->interfaces[i];
		if (strncmp(x->name, y->name, CONF_IFNAME_MAX) != 0 || x->has_type != y->has_type ||
		    !conf_if_config_equal(&x->cfg, &y->cfg) || !conf_radio_equal(&x->radio, &y->radio))
			return false;
	}
	for (int k = 0; k < FILTER_KINDS; k++)
		if (!filter_kind_equal(&a->filters, &b->filters, (enum filter_kind)k))
			return false;
	return true;
}

static enum opt_bool pick_bool(enum opt_bool own, enum opt_bool dflt)
{
	return own == OPT_DEFAULT ? dflt : own;
}

static uint32_t pick_u32(uint32_t own, uint32_t dflt)
{
	return own ? own : dflt;
}

struct if_config conf_interface_config(const struct conf *c, const struct conf_interface *i)
{
	const struct if_config *d = &c->defaults, *o = &i->cfg;
	struct if_config r = *o;
	if (!i->has_type && c->defaults_has_type)
		r.type = d->type;
	r.hello_interval_ms = pick_u32(o->hello_interval_ms, d->hello_interval_ms);
	r.update_interval_ms = pick_u32(o->update_interval_ms, d->update_interval_ms);
	r.rxcost = (uint16_t)pick_u32(o->rxcost, d->rxcost);
	r.split_horizon = pick_bool(o->split_horizon, d->split_horizon);
	r.unicast = pick_bool(o->unicast, d->unicast);
	r.link_quality = pick_bool(o->link_quality, d->link_quality);
	r.enable_timestamps = pick_bool(o->enable_timestamps, d->enable_timestamps);
	r.rtt_min_ms = pick_u32(o->rtt_min_ms, d->rtt_min_ms);
	r.rtt_max_ms = pick_u32(o->rtt_max_ms, d->rtt_max_ms);
	r.max_rtt_penalty = (uint16_t)pick_u32(o->max_rtt_penalty, d->max_rtt_penalty);
	r.v4_via_v6 = pick_bool(o->v4_via_v6, d->v4_via_v6);
	r.mtu = (uint16_t)pick_u32(o->mtu, d->mtu);
	r.rate_bytes_per_s = pick_u32(o->rate_bytes_per_s, d->rate_bytes_per_s);
	return r;
}

void conf_print_errors(const struct conf *c, FILE *out)
{
	for (size_t i = 0; i < c->n_errors; i++)
		fprintf(out, "%s:%u:%u: %s\n", c->errors[i].file ? c->errors[i].file : "?",
			c->errors[i].line, c->errors[i].column,
			c->errors[i].message ? c->errors[i].message : "out of memory");
}
