/* Babel packets as a whole: framing, the MAC pseudo-header, address
 * encodings, and what "the same TLV" means. */
#include "proto/babel.h"
#include "proto/babel_internal.h"

#include <string.h>

enum babel_result babel_packet_split(const uint8_t *pkt, size_t len, struct babel_packet *out)
{
	struct reader r = reader_init(pkt, len);
	memset(out, 0, sizeof *out);
	uint8_t magic = read_u8(&r);
	uint8_t version = read_u8(&r);
	uint16_t body_len = read_u16(&r);
	if (r.err || magic != BABEL_MAGIC)
		return BABEL_MALFORMED;
	/* RFC 8966 4.2: other versions are silently ignored, not errors. */
	if (version != BABEL_VERSION)
		return BABEL_IGNORE;
	out->header.p = pkt;
	out->header.len = BABEL_HEADER_LEN;
	const uint8_t *body = read_span(&r, body_len);
	if (!body)
		return BABEL_MALFORMED;
	out->body.p = body;
	out->body.len = body_len;
	out->trailer.len = reader_left(&r);
	out->trailer.p = read_span(&r, out->trailer.len);
	return BABEL_OK;
}

static bool put_pseudo_addr(struct writer *w, const struct babel_addr *a)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (a->af == BABEL_AF_IPV4) {
		write_bytes(w, v4mapped, sizeof v4mapped);
		write_bytes(w, a->bytes, 4);
		return true;
	}
	if (a->af == BABEL_AF_IPV6) {
		write_bytes(w, a->bytes, 16);
		return true;
	}
	return false;
}

size_t babel_mac_pseudo_header(uint8_t out[BABEL_PSEUDO_HEADER_LEN],
			       const struct babel_addr *src, uint16_t sport,
			       const struct babel_addr *dst, uint16_t dport)
{
	struct writer w = writer_init(out, BABEL_PSEUDO_HEADER_LEN);
	if (!put_pseudo_addr(&w, src))
		return 0;
	write_u16(&w, sport);
	if (!put_pseudo_addr(&w, dst))
		return 0;
	write_u16(&w, dport);
	return w.overflow ? 0 : w.len;
}

/* ------------------------------------------------------ address encodings */

static const struct babel_ae_info ae_table[BABEL_AE_COUNT] = {
	[BABEL_AE_IPV4] = { BABEL_AF_IPV4, 32, 0, 4, 0, true },
	[BABEL_AE_IPV6] = { BABEL_AF_IPV6, 128, 0, 16, 0, true },
	/* AE 3 carries the interface identifier of an fe80::/64 address, so a
	 * prefix of it is at least /64; it has no default prefix. */
	[BABEL_AE_LINK_LOCAL] = { BABEL_AF_IPV6, 128, 64, 8, 8, false },
	/* RFC 9229: encoded like AE 1, with a compression state of its own. */
	[BABEL_AE_V4_VIA_V6] = { BABEL_AF_IPV4, 32, 0, 4, 0, true },
};

const struct babel_ae_info *babel_ae_info(uint8_t ae)
{
	if (ae == BABEL_AE_WILDCARD || ae >= BABEL_AE_COUNT)
		return NULL;
	return &ae_table[ae];
}

int babel_ae_addr_len(uint8_t ae)
{
	if (ae == BABEL_AE_WILDCARD)
		return 0;
	const struct babel_ae_info *ai = babel_ae_info(ae);
	return ai ? ai->wire_len : -1;
}

void babel_prefix_mask(struct babel_prefix *p)
{
	unsigned max = p->af == BABEL_AF_IPV4 ? 32 : p->af == BABEL_AF_IPV6 ? 128 : 0;
	unsigned plen = p->plen < max ? p->plen : max;
	unsigned full = plen / 8;
	if (full < 16 && plen % 8) {
		p->bytes[full] &= (uint8_t)(0xff00u >> (plen % 8));
		full++;
	}
	if (full < 16)
		memset(p->bytes + full, 0, 16 - full);
}

bool babel_is_ll64(const uint8_t bytes[16])
{
	static const uint8_t ll[8] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0 };
	return memcmp(bytes, ll, sizeof ll) == 0;
}

void babel_router_id_from_prefix(const struct babel_prefix *p, uint8_t id[8])
{
	if (p->af == BABEL_AF_IPV4) {
		memset(id, 0, 4);
		memcpy(id + 4, p->bytes, 4);
	} else {
		memcpy(id, p->bytes + 8, 8);
	}
}

