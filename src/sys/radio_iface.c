/* One radio interface: TNC, link and capture together (radio_iface.h). */
#include "src/sys/radio_iface.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "src/sys/log.h"
#include "src/sys/loop.h"

/* The TNCs' usual defaults (Dire Wolf's and kisssim's), used when the
 * config leaves a parameter unset. */
#define DEFAULT_TXDELAY_MS 300
#define DEFAULT_PERSIST 63
#define DEFAULT_SLOTTIME_MS 100
#define DEFAULT_TXTAIL_MS 100

static struct log_ratelimit rx_limit = LOG_RATELIMIT_INIT(10000, 5);

static uint8_t units10(int32_t ms, int32_t dflt)
{
	int32_t v = ms >= 0 ? ms : dflt;
	v = (v + 9) / 10;
	return (uint8_t)(v > 255 ? 255 : v);
}

/* ------------------------------------------------------------ link -> TNC */

static int l_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct radio_iface *r = ctx;
	return tnc_send_frame(&r->tnc, frame, len, r->now);
}

static int l_query(void *ctx)
{
	struct radio_iface *r = ctx;
	return tnc_send_txbuf_query(&r->tnc, r->now);
}

static void l_babel(void *ctx, const struct link_addr *from, bool mcast, const uint8_t *pkt,
		    size_t len)
{
	struct radio_iface *r = ctx;
	r->ops->babel_in(r->ctx, r, from, mcast, pkt, len, r->now);
}

static void l_data(void *ctx, const struct ax25_addr *src, uint8_t pid, const uint8_t *info,
		   size_t len)
{
	struct radio_iface *r = ctx;
	if (r->ops->data_in)
		r->ops->data_in(r->ctx, r, src, pid, info, len);
}

static void l_capture(void *ctx, const uint8_t *frame, size_t len, bool tx)
{
	struct radio_iface *r = ctx;
	(void)tx;
	static const uint8_t kiss_data_port0 = 0x00;
	if (r->pcap.f && pcap_writer_write(&r->pcap, &kiss_data_port0, 1, frame, len) < 0 &&
	    r->pcap.errors == 1)
		log_warn("%s: pcap %s: write error: %s (capture stops)", r->ci->name,
			 r->ci->radio.pcap, strerror(errno));
}

static const struct radio_link_ops link_ops = {l_send, l_query, l_babel, l_data, l_capture};

/* ------------------------------------------------------------ TNC -> link */

static void t_frame(void *ctx, const struct kiss_frame *f, uint64_t now)
{
	struct radio_iface *r = ctx;
	r->now = now;
	/* While draining at exit only the TNC's TXBUF answers matter: the
	 * engine has shut down and must not see new packets. */
	if (r->draining && f->cmd != KISS_CMD_SETHARDWARE)
		return;
	uint64_t before = radio_link_get_stats(r->link)->rx_malformed;
	radio_link_input(r->link, f, now);
	if (radio_link_get_stats(r->link)->rx_malformed != before)
		log_limited(&rx_limit, now, LOG_L_INFO, "%s: malformed frame from the TNC (%zu bytes)",
			    r->ci->name, f->len);
}

static void t_state(void *ctx, bool up, uint64_t now)
{
	struct radio_iface *r = ctx;
	r->now = now;
	if (up)
		radio_link_tnc_up(r->link, now);
	else
		radio_link_tnc_down(r->link, now);
	if (!r->draining) /* at exit the engine has nothing left to reconcile */
		r->ops->state(r->ctx, r, up, now);
}

static void t_watch(void *ctx, int fd)
{
	struct radio_iface *r = ctx;
	r->ops->watch(r->ctx, r, fd);
}

static const struct tnc_ops tnc_ops = {t_frame, t_state, t_watch};

/* ------------------------------------------------------------ life cycle */

struct radio_iface *radio_iface_new(const struct conf_interface *ci,
				    const struct radio_iface_ops *ops, void *ctx, uint64_t now_ms,
				    uint64_t seed)
{
	const struct conf_radio *cr = &ci->radio;
	if (!cr->has_callsign) {
		log_error("%s: no callsign: a radio interface never transmits without one",
			  ci->name);
		return NULL;
	}
	struct radio_iface *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->ci = ci;
	r->ops = ops;
	r->ctx = ctx;
	r->now = now_ms;
	struct radio_link_config lc;
	memset(&lc, 0, sizeof(lc));
	lc.call = cr->callsign;
	lc.baud = cr->baud ? cr->baud : CONF_RADIO_BAUD_DEFAULT;
	lc.paclen = cr->paclen ? cr->paclen : AX25_PACLEN_DEFAULT;
	lc.txdelay_ms = (uint32_t)(cr->txdelay_ms >= 0 ? cr->txdelay_ms : DEFAULT_TXDELAY_MS);
	lc.txtail_ms = (uint32_t)(cr->txtail_ms >= 0 ? cr->txtail_ms : DEFAULT_TXTAIL_MS);
	lc.airtime_pct = cr->airtime_pct ? cr->airtime_pct : CONF_RADIO_AIRTIME_DEFAULT;
	r->link = radio_link_new(&lc, &link_ops, r, now_ms, seed);
	if (!r->link) {
		log_error("%s: cannot set up the radio link", ci->name);
		free(r);
		return NULL;
	}
	radio_link_ll(r->link, &r->ll);
	if (cr->pcap[0] &&
	    pcap_writer_open(&r->pcap, cr->pcap, PCAP_LINKTYPE_AX25_KISS, 65535) < 0) {
		log_error("%s: pcap %s: %s", ci->name, cr->pcap, strerror(errno));
		radio_link_free(r->link);
		free(r);
		return NULL;
	}
	struct tnc_params p = {
		.txdelay = units10(cr->txdelay_ms, DEFAULT_TXDELAY_MS),
		.persist = (uint8_t)(cr->persist >= 0 ? cr->persist : DEFAULT_PERSIST),
		.slottime = units10(cr->slottime_ms, DEFAULT_SLOTTIME_MS),
		.txtail = units10(cr->txtail_ms, DEFAULT_TXTAIL_MS),
	};
	tnc_init(&r->tnc, ci->name, &cr->kiss, &p, &tnc_ops, r);
	return r;
}

