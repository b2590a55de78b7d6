/* kisssim: N KISS TNC endpoints (TCP ports, ptys) on one simulated radio
 * channel.  The channel model is tools/kisssim_channel.c; this file is the
 * I/O around it: sockets, ptys, the clock, the air log and the statistics.
 * kisssim.1 documents the command line. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "proto/ax25.h"
#include "proto/kiss.h"
#include "tools/kisssim_channel.h"

#define CLIENTS_MAX 4           /* TCP clients per station */
#define OUT_MAX (64 * 1024)     /* bytes pending to one client */
#define PTY_RECHECK_US 200000u  /* how often an unopened pty is looked at */
/* The smallest AX.25 frame: two addresses and a control octet.  Dire Wolf
 * refuses shorter data frames, so do we. */
#define AX25_FRAME_MIN (2 * AX25_ADDR_LEN + 1)

struct client {
	int fd;
	bool is_pty;
	bool warned; /* one stderr line per client about its garbage */
	struct kiss_decoder dec;
	size_t outlen;
	uint8_t out[OUT_MAX];
};

struct endpoint {
	unsigned id;
	int listen_fd;
	char tcp_text[80];
	struct client *cl[CLIENTS_MAX];
	unsigned ncl;
	int pty_fd;
	bool pty_open;   /* a slave is open: the pty client is present */
	uint64_t pty_recheck;
	char pty_path[64];
	struct client *pty; /* the pty master as a client */
	uint64_t dropped_out; /* frames not written to a slow client */
	uint64_t ignored;     /* KISS frames ignored (other ports, too short) */
};

static struct {
	struct ksc_channel *ch;
	unsigned n;
	struct endpoint ep[KSC_STATIONS_MAX];
	FILE *log;
	struct timespec t0;
	uint32_t baud;
} sim;

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t stats_signal;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		stats_signal = 1;
	else
		stop_signal = sig;
}

