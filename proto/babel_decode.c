/* Decoding a Babel packet body TLV by TLV, keeping the RFC 8966 section
 * 4.5 parser state, so that each Update comes out complete. */
#include "proto/babel.h"
#include "proto/babel_internal.h"

#include <string.h>

/* What the sub-TLVs of one TLV said (RFC 8966 4.4). */
struct subtlvs {
	bool has_src;
	bool src_twice;
	bool mandatory_unknown;
	uint8_t n_ts;          /* timestamps found: 1 on Hello, 2 on IHU */
	uint32_t ts[2];
	struct babel_prefix src;
};

/* Which sub-TLVs a TLV type understands. */
enum {
	SUB_TS1 = 1,  /* Hello: one timestamp (RFC 9616) */
	SUB_TS2 = 2,  /* IHU: origin and receive timestamps */
	SUB_SRC = 4,  /* Update, requests: source prefix (RFC 9079) */
};

static enum babel_result fail(struct babel_tlv *out, enum babel_result res, const char *why)
{
	out->why = why;
	return res;
}

/* ---------------------------------------------------------- prefixes */

static void poison_default(struct babel_state *st, uint8_t ae)
{
	if (ae < BABEL_AE_COUNT)
		st->dflt[ae].slot = BABEL_SLOT_POISONED;
}

static void set_default(struct babel_state *st, uint8_t ae, const struct babel_prefix *p)
{
	st->dflt[ae].slot = BABEL_SLOT_SET;
	st->dflt[ae].plen = p->plen;
	memcpy(st->dflt[ae].bytes, p->bytes, 16);
}

/* Reads a prefix of AE 1..4, expanding Omitted octets from the default
 * prefix (dflt NULL where the TLV has no Omitted field). */
static enum babel_result read_prefix(struct reader *r, uint8_t ae, uint8_t plen, uint8_t omitted,
				     const struct babel_default_prefix *dflt,
				     struct babel_prefix *out, const char **why)
{
	const struct babel_ae_info *ai = babel_ae_info(ae);
	memset(out, 0, sizeof *out);
	out->af = ai->af;
	out->plen = plen;
	if (plen > ai->max_plen || plen < ai->min_plen) {
		*why = "prefix length out of range for its address encoding";
		return BABEL_MALFORMED;
	}
	if (omitted > ai->wire_len || (omitted && !ai->compresses)) {
		*why = "Omitted larger than the address";
		return BABEL_MALFORMED;
	}
	if (omitted && (!dflt || dflt->slot == BABEL_SLOT_UNSET)) {
		*why = "compressed prefix with no default prefix";
		return BABEL_MALFORMED;
	}
	if (omitted && dflt->slot == BABEL_SLOT_POISONED) {
		*why = "default prefix lost to an earlier malformed TLV";
		return BABEL_IGNORE;
	}
	if (ai->implied) {
		out->bytes[0] = 0xfe;
		out->bytes[1] = 0x80;
	}
	unsigned total = babel_plen_octets(plen);
	unsigned start = ai->implied + omitted;
	if (omitted)
		memcpy(out->bytes, dflt->bytes, omitted);
	if (total > start)
		read_bytes(r, out->bytes + start, total - start);
	if (r->err) {
		*why = "prefix runs past the end of its TLV";
		return BABEL_MALFORMED;
	}
	babel_prefix_mask(out);
	return BABEL_OK;
}

/* Reads a neighbour address (IHU, Next Hop) of AE 1, 2 or 3. */
static bool read_addr(struct reader *r, uint8_t ae, struct babel_addr *out)
{
	const struct babel_ae_info *ai = babel_ae_info(ae);
	memset(out, 0, sizeof *out);
	out->af = ai->af;
	if (ai->implied) {
		out->bytes[0] = 0xfe;
		out->bytes[1] = 0x80;
	}
	read_bytes(r, out->bytes + ai->implied, ai->wire_len);
	return !r->err;
}

/* --------------------------------------------------------- sub-TLVs */

