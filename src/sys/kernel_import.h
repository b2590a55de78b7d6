/* Redistribution from the kernel's import tables (`import-table N`).
 *
 * Follows the routes of the configured tables through rtnetlink: a dump at
 * start, then RTM_NEWROUTE/RTM_DELROUTE notifications; when notifications
 * were lost (ENOBUFS) it dumps again and reports the difference.  The
 * routes we installed ourselves (our protocol in the export table) are
 * never reported, whatever the tables.
 *
 * The kernel may hold several routes for one prefix in the tables we
 * follow (different tables, metrics, or IPv4 TOS): the caller hears about
 * the prefix, not about each of them.  It is reported present with the
 * attributes of the preferred route (lowest metric, then first table in
 * the configuration) whenever that changes, and absent when the last one
 * goes.  The redistribute filters are the engine's business, not ours. */
#ifndef MAILLE_SYS_KERNEL_IMPORT_H
#define MAILLE_SYS_KERNEL_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/hashmap.h"
#include "src/core/prefix.h"

struct mnl_socket;

typedef void kernel_import_fn(void *arg, const struct route_key *key, uint32_t ifindex,
			      uint32_t table, uint32_t metric, uint8_t proto, bool present);

struct kernel_import {
	struct mnl_socket *nl; /* subscribed to IPv4 and IPv6 route changes */
	uint32_t *tables;
	size_t n_tables;
	uint32_t export_table;
	uint8_t protocol;
	kernel_import_fn *fn;
	void *arg;
	struct hashmap routes; /* struct kroute by route_key (several per key) */
	uint32_t gen;          /* mark for the resynchronising dump */
	uint32_t seq;
	uint64_t events, resyncs;
};

/* Opens the subscription, then dumps the tables (blocking) and reports
 * every route found.  Nothing is opened when n_tables is 0.  -1 with a log
 * line on failure. */
int kernel_import_open(struct kernel_import *ki, const uint32_t *tables, size_t n_tables,
		       uint32_t export_table, uint8_t protocol, kernel_import_fn *fn, void *arg);

/* Frees everything; reports nothing. */
void kernel_import_close(struct kernel_import *ki);

/* -1 when not open. */
int kernel_import_fd(const struct kernel_import *ki);

/* Reads every queued notification; resynchronises after ENOBUFS. */
void kernel_import_read(struct kernel_import *ki);

/* Reports every prefix followed again, present, as the dump at open did
 * (after a reload changed the redistribute filters: the engine does not
 * keep the routes the old filters refused). */
void kernel_import_replay(struct kernel_import *ki);

/* How many kernel routes are followed. */
size_t kernel_import_count(const struct kernel_import *ki);

#endif
