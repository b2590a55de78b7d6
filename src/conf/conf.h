/* The daemon's configuration, as the parser produces it and the daemon and
 * reload consume it.  babeld's grammar where the features are shared (a
 * babeld.conf using only those runs unchanged), plus maille's extensions.
 *
 * A struct conf owns everything it points to; conf_free() releases it.
 * Parsing never exits the process: every error is collected with its
 * file:line:column so that `mailled -n` can print them all. */
#ifndef MAILLE_CONF_CONF_H
#define MAILLE_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/ax25.h"
#include "src/core/engine.h"
#include "src/core/filter.h"

#define CONF_IFNAME_MAX 16
#define CONF_HOST_MAX 256
#define CONF_PATH_MAX 256

/* Where a radio interface's TNC is: `kiss tcp:HOST:PORT` (HOST a name, an
 * IPv4 address or a bracketed IPv6 one) or `kiss serial:PATH[:SPEED]`. */
enum conf_kiss_kind { CONF_KISS_NONE, CONF_KISS_TCP, CONF_KISS_SERIAL };
struct conf_kiss {
	enum conf_kiss_kind kind;
	char host[CONF_HOST_MAX]; /* tcp, without brackets */
	uint16_t port;
	char path[CONF_PATH_MAX]; /* serial */
	uint32_t speed;           /* serial: bit/s; 0 leaves the port's speed alone */
};

/* A `type ax25` interface's own settings (the engine needs none of them
 * but the MTU, which follows paclen).  0 / -1 / "" mean unset. */
#define CONF_RADIO_BAUD_DEFAULT 1200
#define CONF_RADIO_AIRTIME_DEFAULT 5
struct conf_radio {
	struct conf_kiss kiss;
	bool has_callsign;
	struct ax25_addr callsign;
	uint32_t baud;          /* channel bit rate, for airtime; 0: 1200 */
	uint16_t paclen;        /* 0: 256 */
	int32_t txdelay_ms;     /* -1: unset (30 in 10 ms units, the TNCs' usual) */
	int32_t persist;        /* -1: unset (63) */
	int32_t slottime_ms;    /* -1: unset (100) */
	int32_t txtail_ms;      /* -1: unset (100) */
	uint8_t airtime_pct;    /* share of the channel routing may use; 0: 5 */
	char pcap[CONF_PATH_MAX]; /* "" none */
};

struct conf_interface {
	char name[CONF_IFNAME_MAX];
	struct if_config cfg; /* unset fields stay 0 / OPT_DEFAULT: engine defaults apply */
	bool has_type;        /* `type` given (IF_TYPE_WIRED is 0, so cfg.type alone can't say) */
	struct conf_radio radio; /* type ax25 only */
};

/* Unset radio settings. */
void conf_radio_init(struct conf_radio *r);
/* kiss->... as `tcp:HOST:PORT` or `serial:PATH[:SPEED]`, like snprintf. */
int conf_kiss_format(const struct conf_kiss *k, char *buf, size_t cap);

struct conf_error {
	char *file;
	unsigned line, column;
	char *message;
};

struct conf {
	/* global statements */
	bool has_router_id;
	uint8_t router_id[8];
	char *state_file;        /* default /var/lib/maille/state */
	uint32_t export_table;   /* default 254 (main) */
	uint32_t *import_tables; /* import-table N, repeatable */
	size_t n_import_tables;
	uint8_t kernel_protocol; /* default 42 */
	uint32_t smoothing_half_life_s; /* default 4; 0 turns smoothing off */
	char *log_file;          /* NULL: stderr, or syslog with -D */
	int debug;               /* 0..3 */
	char *control_socket;    /* default /run/maille/mailled.sock */
	char *control_group;     /* NULL: only root may write */

	struct if_config defaults; /* the `default` statement */
	bool defaults_has_type;    /* `default type ...` given */
	struct conf_interface *interfaces;
	size_t n_interfaces;

	struct filter_set filters; /* rules arrays owned by the conf */

	struct conf_error *errors;
	size_t n_errors;

	/* How to parse, not what is configured: an `interface` statement for
	 * an interface already declared changes the parameters it names
	 * (run-time statements on the control socket, as babeld's), instead
	 * of being a duplicate. */
	bool merge_interfaces;
};

/* Defaults of the global statements. */
#define CONF_DEFAULT_STATE_FILE "/var/lib/maille/state"
#define CONF_DEFAULT_CONTROL_SOCKET "/run/maille/mailled.sock"
#define CONF_DEFAULT_EXPORT_TABLE 254
#define CONF_DEFAULT_KERNEL_PROTOCOL 42
#define CONF_DEFAULT_SMOOTHING_HALF_LIFE 4

/* An empty configuration with every default in place. */
void conf_init(struct conf *c);
void conf_free(struct conf *c);

/* Parses a file / one statement (-C) into c, adding to what is there.
 * Returns the number of errors added (0: fine); errors are in c->errors. */
size_t conf_parse_file(struct conf *c, const char *path);
size_t conf_parse_string(struct conf *c, const char *origin, const char *text);
/* The same over LEN bytes that need not be NUL-terminated (a NUL byte in
 * them is an error). */
size_t conf_parse_buffer(struct conf *c, const char *origin, const char *data, size_t len);

/* Writes every error as "file:line:column: message\n". */
void conf_print_errors(const struct conf *c, FILE *out);

/* Whether A and B configure the same thing (errors are not compared). */
bool conf_equal(const struct conf *a, const struct conf *b);

/* Field by field (no padding compared). */
bool conf_if_config_equal(const struct if_config *a, const struct if_config *b);
bool conf_radio_equal(const struct conf_radio *a, const struct conf_radio *b);

/* An if_config with nothing set: zero and OPT_DEFAULT everywhere. */
void conf_if_config_init(struct if_config *cfg);

/* Prints c back in normalised form; parsing the output gives the same conf.
 * One statement per line, in this order: the global statements, every one
 * of them explicit (router-id, log-file and control-group only when set),
 * then `default` (if it sets anything), the interfaces in the order they
 * were declared, then the filters (in, out, redistribute, install, each in
 * rule order).  Interface and default parameters are printed only when set:
 * an unset one keeps following the engine's per-type default.  Strings that
 * are not plain words are quoted.  Returns 0, or -1 on a write error. */
int conf_print(const struct conf *c, FILE *out);

/* The interface's effective if_config: `default` applied under the
 * interface's own settings (engine_if_defaults still fills the rest). */
struct if_config conf_interface_config(const struct conf *c, const struct conf_interface *i);

#endif
