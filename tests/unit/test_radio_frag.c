/* Radio link framing: the info-field classifier, fragmentation round trips
 * for every packet size at several paclens (in order, reordered, with
 * duplicates and losses), the reassembly timeout on a fake clock, bounded
 * memory under a flood, and every kind of malformed fragment refused and
 * counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "src/sys/radio_frag.h"
#include "tests/lib/rng.h"

static struct ax25_addr addr(const char *text)
{
	struct ax25_addr a;
	assert_int_equal(ax25_addr_parse(text, strlen(text), &a), AX25_OK);
	return a;
}

/* A fake IP packet of LEN octets: version 4 or 6, random rest. */
static void make_packet(struct test_rng *rng, uint8_t *pkt, size_t len, int version)
{
	for (size_t i = 0; i < len; i++)
		pkt[i] = (uint8_t)test_rng_below(rng, 256);
	pkt[0] = (uint8_t)(version << 4 | (pkt[0] & 0x0f));
}

struct frames {
	size_t n;
	uint8_t pid[RADIO_FRAG_MAX_FRAGS];
	uint8_t info[RADIO_FRAG_MAX_FRAGS][RADIO_FRAG_MTU];
	size_t len[RADIO_FRAG_MAX_FRAGS];
};

static void split(const uint8_t *pkt, size_t len, size_t paclen, uint16_t id, struct frames *f)
{
	f->n = radio_frag_count(len, paclen);
	assert_true(f->n >= 1 && f->n <= RADIO_FRAG_MAX_FRAGS);
	for (size_t i = 0; i < f->n; i++) {
		f->len[i] = radio_frag_build(pkt, len, paclen, id, i, f->info[i], sizeof f->info[i],
					     &f->pid[i]);
		assert_true(f->len[i] >= 1 && f->len[i] <= paclen);
	}
	assert_int_equal(radio_frag_build(pkt, len, paclen, id, f->n, f->info[0], paclen, &f->pid[0]),
			 0);
}

