/* IP prefixes and route keys: normalising, ordering, hashing, text. */
#include "src/core/prefix.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

unsigned prefix_family_bits(uint8_t family)
{
	switch (family) {
	case PREFIX_FAMILY_IPV4:
		return 32;
	case PREFIX_FAMILY_IPV6:
		return 128;
	default:
		return 0;
	}
}

bool prefix_valid(const struct prefix *p)
{
	unsigned bits = prefix_family_bits(p->family);
	return bits != 0 && p->plen <= bits;
}

int prefix_normalise(struct prefix *p)
{
	if (!prefix_valid(p))
		return -1;
	unsigned bits = prefix_family_bits(p->family);
	int changed = 0;
	for (unsigned i = 0; i < 16; i++) {
		uint8_t mask;
		if (i * 8 >= bits || i * 8 >= p->plen)
			mask = 0;
		else if (i * 8 + 8 <= p->plen)
			mask = 0xff;
		else
			mask = (uint8_t)(0xff << (8 - (p->plen - i * 8)));
		if (p->addr[i] & (uint8_t)~mask) {
			/* Bytes past the family are not "host bits" the
			 * operator wrote: clearing them is not a change. */
			if (i * 8 < bits)
				changed = 1;
			p->addr[i] &= mask;
		}
	}
	return changed;
}

int prefix_make(struct prefix *out, uint8_t family, const uint8_t *addr, unsigned plen)
{
	unsigned bits = prefix_family_bits(family);
	if (bits == 0 || plen > bits)
		return -1;
	memset(out, 0, sizeof(*out));
	out->family = family;
	out->plen = (uint8_t)plen;
	memcpy(out->addr, addr, bits / 8);
	return prefix_normalise(out);
}

int prefix_compare(const struct prefix *a, const struct prefix *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c != 0)
		return c < 0 ? -1 : 1;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	return 0;
}

bool prefix_equal(const struct prefix *a, const struct prefix *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Bytes to a number in a fixed (big-endian) order, so the hash is the same
 * on every CPU: the mesh simulator's runs must not depend on the host. */
static uint64_t load_be64(const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | b[i];
	return v;
}

/* A bijective 64-bit mixer (the splitmix64 finaliser constants): every input
 * bit affects every output bit. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t prefix_hash(const struct prefix *p, uint64_t seed)
{
	uint64_t h = seed + 0x9e3779b97f4a7c15ull;
	h ^= ((uint64_t)p->family << 8 | p->plen) * 0xc2b2ae3d27d4eb4full;
	h = mix64(h ^ load_be64(p->addr));
	/* Adding a constant between rounds keeps a zero state from staying
	 * zero (mix64(0) == 0). */
	h = mix64((h + 0x165667b19e3779f9ull) ^ load_be64(p->addr + 8));
	return h;
}

bool prefix_bit(const struct prefix *p, unsigned i)
{
	if (i >= 128)
		return false;
	return (p->addr[i / 8] >> (7 - i % 8)) & 1;
}

unsigned prefix_common_length(const struct prefix *a, const struct prefix *b)
{
	if (a->family != b->family)
		return 0;
	unsigned max = a->plen < b->plen ? a->plen : b->plen;
	unsigned n = 0;
	unsigned i = 0;
	while (n + 8 <= max && a->addr[i] == b->addr[i]) {
		n += 8;
		i++;
	}
	while (n < max && prefix_bit(a, n) == prefix_bit(b, n))
		n++;
	return n;
}

bool prefix_contains(const struct prefix *outer, const struct prefix *inner)
{
	if (outer->family != inner->family || outer->plen > inner->plen)
		return false;
	return prefix_common_length(outer, inner) == outer->plen;
}

bool prefix_overlaps(const struct prefix *a, const struct prefix *b)
{
	return prefix_contains(a, b) || prefix_contains(b, a);
}

/* Appends to a bounded buffer, counting what would have been written, as
 * snprintf does. */
struct textbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void tb_putc(struct textbuf *tb, char c)
{
	if (tb->len + 1 < tb->size)
		tb->buf[tb->len] = c;
	tb->len++;
}

static void tb_puts(struct textbuf *tb, const char *s)
{
	while (*s)
		tb_putc(tb, *s++);
}

static void tb_putu(struct textbuf *tb, unsigned v)
{
	char tmp[12];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n > 0)
		tb_putc(tb, tmp[--n]);
}

static void tb_puthex(struct textbuf *tb, unsigned v)
{
	static const char digits[] = "0123456789abcdef";
	bool started = false;
	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (v >> shift) & 0xf;
		if (d || started || shift == 0) {
			tb_putc(tb, digits[d]);
			started = true;
		}
	}
}

static int tb_finish(struct textbuf *tb)
{
	if (tb->size > 0)
		tb->buf[tb->len < tb->size ? tb->len : tb->size - 1] = '\0';
	return tb->len > (size_t)0x7fffffff ? 0x7fffffff : (int)tb->len;
}

static void put_ipv4(struct textbuf *tb, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			tb_putc(tb, '.');
		tb_putu(tb, a[i]);
	}
}

