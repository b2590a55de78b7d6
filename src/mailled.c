/* mailled: the Babel daemon.  Reads the config, builds the engine and wires
 * the Linux edges (src/sys/) to it: UDP in and out, interfaces and
 * addresses from rtnetlink, routes to rtnetlink, the state file, signals.
 * All protocol decisions are the engine's. */
#include <errno.h>
#include <getopt.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "config.h"
#include "src/conf/conf.h"
#include "src/core/engine.h"
#include "src/sys/control_socket.h"
#include "src/sys/kernel_import.h"
#include "src/sys/log.h"
#include "src/sys/loop.h"
#include "src/sys/netlink_link.h"
#include "src/sys/netlink_route.h"
#include "src/sys/radio_data.h"
#include "src/sys/radio_iface.h"
#include "src/sys/state.h"
#include "src/sys/udp.h"

#define DEFAULT_CONFIG "/etc/maille/mailled.conf"
#define DEFAULT_STATE "/var/lib/maille/state"
#define DEFAULT_CONTROL "/run/maille/mailled.sock"

/* A configured interface as the kernel shows it. */
struct dif {
	const struct conf_interface *ci;
	uint32_t ifindex; /* 0: does not exist (yet) */
	bool up;
	bool has_ll;
	struct link_addr ll;
	bool has_v4; /* an IPv4 address: the next hop of our IPv4 routes on it */
	uint8_t v4[4];
	/* Every IPv4 address it has (the first few): when the one in v4 goes,
	 * another takes over, rather than none until the next is added. */
	uint8_t v4s[8][4];
	size_t n_v4s;
	/* What the engine was told. */
	bool in_engine;
	uint32_t e_ifindex;
	struct link_addr e_ll;
	bool admin_down; /* maillectl interface IF down */
	bool fresh;      /* just added by a reload */
	/* type ax25: Babel over its TNC, not UDP; ll is the callsign's. */
	struct radio_iface *radio;
	struct loop_fd *radio_w;
	struct radio_data *data; /* its TUN device and tables */
	struct loop_fd *tun_w;
};

struct daemon {
	struct conf conf;
	struct engine *e;
	struct loop *loop;
	struct udp udp;
	struct netlink_link nll;
	struct netlink_route nlr;
	struct kernel_import ki;
	bool nll_open;
	struct dif **ifs; /* each on its own: watchers hold pointers to them */
	size_t n_ifs;
	struct state st;
	const char *state_path;
	uint16_t saved_seqno;
	struct control_socket *cs;
	uint64_t seed;
	/* Where the configuration comes from, read again on reload: the
	 * files, the -C statements, the interfaces named on the command
	 * line, then the statements given on the control socket. */
	const char **files, **stmts;
	size_t n_files, n_stmts;
	char **argifs;
	size_t n_argifs;
	char **runtime;
	size_t n_runtime;
	int debug_arg; /* -d, which the config's debug does not override; -1 none */
	bool resyncing; /* a reload is reading the kernel's state again */
	char cwd[4096]; /* where mailled started ("" unknown) */
};

static struct daemon D;

/* ------------------------------------------------------------ engine ops */

static struct dif *dif_by_index(struct daemon *d, uint32_t ifindex);

static void op_send(void *ctx, uint32_t ifindex, const struct link_addr *to, const uint8_t *buf,
		    size_t len)
{
	struct daemon *d = ctx;
	/* From the address the engine announced itself with (the Hellos'
	 * and IHUs' addresses must agree), not whichever the kernel picks. */
	const struct dif *f = dif_by_index(d, ifindex);
	const struct link_addr *from = f && f->in_engine && f->e_ifindex == ifindex ? &f->e_ll : NULL;
	udp_send(&d->udp, ifindex, from, to, buf, len, loop_now_ms());
}

static void op_route_change(void *ctx, const struct fib_change *c, size_t n)
{
	struct daemon *d = ctx;
	if (log_enabled(LOG_L_DEBUG)) {
		for (size_t i = 0; i < n; i++) {
			char k[ROUTE_KEY_STRLEN];
			route_key_format(&c[i].key, k, sizeof(k));
			log_debug("route %s %s ifindex %u metric %u",
				  c[i].op == FIB_ADD ? "add" : c[i].op == FIB_REPLACE ? "replace" : "remove",
				  k, c[i].ifindex, c[i].metric);
		}
	}
	netlink_route_apply(&d->nlr, c, n);
	for (size_t i = 0; i < d->n_ifs; i++)
		if (d->ifs[i]->data)
			radio_data_routes(d->ifs[i]->data, c, n);
}

static void save_state(struct daemon *d)
{
	if (!d->e)
		return;
	d->st.has_seqno = true;
	d->st.seqno = engine_seqno(d->e);
	if (state_write(d->state_path, &d->st) == 0)
		d->saved_seqno = d->st.seqno;
}

static void op_notify(void *ctx, const struct engine_event *ev)
{
	struct daemon *d = ctx;
	if (ev->kind == EV_SEQNO_CHANGE)
		save_state(d);
	struct engine_neighbour_info nb;
	if (ev->kind != EV_NEIGHBOUR_CHANGE && engine_event_neighbour(ev, &nb)) {
		/* Operators read adjacencies coming and going in the log. */
		char a[PREFIX_STRLEN];
		struct prefix p;
		prefix_make(&p, PREFIX_FAMILY_IPV6, nb.addr.a, 128);
		prefix_format(&p, a, sizeof(a));
		a[strcspn(a, "/")] = '\0';
		if (ev->kind == EV_NEIGHBOUR_ADD)
			log_notice("neighbour %s on %s: heard", a, nb.ifname);
		else
			log_notice("neighbour %s on %s: lost", a, nb.ifname);
	}
	control_socket_event(d->cs, ev);
}

/* ------------------------------------------------------------ radio (type ax25) */

static void reconcile(struct daemon *d, struct dif *f);

static struct dif *dif_by_radio(struct daemon *d, const struct radio_iface *r)
{
	for (size_t i = 0; i < d->n_ifs; i++)
		if (d->ifs[i]->radio == r)
			return d->ifs[i];
	return NULL;
}

/* Babel packets for a radio interface go to its TNC, the rest over UDP. */
static void op_send_any(void *ctx, uint32_t ifindex, const struct link_addr *to,
			const uint8_t *buf, size_t len)
{
	struct daemon *d = ctx;
	for (size_t i = 0; i < d->n_ifs; i++) {
		struct dif *f = d->ifs[i];
		if (f->radio && f->in_engine && f->e_ifindex == ifindex) {
			radio_iface_send_babel(f->radio, to, buf, len, loop_now_ms());
			return;
		}
	}
	op_send(ctx, ifindex, to, buf, len);
}

