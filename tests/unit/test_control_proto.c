/* The control protocol: the command parser (every bad input answered),
 * both output dialects from a real engine's state, and a babeld-format
 * line parser that reads our dump exactly as it reads babeld's own
 * (tests/data/control/, captured from Debian's babeld 1.12.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/sys/control_proto.h"
#include "tests/unit/test_engine_util.h"

/* ------------------------------------------------------------ parser */

static int parse(const char *s, struct ctl_cmd *c, char *err, size_t n)
{
	return ctl_parse(s, strlen(s), c, err, n);
}

static void test_parse_good(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		enum ctl_cmd_kind kind;
		unsigned what;
	} ok[] = {
		{ "", CTL_CMD_NONE, 0 },
		{ "   \t ", CTL_CMD_NONE, 0 },
		{ "dump", CTL_CMD_DUMP, CTL_DUMP_BABELD },
		{ "dump\r", CTL_CMD_DUMP, CTL_DUMP_BABELD },
		{ "  dump  routes ", CTL_CMD_DUMP, CTL_DUMP_ROUTES },
		{ "dump interfaces neighbours", CTL_CMD_DUMP, CTL_DUMP_INTERFACES | CTL_DUMP_NEIGHBOURS },
		{ "dump neighbors", CTL_CMD_DUMP, CTL_DUMP_NEIGHBOURS },
		{ "dump sources", CTL_CMD_DUMP, CTL_DUMP_SOURCES },
		{ "dump all", CTL_CMD_DUMP, CTL_DUMP_ALL },
		{ "dump-xroutes", CTL_CMD_DUMP, CTL_DUMP_XROUTES },
		{ "monitor", CTL_CMD_MONITOR, 0 },
		{ "unmonitor", CTL_CMD_UNMONITOR, 0 },
		{ "quit", CTL_CMD_QUIT, 0 },
		{ "json", CTL_CMD_JSON, 0 },
		{ "text", CTL_CMD_TEXT, 0 },
		{ "status", CTL_CMD_STATUS, 0 },
		{ "stats", CTL_CMD_STATS, 0 },
		{ "help", CTL_CMD_HELP, 0 },
		{ "reload", CTL_CMD_RELOAD, 0 },
		{ "flush interface eth0", CTL_CMD_FLUSH_INTERFACE, 0 },
		{ "interface wlan0 down", CTL_CMD_INTERFACE_DOWN, 0 },
		{ "interface wlan0 up", CTL_CMD_INTERFACE_UP, 0 },
		{ "interface wlan0 hello-interval 2", CTL_CMD_CONFIG, 0 },
		{ "interface wlan0", CTL_CMD_CONFIG, 0 },
		{ "default type wireless", CTL_CMD_CONFIG, 0 },
		{ "key id k1 type hmac-sha256 value 00", CTL_CMD_CONFIG, 0 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct ctl_cmd c;
		char err[128] = "";
		int r = parse(ok[i].line, &c, err, sizeof(err));
		if (r != 0)
			fail_msg("\"%s\": %s", ok[i].line, err);
		assert_int_equal(c.kind, ok[i].kind);
		if (ok[i].kind == CTL_CMD_DUMP)
			assert_int_equal(c.dump_what, ok[i].what);
	}
	struct ctl_cmd c;
	char err[64];
	assert_int_equal(parse("flush interface eth0", &c, err, sizeof(err)), 0);
	assert_string_equal(c.ifname, "eth0");
	assert_int_equal(parse("interface wlan0 down", &c, err, sizeof(err)), 0);
	assert_string_equal(c.ifname, "wlan0");
	assert_int_equal(parse("  interface wlan0 hello-interval 2  ", &c, err, sizeof(err)), 0);
	assert_int_equal(c.config_len, strlen("interface wlan0 hello-interval 2"));
	assert_memory_equal(c.config, "interface wlan0 hello-interval 2", c.config_len);
}

static void expect_bad(const char *line, size_t len, const char *reason_part)
{
	struct ctl_cmd c;
	char err[160] = "";
	if (ctl_parse(line, len, &c, err, sizeof(err)) != -1)
		fail_msg("accepted: \"%.*s\"", (int)(len > 60 ? 60 : len), line);
	if (!strstr(err, reason_part))
		fail_msg("\"%.*s\": reason \"%s\" lacks \"%s\"", (int)(len > 60 ? 60 : len), line,
			 err, reason_part);
	/* The reason fits on one reply line. */
	assert_null(strchr(err, '\n'));
}

