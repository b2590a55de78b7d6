/* mailledump: prints the Babel packets and AX.25/KISS frames of a pcap file
 * the way maille's codecs read them, one TLV per line.
 *
 *   mailledump FILE.pcap...
 *
 * Link types: Ethernet (IPv6/UDP 6696), raw IPv6, Linux cooked capture,
 * AX.25 (3) and AX.25 KISS (202).  Packets the codecs refuse are printed
 * with the reason, never skipped silently: this is a debugging tool. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ax25.h"
#include "proto/babel.h"
#include "proto/callsign_ll.h"
#include "proto/kiss.h"
#include "tools/pcap_udp6.h"
#include "tools/pcapfile.h"

static const char *addr_str(const struct babel_addr *a, char *buf, size_t cap)
{
	if (a->af == BABEL_AF_IPV4)
		return inet_ntop(AF_INET, a->bytes, buf, (socklen_t)cap);
	if (a->af == BABEL_AF_IPV6)
		return inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)cap);
	return "any";
}

static const char *prefix_str(const struct babel_prefix *p, char *buf, size_t cap)
{
	struct babel_addr a = { .af = p->af };
	memcpy(a.bytes, p->bytes, 16);
	char tmp[INET6_ADDRSTRLEN];
	snprintf(buf, cap, "%s/%u", addr_str(&a, tmp, sizeof tmp), p->plen);
	return buf;
}

static void id_str(const uint8_t id[8], char *buf)
{
	sprintf(buf, "%02x%02x:%02x%02x:%02x%02x:%02x%02x", id[0], id[1], id[2], id[3], id[4],
		id[5], id[6], id[7]);
}

static const char *result_str(enum babel_result r)
{
	return r == BABEL_IGNORE ? "ignored" : r == BABEL_MALFORMED ? "MALFORMED" : "ok";
}

static void print_update(const struct babel_update *u)
{
	char p[64], s[64], rid[24] = "-", nh[INET6_ADDRSTRLEN] = "sender";
	if (u->has_router_id)
		id_str(u->router_id, rid);
	if (u->has_next_hop)
		addr_str(&u->next_hop, nh, sizeof nh);
	if (u->ae == BABEL_AE_WILDCARD) {
		printf("  update: retract all, seqno %u\n", u->seqno);
		return;
	}
	printf("  update: %s%s%s%s metric %u seqno %u interval %u.%02us router-id %s via %s\n",
	       prefix_str(&u->prefix, p, sizeof p), u->has_src ? " from " : "",
	       u->has_src ? prefix_str(&u->src, s, sizeof s) : "",
	       u->ae == BABEL_AE_V4_VIA_V6 ? " (v4-via-v6)" : "", u->metric, u->seqno,
	       u->interval / 100, u->interval % 100, rid, nh);
}

static void print_tlv(const struct babel_tlv *t)
{
	char a[INET6_ADDRSTRLEN], p[64], s[64], rid[24];
	switch (t->type) {
	case BABEL_TLV_PAD1: printf("  pad1\n"); break;
	case BABEL_TLV_PADN: printf("  padn %zu\n", t->padn.len); break;
	case BABEL_TLV_ACK_REQ:
		printf("  ack-request: opaque %u interval %ucs\n", t->ack_req.opaque,
		       t->ack_req.interval);
		break;
	case BABEL_TLV_ACK: printf("  ack: opaque %u\n", t->ack.opaque); break;
	case BABEL_TLV_HELLO:
		printf("  hello: %sseqno %u interval %u.%02us", t->hello.flags & BABEL_HELLO_UNICAST ? "unicast " : "",
		       t->hello.seqno, t->hello.interval / 100, t->hello.interval % 100);
		if (t->hello.has_timestamp)
			printf(" timestamp %" PRIu32, t->hello.timestamp);
		printf("\n");
		break;
	case BABEL_TLV_IHU:
		printf("  ihu: %s rxcost %u interval %u.%02us", addr_str(&t->ihu.addr, a, sizeof a),
		       t->ihu.rxcost, t->ihu.interval / 100, t->ihu.interval % 100);
		if (t->ihu.has_timestamp)
			printf(" origin %" PRIu32 " receive %" PRIu32, t->ihu.origin, t->ihu.receive);
		printf("\n");
		break;
	case BABEL_TLV_ROUTER_ID:
		id_str(t->router_id.id, rid);
		printf("  router-id: %s\n", rid);
		break;
	case BABEL_TLV_NEXT_HOP:
		printf("  next-hop: %s\n", addr_str(&t->next_hop.addr, a, sizeof a));
		break;
	case BABEL_TLV_UPDATE: print_update(&t->update); break;
	case BABEL_TLV_ROUTE_REQ:
		if (t->route_req.ae == BABEL_AE_WILDCARD)
			printf("  route-request: all\n");
		else
			printf("  route-request: %s%s%s\n", prefix_str(&t->route_req.prefix, p, sizeof p),
			       t->route_req.has_src ? " from " : "",
			       t->route_req.has_src ? prefix_str(&t->route_req.src, s, sizeof s) : "");
		break;
	case BABEL_TLV_SEQNO_REQ:
		id_str(t->seqno_req.router_id, rid);
		printf("  seqno-request: %s%s%s seqno %u hop-count %u router-id %s\n",
		       prefix_str(&t->seqno_req.prefix, p, sizeof p), t->seqno_req.has_src ? " from " : "",
		       t->seqno_req.has_src ? prefix_str(&t->seqno_req.src, s, sizeof s) : "",
		       t->seqno_req.seqno, t->seqno_req.hop_count, rid);
		break;
	case BABEL_TLV_MAC: printf("  mac: %zu octets\n", t->mac.len); break;
	case BABEL_TLV_PC: printf("  pc: %" PRIu32 " index %zu octets\n", t->pc.pc, t->pc.index.len); break;
	case BABEL_TLV_CHALLENGE_REQ: printf("  challenge-request: nonce %zu octets\n", t->nonce.len); break;
	case BABEL_TLV_CHALLENGE_REPLY: printf("  challenge-reply: nonce %zu octets\n", t->nonce.len); break;
	default: printf("  tlv type %u, %zu octets\n", t->type, t->raw.len); break;
	}
}

/* Returns the number of TLVs the codec refused as malformed. */
static unsigned dump_babel(const uint8_t *pkt, size_t len)
{
	struct babel_packet bp;
	enum babel_result r = babel_packet_split(pkt, len, &bp);
	if (r != BABEL_OK) {
		printf("  not a Babel packet we read: %s\n", result_str(r));
		return r == BABEL_MALFORMED;
	}
	unsigned bad = 0;
	struct babel_iter it;
	struct babel_tlv t;
	for (int part = 0; part < 2; part++) {
		if (part == 0)
			babel_iter_body(&it, &bp);
		else
			babel_iter_trailer(&it, &bp);
		while ((r = babel_iter_next(&it, &t)) != BABEL_END) {
			if (r == BABEL_OK) {
				print_tlv(&t);
				continue;
			}
			if (part == 1 && r == BABEL_IGNORE)
				continue; /* padding in the trailer */
			printf("  tlv type %u %s: %s\n", t.type, result_str(r), t.why ? t.why : "");
			bad += r == BABEL_MALFORMED;
		}
	}
	return bad;
}

