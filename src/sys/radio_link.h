/* One radio interface's link layer, without I/O: Babel packets and data
 * frames in and out of AX.25 UI frames, and the discipline of a shared,
 * slow, half-duplex channel (DESIGN.md, "The radio link").
 *
 *   - Every frame's source is our callsign-SSID; radio_link_new() refuses a
 *     link without a valid callsign, so nothing is ever sent without one.
 *   - Babel goes raw under PID 0xF0 (first byte 42) to BABEL (multicast)
 *     or to the neighbour's callsign (unicast: the neighbour's link-local
 *     address maps back to it, proto/callsign_ll.h).
 *   - An identification frame (UI to ID, PID 0xF0, "CALL-SSID maille")
 *     goes before our first frame and then at least every 10 minutes while
 *     we transmit (every 9, to leave room for queueing).
 *   - paclen is enforced here: TNCs do not.
 *   - A bounded priority queue: routing frames before data frames; when a
 *     queue is full its oldest frame is dropped (newer routing information
 *     supersedes older, and data has its own timeouts above us).
 *   - Routing may use only its airtime budget: a token bucket in bytes
 *     filled at baud/8 * airtime/100 bytes/s.  A frame costs its length
 *     plus what flags, FCS, bit stuffing (a tenth counted), TX delay and
 *     TX tail take of the channel, at the same rate.  Identification
 *     frames are charged to it too.  Data frames take what is left and
 *     never wait for routing's budget.
 *   - Random jitter before each transmission (identical TNCs that start
 *     together would otherwise collide every time).
 *   - Nothing new goes to the TNC while its queue is not empty: after each
 *     frame we poll SETHARDWARE "TXBUF:" (only while something waits) and
 *     hand over the next frame once it reads 0.  A TNC that never answers
 *     is paced by airtime instead: the next frame goes when the previous
 *     one should be off the air.
 *
 * Time comes in as milliseconds; jitter from a seeded generator: the unit
 * tests drive it with a fake clock and a fake TNC. */
#ifndef MAILLE_SYS_RADIO_LINK_H
#define MAILLE_SYS_RADIO_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ax25.h"
#include "proto/kiss.h"
#include "src/core/engine.h"

#define RADIO_ID_INTERVAL_MS (9u * 60u * 1000u)
#define RADIO_ROUTING_SLOTS 16
#define RADIO_DATA_SLOTS 32
#define RADIO_TXBUF_POLL_MS 200     /* how often to ask while the TNC is busy */
#define RADIO_TXBUF_TIMEOUT_MS 2000 /* an unanswered query */
#define RADIO_TXBUF_GIVE_UP 3       /* unanswered queries before pacing by airtime */
#define RADIO_BUDGET_WINDOW_MS 60000 /* the bucket holds this much budget */

struct radio_link_config {
	struct ax25_addr call; /* required: valid callsign-SSID */
	uint32_t baud;         /* 0: 1200 */
	uint16_t paclen;       /* 0: 256 */
	uint32_t txdelay_ms;   /* for airtime estimates */
	uint32_t txtail_ms;
	uint8_t airtime_pct;   /* routing's share; 0: 5 */
	uint32_t jitter_max_ms; /* 0: 600000 / baud, within 20..1000 ms */
};

struct radio_link_ops {
	/* Hands one AX.25 frame (no KISS framing) to the TNC; -1: it could not. */
	int (*tnc_send)(void *ctx, const uint8_t *frame, size_t len);
	/* Sends the SETHARDWARE "TXBUF:" query; -1: it could not. */
	int (*tnc_query)(void *ctx);
	/* A Babel packet from the station whose link-local address is from. */
	void (*babel_in)(void *ctx, const struct link_addr *from, bool to_multicast,
			 const uint8_t *pkt, size_t len);
	/* A data frame for us (PID 0xCC, or 0xF0 without Babel's 42); NULL: dropped. */
	void (*data_in)(void *ctx, const struct ax25_addr *src, uint8_t pid, const uint8_t *info,
			size_t len);
	/* Every frame sent (tx) or heard, for a capture; NULL: none. */
	void (*capture)(void *ctx, const uint8_t *frame, size_t len, bool tx);
};

