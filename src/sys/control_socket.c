/* The control socket (see control_socket.h). */
#include "src/sys/control_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/core/prefix.h"

#define CTL_DEFAULT_OUT_LIMIT (1u << 20)
#define CTL_DEFAULT_MAX_CLIENTS 1024u
#define CTL_IFNAME_COPY 32

struct client {
	struct control_socket *cs;
	int fd;
	uint32_t uid, gid;
	int32_t pid;
	bool privileged;
	bool monitor;
	bool eof;        /* the peer half-closed: answer, then close */
	bool closing;    /* quit: close once the output went out */
	bool discarding; /* inside an overlong line, until its newline */
	enum ctl_dialect dialect;
	char in[CTL_LINE_MAX + 2];
	size_t inlen;
	struct ctl_out out;
	void *watch;
	bool w_read, w_write;
	struct client *next;
};

/* Snapshots kept for the monitor's diff; names are copied since the
 * engine's pointers live only during the visit. */
struct snap_if {
	struct engine_if_info i;
	char name[CTL_IFNAME_COPY];
};
struct snap_nb {
	struct engine_neighbour_info n;
	char name[CTL_IFNAME_COPY];
};
struct snap_rt {
	struct engine_route_info r;
	char name[CTL_IFNAME_COPY];
};

struct snap_array {
	void *v;
	size_t n, cap, size;
};

enum { DIRTY_IF = 1, DIRTY_NB = 2, DIRTY_RT = 4, DIRTY_XR = 8, DIRTY_ALL = 15 };

struct control_socket {
	struct control_config cfg;
	char *path;
	char host[256];
	char version[64];
	struct ctl_io_ops io_ops;
	void *io;
	struct control_hooks hooks;
	struct engine *e;
	uint8_t rid[8];
	uint64_t started_ms, now_ms;
	int fd;
	void *lwatch;
	bool have_gid;
	gid_t gid;
	uid_t euid;
	struct client *clients;
	size_t nclients, nmonitors;
	uint64_t dropped;
	/* monitor */
	bool baseline;
	unsigned dirty;
	uint64_t last_sync_ms;
	struct snap_array ifs, nbs, rts, xrs;
	struct ctl_out scratch[2]; /* one per dialect */
};

static void cs_log(struct control_socket *cs, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void cs_log(struct control_socket *cs, int level, const char *fmt, ...)
{
	if (!cs->hooks.log)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cs->hooks.log(cs->hooks.arg, level, buf);
}

/* ------------------------------------------------------------ snapshots */

static void snap_free(struct snap_array *a)
{
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

static void *snap_push(struct snap_array *a)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		void *v = realloc(a->v, cap * a->size);
		if (!v)
			return NULL;
		a->v = v;
		a->cap = cap;
	}
	void *p = (char *)a->v + a->n * a->size;
	a->n++;
	memset(p, 0, a->size);
	return p;
}

static void copy_name(char *dst, const char *src)
{
	snprintf(dst, CTL_IFNAME_COPY, "%s", src ? src : "");
}

static void col_if(void *arg, const struct engine_if_info *i)
{
	struct snap_if *s = snap_push(arg);
	if (!s)
		return;
	s->i = *i;
	copy_name(s->name, i->name);
	s->i.name = NULL;
	/* Points into the engine's interface, which may be gone by the time
	 * a snapshot is formatted (its flush); monitor lines carry no
	 * counters anyway, or they would change with every packet. */
	s->i.counters = NULL;
}

static void col_nb(void *arg, const struct engine_neighbour_info *n)
{
	struct snap_nb *s = snap_push(arg);
	if (!s)
		return;
	s->n = *n;
	copy_name(s->name, n->ifname);
	s->n.ifname = NULL;
}

static void col_rt(void *arg, const struct engine_route_info *r)
{
	struct snap_rt *s = snap_push(arg);
	if (!s)
		return;
	s->r = *r;
	copy_name(s->name, r->ifname);
	s->r.ifname = NULL;
}

static void col_xr(void *arg, const struct engine_xroute_info *x)
{
	struct engine_xroute_info *s = snap_push(arg);
	if (s)
		*s = *x;
}