static enum babel_result read_source_prefix(struct reader *sub, uint8_t af, struct subtlvs *s,
					    const char **why)
{
	uint8_t splen = read_u8(sub);
	unsigned max = af == BABEL_AF_IPV4 ? 32 : 128;
	if (sub->err || splen > max || reader_left(sub) != babel_plen_octets(splen)) {
		*why = "malformed source prefix sub-TLV";
		return BABEL_MALFORMED;
	}
	if (s->has_src)
		s->src_twice = true;
	s->src.af = af;
	s->src.plen = splen;
	memset(s->src.bytes, 0, 16);
	read_bytes(sub, s->src.bytes, babel_plen_octets(splen));
	babel_prefix_mask(&s->src);
	/* A /0 source prefix is no restriction at all: the plain route. */
	s->has_src = splen != 0 || s->src_twice;
	return BABEL_OK;
}

static void read_timestamps(struct reader *sub, unsigned want, struct subtlvs *s)
{
	/* A timestamp of the wrong size is not mandatory: skip it. */
	if (reader_left(sub) != 4 * want)
		return;
	for (unsigned i = 0; i < want; i++)
		s->ts[i] = read_u32(sub);
	s->n_ts = (uint8_t)want;
}

/* Walks the sub-TLVs after a TLV's natural end.  af is the family a source
 * prefix takes (BABEL_AF_NONE: a source prefix is meaningless here). */
static enum babel_result read_subtlvs(struct reader *r, unsigned allowed, uint8_t af,
				      struct subtlvs *s, const char **why)
{
	memset(s, 0, sizeof *s);
	while (reader_left(r) > 0) {
		uint8_t type = read_u8(r);
		if (type == BABEL_SUB_PAD1)
			continue;
		uint8_t len = read_u8(r);
		struct reader sub = reader_sub(r, len);
		if (sub.err) {
			*why = "sub-TLV runs past the end of its TLV";
			return BABEL_MALFORMED;
		}
		if (type == BABEL_SUB_TIMESTAMP && (allowed & (SUB_TS1 | SUB_TS2))) {
			read_timestamps(&sub, (allowed & SUB_TS2) ? 2 : 1, s);
		} else if (type == BABEL_SUB_SOURCE_PREFIX && (allowed & SUB_SRC) &&
			   af != BABEL_AF_NONE) {
			if (read_source_prefix(&sub, af, s, why) != BABEL_OK)
				return BABEL_MALFORMED;
		} else if (type & BABEL_SUB_MANDATORY) {
			s->mandatory_unknown = true;
		}
	}
	return BABEL_OK;
}

/* The verdict on a well-formed TLV from its sub-TLVs. */
static enum babel_result sub_verdict(const struct subtlvs *s, struct babel_tlv *out)
{
	if (s->mandatory_unknown)
		return fail(out, BABEL_IGNORE, "unknown mandatory sub-TLV");
	if (s->src_twice)
		return fail(out, BABEL_IGNORE, "more than one source prefix");
	return BABEL_OK;
}

/* ------------------------------------------------------- simple TLVs */

static enum babel_result decode_ack_req(struct reader *r, struct babel_tlv *out)
{
	struct subtlvs s;
	read_u16(r); /* reserved */
	out->ack_req.opaque = read_u16(r);
	out->ack_req.interval = read_u16(r);
	if (r->err)
		return fail(out, BABEL_MALFORMED, "Acknowledgment Request too short");
	if (read_subtlvs(r, 0, BABEL_AF_NONE, &s, &out->why) != BABEL_OK)
		return BABEL_MALFORMED;
	return sub_verdict(&s, out);
}

static enum babel_result decode_ack(struct reader *r, struct babel_tlv *out)
{
	struct subtlvs s;
	out->ack.opaque = read_u16(r);
	if (r->err)
		return fail(out, BABEL_MALFORMED, "Acknowledgment too short");
	if (read_subtlvs(r, 0, BABEL_AF_NONE, &s, &out->why) != BABEL_OK)
		return BABEL_MALFORMED;
	return sub_verdict(&s, out);
}

