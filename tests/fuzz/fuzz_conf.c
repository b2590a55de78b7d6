/* Fuzzes the config parser: any input, no crash, no leak, and whatever
 * parsed prints back to text that parses to the same configuration. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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
		conf_free(&d);
		free(text);
	}
	conf_free(&c);
	return 0;
}
