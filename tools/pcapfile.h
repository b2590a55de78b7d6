/* Reading pcap and pcapng files: enough to find Babel's UDP datagrams and
 * AX.25 frames in captures, for mailledump and the tests.  pcapng files
 * must use one link type for all their interfaces (as tshark writes them). */
#ifndef MAILLE_TOOLS_PCAPFILE_H
#define MAILLE_TOOLS_PCAPFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
	PCAPFILE_ETHERNET = 1,
	PCAPFILE_AX25 = 3,
	PCAPFILE_RAW = 101,
	PCAPFILE_LINUX_SLL = 113,
	PCAPFILE_AX25_KISS = 202,
	PCAPFILE_IPV6 = 229,
	PCAPFILE_LINUX_SLL2 = 276,
};

struct pcapfile {
	FILE *f;
	uint32_t linktype;
	int swapped;          /* file written on a CPU of the other byte order */
	int ng;               /* pcapng rather than classic pcap */
	char error[128];      /* set when something is wrong; empty otherwise */
	uint8_t buf[262144];
};

struct pcap_packet {
	const uint8_t *data; /* valid until the next call */
	size_t len;
};

/* A UDP datagram over IPv6, located inside a packet. */
struct udp6 {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	const uint8_t *payload;
	size_t len;
};

int pcapfile_open(struct pcapfile *pf, const char *path);
/* 1: a packet; 0: end of file; -1: error (pf->error says what). */
int pcapfile_next(struct pcapfile *pf, struct pcap_packet *pk);
/* 0 and u filled if pk is IPv6/UDP (after the link header); -1 otherwise. */
int pcapfile_udp6(const struct pcapfile *pf, const struct pcap_packet *pk, struct udp6 *u);
void pcapfile_close(struct pcapfile *pf);

#endif
