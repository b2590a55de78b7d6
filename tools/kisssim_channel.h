/* The radio channel that kisssim simulates: a pure, clock-free model.
 *
 * Time is an input (microseconds since any origin, never going backwards):
 * the caller says "it is now T" and the model runs every event up to T in
 * time order, calling back for each finished frame.  Nothing here reads a
 * clock, so a unit test drives it with a fake one and a seed gives the same
 * air, event for event.
 *
 * The model (kisssim.1 says the same for users):
 *
 *   Airtime of a frame of LEN bytes (AX.25 as KISS carries it, no FCS):
 *       data_bits = 8 * (LEN + 2)              the frame and its 16-bit FCS
 *       stuff     = ceil(data_bits / 62)       bit-stuffing allowance: on
 *                                              random data HDLC inserts one
 *                                              bit every 2^6 - 2 = 62 bits
 *       bits      = 16 + data_bits + stuff     plus opening and closing flag
 *       airtime   = ceil(bits * 1e6 / baud) us
 *   A transmission keys the transmitter for
 *       TXDELAY*10 ms + airtime + TXTAIL*10 ms
 *   and the frame is complete at receivers after TXDELAY + airtime; it is
 *   delivered then (the tail is still on the air).
 *
 *   Channel access (KISS p-persistence): a station with a frame queued
 *   senses the channel.  It senses station J's carrier if it hears J and J
 *   has been keyed for at least the DCD delay (0 by default, so any
 *   transmission that started strictly earlier).  Busy: it waits until every
 *   carrier it senses has dropped and senses again.  Clear: it draws R
 *   uniform in 0..255 and transmits at once if R <= P, otherwise waits
 *   SLOTTIME and senses again.  FULLDUPLEX set: it transmits at once.
 *   One frame per key-up.  Two stations that hear each other therefore only
 *   collide when they start in the same instant: both were waiting for the
 *   same carrier to drop (or on the same slot boundary) and both drew R <= P.
 *
 *   Reception at station R of a frame from station S (R hears S):
 *     absent    no client is attached to R: dropped;
 *     deaf      R's own transmitter was keyed at some moment of S's
 *               TXDELAY + frame (half duplex);
 *     collided  another station R hears was keyed at some moment of S's
 *               TXDELAY + frame (its carrier, tail included, garbles it);
 *     lost      the seeded per-link loss draw said so;
 *     delivered otherwise.
 *   The loss draw is made only for frames not already absent, deaf or
 *   collided, and only on links with a loss probability above 0.
 *
 *   Channel use: per station the time its transmitter was keyed; in total
 *   the time at least one transmitter was keyed.
 *
 * Bounds: KSC_STATIONS_MAX stations, KSC_QUEUE_FRAMES frames and
 * KSC_QUEUE_BYTES bytes queued per station (a frame beyond is refused), a
 * frame at most KSC_FRAME_MAX bytes.  Allocation happens once, in
 * ksc_new(). */
#ifndef MAILLE_TOOLS_KISSSIM_CHANNEL_H
#define MAILLE_TOOLS_KISSSIM_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/kiss.h"

#define KSC_STATIONS_MAX 16
#define KSC_QUEUE_FRAMES 64
#define KSC_QUEUE_BYTES 32768
#define KSC_FRAME_MAX (AX25_HEADER_MAX + KISS_INFO_MAX)

/* KISS defaults as Dire Wolf has them, in 10 ms units except persist. */
#define KSC_DEFAULT_TXDELAY 30
#define KSC_DEFAULT_PERSIST 63
#define KSC_DEFAULT_SLOTTIME 10
#define KSC_DEFAULT_TXTAIL 10

struct ksc_params {
	uint8_t txdelay;  /* 10 ms units */
	uint8_t persist;  /* P: transmit when R <= P, R uniform 0..255 */
	uint8_t slottime; /* 10 ms units */
	uint8_t txtail;   /* 10 ms units */
	bool fullduplex;  /* skip carrier sense and persistence */
};

