/* For tests/integ/tun.sh: opens the TUN device NAME through src/sys/tun
 * with the link-local address of callsign CALL, prints "ready NAME
 * IFINDEX", then waits (at most 10 s) for one IP packet from the kernel,
 * prints "packet vV dst ADDR len N", writes one IPv4 UDP packet back
 * (from 10.99.1.1 to 10.98.0.1, port 9) and prints "wrote N". */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "proto/callsign_ll.h"
#include "src/sys/tun.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: tun_probe NAME CALL\n");
		return 2;
	}
	struct ax25_addr call;
	uint8_t ll[16];
	if (ax25_addr_parse(argv[2], strlen(argv[2]), &call) != AX25_OK ||
	    callsign_to_ll(&call, ll) != AX25_OK) {
		fprintf(stderr, "tun_probe: bad callsign %s\n", argv[2]);
		return 2;
	}
	struct tun t;
	const char *failed = NULL;
	int r = tun_open(&t, argv[1], ll, &failed);
	if (r < 0) {
		fprintf(stderr, "tun_probe: %s: %s\n", failed, strerror(-r));
		return 1;
	}
	printf("ready %s %u\n", t.name, t.ifindex);
	fflush(stdout);

	uint8_t buf[TUN_MTU + 100];
	ssize_t n;
	for (;;) {
		struct pollfd p = { .fd = t.fd, .events = POLLIN };
		if (poll(&p, 1, 10000) <= 0) {
			fprintf(stderr, "tun_probe: no packet\n");
			return 1;
		}
		n = tun_read(&t, buf, sizeof buf);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n < 0) {
			perror("tun_probe: read");
			return 1;
		}
		/* Skip what IPv6 itself sends (MLD reports, router solicitations). */
		if (n >= 1 && buf[0] >> 4 == 4)
			break;
	}
	char text[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET, buf + 16, text, sizeof text);
	printf("packet v4 dst %s len %zd\n", text, n);

	static const uint8_t udp[28] = {
		0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 99, 1, 1, 10, 98, 0, 1,
		0, 9, 0, 9, 0, 8, 0, 0,
	};
	uint8_t pkt[28];
	memcpy(pkt, udp, sizeof pkt);
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)pkt[i] << 8 | pkt[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	pkt[10] = (uint8_t)(~sum >> 8);
	pkt[11] = (uint8_t)~sum;
	n = tun_write(&t, pkt, sizeof pkt);
	printf("wrote %zd\n", n);
	fflush(stdout);
	tun_close(&t);
	return n == (ssize_t)sizeof pkt ? 0 : 1;
}
