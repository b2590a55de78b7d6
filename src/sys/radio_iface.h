/* One `type ax25` interface in the daemon: its TNC connection (tnc.c), its
 * link discipline (radio_link.c) and its capture (pcap_writer.c), wired
 * together so that mailled.c only sees "up or down", "a Babel packet
 * arrived" and "send this Babel packet".
 *
 * The kernel side of the interface (the device whose ifindex the routes
 * use) is the TUN device of the data plane; the link-local address is the
 * callsign's, never the kernel's. */
#ifndef MAILLE_SYS_RADIO_IFACE_H
#define MAILLE_SYS_RADIO_IFACE_H

#include <stdbool.h>
#include <stdint.h>

#include "src/conf/conf.h"
#include "src/core/engine.h"
#include "src/sys/pcap_writer.h"
#include "src/sys/radio_link.h"
#include "src/sys/tnc.h"

struct radio_iface;

struct radio_iface_ops {
	/* The TNC came (up) or went: reconcile the engine's interface. */
	void (*state)(void *ctx, struct radio_iface *r, bool up, uint64_t now_ms);
	void (*babel_in)(void *ctx, struct radio_iface *r, const struct link_addr *from,
			 bool to_multicast, const uint8_t *pkt, size_t len, uint64_t now_ms);
	/* Watch fd for reading (-1: stop). */
	void (*watch)(void *ctx, struct radio_iface *r, int fd);
	/* A data frame for us: the data plane's (NULL: counted and dropped). */
	void (*data_in)(void *ctx, struct radio_iface *r, const struct ax25_addr *src, uint8_t pid,
			const uint8_t *info, size_t len);
};

struct radio_iface {
	const struct conf_interface *ci;
	struct tnc tnc;
	struct radio_link *link;
	struct pcap_writer pcap;
	struct link_addr ll;
	const struct radio_iface_ops *ops;
	void *ctx;
	uint64_t now; /* of the event being handled */
	bool draining; /* in radio_iface_free(): the TNC only flushes */
};

/* How long, at exit, what routing queued last may take to reach the air:
 * until the frames handed to the TNC should be off the air (our own
 * airtime estimate, frames the TNC already held included) plus 1.5 s of
 * channel access, but at least 2 s and at most 5 s.  At 1200 baud one
 * frame keeps the transmitter on for over a second: a flat 2 s gave up on
 * the farewell whenever the TNC still held a frame of ours. */
#define RADIO_DRAIN_MIN_MS 2000
#define RADIO_DRAIN_SLACK_MS 1500
#define RADIO_DRAIN_MAX_MS 5000

/* NULL (logged) on a bad callsign, an unwritable pcap file or no memory. */
struct radio_iface *radio_iface_new(const struct conf_interface *ci,
				    const struct radio_iface_ops *ops, void *ctx, uint64_t now_ms,
				    uint64_t seed);
/* Before closing the TNC, hands it the routing frames still queued (at
 * exit: the retractions and farewell Hello engine_shutdown() just sent)
 * and waits, at most RADIO_DRAIN_MAX_MS, until its queue reads empty, so
 * that neighbours hear us leave instead of timing us out (a TNC drops
 * what it has not sent when its client goes).  Nothing received in that
 * time reaches the caller. */
void radio_iface_free(struct radio_iface *r);

bool radio_iface_up(const struct radio_iface *r);
/* The engine's if_config for it: the conf's, with the MTU at paclen and
 * bulk output paced within the airtime budget. */
void radio_iface_adjust_config(const struct radio_iface *r, struct if_config *cfg);
void radio_iface_readable(struct radio_iface *r, uint64_t now_ms);
/* to NULL: multicast (BABEL). */
void radio_iface_send_babel(struct radio_iface *r, const struct link_addr *to,
			    const uint8_t *pkt, size_t len, uint64_t now_ms);
/* Runs the TNC and the link; the next deadline (UINT64_MAX: none). */
uint64_t radio_iface_run(struct radio_iface *r, uint64_t now_ms);

#endif
