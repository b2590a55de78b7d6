/* RFC 8967 MAC authentication: see mac.h. */
#include "src/core/mac.h"

#include <string.h>

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "proto/bytes.h"

/* The Babel packet header (RFC 8966 §4.2). */
enum { BABEL_MAGIC = 42, BABEL_VERSION = 2, BABEL_HEADER_LEN = 4 };

/* ------------------------------------------------------------ algorithms */

const char *mac_status_str(enum mac_status s)
{
	switch (s) {
	case MAC_OK: return "ok";
	case MAC_E_KEY_ID: return "key id must be 1 to 64 bytes long";
	case MAC_E_ALG_UNKNOWN: return "unknown key type (known: hmac-sha256, blake2s128)";
	case MAC_E_ALG_UNAVAILABLE:
		return "key type blake2s128 is not available: the nettle library this was built "
		       "with has no BLAKE2s; use hmac-sha256";
	case MAC_E_KEY_LENGTH:
		return "key value must be 1 to 64 bytes for hmac-sha256 (1 to 32 for blake2s128)";
	case MAC_E_LIFETIME: return "key lifetime ends before it starts";
	case MAC_E_DUPLICATE: return "a key with this id is already configured on the interface";
	case MAC_E_FULL: return "too many keys on the interface (at most 8)";
	case MAC_E_NO_SEND_KEY: return "no key is valid for sending now";
	case MAC_E_NO_ROOM: return "no room in the packet for its MAC TLVs";
	case MAC_E_PACKET: return "not a well-formed Babel packet";
	}
	return "unknown MAC error";
}

const char *mac_verdict_str(enum mac_verdict v)
{
	switch (v) {
	case MAC_ACCEPTED: return "accepted";
	case MAC_NO_MAC: return "no MAC";
	case MAC_BAD_MAC: return "bad MAC";
	case MAC_MALFORMED: return "malformed trailer";
	}
	return "unknown verdict";
}

enum mac_status mac_alg_parse(const char *name, enum mac_alg *out)
{
	if (strcmp(name, "hmac-sha256") == 0) {
		*out = MAC_ALG_HMAC_SHA256;
		return MAC_OK;
	}
	if (strcmp(name, "blake2s128") == 0) {
		*out = MAC_ALG_BLAKE2S128;
		return MAC_OK;
	}
	return MAC_E_ALG_UNKNOWN;
}

const char *mac_alg_name(enum mac_alg alg)
{
	switch (alg) {
	case MAC_ALG_HMAC_SHA256: return "hmac-sha256";
	case MAC_ALG_BLAKE2S128: return "blake2s128";
	}
	return "unknown";
}

bool mac_alg_available(enum mac_alg alg)
{
	/* nettle (3.8 here) provides no BLAKE2s; RFC 8967's BLAKE2s-128 is
	 * refused rather than written by hand. */
	return alg == MAC_ALG_HMAC_SHA256;
}

size_t mac_alg_digest_len(enum mac_alg alg)
{
	switch (alg) {
	case MAC_ALG_HMAC_SHA256: return SHA256_DIGEST_SIZE;
	case MAC_ALG_BLAKE2S128: return 16;
	}
	return 0;
}

static size_t alg_key_max(enum mac_alg alg)
{
	return alg == MAC_ALG_BLAKE2S128 ? 32 : MAC_KEY_VALUE_MAX;
}

void mac_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
		     uint8_t out[32])
{
	struct hmac_sha256_ctx ctx;
	hmac_sha256_set_key(&ctx, key_len, key);
	hmac_sha256_update(&ctx, msg_len, msg);
	hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
	memset(&ctx, 0, sizeof ctx); /* it holds the padded key */
}

/* ------------------------------------------------------------ keys */

static const struct mac_lifetime always = { 0, MAC_TIME_FOREVER };

enum mac_status mac_key_init(struct mac_key *k, const char *id, enum mac_alg alg,
			     const uint8_t *value, size_t value_len)
{
	size_t id_len = id ? strlen(id) : 0;
	if (id_len == 0 || id_len > MAC_KEY_ID_MAX)
		return MAC_E_KEY_ID;
	if (alg != MAC_ALG_HMAC_SHA256 && alg != MAC_ALG_BLAKE2S128)
		return MAC_E_ALG_UNKNOWN;
	if (value_len == 0 || value_len > alg_key_max(alg))
		return MAC_E_KEY_LENGTH;
	if (!mac_alg_available(alg))
		return MAC_E_ALG_UNAVAILABLE;
	memset(k, 0, sizeof *k);
	memcpy(k->id, id, id_len);
	k->alg = alg;
	memcpy(k->value, value, value_len);
	k->value_len = value_len;
	k->send = always;
	k->accept = always;
	return MAC_OK;
}

