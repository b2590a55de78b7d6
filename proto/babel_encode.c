/* Encoding Babel packets into a caller's buffer.  Every put first works
 * out the exact size of what it will write, checks it fits, and only then
 * writes through a writer bounded to that size: a TLV is written whole or
 * not at all, and the encoder's parser state moves only with it. */
#include "proto/babel.h"
#include "proto/babel_internal.h"

#include <string.h>

/* ------------------------------------------------------------ packets */

void babel_pkt_init(struct babel_pkt *p, uint8_t *buf, size_t cap, size_t trailer_reserve)
{
	memset(p, 0, sizeof *p);
	p->buf = buf;
	p->cap = cap;
	p->reserve = trailer_reserve;
	struct writer w = writer_init(buf, cap);
	write_u8(&w, BABEL_MAGIC);
	write_u8(&w, BABEL_VERSION);
	write_u16(&w, 0); /* body length, written by babel_pkt_finish */
	p->len = w.overflow ? 0 : w.len;
}

size_t babel_pkt_room(const struct babel_pkt *p)
{
	if (p->finished || p->len < BABEL_HEADER_LEN)
		return 0;
	size_t limit = p->cap > p->reserve ? p->cap - p->reserve : 0;
	if (limit > BABEL_HEADER_LEN + 0xFFFFu) /* the body length is 16 bits */
		limit = BABEL_HEADER_LEN + 0xFFFFu;
	return limit > p->len ? limit - p->len : 0;
}

bool babel_pkt_empty(const struct babel_pkt *p)
{
	return p->len <= BABEL_HEADER_LEN;
}

size_t babel_pkt_finish(struct babel_pkt *p)
{
	if (p->len < BABEL_HEADER_LEN)
		return 0;
	if (!p->finished) {
		struct writer w = { p->buf, p->cap, p->len, false };
		writer_patch_u16(&w, 2, (uint16_t)(p->len - BABEL_HEADER_LEN));
		p->finished = true;
		p->body_end = p->len;
	}
	return p->body_end;
}

size_t babel_pkt_len(const struct babel_pkt *p)
{
	return p->len;
}

/* A writer over exactly the n octets the next TLV needs, or false. */
static bool tlv_begin(struct babel_pkt *p, size_t n, struct writer *w)
{
	if (babel_pkt_room(p) < n)
		return false;
	*w = writer_init(p->buf + p->len, n);
	return true;
}

/* A size worked out wrong would be a bug: never commit half a TLV. */
static enum babel_put tlv_commit(struct babel_pkt *p, const struct writer *w)
{
	if (w->overflow || w->len != w->cap)
		return BABEL_PUT_INVALID;
	p->len += w->len;
	return BABEL_PUT_OK;
}

static void tlv_header(struct writer *w, uint8_t type, size_t body)
{
	write_u8(w, type);
	write_u8(w, (uint8_t)body);
}

static void write_zeros(struct writer *w, size_t n)
{
	while (n--)
		write_u8(w, 0);
}

/* ------------------------------------------------------------ sub-TLVs */

void babel_write_sub_pad(struct writer *w, size_t n)
{
	while (n > 0) {
		if (n == 1) {
			write_u8(w, BABEL_SUB_PAD1);
			return;
		}
		size_t chunk = n > 257 ? 257 : n; /* PadN: 2 + at most 255 */
		write_u8(w, BABEL_SUB_PADN);
		write_u8(w, (uint8_t)(chunk - 2));
		write_zeros(w, chunk - 2);
		n -= chunk;
	}
}

void babel_write_sub_timestamp(struct writer *w, const uint32_t *ts, size_t n)
{
	write_u8(w, BABEL_SUB_TIMESTAMP);
	write_u8(w, (uint8_t)(4 * n));
	for (size_t i = 0; i < n; i++)
		write_u32(w, ts[i]);
}

static bool src_valid(const struct babel_prefix *src)
{
	return (src->af == BABEL_AF_IPV4 && src->plen <= 32) ||
	       (src->af == BABEL_AF_IPV6 && src->plen <= 128);
}

static size_t src_size(bool has_src, const struct babel_prefix *src)
{
	/* A /0 source is no restriction: the plain route, no sub-TLV. */
	return has_src && src->plen ? 3 + babel_plen_octets(src->plen) : 0;
}

