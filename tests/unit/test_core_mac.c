/* Tests of src/core/mac: RFC 8967 MAC authentication.
 *
 * The known answers come from real traffic: babeld 1.12 on a veth pair with
 * HMAC-SHA256 (tests/data/babeld-1.12-hmac.pcap, key id k1), read through
 * the project's capture reader (tools/pcapfile.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/bytes.h"
#include "src/core/mac.h"
#include "tools/pcap_udp6.h"
#include "tools/pcapfile.h"

/* ------------------------------------------------------------ helpers */

static const uint8_t k1_value[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	for (; s[0] && s[1] && n < max; s += 2) {
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* A deterministic "random" source: successive bytes of a counter, so two
 * draws never repeat. */
struct fake_rng {
	uint8_t next;
	unsigned calls;
};

static void fake_random(void *ctx, uint8_t *buf, size_t len)
{
	struct fake_rng *r = ctx;
	r->calls++;
	for (size_t i = 0; i < len; i++)
		buf[i] = r->next++;
}

static struct mac_keyset keyset_k1(void)
{
	struct mac_keyset ks;
	struct mac_key k;
	mac_keyset_init(&ks);
	assert_int_equal(mac_key_init(&k, "k1", MAC_ALG_HMAC_SHA256, k1_value, sizeof k1_value), MAC_OK);
	assert_int_equal(mac_keyset_add(&ks, &k), MAC_OK);
	return ks;
}

/* ------------------------------------------------------------ the capture */

/* The capture's IPv6/UDP packets, with their addresses and ports. */
struct cap_pkt {
	struct mac_endpoints ep;
	uint8_t data[1500];
	size_t len;
};

#define CAP_MAX 64

struct capture {
	struct cap_pkt pkt[CAP_MAX];
	size_t n;
	uint32_t linktype;
};

/* A record: kept if it is IPv6 carrying UDP. */
static void cap_record(struct capture *c, const struct pcapfile_record *rec)
{
	struct udp6 u;
	c->linktype = rec->linktype;
	if (pcap_udp6(rec->linktype, rec->data, rec->len, &u) < 0)
		return;
	assert_true(c->n < CAP_MAX);
	assert_true(u.len <= sizeof c->pkt[0].data);
	struct cap_pkt *p = &c->pkt[c->n++];
	memcpy(p->ep.src, u.src, 16);
	memcpy(p->ep.dst, u.dst, 16);
	p->ep.sport = u.sport;
	p->ep.dport = u.dport;
	memcpy(p->data, u.payload, u.len);
	p->len = u.len;
}

static struct capture *cap_load(const char *name)
{
	const char *top = getenv("top_srcdir");
	char path[4096], err[PCAPFILE_ERROR_MAX];
	snprintf(path, sizeof path, "%s/tests/data/%s", top ? top : ".", name);
	struct pcapfile *pf = pcapfile_open(path, err);
	if (!pf)
		fail_msg("%s: %s (set top_srcdir to the source tree)", path, err);
	struct capture *c = calloc(1, sizeof *c);
	assert_non_null(c);
	struct pcapfile_record rec;
	int r;
	while ((r = pcapfile_next(pf, &rec)) > 0)
		cap_record(c, &rec);
	if (r < 0)
		fail_msg("%s: %s", path, pcapfile_error(pf));
	pcapfile_close(pf);
	return c;
}

/* The babeld capture, checked once for its shape. */
static struct capture *hmac_capture(void)
{
	struct capture *c = cap_load("babeld-1.12-hmac.pcap");
	assert_int_equal(c->linktype, 1); /* Ethernet */
	assert_int_equal(c->n, 31);
	return c;
}

/* ------------------------------------------------------------ HMAC-SHA256 */

static void test_hmac_sha256_rfc4231(void **state)
{
	(void)state;
	static const char long_data[] =
		"This is a test using a larger than block-size key and a larger than block-size data. "
		"The key needs to be hashed before being used by the HMAC algorithm.";
	struct {
		uint8_t key[131];
		size_t key_len;
		const char *data_hex; /* or text */
		const char *text;
		const char *mac;
		size_t mac_len;
	} tc[7] = { 0 };
	memset(tc[0].key, 0x0b, tc[0].key_len = 20);
	tc[0].text = "Hi There";
	tc[0].mac = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
	memcpy(tc[1].key, "Jefe", tc[1].key_len = 4);
	tc[1].text = "what do ya want for nothing?";
	tc[1].mac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
	memset(tc[2].key, 0xaa, tc[2].key_len = 20);
	tc[2].data_hex = "dd";
	tc[2].mac = "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe";
	for (int i = 0; i < 25; i++)
		tc[3].key[i] = (uint8_t)(i + 1);
	tc[3].key_len = 25;
	tc[3].data_hex = "cd";
	tc[3].mac = "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b";
	memset(tc[4].key, 0x0c, tc[4].key_len = 20);
	tc[4].text = "Test With Truncation";
	tc[4].mac = "a3b6167473100ee06e0c796c2955552b"; /* truncated to 128 bits */
	memset(tc[5].key, 0xaa, tc[5].key_len = 131);
	tc[5].text = "Test Using Larger Than Block-Size Key - Hash Key First";
	tc[5].mac = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
	memset(tc[6].key, 0xaa, tc[6].key_len = 131);
	tc[6].text = long_data;
	tc[6].mac = "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2";

	for (size_t i = 0; i < 7; i++) {
		uint8_t data[200];
		size_t data_len;
		if (tc[i].text) {
			data_len = strlen(tc[i].text);
			memcpy(data, tc[i].text, data_len);
		} else {
			uint8_t b = 0;
			unhex(tc[i].data_hex, &b, 1);
			memset(data, b, data_len = 50);
		}
		uint8_t want[32], got[32];
		size_t want_len = unhex(tc[i].mac, want, sizeof want);
		mac_hmac_sha256(tc[i].key, tc[i].key_len, data, data_len, got);
		assert_memory_equal(got, want, want_len);
	}
}

/* Our keyed path (mac_compute) agrees with the plain HMAC over the
 * pseudo-header followed by the packet. */
static void test_compute_is_hmac_of_pseudo_header_and_packet(void **state)
{
	(void)state;
	struct mac_keyset ks = keyset_k1();
	struct mac_endpoints ep = { { 0xfe, 0x80, [15] = 1 }, 6696, { 0xff, 0x02, [13] = 1, [15] = 6 }, 6696 };
	uint8_t pkt[] = { 42, 2, 0, 4, 1, 2, 0, 0 }; /* a PadN */
	uint8_t msg[64], want[32], got[MAC_DIGEST_MAX];
	size_t ph = mac_pseudo_header(&ep, msg);
	assert_int_equal(ph, 36);
	memcpy(msg + ph, pkt, sizeof pkt);
	mac_hmac_sha256(k1_value, sizeof k1_value, msg, ph + sizeof pkt, want);
	assert_int_equal(mac_compute(&ks.key[0], &ep, pkt, sizeof pkt, got), 32);
	assert_memory_equal(got, want, 32);
}

/* ------------------------------------------------------------ pseudo-header */

static void test_pseudo_header_layout(void **state)
{
	(void)state;
	struct mac_endpoints ep;
	for (int i = 0; i < 16; i++) {
		ep.src[i] = (uint8_t)(0x10 + i);
		ep.dst[i] = (uint8_t)(0x80 + i);
	}
	ep.sport = 0x1a28; /* 6696 */
	ep.dport = 0xbeef;
	uint8_t out[MAC_PSEUDO_HEADER_MAX];
	assert_int_equal(mac_pseudo_header(&ep, out), 36);
	assert_memory_equal(out, ep.src, 16);
	assert_int_equal(out[16], 0x1a);
	assert_int_equal(out[17], 0x28);
	assert_memory_equal(out + 18, ep.dst, 16);
	assert_int_equal(out[34], 0xbe);
	assert_int_equal(out[35], 0xef);

	/* Babel over IPv4: 4-octet addresses, given IPv4-mapped. */
	static const uint8_t v4src[16] = { [10] = 0xff, [11] = 0xff, 10, 97, 0, 1 };
	static const uint8_t v4dst[16] = { [10] = 0xff, [11] = 0xff, 224, 0, 0, 111 };
	memcpy(ep.src, v4src, 16);
	memcpy(ep.dst, v4dst, 16);
	static const uint8_t want[12] = { 10, 97, 0, 1, 0x1a, 0x28, 224, 0, 0, 111, 0xbe, 0xef };
	assert_int_equal(mac_pseudo_header(&ep, out), 12);
	assert_memory_equal(out, want, 12);

	/* Only one side mapped: not IPv4, so the full addresses. */
	ep.dst[10] = 0;
	assert_int_equal(mac_pseudo_header(&ep, out), 36);
}

/* ------------------------------------------------------------ babeld's traffic */

static void test_babeld_every_packet_verifies(void **state)
{
	(void)state;
	struct capture *c = hmac_capture();
	struct mac_keyset ks = keyset_k1();
	for (size_t i = 0; i < c->n; i++) {
		size_t key = 99;
		enum mac_verdict v = mac_verify(&ks, 0, &c->pkt[i].ep, c->pkt[i].data, c->pkt[i].len, &key);
		if (v != MAC_ACCEPTED)
			fail_msg("packet %zu: %s", i + 1, mac_verdict_str(v));
		assert_int_equal(key, 0);
	}
	free(c);
}

/* Signing the captured header and body ourselves gives babeld's packet, MAC
 * TLV and all, byte for byte. */
static void test_babeld_mac_bytes_reproduced(void **state)
{
	(void)state;
	struct capture *c = hmac_capture();
	struct mac_keyset ks = keyset_k1();
	for (size_t i = 0; i < c->n; i++) {
		const struct cap_pkt *p = &c->pkt[i];
		size_t covered = mac_covered_len(p->data, p->len);
		assert_true(covered > 0);
		/* babeld's trailer is exactly one MAC TLV. */
		assert_int_equal(p->len - covered, 2 + 32);
		assert_int_equal(p->data[covered], MAC_TLV_MAC);
		assert_int_equal(p->data[covered + 1], 32);

		uint8_t mac[MAC_DIGEST_MAX];
		assert_int_equal(mac_compute(&ks.key[0], &p->ep, p->data, covered, mac), 32);
		assert_memory_equal(mac, p->data + covered + 2, 32);

		uint8_t buf[1500];
		size_t out_len;
		memcpy(buf, p->data, covered);
		assert_int_equal(mac_sign(&ks, 0, &p->ep, buf, covered, sizeof buf, &out_len), MAC_OK);
		assert_int_equal(out_len, p->len);
		assert_memory_equal(buf, p->data, p->len);
	}
	free(c);
}

static void test_babeld_any_flipped_byte_fails(void **state)
{
	(void)state;
	struct capture *c = hmac_capture();
	struct mac_keyset ks = keyset_k1();
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	size_t checked = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct cap_pkt p = c->pkt[i];
		size_t covered = mac_covered_len(p.data, p.len);
		for (size_t m = 0; m < sizeof masks; m++) {
			/* The header: whatever the damage, never accepted. */
			for (size_t b = 0; b < 4; b++) {
				p.data[b] ^= masks[m];
				assert_int_not_equal(mac_verify(&ks, 0, &p.ep, p.data, p.len, NULL), MAC_ACCEPTED);
				p.data[b] ^= masks[m];
				checked++;
			}
			/* The body and the MAC itself: a bad MAC. */
			for (size_t b = 4; b < p.len; b++) {
				if (b == covered || b == covered + 1)
					continue; /* the MAC TLV's type and length */
				p.data[b] ^= masks[m];
				assert_int_equal(mac_verify(&ks, 0, &p.ep, p.data, p.len, NULL), MAC_BAD_MAC);
				p.data[b] ^= masks[m];
				checked++;
			}
			/* The pseudo-header: addresses and ports. */
			for (size_t b = 0; b < 16; b++) {
				p.ep.src[b] ^= masks[m];
				assert_int_equal(mac_verify(&ks, 0, &p.ep, p.data, p.len, NULL), MAC_BAD_MAC);
				p.ep.src[b] ^= masks[m];
				p.ep.dst[b] ^= masks[m];
				assert_int_equal(mac_verify(&ks, 0, &p.ep, p.data, p.len, NULL), MAC_BAD_MAC);
				p.ep.dst[b] ^= masks[m];
				checked += 2;
			}
			for (int shift = 0; shift < 16; shift += 8) {
				uint16_t x = (uint16_t)(masks[m] << shift);
				p.ep.sport ^= x;
				assert_int_equal(mac_verify(&ks, 0, &p.ep, p.data, p.len, NULL), MAC_BAD_MAC);
				p.ep.sport ^= x;
				p.ep.dport ^= x;
				assert_int_equal(mac_verify(&ks, 0, &p.ep, p.data, p.len, NULL), MAC_BAD_MAC);
				p.ep.dport ^= x;
				checked += 2;
			}
		}
		/* Everything restored: accepted again. */
		assert_int_equal(mac_verify(&ks, 0, &p.ep, p.data, p.len, NULL), MAC_ACCEPTED);
	}
	assert_true(checked > 10000);
	free(c);
}

static void test_babeld_wrong_key_fails(void **state)
{
	(void)state;
	struct capture *c = hmac_capture();
	const struct cap_pkt *p = &c->pkt[0];
	struct mac_keyset ks;
	struct mac_key k;
	uint8_t v[64];

	/* One bit off. */
	memcpy(v, k1_value, 32);
	v[31] ^= 1;
	mac_keyset_init(&ks);
	assert_int_equal(mac_key_init(&k, "k1", MAC_ALG_HMAC_SHA256, v, 32), MAC_OK);
	assert_int_equal(mac_keyset_add(&ks, &k), MAC_OK);
	assert_int_equal(mac_verify(&ks, 0, &p->ep, p->data, p->len, NULL), MAC_BAD_MAC);

	/* A prefix of the key. */
	mac_keyset_init(&ks);
	assert_int_equal(mac_key_init(&k, "short", MAC_ALG_HMAC_SHA256, k1_value, 31), MAC_OK);
	assert_int_equal(mac_keyset_add(&ks, &k), MAC_OK);
	assert_int_equal(mac_verify(&ks, 0, &p->ep, p->data, p->len, NULL), MAC_BAD_MAC);
	memcpy(v, k1_value, 32);
	v[32] = 0;
	mac_keyset_init(&ks);
	assert_int_equal(mac_key_init(&k, "long", MAC_ALG_HMAC_SHA256, v, 33), MAC_OK);
	assert_int_equal(mac_keyset_add(&ks, &k), MAC_OK);
	/* Appending a zero byte does not change the key: RFC 2104 pads short
	 * keys with zeros to the block size.  Shown because it surprises. */
	assert_int_equal(mac_verify(&ks, 0, &p->ep, p->data, p->len, NULL), MAC_ACCEPTED);

	/* No key at all. */
	mac_keyset_init(&ks);
	assert_int_equal(mac_verify(&ks, 0, &p->ep, p->data, p->len, NULL), MAC_BAD_MAC);

	/* A wrong key first, the right one second: accepted, by key 1. */
	v[31] ^= 1;
	mac_keyset_init(&ks);
	assert_int_equal(mac_key_init(&k, "bad", MAC_ALG_HMAC_SHA256, v, 32), MAC_OK);
	assert_int_equal(mac_keyset_add(&ks, &k), MAC_OK);
	assert_int_equal(mac_key_init(&k, "k1", MAC_ALG_HMAC_SHA256, k1_value, 32), MAC_OK);
	assert_int_equal(mac_keyset_add(&ks, &k), MAC_OK);
	size_t idx = 99;
	assert_int_equal(mac_verify(&ks, 0, &p->ep, p->data, p->len, &idx), MAC_ACCEPTED);
	assert_int_equal(idx, 1);
	free(c);
}

/* Trailer variations around a real packet. */
static void test_trailer_variants(void **state)
{
	(void)state;
	struct capture *c = hmac_capture();
	struct mac_keyset ks = keyset_k1();
	const struct cap_pkt *p = &c->pkt[4];
	size_t covered = mac_covered_len(p->data, p->len);
	const uint8_t *mac = p->data + covered;
	uint8_t buf[1600];
	size_t n;

	/* No trailer: no MAC. */
	assert_int_equal(mac_verify(&ks, 0, &p->ep, p->data, covered, NULL), MAC_NO_MAC);
	/* A trailer of padding only: no MAC. */
	memcpy(buf, p->data, covered);
	n = covered;
	buf[n++] = 0;         /* Pad1 */
	buf[n++] = 1;         /* PadN */
	buf[n++] = 2;
	buf[n++] = 0;
	buf[n++] = 0;
	assert_int_equal(mac_verify(&ks, 0, &p->ep, buf, n, NULL), MAC_NO_MAC);
	/* Padding, then the MAC: the trailer is not covered, so accepted. */
	memcpy(buf + n, mac, 34);
	assert_int_equal(mac_verify(&ks, 0, &p->ep, buf, n + 34, NULL), MAC_ACCEPTED);

	/* A wrong MAC, a MAC of another length, then the right one. */
	n = covered;
	memcpy(buf + n, mac, 34);
	buf[n + 10] ^= 0x40;
	n += 34;
	buf[n++] = MAC_TLV_MAC;
	buf[n++] = 16;
	memcpy(buf + n, mac + 2, 16);
	n += 16;
	assert_int_equal(mac_verify(&ks, 0, &p->ep, buf, n, NULL), MAC_BAD_MAC);
	memcpy(buf + n, mac, 34);
	assert_int_equal(mac_verify(&ks, 0, &p->ep, buf, n + 34, NULL), MAC_ACCEPTED);

	/* An unknown TLV in the trailer is walked over. */
	n = covered;
	buf[n++] = 200;
	buf[n++] = 3;
	buf[n++] = 1;
	buf[n++] = 2;
	buf[n++] = 3;
	memcpy(buf + n, mac, 34);
	assert_int_equal(mac_verify(&ks, 0, &p->ep, buf, n + 34, NULL), MAC_ACCEPTED);
	free(c);
}

/* ------------------------------------------------------------ malformed */

static void test_malformed_never_crashes(void **state)
{
	(void)state;
	struct capture *c = hmac_capture();
	struct mac_keyset ks = keyset_k1();
	const struct cap_pkt *p = &c->pkt[0];
	size_t covered = mac_covered_len(p->data, p->len);
	const struct mac_endpoints *ep = &p->ep;

	/* The good packet cut anywhere inside its MAC TLV: truncated TLV. */
	for (size_t len = covered + 1; len < p->len; len++) {
		/* Each cut in a heap block of its own size, so ASan sees any
		 * read past the end. */
		uint8_t *cut = malloc(len);
		assert_non_null(cut);
		memcpy(cut, p->data, len);
		assert_int_equal(mac_verify(&ks, 0, ep, cut, len, NULL), MAC_MALFORMED);
		free(cut);
	}
	/* Cut inside the header or body: the body runs past the end. */
	for (size_t len = 0; len < covered; len++) {
		uint8_t *cut = malloc(len ? len : 1);
		assert_non_null(cut);
		memcpy(cut, p->data, len);
		assert_int_equal(mac_verify(&ks, 0, ep, cut, len, NULL), MAC_MALFORMED);
		free(cut);
	}

	uint8_t buf[1600];
	memcpy(buf, p->data, p->len);
	/* A MAC TLV whose length runs past the end. */
	buf[covered + 1] = 33;
	assert_int_equal(mac_verify(&ks, 0, ep, buf, p->len, NULL), MAC_MALFORMED);
	buf[covered + 1] = 255;
	assert_int_equal(mac_verify(&ks, 0, ep, buf, p->len, NULL), MAC_MALFORMED);
	/* The right MAC followed by a lone type byte: the trailer is broken, so
	 * the packet is refused even though its MAC is right. */
	buf[covered + 1] = 32;
	buf[p->len] = 1;
	assert_int_equal(mac_verify(&ks, 0, ep, buf, p->len + 1, NULL), MAC_MALFORMED);
	/* A trailing Pad1 is fine. */
	buf[p->len] = 0;
	assert_int_equal(mac_verify(&ks, 0, ep, buf, p->len + 1, NULL), MAC_ACCEPTED);
	/* Not Babel: wrong magic, wrong version. */
	buf[0] = 43;
	assert_int_equal(mac_verify(&ks, 0, ep, buf, p->len, NULL), MAC_MALFORMED);
	buf[0] = 42;
	buf[1] = 1;
	assert_int_equal(mac_verify(&ks, 0, ep, buf, p->len, NULL), MAC_MALFORMED);
	buf[1] = 2;
	/* Body length past the end. */
	buf[2] = 0xff;
	assert_int_equal(mac_verify(&ks, 0, ep, buf, p->len, NULL), MAC_MALFORMED);
	/* Empty input. */
	assert_int_equal(mac_verify(&ks, 0, ep, buf, 0, NULL), MAC_MALFORMED);

	/* Random trailers of every length: never a crash, never accepted. */
	uint32_t x = 12345;
	for (int round = 0; round < 2000; round++) {
		size_t tlen = (size_t)(round % 80);
		size_t len = covered + tlen;
		uint8_t *pkt = malloc(len);
		assert_non_null(pkt);
		memcpy(pkt, p->data, covered);
		for (size_t i = 0; i < tlen; i++) {
			x = x * 1103515245u + 12345u;
			pkt[covered + i] = (uint8_t)(x >> 16);
		}
		enum mac_verdict v = mac_verify(&ks, 0, ep, pkt, len, NULL);
		assert_true(v == MAC_NO_MAC || v == MAC_BAD_MAC || v == MAC_MALFORMED);
		free(pkt);
	}
	free(c);
}

/* ------------------------------------------------------------ signing */

static void test_sign_room_and_errors(void **state)
{
	(void)state;
	struct mac_keyset ks = keyset_k1();
	struct mac_endpoints ep = { { 0xfe, 0x80, [15] = 1 }, 6696, { 0xfe, 0x80, [15] = 2 }, 6696 };
	uint8_t buf[64] = { 42, 2, 0, 2, 1, 0 }; /* a PadN with no payload */
	size_t out;

	assert_int_equal(mac_trailer_len(&ks, 0), 34);
	/* One byte short: nothing written, the need reported. */
	memset(buf + 6, 0xee, sizeof buf - 6);
	assert_int_equal(mac_sign(&ks, 0, &ep, buf, 6, 6 + 33, &out), MAC_E_NO_ROOM);
	assert_int_equal(out, 6 + 34);
	for (size_t i = 6; i < sizeof buf; i++)
		assert_int_equal(buf[i], 0xee);
	/* Exactly enough. */
	assert_int_equal(mac_sign(&ks, 0, &ep, buf, 6, 6 + 34, &out), MAC_OK);
	assert_int_equal(out, 40);
	assert_int_equal(mac_verify(&ks, 0, &ep, buf, out, NULL), MAC_ACCEPTED);
	/* As the receiver sees it: the addresses are the same, so it verifies
	 * there; with source and destination swapped it does not. */
	struct mac_endpoints rev = { { 0xfe, 0x80, [15] = 2 }, 6696, { 0xfe, 0x80, [15] = 1 }, 6696 };
	assert_int_equal(mac_verify(&ks, 0, &rev, buf, out, NULL), MAC_BAD_MAC);

	/* An existing trailer is kept, and not covered. */
	uint8_t buf2[64] = { 42, 2, 0, 2, 1, 0, 0 /* Pad1 in the trailer */ };
	assert_int_equal(mac_sign(&ks, 0, &ep, buf2, 7, sizeof buf2, &out), MAC_OK);
	assert_int_equal(out, 7 + 34);
	assert_int_equal(buf2[6], 0);
	assert_memory_equal(buf2 + 7, buf + 6, 34);

	/* Not a Babel packet. */
	uint8_t bad[8] = { 41, 2, 0, 0 };
	assert_int_equal(mac_sign(&ks, 0, &ep, bad, 4, sizeof bad, &out), MAC_E_PACKET);
	bad[0] = 42;
	bad[3] = 5; /* body past the end */
	assert_int_equal(mac_sign(&ks, 0, &ep, bad, 8, sizeof bad, &out), MAC_E_PACKET);

	/* No key that sends now. */
	struct mac_key k = ks.key[0];
	struct mac_lifetime later = { 1000, MAC_TIME_FOREVER };
	assert_int_equal(mac_key_set_lifetimes(&k, later, later), MAC_OK);
	mac_keyset_init(&ks);
	assert_int_equal(mac_keyset_add(&ks, &k), MAC_OK);
	assert_int_equal(mac_trailer_len(&ks, 999), 0);
	assert_int_equal(mac_sign(&ks, 999, &ep, buf, 6, sizeof buf, &out), MAC_E_NO_SEND_KEY);
	assert_int_equal(mac_sign(&ks, 1000, &ep, buf, 6, sizeof buf, &out), MAC_OK);
}

static void test_sign_with_two_keys(void **state)
{
	(void)state;
	static const uint8_t v2[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	struct mac_keyset both = keyset_k1(), only1 = keyset_k1(), only2;
	struct mac_key k2;
	assert_int_equal(mac_key_init(&k2, "k2", MAC_ALG_HMAC_SHA256, v2, sizeof v2), MAC_OK);
	assert_int_equal(mac_keyset_add(&both, &k2), MAC_OK);
	mac_keyset_init(&only2);
	assert_int_equal(mac_keyset_add(&only2, &k2), MAC_OK);

	struct mac_endpoints ep = { { 0xfe, 0x80, [15] = 1 }, 6696, { 0xff, 0x02, [13] = 1, [15] = 6 }, 6696 };
	uint8_t buf[128] = { 42, 2, 0, 0 };
	size_t out;
	assert_int_equal(mac_trailer_len(&both, 0), 68);
	assert_int_equal(mac_sign(&both, 0, &ep, buf, 4, sizeof buf, &out), MAC_OK);
	assert_int_equal(out, 4 + 68);
	/* Each receiver knows one key: both accept, by the key they know. */
	size_t idx = 99;
	assert_int_equal(mac_verify(&only1, 0, &ep, buf, out, &idx), MAC_ACCEPTED);
	assert_int_equal(idx, 0);
	assert_int_equal(mac_verify(&only2, 0, &ep, buf, out, &idx), MAC_ACCEPTED);
	assert_int_equal(idx, 0);
}

/* ------------------------------------------------------------ keys */

static void test_key_validation(void **state)
{
	(void)state;
	struct mac_key k;
	uint8_t v[65] = { 0 };
	char id[80];
	enum mac_alg alg;

	assert_int_equal(mac_alg_parse("hmac-sha256", &alg), MAC_OK);
	assert_int_equal(alg, MAC_ALG_HMAC_SHA256);
	assert_int_equal(mac_alg_parse("blake2s128", &alg), MAC_OK);
	assert_int_equal(alg, MAC_ALG_BLAKE2S128);
	assert_int_equal(mac_alg_parse("hmac-sha1", &alg), MAC_E_ALG_UNKNOWN);
	assert_string_equal(mac_alg_name(MAC_ALG_HMAC_SHA256), "hmac-sha256");
	assert_int_equal(mac_alg_digest_len(MAC_ALG_HMAC_SHA256), 32);
	assert_true(mac_alg_available(MAC_ALG_HMAC_SHA256));

	/* BLAKE2s-128: nettle has none, and we write no crypto ourselves. */
	assert_false(mac_alg_available(MAC_ALG_BLAKE2S128));
	assert_int_equal(mac_key_init(&k, "b", MAC_ALG_BLAKE2S128, v, 16), MAC_E_ALG_UNAVAILABLE);
	assert_non_null(strstr(mac_status_str(MAC_E_ALG_UNAVAILABLE), "nettle"));
	assert_int_equal(mac_key_init(&k, "b", MAC_ALG_BLAKE2S128, v, 33), MAC_E_KEY_LENGTH);

	assert_int_equal(mac_key_init(&k, "", MAC_ALG_HMAC_SHA256, v, 32), MAC_E_KEY_ID);
	assert_int_equal(mac_key_init(&k, NULL, MAC_ALG_HMAC_SHA256, v, 32), MAC_E_KEY_ID);
	memset(id, 'a', sizeof id);
	id[MAC_KEY_ID_MAX] = 0;
	assert_int_equal(mac_key_init(&k, id, MAC_ALG_HMAC_SHA256, v, 32), MAC_OK);
	assert_string_equal(k.id, id);
	id[MAC_KEY_ID_MAX] = 'a';
	id[MAC_KEY_ID_MAX + 1] = 0;
	assert_int_equal(mac_key_init(&k, id, MAC_ALG_HMAC_SHA256, v, 32), MAC_E_KEY_ID);
	assert_int_equal(mac_key_init(&k, "k", MAC_ALG_HMAC_SHA256, v, 0), MAC_E_KEY_LENGTH);
	assert_int_equal(mac_key_init(&k, "k", MAC_ALG_HMAC_SHA256, v, 64), MAC_OK);
	assert_int_equal(mac_key_init(&k, "k", MAC_ALG_HMAC_SHA256, v, 65), MAC_E_KEY_LENGTH);
	assert_int_equal(mac_key_init(&k, "k", (enum mac_alg)7, v, 32), MAC_E_ALG_UNKNOWN);

	/* A fresh key is valid forever, both ways. */
	assert_int_equal(mac_key_init(&k, "k", MAC_ALG_HMAC_SHA256, v, 32), MAC_OK);
	assert_true(mac_lifetime_contains(k.send, 0));
	assert_true(mac_lifetime_contains(k.accept, UINT64_MAX));
	struct mac_lifetime backwards = { 10, 5 }, ok = { 5, 10 };
	assert_int_equal(mac_key_set_lifetimes(&k, backwards, ok), MAC_E_LIFETIME);
	assert_int_equal(mac_key_set_lifetimes(&k, ok, backwards), MAC_E_LIFETIME);
	assert_int_equal(mac_key_set_lifetimes(&k, ok, ok), MAC_OK);
	assert_false(mac_lifetime_contains(k.send, 4));
	assert_true(mac_lifetime_contains(k.send, 5));
	assert_true(mac_lifetime_contains(k.send, 9));
	assert_false(mac_lifetime_contains(k.send, 10));

	for (int s = MAC_OK; s <= MAC_E_PACKET; s++)
		assert_true(strlen(mac_status_str((enum mac_status)s)) > 0);
}

static void test_keyset_add_find_remove(void **state)
{
	(void)state;
	struct mac_keyset ks;
	struct mac_key k;
	uint8_t v[32] = { 7 };
	char id[8];
	mac_keyset_init(&ks);
	for (int i = 0; i < MAC_KEYS_MAX; i++) {
		snprintf(id, sizeof id, "k%d", i);
		assert_int_equal(mac_key_init(&k, id, MAC_ALG_HMAC_SHA256, v, sizeof v), MAC_OK);
		assert_int_equal(mac_keyset_add(&ks, &k), MAC_OK);
	}
	assert_int_equal(mac_key_init(&k, "k3", MAC_ALG_HMAC_SHA256, v, sizeof v), MAC_OK);
	assert_int_equal(mac_keyset_add(&ks, &k), MAC_E_DUPLICATE);
	assert_int_equal(mac_key_init(&k, "extra", MAC_ALG_HMAC_SHA256, v, sizeof v), MAC_OK);
	assert_int_equal(mac_keyset_add(&ks, &k), MAC_E_FULL);

	assert_non_null(mac_keyset_find(&ks, "k5"));
	assert_null(mac_keyset_find(&ks, "k9"));
	assert_true(mac_keyset_remove(&ks, "k3"));
	assert_false(mac_keyset_remove(&ks, "k3"));
	assert_int_equal(ks.n, MAC_KEYS_MAX - 1);
	assert_null(mac_keyset_find(&ks, "k3"));
	assert_string_equal(ks.key[3].id, "k4"); /* order kept */
	/* The freed slot is wiped. */
	static const struct mac_key zero;
	assert_memory_equal(&ks.key[MAC_KEYS_MAX - 1], &zero, sizeof zero);
	assert_int_equal(mac_keyset_add(&ks, &k), MAC_OK);
	mac_keyset_clear(&ks);
	assert_int_equal(ks.n, 0);
}

/* Two keys roll over with a fake clock: A until t=1000, B from then on.
 * Every node accepts B from t=500 (before anyone sends it) and A until
 * t=1500 (after everyone stopped sending it). */
static void test_key_rollover(void **state)
{
	(void)state;
	static const uint8_t va[32] = { 0xa }, vb[32] = { 0xb };
	struct mac_key a, b;
	assert_int_equal(mac_key_init(&a, "A", MAC_ALG_HMAC_SHA256, va, 32), MAC_OK);
	assert_int_equal(mac_key_init(&b, "B", MAC_ALG_HMAC_SHA256, vb, 32), MAC_OK);
	assert_int_equal(mac_key_set_lifetimes(&a, (struct mac_lifetime){ 0, 1000 },
					       (struct mac_lifetime){ 0, 1500 }), MAC_OK);
	assert_int_equal(mac_key_set_lifetimes(&b, (struct mac_lifetime){ 1000, MAC_TIME_FOREVER },
					       (struct mac_lifetime){ 500, MAC_TIME_FOREVER }), MAC_OK);
	struct mac_keyset ks;
	mac_keyset_init(&ks);
	assert_int_equal(mac_keyset_add(&ks, &a), MAC_OK);
	assert_int_equal(mac_keyset_add(&ks, &b), MAC_OK);

	const struct mac_key *out[MAC_KEYS_MAX];
	struct { uint64_t t; const char *send; const char *accept; } steps[] = {
		{ 0, "A", "A" },     { 499, "A", "A" },  { 500, "A", "AB" },  { 999, "A", "AB" },
		{ 1000, "B", "AB" }, { 1499, "B", "AB" }, { 1500, "B", "B" }, { 1u << 30, "B", "B" },
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		char got[MAC_KEYS_MAX + 1] = { 0 };
		size_t n = mac_keys_for_sending(&ks, steps[i].t, out, MAC_KEYS_MAX);
		for (size_t j = 0; j < n; j++)
			got[j] = out[j]->id[0];
		assert_string_equal(got, steps[i].send);
		memset(got, 0, sizeof got);
		n = mac_keys_for_accepting(&ks, steps[i].t, out, MAC_KEYS_MAX);
		for (size_t j = 0; j < n; j++)
			got[j] = out[j]->id[0];
		assert_string_equal(got, steps[i].accept);
	}
	/* max bounds what is stored. */
	assert_int_equal(mac_keys_for_accepting(&ks, 700, out, 1), 1);
	assert_string_equal(out[0]->id, "A");

	/* The timer points at each change in turn. */
	assert_int_equal(mac_keyset_next_change(&ks, 0), 500);
	assert_int_equal(mac_keyset_next_change(&ks, 500), 1000);
	assert_int_equal(mac_keyset_next_change(&ks, 1000), 1500);
	assert_int_equal(mac_keyset_next_change(&ks, 1500), MAC_TIME_FOREVER);

	/* Packets across the rollover, between two nodes with the same keys. */
	struct mac_endpoints ep = { { 0xfe, 0x80, [15] = 1 }, 6696, { 0xff, 0x02, [13] = 1, [15] = 6 }, 6696 };
	uint8_t p999[64] = { 42, 2, 0, 0 }, p1000[64] = { 42, 2, 0, 0 };
	size_t l999, l1000, idx;
	assert_int_equal(mac_sign(&ks, 999, &ep, p999, 4, sizeof p999, &l999), MAC_OK);
	assert_int_equal(mac_sign(&ks, 1000, &ep, p1000, 4, sizeof p1000, &l1000), MAC_OK);
	assert_int_equal(l999, 4 + 34); /* one MAC each: the switch is clean */
	assert_int_equal(l1000, 4 + 34);
	/* Sent with A just before the switch: accepted during the overlap... */
	assert_int_equal(mac_verify(&ks, 1200, &ep, p999, l999, &idx), MAC_ACCEPTED);
	assert_int_equal(idx, 0);
	/* ...refused once A has expired. */
	assert_int_equal(mac_verify(&ks, 1500, &ep, p999, l999, NULL), MAC_BAD_MAC);
	/* Sent with B: accepted by a node that accepts B already... */
	assert_int_equal(mac_verify(&ks, 1000, &ep, p1000, l1000, &idx), MAC_ACCEPTED);
	assert_int_equal(idx, 1);
	assert_int_equal(mac_verify(&ks, 600, &ep, p1000, l1000, NULL), MAC_ACCEPTED);
	/* ...and refused by one whose clock says B is not yet accepted. */
	assert_int_equal(mac_verify(&ks, 499, &ep, p1000, l1000, NULL), MAC_BAD_MAC);
}

/* ------------------------------------------------------------ our counter */

static void test_counter_sequence_and_wrap(void **state)
{
	(void)state;
	struct fake_rng rng = { 0x40, 0 };
	struct mac_counter c;
	struct mac_pc pc;
	mac_counter_start(&c, fake_random, &rng);
	assert_int_equal(rng.calls, 1);
	for (uint32_t i = 0; i < 5; i++) {
		mac_counter_next(&c, fake_random, &rng, &pc);
		assert_int_equal(pc.pc, i);
		assert_int_equal(pc.index_len, MAC_INDEX_LEN);
		assert_int_equal(pc.index[0], 0x40);
	}
	uint8_t first_index[MAC_INDEX_MAX];
	memcpy(first_index, pc.index, sizeof first_index);

	/* A restart draws a new index and starts again at 0. */
	struct mac_counter again;
	mac_counter_start(&again, fake_random, &rng);
	mac_counter_next(&again, fake_random, &rng, &pc);
	assert_int_equal(pc.pc, 0);
	assert_memory_not_equal(pc.index, first_index, MAC_INDEX_LEN);

	/* Near the end of the PC space: the last PC is used, then a new index. */
	static const uint8_t saved[4] = { 9, 9, 9, 9 };
	assert_true(mac_counter_resume(&c, saved, sizeof saved, UINT32_MAX - 1));
	unsigned calls = rng.calls;
	mac_counter_next(&c, fake_random, &rng, &pc);
	assert_int_equal(pc.pc, UINT32_MAX - 1);
	mac_counter_next(&c, fake_random, &rng, &pc);
	assert_int_equal(pc.pc, UINT32_MAX);
	assert_int_equal(pc.index_len, 4);
	assert_memory_equal(pc.index, saved, 4);
	assert_int_equal(rng.calls, calls);
	mac_counter_next(&c, fake_random, &rng, &pc);
	assert_int_equal(pc.pc, 0);
	assert_int_equal(pc.index_len, MAC_INDEX_LEN);
	assert_memory_not_equal(pc.index, saved, 4);
	assert_int_equal(rng.calls, calls + 1);
	mac_counter_next(&c, fake_random, &rng, &pc);
	assert_int_equal(pc.pc, 1);

	/* A persisted index must be 1..32 bytes. */
	uint8_t big[MAC_INDEX_MAX + 1] = { 0 };
	assert_false(mac_counter_resume(&c, big, 0, 5));
	assert_false(mac_counter_resume(&c, big, sizeof big, 5));
	assert_true(mac_counter_resume(&c, big, MAC_INDEX_MAX, 5));
}

/* ------------------------------------------------------------ a neighbour */

static struct mac_pc_seen seen(uint32_t pc, const uint8_t *index, size_t len)
{
	struct mac_pc_seen s = { pc, index, len, false };
	return s;
}

static void test_neigh_replay_and_index_change(void **state)
{
	(void)state;
	static const uint8_t i1[8] = { 1, 1, 1, 1, 1, 1, 1, 1 }, i2[8] = { 2, 2, 2, 2, 2, 2, 2, 2 };
	const struct mac_policy pol = MAC_POLICY_DEFAULT;
	struct mac_neigh n;
	mac_neigh_init(&n);
	struct mac_pc_seen s;

	/* A neighbour never heard: challenge, whatever its PC. */
	s = seen(7, i1, 8);
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_CHALLENGE);
	/* No PC TLV: dropped, even with a good reply. */
	assert_int_equal(mac_neigh_check_pc(&n, NULL, false, &pol), MAC_PC_NO_PC);
	assert_int_equal(mac_neigh_check_pc(&n, NULL, true, &pol), MAC_PC_NO_PC);
	/* An overlong index is malformed. */
	uint8_t big[MAC_INDEX_MAX + 1] = { 0 };
	s = seen(7, big, sizeof big);
	assert_int_equal(mac_neigh_check_pc(&n, &s, true, &pol), MAC_PC_NO_PC);
	assert_false(n.have_index);

	/* A successful challenge adopts index and PC. */
	s = seen(7, i1, 8);
	assert_int_equal(mac_neigh_check_pc(&n, &s, true, &pol), MAC_PC_ACCEPT);
	assert_true(n.have_index);
	assert_int_equal(n.pc, 7);
	/* Increasing PCs pass, each once; gaps are fine. */
	s.pc = 8;
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_ACCEPT);
	s.pc = 20;
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_ACCEPT);
	/* Replays and older packets are refused. */
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_REPLAY);
	s.pc = 19;
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_REPLAY);
	s.pc = 0;
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_REPLAY);
	assert_int_equal(n.pc, 20);

	/* A new index (the neighbour restarted): challenge, state untouched. */
	s = seen(0, i2, 8);
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_CHALLENGE);
	s = seen(21, i2, 4); /* a prefix of another index is another index */
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_CHALLENGE);
	s = seen(21, i1, 8);
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_ACCEPT);
	/* The challenge on the new index succeeds: even PC 0 is adopted, and the
	 * old index is now the stranger. */
	s = seen(0, i2, 8);
	assert_int_equal(mac_neigh_check_pc(&n, &s, true, &pol), MAC_PC_ACCEPT);
	s = seen(22, i1, 8);
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_CHALLENGE);
	s = seen(1, i2, 8);
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_ACCEPT);

	/* The top of the PC space is accepted once. */
	s.pc = UINT32_MAX;
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_ACCEPT);
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_REPLAY);

	/* An empty index is an index like another. */
	mac_neigh_init(&n);
	s = seen(3, NULL, 0);
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_CHALLENGE);
	assert_int_equal(mac_neigh_check_pc(&n, &s, true, &pol), MAC_PC_ACCEPT);
	s.pc = 4;
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_ACCEPT);
	s = seen(5, i1, 8);
	assert_int_equal(mac_neigh_check_pc(&n, &s, false, &pol), MAC_PC_CHALLENGE);
}

