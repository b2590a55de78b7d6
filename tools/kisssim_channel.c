/* The simulated radio channel: see kisssim_channel.h for the model. */
#include "tools/kisssim_channel.h"

#include <stdlib.h>
#include <string.h>

#include "src/core/random.h"

#define TEN_MS 10000u

struct frame {
	size_t len;
	uint8_t data[KSC_FRAME_MAX];
};

enum st_state { ST_IDLE, ST_WAIT, ST_TX };

struct tx {
	uint64_t start, frame_end, key_end, airtime;
	bool reported; /* frame_end has passed */
	uint32_t collided, deaf;
	struct frame f;
};

struct station {
	enum st_state state;
	bool present;
	uint64_t next_check; /* ST_WAIT */
	struct ksc_params p;
	struct rng access; /* persistence draws: one stream per station */
	/* Ring of queued frames. */
	struct frame q[KSC_QUEUE_FRAMES];
	unsigned head, count;
	uint32_t qbytes;
	struct tx tx; /* ST_TX */
	struct ksc_station_stats stats;
};

struct ksc_channel {
	struct ksc_config cfg;
	ksc_report_fn *fn;
	void *ctx;
	struct rng loss; /* loss draws, apart so access draws do not shift them */
	uint64_t now, start;
	unsigned nkeyed;   /* transmitters keyed right now */
	uint64_t busy_since, busy_us;
	struct station st[KSC_STATIONS_MAX];
};

uint64_t ksc_airtime_us(size_t len, uint32_t baud)
{
	if (baud == 0)
		return 0;
	uint64_t data_bits = 8 * ((uint64_t)len + 2);
	uint64_t stuff = (data_bits + 61) / 62;
	uint64_t bits = 16 + data_bits + stuff;
	return (bits * 1000000u + baud - 1) / baud;
}

struct ksc_channel *ksc_new(const struct ksc_config *cfg, uint64_t start_us, ksc_report_fn *fn,
			    void *ctx, const char **why)
{
	if (cfg->nstations < 1 || cfg->nstations > KSC_STATIONS_MAX) {
		*why = "the number of stations must be 1..16";
		return NULL;
	}
	if (cfg->baud == 0) {
		*why = "the baud rate must be above 0";
		return NULL;
	}
	for (unsigned a = 0; a < cfg->nstations; a++)
		for (unsigned b = 0; b < cfg->nstations; b++)
			if (!(cfg->loss[a][b] >= 0.0 && cfg->loss[a][b] <= 1.0)) {
				*why = "a loss probability is outside 0..1";
				return NULL;
			}
	struct ksc_channel *c = calloc(1, sizeof *c);
	if (!c) {
		*why = "out of memory";
		return NULL;
	}
	c->cfg = *cfg;
	/* A station never hears itself: its own frame is not a reception. */
	for (unsigned a = 0; a < KSC_STATIONS_MAX; a++)
		c->cfg.hear[a][a] = false;
	c->fn = fn;
	c->ctx = ctx;
	c->now = c->start = start_us;
	rng_seed(&c->loss, cfg->seed ^ 0x6c6f7373u);
	for (unsigned i = 0; i < cfg->nstations; i++) {
		struct station *s = &c->st[i];
		s->present = true;
		s->p = cfg->params;
		rng_seed(&s->access, cfg->seed + 0x9e3779b97f4a7c15ull * (i + 1));
	}
	return c;
}

void ksc_free(struct ksc_channel *c)
{
	free(c);
}

static uint64_t station_event(const struct station *s)
{
	switch (s->state) {
	case ST_WAIT:
		return s->next_check;
	case ST_TX:
		return s->tx.reported ? s->tx.key_end : s->tx.frame_end;
	case ST_IDLE:
		break;
	}
	return UINT64_MAX;
}

uint64_t ksc_next_event(const struct ksc_channel *c)
{
	uint64_t t = UINT64_MAX;
	for (unsigned i = 0; i < c->cfg.nstations; i++) {
		uint64_t e = station_event(&c->st[i]);
		if (e < t)
			t = e;
	}
	return t;
}

static bool keyed_at(const struct station *s, uint64_t t)
{
	return s->state == ST_TX && s->tx.start <= t && t < s->tx.key_end;
}

