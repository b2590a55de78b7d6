/* The config parser and printer: samples, every error, round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/conf/conf.h"
#include "tests/lib/rng.h"

static const char *const good_samples[] = {"good-babeld.conf", "good-full.conf",
					   "good-empty.conf"};

static char *data_path(const char *name)
{
	const char *top = getenv("top_srcdir");
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s/tests/data/conf/%s", top ? top : ".", name);
	return buf;
}

static char *print_conf(const struct conf *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(conf_print(c, f), 0);
	fclose(f);
	return text;
}

static void dump_errors(const struct conf *c)
{
	conf_print_errors(c, stderr);
}

/* parse(print(c)) == c, and printing is a fixed point. */
static void check_round_trip(const struct conf *c)
{
	char *t1 = print_conf(c);
	struct conf d;
	conf_init(&d);
	size_t n = conf_parse_string(&d, "printed", t1);
	if (n) {
		fprintf(stderr, "printed form:\n%s", t1);
		dump_errors(&d);
	}
	assert_int_equal(n, 0);
	if (!conf_equal(c, &d))
		fprintf(stderr, "printed form differs:\n%s", t1);
	assert_true(conf_equal(c, &d));
	char *t2 = print_conf(&d);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	conf_free(&d);
}

static void test_good_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good_samples) / sizeof(good_samples[0]); i++) {
		struct conf c;
		conf_init(&c);
		size_t n = conf_parse_file(&c, data_path(good_samples[i]));
		if (n)
			dump_errors(&c);
		assert_int_equal(n, 0);
		check_round_trip(&c);
		conf_free(&c);
	}
}

static void test_babeld_sample_values(void **state)
{
	(void)state;
	struct conf c;
	conf_init(&c);
	assert_int_equal(conf_parse_file(&c, data_path("good-babeld.conf")), 0);
	static const uint8_t id[8] = {0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x53, 0x01};
	assert_true(c.has_router_id);
	assert_memory_equal(c.router_id, id, 8);
	assert_string_equal(c.state_file, "/var/lib/babel-state");
	assert_int_equal(c.debug, 1);
	assert_int_equal(c.export_table, 10);
	assert_int_equal(c.n_import_tables, 2);
	assert_int_equal(c.kernel_protocol, 42);
	assert_int_equal(c.smoothing_half_life_s, 8);
	assert_int_equal(c.defaults.hello_interval_ms, 4000);
	assert_int_equal(c.defaults.update_interval_ms, 16000);
	assert_int_equal(c.n_interfaces, 3);
	assert_string_equal(c.interfaces[1].name, "wlan0");
	assert_int_equal(c.interfaces[1].cfg.type, IF_TYPE_WIRELESS);
	assert_int_equal(c.interfaces[1].cfg.hello_interval_ms, 500);
	assert_int_equal(c.interfaces[1].cfg.link_quality, OPT_ON);
	assert_int_equal(c.interfaces[1].cfg.split_horizon, OPT_OFF);
	assert_int_equal(c.interfaces[1].cfg.unicast, OPT_DEFAULT);
	struct if_config eff = conf_interface_config(&c, &c.interfaces[0]);
	assert_int_equal(eff.hello_interval_ms, 4000);
	assert_int_equal(eff.update_interval_ms, 16000);
	assert_int_equal(c.filters.n[FILTER_IN], 3);
	assert_int_equal(c.filters.n[FILTER_OUT], 1);
	assert_int_equal(c.filters.n[FILTER_REDISTRIBUTE], 4);
	assert_int_equal(c.filters.n[FILTER_INSTALL], 1);
	const struct filter_rule *r = &c.filters.rules[FILTER_IN][0];
	assert_true(r->has_prefix);
	assert_int_equal(r->prefix.plen, 8);
	assert_int_equal(r->plen_le, 24);
	assert_int_equal(r->action, FILTER_ALLOW);
	r = &c.filters.rules[FILTER_IN][1];
	assert_true(r->has_neighbour);
	assert_int_equal(r->neighbour[0], 0xfe);
	assert_int_equal(r->neighbour[15], 1);
	assert_int_equal(r->action, FILTER_DENY);
	r = &c.filters.rules[FILTER_IN][2];
	assert_true(r->has_id);
	assert_int_equal(r->action, FILTER_METRIC);
	assert_int_equal(r->metric, 128);
	r = &c.filters.rules[FILTER_REDISTRIBUTE][1];
	assert_int_equal(r->proto, 3);
	assert_int_equal(r->plen_ge, 48);
	r = &c.filters.rules[FILTER_REDISTRIBUTE][2];
	assert_int_equal(r->action, FILTER_SRC_PREFIX);
	assert_int_equal(r->src_prefix.plen, 32);
	conf_free(&c);
}

