/* Reading capture files: classic pcap (either byte order, microsecond or
 * nanosecond timestamps) and pcapng (Section Header, Interface Description,
 * Enhanced and Simple Packet Blocks; every other block skipped).
 *
 * This is the one capture reader of the project: mailledump and the unit
 * tests that check our codecs against babeld's captures all go through it,
 * so a capture one of them reads, the others read the same way.  It lives in
 * tools/ (libmaillepcap.a) rather than proto/ because it allocates and reads
 * files, which proto/ never does.
 *
 * Every length in the file is checked against what is really there: a
 * truncated or corrupt file gives an error that says what and at which
 * offset, never a read out of bounds. */
#ifndef MAILLE_TOOLS_PCAPFILE_H
#define MAILLE_TOOLS_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Link types (tcpdump.org's LINKTYPE_ values) that maille's tools decode. */
enum {
	PCAPFILE_ETHERNET = 1,
	PCAPFILE_AX25 = 3,
	PCAPFILE_RAW = 101,
	PCAPFILE_LINUX_SLL = 113,
	PCAPFILE_AX25_KISS = 202,
	PCAPFILE_IPV6 = 229,
	PCAPFILE_LINUX_SLL2 = 276,
};

/* Room for any error message, the caller's buffer for pcapfile_open*(). */
#define PCAPFILE_ERROR_MAX 160

/* Blocks and records larger than this are refused as corrupt: no capture
 * tool writes them (libpcap's largest snapshot length is 256 KiB), and
 * believing a corrupt length would mean allocating gigabytes. */
#define PCAPFILE_MAX_BLOCK (16u << 20)

enum pcapfile_format { PCAPFILE_PCAP, PCAPFILE_PCAPNG };

struct pcapfile;

struct pcapfile_record {
	const uint8_t *data; /* never NULL; valid until the next pcapfile_next() or close */
	size_t len;          /* octets captured (data's length) */
	uint32_t orig_len;   /* octets on the wire, as the file says */
	uint32_t linktype;   /* PCAPFILE_ETHERNET, ...: per interface in pcapng */
	uint32_t interface;  /* pcapng interface id within its section; 0 in pcap */
	bool has_time;       /* false for pcapng Simple Packet Blocks, which carry none */
	uint64_t sec;        /* timestamp, seconds since the epoch ... */
	uint32_t nsec;       /* ... and nanoseconds, below 1e9, whatever the file's resolution */
};

/* Opens a file, or reads from a caller's buffer (which must stay valid and
 * unchanged until pcapfile_close()), and checks the file header.  On error,
 * returns NULL and writes the reason into error (PCAPFILE_ERROR_MAX octets). */
struct pcapfile *pcapfile_open(const char *path, char *error);
struct pcapfile *pcapfile_open_mem(const void *buf, size_t len, char *error);

/* 1: *rec holds the next record; 0: clean end of file; -1: the file is
 * truncated or corrupt, and pcapfile_error() says how.  An error is final:
 * every later call returns -1 again. */
int pcapfile_next(struct pcapfile *pf, struct pcapfile_record *rec);

/* The last error ("" if none), with the offset in the file where it is. */
const char *pcapfile_error(const struct pcapfile *pf);

enum pcapfile_format pcapfile_format(const struct pcapfile *pf);

/* Closes the file (NULL is fine); the buffer of pcapfile_open_mem() is the
 * caller's and is left alone. */
void pcapfile_close(struct pcapfile *pf);

#endif
