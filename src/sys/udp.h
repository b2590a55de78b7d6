/* The Babel UDP socket: IPv6, port 6696, ff02::1:6 joined per interface.
 *
 * Receive keeps only packets from link-local sources that are not our own
 * addresses (the caller says which are), with the arrival interface from
 * IPV6_PKTINFO; everything dropped is counted. */
#ifndef MAILLE_SYS_UDP_H
#define MAILLE_SYS_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/core/engine.h"

#define BABEL_PORT 6696

struct udp_stats {
	uint64_t received, sent;
	uint64_t drop_not_link_local, drop_own, drop_no_pktinfo, drop_hop_limit, drop_truncated;
	uint64_t send_errors;
};

typedef bool udp_is_own_fn(void *arg, const struct link_addr *a);
typedef void udp_packet_fn(void *arg, uint32_t ifindex, const struct link_addr *from,
			   bool to_multicast, const uint8_t *pkt, size_t len);

struct udp {
	int fd;
	uint16_t port;
	udp_is_own_fn *is_own;
	udp_packet_fn *on_packet;
	void *arg;
	struct udp_stats stats;
	/* Interfaces where sending fails: logged when it starts failing and
	 * when it works again, not at every packet (a firewall rule or a
	 * dead link fails every send for as long as it lasts). */
	struct udp_failing {
		uint32_t ifindex; /* 0: free slot */
		int err;
		uint64_t lost;
	} failing[8];
};

/* Opens and binds the socket; -1 with errno and a log line on failure. */
int udp_open(struct udp *u, uint16_t port, udp_is_own_fn *is_own, udp_packet_fn *on_packet,
	     void *arg);
void udp_close(struct udp *u);

int udp_join(struct udp *u, uint32_t ifindex);
int udp_leave(struct udp *u, uint32_t ifindex);

/* Reads every queued datagram (the socket is non-blocking). */
void udp_read(struct udp *u, uint64_t now_ms);

/* to == NULL: the multicast group on ifindex.  from: the link-local source
 * address, the one the engine knows as ours on that interface (NULL: the
 * kernel's choice, which on a link with several link-local addresses may be
 * another one: the neighbours would then see a second router and their
 * IHUs would name an address we do not recognise). */
int udp_send(struct udp *u, uint32_t ifindex, const struct link_addr *from,
	     const struct link_addr *to, const uint8_t *buf, size_t len, uint64_t now_ms);

#endif