static void radio_state(void *ctx, struct radio_iface *r, bool up, uint64_t now)
{
	(void)up;
	(void)now;
	struct daemon *d = ctx;
	struct dif *f = dif_by_radio(d, r);
	if (f)
		reconcile(d, f); /* down: neighbours go, routes move elsewhere */
}

static void radio_babel_in(void *ctx, struct radio_iface *r, const struct link_addr *from,
			   bool mcast, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct daemon *d = ctx;
	struct dif *f = dif_by_radio(d, r);
	if (f && f->in_engine)
		engine_receive(d->e, f->e_ifindex, from, mcast, pkt, len, now);
}

static void fd_radio(void *arg, int fd)
{
	(void)fd;
	struct dif *f = arg;
	radio_iface_readable(f->radio, loop_now_ms());
}

static void radio_watch(void *ctx, struct radio_iface *r, int fd)
{
	struct daemon *d = ctx;
	struct dif *f = dif_by_radio(d, r);
	if (!f)
		return;
	loop_del_fd(d->loop, f->radio_w);
	f->radio_w = fd >= 0 ? loop_add_fd(d->loop, fd, fd_radio, f) : NULL;
	if (fd >= 0 && !f->radio_w)
		log_error("interface %s: cannot watch the TNC", f->ci->name);
}

/* Data frames (IP, fragments) go to the data plane (radio_data.h). */
static void radio_data_in(void *ctx, struct radio_iface *r, const struct ax25_addr *src,
			  uint8_t pid, const uint8_t *info, size_t len)
{
	struct dif *f = dif_by_radio(ctx, r);
	if (f && f->data)
		radio_data_input(f->data, src, pid, info, len, r->now);
}

static const struct radio_iface_ops radio_ops = {radio_state, radio_babel_in, radio_watch,
						 radio_data_in};

static void fd_tun(void *arg, int fd)
{
	(void)fd;
	struct dif *f = arg;
	radio_data_readable(f->data, loop_now_ms());
}

/* Routes through a radio interface advertise an MSS that fits a frame. */
static uint32_t radio_route_advmss(void *ctx, uint32_t ifindex, uint8_t family)
{
	struct daemon *d = ctx;
	for (size_t i = 0; i < d->n_ifs; i++) {
		const struct dif *f = d->ifs[i];
		if (f->data && radio_data_ifindex(f->data) == ifindex)
			return radio_advmss(family, f->data->paclen);
	}
	return 0;
}

/* A radio interface's TNC link and TUN device; nothing for the others.
 * I tells interfaces apart in the seeds. */
static int radio_open(struct daemon *d, struct dif *f, size_t i)
{
	if (f->ci->cfg.type != IF_TYPE_AX25)
		return 0;
	f->radio = radio_iface_new(f->ci, &radio_ops, d, loop_now_ms(), d->seed + i);
	if (!f->radio)
		return -1;
	size_t paclen = f->ci->radio.paclen ? f->ci->radio.paclen : AX25_PACLEN_DEFAULT;
	f->data = radio_data_open(f->ci->name, &f->radio->ll, f->radio->link, paclen,
				  (uint16_t)(d->seed >> 16) + (uint16_t)(i * 4099));
	if (!f->data)
		return -1;
	f->tun_w = loop_add_fd(d->loop, radio_data_fd(f->data), fd_tun, f);
	if (!f->tun_w) {
		log_error("interface %s: cannot watch the TUN device", f->ci->name);
		return -1;
	}
	return 0;
}

static int radio_open_all(struct daemon *d)
{
	for (size_t i = 0; i < d->n_ifs; i++)
		if (radio_open(d, d->ifs[i], i) < 0)
			return -1;
	return 0;
}

static uint64_t radio_run_all(struct daemon *d, uint64_t now, uint64_t next)
{
	for (size_t i = 0; i < d->n_ifs; i++) {
		if (!d->ifs[i]->radio)
			continue;
		uint64_t t = radio_iface_run(d->ifs[i]->radio, now);
		if (t < next)
			next = t;
		t = d->ifs[i]->data ? radio_data_run(d->ifs[i]->data, now) : LOOP_NEVER;
		if (t < next)
			next = t;
	}
	return next;
}

/* After engine_run: what the engine just sent goes to the TNCs, and a TNC
 * that came or went gives the engine more to do at once. */
static uint64_t radio_tick(struct daemon *d, uint64_t now, uint64_t next)
{
	bool any = false;
	for (size_t i = 0; i < d->n_ifs; i++)
		any = any || d->ifs[i]->radio;
	if (!any)
		return next;
	next = radio_run_all(d, now, next);
	uint64_t again = engine_run(d->e, now);
	return radio_run_all(d, now, again < next ? again : next);
}

static void radio_close(struct daemon *d, struct dif *f)
{
	if (f->tun_w)
		loop_del_fd(d->loop, f->tun_w);
	f->tun_w = NULL;
	if (f->radio_w)
		loop_del_fd(d->loop, f->radio_w);
	f->radio_w = NULL;
	radio_data_close(f->data);
	f->data = NULL;
	radio_iface_free(f->radio);
	f->radio = NULL;
}

static void radio_close_all(struct daemon *d)
{
	for (size_t i = 0; d->ifs && i < d->n_ifs; i++)
		radio_close(d, d->ifs[i]);
}

static const struct engine_ops ops = {op_send_any, op_route_change, op_notify};

/* ------------------------------------------------------------ interfaces */

static struct dif *dif_by_name(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->n_ifs; i++)
		if (strcmp(d->ifs[i]->ci->name, name) == 0)
			return d->ifs[i];
	return NULL;
}

static struct dif *dif_by_index(struct daemon *d, uint32_t ifindex)
{
	for (size_t i = 0; i < d->n_ifs; i++)
		if (d->ifs[i]->ifindex == ifindex)
			return d->ifs[i];
	return NULL;
}

/* Brings the engine in line with what the kernel says about one interface:
 * Babel runs on it when it exists, is up with carrier and has a usable
 * link-local address. */
