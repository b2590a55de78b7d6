/* Fuzz target: arbitrary bytes as a session of command lines.  Every line
 * must parse or be refused with a one-line reason, and every reply and
 * dump (both dialects) must stay well-formed: one line per object, no
 * stray control bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/core/engine.h"
#include "src/sys/control_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_lines(const struct ctl_out *o)
{
	for (size_t i = 0; i < o->len; i++) {
		unsigned char c = (unsigned char)o->buf[i];
		if (c != '\n' && (c < 0x20 || c > 0x7e))
			abort();
	}
	if (o->len && o->buf[o->len - 1] != '\n')
		abort();
}

static void nop_send(void *ctx, uint32_t ifindex, const struct link_addr *to,
		     const uint8_t *buf, size_t len)
{
	(void)ctx, (void)ifindex, (void)to, (void)buf, (void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct engine *e;
	if (!e) {
		static const struct engine_ops ops = { .send = nop_send };
		struct engine_config cfg = { .router_id = { 1, 2, 3, 4, 5, 6, 7, 8 } };
		e = engine_new(&cfg, &ops, NULL, 1000, 1);
		struct if_config ic = { .type = IF_TYPE_WIRED, .split_horizon = OPT_DEFAULT,
					.unicast = OPT_DEFAULT, .link_quality = OPT_DEFAULT,
					.enable_timestamps = OPT_DEFAULT, .v4_via_v6 = OPT_DEFAULT };
		struct link_addr ll = { { 0xfe, 0x80, [15] = 1 } };
		engine_interface_up(e, 1, "eth0", &ic, &ll, 1000);
	}
	struct ctl_greeting g = { .version = "fuzz", .host = "h" };
	struct ctl_out o;
	ctl_out_init(&o, 0);
	enum ctl_dialect d = CTL_TEXT;
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		struct ctl_cmd cmd;
		char err[160];
		const char *line = (const char *)data + start;
		size_t len = i - start;
		start = i + 1;
		if (ctl_parse(line, len, &cmd, err, sizeof(err)) < 0) {
			if (strchr(err, '\n'))
				abort();
			ctl_format_bad(&o, d, err);
			continue;
		}
		if (cmd.kind == CTL_CMD_CONFIG &&
		    (cmd.config < line || cmd.config + cmd.config_len > line + len))
			abort();
		if (cmd.kind == CTL_CMD_JSON)
			d = CTL_JSON;
		else if (cmd.kind == CTL_CMD_TEXT)
			d = CTL_TEXT;
		else if (cmd.kind == CTL_CMD_DUMP)
			ctl_format_dump(&o, d, cmd.dump_what, e, 2000, &g, NULL, NULL);
		ctl_format_ok(&o, d);
	}
	check_lines(&o);
	ctl_out_free(&o);
	return 0;
}
