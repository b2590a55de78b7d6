/* Forwarding over a radio link: the next hop, as a callsign-SSID, of an IP
 * packet read from the link's TUN device (DESIGN.md, "The radio link").
 * A packet read from a TUN carries no next hop, so each radio link keeps
 * its own longest-prefix-match table of the routes the engine installs
 * through it, fed from the engine's fib_change batches.
 *
 * Lookup follows RFC 9079 (source-specific routing): among the routes whose
 * destination prefix contains the packet's destination and whose source
 * prefix contains its source (source prefix length 0: any source), the one
 * with the longest destination wins, then the longest source.  Cost is
 * O(destination bits) plus the source-specific routes of the matching
 * destinations: one binary trie per family, destination bits, each node
 * holding the routes of one destination prefix (sorted by source length).
 *
 * The next hop is the route's IPv6 link-local next hop (IPv4 routes too,
 * RFC 9229) turned back into a callsign-SSID (callsign_from_ll).  A route
 * whose next hop was not made from a callsign (e.g. an IPv4-mapped next
 * hop) is kept, so that its removal matches, but forwards nothing: lookups
 * that land on it answer RADIO_FWD_NO_CALLSIGN.
 *
 * Not thread-safe; allocation happens only on route changes, never on
 * lookup. */
#ifndef MAILLE_SYS_RADIO_FWD_H
#define MAILLE_SYS_RADIO_FWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ax25.h"
#include "src/core/engine.h"
#include "src/core/prefix.h"

/* ------------------------------------------------------ IP header parse */

enum radio_ip_result {
	RADIO_IP_OK = 0,
	RADIO_IP_ERR_SHORT,    /* shorter than the fixed header */
	RADIO_IP_ERR_VERSION,  /* version is neither 4 nor 6 */
	RADIO_IP_ERR_HEADER,   /* IPv4: IHL below 5 or past the packet */
	RADIO_IP_ERR_LENGTH,   /* total / payload length past the packet, or
				* IPv4 total length below its header */
	RADIO_IP_RESULT_COUNT
};

/* The addresses of an IP packet; IPv4 in the first 4 octets, as in struct
 * prefix. */
struct radio_ip {
	uint8_t family; /* PREFIX_FAMILY_IPV4 or PREFIX_FAMILY_IPV6 */
	uint8_t dst[16];
	uint8_t src[16];
};

/* Checks the fixed header of the IP packet PKT (LEN octets, as read from
 * the TUN or reassembled) and extracts its addresses.  Octets past the
 * header's length are tolerated (padding); options are not parsed. */
enum radio_ip_result radio_ip_parse(const uint8_t *pkt, size_t len, struct radio_ip *out);
const char *radio_ip_result_str(enum radio_ip_result r);

/* ------------------------------------------------------------- the table */

enum radio_fwd_result {
	RADIO_FWD_OK = 0,
	RADIO_FWD_MALFORMED,    /* radio_ip_parse refused the packet */
	RADIO_FWD_NO_ROUTE,     /* no route matches */
	RADIO_FWD_NO_CALLSIGN,  /* the route's next hop is not callsign-made */
	RADIO_FWD_RESULT_COUNT
};

const char *radio_fwd_result_str(enum radio_fwd_result r);

struct radio_fwd_stats {
	uint64_t result[RADIO_FWD_RESULT_COUNT];  /* per radio_fwd_packet answer */
	uint64_t malformed[RADIO_IP_RESULT_COUNT]; /* per radio_ip_parse reason */
	uint64_t bad_changes;   /* fib_change refused (invalid key, no memory) */
};

struct radio_fwd;

/* A table for the radio interface IFINDEX; NULL on allocation failure. */
struct radio_fwd *radio_fwd_new(uint32_t ifindex);
void radio_fwd_free(struct radio_fwd *t);

/* Applies one batch of the engine's route changes (route_change callback).
 * Feed every batch to every radio table: a change whose ifindex is this
 * table's adds or replaces the route; an ADD or REPLACE for another
 * interface, or any REMOVE, removes the route with that key if this table
 * has it (the engine installs one route per key, so a route that moved
 * away from the radio is gone from here). */
void radio_fwd_apply(struct radio_fwd *t, const struct fib_change *changes, size_t n);

/* The same, one route at a time.  set returns 0, or -1 (invalid key, no
 * memory: counted in bad_changes).  del returns 1 if the route was there,
 * 0 if not. */
int radio_fwd_set(struct radio_fwd *t, const struct route_key *key,
		  const struct link_addr *nexthop);
int radio_fwd_del(struct radio_fwd *t, const struct route_key *key);
void radio_fwd_clear(struct radio_fwd *t);

size_t radio_fwd_count(const struct radio_fwd *t);
uint32_t radio_fwd_ifindex(const struct radio_fwd *t);
const struct radio_fwd_stats *radio_fwd_stats(const struct radio_fwd *t);

/* The route for destination DST and source SRC (FAMILY's 4 or 16 octets
 * each, network order).  On RADIO_FWD_OK fills *CALL (may be NULL); fills
 * *KEY (may be NULL) with the matching route's key on OK and NO_CALLSIGN,
 * and *NEXTHOP (may be NULL) likewise.  SRC may be NULL: only routes that
 * are not source-specific match then.  Nothing counted. */
enum radio_fwd_result radio_fwd_lookup(const struct radio_fwd *t, uint8_t family,
				       const uint8_t *dst, const uint8_t *src,
				       struct ax25_addr *call, struct route_key *key,
				       struct link_addr *nexthop);

/* What the data plane calls for each packet read from the TUN: parses PKT,
 * looks it up, counts the answer (and the malformed reason) in the stats,
 * and on RADIO_FWD_OK sets *CALL to the next hop's callsign-SSID. */
enum radio_fwd_result radio_fwd_packet(struct radio_fwd *t, const uint8_t *pkt, size_t len,
				       struct ax25_addr *call);

/* ---------------------------------------------------- advertised MSS */

/* The RTAX_ADVMSS value (octets) for kernel routes through a radio
 * interface of frame size PACLEN, so that a TCP segment with its IP and
 * TCP headers fits one frame: paclen - 40 for IPv4 (20 + 20), paclen - 60
 * for IPv6 (40 + 20).  Linux applies an explicit RTAX_ADVMSS as given:
 * the route minimums (ip_rt_min_advmss 256, ip6_rt_min_advmss 1220) bound
 * only the default derived from the MTU, and the metric is capped at
 * 65535 - 40 (net/ipv4/metrics.c).  The sender's side floors its MSS at
 * net.ipv4.tcp_min_snd_mss (48 by default, TCP_MIN_SND_MSS), so the result
 * is never below RADIO_ADVMSS_MIN; when that makes a segment larger than
 * paclen, link-layer fragments carry it.  Above the TUN's MTU (paclen >
 * 1280) the MTU decides: 1240 / 1220.  Returns 0 for an unknown family. */
#define RADIO_ADVMSS_MIN 48
uint32_t radio_advmss(uint8_t family, size_t paclen);

#endif
