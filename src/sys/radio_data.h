/* The data plane of one radio interface (DESIGN.md, "The radio link"): its
 * TUN device, its forwarding table and its reassembler, between the kernel
 * and the radio link.
 *
 *   TUN -> radio_fwd_packet (next hop callsign) -> radio_frag_count/build
 *       -> radio_link_send_data (IPv4 whole under PID 0xCC, IPv6 whole or
 *          any fragment under 0xF0)
 *   frame -> radio_info_classify: IPv4/IPv6 whole -> TUN; fragment ->
 *       radio_reasm_input -> on COMPLETE -> TUN
 *
 * Every drop is counted by reason (struct radio_data_stats); none is
 * logged per packet.  The caller watches the TUN's fd, calls
 * radio_data_readable() when it is readable, feeds every route change
 * batch to radio_data_routes(), and calls radio_data_run() from its timer
 * (the reassembler's timeouts). */
#ifndef MAILLE_SYS_RADIO_DATA_H
#define MAILLE_SYS_RADIO_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ax25.h"
#include "src/core/engine.h"
#include "src/sys/radio_frag.h"
#include "src/sys/radio_fwd.h"
#include "src/sys/radio_link.h"
#include "src/sys/tun.h"

/* Packets read from the TUN per radio_data_readable() call, at most (the
 * loop calls again while the fd stays readable). */
#define RADIO_DATA_READ_BURST 32

struct radio_data_stats {
	uint64_t tun_in;          /* packets read from the TUN */
	uint64_t sent;            /* packets handed to the link (all frames queued) */
	uint64_t frames_sent;     /* frames of those */
	uint64_t drop_no_route, drop_no_callsign, drop_malformed;
	uint64_t drop_too_big;    /* cannot be framed at this paclen */
	uint64_t drop_queue_full; /* not enough room left in the data queue */
	uint64_t drop_link;       /* the link refused a frame (down, ...) */
	uint64_t rx_whole, rx_fragments, rx_reassembled;
	uint64_t rx_unknown;      /* neither IP nor a fragment */
	uint64_t rx_frag_dropped; /* fragments refused by the reassembler */
	uint64_t tun_out;         /* packets written to the TUN */
	uint64_t tun_write_errors;
};

struct radio_data {
	struct tun tun;
	struct radio_fwd *fwd;
	struct radio_link *link;
	size_t paclen;
	uint16_t next_id;
	struct radio_data_stats st;
	struct radio_reasm reasm; /* large: last */
};

/* Creates the TUN device NAME (MTU 1280, addrgenmode none, link-local LL)
 * and the tables; LINK is the interface's radio link (not owned).  Returns
 * NULL (logged) on failure. */
struct radio_data *radio_data_open(const char *name, const struct link_addr *ll,
				   struct radio_link *link, size_t paclen, uint16_t first_id);
void radio_data_close(struct radio_data *rd);

int radio_data_fd(const struct radio_data *rd);
uint32_t radio_data_ifindex(const struct radio_data *rd);

/* Reads up to RADIO_DATA_READ_BURST packets from the TUN and sends them. */
void radio_data_readable(struct radio_data *rd, uint64_t now_ms);

/* Sends one IP packet read from the TUN; 0 if it was queued, -1 if
 * dropped (counted). */
int radio_data_send(struct radio_data *rd, const uint8_t *pkt, size_t len);

/* A data frame from the link (radio_link_ops.data_in). */
void radio_data_input(struct radio_data *rd, const struct ax25_addr *src, uint8_t pid,
		      const uint8_t *info, size_t len, uint64_t now_ms);

/* One batch of the engine's route changes. */
void radio_data_routes(struct radio_data *rd, const struct fib_change *c, size_t n);

/* Expires incomplete packets; returns the next deadline (UINT64_MAX: none). */
uint64_t radio_data_run(struct radio_data *rd, uint64_t now_ms);

#endif
