#include "tools/pcapfile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pcapng block types (the section header's reads the same in both byte
 * orders, which is how a reader finds it before knowing the order). */
enum { NG_SHB = 0x0A0D0D0A, NG_IDB = 1, NG_SPB = 3, NG_EPB = 6 };
enum { NG_BYTE_ORDER_MAGIC = 0x1A2B3C4D, NG_OPT_END = 0, NG_OPT_IF_TSRESOL = 9 };

/* Interfaces of the current pcapng section, as their IDBs declared them. */
struct ng_interface {
	uint32_t linktype;
	uint32_t snaplen;
	uint8_t tsresol; /* if_tsresol: 10^-n, or 2^-n with the top bit set */
};

struct pcapfile {
	/* The source: a file, or a caller's buffer. */
	FILE *f;
	const uint8_t *mem;
	size_t mem_len, mem_off;
	uint64_t off; /* octets consumed so far, for error messages */
	uint8_t pushed[4]; /* octets given back after looking at the magic */
	size_t npushed;

	enum pcapfile_format format;
	bool big;  /* the file (or pcapng section) is big-endian */
	bool nano; /* classic pcap with nanosecond timestamps */
	uint32_t linktype; /* classic pcap: one for the whole file */

	struct ng_interface *ifs;
	size_t nifs, ifs_cap;

	uint8_t *buf; /* the current record or block body */
	size_t buf_cap;

	bool failed;
	char error[PCAPFILE_ERROR_MAX];
};

/* ------------------------------------------------------------ helpers */

