/* The radio link's data framing: which AX.25 PID and info field carry an IP
 * packet, link-layer fragmentation of packets larger than paclen, and their
 * reassembly (DESIGN.md, "The radio link").  Pure: no I/O, no clock (time
 * comes in as milliseconds), no allocation (the reassembler lives in a
 * caller-allocated struct).
 *
 * Info fields on the air (all under UI frames):
 *
 *   PID 0xF0, first octet 42 (0x2A)  a Babel packet, whole
 *   PID 0xCC, first octet 0x4X       an IPv4 packet, whole
 *   PID 0xF0, first octet 0x6X       an IPv6 packet, whole
 *   PID 0xF0, first octet 0xFB       a fragment of an IP packet (either
 *                                    family) that did not fit in paclen
 *
 * An IPv4 packet under PID 0xF0 (first octet 0x4X) is accepted as IPv4 on
 * receive (nothing else may start so) but never sent.  Everything else is
 * RADIO_INFO_UNKNOWN.
 *
 * Fragment header (7 octets, network byte order), then the data:
 *
 *   0      0xFB           RADIO_FRAG_MAGIC; neither Babel (42) nor IP
 *                         (0x4X, 0x6X) starts so
 *   1-2    packet id      chosen by the sender, the same in every fragment
 *                         of one packet; consecutive packets of a station
 *                         take consecutive ids (start at a random one)
 *   3-4    offset         of this fragment's data in the packet, in octets
 *   5-6    total length   of the whole packet, 1..RADIO_FRAG_MTU
 *   7-     data           at least one octet; offset + length <= total
 *
 * The packet is complete when its data cover 0..total.  A packet is split
 * into as few fragments as paclen allows, each (but the last) carrying
 * paclen - 7 octets; the receiver does not depend on that (any offsets
 * do), so a future sender may split differently.  Fragments are
 * reassembled per (source callsign-SSID, packet id); whatever is not
 * complete within the timeout is dropped.
 *
 * Reassembly keeps at most RADIO_REASM_SLOTS packets and at most byte_cap
 * octets of announced totals; a new packet that does not fit evicts the
 * oldest ones.  An inconsistent fragment (a total differing from the
 * others of its packet, data past the total, an overlap whose octets
 * differ, more than RADIO_FRAG_MAX_FRAGS fragments) drops the fragment
 * and the whole packet, and is counted by reason.  Exact duplicates are
 * counted and ignored, also for a while after their packet completed
 * (RADIO_REASM_RECENT remembered completions), so that a repeated frame
 * does not start a reassembly that can only time out. */
#ifndef MAILLE_SYS_RADIO_FRAG_H
#define MAILLE_SYS_RADIO_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ax25.h"

#define RADIO_FRAG_MTU 1280         /* the TUN's MTU: largest packet carried */
#define RADIO_FRAG_MAGIC 0xFB
#define RADIO_FRAG_HDR_LEN 7
#define RADIO_FRAG_MAX_FRAGS 64     /* fragments of one packet, at most */
#define RADIO_FRAG_PACLEN_MIN 32    /* smallest paclen that can fragment:
				     * 1280 / 25 < 64 fragments */
#define RADIO_BABEL_MAGIC 42

#define RADIO_REASM_SLOTS 16        /* packets reassembled at once */
#define RADIO_REASM_RECENT 32       /* completions remembered for duplicates */
#define RADIO_REASM_TIMEOUT_DEFAULT 30000u  /* ms; suits 1200 baud */
#define RADIO_REASM_BYTES_DEFAULT (8u * RADIO_FRAG_MTU)

/* What a received info field is, by PID and first octet. */
enum radio_info_kind {
	RADIO_INFO_UNKNOWN = 0,
	RADIO_INFO_BABEL,
	RADIO_INFO_IPV4,
	RADIO_INFO_IPV6,
	RADIO_INFO_FRAGMENT,
};

enum radio_info_kind radio_info_classify(uint8_t pid, const uint8_t *info, size_t len);
const char *radio_info_kind_str(enum radio_info_kind k);

/* ------------------------------------------------------------ sending */

/* Number of frames that carry an IP packet of LEN octets at PACLEN: 1 when
 * it goes whole, 2..RADIO_FRAG_MAX_FRAGS when fragmented, 0 when it cannot
 * be sent (len 0 or above RADIO_FRAG_MTU, paclen too small to fragment). */
size_t radio_frag_count(size_t len, size_t paclen);

/* Builds the info field of frame INDEX (0 .. radio_frag_count() - 1) of the
 * IP packet PKT (LEN octets, its first nibble 4 or 6) into OUT (CAP octets;
 * paclen always suffices), with packet id ID (used only when fragmented).
 * Sets *PID (0xCC for a whole IPv4 packet, 0xF0 otherwise) and returns the
 * info field's length, at most paclen; 0 on an invalid argument (not IP,
 * index out of range, cap too small). */
size_t radio_frag_build(const uint8_t *pkt, size_t len, size_t paclen, uint16_t id, size_t index,
			uint8_t *out, size_t cap, uint8_t *pid);