static void test_parse_bad(void **state)
{
	(void)state;
	expect_bad("frobnicate", 10, "unknown command");
	expect_bad("DUMP", 4, "unknown command");
	expect_bad("dump everything", 15, "dump: expected");
	expect_bad("dump routes bogus", 17, "dump: expected");
	expect_bad("dump-bogus", 10, "unknown command");
	expect_bad("monitor now", 11, "takes no argument");
	expect_bad("quit please", 11, "takes no argument");
	expect_bad("json 1", 6, "takes no argument");
	expect_bad("reload now", 10, "takes no argument");
	expect_bad("flush", 5, "usage: flush interface IF");
	expect_bad("flush interface", 15, "usage");
	expect_bad("flush neighbour eth0", 20, "usage");
	expect_bad("flush interface a b", 19, "usage");
	expect_bad("flush interface abcdefghijklmnop", 32, "bad interface name");
	expect_bad("flush interface ../x", 20, "bad interface name");
	expect_bad("interface a/b up", 16, "bad interface name");
	expect_bad("interface", 9, "missing arguments");
	expect_bad("default", 7, "missing arguments");
	expect_bad("key", 3, "missing arguments");
	expect_bad("dump\0x", 6, "binary or control byte 0x00");
	expect_bad("dump\x01", 5, "0x01");
	expect_bad("du\x1bmp", 5, "0x1b");
	expect_bad("dump \xc3\xa9", 7, "0xc3");
	expect_bad("\xff\xfe\xfd", 3, "0xff");
	expect_bad("dump\x7f", 5, "0x7f");
	expect_bad("dump\n", 5, "0x0a"); /* a newline inside a line */
	/* Over the limit, whatever it holds. */
	char *big = malloc(CTL_LINE_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', CTL_LINE_MAX + 1);
	big[CTL_LINE_MAX + 1] = '\0';
	expect_bad(big, CTL_LINE_MAX + 1, "line too long");
	/* Exactly at the limit: parsed (and unknown). */
	expect_bad(big, CTL_LINE_MAX, "unknown command");
	free(big);
	/* A long unknown word is quoted only in part. */
	char err[160];
	struct ctl_cmd c;
	char word[200];
	memset(word, 'z', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	assert_int_equal(parse(word, &c, err, sizeof(err)), -1);
	assert_true(strlen(err) < 60);
	/* A NULL error buffer is fine. */
	assert_int_equal(ctl_parse("bogus", 5, &c, NULL, 0), -1);
}

static void test_is_write(void **state)
{
	(void)state;
	assert_true(ctl_cmd_is_write(CTL_CMD_RELOAD));
	assert_true(ctl_cmd_is_write(CTL_CMD_FLUSH_INTERFACE));
	assert_true(ctl_cmd_is_write(CTL_CMD_INTERFACE_UP));
	assert_true(ctl_cmd_is_write(CTL_CMD_INTERFACE_DOWN));
	assert_true(ctl_cmd_is_write(CTL_CMD_CONFIG));
	assert_false(ctl_cmd_is_write(CTL_CMD_DUMP));
	assert_false(ctl_cmd_is_write(CTL_CMD_MONITOR));
	assert_false(ctl_cmd_is_write(CTL_CMD_JSON));
	assert_false(ctl_cmd_is_write(CTL_CMD_STATUS));
	assert_false(ctl_cmd_is_write(CTL_CMD_QUIT));
}

/* ------------------------------------------------------------ small formats */

static void test_helpers(void **state)
{
	(void)state;
	char rid[24];
	static const uint8_t r[8] = { 0x1c, 0x38, 0x48, 0xe6, 0xdf, 0x49, 0x05, 0x7d };
	ctl_format_router_id(r, rid);
	assert_string_equal(rid, "1c:38:48:e6:df:49:05:7d");
	/* babeld shifts new Hellos in at the top; the engine at bit 0. */
	assert_int_equal(ctl_reach(0x0001, 1), 0x8000);
	assert_int_equal(ctl_reach(0x003f, 6), 0xfc00);
	assert_int_equal(ctl_reach(0xffff, 16), 0xffff);
	assert_int_equal(ctl_reach(0, 0), 0);
	char a[64];
	struct link_addr ll = h_ll(1);
	ctl_format_addr(&ll, a, sizeof(a));
	assert_string_equal(a, "fe80::1");
	struct link_addr v4 = { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3 } };
	ctl_format_addr(&v4, a, sizeof(a));
	assert_string_equal(a, "10.1.2.3");

	struct ctl_out o;
	ctl_out_init(&o, 0);
	ctl_json_string(&o, "a\"b\\c\nd\x01\xc3");
	assert_string_equal(o.buf, "\"a\\\"b\\\\c\\u000ad\\u0001\\u00c3\"");
	ctl_out_reset(&o);
	ctl_format_no(&o, CTL_TEXT, "two\nlines");
	assert_string_equal(o.buf, "no two lines\n");
	ctl_out_reset(&o);
	ctl_format_bad(&o, CTL_JSON, "x\"y");
	assert_string_equal(o.buf, "{\"reply\":\"bad\",\"reason\":\"x\\\"y\"}\n");
	ctl_out_reset(&o);
	ctl_format_ok(&o, CTL_JSON);
	assert_string_equal(o.buf, "{\"reply\":\"ok\"}\n");
	ctl_out_reset(&o);
	ctl_format_bad(&o, CTL_TEXT, NULL);
	assert_string_equal(o.buf, "bad\n");
	ctl_out_free(&o);

	/* A bounded buffer fails instead of growing, and consume shifts. */
	ctl_out_init(&o, 16);
	ctl_out_printf(&o, "%s", "0123456789");
	assert_false(o.failed);
	ctl_out_printf(&o, "%s", "0123456789");
	assert_true(o.failed);
	assert_int_equal(o.len, 10);
	ctl_out_consume(&o, 4);
	assert_int_equal(o.len, 6);
	assert_memory_equal(o.buf, "456789", 6);
	ctl_out_free(&o);

	/* Long output goes past the small stack buffer. */
	ctl_out_init(&o, 0);
	char longs[2000];
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	ctl_out_printf(&o, "<%s>", longs);
	assert_int_equal(o.len, sizeof(longs) + 1);
	ctl_out_free(&o);
}

static void test_greeting(void **state)
{
	(void)state;
	struct ctl_greeting g = { .version = "maille-0.1", .host = "r1",
				  .router_id = { 1, 2, 3, 4, 5, 6, 7, 8 } };
	struct ctl_out o;
	ctl_out_init(&o, 0);
	ctl_format_greeting(&o, CTL_TEXT, &g);
	assert_string_equal(o.buf, "BABEL 1.0\nversion maille-0.1\nhost r1\n"
				   "my-id 01:02:03:04:05:06:07:08\nok\n");
	ctl_out_reset(&o);
	ctl_format_greeting(&o, CTL_JSON, &g);
	assert_string_equal(o.buf, "{\"kind\":\"greeting\",\"protocol\":\"BABEL 1.0\","
				   "\"version\":\"maille-0.1\",\"host\":\"r1\","
				   "\"router_id\":\"01:02:03:04:05:06:07:08\"}\n{\"reply\":\"ok\"}\n");
	ctl_out_free(&o);
}

/* ------------------------------------------------------------ babeld lines */

#define BL_MAX 24

/* A babeld local-interface line: VERB KIND [NAME-OR-ID] then key value
 * pairs.  This is how a script for babeld reads it: the interface line
 * carries its name, the others an opaque id. */
struct babeld_line {
	char verb[16], kind[16], id[128];
	size_t n;
	char key[BL_MAX][24];
	char val[BL_MAX][80];
};

static bool babeld_parse(const char *line, struct babeld_line *b)
{
	memset(b, 0, sizeof(*b));
	char copy[1024];
	snprintf(copy, sizeof(copy), "%s", line);
	char *save = NULL;
	char *w = strtok_r(copy, " \n", &save);
	if (!w || (strcmp(w, "add") && strcmp(w, "change") && strcmp(w, "flush")))
		return false;
	snprintf(b->verb, sizeof(b->verb), "%s", w);
	w = strtok_r(NULL, " \n", &save);
	if (!w)
		return false;
	snprintf(b->kind, sizeof(b->kind), "%s", w);
	w = strtok_r(NULL, " \n", &save);
	if (!w)
		return false;
	snprintf(b->id, sizeof(b->id), "%s", w);
	while ((w = strtok_r(NULL, " \n", &save)) != NULL) {
		char *v = strtok_r(NULL, " \n", &save);
		if (!v || b->n >= BL_MAX)
			return false;
		snprintf(b->key[b->n], sizeof(b->key[0]), "%s", w);
		snprintf(b->val[b->n], sizeof(b->val[0]), "%s", v);
		b->n++;
	}
	return true;
}

static const char *bl_get(const struct babeld_line *b, const char *key)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->key[i], key) == 0)
			return b->val[i];
	return NULL;
}

