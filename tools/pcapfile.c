#include "tools/pcapfile.h"

#include <string.h>

#include "proto/bytes.h"

static uint32_t u32(const struct pcapfile *pf, const uint8_t *p)
{
	/* The file's own byte order is given by its magic number. */
	if (pf->swapped)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t u16(const struct pcapfile *pf, const uint8_t *p)
{
	return pf->swapped ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

enum { NG_SHB = 0x0A0D0D0A, NG_IDB = 1, NG_SPB = 3, NG_EPB = 6 };

/* Reads one pcapng block into pf->buf (body only); returns its type, or -1
 * at the end of file, or -2 on error. */
static long ng_block(struct pcapfile *pf, size_t *body_len)
{
	uint8_t h[8];
	size_t n = fread(h, 1, 8, pf->f);
	if (n == 0)
		return -1;
	if (n != 8) {
		snprintf(pf->error, sizeof pf->error, "truncated pcapng block header");
		return -2;
	}
	uint32_t type = u32(pf, h), total = u32(pf, h + 4);
	if (total < 12 || total % 4 || total - 12 > sizeof pf->buf) {
		snprintf(pf->error, sizeof pf->error, "pcapng block of bad length %u", total);
		return -2;
	}
	*body_len = total - 12;
	uint8_t trailer[4];
	if (fread(pf->buf, 1, *body_len, pf->f) != *body_len || fread(trailer, 1, 4, pf->f) != 4) {
		snprintf(pf->error, sizeof pf->error, "truncated pcapng block");
		return -2;
	}
	return type;
}

static int ng_next(struct pcapfile *pf, struct pcap_packet *pk)
{
	for (;;) {
		size_t len;
		long type = ng_block(pf, &len);
		if (type == -1)
			return 0;
		if (type == -2)
			return -1;
		if (type == NG_IDB && len >= 8) {
			uint32_t lt = u16(pf, pf->buf);
			if (pf->linktype && lt != pf->linktype) {
				snprintf(pf->error, sizeof pf->error, "interfaces of different link types");
				return -1;
			}
			pf->linktype = lt;
		} else if (type == NG_EPB && len >= 20) {
			uint32_t caplen = u32(pf, pf->buf + 12);
			if (caplen > len - 20) {
				snprintf(pf->error, sizeof pf->error, "packet longer than its block");
				return -1;
			}
			pk->data = pf->buf + 20;
			pk->len = caplen;
			return 1;
		} else if (type == NG_SPB && len >= 4) {
			pk->data = pf->buf + 4;
			pk->len = len - 4;
			return 1;
		}
		/* Section headers, statistics, name resolution: nothing for us. */
	}
}

/* A pcapng file starts with a Section Header Block whose byte-order magic
 * says how to read the rest; the link type comes from the first IDB. */
static int ng_open(struct pcapfile *pf)
{
	uint8_t h[12];
	if (fread(h, 1, 12, pf->f) != 12) {
		snprintf(pf->error, sizeof pf->error, "truncated pcapng section header");
		return -1;
	}
	if (h[8] == 0x4d && h[9] == 0x3c)
		pf->swapped = 0;
	else if (h[8] == 0x1a && h[9] == 0x2b)
		pf->swapped = 1;
	else {
		snprintf(pf->error, sizeof pf->error, "bad pcapng byte-order magic");
		return -1;
	}
	uint32_t total = u32(pf, h + 4);
	if (total < 28 || total % 4 || fseek(pf->f, (long)total - 12, SEEK_CUR) != 0) {
		snprintf(pf->error, sizeof pf->error, "bad pcapng section header");
		return -1;
	}
	pf->ng = 1;
	pf->linktype = 0;
	/* Find the link type now, so callers can rely on it before reading. */
	long pos = ftell(pf->f);
	struct pcap_packet pk;
	if (ng_next(pf, &pk) < 0)
		return -1;
	fseek(pf->f, pos, SEEK_SET);
	return 0;
}

int pcapfile_open(struct pcapfile *pf, const char *path)
{
	uint8_t h[24];
	memset(pf->error, 0, sizeof pf->error);
	pf->ng = 0;
	pf->f = fopen(path, "rb");
	if (!pf->f) {
		snprintf(pf->error, sizeof pf->error, "cannot open: %m");
		return -1;
	}
	if (fread(h, 1, sizeof h, pf->f) != sizeof h) {
		snprintf(pf->error, sizeof pf->error, "too short for a pcap header");
		goto fail;
	}
	if (h[0] == 0x0a && h[1] == 0x0d && h[2] == 0x0d && h[3] == 0x0a) {
		rewind(pf->f);
		if (ng_open(pf) < 0)
			goto fail;
		return 0;
	}
	/* Little-endian files start d4 c3 b2 a1 (or 4d 3c b2 a1 for ns). */
	if ((h[0] == 0xd4 && h[1] == 0xc3) || (h[0] == 0x4d && h[1] == 0x3c))
		pf->swapped = 0;
	else if ((h[3] == 0xd4 && h[2] == 0xc3) || (h[3] == 0x4d && h[2] == 0x3c))
		pf->swapped = 1;
	else {
		snprintf(pf->error, sizeof pf->error, "not a pcap or pcapng file");
		goto fail;
	}
	pf->linktype = u32(pf, h + 20);
	return 0;
fail:
	fclose(pf->f);
	pf->f = NULL;
	return -1;
}

int pcapfile_next(struct pcapfile *pf, struct pcap_packet *pk)
{
	if (pf->ng)
		return ng_next(pf, pk);
	uint8_t rec[16];
	size_t n = fread(rec, 1, sizeof rec, pf->f);
	if (n == 0)
		return 0;
	if (n != sizeof rec) {
		snprintf(pf->error, sizeof pf->error, "truncated record header");
		return -1;
	}
	uint32_t caplen = u32(pf, rec + 8);
	if (caplen > sizeof pf->buf) {
		snprintf(pf->error, sizeof pf->error, "record of %u octets is too large", caplen);
		return -1;
	}
	if (fread(pf->buf, 1, caplen, pf->f) != caplen) {
		snprintf(pf->error, sizeof pf->error, "truncated record");
		return -1;
	}
	pk->data = pf->buf;
	pk->len = caplen;
	return 1;
}

/* Skips the link-layer header; returns the ethertype-like protocol. */
static int link_skip(const struct pcapfile *pf, struct reader *r)
{
	switch (pf->linktype) {
	case PCAPFILE_ETHERNET:
		read_span(r, 12);
		uint16_t type = read_u16(r);
		if (type == 0x8100) { /* one VLAN tag */
			read_u16(r);
			type = read_u16(r);
		}
		return type;
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

int pcapfile_udp6(const struct pcapfile *pf, const struct pcap_packet *pk, struct udp6 *u)
{
	struct reader r = reader_init(pk->data, pk->len);
	if (link_skip(pf, &r) != 0x86dd)
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

void pcapfile_close(struct pcapfile *pf)
{
	if (pf->f)
		fclose(pf->f);
	pf->f = NULL;
}
