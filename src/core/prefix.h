/* IP prefixes and the keys of the route table.
 *
 * A prefix is kept in one fixed-size form for both families so that tables
 * need no separate code per family: IPv4 sits in the first 4 bytes of addr
 * and bytes 4..15 are zero. Every prefix handed to the rest of the core is
 * normalised (prefix_normalise): the bits past plen are zero, so two equal
 * prefixes are equal byte for byte and hash alike.
 *
 * Text: "2001:db8::/32", "10.0.0.0/8". Formatting is done here rather than
 * with inet_ntop so that the text is the same on glibc and musl: IPv6 follows
 * RFC 5952 (lower case, longest run of two or more zero groups shortened to
 * "::", the first one on a tie, IPv4-mapped addresses in dotted form).
 */
#ifndef MAILLE_CORE_PREFIX_H
#define MAILLE_CORE_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PREFIX_FAMILY_IPV4 4
#define PREFIX_FAMILY_IPV6 6

struct prefix {
	uint8_t family; /* PREFIX_FAMILY_IPV4 or PREFIX_FAMILY_IPV6 */
	uint8_t plen;   /* 0..32 or 0..128 */
	uint8_t addr[16];
};

/* A route's key: destination and, for source-specific routes (RFC 9079),
 * source prefix. src.plen == 0 means "not source-specific"; src.family is
 * then the same as dst.family and src.addr is all zero (prefix_route_key
 * ensures it), so such keys compare and hash consistently. */
struct route_key {
	struct prefix dst;
	struct prefix src;
};

/* Longest text prefix_format writes, with its NUL:
 * "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128". */
#define PREFIX_STRLEN 50
/* Longest route key text: "DST from SRC". */
#define ROUTE_KEY_STRLEN (2 * PREFIX_STRLEN + 6)

/* 32 or 128 for a known family, 0 otherwise. */
unsigned prefix_family_bits(uint8_t family);

/* Whether P has a known family and a plen within its range (bits past plen
 * are not looked at). */
bool prefix_valid(const struct prefix *p);

/* Clears the bits past plen (and bytes 4..15 of an IPv4 prefix). Returns 0,
 * or -1 (P unchanged) when the family or plen is out of range. Returns 1 when
 * it had to clear set bits, so that a caller can warn about "10.1.2.3/8". */
int prefix_normalise(struct prefix *p);

/* Builds a normalised prefix from FAMILY, the address bytes (4 or 16 of
 * them, network order) and PLEN. Returns as prefix_normalise. */
int prefix_make(struct prefix *out, uint8_t family, const uint8_t *addr, unsigned plen);

/* A total order: family, then address bytes, then plen (shorter first).
 * Negative, zero or positive. Expects normalised prefixes. */
int prefix_compare(const struct prefix *a, const struct prefix *b);
bool prefix_equal(const struct prefix *a, const struct prefix *b);

/* A 64-bit hash of a normalised prefix. SEED should be random per process
 * (the engine takes it from its seeded generator) so that remote peers cannot
 * aim many routes at one bucket. */
uint64_t prefix_hash(const struct prefix *p, uint64_t seed);

/* Whether OUTER covers INNER: same family, outer.plen <= inner.plen and the
 * first outer.plen bits agree. Every prefix contains itself; ::/0 contains
 * every IPv6 prefix. */
bool prefix_contains(const struct prefix *outer, const struct prefix *inner);

/* Whether the two share an address (one contains the other). */
bool prefix_overlaps(const struct prefix *a, const struct prefix *b);

/* Whether bit I (0 = most significant bit of addr[0]) of P's address is set. */
bool prefix_bit(const struct prefix *p, unsigned i);

/* Number of leading bits A and B have in common, at most the shorter plen
 * (0 if the families differ). */
unsigned prefix_common_length(const struct prefix *a, const struct prefix *b);

/* Writes "ADDR/PLEN" into BUF (SIZE bytes, PREFIX_STRLEN is always enough)
 * and returns the length of the full text as snprintf does: a result >= SIZE
 * means it was truncated. An invalid prefix formats as "invalid". */
int prefix_format(const struct prefix *p, char *buf, size_t size);

/* Writes the address only, without "/plen". */
int prefix_format_addr(const struct prefix *p, char *buf, size_t size);

/* Parses "ADDR/PLEN" or a bare "ADDR" (a host prefix, /32 or /128). The
 * whole string must be used: no spaces, no sign, no leading zeros in plen.
 * Returns 0, 1 if the address had bits past plen (they are cleared, as
 * prefix_normalise says), or -1 on malformed text (OUT untouched). */
int prefix_parse(const char *text, struct prefix *out);

/* Fills KEY from DST and SRC (NULL or plen 0: not source-specific), both
 * normalised. Returns 0, or -1 if a prefix is invalid or the families
 * differ. */
int route_key_make(struct route_key *key, const struct prefix *dst, const struct prefix *src);
bool route_key_is_source_specific(const struct route_key *key);

/* Order: by dst, then by src. */
int route_key_compare(const struct route_key *a, const struct route_key *b);
bool route_key_equal(const struct route_key *a, const struct route_key *b);
uint64_t route_key_hash(const struct route_key *key, uint64_t seed);

/* "DST" or "DST from SRC" (babeld's wording), as prefix_format. */
int route_key_format(const struct route_key *key, char *buf, size_t size);

#endif