static int cmp_id(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}
static int cmp_if(const void *a, const void *b)
{
	return cmp_id(((const struct snap_if *)a)->i.id, ((const struct snap_if *)b)->i.id);
}
static int cmp_nb(const void *a, const void *b)
{
	return cmp_id(((const struct snap_nb *)a)->n.id, ((const struct snap_nb *)b)->n.id);
}
static int cmp_rt(const void *a, const void *b)
{
	return cmp_id(((const struct snap_rt *)a)->r.id, ((const struct snap_rt *)b)->r.id);
}
static int cmp_xr(const void *a, const void *b)
{
	return route_key_compare(&((const struct engine_xroute_info *)a)->key,
				 &((const struct engine_xroute_info *)b)->key);
}

/* Formats element p of a kind with its name pointer restored. */
static void fmt_elem(struct ctl_out *o, enum ctl_dialect d, enum ctl_verb v, unsigned kind,
		     const void *p)
{
	switch (kind) {
	case DIRTY_IF: {
		struct snap_if s = *(const struct snap_if *)p;
		s.i.name = s.name;
		ctl_format_interface(o, d, v, &s.i, v != CTL_FLUSH, NULL);
		break;
	}
	case DIRTY_NB: {
		struct snap_nb s = *(const struct snap_nb *)p;
		s.n.ifname = s.name;
		ctl_format_neighbour(o, d, v, &s.n);
		break;
	}
	case DIRTY_RT: {
		struct snap_rt s = *(const struct snap_rt *)p;
		s.r.ifname = s.name;
		ctl_format_route(o, d, v, &s.r);
		break;
	}
	case DIRTY_XR:
		ctl_format_xroute(o, d, v, p);
		break;
	}
}

static void collect(struct control_socket *cs, unsigned kind, struct snap_array *a)
{
	a->n = 0;
	switch (kind) {
	case DIRTY_IF:
		a->size = sizeof(struct snap_if);
		engine_foreach_interface(cs->e, col_if, a);
		if (a->n > 1)
			qsort(a->v, a->n, a->size, cmp_if);
		break;
	case DIRTY_NB:
		a->size = sizeof(struct snap_nb);
		engine_foreach_neighbour(cs->e, cs->now_ms, col_nb, a);
		if (a->n > 1)
			qsort(a->v, a->n, a->size, cmp_nb);
		break;
	case DIRTY_RT:
		a->size = sizeof(struct snap_rt);
		engine_foreach_route(cs->e, cs->now_ms, col_rt, a);
		if (a->n > 1)
			qsort(a->v, a->n, a->size, cmp_rt);
		break;
	case DIRTY_XR:
		a->size = sizeof(struct engine_xroute_info);
		engine_foreach_xroute(cs->e, col_xr, a);
		if (a->n > 1)
			qsort(a->v, a->n, a->size, cmp_xr);
		break;
	}
}

static void emit(struct control_socket *cs, enum ctl_verb v, unsigned kind, const void *p)
{
	fmt_elem(&cs->scratch[CTL_TEXT], CTL_TEXT, v, kind, p);
	fmt_elem(&cs->scratch[CTL_JSON], CTL_JSON, v, kind, p);
}

/* Merges old and new (both sorted) and emits add, change and flush. */
static void diff(struct control_socket *cs, unsigned kind, struct snap_array *old,
		 struct snap_array *cur, int (*cmp)(const void *, const void *))
{
	struct ctl_out a, b;
	ctl_out_init(&a, 0);
	ctl_out_init(&b, 0);
	size_t i = 0, j = 0;
	while (i < old->n || j < cur->n) {
		const void *po = i < old->n ? (const char *)old->v + i * old->size : NULL;
		const void *pn = j < cur->n ? (const char *)cur->v + j * cur->size : NULL;
		int c = !po ? 1 : !pn ? -1 : cmp(po, pn);
		if (c < 0) {
			emit(cs, CTL_FLUSH, kind, po);
			i++;
		} else if (c > 0) {
			emit(cs, CTL_ADD, kind, pn);
			j++;
		} else {
			/* Changed when babeld's line would change. */
			ctl_out_reset(&a);
			ctl_out_reset(&b);
			fmt_elem(&a, CTL_TEXT, CTL_CHANGE, kind, po);
			fmt_elem(&b, CTL_TEXT, CTL_CHANGE, kind, pn);
			if (a.len != b.len || (a.len && memcmp(a.buf, b.buf, a.len) != 0))
				emit(cs, CTL_CHANGE, kind, pn);
			i++;
			j++;
		}
	}
	ctl_out_free(&a);
	ctl_out_free(&b);
	struct snap_array t = *old;
	*old = *cur;
	*cur = t;
}