static void reconcile(struct daemon *d, struct dif *f)
{
	/* A radio interface runs while its TNC is there, with the address
	 * its callsign makes. */
	if (f->radio)
		f->ll = f->radio->ll;
	bool want = f->ifindex && f->up && !f->admin_down &&
		    (f->radio ? radio_iface_up(f->radio) : f->has_ll);
	uint64_t now = loop_now_ms();
	if (f->in_engine && (!want || f->e_ifindex != f->ifindex ||
			     memcmp(&f->e_ll, &f->ll, sizeof(f->ll)) != 0)) {
		log_notice("interface %s down", f->ci->name);
		engine_interface_down(d->e, f->e_ifindex, now);
		if (!f->radio)
			udp_leave(&d->udp, f->e_ifindex);
		f->in_engine = false;
		control_socket_event(d->cs, NULL); /* the engine says nothing of interfaces */
	}
	if (want && !f->in_engine) {
		struct if_config cfg = conf_interface_config(&d->conf, f->ci);
		if (f->radio)
			radio_iface_adjust_config(f->radio, &cfg);
		else if (udp_join(&d->udp, f->ifindex) < 0)
			return;
		if (engine_interface_up(d->e, f->ifindex, f->ci->name, &cfg, &f->ll, now) < 0) {
			log_error("interface %s: the engine refused it", f->ci->name);
			if (!f->radio)
				udp_leave(&d->udp, f->ifindex);
			return;
		}
		log_notice("interface %s up (ifindex %u)", f->ci->name, f->ifindex);
		f->in_engine = true;
		control_socket_event(d->cs, NULL);
		f->e_ifindex = f->ifindex;
		f->e_ll = f->ll;
		/* Never on radio: IPv4 goes v4-via-v6 there (the next hop
		 * must map back to a callsign). */
		if (f->has_v4 && !f->radio)
			engine_interface_ipv4(d->e, f->ifindex, f->v4, now);
	}
}

static void on_link(void *arg, uint32_t ifindex, const char *name, bool up, bool present)
{
	struct daemon *d = arg;
	struct dif *old = dif_by_index(d, ifindex);
	struct dif *f = dif_by_name(d, name);
	if (old && old != f) { /* renamed away from a configured name */
		old->ifindex = 0;
		old->up = old->has_ll = false;
		reconcile(d, old);
	}
	if (!f)
		return;
	if (present) {
		if (f->ifindex != ifindex) {
			f->has_ll = f->has_v4 = false; /* a new link: its addresses follow */
			f->n_v4s = 0;
		}
		f->ifindex = ifindex;
		f->up = up;
	} else if (f->ifindex == ifindex) {
		f->ifindex = 0;
		f->up = f->has_ll = false;
	}
	reconcile(d, f);
}

static bool is_link_local6(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static bool skip_local(uint8_t family, const uint8_t *a)
{
	static const uint8_t lo6[16] = {[15] = 1};
	if (family == 4)
		return a[0] == 127 || a[0] >= 224;
	return memcmp(a, lo6, 16) == 0 || a[0] == 0xff || is_link_local6(a);
}

/* An IPv4 address of F added or removed: the next hop of our IPv4 routes
 * there stays the first address it still has (netlink also reports
 * addresses that did not change, e.g. a renewed lifetime). */
static void dif_v4_changed(struct daemon *d, struct dif *f, const uint8_t *addr, bool present)
{
	size_t i = 0;
	while (i < f->n_v4s && memcmp(f->v4s[i], addr, 4) != 0)
		i++;
	if (present && i == f->n_v4s && f->n_v4s < sizeof(f->v4s) / sizeof(f->v4s[0]))
		memcpy(f->v4s[f->n_v4s++], addr, 4);
	else if (!present && i < f->n_v4s)
		memmove(f->v4s[i], f->v4s[i + 1], (--f->n_v4s - i) * sizeof(f->v4s[0]));
	bool has = f->n_v4s > 0;
	if (has == f->has_v4 && (!has || memcmp(f->v4, f->v4s[0], 4) == 0))
		return;
	f->has_v4 = has;
	if (has)
		memcpy(f->v4, f->v4s[0], 4);
	if (f->in_engine && !f->radio)
		engine_interface_ipv4(d->e, f->e_ifindex, has ? f->v4 : NULL, loop_now_ms());
}

static void on_addr(void *arg, uint32_t ifindex, uint8_t family, const uint8_t *addr,
		    unsigned plen, bool usable, bool present)
{
	struct daemon *d = arg;
	(void)plen;
	if (family == 6 && is_link_local6(addr)) {
		struct dif *f = dif_by_index(d, ifindex);
		if (!f)
			return;
		if (present && usable) {
			if (!f->has_ll) {
				memcpy(f->ll.a, addr, 16);
				f->has_ll = true;
			}
		} else if (f->has_ll && memcmp(f->ll.a, addr, 16) == 0) {
			f->has_ll = false;
		}
		reconcile(d, f);
		return;
	}
	if (family == 4) { /* the first IPv4 address of an interface: AE 1 next hop */
		struct dif *f = dif_by_index(d, ifindex);
		if (f)
			dif_v4_changed(d, f, addr, present);
	}
	if (skip_local(family, addr))
		return;
	/* Local addresses are announced as host routes (as babeld does);
	 * table 0 tells the engine that it is a local address. */
	struct route_key key;
	memset(&key, 0, sizeof(key));
	uint8_t fam = family == 4 ? PREFIX_FAMILY_IPV4 : PREFIX_FAMILY_IPV6;
	unsigned bits = family == 4 ? 32 : 128;
	prefix_make(&key.dst, fam, addr, bits);
	key.src.family = fam;
	char t[PREFIX_STRLEN];
	prefix_format(&key.dst, t, sizeof(t));
	if (!d->resyncing)
		log_info("local address %s %s", t, present ? "added" : "removed");
	engine_kernel_route(d->e, &key, ifindex, 0, 0, RTPROT_KERNEL, present, loop_now_ms());
}

static void on_import(void *arg, const struct route_key *key, uint32_t ifindex, uint32_t table,
		      uint32_t metric, uint8_t proto, bool present)
{
	struct daemon *d = arg;
	if (log_enabled(LOG_L_DEBUG)) {
		char t[ROUTE_KEY_STRLEN];
		route_key_format(key, t, sizeof(t));
		log_debug("import table %u: %s %s (proto %u, metric %u)", table, t,
			  present ? "present" : "gone", proto, metric);
	}
	engine_kernel_route(d->e, key, ifindex, table, metric, proto, present, loop_now_ms());
}

static bool is_own(void *arg, const struct link_addr *a)
{
	struct daemon *d = arg;
	for (size_t i = 0; i < d->n_ifs; i++)
		if (d->ifs[i]->has_ll && memcmp(d->ifs[i]->ll.a, a->a, 16) == 0)
			return true;
	return false;
}

static void on_packet(void *arg, uint32_t ifindex, const struct link_addr *from, bool mcast,
		      const uint8_t *pkt, size_t len)
{
	struct daemon *d = arg;
	uint64_t now = loop_now_ms();
	if (!log_enabled(LOG_L_INFO)) {
		engine_receive(d->e, ifindex, from, mcast, pkt, len, now);
		return;
	}
	/* The engine counts what it drops; say so in the log, one
	 * rate-limited line per reason (the input is remote). */
	static struct log_ratelimit rl_bad = LOG_RATELIMIT_INIT(10000, 5);
	static struct log_ratelimit rl_tlv = LOG_RATELIMIT_INIT(10000, 5);
	static struct log_ratelimit rl_noif = LOG_RATELIMIT_INIT(10000, 5);
	struct engine_stats before, after;
	engine_get_stats(d->e, &before);
	engine_receive(d->e, ifindex, from, mcast, pkt, len, now);
	engine_get_stats(d->e, &after);
	if (after.packets_dropped == before.packets_dropped &&
	    after.tlvs_malformed == before.tlvs_malformed)
		return;
	char t[PREFIX_STRLEN];
	struct prefix p;
	prefix_make(&p, PREFIX_FAMILY_IPV6, from->a, 128);
	prefix_format(&p, t, sizeof(t));
	t[strcspn(t, "/")] = 0;
	struct dif *f = dif_by_index(d, ifindex);
	if (!f || !f->in_engine)
		log_limited(&rl_noif, now, LOG_L_INFO,
			    "dropped a Babel packet from %s: ifindex %u does not run Babel", t,
			    ifindex);
	else if (after.packets_dropped != before.packets_dropped)
		log_limited(&rl_bad, now, LOG_L_INFO,
			    "dropped a malformed Babel packet from %s on %s (%zu bytes)", t,
			    f->ci->name, len);
	else
		log_limited(&rl_tlv, now, LOG_L_INFO,
			    "skipped %llu malformed TLVs in a packet from %s on %s",
			    (unsigned long long)(after.tlvs_malformed - before.tlvs_malformed), t,
			    f->ci->name);
}

/* The edges' counters for the control socket's metrics: what the UDP
 * socket dropped before the engine saw it, and what rtnetlink did. */
static void ctl_edge(void *arg, struct ctl_edge_counters *out)
{
	struct daemon *d = arg;
	const struct udp_stats *u = &d->udp.stats;
	const struct ctl_edge_counter drops[] = {
		{ NULL, "not_link_local", u->drop_not_link_local },
		{ NULL, "own_address", u->drop_own },
		{ NULL, "no_pktinfo", u->drop_no_pktinfo },
		{ NULL, "hop_limit", u->drop_hop_limit },
		{ NULL, "truncated", u->drop_truncated },
	};
	memcpy(out->drops, drops, sizeof(drops));
	out->ndrops = sizeof(drops) / sizeof(drops[0]);
	out->send_errors = u->send_errors;
	const struct netlink_route_stats *k = &d->nlr.st;
	static const char *const op_names[3] = { [FIB_ADD] = "add", [FIB_REPLACE] = "replace",
					    [FIB_REMOVE] = "remove" };
	out->have_kernel = true;
	for (int op = 0; op < 3; op++) {
		out->kernel_ops[op] = k->ops[op];
		for (int c = 0; c < NLR_ERR_COUNT && out->nkernel_errors < CTL_EDGE_MAX; c++)
			out->kernel_errors[out->nkernel_errors++] = (struct ctl_edge_counter){
				op_names[op], netlink_route_err_name((enum nlroute_err)c),
				k->failed[op][c] };
	}
	out->kernel_send_failures = k->send_failures;
	out->kernel_resyncs = k->acks_lost;
	out->kernel_unsupported = k->unsupported;
}

/* ------------------------------------------------------------ loop glue */

static void fd_udp(void *arg, int fd)
{
	(void)fd;
	struct daemon *d = arg;
	udp_read(&d->udp, loop_now_ms());
}

static void fd_link(void *arg, int fd)
{
	(void)fd;
	netlink_link_read(&((struct daemon *)arg)->nll);
}

static void fd_import(void *arg, int fd)
{
	(void)fd;
	kernel_import_read(&((struct daemon *)arg)->ki);
}

static void fd_route(void *arg, int fd)
{
	(void)fd;
	netlink_route_read(&((struct daemon *)arg)->nlr);
}

struct resync {
	struct fib_change *c;
	size_t n, cap;
};

static void resync_route(void *arg, const struct engine_route_info *r)
{
	struct resync *rs = arg;
	if (!r->installed)
		return;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 256;
		struct fib_change *p = realloc(rs->c, cap * sizeof(*p));
		if (!p)
			return;
		rs->c = p;
		rs->cap = cap;
	}
	struct fib_change *c = &rs->c[rs->n++];
	memset(c, 0, sizeof(*c));
	c->op = FIB_REPLACE;
	c->key = r->key;
	c->ifindex = r->ifindex;
	c->nexthop = r->nexthop;
	c->metric = r->metric;
}