static void test_classify(void **state)
{
	(void)state;
	static const uint8_t babel[] = { 42, 2, 0, 0 };
	static const uint8_t v4[] = { 0x45, 0 };
	static const uint8_t v6[] = { 0x60, 0 };
	static const uint8_t frag[] = { 0xFB, 0, 1, 0, 0, 0, 10, 0x45 };
	static const uint8_t other[] = { 0x00 };
	struct {
		uint8_t pid;
		const uint8_t *info;
		size_t len;
		enum radio_info_kind want;
	} v[] = {
		{ 0xF0, babel, sizeof babel, RADIO_INFO_BABEL },
		{ 0xCC, babel, sizeof babel, RADIO_INFO_UNKNOWN },
		{ 0xCC, v4, sizeof v4, RADIO_INFO_IPV4 },
		{ 0xF0, v4, sizeof v4, RADIO_INFO_IPV4 },
		{ 0xF0, v6, sizeof v6, RADIO_INFO_IPV6 },
		{ 0xCC, v6, sizeof v6, RADIO_INFO_UNKNOWN },
		{ 0xF0, frag, sizeof frag, RADIO_INFO_FRAGMENT },
		{ 0xCC, frag, sizeof frag, RADIO_INFO_UNKNOWN },
		{ 0xF0, other, sizeof other, RADIO_INFO_UNKNOWN },
		{ 0xF0, babel, 0, RADIO_INFO_UNKNOWN },
		{ 0xCF, v6, sizeof v6, RADIO_INFO_UNKNOWN },
		{ 0xFF, babel, sizeof babel, RADIO_INFO_UNKNOWN },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		assert_int_equal(radio_info_classify(v[i].pid, v[i].info, v[i].len), v[i].want);
	/* Every first octet under 0xF0: exactly the documented ones. */
	for (unsigned b = 0; b < 256; b++) {
		uint8_t x = (uint8_t)b;
		enum radio_info_kind k = radio_info_classify(0xF0, &x, 1);
		enum radio_info_kind want = b == 42	     ? RADIO_INFO_BABEL
					    : b >> 4 == 4    ? RADIO_INFO_IPV4
					    : b >> 4 == 6    ? RADIO_INFO_IPV6
					    : b == 0xFB      ? RADIO_INFO_FRAGMENT
							     : RADIO_INFO_UNKNOWN;
		assert_int_equal(k, want);
	}
	assert_string_equal(radio_info_kind_str(RADIO_INFO_FRAGMENT), "fragment");
}

static void test_count_and_build_limits(void **state)
{
	(void)state;
	assert_int_equal(radio_frag_count(0, 256), 0);
	assert_int_equal(radio_frag_count(1281, 256), 0);
	assert_int_equal(radio_frag_count(256, 256), 1);
	assert_int_equal(radio_frag_count(257, 256), 2);
	assert_int_equal(radio_frag_count(1280, 256), 6); /* 249 per fragment */
	assert_int_equal(radio_frag_count(1280, 64), 23);
	assert_int_equal(radio_frag_count(1280, 32), 52);
	assert_int_equal(radio_frag_count(31, 31), 1);
	assert_int_equal(radio_frag_count(32, 31), 0);    /* too small to fragment */
	assert_int_equal(radio_frag_count(1280, 1280), 1);
	assert_int_equal(radio_frag_count(1280, 0), 0);

	uint8_t pkt[300] = { 0x45 }, out[300];
	uint8_t pid = 0;
	assert_int_equal(radio_frag_build(pkt, 100, 256, 1, 0, out, sizeof out, &pid), 100);
	assert_int_equal(pid, AX25_PID_IPV4);
	pkt[0] = 0x60;
	assert_int_equal(radio_frag_build(pkt, 100, 256, 1, 0, out, sizeof out, &pid), 100);
	assert_int_equal(pid, AX25_PID_NO_L3);
	assert_int_equal(radio_frag_build(pkt, 100, 256, 1, 0, out, 99, &pid), 0); /* cap */
	assert_int_equal(radio_frag_build(pkt, 300, 256, 1, 1, out, 40, &pid), 0); /* cap */
	pkt[0] = 0x2A; /* not IP */
	assert_int_equal(radio_frag_build(pkt, 100, 256, 1, 0, out, sizeof out, &pid), 0);
	pkt[0] = 0x45;
	/* A fragment of an IPv4 packet goes under 0xF0 with the documented header. */
	assert_int_equal(radio_frag_build(pkt, 300, 256, 0x1234, 1, out, sizeof out, &pid),
			 7 + 300 - 249);
	assert_int_equal(pid, AX25_PID_NO_L3);
	static const uint8_t hdr[7] = { 0xFB, 0x12, 0x34, 0x00, 249, 0x01, 0x2C };
	assert_memory_equal(out, hdr, 7);
}

/* Every size 1..1280 at paclen 64, 128, 256 (and 32, the smallest): whole
 * packets classify as IP, fragments reassemble in order. */
static void test_roundtrip_every_size(void **state)
{
	(void)state;
	static const size_t paclens[] = { 32, 64, 128, 256 };
	static struct frames f;
	static struct radio_reasm r;
	static uint8_t pkt[RADIO_FRAG_MTU], out[RADIO_FRAG_MTU];
	struct test_rng rng = { 1 };
	struct ax25_addr src = addr("F4ABC-7");
	uint16_t id = 0xFFF0; /* wraps on the way */
	for (size_t p = 0; p < sizeof paclens / sizeof paclens[0]; p++) {
		size_t paclen = paclens[p];
		radio_reasm_init(&r, NULL);
		size_t completed = 0, whole = 0;
		for (size_t len = 1; len <= RADIO_FRAG_MTU; len++) {
			int version = len % 2 ? 4 : 6;
			make_packet(&rng, pkt, len, version);
			split(pkt, len, paclen, id, &f);
			if (len <= paclen) {
				assert_int_equal(f.n, 1);
				assert_int_equal(radio_info_classify(f.pid[0], f.info[0], f.len[0]),
						 version == 4 ? RADIO_INFO_IPV4 : RADIO_INFO_IPV6);
				assert_memory_equal(f.info[0], pkt, len);
				whole++;
				continue;
			}
			assert_int_equal(f.n, (len + paclen - 8) / (paclen - 7));
			size_t out_len = 0;
			for (size_t i = 0; i < f.n; i++) {
				assert_int_equal(f.pid[i], AX25_PID_NO_L3);
				assert_int_equal(radio_info_classify(f.pid[i], f.info[i], f.len[i]),
						 RADIO_INFO_FRAGMENT);
				enum radio_reasm_result res = radio_reasm_input(
					&r, &src, f.info[i], f.len[i], len, out, sizeof out, &out_len);
				assert_int_equal(res, i + 1 < f.n ? RADIO_REASM_PENDING
								  : RADIO_REASM_COMPLETE);
			}
			assert_int_equal(out_len, len);
			assert_memory_equal(out, pkt, len);
			assert_int_equal(radio_reasm_pending(&r), 0);
			completed++;
			id++;
		}
		assert_int_equal(whole + completed, RADIO_FRAG_MTU);
		assert_int_equal(r.stats.result[RADIO_REASM_COMPLETE], completed);
		assert_int_equal(r.stats.timed_out + r.stats.evicted + r.stats.dropped_by_error, 0);
	}
}

/* Random order, duplicates, interleaved packets from two stations, and
 * losses that complete nothing and time out. */
static void test_reorder_duplicates_loss(void **state)
{
	(void)state;
	static struct frames f[2];
	static struct radio_reasm r;
	static uint8_t pkt[2][RADIO_FRAG_MTU], out[RADIO_FRAG_MTU];
	static const size_t paclens[] = { 64, 128, 256 };
	struct test_rng rng = { 7 };
	struct ax25_addr src[2] = { addr("F4ABC-7"), addr("F4ABC-8") };
	radio_reasm_init(&r, NULL);
	uint64_t now = 1000;
	size_t want_complete = 0, want_lost = 0;
	for (int round = 0; round < 600; round++) {
		size_t paclen = paclens[test_rng_below(&rng, 3)];
		size_t len[2];
		bool lose[2];
		/* Both stations use the same id: the key includes the source. */
		uint16_t id = (uint16_t)test_rng_below(&rng, 65536);
		for (int s = 0; s < 2; s++) {
			len[s] = paclen + 1 + test_rng_below(&rng, RADIO_FRAG_MTU - paclen);
			make_packet(&rng, pkt[s], len[s], s ? 6 : 4);
			split(pkt[s], len[s], paclen, id, &f[s]);
			lose[s] = test_rng_below(&rng, 4) == 0;
		}
		/* A schedule: each fragment once or twice, lost ones never. */
		size_t sched[4 * RADIO_FRAG_MAX_FRAGS][2], n = 0;
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < f[s].n; i++) {
				if (lose[s] && i == test_rng_below(&rng, (uint32_t)f[s].n))
					continue;
				size_t copies = 1 + (test_rng_below(&rng, 5) == 0);
				for (size_t c = 0; c < copies; c++) {
					sched[n][0] = (size_t)s;
					sched[n++][1] = i;
				}
			}
		for (size_t i = n; i > 1; i--) {
			size_t j = test_rng_below(&rng, (uint32_t)i);
			size_t t0 = sched[i - 1][0], t1 = sched[i - 1][1];
			sched[i - 1][0] = sched[j][0];
			sched[i - 1][1] = sched[j][1];
			sched[j][0] = t0;
			sched[j][1] = t1;
		}
		size_t got[2] = { 0, 0 };
		for (size_t k = 0; k < n; k++) {
			size_t s = sched[k][0], i = sched[k][1];
			size_t out_len = 0;
			enum radio_reasm_result res = radio_reasm_input(
				&r, &src[s], f[s].info[i], f[s].len[i], now, out, sizeof out, &out_len);
			assert_true(res == RADIO_REASM_PENDING || res == RADIO_REASM_COMPLETE ||
				    res == RADIO_REASM_DUPLICATE);
			if (res == RADIO_REASM_COMPLETE) {
				got[s]++;
				assert_int_equal(out_len, len[s]);
				assert_memory_equal(out, pkt[s], len[s]);
			}
			now += 10;
		}
		for (int s = 0; s < 2; s++) {
			/* lose[s] may have dropped nothing (the random index
			 * is drawn per fragment), so compare with what arrived. */
			size_t distinct = 0;
			for (size_t i = 0; i < f[s].n; i++) {
				bool seen = false;
				for (size_t k = 0; k < n && !seen; k++)
					seen = sched[k][0] == (size_t)s && sched[k][1] == i;
				distinct += seen;
			}
			bool whole = distinct == f[s].n;
			assert_int_equal(got[s], whole ? 1 : 0);
			want_complete += whole;
			want_lost += !whole && distinct > 0; /* none: no slot */
		}
		now += 60000; /* incomplete packets of this round time out */
		radio_reasm_expire(&r, now);
		assert_int_equal(radio_reasm_pending(&r), 0);
	}
	assert_int_equal(r.stats.result[RADIO_REASM_COMPLETE], want_complete);
	assert_int_equal(r.stats.timed_out, want_lost);
	assert_true(want_lost > 50 && want_complete > 500);
	assert_true(r.stats.result[RADIO_REASM_DUPLICATE] > 100);
	assert_int_equal(r.stats.evicted + r.stats.dropped_by_error, 0);
}