enum mac_status mac_key_set_lifetimes(struct mac_key *k, struct mac_lifetime send,
				      struct mac_lifetime accept)
{
	if (send.until < send.from || accept.until < accept.from)
		return MAC_E_LIFETIME;
	k->send = send;
	k->accept = accept;
	return MAC_OK;
}

bool mac_lifetime_contains(struct mac_lifetime l, uint64_t now)
{
	return now >= l.from && (now < l.until || l.until == MAC_TIME_FOREVER);
}

void mac_keyset_init(struct mac_keyset *ks)
{
	memset(ks, 0, sizeof *ks);
}

const struct mac_key *mac_keyset_find(const struct mac_keyset *ks, const char *id)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcmp(ks->key[i].id, id) == 0)
			return &ks->key[i];
	return NULL;
}

enum mac_status mac_keyset_add(struct mac_keyset *ks, const struct mac_key *k)
{
	if (mac_keyset_find(ks, k->id))
		return MAC_E_DUPLICATE;
	if (ks->n >= MAC_KEYS_MAX)
		return MAC_E_FULL;
	ks->key[ks->n++] = *k;
	return MAC_OK;
}

bool mac_keyset_remove(struct mac_keyset *ks, const char *id)
{
	for (size_t i = 0; i < ks->n; i++) {
		if (strcmp(ks->key[i].id, id) != 0)
			continue;
		memmove(&ks->key[i], &ks->key[i + 1], (ks->n - i - 1) * sizeof ks->key[0]);
		ks->n--;
		memset(&ks->key[ks->n], 0, sizeof ks->key[0]);
		return true;
	}
	return false;
}

void mac_keyset_clear(struct mac_keyset *ks)
{
	memset(ks, 0, sizeof *ks);
}

size_t mac_keys_for_sending(const struct mac_keyset *ks, uint64_t now,
			    const struct mac_key **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < ks->n && n < max; i++)
		if (mac_lifetime_contains(ks->key[i].send, now))
			out[n++] = &ks->key[i];
	return n;
}

size_t mac_keys_for_accepting(const struct mac_keyset *ks, uint64_t now,
			      const struct mac_key **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < ks->n && n < max; i++)
		if (mac_lifetime_contains(ks->key[i].accept, now))
			out[n++] = &ks->key[i];
	return n;
}

static uint64_t earliest_after(uint64_t best, uint64_t t, uint64_t now)
{
	return t > now && t < best ? t : best;
}

uint64_t mac_keyset_next_change(const struct mac_keyset *ks, uint64_t now)
{
	uint64_t next = MAC_TIME_FOREVER;
	for (size_t i = 0; i < ks->n; i++) {
		const struct mac_key *k = &ks->key[i];
		next = earliest_after(next, k->send.from, now);
		next = earliest_after(next, k->send.until, now);
		next = earliest_after(next, k->accept.from, now);
		next = earliest_after(next, k->accept.until, now);
	}
	return next;
}

/* ------------------------------------------------------------ MACs */

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static bool is_v4mapped(const uint8_t a[16])
{
	return memcmp(a, v4mapped_prefix, sizeof v4mapped_prefix) == 0;
}

size_t mac_pseudo_header(const struct mac_endpoints *ep, uint8_t out[MAC_PSEUDO_HEADER_MAX])
{
	/* RFC 8967 §4.1: over IPv4 the addresses are 4 octets. */
	size_t skip = is_v4mapped(ep->src) && is_v4mapped(ep->dst) ? 12 : 0;
	struct writer w = writer_init(out, MAC_PSEUDO_HEADER_MAX);
	write_bytes(&w, ep->src + skip, 16 - skip);
	write_u16(&w, ep->sport);
	write_bytes(&w, ep->dst + skip, 16 - skip);
	write_u16(&w, ep->dport);
	return w.len;
}

size_t mac_covered_len(const uint8_t *pkt, size_t len)
{
	struct reader r = reader_init(pkt, len);
	uint8_t magic = read_u8(&r);
	uint8_t version = read_u8(&r);
	uint16_t body_len = read_u16(&r);
	if (r.err || magic != BABEL_MAGIC || version != BABEL_VERSION || body_len > reader_left(&r))
		return 0;
	return BABEL_HEADER_LEN + (size_t)body_len;
}

size_t mac_compute(const struct mac_key *k, const struct mac_endpoints *ep, const uint8_t *pkt,
		   size_t covered, uint8_t out[MAC_DIGEST_MAX])
{
	if (k->alg != MAC_ALG_HMAC_SHA256)
		return 0;
	uint8_t ph[MAC_PSEUDO_HEADER_MAX];
	size_t ph_len = mac_pseudo_header(ep, ph);
	struct hmac_sha256_ctx ctx;
	hmac_sha256_set_key(&ctx, k->value_len, k->value);
	hmac_sha256_update(&ctx, ph_len, ph);
	hmac_sha256_update(&ctx, covered, pkt);
	hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
	memset(&ctx, 0, sizeof ctx);
	return SHA256_DIGEST_SIZE;
}

