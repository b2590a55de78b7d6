/* Callsign-SSID <-> IPv6 link-local: known addresses, both directions over
 * every SSID and random callsigns, and refusal of every address that was
 * not made from a callsign. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/callsign_ll.h"
#include "tests/lib/rng.h"

static struct ax25_addr addr(const char *text)
{
	struct ax25_addr a;
	assert_int_equal(ax25_addr_parse(text, strlen(text), &a), AX25_OK);
	return a;
}

/* fe80::4634:4142:4320:7 */
static const uint8_t ll_f4abc_7[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
					'F', '4', 'A', 'B', 'C', ' ', 0x00, 7 };
/* fe80::4241:4245:4c20:0 */
static const uint8_t ll_babel[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
				      0x42, 0x41, 0x42, 0x45, 0x4c, 0x20, 0x00, 0x00 };

static void test_known_addresses(void **state)
{
	uint8_t ll[16];
	struct ax25_addr a = addr("F4ABC-7");
	assert_int_equal(callsign_to_ll(&a, ll), AX25_OK);
	assert_memory_equal(ll, ll_f4abc_7, 16);
	a = addr("BABEL");
	assert_int_equal(callsign_to_ll(&a, ll), AX25_OK);
	assert_memory_equal(ll, ll_babel, 16);
	a = addr("N0CALL-15");
	assert_int_equal(callsign_to_ll(&a, ll), AX25_OK);
	static const uint8_t want[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
					  'N', '0', 'C', 'A', 'L', 'L', 0x00, 15 };
	assert_memory_equal(ll, want, 16);

	struct ax25_addr back;
	assert_int_equal(callsign_from_ll(ll_f4abc_7, &back), AX25_OK);
	assert_string_equal(back.call, "F4ABC");
	assert_int_equal(back.ssid, 7);
	assert_int_equal(callsign_from_ll(ll_babel, &back), AX25_OK);
	assert_string_equal(back.call, "BABEL");
	assert_int_equal(back.ssid, 0);
}

static void test_every_ssid(void **state)
{
	for (uint8_t s = 0; s <= 15; s++) {
		struct ax25_addr a = addr("A1"), back;
		a.ssid = s;
		uint8_t ll[16];
		assert_int_equal(callsign_to_ll(&a, ll), AX25_OK);
		assert_int_equal(ll[15], s);
		assert_int_equal(callsign_from_ll(ll, &back), AX25_OK);
		assert_true(ax25_addr_equal(&a, &back));
	}
}

static void test_invalid_callsign_refused(void **state)
{
	uint8_t ll[16];
	struct ax25_addr a = addr("F4ABC");
	a.ssid = 16;
	assert_int_equal(callsign_to_ll(&a, ll), AX25_ERR_SSID_RANGE);
	a = addr("F4ABC");
	a.call[0] = 'f';
	assert_int_equal(callsign_to_ll(&a, ll), AX25_ERR_CALL_LOWERCASE);
	a.call[0] = '\0';
	assert_int_equal(callsign_to_ll(&a, ll), AX25_ERR_CALL_EMPTY);
}

