/* Writes AX.25 UI frames made by our encoder for tshark to read back:
 *
 *   DIR/ax25.pcap      link type 3 (AX.25): one frame per record
 *   DIR/kiss.pcap      link type 202 (AX.25 KISS): the same frames on
 *                      various ports, then the parameter commands
 *   DIR/ax25.expected  one line per ax25.pcap record, in the form
 *   DIR/kiss.expected  tshark_ax25.sh asks tshark for (tab separated)
 *
 * libpcap's link type 202 is the KISS command byte followed by the
 * unescaped frame, without FENDs.  So each KISS record is what our stream
 * decoder returns for our encoder's bytes: tshark then checks the command
 * byte (port and command), the parameter values, and that the escaping
 * round trip left an AX.25 frame it decodes the same way.
 *
 * tshark does not mark a digipeater's H bit: that bit is not compared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ax25.h"
#include "proto/kiss.h"
#include "tests/lib/pcap.h"
#include "tests/lib/rng.h"

#define NSAMPLES 64
#define INFO_MAX AX25_PACLEN_DEFAULT

struct sample {
	struct ax25_ui ui;
	uint8_t info[INFO_MAX];
};

static struct ax25_addr addr(const char *text)
{
	struct ax25_addr a;
	if (ax25_addr_parse(text, strlen(text), &a) != AX25_OK) {
		fprintf(stderr, "bad address %s\n", text);
		exit(1);
	}
	return a;
}

static void set_info(struct sample *s, const void *p, size_t n)
{
	memcpy(s->info, p, n);
	s->ui.info = s->info;
	s->ui.info_len = n;
}

static void base(struct sample *s, const char *src, const char *dst, uint8_t pid)
{
	memset(s, 0, sizeof *s);
	s->ui.src = addr(src);
	s->ui.dst = addr(dst);
	s->ui.pid = pid;
	s->ui.info = s->info;
}

static void add_digi(struct sample *s, const char *text, bool repeated)
{
	s->ui.digi[s->ui.ndigi].addr = addr(text);
	s->ui.digi[s->ui.ndigi].repeated = repeated;
	s->ui.ndigi++;
}

/* A minimal IPv4 header (no options, protocol 59) with its checksum, so
 * that tshark's IP dissector has nothing to complain about. */
static void ipv4_info(struct sample *s)
{
	uint8_t h[20] = { 0x45, 0, 0, 20, 0, 1, 0, 0, 64, 59, 0, 0, 44, 0, 0, 1, 44, 0, 0, 2 };
	uint32_t sum = 0;
	for (size_t i = 0; i < sizeof h; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	h[10] = (uint8_t)(~sum >> 8);
	h[11] = (uint8_t)~sum;
	set_info(s, h, sizeof h);
}

static void random_addr_text(struct test_rng *rng, char *out)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t n = 1 + test_rng_below(rng, AX25_CALL_MAX);
	for (size_t i = 0; i < n; i++)
		out[i] = chars[test_rng_below(rng, sizeof chars - 1)];
	unsigned ssid = test_rng_below(rng, 16);
	if (ssid)
		sprintf(out + n, "-%u", ssid);
	else
		out[n] = '\0';
}

static void random_sample(struct test_rng *rng, struct sample *s)
{
	char src[AX25_ADDR_TEXT_MAX], dst[AX25_ADDR_TEXT_MAX], digi[AX25_ADDR_TEXT_MAX];
	random_addr_text(rng, src);
	random_addr_text(rng, dst);
	/* PID 0xF0 only: other PIDs send random info to dissectors (NET/ROM,
	 * IP, ...) that would rightly call it malformed. */
	base(s, src, dst, AX25_PID_NO_L3);
	for (uint32_t n = test_rng_below(rng, AX25_DIGI_MAX + 1); n > 0; n--) {
		random_addr_text(rng, digi);
		add_digi(s, digi, test_rng_below(rng, 2));
	}
	s->ui.cr = (enum ax25_cr)test_rng_below(rng, 2); /* v2 command or response */
	s->ui.pf = test_rng_below(rng, 4) == 0;
	s->ui.info_len = test_rng_below(rng, INFO_MAX + 1);
	for (size_t i = 0; i < s->ui.info_len; i++)
		s->info[i] = (uint8_t)test_rng_below(rng, 256);
	/* Every fourth starts like a Babel packet (magic 42, version 2). */
	if (s->ui.info_len >= 4 && test_rng_below(rng, 4) == 0) {
		s->info[0] = 42;
		s->info[1] = 2;
	}
}

