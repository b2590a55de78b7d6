/* Tests of tools/pcapfile: the capture reader.
 *
 * Files are built here octet by octet, in both byte orders, so that every
 * field the reader looks at is known; each is read twice, from memory and
 * from a file on disk, and both reads must tell the same story.  That story
 * is written out as a transcript (one line per record, then "end" or the
 * error), which the tests compare with what the file holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tools/pcapfile.h"

/* ------------------------------------------------------------ building files */

struct file {
	uint8_t d[16384];
	size_t n;
	bool big;
};

static void put8(struct file *f, uint8_t v)
{
	assert_true(f->n < sizeof f->d);
	f->d[f->n++] = v;
}

static void put16(struct file *f, uint16_t v)
{
	put8(f, (uint8_t)(f->big ? v >> 8 : v));
	put8(f, (uint8_t)(f->big ? v : v >> 8));
}

static void put32(struct file *f, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		put8(f, (uint8_t)(v >> (f->big ? 24 - 8 * i : 8 * i)));
}

static void put_bytes(struct file *f, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, ((const uint8_t *)p)[i]);
}

static void patch32(struct file *f, size_t at, uint32_t v)
{
	size_t n = f->n;
	f->n = at;
	put32(f, v);
	f->n = n;
}

enum { US = 0, NS = 1 };

static void pcap_header(struct file *f, bool big, int res, uint32_t linktype)
{
	f->big = big;
	put32(f, res == NS ? 0xA1B23C4D : 0xA1B2C3D4);
	put16(f, 2);
	put16(f, 4);
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, linktype);
}

static void pcap_record_raw(struct file *f, uint32_t sec, uint32_t frac, uint32_t caplen,
			    uint32_t origlen, const void *data, size_t n)
{
	put32(f, sec);
	put32(f, frac);
	put32(f, caplen);
	put32(f, origlen);
	put_bytes(f, data, n);
}

static void pcap_record(struct file *f, uint32_t sec, uint32_t frac, const char *data)
{
	size_t n = strlen(data);
	pcap_record_raw(f, sec, frac, (uint32_t)n, (uint32_t)n, data, n);
}

/* A pcapng block: its type and a length patched in by ng_end(). */
static size_t ng_begin(struct file *f, uint32_t type)
{
	size_t at = f->n;
	put32(f, type);
	put32(f, 0);
	return at;
}

static void ng_end(struct file *f, size_t at)
{
	while (f->n % 4)
		put8(f, 0);
	uint32_t total = (uint32_t)(f->n - at + 4);
	put32(f, total);
	patch32(f, at + 4, total);
}

static void ng_shb(struct file *f, bool big)
{
	f->big = big;
	size_t at = ng_begin(f, 0x0A0D0D0A);
	put32(f, 0x1A2B3C4D);
	put16(f, 1);
	put16(f, 0);
	put32(f, 0xFFFFFFFF); /* section length: unknown */
	put32(f, 0xFFFFFFFF);
	ng_end(f, at);
}

static void ng_option(struct file *f, uint16_t code, const void *v, uint16_t len)
{
	put16(f, code);
	put16(f, len);
	put_bytes(f, v, len);
	while (f->n % 4)
		put8(f, 0);
}

/* tsresol < 0: no if_tsresol option (microseconds).  Every interface also
 * gets a name and a comment, options the reader must skip. */
static void ng_idb(struct file *f, uint16_t linktype, uint32_t snaplen, int tsresol)
{
	size_t at = ng_begin(f, 1);
	put16(f, linktype);
	put16(f, 0);
	put32(f, snaplen);
	ng_option(f, 2, "eth0", 4);
	if (tsresol >= 0) {
		uint8_t r = (uint8_t)tsresol;
		ng_option(f, 9, &r, 1);
	}
	ng_option(f, 1, "a comment", 9);
	ng_option(f, 0, NULL, 0);
	ng_end(f, at);
}

static void ng_epb_raw(struct file *f, uint32_t ifid, uint64_t ts, uint32_t caplen,
		       uint32_t origlen, const void *data, size_t n)
{
	size_t at = ng_begin(f, 6);
	put32(f, ifid);
	put32(f, (uint32_t)(ts >> 32));
	put32(f, (uint32_t)ts);
	put32(f, caplen);
	put32(f, origlen);
	put_bytes(f, data, n);
	while (f->n % 4)
		put8(f, 0);
	ng_option(f, 1, "packet comment", 14); /* epb options: skipped */
	ng_end(f, at);
}

