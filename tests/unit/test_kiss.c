/* KISS: escaping vectors, parameter commands, and the streaming decoder
 * under every chunking, garbage, oversized frames and broken escapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/kiss.h"
#include "tests/lib/rng.h"

#define FEND 0xc0
#define FESC 0xdb
#define TFEND 0xdc
#define TFESC 0xdd

/* Frames a decoder delivered, copied out (their data lives in the decoder). */
#define GOT_MAX 512
#define GOT_BYTES 8192
struct got {
	size_t n;
	struct { uint8_t port, cmd; size_t off, len; } f[GOT_MAX];
	uint8_t bytes[GOT_BYTES];
	size_t used;
};

static void collect(void *ctx, const struct kiss_frame *f)
{
	struct got *g = ctx;
	assert_true(g->n < GOT_MAX);
	assert_true(g->used + f->len <= GOT_BYTES);
	g->f[g->n].port = f->port;
	g->f[g->n].cmd = f->cmd;
	g->f[g->n].off = g->used;
	g->f[g->n].len = f->len;
	if (f->len)
		memcpy(g->bytes + g->used, f->data, f->len);
	g->used += f->len;
	g->n++;
}

static void assert_got(const struct got *g, size_t i, unsigned port, unsigned cmd,
		       const void *data, size_t len)
{
	assert_true(i < g->n);
	assert_int_equal(g->f[i].port, port);
	assert_int_equal(g->f[i].cmd, cmd);
	assert_int_equal(g->f[i].len, len);
	if (len)
		assert_memory_equal(g->bytes + g->f[i].off, data, len);
}

static void assert_same_frames(const struct got *a, const struct got *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_got(b, i, a->f[i].port, a->f[i].cmd, a->bytes + a->f[i].off, a->f[i].len);
}

static void decode_all(struct kiss_decoder *d, const uint8_t *in, size_t len, struct got *g)
{
	memset(g, 0, sizeof *g);
	kiss_decoder_feed(d, in, len, collect, g);
}

static void assert_encodes(size_t n, const uint8_t *buf, const uint8_t *want, size_t want_len)
{
	assert_int_equal(n, want_len);
	assert_memory_equal(buf, want, want_len);
}

/* ---------------------------------------------------------------- encoder */

static void test_encode_plain(void **state)
{
	uint8_t buf[16];
	static const uint8_t want[] = { FEND, 0x00, 'A', 'B', FEND };
	assert_encodes(kiss_encode(buf, sizeof buf, 0, KISS_CMD_DATA, (const uint8_t *)"AB", 2),
		       buf, want, sizeof want);
	static const uint8_t want3[] = { FEND, 0x30, FEND };
	assert_encodes(kiss_encode(buf, sizeof buf, 3, KISS_CMD_DATA, NULL, 0), buf, want3,
		       sizeof want3);
}

static void test_encode_escapes(void **state)
{
	static const struct {
		uint8_t in[4];
		size_t in_len;
		uint8_t out[10];
		size_t out_len;
	} v[] = {
		{ { FEND }, 1, { FEND, 0, FESC, TFEND, FEND }, 5 },
		{ { FESC }, 1, { FEND, 0, FESC, TFESC, FEND }, 5 },
		/* TFEND and TFESC alone are ordinary bytes. */
		{ { TFEND, TFESC }, 2, { FEND, 0, TFEND, TFESC, FEND }, 5 },
		{ { FESC, TFEND }, 2, { FEND, 0, FESC, TFESC, TFEND, FEND }, 6 },
		{ { FEND, FESC, FEND, 'x' }, 4,
		  { FEND, 0, FESC, TFEND, FESC, TFESC, FESC, TFEND, 'x', FEND }, 10 },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uint8_t buf[16];
		assert_encodes(kiss_encode(buf, sizeof buf, 0, KISS_CMD_DATA, v[i].in, v[i].in_len),
			       buf, v[i].out, v[i].out_len);
	}
}