static void test_full_sample_values(void **state)
{
	(void)state;
	struct conf c;
	conf_init(&c);
	assert_int_equal(conf_parse_file(&c, data_path("good-full.conf")), 0);
	static const uint8_t id[8] = {0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55};
	assert_memory_equal(c.router_id, id, 8);
	assert_string_equal(c.state_file, "/var/lib/maille/my state");
	assert_string_equal(c.control_group, "wheel");
	assert_int_equal(c.smoothing_half_life_s, 0);
	assert_true(c.defaults_has_type);
	assert_int_equal(c.defaults.type, IF_TYPE_WIRELESS);
	assert_int_equal(c.defaults.unicast, OPT_ON);
	assert_int_equal(c.defaults.v4_via_v6, OPT_OFF);
	assert_int_equal(c.n_interfaces, 8);
	/* eth0 takes the default's type, eth1 keeps its explicit wired. */
	struct if_config e0 = conf_interface_config(&c, &c.interfaces[0]);
	struct if_config e1 = conf_interface_config(&c, &c.interfaces[1]);
	assert_int_equal(e0.type, IF_TYPE_WIRELESS);
	assert_int_equal(e0.rxcost, 256);
	assert_int_equal(e1.type, IF_TYPE_WIRED);
	assert_int_equal(e1.rxcost, 96);
	assert_int_equal(e1.unicast, OPT_ON);
	assert_int_equal(c.interfaces[1].cfg.hello_interval_ms, 1250);
	assert_int_equal(c.interfaces[1].cfg.update_interval_ms, 655350);
	assert_false(c.interfaces[2].has_type);
	assert_int_equal(c.interfaces[2].cfg.link_quality, OPT_OFF);
	assert_int_equal(c.interfaces[7].cfg.max_rtt_penalty, 150);
	/* The radios. */
	const struct conf_radio *r0 = &c.interfaces[3].radio, *r1 = &c.interfaces[4].radio;
	assert_int_equal(c.interfaces[3].cfg.type, IF_TYPE_AX25);
	assert_int_equal(r0->kiss.kind, CONF_KISS_TCP);
	assert_string_equal(r0->kiss.host, "127.0.0.1");
	assert_int_equal(r0->kiss.port, 8001);
	assert_string_equal(r0->callsign.call, "F4ABC");
	assert_int_equal(r0->callsign.ssid, 7);
	assert_int_equal(r0->baud, 1200);
	assert_int_equal(r0->txdelay_ms, -1);
	assert_int_equal(r0->persist, -1);
	assert_int_equal(r1->kiss.kind, CONF_KISS_SERIAL);
	assert_string_equal(r1->kiss.path, "/dev/ttyUSB0");
	assert_int_equal(r1->kiss.speed, 9600);
	assert_int_equal(r1->paclen, 128);
	assert_int_equal(r1->txdelay_ms, 300);
	assert_int_equal(r1->persist, 0);
	assert_int_equal(r1->slottime_ms, 0);
	assert_int_equal(r1->txtail_ms, 20);
	assert_int_equal(r1->airtime_pct, 10);
	assert_string_equal(r1->pcap, "/tmp/radio 1.pcap");
	assert_string_equal(c.interfaces[5].radio.kiss.host, "::1");
	assert_string_equal(c.interfaces[6].radio.kiss.path,
			    "/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0");
	assert_int_equal(c.interfaces[6].radio.kiss.speed, 0);
	const struct filter_rule *r = &c.filters.rules[FILTER_IN][1];
	assert_int_equal(r->neighbour[10], 0xff);
	assert_int_equal(r->neighbour[12], 192);
	assert_int_equal(r->metric, 65535);
	r = &c.filters.rules[FILTER_OUT][0];
	assert_int_equal(r->prefix.addr[1], 0); /* 10.1.2.3/8 normalised */
	r = &c.filters.rules[FILTER_REDISTRIBUTE][0];
	assert_true(r->local);
	assert_string_equal(r->ifname, "eth1");
	assert_int_equal(r->action, FILTER_ALLOW);
	conf_free(&c);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = calloc(1, 65536);
	assert_non_null(buf);
	size_t n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_bad_sample(void **state)
{
	(void)state;
	struct conf c;
	conf_init(&c);
	size_t n = conf_parse_file(&c, data_path("bad-errors.conf"));
	assert_int_equal(n, c.n_errors);
	char *got = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&got, &len);
	for (size_t i = 0; i < c.n_errors; i++) {
		assert_string_equal(c.errors[i].file, data_path("bad-errors.conf"));
		fprintf(f, "%u:%u: %s\n", c.errors[i].line, c.errors[i].column, c.errors[i].message);
	}
	fclose(f);
	char *want = read_all(data_path("bad-errors.expected"));
	if (strcmp(got, want))
		fprintf(stderr, "got:\n%s", got);
	assert_string_equal(got, want);
	/* The good lines went in, the bad ones did not. */
	assert_int_equal(c.n_interfaces, 2);
	assert_string_equal(c.interfaces[0].name, "eth0");
	assert_string_equal(c.interfaces[1].name, "eth13");
	assert_int_equal(c.filters.n[FILTER_IN], 0);
	assert_int_equal(c.debug, 0);
	check_round_trip(&c);
	free(got);
	free(want);
	conf_free(&c);
}