static void drop_client(struct control_socket *cs, struct client *c, const char *why);

static void client_queue(struct client *c, const char *s, size_t n);

static void sync_monitors(struct control_socket *cs, bool emit_changes)
{
	static const unsigned kinds[] = { DIRTY_IF, DIRTY_NB, DIRTY_XR, DIRTY_RT };
	struct snap_array *arr[] = { &cs->ifs, &cs->nbs, &cs->xrs, &cs->rts };
	int (*cmps[])(const void *, const void *) = { cmp_if, cmp_nb, cmp_xr, cmp_rt };
	ctl_out_reset(&cs->scratch[0]);
	ctl_out_reset(&cs->scratch[1]);
	for (size_t k = 0; k < 4; k++) {
		if (cs->baseline && !(cs->dirty & kinds[k]))
			continue;
		struct snap_array cur = { .size = arr[k]->size };
		collect(cs, kinds[k], &cur);
		if (!cs->baseline) {
			snap_free(arr[k]);
			*arr[k] = cur;
			continue;
		}
		diff(cs, kinds[k], arr[k], &cur, cmps[k]);
		snap_free(&cur);
	}
	cs->baseline = true;
	cs->dirty = 0;
	cs->last_sync_ms = cs->now_ms;
	if (!emit_changes)
		return;
	for (int d = 0; d < 2; d++) {
		if (cs->scratch[d].failed)
			cs_log(cs, -1, "control: out of memory formatting monitor output");
		if (cs->scratch[d].len == 0)
			continue;
		for (struct client *c = cs->clients; c; c = c->next) {
			if (!c->monitor || c->dialect != (enum ctl_dialect)d || c->fd < 0)
				continue;
			client_queue(c, cs->scratch[d].buf, cs->scratch[d].len);
			if (c->out.len > cs->cfg.out_limit)
				drop_client(cs, c, "not reading its monitor output");
		}
	}
}

static void monitors_changed(struct control_socket *cs)
{
	size_t n = 0;
	for (struct client *c = cs->clients; c; c = c->next)
		if (c->monitor && c->fd >= 0)
			n++;
	cs->nmonitors = n;
	if (n == 0 && cs->baseline) {
		snap_free(&cs->ifs);
		snap_free(&cs->nbs);
		snap_free(&cs->rts);
		snap_free(&cs->xrs);
		cs->baseline = false;
	}
}

/* ------------------------------------------------------------ clients */

static void ctl_client_io(void *arg, int fd);

static void client_rewatch(struct client *c)
{
	struct control_socket *cs = c->cs;
	if (c->fd < 0)
		return;
	/* Read commands only while the answers to earlier ones went out. */
	bool want_read = !c->eof && !c->closing && c->out.len == 0;
	bool want_write = cs->io_ops.write_events && c->out.len > 0;
	if (c->watch && want_read == c->w_read && want_write == c->w_write)
		return;
	if (!c->watch && !want_read && !want_write)
		return;
	if (c->watch) {
		cs->io_ops.unwatch(cs->io, c->watch);
		c->watch = NULL;
	}
	c->w_read = want_read;
	c->w_write = want_write;
	if (!want_read && !want_write)
		return;
	c->watch = cs->io_ops.watch(cs->io, c->fd, want_read, want_write, ctl_client_io, c);
	if (!c->watch)
		drop_client(cs, c, "no memory for its watcher");
}

static void client_queue(struct client *c, const char *s, size_t n)
{
	ctl_out_append(&c->out, s, n);
}

/* Writes what the socket takes.  Returns false when the client is gone. */
static bool client_flush(struct client *c)
{
	struct control_socket *cs = c->cs;
	if (c->fd < 0)
		return false;
	if (c->out.failed) {
		drop_client(cs, c, "out of memory for its output");
		return false;
	}
	size_t done = 0;
	while (done < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + done, c->out.len - done,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		ctl_out_consume(&c->out, done);
		drop_client(cs, c, n < 0 ? "write error" : "closed");
		return false;
	}
	ctl_out_consume(&c->out, done);
	if (c->out.len == 0 && (c->closing || (c->eof && c->inlen == 0))) {
		drop_client(cs, c, NULL);
		return false;
	}
	return true;
}