/* Station k keys up at t: every transmission on the air at t overlaps it. */
static void mark_overlaps(struct ksc_channel *c, unsigned k, uint64_t t)
{
	struct station *sk = &c->st[k];
	unsigned n = c->cfg.nstations;
	for (unsigned i = 0; i < n; i++) {
		struct station *si = &c->st[i];
		if (i == k || !keyed_at(si, t))
			continue;
		/* i's frame is still in its window: k garbles it where heard. */
		if (t < si->tx.frame_end) {
			si->tx.deaf |= 1u << k;
			for (unsigned r = 0; r < n; r++)
				if (r != i && r != k && c->cfg.hear[k][r])
					si->tx.collided |= 1u << r;
		}
		/* i is keyed at k's start: deaf to k, and its carrier garbles
		 * k's frame at every receiver that hears i. */
		sk->tx.deaf |= 1u << i;
		for (unsigned r = 0; r < n; r++)
			if (r != i && r != k && c->cfg.hear[i][r])
				sk->tx.collided |= 1u << r;
	}
}

static void start_tx(struct ksc_channel *c, unsigned k, uint64_t t)
{
	struct station *s = &c->st[k];
	struct frame *f = &s->q[s->head];
	s->tx.f.len = f->len;
	memcpy(s->tx.f.data, f->data, f->len);
	s->head = (s->head + 1) % KSC_QUEUE_FRAMES;
	s->count--;
	s->qbytes -= (uint32_t)f->len;

	s->tx.start = t;
	s->tx.airtime = ksc_airtime_us(f->len, c->cfg.baud);
	s->tx.frame_end = t + (uint64_t)s->p.txdelay * TEN_MS + s->tx.airtime;
	s->tx.key_end = s->tx.frame_end + (uint64_t)s->p.txtail * TEN_MS;
	s->tx.reported = false;
	s->tx.collided = s->tx.deaf = 0;
	mark_overlaps(c, k, t);
	s->state = ST_TX;
	s->stats.frames_sent++;
	if (c->nkeyed++ == 0)
		c->busy_since = t;
}

static bool draw_loss(struct ksc_channel *c, double p)
{
	if (p <= 0.0)
		return false;
	if (p >= 1.0)
		return true;
	double u = (double)(rng_next(&c->loss) >> 11) * (1.0 / 9007199254740992.0);
	return u < p;
}

static void frame_end(struct ksc_channel *c, unsigned k)
{
	struct station *s = &c->st[k];
	struct ksc_report r = {
		.station = k,
		.start_us = s->tx.start,
		.frame_end_us = s->tx.frame_end,
		.key_end_us = s->tx.key_end,
		.airtime_us = s->tx.airtime,
		.data = s->tx.f.data,
		.len = s->tx.f.len,
	};
	for (unsigned i = 0; i < c->cfg.nstations; i++) {
		if (!c->cfg.hear[k][i])
			continue;
		uint32_t bit = 1u << i;
		struct ksc_station_stats *rs = &c->st[i].stats;
		if (!c->st[i].present) {
			r.absent |= bit;
			rs->rx_absent++;
		} else if (s->tx.deaf & bit) {
			r.deaf |= bit;
			rs->rx_deaf++;
		} else if (s->tx.collided & bit) {
			r.collided |= bit;
			rs->rx_collided++;
		} else if (draw_loss(c, c->cfg.loss[k][i])) {
			r.lost |= bit;
			rs->rx_lost++;
		} else {
			r.delivered |= bit;
			rs->rx_delivered++;
		}
	}
	s->tx.reported = true;
	if (c->fn)
		c->fn(c->ctx, &r);
}

static void key_end(struct ksc_channel *c, unsigned k)
{
	struct station *s = &c->st[k];
	s->stats.keyed_us += s->tx.key_end - s->tx.start;
	if (--c->nkeyed == 0)
		c->busy_us += s->tx.key_end - c->busy_since;
	if (s->count > 0) {
		s->state = ST_WAIT;
		s->next_check = s->tx.key_end;
	} else {
		s->state = ST_IDLE;
	}
}

static void check(struct ksc_channel *c, unsigned k, uint64_t t)
{
	struct station *s = &c->st[k];
	if (s->count == 0) {
		s->state = ST_IDLE;
		return;
	}
	if (!s->p.fullduplex) {
		uint64_t clear_at = 0;
		for (unsigned j = 0; j < c->cfg.nstations; j++) {
			const struct station *sj = &c->st[j];
			if (j == k || !c->cfg.hear[j][k] || !keyed_at(sj, t))
				continue;
			if (sj->tx.start < t && t - sj->tx.start >= c->cfg.dcd_us &&
			    sj->tx.key_end > clear_at)
				clear_at = sj->tx.key_end;
		}
		if (clear_at > t) {
			s->next_check = clear_at;
			return;
		}
		if (rng_uniform(&s->access, 256) > s->p.persist) {
			uint64_t slot = (uint64_t)s->p.slottime * TEN_MS;
			/* A zero slot time would spin on the same instant. */
			s->next_check = t + (slot ? slot : 1);
			return;
		}
	}
	start_tx(c, k, t);
}

