/* A station's IPv6 link-local address on the radio link, derived from its
 * callsign-SSID, and back (DESIGN.md, "The radio link"): a neighbour's next
 * hop follows from a frame's source address, with no neighbour discovery on
 * the air.
 *
 * Layout (16 octets, network order):
 *
 *   0-1    fe 80         link-local prefix
 *   2-7    00 .. 00      rest of the /64
 *   8-13   callsign      six ASCII octets, A-Z 0-9, space (0x20) padded on
 *                        the right: the same octets as in the AX.25 address
 *                        field, unshifted
 *   14     00            marker: no callsign character is 0x00
 *   15     SSID          0..15
 *
 * so F4ABC-7 is fe80::4634:4142:4320:7 and BABEL is fe80::4241:4245:4c20:0;
 * the last group reads as the SSID.  The mapping is one to one between
 * valid callsign-SSIDs and the addresses of this form; the reverse mapping
 * refuses every other address (wrong prefix, non-zero marker, SSID above
 * 15, a character outside A-Z 0-9, padding inside the callsign, no
 * callsign).  The interface identifier's u/g bits carry callsign bits: RFC
 * 7136 gives them no meaning outside EUI-64-derived identifiers. */
#ifndef MAILLE_PROTO_CALLSIGN_LL_H
#define MAILLE_PROTO_CALLSIGN_LL_H

#include <stdint.h>

#include "proto/ax25.h"

#define CALLSIGN_LL_LEN 16

/* Fills ll from a; refuses an invalid address (see ax25_addr_check). */
enum ax25_reason callsign_to_ll(const struct ax25_addr *a, uint8_t ll[CALLSIGN_LL_LEN]);
/* Recovers the callsign-SSID from ll; *a is set only on AX25_OK. */
enum ax25_reason callsign_from_ll(const uint8_t ll[CALLSIGN_LL_LEN], struct ax25_addr *a);

#endif