bool babel_write_sub_source_prefix(struct writer *w, const struct babel_prefix *src)
{
	if (!src_valid(src))
		return false;
	struct babel_prefix m = *src;
	babel_prefix_mask(&m);
	size_t n = babel_plen_octets(m.plen);
	write_u8(w, BABEL_SUB_SOURCE_PREFIX);
	write_u8(w, (uint8_t)(1 + n));
	write_u8(w, m.plen);
	write_bytes(w, m.bytes, n);
	return true;
}

static void write_src(struct writer *w, bool has_src, const struct babel_prefix *src)
{
	if (src_size(has_src, src))
		babel_write_sub_source_prefix(w, src);
}

/* ---------------------------------------------------------- addresses */

/* The AE that carries a neighbour address most compactly. */
static uint8_t addr_ae(const struct babel_addr *a)
{
	if (a->af == BABEL_AF_IPV4)
		return BABEL_AE_IPV4;
	if (a->af == BABEL_AF_IPV6)
		return babel_is_ll64(a->bytes) ? BABEL_AE_LINK_LOCAL : BABEL_AE_IPV6;
	return BABEL_AE_WILDCARD;
}

static void write_addr(struct writer *w, uint8_t ae, const struct babel_addr *a)
{
	const struct babel_ae_info *ai = babel_ae_info(ae);
	if (ai)
		write_bytes(w, a->bytes + ai->implied, ai->wire_len);
}

/* A prefix that AE ae can carry: family and length fit, and AE 3 only
 * carries prefixes of fe80::/64. */
static bool prefix_fits_ae(uint8_t ae, const struct babel_prefix *p)
{
	const struct babel_ae_info *ai = babel_ae_info(ae);
	if (!ai || p->af != ai->af || p->plen > ai->max_plen || p->plen < ai->min_plen)
		return false;
	return !ai->implied || babel_is_ll64(p->bytes);
}

/* Octets of the prefix on the wire once implied and omitted ones go. */
static size_t prefix_wire_octets(uint8_t ae, uint8_t plen, uint8_t omitted)
{
	const struct babel_ae_info *ai = babel_ae_info(ae);
	size_t skip = (size_t)ai->implied + omitted;
	size_t total = babel_plen_octets(plen);
	return total > skip ? total - skip : 0;
}

static void write_prefix(struct writer *w, uint8_t ae, const struct babel_prefix *p,
			 uint8_t omitted)
{
	const struct babel_ae_info *ai = babel_ae_info(ae);
	write_bytes(w, p->bytes + ai->implied + omitted, prefix_wire_octets(ae, p->plen, omitted));
}

/* ---------------------------------------------------------- plain TLVs */

enum babel_put babel_put_pad1(struct babel_pkt *p)
{
	struct writer w;
	if (!tlv_begin(p, 1, &w))
		return BABEL_PUT_FULL;
	write_u8(&w, BABEL_TLV_PAD1);
	return tlv_commit(p, &w);
}

enum babel_put babel_put_padn(struct babel_pkt *p, size_t n)
{
	struct writer w;
	if (n > BABEL_TLV_MAX_BODY)
		return BABEL_PUT_INVALID;
	if (!tlv_begin(p, 2 + n, &w))
		return BABEL_PUT_FULL;
	tlv_header(&w, BABEL_TLV_PADN, n);
	write_zeros(&w, n);
	return tlv_commit(p, &w);
}

enum babel_put babel_put_ack_req(struct babel_pkt *p, const struct babel_ack_req *a)
{
	struct writer w;
	if (!tlv_begin(p, 8, &w))
		return BABEL_PUT_FULL;
	tlv_header(&w, BABEL_TLV_ACK_REQ, 6);
	write_u16(&w, 0); /* reserved */
	write_u16(&w, a->opaque);
	write_u16(&w, a->interval);
	return tlv_commit(p, &w);
}

enum babel_put babel_put_ack(struct babel_pkt *p, const struct babel_ack *a)
{
	struct writer w;
	if (!tlv_begin(p, 4, &w))
		return BABEL_PUT_FULL;
	tlv_header(&w, BABEL_TLV_ACK, 2);
	write_u16(&w, a->opaque);
	return tlv_commit(p, &w);
}

enum babel_put babel_put_hello(struct babel_pkt *p, const struct babel_hello *h)
{
	struct writer w;
	size_t body = 6 + (h->has_timestamp ? 6 : 0);
	if (!tlv_begin(p, 2 + body, &w))
		return BABEL_PUT_FULL;
	tlv_header(&w, BABEL_TLV_HELLO, body);
	write_u16(&w, h->flags);
	write_u16(&w, h->seqno);
	write_u16(&w, h->interval);
	if (h->has_timestamp)
		babel_write_sub_timestamp(&w, &h->timestamp, 1);
	return tlv_commit(p, &w);
}

