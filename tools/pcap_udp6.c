#include "tools/pcap_udp6.h"

#include "proto/bytes.h"
#include "tools/pcapfile.h"

/* Skips the link-layer header; returns the ethertype of what follows, or
 * -1 for a link type we do not know. */
static int link_skip(uint32_t linktype, struct reader *r)
{
	switch (linktype) {
	case PCAPFILE_ETHERNET: {
		read_span(r, 12);
		uint16_t type = read_u16(r);
		if (type == 0x8100) { /* one VLAN tag */
			read_u16(r);
			type = read_u16(r);
		}
		return type;
	}
	case PCAPFILE_LINUX_SLL:
		read_span(r, 14);
		return read_u16(r);
	case PCAPFILE_LINUX_SLL2: {
		uint16_t proto = read_u16(r);
		read_span(r, 18);
		return proto;
	}
	case PCAPFILE_RAW:
	case PCAPFILE_IPV6:
		return 0x86dd;
	default:
		return -1;
	}
}

int pcap_udp6(uint32_t linktype, const uint8_t *frame, size_t len, struct udp6 *u)
{
	struct reader r = reader_init(frame, len);
	if (link_skip(linktype, &r) != 0x86dd)
		return -1;
	uint8_t vtc = read_u8(&r);
	read_span(&r, 3);
	uint16_t plen = read_u16(&r);
	uint8_t next = read_u8(&r);
	read_u8(&r);
	read_bytes(&r, u->src, 16);
	read_bytes(&r, u->dst, 16);
	if (r.err || vtc >> 4 != 6 || next != 17 || plen < 8 || plen > reader_left(&r))
		return -1;
	u->sport = read_u16(&r);
	u->dport = read_u16(&r);
	uint16_t ulen = read_u16(&r);
	read_u16(&r);
	if (r.err || ulen < 8 || ulen > plen)
		return -1;
	u->len = ulen - 8u;
	u->payload = read_span(&r, u->len);
	return u->payload ? 0 : -1;
}
