/* libFuzzer: the capture reader (tools/pcapfile) on arbitrary files, read
 * from memory.  It must never read outside the input nor crash; every
 * record's bytes are readable, its nanoseconds below a second, and it holds
 * no more than the file does; an error is final and says something, a
 * clean end says nothing.  Each record also goes through the IPv6/UDP
 * finder, as mailledump does. */
#include <stdint.h>
#include <stdlib.h>

#include "tools/pcap_udp6.h"
#include "tools/pcapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[PCAPFILE_ERROR_MAX];
	struct pcapfile *pf = pcapfile_open_mem(data, size, err);
	if (!pf) {
		CHECK(err[0] != 0);
		return 0;
	}
	struct pcapfile_record rec;
	size_t records = 0;
	volatile uint8_t sink = 0;
	int r;
	while ((r = pcapfile_next(pf, &rec)) > 0) {
		CHECK(rec.data != NULL && rec.len <= size);
		CHECK(!rec.has_time || rec.nsec < 1000000000u);
		/* Touch every octet, so that ASan sees a record that is not
		 * really there. */
		for (size_t i = 0; i < rec.len; i++)
			sink ^= rec.data[i];
		/* The smallest record (pcap's header, an empty SPB) takes 16
		 * octets: a loop that makes records out of nothing stops here. */
		CHECK(++records <= size / 16);
		struct udp6 u;
		if (pcap_udp6(rec.linktype, rec.data, rec.len, &u) == 0)
			CHECK(u.payload >= rec.data && u.len <= rec.len &&
			      (size_t)(u.payload - rec.data) <= rec.len - u.len);
	}
	(void)sink;
	if (r < 0) {
		CHECK(pcapfile_error(pf)[0] != 0);
		CHECK(pcapfile_next(pf, &rec) == -1);
	} else {
		CHECK(pcapfile_error(pf)[0] == 0);
	}
	pcapfile_close(pf);
	return 0;
}