static void test_timeout_fake_clock(void **state)
{
	(void)state;
	static struct radio_reasm r;
	static struct frames f;
	uint8_t pkt[600], out[RADIO_FRAG_MTU];
	struct test_rng rng = { 3 };
	struct ax25_addr src = addr("N0CALL");
	struct radio_reasm_config cfg = { .timeout_ms = 30000 };
	radio_reasm_init(&r, &cfg);
	assert_int_equal(radio_reasm_next_deadline(&r), UINT64_MAX);
	make_packet(&rng, pkt, sizeof pkt, 6);
	split(pkt, sizeof pkt, 256, 9, &f);
	assert_int_equal(f.n, 3);
	size_t out_len;
	assert_int_equal(radio_reasm_input(&r, &src, f.info[0], f.len[0], 5000, out, sizeof out,
					   &out_len),
			 RADIO_REASM_PENDING);
	assert_int_equal(radio_reasm_next_deadline(&r), 35000);
	assert_int_equal(radio_reasm_input(&r, &src, f.info[1], f.len[1], 34999, out, sizeof out,
					   &out_len),
			 RADIO_REASM_PENDING);
	radio_reasm_expire(&r, 34999);
	assert_int_equal(radio_reasm_pending(&r), 1);
	/* The last fragment, on time: complete. */
	assert_int_equal(radio_reasm_input(&r, &src, f.info[2], f.len[2], 34999, out, sizeof out,
					   &out_len),
			 RADIO_REASM_COMPLETE);
	assert_memory_equal(out, pkt, sizeof pkt);

	/* Again with id 10, one fragment late: the packet is gone, the late
	 * fragment starts a new one that times out in turn. */
	split(pkt, sizeof pkt, 256, 10, &f);
	assert_int_equal(radio_reasm_input(&r, &src, f.info[0], f.len[0], 40000, out, sizeof out,
					   &out_len),
			 RADIO_REASM_PENDING);
	assert_int_equal(radio_reasm_input(&r, &src, f.info[1], f.len[1], 41000, out, sizeof out,
					   &out_len),
			 RADIO_REASM_PENDING);
	radio_reasm_expire(&r, 69999);
	assert_int_equal(radio_reasm_pending(&r), 1);
	assert_int_equal(r.stats.timed_out, 0);
	assert_int_equal(radio_reasm_input(&r, &src, f.info[2], f.len[2], 70000, out, sizeof out,
					   &out_len),
			 RADIO_REASM_PENDING);
	assert_int_equal(r.stats.timed_out, 1);
	assert_int_equal(radio_reasm_pending(&r), 1);
	assert_int_equal(radio_reasm_next_deadline(&r), 100000);
	radio_reasm_expire(&r, 100000);
	assert_int_equal(r.stats.timed_out, 2);
	assert_int_equal(radio_reasm_pending(&r), 0);
	assert_int_equal(radio_reasm_next_deadline(&r), UINT64_MAX);

	/* A duplicate of a completed packet's fragment is ignored while its
	 * completion is remembered, then starts afresh. */
	split(pkt, sizeof pkt, 256, 11, &f);
	for (size_t i = 0; i < 3; i++)
		radio_reasm_input(&r, &src, f.info[i], f.len[i], 200000, out, sizeof out, &out_len);
	assert_int_equal(r.stats.result[RADIO_REASM_COMPLETE], 2);
	assert_int_equal(radio_reasm_input(&r, &src, f.info[1], f.len[1], 229999, out, sizeof out,
					   &out_len),
			 RADIO_REASM_DUPLICATE);
	assert_int_equal(radio_reasm_pending(&r), 0);
	assert_int_equal(radio_reasm_input(&r, &src, f.info[1], f.len[1], 230000, out, sizeof out,
					   &out_len),
			 RADIO_REASM_PENDING);
}