static uint64_t now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	int64_t us = (int64_t)(t.tv_sec - sim.t0.tv_sec) * 1000000 +
		     (t.tv_nsec - sim.t0.tv_nsec) / 1000;
	return us < 0 ? 0 : (uint64_t)us;
}

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("kisssim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "kisssim: %.6f: ", (double)now_us() / 1e6);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ------------------------------------------------------------ output */

static bool station_present(const struct endpoint *e)
{
	return e->ncl > 0 || (e->pty && e->pty_open);
}

static void client_flush(struct client *c)
{
	while (c->outlen > 0) {
		ssize_t w = c->is_pty ? write(c->fd, c->out, c->outlen)
				      : send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
		if (w <= 0)
			return; /* EAGAIN, or an error that reading will see */
		memmove(c->out, c->out + w, c->outlen - (size_t)w);
		c->outlen -= (size_t)w;
	}
}

/* Queues one KISS frame to a client; false when its buffer is full. */
static bool client_put(struct client *c, unsigned cmd, const uint8_t *data, size_t len)
{
	size_t need = kiss_encode(NULL, 0, 0, cmd, data, len);
	if (need == 0 || need > OUT_MAX - c->outlen)
		return false;
	kiss_encode(c->out + c->outlen, OUT_MAX - c->outlen, 0, cmd, data, len);
	c->outlen += need;
	client_flush(c);
	return true;
}

static void deliver(struct endpoint *e, const uint8_t *data, size_t len)
{
	for (unsigned i = 0; i < e->ncl; i++)
		if (!client_put(e->cl[i], KISS_CMD_DATA, data, len))
			e->dropped_out++;
	if (e->pty && e->pty_open && !client_put(e->pty, KISS_CMD_DATA, data, len))
		e->dropped_out++;
}

static void print_mask(FILE *f, const char *what, uint32_t mask)
{
	fprintf(f, " %s ", what);
	if (!mask) {
		fputc('-', f);
		return;
	}
	bool first = true;
	for (unsigned i = 0; i < KSC_STATIONS_MAX; i++)
		if (mask & (1u << i)) {
			fprintf(f, "%s%u", first ? "" : ",", i);
			first = false;
		}
}

static void on_report(void *ctx, const struct ksc_report *r)
{
	(void)ctx;
	char who[2 * AX25_ADDR_TEXT_MAX + 2] = "?";
	struct ax25_ui ui;
	if (ax25_ui_decode(r->data, r->len, &ui) == AX25_OK) {
		char s[AX25_ADDR_TEXT_MAX], d[AX25_ADDR_TEXT_MAX];
		ax25_addr_format(&ui.src, s, sizeof s);
		ax25_addr_format(&ui.dst, d, sizeof d);
		snprintf(who, sizeof who, "%s>%s", s, d);
	}
	FILE *f = sim.log;
	fprintf(f, "%.6f tx %u %s %zu bytes air %.6f keyed %.6f", (double)r->start_us / 1e6,
		r->station, who, r->len, (double)r->airtime_us / 1e6,
		(double)(r->key_end_us - r->start_us) / 1e6);
	print_mask(f, "delivered", r->delivered);
	print_mask(f, "collided", r->collided);
	print_mask(f, "lost", r->lost);
	print_mask(f, "deaf", r->deaf);
	print_mask(f, "absent", r->absent);
	fputc('\n', f);
	fflush(f);
	for (unsigned i = 0; i < sim.n; i++)
		if (r->delivered & (1u << i))
			deliver(&sim.ep[i], r->data, r->len);
}

static void print_stats(FILE *f)
{
	struct ksc_stats s;
	ksc_get_stats(sim.ch, now_us(), &s);
	double el = s.elapsed_us ? (double)s.elapsed_us : 1.0;
	fprintf(f, "channel use over %.3f s at %" PRIu32 " baud: busy %.2f%%\n",
		(double)s.elapsed_us / 1e6, sim.baud, 100.0 * (double)s.busy_us / el);
	for (unsigned i = 0; i < sim.n; i++) {
		const struct ksc_station_stats *t = &s.st[i];
		fprintf(f,
			"  station %u: keyed %.2f%% sent %" PRIu64 " refused %" PRIu64
			" | received %" PRIu64 " collided %" PRIu64 " lost %" PRIu64
			" deaf %" PRIu64 " absent %" PRIu64 " | dropped to slow client %" PRIu64
			" ignored %" PRIu64 "\n",
			i, 100.0 * (double)t->keyed_us / el, t->frames_sent, t->frames_refused,
			t->rx_delivered, t->rx_collided, t->rx_lost, t->rx_deaf, t->rx_absent,
			sim.ep[i].dropped_out, sim.ep[i].ignored);
	}
	fflush(f);
}

/* ------------------------------------------------------------ input */

struct frame_ctx {
	struct endpoint *e;
	struct client *c;
};

static bool is_txbuf_query(const struct kiss_frame *f)
{
	/* Dire Wolf reads "COMMAND:params"; the query is "TXBUF" with no
	 * parameter, with or without its colon. */
	return (f->len == 5 || f->len == 6) && memcmp(f->data, "TXBUF:", f->len) == 0;
}

static void on_frame(void *ctx, const struct kiss_frame *f)
{
	struct frame_ctx *fc = ctx;
	struct endpoint *e = fc->e;
	if (f->port != 0) {
		e->ignored++;
		return;
	}
	switch (f->cmd) {
	case KISS_CMD_DATA:
		if (f->len < AX25_FRAME_MIN) {
			e->ignored++;
			return;
		}
		ksc_send(sim.ch, e->id, now_us(), f->data, f->len);
		return;
	case KISS_CMD_TXDELAY:
	case KISS_CMD_P:
	case KISS_CMD_SLOTTIME:
	case KISS_CMD_TXTAIL:
	case KISS_CMD_FULLDUPLEX:
		if (f->len < 1) {
			e->ignored++;
			return;
		}
		ksc_set_param(sim.ch, e->id, f->cmd, f->data[0]);
		return;
	case KISS_CMD_SETHARDWARE:
		if (is_txbuf_query(f)) {
			char reply[32];
			int n = snprintf(reply, sizeof reply, "TXBUF:%" PRIu32,
					 ksc_queued_bytes(sim.ch, e->id));
			if (!client_put(fc->c, KISS_CMD_SETHARDWARE, (const uint8_t *)reply,
					(size_t)n))
				e->dropped_out++;
			return;
		}
		e->ignored++;
		return;
	default:
		e->ignored++;
		return;
	}
}

/* Reads what the client sent; false when it is gone. */
static bool client_read(struct endpoint *e, struct client *c)
{
	uint8_t buf[4096];
	ssize_t r = read(c->fd, buf, sizeof buf);
	if (r == 0)
		return false;
	if (r < 0)
		return errno == EAGAIN || errno == EINTR;
	struct frame_ctx fc = { e, c };
	struct kiss_stats before = c->dec.stats;
	kiss_decoder_feed(&c->dec, buf, (size_t)r, on_frame, &fc);
	if (!c->warned && (c->dec.stats.garbage != before.garbage ||
			   c->dec.stats.oversized != before.oversized ||
			   c->dec.stats.bad_escape != before.bad_escape)) {
		note("station %u: client sent bytes that are not KISS (ignored)", e->id);
		c->warned = true;
	}
	return true;
}

static struct client *client_new(int fd, bool is_pty)
{
	struct client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->fd = fd;
	c->is_pty = is_pty;
	kiss_decoder_init(&c->dec, 0);
	return c;
}

static void update_presence(struct endpoint *e, bool was)
{
	bool is = station_present(e);
	if (is != was) {
		ksc_set_present(sim.ch, e->id, now_us(), is);
		note("station %u: %s", e->id, is ? "client attached" : "no client: silent");
	}
}

static void client_drop(struct endpoint *e, unsigned i)
{
	bool was = station_present(e);
	close(e->cl[i]->fd);
	free(e->cl[i]);
	e->cl[i] = e->cl[--e->ncl];
	update_presence(e, was);
}

static void accept_client(struct endpoint *e)
{
	int fd = accept4(e->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (e->ncl >= CLIENTS_MAX) {
		note("station %u: refusing a client: %d already", e->id, CLIENTS_MAX);
		close(fd);
		return;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct client *c = client_new(fd, false);
	if (!c) {
		close(fd);
		return;
	}
	bool was = station_present(e);
	e->cl[e->ncl++] = c;
	update_presence(e, was);
}

/* ------------------------------------------------------------ setup */

static void open_tcp(struct endpoint *e, const char *host, unsigned port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai;
	char ps[16];
	snprintf(ps, sizeof ps, "%u", port);
	int err = getaddrinfo(host, ps, &hints, &ai);
	if (err)
		die("--tcp %s: %s", host, gai_strerror(err));
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 8) < 0)
		die("station %u: cannot listen on %s port %u: %s", e->id, host, port,
		    strerror(errno));
	freeaddrinfo(ai);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	char h[64], s[16];
	getnameinfo((struct sockaddr *)&ss, sl, h, sizeof h, s, sizeof s,
		    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(e->tcp_text, sizeof e->tcp_text, strchr(h, ':') ? "[%s]:%s" : "%s:%s", h, s);
	e->listen_fd = fd;
}

static void set_raw(int fd)
{
	struct termios t;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
}

static void open_pty(struct endpoint *e)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || grantpt(fd) < 0 || unlockpt(fd) < 0)
		die("station %u: cannot open a pty: %s", e->id, strerror(errno));
	if (ptsname_r(fd, e->pty_path, sizeof e->pty_path) != 0)
		die("station %u: ptsname: %s", e->id, strerror(errno));
	/* Raw, so that the line discipline neither echoes nor rewrites
	 * bytes (a TNC on a serial line sees exactly what is sent). */
	set_raw(fd);
	/* The master reports a hangup only once a slave has been opened and
	 * closed again: do that once, so that "no client" shows from the
	 * start. */
	int slave = open(e->pty_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave >= 0)
		close(slave);
	e->pty_fd = fd;
	e->pty = client_new(fd, true);
	if (!e->pty)
		die("out of memory");
}

