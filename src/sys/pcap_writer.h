/* A classic pcap file, written as packets go (flushed after each, so a
 * capture can be read while the daemon runs): mailled's `pcap FILE` for a
 * radio interface writes link type 202 (LINKTYPE_AX25_KISS: the KISS
 * command byte, then the AX.25 frame), which tshark decodes. */
#ifndef MAILLE_SYS_PCAP_WRITER_H
#define MAILLE_SYS_PCAP_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PCAP_LINKTYPE_AX25_KISS 202

struct pcap_writer {
	FILE *f;
	uint32_t snaplen;
	uint64_t packets, errors;
};

/* Creates (truncates) path and writes the header; -1 with errno. */
int pcap_writer_open(struct pcap_writer *w, const char *path, uint32_t linktype,
		     uint32_t snaplen);
/* One packet: prefix (may be empty) then data, stamped with the wall clock. */
int pcap_writer_write(struct pcap_writer *w, const uint8_t *prefix, size_t plen,
		      const uint8_t *data, size_t len);
void pcap_writer_close(struct pcap_writer *w);

#endif
