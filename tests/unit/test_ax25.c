/* AX.25 UI codec: known answers written by hand from the address-field
 * encoding of the AX.25 specification, every rejection reason, and seeded
 * random round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/ax25.h"
#include "tests/lib/rng.h"

/* F4ABC-7 -> BABEL, UI command, PID 0xF0, info "hi".
 *   BABEL:   'B'<<1=84 'A'=82 'B'=84 'E'=8a 'L'=98 ' '=40, SSID octet
 *            C=1 RR=11 SSID=0 ext=0 -> e0
 *   F4ABC-7: 'F'=8c '4'=68 'A'=82 'B'=84 'C'=86 ' '=40, SSID octet
 *            C=0 RR=11 SSID=7 ext=1 -> 6f */
static const uint8_t kat_plain[] = {
	0x84, 0x82, 0x84, 0x8a, 0x98, 0x40, 0xe0,
	0x8c, 0x68, 0x82, 0x84, 0x86, 0x40, 0x6f,
	0x03, 0xf0, 'h', 'i',
};

/* F4ABC-7 -> BABEL via RELAY, WIDE2-2 (already repeated), PID 0xCC.
 *   source SSID octet now has ext=0 -> 6e
 *   RELAY:   a4 8a 98 82 b2 40, H=0 RR=11 SSID=0 ext=0 -> 60
 *   WIDE2-2: ae 92 88 8a 64 40, H=1 RR=11 SSID=2 ext=1 -> e5 */
static const uint8_t kat_digis[] = {
	0x84, 0x82, 0x84, 0x8a, 0x98, 0x40, 0xe0,
	0x8c, 0x68, 0x82, 0x84, 0x86, 0x40, 0x6e,
	0xa4, 0x8a, 0x98, 0x82, 0xb2, 0x40, 0x60,
	0xae, 0x92, 0x88, 0x8a, 0x64, 0x40, 0xe5,
	0x03, 0xcc, 0x45, 0x00,
};

/* The specification's own example addresses: NJ7P (destination, SSID 0)
 * and N7LEM (source, SSID 0), as a v2 command. */
static const uint8_t kat_spec[] = {
	0x9c, 0x94, 0x6e, 0xa0, 0x40, 0x40, 0xe0,
	0x9c, 0x6e, 0x98, 0x8a, 0x9a, 0x40, 0x61,
	0x03, 0xf0,
};

/* An APRS frame from an old TNC, VK4TEC>APU25N,RELAY,WIDE: both C bits 0
 * (pre-v2 C/R), two digipeaters, info a single CR. */
static const uint8_t kat_aprs_v1[] = {
	0x82, 0xa0, 0xaa, 0x64, 0x6a, 0x9c, 0x60,
	0xac, 0x96, 0x68, 0xa8, 0x8a, 0x86, 0x60,
	0xa4, 0x8a, 0x98, 0x82, 0xb2, 0x40, 0x60,
	0xae, 0x92, 0x88, 0x8a, 0x40, 0x40, 0x61,
	0x03, 0xf0, 0x0d,
};

static struct ax25_addr addr(const char *text)
{
	struct ax25_addr a;
	assert_int_equal(ax25_addr_parse(text, strlen(text), &a), AX25_OK);
	return a;
}

static void assert_addr(const struct ax25_addr *a, const char *text)
{
	char buf[AX25_ADDR_TEXT_MAX];
	ax25_addr_format(a, buf, sizeof buf);
	assert_string_equal(buf, text);
}

static struct ax25_ui ui_plain(void)
{
	struct ax25_ui ui;
	memset(&ui, 0, sizeof ui); /* zero: command C/R, no P/F, no digis */
	ui.dst = addr("BABEL");
	ui.src = addr("F4ABC-7");
	ui.pid = AX25_PID_NO_L3;
	ui.info = (const uint8_t *)"hi";
	ui.info_len = 2;
	return ui;
}

/* ---------------------------------------------------------------- known answers */

static void test_kat_plain_encode(void **state)
{
	struct ax25_ui ui = ui_plain();
	uint8_t buf[64];
	size_t need;
	assert_int_equal(ax25_ui_encode(&ui, AX25_PACLEN_DEFAULT, buf, sizeof buf, &need), AX25_OK);
	assert_int_equal(need, sizeof kat_plain);
	assert_memory_equal(buf, kat_plain, sizeof kat_plain);
}