static void put_ipv6(struct textbuf *tb, const uint8_t *a)
{
	unsigned g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];

	/* RFC 5952 section 5: IPv4-mapped addresses in mixed notation. */
	if (!g[0] && !g[1] && !g[2] && !g[3] && !g[4] && g[5] == 0xffff) {
		tb_puts(tb, "::ffff:");
		put_ipv4(tb, a + 12);
		return;
	}

	/* RFC 5952 section 4.2: shorten the longest run of two or more zero
	 * groups, the first one when two runs are as long. */
	int best = -1, best_len = 1;
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			tb_puts(tb, "::");
			i += best_len - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			tb_putc(tb, ':');
		tb_puthex(tb, g[i]);
	}
}

static void put_addr(struct textbuf *tb, const struct prefix *p)
{
	if (p->family == PREFIX_FAMILY_IPV4)
		put_ipv4(tb, p->addr);
	else
		put_ipv6(tb, p->addr);
}

int prefix_format_addr(const struct prefix *p, char *buf, size_t size)
{
	struct textbuf tb = { buf, size, 0 };
	if (!prefix_valid(p))
		tb_puts(&tb, "invalid");
	else
		put_addr(&tb, p);
	return tb_finish(&tb);
}

static void put_prefix(struct textbuf *tb, const struct prefix *p)
{
	if (!prefix_valid(p)) {
		tb_puts(tb, "invalid");
		return;
	}
	put_addr(tb, p);
	tb_putc(tb, '/');
	tb_putu(tb, p->plen);
}

int prefix_format(const struct prefix *p, char *buf, size_t size)
{
	struct textbuf tb = { buf, size, 0 };
	put_prefix(&tb, p);
	return tb_finish(&tb);
}

int prefix_parse(const char *text, struct prefix *out)
{
	/* The longest address text inet_pton accepts is 45 characters
	 * (INET6_ADDRSTRLEN is 46 with its NUL). */
	char addrtext[48];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	if (alen == 0 || alen >= sizeof(addrtext))
		return -1;
	memcpy(addrtext, text, alen);
	addrtext[alen] = '\0';

	struct prefix p;
	memset(&p, 0, sizeof(p));
	if (strchr(addrtext, ':')) {
		if (inet_pton(AF_INET6, addrtext, p.addr) != 1)
			return -1;
		p.family = PREFIX_FAMILY_IPV6;
	} else {
		if (inet_pton(AF_INET, addrtext, p.addr) != 1)
			return -1;
		p.family = PREFIX_FAMILY_IPV4;
	}
	unsigned bits = prefix_family_bits(p.family);

	unsigned plen = bits;
	if (slash) {
		const char *s = slash + 1;
		if (*s < '0' || *s > '9')
			return -1;
		if (s[0] == '0' && s[1] != '\0')
			return -1; /* "/08": leading zero */
		plen = 0;
		for (; *s; s++) {
			if (*s < '0' || *s > '9')
				return -1;
			plen = plen * 10 + (unsigned)(*s - '0');
			if (plen > bits)
				return -1;
		}
	}
	p.plen = (uint8_t)plen;
	int r = prefix_normalise(&p);
	if (r < 0)
		return -1;
	*out = p;
	return r;
}

int route_key_make(struct route_key *key, const struct prefix *dst, const struct prefix *src)
{
	if (!prefix_valid(dst))
		return -1;
	if (src && src->plen > 0) {
		if (!prefix_valid(src) || src->family != dst->family)
			return -1;
	}
	struct route_key k;
	memset(&k, 0, sizeof(k));
	k.dst = *dst;
	prefix_normalise(&k.dst);
	if (src && src->plen > 0) {
		k.src = *src;
		prefix_normalise(&k.src);
	} else {
		k.src.family = dst->family;
		k.src.plen = 0;
	}
	*key = k;
	return 0;
}

bool route_key_is_source_specific(const struct route_key *key)
{
	return key->src.plen > 0;
}

int route_key_compare(const struct route_key *a, const struct route_key *b)
{
	int c = prefix_compare(&a->dst, &b->dst);
	return c ? c : prefix_compare(&a->src, &b->src);
}

bool route_key_equal(const struct route_key *a, const struct route_key *b)
{
	return prefix_equal(&a->dst, &b->dst) && prefix_equal(&a->src, &b->src);
}

uint64_t route_key_hash(const struct route_key *key, uint64_t seed)
{
	uint64_t h = prefix_hash(&key->dst, seed);
	if (key->src.plen == 0)
		return h;
	return mix64(h ^ prefix_hash(&key->src, seed ^ 0x5851f42d4c957f2dull));
}

int route_key_format(const struct route_key *key, char *buf, size_t size)
{
	struct textbuf tb = { buf, size, 0 };
	put_prefix(&tb, &key->dst);
	if (key->src.plen > 0) {
		tb_puts(&tb, " from ");
		put_prefix(&tb, &key->src);
	}
	return tb_finish(&tb);
}
