/* Callsign-SSID <-> IPv6 link-local address; the layout is in the header. */
#include "proto/callsign_ll.h"

#include <string.h>

#include "proto/bytes.h"

#define PREFIX_LEN 8
#define MARKER 0x00
#define SSID_MAX 15

static const uint8_t ll_prefix[PREFIX_LEN] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0 };

enum ax25_reason callsign_to_ll(const struct ax25_addr *a, uint8_t ll[CALLSIGN_LL_LEN])
{
	enum ax25_reason rc = ax25_addr_check(a);
	if (rc != AX25_OK)
		return rc;
	uint8_t padded[AX25_CALL_MAX];
	ax25_call_pad(a, padded);
	struct writer w = writer_init(ll, CALLSIGN_LL_LEN);
	write_bytes(&w, ll_prefix, PREFIX_LEN);
	write_bytes(&w, padded, AX25_CALL_MAX);
	write_u8(&w, MARKER);
	write_u8(&w, a->ssid);
	return AX25_OK;
}

enum ax25_reason callsign_from_ll(const uint8_t ll[CALLSIGN_LL_LEN], struct ax25_addr *a)
{
	struct reader r = reader_init(ll, CALLSIGN_LL_LEN);
	const uint8_t *prefix = read_span(&r, PREFIX_LEN);
	const uint8_t *padded = read_span(&r, AX25_CALL_MAX);
	uint8_t marker = read_u8(&r);
	uint8_t ssid = read_u8(&r);
	if (memcmp(prefix, ll_prefix, PREFIX_LEN) != 0)
		return AX25_ERR_LL_PREFIX;
	if (marker != MARKER)
		return AX25_ERR_LL_MARKER;
	if (ssid > SSID_MAX)
		return AX25_ERR_SSID_RANGE;
	struct ax25_addr tmp = { .ssid = ssid };
	enum ax25_reason rc = ax25_call_unpad(padded, &tmp);
	if (rc == AX25_OK)
		*a = tmp;
	return rc;
}
