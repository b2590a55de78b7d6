/* RFC 8967 MAC authentication for Babel: keys with lifetimes, MAC
 * computation over the pseudo-header, signing and verifying packets, and the
 * anti-replay state (packet counter, index, challenges) as small pure
 * functions.
 *
 * Nothing here does I/O, reads a clock or draws randomness by itself: time
 * comes in as milliseconds of the caller's monotonic clock, randomness
 * through a callback.  The cryptography is nettle's.
 *
 * How the engine uses it for a packet received on an interface with keys:
 *
 *   1. mac_verify(): anything but MAC_ACCEPTED drops the packet, before any
 *      neighbour entry is created (RFC 8967 §4.3 step 1).
 *   2. Preparse the body.  For each Challenge Request sent to a unicast
 *      address: reply with its nonce if mac_neigh_may_reply() allows.  For
 *      each Challenge Reply: mac_neigh_check_reply().  Note the first PC TLV.
 *   3. mac_neigh_check_pc(): MAC_PC_ACCEPT passes the packet on to normal
 *      processing; MAC_PC_CHALLENGE drops it and asks for a challenge through
 *      mac_neigh_challenge(); the others drop it.
 *
 * And for a packet sent: put mac_counter_next()'s PC TLV in the body, then
 * mac_sign() appends one MAC TLV per current send key to the trailer. */
#ifndef MAILLE_CORE_MAC_H
#define MAILLE_CORE_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TLV types (RFC 8967 §6, IANA Babel TLV Types). */
enum {
	MAC_TLV_MAC = 16,               /* in the trailer */
	MAC_TLV_PC = 17,                /* in the body */
	MAC_TLV_CHALLENGE_REQUEST = 18, /* in the body */
	MAC_TLV_CHALLENGE_REPLY = 19,   /* in the body */
};

#define MAC_KEY_ID_MAX 64     /* bytes in a key's name: a config token, never sent */
#define MAC_KEY_VALUE_MAX 64  /* babeld's limit for hmac-sha256 (one SHA-256 block) */
#define MAC_DIGEST_MAX 32     /* HMAC-SHA256 */
#define MAC_KEYS_MAX 8        /* per interface: RFC 8967 expects one, two while rolling */
#define MAC_INDEX_MAX 32      /* RFC 8967 §6.2: an Index has at most 32 octets */
#define MAC_INDEX_LEN 8       /* the Index length we send (as babeld does) */
#define MAC_NONCE_MAX 192     /* RFC 8967 §6.3: a nonce has at most 192 octets */
#define MAC_NONCE_LEN 16      /* the nonce length we send: 128 random bits */
#define MAC_PSEUDO_HEADER_MAX 36
#define MAC_TIME_FOREVER UINT64_MAX /* a lifetime that never ends */

enum mac_alg {
	MAC_ALG_HMAC_SHA256 = 1,
	MAC_ALG_BLAKE2S128 = 2, /* parsed, but refused: nettle 3.8 has no BLAKE2s */
};

/* What a fallible function says.  mac_status_str() gives a sentence for the
 * operator. */
enum mac_status {
	MAC_OK = 0,
	MAC_E_KEY_ID,           /* key id empty or longer than MAC_KEY_ID_MAX */
	MAC_E_ALG_UNKNOWN,      /* not "hmac-sha256" nor "blake2s128" */
	MAC_E_ALG_UNAVAILABLE,  /* known to RFC 8967 but not provided by our crypto library */
	MAC_E_KEY_LENGTH,       /* value empty or too long for the algorithm */
	MAC_E_LIFETIME,         /* a lifetime that ends before it starts */
	MAC_E_DUPLICATE,        /* a key with this id is already in the set */
	MAC_E_FULL,             /* the set holds MAC_KEYS_MAX keys already */
	MAC_E_NO_SEND_KEY,      /* no key may sign at this time */
	MAC_E_NO_ROOM,          /* the caller's buffer cannot take the MAC TLVs */
	MAC_E_PACKET,           /* not a Babel packet, or its body runs past its end */
};