size_t mac_trailer_len(const struct mac_keyset *ks, uint64_t now)
{
	const struct mac_key *keys[MAC_KEYS_MAX];
	size_t n = mac_keys_for_sending(ks, now, keys, MAC_KEYS_MAX);
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += 2 + mac_alg_digest_len(keys[i]->alg);
	return total;
}

enum mac_status mac_sign(const struct mac_keyset *ks, uint64_t now, const struct mac_endpoints *ep,
			 uint8_t *buf, size_t len, size_t cap, size_t *out_len)
{
	*out_len = len;
	size_t covered = mac_covered_len(buf, len);
	if (covered == 0 || len > cap)
		return MAC_E_PACKET;
	const struct mac_key *keys[MAC_KEYS_MAX];
	size_t n = mac_keys_for_sending(ks, now, keys, MAC_KEYS_MAX);
	if (n == 0)
		return MAC_E_NO_SEND_KEY;
	size_t need = mac_trailer_len(ks, now);
	if (cap - len < need) {
		*out_len = len + need;
		return MAC_E_NO_ROOM;
	}
	struct writer w = writer_init(buf + len, cap - len);
	for (size_t i = 0; i < n; i++) {
		uint8_t mac[MAC_DIGEST_MAX];
		size_t mac_len = mac_compute(keys[i], ep, buf, covered, mac);
		write_u8(&w, MAC_TLV_MAC);
		write_u8(&w, (uint8_t)mac_len);
		write_bytes(&w, mac, mac_len);
	}
	*out_len = len + w.len;
	return MAC_OK;
}

/* One step of a walk through the trailer: the next TLV's type and body.
 * Pad1 is a lone byte (RFC 8966 §4.3); every other TLV has a length.
 * Returns false at the end (*malformed tells whether it ended well). */
static bool trailer_next(struct reader *r, uint8_t *type, const uint8_t **body, size_t *body_len,
			 bool *malformed)
{
	*malformed = false;
	if (reader_left(r) == 0)
		return false;
	*type = read_u8(r);
	if (*type == 0) {
		*body = NULL;
		*body_len = 0;
		return true;
	}
	uint8_t len = read_u8(r);
	*body = read_span(r, len);
	*body_len = len;
	if (r->err) {
		*malformed = true;
		return false;
	}
	return true;
}

enum mac_verdict mac_verify(const struct mac_keyset *ks, uint64_t now,
			    const struct mac_endpoints *ep, const uint8_t *pkt, size_t len,
			    size_t *key_index)
{
	size_t covered = mac_covered_len(pkt, len);
	if (covered == 0)
		return MAC_MALFORMED;

	/* First pass: the whole trailer must parse, and hold a MAC TLV. */
	struct reader r = reader_init(pkt + covered, len - covered);
	uint8_t type;
	const uint8_t *body;
	size_t body_len;
	bool malformed;
	size_t macs = 0;
	while (trailer_next(&r, &type, &body, &body_len, &malformed))
		macs += type == MAC_TLV_MAC;
	if (malformed)
		return MAC_MALFORMED;
	if (macs == 0)
		return MAC_NO_MAC;

	/* One MAC per accepting key, compared with every MAC TLV of its size. */
	for (size_t i = 0; i < ks->n; i++) {
		const struct mac_key *k = &ks->key[i];
		if (!mac_lifetime_contains(k->accept, now))
			continue;
		uint8_t mac[MAC_DIGEST_MAX];
		size_t mac_len = mac_compute(k, ep, pkt, covered, mac);
		if (mac_len == 0)
			continue;
		bool match = false;
		r = reader_init(pkt + covered, len - covered);
		while (trailer_next(&r, &type, &body, &body_len, &malformed))
			if (type == MAC_TLV_MAC && body_len == mac_len)
				match |= memeql_sec(body, mac, mac_len) != 0;
		if (match) {
			if (key_index)
				*key_index = i;
			return MAC_ACCEPTED;
		}
	}
	return MAC_BAD_MAC;
}

/* ------------------------------------------------------------ our counter */

static void new_index(struct mac_counter *c, mac_random_fn *rnd, void *rnd_ctx)
{
	memset(c->index, 0, sizeof c->index);
	c->index_len = MAC_INDEX_LEN;
	rnd(rnd_ctx, c->index, MAC_INDEX_LEN);
	c->next_pc = 0;
	c->exhausted = false;
}

void mac_counter_start(struct mac_counter *c, mac_random_fn *rnd, void *rnd_ctx)
{
	new_index(c, rnd, rnd_ctx);
}