struct radio_link_stats {
	uint64_t rx_frames, rx_babel, rx_data, rx_id;
	uint64_t rx_own, rx_other_dst, rx_malformed, rx_not_ui, rx_digipeated, rx_other_pid,
		rx_other_port, rx_other_cmd;
	uint64_t tx_frames, tx_bytes, tx_babel, tx_data, tx_id, tx_routing_cost;
	uint64_t drop_routing_full, drop_data_full, drop_too_long, drop_bad_dst, drop_down,
		drop_tnc_refused;
	uint64_t txbuf_queries, txbuf_answers, txbuf_timeouts;
	uint64_t budget_waits; /* times routing waited for its budget */
};

enum radio_txbuf_mode { RADIO_TXBUF_UNKNOWN, RADIO_TXBUF_YES, RADIO_TXBUF_NO };

struct radio_link;

/* NULL if cfg->call is not a valid callsign-SSID (nothing is transmitted
 * without one) or on no memory. */
struct radio_link *radio_link_new(const struct radio_link_config *cfg,
				  const struct radio_link_ops *ops, void *ctx, uint64_t now_ms,
				  uint64_t seed);
void radio_link_free(struct radio_link *l);

/* Our link-local address (from our callsign). */
void radio_link_ll(const struct radio_link *l, struct link_addr *out);

/* The TNC connection came or went.  Down flushes both queues (what was
 * queued is stale by the time it comes back) and forgets flow control. */
void radio_link_tnc_up(struct radio_link *l, uint64_t now_ms);
void radio_link_tnc_down(struct radio_link *l, uint64_t now_ms);
bool radio_link_is_up(const struct radio_link *l);

/* One KISS frame from the TNC (data, or a TXBUF answer). */
void radio_link_input(struct radio_link *l, const struct kiss_frame *f, uint64_t now_ms);

/* A Babel packet from the engine; to NULL: multicast.  -1 if dropped. */
int radio_link_send_babel(struct radio_link *l, const struct link_addr *to, const uint8_t *pkt,
			  size_t len, uint64_t now_ms);
/* A data frame (the data plane's entry): payload at most paclen, queued
 * behind routing.  -1 if refused (too long, link down, bad destination).
 * Goes out at the next radio_link_run(). */
int radio_link_send_data(struct radio_link *l, const struct ax25_addr *dst, uint8_t pid,
			 const uint8_t *payload, size_t len);

/* Hands what may go to the TNC; returns the next deadline (UINT64_MAX: none). */
uint64_t radio_link_run(struct radio_link *l, uint64_t now_ms);

/* Shutdown: the retractions and farewell Hello the engine has just queued
 * are the last thing neighbours will hear from us, so from now on every
 * routing frame goes to the TNC at the next radio_link_run(), past the
 * budget, the jitter and the TNC's queue (the TNC queues them itself);
 * queued data is dropped (its senders are going away).  The caller keeps
 * running the link until radio_link_drained() or its own deadline. */
void radio_link_drain_start(struct radio_link *l, uint64_t now_ms);
/* Nothing left here, and the TNC's queue read empty (TXBUF: 0) after our
 * last frame, or, with a TNC that does not answer, that frame should be
 * off the air by now. */
bool radio_link_drained(const struct radio_link *l, uint64_t now_ms);

const struct radio_link_stats *radio_link_get_stats(const struct radio_link *l);
enum radio_txbuf_mode radio_link_txbuf_mode(const struct radio_link *l);
size_t radio_link_queued(const struct radio_link *l, bool routing);
/* Routing's budget left, in bytes. */
uint32_t radio_link_budget(const struct radio_link *l);
/* When the frames handed to the TNC should be off the air (an estimate
 * from their airtime, ignoring other stations). */
uint64_t radio_link_air_free_at(const struct radio_link *l);
/* The rate the budget fills at, in thousandths of a byte per second. */
uint64_t radio_link_budget_rate(const struct radio_link *l);
/* What a frame of len octets costs of the channel, in byte times. */
uint32_t radio_link_frame_cost(const struct radio_link *l, size_t len);

#endif
