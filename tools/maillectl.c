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

#define MAX_FIELDS 128

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

/* Objects nest (interface counters, their TLVs by type) up to
 * MAX_DEPTH: nested keys come out as "outer.inner.key". */
#define MAX_DEPTH 4
static const char *parse_obj(const char *p, struct obj *o, const char *prefix, int depth)
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
		snprintf(full, sizeof(full), "%.50s%s%.47s", prefix, *prefix ? "." : "", key);
		if (*p == '{') {
			if (depth >= MAX_DEPTH)
				return NULL;
			p = parse_obj(p, o, full, depth + 1);
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
	return parse_obj(line, o, "", 0) != NULL;
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
};

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

static void on_object(struct ctx *x, const char *line)
{
	struct obj o;
	if (!obj_parse(line, &o)) {
		fprintf(stderr, "maillectl: unreadable line from mailled: %.80s\n", line);
		return;
	}
	const char *kind = getd(&o, "kind");
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
				    getd(&o, "hello_interval_ms"), getd(&o, "neighbours"),
				    getd(&o, "traffic.packets_in"), getd(&o, "traffic.packets_out") };
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
					    "HELLO-MS", "NEIGHBOURS", "PKTS-IN", "PKTS-OUT" };
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
		"  interface IF PARAMETER...   a configuration statement, applied at once\n"
		"  default PARAMETER...        (kept across reloads; see mailled(8))\n"
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
		/* mailled writes the exposition itself (one place knows
		 * every counter); it is text, printed as it comes. */
		x.view = V_METRICS;
		snprintf(cmd, sizeof(cmd), "metrics");
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
	} else if ((strcmp(c0, "interface") == 0 && na >= 3 && ifname_arg_ok(a[1])) ||
		   (strcmp(c0, "default") == 0 && na >= 2)) {
		/* A configuration statement, as in the file: mailled parses it
		 * (and answers "bad" with the reason if it does not parse). */
		size_t len = 0;
		for (int i = 0; i < na; i++) {
			size_t n = strlen(a[i]);
			if (len + n + 2 > sizeof(cmd) || strpbrk(a[i], "\n\r")) {
				fprintf(stderr, "maillectl: statement too long or with a line break\n");
				return EXIT_USAGE;
			}
			memcpy(cmd + len, a[i], n);
			len += n;
			cmd[len++] = i + 1 < na ? ' ' : '\0';
		}
		x.view = V_RAW;
	} else {
		fprintf(stderr, "maillectl: unknown command or wrong arguments: %s\n", c0);
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
	/* Monitor in text keeps babeld's dialect, metrics are text whatever
	 * --json says; everything else runs on JSON. */
	bool session_json = !(follow && !x.json) && x.view != V_METRICS;
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
		rc = run_command(c, &x, cmd, false, false);
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
