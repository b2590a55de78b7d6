/* Route installation through rtnetlink.
 *
 * Routes go into the export table with our kernel protocol (42), added or
 * replaced with NLM_F_REPLACE, many changes to one sendto(), and the ACKs
 * read asynchronously.  Only routes of our protocol in our table are ever
 * touched: deletions carry the protocol, so the kernel refuses to remove
 * anybody else's route.  New routes are created with NLM_F_EXCL: where the
 * kernel already holds a route of another protocol in the same slot (same
 * prefix, metric and TOS: a route the operator installed by hand), the
 * kernel refuses ours (EEXIST), the key is remembered as foreign, and later
 * changes for it are tried as creations again rather than replacements, so
 * that the operator's route is never overwritten.  When ACKs are lost
 * (ENOBUFS) the caller is asked
 * to resynchronise: it replays every installed route. */
#ifndef MAILLE_SYS_NETLINK_ROUTE_H
#define MAILLE_SYS_NETLINK_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/engine.h"
#include "src/core/hashmap.h"

struct mnl_socket;

/* Why the kernel refused a route change: its errno folded into the few
 * classes an operator acts on differently. */
enum nlroute_err {
	NLR_ERR_EXISTS,      /* EEXIST: a route not ours holds the slot */
	NLR_ERR_NOT_FOUND,   /* ENOENT, ESRCH (on replace: ours vanished) */
	NLR_ERR_UNREACHABLE, /* ENETUNREACH, EHOSTUNREACH: next hop off-link */
	NLR_ERR_NO_DEVICE,   /* ENODEV: the interface went away */
	NLR_ERR_INVALID,     /* EINVAL, EAFNOSUPPORT, EOPNOTSUPP: a message it cannot use */
	NLR_ERR_NO_MEMORY,   /* ENOMEM, ENOBUFS */
	NLR_ERR_PERMISSION,  /* EPERM, EACCES */
	NLR_ERR_OTHER,
	NLR_ERR_COUNT
};
/* "exists", "not_found", ...: label values for the metrics. */
const char *netlink_route_err_name(enum nlroute_err c);
enum nlroute_err netlink_route_err_class(int err); /* a positive errno */

/* What was asked of the kernel and what it refused. */
struct netlink_route_stats {
	uint64_t ops[3];                       /* messages sent, by enum fib_op
						* (as sent: a replace of a key a
						* foreign route holds goes as add) */
	uint64_t failed[3][NLR_ERR_COUNT];     /* refused, by op and class */
	uint64_t send_failures;                /* a batch's sendto() failed */
	uint64_t acks_lost;                    /* ENOBUFS on the ACKs: resynchronised */
	uint64_t unsupported;                  /* IPv4 source-specific: never sent */
};

#define NLROUTE_RING 1024

struct netlink_route {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint32_t table;
	uint8_t protocol;
	bool need_resync;
	/* What each outstanding sequence number was about, for error lines. */
	struct {
		uint32_t seq;
		enum fib_op op;
		struct route_key key;
	} ring[NLROUTE_RING];
	uint64_t changes, errors;
	struct hashmap foreign; /* keys whose slot a route not ours holds */
	uint64_t refused_foreign;
	struct netlink_route_stats st;
	/* The RTAX_ADVMSS of routes through IFINDEX for FAMILY
	 * (PREFIX_FAMILY_*), 0: none (radio links, radio_advmss).  Set after
	 * netlink_route_open; NULL: never. */
	uint32_t (*advmss)(void *ctx, uint32_t ifindex, uint8_t family);
	void *advmss_ctx;
};

int netlink_route_open(struct netlink_route *nr, uint32_t table, uint8_t protocol);
void netlink_route_close(struct netlink_route *nr);
int netlink_route_fd(const struct netlink_route *nr);

/* Removes every route of our protocol in our table (a dead instance's, at
 * start; ours, at exit as a last resort).  Blocking.  Returns how many. */
int netlink_route_flush(struct netlink_route *nr);

/* Sends the changes in as few messages as fit; does not wait for ACKs. */
void netlink_route_apply(struct netlink_route *nr, const struct fib_change *c, size_t n);

/* Reads pending ACKs and logs failures; sets need_resync on ENOBUFS. */
void netlink_route_read(struct netlink_route *nr);

#endif