bool mac_counter_resume(struct mac_counter *c, const uint8_t *index, size_t index_len,
			uint32_t next_pc)
{
	if (index_len == 0 || index_len > MAC_INDEX_MAX)
		return false;
	memset(c->index, 0, sizeof c->index);
	memcpy(c->index, index, index_len);
	c->index_len = (uint8_t)index_len;
	c->next_pc = next_pc;
	c->exhausted = false;
	return true;
}

void mac_counter_next(struct mac_counter *c, mac_random_fn *rnd, void *rnd_ctx, struct mac_pc *out)
{
	if (c->exhausted)
		new_index(c, rnd, rnd_ctx);
	out->pc = c->next_pc;
	out->index_len = c->index_len;
	memcpy(out->index, c->index, sizeof out->index);
	if (c->next_pc == UINT32_MAX)
		c->exhausted = true; /* the next packet gets a new Index */
	else
		c->next_pc++;
}

/* ------------------------------------------------------------ a neighbour */

void mac_neigh_init(struct mac_neigh *n)
{
	memset(n, 0, sizeof *n);
}

static bool same_index(const struct mac_neigh *n, const struct mac_pc_seen *s)
{
	return n->have_index && n->index_len == s->index_len &&
	       (s->index_len == 0 || memcmp(n->index, s->index, s->index_len) == 0);
}

enum mac_pc_verdict mac_neigh_check_pc(struct mac_neigh *n, const struct mac_pc_seen *seen,
				       bool reply_ok, const struct mac_policy *p)
{
	if (!seen || seen->index_len > MAC_INDEX_MAX || (seen->index_len && !seen->index))
		return MAC_PC_NO_PC;
	if (reply_ok) {
		/* The neighbour proved it is live under this Index: adopt it
		 * whatever PC we saw before (§4.3 step 3). */
		memset(n->index, 0, sizeof n->index);
		if (seen->index_len)
			memcpy(n->index, seen->index, seen->index_len);
		n->index_len = (uint8_t)seen->index_len;
		n->have_index = true;
		n->pc = seen->pc;
		n->pc_ucast = seen->pc;
		return MAC_PC_ACCEPT;
	}
	if (!same_index(n, seen))
		return MAC_PC_CHALLENGE;
	uint32_t *last = p->relaxed_pc && seen->unicast ? &n->pc_ucast : &n->pc;
	if (seen->pc <= *last)
		return MAC_PC_REPLAY;
	*last = seen->pc;
	return MAC_PC_ACCEPT;
}

/* Whether interval ms have passed since `since` (a clock that went back
 * counts as no time passed). */
static bool passed(uint64_t since, uint64_t now, uint64_t interval)
{
	return now >= since && now - since >= interval;
}

enum mac_challenge mac_neigh_challenge(struct mac_neigh *n, uint64_t now, const struct mac_policy *p,
				       mac_random_fn *rnd, void *rnd_ctx,
				       uint8_t nonce[MAC_NONCE_LEN], size_t *nonce_len)
{
	if (n->challenged && !passed(n->challenge_sent, now, p->challenge_interval))
		return MAC_CHALLENGE_HOLD;
	if (!n->challenge_pending || now >= n->challenge_deadline) {
		/* A fresh nonce.  While one is pending it is sent again rather
		 * than replaced: on a link whose round trip exceeds the
		 * interval, a new nonce would void the reply in flight every
		 * time, and the challenge would never complete. */
		rnd(rnd_ctx, n->nonce, MAC_NONCE_LEN);
		n->nonce_len = MAC_NONCE_LEN;
		n->challenge_pending = true;
		n->challenge_deadline = now > UINT64_MAX - p->challenge_timeout
						? UINT64_MAX : now + p->challenge_timeout;
	}
	n->challenged = true;
	n->challenge_sent = now;
	memcpy(nonce, n->nonce, n->nonce_len);
	*nonce_len = n->nonce_len;
	return MAC_CHALLENGE_SEND;
}

bool mac_neigh_check_reply(struct mac_neigh *n, const uint8_t *nonce, size_t nonce_len,
			   uint64_t now)
{
	if (!n->challenge_pending)
		return false;
	if (now >= n->challenge_deadline) {
		n->challenge_pending = false; /* expired: nothing can answer it now */
		memset(n->nonce, 0, sizeof n->nonce);
		return false;
	}
	if (nonce_len != n->nonce_len || !memeql_sec(nonce, n->nonce, nonce_len))
		return false; /* the challenge stays pending (§4.3.1.3) */
	n->challenge_pending = false;
	memset(n->nonce, 0, sizeof n->nonce);
	return true;
}

bool mac_neigh_may_reply(struct mac_neigh *n, uint64_t now, const struct mac_policy *p)
{
	if (n->replied && !passed(n->reply_sent, now, p->reply_interval))
		return false;
	n->replied = true;
	n->reply_sent = now;
	return true;
}
