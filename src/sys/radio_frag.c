/* Link-layer fragmentation and reassembly for the radio link: see
 * radio_frag.h for the format and the rules. */
#include "src/sys/radio_frag.h"

#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

enum radio_info_kind radio_info_classify(uint8_t pid, const uint8_t *info, size_t len)
{
	if (len == 0)
		return RADIO_INFO_UNKNOWN;
	uint8_t b = info[0];
	if (pid == AX25_PID_IPV4)
		return (b >> 4) == 4 ? RADIO_INFO_IPV4 : RADIO_INFO_UNKNOWN;
	if (pid != AX25_PID_NO_L3)
		return RADIO_INFO_UNKNOWN;
	if (b == RADIO_BABEL_MAGIC)
		return RADIO_INFO_BABEL;
	if ((b >> 4) == 6)
		return RADIO_INFO_IPV6;
	if ((b >> 4) == 4)
		return RADIO_INFO_IPV4;
	if (b == RADIO_FRAG_MAGIC)
		return RADIO_INFO_FRAGMENT;
	return RADIO_INFO_UNKNOWN;
}

const char *radio_info_kind_str(enum radio_info_kind k)
{
	switch (k) {
	case RADIO_INFO_BABEL: return "babel";
	case RADIO_INFO_IPV4: return "ipv4";
	case RADIO_INFO_IPV6: return "ipv6";
	case RADIO_INFO_FRAGMENT: return "fragment";
	case RADIO_INFO_UNKNOWN: break;
	}
	return "unknown";
}

/* ------------------------------------------------------------ sending */

size_t radio_frag_count(size_t len, size_t paclen)
{
	if (len == 0 || len > RADIO_FRAG_MTU || paclen == 0)
		return 0;
	if (len <= paclen)
		return 1;
	if (paclen < RADIO_FRAG_PACLEN_MIN)
		return 0;
	size_t chunk = paclen - RADIO_FRAG_HDR_LEN;
	size_t n = (len + chunk - 1) / chunk;
	return n <= RADIO_FRAG_MAX_FRAGS ? n : 0;
}

size_t radio_frag_build(const uint8_t *pkt, size_t len, size_t paclen, uint16_t id, size_t index,
			uint8_t *out, size_t cap, uint8_t *pid)
{
	size_t n = radio_frag_count(len, paclen);
	if (n == 0 || index >= n)
		return 0;
	uint8_t version = pkt[0] >> 4;
	if (version != 4 && version != 6)
		return 0;
	if (n == 1) {
		if (cap < len)
			return 0;
		memcpy(out, pkt, len);
		*pid = version == 4 ? AX25_PID_IPV4 : AX25_PID_NO_L3;
		return len;
	}
	size_t chunk = paclen - RADIO_FRAG_HDR_LEN;
	size_t off = index * chunk;
	size_t dlen = len - off < chunk ? len - off : chunk;
	if (cap < RADIO_FRAG_HDR_LEN + dlen)
		return 0;
	out[0] = RADIO_FRAG_MAGIC;
	put16(out + 1, id);
	put16(out + 3, (uint16_t)off);
	put16(out + 5, (uint16_t)len);
	memcpy(out + RADIO_FRAG_HDR_LEN, pkt + off, dlen);
	*pid = AX25_PID_NO_L3;
	return RADIO_FRAG_HDR_LEN + dlen;
}

/* ----------------------------------------------------------- receiving */

const char *radio_reasm_result_str(enum radio_reasm_result r)
{
	switch (r) {
	case RADIO_REASM_PENDING: return "pending";
	case RADIO_REASM_COMPLETE: return "complete";
	case RADIO_REASM_DUPLICATE: return "duplicate";
	case RADIO_REASM_ERR_SHORT: return "fragment too short";
	case RADIO_REASM_ERR_MAGIC: return "not a fragment";
	case RADIO_REASM_ERR_TOTAL: return "total length out of range";
	case RADIO_REASM_ERR_RANGE: return "fragment past the total length";
	case RADIO_REASM_ERR_MISMATCH: return "total length differs between fragments";
	case RADIO_REASM_ERR_OVERLAP: return "overlapping fragments differ";
	case RADIO_REASM_ERR_TOO_MANY: return "too many fragments";
	case RADIO_REASM_ERR_NOT_IP: return "reassembled packet is not IP";
	case RADIO_REASM_ERR_NO_ROOM: return "no room for the reassembled packet";
	case RADIO_REASM_RESULT_COUNT: break;
	}
	return "?";
}

