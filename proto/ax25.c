/* AX.25 v2 UI frames: see ax25.h for the layout and the decisions taken. */
#include "proto/ax25.h"

#include <stdio.h>
#include <string.h>

#include "proto/bytes.h"

/* SSID octet fields. */
#define SSID_EXT 0x01      /* address extension: last address */
#define SSID_SHIFT 1
#define SSID_MASK 0x0F
#define SSID_RR 0x60       /* reserved bits: "set to 1 unless specified" */
#define SSID_CH 0x80       /* C bit (destination, source) or H bit (digi) */
#define CALL_PAD ' '

static const char *const reason_text[AX25_REASON_COUNT] = {
	[AX25_OK] = "ok",
	[AX25_NOT_UI] = "not a UI frame (control field is not 0x03 or 0x13)",
	[AX25_ERR_ADDR_TRUNCATED] = "frame ends inside the address field",
	[AX25_ERR_ADDR_EXT_IN_CALL] = "address extension bit set in a callsign octet",
	[AX25_ERR_ADDR_END_EARLY] = "address field ends after the destination (no source)",
	[AX25_ERR_TOO_MANY_DIGIS] = "more than 8 digipeater addresses",
	[AX25_ERR_NO_CONTROL] = "frame ends after the address field (no control octet)",
	[AX25_ERR_NO_PID] = "UI frame ends before its PID octet",
	[AX25_ERR_CALL_EMPTY] = "empty callsign",
	[AX25_ERR_CALL_CHAR] = "callsign character is not A-Z or 0-9",
	[AX25_ERR_CALL_LOWERCASE] = "callsign has a lower-case letter (write it in upper case)",
	[AX25_ERR_CALL_PADDING] = "space padding inside the callsign (only allowed at its end)",
	[AX25_ERR_CALL_TOO_LONG] = "callsign longer than 6 characters",
	[AX25_ERR_SSID_SYNTAX] = "SSID after '-' must be a decimal number without leading zero",
	[AX25_ERR_SSID_RANGE] = "SSID above 15",
	[AX25_ERR_PACLEN] = "information field longer than paclen",
	[AX25_ERR_NO_ROOM] = "output buffer too small",
	[AX25_ERR_INVALID] = "invalid argument",
	[AX25_ERR_LL_PREFIX] = "IPv6 address is not in fe80::/64",
	[AX25_ERR_LL_MARKER] = "link-local interface identifier is not made from a callsign",
};

const char *ax25_reason_str(enum ax25_reason r)
{
	if ((unsigned)r >= AX25_REASON_COUNT)
		return "unknown reason";
	return reason_text[r];
}

enum ax25_verdict ax25_reason_verdict(enum ax25_reason r)
{
	if (r == AX25_OK)
		return AX25_VERDICT_OK;
	/* Connected-mode and other U frames from stations sharing the channel
	 * are normal traffic, not damage. */
	if (r == AX25_NOT_UI)
		return AX25_VERDICT_IGNORE;
	return AX25_VERDICT_MALFORMED;
}

static bool is_call_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static enum ax25_reason bad_char_reason(unsigned char c)
{
	return (c >= 'a' && c <= 'z') ? AX25_ERR_CALL_LOWERCASE : AX25_ERR_CALL_CHAR;
}

enum ax25_reason ax25_addr_check(const struct ax25_addr *a)
{
	size_t n = 0;
	while (n <= AX25_CALL_MAX && a->call[n] != '\0')
		n++;
	if (n > AX25_CALL_MAX)
		return AX25_ERR_CALL_TOO_LONG;
	if (n == 0)
		return AX25_ERR_CALL_EMPTY;
	for (size_t i = 0; i < n; i++)
		if (!is_call_char((unsigned char)a->call[i]))
			return bad_char_reason((unsigned char)a->call[i]);
	return a->ssid > SSID_MASK ? AX25_ERR_SSID_RANGE : AX25_OK;
}

bool ax25_addr_equal(const struct ax25_addr *a, const struct ax25_addr *b)
{
	return a->ssid == b->ssid && strncmp(a->call, b->call, sizeof a->call) == 0;
}

void ax25_call_pad(const struct ax25_addr *a, uint8_t padded[AX25_CALL_MAX])
{
	size_t i = 0;
	for (; i < AX25_CALL_MAX && a->call[i] != '\0'; i++)
		padded[i] = (uint8_t)a->call[i];
	for (; i < AX25_CALL_MAX; i++)
		padded[i] = CALL_PAD;
}

