/* The C side of tests/interop/direwolf_codec.sh: maille's frames to Dire
 * Wolf, and Dire Wolf's frames through maille's decoders.
 *
 *   direwolf_kiss gen FILE
 *       Runs mailled's own link layer (src/sys/radio_link.c, on a fake
 *       clock, with a fake TNC that never answers TXBUF so that frames are
 *       paced by airtime) and its data framing (radio_frag) on the frames
 *       a station emits: its identification frame, a Babel packet to the
 *       BABEL group and one to a neighbour, an IPv4 packet (PID 0xCC), a
 *       whole IPv6 packet and a 648-octet one in three link-layer
 *       fragments (PID 0xF0).  Writes each AX.25 frame handed to the TNC as
 *       one line of hex in FILE.
 *   direwolf_kiss send PORT FILE
 *       Sends each hex line of FILE as a KISS data frame (port 0, our KISS
 *       encoder) to the TNC at 127.0.0.1:PORT.
 *   direwolf_kiss recv PORT SECONDS N
 *       Connects to the TNC at 127.0.0.1:PORT, and prints each KISS frame
 *       it delivers (our stream decoder), decoded by our AX.25 decoder,
 *       one line each (see print_frame), until N data frames or SECONDS.
 *   direwolf_kiss decode
 *       The same lines for hex frames on stdin, one per line.
 *   direwolf_kiss wav RATE RAW WAV
 *       Wraps raw 16-bit mono little-endian samples (what ALSA's file
 *       plugin wrote) in a WAV header, for atest.
 *
 * Exit status 1 on any error, including a frame our decoder refuses. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/ax25.h"
#include "proto/babel.h"
#include "proto/callsign_ll.h"
#include "proto/kiss.h"
#include "src/sys/radio_frag.h"
#include "src/sys/radio_link.h"

#define FRAME_MAX (AX25_HEADER_MAX + KISS_INFO_MAX)

static int fail(const char *what)
{
	fprintf(stderr, "direwolf_kiss: %s\n", what);
	exit(1);
}

static struct ax25_addr addr(const char *text)
{
	struct ax25_addr a;
	if (ax25_addr_parse(text, strlen(text), &a) != AX25_OK)
		fail("bad address");
	return a;
}

/* ------------------------------------------------------------ gen */

struct out {
	FILE *f;
	size_t n;
};

static int tnc_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct out *o = ctx;
	for (size_t i = 0; i < len; i++)
		fprintf(o->f, "%02x", frame[i]);
	fputc('\n', o->f);
	o->n++;
	return 0;
}

/* No answer: the link falls back to pacing by airtime, which the fake
 * clock below skips through. */
static int tnc_query(void *ctx)
{
	(void)ctx;
	return 0;
}

static void babel_in(void *ctx, const struct link_addr *from, bool mcast, const uint8_t *pkt,
		     size_t len)
{
	(void)ctx, (void)from, (void)mcast, (void)pkt, (void)len;
}

static size_t babel_packet(uint8_t *buf, size_t cap, const uint8_t nbr_ll[16], bool with_update)
{
	struct babel_pkt p;
	babel_pkt_init(&p, buf, cap, 0);
	struct babel_hello h = { .flags = with_update ? BABEL_HELLO_UNICAST : 0, .seqno = 0xc0db,
				 .interval = 1000 };
	struct babel_ihu ihu = { .rxcost = 256, .interval = 3000 };
	ihu.addr.af = BABEL_AF_IPV6;
	memcpy(ihu.addr.bytes, nbr_ll, 16);
	if (babel_put_hello(&p, &h) != BABEL_PUT_OK || babel_put_ihu(&p, &ihu) != BABEL_PUT_OK)
		fail("babel encoder");
	if (with_update) {
		static const uint8_t rid[8] = { 0xc0, 0xdb, 0xdb, 0xc0, 1, 2, 3, 4 };
		struct babel_update u = { .interval = 6000, .seqno = 7, .metric = 96,
					  .has_router_id = true };
		memcpy(u.router_id, rid, 8);
		/* AE 2 for IPv6, AE 4 (v4-via-v6, RFC 9229) for IPv4: what
		 * mailled announces on a radio link. */
		u.ae = 2;
		u.prefix.af = BABEL_AF_IPV6;
		u.prefix.plen = 128;
		u.prefix.bytes[0] = 0xfd, u.prefix.bytes[1] = 0x99, u.prefix.bytes[15] = 1;
		if (babel_put_update(&p, &u) != BABEL_PUT_OK)
			fail("babel encoder (update)");
		u.ae = 4;
		u.prefix.af = BABEL_AF_IPV4;
		u.prefix.plen = 32;
		memset(u.prefix.bytes, 0, 16);
		u.prefix.bytes[0] = 10, u.prefix.bytes[1] = 99, u.prefix.bytes[3] = 1;
		if (babel_put_update(&p, &u) != BABEL_PUT_OK)
			fail("babel encoder (update)");
	}
	babel_pkt_finish(&p);
	return babel_pkt_len(&p);
}