struct count_ctx {
	size_t n, installed;
};
static void count_if(void *arg, const struct engine_if_info *i)
{
	(void)i;
	((struct count_ctx *)arg)->n++;
}
static void count_nb(void *arg, const struct engine_neighbour_info *n)
{
	(void)n;
	((struct count_ctx *)arg)->n++;
}
static void count_rt(void *arg, const struct engine_route_info *r)
{
	struct count_ctx *c = arg;
	c->n++;
	if (r->installed)
		c->installed++;
}
static void count_xr(void *arg, const struct engine_xroute_info *x)
{
	(void)x;
	((struct count_ctx *)arg)->n++;
}
static void count_src(void *arg, const struct engine_source_info *s)
{
	(void)s;
	((struct count_ctx *)arg)->n++;
}

static struct ctl_greeting greeting(const struct control_socket *cs)
{
	struct ctl_greeting g = { .version = cs->version, .host = cs->host };
	memcpy(g.router_id, cs->rid, 8);
	return g;
}

static void fill_status(struct control_socket *cs, struct ctl_status *out)
{
	struct ctl_status s = { .seqno = engine_seqno(cs->e), .version = cs->version,
				.host = cs->host,
				.uptime_ms = cs->now_ms - cs->started_ms };
	memcpy(s.router_id, cs->rid, 8);
	struct count_ctx k = { 0, 0 };
	engine_foreach_interface(cs->e, count_if, &k);
	s.interfaces = k.n;
	k.n = 0;
	engine_foreach_neighbour(cs->e, cs->now_ms, count_nb, &k);
	s.neighbours = k.n;
	k.n = 0;
	engine_foreach_route(cs->e, cs->now_ms, count_rt, &k);
	s.routes = k.n;
	s.installed = k.installed;
	k.n = 0;
	engine_foreach_xroute(cs->e, count_xr, &k);
	s.xroutes = k.n;
	k.n = 0;
	engine_foreach_source(cs->e, cs->now_ms, count_src, &k);
	s.sources = k.n;
	*out = s;
}

static void do_status(struct control_socket *cs, struct client *c)
{
	struct ctl_status s;
	fill_status(cs, &s);
	ctl_format_status(&c->out, c->dialect, &s);
}

/* The exposition is text in both dialects' sense: as is in babeld's, one
 * {"kind":"metrics","text":...} object in JSON. */
static void do_metrics(struct control_socket *cs, struct client *c)
{
	struct ctl_status s;
	fill_status(cs, &s);
	struct ctl_edge_counters edge;
	memset(&edge, 0, sizeof(edge));
	if (cs->hooks.edge)
		cs->hooks.edge(cs->hooks.arg, &edge);
	if (c->dialect == CTL_TEXT) {
		ctl_format_metrics(&c->out, cs->e, cs->now_ms, &s, cs->hooks.edge ? &edge : NULL,
				   cs->hooks.counters, cs->hooks.arg);
		return;
	}
	struct ctl_out t;
	ctl_out_init(&t, 0);
	ctl_format_metrics(&t, cs->e, cs->now_ms, &s, cs->hooks.edge ? &edge : NULL,
			   cs->hooks.counters, cs->hooks.arg);
	ctl_out_append(&t, "", 1); /* a C string for the escape */
	if (t.failed) {
		cs_log(cs, -1, "control: out of memory formatting metrics");
	} else {
		ctl_out_printf(&c->out, "{\"kind\":\"metrics\",\"format\":\"prometheus-text-0.0.4\",\"text\":");
		ctl_json_string(&c->out, t.buf);
		ctl_out_printf(&c->out, "}\n");
	}
	ctl_out_free(&t);
}

static const char help_text[] =
	"dump [interfaces|neighbours|routes|xroutes|sources|all]\n"
	"monitor | unmonitor | json | text | status | stats | metrics | quit\n"
	"write: reload | flush interface IF | interface IF up|down | interface IF ... |"
	" default ... | key ...\n";