static void test_kat_plain_decode(void **state)
{
	struct ax25_ui ui;
	assert_int_equal(ax25_ui_decode(kat_plain, sizeof kat_plain, &ui), AX25_OK);
	assert_addr(&ui.dst, "BABEL");
	assert_addr(&ui.src, "F4ABC-7");
	assert_int_equal(ui.ndigi, 0);
	assert_int_equal(ui.cr, AX25_CR_COMMAND);
	assert_false(ui.pf);
	assert_false(ui.rr_nonstandard);
	assert_int_equal(ui.pid, 0xf0);
	assert_int_equal(ui.info_len, 2);
	assert_ptr_equal(ui.info, kat_plain + 16);
}

static void test_kat_digis_encode(void **state)
{
	struct ax25_ui ui = ui_plain();
	ui.ndigi = 2;
	ui.digi[0].addr = addr("RELAY");
	ui.digi[1].addr = addr("WIDE2-2");
	ui.digi[1].repeated = true;
	ui.pid = AX25_PID_IPV4;
	ui.info = (const uint8_t *)"\x45\x00";
	uint8_t buf[64];
	size_t need;
	assert_int_equal(ax25_ui_encode(&ui, AX25_PACLEN_DEFAULT, buf, sizeof buf, &need), AX25_OK);
	assert_int_equal(need, sizeof kat_digis);
	assert_memory_equal(buf, kat_digis, sizeof kat_digis);
}

static void test_kat_digis_decode(void **state)
{
	struct ax25_ui ui;
	assert_int_equal(ax25_ui_decode(kat_digis, sizeof kat_digis, &ui), AX25_OK);
	assert_int_equal(ui.ndigi, 2);
	assert_addr(&ui.digi[0].addr, "RELAY");
	assert_false(ui.digi[0].repeated);
	assert_addr(&ui.digi[1].addr, "WIDE2-2");
	assert_true(ui.digi[1].repeated);
	assert_int_equal(ui.pid, 0xcc);
	assert_int_equal(ui.info_len, 2);
}

static void test_kat_spec_example(void **state)
{
	struct ax25_ui ui;
	assert_int_equal(ax25_ui_decode(kat_spec, sizeof kat_spec, &ui), AX25_OK);
	assert_addr(&ui.dst, "NJ7P");
	assert_addr(&ui.src, "N7LEM");
	assert_int_equal(ui.cr, AX25_CR_COMMAND);
	assert_int_equal(ui.info_len, 0);
	uint8_t buf[32];
	size_t need;
	assert_int_equal(ax25_ui_encode(&ui, 0, buf, sizeof buf, &need), AX25_OK);
	assert_int_equal(need, sizeof kat_spec);
	assert_memory_equal(buf, kat_spec, sizeof kat_spec);
}

static void test_kat_aprs_v1(void **state)
{
	struct ax25_ui ui;
	assert_int_equal(ax25_ui_decode(kat_aprs_v1, sizeof kat_aprs_v1, &ui), AX25_OK);
	assert_addr(&ui.dst, "APU25N");
	assert_addr(&ui.src, "VK4TEC");
	assert_int_equal(ui.cr, AX25_CR_V1_00);
	assert_int_equal(ui.ndigi, 2);
	assert_addr(&ui.digi[0].addr, "RELAY");
	assert_addr(&ui.digi[1].addr, "WIDE");
	assert_int_equal(ui.info_len, 1);
	assert_int_equal(ui.info[0], 0x0d);
	/* Re-encoding with the reported C/R gives the same bytes. */
	uint8_t buf[64];
	size_t need;
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, &need), AX25_OK);
	assert_memory_equal(buf, kat_aprs_v1, sizeof kat_aprs_v1);
}

/* ---------------------------------------------------------------- decode cases */

static void copy_plain(uint8_t *f)
{
	memcpy(f, kat_plain, sizeof kat_plain);
}

static enum ax25_reason decode(const uint8_t *f, size_t len)
{
	struct ax25_ui ui;
	return ax25_ui_decode(f, len, &ui);
}