/* A half-open window [from, until) of the caller's clock, in ms. */
struct mac_lifetime {
	uint64_t from;
	uint64_t until; /* MAC_TIME_FOREVER: no end */
};

struct mac_key {
	char id[MAC_KEY_ID_MAX + 1];
	enum mac_alg alg;
	uint8_t value[MAC_KEY_VALUE_MAX];
	size_t value_len;
	struct mac_lifetime send;   /* signs outgoing packets within this window */
	struct mac_lifetime accept; /* verifies incoming packets within this window */
};

/* An interface's keys.  Keep send windows inside accept windows and let the
 * new key's accept window open before its send window on every node, and
 * the old key's accept window close after the new key starts sending: that
 * is a rollover without a flag day. */
struct mac_keyset {
	struct mac_key key[MAC_KEYS_MAX];
	size_t n;
};

/* The addresses and ports that the MAC covers (RFC 8967 §4.1).  Addresses
 * are 16 bytes; IPv4 ones are given IPv4-mapped (::ffff:a.b.c.d).  Ports in
 * host order. */
struct mac_endpoints {
	uint8_t src[16];
	uint16_t sport;
	uint8_t dst[16];
	uint16_t dport;
};

/* Result of checking a received packet's MAC. */
enum mac_verdict {
	MAC_ACCEPTED,  /* some MAC TLV matches some key accepted now */
	MAC_NO_MAC,    /* a well-formed packet with no MAC TLV in its trailer */
	MAC_BAD_MAC,   /* MAC TLVs, none of which matches an accepted key */
	MAC_MALFORMED, /* not Babel, body past the end, or a broken trailer TLV */
};

/* Randomness from the caller: fills buf with len unpredictable bytes.  It
 * must come from the system (getrandom), never from the engine's seeded
 * generator: an Index or nonce that repeats under one key voids the replay
 * protection (RFC 8967 §1.2). */
typedef void mac_random_fn(void *ctx, uint8_t *buf, size_t len);

/* ------------------------------------------------------------ algorithms */

const char *mac_status_str(enum mac_status s);
const char *mac_verdict_str(enum mac_verdict v);
/* "hmac-sha256" or "blake2s128" (babeld's names) to an algorithm. */
enum mac_status mac_alg_parse(const char *name, enum mac_alg *out);
const char *mac_alg_name(enum mac_alg alg);
bool mac_alg_available(enum mac_alg alg);
/* Digest (MAC TLV body) length in bytes; 0 for an unknown algorithm. */
size_t mac_alg_digest_len(enum mac_alg alg);
/* HMAC-SHA256 of msg under key (any length), through nettle. */
void mac_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
		     uint8_t out[32]);

/* ------------------------------------------------------------ keys */

/* Fills *k with a key valid for sending and accepting at all times; checks
 * the id, the algorithm (MAC_E_ALG_UNAVAILABLE for BLAKE2s) and the value's
 * length (1..64 bytes for HMAC-SHA256). */
enum mac_status mac_key_init(struct mac_key *k, const char *id, enum mac_alg alg,
			     const uint8_t *value, size_t value_len);
/* Sets the key's windows; MAC_E_LIFETIME if one ends before it starts. */
enum mac_status mac_key_set_lifetimes(struct mac_key *k, struct mac_lifetime send,
				      struct mac_lifetime accept);
bool mac_lifetime_contains(struct mac_lifetime l, uint64_t now);

void mac_keyset_init(struct mac_keyset *ks);
/* Copies k into the set. */
enum mac_status mac_keyset_add(struct mac_keyset *ks, const struct mac_key *k);
/* Removes and wipes the key named id; false if there is none. */
bool mac_keyset_remove(struct mac_keyset *ks, const char *id);
const struct mac_key *mac_keyset_find(const struct mac_keyset *ks, const char *id);
/* Wipes every key. */
void mac_keyset_clear(struct mac_keyset *ks);
/* The keys that sign (accept) at now, in the set's order; returns how many
 * were stored in out (at most max). */