static void test_encode_command_byte_escaped(void **state)
{
	uint8_t buf[16];
	/* Port 12 data frame: command byte 0xC0 is FEND. */
	static const uint8_t p12[] = { FEND, FESC, TFEND, 'z', FEND };
	assert_encodes(kiss_encode(buf, sizeof buf, 12, KISS_CMD_DATA, (const uint8_t *)"z", 1), buf,
		       p12, sizeof p12);
	/* Port 13, command 11: 0xDB is FESC. */
	static const uint8_t p13[] = { FEND, FESC, TFESC, FEND };
	assert_encodes(kiss_encode(buf, sizeof buf, 13, 11, NULL, 0), buf, p13, sizeof p13);
}

static void test_encode_params(void **state)
{
	uint8_t buf[16];
	static const struct { unsigned port; enum kiss_cmd cmd; uint8_t v; uint8_t out[5]; size_t n; } p[] = {
		{ 0, KISS_CMD_TXDELAY, 50, { FEND, 0x01, 50, FEND }, 4 },
		{ 1, KISS_CMD_P, 63, { FEND, 0x12, 63, FEND }, 4 },
		{ 0, KISS_CMD_SLOTTIME, 10, { FEND, 0x03, 10, FEND }, 4 },
		{ 2, KISS_CMD_TXTAIL, 3, { FEND, 0x24, 3, FEND }, 4 },
		{ 0, KISS_CMD_FULLDUPLEX, 1, { FEND, 0x05, 1, FEND }, 4 },
		{ 0, KISS_CMD_TXDELAY, 0xc0, { FEND, 0x01, FESC, TFEND, FEND }, 5 },
		{ 15, KISS_CMD_P, 0xdb, { FEND, 0xf2, FESC, TFESC, FEND }, 5 },
	};
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
		assert_encodes(kiss_encode_param(buf, sizeof buf, p[i].port, p[i].cmd, p[i].v), buf,
			       p[i].out, p[i].n);

	static const uint8_t ret[] = { FEND, 0xff, FEND };
	assert_encodes(kiss_encode_return(buf, sizeof buf), buf, ret, sizeof ret);

	static const uint8_t q[] = { FEND, 0x16, 'T', 'X', 'B', 'U', 'F', ':', FEND };
	assert_encodes(kiss_encode_txbuf_query(buf, sizeof buf, 1), buf, q, sizeof q);
}

static void test_encode_limits(void **state)
{
	uint8_t buf[8];
	assert_int_equal(kiss_encode(buf, sizeof buf, 16, 0, NULL, 0), 0);
	assert_int_equal(kiss_encode(buf, sizeof buf, 0, 16, NULL, 0), 0);
	/* Too small: reports the need and writes nothing. */
	static const uint8_t payload[] = { FEND, FEND, FEND };
	memset(buf, 0xaa, sizeof buf);
	assert_int_equal(kiss_encode(buf, 8, 0, 0, payload, 3), 9);
	for (size_t i = 0; i < sizeof buf; i++)
		assert_int_equal(buf[i], 0xaa);
	assert_int_equal(kiss_encode(NULL, 0, 0, 0, payload, 3), 9);
	uint8_t big[9];
	assert_int_equal(kiss_encode(big, sizeof big, 0, 0, payload, 3), 9);
}

/* ---------------------------------------------------------------- decoder */

static void test_decode_simple(void **state)
{
	static const uint8_t in[] = { FEND, 0x00, 'A', FESC, TFEND, 'B', FESC, TFESC, FEND };
	struct kiss_decoder d;
	kiss_decoder_init(&d, 0);
	struct kiss_frame f;
	size_t used;
	assert_true(kiss_decoder_next(&d, in, sizeof in, &used, &f));
	assert_int_equal(used, sizeof in);
	assert_int_equal(f.port, 0);
	assert_int_equal(f.cmd, KISS_CMD_DATA);
	static const uint8_t want[] = { 'A', FEND, 'B', FESC };
	assert_int_equal(f.len, sizeof want);
	assert_memory_equal(f.data, want, sizeof want);
	assert_int_equal(d.stats.frames, 1);
}

