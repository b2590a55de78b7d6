/* The control protocol, without I/O: parsing the command lines a client
 * sends and formatting what mailled answers.
 *
 * Two dialects share one command set.  The text dialect is babeld's local
 * interface (greeting "BABEL 1.0" / "version" / "host" / "my-id" / "ok",
 * then "add|change|flush interface|neighbour|xroute|route ..." lines with
 * babeld's field names and order), so that scripts written for babeld read
 * mailled unchanged.  After "json" a session gets one JSON object per line
 * instead, with every field of the RFC 9046 information model the engine
 * knows.  Every reply ends with "ok", "no REASON" or "bad REASON" (JSON:
 * {"reply":"ok"}, {"reply":"no","reason":...}, {"reply":"bad",...}).
 *
 * Nothing here allocates except the growing output buffer; nothing touches
 * a socket, so the fuzzer and the unit tests drive it directly. */
#ifndef MAILLE_SYS_CONTROL_PROTO_H
#define MAILLE_SYS_CONTROL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/engine.h"

/* Longest command line, newline excluded.  Longer lines are answered with
 * "bad line too long" and discarded up to their newline. */
#define CTL_LINE_MAX 1024
/* Longest interface name we accept in a command (IFNAMSIZ - 1). */
#define CTL_IFNAME_MAX 15

enum ctl_cmd_kind {
	CTL_CMD_NONE,        /* empty line: no answer */
	CTL_CMD_DUMP,        /* dump [interfaces|neighbours|routes|xroutes|sources] */
	CTL_CMD_MONITOR,
	CTL_CMD_UNMONITOR,
	CTL_CMD_QUIT,
	CTL_CMD_JSON,        /* switch the session to JSON lines */
	CTL_CMD_TEXT,        /* back to babeld's dialect */
	CTL_CMD_STATUS,      /* router-id, seqno, counts */
	CTL_CMD_STATS,       /* engine and interface counters */
	CTL_CMD_HELP,
	CTL_CMD_METRICS,     /* Prometheus text exposition */
	/* Write commands: only for privileged peers. */
	CTL_CMD_RELOAD,
	CTL_CMD_FLUSH_INTERFACE, /* flush interface IF */
	CTL_CMD_INTERFACE_UP,    /* interface IF up */
	CTL_CMD_INTERFACE_DOWN,  /* interface IF down */
	CTL_CMD_CONFIG,          /* an interface, default or key statement */
};

/* What a dump covers: a bit set. */
enum {
	CTL_DUMP_INTERFACES = 1u << 0,
	CTL_DUMP_NEIGHBOURS = 1u << 1,
	CTL_DUMP_XROUTES = 1u << 2,
	CTL_DUMP_ROUTES = 1u << 3,
	CTL_DUMP_SOURCES = 1u << 4,
	CTL_DUMP_ROUTER = 1u << 5, /* the router object (JSON only) */
	/* babeld's "dump": what babeld prints, in its order. */
	CTL_DUMP_BABELD = CTL_DUMP_INTERFACES | CTL_DUMP_NEIGHBOURS | CTL_DUMP_XROUTES |
			  CTL_DUMP_ROUTES,
	CTL_DUMP_ALL = CTL_DUMP_BABELD | CTL_DUMP_SOURCES | CTL_DUMP_ROUTER,
};

struct ctl_cmd {
	enum ctl_cmd_kind kind;
	unsigned dump_what;              /* CTL_CMD_DUMP: CTL_DUMP_* bits */
	char ifname[CTL_IFNAME_MAX + 1]; /* flush interface / interface up|down */
	const char *config;              /* CTL_CMD_CONFIG: the statement (points into the line, */
	size_t config_len;               /* not NUL-terminated, trimmed) */
};

/* Parses one line (without its newline; a trailing '\r' is allowed).
 * Returns 0 and fills *cmd, or -1 with a reason (for "bad REASON") in err.
 * Rejects NUL and control bytes, non-ASCII bytes, overlong lines, unknown
 * commands and malformed arguments. */
int ctl_parse(const char *line, size_t len, struct ctl_cmd *cmd, char *err, size_t errlen);

/* Whether the command changes the daemon (needs a privileged peer). */
bool ctl_cmd_is_write(enum ctl_cmd_kind k);

/* ------------------------------------------------------------ output */

/* A growing output buffer.  On allocation failure (or past limit, when
 * limit is not 0) failed is set and further output is dropped. */
struct ctl_out {
	char *buf;
	size_t len;
	size_t cap;
	size_t limit;
	bool failed;
};

void ctl_out_init(struct ctl_out *o, size_t limit);
void ctl_out_free(struct ctl_out *o);
void ctl_out_reset(struct ctl_out *o);
/* Drops the first n bytes (what a socket accepted). */
void ctl_out_consume(struct ctl_out *o, size_t n);
void ctl_out_append(struct ctl_out *o, const char *s, size_t n);
__attribute__((format(printf, 2, 3)))
void ctl_out_printf(struct ctl_out *o, const char *fmt, ...);

enum ctl_dialect { CTL_TEXT, CTL_JSON };
enum ctl_verb { CTL_ADD, CTL_CHANGE, CTL_FLUSH };