/* "a-b" (both ways) or "a>b" (b hears a); returns the list's next char. */
static const char *parse_pair(const char *s, const char *opt, unsigned *a, unsigned *b,
			      bool *both)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10);
	if (end == s || (*end != '-' && *end != '>'))
		die("%s: expected A-B or A>B at \"%s\"", opt, s);
	*both = *end == '-';
	const char *t = end + 1;
	unsigned long y = strtoul(t, &end, 10);
	if (end == t)
		die("%s: expected a station number at \"%s\"", opt, t);
	if (x >= sim.n || y >= sim.n || x == y)
		die("%s: %lu and %lu must be two stations of 0..%u", opt, x, y, sim.n - 1);
	*a = (unsigned)x;
	*b = (unsigned)y;
	return end;
}

static void parse_hear(struct ksc_config *cfg, const char *s)
{
	memset(cfg->hear, 0, sizeof cfg->hear);
	if (strcmp(s, "none") == 0)
		return;
	for (;;) {
		unsigned a, b;
		bool both;
		s = parse_pair(s, "--hear", &a, &b, &both);
		cfg->hear[a][b] = true;
		if (both)
			cfg->hear[b][a] = true;
		if (*s == '\0')
			return;
		if (*s != ',')
			die("--hear: unexpected \"%s\"", s);
		s++;
	}
}