static enum babel_result decode_hello(struct reader *r, struct babel_tlv *out)
{
	struct subtlvs s;
	struct babel_hello *h = &out->hello;
	h->flags = read_u16(r);
	h->seqno = read_u16(r);
	h->interval = read_u16(r);
	if (r->err)
		return fail(out, BABEL_MALFORMED, "Hello too short");
	if (read_subtlvs(r, SUB_TS1, BABEL_AF_NONE, &s, &out->why) != BABEL_OK)
		return BABEL_MALFORMED;
	h->has_timestamp = s.n_ts == 1;
	h->timestamp = s.ts[0];
	return sub_verdict(&s, out);
}

static enum babel_result decode_ihu(struct reader *r, struct babel_tlv *out)
{
	struct subtlvs s;
	struct babel_ihu *ihu = &out->ihu;
	ihu->ae = read_u8(r);
	read_u8(r); /* reserved */
	ihu->rxcost = read_u16(r);
	ihu->interval = read_u16(r);
	if (r->err)
		return fail(out, BABEL_MALFORMED, "IHU too short");
	if (ihu->ae == BABEL_AE_V4_VIA_V6)
		return fail(out, BABEL_MALFORMED, "AE 4 names no neighbour (RFC 9229)");
	if (ihu->ae >= BABEL_AE_COUNT)
		return fail(out, BABEL_IGNORE, "unknown address encoding");
	if (ihu->ae != BABEL_AE_WILDCARD && !read_addr(r, ihu->ae, &ihu->addr))
		return fail(out, BABEL_MALFORMED, "IHU address runs past its TLV");
	if (read_subtlvs(r, SUB_TS2, BABEL_AF_NONE, &s, &out->why) != BABEL_OK)
		return BABEL_MALFORMED;
	ihu->has_timestamp = s.n_ts == 2;
	ihu->origin = s.ts[0];
	ihu->receive = s.ts[1];
	return sub_verdict(&s, out);
}

/* RFC 8967 TLVs fill their body: no sub-TLVs. */
static enum babel_result decode_pc(struct reader *r, struct babel_tlv *out)
{
	out->pc.pc = read_u32(r);
	if (r->err)
		return fail(out, BABEL_MALFORMED, "PC too short");
	out->pc.index.len = reader_left(r);
	out->pc.index.p = read_span(r, out->pc.index.len);
	if (out->pc.index.len > BABEL_PC_INDEX_MAX)
		return fail(out, BABEL_MALFORMED, "PC index longer than 32 octets");
	return BABEL_OK;
}

static enum babel_result decode_nonce(struct reader *r, struct babel_tlv *out)
{
	out->nonce.len = reader_left(r);
	out->nonce.p = read_span(r, out->nonce.len);
	if (out->nonce.len > BABEL_NONCE_MAX)
		return fail(out, BABEL_MALFORMED, "nonce longer than 192 octets");
	return BABEL_OK;
}

/* ------------------------------------------------------ state TLVs */

static enum babel_result decode_router_id(struct babel_iter *it, struct reader *r,
					  struct babel_tlv *out)
{
	struct subtlvs s;
	read_u16(r); /* reserved */
	read_bytes(r, out->router_id.id, 8);
	if (r->err || !babel_router_id_valid(out->router_id.id) ||
	    read_subtlvs(r, 0, BABEL_AF_NONE, &s, &out->why) != BABEL_OK) {
		it->st.rid_slot = BABEL_SLOT_POISONED;
		if (r->err)
			out->why = "Router-Id too short";
		else if (!babel_router_id_valid(out->router_id.id))
			out->why = "router-id all zeros or all ones";
		return BABEL_MALFORMED;
	}
	/* Even an ignored Router-Id sets the state (RFC 8966 4.4). */
	it->st.rid_slot = BABEL_SLOT_SET;
	memcpy(it->st.router_id, out->router_id.id, 8);
	return sub_verdict(&s, out);
}

