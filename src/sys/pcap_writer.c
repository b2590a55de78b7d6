/* pcap_writer: the classic libpcap format, host byte order (readers look
 * at the magic number to tell). */
#include "src/sys/pcap_writer.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

int pcap_writer_open(struct pcap_writer *w, const char *path, uint32_t linktype,
		     uint32_t snaplen)
{
	memset(w, 0, sizeof(w[0]));
	w->f = fopen(path, "wb");
	if (!w->f)
		return -1;
	w->snaplen = snaplen;
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} h = {0xa1b2c3d4u, 2, 4, 0, 0, snaplen, linktype};
	if (fwrite(&h, sizeof(h), 1, w->f) != 1 || fflush(w->f) != 0) {
		int e = errno;
		fclose(w->f);
		w->f = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

int pcap_writer_write(struct pcap_writer *w, const uint8_t *prefix, size_t plen,
		      const uint8_t *data, size_t len)
{
	if (!w->f)
		return -1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	size_t total = plen + len, caplen = total < w->snaplen ? total : w->snaplen;
	struct {
		uint32_t sec, usec, caplen, len;
	} r = {(uint32_t)ts.tv_sec, (uint32_t)(ts.tv_nsec / 1000), (uint32_t)caplen,
	       (uint32_t)total};
	size_t p1 = plen < caplen ? plen : caplen;
	bool ok = fwrite(&r, sizeof(r), 1, w->f) == 1 &&
		  (!p1 || fwrite(prefix, 1, p1, w->f) == p1) &&
		  (caplen == p1 || fwrite(data, 1, caplen - p1, w->f) == caplen - p1) &&
		  fflush(w->f) == 0;
	if (!ok) {
		w->errors++;
		return -1;
	}
	w->packets++;
	return 0;
}

void pcap_writer_close(struct pcap_writer *w)
{
	if (w->f)
		fclose(w->f);
	w->f = NULL;
}