enum babel_put babel_put_ihu(struct babel_pkt *p, const struct babel_ihu *ihu)
{
	struct writer w;
	uint8_t ae = addr_ae(&ihu->addr);
	size_t body = 6 + (size_t)babel_ae_addr_len(ae) + (ihu->has_timestamp ? 10 : 0);
	if (ihu->addr.af != BABEL_AF_NONE && ae == BABEL_AE_WILDCARD)
		return BABEL_PUT_INVALID;
	if (!tlv_begin(p, 2 + body, &w))
		return BABEL_PUT_FULL;
	tlv_header(&w, BABEL_TLV_IHU, body);
	write_u8(&w, ae);
	write_u8(&w, 0); /* reserved */
	write_u16(&w, ihu->rxcost);
	write_u16(&w, ihu->interval);
	write_addr(&w, ae, &ihu->addr);
	if (ihu->has_timestamp) {
		uint32_t ts[2] = { ihu->origin, ihu->receive };
		babel_write_sub_timestamp(&w, ts, 2);
	}
	return tlv_commit(p, &w);
}

/* ---------------------------------------------------------- state TLVs */

static void write_router_id(struct writer *w, const uint8_t id[8])
{
	tlv_header(w, BABEL_TLV_ROUTER_ID, 10);
	write_u16(w, 0); /* reserved */
	write_bytes(w, id, 8);
}

enum babel_put babel_put_router_id(struct babel_pkt *p, const uint8_t id[8])
{
	struct writer w;
	if (!babel_router_id_valid(id))
		return BABEL_PUT_INVALID;
	if (!tlv_begin(p, 12, &w))
		return BABEL_PUT_FULL;
	write_router_id(&w, id);
	enum babel_put res = tlv_commit(p, &w);
	if (res == BABEL_PUT_OK) {
		p->st.rid_slot = BABEL_SLOT_SET;
		memcpy(p->st.router_id, id, 8);
	}
	return res;
}

static size_t next_hop_size(uint8_t ae)
{
	return 4 + (size_t)babel_ae_addr_len(ae);
}

static void write_next_hop(struct writer *w, uint8_t ae, const struct babel_addr *a)
{
	tlv_header(w, BABEL_TLV_NEXT_HOP, next_hop_size(ae) - 2);
	write_u8(w, ae);
	write_u8(w, 0); /* reserved */
	write_addr(w, ae, a);
}

/* The address as the decoder will hand it back: nothing past IPv4. */
static struct babel_addr clean_addr(const struct babel_addr *a)
{
	struct babel_addr c = *a;
	if (c.af == BABEL_AF_IPV4)
		memset(c.bytes + 4, 0, 12);
	return c;
}

static void set_next_hop(struct babel_state *st, const struct babel_addr *a)
{
	int fam = a->af == BABEL_AF_IPV4 ? 0 : 1;
	st->nh_slot[fam] = BABEL_SLOT_SET;
	memcpy(st->nh[fam], a->bytes, 16);
}

enum babel_put babel_put_next_hop(struct babel_pkt *p, const struct babel_addr *addr)
{
	struct writer w;
	struct babel_addr a = clean_addr(addr);
	uint8_t ae = addr_ae(&a);
	if (ae == BABEL_AE_WILDCARD)
		return BABEL_PUT_INVALID;
	if (!tlv_begin(p, next_hop_size(ae), &w))
		return BABEL_PUT_FULL;
	write_next_hop(&w, ae, &a);
	enum babel_put res = tlv_commit(p, &w);
	if (res == BABEL_PUT_OK)
		set_next_hop(&p->st, &a);
	return res;
}

/* ------------------------------------------------------------- updates */

/* Everything one route needs, decided before a single octet is written. */
struct update_plan {
	struct babel_prefix prefix; /* masked */
	struct babel_addr next_hop; /* cleaned */
	bool rid_tlv;
	bool nh_tlv;
	uint8_t nh_ae;
	uint8_t flags;
	uint8_t omitted;
	size_t body;
	size_t size;
};

static bool update_valid(const struct babel_update *u, const struct babel_prefix *masked)
{
	bool retraction = u->metric == BABEL_INFINITY;
	if (u->ae == BABEL_AE_WILDCARD)
		return retraction && !u->has_src;
	if (!prefix_fits_ae(u->ae, masked))
		return false;
	if (u->has_src && (!src_valid(&u->src) || u->src.af != masked->af))
		return false;
	return retraction || (u->has_router_id && babel_router_id_valid(u->router_id));
}