static void test_cr_combinations(void **state)
{
	static const struct { uint8_t d, s; enum ax25_cr cr; } c[] = {
		{ 0x80, 0x00, AX25_CR_COMMAND },
		{ 0x00, 0x80, AX25_CR_RESPONSE },
		{ 0x00, 0x00, AX25_CR_V1_00 },
		{ 0x80, 0x80, AX25_CR_V1_11 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		uint8_t f[sizeof kat_plain];
		copy_plain(f);
		f[6] = (uint8_t)((f[6] & 0x7f) | c[i].d);
		f[13] = (uint8_t)((f[13] & 0x7f) | c[i].s);
		struct ax25_ui ui;
		assert_int_equal(ax25_ui_decode(f, sizeof f, &ui), AX25_OK);
		assert_int_equal(ui.cr, c[i].cr);
		uint8_t out[64];
		size_t need;
		assert_int_equal(ax25_ui_encode(&ui, 256, out, sizeof out, &need), AX25_OK);
		assert_memory_equal(out, f, sizeof f);
	}
}

static void test_pf_accepted(void **state)
{
	uint8_t f[sizeof kat_plain];
	copy_plain(f);
	f[14] = 0x13;
	struct ax25_ui ui;
	assert_int_equal(ax25_ui_decode(f, sizeof f, &ui), AX25_OK);
	assert_true(ui.pf);
	uint8_t out[64];
	size_t need;
	assert_int_equal(ax25_ui_encode(&ui, 256, out, sizeof out, &need), AX25_OK);
	assert_int_equal(out[14], 0x13);
}

static void test_reserved_bits_accepted(void **state)
{
	uint8_t f[sizeof kat_plain];
	copy_plain(f);
	f[13] &= (uint8_t)~0x60; /* source reserved bits 00, as DAMA stacks may */
	struct ax25_ui ui;
	assert_int_equal(ax25_ui_decode(f, sizeof f, &ui), AX25_OK);
	assert_true(ui.rr_nonstandard);
	assert_int_equal(ui.src.ssid, 7);
	/* We transmit them as 11. */
	uint8_t out[64];
	size_t need;
	assert_int_equal(ax25_ui_encode(&ui, 256, out, sizeof out, &need), AX25_OK);
	assert_memory_equal(out, kat_plain, sizeof kat_plain);
}

static void test_not_ui_ignored(void **state)
{
	/* I frame, RR, RNR, REJ, SABM, DISC, DM, UA, FRMR, XID, TEST, SABME */
	static const uint8_t ctl[] = { 0x00, 0x10, 0x22, 0x01, 0x05, 0x09, 0x2f, 0x3f,
				       0x43, 0x0f, 0x1f, 0x63, 0x87, 0xaf, 0xe3, 0x6f };
	for (size_t i = 0; i < sizeof ctl; i++) {
		uint8_t f[sizeof kat_plain];
		copy_plain(f);
		f[14] = ctl[i];
		enum ax25_reason r = decode(f, sizeof f);
		assert_int_equal(r, AX25_NOT_UI);
		assert_int_equal(ax25_reason_verdict(r), AX25_VERDICT_IGNORE);
	}
}

static void test_lengths(void **state)
{
	for (size_t len = 0; len < 14; len++)
		assert_int_equal(decode(kat_plain, len), AX25_ERR_ADDR_TRUNCATED);
	assert_int_equal(decode(kat_plain, 14), AX25_ERR_NO_CONTROL);
	assert_int_equal(decode(kat_plain, 15), AX25_ERR_NO_PID);
	assert_int_equal(decode(kat_plain, 16), AX25_OK);
	/* Source says "more addresses follow" but the frame ends. */
	for (size_t len = 14; len < 28; len++)
		assert_int_equal(decode(kat_digis, len), AX25_ERR_ADDR_TRUNCATED);
	assert_int_equal(decode(kat_digis, 28), AX25_ERR_NO_CONTROL);
	assert_int_equal(decode(kat_digis, 29), AX25_ERR_NO_PID);
	assert_int_equal(decode(NULL, 0), AX25_ERR_ADDR_TRUNCATED);
}

static void test_ext_bit_in_callsign(void **state)
{
	static const size_t at[] = { 0, 5, 7, 12, 14, 19, 21, 26 };
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		uint8_t f[sizeof kat_digis];
		memcpy(f, kat_digis, sizeof f);
		f[at[i]] |= 1;
		assert_int_equal(decode(f, sizeof f), AX25_ERR_ADDR_EXT_IN_CALL);
	}
}

static void test_ext_bit_after_destination(void **state)
{
	uint8_t f[sizeof kat_plain];
	copy_plain(f);
	f[6] |= 1;
	assert_int_equal(decode(f, sizeof f), AX25_ERR_ADDR_END_EARLY);
}

