/* maillectl: talks to mailled over its control socket.
 *
 * The session is switched to JSON lines; tables are built from them (or
 * the lines are passed through with --json).  "monitor" without --json
 * prints babeld's own dialect, which is what tools and eyes expect there.
 *
 * Exit codes: 0 success, 1 the daemon refused or failed the command,
 * 2 usage, 3 the daemon could not be reached or went away. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/core/prefix.h"

#define DEFAULT_SOCKET "/run/maille/mailled.sock"
#define REPLY_TIMEOUT_MS 15000

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

static const char *sock_path = DEFAULT_SOCKET;

/* ------------------------------------------------------------ the connection */

struct conn {
	int fd;
	char buf[65536];
	size_t len, off;
};

static int conn_open(struct conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sock_path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "maillectl: socket path too long: %s\n", sock_path);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fprintf(stderr, "maillectl: socket: %s\n", strerror(errno));
		return -1;
	}
	c->len = c->off = 0;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	int e = errno;
	if (e == ENOENT || e == ECONNREFUSED)
		fprintf(stderr,
			"maillectl: cannot reach mailled at %s: %s.\n"
			"  Is mailled running?  Start it (e.g. \"systemctl start mailled\" or\n"
			"  \"/etc/init.d/mailled start\"), or give its control-socket with -s PATH.\n",
			sock_path, e == ENOENT ? "no such socket" : "nobody is listening (stale socket)");
	else if (e == EACCES)
		fprintf(stderr,
			"maillectl: cannot reach mailled at %s: permission denied.\n"
			"  The socket's directory must be reachable by your user.\n",
			sock_path);
	else
		fprintf(stderr, "maillectl: cannot reach mailled at %s: %s\n", sock_path,
			strerror(e));
	close(c->fd);
	c->fd = -1;
	return -1;
}

/* The next line (without its newline) into out; 1, 0 at end of stream,
 * -1 on error or timeout (timeout_ms < 0: wait forever). */
static int conn_line(struct conn *c, char *out, size_t size, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(c->buf + c->off, '\n', c->len - c->off);
		if (nl) {
			size_t n = (size_t)(nl - (c->buf + c->off));
			size_t k = n < size - 1 ? n : size - 1;
			memcpy(out, c->buf + c->off, k);
			out[k] = '\0';
			c->off += n + 1;
			return 1;
		}
		if (c->off > 0) {
			memmove(c->buf, c->buf + c->off, c->len - c->off);
			c->len -= c->off;
			c->off = 0;
		}
		if (c->len == sizeof(c->buf)) {
			/* An absurdly long line: return it in pieces. */
			size_t k = size - 1 < c->len ? size - 1 : c->len;
			memcpy(out, c->buf, k);
			out[k] = '\0';
			c->off = k;
			return 1;
		}
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		c->len += (size_t)n;
	}
}