static void test_decode_next_stops_after_frame(void **state)
{
	static const uint8_t in[] = { FEND, 0x00, 'a', FEND, 0x10, 'b', FEND, 0x20 };
	struct kiss_decoder d;
	kiss_decoder_init(&d, 0);
	struct kiss_frame f;
	size_t used;
	assert_true(kiss_decoder_next(&d, in, sizeof in, &used, &f));
	assert_int_equal(used, 4);
	assert_int_equal(f.len, 1);
	assert_int_equal(f.data[0], 'a');
	assert_true(kiss_decoder_next(&d, in + 4, sizeof in - 4, &used, &f));
	assert_int_equal(used, 3);
	assert_int_equal(f.port, 1);
	assert_int_equal(f.data[0], 'b');
	assert_false(kiss_decoder_next(&d, in + 7, 1, &used, &f));
	assert_int_equal(used, 1);
}

static void test_decode_special_commands(void **state)
{
	static const uint8_t in[] = {
		FEND, 0xff, FEND,              /* Return */
		FEND, FESC, TFEND, 'z', FEND,  /* port 12 data */
		FEND, 0x05, FEND,              /* command without its value */
		FEND, 0x16, 'T', 'X', 'B', 'U', 'F', ':', '4', '2', FEND,
	};
	struct kiss_decoder d;
	struct got g;
	kiss_decoder_init(&d, 0);
	decode_all(&d, in, sizeof in, &g);
	assert_int_equal(g.n, 4);
	assert_got(&g, 0, 15, KISS_CMD_RETURN, NULL, 0);
	assert_got(&g, 1, 12, KISS_CMD_DATA, "z", 1);
	assert_got(&g, 2, 0, KISS_CMD_FULLDUPLEX, NULL, 0);
	assert_got(&g, 3, 1, KISS_CMD_SETHARDWARE, "TXBUF:42", 8);
}

static void test_decode_idle_fends(void **state)
{
	static const uint8_t in[] = { FEND, FEND, FEND, 0x00, 'a', FEND, FEND, FEND, 0x00, 'b', FEND };
	struct kiss_decoder d;
	struct got g;
	kiss_decoder_init(&d, 0);
	decode_all(&d, in, sizeof in, &g);
	assert_int_equal(g.n, 2);
	assert_got(&g, 0, 0, 0, "a", 1);
	assert_got(&g, 1, 0, 0, "b", 1);
	assert_int_equal(d.stats.garbage, 0);
}

static void test_decode_garbage_before(void **state)
{
	static const uint8_t in[] = { 'n', 'o', 'i', 's', 'e', FESC, 0x00, FEND, 0x00, 'a', FEND };
	struct kiss_decoder d;
	struct got g;
	kiss_decoder_init(&d, 0);
	decode_all(&d, in, sizeof in, &g);
	assert_int_equal(g.n, 1);
	assert_got(&g, 0, 0, 0, "a", 1);
	assert_int_equal(d.stats.garbage, 7);
	assert_int_equal(d.stats.bad_escape, 0);
}

static void test_decode_garbage_between(void **state)
{
	/* Bytes between FENDs are a frame to KISS: delivered, for the AX.25
	 * decoder to refuse.  With a broken escape in them they are dropped. */
	static const uint8_t in[] = {
		FEND, 0x00, 'a', FEND,
		'j', 'u', 'n', 'k', FEND,
		'j', FESC, 'u', 'n', 'k', FEND,
		0x00, 'b', FEND,
	};
	struct kiss_decoder d;
	struct got g;
	kiss_decoder_init(&d, 0);
	decode_all(&d, in, sizeof in, &g);
	assert_int_equal(g.n, 3);
	assert_got(&g, 0, 0, 0, "a", 1);
	assert_got(&g, 1, 'j' >> 4, 'j' & 0x0f, "unk", 3);
	assert_got(&g, 2, 0, 0, "b", 1);
	assert_int_equal(d.stats.bad_escape, 1);
	assert_int_equal(d.stats.garbage, 2); /* "nk" after the bad escape */
}

