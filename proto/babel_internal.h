/* Helpers shared by the Babel decoder and encoder; not part of the API. */
#ifndef MAILLE_PROTO_BABEL_INTERNAL_H
#define MAILLE_PROTO_BABEL_INTERNAL_H

#include "proto/babel.h"

/* How an AE stores prefixes: family, longest prefix, octets the address
 * takes on the wire, and the octets implied in front of them (AE 3 carries
 * only the low half of fe80::/64 addresses). */
struct babel_ae_info {
	uint8_t af;
	uint8_t max_plen;
	uint8_t min_plen;
	uint8_t wire_len;
	uint8_t implied;
	bool compresses; /* has a default prefix (RFC 8966 4.5, RFC 9229) */
};

/* NULL for AE 0 and unknown AEs. */
const struct babel_ae_info *babel_ae_info(uint8_t ae);

/* Index of the next-hop slot an AE's routes use: IPv4 for AE 1, IPv6 for
 * AE 2, 3 and 4 (v4-via-v6 routes take an IPv6 next hop). */
static inline int babel_nh_family(uint8_t ae)
{
	return ae == BABEL_AE_IPV4 ? 0 : 1;
}

/* Octets of a prefix of this length, counted from the start of the full
 * address (before removing the implied and omitted octets). */
static inline unsigned babel_plen_octets(unsigned plen)
{
	return (plen + 7) / 8;
}

/* True for an address in fe80::/64, the only ones AE 3 can carry. */
bool babel_is_ll64(const uint8_t bytes[16]);

/* RFC 8966 4.6.9, flag 0x40: an IPv4 prefix gives 0:0:0:0 then the
 * address, an IPv6 prefix its low 64 bits. */
void babel_router_id_from_prefix(const struct babel_prefix *p, uint8_t id[8]);

/* RFC 8966 4.6.7: all zeros and all ones are not router-ids. */
bool babel_router_id_valid(const uint8_t id[8]);

#endif
