/* The state file: what must survive a restart (RFC 8966 3.5.2: a router
 * that restarts with an older seqno has its updates ignored until the old
 * ones expire).  Written atomically: a temporary file in the same
 * directory, fsync, rename. */
#ifndef MAILLE_SYS_STATE_H
#define MAILLE_SYS_STATE_H

#include <stdbool.h>
#include <stdint.h>

struct state {
	bool has_seqno;
	uint16_t seqno;
	bool has_router_id;
	uint8_t router_id[8];
};

/* Reads path into *st.  0: read (fields found are set); 1: no file yet;
 * -1: unreadable or malformed (logged; *st holds what was understood). */
int state_read(const char *path, struct state *st);

/* Writes *st atomically; -1 with a log line on failure. */
int state_write(const char *path, const struct state *st);

#endif