static uint64_t tick(void *arg, uint64_t now)
{
	struct daemon *d = arg;
	if (d->nlr.need_resync) {
		/* ACKs were lost: we no longer know which changes took.  Replay
		 * every installed route; NLM_F_REPLACE makes that harmless. */
		d->nlr.need_resync = false;
		struct resync rs = {0};
		engine_foreach_route(d->e, now, resync_route, &rs);
		netlink_route_apply(&d->nlr, rs.c, rs.n);
		free(rs.c);
	}
	uint64_t next = engine_run(d->e, now);
	next = radio_tick(d, now, next);
	if (d->cs) {
		/* After the engine: monitors see what it just did. */
		uint64_t c = control_socket_tick(d->cs, now);
		if (c < next)
			next = c;
	}
	return next;
}

/* ------------------------------------------------------------ reload */

/* Reads the configuration from where it came from at start, plus the
 * run-time statements.  Returns the number of errors (in c->errors). */
static size_t load_conf(struct daemon *d, struct conf *c)
{
	conf_init(c);
	for (size_t i = 0; i < d->n_files; i++)
		conf_parse_file(c, d->files[i]);
	for (size_t i = 0; i < d->n_stmts; i++)
		conf_parse_string(c, "-C", d->stmts[i]);
	for (size_t i = 0; i < d->n_argifs; i++)
		conf_parse_string(c, "command line", d->argifs[i]);
	/* Run-time statements change what the files declared. */
	c->merge_interfaces = true;
	for (size_t i = 0; i < d->n_runtime; i++)
		conf_parse_string(c, "control socket", d->runtime[i]);
	c->merge_interfaces = false;
	/* A relative state file means the directory mailled started in (-D
	 * moves to /; a reload must find the same file). */
	if (c->state_file && c->state_file[0] != '/' && d->cwd[0]) {
		size_t n = strlen(d->cwd) + strlen(c->state_file) + 2;
		char *p = malloc(n);
		if (p) {
			snprintf(p, n, "%s/%s", d->cwd, c->state_file);
			free(c->state_file);
			c->state_file = p;
		}
	}
	return c->n_errors;
}