enum ax25_reason ax25_call_unpad(const uint8_t padded[AX25_CALL_MAX], struct ax25_addr *a)
{
	size_t n = 0;
	while (n < AX25_CALL_MAX && padded[n] != CALL_PAD)
		n++;
	for (size_t i = n; i < AX25_CALL_MAX; i++)
		if (padded[i] != CALL_PAD)
			return AX25_ERR_CALL_PADDING;
	if (n == 0)
		return AX25_ERR_CALL_EMPTY;
	for (size_t i = 0; i < n; i++) {
		if (!is_call_char(padded[i]))
			return bad_char_reason(padded[i]);
		a->call[i] = (char)padded[i];
	}
	a->call[n] = '\0';
	return AX25_OK;
}

/* ---------------------------------------------------------------- text */

static enum ax25_reason parse_ssid(const char *s, size_t len, uint8_t *ssid)
{
	if (len == 0)
		return AX25_ERR_SSID_SYNTAX;
	if (s[0] == '0' && len > 1)
		return AX25_ERR_SSID_SYNTAX;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return AX25_ERR_SSID_SYNTAX;
		if (v > SSID_MASK)
			return AX25_ERR_SSID_RANGE; /* stop before v can overflow */
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > SSID_MASK)
		return AX25_ERR_SSID_RANGE;
	*ssid = (uint8_t)v;
	return AX25_OK;
}

enum ax25_reason ax25_addr_parse(const char *text, size_t len, struct ax25_addr *out)
{
	const char *dash = memchr(text, '-', len);
	size_t n = dash ? (size_t)(dash - text) : len;
	if (n == 0)
		return AX25_ERR_CALL_EMPTY;
	/* Characters before length: "f4abcdefg" is more usefully a case error. */
	for (size_t i = 0; i < n; i++)
		if (!is_call_char((unsigned char)text[i]))
			return bad_char_reason((unsigned char)text[i]);
	if (n > AX25_CALL_MAX)
		return AX25_ERR_CALL_TOO_LONG;
	uint8_t ssid = 0;
	if (dash) {
		enum ax25_reason rc = parse_ssid(dash + 1, len - n - 1, &ssid);
		if (rc != AX25_OK)
			return rc;
	}
	memset(out, 0, sizeof *out);
	memcpy(out->call, text, n);
	out->ssid = ssid;
	return AX25_OK;
}

size_t ax25_addr_format(const struct ax25_addr *a, char *buf, size_t cap)
{
	int n;
	if (a->ssid == 0)
		n = snprintf(buf, cap, "%.6s", a->call);
	else
		n = snprintf(buf, cap, "%.6s-%u", a->call, (unsigned)a->ssid);
	return n < 0 ? 0 : (size_t)n;
}

/* ---------------------------------------------------------------- decode */

static enum ax25_cr cr_from_bits(bool dst_c, bool src_c)
{
	if (dst_c && !src_c)
		return AX25_CR_COMMAND;
	if (!dst_c && src_c)
		return AX25_CR_RESPONSE;
	return dst_c ? AX25_CR_V1_11 : AX25_CR_V1_00;
}

static void cr_to_bits(enum ax25_cr cr, bool *dst_c, bool *src_c)
{
	*dst_c = cr == AX25_CR_COMMAND || cr == AX25_CR_V1_11;
	*src_c = cr == AX25_CR_RESPONSE || cr == AX25_CR_V1_11;
}

/* Reads one 7-octet address; *ssid_octet gets its last octet for the
 * caller to interpret (C/H bit, extension bit). */
static enum ax25_reason read_address(struct reader *r, struct ax25_addr *a, uint8_t *ssid_octet)
{
	const uint8_t *p = read_span(r, AX25_ADDR_LEN);
	if (!p)
		return AX25_ERR_ADDR_TRUNCATED;
	uint8_t padded[AX25_CALL_MAX];
	for (size_t i = 0; i < AX25_CALL_MAX; i++) {
		if (p[i] & SSID_EXT)
			return AX25_ERR_ADDR_EXT_IN_CALL;
		padded[i] = (uint8_t)(p[i] >> 1);
	}
	*ssid_octet = p[AX25_CALL_MAX];
	a->ssid = (uint8_t)((*ssid_octet >> SSID_SHIFT) & SSID_MASK);
	return ax25_call_unpad(padded, a);
}

static bool rr_standard(uint8_t ssid_octet)
{
	return (ssid_octet & SSID_RR) == SSID_RR;
}

static enum ax25_reason read_digis(struct reader *r, struct ax25_ui *ui)
{
	bool last = false;
	ui->ndigi = 0;
	while (!last) {
		if (ui->ndigi == AX25_DIGI_MAX)
			return AX25_ERR_TOO_MANY_DIGIS;
		struct ax25_digi *d = &ui->digi[ui->ndigi];
		uint8_t o;
		enum ax25_reason rc = read_address(r, &d->addr, &o);
		if (rc != AX25_OK)
			return rc;
		d->repeated = (o & SSID_CH) != 0;
		ui->rr_nonstandard |= !rr_standard(o);
		last = (o & SSID_EXT) != 0;
		ui->ndigi++;
	}
	return AX25_OK;
}

