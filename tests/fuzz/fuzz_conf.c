/* Fuzzes the config parser: any input, no crash, no leak, and whatever
 * parsed prints back to text that parses to the same configuration.  The
 * same input is then applied again as run-time statements (merge mode):
 * merging a configuration's own printout into it must change nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c, d;
	conf_init(&c);
	conf_parse_buffer(&c, "fuzz", (const char *)data, size);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f) {
		conf_print(&c, f);
		fclose(f);
		conf_init(&d);
		if (conf_parse_buffer(&d, "printed", text, len) != 0 || !conf_equal(&c, &d))
			abort();
		/* The printed interface statements given again as run-time
		 * statements set what is already set: nothing changes. */
		d.merge_interfaces = true;
		for (char *line = text; line && *line;) {
			char *end = strchr(line, '\n');
			size_t n = end ? (size_t)(end - line) : strlen(line);
			if (n > 10 && memcmp(line, "interface ", 10) == 0 &&
			    conf_parse_buffer(&d, "merged", line, n) != 0)
				abort();
			line = end ? end + 1 : NULL;
		}
		if (!conf_equal(&c, &d))
			abort();
		conf_free(&d);
		free(text);
	}
	conf_free(&c);
	return 0;
}
