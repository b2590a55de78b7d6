/* Finding a UDP datagram over IPv6 inside a captured frame, whatever the
 * link layer around it: what mailledump and the capture tests look for in
 * the records that tools/pcapfile.h reads. */
#ifndef MAILLE_TOOLS_PCAP_UDP6_H
#define MAILLE_TOOLS_PCAP_UDP6_H

#include <stddef.h>
#include <stdint.h>

struct udp6 {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	const uint8_t *payload; /* points into the frame */
	size_t len;
};

/* 0 and *u filled if the frame, of the given pcap link type (Ethernet with
 * at most one VLAN tag, Linux cooked v1 or v2, raw IPv6), carries IPv6 with
 * UDP right after the fixed header; -1 for anything else or a frame too
 * short for what its headers announce. */
int pcap_udp6(uint32_t linktype, const uint8_t *frame, size_t len, struct udp6 *u);

#endif