static void expect_error(const char *text, const char *msg)
{
	struct conf c;
	conf_init(&c);
	size_t n = conf_parse_string(&c, "-C", text);
	assert_int_equal(n, 1);
	assert_int_equal(c.n_errors, 1);
	if (!strstr(c.errors[0].message, msg))
		fprintf(stderr, "'%s': %s\n", text, c.errors[0].message);
	assert_non_null(strstr(c.errors[0].message, msg));
	conf_free(&c);
}

static void test_error_cases(void **state)
{
	(void)state;
	expect_error("interface eth0 rxcost 70000", "out of range");
	expect_error("interface eth0 hello-interval 0.1234", "too precise");
	expect_error("interface eth0 hello-interval .", "bad duration");
	expect_error("interface eth0 hello-interval 4.", "bad duration");
	expect_error("interface eth0 hello-interval -1", "bad duration");
	expect_error("interface eth0 hello-interval 656", "out of range");
	expect_error("interface eth0 unicast 1", "bad boolean");
	expect_error("interface eth0 type", "missing value");
	expect_error("interface", "missing value");
	expect_error("interface a/b", "bad interface name");
	expect_error("in ip 10.0.0.0/8 allow metric 3", "more than one action");
	expect_error("in ip 10.0.0.0/8 ip 11.0.0.0/8", "twice");
	expect_error("in pref-src 10.0.0.1", "not supported");
	expect_error("in eq 129", "out of range");
	expect_error("router-id 02:00:5e:ff:fe:00:53:01 extra", "trailing garbage");
	expect_error("router-id 02:00:5e:ff:fe:00:53:01:07", "bad router-id");
	expect_error("router-id 02:00:5e-ff:fe:00:53:01", "bad router-id");
	expect_error("state-file \"\"", "empty value");
	expect_error("state-file \"a\"b", "garbage after closing quote");
	expect_error("state-file a\"b", "quote inside a word");
	expect_error("state-file \"a\\nb\"", "bad escape");
	expect_error("import-table 4294967296", "out of range");
	expect_error("interface eth0 type ax25", "needs a callsign");
	expect_error("interface r0 type ax25 callsign F4ABC-7", "needs a TNC");
	expect_error("interface r0 type ax25 kiss tcp:127.0.0.1:8001", "needs a callsign");
	expect_error("interface r0 type ax25 kiss tcp:h:0 callsign F4ABC", "bad TNC address");
	expect_error("interface r0 type ax25 kiss tcp:h callsign F4ABC", "bad TNC address");
	expect_error("interface r0 type ax25 kiss udp:h:1 callsign F4ABC", "bad TNC");
	expect_error("interface r0 type ax25 kiss serial:/dev/x:1234 callsign F4ABC",
		     "bad serial speed");
	expect_error("interface r0 type ax25 kiss serial:tty0 callsign F4ABC", "bad TNC device");
	expect_error("interface r0 type ax25 kiss tcp:h:1 callsign f4abc", "bad callsign");
	expect_error("interface r0 type ax25 kiss tcp:h:1 callsign F4ABC-16", "bad callsign");
	expect_error("interface r0 type ax25 kiss tcp:h:1 callsign F4ABC paclen 10",
		     "out of range");
	expect_error("interface r0 type ax25 kiss tcp:h:1 callsign F4ABC txdelay 3000",
		     "out of range");
	expect_error("interface r0 type ax25 kiss tcp:h:1 callsign F4ABC airtime 0", "out of range");
	expect_error("interface r0 type ax25 kiss tcp:h:1 callsign F4ABC baud 1200 baud 2400", "twice");
	expect_error("interface r0 type ax25 encrypt yes", "encryption is refused on a radio");
	expect_error("interface eth0 callsign F4ABC", "only to radio interfaces");
	expect_error("interface eth0 baud 1200 type wired", "only to radio interfaces");
	expect_error("default type ax25", "cannot be a default");
	expect_error("default callsign F4ABC", "radio parameter");
	expect_error("ipv6-subtrees true", "not supported");
	expect_error("interface eth0 faraway true", "not supported");
	/* The statement is not applied when its line has an error. */
	struct conf c;
	conf_init(&c);
	assert_int_equal(conf_parse_string(&c, "-C", "debug 2 3"), 1);
	assert_int_equal(c.debug, 0);
	assert_int_equal(conf_parse_string(&c, "-C", "state-file /x /y"), 1);
	assert_string_equal(c.state_file, CONF_DEFAULT_STATE_FILE);
	/* Columns count from 1; the error of a missing value is at the end. */
	assert_int_equal(conf_parse_string(&c, "-C", "  debug"), 1);
	assert_int_equal(c.errors[2].line, 1);
	assert_int_equal(c.errors[2].column, 8);
	conf_free(&c);
}

