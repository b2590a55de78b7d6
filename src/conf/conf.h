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

#include "src/core/engine.h"
#include "src/core/filter.h"

#define CONF_IFNAME_MAX 16

struct conf_interface {
	char name[CONF_IFNAME_MAX];
	struct if_config cfg; /* unset fields stay 0 / OPT_DEFAULT: engine defaults apply */
};

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
	struct conf_interface *interfaces;
	size_t n_interfaces;

	struct filter_set filters; /* rules arrays owned by the conf */

	struct conf_error *errors;
	size_t n_errors;
};

/* An empty configuration with every default in place. */
void conf_init(struct conf *c);
void conf_free(struct conf *c);

/* Parses a file / one statement (-C) into c, adding to what is there.
 * Returns the number of errors added (0: fine); errors are in c->errors. */
size_t conf_parse_file(struct conf *c, const char *path);
size_t conf_parse_string(struct conf *c, const char *origin, const char *text);

/* Prints c back in normalised form; parsing the output gives the same conf. */
int conf_print(const struct conf *c, FILE *out);

/* The interface's effective if_config: `default` applied under the
 * interface's own settings (engine_if_defaults still fills the rest). */
struct if_config conf_interface_config(const struct conf *c, const struct conf_interface *i);

#endif