bool babel_router_id_valid(const uint8_t id[8])
{
	bool zeros = true, ones = true;
	for (int i = 0; i < 8; i++) {
		zeros = zeros && id[i] == 0;
		ones = ones && id[i] == 0xff;
	}
	return !zeros && !ones;
}

/* ------------------------------------------------------------ sameness */

static bool same_prefix(const struct babel_prefix *a, const struct babel_prefix *b)
{
	return a->af == b->af && a->plen == b->plen && memcmp(a->bytes, b->bytes, 16) == 0;
}

static bool same_addr(const struct babel_addr *a, const struct babel_addr *b)
{
	return a->af == b->af && memcmp(a->bytes, b->bytes, 16) == 0;
}

static bool same_span(const struct babel_span *a, const struct babel_span *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

static bool same_src(bool ha, const struct babel_prefix *a, bool hb, const struct babel_prefix *b)
{
	return ha == hb && (!ha || same_prefix(a, b));
}

static bool same_hello(const struct babel_hello *a, const struct babel_hello *b)
{
	return a->flags == b->flags && a->seqno == b->seqno && a->interval == b->interval &&
	       a->has_timestamp == b->has_timestamp &&
	       (!a->has_timestamp || a->timestamp == b->timestamp);
}

static bool same_ihu(const struct babel_ihu *a, const struct babel_ihu *b)
{
	return a->rxcost == b->rxcost && a->interval == b->interval &&
	       same_addr(&a->addr, &b->addr) && a->has_timestamp == b->has_timestamp &&
	       (!a->has_timestamp || (a->origin == b->origin && a->receive == b->receive));
}

static bool same_route_state(const struct babel_update *a, const struct babel_update *b)
{
	if (a->metric == BABEL_INFINITY)
		return true;
	return a->has_router_id == b->has_router_id &&
	       (!a->has_router_id || memcmp(a->router_id, b->router_id, 8) == 0) &&
	       a->has_next_hop == b->has_next_hop &&
	       (!a->has_next_hop || same_addr(&a->next_hop, &b->next_hop));
}

static bool same_update(const struct babel_update *a, const struct babel_update *b)
{
	return a->ae == b->ae && a->interval == b->interval && a->seqno == b->seqno &&
	       a->metric == b->metric && same_prefix(&a->prefix, &b->prefix) &&
	       same_src(a->has_src, &a->src, b->has_src, &b->src) && same_route_state(a, b);
}

static bool same_seqno_req(const struct babel_seqno_req *a, const struct babel_seqno_req *b)
{
	return a->ae == b->ae && a->seqno == b->seqno && a->hop_count == b->hop_count &&
	       memcmp(a->router_id, b->router_id, 8) == 0 && same_prefix(&a->prefix, &b->prefix) &&
	       same_src(a->has_src, &a->src, b->has_src, &b->src);
}

bool babel_tlv_same(const struct babel_tlv *a, const struct babel_tlv *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case BABEL_TLV_PAD1:
		return true;
	case BABEL_TLV_PADN: /* MBZ content is not meaning */
		return a->padn.len == b->padn.len;
	case BABEL_TLV_ACK_REQ:
		return a->ack_req.opaque == b->ack_req.opaque &&
		       a->ack_req.interval == b->ack_req.interval;
	case BABEL_TLV_ACK:
		return a->ack.opaque == b->ack.opaque;
	case BABEL_TLV_HELLO:
		return same_hello(&a->hello, &b->hello);
	case BABEL_TLV_IHU:
		return same_ihu(&a->ihu, &b->ihu);
	case BABEL_TLV_ROUTER_ID:
		return memcmp(a->router_id.id, b->router_id.id, 8) == 0;
	case BABEL_TLV_NEXT_HOP:
		return same_addr(&a->next_hop.addr, &b->next_hop.addr);
	case BABEL_TLV_UPDATE:
		return same_update(&a->update, &b->update);
	case BABEL_TLV_ROUTE_REQ:
		return a->route_req.ae == b->route_req.ae &&
		       same_prefix(&a->route_req.prefix, &b->route_req.prefix) &&
		       same_src(a->route_req.has_src, &a->route_req.src, b->route_req.has_src,
				&b->route_req.src);
	case BABEL_TLV_SEQNO_REQ:
		return same_seqno_req(&a->seqno_req, &b->seqno_req);
	case BABEL_TLV_PC:
		return a->pc.pc == b->pc.pc && same_span(&a->pc.index, &b->pc.index);
	case BABEL_TLV_MAC:
	case BABEL_TLV_CHALLENGE_REQ:
	case BABEL_TLV_CHALLENGE_REPLY:
	default:
		return same_span(&a->raw, &b->raw);
	}
}