/* An IP packet of LEN octets: a plausible header (ICMP echo, protocol 1 /
 * next header 58) and a payload that runs through every octet value, KISS's
 * FEND and FESC included.  No checksums: nothing here parses it as IP. */
static size_t ip_packet(uint8_t *pkt, int family, size_t len)
{
	memset(pkt, 0, len);
	if (family == 4) {
		pkt[0] = 0x45, pkt[2] = (uint8_t)(len >> 8), pkt[3] = (uint8_t)len;
		pkt[8] = 64, pkt[9] = 1;
		pkt[12] = 10, pkt[13] = 99, pkt[15] = 1;
		pkt[16] = 10, pkt[17] = 99, pkt[19] = 2;
		for (size_t i = 20; i < len; i++)
			pkt[i] = (uint8_t)(0xc0 + i);
	} else {
		pkt[0] = 0x60, pkt[4] = (uint8_t)((len - 40) >> 8), pkt[5] = (uint8_t)(len - 40);
		pkt[6] = 58, pkt[7] = 64;
		pkt[8] = 0xfd, pkt[9] = 0x99, pkt[23] = 1;
		pkt[24] = 0xfd, pkt[25] = 0x99, pkt[39] = 2;
		for (size_t i = 40; i < len; i++)
			pkt[i] = (uint8_t)(0xc0 + i);
	}
	return len;
}

static void send_ip(struct radio_link *l, const struct ax25_addr *dst, const uint8_t *pkt,
		    size_t len, uint16_t id)
{
	size_t nf = radio_frag_count(len, AX25_PACLEN_DEFAULT);
	if (nf == 0)
		fail("radio_frag_count");
	for (size_t i = 0; i < nf; i++) {
		uint8_t info[AX25_PACLEN_DEFAULT], pid;
		size_t n = radio_frag_build(pkt, len, AX25_PACLEN_DEFAULT, id, i, info, sizeof info, &pid);
		if (n == 0 || radio_link_send_data(l, dst, pid, info, n) != 0)
			fail("radio_frag_build / radio_link_send_data");
	}
}