struct ksc_config {
	unsigned nstations; /* 1..KSC_STATIONS_MAX */
	uint32_t baud;      /* > 0 */
	uint64_t seed;
	uint64_t dcd_us;    /* carrier-detect delay */
	/* hear[a][b]: b hears a's transmissions. */
	bool hear[KSC_STATIONS_MAX][KSC_STATIONS_MAX];
	/* loss[a][b]: probability that a frame from a is lost at b. */
	double loss[KSC_STATIONS_MAX][KSC_STATIONS_MAX];
	/* Initial KISS parameters of every station (a client changes its own). */
	struct ksc_params params;
};

/* What became of one transmission, reported when its frame ends. */
struct ksc_report {
	unsigned station;
	uint64_t start_us;     /* key-up */
	uint64_t frame_end_us; /* TXDELAY + airtime later: delivery time */
	uint64_t key_end_us;   /* TXTAIL later */
	uint64_t airtime_us;   /* the frame alone */
	const uint8_t *data;   /* valid during the callback only */
	size_t len;
	/* Bit masks over receivers (stations that hear the sender). */
	uint32_t delivered, collided, lost, deaf, absent;
};

typedef void ksc_report_fn(void *ctx, const struct ksc_report *r);

struct ksc_station_stats {
	uint64_t keyed_us;        /* transmitter on */
	uint64_t frames_sent;
	uint64_t frames_refused;  /* queue full or frame too long */
	uint64_t rx_delivered, rx_collided, rx_lost, rx_deaf, rx_absent;
};

struct ksc_stats {
	uint64_t elapsed_us;  /* since ksc_new's start time */
	uint64_t busy_us;     /* at least one transmitter keyed */
	struct ksc_station_stats st[KSC_STATIONS_MAX];
};

struct ksc_channel;

/* Checks cfg; returns NULL and sets *why when it is invalid or memory is
 * short.  start_us is the origin of the statistics.  Every station starts
 * present (a client attached); the tool marks them absent until one is. */
struct ksc_channel *ksc_new(const struct ksc_config *cfg, uint64_t start_us, ksc_report_fn *fn,
			    void *ctx, const char **why);
void ksc_free(struct ksc_channel *c);

/* Airtime of a frame of len bytes at baud (the formula above). */
uint64_t ksc_airtime_us(size_t len, uint32_t baud);

/* Runs every event up to now_us (reports included). */
void ksc_advance(struct ksc_channel *c, uint64_t now_us);
/* The time of the next event, UINT64_MAX if none is pending. */
uint64_t ksc_next_event(const struct ksc_channel *c);

/* Queues a frame for station st at now_us (advancing to it first).  Returns
 * false, counting it, when the station's queue is full or len is 0 or above
 * KSC_FRAME_MAX. */
bool ksc_send(struct ksc_channel *c, unsigned st, uint64_t now_us, const uint8_t *data,
	      size_t len);
/* A KISS parameter command (TXDELAY, P, SLOTTIME, TXTAIL, FULLDUPLEX);
 * other commands are ignored.  Takes effect from the next channel access. */
void ksc_set_param(struct ksc_channel *c, unsigned st, unsigned cmd, uint8_t value);
const struct ksc_params *ksc_params(const struct ksc_channel *c, unsigned st);
/* A station without a client: its queue is dropped (a frame already on
 * the air finishes) and frames for it are reported absent. */
void ksc_set_present(struct ksc_channel *c, unsigned st, uint64_t now_us, bool present);
/* Bytes queued for st and not yet on the air (Dire Wolf's TXBUF answer). */
uint32_t ksc_queued_bytes(const struct ksc_channel *c, unsigned st);
/* Channel use up to now_us (after advancing to it). */
void ksc_get_stats(struct ksc_channel *c, uint64_t now_us, struct ksc_stats *out);

#endif
