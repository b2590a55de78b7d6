/* AX.25 v2 UI frames and callsign-SSID addresses.
 *
 * The radio link carries everything in UI frames (DESIGN.md, "The radio
 * link").  Frames here are as KISS carries them: no HDLC flags, no FCS.
 *
 *   address field  7 octets per address: destination, source, then 0..8
 *                  digipeaters.  Each address is 6 callsign characters
 *                  (ASCII shifted left one bit, space padded on the right)
 *                  and one SSID octet:
 *                      bit 7     C bit (destination, source) or H bit
 *                                (digipeater: "has been repeated")
 *                      bits 6-5  reserved, sent as 11
 *                      bits 4-1  SSID 0..15
 *                      bit 0     address extension: 1 on the last address
 *                  Every callsign octet has bit 0 clear.
 *   control        0x03 (UI), or 0x13 (UI with the P/F bit)
 *   PID            one octet (0xF0 no layer 3, 0xCC IPv4)
 *   info           the rest of the frame, at most paclen octets on encode
 *
 * Decisions (interpretations of the specification, see ax25.c for why):
 *   - C/R: encoding writes what struct ax25_ui::cr says; its zero value is
 *     AX25_CR_COMMAND (destination C=1, source C=0), the transmit rule.
 *     Decoding accepts all four combinations and reports which it saw.
 *   - P/F: a UI frame with the P/F bit set (0x13) is a valid UI frame, so
 *     it is accepted and reported in pf.  mailled never sets it: a UI
 *     command with P=1 asks connected-mode stations for a response, and
 *     Wireshark reads a PID only after control 0x03 exactly.
 *   - Reserved bits: sent as 11; any value is accepted on receive (DAMA and
 *     extended-mode stacks use them) and noticed in rr_nonstandard.
 *   - Digipeaters: up to 8 (as AX.25 2.0 allows) on decode and encode,
 *     H bits reported and encoded as given (zero: not yet repeated).
 *   - PID: not interpreted (0xFF, "escape", is returned as is).
 *   - Non-UI frames (I, S, other U frames) are valid AX.25 that is not for
 *     us: they decode to AX25_NOT_UI, whose verdict is "ignore".
 *
 * Nothing here allocates; decoded info points into the caller's buffer. */
#ifndef MAILLE_PROTO_AX25_H
#define MAILLE_PROTO_AX25_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AX25_CALL_MAX 6   /* callsign characters */
#define AX25_DIGI_MAX 8   /* digipeater addresses */
#define AX25_ADDR_LEN 7   /* octets per address on the wire */
#define AX25_CTL_UI 0x03
#define AX25_CTL_PF 0x10
#define AX25_PID_NO_L3 0xF0
#define AX25_PID_IPV4 0xCC
#define AX25_PACLEN_DEFAULT 256
/* Largest header: 10 addresses, control, PID. */
#define AX25_HEADER_MAX (AX25_ADDR_LEN * (2 + AX25_DIGI_MAX) + 2)
#define AX25_HEADER_MIN (AX25_ADDR_LEN * 2 + 2)
/* "F4ABCD-15" plus the terminating NUL. */
#define AX25_ADDR_TEXT_MAX 10

/* Why a frame, an address or a text was refused.  ax25_reason_str() gives
 * the words, ax25_reason_verdict() the ok / ignore / malformed class. */
enum ax25_reason {
	AX25_OK = 0,
	AX25_NOT_UI,               /* valid AX.25, but not a UI frame */
	AX25_ERR_ADDR_TRUNCATED,   /* the frame ends inside the address field */
	AX25_ERR_ADDR_EXT_IN_CALL, /* extension bit set in a callsign octet */
	AX25_ERR_ADDR_END_EARLY,   /* extension bit set after the destination */
	AX25_ERR_TOO_MANY_DIGIS,   /* more than AX25_DIGI_MAX digipeaters */
	AX25_ERR_NO_CONTROL,       /* the frame ends after the address field */
	AX25_ERR_NO_PID,           /* a UI frame without its PID octet */
	AX25_ERR_CALL_EMPTY,       /* no callsign characters */
	AX25_ERR_CALL_CHAR,        /* a character other than A-Z, 0-9 */
	AX25_ERR_CALL_LOWERCASE,   /* text: a lower-case letter */
	AX25_ERR_CALL_PADDING,     /* a space before the callsign's end */
	AX25_ERR_CALL_TOO_LONG,    /* text: more than 6 characters */
	AX25_ERR_SSID_SYNTAX,      /* text: SSID is not 0..15 in decimal */
	AX25_ERR_SSID_RANGE,       /* SSID above 15 */
	AX25_ERR_PACLEN,           /* info longer than paclen */
	AX25_ERR_NO_ROOM,          /* the output buffer is too small */
	AX25_ERR_INVALID,          /* an impossible argument (bad C/R value) */
	AX25_ERR_LL_PREFIX,        /* IPv6 address not in fe80::/64 */
	AX25_ERR_LL_MARKER,        /* interface identifier not callsign-made */
	AX25_REASON_COUNT
};