static int gen(const char *path)
{
	struct out o = { fopen(path, "w"), 0 };
	if (!o.f)
		fail(path);
	static const struct radio_link_ops ops = { tnc_send, tnc_query, babel_in, NULL, NULL };
	struct radio_link_config c = { .call = addr("F4AAA-1"), .baud = 1200, .txdelay_ms = 300,
				       .txtail_ms = 50, .airtime_pct = 100 };
	uint64_t now = 1000;
	struct radio_link *l = radio_link_new(&c, &ops, &o, now, 7);
	if (!l)
		fail("radio_link_new");
	radio_link_tnc_up(l, now);

	struct ax25_addr nbr = addr("F4BBB-2");
	struct link_addr nbr_ll;
	if (callsign_to_ll(&nbr, nbr_ll.a) != AX25_OK)
		fail("callsign_to_ll");
	uint8_t buf[1280];
	size_t n = babel_packet(buf, AX25_PACLEN_DEFAULT, nbr_ll.a, false);
	if (radio_link_send_babel(l, NULL, buf, n, now) != 0)
		fail("send_babel (multicast)");
	n = babel_packet(buf, AX25_PACLEN_DEFAULT, nbr_ll.a, true);
	if (radio_link_send_babel(l, &nbr_ll, buf, n, now) != 0)
		fail("send_babel (unicast)");
	send_ip(l, &nbr, buf, ip_packet(buf, 4, 84), 0x100);
	send_ip(l, &nbr, buf, ip_packet(buf, 6, 104), 0x101);
	send_ip(l, &nbr, buf, ip_packet(buf, 6, 648), 0x102);

	/* Jump from deadline to deadline until everything is out. */
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t next = radio_link_run(l, now);
		if (radio_link_queued(l, true) == 0 && radio_link_queued(l, false) == 0)
			break;
		now = next == UINT64_MAX || next <= now ? now + 10 : next;
	}
	bool left = radio_link_queued(l, true) || radio_link_queued(l, false);
	radio_link_free(l);
	if (left || fclose(o.f) != 0)
		fail("frames left in the queue");
	fprintf(stderr, "direwolf_kiss: %zu frames\n", o.n);
	return 0;
}

/* ------------------------------------------------------------ hex, decode */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One line of hex (spaces allowed) into buf; -1 at end of file. */
static long read_hex_line(FILE *f, uint8_t *buf, size_t cap)
{
	char line[8 * FRAME_MAX];
	if (!fgets(line, sizeof line, f))
		return -1;
	size_t n = 0;
	int hi = -1;
	for (char *p = line; *p && *p != '\n'; p++) {
		if (*p == ' ' || *p == '\r')
			continue;
		int v = hexval((unsigned char)*p);
		if (v < 0 || n == cap)
			fail("bad hex line");
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		fail("odd hex line");
	return (long)n;
}

/* SRC>DST[,DIGI[*]]... cr=DS ctl=0xCC pid=0xPP len=N info=HEX, where D and
 * S are the destination's and source's C bits and * marks a digipeater
 * whose H bit is set; or "undecodable: REASON". */
static bool print_frame(const uint8_t *frame, size_t len)
{
	struct ax25_ui ui;
	enum ax25_reason r = ax25_ui_decode(frame, len, &ui);
	if (r != AX25_OK) {
		printf("undecodable: %s\n", ax25_reason_str(r));
		return false;
	}
	char t[AX25_ADDR_TEXT_MAX];
	ax25_addr_format(&ui.src, t, sizeof t);
	printf("%s>", t);
	ax25_addr_format(&ui.dst, t, sizeof t);
	printf("%s", t);
	for (size_t i = 0; i < ui.ndigi; i++) {
		ax25_addr_format(&ui.digi[i].addr, t, sizeof t);
		printf(",%s%s", t, ui.digi[i].repeated ? "*" : "");
	}
	static const char *const cr[] = { "10", "01", "00", "11" };
	printf(" cr=%s ctl=0x%02x pid=0x%02x len=%zu info=", cr[ui.cr],
	       AX25_CTL_UI | (ui.pf ? AX25_CTL_PF : 0), ui.pid, ui.info_len);
	for (size_t i = 0; i < ui.info_len; i++)
		printf("%02x", ui.info[i]);
	putchar('\n');
	return true;
}

static int decode(void)
{
	static uint8_t buf[FRAME_MAX];
	long n;
	bool ok = true;
	while ((n = read_hex_line(stdin, buf, sizeof buf)) >= 0)
		ok &= print_frame(buf, (size_t)n);
	return ok ? 0 : 1;
}

/* ------------------------------------------------------------ TCP */

static int connect_tnc(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
		perror("connect");
		exit(1);
	}
	return s;
}