static void test_decode_bad_escapes(void **state)
{
	static const uint8_t in[] = {
		FEND, 0x00, 'a', FESC, FEND,       /* escape cut short by FEND */
		0x00, 'b', FEND,                   /* that FEND opened this frame */
		FEND, 0x00, FESC, FESC, 'c', FEND, /* FESC FESC */
		FEND, 0x00, FESC, 0x00, FEND,      /* FESC then an ordinary byte */
		FEND, FESC, FEND,                  /* escape in the command byte */
		FEND, 0x00, 'd', FEND,
	};
	struct kiss_decoder d;
	struct got g;
	kiss_decoder_init(&d, 0);
	decode_all(&d, in, sizeof in, &g);
	assert_int_equal(g.n, 2);
	assert_got(&g, 0, 0, 0, "b", 1);
	assert_got(&g, 1, 0, 0, "d", 1);
	assert_int_equal(d.stats.bad_escape, 4);
	assert_int_equal(d.stats.frames, 2);
}

static void test_decode_oversized(void **state)
{
	enum { MAX = 16 };
	uint8_t in[64];
	size_t n = 0;
	in[n++] = FEND;
	for (size_t i = 0; i < MAX; i++) /* exactly MAX: command + 15 bytes */
		in[n++] = (uint8_t)(i == 0 ? 0x00 : 'x');
	in[n++] = FEND;
	for (size_t i = 0; i < MAX + 1; i++) /* one too many */
		in[n++] = (uint8_t)(i == 0 ? 0x00 : 'y');
	in[n++] = FEND;
	in[n++] = 0x00;
	in[n++] = 'z';
	in[n++] = FEND;
	struct kiss_decoder d;
	struct got g;
	kiss_decoder_init(&d, MAX);
	decode_all(&d, in, n, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.f[0].len, MAX - 1);
	assert_got(&g, 1, 0, 0, "z", 1);
	assert_int_equal(d.stats.oversized, 1);
}

static void test_decode_oversized_default(void **state)
{
	static uint8_t in[KISS_FRAME_MAX + 16];
	static struct kiss_decoder d;
	struct got g;
	size_t n = 0;
	in[n++] = FEND;
	for (size_t i = 0; i < KISS_FRAME_MAX + 1; i++)
		in[n++] = 0x00;
	in[n++] = FEND;
	in[n++] = 0x00;
	in[n++] = 'z';
	in[n++] = FEND;
	kiss_decoder_init(&d, 0);
	decode_all(&d, in, n, &g);
	assert_int_equal(g.n, 1);
	assert_got(&g, 0, 0, 0, "z", 1);
	assert_int_equal(d.stats.oversized, 1);
	/* An oversized limit asks for more than there is room for: clamped. */
	kiss_decoder_init(&d, KISS_FRAME_MAX * 2);
	assert_int_equal(d.max, KISS_FRAME_MAX);
	/* Largest frame fits. */
	in[KISS_FRAME_MAX + 1] = FEND;
	decode_all(&d, in, KISS_FRAME_MAX + 2, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.f[0].len, KISS_FRAME_MAX - 1);
}

/* A stream with everything in it; every split into two and three chunks
 * gives the frames that one whole feed gives. */
static size_t mixed_stream(uint8_t *out, size_t cap)
{
	static const uint8_t p0[] = { 0x84, FEND, 0x82, FESC, 0x03, 0xf0, TFEND, TFESC };
	static const uint8_t p1[] = { 'T', 'X', 'B', 'U', 'F', ':', '1', '0' };
	size_t n = 0;
	static const uint8_t junk[] = { 'x', FESC, 'y' };
	memcpy(out, junk, sizeof junk);
	n += sizeof junk;
	n += kiss_encode(out + n, cap - n, 0, KISS_CMD_DATA, p0, sizeof p0);
	n += kiss_encode_param(out + n, cap - n, 1, KISS_CMD_TXDELAY, FEND);
	n += kiss_encode(out + n, cap - n, 12, KISS_CMD_DATA, p0, 3);
	out[n++] = FEND;
	n += kiss_encode(out + n, cap - n, 2, KISS_CMD_SETHARDWARE, p1, sizeof p1);
	n += kiss_encode_return(out + n, cap - n);
	assert_true(n <= cap);
	return n;
}

