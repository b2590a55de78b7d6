/* The radio link's TUN device (DESIGN.md, "The radio link"): a layer-3
 * device (IFF_TUN | IFF_NO_PI: every read and write is one bare IP packet)
 * with MTU 1280, no automatic link-local address (addrgenmode none), the
 * station's callsign-derived link-local fe80::.../64 (no DAD: nobody on the
 * air answers neighbour discovery), and up.
 *
 * Thin: the fd is non-blocking and close-on-exec; the caller's event loop
 * watches it for reading.  Needs CAP_NET_ADMIN. */
#ifndef MAILLE_SYS_TUN_H
#define MAILLE_SYS_TUN_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TUN_MTU 1280

struct tun {
	int fd;                 /* -1 when closed */
	uint32_t ifindex;
	char name[IFNAMSIZ];
};

/* Creates (or attaches to) the TUN device NAME and configures it as above,
 * with the link-local address LL (16 octets, fe80::/64; NULL: none).
 * Returns 0, or -errno with *FAILED (may be NULL) naming the step that
 * failed ("open /dev/net/tun", "TUNSETIFF", "set mtu", "set addrgenmode",
 * "add address", "set up", ...); *t is closed then. */
int tun_open(struct tun *t, const char *name, const uint8_t *ll, const char **failed);

/* One IP packet into BUF (CAP octets; TUN_MTU suffices): its length, or
 * -1 with errno (EAGAIN: nothing to read). */
ssize_t tun_read(struct tun *t, uint8_t *buf, size_t cap);

/* One IP packet to the kernel: LEN, or -1 with errno. */
ssize_t tun_write(struct tun *t, const uint8_t *pkt, size_t len);

/* Closes the fd; the (non-persistent) device disappears with it. */
void tun_close(struct tun *t);

#endif