static bool str_same(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* What the new configuration changes that only a restart can apply (the
 * kernel tables and protocol we own, our identity, where we listen), or
 * NULL.  Refusing the reload keeps what runs and what the files say from
 * drifting apart silently. */
static const char *needs_restart(const struct conf *a, const struct conf *b)
{
	if (a->has_router_id != b->has_router_id ||
	    (a->has_router_id && memcmp(a->router_id, b->router_id, 8) != 0))
		return "router-id";
	/* Unset means the default: compare what is in effect. */
	if (!str_same(a->state_file ? a->state_file : CONF_DEFAULT_STATE_FILE,
		      b->state_file ? b->state_file : CONF_DEFAULT_STATE_FILE))
		return "state-file";
	if (a->export_table != b->export_table)
		return "export-table";
	if (a->kernel_protocol != b->kernel_protocol)
		return "kernel-protocol";
	if (a->n_import_tables != b->n_import_tables ||
	    (a->n_import_tables &&
	     memcmp(a->import_tables, b->import_tables,
		    a->n_import_tables * sizeof(*a->import_tables)) != 0))
		return "import-table";
	if (!str_same(a->control_socket ? a->control_socket : CONF_DEFAULT_CONTROL_SOCKET,
		      b->control_socket ? b->control_socket : CONF_DEFAULT_CONTROL_SOCKET))
		return "control-socket";
	if (!str_same(a->control_group, b->control_group))
		return "control-group";
	if (!str_same(a->log_file, b->log_file))
		return "log-file";
	return NULL;
}

/* Whether an interface must be closed and opened again rather than
 * reconfigured: it becomes or stops being a radio, or its TNC, callsign or
 * channel settings change (they live in its TNC link, not in the engine). */
static bool needs_reopen(const struct conf_interface *a, const struct conf_interface *b)
{
	bool ra = a->cfg.type == IF_TYPE_AX25, rb = b->cfg.type == IF_TYPE_AX25;
	if (ra != rb)
		return true;
	return ra && !conf_radio_equal(&a->radio, &b->radio);
}

/* Stops Babel on F and frees it (its interface left the configuration). */
static void dif_remove(struct daemon *d, struct dif *f)
{
	f->ifindex = 0;
	reconcile(d, f);
	radio_close(d, f);
	free(f);
}

struct reload_summary {
	size_t added, removed, reopened, reconfigured;
	unsigned filters; /* engine_set_filters' bits */
};

/* The running configuration with one run-time statement applied: parsed
 * from the running one's printout (printing and parsing back gives the same
 * configuration: tests/fuzz/fuzz_conf checks it), not from the files, which
 * may have been edited since.  Errors are in c->errors; -1 when out of
 * memory (c is then empty). */
static int conf_with_statement(struct daemon *d, struct conf *c, const char *stmt, size_t len)
{
	conf_init(c);
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	if (!f || conf_print(&d->conf, f) < 0) {
		if (f)
			fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	conf_parse_buffer(c, "running configuration", text, n);
	free(text);
	c->merge_interfaces = true;
	conf_parse_buffer(c, "control socket", stmt, len);
	c->merge_interfaces = false;
	return 0;
}

/* Applies the configuration NC (whose errors, if any, refuse it) in place
 * of the running one; on any error nothing changes.  Takes NC over.  0, or
 * -1 with the reason in err. */
static int apply_conf(struct daemon *d, struct conf *ncp, char *err, size_t errlen)
{
	struct conf nc = *ncp;
	if (nc.n_errors) {
		const struct conf_error *ce = &nc.errors[0];
		for (size_t i = 0; i < nc.n_errors; i++)
			log_error("reload: %s:%u:%u: %s", nc.errors[i].file ? nc.errors[i].file : "?",
				  nc.errors[i].line, nc.errors[i].column, nc.errors[i].message);
		snprintf(err, errlen, "%s:%u:%u: %s%s; nothing changed", ce->file ? ce->file : "?",
			 ce->line, ce->column, ce->message,
			 nc.n_errors > 1 ? " (and more errors, see the log)" : "");
		log_error("reload refused: %zu error%s; nothing changed", nc.n_errors,
			  nc.n_errors > 1 ? "s" : "");
		conf_free(&nc);
		return -1;
	}
	const char *what = needs_restart(&d->conf, &nc);
	if (what) {
		snprintf(err, errlen, "%s cannot change while mailled runs: restart it; nothing changed",
			 what);
		log_error("reload refused: %s", err);
		conf_free(&nc);
		return -1;
	}
	if (nc.n_interfaces == 0) {
		snprintf(err, errlen, "no interface configured; nothing changed");
		log_error("reload refused: %s", err);
		conf_free(&nc);
		return -1;
	}
	struct dif **nifs = calloc(nc.n_interfaces, sizeof(*nifs));
	bool *kept = calloc(d->n_ifs ? d->n_ifs : 1, sizeof(*kept));
	if (!nifs || !kept) {
		free(nifs);
		free(kept);
		conf_free(&nc);
		snprintf(err, errlen, "out of memory; nothing changed");
		return -1;
	}
	struct reload_summary sum = {0};
	uint64_t now = loop_now_ms();

	/* The filters first, so that routes through interfaces that are
	 * about to start are judged by the new rules. */
	int fbits = engine_set_filters(d->e, &nc.filters, now);
	if (fbits < 0) {
		free(nifs);
		free(kept);
		conf_free(&nc);
		snprintf(err, errlen, "out of memory; nothing changed");
		return -1;
	}
	sum.filters = (unsigned)fbits;
	if (nc.smoothing_half_life_s != d->conf.smoothing_half_life_s)
		engine_set_selection(d->e, nc.smoothing_half_life_s * 1000u,
				     nc.smoothing_half_life_s == 0, 0, now);
	if (d->debug_arg < 0 && nc.debug != d->conf.debug)
		log_set_level(nc.debug);

	/* Interfaces: matched by name. */
	for (size_t j = 0; j < nc.n_interfaces; j++) {
		const struct conf_interface *nci = &nc.interfaces[j];
		struct dif *f = NULL;
		for (size_t i = 0; i < d->n_ifs; i++) {
			if (!kept[i] && strcmp(d->ifs[i]->ci->name, nci->name) == 0 &&
			    !needs_reopen(d->ifs[i]->ci, nci)) {
				kept[i] = true;
				f = d->ifs[i];
				break;
			}
		}
		if (!f) {
			bool reopen = false;
			for (size_t i = 0; i < d->n_ifs && !reopen; i++)
				reopen = strcmp(d->ifs[i]->ci->name, nci->name) == 0;
			sum.added += !reopen; /* a reopened one is counted below */
			f = calloc(1, sizeof(*f));
			if (!f)
				continue; /* logged below as not started */
			f->ci = nci;
			f->fresh = true;
			nifs[j] = f;
			continue;
		}
		struct if_config oc = conf_interface_config(&d->conf, f->ci);
		struct if_config cfg = conf_interface_config(&nc, nci);
		f->ci = nci;
		nifs[j] = f;
		/* What takes effect: a default now written out changes nothing. */
		struct if_config ro = oc, rn = cfg;
		engine_if_defaults(&ro);
		engine_if_defaults(&rn);
		if (conf_if_config_equal(&ro, &rn) && ro.out_default_deny == rn.out_default_deny)
			continue;
		sum.reconfigured++;
		if (!f->in_engine)
			continue; /* it starts with the new parameters */
		if (f->radio)
			radio_iface_adjust_config(f->radio, &cfg);
		/* Same ifindex: in place, neighbours and routes stay. */
		engine_interface_up(d->e, f->e_ifindex, nci->name, &cfg, &f->e_ll, now);
		log_notice("interface %s reconfigured", nci->name);
	}
	for (size_t i = 0; i < d->n_ifs; i++) {
		if (kept[i])
			continue;
		bool again = false;
		for (size_t j = 0; j < nc.n_interfaces && !again; j++)
			again = strcmp(nc.interfaces[j].name, d->ifs[i]->ci->name) == 0;
		log_notice("interface %s %s", d->ifs[i]->ci->name,
			   again ? "changes type or radio settings: reopening it"
				 : "left the configuration");
		if (again)
			sum.reopened++;
		else
			sum.removed++;
		dif_remove(d, d->ifs[i]);
	}

	/* The new configuration takes over. */
	struct conf old = d->conf;
	d->conf = nc;
	free(d->ifs);
	free(kept);
	d->ifs = nifs;
	d->n_ifs = nc.n_interfaces;
	d->state_path = d->conf.state_file ? d->conf.state_file : DEFAULT_STATE;
	conf_free(&old);
	/* Drop slots whose allocation failed. */
	size_t k = 0;
	for (size_t j = 0; j < d->n_ifs; j++) {
		if (d->ifs[j])
			d->ifs[k++] = d->ifs[j];
		else
			log_error("reload: interface %s: out of memory, not started",
				  d->conf.interfaces[j].name);
	}
	d->n_ifs = k;
	bool any_new = false;
	for (size_t j = 0; j < d->n_ifs; j++) {
		struct dif *f = d->ifs[j];
		if (f->ifindex || f->radio || f->in_engine)
			continue; /* kept (a new one has seen nothing yet) */
		if (f->ci->cfg.type == IF_TYPE_AX25 && radio_open(d, f, j) < 0) {
			log_error("interface %s: cannot open its radio link", f->ci->name);
			radio_close(d, f);
		}
		any_new = true;
	}
	/* What the kernel knows of new interfaces, and the local addresses
	 * and imported routes that new redistribute rules may now allow. */
	if (any_new || (sum.filters & (1u << FILTER_REDISTRIBUTE))) {
		d->resyncing = true;
		netlink_link_resync(&d->nll);
		d->resyncing = false;
	}
	if (sum.filters & (1u << FILTER_REDISTRIBUTE))
		kernel_import_replay(&d->ki);
	for (size_t j = 0; j < d->n_ifs; j++) {
		if (d->ifs[j]->fresh && !d->ifs[j]->ifindex && !d->ifs[j]->radio)
			log_notice("interface %s does not exist yet: waiting for it",
				   d->ifs[j]->ci->name);
		d->ifs[j]->fresh = false;
	}
	control_socket_event(d->cs, NULL);
	static const char *const kind_names[FILTER_KINDS] = {"in", "out", "redistribute", "install"};
	char fl[64] = "";
	for (int i = 0; i < FILTER_KINDS; i++)
		if (sum.filters & (1u << i))
			snprintf(fl + strlen(fl), sizeof(fl) - strlen(fl), "%s%s", fl[0] ? "," : " ",
				 kind_names[i]);
	log_notice("reloaded: %zu interfaces added, %zu removed, %zu reopened, %zu reconfigured; "
		   "filters changed:%s",
		   sum.added, sum.removed, sum.reopened, sum.reconfigured, fl[0] ? fl : " none");
	return 0;
}

/* Reads the configuration files again (and -C, and the run-time
 * statements) and applies the difference in place. */
static int reload(struct daemon *d, char *err, size_t errlen)
{
	struct conf nc;
	load_conf(d, &nc);
	return apply_conf(d, &nc, err, errlen);
}

/* ------------------------------------------------------------ control socket */

/* loop.h watches readability only: the control socket then retries its
 * pending output from control_socket_tick (write_events false). */
static void *ctl_watch(void *io, int fd, bool read, bool write, ctl_io_fn *fn, void *arg)
{
	(void)write;
	return read ? loop_add_fd(io, fd, fn, arg) : NULL;
}

static void ctl_unwatch(void *io, void *handle)
{
	loop_del_fd(io, handle);
}

static const struct ctl_io_ops ctl_io = {ctl_watch, ctl_unwatch, false};

static void ctl_log(void *arg, int level, const char *msg)
{
	(void)arg;
	log_msg(level, "%s", msg);
}

static int ctl_command(void *arg, const struct ctl_cmd *cmd, char *err, size_t errlen)
{
	struct daemon *d = arg;
	struct dif *f = NULL;
	if (cmd->kind == CTL_CMD_FLUSH_INTERFACE || cmd->kind == CTL_CMD_INTERFACE_UP ||
	    cmd->kind == CTL_CMD_INTERFACE_DOWN) {
		f = dif_by_name(d, cmd->ifname);
		if (!f) {
			snprintf(err, errlen, "interface %s is not in the configuration", cmd->ifname);
			return -1;
		}
	}
	switch (cmd->kind) {
	case CTL_CMD_FLUSH_INTERFACE:
		if (!f->in_engine) {
			snprintf(err, errlen, "interface %s is not running", cmd->ifname);
			return -1;
		}
		/* Down and up again: its neighbours and routes are forgotten. */
		f->admin_down = true;
		reconcile(d, f);
		f->admin_down = false;
		reconcile(d, f);
		break;
	case CTL_CMD_INTERFACE_DOWN:
	case CTL_CMD_INTERFACE_UP:
		f->admin_down = cmd->kind == CTL_CMD_INTERFACE_DOWN;
		log_notice("interface %s set %s by the control socket", cmd->ifname,
			   f->admin_down ? "down" : "up");
		reconcile(d, f);
		break;
	case CTL_CMD_RELOAD:
		log_notice("reload asked for on the control socket");
		return reload(d, err, errlen);
	case CTL_CMD_CONFIG: {
		/* Applied as if it were the last line of the configuration, and
		 * kept there for later reloads. */
		char *stmt = strndup(cmd->config, cmd->config_len);
		char **rt = stmt ? realloc(d->runtime, (d->n_runtime + 1) * sizeof(*rt)) : NULL;
		if (!rt) {
			free(stmt);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		d->runtime = rt;
		struct conf nc;
		if (conf_with_statement(d, &nc, stmt, strlen(stmt)) < 0) {
			conf_free(&nc);
			free(stmt);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		/* A statement that does not parse is a bad command; one that
		 * parses but cannot apply is refused. */
		int bad = nc.n_errors ? CTL_COMMAND_BAD : -1;
		if (apply_conf(d, &nc, err, errlen) < 0) {
			free(stmt);
			return bad;
		}
		d->runtime[d->n_runtime++] = stmt;
		return 0;
	}
	default:
		snprintf(err, errlen, "unknown command");
		return -1;
	}
	control_socket_event(d->cs, NULL);
	return 0;
}

static void control_open(struct daemon *d, const uint8_t rid[8])
{
	struct control_config cc = {
		.path = d->conf.control_socket ? d->conf.control_socket : DEFAULT_CONTROL,
		.group = d->conf.control_group,
		.version = "maille-" PACKAGE_VERSION,
	};
	struct control_hooks hooks = {.command = ctl_command, .log = ctl_log, .edge = ctl_edge,
				      .arg = d};
	char err[256];
	d->cs = control_socket_new(&cc, &ctl_io, d->loop, &hooks, d->e, rid, loop_now_ms(), err,
				   sizeof(err));
	/* Routing goes on without it: say why, once. */
	if (!d->cs)
		log_error("control socket: %s; running without one", err);
}

static void on_stop(void *arg, int sig)
{
	struct daemon *d = arg;
	log_notice("signal %d: stopping", sig);
	loop_stop(d->loop);
}

static void on_hup(void *arg, int sig)
{
	(void)sig;
	struct daemon *d = arg;
	char err[512];
	log_notice("SIGHUP: reloading the configuration");
	reload(d, err, sizeof(err)); /* logs why when it refuses */
}

/* ------------------------------------------------------------ main */

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: mailled [OPTION]... [INTERFACE]...\n"
		"Babel routing daemon (RFC 8966).\n\n"
		"  -c FILE      read configuration from FILE (repeatable; default " DEFAULT_CONFIG ")\n"
		"  -C STATEMENT add one configuration statement (repeatable)\n"
		"  -n           check the configuration and exit\n"
		"  -p           print the normalised configuration and exit\n"
		"  -d LEVEL     debug level 0..3\n"
		"  -D           run in the background, log to syslog\n"
		"  -P FILE      write the process id to FILE (with -D)\n"
		"  --version    print the version and exit\n"
		"  --help       print this help and exit\n"
		"INTERFACE arguments are the same as `interface INTERFACE` statements.\n");
}

static int print_errors(const struct conf *c)
{
	for (size_t i = 0; i < c->n_errors; i++)
		fprintf(stderr, "%s:%u:%u: %s\n", c->errors[i].file ? c->errors[i].file : "?",
			c->errors[i].line, c->errors[i].column, c->errors[i].message);
	return c->n_errors ? 1 : 0;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		log_error("pidfile %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) == 0 ? 0 : -1;
}

/* PATH made absolute against the current directory (the file itself need
 * not exist).  Leaks the result on purpose: it lives as long as the process. */
static char *realpath_dir(const char *path)
{
	if (path[0] == '/')
		return NULL;
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	size_t n = strlen(cwd) + strlen(path) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", cwd, path);
	return p;
}

static void random_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* No entropy source: the pid and time keep instances apart. */
			for (size_t i = 0; i < n; i++)
				p[i] = (uint8_t)(getpid() * 31 + (int)loop_now_ms() + (int)i * 17);
			return;
		}
		p += r;
		n -= (size_t)r;
	}
}