static void test_every_split(void **state)
{
	uint8_t in[128];
	size_t n = mixed_stream(in, sizeof in);
	struct kiss_decoder d;
	struct got whole, g;
	kiss_decoder_init(&d, 0);
	decode_all(&d, in, n, &whole);
	assert_int_equal(whole.n, 5);
	assert_got(&whole, 1, 1, KISS_CMD_TXDELAY, "\xc0", 1);
	assert_got(&whole, 2, 12, KISS_CMD_DATA, "\x84\xc0\x82", 3);
	for (size_t a = 0; a <= n; a++) {
		for (size_t b = a; b <= n; b++) {
			kiss_decoder_init(&d, 0);
			memset(&g, 0, sizeof g);
			kiss_decoder_feed(&d, in, a, collect, &g);
			kiss_decoder_feed(&d, in + a, b - a, collect, &g);
			kiss_decoder_feed(&d, in + b, n - b, collect, &g);
			assert_same_frames(&whole, &g);
		}
	}
	/* Byte by byte. */
	kiss_decoder_init(&d, 0);
	memset(&g, 0, sizeof g);
	for (size_t i = 0; i < n; i++)
		kiss_decoder_feed(&d, in + i, 1, collect, &g);
	assert_same_frames(&whole, &g);
}

static void test_txbuf_parse(void **state)
{
	static const struct { unsigned cmd; const char *s; bool ok; uint32_t v; } c[] = {
		{ KISS_CMD_SETHARDWARE, "TXBUF:0", true, 0 },
		{ KISS_CMD_SETHARDWARE, "TXBUF:12345", true, 12345 },
		{ KISS_CMD_SETHARDWARE, "TXBUF:4294967295", true, 4294967295u },
		{ KISS_CMD_SETHARDWARE, "TXBUF:4294967296", false, 0 },
		{ KISS_CMD_SETHARDWARE, "TXBUF:99999999999999999999999", false, 0 },
		{ KISS_CMD_SETHARDWARE, "TXBUF:", false, 0 },
		{ KISS_CMD_SETHARDWARE, "TXBUF:-1", false, 0 },
		{ KISS_CMD_SETHARDWARE, "TXBUF:12a", false, 0 },
		{ KISS_CMD_SETHARDWARE, "TXBUF", false, 0 },
		{ KISS_CMD_SETHARDWARE, "txbuf:1", false, 0 },
		{ KISS_CMD_SETHARDWARE, "TNC:DIREWOLF 1.7", false, 0 },
		{ KISS_CMD_DATA, "TXBUF:5", false, 0 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct kiss_frame f = { 0, (uint8_t)c[i].cmd, (const uint8_t *)c[i].s, strlen(c[i].s) };
		uint32_t v = 7;
		assert_int_equal(kiss_parse_txbuf(&f, &v), c[i].ok);
		assert_int_equal(v, c[i].ok ? c[i].v : 7);
	}
}

/* The query, answered the way Dire Wolf answers, read back. */
static void test_txbuf_exchange(void **state)
{
	uint8_t q[16];
	size_t n = kiss_encode_txbuf_query(q, sizeof q, 0);
	struct kiss_decoder d;
	struct got g;
	kiss_decoder_init(&d, 0);
	decode_all(&d, q, n, &g);
	assert_got(&g, 0, 0, KISS_CMD_SETHARDWARE, "TXBUF:", 6);

	uint8_t reply[32];
	n = kiss_encode(reply, sizeof reply, 0, KISS_CMD_SETHARDWARE, (const uint8_t *)"TXBUF:377", 9);
	struct kiss_frame f;
	size_t used;
	assert_true(kiss_decoder_next(&d, reply, n, &used, &f));
	uint32_t bytes;
	assert_true(kiss_parse_txbuf(&f, &bytes));
	assert_int_equal(bytes, 377);
}

/* ---------------------------------------------------------------- random */

#define RANDOM_STREAMS 2000

struct sent {
	uint8_t port, cmd;
	uint8_t data[300];
	size_t len;
};

static uint8_t random_byte(struct test_rng *rng)
{
	/* Weighted towards the bytes that matter. */
	static const uint8_t special[] = { FEND, FESC, TFEND, TFESC };
	if (test_rng_below(rng, 4) == 0)
		return special[test_rng_below(rng, 4)];
	return (uint8_t)test_rng_below(rng, 256);
}

static void test_random_streams(void **state)
{
	struct test_rng rng = { 0x4b155 };
	static struct sent sent[8];
	static uint8_t stream[8 * (2 * 301 + 3) + 16];
	for (int round = 0; round < RANDOM_STREAMS; round++) {
		size_t nframes = 1 + test_rng_below(&rng, 8), n = 0;
		for (size_t i = 0; i < nframes; i++) {
			struct sent *s = &sent[i];
			s->port = (uint8_t)test_rng_below(&rng, 16);
			s->cmd = (uint8_t)test_rng_below(&rng, 16);
			s->len = test_rng_below(&rng, sizeof s->data + 1);
			for (size_t j = 0; j < s->len; j++)
				s->data[j] = random_byte(&rng);
			n += kiss_encode(stream + n, sizeof stream - n, s->port, s->cmd, s->data, s->len);
			assert_true(n <= sizeof stream);
		}
		struct kiss_decoder d;
		struct got g;
		kiss_decoder_init(&d, 0);
		memset(&g, 0, sizeof g);
		for (size_t off = 0; off < n;) {
			size_t chunk = 1 + test_rng_below(&rng, (uint32_t)(n - off));
			if (test_rng_below(&rng, 2))
				chunk = 1 + test_rng_below(&rng, chunk < 8 ? (uint32_t)chunk : 8u);
			kiss_decoder_feed(&d, stream + off, chunk, collect, &g);
			off += chunk;
		}
		assert_int_equal(g.n, nframes);
		for (size_t i = 0; i < nframes; i++)
			assert_got(&g, i, sent[i].port, sent[i].cmd, sent[i].data, sent[i].len);
		assert_int_equal(d.stats.garbage + d.stats.bad_escape + d.stats.oversized, 0);
	}
}

/* Random bytes: never more than the limit held, counters add up, and a
 * good frame after the noise always comes through. */
static void test_random_noise_then_frame(void **state)
{
	struct test_rng rng = { 0x9015e };
	static uint8_t noise[512];
	for (int round = 0; round < RANDOM_STREAMS; round++) {
		struct kiss_decoder d;
		struct got g;
		size_t max = 4 + test_rng_below(&rng, 64); /* room for the tail */
		kiss_decoder_init(&d, max);
		size_t n = test_rng_below(&rng, sizeof noise);
		for (size_t i = 0; i < n; i++)
			noise[i] = random_byte(&rng);
		decode_all(&d, noise, n, &g);
		assert_true(d.len <= d.max);
		for (size_t i = 0; i < g.n; i++)
			assert_true(g.f[i].len + 1 <= max);
		uint8_t tail[8];
		size_t t = kiss_encode(tail, sizeof tail, 0, 0, (const uint8_t *)"ok", 2);
		decode_all(&d, tail, t, &g);
		/* The tail's leading FEND may close a noise frame first. */
		assert_true(g.n >= 1);
		assert_got(&g, g.n - 1, 0, 0, "ok", 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_plain),
		cmocka_unit_test(test_encode_escapes),
		cmocka_unit_test(test_encode_command_byte_escaped),
		cmocka_unit_test(test_encode_params),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_decode_simple),
		cmocka_unit_test(test_decode_next_stops_after_frame),
		cmocka_unit_test(test_decode_special_commands),
		cmocka_unit_test(test_decode_idle_fends),
		cmocka_unit_test(test_decode_garbage_before),
		cmocka_unit_test(test_decode_garbage_between),
		cmocka_unit_test(test_decode_bad_escapes),
		cmocka_unit_test(test_decode_oversized),
		cmocka_unit_test(test_decode_oversized_default),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_txbuf_parse),
		cmocka_unit_test(test_txbuf_exchange),
		cmocka_unit_test(test_random_streams),
		cmocka_unit_test(test_random_noise_then_frame),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