size_t mac_keys_for_sending(const struct mac_keyset *ks, uint64_t now,
			    const struct mac_key **out, size_t max);
size_t mac_keys_for_accepting(const struct mac_keyset *ks, uint64_t now,
			      const struct mac_key **out, size_t max);
/* The first time after now at which some key starts or stops sending or
 * accepting (for a timer, to log rollovers); MAC_TIME_FOREVER if none. */
uint64_t mac_keyset_next_change(const struct mac_keyset *ks, uint64_t now);

/* ------------------------------------------------------------ MACs */

/* Writes the pseudo-header (source address, source port, destination
 * address, destination port) and returns its length: 36, or 12 when both
 * addresses are IPv4-mapped (Babel over IPv4). */
size_t mac_pseudo_header(const struct mac_endpoints *ep, uint8_t out[MAC_PSEUDO_HEADER_MAX]);
/* The length of the part of pkt that the MAC covers (header and body, 4 +
 * body length), or 0 if pkt is not a Babel packet or its body runs past len. */
size_t mac_covered_len(const uint8_t *pkt, size_t len);
/* Computes k's MAC over the pseudo-header followed by pkt[0..covered);
 * returns the MAC's length (mac_alg_digest_len), 0 if the algorithm is
 * unavailable. */
size_t mac_compute(const struct mac_key *k, const struct mac_endpoints *ep, const uint8_t *pkt,
		   size_t covered, uint8_t out[MAC_DIGEST_MAX]);
/* Trailer bytes that mac_sign() appends at now. */
size_t mac_trailer_len(const struct mac_keyset *ks, uint64_t now);
/* Appends one MAC TLV per key that signs at now to the packet in buf[0..len)
 * (cap bytes of room), after whatever trailer it has already; the header's
 * body length must be final.  *out_len gets the new length, or on
 * MAC_E_NO_ROOM the length that would be needed (buf is then unchanged). */
enum mac_status mac_sign(const struct mac_keyset *ks, uint64_t now, const struct mac_endpoints *ep,
			 uint8_t *buf, size_t len, size_t cap, size_t *out_len);
/* Checks a received packet: accepted if any MAC TLV of its trailer equals
 * the MAC of any key that accepts at now (compared in constant time).  Each
 * key's MAC is computed once, whatever the number of MAC TLVs.  If
 * key_index is not NULL it gets the matching key's index in ks. */
enum mac_verdict mac_verify(const struct mac_keyset *ks, uint64_t now,
			    const struct mac_endpoints *ep, const uint8_t *pkt, size_t len,
			    size_t *key_index);

/* ------------------------------------------------------------ our counter */

/* Our PC and Index on one interface (RFC 8967 §4.2).  The PC strictly
 * increases from packet to packet under one Index; a fresh Index is drawn
 * at start and whenever the PC would wrap. */
struct mac_counter {
	uint32_t next_pc;
	bool exhausted; /* every PC under this index has been used */
	uint8_t index_len;
	uint8_t index[MAC_INDEX_MAX];
};

/* What goes into one packet's PC TLV. */
struct mac_pc {
	uint32_t pc;
	uint8_t index_len;
	uint8_t index[MAC_INDEX_MAX];
};

/* At start (or restart): a fresh random Index and PC 0. */
void mac_counter_start(struct mac_counter *c, mac_random_fn *rnd, void *rnd_ctx);
/* Resumes a persisted Index at PC next_pc.  The caller must guarantee that
 * no packet was ever sent under this Index with a PC >= next_pc (persist a
 * high-water mark ahead of what is sent); false and nothing changed if the
 * Index is empty or too long. */
bool mac_counter_resume(struct mac_counter *c, const uint8_t *index, size_t index_len,
			uint32_t next_pc);
