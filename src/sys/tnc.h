/* The connection to a KISS TNC: TCP (`tcp:HOST:PORT`, as Dire Wolf offers)
 * or a serial port (`serial:PATH[:SPEED]`, raw termios).  Non-blocking;
 * the byte stream goes through proto/kiss.h's bounded decoder, so garbage
 * from the TNC costs a counter, never a crash or a stall.
 *
 * On connect it sends TXDELAY, P, SLOTTIME and TXTAIL.  When the TNC goes
 * away (connection refused or closed, device removed, a write error) it
 * says so once in the log, reports the link down, and retries with
 * exponential backoff from 1 s to 60 s; a connection that dies within 10 s
 * of coming up does not reset the backoff (a TNC that accepts and closes
 * at once is not hammered).  No libev here: the caller watches the fd it
 * is given and calls tnc_run() for timers (connect retries, a pending
 * non-blocking connect, output left over after a short write). */
#ifndef MAILLE_SYS_TNC_H
#define MAILLE_SYS_TNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/kiss.h"
#include "src/conf/conf.h"

#define TNC_BACKOFF_MIN_MS 1000
#define TNC_BACKOFF_MAX_MS 60000
#define TNC_CONNECT_TIMEOUT_MS 10000
#define TNC_OUT_MAX 16384

struct tnc_ops {
	void (*frame)(void *ctx, const struct kiss_frame *f, uint64_t now_ms);
	void (*state)(void *ctx, bool up, uint64_t now_ms);
	/* Watch fd for reading (fd >= 0), or stop watching (-1). */
	void (*watch)(void *ctx, int fd);
};

/* KISS parameters sent on connect, in 10 ms units (P: 0..255). */
struct tnc_params {
	uint8_t txdelay, persist, slottime, txtail;
};

struct tnc_stats {
	uint64_t connects, failures, bytes_in, bytes_out, frames_in, out_dropped;
};

enum tnc_state { TNC_DOWN, TNC_CONNECTING, TNC_UP };

struct tnc {
	char name[CONF_IFNAME_MAX];
	char desc[CONF_HOST_MAX + CONF_PATH_MAX + 16];
	struct conf_kiss spec;
	struct tnc_params params;
	const struct tnc_ops *ops;
	void *ctx;
	int fd;
	enum tnc_state state;
	uint64_t retry_at, connect_deadline, up_since;
	uint32_t backoff_ms;
	bool complained; /* the outage is in the log already */
	struct kiss_decoder dec;
	uint8_t out[TNC_OUT_MAX];
	size_t out_len;
	struct tnc_stats st;
};

void tnc_init(struct tnc *t, const char *ifname, const struct conf_kiss *spec,
	      const struct tnc_params *params, const struct tnc_ops *ops, void *ctx);
/* Connects when due, completes a pending connect, flushes output; returns
 * the next deadline (UINT64_MAX: none). */
uint64_t tnc_run(struct tnc *t, uint64_t now_ms);
/* The fd is readable. */
void tnc_read(struct tnc *t, uint64_t now_ms);
/* One AX.25 frame as KISS data on port 0; -1 if not up or no room. */
int tnc_send_frame(struct tnc *t, const uint8_t *frame, size_t len, uint64_t now_ms);
int tnc_send_txbuf_query(struct tnc *t, uint64_t now_ms);
bool tnc_is_up(const struct tnc *t);
void tnc_close(struct tnc *t);

#endif