static void plan_router_id(const struct babel_state *st, const struct babel_update *u,
			   struct update_plan *plan)
{
	uint8_t derived[8];
	if (st->rid_slot == BABEL_SLOT_SET && memcmp(st->router_id, u->router_id, 8) == 0)
		return;
	/* Only with IPv6 prefixes, as babeld: BIRD 2.0.12 reads flag 0x40
	 * on AE 2 alone, finds no router-id for an IPv4 Update that relies
	 * on it, and drops the rest of the packet (its Hellos and IHUs too).
	 * A BIRD router-id is its IPv4 address, so its own /32 would always
	 * come back that way. */
	babel_router_id_from_prefix(&plan->prefix, derived);
	if (u->ae == BABEL_AE_IPV6 && memcmp(derived, u->router_id, 8) == 0)
		plan->flags |= BABEL_UPDATE_ROUTER_ID; /* saves a 12-octet Router-Id */
	else
		plan->rid_tlv = true;
}

static enum babel_put plan_next_hop(const struct babel_state *st, const struct babel_update *u,
				    struct update_plan *plan)
{
	int fam = babel_nh_family(u->ae);
	if (!u->has_next_hop) {
		/* Only a new packet can say "my own address" again. */
		return st->nh_slot[fam] == BABEL_SLOT_SET ? BABEL_PUT_FULL : BABEL_PUT_OK;
	}
	if (u->next_hop.af != (fam == 0 ? BABEL_AF_IPV4 : BABEL_AF_IPV6))
		return BABEL_PUT_INVALID;
	plan->next_hop = clean_addr(&u->next_hop);
	if (st->nh_slot[fam] == BABEL_SLOT_SET && memcmp(st->nh[fam], plan->next_hop.bytes, 16) == 0)
		return BABEL_PUT_OK;
	plan->nh_tlv = true;
	plan->nh_ae = addr_ae(&plan->next_hop);
	return BABEL_PUT_OK;
}

/* Longest run of leading octets shared with the AE's default prefix, and
 * whether this prefix should become the default.  Announcements come
 * mostly in order, so the latest prefix is the best guess for the next
 * one; but a prefix already covered by a longer default would only lose
 * that default's tail, so it leaves the default alone. */
static void plan_compression(const struct babel_state *st, uint8_t ae, struct update_plan *plan)
{
	const struct babel_ae_info *ai = babel_ae_info(ae);
	if (!ai || !ai->compresses)
		return;
	const struct babel_default_prefix *d = &st->dflt[ae];
	unsigned total = babel_plen_octets(plan->prefix.plen);
	unsigned o = 0;
	if (d->slot == BABEL_SLOT_SET)
		while (o < total && plan->prefix.bytes[o] == d->bytes[o])
			o++;
	plan->omitted = (uint8_t)o;
	bool covered = d->slot == BABEL_SLOT_SET && o == total &&
		       total <= babel_plen_octets(d->plen);
	if (!covered)
		plan->flags |= BABEL_UPDATE_DEFAULT_PREFIX;
}

static enum babel_put plan_update(const struct babel_state *st, const struct babel_update *u,
				  struct update_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	plan->prefix = u->prefix;
	babel_prefix_mask(&plan->prefix);
	if (!update_valid(u, &plan->prefix))
		return BABEL_PUT_INVALID;
	if (u->ae == BABEL_AE_WILDCARD) {
		memset(&plan->prefix, 0, sizeof plan->prefix);
		plan->body = 10;
		plan->size = 12;
		return BABEL_PUT_OK;
	}
	/* Retractions need neither router-id nor next hop. */
	if (u->metric != BABEL_INFINITY) {
		enum babel_put res = plan_next_hop(st, u, plan);
		if (res != BABEL_PUT_OK)
			return res;
		plan_router_id(st, u, plan);
	}
	plan_compression(st, u->ae, plan);
	plan->body = 10 + prefix_wire_octets(u->ae, plan->prefix.plen, plan->omitted) +
		     src_size(u->has_src, &u->src);
	plan->size = 2 + plan->body + (plan->rid_tlv ? 12 : 0) +
		     (plan->nh_tlv ? next_hop_size(plan->nh_ae) : 0);
	return BABEL_PUT_OK;
}

