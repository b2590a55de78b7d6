/* The Babel packet codec: RFC 8966 packets, TLVs and sub-TLVs, with the
 * extensions maille speaks: RFC 8967 (MAC, PC, challenges), RFC 9079
 * (source prefix), RFC 9229 (v4-via-v6) and RFC 9616 (timestamps).
 *
 * Pure byte work: no allocation, no globals, no I/O, no crypto.  Decoding
 * reads only through the bounds-checked readers of proto/bytes.h and hands
 * back typed structs; encoding writes into the caller's buffer and never
 * leaves a half-written TLV behind.
 *
 * Receiving, in order:
 *     babel_packet_split()            header / body / trailer spans
 *     babel_iter_trailer() + next     the MAC TLVs, to check the MAC over
 *     babel_mac_pseudo_header()       pseudo-header + header + body
 *     babel_iter_body() + next        every TLV of the body, with the RFC 8966
 *                                     parser state (default prefixes,
 *                                     router-id, next hops) already applied
 * Sending:
 *     babel_pkt_init(), babel_put_*() until BABEL_PUT_FULL, babel_pkt_finish(),
 *     then (with MAC) babel_put_mac() once per key into the reserved trailer.
 *
 * What is malformed and what is only ignored (RFC 8966 section 4, read for a
 * decoder that must never misread a route):
 *   - A TLV whose length runs past the body (or a truncated TLV header)
 *     breaks the framing: babel_iter_next() returns BABEL_MALFORMED once and
 *     then BABEL_END; the rest of the body is unusable.
 *   - A TLV whose own content is wrong (too short for its type, a prefix
 *     length out of range, Omitted larger than the address, compression with
 *     no default prefix, a sub-TLV running past the TLV, ...) is
 *     BABEL_MALFORMED on its own; the framing is intact, so the following
 *     TLVs are still decoded.  What the bad TLV would have set in the parser
 *     state (a default prefix, the router-id, a next hop) becomes "poisoned":
 *     later TLVs that depend on it are BABEL_IGNORE, never misread.
 *   - BABEL_IGNORE: well-formed but not for us: unknown TLV types, unknown
 *     address encodings (future extensions), an unknown sub-TLV with the
 *     mandatory bit (the TLV is ignored but still updates the parser state,
 *     RFC 8966 section 4.4), an Update that is not a retraction with no
 *     router-id in force, a MAC TLV in the body.
 * The engine treats a MALFORMED TLV like an ignored one; it may also choose
 * to drop the whole packet (babel_iter_broken() tells it framing broke).
 *
 * Readings where the RFCs leave room:
 *   - AE 3 in a prefix is the low half of an fe80::/64 address: plen 64..128,
 *     (plen+7)/8 - 8 octets on the wire, no Omitted, no default prefix.
 *   - AE 4 has a default prefix of its own, apart from AE 1 (RFC 9229), and
 *     is refused in Next Hop and IHU, which name neighbours.
 *   - A source prefix of length 0 restricts nothing: it decodes as none.  On
 *     a wildcard (AE 0) it has no family and counts as an unknown mandatory
 *     sub-TLV; twice in one TLV, the TLV is ignored.
 *   - A timestamp sub-TLV of the wrong size is skipped (it is not mandatory).
 *   - Flag 0x40 on a prefix whose router-id would be all zeros or all ones
 *     poisons the router-id instead of setting it.
 */
#ifndef MAILLE_PROTO_BABEL_H
#define MAILLE_PROTO_BABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/bytes.h"

enum {
	BABEL_MAGIC = 42,
	BABEL_VERSION = 2,
	BABEL_PORT = 6696,
	BABEL_HEADER_LEN = 4,
	BABEL_TLV_MAX_BODY = 255,        /* the Length field is one octet */
	BABEL_INFINITY = 0xFFFF,         /* metric of a retraction */
	BABEL_PC_INDEX_MAX = 32,         /* RFC 8967: Index at most 32 octets */
	BABEL_NONCE_MAX = 192,           /* RFC 8967: Nonce at most 192 octets */
	BABEL_PSEUDO_HEADER_LEN = 36,    /* RFC 8967: 16 + 2 + 16 + 2 */
};