static enum babel_result decode_next_hop(struct babel_iter *it, struct reader *r,
					 struct babel_tlv *out)
{
	struct subtlvs s;
	struct babel_next_hop *nh = &out->next_hop;
	nh->ae = read_u8(r);
	read_u8(r); /* reserved */
	if (r->err) {
		it->st.nh_slot[0] = it->st.nh_slot[1] = BABEL_SLOT_POISONED;
		return fail(out, BABEL_MALFORMED, "Next Hop too short");
	}
	if (nh->ae == BABEL_AE_WILDCARD)
		return fail(out, BABEL_MALFORMED, "Next Hop with the wildcard encoding");
	if (nh->ae == BABEL_AE_V4_VIA_V6)
		return fail(out, BABEL_MALFORMED, "AE 4 names no next hop (RFC 9229)");
	if (nh->ae >= BABEL_AE_COUNT)
		return fail(out, BABEL_IGNORE, "unknown address encoding");
	int fam = babel_nh_family(nh->ae);
	if (!read_addr(r, nh->ae, &nh->addr) ||
	    read_subtlvs(r, 0, BABEL_AF_NONE, &s, &out->why) != BABEL_OK) {
		it->st.nh_slot[fam] = BABEL_SLOT_POISONED;
		if (r->err)
			out->why = "Next Hop address runs past its TLV";
		return BABEL_MALFORMED;
	}
	it->st.nh_slot[fam] = BABEL_SLOT_SET;
	memcpy(it->st.nh[fam], nh->addr.bytes, 16);
	return sub_verdict(&s, out);
}

/* ---------------------------------------------------------- updates */

/* A malformed Update cannot set what its flags promised: poison it.  With
 * the flags unread, assume the worst. */
static void poison_update(struct babel_state *st, size_t body_len, uint8_t ae, uint8_t flags)
{
	if (body_len < 2)
		flags = BABEL_UPDATE_DEFAULT_PREFIX | BABEL_UPDATE_ROUTER_ID;
	if (flags & BABEL_UPDATE_ROUTER_ID)
		st->rid_slot = BABEL_SLOT_POISONED;
	if (!(flags & BABEL_UPDATE_DEFAULT_PREFIX))
		return;
	if (body_len < 1) {
		for (uint8_t a = 0; a < BABEL_AE_COUNT; a++)
			poison_default(st, a);
	} else {
		poison_default(st, ae);
	}
}

/* Applies flags 0x80 and 0x40 of a well-formed Update to the state. */
static void apply_update_state(struct babel_state *st, const struct babel_update *u)
{
	const struct babel_ae_info *ai = babel_ae_info(u->ae);
	if (!ai)
		return; /* the wildcard sets nothing */
	if ((u->flags & BABEL_UPDATE_DEFAULT_PREFIX) && ai->compresses)
		set_default(st, u->ae, &u->prefix);
	if (u->flags & BABEL_UPDATE_ROUTER_ID) {
		babel_router_id_from_prefix(&u->prefix, st->router_id);
		/* A prefix whose low half is all zeros (or ones) names no
		 * router: what follows must not be credited to it. */
		st->rid_slot = babel_router_id_valid(st->router_id) ? BABEL_SLOT_SET
								    : BABEL_SLOT_POISONED;
	}
}

/* The parser state an Update needs, copied into it; IGNORE when what a
 * route needs was lost to a malformed TLV or never set. */
static enum babel_result attach_state(const struct babel_state *st, struct babel_tlv *out)
{
	struct babel_update *u = &out->update;
	bool retraction = u->metric == BABEL_INFINITY;
	u->has_router_id = st->rid_slot == BABEL_SLOT_SET;
	memcpy(u->router_id, st->router_id, 8);
	if (u->ae != BABEL_AE_WILDCARD) {
		int fam = babel_nh_family(u->ae);
		u->has_next_hop = st->nh_slot[fam] == BABEL_SLOT_SET;
		if (u->has_next_hop) {
			u->next_hop.af = fam == 0 ? BABEL_AF_IPV4 : BABEL_AF_IPV6;
			memcpy(u->next_hop.bytes, st->nh[fam], 16);
		}
		if (!retraction && st->nh_slot[fam] == BABEL_SLOT_POISONED)
			return fail(out, BABEL_IGNORE, "next hop lost to an earlier malformed TLV");
	}
	if (!retraction && st->rid_slot == BABEL_SLOT_POISONED)
		return fail(out, BABEL_IGNORE, "router-id lost to an earlier malformed TLV");
	if (!retraction && st->rid_slot == BABEL_SLOT_UNSET)
		return fail(out, BABEL_IGNORE, "route with no router-id");
	return BABEL_OK;
}