static void write_update(struct writer *w, const struct babel_update *u,
			 const struct update_plan *plan)
{
	if (plan->rid_tlv)
		write_router_id(w, u->router_id);
	if (plan->nh_tlv)
		write_next_hop(w, plan->nh_ae, &plan->next_hop);
	tlv_header(w, BABEL_TLV_UPDATE, plan->body);
	write_u8(w, u->ae);
	write_u8(w, plan->flags);
	write_u8(w, plan->prefix.plen);
	write_u8(w, plan->omitted);
	write_u16(w, u->interval);
	write_u16(w, u->seqno);
	write_u16(w, u->metric);
	if (u->ae != BABEL_AE_WILDCARD)
		write_prefix(w, u->ae, &plan->prefix, plan->omitted);
	write_src(w, u->has_src, &u->src);
}

/* The receiver's parser state after this update, mirrored. */
static void apply_plan(struct babel_state *st, const struct babel_update *u,
		       const struct update_plan *plan)
{
	if (plan->rid_tlv || (plan->flags & BABEL_UPDATE_ROUTER_ID)) {
		st->rid_slot = BABEL_SLOT_SET;
		memcpy(st->router_id, u->router_id, 8);
	}
	if (plan->nh_tlv)
		set_next_hop(st, &plan->next_hop);
	if (plan->flags & BABEL_UPDATE_DEFAULT_PREFIX) {
		struct babel_default_prefix *d = &st->dflt[u->ae];
		d->slot = BABEL_SLOT_SET;
		d->plen = plan->prefix.plen;
		memcpy(d->bytes, plan->prefix.bytes, 16);
	}
}

enum babel_put babel_put_update(struct babel_pkt *p, const struct babel_update *u)
{
	struct update_plan plan;
	struct writer w;
	enum babel_put res = plan_update(&p->st, u, &plan);
	if (res != BABEL_PUT_OK)
		return res;
	if (plan.body > BABEL_TLV_MAX_BODY)
		return BABEL_PUT_INVALID;
	if (!tlv_begin(p, plan.size, &w))
		return BABEL_PUT_FULL;
	write_update(&w, u, &plan);
	res = tlv_commit(p, &w);
	if (res == BABEL_PUT_OK)
		apply_plan(&p->st, u, &plan);
	return res;
}

/* ------------------------------------------------------------ requests */

enum babel_put babel_put_route_req(struct babel_pkt *p, const struct babel_route_req *r)
{
	struct writer w;
	struct babel_prefix m = r->prefix;
	babel_prefix_mask(&m);
	size_t body = 2;
	if (r->ae == BABEL_AE_WILDCARD) {
		if (r->has_src)
			return BABEL_PUT_INVALID;
		m.plen = 0;
	} else {
		if (!prefix_fits_ae(r->ae, &m) ||
		    (r->has_src && (!src_valid(&r->src) || r->src.af != m.af)))
			return BABEL_PUT_INVALID;
		body += prefix_wire_octets(r->ae, m.plen, 0) + src_size(r->has_src, &r->src);
	}
	if (!tlv_begin(p, 2 + body, &w))
		return BABEL_PUT_FULL;
	tlv_header(&w, BABEL_TLV_ROUTE_REQ, body);
	write_u8(&w, r->ae);
	write_u8(&w, m.plen);
	if (r->ae != BABEL_AE_WILDCARD) {
		write_prefix(&w, r->ae, &m, 0);
		write_src(&w, r->has_src, &r->src);
	}
	return tlv_commit(p, &w);
}

enum babel_put babel_put_seqno_req(struct babel_pkt *p, const struct babel_seqno_req *r)
{
	struct writer w;
	struct babel_prefix m = r->prefix;
	babel_prefix_mask(&m);
	if (!prefix_fits_ae(r->ae, &m) ||
	    (r->has_src && (!src_valid(&r->src) || r->src.af != m.af)))
		return BABEL_PUT_INVALID;
	size_t body = 14 + prefix_wire_octets(r->ae, m.plen, 0) + src_size(r->has_src, &r->src);
	if (!tlv_begin(p, 2 + body, &w))
		return BABEL_PUT_FULL;
	tlv_header(&w, BABEL_TLV_SEQNO_REQ, body);
	write_u8(&w, r->ae);
	write_u8(&w, m.plen);
	write_u16(&w, r->seqno);
	write_u8(&w, r->hop_count);
	write_u8(&w, 0); /* reserved */
	write_bytes(&w, r->router_id, 8);
	write_prefix(&w, r->ae, &m, 0);
	write_src(&w, r->has_src, &r->src);
	return tlv_commit(p, &w);
}