static enum ax25_reason read_address_field(struct reader *r, struct ax25_ui *ui)
{
	uint8_t od, os;
	enum ax25_reason rc = read_address(r, &ui->dst, &od);
	if (rc != AX25_OK)
		return rc;
	if (od & SSID_EXT)
		return AX25_ERR_ADDR_END_EARLY;
	rc = read_address(r, &ui->src, &os);
	if (rc != AX25_OK)
		return rc;
	ui->cr = cr_from_bits(od & SSID_CH, os & SSID_CH);
	ui->rr_nonstandard = !rr_standard(od) || !rr_standard(os);
	ui->ndigi = 0;
	return (os & SSID_EXT) ? AX25_OK : read_digis(r, ui);
}

enum ax25_reason ax25_ui_decode(const uint8_t *frame, size_t len, struct ax25_ui *out)
{
	struct reader r = reader_init(frame, len);
	enum ax25_reason rc = read_address_field(&r, out);
	if (rc != AX25_OK)
		return rc;
	if (reader_left(&r) == 0)
		return AX25_ERR_NO_CONTROL;
	uint8_t ctl = read_u8(&r);
	if ((ctl & (uint8_t)~AX25_CTL_PF) != AX25_CTL_UI)
		return AX25_NOT_UI;
	out->pf = (ctl & AX25_CTL_PF) != 0;
	if (reader_left(&r) == 0)
		return AX25_ERR_NO_PID;
	out->pid = read_u8(&r);
	out->info_len = reader_left(&r);
	out->info = read_span(&r, out->info_len);
	return AX25_OK;
}

/* ---------------------------------------------------------------- encode */

static void write_address(struct writer *w, const struct ax25_addr *a, bool ch, bool last)
{
	uint8_t padded[AX25_CALL_MAX];
	ax25_call_pad(a, padded);
	for (size_t i = 0; i < AX25_CALL_MAX; i++)
		write_u8(w, (uint8_t)(padded[i] << 1));
	write_u8(w, (uint8_t)((ch ? SSID_CH : 0) | SSID_RR | (a->ssid << SSID_SHIFT) |
			      (last ? SSID_EXT : 0)));
}

static enum ax25_reason check_ui(const struct ax25_ui *ui, size_t paclen)
{
	if ((unsigned)ui->cr > AX25_CR_V1_11 || (ui->info == NULL && ui->info_len > 0))
		return AX25_ERR_INVALID;
	if (ui->ndigi > AX25_DIGI_MAX)
		return AX25_ERR_TOO_MANY_DIGIS;
	enum ax25_reason rc = ax25_addr_check(&ui->dst);
	if (rc == AX25_OK)
		rc = ax25_addr_check(&ui->src);
	for (size_t i = 0; rc == AX25_OK && i < ui->ndigi; i++)
		rc = ax25_addr_check(&ui->digi[i].addr);
	if (rc == AX25_OK && ui->info_len > paclen)
		rc = AX25_ERR_PACLEN;
	return rc;
}

enum ax25_reason ax25_ui_encode(const struct ax25_ui *ui, size_t paclen, uint8_t *buf,
				size_t cap, size_t *need)
{
	size_t need_local;
	if (!need)
		need = &need_local;
	*need = 0;
	enum ax25_reason rc = check_ui(ui, paclen);
	if (rc != AX25_OK)
		return rc;
	*need = AX25_HEADER_MIN + (size_t)ui->ndigi * AX25_ADDR_LEN + ui->info_len;
	if (*need > cap)
		return AX25_ERR_NO_ROOM;

	bool dst_c, src_c;
	cr_to_bits(ui->cr, &dst_c, &src_c);
	struct writer w = writer_init(buf, cap);
	write_address(&w, &ui->dst, dst_c, false);
	write_address(&w, &ui->src, src_c, ui->ndigi == 0);
	for (size_t i = 0; i < ui->ndigi; i++)
		write_address(&w, &ui->digi[i].addr, ui->digi[i].repeated, i + 1 == ui->ndigi);
	write_u8(&w, (uint8_t)(AX25_CTL_UI | (ui->pf ? AX25_CTL_PF : 0)));
	write_u8(&w, ui->pid);
	write_bytes(&w, ui->info, ui->info_len);
	return w.overflow ? AX25_ERR_NO_ROOM : AX25_OK;
}