/* Builds "F4ABC-7 > BABEL via n x RELAY" with the ext bit on the last. */
static size_t frame_with_digis(uint8_t *f, size_t n)
{
	static const uint8_t relay[] = { 0xa4, 0x8a, 0x98, 0x82, 0xb2, 0x40, 0x60 };
	memcpy(f, kat_plain, 14);
	f[13] &= (uint8_t)~1;
	size_t len = 14;
	for (size_t i = 0; i < n; i++, len += 7)
		memcpy(f + len, relay, 7);
	f[len - 1] |= 1;
	f[len++] = 0x03;
	f[len++] = 0xf0;
	return len;
}

static void test_digi_count(void **state)
{
	uint8_t f[128];
	for (size_t n = 1; n <= AX25_DIGI_MAX; n++) {
		struct ax25_ui ui;
		size_t len = frame_with_digis(f, n);
		assert_int_equal(ax25_ui_decode(f, len, &ui), AX25_OK);
		assert_int_equal(ui.ndigi, n);
	}
	size_t len = frame_with_digis(f, AX25_DIGI_MAX + 1);
	assert_int_equal(decode(f, len), AX25_ERR_TOO_MANY_DIGIS);
	/* Nine addresses without an end at all: still "too many". */
	len = frame_with_digis(f, AX25_DIGI_MAX + 2);
	f[len - 3] &= (uint8_t)~1;
	assert_int_equal(decode(f, len), AX25_ERR_TOO_MANY_DIGIS);
}

static void put_call(uint8_t *f, const char six[6])
{
	for (size_t i = 0; i < 6; i++)
		f[i] = (uint8_t)((uint8_t)six[i] << 1);
}

static void test_callsign_content(void **state)
{
	static const struct { const char *six; enum ax25_reason r; } c[] = {
		{ "      ", AX25_ERR_CALL_EMPTY },
		{ "F4 ABC", AX25_ERR_CALL_PADDING },
		{ " F4ABC", AX25_ERR_CALL_PADDING },
		{ "F4ABC!", AX25_ERR_CALL_CHAR },
		{ "F4-ABC", AX25_ERR_CALL_CHAR },
		{ "F4abc ", AX25_ERR_CALL_LOWERCASE },
		{ "F4ABC\0", AX25_ERR_CALL_CHAR },
		{ "F4ABCD", AX25_OK },
		{ "Z9    ", AX25_OK },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		for (size_t which = 0; which < 4; which++) {
			uint8_t f[sizeof kat_digis];
			memcpy(f, kat_digis, sizeof f);
			put_call(f + 7 * which, c[i].six);
			assert_int_equal(decode(f, sizeof f), c[i].r);
		}
	}
}

static void test_every_ssid(void **state)
{
	for (unsigned s = 0; s <= 15; s++) {
		uint8_t f[sizeof kat_plain];
		copy_plain(f);
		f[13] = (uint8_t)(0x61 | s << 1);
		struct ax25_ui ui;
		assert_int_equal(ax25_ui_decode(f, sizeof f, &ui), AX25_OK);
		assert_int_equal(ui.src.ssid, s);
	}
}

/* ---------------------------------------------------------------- encode cases */

static void test_encode_paclen(void **state)
{
	static uint8_t info[300];
	uint8_t buf[400];
	size_t need;
	struct ax25_ui ui = ui_plain();
	ui.info = info;
	ui.info_len = 256;
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, &need), AX25_OK);
	assert_int_equal(need, 16 + 256);
	ui.info_len = 257;
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, &need), AX25_ERR_PACLEN);
	assert_int_equal(ax25_ui_encode(&ui, 300, buf, sizeof buf, &need), AX25_OK);
	ui.info_len = 0;
	assert_int_equal(ax25_ui_encode(&ui, 0, buf, sizeof buf, &need), AX25_OK);
	assert_int_equal(need, 16);
}

static void test_encode_no_room(void **state)
{
	struct ax25_ui ui = ui_plain();
	uint8_t buf[sizeof kat_plain];
	size_t need = 0;
	for (size_t cap = 0; cap < sizeof kat_plain; cap++) {
		assert_int_equal(ax25_ui_encode(&ui, 256, buf, cap, &need), AX25_ERR_NO_ROOM);
		assert_int_equal(need, sizeof kat_plain);
	}
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, NULL), AX25_OK);
	assert_memory_equal(buf, kat_plain, sizeof kat_plain);
}