/* Thousands of first fragments from many stations: memory stays within the
 * slots and the byte cap, the oldest go first, and a real packet still
 * gets through. */
static void test_flood_bounded(void **state)
{
	(void)state;
	static struct radio_reasm r;
	static struct frames f;
	uint8_t pkt[RADIO_FRAG_MTU], out[RADIO_FRAG_MTU];
	struct test_rng rng = { 11 };
	struct radio_reasm_config cfg = { .timeout_ms = 30000, .byte_cap = 4 * RADIO_FRAG_MTU };
	radio_reasm_init(&r, &cfg);
	char call[16];
	size_t floods = 5000;
	for (size_t i = 0; i < floods; i++) {
		snprintf(call, sizeof call, "F%zuX-%zu", i % 1000, i % 16);
		struct ax25_addr a = addr(call);
		size_t len = 300 + test_rng_below(&rng, RADIO_FRAG_MTU - 300 + 1);
		make_packet(&rng, pkt, len, 4);
		split(pkt, len, 128, (uint16_t)i, &f);
		size_t out_len;
		assert_int_equal(radio_reasm_input(&r, &a, f.info[0], f.len[0], 1000 + i, out,
						   sizeof out, &out_len),
				 RADIO_REASM_PENDING);
		assert_true(radio_reasm_pending(&r) <= RADIO_REASM_SLOTS);
		assert_true(r.bytes <= cfg.byte_cap);
		uint32_t sum = 0;
		for (size_t s = 0; s < RADIO_REASM_SLOTS; s++)
			sum += r.slot[s].used ? r.slot[s].total : 0;
		assert_int_equal(sum, r.bytes);
	}
	assert_true(r.stats.evicted >= floods - RADIO_REASM_SLOTS);
	assert_int_equal(r.stats.evicted + radio_reasm_pending(&r), floods);
	/* The survivors are the newest. */
	for (size_t s = 0; s < RADIO_REASM_SLOTS; s++)
		if (r.slot[s].used)
			assert_true(r.slot[s].start_ms >= 1000 + floods - RADIO_REASM_SLOTS);

	/* Default config: all 16 slots may fill with small packets. */
	radio_reasm_init(&r, NULL);
	for (size_t i = 0; i < 100; i++) {
		snprintf(call, sizeof call, "G%zu", i);
		struct ax25_addr a = addr(call);
		make_packet(&rng, pkt, 200, 6);
		split(pkt, 200, 64, 1, &f);
		size_t out_len;
		radio_reasm_input(&r, &a, f.info[0], f.len[0], i, out, sizeof out, &out_len);
	}
	assert_int_equal(radio_reasm_pending(&r), RADIO_REASM_SLOTS);
	assert_int_equal(r.stats.evicted, 100 - RADIO_REASM_SLOTS);

	/* A legitimate packet in the middle of the flood. */
	struct ax25_addr me = addr("F4ABC-7");
	make_packet(&rng, pkt, 1000, 4);
	split(pkt, 1000, 256, 77, &f);
	size_t out_len = 0;
	enum radio_reasm_result res = RADIO_REASM_PENDING;
	for (size_t i = 0; i < f.n; i++)
		res = radio_reasm_input(&r, &me, f.info[i], f.len[i], 500, out, sizeof out, &out_len);
	assert_int_equal(res, RADIO_REASM_COMPLETE);
	assert_memory_equal(out, pkt, 1000);
}