static double parse_prob(const char *s, const char *opt, const char **rest)
{
	char *end;
	double p = strtod(s, &end);
	if (end == s || !(p >= 0.0 && p <= 1.0))
		die("%s: a probability 0..1 expected at \"%s\"", opt, s);
	*rest = end;
	return p;
}

static void parse_loss(struct ksc_config *cfg, const char *s)
{
	const char *rest;
	if (!strchr(s, ':')) {
		double p = parse_prob(s, "--loss", &rest);
		if (*rest)
			die("--loss: unexpected \"%s\"", rest);
		for (unsigned a = 0; a < KSC_STATIONS_MAX; a++)
			for (unsigned b = 0; b < KSC_STATIONS_MAX; b++)
				cfg->loss[a][b] = p;
		return;
	}
	for (;;) {
		unsigned a, b;
		bool both;
		s = parse_pair(s, "--loss", &a, &b, &both);
		if (*s != ':')
			die("--loss: expected :P after the pair at \"%s\"", s);
		double p = parse_prob(s + 1, "--loss", &rest);
		cfg->loss[a][b] = p;
		if (both)
			cfg->loss[b][a] = p;
		if (*rest == '\0')
			return;
		if (*rest != ',')
			die("--loss: unexpected \"%s\"", rest);
		s = rest + 1;
	}
}

static unsigned long parse_num(const char *s, const char *opt, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (end == s || *end || errno || v > max || s[0] == '-')
		die("%s: a number 0..%lu expected, not \"%s\"", opt, max, s);
	return v;
}

static void usage(FILE *f)
{
	fputs("usage: kisssim [options] --tcp HOST:PORT | --pty\n"
	      "N KISS TNC endpoints on one simulated half-duplex radio channel.\n"
	      "\n"
	      "  --stations N         stations (1..16, default 2)\n"
	      "  --tcp HOST:PORT      station i listens on HOST:PORT+i (PORT 0: any free\n"
	      "                       port each); the addresses are printed on stdout\n"
	      "  --pty                station i also gets a pty; its path is printed\n"
	      "  --seed N             seed of every random draw (default 1)\n"
	      "  --baud N             channel bit rate (default 1200)\n"
	      "  --hear LIST          who hears whom: A-B both ways, A>B B hears A,\n"
	      "                       comma separated, or none (default: everyone)\n"
	      "  --loss P | LIST      loss probability on every link, or per link:\n"
	      "                       A-B:P or A>B:P, comma separated (default 0)\n"
	      "  --txdelay N          initial KISS TXDELAY, 10 ms units (default 30)\n"
	      "  --persist N          initial KISS P, 0..255 (default 63)\n"
	      "  --slottime N         initial KISS SLOTTIME, 10 ms units (default 10)\n"
	      "  --txtail N           initial KISS TXTAIL, 10 ms units (default 10)\n"
	      "  --dcd MS             carrier-detect delay in ms (default 0)\n"
	      "  --log FILE           the air log (default stdout; - is stdout)\n"
	      "  --stats-interval S   print channel use every S seconds (default never)\n"
	      "  --duration S         exit after S seconds (default never)\n"
	      "  -h, --help           this text\n"
	      "\n"
	      "Channel use is printed on SIGINT, SIGTERM (then it exits) and SIGUSR1.\n"
	      "See kisssim(1) for the model.\n",
	      f);
}