static int conn_send(struct conn *c, const char *line)
{
	size_t n = strlen(line), done = 0;
	while (done < n) {
		ssize_t w = send(c->fd, line + done, n - done, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* ------------------------------------------------------------ flat JSON */

#define MAX_FIELDS 64

struct field {
	char key[100];
	char val[128];
	bool is_string;
};

struct obj {
	struct field f[MAX_FIELDS];
	size_t n;
};

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *parse_string(const char *p, char *out, size_t size)
{
	if (*p != '"')
		return NULL;
	p++;
	size_t k = 0;
	while (*p && *p != '"') {
		char ch = *p;
		if (ch == '\\') {
			p++;
			if (*p == 'u' && p[1] && p[2] && p[3] && p[4]) {
				unsigned v = 0;
				if (sscanf(p + 1, "%4x", &v) != 1)
					return NULL;
				ch = v < 0x80 ? (char)v : '?';
				p += 4;
			} else if (*p == 'n') {
				ch = '\n';
			} else if (*p) {
				ch = *p;
			} else {
				return NULL;
			}
		}
		if (k + 1 < size)
			out[k++] = ch;
		p++;
	}
	if (*p != '"')
		return NULL;
	out[k] = '\0';
	return p + 1;
}

/* Objects nest one level at most (interface counters): nested keys come
 * out as "outer.inner". */
static const char *parse_obj(const char *p, struct obj *o, const char *prefix)
{
	p = skip_ws(p);
	if (*p != '{')
		return NULL;
	p = skip_ws(p + 1);
	if (*p == '}')
		return p + 1;
	for (;;) {
		char key[48];
		p = parse_string(skip_ws(p), key, sizeof(key));
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p != ':')
			return NULL;
		p = skip_ws(p + 1);
		char full[100];
		snprintf(full, sizeof(full), "%.47s%s%.47s", prefix, *prefix ? "." : "", key);
		if (*p == '{') {
			if (*prefix)
				return NULL;
			p = parse_obj(p, o, full);
			if (!p)
				return NULL;
		} else {
			struct field tmp, *f = o->n < MAX_FIELDS ? &o->f[o->n++] : &tmp;
			snprintf(f->key, sizeof(f->key), "%s", full);
			if (*p == '"') {
				f->is_string = true;
				p = parse_string(p, f->val, sizeof(f->val));
				if (!p)
					return NULL;
			} else {
				f->is_string = false;
				size_t k = 0;
				while (*p && *p != ',' && *p != '}' && *p != ' ') {
					if (k + 1 < sizeof(f->val))
						f->val[k++] = *p;
					p++;
				}
				f->val[k] = '\0';
				if (k == 0)
					return NULL;
			}
		}
		p = skip_ws(p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '}')
			return p + 1;
		return NULL;
	}
}

static bool obj_parse(const char *line, struct obj *o)
{
	o->n = 0;
	return parse_obj(line, o, "") != NULL;
}

static const char *get(const struct obj *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->f[i].key, key) == 0)
			return o->f[i].val;
	return NULL;
}

static const char *getd(const struct obj *o, const char *key)
{
	const char *v = get(o, key);
	return v ? v : "-";
}

/* ------------------------------------------------------------ tables */

#define MAX_COLS 10

struct table {
	size_t ncols;
	const char *head[MAX_COLS];
	char **cells; /* rows * ncols */
	size_t rows, cap;
};

static void table_row(struct table *t, const char *const *vals)
{
	if (t->rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));
		if (!c) {
			fprintf(stderr, "maillectl: out of memory\n");
			exit(EXIT_REFUSED);
		}
		t->cells = c;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		char *s = strdup(vals[i] ? vals[i] : "-");
		if (!s) {
			fprintf(stderr, "maillectl: out of memory\n");
			exit(EXIT_REFUSED);
		}
		t->cells[t->rows * t->ncols + i] = s;
	}
	t->rows++;
}

static void table_print(struct table *t)
{
	size_t w[MAX_COLS];
	for (size_t i = 0; i < t->ncols; i++) {
		w[i] = strlen(t->head[i]);
		for (size_t r = 0; r < t->rows; r++) {
			size_t l = strlen(t->cells[r * t->ncols + i]);
			if (l > w[i])
				w[i] = l;
		}
	}
	for (size_t r = 0; r <= t->rows; r++) {
		for (size_t i = 0; i < t->ncols; i++) {
			const char *s = r == 0 ? t->head[i] : t->cells[(r - 1) * t->ncols + i];
			if (i + 1 == t->ncols)
				printf("%s\n", s);
			else
				printf("%-*s  ", (int)w[i], s);
		}
	}
	for (size_t k = 0; k < t->rows * t->ncols; k++)
		free(t->cells[k]);
	free(t->cells);
}

/* ------------------------------------------------------------ commands */

enum view { V_RAW, V_STATUS, V_INTERFACES, V_NEIGHBOURS, V_ROUTES, V_XROUTES, V_SOURCES,
	    V_METRICS };