static void test_nul_and_missing_file(void **state)
{
	(void)state;
	struct conf c;
	conf_init(&c);
	static const char data[] = "debug 1\nstate-file a\0b\ndebug 2\n";
	assert_int_equal(conf_parse_buffer(&c, "buf", data, sizeof(data) - 1), 1);
	assert_int_equal(c.errors[0].line, 2);
	assert_int_equal(c.debug, 2);
	assert_int_equal(conf_parse_file(&c, "/nonexistent/maille.conf"), 1);
	assert_non_null(strstr(c.errors[1].message, "cannot open"));
	conf_free(&c);
}

static void test_adds_across_sources(void **state)
{
	(void)state;
	struct conf c;
	conf_init(&c);
	assert_int_equal(conf_parse_string(&c, "a", "interface eth0\nimport-table 5"), 0);
	assert_int_equal(conf_parse_string(&c, "b", "interface eth1\nimport-table 5\n"), 0);
	assert_int_equal(conf_parse_string(&c, "c", "interface eth0 rxcost 3"), 1);
	assert_string_equal(c.errors[0].file, "c");
	assert_non_null(strstr(c.errors[0].message, "duplicate interface"));
	assert_int_equal(c.n_interfaces, 2);
	assert_int_equal(c.n_import_tables, 1);
	conf_free(&c);
}