/* TLV types (RFC 8966 section 4.6, RFC 8967 section 6). */
enum babel_tlv_type {
	BABEL_TLV_PAD1 = 0,
	BABEL_TLV_PADN = 1,
	BABEL_TLV_ACK_REQ = 2,
	BABEL_TLV_ACK = 3,
	BABEL_TLV_HELLO = 4,
	BABEL_TLV_IHU = 5,
	BABEL_TLV_ROUTER_ID = 6,
	BABEL_TLV_NEXT_HOP = 7,
	BABEL_TLV_UPDATE = 8,
	BABEL_TLV_ROUTE_REQ = 9,
	BABEL_TLV_SEQNO_REQ = 10,
	BABEL_TLV_MAC = 16,
	BABEL_TLV_PC = 17,
	BABEL_TLV_CHALLENGE_REQ = 18,
	BABEL_TLV_CHALLENGE_REPLY = 19,
};

/* Sub-TLV types (RFC 8966 4.7, RFC 9616, RFC 9079).  Types with the high
 * bit set are mandatory: a TLV carrying one we do not know is ignored. */
enum babel_subtlv_type {
	BABEL_SUB_PAD1 = 0,
	BABEL_SUB_PADN = 1,
	BABEL_SUB_TIMESTAMP = 3,
	BABEL_SUB_SOURCE_PREFIX = 128,
	BABEL_SUB_MANDATORY = 0x80,
};

/* Address encodings (RFC 8966 4.1.5, RFC 9229). */
enum babel_ae {
	BABEL_AE_WILDCARD = 0,
	BABEL_AE_IPV4 = 1,
	BABEL_AE_IPV6 = 2,
	BABEL_AE_LINK_LOCAL = 3,  /* 8 octets, fe80::/64 implied */
	BABEL_AE_V4_VIA_V6 = 4,   /* IPv4 prefix, IPv6 next hop; own compression state */
	BABEL_AE_COUNT = 5,
};

enum {
	BABEL_HELLO_UNICAST = 0x8000,
	BABEL_UPDATE_DEFAULT_PREFIX = 0x80, /* this prefix becomes the AE's default */
	BABEL_UPDATE_ROUTER_ID = 0x40,      /* router-id taken from this prefix */
};

/* Address families of decoded addresses and prefixes. */
enum babel_af { BABEL_AF_NONE = 0, BABEL_AF_IPV4 = 4, BABEL_AF_IPV6 = 6 };

/* An address: IPv4 in bytes[0..3] (the rest zero), IPv6 in all 16. */
struct babel_addr {
	uint8_t af;
	uint8_t bytes[16];
};

/* A prefix, fully expanded (no compression left) and with every bit past
 * plen zero, so two equal prefixes compare equal with memcmp. */
struct babel_prefix {
	uint8_t af;
	uint8_t plen;
	uint8_t bytes[16];
};

/* Three-way decode result, plus the end of an iteration. */
enum babel_result { BABEL_OK, BABEL_IGNORE, BABEL_MALFORMED, BABEL_END };

/* Encode result: written; does not fit in this packet (start a new one and
 * try again, buffer and state untouched); cannot be encoded at all. */
enum babel_put { BABEL_PUT_OK, BABEL_PUT_FULL, BABEL_PUT_INVALID };

struct babel_ack_req {
	uint16_t opaque;
	uint16_t interval; /* centiseconds */
};

struct babel_ack {
	uint16_t opaque;
};

struct babel_hello {
	uint16_t flags; /* BABEL_HELLO_UNICAST; other bits kept as received */
	uint16_t seqno;
	uint16_t interval;
	bool has_timestamp; /* RFC 9616 transmit timestamp */
	uint32_t timestamp;
};

struct babel_ihu {
	uint8_t ae;            /* as received; the encoder picks it from addr */
	uint16_t rxcost;
	uint16_t interval;
	struct babel_addr addr; /* af NONE: AE 0, "whoever receives this" */
	bool has_timestamp;    /* RFC 9616 origin and receive timestamps */
	uint32_t origin;
	uint32_t receive;
};

struct babel_router_id {
	uint8_t id[8];
};

struct babel_next_hop {
	uint8_t ae;             /* as received; the encoder picks it from addr */
	struct babel_addr addr;
};

/* An Update as the engine needs it: the prefix expanded and, from the
 * parser state, the router-id and the next hop in force for its family
 * (has_next_hop false: the sender's source address is the next hop).
 * Router-id and next hop mean nothing for a retraction. */
struct babel_update {
	uint8_t ae;      /* 0 wildcard retraction, 1 IPv4, 2/3 IPv6, 4 v4-via-v6 */
	uint8_t flags;   /* as received; the encoder chooses 0x80 and 0x40 itself */
	uint16_t interval;
	uint16_t seqno;
	uint16_t metric; /* BABEL_INFINITY: retraction */
	struct babel_prefix prefix;
	bool has_src;    /* RFC 9079 source prefix */
	struct babel_prefix src;
	bool has_router_id;
	uint8_t router_id[8];
	bool has_next_hop;
	struct babel_addr next_hop;
};

