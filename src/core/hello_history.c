/* Hello history (RFC 8966 Appendix A.1); see hello_history.h. */
#include "src/core/hello_history.h"

void hello_history_init(struct hello_history *h)
{
	h->bits = 0;
	h->expected = 0;
	h->len = 0;
	h->started = false;
}

int32_t hello_seqno_diff(uint16_t a, uint16_t b)
{
	uint32_t u = (uint32_t)(uint16_t)(a - b);
	return u < 0x8000 ? (int32_t)u : (int32_t)u - 0x10000;
}

/* Adds N entries of 0 as the most recent ones (N <= 16). */
static void push_zeros(struct hello_history *h, unsigned n)
{
	h->bits = (uint16_t)((uint32_t)h->bits << n);
	h->len = (uint8_t)(h->len + n > HELLO_HISTORY_BITS ? HELLO_HISTORY_BITS : h->len + n);
}

static void push_one(struct hello_history *h)
{
	push_zeros(h, 1);
	h->bits |= 1;
}

/* Takes back the N most recent entries (N <= 16). */
static void undo(struct hello_history *h, unsigned n)
{
	h->bits = (uint16_t)((uint32_t)h->bits >> n);
	h->len = (uint8_t)(h->len > n ? h->len - n : 0);
}

enum hello_event hello_history_receive(struct hello_history *h, uint16_t seqno)
{
	enum hello_event ev;
	if (!h->started) {
		h->started = true;
		h->bits = 0;
		h->len = 0;
		ev = HELLO_FIRST;
	} else {
		int32_t d = hello_seqno_diff(seqno, h->expected);
		if (d > HELLO_HISTORY_MAX_GAP || d < -HELLO_HISTORY_MAX_GAP) {
			h->bits = 0;
			h->len = 0;
			ev = HELLO_RESET;
		} else if (d < 0) {
			undo(h, (unsigned)-d);
			ev = HELLO_UNDONE;
		} else if (d > 0) {
			push_zeros(h, (unsigned)d);
			ev = HELLO_LOST;
		} else {
			ev = HELLO_IN_ORDER;
		}
	}
	push_one(h);
	h->expected = (uint16_t)(seqno + 1);
	return ev;
}

bool hello_history_missed(struct hello_history *h)
{
	if (!h->started)
		return true;
	push_zeros(h, 1);
	h->expected = (uint16_t)(h->expected + 1);
	return h->bits == 0;
}

bool hello_history_empty(const struct hello_history *h)
{
	return h->bits == 0;
}

static unsigned popcount16(uint16_t v)
{
	unsigned n = 0;
	while (v) {
		v &= (uint16_t)(v - 1);
		n++;
	}
	return n;
}

unsigned hello_history_received(const struct hello_history *h, unsigned j)
{
	if (j == 0)
		return 0;
	if (j >= HELLO_HISTORY_BITS)
		return popcount16(h->bits);
	return popcount16((uint16_t)(h->bits & ((1u << j) - 1)));
}
