/* libFuzzer: the KISS stream decoder.  The first input byte picks the
 * chunking, the second the frame limit; the rest is the stream.  The
 * chunked decoding must give the same frames and counters as one whole
 * feed, every frame must respect the limit, and each frame re-encoded and
 * decoded again must come back unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ax25.h"
#include "proto/kiss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

/* The frames of one pass, digested so two passes can be compared. */
struct pass {
	struct kiss_decoder d;
	size_t frames;
	uint64_t digest;
};

static uint64_t mix(uint64_t h, uint8_t b)
{
	return (h ^ b) * 0x100000001b3ull;
}

static void check_reencode(const struct kiss_frame *f)
{
	static uint8_t wire[2 * KISS_FRAME_MAX + 3];
	static struct kiss_decoder d;
	size_t n = kiss_encode(wire, sizeof wire, f->port, f->cmd, f->data, f->len);
	CHECK(n >= 3 && n <= sizeof wire);
	kiss_decoder_init(&d, 0);
	struct kiss_frame g;
	size_t used;
	CHECK(kiss_decoder_next(&d, wire, n, &used, &g) && used == n);
	CHECK(g.port == f->port && g.cmd == f->cmd && g.len == f->len);
	CHECK(f->len == 0 || memcmp(g.data, f->data, f->len) == 0);
	CHECK(d.stats.garbage == 0 && d.stats.bad_escape == 0 && d.stats.oversized == 0);
}

static void on_frame(void *ctx, const struct kiss_frame *f)
{
	struct pass *p = ctx;
	CHECK(f->port <= KISS_PORT_MAX && f->cmd <= 0x0F && f->len + 1 <= p->d.max);
	p->frames++;
	p->digest = mix(mix(mix(p->digest, f->port), f->cmd), (uint8_t)f->len);
	for (size_t i = 0; i < f->len; i++)
		p->digest = mix(p->digest, f->data[i]);
	check_reencode(f);
	uint32_t bytes;
	(void)kiss_parse_txbuf(f, &bytes);
	struct ax25_ui ui;
	if (f->cmd == KISS_CMD_DATA)
		(void)ax25_ui_decode(f->data, f->len, &ui);
}

/* Chunk lengths 1..64 from a tiny generator seeded by the first byte. */
static size_t next_chunk(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return 1 + (*s >> 16) % 64;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pass whole, chunked;
	if (size < 2)
		return 0;
	uint32_t seed = data[0];
	size_t max = data[1] == 0 ? 0 : (size_t)data[1] + 1;
	data += 2;
	size -= 2;

	memset(&whole, 0, sizeof whole);
	memset(&chunked, 0, sizeof chunked);
	kiss_decoder_init(&whole.d, max);
	kiss_decoder_init(&chunked.d, max);
	kiss_decoder_feed(&whole.d, data, size, on_frame, &whole);
	for (size_t off = 0; off < size;) {
		size_t n = next_chunk(&seed);
		if (n > size - off)
			n = size - off;
		kiss_decoder_feed(&chunked.d, data + off, n, on_frame, &chunked);
		off += n;
	}
	CHECK(whole.frames == chunked.frames && whole.digest == chunked.digest);
	CHECK(memcmp(&whole.d.stats, &chunked.d.stats, sizeof whole.d.stats) == 0);
	CHECK(whole.d.stats.frames == whole.frames);
	return 0;
}