struct babel_route_req {
	uint8_t ae;                 /* 0: wildcard request (full dump) */
	struct babel_prefix prefix;
	bool has_src;
	struct babel_prefix src;
};

struct babel_seqno_req {
	uint8_t ae;
	uint16_t seqno;
	uint8_t hop_count;
	uint8_t router_id[8];
	struct babel_prefix prefix;
	bool has_src;
	struct babel_prefix src;
};

/* Variable-length fields point into the packet being decoded: they live as
 * long as the caller's buffer, nothing is copied. */
struct babel_span {
	const uint8_t *p;
	size_t len;
};

struct babel_pc {
	uint32_t pc;
	struct babel_span index;
};

/* One decoded TLV.  For BABEL_IGNORE and BABEL_MALFORMED, why is a short
 * static reason for logs and tests. */
struct babel_tlv {
	uint8_t type;
	const char *why;
	union {
		struct babel_span padn;   /* PadN (its MBZ octets), unknown TLVs */
		struct babel_span raw;
		struct babel_ack_req ack_req;
		struct babel_ack ack;
		struct babel_hello hello;
		struct babel_ihu ihu;
		struct babel_router_id router_id;
		struct babel_next_hop next_hop;
		struct babel_update update;
		struct babel_route_req route_req;
		struct babel_seqno_req seqno_req;
		struct babel_span mac;
		struct babel_pc pc;
		struct babel_span nonce;  /* challenge request and reply */
	};
};

/* ------------------------------------------------------------ packets */

/* The three parts of a packet (RFC 8967 section 4.2: whatever follows the
 * body inside the UDP payload is the trailer). */
struct babel_packet {
	struct babel_span header; /* 4 octets: what the MAC covers with the body */
	struct babel_span body;
	struct babel_span trailer;
};

/* Splits a UDP payload.  MALFORMED: shorter than a header, wrong magic or
 * body longer than the payload; IGNORE: another version (RFC 8966 4.2). */
enum babel_result babel_packet_split(const uint8_t *pkt, size_t len, struct babel_packet *out);

/* RFC 8967 section 4.1 pseudo-header: source address, source port,
 * destination address, destination port; IPv4 as IPv4-mapped IPv6.  The
 * MAC covers this, then the packet header and body.  Returns 36, or 0 for
 * an address of no family. */
size_t babel_mac_pseudo_header(uint8_t out[BABEL_PSEUDO_HEADER_LEN],
			       const struct babel_addr *src, uint16_t sport,
			       const struct babel_addr *dst, uint16_t dport);

/* --------------------------------------------------------- parser state */

/* Each piece of state is unset, set, or poisoned by a malformed TLV that
 * would have set it (then what depends on it is ignored, not guessed). */
enum babel_slot { BABEL_SLOT_UNSET, BABEL_SLOT_SET, BABEL_SLOT_POISONED };

struct babel_default_prefix {
	uint8_t slot;
	uint8_t plen;
	uint8_t bytes[16];
};

/* RFC 8966 section 4.5, shared by decoder and encoder (the encoder tracks
 * what its receiver will hold).  Reset at the start of every packet. */
struct babel_state {
	struct babel_default_prefix dflt[BABEL_AE_COUNT]; /* used for AE 1, 2, 4 */
	uint8_t rid_slot;
	uint8_t router_id[8];
	uint8_t nh_slot[2];      /* [0] IPv4, [1] IPv6 */
	uint8_t nh[2][16];
};

/* ------------------------------------------------------------- decoding */

struct babel_iter {
	struct reader r;
	struct babel_state st;
	bool trailer; /* iterating a trailer: only MAC TLVs count */
	bool broken;  /* framing broke: the rest was not decoded */
};

/* Iterates the packet body with fresh parser state. */
void babel_iter_body(struct babel_iter *it, const struct babel_packet *pkt);
/* Iterates the trailer: MAC TLVs and padding are OK, the rest IGNORE. */
void babel_iter_trailer(struct babel_iter *it, const struct babel_packet *pkt);
/* Decodes the next TLV into out; BABEL_END when there is none left. */
enum babel_result babel_iter_next(struct babel_iter *it, struct babel_tlv *out);
/* True once a TLV ran past the end: the rest of the span was dropped. */
bool babel_iter_broken(const struct babel_iter *it);

/* Same meaning: what the codec promises to carry through encode and
 * decode.  Update flags, received AEs of addresses, and the router-id and
 * next hop of retractions are not compared. */
bool babel_tlv_same(const struct babel_tlv *a, const struct babel_tlv *b);

/* ------------------------------------------------------------- encoding */