static void handle_line(struct control_socket *cs, struct client *c, const char *line, size_t len)
{
	struct ctl_cmd cmd;
	char err[160];
	if (ctl_parse(line, len, &cmd, err, sizeof(err)) < 0) {
		ctl_format_bad(&c->out, c->dialect, err);
		return;
	}
	if (ctl_cmd_is_write(cmd.kind) && !c->privileged) {
		char why[200];
		snprintf(why, sizeof(why),
			 "permission denied: uid %" PRIu32 " may only read (write needs root%s%s)",
			 c->uid, cs->cfg.group ? " or group " : "",
			 cs->cfg.group ? cs->cfg.group : "");
		ctl_format_no(&c->out, c->dialect, why);
		return;
	}
	struct ctl_greeting g = greeting(cs);
	switch (cmd.kind) {
	case CTL_CMD_NONE:
		return;
	case CTL_CMD_DUMP:
		ctl_format_dump(&c->out, c->dialect,
				cmd.dump_what | (c->dialect == CTL_JSON &&
								 cmd.dump_what == CTL_DUMP_BABELD
							 ? CTL_DUMP_ALL
							 : 0),
				cs->e, cs->now_ms, &g, cs->hooks.counters, cs->hooks.arg);
		break;
	case CTL_CMD_MONITOR:
		if (!c->monitor) {
			/* Earlier changes go to the other monitors first, so that
			 * this one's dump is where its changes start from. */
			if (cs->baseline && cs->dirty)
				sync_monitors(cs, true);
			else if (!cs->baseline)
				sync_monitors(cs, false);
			c->monitor = true;
			monitors_changed(cs);
		}
		ctl_format_dump(&c->out, c->dialect,
				c->dialect == CTL_JSON ? (CTL_DUMP_BABELD | CTL_DUMP_ROUTER)
						       : CTL_DUMP_BABELD,
				cs->e, cs->now_ms, &g, cs->hooks.counters, cs->hooks.arg);
		break;
	case CTL_CMD_UNMONITOR:
		c->monitor = false;
		monitors_changed(cs);
		break;
	case CTL_CMD_QUIT:
		c->closing = true;
		return; /* babeld closes without a word */
	case CTL_CMD_JSON:
		c->dialect = CTL_JSON;
		break;
	case CTL_CMD_TEXT:
		c->dialect = CTL_TEXT;
		break;
	case CTL_CMD_STATUS:
		do_status(cs, c);
		break;
	case CTL_CMD_STATS: {
		struct engine_stats st;
		engine_get_stats(cs->e, &st);
		ctl_format_stats(&c->out, c->dialect, &st);
		break;
	}
	case CTL_CMD_METRICS:
		do_metrics(cs, c);
		break;
	case CTL_CMD_HELP:
		if (c->dialect == CTL_TEXT)
			ctl_out_printf(&c->out, "%s", help_text);
		break;
	case CTL_CMD_RELOAD:
	case CTL_CMD_FLUSH_INTERFACE:
	case CTL_CMD_INTERFACE_UP:
	case CTL_CMD_INTERFACE_DOWN:
	case CTL_CMD_CONFIG:
		if (!cs->hooks.command) {
			ctl_format_no(&c->out, c->dialect, "not supported by this daemon");
			return;
		}
		err[0] = '\0';
		int r = cs->hooks.command(cs->hooks.arg, &cmd, err, sizeof(err));
		if (r == CTL_COMMAND_BAD) {
			ctl_format_bad(&c->out, c->dialect, err[0] ? err : "malformed");
			return;
		}
		if (r < 0) {
			ctl_format_no(&c->out, c->dialect, err[0] ? err : "failed");
			return;
		}
		cs_log(cs, 1, "control: uid %" PRIu32 " ran \"%.*s\"", c->uid,
		       (int)(len > 200 ? 200 : len), line);
		break;
	}
	ctl_format_ok(&c->out, c->dialect);
}

/* Runs the complete lines in the input buffer while the output is empty
 * (one answer at a time keeps a client's memory bounded). */