static size_t make_samples(struct sample *s)
{
	static const uint8_t babel_hello[] = { 42, 2, 0, 8, 4, 6, 0, 0, 0, 1, 0x01, 0x90 };
	size_t n = 0;
	base(&s[n], "F4ABC-7", "BABEL", AX25_PID_NO_L3);
	set_info(&s[n++], babel_hello, sizeof babel_hello);

	base(&s[n], "F4ABC-7", "F5XYZ-1", AX25_PID_NO_L3);
	add_digi(&s[n], "RELAY", false);
	add_digi(&s[n], "WIDE2-2", true);
	set_info(&s[n++], babel_hello, sizeof babel_hello);

	base(&s[n], "N0CALL-15", "BABEL", AX25_PID_NO_L3);
	static const char *const eight[] = { "D1", "D2-1", "D3-2", "D4-3", "D5-4", "D6-5", "D7-6", "D8-15" };
	for (size_t i = 0; i < AX25_DIGI_MAX; i++)
		add_digi(&s[n], eight[i], i < 3);
	set_info(&s[n++], "\xc0\xdb\xc0\xdb", 4); /* KISS specials in the info */

	base(&s[n], "F4ABC", "BABEL", AX25_PID_NO_L3);
	s[n].ui.cr = AX25_CR_RESPONSE;
	s[n++].ui.pf = true; /* empty info */

	base(&s[n], "F4ABC-1", "F5XYZ", AX25_PID_IPV4);
	ipv4_info(&s[n++]);

	base(&s[n], "F4ABC-2", "BABEL", AX25_PID_NO_L3);
	s[n].ui.info_len = INFO_MAX;
	for (size_t i = 0; i < INFO_MAX; i++)
		s[n].info[i] = (uint8_t)i;
	n++;

	struct test_rng rng = { 0x75a4c };
	while (n < NSAMPLES)
		random_sample(&rng, &s[n++]);
	return n;
}

/* The line tshark_ax25.sh makes from tshark's view of an AX.25 frame:
 * destination, source, digipeaters (comma separated, "-" for none), the
 * version tshark infers from the C bits, control, PID and info length.
 * tshark reads a PID only after control 0x03 exactly, so a UI frame with
 * the P/F bit shows none ("-"). */
static void expect_frame(FILE *f, const struct ax25_ui *ui)
{
	char text[AX25_ADDR_TEXT_MAX];
	ax25_addr_format(&ui->dst, text, sizeof text);
	fprintf(f, "%s\t", text);
	ax25_addr_format(&ui->src, text, sizeof text);
	fprintf(f, "%s\t", text);
	for (size_t i = 0; i < ui->ndigi; i++) {
		ax25_addr_format(&ui->digi[i].addr, text, sizeof text);
		fprintf(f, "%s%s", i ? "," : "", text);
	}
	fprintf(f, "%s\t", ui->ndigi ? "" : "-");
	bool v2 = ui->cr == AX25_CR_COMMAND || ui->cr == AX25_CR_RESPONSE;
	fprintf(f, "%s\t0x%02x\t", v2 ? "V2.0+" : "V?.?", AX25_CTL_UI | (ui->pf ? AX25_CTL_PF : 0));
	if (ui->pf)
		fprintf(f, "-\t");
	else
		fprintf(f, "0x%02x\t", ui->pid);
	fprintf(f, "%zu", ui->info_len);
}

static int fail(const char *what)
{
	perror(what);
	return 1;
}

/* The KISS record for one frame: our encoder, then our stream decoder. */
static size_t kiss_record(const uint8_t *frame, size_t len, unsigned port, unsigned cmd,
			  uint8_t *out, size_t cap)
{
	static uint8_t wire[2 * (KISS_FRAME_MAX + 2)];
	static struct kiss_decoder d;
	size_t n = kiss_encode(wire, sizeof wire, port, cmd, frame, len);
	kiss_decoder_init(&d, 0);
	struct kiss_frame f;
	size_t used;
	if (n == 0 || n > sizeof wire || !kiss_decoder_next(&d, wire, n, &used, &f) ||
	    used != n || f.len + 1 > cap) {
		fprintf(stderr, "KISS round trip failed\n");
		exit(1);
	}
	out[0] = (uint8_t)(f.port << 4 | f.cmd);
	memcpy(out + 1, f.data, f.len);
	return f.len + 1;
}