/* The fields a babeld script relies on, per kind, and their value shapes. */
static bool is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return false;
	return true;
}

static bool is_uint(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool is_rid(const char *s)
{
	if (strlen(s) != 23)
		return false;
	for (int i = 0; i < 23; i++)
		if (i % 3 == 2 ? s[i] != ':' : !strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

static bool is_prefix(const char *s)
{
	struct prefix p;
	return prefix_parse(s, &p) >= 0 && strchr(s, '/');
}

/* Checks one line the way a babeld script would read it; fills keys (the
 * sequence of field names) for the shape comparison. */
static void check_babeld_shape(const char *line, char *keys, size_t ksize)
{
	struct babeld_line b;
	if (!babeld_parse(line, &b))
		fail_msg("not a babeld line: %s", line);
	snprintf(keys, ksize, "%s", b.kind);
	for (size_t i = 0; i < b.n; i++) {
		strncat(keys, " ", ksize - strlen(keys) - 1);
		strncat(keys, b.key[i], ksize - strlen(keys) - 1);
	}
	if (strcmp(b.kind, "interface") == 0) {
		assert_non_null(bl_get(&b, "up"));
		assert_true(!strcmp(bl_get(&b, "up"), "true") || !strcmp(bl_get(&b, "up"), "false"));
	} else if (strcmp(b.kind, "neighbour") == 0) {
		assert_true(is_hex(b.id, 1, 16));
		assert_non_null(bl_get(&b, "address"));
		assert_non_null(bl_get(&b, "if"));
		assert_true(is_hex(bl_get(&b, "reach"), 4, 4));
		assert_true(is_hex(bl_get(&b, "ureach"), 4, 4));
		assert_true(is_uint(bl_get(&b, "rxcost")));
		assert_true(is_uint(bl_get(&b, "txcost")));
		assert_true(is_uint(bl_get(&b, "cost")));
	} else if (strcmp(b.kind, "route") == 0) {
		assert_true(is_hex(b.id, 1, 16));
		assert_true(is_prefix(bl_get(&b, "prefix")));
		assert_true(is_prefix(bl_get(&b, "from")));
		const char *inst = bl_get(&b, "installed");
		assert_true(!strcmp(inst, "yes") || !strcmp(inst, "no"));
		assert_true(is_rid(bl_get(&b, "id")));
		assert_true(is_uint(bl_get(&b, "metric")));
		assert_true(is_uint(bl_get(&b, "refmetric")));
		assert_non_null(bl_get(&b, "via"));
		assert_non_null(bl_get(&b, "if"));
	} else if (strcmp(b.kind, "xroute") == 0) {
		char id[200];
		snprintf(id, sizeof(id), "%s-%s", bl_get(&b, "prefix"), bl_get(&b, "from"));
		assert_string_equal(b.id, id);
		assert_true(is_uint(bl_get(&b, "metric")));
	} else {
		fail_msg("unexpected kind %s", b.kind);
	}
}

/* Reads a babeld sample file: the greeting, then lines until "ok". */
struct sample {
	char shapes[16][256]; /* one per kind seen: kind and keys */
	size_t n;
};

static void sample_add(struct sample *s, const char *keys)
{
	for (size_t i = 0; i < s->n; i++) {
		size_t k = strcspn(s->shapes[i], " ");
		if (strncmp(s->shapes[i], keys, k) == 0 && (keys[k] == ' ' || !keys[k]))
			return;
	}
	if (s->n < 16)
		snprintf(s->shapes[s->n++], sizeof(s->shapes[0]), "%s", keys);
}

static void read_sample(const char *name, struct sample *s)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/data/control/%s", top ? top : ".", name);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	char line[1024];
	int state = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (state == 0) {
			if (!strcmp(line, "ok"))
				state = 1;
			else
				assert_true(!strcmp(line, "BABEL 1.0") || !strncmp(line, "version ", 8) ||
					    !strncmp(line, "host ", 5) || !strncmp(line, "my-id ", 6));
			continue;
		}
		if (!strcmp(line, "ok"))
			continue;
		char keys[256];
		check_babeld_shape(line, keys, sizeof(keys));
		sample_add(s, keys);
	}
	fclose(f);
	assert_int_equal(state, 1);
}

/* Whether every key of ours appears in babeld's line of the same kind, in
 * the same order (babeld's interface line may add "ipv4"). */
static void same_shape(const struct sample *babeld, const char *ours)
{
	size_t k = strcspn(ours, " ");
	for (size_t i = 0; i < babeld->n; i++) {
		const char *b = babeld->shapes[i];
		if (strncmp(b, ours, k) != 0 || (b[k] != ' ' && b[k]))
			continue;
		/* Subsequence test over words. */
		char oc[256], bc[256];
		snprintf(oc, sizeof(oc), "%s", ours);
		snprintf(bc, sizeof(bc), "%s", b);
		char *s1 = NULL, *s2 = NULL;
		char *bw = strtok_r(bc, " ", &s2);
		size_t matched = 0, total = 0;
		for (char *ow = strtok_r(oc, " ", &s1); ow; ow = strtok_r(NULL, " ", &s1)) {
			total++;
			while (bw && strcmp(bw, ow) != 0)
				bw = strtok_r(NULL, " ", &s2);
			if (bw) {
				matched++;
				bw = strtok_r(NULL, " ", &s2);
			}
		}
		if (matched != total)
			fail_msg("our shape \"%s\" is not babeld's \"%s\"", ours, b);
		return;
	}
	fail_msg("babeld sample has no line of kind %.*s", (int)k, ours);
}

/* ------------------------------------------------------------ engine state */

static struct harness H;

static void build_engine(struct harness *h)
{
	h_init(h, 7, NULL);
	h_if_up(h, 1, IF_TYPE_WIRED);
	for (int i = 0; i < 4; i++) {
		h_neighbour_hello(h, 1, 9, (uint16_t)(100 + i), 96);
		h_advance(h, 4000);
	}
	struct h_pkt p;
	hp_init(&p);
	hp_update(&p, "2001:db8:1::/48", NULL, 10, 0, RID_A, 400);
	hp_update(&p, "10.1.0.0/16", NULL, 10, 0, RID_A, 400);
	hp_send(h, &p, 1, 9, true);
	h_advance(h, 100);
	/* A route we originate. */
	struct route_key k;
	h_key(&k, "2001:db8:ff::/48", NULL);
	/* A local address (table 0, as the edge marks them): announced. */
	engine_kernel_route(h->e, &k, 1, 0, 0, 2, true, h->now);
	for (int i = 4; i < 6; i++) {
		h_advance(h, 3900);
		h_neighbour_hello(h, 1, 9, (uint16_t)(100 + i), 96);
	}
}

static int setup(void **state)
{
	(void)state;
	build_engine(&H);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_free(&H);
	return 0;
}

static const struct ctl_greeting G = { .version = "maille-test", .host = "h",
				       .router_id = { 1, 2, 3, 4, 5, 6, 7, 8 } };

static size_t count_lines(const char *s, const char *prefix)
{
	size_t n = 0;
	for (const char *p = s; p && *p;) {
		if (!strncmp(p, prefix, strlen(prefix)))
			n++;
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

static void test_dump_text_babeld_shape(void **state)
{
	(void)state;
	struct ctl_out o;
	ctl_out_init(&o, 0);
	ctl_format_dump(&o, CTL_TEXT, CTL_DUMP_BABELD, H.e, H.now, &G, NULL, NULL);
	assert_false(o.failed);
	assert_int_equal(count_lines(o.buf, "add interface eth1 up true ipv6 fe80::101"), 1);
	assert_int_equal(count_lines(o.buf, "add neighbour "), 1);
	assert_int_equal(count_lines(o.buf, "add route "), 2);
	assert_int_equal(count_lines(o.buf, "add xroute 2001:db8:ff::/48-::/0 prefix 2001:db8:ff::/48 from ::/0 metric "), 1);
	assert_non_null(strstr(o.buf, " address fe80::9 if eth1 reach "));
	assert_non_null(strstr(o.buf, " prefix 2001:db8:1::/48 from ::/0 installed yes id 0a:00:00:00:00:00:00:01 metric "));
	assert_non_null(strstr(o.buf, " prefix 10.1.0.0/16 from 0.0.0.0/0 installed yes "));
	assert_non_null(strstr(o.buf, " via fe80::9 if eth1\n"));
	/* Six Hellos heard: the top six bits, babeld's way. */
	assert_non_null(strstr(o.buf, " reach fc00 ureach 0000 rxcost 96 txcost 96 cost 96\n"));

	/* Read by the babeld-format parser, the same way as babeld's dumps. */
	struct sample babeld = { .n = 0 };
	read_sample("babeld-dump.txt", &babeld);
	read_sample("babeld-dump-xroutes.txt", &babeld);
	assert_int_equal(babeld.n, 4); /* interface, neighbour, route, xroute */
	struct sample ours = { .n = 0 };
	char *save = NULL;
	for (char *l = strtok_r(o.buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char keys[256];
		check_babeld_shape(l, keys, sizeof(keys));
		sample_add(&ours, keys);
	}
	assert_int_equal(ours.n, 4);
	for (size_t i = 0; i < ours.n; i++)
		same_shape(&babeld, ours.shapes[i]);
	ctl_out_free(&o);
}

static void test_babeld_monitor_sample(void **state)
{
	(void)state;
	/* babeld's monitor lines are the dump's with add/change/flush. */
	struct sample s = { .n = 0 };
	read_sample("babeld-monitor.txt", &s);
	assert_true(s.n >= 3);
}

/* A minimal JSON object checker: balanced, strings closed, one object. */
static bool json_object_ok(const char *s, size_t n)
{
	int depth = 0;
	bool in_str = false, seen = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			else if ((unsigned char)c < 0x20)
				return false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{') {
			if (depth == 0 && seen)
				return false;
			depth++;
			seen = true;
		} else if (c == '}') {
			if (--depth < 0)
				return false;
		}
	}
	return seen && depth == 0 && !in_str && s[0] == '{' && s[n - 1] == '}';
}

static bool fake_counters(void *arg, uint32_t ifindex, struct ctl_if_counters *out)
{
	(void)arg;
	memset(out, 0, sizeof(*out));
	out->packets_in = 7;
	out->bytes_out = ifindex * 1000u;
	return true;
}

static void test_dump_json(void **state)
{
	(void)state;
	struct ctl_out o;
	ctl_out_init(&o, 0);
	ctl_format_dump(&o, CTL_JSON, CTL_DUMP_ALL, H.e, H.now, &G, fake_counters, NULL);
	assert_false(o.failed);
	size_t lines = 0;
	for (char *p = o.buf; *p;) {
		char *nl = strchr(p, '\n');
		assert_non_null(nl);
		if (!json_object_ok(p, (size_t)(nl - p)))
			fail_msg("not one JSON object: %.*s", (int)(nl - p), p);
		lines++;
		p = nl + 1;
	}
	/* router, interface, neighbour, xroute, 2 routes, our source */
	assert_int_equal(lines, 7);
	assert_int_equal(count_lines(o.buf, "{\"verb\":\"add\",\"kind\":\"router\",\"router_id\":\"01:02:03:04:05:06:07:08\",\"seqno\":"), 1);
	const char *want[] = {
		"\"kind\":\"interface\"", "\"name\":\"eth1\"", "\"type\":\"wired\"",
		"\"hello_interval_ms\":", "\"counters\":{\"packets_in\":7,", "\"bytes_out\":1000,",
		"\"kind\":\"neighbour\"", "\"address\":\"fe80::9\"", "\"reach\":\"fc00\"",
		"\"mcast_history\":63,\"mcast_history_len\":6", "\"rtt_us\":null", "\"cost\":96",
		"\"kind\":\"route\"", "\"prefix\":\"2001:db8:1::/48\"", "\"seqno\":10",
		"\"refmetric\":0", "\"feasible\":true", "\"selected\":true", "\"installed\":true",
		"\"age_ms\":", "\"via\":\"fe80::9\"", "\"kind\":\"source\"", "\"router_id\":\"0a:00:00:00:00:00:00:01\"",
		"\"kind\":\"xroute\"", "\"local\":", "\"kernel_protocol\":2",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(o.buf, want[i]))
			fail_msg("JSON dump lacks %s:\n%s", want[i], o.buf);
	/* Ids are numbers and the same object keeps its id. */
	struct ctl_out o2;
	ctl_out_init(&o2, 0);
	ctl_format_dump(&o2, CTL_JSON, CTL_DUMP_NEIGHBOURS, H.e, H.now, &G, NULL, NULL);
	const char *id1 = strstr(o.buf, "\"kind\":\"neighbour\",\"id\":");
	const char *id2 = strstr(o2.buf, "\"kind\":\"neighbour\",\"id\":");
	assert_non_null(id1);
	assert_non_null(id2);
	assert_int_equal(strtoull(id1 + 24, NULL, 10), strtoull(id2 + 24, NULL, 10));
	ctl_out_free(&o2);
	ctl_out_free(&o);
}

/* ------------------------------------------------------------ metrics */

/* A strict reader of the Prometheus text format (0.0.4) as node_exporter's
 * textfile collector takes it: every line a HELP, a TYPE or a sample; a
 * family's HELP then TYPE once, before its samples, which follow together;
 * counters named *_total; label names and values well-formed; no series
 * twice; values numbers.  Returns NULL or what is wrong. */
#define PROM_MAX_SERIES 1024
static char prom_err[1024];

static const char *prom_bad(size_t lineno, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *prom_bad(size_t lineno, const char *fmt, ...)
{
	int n = snprintf(prom_err, sizeof(prom_err), "line %zu: ", lineno);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prom_err + n, sizeof(prom_err) - (size_t)n, fmt, ap);
	va_end(ap);
	return prom_err;
}

static bool prom_name_ok(const char *s, size_t n)
{
	if (n == 0 || !(s[0] == '_' || s[0] == ':' || ((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(s[i] == '_' || s[i] == ':' || ((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static const char *prom_check(const char *text)
{
	static char seen[PROM_MAX_SERIES][200];
	static char families[256][80];
	size_t nseen = 0, nfam = 0;
	char fam[80] = "", type[24] = "";
	bool have_help = false;
	size_t lineno = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		if (!nl)
			return "last line without a newline";
		size_t len = (size_t)(nl - p);
		char line[600];
		if (len >= sizeof(line))
			return "line too long";
		memcpy(line, p, len);
		line[len] = 0;
		p = nl + 1;
		lineno++;
#define BAD(...) prom_bad(lineno, __VA_ARGS__)
		if (!strncmp(line, "# HELP ", 7)) {
			const char *n = line + 7, *sp = strchr(n, ' ');
			if (!sp || !prom_name_ok(n, (size_t)(sp - n)) || sp[1] == 0)
				return BAD("bad HELP: %s", line);
			for (size_t f = 0; f < nfam; f++)
				if (strlen(families[f]) == (size_t)(sp - n) &&
				    !strncmp(families[f], n, (size_t)(sp - n)))
					return BAD("family seen twice: %s", line);
			if (nfam == 256 || (size_t)(sp - n) >= sizeof(fam))
				return BAD("too many families");
			memcpy(fam, n, (size_t)(sp - n));
			fam[sp - n] = 0;
			snprintf(families[nfam++], sizeof(families[0]), "%s", fam);
			have_help = true;
			type[0] = 0;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			char n[100], t[20];
			if (sscanf(line + 7, "%99s %19s", n, t) != 2 || !have_help || strcmp(n, fam) ||
			    type[0])
				return BAD("TYPE without its HELP, or twice: %s", line);
			if (strcmp(t, "counter") && strcmp(t, "gauge"))
				return BAD("unexpected type: %s", line);
			if (!strcmp(t, "counter") != (strlen(n) > 6 && !strcmp(n + strlen(n) - 6, "_total")))
				return BAD("counters, and only they, end in _total: %s", line);
			snprintf(type, sizeof(type), "%s", t);
			continue;
		}
		if (line[0] == '#' || line[0] == 0)
			return BAD("stray line: %s", line);
		/* A sample: name, labels, one space, value. */
		const char *q = line;
		while (*q && *q != '{' && *q != ' ')
			q++;
		if (!type[0] || (size_t)(q - line) != strlen(fam) || strncmp(line, fam, strlen(fam)))
			return BAD("sample outside its family %s: %s", fam, line);
		if (*q == '{') {
			q++;
			char names[16][64];
			size_t nn = 0;
			while (*q != '}') {
				const char *k = q;
				while (*q && *q != '=')
					q++;
				if (*q != '=' || !prom_name_ok(k, (size_t)(q - k)) || q[1] != '"' ||
				    (size_t)(q - k) >= 64 || nn == 16)
					return BAD("bad label name: %s", line);
				for (size_t i = 0; i < nn; i++)
					if (strlen(names[i]) == (size_t)(q - k) &&
					    !strncmp(names[i], k, (size_t)(q - k)))
						return BAD("label twice: %s", line);
				memcpy(names[nn], k, (size_t)(q - k));
				names[nn++][q - k] = 0;
				q += 2;
				while (*q && *q != '"') {
					if (*q == '\\') {
						if (q[1] != '\\' && q[1] != '"' && q[1] != 'n')
							return BAD("bad escape: %s", line);
						q++;
					}
					q++;
				}
				if (*q != '"')
					return BAD("unterminated label value: %s", line);
				q++;
				if (*q == ',')
					q++;
				else if (*q != '}')
					return BAD("bad label list: %s", line);
			}
			q++;
		}
		if (*q != ' ')
			return BAD("no space before the value: %s", line);
		char *end;
		double v = strtod(q + 1, &end);
		if (end == q + 1 || *end)
			return BAD("bad value: %s", line);
		if (!strcmp(type, "counter") && v < 0)
			return BAD("negative counter: %s", line);
		size_t slen = (size_t)(q - line);
		if (slen >= sizeof(seen[0]) || nseen == PROM_MAX_SERIES)
			return BAD("series too long or too many");
		for (size_t i = 0; i < nseen; i++)
			if (strlen(seen[i]) == slen && !strncmp(seen[i], line, slen))
				return BAD("series twice: %s", line);
		memcpy(seen[nseen], line, slen);
		seen[nseen++][slen] = 0;
#undef BAD
	}
	return NULL;
}

/* The value of one series, or -1. */
static double prom_value(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *p = text; p && *p;) {
		if (!strncmp(p, series, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return -1;
}

static void test_prom_checker_fails(void **state)
{
	(void)state;
	/* The checker itself must refuse what the collector would. */
	const char *bad[] = {
		"# HELP a_total x\n# TYPE a_total counter\na_total 1\na_total 2\n",    /* twice */
		"# HELP a x\n# TYPE a counter\na 1\n",                                  /* no _total */
		"# HELP a x\n# TYPE a gauge\nb 1\n",                                    /* outside */
		"# HELP a x\n# TYPE a gauge\na{l=\"v} 1\n",                             /* quote */
		"# HELP a x\n# TYPE a gauge\na{l=\"v\"} x\n",                           /* value */
		"# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na 2\n", /* split */
		"# HELP a x\n# TYPE a gauge\n# HELP a x\n# TYPE a gauge\n",             /* family twice */
		"a 1\n",                                                                /* no TYPE */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!prom_check(bad[i]))
			fail_msg("checker accepted bad exposition %zu", i);
	assert_null(prom_check("# HELP a x\n# TYPE a gauge\na{l=\"q\\\"\\\\\\n\",m=\"\"} 1.5\n"));
}

struct if_cnt {
	struct engine_if_counters c;
};
static void grab_if(void *arg, const struct engine_if_info *i)
{
	((struct if_cnt *)arg)->c = *i->counters;
}

static void test_metrics(void **state)
{
	(void)state;
	struct ctl_cmd cmd;
	char err[100];
	assert_int_equal(parse("metrics", &cmd, err, sizeof(err)), 0);
	assert_int_equal(cmd.kind, CTL_CMD_METRICS);
	assert_false(ctl_cmd_is_write(cmd.kind));

	struct ctl_status st = { .router_id = { 1, 2, 3, 4, 5, 6, 7, 8 }, .seqno = 5,
				 .version = "maille-\"q\"", .host = "h", .uptime_ms = 61000,
				 .interfaces = 1, .neighbours = 1, .routes = 2, .installed = 2,
				 .xroutes = 1, .sources = 1 };
	struct ctl_edge_counters edge;
	memset(&edge, 0, sizeof(edge));
	edge.drops[edge.ndrops++] = (struct ctl_edge_counter){ NULL, "not_link_local", 3 };
	edge.drops[edge.ndrops++] = (struct ctl_edge_counter){ NULL, "own_address", 2 };
	edge.have_kernel = true;
	edge.kernel_ops[FIB_ADD] = 11;
	edge.kernel_ops[FIB_REMOVE] = 4;
	edge.kernel_errors[edge.nkernel_errors++] = (struct ctl_edge_counter){ "add", "exists", 1 };
	edge.kernel_errors[edge.nkernel_errors++] = (struct ctl_edge_counter){ "remove", "exists", 0 };
	/* One packet the engine drops: a source that is not link-local, to
	 * be summed with the UDP edge's. */
	struct h_pkt p;
	hp_init(&p);
	hp_hello(&p, 1, 400, false);
	babel_pkt_finish(&p.p);
	struct link_addr g = { { 0x20, 0x01, 0x0d, 0xb8 } };
	engine_receive(H.e, 1, &g, true, p.buf, babel_pkt_len(&p.p), H.now);

	struct ctl_out o;
	ctl_out_init(&o, 0);
	ctl_format_metrics(&o, H.e, H.now, &st, &edge, fake_counters, NULL);
	assert_false(o.failed);
	ctl_out_append(&o, "", 1);
	const char *why = prom_check(o.buf);
	if (why)
		fail_msg("%s\n%s", why, o.buf);

	struct if_cnt k;
	engine_foreach_interface(H.e, grab_if, &k);
	/* Six Hello packets (with IHUs), one of updates, the bad one. */
	assert_int_equal(k.c.packets_in, 8);
	assert_int_equal(prom_value(o.buf, "maille_interface_packets_total{interface=\"eth1\",direction=\"in\"}"), 8);
	assert_int_equal(prom_value(o.buf, "maille_interface_bytes_total{interface=\"eth1\",direction=\"out\"}"),
			 (double)k.c.bytes_out);
	assert_true(k.c.packets_out > 0);
	assert_int_equal(prom_value(o.buf, "maille_interface_packets_total{interface=\"eth1\",direction=\"out\"}"),
			 (double)k.c.packets_out);
	/* TLVs: what the harness fed in (not the dropped packet's: it was
	 * refused before decoding), and what the engine's packets hold. */
	assert_int_equal(prom_value(o.buf, "maille_interface_tlvs_total{interface=\"eth1\",direction=\"in\",tlv=\"hello\"}"), 6);
	assert_int_equal(prom_value(o.buf, "maille_interface_tlvs_total{interface=\"eth1\",direction=\"in\",tlv=\"ihu\"}"), 6);
	assert_int_equal(prom_value(o.buf, "maille_interface_tlvs_total{interface=\"eth1\",direction=\"in\",tlv=\"update\"}"), 2);
	assert_int_equal(prom_value(o.buf, "maille_interface_tlvs_total{interface=\"eth1\",direction=\"out\",tlv=\"hello\"}"),
			 (double)h_scan(&H, 0, BABEL_TLV_HELLO, NULL, NULL));
	assert_int_equal(prom_value(o.buf, "maille_interface_tlvs_total{interface=\"eth1\",direction=\"out\",tlv=\"update\"}"),
			 (double)h_scan(&H, 0, BABEL_TLV_UPDATE, NULL, NULL));
	assert_true(prom_value(o.buf, "maille_interface_tlvs_total{interface=\"eth1\",direction=\"out\",tlv=\"update\"}") > 0);
	assert_int_equal(prom_value(o.buf, "maille_interface_tlvs_total{interface=\"eth1\",direction=\"in\",tlv=\"unknown\"}"), 0);
	assert_int_equal(prom_value(o.buf, "maille_interface_packets_dropped_total{interface=\"eth1\",reason=\"not_link_local\"}"), 1);
	assert_int_equal(prom_value(o.buf, "maille_interface_errors_total{interface=\"eth1\",direction=\"in\"}"), 0);
	/* Engine and edge reasons merged; the edge's own ones kept. */
	assert_int_equal(prom_value(o.buf, "maille_packets_dropped_total{reason=\"not_link_local\"}"), 4);
	assert_int_equal(prom_value(o.buf, "maille_packets_dropped_total{reason=\"own_address\"}"), 2);
	assert_int_equal(prom_value(o.buf, "maille_packets_dropped_total{reason=\"unknown_interface\"}"), 0);
	assert_int_equal(prom_value(o.buf, "maille_kernel_route_operations_total{op=\"add\"}"), 11);
	assert_int_equal(prom_value(o.buf, "maille_kernel_route_operations_total{op=\"replace\"}"), 0);
	assert_int_equal(prom_value(o.buf, "maille_kernel_route_errors_total{op=\"add\",reason=\"exists\"}"), 1);
	assert_int_equal(prom_value(o.buf, "maille_routes{state=\"installed\"}"), 2);
	assert_int_equal(prom_value(o.buf, "maille_neighbour_cost{interface=\"eth1\",address=\"fe80::9\"}"), 96);
	assert_non_null(strstr(o.buf, "maille_info{router_id=\"01:02:03:04:05:06:07:08\",version=\"maille-\\\"q\\\"\"} 1\n"));

	/* Without the edges: still well-formed, without their families. */
	ctl_out_reset(&o);
	ctl_format_metrics(&o, H.e, H.now, &st, NULL, NULL, NULL);
	ctl_out_append(&o, "", 1);
	why = prom_check(o.buf);
	if (why)
		fail_msg("%s\n%s", why, o.buf);
	assert_null(strstr(o.buf, "maille_kernel_route"));
	assert_null(strstr(o.buf, "maille_interface_errors_total"));

	/* The JSON interface carries the same counters. */
	ctl_out_reset(&o);
	ctl_format_dump(&o, CTL_JSON, CTL_DUMP_INTERFACES, H.e, H.now, &G, NULL, NULL);
	ctl_out_append(&o, "", 1);
	assert_true(json_object_ok(o.buf, strlen(o.buf) - 1));
	assert_non_null(strstr(o.buf, "\"traffic\":{\"packets_in\":8,"));
	assert_non_null(strstr(o.buf, "\"drops\":{\"not_link_local\":1,"));
	assert_non_null(strstr(o.buf, "\"tlvs_in\":{\"pad1\":0,\"padn\":0,\"ack_request\":0,\"ack\":0,\"hello\":6,\"ihu\":6,"));
	ctl_out_free(&o);
}

static void test_sources_text_and_status(void **state)
{
	(void)state;
	struct ctl_out o;
	ctl_out_init(&o, 0);
	ctl_format_dump(&o, CTL_TEXT, CTL_DUMP_SOURCES, H.e, H.now, &G, NULL, NULL);
	/* The source table holds what we announced: our own prefix. */
	assert_int_equal(count_lines(o.buf, "add source "), 1);
	assert_non_null(strstr(o.buf, "add source 2001:db8:ff::/48-::/0-01:02:03:04:05:06:07:08 prefix 2001:db8:ff::/48 from ::/0 id 01:02:03:04:05:06:07:08 seqno 0 metric 0 gc-in "));
	ctl_out_reset(&o);
	struct ctl_status st = { .router_id = { 1, 2, 3, 4, 5, 6, 7, 8 }, .seqno = 5,
				 .version = "v", .host = "h", .uptime_ms = 61000, .interfaces = 1,
				 .neighbours = 2, .routes = 3, .installed = 2, .xroutes = 1,
				 .sources = 4 };
	ctl_format_status(&o, CTL_TEXT, &st);
	assert_string_equal(o.buf, "status router-id 01:02:03:04:05:06:07:08 seqno 5 version v host h uptime 61 interfaces 1 neighbours 2 routes 3 installed 2 xroutes 1 sources 4\n");
	ctl_out_reset(&o);
	ctl_format_status(&o, CTL_JSON, &st);
	assert_true(json_object_ok(o.buf, o.len - 1));
	ctl_out_reset(&o);
	struct engine_stats es;
	engine_get_stats(H.e, &es);
	ctl_format_stats(&o, CTL_TEXT, &es);
	assert_int_equal(strncmp(o.buf, "stats packets_in ", 17), 0);
	ctl_out_reset(&o);
	ctl_format_stats(&o, CTL_JSON, &es);
	assert_true(json_object_ok(o.buf, o.len - 1));
	assert_non_null(strstr(o.buf, "\"fib_changes\":"));
	ctl_out_free(&o);
}

static void test_verbs_and_down_interface(void **state)
{
	(void)state;
	struct ctl_out o;
	ctl_out_init(&o, 0);
	struct engine_if_info i = { .id = 3, .ifindex = 2, .name = "wg0", .ll = h_ll(2) };
	ctl_format_interface(&o, CTL_TEXT, CTL_CHANGE, &i, false, NULL);
	assert_string_equal(o.buf, "change interface wg0 up false\n");
	ctl_out_reset(&o);
	struct engine_neighbour_info n = { .id = 0x2a, .ifname = "wg0", .addr = h_ll(5),
					   .mcast_history = 1, .mcast_history_len = 1,
					   .rxcost = 96, .txcost = 65535, .cost = 65535,
					   .rtt_valid = true, .rtt_us = 12345 };
	ctl_format_neighbour(&o, CTL_TEXT, CTL_FLUSH, &n);
	assert_string_equal(o.buf, "flush neighbour 2a address fe80::5 if wg0 reach 8000 ureach 0000 rxcost 96 txcost 65535 rtt 0.012 cost 65535\n");
	ctl_out_reset(&o);
	ctl_format_neighbour(&o, CTL_JSON, CTL_CHANGE, &n);
	assert_non_null(strstr(o.buf, "{\"verb\":\"change\",\"kind\":\"neighbour\",\"id\":42,"));
	assert_non_null(strstr(o.buf, "\"rtt_us\":12345"));
	ctl_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_is_write),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_greeting),
		cmocka_unit_test(test_babeld_monitor_sample),
		cmocka_unit_test(test_verbs_and_down_interface),
		cmocka_unit_test_setup_teardown(test_dump_text_babeld_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sources_text_and_status, setup, teardown),
		cmocka_unit_test(test_prom_checker_fails),
		cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