static void process_input(struct control_socket *cs, struct client *c)
{
	while (c->fd >= 0 && !c->closing && c->out.len == 0) {
		char *nl = memchr(c->in, '\n', c->inlen);
		if (!nl) {
			if (c->eof && c->discarding) {
				c->inlen = 0;
			} else if (c->eof && c->inlen > 0) {
				/* A last line without its newline. */
				size_t n = c->inlen;
				c->inlen = 0;
				handle_line(cs, c, c->in, n);
			}
			break;
		}
		size_t n = (size_t)(nl - c->in);
		if (c->discarding) {
			c->discarding = false;
		} else {
			handle_line(cs, c, c->in, n);
		}
		memmove(c->in, nl + 1, c->inlen - n - 1);
		c->inlen -= n + 1;
	}
	/* A full buffer without a newline: the line is too long. */
	if (c->fd >= 0 && c->inlen >= sizeof(c->in) && !memchr(c->in, '\n', c->inlen)) {
		if (!c->discarding)
			ctl_format_bad(&c->out, c->dialect, "line too long (limit 1024 bytes)");
		c->discarding = true;
		c->inlen = 0;
	}
}

static void ctl_client_io(void *arg, int fd)
{
	(void)fd;
	struct client *c = arg;
	struct control_socket *cs = c->cs;
	if (c->out.len > 0 && !client_flush(c))
		return;
	if (c->w_read) {
		while (!c->eof && c->inlen < sizeof(c->in)) {
			ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen,
					 MSG_DONTWAIT);
			if (n > 0) {
				c->inlen += (size_t)n;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n < 0) {
				drop_client(cs, c, "read error");
				return;
			}
			c->eof = true;
		}
		process_input(cs, c);
		if (c->fd < 0)
			return;
	}
	/* Answers go out; more lines may wait behind one that just went. */
	for (;;) {
		if ((c->out.len > 0 || c->eof || c->closing) && !client_flush(c))
			return;
		if (c->out.len > 0 || c->inlen == 0 || c->closing)
			break;
		size_t before = c->inlen;
		process_input(cs, c);
		if (c->fd < 0)
			return;
		if (c->out.len == 0 && c->inlen == before)
			break; /* an incomplete line: wait for the rest */
	}
	client_rewatch(c);
}

/* Closing is deferred: the client stays on the list with fd -1 until the
 * next tick frees it, so that no caller holds a freed pointer. */
static void drop_client(struct control_socket *cs, struct client *c, const char *why)
{
	if (c->fd < 0)
		return;
	if (why) {
		cs->dropped++;
		cs_log(cs, 0, "control: dropping client pid %" PRId32 " uid %" PRIu32 ": %s (%zu bytes pending)",
		       c->pid, c->uid, why, c->out.len);
	}
	if (c->watch)
		cs->io_ops.unwatch(cs->io, c->watch);
	c->watch = NULL;
	close(c->fd);
	c->fd = -1;
	bool was_monitor = c->monitor;
	c->monitor = false;
	if (was_monitor)
		monitors_changed(cs);
}

static void reap(struct control_socket *cs)
{
	struct client **pp = &cs->clients;
	while (*pp) {
		struct client *c = *pp;
		if (c->fd >= 0) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		ctl_out_free(&c->out);
		free(c);
		cs->nclients--;
	}
}

static bool in_group(struct control_socket *cs, uid_t uid, gid_t gid)
{
	if (!cs->have_gid)
		return false;
	if (gid == cs->gid)
		return true;
	struct passwd pw, *res = NULL;
	char buf[2048];
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return false;
	gid_t groups[64];
	int ng = 64;
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &ng) < 0)
		return false;
	for (int i = 0; i < ng; i++)
		if (groups[i] == cs->gid)
			return true;
	return false;
}