static void test_encode_bad_struct(void **state)
{
	uint8_t buf[128];
	size_t need;
	struct ax25_ui ui = ui_plain();
	ui.ndigi = AX25_DIGI_MAX + 1;
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, &need), AX25_ERR_TOO_MANY_DIGIS);

	ui = ui_plain();
	ui.src.ssid = 16;
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, &need), AX25_ERR_SSID_RANGE);

	ui = ui_plain();
	ui.dst.call[0] = '\0';
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, &need), AX25_ERR_CALL_EMPTY);

	ui = ui_plain();
	memcpy(ui.dst.call, "ABCDEFG", 7); /* no NUL within 7 */
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, &need), AX25_ERR_CALL_TOO_LONG);

	ui = ui_plain();
	strcpy(ui.src.call, "f4abc");
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, &need), AX25_ERR_CALL_LOWERCASE);

	ui = ui_plain();
	ui.ndigi = 1;
	strcpy(ui.digi[0].addr.call, "WI DE");
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, &need), AX25_ERR_CALL_CHAR);

	ui = ui_plain();
	ui.cr = (enum ax25_cr)7;
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, &need), AX25_ERR_INVALID);

	ui = ui_plain();
	ui.info = NULL;
	assert_int_equal(ax25_ui_encode(&ui, 256, buf, sizeof buf, &need), AX25_ERR_INVALID);
	assert_int_equal(need, 0);
}

/* ---------------------------------------------------------------- text */

static void test_parse_good(void **state)
{
	static const struct { const char *text, *call; uint8_t ssid; const char *canon; } c[] = {
		{ "F4ABC-7", "F4ABC", 7, "F4ABC-7" },
		{ "BABEL", "BABEL", 0, "BABEL" },
		{ "BABEL-0", "BABEL", 0, "BABEL" },
		{ "N0CALL-15", "N0CALL", 15, "N0CALL-15" },
		{ "A", "A", 0, "A" },
		{ "9-10", "9", 10, "9-10" },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct ax25_addr a;
		assert_int_equal(ax25_addr_parse(c[i].text, strlen(c[i].text), &a), AX25_OK);
		assert_string_equal(a.call, c[i].call);
		assert_int_equal(a.ssid, c[i].ssid);
		assert_addr(&a, c[i].canon);
	}
}

static void test_parse_bad(void **state)
{
	static const struct { const char *text; enum ax25_reason r; } c[] = {
		{ "", AX25_ERR_CALL_EMPTY },
		{ "-7", AX25_ERR_CALL_EMPTY },
		{ "F4ABCDE", AX25_ERR_CALL_TOO_LONG },
		{ "F4ABCDE-1", AX25_ERR_CALL_TOO_LONG },
		{ "f4abc", AX25_ERR_CALL_LOWERCASE },
		{ "F4aBC-7", AX25_ERR_CALL_LOWERCASE },
		{ "F4 ABC", AX25_ERR_CALL_CHAR },
		{ "F4ABC ", AX25_ERR_CALL_CHAR },
		{ "F4/ABC", AX25_ERR_CALL_CHAR },
		{ "F4ABC-", AX25_ERR_SSID_SYNTAX },
		{ "F4ABC-07", AX25_ERR_SSID_SYNTAX },
		{ "F4ABC-00", AX25_ERR_SSID_SYNTAX },
		{ "F4ABC-1a", AX25_ERR_SSID_SYNTAX },
		{ "F4ABC--1", AX25_ERR_SSID_SYNTAX },
		{ "F4ABC-+1", AX25_ERR_SSID_SYNTAX },
		{ "F4ABC-1-2", AX25_ERR_SSID_SYNTAX },
		{ "F4ABC-16", AX25_ERR_SSID_RANGE },
		{ "F4ABC-99999999999999999999", AX25_ERR_SSID_RANGE },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct ax25_addr a = { "XXXX", 3 };
		enum ax25_reason r = ax25_addr_parse(c[i].text, strlen(c[i].text), &a);
		if (r != c[i].r)
			fail_msg("\"%s\": got %s, want %s", c[i].text, ax25_reason_str(r),
				 ax25_reason_str(c[i].r));
		assert_string_equal(a.call, "XXXX"); /* untouched on error */
	}
	/* A NUL inside the counted text is a bad character, not an end. */
	struct ax25_addr a;
	assert_int_equal(ax25_addr_parse("F4\0BC", 5, &a), AX25_ERR_CALL_CHAR);
	/* Only len bytes are read. */
	assert_int_equal(ax25_addr_parse("F4ABC-7xyz", 7, &a), AX25_OK);
	assert_addr(&a, "F4ABC-7");
}