static size_t frag(uint8_t *buf, uint16_t id, uint16_t off, uint16_t total, const uint8_t *data,
		   size_t len)
{
	buf[0] = RADIO_FRAG_MAGIC;
	buf[1] = (uint8_t)(id >> 8);
	buf[2] = (uint8_t)id;
	buf[3] = (uint8_t)(off >> 8);
	buf[4] = (uint8_t)off;
	buf[5] = (uint8_t)(total >> 8);
	buf[6] = (uint8_t)total;
	memcpy(buf + 7, data, len);
	return 7 + len;
}

static void test_malformed(void **state)
{
	(void)state;
	static struct radio_reasm r;
	uint8_t buf[RADIO_FRAG_MTU + 8], out[RADIO_FRAG_MTU], data[RADIO_FRAG_MTU];
	size_t out_len, n;
	struct ax25_addr a = addr("F4ABC");
	memset(data, 0x60, sizeof data);
	radio_reasm_init(&r, NULL);
#define IN(b, l) radio_reasm_input(&r, &a, (b), (l), 0, out, sizeof out, &out_len)

	/* Short: header only, or less. */
	n = frag(buf, 1, 0, 10, data, 0);
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_SHORT);
	assert_int_equal(IN(buf, 3), RADIO_REASM_ERR_SHORT);
	assert_int_equal(IN(buf, 0), RADIO_REASM_ERR_SHORT);
	/* Not a fragment. */
	n = frag(buf, 1, 0, 10, data, 5);
	buf[0] = 0x60;
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_MAGIC);
	/* Totals out of range. */
	n = frag(buf, 1, 0, 0, data, 5);
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_TOTAL);
	n = frag(buf, 1, 0, RADIO_FRAG_MTU + 1, data, 5);
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_TOTAL);
	n = frag(buf, 1, 0, 0xFFFF, data, 5);
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_TOTAL);
	/* Past the total. */
	n = frag(buf, 1, 8, 10, data, 5);
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_RANGE);
	n = frag(buf, 1, 0xFFFF, 10, data, 5);
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_RANGE);
	n = frag(buf, 1, 0, 10, data, 11);
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_RANGE);
	assert_int_equal(radio_reasm_pending(&r), 0);

	/* Totals that disagree: the packet is dropped. */
	n = frag(buf, 2, 0, 100, data, 50);
	assert_int_equal(IN(buf, n), RADIO_REASM_PENDING);
	n = frag(buf, 2, 50, 101, data, 50);
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_MISMATCH);
	assert_int_equal(radio_reasm_pending(&r), 0);

	/* Overlap: same octets are fine (partly new: pending; nothing new:
	 * duplicate), different octets drop the packet. */
	n = frag(buf, 3, 0, 100, data, 50);
	assert_int_equal(IN(buf, n), RADIO_REASM_PENDING);
	n = frag(buf, 3, 40, 100, data, 20);
	assert_int_equal(IN(buf, n), RADIO_REASM_PENDING);
	n = frag(buf, 3, 10, 100, data, 20);
	assert_int_equal(IN(buf, n), RADIO_REASM_DUPLICATE);
	uint8_t other[20];
	memset(other, 0x61, sizeof other);
	n = frag(buf, 3, 55, 100, other, 20);
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_OVERLAP);
	assert_int_equal(radio_reasm_pending(&r), 0);

	/* Too many fragments: one octet at a time. */
	for (uint16_t i = 0; i < RADIO_FRAG_MAX_FRAGS; i++) {
		n = frag(buf, 4, i, 200, data, 1);
		assert_int_equal(IN(buf, n), RADIO_REASM_PENDING);
	}
	n = frag(buf, 4, RADIO_FRAG_MAX_FRAGS, 200, data, 1);
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_TOO_MANY);
	assert_int_equal(radio_reasm_pending(&r), 0);

	/* Complete but not IP. */
	uint8_t junk[20];
	memset(junk, 0x2A, sizeof junk);
	n = frag(buf, 5, 0, 40, junk, 20);
	assert_int_equal(IN(buf, n), RADIO_REASM_PENDING);
	n = frag(buf, 5, 20, 40, junk, 20);
	assert_int_equal(IN(buf, n), RADIO_REASM_ERR_NOT_IP);
	/* ... and its late duplicate is recognised as one. */
	assert_int_equal(IN(buf, n), RADIO_REASM_DUPLICATE);

	/* No room in out. */
	n = frag(buf, 6, 0, 40, data, 20);
	assert_int_equal(IN(buf, n), RADIO_REASM_PENDING);
	n = frag(buf, 6, 20, 40, data, 20);
	assert_int_equal(radio_reasm_input(&r, &a, buf, n, 0, out, 39, &out_len),
			 RADIO_REASM_ERR_NO_ROOM);
	/* A single fragment carrying the whole packet is accepted. */
	n = frag(buf, 7, 0, 40, data, 40);
	assert_int_equal(IN(buf, n), RADIO_REASM_COMPLETE);
	assert_int_equal(out_len, 40);