/* Run-time statements (merge_interfaces): an interface declared before gets
 * the parameters named, keeps the others; a new one is added; the checks
 * apply to the merged result. */
static void test_merge_interfaces(void **state)
{
	(void)state;
	struct conf c;
	conf_init(&c);
	assert_int_equal(conf_parse_string(&c, "file", "interface eth0 rxcost 100 hello-interval 4\n"
					   "interface radio0 type ax25 kiss tcp:127.0.0.1:8001 "
					   "callsign F4ABC-7\n"), 0);
	c.merge_interfaces = true;
	assert_int_equal(conf_parse_string(&c, "control socket", "interface eth0 hello-interval 1"), 0);
	assert_int_equal(conf_parse_string(&c, "control socket", "interface eth1"), 0);
	assert_int_equal(c.n_interfaces, 3);
	assert_int_equal(c.interfaces[0].cfg.rxcost, 100);
	assert_int_equal(c.interfaces[0].cfg.hello_interval_ms, 1000);
	assert_string_equal(c.interfaces[2].name, "eth1");
	/* The radio keeps its TNC and callsign when only its baud changes. */
	assert_int_equal(conf_parse_string(&c, "control socket", "interface radio0 baud 9600"), 0);
	assert_int_equal(c.interfaces[1].radio.baud, 9600);
	assert_true(c.interfaces[1].radio.has_callsign);
	/* A bad parameter changes nothing. */
	assert_int_equal(conf_parse_string(&c, "control socket", "interface eth0 rxcost nope"), 1);
	assert_int_equal(c.interfaces[0].cfg.rxcost, 100);
	c.merge_interfaces = false;
	assert_int_equal(conf_parse_string(&c, "file", "interface eth1"), 1);
	assert_non_null(strstr(c.errors[1].message, "duplicate interface"));
	conf_free(&c);
}

/* ------------------------------------------------------------ random configs */

static const char *pick(struct test_rng *r, const char *const *list, size_t n)
{
	return list[test_rng_below(r, (uint32_t)n)];
}
#define PICK(r, list) pick((r), (list), sizeof(list) / sizeof((list)[0]))

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if ((size_t)n < *cap - *len) {
			*len += (size_t)n;
			return;
		}
		*cap = *cap * 2 + (size_t)n;
		*buf = realloc(*buf, *cap);
		assert_non_null(*buf);
	}
}

static const char *const prefixes[] = {
	"10.0.0.0/8", "0.0.0.0/0", "192.168.3.0/24", "2001:db8::/32", "::/0", "fe80::1/128",
	"2001:db8:ab:cd::/64", "10.1.2.3", "::ffff:10.0.0.0/104"};
static const char *const bools[] = {"true", "false", "yes", "no", "default", "auto"};
static const char *const ids[] = {"02:00:5e:ff:fe:00:53:01", "0:1:2:3:4:5:6:7",
				  "aa-bb-cc-dd-ee-ff", "DE:AD:BE:EF:00:01"};