static uint32_t get32(const struct pcapfile *pf, const uint8_t *p)
{
	if (pf->big)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t get16(const struct pcapfile *pf, const uint8_t *p)
{
	return pf->big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* Records the first error, with where it is, and makes it final. */
__attribute__((format(printf, 3, 4)))
static int fail(struct pcapfile *pf, uint64_t at, const char *fmt, ...)
{
	if (pf->failed)
		return -1;
	/* The offset goes last and may be cut short by a long message: the
	 * messages here are all far shorter than the buffer. */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pf->error, sizeof pf->error, fmt, ap);
	va_end(ap);
	size_t n = strlen(pf->error);
	snprintf(pf->error + n, sizeof pf->error - n, " at offset %" PRIu64, at);
	pf->failed = true;
	return -1;
}

/* Up to n octets from the source; fewer only at its end (or on a read
 * error, which the caller tells apart with read_failed()). */
static size_t src_read(struct pcapfile *pf, void *dst, size_t n)
{
	uint8_t *d = dst;
	size_t got = pf->npushed < n ? pf->npushed : n;
	if (got) {
		memcpy(d, pf->pushed, got);
		memmove(pf->pushed, pf->pushed + got, pf->npushed - got);
		pf->npushed -= got;
	}
	size_t more = n - got;
	if (pf->f) {
		more = more ? fread(d + got, 1, more, pf->f) : 0;
	} else {
		if (more > pf->mem_len - pf->mem_off)
			more = pf->mem_len - pf->mem_off;
		if (more)
			memcpy(d + got, pf->mem + pf->mem_off, more);
		pf->mem_off += more;
	}
	got += more;
	pf->off += got;
	return got;
}

/* A short read is a truncated file, unless the disk said otherwise. */
static int short_read(struct pcapfile *pf, uint64_t at, const char *what, size_t got, size_t want)
{
	if (pf->f && ferror(pf->f))
		return fail(pf, at, "read error in %s: %s", what, strerror(errno));
	return fail(pf, at, "truncated %s (%zu of %zu octets)", what, got, want);
}

/* Reads n octets into pf->buf, growing it as needed.  The size is checked
 * before anything is allocated, so a corrupt length costs nothing. */
static int read_body(struct pcapfile *pf, size_t n, uint64_t at, const char *what)
{
	if (n > PCAPFILE_MAX_BLOCK)
		return fail(pf, at, "%s of %zu octets is larger than any capture has", what, n);
	if (!pf->f && n > pf->npushed + (pf->mem_len - pf->mem_off))
		return short_read(pf, at, what, pf->npushed + (pf->mem_len - pf->mem_off), n);
	if (n > pf->buf_cap) {
		size_t cap = pf->buf_cap;
		while (cap < n)
			cap *= 2;
		uint8_t *b = realloc(pf->buf, cap);
		if (!b)
			return fail(pf, at, "out of memory for a %s of %zu octets", what, n);
		pf->buf = b;
		pf->buf_cap = cap;
	}
	size_t got = src_read(pf, pf->buf, n);
	return got == n ? 0 : short_read(pf, at, what, got, n);
}

/* Whole seconds carried out of the fraction: some writers let the fraction
 * reach a full second, and callers want nsec below 1e9. */
static void set_time(struct pcapfile_record *rec, uint64_t sec, uint64_t nsec)
{
	rec->has_time = true;
	rec->sec = sec + nsec / 1000000000u;
	rec->nsec = (uint32_t)(nsec % 1000000000u);
}

/* ------------------------------------------------------- classic pcap */

/* Magic numbers as read little-endian: microsecond and nanosecond files. */
enum { PCAP_MAGIC_US = 0xA1B2C3D4, PCAP_MAGIC_NS = 0xA1B23C4D };

/* The magic number gives the byte order and the timestamp resolution. */
static int pcap_magic(struct pcapfile *pf, const uint8_t h[4])
{
	pf->format = PCAPFILE_PCAP;
	pf->big = false;
	uint32_t le = get32(pf, h);
	pf->big = true;
	uint32_t be = get32(pf, h);
	if (le == PCAP_MAGIC_US || le == PCAP_MAGIC_NS) {
		pf->big = false;
		pf->nano = le == PCAP_MAGIC_NS;
		return 0;
	}
	if (be == PCAP_MAGIC_US || be == PCAP_MAGIC_NS) {
		pf->nano = be == PCAP_MAGIC_NS;
		return 0;
	}
	return fail(pf, 0, "not a pcap or pcapng file (magic %02x%02x%02x%02x)", h[0], h[1], h[2],
		    h[3]);
}

static int pcap_header(struct pcapfile *pf, const uint8_t h[24])
{
	uint16_t major = get16(pf, h + 4), minor = get16(pf, h + 6);
	if (major != 2)
		return fail(pf, 4, "unsupported pcap version %u.%u", major, minor);
	/* The upper bits of this field may describe a frame check sequence
	 * (draft-ietf-opsawg-pcap); the link type is the lower 16. */
	pf->linktype = get32(pf, h + 20) & 0xFFFF;
	return 0;
}

static int pcap_next(struct pcapfile *pf, struct pcapfile_record *rec)
{
	uint8_t h[16];
	uint64_t at = pf->off;
	size_t got = src_read(pf, h, sizeof h);
	if (got == 0 && !(pf->f && ferror(pf->f)))
		return 0;
	if (got != sizeof h)
		return short_read(pf, at, "record header", got, sizeof h);
	uint32_t caplen = get32(pf, h + 8);
	if (read_body(pf, caplen, at, "record") < 0)
		return -1;
	rec->data = pf->buf;
	rec->len = caplen;
	rec->orig_len = get32(pf, h + 12);
	rec->linktype = pf->linktype;
	rec->interface = 0;
	uint32_t frac = get32(pf, h + 4);
	set_time(rec, get32(pf, h), pf->nano ? frac : (uint64_t)frac * 1000u);
	return 1;
}

/* ------------------------------------------------------------- pcapng */

static const uint64_t pow10_table[20] = {
	1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
	10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
	1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
	10000000000000000000u,
};

/* A resolution we can convert: 10^-n up to 10^-19 (more does not fit in
 * the 64-bit timestamp's units), or 2^-n up to 2^-63. */
static bool tsresol_ok(uint8_t r)
{
	return r & 0x80 ? (r & 0x7F) <= 63 : r < 20;
}

/* Timestamp units since the epoch, in the interface's resolution, to
 * seconds and nanoseconds without overflow. */
static void ng_time(struct pcapfile_record *rec, uint64_t ts, uint8_t tsresol)
{
	unsigned n = tsresol & 0x7F;
	if (tsresol & 0x80) {
		uint64_t sec = n ? ts >> n : ts;
		uint64_t frac = n ? ts & ((UINT64_C(1) << n) - 1) : 0;
		/* frac * 1e9 must fit in 64 bits: 1e9 < 2^30, so frac below 2^34;
		 * finer bits are below a nanosecond anyway. */
		if (n > 34) {
			frac >>= n - 34;
			n = 34;
		}
		set_time(rec, sec, n ? (frac * 1000000000u) >> n : 0);
		return;
	}
	uint64_t unit = pow10_table[n], frac = ts % unit;
	set_time(rec, ts / unit, n <= 9 ? frac * pow10_table[9 - n] : frac / pow10_table[n - 9]);
}

/* Reads one block: its type, and its body (without the type, lengths and,
 * for a section header, the byte-order magic) into pf->buf.  A section
 * header sets the byte order for the blocks after it.  1: a block; 0: end
 * of file; -1: error. */
static int ng_block(struct pcapfile *pf, uint32_t *type, size_t *body_len, uint64_t *at)
{
	uint8_t h[12];
	*at = pf->off;
	size_t got = src_read(pf, h, 8);
	if (got == 0 && !(pf->f && ferror(pf->f)))
		return 0;
	if (got != 8)
		return short_read(pf, *at, "pcapng block header", got, 8);
	size_t head = 8;
	if (h[0] == 0x0A && h[1] == 0x0D && h[2] == 0x0D && h[3] == 0x0A) {
		got = src_read(pf, h + 8, 4);
		if (got != 4)
			return short_read(pf, *at, "pcapng section header", 8 + got, 12);
		pf->big = false;
		if (get32(pf, h + 8) != NG_BYTE_ORDER_MAGIC) {
			pf->big = true;
			if (get32(pf, h + 8) != NG_BYTE_ORDER_MAGIC)
				return fail(pf, *at + 8, "bad pcapng byte-order magic %02x%02x%02x%02x",
					    h[8], h[9], h[10], h[11]);
		}
		head = 12;
	}
	*type = get32(pf, h);
	uint32_t total = get32(pf, h + 4);
	/* The smallest block is its type and two lengths: 12 octets (a section
	 * header: 28); lengths are multiples of 4, and the block is trailed by
	 * the same length, which catches a corrupt or misaligned one. */
	if (total < head + 4 || total % 4 || (*type == NG_SHB && total < 28))
		return fail(pf, *at, "pcapng block of bad length %" PRIu32, total);
	*body_len = total - head - 4;
	if (read_body(pf, *body_len, *at, "pcapng block body") < 0)
		return -1;
	uint8_t trailer[4];
	got = src_read(pf, trailer, 4);
	if (got != 4)
		return short_read(pf, *at, "pcapng block", total - 4 + got, total);
	if (get32(pf, trailer) != total)
		return fail(pf, *at, "pcapng block length %" PRIu32 " does not match its trailer %" PRIu32,
			    total, get32(pf, trailer));
	return 1;
}

/* The options that follow a block's fixed part: walked (every length
 * checked) for the few we use; the rest are skipped. */
static int ng_idb_options(struct pcapfile *pf, const uint8_t *p, size_t len, uint64_t at,
			  struct ng_interface *ifc)
{
	while (len >= 4) {
		uint16_t code = get16(pf, p), olen = get16(pf, p + 2);
		if (code == NG_OPT_END)
			break;
		size_t padded = ((size_t)olen + 3) & ~(size_t)3;
		if (padded > len - 4)
			return fail(pf, at, "interface option %u overruns its block", code);
		if (code == NG_OPT_IF_TSRESOL && olen >= 1) {
			if (!tsresol_ok(p[4]))
				return fail(pf, at, "unsupported timestamp resolution 0x%02x", p[4]);
			ifc->tsresol = p[4];
		}
		p += 4 + padded;
		len -= 4 + padded;
	}
	return 0;
}

static int ng_interface_add(struct pcapfile *pf, size_t len, uint64_t at)
{
	if (len < 8)
		return fail(pf, at, "interface description block too short (%zu octets)", len);
	struct ng_interface ifc = {
		.linktype = get16(pf, pf->buf),
		.snaplen = get32(pf, pf->buf + 4),
		.tsresol = 6, /* microseconds unless the options say otherwise */
	};
	if (ng_idb_options(pf, pf->buf + 8, len - 8, at, &ifc) < 0)
		return -1;
	if (pf->nifs == pf->ifs_cap) {
		/* Each IDB takes 20 octets of file, so the file's size bounds this. */
		size_t cap = pf->ifs_cap ? pf->ifs_cap * 2 : 4;
		struct ng_interface *ifs = realloc(pf->ifs, cap * sizeof *ifs);
		if (!ifs)
			return fail(pf, at, "out of memory for %zu interfaces", cap);
		pf->ifs = ifs;
		pf->ifs_cap = cap;
	}
	pf->ifs[pf->nifs++] = ifc;
	return 0;
}

static int ng_section(struct pcapfile *pf, size_t len, uint64_t at)
{
	if (len < 12)
		return fail(pf, at, "pcapng section header too short");
	uint16_t major = get16(pf, pf->buf), minor = get16(pf, pf->buf + 2);
	if (major != 1)
		return fail(pf, at, "unsupported pcapng version %u.%u", major, minor);
	/* Interface ids are numbered per section. */
	pf->nifs = 0;
	return 0;
}

static int ng_next(struct pcapfile *pf, struct pcapfile_record *rec)
{
	for (;;) {
		uint32_t type;
		size_t len;
		uint64_t at;
		int r = ng_block(pf, &type, &len, &at);
		if (r <= 0)
			return r;
		switch (type) {
		case NG_SHB:
			if (ng_section(pf, len, at) < 0)
				return -1;
			break;
		case NG_IDB:
			if (ng_interface_add(pf, len, at) < 0)
				return -1;
			break;
		case NG_EPB: {
			if (len < 20)
				return fail(pf, at, "enhanced packet block too short (%zu octets)", len);
			uint32_t id = get32(pf, pf->buf), caplen = get32(pf, pf->buf + 12);
			if (id >= pf->nifs)
				return fail(pf, at, "packet on undeclared interface %" PRIu32, id);
			if (caplen > len - 20)
				return fail(pf, at,
					    "packet of %" PRIu32 " octets longer than its block (%zu)",
					    caplen, len - 20);
			rec->data = pf->buf + 20;
			rec->len = caplen;
			rec->orig_len = get32(pf, pf->buf + 16);
			rec->linktype = pf->ifs[id].linktype;
			rec->interface = id;
			uint64_t ts = (uint64_t)get32(pf, pf->buf + 4) << 32 | get32(pf, pf->buf + 8);
			ng_time(rec, ts, pf->ifs[id].tsresol);
			return 1;
		}
		case NG_SPB: {
			if (len < 4)
				return fail(pf, at, "simple packet block too short (%zu octets)", len);
			if (pf->nifs == 0)
				return fail(pf, at, "simple packet before any interface");
			/* The block holds no captured length: it is the original
			 * length cut to the snapshot length, the rest padding. */
			size_t caplen = len - 4;
			uint32_t orig = get32(pf, pf->buf);
			if (orig < caplen)
				caplen = orig;
			if (pf->ifs[0].snaplen && pf->ifs[0].snaplen < caplen)
				caplen = pf->ifs[0].snaplen;
			rec->data = pf->buf + 4;
			rec->len = caplen;
			rec->orig_len = orig;
			rec->linktype = pf->ifs[0].linktype;
			rec->interface = 0;
			rec->has_time = false;
			rec->sec = 0;
			rec->nsec = 0;
			return 1;
		}
		default:
			/* Statistics, name resolution, custom blocks, and the
			 * obsolete Packet Block that no writer has used since
			 * pcapng 1.0: nothing a caller of this reader needs. */
			break;
		}
	}
}

/* ------------------------------------------------------------- public */

static struct pcapfile *finish_open(struct pcapfile *pf, char *error)
{
	uint8_t h[24];
	size_t got = src_read(pf, h, 4);
	if (got == 4 && h[0] == 0x0A && h[1] == 0x0D && h[2] == 0x0D && h[3] == 0x0A) {
		/* pcapng: the section header goes through the block reader, as
		 * later sections do.  The magic is given back rather than
		 * seeking, so that pipes work too. */
		memcpy(pf->pushed, h, 4);
		pf->npushed = 4;
		pf->off = 0;
		pf->format = PCAPFILE_PCAPNG;
		uint32_t type;
		size_t len;
		uint64_t at;
		int r = ng_block(pf, &type, &len, &at);
		if (r == 1)
			r = ng_section(pf, len, at);
		if (r < 0)
			goto fail;
		return pf;
	}
	/* Not a pcap at all is said first, even of a file too short for a
	 * pcap header. */
	if (got < 4 && !(pf->f && ferror(pf->f))) {
		fail(pf, 0, "not a pcap or pcapng file (%zu octets)", got);
		goto fail;
	}
	if (got < 4 || pcap_magic(pf, h) < 0)
		goto fail_read;
	got += src_read(pf, h + 4, sizeof h - 4);
	if (got != sizeof h)
		goto fail_read;
	if (pcap_header(pf, h) < 0)
		goto fail;
	return pf;
fail_read:
	if (!pf->failed)
		short_read(pf, 0, "pcap file header", got, sizeof h);
fail:
	snprintf(error, PCAPFILE_ERROR_MAX, "%s", pf->error);
	pcapfile_close(pf);
	return NULL;
}

static struct pcapfile *alloc_reader(char *error)
{
	struct pcapfile *pf = calloc(1, sizeof *pf);
	/* A buffer from the start: a zero-length record still gets a valid
	 * data pointer. */
	if (pf)
		pf->buf = malloc(pf->buf_cap = 4096);
	if (!pf || !pf->buf) {
		free(pf);
		snprintf(error, PCAPFILE_ERROR_MAX, "out of memory");
		return NULL;
	}
	return pf;
}

struct pcapfile *pcapfile_open(const char *path, char *error)
{
	struct pcapfile *pf = alloc_reader(error);
	if (!pf)
		return NULL;
	pf->f = fopen(path, "rb");
	if (!pf->f) {
		snprintf(error, PCAPFILE_ERROR_MAX, "cannot open: %s", strerror(errno));
		pcapfile_close(pf);
		return NULL;
	}
	return finish_open(pf, error);
}

struct pcapfile *pcapfile_open_mem(const void *buf, size_t len, char *error)
{
	struct pcapfile *pf = alloc_reader(error);
	if (!pf)
		return NULL;
	pf->mem = buf;
	pf->mem_len = buf ? len : 0;
	return finish_open(pf, error);
}

int pcapfile_next(struct pcapfile *pf, struct pcapfile_record *rec)
{
	if (pf->failed)
		return -1;
	return pf->format == PCAPFILE_PCAPNG ? ng_next(pf, rec) : pcap_next(pf, rec);
}

const char *pcapfile_error(const struct pcapfile *pf)
{
	return pf->error;
}

enum pcapfile_format pcapfile_format(const struct pcapfile *pf)
{
	return pf->format;
}

void pcapfile_close(struct pcapfile *pf)
{
	if (!pf)
		return;
	if (pf->f)
		fclose(pf->f);
	free(pf->ifs);
	free(pf->buf);
	free(pf);
}