int main(int argc, char **argv)
{
	struct daemon *d = &D;
	enum { OPT_VERSION = 256, OPT_HELP };
	static const struct option longopts[] = {
		{"version", no_argument, NULL, OPT_VERSION},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	bool check_only = false, print_conf = false, daemonise = false, any_file = false;
	int debug = -1;
	const char *pidfile = NULL;
	/* -C statements apply after the files, in order, as babeld does:
	 * collect everything first (and keep it: reload reads it again). */
	const char **files = calloc((size_t)argc + 1, sizeof(*files));
	const char **stmts = calloc((size_t)argc + 1, sizeof(*stmts));
	char **argifs = calloc((size_t)argc + 1, sizeof(*argifs));
	size_t n_files = 0, n_stmts = 0;
	if (!files || !stmts || !argifs) {
		fprintf(stderr, "mailled: out of memory\n");
		return 1;
	}
	int opt;
	while ((opt = getopt_long(argc, argv, "c:C:npd:DP:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': files[n_files++] = optarg; any_file = true; break;
		case 'C': stmts[n_stmts++] = optarg; break;
		case 'n': check_only = true; break;
		case 'p': print_conf = true; break;
		case 'd': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 3) {
				fprintf(stderr, "mailled: -d takes a level from 0 to 3\n");
				return 2;
			}
			debug = (int)v;
			break;
		}
		case 'D': daemonise = true; break;
		case 'P': pidfile = optarg; break;
		case 'V':
		case OPT_VERSION: printf("mailled (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION); return 0;
		case 'h':
		case OPT_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!any_file && access(DEFAULT_CONFIG, F_OK) == 0)
		files[n_files++] = DEFAULT_CONFIG;
	/* Absolute: -D moves to /, and reload reads them again. */
	for (size_t i = 0; i < n_files; i++) {
		char *abs_file = realpath_dir(files[i]);
		if (abs_file)
			files[i] = abs_file;
	}
	size_t n_argifs = 0;
	for (int i = optind; i < argc; i++) {
		size_t n = strlen(argv[i]) + sizeof("interface ");
		argifs[n_argifs] = malloc(n);
		if (!argifs[n_argifs])
			return 1;
		snprintf(argifs[n_argifs++], n, "interface %s", argv[i]);
	}
	d->files = files;
	d->n_files = n_files;
	d->stmts = stmts;
	d->n_stmts = n_stmts;
	d->argifs = argifs;
	d->n_argifs = n_argifs;
	d->debug_arg = debug;
	/* (-n and -p show the paths as written.) */
	if (!check_only && !print_conf && !getcwd(d->cwd, sizeof(d->cwd)))
		d->cwd[0] = '\0';
	load_conf(d, &d->conf);
	if (print_errors(&d->conf)) {
		conf_free(&d->conf);
		return 1;
	}
	if (print_conf)
		conf_print(&d->conf, stdout);
	if (check_only || print_conf) {
		conf_free(&d->conf);
		return 0;
	}
	if (d->conf.n_interfaces == 0) {
		fprintf(stderr, "mailled: no interface configured (interface NAME)\n");
		conf_free(&d->conf);
		return 1;
	}
	log_init(debug >= 0 ? debug : d->conf.debug, daemonise);
	if (d->conf.log_file && !daemonise) {
		if (!freopen(d->conf.log_file, "a", stderr))
			fprintf(stdout, "mailled: log file %s: %s\n", d->conf.log_file, strerror(errno));
		else
			setvbuf(stderr, NULL, _IOLBF, 0);
	}
	if (daemonise) {
		/* daemon() moves to /: keep relative paths meaning what the
		 * operator meant. */
		char *abs_pid = pidfile ? realpath_dir(pidfile) : NULL;
		if (abs_pid)
			pidfile = abs_pid;
		if (daemon(0, 0) < 0) {
			fprintf(stderr, "mailled: daemon: %s\n", strerror(errno));
			return 1;
		}
		if (pidfile && write_pidfile(pidfile) < 0)
			return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	/* The state file: router-id and seqno survive restarts. */
	d->state_path = d->conf.state_file ? d->conf.state_file : DEFAULT_STATE;
	int sr = state_read(d->state_path, &d->st);
	struct engine_config ecfg;
	memset(&ecfg, 0, sizeof(ecfg));
	if (d->conf.has_router_id) {
		memcpy(ecfg.router_id, d->conf.router_id, 8);
	} else if (d->st.has_router_id) {
		memcpy(ecfg.router_id, d->st.router_id, 8);
	} else {
		random_bytes(ecfg.router_id, 8);
		log_notice("no router-id configured or saved: chose a random one");
	}
	memcpy(d->st.router_id, ecfg.router_id, 8);
	d->st.has_router_id = true;
	uint16_t seqno;
	if (d->st.has_seqno) {
		/* Moved forward so that even a seqno used but not yet saved
		 * when the last instance died is behind us. */
		seqno = (uint16_t)(d->st.seqno + 1);
	} else {
		random_bytes(&seqno, sizeof(seqno));
		if (sr == 0)
			log_warn("state file %s has no seqno", d->state_path);
	}
	ecfg.seqno = seqno;
	if (d->conf.smoothing_half_life_s == 0)
		ecfg.smoothing_off = true;
	else
		ecfg.smoothing_half_life_ms = d->conf.smoothing_half_life_s * 1000u;
	ecfg.filters = &d->conf.filters;

	d->ifs = calloc(d->conf.n_interfaces, sizeof(*d->ifs));
	if (!d->ifs)
		return 1;
	d->n_ifs = d->conf.n_interfaces;
	for (size_t i = 0; i < d->n_ifs; i++) {
		d->ifs[i] = calloc(1, sizeof(**d->ifs));
		if (!d->ifs[i])
			return 1;
		d->ifs[i]->ci = &d->conf.interfaces[i];
	}

	int ret = 1;
	d->loop = loop_new();
	if (!d->loop) {
		log_error("cannot create the event loop");
		return 1;
	}
	if (udp_open(&d->udp, BABEL_PORT, is_own, on_packet, d) < 0)
		goto out;
	if (netlink_route_open(&d->nlr, d->conf.export_table, d->conf.kernel_protocol) < 0)
		goto out;
	d->nlr.advmss = radio_route_advmss;
	d->nlr.advmss_ctx = d;
	int stale = netlink_route_flush(&d->nlr);
	if (stale > 0)
		log_notice("removed %d stale routes of protocol %u from table %u", stale,
			   d->conf.kernel_protocol, d->conf.export_table);
	uint64_t seed;
	random_bytes(&seed, sizeof(seed));
	d->e = engine_new(&ecfg, &ops, d, loop_now_ms(), seed);
	if (!d->e) {
		log_error("cannot create the engine");
		goto out;
	}
	save_state(d);
	d->seed = seed;
	if (radio_open_all(d) < 0)
		goto out;
	if (netlink_link_open(&d->nll, on_link, on_addr, d) < 0)
		goto out;
	d->nll_open = true;
	/* After the addresses: an import-table route for a local address's
	 * prefix then only updates the xroute. */
	if (kernel_import_open(&d->ki, d->conf.import_tables, d->conf.n_import_tables,
			       d->conf.export_table, d->conf.kernel_protocol, on_import, d) < 0)
		goto out;
	if (d->conf.n_import_tables)
		log_notice("import tables: %zu kernel routes found", kernel_import_count(&d->ki));
	for (size_t i = 0; i < d->n_ifs; i++)
		if (!d->ifs[i]->ifindex)
			log_notice("interface %s does not exist yet: waiting for it",
				   d->ifs[i]->ci->name);
	if (!loop_add_fd(d->loop, d->udp.fd, fd_udp, d) ||
	    !loop_add_fd(d->loop, netlink_link_fd(&d->nll), fd_link, d) ||
	    !loop_add_fd(d->loop, netlink_route_fd(&d->nlr), fd_route, d) ||
	    (kernel_import_fd(&d->ki) >= 0 &&
	     !loop_add_fd(d->loop, kernel_import_fd(&d->ki), fd_import, d)) ||
	    loop_add_signal(d->loop, SIGTERM, on_stop, d) < 0 ||
	    loop_add_signal(d->loop, SIGINT, on_stop, d) < 0 ||
	    loop_add_signal(d->loop, SIGHUP, on_hup, d) < 0) {
		log_error("cannot set up the event loop");
		goto out;
	}
	control_open(d, ecfg.router_id);
	loop_set_tick(d->loop, tick, d);
	log_notice("started, seqno %u", seqno);
	loop_run(d->loop);

	/* Retract on the wire and remove our routes (engine_shutdown), then
	 * remove whatever of ours is still in the kernel. */
	engine_shutdown(d->e, loop_now_ms());
	{
		int left = netlink_route_flush(&d->nlr);
		if (left > 0)
			log_info("removed %d routes left after shutdown", left);
	}
	save_state(d);
	ret = 0;
out:
	control_socket_free(d->cs);
	d->cs = NULL;
	radio_close_all(d);
	for (size_t i = 0; d->ifs && i < d->n_ifs; i++)
		free(d->ifs[i]);
	if (d->e)
		engine_free(d->e);
	if (d->nll_open)
		netlink_link_close(&d->nll);
	kernel_import_close(&d->ki);
	if (d->nlr.nl)
		netlink_route_close(&d->nlr);
	udp_close(&d->udp);
	loop_free(d->loop);
	free(d->ifs);
	conf_free(&d->conf);
	if (daemonise && pidfile)
		unlink(pidfile);
	log_notice("stopped");
	return ret;
}