#undef IN

	assert_int_equal(radio_reasm_pending(&r), 0);
	assert_int_equal(r.bytes, 0);
	assert_int_equal(r.stats.result[RADIO_REASM_ERR_SHORT], 3);
	assert_int_equal(r.stats.result[RADIO_REASM_ERR_MAGIC], 1);
	assert_int_equal(r.stats.result[RADIO_REASM_ERR_TOTAL], 3);
	assert_int_equal(r.stats.result[RADIO_REASM_ERR_RANGE], 3);
	assert_int_equal(r.stats.result[RADIO_REASM_ERR_MISMATCH], 1);
	assert_int_equal(r.stats.result[RADIO_REASM_ERR_OVERLAP], 1);
	assert_int_equal(r.stats.result[RADIO_REASM_ERR_TOO_MANY], 1);
	assert_int_equal(r.stats.result[RADIO_REASM_ERR_NOT_IP], 1);
	assert_int_equal(r.stats.result[RADIO_REASM_ERR_NO_ROOM], 1);
	assert_int_equal(r.stats.result[RADIO_REASM_DUPLICATE], 2);
	assert_int_equal(r.stats.result[RADIO_REASM_COMPLETE], 1);
	assert_int_equal(r.stats.dropped_by_error, 5);
	for (int i = 0; i < RADIO_REASM_RESULT_COUNT; i++)
		assert_string_not_equal(radio_reasm_result_str((enum radio_reasm_result)i), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_count_and_build_limits),
		cmocka_unit_test(test_roundtrip_every_size),
		cmocka_unit_test(test_reorder_duplicates_loss),
		cmocka_unit_test(test_timeout_fake_clock),
		cmocka_unit_test(test_flood_bounded),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