static void test_format_truncates(void **state)
{
	struct ax25_addr a = addr("N0CALL-15");
	char buf[4];
	assert_int_equal(ax25_addr_format(&a, buf, sizeof buf), 9);
	assert_string_equal(buf, "N0C");
	assert_int_equal(ax25_addr_format(&a, NULL, 0), 9);
}

static void test_reason_strings(void **state)
{
	for (int i = 0; i < AX25_REASON_COUNT; i++) {
		const char *s = ax25_reason_str((enum ax25_reason)i);
		assert_non_null(s);
		assert_true(strlen(s) > 1);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(s, ax25_reason_str((enum ax25_reason)j));
		enum ax25_verdict v = ax25_reason_verdict((enum ax25_reason)i);
		assert_int_equal(v, i == AX25_OK       ? AX25_VERDICT_OK
				    : i == AX25_NOT_UI ? AX25_VERDICT_IGNORE
						       : AX25_VERDICT_MALFORMED);
	}
	assert_string_equal(ax25_reason_str(AX25_REASON_COUNT), "unknown reason");
	assert_string_equal(ax25_reason_str((enum ax25_reason)-1), "unknown reason");
}

/* ---------------------------------------------------------------- random */

#define ROUND_TRIPS 5000

static void random_addr(struct test_rng *rng, struct ax25_addr *a)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t n = 1 + test_rng_below(rng, AX25_CALL_MAX);
	memset(a, 0, sizeof *a);
	for (size_t i = 0; i < n; i++)
		a->call[i] = chars[test_rng_below(rng, sizeof chars - 1)];
	a->ssid = (uint8_t)test_rng_below(rng, 16);
}

static void random_ui(struct test_rng *rng, struct ax25_ui *ui, uint8_t *info, size_t info_max)
{
	memset(ui, 0, sizeof *ui);
	random_addr(rng, &ui->dst);
	random_addr(rng, &ui->src);
	ui->ndigi = (uint8_t)test_rng_below(rng, AX25_DIGI_MAX + 1);
	for (size_t i = 0; i < ui->ndigi; i++) {
		random_addr(rng, &ui->digi[i].addr);
		ui->digi[i].repeated = test_rng_below(rng, 2);
	}
	ui->cr = (enum ax25_cr)test_rng_below(rng, 4);
	ui->pf = test_rng_below(rng, 2);
	ui->pid = (uint8_t)test_rng_below(rng, 256);
	ui->info_len = test_rng_below(rng, (uint32_t)info_max + 1);
	for (size_t i = 0; i < ui->info_len; i++)
		info[i] = (uint8_t)test_rng_below(rng, 256);
	ui->info = info;
}

static void assert_ui_equal(const struct ax25_ui *a, const struct ax25_ui *b)
{
	assert_true(ax25_addr_equal(&a->dst, &b->dst));
	assert_true(ax25_addr_equal(&a->src, &b->src));
	assert_int_equal(a->ndigi, b->ndigi);
	for (size_t i = 0; i < a->ndigi; i++) {
		assert_true(ax25_addr_equal(&a->digi[i].addr, &b->digi[i].addr));
		assert_int_equal(a->digi[i].repeated, b->digi[i].repeated);
	}
	assert_int_equal(a->cr, b->cr);
	assert_int_equal(a->pf, b->pf);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->info_len, b->info_len);
	if (a->info_len)
		assert_memory_equal(a->info, b->info, a->info_len);
}

