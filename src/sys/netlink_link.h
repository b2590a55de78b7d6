/* Interfaces and addresses through rtnetlink: an initial dump, then the
 * RTM_NEWLINK/DELLINK/NEWADDR/DELADDR notifications, so that an interface
 * configured before it exists is picked up when it appears.  The file
 * only parses; the caller decides what a link or an address means. */
#ifndef MAILLE_SYS_NETLINK_LINK_H
#define MAILLE_SYS_NETLINK_LINK_H

#include <stdbool.h>
#include <stdint.h>

struct mnl_socket;

/* present == false: the link is gone. up: administratively up with carrier. */
typedef void nl_link_fn(void *arg, uint32_t ifindex, const char *name, bool up, bool present);
/* family: 4 or 6; addr: 4 or 16 bytes.  usable: not tentative nor failed DAD
 * (a tentative IPv6 address cannot be a packet source yet). */
typedef void nl_addr_fn(void *arg, uint32_t ifindex, uint8_t family, const uint8_t *addr,
			unsigned plen, bool usable, bool present);

struct netlink_link {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	nl_link_fn *on_link;
	nl_addr_fn *on_addr;
	void *arg;
	uint64_t resyncs;
};

/* Opens, subscribes and dumps links then addresses (blocking, at start). */
int netlink_link_open(struct netlink_link *nl, nl_link_fn *on_link, nl_addr_fn *on_addr,
		      void *arg);
void netlink_link_close(struct netlink_link *nl);
int netlink_link_fd(const struct netlink_link *nl);

/* Dumps links then addresses again (blocking), reporting each as at open:
 * after a reload, for interfaces the configuration just added.  0 or -1. */
int netlink_link_resync(struct netlink_link *nl);

/* Reads every queued notification; on ENOBUFS dumps everything again. */
void netlink_link_read(struct netlink_link *nl);

#endif