void radio_reasm_init(struct radio_reasm *r, const struct radio_reasm_config *cfg)
{
	memset(r, 0, sizeof *r);
	if (cfg)
		r->cfg = *cfg;
	if (r->cfg.timeout_ms == 0)
		r->cfg.timeout_ms = RADIO_REASM_TIMEOUT_DEFAULT;
	if (r->cfg.byte_cap == 0)
		r->cfg.byte_cap = RADIO_REASM_BYTES_DEFAULT;
	if (r->cfg.byte_cap > RADIO_REASM_SLOTS * RADIO_FRAG_MTU)
		r->cfg.byte_cap = RADIO_REASM_SLOTS * RADIO_FRAG_MTU;
	if (r->cfg.byte_cap < RADIO_FRAG_MTU)
		r->cfg.byte_cap = RADIO_FRAG_MTU;
}

enum radio_reasm_result radio_frag_parse(const uint8_t *info, size_t len, struct radio_frag_hdr *h)
{
	if (len < 1 || info[0] != RADIO_FRAG_MAGIC)
		return len < 1 ? RADIO_REASM_ERR_SHORT : RADIO_REASM_ERR_MAGIC;
	if (len < RADIO_FRAG_HDR_LEN + 1)
		return RADIO_REASM_ERR_SHORT;
	h->id = get16(info + 1);
	h->offset = get16(info + 3);
	h->total = get16(info + 5);
	h->data = info + RADIO_FRAG_HDR_LEN;
	h->len = len - RADIO_FRAG_HDR_LEN;
	if (h->total == 0 || h->total > RADIO_FRAG_MTU)
		return RADIO_REASM_ERR_TOTAL;
	if ((size_t)h->offset + h->len > h->total)
		return RADIO_REASM_ERR_RANGE;
	return RADIO_REASM_PENDING;
}

static void slot_free(struct radio_reasm *r, struct radio_reasm_slot *s)
{
	r->bytes -= s->total;
	s->used = false;
}

void radio_reasm_expire(struct radio_reasm *r, uint64_t now_ms)
{
	for (size_t i = 0; i < RADIO_REASM_SLOTS; i++) {
		struct radio_reasm_slot *s = &r->slot[i];
		if (s->used && now_ms >= s->start_ms && now_ms - s->start_ms >= r->cfg.timeout_ms) {
			slot_free(r, s);
			r->stats.timed_out++;
		}
	}
}

uint64_t radio_reasm_next_deadline(const struct radio_reasm *r)
{
	uint64_t next = UINT64_MAX;
	for (size_t i = 0; i < RADIO_REASM_SLOTS; i++) {
		const struct radio_reasm_slot *s = &r->slot[i];
		if (s->used && s->start_ms + r->cfg.timeout_ms < next)
			next = s->start_ms + r->cfg.timeout_ms;
	}
	return next;
}

size_t radio_reasm_pending(const struct radio_reasm *r)
{
	size_t n = 0;
	for (size_t i = 0; i < RADIO_REASM_SLOTS; i++)
		n += r->slot[i].used;
	return n;
}

static bool recent_seen(const struct radio_reasm *r, const struct ax25_addr *src, uint16_t id,
			uint64_t now_ms)
{
	for (size_t i = 0; i < RADIO_REASM_RECENT; i++) {
		const struct radio_reasm_recent *e = &r->recent[i];
		if (e->used && e->id == id && now_ms - e->done_ms < r->cfg.timeout_ms &&
		    ax25_addr_equal(&e->src, src))
			return true;
	}
	return false;
}

static void recent_add(struct radio_reasm *r, const struct ax25_addr *src, uint16_t id,
		       uint64_t now_ms)
{
	struct radio_reasm_recent *e = &r->recent[r->recent_next];
	r->recent_next = (r->recent_next + 1) % RADIO_REASM_RECENT;
	e->used = true;
	e->src = *src;
	e->id = id;
	e->done_ms = now_ms;
}

static struct radio_reasm_slot *slot_find(struct radio_reasm *r, const struct ax25_addr *src,
					  uint16_t id)
{
	for (size_t i = 0; i < RADIO_REASM_SLOTS; i++) {
		struct radio_reasm_slot *s = &r->slot[i];
		if (s->used && s->id == id && ax25_addr_equal(&s->src, src))
			return s;
	}
	return NULL;
}