struct ctx {
	enum view view;
	bool json;
	bool have_filter;
	bool filter_is_addr;
	struct prefix filter;
	struct table t;
	/* metrics */
	struct obj status, stats;
	bool have_status, have_stats;
	size_t routes_installed, routes_selected, routes_feasible, routes_unfeasible, routes_total;
	char *metric_lines;
	size_t metric_len, metric_cap;
};

static void metric_add(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void metric_add(struct ctx *x, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t l = strlen(line);
	if (x->metric_len + l + 1 > x->metric_cap) {
		size_t cap = x->metric_cap ? x->metric_cap * 2 : 4096;
		while (cap < x->metric_len + l + 1)
			cap *= 2;
		char *b = realloc(x->metric_lines, cap);
		if (!b)
			return;
		x->metric_lines = b;
		x->metric_cap = cap;
	}
	memcpy(x->metric_lines + x->metric_len, line, l + 1);
	x->metric_len += l;
}

static bool route_matches(const struct ctx *x, const struct obj *o)
{
	if (!x->have_filter)
		return true;
	struct prefix p;
	const char *s = get(o, "prefix");
	if (!s || prefix_parse(s, &p) < 0)
		return false;
	/* An address: the routes that cover it.  A prefix: the routes inside. */
	return x->filter_is_addr ? prefix_contains(&p, &x->filter)
				 : prefix_contains(&x->filter, &p);
}

/* Label values in Prometheus text: backslash, quote and newline escaped. */
static const char *lv(const char *s, char *buf, size_t size)
{
	size_t k = 0;
	for (; s && *s && k + 2 < size; s++) {
		if (*s == '\\' || *s == '"')
			buf[k++] = '\\';
		buf[k++] = *s == '\n' ? ' ' : *s;
	}
	buf[k] = '\0';
	return buf;
}

static void on_object(struct ctx *x, const char *line)
{
	struct obj o;
	if (!obj_parse(line, &o)) {
		fprintf(stderr, "maillectl: unreadable line from mailled: %.80s\n", line);
		return;
	}
	const char *kind = getd(&o, "kind");
	if (x->view == V_METRICS) {
		char a[128], b[128];
		if (strcmp(kind, "status") == 0) {
			x->status = o;
			x->have_status = true;
		} else if (strcmp(kind, "stats") == 0) {
			x->stats = o;
			x->have_stats = true;
		} else if (strcmp(kind, "neighbour") == 0) {
			lv(getd(&o, "interface"), a, sizeof(a));
			lv(getd(&o, "address"), b, sizeof(b));
			metric_add(x, "maille_neighbour_cost{interface=\"%s\",address=\"%s\"} %s\n", a,
				   b, getd(&o, "cost"));
			metric_add(x, "maille_neighbour_rxcost{interface=\"%s\",address=\"%s\"} %s\n", a,
				   b, getd(&o, "rxcost"));
			metric_add(x, "maille_neighbour_txcost{interface=\"%s\",address=\"%s\"} %s\n", a,
				   b, getd(&o, "txcost"));
			const char *rtt = get(&o, "rtt_us");
			if (rtt && strcmp(rtt, "null") != 0)
				metric_add(x,
					   "maille_neighbour_rtt_seconds{interface=\"%s\",address=\"%s\"} %.6f\n",
					   a, b, strtod(rtt, NULL) / 1e6);
		} else if (strcmp(kind, "interface") == 0) {
			lv(getd(&o, "name"), a, sizeof(a));
			metric_add(x, "maille_interface_neighbours{interface=\"%s\"} %s\n", a,
				   getd(&o, "neighbours"));
			static const char *const c[][3] = {
				{ "counters.packets_in", "packets", "in" },
				{ "counters.packets_out", "packets", "out" },
				{ "counters.bytes_in", "bytes", "in" },
				{ "counters.bytes_out", "bytes", "out" },
				{ "counters.errors_in", "errors", "in" },
				{ "counters.errors_out", "errors", "out" },
			};
			for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
				const char *v = get(&o, c[i][0]);
				if (v)
					metric_add(x,
						   "maille_interface_%s_total{interface=\"%s\",direction=\"%s\"} %s\n",
						   c[i][1], a, c[i][2], v);
			}
		} else if (strcmp(kind, "route") == 0) {
			x->routes_total++;
			const char *inst = get(&o, "installed"), *sel = get(&o, "selected"),
				   *fea = get(&o, "feasible");
			if (inst && strcmp(inst, "true") == 0)
				x->routes_installed++;
			if (sel && strcmp(sel, "true") == 0)
				x->routes_selected++;
			if (fea && strcmp(fea, "true") == 0)
				x->routes_feasible++;
			else
				x->routes_unfeasible++;
		}
		return;
	}
	if (x->view == V_STATUS && strcmp(kind, "status") == 0) {
		printf("router-id   %s\nseqno       %s\nversion     %s\nhost        %s\n"
		       "uptime      %s s\ninterfaces  %s\nneighbours  %s\nroutes      %s (%s installed)\n"
		       "xroutes     %s\nsources     %s\n",
		       getd(&o, "router_id"), getd(&o, "seqno"), getd(&o, "version"),
		       getd(&o, "host"), getd(&o, "uptime_s"), getd(&o, "interfaces"),
		       getd(&o, "neighbours"), getd(&o, "routes"), getd(&o, "installed"),
		       getd(&o, "xroutes"), getd(&o, "sources"));
		return;
	}
	if (x->view == V_INTERFACES && strcmp(kind, "interface") == 0) {
		const char *v[] = { getd(&o, "name"), getd(&o, "up"), getd(&o, "type"),
				    getd(&o, "ipv6"), getd(&o, "rxcost"),
				    getd(&o, "hello_interval_ms"), getd(&o, "neighbours") };
		table_row(&x->t, v);
	} else if (x->view == V_NEIGHBOURS && strcmp(kind, "neighbour") == 0) {
		const char *rtt = getd(&o, "rtt_us");
		char rbuf[32];
		if (strcmp(rtt, "null") == 0)
			rtt = "-";
		else {
			snprintf(rbuf, sizeof(rbuf), "%.3f ms", strtod(rtt, NULL) / 1000.0);
			rtt = rbuf;
		}
		const char *v[] = { getd(&o, "address"), getd(&o, "interface"), getd(&o, "reach"),
				    getd(&o, "rxcost"), getd(&o, "txcost"), getd(&o, "cost"), rtt,
				    getd(&o, "routes") };
		table_row(&x->t, v);
	} else if (x->view == V_ROUTES && strcmp(kind, "route") == 0) {
		if (!route_matches(x, &o))
			return;
		const char *from = getd(&o, "from");
		char pbuf[140];
		if (strcmp(from, "::/0") == 0 || strcmp(from, "0.0.0.0/0") == 0)
			snprintf(pbuf, sizeof(pbuf), "%s", getd(&o, "prefix"));
		else
			snprintf(pbuf, sizeof(pbuf), "%s from %s", getd(&o, "prefix"), from);
		const char *inst = getd(&o, "installed");
		const char *sel = getd(&o, "selected"), *fea = getd(&o, "feasible");
		const char *state = strcmp(inst, "true") == 0 ? "installed"
				    : strcmp(sel, "true") == 0 ? "selected"
				    : strcmp(fea, "true") == 0 ? "feasible"
							       : "unfeasible";
		const char *v[] = { pbuf, getd(&o, "metric"), getd(&o, "via"),
				    getd(&o, "interface"), getd(&o, "router_id"), getd(&o, "seqno"),
				    state };
		table_row(&x->t, v);
	} else if (x->view == V_XROUTES && strcmp(kind, "xroute") == 0) {
		const char *v[] = { getd(&o, "prefix"), getd(&o, "from"), getd(&o, "metric"),
				    getd(&o, "kernel_protocol"),
				    strcmp(getd(&o, "local"), "true") == 0 ? "local" : "redistributed" };
		table_row(&x->t, v);
	} else if (x->view == V_SOURCES && strcmp(kind, "source") == 0) {
		char gc[32];
		snprintf(gc, sizeof(gc), "%.0f s", strtod(getd(&o, "gc_in_ms"), NULL) / 1000.0);
		const char *v[] = { getd(&o, "prefix"), getd(&o, "from"), getd(&o, "router_id"),
				    getd(&o, "seqno"), getd(&o, "metric"), gc };
		table_row(&x->t, v);
	}
}

