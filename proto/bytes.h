/* Bounds-checked byte readers and writers for the wire formats.
 *
 * Every read and write in proto/ goes through these: a reader that runs
 * past its end sets a sticky error flag and returns zeros, so a decoder can
 * read a whole structure and check the flag once, and no access ever leaves
 * the buffer.  Network byte order throughout; nothing here allocates. */
#ifndef MAILLE_PROTO_BYTES_H
#define MAILLE_PROTO_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct reader {
	const uint8_t *buf;
	size_t len;
	size_t off;
	bool err; /* sticky: set by any read past the end */
};

static inline struct reader reader_init(const uint8_t *buf, size_t len)
{
	struct reader r = { buf, len, 0, false };
	return r;
}

static inline size_t reader_left(const struct reader *r)
{
	return r->err ? 0 : r->len - r->off;
}

static inline bool reader_need(struct reader *r, size_t n)
{
	if (r->err || r->len - r->off < n) {
		r->err = true;
		return false;
	}
	return true;
}

static inline uint8_t read_u8(struct reader *r)
{
	if (!reader_need(r, 1))
		return 0;
	return r->buf[r->off++];
}

static inline uint16_t read_u16(struct reader *r)
{
	if (!reader_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)((uint16_t)r->buf[r->off] << 8 | r->buf[r->off + 1]);
	r->off += 2;
	return v;
}

static inline uint32_t read_u32(struct reader *r)
{
	if (!reader_need(r, 4))
		return 0;
	const uint8_t *p = r->buf + r->off;
	r->off += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Copies n bytes out; on a short buffer copies nothing and zero-fills dst. */
static inline void read_bytes(struct reader *r, void *dst, size_t n)
{
	if (!reader_need(r, n)) {
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, r->buf + r->off, n);
	r->off += n;
}

/* Returns a pointer to the next n bytes and skips them, or NULL. */
static inline const uint8_t *read_span(struct reader *r, size_t n)
{
	if (!reader_need(r, n))
		return NULL;
	const uint8_t *p = r->buf + r->off;
	r->off += n;
	return p;
}

/* A sub-reader over the next n bytes (for a TLV body); skips them in r. */
static inline struct reader reader_sub(struct reader *r, size_t n)
{
	const uint8_t *p = read_span(r, n);
	struct reader s = { p, p ? n : 0, 0, p == NULL };
	return s;
}

struct writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool overflow; /* sticky: some write did not fit */
};

static inline struct writer writer_init(uint8_t *buf, size_t cap)
{
	struct writer w = { buf, cap, 0, false };
	return w;
}

static inline size_t writer_room(const struct writer *w)
{
	return w->overflow ? 0 : w->cap - w->len;
}

static inline bool writer_need(struct writer *w, size_t n)
{
	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return false;
	}
	return true;
}

static inline void write_u8(struct writer *w, uint8_t v)
{
	if (writer_need(w, 1))
		w->buf[w->len++] = v;
}

static inline void write_u16(struct writer *w, uint16_t v)
{
	if (!writer_need(w, 2))
		return;
	w->buf[w->len++] = (uint8_t)(v >> 8);
	w->buf[w->len++] = (uint8_t)v;
}

static inline void write_u32(struct writer *w, uint32_t v)
{
	if (!writer_need(w, 4))
		return;
	w->buf[w->len++] = (uint8_t)(v >> 24);
	w->buf[w->len++] = (uint8_t)(v >> 16);
	w->buf[w->len++] = (uint8_t)(v >> 8);
	w->buf[w->len++] = (uint8_t)v;
}

static inline void write_bytes(struct writer *w, const void *src, size_t n)
{
	if (n && writer_need(w, n)) {
		memcpy(w->buf + w->len, src, n);
		w->len += n;
	}
}

/* Overwrites an already written 16-bit field (a length filled in later). */
static inline void writer_patch_u16(struct writer *w, size_t at, uint16_t v)
{
	if (at + 2 <= w->len) {
		w->buf[at] = (uint8_t)(v >> 8);
		w->buf[at + 1] = (uint8_t)v;
	}
}

#endif