/* The fixed part and prefix of an Update; BABEL_OK or the failure. */
static enum babel_result read_update_prefix(struct babel_iter *it, struct reader *r,
					    uint8_t plen, uint8_t omitted, struct babel_tlv *out)
{
	struct babel_update *u = &out->update;
	if (u->ae == BABEL_AE_WILDCARD) {
		if (plen != 0 || omitted != 0)
			return fail(out, BABEL_MALFORMED, "wildcard Update with a prefix");
		if (u->metric != BABEL_INFINITY)
			return fail(out, BABEL_MALFORMED, "wildcard Update that is not a retraction");
		return BABEL_OK;
	}
	return read_prefix(r, u->ae, plen, omitted, &it->st.dflt[u->ae], &u->prefix, &out->why);
}

static enum babel_result decode_update(struct babel_iter *it, struct reader *r,
				       struct babel_tlv *out)
{
	struct babel_update *u = &out->update;
	struct subtlvs s;
	u->ae = read_u8(r);
	u->flags = read_u8(r);
	uint8_t plen = read_u8(r);
	uint8_t omitted = read_u8(r);
	u->interval = read_u16(r);
	u->seqno = read_u16(r);
	u->metric = read_u16(r);
	if (r->err) {
		poison_update(&it->st, r->len, u->ae, u->flags);
		return fail(out, BABEL_MALFORMED, "Update too short");
	}
	if (u->ae >= BABEL_AE_COUNT) {
		/* A future AE: ours to skip, but a router-id it sets is lost. */
		if (u->flags & BABEL_UPDATE_ROUTER_ID)
			it->st.rid_slot = BABEL_SLOT_POISONED;
		return fail(out, BABEL_IGNORE, "unknown address encoding");
	}
	enum babel_result res = read_update_prefix(it, r, plen, omitted, out);
	if (res == BABEL_OK)
		res = read_subtlvs(r, SUB_SRC, u->prefix.af, &s, &out->why);
	if (res != BABEL_OK) {
		poison_update(&it->st, r->len, u->ae, u->flags);
		return res;
	}
	apply_update_state(&it->st, u);
	u->has_src = s.has_src;
	u->src = s.src;
	/* A source prefix on a wildcard has no family: it counts as an
	 * unknown mandatory sub-TLV there, and the TLV is ignored. */
	res = sub_verdict(&s, out);
	if (res != BABEL_OK)
		return res;
	return attach_state(&it->st, out);
}

/* --------------------------------------------------------- requests */

static enum babel_result decode_route_req(struct reader *r, struct babel_tlv *out)
{
	struct babel_route_req *q = &out->route_req;
	struct subtlvs s;
	q->ae = read_u8(r);
	uint8_t plen = read_u8(r);
	if (r->err)
		return fail(out, BABEL_MALFORMED, "Route Request too short");
	if (q->ae >= BABEL_AE_COUNT)
		return fail(out, BABEL_IGNORE, "unknown address encoding");
	if (q->ae == BABEL_AE_WILDCARD && plen != 0)
		return fail(out, BABEL_MALFORMED, "wildcard Route Request with a prefix");
	if (q->ae != BABEL_AE_WILDCARD) {
		enum babel_result res = read_prefix(r, q->ae, plen, 0, NULL, &q->prefix, &out->why);
		if (res != BABEL_OK)
			return res;
	}
	if (read_subtlvs(r, SUB_SRC, q->ae ? q->prefix.af : BABEL_AF_NONE, &s, &out->why) !=
	    BABEL_OK)
		return BABEL_MALFORMED;
	q->has_src = s.has_src;
	q->src = s.src;
	return sub_verdict(&s, out);
}