static int write_ax25(const char *dir, const struct sample *s, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/ax25.pcap", dir);
	FILE *p = pcap_open(path, PCAP_LINKTYPE_AX25);
	snprintf(path, sizeof path, "%s/ax25.expected", dir);
	FILE *e = fopen(path, "w");
	if (!p || !e)
		return fail(path);
	for (size_t i = 0; i < n; i++) {
		uint8_t buf[AX25_HEADER_MAX + INFO_MAX];
		size_t len;
		enum ax25_reason r = ax25_ui_encode(&s[i].ui, INFO_MAX, buf, sizeof buf, &len);
		if (r != AX25_OK) {
			fprintf(stderr, "sample %zu: %s\n", i, ax25_reason_str(r));
			return 1;
		}
		pcap_write(p, buf, len);
		expect_frame(e, &s[i].ui);
		fputc('\n', e);
	}
	return (pcap_close(p) != 0 || fclose(e) != 0) ? fail("close") : 0;
}

/* KISS lines: port, command, parameter ("-" for a data frame; set hardware
 * in hex as tshark shows it), then the AX.25 line or "-". */
static void kiss_params(FILE *p, FILE *e)
{
	static const struct { unsigned port; enum kiss_cmd cmd; uint8_t v; } c[] = {
		{ 0, KISS_CMD_TXDELAY, 50 },  { 1, KISS_CMD_P, 63 },
		{ 2, KISS_CMD_SLOTTIME, 10 }, { 3, KISS_CMD_TXTAIL, 3 },
		{ 4, KISS_CMD_FULLDUPLEX, 1 }, { 12, KISS_CMD_TXDELAY, 0xc0 },
		{ 13, KISS_CMD_P, 0xdb },
	};
	uint8_t rec[8];
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		pcap_write(p, rec, kiss_record(&c[i].v, 1, c[i].port, c[i].cmd, rec, sizeof rec));
		fprintf(e, "%u\t%u\t%u\t-\n", c[i].port, (unsigned)c[i].cmd, (unsigned)c[i].v);
	}
	static const uint8_t q[] = "TXBUF:";
	uint8_t sh[16];
	pcap_write(p, sh, kiss_record(q, 6, 2, KISS_CMD_SETHARDWARE, sh, sizeof sh));
	fprintf(e, "2\t6\t54584255463a\t-\n");
	/* Return: the byte 0xFF, i.e. port 15, command 15. */
	uint8_t ret[4], viaport[4];
	if (kiss_encode_return(ret, sizeof ret) != 3 ||
	    kiss_encode(viaport, sizeof viaport, 15, KISS_CMD_RETURN, NULL, 0) != 3 ||
	    memcmp(ret, viaport, 3) != 0)
		exit(1);
	pcap_write(p, sh, kiss_record(NULL, 0, 15, KISS_CMD_RETURN, sh, sizeof sh));
	fprintf(e, "15\t15\t-\t-\n");
}

static int write_kiss(const char *dir, const struct sample *s, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/kiss.pcap", dir);
	FILE *p = pcap_open(path, PCAP_LINKTYPE_AX25_KISS);
	snprintf(path, sizeof path, "%s/kiss.expected", dir);
	FILE *e = fopen(path, "w");
	if (!p || !e)
		return fail(path);
	for (size_t i = 0; i < n; i++) {
		uint8_t buf[AX25_HEADER_MAX + INFO_MAX];
		static uint8_t rec[1 + AX25_HEADER_MAX + INFO_MAX];
		size_t len;
		if (ax25_ui_encode(&s[i].ui, INFO_MAX, buf, sizeof buf, &len) != AX25_OK)
			return 1;
		unsigned port = (unsigned)(i % 16);
		pcap_write(p, rec, kiss_record(buf, len, port, KISS_CMD_DATA, rec, sizeof rec));
		fprintf(e, "%u\t0\t-\t", port);
		expect_frame(e, &s[i].ui);
		fputc('\n', e);
	}
	kiss_params(p, e);
	return (pcap_close(p) != 0 || fclose(e) != 0) ? fail("close") : 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	static struct sample s[NSAMPLES];
	size_t n = make_samples(s);
	return write_ax25(argv[1], s, n) || write_kiss(argv[1], s, n);
}