/* The PC TLV for the next packet; draws a new Index first if the PC wrapped. */
void mac_counter_next(struct mac_counter *c, mac_random_fn *rnd, void *rnd_ctx, struct mac_pc *out);

/* ------------------------------------------------------------ a neighbour */

/* Timing of the anti-replay protocol, in ms. */
struct mac_policy {
	uint64_t challenge_interval; /* least time between two Challenge Requests to one neighbour */
	uint64_t challenge_timeout;  /* how long a Challenge Request stays answerable */
	uint64_t reply_interval;     /* least time between two Challenge Replies to one neighbour */
	bool relaxed_pc;             /* RFC 9467: separate last PCs for unicast and multicast */
};

/* RFC 8967's suggested values: 300 ms between challenges, 30 s to answer. */
#define MAC_POLICY_DEFAULT { 300, 30000, 300, false }

/* Anti-replay state kept in a neighbour entry (RFC 8967 §3.2). */
struct mac_neigh {
	bool have_index;
	uint8_t index_len;
	uint8_t index[MAC_INDEX_MAX];
	uint32_t pc;       /* last accepted PC (the multicast one when relaxed) */
	uint32_t pc_ucast; /* last accepted unicast PC when relaxed */

	bool challenge_pending; /* a nonce of ours awaits its reply */
	uint8_t nonce_len;
	uint8_t nonce[MAC_NONCE_LEN];
	uint64_t challenge_deadline; /* the reply must come before this */

	bool challenged;   /* challenge_sent is meaningful */
	uint64_t challenge_sent;
	bool replied;      /* reply_sent is meaningful */
	uint64_t reply_sent;
};

/* The PC TLV of a received packet, as the preparse found it. */
struct mac_pc_seen {
	uint32_t pc;
	const uint8_t *index;
	size_t index_len;
	bool unicast; /* the packet was sent to a unicast address */
};

enum mac_pc_verdict {
	MAC_PC_ACCEPT,    /* pass the packet on; the neighbour's PC was updated */
	MAC_PC_NO_PC,     /* no PC TLV (or a malformed one): drop */
	MAC_PC_REPLAY,    /* same Index, PC not above the last one: drop */
	MAC_PC_CHALLENGE, /* unknown or changed Index: drop, and challenge the neighbour */
};

enum mac_challenge {
	MAC_CHALLENGE_SEND, /* send a Challenge Request with the nonce given */
	MAC_CHALLENGE_HOLD, /* rate-limited: send nothing now */
};

void mac_neigh_init(struct mac_neigh *n);
/* RFC 8967 §4.3 steps 3-5, after the MAC test and the preparse: seen is the
 * packet's first PC TLV (NULL if none), reply_ok whether it carried a
 * successful Challenge Reply. */
enum mac_pc_verdict mac_neigh_check_pc(struct mac_neigh *n, const struct mac_pc_seen *seen,
				       bool reply_ok, const struct mac_policy *p);
/* Starts (or, while one is pending, repeats) a challenge: on
 * MAC_CHALLENGE_SEND the nonce to send is in nonce[0..*nonce_len). */
enum mac_challenge mac_neigh_challenge(struct mac_neigh *n, uint64_t now, const struct mac_policy *p,
				       mac_random_fn *rnd, void *rnd_ctx,
				       uint8_t nonce[MAC_NONCE_LEN], size_t *nonce_len);
/* A Challenge Reply received from the neighbour: true if it answers our
 * pending, unexpired challenge, which is then over. */
bool mac_neigh_check_reply(struct mac_neigh *n, const uint8_t *nonce, size_t nonce_len,
			   uint64_t now);
/* A Challenge Request received from the neighbour at a unicast address:
 * true if a reply may be sent now (and it is counted as sent). */
bool mac_neigh_may_reply(struct mac_neigh *n, uint64_t now, const struct mac_policy *p);

#endif
