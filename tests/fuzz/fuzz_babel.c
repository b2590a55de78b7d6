/* libFuzzer target for the Babel codec.
 *
 * Decodes the input as a whole packet (header, body with parser state,
 * trailer) or, when it is not one, as a bare body, so the fuzzer reaches
 * the TLV decoders without first learning the header.  Every TLV that
 * decoded OK is encoded again; that packet must decode to TLVs of the
 * same meaning, and encoding those once more must give the very same
 * octets.  Any asymmetry between decoder and encoder aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/babel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAXT = 4096, BUF = 4 + 65535 + 4096 };

struct decoded {
	size_t n;
	struct babel_tlv t[MAXT];
};

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "codec asymmetry: %s\n", what);
		abort();
	}
}

static bool state_tlv(uint8_t type)
{
	return type == BABEL_TLV_ROUTER_ID || type == BABEL_TLV_NEXT_HOP;
}

/* Decodes a span, keeping the OK TLVs (up to MAXT). */
static void decode_ok(const struct babel_packet *pk, bool trailer, struct decoded *d)
{
	struct babel_iter it;
	struct babel_tlv t;
	enum babel_result r;
	if (trailer)
		babel_iter_trailer(&it, pk);
	else
		babel_iter_body(&it, pk);
	d->n = 0;
	while ((r = babel_iter_next(&it, &t)) != BABEL_END) {
		check(r == BABEL_OK || r == BABEL_IGNORE || r == BABEL_MALFORMED, "result");
		check(r == BABEL_OK || t.why != NULL, "a refusal without a reason");
		/* Of a trailer only the MACs are carried over; padding is not. */
		if (r == BABEL_OK && d->n < MAXT && (!trailer || t.type == BABEL_TLV_MAC))
			d->t[d->n++] = t;
	}
}

/* Encodes the TLVs into buf; false if they did not all fit. */
static bool encode(const struct decoded *body, const struct decoded *trailer, uint8_t *buf,
		   size_t *len)
{
	struct babel_pkt p;
	babel_pkt_init(&p, buf, BUF, 4096);
	for (size_t i = 0; i < body->n; i++) {
		enum babel_put r = babel_put_tlv(&p, &body->t[i]);
		if (r == BABEL_PUT_FULL)
			return false;
		check(r == BABEL_PUT_OK, "a decoded TLV the encoder refuses");
	}
	babel_pkt_finish(&p);
	for (size_t i = 0; trailer && i < trailer->n; i++) {
		const struct babel_tlv *t = &trailer->t[i];
		enum babel_put r = t->type == BABEL_TLV_MAC ? babel_put_mac(&p, t->mac.p, t->mac.len)
							   : BABEL_PUT_OK;
		if (r == BABEL_PUT_FULL)
			return false;
		check(r == BABEL_PUT_OK, "a MAC the encoder refuses");
	}
	*len = babel_pkt_len(&p);
	return true;
}

/* Same meaning, TLV by TLV; Router-Id and Next Hop TLVs may come and go
 * (the encoder sends them as needed), their effect is in the updates. */
static void same_meaning(const struct decoded *a, const struct decoded *b)
{
	size_t j = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (state_tlv(a->t[i].type))
			continue;
		while (j < b->n && state_tlv(b->t[j].type))
			j++;
		check(j < b->n, "a TLV lost");
		check(babel_tlv_same(&a->t[i], &b->t[j]), "a TLV changed meaning");
		j++;
	}
	while (j < b->n)
		check(state_tlv(b->t[j++].type), "a TLV appeared");
}

static uint8_t buf1[BUF], buf2[BUF];
static struct decoded body1, body2, body3, tr1, tr2;

static void roundtrip(const struct babel_packet *pk, bool with_trailer)
{
	size_t len1, len2;
	decode_ok(pk, false, &body1);
	if (with_trailer)
		decode_ok(pk, true, &tr1);
	if (body1.n == MAXT || !encode(&body1, with_trailer ? &tr1 : NULL, buf1, &len1))
		return;
	struct babel_packet pk2;
	check(babel_packet_split(buf1, len1, &pk2) == BABEL_OK, "our packet does not split");
	decode_ok(&pk2, false, &body2);
	same_meaning(&body1, &body2);
	decode_ok(&pk2, true, &tr2);
	if (with_trailer)
		same_meaning(&tr1, &tr2);
	check(encode(&body2, &tr2, buf2, &len2), "our own packet does not fit again");
	check(len1 == len2 && memcmp(buf1, buf2, len1) == 0, "encode-decode-encode differs");
	decode_ok(&pk2, false, &body3);
	check(body3.n == body2.n, "decoding is not deterministic");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct babel_packet pk;
	if (babel_packet_split(data, size, &pk) == BABEL_OK) {
		roundtrip(&pk, true);
	} else {
		memset(&pk, 0, sizeof pk);
		pk.body.p = data;
		pk.body.len = size;
		roundtrip(&pk, false);
	}
	return 0;
}