/* A packet being built.  The encoder keeps the state its receiver's parser
 * will have, to compress prefixes and to send Router-Id and Next Hop only
 * when they change. */
struct babel_pkt {
	uint8_t *buf;
	size_t cap;          /* whole buffer: header, body and trailer */
	size_t len;          /* octets written so far */
	size_t reserve;      /* kept free for the trailer while the body grows */
	size_t body_end;     /* header + body, once finished */
	bool finished;       /* body length written: only the trailer may grow */
	struct babel_state st;
};

/* Starts a packet in buf (cap octets: the UDP payload size the MTU allows)
 * keeping trailer_reserve octets for the MAC TLVs added after finishing. */
void babel_pkt_init(struct babel_pkt *p, uint8_t *buf, size_t cap, size_t trailer_reserve);
/* Octets of body still free. */
size_t babel_pkt_room(const struct babel_pkt *p);
/* True while no TLV has been written. */
bool babel_pkt_empty(const struct babel_pkt *p);
/* Writes the body length; returns header + body length (the MAC input).
 * Calling it again changes nothing. */
size_t babel_pkt_finish(struct babel_pkt *p);
/* Octets of the whole packet so far (header, body, trailer). */
size_t babel_pkt_len(const struct babel_pkt *p);

/* Every put writes one whole TLV (or, for updates, the TLVs one route
 * needs) or nothing: BABEL_PUT_FULL leaves buffer and state as they were. */
enum babel_put babel_put_pad1(struct babel_pkt *p);
enum babel_put babel_put_padn(struct babel_pkt *p, size_t n); /* n MBZ octets */
enum babel_put babel_put_ack_req(struct babel_pkt *p, const struct babel_ack_req *a);
enum babel_put babel_put_ack(struct babel_pkt *p, const struct babel_ack *a);
enum babel_put babel_put_hello(struct babel_pkt *p, const struct babel_hello *h);
enum babel_put babel_put_ihu(struct babel_pkt *p, const struct babel_ihu *ihu);
enum babel_put babel_put_router_id(struct babel_pkt *p, const uint8_t id[8]);
/* A Next Hop for addr's family; AE 3 when it is in fe80::/64. */
enum babel_put babel_put_next_hop(struct babel_pkt *p, const struct babel_addr *addr);
/* One route: the Router-Id and Next Hop TLVs its receiver needs (only if
 * they differ from what the packet already set; the router-id through flag
 * 0x40 when the prefix carries it), then the Update with the best
 * compression.  has_next_hop false means "my source address": FULL if this
 * packet already named another next hop for the family.  A route that is
 * not a retraction needs a router-id. */
enum babel_put babel_put_update(struct babel_pkt *p, const struct babel_update *u);
enum babel_put babel_put_route_req(struct babel_pkt *p, const struct babel_route_req *r);
enum babel_put babel_put_seqno_req(struct babel_pkt *p, const struct babel_seqno_req *r);
enum babel_put babel_put_pc(struct babel_pkt *p, uint32_t pc, const uint8_t *index, size_t len);
enum babel_put babel_put_challenge_req(struct babel_pkt *p, const uint8_t *nonce, size_t len);
enum babel_put babel_put_challenge_reply(struct babel_pkt *p, const uint8_t *nonce, size_t len);
/* Any TLV from its body (unknown types, hand-built sub-TLVs).  A raw
 * Router-Id or Next Hop is not tracked: do not mix with babel_put_update. */
enum babel_put babel_put_raw(struct babel_pkt *p, uint8_t type, const uint8_t *body, size_t len);
/* A decoded TLV back to the wire (MAC excepted: it belongs in the trailer). */
enum babel_put babel_put_tlv(struct babel_pkt *p, const struct babel_tlv *t);
/* After babel_pkt_finish: one MAC TLV into the trailer. */
enum babel_put babel_put_mac(struct babel_pkt *p, const uint8_t *mac, size_t len);

/* Sub-TLV writers, for TLV bodies built by hand. */
void babel_write_sub_pad(struct writer *w, size_t n); /* Pad1 if n == 1, else PadN */
void babel_write_sub_timestamp(struct writer *w, const uint32_t *ts, size_t n);
/* FALSE for a prefix that cannot be a source prefix. */
bool babel_write_sub_source_prefix(struct writer *w, const struct babel_prefix *src);

/* ------------------------------------------------------------- helpers */

/* Octets of an address of this AE on the wire (0 for AE 0; -1 unknown). */
int babel_ae_addr_len(uint8_t ae);
/* Zeroes every bit of the prefix past plen. */
void babel_prefix_mask(struct babel_prefix *p);

#endif