/* ------------------------------------------------------------ RFC 8967 */

static enum babel_put put_span(struct babel_pkt *p, uint8_t type, const uint8_t *body,
			       size_t len)
{
	struct writer w;
	if (!tlv_begin(p, 2 + len, &w))
		return BABEL_PUT_FULL;
	tlv_header(&w, type, len);
	write_bytes(&w, body, len);
	return tlv_commit(p, &w);
}

enum babel_put babel_put_pc(struct babel_pkt *p, uint32_t pc, const uint8_t *index, size_t len)
{
	struct writer w;
	if (len > BABEL_PC_INDEX_MAX)
		return BABEL_PUT_INVALID;
	if (!tlv_begin(p, 6 + len, &w))
		return BABEL_PUT_FULL;
	tlv_header(&w, BABEL_TLV_PC, 4 + len);
	write_u32(&w, pc);
	write_bytes(&w, index, len);
	return tlv_commit(p, &w);
}

enum babel_put babel_put_challenge_req(struct babel_pkt *p, const uint8_t *nonce, size_t len)
{
	if (len > BABEL_NONCE_MAX)
		return BABEL_PUT_INVALID;
	return put_span(p, BABEL_TLV_CHALLENGE_REQ, nonce, len);
}

enum babel_put babel_put_challenge_reply(struct babel_pkt *p, const uint8_t *nonce, size_t len)
{
	if (len > BABEL_NONCE_MAX)
		return BABEL_PUT_INVALID;
	return put_span(p, BABEL_TLV_CHALLENGE_REPLY, nonce, len);
}

enum babel_put babel_put_raw(struct babel_pkt *p, uint8_t type, const uint8_t *body, size_t len)
{
	/* Type 0 is Pad1, which has no length octet. */
	if (type == BABEL_TLV_PAD1 || len > BABEL_TLV_MAX_BODY)
		return BABEL_PUT_INVALID;
	return put_span(p, type, body, len);
}

enum babel_put babel_put_mac(struct babel_pkt *p, const uint8_t *mac, size_t len)
{
	struct writer w;
	if (!p->finished || len > BABEL_TLV_MAX_BODY)
		return BABEL_PUT_INVALID;
	if (p->cap - p->len < 2 + len)
		return BABEL_PUT_FULL;
	w = writer_init(p->buf + p->len, 2 + len);
	tlv_header(&w, BABEL_TLV_MAC, len);
	write_bytes(&w, mac, len);
	if (w.overflow || w.len != w.cap)
		return BABEL_PUT_INVALID;
	p->len += w.len;
	return BABEL_PUT_OK;
}

enum babel_put babel_put_tlv(struct babel_pkt *p, const struct babel_tlv *t)
{
	switch (t->type) {
	case BABEL_TLV_PAD1:
		return babel_put_pad1(p);
	case BABEL_TLV_PADN:
		return babel_put_padn(p, t->padn.len);
	case BABEL_TLV_ACK_REQ:
		return babel_put_ack_req(p, &t->ack_req);
	case BABEL_TLV_ACK:
		return babel_put_ack(p, &t->ack);
	case BABEL_TLV_HELLO:
		return babel_put_hello(p, &t->hello);
	case BABEL_TLV_IHU:
		return babel_put_ihu(p, &t->ihu);
	case BABEL_TLV_ROUTER_ID:
		return babel_put_router_id(p, t->router_id.id);
	case BABEL_TLV_NEXT_HOP:
		return babel_put_next_hop(p, &t->next_hop.addr);
	case BABEL_TLV_UPDATE:
		return babel_put_update(p, &t->update);
	case BABEL_TLV_ROUTE_REQ:
		return babel_put_route_req(p, &t->route_req);
	case BABEL_TLV_SEQNO_REQ:
		return babel_put_seqno_req(p, &t->seqno_req);
	case BABEL_TLV_PC:
		return babel_put_pc(p, t->pc.pc, t->pc.index.p, t->pc.index.len);
	case BABEL_TLV_CHALLENGE_REQ:
		return babel_put_challenge_req(p, t->nonce.p, t->nonce.len);
	case BABEL_TLV_CHALLENGE_REPLY:
		return babel_put_challenge_reply(p, t->nonce.p, t->nonce.len);
	case BABEL_TLV_MAC:
		return BABEL_PUT_INVALID; /* trailer only: babel_put_mac */
	default:
		return babel_put_raw(p, t->type, t->raw.p, t->raw.len);
	}
}
