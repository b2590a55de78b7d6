/* KISS framing between the host and a TNC (serial or TCP, e.g. Dire Wolf).
 *
 * A frame on the byte stream is FEND, the command byte, the payload, FEND,
 * with FEND and FESC inside (the command byte included: port 12's data
 * frame has command byte 0xC0) sent as FESC TFEND and FESC TFESC.  The
 * command byte is port << 4 | command.  Return (leave KISS) is the whole
 * byte 0xFF, i.e. port 15, command 15.
 *
 * The stream decoder is a caller-owned struct with a fixed buffer: it takes
 * bytes in any chunking and yields whole frames.  It never allocates and is
 * bounded: an oversized frame is dropped and counted, and decoding resumes
 * at the next FEND; a bad escape drops its frame the same way.  Bytes before
 * the first FEND are discarded, since a serial port opened mid-frame starts
 * with the tail of someone else's frame.  Back-to-back FENDs are idle fill,
 * not empty frames. */
#ifndef MAILLE_PROTO_KISS_H
#define MAILLE_PROTO_KISS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ax25.h"

#define KISS_FEND 0xC0
#define KISS_FESC 0xDB
#define KISS_TFEND 0xDC
#define KISS_TFESC 0xDD

enum kiss_cmd {
	KISS_CMD_DATA = 0,
	KISS_CMD_TXDELAY = 1,     /* 10 ms units */
	KISS_CMD_P = 2,           /* persistence, p = (P + 1) / 256 */
	KISS_CMD_SLOTTIME = 3,    /* 10 ms units */
	KISS_CMD_TXTAIL = 4,      /* 10 ms units */
	KISS_CMD_FULLDUPLEX = 5,  /* 0 half duplex, else full duplex */
	KISS_CMD_SETHARDWARE = 6, /* TNC specific; Dire Wolf: "TXBUF:" query */
	KISS_CMD_RETURN = 15,     /* only as port 15: the byte 0xFF */
};
#define KISS_PORT_MAX 15
#define KISS_RETURN_BYTE 0xFF

/* Largest AX.25 information field the decoder keeps room for (Dire Wolf's
 * own limit); frames for mailled are far smaller (paclen). */
#define KISS_INFO_MAX 2048
/* Largest unescaped frame: command byte plus the largest AX.25 frame. */
#define KISS_FRAME_MAX (1 + AX25_HEADER_MAX + KISS_INFO_MAX)

/* One decoded frame.  data points into the decoder's buffer and stays
 * valid until the decoder's next call. */
struct kiss_frame {
	uint8_t port;    /* 0..15 */
	uint8_t cmd;     /* enum kiss_cmd, or another value some TNC sent */
	const uint8_t *data;
	size_t len;
};

struct kiss_stats {
	uint64_t frames;     /* frames yielded */
	uint64_t oversized;  /* frames dropped: longer than the limit */
	uint64_t bad_escape; /* frames dropped: FESC not followed by TFEND/TFESC */
	uint64_t garbage;    /* bytes discarded while looking for a FEND */
};

struct kiss_decoder {
	uint8_t buf[KISS_FRAME_MAX]; /* command byte + payload, unescaped */
	size_t len;
	size_t max;    /* frame limit, command byte included */
	uint8_t state; /* private */
	struct kiss_stats stats;
};

/* Readies d; max_frame bounds a frame (command byte included) below
 * KISS_FRAME_MAX, 0 meaning KISS_FRAME_MAX. */
void kiss_decoder_init(struct kiss_decoder *d, size_t max_frame);

/* Consumes in[0..len) up to and including the FEND that completes a frame.
 * Returns true and sets *frame when one completed; *used always says how
 * many bytes were consumed, so the caller loops until len is used up. */
bool kiss_decoder_next(struct kiss_decoder *d, const uint8_t *in, size_t len, size_t *used,
		       struct kiss_frame *frame);

/* Feeds all of in[0..len) and calls fn for each complete frame, in order.
 * Returns the number of frames delivered. */
typedef void kiss_frame_fn(void *ctx, const struct kiss_frame *frame);
size_t kiss_decoder_feed(struct kiss_decoder *d, const uint8_t *in, size_t len,
			 kiss_frame_fn *fn, void *ctx);

/* Encodes one frame: FEND, command byte, escaped payload, FEND.  Returns
 * the size the encoding needs; buf holds it only if that is <= cap.
 * Returns 0 (writing nothing) if port or cmd is above 15. */
size_t kiss_encode(uint8_t *buf, size_t cap, unsigned port, unsigned cmd, const uint8_t *payload,
		   size_t len);
/* TXDELAY, P, SLOTTIME, TXTAIL, FULLDUPLEX: a one-byte parameter. */
size_t kiss_encode_param(uint8_t *buf, size_t cap, unsigned port, enum kiss_cmd cmd, uint8_t value);
/* Return: FEND 0xFF FEND. */
size_t kiss_encode_return(uint8_t *buf, size_t cap);
/* Dire Wolf's transmit-queue query: SETHARDWARE "TXBUF:". */
size_t kiss_encode_txbuf_query(uint8_t *buf, size_t cap, unsigned port);

/* True if f is a SETHARDWARE frame reading "TXBUF:<n>", n a decimal byte
 * count (Dire Wolf's answer to the query: bytes, not frames, queued for
 * transmission); sets *bytes.  Other SETHARDWARE replies are left to the
 * caller. */
bool kiss_parse_txbuf(const struct kiss_frame *f, uint32_t *bytes);

#endif