/* A parsed fragment header; data points into the info field. */
struct radio_frag_hdr {
	uint16_t id;
	uint16_t offset;
	uint16_t total;
	const uint8_t *data;
	size_t len;
};

/* ----------------------------------------------------------- receiving */

/* What one fragment did.  RADIO_REASM_COMPLETE delivers a packet; the
 * others deliver nothing.  Each value has its own counter in stats. */
enum radio_reasm_result {
	RADIO_REASM_PENDING = 0,    /* accepted, packet not complete yet */
	RADIO_REASM_COMPLETE,       /* accepted, the packet is in out */
	RADIO_REASM_DUPLICATE,      /* nothing new: ignored */
	RADIO_REASM_ERR_SHORT,      /* shorter than the header plus one octet */
	RADIO_REASM_ERR_MAGIC,      /* first octet is not RADIO_FRAG_MAGIC */
	RADIO_REASM_ERR_TOTAL,      /* total 0 or above RADIO_FRAG_MTU */
	RADIO_REASM_ERR_RANGE,      /* offset + length past the total */
	RADIO_REASM_ERR_MISMATCH,   /* total differs from the packet's */
	RADIO_REASM_ERR_OVERLAP,    /* overlap with different octets */
	RADIO_REASM_ERR_TOO_MANY,   /* more than RADIO_FRAG_MAX_FRAGS */
	RADIO_REASM_ERR_NOT_IP,     /* complete, but not an IPv4/IPv6 packet */
	RADIO_REASM_ERR_NO_ROOM,    /* complete, but out is too small */
	RADIO_REASM_RESULT_COUNT
};

const char *radio_reasm_result_str(enum radio_reasm_result r);

struct radio_reasm_config {
	uint32_t timeout_ms; /* 0: RADIO_REASM_TIMEOUT_DEFAULT */
	uint32_t byte_cap;   /* 0: RADIO_REASM_BYTES_DEFAULT; at most
			      * RADIO_REASM_SLOTS * RADIO_FRAG_MTU */
};

struct radio_reasm_stats {
	uint64_t result[RADIO_REASM_RESULT_COUNT]; /* per radio_reasm_input result */
	uint64_t timed_out;      /* packets dropped incomplete by the timeout */
	uint64_t evicted;        /* packets dropped incomplete for room */
	uint64_t dropped_by_error; /* packets dropped for an inconsistent fragment */
};

struct radio_reasm_slot {
	bool used;
	struct ax25_addr src;
	uint16_t id;
	uint16_t total;
	uint16_t have;          /* octets received */
	uint8_t nfrags;         /* fragments that brought new octets */
	uint64_t start_ms;      /* first fragment's arrival */
	uint64_t seq;           /* age order among slots */
	uint8_t map[RADIO_FRAG_MTU / 8]; /* received octets, one bit each */
	uint8_t data[RADIO_FRAG_MTU];
};

struct radio_reasm_recent {
	bool used;
	struct ax25_addr src;
	uint16_t id;
	uint64_t done_ms;
};

/* The reassembler.  Allocate it anywhere (about 24 KiB), then
 * radio_reasm_init(); its fields are private but for stats. */
struct radio_reasm {
	struct radio_reasm_config cfg;
	struct radio_reasm_stats stats;
	uint32_t bytes;            /* sum of the used slots' totals */
	uint64_t next_seq;
	size_t recent_next;
	struct radio_reasm_slot slot[RADIO_REASM_SLOTS];
	struct radio_reasm_recent recent[RADIO_REASM_RECENT];
};

/* CFG may be NULL (defaults). */
void radio_reasm_init(struct radio_reasm *r, const struct radio_reasm_config *cfg);

/* Parses a fragment's header without reassembling (RADIO_REASM_PENDING on
 * success, or the ERR_SHORT/MAGIC/TOTAL/RANGE reason; nothing counted). */
enum radio_reasm_result radio_frag_parse(const uint8_t *info, size_t len, struct radio_frag_hdr *h);

/* Feeds one fragment info field (RADIO_INFO_FRAGMENT) from station SRC at
 * NOW_MS.  Expires timed-out packets first.  On RADIO_REASM_COMPLETE the
 * packet is copied to OUT (CAP octets; RADIO_FRAG_MTU always suffices) and
 * its length stored in *OUT_LEN. */
enum radio_reasm_result radio_reasm_input(struct radio_reasm *r, const struct ax25_addr *src,
					  const uint8_t *info, size_t len, uint64_t now_ms,
					  uint8_t *out, size_t cap, size_t *out_len);

/* Drops the packets whose timeout has passed at NOW_MS. */
void radio_reasm_expire(struct radio_reasm *r, uint64_t now_ms);

/* When the next packet will time out (absolute ms), or UINT64_MAX when
 * nothing is pending: for the loop's timer. */
uint64_t radio_reasm_next_deadline(const struct radio_reasm *r);

/* Packets being reassembled now, and their announced octets. */
size_t radio_reasm_pending(const struct radio_reasm *r);

#endif