const char *ctl_verb_name(enum ctl_verb v);

/* Writes "1c:38:48:e6:df:49:05:7d" (24 bytes with the NUL). */
void ctl_format_router_id(const uint8_t rid[8], char out[24]);
/* An address as babeld prints it: IPv6 text, or the bare dotted IPv4 for
 * an IPv4-mapped address. */
void ctl_format_addr(const struct link_addr *a, char *out, size_t size);
/* babeld's reach: most recent Hello in the top bit. */
uint16_t ctl_reach(uint16_t history, uint8_t len);

struct ctl_greeting {
	const char *version;   /* "maille-0.1" */
	const char *host;
	uint8_t router_id[8];
};

/* Text: the four greeting lines and "ok".  JSON: one router object and
 * {"reply":"ok"}. */
void ctl_format_greeting(struct ctl_out *o, enum ctl_dialect d, const struct ctl_greeting *g);

/* Replies.  reason may be NULL for a bare "no" / "bad". */
void ctl_format_ok(struct ctl_out *o, enum ctl_dialect d);
void ctl_format_no(struct ctl_out *o, enum ctl_dialect d, const char *reason);
void ctl_format_bad(struct ctl_out *o, enum ctl_dialect d, const char *reason);

/* Per-interface counters the daemon keeps (UDP edge); optional. */
struct ctl_if_counters {
	uint64_t packets_in, packets_out;
	uint64_t bytes_in, bytes_out;
	uint64_t errors_in, errors_out;
};

void ctl_format_interface(struct ctl_out *o, enum ctl_dialect d, enum ctl_verb v,
			  const struct engine_if_info *i, bool up,
			  const struct ctl_if_counters *counters);
void ctl_format_neighbour(struct ctl_out *o, enum ctl_dialect d, enum ctl_verb v,
			  const struct engine_neighbour_info *n);
void ctl_format_route(struct ctl_out *o, enum ctl_dialect d, enum ctl_verb v,
		      const struct engine_route_info *r);
void ctl_format_xroute(struct ctl_out *o, enum ctl_dialect d, enum ctl_verb v,
		       const struct engine_xroute_info *x);
/* Sources are not in babeld's dialect: the text form is our extension
 * "add source P-S prefix P from S id RID seqno N metric M gc-in MS". */
void ctl_format_source(struct ctl_out *o, enum ctl_dialect d, enum ctl_verb v,
		       const struct engine_source_info *s);

struct ctl_status {
	uint8_t router_id[8];
	uint16_t seqno;
	const char *version;
	const char *host;
	uint64_t uptime_ms;
	size_t interfaces, neighbours, routes, installed, xroutes, sources;
};
/* One line: "status router-id .. seqno .. ..." or a JSON object. */
void ctl_format_status(struct ctl_out *o, enum ctl_dialect d, const struct ctl_status *s);
/* One line: "stats packets-in N ..." or a JSON object. */
void ctl_format_stats(struct ctl_out *o, enum ctl_dialect d, const struct engine_stats *st);

/* The text of a dump (or monitor) of the whole engine, in babeld's order:
 * interfaces, neighbours, xroutes, routes, then sources (and, JSON, the
 * router object first).  Does not add the final "ok". */
typedef bool ctl_counters_fn(void *arg, uint32_t ifindex, struct ctl_if_counters *out);
void ctl_format_dump(struct ctl_out *o, enum ctl_dialect d, unsigned what,
		     const struct engine *e, uint64_t now_ms, const struct ctl_greeting *g,
		     ctl_counters_fn *counters, void *counters_arg);

/* Counters of the daemon's edges (the UDP socket, rtnetlink), for the
 * metrics.  Label values are static strings. */
#define CTL_EDGE_MAX 32
struct ctl_edge_counter {
	const char *op;      /* kernel errors: "add", "replace", "remove" */
	const char *reason;
	uint64_t value;
};
struct ctl_edge_counters {
	/* datagrams the UDP edge dropped before the engine saw them */
	struct ctl_edge_counter drops[CTL_EDGE_MAX];
	size_t ndrops;
	uint64_t send_errors;
	bool have_kernel;
	uint64_t kernel_ops[3];    /* by enum fib_op */
	struct ctl_edge_counter kernel_errors[CTL_EDGE_MAX];
	size_t nkernel_errors;
	uint64_t kernel_send_failures, kernel_resyncs, kernel_unsupported;
};
typedef void ctl_edge_fn(void *arg, struct ctl_edge_counters *out);

/* The Prometheus text exposition (format 0.0.4, what node_exporter's
 * textfile collector reads): every family once, HELP and TYPE first, its
 * samples together, counters named *_total, no series twice.  edge may be
 * NULL (no edge counters); counters as for ctl_format_dump. */
void ctl_format_metrics(struct ctl_out *o, const struct engine *e, uint64_t now_ms,
			const struct ctl_status *s, const struct ctl_edge_counters *edge,
			ctl_counters_fn *counters, void *counters_arg);

/* The JSON string escape of s (quotes included). */
void ctl_json_string(struct ctl_out *o, const char *s);

#endif