static int send_frames(const char *port, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		fail(path);
	int s = connect_tnc(port);
	static uint8_t frame[FRAME_MAX], wire[2 * FRAME_MAX + 4];
	long n;
	size_t count = 0;
	while ((n = read_hex_line(f, frame, sizeof frame)) >= 0) {
		size_t w = kiss_encode(wire, sizeof wire, 0, KISS_CMD_DATA, frame, (size_t)n);
		if (w == 0 || w > sizeof wire || send(s, wire, w, 0) != (ssize_t)w)
			fail("send");
		count++;
	}
	fclose(f);
	/* Dire Wolf queues what it read; closing after a moment loses nothing
	 * (its transmit queue does not belong to the connection). */
	sleep(1);
	close(s);
	fprintf(stderr, "direwolf_kiss: sent %zu frames\n", count);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int recv_frames(const char *port, const char *seconds, const char *count)
{
	int s = connect_tnc(port);
	uint64_t end = now_ms() + 1000u * (uint64_t)atoi(seconds);
	long want = atol(count), got = 0;
	static struct kiss_decoder d;
	kiss_decoder_init(&d, 0);
	bool ok = true;
	printf("connected\n");
	fflush(stdout);
	while (got < want && now_ms() < end) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		if (poll(&p, 1, (int)(end - now_ms())) <= 0)
			continue;
		uint8_t buf[4096];
		ssize_t r = read(s, buf, sizeof buf);
		if (r <= 0)
			fail("the TNC closed the connection");
		size_t off = 0;
		while (off < (size_t)r) {
			struct kiss_frame f;
			size_t used;
			bool done = kiss_decoder_next(&d, buf + off, (size_t)r - off, &used, &f);
			off += used;
			if (!done)
				continue;
			if (f.cmd != KISS_CMD_DATA || f.port != 0) {
				printf("kiss port %u command %u, %zu octets\n", f.port, f.cmd, f.len);
				continue;
			}
			ok &= print_frame(f.data, f.len);
			fflush(stdout);
			got++;
		}
	}
	close(s);
	if (d.stats.oversized || d.stats.bad_escape)
		fail("the KISS decoder dropped frames");
	return ok && got == want ? 0 : 1;
}

/* ------------------------------------------------------------ wav */

static void le(FILE *f, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		fputc((int)(v >> (8 * i)) & 0xff, f);
}

static int wav(const char *rate_s, const char *in, const char *out)
{
	FILE *i = fopen(in, "rb"), *o = fopen(out, "wb");
	if (!i || !o)
		fail("wav: cannot open");
	fseek(i, 0, SEEK_END);
	long len = ftell(i) & ~1L;
	fseek(i, 0, SEEK_SET);
	uint32_t rate = (uint32_t)atol(rate_s);
	fputs("RIFF", o);
	le(o, (uint32_t)(36 + len), 4);
	fputs("WAVEfmt ", o);
	le(o, 16, 4);
	le(o, 1, 2);        /* PCM */
	le(o, 1, 2);        /* mono */
	le(o, rate, 4);
	le(o, rate * 2, 4); /* bytes per second */
	le(o, 2, 2);        /* block align */
	le(o, 16, 2);       /* bits per sample */
	fputs("data", o);
	le(o, (uint32_t)len, 4);
	char buf[65536];
	for (long left = len; left > 0;) {
		size_t n = fread(buf, 1, left < (long)sizeof buf ? (size_t)left : sizeof buf, i);
		if (n == 0)
			fail("wav: short read");
		fwrite(buf, 1, n, o);
		left -= (long)n;
	}
	fclose(i);
	return fclose(o) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "gen") == 0)
		return gen(argv[2]);
	if (argc == 4 && strcmp(argv[1], "send") == 0)
		return send_frames(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "recv") == 0)
		return recv_frames(argv[2], argv[3], argv[4]);
	if (argc == 2 && strcmp(argv[1], "decode") == 0)
		return decode();
	if (argc == 5 && strcmp(argv[1], "wav") == 0)
		return wav(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: direwolf_kiss gen FILE | send PORT FILE | recv PORT SECONDS N |"
			" decode | wav RATE RAW WAV\n");
	return 2;
}