static void table_setup(struct ctx *x)
{
	static const char *const h_if[] = { "INTERFACE", "UP", "TYPE", "ADDRESS", "RXCOST",
					    "HELLO-MS", "NEIGHBOURS" };
	static const char *const h_nb[] = { "NEIGHBOUR", "INTERFACE", "REACH", "RXCOST",
					    "TXCOST", "COST", "RTT", "ROUTES" };
	static const char *const h_rt[] = { "PREFIX", "METRIC", "NEXT-HOP", "INTERFACE",
					    "ROUTER-ID", "SEQNO", "STATE" };
	static const char *const h_xr[] = { "PREFIX", "FROM", "METRIC", "PROTO", "ORIGIN" };
	static const char *const h_src[] = { "PREFIX", "FROM", "ROUTER-ID", "SEQNO", "METRIC",
					     "FORGET-IN" };
	const char *const *h = NULL;
	size_t n = 0;
#define SET(a) (h = (a), n = sizeof(a) / sizeof((a)[0]))
	switch (x->view) {
	case V_INTERFACES:
		SET(h_if);
		break;
	case V_NEIGHBOURS:
		SET(h_nb);
		break;
	case V_ROUTES:
		SET(h_rt);
		break;
	case V_XROUTES:
		SET(h_xr);
		break;
	case V_SOURCES:
		SET(h_src);
		break;
	default:
		break;
	}
#undef SET
	x->t.ncols = n;
	for (size_t i = 0; i < n; i++)
		x->t.head[i] = h[i];
}

