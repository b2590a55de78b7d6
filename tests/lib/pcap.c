#include "tests/lib/pcap.h"

#include <string.h>

static uint32_t record_index;

static int put(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n ? 0 : -1;
}

FILE *pcap_open(const char *path, uint32_t linktype)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return NULL;
	/* Native byte order: readers detect it from the magic number. */
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t zone;
		uint32_t sigfigs, snaplen, linktype;
	} h = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype };
	record_index = 0;
	if (put(f, &h, sizeof h) < 0) {
		fclose(f);
		return NULL;
	}
	return f;
}

int pcap_write(FILE *f, const void *data, size_t len)
{
	uint32_t rec[4] = { 1700000000u, record_index++ * 1000u, (uint32_t)len, (uint32_t)len };
	if (put(f, rec, sizeof rec) < 0)
		return -1;
	return put(f, data, len);
}

static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

int pcap_write_udp6(FILE *f, const uint8_t src[16], const uint8_t dst[16],
		    uint16_t sport, uint16_t dport, const void *payload, size_t len)
{
	uint8_t frame[14 + 40 + 8 + 65535];
	if (len > 65535 - 8)
		return -1;
	size_t ulen = 8 + len;
	uint8_t *eth = frame, *ip = frame + 14, *udp = ip + 40;
	/* Multicast MAC for ff02::1:6 style destinations, a local source MAC. */
	const uint8_t dmac[6] = { 0x33, 0x33, dst[12], dst[13], dst[14], dst[15] };
	const uint8_t smac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	memcpy(eth, dmac, 6);
	memcpy(eth + 6, smac, 6);
	eth[12] = 0x86;
	eth[13] = 0xdd;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[4] = (uint8_t)(ulen >> 8);
	ip[5] = (uint8_t)ulen;
	ip[6] = 17;  /* UDP */
	ip[7] = 1;   /* hop limit: Babel is link-local */
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	udp[6] = udp[7] = 0;
	memcpy(udp + 8, payload, len);
	/* Checksum over the IPv6 pseudo-header and the UDP datagram. */
	uint32_t acc = 0;
	acc = sum16(acc, src, 16);
	acc = sum16(acc, dst, 16);
	acc += (uint32_t)ulen + 17;
	acc = sum16(acc, udp, ulen);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	uint16_t ck = (uint16_t)~acc;
	if (ck == 0)
		ck = 0xffff;
	udp[6] = (uint8_t)(ck >> 8);
	udp[7] = (uint8_t)ck;
	return pcap_write(f, frame, 14 + 40 + ulen);
}

int pcap_close(FILE *f)
{
	return fclose(f);
}
