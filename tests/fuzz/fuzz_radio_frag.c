/* libFuzzer: the radio link's reassembler.  The input is a sequence of
 * records: one octet picking the source station (low 2 bits) and how far
 * the clock moves (the rest, in seconds), one octet of info length, then
 * the info field.  Each is classified and, if a fragment, reassembled.
 * Whatever arrives, memory stays within the slots and the byte cap, the
 * accounting adds up, and every delivered packet is an IP packet of at
 * most RADIO_FRAG_MTU octets.  Then the whole input, taken as a packet,
 * must survive fragmentation and reassembly in reverse order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/sys/radio_frag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

static void check_invariants(const struct radio_reasm *r)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < RADIO_REASM_SLOTS; i++)
		if (r->slot[i].used) {
			CHECK(r->slot[i].total >= 1 && r->slot[i].total <= RADIO_FRAG_MTU);
			CHECK(r->slot[i].have < r->slot[i].total);
			CHECK(r->slot[i].nfrags <= RADIO_FRAG_MAX_FRAGS);
			sum += r->slot[i].total;
		}
	CHECK(sum == r->bytes && sum <= r->cfg.byte_cap);
}

static void roundtrip(const uint8_t *data, size_t size)
{
	static uint8_t pkt[RADIO_FRAG_MTU], out[RADIO_FRAG_MTU], info[RADIO_FRAG_MTU];
	static struct radio_reasm r;
	if (size < 2)
		return;
	size_t paclen = RADIO_FRAG_PACLEN_MIN + data[0] % 240;
	size_t len = size - 1 > RADIO_FRAG_MTU ? RADIO_FRAG_MTU : size - 1;
	memcpy(pkt, data + 1, len);
	pkt[0] = (uint8_t)((pkt[0] & 1 ? 0x40 : 0x60) | (pkt[0] & 0x0f));
	size_t n = radio_frag_count(len, paclen);
	CHECK(n >= 1);
	if (n == 1)
		return;
	radio_reasm_init(&r, NULL);
	const struct ax25_addr src = { "F4ABC", 7 };
	size_t out_len = 0;
	for (size_t i = n; i-- > 0;) {
		uint8_t pid;
		size_t ilen = radio_frag_build(pkt, len, paclen, (uint16_t)size, i, info, sizeof info, &pid);
		CHECK(ilen > RADIO_FRAG_HDR_LEN && ilen <= paclen && pid == 0xF0);
		CHECK(radio_info_classify(pid, info, ilen) == RADIO_INFO_FRAGMENT);
		enum radio_reasm_result res =
			radio_reasm_input(&r, &src, info, ilen, 0, out, sizeof out, &out_len);
		CHECK(res == (i ? RADIO_REASM_PENDING : RADIO_REASM_COMPLETE));
	}
	CHECK(out_len == len && memcmp(out, pkt, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct radio_reasm r;
	static uint8_t out[RADIO_FRAG_MTU];
	struct radio_reasm_config cfg = { .timeout_ms = 30000, .byte_cap = 6 * RADIO_FRAG_MTU };
	radio_reasm_init(&r, &cfg);
	static const struct ax25_addr stations[4] = {
		{ "F4ABC", 7 }, { "F4ABC", 8 }, { "N0CALL", 0 }, { "W1AW", 15 },
	};
	uint64_t now = 0;
	size_t pos = 0;
	while (pos + 2 <= size) {
		uint8_t sel = data[pos], ilen = data[pos + 1];
		pos += 2;
		if (ilen > size - pos)
			ilen = (uint8_t)(size - pos);
		now += (uint64_t)(sel >> 2) * 1000;
		const uint8_t *info = data + pos;
		pos += ilen;
		enum radio_info_kind k = radio_info_classify(sel & 0x80 ? 0xCC : 0xF0, info, ilen);
		if (k != RADIO_INFO_FRAGMENT)
			continue;
		size_t out_len = 0;
		enum radio_reasm_result res = radio_reasm_input(&r, &stations[sel & 3], info, ilen,
								now, out, sizeof out, &out_len);
		CHECK(res < RADIO_REASM_RESULT_COUNT);
		if (res == RADIO_REASM_COMPLETE)
			CHECK(out_len >= 1 && out_len <= RADIO_FRAG_MTU &&
			      (out[0] >> 4 == 4 || out[0] >> 4 == 6));
		check_invariants(&r);
		CHECK(radio_reasm_pending(&r) == 0 ||
		      radio_reasm_next_deadline(&r) > now);
	}
	radio_reasm_expire(&r, now + 30000);
	CHECK(radio_reasm_pending(&r) == 0 && r.bytes == 0);
	roundtrip(data, size);
	return 0;
}