static bool is_reply(const char *line, bool json)
{
	if (json)
		return strncmp(line, "{\"reply\":", 9) == 0;
	return strcmp(line, "ok") == 0 || strncmp(line, "no", 2) == 0 ||
	       strncmp(line, "bad", 3) == 0;
}

static bool reply_ok(const char *line, bool json)
{
	return json ? strncmp(line, "{\"reply\":\"ok\"", 13) == 0 : strcmp(line, "ok") == 0;
}

static void print_refusal(const char *line, bool json)
{
	if (json) {
		struct obj o;
		if (obj_parse(line, &o))
			fprintf(stderr, "maillectl: mailled says %s: %s\n", getd(&o, "reply"),
				getd(&o, "reason"));
		else
			fprintf(stderr, "maillectl: mailled says: %s\n", line);
	} else {
		fprintf(stderr, "maillectl: mailled says: %s\n", line);
	}
}

/* Sends one command and reads up to its reply.  Returns an exit code. */
static int run_command(struct conn *c, struct ctx *x, const char *cmd, bool session_json,
		       bool pass_through)
{
	char line[8192];
	char send_buf[1100];
	snprintf(send_buf, sizeof(send_buf), "%s\n", cmd);
	if (conn_send(c, send_buf) < 0) {
		fprintf(stderr, "maillectl: mailled closed the connection\n");
		return EXIT_UNREACHABLE;
	}
	for (;;) {
		int r = conn_line(c, line, sizeof(line), REPLY_TIMEOUT_MS);
		if (r <= 0) {
			fprintf(stderr, "maillectl: %s while waiting for mailled's answer to \"%s\"\n",
				r == 0 ? "connection closed" : "timeout or error", cmd);
			return EXIT_UNREACHABLE;
		}
		if (is_reply(line, session_json)) {
			if (reply_ok(line, session_json))
				return EXIT_OK;
			if (pass_through && x->json)
				printf("%s\n", line);
			print_refusal(line, session_json);
			return EXIT_REFUSED;
		}
		if (pass_through && x->json) {
			struct obj o;
			if (x->view == V_ROUTES && x->have_filter &&
			    (!obj_parse(line, &o) || !route_matches(x, &o)))
				continue;
			printf("%s\n", line);
		} else if (session_json)
			on_object(x, line);
		else
			printf("%s\n", line);
	}
}