static void on_accept(void *arg, int lfd)
{
	struct control_socket *cs = arg;
	for (int k = 0; k < 64; k++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				cs_log(cs, -1, "control: accept: %s", strerror(errno));
			return;
		}
		if (cs->nclients >= cs->cfg.max_clients) {
			static const char msg[] = "BABEL 1.0\nno too many clients\n";
			ssize_t ignored = send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			(void)ignored;
			close(fd);
			cs_log(cs, -1, "control: refused a client: %u already connected",
			       cs->cfg.max_clients);
			continue;
		}
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0) {
			cs_log(cs, -1, "control: SO_PEERCRED: %s", strerror(errno));
			close(fd);
			continue;
		}
		struct client *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->cs = cs;
		c->fd = fd;
		c->uid = cred.uid;
		c->gid = cred.gid;
		c->pid = cred.pid;
		c->privileged = cred.uid == 0 || cred.uid == cs->euid || in_group(cs, cred.uid, cred.gid);
		ctl_out_init(&c->out, 0);
		c->next = cs->clients;
		cs->clients = c;
		cs->nclients++;
		struct ctl_greeting g = greeting(cs);
		ctl_format_greeting(&c->out, CTL_TEXT, &g);
		cs_log(cs, 2, "control: client pid %" PRId32 " uid %" PRIu32 " (%s)", c->pid, c->uid,
		       c->privileged ? "read-write" : "read-only");
		if (client_flush(c))
			client_rewatch(c);
	}
}

/* ------------------------------------------------------------ setup */

static int make_dir(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0; /* the current directory or / */
	*slash = '\0';
	struct stat st;
	if (lstat(dir, &st) < 0) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -1;
		}
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
			return -1;
		}
		if (lstat(dir, &st) < 0) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -1;
		}
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", dir);
		return -1;
	}
	/* Anyone who may write the directory may swap our socket. */
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
		snprintf(err, errlen, "%s is writable by everyone: refusing to put the control socket there",
			 dir);
		return -1;
	}
	return 0;
}

static int replace_stale(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1);
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket: remove it or choose another control-socket",
			 path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	close(fd);
	if (r == 0) {
		snprintf(err, errlen, "%s: another mailled is running and listening there", path);
		return -1;
	}
	if (e != ECONNREFUSED) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove stale %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