static void ng_epb(struct file *f, uint32_t ifid, uint64_t ts, const char *data)
{
	size_t n = strlen(data);
	ng_epb_raw(f, ifid, ts, (uint32_t)n, (uint32_t)n, data, n);
}

static void ng_spb(struct file *f, uint32_t origlen, const char *data)
{
	size_t at = ng_begin(f, 3);
	put32(f, origlen);
	put_bytes(f, data, strlen(data));
	ng_end(f, at);
}

/* A block the reader has no use for (here an Interface Statistics Block). */
static void ng_other(struct file *f, uint32_t type)
{
	size_t at = ng_begin(f, type);
	for (int i = 0; i < 21; i++)
		put8(f, (uint8_t)i);
	ng_end(f, at);
}

/* ---------------------------------------------------------- reading files */

struct text {
	char s[8192];
	size_t n;
};

__attribute__((format(printf, 2, 3)))
static void say(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->s + t->n, sizeof t->s - t->n, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof t->s - t->n);
	t->n += (size_t)n;
}

/* The transcript of a whole read: format, records, and how it ended. */
static void transcribe(struct pcapfile *pf, const char *open_error, struct text *t)
{
	t->n = 0;
	t->s[0] = 0;
	if (!pf) {
		assert_true(open_error[0] != 0);
		say(t, "open: %s\n", open_error);
		return;
	}
	say(t, "%s\n", pcapfile_format(pf) == PCAPFILE_PCAPNG ? "pcapng" : "pcap");
	struct pcapfile_record rec;
	int r;
	while ((r = pcapfile_next(pf, &rec)) > 0) {
		assert_non_null(rec.data);
		say(t, "if%u lt%u ", rec.interface, rec.linktype);
		if (rec.has_time) {
			assert_true(rec.nsec < 1000000000u);
			say(t, "%llu.%09u ", (unsigned long long)rec.sec, rec.nsec);
		} else {
			say(t, "- ");
		}
		say(t, "%zu/%u [", rec.len, rec.orig_len);
		for (size_t i = 0; i < rec.len && i < 16; i++)
			say(t, "%02x", rec.data[i]);
		say(t, "%s]\n", rec.len > 16 ? "..." : "");
	}
	if (r == 0) {
		assert_string_equal(pcapfile_error(pf), "");
		assert_int_equal(pcapfile_next(pf, &rec), 0); /* the end stays the end */
		say(t, "end\n");
		return;
	}
	say(t, "error: %s\n", pcapfile_error(pf));
	/* An error is final, and says the same thing again. */
	char again[PCAPFILE_ERROR_MAX];
	snprintf(again, sizeof again, "%s", pcapfile_error(pf));
	assert_int_equal(pcapfile_next(pf, &rec), -1);
	assert_string_equal(pcapfile_error(pf), again);
}

static void read_mem(const struct file *f, struct text *t)
{
	char err[PCAPFILE_ERROR_MAX] = "";
	struct pcapfile *pf = pcapfile_open_mem(f->d, f->n, err);
	transcribe(pf, err, t);
	pcapfile_close(pf);
}