static unsigned dump_ax25(const uint8_t *frame, size_t len)
{
	struct ax25_ui ui;
	enum ax25_reason why = ax25_ui_decode(frame, len, &ui);
	if (why != AX25_OK) {
		printf("  ax25: %s\n", ax25_reason_str(why));
		return ax25_reason_verdict(why) == AX25_VERDICT_MALFORMED;
	}
	char src[AX25_ADDR_TEXT_MAX + 1], dst[AX25_ADDR_TEXT_MAX + 1], ll[INET6_ADDRSTRLEN];
	uint8_t lla[CALLSIGN_LL_LEN];
	ax25_addr_format(&ui.src, src, sizeof src);
	ax25_addr_format(&ui.dst, dst, sizeof dst);
	callsign_to_ll(&ui.src, lla);
	inet_ntop(AF_INET6, lla, ll, sizeof ll);
	printf("  ax25 UI %s (%s) > %s", src, ll, dst);
	for (unsigned i = 0; i < ui.ndigi; i++) {
		char d[AX25_ADDR_TEXT_MAX + 1];
		ax25_addr_format(&ui.digi[i].addr, d, sizeof d);
		printf(",%s%s", d, ui.digi[i].repeated ? "*" : "");
	}
	printf(" pid 0x%02X, %zu octets\n", ui.pid, ui.info_len);
	if (ui.pid == AX25_PID_NO_L3 && ui.info_len > 0 && ui.info[0] == BABEL_MAGIC)
		return dump_babel(ui.info, ui.info_len);
	return 0;
}

/* A record of link type 202 is one KISS frame without its FENDs and
 * escapes: the command octet (port << 4 | command), then the AX.25 frame. */
static unsigned dump_kiss(const uint8_t *data, size_t len)
{
	if (len < 1) {
		printf("  kiss: empty frame\n");
		return 1;
	}
	unsigned port = data[0] >> 4, cmd = data[0] & 0x0F;
	if (cmd == KISS_CMD_DATA)
		return dump_ax25(data + 1, len - 1);
	printf("  kiss port %u command %u, %zu octets\n", port, cmd, len - 1);
	return 0;
}

static unsigned dump_file(const char *path)
{
	char err[PCAPFILE_ERROR_MAX];
	struct pcapfile *pf = pcapfile_open(path, err);
	if (!pf) {
		fprintf(stderr, "mailledump: %s: %s\n", path, err);
		return 1;
	}
	unsigned n = 0, bad = 0;
	struct pcapfile_record rec;
	int r;
	while ((r = pcapfile_next(pf, &rec)) > 0) {
		n++;
		/* pcapng gives each interface its own link type: decide per record. */
		if (rec.linktype == PCAPFILE_AX25 || rec.linktype == PCAPFILE_AX25_KISS) {
			printf("%s #%u: %zu octets\n", path, n, rec.len);
			bad += rec.linktype == PCAPFILE_AX25 ? dump_ax25(rec.data, rec.len)
							     : dump_kiss(rec.data, rec.len);
			continue;
		}
		struct udp6 u;
		if (pcap_udp6(rec.linktype, rec.data, rec.len, &u) < 0)
			continue; /* not IPv6/UDP: not ours */
		if (u.sport != BABEL_PORT && u.dport != BABEL_PORT)
			continue;
		char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, u.src, s, sizeof s);
		inet_ntop(AF_INET6, u.dst, d, sizeof d);
		printf("%s #%u: %s > %s, %zu octets\n", path, n, s, d, u.len);
		bad += dump_babel(u.payload, u.len);
	}
	if (r < 0) {
		fprintf(stderr, "mailledump: %s: %s\n", path, pcapfile_error(pf));
		bad++;
	}
	pcapfile_close(pf);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: mailledump FILE.pcap...\n"
			"Prints every Babel TLV and AX.25/KISS frame as maille decodes it.\n"
			"Exit status 1 if any packet or frame is malformed.\n");
		return argc < 2 ? 2 : 0;
	}
	unsigned bad = 0;
	for (int i = 1; i < argc; i++)
		bad += dump_file(argv[i]);
	if (bad)
		fprintf(stderr, "mailledump: %u malformed\n", bad);
	return bad ? 1 : 0;
}