struct control_socket *control_socket_new(const struct control_config *cfg,
					  const struct ctl_io_ops *io_ops, void *io,
					  const struct control_hooks *hooks, struct engine *e,
					  const uint8_t router_id[8], uint64_t now_ms, char *err,
					  size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (!cfg->path || !*cfg->path || strlen(cfg->path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control-socket path empty or longer than %zu bytes",
			 sizeof(sa.sun_path) - 1);
		return NULL;
	}
	struct control_socket *cs = calloc(1, sizeof(*cs));
	if (!cs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cs->cfg = *cfg;
	if (!cs->cfg.out_limit)
		cs->cfg.out_limit = CTL_DEFAULT_OUT_LIMIT;
	if (!cs->cfg.max_clients)
		cs->cfg.max_clients = CTL_DEFAULT_MAX_CLIENTS;
	cs->cfg.group = NULL; /* kept below, copied */
	cs->path = strdup(cfg->path);
	cs->io_ops = *io_ops;
	cs->io = io;
	if (hooks)
		cs->hooks = *hooks;
	cs->e = e;
	memcpy(cs->rid, router_id, 8);
	cs->started_ms = cs->now_ms = now_ms;
	cs->fd = -1;
	cs->euid = geteuid();
	ctl_out_init(&cs->scratch[0], 0);
	ctl_out_init(&cs->scratch[1], 0);
	snprintf(cs->version, sizeof(cs->version), "%s", cfg->version ? cfg->version : "maille");
	if (cfg->host)
		snprintf(cs->host, sizeof(cs->host), "%s", cfg->host);
	else if (gethostname(cs->host, sizeof(cs->host) - 1) < 0)
		snprintf(cs->host, sizeof(cs->host), "unknown");
	if (!cs->path)
		goto fail_oom;
	if (cfg->group) {
		struct group gr, *res = NULL;
		char buf[4096];
		if (getgrnam_r(cfg->group, &gr, buf, sizeof(buf), &res) != 0 || !res) {
			snprintf(err, errlen, "control-group %s: no such group", cfg->group);
			goto fail;
		}
		cs->have_gid = true;
		cs->gid = gr.gr_gid;
		cs->cfg.group = strdup(cfg->group);
		if (!cs->cfg.group)
			goto fail_oom;
	}
	if (make_dir(cfg->path, err, errlen) < 0 || replace_stale(cfg->path, err, errlen) < 0)
		goto fail;
	cs->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cs->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", cfg->path);
	if (bind(cs->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "bind %s: %s", cfg->path, strerror(errno));
		goto fail;
	}
	/* Anyone who can reach the directory may read; SO_PEERCRED decides
	 * who may write. */
	if (chmod(cfg->path, 0666) < 0 || listen(cs->fd, 512) < 0) {
		snprintf(err, errlen, "%s: %s", cfg->path, strerror(errno));
		unlink(cfg->path);
		goto fail;
	}
	cs->lwatch = cs->io_ops.watch(cs->io, cs->fd, true, false, on_accept, cs);
	if (!cs->lwatch) {
		unlink(cfg->path);
		goto fail_oom;
	}
	return cs;
fail_oom:
	snprintf(err, errlen, "out of memory");
fail:
	if (cs->fd >= 0)
		close(cs->fd);
	free(cs->path);
	free((char *)cs->cfg.group);
	ctl_out_free(&cs->scratch[0]);
	ctl_out_free(&cs->scratch[1]);
	free(cs);
	return NULL;
}

void control_socket_free(struct control_socket *cs)
{
	if (!cs)
		return;
	for (struct client *c = cs->clients; c; c = c->next)
		drop_client(cs, c, NULL);
	reap(cs);
	if (cs->lwatch)
		cs->io_ops.unwatch(cs->io, cs->lwatch);
	if (cs->fd >= 0) {
		close(cs->fd);
		unlink(cs->path);
	}
	snap_free(&cs->ifs);
	snap_free(&cs->nbs);
	snap_free(&cs->rts);
	snap_free(&cs->xrs);
	ctl_out_free(&cs->scratch[0]);
	ctl_out_free(&cs->scratch[1]);
	free(cs->path);
	free((char *)cs->cfg.group);
	free(cs);
}

void control_socket_set_engine(struct control_socket *cs, struct engine *e)
{
	cs->e = e;
	cs->dirty = DIRTY_ALL;
}

void control_socket_event(struct control_socket *cs, const struct engine_event *ev)
{
	if (!cs)
		return;
	if (!ev) {
		cs->dirty |= DIRTY_ALL;
		return;
	}
	switch (ev->kind) {
	case EV_NEIGHBOUR_ADD:
	case EV_NEIGHBOUR_FLUSH:
		cs->dirty |= DIRTY_NB | DIRTY_IF; /* the interface's neighbour count */
		break;
	case EV_NEIGHBOUR_CHANGE:
		cs->dirty |= DIRTY_NB;
		break;
	case EV_ROUTE_ADD:
	case EV_ROUTE_CHANGE:
	case EV_ROUTE_FLUSH:
		cs->dirty |= DIRTY_RT;
		break;
	case EV_XROUTE_ADD:
	case EV_XROUTE_FLUSH:
		cs->dirty |= DIRTY_XR;
		break;
	case EV_SEQNO_CHANGE:
		break;
	}
}

uint64_t control_socket_tick(struct control_socket *cs, uint64_t now_ms)
{
	uint64_t next = UINT64_MAX;
	if (now_ms > cs->now_ms)
		cs->now_ms = now_ms;
	if (cs->nmonitors > 0 && cs->dirty) {
		uint64_t due = cs->last_sync_ms + CTL_MONITOR_INTERVAL_MS;
		if (now_ms >= due)
			sync_monitors(cs, true);
		else
			next = due;
	}
	for (struct client *c = cs->clients; c; c = c->next) {
		if (c->fd < 0 || c->out.len == 0)
			continue;
		if (!cs->io_ops.write_events) {
			ctl_client_io(c, c->fd);
			if (c->fd >= 0 && c->out.len > 0 && now_ms + CTL_RETRY_MS < next)
				next = now_ms + CTL_RETRY_MS;
		} else {
			client_rewatch(c);
		}
	}
	reap(cs);
	return next;
}

int control_socket_fd(const struct control_socket *cs)
{
	return cs->fd;
}

size_t control_socket_clients(const struct control_socket *cs)
{
	size_t n = 0;
	for (const struct client *c = cs->clients; c; c = c->next)
		if (c->fd >= 0)
			n++;
	return n;
}

size_t control_socket_monitors(const struct control_socket *cs)
{
	return cs->nmonitors;
}

uint64_t control_socket_dropped(const struct control_socket *cs)
{
	return cs->dropped;
}
