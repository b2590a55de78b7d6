/* A tiny pcap writer for tests: lets an independent decoder (tshark) read
 * what our encoders produce. */
#ifndef MAILLE_TESTS_PCAP_H
#define MAILLE_TESTS_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
	PCAP_LINKTYPE_ETHERNET = 1,
	PCAP_LINKTYPE_AX25 = 3,
	PCAP_LINKTYPE_AX25_KISS = 202,
};

/* Opens path and writes the global header; NULL on error (errno set). */
FILE *pcap_open(const char *path, uint32_t linktype);
/* Appends one record; the timestamp is the record's index in microseconds. */
int pcap_write(FILE *f, const void *data, size_t len);
/* Wraps a UDP payload in Ethernet + IPv6 + UDP (src/dst port 6696 by
 * default) with a correct UDP checksum and appends it. */
int pcap_write_udp6(FILE *f, const uint8_t src[16], const uint8_t dst[16],
		    uint16_t sport, uint16_t dport, const void *payload, size_t len);
int pcap_close(FILE *f);

#endif