int main(int argc, char **argv)
{
	struct ksc_config cfg = { .nstations = 2, .baud = 1200, .seed = 1 };
	cfg.params = (struct ksc_params){ .txdelay = KSC_DEFAULT_TXDELAY,
					  .persist = KSC_DEFAULT_PERSIST,
					  .slottime = KSC_DEFAULT_SLOTTIME,
					  .txtail = KSC_DEFAULT_TXTAIL };
	const char *tcp = NULL, *hear = NULL, *loss = NULL, *logpath = NULL;
	bool pty = false;
	uint64_t stats_every = 0, duration = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--pty") == 0) {
			pty = true;
			continue;
		}
		if (i + 1 >= argc) {
			usage(stderr);
			die("%s: unknown option or missing value", a);
		}
		const char *v = argv[++i];
		if (strcmp(a, "--stations") == 0)
			cfg.nstations = (unsigned)parse_num(v, a, KSC_STATIONS_MAX);
		else if (strcmp(a, "--tcp") == 0)
			tcp = v;
		else if (strcmp(a, "--seed") == 0)
			cfg.seed = strtoull(v, NULL, 0);
		else if (strcmp(a, "--baud") == 0)
			cfg.baud = (uint32_t)parse_num(v, a, 10000000);
		else if (strcmp(a, "--hear") == 0)
			hear = v;
		else if (strcmp(a, "--loss") == 0)
			loss = v;
		else if (strcmp(a, "--txdelay") == 0)
			cfg.params.txdelay = (uint8_t)parse_num(v, a, 255);
		else if (strcmp(a, "--persist") == 0)
			cfg.params.persist = (uint8_t)parse_num(v, a, 255);
		else if (strcmp(a, "--slottime") == 0)
			cfg.params.slottime = (uint8_t)parse_num(v, a, 255);
		else if (strcmp(a, "--txtail") == 0)
			cfg.params.txtail = (uint8_t)parse_num(v, a, 255);
		else if (strcmp(a, "--dcd") == 0)
			cfg.dcd_us = parse_num(v, a, 10000) * 1000;
		else if (strcmp(a, "--log") == 0)
			logpath = v;
		else if (strcmp(a, "--stats-interval") == 0)
			stats_every = parse_num(v, a, 86400) * 1000000;
		else if (strcmp(a, "--duration") == 0)
			duration = parse_num(v, a, 86400 * 365) * 1000000;
		else {
			usage(stderr);
			die("unknown option %s", a);
		}
	}
	if (cfg.nstations < 1)
		die("--stations: at least 1");
	if (!tcp && !pty)
		die("give --tcp HOST:PORT, --pty or both (see --help)");
	sim.n = cfg.nstations;
	sim.baud = cfg.baud;
	if (hear) {
		parse_hear(&cfg, hear);
	} else {
		for (unsigned a = 0; a < sim.n; a++)
			for (unsigned b = 0; b < sim.n; b++)
				cfg.hear[a][b] = a != b;
	}
	if (loss)
		parse_loss(&cfg, loss);

	sim.log = stdout;
	if (logpath && strcmp(logpath, "-") != 0) {
		sim.log = fopen(logpath, "w");
		if (!sim.log)
			die("--log %s: %s", logpath, strerror(errno));
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_MONOTONIC, &sim.t0);
	const char *why = NULL;
	sim.ch = ksc_new(&cfg, 0, on_report, NULL, &why);
	if (!sim.ch)
		die("%s", why);

	for (unsigned i = 0; i < sim.n; i++) {
		struct endpoint *e = &sim.ep[i];
		e->id = i;
		e->listen_fd = e->pty_fd = -1;
		ksc_set_present(sim.ch, i, 0, false);
	}
	if (tcp) {
		const char *colon = strrchr(tcp, ':');
		if (!colon || colon == tcp)
			die("--tcp %s: expected HOST:PORT", tcp);
		char host[128];
		size_t hl = (size_t)(colon - tcp);
		if (tcp[0] == '[' && hl >= 2 && tcp[hl - 1] == ']') {
			tcp++;
			hl -= 2;
		}
		if (hl >= sizeof host)
			die("--tcp: host too long");
		memcpy(host, tcp, hl);
		host[hl] = '\0';
		unsigned long port = parse_num(colon + 1, "--tcp port", 65535);
		if (port && port + sim.n - 1 > 65535)
			die("--tcp: ports %lu..%lu do not exist", port, port + sim.n - 1);
		for (unsigned i = 0; i < sim.n; i++) {
			open_tcp(&sim.ep[i], host, port ? (unsigned)port + i : 0);
			printf("station %u tcp %s\n", i, sim.ep[i].tcp_text);
		}
	}
	if (pty)
		for (unsigned i = 0; i < sim.n; i++) {
			open_pty(&sim.ep[i]);
			printf("station %u pty %s\n", i, sim.ep[i].pty_path);
		}
	printf("ready: %u stations, %" PRIu32 " baud, seed %" PRIu64 "\n", sim.n, cfg.baud,
	       cfg.seed);

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &orig);

	uint64_t next_stats = stats_every ? stats_every : UINT64_MAX;
	enum { K_LISTEN, K_CLIENT, K_PTY };
	struct pollfd pfd[KSC_STATIONS_MAX * (CLIENTS_MAX + 2)];
	struct { int kind; unsigned st, idx; } map[KSC_STATIONS_MAX * (CLIENTS_MAX + 2)];

	while (!stop_signal) {
		uint64_t now = now_us();
		ksc_advance(sim.ch, now);
		if (duration && now >= duration)
			break;
		if (stats_signal || now >= next_stats) {
			stats_signal = 0;
			print_stats(stdout);
			while (next_stats <= now)
				next_stats += stats_every;
		}
		uint64_t wake = ksc_next_event(sim.ch);
		if (next_stats < wake)
			wake = next_stats;
		if (duration && duration < wake)
			wake = duration;

		size_t n = 0;
		for (unsigned i = 0; i < sim.n; i++) {
			struct endpoint *e = &sim.ep[i];
			if (e->listen_fd >= 0) {
				pfd[n] = (struct pollfd){ .fd = e->listen_fd, .events = POLLIN };
				map[n].kind = K_LISTEN;
				map[n++].st = i;
			}
			for (unsigned j = 0; j < e->ncl; j++) {
				pfd[n] = (struct pollfd){ .fd = e->cl[j]->fd, .events = POLLIN };
				if (e->cl[j]->outlen)
					pfd[n].events |= POLLOUT;
				map[n].kind = K_CLIENT;
				map[n].st = i;
				map[n++].idx = j;
			}
			if (e->pty) {
				/* A pty without an open slave polls HUP at once:
				 * look at it again later instead of spinning. */
				if (!e->pty_open && now < e->pty_recheck) {
					if (e->pty_recheck < wake)
						wake = e->pty_recheck;
					continue;
				}
				pfd[n] = (struct pollfd){ .fd = e->pty_fd, .events = POLLIN };
				if (e->pty->outlen)
					pfd[n].events |= POLLOUT;
				map[n].kind = K_PTY;
				map[n++].st = i;
			}
		}
		struct timespec ts, *tsp = NULL;
		bool recheck_ptys = false;
		for (unsigned i = 0; i < sim.n; i++)
			if (sim.ep[i].pty && !sim.ep[i].pty_open && now >= sim.ep[i].pty_recheck)
				recheck_ptys = true;
		if (recheck_ptys) {
			ts = (struct timespec){ 0, 0 };
			tsp = &ts;
		} else if (wake != UINT64_MAX) {
			uint64_t d = wake > now ? wake - now : 0;
			ts.tv_sec = (time_t)(d / 1000000);
			ts.tv_nsec = (long)(d % 1000000) * 1000;
			tsp = &ts;
		}
		int rc = ppoll(pfd, n, tsp, &orig);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		/* Deliveries due before the input that just arrived. */
		now = now_us();
		ksc_advance(sim.ch, now);
		/* Clients are dropped after the scan: indexes must hold. */
		bool gone[KSC_STATIONS_MAX][CLIENTS_MAX] = { { false } };
		for (size_t k = 0; k < n; k++) {
			struct endpoint *e = &sim.ep[map[k].st];
			short re = pfd[k].revents;
			if (map[k].kind == K_LISTEN) {
				if (re & POLLIN)
					accept_client(e);
				continue;
			}
			if (map[k].kind == K_PTY) {
				bool was = station_present(e);
				if (re & POLLHUP) {
					/* No slave open; bytes a client left unread
					 * go with it. */
					e->pty_open = false;
					e->pty->outlen = 0;
					e->pty_recheck = now + PTY_RECHECK_US;
					kiss_decoder_init(&e->pty->dec, 0);
				} else {
					if (!e->pty_open)
						set_raw(e->pty_fd);
					e->pty_open = true;
					if (re & POLLIN)
						client_read(e, e->pty);
					if (re & POLLOUT)
						client_flush(e->pty);
				}
				update_presence(e, was);
				continue;
			}
			struct client *c = e->cl[map[k].idx];
			if (re & (POLLIN | POLLHUP | POLLERR)) {
				if (!client_read(e, c)) {
					gone[map[k].st][map[k].idx] = true;
					continue;
				}
			}
			if (re & POLLOUT)
				client_flush(c);
		}
		for (unsigned i = 0; i < sim.n; i++)
			for (unsigned j = CLIENTS_MAX; j-- > 0;)
				if (j < sim.ep[i].ncl && gone[i][j])
					client_drop(&sim.ep[i], j);
	}
	if (stop_signal)
		note("signal %d: stopping", (int)stop_signal);
	print_stats(stdout);
	for (unsigned i = 0; i < sim.n; i++) {
		struct endpoint *e = &sim.ep[i];
		while (e->ncl)
			client_drop(e, e->ncl - 1);
		if (e->listen_fd >= 0)
			close(e->listen_fd);
		if (e->pty) {
			close(e->pty_fd);
			free(e->pty);
		}
	}
	if (sim.log != stdout)
		fclose(sim.log);
	ksc_free(sim.ch);
	return 0;
}
