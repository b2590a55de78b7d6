/* The radio link's frame discipline (radio_link.h says what and why). */
#include "src/sys/radio_link.h"

#include <stdlib.h>
#include <string.h>

#include "proto/callsign_ll.h"

#define BABEL_MAGIC 42
#define NEVER UINT64_MAX
#define ID_TEXT " maille"
/* HDLC flags and FCS around each frame on the air. */
#define FRAME_OVERHEAD 4

struct slot {
	size_t len;
	bool babel;
	uint8_t *frame;
};

struct fifo {
	struct slot *slots;
	size_t cap, head, n;
};

struct radio_link {
	struct radio_link_config cfg;
	struct radio_link_ops ops;
	void *ctx;
	uint64_t now;
	uint64_t rng;
	struct ax25_addr babel_group, id_dst;
	struct link_addr ll;
	size_t frame_max;
	struct fifo routing, data;
	bool up;
	bool draining; /* shutting down: radio_link_drain_start() */

	/* transmission */
	uint64_t send_at;      /* jitter drawn for the next transmission; 0: none */
	uint64_t air_free_at;  /* when what we handed over should be off the air */
	bool tnc_busy;         /* handed a frame; TXBUF has not read 0 since */
	uint64_t frame_gen;    /* frames handed over */
	enum radio_txbuf_mode txbuf;
	bool query_out;        /* a query is outstanding */
	uint64_t query_gen;    /* frame_gen when it was sent */
	uint64_t query_at, next_query_at;
	unsigned unanswered;

	/* budget, in thousandths of a byte */
	uint64_t tokens, tokens_max, rate; /* rate: per second */
	uint64_t tokens_at;

	/* identification */
	bool identified;
	uint64_t id_at;
	bool tx_since_id;

	struct radio_link_stats st;
};

/* ------------------------------------------------------------ helpers */