static void print_metrics(struct ctx *x)
{
	const struct obj *s = &x->status;
	printf("# HELP maille_info mailled's identity.\n# TYPE maille_info gauge\n");
	char a[128], b[128];
	printf("maille_info{router_id=\"%s\",version=\"%s\"} 1\n",
	       lv(getd(s, "router_id"), a, sizeof(a)), lv(getd(s, "version"), b, sizeof(b)));
	printf("# HELP maille_seqno Our current sequence number.\n# TYPE maille_seqno gauge\n");
	printf("maille_seqno %s\n", getd(s, "seqno"));
	printf("# HELP maille_uptime_seconds Time since mailled started.\n"
	       "# TYPE maille_uptime_seconds gauge\nmaille_uptime_seconds %s\n",
	       getd(s, "uptime_s"));
	printf("# HELP maille_interfaces Interfaces Babel runs on.\n# TYPE maille_interfaces gauge\n"
	       "maille_interfaces %s\n",
	       getd(s, "interfaces"));
	printf("# HELP maille_neighbours Neighbours.\n# TYPE maille_neighbours gauge\n"
	       "maille_neighbours %s\n",
	       getd(s, "neighbours"));
	printf("# HELP maille_xroutes Routes we originate.\n# TYPE maille_xroutes gauge\n"
	       "maille_xroutes %s\n",
	       getd(s, "xroutes"));
	printf("# HELP maille_sources Entries of the source table.\n# TYPE maille_sources gauge\n"
	       "maille_sources %s\n",
	       getd(s, "sources"));
	printf("# HELP maille_routes Routes learnt from neighbours, by state.\n"
	       "# TYPE maille_routes gauge\n");
	printf("maille_routes{state=\"all\"} %zu\n", x->routes_total);
	printf("maille_routes{state=\"installed\"} %zu\n", x->routes_installed);
	printf("maille_routes{state=\"selected\"} %zu\n", x->routes_selected);
	printf("maille_routes{state=\"feasible\"} %zu\n", x->routes_feasible);
	printf("maille_routes{state=\"unfeasible\"} %zu\n", x->routes_unfeasible);
	static const char *const counters[][3] = {
		{ "packets_in", "maille_packets_received_total", "Babel packets received." },
		{ "packets_out", "maille_packets_sent_total", "Babel packets sent." },
		{ "bytes_out", "maille_bytes_sent_total", "Bytes of Babel packets sent." },
		{ "updates_in", "maille_updates_received_total", "Update TLVs received." },
		{ "fib_changes", "maille_kernel_route_operations_total",
		  "Route additions, replacements and removals asked of the kernel." },
		{ "seqno_requests_forwarded", "maille_seqno_requests_forwarded_total",
		  "Seqno requests forwarded." },
		{ "acks_resent", "maille_acks_resent_total", "Ack requests sent again." },
	};
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		printf("# HELP %s %s\n# TYPE %s counter\n%s %s\n", counters[i][1], counters[i][2],
		       counters[i][1], counters[i][1], getd(&x->stats, counters[i][0]));
	}
	static const char *const drops[][2] = {
		{ "packets_dropped", "packet" },
		{ "tlvs_malformed", "malformed_tlv" },
		{ "tlvs_ignored", "ignored_tlv" },
		{ "updates_unfeasible", "unfeasible_update" },
		{ "updates_filtered", "filtered_update" },
		{ "seqno_requests_suppressed", "duplicate_seqno_request" },
		{ "acks_given_up", "ack_given_up" },
	};
	printf("# HELP maille_drops_total What was dropped or refused, by reason.\n"
	       "# TYPE maille_drops_total counter\n");
	for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++)
		printf("maille_drops_total{reason=\"%s\"} %s\n", drops[i][1],
		       getd(&x->stats, drops[i][0]));
	printf("# HELP maille_neighbour_cost Link cost to each neighbour.\n"
	       "# TYPE maille_neighbour_cost gauge\n"
	       "# HELP maille_neighbour_rxcost Cost we advertise in IHUs.\n"
	       "# TYPE maille_neighbour_rxcost gauge\n"
	       "# HELP maille_neighbour_txcost Cost the neighbour advertises.\n"
	       "# TYPE maille_neighbour_txcost gauge\n"
	       "# HELP maille_neighbour_rtt_seconds Smoothed RTT (RFC 9616).\n"
	       "# TYPE maille_neighbour_rtt_seconds gauge\n"
	       "# HELP maille_interface_neighbours Neighbours per interface.\n"
	       "# TYPE maille_interface_neighbours gauge\n"
	       "# HELP maille_interface_packets_total Packets per interface and direction.\n"
	       "# TYPE maille_interface_packets_total counter\n"
	       "# HELP maille_interface_bytes_total Bytes per interface and direction.\n"
	       "# TYPE maille_interface_bytes_total counter\n"
	       "# HELP maille_interface_errors_total Socket errors per interface and direction.\n"
	       "# TYPE maille_interface_errors_total counter\n");
	if (x->metric_lines)
		fputs(x->metric_lines, stdout);
	free(x->metric_lines);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: maillectl [-s SOCKET] [--json] COMMAND\n"
		"commands:\n"
		"  status                      router-id, seqno and counts\n"
		"  interfaces | neighbours | xroutes | sources\n"
		"  routes [PREFIX|ADDRESS]     routes inside PREFIX, or covering ADDRESS\n"
		"  monitor                     follow changes (babeld's format, or JSON)\n"
		"  metrics                     Prometheus text exposition\n"
		"  reload                      read the configuration again\n"
		"  flush interface IF          forget IF's neighbours and routes\n"
		"  interface IF up|down\n"
		"default socket: %s\n"
		"exit codes: 0 ok, 1 refused or failed, 2 usage, 3 mailled unreachable\n",
		DEFAULT_SOCKET);
}

