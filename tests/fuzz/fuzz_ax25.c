/* libFuzzer: the AX.25 UI decoder on arbitrary bytes.  Whatever decodes
 * must re-encode to the same bytes (reserved bits aside: we always send 11)
 * and its addresses must survive the text and link-local mappings.  The
 * same input also drives the callsign text parser and the reverse
 * link-local mapping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ax25.h"
#include "proto/callsign_ll.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

static void check_addr_maps(const struct ax25_addr *a)
{
	CHECK(ax25_addr_check(a) == AX25_OK);
	char text[AX25_ADDR_TEXT_MAX];
	size_t n = ax25_addr_format(a, text, sizeof text);
	CHECK(n < sizeof text);
	struct ax25_addr back;
	CHECK(ax25_addr_parse(text, n, &back) == AX25_OK && ax25_addr_equal(a, &back));
	uint8_t ll[CALLSIGN_LL_LEN];
	CHECK(callsign_to_ll(a, ll) == AX25_OK);
	CHECK(callsign_from_ll(ll, &back) == AX25_OK && ax25_addr_equal(a, &back));
}

/* The encoder always sends reserved bits 11: set them in a copy of the
 * input's address field before comparing. */
static void normalise_reserved(uint8_t *frame, size_t addr_len)
{
	for (size_t i = AX25_ADDR_LEN - 1; i < addr_len; i += AX25_ADDR_LEN)
		frame[i] |= 0x60;
}

static void check_reencode(const uint8_t *data, size_t size, const struct ax25_ui *ui)
{
	static uint8_t out[AX25_HEADER_MAX + 65536], want[sizeof out];
	if (size > sizeof out)
		return;
	size_t need;
	CHECK(ax25_ui_encode(ui, ui->info_len, out, sizeof out, &need) == AX25_OK);
	CHECK(need == size);
	memcpy(want, data, size);
	normalise_reserved(want, size - ui->info_len - 2);
	CHECK(memcmp(out, want, size) == 0);
	/* One byte short of room is refused and says how much it needs. */
	CHECK(ax25_ui_encode(ui, ui->info_len, out, size - 1, &need) == AX25_ERR_NO_ROOM);
	CHECK(need == size);
	if (ui->info_len > 0)
		CHECK(ax25_ui_encode(ui, ui->info_len - 1, out, sizeof out, &need) == AX25_ERR_PACLEN);
}

static void fuzz_frame(const uint8_t *data, size_t size)
{
	struct ax25_ui ui;
	enum ax25_reason r = ax25_ui_decode(data, size, &ui);
	CHECK((unsigned)r < AX25_REASON_COUNT && ax25_reason_str(r)[0] != '\0');
	if (r != AX25_OK)
		return;
	CHECK(ui.ndigi <= AX25_DIGI_MAX);
	CHECK(size == AX25_HEADER_MIN + (size_t)ui.ndigi * AX25_ADDR_LEN + ui.info_len);
	CHECK(ui.info == data + size - ui.info_len);
	check_addr_maps(&ui.dst);
	check_addr_maps(&ui.src);
	for (size_t i = 0; i < ui.ndigi; i++)
		check_addr_maps(&ui.digi[i].addr);
	check_reencode(data, size, &ui);
}

static void fuzz_text_and_ll(const uint8_t *data, size_t size)
{
	struct ax25_addr a;
	if (ax25_addr_parse((const char *)data, size, &a) == AX25_OK)
		check_addr_maps(&a);
	if (size >= CALLSIGN_LL_LEN && callsign_from_ll(data, &a) == AX25_OK) {
		uint8_t ll[CALLSIGN_LL_LEN];
		check_addr_maps(&a);
		CHECK(callsign_to_ll(&a, ll) == AX25_OK && memcmp(ll, data, CALLSIGN_LL_LEN) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_frame(data, size);
	fuzz_text_and_ll(data, size);
	return 0;
}