static void read_disk(const struct file *f, struct text *t)
{
	const char *dir = getenv("TMPDIR");
	char path[4096], err[PCAPFILE_ERROR_MAX] = "";
	snprintf(path, sizeof path, "%s/test_pcapfile.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, f->d, f->n), (ssize_t)f->n);
	close(fd);
	struct pcapfile *pf = pcapfile_open(path, err);
	transcribe(pf, err, t);
	pcapfile_close(pf);
	unlink(path);
}

/* Reads f from memory and from disk: both must give `expected`. */
static void check(const struct file *f, const char *expected)
{
	static struct text mem, disk;
	read_mem(f, &mem);
	read_disk(f, &disk);
	assert_string_equal(mem.s, disk.s);
	assert_string_equal(mem.s, expected);
}

/* For the error cases: the transcript with its offset filled in. */
__attribute__((format(printf, 1, 2)))
static const char *expect(const char *fmt, ...)
{
	static char s[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	return s;
}

/* ------------------------------------------------------------ classic pcap */

static void test_pcap_byte_orders(void **state)
{
	(void)state;
	for (int big = 0; big <= 1; big++) {
		struct file f = { .n = 0 };
		pcap_header(&f, big, US, PCAPFILE_ETHERNET);
		pcap_record(&f, 1700000000, 5, "ab");
		pcap_record(&f, 1700000001, 999999, "hello");
		/* A fraction of a whole second (some writers do it) carries. */
		pcap_record(&f, 1700000002, 1500000, "x");
		check(&f, "pcap\n"
			  "if0 lt1 1700000000.000005000 2/2 [6162]\n"
			  "if0 lt1 1700000001.999999000 5/5 [68656c6c6f]\n"
			  "if0 lt1 1700000003.500000000 1/1 [78]\n"
			  "end\n");
	}
}

static void test_pcap_nanoseconds(void **state)
{
	(void)state;
	for (int big = 0; big <= 1; big++) {
		struct file f = { .n = 0 };
		pcap_header(&f, big, NS, PCAPFILE_AX25_KISS);
		pcap_record(&f, 1, 5, "k");
		pcap_record(&f, 2, 999999999, "kk");
		check(&f, "pcap\n"
			  "if0 lt202 1.000000005 1/1 [6b]\n"
			  "if0 lt202 2.999999999 2/2 [6b6b]\n"
			  "end\n");
	}
}

/* The upper bits of the link type field carry FCS information. */
static void test_pcap_linktype_fcs_bits(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	pcap_header(&f, false, US, 0x14000000u | PCAPFILE_ETHERNET);
	pcap_record(&f, 0, 0, "z");
	check(&f, "pcap\nif0 lt1 0.000000000 1/1 [7a]\nend\n");
}

static void test_pcap_empty(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	pcap_header(&f, true, US, PCAPFILE_AX25);
	check(&f, "pcap\nend\n");
}

/* A snapped record: captured length below the original one. */
static void test_pcap_snapped(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	pcap_header(&f, false, US, PCAPFILE_ETHERNET);
	pcap_record_raw(&f, 7, 0, 3, 1500, "abc", 3);
	check(&f, "pcap\nif0 lt1 7.000000000 3/1500 [616263]\nend\n");
}

/* ------------------------------------------------------------------ pcapng */

static void build_ng(struct file *f, bool big)
{
	ng_shb(f, big);
	ng_idb(f, PCAPFILE_ETHERNET, 262144, 9); /* nanoseconds */
	ng_idb(f, PCAPFILE_AX25_KISS, 0, -1);    /* microseconds, by default */
	ng_other(f, 4);                          /* name resolution */
	ng_epb(f, 1, 1700000000123456ull, "kiss");
	ng_epb(f, 0, 1700000000123456789ull, "ether");
	ng_spb(f, 3, "spb");                     /* on interface 0 */
	ng_other(f, 5);                          /* interface statistics */
	ng_epb(f, 0, 0, "x");
}

static const char NG_TRANSCRIPT[] = "pcapng\n"
				    "if1 lt202 1700000000.123456000 4/4 [6b697373]\n"
				    "if0 lt1 1700000000.123456789 5/5 [6574686572]\n"
				    "if0 lt1 - 3/3 [737062]\n"
				    "if0 lt1 0.000000000 1/1 [78]\n"
				    "end\n";

static void test_pcapng_little_endian(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	build_ng(&f, false);
	check(&f, NG_TRANSCRIPT);
}

static void test_pcapng_big_endian(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	build_ng(&f, true);
	check(&f, NG_TRANSCRIPT);
}

/* A second section may use the other byte order, and numbers its
 * interfaces afresh: the first section's are gone. */
static void test_pcapng_sections(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	ng_shb(&f, false);
	ng_idb(&f, PCAPFILE_ETHERNET, 0, -1);
	ng_idb(&f, PCAPFILE_ETHERNET, 0, -1);
	ng_epb(&f, 1, 1000000, "a");
	ng_shb(&f, true);
	ng_idb(&f, PCAPFILE_AX25, 0, 3); /* milliseconds */
	ng_epb(&f, 0, 1500, "b");
	size_t at = f.n;
	ng_epb(&f, 1, 0, "c");
	check(&f, expect("pcapng\n"
			 "if1 lt1 1.000000000 1/1 [61]\n"
			 "if0 lt3 1.500000000 1/1 [62]\n"
			 "error: packet on undeclared interface 1 at offset %zu\n",
			 at));
}

/* Binary resolutions (2^-n), the finest of them, and one we refuse. */
static void test_pcapng_binary_resolution(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	ng_shb(&f, false);
	ng_idb(&f, PCAPFILE_ETHERNET, 0, 0x80 | 10);
	ng_idb(&f, PCAPFILE_ETHERNET, 0, 0x80 | 63);
	ng_idb(&f, PCAPFILE_ETHERNET, 0, 19); /* 10^-19: the finest decimal one */
	ng_epb(&f, 0, 5u << 10 | 512, "a");
	ng_epb(&f, 1, UINT64_C(3) << 62, "b"); /* 1.5 s */
	ng_epb(&f, 2, UINT64_C(10000000000000000000), "c");
	size_t at = f.n;
	ng_idb(&f, PCAPFILE_ETHERNET, 0, 20);
	check(&f, expect("pcapng\n"
			 "if0 lt1 5.500000000 1/1 [61]\n"
			 "if1 lt1 1.500000000 1/1 [62]\n"
			 "if2 lt1 1.000000000 1/1 [63]\n"
			 "error: unsupported timestamp resolution 0x14 at offset %zu\n",
			 at));
}

/* SPB: no captured length of its own; the original length and the
 * interface's snapshot length bound what is padding. */
static void test_pcapng_simple_packets(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	ng_shb(&f, true);
	ng_idb(&f, PCAPFILE_IPV6, 4, -1);
	ng_spb(&f, 2, "ab");        /* "ab" and two octets of padding */
	ng_spb(&f, 100, "abcdefgh"); /* snapped at 4 */
	check(&f, "pcapng\nif0 lt229 - 2/2 [6162]\nif0 lt229 - 4/100 [61626364]\nend\n");
}

/* ----------------------------------------------------------- zero lengths */

static void test_zero_length_records(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	pcap_header(&f, false, US, PCAPFILE_ETHERNET);
	pcap_record(&f, 1, 0, "");
	pcap_record(&f, 2, 0, "");
	check(&f, "pcap\nif0 lt1 1.000000000 0/0 []\nif0 lt1 2.000000000 0/0 []\nend\n");

	struct file g = { .n = 0 };
	ng_shb(&g, false);
	ng_idb(&g, PCAPFILE_ETHERNET, 0, -1);
	ng_epb(&g, 0, 0, "");
	ng_spb(&g, 0, "");
	check(&g, "pcapng\nif0 lt1 0.000000000 0/0 []\nif0 lt1 - 0/0 []\nend\n");
}

/* ----------------------------------------------------- truncated and corrupt */

static void test_truncated_header(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	check(&f, "open: not a pcap or pcapng file (0 octets) at offset 0\n");

	pcap_header(&f, false, US, PCAPFILE_ETHERNET);
	f.n = 10;
	check(&f, "open: truncated pcap file header (10 of 24 octets) at offset 0\n");
	f.n = 3;
	check(&f, "open: not a pcap or pcapng file (3 octets) at offset 0\n");

	struct file g = { .n = 0 };
	ng_shb(&g, true);
	g.n = 6;
	check(&g, "open: truncated pcapng block header (6 of 8 octets) at offset 0\n");
	g.n = 10;
	check(&g, "open: truncated pcapng section header (10 of 12 octets) at offset 0\n");
	g.n = 20;
	check(&g, "open: truncated pcapng block body (8 of 12 octets) at offset 0\n");
	g.n = 26;
	check(&g, "open: truncated pcapng block (26 of 28 octets) at offset 0\n");
}

static void test_truncated_record(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	pcap_header(&f, true, NS, PCAPFILE_ETHERNET);
	pcap_record(&f, 1, 0, "ok");
	size_t at = f.n;
	pcap_record(&f, 2, 0, "cut short");
	size_t end = f.n;

	f.n = at + 10;
	check(&f, expect("pcap\nif0 lt1 1.000000000 2/2 [6f6b]\n"
			 "error: truncated record header (10 of 16 octets) at offset %zu\n",
			 at));
	f.n = end - 4;
	check(&f, expect("pcap\nif0 lt1 1.000000000 2/2 [6f6b]\n"
			 "error: truncated record (5 of 9 octets) at offset %zu\n",
			 at));
}

static void test_truncated_block(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	ng_shb(&f, false);
	ng_idb(&f, PCAPFILE_ETHERNET, 0, -1);
	size_t at = f.n;
	ng_epb(&f, 0, 0, "packet");
	size_t end = f.n;
	f.n = end - 2;
	check(&f, expect("pcapng\nerror: truncated pcapng block (%zu of %zu octets) at offset %zu\n",
			 end - 2 - at, end - at, at));
	f.n = at + 30;
	check(&f, expect("pcapng\nerror: truncated pcapng block body (22 of %zu octets) at offset %zu\n",
			 end - at - 12, at));
}

static void test_bad_magic(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	put_bytes(&f, "GIF89a, or anything but a capture", 33);
	check(&f, "open: not a pcap or pcapng file (magic 47494638) at offset 0\n");

	/* pcapng's section magic, then the wrong byte-order magic. */
	struct file g = { .n = 0 };
	ng_shb(&g, false);
	g.d[8] = 0x1A;
	check(&g, "open: bad pcapng byte-order magic 1a3c2b1a at offset 8\n");

	/* Only pcap 2.x exists. */
	struct file h = { .n = 0 };
	pcap_header(&h, false, US, PCAPFILE_ETHERNET);
	h.d[4] = 3;
	check(&h, "open: unsupported pcap version 3.4 at offset 4\n");
}

static void test_epb_longer_than_block(void **state)
{
	(void)state;
	for (int big = 0; big <= 1; big++) {
		struct file f = { .n = 0 };
		ng_shb(&f, big);
		ng_idb(&f, PCAPFILE_ETHERNET, 0, -1);
		ng_epb(&f, 0, 1000000, "fine");
		size_t at = f.n;
		/* 4 octets of data in the block, and 20 more of options, but
		 * 100 announced. */
		ng_epb_raw(&f, 0, 0, 100, 100, "liar", 4);
		check(&f, expect("pcapng\nif0 lt1 1.000000000 4/4 [66696e65]\n"
				 "error: packet of 100 octets longer than its block (24) at offset %zu\n",
				 at));
	}
}

static void test_corrupt_block_lengths(void **state)
{
	(void)state;
	struct file base = { .n = 0 };
	ng_shb(&base, false);
	ng_idb(&base, PCAPFILE_ETHERNET, 0, -1);
	size_t at = base.n;
	ng_epb(&base, 0, 0, "abcd");
	size_t total = base.n - at;

	struct file f = base;
	patch32(&f, at + 4, 13); /* not a multiple of 4 */
	check(&f, expect("pcapng\nerror: pcapng block of bad length 13 at offset %zu\n", at));

	f = base;
	patch32(&f, at + 4, 8); /* shorter than a block's own header */
	check(&f, expect("pcapng\nerror: pcapng block of bad length 8 at offset %zu\n", at));

	f = base;
	patch32(&f, base.n - 4, (uint32_t)total + 4); /* trailer disagrees */
	check(&f, expect("pcapng\nerror: pcapng block length %zu does not match its trailer %zu "
			 "at offset %zu\n",
			 total, total + 4, at));

	f = base;
	patch32(&f, at + 4, 0xFFFFFFF0u); /* 4 GiB, in a small file */
	check(&f, expect("pcapng\nerror: pcapng block body of 4294967268 octets is larger than any "
			 "capture has at offset %zu\n",
			 at));

	/* A section header must hold its version and section length. */
	f = base;
	patch32(&f, 4, 24);
	check(&f, "open: pcapng block of bad length 24 at offset 0\n");
}

static void test_huge_record(void **state)
{
	(void)state;
	struct file f = { .n = 0 };
	pcap_header(&f, false, US, PCAPFILE_ETHERNET);
	pcap_record_raw(&f, 0, 0, 0x7FFFFFFF, 0x7FFFFFFF, "x", 1);
	check(&f, "pcap\nerror: record of 2147483647 octets is larger than any capture has "
		  "at offset 24\n");
}

static void test_corrupt_pcapng_blocks(void **state)
{
	(void)state;
	struct file base = { .n = 0 };
	ng_shb(&base, true);

	/* A packet before any interface. */
	struct file f = base;
	size_t at = f.n;
	ng_spb(&f, 1, "a");
	check(&f, expect("pcapng\nerror: simple packet before any interface at offset %zu\n", at));

	/* An interface option running past its block. */
	f = base;
	at = f.n;
	size_t b = ng_begin(&f, 1);
	put16(&f, 1);
	put16(&f, 0);
	put32(&f, 0);
	put16(&f, 2);
	put16(&f, 200);
	put32(&f, 0);
	ng_end(&f, b);
	check(&f, expect("pcapng\nerror: interface option 2 overruns its block at offset %zu\n", at));

	/* Blocks too short for their fixed fields. */
	static const struct {
		uint32_t type;
		const char *name;
	} shorts[] = { { 1, "interface description" }, { 6, "enhanced packet" } };
	for (size_t i = 0; i < 2; i++) {
		f = base;
		ng_idb(&f, PCAPFILE_ETHERNET, 0, -1);
		at = f.n;
		b = ng_begin(&f, shorts[i].type);
		put32(&f, 0);
		ng_end(&f, b);
		check(&f, expect("pcapng\nerror: %s block too short (4 octets) at offset %zu\n",
				 shorts[i].name, at));
	}
	f = base;
	ng_idb(&f, PCAPFILE_ETHERNET, 0, -1);
	at = f.n;
	b = ng_begin(&f, 3);
	ng_end(&f, b);
	check(&f, expect("pcapng\nerror: simple packet block too short (0 octets) at offset %zu\n",
			 at));
}

/* --------------------------------------------------------- real captures */

static void test_babeld_captures(void **state)
{
	(void)state;
	static const char *names[] = { "babeld-1.12-plain.pcap", "babeld-1.12-hmac.pcap" };
	for (size_t i = 0; i < 2; i++) {
		const char *top = getenv("top_srcdir");
		char path[4096], err[PCAPFILE_ERROR_MAX];
		snprintf(path, sizeof path, "%s/tests/data/%s", top ? top : ".", names[i]);
		struct pcapfile *pf = pcapfile_open(path, err);
		if (!pf)
			fail_msg("%s: %s", path, err);
		assert_int_equal(pcapfile_format(pf), PCAPFILE_PCAPNG);
		struct pcapfile_record rec;
		int n = 0, r;
		uint64_t last = 0;
		while ((r = pcapfile_next(pf, &rec)) > 0) {
			assert_int_equal(rec.linktype, PCAPFILE_ETHERNET);
			assert_true(rec.has_time);
			/* Captured in 2025, in order. */
			assert_true(rec.sec > 1700000000u && rec.sec < 1900000000u);
			assert_true(rec.sec >= last);
			last = rec.sec;
			assert_int_equal(rec.len, rec.orig_len);
			n++;
		}
		assert_int_equal(r, 0);
		assert_int_equal(n, 31);
		pcapfile_close(pf);

		/* The same from memory, and from disk again through check(). */
		struct file *f = calloc(1, sizeof *f);
		assert_non_null(f);
		FILE *fp = fopen(path, "rb");
		assert_non_null(fp);
		f->n = fread(f->d, 1, sizeof f->d, fp);
		assert_true(feof(fp));
		fclose(fp);
		static struct text mem, disk;
		read_mem(f, &mem);
		read_disk(f, &disk);
		assert_string_equal(mem.s, disk.s);
		assert_true(strstr(mem.s, "\nend\n") != NULL);
		free(f);
	}
}

static void test_open_missing(void **state)
{
	(void)state;
	char err[PCAPFILE_ERROR_MAX];
	assert_null(pcapfile_open("/nonexistent/capture.pcap", err));
	assert_string_equal(err, "cannot open: No such file or directory");
	pcapfile_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_byte_orders),
		cmocka_unit_test(test_pcap_nanoseconds),
		cmocka_unit_test(test_pcap_linktype_fcs_bits),
		cmocka_unit_test(test_pcap_empty),
		cmocka_unit_test(test_pcap_snapped),
		cmocka_unit_test(test_pcapng_little_endian),
		cmocka_unit_test(test_pcapng_big_endian),
		cmocka_unit_test(test_pcapng_sections),
		cmocka_unit_test(test_pcapng_binary_resolution),
		cmocka_unit_test(test_pcapng_simple_packets),
		cmocka_unit_test(test_zero_length_records),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_truncated_record),
		cmocka_unit_test(test_truncated_block),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_epb_longer_than_block),
		cmocka_unit_test(test_corrupt_block_lengths),
		cmocka_unit_test(test_huge_record),
		cmocka_unit_test(test_corrupt_pcapng_blocks),
		cmocka_unit_test(test_babeld_captures),
		cmocka_unit_test(test_open_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