static void test_reverse_refuses(void **state)
{
	static const struct { size_t at; uint8_t v; enum ax25_reason r; } c[] = {
		{ 0, 0x20, AX25_ERR_LL_PREFIX },  /* 2001:... */
		{ 0, 0xff, AX25_ERR_LL_PREFIX },  /* multicast */
		{ 1, 0x81, AX25_ERR_LL_PREFIX },  /* fe81:: */
		{ 1, 0xc0, AX25_ERR_LL_PREFIX },  /* fec0:: site-local */
		{ 2, 0x01, AX25_ERR_LL_PREFIX },  /* fe80:1:: is not in fe80::/64 */
		{ 7, 0x01, AX25_ERR_LL_PREFIX },
		{ 14, 0x01, AX25_ERR_LL_MARKER },
		{ 14, 0x20, AX25_ERR_LL_MARKER },
		{ 14, 0xff, AX25_ERR_LL_MARKER },
		{ 15, 16, AX25_ERR_SSID_RANGE },
		{ 15, 0xff, AX25_ERR_SSID_RANGE },
		{ 8, 'f', AX25_ERR_CALL_LOWERCASE },
		{ 8, ' ', AX25_ERR_CALL_PADDING },  /* " 4ABC " */
		{ 10, ' ', AX25_ERR_CALL_PADDING }, /* "F4 BC " */
		{ 13, 'X', AX25_OK },               /* "F4ABCX": six characters */
		{ 9, 0x00, AX25_ERR_CALL_CHAR },
		{ 9, '-', AX25_ERR_CALL_CHAR },
		{ 13, 0x00, AX25_ERR_CALL_CHAR }, /* a NUL where padding goes */
		{ 13, 0x80, AX25_ERR_CALL_CHAR },
		{ 12, ' ', AX25_OK },                /* "F4AB  " */
		{ 9, 0xc2, AX25_ERR_CALL_CHAR },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		uint8_t ll[16];
		memcpy(ll, ll_f4abc_7, 16);
		ll[c[i].at] = c[i].v;
		struct ax25_addr a = { "KEEP", 1 };
		enum ax25_reason r = callsign_from_ll(ll, &a);
		if (r != c[i].r)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, ax25_reason_str(r),
				 ax25_reason_str(c[i].r));
		if (r != AX25_OK)
			assert_string_equal(a.call, "KEEP");
	}
	/* All-padding interface identifier, and common addresses. */
	uint8_t ll[16];
	struct ax25_addr a;
	memcpy(ll, ll_babel, 16);
	memset(ll + 8, ' ', 6);
	assert_int_equal(callsign_from_ll(ll, &a), AX25_ERR_CALL_EMPTY);
	static const uint8_t eui64[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
					   0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 };
	assert_int_not_equal(callsign_from_ll(eui64, &a), AX25_OK);
	static const uint8_t ll_one[16] = { 0xfe, 0x80, [15] = 1 };
	assert_int_not_equal(callsign_from_ll(ll_one, &a), AX25_OK);
	static const uint8_t zero[16] = { 0 };
	assert_int_equal(callsign_from_ll(zero, &a), AX25_ERR_LL_PREFIX);
}

#define ROUNDS 5000

/* Both ways over random callsigns; then random interface identifiers: any
 * that decodes must be exactly what its callsign encodes to (one to one). */
static void test_random_bijection(void **state)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct test_rng rng = { 0x11 };
	for (int i = 0; i < ROUNDS; i++) {
		struct ax25_addr a, back;
		memset(&a, 0, sizeof a);
		size_t n = 1 + test_rng_below(&rng, AX25_CALL_MAX);
		for (size_t j = 0; j < n; j++)
			a.call[j] = chars[test_rng_below(&rng, sizeof chars - 1)];
		a.ssid = (uint8_t)test_rng_below(&rng, 16);
		uint8_t ll[16];
		assert_int_equal(callsign_to_ll(&a, ll), AX25_OK);
		assert_int_equal(callsign_from_ll(ll, &back), AX25_OK);
		assert_true(ax25_addr_equal(&a, &back));
	}
	unsigned ok = 0;
	for (int i = 0; i < ROUNDS * 20; i++) {
		uint8_t ll[16], again[16];
		memcpy(ll, ll_babel, 8);
		for (size_t j = 8; j < 16; j++) {
			/* Mostly plausible bytes, so that some decode. */
			uint32_t k = test_rng_below(&rng, 8);
			ll[j] = k == 0   ? (uint8_t)test_rng_below(&rng, 256)
				: k == 1 ? ' '
					 : (uint8_t)chars[test_rng_below(&rng, sizeof chars - 1)];
		}
		ll[14] = test_rng_below(&rng, 4) ? 0 : ll[14];
		ll[15] = test_rng_below(&rng, 4) ? (uint8_t)test_rng_below(&rng, 16) : ll[15];
		struct ax25_addr a;
		if (callsign_from_ll(ll, &a) != AX25_OK)
			continue;
		ok++;
		assert_int_equal(callsign_to_ll(&a, again), AX25_OK);
		assert_memory_equal(ll, again, 16);
	}
	assert_true(ok > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_addresses),
		cmocka_unit_test(test_every_ssid),
		cmocka_unit_test(test_invalid_callsign_refused),
		cmocka_unit_test(test_reverse_refuses),
		cmocka_unit_test(test_random_bijection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