enum ax25_verdict { AX25_VERDICT_OK, AX25_VERDICT_IGNORE, AX25_VERDICT_MALFORMED };

/* Command/response bits: destination C bit, source C bit. */
enum ax25_cr {
	AX25_CR_COMMAND = 0, /* 1, 0: v2 command (what we send) */
	AX25_CR_RESPONSE,    /* 0, 1: v2 response */
	AX25_CR_V1_00,       /* 0, 0: earlier versions */
	AX25_CR_V1_11,       /* 1, 1: earlier versions */
};

/* A callsign-SSID.  call is NUL-terminated, 1-6 characters A-Z 0-9, without
 * padding; compare addresses with ax25_addr_equal(). */
struct ax25_addr {
	char call[AX25_CALL_MAX + 1];
	uint8_t ssid; /* 0..15 */
};

struct ax25_digi {
	struct ax25_addr addr;
	bool repeated; /* the H bit */
};

struct ax25_ui {
	struct ax25_addr dst;
	struct ax25_addr src;
	struct ax25_digi digi[AX25_DIGI_MAX];
	uint8_t ndigi;
	enum ax25_cr cr;
	bool pf;             /* P/F bit of the control octet */
	bool rr_nonstandard; /* decode only: some reserved bits were not 11 */
	uint8_t pid;
	const uint8_t *info; /* decode: points into the decoded frame */
	size_t info_len;
};

const char *ax25_reason_str(enum ax25_reason r);
enum ax25_verdict ax25_reason_verdict(enum ax25_reason r);

/* Checks that a is a valid callsign-SSID (what encoding requires). */
enum ax25_reason ax25_addr_check(const struct ax25_addr *a);
bool ax25_addr_equal(const struct ax25_addr *a, const struct ax25_addr *b);
/* Parses "F4ABC-7" or "BABEL" (SSID 0; "-0" is accepted too).  Upper case
 * only, SSID in decimal without a leading zero.  *out is set only on OK. */
enum ax25_reason ax25_addr_parse(const char *text, size_t len, struct ax25_addr *out);
/* Writes "F4ABC-7" ("BABEL" for SSID 0) and a NUL if cap allows, like
 * snprintf; returns the text length. AX25_ADDR_TEXT_MAX always suffices. */
size_t ax25_addr_format(const struct ax25_addr *a, char *buf, size_t cap);

/* The six space-padded, unshifted ASCII callsign octets, as the address
 * field and the link-local interface identifier both carry them.  pad
 * expects a valid address; unpad validates (characters, padding only at
 * the end, not empty) and sets a->call, leaving a->ssid alone. */
void ax25_call_pad(const struct ax25_addr *a, uint8_t padded[AX25_CALL_MAX]);
enum ax25_reason ax25_call_unpad(const uint8_t padded[AX25_CALL_MAX], struct ax25_addr *a);

/* Decodes one frame (no flags, no FCS).  On AX25_OK *out is filled and
 * out->info points into frame; otherwise *out is unspecified. */
enum ax25_reason ax25_ui_decode(const uint8_t *frame, size_t len, struct ax25_ui *out);

/* Encodes ui into buf.  *need is set to the frame's size whenever the
 * frame itself is valid, so AX25_ERR_NO_ROOM says how much room to give.
 * info_len above paclen is refused with AX25_ERR_PACLEN (TNCs do not
 * enforce it, so we do).  Reserved bits are sent as 11. */
enum ax25_reason ax25_ui_encode(const struct ax25_ui *ui, size_t paclen, uint8_t *buf,
				size_t cap, size_t *need);

#endif
