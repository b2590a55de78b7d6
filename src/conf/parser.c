/* The config parser: babeld's statements plus maille's (conf.h).
 *
 * Grammar (one statement per line, '#' starts a comment, words may be
 * double-quoted with \" and \\ as escapes):
 *
 *   interface NAME IFPARAM...      NAME: 1..15 bytes, no '/'; once per name
 *   default IFPARAM...             applies under every interface's own
 *   IFPARAM: type wired|wireless|tunnel|auto|ax25   (ax25 only on `interface`)
 *            hello-interval S | update-interval S   seconds, up to 3 decimals,
 *                                                    0.01..655.35, kept in ms
 *            rxcost 1..65535 | max-rtt-penalty 1..65535
 *            rtt-min MS | rtt-max MS             1..3600000, min < max
 *            split-horizon B | unicast B | link-quality B
 *            enable-timestamps B | v4-via-v6 B
 *   B: true|yes, false|no, default|auto (= unset, the engine's default)
 *   Radio (type ax25, on its own `interface` line, never in `default`):
 *            kiss tcp:HOST:PORT | kiss serial:PATH[:SPEED]   required
 *            callsign CALL[-SSID]   required: no transmission without it
 *            baud 50..10000000 (1200) | paclen 64..2048 (256)
 *            txdelay MS | slottime MS | txtail MS   0..2550 | persist 0..255
 *            airtime 1..100 (%, 5) | pcap FILE
 *            encryption is refused on radio (amateur rules: MAC only)
 *
 *   in|out|redistribute|install SELECTOR... [ACTION]   first match wins
 *   SELECTOR: ip PREFIX | eq N | le N | ge N | src-ip PREFIX | src-eq N
 *             | src-le N | src-ge N   (N 0..128) | proto 0..255 | local
 *             | if NAME | neigh ADDR (also neighbour) | id ROUTER-ID
 *   ACTION: allow (the default) | deny | metric 0..65535 (not install)
 *           | src-prefix PREFIX (redistribute only); one action per rule
 *
 *   router-id ID        EUI-64 (8 bytes) or MAC-48 (made a modified EUI-64)
 *   state-file PATH | log-file PATH | control-socket PATH | control-group G
 *   export-table 1..2^32-1 | import-table 1..2^32-1 (repeatable)
 *   kernel-protocol 5..255 | smoothing-half-life 0..65535 (s) | debug 0..3
 *
 * Each parameter or selector at most once per statement.  Global statements
 * given twice: the last one wins.  babeld statements maille lacks are
 * refused by name ("not supported").
 *
 * One statement per line.  A statement is applied only if its whole line
 * parses; on an error the rest of the line is skipped and parsing goes on
 * with the next one, so that every error of a file is reported. */
#include "src/conf/conf.h"
#include "src/conf/lexer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CONF_FILE_MAX (1u << 20) /* a config larger than 1 MiB is a mistake */

struct parser {
	struct conf *c;
	const char *origin;
	struct lexer lx;
	struct lex_token tok;
	size_t n_errors;
	bool failed; /* the current line has an error */
};

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void add_error(struct parser *ps, unsigned line, unsigned column, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps->n_errors++;
	ps->failed = true;
	struct conf *c = ps->c;
	struct conf_error *e = realloc(c->errors, (c->n_errors + 1) * sizeof(*e));
	if (!e)
		return;
	c->errors = e;
	e = &c->errors[c->n_errors];
	e->file = strdup(ps->origin);
	e->message = strdup(msg);
	e->line = line;
	e->column = column;
	c->n_errors++;
}

/* An error at the current token. */
#define tok_error(ps, ...) add_error((ps), (ps)->tok.line, (ps)->tok.column, __VA_ARGS__)

static void next(struct parser *ps)
{
	lex_next(&ps->lx, &ps->tok);
}

/* Advances to the value of WHAT; NULL (error reported) if there is none. */
static const char *value(struct parser *ps, const char *what)
{
	next(ps);
	if (ps->tok.kind == LEX_WORD)
		return ps->tok.text;
	if (ps->tok.kind == LEX_ERROR)
		tok_error(ps, "%s", ps->tok.text);
	else
		tok_error(ps, "missing value for %s", what);
	return NULL;
}

/* ------------------------------------------------------------ values */

static bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static bool get_uint(struct parser *ps, const char *what, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	const char *s = value(ps, what);
	if (!s)
		return false;
	uint64_t v;
	bool digits = true;
	for (const char *p = s; *p; p++)
		digits = digits && *p >= '0' && *p <= '9';
	if (!digits) {
		tok_error(ps, "bad number '%.64s' for %s", s, what);
		return false;
	}
	if (!parse_u64(s, &v) || v < min || v > max) {
		tok_error(ps, "value out of range for %s: %.64s (%llu..%llu)", what, s,
			  (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	*out = v;
	return true;
}

/* Seconds with up to three decimals ("0.5", "4", "1.25"), in ms. */
static bool get_seconds(struct parser *ps, const char *what, uint32_t min_ms, uint32_t max_ms,
			uint32_t *out)
{
	const char *s = value(ps, what);
	if (!s)
		return false;
	const char *p = s;
	uint64_t ms = 0, unit = 100;
	unsigned nint = 0, nfrac = 0;
	bool dot = false, too_precise = false;
	for (; *p >= '0' && *p <= '9'; p++, nint++)
		if (ms < 10000000)
			ms = ms * 10 + (uint64_t)(*p - '0');
	ms *= 1000;
	if (*p == '.') {
		dot = true;
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
			if (nfrac < 3) {
				ms += unit * (uint64_t)(*p - '0');
				unit /= 10;
			} else if (*p != '0') {
				too_precise = true;
			}
		}
	}
	if (*p || nint + nfrac == 0 || (dot && nfrac == 0)) {
		tok_error(ps, "bad duration '%.64s' for %s (seconds, e.g. 4 or 0.5)", s, what);
		return false;
	}
	if (too_precise) {
		tok_error(ps, "too precise for %s: %.64s (at most 3 decimals)", what, s);
		return false;
	}
	if (ms < min_ms || ms > max_ms) {
		tok_error(ps, "value out of range for %s: %.64s (%u.%03u..%u.%03u s)", what, s,
			  min_ms / 1000, min_ms % 1000, max_ms / 1000, max_ms % 1000);
		return false;
	}
	*out = (uint32_t)ms;
	return true;
}

static bool get_bool(struct parser *ps, const char *what, enum opt_bool *out)
{
	const char *s = value(ps, what);
	if (!s)
		return false;
	if (!strcmp(s, "true") || !strcmp(s, "yes"))
		*out = OPT_ON;
	else if (!strcmp(s, "false") || !strcmp(s, "no"))
		*out = OPT_OFF;
	else if (!strcmp(s, "default") || !strcmp(s, "auto"))
		*out = OPT_DEFAULT;
	else {
		tok_error(ps, "bad boolean '%.64s' for %s (true, false, yes, no, default, auto)", s,
			  what);
		return false;
	}
	return true;
}

static bool get_prefix(struct parser *ps, const char *what, struct prefix *out)
{
	const char *s = value(ps, what);
	if (!s)
		return false;
	if (prefix_parse(s, out) < 0) {
		tok_error(ps, "bad prefix '%.64s' for %s", s, what);
		return false;
	}
	return true;
}

static bool get_address(struct parser *ps, const char *what, uint8_t out[16])
{
	const char *s = value(ps, what);
	if (!s)
		return false;
	struct prefix p;
	if (strchr(s, '/') || prefix_parse(s, &p) < 0) {
		tok_error(ps, "bad address '%.64s' for %s", s, what);
		return false;
	}
	if (p.family == PREFIX_FAMILY_IPV4) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, p.addr, 4);
	} else {
		memcpy(out, p.addr, 16);
	}
	return true;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* A modified EUI-64 (8 bytes) or a MAC-48 (6 bytes, turned into a modified
 * EUI-64 as RFC 4291 Appendix A says), bytes separated by ':' or '-'. */
static bool parse_router_id(const char *s, uint8_t id[8])
{
	uint8_t b[8];
	size_t n = 0;
	char sep = 0;
	for (;;) {
		int h = hexval(s[0]);
		if (h < 0 || n == 8)
			return false;
		int l = hexval(s[1]);
		if (l >= 0) {
			b[n++] = (uint8_t)(h << 4 | l);
			s += 2;
		} else {
			b[n++] = (uint8_t)h;
			s += 1;
		}
		if (!*s)
			break;
		if ((*s != ':' && *s != '-') || (sep && *s != sep))
			return false;
		sep = *s++;
	}
	if (n == 8) {
		memcpy(id, b, 8);
	} else if (n == 6) {
		id[0] = b[0] ^ 0x02;
		id[1] = b[1];
		id[2] = b[2];
		id[3] = 0xff;
		id[4] = 0xfe;
		memcpy(id + 5, b + 3, 3);
	} else {
		return false;
	}
	return true;
}

static bool get_router_id(struct parser *ps, const char *what, uint8_t id[8])
{
	const char *s = value(ps, what);
	if (!s)
		return false;
	if (!parse_router_id(s, id)) {
		tok_error(ps, "bad router-id '%.64s' (EUI-64 or MAC-48, e.g. 02:00:5e:ff:fe:00:53:01)",
			  s);
		return false;
	}
	static const uint8_t zeros[8], ones[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	if (!memcmp(id, zeros, 8) || !memcmp(id, ones, 8)) {
		tok_error(ps, "router-id must not be all zeros or all ones");
		return false;
	}
	return true;
}

static bool get_ifname(struct parser *ps, const char *what, char out[CONF_IFNAME_MAX])
{
	const char *s = value(ps, what);
	if (!s)
		return false;
	size_t len = strlen(s);
	bool ok = len > 0 && len < CONF_IFNAME_MAX && !strchr(s, '/') && lex_is_plain_word(s) &&
		  strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
	if (!ok) {
		tok_error(ps, "bad interface name '%.64s' (1..%d characters, no '/', no spaces)", s,
			  CONF_IFNAME_MAX - 1);
		return false;
	}
	memcpy(out, s, len + 1);
	return true;
}

static bool get_string(struct parser *ps, const char *what, char **out)
{
	const char *s = value(ps, what);
	if (!s)
		return false;
	if (!*s) {
		tok_error(ps, "empty value for %s", what);
		return false;
	}
	char *d = strdup(s);
	if (!d) {
		tok_error(ps, "out of memory");
		return false;
	}
	free(*out);
	*out = d;
	return true;
}

/* ------------------------------------------------------------ statements */

/* Marks KEY as seen in *SEEN; an error if it was already. */
static bool once(struct parser *ps, uint32_t *seen, unsigned bit, const char *kw)
{
	if (*seen & (1u << bit)) {
		tok_error(ps, "'%s' given twice", kw);
		return false;
	}
	*seen |= 1u << bit;
	return true;
}

/* babeld's interface parameters that maille does not have. */
static const char *const babeld_if_only[] = {
	"faraway", "channel", "rtt-decay", "hello-period", "wired", "wireless", NULL,
};

static bool is_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* ------------------------------------------------------------ radio */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool serial_speed_ok(uint64_t v)
{
	static const uint32_t speeds[] = {300, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200,
					  230400, 460800, 921600};
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (speeds[i] == v)
			return true;
	return false;
}

static bool get_kiss(struct parser *ps, const char *what, struct conf_kiss *k)
{
	const char *s = value(ps, what);
	if (!s)
		return false;
	memset(k, 0, sizeof(*k));
	uint64_t v;
	if (!strncmp(s, "tcp:", 4)) {
		const char *h = s + 4, *colon = strrchr(h, ':');
		size_t hlen = colon ? (size_t)(colon - h) : 0;
		if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
			h++;
			hlen -= 2;
		}
		if (!colon || !hlen || hlen >= sizeof(k->host) || !all_digits(colon + 1) ||
		    !parse_u64(colon + 1, &v) || v < 1 || v > 65535 || memchr(h, '[', hlen) ||
		    memchr(h, ']', hlen)) {
			tok_error(ps, "bad TNC address '%.64s' for %s (tcp:HOST:PORT)", s, what);
			return false;
		}
		k->kind = CONF_KISS_TCP;
		memcpy(k->host, h, hlen);
		k->port = (uint16_t)v;
		return true;
	}
	if (!strncmp(s, "serial:", 7)) {
		const char *p = s + 7, *colon = strrchr(p, ':');
		size_t plen = strlen(p);
		/* A by-path device name has colons of its own: only digits
		 * after the last one make a speed. */
		if (colon && all_digits(colon + 1)) {
			if (!parse_u64(colon + 1, &v) || !serial_speed_ok(v)) {
				tok_error(ps, "bad serial speed in '%.64s' for %s (300, 1200, ..., 9600, "
					  "..., 115200, ..., 921600)", s, what);
				return false;
			}
			k->speed = (uint32_t)v;
			plen = (size_t)(colon - p);
		}
		if (!plen || p[0] != '/' || plen >= sizeof(k->path)) {
			tok_error(ps, "bad TNC device '%.64s' for %s (serial:/dev/ttyUSB0[:SPEED])", s,
				  what);
			return false;
		}
		k->kind = CONF_KISS_SERIAL;
		memcpy(k->path, p, plen);
		return true;
	}
	tok_error(ps, "bad TNC '%.64s' for %s (tcp:HOST:PORT or serial:PATH[:SPEED])", s, what);
	return false;
}

static bool get_callsign(struct parser *ps, const char *what, struct ax25_addr *a)
{
	const char *s = value(ps, what);
	if (!s)
		return false;
	enum ax25_reason r = ax25_addr_parse(s, strlen(s), a);
	if (r != AX25_OK) {
		tok_error(ps, "bad callsign '%.64s' (CALL[-SSID], A-Z 0-9, SSID 0..15): %s", s,
			  ax25_reason_str(r));
		return false;
	}
	return true;
}

static bool get_path(struct parser *ps, const char *what, char out[CONF_PATH_MAX])
{
	const char *s = value(ps, what);
	if (!s)
		return false;
	size_t len = strlen(s);
	if (!len || len >= CONF_PATH_MAX) {
		tok_error(ps, "bad file name for %s (1..%d characters)", what, CONF_PATH_MAX - 1);
		return false;
	}
	memcpy(out, s, len + 1);
	return true;
}

/* Names encryption options would have: refused on radio, where amateur
 * rules forbid obscuring the meaning of messages (MAC authentication is
 * allowed).  When interfaces gain keys, an encrypting key kind must be
 * refused for type ax25 here too. */
static const char *const encryption_params[] = {"encrypt", "encryption", "cipher", "psk", NULL};

/* One radio parameter at the current token; false with an error. */
static bool radio_param(struct parser *ps, const char *kw, uint32_t *seen, struct conf_radio *r,
			bool *known)
{
	static const char *const names[] = {"kiss", "callsign", "baud", "paclen", "txdelay",
					    "persist", "slottime", "txtail", "airtime", "pcap",
					    NULL};
	unsigned i;
	for (i = 0; names[i] && strcmp(kw, names[i]); i++)
		;
	*known = names[i] != NULL;
	if (!*known)
		return true;
	if (!r) {
		tok_error(ps, "'%s' is a radio parameter: give it on the `interface NAME type ax25` "
			  "line, not in `default`", kw);
		return false;
	}
	if (!once(ps, seen, 16 + i, kw))
		return false;
	uint64_t v;
	switch (i) {
	case 0: return get_kiss(ps, kw, &r->kiss);
	case 1:
		if (!get_callsign(ps, kw, &r->callsign))
			return false;
		r->has_callsign = true;
		return true;
	case 2:
		if (!get_uint(ps, kw, 50, 10000000, &v))
			return false;
		r->baud = (uint32_t)v;
		return true;
	case 3:
		if (!get_uint(ps, kw, 64, 2048, &v))
			return false;
		r->paclen = (uint16_t)v;
		return true;
	case 5:
		if (!get_uint(ps, kw, 0, 255, &v))
			return false;
		r->persist = (int32_t)v;
		return true;
	case 4:
	case 6:
	case 7:
		/* KISS carries them in 10 ms units, one octet. */
		if (!get_uint(ps, kw, 0, 2550, &v))
			return false;
		*(i == 4 ? &r->txdelay_ms : i == 6 ? &r->slottime_ms : &r->txtail_ms) = (int32_t)v;
		return true;
	case 8:
		if (!get_uint(ps, kw, 1, 100, &v))
			return false;
		r->airtime_pct = (uint8_t)v;
		return true;
	default: return get_path(ps, kw, r->pcap);
	}
}

/* Parameters of `interface` (radio non-NULL) and `default`, up to the end
 * of the line. */
static bool if_params(struct parser *ps, struct if_config *cfg, bool *has_type,
		      struct conf_radio *radio)
{
	uint32_t seen = 0;
	unsigned rtt_line = 0, rtt_col = 0;
	unsigned radio_line = 0, radio_col = 0;
	char radio_kw[32] = "";
	for (next(ps); ps->tok.kind == LEX_WORD; next(ps)) {
		char kw[32];
		snprintf(kw, sizeof(kw), "%.31s", ps->tok.text);
		uint64_t v;
		bool ok;
		if (!strcmp(kw, "type")) {
			if (!once(ps, &seen, 0, kw))
				return false;
			const char *s = value(ps, kw);
			if (!s)
				return false;
			*has_type = true;
			if (!strcmp(s, "wired"))
				cfg->type = IF_TYPE_WIRED;
			else if (!strcmp(s, "wireless"))
				cfg->type = IF_TYPE_WIRELESS;
			else if (!strcmp(s, "tunnel"))
				cfg->type = IF_TYPE_TUNNEL;
			else if (!strcmp(s, "auto")) {
				cfg->type = IF_TYPE_WIRED;
				*has_type = false;
			} else if (!strcmp(s, "ax25")) {
				if (!radio) {
					tok_error(ps, "type ax25 cannot be a default: each radio "
						  "interface needs its own TNC and callsign");
					return false;
				}
				cfg->type = IF_TYPE_AX25;
			} else {
				tok_error(ps, "bad interface type '%.64s' (wired, wireless, tunnel, "
					  "auto, ax25)", s);
				return false;
			}
		} else if (!strcmp(kw, "hello-interval")) {
			ok = once(ps, &seen, 1, kw) &&
			     get_seconds(ps, kw, 10, 655350, &cfg->hello_interval_ms);
			if (!ok)
				return false;
		} else if (!strcmp(kw, "update-interval")) {
			ok = once(ps, &seen, 2, kw) &&
			     get_seconds(ps, kw, 10, 655350, &cfg->update_interval_ms);
			if (!ok)
				return false;
		} else if (!strcmp(kw, "rxcost")) {
			if (!once(ps, &seen, 3, kw) || !get_uint(ps, kw, 1, 65535, &v))
				return false;
			cfg->rxcost = (uint16_t)v;
		} else if (!strcmp(kw, "split-horizon")) {
			if (!once(ps, &seen, 4, kw) || !get_bool(ps, kw, &cfg->split_horizon))
				return false;
		} else if (!strcmp(kw, "unicast")) {
			if (!once(ps, &seen, 5, kw) || !get_bool(ps, kw, &cfg->unicast))
				return false;
		} else if (!strcmp(kw, "link-quality")) {
			if (!once(ps, &seen, 6, kw) || !get_bool(ps, kw, &cfg->link_quality))
				return false;
		} else if (!strcmp(kw, "enable-timestamps")) {
			if (!once(ps, &seen, 7, kw) || !get_bool(ps, kw, &cfg->enable_timestamps))
				return false;
		} else if (!strcmp(kw, "rtt-min")) {
			if (!once(ps, &seen, 8, kw))
				return false;
			rtt_line = ps->tok.line;
			rtt_col = ps->tok.column;
			if (!get_uint(ps, kw, 1, 3600000, &v))
				return false;
			cfg->rtt_min_ms = (uint32_t)v;
		} else if (!strcmp(kw, "rtt-max")) {
			if (!once(ps, &seen, 9, kw))
				return false;
			rtt_line = ps->tok.line;
			rtt_col = ps->tok.column;
			if (!get_uint(ps, kw, 1, 3600000, &v))
				return false;
			cfg->rtt_max_ms = (uint32_t)v;
		} else if (!strcmp(kw, "max-rtt-penalty")) {
			if (!once(ps, &seen, 10, kw) || !get_uint(ps, kw, 1, 65535, &v))
				return false;
			cfg->max_rtt_penalty = (uint16_t)v;
		} else if (!strcmp(kw, "v4-via-v6")) {
			if (!once(ps, &seen, 11, kw) || !get_bool(ps, kw, &cfg->v4_via_v6))
				return false;
		} else if (is_in(kw, babeld_if_only)) {
			tok_error(ps, "interface parameter '%s' is not supported", kw);
			return false;
		} else if (is_in(kw, encryption_params)) {
			if (cfg->type == IF_TYPE_AX25) {
				tok_error(ps, "'%s': encryption is refused on a radio (type ax25) "
					  "interface: amateur radio forbids obscuring the meaning "
					  "of messages (MAC authentication is allowed)", kw);
				return false;
			}
			tok_error(ps, "interface parameter '%s' is not supported (no encryption "
				  "yet)", kw);
			return false;
		} else {
			unsigned l = ps->tok.line, c = ps->tok.column;
			bool known;
			if (!radio_param(ps, kw, &seen, radio, &known))
				return false;
			if (!known) {
				tok_error(ps, "unknown interface parameter '%.64s'", ps->tok.text);
				return false;
			}
			if (!radio_kw[0]) {
				snprintf(radio_kw, sizeof(radio_kw), "%s", kw);
				radio_line = l;
				radio_col = c;
			}
		}
	}
	if (ps->tok.kind == LEX_ERROR) {
		tok_error(ps, "%s", ps->tok.text);
		return false;
	}
	if (radio_kw[0] && cfg->type != IF_TYPE_AX25) {
		add_error(ps, radio_line, radio_col,
			  "'%s' applies only to radio interfaces (type ax25)", radio_kw);
		return false;
	}
	if (cfg->rtt_min_ms && cfg->rtt_max_ms && cfg->rtt_min_ms >= cfg->rtt_max_ms) {
		add_error(ps, rtt_line, rtt_col, "rtt-min must be below rtt-max");
		return false;
	}
	return true;
}

static void st_interface(struct parser *ps)
{
	struct conf *c = ps->c;
	struct conf_interface ifc;
	memset(&ifc, 0, sizeof(ifc));
	conf_if_config_init(&ifc.cfg);
	conf_radio_init(&ifc.radio);
	if (!get_ifname(ps, "interface", ifc.name))
		return;
	unsigned line = ps->tok.line, col = ps->tok.column;
	size_t at = c->n_interfaces;
	for (size_t i = 0; i < c->n_interfaces; i++)
		if (!strcmp(c->interfaces[i].name, ifc.name))
			at = i;
	/* Merging: the parameters named change, the others stay. */
	if (at < c->n_interfaces && c->merge_interfaces)
		ifc = c->interfaces[at];
	if (!if_params(ps, &ifc.cfg, &ifc.has_type, &ifc.radio))
		return;
	if (ifc.cfg.type == IF_TYPE_AX25 && !ifc.radio.has_callsign) {
		add_error(ps, line, col, "interface %s: type ax25 needs a callsign (callsign "
			  "CALL[-SSID]): amateur radio forbids transmitting without one", ifc.name);
		return;
	}
	if (ifc.cfg.type == IF_TYPE_AX25 && ifc.radio.kiss.kind == CONF_KISS_NONE) {
		add_error(ps, line, col, "interface %s: type ax25 needs a TNC (kiss tcp:HOST:PORT "
			  "or kiss serial:PATH[:SPEED])", ifc.name);
		return;
	}
	if (at < c->n_interfaces) {
		if (!c->merge_interfaces) {
			add_error(ps, line, col, "duplicate interface '%s'", ifc.name);
			return;
		}
		c->interfaces[at] = ifc;
		return;
	}
	struct conf_interface *a = realloc(c->interfaces, (c->n_interfaces + 1) * sizeof(*a));
	if (!a) {
		add_error(ps, line, col, "out of memory");
		return;
	}
	c->interfaces = a;
	a[c->n_interfaces++] = ifc;
}

static void st_default(struct parser *ps)
{
	struct if_config cfg = ps->c->defaults;
	bool has_type = ps->c->defaults_has_type;
	if (!if_params(ps, &cfg, &has_type, NULL))
		return;
	ps->c->defaults = cfg;
	ps->c->defaults_has_type = has_type;
}

static void st_filter(struct parser *ps, enum filter_kind kind)
{
	static const char *const kind_names[] = {"in", "out", "redistribute", "install"};
	struct filter_rule r;
	filter_rule_init(&r);
	uint32_t seen = 0;
	bool has_action = false;
	uint64_t v;
	for (next(ps); ps->tok.kind == LEX_WORD; next(ps)) {
		char kw[32];
		snprintf(kw, sizeof(kw), "%.31s", ps->tok.text);
		unsigned line = ps->tok.line, col = ps->tok.column;
		bool action = false;
		if (!strcmp(kw, "ip")) {
			if (!once(ps, &seen, 0, kw) || !get_prefix(ps, kw, &r.prefix))
				return;
			r.has_prefix = true;
		} else if (!strcmp(kw, "eq") || !strcmp(kw, "le") || !strcmp(kw, "ge")) {
			unsigned bit = kw[0] == 'e' ? 1 : kw[0] == 'l' ? 2 : 3;
			if (!once(ps, &seen, bit, kw) || !get_uint(ps, kw, 0, 128, &v))
				return;
			*(bit == 1 ? &r.plen_eq : bit == 2 ? &r.plen_le : &r.plen_ge) = (int16_t)v;
		} else if (!strcmp(kw, "src-ip")) {
			if (!once(ps, &seen, 4, kw) || !get_prefix(ps, kw, &r.src))
				return;
			r.has_src = true;
		} else if (!strcmp(kw, "src-eq") || !strcmp(kw, "src-le") || !strcmp(kw, "src-ge")) {
			unsigned bit = kw[4] == 'e' ? 5 : kw[4] == 'l' ? 6 : 7;
			if (!once(ps, &seen, bit, kw) || !get_uint(ps, kw, 0, 128, &v))
				return;
			*(bit == 5 ? &r.src_eq : bit == 6 ? &r.src_le : &r.src_ge) = (int16_t)v;
		} else if (!strcmp(kw, "proto")) {
			if (!once(ps, &seen, 8, kw) || !get_uint(ps, kw, 0, 255, &v))
				return;
			r.proto = (int16_t)v;
		} else if (!strcmp(kw, "local")) {
			if (!once(ps, &seen, 9, kw))
				return;
			r.local = true;
		} else if (!strcmp(kw, "if")) {
			if (!once(ps, &seen, 10, kw) || !get_ifname(ps, kw, r.ifname))
				return;
			r.has_ifname = true;
		} else if (!strcmp(kw, "neigh") || !strcmp(kw, "neighbour") ||
			   !strcmp(kw, "neighbor")) {
			if (!once(ps, &seen, 11, "neigh") || !get_address(ps, kw, r.neighbour))
				return;
			r.has_neighbour = true;
		} else if (!strcmp(kw, "id")) {
			if (!once(ps, &seen, 12, kw) || !get_router_id(ps, kw, r.id))
				return;
			r.has_id = true;
		} else if (!strcmp(kw, "allow") || !strcmp(kw, "deny")) {
			action = true;
			r.action = kw[0] == 'a' ? FILTER_ALLOW : FILTER_DENY;
		} else if (!strcmp(kw, "metric")) {
			action = true;
			if (kind == FILTER_INSTALL) {
				tok_error(ps, "action 'metric' is not valid in install filters");
				return;
			}
			if (!get_uint(ps, kw, 0, 65535, &v))
				return;
			r.action = FILTER_METRIC;
			r.metric = (uint16_t)v;
		} else if (!strcmp(kw, "src-prefix")) {
			action = true;
			if (kind != FILTER_REDISTRIBUTE) {
				tok_error(ps, "action 'src-prefix' is only valid in redistribute filters");
				return;
			}
			if (!get_prefix(ps, kw, &r.src_prefix))
				return;
			r.action = FILTER_SRC_PREFIX;
		} else if (!strcmp(kw, "table") || !strcmp(kw, "pref-src")) {
			tok_error(ps, "filter action '%s' is not supported yet", kw);
			return;
		} else {
			tok_error(ps, "unknown filter selector or action '%.64s' in %s filter",
				  ps->tok.text, kind_names[kind]);
			return;
		}
		if (action) {
			if (has_action) {
				add_error(ps, line, col, "more than one action");
				return;
			}
			has_action = true;
		}
	}
	if (ps->tok.kind == LEX_ERROR) {
		tok_error(ps, "%s", ps->tok.text);
		return;
	}
	if (filter_set_add(&ps->c->filters, kind, &r) < 0)
		tok_error(ps, "out of memory");
}

/* After the last value of a statement: the line must end here. */
static bool end_ok(struct parser *ps)
{
	next(ps);
	if (ps->tok.kind == LEX_WORD)
		tok_error(ps, "trailing garbage '%.64s'", ps->tok.text);
	else if (ps->tok.kind == LEX_ERROR)
		tok_error(ps, "%s", ps->tok.text);
	return !ps->failed;
}

static void set_string(struct parser *ps, const char *kw, char **field)
{
	char *s = NULL;
	if (get_string(ps, kw, &s) && end_ok(ps)) {
		free(*field);
		*field = s;
		s = NULL;
	}
	free(s);
}

/* babeld's global statements that maille does not have. */
static const char *const babeld_only[] = {
	"random-id", "ipv6-subtrees", "local-port", "local-path", "local-port-readwrite",
	"local-path-readwrite", "reflect-kernel-metric", "kernel-priority", "duplicate-priority",
	"first-table-number", "first-rule-priority", "skip-kernel-setup", "daemonise",
	"pid-file", "diversity", "diversity-factor", "protocol-port", "protocol-group",
	"link-detect", "allow-duplicates", "key", "router-hash", NULL,
};

static void statement(struct parser *ps)
{
	struct conf *c = ps->c;
	char kw[32];
	snprintf(kw, sizeof(kw), "%.31s", ps->tok.text);
	uint64_t v;
	uint8_t id[8];
	if (!strcmp(kw, "interface")) {
		st_interface(ps);
	} else if (!strcmp(kw, "default")) {
		st_default(ps);
	} else if (!strcmp(kw, "in")) {
		st_filter(ps, FILTER_IN);
	} else if (!strcmp(kw, "out")) {
		st_filter(ps, FILTER_OUT);
	} else if (!strcmp(kw, "redistribute")) {
		st_filter(ps, FILTER_REDISTRIBUTE);
	} else if (!strcmp(kw, "install")) {
		st_filter(ps, FILTER_INSTALL);
	} else if (!strcmp(kw, "router-id")) {
		if (get_router_id(ps, kw, id)) {
			if (!end_ok(ps))
				return;
			memcpy(c->router_id, id, 8);
			c->has_router_id = true;
		}
	} else if (!strcmp(kw, "state-file")) {
		set_string(ps, kw, &c->state_file);
	} else if (!strcmp(kw, "log-file")) {
		set_string(ps, kw, &c->log_file);
	} else if (!strcmp(kw, "control-socket")) {
		set_string(ps, kw, &c->control_socket);
	} else if (!strcmp(kw, "control-group")) {
		set_string(ps, kw, &c->control_group);
	} else if (!strcmp(kw, "export-table")) {
		if (get_uint(ps, kw, 1, UINT32_MAX, &v) && end_ok(ps))
			c->export_table = (uint32_t)v;
	} else if (!strcmp(kw, "import-table")) {
		if (get_uint(ps, kw, 1, UINT32_MAX, &v) && end_ok(ps)) {
			bool dup = false;
			for (size_t i = 0; i < c->n_import_tables; i++)
				dup = dup || c->import_tables[i] == v;
			if (!dup) {
				uint32_t *t = realloc(c->import_tables,
						      (c->n_import_tables + 1) * sizeof(*t));
				if (!t) {
					tok_error(ps, "out of memory");
					return;
				}
				c->import_tables = t;
				t[c->n_import_tables++] = (uint32_t)v;
			}
		}
	} else if (!strcmp(kw, "kernel-protocol")) {
		/* 0..4 are the kernel's own (unspec, redirect, kernel, boot, static). */
		if (get_uint(ps, kw, 5, 255, &v) && end_ok(ps))
			c->kernel_protocol = (uint8_t)v;
	} else if (!strcmp(kw, "smoothing-half-life")) {
		if (get_uint(ps, kw, 0, 65535, &v) && end_ok(ps))
			c->smoothing_half_life_s = (uint32_t)v;
	} else if (!strcmp(kw, "debug")) {
		if (get_uint(ps, kw, 0, 3, &v) && end_ok(ps))
			c->debug = (int)v;
	} else if (is_in(kw, babeld_only)) {
		tok_error(ps, "babeld's '%s' is not supported by mailled", kw);
	} else {
		tok_error(ps, "unknown keyword '%.64s'", ps->tok.text);
	}
}

size_t conf_parse_buffer(struct conf *c, const char *origin, const char *data, size_t len)
{
	struct parser *ps = malloc(sizeof(*ps));
	if (!ps)
		return 1;
	ps->c = c;
	ps->origin = origin ? origin : "-";
	ps->n_errors = 0;
	lex_init(&ps->lx, data, len);
	for (;;) {
		next(ps);
		if (ps->tok.kind == LEX_EOF)
			break;
		if (ps->tok.kind == LEX_EOL)
			continue;
		ps->failed = false;
		if (ps->tok.kind == LEX_ERROR)
			tok_error(ps, "%s", ps->tok.text);
		else
			statement(ps);
		if (!ps->failed) {
			if (ps->tok.kind == LEX_WORD)
				tok_error(ps, "trailing garbage '%.64s'", ps->tok.text);
			else if (ps->tok.kind == LEX_ERROR)
				tok_error(ps, "%s", ps->tok.text);
		}
		if (ps->tok.kind == LEX_EOF)
			break;
		if (ps->tok.kind != LEX_EOL) {
			lex_skip_line(&ps->lx);
			next(ps); /* the end of the line, or of the input */
			if (ps->tok.kind == LEX_EOF)
				break;
		}
	}
	size_t n = ps->n_errors;
	free(ps);
	return n;
}

size_t conf_parse_string(struct conf *c, const char *origin, const char *text)
{
	return conf_parse_buffer(c, origin, text, strlen(text));
}

size_t conf_parse_file(struct conf *c, const char *path)
{
	struct parser ps = {.c = c, .origin = path};
	FILE *f = fopen(path, "r");
	if (!f) {
		add_error(&ps, 0, 0, "cannot open: %s", strerror(errno));
		return 1;
	}
	char *buf = malloc(CONF_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		add_error(&ps, 0, 0, "out of memory");
		return 1;
	}
	size_t len = fread(buf, 1, CONF_FILE_MAX + 1, f);
	bool bad = ferror(f);
	fclose(f);
	size_t n;
	if (bad) {
		add_error(&ps, 0, 0, "read error");
		n = 1;
	} else if (len > CONF_FILE_MAX) {
		add_error(&ps, 0, 0, "file too large (more than %u bytes)", CONF_FILE_MAX);
		n = 1;
	} else {
		n = conf_parse_buffer(c, path, buf, len);
	}
	free(buf);
	return n;
}
