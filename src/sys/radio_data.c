/* The data plane of one radio interface (radio_data.h). */
#include "src/sys/radio_data.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/sys/log.h"

static struct log_ratelimit rl_tun = LOG_RATELIMIT_INIT(10000, 5);

struct radio_data *radio_data_open(const char *name, const struct link_addr *ll,
				   struct radio_link *link, size_t paclen, uint16_t first_id)
{
	struct radio_data *rd = calloc(1, sizeof(*rd));
	if (!rd) {
		log_error("%s: no memory for the data plane", name);
		return NULL;
	}
	rd->tun.fd = -1;
	rd->link = link;
	rd->paclen = paclen;
	rd->next_id = first_id;
	radio_reasm_init(&rd->reasm, NULL);
	const char *failed = NULL;
	int r = tun_open(&rd->tun, name, ll ? ll->a : NULL, &failed);
	if (r < 0) {
		log_error("%s: cannot create the TUN device: %s: %s", name,
			  failed ? failed : "?", strerror(-r));
		free(rd);
		return NULL;
	}
	rd->fwd = radio_fwd_new(rd->tun.ifindex);
	if (!rd->fwd) {
		log_error("%s: no memory for the forwarding table", name);
		tun_close(&rd->tun);
		free(rd);
		return NULL;
	}
	log_info("%s: TUN device up (ifindex %u, mtu %u, paclen %zu)", name, rd->tun.ifindex,
		 TUN_MTU, paclen);
	return rd;
}

void radio_data_close(struct radio_data *rd)
{
	if (!rd)
		return;
	tun_close(&rd->tun);
	radio_fwd_free(rd->fwd);
	free(rd);
}

int radio_data_fd(const struct radio_data *rd)
{
	return rd->tun.fd;
}

uint32_t radio_data_ifindex(const struct radio_data *rd)
{
	return rd->tun.ifindex;
}

int radio_data_send(struct radio_data *rd, const uint8_t *pkt, size_t len)
{
	struct ax25_addr call;
	switch (radio_fwd_packet(rd->fwd, pkt, len, &call)) {
	case RADIO_FWD_OK:
		break;
	case RADIO_FWD_NO_ROUTE:
		rd->st.drop_no_route++;
		return -1;
	case RADIO_FWD_NO_CALLSIGN:
		rd->st.drop_no_callsign++;
		return -1;
	default:
		rd->st.drop_malformed++;
		return -1;
	}
	size_t n = radio_frag_count(len, rd->paclen);
	if (n == 0) {
		rd->st.drop_too_big++;
		return -1;
	}
	/* All of a packet's fragments or none: a full queue would otherwise
	 * evict the older packets' fragments and keep this one's tail. */
	size_t queued = radio_link_queued(rd->link, false);
	if (queued + n > RADIO_DATA_SLOTS) {
		rd->st.drop_queue_full++;
		return -1;
	}
	uint16_t id = n > 1 ? rd->next_id++ : 0;
	uint8_t info[RADIO_FRAG_MTU];
	for (size_t i = 0; i < n; i++) {
		uint8_t pid;
		size_t l = radio_frag_build(pkt, len, rd->paclen, id, i, info, sizeof(info), &pid);
		if (l == 0) {
			rd->st.drop_malformed++;
			return -1;
		}
		if (radio_link_send_data(rd->link, &call, pid, info, l) < 0) {
			rd->st.drop_link++;
			return -1;
		}
		rd->st.frames_sent++;
	}
	rd->st.sent++;
	return 0;
}

void radio_data_readable(struct radio_data *rd, uint64_t now_ms)
{
	uint8_t buf[TUN_MTU + 64];
	for (int i = 0; i < RADIO_DATA_READ_BURST; i++) {
		ssize_t r = tun_read(&rd->tun, buf, sizeof(buf));
		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_limited(&rl_tun, now_ms, LOG_L_WARN, "%s: TUN read: %s",
					    rd->tun.name, strerror(errno));
			return;
		}
		if (r == 0)
			return;
		rd->st.tun_in++;
		(void)radio_data_send(rd, buf, (size_t)r);
	}
}

static void to_tun(struct radio_data *rd, const uint8_t *pkt, size_t len, uint64_t now_ms)
{
	if (tun_write(&rd->tun, pkt, len) < 0) {
		rd->st.tun_write_errors++;
		log_limited(&rl_tun, now_ms, LOG_L_WARN, "%s: TUN write: %s", rd->tun.name,
			    strerror(errno));
		return;
	}
	rd->st.tun_out++;
}

void radio_data_input(struct radio_data *rd, const struct ax25_addr *src, uint8_t pid,
		      const uint8_t *info, size_t len, uint64_t now_ms)
{
	switch (radio_info_classify(pid, info, len)) {
	case RADIO_INFO_IPV4:
	case RADIO_INFO_IPV6:
		rd->st.rx_whole++;
		to_tun(rd, info, len, now_ms);
		return;
	case RADIO_INFO_FRAGMENT: {
		rd->st.rx_fragments++;
		uint8_t out[RADIO_FRAG_MTU];
		size_t out_len = 0;
		enum radio_reasm_result r = radio_reasm_input(&rd->reasm, src, info, len, now_ms,
							      out, sizeof(out), &out_len);
		if (r == RADIO_REASM_COMPLETE) {
			rd->st.rx_reassembled++;
			to_tun(rd, out, out_len, now_ms);
		} else if (r != RADIO_REASM_PENDING && r != RADIO_REASM_DUPLICATE) {
			rd->st.rx_frag_dropped++;
		}
		return;
	}
	default:
		rd->st.rx_unknown++;
		return;
	}
}

void radio_data_routes(struct radio_data *rd, const struct fib_change *c, size_t n)
{
	radio_fwd_apply(rd->fwd, c, n);
}

uint64_t radio_data_run(struct radio_data *rd, uint64_t now_ms)
{
	radio_reasm_expire(&rd->reasm, now_ms);
	return radio_reasm_next_deadline(&rd->reasm);
}