static bool ifname_arg_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= 15 && !strpbrk(s, " \t\n/");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx x;
	memset(&x, 0, sizeof(x));
	const char *env = getenv("MAILLE_CONTROL_SOCKET");
	if (env && *env)
		sock_path = env;
	int o;
	while ((o = getopt_long(argc, argv, "+s:jh", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			sock_path = optarg;
			break;
		case 'j':
			x.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	int na = argc - optind;
	char **a = argv + optind;
	if (na < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* Trailing --json after the command is accepted too. */
	if (na > 1 && strcmp(a[na - 1], "--json") == 0) {
		x.json = true;
		na--;
	}
	char cmd[1100];
	bool follow = false;
	const char *c0 = a[0];
	if (strcmp(c0, "status") == 0 && na == 1) {
		x.view = V_STATUS;
		snprintf(cmd, sizeof(cmd), "status");
	} else if (strcmp(c0, "interfaces") == 0 && na == 1) {
		x.view = V_INTERFACES;
		snprintf(cmd, sizeof(cmd), "dump interfaces");
	} else if ((strcmp(c0, "neighbours") == 0 || strcmp(c0, "neighbors") == 0) && na == 1) {
		x.view = V_NEIGHBOURS;
		snprintf(cmd, sizeof(cmd), "dump neighbours");
	} else if (strcmp(c0, "routes") == 0 && na <= 2) {
		x.view = V_ROUTES;
		snprintf(cmd, sizeof(cmd), "dump routes");
		if (na == 2) {
			if (prefix_parse(a[1], &x.filter) < 0) {
				fprintf(stderr, "maillectl: not a prefix or address: %s\n", a[1]);
				return EXIT_USAGE;
			}
			x.have_filter = true;
			x.filter_is_addr = strchr(a[1], '/') == NULL;
		}
	} else if (strcmp(c0, "xroutes") == 0 && na == 1) {
		x.view = V_XROUTES;
		snprintf(cmd, sizeof(cmd), "dump xroutes");
	} else if (strcmp(c0, "sources") == 0 && na == 1) {
		x.view = V_SOURCES;
		snprintf(cmd, sizeof(cmd), "dump sources");
	} else if (strcmp(c0, "monitor") == 0 && na == 1) {
		x.view = V_RAW;
		follow = true;
		snprintf(cmd, sizeof(cmd), "monitor");
	} else if (strcmp(c0, "metrics") == 0 && na == 1) {
		x.view = V_METRICS;
		snprintf(cmd, sizeof(cmd), "status");
	} else if (strcmp(c0, "reload") == 0 && na == 1) {
		x.view = V_RAW;
		snprintf(cmd, sizeof(cmd), "reload");
	} else if (strcmp(c0, "flush") == 0 && na == 3 && strcmp(a[1], "interface") == 0 &&
		   ifname_arg_ok(a[2])) {
		x.view = V_RAW;
		snprintf(cmd, sizeof(cmd), "flush interface %s", a[2]);
	} else if (strcmp(c0, "interface") == 0 && na == 3 && ifname_arg_ok(a[1]) &&
		   (strcmp(a[2], "up") == 0 || strcmp(a[2], "down") == 0)) {
		x.view = V_RAW;
		snprintf(cmd, sizeof(cmd), "interface %s %s", a[1], a[2]);
	} else {
		usage(stderr);
		return EXIT_USAGE;
	}

	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return EXIT_REFUSED;
	if (conn_open(c) < 0)
		return EXIT_UNREACHABLE;
	char line[8192];
	/* The greeting, up to its "ok". */
	bool babel = false;
	for (;;) {
		int r = conn_line(c, line, sizeof(line), REPLY_TIMEOUT_MS);
		if (r <= 0) {
			fprintf(stderr, "maillectl: %s: no greeting from mailled\n", sock_path);
			return EXIT_UNREACHABLE;
		}
		if (strcmp(line, "BABEL 1.0") == 0)
			babel = true;
		else if (strncmp(line, "no", 2) == 0) {
			fprintf(stderr, "maillectl: mailled says: %s\n", line);
			return EXIT_REFUSED;
		}
		if (strcmp(line, "ok") == 0)
			break;
	}
	if (!babel) {
		fprintf(stderr, "maillectl: %s does not speak the Babel control protocol\n",
			sock_path);
		return EXIT_UNREACHABLE;
	}
	/* Monitor in text keeps babeld's dialect; everything else runs on JSON. */
	bool session_json = !(follow && !x.json);
	if (session_json) {
		/* The answer to "json" is already a JSON line. */
		int r = run_command(c, &x, "json", true, false);
		if (r != EXIT_OK)
			return r;
	}
	table_setup(&x);
	int rc;
	if (follow) {
		if (conn_send(c, "monitor\n") < 0)
			return EXIT_UNREACHABLE;
		for (;;) {
			int r = conn_line(c, line, sizeof(line), -1);
			if (r <= 0) {
				fprintf(stderr, "maillectl: mailled closed the connection\n");
				return EXIT_UNREACHABLE;
			}
			if (is_reply(line, session_json) && !reply_ok(line, session_json)) {
				print_refusal(line, session_json);
				return EXIT_REFUSED;
			}
			printf("%s\n", line);
			fflush(stdout);
		}
	}
	if (x.view == V_METRICS) {
		rc = run_command(c, &x, "status", true, false);
		if (rc == EXIT_OK)
			rc = run_command(c, &x, "stats", true, false);
		if (rc == EXIT_OK)
			rc = run_command(c, &x, "dump interfaces neighbours routes", true, false);
		if (rc == EXIT_OK)
			print_metrics(&x);
	} else {
		rc = run_command(c, &x, cmd, true, x.json || x.view == V_RAW);
		if (rc == EXIT_OK && !x.json && x.t.ncols)
			table_print(&x.t);
	}
	(void)conn_send(c, "quit\n");
	close(c->fd);
	free(c);
	return rc;
}