static void test_neigh_challenge_nonce(void **state)
{
	(void)state;
	const struct mac_policy pol = MAC_POLICY_DEFAULT;
	struct fake_rng rng = { 0x10, 0 };
	struct mac_neigh n;
	mac_neigh_init(&n);
	uint8_t nonce[MAC_NONCE_LEN], first[MAC_NONCE_LEN];
	size_t len = 0;

	/* No challenge pending: any reply fails. */
	assert_false(mac_neigh_check_reply(&n, nonce, sizeof nonce, 0));

	/* Challenge at t=1000 (the caller's clock may start anywhere). */
	assert_int_equal(mac_neigh_challenge(&n, 1000, &pol, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_SEND);
	assert_int_equal(len, MAC_NONCE_LEN);
	assert_int_equal(nonce[0], 0x10);
	memcpy(first, nonce, sizeof first);
	/* Rate-limited: nothing until 300 ms have passed. */
	assert_int_equal(mac_neigh_challenge(&n, 1299, &pol, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_HOLD);
	/* Then the same challenge again: a slow link's reply stays good. */
	assert_int_equal(mac_neigh_challenge(&n, 1300, &pol, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_SEND);
	assert_memory_equal(nonce, first, MAC_NONCE_LEN);
	assert_int_equal(rng.calls, 1);

	/* Wrong nonces fail and leave the challenge pending. */
	uint8_t wrong[MAC_NONCE_LEN];
	memcpy(wrong, first, sizeof wrong);
	wrong[MAC_NONCE_LEN - 1] ^= 1;
	assert_false(mac_neigh_check_reply(&n, wrong, sizeof wrong, 1400));
	assert_false(mac_neigh_check_reply(&n, first, MAC_NONCE_LEN - 1, 1400)); /* a prefix */
	assert_false(mac_neigh_check_reply(&n, first, 0, 1400));
	assert_true(n.challenge_pending);
	/* The right one succeeds, once. */
	assert_true(mac_neigh_check_reply(&n, first, MAC_NONCE_LEN, 1400));
	assert_false(n.challenge_pending);
	assert_false(mac_neigh_check_reply(&n, first, MAC_NONCE_LEN, 1401));

	/* The next challenge has a new nonce. */
	assert_int_equal(mac_neigh_challenge(&n, 2000, &pol, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_SEND);
	assert_memory_not_equal(nonce, first, MAC_NONCE_LEN);
	assert_int_equal(rng.calls, 2);
}

static void test_neigh_challenge_timeout(void **state)
{
	(void)state;
	const struct mac_policy pol = MAC_POLICY_DEFAULT;
	struct fake_rng rng = { 0x20, 0 };
	struct mac_neigh n;
	uint8_t nonce[MAC_NONCE_LEN], first[MAC_NONCE_LEN];
	size_t len;

	/* A reply just before the deadline succeeds. */
	mac_neigh_init(&n);
	assert_int_equal(mac_neigh_challenge(&n, 0, &pol, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_SEND);
	assert_true(mac_neigh_check_reply(&n, nonce, len, 29999));

	/* At the deadline it fails, and the challenge is over. */
	mac_neigh_init(&n);
	assert_int_equal(mac_neigh_challenge(&n, 0, &pol, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_SEND);
	memcpy(first, nonce, sizeof first);
	assert_false(mac_neigh_check_reply(&n, first, len, 30000));
	assert_false(n.challenge_pending);

	/* Re-sending after the deadline draws a fresh nonce: the old one can
	 * never be answered again. */
	mac_neigh_init(&n);
	assert_int_equal(mac_neigh_challenge(&n, 0, &pol, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_SEND);
	memcpy(first, nonce, sizeof first);
	assert_int_equal(mac_neigh_challenge(&n, 30000, &pol, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_SEND);
	assert_memory_not_equal(nonce, first, MAC_NONCE_LEN);
	assert_false(mac_neigh_check_reply(&n, first, len, 30001));
	assert_true(mac_neigh_check_reply(&n, nonce, len, 30001));

	/* Timings are inputs. */
	struct mac_policy fast = { 10, 100, 10, false };
	mac_neigh_init(&n);
	assert_int_equal(mac_neigh_challenge(&n, 0, &fast, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_SEND);
	assert_int_equal(mac_neigh_challenge(&n, 9, &fast, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_HOLD);
	assert_int_equal(mac_neigh_challenge(&n, 10, &fast, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_SEND);
	assert_false(mac_neigh_check_reply(&n, nonce, len, 100));
}

static void test_neigh_reply_rate_limit(void **state)
{
	(void)state;
	const struct mac_policy pol = MAC_POLICY_DEFAULT;
	struct mac_neigh n;
	mac_neigh_init(&n);
	assert_true(mac_neigh_may_reply(&n, 5000, &pol));
	assert_false(mac_neigh_may_reply(&n, 5000, &pol));
	assert_false(mac_neigh_may_reply(&n, 5299, &pol));
	assert_true(mac_neigh_may_reply(&n, 5300, &pol));
	/* A clock that went back counts as no time passed. */
	assert_false(mac_neigh_may_reply(&n, 100, &pol));
	/* Replies and challenges are limited separately. */
	struct fake_rng rng = { 0, 0 };
	uint8_t nonce[MAC_NONCE_LEN];
	size_t len;
	assert_int_equal(mac_neigh_challenge(&n, 5300, &pol, fake_random, &rng, nonce, &len),
			 MAC_CHALLENGE_SEND);
}

/* RFC 9467: with relaxed checking, unicast and multicast PCs are tracked
 * apart, so a reordering between the two queues loses nothing. */
static void test_neigh_relaxed_pc(void **state)
{
	(void)state;
	static const uint8_t i1[8] = { 1 };
	struct mac_policy strict = MAC_POLICY_DEFAULT, relaxed = MAC_POLICY_DEFAULT;
	relaxed.relaxed_pc = true;
	struct mac_neigh a, b;
	mac_neigh_init(&a);
	mac_neigh_init(&b);
	struct mac_pc_seen s = seen(10, i1, 8);
	assert_int_equal(mac_neigh_check_pc(&a, &s, true, &strict), MAC_PC_ACCEPT);
	assert_int_equal(mac_neigh_check_pc(&b, &s, true, &relaxed), MAC_PC_ACCEPT);
	s.pc = 12; /* multicast */
	assert_int_equal(mac_neigh_check_pc(&a, &s, false, &strict), MAC_PC_ACCEPT);
	assert_int_equal(mac_neigh_check_pc(&b, &s, false, &relaxed), MAC_PC_ACCEPT);
	s.pc = 11; /* unicast, sent between them but arrived late */
	s.unicast = true;
	assert_int_equal(mac_neigh_check_pc(&a, &s, false, &strict), MAC_PC_REPLAY);
	assert_int_equal(mac_neigh_check_pc(&b, &s, false, &relaxed), MAC_PC_ACCEPT);
	/* Still no replay within either class. */
	assert_int_equal(mac_neigh_check_pc(&b, &s, false, &relaxed), MAC_PC_REPLAY);
	s.unicast = false;
	assert_int_equal(mac_neigh_check_pc(&b, &s, false, &relaxed), MAC_PC_REPLAY);
}

/* The body TLVs that the anti-replay logic reads, found in a captured
 * packet by a walk of its own (proto/babel.h is not used here). */
struct body_info {
	bool have_pc;
	struct mac_pc_seen pc;
	const uint8_t *challenge_req;
	size_t challenge_req_len;
	const uint8_t *challenge_rep;
	size_t challenge_rep_len;
};

static struct body_info body_info(const struct cap_pkt *p)
{
	struct body_info bi = { 0 };
	size_t covered = mac_covered_len(p->data, p->len);
	struct reader r = reader_init(p->data + 4, covered - 4);
	while (reader_left(&r) > 0) {
		uint8_t type = read_u8(&r);
		if (type == 0)
			continue;
		uint8_t len = read_u8(&r);
		const uint8_t *v = read_span(&r, len);
		assert_false(r.err);
		if (type == MAC_TLV_PC && !bi.have_pc && len >= 4) {
			bi.have_pc = true;
			bi.pc.pc = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
			bi.pc.index = v + 4;
			bi.pc.index_len = len - 4u;
			bi.pc.unicast = p->ep.dst[0] != 0xff;
		} else if (type == MAC_TLV_CHALLENGE_REQUEST) {
			bi.challenge_req = v;
			bi.challenge_req_len = len;
		} else if (type == MAC_TLV_CHALLENGE_REPLY) {
			bi.challenge_rep = v;
			bi.challenge_rep_len = len;
		}
	}
	return bi;
}

/* babeld's packets through our receive path, as the engine will run it:
 * first packet challenged, babeld's PCs then accepted in order, and every
 * captured packet replayed afterwards refused though its MAC is good. */
static void test_babeld_traffic_through_anti_replay(void **state)
{
	(void)state;
	struct capture *c = hmac_capture();
	struct mac_keyset ks = keyset_k1();
	const struct mac_policy pol = MAC_POLICY_DEFAULT;
	struct fake_rng rng = { 0, 0 };
	const uint8_t *sender = c->pkt[0].ep.src;
	struct mac_neigh n;
	mac_neigh_init(&n);
	size_t accepted = 0, from_sender = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct cap_pkt *p = &c->pkt[i];
		if (memcmp(p->ep.src, sender, 16) != 0)
			continue;
		from_sender++;
		assert_int_equal(mac_verify(&ks, 0, &p->ep, p->data, p->len, NULL), MAC_ACCEPTED);
		struct body_info bi = body_info(p);
		assert_true(bi.have_pc);
		assert_int_equal(bi.pc.index_len, 8); /* babeld's Index length */
		if (bi.challenge_req) {
			assert_true(bi.pc.unicast); /* challenges go unicast */
			assert_true(bi.challenge_req_len <= MAC_NONCE_MAX);
		}
		/* We cannot make babeld answer our nonce after the fact: stand
		 * for the reply by adopting its index at its first packet. */
		bool reply_ok = false;
		if (i == 0) {
			assert_int_equal(mac_neigh_check_pc(&n, &bi.pc, false, &pol), MAC_PC_CHALLENGE);
			uint8_t nonce[MAC_NONCE_LEN];
			size_t len;
			assert_int_equal(mac_neigh_challenge(&n, 0, &pol, fake_random, &rng, nonce, &len),
					 MAC_CHALLENGE_SEND);
			assert_true(mac_neigh_check_reply(&n, nonce, len, 100));
			reply_ok = true;
		}
		assert_int_equal(mac_neigh_check_pc(&n, &bi.pc, reply_ok, &pol), MAC_PC_ACCEPT);
		accepted++;
	}
	assert_true(from_sender >= 10);
	assert_int_equal(accepted, from_sender);

	/* Every one of them again: a good MAC, but a replay. */
	for (size_t i = 0; i < c->n; i++) {
		const struct cap_pkt *p = &c->pkt[i];
		if (memcmp(p->ep.src, sender, 16) != 0)
			continue;
		assert_int_equal(mac_verify(&ks, 0, &p->ep, p->data, p->len, NULL), MAC_ACCEPTED);
		struct body_info bi = body_info(p);
		assert_int_equal(mac_neigh_check_pc(&n, &bi.pc, false, &pol), MAC_PC_REPLAY);
	}
	free(c);
}

/* The capture's challenge exchange (babeld to babeld) matches nonces the
 * way mac_neigh_check_reply expects: each reply echoes a request seen
 * earlier from the other side. */
static void test_babeld_challenge_exchange(void **state)
{
	(void)state;
	struct capture *c = hmac_capture();
	size_t requests = 0, replies = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct body_info bi = body_info(&c->pkt[i]);
		if (bi.challenge_req) {
			requests++;
			assert_true(bi.pc.unicast);
		}
		if (!bi.challenge_rep)
			continue;
		replies++;
		bool found = false;
		for (size_t j = 0; j < i && !found; j++) {
			struct body_info bj = body_info(&c->pkt[j]);
			found = bj.challenge_req && bj.challenge_req_len == bi.challenge_rep_len &&
				memcmp(bj.challenge_req, bi.challenge_rep, bi.challenge_rep_len) == 0 &&
				memcmp(c->pkt[j].ep.src, c->pkt[i].ep.dst, 16) == 0;
		}
		assert_true(found);
	}
	assert_int_equal(requests, 2);
	assert_int_equal(replies, 2);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_sha256_rfc4231),
		cmocka_unit_test(test_compute_is_hmac_of_pseudo_header_and_packet),
		cmocka_unit_test(test_pseudo_header_layout),
		cmocka_unit_test(test_babeld_every_packet_verifies),
		cmocka_unit_test(test_babeld_mac_bytes_reproduced),
		cmocka_unit_test(test_babeld_any_flipped_byte_fails),
		cmocka_unit_test(test_babeld_wrong_key_fails),
		cmocka_unit_test(test_trailer_variants),
		cmocka_unit_test(test_malformed_never_crashes),
		cmocka_unit_test(test_sign_room_and_errors),
		cmocka_unit_test(test_sign_with_two_keys),
		cmocka_unit_test(test_key_validation),
		cmocka_unit_test(test_keyset_add_find_remove),
		cmocka_unit_test(test_key_rollover),
		cmocka_unit_test(test_counter_sequence_and_wrap),
		cmocka_unit_test(test_neigh_replay_and_index_change),
		cmocka_unit_test(test_neigh_challenge_nonce),
		cmocka_unit_test(test_neigh_challenge_timeout),
		cmocka_unit_test(test_neigh_reply_rate_limit),
		cmocka_unit_test(test_neigh_relaxed_pc),
		cmocka_unit_test(test_babeld_traffic_through_anti_replay),
		cmocka_unit_test(test_babeld_challenge_exchange),
	};
	return cmocka_run_group_tests_name("core/mac", tests, NULL, NULL);
}