void ksc_advance(struct ksc_channel *c, uint64_t now_us)
{
	for (;;) {
		/* The earliest event; transmitter events before channel checks
		 * at the same instant, lower station numbers first. */
		uint64_t best = UINT64_MAX;
		unsigned who = 0;
		int best_rank = 2;
		for (unsigned i = 0; i < c->cfg.nstations; i++) {
			uint64_t e = station_event(&c->st[i]);
			int rank = c->st[i].state == ST_TX ? 0 : 1;
			if (e < best || (e == best && rank < best_rank)) {
				best = e;
				who = i;
				best_rank = rank;
			}
		}
		if (best == UINT64_MAX || best > now_us)
			break;
		struct station *s = &c->st[who];
		if (s->state == ST_TX) {
			if (!s->tx.reported)
				frame_end(c, who);
			else
				key_end(c, who);
		} else {
			check(c, who, best);
		}
	}
	if (now_us > c->now)
		c->now = now_us;
}

bool ksc_send(struct ksc_channel *c, unsigned st, uint64_t now_us, const uint8_t *data,
	      size_t len)
{
	if (st >= c->cfg.nstations)
		return false;
	ksc_advance(c, now_us);
	struct station *s = &c->st[st];
	if (len == 0 || len > KSC_FRAME_MAX || s->count >= KSC_QUEUE_FRAMES ||
	    s->qbytes + len > KSC_QUEUE_BYTES) {
		s->stats.frames_refused++;
		return false;
	}
	struct frame *f = &s->q[(s->head + s->count) % KSC_QUEUE_FRAMES];
	memcpy(f->data, data, len);
	f->len = len;
	s->count++;
	s->qbytes += (uint32_t)len;
	if (s->state == ST_IDLE) {
		s->state = ST_WAIT;
		s->next_check = c->now;
		ksc_advance(c, c->now);
	}
	return true;
}

void ksc_set_param(struct ksc_channel *c, unsigned st, unsigned cmd, uint8_t value)
{
	if (st >= c->cfg.nstations)
		return;
	struct ksc_params *p = &c->st[st].p;
	switch (cmd) {
	case KISS_CMD_TXDELAY:
		p->txdelay = value;
		break;
	case KISS_CMD_P:
		p->persist = value;
		break;
	case KISS_CMD_SLOTTIME:
		p->slottime = value;
		break;
	case KISS_CMD_TXTAIL:
		p->txtail = value;
		break;
	case KISS_CMD_FULLDUPLEX:
		p->fullduplex = value != 0;
		break;
	default:
		break;
	}
}

const struct ksc_params *ksc_params(const struct ksc_channel *c, unsigned st)
{
	return st < c->cfg.nstations ? &c->st[st].p : NULL;
}

void ksc_set_present(struct ksc_channel *c, unsigned st, uint64_t now_us, bool present)
{
	if (st >= c->cfg.nstations)
		return;
	ksc_advance(c, now_us);
	struct station *s = &c->st[st];
	s->present = present;
	if (!present) {
		s->head = s->count = 0;
		s->qbytes = 0;
		if (s->state == ST_WAIT)
			s->state = ST_IDLE;
		/* A new client starts from the configured parameters. */
		s->p = c->cfg.params;
	}
}

uint32_t ksc_queued_bytes(const struct ksc_channel *c, unsigned st)
{
	return st < c->cfg.nstations ? c->st[st].qbytes : 0;
}

void ksc_get_stats(struct ksc_channel *c, uint64_t now_us, struct ksc_stats *out)
{
	ksc_advance(c, now_us);
	memset(out, 0, sizeof *out);
	out->elapsed_us = c->now - c->start;
	out->busy_us = c->busy_us + (c->nkeyed ? c->now - c->busy_since : 0);
	for (unsigned i = 0; i < c->cfg.nstations; i++) {
		const struct station *s = &c->st[i];
		out->st[i] = s->stats;
		if (s->state == ST_TX && c->now > s->tx.start)
			out->st[i].keyed_us += (c->now < s->tx.key_end ? c->now : s->tx.key_end) -
					       s->tx.start;
	}
}
