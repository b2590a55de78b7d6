/* KISS framing: escaping encoder and a bounded streaming decoder. */
#include "proto/kiss.h"

#include <string.h>

#include "proto/bytes.h"

enum decoder_state {
	ST_HUNT,   /* discarding until a FEND: at start and after a drop */
	ST_FRAME,  /* inside a frame */
	ST_ESCAPE, /* inside a frame, after FESC */
};

/* ---------------------------------------------------------------- encode */

static bool needs_escape(uint8_t b)
{
	return b == KISS_FEND || b == KISS_FESC;
}

static size_t escaped_len(uint8_t cmd_byte, const uint8_t *payload, size_t len)
{
	size_t n = 1 + needs_escape(cmd_byte);
	for (size_t i = 0; i < len; i++)
		n += 1 + needs_escape(payload[i]);
	return n;
}

static void write_escaped(struct writer *w, uint8_t b)
{
	if (b == KISS_FEND) {
		write_u8(w, KISS_FESC);
		write_u8(w, KISS_TFEND);
	} else if (b == KISS_FESC) {
		write_u8(w, KISS_FESC);
		write_u8(w, KISS_TFESC);
	} else {
		write_u8(w, b);
	}
}

static size_t encode_byte_cmd(uint8_t *buf, size_t cap, uint8_t cmd_byte, const uint8_t *payload,
			      size_t len)
{
	size_t need = 2 + escaped_len(cmd_byte, payload, len);
	if (need > cap)
		return need;
	struct writer w = writer_init(buf, cap);
	write_u8(&w, KISS_FEND);
	write_escaped(&w, cmd_byte);
	for (size_t i = 0; i < len; i++)
		write_escaped(&w, payload[i]);
	write_u8(&w, KISS_FEND);
	return need;
}

size_t kiss_encode(uint8_t *buf, size_t cap, unsigned port, unsigned cmd, const uint8_t *payload,
		   size_t len)
{
	if (port > KISS_PORT_MAX || cmd > 0x0F)
		return 0;
	return encode_byte_cmd(buf, cap, (uint8_t)(port << 4 | cmd), payload, len);
}

size_t kiss_encode_param(uint8_t *buf, size_t cap, unsigned port, enum kiss_cmd cmd, uint8_t value)
{
	return kiss_encode(buf, cap, port, cmd, &value, 1);
}

size_t kiss_encode_return(uint8_t *buf, size_t cap)
{
	return encode_byte_cmd(buf, cap, KISS_RETURN_BYTE, NULL, 0);
}

static const char txbuf_tag[] = "TXBUF:";
#define TXBUF_TAG_LEN (sizeof txbuf_tag - 1)

size_t kiss_encode_txbuf_query(uint8_t *buf, size_t cap, unsigned port)
{
	return kiss_encode(buf, cap, port, KISS_CMD_SETHARDWARE, (const uint8_t *)txbuf_tag,
			   TXBUF_TAG_LEN);
}

bool kiss_parse_txbuf(const struct kiss_frame *f, uint32_t *bytes)
{
	if (f->cmd != KISS_CMD_SETHARDWARE || f->len <= TXBUF_TAG_LEN ||
	    memcmp(f->data, txbuf_tag, TXBUF_TAG_LEN) != 0)
		return false;
	uint64_t v = 0;
	for (size_t i = TXBUF_TAG_LEN; i < f->len; i++) {
		uint8_t c = f->data[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (uint64_t)(c - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*bytes = (uint32_t)v;
	return true;
}

/* ---------------------------------------------------------------- decode */

void kiss_decoder_init(struct kiss_decoder *d, size_t max_frame)
{
	memset(d, 0, sizeof *d);
	d->max = (max_frame == 0 || max_frame > KISS_FRAME_MAX) ? KISS_FRAME_MAX : max_frame;
	d->state = ST_HUNT;
}

static void drop_frame(struct kiss_decoder *d, uint64_t *counter)
{
	(*counter)++;
	d->len = 0;
	d->state = ST_HUNT;
}

static void append(struct kiss_decoder *d, uint8_t b)
{
	if (d->len == d->max) {
		drop_frame(d, &d->stats.oversized);
		return;
	}
	d->buf[d->len++] = b;
	d->state = ST_FRAME;
}

/* A FEND closes whatever was open and opens the next frame. */
static bool take_fend(struct kiss_decoder *d, struct kiss_frame *frame)
{
	bool complete = d->state == ST_FRAME && d->len > 0;
	if (d->state == ST_ESCAPE)
		d->stats.bad_escape++; /* truncated escape: FESC FEND */
	if (complete) {
		frame->port = (uint8_t)(d->buf[0] >> 4);
		frame->cmd = (uint8_t)(d->buf[0] & 0x0F);
		frame->data = d->buf + 1;
		frame->len = d->len - 1;
		d->stats.frames++;
	}
	/* The data stays in buf until the caller's next call appends. */
	d->len = 0;
	d->state = ST_FRAME;
	return complete;
}

static void take_escaped(struct kiss_decoder *d, uint8_t b)
{
	if (b == KISS_TFEND)
		append(d, KISS_FEND);
	else if (b == KISS_TFESC)
		append(d, KISS_FESC);
	else
		drop_frame(d, &d->stats.bad_escape);
}

/* Returns true when b completed a frame. */
static bool take_byte(struct kiss_decoder *d, uint8_t b, struct kiss_frame *frame)
{
	if (b == KISS_FEND)
		return take_fend(d, frame);
	switch (d->state) {
	case ST_HUNT:
		d->stats.garbage++;
		break;
	case ST_ESCAPE:
		take_escaped(d, b);
		break;
	default:
		if (b == KISS_FESC)
			d->state = ST_ESCAPE;
		else
			append(d, b);
		break;
	}
	return false;
}

bool kiss_decoder_next(struct kiss_decoder *d, const uint8_t *in, size_t len, size_t *used,
		       struct kiss_frame *frame)
{
	for (size_t i = 0; i < len; i++) {
		if (take_byte(d, in[i], frame)) {
			*used = i + 1;
			return true;
		}
	}
	*used = len;
	return false;
}

size_t kiss_decoder_feed(struct kiss_decoder *d, const uint8_t *in, size_t len,
			 kiss_frame_fn *fn, void *ctx)
{
	size_t frames = 0;
	while (len > 0) {
		struct kiss_frame f;
		size_t used;
		if (kiss_decoder_next(d, in, len, &used, &f)) {
			fn(ctx, &f);
			frames++;
		}
		in += used;
		len -= used;
	}
	return frames;
}
