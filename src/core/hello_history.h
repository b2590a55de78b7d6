/* Hello history of one neighbour for one kind of Hello (RFC 8966 3.4.1 and
 * Appendix A.1).
 *
 * A neighbour has two, kept apart: one for Multicast Hellos and one for
 * Unicast Hellos, each with its own expected seqno and its own timer (the
 * timer is the engine's: when it expires the engine calls
 * hello_history_missed and re-arms it with the interval of the last Hello of
 * that kind).
 *
 * The history is the outcome of the last 16 Hello intervals, one bit each,
 * bit 0 the most recent (1 = received). On receiving seqno nr with ne
 * expected, Appendix A.1 says:
 *   - nr and ne differ by more than 16 (modulo 2^16): the sender has
 *     probably rebooted; the history is flushed (HELLO_RESET: A.1 flushes
 *     the whole neighbour entry, which is the engine's decision);
 *   - nr < ne (modulo 2^16): the sender has increased its interval without
 *     our noticing: the last (ne - nr) entries are removed ("undo");
 *     a duplicated or reordered Hello lands here too;
 *   - nr > ne: Hellos were lost: (nr - ne) zeros are added ("fast-forward");
 * then a 1 is appended and ne becomes nr + 1.
 * The comparison is the usual one of 16-bit seqnos: nr - ne taken modulo
 * 2^16 as a signed number, so 65535 is followed by 0.
 *
 * The history also counts how many of its 16 bits are real observations
 * (len): right after the first Hello only one interval has been seen, and
 * ETX should say "1 of 1", not "1 of 16".
 */
#ifndef MAILLE_CORE_HELLO_HISTORY_H
#define MAILLE_CORE_HELLO_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#define HELLO_HISTORY_BITS 16
/* RFC 8966 A.1: a larger difference between received and expected seqno
 * means the sender restarted. */
#define HELLO_HISTORY_MAX_GAP 16

struct hello_history {
	uint16_t bits;     /* bit 0 = most recent interval, 1 = Hello received */
	uint16_t expected; /* ne: seqno of the next Hello we expect */
	uint8_t len;       /* how many of the bits are observations (0..16) */
	bool started;      /* a Hello of this kind was ever received */
};

/* What a received Hello did to the history. */
enum hello_event {
	HELLO_FIRST,     /* first Hello of this kind: history started */
	HELLO_IN_ORDER,  /* nr == ne */
	HELLO_LOST,      /* nr > ne: some Hellos were missed (fast-forward) */
	HELLO_UNDONE,    /* nr < ne: entries taken back (interval grew, or a duplicate) */
	HELLO_RESET,     /* |nr - ne| > 16: history flushed, sender probably restarted */
};

/* An empty history that has seen nothing. */
void hello_history_init(struct hello_history *h);

/* Records the receipt of a Hello with SEQNO (A.1). */
enum hello_event hello_history_receive(struct hello_history *h, uint16_t seqno);

/* The Hello timer expired: a 0 is added and ne incremented (A.1). Does
 * nothing to a history that never started. Returns whether the history is
 * now empty (only zeros): when both of a neighbour's histories are empty
 * A.1 flushes the neighbour. */
bool hello_history_missed(struct hello_history *h);

/* Whether the history holds no received Hello (never started, all lost). */
bool hello_history_empty(const struct hello_history *h);

/* How many of the last J intervals (1..16; larger means 16) had their Hello
 * received. Intervals before the first Hello count as not received. */
unsigned hello_history_received(const struct hello_history *h, unsigned j);

/* How many of the 16 bits are observations. */
static inline unsigned hello_history_len(const struct hello_history *h)
{
	return h->len;
}

/* The signed distance a - b between two 16-bit seqnos (RFC 8966 3.2.1:
 * modulo 2^16). -32768 when they are exactly half the circle apart. */
int32_t hello_seqno_diff(uint16_t a, uint16_t b);

#endif