/* radio_iface_free()'s bounded flush (radio_iface.h says why).  The daemon's
 * loop has stopped: this polls the TNC's fd itself. */
static void drain(struct radio_iface *r)
{
	if (!radio_iface_up(r) || !radio_link_queued(r->link, true))
		return;
	uint64_t now = loop_now_ms(), start = now, end = 0;
	size_t queued = radio_link_queued(r->link, true);
	r->draining = true;
	radio_link_drain_start(r->link, now);
	bool done = false;
	for (;;) {
		uint64_t next = radio_iface_run(r, now);
		if (!radio_iface_up(r))
			break;
		if (!end) {
			/* Everything is handed over now (radio_iface.h). */
			end = radio_link_air_free_at(r->link) + RADIO_DRAIN_SLACK_MS;
			if (end < start + RADIO_DRAIN_MIN_MS)
				end = start + RADIO_DRAIN_MIN_MS;
			if (end > start + RADIO_DRAIN_MAX_MS)
				end = start + RADIO_DRAIN_MAX_MS;
		}
		done = radio_link_drained(r->link, now) && r->tnc.out_len == 0;
		if (done || now >= end)
			break;
		if (next > end)
			next = end;
		struct pollfd p = {.fd = r->tnc.fd, .events = POLLIN};
		if (r->tnc.out_len)
			p.events |= POLLOUT;
		int n = poll(&p, 1, next > now ? (int)(next - now) : 0);
		now = loop_now_ms();
		if (n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)))
			tnc_read(&r->tnc, now);
	}
	r->draining = false;
	if (done)
		log_info("%s: the last routing frames (%zu) left the TNC in %llu ms", r->ci->name, queued,
			 (unsigned long long)(now - start));
	else
		log_info("%s: the TNC did not send the last routing frames (%zu) within %llu ms",
			 r->ci->name, queued, (unsigned long long)(now - start));
}

void radio_iface_free(struct radio_iface *r)
{
	if (!r)
		return;
	drain(r);
	tnc_close(&r->tnc);
	radio_link_free(r->link);
	pcap_writer_close(&r->pcap);
	free(r);
}

bool radio_iface_up(const struct radio_iface *r)
{
	return tnc_is_up(&r->tnc) && radio_link_is_up(r->link);
}

void radio_iface_adjust_config(const struct radio_iface *r, struct if_config *cfg)
{
	uint16_t paclen = r->ci->radio.paclen ? r->ci->radio.paclen : AX25_PACLEN_DEFAULT;
	if (!cfg->mtu || cfg->mtu > paclen)
		cfg->mtu = paclen;
	/* The engine paces full dumps at rate_bytes_per_s.  Faster than the
	 * airtime budget lets routing through, they pile up in the link's
	 * routing queue, which drops its oldest frames when full: the Hellos
	 * and IHUs queued before them too, and a cold start did not converge
	 * (1200 baud, 5%, three stations of 20 prefixes: no IHU on the air in
	 * 4 minutes).  So dumps go at what the budget passes in full frames,
	 * TX delay and tail included. */
	uint64_t cost = radio_link_frame_cost(r->link, AX25_HEADER_MIN + paclen);
	uint64_t fit = radio_link_budget_rate(r->link) * paclen / cost / 1000u;
	if (fit < 1)
		fit = 1;
	if (!cfg->rate_bytes_per_s || cfg->rate_bytes_per_s > fit)
		cfg->rate_bytes_per_s = (uint32_t)fit;
}

void radio_iface_readable(struct radio_iface *r, uint64_t now_ms)
{
	r->now = now_ms;
	tnc_read(&r->tnc, now_ms);
}

void radio_iface_send_babel(struct radio_iface *r, const struct link_addr *to,
			    const uint8_t *pkt, size_t len, uint64_t now_ms)
{
	r->now = now_ms;
	radio_link_send_babel(r->link, to, pkt, len, now_ms);
}

uint64_t radio_iface_run(struct radio_iface *r, uint64_t now_ms)
{
	r->now = now_ms;
	uint64_t a = tnc_run(&r->tnc, now_ms);
	uint64_t b = radio_link_run(r->link, now_ms);
	/* Frames just handed over may have left output behind. */
	uint64_t c = tnc_run(&r->tnc, now_ms);
	uint64_t m = a < b ? a : b;
	return m < c ? m : c;
}