static void random_if_params(struct test_rng *r, char **b, size_t *l, size_t *cap)
{
	static const char *const types[] = {"wired", "wireless", "tunnel", "auto"};
	static const char *const secs[] = {"4", "0.5", "1.25", "0.01", "655.35", "16", "0.123"};
	if (test_rng_below(r, 2))
		add(b, l, cap, " type %s", PICK(r, types));
	if (test_rng_below(r, 2))
		add(b, l, cap, " hello-interval %s", PICK(r, secs));
	if (test_rng_below(r, 2))
		add(b, l, cap, " update-interval %s", PICK(r, secs));
	if (test_rng_below(r, 2))
		add(b, l, cap, " rxcost %u", 1 + test_rng_below(r, 65535));
	if (test_rng_below(r, 2))
		add(b, l, cap, " split-horizon %s", PICK(r, bools));
	if (test_rng_below(r, 2))
		add(b, l, cap, " unicast %s", PICK(r, bools));
	if (test_rng_below(r, 2))
		add(b, l, cap, " link-quality %s", PICK(r, bools));
	if (test_rng_below(r, 2))
		add(b, l, cap, " enable-timestamps %s", PICK(r, bools));
	if (test_rng_below(r, 2)) {
		unsigned lo = 1 + test_rng_below(r, 1000);
		add(b, l, cap, " rtt-min %u rtt-max %u", lo, lo + 1 + test_rng_below(r, 1000));
	}
	if (test_rng_below(r, 2))
		add(b, l, cap, " max-rtt-penalty %u", 1 + test_rng_below(r, 65535));
	if (test_rng_below(r, 2))
		add(b, l, cap, " v4-via-v6 %s", PICK(r, bools));
}

static void random_filter(struct test_rng *r, char **b, size_t *l, size_t *cap)
{
	static const char *const kinds[] = {"in", "out", "redistribute", "install"};
	unsigned kind = test_rng_below(r, 4);
	add(b, l, cap, "%s", kinds[kind]);
	if (test_rng_below(r, 2))
		add(b, l, cap, " ip %s", PICK(r, prefixes));
	if (test_rng_below(r, 3) == 0)
		add(b, l, cap, " eq %u", test_rng_below(r, 129));
	if (test_rng_below(r, 3) == 0)
		add(b, l, cap, " le %u", test_rng_below(r, 129));
	if (test_rng_below(r, 3) == 0)
		add(b, l, cap, " ge %u", test_rng_below(r, 129));
	if (test_rng_below(r, 3) == 0)
		add(b, l, cap, " src-ip %s", PICK(r, prefixes));
	if (test_rng_below(r, 4) == 0)
		add(b, l, cap, " src-eq %u", test_rng_below(r, 129));
	if (test_rng_below(r, 4) == 0)
		add(b, l, cap, " src-le %u", test_rng_below(r, 129));
	if (test_rng_below(r, 4) == 0)
		add(b, l, cap, " src-ge %u", test_rng_below(r, 129));
	if (test_rng_below(r, 3) == 0)
		add(b, l, cap, " proto %u", test_rng_below(r, 256));
	if (test_rng_below(r, 3) == 0)
		add(b, l, cap, " local");
	if (test_rng_below(r, 3) == 0)
		add(b, l, cap, " if eth%u", test_rng_below(r, 100));
	if (test_rng_below(r, 3) == 0)
		add(b, l, cap, " %s fe80::%x", test_rng_below(r, 2) ? "neigh" : "neighbour",
		    test_rng_below(r, 65536));
	if (test_rng_below(r, 3) == 0)
		add(b, l, cap, " id %s", PICK(r, ids));
	switch (test_rng_below(r, 5)) {
	case 0:
		break;
	case 1:
		add(b, l, cap, " allow");
		break;
	case 2:
		add(b, l, cap, " deny");
		break;
	case 3:
		if (kind != 3)
			add(b, l, cap, " metric %u", test_rng_below(r, 65536));
		break;
	case 4:
		if (kind == 2)
			add(b, l, cap, " src-prefix %s", PICK(r, prefixes));
		break;
	}
	add(b, l, cap, "\n");
}