static uint64_t rng_next(struct radio_link *l)
{
	/* xorshift64*: good enough for jitter, and reproducible. */
	uint64_t x = l->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	l->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static int fifo_init(struct fifo *q, size_t cap, size_t frame_max)
{
	q->slots = calloc(cap, sizeof(*q->slots));
	if (!q->slots)
		return -1;
	q->cap = cap;
	q->head = q->n = 0;
	for (size_t i = 0; i < cap; i++) {
		q->slots[i].frame = malloc(frame_max);
		if (!q->slots[i].frame)
			return -1;
	}
	return 0;
}

static void fifo_free(struct fifo *q)
{
	if (!q->slots)
		return;
	for (size_t i = 0; i < q->cap; i++)
		free(q->slots[i].frame);
	free(q->slots);
	q->slots = NULL;
}

static struct slot *fifo_head(struct fifo *q)
{
	return q->n ? &q->slots[q->head] : NULL;
}

static void fifo_pop(struct fifo *q)
{
	q->head = (q->head + 1) % q->cap;
	q->n--;
}

/* A slot at the tail; the oldest frame is dropped when full (*dropped). */
static struct slot *fifo_push(struct fifo *q, bool *dropped)
{
	*dropped = false;
	if (q->n == q->cap) {
		fifo_pop(q);
		*dropped = true;
	}
	struct slot *s = &q->slots[(q->head + q->n) % q->cap];
	q->n++;
	return s;
}

/* Bits on the air for a frame of len octets: the frame, its FCS and
 * flags, and bit stuffing, which adds a bit after five ones: a sixth at
 * worst, about one in 62 on random data; a tenth is counted, so that the
 * estimate errs on the side of the channel. */
static uint64_t frame_bits(size_t len)
{
	uint64_t bits = (uint64_t)(len + FRAME_OVERHEAD) * 8u;
	return bits + bits / 10;
}

uint32_t radio_link_frame_cost(const struct radio_link *l, size_t len)
{
	/* In byte times at the channel rate: what the frame keeps the
	 * transmitter keyed, TX delay and tail included. */
	uint64_t keyed_ms = (uint64_t)l->cfg.txdelay_ms + l->cfg.txtail_ms;
	uint64_t extra = (keyed_ms * l->cfg.baud + 7999u) / 8000u;
	return (uint32_t)((frame_bits(len) + 7u) / 8u + extra);
}

static uint64_t airtime_ms(const struct radio_link *l, size_t len)
{
	return l->cfg.txdelay_ms + l->cfg.txtail_ms +
	       (frame_bits(len) * 1000u + l->cfg.baud - 1) / l->cfg.baud;
}

/* Takes a frame's cost from routing's budget; past it, the bucket is
 * empty and what comes next waits for the refill. */
static void charge(struct radio_link *l, uint32_t cost)
{
	uint64_t c = 1000u * (uint64_t)cost;
	l->tokens = l->tokens >= c ? l->tokens - c : 0;
	l->st.tx_routing_cost += cost;
}

static void refill(struct radio_link *l, uint64_t now)
{
	if (now > l->tokens_at) {
		uint64_t add = (now - l->tokens_at) * l->rate / 1000u;
		l->tokens = l->tokens + add > l->tokens_max ? l->tokens_max : l->tokens + add;
	}
	l->tokens_at = now;
}

/* ------------------------------------------------------------ life cycle */

struct radio_link *radio_link_new(const struct radio_link_config *cfg,
				  const struct radio_link_ops *ops, void *ctx, uint64_t now_ms,
				  uint64_t seed)
{
	if (ax25_addr_check(&cfg->call) != AX25_OK)
		return NULL; /* never transmit without a callsign */
	struct radio_link *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->cfg = *cfg;
	if (!l->cfg.baud)
		l->cfg.baud = 1200;
	if (!l->cfg.paclen)
		l->cfg.paclen = AX25_PACLEN_DEFAULT;
	if (!l->cfg.airtime_pct || l->cfg.airtime_pct > 100)
		l->cfg.airtime_pct = 5;
	if (!l->cfg.jitter_max_ms) {
		uint32_t j = 600000u / l->cfg.baud;
		l->cfg.jitter_max_ms = j < 20 ? 20 : j > 1000 ? 1000 : j;
	}
	l->ops = *ops;
	l->ctx = ctx;
	l->now = now_ms;
	l->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
	ax25_addr_parse("BABEL", 5, &l->babel_group);
	ax25_addr_parse("ID", 2, &l->id_dst);
	uint8_t ll[CALLSIGN_LL_LEN];
	callsign_to_ll(&l->cfg.call, ll);
	memcpy(l->ll.a, ll, 16);
	l->frame_max = AX25_HEADER_MIN + l->cfg.paclen;
	if (fifo_init(&l->routing, RADIO_ROUTING_SLOTS, l->frame_max) < 0 ||
	    fifo_init(&l->data, RADIO_DATA_SLOTS, l->frame_max) < 0) {
		radio_link_free(l);
		return NULL;
	}
	/* bytes/s = baud/8 * P/100, kept in thousandths of a byte. */
	l->rate = (uint64_t)l->cfg.baud * l->cfg.airtime_pct * 10u / 8u;
	l->tokens_max = l->rate * RADIO_BUDGET_WINDOW_MS / 1000u;
	uint64_t two = 2000u * radio_link_frame_cost(l, l->frame_max);
	if (l->tokens_max < two)
		l->tokens_max = two;
	/* Start full: a cold start gets its burst of requests and dumps. */
	l->tokens = l->tokens_max;
	l->tokens_at = now_ms;
	return l;
}

void radio_link_free(struct radio_link *l)
{
	if (!l)
		return;
	fifo_free(&l->routing);
	fifo_free(&l->data);
	free(l);
}

void radio_link_ll(const struct radio_link *l, struct link_addr *out)
{
	*out = l->ll;
}

static void reset_flow(struct radio_link *l, uint64_t now)
{
	l->send_at = 0;
	l->air_free_at = now;
	l->tnc_busy = false;
	l->query_out = false;
	l->next_query_at = now;
	l->unanswered = 0;
	/* A different TNC may answer now: learn again. */
	l->txbuf = RADIO_TXBUF_UNKNOWN;
}

void radio_link_tnc_up(struct radio_link *l, uint64_t now_ms)
{
	l->now = now_ms;
	l->up = true;
	reset_flow(l, now_ms);
}

void radio_link_tnc_down(struct radio_link *l, uint64_t now_ms)
{
	l->now = now_ms;
	l->up = false;
	l->st.drop_down += l->routing.n + l->data.n;
	l->routing.n = l->data.n = 0;
	reset_flow(l, now_ms);
}

bool radio_link_is_up(const struct radio_link *l)
{
	return l->up;
}

/* ------------------------------------------------------------ receive */

void radio_link_input(struct radio_link *l, const struct kiss_frame *f, uint64_t now_ms)
{
	if (now_ms > l->now)
		l->now = now_ms;
	if (f->port != 0) {
		l->st.rx_other_port++;
		return;
	}
	if (f->cmd == KISS_CMD_SETHARDWARE) {
		uint32_t bytes;
		if (!kiss_parse_txbuf(f, &bytes)) {
			l->st.rx_other_cmd++;
			return;
		}
		l->st.txbuf_answers++;
		l->txbuf = RADIO_TXBUF_YES;
		l->unanswered = 0;
		if (l->query_out) {
			l->query_out = false;
			/* Only an answer to a query sent after our last frame
			 * says that frame has left the TNC's queue. */
			if (bytes == 0 && l->query_gen == l->frame_gen)
				l->tnc_busy = false;
		}
		return;
	}
	if (f->cmd != KISS_CMD_DATA) {
		l->st.rx_other_cmd++;
		return;
	}
	l->st.rx_frames++;
	if (l->ops.capture)
		l->ops.capture(l->ctx, f->data, f->len, false);
	struct ax25_ui ui;
	enum ax25_reason r = ax25_ui_decode(f->data, f->len, &ui);
	if (r != AX25_OK) {
		if (ax25_reason_verdict(r) == AX25_VERDICT_IGNORE)
			l->st.rx_not_ui++;
		else
			l->st.rx_malformed++;
		return;
	}
	if (ax25_addr_equal(&ui.src, &l->cfg.call)) {
		l->st.rx_own++; /* our own frame, through a digipeater or a loop */
		return;
	}
	if (ui.ndigi) {
		/* Babel's link is what one station hears directly. */
		l->st.rx_digipeated++;
		return;
	}
	bool mcast = ax25_addr_equal(&ui.dst, &l->babel_group);
	if (!mcast && !ax25_addr_equal(&ui.dst, &l->cfg.call)) {
		if (ax25_addr_equal(&ui.dst, &l->id_dst))
			l->st.rx_id++;
		else
			l->st.rx_other_dst++;
		return;
	}
	if (ui.pid == AX25_PID_NO_L3 && ui.info_len > 0 && ui.info[0] == BABEL_MAGIC) {
		uint8_t ll[CALLSIGN_LL_LEN];
		if (callsign_to_ll(&ui.src, ll) != AX25_OK) {
			l->st.rx_malformed++;
			return;
		}
		struct link_addr from;
		memcpy(from.a, ll, 16);
		l->st.rx_babel++;
		l->ops.babel_in(l->ctx, &from, mcast, ui.info, ui.info_len);
		return;
	}
	if (!mcast && l->ops.data_in && (ui.pid == AX25_PID_IPV4 || ui.pid == AX25_PID_NO_L3)) {
		l->st.rx_data++;
		l->ops.data_in(l->ctx, &ui.src, ui.pid, ui.info, ui.info_len);
		return;
	}
	l->st.rx_other_pid++;
}

/* ------------------------------------------------------------ send */

static int encode(struct radio_link *l, const struct ax25_addr *dst, uint8_t pid,
		  const uint8_t *info, size_t len, uint8_t *buf, size_t *out)
{
	struct ax25_ui ui;
	memset(&ui, 0, sizeof(ui));
	ui.dst = *dst;
	ui.src = l->cfg.call;
	ui.cr = AX25_CR_COMMAND;
	ui.pid = pid;
	ui.info = info;
	ui.info_len = len;
	size_t need;
	if (ax25_ui_encode(&ui, l->cfg.paclen, buf, l->frame_max, &need) != AX25_OK)
		return -1;
	*out = need;
	return 0;
}

int radio_link_send_babel(struct radio_link *l, const struct link_addr *to, const uint8_t *pkt,
			  size_t len, uint64_t now_ms)
{
	if (now_ms > l->now)
		l->now = now_ms;
	if (!l->up) {
		l->st.drop_down++;
		return -1;
	}
	if (len > l->cfg.paclen) {
		l->st.drop_too_long++;
		return -1;
	}
	struct ax25_addr dst = l->babel_group;
	if (to && callsign_from_ll(to->a, &dst) != AX25_OK) {
		l->st.drop_bad_dst++;
		return -1;
	}
	bool dropped;
	struct slot *s = fifo_push(&l->routing, &dropped);
	if (dropped)
		l->st.drop_routing_full++;
	if (encode(l, &dst, AX25_PID_NO_L3, pkt, len, s->frame, &s->len) < 0) {
		l->routing.n--; /* the slot just pushed */
		l->st.drop_too_long++;
		return -1;
	}
	s->babel = true;
	return 0;
}

int radio_link_send_data(struct radio_link *l, const struct ax25_addr *dst, uint8_t pid,
			 const uint8_t *payload, size_t len)
{
	if (!l->up) {
		l->st.drop_down++;
		return -1;
	}
	if (len > l->cfg.paclen) {
		l->st.drop_too_long++;
		return -1;
	}
	if (ax25_addr_check(dst) != AX25_OK) {
		l->st.drop_bad_dst++;
		return -1;
	}
	bool dropped;
	struct slot *s = fifo_push(&l->data, &dropped);
	if (dropped)
		l->st.drop_data_full++;
	if (encode(l, dst, pid, payload, len, s->frame, &s->len) < 0) {
		l->data.n--;
		l->st.drop_too_long++;
		return -1;
	}
	s->babel = false;
	return 0;
}

/* Hands one frame to the TNC and accounts for it. */
static bool transmit(struct radio_link *l, const uint8_t *frame, size_t len, uint64_t now)
{
	if (l->ops.tnc_send(l->ctx, frame, len) < 0) {
		l->st.drop_tnc_refused++;
		return false;
	}
	if (l->ops.capture)
		l->ops.capture(l->ctx, frame, len, true);
	l->st.tx_frames++;
	l->st.tx_bytes += len;
	l->frame_gen++;
	l->tnc_busy = true;
	uint64_t start = l->air_free_at > now ? l->air_free_at : now;
	l->air_free_at = start + airtime_ms(l, len);
	l->send_at = 0;
	/* The next poll looks at this frame: don't wait out the interval. */
	l->next_query_at = now;
	return true;
}

static bool send_id(struct radio_link *l, uint64_t now)
{
	char text[AX25_ADDR_TEXT_MAX + sizeof(ID_TEXT)];
	size_t n = ax25_addr_format(&l->cfg.call, text, sizeof(text));
	memcpy(text + n, ID_TEXT, sizeof(ID_TEXT) - 1);
	n += sizeof(ID_TEXT) - 1;
	uint8_t frame[AX25_HEADER_MIN + sizeof(text)];
	struct ax25_ui ui;
	memset(&ui, 0, sizeof(ui));
	ui.dst = l->id_dst;
	ui.src = l->cfg.call;
	ui.pid = AX25_PID_NO_L3;
	ui.info = (const uint8_t *)text;
	ui.info_len = n;
	size_t need;
	if (ax25_ui_encode(&ui, sizeof(text), frame, sizeof(frame), &need) != AX25_OK)
		return false;
	if (!transmit(l, frame, need, now))
		return false;
	l->st.tx_id++;
	/* Identification is the price of transmitting at all; it is counted
	 * against routing's share, so that the budget holds for everything
	 * but data. */
	charge(l, radio_link_frame_cost(l, need));
	l->identified = true;
	l->id_at = now;
	l->tx_since_id = false;
	return true;
}

static bool tnc_free(const struct radio_link *l, uint64_t now)
{
	if (l->draining)
		return true;
	if (l->txbuf == RADIO_TXBUF_YES)
		return !l->tnc_busy;
	return now >= l->air_free_at;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* TXBUF polling: only while something waits and the TNC may be busy. */
static uint64_t poll_txbuf(struct radio_link *l, uint64_t now)
{
	/* While draining, the poll goes on with empty queues: its answer
	 * says when the last frame has left the TNC. */
	bool waiting = l->routing.n || l->data.n || l->draining;
	if (!waiting || !l->tnc_busy || l->txbuf == RADIO_TXBUF_NO)
		return NEVER;
	if (l->query_out) {
		if (now - l->query_at < RADIO_TXBUF_TIMEOUT_MS)
			return l->query_at + RADIO_TXBUF_TIMEOUT_MS;
		l->query_out = false;
		l->st.txbuf_timeouts++;
		if (++l->unanswered >= RADIO_TXBUF_GIVE_UP) {
			/* It never answers (or stopped): pace by airtime. */
			l->txbuf = RADIO_TXBUF_NO;
			return NEVER;
		}
	}
	if (now < l->next_query_at)
		return l->next_query_at;
	if (l->ops.tnc_query(l->ctx) < 0)
		return now + RADIO_TXBUF_POLL_MS;
	l->st.txbuf_queries++;
	l->query_out = true;
	l->query_gen = l->frame_gen;
	l->query_at = now;
	l->next_query_at = now + RADIO_TXBUF_POLL_MS;
	return now + RADIO_TXBUF_TIMEOUT_MS;
}

uint64_t radio_link_run(struct radio_link *l, uint64_t now_ms)
{
	uint64_t now = now_ms > l->now ? now_ms : l->now;
	l->now = now;
	if (!l->up)
		return NEVER;
	refill(l, now);
	uint64_t next = NEVER;
	for (;;) {
		if (!tnc_free(l, now)) {
			if (l->txbuf != RADIO_TXBUF_YES)
				next = min64(next, l->air_free_at);
			break;
		}
		struct slot *rt = fifo_head(&l->routing), *dt = fifo_head(&l->data);
		uint32_t cost = rt ? radio_link_frame_cost(l, rt->len) : 0;
		bool rt_ok = rt && (l->draining || l->tokens >= 1000u * (uint64_t)cost);
		if (rt && !rt_ok) {
			l->st.budget_waits++;
			uint64_t lack = 1000u * (uint64_t)cost - l->tokens;
			next = min64(next, now + (lack * 1000u + l->rate - 1) / l->rate);
		}
		bool id_periodic = l->tx_since_id && now - l->id_at >= RADIO_ID_INTERVAL_MS;
		bool have = rt_ok || dt;
		if (!have && !id_periodic) {
			if (l->tx_since_id)
				next = min64(next, l->id_at + RADIO_ID_INTERVAL_MS);
			break;
		}
		if (!l->send_at)
			l->send_at = now + (l->draining ? 0 : rng_next(l) % (l->cfg.jitter_max_ms + 1u));
		if (now < l->send_at) {
			next = min64(next, l->send_at);
			break;
		}
		if (id_periodic || (have && (!l->identified ||
					     now - l->id_at >= RADIO_ID_INTERVAL_MS))) {
			if (!send_id(l, now))
				break;
			continue;
		}
		bool ok;
		if (rt_ok) {
			ok = transmit(l, rt->frame, rt->len, now);
			if (ok) {
				charge(l, cost);
				l->st.tx_babel++;
			}
			fifo_pop(&l->routing);
		} else {
			ok = transmit(l, dt->frame, dt->len, now);
			if (ok)
				l->st.tx_data++;
			fifo_pop(&l->data);
		}
		if (!ok)
			break;
		l->tx_since_id = true;
	}
	next = min64(next, poll_txbuf(l, now));
	return next;
}

void radio_link_drain_start(struct radio_link *l, uint64_t now_ms)
{
	if (now_ms > l->now)
		l->now = now_ms;
	l->draining = true;
	l->st.drop_down += l->data.n;
	l->data.n = 0;
	/* A draw made before may lie ahead: no more waiting. */
	l->send_at = 0;
}

bool radio_link_drained(const struct radio_link *l, uint64_t now_ms)
{
	if (!l->up)
		return true; /* nothing more can go */
	if (l->routing.n)
		return false;
	if (l->txbuf == RADIO_TXBUF_YES)
		return !l->tnc_busy;
	return now_ms >= l->air_free_at;
}

const struct radio_link_stats *radio_link_get_stats(const struct radio_link *l)
{
	return &l->st;
}

enum radio_txbuf_mode radio_link_txbuf_mode(const struct radio_link *l)
{
	return l->txbuf;
}

size_t radio_link_queued(const struct radio_link *l, bool routing)
{
	return routing ? l->routing.n : l->data.n;
}

uint32_t radio_link_budget(const struct radio_link *l)
{
	return (uint32_t)(l->tokens / 1000u);
}

uint64_t radio_link_budget_rate(const struct radio_link *l)
{
	return l->rate;
}

uint64_t radio_link_air_free_at(const struct radio_link *l)
{
	return l->air_free_at;
}