static enum babel_result decode_seqno_req(struct reader *r, struct babel_tlv *out)
{
	struct babel_seqno_req *q = &out->seqno_req;
	struct subtlvs s;
	q->ae = read_u8(r);
	uint8_t plen = read_u8(r);
	q->seqno = read_u16(r);
	q->hop_count = read_u8(r);
	read_u8(r); /* reserved */
	read_bytes(r, q->router_id, 8);
	if (r->err)
		return fail(out, BABEL_MALFORMED, "Seqno Request too short");
	if (q->ae == BABEL_AE_WILDCARD)
		return fail(out, BABEL_MALFORMED, "Seqno Request with the wildcard encoding");
	if (q->ae >= BABEL_AE_COUNT)
		return fail(out, BABEL_IGNORE, "unknown address encoding");
	enum babel_result res = read_prefix(r, q->ae, plen, 0, NULL, &q->prefix, &out->why);
	if (res != BABEL_OK)
		return res;
	if (read_subtlvs(r, SUB_SRC, q->prefix.af, &s, &out->why) != BABEL_OK)
		return BABEL_MALFORMED;
	q->has_src = s.has_src;
	q->src = s.src;
	return sub_verdict(&s, out);
}

/* --------------------------------------------------------- iteration */

static enum babel_result decode_body_tlv(struct babel_iter *it, struct reader *r,
					 struct babel_tlv *out)
{
	switch (out->type) {
	case BABEL_TLV_PADN:
		out->padn.len = r->len;
		out->padn.p = r->buf;
		return BABEL_OK;
	case BABEL_TLV_ACK_REQ:
		return decode_ack_req(r, out);
	case BABEL_TLV_ACK:
		return decode_ack(r, out);
	case BABEL_TLV_HELLO:
		return decode_hello(r, out);
	case BABEL_TLV_IHU:
		return decode_ihu(r, out);
	case BABEL_TLV_ROUTER_ID:
		return decode_router_id(it, r, out);
	case BABEL_TLV_NEXT_HOP:
		return decode_next_hop(it, r, out);
	case BABEL_TLV_UPDATE:
		return decode_update(it, r, out);
	case BABEL_TLV_ROUTE_REQ:
		return decode_route_req(r, out);
	case BABEL_TLV_SEQNO_REQ:
		return decode_seqno_req(r, out);
	case BABEL_TLV_PC:
		return decode_pc(r, out);
	case BABEL_TLV_CHALLENGE_REQ:
	case BABEL_TLV_CHALLENGE_REPLY:
		return decode_nonce(r, out);
	case BABEL_TLV_MAC:
		out->mac.len = r->len;
		out->mac.p = r->buf;
		return fail(out, BABEL_IGNORE, "MAC TLV in the packet body");
	default:
		out->raw.len = r->len;
		out->raw.p = r->buf;
		return fail(out, BABEL_IGNORE, "unknown TLV type");
	}
}

/* RFC 8967 4.2: the trailer holds MAC TLVs (and padding); nothing else in
 * it means anything. */
static enum babel_result decode_trailer_tlv(struct reader *r, struct babel_tlv *out)
{
	out->raw.len = r->len;
	out->raw.p = r->buf;
	if (out->type == BABEL_TLV_MAC || out->type == BABEL_TLV_PADN)
		return BABEL_OK;
	return fail(out, BABEL_IGNORE, "not a trailer TLV");
}

static void iter_init(struct babel_iter *it, const struct babel_span *span, bool trailer)
{
	memset(it, 0, sizeof *it);
	it->r = reader_init(span->p, span->p ? span->len : 0);
	it->trailer = trailer;
}

void babel_iter_body(struct babel_iter *it, const struct babel_packet *pkt)
{
	iter_init(it, &pkt->body, false);
}

void babel_iter_trailer(struct babel_iter *it, const struct babel_packet *pkt)
{
	iter_init(it, &pkt->trailer, true);
}

bool babel_iter_broken(const struct babel_iter *it)
{
	return it->broken;
}

enum babel_result babel_iter_next(struct babel_iter *it, struct babel_tlv *out)
{
	memset(out, 0, sizeof *out);
	if (it->broken || reader_left(&it->r) == 0)
		return BABEL_END;
	out->type = read_u8(&it->r);
	if (out->type == BABEL_TLV_PAD1)
		return BABEL_OK;
	uint8_t len = read_u8(&it->r);
	struct reader body = reader_sub(&it->r, len);
	if (body.err) {
		it->broken = true;
		return fail(out, BABEL_MALFORMED, "TLV runs past the end of the packet");
	}
	if (it->trailer)
		return decode_trailer_tlv(&body, out);
	return decode_body_tlv(it, &body, out);
}