static struct radio_reasm_slot *slot_oldest(struct radio_reasm *r)
{
	struct radio_reasm_slot *old = NULL;
	for (size_t i = 0; i < RADIO_REASM_SLOTS; i++) {
		struct radio_reasm_slot *s = &r->slot[i];
		if (s->used && (!old || s->seq < old->seq))
			old = s;
	}
	return old;
}

/* A slot for a new packet of TOTAL octets, evicting the oldest packets
 * until both a slot and the bytes are free. */
static struct radio_reasm_slot *slot_new(struct radio_reasm *r, uint16_t total)
{
	for (;;) {
		struct radio_reasm_slot *free_slot = NULL;
		for (size_t i = 0; i < RADIO_REASM_SLOTS && !free_slot; i++)
			if (!r->slot[i].used)
				free_slot = &r->slot[i];
		if (free_slot && r->bytes + total <= r->cfg.byte_cap)
			return free_slot;
		struct radio_reasm_slot *old = slot_oldest(r);
		if (!old)
			return NULL; /* cannot happen: byte_cap >= RADIO_FRAG_MTU */
		slot_free(r, old);
		r->stats.evicted++;
	}
}

static bool map_get(const uint8_t *map, size_t i)
{
	return map[i / 8] >> (i % 8) & 1;
}

static enum radio_reasm_result count(struct radio_reasm *r, enum radio_reasm_result res)
{
	r->stats.result[res]++;
	return res;
}

static enum radio_reasm_result drop_packet(struct radio_reasm *r, struct radio_reasm_slot *s,
					   enum radio_reasm_result res)
{
	slot_free(r, s);
	r->stats.dropped_by_error++;
	return count(r, res);
}

enum radio_reasm_result radio_reasm_input(struct radio_reasm *r, const struct ax25_addr *src,
					  const uint8_t *info, size_t len, uint64_t now_ms,
					  uint8_t *out, size_t cap, size_t *out_len)
{
	radio_reasm_expire(r, now_ms);
	struct radio_frag_hdr h;
	enum radio_reasm_result res = radio_frag_parse(info, len, &h);
	if (res != RADIO_REASM_PENDING)
		return count(r, res);

	struct radio_reasm_slot *s = slot_find(r, src, h.id);
	if (!s) {
		if (recent_seen(r, src, h.id, now_ms))
			return count(r, RADIO_REASM_DUPLICATE);
		s = slot_new(r, h.total);
		if (!s)
			return count(r, RADIO_REASM_ERR_TOTAL);
		s->used = true;
		s->src = *src;
		s->id = h.id;
		s->total = h.total;
		s->have = 0;
		s->nfrags = 0;
		s->start_ms = now_ms;
		s->seq = r->next_seq++;
		memset(s->map, 0, sizeof s->map);
		r->bytes += h.total;
	} else if (s->total != h.total) {
		return drop_packet(r, s, RADIO_REASM_ERR_MISMATCH);
	}

	/* Octets already held must agree; count the new ones. */
	size_t fresh = 0;
	for (size_t i = 0; i < h.len; i++) {
		size_t at = h.offset + i;
		if (map_get(s->map, at)) {
			if (s->data[at] != h.data[i])
				return drop_packet(r, s, RADIO_REASM_ERR_OVERLAP);
		} else {
			fresh++;
		}
	}
	if (fresh == 0)
		return count(r, RADIO_REASM_DUPLICATE);
	if (s->nfrags >= RADIO_FRAG_MAX_FRAGS)
		return drop_packet(r, s, RADIO_REASM_ERR_TOO_MANY);
	s->nfrags++;
	for (size_t i = 0; i < h.len; i++) {
		size_t at = h.offset + i;
		s->data[at] = h.data[i];
		s->map[at / 8] |= (uint8_t)(1u << (at % 8));
	}
	s->have = (uint16_t)(s->have + fresh);
	if (s->have < s->total)
		return count(r, RADIO_REASM_PENDING);

	/* Complete. */
	uint8_t version = s->data[0] >> 4;
	recent_add(r, src, h.id, now_ms);
	if (version != 4 && version != 6)
		return drop_packet(r, s, RADIO_REASM_ERR_NOT_IP);
	if (cap < s->total)
		return drop_packet(r, s, RADIO_REASM_ERR_NO_ROOM);
	memcpy(out, s->data, s->total);
	*out_len = s->total;
	slot_free(r, s);
	return count(r, RADIO_REASM_COMPLETE);
}