static char *random_config(struct test_rng *r)
{
	size_t len = 0, cap = 256;
	char *b = malloc(cap);
	assert_non_null(b);
	b[0] = '\0';
	static const char *const paths[] = {"/var/lib/x", "\"/with space\"", "\"q\\\"uote\"",
					    "\"back\\\\slash\"", "rel/ative", "\"#hash\""};
	unsigned n = test_rng_below(r, 30);
	unsigned ifn = 0;
	for (unsigned i = 0; i < n; i++) {
		switch (test_rng_below(r, 14)) {
		case 0:
			add(&b, &len, &cap, "router-id %s\n", PICK(r, ids));
			break;
		case 1:
			add(&b, &len, &cap, "state-file %s # comment\n", PICK(r, paths));
			break;
		case 2:
			add(&b, &len, &cap, "log-file %s\n", PICK(r, paths));
			break;
		case 3:
			add(&b, &len, &cap, "debug %u\n", test_rng_below(r, 4));
			break;
		case 4:
			add(&b, &len, &cap, "export-table %u\n", 1 + test_rng_below(r, 1000));
			break;
		case 5:
			add(&b, &len, &cap, "import-table %u\n", 1 + test_rng_below(r, 1000));
			break;
		case 6:
			add(&b, &len, &cap, "kernel-protocol %u\n", 5 + test_rng_below(r, 251));
			break;
		case 7:
			add(&b, &len, &cap, "smoothing-half-life %u\n", test_rng_below(r, 65536));
			break;
		case 8:
			add(&b, &len, &cap, "control-socket %s\n", PICK(r, paths));
			break;
		case 9:
			add(&b, &len, &cap, "control-group %s\n", PICK(r, paths));
			break;
		case 10:
			add(&b, &len, &cap, "default");
			random_if_params(r, &b, &len, &cap);
			add(&b, &len, &cap, "\n");
			break;
		case 11:
			add(&b, &len, &cap, "\tinterface if%u", ifn++);
			random_if_params(r, &b, &len, &cap);
			add(&b, &len, &cap, "\n");
			break;
		default:
			random_filter(r, &b, &len, &cap);
			break;
		}
	}
	return b;
}

static void test_random_round_trip(void **state)
{
	(void)state;
	struct test_rng r = {.s = 42};
	for (int i = 0; i < 2000; i++) {
		char *text = random_config(&r);
		struct conf c;
		conf_init(&c);
		size_t n = conf_parse_string(&c, "random", text);
		if (n) {
			fprintf(stderr, "%s", text);
			dump_errors(&c);
		}
		assert_int_equal(n, 0);
		check_round_trip(&c);
		conf_free(&c);
		free(text);
	}
}

/* Mangled samples: never a crash, and whatever parsed still round-trips. */
static void test_random_mutations(void **state)
{
	(void)state;
	struct test_rng r = {.s = 7};
	static const char alphabet[] = " \t\n#\"\\/:.-0123456789abcdefxyz";
	for (size_t s = 0; s < 3; s++) {
		const char *name = s == 2 ? "bad-errors.conf" : good_samples[s];
		char *orig = read_all(data_path(name));
		size_t len = strlen(orig);
		for (int i = 0; i < 300; i++) {
			char *m = strdup(orig);
			assert_non_null(m);
			unsigned k = 1 + test_rng_below(&r, 8);
			for (unsigned j = 0; j < k; j++)
				m[test_rng_below(&r, (uint32_t)len)] =
					alphabet[test_rng_below(&r, sizeof(alphabet) - 1)];
			struct conf c;
			conf_init(&c);
			conf_parse_string(&c, "mutant", m);
			check_round_trip(&c);
			conf_free(&c);
			free(m);
		}
		free(orig);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_samples),
		cmocka_unit_test(test_babeld_sample_values),
		cmocka_unit_test(test_full_sample_values),
		cmocka_unit_test(test_bad_sample),
		cmocka_unit_test(test_error_cases),
		cmocka_unit_test(test_nul_and_missing_file),
		cmocka_unit_test(test_adds_across_sources),
		cmocka_unit_test(test_merge_interfaces),
		cmocka_unit_test(test_random_round_trip),
		cmocka_unit_test(test_random_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
