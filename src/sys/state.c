#include "src/sys/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/sys/log.h"

static int parse_id(const char *s, uint8_t id[8])
{
	unsigned v[8];
	if (sscanf(s, "%x:%x:%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		   &v[7]) != 8)
		return -1;
	for (int i = 0; i < 8; i++) {
		if (v[i] > 255)
			return -1;
		id[i] = (uint8_t)v[i];
	}
	return 0;
}

int state_read(const char *path, struct state *st)
{
	memset(st, 0, sizeof(*st));
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		log_warn("state file %s: %s", path, strerror(errno));
		return -1;
	}
	char line[256];
	int ret = 0, lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char key[32], val[128];
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%31s %127s", key, val) != 2) {
			log_warn("state file %s:%d: malformed line", path, lineno);
			ret = -1;
			continue;
		}
		if (strcmp(key, "seqno") == 0) {
			char *end;
			unsigned long v = strtoul(val, &end, 10);
			if (*end || v > 65535) {
				log_warn("state file %s:%d: bad seqno", path, lineno);
				ret = -1;
				continue;
			}
			st->has_seqno = true;
			st->seqno = (uint16_t)v;
		} else if (strcmp(key, "router-id") == 0) {
			if (parse_id(val, st->router_id) < 0) {
				log_warn("state file %s:%d: bad router-id", path, lineno);
				ret = -1;
				continue;
			}
			st->has_router_id = true;
		}
		/* Unknown keys are from a newer version: ignore them. */
	}
	fclose(f);
	return ret;
}

int state_write(const char *path, const struct state *st)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	if (!tmp)
		return -1;
	snprintf(tmp, plen + 16, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_warn("state file %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	char buf[128];
	int n = 0;
	if (st->has_router_id)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "router-id %02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x\n", st->router_id[0],
			      st->router_id[1], st->router_id[2], st->router_id[3], st->router_id[4],
			      st->router_id[5], st->router_id[6], st->router_id[7]);
	if (st->has_seqno)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "seqno %u\n", st->seqno);
	bool ok = write(fd, buf, (size_t)n) == n && fsync(fd) == 0;
	if (close(fd) != 0)
		ok = false;
	if (!ok || rename(tmp, path) != 0) {
		log_warn("state file %s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
