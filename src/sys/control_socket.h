/* The control socket: a UNIX stream socket speaking control_proto.h's
 * protocol to many clients at once, without ever blocking routing.
 *
 * It knows no event loop.  The daemon hands it a three-function watch
 * interface (struct ctl_io_ops) that loop.c adapts; everything else runs
 * from control_socket_tick(), which the daemon calls from its tick (after
 * the engine ran), and control_socket_event(), which the daemon calls from
 * the engine's notify callback (it only marks what changed: the engine's
 * objects are not looked at from inside the engine).
 *
 * Who may do what: a peer whose SO_PEERCRED uid is 0 (or the daemon's own
 * euid) or who belongs to the control group may run write commands; anyone
 * else who can connect may read, and gets "no permission denied ..." for a
 * write command.
 *
 * Output to each client goes to its own buffer and is written without
 * blocking.  A client whose pending monitor output passes out_limit is not
 * reading: it is disconnected with a log line.  A client that sent a
 * command gets its whole answer (a dump can be larger than the limit), but
 * its next command is not read until its output went out. */
#ifndef MAILLE_SYS_CONTROL_SOCKET_H
#define MAILLE_SYS_CONTROL_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/engine.h"
#include "src/sys/control_proto.h"

struct control_socket;

/* Called when fd may be readable (and writable, if write watching is
 * supported): the control socket tries what it needs, non-blocking. */
typedef void ctl_io_fn(void *arg, int fd);

/* The tiny loop interface.  watch() starts watching fd for readability
 * (read) and, when write_events is true, writability (write); it is only
 * called with read or write set.  NULL means no memory.  To change what is
 * watched the control socket calls unwatch() and watch() again.  Without
 * write_events, pending output is retried from control_socket_tick(),
 * which then asks to be called again within CTL_RETRY_MS. */
struct ctl_io_ops {
	void *(*watch)(void *io, int fd, bool read, bool write, ctl_io_fn *fn, void *arg);
	void (*unwatch)(void *io, void *handle);
	bool write_events;
};

#define CTL_RETRY_MS 10
/* Monitor changes are gathered and sent at most this often. */
#define CTL_MONITOR_INTERVAL_MS 50

/* Log levels as src/sys/log.h: -1 warning, 0 notice, 1 info, 2 debug. */
typedef void ctl_log_fn(void *arg, int level, const char *msg);

/* A write command for the daemon: 0 and "ok", or -1 and "no REASON" with
 * the reason written into err. */
typedef int ctl_command_fn(void *arg, const struct ctl_cmd *cmd, char *err, size_t errlen);
/* What a command hook returns for a malformed command: "bad REASON". */
#define CTL_COMMAND_BAD (-2)

struct control_hooks {
	ctl_command_fn *command;     /* NULL: write commands answer "no not supported" */
	ctl_counters_fn *counters;   /* NULL: interfaces without counters */
	ctl_edge_fn *edge;           /* NULL: metrics without UDP and kernel counters */
	ctl_log_fn *log;             /* NULL: silent */
	void *arg;
};

struct control_config {
	const char *path;            /* the socket */
	const char *group;           /* NULL: only root (and our own uid) may write */
	const char *version;         /* "maille-X.Y" */
	const char *host;            /* NULL: gethostname() */
	size_t out_limit;            /* 0: 1 MiB of pending monitor output per client */
	unsigned max_clients;        /* 0: 1024 */
};

/* Creates the directory of path if missing (0755, never world-writable),
 * replaces a stale socket (one nobody listens on), refuses to replace a
 * live one or anything that is not a socket, binds and listens.  NULL with
 * a message for the operator in err. */
struct control_socket *control_socket_new(const struct control_config *cfg,
					  const struct ctl_io_ops *io_ops, void *io,
					  const struct control_hooks *hooks, struct engine *e,
					  const uint8_t router_id[8], uint64_t now_ms, char *err,
					  size_t errlen);
/* Closes every client and the socket, and removes the socket file. */
void control_socket_free(struct control_socket *cs);

/* The engine after a reload or restart of the engine object. */
void control_socket_set_engine(struct control_socket *cs, struct engine *e);

/* From the engine's notify callback: marks the kind of object that
 * changed.  ev == NULL marks everything (interfaces going up or down). */
void control_socket_event(struct control_socket *cs, const struct engine_event *ev);

/* Sends monitor changes (at most every CTL_MONITOR_INTERVAL_MS), retries
 * pending output, closes finished clients.  Returns the next deadline
 * (UINT64_MAX: none). */
uint64_t control_socket_tick(struct control_socket *cs, uint64_t now_ms);

/* The listening fd, and counts for tests and status. */
int control_socket_fd(const struct control_socket *cs);
size_t control_socket_clients(const struct control_socket *cs);
size_t control_socket_monitors(const struct control_socket *cs);
uint64_t control_socket_dropped(const struct control_socket *cs);

#endif