static void test_random_round_trips(void **state)
{
	struct test_rng rng = { 0xa825 };
	static uint8_t info[AX25_PACLEN_DEFAULT];
	static uint8_t buf[AX25_HEADER_MAX + AX25_PACLEN_DEFAULT], buf2[sizeof buf];
	for (int i = 0; i < ROUND_TRIPS; i++) {
		struct ax25_ui ui, back;
		random_ui(&rng, &ui, info, sizeof info);
		size_t need, need2;
		assert_int_equal(ax25_ui_encode(&ui, AX25_PACLEN_DEFAULT, buf, sizeof buf, &need),
				 AX25_OK);
		assert_int_equal(need, AX25_HEADER_MIN + 7 * ui.ndigi + ui.info_len);
		assert_int_equal(ax25_ui_decode(buf, need, &back), AX25_OK);
		assert_false(back.rr_nonstandard);
		assert_ui_equal(&ui, &back);
		assert_int_equal(ax25_ui_encode(&back, need, buf2, sizeof buf2, &need2), AX25_OK);
		assert_int_equal(need2, need);
		assert_memory_equal(buf, buf2, need);
		/* Text form round trips too. */
		char text[AX25_ADDR_TEXT_MAX];
		struct ax25_addr a;
		size_t n = ax25_addr_format(&ui.src, text, sizeof text);
		assert_int_equal(ax25_addr_parse(text, n, &a), AX25_OK);
		assert_true(ax25_addr_equal(&a, &ui.src));
	}
}

/* Damaged frames: every result is a known reason, and whatever still
 * decodes re-encodes to the same bytes (reserved bits aside). */
static void test_random_damage(void **state)
{
	struct test_rng rng = { 0xdead };
	static uint8_t info[64];
	static uint8_t buf[AX25_HEADER_MAX + 64], out[sizeof buf];
	unsigned seen[AX25_REASON_COUNT] = { 0 };
	for (int i = 0; i < ROUND_TRIPS * 4; i++) {
		struct ax25_ui ui;
		random_ui(&rng, &ui, info, sizeof info);
		size_t len;
		assert_int_equal(ax25_ui_encode(&ui, sizeof info, buf, sizeof buf, &len), AX25_OK);
		for (uint32_t k = 1 + test_rng_below(&rng, 3); k > 0; k--)
			buf[test_rng_below(&rng, (uint32_t)len)] ^= (uint8_t)(1u << test_rng_below(&rng, 8));
		if (test_rng_below(&rng, 4) == 0)
			len = test_rng_below(&rng, (uint32_t)len + 1);
		struct ax25_ui back;
		enum ax25_reason r = ax25_ui_decode(buf, len, &back);
		assert_true((unsigned)r < AX25_REASON_COUNT);
		seen[r]++;
		if (r != AX25_OK)
			continue;
		size_t len2;
		assert_int_equal(ax25_ui_encode(&back, len, out, sizeof out, &len2), AX25_OK);
		assert_int_equal(len2, len);
		for (size_t j = 0; j < len; j++)
			buf[j] |= (j < len - back.info_len - 2 && j % 7 == 6) ? 0x60 : 0;
		assert_memory_equal(out, buf, len);
	}
	/* The damage reached every decode-side reason. */
	static const enum ax25_reason expect[] = {
		AX25_OK, AX25_NOT_UI, AX25_ERR_ADDR_TRUNCATED, AX25_ERR_ADDR_EXT_IN_CALL,
		AX25_ERR_ADDR_END_EARLY, AX25_ERR_NO_CONTROL, AX25_ERR_NO_PID,
		AX25_ERR_CALL_CHAR, AX25_ERR_CALL_LOWERCASE, AX25_ERR_CALL_PADDING,
	};
	for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
		if (seen[expect[i]] == 0)
			fail_msg("no damaged frame gave \"%s\"", ax25_reason_str(expect[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kat_plain_encode),
		cmocka_unit_test(test_kat_plain_decode),
		cmocka_unit_test(test_kat_digis_encode),
		cmocka_unit_test(test_kat_digis_decode),
		cmocka_unit_test(test_kat_spec_example),
		cmocka_unit_test(test_kat_aprs_v1),
		cmocka_unit_test(test_cr_combinations),
		cmocka_unit_test(test_pf_accepted),
		cmocka_unit_test(test_reserved_bits_accepted),
		cmocka_unit_test(test_not_ui_ignored),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_ext_bit_in_callsign),
		cmocka_unit_test(test_ext_bit_after_destination),
		cmocka_unit_test(test_digi_count),
		cmocka_unit_test(test_callsign_content),
		cmocka_unit_test(test_every_ssid),
		cmocka_unit_test(test_encode_paclen),
		cmocka_unit_test(test_encode_no_room),
		cmocka_unit_test(test_encode_bad_struct),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_format_truncates),
		cmocka_unit_test(test_reason_strings),
		cmocka_unit_test(test_random_round_trips),
		cmocka_unit_test(test_random_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
